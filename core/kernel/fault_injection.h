// Faults on purpose (`fault=pf|gp|ud|de|stackoverflow`), to test the
// exception handlers end to end.
#pragma once

#include "lib/string_view.h"

namespace celos {

// Triggers the named fault; returns false (after logging) for an unknown name.
bool fault_inject(StringView name);

} // namespace celos
