// Taint: the kernel runs something it cannot vouch for (a module missing
// from the manifest). Shown on the ready line and in panic and fault reports.
#pragma once

#include "lib/types.h"

namespace celos {

enum class TaintFlag : u32 {
    unsigned_module = 1u << 0, // loaded under modsig=warn though not in the manifest
};

// Marks the kernel tainted; `what` (e.g. the module's label) is kept for the
// description, as far as there is room.
void taint(TaintFlag flag, const char* what);
bool kernel_tainted();
// "unsigned module: a, b" into buf; "" when not tainted.
void taint_describe(char* buf, usize size);

} // namespace celos
