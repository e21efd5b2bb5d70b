#include "text.h"

namespace celos::shell {

void Output::raw(const char* data, size_t length) {
    while (length > 0) {
        if (used_ == sizeof buffer_) flush();
        size_t n = sizeof buffer_ - used_;
        if (n > length) n = length;
        copy_bytes(buffer_ + used_, data, n);
        used_ += n;
        data += n;
        length -= n;
    }
}

void Output::raw(const char* text) {
    raw(text, text_length(text));
}

void Output::put(char c) {
    if (used_ == sizeof buffer_) flush();
    buffer_[used_++] = c;
}

void Output::decimal(uint64_t value) {
    char digits[20];
    size_t n = 0;
    do {
        digits[n++] = char('0' + value % 10);
        value /= 10;
    } while (value);
    while (n) put(digits[--n]);
}

void Output::text(const char* data, size_t length) {
    static const char hex[] = "0123456789abcdef";
    size_t pos = 0;
    while (pos < length) {
        uint8_t b = uint8_t(data[pos]);
        if (b == '\n') {
            newline();
            ++pos;
        } else if (b == '\t' || (b >= 0x20 && b < 0x7F)) {
            put(char(b));
            ++pos;
        } else if (b < 0x20 || b == 0x7F) {
            put('^');
            put(b == 0x7F ? '?' : char(b + 0x40));
            ++pos;
        } else {
            uint32_t cp = 0;
            size_t n = utf8_decode(data, length, pos, cp);
            if (n == 0) {
                raw("\\x", 2);
                put(hex[b >> 4]);
                put(hex[b & 15]);
                ++pos;
            } else if (cp >= 0x80 && cp < 0xA0) { // C1: its 7-bit form, as the log shows it
                put('^');
                put('[');
                put(char(cp - 0x40));
                pos += n;
            } else {
                raw(data + pos, n);
                pos += n;
            }
        }
    }
}

void Output::text(const char* text_) {
    text(text_, text_length(text_));
}

void Output::cursor_left(uint32_t columns) {
    if (columns == 0) return;
    if (columns == 1) {
        put('\b');
        return;
    }
    raw("\x1b[", 2);
    decimal(columns);
    put('D');
}

void Output::cursor_right(uint32_t columns) {
    if (columns == 0) return;
    raw("\x1b[", 2);
    decimal(columns);
    put('C');
}

void Output::flush() {
    if (used_) write_(context_, buffer_, used_);
    used_ = 0;
}

size_t utf8_decode(const char* data, size_t length, size_t pos, uint32_t& codepoint) {
    uint8_t b = uint8_t(data[pos]);
    size_t need;
    uint32_t cp;
    uint8_t lo = 0x80, hi = 0xBF; // the allowed range of the second byte
    if (b < 0x80) {
        codepoint = b;
        return 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
        need = 1, cp = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
        need = 2, cp = b & 0x0F;
        if (b == 0xE0) lo = 0xA0; // overlong
        if (b == 0xED) hi = 0x9F; // surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
        need = 3, cp = b & 0x07;
        if (b == 0xF0) lo = 0x90; // overlong
        if (b == 0xF4) hi = 0x8F; // past U+10FFFF
    } else {
        return 0;
    }
    if (length - pos < need + 1) return 0;
    for (size_t i = 1; i <= need; ++i) {
        uint8_t c = uint8_t(data[pos + i]);
        if (i == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF)) return 0;
        cp = cp << 6 | (c & 0x3F);
    }
    codepoint = cp;
    return need + 1;
}

size_t utf8_encode(uint32_t cp, char out[4]) {
    if (cp < 0x80) {
        out[0] = char(cp);
        return 1;
    }
    if (cp < 0x800) {
        out[0] = char(0xC0 | cp >> 6);
        out[1] = char(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = char(0xE0 | cp >> 12);
        out[1] = char(0x80 | (cp >> 6 & 0x3F));
        out[2] = char(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = char(0xF0 | cp >> 18);
    out[1] = char(0x80 | (cp >> 12 & 0x3F));
    out[2] = char(0x80 | (cp >> 6 & 0x3F));
    out[3] = char(0x80 | (cp & 0x3F));
    return 4;
}

bool printable_codepoint(uint32_t cp) {
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) return false;
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;
    return cp <= 0x10FFFF;
}

bool printable_utf8(const char* data, size_t length) {
    size_t pos = 0;
    while (pos < length) {
        uint32_t cp;
        size_t n = utf8_decode(data, length, pos, cp);
        if (n == 0 || !printable_codepoint(cp)) return false;
        pos += n;
    }
    return true;
}

uint32_t utf8_columns(const char* data, size_t length) {
    uint32_t n = 0;
    for (size_t i = 0; i < length; ++i)
        if ((uint8_t(data[i]) & 0xC0) != 0x80) ++n;
    return n;
}

size_t text_length(const char* text) {
    size_t n = 0;
    while (text[n]) ++n;
    return n;
}

bool text_equal(const char* a, const char* b) {
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
}

bool text_starts_with(const char* text, size_t length, const char* prefix, size_t prefix_length) {
    if (prefix_length > length) return false;
    for (size_t i = 0; i < prefix_length; ++i)
        if (text[i] != prefix[i]) return false;
    return true;
}

void copy_bytes(char* dst, const char* src, size_t length) {
    for (size_t i = 0; i < length; ++i) dst[i] = src[i];
}

} // namespace celos::shell
