// The renderer's drawing of cells (modules/fbcon/render.cpp, boxdraw.cpp):
// text attributes, wide characters, combining marks, the console-drawn box
// drawing, block elements and Braille, line attributes, the reverse screen
// and the cursor shapes. Cells are written into the terminal's grid
// directly (the terminal's own tests cover how sequences set them); the
// expected pixels are computed here from the font's bitmaps.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "boxdraw.h"
#include "gamma.h"
#include "psf_fixture.h"
#include "render.h"
#include "terminal.h"

using namespace celos::fbcon;

namespace {

constexpr PixelFormat kXrgb{32, 16, 8, 8, 8, 0, 8};
constexpr PixelFormat kRgb565{16, 11, 5, 5, 6, 0, 5};
constexpr PixelFormat kRgb888{24, 16, 8, 8, 8, 0, 8};

using Psf = celos::test::PsfFont;
Psf& terminus() {
    return celos::test::terminus16();
}

// A font of hand-made bitmaps, all coverage 255, in a 10 x 20 cell
// (baseline 15, underline row 17, thickness 1):
//   'I'    a vertical bar, column 4, 12 rows above the baseline
//   'B'    a 2-pixel-wide bar; its bold face (styled_glyph) a 6-wide bar
//   'e'    a 5 x 4 block on the baseline
//   U+0301 a 2 x 2 block high in the cell (a combining acute)
//   U+4E2D a 20 x 14 frame, two cells wide
// Nothing else (fallback: a 1 x 1 dot); no italic face.
struct HandFont {
    struct Bitmap {
        std::vector<uint8_t> px;
        celos_glyph g;
    };
    Bitmap bar, bbar, bold_bbar, e, acute, grave, wide, dot;
    celos_font_ops ops{};
    static Bitmap make(uint32_t w, uint32_t h, int32_t left, int32_t top, bool frame = false) {
        Bitmap b;
        b.px.assign(size_t(w) * h, 0);
        for (uint32_t y = 0; y < h; ++y)
            for (uint32_t x = 0; x < w; ++x)
                if (!frame || x == 0 || y == 0 || x + 1 == w || y + 1 == h) b.px[y * w + x] = 255;
        b.g = celos_glyph{nullptr, w, w, h, left, top, 0};
        return b;
    }
    HandFont() {
        bar = make(1, 12, 4, 12);
        bbar = make(2, 12, 3, 12);
        bold_bbar = make(6, 12, 2, 12);
        e = make(5, 4, 2, 4);
        acute = make(2, 2, 5, 14);
        grave = make(3, 2, -7, 14); // as Unifont's marks: over the advance before it
        wide = make(20, 14, 0, 14, true);
        dot = make(1, 1, 0, 1);
        ops.size = sizeof ops;
        ops.cell_width = 10;
        ops.cell_height = 20;
        ops.baseline = 15;
        ops.underline_row = 17;
        ops.underline_thickness = 1;
        ops.name = "hand";
        ops.context = this;
        ops.glyph = [](const celos_font_ops* f, uint32_t cp, celos_glyph* out) {
            const Bitmap* b = static_cast<HandFont*>(f->context)->find(cp);
            if (!b) return CELOS_FONT_NO_GLYPH;
            *out = b->g;
            out->coverage = b->px.data();
            return 0;
        };
        ops.fallback = [](const celos_font_ops* f, celos_glyph* out) {
            auto* self = static_cast<HandFont*>(f->context);
            *out = self->dot.g;
            out->coverage = self->dot.px.data();
        };
        ops.styled_glyph = [](const celos_font_ops* f, uint32_t cp, uint32_t style, celos_glyph* out) {
            auto* self = static_cast<HandFont*>(f->context);
            if (!self->find(cp)) return CELOS_FONT_NO_GLYPH;
            if (cp != 'B' || style != CELOS_FONT_STYLE_BOLD) return CELOS_FONT_NO_STYLE;
            *out = self->bold_bbar.g;
            out->coverage = self->bold_bbar.px.data();
            return 0;
        };
    }
    const Bitmap* find(uint32_t cp) const {
        switch (cp) {
        case 'I': return &bar;
        case 'B': return &bbar;
        case 'e': return &e;
        case 0x301: return &acute;
        case 0x300: return &grave;
        case 0x4E2D: return &wide;
        default: return nullptr;
        }
    }
    // Is pixel (x, y) of the cell inked by `b`, placed as the renderer places it?
    bool ink(const Bitmap& b, int32_t x, int32_t y) const {
        int32_t gx = x - b.g.left, gy = y - (int32_t(ops.baseline) - b.g.top);
        if (gx < 0 || gy < 0 || gx >= int32_t(b.g.width) || gy >= int32_t(b.g.height)) return false;
        return b.px[size_t(gy) * b.g.width + size_t(gx)] != 0;
    }
};

constexpr uint8_t kPoison = 0xA5;
constexpr uint32_t kFg = 0xC0C0C0, kBg = 0x102030;

struct Screen {
    RenderConfig cfg;
    const celos_font_ops* font;
    Renderer r;
    std::vector<uint8_t> back, fb;
    std::unique_ptr<Cell[]> cells;
    Terminal t;
    uint32_t bytes;

    Screen(const celos_font_ops* f, uint32_t cols, uint32_t rows, CursorShape cursor = CursorShape::Block,
           const PixelFormat& format = kXrgb, uint32_t margin = 2)
        : font(f) {
        bytes = pixel_format_bytes(format);
        uint32_t w = cols * f->cell_width + 2 * margin, h = rows * f->cell_height + 2 * margin;
        cfg = RenderConfig{w, h, w * bytes + 8, format, margin, 0x203040, cursor};
        back.resize(Renderer::back_buffer_size(cfg));
        REQUIRE(r.init(cfg, f, back.data(), back.size()) == nullptr);
        REQUIRE(r.cols() == cols);
        REQUIRE(r.rows() == rows);
        cells.reset(new Cell[size_t(cols) * rows]);
        TerminalConfig tc = terminal_default_config();
        tc.default_fg = kFg;
        tc.default_bg = kBg;
        REQUIRE(t.init(cells.get(), cols, rows, tc));
        t.write("\x1B[?25l");
        fb.assign(size_t(cfg.pitch) * h, kPoison);
        r.redraw(t);
        r.present(fb.data());
    }
    Cell& at(uint32_t x, uint32_t y) { return const_cast<Cell*>(t.row(y))[x]; }
    // Writes a cell (default colours unless given) and marks the grid dirty.
    Cell& put(uint32_t x, uint32_t y, uint32_t cp, uint32_t attrs = 0, uint32_t fg = kFg, uint32_t bg = kBg) {
        Cell& c = at(x, y);
        c = Cell{cp, fg, bg, attrs, 0, {0, 0}};
        t.mark_all_dirty();
        return c;
    }
    void frame() {
        r.render(t);
        r.present(fb.data());
    }
    uint32_t px(uint32_t x, uint32_t y) const {
        uint32_t v = 0;
        std::memcpy(&v, fb.data() + size_t(y) * cfg.pitch + size_t(x) * bytes, bytes);
        return v;
    }
    // Pixel (x, y) of the cell at column `col`, row `row`.
    uint32_t cpx(uint32_t col, uint32_t row, uint32_t x, uint32_t y) const {
        return px(cfg.margin + col * font->cell_width + x, cfg.margin + row * font->cell_height + y);
    }
    uint32_t pack(uint32_t rgb) const { return pixel_pack(cfg.format, rgb); }
    std::vector<uint8_t> full_redraw() {
        Renderer r2;
        std::vector<uint8_t> back2(back.size()), fb2(fb.size(), kPoison);
        REQUIRE(r2.init(cfg, font, back2.data(), back2.size()) == nullptr);
        r2.redraw(t);
        r2.present(fb2.data());
        return fb2;
    }
    // Pixels of the given colour in the cell (col, row), `cells` wide.
    uint32_t count(uint32_t col, uint32_t row, uint32_t rgb, uint32_t span = 1) const {
        uint32_t n = 0;
        for (uint32_t y = 0; y < font->cell_height; ++y)
            for (uint32_t x = 0; x < span * font->cell_width; ++x)
                n += cpx(col, row, x, y) == pack(rgb);
        return n;
    }
};

// The terminal's line attributes, reverse screen and cursor style, set
// through the sequences xterm takes.
void set_line_attr(Screen& s, uint32_t row, LineAttr a) {
    static const char* seq[] = {"\x1B#5", "\x1B#6", "\x1B#3", "\x1B#4"};
    s.t.write(("\x1B[" + std::to_string(row + 1) + ";1H" + seq[int(a)]).c_str());
}
void set_reverse_screen(Screen& s, bool on) {
    s.t.write(on ? "\x1B[?5h" : "\x1B[?5l");
}
void set_cursor_style(Screen& s, uint8_t style) {
    s.t.write(("\x1B[" + std::to_string(style) + " q").c_str());
}

// boxdraw_draw into a fresh w x h buffer.
std::vector<uint8_t> box(uint32_t cp, uint32_t w, uint32_t h, uint32_t t) {
    std::vector<uint8_t> c(size_t(w) * h, 0);
    boxdraw_draw(cp, c.data(), w, w, h, t);
    return c;
}
std::vector<uint8_t> column(const std::vector<uint8_t>& c, uint32_t w, uint32_t h, uint32_t x) {
    std::vector<uint8_t> v;
    for (uint32_t y = 0; y < h; ++y)
        v.push_back(c[size_t(y) * w + x]);
    return v;
}
std::vector<uint8_t> row_of(const std::vector<uint8_t>& c, uint32_t w, uint32_t y) {
    return std::vector<uint8_t>(c.begin() + ptrdiff_t(y) * w, c.begin() + ptrdiff_t(y + 1) * w);
}

struct CellSize {
    uint32_t w, h, t;
};
const CellSize kSizes[] = {{8, 16, 1},  {9, 18, 1},  {7, 15, 1}, {12, 24, 2},
                           {16, 32, 2}, {11, 22, 3}, {6, 10, 1}};

} // namespace

TEST_CASE("render: box-drawing lines join across cells with no gap or step, in every cell size", "[render]") {
    // Characters with an arm to the right of each weight, joined to the
    // plain horizontal of that weight; and the same downwards.
    struct Join {
        uint32_t weight_line;
        std::vector<uint32_t> with_arm;
    };
    const Join right[] = {
        {0x2500, {0x250C, 0x2514, 0x251C, 0x252C, 0x2534, 0x253C, 0x256D, 0x2570, 0x2576, 0x257E}},
        {0x2501, {0x250F, 0x2517, 0x2523, 0x2533, 0x253B, 0x254B, 0x257A, 0x257C}},
        {0x2550, {0x2554, 0x255A, 0x2560, 0x2566, 0x2569, 0x256C, 0x2552, 0x2558, 0x255E}}};
    const Join down[] = {
        {0x2502, {0x250C, 0x2510, 0x251C, 0x2524, 0x252C, 0x253C, 0x256D, 0x256E, 0x2577, 0x257F}},
        {0x2503, {0x250F, 0x2513, 0x2523, 0x252B, 0x2533, 0x254B, 0x257B, 0x257D}},
        {0x2551, {0x2554, 0x2557, 0x2560, 0x2563, 0x2566, 0x256C, 0x2553, 0x2556, 0x255F}}};
    for (const CellSize& cs : kSizes) {
        INFO("cell " << cs.w << "x" << cs.h << " t " << cs.t);
        uint32_t t = boxdraw_thickness(cs.w, cs.h, cs.t);
        for (const Join& j : right) {
            auto line = box(j.weight_line, cs.w, cs.h, t);
            // The plain line is the same in every column (it joins itself)
            // and as thick as its weight (double: two bands).
            auto edge = column(line, cs.w, cs.h, 0);
            for (uint32_t x = 1; x < cs.w; ++x)
                REQUIRE(column(line, cs.w, cs.h, x) == edge);
            uint32_t on = 0;
            for (uint8_t v : edge)
                on += v == 255;
            CHECK(on == (j.weight_line == 0x2550 ? 2 * t : j.weight_line == 0x2501 ? 2 * t : t));
            for (uint32_t cp : j.with_arm) {
                INFO("U+" << std::hex << cp);
                auto c = box(cp, cs.w, cs.h, t);
                REQUIRE(column(c, cs.w, cs.h, cs.w - 1) == edge);
            }
        }
        for (const Join& j : down) {
            auto line = box(j.weight_line, cs.w, cs.h, t);
            auto edge = row_of(line, cs.w, 0);
            for (uint32_t y = 1; y < cs.h; ++y)
                REQUIRE(row_of(line, cs.w, y) == edge);
            for (uint32_t cp : j.with_arm) {
                INFO("U+" << std::hex << cp);
                auto c = box(cp, cs.w, cs.h, t);
                REQUIRE(row_of(c, cs.w, cs.h - 1) == edge);
            }
        }
        // Left and up arms meet the same lines at the other edge.
        auto h1 = box(0x2500, cs.w, cs.h, t), v1 = box(0x2502, cs.w, cs.h, t);
        for (uint32_t cp : {0x2510u, 0x2518u, 0x2524u, 0x253Cu, 0x256Eu, 0x256Fu, 0x2574u})
            REQUIRE(column(box(cp, cs.w, cs.h, t), cs.w, cs.h, 0) == column(h1, cs.w, cs.h, 0));
        for (uint32_t cp : {0x2514u, 0x2518u, 0x2534u, 0x253Cu, 0x256Fu, 0x2570u, 0x2575u})
            REQUIRE(row_of(box(cp, cs.w, cs.h, t), cs.w, 0) == row_of(v1, cs.w, 0));
        // A corner is closed: the cell centre of ┌ is inked, ╔'s outer
        // corner too, and its inner corner is not joined to the outer line.
        auto corner = box(0x250C, cs.w, cs.h, t);
        CHECK(corner[size_t((cs.h - t) / 2) * cs.w + (cs.w - t) / 2] == 255);
        auto dbl = box(0x2554, cs.w, cs.h, t);
        uint32_t x0 = (cs.w - 3 * t) / 2, y0 = (cs.h - 3 * t) / 2;
        CHECK(dbl[size_t(y0) * cs.w + x0] == 255);                 // outer corner
        CHECK(dbl[size_t(y0 + t) * cs.w + x0 + t] == 0);           // the gap between the lines
        CHECK(dbl[size_t(y0 + 2 * t) * cs.w + x0 + 2 * t] == 255); // inner corner
        CHECK(dbl[size_t(y0 + 2 * t) * cs.w + x0 + t] == 0);       // not joined to the outer vertical
        // ╬: four separate corners, the centre empty.
        auto cross = box(0x256C, cs.w, cs.h, t);
        CHECK(cross[size_t(y0 + t) * cs.w + x0 + t] == 0);
        CHECK(cross[size_t(y0) * cs.w + x0 + t] == 0);
        // Every code point of the three ranges draws something but the blank Braille.
        for (uint32_t cp = 0x2500; cp <= 0x28FF; ++cp) {
            if (!boxdraw_drawn(cp)) continue;
            auto c = box(cp, cs.w, cs.h, t);
            uint32_t ink = 0;
            for (uint8_t v : c)
                ink += v;
            INFO("U+" << std::hex << cp);
            CHECK((ink != 0) == (cp != 0x2800));
        }
    }
}

TEST_CASE("render: block elements tile exactly and Braille dots sit in their eighths", "[render]") {
    for (const CellSize& cs : kSizes) {
        INFO("cell " << cs.w << "x" << cs.h);
        auto sum_is_full = [&](uint32_t a, uint32_t b) {
            auto x = box(a, cs.w, cs.h, 1), y = box(b, cs.w, cs.h, 1);
            for (size_t i = 0; i < x.size(); ++i) {
                INFO("U+" << std::hex << a << " + U+" << b << " at " << std::dec << i);
                REQUIRE(uint32_t(x[i]) + y[i] == 255);
            }
        };
        sum_is_full(0x2580, 0x2584); // upper half, lower half
        sum_is_full(0x258C, 0x2590); // left half, right half
        sum_is_full(0x259A, 0x259E); // the diagonal quadrant pairs
        sum_is_full(0x2598, 0x259F);
        sum_is_full(0x259D, 0x2599);
        sum_is_full(0x2596, 0x259C);
        sum_is_full(0x2597, 0x259B);
        for (uint8_t v : box(0x2588, cs.w, cs.h, 1))
            REQUIRE(v == 255);
        for (uint8_t v : box(0x2592, cs.w, cs.h, 1))
            REQUIRE(v == 128);
        // Lower eighths grow by row, left eighths by column, each within the last.
        uint32_t last = 0;
        for (uint32_t cp = 0x2581; cp <= 0x2588; ++cp) {
            auto c = box(cp, cs.w, cs.h, 1);
            uint32_t rows = 0;
            for (uint32_t y = 0; y < cs.h; ++y)
                rows += c[size_t(y) * cs.w] == 255;
            CHECK(rows >= last);
            CHECK(c[size_t(cs.h - 1) * cs.w] == 255);
            last = rows;
        }
        CHECK(last == cs.h);
        // Braille: U+28FF is eight separate dots, one per eighth of the cell.
        auto all = box(0x28FF, cs.w, cs.h, 1);
        for (uint32_t dot = 0; dot < 8; ++dot) {
            static const uint32_t col[8] = {0, 0, 0, 1, 1, 1, 0, 1}, row[8] = {0, 1, 2, 0, 1, 2, 3, 3};
            auto one = box(0x2800 + (1u << dot), cs.w, cs.h, 1);
            uint32_t n = 0;
            for (uint32_t y = 0; y < cs.h; ++y)
                for (uint32_t x = 0; x < cs.w; ++x) {
                    if (!one[size_t(y) * cs.w + x]) continue;
                    ++n;
                    REQUIRE(all[size_t(y) * cs.w + x] == 255);
                    REQUIRE(x * 2 / cs.w == col[dot]);
                    REQUIRE(y * 4 / cs.h == row[dot]);
                }
            CHECK(n > 0);
        }
    }
}

TEST_CASE("render: box drawing on the screen joins across cells, whatever the font draws", "[render]") {
    Psf& font = terminus();
    Screen s(font.ops(), 6, 3);
    s.t.write("\xE2\x94\x8C\xE2\x94\x80\xE2\x94\x80\xE2\x94\x90\r\n\xE2\x94\x82  \xE2\x94\x82"); // ┌──┐ / │ │
    s.frame();
    uint32_t w = 8, h = 16, t = boxdraw_thickness(w, h, font.ops()->underline_thickness);
    uint32_t ly = (h - t) / 2, lx = (w - t) / 2;
    // The horizontal runs unbroken from the corner's stroke to the other's.
    for (uint32_t x = lx; x < 3 * w + lx + t; ++x)
        REQUIRE(s.px(s.cfg.margin + x, s.cfg.margin + ly) == s.pack(kFg));
    // The verticals run from the corners' centre down through the next row.
    for (uint32_t y = ly; y < 2 * h; ++y) {
        REQUIRE(s.px(s.cfg.margin + lx, s.cfg.margin + y) == s.pack(kFg));
        REQUIRE(s.px(s.cfg.margin + 3 * w + lx, s.cfg.margin + y) == s.pack(kFg));
    }
    // Outside the strokes: background.
    CHECK(s.cpx(1, 0, 0, 0) == s.pack(kBg));
    CHECK(s.cpx(1, 1, 3, 3) == s.pack(kBg));
}

TEST_CASE("render: underline, double and curly underline, underline colour and strikethrough rows",
          "[render]") {
    Psf& font = terminus();
    const celos_font_ops* ops = font.ops();
    Screen s(ops, 6, 2);
    s.put(0, 0, ' ', kAttrUnderline);
    s.put(1, 0, ' ', kAttrDoubleUnderline);
    s.put(2, 0, ' ', kAttrCurlyUnderline);
    s.put(3, 0, ' ', kAttrCurlyUnderline);
    Cell& c = s.put(4, 0, ' ', kAttrUnderline | kAttrUnderlineColor);
    c.underline = 0xFF0000;
    s.put(5, 0, ' ', kAttrStrike);
    s.frame();
    uint32_t ul = ops->underline_row, t = ops->underline_thickness, h = ops->cell_height, w = ops->cell_width;
    for (uint32_t y = 0; y < h; ++y)
        for (uint32_t x = 0; x < w; ++x) {
            INFO(x << "," << y);
            bool single = y >= ul && y < ul + t;
            REQUIRE(s.cpx(0, 0, x, y) == s.pack(single ? kFg : kBg));
            REQUIRE(s.cpx(4, 0, x, y) == s.pack(single ? 0xFF0000 : kBg));
        }
    // Double: two lines of t, a gap of t, inside the cell.
    std::vector<uint32_t> rows;
    for (uint32_t y = 0; y < h; ++y)
        if (s.cpx(1, 0, 0, y) == s.pack(kFg)) rows.push_back(y);
    REQUIRE(rows.size() == 2 * t);
    CHECK(rows.back() - rows.front() == 3 * t - 1);
    CHECK(rows.back() < h);
    for (uint32_t y : rows)
        for (uint32_t x = 0; x < w; ++x)
            REQUIRE(s.cpx(1, 0, x, y) == s.pack(kFg));
    // Curly: one inked run of t rows per column, not all at the same row,
    // and continuous across the two cells (steps of at most one row).
    int last = -1, lowest = 1 << 30, highest = -1;
    for (uint32_t x = 0; x < 2 * w; ++x) {
        std::vector<int> on;
        for (uint32_t y = 0; y < h; ++y)
            if (s.cpx(2, 0, x, y) == s.pack(kFg)) on.push_back(int(y));
        REQUIRE(on.size() == t);
        if (last >= 0) CHECK(std::abs(on[0] - last) <= 1);
        last = on[0];
        lowest = std::min(lowest, on[0]);
        highest = std::max(highest, on[0]);
    }
    CHECK(highest > lowest);
    // The strike: t full rows around the middle of the x-height ('x' of the font).
    std::vector<uint32_t> strike;
    for (uint32_t y = 0; y < h; ++y)
        if (s.cpx(5, 0, 0, y) == s.pack(kFg)) strike.push_back(y);
    REQUIRE(strike.size() == t);
    uint32_t xtop = h, xbottom = 0; // the ink rows of 'x'
    s.put(0, 1, 'x');
    s.frame();
    for (uint32_t y = 0; y < h; ++y)
        for (uint32_t x = 0; x < w; ++x)
            if (s.cpx(0, 1, x, y) == s.pack(kFg)) xtop = std::min(xtop, y), xbottom = std::max(xbottom, y);
    INFO("x from row " << xtop << " to " << xbottom << ", strike at " << strike[0]);
    CHECK(strike[0] + 1 >= (xtop + xbottom) / 2);
    CHECK(strike[0] <= (xtop + xbottom) / 2 + 1);
}

TEST_CASE("render: bold takes the bold face, else is synthesized with more ink", "[render]") {
    Psf& font = terminus();
    Screen s(font.ops(), 4, 1);
    // Colours given directly (bold brightens palette colours only).
    s.put(0, 0, 'A', 0, 0xFFFFFF, 0);
    s.put(1, 0, 'A', kAttrBold, 0xFFFFFF, 0);
    s.frame();
    uint32_t regular = s.count(0, 0, 0xFFFFFF), bold = s.count(1, 0, 0xFFFFFF);
    CHECK(bold > regular);
    // Synthesized: the regular ink max-ed with itself one pixel right.
    for (uint32_t y = 0; y < 16; ++y)
        for (uint32_t x = 0; x < 8; ++x) {
            bool on =
                s.cpx(0, 0, x, y) == s.pack(0xFFFFFF) || (x > 0 && s.cpx(0, 0, x - 1, y) == s.pack(0xFFFFFF));
            REQUIRE((s.cpx(1, 0, x, y) == s.pack(0xFFFFFF)) == on);
        }
    // A font with a bold face: its glyph, not a synthesized one.
    HandFont hand;
    Screen h(&hand.ops, 3, 1);
    h.put(0, 0, 'B', kAttrBold);
    h.put(1, 0, 'I', kAttrBold); // no bold face for 'I': synthesized
    h.frame();
    for (uint32_t y = 0; y < 20; ++y)
        for (uint32_t x = 0; x < 10; ++x) {
            INFO(x << "," << y);
            REQUIRE((h.cpx(0, 0, x, y) == h.pack(kFg)) == hand.ink(hand.bold_bbar, int(x), int(y)));
            REQUIRE((h.cpx(1, 0, x, y) == h.pack(kFg)) ==
                    (hand.ink(hand.bar, int(x), int(y)) || hand.ink(hand.bar, int(x) - 1, int(y))));
        }
}

TEST_CASE("render: synthesized italic shears rows about the baseline, clipped to the cell", "[render]") {
    HandFont hand;
    Screen s(&hand.ops, 3, 1);
    s.put(0, 0, 'I', kAttrItalic);
    s.put(1, 0, 'I');
    s.frame();
    int baseline = int(hand.ops.baseline);
    bool sheared = false;
    for (int y = 0; y < 20; ++y) {
        int shift = int(std::lround((baseline - y) / 4.5));
        if (shift) sheared = hand.ink(hand.bar, 4, y) || sheared;
        for (int x = 0; x < 10; ++x) {
            INFO(x << "," << y << " shift " << shift);
            REQUIRE((s.cpx(0, 0, uint32_t(x), uint32_t(y)) == s.pack(kFg)) ==
                    hand.ink(hand.bar, x - shift, y));
        }
    }
    CHECK(sheared);
    // The top of the bar leans right, and nothing leaves the cell.
    CHECK(s.cpx(0, 0, 7, 3) == s.pack(kFg)); // 12 rows above the baseline: 3 pixels right
    for (uint32_t y = 0; y < 20; ++y)
        for (uint32_t x = 0; x < 10; ++x)
            REQUIRE((s.cpx(1, 0, x, y) == s.pack(kFg)) == hand.ink(hand.bar, int(x), int(y)));
}

TEST_CASE("render: dim blends the foreground half way in linear light, invisible draws the background",
          "[render]") {
    Psf& font = terminus();
    Screen s(font.ops(), 4, 1);
    s.put(0, 0, '#', kAttrDim, 0xFFFFFF, 0x000000);
    s.put(1, 0, '#', kAttrInvisible | kAttrUnderline | kAttrStrike, 0xFFFFFF, 0x336699);
    s.put(2, 0, '#', kAttrDim | kAttrReverse, 0xFFFFFF, 0x000000);
    s.frame();
    uint32_t dim = celos::fbcon::gamma::blend_rgb(0x000000, 0xFFFFFF, 128);
    CHECK(dim == 0xBCBCBC); // half the light of white, not sRGB 128
    CHECK(s.count(0, 0, dim) > 0);
    CHECK(s.count(0, 0, 0xFFFFFF) == 0);
    CHECK(s.count(0, 0, dim) + s.count(0, 0, 0) == 8 * 16);
    CHECK(s.count(1, 0, 0x336699) == 8 * 16);
    // Reverse then dim: black ink half way towards a white background.
    uint32_t rdim = celos::fbcon::gamma::blend_rgb(0xFFFFFF, 0x000000, 128);
    CHECK(s.count(2, 0, rdim) == s.count(0, 0, dim));
}

TEST_CASE("render: a wide character spans two cells and stays when its row is redrawn", "[render]") {
    HandFont hand;
    Screen s(&hand.ops, 5, 2);
    s.put(1, 0, 0x4E2D, kAttrWide);
    s.put(2, 0, 0, kAttrWideTail);
    s.put(3, 0, 'I');
    s.frame();
    auto check = [&] {
        for (uint32_t y = 0; y < 20; ++y)
            for (uint32_t x = 0; x < 20; ++x) {
                INFO(x << "," << y);
                REQUIRE((s.cpx(1, 0, x, y) == s.pack(kFg)) == hand.ink(hand.wide, int(x), int(y)));
            }
    };
    check();
    CHECK(s.count(3, 0, kFg) == 12);
    // Only the tail's row changes (another cell): the pair is drawn again whole.
    s.put(4, 0, 'e');
    s.frame();
    check();
    CHECK(s.fb == s.full_redraw());
    // A glyph the font has is placed as the font says, even if narrow; the
    // fallback glyph (a character no font has) is centred in the two cells.
    // A wide character in the last column has no room for its tail:
    // clipped to one cell.
    s.put(0, 1, 'I', kAttrWide);
    s.put(1, 1, 0, kAttrWideTail);
    s.put(2, 1, 0x4E00, kAttrWide);
    s.put(3, 1, 0, kAttrWideTail);
    s.put(4, 1, 0x4E2D, kAttrWide);
    s.frame();
    for (uint32_t y = 0; y < 20; ++y)
        for (uint32_t x = 0; x < 20; ++x) {
            REQUIRE((s.cpx(0, 1, x, y) == s.pack(kFg)) == hand.ink(hand.bar, int(x), int(y)));
            REQUIRE((s.cpx(2, 1, x, y) == s.pack(kFg)) == hand.ink(hand.dot, int(x) - 5, int(y)));
        }
    for (uint32_t y = 0; y < 20; ++y)
        for (uint32_t x = 0; x < 10; ++x)
            REQUIRE((s.cpx(4, 1, x, y) == s.pack(kFg)) == hand.ink(hand.wide, int(x), int(y)));
    CHECK(s.fb == s.full_redraw());
}

TEST_CASE("render: combining marks are drawn over the base glyph in its colours", "[render]") {
    HandFont hand;
    Screen s(&hand.ops, 3, 1);
    Cell& c = s.put(0, 0, 'e', kAttrBold, 0x00FF00, 0x000080);
    c.marks[0] = 0x301;
    Cell& d = s.put(1, 0, 'I', 0, 0x00FF00, 0x000080);
    d.marks[0] = 0x301;
    d.marks[1] = 'e';
    // A mark no font has is left out, not drawn as the fallback glyph.
    Cell& m = s.put(2, 0, 'I', 0, 0x00FF00, 0x000080);
    m.marks[0] = 0x308;
    s.frame();
    for (uint32_t y = 0; y < 20; ++y)
        for (uint32_t x = 0; x < 10; ++x) {
            INFO(x << "," << y);
            int ix = int(x), iy = int(y);
            REQUIRE(s.cpx(2, 0, x, y) == s.pack(hand.ink(hand.bar, ix, iy) ? 0x00FF00 : 0x000080));
            // Bold applies to the marks too (synthesized: also one pixel right).
            bool e = hand.ink(hand.e, ix, iy) || hand.ink(hand.e, ix - 1, iy) ||
                     hand.ink(hand.acute, ix, iy) || hand.ink(hand.acute, ix - 1, iy);
            REQUIRE(s.cpx(0, 0, x, y) == s.pack(e ? 0x00FF00 : 0x000080));
            bool i = hand.ink(hand.bar, ix, iy) || hand.ink(hand.acute, ix, iy) || hand.ink(hand.e, ix, iy);
            REQUIRE(s.cpx(1, 0, x, y) == s.pack(i ? 0x00FF00 : 0x000080));
        }
}

TEST_CASE("render: a mark drawn left of its cell, with no advance of its own, moves over the base", "[render]") {
    HandFont hand;
    Screen s(&hand.ops, 2, 1);
    s.put(0, 0, 'I', 0, 0x00FF00, 0x000080);
    Cell& c = s.put(1, 0, 'I', 0, 0x00FF00, 0x000080);
    c.marks[0] = 0x300;
    s.frame();
    for (uint32_t y = 0; y < 20; ++y)
        for (uint32_t x = 0; x < 10; ++x) {
            INFO(x << "," << y);
            int ix = int(x), iy = int(y);
            // Moved right by the cell's width: columns 3-5 of its own cell.
            bool i = hand.ink(hand.bar, ix, iy) || hand.ink(hand.grave, ix - 10, iy);
            REQUIRE(s.cpx(1, 0, x, y) == s.pack(i ? 0x00FF00 : 0x000080));
            // The cell before is untouched.
            REQUIRE(s.cpx(0, 0, x, y) == s.pack(hand.ink(hand.bar, ix, iy) ? 0x00FF00 : 0x000080));
        }
}

TEST_CASE("render: double-width and double-height rows scale the glyphs 2x", "[render]") {
    Psf& font = terminus();
    Screen s(font.ops(), 7, 4);
    for (uint32_t row = 0; row < 4; ++row) {
        s.put(0, row, 'A');
        s.put(1, row, 'g', kAttrUnderline);
        s.put(2, row, 0x2500);
        s.put(5, row, 'Z');
    }
    set_line_attr(s, 1, LineAttr::DoubleWidth);
    set_line_attr(s, 2, LineAttr::DoubleTop);
    set_line_attr(s, 3, LineAttr::DoubleBottom);
    s.frame();
    // What row 0 (normal) shows, as the reference glyph image.
    auto normal = [&](uint32_t col, uint32_t x, uint32_t y) { return s.cpx(col, 0, x, y); };
    for (uint32_t col = 0; col < 3; ++col)
        for (uint32_t y = 0; y < 16; ++y)
            for (uint32_t x = 0; x < 16; ++x) {
                INFO("col " << col << " at " << x << "," << y);
                REQUIRE(s.cpx(2 * col, 1, x, y) == normal(col, x / 2, y));
                REQUIRE(s.cpx(2 * col, 2, x, y) == normal(col, x / 2, y / 2));
                REQUIRE(s.cpx(2 * col, 3, x, y) == normal(col, x / 2, (16 + y) / 2));
            }
    // Cells past the half are not shown: the default background.
    for (uint32_t row = 1; row < 4; ++row)
        for (uint32_t y = 0; y < 16; ++y)
            for (uint32_t x = 0; x < 8; ++x)
                REQUIRE(s.cpx(6, row, x, y) == s.pack(kBg));
    CHECK(s.fb == s.full_redraw());
    // Back to normal.
    set_line_attr(s, 1, LineAttr::Normal);
    s.frame();
    CHECK(s.count(5, 1, kFg) == s.count(5, 0, kFg));
    CHECK(s.fb == s.full_redraw());
}

TEST_CASE("render: the reverse screen swaps the default colours and palette 0/7, 8/15, as xterm",
          "[render]") {
    Psf& font = terminus();
    Screen s(font.ops(), 5, 1);
    auto pal = s.t.config().palette;
    s.put(0, 0, ' ');
    s.put(1, 0, ' ', 0, kFg, 0xFF0000);
    s.put(2, 0, ' ', 0, kFg, pal[0]);
    s.put(3, 0, ' ', 0, kFg, pal[15]);
    s.put(4, 0, ' ', kAttrReverse);
    s.frame();
    CHECK(s.cpx(0, 0, 0, 0) == s.pack(kBg));
    set_reverse_screen(s, true);
    s.frame();
    CHECK(s.cpx(0, 0, 0, 0) == s.pack(kFg));
    CHECK(s.cpx(1, 0, 0, 0) == s.pack(0xFF0000));
    CHECK(s.cpx(2, 0, 0, 0) == s.pack(pal[7]));
    CHECK(s.cpx(3, 0, 0, 0) == s.pack(pal[8]));
    CHECK(s.cpx(4, 0, 0, 0) == s.pack(kBg)); // SGR 7 on a reversed screen: the normal colours
    CHECK(s.fb == s.full_redraw());
    set_reverse_screen(s, false);
    s.frame();
    CHECK(s.cpx(0, 0, 0, 0) == s.pack(kBg));
    CHECK(s.cpx(2, 0, 0, 0) == s.pack(pal[0]));
}

TEST_CASE("render: cursor shapes from DECSCUSR, over both cells of a wide character", "[render]") {
    HandFont hand;
    const celos_font_ops* ops = &hand.ops;
    Screen s(ops, 6, 2, CursorShape::Underline);
    s.put(2, 0, 0x4E2D, kAttrWide);
    s.put(3, 0, 0, kAttrWideTail);
    s.t.write("\x1B[?25h\x1B[1;2H");
    uint32_t inv = s.pack(kBg) ^ s.pack(0xFFFFFF);
    auto inverted = [&](uint32_t col, uint32_t x, uint32_t y) { return s.cpx(col, 0, x, y) == inv; };
    struct Case {
        uint8_t style;
        CursorShape shape;
    };
    for (Case c : {Case{0, CursorShape::Underline}, Case{1, CursorShape::Block}, Case{2, CursorShape::Block},
                   Case{3, CursorShape::Underline}, Case{4, CursorShape::Underline},
                   Case{5, CursorShape::Bar}, Case{6, CursorShape::Bar}}) {
        INFO("style " << int(c.style));
        set_cursor_style(s, c.style);
        s.frame();
        for (uint32_t y = 0; y < 20; ++y)
            for (uint32_t x = 0; x < 10; ++x) {
                bool want = c.shape == CursorShape::Block       ? true
                            : c.shape == CursorShape::Underline ? y == ops->underline_row
                                                                : x < ops->underline_thickness;
                INFO(x << "," << y);
                REQUIRE(inverted(1, x, y) == want);
            }
        CHECK(s.fb == s.full_redraw());
    }
    // Over a wide character: both cells (on its first cell and on its tail).
    set_cursor_style(s, 2);
    for (const char* move : {"\x1B[1;3H", "\x1B[1;4H"}) {
        s.t.write(move);
        s.frame();
        for (uint32_t x = 0; x < 20; ++x)
            REQUIRE(s.cpx(2, 0, x, 0) == (s.pack(kBg) ^ s.pack(0xFFFFFF)));
        CHECK(s.cpx(1, 0, 9, 0) == s.pack(kBg));
        CHECK(s.cpx(4, 0, 0, 0) == s.pack(kBg));
    }
    // On a double-width row: two cells wide at twice the column.
    set_line_attr(s, 1, LineAttr::DoubleWidth);
    s.t.write("\x1B[2;2H");
    s.frame();
    for (uint32_t x = 0; x < 20; ++x)
        REQUIRE(s.cpx(2, 1, x, 5) == (s.pack(kBg) ^ s.pack(0xFFFFFF)));
    CHECK(s.cpx(1, 1, 9, 5) == s.pack(kBg));
    CHECK(s.fb == s.full_redraw());
}

TEST_CASE("render: random styled cells, presented incrementally, equal a full redraw", "[render][fuzz]") {
    HandFont hand;
    Psf& psf = terminus();
    static const uint32_t cps[] = {' ',    0,      'A',    'e',    'I',    'B',    0x4E2D, 0x2500,
                                   0x2554, 0x256D, 0x2573, 0x2580, 0x2592, 0x28FF, 0x0301, 0xFFFD};
    for (const celos_font_ops* ops : {static_cast<const celos_font_ops*>(&hand.ops), psf.ops()})
        for (const PixelFormat* format : {&kXrgb, &kRgb565, &kRgb888}) {
            Screen s(ops, 7, 5, CursorShape::Block, *format);
            std::mt19937 rng(99 + format->bpp + ops->cell_width);
            for (int round = 0; round < 200; ++round) {
                for (int k = rng() % 6; k > 0; --k) {
                    uint32_t x = rng() % 7, y = rng() % 5;
                    uint32_t attrs = rng() & (rng() & 1 ? 0x73FF : 0x0003);
                    Cell& c = s.put(x, y, cps[rng() % 16], attrs, rng() & 1 ? kFg : rng() & 0xFFFFFF,
                                    rng() % 3 ? kBg : rng() & 0xFFFFFF);
                    c.underline = rng() & 0xFFFFFF;
                    if (rng() % 4 == 0) c.marks[0] = rng() & 1 ? 0x301 : 'e';
                    if ((attrs & kAttrWide) && x + 1 < 7) s.put(x + 1, y, 0, kAttrWideTail);
                }
                if (rng() % 10 == 0) set_line_attr(s, rng() % 5, LineAttr(rng() % 4));
                if (rng() % 20 == 0) set_reverse_screen(s, rng() & 1);
                if (rng() % 10 == 0) set_cursor_style(s, uint8_t(rng() % 7));
                if (rng() % 8 == 0)
                    s.t.write(("\x1B[?25h\x1B[" + std::to_string(rng() % 5 + 1) + ";" +
                               std::to_string(rng() % 7 + 1) + "H")
                                  .c_str());
                s.frame();
                if (round % 20 == 19) {
                    INFO("round " << round << " bpp " << format->bpp);
                    REQUIRE(s.fb == s.full_redraw());
                }
            }
        }
}
