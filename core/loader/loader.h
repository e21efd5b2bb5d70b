// The kernel's module loader: takes the ELF files GRUB loaded (module2
// lines), checks, orders, maps, relocates, links and starts them; releases
// everything of a module that fails. Also the registry of exported symbols
// and the per-module accounting of what each module got from the core.
#pragma once

#include "lib/types.h"

namespace celos {

// Loads every ELF boot module and logs a summary. Non-ELF boot modules are
// boot files (celos_bootfile_find).
void modules_load_all();

// Called from the ABI entry points: the loaded module whose text contains
// `address` (a return address), or -1 for the core.
int module_owning(u64 address);
// The name of a loaded module, "core" for -1.
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
// Stops a loaded module: calls its exit (a fault there is a panic), then
// releases everything it still holds, as when init fails. Refused (false,
// logged) while another loaded module links against it or depends on it.
bool module_unload(int module, bool quiet);
// True for a module loaded quietly: the core leaves out its debug lines too.
bool module_quiet(int module);
// The id of the loaded module named `name`, or -1.
int module_find_loaded(const char* name);
// Removes the log sinks a module registered (before a fault report, so the
// report does not run through the module that faulted).
void module_log_sinks_remove(int module);
// Pages mapped in the module area (a page-table walk).
u64 module_area_mapped_pages();

// Resource accounting for the ABI (core/loader/abi_exports.cpp).
// framebuffer: a module that called celos_framebuffer_get (key: its id).
enum class ResourceKind : u8 { pages, vrange, service, log_sink, framebuffer };
bool resource_track(int owner, ResourceKind kind, u64 a, u64 b);
bool resource_untrack(ResourceKind kind, u64 a, u64* b_out);
// The record of kind with key `a` (its `b` in *b_out and its owner), or false.
bool resource_find(ResourceKind kind, u64 a, u64* b_out, int* owner_out);

// The core's export table, from the linker script.
struct CoreExport {
    const char* name;
    const void* address;
};

} // namespace celos
