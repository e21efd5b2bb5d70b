/* Interrupts (ABI 1.3). The kernel runs on one CPU: a module keeps its
   data consistent with code that runs in interrupts (a log sink's flush
   from the timer tick, an interrupt handler) by masking interrupts around
   the code that touches it. Keep such sections short.

   A driver takes a legacy ISA interrupt line (the keyboard's 1, COM1's 4)
   with celos_irq_register: its handler then runs on every interrupt of the
   line, in interrupt context, with interrupts off and the FPU/SSE state
   saved (it may use SSE); it must not allocate, block or call what the
   headers reserve for a module's own context. The core acknowledges the
   interrupt controller after the handler returns. A line has one handler
   (no sharing); it is unmasked while a handler is registered and masked
   again when it goes. A module's lines are released when it is unloaded. */
#ifndef CELOS_IRQ_H
#define CELOS_IRQ_H

#include <celos/cdefs.h>
#include <celos/status.h>

typedef uint64_t celos_irq_state;

CELOS_BEGIN_DECLS
/* Disables interrupts and returns whether they were enabled, for
   celos_irq_restore. Nests. */
celos_irq_state celos_irq_save(void);
void celos_irq_restore(celos_irq_state state);

typedef void (*celos_irq_handler)(void* context);
/* CELOS_ERR_INVALID for a line outside 1..15 (0 is the core's timer, 2 the
   cascade) or a null handler, CELOS_ERR_BUSY when the line has a handler. */
celos_status celos_irq_register(unsigned line, celos_irq_handler handler, void* context);
/* CELOS_ERR_NOT_FOUND unless this handler and context have the line. */
celos_status celos_irq_unregister(unsigned line, celos_irq_handler handler, void* context);
CELOS_END_DECLS

#ifdef __cplusplus
/* The section from here to the end of the scope runs with interrupts off. */
struct celos_irq_guard {
    celos_irq_state state = celos_irq_save();
    celos_irq_guard() = default;
    ~celos_irq_guard() { celos_irq_restore(state); }
    celos_irq_guard(const celos_irq_guard&) = delete;
    celos_irq_guard& operator=(const celos_irq_guard&) = delete;
};
#endif

#endif
