/* The kernel heap's interface (<celos/heap.h>) on the host's malloc, for
   module code built for the host (celos_freetype_host: ftsystem.c and
   tt_font.cpp). Counts live blocks so tests can check that everything is
   released. */
#include <stdlib.h>

#include <celos/heap.h>

static long live_blocks;

/* Blocks allocated and not yet freed (tests/unit/support/host_heap.h). */
long celos_host_heap_live_blocks(void) { return live_blocks; }

void* kmalloc(size_t size) {
    void* p = malloc(size ? size : 1);
    if (p)
        live_blocks++;
    return p;
}

void kfree(void* p) {
    if (p)
        live_blocks--;
    free(p);
}

void* krealloc(void* p, size_t size) {
    if (!p)
        return kmalloc(size);
    if (size == 0) {
        kfree(p);
        return NULL;
    }
    return realloc(p, size);
}

void* kcalloc(size_t count, size_t size) {
    void* p = calloc(count ? count : 1, size ? size : 1);
    if (p)
        live_blocks++;
    return p;
}
