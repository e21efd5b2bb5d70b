// The selftest's load/unload cycles: a module from a boot file is loaded
// and unloaded many times; the free pages, the module area, the core's
// virtual ranges and the heap must end as they began (module/resource_snapshot.h).
#pragma once

#include "lib/types.h"

namespace celos::ktest {

// Runs `cycles` load/unload cycles of the module in boot file `file` as a
// KTAP subtest at `depth` named "module_cycles" (one line per check), and
// returns whether every check passed; `detail` gets the first failure.
bool module_cycles_run(const char* file, usize cycles, usize depth, char* detail, usize size);

} // namespace celos::ktest
