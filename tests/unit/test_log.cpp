// The kernel log: lines reach every sink and the ring, and the ring keeps the
// newest whole records. Log state is global and sinks cannot be removed, so
// one capture sink is registered once and cleared by each test.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "log/log.h"

using namespace celos;

namespace {

struct Line {
    LogLevel level;
    u64 timestamp_ns;
    std::string text;
};

class CaptureSink final : public LogSink {
  public:
    void emit(LogLevel level, u64 timestamp_ns, const char* line, usize length) override {
        lines.push_back(Line{level, timestamp_ns, std::string(line, length)});
    }
    void flush() override { ++flushes; }

    std::vector<Line> lines;
    int flushes = 0;
};

u64 fake_now = 0;
u64 fake_clock() {
    return fake_now += 1000;
}

// The one capture sink, registered on first use, emptied for each test.
CaptureSink& capture() {
    static CaptureSink sink;
    static const bool registered = (log_add_sink(sink), true);
    (void)registered;
    sink.lines.clear();
    sink.flushes = 0;
    log_set_clock(fake_clock);
    return sink;
}

std::vector<Line> replay_all() {
    std::vector<Line> out;
    log_replay(
        [](void* ctx, LogLevel level, u64 ts, const char* line, usize length) {
            static_cast<std::vector<Line>*>(ctx)->push_back(Line{level, ts, std::string(line, length)});
        },
        &out);
    return out;
}

// Bytes a line takes in the ring: a 16-byte header plus its text.
constexpr usize kRecordHeader = 16;
constexpr usize kRingSize = 64 * 1024;

} // namespace

TEST_CASE("log: lines reach the sink with level and timestamp") {
    CaptureSink& sink = capture();
    fake_now = 5000;
    log_info("pmm: %d free pages", 42);
    log_error("boom %s", "here");
    log_warn("careful");
    log_debug("detail %x", 0xabu);
    log(LogLevel::info, "direct");

    REQUIRE(sink.lines.size() == 5);
    CHECK(sink.lines[0].text == "pmm: 42 free pages");
    CHECK(sink.lines[0].level == LogLevel::info);
    CHECK(sink.lines[0].timestamp_ns == 6000);
    CHECK(sink.lines[1].text == "boom here");
    CHECK(sink.lines[1].level == LogLevel::error);
    CHECK(sink.lines[1].timestamp_ns == 7000);
    CHECK(sink.lines[2].level == LogLevel::warn);
    CHECK(sink.lines[3].text == "detail ab");
    CHECK(sink.lines[3].level == LogLevel::debug);
    CHECK(sink.lines[4].timestamp_ns == 10000);
}

TEST_CASE("log: without a clock the timestamp is 0") {
    CaptureSink& sink = capture();
    log_set_clock(nullptr);
    log_info("no clock");
    REQUIRE(sink.lines.size() == 1);
    CHECK(sink.lines[0].timestamp_ns == 0);
    log_set_clock(fake_clock);
}

TEST_CASE("log: level names") {
    CHECK(std::string(log_level_name(LogLevel::error)) == "error");
    CHECK(std::string(log_level_name(LogLevel::warn)) == "warn");
    CHECK(std::string(log_level_name(LogLevel::info)) == "info");
    CHECK(std::string(log_level_name(LogLevel::debug)) == "debug");
    CHECK(std::string(log_level_name(static_cast<LogLevel>(9))) == "?");
}

TEST_CASE("log: trailing newlines are stripped") {
    CaptureSink& sink = capture();
    log_info("one\n");
    log_info("two\n\n\n");
    log_info("%s", "\n");
    log_info("in\nside");
    REQUIRE(sink.lines.size() == 4);
    CHECK(sink.lines[0].text == "one");
    CHECK(sink.lines[1].text == "two");
    CHECK(sink.lines[2].text.empty());
    CHECK(sink.lines[3].text == "in^Jside"); // only trailing ones go; an inner one is shown
}

TEST_CASE("log: long lines are truncated to 511 characters") {
    CaptureSink& sink = capture();
    std::string text;
    for (int i = 0; i < 700; ++i)
        text += static_cast<char>('a' + i % 26);
    log_info("%s", text.c_str());
    log_info("%s", text.substr(0, 511).c_str());
    log_info("%s", text.substr(0, 512).c_str());
    REQUIRE(sink.lines.size() == 3);
    CHECK(sink.lines[0].text == text.substr(0, 511));
    CHECK(sink.lines[1].text == text.substr(0, 511));
    CHECK(sink.lines[2].text == text.substr(0, 511));

    // The ring keeps the truncated line too.
    const std::vector<Line> replayed = replay_all();
    REQUIRE(replayed.size() >= 3);
    CHECK(replayed.back().text == text.substr(0, 511));
}

TEST_CASE("log: flush reaches the sinks") {
    CaptureSink& sink = capture();
    log_flush();
    log_flush();
    CHECK(sink.flushes == 2);
}

TEST_CASE("log: the timer tick flushes once the log goes idle") {
    CaptureSink& sink = capture();
    log_flush();
    log_tick(); // settles the state left by other tests
    sink.flushes = 0;
    CHECK_FALSE(log_tick()); // nothing logged: nothing to flush
    log_info("one");
    CHECK_FALSE(log_tick()); // a line during this tick: the log is busy
    log_info("two");
    CHECK_FALSE(log_tick());
    CHECK(log_tick()); // a whole tick without a line: idle, flush due
    log_flush();
    CHECK(sink.flushes == 1);
    CHECK_FALSE(log_tick()); // flushed: nothing more until the next line
    CHECK_FALSE(log_tick());
    log_info("three");
    log_flush(); // flushed at once (the ready line, a panic)
    CHECK_FALSE(log_tick());
    CHECK_FALSE(log_tick());
}

TEST_CASE("log: replay gives the ring's lines oldest first") {
    CaptureSink& sink = capture();
    for (int i = 0; i < 10; ++i)
        log(i % 2 ? LogLevel::warn : LogLevel::info, "replay-order %d", i);

    const std::vector<Line> replayed = replay_all();
    // Earlier tests left lines in the ring; ours are the newest ten.
    REQUIRE(replayed.size() >= 10);
    REQUIRE(sink.lines.size() == 10);
    for (usize i = 0; i < 10; ++i) {
        const Line& got = replayed[replayed.size() - 10 + i];
        INFO("line " << i);
        CHECK(got.text == "replay-order " + std::to_string(i));
        CHECK(got.level == sink.lines[i].level);
        CHECK(got.timestamp_ns == sink.lines[i].timestamp_ns);
    }
    // Replaying does not consume anything.
    CHECK(replay_all().size() == replayed.size());
}

TEST_CASE("log: a full ring drops the oldest whole records") {
    CaptureSink& sink = capture();
    // Lines of varying length so that records wrap the ring at many offsets,
    // about 2.5 times the ring's size in all.
    auto text_of = [](usize i) {
        std::string s = "wrap " + std::to_string(i) + " ";
        s.append(i * 37 % 120, static_cast<char>('A' + i % 26));
        return s;
    };
    const usize count = 2500;
    usize written = 0;
    for (usize i = 0; i < count; ++i) {
        log_info("%s", text_of(i).c_str());
        written += kRecordHeader + text_of(i).size();
    }
    REQUIRE(written > 2 * kRingSize);
    REQUIRE(sink.lines.size() == count);

    const std::vector<Line> replayed = replay_all();
    REQUIRE(!replayed.empty());
    REQUIRE(replayed.size() < count);
    // Only our lines remain: the newest `kept`, in order, each intact.
    const usize kept = replayed.size();
    const usize first = count - kept;
    usize bytes = 0;
    for (usize k = 0; k < kept; ++k) {
        INFO("replayed record " << k);
        REQUIRE(replayed[k].text == text_of(first + k));
        REQUIRE(replayed[k].timestamp_ns == sink.lines[first + k].timestamp_ns);
        REQUIRE(replayed[k].level == LogLevel::info);
        bytes += kRecordHeader + replayed[k].text.size();
    }
    // They fit in the ring, and the next older record would not have.
    CHECK(bytes <= kRingSize);
    CHECK(bytes + kRecordHeader + text_of(first - 1).size() > kRingSize);

    // The ring keeps working after wrapping: one more line is the newest.
    log_info("after wrap");
    CHECK(replay_all().back().text == "after wrap");
}

TEST_CASE("log: a full ring of maximal lines keeps whole records") {
    capture();
    std::string big(600, 'x');
    for (int i = 0; i < 300; ++i)
        log_info("%04d%s", i, big.c_str());
    const std::vector<Line> replayed = replay_all();
    const usize record = kRecordHeader + 511;
    REQUIRE(replayed.size() == kRingSize / record);
    for (usize k = 0; k < replayed.size(); ++k) {
        char expected[8];
        std::snprintf(expected, sizeof expected, "%04zu", 300 - replayed.size() + k);
        REQUIRE(replayed[k].text.size() == 511);
        REQUIRE(replayed[k].text.substr(0, 4) == expected);
    }
}

// Text from outside the core (issue 11, item 5): an ESC [2J in a module
// parameter or a command-line word must not reach a terminal as an escape.
namespace {
std::string visible(const std::string& text, usize out_size = 256) {
    std::vector<char> out(out_size);
    usize n = log_make_visible(text.data(), text.size(), out.data(), out.size());
    REQUIRE(n < out_size);
    REQUIRE(out[n] == '\0');
    return std::string(out.data(), n);
}
} // namespace

TEST_CASE("log: control characters are shown in caret notation") {
    CHECK(visible("plain text, UTF-8 \xc3\xa9 \xe2\x94\x80") == "plain text, UTF-8 \xc3\xa9 \xe2\x94\x80");
    CHECK(visible("font=\x1b[2Jx") == "font=^[[2Jx");
    CHECK(visible("a\tb\nc\rd\x07") == "a^Ib^Jc^Md^G");
    CHECK(visible(std::string("nul\0x", 5)) == "nul^@x");
    CHECK(visible("del\x7f") == "del^?");
    // C1 controls in UTF-8 as their 7-bit form: CSI (U+009B) is ESC [.
    CHECK(visible("c1 \xc2\x9b" "2J \xc2\x85") == "c1 ^[[2J ^[E");
    // U+00A0 and up are text; a lone 0x9B byte is not UTF-8 and stays (the
    // terminal shows it as U+FFFD).
    CHECK(visible("\xc2\xa0 \x9b") == "\xc2\xa0 \x9b");
}

TEST_CASE("log: making text visible never overflows and cuts whole notations") {
    CHECK(visible("abc", 1).empty());
    CHECK(visible("\x1b\x1b", 4) == "^[");  // room for one notation and the NUL
    CHECK(visible("ab\x1b", 4) == "ab");    // "^[" does not fit after "ab"
    CHECK(visible("\xc2\x9b", 3).empty());  // "^[[" needs 3 bytes plus the NUL
    std::string long_line(1000, '\x1b');
    CHECK(visible(long_line, 512).size() == 510);
}

TEST_CASE("log: lines reach sinks and the ring with their controls made visible") {
    CaptureSink& sink = capture();
    log_warn("module %s: unknown parameter '%s'", "psf", "x=\x1b[2J\x1b[H");
    REQUIRE(sink.lines.size() == 1);
    CHECK(sink.lines[0].text == "module psf: unknown parameter 'x=^[[2J^[[H'");
    std::vector<Line> ring = replay_all();
    REQUIRE_FALSE(ring.empty());
    CHECK(ring.back().text == "module psf: unknown parameter 'x=^[[2J^[[H'");
}
