// <celos/input.h>: the input queue.

#include <celos/abi.h>
#include <celos/input.h>

#include "kernel/input.h"

using namespace celos;

extern "C" {

celos_status celos_input_report(const struct celos_input_event* event) {
    if (!event) return CELOS_ERR_INVALID;
    auto r = input_report(*event);
    return r.ok() ? CELOS_OK : static_cast<celos_status>(r.error().status);
}

celos_status celos_input_read(struct celos_input_event* event) {
    if (!event) return CELOS_ERR_INVALID;
    return input_read(*event) ? CELOS_OK : CELOS_ERR_NOT_FOUND;
}

size_t celos_input_room(void) {
    return input_room();
}

} // extern "C"

CELOS_EXPORT(celos_input_report);
CELOS_EXPORT(celos_input_read);
CELOS_EXPORT(celos_input_room);
