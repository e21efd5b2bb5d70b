// <celos/libc.h>: the C library functions modules may use (memcpy, memmove,
// memset, memcmp and strlen are in lib/runtime.cpp, shared with the core),
// and the stack protector's symbols.

#include <celos/abi.h>

#include "lib/format.h"

using namespace celos;

extern "C" {

void* memchr(const void* s, int c, size_t n) {
    const auto* p = static_cast<const unsigned char*>(s);
    for (size_t i = 0; i < n; ++i)
        if (p[i] == static_cast<unsigned char>(c)) return const_cast<unsigned char*>(p + i);
    return nullptr;
}

size_t strnlen(const char* s, size_t max) {
    size_t n = 0;
    while (n < max && s[n])
        ++n;
    return n;
}

int strcmp(const char* a, const char* b) {
    while (*a && *a == *b)
        ++a, ++b;
    return static_cast<unsigned char>(*a) - static_cast<unsigned char>(*b);
}

int strncmp(const char* a, const char* b, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        if (a[i] != b[i] || !a[i]) return static_cast<unsigned char>(a[i]) - static_cast<unsigned char>(b[i]);
    }
    return 0;
}

char* strchr(const char* s, int c) {
    for (;; ++s) {
        if (*s == static_cast<char>(c)) return const_cast<char*>(s);
        if (!*s) return nullptr;
    }
}

char* strrchr(const char* s, int c) {
    const char* last = nullptr;
    for (;; ++s) {
        if (*s == static_cast<char>(c)) last = s;
        if (!*s) return const_cast<char*>(last);
    }
}

char* strstr(const char* haystack, const char* needle) {
    if (!*needle) return const_cast<char*>(haystack);
    for (; *haystack; ++haystack) {
        size_t i = 0;
        while (needle[i] && haystack[i] == needle[i])
            ++i;
        if (!needle[i]) return const_cast<char*>(haystack);
    }
    return nullptr;
}

char* strncpy(char* dst, const char* src, size_t n) {
    size_t i = 0;
    for (; i < n && src[i]; ++i)
        dst[i] = src[i];
    for (; i < n; ++i)
        dst[i] = '\0';
    return dst;
}

int vsnprintf(char* buf, size_t size, const char* fmt, va_list args) {
    return static_cast<int>(vformat(buf, size, fmt, args));
}

int snprintf(char* buf, size_t size, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(buf, size, fmt, args);
    va_end(args);
    return n;
}

// The stack protector's symbols, for modules built with -fstack-protector.
extern uintptr_t __stack_chk_guard;
[[noreturn]] void __stack_chk_fail();

} // extern "C"

CELOS_EXPORT(memcpy);
CELOS_EXPORT(memmove);
CELOS_EXPORT(memset);
CELOS_EXPORT(memcmp);
CELOS_EXPORT(memchr);
CELOS_EXPORT(strlen);
CELOS_EXPORT(strnlen);
CELOS_EXPORT(strcmp);
CELOS_EXPORT(strncmp);
CELOS_EXPORT(strchr);
CELOS_EXPORT(strrchr);
CELOS_EXPORT(strstr);
CELOS_EXPORT(strncpy);
CELOS_EXPORT(snprintf);
CELOS_EXPORT(vsnprintf);
CELOS_EXPORT(__stack_chk_guard);
CELOS_EXPORT(__stack_chk_fail);
