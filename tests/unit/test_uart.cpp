// COM1's receiving side (modules/serial_input/uart.cpp) against a model of
// a 16550 that can be absent, mid-reprogramming, babbling or broken.
#include <catch2/catch.hpp>

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "uart.h"

using namespace celos::uart;

namespace {

struct FakeUart {
    bool present = true;
    bool ier_writable = true;
    bool always_ready = false; // data ready never clears
    uint8_t ier = 0, lcr = 0x03, mcr = 0x0f;
    // Received bytes with the line status bits (errors) that come with each.
    std::deque<std::pair<uint8_t, uint8_t>> fifo;
    std::vector<uint8_t> ier_writes;

    Io io() {
        return Io{[](void* c, uint16_t port) { return static_cast<FakeUart*>(c)->in(port); },
                  [](void* c, uint16_t port, uint8_t v) { static_cast<FakeUart*>(c)->out(port, v); }, this};
    }
    uint8_t in(uint16_t port) {
        if (!present) return 0xff;
        switch (port - kCom1) {
        case kData: {
            if (fifo.empty()) return 0;
            const uint8_t b = fifo.front().first;
            fifo.pop_front();
            return b;
        }
        case kInterruptEnable: return ier;
        case kLineControl: return lcr;
        case kModemControl: return mcr;
        case kLineStatus:
            return static_cast<uint8_t>(0x60 | (fifo.empty() && !always_ready ? 0 : kLineStatusDataReady) |
                                        (fifo.empty() ? 0 : fifo.front().second));
        default: FAIL("read of register " << port - kCom1); return 0;
        }
    }
    void out(uint16_t port, uint8_t v) {
        switch (port - kCom1) {
        case kInterruptEnable:
            ier_writes.push_back(v);
            if (ier_writable) ier = v;
            break;
        case kModemControl: mcr = v; break;
        default: FAIL("write of register " << port - kCom1 << ": the core owns it");
        }
    }
    void receive(const std::string& s, uint8_t status = 0) {
        for (unsigned char c : s)
            fifo.emplace_back(c, status);
    }
};

} // namespace

TEST_CASE("uart: probe, enable and disable on a 16550 the core set up") {
    FakeUart f;
    f.receive("typed at GRUB");
    Receiver r(f.io(), kCom1);
    Result p = r.probe();
    REQUIRE(p.outcome == Outcome::ok);
    CHECK(p.stale == 13);
    CHECK(f.fifo.empty());
    REQUIRE(r.enable().outcome == Outcome::ok);
    CHECK(f.ier == kEnableReceiveData);
    CHECK(f.mcr == 0x0f); // untouched: OUT2 was on
    f.receive("hi");
    std::string got;
    CHECK(r.drain(100, [&](uint8_t b) { got += char(b); }) == 2);
    CHECK(got == "hi");
    r.disable();
    CHECK(f.ier == 0);
    CHECK(f.lcr == 0x03);
}

TEST_CASE("uart: OUT2 off: turned on for the interrupt, and off again at the end") {
    FakeUart f;
    f.mcr = 0x03;
    Receiver r(f.io(), kCom1);
    REQUIRE(r.probe().outcome == Outcome::ok);
    REQUIRE(r.enable().outcome == Outcome::ok);
    CHECK(f.mcr == 0x0b);
    r.disable();
    CHECK(f.mcr == 0x03);
}

TEST_CASE("uart: no UART: the line status reads 0xff") {
    FakeUart f;
    f.present = false;
    Receiver r(f.io(), kCom1);
    const Result p = r.probe();
    CHECK(p.outcome == Outcome::absent);
    CHECK(std::string(p.check) == "line status register reads 0xff");
    CHECK(r.drain(100, [](uint8_t) { FAIL("a byte from no UART"); }) == 0);
    CHECK_FALSE(r.data_ready());
}

TEST_CASE("uart: the divisor latch is selected: refused, nothing read") {
    FakeUart f;
    f.lcr = 0x83;
    f.receive("x");
    Receiver r(f.io(), kCom1);
    const Result p = r.probe();
    CHECK(p.outcome == Outcome::failed);
    CHECK(std::string(p.check) == "line control register has DLAB set (offset 0 is the divisor, not data)");
    CHECK(p.value == 0x83);
    CHECK(f.fifo.size() == 1);
}

TEST_CASE("uart: a receiver that never empties is refused after a bounded number of reads") {
    FakeUart f;
    f.always_ready = true;
    Receiver r(f.io(), kCom1);
    const Result p = r.probe();
    CHECK(p.outcome == Outcome::failed);
    CHECK(std::string(p.check) == "data ready stays set after 256 reads: the receiver never empties");
    CHECK(p.stale == Receiver::kStaleLimit);
}

TEST_CASE("uart: an interrupt enable register that does not read back: refused, put back") {
    FakeUart f;
    f.ier_writable = false;
    f.mcr = 0x03;
    Receiver r(f.io(), kCom1);
    REQUIRE(r.probe().outcome == Outcome::ok);
    const Result e = r.enable();
    CHECK(e.outcome == Outcome::failed);
    CHECK(std::string(e.check) == "interrupt enable register does not read back what was written");
    CHECK(e.value == 0);
    CHECK(f.mcr == 0x03);
    r.disable(); // not enabled: writes nothing
    CHECK(f.ier_writes.size() == 2);
}

TEST_CASE("uart: receive errors are counted, bytes with parity, framing and break dropped") {
    FakeUart f;
    Receiver r(f.io(), kCom1);
    f.receive("a");
    f.receive("b", kLineStatusOverrun); // good byte, ones before it lost
    f.receive("c", kLineStatusParity);
    f.receive("d", kLineStatusFraming);
    f.receive(std::string(1, '\0'), kLineStatusBreak | kLineStatusFraming);
    f.receive("e");
    std::string got;
    CHECK(r.drain(100, [&](uint8_t b) { got += char(b); }) == 6);
    CHECK(got == "abe");
    CHECK(r.errors().overrun == 1);
    CHECK(r.errors().parity == 1);
    CHECK(r.errors().framing == 1);
    CHECK(r.errors().breaks == 1);
    CHECK(r.errors().total() == 4);
    r.reset_errors();
    CHECK(r.errors().total() == 0);
}

TEST_CASE("uart: a drain stops at its limit, and kick makes a new interrupt edge") {
    FakeUart f;
    Receiver r(f.io(), kCom1);
    REQUIRE(r.probe().outcome == Outcome::ok);
    REQUIRE(r.enable().outcome == Outcome::ok);
    f.receive(std::string(300, 'x'));
    unsigned n = 0;
    CHECK(r.drain(256, [&](uint8_t) { ++n; }) == 256);
    CHECK(n == 256);
    CHECK(r.data_ready());
    f.ier_writes.clear();
    r.kick();
    CHECK(f.ier_writes == std::vector<uint8_t>{0, kEnableReceiveData});
    CHECK(r.drain(256, [&](uint8_t) { ++n; }) == 44);
    CHECK_FALSE(r.data_ready());
}

TEST_CASE("uart: a drain reads only while there is room, the rest stays in the UART", "[uart]") {
    FakeUart f;
    Receiver r(f.io(), kCom1);
    REQUIRE(r.probe().outcome == Outcome::ok);
    REQUIRE(r.enable().outcome == Outcome::ok);
    f.receive("abcdefgh");
    std::string got;
    unsigned room = 3;
    auto more = [&] { return room > 0; };
    auto sink = [&](uint8_t b) {
        got += char(b);
        --room;
    };
    CHECK(r.drain(256, more, sink) == 3);
    CHECK(got == "abc");
    CHECK(r.data_ready()); // not read, not lost
    CHECK(r.drain(256, more, sink) == 0);
    room = 100;
    CHECK(r.drain(256, more, sink) == 5);
    CHECK(got == "abcdefgh");
    CHECK_FALSE(r.data_ready());
    CHECK(r.errors().total() == 0);
}
