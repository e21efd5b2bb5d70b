/* abi.h as a module written in C11 sees it: every header through abi.h
   (twice, for the include guards), and the module macros expanded, under
   -std=c11 -pedantic -Wall -Wextra -Werror -ffreestanding -nostdinc. */
#include <celos/abi.h>

/* Again: the include guards. */
#include <celos/abi.h>

static int64_t level = 1;
static bool verbose = false;
static char label[16] = "x";

static const struct celos_module_param params[] = {
    {"level", CELOS_PARAM_INT, 0, &level, "an integer"},
    {"verbose", CELOS_PARAM_BOOL, 0, &verbose, "a flag"},
    {"label", CELOS_PARAM_STRING, sizeof label, label, "a string"},
};

int compile_test_add(int a, int b);
int compile_test_add(int a, int b) {
    return a + b;
}
CELOS_EXPORT(compile_test_add);

static celos_status compile_test_init(void) {
    const struct celos_framebuffer* fb = celos_framebuffer_get();
    char line[64];
    snprintf(line, sizeof line, "%d %s", CELOS_ABI_VERSION_MAJOR, celos_status_name(CELOS_ERR_NOT_FOUND));
    celos_log(CELOS_LOG_INFO, "%s %lld %d %s fb=%p", line, (long long)level, (int)verbose, label,
              (const void*)fb);
    if (celos_service_lookup("none", 1) != NULL) celos_panic("unexpected %s", "service");
    return CELOS_OK;
}

static void compile_test_exit(void) {}

CELOS_MODULE_WITH_PARAMS("compile_test", "1.0", "a b,c", compile_test_init, compile_test_exit, params,
                         sizeof params / sizeof params[0]);
