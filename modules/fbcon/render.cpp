// The renderer. The back buffer has the framebuffer's pixel format and a
// pitch of width * bytes per pixel, laid out like the screen (margins, then
// rows of cells), except that the text rows are slots of a ring: slot_ maps
// screen rows to slots, and a scroll rotates slot_ instead of moving pixels.
// The cursor never enters the back buffer: present() draws it over the rows
// it copies, so moving the cursor or scrolling never leaves a stale cursor
// behind.
//
// Each slot records its ink (the part that is not the plain border colour),
// each screen row the ink the framebuffer shows there; a present copies only
// their union, so a short line replacing a short line writes a short
// rectangle, and blank rows cost nothing.
//
// Antialiased coverage is mixed in linear light (gamma.h). The pixel for
// every coverage value of a (foreground, background) pair is computed once
// into a ramp; a few ramps are kept, since a screen uses few colour pairs.
#include "render.h"

#include "boxdraw.h"
#include "gamma.h"

namespace celos::fbcon {
namespace {

uint32_t channel(uint32_t v8, uint8_t position, uint8_t size) {
    return (v8 >> (8 - size)) << position;
}

} // namespace

const char* pixel_format_check(const PixelFormat& f) {
    if (f.bpp != 15 && f.bpp != 16 && f.bpp != 24 && f.bpp != 32)
        return "fbcon: unsupported pixel format (bpp is not 15, 16, 24 or 32)";
    const uint8_t pos[3] = {f.red_position, f.green_position, f.blue_position};
    const uint8_t size[3] = {f.red_size, f.green_size, f.blue_size};
    uint32_t used = 0;
    for (int i = 0; i < 3; ++i) {
        if (size[i] == 0 || size[i] > 8)
            return "fbcon: unsupported pixel format (a channel size is 0 or above 8)";
        if (uint32_t(pos[i]) + size[i] > f.bpp)
            return "fbcon: unsupported pixel format (a channel lies past bpp)";
        uint32_t mask = ((1u << size[i]) - 1) << pos[i];
        if (used & mask) return "fbcon: unsupported pixel format (channels overlap)";
        used |= mask;
    }
    return nullptr;
}

uint32_t pixel_pack(const PixelFormat& f, uint32_t rgb) {
    return channel((rgb >> 16) & 0xFF, f.red_position, f.red_size) |
           channel((rgb >> 8) & 0xFF, f.green_position, f.green_size) |
           channel(rgb & 0xFF, f.blue_position, f.blue_size);
}

size_t Renderer::frame_size(const RenderConfig& config) {
    return size_t(config.width) * pixel_format_bytes(config.format) * config.height;
}

size_t Renderer::back_buffer_size(const RenderConfig& config) {
    return frame_size(config) + kCellCacheBytes;
}

const char* Renderer::layout(const RenderConfig& config, const celos_font_ops* font, size_t back_size,
                             uint32_t& cols, uint32_t& rows) {
    if (const char* e = pixel_format_check(config.format)) return e;
    if (!font || !font->glyph || !font->fallback) return "fbcon: no font";
    if (font->cell_width == 0 || font->cell_height == 0 || font->cell_width > 1024 ||
        font->cell_height > 1024)
        return "fbcon: font cell size is 0 or above 1024";
    if (config.width == 0 || config.height == 0 || config.width > 16384 || config.height > 16384)
        return "fbcon: framebuffer size is 0 or above 16384";
    uint32_t bytes = pixel_format_bytes(config.format);
    if (config.pitch < config.width * bytes)
        return "fbcon: framebuffer pitch smaller than width * bytes per pixel";
    if (back_size < frame_size(config)) return "fbcon: back buffer too small";
    if (uint64_t(config.margin) * 2 + font->cell_width > config.width ||
        uint64_t(config.margin) * 2 + font->cell_height > config.height)
        return "fbcon: no room for one cell inside the margins";
    cols = (config.width - 2 * config.margin) / font->cell_width;
    rows = (config.height - 2 * config.margin) / font->cell_height;
    if (cols > Terminal::kMaxCols) cols = Terminal::kMaxCols;
    if (rows > Terminal::kMaxRows) rows = Terminal::kMaxRows;
    return nullptr;
}

const char* Renderer::init(const RenderConfig& config, const celos_font_ops* font, uint8_t* back,
                           size_t back_size) {
    uint32_t cols = 0, rows = 0;
    if (const char* e = layout(config, font, back ? back_size : 0, cols, rows)) return e;
    config_ = config;
    font_ = font;
    back_ = back;
    bytes_ = pixel_format_bytes(config.format);
    back_pitch_ = config.width * bytes_;
    cell_w_ = font->cell_width;
    cell_h_ = font->cell_height;
    cols_ = cols;
    rows_ = rows;
    invert_mask_ = pixel_pack(config.format, 0xFFFFFF);
    for (Ramp& r : ramps_)
        r.valid = false;
    next_ramp_ = 0;
    for (auto& w : pending_)
        w = 0;
    for (auto& w : known_)
        w = 0;
    for (uint32_t r = 0; r < Terminal::kMaxRows; ++r) {
        slot_[r] = uint16_t(r);
        ink_[r] = Ink{0, 0, 0};
    }
    // Positions below the screen show whatever was there: anything.
    pan_rows_ = 0;
    positions_ = rows;
    if (config_.virtual_height > config_.height) {
        uint64_t k = (uint64_t(config_.virtual_height) - config_.margin + cell_h_ - 1) / cell_h_;
        positions_ = k < kMaxPositions ? uint32_t(k) : kMaxPositions;
    }
    for (uint32_t k = 0; k < kMaxPositions; ++k)
        fb_ink_[k] = k < rows ? Ink{0, 0, 0} : Ink{config_.width, 0, uint16_t(cell_h_)};
    damage_y0_ = damage_y1_ = 0;
    plain_pixel_ = pixel_pack(config.format, config.border_rgb);
    // The tail past the frame: a plain row, then the cell cache.
    size_t frame = frame_size(config), row_bytes = (size_t(back_pitch_) + 15) & ~size_t(15);
    size_t stride = (sizeof(CachedCell) + size_t(cell_w_) * cell_h_ * bytes_ + 15) & ~size_t(15);
    plain_row_ = cache_ = nullptr;
    cache_entries_ = 0;
    if (back_size >= frame + row_bytes) {
        plain_row_ = back + frame;
        for (uint32_t x = 0; x < config.width; ++x)
            put(plain_row_ + size_t(x) * bytes_, plain_pixel_);
        size_t room = (back_size - frame - row_bytes) / stride;
        uint32_t n = 1;
        while (n * 2 <= room && n * 2 <= 65536)
            n *= 2;
        if (room >= 16) {
            cache_ = back + frame + row_bytes;
            cache_entries_ = n;
            cache_stride_ = uint32_t(stride);
        }
    }
    clear_cache();
    full_ = false;
    cursor_on_ = false;
    box_thickness_ = boxdraw_thickness(cell_w_, cell_h_, font->underline_thickness);
    return nullptr;
}

void Renderer::set_fallbacks(const celos_font_ops* const* fonts, uint32_t count) {
    fallback_count_ = 0;
    for (uint32_t i = 0; i < count && fallback_count_ < kMaxFallbacks; ++i)
        if (fonts[i] && fonts[i]->glyph) fallbacks_[fallback_count_++] = fonts[i];
    clear_cache(); // glyphs may now come from another font
}

void Renderer::clear_cache() {
    for (uint32_t i = 0; i < cache_entries_; ++i)
        reinterpret_cast<CachedCell*>(cache_ + size_t(i) * cache_stride_)->key.codepoint = ~0u; // no cell
}

Renderer::CachedCell* Renderer::cache_entry(const Cell& c) {
    // Fibonacci hashing: the top bits of the product, so that neighbouring
    // code points in one colour land in different entries.
    uint32_t h = c.codepoint ^ (c.fg * 0x85EBCA77u) ^ (c.bg * 0xC2B2AE3Du) ^ ((c.attrs ^ c.underline) * 0x27D4EB2Fu) ^
                 ((c.marks[0] + 31 * c.marks[1]) * 0x165667B1u);
    uint32_t index = uint32_t((uint64_t(h * 0x9E3779B1u) * cache_entries_) >> 32);
    return reinterpret_cast<CachedCell*>(cache_ + size_t(index) * cache_stride_);
}

namespace {

// One font's glyph for `cp` in `style`; *synth as in Renderer::lookup.
int font_glyph(const celos_font_ops* font, uint32_t cp, uint32_t style, celos_glyph& out, uint32_t& synth) {
    synth = 0;
    if (style && font->size >= sizeof(celos_font_ops) && font->styled_glyph) {
        int r = font->styled_glyph(font, cp, style, &out);
        if (r != CELOS_FONT_NO_STYLE) return r;
    }
    synth = style;
    return font->glyph(font, cp, &out);
}

} // namespace

bool Renderer::lookup(uint32_t cp, uint32_t style, celos_glyph& out, uint32_t& synth) const {
    if (font_glyph(font_, cp, style, out, synth) == 0) return true;
    for (uint32_t i = 0; i < fallback_count_; ++i)
        if (font_glyph(fallbacks_[i], cp, style, out, synth) == 0) return true;
    synth = style;
    font_->fallback(font_, &out);
    return false;
}

void Renderer::put(uint8_t* p, uint32_t pixel) const {
    switch (bytes_) {
    case 4: __builtin_memcpy(p, &pixel, 4); break;
    case 3:
        p[0] = uint8_t(pixel);
        p[1] = uint8_t(pixel >> 8);
        p[2] = uint8_t(pixel >> 16);
        break;
    default: {
        uint16_t v = uint16_t(pixel);
        __builtin_memcpy(p, &v, 2);
        break;
    }
    }
}

uint32_t Renderer::get(const uint8_t* p) const {
    switch (bytes_) {
    case 4: {
        uint32_t v;
        __builtin_memcpy(&v, p, 4);
        return v;
    }
    case 3: return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16;
    default: {
        uint16_t v;
        __builtin_memcpy(&v, p, 2);
        return v;
    }
    }
}

const uint32_t* Renderer::ramp(uint32_t bg, uint32_t fg) {
    for (Ramp& r : ramps_)
        if (r.valid && r.bg == bg && r.fg == fg) return r.pixel;
    Ramp& r = ramps_[next_ramp_];
    next_ramp_ = (next_ramp_ + 1) % kRamps;
    for (uint32_t a = 0; a < 256; ++a)
        r.pixel[a] = pixel_pack(config_.format, a == 0 ? bg : a == 255 ? fg : gamma::blend_rgb(bg, fg, a));
    r.bg = bg;
    r.fg = fg;
    r.valid = true;
    return r.pixel;
}

void Renderer::fill(uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t pixel) {
    if (w == 0 || h == 0) return;
    uint8_t* first = back_ + size_t(y) * back_pitch_ + size_t(x) * bytes_;
    for (uint32_t i = 0; i < w; ++i)
        put(first + size_t(i) * bytes_, pixel);
    for (uint32_t r = 1; r < h; ++r)
        __builtin_memcpy(first + size_t(r) * back_pitch_, first, size_t(w) * bytes_);
}

Renderer::Ink Renderer::ink_union(Ink a, Ink b) {
    if (a.x1 == 0) return b;
    if (b.x1 == 0) return a;
    return Ink{a.x1 > b.x1 ? a.x1 : b.x1, a.y0 < b.y0 ? a.y0 : b.y0, a.y1 > b.y1 ? a.y1 : b.y1};
}

namespace {

// One pixel of `Bytes` bytes; the compiler keeps these to single stores.
template <uint32_t Bytes>
inline void store(uint8_t* p, uint32_t pixel) {
    if constexpr (Bytes == 4) {
        __builtin_memcpy(p, &pixel, 4);
    } else if constexpr (Bytes == 3) {
        p[0] = uint8_t(pixel);
        p[1] = uint8_t(pixel >> 8);
        p[2] = uint8_t(pixel >> 16);
    } else {
        uint16_t v = uint16_t(pixel);
        __builtin_memcpy(p, &v, 2);
    }
}

// Copies n bytes to the framebuffer, 64 bytes per step with SSE2
// (unaligned loads, stores aligned to 16), the ends by memcpy. As fast as
// memcpy for what a present copies (rows of a few KiB, cache-resident), and
// under QEMU's software emulation several times faster than the core's
// `rep movsb`, which it runs a byte at a time. The caller fences
// (end_copy), so that the copies are done before the cursor is drawn.
// Copies of kStreamBytes or more use non-temporal stores: the framebuffer
// is not read back, so its lines need not be fetched into the cache first
// (glibc's memcpy does the same for large copies).
constexpr size_t kStreamBytes = 2048;

// 64 bytes from src to dst (16-aligned), by plain or non-temporal stores.
template <bool Stream>
inline void copy64(uint8_t* dst, const uint8_t* src) {
    if constexpr (Stream)
        asm volatile("movdqu (%1), %%xmm0\n\t"
                     "movdqu 16(%1), %%xmm1\n\t"
                     "movdqu 32(%1), %%xmm2\n\t"
                     "movdqu 48(%1), %%xmm3\n\t"
                     "movntdq %%xmm0, (%0)\n\t"
                     "movntdq %%xmm1, 16(%0)\n\t"
                     "movntdq %%xmm2, 32(%0)\n\t"
                     "movntdq %%xmm3, 48(%0)"
                     :
                     : "r"(dst), "r"(src)
                     : "xmm0", "xmm1", "xmm2", "xmm3", "memory");
    else
        asm volatile("movdqu (%1), %%xmm0\n\t"
                     "movdqu 16(%1), %%xmm1\n\t"
                     "movdqu 32(%1), %%xmm2\n\t"
                     "movdqu 48(%1), %%xmm3\n\t"
                     "movdqu %%xmm0, (%0)\n\t"
                     "movdqu %%xmm1, 16(%0)\n\t"
                     "movdqu %%xmm2, 32(%0)\n\t"
                     "movdqu %%xmm3, 48(%0)"
                     :
                     : "r"(dst), "r"(src)
                     : "xmm0", "xmm1", "xmm2", "xmm3", "memory");
}

template <bool Stream>
inline void copy_blocks(uint8_t* dst, const uint8_t* src, size_t n) {
    for (; n >= 64; n -= 64, dst += 64, src += 64)
        copy64<Stream>(dst, src);
    __builtin_memcpy(dst, src, n);
}

void copy_out(uint8_t* dst, const uint8_t* src, size_t n) {
    size_t head = (16 - (reinterpret_cast<uintptr_t>(dst) & 15)) & 15;
    if (n < head + 64) {
        __builtin_memcpy(dst, src, n);
        return;
    }
    __builtin_memcpy(dst, src, head);
    if (n - head < kStreamBytes)
        copy_blocks<false>(dst + head, src + head, n - head);
    else
        copy_blocks<true>(dst + head, src + head, n - head);
}

// Copies a cell's pixel row (a few dozen bytes) by 16-byte moves.
inline void copy_small(uint8_t* dst, const uint8_t* src, size_t n) {
    for (; n >= 16; n -= 16, dst += 16, src += 16)
        __builtin_memcpy(dst, src, 16);
    if (n >= 8) {
        __builtin_memcpy(dst, src, 8);
        dst += 8, src += 8, n -= 8;
    }
    if (n >= 4) {
        __builtin_memcpy(dst, src, 4);
        dst += 4, src += 4, n -= 4;
    }
    for (; n; --n)
        *dst++ = *src++;
}

bool same_cell(const Cell& a, const Cell& b) {
    return a.codepoint == b.codepoint && a.fg == b.fg && a.bg == b.bg && a.attrs == b.attrs &&
           a.underline == b.underline && a.marks[0] == b.marks[0] && a.marks[1] == b.marks[1];
}

// Orders the copies before whatever follows (the cursor, the next present).
void end_copy() {
    asm volatile("sfence" ::: "memory");
}

} // namespace

namespace {

// Attributes the fast path of draw_cell does not draw (reverse it does;
// blink is drawn steady; a lone wide tail is a blank cell).
constexpr uint32_t kAttrStyled = ~uint32_t(kAttrReverse | kAttrBlink | kAttrWideTail);

// Columns a synthesized italic shifts pixel row y right (left below the
// baseline): the distance above the baseline over 4.5, rounded.
int64_t slant(int64_t baseline, int64_t y) {
    int64_t n = 2 * (baseline - y) + 4;
    return n >= 0 ? n / 9 : -((-n + 8) / 9);
}

} // namespace

Renderer::RowStyle Renderer::row_style(const Terminal& term, uint32_t row) const {
    RowStyle st{};
    st.line = term.line_attr(row);
    if (st.line != LineAttr::DoubleWidth && st.line != LineAttr::DoubleTop &&
        st.line != LineAttr::DoubleBottom)
        st.line = LineAttr::Normal;
    st.reverse = term.reverse_screen();
    st.plain = st.line == LineAttr::Normal && !st.reverse;
    const TerminalConfig& tc = term.config();
    // xterm's ReverseVideo (DECSCNM): the default colours trade places, and
    // so do palette 0 and 7, 8 and 15; other colours stay. Cells hold
    // resolved colours, so a colour is swapped by value (a direct colour
    // equal to one of these is swapped too).
    uint32_t pairs[6] = {tc.default_fg, tc.default_bg, tc.palette[0],
                         tc.palette[7], tc.palette[8], tc.palette[15]};
    for (int i = 0; i < 6; ++i)
        st.swap[i] = pairs[i] & 0xFFFFFF;
    st.blank_pixel = pixel_pack(config_.format, st.map(tc.default_bg & 0xFFFFFF));
    return st;
}

uint32_t Renderer::RowStyle::map(uint32_t rgb) const {
    if (!reverse) return rgb;
    for (int i = 0; i < 6; ++i)
        if (rgb == swap[i]) return swap[i ^ 1];
    return rgb;
}

void Renderer::blit(uint8_t* cov, uint32_t w, const celos_glyph& g, uint32_t synth, int64_t xoff) const {
    bool bold = synth & CELOS_FONT_STYLE_BOLD, italic = synth & CELOS_FONT_STYLE_ITALIC;
    int64_t gy = int64_t(font_->baseline) - g.top;
    int64_t r0 = gy < 0 ? -gy : 0, r1 = int64_t(g.height);
    if (gy + r1 > int64_t(cell_h_)) r1 = int64_t(cell_h_) - gy;
    for (int64_t r = r0; r < r1; ++r) {
        int64_t y = gy + r;
        int64_t x0 = int64_t(g.left) + xoff + (italic ? slant(font_->baseline, y) : 0);
        // Source columns that land inside [0, w) (bold: also one to the right).
        int64_t c0 = x0 < 0 ? -x0 - (bold ? 1 : 0) : 0, c1 = int64_t(g.width);
        if (c0 < 0) c0 = 0;
        if (x0 + c1 > int64_t(w)) c1 = int64_t(w) - x0;
        const uint8_t* src = g.coverage + size_t(r) * g.pitch;
        uint8_t* dst = cov + size_t(y) * back_pitch_;
        for (int64_t c = c0; c < c1; ++c) {
            uint8_t a = src[c];
            if (a == 0) continue;
            int64_t x = x0 + c;
            if (x >= 0 && dst[x] < a) dst[x] = a;
            if (bold && x + 1 < int64_t(w) && dst[x + 1] < a) dst[x + 1] = a;
        }
    }
}

// Draws one cell at `origin` (its top-left pixel in the back buffer) and
// widens `ink` by what it draws that is not the plain border colour. Plain
// text (the common case) here; everything else in draw_styled.
template <uint32_t Bytes>
void Renderer::draw_cell(uint8_t* origin, const Cell& cell, Ink& ink, uint32_t cell_x, uint32_t cells,
                         const RowStyle& style) {
    if ((cell.attrs & kAttrStyled) || cell.marks[0] || !style.plain || cells != 1 ||
        boxdraw_drawn(cell.codepoint)) {
        draw_styled<Bytes>(origin, cell, ink, cell_x, cells, style);
        return;
    }
    uint32_t fg = cell.fg, bg = cell.bg;
    if (cell.attrs & kAttrReverse) {
        uint32_t t = fg;
        fg = bg;
        bg = t;
    }
    const PixelFormat& f = config_.format;
    uint32_t bg_pixel = pixel_pack(f, bg);
    // The background: the first pixel row, then copies of it.
    for (uint32_t x = 0; x < cell_w_; ++x)
        store<Bytes>(origin + size_t(x) * Bytes, bg_pixel);
    for (uint32_t r = 1; r < cell_h_; ++r)
        __builtin_memcpy(origin + size_t(r) * back_pitch_, origin, size_t(cell_w_) * Bytes);
    uint32_t y0 = cell_h_, y1 = 0; // pixel rows drawn in something other than the border colour
    if (bg_pixel != plain_pixel_) {
        y0 = 0;
        y1 = cell_h_;
    }
    if (cell.codepoint != ' ' && cell.codepoint != 0) {
        celos_glyph g{};
        uint32_t synth = 0;
        // The primary font first, directly (what lookup() asks first; a
        // call through it costs plain text about a tenth), then the chain.
        if (font_->glyph(font_, cell.codepoint, &g) != 0) lookup(cell.codepoint, 0, g, synth);
        const uint32_t* pixels = ramp(bg & 0xFFFFFF, fg & 0xFFFFFF);
        // Clip the bitmap to the cell.
        int64_t gx = g.left, gy = int64_t(font_->baseline) - g.top;
        int64_t r0 = gy < 0 ? -gy : 0, r1 = int64_t(g.height);
        if (gy + r1 > int64_t(cell_h_)) r1 = int64_t(cell_h_) - gy;
        int64_t c0 = gx < 0 ? -gx : 0, c1 = int64_t(g.width);
        if (gx + c1 > int64_t(cell_w_)) c1 = int64_t(cell_w_) - gx;
        for (int64_t r = r0; r < r1; ++r) {
            const uint8_t* src = g.coverage + size_t(r) * g.pitch;
            uint8_t* dst = origin + size_t(gy + r) * back_pitch_;
            bool inked = false;
            for (int64_t c = c0; c < c1; ++c) {
                uint8_t a = src[c];
                if (a == 0) continue;
                store<Bytes>(dst + size_t(gx + c) * Bytes, pixels[a]);
                inked = true;
            }
            if (inked) {
                if (uint32_t(gy + r) < y0) y0 = uint32_t(gy + r);
                if (uint32_t(gy + r) + 1 > y1) y1 = uint32_t(gy + r) + 1;
            }
        }
    }
    if (y0 < y1) ink = ink_union(ink, Ink{cell_x + cell_w_, uint16_t(y0), uint16_t(y1)});
}

// The general cell. The glyph (the base, then up to two combining marks,
// coverage max-ed; or a console-drawn character) is first drawn as 8-bit
// coverage into the cell's own pixels in the back buffer, `w` bytes at the
// start of each pixel row (the row holds w * Bytes >= 2w bytes of pixels),
// then turned into pixels row by row through a one-row buffer, scaled 2x on
// double-width and double-height rows; the underline and strikethrough go
// over it. On a double-height row output row r shows coverage row r / 2
// (top) or (h + r) / 2 (bottom): the rows are converted in the order that
// reads every coverage row before its pixels are written.
template <uint32_t Bytes>
__attribute__((noinline)) void Renderer::draw_styled(uint8_t* origin, const Cell& cell, Ink& ink,
                                                     uint32_t cell_x, uint32_t cells, const RowStyle& style) {
    const uint32_t attrs = cell.attrs, h = cell_h_;
    uint32_t fg = style.map(cell.fg & 0xFFFFFF), bg = style.map(cell.bg & 0xFFFFFF);
    if (attrs & kAttrReverse) {
        uint32_t t = fg;
        fg = bg;
        bg = t;
    }
    // Dim: half way to the background, in linear light like the glyph edges.
    if (attrs & kAttrDim) fg = gamma::blend_rgb(bg, fg, 128);
    uint32_t line_rgb = attrs & kAttrUnderlineColor ? cell.underline & 0xFFFFFF : fg;
    const uint32_t sx = style.line == LineAttr::Normal ? 1 : 2;
    const uint32_t w = cells * cell_w_, width = w * sx; // coverage width, pixels drawn
    const PixelFormat& f = config_.format;
    const uint32_t bg_pixel = pixel_pack(f, bg);
    uint32_t y0 = h, y1 = 0;
    if (bg_pixel != plain_pixel_) {
        y0 = 0;
        y1 = h;
    }
    if (attrs & kAttrInvisible) { // concealed: the background only
        for (uint32_t r = 0; r < h; ++r)
            for (uint32_t x = 0; x < width; ++x)
                store<Bytes>(origin + size_t(r) * back_pitch_ + size_t(x) * Bytes, bg_pixel);
        if (y0 < y1) ink = ink_union(ink, Ink{cell_x + width, uint16_t(y0), uint16_t(y1)});
        return;
    }

    // The coverage.
    for (uint32_t r = 0; r < h; ++r)
        __builtin_memset(origin + size_t(r) * back_pitch_, 0, w);
    uint32_t style_bits =
        (attrs & kAttrBold ? CELOS_FONT_STYLE_BOLD : 0) | (attrs & kAttrItalic ? CELOS_FONT_STYLE_ITALIC : 0);
    auto glyph = [&](uint32_t cp, bool mark) {
        celos_glyph g{};
        uint32_t synth = 0;
        // A mark no font has is left out (the fallback glyph over the base
        // would hide it); a base shows the fallback glyph.
        bool found = lookup(cp, style_bits, g, synth);
        if (!found && mark) return;
        // A font places a wide character's glyph in its two cells; the
        // fallback glyph (one cell wide) is centred in them.
        int64_t xoff = 0;
        if (cells == 2 && !found && int64_t(g.left) + int64_t(g.width) <= int64_t(cell_w_))
            xoff = cell_w_ / 2;
        // A mark drawn wholly left of its cell, over the advance of the
        // character before it (a font whose marks have no advance of their
        // own, as Unifont's): moved right by the base's width, over it.
        if (mark && int64_t(g.left) + int64_t(g.width) <= 0) xoff = w;
        blit(origin, w, g, synth, xoff);
    };
    uint32_t cp = cell.codepoint;
    if (boxdraw_drawn(cp)) {
        boxdraw_draw(cp, origin, back_pitch_, w, h, box_thickness_);
        // Bold and italic do not apply: lines must join their neighbours.
    } else if (cp != ' ' && cp != 0) {
        glyph(cp, false);
    }
    for (uint32_t m : cell.marks)
        if (m) glyph(m, true);

    // Decorations, in coverage rows: strikethrough around the middle of the
    // x-height (a third of the ascent above the baseline), the underline(s)
    // at the font's underline rows.
    const uint32_t t = font_->underline_thickness ? font_->underline_thickness : 1;
    auto clamp_top = [h](int64_t top, int64_t height) {
        if (top + height > int64_t(h)) top = int64_t(h) - height;
        return top < 0 ? int64_t(0) : top;
    };
    int64_t strike = -1, ul = -1, ul2 = -1, wave = -1, amp = 0;
    if (attrs & kAttrStrike) strike = clamp_top(int64_t(font_->baseline) - font_->baseline / 3 - t / 2, t);
    if (attrs & kAttrUnderline) {
        ul = clamp_top(font_->underline_row, t);
    } else if (attrs & kAttrDoubleUnderline) {
        ul = clamp_top(font_->underline_row, 3 * t); // two lines of t, a gap of t
        ul2 = ul + 2 * t;
    } else if (attrs & kAttrCurlyUnderline) {
        // A triangle wave, one period per cell (so it continues across
        // cells), 2 * amp rows high, lines t thick.
        amp = int64_t(t);
        wave = clamp_top(int64_t(font_->underline_row) - amp, 2 * amp + t);
    }
    auto in_band = [t](int64_t row, int64_t top) { return top >= 0 && row >= top && row < top + int64_t(t); };

    // Coverage to pixels.
    const uint32_t* pixels = ramp(bg, fg);
    const uint32_t fg_pixel = pixels[255], line_pixel = pixel_pack(f, line_rgb);
    bool upward = style.line == LineAttr::DoubleTop;
    for (uint32_t i = 0; i < h; ++i) {
        uint32_t r = upward ? h - 1 - i : i;
        uint32_t src = style.line == LineAttr::DoubleTop      ? r / 2
                       : style.line == LineAttr::DoubleBottom ? (h + r) / 2
                                                              : r;
        __builtin_memcpy(line_, origin + size_t(src) * back_pitch_, w);
        uint8_t* dst = origin + size_t(r) * back_pitch_;
        uint32_t any = 0;
        if (sx == 1) {
            for (uint32_t x = 0; x < w; ++x) {
                any |= line_[x];
                store<Bytes>(dst + size_t(x) * Bytes, pixels[line_[x]]);
            }
        } else {
            for (uint32_t x = 0; x < w; ++x) {
                any |= line_[x];
                uint32_t p = pixels[line_[x]];
                store<Bytes>(dst + size_t(2 * x) * Bytes, p);
                store<Bytes>(dst + size_t(2 * x + 1) * Bytes, p);
            }
        }
        int64_t s = int64_t(src);
        uint32_t solid = 0; // a whole-width band in this row: 0 none, else its pixel
        if (in_band(s, strike)) solid = fg_pixel, any = 1;
        if (in_band(s, ul) || in_band(s, ul2)) solid = line_pixel, any = 1;
        if (solid)
            for (uint32_t x = 0; x < width; ++x)
                store<Bytes>(dst + size_t(x) * Bytes, solid);
        if (wave >= 0 && s >= wave && s < wave + 2 * amp + int64_t(t)) {
            for (uint32_t x = 0; x < width; ++x) {
                int64_t phase = int64_t((x / sx) % cell_w_) * 4 * amp / int64_t(cell_w_); // 0 .. 4 amp
                int64_t top = wave + (phase <= 2 * amp ? phase : 4 * amp - phase);
                if (s >= top && s < top + int64_t(t)) {
                    store<Bytes>(dst + size_t(x) * Bytes, line_pixel);
                    any = 1;
                }
            }
        }
        if (any) {
            if (r < y0) y0 = r;
            if (r + 1 > y1) y1 = r + 1;
        }
    }
    if (y0 < y1) ink = ink_union(ink, Ink{cell_x + width, uint16_t(y0), uint16_t(y1)});
}

template <uint32_t Bytes>
void Renderer::draw_row_as(const Terminal& term, uint32_t row) {
    uint32_t n = term.cols() < cols_ ? term.cols() : cols_;
    const Cell* cells = term.view_row(row);
    uint32_t slot = slot_[row];
    uint8_t* line = back_ + size_t(slot_top(slot)) * back_pitch_;
    Ink ink{0, 0, 0};
    RowStyle style = row_style(term, row);
    // Blank cells at the end of a plain row draw nothing that is not
    // already plain: outside a slot's ink everything is plain, so only the
    // old ink past the new text is cleared.
    bool known = (known_[slot / 64] >> (slot % 64)) & 1;
    known_[slot / 64] |= uint64_t(1) << (slot % 64);
    if (style.plain && known) {
        uint32_t end = n;
        while (end > 0 && blank_plain(cells[end - 1]))
            --end;
        Ink old = ink_[slot];
        uint32_t text_x1 = config_.margin + end * cell_w_;
        if (old.x1 > text_x1)
            fill(text_x1, slot_top(slot) + old.y0, old.x1 - text_x1, uint32_t(old.y1 - old.y0), plain_pixel_);
        n = end;
    }
    // A double-width or double-height row shows its first n / 2 cells, each
    // two cells wide; the rest of the row is the default background.
    uint32_t sx = style.line == LineAttr::Normal ? 1 : 2, limit = n / sx;
    size_t row_bytes = size_t(cell_w_) * Bytes;
    for (uint32_t x = 0; x < limit;) {
        uint32_t px = config_.margin + x * sx * cell_w_;
        uint8_t* origin = line + size_t(px) * Bytes;
        const Cell& cell = cells[x];
        // A wide character and its tail are drawn together, by the first
        // cell (so redrawing the row always redraws the pair).
        uint32_t span = (cell.attrs & kAttrWide) && x + 1 < limit ? 2 : 1;
        x += span;
        if (!cache_entries_ || !style.plain || !cacheable(cell)) {
            draw_cell<Bytes>(origin, cell, ink, px, span, style);
            continue;
        }
        CachedCell* e = cache_entry(cell);
        uint8_t* pixels = reinterpret_cast<uint8_t*>(e + 1);
        if (same_cell(e->key, cell)) {
            ++cache_hits_;
            for (uint32_t r = 0; r < cell_h_; ++r)
                copy_small(origin + size_t(r) * back_pitch_, pixels + r * row_bytes, row_bytes);
            if (e->y0 < e->y1) ink = ink_union(ink, Ink{px + cell_w_, e->y0, e->y1});
            continue;
        }
        ++cache_misses_;
        Ink drawn{0, 0, 0};
        draw_cell<Bytes>(origin, cell, drawn, px, 1, style);
        for (uint32_t r = 0; r < cell_h_; ++r)
            copy_small(pixels + r * row_bytes, origin + size_t(r) * back_pitch_, row_bytes);
        e->key = cell;
        e->y0 = drawn.x1 ? drawn.y0 : 0;
        e->y1 = drawn.x1 ? drawn.y1 : 0;
        ink = ink_union(ink, drawn);
    }
    if (sx == 2 && limit * 2 < n) {
        uint32_t px = config_.margin + limit * 2 * cell_w_, pw = (n - limit * 2) * cell_w_;
        fill(px, slot_top(slot), pw, cell_h_, style.blank_pixel);
        if (style.blank_pixel != plain_pixel_) ink = ink_union(ink, Ink{px + pw, 0, uint16_t(cell_h_)});
    }
    ink_[slot] = ink;
    mark_pending(row);
}

void Renderer::draw_row(const Terminal& term, uint32_t row) {
    switch (bytes_) {
    case 4: draw_row_as<4>(term, row); break;
    case 3: draw_row_as<3>(term, row); break;
    default: draw_row_as<2>(term, row); break;
    }
}

void Renderer::redraw(Terminal& term) {
    fill(0, 0, config_.width, config_.height, plain_pixel_);
    for (uint32_t r = 0; r < Terminal::kMaxRows; ++r)
        slot_[r] = uint16_t(r);
    uint32_t n = term.rows() < rows_ ? term.rows() : rows_;
    for (uint32_t r = 0; r < rows_; ++r)
        ink_[r] = Ink{0, 0, 0};
    for (uint32_t r = 0; r < n; ++r)
        draw_row(term, r);
    term.clear_damage();
    full_ = true;
    note_cursor(term);
}

void Renderer::redraw_later(Terminal& term) {
    uint32_t text_w = cols_ * cell_w_, text_end = row_top(rows_);
    fill(0, 0, config_.width, config_.margin, plain_pixel_);
    fill(0, config_.margin, config_.margin, text_end - config_.margin, plain_pixel_);
    fill(config_.margin + text_w, config_.margin, config_.width - config_.margin - text_w,
         text_end - config_.margin, plain_pixel_);
    fill(0, text_end, config_.width, config_.height - text_end, plain_pixel_);
    for (uint32_t r = 0; r < Terminal::kMaxRows; ++r)
        slot_[r] = uint16_t(r);
    // Rows the terminal does not cover (none, as the console sizes it) are
    // plain; the others are drawn by the next render().
    uint32_t n = term.rows() < rows_ ? term.rows() : rows_;
    for (uint32_t r = n; r < rows_; ++r)
        fill(config_.margin, row_top(r), text_w, cell_h_, plain_pixel_);
    for (uint32_t r = 0; r < rows_; ++r)
        ink_[r] = Ink{0, 0, 0};
    for (auto& w : known_) // the slots hold anything until drawn whole
        w = 0;
    term.clear_damage();
    term.mark_all_dirty();
    full_ = true;
    note_cursor(term);
}

// As the terminal rotates its rows.
void Renderer::rotate_slots(uint32_t top, uint32_t bottom, uint32_t n) {
    rotate_indices(slot_, top, bottom, n);
}

void Renderer::render(Terminal& term) {
    uint32_t n = term.rows() < rows_ ? term.rows() : rows_;
    int32_t lines = term.scroll_hint_lines();
    uint32_t top = term.scroll_hint_top(), bottom = term.scroll_hint_bottom();
    if (bottom > n) bottom = n;
    if (lines != 0 && top < bottom) {
        uint32_t mag = uint32_t(lines < 0 ? -lines : lines);
        uint32_t h = bottom - top;
        if (mag < h) rotate_slots(top, bottom, lines > 0 ? mag : h - mag);
        if (panning() && !full_ && lines > 0 && top == 0 && bottom == rows_ && mag < h) {
            // The whole screen scrolls up: the framebuffer already holds the
            // rows that stay, further down; show from there and draw only
            // the new rows. At the end of the virtual height: back to the
            // top, everything copied once.
            uint64_t next = pan_rows_ + mag;
            if (next * cell_h_ + config_.height <= config_.virtual_height && next + rows_ < positions_) {
                pan_rows_ = uint32_t(next);
                for (uint32_t r = rows_ - mag; r < rows_; ++r)
                    mark_pending(r);
                // The cursor moved up with the picture: erase it there.
                if (cursor_on_) {
                    if (cursor_y_ >= mag) {
                        cursor_y_ -= mag;
                        mark_pending(cursor_y_);
                    } else {
                        cursor_on_ = false;
                    }
                }
            } else {
                pan_rows_ = 0;
                full_ = true;
            }
        } else {
            for (uint32_t r = top; r < bottom; ++r)
                mark_pending(r);
        }
    }
    for (uint32_t r = 0; r < n; ++r)
        if (term.row_dirty(r)) draw_row(term, r);
    term.clear_damage();

    bool was_on = cursor_on_;
    uint32_t old_y = cursor_y_, old_x = cursor_x_, old_px = cursor_px_, old_pw = cursor_pw_;
    CursorShape old_shape = cursor_shape_;
    note_cursor(term);
    if (was_on != cursor_on_ || old_x != cursor_x_ || old_y != cursor_y_ || old_px != cursor_px_ ||
        old_pw != cursor_pw_ || old_shape != cursor_shape_) {
        if (was_on) mark_pending(old_y);
        if (cursor_on_) mark_pending(cursor_y_);
    }
}

void Renderer::note_cursor(const Terminal& term) {
    cursor_on_ = term.cursor_visible() && term.cursor_x() < cols_ && term.cursor_y() < rows_;
    cursor_x_ = term.cursor_x();
    cursor_y_ = term.cursor_y();
    // DECSCUSR: 1, 2 block, 3, 4 underline, 5, 6 bar (the blinking ones drawn
    // steady); 0 (xterm: its configured default) is the console's configured
    // shape.
    switch (term.cursor_style()) {
    case 1:
    case 2: cursor_shape_ = CursorShape::Block; break;
    case 3:
    case 4: cursor_shape_ = CursorShape::Underline; break;
    case 5:
    case 6: cursor_shape_ = CursorShape::Bar; break;
    default: cursor_shape_ = config_.cursor; break;
    }
    cursor_px_ = cursor_pw_ = 0;
    if (!cursor_on_) return;
    // Over the cell as draw_row_as lays it out: two cells over a wide
    // character (on its tail too), twice as wide on a double-width row
    // (whose cursor stays in the first half, as xterm's).
    uint32_t n = term.cols() < cols_ ? term.cols() : cols_;
    uint32_t sx = term.line_attr(cursor_y_) == LineAttr::Normal ? 1 : 2, limit = n / sx;
    if (limit == 0) limit = 1;
    uint32_t x = cursor_x_ < limit ? cursor_x_ : limit - 1, span = 1;
    const Cell* cells = term.view_row(cursor_y_);
    if ((cells[x].attrs & kAttrWide) && x + 1 < limit) {
        span = 2;
    } else if ((cells[x].attrs & kAttrWideTail) && x > 0 && (cells[x - 1].attrs & kAttrWide)) {
        x -= 1;
        span = 2;
    }
    cursor_px_ = x * sx * cell_w_;
    cursor_pw_ = span * sx * cell_w_;
}

bool Renderer::present_pending() const {
    if (full_) return true;
    for (uint64_t w : pending_)
        if (w) return true;
    return false;
}

void Renderer::note_damage(uint32_t y0, uint32_t y1) {
    y0 += pan_rows_ * cell_h_;
    y1 += pan_rows_ * cell_h_;
    if (damage_y0_ == damage_y1_) {
        damage_y0_ = y0;
        damage_y1_ = y1;
        return;
    }
    if (y0 < damage_y0_) damage_y0_ = y0;
    if (y1 > damage_y1_) damage_y1_ = y1;
}

void Renderer::clear_band(uint8_t* framebuffer, uint32_t y0, uint32_t y1) {
    uint32_t limit = config_.virtual_height > config_.height ? config_.virtual_height : config_.height;
    if (y1 > limit) y1 = limit;
    if (y0 < config_.margin) y0 = config_.margin; // above position 0: written by full presents only
    if (y0 >= y1) return;
    uint32_t first = (y0 - config_.margin) / cell_h_, last = (y1 - config_.margin - 1) / cell_h_;
    for (uint32_t k = first; k <= last && k < positions_; ++k) {
        Ink& ink = fb_ink_[k];
        if (ink.x1 == 0) continue;
        uint32_t top = config_.margin + k * cell_h_;
        uint32_t a = y0 > top + ink.y0 ? y0 : top + ink.y0;
        uint32_t b = y1 < top + ink.y1 ? y1 : top + ink.y1;
        if (a >= b) continue;
        for (uint32_t y = a; y < b; ++y) {
            uint8_t* row = framebuffer + size_t(y) * config_.pitch;
            if (plain_row_) {
                copy_out(row, plain_row_, size_t(ink.x1) * bytes_);
                continue;
            }
            for (uint32_t x = 0; x < ink.x1; ++x)
                put(row + size_t(x) * bytes_, plain_pixel_);
        }
        pixels_written_ += uint64_t(ink.x1) * (b - a);
        uint32_t pan_y = pan_rows_ * cell_h_;
        note_damage(a - pan_y, b - pan_y);
        // Trim the record where the band covered one end of the ink.
        if (a <= top + ink.y0 && b >= top + ink.y1) ink = Ink{0, 0, 0};
        else if (a <= top + ink.y0) ink.y0 = uint16_t(b - top);
        else if (b >= top + ink.y1) ink.y1 = uint16_t(a - top);
    }
}

void Renderer::copy_block(uint8_t* framebuffer, uint32_t dst_y, uint32_t src_y, uint32_t h, uint32_t x1) {
    if (h == 0 || x1 == 0) return;
    size_t bytes = size_t(x1) * bytes_;
    pixels_written_ += uint64_t(x1) * h;
    note_damage(dst_y, dst_y + h);
    if (bytes == back_pitch_ && back_pitch_ == config_.pitch) { // whole rows, both contiguous: one copy
        copy_out(framebuffer + size_t(dst_y) * config_.pitch, back_ + size_t(src_y) * back_pitch_, bytes * h);
        return;
    }
    for (uint32_t y = 0; y < h; ++y)
        copy_out(framebuffer + size_t(dst_y + y) * config_.pitch, back_ + size_t(src_y + y) * back_pitch_,
                    bytes);
}

void Renderer::draw_cursor(uint8_t* framebuffer) {
    uint32_t y0 = row_top(cursor_y_), h = cell_h_, rel = 0;
    uint32_t t = font_->underline_thickness ? font_->underline_thickness : 1;
    uint32_t w = cursor_pw_ ? cursor_pw_ : cell_w_;
    if (cursor_shape_ == CursorShape::Underline) {
        uint32_t row = font_->underline_row < cell_h_ ? font_->underline_row : cell_h_ - 1;
        rel = row;
        h = row + t > cell_h_ ? cell_h_ - row : t;
    } else if (cursor_shape_ == CursorShape::Bar) {
        w = t < w ? t : w;
    }
    y0 += rel;
    size_t x0 = size_t(config_.margin) + cursor_px_;
    const uint8_t* back_row = back_ + size_t(slot_top(slot_[cursor_y_]) + rel) * back_pitch_;
    for (uint32_t y = 0; y < h; ++y) {
        const uint8_t* src = back_row + size_t(y) * back_pitch_ + x0 * bytes_;
        uint8_t* dst = framebuffer + size_t(y0 + y) * config_.pitch + x0 * bytes_;
        for (uint32_t x = 0; x < w; ++x)
            put(dst + size_t(x) * bytes_, get(src + size_t(x) * bytes_) ^ invert_mask_);
    }
    pixels_written_ += uint64_t(w) * h;
    note_damage(y0, y0 + h);
    // The framebuffer now shows the cursor there: the next copy of this row
    // must cover it.
    shown(cursor_y_) = ink_union(shown(cursor_y_), Ink{uint32_t(x0) + w, uint16_t(rel), uint16_t(rel + h)});
}

void Renderer::present(uint8_t* base) {
    damage_y0_ = damage_y1_ = 0;
    if (full_) pan_rows_ = 0;
    uint8_t* framebuffer = base + size_t(pan_rows_) * cell_h_ * config_.pitch;
    if (!full_ && pan_rows_ != 0) {
        // The margins at this offset: plain where the framebuffer had ink.
        uint32_t pan_y = pan_rows_ * cell_h_;
        clear_band(base, pan_y, pan_y + config_.margin);
        clear_band(base, pan_y + row_top(rows_), pan_y + config_.height);
    }
    if (full_) {
        // Margins and the text rows, slot by slot; runs of rows whose slots
        // follow each other are one copy.
        uint32_t top = config_.margin, text_end = row_top(rows_);
        copy_block(framebuffer, 0, 0, top, config_.width);
        for (uint32_t r = 0; r < rows_;) {
            uint32_t run = 1;
            while (r + run < rows_ && slot_[r + run] == slot_[r] + run)
                ++run;
            copy_block(framebuffer, row_top(r), slot_top(slot_[r]), run * cell_h_, config_.width);
            for (uint32_t i = 0; i < run; ++i)
                shown(r + i) = ink_[slot_[r + i]];
            r += run;
        }
        copy_block(framebuffer, text_end, text_end, config_.height - text_end, config_.width);
    } else {
        for (uint32_t r = 0; r < rows_;) {
            if (!row_pending(r)) {
                ++r;
                continue;
            }
            Ink want = ink_union(shown(r), ink_[slot_[r]]);
            // Rows that need the whole cell height and almost the whole
            // width, in consecutive slots: copied whole, as one block.
            uint32_t wide = config_.width - config_.margin - cell_w_;
            if (want.x1 >= wide && want.y0 == 0 && want.y1 == cell_h_) {
                uint32_t run = 1;
                while (r + run < rows_ && row_pending(r + run) && slot_[r + run] == slot_[r] + run) {
                    Ink next = ink_union(shown(r + run), ink_[slot_[r + run]]);
                    if (next.x1 < wide || next.y0 != 0 || next.y1 != cell_h_) break;
                    ++run;
                }
                copy_block(framebuffer, row_top(r), slot_top(slot_[r]), run * cell_h_, config_.width);
                for (uint32_t i = 0; i < run; ++i)
                    shown(r + i) = ink_[slot_[r + i]];
                r += run;
                continue;
            }
            // Nearly the whole width: the whole width, so that the pixel
            // rows are one contiguous block.
            if (want.x1 >= wide) want.x1 = config_.width;
            if (want.x1)
                copy_block(framebuffer, row_top(r) + want.y0, slot_top(slot_[r]) + want.y0, want.y1 - want.y0,
                           want.x1);
            shown(r) = ink_[slot_[r]];
            ++r;
        }
    }
    end_copy();
    if (cursor_on_ && (full_ || row_pending(cursor_y_))) draw_cursor(framebuffer);
    for (auto& w : pending_)
        w = 0;
    full_ = false;
}

} // namespace celos::fbcon
