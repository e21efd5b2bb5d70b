// The TrueType font's glyph code and its cache (see tt_font.h).
//
// Cell metrics come from the face at its size: the width is the advance of
// 'M' (a monospace face has one advance), the height ascender - descender,
// the baseline the ascender. Missing code points are drawn with .notdef
// (glyph 0).
//
// open() proves that the font can draw basic Latin text in a sane cell, or
// refuses it with a message naming the check, so that a fallback font
// takes over instead of a blank or unreadable console (check_charmap(),
// check_cell(), check_glyphs() and the underline check in open()).
#include "tt_font.h"

#include <stdarg.h>

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_MODULE_H

#include <celos/heap.h>
#ifdef CELOS_FT_HOSTED
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#else
#include <celos/libc.h>
#include <celos/log.h>
#endif

#include "heap_core.h"

namespace celos::truetype {

// The state of a cache entry.
enum : uint32_t { kUnknown = 0, kPresent = 1, kMissing = 2 };

struct Font::Entry {
    uint32_t codepoint;
    uint32_t state;
    celos_glyph glyph;
};
static_assert(sizeof(Font::Entry) == 40, "tt_font.h states 40 bytes per entry");

namespace {

const uint8_t kEmpty = 0;
// Each chunk starts with the pointer to the previous one.
constexpr size_t kChunkHeader = 16;

// FreeType's name for an error ("unknown file format", "invalid table").
const char* error_text(FT_Error e) {
    const char* text = FT_Error_String(e);
    return text ? text : "unknown error";
}

int32_t round26_6(FT_Pos v) {
    return static_cast<int32_t>((v + 32) >> 6);
}

// The pool: heap_core's allocator over the block open() takes. Checks on
// (canaries, red zones, poison): FreeType's memory errors are caught there
// as the kernel heap would catch them.
constexpr celos_heap::Options kPoolOptions{true};
// A pool block's header and red zone with checks on, rounded up.
constexpr size_t kBlockOverhead = 64;

[[noreturn]] void pool_fault(const celos_heap::FaultReport& r) {
#ifdef CELOS_FT_HOSTED
    fprintf(stderr, "truetype pool: fault %d on the %zu-byte block %p (%s)\n", static_cast<int>(r.kind),
            r.size, r.pointer, r.detail ? r.detail : "");
    abort();
#else
    celos_panic("truetype pool: fault %d on the %zu-byte block %p (%s)", static_cast<int>(r.kind), r.size,
                r.pointer, r.detail ? r.detail : "");
#endif
}

uintptr_t return_address() {
    return reinterpret_cast<uintptr_t>(__builtin_return_address(0));
}

// Under ASan on the host (the malformed-font tests, the fuzzer) FreeType's
// blocks come from malloc, where ASan checks each to the byte: inside the
// pool an overflow would only be found when the block is freed.
#if defined(CELOS_FT_HOSTED) && defined(__SANITIZE_ADDRESS__)
#define CELOS_TT_FREETYPE_ON_MALLOC 1
#elif defined(CELOS_FT_HOSTED) && defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CELOS_TT_FREETYPE_ON_MALLOC 1
#endif
#endif

// FreeType's FT_Memory over the pool (memory->user).
[[maybe_unused]] celos_heap::Heap& pool_of(FT_Memory memory) {
    return *static_cast<celos_heap::Heap*>(memory->user);
}
void* ft_pool_alloc(FT_Memory memory, long size) {
#ifdef CELOS_TT_FREETYPE_ON_MALLOC
    (void)memory;
    return malloc(static_cast<size_t>(size));
#else
    return pool_of(memory).allocate(static_cast<size_t>(size), 0, return_address(), 0);
#endif
}
void* ft_pool_realloc(FT_Memory memory, long, long new_size, void* block) {
#ifdef CELOS_TT_FREETYPE_ON_MALLOC
    (void)memory;
    return realloc(block, static_cast<size_t>(new_size));
#else
    return pool_of(memory).reallocate(block, static_cast<size_t>(new_size), return_address(), 0);
#endif
}
void ft_pool_free(FT_Memory memory, void* block) {
#ifdef CELOS_TT_FREETYPE_ON_MALLOC
    (void)memory;
    free(block);
#else
    pool_of(memory).free(block, return_address());
#endif
}

constexpr size_t round16(size_t v) {
    return (v + 15) & ~size_t(15);
}

// A bitmap FreeType rendered in a form the font cannot use (render()).
constexpr int kBadBitmap = -1;

// The printable ASCII range every font must draw (space included).
constexpr uint32_t kFirstAscii = 0x20, kLastAscii = 0x7e;

// The limits of a sane text cell, in pixels. The smallest: 3 columns (a
// stroke, a counter and a gap) and 6 rows (the classic 5x7 terminal fonts'
// letters need 5 above the baseline and 1 below). The shape: at most twice
// as wide as tall (even a proportional font's 'M' is narrower than its
// line) and at most 6 times as tall as wide (condensed monospace fonts are
// about 3). The largest: 4 em either way (the sizes go up to 128 px, a
// cell of 512 px is already absurd).
constexpr int32_t kMinCellWidth = 3;
constexpr int32_t kMinCellHeight = 6;
constexpr int32_t kMaxCellEm = 4;

// The Adobe Glyph List name of a letter or a digit: "A", "a", "zero".
const char* const kDigitNames[10] = {"zero", "one", "two",   "three", "four",
                                     "five", "six", "seven", "eight", "nine"};

bool has_prefix(const char* s, const char* prefix, size_t& length) {
    length = strlen(prefix);
    return strncmp(s, prefix, length) == 0;
}

// Whether a glyph name is that of the ASCII letter or digit `c`: its AGL
// name ("A", "zero") or "uniXXXX"/"uXXXX", alone or with a suffix (".alt").
bool latin_name(const char* name, uint32_t c) {
    char letter[2] = {static_cast<char>(c), 0};
    char uni[8], u[8];
    snprintf(uni, sizeof uni, "uni%04X", static_cast<unsigned>(c));
    snprintf(u, sizeof u, "u%04X", static_cast<unsigned>(c));
    const char* agl = c >= '0' && c <= '9' ? kDigitNames[c - '0'] : letter;
    const char* candidates[3] = {agl, uni, u};
    for (const char* candidate : candidates) {
        size_t n;
        if (has_prefix(name, candidate, n) && (name[n] == 0 || name[n] == '.' || name[n] == '_')) return true;
    }
    return false;
}

bool is_letter_or_digit(uint32_t c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

} // namespace

const char* sniff_font(const void* data, size_t size, const char* name, char* buf, size_t buf_size) {
    const auto* b = static_cast<const uint8_t*>(data);
    if (size >= 12) {
        uint32_t tag = uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3];
        if (tag == 0x00010000u || tag == 0x74727565u /* true */ || tag == 0x4F54544Fu /* OTTO */ ||
            tag == 0x74746366u /* ttcf */)
            return nullptr;
        if (b[0] == 1 && b[2] >= 4) return nullptr; // CFF 1.x: major, minor, header size
    }
    char first[3 * 4 + 1] = {};
    size_t n = size < 4 ? size : 4, at = 0;
    for (size_t i = 0; i < n; ++i)
        at += static_cast<size_t>(snprintf(first + at, sizeof first - at, "%s%02x", i ? " " : "", b[i]));
    if (n == 0)
        snprintf(buf, buf_size, "%s: not a TrueType or OpenType font (it is empty)", name);
    else
        snprintf(buf, buf_size, "%s: not a TrueType or OpenType font (it starts %s)", name, first);
    return buf;
}

bool parse_hinting(const char* text, Hinting& out) {
    if (strcmp(text, "none") == 0) {
        out = Hinting::none;
    } else if (strcmp(text, "light") == 0) {
        out = Hinting::light;
    } else if (strcmp(text, "normal") == 0) {
        out = Hinting::normal;
    } else {
        return false;
    }
    return true;
}

const char* parse_open_params(const char* params, OpenParams& out, const char** bad, size_t* bad_length) {
    OpenParams value;
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
        size_t length = end - at;
        if (length >= 5 && strncmp(word, "size=", 5) == 0) {
            uint32_t n = 0;
            size_t digits = 0;
            for (size_t i = 5; i < length; ++i, ++digits) {
                if (word[i] < '0' || word[i] > '9' || digits == 4) return "size must be a number from 6 to 128";
                n = n * 10 + uint32_t(word[i] - '0');
            }
            if (digits == 0 || n < kMinPixelSize || n > kMaxPixelSize) return "size must be a number from 6 to 128";
            value.pixel_size = n;
        } else if (length >= 8 && strncmp(word, "hinting=", 8) == 0) {
            char mode[8] = {};
            if (length - 8 >= sizeof mode) return "hinting must be none, light or normal";
            memcpy(mode, word + 8, length - 8);
            if (!parse_hinting(mode, value.hinting)) return "hinting must be none, light or normal";
        } else {
            return "unknown parameter (a TrueType font takes size=N and hinting=none|light|normal)";
        }
        at = end;
    }
    out = value;
    return nullptr;
}

const char* hinting_name(Hinting hinting) {
    switch (hinting) {
    case Hinting::none: return "none";
    case Hinting::light: return "light";
    case Hinting::normal: return "normal";
    }
    return "?";
}

Font::~Font() {
    if (face_) FT_Done_Face(face_);
    if (library_) FT_Done_Library(library_);
    // The cache's tables and chunks and FreeType's memory are in the pool.
    if (pool_) pool_->shutdown();
    kfree(pool_block_);
}

size_t Font::pool_peak_bytes() const {
    return pool_ ? pool_->stats().peak_bytes : 0;
}

void* Font::pool_alloc(size_t bytes) {
    return pool_->allocate(bytes, 0, return_address(), 0);
}

// The pool, sized for FreeType's memory, the cache's tables and its
// coverage chunks, and FreeType on it.
const char* Font::open_pool(const char* name) {
    size_t tables = (kDirect + limits_.table_slots + 1) * sizeof(Entry) + 3 * kBlockOverhead;
    size_t chunks = limits_.coverage_bytes / kChunkBytes * (kChunkBytes + kBlockOverhead);
    size_t bytes = limits_.freetype_bytes + tables + chunks;
    bytes += bytes / 16; // the allocator's good fit rounds a request up by at most 1/32
    bytes = round16(bytes);
    size_t header = round16(sizeof(celos_heap::Heap));
    pool_block_ = kmalloc(header + bytes);
    if (!pool_block_) {
        out_of_memory_ = true;
        return fail("%s: no memory for the font's pool (%zu KiB)", name, (header + bytes) / 1024);
    }
    pool_ = static_cast<celos_heap::Heap*>(pool_block_);
    if (!pool_->init_fixed(static_cast<uint8_t*>(pool_block_) + header, bytes, kPoolOptions, pool_fault))
        return fail("%s: the font's pool of %zu bytes is too small", name, bytes);
    pool_bytes_ = bytes;

    memory_ = static_cast<FT_Memory>(pool_alloc(sizeof(FT_MemoryRec_)));
    if (!memory_) return fail("%s: no memory for FreeType in the pool", name);
    memory_->user = pool_;
    memory_->alloc = ft_pool_alloc;
    memory_->realloc = ft_pool_realloc;
    memory_->free = ft_pool_free;
    if (FT_Error e = FT_New_Library(memory_, &library_); e != 0) {
        library_ = nullptr;
        out_of_memory_ = e == FT_Err_Out_Of_Memory;
        return fail("%s: FreeType does not start (error 0x%02x: %s)", name, static_cast<unsigned>(e),
                    error_text(e));
    }
    FT_Add_Default_Modules(library_);
    FT_Set_Default_Properties(library_);
    return nullptr;
}

const char* Font::fail(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vsnprintf(error_, sizeof error_, fmt, args);
    va_end(args);
    return error_;
}

// The steps open() and open_fallback() share: the load flags, the pool,
// the cache's tables and the face.
const char* Font::open_face(const void* data, size_t size, const char* name, Hinting hinting) {
    if (opened_) return fail("%s: this font is already open", name);
    opened_ = true;
    FT_Int32 hint_flags = FT_LOAD_TARGET_LIGHT;
    switch (hinting) {
    case Hinting::none: hint_flags = FT_LOAD_NO_HINTING; break;
    case Hinting::light: hint_flags = FT_LOAD_TARGET_LIGHT; break;
    case Hinting::normal: hint_flags = FT_LOAD_TARGET_NORMAL; break;
    }
    load_flags_ = FT_LOAD_DEFAULT | FT_LOAD_NO_BITMAP | hint_flags;

    uint32_t slots = limits_.table_slots;
    if (slots < 4 || (slots & (slots - 1)) != 0)
        return fail("%s: cache table of %u slots: not a power of two >= 4", name, slots);
    if (const char* error = open_pool(name)) return error;
    direct_ = static_cast<Entry*>(pool_alloc(kDirect * sizeof(Entry)));
    table_ = static_cast<Entry*>(pool_alloc(slots * sizeof(Entry)));
    notdef_ = static_cast<Entry*>(pool_alloc(sizeof(Entry)));
    if (!direct_ || !table_ || !notdef_) {
        out_of_memory_ = true;
        return fail("%s: no memory for the glyph cache", name);
    }
    memset(direct_, 0, kDirect * sizeof(Entry));
    memset(table_, 0, slots * sizeof(Entry));
    memset(notdef_, 0, sizeof(Entry));
    if (FT_Error e = FT_New_Memory_Face(library_, static_cast<const FT_Byte*>(data),
                                        static_cast<FT_Long>(size), 0, &face_);
        e != 0) {
        face_ = nullptr;
        out_of_memory_ = e == FT_Err_Out_Of_Memory;
        return fail("%s: FreeType cannot open it (error 0x%02x: %s)", name, static_cast<unsigned>(e),
                    error_text(e));
    }
    if (!FT_IS_SCALABLE(face_)) return fail("%s: not a scalable (outline) font", name);
    return nullptr;
}

void Font::fill_ops(const char* name, uint32_t pixel_size) {
    snprintf(name_, sizeof name_, "truetype:%s@%u", name, pixel_size);
    snprintf(file_, sizeof file_, "%s", name);
    pixel_size_ = pixel_size;
    ops_.size = sizeof(celos_font_ops);
    ops_.name = name_;
    ops_.context = this;
    ops_.glyph = glyph_hook;
    ops_.fallback = fallback_hook;
    ops_.styled_glyph = styled_glyph_hook;
}

const char* Font::open(const void* data, size_t size, const char* name, uint32_t pixel_size, Hinting hinting,
                       bool prove_glyphs) {
    if (const char* error = open_face(data, size, name, hinting)) return error;
    FT_Face face = face_;
    if (FT_Error e = FT_Set_Pixel_Sizes(face, 0, pixel_size); e != 0)
        return fail("%s: cannot set %u px (error 0x%02x: %s)", name, pixel_size, static_cast<unsigned>(e),
                    error_text(e));

    if (const char* error = check_charmap(name)) return error;

    // Cell width: the (hinted) advance of 'M'.
    const FT_Size_Metrics& m = face->size->metrics;
    if (FT_Error e = FT_Load_Glyph(face, FT_Get_Char_Index(face, 'M'), load_flags_); e != 0)
        return fail("%s: glyph 'M' (U+004D) cannot be rendered (error 0x%02x: %s)", name,
                    static_cast<unsigned>(e), error_text(e));
    int32_t advance = round26_6(face->glyph->advance.x);
    int32_t ascender = round26_6(m.ascender);
    int32_t descender = round26_6(m.descender); // negative: below the baseline
    int32_t height = ascender - descender;
    if (const char* error = check_cell(name, pixel_size, advance, ascender, height)) return error;
    // The fallback glyph is kept from now on (in its own block of the pool,
    // not in the chunks), so that fallback() never needs FreeType. Made
    // before check_glyphs() fills the cache.
    celos_glyph notdef{};
    miss(0, true, &notdef);
    if (notdef_->state != kPresent) {
        out_of_memory_ = true;
        return fail("%s: no memory in the pool for the fallback glyph", name);
    }
    if (prove_glyphs)
        if (const char* error = check_glyphs(name, advance, ascender, height)) return error;

    // Underline: FreeType's position is the line's centre, in font units,
    // negative below the baseline. A line the font puts more than a cell
    // away from the baseline, or thicker than a quarter of the cell, is
    // not a font's underline but damage; otherwise it is moved into the
    // cell below the baseline.
    int32_t thickness = round26_6(FT_MulFix(face->underline_thickness, m.y_scale));
    if (thickness < 1) thickness = 1;
    int32_t centre = ascender - round26_6(FT_MulFix(face->underline_position, m.y_scale));
    if (thickness > (height / 4 > 1 ? height / 4 : 1) || centre < ascender - height ||
        centre > ascender + height)
        return fail("%s: underline at row %d, %d px thick, is not within the %dx%d cell (baseline %d)", name,
                    centre, thickness, advance, height, ascender);
    int32_t underline_row = centre - thickness / 2;
    if (underline_row <= ascender) underline_row = ascender + 1;
    if (underline_row + thickness > height) underline_row = height - thickness;
    if (underline_row < 0) underline_row = 0;

    fill_ops(name, pixel_size);
    ops_.cell_width = static_cast<uint32_t>(advance);
    ops_.cell_height = static_cast<uint32_t>(height);
    ops_.baseline = static_cast<uint32_t>(ascender);
    ops_.underline_row = static_cast<uint32_t>(underline_row);
    ops_.underline_thickness = static_cast<uint32_t>(thickness);
    rasterizations_ = 0; // check_glyphs() and the fallback glyph do not count
    return nullptr;
}

// The rows a face's glyphs move by so that its cell (h rows, the baseline
// `ascender` rows down) sits centred vertically in `cell`'s.
static int32_t centring_shift(const celos_font_ops& cell, int32_t ascender, int32_t height) {
    int32_t dy = (static_cast<int32_t>(cell.cell_height) - height) / 2;
    return static_cast<int32_t>(cell.baseline) - dy - ascender;
}

const char* Font::open_fallback(const void* data, size_t size, const char* name, const celos_font_ops& cell,
                                uint32_t max_pixel_size, Hinting hinting) {
    if (const char* error = open_face(data, size, name, hinting)) return error;
    FT_Face face = face_;
    if (!face->charmap || face->charmap->encoding != FT_ENCODING_UNICODE)
        return fail("%s: no Unicode character map: not usable as a fallback font", name);
    if (cell.cell_width == 0 || cell.cell_height == 0 || cell.baseline >= cell.cell_height)
        return fail("%s: the cell of %s (%ux%u, baseline %u) is not one to fit a fallback font in", name,
                    cell.name ? cell.name : "?", cell.cell_width, cell.cell_height, cell.baseline);
    if (max_pixel_size > kMaxPixelSize) max_pixel_size = kMaxPixelSize;
    FT_UInt m = FT_Get_Char_Index(face, 'M');
    int32_t advance = 0, ascender = 0, height = 0;
    uint32_t px = max_pixel_size;
    for (; px >= kMinPixelSize; --px) {
        if (FT_Error e = FT_Set_Pixel_Sizes(face, 0, px); e != 0)
            return fail("%s: cannot set %u px (error 0x%02x: %s)", name, px, static_cast<unsigned>(e),
                        error_text(e));
        const FT_Size_Metrics& sm = face->size->metrics;
        advance = round26_6(sm.max_advance);
        if (m != 0 && FT_Load_Glyph(face, m, load_flags_) == 0) advance = round26_6(face->glyph->advance.x);
        ascender = round26_6(sm.ascender);
        height = ascender - round26_6(sm.descender);
        if (advance > 0 && height > 0 && advance <= static_cast<int32_t>(cell.cell_width) &&
            height <= static_cast<int32_t>(cell.cell_height))
            break;
    }
    if (px < kMinPixelSize)
        return fail("%s: no size from %u to %u px fits the %ux%u cell of %s (at %u px: %dx%d)", name,
                    kMinPixelSize, max_pixel_size, cell.cell_width, cell.cell_height,
                    cell.name ? cell.name : "?", kMinPixelSize, advance, height);
    shift_ = centring_shift(cell, ascender, height);
    celos_glyph notdef{};
    miss(0, true, &notdef);
    if (notdef_->state != kPresent) {
        out_of_memory_ = true;
        return fail("%s: no memory in the pool for the fallback glyph", name);
    }
    fill_ops(name, px);
    ops_.cell_width = cell.cell_width;
    ops_.cell_height = cell.cell_height;
    ops_.baseline = cell.baseline;
    ops_.underline_row = cell.underline_row;
    ops_.underline_thickness = cell.underline_thickness;
    rasterizations_ = 0;
    return nullptr;
}

const char* Font::fit_cell(const celos_font_ops& regular, const char* what) {
    if (!opened_ || !ops_.glyph) return fail("the %s face is not open", what);
    int32_t height = static_cast<int32_t>(ops_.cell_height);
    int32_t ascender = static_cast<int32_t>(ops_.baseline) - shift_;
    if (ops_.cell_width > regular.cell_width || ops_.cell_height > regular.cell_height)
        return fail("%s: the %s face's cell %ux%u does not fit in the regular face's %ux%u (%s)", file_, what,
                    ops_.cell_width, ops_.cell_height, regular.cell_width, regular.cell_height,
                    regular.name ? regular.name : "?");
    shift_ = centring_shift(regular, ascender, height);
    ops_.cell_width = regular.cell_width;
    ops_.cell_height = regular.cell_height;
    ops_.baseline = regular.baseline;
    ops_.underline_row = regular.underline_row;
    ops_.underline_thickness = regular.underline_thickness;
    return nullptr;
}

void Font::set_style_face(uint32_t style, Font* face) {
    if (style < 1 || style > 3) return;
    styles_[style] = face;
    pending_styles_ &= ~(1u << style);
}

void Font::set_style_pending(uint32_t style, bool pending) {
    if (style < 1 || style > 3) return;
    if (pending)
        pending_styles_ |= 1u << style;
    else
        pending_styles_ &= ~(1u << style);
    __atomic_fetch_and(&wanted_styles_, pending_styles_, __ATOMIC_SEQ_CST);
}

// The console draws from its timer interrupt too: the wish is set and
// taken atomically, so one noted between the read and the clear is kept.
uint32_t Font::take_wanted_styles() {
    return __atomic_exchange_n(&wanted_styles_, 0u, __ATOMIC_SEQ_CST) & pending_styles_;
}

// A Unicode mapping of every printable ASCII character, and (when the font
// names its glyphs) letters and digits named as such: a symbol or dingbat
// font maps 'A' to "Alpha" or "a10".
const char* Font::check_charmap(const char* name) {
    FT_Face face = face_;
    if (!face->charmap || face->charmap->encoding != FT_ENCODING_UNICODE) {
        bool symbol = false;
        for (FT_Int i = 0; i < face->num_charmaps; ++i)
            symbol = symbol || face->charmaps[i]->encoding == FT_ENCODING_MS_SYMBOL;
        return fail("%s: no Unicode mapping for basic Latin (%s)", name,
                    symbol ? "a symbol font" : "no Unicode character map");
    }
    for (uint32_t c = kFirstAscii; c <= kLastAscii; ++c)
        if (FT_Get_Char_Index(face, c) == 0)
            return fail("%s: no glyph for '%c' (U+%04X): not a font for basic Latin text", name,
                        static_cast<char>(c), static_cast<unsigned>(c));
    if (!FT_HAS_GLYPH_NAMES(face)) return nullptr;
    unsigned named = 0, total = 0;
    char first_wrong[32] = {};
    uint32_t first_wrong_char = 0;
    for (uint32_t c = '0'; c <= 'z'; ++c) {
        if (!is_letter_or_digit(c)) continue;
        ++total;
        char glyph_name[32];
        if (FT_Get_Glyph_Name(face, FT_Get_Char_Index(face, c), glyph_name, sizeof glyph_name) != 0) {
            glyph_name[0] = 0;
        }
        if (latin_name(glyph_name, c)) {
            ++named;
        } else if (!first_wrong_char) {
            first_wrong_char = c;
            memcpy(first_wrong, glyph_name, sizeof first_wrong);
        }
    }
    if (named * 2 < total)
        return fail(
            "%s: no Unicode mapping for basic Latin (a symbol font: only %u of %u letters and digits are "
            "named as such, '%c' is '%s')",
            name, named, total, static_cast<char>(first_wrong_char), first_wrong);
    return nullptr;
}

// The cell's size and shape (see kMinCellWidth) and its baseline: strictly
// inside, in the lower half, with at least one row below for descenders.
const char* Font::check_cell(const char* name, uint32_t pixel_size, int32_t width, int32_t ascender,
                             int32_t height) {
    const char* why = nullptr;
    int32_t max_side = kMaxCellEm * static_cast<int32_t>(pixel_size);
    if (width < kMinCellWidth || height < kMinCellHeight)
        why = "narrower than 3 or lower than 6 px";
    else if (width > max_side || height > max_side)
        why = "more than 4 em";
    else if (width > 2 * height || height > 6 * width)
        why = "not between 2:1 and 1:6";
    if (why)
        return fail("%s: cell %dx%d is not a sane text cell at %u px (%s)", name, width, height, pixel_size,
                    why);
    if (ascender <= 0 || ascender >= height || 2 * ascender < height)
        return fail(
            "%s: baseline %d is not in the lower half of the %dx%d cell with room below for descenders", name,
            ascender, width, height);
    return nullptr;
}

// Renders every printable ASCII glyph: each must render, have ink (but
// space), and overlap its cell without reaching more than a cell beyond it
// (fbcon clips to the cell: a proportional font's 'W' may be cut, but not
// vanish); and 'x', 'H' and 'p' must look like Latin letters: 'x' no
// taller than 'H', 'p' reaching below the baseline and no higher than 'x'
// (a script font's 'x' may descend as far).
const char* Font::check_glyphs(const char* name, int32_t width, int32_t baseline, int32_t height) {
    int32_t x_top = 0, x_bottom = 0, h_top = 0, p_bottom = 0;
    for (uint32_t c = kFirstAscii; c <= kLastAscii; ++c) {
        celos_glyph g{};
        if (int e = render(FT_Get_Char_Index(face_, c), &g); e != 0)
            return fail("%s: glyph '%c' (U+%04X) cannot be rendered (error 0x%02x: %s)", name,
                        static_cast<char>(c), static_cast<unsigned>(c), static_cast<unsigned>(e),
                        e == kBadBitmap ? "not an 8-bit coverage bitmap" : error_text(e));
        // Rendered once: into the cache, so that the console's first screen
        // (mostly ASCII) rasterizes nothing again.
        if (Entry* entry = slot_for(c, true)) store(entry, c, g);
        if (c == ' ') continue;
        bool ink = false;
        for (uint32_t row = 0; row < g.height && !ink; ++row)
            for (uint32_t x = 0; x < g.width && !ink; ++x)
                ink = g.coverage[size_t(row) * g.pitch + x] != 0;
        if (!ink)
            return fail("%s: glyph '%c' (U+%04X) is blank", name, static_cast<char>(c),
                        static_cast<unsigned>(c));
        int32_t x0 = g.left, x1 = g.left + static_cast<int32_t>(g.width);
        int32_t y0 = baseline - g.top, y1 = y0 + static_cast<int32_t>(g.height);
        if (x1 <= 0 || x0 >= width || y1 <= 0 || y0 >= height || x0 < -width || x1 > 2 * width ||
            y0 < -height || y1 > 2 * height)
            return fail(
                "%s: glyph '%c' (U+%04X) lies outside its cell (columns %d..%d, rows %d..%d of %dx%d)", name,
                static_cast<char>(c), static_cast<unsigned>(c), x0, x1, y0, y1, width, height);
        int32_t bottom = g.top - static_cast<int32_t>(g.height);
        if (c == 'x') x_top = g.top, x_bottom = bottom;
        if (c == 'H') h_top = g.top;
        if (c == 'p') p_bottom = bottom;
    }
    if (x_top > h_top || p_bottom >= 0 || p_bottom > x_bottom)
        return fail(
            "%s: 'x', 'H' and 'p' do not have the shapes of Latin letters ('x' %d..%d, 'H' top %d, 'p' "
            "bottom %d, from the baseline): not a text font",
            name, x_bottom, x_top, h_top, p_bottom);
    return nullptr;
}

FaceInfo Font::info() const {
    if (!face_) return {"?", "?", 0, false};
    return {face_->family_name ? face_->family_name : "?", face_->style_name ? face_->style_name : "?",
            static_cast<long>(face_->num_glyphs), FT_IS_FIXED_WIDTH(face_) != 0};
}

// Renders glyph `index` into the face's slot and describes it in *out:
// 0, FreeType's error or kBadBitmap.
int Font::render(uint32_t index, celos_glyph* out) {
    if (FT_Error e = FT_Load_Glyph(face_, index, load_flags_); e != 0) return e;
    FT_GlyphSlot slot = face_->glyph;
    ++rasterizations_;
    if (FT_Error e = FT_Render_Glyph(slot, FT_RENDER_MODE_NORMAL); e != 0) return e;
    const FT_Bitmap& bm = slot->bitmap;
    if (bm.pixel_mode != FT_PIXEL_MODE_GRAY || bm.pitch < 0) return kBadBitmap;
    if (bm.buffer && bm.rows && bm.width) {
        out->coverage = bm.buffer;
        out->pitch = static_cast<uint32_t>(bm.pitch);
        out->width = bm.width;
        out->height = bm.rows;
    } else { // a blank glyph (space)
        out->coverage = &kEmpty;
        out->pitch = 0;
        out->width = 0;
        out->height = 0;
    }
    out->left = slot->bitmap_left;
    out->top = slot->bitmap_top;
    out->reserved = 0;
    return 0;
}

int Font::glyph_uncached(uint32_t codepoint, celos_glyph* out) {
    FT_UInt index = FT_Get_Char_Index(face_, codepoint);
    return index != 0 && render(index, out) == 0 ? 0 : CELOS_FONT_NO_GLYPH;
}

// The entry for `codepoint`: its own slot below 0x100, else its hash slot
// (linear probing), which may still be empty (kUnknown). Null when it is
// not in the table and (insert) the table is full or (!insert) always.
Font::Entry* Font::slot_for(uint32_t codepoint, bool insert) {
    if (codepoint < kDirect) return &direct_[codepoint];
    uint32_t mask = limits_.table_slots - 1;
    uint32_t i = (codepoint * 0x9e3779b1u) >> 7 & mask;
    for (;; i = (i + 1) & mask) {
        Entry& e = table_[i];
        if (e.state == kUnknown)
            return insert && (table_used_ + 1) * 4 <= limits_.table_slots * 3 ? &e : nullptr;
        if (e.codepoint == codepoint) return &e;
    }
}

// Fills an entry slot_for() returned.
void Font::commit(Entry* entry, uint32_t codepoint, uint32_t state) {
    entry->codepoint = codepoint;
    entry->state = state;
    if (entry == notdef_) return; // kept apart, from open on
    if (codepoint >= kDirect) ++table_used_;
    ++cached_entries_;
}

// `bytes` of coverage memory from the chunks, or null when the budget is spent.
uint8_t* Font::chunk_alloc(size_t bytes) {
    constexpr size_t kPayload = kChunkBytes - kChunkHeader;
    if (bytes > kPayload) return nullptr;
    if (!chunks_ || chunk_used_ + bytes > kPayload) {
        if ((chunk_count_ + 1) * kChunkBytes > limits_.coverage_bytes) return nullptr;
        auto* chunk = static_cast<uint8_t*>(pool_alloc(kChunkBytes));
        if (!chunk) return nullptr;
        memcpy(chunk, &chunks_, sizeof chunks_);
        chunks_ = chunk;
        chunk_used_ = 0;
        ++chunk_count_;
    }
    uint8_t* p = chunks_ + kChunkHeader + chunk_used_;
    chunk_used_ += bytes;
    return p;
}

// Copies `glyph` (in FreeType's slot) into the cache's memory and marks the
// entry present; when no memory is left the entry stays unknown and the
// caller keeps the slot's bitmap.
void Font::store(Entry* entry, uint32_t codepoint, const celos_glyph& glyph) {
    celos_glyph copy = glyph;
    if (glyph.width && glyph.height) {
        size_t bytes = size_t(glyph.width) * glyph.height;
        uint8_t* p = entry == notdef_ ? static_cast<uint8_t*>(pool_alloc(bytes)) : chunk_alloc(bytes);
        if (!p) return;
        for (uint32_t row = 0; row < glyph.height; ++row)
            memcpy(p + size_t(row) * glyph.width, glyph.coverage + size_t(row) * glyph.pitch, glyph.width);
        copy.coverage = p;
        copy.pitch = glyph.width;
    }
    entry->glyph = copy;
    commit(entry, codepoint, kPresent);
}

// A cache miss: looks the code point up, renders and caches it.
int Font::miss(uint32_t codepoint, bool fallback, celos_glyph* out) {
    Entry* entry = fallback ? notdef_ : slot_for(codepoint, true);
    FT_UInt index = 0;
    if (!fallback) {
        index = FT_Get_Char_Index(face_, codepoint);
        if (index == 0) {
            if (entry) commit(entry, codepoint, kMissing);
            return CELOS_FONT_NO_GLYPH;
        }
    }
    if (render(index, out) != 0) {
        if (!fallback) return CELOS_FONT_NO_GLYPH; // not remembered: FreeType may have run out of memory
        *out = celos_glyph{&kEmpty, 0, 0, 0, 0, 0, 0};
    }
    if (entry) {
        store(entry, codepoint, *out);
        if (entry->state == kPresent) *out = entry->glyph;
    }
    return 0;
}

struct MissCall {
    Font* font;
    uint32_t codepoint;
    bool fallback;
    celos_glyph* out;
    int result;
};

void Font::miss_call(void* arg) {
    auto* c = static_cast<MissCall*>(arg);
    c->result = c->font->miss(c->codepoint, c->fallback, c->out);
}

int Font::cached_glyph(uint32_t codepoint, celos_glyph* out) {
    if (Entry* e = slot_for(codepoint, false); e && e->state != kUnknown) {
        if (e->state == kMissing) return CELOS_FONT_NO_GLYPH;
        *out = e->glyph;
        out->top += shift_;
        return 0;
    }
    MissCall c{this, codepoint, false, out, CELOS_FONT_NO_GLYPH};
    if (runner_)
        runner_(miss_call, &c);
    else
        miss_call(&c);
    if (c.result == 0) out->top += shift_;
    return c.result;
}

int Font::glyph_hook(const celos_font_ops* ops, uint32_t codepoint, celos_glyph* out) {
    return static_cast<Font*>(ops->context)->cached_glyph(codepoint, out);
}

// The styled face's glyph; when it has none but the regular face has one,
// CELOS_FONT_NO_STYLE: the regular glyph, synthesized, rather than another
// font's.
int Font::styled_glyph_hook(const celos_font_ops* ops, uint32_t codepoint, uint32_t style, celos_glyph* out) {
    auto* f = static_cast<Font*>(ops->context);
    style &= CELOS_FONT_STYLE_BOLD | CELOS_FONT_STYLE_ITALIC;
    if (style == 0) return f->cached_glyph(codepoint, out);
    Font* face = f->styles_[style];
    if (!face) {
        if (f->pending_styles_ & (1u << style)) __atomic_fetch_or(&f->wanted_styles_, 1u << style, __ATOMIC_SEQ_CST);
        return CELOS_FONT_NO_STYLE;
    }
    if (face->cached_glyph(codepoint, out) == 0) return 0;
    return f->cached_glyph(codepoint, out) == 0 ? CELOS_FONT_NO_STYLE : CELOS_FONT_NO_GLYPH;
}

void Font::fallback_hook(const celos_font_ops* ops, celos_glyph* out) {
    auto* f = static_cast<Font*>(ops->context);
    if (f->notdef_->state == kPresent) {
        *out = f->notdef_->glyph;
    } else {
        MissCall c{f, 0, true, out, 0};
        if (f->runner_)
            f->runner_(miss_call, &c);
        else
            miss_call(&c);
    }
    out->top += f->shift_;
}

} // namespace celos::truetype
