// libFuzzer target: the input drivers' decoders over arbitrary bytes. The
// first byte picks the decoder: even, the terminal decoder of
// modules/serial_input (vt_decoder.cpp), each following byte paired with a
// time step (one byte in eight a step past the ESC timeout, and a tick now
// and then); odd, the PS/2 scan code decoder of modules/ps2kbd
// (scancode.cpp). Every event must be one celos_input_report accepts, at
// most three per terminal byte, and a byte for the keyboard only the LED
// command or its argument.
#include <cstdint>
#include <cstdlib>

#include "input_event_check.h"
#include "scancode.h"
#include "vt_decoder.h"

namespace {

void check(const celos_input_event& e, uint32_t source) {
    if (!celos::test::input_event_problem(e, source).empty()) abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    if (data[0] & 1) {
        celos::ps2::Decoder d((data[0] & 2) != 0);
        for (size_t i = 1; i < size; ++i) {
            const celos::ps2::Output o = d.feed(data[i]);
            if (o.has_event) check(o.event, CELOS_INPUT_KEYBOARD);
            if (o.send >= 0 && o.send != celos::ps2::kCmdSetLeds && (o.send & ~7)) abort();
        }
        return 0;
    }
    celos::vt::Decoder d(1'000'000 * (1 + data[0] % 100));
    uint64_t now = 0;
    for (size_t i = 1; i < size; ++i) {
        const uint8_t b = data[i];
        celos::vt::Events e;
        d.feed(b, now, e);
        if (e.count >= celos::vt::Events::kCapacity) abort();
        for (unsigned k = 0; k < e.count; ++k) check(e.event[k], CELOS_INPUT_SERIAL);
        now += (b % 8 == 7) ? d.timeout_ns() + 1 : b * 1000;
        if (b % 16 == 5) {
            celos::vt::Events t;
            d.tick(now, t);
            if (t.count >= celos::vt::Events::kCapacity) abort();
            for (unsigned k = 0; k < t.count; ++k) check(t.event[k], CELOS_INPUT_SERIAL);
        }
    }
    // It always comes back to reading keys.
    celos::vt::Events t;
    d.tick(now + d.timeout_ns(), t);
    if (d.waiting()) abort();
    return 0;
}
