#include "lib/format.h"

namespace celos {
namespace {

class Writer {
public:
    Writer(char* buf, usize size) : buf_(buf), size_(size) {}
    void put(char c) {
        if (size_ != 0 && length_ + 1 < size_) buf_[length_] = c;
        ++length_;
    }
    void repeat(char c, int n) {
        for (int i = 0; i < n; ++i) put(c);
    }
    usize finish() {
        if (size_ != 0) buf_[length_ < size_ ? length_ : size_ - 1] = '\0';
        return length_;
    }

private:
    char* buf_;
    usize size_;
    usize length_ = 0;
};

struct Spec {
    bool left = false, zero = false, space = false, plus = false, alt = false;
    int width = 0;
    int precision = -1;
};

void emit_padded(Writer& w, const Spec& spec, const char* prefix, const char* body, int body_len,
                 bool numeric) {
    int prefix_len = 0;
    while (prefix[prefix_len]) ++prefix_len;
    int zeros = 0;
    if (numeric && spec.precision > body_len) zeros = spec.precision - body_len;
    int total = prefix_len + zeros + body_len;
    int pad = spec.width > total ? spec.width - total : 0;
    bool zero_pad = numeric && spec.zero && !spec.left && spec.precision < 0;
    if (!spec.left && !zero_pad) w.repeat(' ', pad);
    for (int i = 0; i < prefix_len; ++i) w.put(prefix[i]);
    if (zero_pad) w.repeat('0', pad);
    w.repeat('0', zeros);
    for (int i = 0; i < body_len; ++i) w.put(body[i]);
    if (spec.left) w.repeat(' ', pad);
}

// octal_alt: '#' with %o, which raises the precision just enough that the
// first digit is a 0 (C11 7.21.6.1p6), so "%#.0o" of 0 is "0", "%#.3o" of 8 "010".
void emit_unsigned(Writer& w, const Spec& spec, u64 v, unsigned base, bool upper, const char* sign,
                   bool octal_alt = false) {
    char digits[24];
    int n = 0;
    const char* set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    if (!(v == 0 && spec.precision == 0)) {
        do {
            digits[n++] = set[v % base];
            v /= base;
        } while (v != 0);
    }
    if (octal_alt && (n == 0 || digits[n - 1] != '0') && spec.precision <= n) digits[n++] = '0';
    char body[24];
    for (int i = 0; i < n; ++i) body[i] = digits[n - 1 - i];
    emit_padded(w, spec, sign, body, n, true);
}

} // namespace

usize vformat(char* buf, usize size, const char* fmt, va_list args) {
    Writer w(buf, size);
    for (const char* p = fmt; *p; ++p) {
        if (*p != '%') {
            w.put(*p);
            continue;
        }
        ++p;
        Spec spec;
        for (;; ++p) {
            if (*p == '-') spec.left = true;
            else if (*p == '0') spec.zero = true;
            else if (*p == ' ') spec.space = true;
            else if (*p == '+') spec.plus = true;
            else if (*p == '#') spec.alt = true;
            else break;
        }
        if (*p == '*') {
            spec.width = va_arg(args, int);
            if (spec.width < 0) {
                spec.left = true;
                spec.width = -spec.width;
            }
            ++p;
        } else {
            while (*p >= '0' && *p <= '9') spec.width = spec.width * 10 + (*p++ - '0');
        }
        if (*p == '.') {
            ++p;
            spec.precision = 0;
            if (*p == '*') {
                spec.precision = va_arg(args, int);
                if (spec.precision < 0) spec.precision = -1;
                ++p;
            } else {
                while (*p >= '0' && *p <= '9') spec.precision = spec.precision * 10 + (*p++ - '0');
            }
        }
        int length = 0; // 0 int, 1 long, 2 long long / size_t / ptrdiff / intmax, -1 short, -2 char
        for (;; ++p) {
            if (*p == 'l') length = length >= 1 ? 2 : 1;
            else if (*p == 'z' || *p == 't' || *p == 'j') length = 2;
            else if (*p == 'h') length = length <= -1 ? -2 : -1;
            else break;
        }
        switch (*p) {
        case 'd':
        case 'i': {
            i64 v = length >= 1 ? (length == 1 ? va_arg(args, long) : va_arg(args, long long))
                                : va_arg(args, int);
            if (length == -1) v = static_cast<short>(v);
            if (length == -2) v = static_cast<signed char>(v);
            const char* sign = v < 0 ? "-" : spec.plus ? "+" : spec.space ? " " : "";
            u64 magnitude = v < 0 ? 0 - static_cast<u64>(v) : static_cast<u64>(v);
            emit_unsigned(w, spec, magnitude, 10, false, sign);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            u64 v = length >= 1 ? (length == 1 ? va_arg(args, unsigned long)
                                               : va_arg(args, unsigned long long))
                                : va_arg(args, unsigned int);
            if (length == -1) v = static_cast<unsigned short>(v);
            if (length == -2) v = static_cast<unsigned char>(v);
            unsigned base = *p == 'u' ? 10 : *p == 'o' ? 8 : 16;
            const char* prefix = "";
            if (spec.alt && v != 0) prefix = *p == 'x' ? "0x" : *p == 'X' ? "0X" : "";
            emit_unsigned(w, spec, v, base, *p == 'X', prefix, spec.alt && *p == 'o');
            break;
        }
        case 'p': {
            u64 v = reinterpret_cast<u64>(va_arg(args, void*));
            Spec ptr = spec;
            if (ptr.precision < 0 && ptr.width == 0) ptr.precision = 16;
            emit_unsigned(w, ptr, v, 16, false, "0x");
            break;
        }
        case 's': {
            const char* s = va_arg(args, const char*);
            if (s == nullptr) s = "(null)";
            int n = 0;
            // With a precision, no byte past it is read: the array need not hold a NUL.
            while ((spec.precision < 0 || n < spec.precision) && s[n]) ++n;
            emit_padded(w, spec, "", s, n, false);
            break;
        }
        case 'c': {
            char c = static_cast<char>(va_arg(args, int));
            emit_padded(w, spec, "", &c, 1, false);
            break;
        }
        case '%':
            w.put('%');
            break;
        case '\0':
            --p; // a lone '%' at the end: stop without reading past the string
            break;
        default:
            w.put('%');
            w.put(*p);
            break;
        }
    }
    return w.finish();
}

usize format(char* buf, usize size, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    usize n = vformat(buf, size, fmt, args);
    va_end(args);
    return n;
}

} // namespace celos
