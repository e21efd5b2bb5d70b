// A console font from CELOS_FONTS_DIR (decompressed there at build time)
// behind celos_font_ops, as the psf module registers it: for the tests
// that draw with a real bitmap font (render, render attributes, font chain).
#pragma once

#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "psf_font.h"

namespace celos::test {

inline std::vector<uint8_t> read_console_font(const std::string& name) {
    std::vector<uint8_t> v;
    FILE* f = fopen((std::string(CELOS_FONTS_DIR) + "/" + name).c_str(), "rb");
    REQUIRE(f);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        v.insert(v.end(), buf, buf + n);
    fclose(f);
    return v;
}

struct PsfFont {
    std::vector<uint8_t> data;
    celos::psf::Font font;
    std::vector<celos::psf::MapEntry> map;
    std::vector<uint8_t> scratch;
    celos::psf::FontService svc;
    uint32_t scale;
    PsfFont(const char* file, uint32_t s) : scale(s) {
        data = read_console_font(file);
        REQUIRE(celos::psf::parse(data.data(), data.size(), font) == nullptr);
        map.resize(celos::psf::map_capacity(font));
        map.resize(celos::psf::map_build(font, map.data(), map.size()));
        scratch.resize(celos::psf::scratch_size(font, s));
        REQUIRE(celos::psf::service_init(svc, font, map.data(), map.size(), s, scratch.data(), scratch.size(),
                                         file) == nullptr);
    }
    const celos_font_ops* ops() const { return &svc.ops; }
    uint32_t index(uint32_t cp) const { return uint32_t(celos::psf::map_find(map.data(), map.size(), cp)); }
    // Whether pixel (x, y) of `cp`'s glyph (at the font's scale) is ink.
    bool pixel(uint32_t cp, uint32_t x, uint32_t y) const { return font.pixel(index(cp), x / scale, y / scale); }
};

// Terminus 16, Lat15: the console font the shipped bitmap entry uses.
inline PsfFont& terminus16() {
    static PsfFont f("Lat15-Terminus16.psf", 1);
    return f;
}

} // namespace celos::test
