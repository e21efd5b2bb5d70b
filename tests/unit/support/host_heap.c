/* The kernel heap's interface (<celos/heap.h>) on the host's malloc, for
   module code built for the host (celos_freetype_host: ftsystem.c and
   tt_font.cpp). Counts live blocks so tests can check that everything is
   released, and calls that allocate so they can check that nothing does
   (the font's glyph path after open). */
#include <stdlib.h>

#include <celos/heap.h>

static long live_blocks;
static long allocations;

/* Blocks allocated and not yet freed (tests/unit/support/host_heap.h). */
long celos_host_heap_live_blocks(void) { return live_blocks; }

/* Calls of kmalloc, krealloc and kcalloc so far. */
long celos_host_heap_allocations(void) { return allocations; }

void* kmalloc(size_t size) {
    allocations++;
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
    allocations++;
    if (!p)
        return kmalloc(size);
    if (size == 0) {
        kfree(p);
        return NULL;
    }
    return realloc(p, size);
}

void* kcalloc(size_t count, size_t size) {
    allocations++;
    void* p = calloc(count ? count : 1, size ? size : 1);
    if (p)
        live_blocks++;
    return p;
}
