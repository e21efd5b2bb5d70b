// Malformed fonts through the TrueType module's glyph code (tt_font.cpp and
// the module's FreeType build): an empty file, DejaVu Sans Mono cut short,
// random bytes, and real fonts with bytes flipped in the table directory, in
// glyf and in CFF. Either open() fails with a message naming the file, or
// every glyph comes out well-formed; nothing crashes. And fonts FreeType
// opens but that cannot draw basic Latin text in a sane cell (a corrupted
// Liberation Mono, a 19x1 cell, symbol fonts) are refused with a message
// naming the check, while real text fonts open (issue 11, item 1). Also
// built into celos_truetype_asan_tests, under ASan and UBSan.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "font_invariants.h"
#include "tt_font.h"

using namespace celos;

namespace {

std::vector<uint8_t> read_font(const char* path) {
    std::ifstream f(path, std::ios::binary);
    std::vector<uint8_t> data{std::istreambuf_iterator<char>(f), {}};
    INFO(path);
    REQUIRE(data.size() > 1000);
    return data;
}

uint32_t be32(const std::vector<uint8_t>& d, size_t at) {
    return uint32_t(d[at]) << 24 | uint32_t(d[at + 1]) << 16 | uint32_t(d[at + 2]) << 8 | d[at + 3];
}

// A table's offset and length from the sfnt table directory (OpenType spec,
// "Organization of an OpenType font": 12-byte header, 16-byte records).
bool find_table(const std::vector<uint8_t>& d, const char* tag, size_t& offset, size_t& length) {
    uint32_t tables = uint32_t(d[4]) << 8 | d[5];
    for (uint32_t i = 0; i < tables && 12 + 16 * (i + 1) <= d.size(); ++i) {
        size_t rec = 12 + 16 * i;
        if (std::memcmp(&d[rec], tag, 4) == 0) {
            offset = be32(d, rec + 8);
            length = be32(d, rec + 12);
            return offset + length <= d.size();
        }
    }
    return false;
}

struct Outcome {
    bool opened = false;
    size_t glyphs = 0;
};

// Opens `data`; on success draws printable ASCII, a few others and
// .notdef, checking each glyph's shape and touching every coverage byte.
Outcome try_font(const std::vector<uint8_t>& data, uint32_t px = 16) {
    truetype::Font font;
    const char* error = font.open(data.data(), data.size(), "bad.ttf", px, truetype::Hinting::light);
    Outcome out;
    if (error) {
        INFO(error);
        CHECK(std::strncmp(error, "bad.ttf: ", 9) == 0);
        return out;
    }
    out.opened = true;
    const celos_font_ops* ops = font.ops();
    char why[160];
    const char* violation = test::font_invariant_violation(ops, px, why, sizeof why);
    CHECK(violation == nullptr);
    unsigned sum = 0;
    auto check_glyph = [&](const celos_glyph& g) {
        REQUIRE(g.coverage != nullptr);
        CHECK(g.pitch >= g.width);
        for (uint32_t row = 0; row < g.height; ++row)
            for (uint32_t x = 0; x < g.width; ++x)
                sum += g.coverage[size_t(row) * g.pitch + x];
    };
    std::vector<uint32_t> cps;
    for (uint32_t c = 0x20; c < 0x7f; ++c)
        cps.push_back(c);
    for (uint32_t c : {0xe9u, 0x3a9u, 0x2500u, 0xfffdu, 0x1f600u})
        cps.push_back(c);
    for (int pass = 0; pass < 2; ++pass)
        for (uint32_t c : cps) {
            celos_glyph g{};
            if (ops->glyph(ops, c, &g) == 0) {
                check_glyph(g);
                ++out.glyphs;
            }
        }
    celos_glyph g{};
    ops->fallback(ops, &g);
    check_glyph(g);
    (void)sum;
    return out;
}

} // namespace

TEST_CASE("truetype malformed: an empty file and random bytes are refused", "[truetype]") {
    truetype::Font empty;
    const char* error = empty.open("", 0, "empty.ttf", 16, truetype::Hinting::light);
    REQUIRE(error != nullptr);
    CHECK(std::string(error) == "empty.ttf: FreeType cannot open it (error 0x02: unknown file format)");
    CHECK_FALSE(empty.out_of_memory());

    std::mt19937 rng(6);
    for (int i = 0; i < 20; ++i) {
        std::vector<uint8_t> data(4096);
        for (auto& b : data)
            b = uint8_t(rng());
        CHECK_FALSE(try_font(data).opened);
    }
    // Random bytes behind a real sfnt header ("true" version, 12 tables).
    for (int i = 0; i < 20; ++i) {
        std::vector<uint8_t> data(4096);
        for (auto& b : data)
            b = uint8_t(rng());
        const uint8_t header[] = {0, 1, 0, 0, 0, 12, 0, 128, 0, 3, 0, 32};
        std::memcpy(data.data(), header, sizeof header);
        try_font(data);
    }
}

TEST_CASE("truetype malformed: DejaVu Sans Mono cut short", "[truetype]") {
    std::vector<uint8_t> full = read_font(CELOS_TT_DEJAVU);
    REQUIRE(try_font(full).opened);
    for (size_t length : {size_t(1), size_t(12), size_t(100), size_t(1000), size_t(10000), full.size() / 4,
                          full.size() / 2, full.size() * 3 / 4, full.size() - 1000, full.size() - 1}) {
        INFO("first " << length << " bytes");
        std::vector<uint8_t> cut(full.begin(), full.begin() + std::ptrdiff_t(length));
        try_font(cut);
    }
}

TEST_CASE("truetype malformed: bytes flipped in the table directory, glyf and CFF", "[truetype]") {
    std::mt19937 rng(2024);
    struct Target {
        const char* path;
        const char* table; // flipped inside this table; null: in the directory
    };
    for (const Target& t :
         {Target{CELOS_TT_DEJAVU, nullptr}, Target{CELOS_TT_DEJAVU, "glyf"}, Target{CELOS_TT_DEJAVU, "loca"},
          Target{CELOS_TT_NIMBUS, nullptr}, Target{CELOS_TT_NIMBUS, "CFF "}}) {
        std::vector<uint8_t> font = read_font(t.path);
        size_t offset = 12, length = 16 * (uint32_t(font[4]) << 8 | font[5]);
        if (t.table) REQUIRE(find_table(font, t.table, offset, length));
        size_t opened = 0;
        for (int round = 0; round < 12; ++round) {
            INFO(t.path << " " << (t.table ? t.table : "directory") << ", round " << round);
            std::vector<uint8_t> bad = font;
            for (int flips = 0; flips < 8; ++flips)
                bad[offset + rng() % length] ^= uint8_t(1u << (rng() % 8));
            opened += try_font(bad, round % 2 ? 24 : 12).opened;
        }
        // Damage inside glyph data leaves the font open (and its glyphs drawn).
        if (t.table) CHECK(opened > 0);
    }
}

namespace {

// The message open() gives for `data` at `px`, or "" when it opens (then
// the font keeps every promise of font_invariants.h).
std::string refusal(const std::vector<uint8_t>& data, const char* name, uint32_t px = 16,
                    truetype::Hinting hinting = truetype::Hinting::light) {
    truetype::Font font;
    const char* error = font.open(data.data(), data.size(), name, px, hinting);
    if (error) return error;
    char why[160];
    const char* violation = test::font_invariant_violation(font.ops(), px, why, sizeof why);
    INFO(name << " at " << px << " px: " << (violation ? violation : ""));
    CHECK(violation == nullptr);
    return "";
}

std::string bad_font(const char* file) {
    return std::string(CELOS_TT_BAD_FONTS) + "/" + file;
}

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

} // namespace

// tests/fixtures/gen_bad_fonts.py: Liberation Mono with one byte inserted
// at 22400 (inside loca) opened as "? ?, 2423 glyphs" and drew nothing.
TEST_CASE("truetype refuses Liberation Mono with a byte inserted at 22400", "[truetype]") {
    std::vector<uint8_t> font = read_font(bad_font("liberation_inserted.ttf").c_str());
    CHECK(refusal(font, "liberation_inserted.ttf") == "liberation_inserted.ttf: glyph 'M' (U+004D) cannot be "
                                                      "rendered (error 0x15: invalid composite glyph)");
    // Whatever the size and hinting.
    for (uint32_t px : {6u, 24u, 128u})
        for (auto h : {truetype::Hinting::none, truetype::Hinting::normal})
            CHECK(starts_with(refusal(font, "liberation_inserted.ttf", px, h),
                              "liberation_inserted.ttf: glyph "));
}

// DejaVu Sans Mono with hhea ascender 19 px, descender +18 px and advances
// of 19 px at 16 px: it opened with a 19x1 cell and baseline 19.
TEST_CASE("truetype refuses a font whose metrics make a 19x1 cell with baseline 19", "[truetype]") {
    std::vector<uint8_t> font = read_font(bad_font("cell19x1.ttf").c_str());
    CHECK(refusal(font, "cell19x1.ttf") ==
          "cell19x1.ttf: cell 19x1 is not a sane text cell at 16 px (narrower than 3 or lower than 6 px)");
}

TEST_CASE("truetype refuses symbol and dingbat fonts", "[truetype]") {
    for (const char* path : {CELOS_TT_D050000L, CELOS_TT_SYMBOLS}) {
        INFO(path);
        std::vector<uint8_t> font = read_font(path);
        std::string error = refusal(font, "symbol.otf");
        CHECK(starts_with(error, "symbol.otf: no Unicode mapping for basic Latin (a symbol font: "));
    }
    CHECK(refusal(read_font(CELOS_TT_D050000L), "D050000L.otf") ==
          "D050000L.otf: no Unicode mapping for basic Latin (a symbol font: only 0 of 62 letters and digits "
          "are "
          "named as such, '0' is 'a105')");
    CHECK(
        refusal(read_font(CELOS_TT_SYMBOLS), "StandardSymbolsPS.otf") ==
        "StandardSymbolsPS.otf: no Unicode mapping for basic Latin (a symbol font: only 10 of 62 letters and "
        "digits are named as such, 'A' is 'Alpha')");

    // DejaVu Sans Mono whose character maps are all declared Windows Symbol
    // (platform 3, encoding 0: OpenType spec, "cmap - Character to Glyph
    // Index Mapping Table": version, numTables, then 8-byte records).
    std::vector<uint8_t> font = read_font(CELOS_TT_DEJAVU);
    size_t offset, length;
    REQUIRE(find_table(font, "cmap", offset, length));
    uint32_t records = uint32_t(font[offset + 2]) << 8 | font[offset + 3];
    REQUIRE(records > 0);
    for (uint32_t i = 0; i < records; ++i) {
        uint8_t* record = &font[offset + 4 + 8 * i];
        record[0] = 0, record[1] = 3, record[2] = 0, record[3] = 0;
    }
    CHECK(refusal(font, "symbolmap.ttf") ==
          "symbolmap.ttf: no Unicode mapping for basic Latin (a symbol font)");
}

// post (OpenType spec, "post - PostScript Table"): underlinePosition at 8,
// underlineThickness at 10, both FWORD; FreeType reports the line's centre
// as position - thickness / 2. A line more than a cell from the baseline or
// thicker than a quarter of the cell is refused; one a little below the
// cell is moved into it.
TEST_CASE("truetype refuses an underline far outside the cell", "[truetype]") {
    std::vector<uint8_t> good = read_font(CELOS_TT_DEJAVU);
    size_t offset, length;
    REQUIRE(find_table(good, "post", offset, length));
    struct Case {
        int16_t position, thickness;
        const char* error; // "": opens
    };
    for (const Case& c :
         {Case{-175, 90, ""}, Case{-400, 90, ""}, Case{-14978, 90, "row 132, 1 px thick"},
          Case{-175, 30464, "row 135, 238 px thick"}, Case{8000, 90, "row -47, 1 px thick"}}) {
        INFO("position " << c.position << ", thickness " << c.thickness);
        std::vector<uint8_t> font = good;
        font[offset + 8] = uint8_t(uint16_t(c.position) >> 8), font[offset + 9] = uint8_t(c.position);
        font[offset + 10] = uint8_t(uint16_t(c.thickness) >> 8), font[offset + 11] = uint8_t(c.thickness);
        std::string error = refusal(font, "underline.ttf");
        if (*c.error)
            CHECK(error == std::string("underline.ttf: underline at ") + c.error +
                               ", is not within the 10x19 cell (baseline 15)");
        else
            CHECK(error == "");
    }
}

// The text fonts still open, each keeping the promises of
// font_invariants.h, at the smallest, a common and the largest size, in
// each hinting: monospace TrueType (DejaVu Sans Mono, Liberation Mono),
// OpenType CFF (Nimbus Mono PS) and a proportional font (DejaVu Sans).
TEST_CASE("truetype: text fonts still open and keep the invariants", "[truetype]") {
    for (const char* path : {CELOS_TT_DEJAVU, CELOS_TT_LIBERATION, CELOS_TT_NIMBUS, CELOS_TT_DEJAVU_SANS}) {
        std::vector<uint8_t> font = read_font(path);
        for (uint32_t px : {6u, 16u, 128u})
            for (auto h : {truetype::Hinting::none, truetype::Hinting::light, truetype::Hinting::normal}) {
                INFO(path << " at " << px << " px, hinting " << truetype::hinting_name(h));
                CHECK(refusal(font, "good.ttf", px, h) == "");
            }
    }
}
