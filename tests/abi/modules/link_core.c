/* Link-check fixture: calls a core function the core does not export. */
#include <celos/abi.h>

void kernel_main(void);

static celos_status link_core_init(void) {
    kernel_main();
    return CELOS_OK;
}

CELOS_MODULE("link_core", "1.0", "", link_core_init, 0);
