// The console's fallback chain (modules/fbcon/font_chain.h, <celos/font.h>):
// links by font.fallback.N in slot order, a withdrawn font (no glyph) never
// used, a link leaving at run time, and the renderer asking the primary
// font, then each link in order, then the primary's fallback().
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "font_chain.h"
#include "render.h"

using namespace celos::fbcon;

namespace {

// A font that has the code points [first, last] and draws each as a 1x1
// bitmap whose coverage byte says which font it came from.
struct FakeFont {
    celos_font_ops ops{};
    uint32_t first, last;
    uint8_t mark;
    uint8_t notdef_mark;

    FakeFont(const char* name, uint32_t first_cp, uint32_t last_cp, uint8_t m)
        : first(first_cp), last(last_cp), mark(m), notdef_mark(uint8_t(m + 100)) {
        ops.size = sizeof ops;
        ops.cell_width = 8;
        ops.cell_height = 16;
        ops.baseline = 12;
        ops.underline_row = 14;
        ops.underline_thickness = 1;
        ops.name = name;
        ops.context = this;
        ops.glyph = glyph;
        ops.fallback = fallback;
    }
    static int glyph(const celos_font_ops* ops, uint32_t cp, celos_glyph* out) {
        auto* f = static_cast<const FakeFont*>(ops->context);
        if (cp < f->first || cp > f->last) return CELOS_FONT_NO_GLYPH;
        *out = celos_glyph{&f->mark, 1, 1, 1, 0, 1, 0};
        return 0;
    }
    static void fallback(const celos_font_ops* ops, celos_glyph* out) {
        auto* f = static_cast<const FakeFont*>(ops->context);
        *out = celos_glyph{&f->notdef_mark, 1, 1, 1, 0, 1, 0};
    }
};

struct TestRenderer {
    std::vector<uint8_t> back;
    Renderer renderer;
    explicit TestRenderer(const celos_font_ops* font) {
        RenderConfig config{64, 32, 64 * 4, PixelFormat{32, 16, 8, 8, 8, 0, 8}, 0, 0, CursorShape::Block};
        back.resize(Renderer::back_buffer_size(config));
        REQUIRE(renderer.init(config, font, back.data(), back.size()) == nullptr);
    }
    uint8_t from(uint32_t cp) {
        celos_glyph g{};
        uint32_t synth = 0;
        renderer.lookup(cp, 0, g, synth);
        return g.coverage[0];
    }
    void use(const FontChain& chain) {
        const celos_font_ops* fonts[FontChain::kSlots];
        uint32_t n = chain.fonts(fonts);
        renderer.set_fallbacks(fonts, n);
    }
};

} // namespace

TEST_CASE("font chain: links in slot order, holes and withdrawn fonts skipped", "[unit][fbcon]") {
    FakeFont primary("psf:primary", 0x20, 0x7e, 1), greek("truetype:greek@16", 0x370, 0x3ff, 2),
        wide("truetype:wide@16", 0x300, 0x9fff, 3);
    FontChain chain;
    const celos_font_ops* out[FontChain::kSlots];
    CHECK(chain.fonts(out) == 0);
    // Registered as font.fallback.3 and font.fallback.1: slot 1 first.
    chain.set(3, &wide.ops, 7);
    chain.set(1, &greek.ops, 5);
    REQUIRE(chain.fonts(out) == 2);
    CHECK(out[0] == &greek.ops);
    CHECK(out[1] == &wide.ops);
    char text[96];
    chain.describe(&primary.ops, text, sizeof text);
    CHECK(std::string(text) == "psf:primary, truetype:greek@16, truetype:wide@16");
    // Cut, still terminated.
    char shortbuf[8];
    chain.describe(&primary.ops, shortbuf, sizeof shortbuf);
    CHECK(std::string(shortbuf) == "psf:pri");

    // A withdrawn font (no glyph) is not used, though held.
    celos_font_ops withdrawn = greek.ops;
    withdrawn.glyph = nullptr;
    CHECK_FALSE(FontChain::usable(&withdrawn));
    chain.replace(1, &withdrawn);
    REQUIRE(chain.fonts(out) == 1);
    CHECK(out[0] == &wide.ops);
    CHECK(chain.held(1));
    // Its hold comes back to be released, once.
    CHECK(chain.drop(1) == 5);
    CHECK(chain.drop(1) == 0);
    CHECK_FALSE(chain.held(1));
    // Out-of-range slots are ignored.
    chain.set(9, &greek.ops, 3);
    CHECK(chain.at(9) == nullptr);
    CHECK(chain.fonts(out) == 1);
}

TEST_CASE("font chain: the renderer asks the primary, then each link in order, then the primary's fallback",
          "[unit][fbcon]") {
    FakeFont primary("psf:primary", 0x20, 0x7e, 1), greek("truetype:greek@16", 0x370, 0x3ff, 2),
        wide("truetype:wide@16", 0x300, 0x9fff, 3);
    TestRenderer r(&primary.ops);
    FontChain chain;
    chain.set(0, &greek.ops, 1);
    chain.set(1, &wide.ops, 2);
    r.use(chain);
    CHECK(r.renderer.fallback_count() == 2);
    CHECK(r.from('A') == 1);      // the primary has it
    CHECK(r.from(0x3b1) == 2);    // α: greek (slot 0) before wide
    CHECK(r.from(0x4e2d) == 3);   // 中: only wide
    CHECK(r.from(0xac00) == 101); // nobody: the primary's fallback glyph

    // The greek font leaves at run time (withdrawn, then dropped): α comes
    // from the next link.
    celos_font_ops withdrawn = greek.ops;
    withdrawn.glyph = nullptr;
    chain.replace(0, &withdrawn);
    r.use(chain);
    CHECK(r.renderer.fallback_count() == 1);
    CHECK(r.from(0x3b1) == 3);
    chain.drop(0);
    chain.drop(1);
    r.use(chain);
    CHECK(r.renderer.fallback_count() == 0);
    CHECK(r.from(0x4e2d) == 101);

    // A font switch keeps the chain (Renderer::init keeps it).
    chain.set(2, &wide.ops, 4);
    r.use(chain);
    FakeFont other("psf:other", 0x20, 0x7e, 4);
    RenderConfig config = r.renderer.config();
    REQUIRE(r.renderer.init(config, &other.ops, r.back.data(), r.back.size()) == nullptr);
    CHECK(r.from('A') == 4);
    CHECK(r.from(0x4e2d) == 3);
}
