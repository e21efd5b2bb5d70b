// Draws a Terminal's cells into a back buffer in RAM in the framebuffer's
// own pixel format, then presents only what changed to the (write-only)
// framebuffer. Glyphs come from a celos_font_ops, whoever provides it.
// Pure logic, no heap: compiled into the fbcon module and the host tests.
//
// The back buffer is a ring of text rows ("slots"), not an image of the
// screen: a scroll renumbers the slots, as the terminal renumbers its rows,
// and moves no pixel. present() copies each changed screen row from its slot,
// and of that row only the rectangle that can differ from what the
// framebuffer already shows: the ink of the new text and of the old
// (everything else in both is the plain border colour).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <celos/font.h>

#include "terminal.h"

namespace celos::fbcon {

// Channel positions and sizes as in celos_framebuffer; bpp 15, 16, 24, 32.
struct PixelFormat {
    uint32_t bpp;
    uint8_t red_position, red_size;
    uint8_t green_position, green_size;
    uint8_t blue_position, blue_size;
};

// Null when supported, else a message naming the check.
const char* pixel_format_check(const PixelFormat& format);
inline uint32_t pixel_format_bytes(const PixelFormat& format) {
    return (format.bpp + 7) / 8;
}
// 0xRRGGBB to the format's pixel value (channels truncated to their size).
uint32_t pixel_pack(const PixelFormat& format, uint32_t rgb);

// The cursor's shape when the terminal asks for none (DECSCUSR 0): a block
// over the cell, the font's underline rows, or a bar at the cell's left
// edge as thick as the underline.
enum class CursorShape : uint8_t { Block, Underline, Bar };

struct RenderConfig {
    uint32_t width, height; // framebuffer pixels
    uint32_t pitch;         // framebuffer bytes per row
    PixelFormat format;
    uint32_t margin;     // border pixels on every side of the text area
    uint32_t border_rgb; // colour of the border (and of pixels past the grid)
    CursorShape cursor;  // DECSCUSR 1-6 override it (blinking drawn steady)
    // Framebuffer rows the display can pan over (set_y_offset); 0 or height:
    // no panning. With more, a scroll of the whole screen moves the
    // scan-out offset down (scan_y()) and draws only the new rows.
    uint32_t virtual_height = 0;
};

class Renderer {
  public:
    // Back buffer bytes for `config`: the frame (width * bytes per pixel *
    // height) and room for a cache of drawn cells. A back buffer of just
    // the frame works, without the cache.
    static size_t back_buffer_size(const RenderConfig& config);
    static size_t frame_size(const RenderConfig& config);
    static constexpr size_t kCellCacheBytes = 512 * 1024;

    // The grid `font` gives on the screen of `config` in *cols x *rows, or a
    // message why it cannot draw there (as init, which calls it). Pure: a
    // console checks a new font with it before it lets go of the old one.
    static const char* layout(const RenderConfig& config, const celos_font_ops* font, size_t back_size,
                              uint32_t& cols, uint32_t& rows);

    // Null on success, else a message (unsupported format, no room for a
    // cell, back buffer too small, bad font metrics). May be called again
    // with another font (a font swap): it keeps no pointer from the last one
    // (the colour ramps hold pixel values only), and the next redraw()
    // draws everything with the new font.
    const char* init(const RenderConfig& config, const celos_font_ops* font, uint8_t* back, size_t back_size);

    // The fallback chain: fonts asked, in order, for a code point the
    // primary font (init's) lacks; their glyphs are drawn in the primary's
    // cells. init() keeps it; count 0 clears it.
    static constexpr uint32_t kMaxFallbacks = 4;
    void set_fallbacks(const celos_font_ops* const* fonts, uint32_t count);
    // The fonts answer some glyphs otherwise than before (a face opened at
    // first use, celos_font_ops.revision): the cache of drawn cells is
    // emptied; redraw_later() then draws everything again.
    void glyphs_changed() { clear_cache(); }
    uint32_t fallback_count() const { return fallback_count_; }

    // The glyph for `codepoint` in `style` (CELOS_FONT_STYLE_* bits) from
    // the first font of the chain that has it, else the primary's
    // fallback(); *synth gets the style bits the font had no face for,
    // which the caller synthesizes. True when a font of the chain has the
    // glyph, false for the fallback glyph (a combining mark is then left
    // out).
    bool lookup(uint32_t codepoint, uint32_t style, celos_glyph& out, uint32_t& synth) const;

    // The grid that fits inside the margins (at most Terminal::kMaxRows rows).
    uint32_t cols() const { return cols_; }
    uint32_t rows() const { return rows_; }

    // Everything (border included) into the back buffer; present() then
    // copies the whole frame.
    void redraw(Terminal& term);
    // The same, lazily: the border now, every row of `term` marked dirty
    // for the next render() (which a present follows): a screen set up and
    // then filled before it is first shown is drawn once.
    void redraw_later(Terminal& term);
    // The terminal's damage into the back buffer: renumbers the slots by its
    // scroll hint, draws the dirty rows, notes cursor moves; clears the
    // damage. Rows that scrolled in and out since the last render() are
    // never drawn.
    void render(Terminal& term);
    // Copies what changed since the last present() from the back buffer to
    // `framebuffer` (never read; virtual_height rows when panning) and draws
    // the cursor inverted over it.
    void present(uint8_t* framebuffer);
    // The framebuffer row the display must show from after the last
    // present() (0 without panning).
    uint32_t scan_y() const { return pan_rows_ * cell_h_; }
    // Framebuffer rows the last present() wrote, [y0, y1) (empty when
    // y0 == y1): what a display that needs flushing must flush.
    uint32_t damage_y0() const { return damage_y0_; }
    uint32_t damage_y1() const { return damage_y1_; }
    // Something waits for present(): damage rendered but not yet copied.
    bool present_pending() const;

    bool row_pending(uint32_t row) const { return (pending_[row / 64] >> (row % 64)) & 1; }
    const uint8_t* back_buffer() const { return back_; }
    const celos_font_ops* font() const { return font_; }
    uint32_t back_pitch() const { return back_pitch_; }
    const RenderConfig& config() const { return config_; }
    // First pixel row of text row `row` on the screen (in the framebuffer).
    uint32_t row_top(uint32_t row) const { return config_.margin + row * cell_h_; }
    // The slot that holds screen row `row`, and its first pixel row in the
    // back buffer.
    uint32_t slot_of(uint32_t row) const { return slot_[row]; }
    uint32_t slot_top(uint32_t slot) const { return config_.margin + slot * cell_h_; }
    // Pixels framebuffer writes since init (present's copies and cursor), for
    // tests and the benchmark.
    uint64_t pixels_written() const { return pixels_written_; }
    // Cells drawn by copying them from the cache, and drawn afresh.
    uint64_t cache_hits() const { return cache_hits_; }
    uint64_t cache_misses() const { return cache_misses_; }
    uint32_t cache_entries() const { return cache_entries_; }

  private:
    // Where a slot (or a shown screen row) may differ from the plain border
    // colour: columns [0, x1) of pixel rows [y0, y1) of the row. Empty when
    // x1 == 0.
    struct Ink {
        uint32_t x1;
        uint16_t y0, y1;
    };
    static Ink ink_union(Ink a, Ink b);

    // The cache of drawn cells: a direct-mapped table in the back buffer's
    // tail, each entry a cell (the key: everything its pixels depend on,
    // beside the font and the configuration, which init() changes and which
    // empties the cache) and its pixels. Only cells of a plain row (normal
    // line attribute, no reverse screen) are cached, and no two-cell
    // character: the rest is drawn afresh.
    struct CachedCell {
        Cell key;
        uint16_t y0, y1; // its ink rows, y0 == y1: none
    };
    static bool cacheable(const Cell& cell) { return !(cell.attrs & (kAttrWide | kAttrWideTail)); }
    CachedCell* cache_entry(const Cell& cell);
    // A cell that draws only the border colour: a space or nothing on the
    // border's background, with no attribute that draws on a space.
    bool blank_plain(const Cell& cell) const {
        constexpr uint32_t kInkless = kAttrBold | kAttrItalic | kAttrDim | kAttrBlink | kAttrInvisible;
        return (cell.codepoint == ' ' || cell.codepoint == 0) && !(cell.attrs & ~kInkless) && cell.marks[0] == 0 &&
               (cell.bg & 0xFFFFFF) == (config_.border_rgb & 0xFFFFFF);
    }
    void clear_cache();
    // What the cells of one row share: its line attribute and, under a
    // reverse screen (DECSCNM), xterm's colour swap (ReverseVideo: the
    // default foreground and background, palette 0 and 7, 8 and 15).
    struct RowStyle {
        LineAttr line;
        bool reverse;
        bool plain;                       // Normal and not reversed: cells may take the fast path
        uint32_t swap[6];                 // 0xRRGGBB pairs (2i, 2i + 1) exchanged when reverse
        uint32_t blank_pixel;             // the default background (swapped when reverse), packed
        uint32_t map(uint32_t rgb) const; // a cell colour as the screen shows it
    };
    RowStyle row_style(const Terminal& term, uint32_t row) const;

    void draw_row(const Terminal& term, uint32_t row);
    template <uint32_t Bytes>
    void draw_row_as(const Terminal& term, uint32_t row);
    // One cell, `cells` (1, or 2 for a wide character) cells wide in the
    // font's pixels (twice that on a double-width or double-height row).
    template <uint32_t Bytes>
    void draw_cell(uint8_t* cell_origin, const Cell& cell, Ink& ink, uint32_t cell_x, uint32_t cells,
                   const RowStyle& style);
    // draw_cell for everything but plain text: attributes, wide glyphs,
    // combining marks, line attributes, the console-drawn characters.
    template <uint32_t Bytes>
    void draw_styled(uint8_t* cell_origin, const Cell& cell, Ink& ink, uint32_t cell_x, uint32_t cells,
                     const RowStyle& style);
    // `g` max-ed into the coverage rows at `cov` (back_pitch_ apart, `w`
    // wide, cell_h_ rows), `xoff` pixels right; the `synth` style bits
    // synthesized (bold: also one pixel right; italic: rows sheared).
    void blit(uint8_t* cov, uint32_t w, const celos_glyph& g, uint32_t synth, int64_t xoff) const;
    // Reads the cursor's cell, shape and width from `term` into cursor_*.
    void note_cursor(const Terminal& term);
    // Pixel values for coverage 0..255 of fg over bg (0xRRGGBB), blended in
    // linear light.
    const uint32_t* ramp(uint32_t bg, uint32_t fg);
    void fill(uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t pixel);
    void put(uint8_t* p, uint32_t pixel) const;
    uint32_t get(const uint8_t* p) const;
    void mark_pending(uint32_t row) { pending_[row / 64] |= uint64_t(1) << (row % 64); }
    void rotate_slots(uint32_t top, uint32_t bottom, uint32_t n); // slot of row top+n becomes row top's
    // Pixel rows [src_y, src_y + h) of the back buffer, columns [0, x1), to
    // pixel rows from dst_y of the framebuffer.
    void copy_block(uint8_t* framebuffer, uint32_t dst_y, uint32_t src_y, uint32_t h, uint32_t x1);
    void draw_cursor(uint8_t* framebuffer);
    // Framebuffer rows [y0, y1) (absolute, not screen rows) made plain where
    // the framebuffer may show ink there; the ink records trimmed.
    void clear_band(uint8_t* framebuffer, uint32_t y0, uint32_t y1);
    void note_damage(uint32_t y0, uint32_t y1); // screen rows, made absolute
    bool panning() const { return config_.virtual_height >= config_.height + cell_h_; }
    // What the framebuffer shows at screen row `row` (a position of fb_ink_).
    Ink& shown(uint32_t row) { return fb_ink_[pan_rows_ + row]; }

    RenderConfig config_{};
    const celos_font_ops* font_ = nullptr;
    const celos_font_ops* fallbacks_[kMaxFallbacks] = {};
    uint32_t fallback_count_ = 0;
    uint8_t* back_ = nullptr;
    uint32_t back_pitch_ = 0;
    uint8_t* cache_ = nullptr;     // cache_entries_ entries of cache_stride_ bytes
    uint32_t cache_entries_ = 0;   // a power of two, or 0: no cache
    uint32_t cache_stride_ = 0;
    uint8_t* plain_row_ = nullptr; // a row of border pixels (with the cache), or null
    uint64_t cache_hits_ = 0, cache_misses_ = 0;
    uint32_t bytes_ = 0;
    uint32_t cell_w_ = 0, cell_h_ = 0;
    uint32_t cols_ = 0, rows_ = 0;
    uint32_t invert_mask_ = 0; // XOR that inverts every channel
    uint64_t pending_[Terminal::kMaxRows / 64] = {}; // screen rows to copy
    uint16_t slot_[Terminal::kMaxRows] = {};           // screen row -> slot
    // Slots whose pixels outside their ink are known to be plain (drawn
    // whole once since init or redraw_later).
    uint64_t known_[Terminal::kMaxRows / 64] = {};
    Ink ink_[Terminal::kMaxRows] = {};                 // per slot, as drawn
    // Per text-row position of the framebuffer (pixel row margin + k *
    // cell height), the ink it shows: screen row r is position pan_rows_ + r.
    static constexpr uint32_t kMaxPositions = 2 * Terminal::kMaxRows + 4;
    Ink fb_ink_[kMaxPositions] = {};
    uint32_t positions_ = 0; // positions inside the virtual height
    uint32_t pan_rows_ = 0;  // screen row 0 is position pan_rows_
    uint32_t damage_y0_ = 0, damage_y1_ = 0;
    uint32_t plain_pixel_ = 0;                         // the border colour, packed
    uint64_t pixels_written_ = 0;
    bool full_ = false;
    // The cursor as the last render() saw it; present() draws it: pixels
    // [cursor_px_, cursor_px_ + cursor_pw_) from the text's left edge (two
    // cells over a wide character, twice as wide on a double-width row).
    uint32_t cursor_x_ = 0, cursor_y_ = 0;
    uint32_t cursor_px_ = 0, cursor_pw_ = 0;
    CursorShape cursor_shape_ = CursorShape::Block;
    bool cursor_on_ = false;
    uint32_t box_thickness_ = 1;  // light lines of the console-drawn characters
    uint8_t line_[2 * 1024] = {}; // one row of coverage (cells up to 1024 wide, two of them)
    static constexpr uint32_t kRamps = 4;
    struct Ramp {
        bool valid;
        uint32_t bg, fg;
        uint32_t pixel[256];
    };
    Ramp ramps_[kRamps] = {};
    uint32_t next_ramp_ = 0; // replaced next (round robin)
};

} // namespace celos::fbcon
