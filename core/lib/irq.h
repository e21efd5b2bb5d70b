// Interrupt masking for short critical sections on the one CPU. The kernel
// implements these in arch/; host tests provide no-ops.
#pragma once

#include "lib/types.h"

namespace celos {

u64 irq_save();          // disables interrupts, returns the previous state
void irq_restore(u64 state);

class IrqGuard {
public:
    IrqGuard() : state_(irq_save()) {}
    ~IrqGuard() { irq_restore(state_); }
    IrqGuard(const IrqGuard&) = delete;
    IrqGuard& operator=(const IrqGuard&) = delete;

private:
    u64 state_;
};

} // namespace celos
