// The terminal state machine. The parser follows the shape of Paul
// Williams' DEC parser (ground, escape, CSI entry/param/ignore, control
// strings), reduced to what a console needs; unknown sequences are parsed
// to their final byte and dropped. Behaviour of each sequence follows
// xterm's ctlseqs (pending wrap at the right margin, scroll region, SGR).
#include "terminal.h"

#include "unicode_tables.h" // generated in the build tree by tools/gen_unicode_tables.py

namespace celos::fbcon {
namespace {

constexpr uint32_t kReplacement = 0xFFFD;
constexpr uint32_t kParamMax = 65535;

uint32_t min_u32(uint32_t a, uint32_t b) {
    return a < b ? a : b;
}

bool in_table(const unicode::UnicodeRange* table, uint32_t count, uint32_t cp) {
    uint32_t lo = 0, hi = count;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (cp < table[mid].first)
            hi = mid;
        else if (cp > table[mid].last)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

// DEC special graphics (ESC ( 0) for 0x5F-0x7E, as xterm maps it in UTF-8
// mode (charsets.h map_DEC_Spec_Graphic): 0x5F is U+2426, y and z are the
// plain U+2264/U+2265 (libvterm uses the slanted U+2A7D/U+2A7E).
constexpr uint16_t kDecGraphics[32] = {
    0x2426, 0x25C6, 0x2592, 0x2409, 0x240C, 0x240D, 0x240A, 0x00B0, 0x00B1, 0x2424, 0x240B,
    0x2518, 0x2510, 0x250C, 0x2514, 0x253C, 0x23BA, 0x23BB, 0x2500, 0x23BC, 0x23BD, 0x251C,
    0x2524, 0x2534, 0x252C, 0x2502, 0x2264, 0x2265, 0x03C0, 0x2260, 0x00A3, 0x00B7};

uint32_t map_charset(uint8_t set, uint32_t c) {
    if (set == '0' && c >= 0x5F) return kDecGraphics[c - 0x5F];
    if (set == 'A' && c == '#') return 0x00A3; // UK: pound sign
    return c;
}

} // namespace

uint32_t terminal_char_width(uint32_t cp) {
    if (cp < 0x300) return 1;
    if (in_table(unicode::kZeroWidth, unicode::kZeroWidthCount, cp)) return 0;
    if (in_table(unicode::kWide, unicode::kWideCount, cp)) return 2;
    return 1;
}

bool terminal_emoji_vs16_base(uint32_t cp) {
    return in_table(unicode::kEmojiVs16, unicode::kEmojiVs16Count, cp);
}

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
    alt_active_ = false;
    alt_cells_ = other_cells_ = nullptr;
    reset();
    return true;
}

void Terminal::set_alt_cells(Cell* cells) {
    if (alt_active_) switch_screen(false);
    alt_cells_ = other_cells_ = cells;
    if (!cells) return;
    Cell b = blank();
    for (size_t i = 0; i < size_t(cols_) * rows_; ++i)
        cells[i] = b;
    for (uint32_t y = 0; y < rows_; ++y) {
        other_map_[y] = uint16_t(y);
        other_line_attr_[y] = LineAttr::Normal;
    }
    other_saved_ = saved_;
}

void Terminal::reset() {
    if (alt_active_) switch_screen(false); // xterm: RIS returns to the normal screen
    pen_ = Pen{{ColorKind::Default, 0}, {ColorKind::Default, 0}, {ColorKind::Default, 0}, 0};
    x_ = y_ = 0;
    pending_wrap_ = false;
    autowrap_ = true;
    cursor_visible_ = true;
    insert_ = newline_mode_ = origin_ = reverse_screen_ = false;
    cursor_style_ = 0;
    for (auto& g : g_)
        g = 'B';
    gl_ = single_shift_ = 0;
    last_char_ = 0;
    for (auto& w : tabs_)
        w = 0;
    for (uint32_t x = 0; x < cols_; x += 8)
        tabs_[x / 64] |= uint64_t(1) << (x % 64);
    top_ = 0;
    bottom_ = rows_;
    saved_ = Saved{0, 0, pen_, false, false, {'B', 'B', 'B', 'B'}, 0};
    other_saved_ = saved_;
    state_ = State::Ground;
    param_count_ = 0;
    sub_ = 0;
    private_ = intermediate_ = intermediates_ = 0;
    utf8_need_ = 0;
    for (uint32_t y = 0; y < rows_; ++y) {
        row_map_[y] = uint16_t(y);
        line_attr_[y] = LineAttr::Normal;
    }
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
    for (size_t i = 0; i < size;) {
        if (data[i] >= 0x20 && data[i] < 0x7F && state_ == State::Ground && !utf8_need_) {
            size_t n = 1;
            while (i + n < size && data[i + n] >= 0x20 && data[i + n] < 0x7F) ++n;
            i += print_ascii(data + i, n);
        } else {
            byte(data[i++]);
        }
    }
}

void Terminal::write_bytewise(const uint8_t* data, size_t size) {
    if (size) set_view(0);
    for (size_t i = 0; i < size; ++i)
        byte(data[i]);
}

// Printable ASCII in the ground state, as print() would put it, a row's
// worth at a time where nothing but the cells changes: ASCII in GL, no
// single shift, no insert mode, a normal row, the cursor before the last
// column with no wrap pending (the last column and the wrap go through
// put_char). Most of what a console shows (a log line) takes this path:
// one pen, one wide-character check and one dirty mark per run, not per
// character. How many bytes it took (at least one).
size_t Terminal::print_ascii(const uint8_t* text, size_t n) {
    if (g_[gl_] != 'B' || single_shift_ || insert_) {
        print(text[0]);
        return 1;
    }
    size_t done = 0;
    Cell c = pen_cell(0);
    while (done < n) {
        uint32_t rw = row_width(y_);
        if (pending_wrap_ || rw < 2 || x_ >= rw - 1) {
            print(text[done++]);
            continue;
        }
        size_t k = rw - 1 - x_;
        if (k > n - done) k = n - done;
        Cell* r = row_cells(y_);
        clear_wide_at(r, x_, x_ + uint32_t(k));
        for (size_t j = 0; j < k; ++j) {
            c.codepoint = text[done + j];
            r[x_ + j] = c;
        }
        mark_dirty(y_);
        x_ += uint32_t(k);
        done += k;
        last_char_ = text[done - 1];
    }
    return done;
}

void Terminal::release_history() {
    if (history_memory_.allocate && history_memory_.free)
        for (uint32_t i = 0; i < chunk_count_; ++i)
            history_memory_.free(history_chunks_[i]);
    for (Cell*& chunk : history_chunks_)
        chunk = nullptr;
    chunk_count_ = chunk_lines_ = history_want_ = 0;
    history_memory_ = {};
    history_grows_ = false;
    history_capacity_ = history_count_ = history_next_ = 0;
}

void Terminal::set_history(Cell* cells, uint32_t lines) {
    release_history();
    if (cells && lines) {
        history_chunks_[0] = cells;
        chunk_count_ = 1;
        chunk_lines_ = history_want_ = history_capacity_ = lines;
    }
    set_view(0);
}

void Terminal::set_history(uint32_t lines, const CellMemory& memory) {
    release_history();
    if (lines && memory.allocate) {
        history_memory_ = memory;
        history_want_ = lines;
        // Chunks of at least 16 rows (or all of them), enough of them for
        // every line asked for.
        chunk_lines_ = (lines + kHistoryChunks - 1) / kHistoryChunks;
        if (chunk_lines_ < 16) chunk_lines_ = lines < 16 ? lines : 16;
        history_grows_ = true;
        grow_history();
    }
    set_view(0);
}

bool Terminal::grow_history() {
    if (!history_grows_ || chunk_count_ == kHistoryChunks || history_capacity_ >= history_want_) {
        history_grows_ = false;
        return false;
    }
    Cell* chunk = history_memory_.allocate(size_t(chunk_lines_) * cols_);
    if (!chunk) {
        history_grows_ = false; // the ring wraps over what it has
        return false;
    }
    history_chunks_[chunk_count_++] = chunk;
    uint32_t lines = chunk_count_ * chunk_lines_;
    history_capacity_ = lines < history_want_ ? lines : history_want_;
    return true;
}

void Terminal::keep_in_history(uint32_t y) {
    if (!history_capacity_ || alt_active_) return; // the alternate screen has no scrollback
    // Full before the ring ever wrapped: a chunk more, the new row after the
    // others (history_next_ wrapped to 0 at the old end).
    if (history_count_ == history_capacity_ && history_grows_ && grow_history())
        history_next_ = history_count_;
    Cell* dst = history_row(history_next_);
    const Cell* src = row(y);
    for (uint32_t x = 0; x < cols_; ++x)
        dst[x] = src[x];
    history_next_ = (history_next_ + 1) % history_capacity_;
    if (history_count_ < history_capacity_) ++history_count_;
    // A view into the history keeps showing the same lines.
    if (view_ != 0 && view_ < history_count_) ++view_;
}

void Terminal::set_view(uint32_t offset) {
    if (offset > history_count_ || alt_active_) offset = alt_active_ ? 0 : history_count_;
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
    return history_row((oldest + index) % history_capacity_);
}

LineAttr Terminal::line_attr(uint32_t y) const {
    if (y >= rows_) return LineAttr::Normal;
    uint32_t index = history_count_ - view_ + y; // view_ <= history_count_
    if (index < history_count_) return LineAttr::Normal;
    return line_attr_[row_map_[index - history_count_]];
}

uint32_t Terminal::row_width(uint32_t y) const {
    if (line_attr_[row_map_[y]] == LineAttr::Normal || cols_ < 2) return cols_;
    return cols_ / 2;
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
        intermediate_ = intermediates_ = 0;
        break; // ESC + b: handle b as after ESC
    default: break;
    }
    if (b == 0x1B) {
        state_ = State::Escape;
        intermediate_ = intermediates_ = 0;
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
            intermediate_ = b;
            intermediates_ = 1;
        } else if (b == '[') {
            state_ = State::Csi;
            param_count_ = 0;
            sub_ = 0;
            private_ = intermediate_ = intermediates_ = 0;
        } else if (b == ']' || b == 'P' || b == 'X' || b == '^' || b == '_') {
            state_ = State::String;
        } else {
            state_ = State::Ground;
            escape_final(b);
        }
        return;
    case State::EscapeIntermediate:
        if (b <= 0x2F) {
            if (intermediates_ < 255) ++intermediates_;
            return;
        }
        state_ = State::Ground;
        escape_final(b);
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
            if (param_count_ < kMaxParams) {
                params_[param_count_] = 0;
                if (b == ':') sub_ |= uint32_t(1) << param_count_; // keep which separator it had
            }
            if (param_count_ <= kMaxParams) ++param_count_; // past 16: the rest is ignored
        } else if (b >= 0x3C && b <= 0x3F) {
            if (param_count_ == 0 && !private_ && !intermediate_)
                private_ = b;
            else
                state_ = State::CsiIgnore;
        } else if (b >= 0x20 && b <= 0x2F) {
            if (intermediate_) {
                state_ = State::CsiIgnore; // two intermediates: nothing this terminal knows
                return;
            }
            intermediate_ = b;
        } else { // 0x40-0x7E
            state_ = State::Ground;
            csi_dispatch(b);
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
        intermediate_ = intermediates_ = 0;
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

void Terminal::tab_forward(uint32_t n) {
    // xterm: HT at the right margin keeps a pending wrap (it does not move).
    uint32_t last = row_width(y_) - 1;
    while (n-- && x_ < last) {
        ++x_;
        while (x_ < last && !tab_stop(x_))
            ++x_;
    }
}

void Terminal::control(uint8_t b) {
    switch (b) {
    case 0x07: ++bells_; break;
    case 0x08:
        if (x_ > 0) --x_;
        pending_wrap_ = false;
        break;
    case 0x09: tab_forward(1); break;
    case 0x0A:
    case 0x0B:
    case 0x0C:
        linefeed();
        if (config_.lf_implies_cr || newline_mode_) x_ = 0;
        break;
    case 0x0D:
        x_ = 0;
        pending_wrap_ = false;
        break;
    case 0x0E: gl_ = 1; break; // SO: G1 into GL
    case 0x0F: gl_ = 0; break; // SI: G0
    default: break;            // other C0 controls are ignored
    }
}

void Terminal::save_cursor() {
    saved_ = Saved{x_, y_, pen_, pending_wrap_, origin_, {g_[0], g_[1], g_[2], g_[3]}, gl_};
}

void Terminal::restore_cursor() {
    origin_ = saved_.origin;
    y_ = min_u32(saved_.y, rows_ - 1);
    x_ = min_u32(saved_.x, row_width(y_) - 1);
    pen_ = saved_.pen;
    for (int i = 0; i < 4; ++i)
        g_[i] = saved_.g[i];
    gl_ = saved_.gl;
    pending_wrap_ = saved_.pending_wrap && x_ == row_width(y_) - 1;
}

void Terminal::escape_final(uint8_t b) {
    if (intermediate_) {
        uint8_t i = intermediate_;
        uint32_t n = intermediates_;
        intermediate_ = intermediates_ = 0;
        if (n != 1) return; // ESC ( % 5 and the like: sets this terminal does not have
        if (i >= '(' && i <= '+') { // SCS: designate G0-G3 (94-character sets)
            // Known sets: ASCII, DEC special graphics, UK; others leave the set as it was.
            if (b == 'B' || b == '0' || b == 'A') g_[i - '('] = b;
            return;
        }
        if (i == '#') {
            LineAttr a = LineAttr::Normal;
            switch (b) {
            case '3': a = LineAttr::DoubleTop; break;
            case '4': a = LineAttr::DoubleBottom; break;
            case '5': a = LineAttr::Normal; break;
            case '6': a = LineAttr::DoubleWidth; break;
            case '8': { // DECALN: the screen full of E, margins reset, cursor home (xterm)
                Cell e = pen_cell('E');
                for (uint32_t y = 0; y < rows_; ++y) {
                    line_of(y) = LineAttr::Normal;
                    Cell* r = row_cells(y);
                    for (uint32_t x = 0; x < cols_; ++x)
                        r[x] = e;
                }
                mark_all_dirty();
                top_ = 0;
                bottom_ = rows_;
                origin_ = false;
                move_to(0, 0);
                return;
            }
            default: return;
            }
            if (line_of(y_) != a) {
                line_of(y_) = a;
                mark_dirty(y_);
            }
            uint32_t rw = row_width(y_);
            if (x_ >= rw) {
                x_ = rw - 1;
                pending_wrap_ = false;
            }
            fix_row(y_); // a wide character across the new middle
            return;
        }
        return;
    }
    switch (b) {
    case '7': save_cursor(); break;
    case '8': restore_cursor(); break;
    case 'D': linefeed(); break;
    case 'E':
        linefeed();
        x_ = 0;
        break;
    case 'H': // HTS
        tabs_[x_ / 64] |= uint64_t(1) << (x_ % 64);
        break;
    case 'M': reverse_index(); break;
    case 'N': single_shift_ = 2; break; // SS2
    case 'O': single_shift_ = 3; break; // SS3
    case 'n': gl_ = 2; break;           // LS2
    case 'o': gl_ = 3; break;           // LS3
    case 'c': reset(); break;
    default: break;
    }
}

uint32_t Terminal::param(uint32_t i, uint32_t def) const {
    if (i >= param_count_ || i >= kMaxParams || params_[i] == 0) return def;
    return params_[i];
}

void Terminal::move_to(int64_t x, int64_t y) {
    y_ = uint32_t(y < 0 ? 0 : y >= rows_ ? rows_ - 1 : y);
    uint32_t rw = row_width(y_);
    x_ = uint32_t(x < 0 ? 0 : x >= rw ? rw - 1 : x);
    pending_wrap_ = false;
}

void Terminal::switch_screen(bool alt) {
    if (alt == alt_active_ || (alt && !alt_cells_)) return;
    Cell* c = cells_;
    cells_ = other_cells_;
    other_cells_ = c;
    for (uint32_t y = 0; y < rows_; ++y) {
        uint16_t m = row_map_[y];
        row_map_[y] = other_map_[y];
        other_map_[y] = m;
        LineAttr a = line_attr_[y];
        line_attr_[y] = other_line_attr_[y];
        other_line_attr_[y] = a;
    }
    Saved s = saved_;
    saved_ = other_saved_;
    other_saved_ = s;
    alt_active_ = alt;
    view_ = 0; // the alternate screen has no scrollback to look into
    mark_all_dirty();
}

void Terminal::soft_reset() { // DECSTR, as xterm
    cursor_visible_ = true;
    insert_ = origin_ = false;
    autowrap_ = true;
    pen_ = Pen{{ColorKind::Default, 0}, {ColorKind::Default, 0}, {ColorKind::Default, 0}, 0};
    for (auto& g : g_)
        g = 'B';
    gl_ = single_shift_ = 0;
    top_ = 0;
    bottom_ = rows_;
    saved_ = Saved{0, 0, pen_, false, false, {'B', 'B', 'B', 'B'}, 0};
}

void Terminal::set_mode(uint32_t mode, bool priv, bool on) {
    if (!priv) {
        if (mode == 4) insert_ = on;        // IRM
        if (mode == 20) newline_mode_ = on; // LNM
        return;
    }
    switch (mode) {
    case 5: // DECSCNM
        if (reverse_screen_ != on) mark_all_dirty();
        reverse_screen_ = on;
        break;
    case 6: // DECOM: the cursor goes home (to the region's top when set)
        origin_ = on;
        move_to(0, on ? top_ : 0);
        break;
    case 7:
        autowrap_ = on;
        if (!on) pending_wrap_ = false;
        break;
    case 12: // att610 cursor blink: the blink of the DECSCUSR shape (xterm combines them)
        if (on && cursor_style_ % 2 == 0 && cursor_style_ > 0) --cursor_style_;
        if (!on && cursor_style_ % 2 == 1) cursor_style_ = uint8_t(cursor_style_ + 1);
        if (!on && cursor_style_ == 0) cursor_style_ = 2;
        break;
    case 25: cursor_visible_ = on; break;
    // The alternate screen as xterm: 47 switches; 1047 also clears the
    // alternate screen when leaving it; 1048 saves/restores the cursor;
    // 1049 saves the cursor, switches and clears (restores on leaving).
    case 47: switch_screen(on); break;
    case 1047:
        if (!on && alt_active_) erase_rows(0, rows_);
        switch_screen(on);
        break;
    case 1048:
        if (on)
            save_cursor();
        else
            restore_cursor();
        break;
    case 1049:
        if (on) {
            save_cursor();
            if (alt_cells_ && !alt_active_) {
                switch_screen(true);
                erase_rows(0, rows_);
            }
        } else {
            switch_screen(false);
            restore_cursor();
        }
        break;
    default: break;
    }
}

void Terminal::columns(bool insert, uint32_t n) {
    if (y_ < top_ || y_ >= bottom_) return;
    for (uint32_t y = top_; y < bottom_; ++y) {
        uint32_t rw = row_width(y);
        if (x_ >= rw) continue;
        shift_cells(y, min_u32(n, rw - x_), insert);
    }
}

// Cells [x_, row width) of row y move right (insert) or left by `count`
// (at most the width left); blanks fill in; a wide pair cut is mended.
void Terminal::shift_cells(uint32_t y, uint32_t count, bool insert) {
    uint32_t rw = row_width(y);
    Cell* r = row_cells(y);
    uint32_t keep = rw - x_ - count;
    Cell b = blank();
    if (insert) {
        __builtin_memmove(r + x_ + count, r + x_, size_t(keep) * sizeof(Cell));
        for (uint32_t x = x_; x < x_ + count; ++x)
            r[x] = b;
    } else {
        __builtin_memmove(r + x_, r + x_ + count, size_t(keep) * sizeof(Cell));
        for (uint32_t x = rw - count; x < rw; ++x)
            r[x] = b;
    }
    fix_row(y);
    mark_dirty(y);
}

void Terminal::csi_dispatch(uint8_t final) {
    if (intermediate_) {
        uint8_t i = intermediate_;
        intermediate_ = 0;
        if (private_) return;
        if (i == ' ' && final == 'q') { // DECSCUSR
            uint32_t s = param_count_ ? params_[0] : 0;
            if (s <= 6) cursor_style_ = uint8_t(s);
        } else if (i == '\'' && (final == '}' || final == '~')) { // DECIC, DECDC
            columns(final == '}', param(0, 1));
        } else if (i == '!' && final == 'p') { // DECSTR
            soft_reset();
        }
        return;
    }
    if (private_ == '?') {
        if (final == 'h' || final == 'l') {
            for (uint32_t i = 0; i < param_count_ && i < kMaxParams; ++i)
                set_mode(params_[i], true, final == 'h');
            return;
        }
        // DECSED, DECSEL: without DECSCA nothing is protected, so as ED, EL.
        if (final != 'J' && final != 'K') return;
    } else if (private_) {
        return;
    }
    int64_t n = param(0, 1);
    switch (final) {
    case 'A': { // CUU: stops at the region's top when inside it
        int64_t floor = y_ >= top_ ? top_ : 0;
        int64_t y = int64_t(y_) - n;
        move_to(x_, y < floor ? floor : y);
        break;
    }
    case 'B':   // CUD
    case 'e': { // VPR (xterm: as CUD)
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
    case 'C':
    case 'a': move_to(int64_t(x_) + n, y_); break; // CUF, HPR
    case 'D': move_to(int64_t(x_) - n, y_); break;
    case 'G':
    case '`': move_to(n - 1, y_); break;
    case 'd':   // VPA
    case 'H':   // CUP
    case 'f': { // HVP: relative to the region in origin mode, and kept inside it
        int64_t y = n - 1, x = final == 'd' ? int64_t(x_) : int64_t(param(1, 1)) - 1;
        if (origin_) {
            y += top_;
            if (y >= bottom_) y = bottom_ - 1;
        }
        move_to(x, y);
        break;
    }
    case 'I': tab_forward(param(0, 1)); break; // CHT
    case 'Z': {                                // CBT
        for (uint32_t k = param(0, 1); k && x_ > 0; --k) {
            --x_;
            while (x_ > 0 && !tab_stop(x_))
                --x_;
        }
        pending_wrap_ = false;
        break;
    }
    case 'g': { // TBC
        uint32_t mode = param(0, 0);
        if (mode == 0)
            tabs_[x_ / 64] &= ~(uint64_t(1) << (x_ % 64));
        else if (mode == 3)
            for (auto& w : tabs_)
                w = 0;
        break;
    }
    case 'J': {
        uint32_t mode = param(0, 0);
        pending_wrap_ = false;
        if (mode == 0) { // the cursor's row keeps its line attribute
            erase(y_, x_, cols_);
            erase_rows(y_ + 1, rows_);
        } else if (mode == 1) {
            erase_rows(0, y_);
            erase(y_, 0, x_ + 1);
        } else if (mode == 2 || mode == 3) {
            erase_rows(0, rows_);
            if (mode == 3 && private_ != '?') { // xterm: and the scrollback
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
        uint32_t rw = row_width(y_);
        if (x_ < rw) shift_cells(y_, uint32_t(n > rw - x_ ? rw - x_ : n), final == '@');
        pending_wrap_ = false;
        break;
    }
    case 'S': scroll_up(top_, bottom_, uint32_t(n)); break;
    case 'T':
        if (param_count_ <= 1) scroll_down(top_, bottom_, uint32_t(n));
        break;
    case 'b': { // REP: the last graphic character again, at most a screenful
        if (!last_char_) break;
        uint32_t w = terminal_char_width(last_char_);
        uint32_t count = min_u32(uint32_t(n), cols_ * rows_);
        for (uint32_t k = 0; k < count; ++k)
            put_char(last_char_, w);
        break;
    }
    case 'h':
    case 'l':
        for (uint32_t i = 0; i < param_count_ && i < kMaxParams; ++i)
            set_mode(params_[i], false, final == 'h');
        break;
    case 'r': { // DECSTBM
        uint32_t t = param(0, 1), b = param(1, rows_);
        if (b > rows_) b = rows_;
        if (t < b) {
            top_ = t - 1;
            bottom_ = b;
            move_to(0, origin_ ? top_ : 0);
        }
        break;
    }
    case 'm': sgr(); break;
    case 's':
        if (param_count_ == 0) save_cursor();
        break;
    case 'u':
        if (param_count_ == 0) restore_cursor();
        break;
    default: break;
    }
}

// An extended colour (38, 48, 58) at params_[i]: 5;n, 2;r;g;b with ';'
// (xterm), 5:n and 2:[colourspace]:r:g:b with ':' (ITU T.416; xterm also
// takes 2:r:g:b). Moves i to the last parameter used. False when the
// selector is unknown or short: only the selector is dropped (xterm), the
// parameters after it are read as SGR codes again.
bool Terminal::sgr_color(uint32_t& i, uint32_t count, Color& c) {
    if (is_sub(i + 1)) { // 38:...: everything up to the next ';' belongs to it
        uint32_t end = i + 1;
        while (end < count && is_sub(end))
            ++end;
        uint32_t n = end - (i + 1); // sub-parameters, the selector first
        uint32_t sel = params_[i + 1];
        bool ok = false;
        if (sel == 5 && n >= 2 && params_[i + 2] < 256) {
            c = {ColorKind::Index, params_[i + 2]};
            ok = true;
        } else if (sel == 2 && n >= 4) {
            uint32_t r = n >= 5 ? i + 3 : i + 2; // skip the colour space id
            c = {ColorKind::Rgb, min_u32(params_[r], 255) << 16 | min_u32(params_[r + 1], 255) << 8 |
                                     min_u32(params_[r + 2], 255)};
            ok = true;
        }
        i = end - 1;
        return ok;
    }
    if (i + 1 >= count) return false;
    uint32_t sel = params_[i + 1];
    if (sel == 5 && i + 2 < count) {
        if (params_[i + 2] < 256) c = {ColorKind::Index, params_[i + 2]};
        i += 2;
        return true;
    }
    if (sel == 2 && i + 4 < count) {
        c = {ColorKind::Rgb, min_u32(params_[i + 2], 255) << 16 | min_u32(params_[i + 3], 255) << 8 |
                                 min_u32(params_[i + 4], 255)};
        i += 4;
        return true;
    }
    // Unknown or short: drop the selector (5 or 2 with too few parameters
    // takes what is left).
    i = (sel == 5 || sel == 2) ? count - 1 : i + 1;
    return false;
}

void Terminal::sgr() {
    uint32_t count = min_u32(param_count_, kMaxParams);
    if (count == 0) {
        pen_ = Pen{{ColorKind::Default, 0}, {ColorKind::Default, 0}, {ColorKind::Default, 0}, 0};
        return;
    }
    constexpr uint32_t kUnderlines = kAttrAnyUnderline;
    for (uint32_t i = 0; i < count; ++i) {
        uint32_t v = params_[i];
        if (v == 38 || v == 48 || v == 58) {
            Color& c = v == 38 ? pen_.fg : v == 48 ? pen_.bg : pen_.ul;
            sgr_color(i, count, c);
            continue;
        }
        if (v == 4 && is_sub(i + 1)) { // 4:n underline styles
            uint32_t style = params_[++i];
            pen_.attrs &= ~kUnderlines;
            if (style == 1 || style == 4 || style == 5) pen_.attrs |= kAttrUnderline; // dotted, dashed: single
            if (style == 2) pen_.attrs |= kAttrDoubleUnderline;
            if (style == 3) pen_.attrs |= kAttrCurlyUnderline;
            while (is_sub(i + 1) && i + 1 < count)
                ++i;
            continue;
        }
        switch (v) {
        case 0: pen_ = Pen{{ColorKind::Default, 0}, {ColorKind::Default, 0}, {ColorKind::Default, 0}, 0}; break;
        case 1: pen_.attrs |= kAttrBold; break;
        case 2: pen_.attrs |= kAttrDim; break;
        case 3: pen_.attrs |= kAttrItalic; break;
        case 4: pen_.attrs = (pen_.attrs & ~kUnderlines) | kAttrUnderline; break;
        case 5:
        case 6: pen_.attrs |= kAttrBlink; break;
        case 7: pen_.attrs |= kAttrReverse; break;
        case 8: pen_.attrs |= kAttrInvisible; break;
        case 9: pen_.attrs |= kAttrStrike; break;
        case 21: pen_.attrs = (pen_.attrs & ~kUnderlines) | kAttrDoubleUnderline; break;
        case 22: pen_.attrs &= ~uint32_t(kAttrBold | kAttrDim); break;
        case 23: pen_.attrs &= ~uint32_t(kAttrItalic); break;
        case 24: pen_.attrs &= ~kUnderlines; break;
        case 25: pen_.attrs &= ~uint32_t(kAttrBlink); break;
        case 27: pen_.attrs &= ~uint32_t(kAttrReverse); break;
        case 28: pen_.attrs &= ~uint32_t(kAttrInvisible); break;
        case 29: pen_.attrs &= ~uint32_t(kAttrStrike); break;
        case 39: pen_.fg = {ColorKind::Default, 0}; break;
        case 49: pen_.bg = {ColorKind::Default, 0}; break;
        case 59: pen_.ul = {ColorKind::Default, 0}; break;
        default:
            if (v >= 30 && v <= 37)
                pen_.fg = {ColorKind::Basic, v - 30};
            else if (v >= 40 && v <= 47)
                pen_.bg = {ColorKind::Basic, v - 40};
            else if (v >= 90 && v <= 97)
                pen_.fg = {ColorKind::Basic, v - 90 + 8};
            else if (v >= 100 && v <= 107)
                pen_.bg = {ColorKind::Basic, v - 100 + 8};
            break; // anything else: ignored
        }
        while (is_sub(i + 1) && i + 1 < count) // sub-parameters of anything else: ignored
            ++i;
    }
}

uint32_t Terminal::resolve(const Color& c, bool fg) const {
    switch (c.kind) {
    case ColorKind::Basic: {
        uint32_t i = c.value;
        // xterm brightens only the eight basic colours (30-37), not 38;5;0-7.
        if (fg && i < 8 && (pen_.attrs & kAttrBold) && config_.bold_is_bright) i += 8;
        return terminal_color256(config_, i);
    }
    case ColorKind::Index: return terminal_color256(config_, c.value);
    case ColorKind::Rgb: return c.value;
    default: return fg ? config_.default_fg : config_.default_bg;
    }
}

Cell Terminal::blank() const {
    return Cell{' ', config_.default_fg, resolve(pen_.bg, false), 0, 0, {0, 0}};
}

Cell Terminal::pen_cell(uint32_t cp) const {
    Cell c{cp, resolve(pen_.fg, true), resolve(pen_.bg, false), pen_.attrs, 0, {0, 0}};
    if (pen_.ul.kind != ColorKind::Default) {
        c.attrs |= kAttrUnderlineColor;
        c.underline = resolve(pen_.ul, false);
    }
    return c;
}

// Blanks a wide character that only one of [x0, x1) covers: whoever
// overwrites either half blanks the other one.
void Terminal::clear_wide_at(Cell* r, uint32_t x0, uint32_t x1) {
    if (x0 >= x1) return;
    if (x0 > 0 && (r[x0].attrs & kAttrWideTail)) r[x0 - 1] = blank();
    if (x1 < cols_ && (r[x1 - 1].attrs & kAttrWide)) r[x1] = blank();
}

void Terminal::fix_row(uint32_t y) {
    Cell* r = row_cells(y);
    bool changed = false;
    for (uint32_t x = 0; x < cols_; ++x) {
        if (((r[x].attrs & kAttrWide) && (x + 1 >= cols_ || !(r[x + 1].attrs & kAttrWideTail))) ||
            ((r[x].attrs & kAttrWideTail) && (x == 0 || !(r[x - 1].attrs & kAttrWide)))) {
            r[x] = blank();
            changed = true;
        }
    }
    if (changed) mark_dirty(y); // the renderer draws what changed
}

void Terminal::print(uint32_t cp) {
    if (cp >= 0x20 && cp < 0x7F) {
        uint8_t set = g_[single_shift_ ? single_shift_ : gl_];
        cp = map_charset(set, cp);
    }
    single_shift_ = 0;
    uint32_t w = terminal_char_width(cp);
    if (w == 0) {
        combine(cp);
        return;
    }
    last_char_ = cp;
    put_char(cp, w);
}

void Terminal::put_char(uint32_t cp, uint32_t w) {
    if (pending_wrap_ && autowrap_) {
        x_ = 0;
        linefeed();
    }
    pending_wrap_ = false;
    uint32_t rw = row_width(y_);
    if (w == 2 && rw < 2) w = 1; // a one-column row: the character is cut to one cell
    if (x_ >= rw) x_ = rw - 1;
    if (w == 2 && x_ + 1 >= rw) {
        // xterm: a wide character that does not fit at the last column
        // goes to the next line (the last column is left as it was);
        // without autowrap it takes the last two columns.
        if (autowrap_) {
            x_ = 0;
            linefeed();
            rw = row_width(y_);
            if (rw < 2) w = 1;
        } else {
            x_ = rw - 2;
        }
    }
    Cell* r = row_cells(y_);
    if (insert_) { // IRM: the rest of the row moves right, what passes the margin is lost
        if (x_ > 0 && (r[x_].attrs & kAttrWideTail)) { // inserting inside a wide character splits it
            r[x_ - 1] = blank();
            r[x_] = blank();
        }
        if (rw - x_ > w) __builtin_memmove(r + x_ + w, r + x_, size_t(rw - x_ - w) * sizeof(Cell));
        for (uint32_t x = x_; x < x_ + w; ++x)
            r[x] = blank();
    } else {
        clear_wide_at(r, x_, x_ + w);
    }
    Cell c = pen_cell(cp);
    if (w == 2) {
        c.attrs |= kAttrWide;
        r[x_] = c;
        c.codepoint = 0;
        c.attrs = (c.attrs & ~uint32_t(kAttrWide)) | kAttrWideTail;
        r[x_ + 1] = c;
    } else {
        r[x_] = c;
    }
    if (insert_) fix_row(y_); // a wide character pushed half past the margin
    mark_dirty(y_);
    if (x_ + w < rw)
        x_ += w;
    else {
        x_ = rw - 1;
        if (autowrap_) pending_wrap_ = true;
    }
}

// A combining or zero-width character joins the cell before the cursor
// (the cursor's own when a wrap is pending), as xterm; at the start of a
// line there is none and it is dropped (as libvterm). xterm keeps two marks per cell by
// default: further ones are dropped too. Base + U+FE0F (emoji
// presentation) makes the base two cells wide when there is room.
void Terminal::combine(uint32_t cp) {
    uint32_t px;
    if (pending_wrap_)
        px = x_;
    else if (x_ > 0)
        px = x_ - 1;
    else
        return;
    Cell* r = row_cells(y_);
    if ((r[px].attrs & kAttrWideTail) && px > 0) --px;
    Cell& base = r[px];
    if (base.attrs & kAttrWideTail) return;
    if (cp == 0xFE0F && !(base.attrs & kAttrWide) && terminal_emoji_vs16_base(base.codepoint) &&
        px + 1 < row_width(y_) && x_ == px + 1 && !pending_wrap_) {
        clear_wide_at(r, px + 1, px + 2);
        base.attrs |= kAttrWide;
        Cell tail = base;
        tail.codepoint = 0;
        tail.marks[0] = tail.marks[1] = 0;
        tail.attrs = (tail.attrs & ~uint32_t(kAttrWide)) | kAttrWideTail;
        r[px + 1] = tail;
        uint32_t rw = row_width(y_);
        if (px + 2 < rw)
            x_ = px + 2;
        else {
            x_ = rw - 1;
            if (autowrap_) pending_wrap_ = true;
        }
    }
    if (!base.marks[0])
        base.marks[0] = cp;
    else if (!base.marks[1])
        base.marks[1] = cp;
    mark_dirty(y_);
}

void Terminal::linefeed() {
    pending_wrap_ = false;
    if (y_ + 1 == bottom_)
        scroll_up(top_, bottom_, 1);
    else if (y_ + 1 < rows_)
        ++y_;
    uint32_t rw = row_width(y_);
    if (x_ >= rw) x_ = rw - 1;
}

void Terminal::reverse_index() {
    pending_wrap_ = false;
    if (y_ == top_)
        scroll_down(top_, bottom_, 1);
    else if (y_ > 0)
        --y_;
    uint32_t rw = row_width(y_);
    if (x_ >= rw) x_ = rw - 1;
}

void Terminal::erase(uint32_t y, uint32_t x0, uint32_t x1) {
    if (y >= rows_) return;
    if (x1 > cols_) x1 = cols_;
    if (x0 >= x1) return;
    Cell b = blank();
    Cell* r = row_cells(y);
    clear_wide_at(r, x0, x1);
    for (uint32_t x = x0; x < x1; ++x)
        r[x] = b;
    mark_dirty(y);
}

void Terminal::erase_rows(uint32_t y0, uint32_t y1) {
    for (uint32_t y = y0; y < y1 && y < rows_; ++y) {
        line_of(y) = LineAttr::Normal; // DEC (and libvterm): a line erased whole is single width again
        erase(y, 0, cols_);
    }
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
    for (uint32_t y = bottom - n; y < bottom; ++y) {
        line_of(y) = LineAttr::Normal;
        for (uint32_t x = 0; x < cols_; ++x)
            row_cells(y)[x] = b;
    }
    note_scroll(top, bottom, int32_t(n));
}

void Terminal::scroll_down(uint32_t top, uint32_t bottom, uint32_t n) {
    if (top >= bottom || bottom > rows_ || n == 0) return;
    n = min_u32(n, bottom - top);
    rotate_rows(top, bottom, bottom - top - n);
    Cell b = blank(); // note_scroll marks these rows dirty
    for (uint32_t y = top; y < top + n; ++y) {
        line_of(y) = LineAttr::Normal;
        for (uint32_t x = 0; x < cols_; ++x)
            row_cells(y)[x] = b;
    }
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
