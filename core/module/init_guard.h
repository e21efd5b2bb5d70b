// Fault containment for a module's init: init runs under a recovery point,
// so that a CPU exception in the module's code, or a celos_panic it calls,
// is reported and then ends init with CELOS_ERR_FAULT; the loader unloads
// the module and the boot goes on. One CPU, one init at a time.
#pragma once

#include <celos/status.h>

#include "lib/types.h"

namespace celos {

// Calls init() for `module` with the guard armed; returns what init returned,
// or CELOS_ERR_FAULT after a contained fault.
celos_status init_guard_call(int module, celos_status (*init)(void));

// A fault at `address` is contained: the guard is armed and the address is
// in the code of the module whose init runs.
bool init_guard_covers(u64 address);

// init_guard_covers, and if so disarms the guard before the report, so that
// a fault while reporting (or anything until the next init) is a panic.
bool init_guard_claim(u64 address);

// After the report of a claimed fault: resumes init_guard_call, which
// returns CELOS_ERR_FAULT.
[[noreturn]] void init_guard_recover();

// Registers the guard with the generic fault handler (kernel/fault.h).
void init_guard_install();

} // namespace celos
