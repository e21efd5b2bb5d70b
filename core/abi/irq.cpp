// <celos/irq.h>: interrupt masking and interrupt lines for modules.

#include <celos/abi.h>

#include "abi/caller.h"
#include "kernel/irq_lines.h"
#include "lib/irq.h"

using namespace celos;

extern "C" {

celos_irq_state celos_irq_save(void) {
    return irq_save();
}

void celos_irq_restore(celos_irq_state state) {
    irq_restore(state);
}

celos_status celos_irq_register(unsigned line, celos_irq_handler handler, void* context) {
    auto r = irq_line_register(CALLER_MODULE(), line, handler, context);
    return r.ok() ? CELOS_OK : static_cast<celos_status>(r.error().status);
}

celos_status celos_irq_unregister(unsigned line, celos_irq_handler handler, void* context) {
    auto r = irq_line_unregister(line, handler, context);
    return r.ok() ? CELOS_OK : static_cast<celos_status>(r.error().status);
}

} // extern "C"

CELOS_EXPORT(celos_irq_save);
CELOS_EXPORT(celos_irq_restore);
CELOS_EXPORT(celos_irq_register);
CELOS_EXPORT(celos_irq_unregister);
