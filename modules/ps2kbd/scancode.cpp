// Scan code set 1 (IBM PC/XT make codes; an AT keyboard's set 2 as the
// i8042 translates it) to key events, US layout. See scancode.h.
#include "scancode.h"

namespace celos::ps2 {
namespace {

enum Kind : uint8_t {
    kNone = 0,
    kChar,   // `normal`, `shifted` with Shift
    kLetter, // `normal` (lower case): Shift and Caps Lock give upper case
    kNamed,  // a celos_key in `normal`
    kKeypad, // with Num Lock the character `normal`, without it the key `shifted` (0: nothing)
};

struct Key {
    uint8_t kind = kNone;
    uint8_t normal = 0;
    uint8_t shifted = 0;
};

constexpr uint8_t kLastCode = 0x58; // F12

struct Table {
    Key plain[kLastCode + 1];
    Key extended[kLastCode + 1]; // after E0
};

constexpr Table make_table() {
    Table t{};
    auto chars = [&](uint8_t first, const char* normal, const char* shifted) {
        for (uint8_t i = 0; normal[i]; ++i)
            t.plain[first + i] = {kChar, static_cast<uint8_t>(normal[i]), static_cast<uint8_t>(shifted[i])};
    };
    auto letters = [&](uint8_t first, const char* row) {
        for (uint8_t i = 0; row[i]; ++i)
            t.plain[first + i] = {kLetter, static_cast<uint8_t>(row[i]), 0};
    };
    auto named = [&](Key* keys, uint8_t code, celos_key key) {
        keys[code] = {kNamed, static_cast<uint8_t>(key), 0};
    };

    named(t.plain, 0x01, CELOS_KEY_ESCAPE);
    chars(0x02, "1234567890-=", "!@#$%^&*()_+");
    named(t.plain, 0x0e, CELOS_KEY_BACKSPACE);
    named(t.plain, 0x0f, CELOS_KEY_TAB);
    letters(0x10, "qwertyuiop");
    chars(0x1a, "[]", "{}");
    named(t.plain, 0x1c, CELOS_KEY_ENTER);
    letters(0x1e, "asdfghjkl");
    chars(0x27, ";'`", ":\"~");
    chars(0x2b, "\\", "|");
    letters(0x2c, "zxcvbnm");
    chars(0x33, ",./", "<>?");
    t.plain[0x37] = {kChar, '*', '*'}; // keypad
    t.plain[0x39] = {kChar, ' ', ' '};
    for (uint8_t i = 0; i < 10; ++i)
        named(t.plain, static_cast<uint8_t>(0x3b + i), celos_key(CELOS_KEY_F1 + i));
    // The keypad, 0x47-0x53: with Num Lock the character, without it the
    // key (none: nothing; '-' and '+' are set apart below).
    const struct {
        char with_num_lock;
        celos_key without;
    } pad[] = {{'7', CELOS_KEY_HOME},  {'8', CELOS_KEY_UP},        {'9', CELOS_KEY_PAGE_UP},
               {'-', CELOS_KEY_NONE},  {'4', CELOS_KEY_LEFT},      {'5', CELOS_KEY_NONE},
               {'6', CELOS_KEY_RIGHT}, {'+', CELOS_KEY_NONE},      {'1', CELOS_KEY_END},
               {'2', CELOS_KEY_DOWN},  {'3', CELOS_KEY_PAGE_DOWN}, {'0', CELOS_KEY_INSERT},
               {'.', CELOS_KEY_DELETE}};
    for (uint8_t i = 0; i < 13; ++i)
        t.plain[0x47 + i] = {kKeypad, static_cast<uint8_t>(pad[i].with_num_lock),
                             static_cast<uint8_t>(pad[i].without)};
    t.plain[0x4a] = {kChar, '-', '-'};
    t.plain[0x4e] = {kChar, '+', '+'};
    t.plain[0x56] = {kChar, '<', '>'}; // the 102nd key, between left Shift and Z
    named(t.plain, 0x57, celos_key(CELOS_KEY_F1 + 10));
    named(t.plain, 0x58, CELOS_KEY_F12);

    named(t.extended, 0x1c, CELOS_KEY_ENTER); // keypad Enter
    t.extended[0x35] = {kChar, '/', '/'};     // keypad '/'
    named(t.extended, 0x47, CELOS_KEY_HOME);
    named(t.extended, 0x48, CELOS_KEY_UP);
    named(t.extended, 0x49, CELOS_KEY_PAGE_UP);
    named(t.extended, 0x4b, CELOS_KEY_LEFT);
    named(t.extended, 0x4d, CELOS_KEY_RIGHT);
    named(t.extended, 0x4f, CELOS_KEY_END);
    named(t.extended, 0x50, CELOS_KEY_DOWN);
    named(t.extended, 0x51, CELOS_KEY_PAGE_DOWN);
    named(t.extended, 0x52, CELOS_KEY_INSERT);
    named(t.extended, 0x53, CELOS_KEY_DELETE);
    return t;
}

constexpr Table kTable = make_table();

// Make codes of the keys the decoder keeps state for.
constexpr uint8_t kLeftShift = 0x2a, kRightShift = 0x36, kCtrl = 0x1d, kAlt = 0x38, kCapsLock = 0x3a,
                  kNumLock = 0x45, kScrollLock = 0x46;

Output event(uint32_t key, uint32_t codepoint, uint32_t modifiers) {
    Output out;
    out.has_event = true;
    out.event = {key, codepoint, modifiers, CELOS_INPUT_KEYBOARD};
    return out;
}

} // namespace

uint32_t Decoder::modifiers() const {
    return (left_shift_ || right_shift_ ? CELOS_MOD_SHIFT : 0u) |
           (left_ctrl_ || right_ctrl_ ? CELOS_MOD_CTRL : 0u) | (left_alt_ || right_alt_ ? CELOS_MOD_ALT : 0u);
}

Output Decoder::feed(uint8_t byte) {
    // Replies to the LED command in flight; other replies and the error
    // codes (key detection error or overrun) are never keys.
    if (led_step_ != LedStep::idle) {
        if (byte == kReplyAck || byte == kReplyResend) return led_reply(byte);
        if (++led_waited_ > kLedPatience) led_step_ = LedStep::idle; // it will not answer
    }
    if (byte == kReplyAck || byte == kReplyResend || byte == kReplyEcho) return {};
    if (byte == 0x00 || byte == 0xff) {
        extended_ = false;
        skip_ = 0;
        return {};
    }
    if (skip_ > 0) { // the rest of Pause: E1 1D 45, E1 9D C5
        --skip_;
        return {};
    }
    if (byte == 0xe1) {
        skip_ = 2;
        extended_ = false;
        return {};
    }
    if (byte == 0xe0) {
        extended_ = true;
        return {};
    }
    const bool extended = extended_;
    extended_ = false;
    const bool press = !(byte & 0x80);
    const uint8_t code = byte & 0x7f;

    switch (code) {
    case kLeftShift:
    case kRightShift:
        if (extended) return {}; // a fake shift around a grey key
        (code == kLeftShift ? left_shift_ : right_shift_) = press;
        return {};
    case kCtrl: (extended ? right_ctrl_ : left_ctrl_) = press; return {};
    case kAlt: (extended ? right_alt_ : left_alt_) = press; return {};
    case kCapsLock:
    case kNumLock:
    case kScrollLock: {
        if (extended) return {}; // E0 46 is Ctrl+Break
        bool& down = code == kCapsLock ? caps_down_ : code == kNumLock ? num_down_ : scroll_down_;
        bool& lock = code == kCapsLock ? caps_lock_ : code == kNumLock ? num_lock_ : scroll_lock_;
        const bool repeat = press && down;
        down = press;
        if (!press || repeat) return {};
        lock = !lock;
        return lock_toggled();
    }
    default: break;
    }
    if (!press) return {};
    return key_event(code, extended);
}

Output Decoder::key_event(uint8_t code, bool extended) {
    if (code > kLastCode) return {};
    const Key& key = (extended ? kTable.extended : kTable.plain)[code];
    const uint32_t mods = modifiers();
    const bool shift = mods & CELOS_MOD_SHIFT;
    switch (key.kind) {
    case kChar: return event(CELOS_KEY_CHAR, shift ? key.shifted : key.normal, mods);
    case kLetter: {
        // Caps Lock makes capitals, but not of a control key: Ctrl+C is 'c'
        // whether Caps Lock is on or not (as from a terminal, 0x03).
        const bool upper = (mods & CELOS_MOD_CTRL) ? shift : shift != caps_lock_;
        return event(CELOS_KEY_CHAR, upper ? key.normal - 'a' + 'A' : key.normal, mods);
    }
    case kNamed: return event(key.normal, 0, mods);
    case kKeypad:
        if (num_lock_) return event(CELOS_KEY_CHAR, key.normal, mods);
        if (key.shifted == 0) return {}; // keypad 5
        return event(key.shifted, 0, mods);
    default: return {};
    }
}

// A lock changed: send the LEDs unless a command is already under way (its
// end sends them again if they changed meanwhile).
Output Decoder::lock_toggled() {
    Output out;
    if (led_step_ != LedStep::idle) return out;
    led_step_ = LedStep::command;
    led_retries_ = 0;
    led_waited_ = 0;
    out.send = kCmdSetLeds;
    return out;
}

Output Decoder::led_reply(uint8_t byte) {
    Output out;
    led_waited_ = 0;
    if (byte == kReplyResend) {
        if (++led_retries_ > kLedRetries) {
            led_step_ = LedStep::idle;
            return out;
        }
        out.send = led_step_ == LedStep::command ? kCmdSetLeds : led_value_;
        return out;
    }
    led_retries_ = 0;
    if (led_step_ == LedStep::command) {
        led_step_ = LedStep::argument;
        led_value_ = leds();
        out.send = led_value_;
        return out;
    }
    leds_sent_ = led_value_;
    led_step_ = LedStep::idle;
    if (leds() != leds_sent_) return lock_toggled();
    return out;
}

} // namespace celos::ps2
