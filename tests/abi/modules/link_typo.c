/* Link-check fixture: a misspelt export of its dependency (kmaloc). */
#include <celos/abi.h>

void* kmaloc(size_t size);

static celos_status link_typo_init(void) {
    return kmaloc(16) ? CELOS_OK : CELOS_ERR_NO_MEMORY;
}

CELOS_MODULE("link_typo", "1.0", "heap", link_typo_init, 0);
