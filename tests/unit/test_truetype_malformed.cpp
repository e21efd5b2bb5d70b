// Malformed fonts through the TrueType module's glyph code (tt_font.cpp and
// the module's FreeType build): an empty file, DejaVu Sans Mono cut short,
// random bytes, and real fonts with bytes flipped in the table directory, in
// glyf and in CFF. Either open() fails with a message naming the file, or
// every glyph comes out well-formed; nothing crashes. Also built into
// celos_truetype_asan_tests, under ASan and UBSan.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

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
    CHECK(ops->cell_width >= 1);
    CHECK(ops->cell_height >= 1);
    CHECK(ops->underline_row + ops->underline_thickness <= ops->cell_height);
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
