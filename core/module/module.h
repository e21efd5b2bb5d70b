// The module subsystem's interface to the rest of the core: loading the boot
// modules, loading and unloading at run time, and finding the module that
// owns an address. docs/architecture.md, "Modules", describes the parts:
//   registry.cpp   the module records, lookup by name and by address
//   boot.cpp       the boot modules: boot files, order, summary
//   load.cpp       the load pipeline and unloading
//   runtime.cpp    loading and unloading after boot
//   depends.cpp    dependency order and cycle reports (pure)
//   params.cpp     parameters (pure)
//   exports.cpp    the export table (pure)
//   resources.cpp  what modules got, released last in first out
//   services.cpp   the service registry, holds and replacement
//   bootfiles.cpp  the boot files
//   symbols.cpp    names for addresses in modules, regions for the W^X audit
//   module_image.cpp, relocate.cpp  ELF checks and relocation (pure)
//   init_guard.cpp fault containment in init; integrity.cpp the manifest check
#pragma once

#include "lib/types.h"

namespace celos {

// Loads every ELF boot module and logs a summary. Non-ELF boot modules are
// boot files (celos_bootfile_find).
void modules_load_all();

// The loaded module whose range contains `address` (a return address), or
// -1 for the core. O(log n): every ABI call asks.
int module_owning(u64 address);
// The name of a module, "core" for -1.
const char* module_name(int module);

// "module:symbol+0xoff" for an address inside a loaded module; false when
// the address is in no module.
bool module_symbolize(u64 address, char* buf, usize size);

// The text, rodata and data of every loaded module (for the W^X audit);
// returns how many regions were written to `out`.
struct WxRegion;
usize module_regions(WxRegion* out, usize max);

// Loads the module in the boot file `file` (a module2 line labelled with a
// file name, which the boot does not start) with parameters `args`, as at
// boot: checked, linked against what is loaded, init called under the fault
// guard. Returns the module's id, or -1 (the reason is logged). `quiet`
// leaves out the lines of a successful load and unload (the selftest's cycles).
int module_load_file(const char* file, const char* args, bool quiet);
// Loads again a module that was loaded at boot and then unloaded, from the
// same file and with the same parameters. Returns its id or -1.
int module_reload(const char* name, bool quiet);
// Stops a loaded module: calls its exit (a fault there is a panic), then
// releases everything it still holds, newest first. Refused (false, with
// the reason logged and, when `why` is given, written there) while another
// loaded module depends on it, links against it or holds a service it
// provides. With `ask_holders` (rmmod), the holders are asked to let go
// first (service_ask_holders), once nothing else keeps the module.
bool module_unload(int module, bool quiet, char* why = nullptr, usize why_size = 0, bool ask_holders = false);
// True for a module loaded quietly: the core leaves out its debug lines too.
bool module_quiet(int module);
// The id of the loaded module named `name`, or -1.
int module_find_loaded(const char* name);
// Removes the log sinks a module registered (before a fault report, so the
// report does not run through the module that faulted).
void module_log_sinks_remove(int module);
// Pages mapped in the module area (a page-table walk).
u64 module_area_mapped_pages();

// The core's export table, from the linker script (CELOS_EXPORT).
struct CoreExport {
    const char* name;
    const void* address;
};

} // namespace celos
