// The kernel log: printf-style lines with a level and a timestamp, kept in a
// ring buffer (replayed later by a console) and sent to every registered sink.
#pragma once

#include "lib/types.h"

namespace celos {

enum class LogLevel : u8 { error = 0, warn = 1, info = 2, debug = 3 };

const char* log_level_name(LogLevel level);

// A destination for finished log lines. `emit` gets one whole line without
// its newline; it may be called with interrupts disabled and from fault
// handlers, so it must not allocate or block. A sink may hold lines back
// (a console presents at most once per display refresh); `flush` shows
// them: it is called when the log goes idle (from the timer interrupt),
// at `celos: ready`, and before the kernel halts or exits.
class LogSink {
public:
    virtual void emit(LogLevel level, u64 timestamp_ns, const char* line, usize length) = 0;
    virtual void flush() {}

protected:
    ~LogSink() = default;
};

void log_add_sink(LogSink& sink);
// The most detailed level the consoles (module sinks) get, live and in the
// replay (quiet, loglevel=N); the serial port keeps every line.
void log_set_console_level(LogLevel level);
LogLevel log_console_level();
void log_remove_sink(LogSink& sink);
void log_set_clock(u64 (*now_ns)());
void log(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void log_flush();
// From the timer interrupt, every tick: true when lines came since the last
// flush and none since the last tick (the log went idle); the caller then
// calls log_flush(), so a console is never more than a tick behind.
bool log_tick();
// Output that went to the sinks' terminals outside the log (a program's,
// celos_console_write): the consoles hold it back like lines, so the idle
// flush covers it too.
void log_note_output();

// Copies `length` bytes of `text` into `out` (capacity `out_size`, NUL-terminated)
// with every control character made visible, so that text from outside the
// core (grub.cfg, the command line, module strings) cannot drive a terminal:
// C0 controls and DEL in caret notation (ESC is "^[", DEL "^?"), C1 controls
// (U+0080-U+009F in UTF-8) as their 7-bit equivalent ("^[[" for CSI). Other
// bytes pass unchanged. Returns the bytes written (cut where `out` is full).
usize log_make_visible(const char* text, usize length, char* out, usize out_size);

// Calls fn for every line still held in the ring, oldest first.
void log_replay(void (*fn)(void* ctx, LogLevel, u64 timestamp_ns, const char* line, usize length),
                void* ctx);

} // namespace celos

#define log_error(...) ::celos::log(::celos::LogLevel::error, __VA_ARGS__)
#define log_warn(...) ::celos::log(::celos::LogLevel::warn, __VA_ARGS__)
#define log_info(...) ::celos::log(::celos::LogLevel::info, __VA_ARGS__)
#define log_debug(...) ::celos::log(::celos::LogLevel::debug, __VA_ARGS__)
