// The PSF parser (modules/psf) on every font of Debian's console-setup
// (/usr/share/consolefonts), with kbd's psfgettable as the oracle for the
// Unicode tables, and on truncated and corrupted copies.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "font_invariants.h"
#include "psf_font.h"

using namespace celos::psf;

namespace {

std::vector<uint8_t> read_file(const std::string& path) {
    std::vector<uint8_t> v;
    FILE* f = fopen(path.c_str(), "rb");
    if (!f) return v;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        v.insert(v.end(), buf, buf + n);
    fclose(f);
    return v;
}

// A console font, decompressed at build time into CELOS_FONTS_DIR.
std::vector<uint8_t> font_file(const std::string& name) {
    auto v = read_file(std::string(CELOS_FONTS_DIR) + "/" + name);
    REQUIRE(!v.empty());
    return v;
}

// The decompressed fonts; as many as /usr/share/consolefonts has .psf.gz.
std::vector<std::string> console_fonts() {
    std::vector<std::string> fonts;
    size_t sources = 0;
    for (auto& e : std::filesystem::directory_iterator(CELOS_CONSOLEFONTS_DIR)) {
        std::string name = e.path().filename().string();
        if (name.size() > 7 && name.compare(name.size() - 7, 7, ".psf.gz") == 0) ++sources;
    }
    for (auto& e : std::filesystem::directory_iterator(CELOS_FONTS_DIR))
        if (e.path().extension() == ".psf") fonts.push_back(e.path().filename().string());
    std::sort(fonts.begin(), fonts.end());
    REQUIRE(fonts.size() == sources);
    return fonts;
}

// Parses an exactly-sized copy of the first `len` bytes (so ASan sees any
// read past the end).
const char* parse_copy(const std::vector<uint8_t>& data, size_t len, Font& font) {
    std::vector<uint8_t> copy(data.begin(), data.begin() + len);
    return parse(copy.empty() ? reinterpret_cast<const uint8_t*>("") : copy.data(), copy.size(), font);
}

std::vector<MapEntry> build_map(const Font& font) {
    std::vector<MapEntry> map(map_capacity(font));
    size_t n = map_build(font, map.data(), map.size());
    map.resize(n);
    return map;
}

bool glyph_has_pixels(const Font& f, uint32_t index) {
    for (uint32_t y = 0; y < f.height; ++y)
        for (uint32_t x = 0; x < f.width; ++x)
            if (f.pixel(index, x, y)) return true;
    return false;
}

void put_u32(std::vector<uint8_t>& v, size_t at, uint32_t x) {
    for (int i = 0; i < 4; ++i)
        v[at + i] = uint8_t(x >> (8 * i));
}

// A PSF2 font of `glyphs` 8x8 glyphs (glyph g has row g%8 set) and the
// given table bytes (flag set when not empty).
std::vector<uint8_t> make_psf2(uint32_t glyphs, const std::vector<uint8_t>& table) {
    std::vector<uint8_t> v(32 + glyphs * 8, 0);
    put_u32(v, 0, 0x864ab572);
    put_u32(v, 4, 0);
    put_u32(v, 8, 32);
    put_u32(v, 12, table.empty() ? 0 : 1);
    put_u32(v, 16, glyphs);
    put_u32(v, 20, 8);
    put_u32(v, 24, 8);
    put_u32(v, 28, 8);
    for (uint32_t g = 0; g < glyphs; ++g)
        v[32 + g * 8 + g % 8] = 0xFF;
    v.insert(v.end(), table.begin(), table.end());
    return v;
}

// A PSF2 table mapping glyph i to U+0020 + i for the 95 printable ASCII
// characters, and glyph 95 to nothing.
std::vector<uint8_t> ascii_table() {
    std::vector<uint8_t> t;
    for (uint8_t c = 0x20; c <= 0x7e; ++c)
        t.insert(t.end(), {c, 0xFF});
    t.push_back(0xFF);
    return t;
}

// A PSF1 font (256 glyphs, 8x16) with a u16 table.
std::vector<uint8_t> make_psf1(const std::vector<uint16_t>& table) {
    std::vector<uint8_t> v = {0x36, 0x04, uint8_t(table.empty() ? 0 : 2), 16};
    v.resize(4 + 256 * 16, 0);
    for (uint32_t g = 0; g < 256; ++g)
        v[4 + g * 16 + 3] = uint8_t(g | 1);
    for (uint16_t u : table) {
        v.push_back(uint8_t(u));
        v.push_back(uint8_t(u >> 8));
    }
    return v;
}

// psfgettable's listing (made at build time): code point -> lowest glyph
// listing it on its own; empty without psfgettable.
std::map<uint32_t, uint32_t> oracle_table(const std::string& font) {
    auto bytes = read_file(std::string(CELOS_FONTS_DIR) + "/" + font + ".table");
    std::string out(bytes.begin(), bytes.end());
    std::map<uint32_t, uint32_t> m;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream ls(line);
        std::string glyph_s, tok;
        ls >> glyph_s;
        uint32_t glyph = uint32_t(std::stoul(glyph_s, nullptr, 0));
        while (ls >> tok) {
            if (tok.rfind("U+", 0) != 0 || tok.find(',') != std::string::npos) continue; // sequences
            uint32_t cp = uint32_t(std::stoul(tok.substr(2), nullptr, 16));
            if (!m.count(cp)) m[cp] = glyph;
        }
    }
    return m;
}

} // namespace

TEST_CASE("psf: every console-setup font parses, with its size, count and Unicode table", "[psf]") {
    auto fonts = console_fonts();
    REQUIRE(fonts.size() > 100);
    std::regex size_re(R"((\d+)(?:x(\d+))?\.psf$)");
    size_t psf1 = 0, psf2 = 0, oracle_checked = 0;
    for (size_t i = 0; i < fonts.size(); ++i) {
        const auto& path = fonts[i];
        INFO(path);
        auto data = font_file(path);
        REQUIRE(data.size() > 4);
        Font font;
        const char* err = parse(data.data(), data.size(), font);
        INFO((err ? err : "ok"));
        REQUIRE(err == nullptr);
        REQUIRE(font.used_size <= data.size());
        (font.version == 1 ? psf1 : psf2)++;

        // The file name gives the size: NAME<height>[x<width>].psf.
        std::smatch m;
        const std::string& name = path;
        REQUIRE(std::regex_search(name, m, size_re));
        CHECK(font.height == std::stoul(m[1]));
        CHECK(font.width == (m[2].matched ? std::stoul(m[2]) : 8u));
        if (font.version == 1) CHECK((font.glyph_count == 256 || font.glyph_count == 512));
        CHECK(font.glyph_count * size_t(font.glyph_bytes) <= data.size());

        REQUIRE(font.table != nullptr);
        auto map = build_map(font);
        REQUIRE(!map.empty());
        for (size_t k = 1; k < map.size(); ++k)
            REQUIRE(map[k - 1].codepoint < map[k].codepoint);
        int64_t a = map_find(map.data(), map.size(), 'A');
        REQUIRE(a >= 0);
        CHECK(glyph_has_pixels(font, uint32_t(a)));

        // kbd's psfgettable, when it was there at build time.
        auto oracle = oracle_table(path);
        if (!oracle.empty()) {
            CHECK(oracle.size() == map.size());
            for (auto& [cp, glyph] : oracle) {
                INFO("U+" << std::hex << cp);
                CHECK(map_find(map.data(), map.size(), cp) == int64_t(glyph));
            }
            ++oracle_checked;
        }
    }
    CHECK(psf1 > 0);
    CHECK(psf2 > 0);
    if (oracle_checked == 0)
        WARN("psfgettable missing: Unicode tables not compared with kbd's");
    else
        CHECK(oracle_checked == fonts.size());
}

TEST_CASE("psf: truncated copies are refused", "[psf]") {
    auto fonts = console_fonts();
    // Every length for one PSF1 and one PSF2 font; a sample for the rest.
    for (const char* whole : {"Lat2-VGA16.psf", "Lat15-Terminus16.psf", "CyrAsia-Terminus20x10.psf"}) {
        auto data = font_file(whole);
        Font font;
        REQUIRE(parse(data.data(), data.size(), font) == nullptr);
        REQUIRE(font.used_size == data.size());
        for (size_t len = 0; len < data.size(); ++len) {
            INFO(whole << " cut to " << len);
            REQUIRE(parse_copy(data, len, font) != nullptr);
        }
    }
    for (size_t i = 0; i < fonts.size(); i += 3) {
        auto data = font_file(fonts[i]);
        Font font;
        REQUIRE(parse(data.data(), data.size(), font) == nullptr);
        size_t used = font.used_size;
        for (size_t len : {size_t(0), size_t(1), size_t(3), size_t(31), used / 2, used - 2, used - 1,
                           used * 7 / 8, used / 3}) {
            if (len >= used) continue;
            INFO(fonts[i] << " cut to " << len);
            REQUIRE(parse_copy(data, len, font) != nullptr);
        }
    }
}

TEST_CASE("psf: corrupt fonts are refused with a message naming the check", "[psf]") {
    auto v2 = font_file("CyrAsia-Terminus20x10.psf");
    auto v1 = font_file("Lat2-VGA16.psf");
    Font font;
    REQUIRE(parse(v2.data(), v2.size(), font) == nullptr);
    REQUIRE(font.version == 2);
    REQUIRE(parse(v1.data(), v1.size(), font) == nullptr);
    REQUIRE(font.version == 1);
    auto refuse = [&](std::vector<uint8_t> bad, const char* expect) {
        Font f;
        const char* err = parse_copy(bad, bad.size(), f);
        REQUIRE(err != nullptr);
        CHECK_THAT(std::string(err), Catch::Contains(expect));
    };

    SECTION("bad magic") {
        auto bad = v2;
        bad[0] ^= 1;
        refuse(bad, "bad magic");
        bad = v1;
        bad[1] = 0x05;
        refuse(bad, "bad magic");
    }
    SECTION("psf2 header fields") {
        auto bad = v2;
        put_u32(bad, 8, uint32_t(bad.size() + 1));
        refuse(bad, "header size runs past the end");
        bad = v2;
        put_u32(bad, 8, 16);
        refuse(bad, "header size smaller");
        bad = v2;
        put_u32(bad, 4, 1);
        refuse(bad, "unknown version");
        bad = v2;
        put_u32(bad, 12, 3);
        refuse(bad, "unknown flag");
        bad = v2;
        put_u32(bad, 28, 0);
        refuse(bad, "width or height");
        bad = v2;
        put_u32(bad, 20, 17);
        refuse(bad, "glyph size is not");
        bad = v2;
        put_u32(bad, 16, 0);
        refuse(bad, "glyph count is 0");
    }
    SECTION("glyph count * glyph size past the file") {
        auto bad = v2;
        put_u32(bad, 16, 65536);
        refuse(bad, "glyph count * glyph size runs past");
        bad = v1;
        bad[2] |= 1; // 512 glyphs
        refuse(bad, "glyph count * glyph size runs past");
        bad = v1;
        bad[3] = 200;
        refuse(bad, "glyph count * glyph size runs past");
    }
    SECTION("broken Unicode tables") {
        auto bad = v2;
        bad.pop_back(); // the last 0xFF terminator
        refuse(bad, "psf2: Unicode table ends before");
        bad = v2;
        size_t table = font.used_size; // not used: recompute from the PSF2 header
        Font f2;
        REQUIRE(parse(v2.data(), v2.size(), f2) == nullptr);
        table = size_t(f2.table - v2.data());
        bad[table] = 0xC0; // overlong lead byte
        refuse(bad, "malformed UTF-8");
        bad = v2;
        bad[table] = 0x80; // lone continuation byte
        refuse(bad, "malformed UTF-8");
        bad = make_psf2(2, {'A', 0xED, 0xA0, 0x80, 0xFF, 'B', 0xFF}); // a surrogate
        refuse(bad, "malformed UTF-8");
        bad = make_psf2(2, {'A', 0xE2, 0x82, 0xFF, 'B', 0xFF}); // cut sequence
        refuse(bad, "malformed UTF-8");
        bad = v1;
        bad.pop_back(); // half a u16
        refuse(bad, "psf1: Unicode table ends before");
        bad = v1;
        bad.resize(bad.size() - 2); // the last 0xFFFF
        refuse(bad, "psf1: Unicode table ends before");
        bad = v1;
        bad[2] = 0x10;
        refuse(bad, "psf1: unknown mode");
        bad = v1;
        bad[3] = 0;
        refuse(bad, "psf1: glyph height is 0");
    }
}

TEST_CASE("psf: Unicode tables with sequences and duplicates", "[psf]") {
    SECTION("psf2") {
        // glyph 0: A, then the sequence A U+0301; glyph 1: A again, B, U+20AC.
        auto v = make_psf2(3, {'A', 0xFE, 'A', 0xCC, 0x81, 0xFF, 'A', 'B', 0xE2, 0x82, 0xAC, 0xFF, 0xFF});
        Font f;
        REQUIRE(parse(v.data(), v.size(), f) == nullptr);
        CHECK(f.table_codepoints == 4);
        auto map = build_map(f);
        REQUIRE(map.size() == 3);
        CHECK(map_find(map.data(), map.size(), 'A') == 0);
        CHECK(map_find(map.data(), map.size(), 'B') == 1);
        CHECK(map_find(map.data(), map.size(), 0x20AC) == 1);
        CHECK(map_find(map.data(), map.size(), 0x301) == -1);
        CHECK(map_find(map.data(), map.size(), 'C') == -1);
        std::vector<MapEntry> small(2);
        CHECK(map_build(f, small.data(), small.size()) == 0);
    }
    SECTION("psf1") {
        std::vector<uint16_t> t;
        for (uint32_t g = 0; g < 256; ++g) {
            if (g == 'A')
                t.insert(t.end(), {'A', 0xFFFE, 'A', 0x301});
            else if (g == 'B')
                t.insert(t.end(), {'B', 0xFFFD});
            else if (g == 'C')
                t.insert(t.end(), {'A'});
            t.push_back(0xFFFF);
        }
        auto v = make_psf1(t);
        Font f;
        REQUIRE(parse(v.data(), v.size(), f) == nullptr);
        auto map = build_map(f);
        CHECK(map.size() == 3);
        CHECK(map_find(map.data(), map.size(), 'A') == 'A');
        CHECK(map_find(map.data(), map.size(), 'B') == 'B');
        CHECK(map_find(map.data(), map.size(), 0xFFFD) == 'B');
        CHECK(map_find(map.data(), map.size(), 0x301) == -1);
    }
    SECTION("no table: identity") {
        auto v = make_psf2(4, {});
        Font f;
        REQUIRE(parse(v.data(), v.size(), f) == nullptr);
        CHECK(f.table == nullptr);
        auto map = build_map(f);
        REQUIRE(map.size() == 4);
        CHECK(map_find(map.data(), map.size(), 3) == 3);
        CHECK(map_find(map.data(), map.size(), 4) == -1);
    }
}

TEST_CASE("psf: glyph rendering at scale 1, 2 and 3", "[psf]") {
    auto data = font_file("Uni2-TerminusBold32x16.psf");
    Font f;
    REQUIRE(parse(data.data(), data.size(), f) == nullptr);
    REQUIRE(f.width == 16);
    auto map = build_map(f);
    uint32_t g = uint32_t(map_find(map.data(), map.size(), 'W'));
    for (uint32_t scale : {1u, 2u, 3u}) {
        uint32_t w = f.width * scale, h = f.height * scale, pitch = w + 5;
        std::vector<uint8_t> out(size_t(pitch) * (h - 1) + w, 0x77);
        REQUIRE(render_glyph(f, g, scale, out.data(), out.size(), pitch));
        for (uint32_t y = 0; y < h; ++y)
            for (uint32_t x = 0; x < w; ++x)
                REQUIRE(out[size_t(y) * pitch + x] == (f.pixel(g, x / scale, y / scale) ? 255 : 0));
        CHECK(out[w] == 0x77); // the padding is left alone
        CHECK_FALSE(render_glyph(f, g, scale, out.data(), out.size() - 1, pitch));
    }
    std::vector<uint8_t> big(64 * 64 * 81);
    CHECK_FALSE(render_glyph(f, g, 0, big.data(), big.size(), 16));
    CHECK_FALSE(render_glyph(f, g, 9, big.data(), big.size(), 16 * 9));
    CHECK_FALSE(render_glyph(f, f.glyph_count, 1, big.data(), big.size(), 16));
}

TEST_CASE("psf: the font service through celos_font_ops", "[psf]") {
    auto data = font_file("Lat15-Terminus16.psf");
    Font f;
    REQUIRE(parse(data.data(), data.size(), f) == nullptr);
    auto map = build_map(f);
    std::vector<uint8_t> scratch(scratch_size(f, 2));
    FontService svc;
    REQUIRE(service_init(svc, f, map.data(), map.size(), 2, scratch.data(), scratch.size(), "psf:test") ==
            nullptr);
    const celos_font_ops* ops = &svc.ops;
    CHECK(ops->size == sizeof(celos_font_ops));
    CHECK(ops->cell_width == 16);
    CHECK(ops->cell_height == 32);
    CHECK(ops->baseline > 16);
    CHECK(ops->baseline <= 32);
    CHECK(ops->underline_row + ops->underline_thickness <= 32);
    CHECK(std::string(ops->name) == "psf:test");
    // One face: no styled_glyph (ABI 1.5), the console synthesizes bold
    // and italic.
    CHECK(ops->styled_glyph == nullptr);

    celos_glyph g{};
    REQUIRE(ops->glyph(ops, 'A', &g) == 0);
    CHECK(g.width == 16);
    CHECK(g.height == 32);
    CHECK(g.left == 0);
    CHECK(g.top == int32_t(ops->baseline)); // the bitmap covers the whole cell
    uint32_t a = uint32_t(map_find(map.data(), map.size(), 'A'));
    for (uint32_t y = 0; y < 32; ++y)
        for (uint32_t x = 0; x < 16; ++x)
            REQUIRE(g.coverage[y * g.pitch + x] == (f.pixel(a, x / 2, y / 2) ? 255 : 0));

    CHECK(ops->glyph(ops, 0x10FFFF, &g) == CELOS_FONT_NO_GLYPH);
    ops->fallback(ops, &g);
    CHECK(svc.fallback_glyph == uint32_t(map_find(map.data(), map.size(), 0xFFFD)));
    CHECK(g.width == 16);

    // Without U+FFFD the fallback is '?' (which every font has: printable
    // ASCII is required).
    auto v = make_psf2(96, ascii_table());
    Font f2;
    REQUIRE(parse(v.data(), v.size(), f2) == nullptr);
    auto map2 = build_map(f2);
    std::vector<uint8_t> s2(scratch_size(f2, 1));
    FontService svc2;
    REQUIRE(service_init(svc2, f2, map2.data(), map2.size(), 1, s2.data(), s2.size(), "q") == nullptr);
    CHECK(svc2.fallback_glyph == '?' - 0x20);
    CHECK(service_init(svc2, f2, map2.data(), map2.size(), 9, s2.data(), s2.size(), "q") != nullptr);
    CHECK(service_init(svc2, f2, map2.data(), map2.size(), 2, s2.data(), s2.size(), "q") != nullptr);
}

// A font must prove it can draw basic Latin text in a sane cell (issue 11,
// item 1), else the psf module refuses it and logs the message.
TEST_CASE("psf: fonts that cannot draw basic Latin text are refused", "[psf]") {
    auto service = [](const std::vector<uint8_t>& v) -> std::string {
        Font f;
        const char* error = parse(v.data(), v.size(), f);
        if (error) return std::string("parse: ") + error;
        auto map = build_map(f);
        std::vector<uint8_t> scratch(scratch_size(f, 1));
        FontService svc;
        error = service_init(svc, f, map.data(), map.size(), 1, scratch.data(), scratch.size(), "t");
        if (error) return error;
        char why[160];
        const char* violation = celos::test::font_invariant_violation(&svc.ops, 0, why, sizeof why);
        return violation ? std::string("invariant: ") + violation : "";
    };
    CHECK(service(make_psf2(96, ascii_table())) == "");

    // A Unicode table without printable ASCII (here without 'z').
    std::vector<uint8_t> table = ascii_table();
    table[2 * ('z' - 0x20)] = 0xC3, table.insert(table.begin() + 2 * ('z' - 0x20) + 1, 0xA9); // U+00E9
    CHECK(service(make_psf2(96, table)) ==
          "psf: printable ASCII (U+0020..U+007E) is not all mapped: not a font for basic Latin");
    // Blank glyphs.
    std::vector<uint8_t> blank = make_psf2(96, ascii_table());
    for (size_t i = 0; i < 8; ++i)
        blank[32 + ('M' - 0x20) * 8 + i] = 0;
    CHECK(service(blank) == "psf: a printable ASCII glyph (U+0021..U+007E) is blank");
    // 'H' down to the last row (as in Lat7-VGA8): the baseline stays inside
    // the cell with a row below it.
    std::vector<uint8_t> low = make_psf2(96, ascii_table());
    low[32 + ('H' - 0x20) * 8 + 7] = 0x81;
    CHECK(service(low) == "");
    // Cells of 8x2 (PSF1, height 2) and 2x8 (PSF2, width 2).
    std::vector<uint8_t> flat = {0x36, 0x04, 0, 2};
    flat.resize(4 + 256 * 2, 0x18);
    CHECK(service(flat) ==
          "psf: the glyph cell is not a sane text cell (at least 3x6 pixels, between 2:1 and 1:6)");
    std::vector<uint8_t> thin = make_psf2(96, ascii_table());
    put_u32(thin, 28, 2); // 2 pixels wide, still 1 byte per row
    CHECK(service(thin) ==
          "psf: the glyph cell is not a sane text cell (at least 3x6 pixels, between 2:1 and 1:6)");
    // Without a table, glyph i is code point i: 96 glyphs are too few.
    CHECK(service(make_psf2(96, {})) ==
          "psf: printable ASCII (U+0020..U+007E) is not all mapped: not a font for basic Latin");
    CHECK(service(make_psf2(128, {})) == "");
}

TEST_CASE("psf: every console-setup font with basic Latin keeps the provider invariants", "[psf]") {
    size_t served = 0, fonts = 0;
    for (const std::string& name : console_fonts()) {
        INFO(name);
        auto data = font_file(name);
        Font f;
        REQUIRE(parse(data.data(), data.size(), f) == nullptr);
        ++fonts;
        auto map = build_map(f);
        for (uint32_t scale : {1u, 2u}) {
            std::vector<uint8_t> scratch(scratch_size(f, scale));
            FontService svc;
            const char* error =
                service_init(svc, f, map.data(), map.size(), scale, scratch.data(), scratch.size(), "t");
            if (error) {
                // Only fonts without basic Latin (console-setup has a few for other scripts).
                CHECK(std::string(error) ==
                      "psf: printable ASCII (U+0020..U+007E) is not all mapped: not a font for basic Latin");
                continue;
            }
            served += scale == 1;
            char why[160];
            const char* violation = celos::test::font_invariant_violation(&svc.ops, 0, why, sizeof why);
            CHECK(violation == nullptr);
        }
    }
    CHECK(served * 10 >= fonts * 9);
}

// The parameters of a font opened while the module runs (font control).
TEST_CASE("psf: parameters of a font opened at run time", "[psf]") {
    uint32_t scale = 7;
    const char* bad = nullptr;
    size_t bad_length = 0;
    auto parse = [&](const char* params) { return celos::psf::parse_open_params(params, scale, &bad, &bad_length); };
    CHECK(parse(nullptr) == nullptr);
    CHECK(scale == 1);
    CHECK(parse("") == nullptr);
    CHECK(parse("scale=2") == nullptr);
    CHECK(scale == 2);
    CHECK(parse("  scale=3\tscale=8 ") == nullptr);
    CHECK(scale == 8);
    scale = 5;
    for (const char* wrong : {"scale=0", "scale=9", "scale=", "scale=x", "scale=-1", "scale=00002x", "scale=99999"}) {
        CAPTURE(wrong);
        CHECK(std::string(parse(wrong)) == "scale must be a number from 1 to 8");
        CHECK(std::string(bad, bad_length) == wrong);
        CHECK(scale == 5);
    }
    CHECK(std::string(parse("scale=2 size=20")) == "unknown parameter (a PSF font takes scale=N)");
    CHECK(std::string(bad, bad_length) == "size=20");
    CHECK(std::string(parse("scal=2")) == "unknown parameter (a PSF font takes scale=N)");
    CHECK(scale == 5);
}
