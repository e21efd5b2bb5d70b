#include "line_editor.h"

namespace celos::shell {

void LineEditor::set_columns(uint32_t columns) {
    columns_ = columns < kMinColumns ? kMinColumns : columns > kMaxColumns ? kMaxColumns : columns;
}

uint32_t LineEditor::available() const {
    // The last column stays empty: writing there leaves xterm and the
    // console in different states (pending wrap).
    uint32_t used = prompt_columns_ + 1;
    return columns_ > used + 4 ? columns_ - used : 4;
}

size_t LineEditor::previous(size_t pos) const {
    if (pos == 0) return 0;
    do --pos;
    while (pos > 0 && (uint8_t(line_[pos]) & 0xC0) == 0x80);
    return pos;
}

size_t LineEditor::next(size_t pos) const {
    if (pos >= length_) return length_;
    do ++pos;
    while (pos < length_ && (uint8_t(line_[pos]) & 0xC0) == 0x80);
    return pos;
}

void LineEditor::start(const char* prompt) {
    size_t n = 0;
    while (prompt[n] && n + 1 < sizeof prompt_) {
        prompt_[n] = prompt[n];
        ++n;
    }
    prompt_[n] = 0;
    prompt_columns_ = uint32_t(n);
    length_ = cursor_ = window_ = 0;
    line_[0] = 0;
    shown_length_ = 0;
    shown_cursor_ = 0;
    out_.raw(prompt_, n);
}

void LineEditor::redraw() {
    out_.put('\r');
    out_.raw(prompt_);
    out_.raw("\x1b[K");
    shown_length_ = 0;
    shown_cursor_ = 0;
    update();
}

void LineEditor::update() {
    uint32_t avail = available();
    // The window: the whole line when it fits; else keep the cursor inside,
    // put a third of the width from the edge it crossed (so two thirds are
    // free to go on in that direction), and show at least a third of it.
    if (utf8_columns(line_, length_) <= avail) {
        window_ = 0;
    } else {
        if (cursor_ < window_) {
            size_t w = cursor_;
            for (uint32_t k = 0; k < avail / 3 && w > 0; ++k) w = previous(w);
            window_ = w;
        } else if (utf8_columns(line_ + window_, cursor_ - window_) > avail) {
            size_t w = cursor_;
            for (uint32_t k = 0; k < avail / 3 && w > 0; ++k) w = previous(w);
            window_ = w;
        }
        uint32_t tail = utf8_columns(line_ + window_, length_ - window_);
        while (window_ > 0 && tail + 1 <= avail / 3) {
            window_ = previous(window_);
            ++tail;
        }
    }

    size_t end = window_;
    uint32_t visible_columns = 0;
    while (end < length_ && visible_columns < avail) {
        end = next(end);
        ++visible_columns;
    }
    const char* visible = line_ + window_;
    size_t visible_length = end - window_;
    uint32_t cursor_column = utf8_columns(visible, cursor_ - window_);
    uint32_t shown_columns = utf8_columns(shown_, shown_length_);

    // The first column where the picture changes.
    size_t same = 0;
    uint32_t column = 0;
    while (same < visible_length && same < shown_length_) {
        size_t n = next(window_ + same) - (window_ + same);
        bool equal = same + n <= shown_length_;
        for (size_t i = 0; equal && i < n; ++i) equal = visible[same + i] == shown_[same + i];
        if (!equal) break;
        same += n;
        ++column;
    }
    uint32_t at = shown_cursor_;
    if (same < visible_length || visible_length < shown_length_) {
        if (column < at) out_.cursor_left(at - column);
        else out_.cursor_right(column - at);
        out_.raw(visible + same, visible_length - same);
        at = visible_columns;
        if (shown_columns > visible_columns) out_.raw("\x1b[K");
    }
    if (cursor_column < at) out_.cursor_left(at - cursor_column);
    else out_.cursor_right(cursor_column - at);

    copy_bytes(shown_, visible, visible_length);
    shown_length_ = visible_length;
    shown_cursor_ = cursor_column;
}

bool LineEditor::insert(uint32_t codepoint) {
    if (!printable_codepoint(codepoint)) return refuse();
    char bytes[4];
    size_t n = utf8_encode(codepoint, bytes);
    return insert_text(bytes, n);
}

bool LineEditor::insert_text(const char* data, size_t length) {
    if (length == 0) return true;
    if (length > kLineMax - length_ || !printable_utf8(data, length)) return refuse();
    for (size_t i = length_; i > cursor_; --i) line_[i - 1 + length] = line_[i - 1];
    copy_bytes(line_ + cursor_, data, length);
    length_ += length;
    cursor_ += length;
    line_[length_] = 0;
    update();
    return true;
}

void LineEditor::erase(size_t from, size_t to) {
    for (size_t i = to; i < length_; ++i) line_[from + i - to] = line_[i];
    length_ -= to - from;
    line_[length_] = 0;
    if (cursor_ > to) cursor_ -= to - from;
    else if (cursor_ > from) cursor_ = from;
}

bool LineEditor::backspace() {
    if (cursor_ == 0) return refuse();
    erase(previous(cursor_), cursor_);
    update();
    return true;
}

bool LineEditor::delete_forward() {
    if (cursor_ == length_) return refuse();
    erase(cursor_, next(cursor_));
    update();
    return true;
}

bool LineEditor::left() {
    if (cursor_ == 0) return refuse();
    cursor_ = previous(cursor_);
    update();
    return true;
}

bool LineEditor::right() {
    if (cursor_ == length_) return refuse();
    cursor_ = next(cursor_);
    update();
    return true;
}

bool LineEditor::home() {
    cursor_ = 0;
    update();
    return true;
}

bool LineEditor::end() {
    cursor_ = length_;
    update();
    return true;
}

bool LineEditor::kill_to_start() {
    if (cursor_ == 0) return false;
    erase(0, cursor_);
    update();
    return true;
}

bool LineEditor::kill_to_end() {
    if (cursor_ == length_) return false;
    erase(cursor_, length_);
    update();
    return true;
}

bool LineEditor::kill_word() {
    size_t from = cursor_;
    while (from > 0 && line_[from - 1] == ' ') --from;
    while (from > 0 && line_[from - 1] != ' ') from = previous(from);
    if (from == cursor_) return false;
    erase(from, cursor_);
    update();
    return true;
}

void LineEditor::set_text(const char* data, size_t length) {
    if (length > kLineMax) {
        length = kLineMax;
        while (length > 0 && (uint8_t(data[length]) & 0xC0) == 0x80) --length;
    }
    copy_bytes(line_, data, length);
    length_ = cursor_ = length;
    line_[length_] = 0;
    update();
}

} // namespace celos::shell
