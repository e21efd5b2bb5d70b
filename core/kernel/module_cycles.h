// The selftest's load/unload cycles: a module from a boot file is loaded
// and unloaded many times; the free pages, the module area, the core's
// virtual ranges and the heap must end as they began.
#pragma once

#include "lib/types.h"

namespace celos {

// Runs `cycles` load/unload cycles of the module in boot file `file`, logs
// the numbers before and after, and returns whether they are equal and
// every cycle loaded and unloaded. `detail` gets the first difference.
bool module_cycles_run(const char* file, usize cycles, char* detail, usize size);

} // namespace celos
