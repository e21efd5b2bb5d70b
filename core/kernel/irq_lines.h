// Interrupt lines for modules (<celos/irq.h>): one handler per legacy ISA
// line, called from the interrupt dispatch with the FPU/SSE state saved;
// the line is unmasked while it has a handler. A module's lines are
// released with its other resources.
#pragma once

#include <celos/irq.h>

#include "lib/result.h"
#include "lib/types.h"

namespace celos {

inline constexpr u8 kIrqLines = 16;

Result<void> irq_line_register(int owner, unsigned line, celos_irq_handler handler, void* context);
Result<void> irq_line_unregister(unsigned line, celos_irq_handler handler, void* context);
// From the interrupt dispatch (interrupts off): runs the line's handler;
// false when it has none (the interrupt is then unexpected, and counted).
bool irq_line_dispatch(u8 line);
// Interrupts of lines without a handler since boot (for the log).
u64 irq_lines_unexpected();

} // namespace celos
