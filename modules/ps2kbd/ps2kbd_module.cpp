// ps2kbd: the PS/2 keyboard on the i8042 controller. Brings the controller
// up (i8042.cpp), takes IRQ 1, and turns the scan codes it reads into key
// events (scancode.cpp) for the core's input queue. Parameter: numlock=on
// starts with Num Lock on (the keypad gives digits); off by default, as
// QEMU's keyboard starts.
//
// No controller (the status port reads 0xff, as on QEMU's `-machine
// i8042=off`) or no keyboard answering on its first port: "not needed"
// (CELOS_ERR_EXISTS). A controller that fails a check: an error naming it.
// exit() turns the IRQ off in the controller, gives the line back and puts
// back the configuration the controller had.
#include <celos/abi.h>
#include <celos/input.h>
#include <celos/io.h>
#include <celos/irq.h>

#include "i8042.h"
#include "scancode.h"

namespace {

using namespace celos;

constexpr unsigned kIrqLine = 1;
// Bytes read by one interrupt at most (the controller raises one per byte).
constexpr unsigned kBytesPerIrq = 32;

bool numlock = false;
const celos_module_param params[] = {
    {"numlock", CELOS_PARAM_BOOL, 0, &numlock, "start with Num Lock on (keypad digits)"},
};

uint8_t port_in(void*, uint16_t port) {
    return celos_inb(port);
}
void port_out(void*, uint16_t port, uint8_t value) {
    celos_outb(port, value);
}
uint64_t clock_ns(void*) {
    return celos_time_ns();
}

constinit i8042::Controller controller{i8042::Io{port_in, port_out, clock_ns, nullptr}};
constinit ps2::Decoder decoder;
bool irq_registered = false;
// Counted in the interrupt, never logged there.
uint32_t bytes_with_errors = 0, events_dropped = 0, events_refused = 0;

void on_irq(void*) {
    for (unsigned n = 0; n < kBytesPerIrq; ++n) {
        const uint8_t status = celos_inb(i8042::kStatusPort);
        if (status == 0xff || !(status & i8042::kStatusOutputFull)) return;
        const uint8_t byte = celos_inb(i8042::kDataPort);
        if (status & i8042::kStatusAuxData) continue; // the second port's (disabled) device
        if (status & (i8042::kStatusTimeout | i8042::kStatusParity)) {
            ++bytes_with_errors;
            continue;
        }
        const ps2::Output out = decoder.feed(byte);
        if (out.send >= 0) controller.write_data(static_cast<uint8_t>(out.send));
        if (out.has_event) {
            const celos_status s = celos_input_report(&out.event);
            events_dropped += s == CELOS_ERR_NO_MEMORY;
            events_refused += s == CELOS_ERR_INVALID;
        }
    }
}

celos_status ps2kbd_init() {
    decoder = ps2::Decoder(numlock);
    bytes_with_errors = events_dropped = events_refused = 0;
    const i8042::Result r = controller.init(decoder.leds());
    switch (r.outcome) {
    case i8042::Outcome::absent:
        celos_log(CELOS_LOG_INFO, "no i8042 keyboard controller (%s): not needed", r.check);
        return CELOS_ERR_NO_DEVICE;
    case i8042::Outcome::no_keyboard:
        celos_log(CELOS_LOG_INFO, "i8042: %s: not needed", r.check);
        return CELOS_ERR_NO_DEVICE;
    case i8042::Outcome::failed:
        if (r.value >= 0)
            celos_log(CELOS_LOG_ERROR, "i8042: %s, got 0x%02x", r.check, r.value);
        else
            celos_log(CELOS_LOG_ERROR, "i8042: %s", r.check);
        return CELOS_ERR_IO;
    case i8042::Outcome::ok: break;
    }
    if (r.warning) {
        if (r.warning_value >= 0)
            celos_log(CELOS_LOG_WARN, "i8042: %s (answer 0x%02x)", r.warning, r.warning_value);
        else
            celos_log(CELOS_LOG_WARN, "i8042: %s (no answer)", r.warning);
    } else {
        decoder.mark_leds_sent(decoder.leds());
    }
    celos_status s = celos_irq_register(kIrqLine, on_irq, nullptr);
    if (s != CELOS_OK) {
        celos_log(CELOS_LOG_ERROR, "cannot take IRQ %u: %s", kIrqLine, celos_strerror(s));
        controller.restore();
        return s;
    }
    irq_registered = true;
    if (!controller.set_irq(true)) {
        celos_log(CELOS_LOG_ERROR,
                  "i8042: input buffer stays full at 'write configuration' (0x60): IRQ 1 not on");
        celos_irq_unregister(kIrqLine, on_irq, nullptr);
        irq_registered = false;
        controller.restore();
        return CELOS_ERR_IO;
    }
    celos_log(CELOS_LOG_INFO,
              "i8042 keyboard on IRQ 1: configuration 0x%02x (0x%02x as read with both ports off), scan code "
              "set 1 (translated), US layout, Num Lock %s",
              controller.config(), controller.saved_config(), numlock ? "on" : "off");
    return CELOS_OK;
}

void ps2kbd_exit() {
    {
        celos_irq_guard guard;
        controller.set_irq(false);
    }
    if (irq_registered) celos_irq_unregister(kIrqLine, on_irq, nullptr);
    irq_registered = false;
    controller.restore();
    if (bytes_with_errors || events_dropped || events_refused)
        celos_log(CELOS_LOG_INFO,
                  "%u bytes with parity or timeout errors, %u events dropped (queue full), %u refused",
                  bytes_with_errors, events_dropped, events_refused);
}

} // namespace

CELOS_MODULE_WITH_PARAMS("ps2kbd", "1.0", "", ps2kbd_init, ps2kbd_exit, params, 1);
