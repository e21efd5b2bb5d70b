// Names for code addresses in fault reports and backtraces.
#pragma once

#include "lib/types.h"

namespace celos {

void symbolize_init();                       // finds the core's symbol table in its image
// Writes "symbol+0xoff" (or the bare hex address) into buf.
void symbolize(u64 address, char* buf, usize size);
bool symbol_address(const char* name, u64& address);
// Names in loaded modules ("module:symbol+0xoff"), tried first; registered
// by the module subsystem. Returns false for an address in no module.
using ModuleSymbolizer = bool (*)(u64 address, char* buf, usize size);
void symbolize_set_module_lookup(ModuleSymbolizer fn);

// Logs a frame-pointer backtrace starting at frame `rbp`, staying on the
// stack that holds it; at most max_frames lines.
void log_backtrace(u64 rbp, usize max_frames);

} // namespace celos
