// <celos/irq.h>: interrupt masking for modules.

#include <celos/abi.h>

#include "lib/irq.h"

using namespace celos;

extern "C" {

celos_irq_state celos_irq_save(void) {
    return irq_save();
}

void celos_irq_restore(celos_irq_state state) {
    irq_restore(state);
}

} // extern "C"

CELOS_EXPORT(celos_irq_save);
CELOS_EXPORT(celos_irq_restore);
