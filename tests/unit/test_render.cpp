// The renderer (modules/fbcon/render.cpp) into in-memory framebuffers of
// every supported pixel format, with a real Terminus font from
// /usr/share/consolefonts reaching it only through celos_font_ops (the PSF
// module's FontService). Expected pixel values are packed by hand per format
// here, not with the renderer's packer.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gamma.h"
#include "psf_fixture.h"
#include "render.h"
#include "terminal.h"

using namespace celos::fbcon;

namespace {

struct FormatCase {
    const char* name;
    PixelFormat format;
    uint32_t (*expect)(uint32_t rgb);
};

uint32_t r8(uint32_t c) {
    return (c >> 16) & 0xFF;
}
uint32_t g8(uint32_t c) {
    return (c >> 8) & 0xFF;
}
uint32_t b8(uint32_t c) {
    return c & 0xFF;
}

const FormatCase kFormats[] = {
    {"xrgb8888", {32, 16, 8, 8, 8, 0, 8}, [](uint32_t c) { return c & 0xFFFFFF; }},
    {"xbgr8888", {32, 0, 8, 8, 8, 16, 8}, [](uint32_t c) { return b8(c) << 16 | g8(c) << 8 | r8(c); }},
    {"rgbx8888", {32, 24, 8, 16, 8, 8, 8}, [](uint32_t c) { return (c & 0xFFFFFF) << 8; }},
    {"rgb888", {24, 16, 8, 8, 8, 0, 8}, [](uint32_t c) { return c & 0xFFFFFF; }},
    {"bgr888", {24, 0, 8, 8, 8, 16, 8}, [](uint32_t c) { return b8(c) << 16 | g8(c) << 8 | r8(c); }},
    {"rgb565",
     {16, 11, 5, 5, 6, 0, 5},
     [](uint32_t c) { return (r8(c) >> 3) << 11 | (g8(c) >> 2) << 5 | b8(c) >> 3; }},
    {"rgb555",
     {15, 10, 5, 5, 5, 0, 5},
     [](uint32_t c) { return (r8(c) >> 3) << 10 | (g8(c) >> 3) << 5 | b8(c) >> 3; }},
};

using celos::test::PsfFont;
using celos::test::terminus16;

constexpr uint8_t kPoison = 0xA5;

// A terminal, a renderer and a framebuffer with padding past each row.
struct Screen {
    RenderConfig cfg;
    const celos_font_ops* font;
    Renderer r;
    std::vector<uint8_t> back, fb;
    std::unique_ptr<Cell[]> cells;
    Terminal t;
    uint32_t bytes;

    Screen(const PixelFormat& format, const celos_font_ops* f, uint32_t w, uint32_t h, uint32_t margin,
           CursorShape cursor = CursorShape::Block, uint32_t border = 0x203040, size_t back_bytes = 0)
        : font(f) {
        bytes = pixel_format_bytes(format);
        cfg = RenderConfig{w, h, w * bytes + 12, format, margin, border, cursor};
        back.resize(back_bytes ? back_bytes : Renderer::back_buffer_size(cfg));
        REQUIRE(r.init(cfg, f, back.data(), back.size()) == nullptr);
        cells.reset(new Cell[size_t(r.cols()) * r.rows()]);
        REQUIRE(t.init(cells.get(), r.cols(), r.rows(), terminal_default_config()));
        fb.assign(size_t(cfg.pitch) * h, kPoison);
        r.redraw(t);
        r.present(fb.data());
    }
    Screen& operator<<(const std::string& s) {
        t.write(reinterpret_cast<const uint8_t*>(s.data()), s.size());
        return *this;
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
    uint32_t cell_x(uint32_t col) const { return cfg.margin + col * font->cell_width; }
    uint32_t cell_y(uint32_t row) const { return cfg.margin + row * font->cell_height; }
    // What a fresh renderer draws for the same terminal state, every cell
    // drawn afresh (no cell cache: a back buffer of just the frame).
    std::vector<uint8_t> full_redraw() {
        Renderer r2;
        std::vector<uint8_t> back2(Renderer::frame_size(cfg)), fb2(fb.size(), kPoison);
        REQUIRE(r2.init(cfg, font, back2.data(), back2.size()) == nullptr);
        REQUIRE(r2.cache_entries() == 0);
        r2.redraw(t);
        r2.present(fb2.data());
        return fb2;
    }
};

} // namespace

TEST_CASE("render: pixel formats accepted and refused", "[render]") {
    for (auto& fc : kFormats) {
        INFO(fc.name);
        CHECK(pixel_format_check(fc.format) == nullptr);
        for (uint32_t c : {0x000000u, 0xffffffu, 0x123456u, 0xaa5500u, 0x0789abu, 0xfedcbau})
            CHECK(pixel_pack(fc.format, c) == fc.expect(c));
    }
    auto refused = [](PixelFormat f, const char* what) {
        const char* e = pixel_format_check(f);
        REQUIRE(e != nullptr);
        CHECK_THAT(std::string(e), Catch::Contains(what));
    };
    refused({8, 5, 3, 2, 3, 0, 2}, "bpp");
    refused({4, 0, 1, 1, 1, 2, 1}, "bpp");
    refused({0, 0, 0, 0, 0, 0, 0}, "bpp");
    refused({48, 32, 16, 16, 16, 0, 16}, "bpp");
    refused({32, 16, 8, 12, 8, 0, 8}, "overlap");
    refused({16, 11, 5, 5, 6, 0, 0}, "size");
    refused({32, 16, 9, 8, 8, 0, 8}, "size");
    refused({15, 11, 5, 5, 5, 0, 5}, "past bpp");
    refused({24, 24, 8, 8, 8, 0, 8}, "past bpp");

    Renderer r;
    RenderConfig cfg{64, 64, 256, kFormats[0].format, 0, 0, CursorShape::Block};
    std::vector<uint8_t> back(Renderer::back_buffer_size(cfg));
    CHECK(r.init(cfg, terminus16().ops(), back.data(), Renderer::frame_size(cfg) - 1) != nullptr);
    CHECK(r.init(cfg, terminus16().ops(), back.data(), Renderer::frame_size(cfg)) == nullptr); // no cell cache
    CHECK(r.cache_entries() == 0);
    CHECK(r.init(cfg, terminus16().ops(), back.data(), back.size()) == nullptr);
    CHECK(r.cache_entries() >= 16);
    CHECK(r.init(cfg, nullptr, back.data(), back.size()) != nullptr);
    cfg.margin = 30;
    CHECK(r.init(cfg, terminus16().ops(), back.data(), back.size()) != nullptr);
    cfg.margin = 0;
    cfg.pitch = 100;
    CHECK(r.init(cfg, terminus16().ops(), back.data(), back.size()) != nullptr);
    cfg.pitch = 256;
    cfg.format.bpp = 8;
    CHECK_THAT(std::string(r.init(cfg, terminus16().ops(), back.data(), back.size())),
               Catch::Contains("unsupported pixel format"));
}

TEST_CASE("render: glyph placement, colours and margins in every format", "[render]") {
    auto& font = terminus16();
    REQUIRE(font.ops()->cell_width == 8);
    REQUIRE(font.ops()->cell_height == 16);
    for (auto& fc : kFormats) {
        INFO(fc.name);
        // 100x90 with a 5-pixel margin: 11 columns, 5 rows, 2 and 0 spare pixels.
        Screen s(fc.format, font.ops(), 100, 90, 5);
        REQUIRE(s.r.cols() == 11);
        REQUIRE(s.r.rows() == 5);
        auto cfg = s.t.config();
        s << "\x1B[3;5HA\x1B[38;2;18;52;86;48;5;196mW\x1B[0m\x1B[?25l";
        s.frame();
        uint32_t fg = fc.expect(cfg.default_fg), bg = fc.expect(cfg.default_bg);
        for (uint32_t y = 0; y < 16; ++y)
            for (uint32_t x = 0; x < 8; ++x) {
                INFO("A at " << x << "," << y);
                REQUIRE(s.px(s.cell_x(4) + x, s.cell_y(2) + y) == (font.pixel('A', x, y) ? fg : bg));
                REQUIRE(s.px(s.cell_x(5) + x, s.cell_y(2) + y) ==
                        (font.pixel('W', x, y) ? fc.expect(0x123456) : fc.expect(0xff0000)));
            }
        CHECK(s.cell_x(4) == 37);
        CHECK(s.cell_y(2) == 37);
        // The border and the spare pixels past the grid.
        uint32_t border = fc.expect(0x203040);
        for (uint32_t y = 0; y < 90; ++y)
            for (uint32_t x = 0; x < 100; ++x) {
                bool text = x >= 5 && x < 5 + 88 && y >= 5 && y < 5 + 80;
                if (!text) REQUIRE(s.px(x, y) == border);
            }
        // Row padding past the width is never written.
        for (uint32_t y = 0; y < 90; ++y)
            for (uint32_t i = 100 * s.bytes; i < s.cfg.pitch; ++i)
                REQUIRE(s.fb[size_t(y) * s.cfg.pitch + i] == kPoison);
    }
}

TEST_CASE("render: scale 2 doubles every glyph pixel", "[render]") {
    PsfFont font("Lat15-Terminus16.psf", 2);
    Screen s(kFormats[0].format, font.ops(), 64, 64, 0);
    s << "\x1B[?25lg";
    s.frame();
    uint32_t fg = terminal_default_config().default_fg & 0xFFFFFF;
    for (uint32_t y = 0; y < 32; ++y)
        for (uint32_t x = 0; x < 16; ++x)
            REQUIRE((s.px(x, y) == fg) == terminus16().pixel('g', x / 2, y / 2));
}

TEST_CASE("render: underline, reverse, bold and the fallback glyph", "[render]") {
    auto& font = terminus16();
    const auto& fc = kFormats[5]; // 565
    Screen s(fc.format, font.ops(), 80, 40, 0);
    auto cfg = s.t.config();
    // U+0E01 (Thai, one cell wide): not in the font, so the fallback glyph.
    s << "\x1B[?25l\x1B[4m_\x1B[24;7mA\x1B[27;1;32mB\x1B[0m\xE0\xB8\x81";
    s.frame();
    uint32_t ul = font.ops()->underline_row;
    for (uint32_t y = 0; y < 16; ++y)
        for (uint32_t x = 0; x < 8; ++x) {
            bool under = y >= ul && y < ul + font.ops()->underline_thickness;
            bool on0 = under || font.pixel('_', x, y);
            REQUIRE(s.px(x, y) == fc.expect(on0 ? cfg.default_fg : cfg.default_bg));
            REQUIRE(s.px(8 + x, y) == fc.expect(font.pixel('A', x, y) ? cfg.default_bg : cfg.default_fg));
            // Bold: bright, and emboldened (Terminus has no bold face here).
            bool bold = font.pixel('B', x, y) || (x > 0 && font.pixel('B', x - 1, y));
            REQUIRE(s.px(16 + x, y) == fc.expect(bold ? cfg.palette[10] : cfg.default_bg));
            REQUIRE(s.px(24 + x, y) == fc.expect(font.pixel(0xFFFD, x, y) ? cfg.default_fg : cfg.default_bg));
        }
}

TEST_CASE("render: the cursor is drawn inverted and follows moves", "[render]") {
    auto& font = terminus16();
    for (auto& fc : kFormats) {
        INFO(fc.name);
        for (CursorShape shape : {CursorShape::Block, CursorShape::Underline}) {
            Screen s(fc.format, font.ops(), 40, 40, 2, shape);
            auto cfg = s.t.config();
            uint32_t inv = fc.expect(0xFFFFFF);
            s << "\x1B[2;3H";
            s.frame();
            uint32_t ul = font.ops()->underline_row, th = font.ops()->underline_thickness;
            for (uint32_t y = 0; y < 16; ++y)
                for (uint32_t x = 0; x < 8; ++x) {
                    bool in = shape == CursorShape::Block || (y >= ul && y < ul + th);
                    REQUIRE(s.px(s.cell_x(2) + x, s.cell_y(1) + y) ==
                            (fc.expect(cfg.default_bg) ^ (in ? inv : 0)));
                    REQUIRE(s.px(s.cell_x(0) + x, s.cell_y(0) + y) == fc.expect(cfg.default_bg));
                }
            s << "x\x1B[?25l";
            s.frame();
            CHECK(s.fb == s.full_redraw());
            for (uint32_t y = 0; y < 16; ++y)
                for (uint32_t x = 0; x < 8; ++x)
                    REQUIRE(s.px(s.cell_x(3) + x, s.cell_y(1) + y) == fc.expect(cfg.default_bg));
            s << "\x1B[?25h";
            s.frame();
            CHECK(s.fb == s.full_redraw());
        }
    }
}

TEST_CASE("render: present writes only the changed rows", "[render]") {
    auto& font = terminus16();
    for (auto& fc : kFormats) {
        INFO(fc.name);
        Screen s(fc.format, font.ops(), 64, 100, 3);
        s << "\x1B[?25l";
        s.frame();
        std::fill(s.fb.begin(), s.fb.end(), kPoison);
        s << "\x1B[4;2Hxy";
        s.frame();
        auto full = s.full_redraw();
        for (uint32_t y = 0; y < 100; ++y) {
            bool written = y >= s.cell_y(3) && y < s.cell_y(4);
            for (uint32_t i = 0; i < s.cfg.pitch; ++i) {
                size_t at = size_t(y) * s.cfg.pitch + i;
                if (written && i < 64 * s.bytes)
                    REQUIRE(s.fb[at] == full[at]);
                else
                    REQUIRE(s.fb[at] == kPoison);
            }
        }
        // A cursor move writes the rows of the old and the new position.
        std::fill(s.fb.begin(), s.fb.end(), kPoison);
        s << "\x1B[?25h";
        s.frame();
        s << "\x1B[1;1H";
        std::fill(s.fb.begin(), s.fb.end(), kPoison);
        s.frame();
        for (uint32_t y = 0; y < 100; ++y) {
            bool written = (y >= s.cell_y(3) && y < s.cell_y(4)) || (y >= s.cell_y(0) && y < s.cell_y(1));
            CHECK((s.fb[size_t(y) * s.cfg.pitch] != kPoison ||
                   s.fb[size_t(y) * s.cfg.pitch + 1] != kPoison) == written);
        }
    }
}

TEST_CASE("render: scrolling renumbers the slots and equals a full redraw", "[render]") {
    auto& font = terminus16();
    for (auto& fc : kFormats) {
        INFO(fc.name);
        Screen s(fc.format, font.ops(), 80, 100, 2); // 9 x 6 cells
        for (int i = 0; i < 6; ++i)
            s << "\x1B[3" + std::to_string(i + 1) + "mline" + std::to_string(i) + "\r\n";
        s << "\x1B[0mlast";
        s.frame();
        CHECK(s.fb == s.full_redraw());
        std::vector<uint8_t> before = s.back;
        uint32_t slots_before[6];
        for (uint32_t row = 0; row < 6; ++row)
            slots_before[row] = s.r.slot_of(row);
        s << "\r\n\r\nmore";
        REQUIRE(s.t.scroll_hint_lines() == 2);
        s.frame();
        // Screen rows 0-2 are the old rows 2-4: their slots were renumbered,
        // not a pixel of them moved or drawn again.
        uint32_t pitch = s.r.back_pitch();
        for (uint32_t row = 0; row < 3; ++row) {
            REQUIRE(s.r.slot_of(row) == slots_before[row + 2]);
            size_t at = size_t(s.r.slot_top(s.r.slot_of(row))) * pitch;
            CHECK(std::memcmp(s.back.data() + at, before.data() + at, size_t(16) * pitch) == 0);
        }
        CHECK(s.fb == s.full_redraw());

        // A scroll region: rows outside it stay as they were.
        s << "\x1B[?25l\x1B[2;4r\x1B[4;1H\n\nX\x1B[1;1H\x1BM\x1BMY";
        std::fill(s.fb.begin(), s.fb.end(), kPoison);
        s.r.redraw(s.t);
        s.r.present(s.fb.data());
        s << "\x1B[4;1H\nZ";
        std::vector<uint8_t> prev = s.fb;
        s.frame();
        CHECK(s.fb == s.full_redraw());
        size_t pitch_fb = s.cfg.pitch;
        for (uint32_t y = s.cell_y(4); y < 100; ++y)
            REQUIRE(std::memcmp(s.fb.data() + y * pitch_fb, prev.data() + y * pitch_fb, pitch_fb) == 0);
        for (uint32_t y = 0; y < s.cell_y(1); ++y)
            REQUIRE(std::memcmp(s.fb.data() + y * pitch_fb, prev.data() + y * pitch_fb, pitch_fb) == 0);
        s << "\x1B[L\x1B[2M\x1B[S\x1B[T\x1B[2J";
        s.frame();
        CHECK(s.fb == s.full_redraw());
        // Erase: the whole text area is background.
        auto cfg = s.t.config();
        s << "\x1B[?25l";
        s.frame();
        for (uint32_t y = s.cell_y(0); y < s.cell_y(6); ++y)
            for (uint32_t x = s.cell_x(0); x < s.cell_x(9); ++x)
                REQUIRE(s.px(x, y) == fc.expect(cfg.default_bg));
    }
}

namespace {

// An antialiased test font: a 12x20 bitmap at (-2, -2) from the cell's
// corner (clipped by the renderer), coverage 0 / 128 / 255 by column.
struct SmoothFont {
    uint8_t bitmap[20 * 12];
    celos_font_ops ops{};
    SmoothFont() {
        for (int y = 0; y < 20; ++y)
            for (int x = 0; x < 12; ++x)
                bitmap[y * 12 + x] = uint8_t(x % 3 == 0 ? 0 : x % 3 == 1 ? 128 : 255);
        ops.size = sizeof ops;
        ops.cell_width = 8;
        ops.cell_height = 16;
        ops.baseline = 12;
        ops.underline_row = 14;
        ops.underline_thickness = 1;
        ops.name = "smooth";
        ops.context = this;
        ops.glyph = [](const celos_font_ops* f, uint32_t cp, celos_glyph* g) {
            if (cp != 'a') return CELOS_FONT_NO_GLYPH;
            f->fallback(f, g);
            return 0;
        };
        ops.fallback = [](const celos_font_ops* f, celos_glyph* g) {
            auto* self = static_cast<SmoothFont*>(f->context);
            *g = celos_glyph{self->bitmap, 12, 12, 20, -2, int32_t(f->baseline) + 2, 0};
        };
    }
};

} // namespace

namespace {

// The sRGB transfer function of IEC 61966-2-1 in double precision: the
// oracle for gamma.h's compile-time tables.
double srgb_decode(double v) { return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); }
double srgb_encode(double l) { return l <= 0.0031308 ? l * 12.92 : 1.055 * std::pow(l, 1 / 2.4) - 0.055; }

// bg and fg mixed in linear light by a / 255, per 8-bit channel, in double.
uint32_t linear_blend(uint32_t bg, uint32_t fg, uint32_t a) {
    uint32_t out = 0;
    for (int sh = 0; sh < 24; sh += 8) {
        double lb = srgb_decode(((bg >> sh) & 0xFF) / 255.0), lf = srgb_decode(((fg >> sh) & 0xFF) / 255.0);
        double mixed = lb + (lf - lb) * (a / 255.0);
        out |= uint32_t(std::lround(srgb_encode(mixed) * 255)) << sh;
    }
    return out;
}

bool channels_within(uint32_t got, uint32_t want, int tolerance) {
    for (int sh = 0; sh < 24; sh += 8)
        if (std::abs(int((got >> sh) & 0xFF) - int((want >> sh) & 0xFF)) > tolerance) return false;
    return true;
}

} // namespace

TEST_CASE("gamma: the compile-time sRGB tables equal the transfer function computed with pow()", "[render]") {
    namespace g = celos::fbcon::gamma;
    for (uint32_t i = 0; i < 256; ++i)
        REQUIRE(g::kSrgbToLinear[i] == uint16_t(std::lround(srgb_decode(i / 255.0) * 65535)));
    for (uint32_t i = 0; i < 4096; ++i)
        REQUIRE(g::kLinearToSrgb[i] == uint8_t(std::lround(srgb_encode(i / 4095.0) * 255)));
}

TEST_CASE("gamma: blending is in linear light, exact at the ends, within one step of double precision",
          "[render]") {
    namespace g = celos::fbcon::gamma;
    // Half coverage of white on black is half the light: sRGB 188, not 128;
    // and black on white the same, so text weight does not depend on polarity.
    CHECK(g::blend_rgb(0x000000, 0xffffff, 128) == 0xbcbcbc);
    CHECK(g::blend_rgb(0xffffff, 0x000000, 127) == 0xbcbcbc);
    uint32_t rng = 12345;
    auto next = [&] { return rng = rng * 1103515245u + 12345u, (rng >> 8) & 0xFFFFFF; };
    for (int i = 0; i < 20000; ++i) {
        uint32_t bg = next(), fg = next(), a = next() & 0xFF;
        uint32_t got = g::blend_rgb(bg, fg, a);
        if (a == 0) REQUIRE(got == bg);
        if (a == 255) REQUIRE(got == fg);
        INFO("bg " << std::hex << bg << " fg " << fg << " a " << std::dec << a);
        REQUIRE(channels_within(got, linear_blend(bg, fg, a), 1));
    }
}

TEST_CASE("render: coverage is blended in linear light and clipped to the cell", "[render]") {
    SmoothFont font;
    const auto& fc = kFormats[0];
    Screen s(fc.format, &font.ops, 48, 48, 0);
    s << "\x1B[?25l\x1B[2;2H\x1B[38;2;200;100;0;48;2;0;50;250ma";
    s.frame();
    for (uint32_t y = 0; y < 16; ++y)
        for (uint32_t x = 0; x < 8; ++x) {
            uint32_t a = font.bitmap[(y + 2) * 12 + x + 2];
            uint32_t want = a == 0 ? 0x0032fa : a == 255 ? 0xc86400 : linear_blend(0x0032fa, 0xc86400, a);
            INFO("pixel " << x << "," << y << " coverage " << a);
            REQUIRE(channels_within(s.px(8 + x, 16 + y), want, 1));
            if (a == 0 || a == 255) REQUIRE(s.px(8 + x, 16 + y) == want);
        }
    // Neighbouring cells untouched by the 12x20 bitmap.
    auto cfg = s.t.config();
    for (uint32_t y = 0; y < 48; ++y)
        for (uint32_t x = 0; x < 48; ++x)
            if (x < 8 || x >= 16 || y < 16 || y >= 32) REQUIRE(s.px(x, y) == (cfg.default_bg & 0xFFFFFF));
}

TEST_CASE("render: random input, presented incrementally, equals a full redraw", "[render][fuzz]") {
    static const char* fragments[] = {"\x1B[",
                                      ";",
                                      "1",
                                      "2",
                                      "5",
                                      "12",
                                      "m",
                                      "H",
                                      "J",
                                      "K",
                                      "L",
                                      "M",
                                      "@",
                                      "P",
                                      "X",
                                      "r",
                                      "S",
                                      "T",
                                      "A",
                                      "B",
                                      "C",
                                      "D",
                                      "\n",
                                      "\r\n",
                                      "\t",
                                      "\b",
                                      "\x1BM",
                                      "\x1B"
                                      "7",
                                      "\x1B"
                                      "8",
                                      "?25l",
                                      "?25h",
                                      "38;5;",
                                      "48;2;9;",
                                      "4",
                                      "7",
                                      "hello world ",
                                      "\xC3\xA9",
                                      "\xE2\x94\x80",
                                      "\xFF",
                                      "\x1B"
                                      "c"};
    auto& font = terminus16();
    // A border unlike the default background (every cell is ink), and the
    // console's case, a border of the default background (blank cells are
    // plain: present copies only the ink).
    for (uint32_t border : {0x203040u, terminal_default_config().default_bg})
    for (size_t fi : {size_t(0), size_t(3), size_t(6)}) {
        const auto& fc = kFormats[fi];
        INFO(fc.name << ", border " << border);
        std::mt19937 rng(777 + uint32_t(fi) + border);
        Screen s(fc.format, font.ops(), 100, 120, 3, CursorShape::Block, border);
        for (int round = 0; round < 300; ++round) {
            std::string chunk;
            size_t n = rng() % 40;
            for (size_t i = 0; i < n; ++i) {
                if (rng() % 8)
                    chunk += fragments[rng() % (sizeof fragments / sizeof *fragments)];
                else
                    chunk += char(rng() & 0xFF);
            }
            s << chunk;
            if (rng() % 3) s.r.render(s.t);
            if (rng() % 2) s.r.present(s.fb.data());
            if (round % 25 == 24) {
                s.frame();
                INFO("round " << round);
                REQUIRE(s.fb == s.full_redraw());
            }
        }
    }
}

TEST_CASE("render: a small cell cache, full of collisions, draws what drawing afresh draws", "[render]") {
    auto& font = terminus16();
    const auto& fc = kFormats[0];
    RenderConfig probe{160, 96, 160 * 4 + 12, fc.format, 4, 0x000000, CursorShape::Block};
    // Room for a plain row and 16 entries of 8x16x4 pixels.
    size_t entry = (sizeof(Cell) + 4 + 8 * 16 * 4 + 15) / 16 * 16;
    size_t bytes = Renderer::frame_size(probe) + (size_t(probe.width) * 4 + 15) / 16 * 16 + 16 * entry;
    Screen s(fc.format, font.ops(), 160, 96, 4, CursorShape::Block, 0x000000, bytes);
    REQUIRE(s.r.cache_entries() == 16);
    std::mt19937 rng(99);
    for (int round = 0; round < 200; ++round) {
        std::string text;
        for (int i = 0; i < 30; ++i) {
            if (rng() % 5 == 0) text += "\x1B[" + std::to_string(30 + rng() % 8) + ";" + std::to_string(40 + rng() % 8) + "m";
            if (rng() % 9 == 0) text += "\x1B[4m";
            if (rng() % 9 == 0) text += "\x1B[0m";
            text += char('!' + rng() % 90);
            if (rng() % 7 == 0) text += "   ";
        }
        s << text << "\r\n";
        s.frame();
        if (round % 20 == 19) {
            INFO("round " << round);
            REQUIRE(s.fb == s.full_redraw());
        }
    }
    CHECK(s.r.cache_hits() > 0);
    CHECK(s.r.cache_misses() > 100); // 16 entries for hundreds of distinct cells: they collide
}

TEST_CASE("render: present copies only the ink of the old and the new text", "[render]") {
    auto& font = terminus16();
    const auto& fc = kFormats[0];
    uint32_t bg = terminal_default_config().default_bg;
    // 200x120, margin 4: 24 columns, 7 rows; the border is the background.
    Screen s(fc.format, font.ops(), 200, 120, 4, CursorShape::Block, bg);
    s << "\x1B[?25l";
    for (int i = 0; i < 7; ++i)
        s << "\r\nfull line of text number " + std::to_string(i);
    s.frame();
    CHECK(s.fb == s.full_redraw());
    // A short line scrolls in: every row changes, but each row copies only
    // where its old or new text has ink.
    uint64_t before = s.r.pixels_written();
    s << "\r\nab";
    s.frame();
    CHECK(s.fb == s.full_redraw());
    uint64_t written = s.r.pixels_written() - before;
    uint64_t text_area = uint64_t(s.r.cols()) * 8 * s.r.rows() * 16;
    CHECK(written < text_area);
    CHECK(written > 0);
    // Blank rows scrolling over blank rows cost nothing.
    s << "\x1B[2J";
    s.frame();
    before = s.r.pixels_written();
    s << "\x1B[7;1H\n\n\n";
    s.frame();
    CHECK(s.r.pixels_written() == before);
    CHECK(s.fb == s.full_redraw());
    // Nothing pending after a present; a write makes the renderer pending
    // once rendered.
    CHECK_FALSE(s.r.present_pending());
    s << "x";
    s.r.render(s.t);
    CHECK(s.r.present_pending());
}

TEST_CASE("render: the cursor's pixels are restored when it leaves a plain row", "[render]") {
    auto& font = terminus16();
    const auto& fc = kFormats[0];
    uint32_t bg = terminal_default_config().default_bg;
    Screen s(fc.format, font.ops(), 100, 80, 2, CursorShape::Block, bg);
    s << "\x1B[3;5H";
    s.frame();
    CHECK(s.fb == s.full_redraw());
    s << "\x1B[1;1H";
    s.frame();
    CHECK(s.fb == s.full_redraw());
    s << "\n\n\n\n\n\n"; // scrolls with the cursor at the bottom
    s.frame();
    CHECK(s.fb == s.full_redraw());
}

// A display that pans (bochs: a virtual height twice the screen): what the
// scan-out window shows equals a full redraw, whatever the input, and a
// scroll of the whole screen writes only the new rows (and, once per pass
// over the virtual height, the whole screen).
TEST_CASE("render: panning over a virtual height shows what a full redraw draws", "[render]") {
    auto& font = terminus16();
    static const char* fragments[] = {"line of text\n", "\n", "\n\n\n", "short\r\n", "\x1B[2;5r", "\x1B[r",
                                      "\x1B[5;1H", "\x1B[99;1H", "\x1BM", "\x1B[2J", "\x1B[7mrev\x1B[0m",
                                      "\x1B[?25l", "\x1B[?25h", "wide wide wide wide wide wide wide wide\n"};
    for (uint32_t border : {0x203040u, terminal_default_config().default_bg}) {
        INFO("border " << border);
        std::mt19937 rng(4242 + border);
        const uint32_t w = 160, h = 100, margin = 5;
        Screen s(kFormats[0].format, font.ops(), w, h, margin, CursorShape::Underline, border);
        // The same terminal, drawn by a panning renderer into a taller framebuffer.
        RenderConfig pan_cfg = s.cfg;
        pan_cfg.virtual_height = 2 * h;
        Renderer pan;
        std::vector<uint8_t> back(Renderer::back_buffer_size(pan_cfg)), fb(size_t(pan_cfg.pitch) * 2 * h, kPoison);
        REQUIRE(pan.init(pan_cfg, font.ops(), back.data(), back.size()) == nullptr);
        pan.redraw(s.t);
        pan.present(fb.data());
        bool moved = false;
        for (int round = 0; round < 400; ++round) {
            std::string chunk;
            for (size_t i = rng() % 4; i > 0; --i) chunk += fragments[rng() % (sizeof fragments / sizeof *fragments)];
            s << chunk;
            pan.render(s.t);
            pan.present(fb.data());
            REQUIRE(pan.scan_y() + h <= 2 * h);
            if (pan.scan_y()) moved = true;
            if (round % 10 == 9) {
                INFO("round " << round << ", scan_y " << pan.scan_y());
                std::vector<uint8_t> want = s.full_redraw();
                std::vector<uint8_t> shown(fb.begin() + ptrdiff_t(pan.scan_y()) * pan_cfg.pitch,
                                           fb.begin() + ptrdiff_t(pan.scan_y() + h) * pan_cfg.pitch);
                REQUIRE(shown == want);
            }
        }
        CHECK(moved);
    }
}

TEST_CASE("render: a full-screen scroll on a panning display writes about one row", "[render]") {
    auto& font = terminus16();
    const uint32_t w = 640, h = 480;
    RenderConfig cfg{w, h, w * 4, kFormats[0].format, 8, terminal_default_config().default_bg, CursorShape::Underline,
                     2 * h};
    Renderer r;
    std::vector<uint8_t> back(Renderer::back_buffer_size(cfg)), fb(size_t(cfg.pitch) * 2 * h, 0);
    REQUIRE(r.init(cfg, font.ops(), back.data(), back.size()) == nullptr);
    std::unique_ptr<Cell[]> cells(new Cell[size_t(r.cols()) * r.rows()]);
    Terminal t;
    REQUIRE(t.init(cells.get(), r.cols(), r.rows(), terminal_default_config()));
    r.redraw(t);
    r.present(fb.data());
    std::string line(r.cols() - 1, 'x');
    line += "\r\n";
    for (uint32_t i = 0; i < r.rows(); ++i) t.write(reinterpret_cast<const uint8_t*>(line.data()), line.size());
    r.render(t);
    r.present(fb.data());
    uint64_t before = r.pixels_written();
    const int scrolls = 300;
    for (int i = 0; i < scrolls; ++i) {
        t.write(reinterpret_cast<const uint8_t*>(line.data()), line.size());
        uint64_t b0 = r.pixels_written();
        r.render(t);
        r.present(fb.data());
        // At most two rows of pixels, or, back at the top, the frame.
        REQUIRE(r.pixels_written() - b0 <= (r.scan_y() == 0 ? uint64_t(w) * h + w * 32 : uint64_t(w) * 32));
    }
    double frames = double(r.pixels_written() - before) / scrolls / (double(w) * h);
    INFO("frame copies per scroll: " << frames);
    // A text row is 16/480 of the frame: the new row, the old ink under it,
    // and a whole frame once per 29 scrolls (480 rows of panning).
    CHECK(frames < 0.075);
}
