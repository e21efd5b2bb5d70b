/* Interrupts (ABI 1.3). The kernel runs on one CPU: a module keeps its
   data consistent with code that runs in interrupts (a log sink's flush
   from the timer tick, an interrupt handler) by masking interrupts around
   the code that touches it. Keep such sections short. */
#ifndef CELOS_IRQ_H
#define CELOS_IRQ_H

#include <celos/cdefs.h>

typedef uint64_t celos_irq_state;

CELOS_BEGIN_DECLS
/* Disables interrupts and returns whether they were enabled, for
   celos_irq_restore. Nests. */
celos_irq_state celos_irq_save(void);
void celos_irq_restore(celos_irq_state state);
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
