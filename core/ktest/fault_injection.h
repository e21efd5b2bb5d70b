// Faults on purpose (`fault=pf|gp|ud|de|stackoverflow`), to test the
// exception handlers end to end: the fault report (a panic) is the result,
// which the boot test reads; KTAP here only says which fault was triggered,
// or `not ok` when the name is unknown or the fault did not happen.
#pragma once

#include "lib/string_view.h"

namespace celos::ktest {

// Triggers the named fault (does not return when it works); returns after
// reporting `not ok` for an unknown name or a fault that did not happen.
void fault_injection_run(StringView name);

} // namespace celos::ktest
