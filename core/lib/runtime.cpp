// The freestanding C and C++ runtime of the core: the memory and string
// functions the compiler may call, and the C++ ABI hooks. Small on purpose.

#include "lib/assert.h"
#include "lib/types.h"

extern "C" {

// The bulk in 8-byte steps (rep movsq / rep stosq), the rest by bytes: as
// fast as rep movsb on hardware with fast strings, and eight times fewer
// iterations under QEMU's software emulation, which runs a rep string
// instruction one iteration at a time (module loads, zeroed pages and the
// console's buffers are most of the boot's time there).
void* memcpy(void* dst, const void* src, size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    auto* s = static_cast<const unsigned char*>(src);
    size_t words = n / 8, rest = n % 8;
    asm volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(words) : : "memory");
    asm volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(rest) : : "memory");
    return dst;
}

void* memmove(void* dst, const void* src, size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    auto* s = static_cast<const unsigned char*>(src);
    if (d == s || n == 0) return dst;
    if (d < s || d >= s + n) return memcpy(dst, src, n);
    // Overlapping with dst above src: backwards, the top bytes first, then
    // 8-byte words (unaligned loads and stores are fine on x86).
    size_t i = n;
    for (; i % 8; --i)
        d[i - 1] = s[i - 1];
    for (; i; i -= 8) {
        unsigned long long w;
        __builtin_memcpy(&w, s + i - 8, 8);
        __builtin_memcpy(d + i - 8, &w, 8);
    }
    return dst;
}

void* memset(void* dst, int c, size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    unsigned long long pattern = 0x0101010101010101ull * static_cast<unsigned char>(c);
    size_t words = n / 8, rest = n % 8;
    asm volatile("rep stosq" : "+D"(d), "+c"(words) : "a"(pattern) : "memory");
    asm volatile("rep stosb" : "+D"(d), "+c"(rest) : "a"(pattern) : "memory");
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
