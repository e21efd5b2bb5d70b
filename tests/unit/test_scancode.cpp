// The PS/2 keyboard decoder (modules/ps2kbd/scancode.cpp): scan code set 1
// as the i8042 gives it with translation on (IBM's make codes; the E0 and
// E1 sequences of the "Keyboard Scan Code Specification", Microsoft, 2000),
// the US layout, the LED command, and hostile byte streams.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "input_event_check.h"
#include "scancode.h"

using celos::ps2::Decoder;
using celos::ps2::kReplyAck;
using celos::ps2::Output;
using celos::test::describe;
using celos::test::input_event_problem;

namespace {

// Feeds bytes; returns the events, described. Fails on an invalid event or
// on a byte to send (use feed_expecting for those).
std::vector<std::string> keys(Decoder& d, std::vector<int> bytes) {
    std::vector<std::string> out;
    for (int b : bytes) {
        const Output o = d.feed(static_cast<uint8_t>(b));
        INFO("byte 0x" << std::hex << b);
        CHECK(o.send == -1);
        if (o.has_event) {
            CHECK(input_event_problem(o.event, CELOS_INPUT_KEYBOARD) == "");
            out.push_back(describe(o.event));
        }
    }
    return out;
}

// Make and break of one key (E0 keys: 0xe0 then the code).
std::vector<int> tap(int code, bool extended = false) {
    if (extended) return {0xe0, code, 0xe0, code | 0x80};
    return {code, code | 0x80};
}

std::vector<int> operator+(std::vector<int> a, const std::vector<int>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

using Keys = std::vector<std::string>;
using V = std::vector<int>;

// Lock keys send the LED command: acknowledge it so the tests go on.
void toggle_lock(Decoder& d, int code) {
    Output o = d.feed(static_cast<uint8_t>(code));
    REQUIRE(o.send == celos::ps2::kCmdSetLeds);
    REQUIRE_FALSE(o.has_event);
    o = d.feed(celos::ps2::kReplyAck);
    REQUIRE(o.send == d.leds());
    o = d.feed(celos::ps2::kReplyAck);
    REQUIRE(o.send == -1);
    CHECK(d.leds_sent() == d.leds());
    CHECK(keys(d, V{code | 0x80}).empty());
}

constexpr int kA = 0x1e, kC = 0x2e, kZ = 0x2c, k1 = 0x02, kLShift = 0x2a, kRShift = 0x36, kCtrl = 0x1d,
              kAlt = 0x38, kCaps = 0x3a, kNum = 0x45, kScroll = 0x46;

} // namespace

TEST_CASE("ps2: letters, digits and punctuation of the US layout, with Shift") {
    Decoder d;
    CHECK(keys(d, tap(kA) + tap(kZ) + tap(k1) + tap(0x0c) + tap(0x1a) + tap(0x27) + tap(0x28) + tap(0x29) +
                      tap(0x2b) + tap(0x33) + tap(0x35) + tap(0x39) + tap(0x56)) ==
          Keys{"CHAR U+0061", "CHAR U+007A", "CHAR U+0031", "CHAR U+002D", "CHAR U+005B", "CHAR U+003B",
               "CHAR U+0027", "CHAR U+0060", "CHAR U+005C", "CHAR U+002C", "CHAR U+002F", "CHAR U+0020",
               "CHAR U+003C"});
    CHECK(keys(d, V{kLShift} + tap(kA) + tap(k1) + tap(0x0d) + tap(0x28) + tap(0x35) + V{kLShift | 0x80}) ==
          Keys{"CHAR U+0041+shift", "CHAR U+0021+shift", "CHAR U+002B+shift", "CHAR U+0022+shift",
               "CHAR U+003F+shift"});
    // Every digit row key and its shifted character.
    const char* normal = "1234567890-=";
    const char* shifted = "!@#$%^&*()_+";
    for (int i = 0; i < 12; ++i) {
        CHECK(keys(d, tap(0x02 + i)) == Keys{describe({CELOS_KEY_CHAR, uint32_t(normal[i]), 0, 1})});
        CHECK(keys(d, V{kRShift} + tap(0x02 + i) + V{kRShift | 0x80}) ==
              Keys{describe({CELOS_KEY_CHAR, uint32_t(shifted[i]), CELOS_MOD_SHIFT, 1})});
    }
}

TEST_CASE("ps2: both Shift keys: releasing one keeps the other held") {
    Decoder d;
    CHECK(keys(d, V{kLShift, kRShift, kLShift | 0x80} + tap(kA) + V{kRShift | 0x80} + tap(kA)) ==
          Keys{"CHAR U+0041+shift", "CHAR U+0061"});
}

TEST_CASE("ps2: Caps Lock makes capitals of letters only, Shift undoes it") {
    Decoder d;
    toggle_lock(d, kCaps);
    CHECK(d.caps_lock());
    CHECK(d.leds() == celos::ps2::kLedCapsLock);
    CHECK(keys(d, tap(kA) + tap(k1) + tap(0x1a)) == Keys{"CHAR U+0041", "CHAR U+0031", "CHAR U+005B"});
    CHECK(keys(d, V{kLShift} + tap(kA) + tap(k1) + V{kLShift | 0x80}) ==
          Keys{"CHAR U+0061+shift", "CHAR U+0021+shift"});
    toggle_lock(d, kCaps);
    CHECK_FALSE(d.caps_lock());
    CHECK(keys(d, tap(kA)) == Keys{"CHAR U+0061"});
}

TEST_CASE("ps2: a held lock key's typematic repeats toggle it once") {
    Decoder d;
    Output o = d.feed(kCaps);
    CHECK(o.send == celos::ps2::kCmdSetLeds);
    // Repeats while the command is under way and after it.
    CHECK(d.feed(kCaps).send == -1);
    CHECK(d.feed(celos::ps2::kReplyAck).send == celos::ps2::kLedCapsLock);
    CHECK(d.feed(kCaps).send == -1);
    CHECK(d.feed(celos::ps2::kReplyAck).send == -1);
    CHECK(d.feed(kCaps).send == -1);
    CHECK(d.feed(kCaps | 0x80).send == -1);
    CHECK(d.caps_lock());
}

TEST_CASE("ps2: Ctrl+letter is the letter with ctrl, whatever Caps Lock says") {
    Decoder d;
    CHECK(keys(d, V{kCtrl} + tap(kC) + V{kCtrl | 0x80}) == Keys{"CHAR U+0063+ctrl"});
    toggle_lock(d, kCaps);
    CHECK(keys(d, V{kCtrl} + tap(kC) + V{kCtrl | 0x80}) == Keys{"CHAR U+0063+ctrl"});
    // Right Ctrl (E0 1D), with Shift.
    CHECK(keys(d, V{0xe0, kCtrl, kLShift} + tap(kC) + V{kLShift | 0x80, 0xe0, kCtrl | 0x80} + tap(kC)) ==
          Keys{"CHAR U+0043+shift+ctrl", "CHAR U+0043"});
}

TEST_CASE("ps2: Alt, left and right (the US layout has no AltGr)") {
    Decoder d;
    CHECK(keys(d, V{kAlt} + tap(0x2d) + V{kAlt | 0x80} + V{0xe0, kAlt} + tap(0x2d) + V{0xe0, kAlt | 0x80} +
                      tap(0x2d)) == Keys{"CHAR U+0078+alt", "CHAR U+0078+alt", "CHAR U+0078"});
    CHECK(keys(d, V{kCtrl, kAlt} + tap(0x53, true) + V{kAlt | 0x80, kCtrl | 0x80}) ==
          Keys{"DELETE+ctrl+alt"});
}

TEST_CASE("ps2: named keys, grey keys (E0) and F1-F12") {
    Decoder d;
    CHECK(keys(d, tap(0x01) + tap(0x0e) + tap(0x0f) + tap(0x1c) + tap(0x1c, true)) ==
          Keys{"ESCAPE", "BACKSPACE", "TAB", "ENTER", "ENTER"});
    CHECK(keys(d, tap(0x48, true) + tap(0x50, true) + tap(0x4b, true) + tap(0x4d, true) + tap(0x47, true) +
                      tap(0x4f, true) + tap(0x49, true) + tap(0x51, true) + tap(0x52, true) +
                      tap(0x53, true)) ==
          Keys{"UP", "DOWN", "LEFT", "RIGHT", "HOME", "END", "PAGE_UP", "PAGE_DOWN", "INSERT", "DELETE"});
    Keys f;
    std::vector<int> bytes;
    for (int i = 0; i < 10; ++i)
        bytes = bytes + tap(0x3b + i);
    bytes = bytes + tap(0x57) + tap(0x58);
    for (int i = 1; i <= 12; ++i)
        f.push_back("F" + std::to_string(i));
    CHECK(keys(d, bytes) == f);
    CHECK(keys(d, V{kLShift} + tap(0x49, true) + tap(0x0f) + tap(0x48, true) + V{kLShift | 0x80}) ==
          Keys{"PAGE_UP+shift", "TAB+shift", "UP+shift"});
}

TEST_CASE("ps2: the keypad: Num Lock off (the default) is navigation, on is digits") {
    Decoder d;
    CHECK_FALSE(d.num_lock());
    std::vector<int> pad;
    for (int code = 0x47; code <= 0x53; ++code)
        pad = pad + tap(code);
    pad = pad + tap(0x37) + tap(0x35, true) + tap(0x1c, true);
    CHECK(keys(d, pad) == Keys{"HOME", "UP", "PAGE_UP", "CHAR U+002D", "LEFT", "RIGHT", "CHAR U+002B", "END",
                               "DOWN", "PAGE_DOWN", "INSERT", "DELETE", "CHAR U+002A", "CHAR U+002F",
                               "ENTER"});
    toggle_lock(d, kNum);
    CHECK(d.leds() == celos::ps2::kLedNumLock);
    CHECK(keys(d, pad) == Keys{"CHAR U+0037", "CHAR U+0038", "CHAR U+0039", "CHAR U+002D", "CHAR U+0034",
                               "CHAR U+0035", "CHAR U+0036", "CHAR U+002B", "CHAR U+0031", "CHAR U+0032",
                               "CHAR U+0033", "CHAR U+0030", "CHAR U+002E", "CHAR U+002A", "CHAR U+002F",
                               "ENTER"});
    // The grey keys do not follow Num Lock.
    CHECK(keys(d, tap(0x48, true)) == Keys{"UP"});
    Decoder on(true);
    CHECK(on.num_lock());
    CHECK(keys(on, tap(0x48)) == Keys{"CHAR U+0038"});
}

TEST_CASE("ps2: the fake shifts around grey keys are ignored") {
    // With Num Lock on, keyboards wrap grey keys in E0 2A ... E0 AA; with
    // Shift held, in E0 AA ... E0 2A.
    Decoder d;
    CHECK(keys(d, V{0xe0, 0x2a, 0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0xaa}) == Keys{"UP"});
    CHECK(keys(d, V{kLShift, 0xe0, 0xaa, 0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0x2a, kLShift | 0x80} + tap(kA)) ==
          Keys{"UP+shift", "CHAR U+0061"});
    CHECK(keys(d, V{0xe0, 0x36, 0xe0, 0x35, 0xe0, 0xb5, 0xe0, 0xb6} + tap(kA)) ==
          Keys{"CHAR U+002F", "CHAR U+0061"});
}

TEST_CASE("ps2: the Pause key's E1 sequence and other E0 keys give nothing") {
    Decoder d;
    CHECK(keys(d, V{0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5} + tap(kA)) == Keys{"CHAR U+0061"});
    CHECK_FALSE(d.num_lock()); // the 0x45 inside is not Num Lock
    // PrintScreen, GUI keys, Menu, Ctrl+Break, media keys.
    CHECK(keys(d, V{0xe0, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xe0, 0xaa} + tap(0x5b, true) + tap(0x5c, true) +
                      tap(0x5d, true) + tap(0x46, true) + tap(0x20, true) + tap(0x30, true) + tap(kA)) ==
          Keys{"CHAR U+0061"});
    CHECK(d.modifiers() == 0);
}

TEST_CASE("ps2: breaks, repeats, replies and error codes") {
    Decoder d;
    // A typematic repeat is another event; the break is none.
    CHECK(keys(d, V{kA, kA, kA, kA | 0x80}) == Keys{"CHAR U+0061", "CHAR U+0061", "CHAR U+0061"});
    // ACK, resend, echo, overrun (0x00, 0xff) with no command in flight:
    // nothing; an overrun also ends a half-read E0 sequence (E0 37 is
    // PrintScreen, which gives nothing; 37 alone is the keypad's '*').
    CHECK(keys(d, V{0xfa, 0xfe, 0xee, 0x00, 0xff}).empty());
    CHECK(keys(d, V{0xe0, 0x00, 0x37, 0xb7}) == Keys{"CHAR U+002A"});
    CHECK(keys(d, V{0xe0, 0xff, 0x37, 0xb7}) == Keys{"CHAR U+002A"});
    CHECK(keys(d, V{0xe0, 0x37, 0xe0, 0xb7}).empty());
    // Unused make codes.
    CHECK(keys(d, tap(0x54) + tap(0x55) + tap(0x59) + tap(0x7f) + tap(0x60, true)).empty());
}

TEST_CASE("ps2: the LED command, with resends, a lock changed meanwhile and a silent keyboard") {
    using namespace celos::ps2;
    SECTION("resend: the same byte again, given up after three") {
        Decoder d;
        CHECK(d.feed(kCaps).send == kCmdSetLeds);
        CHECK(d.feed(kReplyResend).send == kCmdSetLeds);
        CHECK(d.feed(kReplyAck).send == kLedCapsLock);
        CHECK(d.feed(kReplyResend).send == kLedCapsLock);
        CHECK(d.feed(kReplyResend).send == kLedCapsLock);
        CHECK(d.feed(kReplyResend).send == kLedCapsLock);
        CHECK(d.feed(kReplyResend).send == -1); // the fourth: given up
        CHECK_FALSE(d.led_command_in_flight());
        CHECK(d.leds_sent() == 0);
        // The next lock change tries again, with both LEDs.
        CHECK(d.feed(kCaps | 0x80).send == -1);
        CHECK(d.feed(kNum).send == kCmdSetLeds);
        CHECK(d.feed(kReplyAck).send == (kLedCapsLock | kLedNumLock));
        CHECK(d.feed(kReplyAck).send == -1);
        CHECK(d.leds_sent() == (kLedCapsLock | kLedNumLock));
    }
    SECTION("a lock changed while the command is under way is sent after it") {
        Decoder d;
        CHECK(d.feed(kCaps).send == kCmdSetLeds);
        CHECK(d.feed(kCaps | 0x80).send == -1);
        CHECK(d.feed(kScroll).send == -1); // in flight
        CHECK(d.feed(kReplyAck).send == (kLedCapsLock | kLedScrollLock));
        CHECK(d.feed(kReplyAck).send == -1);
        CHECK(d.feed(kNum).send == kCmdSetLeds);
        CHECK(d.feed(kReplyAck).send == (kLedCapsLock | kLedScrollLock | kLedNumLock));
        CHECK(d.feed(kNum | 0x80).send == -1);
        CHECK(d.feed(kNum).send == -1); // Num Lock off again while the argument is unacknowledged
        CHECK(d.feed(kReplyAck).send == kCmdSetLeds); // so the LEDs are sent again
        CHECK(d.feed(kReplyAck).send == (kLedCapsLock | kLedScrollLock));
        CHECK(d.feed(kReplyAck).send == -1);
        CHECK(d.leds_sent() == (kLedCapsLock | kLedScrollLock));
    }
    SECTION("keys typed while waiting for the ACK still arrive") {
        Decoder d;
        CHECK(d.feed(kCaps).send == kCmdSetLeds);
        CHECK(keys(d, V{kCaps | 0x80} + tap(kA)) == Keys{"CHAR U+0041"});
        CHECK(d.feed(kReplyAck).send == kLedCapsLock);
    }
    SECTION("a keyboard that never answers is given up on; the next change tries again") {
        Decoder d;
        CHECK(d.feed(kCaps).send == kCmdSetLeds);
        CHECK(d.feed(kCaps | 0x80).send == -1);
        for (unsigned i = 0; i < Decoder::kLedPatience; ++i)
            d.feed(i % 2 ? kA | 0x80 : kA);
        CHECK_FALSE(d.led_command_in_flight());
        CHECK(d.feed(kCaps).send == kCmdSetLeds);
    }
}

TEST_CASE("ps2: every byte in every state gives a valid event or none") {
    // Each single byte after each prefix and with each combination of
    // modifiers and locks.
    for (int prefix : {-1, 0xe0, 0xe1}) {
        for (int held = 0; held < 8; ++held) {
            for (int locks = 0; locks < 4; ++locks) {
                for (int b = 0; b < 256; ++b) {
                    Decoder d((locks & 2) != 0);
                    if (locks & 1) {
                        d.feed(kCaps);
                        d.feed(kReplyAck);
                        d.feed(kReplyAck);
                        d.feed(kCaps | 0x80);
                    }
                    if (held & 1) d.feed(kLShift);
                    if (held & 2) d.feed(kCtrl);
                    if (held & 4) d.feed(kAlt);
                    if (prefix >= 0) d.feed(static_cast<uint8_t>(prefix));
                    const Output o = d.feed(static_cast<uint8_t>(b));
                    if (o.has_event) {
                        INFO("prefix " << prefix << " held " << held << " locks " << locks << " byte " << b);
                        REQUIRE(input_event_problem(o.event, CELOS_INPUT_KEYBOARD) == "");
                        REQUIRE(o.event.modifiers == d.modifiers());
                    }
                }
            }
        }
    }
}

TEST_CASE("ps2: random byte streams never give an invalid event or a stray command byte") {
    std::mt19937 rng(0x9e3779b9);
    Decoder d;
    unsigned events = 0, sends = 0;
    for (int i = 0; i < 2'000'000; ++i) {
        // Mostly plausible bytes, sometimes the prefixes and replies.
        const unsigned r = rng();
        uint8_t b = static_cast<uint8_t>(r >> 8);
        if ((r & 7) == 0) b = (r & 8) ? 0xe0 : 0xfa;
        const Output o = d.feed(b);
        if (o.has_event) {
            ++events;
            INFO("byte " << i);
            REQUIRE(input_event_problem(o.event, CELOS_INPUT_KEYBOARD) == "");
        }
        if (o.send >= 0) {
            ++sends;
            REQUIRE((o.send == celos::ps2::kCmdSetLeds || (o.send & ~7) == 0));
        }
    }
    CHECK(events > 100'000);
    CHECK(sends > 100);
}
