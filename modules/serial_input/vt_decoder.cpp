// Terminal input bytes to key events. See vt_decoder.h; the sequences are
// those of xterm's ctlseqs ("PC-Style Function Keys", "VT220-Style
// Function Keys") and the Linux console's keymap.
#include "vt_decoder.h"

namespace celos::vt {
namespace {

constexpr uint8_t kEsc = 0x1b;
constexpr uint32_t kMaxNumber = 65535;

// CSI n ~ (VT220 editing and function keys).
uint32_t tilde_key(uint32_t n) {
    switch (n) {
    case 1:
    case 7: return CELOS_KEY_HOME;
    case 2: return CELOS_KEY_INSERT;
    case 3: return CELOS_KEY_DELETE;
    case 4:
    case 8: return CELOS_KEY_END;
    case 5: return CELOS_KEY_PAGE_UP;
    case 6: return CELOS_KEY_PAGE_DOWN;
    case 11:
    case 12:
    case 13:
    case 14:
    case 15: return CELOS_KEY_F1 + (n - 11);
    case 17:
    case 18:
    case 19:
    case 20:
    case 21: return CELOS_KEY_F1 + 5 + (n - 17);
    case 23:
    case 24: return CELOS_KEY_F1 + 10 + (n - 23);
    default: return CELOS_KEY_NONE;
    }
}

// CSI or SS3 with a letter: the cursor keys, Home/End, F1-F4.
uint32_t letter_key(uint8_t final_byte) {
    switch (final_byte) {
    case 'A': return CELOS_KEY_UP;
    case 'B': return CELOS_KEY_DOWN;
    case 'C': return CELOS_KEY_RIGHT;
    case 'D': return CELOS_KEY_LEFT;
    case 'H': return CELOS_KEY_HOME;
    case 'F': return CELOS_KEY_END;
    case 'P':
    case 'Q':
    case 'R':
    case 'S': return CELOS_KEY_F1 + (final_byte - 'P');
    default: return CELOS_KEY_NONE;
    }
}

// SS3 in the keypad's application mode: the character, or 0.
uint32_t keypad_char(uint8_t final_byte) {
    if (final_byte >= 'p' && final_byte <= 'y') return '0' + (final_byte - 'p');
    switch (final_byte) {
    case 'j': return '*';
    case 'k': return '+';
    case 'l': return ',';
    case 'm': return '-';
    case 'n': return '.';
    case 'o': return '/';
    case 'X': return '=';
    default: return 0;
    }
}

// xterm's modifier parameter: 1 + Shift 1 + Alt 2 + Ctrl 4 + Meta 8.
bool decode_modifiers(uint32_t parameter, uint32_t& modifiers) {
    if (parameter == 0) parameter = 1; // omitted
    if (parameter > 16) return false;
    const uint32_t bits = parameter - 1;
    modifiers = (bits & 1 ? CELOS_MOD_SHIFT : 0u) | (bits & (2 | 8) ? CELOS_MOD_ALT : 0u) |
                (bits & 4 ? CELOS_MOD_CTRL : 0u);
    return true;
}

} // namespace

void Decoder::emit(uint32_t key, uint32_t codepoint, uint32_t modifiers, Events& out) {
    if (alt_) modifiers |= CELOS_MOD_ALT;
    alt_ = false;
    if (out.count >= Events::kCapacity) return; // cannot happen: at most three per byte
    out.event[out.count++] = {key, codepoint, modifiers, CELOS_INPUT_SERIAL};
}

void Decoder::feed(uint8_t byte, uint64_t now_ns, Events& out) {
    if (waiting() && now_ns >= last_ns_ && now_ns - last_ns_ >= timeout_ns_) expire(out);
    last_ns_ = now_ns;
    switch (state_) {
    case State::ground: ground(byte, out); break;
    case State::utf8: utf8(byte, out); break;
    case State::escape: escape(byte, out); break;
    case State::csi:
    case State::ss3: sequence(byte, out); break;
    case State::linux_fkey: linux_fkey(byte, out); break;
    }
}

void Decoder::tick(uint64_t now_ns, Events& out) {
    if (waiting() && now_ns >= last_ns_ && now_ns - last_ns_ >= timeout_ns_) expire(out);
}

void Decoder::expire(Events& out) {
    const State state = state_;
    state_ = State::ground;
    after_cr_ = false;
    switch (state) {
    case State::escape: emit(CELOS_KEY_ESCAPE, 0, 0, out); break;
    case State::csi:
    case State::ss3:
        // ESC [ or ESC O and nothing more: Alt+[ or Alt+O (Alt+Shift+o).
        if (length_ == 0 && !overflow_) emit_char(state == State::csi ? '[' : 'O', CELOS_MOD_ALT, out);
        break;
    case State::utf8: emit_char(kReplacement, 0, out); break;
    default: break;
    }
    alt_ = false;
}

void Decoder::ground(uint8_t byte, Events& out) {
    const bool after_cr = after_cr_;
    after_cr_ = false;
    if (byte < 0x20 || byte == 0x7f) {
        switch (byte) {
        case 0x00: break; // NUL: line noise, or Ctrl+Space
        case 0x08:
        case 0x7f: emit(CELOS_KEY_BACKSPACE, 0, 0, out); break;
        case 0x09: emit(CELOS_KEY_TAB, 0, 0, out); break;
        case 0x0a:
            if (!after_cr) emit(CELOS_KEY_ENTER, 0, 0, out);
            break;
        case 0x0d:
            emit(CELOS_KEY_ENTER, 0, 0, out);
            after_cr_ = true;
            break;
        case kEsc: state_ = State::escape; return;
        default:
            emit_char(byte <= 0x1a ? 'a' + (byte - 1) : static_cast<uint8_t>("\\]^_"[byte - 0x1c]),
                      CELOS_MOD_CTRL, out);
            break;
        }
        alt_ = false;
        return;
    }
    if (byte < 0x80) {
        emit_char(byte, 0, out);
        return;
    }
    // A UTF-8 lead byte and the range of the byte after it (RFC 3629, 4).
    if (byte >= 0xc2 && byte <= 0xdf) {
        needed_ = 1;
        codepoint_ = byte & 0x1f;
        low_ = 0x80;
        high_ = 0xbf;
    } else if (byte >= 0xe0 && byte <= 0xef) {
        needed_ = 2;
        codepoint_ = byte & 0x0f;
        low_ = byte == 0xe0 ? 0xa0 : 0x80;  // no overlong forms
        high_ = byte == 0xed ? 0x9f : 0xbf; // no surrogates
    } else if (byte >= 0xf0 && byte <= 0xf4) {
        needed_ = 3;
        codepoint_ = byte & 0x07;
        low_ = byte == 0xf0 ? 0x90 : 0x80;  // no overlong forms
        high_ = byte == 0xf4 ? 0x8f : 0xbf; // nothing above U+10FFFF
    } else {
        // A continuation byte without a lead, C0, C1, F5-FF.
        emit_char(kReplacement, 0, out);
        return;
    }
    state_ = State::utf8;
}

void Decoder::utf8(uint8_t byte, Events& out) {
    if (byte < low_ || byte > high_) {
        // The sequence so far is a maximal subpart: one U+FFFD, then the
        // byte starts afresh.
        emit_char(kReplacement, 0, out);
        state_ = State::ground;
        ground(byte, out);
        return;
    }
    codepoint_ = (codepoint_ << 6) | (byte & 0x3f);
    low_ = 0x80;
    high_ = 0xbf;
    if (--needed_ > 0) return;
    state_ = State::ground;
    if (codepoint_ >= 0x80 && codepoint_ <= 0x9f) { // a C1 control: not a key
        alt_ = false;
        return;
    }
    emit_char(codepoint_, 0, out);
}

void Decoder::escape(uint8_t byte, Events& out) {
    switch (byte) {
    case '[':
    case 'O':
        state_ = byte == '[' ? State::csi : State::ss3;
        length_ = 0;
        overflow_ = false;
        return;
    case kEsc: emit(CELOS_KEY_ESCAPE, 0, 0, out); return; // the second ESC starts anew
    case 0x00:
        emit(CELOS_KEY_ESCAPE, 0, 0, out);
        state_ = State::ground;
        return;
    default:
        // ESC then a key: the key with Alt (xterm's metaSendsEscape).
        state_ = State::ground;
        alt_ = true;
        ground(byte, out);
        return;
    }
}

void Decoder::sequence(uint8_t byte, Events& out) {
    if (byte >= 0x20 && byte <= 0x3f) { // parameter and intermediate bytes
        if (length_ < kMaxSequence)
            sequence_[length_++] = byte;
        else
            overflow_ = true;
        return;
    }
    if (byte >= 0x40 && byte <= 0x7e) {
        if (state_ == State::csi && byte == '[' && length_ == 0) {
            state_ = State::linux_fkey;
            return;
        }
        finish(byte, out);
        return;
    }
    // A control, DEL or a byte >= 0x80 breaks the sequence: it is dropped
    // and the byte read as itself (ESC starts a new one).
    if (byte == kEsc) {
        state_ = State::escape;
        return;
    }
    state_ = State::ground;
    ground(byte, out);
}

void Decoder::linux_fkey(uint8_t byte, Events& out) {
    state_ = State::ground;
    if (byte >= 'A' && byte <= 'E')
        emit(CELOS_KEY_F1 + (byte - 'A'), 0, 0, out);
    else if (byte == kEsc)
        state_ = State::escape;
    else if (byte < 0x20 || byte >= 0x7f)
        ground(byte, out);
}

void Decoder::finish(uint8_t final_byte, Events& out) {
    const bool ss3 = state_ == State::ss3;
    state_ = State::ground;
    if (overflow_) return;
    // At most two decimal numbers separated by ';'. Private markers
    // (< = > ?), sub-parameters (:) and intermediates: not a key we know.
    uint32_t param[2] = {0, 0};
    unsigned count = length_ ? 1 : 0;
    for (unsigned i = 0; i < length_; ++i) {
        const uint8_t c = sequence_[i];
        if (c >= '0' && c <= '9') {
            param[count - 1] = param[count - 1] * 10 + (c - '0');
            if (param[count - 1] > kMaxNumber) return;
        } else if (c == ';' && count < 2) {
            ++count;
        } else {
            return;
        }
    }
    uint32_t modifiers = 0;
    if (!ss3 && final_byte == '~') {
        if (count == 0) return;
        const uint32_t key = tilde_key(param[0]);
        if (key == CELOS_KEY_NONE || (count == 2 && !decode_modifiers(param[1], modifiers))) return;
        emit(key, 0, modifiers, out);
        return;
    }
    // A letter: the modifier is the last number (CSI 1;5A; the older CSI 5A
    // and SS3 5A too); a first number of two must be 1.
    if (count == 2 && param[0] > 1) return;
    if (count > 0 && !decode_modifiers(param[count - 1], modifiers)) return;
    if (!ss3 && final_byte == 'Z') { // back tab
        emit(CELOS_KEY_TAB, 0, modifiers | CELOS_MOD_SHIFT, out);
        return;
    }
    if (const uint32_t key = letter_key(final_byte)) {
        emit(key, 0, modifiers, out);
        return;
    }
    if (!ss3) return;
    if (final_byte == 'M') {
        emit(CELOS_KEY_ENTER, 0, modifiers, out);
    } else if (const uint32_t c = keypad_char(final_byte)) {
        emit_char(c, modifiers, out);
    }
}

} // namespace celos::vt
