// The kernel's stacks, known by name, so that a backtrace stays inside the
// stack it started on and a fault report can say which stack overflowed.
#pragma once

#include "lib/types.h"

namespace celos {

struct KernelStack {
    const char* name;
    u64 bottom;       // lowest usable address
    u64 top;          // one past the highest
    u64 guard_bottom; // the unmapped guard page below, 0 if none
};

void stacks_register(const KernelStack& stack);
const KernelStack* stacks_find(u64 address);        // the stack containing address
const KernelStack* stacks_find_guard(u64 address);  // the stack whose guard page holds address

} // namespace celos
