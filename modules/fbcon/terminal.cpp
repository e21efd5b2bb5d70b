// The terminal state machine. The parser follows the shape of Paul
// Williams' DEC parser (ground, escape, CSI entry/param/ignore, control
// strings), reduced to what a console needs; unknown sequences are parsed
// to their final byte and dropped. Behaviour of each sequence follows
// xterm's ctlseqs (pending wrap at the right margin, scroll region, SGR).
#include "terminal.h"

namespace celos::fbcon {
namespace {

constexpr uint32_t kReplacement = 0xFFFD;
constexpr uint32_t kParamMax = 65535;

uint32_t min_u32(uint32_t a, uint32_t b) {
    return a < b ? a : b;
}

} // namespace

TerminalConfig terminal_default_config() {
    TerminalConfig c{};
    static constexpr uint32_t vga[16] = {0x000000, 0xaa0000, 0x00aa00, 0xaa5500, 0x0000aa, 0xaa00aa,
                                         0x00aaaa, 0xaaaaaa, 0x555555, 0xff5555, 0x55ff55, 0xffff55,
                                         0x5555ff, 0xff55ff, 0x55ffff, 0xffffff};
    for (int i = 0; i < 16; ++i)
        c.palette[i] = vga[i];
    c.default_fg = vga[7];
    c.default_bg = vga[0];
    c.bold_is_bright = true;
    c.lf_implies_cr = false;
    return c;
}

uint32_t terminal_color256(const TerminalConfig& config, uint32_t index) {
    if (index < 16) return config.palette[index];
    if (index < 232) {
        static constexpr uint32_t level[6] = {0, 95, 135, 175, 215, 255};
        uint32_t i = index - 16;
        return level[i / 36] << 16 | level[i / 6 % 6] << 8 | level[i % 6];
    }
    if (index < 256) {
        uint32_t g = 8 + 10 * (index - 232);
        return g << 16 | g << 8 | g;
    }
    return config.default_fg;
}

bool Terminal::init(Cell* cells, uint32_t cols, uint32_t rows, const TerminalConfig& config) {
    if (!cells || cols == 0 || rows == 0 || cols > kMaxCols || rows > kMaxRows) return false;
    cells_ = cells;
    cols_ = cols;
    rows_ = rows;
    config_ = config;
    reset();
    return true;
}

void Terminal::reset() {
    pen_ = Pen{{ColorKind::Default, 0}, {ColorKind::Default, 0}, 0};
    x_ = y_ = 0;
    pending_wrap_ = false;
    autowrap_ = true;
    cursor_visible_ = true;
    top_ = 0;
    bottom_ = rows_;
    saved_ = Saved{0, 0, pen_, false};
    state_ = State::Ground;
    param_count_ = 0;
    private_ = intermediate_ = 0;
    utf8_need_ = 0;
    for (uint32_t y = 0; y < rows_; ++y)
        row_map_[y] = uint16_t(y);
    Cell b = blank();
    for (size_t i = 0; i < size_t(cols_) * rows_; ++i)
        cells_[i] = b;
    hint_lines_ = 0;
    mark_all_dirty();
}

void Terminal::write(const char* text) {
    if (*text) set_view(0);
    while (*text)
        byte(uint8_t(*text++));
}

void Terminal::write(const uint8_t* data, size_t size) {
    if (size) set_view(0);
    for (size_t i = 0; i < size; ++i)
        byte(data[i]);
}

void Terminal::set_history(Cell* cells, uint32_t lines) {
    history_ = lines ? cells : nullptr;
    history_capacity_ = history_ ? lines : 0;
    history_count_ = history_next_ = 0;
    set_view(0);
}

void Terminal::keep_in_history(uint32_t y) {
    if (!history_) return;
    Cell* dst = history_ + size_t(history_next_) * cols_;
    const Cell* src = row(y);
    for (uint32_t x = 0; x < cols_; ++x)
        dst[x] = src[x];
    history_next_ = (history_next_ + 1) % history_capacity_;
    if (history_count_ < history_capacity_) ++history_count_;
    // A view into the history keeps showing the same lines.
    if (view_ != 0 && view_ < history_count_) ++view_;
}

void Terminal::set_view(uint32_t offset) {
    if (offset > history_count_) offset = history_count_;
    if (offset == view_) return;
    view_ = offset;
    mark_all_dirty();
}

void Terminal::scroll_view(int64_t lines) {
    int64_t v = int64_t(view_) + lines;
    set_view(v < 0 ? 0 : v > int64_t(history_count_) ? history_count_ : uint32_t(v));
}

const Cell* Terminal::view_row(uint32_t y) const {
    if (view_ == 0) return row(y);
    // Line `y` of the view in [history oldest..newest, screen rows].
    uint32_t index = history_count_ - view_ + y;
    if (index >= history_count_) return row(index - history_count_);
    uint32_t oldest = (history_next_ + history_capacity_ - history_count_) % history_capacity_;
    return history_ + size_t((oldest + index) % history_capacity_) * cols_;
}

bool Terminal::any_dirty() const {
    for (uint32_t i = 0; i < (rows_ + 63) / 64; ++i)
        if (dirty_[i]) return true;
    return false;
}

void Terminal::clear_damage() {
    for (auto& w : dirty_)
        w = 0;
    hint_lines_ = 0;
}

void Terminal::mark_all_dirty() {
    mark_rows(0, rows_);
}

void Terminal::mark_rows(uint32_t y0, uint32_t y1) {
    for (uint32_t y = y0; y < y1 && y < rows_; ++y)
        mark_dirty(y);
}

void Terminal::byte(uint8_t b) {
    // CAN and SUB abort any sequence; ESC starts one (or ends a string).
    if (b == 0x18 || b == 0x1A) {
        if (utf8_need_) print(kReplacement);
        utf8_need_ = 0;
        state_ = State::Ground;
        return;
    }
    switch (state_) {
    case State::Ground: ground_byte(b); return;
    case State::String:
        if (b == 0x07)
            state_ = State::Ground;
        else if (b == 0x1B)
            state_ = State::StringEscape;
        return;
    case State::StringEscape:
        if (b == '\\') {
            state_ = State::Ground;
            return;
        }
        state_ = State::Escape;
        break; // ESC + b: handle b as after ESC
    default: break;
    }
    if (b == 0x1B) {
        state_ = State::Escape;
        intermediate_ = 0;
        return;
    }
    if (b >= 0x80) { // not part of any sequence: drop it, take the byte as text
        state_ = State::Ground;
        ground_byte(b);
        return;
    }
    if (b < 0x20) {
        control(b);
        return;
    }
    if (b == 0x7F) return;

    switch (state_) {
    case State::Escape:
        if (b >= 0x20 && b <= 0x2F) {
            state_ = State::EscapeIntermediate;
        } else if (b == '[') {
            state_ = State::Csi;
            param_count_ = 0;
            private_ = intermediate_ = 0;
        } else if (b == ']' || b == 'P' || b == 'X' || b == '^' || b == '_') {
            state_ = State::String;
        } else {
            state_ = State::Ground;
            escape_final(b);
        }
        return;
    case State::EscapeIntermediate:
        if (b >= 0x30) state_ = State::Ground; // ESC ( B and the like: ignored
        return;
    case State::Csi:
        if (b >= '0' && b <= '9') {
            if (intermediate_) {
                state_ = State::CsiIgnore;
                return;
            }
            if (param_count_ == 0) params_[param_count_++] = 0;
            if (param_count_ <= kMaxParams) {
                uint32_t& p = params_[param_count_ - 1];
                p = min_u32(p * 10 + (b - '0'), kParamMax);
            }
        } else if (b == ';' || b == ':') {
            if (intermediate_) {
                state_ = State::CsiIgnore;
                return;
            }
            if (param_count_ == 0) params_[param_count_++] = 0;
            if (param_count_ < kMaxParams) params_[param_count_] = 0;
            if (param_count_ <= kMaxParams) ++param_count_; // past 16: the rest is ignored
        } else if (b >= 0x3C && b <= 0x3F) {
            if (param_count_ == 0 && !private_ && !intermediate_)
                private_ = b;
            else
                state_ = State::CsiIgnore;
        } else if (b >= 0x20 && b <= 0x2F) {
            intermediate_ = b;
        } else { // 0x40-0x7E
            state_ = State::Ground;
            if (!intermediate_) csi_dispatch(b);
        }
        return;
    case State::CsiIgnore:
        if (b >= 0x40) state_ = State::Ground;
        return;
    default: return;
    }
}

void Terminal::ground_byte(uint8_t b) {
    if (utf8_need_) {
        if (b >= utf8_lo_ && b <= utf8_hi_) {
            utf8_cp_ = utf8_cp_ << 6 | (b & 0x3F);
            utf8_lo_ = 0x80;
            utf8_hi_ = 0xBF;
            if (--utf8_need_ == 0) print(utf8_cp_);
            return;
        }
        // Malformed: the bytes so far become U+FFFD; this byte starts afresh.
        utf8_need_ = 0;
        print(kReplacement);
        if (b == 0x1B || b == 0x18 || b == 0x1A) {
            byte(b);
            return;
        }
    }
    if (b == 0x1B) {
        state_ = State::Escape;
        intermediate_ = 0;
        return;
    }
    if (b < 0x20) {
        control(b);
        return;
    }
    if (b < 0x7F) {
        print(b);
        return;
    }
    if (b == 0x7F) return;
    utf8_lo_ = 0x80;
    utf8_hi_ = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
        utf8_need_ = 1, utf8_cp_ = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
        utf8_need_ = 2, utf8_cp_ = b & 0x0F;
        if (b == 0xE0) utf8_lo_ = 0xA0; // overlong
        if (b == 0xED) utf8_hi_ = 0x9F; // surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
        utf8_need_ = 3, utf8_cp_ = b & 0x07;
        if (b == 0xF0) utf8_lo_ = 0x90; // overlong
        if (b == 0xF4) utf8_hi_ = 0x8F; // past U+10FFFF
    } else {
        print(kReplacement); // lone continuation, C0, C1, F5-FF
    }
}

void Terminal::control(uint8_t b) {
    switch (b) {
    case 0x07: ++bells_; break;
    case 0x08:
        if (x_ > 0) --x_;
        pending_wrap_ = false;
        break;
    case 0x09: {
        uint32_t next = (x_ / 8 + 1) * 8;
        x_ = next < cols_ ? next : cols_ - 1;
        pending_wrap_ = false;
        break;
    }
    case 0x0A:
    case 0x0B:
    case 0x0C:
        linefeed();
        if (config_.lf_implies_cr) x_ = 0;
        break;
    case 0x0D:
        x_ = 0;
        pending_wrap_ = false;
        break;
    default: break; // other C0 controls are ignored
    }
}

void Terminal::escape_final(uint8_t b) {
    switch (b) {
    case '7': saved_ = Saved{x_, y_, pen_, pending_wrap_}; break;
    case '8':
        x_ = min_u32(saved_.x, cols_ - 1);
        y_ = min_u32(saved_.y, rows_ - 1);
        pen_ = saved_.pen;
        pending_wrap_ = saved_.pending_wrap && x_ == cols_ - 1;
        break;
    case 'D': linefeed(); break;
    case 'E':
        linefeed();
        x_ = 0;
        break;
    case 'M': reverse_index(); break;
    case 'c': reset(); break;
    default: break;
    }
}

uint32_t Terminal::param(uint32_t i, uint32_t def) const {
    if (i >= param_count_ || i >= kMaxParams || params_[i] == 0) return def;
    return params_[i];
}

void Terminal::move_to(int64_t x, int64_t y) {
    x_ = uint32_t(x < 0 ? 0 : x >= cols_ ? cols_ - 1 : x);
    y_ = uint32_t(y < 0 ? 0 : y >= rows_ ? rows_ - 1 : y);
    pending_wrap_ = false;
}

void Terminal::csi_dispatch(uint8_t final) {
    if (private_ == '?') {
        if (final != 'h' && final != 'l') return;
        bool on = final == 'h';
        for (uint32_t i = 0; i < param_count_ && i < kMaxParams; ++i) {
            if (params_[i] == 25) cursor_visible_ = on;
            if (params_[i] == 7) {
                autowrap_ = on;
                if (!on) pending_wrap_ = false;
            }
        }
        return;
    }
    if (private_) return;
    int64_t n = param(0, 1);
    switch (final) {
    case 'A': { // CUU: stops at the region's top when inside it
        int64_t floor = y_ >= top_ ? top_ : 0;
        int64_t y = int64_t(y_) - n;
        move_to(x_, y < floor ? floor : y);
        break;
    }
    case 'B': { // CUD
        int64_t ceil = y_ < bottom_ ? bottom_ - 1 : rows_ - 1;
        int64_t y = int64_t(y_) + n;
        move_to(x_, y > ceil ? ceil : y);
        break;
    }
    case 'E': { // CNL
        int64_t ceil = y_ < bottom_ ? bottom_ - 1 : rows_ - 1;
        int64_t y = int64_t(y_) + n;
        move_to(0, y > ceil ? ceil : y);
        break;
    }
    case 'F': { // CPL
        int64_t floor = y_ >= top_ ? top_ : 0;
        int64_t y = int64_t(y_) - n;
        move_to(0, y < floor ? floor : y);
        break;
    }
    case 'C': move_to(int64_t(x_) + n, y_); break;
    case 'D': move_to(int64_t(x_) - n, y_); break;
    case 'G':
    case '`': move_to(n - 1, y_); break;
    case 'd': move_to(x_, n - 1); break;
    case 'H':
    case 'f': move_to(int64_t(param(1, 1)) - 1, n - 1); break;
    case 'J': {
        uint32_t mode = param(0, 0);
        pending_wrap_ = false;
        if (mode == 0) {
            erase(y_, x_, cols_);
            for (uint32_t y = y_ + 1; y < rows_; ++y)
                erase(y, 0, cols_);
        } else if (mode == 1) {
            for (uint32_t y = 0; y < y_; ++y)
                erase(y, 0, cols_);
            erase(y_, 0, x_ + 1);
        } else if (mode == 2 || mode == 3) {
            for (uint32_t y = 0; y < rows_; ++y)
                erase(y, 0, cols_);
            if (mode == 3) { // xterm: and the scrollback
                history_count_ = history_next_ = 0;
                set_view(0);
            }
        }
        break;
    }
    case 'K': {
        uint32_t mode = param(0, 0);
        pending_wrap_ = false;
        if (mode == 0)
            erase(y_, x_, cols_);
        else if (mode == 1)
            erase(y_, 0, x_ + 1);
        else if (mode == 2)
            erase(y_, 0, cols_);
        break;
    }
    case 'X': // ECH
        pending_wrap_ = false;
        erase(y_, x_, uint32_t(int64_t(x_) + n > cols_ ? cols_ : x_ + n));
        break;
    case 'L': // IL
    case 'M': // DL
        if (y_ >= top_ && y_ < bottom_) {
            uint32_t count = uint32_t(n > bottom_ - y_ ? bottom_ - y_ : n);
            if (final == 'L')
                scroll_down(y_, bottom_, count);
            else
                scroll_up(y_, bottom_, count);
            x_ = 0;
            pending_wrap_ = false;
        }
        break;
    case '@':   // ICH
    case 'P': { // DCH
        uint32_t count = uint32_t(n > cols_ - x_ ? cols_ - x_ : n);
        Cell* row = row_cells(y_);
        uint32_t keep = cols_ - x_ - count;
        if (final == '@') {
            __builtin_memmove(row + x_ + count, row + x_, size_t(keep) * sizeof(Cell));
            erase(y_, x_, x_ + count);
        } else {
            __builtin_memmove(row + x_, row + x_ + count, size_t(keep) * sizeof(Cell));
            erase(y_, cols_ - count, cols_);
        }
        pending_wrap_ = false;
        mark_dirty(y_);
        break;
    }
    case 'S': scroll_up(top_, bottom_, uint32_t(n)); break;
    case 'T':
        if (param_count_ <= 1) scroll_down(top_, bottom_, uint32_t(n));
        break;
    case 'r': { // DECSTBM
        uint32_t t = param(0, 1), b = param(1, rows_);
        if (b > rows_) b = rows_;
        if (t < b) {
            top_ = t - 1;
            bottom_ = b;
            move_to(0, 0);
        }
        break;
    }
    case 'm': sgr(); break;
    case 's':
        if (param_count_ == 0) escape_final('7');
        break;
    case 'u':
        if (param_count_ == 0) escape_final('8');
        break;
    default: break;
    }
}

void Terminal::sgr() {
    uint32_t count = min_u32(param_count_, kMaxParams);
    if (count == 0) {
        pen_ = Pen{{ColorKind::Default, 0}, {ColorKind::Default, 0}, 0};
        return;
    }
    for (uint32_t i = 0; i < count; ++i) {
        uint32_t v = params_[i];
        if (v == 38 || v == 48) {
            Color& c = v == 38 ? pen_.fg : pen_.bg;
            if (i + 2 < count && params_[i + 1] == 5) {
                if (params_[i + 2] < 256) c = {ColorKind::Index, params_[i + 2]};
                i += 2;
            } else if (i + 4 < count && params_[i + 1] == 2) {
                c = {ColorKind::Rgb, min_u32(params_[i + 2], 255) << 16 | min_u32(params_[i + 3], 255) << 8 |
                                         min_u32(params_[i + 4], 255)};
                i += 4;
            } else {
                return; // malformed extended colour: ignore the rest
            }
            continue;
        }
        switch (v) {
        case 0: pen_ = Pen{{ColorKind::Default, 0}, {ColorKind::Default, 0}, 0}; break;
        case 1: pen_.attrs |= kAttrBold; break;
        case 4: pen_.attrs |= kAttrUnderline; break;
        case 7: pen_.attrs |= kAttrReverse; break;
        case 22: pen_.attrs &= ~uint32_t(kAttrBold); break;
        case 24: pen_.attrs &= ~uint32_t(kAttrUnderline); break;
        case 27: pen_.attrs &= ~uint32_t(kAttrReverse); break;
        case 39: pen_.fg = {ColorKind::Default, 0}; break;
        case 49: pen_.bg = {ColorKind::Default, 0}; break;
        default:
            if (v >= 30 && v <= 37)
                pen_.fg = {ColorKind::Index, v - 30};
            else if (v >= 40 && v <= 47)
                pen_.bg = {ColorKind::Index, v - 40};
            else if (v >= 90 && v <= 97)
                pen_.fg = {ColorKind::Index, v - 90 + 8};
            else if (v >= 100 && v <= 107)
                pen_.bg = {ColorKind::Index, v - 100 + 8};
            break; // anything else: ignored
        }
    }
}

uint32_t Terminal::resolve(const Color& c, bool fg) const {
    switch (c.kind) {
    case ColorKind::Index: {
        uint32_t i = c.value;
        if (fg && i < 8 && (pen_.attrs & kAttrBold) && config_.bold_is_bright) i += 8;
        return terminal_color256(config_, i);
    }
    case ColorKind::Rgb: return c.value;
    default: return fg ? config_.default_fg : config_.default_bg;
    }
}

Cell Terminal::blank() const {
    return Cell{' ', config_.default_fg, resolve(pen_.bg, false), 0, 0, {0, 0}};
}

void Terminal::print(uint32_t cp) {
    if (pending_wrap_ && autowrap_) {
        x_ = 0;
        linefeed();
    }
    pending_wrap_ = false;
    row_cells(y_)[x_] = Cell{cp, resolve(pen_.fg, true), resolve(pen_.bg, false), pen_.attrs, 0, {0, 0}};
    mark_dirty(y_);
    if (x_ + 1 < cols_)
        ++x_;
    else if (autowrap_)
        pending_wrap_ = true;
}

void Terminal::linefeed() {
    pending_wrap_ = false;
    if (y_ + 1 == bottom_)
        scroll_up(top_, bottom_, 1);
    else if (y_ + 1 < rows_)
        ++y_;
}

void Terminal::reverse_index() {
    pending_wrap_ = false;
    if (y_ == top_)
        scroll_down(top_, bottom_, 1);
    else if (y_ > 0)
        --y_;
}

void Terminal::erase(uint32_t y, uint32_t x0, uint32_t x1) {
    if (y >= rows_) return;
    if (x1 > cols_) x1 = cols_;
    Cell b = blank();
    Cell* row = row_cells(y);
    for (uint32_t x = x0; x < x1; ++x)
        row[x] = b;
    mark_dirty(y);
}

// Scrolling costs a few row indices instead of moving every cell of the region.
void Terminal::rotate_rows(uint32_t top, uint32_t bottom, uint32_t n) {
    rotate_indices(row_map_, top, bottom, n);
}

void Terminal::scroll_up(uint32_t top, uint32_t bottom, uint32_t n) {
    if (top >= bottom || bottom > rows_ || n == 0) return;
    n = min_u32(n, bottom - top);
    if (top == 0)
        for (uint32_t y = 0; y < n; ++y)
            keep_in_history(y);
    rotate_rows(top, bottom, n);
    Cell b = blank(); // note_scroll marks these rows dirty
    for (uint32_t y = bottom - n; y < bottom; ++y)
        for (uint32_t x = 0; x < cols_; ++x)
            row_cells(y)[x] = b;
    note_scroll(top, bottom, int32_t(n));
}

void Terminal::scroll_down(uint32_t top, uint32_t bottom, uint32_t n) {
    if (top >= bottom || bottom > rows_ || n == 0) return;
    n = min_u32(n, bottom - top);
    rotate_rows(top, bottom, bottom - top - n);
    Cell b = blank(); // note_scroll marks these rows dirty
    for (uint32_t y = top; y < top + n; ++y)
        for (uint32_t x = 0; x < cols_; ++x)
            row_cells(y)[x] = b;
    note_scroll(top, bottom, -int32_t(n));
}

// Keeps the damage exact for a renderer that moves pixels by the hint first:
// dirty bits move with their rows, the rows scrolled in become dirty.
void Terminal::note_scroll(uint32_t top, uint32_t bottom, int32_t n) {
    uint32_t h = bottom - top;
    uint32_t mag = uint32_t(n < 0 ? -n : n);
    if (mag >= h) {
        mark_rows(top, bottom);
        return;
    }
    if (hint_lines_ != 0 && (hint_top_ != top || hint_bottom_ != bottom || (hint_lines_ < 0) != (n < 0))) {
        mark_rows(hint_top_, hint_bottom_); // an incompatible earlier scroll: redraw its rows instead
        hint_lines_ = 0;
    }
    if (n > 0) {
        for (uint32_t y = top; y + mag < bottom; ++y) {
            bool d = row_dirty(y + mag);
            dirty_[y / 64] = (dirty_[y / 64] & ~(uint64_t(1) << (y % 64))) | (uint64_t(d) << (y % 64));
        }
        mark_rows(bottom - mag, bottom);
    } else {
        for (uint32_t y = bottom; y-- > top + mag;) {
            bool d = row_dirty(y - mag);
            dirty_[y / 64] = (dirty_[y / 64] & ~(uint64_t(1) << (y % 64))) | (uint64_t(d) << (y % 64));
        }
        mark_rows(top, top + mag);
    }
    hint_lines_ += n;
    hint_top_ = top;
    hint_bottom_ = bottom;
    int32_t total = hint_lines_ < 0 ? -hint_lines_ : hint_lines_;
    if (uint32_t(total) >= h) {
        mark_rows(top, bottom);
        hint_lines_ = 0;
    }
}

} // namespace celos::fbcon
