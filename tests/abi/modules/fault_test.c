/* A module that takes resources of every kind in init (pages, a virtual
   range, heap blocks, a service, an export) and then faults on purpose, so
   the boot tests can check that the fault is reported by name, the module
   is unloaded with all of it released, and the boot goes on.
   fault=pf|gp|ud|de|assert|panic: in init.
   fault=own-stack: a page fault in init on a stack of the module's own (as
   the TrueType module runs FreeType), so recovery has to switch back.
   fault=sink: registers a log sink that faults on the first line after init
   returned, a fault outside init, which must stay a panic.
   fault=sink-init: the same sink faults on a line logged during init.
   fault=sink-fail: registers a sink that reads one of the module's heap
   blocks on every line, then init fails: the loader must remove the sink
   before it frees the blocks (a line logged in between would read freed,
   poisoned memory, and the sink then faults).
   fault=task: registers a main-loop task that, on its first run (after
   the ready line), logs 60 numbered lines and then panics: a panic after
   the boot, for the panic screen's scrollback (panic=wait).
   screen=on: takes the framebuffer too and paints it magenta before the
   fault: the core must take the screen back when the module is unloaded. */
#include <celos/abi.h>

static char fault[16] = "none";
static bool screen = false;
static const struct celos_module_param params[] = {
    {"fault", CELOS_PARAM_STRING, sizeof fault, fault,
     "pf, gp, ud, de, assert, panic, own-stack, sink, sink-init, sink-fail, task or none"},
    {"screen", CELOS_PARAM_BOOL, 0, &screen, "take the framebuffer and paint it before faulting"},
};

static int service_ops = 1;
static volatile int init_done = 0;
static volatile int sink_armed = 0;
static volatile unsigned char* sink_block = 0; /* fault=sink-fail */

int fault_test_export(void) {
    return 11;
}
CELOS_EXPORT(fault_test_export);

static int is(const char* name) {
    return strcmp(fault, name) == 0;
}

/* Each fault in its own named function, so the report can be checked for it. */
__attribute__((noipa)) static void fault_test_pf(void) {
    *(volatile uint64_t*)0xdead0000ull = 1; /* the lower half is unmapped */
}

__attribute__((noipa)) static void fault_test_gp(void) {
    (void)*(volatile uint64_t*)0x8000000000000000ull; /* non-canonical: #GP(0) */
}

__attribute__((noipa)) static void fault_test_ud(void) {
    __asm__ volatile("ud2");
}

__attribute__((noipa)) static void fault_test_de(void) {
    __asm__ volatile("xor %%edx, %%edx\n\tmov $1, %%eax\n\txor %%ecx, %%ecx\n\tdiv %%ecx" ::
                         : "rax", "rcx", "rdx");
}

__attribute__((noipa)) static void fault_test_assert(int pages) {
    CELOS_ASSERT(pages == 5);
}

/* Called on the module's own stack (from the asm below, hence not static). */
__attribute__((noipa)) void fault_test_stack_pf(void) {
    *(volatile uint64_t*)0xdead1000ull = 2;
}

__attribute__((noipa)) static void fault_test_own_stack(void* top) {
    __asm__ volatile("mov %0, %%rsp\n\tcall fault_test_stack_pf\n\tud2" ::"r"(top) : "memory");
}

static void fault_test_emit(void* context, int level, uint64_t timestamp_ns, const char* line,
                            size_t length) {
    (void)context, (void)level, (void)timestamp_ns, (void)line, (void)length;
    if (sink_armed) __asm__ volatile("ud2");
    if (sink_block && sink_block[0] != 0x5a) __asm__ volatile("ud2"); /* freed under the sink */
}

static const struct celos_log_sink sink = {fault_test_emit, 0, 0};

static void fault_test_task(void* context) {
    (void)context;
    for (int i = 1; i <= 60; ++i)
        celos_log(CELOS_LOG_INFO, "scrollback line %d of 60", i);
    celos_panic("fault_test: a panic after the boot, on purpose");
}

static celos_status fault_test_init(void) {
    uint64_t phys = 0;
    void* range = 0;
    celos_status s = celos_pages_alloc(4, &phys);
    if (s != CELOS_OK) return s;
    s = celos_vrange_alloc(8, CELOS_PROT_READ | CELOS_PROT_WRITE, &range);
    if (s != CELOS_OK) return s;
    memset(range, 0x5a, 8 * CELOS_PAGE_SIZE);
    char* small = kmalloc(100);
    char* large = kmalloc(20000);
    if (!small || !large) return CELOS_ERR_NO_MEMORY;
    memset(large, 1, 20000);
    s = celos_service_register("fault_test", 1, &service_ops);
    if (s != CELOS_OK) return s;
    celos_log(CELOS_LOG_INFO,
              "took 4 pages, an 8-page range, 2 heap blocks (%zu bytes), a service and an export, fault=%s",
              ksize(small) + ksize(large), fault);
    if (screen) {
        const struct celos_framebuffer* fb = celos_framebuffer_get();
        if (fb && fb->bpp == 32) {
            for (uint32_t y = 0; y < fb->height; ++y)
                for (uint32_t x = 0; x < fb->width; ++x)
                    ((volatile uint32_t*)((char*)fb->pixels + (size_t)y * fb->pitch))[x] = 0xff00ff;
            celos_log(CELOS_LOG_INFO, "took the framebuffer and painted it");
        }
    }
    if (is("sink-fail")) {
        unsigned char* block = kmalloc(64);
        if (!block) return CELOS_ERR_NO_MEMORY;
        memset(block, 0x5a, 64);
        sink_block = block;
        s = celos_log_sink_register(&sink);
        if (s != CELOS_OK) return s;
        celos_log(CELOS_LOG_INFO, "a sink that reads its heap block on every line, then init fails");
        return CELOS_ERR_INVALID;
    }
    if (is("sink") || is("sink-init")) {
        s = celos_log_sink_register(&sink);
        if (s != CELOS_OK) return s;
        if (is("sink-init")) {
            sink_armed = 1;
            celos_log(CELOS_LOG_INFO, "this line makes the sink fault, in init");
        }
    }
    if (is("task")) {
        s = celos_task_register(fault_test_task, 0);
        if (s != CELOS_OK) return s;
        celos_log(CELOS_LOG_INFO, "a task that panics after the boot");
        return CELOS_OK;
    }
    if (is("pf")) fault_test_pf();
    if (is("gp")) fault_test_gp();
    if (is("ud")) fault_test_ud();
    if (is("de")) fault_test_de();
    if (is("own-stack")) fault_test_own_stack((char*)range + 8 * CELOS_PAGE_SIZE);
    if (is("assert")) fault_test_assert(4);
    if (is("panic")) celos_panic("fault_test: giving up on purpose with %d pages", 4);
    if (is("sink")) {
        celos_log(CELOS_LOG_INFO, "init returns, the sink faults on the next line");
        sink_armed = 1;
        init_done = 1;
        return CELOS_OK;
    }
    celos_log(CELOS_LOG_ERROR, "fault '%s' did not fault", fault);
    return CELOS_ERR_INVALID;
}

CELOS_MODULE_WITH_PARAMS("fault_test", "1.0", "heap", fault_test_init, 0, params, 2);
