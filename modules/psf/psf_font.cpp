// PSF1 and PSF2 parsing. Formats (from the kbd project's psf documentation):
//  PSF1: u8 magic[2] = 36 04, u8 mode, u8 charsize (= height, width 8);
//        mode bit 0: 512 glyphs (else 256), bits 1/2: Unicode table.
//        Table: per glyph, u16 LE code points, 0xFFFE starts a sequence,
//        0xFFFF ends the glyph's entry.
//  PSF2: u32 LE magic 864ab572, version 0, headersize, flags (bit 0:
//        Unicode table), length (glyphs), charsize (bytes per glyph),
//        height, width. Table: per glyph, UTF-8 code points, 0xFE starts a
//        sequence, 0xFF ends the glyph's entry.
// Sequences (combining forms) are validated and skipped: a cell shows one
// code point.
#include "psf_font.h"

namespace celos::psf {
namespace {

constexpr uint32_t kPsf2Magic = 0x864ab572;
constexpr size_t kPsf1HeaderSize = 4;
constexpr size_t kPsf2HeaderSize = 32;

uint32_t read_u32(const uint8_t* p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
uint32_t read_u16(const uint8_t* p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8;
}

// Walks a Unicode table; calls emit(codepoint, glyph) for each single code
// point (not for sequence members). Returns null or a message.
template <typename Emit>
const char* walk_psf1_table(const uint8_t* t, size_t size, uint32_t glyphs, size_t& used, Emit emit) {
    size_t pos = 0;
    for (uint32_t g = 0; g < glyphs; ++g) {
        bool in_sequence = false;
        for (;;) {
            if (pos + 2 > size) return "psf1: Unicode table ends before every glyph's entry is terminated";
            uint32_t v = read_u16(t + pos);
            pos += 2;
            if (v == 0xFFFF) break;
            if (v == 0xFFFE) {
                in_sequence = true;
                continue;
            }
            if (!in_sequence) emit(v, g);
        }
    }
    used = pos;
    return nullptr;
}

// Strict UTF-8: no overlongs, surrogates or values past U+10FFFF.
bool decode_utf8(const uint8_t* t, size_t size, size_t& pos, uint32_t& cp) {
    uint8_t b = t[pos];
    uint32_t need, min;
    if (b < 0x80) {
        cp = b;
        pos += 1;
        return true;
    } else if (b >= 0xC2 && b <= 0xDF) {
        need = 1, min = 0x80, cp = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
        need = 2, min = 0x800, cp = b & 0x0F;
    } else if (b >= 0xF0 && b <= 0xF4) {
        need = 3, min = 0x10000, cp = b & 0x07;
    } else {
        return false;
    }
    if (size - pos < need + 1) return false;
    for (uint32_t i = 1; i <= need; ++i) {
        uint8_t c = t[pos + i];
        if ((c & 0xC0) != 0x80) return false;
        cp = cp << 6 | (c & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    pos += need + 1;
    return true;
}

template <typename Emit>
const char* walk_psf2_table(const uint8_t* t, size_t size, uint32_t glyphs, size_t& used, Emit emit) {
    size_t pos = 0;
    for (uint32_t g = 0; g < glyphs; ++g) {
        bool in_sequence = false;
        for (;;) {
            if (pos >= size) return "psf2: Unicode table ends before every glyph's entry is terminated";
            uint8_t b = t[pos];
            if (b == 0xFF) {
                ++pos;
                break;
            }
            if (b == 0xFE) {
                ++pos;
                in_sequence = true;
                continue;
            }
            uint32_t cp;
            if (!decode_utf8(t, size, pos, cp)) return "psf2: malformed UTF-8 in the Unicode table";
            if (!in_sequence) emit(cp, g);
        }
    }
    used = pos;
    return nullptr;
}

template <typename Emit>
const char* walk_table(const Font& f, Emit emit) {
    size_t used = 0;
    return f.version == 1 ? walk_psf1_table(f.table, f.table_size, f.glyph_count, used, emit)
                          : walk_psf2_table(f.table, f.table_size, f.glyph_count, used, emit);
}

const char* parse_psf1(const uint8_t* data, size_t size, Font& f) {
    if (size < kPsf1HeaderSize) return "psf1: file shorter than the 4-byte header";
    uint8_t mode = data[2];
    if (mode > 7) return "psf1: unknown mode bits";
    f.version = 1;
    f.glyph_count = (mode & 1) ? 512 : 256;
    f.width = 8;
    f.height = data[3];
    f.row_bytes = 1;
    f.glyph_bytes = f.height;
    if (f.height == 0) return "psf1: glyph height is 0";
    size_t glyph_data = size_t(f.glyph_count) * f.glyph_bytes;
    if (glyph_data > size - kPsf1HeaderSize)
        return "psf1: glyph count * glyph size runs past the end of the file";
    f.glyphs = data + kPsf1HeaderSize;
    f.used_size = kPsf1HeaderSize + glyph_data;
    if (mode & 6) {
        f.table = data + f.used_size;
        f.table_size = size - f.used_size;
        uint32_t n = 0;
        size_t used = 0;
        if (const char* e =
                walk_psf1_table(f.table, f.table_size, f.glyph_count, used, [&](uint32_t, uint32_t) { ++n; }))
            return e;
        f.table_codepoints = n;
        f.used_size += used;
    }
    return nullptr;
}

const char* parse_psf2(const uint8_t* data, size_t size, Font& f) {
    if (size < kPsf2HeaderSize) return "psf2: file shorter than the 32-byte header";
    uint32_t version = read_u32(data + 4);
    uint32_t header_size = read_u32(data + 8);
    uint32_t flags = read_u32(data + 12);
    f.version = 2;
    f.glyph_count = read_u32(data + 16);
    f.glyph_bytes = read_u32(data + 20);
    f.height = read_u32(data + 24);
    f.width = read_u32(data + 28);
    if (version != 0) return "psf2: unknown version (not 0)";
    if (header_size < kPsf2HeaderSize) return "psf2: header size smaller than 32";
    if (header_size > size) return "psf2: header size runs past the end of the file";
    if (flags & ~1u) return "psf2: unknown flag bits";
    if (f.glyph_count == 0 || f.glyph_count > kMaxGlyphs) return "psf2: glyph count is 0 or above 65536";
    if (f.width == 0 || f.width > kMaxGlyphSide || f.height == 0 || f.height > kMaxGlyphSide)
        return "psf2: glyph width or height is 0 or above 255";
    f.row_bytes = (f.width + 7) / 8;
    if (f.glyph_bytes != f.row_bytes * f.height) return "psf2: glyph size is not height * ((width + 7) / 8)";
    size_t glyph_data = size_t(f.glyph_count) * f.glyph_bytes;
    if (glyph_data > size - header_size)
        return "psf2: glyph count * glyph size runs past the end of the file";
    f.glyphs = data + header_size;
    f.used_size = header_size + glyph_data;
    if (flags & 1) {
        f.table = data + f.used_size;
        f.table_size = size - f.used_size;
        uint32_t n = 0;
        size_t used = 0;
        if (const char* e =
                walk_psf2_table(f.table, f.table_size, f.glyph_count, used, [&](uint32_t, uint32_t) { ++n; }))
            return e;
        f.table_codepoints = n;
        f.used_size += used;
    }
    return nullptr;
}

// In-place heap sort by (codepoint, glyph): no recursion, no heap.
bool entry_less(const MapEntry& a, const MapEntry& b) {
    return a.codepoint != b.codepoint ? a.codepoint < b.codepoint : a.glyph < b.glyph;
}
void sift_down(MapEntry* e, size_t start, size_t end) {
    size_t root = start;
    while (2 * root + 1 < end) {
        size_t child = 2 * root + 1;
        if (child + 1 < end && entry_less(e[child], e[child + 1])) ++child;
        if (!entry_less(e[root], e[child])) return;
        MapEntry t = e[root];
        e[root] = e[child];
        e[child] = t;
        root = child;
    }
}
void heap_sort(MapEntry* e, size_t n) {
    for (size_t i = n / 2; i-- > 0;)
        sift_down(e, i, n);
    for (size_t end = n; end > 1; --end) {
        MapEntry t = e[0];
        e[0] = e[end - 1];
        e[end - 1] = t;
        sift_down(e, 0, end - 1);
    }
}

int glyph_fn(const celos_font_ops* ops, uint32_t codepoint, celos_glyph* out);

void fill_glyph(FontService& svc, uint32_t index, celos_glyph* out) {
    uint32_t w = svc.font.width * svc.scale, h = svc.font.height * svc.scale;
    render_glyph(svc.font, index, svc.scale, svc.scratch, svc.scratch_size, w);
    out->coverage = svc.scratch;
    out->pitch = w;
    out->width = w;
    out->height = h;
    out->left = 0;
    out->top = int32_t(svc.ops.baseline); // the bitmap is the whole cell
    out->reserved = 0;
}

int glyph_fn(const celos_font_ops* ops, uint32_t codepoint, celos_glyph* out) {
    FontService& svc = *static_cast<FontService*>(ops->context);
    int64_t index = map_find(svc.map, svc.map_count, codepoint);
    if (index < 0) return CELOS_FONT_NO_GLYPH;
    fill_glyph(svc, uint32_t(index), out);
    return 0;
}

void fallback_fn(const celos_font_ops* ops, celos_glyph* out) {
    FontService& svc = *static_cast<FontService*>(ops->context);
    fill_glyph(svc, svc.fallback_glyph, out);
}

// The lowest row of glyph `index` with a pixel set, or -1 when it is blank.
int64_t lowest_row(const Font& font, uint32_t index) {
    for (uint32_t y = font.height; y-- > 0;)
        for (uint32_t x = 0; x < font.width; ++x)
            if (font.pixel(index, x, y)) return y;
    return -1;
}

// Whether the font can draw basic Latin text in a sane cell (the limits of
// modules/truetype's check_cell(), before scaling): at least 3x6 pixels,
// between 2:1 and 1:6; every printable ASCII character mapped and, but
// space, with a pixel set.
const char* check_text(const Font& font, const MapEntry* map, size_t map_count) {
    if (font.width < 3 || font.height < 6 || font.width > 2 * font.height || font.height > 6 * font.width)
        return "psf: the glyph cell is not a sane text cell (at least 3x6 pixels, between 2:1 and 1:6)";
    for (uint32_t c = 0x20; c <= 0x7e; ++c) {
        int64_t index = map_find(map, map_count, c);
        if (index < 0)
            return "psf: printable ASCII (U+0020..U+007E) is not all mapped: not a font for basic Latin";
        if (c != ' ' && lowest_row(font, uint32_t(index)) < 0)
            return "psf: a printable ASCII glyph (U+0021..U+007E) is blank";
    }
    return nullptr;
}

} // namespace

const char* parse(const uint8_t* data, size_t size, Font& out) {
    out = Font{};
    if (!data) return "psf: no data";
    if (size >= 2 && data[0] == 0x36 && data[1] == 0x04) return parse_psf1(data, size, out);
    if (size >= 4 && read_u32(data) == kPsf2Magic) return parse_psf2(data, size, out);
    return "psf: bad magic (neither PSF1 36 04 nor PSF2 72 b5 4a 86)";
}

size_t map_build(const Font& font, MapEntry* entries, size_t capacity) {
    size_t n = 0;
    if (!font.table) {
        if (capacity < font.glyph_count) return 0;
        for (uint32_t g = 0; g < font.glyph_count; ++g)
            entries[n++] = {g, g};
        return n;
    }
    if (capacity < font.table_codepoints) return 0;
    const char* e = walk_table(font, [&](uint32_t cp, uint32_t g) {
        if (n < capacity) entries[n++] = {cp, g};
    });
    if (e) return 0;
    heap_sort(entries, n);
    // Drop duplicates, keeping the lowest glyph (the first listed).
    size_t out = 0;
    for (size_t i = 0; i < n; ++i)
        if (out == 0 || entries[out - 1].codepoint != entries[i].codepoint) entries[out++] = entries[i];
    return out;
}

int64_t map_find(const MapEntry* entries, size_t count, uint32_t codepoint) {
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (entries[mid].codepoint < codepoint)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < count && entries[lo].codepoint == codepoint) return entries[lo].glyph;
    return -1;
}

bool render_glyph(const Font& font, uint32_t index, uint32_t scale, uint8_t* out, size_t out_size,
                  uint32_t pitch) {
    if (index >= font.glyph_count || scale == 0 || scale > kMaxScale || !out) return false;
    uint32_t w = font.width * scale, h = font.height * scale;
    if (pitch < w || size_t(pitch) * (h - 1) + w > out_size) return false;
    for (uint32_t y = 0; y < font.height; ++y) {
        uint8_t* row = out + size_t(y) * scale * pitch;
        const uint8_t* bits = font.glyph_bits(index) + size_t(y) * font.row_bytes;
        for (uint32_t x = 0; x < font.width; ++x) {
            uint8_t v = ((bits[x / 8] >> (7 - x % 8)) & 1) ? 255 : 0;
            for (uint32_t s = 0; s < scale; ++s)
                row[x * scale + s] = v;
        }
        for (uint32_t s = 1; s < scale; ++s)
            __builtin_memcpy(row + size_t(s) * pitch, row, w);
    }
    return true;
}

const char* service_init(FontService& svc, const Font& font, const MapEntry* map, size_t map_count,
                         uint32_t scale, uint8_t* scratch, size_t scratch_bytes, const char* name) {
    if (scale == 0 || scale > kMaxScale) return "psf: scale must be 1 to 8";
    if (!scratch || scratch_bytes < scratch_size(font, scale)) return "psf: scratch buffer too small";
    if (font.glyph_count == 0) return "psf: font not parsed";
    if (const char* why = check_text(font, map, map_count)) return why;
    svc.font = font;
    svc.map = map;
    svc.map_count = map_count;
    svc.scale = scale;
    svc.scratch = scratch;
    svc.scratch_size = scratch_bytes;
    int64_t fb = map_find(map, map_count, 0xFFFD);
    if (fb < 0) fb = map_find(map, map_count, '?');
    svc.fallback_glyph = fb < 0 ? 0 : uint32_t(fb);

    // PSF has no baseline: take it below the lowest set row of 'H'
    // (check_text() made sure there is one), but inside the cell with a row
    // below it: 8x8 fonts such as Lat7-VGA8 draw 'H' down to the last row.
    uint32_t baseline = uint32_t(lowest_row(font, uint32_t(map_find(map, map_count, 'H')))) + 1;
    if (baseline >= font.height) baseline = font.height - 1;
    svc.ops = celos_font_ops{};
    svc.ops.size = sizeof(celos_font_ops);
    svc.ops.cell_width = font.width * scale;
    svc.ops.cell_height = font.height * scale;
    svc.ops.baseline = baseline * scale;
    svc.ops.underline_row = baseline * scale < svc.ops.cell_height
                                ? baseline * scale + (font.height - baseline) / 2 * scale
                                : svc.ops.cell_height - scale;
    if (svc.ops.underline_row + scale > svc.ops.cell_height)
        svc.ops.underline_row = svc.ops.cell_height - scale;
    svc.ops.underline_thickness = scale;
    svc.ops.name = name;
    svc.ops.context = &svc;
    svc.ops.glyph = glyph_fn;
    svc.ops.fallback = fallback_fn;
    // A PSF font has one face: no styled_glyph (null, ABI 1.5), so the
    // console synthesizes bold and italic, as for CELOS_FONT_NO_STYLE.
    svc.ops.styled_glyph = nullptr;
    return nullptr;
}

const char* parse_open_params(const char* params, uint32_t& scale, const char** bad, size_t* bad_length) {
    uint32_t value = 1;
    for (size_t at = 0; params && params[at];) {
        if (params[at] == ' ' || params[at] == '\t') {
            ++at;
            continue;
        }
        size_t end = at;
        while (params[end] && params[end] != ' ' && params[end] != '\t') ++end;
        *bad = params + at;
        *bad_length = end - at;
        const char* word = params + at;
        if (end - at < 6 || word[0] != 's' || word[1] != 'c' || word[2] != 'a' || word[3] != 'l' || word[4] != 'e' ||
            word[5] != '=')
            return "unknown parameter (a PSF font takes scale=N)";
        uint32_t n = 0;
        size_t digits = 0;
        for (size_t i = at + 6; i < end; ++i, ++digits) {
            if (params[i] < '0' || params[i] > '9' || digits == 4) return "scale must be a number from 1 to 8";
            n = n * 10 + uint32_t(params[i] - '0');
        }
        if (digits == 0 || n < 1 || n > kMaxScale) return "scale must be a number from 1 to 8";
        value = n;
        at = end;
    }
    scale = value;
    return nullptr;
}

} // namespace celos::psf
