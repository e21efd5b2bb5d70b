// The core's loader re-declares limits of the module descriptor
// (core/loader/module_image.h): they must agree with the ABI's.
#include <celos/module.h>

#include "loader/module_image.h"

using namespace celos::loader;

static_assert(kMaxNameLength == CELOS_MODULE_NAME_MAX, "module name length");
static_assert(kMaxDependsLength == CELOS_MODULE_DEPENDS_MAX, "depends length");
static_assert(sizeof(ModuleInfo::name) == CELOS_MODULE_NAME_MAX + 1,
              "ModuleInfo::name holds a full name and a NUL");
static_assert(sizeof(ModuleInfo::version) == CELOS_MODULE_VERSION_MAX + 1,
              "ModuleInfo::version holds a full version and a NUL");
static_assert(sizeof(ModuleInfo::depends) == CELOS_MODULE_DEPENDS_MAX + 1,
              "ModuleInfo::depends holds a full list and a NUL");
