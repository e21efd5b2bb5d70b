// The receiving side of a 16550 UART (COM1) whose line settings belong to
// someone else: the core programs COM1 at boot (115200 8N1, FIFOs, OUT2)
// and writes its log to it by polling. This turns the receive-data
// interrupt on and off and reads what arrived; it never touches the divisor,
// the line settings or the transmitter. Over port I/O the caller supplies
// (the module: celos_inb/celos_outb; the host tests: a model), so every
// register value a missing or odd UART gives is tested.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace celos::uart {

inline constexpr uint16_t kCom1 = 0x3f8;
// Register offsets (PC16550D datasheet).
inline constexpr uint16_t kData = 0, kInterruptEnable = 1, kInterruptId = 2, kLineControl = 3,
                          kModemControl = 4, kLineStatus = 5;
inline constexpr uint8_t kLineStatusDataReady = 0x01, kLineStatusOverrun = 0x02, kLineStatusParity = 0x04,
                         kLineStatusFraming = 0x08, kLineStatusBreak = 0x10;
inline constexpr uint8_t kEnableReceiveData = 0x01;
inline constexpr uint8_t kModemControlOut2 = 0x08; // gates the UART's interrupt onto the ISA line
inline constexpr uint8_t kLineControlDlab = 0x80;

struct Io {
    uint8_t (*in)(void* context, uint16_t port);
    void (*out)(void* context, uint16_t port, uint8_t value);
    void* context;
};

enum class Outcome : uint8_t { ok, absent, failed };

// `check` names what failed; `value` the register's value (-1: none).
struct Result {
    Outcome outcome = Outcome::ok;
    const char* check = nullptr;
    int value = -1;
    unsigned stale = 0; // bytes waiting before the start, thrown away (probe)
};

// Receive errors the line status reported, since start.
struct Errors {
    uint32_t overrun = 0; // bytes lost before the one read
    uint32_t parity = 0;  // bytes dropped
    uint32_t framing = 0; // bytes dropped
    uint32_t breaks = 0;  // break conditions (their NUL byte dropped)
    uint32_t total() const { return overrun + parity + framing + breaks; }
};

class Receiver {
  public:
    static constexpr unsigned kStaleLimit = 256; // bytes probe() throws away at most

    constexpr Receiver(Io io, uint16_t base) : io_(io), base_(base) {}

    // Is there a UART, set up for data (DLAB off)? Throws away what was
    // received before (the FIFO may hold keys typed at the boot menu).
    Result probe();
    // Receive-data interrupt on (and OUT2, should it be off); checks that
    // the interrupt enable register reads back.
    Result enable();
    // Puts the interrupt enable and modem control registers back.
    void disable();

    // Reads what arrived, at most `limit` bytes, handing each good byte to
    // `sink(byte)`; returns the bytes read from the FIFO.
    template <class Sink>
    unsigned drain(unsigned limit, Sink&& sink) {
        return drain(limit, [] { return true; }, sink);
    }
    // The same, reading a byte only while `more()` says there is room for
    // what it may give: the rest stays in the UART (and the sender waits
    // behind it) until a later drain.
    template <class More, class Sink>
    unsigned drain(unsigned limit, More&& more, Sink&& sink) {
        unsigned n = 0;
        for (; n < limit && more(); ++n) {
            const uint8_t status = in(kLineStatus);
            if (status == 0xff || !(status & kLineStatusDataReady)) break;
            const uint8_t byte = in(kData);
            errors_.overrun += (status & kLineStatusOverrun) != 0;
            if (status & kLineStatusBreak) {
                ++errors_.breaks;
            } else if (status & kLineStatusParity) {
                ++errors_.parity;
            } else if (status & kLineStatusFraming) {
                ++errors_.framing;
            } else {
                sink(byte);
            }
        }
        return n;
    }
    bool data_ready() {
        const uint8_t status = in(kLineStatus);
        return status != 0xff && (status & kLineStatusDataReady);
    }
    // The interrupt line is edge-triggered at the PIC: with bytes left in
    // the FIFO after a bounded drain, turning the interrupt off and on again
    // makes a new edge, so the rest is not stranded.
    void kick();

    const Errors& errors() const { return errors_; }
    void reset_errors() { errors_ = {}; }

  private:
    uint8_t in(uint16_t reg) { return io_.in(io_.context, static_cast<uint16_t>(base_ + reg)); }
    void out(uint16_t reg, uint8_t value) { io_.out(io_.context, static_cast<uint16_t>(base_ + reg), value); }

    Io io_;
    uint16_t base_;
    uint8_t saved_ier_ = 0, saved_mcr_ = 0;
    bool enabled_ = false;
    Errors errors_;
};

} // namespace celos::uart
