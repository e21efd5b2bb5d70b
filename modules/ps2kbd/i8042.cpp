// The i8042 bring-up, in the order of the OSDev wiki's "8042 PS/2
// Controller" initialisation (USB legacy and ACPI checks left out: the core
// offers neither). See i8042.h.
#include "i8042.h"

namespace celos::i8042 {
namespace {

// A clock that does not move must not hang the loops.
constexpr unsigned long kMaxSpins = 10'000'000;

} // namespace

bool Controller::wait_input_empty() {
    const uint64_t deadline = io_.now_ns(io_.context) + kControllerTimeoutNs;
    for (unsigned long spin = 0; spin < kMaxSpins; ++spin) {
        if (!(io_.in(io_.context, kStatusPort) & kStatusInputFull)) return true;
        if (io_.now_ns(io_.context) > deadline) break;
    }
    return false;
}

bool Controller::command(uint8_t command) {
    if (!wait_input_empty()) return false;
    io_.out(io_.context, kStatusPort, command);
    return true;
}

bool Controller::command_with_data(uint8_t command, uint8_t data) {
    if (!this->command(command) || !wait_input_empty()) return false;
    io_.out(io_.context, kDataPort, data);
    return true;
}

bool Controller::write_data(uint8_t byte) {
    if (!wait_input_empty()) return false;
    io_.out(io_.context, kDataPort, byte);
    return true;
}

int Controller::read_data(uint64_t timeout_ns) {
    const uint64_t deadline = io_.now_ns(io_.context) + timeout_ns;
    for (unsigned long spin = 0; spin < kMaxSpins; ++spin) {
        if (io_.in(io_.context, kStatusPort) & kStatusOutputFull) return io_.in(io_.context, kDataPort);
        if (io_.now_ns(io_.context) > deadline) break;
    }
    return -1;
}

int Controller::command_reply(uint8_t command, uint64_t timeout_ns) {
    if (!this->command(command)) return -1;
    return read_data(timeout_ns);
}

void Controller::flush() {
    for (unsigned i = 0; i < kFlushLimit; ++i) {
        if (!(io_.in(io_.context, kStatusPort) & kStatusOutputFull)) return;
        io_.in(io_.context, kDataPort);
    }
}

// Sends a command byte to the keyboard and waits for its ACK, resending
// when it asks; scan codes that come first are skipped. What is left of an
// earlier answer is thrown away first, so an ACK is this command's.
int Controller::keyboard_command(uint8_t byte) {
    int reply = -1;
    for (unsigned attempt = 0; attempt <= kKeyboardRetries; ++attempt) {
        flush();
        if (!write_data(byte)) return -1;
        reply = -1;
        for (unsigned skipped = 0; skipped <= kSkipLimit; ++skipped) {
            reply = read_data(kKeyboardTimeoutNs);
            if (reply < 0 || reply == kKbdAck || reply == kKbdResend) break;
        }
        if (reply != kKbdResend) return reply;
    }
    return reply;
}

Result Controller::fail(Outcome outcome, const char* check, int value) {
    restore();
    Result r;
    r.outcome = outcome;
    r.check = check;
    r.value = value;
    return r;
}

Result Controller::init(uint8_t leds) {
    saved_ = false;
    // Nothing decodes port 0x64 on a machine without the controller: the
    // bus reads all ones.
    if (io_.in(io_.context, kStatusPort) == 0xff) {
        Result r;
        r.outcome = Outcome::absent;
        r.check = "status port 0x64 reads 0xff";
        r.value = 0xff;
        return r;
    }
    if (!command(kDisablePort1) || !command(kDisablePort2))
        return fail(Outcome::failed, "input buffer stays full: the controller takes no command", -1);
    flush();
    const int config = command_reply(kReadConfig, kControllerTimeoutNs);
    if (config < 0) return fail(Outcome::failed, "no answer to 'read configuration' (0x20)", -1);
    saved_config_ = static_cast<uint8_t>(config);
    saved_ = true;
    config_ = static_cast<uint8_t>((config & ~(kConfigPort1Irq | kConfigPort2Irq)) | kConfigTranslate);
    if (!command_with_data(kWriteConfig, config_))
        return fail(Outcome::failed, "input buffer stays full at 'write configuration' (0x60)", -1);

    const int self_test = command_reply(kSelfTest, kSelfTestTimeoutNs);
    if (self_test != kSelfTestPassed)
        return fail(Outcome::failed,
                    self_test < 0 ? "no answer to the controller self test (0xaa)"
                                  : "controller self test (0xaa) failed: expected 0x55",
                    self_test);
    // Some controllers reset their configuration in the self test.
    if (!command_with_data(kWriteConfig, config_))
        return fail(Outcome::failed, "input buffer stays full at 'write configuration' (0x60)", -1);

    const int port_test = command_reply(kTestPort1, kControllerTimeoutNs);
    if (port_test != kPortTestPassed)
        return fail(Outcome::failed,
                    port_test < 0 ? "no answer to the first port test (0xab)"
                                  : "first port test (0xab) failed: expected 0x00 (1, 2: clock line stuck "
                                    "low, high; 3, 4: data line stuck low, high)",
                    port_test);
    if (!command(kEnablePort1))
        return fail(Outcome::failed, "input buffer stays full at 'enable port 1' (0xae)", -1);
    config_ = static_cast<uint8_t>(config_ & ~kConfigPort1ClockOff);

    Result result;
    // Set 2, which the controller translates to set 1: what the decoder reads.
    int reply = keyboard_command(kKbdScanCodeSet);
    if (reply < 0) return fail(Outcome::no_keyboard, "no keyboard on the first port: no answer to 0xf0", -1);
    if (reply == kKbdAck) reply = keyboard_command(0x02);
    if (reply != kKbdAck) {
        result.warning = "the keyboard refused 'scan code set 2' (0xf0 0x02); keeping its set";
        result.warning_value = reply;
    }
    reply = keyboard_command(kKbdEnableScanning);
    if (reply < 0) return fail(Outcome::no_keyboard, "no keyboard on the first port: no answer to 0xf4", -1);
    if (reply != kKbdAck)
        return fail(Outcome::failed, "the keyboard refused 'enable scanning' (0xf4): expected 0xfa", reply);
    reply = keyboard_command(kKbdSetLeds);
    if (reply == kKbdAck) reply = keyboard_command(leds);
    if (reply != kKbdAck && !result.warning) {
        result.warning = "the keyboard refused 'set LEDs' (0xed)";
        result.warning_value = reply;
    }
    flush();
    return result;
}

bool Controller::set_irq(bool on) {
    config_ = static_cast<uint8_t>(on ? config_ | kConfigPort1Irq : config_ & ~kConfigPort1Irq);
    return command_with_data(kWriteConfig, config_);
}

// The configuration was read with both ports disabled, so whether the
// firmware had them on is not known: the keyboard's port is turned on again
// (firmware always uses it), the second port is left off for its own driver.
void Controller::restore() {
    if (!saved_) return;
    config_ = static_cast<uint8_t>(saved_config_ & ~kConfigPort1ClockOff);
    command_with_data(kWriteConfig, config_);
    command(kEnablePort1);
    flush();
}

} // namespace celos::i8042
