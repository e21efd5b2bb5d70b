// Two tiers of assertions that report file and line, and UNREACHABLE().
// panic() is provided by the kernel (core/lib/panic.cpp) and by the host test
// environment (tests/unit/support), so the same code runs in both.
#pragma once

namespace celos {
[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
[[noreturn]] void assertion_failed(const char* expr, const char* file, int line);
} // namespace celos

#define ASSERT(expr)                                                            \
    do {                                                                        \
        if (__builtin_expect(!(expr), 0))                                       \
            ::celos::assertion_failed(#expr, __FILE__, __LINE__);               \
    } while (0)

#ifdef NDEBUG
#define DEBUG_ASSERT(expr) do { (void)sizeof(expr); } while (0)
#else
#define DEBUG_ASSERT(expr) ASSERT(expr)
#endif

#define UNREACHABLE() ::celos::assertion_failed("unreachable", __FILE__, __LINE__)
