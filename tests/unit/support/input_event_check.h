// What celos_input_report accepts (abi/include/celos/input.h), as the host
// tests of the input decoders check every event against it: a key of the
// enum; a CELOS_KEY_CHAR with a code point that is not 0, a surrogate,
// above U+10FFFF or a C0/C1 control (nor DEL); a named key with code point
// 0; only the CELOS_MOD_* bits; the driver's source.
#pragma once

#include <stdint.h>
#include <stdio.h>

#include <string>

#include <celos/input.h>

namespace celos::test {

// Empty when the event is valid, else what is wrong with it.
inline std::string input_event_problem(const celos_input_event& e, uint32_t source) {
    if (e.key <= CELOS_KEY_NONE || e.key >= CELOS_KEY_COUNT)
        return "key " + std::to_string(e.key) + " outside the enum";
    if (e.key == CELOS_KEY_CHAR) {
        const uint32_t c = e.codepoint;
        if (c == 0 || c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff) ||
            c > 0x10ffff)
            return "character with code point " + std::to_string(c);
    } else if (e.codepoint != 0) {
        return "named key " + std::to_string(e.key) + " with code point " + std::to_string(e.codepoint);
    }
    if (e.modifiers & ~(CELOS_MOD_SHIFT | CELOS_MOD_CTRL | CELOS_MOD_ALT))
        return "modifiers " + std::to_string(e.modifiers);
    if (e.source != source) return "source " + std::to_string(e.source);
    return "";
}

// A readable name for a key event in test failures: CHAR U+0061+ctrl.
inline std::string describe(const celos_input_event& e) {
    static const char* const names[] = {"NONE",    "CHAR",      "ENTER",  "BACKSPACE", "TAB",  "ESCAPE",
                                        "UP",      "DOWN",      "LEFT",   "RIGHT",     "HOME", "END",
                                        "PAGE_UP", "PAGE_DOWN", "INSERT", "DELETE"};
    std::string s;
    if (e.key < sizeof names / sizeof names[0])
        s = names[e.key];
    else if (e.key >= CELOS_KEY_F1 && e.key <= CELOS_KEY_F12)
        s = "F" + std::to_string(e.key - CELOS_KEY_F1 + 1);
    else
        s = "key" + std::to_string(e.key);
    if (e.key == CELOS_KEY_CHAR) {
        char cp[16];
        snprintf(cp, sizeof cp, " U+%04X", e.codepoint);
        s += cp;
    }
    if (e.modifiers & CELOS_MOD_SHIFT) s += "+shift";
    if (e.modifiers & CELOS_MOD_CTRL) s += "+ctrl";
    if (e.modifiers & CELOS_MOD_ALT) s += "+alt";
    return s;
}

} // namespace celos::test
