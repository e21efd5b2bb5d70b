// The module records, for the files of the module subsystem (module.h is
// the rest of the core's view).
#pragma once

#include <celos/bootfile.h>
#include <celos/module.h>

#include "boot/multiboot2.h"
#include "lib/span.h"
#include "lib/string_view.h"
#include "module/exports.h"
#include "module/module_image.h"

namespace celos {

inline constexpr usize kMaxModuleSlots = mb2::kMaxModules;
// A module2 line's label (its first word) and so a boot file's name: the
// NAME_MAX of the file systems GRUB reads. A longer one is refused, never cut.
inline constexpr usize kMaxLabel = CELOS_BOOTFILE_NAME_MAX;

// parsed: checked, waiting to start. declined: init said it is not needed
// (CELOS_ERR_EXISTS), and it was unloaded. unloaded: unloaded after it ran;
// the slot can be used again.
enum class SlotState : u8 { empty, parsed, refused, declined, initializing, loaded, unloaded };

struct ModuleSlot {
    SlotState state;
    char label[kMaxLabel + 1]; // the first word of the module2 command line, for messages
    const char* args;          // the rest of that command line (parameters)
    char args_storage[256];    // a copy of the parameters of a module loaded at run time
    ByteSpan file;
    loader::ModuleImage image;
    loader::RegionTarget targets[loader::kRegionCount];
    u64 region_size[loader::kRegionCount];
    u64 range_base;
    u64 range_size;
    const celos_module_descriptor* descriptor;
    bool quiet; // no lines for a successful load or unload (selftest cycles)
    char refusal[200];
};

// The slots in use are [0, module_slot_count()).
ModuleSlot& module_slot(int id);
usize module_slot_count();
// A free slot (an unloaded one first), or null when all kMaxModuleSlots are taken.
ModuleSlot* module_slot_new();
inline int slot_id(const ModuleSlot& m) {
    return static_cast<int>(&m - &module_slot(0));
}

// The module named `name`: by its descriptor name, or by its label when it
// was refused before its file was parsed. Unloaded and empty slots are not found.
ModuleSlot* module_slot_by_name(StringView name);

// The address index: loaded and initializing modules by range.
void module_index_add(const ModuleSlot& m);
void module_index_remove(const ModuleSlot& m);

// The order modules started in (for the summary), oldest first.
void module_started(const ModuleSlot& m);
void module_stopped(const ModuleSlot& m);
Span<const int> modules_started();

ExportTable& module_exports();

// Marks `m` refused with the reason, and logs "module NAME: refused: REASON".
void module_refuse(ModuleSlot& m, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
// Diagnostics start with the file's label; messages here already name it.
const char* without_label(const char* message, const char* label);

} // namespace celos
