// Bytes a terminal sends (xterm, VT220, the Linux console) to
// celos_input_event. Pure logic over bytes and a clock the caller passes:
// no ports, no kernel calls. Compiled into serial_input.ko and the host
// tests.
//
// - UTF-8 (RFC 3629): a character per well-formed sequence. Ill-formed
//   input (a stray continuation byte, C0, C1, F5-FF, an overlong form, a
//   surrogate, above U+10FFFF, a sequence cut short) gives one U+FFFD per
//   maximal subpart, as Unicode (chapter 3, "U+FFFD Substitution of Maximal
//   Subparts") recommends: what the user typed is not lost silently. C1
//   controls encoded in UTF-8 (U+0080-U+009F) are not characters to type
//   and are dropped, as is NUL (a line break or Ctrl+Space).
// - Controls: CR, LF, and CR LF as one Enter; DEL and BS Backspace; TAB;
//   0x01-0x1a (but those) Ctrl + the letter (lower case); 0x1c-0x1f Ctrl +
//   \ ] ^ _.
// - ESC sequences: CSI (ESC [) and SS3 (ESC O) as xterm and VT220 send
//   them: arrows, Home/End, Insert/Delete, PgUp/PgDn, F1-F12, Shift+Tab
//   (CSI Z), keypad keys in application mode (SS3 j..y, M), with xterm's
//   modifier parameter (CSI 1;2A Shift+Up, CSI 5;5~ Ctrl+PgUp: 1 + Shift 1
//   + Alt 2 + Ctrl 4 + Meta 8, Meta taken as Alt); the Linux console's F1-F5
//   (ESC [ [ A..E). ESC then another character (or control, or UTF-8
//   sequence) is that key with Alt. A lone ESC is Escape once nothing has
//   followed it for the timeout (ESC [ and ESC O alone: Alt+[ and Alt+O).
// - Unknown sequences, sequences with more than kMaxSequence parameter
//   bytes, numbers past 65535, and sequences broken by a control byte or a
//   byte >= 0x80 are dropped whole (the breaking byte is then read as
//   itself; ESC starts a new sequence); a sequence unfinished at the
//   timeout is dropped too. The state is a few bytes: nothing grows with
//   the input.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <celos/input.h>

namespace celos::vt {

inline constexpr uint64_t kDefaultTimeoutNs = 50'000'000; // 50 ms
inline constexpr uint32_t kReplacement = 0xfffd;

// The events one byte (or one tick) gives: at most three (an expired
// sequence, a broken one, and the byte itself).
struct Events {
    static constexpr unsigned kCapacity = 4;
    celos_input_event event[kCapacity];
    unsigned count = 0;
};

class Decoder {
  public:
    // Parameter and intermediate bytes kept of one sequence.
    static constexpr unsigned kMaxSequence = 16;

    constexpr Decoder() = default;
    constexpr explicit Decoder(uint64_t timeout_ns) : timeout_ns_(timeout_ns) {}

    // One byte received at `now_ns` (a clock that does not go back). What
    // waited longer than the timeout before it is flushed first.
    void feed(uint8_t byte, uint64_t now_ns, Events& out);
    // Flushes what has waited for more than the timeout since the last byte
    // (a lone ESC becomes Escape). Call it now and then (a main-loop task).
    void tick(uint64_t now_ns, Events& out);
    // Something waits for more bytes or for the timeout.
    bool waiting() const { return state_ != State::ground || after_cr_; }

    uint64_t timeout_ns() const { return timeout_ns_; }

  private:
    enum class State : uint8_t { ground, utf8, escape, csi, ss3, linux_fkey };

    void ground(uint8_t byte, Events& out);
    void utf8(uint8_t byte, Events& out);
    void escape(uint8_t byte, Events& out);
    void sequence(uint8_t byte, Events& out);
    void linux_fkey(uint8_t byte, Events& out);
    void finish(uint8_t final_byte, Events& out);
    void expire(Events& out);
    void emit(uint32_t key, uint32_t codepoint, uint32_t modifiers, Events& out);
    void emit_char(uint32_t codepoint, uint32_t modifiers, Events& out) {
        emit(CELOS_KEY_CHAR, codepoint, modifiers, out);
    }

    uint64_t timeout_ns_ = kDefaultTimeoutNs;
    uint64_t last_ns_ = 0;
    State state_ = State::ground;
    bool after_cr_ = false; // the LF of a CR LF is not a second Enter
    bool alt_ = false;      // ESC came before the character being read
    // UTF-8: the code point so far, continuation bytes still needed, and
    // the range the next one must be in (RFC 3629's table).
    uint32_t codepoint_ = 0;
    uint8_t needed_ = 0, low_ = 0x80, high_ = 0xbf;
    // The sequence's parameter and intermediate bytes.
    uint8_t sequence_[kMaxSequence] = {};
    uint8_t length_ = 0;
    bool overflow_ = false;
};

} // namespace celos::vt
