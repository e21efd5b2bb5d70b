// The TrueType module's glyph code (modules/truetype/tt_font.cpp, built for
// the host with the module's FreeType configuration) against the system's
// libfreetype (Debian's libfreetype6, loaded by ft_oracle.cpp) with the same
// load flags: every printable ASCII glyph and 200 other mapped code points,
// bitmaps and placement byte for byte, and the cell metrics; then the glyph
// cache: hits rasterize nothing, .notdef, and a full cache; and the memory:
// after open, glyphs never reach the heap (the font's pool).
#include <catch2/catch.hpp>

#include <dlfcn.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "ft_oracle.h"
#include "host_heap.h"
#include "tt_font.h"

using namespace celos;
using celos_test::FreeTypeOracle;
using celos_test::OracleGlyph;
using celos_test::OracleHinting;

namespace {

std::vector<uint8_t> read_file(const char* path) {
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), {}};
}

struct TestFont {
    const char* path;
    const char* name;
};

const TestFont kDejaVu{CELOS_TT_DEJAVU, "DejaVuSansMono.ttf"};
const TestFont kNimbus{CELOS_TT_NIMBUS, "NimbusMonoPS-Regular.otf"};

OracleHinting oracle_hinting(truetype::Hinting h) {
    switch (h) {
    case truetype::Hinting::none: return OracleHinting::none;
    case truetype::Hinting::light: return OracleHinting::light;
    case truetype::Hinting::normal: return OracleHinting::normal;
    }
    return OracleHinting::light;
}

FreeTypeOracle& oracle() {
    static FreeTypeOracle o;
    static std::string error = o.load();
    INFO(error);
    REQUIRE(error.empty());
    return o;
}

// Printable ASCII, then 200 code points above 0x7F spread evenly over the
// face's charmap (every k-th, by the system library's list).
std::vector<uint32_t> test_codepoints(const FreeTypeOracle& o) {
    std::vector<uint32_t> out;
    for (uint32_t c = 0x20; c < 0x7f; ++c)
        out.push_back(c);
    std::vector<uint32_t> others;
    for (uint32_t c : o.codepoints())
        if (c > 0x7f) others.push_back(c);
    REQUIRE(others.size() >= 200);
    size_t step = others.size() / 200;
    for (size_t i = 0; i < 200; ++i)
        out.push_back(others[i * step]);
    return out;
}

// Empty when the same, else what differs.
std::string compare(const celos_glyph& g, const OracleGlyph& o) {
    std::ostringstream s;
    if (g.width != o.width || g.height != o.rows)
        s << "size " << g.width << "x" << g.height << " vs " << o.width << "x" << o.rows;
    else if (g.left != o.left || g.top != o.top)
        s << "placement " << g.left << "," << g.top << " vs " << o.left << "," << o.top;
    else if (g.pitch < g.width)
        s << "pitch " << g.pitch << " < width " << g.width;
    else
        for (uint32_t row = 0; row < g.height; ++row)
            if (std::memcmp(g.coverage + size_t(row) * g.pitch, o.pixels.data() + size_t(row) * o.width,
                            g.width)) {
                s << "row " << row << " differs";
                break;
            }
    return s.str();
}

struct Opened {
    std::vector<uint8_t> data;
    std::unique_ptr<truetype::Font> font;
};

Opened open_both(const TestFont& tf, uint32_t px, truetype::Hinting h, truetype::CacheLimits limits = {}) {
    Opened o{read_file(tf.path), std::make_unique<truetype::Font>(limits)};
    INFO(tf.path);
    REQUIRE(!o.data.empty());
    const char* error = o.font->open(o.data.data(), o.data.size(), tf.name, px, h);
    INFO((error ? error : ""));
    REQUIRE(error == nullptr);
    std::string oe = oracle().open(o.data.data(), o.data.size(), px, oracle_hinting(h));
    INFO(oe);
    REQUIRE(oe.empty());
    return o;
}

// Every test code point through ops()->glyph against the oracle; returns
// the number of differences (the first few are reported).
size_t compare_all(truetype::Font& font, const std::vector<uint32_t>& cps) {
    const celos_font_ops* ops = font.ops();
    size_t bad = 0;
    for (uint32_t cp : cps) {
        uint32_t index = oracle().char_index(cp);
        celos_glyph g{};
        int r = ops->glyph(ops, cp, &g);
        std::string diff;
        if (index == 0) {
            if (r != CELOS_FONT_NO_GLYPH) diff = "mapped here, not by the system library";
        } else if (r != 0) {
            diff = "no glyph here, glyph " + std::to_string(index) + " in the system library";
        } else {
            OracleGlyph o;
            if (!oracle().render(index, o))
                diff = "the system library cannot render it";
            else
                diff = compare(g, o);
        }
        if (!diff.empty() && ++bad <= 5) {
            std::ostringstream s;
            s << "U+" << std::hex << cp << ": " << diff;
            UNSCOPED_INFO(s.str());
        }
    }
    return bad;
}

void check_metrics(truetype::Font& font) {
    celos_test::OracleMetrics m = oracle().metrics();
    const celos_font_ops* ops = font.ops();
    CHECK(ops->cell_width == m.cell_width);
    CHECK(ops->cell_height == m.cell_height);
    CHECK(ops->baseline == m.baseline);
    CHECK(ops->underline_row == m.underline_row);
    CHECK(ops->underline_thickness == m.underline_thickness);
}

void check_font(const TestFont& tf, uint32_t px, truetype::Hinting h) {
    INFO(tf.name << " at " << px << " px, hinting " << truetype::hinting_name(h));
    Opened o = open_both(tf, px, h);
    std::vector<uint32_t> cps = test_codepoints(oracle());
    REQUIRE(cps.size() == 95 + 200);
    check_metrics(*o.font);
    CHECK(compare_all(*o.font, cps) == 0);
    // Every glyph was rasterized once; the second pass comes from the cache.
    uint64_t rasterized = o.font->rasterizations();
    CHECK(rasterized > 0);
    CHECK(rasterized <= cps.size());
    CHECK(compare_all(*o.font, cps) == 0);
    CHECK(o.font->rasterizations() == rasterized);
}

} // namespace

TEST_CASE("truetype oracle: the system libfreetype is loaded on its own", "[truetype]") {
    FreeTypeOracle& o = oracle();
    CHECK(o.version() == "2.12.1");
    // Its functions come from libfreetype.so.6, not from our copy in this binary.
    Dl_info ours{}, theirs{};
    REQUIRE(dladdr(reinterpret_cast<void*>(&compare_all), &ours) != 0);
    for (const char* fn : {"FT_Init_FreeType", "FT_New_Memory_Face", "FT_Load_Glyph", "FT_Render_Glyph"}) {
        INFO(fn);
        void* p = o.function(fn);
        REQUIRE(p != nullptr);
        REQUIRE(dladdr(p, &theirs) != 0);
        CHECK(std::strstr(theirs.dli_fname, "libfreetype.so.6") != nullptr);
        CHECK(theirs.dli_fbase != ours.dli_fbase);
    }
}

TEST_CASE("truetype: DejaVu Sans Mono equals the system libfreetype", "[truetype]") {
    for (uint32_t px : {12u, 16u, 24u})
        check_font(kDejaVu, px, truetype::Hinting::light);
    check_font(kDejaVu, 16, truetype::Hinting::none);
    check_font(kDejaVu, 16, truetype::Hinting::normal);
}

TEST_CASE("truetype: Nimbus Mono PS (OpenType CFF) equals the system libfreetype", "[truetype]") {
    for (uint32_t px : {12u, 16u, 24u})
        check_font(kNimbus, px, truetype::Hinting::light);
    check_font(kNimbus, 16, truetype::Hinting::none);
    check_font(kNimbus, 16, truetype::Hinting::normal);
}

TEST_CASE("truetype: .notdef for unmapped code points, rasterized at open", "[truetype]") {
    for (const TestFont* tf : {&kDejaVu, &kNimbus}) {
        INFO(tf->name);
        Opened o = open_both(*tf, 16, truetype::Hinting::light);
        const celos_font_ops* ops = o.font->ops();
        uint32_t unmapped = 0x10fffd; // plane 16 private use
        REQUIRE(oracle().char_index(unmapped) == 0);
        celos_glyph g{};
        CHECK(ops->glyph(ops, unmapped, &g) == CELOS_FONT_NO_GLYPH);
        OracleGlyph notdef;
        REQUIRE(oracle().render(0, notdef));
        ops->fallback(ops, &g);
        CHECK(compare(g, notdef).empty());
        uint64_t rasterized = o.font->rasterizations();
        CHECK(rasterized == 0); // kept from open on
        ops->fallback(ops, &g);
        CHECK(compare(g, notdef).empty());
        CHECK(ops->glyph(ops, unmapped, &g) == CELOS_FONT_NO_GLYPH);
        CHECK(o.font->rasterizations() == rasterized);
    }
}

TEST_CASE("truetype: a full cache still gives the right glyphs", "[truetype]") {
    struct Case {
        const char* what;
        truetype::CacheLimits limits;
    };
    for (const Case& c : {Case{"4 table slots", {4, 64 * 1024}}, Case{"no bitmap memory", {1024, 0}}}) {
        INFO(c.what);
        Opened o = open_both(kDejaVu, 24, truetype::Hinting::light, c.limits);
        std::vector<uint32_t> cps = test_codepoints(oracle());
        CHECK(compare_all(*o.font, cps) == 0);
        uint64_t first = o.font->rasterizations();
        CHECK(compare_all(*o.font, cps) == 0);
        // What did not fit is rasterized again, what fit is not.
        uint64_t again = o.font->rasterizations() - first;
        CHECK(again > 0);
        CHECK(again < first);
        CHECK(o.font->cached_bytes() <= c.limits.coverage_bytes);
    }
}

TEST_CASE("truetype: glyph_uncached rasterizes every time and agrees with the cache", "[truetype]") {
    Opened o = open_both(kNimbus, 16, truetype::Hinting::light);
    const celos_font_ops* ops = o.font->ops();
    celos_glyph cached{}, uncached{};
    REQUIRE(ops->glyph(ops, 'g', &cached) == 0);
    uint64_t before = o.font->rasterizations();
    REQUIRE(o.font->glyph_uncached('g', &uncached) == 0);
    REQUIRE(o.font->glyph_uncached('g', &uncached) == 0);
    CHECK(o.font->rasterizations() == before + 2);
    OracleGlyph og;
    REQUIRE(oracle().render(oracle().char_index('g'), og));
    CHECK(compare(cached, og).empty());
    CHECK(compare(uncached, og).empty());
    CHECK(o.font->glyph_uncached(0x10fffd, &uncached) == CELOS_FONT_NO_GLYPH);
}

TEST_CASE("truetype: the font releases all its memory", "[truetype]") {
    long before = celos_host_heap_live_blocks();
    {
        Opened o = open_both(kDejaVu, 16, truetype::Hinting::normal);
        std::vector<uint32_t> cps = test_codepoints(oracle());
        CHECK(compare_all(*o.font, cps) == 0);
        CHECK(o.font->cached_entries() == cps.size());
        CHECK(celos_host_heap_live_blocks() > before);
    }
    CHECK(celos_host_heap_live_blocks() == before);
}

TEST_CASE("truetype: ops name and hinting names", "[truetype]") {
    Opened o = open_both(kDejaVu, 16, truetype::Hinting::light);
    CHECK(std::string(o.font->ops()->name) == "truetype:DejaVuSansMono.ttf@16");
    CHECK(o.font->ops()->size == sizeof(celos_font_ops));
    CHECK(std::string(o.font->info().family) == "DejaVu Sans Mono");
    CHECK(o.font->info().monospace);
    truetype::Hinting h{};
    CHECK(truetype::parse_hinting("none", h));
    CHECK(h == truetype::Hinting::none);
    CHECK(truetype::parse_hinting("normal", h));
    CHECK(h == truetype::Hinting::normal);
    CHECK(truetype::parse_hinting("light", h));
    CHECK(h == truetype::Hinting::light);
    CHECK_FALSE(truetype::parse_hinting("full", h));
    CHECK_FALSE(truetype::parse_hinting("", h));
}

// The console calls glyph() and fallback() from its log sink, which must
// not allocate: after open every glyph, cached or not, and the fallback
// come from the pool open() reserved. Every code point of the face, through
// a cache that fills up (glyphs then come from FreeType's slot), and through
// a pool too small for FreeType's work on some glyphs (those are missing:
// the fallback is drawn instead, and is always there).
TEST_CASE("truetype: after open, glyphs never allocate from the heap", "[truetype]") {
    struct Case {
        const char* what;
        truetype::CacheLimits limits;
        bool some_fail;
    };
    for (const Case& c :
         {Case{"the default limits", {}, false}, Case{"a full cache", {16, 64 * 1024, 1024 * 1024}, false},
          Case{"a pool too small for FreeType", {1024, 64 * 1024, 128 * 1024}, true}}) {
        INFO(c.what);
        for (const TestFont* tf : {&kDejaVu, &kNimbus}) {
            // Nimbus Mono (CFF) renders every glyph in 128 KiB.
            if (c.some_fail && tf != &kDejaVu) continue;
            INFO(tf->name);
            Opened o = open_both(*tf, 24, truetype::Hinting::light, c.limits);
            const celos_font_ops* ops = o.font->ops();
            std::vector<uint32_t> cps = oracle().codepoints();
            REQUIRE(cps.size() > 300);
            OracleGlyph notdef;
            REQUIRE(oracle().render(0, notdef));
            long before = celos_host_heap_allocations();
            size_t rendered = 0, missing = 0;
            for (int pass = 0; pass < 2; ++pass)
                for (uint32_t cp : cps) {
                    celos_glyph g{};
                    if (ops->glyph(ops, cp, &g) == 0) {
                        ++rendered;
                    } else {
                        ++missing;
                        ops->fallback(ops, &g);
                        REQUIRE(compare(g, notdef).empty());
                    }
                }
            CHECK(celos_host_heap_allocations() == before);
            CHECK(rendered > 0);
            CHECK(o.font->pool_peak_bytes() <= o.font->pool_bytes());
            if (c.some_fail)
                CHECK(missing > 0);
            else
                CHECK(missing == 0);
        }
    }
}

// The parameters of a font opened while the module runs (font control).
TEST_CASE("truetype: parameters of a font opened at run time", "[truetype]") {
    using celos::truetype::Hinting;
    celos::truetype::OpenParams p;
    const char* bad = nullptr;
    size_t bad_length = 0;
    auto parse = [&](const char* params) { return celos::truetype::parse_open_params(params, p, &bad, &bad_length); };
    p.pixel_size = 40;
    CHECK(parse(nullptr) == nullptr);
    CHECK(p.pixel_size == 16);
    CHECK(p.hinting == Hinting::light);
    CHECK(parse("size=20") == nullptr);
    CHECK(p.pixel_size == 20);
    CHECK(p.hinting == Hinting::light);
    CHECK(parse(" hinting=none\tsize=6 size=128 ") == nullptr);
    CHECK(p.pixel_size == 128);
    CHECK(p.hinting == Hinting::none);
    CHECK(parse("hinting=normal") == nullptr);
    CHECK(p.hinting == Hinting::normal);
    CHECK(p.pixel_size == 16);
    for (const char* wrong : {"size=5", "size=129", "size=", "size=1x", "size=-16", "size=99999"}) {
        CAPTURE(wrong);
        CHECK(std::string(parse(wrong)) == "size must be a number from 6 to 128");
        CHECK(std::string(bad, bad_length) == wrong);
    }
    for (const char* wrong : {"hinting=full", "hinting=", "hinting=lightish", "hinting=LIGHT"})
        CHECK(std::string(parse(wrong)) == "hinting must be none, light or normal");
    CHECK(std::string(parse("size=12 scale=2")) ==
          "unknown parameter (a TrueType font takes size=N and hinting=none|light|normal)");
    CHECK(std::string(bad, bad_length) == "scale=2");
    CHECK(p.hinting == Hinting::normal); // unchanged by a failure
}
