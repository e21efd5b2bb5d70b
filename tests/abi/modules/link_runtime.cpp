// Link-check fixture: a call into the C++ runtime (what a dynamic_cast that
// fails on a reference would call), which modules do not have.
#include <celos/abi.h>

extern "C" [[noreturn]] void __cxa_bad_cast();

namespace {
volatile int fail = 0;

celos_status init() {
    if (fail) __cxa_bad_cast();
    return CELOS_OK;
}
} // namespace

CELOS_MODULE("link_runtime", "1.0", "heap", init, nullptr);
