// The terminal emulator: a byte stream (UTF-8 text and a subset of the
// xterm/VT control sequences) applied to a grid of cells in caller memory.
// Pure logic, no heap: compiled into the fbcon module and the host tests.
// Whatever the input, it writes only inside the grid.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace celos::fbcon {

enum CellAttr : uint32_t {
    kAttrBold = 1u << 0,
    kAttrUnderline = 1u << 1, // single underline (SGR 4, 4:1)
    kAttrReverse = 1u << 2,
    kAttrDim = 1u << 3,
    kAttrItalic = 1u << 4,
    kAttrStrike = 1u << 5,
    kAttrInvisible = 1u << 6,
    kAttrBlink = 1u << 7,
    kAttrDoubleUnderline = 1u << 8, // SGR 21, 4:2 (at most one underline bit is set)
    kAttrCurlyUnderline = 1u << 9,  // SGR 4:3
    kAttrWide = 1u << 12,           // first cell of a two-cell character
    kAttrWideTail = 1u << 13,       // second cell of one: codepoint 0, drawn by the first
    kAttrUnderlineColor = 1u << 14, // Cell::underline holds the underline colour
};
constexpr uint32_t kAttrAnyUnderline = kAttrUnderline | kAttrDoubleUnderline | kAttrCurlyUnderline;

// Line attributes (DECDWL, DECDHL), per screen row.
enum class LineAttr : uint8_t { Normal, DoubleWidth, DoubleTop, DoubleBottom };

// One character cell; colours are resolved 0xRRGGBB at write time.
struct Cell {
    uint32_t codepoint; // 0 in the tail of a wide character
    uint32_t fg;
    uint32_t bg;
    uint32_t attrs;     // CellAttr bits
    uint32_t underline; // 0xRRGGBB when kAttrUnderlineColor
    uint32_t marks[2];  // combining marks drawn over the base, 0: none (xterm keeps 2)
};

struct TerminalConfig {
    uint32_t palette[16]; // 0xRRGGBB, ANSI colours 0-7 then bright 8-15
    uint32_t default_fg;  // 0xRRGGBB
    uint32_t default_bg;
    bool bold_is_bright; // bold with colours 0-7 uses 8-15
    bool lf_implies_cr;  // LF also returns to column 0 (for log text)
};

// Cells a code point takes: 0 (a combining mark or zero-width character,
// joining the previous cell), 1, or 2 (East Asian Wide or Fullwidth, emoji
// presentation). From the Unicode Character Database at build time
// (tools/gen_unicode_tables.py).
uint32_t terminal_char_width(uint32_t cp);
// Whether base + U+FE0F (emoji presentation) takes two cells.
bool terminal_emoji_vs16_base(uint32_t cp);

// The VGA palette, light grey on black, bold is bright, LF without CR.
TerminalConfig terminal_default_config();

// 256-colour index to 0xRRGGBB (0-15 from the palette, the 6x6x6 cube, greys).
uint32_t terminal_color256(const TerminalConfig& config, uint32_t index);

// Rotates map[top, bottom) left by n (three reversals): index top + n
// becomes index top. The terminal renumbers its rows with it, the renderer
// its slots, so that a scroll moves indices instead of cells or pixels.
inline void rotate_indices(uint16_t* map, uint32_t top, uint32_t bottom, uint32_t n) {
    auto reverse = [map](uint32_t lo, uint32_t hi) { // [lo, hi)
        while (lo + 1 < hi) {
            uint16_t t = map[lo];
            map[lo++] = map[--hi];
            map[hi] = t;
        }
    };
    reverse(top, top + n);
    reverse(top + n, bottom);
    reverse(top, bottom);
}

// Where cells come from when the terminal or the console takes more
// (kcalloc/kfree, or fbcon's zeroed pages, in the module).
struct CellMemory {
    Cell* (*allocate)(size_t count) = nullptr; // zeroed; null when out of memory
    void (*free)(Cell* cells) = nullptr;       // null is a no-op
};

class Terminal {
  public:
    Terminal() = default;
    Terminal(const Terminal&) = delete;
    Terminal& operator=(const Terminal&) = delete;
    ~Terminal() { release_history(); }

    static constexpr uint32_t kMaxRows = 1024;
    static constexpr uint32_t kMaxCols = 4096;
    static constexpr uint32_t kMaxParams = 16;

    // `cells` holds cols*rows cells, in rows of `cols` cells (their order in
    // memory is the terminal's: a scroll reorders rows, it does not move
    // cells). False if a size is 0 or too large. Clears the grid and marks
    // it all dirty.
    bool init(Cell* cells, uint32_t cols, uint32_t rows, const TerminalConfig& config);
    // The alternate screen (DECSET 47/1047/1049): `cells` holds cols*rows
    // cells of the caller's memory (null: no alternate screen, the modes
    // are ignored as in xterm with titeInhibit). Call after init(), which
    // forgets it; it has no scrollback.
    void set_alt_cells(Cell* cells);
    bool alt_screen() const { return alt_active_; }

    void write(const uint8_t* data, size_t size);
    void write(const char* text); // NUL-terminated
    // write() with every byte through the parser, without the shortcut
    // write() takes for runs of printable ASCII: what that shortcut must
    // equal (the tests compare the two).
    void write_bytewise(const uint8_t* data, size_t size);
    void reset();                 // RIS: clear, home, default pen and region

    // Scrollback: `cells` holds `lines` rows of cols() cells (the caller's
    // memory; null or 0 lines: none). Rows that scroll off the top of the
    // whole screen (a scroll region starting at row 0) are kept there,
    // newest last, the oldest dropped when it is full. Call after init();
    // the history starts empty.
    void set_history(Cell* cells, uint32_t lines);
    // The same, in memory taken as the history first fills: chunks of rows
    // from `memory` (at most kHistoryChunks of them, the first taken now),
    // so a console asked for 2000 lines commits the memory of the lines it
    // has kept, not of all it may keep. Nothing is dropped while a chunk
    // can be added; once `lines` rows are kept, or a chunk cannot be had,
    // the oldest row goes as a new one comes. The chunks are given back by
    // the next set_history and by the destructor. history_capacity() is 0
    // when not even the first chunk could be had.
    void set_history(uint32_t lines, const CellMemory& memory);
    uint32_t history_lines() const { return history_count_; }
    // Rows the history holds before it drops the oldest (it may grow to
    // history_wanted()).
    uint32_t history_capacity() const { return history_capacity_; }
    uint32_t history_wanted() const { return history_want_; }
    static constexpr uint32_t kHistoryChunks = 64;
    // The view: `offset` lines back into the history (0: the screen),
    // clamped to what is kept. Everything is marked dirty when it changes.
    // Any write returns the view to the bottom.
    void set_view(uint32_t offset);
    void scroll_view(int64_t lines); // > 0 back, < 0 towards the bottom
    uint32_t view_offset() const { return view_; }
    // What screen row `y` shows in the current view: a history row or a
    // row of the terminal. The renderer draws these.
    const Cell* view_row(uint32_t y) const;

    uint32_t cols() const { return cols_; }
    uint32_t rows() const { return rows_; }
    const Cell& cell(uint32_t x, uint32_t y) const { return row(y)[x]; }
    const Cell* row(uint32_t y) const { return cells_ + size_t(row_map_[y]) * cols_; }
    uint32_t cursor_x() const { return x_; }
    uint32_t cursor_y() const { return y_; }
    bool cursor_visible() const { return cursor_visible_ && view_ == 0; }
    bool pending_wrap() const { return pending_wrap_; }
    uint32_t scroll_top() const { return top_; }       // region, first row
    uint32_t scroll_bottom() const { return bottom_; } // region, one past the last row
    uint64_t bell_count() const { return bells_; }
    // DECSCNM: the renderer swaps the default colours of the whole screen.
    bool reverse_screen() const { return reverse_screen_; }
    // The line attribute of view row y (DECDWL/DECDHL); history rows are Normal.
    LineAttr line_attr(uint32_t y) const;
    // DECSCUSR: 0 or 1 blinking block, 2 steady block, 3 blinking
    // underline, 4 steady underline, 5 blinking bar, 6 steady bar.
    uint8_t cursor_style() const { return cursor_style_; }
    bool insert_mode() const { return insert_; }
    bool origin_mode() const { return origin_; }
    bool tab_stop(uint32_t x) const { return x < cols_ && ((tabs_[x / 64] >> (x % 64)) & 1); }
    const TerminalConfig& config() const { return config_; }

    // Damage since clear_damage(). The renderer first moves the pixels of
    // rows [scroll_hint_top, scroll_hint_bottom) up by scroll_hint_lines
    // (down when negative), then redraws the dirty rows.
    bool row_dirty(uint32_t y) const { return (dirty_[y / 64] >> (y % 64)) & 1; }
    bool any_dirty() const;
    int32_t scroll_hint_lines() const { return hint_lines_; }
    uint32_t scroll_hint_top() const { return hint_top_; }
    uint32_t scroll_hint_bottom() const { return hint_bottom_; }
    void clear_damage();
    void mark_all_dirty();

  private:
    enum class State : uint8_t { Ground, Escape, EscapeIntermediate, Csi, CsiIgnore, String, StringEscape };
    // Basic: set by 30-37/40-47/90-97/100-107 (bold brightens 0-7 of these
    // only, as xterm does); Index: 38;5;n.
    enum class ColorKind : uint8_t { Default, Basic, Index, Rgb };
    struct Color {
        ColorKind kind;
        uint32_t value;
    };
    struct Pen {
        Color fg, bg, ul;
        uint32_t attrs;
    };
    // DECSC: what xterm saves (per screen, as xterm keeps one for each).
    struct Saved {
        uint32_t x, y;
        Pen pen;
        bool pending_wrap;
        bool origin;
        uint8_t g[4];
        uint8_t gl;
    };

    void byte(uint8_t b);
    void ground_byte(uint8_t b);
    void control(uint8_t b);
    void escape_final(uint8_t b);
    void csi_dispatch(uint8_t final);
    void sgr();
    bool sgr_color(uint32_t& i, uint32_t count, Color& c);
    void print(uint32_t cp);
    void put_char(uint32_t cp, uint32_t width);
    void combine(uint32_t cp);
    void set_mode(uint32_t mode, bool priv, bool on);
    void switch_screen(bool alt);
    void save_cursor();
    void restore_cursor();
    void soft_reset();
    void tab_forward(uint32_t n);
    void columns(bool insert, uint32_t n); // DECIC/DECDC
    void shift_cells(uint32_t y, uint32_t count, bool insert); // ICH/DCH and DECIC/DECDC on one row
    uint32_t row_width(uint32_t y) const;  // half on a double-width line
    LineAttr& line_of(uint32_t y) { return line_attr_[row_map_[y]]; }
    void fix_row(uint32_t y); // blanks halves of wide characters left alone
    void clear_wide_at(Cell* row, uint32_t x0, uint32_t x1); // before writing [x0, x1)
    Cell pen_cell(uint32_t cp) const;
    bool is_sub(uint32_t i) const { return i < kMaxParams && ((sub_ >> i) & 1); }

    void linefeed();
    void reverse_index();
    void move_to(int64_t x, int64_t y);
    void scroll_up(uint32_t top, uint32_t bottom, uint32_t n);
    void scroll_down(uint32_t top, uint32_t bottom, uint32_t n);
    void note_scroll(uint32_t top, uint32_t bottom, int32_t n);
    void erase(uint32_t y, uint32_t x0, uint32_t x1); // [x0, x1) on row y (whole wide characters)
    void erase_rows(uint32_t y0, uint32_t y1);       // whole rows, line attributes back to Normal
    Cell blank() const;
    uint32_t resolve(const Color& c, bool fg) const;
    void mark_dirty(uint32_t y) { dirty_[y / 64] |= uint64_t(1) << (y % 64); }
    void mark_rows(uint32_t y0, uint32_t y1);
    uint32_t param(uint32_t i, uint32_t def) const; // 0 or absent -> def

    Cell* row_cells(uint32_t y) { return cells_ + size_t(row_map_[y]) * cols_; }
    void rotate_rows(uint32_t top, uint32_t bottom, uint32_t n); // row top+n becomes row top

    Cell* cells_ = nullptr;
    uint16_t row_map_[kMaxRows] = {}; // screen row -> row of cells in memory
    uint32_t cols_ = 0, rows_ = 0;
    TerminalConfig config_{};
    uint32_t x_ = 0, y_ = 0;
    bool pending_wrap_ = false;
    bool autowrap_ = true;
    bool cursor_visible_ = true;
    bool insert_ = false;         // IRM
    bool newline_mode_ = false;   // LNM
    bool origin_ = false;         // DECOM
    bool reverse_screen_ = false; // DECSCNM
    uint8_t cursor_style_ = 0;    // DECSCUSR
    uint8_t g_[4] = {'B', 'B', 'B', 'B'}; // G0-G3: 'B' ASCII, '0' DEC special graphics, 'A' UK
    uint8_t gl_ = 0;                      // the set invoked into GL (SO/SI, LS2, LS3)
    uint8_t single_shift_ = 0;            // SS2/SS3 for the next character: 2 or 3
    uint32_t last_char_ = 0;              // for REP (0: none)
    uint64_t tabs_[kMaxCols / 64] = {};
    LineAttr line_attr_[kMaxRows] = {}; // by row of cells in memory: moves with its row

    // The other screen (main while the alternate is shown, and back).
    Cell* other_cells_ = nullptr;
    uint16_t other_map_[kMaxRows] = {};
    LineAttr other_line_attr_[kMaxRows] = {};
    Saved other_saved_{};
    bool alt_active_ = false;
    Cell* alt_cells_ = nullptr;
    uint32_t top_ = 0, bottom_ = 0;
    Pen pen_{};
    Saved saved_{};
    uint64_t bells_ = 0;

    State state_ = State::Ground;
    uint32_t params_[kMaxParams] = {};
    uint32_t param_count_ = 0;
    bool param_started_ = false;
    uint8_t private_ = 0;      // '?', '>', '=', '<' or 0
    uint8_t intermediate_ = 0; // last intermediate byte, or 0
    uint8_t intermediates_ = 0; // how many (ESC ( % 5 has two)
    uint32_t sub_ = 0;          // bit i: parameter i followed a ':' (a sub-parameter)

    uint32_t utf8_cp_ = 0;
    uint8_t utf8_need_ = 0;
    uint8_t utf8_lo_ = 0x80, utf8_hi_ = 0xBF; // allowed range of the next byte

    size_t print_ascii(const uint8_t* text, size_t n); // printable ASCII, a row at a time
    void keep_in_history(uint32_t y); // row y leaves the top of the screen
    bool grow_history();               // one more chunk; false when none
    void release_history();
    Cell* history_row(uint32_t slot) const {
        return history_chunks_[slot / chunk_lines_] + size_t(slot % chunk_lines_) * cols_;
    }

    // The history: a ring of history_capacity_ rows over the chunks, rows
    // [k * chunk_lines_, (k + 1) * chunk_lines_) in chunk k.
    Cell* history_chunks_[kHistoryChunks] = {};
    uint32_t chunk_count_ = 0, chunk_lines_ = 0;
    uint32_t history_want_ = 0;
    CellMemory history_memory_{}; // null allocate: the caller's cells, not grown or freed
    bool history_grows_ = false;   // a chunk may still be added
    uint32_t history_capacity_ = 0, history_count_ = 0, history_next_ = 0; // a ring of rows
    uint32_t view_ = 0;

    uint64_t dirty_[kMaxRows / 64] = {};
    int32_t hint_lines_ = 0;
    uint32_t hint_top_ = 0, hint_bottom_ = 0;
};

} // namespace celos::fbcon
