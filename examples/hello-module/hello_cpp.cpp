// hello_cpp: a CelOS module in C++ that uses the kernel heap (new (nothrow),
// delete and kmalloc from the heap module) and calls hello's export, so it
// depends on both: the loader starts heap and hello first, and refuses
// hello_cpp (naming what is missing) without them.
#include <celos/abi.h>
#include <celos/cxx.h>

extern "C" const char* hello_greeting(void); // exported by hello.c

namespace {

int64_t count = 10;
const celos_module_param params[] = {
    {"count", CELOS_PARAM_INT, 0, &count, "how many numbers to add up on the heap"},
};

celos_status init() {
    if (count < 1 || count > 100000) return CELOS_ERR_INVALID;
    int64_t* numbers = new (std::nothrow) int64_t[count];
    if (!numbers) return CELOS_ERR_NO_MEMORY;
    for (int64_t i = 0; i < count; ++i) numbers[i] = i + 1;
    int64_t sum = 0;
    for (int64_t i = 0; i < count; ++i) sum += numbers[i];
    delete[] numbers;

    char* text = static_cast<char*>(kmalloc(64));
    if (!text) return CELOS_ERR_NO_MEMORY;
    snprintf(text, 64, "%s from C++", hello_greeting());
    celos_log(CELOS_LOG_INFO, "%s: 1 + ... + %lld = %lld on the heap", text, (long long)count,
              (long long)sum);
    kfree(text);
    return CELOS_OK;
}

void exit() { celos_log(CELOS_LOG_INFO, "goodbye"); }

} // namespace

CELOS_MODULE_WITH_PARAMS("hello_cpp", "1.0", "heap hello", init, exit, params, 1);
