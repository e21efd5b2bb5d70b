// The renderer. The back buffer has the framebuffer's pixel format and a
// pitch of width * bytes per pixel, so presenting a row is one memcpy and a
// scroll is one memmove. The cursor never enters the back buffer: present()
// draws it over the rows it copies, so moving the cursor or scrolling never
// leaves a stale cursor behind.
//
// Antialiased coverage is mixed in linear light (gamma.h). The pixel for
// every coverage value of a (foreground, background) pair is computed once
// into a ramp; a few ramps are kept, since a screen uses few colour pairs.
#include "render.h"

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

size_t Renderer::back_buffer_size(const RenderConfig& config) {
    return size_t(config.width) * pixel_format_bytes(config.format) * config.height;
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
    if (back_size < back_buffer_size(config)) return "fbcon: back buffer too small";
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
    full_ = false;
    cursor_on_ = false;
    return nullptr;
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

void Renderer::draw_cell(uint32_t px, uint32_t py, const Cell& cell) {
    uint32_t fg = cell.fg, bg = cell.bg;
    if (cell.attrs & kAttrReverse) {
        uint32_t t = fg;
        fg = bg;
        bg = t;
    }
    const PixelFormat& f = config_.format;
    uint32_t bg_pixel = pixel_pack(f, bg), fg_pixel = pixel_pack(f, fg);
    fill(px, py, cell_w_, cell_h_, bg_pixel);
    if (cell.codepoint != ' ') {
        celos_glyph g{};
        if (font_->glyph(font_, cell.codepoint, &g) != 0) font_->fallback(font_, &g);
        const uint32_t* pixels = ramp(bg & 0xFFFFFF, fg & 0xFFFFFF);
        // Clip the bitmap to the cell.
        int64_t gx = g.left, gy = int64_t(font_->baseline) - g.top;
        for (uint32_t r = 0; r < g.height; ++r) {
            int64_t y = gy + r;
            if (y < 0 || y >= cell_h_) continue;
            const uint8_t* src = g.coverage + size_t(r) * g.pitch;
            uint8_t* dst = back_ + (size_t(py) + size_t(y)) * back_pitch_;
            for (uint32_t c = 0; c < g.width; ++c) {
                int64_t x = gx + c;
                uint8_t a = src[c];
                if (a == 0 || x < 0 || x >= cell_w_) continue;
                put(dst + (size_t(px) + size_t(x)) * bytes_, pixels[a]);
            }
        }
    }
    if (cell.attrs & kAttrUnderline) {
        uint32_t row = font_->underline_row, t = font_->underline_thickness ? font_->underline_thickness : 1;
        if (row < cell_h_) fill(px, py + row, cell_w_, row + t > cell_h_ ? cell_h_ - row : t, fg_pixel);
    }
}

void Renderer::draw_row(const Terminal& term, uint32_t row) {
    uint32_t n = term.cols() < cols_ ? term.cols() : cols_;
    const Cell* cells = term.row(row);
    uint32_t y = row_top(row);
    for (uint32_t x = 0; x < n; ++x)
        draw_cell(config_.margin + x * cell_w_, y, cells[x]);
    mark_pending(row);
}

void Renderer::redraw(Terminal& term) {
    fill(0, 0, config_.width, config_.height, pixel_pack(config_.format, config_.border_rgb));
    uint32_t n = term.rows() < rows_ ? term.rows() : rows_;
    for (uint32_t r = 0; r < n; ++r)
        draw_row(term, r);
    term.clear_damage();
    full_ = true;
    cursor_on_ = term.cursor_visible() && term.cursor_x() < cols_ && term.cursor_y() < rows_;
    cursor_x_ = term.cursor_x();
    cursor_y_ = term.cursor_y();
}

void Renderer::render(Terminal& term) {
    uint32_t n = term.rows() < rows_ ? term.rows() : rows_;
    int32_t lines = term.scroll_hint_lines();
    uint32_t top = term.scroll_hint_top(), bottom = term.scroll_hint_bottom();
    if (bottom > n) bottom = n;
    if (lines != 0 && top < bottom) {
        uint32_t mag = uint32_t(lines < 0 ? -lines : lines);
        uint32_t h = bottom - top;
        if (mag < h) {
            uint8_t* region = back_ + size_t(row_top(top)) * back_pitch_;
            size_t moved = size_t(h - mag) * cell_h_ * back_pitch_;
            size_t shift = size_t(mag) * cell_h_ * back_pitch_;
            if (lines > 0)
                __builtin_memmove(region, region + shift, moved);
            else
                __builtin_memmove(region + shift, region, moved);
        }
        for (uint32_t r = top; r < bottom; ++r)
            mark_pending(r);
    }
    for (uint32_t r = 0; r < n; ++r)
        if (term.row_dirty(r)) draw_row(term, r);
    term.clear_damage();

    bool on = term.cursor_visible() && term.cursor_x() < cols_ && term.cursor_y() < rows_;
    if (on != cursor_on_ || term.cursor_x() != cursor_x_ || term.cursor_y() != cursor_y_) {
        if (cursor_on_) mark_pending(cursor_y_);
        if (on) mark_pending(term.cursor_y());
    }
    cursor_on_ = on;
    cursor_x_ = term.cursor_x();
    cursor_y_ = term.cursor_y();
}

void Renderer::copy_rows(uint8_t* framebuffer, uint32_t y0, uint32_t y1) const {
    for (uint32_t y = y0; y < y1; ++y)
        __builtin_memcpy(framebuffer + size_t(y) * config_.pitch, back_ + size_t(y) * back_pitch_,
                         back_pitch_);
}

void Renderer::present(uint8_t* framebuffer) {
    if (full_) {
        copy_rows(framebuffer, 0, config_.height);
    } else {
        for (uint32_t r = 0; r < rows_; ++r)
            if (row_pending(r)) copy_rows(framebuffer, row_top(r), row_top(r) + cell_h_);
    }
    if (cursor_on_ && (full_ || row_pending(cursor_y_))) {
        uint32_t y0 = row_top(cursor_y_), h = cell_h_;
        if (config_.cursor == CursorShape::Underline) {
            uint32_t row = font_->underline_row < cell_h_ ? font_->underline_row : cell_h_ - 1;
            uint32_t t = font_->underline_thickness ? font_->underline_thickness : 1;
            y0 += row;
            h = row + t > cell_h_ ? cell_h_ - row : t;
        }
        size_t x0 = size_t(config_.margin) + size_t(cursor_x_) * cell_w_;
        for (uint32_t y = y0; y < y0 + h; ++y) {
            const uint8_t* src = back_ + size_t(y) * back_pitch_ + x0 * bytes_;
            uint8_t* dst = framebuffer + size_t(y) * config_.pitch + x0 * bytes_;
            for (uint32_t x = 0; x < cell_w_; ++x)
                put(dst + size_t(x) * bytes_, get(src + size_t(x) * bytes_) ^ invert_mask_);
        }
    }
    for (auto& w : pending_)
        w = 0;
    full_ = false;
}

} // namespace celos::fbcon
