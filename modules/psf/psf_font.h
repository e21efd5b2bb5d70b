// PC Screen Font (PSF1 and PSF2) parsing over a byte span, a code point to
// glyph map built into caller memory, glyph rendering into 8-bit coverage
// with an integer scale, and a celos_font_ops adapter. No heap: the caller
// passes every buffer. Compiled into the psf module and the host tests.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <celos/font.h>

namespace celos::psf {

inline constexpr uint32_t kMaxGlyphSide = 255; // pixels, width and height
inline constexpr uint32_t kMaxGlyphs = 65536;
inline constexpr uint32_t kMaxScale = 8;

// One entry of the code point map, sorted by code point.
struct MapEntry {
    uint32_t codepoint;
    uint32_t glyph;
};

// A parsed font: views into the caller's bytes, which must outlive it.
struct Font {
    uint32_t version = 0; // 1 or 2
    uint32_t glyph_count = 0;
    uint32_t width = 0;       // pixels
    uint32_t height = 0;      // pixels
    uint32_t row_bytes = 0;   // bytes per glyph row
    uint32_t glyph_bytes = 0; // bytes per glyph
    const uint8_t* glyphs = nullptr;
    const uint8_t* table = nullptr; // Unicode table, or null
    size_t table_size = 0;
    size_t used_size = 0;          // bytes of the file the font uses
    uint32_t table_codepoints = 0; // single code points in the table (map size)

    // Glyph `index`'s bit rows (row_bytes each, MSB = leftmost pixel).
    const uint8_t* glyph_bits(uint32_t index) const { return glyphs + size_t(index) * glyph_bytes; }
    bool pixel(uint32_t index, uint32_t x, uint32_t y) const {
        return (glyph_bits(index)[y * row_bytes + x / 8] >> (7 - x % 8)) & 1;
    }
};

// Validates the whole file (header, glyph data, every Unicode table entry).
// Returns null on success, else a message naming the failed check.
const char* parse(const uint8_t* data, size_t size, Font& out);

// Entries map_build() may write: the table's single code points, or the
// glyph count for a font without a table (identity map).
inline size_t map_capacity(const Font& font) {
    return font.table ? font.table_codepoints : font.glyph_count;
}

// Fills `entries` (capacity from map_capacity) sorted by code point, the
// first glyph listed winning for duplicates; returns the entry count, or 0
// if capacity is too small.
size_t map_build(const Font& font, MapEntry* entries, size_t capacity);

// Glyph index for `codepoint`, or -1.
int64_t map_find(const MapEntry* entries, size_t count, uint32_t codepoint);

// Renders glyph `index` scaled by `scale` into `out` (width*scale columns,
// height*scale rows, `pitch` bytes per row): 255 where set, 0 elsewhere.
// Returns false if the index, scale or buffer is out of range.
bool render_glyph(const Font& font, uint32_t index, uint32_t scale, uint8_t* out, size_t out_size,
                  uint32_t pitch);

// A font ready to register: Font + map + scratch bitmap + celos_font_ops.
struct FontService {
    Font font;
    const MapEntry* map = nullptr;
    size_t map_count = 0;
    uint32_t scale = 1;
    uint32_t fallback_glyph = 0; // U+FFFD, else '?', else 0
    uint8_t* scratch = nullptr;  // (width*scale) * (height*scale) bytes
    size_t scratch_size = 0;
    celos_font_ops ops{};
};

inline size_t scratch_size(const Font& font, uint32_t scale) {
    return size_t(font.width) * scale * font.height * scale;
}

// Sets up `svc` over a parsed font and a built map; `name`, the map and the
// scratch must outlive it, and `svc` must not move (ops.context points to it).
// Returns null on success, else a message. The font must prove it can draw
// basic Latin text: a cell of at least 3x6 pixels between 2:1 and 1:6,
// every printable ASCII character mapped and (but space) not blank. The
// baseline is taken below 'H', at most at the last row but one.
const char* service_init(FontService& svc, const Font& font, const MapEntry* map, size_t map_count,
                         uint32_t scale, uint8_t* scratch, size_t scratch_size, const char* name);

// The parameters of a font opened while the module runs
// (celos_font_control_ops.open): "scale=N" (1 to kMaxScale), words
// separated by blanks, the last of a repeated key counting; null or "" for
// the default (1). Null on success, else why, with *bad and *bad_length the
// word it is about.
const char* parse_open_params(const char* params, uint32_t& scale, const char** bad, size_t* bad_length);

} // namespace celos::psf
