// Terminal output and UTF-8 for the shell: a buffered writer of terminal
// bytes (to celos_console_write in the module, to a string in the host
// tests) and the few UTF-8 operations the line editor needs. Pure logic,
// no heap: compiled into the shell module, the host tests and the fuzzer.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace celos::shell {

// Where terminal bytes go.
using WriteFn = void (*)(void* context, const char* data, size_t length);

class Output {
  public:
    Output(WriteFn write, void* context) : write_(write), context_(context) {}
    Output(const Output&) = delete;
    Output& operator=(const Output&) = delete;

    // Bytes as they are: the shell's own text and control sequences.
    void raw(const char* data, size_t length);
    void raw(const char* text); // NUL-terminated
    void put(char c);
    void decimal(uint64_t value);
    // "\r\n": the shell's terminals do not add CR to LF.
    void newline() { raw("\r\n", 2); }
    // Text from elsewhere (the core's reports, names, what the user typed):
    // LF becomes CR LF, and control characters (C0 but LF and TAB, DEL, C1,
    // invalid UTF-8) are shown in caret or \x notation instead of acting on
    // the terminal.
    void text(const char* data, size_t length);
    void text(const char* text); // NUL-terminated
    // Cursor movement within the line (CSI n C / CSI n D, BS for one left).
    void cursor_left(uint32_t columns);
    void cursor_right(uint32_t columns);
    void bell() { put('\a'); }
    void flush();

  private:
    WriteFn write_;
    void* context_;
    char buffer_[512];
    size_t used_ = 0;
};

// Decodes one UTF-8 sequence at data[pos] (strict: no overlongs,
// surrogates, values past U+10FFFF, or truncated sequences). Returns its
// length, or 0 when the bytes are not valid UTF-8.
size_t utf8_decode(const char* data, size_t length, size_t pos, uint32_t& codepoint);
// Encodes a code point (<= U+10FFFF, no surrogate); returns 1-4.
size_t utf8_encode(uint32_t codepoint, char out[4]);
// A code point the line may hold: printable, not a C0/C1 control, DEL, a
// surrogate or past U+10FFFF.
bool printable_codepoint(uint32_t codepoint);
// All of data is valid UTF-8 of printable code points.
bool printable_utf8(const char* data, size_t length);
// Code points in valid UTF-8 (each shown in one column).
uint32_t utf8_columns(const char* data, size_t length);

// Small string helpers (no libc in the pure code).
size_t text_length(const char* text);
bool text_equal(const char* a, const char* b);
bool text_starts_with(const char* text, size_t length, const char* prefix, size_t prefix_length);
void copy_bytes(char* dst, const char* src, size_t length);

} // namespace celos::shell
