// serial_input: keys typed on a terminal at the other end of COM1. Takes
// IRQ 4 and turns the UART's receive-data interrupt on (uart.cpp; the core
// keeps COM1's line settings and its polled output), decodes the bytes
// (vt_decoder.cpp: UTF-8, controls, xterm/VT220 escape sequences) and
// reports key events to the core's input queue. A main-loop task flushes a
// lone ESC once nothing followed it for `escape_ms` (Escape), picks up bytes
// an interrupt may have left, and reports receive errors (at most once a
// second).
//
// No UART at COM1 (the line status register reads 0xff): "not needed"
// (CELOS_ERR_NO_DEVICE). exit() turns the receive interrupt off again and
// gives the line and the task back.
#include <celos/abi.h>
#include <celos/input.h>
#include <celos/io.h>
#include <celos/irq.h>
#include <celos/system.h>

#include "uart.h"
#include "vt_decoder.h"

namespace {

using namespace celos;

constexpr unsigned kIrqLine = 4;
// Bytes one interrupt reads at most: a FIFO's worth many times over; more
// waits for the next interrupt (uart::Receiver::kick) or the task.
constexpr unsigned kBytesPerIrq = 256;
constexpr uint64_t kReportIntervalNs = 1'000'000'000;

int64_t escape_ms = 50;
const celos_module_param params[] = {
    {"escape_ms", CELOS_PARAM_INT, 0, &escape_ms,
     "how long a lone ESC waits for the rest of a sequence before it is Escape (1 to 1000 ms)"},
};

uint8_t port_in(void*, uint16_t port) {
    return celos_inb(port);
}
void port_out(void*, uint16_t port, uint8_t value) {
    celos_outb(port, value);
}

constinit uart::Receiver receiver{uart::Io{port_in, port_out, nullptr}, uart::kCom1};
constinit vt::Decoder decoder;
bool irq_registered = false, task_registered = false;
// Counted with interrupts off, logged by the task.
uint32_t events_dropped = 0, events_refused = 0;
uint32_t errors_reported = 0, refused_reported = 0;
uint64_t last_report_ns = 0;

void report(const vt::Events& events) {
    for (unsigned i = 0; i < events.count; ++i) {
        const celos_status s = celos_input_report(&events.event[i]);
        events_dropped += s == CELOS_ERR_NO_MEMORY;
        events_refused += s == CELOS_ERR_INVALID;
    }
}

// With interrupts off. A byte is read only while the input queue has room
// for the most events one byte gives (a paste longer than the queue waits
// in the UART, and at the other end of the line, until the shell has read:
// nothing is lost); the task reads the rest.
void receive(uint64_t now_ns) {
    const auto room = [] { return celos_input_room() >= vt::Events::kCapacity; };
    const unsigned n = receiver.drain(kBytesPerIrq, room, [now_ns](uint8_t byte) {
        vt::Events events;
        decoder.feed(byte, now_ns, events);
        report(events);
    });
    if (n == kBytesPerIrq && receiver.data_ready()) receiver.kick();
}

void on_irq(void*) {
    receive(celos_time_ns());
}

void task(void*) {
    uint32_t errors = 0, refused = 0;
    uart::Errors detail;
    {
        celos_irq_guard guard;
        const uint64_t now = celos_time_ns();
        receive(now);
        vt::Events events;
        decoder.tick(now, events);
        report(events);
        detail = receiver.errors();
        errors = detail.total();
        refused = events_refused;
    }
    const uint64_t now = celos_time_ns();
    if ((errors == errors_reported && refused == refused_reported) ||
        now - last_report_ns < kReportIntervalNs)
        return;
    last_report_ns = now;
    if (errors != errors_reported)
        celos_log(CELOS_LOG_WARN,
                  "COM1 receive errors so far: %u overruns (bytes lost), %u parity and %u framing errors, %u "
                  "breaks (bytes dropped)",
                  detail.overrun, detail.parity, detail.framing, detail.breaks);
    if (refused != refused_reported)
        celos_log(CELOS_LOG_ERROR, "%u events refused by the input queue (a decoder bug)", refused);
    errors_reported = errors;
    refused_reported = refused;
}

celos_status serial_input_init() {
    if (escape_ms < 1 || escape_ms > 1000) {
        celos_log(CELOS_LOG_ERROR, "escape_ms=%lld is out of range 1..1000",
                  static_cast<long long>(escape_ms));
        return CELOS_ERR_RANGE;
    }
    decoder = vt::Decoder(static_cast<uint64_t>(escape_ms) * 1'000'000);
    receiver.reset_errors();
    events_dropped = events_refused = errors_reported = refused_reported = 0;
    last_report_ns = 0;

    uart::Result r = receiver.probe();
    if (r.outcome == uart::Outcome::absent) {
        celos_log(CELOS_LOG_INFO, "no UART at 0x%x (COM1): %s: not needed", uart::kCom1, r.check);
        return CELOS_ERR_NO_DEVICE;
    }
    if (r.outcome == uart::Outcome::failed) {
        celos_log(CELOS_LOG_ERROR, "COM1: %s (0x%02x)", r.check, r.value);
        return CELOS_ERR_IO;
    }
    const unsigned stale = r.stale;
    celos_status s = celos_irq_register(kIrqLine, on_irq, nullptr);
    if (s != CELOS_OK) {
        celos_log(CELOS_LOG_ERROR, "cannot take IRQ %u: %s", kIrqLine, celos_strerror(s));
        return s;
    }
    irq_registered = true;
    {
        celos_irq_guard guard;
        r = receiver.enable();
    }
    if (r.outcome != uart::Outcome::ok) {
        celos_log(CELOS_LOG_ERROR, "COM1: %s (0x%02x)", r.check, r.value);
        celos_irq_unregister(kIrqLine, on_irq, nullptr);
        irq_registered = false;
        return CELOS_ERR_IO;
    }
    s = celos_task_register(task, nullptr);
    if (s != CELOS_OK) {
        celos_log(CELOS_LOG_ERROR, "cannot register the main-loop task: %s", celos_strerror(s));
        {
            celos_irq_guard guard;
            receiver.disable();
        }
        celos_irq_unregister(kIrqLine, on_irq, nullptr);
        irq_registered = false;
        return s;
    }
    task_registered = true;
    if (stale) celos_log(CELOS_LOG_INFO, "COM1: %u bytes received before the start dropped", stale);
    celos_log(CELOS_LOG_INFO, "COM1 receive interrupt on (IRQ 4), escape timeout %lld ms",
              static_cast<long long>(escape_ms));
    return CELOS_OK;
}

void serial_input_exit() {
    if (task_registered) celos_task_unregister(task, nullptr);
    task_registered = false;
    {
        celos_irq_guard guard;
        receiver.disable();
    }
    if (irq_registered) celos_irq_unregister(kIrqLine, on_irq, nullptr);
    irq_registered = false;
}

} // namespace

CELOS_MODULE_WITH_PARAMS("serial_input", "1.0", "", serial_input_init, serial_input_exit, params, 1);
