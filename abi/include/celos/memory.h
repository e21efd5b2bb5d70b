/* Physical pages and virtual ranges. Everything a module gets is released
   by the loader if the module fails to start. */
#ifndef CELOS_MEMORY_H
#define CELOS_MEMORY_H

#include <celos/cdefs.h>
#include <celos/status.h>

#define CELOS_PAGE_SIZE 4096u

#define CELOS_PROT_READ 1u
#define CELOS_PROT_WRITE 2u
#define CELOS_PROT_EXEC 4u   /* never together with CELOS_PROT_WRITE */

CELOS_BEGIN_DECLS
/* `count` contiguous physical pages, not zeroed; *phys gets the base. */
celos_status celos_pages_alloc(size_t count, uint64_t* phys);
void celos_pages_free(uint64_t phys, size_t count);
/* The direct-map address of a physical address. */
void* celos_phys_to_virt(uint64_t phys);

/* A virtual range of `pages` pages backed by fresh zeroed pages, mapped with
   `prot`; *out gets its base. Freed with celos_vrange_free. */
celos_status celos_vrange_alloc(size_t pages, uint32_t prot, void** out);
celos_status celos_vrange_protect(void* base, size_t pages, uint32_t prot);
void celos_vrange_free(void* base);
CELOS_END_DECLS

#endif
