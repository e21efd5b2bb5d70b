// The core's loader re-declares limits of the module descriptor
// (core/module/module_image.h): they must agree with the ABI's.
#include <celos/module.h>

#include "module/module_image.h"

using namespace celos::loader;

static_assert(kMaxNameLength == CELOS_MODULE_NAME_MAX, "module name length");
static_assert(kMaxDependsLength == CELOS_MODULE_DEPENDS_MAX, "depends length");
static_assert(sizeof(ModuleInfo::name) == CELOS_MODULE_NAME_MAX + 1,
              "ModuleInfo::name holds a full name and a NUL");
static_assert(sizeof(ModuleInfo::version) == CELOS_MODULE_VERSION_MAX + 1,
              "ModuleInfo::version holds a full version and a NUL");
static_assert(sizeof(ModuleInfo::depends) == CELOS_MODULE_DEPENDS_MAX + 1,
              "ModuleInfo::depends holds a full list and a NUL");

// The loader reads the descriptor from the file before relocation, at fixed
// offsets: they must be the ABI struct's.
#include <cstddef>
namespace dl = celos::loader::descriptor_layout;
static_assert(dl::kMagic == CELOS_MODULE_MAGIC, "descriptor magic");
static_assert(dl::kMagicOffset == offsetof(celos_module_descriptor, magic), "magic offset");
static_assert(dl::kAbiMajorOffset == offsetof(celos_module_descriptor, abi_major), "abi_major offset");
static_assert(dl::kAbiMinorOffset == offsetof(celos_module_descriptor, abi_minor), "abi_minor offset");
static_assert(dl::kNameOffset == offsetof(celos_module_descriptor, name), "name offset");
static_assert(dl::kVersionOffset == offsetof(celos_module_descriptor, version), "version offset");
static_assert(dl::kDependsOffset == offsetof(celos_module_descriptor, depends), "depends offset");
static_assert(dl::kInitOffset == offsetof(celos_module_descriptor, init), "init offset");
static_assert(dl::kExitOffset == offsetof(celos_module_descriptor, exit), "exit offset");
static_assert(dl::kParamsOffset == offsetof(celos_module_descriptor, params), "params offset");
static_assert(dl::kParamCountOffset == offsetof(celos_module_descriptor, param_count), "param_count offset");
static_assert(dl::kSize == sizeof(celos_module_descriptor), "descriptor size");
static_assert(celos::loader::kExportEntrySize == sizeof(celos_export), "export entry size");
static_assert(celos::loader::kExportAddressOffset == offsetof(celos_export, address), "export address offset");
