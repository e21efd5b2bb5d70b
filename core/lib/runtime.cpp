// The freestanding C and C++ runtime of the core: the memory and string
// functions the compiler may call, and the C++ ABI hooks. Small on purpose.

#include "lib/assert.h"
#include "lib/types.h"

extern "C" {

void* memcpy(void* dst, const void* src, size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    auto* s = static_cast<const unsigned char*>(src);
    asm volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
    return dst;
}

void* memmove(void* dst, const void* src, size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    auto* s = static_cast<const unsigned char*>(src);
    if (d == s || n == 0) return dst;
    if (d < s || d >= s + n) return memcpy(dst, src, n);
    for (size_t i = n; i > 0; --i) d[i - 1] = s[i - 1];
    return dst;
}

void* memset(void* dst, int c, size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return dst;
}

int memcmp(const void* a, const void* b, size_t n) {
    auto* x = static_cast<const unsigned char*>(a);
    auto* y = static_cast<const unsigned char*>(b);
    for (size_t i = 0; i < n; ++i)
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}

size_t strlen(const char* s) {
    size_t n = 0;
    while (s[n]) ++n;
    return n;
}

// Seeded from RDRAND (or the TSC) by kernel_early_main before any protected
// function returns; see stack_protector_init().
uintptr_t __stack_chk_guard = 0x595e9fbd94fda766;

[[noreturn]] void __stack_chk_fail() { celos::panic("stack protector: a function's stack canary was overwritten"); }

[[noreturn]] void __cxa_pure_virtual() { celos::panic("pure virtual function called"); }

void* __dso_handle = nullptr;

} // extern "C"
