// The i8042 bring-up (modules/ps2kbd/i8042.cpp) against a model of the
// controller and its keyboard that can be absent, silent, failing or
// chatty: every answer is input the driver must check.
#include <catch2/catch.hpp>

#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "i8042.h"

using namespace celos::i8042;

namespace {

// A controller after the OSDev wiki's description and QEMU's hw/input/pckbd.c.
struct FakeI8042 {
    // What the machine has and how it answers.
    bool present = true;
    bool input_stuck = false;    // the input buffer never empties
    bool output_stuck = false;   // the output buffer always holds a 0x00
    int self_test_answer = 0x55; // -1: none
    bool self_test_resets_config = false;
    int port_test_answer = 0x00; // -1: none
    bool keyboard = true;
    int resends_first = 0;        // the keyboard answers FE to this many bytes first
    std::vector<uint8_t> refused; // keyboard commands answered with FE, always
    std::vector<uint8_t> noise;   // scan codes the keyboard sends before each reply

    uint8_t config = 0x47; // as firmware may leave it: both IRQs, system flag, translation
    uint64_t now = 0;
    std::deque<uint8_t> output;
    int awaiting_config = 0;       // after 0x60
    int keyboard_argument = -1;    // after 0xED or 0xF0: the command
    std::vector<uint8_t> commands; // to the controller
    std::vector<uint8_t> to_keyboard;
    uint8_t leds = 0xff, scan_set = 0;
    bool scanning = false;

    Io io() {
        return Io{[](void* c, uint16_t port) { return static_cast<FakeI8042*>(c)->in(port); },
                  [](void* c, uint16_t port, uint8_t v) { static_cast<FakeI8042*>(c)->out(port, v); },
                  [](void* c) { return static_cast<FakeI8042*>(c)->now; }, this};
    }

    uint8_t in(uint16_t port) {
        now += 1000; // a port read takes about a microsecond
        if (!present) return 0xff;
        if (port == kStatusPort)
            return static_cast<uint8_t>((output.empty() && !output_stuck ? 0 : kStatusOutputFull) |
                                        (input_stuck ? kStatusInputFull : 0) | 0x04);
        REQUIRE(port == kDataPort);
        if (output.empty()) return 0;
        const uint8_t b = output.front();
        output.pop_front();
        return b;
    }

    void reply(uint8_t b) {
        for (uint8_t n : noise)
            output.push_back(n);
        output.push_back(b);
    }

    void out(uint16_t port, uint8_t v) {
        now += 1000;
        if (!present || input_stuck) return;
        if (port == kStatusPort) {
            commands.push_back(v);
            switch (v) {
            case kReadConfig: output.push_back(config); break;
            case kWriteConfig: awaiting_config = 1; break;
            case kSelfTest:
                if (self_test_resets_config) config = 0x00;
                if (self_test_answer >= 0) output.push_back(static_cast<uint8_t>(self_test_answer));
                break;
            case kTestPort1:
                if (port_test_answer >= 0) output.push_back(static_cast<uint8_t>(port_test_answer));
                break;
            case kDisablePort1: config |= kConfigPort1ClockOff; break;
            case kEnablePort1: config &= ~kConfigPort1ClockOff; break;
            case kDisablePort2: config |= kConfigPort2ClockOff; break;
            case kEnablePort2: config &= ~kConfigPort2ClockOff; break;
            default: FAIL("unexpected controller command " << int(v));
            }
            return;
        }
        REQUIRE(port == kDataPort);
        if (awaiting_config) {
            awaiting_config = 0;
            config = v;
            return;
        }
        to_keyboard.push_back(v);
        if (!keyboard || (config & kConfigPort1ClockOff)) return; // nothing answers
        if (resends_first > 0) {
            --resends_first;
            reply(kKbdResend);
            return;
        }
        if (keyboard_argument >= 0) {
            (keyboard_argument == kKbdSetLeds ? leds : scan_set) = v;
            keyboard_argument = -1;
            reply(kKbdAck);
            return;
        }
        for (uint8_t r : refused)
            if (r == v) {
                reply(kKbdResend);
                return;
            }
        if (v == kKbdSetLeds || v == kKbdScanCodeSet) keyboard_argument = v;
        if (v == kKbdEnableScanning) scanning = true;
        reply(kKbdAck);
    }
};

std::string check_of(const Result& r) {
    return r.check ? r.check : "";
}

// What restore() leaves of that 0x47: its IRQ bits and translation,
// the first port on, the second off (init read it with both off).
constexpr uint8_t kRestored = 0x47 | kConfigPort2ClockOff;

} // namespace

TEST_CASE("i8042: a healthy controller and keyboard") {
    FakeI8042 f;
    f.output = {0x1e, 0x9e}; // keys pressed before: flushed
    Controller c(f.io());
    const Result r = c.init(0x02);
    INFO(check_of(r));
    REQUIRE(r.outcome == Outcome::ok);
    CHECK(r.warning == nullptr);
    CHECK(c.saved_config() ==
          (0x47 | kConfigPort1ClockOff | kConfigPort2ClockOff)); // read with both ports off
    // IRQs off until the handler is in place, translation on, port 1 on,
    // port 2 off.
    CHECK(f.config == (0x47 & ~(kConfigPort1Irq | kConfigPort2Irq)) + kConfigPort2ClockOff);
    CHECK(f.to_keyboard ==
          std::vector<uint8_t>{kKbdScanCodeSet, 0x02, kKbdEnableScanning, kKbdSetLeds, 0x02});
    CHECK(f.scan_set == 2);
    CHECK(f.scanning);
    CHECK(f.leds == 0x02);
    CHECK(f.output.empty());
    CHECK(f.commands.front() == kDisablePort1);
    REQUIRE(c.set_irq(true));
    CHECK((f.config & kConfigPort1Irq));
    CHECK_FALSE((f.config & kConfigPort2Irq));
    REQUIRE(c.set_irq(false));
    CHECK_FALSE((f.config & kConfigPort1Irq));
    c.restore();
    CHECK(f.config == kRestored);
    // The keyboard still answers: the panic path or a later load may use it.
    CHECK(c.write_data(0xf4));
}

TEST_CASE("i8042: no controller: the status port reads 0xff, nothing is written") {
    FakeI8042 f;
    f.present = false;
    Controller c(f.io());
    const Result r = c.init(0);
    CHECK(r.outcome == Outcome::absent);
    CHECK(check_of(r) == "status port 0x64 reads 0xff");
    CHECK(f.commands.empty());
    c.restore(); // nothing saved: nothing written
    CHECK(f.commands.empty());
}

TEST_CASE("i8042: a controller that takes no command") {
    FakeI8042 f;
    f.input_stuck = true;
    Controller c(f.io());
    const Result r = c.init(0);
    CHECK(r.outcome == Outcome::failed);
    CHECK(check_of(r) == "input buffer stays full: the controller takes no command");
    CHECK(f.now >= Controller::kControllerTimeoutNs); // it waited, and not for ever
    CHECK(f.now < 10 * Controller::kControllerTimeoutNs);
}

TEST_CASE("i8042: an output buffer that never empties ends in a failed check, not a hang") {
    FakeI8042 f;
    f.output_stuck = true;
    f.self_test_answer = -1;
    Controller c(f.io());
    const Result r = c.init(0);
    CHECK(r.outcome == Outcome::failed);
    CHECK(check_of(r) == "controller self test (0xaa) failed: expected 0x55");
    CHECK(r.value == 0x00); // what the data port gives when nothing is there
}

TEST_CASE("i8042: the self test fails or does not answer, and the configuration is put back") {
    FakeI8042 f;
    f.self_test_answer = 0xfc;
    Controller c(f.io());
    Result r = c.init(0);
    CHECK(r.outcome == Outcome::failed);
    CHECK(check_of(r) == "controller self test (0xaa) failed: expected 0x55");
    CHECK(r.value == 0xfc);
    CHECK(f.config == kRestored);

    FakeI8042 g;
    g.self_test_answer = -1;
    Controller d(g.io());
    r = d.init(0);
    CHECK(r.outcome == Outcome::failed);
    CHECK(check_of(r) == "no answer to the controller self test (0xaa)");
    CHECK(r.value == -1);
    CHECK(g.config == kRestored);
}

TEST_CASE("i8042: a self test that resets the configuration is followed by the configuration again") {
    FakeI8042 f;
    f.self_test_resets_config = true;
    Controller c(f.io());
    REQUIRE(c.init(0).outcome == Outcome::ok);
    CHECK((f.config & kConfigTranslate));
}

TEST_CASE("i8042: the first port test fails") {
    for (int answer : {0x01, 0x02, 0x03, 0x04, 0xff}) {
        FakeI8042 f;
        f.port_test_answer = answer;
        Controller c(f.io());
        const Result r = c.init(0);
        CHECK(r.outcome == Outcome::failed);
        CHECK(check_of(r).rfind("first port test (0xab) failed", 0) == 0);
        CHECK(r.value == answer);
    }
    FakeI8042 f;
    f.port_test_answer = -1;
    Controller c(f.io());
    CHECK(check_of(c.init(0)) == "no answer to the first port test (0xab)");
}

TEST_CASE("i8042: no keyboard on the first port") {
    FakeI8042 f;
    f.keyboard = false;
    Controller c(f.io());
    const Result r = c.init(0);
    CHECK(r.outcome == Outcome::no_keyboard);
    CHECK(check_of(r) == "no keyboard on the first port: no answer to 0xf0");
    CHECK(f.config == kRestored);
}

TEST_CASE("i8042: keyboard resends, refusals and scan codes before the ACK") {
    SECTION("resends within the limit") {
        FakeI8042 f;
        f.resends_first = 3;
        Controller c(f.io());
        REQUIRE(c.init(0).outcome == Outcome::ok);
        CHECK(f.scan_set == 2);
    }
    SECTION("scan codes typed meanwhile are skipped") {
        FakeI8042 f;
        f.noise = {0x1e, 0x9e};
        Controller c(f.io());
        const Result r = c.init(0x04);
        REQUIRE(r.outcome == Outcome::ok);
        CHECK(r.warning == nullptr);
        CHECK(f.leds == 0x04);
    }
    SECTION("more scan codes before an ACK than the limit: the command counts as refused") {
        FakeI8042 f;
        f.noise.assign(Controller::kSkipLimit + 1, 0x1e);
        Controller c(f.io());
        const Result r = c.init(0);
        CHECK(r.outcome == Outcome::failed);
        CHECK(check_of(r) == "the keyboard refused 'enable scanning' (0xf4): expected 0xfa");
        CHECK(r.value == 0x1e);
    }
    SECTION("scan code set refused: a warning, the keyboard's own set kept") {
        FakeI8042 f;
        f.refused = {kKbdScanCodeSet};
        Controller c(f.io());
        const Result r = c.init(0);
        REQUIRE(r.outcome == Outcome::ok);
        CHECK(std::string(r.warning) ==
              "the keyboard refused 'scan code set 2' (0xf0 0x02); keeping its set");
        CHECK(r.warning_value == kKbdResend);
        CHECK(f.scanning);
    }
    SECTION("enable scanning refused: failed") {
        FakeI8042 f;
        f.refused = {kKbdEnableScanning};
        Controller c(f.io());
        const Result r = c.init(0);
        CHECK(r.outcome == Outcome::failed);
        CHECK(check_of(r) == "the keyboard refused 'enable scanning' (0xf4): expected 0xfa");
        CHECK(r.value == kKbdResend);
        CHECK(f.config == kRestored);
    }
    SECTION("LEDs refused: a warning") {
        FakeI8042 f;
        f.refused = {kKbdSetLeds};
        Controller c(f.io());
        const Result r = c.init(0);
        REQUIRE(r.outcome == Outcome::ok);
        CHECK(std::string(r.warning) == "the keyboard refused 'set LEDs' (0xed)");
    }
}

TEST_CASE("i8042: random controller answers never hang init nor leave it half done") {
    // A controller whose every read is random: init ends (within the
    // timeouts) with some outcome, and a failure puts the configuration back.
    struct Random {
        uint32_t state;
        uint64_t now = 0;
        uint8_t config_written = 0;
        bool wrote = false;
        int awaiting = 0;
        uint8_t next() {
            state = state * 1664525u + 1013904223u;
            return static_cast<uint8_t>(state >> 24);
        }
    };
    for (uint32_t seed = 1; seed <= 300; ++seed) {
        Random r{seed};
        Io io{[](void* c, uint16_t) {
                  auto* s = static_cast<Random*>(c);
                  s->now += 1000;
                  return s->next();
              },
              [](void* c, uint16_t port, uint8_t v) {
                  auto* s = static_cast<Random*>(c);
                  s->now += 1000;
                  if (port == kStatusPort)
                      s->awaiting = v == kWriteConfig;
                  else if (s->awaiting) {
                      s->awaiting = 0;
                      s->config_written = v;
                      s->wrote = true;
                  }
              },
              [](void* c) { return static_cast<Random*>(c)->now; }, &r};
        Controller c(io);
        const Result result = c.init(0);
        CHECK(r.now < 20'000'000'000ull);
        if (result.outcome == Outcome::failed || result.outcome == Outcome::no_keyboard) {
            if (r.wrote) CHECK(r.config_written == (c.saved_config() & ~kConfigPort1ClockOff));
            CHECK(result.check != nullptr);
        }
    }
}
