#include "console.h"

namespace celos::fbcon {
namespace {

// "%5llu.%06llu" by hand: modules and the host tool share no printf.
size_t format_timestamp(uint64_t ns, char* out) {
    uint64_t us = ns / 1000;
    uint64_t seconds = us / 1000000, micros = us % 1000000;
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = static_cast<char>('0' + seconds % 10);
        seconds /= 10;
    } while (seconds && n < 20);
    size_t at = 0;
    out[at++] = '[';
    for (size_t pad = n; pad < 5; ++pad) out[at++] = ' ';
    while (n) out[at++] = digits[--n];
    out[at++] = '.';
    for (int i = 5; i >= 0; --i) {
        out[at + static_cast<size_t>(i)] = static_cast<char>('0' + micros % 10);
        micros /= 10;
    }
    at += 6;
    out[at++] = ']';
    out[at++] = ' ';
    return at;
}

} // namespace

TerminalConfig console_terminal_config(const ConsoleColors& colors) {
    TerminalConfig config = terminal_default_config();
    config.default_fg = colors.foreground;
    config.default_bg = colors.background;
    config.lf_implies_cr = true;
    return config;
}

void console_write_log_line(Terminal& term, int level, uint64_t timestamp_ns, const char* text, size_t length) {
    char stamp[40];
    size_t n = format_timestamp(timestamp_ns, stamp);
    term.write("\x1b[90m");
    term.write(reinterpret_cast<const uint8_t*>(stamp), n);
    switch (level) {
    case 0: term.write("\x1b[91merror: "); break;
    case 1: term.write("\x1b[93mwarn: "); break;
    case 3: term.write("\x1b[90mdebug: "); break;
    default: term.write("\x1b[39m"); break;
    }
    term.write(reinterpret_cast<const uint8_t*>(text), length);
    term.write("\x1b[0m\n");
}

} // namespace celos::fbcon
