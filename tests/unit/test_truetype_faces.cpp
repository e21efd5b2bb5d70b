// The TrueType provider's faces (issue 17): bold and italic faces served by
// styled_glyph (CELOS_FONT_NO_STYLE without one), a face whose cell does not
// fit refused naming the file and the check, and fallback faces fitted to
// another font's cell (GNU Unifont behind DejaVu Sans Mono and behind a
// PSF cell), whose glyph lookups after open never reach the heap.
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "host_heap.h"
#include "tt_font.h"

using namespace celos;

namespace {

std::vector<uint8_t> read_font(const char* path) {
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), {}};
}

// A font that stays open for a test, with its file's bytes.
struct Open {
    std::vector<uint8_t> data;
    truetype::Font font;
    explicit Open(const truetype::CacheLimits& limits = {}) : font(limits) {}
    const char* open(const char* path, const char* name, uint32_t size) {
        data = read_font(path);
        REQUIRE(!data.empty());
        return font.open(data.data(), data.size(), name, size, truetype::Hinting::light);
    }
    const char* open_fallback(const char* path, const char* name, const celos_font_ops& cell, uint32_t size) {
        data = read_font(path);
        REQUIRE(!data.empty());
        return font.open_fallback(data.data(), data.size(), name, cell, size, truetype::Hinting::light);
    }
};

std::vector<uint8_t> bitmap(const celos_glyph& g) {
    std::vector<uint8_t> out;
    for (uint32_t r = 0; r < g.height; ++r)
        out.insert(out.end(), g.coverage + size_t(r) * g.pitch, g.coverage + size_t(r) * g.pitch + g.width);
    return out;
}

bool has_ink(const celos_glyph& g) {
    for (uint8_t v : bitmap(g))
        if (v) return true;
    return false;
}

// A cell as a PSF font gives it (Terminus 16: 8x16, baseline 12).
celos_font_ops psf_like_cell() {
    celos_font_ops cell{};
    cell.size = sizeof cell;
    cell.cell_width = 8;
    cell.cell_height = 16;
    cell.baseline = 12;
    cell.underline_row = 14;
    cell.underline_thickness = 1;
    cell.name = "psf:test";
    return cell;
}

} // namespace

TEST_CASE("truetype styled_glyph: bold and italic faces, NO_STYLE without one", "[unit][truetype]") {
    Open regular, bold, italic;
    REQUIRE(regular.open(CELOS_TT_DEJAVU, "DejaVuSansMono.ttf", 16) == nullptr);
    const celos_font_ops* ops = regular.font.ops();
    REQUIRE(ops->size == sizeof(celos_font_ops));
    REQUIRE(ops->styled_glyph != nullptr);
    celos_glyph g{};
    // No faces yet: every style is the console's to synthesize.
    CHECK(ops->styled_glyph(ops, 'A', CELOS_FONT_STYLE_BOLD, &g) == CELOS_FONT_NO_STYLE);
    CHECK(ops->styled_glyph(ops, 'A', CELOS_FONT_STYLE_ITALIC, &g) == CELOS_FONT_NO_STYLE);
    CHECK(ops->styled_glyph(ops, 'A', 0, &g) == 0);

    REQUIRE(bold.open(CELOS_TT_DEJAVU_BOLD, "DejaVuSansMono-Bold.ttf", 16) == nullptr);
    REQUIRE(bold.font.fit_cell(*ops, "bold") == nullptr);
    REQUIRE(italic.open(CELOS_TT_DEJAVU_OBLIQUE, "DejaVuSansMono-Oblique.ttf", 16) == nullptr);
    REQUIRE(italic.font.fit_cell(*ops, "italic") == nullptr);
    regular.font.set_style_face(CELOS_FONT_STYLE_BOLD, &bold.font);
    regular.font.set_style_face(CELOS_FONT_STYLE_ITALIC, &italic.font);

    celos_glyph plain{}, b{}, i{};
    REQUIRE(ops->glyph(ops, 'A', &plain) == 0);
    std::vector<uint8_t> plain_bits = bitmap(plain);
    REQUIRE(ops->styled_glyph(ops, 'A', CELOS_FONT_STYLE_BOLD, &b) == 0);
    std::vector<uint8_t> bold_bits = bitmap(b);
    REQUIRE(ops->styled_glyph(ops, 'A', CELOS_FONT_STYLE_ITALIC, &i) == 0);
    std::vector<uint8_t> italic_bits = bitmap(i);
    // The bold face's glyph, not the regular one: more ink.
    long plain_ink = 0, bold_ink = 0;
    for (uint8_t v : plain_bits)
        plain_ink += v;
    for (uint8_t v : bold_bits)
        bold_ink += v;
    CHECK(bold_ink > plain_ink * 11 / 10);
    CHECK(italic_bits != plain_bits);
    // The bold face's own glyph, byte for byte.
    celos_glyph direct{};
    REQUIRE(bold.font.ops()->glyph(bold.font.ops(), 'A', &direct) == 0);
    CHECK(bitmap(direct) == bold_bits);
    // Bold italic: no face for it.
    CHECK(ops->styled_glyph(ops, 'A', CELOS_FONT_STYLE_BOLD | CELOS_FONT_STYLE_ITALIC, &g) ==
          CELOS_FONT_NO_STYLE);
    // A code point no face has: missing, for the fallback chain.
    CHECK(ops->styled_glyph(ops, 0x4e2d, CELOS_FONT_STYLE_BOLD, &g) == CELOS_FONT_NO_GLYPH);
    // The faces share the regular cell.
    CHECK(bold.font.ops()->cell_width == ops->cell_width);
    CHECK(bold.font.ops()->cell_height == ops->cell_height);
    CHECK(bold.font.ops()->baseline == ops->baseline);
}

TEST_CASE("truetype styled_glyph: a face opened at first use is noted as wanted, then answers", "[unit][truetype]") {
    Open regular, bold;
    REQUIRE(regular.open(CELOS_TT_DEJAVU, "DejaVuSansMono.ttf", 16) == nullptr);
    const celos_font_ops* ops = regular.font.ops();
    REQUIRE(ops->size >= offsetof(celos_font_ops, revision) + sizeof ops->revision);
    uint32_t revision = ops->revision;
    regular.font.set_style_pending(CELOS_FONT_STYLE_BOLD, true);
    celos_glyph g{};
    // Nothing asked yet; a glyph of the regular face wants nothing either.
    CHECK(regular.font.take_wanted_styles() == 0);
    CHECK(ops->styled_glyph(ops, 'A', 0, &g) == 0);
    CHECK(regular.font.take_wanted_styles() == 0);
    // Italic has no face at all: synthesized, and not wanted.
    CHECK(ops->styled_glyph(ops, 'A', CELOS_FONT_STYLE_ITALIC, &g) == CELOS_FONT_NO_STYLE);
    CHECK(regular.font.take_wanted_styles() == 0);
    // Bold is pending: synthesized for now, and wanted (once).
    CHECK(ops->styled_glyph(ops, 'A', CELOS_FONT_STYLE_BOLD, &g) == CELOS_FONT_NO_STYLE);
    CHECK(ops->styled_glyph(ops, 'B', CELOS_FONT_STYLE_BOLD, &g) == CELOS_FONT_NO_STYLE);
    CHECK(regular.font.take_wanted_styles() == (1u << CELOS_FONT_STYLE_BOLD));
    CHECK(regular.font.take_wanted_styles() == 0);
    // Opened (what the module's task does): the face answers, the revision moves.
    REQUIRE(bold.open(CELOS_TT_DEJAVU_BOLD, "DejaVuSansMono-Bold.ttf", 16) == nullptr);
    REQUIRE(bold.font.fit_cell(*ops, "bold") == nullptr);
    regular.font.set_style_face(CELOS_FONT_STYLE_BOLD, &bold.font);
    regular.font.glyphs_changed();
    CHECK(ops->revision == revision + 1);
    REQUIRE(ops->styled_glyph(ops, 'A', CELOS_FONT_STYLE_BOLD, &g) == 0);
    celos_glyph direct{};
    REQUIRE(bold.font.ops()->glyph(bold.font.ops(), 'A', &direct) == 0);
    CHECK(bitmap(direct) == bitmap(g));
    CHECK(regular.font.take_wanted_styles() == 0);
    // A face that could not be opened: no longer pending, nothing wanted.
    regular.font.set_style_pending(CELOS_FONT_STYLE_ITALIC, true);
    CHECK(ops->styled_glyph(ops, 'A', CELOS_FONT_STYLE_ITALIC, &g) == CELOS_FONT_NO_STYLE);
    regular.font.set_style_pending(CELOS_FONT_STYLE_ITALIC, false);
    CHECK(regular.font.take_wanted_styles() == 0);
}

TEST_CASE("truetype sniff_font: fonts pass, anything else is named with its first bytes", "[unit][truetype]") {
    char buf[160];
    for (const char* path : {CELOS_TT_DEJAVU, CELOS_TT_NIMBUS}) {
        std::vector<uint8_t> font = read_font(path);
        REQUIRE(!font.empty());
        CHECK(truetype::sniff_font(font.data(), font.size(), "f", buf, sizeof buf) == nullptr);
    }
    const uint8_t psf1[] = {0x36, 0x04, 0x02, 0x10, 0, 0, 0, 0, 0, 0, 0, 0};
    const char* why = truetype::sniff_font(psf1, sizeof psf1, "Lat15.psf", buf, sizeof buf);
    REQUIRE(why != nullptr);
    CHECK(std::string(why) == "Lat15.psf: not a TrueType or OpenType font (it starts 36 04 02 10)");
    const uint8_t bare_cff[12] = {1, 0, 4, 1};
    CHECK(truetype::sniff_font(bare_cff, sizeof bare_cff, "c", buf, sizeof buf) == nullptr);
    const uint8_t short_sfnt[] = {0, 1, 0, 0}; // a tag and nothing after it
    CHECK(truetype::sniff_font(short_sfnt, sizeof short_sfnt, "s", buf, sizeof buf) != nullptr);
    why = truetype::sniff_font(psf1, 0, "empty.ttf", buf, sizeof buf);
    REQUIRE(why != nullptr);
    CHECK(std::string(why) == "empty.ttf: not a TrueType or OpenType font (it is empty)");
}

TEST_CASE("truetype styled_glyph: a glyph the styled face lacks is the regular one, synthesized",
          "[unit][truetype]") {
    // DejaVu Sans Mono as the regular face, Liberation Mono (fewer glyphs)
    // as its "bold" face: a code point only DejaVu has is NO_STYLE.
    Open regular, other;
    REQUIRE(regular.open(CELOS_TT_DEJAVU, "DejaVuSansMono.ttf", 16) == nullptr);
    REQUIRE(other.open(CELOS_TT_LIBERATION, "LiberationMono-Regular.ttf", 16) == nullptr);
    const char* fit = other.font.fit_cell(*regular.font.ops(), "bold");
    if (fit) {
        // Liberation's cell is not DejaVu's at this size: the check names it.
        CHECK(std::strstr(fit, "LiberationMono-Regular.ttf") != nullptr);
        CHECK(std::strstr(fit, "does not fit") != nullptr);
        return;
    }
    regular.font.set_style_face(CELOS_FONT_STYLE_BOLD, &other.font);
    const celos_font_ops* ops = regular.font.ops();
    uint32_t only_dejavu = 0;
    for (uint32_t cp = 0x2500; cp < 0x2fff && !only_dejavu; ++cp) {
        celos_glyph a{}, b{};
        if (ops->glyph(ops, cp, &a) == 0 && other.font.ops()->glyph(other.font.ops(), cp, &b) != 0)
            only_dejavu = cp;
    }
    REQUIRE(only_dejavu != 0);
    celos_glyph g{};
    CHECK(ops->styled_glyph(ops, only_dejavu, CELOS_FONT_STYLE_BOLD, &g) == CELOS_FONT_NO_STYLE);
}

TEST_CASE("truetype faces: a face whose cell does not fit is refused naming the file and the check",
          "[unit][truetype]") {
    Open regular, big;
    REQUIRE(regular.open(CELOS_TT_DEJAVU, "DejaVuSansMono.ttf", 16) == nullptr);
    REQUIRE(big.open(CELOS_TT_DEJAVU_BOLD, "DejaVuSansMono-Bold.ttf", 24) == nullptr);
    const char* why = big.font.fit_cell(*regular.font.ops(), "bold");
    REQUIRE(why != nullptr);
    CHECK(std::string(why).find("DejaVuSansMono-Bold.ttf: the bold face's cell") == 0);
    CHECK(std::string(why).find("does not fit in the regular face's 10x19") != std::string::npos);

    // A "bold face" that is not a font: FreeType's refusal, naming the file.
    std::vector<uint8_t> junk(4096, 0x5a);
    truetype::Font not_a_font;
    const char* error = not_a_font.open(junk.data(), junk.size(), "bold.ttf", 16, truetype::Hinting::light);
    REQUIRE(error != nullptr);
    CHECK(std::string(error).find("bold.ttf: FreeType cannot open it") == 0);
}

#ifdef CELOS_TT_UNIFONT
TEST_CASE("truetype fallback face: Unifont fitted to DejaVu Sans Mono's cell", "[unit][truetype]") {
    Open primary;
    REQUIRE(primary.open(CELOS_TT_DEJAVU, "DejaVuSansMono.ttf", 16) == nullptr);
    const celos_font_ops& cell = *primary.font.ops();
    Open fallback(truetype::CacheLimits{2048, 512 * 1024, 512 * 1024});
    INFO(fallback.font.ops()->name);
    REQUIRE(fallback.open_fallback(CELOS_TT_UNIFONT, "unifont.otf", cell, 16) == nullptr);
    const celos_font_ops* ops = fallback.font.ops();
    // At the primary's size (its 8x16 cell fits 10x19), centred: 19 - 16 = 3
    // rows, one above; the metrics are the primary's.
    CHECK(fallback.font.pixel_size() == 16);
    CHECK(std::string(ops->name) == "truetype:unifont.otf@16");
    CHECK(ops->cell_width == cell.cell_width);
    CHECK(ops->cell_height == cell.cell_height);
    CHECK(ops->baseline == cell.baseline);
    CHECK(ops->styled_glyph(ops, 0x4e2d, CELOS_FONT_STYLE_BOLD, nullptr) == CELOS_FONT_NO_STYLE);
    // 中 (U+4E2D): DejaVu lacks it, Unifont has it, two cells wide at most,
    // inside the cell's rows.
    celos_glyph g{};
    CHECK(primary.font.ops()->glyph(primary.font.ops(), 0x4e2d, &g) == CELOS_FONT_NO_GLYPH);
    REQUIRE(ops->glyph(ops, 0x4e2d, &g) == 0);
    CHECK(has_ink(g));
    CHECK(g.width <= 2 * cell.cell_width);
    int32_t top_row = int32_t(cell.baseline) - g.top;
    CHECK(top_row >= 0);
    CHECK(top_row + int32_t(g.height) <= int32_t(cell.cell_height));
    // Greek, Cyrillic and Hangul too.
    for (uint32_t cp : {0x3b1u, 0x416u, 0xd55cu}) {
        INFO(cp);
        CHECK(ops->glyph(ops, cp, &g) == 0);
    }
    // The pool is bounded: after open, lookups of a CJK block and the
    // Hangul syllables call no kmalloc (a full cache renders in FreeType's
    // slot).
    long before = celos_host_heap_allocations();
    int found = 0;
    for (uint32_t cp = 0x4e00; cp < 0x4e00 + 3000; ++cp)
        found += ops->glyph(ops, cp, &g) == 0;
    for (uint32_t cp = 0xac00; cp < 0xac00 + 500; ++cp)
        found += ops->glyph(ops, cp, &g) == 0;
    CHECK(celos_host_heap_allocations() == before);
    // Every one drawn (the pool's FreeType share suffices, the full cache
    // renders in FreeType's slot).
    CHECK(found == 3500);
    CHECK(fallback.font.pool_peak_bytes() <= fallback.font.pool_bytes());
}

TEST_CASE("truetype fallback face: Unifont fitted to a PSF cell, and a cell nothing fits",
          "[unit][truetype]") {
    celos_font_ops cell = psf_like_cell();
    Open fallback(truetype::CacheLimits{2048, 512 * 1024, 512 * 1024});
    REQUIRE(fallback.open_fallback(CELOS_TT_UNIFONT, "unifont.otf", cell, 16) == nullptr);
    CHECK(fallback.font.pixel_size() == 16);
    // Unifont's cell is 8x16, its baseline 14 rows down: moved up 2 rows to
    // the PSF cell's baseline at 12.
    CHECK(fallback.font.shift() == -2);
    celos_glyph g{};
    REQUIRE(fallback.font.ops()->glyph(fallback.font.ops(), 0x4e2d, &g) == 0);
    CHECK(int32_t(cell.baseline) - g.top >= 0);
    CHECK(int32_t(cell.baseline) - g.top + int32_t(g.height) <= 16);

    celos_font_ops tiny = cell;
    tiny.cell_width = 2;
    tiny.cell_height = 5;
    tiny.baseline = 4;
    Open none(truetype::CacheLimits{2048, 512 * 1024, 512 * 1024});
    const char* why = none.open_fallback(CELOS_TT_UNIFONT, "unifont.otf", tiny, 16);
    REQUIRE(why != nullptr);
    CHECK(std::string(why).find("unifont.otf: no size from 6 to 16 px fits the 2x5 cell of psf:test") == 0);
}
#endif
