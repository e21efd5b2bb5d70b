// The line being typed at the prompt: a bounded UTF-8 buffer with a
// cursor, and its picture on the terminal. Pure logic, no heap.
//
// Display. The line is shown after the prompt on one terminal row; a line
// wider than the row scrolls sideways (a window of the line around the
// cursor, as ksh's and bash's horizontal-scroll mode), so the editor never
// relies on the terminal wrapping, which differs between xterm and the
// framebuffer console and whose width the shell cannot ask a serial line.
// After every change the editor compares the window it shows with the one
// it should show and writes only the difference: the characters from the
// first column that changed, CSI K when the new text is shorter, and the
// cursor moved with BS, CSI n D or CSI n C. Nothing is ever written in the
// row's last column (no pending wrap). Every code point counts as one
// column (no wide or combining characters).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "text.h"

namespace celos::shell {

inline constexpr size_t kLineMax = 512; // bytes of a line (UTF-8)

class LineEditor {
  public:
    static constexpr uint32_t kMinColumns = 20;
    static constexpr uint32_t kMaxColumns = 512;

    explicit LineEditor(Output& out) : out_(out) {}

    // The terminal's width (clamped to kMinColumns..kMaxColumns); takes
    // effect at the next redraw.
    void set_columns(uint32_t columns);
    uint32_t columns() const { return columns_; }

    // A new, empty line: prints the prompt (ASCII; the cursor is at the
    // start of a row).
    void start(const char* prompt);
    // Writes the prompt and the line again (after the screen was cleared or
    // something was printed below): from the start of the current row.
    void redraw();

    // Editing. Each returns false (and rings the bell) when it cannot
    // apply: a full line, nothing to delete, the cursor at an end.
    bool insert(uint32_t codepoint);
    // Bytes of printable UTF-8 (a completion): all or nothing.
    bool insert_text(const char* data, size_t length);
    bool backspace();
    bool delete_forward();
    bool left();
    bool right();
    bool home();
    bool end();
    bool kill_to_start(); // Ctrl-U
    bool kill_to_end();   // Ctrl-K
    bool kill_word();     // Ctrl-W: the word before the cursor and the blanks after it
    // Replaces the whole line (history), the cursor at its end; a longer
    // text is cut at a character boundary.
    void set_text(const char* data, size_t length);

    const char* text() const { return line_; }
    size_t length() const { return length_; }
    size_t cursor() const { return cursor_; }
    // The window's first byte (for tests).
    size_t window_start() const { return window_; }

  private:
    uint32_t available() const; // columns for the line after the prompt
    size_t previous(size_t pos) const;
    size_t next(size_t pos) const;
    void erase(size_t from, size_t to);
    void update(); // bring the terminal in line with the state
    bool refuse() {
        out_.bell();
        return false;
    }

    Output& out_;
    char prompt_[32] = {};
    uint32_t prompt_columns_ = 0;
    uint32_t columns_ = 80;
    char line_[kLineMax + 1] = {};
    size_t length_ = 0;
    size_t cursor_ = 0;
    size_t window_ = 0; // first byte shown

    // What the terminal shows after the prompt, and where its cursor is
    // (columns after the prompt).
    char shown_[kLineMax] = {};
    size_t shown_length_ = 0;
    uint32_t shown_cursor_ = 0;
};

} // namespace celos::shell
