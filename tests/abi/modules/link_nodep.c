/* Link-check fixture: uses heap's kmalloc without "heap" in its depends, so
   the build check and the loader refuse it, naming heap, whatever the order
   of the module2 lines. */
#include <celos/abi.h>

void* kmalloc(size_t size);

static celos_status link_nodep_init(void) {
    return kmalloc(16) ? CELOS_OK : CELOS_ERR_NO_MEMORY;
}

CELOS_MODULE("link_nodep", "1.0", "", link_nodep_init, 0);
