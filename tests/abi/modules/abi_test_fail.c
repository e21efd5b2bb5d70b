/* A module whose init takes resources of every kind and then fails, so a
   boot test can check that the loader releases all of it. With crash=on it
   faults instead, so a boot test can check that the report names module
   symbols. */
#include <celos/abi.h>

static bool crash = false;
static const struct celos_module_param params[] = {
    {"crash", CELOS_PARAM_BOOL, 0, &crash, "fault in init (invalid opcode)"},
};

static int counter_ops = 1;

int abi_test_fail_export(void) { return 7; }
CELOS_EXPORT(abi_test_fail_export);

/* Not a leaf (it logs first), so it has a frame and the backtrace shows its caller. */
__attribute__((noinline)) static void abi_test_fail_crash(void) {
    celos_log(CELOS_LOG_INFO, "about to execute an invalid opcode");
    __asm__ volatile("ud2");
}

static celos_status abi_test_fail_init(void) {
    if (crash) abi_test_fail_crash();
    uint64_t phys = 0;
    void* range = 0;
    celos_status s = celos_pages_alloc(8, &phys);
    if (s != CELOS_OK) return s;
    s = celos_vrange_alloc(16, CELOS_PROT_READ | CELOS_PROT_WRITE, &range);
    if (s != CELOS_OK) return s;
    memset(range, 0xab, 16 * CELOS_PAGE_SIZE);
    s = celos_service_register("abi_test.fail", 1, &counter_ops);
    if (s != CELOS_OK) return s;
    celos_log(CELOS_LOG_INFO, "took 8 pages, a 16-page range and a service, now failing on purpose");
    return CELOS_ERR_NO_MEMORY;
}

CELOS_MODULE_WITH_PARAMS("abi_test_fail", "1.0", "", abi_test_fail_init, 0, params, 1);
