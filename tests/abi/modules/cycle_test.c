/* The module of the selftest's load/unload cycles (core/kernel/
   module_cycles.cpp): init takes pages, a virtual range, heap blocks, a
   service and has an export, so a leak in any of them shows. exit gives
   back half of it and leaves the rest for the loader to release, so both
   paths are in every cycle. */
#include <celos/abi.h>

static int service_ops = 1;
static uint64_t pages;
static void* range;
static char* block;
static char* kept;

int cycle_test_value(void) {
    return 1000;
}
CELOS_EXPORT(cycle_test_value);

static celos_status cycle_test_init(void) {
    celos_status s = celos_pages_alloc(3, &pages);
    if (s != CELOS_OK) return s;
    s = celos_vrange_alloc(5, CELOS_PROT_READ | CELOS_PROT_WRITE, &range);
    if (s != CELOS_OK) return s;
    memset(range, 0xc7, 5 * CELOS_PAGE_SIZE);
    block = kmalloc(3000);
    kept = kmalloc(200);
    if (!block || !kept) return CELOS_ERR_NO_MEMORY;
    memset(block, 1, 3000);
    memset(kept, 2, 200);
    return celos_service_register("cycle_test", 1, &service_ops);
}

/* The pages and one heap block; the range, the other block and the service
   are the loader's to release (a service or export left registered would
   make the next cycle's init or link fail). */
static void cycle_test_exit(void) {
    celos_pages_free(pages, 3);
    kfree(block);
}

CELOS_MODULE("cycle_test", "1.0", "heap", cycle_test_init, cycle_test_exit);
