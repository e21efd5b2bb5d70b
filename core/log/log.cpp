#include "log/log.h"

#include <stdarg.h>

#include "lib/format.h"
#include "lib/irq.h"

namespace celos {
namespace {

constexpr usize kMaxSinks = 8;
constexpr usize kMaxLine = 512;
constexpr usize kRingSize = 64 * 1024;

// A record in the ring: header, then `length` bytes of text.
struct RecordHeader {
    u64 timestamp_ns;
    u16 length;
    u8 level;
    u8 pad;
};

struct LogState {
    LogSink* sinks[kMaxSinks];
    usize sink_count;
    u64 lines;           // lines logged since boot
    u64 lines_seen_tick; // `lines` at the last timer tick
    bool unflushed;      // lines since the last flush
    u64 (*now_ns)();
    // The ring holds whole records; the oldest are dropped to make room.
    u8 ring[kRingSize];
    usize head; // offset of the oldest record
    usize tail; // offset one past the newest record
    usize used;
};

LogState state;

void ring_copy_in(usize at, const void* src, usize n) {
    const u8* s = static_cast<const u8*>(src);
    for (usize i = 0; i < n; ++i)
        state.ring[(at + i) % kRingSize] = s[i];
}

void ring_copy_out(usize at, void* dst, usize n) {
    u8* d = static_cast<u8*>(dst);
    for (usize i = 0; i < n; ++i)
        d[i] = state.ring[(at + i) % kRingSize];
}

void ring_drop_oldest() {
    RecordHeader h;
    ring_copy_out(state.head, &h, sizeof h);
    usize n = sizeof h + h.length;
    state.head = (state.head + n) % kRingSize;
    state.used -= n;
}

void ring_push(LogLevel level, u64 ts, const char* text, usize length) {
    RecordHeader h{ts, static_cast<u16>(length), static_cast<u8>(level), 0};
    usize n = sizeof h + length;
    while (kRingSize - state.used < n)
        ring_drop_oldest();
    ring_copy_in(state.tail, &h, sizeof h);
    ring_copy_in((state.tail + sizeof h) % kRingSize, text, length);
    state.tail = (state.tail + n) % kRingSize;
    state.used += n;
}

} // namespace

const char* log_level_name(LogLevel level) {
    switch (level) {
    case LogLevel::error: return "error";
    case LogLevel::warn: return "warn";
    case LogLevel::info: return "info";
    case LogLevel::debug: return "debug";
    }
    return "?";
}

namespace {
LogLevel console_level = LogLevel::debug;
} // namespace

void log_set_console_level(LogLevel level) {
    console_level = level;
}

LogLevel log_console_level() {
    return console_level;
}

void log_add_sink(LogSink& sink) {
    IrqGuard guard;
    if (state.sink_count < kMaxSinks) state.sinks[state.sink_count++] = &sink;
}

void log_remove_sink(LogSink& sink) {
    IrqGuard guard;
    for (usize i = 0; i < state.sink_count; ++i) {
        if (state.sinks[i] != &sink) continue;
        for (usize j = i; j + 1 < state.sink_count; ++j)
            state.sinks[j] = state.sinks[j + 1];
        --state.sink_count;
        return;
    }
}

void log_set_clock(u64 (*now_ns)()) {
    state.now_ns = now_ns;
}

usize log_make_visible(const char* text, usize length, char* out, usize out_size) {
    if (out_size == 0) return 0;
    usize n = 0;
    auto room = [&](usize k) { return n + k < out_size; };
    for (usize i = 0; i < length; ++i) {
        u8 b = static_cast<u8>(text[i]);
        if (b < 0x20 || b == 0x7f) {
            if (!room(2)) break;
            out[n++] = '^';
            out[n++] = static_cast<char>(b == 0x7f ? '?' : b + 0x40);
        } else if (b == 0xc2 && i + 1 < length && static_cast<u8>(text[i + 1]) >= 0x80 &&
                   static_cast<u8>(text[i + 1]) <= 0x9f) {
            if (!room(3)) break;
            out[n++] = '^';
            out[n++] = '[';
            out[n++] = static_cast<char>(static_cast<u8>(text[++i]) - 0x40);
        } else {
            if (!room(1)) break;
            out[n++] = static_cast<char>(b);
        }
    }
    out[n] = '\0';
    return n;
}

void log(LogLevel level, const char* fmt, ...) {
    char formatted[kMaxLine];
    va_list args;
    va_start(args, fmt);
    usize n = vformat(formatted, sizeof formatted, fmt, args);
    va_end(args);
    if (n >= sizeof formatted) n = sizeof formatted - 1;
    while (n > 0 && formatted[n - 1] == '\n')
        --n;
    // Sinks are terminals (serial, the console): only their own formatting
    // may use escapes, so nothing a line quotes can move the cursor or clear
    // the screen.
    char line[kMaxLine];
    n = log_make_visible(formatted, n, line, sizeof line);

    IrqGuard guard;
    u64 ts = state.now_ns ? state.now_ns() : 0;
    ring_push(level, ts, line, n);
    ++state.lines;
    state.unflushed = true;
    for (usize i = 0; i < state.sink_count; ++i)
        state.sinks[i]->emit(level, ts, line, n);
}

void log_flush() {
    IrqGuard guard;
    state.unflushed = false;
    for (usize i = 0; i < state.sink_count; ++i)
        state.sinks[i]->flush();
}

void log_note_output() {
    IrqGuard guard;
    ++state.lines;
    state.unflushed = true;
}

bool log_tick() {
    // No line since the last tick, and some since the last flush: the log
    // went idle, the consoles should show what they hold back.
    bool idle = state.unflushed && state.lines == state.lines_seen_tick;
    state.lines_seen_tick = state.lines;
    return idle;
}

void log_replay(void (*fn)(void*, LogLevel, u64, const char*, usize), void* ctx) {
    IrqGuard guard;
    char line[kMaxLine];
    usize at = state.head;
    usize left = state.used;
    while (left > 0) {
        RecordHeader h;
        ring_copy_out(at, &h, sizeof h);
        ring_copy_out((at + sizeof h) % kRingSize, line, h.length);
        fn(ctx, static_cast<LogLevel>(h.level), h.timestamp_ns, line, h.length);
        usize n = sizeof h + h.length;
        at = (at + n) % kRingSize;
        left -= n;
    }
}

} // namespace celos
