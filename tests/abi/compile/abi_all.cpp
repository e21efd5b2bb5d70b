// abi.h as a module written in C++20 sees it: every header through abi.h
// (twice, for the include guards), and the module macros expanded, under
// -std=c++20 -pedantic -Wall -Wextra -Werror -ffreestanding -nostdinc.
#include <celos/abi.h>

// Again: the include guards.
#include <celos/abi.h>

namespace {

int64_t level = 1;
bool verbose = false;
char label[16] = "x";

const celos_module_param params[] = {
    {"level", CELOS_PARAM_INT, 0, &level, "an integer"},
    {"verbose", CELOS_PARAM_BOOL, 0, &verbose, "a flag"},
    {"label", CELOS_PARAM_STRING, sizeof label, label, "a string"},
};

celos_status init() {
    const celos_framebuffer* fb = celos_framebuffer_get();
    char line[64];
    snprintf(line, sizeof line, "%d %s", CELOS_ABI_VERSION_MAJOR, celos_status_name(CELOS_ERR_NOT_FOUND));
    celos_log(CELOS_LOG_INFO, "%s %lld %d %s fb=%p", line, static_cast<long long>(level), verbose ? 1 : 0,
              label, static_cast<const void*>(fb));
    if (celos_service_lookup("none", 1) != nullptr) celos_panic("unexpected %s", "service");
    return CELOS_OK;
}

void exit_module() {}

} // namespace

extern "C" int compile_test_add(int a, int b) {
    return a + b;
}
CELOS_EXPORT(compile_test_add);

CELOS_MODULE_WITH_PARAMS("compile_test", "1.0", "a b,c", init, exit_module, params,
                         sizeof params / sizeof params[0]);
