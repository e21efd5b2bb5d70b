// PC keyboard scan code set 1 (what the i8042 gives with translation on) to
// celos_input_event, US layout; and the keyboard's LED command (Set LEDs,
// 0xED) driven from the bytes the keyboard sends back. Pure logic: no ports,
// no kernel calls. Compiled into ps2kbd.ko and the host tests.
//
// What it decodes:
// - Make codes give one event each (a typematic repeat gives one more);
//   break codes give none but release Shift, Ctrl and Alt.
// - E0 prefixes: the grey navigation keys, keypad Enter and '/', right Ctrl
//   and Alt; the fake shifts some keyboards wrap around grey keys (E0 2A,
//   E0 36 and their breaks) are ignored. The Pause key's E1 sequence is
//   skipped whole. Other E0 keys (GUI, Menu, PrintScreen, media) give nothing.
// - US layout: Shift, Caps Lock (letters only), Ctrl+letter = the letter
//   (lower case, upper case with Shift; Caps Lock does not change it) with
//   CELOS_MOD_CTRL, Alt (either: right Alt is Alt, the US layout has no
//   AltGr). Events carry the modifiers held (Shift too: Shift+a is 'A' with
//   CELOS_MOD_SHIFT).
// - Keypad: '*', '-', '+', '/' and Enter always; with Num Lock digits and
//   '.', without it Home, Up, PgUp, Left, Right, End, Down, PgDn, Insert,
//   Delete (keypad 5 gives nothing). QEMU's keyboard, like a PC keyboard at
//   power-on, starts with its LEDs off, so Num Lock starts off unless the
//   driver says otherwise.
// - Keyboard replies (ACK 0xFA, resend 0xFE, echo 0xEE) and the error codes
//   0x00 and 0xFF never give a key.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <celos/input.h>

namespace celos::ps2 {

// Bits of the Set LEDs command's argument.
inline constexpr uint8_t kLedScrollLock = 0x1, kLedNumLock = 0x2, kLedCapsLock = 0x4;
// Keyboard commands and replies used here.
inline constexpr uint8_t kCmdSetLeds = 0xed, kReplyAck = 0xfa, kReplyResend = 0xfe, kReplyEcho = 0xee;

// What one byte from the keyboard gave: at most one key event, and at most
// one byte to write to the keyboard (the next step of the LED command).
struct Output {
    bool has_event = false;
    celos_input_event event{};
    int send = -1; // a byte for the keyboard (the i8042's data port), or -1
};

class Decoder {
  public:
    constexpr Decoder() = default;
    constexpr explicit Decoder(bool num_lock) : num_lock_(num_lock) {}

    // One byte from the keyboard.
    Output feed(uint8_t byte);

    // The LED bits for the current lock state (the argument of 0xED).
    uint8_t leds() const {
        return static_cast<uint8_t>((caps_lock_ ? kLedCapsLock : 0) | (num_lock_ ? kLedNumLock : 0) |
                                    (scroll_lock_ ? kLedScrollLock : 0));
    }
    // The LEDs as the keyboard last acknowledged them (the driver sets them
    // at init with mark_leds_sent).
    uint8_t leds_sent() const { return leds_sent_; }
    void mark_leds_sent(uint8_t leds) { leds_sent_ = leds; }
    bool led_command_in_flight() const { return led_step_ != LedStep::idle; }

    bool caps_lock() const { return caps_lock_; }
    bool num_lock() const { return num_lock_; }
    uint32_t modifiers() const;

    // A keyboard that does not answer the LED command within this many
    // other bytes is given up on (the next lock change tries again).
    static constexpr unsigned kLedPatience = 32;
    // Resends answered to one byte of the LED command before it is given up.
    static constexpr unsigned kLedRetries = 3;

  private:
    enum class LedStep : uint8_t { idle, command, argument };

    Output key_event(uint8_t code, bool extended);
    Output lock_toggled();
    Output led_reply(uint8_t byte);

    // Held keys (left and right apart, so releasing one of two keeps it held).
    bool left_shift_ = false, right_shift_ = false, left_ctrl_ = false, right_ctrl_ = false;
    bool left_alt_ = false, right_alt_ = false;
    bool caps_lock_ = false, num_lock_ = false, scroll_lock_ = false;
    // Lock keys held down: their typematic repeats do not toggle again.
    bool caps_down_ = false, num_down_ = false, scroll_down_ = false;
    bool extended_ = false; // after E0
    uint8_t skip_ = 0;      // bytes left of the Pause key's E1 sequence
    LedStep led_step_ = LedStep::idle;
    uint8_t led_value_ = 0;   // the argument being sent
    uint8_t leds_sent_ = 0;   // what the keyboard acknowledged last
    uint8_t led_retries_ = 0; // resends of the current byte
    uint8_t led_waited_ = 0;  // other bytes since the current byte went out
};

} // namespace celos::ps2
