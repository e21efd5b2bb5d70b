// A non-owning view of characters, not necessarily NUL-terminated.
#pragma once

#include "lib/types.h"

namespace celos {

struct StringView {
    const char* data = nullptr;
    usize length = 0;

    constexpr StringView() = default;
    constexpr StringView(const char* d, usize n) : data(d), length(n) {}
    constexpr StringView(const char* s) : data(s), length(0) {
        while (s && s[length]) ++length;
    }
    constexpr bool empty() const { return length == 0; }
    constexpr bool operator==(StringView o) const {
        if (length != o.length) return false;
        for (usize i = 0; i < length; ++i)
            if (data[i] != o.data[i]) return false;
        return true;
    }
    // Copies into buf as a NUL-terminated string, truncating to fit.
    void copy_to(char* buf, usize size) const {
        if (size == 0) return;
        usize n = length < size - 1 ? length : size - 1;
        for (usize i = 0; i < n; ++i) buf[i] = data[i];
        buf[n] = '\0';
    }
};

// Two NUL-terminated strings are equal.
constexpr bool cstr_equal(const char* a, const char* b) {
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
}

} // namespace celos
