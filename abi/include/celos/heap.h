/* The kernel heap, served by the heap module (modules/heap): a module that
   uses these needs heap.ko loaded before it (declare "heap" as a
   dependency); without it the loader refuses the module and names the
   missing symbols.

   Ownership. A block belongs to the module that allocated it (the caller
   of kmalloc, krealloc, kcalloc or kmemalign), whoever it is handed to:
   when that module is unloaded or fails to start, the core frees every
   block it still holds. So a module that keeps data it got from another
   module copies it, and data a provider hands out through a service (a
   glyph's coverage, a font's name) is valid only while the consumer holds
   the provider (celos_service_acquire), which keeps the provider loaded.
   A log sink, or code in an interrupt, must not call these. */
#ifndef CELOS_HEAP_H
#define CELOS_HEAP_H

#include <celos/cdefs.h>
#include <celos/status.h>

#define CELOS_HEAP_MAX_ALIGNMENT 4096u

/* The heap's service ("heap", version 2), for the core and tools. */
struct celos_heap_service {
    void (*log_summary)(void);                /* one line of totals and per-module use */
    celos_status (*check)(void);              /* walks the heap; CELOS_OK when consistent */
    size_t (*bytes_in_use_by)(int module);    /* -1: the core */
    /* Version 2. Frees every block `module` (>= 0) still holds, for the
       loader when it unloads the module; returns the number of blocks. */
    size_t (*release_module)(int module);
    size_t (*bytes_in_use)(void);             /* by everyone */
};

CELOS_BEGIN_DECLS
/* Never fails silently: NULL when out of memory. kmalloc(0) returns a unique
   pointer that may be passed to kfree; kfree(NULL) does nothing. */
void* kmalloc(size_t size);
void kfree(void* p);
/* On failure returns NULL and leaves `p` intact; krealloc(p, 0) frees p and
   returns NULL; krealloc(NULL, n) is kmalloc(n). */
void* krealloc(void* p, size_t size);
/* NULL when count * size overflows. Zeroed. */
void* kcalloc(size_t count, size_t size);
/* alignment: a power of two up to CELOS_HEAP_MAX_ALIGNMENT at least. */
void* kmemalign(size_t alignment, size_t size);
/* The usable size of a block (>= the size asked for). */
size_t ksize(const void* p);
/* Walks the whole heap and checks it; CELOS_OK when consistent (tests). */
celos_status kheap_check(void);
CELOS_END_DECLS

#endif
