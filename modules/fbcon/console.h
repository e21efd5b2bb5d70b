// The console: a terminal and its renderer, fed with log lines. Shared by
// the fbcon module and the host tool that renders the expected screen from
// a serial log (tests/boot/render_log.cpp), so both draw the same pixels.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "render.h"
#include "terminal.h"

namespace celos::fbcon {

struct ConsoleColors {
    uint32_t foreground = 0xc0c0c0;
    uint32_t background = 0x101418;
};

// Writes the log line exactly as serial shows it, "[    1.234567] warn: text"
// (tags "error: ", "warn: ", "debug: "; none for info),
// with the timestamp dimmed and the text coloured by level
// (0 error, 1 warn, 2 info, 3 debug), and ends the line.
void console_write_log_line(Terminal& term, int level, uint64_t timestamp_ns, const char* text, size_t length);

// The terminal configuration the console uses.
TerminalConfig console_terminal_config(const ConsoleColors& colors);

} // namespace celos::fbcon
