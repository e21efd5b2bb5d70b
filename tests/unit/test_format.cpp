// celos::format against the host's snprintf (C11 7.21.6.1), which is the
// oracle wherever the standard defines the output. Our own choices (%p, a
// NULL %s, unknown conversions, a trailing '%') are checked on their own.
#include <catch2/catch.hpp>

#include <climits>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "lib/format.h"

using namespace celos;

namespace {

// Formats with both and compares text and return value. A macro so that the
// compiler checks each format string against its arguments.
#define CHECK_LIKE_LIBC(...)                                                                                 \
    do {                                                                                                     \
        char ours_[512];                                                                                     \
        char theirs_[512];                                                                                   \
        const int expected_ = std::snprintf(theirs_, sizeof theirs_, __VA_ARGS__);                           \
        const usize got_ = celos::format(ours_, sizeof ours_, __VA_ARGS__);                                  \
        INFO("format(" #__VA_ARGS__ ")");                                                                    \
        REQUIRE(expected_ >= 0);                                                                             \
        CHECK(std::string(ours_) == std::string(theirs_));                                                   \
        CHECK(got_ == static_cast<usize>(expected_));                                                        \
    } while (0)

std::string ours(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string ours(const char* fmt, ...) {
    char buf[512];
    va_list args;
    va_start(args, fmt);
    const usize n = vformat(buf, sizeof buf, fmt, args);
    va_end(args);
    REQUIRE(n < sizeof buf);
    REQUIRE(std::strlen(buf) == n);
    return buf;
}

// Every combination of these flags, widths and precisions, for one conversion.
std::vector<std::string> integer_specs(const char* length, char conversion) {
    // '#' is undefined for d, i and u (7.21.6.1p6), so it is left out there.
    const bool alt_ok = conversion == 'x' || conversion == 'X' || conversion == 'o';
    const char* flag_chars = "-0 +#";
    const char* widths[] = {"", "1", "8", "25"};
    const char* precisions[] = {"", ".", ".0", ".1", ".5", ".30"};
    std::vector<std::string> specs;
    for (unsigned mask = 0; mask < 32; ++mask) {
        std::string flags;
        for (unsigned bit = 0; bit < 5; ++bit)
            if (mask & (1u << bit)) flags += flag_chars[bit];
        if (!alt_ok && flags.find('#') != std::string::npos) continue;
        for (const char* w : widths)
            for (const char* p : precisions)
                specs.push_back("%" + flags + w + p + length + conversion);
    }
    return specs;
}

// The same, for formats the compiler would (rightly) warn about.
std::string ours_unchecked(const char* fmt, ...) {
    char buf[512];
    va_list args;
    va_start(args, fmt);
    const usize n = vformat(buf, sizeof buf, fmt, args);
    va_end(args);
    REQUIRE(n < sizeof buf);
    return buf;
}

template <typename T>
void check_integer_table(const char* length, const char* conversions, const std::vector<T>& values) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    for (const char* c = conversions; *c; ++c) {
        for (const std::string& spec : integer_specs(length, *c)) {
            // Text around the conversion makes sure nothing leaks or goes missing.
            const std::string fmt = "<" + spec + ">";
            for (T v : values) {
                char theirs[512];
                char mine[512];
                const int expected = std::snprintf(theirs, sizeof theirs, fmt.c_str(), v);
                const usize got = celos::format(mine, sizeof mine, fmt.c_str(), v);
                INFO("format " << fmt << " with " << +v);
                REQUIRE(expected >= 0);
                REQUIRE(std::string(mine) == std::string(theirs));
                REQUIRE(got == static_cast<usize>(expected));
            }
        }
    }
#pragma GCC diagnostic pop
}

} // namespace

TEST_CASE("format: plain text and %%") {
    CHECK_LIKE_LIBC("hello, world");
    CHECK_LIKE_LIBC("%s", "");
    CHECK_LIKE_LIBC("100%%");
    CHECK_LIKE_LIBC("%%%d%%", 5);
    CHECK(ours_unchecked("") == "");
}

TEST_CASE("format: int conversions over every flag, width and precision") {
    const std::vector<int> ints = {0, 1, -1, 7, 8, 9, 10, 42, -42, 255, 4096, 123456789, INT_MAX, INT_MIN};
    check_integer_table<int>("", "di", ints);
    const std::vector<unsigned> uints = {0u, 1u, 7u, 8u, 9u, 10u, 255u, 0xdeadbeefu, UINT_MAX};
    check_integer_table<unsigned>("", "uxXo", uints);
}

TEST_CASE("format: length modifiers") {
    SECTION("hh") {
        // The int argument is converted to (un)signed char before printing.
        const std::vector<int> v = {0, 1, -1, 127, -128, 255, 300, -300};
        check_integer_table<int>("hh", "diuxXo", v);
    }
    SECTION("h") {
        const std::vector<int> v = {0, 1, -1, 32767, -32768, 65535, 70000, -70000};
        check_integer_table<int>("h", "diuxXo", v);
    }
    SECTION("l") {
        const std::vector<long> s = {0L, 1L, -1L, LONG_MAX, LONG_MIN, 1L << 40};
        check_integer_table<long>("l", "di", s);
        const std::vector<unsigned long> u = {0UL, 1UL, ULONG_MAX, 1UL << 63, 0x123456789abcdefUL};
        check_integer_table<unsigned long>("l", "uxXo", u);
    }
    SECTION("ll") {
        const std::vector<long long> s = {0LL, -1LL, LLONG_MAX, LLONG_MIN, -1234567890123LL};
        check_integer_table<long long>("ll", "di", s);
        const std::vector<unsigned long long> u = {0ULL, 1ULL, ULLONG_MAX, 0xfedcba9876543210ULL};
        check_integer_table<unsigned long long>("ll", "uxXo", u);
    }
    SECTION("z, t, j") {
        const std::vector<size_t> z = {0, 1, SIZE_MAX, 4096};
        check_integer_table<size_t>("z", "uxXo", z);
        const std::vector<ptrdiff_t> t = {0, -1, PTRDIFF_MAX, PTRDIFF_MIN};
        check_integer_table<ptrdiff_t>("t", "di", t);
        const std::vector<intmax_t> js = {0, -1, INTMAX_MAX, INTMAX_MIN};
        check_integer_table<intmax_t>("j", "di", js);
        const std::vector<uintmax_t> ju = {0, UINTMAX_MAX};
        check_integer_table<uintmax_t>("j", "uxXo", ju);
    }
}

TEST_CASE("format: extremes and zero with precision 0") {
    CHECK_LIKE_LIBC("%lld", static_cast<long long>(INT64_MIN));
    CHECK_LIKE_LIBC("%lli", static_cast<long long>(INT64_MIN));
    CHECK_LIKE_LIBC("%ld", static_cast<long>(INT64_MIN));
    CHECK_LIKE_LIBC("%jd", static_cast<intmax_t>(INT64_MIN));
    CHECK_LIKE_LIBC("%llu", static_cast<unsigned long long>(UINT64_MAX));
    CHECK_LIKE_LIBC("%llo", static_cast<unsigned long long>(UINT64_MAX));
    CHECK_LIKE_LIBC("%#llo", static_cast<unsigned long long>(UINT64_MAX));
    CHECK_LIKE_LIBC("%#llX", static_cast<unsigned long long>(UINT64_MAX));
    CHECK_LIKE_LIBC("%d", INT_MIN);
    // 7.21.6.1p8: converting 0 with precision 0 gives no characters...
    CHECK_LIKE_LIBC("[%.0d]", 0);
    CHECK_LIKE_LIBC("[%.0u]", 0u);
    CHECK_LIKE_LIBC("[%.0x]", 0u);
    CHECK_LIKE_LIBC("[%5.0d]", 0);
    CHECK_LIKE_LIBC("[%-5.0d]", 0);
    CHECK_LIKE_LIBC("[%+.0d]", 0);
    CHECK_LIKE_LIBC("[% .0d]", 0);
    CHECK_LIKE_LIBC("[%.d]", 0);
    // ...except that '#' with o still forces a leading zero (p6).
    CHECK_LIKE_LIBC("[%#.0o]", 0u);
    CHECK_LIKE_LIBC("[%#.0x]", 0u);
    CHECK_LIKE_LIBC("[%#o]", 0u);
    CHECK_LIKE_LIBC("[%#.3o]", 8u);
    CHECK_LIKE_LIBC("[%#.2o]", 8u);
    CHECK_LIKE_LIBC("[%#5o]", 8u);
    CHECK_LIKE_LIBC("[%#05o]", 8u);
}

TEST_CASE("format: '*' width and precision") {
    CHECK_LIKE_LIBC("[%*d]", 6, 42);
    CHECK_LIKE_LIBC("[%*d]", -6, 42); // a negative width means '-' and its magnitude
    CHECK_LIKE_LIBC("[%-*d]", 6, 42);
    CHECK_LIKE_LIBC("[%.*d]", 4, 42);
    CHECK_LIKE_LIBC("[%.*d]", -4, 42); // a negative precision counts as absent
    CHECK_LIKE_LIBC("[%0*d]", 6, -42);
    {
        // A negative precision counts as absent, so '0' applies again.
        const char* fmt = "[%0.*d]";
        char theirs[32];
        std::snprintf(theirs, sizeof theirs, fmt, -1, 42);
        CHECK(ours_unchecked(fmt, -1, 42) == theirs);
    }
    CHECK_LIKE_LIBC("[%*.*d]", 8, 5, -42);
    CHECK_LIKE_LIBC("[%*.*s]", 8, 3, "abcdef");
    CHECK_LIKE_LIBC("[%-*.*s]", 8, 3, "abcdef");
    CHECK_LIKE_LIBC("[%.*s]", 0, "abc");
    CHECK_LIKE_LIBC("[%.*s]", -1, "abc");
    CHECK_LIKE_LIBC("[%*c]", 3, 'z');
    CHECK_LIKE_LIBC("[%*s|%*d|%.*x]", 4, "a", 3, 7, 3, 0xau); // arguments stay in order
}

TEST_CASE("format: %s and %c") {
    CHECK_LIKE_LIBC("%s", "text");
    CHECK_LIKE_LIBC("[%10s]", "text");
    CHECK_LIKE_LIBC("[%-10s]", "text");
    CHECK_LIKE_LIBC("[%2s]", "text");
    CHECK_LIKE_LIBC("[%.2s]", "text");
    CHECK_LIKE_LIBC("[%.0s]", "text");
    CHECK_LIKE_LIBC("[%.10s]", "text");
    CHECK_LIKE_LIBC("[%8.2s]", "text");
    CHECK_LIKE_LIBC("[%-8.2s]", "text");
    CHECK_LIKE_LIBC("[%c]", 'a');
    CHECK_LIKE_LIBC("[%5c]", 'a');
    CHECK_LIKE_LIBC("[%-5c]", 'a');
    CHECK_LIKE_LIBC("[%c%c%c]", 'x', 'y', 'z');
    CHECK_LIKE_LIBC("[%c]", 0x141); // converted to unsigned char
    CHECK_LIKE_LIBC("%s=%d (%c) %x%%", "key", -3, 'q', 0xbeefu);

    // A precision bounds the read: the string need not be NUL-terminated.
    const char unterminated[3] = {'a', 'b', 'c'};
    CHECK(ours("[%.3s]", unterminated) == "[abc]");
    CHECK(ours("[%.2s]", unterminated) == "[ab]");
}

TEST_CASE("format: NULL %s prints (null)") {
    // Through a volatile, so that the optimizer's format checks do not see the null.
    const char* volatile null_source = nullptr;
    const char* null = null_source;
    CHECK(ours("%s", null) == "(null)");
    CHECK(ours("[%8s]", null) == "[  (null)]");
    CHECK(ours("[%-8s]", null) == "[(null)  ]");
    CHECK(ours("[%.3s]", null) == "[(nu]");
}

TEST_CASE("format: %p") {
    // Ours: without a width, 16 hex digits so that addresses line up.
    void* p = reinterpret_cast<void*>(0x1234);
    CHECK(ours("%p", p) == "0x0000000000001234");
    CHECK(ours("%p", static_cast<void*>(nullptr)) == "0x0000000000000000");
    CHECK(ours("%p", reinterpret_cast<void*>(0xffffffff80001000)) == "0xffffffff80001000");
    // With a width, like glibc for a non-null pointer.
    CHECK_LIKE_LIBC("[%20p]", p);
    CHECK_LIKE_LIBC("[%-20p]", p);
    CHECK_LIKE_LIBC("[%3p]", p);
}

TEST_CASE("format: unknown conversions and a trailing '%'") {
    CHECK(ours_unchecked("abc%") == "abc");
    CHECK(ours_unchecked("%") == "");
    CHECK(ours_unchecked("abc%-08") == "abc"); // flags and width, then the end
    CHECK(ours_unchecked("abc%.") == "abc");
    CHECK(ours_unchecked("abc%ll") == "abc");
    CHECK(ours_unchecked("abc%*", 5) == "abc"); // the width is read, nothing printed
    // An unknown conversion is printed as-is and consumes no argument.
    CHECK(ours_unchecked("%y %d", 5) == "%y 5");
    CHECK(ours_unchecked("%q") == "%q");

    char buf[8];
    std::memset(buf, 'X', sizeof buf);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
    CHECK(celos::format(buf, sizeof buf, "ab%") == 2);
#pragma GCC diagnostic pop
    CHECK(std::string(buf) == "ab");
    CHECK(buf[3] == 'X'); // nothing written past the NUL
}

TEST_CASE("format: truncation keeps the NUL and returns the full length") {
    const char* fmt = "value=%d name=%s hex=%#x";
    char full[128];
    const int expected_len = std::snprintf(full, sizeof full, fmt, -12345, "celos", 0xabcdu);
    REQUIRE(expected_len > 0);
    const usize len = static_cast<usize>(expected_len);

    SECTION("size 0 writes nothing, even through a null buffer") {
        CHECK(celos::format(nullptr, 0, fmt, -12345, "celos", 0xabcdu) == len);
        char buf[4] = {'X', 'X', 'X', 'X'};
        CHECK(celos::format(buf, 0, fmt, -12345, "celos", 0xabcdu) == len);
        CHECK(std::string(buf, 4) == "XXXX");
    }
    SECTION("every buffer size from 1 to past the full length") {
        for (usize size = 1; size <= len + 3; ++size) {
            std::vector<char> buf(size + 8, 'X');
            const usize n = celos::format(buf.data(), size, fmt, -12345, "celos", 0xabcdu);
            INFO("size " << size);
            CHECK(n == len);
            const usize kept = size - 1 < len ? size - 1 : len;
            CHECK(std::string(buf.data()) == std::string(full, kept)); // NUL at buf[kept]
            for (usize i = size; i < buf.size(); ++i)
                REQUIRE(buf[i] == 'X');
            // Same as the host's vsnprintf for the same size.
            std::vector<char> theirs(size + 8, 'X');
            CHECK(std::snprintf(theirs.data(), size, fmt, -12345, "celos", 0xabcdu) == expected_len);
            CHECK(std::memcmp(theirs.data(), buf.data(), buf.size()) == 0);
        }
    }
    SECTION("size 1 gives an empty string") {
        char buf[2] = {'X', 'X'};
        CHECK(celos::format(buf, 1, "%s", "long text") == 9);
        CHECK(buf[0] == '\0');
        CHECK(buf[1] == 'X');
    }
    SECTION("padding and long output are counted, not written") {
        char buf[4];
        CHECK(celos::format(buf, sizeof buf, "%300d", 1) == 300);
        CHECK(std::string(buf) == "   ");
        CHECK(celos::format(buf, sizeof buf, "%-300s|", "ab") == 301);
        CHECK(std::string(buf) == "ab ");
    }
}
