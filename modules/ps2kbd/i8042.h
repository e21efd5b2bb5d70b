// The i8042 ("8042 PS/2 controller"): bringing it up for a keyboard on its
// first port, and putting back what it found. Over port I/O and a clock the
// caller supplies (the module: celos_inb/celos_outb/celos_time_ns; the host
// tests: a model of the controller), so every answer a controller can give,
// including none, is tested. Every answer is untrusted: a step that fails
// names the check and the byte received.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace celos::i8042 {

inline constexpr uint16_t kDataPort = 0x60;
inline constexpr uint16_t kStatusPort = 0x64; // read: status; write: a controller command

// Status register.
inline constexpr uint8_t kStatusOutputFull = 0x01, kStatusInputFull = 0x02, kStatusAuxData = 0x20,
                         kStatusTimeout = 0x40, kStatusParity = 0x80;
// Configuration byte ("command byte").
inline constexpr uint8_t kConfigPort1Irq = 0x01, kConfigPort2Irq = 0x02, kConfigPort1ClockOff = 0x10,
                         kConfigPort2ClockOff = 0x20, kConfigTranslate = 0x40;
// Controller commands.
inline constexpr uint8_t kReadConfig = 0x20, kWriteConfig = 0x60, kDisablePort2 = 0xa7, kEnablePort2 = 0xa8,
                         kTestPort1 = 0xab, kSelfTest = 0xaa, kDisablePort1 = 0xad, kEnablePort1 = 0xae;
inline constexpr uint8_t kSelfTestPassed = 0x55, kPortTestPassed = 0x00;
// Keyboard commands (through the data port) and replies.
inline constexpr uint8_t kKbdSetLeds = 0xed, kKbdScanCodeSet = 0xf0, kKbdEnableScanning = 0xf4,
                         kKbdAck = 0xfa, kKbdResend = 0xfe;

// Port I/O and a clock.
struct Io {
    uint8_t (*in)(void* context, uint16_t port);
    void (*out)(void* context, uint16_t port, uint8_t value);
    uint64_t (*now_ns)(void* context);
    void* context;
};

enum class Outcome : uint8_t {
    ok,
    absent,      // no controller: decline
    no_keyboard, // a controller, but nothing answers on its first port: decline
    failed,      // the controller or the keyboard failed a check
};

// What init found. `check` names the failed check (or, with ok, a step that
// did not work but is not needed: `warning`); `value` is the byte received,
// or -1 when nothing came.
struct Result {
    Outcome outcome = Outcome::ok;
    const char* check = nullptr;
    int value = -1;
    const char* warning = nullptr;
    int warning_value = -1;
};

class Controller {
  public:
    // Limits: how long the controller and the keyboard may take to answer.
    static constexpr uint64_t kControllerTimeoutNs = 100'000'000;
    static constexpr uint64_t kSelfTestTimeoutNs = 500'000'000;
    static constexpr uint64_t kKeyboardTimeoutNs = 250'000'000;
    static constexpr unsigned kFlushLimit = 64;     // bytes thrown away by one flush
    static constexpr unsigned kKeyboardRetries = 3; // resends answered before giving up
    static constexpr unsigned kSkipLimit = 16;      // other bytes skipped while waiting for an ACK

    constexpr explicit Controller(Io io) : io_(io) {}

    // Brings the controller up: both ports disabled, output flushed, the
    // configuration read (kept for restore), both IRQs off and translation
    // on, self test, first port test, first port on, the keyboard set to
    // scan code set 2 (translated to set 1), scanning enabled and its LEDs
    // set to `leds`. The IRQ stays off (enable_irq, once a handler is in
    // place). On failure what was changed is put back (restore).
    Result init(uint8_t leds);

    // The configuration's first-port IRQ bit; false when the controller does not take the command.
    bool set_irq(bool on);
    // The configuration found by init (its IRQ bits and translation), with
    // the first port enabled; the second stays disabled.
    void restore();

    // One byte to the keyboard (the data port), once the controller's input
    // buffer is empty; false if it stays full.
    bool write_data(uint8_t byte);

    uint8_t saved_config() const { return saved_config_; }
    uint8_t config() const { return config_; }

  private:
    bool wait_input_empty();
    bool command(uint8_t command);
    bool command_with_data(uint8_t command, uint8_t data);
    int read_data(uint64_t timeout_ns); // a byte, or -1
    int command_reply(uint8_t command, uint64_t timeout_ns);
    int keyboard_command(uint8_t byte); // the ACK, another reply, or -1 when nothing answered
    void flush();
    Result fail(Outcome outcome, const char* check, int value);

    Io io_;
    uint8_t saved_config_ = 0;
    uint8_t config_ = 0;
    bool saved_ = false;
};

} // namespace celos::i8042
