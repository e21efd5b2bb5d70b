// The serial input decoder (modules/serial_input/vt_decoder.cpp): what
// xterm and VT220 terminals send (xterm's ctlseqs, "PC-Style Function Keys"
// and "VT220-Style Function Keys"), UTF-8 checked against Python's decoder
// (tests/fixtures/gen_utf8_vectors.py), timeouts, and hostile byte streams.
#include <catch2/catch.hpp>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "input_event_check.h"
#include "vt_decoder.h"

using celos::test::describe;
using celos::test::input_event_problem;
using celos::vt::Decoder;
using celos::vt::Events;

namespace {

using Keys = std::vector<std::string>;
constexpr uint64_t kMs = 1'000'000;

// Checks and describes events; no byte may give more than three.
void collect(const Events& events, Keys& out) {
    REQUIRE(events.count < Events::kCapacity);
    for (unsigned i = 0; i < events.count; ++i) {
        INFO(describe(events.event[i]));
        REQUIRE(input_event_problem(events.event[i], CELOS_INPUT_SERIAL) == "");
        out.push_back(describe(events.event[i]));
    }
}

// The same checks without describing each event (the random-stream test).
unsigned validate(const Events& events) {
    if (events.count >= Events::kCapacity) FAIL(events.count << " events from one byte");
    for (unsigned i = 0; i < events.count; ++i) {
        const std::string problem = input_event_problem(events.event[i], CELOS_INPUT_SERIAL);
        if (!problem.empty()) FAIL(describe(events.event[i]) << ": " << problem);
    }
    return events.count;
}

// Feeds the bytes 10 us apart from `at`, then (with `settle`) ticks well
// after the timeout.
Keys feed(Decoder& d, const std::string& bytes, uint64_t& at, bool settle = true) {
    Keys out;
    for (unsigned char c : bytes) {
        Events e;
        d.feed(c, at, e);
        collect(e, out);
        at += 10'000;
    }
    if (settle) {
        at += 200 * kMs;
        Events e;
        d.tick(at, e);
        collect(e, out);
    }
    return out;
}

Keys decode(const std::string& bytes) {
    Decoder d;
    uint64_t at = 1000 * kMs;
    Keys k = feed(d, bytes, at);
    CHECK_FALSE(d.waiting());
    return k;
}

std::string ch(uint32_t cp, const char* mods = "") {
    char buf[32];
    snprintf(buf, sizeof buf, "CHAR U+%04X%s", cp, mods);
    return buf;
}

} // namespace

TEST_CASE("vt: printable ASCII is one character each") {
    Keys want;
    std::string all;
    for (int c = 0x20; c < 0x7f; ++c) {
        all += char(c);
        want.push_back(ch(c));
    }
    CHECK(decode(all) == want);
}

TEST_CASE("vt: UTF-8 characters") {
    CHECK(decode("\xc3\xa9") == Keys{ch(0xe9)});
    CHECK(decode("\xe4\xb8\xad") == Keys{ch(0x4e2d)});
    CHECK(decode("\xf0\x9f\x98\x80") == Keys{ch(0x1f600)});
    CHECK(decode("\xf4\x8f\xbf\xbf") == Keys{ch(0x10ffff)});
    CHECK(decode("\xef\xbf\xbe") == Keys{ch(0xfffe)}); // a noncharacter is still a character
    // C1 controls in UTF-8 are not keys; NBSP after them is.
    CHECK(decode("\xc2\x80\xc2\x9b\xc2\x9f\xc2\xa0") == Keys{ch(0xa0)});
}

TEST_CASE("vt: ill-formed UTF-8: one U+FFFD per maximal subpart (Unicode 15, table 3-8)") {
    CHECK(decode("a\xf1\x80\x80\xe1\x80\xc2"
                 "b\x80"
                 "c\x80\xbf"
                 "d") == Keys{ch('a'), ch(0xfffd), ch(0xfffd), ch(0xfffd), ch('b'), ch(0xfffd), ch('c'),
                              ch(0xfffd), ch(0xfffd), ch('d')});
    CHECK(decode("\xc0\xaf") == Keys{ch(0xfffd), ch(0xfffd)}); // overlong
    CHECK(decode("\xe0\x80\xaf") == Keys(3, ch(0xfffd)));      // overlong
    CHECK(decode("\xed\xa0\x80") == Keys(3, ch(0xfffd)));      // surrogate
    CHECK(decode("\xf4\x90\x80\x80") == Keys(4, ch(0xfffd)));  // above U+10FFFF
    CHECK(decode("\xfe\xff\xf5") == Keys(3, ch(0xfffd)));
    // A sequence broken by a control: U+FFFD, then the control.
    CHECK(decode("\xe4\xb8\r") == Keys{ch(0xfffd), "ENTER"});
    // A sequence cut short by the timeout.
    CHECK(decode("\xe4\xb8") == Keys{ch(0xfffd)});
    Decoder d;
    uint64_t at = 0;
    CHECK(feed(d, "\xe4", at, false).empty());
    CHECK(d.waiting());
    at += 200 * kMs;
    CHECK(feed(d, "\xb8\xad", at) == Keys{ch(0xfffd), ch(0xfffd), ch(0xfffd)});
}

TEST_CASE("vt: UTF-8 against Python's decoder") {
    std::ifstream in(CELOS_UTF8_VECTORS);
    REQUIRE(in);
    std::string line;
    unsigned count = 0;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string hex, cps;
        fields >> hex >> cps;
        std::string bytes;
        for (size_t i = 0; i + 1 < hex.size(); i += 2)
            bytes += char(std::stoi(hex.substr(i, 2), nullptr, 16));
        Keys want;
        if (cps != "-") {
            std::istringstream list(cps);
            std::string cp;
            while (std::getline(list, cp, ','))
                want.push_back(ch(std::stoul(cp, nullptr, 16)));
        }
        INFO("input " << hex);
        CHECK(decode(bytes) == want);
        ++count;
    }
    CHECK(count > 3000);
}

TEST_CASE("vt: every code point round-trips") {
    Decoder d;
    uint64_t at = 0;
    for (uint32_t cp = 0xa0; cp <= 0x10ffff; ++cp) {
        if (cp >= 0xd800 && cp <= 0xdfff) continue;
        std::string s;
        if (cp < 0x800) {
            s = {char(0xc0 | cp >> 6), char(0x80 | (cp & 0x3f))};
        } else if (cp < 0x10000) {
            s = {char(0xe0 | cp >> 12), char(0x80 | ((cp >> 6) & 0x3f)), char(0x80 | (cp & 0x3f))};
        } else {
            s = {char(0xf0 | cp >> 18), char(0x80 | ((cp >> 12) & 0x3f)), char(0x80 | ((cp >> 6) & 0x3f)),
                 char(0x80 | (cp & 0x3f))};
        }
        Events e;
        for (unsigned char c : s)
            d.feed(c, at, e);
        REQUIRE(e.count == 1);
        REQUIRE(e.event[0].codepoint == cp);
    }
}

TEST_CASE("vt: Enter: CR, LF, and CR LF as one") {
    CHECK(decode("\r") == Keys{"ENTER"});
    CHECK(decode("\n") == Keys{"ENTER"});
    CHECK(decode("\r\n") == Keys{"ENTER"});
    CHECK(decode("\r\r") == Keys{"ENTER", "ENTER"});
    CHECK(decode("\n\n") == Keys{"ENTER", "ENTER"});
    CHECK(decode("\n\r") == Keys{"ENTER", "ENTER"});
    CHECK(decode("\r\n\r\n") == Keys{"ENTER", "ENTER"});
    CHECK(decode("a\r\nb") == Keys{ch('a'), "ENTER", ch('b')});
    // CR, then LF typed later (Ctrl-J): two.
    Decoder d;
    uint64_t at = 0;
    CHECK(feed(d, "\r", at) == Keys{"ENTER"});
    CHECK(feed(d, "\n", at) == Keys{"ENTER"});
}

TEST_CASE("vt: Backspace, Tab and control characters") {
    CHECK(decode("\x7f\x08\t") == Keys{"BACKSPACE", "BACKSPACE", "TAB"});
    Keys want;
    std::string bytes;
    for (int c = 1; c <= 0x1a; ++c) {
        if (c == 0x08 || c == 0x09 || c == 0x0a || c == 0x0d) continue;
        bytes += char(c);
        want.push_back(ch('a' + c - 1, "+ctrl"));
    }
    CHECK(decode(bytes) == want);
    CHECK(decode("\x03") == Keys{ch('c', "+ctrl")});
    CHECK(decode("\x1c\x1d\x1e\x1f") ==
          Keys{ch('\\', "+ctrl"), ch(']', "+ctrl"), ch('^', "+ctrl"), ch('_', "+ctrl")});
    CHECK(decode(std::string("a\0b", 3)) == Keys{ch('a'), ch('b')}); // NUL dropped
}

TEST_CASE("vt: cursor and editing keys, CSI and SS3") {
    CHECK(decode("\x1b[A\x1b[B\x1b[C\x1b[D\x1b[H\x1b[F") ==
          Keys{"UP", "DOWN", "RIGHT", "LEFT", "HOME", "END"});
    CHECK(decode("\x1bOA\x1bOB\x1bOC\x1bOD\x1bOH\x1bOF") ==
          Keys{"UP", "DOWN", "RIGHT", "LEFT", "HOME", "END"});
    CHECK(decode("\x1b[1~\x1b[7~\x1b[4~\x1b[8~\x1b[2~\x1b[3~\x1b[5~\x1b[6~") ==
          Keys{"HOME", "HOME", "END", "END", "INSERT", "DELETE", "PAGE_UP", "PAGE_DOWN"});
    CHECK(decode("\x1b[Z") == Keys{"TAB+shift"});
}

TEST_CASE("vt: function keys: SS3 P-S, CSI 11~-24~, the Linux console's ESC, two brackets, A-E") {
    Keys f;
    for (int i = 1; i <= 12; ++i)
        f.push_back("F" + std::to_string(i));
    CHECK(
        decode("\x1bOP\x1bOQ\x1bOR\x1bOS\x1b[15~\x1b[17~\x1b[18~\x1b[19~\x1b[20~\x1b[21~\x1b[23~\x1b[24~") ==
        f);
    CHECK(decode("\x1b[11~\x1b[12~\x1b[13~\x1b[14~") == Keys{"F1", "F2", "F3", "F4"});
    CHECK(decode("\x1b[[A\x1b[[B\x1b[[C\x1b[[D\x1b[[E") == Keys{"F1", "F2", "F3", "F4", "F5"});
    CHECK(decode("\x1b[[Z"
                 "a") == Keys{ch('a')});
}

TEST_CASE("vt: xterm's modifier parameter") {
    CHECK(decode("\x1b[1;2A") == Keys{"UP+shift"});
    CHECK(decode("\x1b[5;2~") == Keys{"PAGE_UP+shift"});
    CHECK(decode("\x1b[6;2~") == Keys{"PAGE_DOWN+shift"});
    CHECK(decode("\x1b[1;3D") == Keys{"LEFT+alt"});
    CHECK(decode("\x1b[1;5C") == Keys{"RIGHT+ctrl"});
    CHECK(decode("\x1b[1;6B") == Keys{"DOWN+shift+ctrl"});
    CHECK(decode("\x1b[1;7H") == Keys{"HOME+ctrl+alt"});
    CHECK(decode("\x1b[1;8F") == Keys{"END+shift+ctrl+alt"});
    CHECK(decode("\x1b[1;9A") == Keys{"UP+alt"}); // Meta is Alt
    CHECK(decode("\x1b[1;16A") == Keys{"UP+shift+ctrl+alt"});
    CHECK(decode("\x1b[3;5~") == Keys{"DELETE+ctrl"});
    CHECK(decode("\x1b[15;2~\x1b[24;5~") == Keys{"F5+shift", "F12+ctrl"});
    CHECK(decode("\x1b[1;2P\x1b[1;5S") == Keys{"F1+shift", "F4+ctrl"});
    CHECK(decode("\x1b[1;2Z") == Keys{"TAB+shift"});
    CHECK(decode("\x1b[;5A") == Keys{"UP+ctrl"});                   // first number omitted
    CHECK(decode("\x1b[5A\x1bO2P") == Keys{"UP+ctrl", "F1+shift"}); // the older forms
    CHECK(decode("\x1b[1;1A\x1b[1;A") == Keys{"UP", "UP"});
    // Out of range or impossible: dropped.
    CHECK(decode("\x1b[1;17A\x1b[2;5A\x1b[5;0~x") == Keys{"PAGE_UP", ch('x')});
}

TEST_CASE("vt: the keypad in application mode (SS3)") {
    CHECK(decode("\x1bOp\x1bOy\x1bOj\x1bOk\x1bOl\x1bOm\x1bOn\x1bOo\x1bOX\x1bOM") ==
          Keys{ch('0'), ch('9'), ch('*'), ch('+'), ch(','), ch('-'), ch('.'), ch('/'), ch('='), "ENTER"});
}

TEST_CASE("vt: ESC then a key is that key with Alt") {
    CHECK(decode("\x1bx") == Keys{ch('x', "+alt")});
    CHECK(decode("\x1bX") == Keys{ch('X', "+alt")});
    CHECK(decode("\x1b\x03") == Keys{ch('c', "+ctrl+alt")});
    CHECK(decode("\x1b\x7f") == Keys{"BACKSPACE+alt"});
    CHECK(decode("\x1b\r\n") == Keys{"ENTER+alt"});
    CHECK(decode("\x1b\xc3\xa9") == Keys{ch(0xe9, "+alt")});
    CHECK(decode("\x1b\xc3x") == Keys{ch(0xfffd, "+alt"), ch('x')});
    CHECK(decode("\x1b\x80y") == Keys{ch(0xfffd, "+alt"), ch('y')});
    CHECK(decode("\x1b\xc2\x80y") == Keys{ch('y')}); // Alt with a dropped C1: gone with it
    CHECK(decode(std::string("\x1b\0y", 3)) == Keys{"ESCAPE", ch('y')});
    CHECK(decode("\x1b\x1b[A") == Keys{"ESCAPE", "UP"});
}

TEST_CASE("vt: a lone ESC is Escape once nothing followed within the timeout") {
    Decoder d;
    uint64_t at = 0;
    CHECK(feed(d, "\x1b", at, false).empty());
    Events e;
    d.tick(at + 49 * kMs, e);
    CHECK(e.count == 0);
    d.tick(at + 51 * kMs, e);
    Keys k;
    collect(e, k);
    CHECK(k == Keys{"ESCAPE"});
    CHECK_FALSE(d.waiting());
    // A byte after the timeout, before any tick: Escape first, then the byte.
    at += 100 * kMs;
    CHECK(feed(d, "\x1b", at, false).empty());
    at += 60 * kMs;
    CHECK(feed(d, "[A", at) == Keys{"ESCAPE", ch('['), ch('A')});
    // Two ESCs: two Escapes.
    CHECK(feed(d, "\x1b\x1b", at) == Keys{"ESCAPE", "ESCAPE"});
    // ESC [ and ESC O alone: Alt+[ and Alt+O.
    CHECK(feed(d, "\x1b[", at) == Keys{ch('[', "+alt")});
    CHECK(feed(d, "\x1bO", at) == Keys{ch('O', "+alt")});
    // An unfinished sequence: dropped.
    CHECK(feed(d, "\x1b[1;", at).empty());
    CHECK(feed(d, "x", at) == Keys{ch('x')});
    // Another timeout.
    Decoder slow(200 * kMs);
    CHECK(slow.timeout_ns() == 200 * kMs);
    at = 0;
    CHECK(feed(slow, "\x1b", at, false).empty());
    at += 150 * kMs;
    CHECK(feed(slow, "[B", at) == Keys{"DOWN"});
}

TEST_CASE("vt: unknown sequences are dropped whole, and the next key arrives") {
    CHECK(decode("\x1b[99~a") == Keys{ch('a')});
    CHECK(decode("\x1b[25~\x1b[34~b") == Keys{ch('b')});             // F13-F20
    CHECK(decode("\x1b[200~hi\x1b[201~") == Keys{ch('h'), ch('i')}); // bracketed paste marks
    CHECK(decode("\x1b[?1h\x1b[>0c\x1b[=1A\x1b[<0;1;1Mc") == Keys{ch('c')});
    CHECK(decode("\x1b[1;2;3A\x1b[1:2A\x1b[1 A\x1b[E\x1bOEd") == Keys{ch('d')});
    CHECK(decode("\x1b[65535~\x1b[65536~\x1b[99999999999999999999~e") == Keys{ch('e')});
    CHECK(decode("\x1bOz\x1bO~\x1bO5~f") == Keys{ch('f')});
}

TEST_CASE("vt: overlong sequences are dropped whole") {
    std::string hundred = "\x1b[";
    for (int i = 0; i < 100; ++i)
        hundred += "1;";
    CHECK(decode(hundred + "Ax") == Keys{ch('x')}); // finished: dropped
    CHECK(decode(hundred) == Keys{});               // unfinished: dropped at the timeout
    Decoder d;
    uint64_t at = 0;
    CHECK(feed(d, hundred, at) == Keys{});
    CHECK(feed(d, "y", at) == Keys{ch('y')});
    std::string sixteen = "\x1b[" + std::string(16, '1') + "~";
    CHECK(decode(sixteen + "z") == Keys{ch('z')}); // kept whole but the number is too large
    // "1;" and 14 zeros and "2": 17 parameter bytes, one past the buffer;
    // with 13 zeros it fits.
    CHECK(decode("\x1b[1;" + std::string(14, '0') + "2A") == Keys{});
    CHECK(decode("\x1b[1;" + std::string(13, '0') + "2A") == Keys{"UP+shift"});
}

TEST_CASE("vt: a control or a non-ASCII byte breaks a sequence and is read as itself") {
    CHECK(decode("\x1b[1;\rx") == Keys{"ENTER", ch('x')});
    CHECK(decode("\x1b[1\x7f") == Keys{"BACKSPACE"});
    CHECK(decode("\x1b[1\x03") == Keys{ch('c', "+ctrl")});
    CHECK(decode("\x1b[1\xc3\xa9") == Keys{ch(0xe9)});
    CHECK(decode("\x1b[1\x1b[B") == Keys{"DOWN"});
    CHECK(decode("\x1bO\x1bOA") == Keys{"UP"});
    CHECK(decode("\x1b[[\x1b[C") == Keys{"RIGHT"});
    CHECK(decode(std::string("\x1b[\0z", 4)) == Keys{ch('z')});
}

TEST_CASE("vt: binary garbage never gives an invalid event, and a key after it arrives") {
    std::string garbage;
    for (int b = 0; b < 256; ++b)
        garbage += char(b);
    for (int b = 255; b >= 0; --b)
        garbage += char(b);
    Decoder d;
    uint64_t at = 0;
    feed(d, garbage, at);
    CHECK_FALSE(d.waiting());
    CHECK(feed(d, "k", at) == Keys{ch('k')});
}

TEST_CASE("vt: random byte streams (fuzz): valid events only, at most three per byte") {
    // Random bytes, and random sequences of the pieces that steer the state
    // machine (ESC, [, O, digits, ;, finals, UTF-8 leads and continuations,
    // controls), with random gaps around the timeout.
    std::mt19937_64 rng(0xce1057);
    const std::vector<std::string> pieces = {
        "\x1b", "[",    "O",    "1",    "5",    ";",    "~",    "A",    "P", "Z", "\r", "\n", "\x7f", "\xc3",
        "\xa9", "\xe4", "\xb8", "\xf0", "\x9f", "\xff", "\x00", "\x18", "?", ":", " ",  "a",  "\xc2", "\x9b"};
    unsigned events = 0;
    for (int round = 0; round < 100; ++round) {
        Decoder d(1 + rng() % (100 * kMs));
        uint64_t at = rng() % 1000000;
        for (int i = 0; i < 20000; ++i) {
            std::string chunk = (rng() & 1) ? std::string(1, char(rng())) : pieces[rng() % pieces.size()];
            if (chunk.empty()) chunk = std::string(1, '\0');
            for (unsigned char c : chunk) {
                Events e;
                d.feed(c, at, e);
                events += validate(e);
                at += (rng() % 16 == 0) ? rng() % (200 * kMs) : rng() % 100000;
                if (rng() % 32 == 0) {
                    Events t;
                    d.tick(at, t);
                    events += validate(t);
                }
            }
        }
        // It always comes back to reading keys.
        Events t;
        d.tick(at + 10'000 * kMs, t);
        events += validate(t);
        CHECK_FALSE(d.waiting());
        at += 20'000 * kMs;
        Keys k;
        Events e;
        d.feed('q', at, e);
        collect(e, k);
        CHECK(k == Keys{ch('q')});
    }
    CHECK(events > 500'000);
}
