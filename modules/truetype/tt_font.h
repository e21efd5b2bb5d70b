// A TrueType or OpenType (CFF) font from memory, rasterized by FreeType into
// 8-bit coverage bitmaps and offered as a celos_font_ops, with a glyph
// cache so that each glyph is rasterized once. Pure logic over a byte span:
// compiled into truetype.ko and, with a hosted build of the same FreeType
// and configuration, into the host tests, benchmarks and tools
// (celos_truetype_host).
//
// Memory: open() takes one block from kmalloc (<celos/heap.h>; on the host
// a malloc shim), the pool, and everything else comes from it: FreeType's
// memory (an FT_Memory over the pool), the cache's tables and bitmaps. So
// after open, glyph() and fallback(), which the console calls from its log
// sink, never reach the kernel heap: a glyph FreeType cannot render in what
// is left of CacheLimits::freetype_bytes is missing (the console then draws
// the fallback, .notdef, rendered and kept at open). The pool is the heap
// module's allocator (modules/heap/heap_core.cpp) over that one block.
// (Under ASan on the host FreeType's blocks come from malloc instead.)
//
// The cache: code points 0..0xFF are direct-indexed, the others go to an
// open-addressed hash table of CacheLimits::table_slots slots (filled to at
// most 3/4); coverage is copied into 64 KiB chunks the cache owns, at most
// CacheLimits::coverage_bytes in all. So the cache holds at most
// (256 + table_slots) entries of 40 bytes plus coverage_bytes of bitmaps.
// When it is full, a glyph is rendered into FreeType's glyph slot (the
// scratch slot) and returned from there, valid until the next call on the
// font, as the font interface allows. Missing code points are remembered
// too, so a hit never calls FreeType.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <celos/bootfile.h>
#include <celos/font.h>

struct FT_LibraryRec_;
struct FT_FaceRec_;
struct FT_MemoryRec_;

namespace celos_heap {
class Heap;
}

namespace celos::truetype {

enum class Hinting { none, light, normal };

// "none", "light" or "normal"; false for anything else.
bool parse_hinting(const char* text, Hinting& out);
const char* hinting_name(Hinting hinting);

// Whether `data` starts as a font this FreeType opens (an sfnt: TrueType,
// OpenType, a collection; or a bare CFF): null if so, else a message in
// `buf` naming the file and its first bytes ("NAME: not a TrueType or
// OpenType font (it starts 36 04 00 10)"). A cheap check of a face opened
// at first use, made when the module starts; FreeType checks the rest.
const char* sniff_font(const void* data, size_t size, const char* name, char* buf, size_t buf_size);

// Pixels per em the module accepts.
inline constexpr uint32_t kMinPixelSize = 6;
inline constexpr uint32_t kMaxPixelSize = 128;

// The parameters of a font opened while the module runs
// (celos_font_control_ops.open), with the module's defaults.
struct OpenParams {
    uint32_t pixel_size = 16;
    Hinting hinting = Hinting::light;
};
// "size=N hinting=H": words separated by blanks, the last of a repeated key
// counting; null or "" for the defaults. Null on success, else why, with
// *bad and *bad_length the word it is about.
const char* parse_open_params(const char* params, OpenParams& out, const char** bad, size_t* bad_length);

struct CacheLimits {
    uint32_t table_slots = 1024;         // hash slots for code points above 0xFF (a power of two)
    size_t coverage_bytes = 1024 * 1024; // bitmap memory, in 64 KiB chunks
    // FreeType's own memory in the pool (the face, its size, the glyph slot,
    // the hinters' work). DejaVu Sans Mono peaks near 600 KiB (light
    // hinting: the auto-hinter keeps metrics per script, all of U+0020 to
    // U+2FFF drawn), Nimbus Mono PS (CFF) near 110 KiB, at any size.
    size_t freetype_bytes = 1024 * 1024;
};

struct FaceInfo {
    const char* family; // never null ("?" when the font has none)
    const char* style;
    long glyphs;
    bool monospace; // FreeType's FT_IS_FIXED_WIDTH
};

// Runs fn(arg); the module passes one that switches to FreeType's stack.
// Only cache misses (and nothing else in glyph()/fallback()) go through it.
using Runner = void (*)(void (*fn)(void*), void* arg);

class Font {
  public:
    Font() = default;
    explicit Font(const CacheLimits& limits) : limits_(limits) {}
    Font(const Font&) = delete;
    Font& operator=(const Font&) = delete;
    ~Font(); // releases FreeType and the cache

    // Null on success, else a message naming the file and the check, e.g.
    // "NAME: FreeType cannot open it (error 0x02: unknown file format)",
    // valid while the Font lives. Before it succeeds the font proves it can
    // draw basic Latin text: a Unicode mapping of printable ASCII (glyph
    // names, if any, of letters and digits), a sane cell (3x6 px at least,
    // 4 em at most, shape between 2:1 and 1:6) with the baseline in its
    // lower half and a row below, every printable ASCII glyph rendered
    // with ink overlapping the cell, 'x' lower than 'H' and 'p' below 'x',
    // an underline near the cell ("NAME: cell 19x1 is not a sane text
    // cell at 16 px (...)"). rasterizations() does not count these. `name` is the file name used in messages
    // and in ops()->name ("truetype:NAME@SIZE"). Calls FreeType: in the
    // kernel, on FreeType's stack. Once per Font. `prove_glyphs` false skips
    // rendering the printable ASCII glyphs (a bold or italic face: the
    // regular face proved the text can be drawn, and a styled glyph that
    // does not render is drawn from the regular face), which also leaves
    // them out of the cache until asked for.
    const char* open(const void* data, size_t size, const char* name, uint32_t pixel_size, Hinting hinting,
                     bool prove_glyphs = true);

    // Opens a fallback face, drawn in the cells of `cell` (another font):
    // at the largest pixel size up to `max_pixel_size` at which its cell
    // (the advance of 'M', ascender - descender) fits inside `cell`'s, its
    // cell centred vertically in that one (every glyph's top moved by
    // shift()); a glyph of a wide character may be up to two cells wide.
    // It needs a Unicode character map, not basic Latin (the primary font
    // has that); its ops report `cell`'s metrics. Null on success, else a
    // message naming the file and the check ("NAME: no size from 6 to 16
    // px fits the 8x14 cell of psf:X (at 6 px: 9x7)"). Once per Font,
    // instead of open().
    const char* open_fallback(const void* data, size_t size, const char* name, const celos_font_ops& cell,
                              uint32_t max_pixel_size, Hinting hinting);
    // For a bold or italic face opened with open() at the regular face's
    // size: null when its cell fits inside `regular`'s (then its glyphs are
    // placed in that cell, centred vertically like a fallback's), else a
    // message naming the file, `what` ("bold") and the check.
    const char* fit_cell(const celos_font_ops& regular, const char* what);
    // The face styled_glyph() answers `style` (CELOS_FONT_STYLE_BOLD,
    // _ITALIC or both) from; null: none (CELOS_FONT_NO_STYLE, the console
    // synthesizes). The face must outlive its use here.
    void set_style_face(uint32_t style, Font* face);
    // A face opened at first use: until set_style_face(), styled_glyph()
    // answers CELOS_FONT_NO_STYLE for `style` (the console synthesizes it)
    // and notes the style as wanted, which is all a draw may do; the
    // provider opens the face later, outside the draw (its main-loop task).
    void set_style_pending(uint32_t style, bool pending);
    // The styles asked for since the last call (bit 1 << style), cleared.
    uint32_t take_wanted_styles();
    // After a face was added: glyphs drawn before would now be drawn
    // otherwise (celos_font_ops.revision, ABI 1.6).
    void glyphs_changed() { ++ops_.revision; }
    Font* style_face(uint32_t style) const { return style >= 1 && style <= 3 ? styles_[style] : nullptr; }
    // Rows every glyph's top is moved by (fit_cell, open_fallback); 0 for a
    // regular face.
    int32_t shift() const { return shift_; }
    // The pixel size the face was opened at.
    uint32_t pixel_size() const { return pixel_size_; }
    // After a failed open(): whether it failed for want of memory.
    bool out_of_memory() const { return out_of_memory_; }

    // glyph() and fallback() go through the cache. Valid after open().
    const celos_font_ops* ops() const { return &ops_; }
    // Cache misses run through `runner` (null: called directly).
    void set_runner(Runner runner) { runner_ = runner; }

    FaceInfo info() const;
    // FreeType's load flags for FT_Load_Glyph (FT_LOAD_DEFAULT |
    // FT_LOAD_NO_BITMAP | the hinting's flags).
    int32_t load_flags() const { return load_flags_; }

    // The glyph for `codepoint` rasterized now, bypassing the cache (for
    // benchmarks and tests): 0 or CELOS_FONT_NO_GLYPH, like ops()->glyph;
    // *out points into FreeType's glyph slot. Calls FreeType directly.
    int glyph_uncached(uint32_t codepoint, celos_glyph* out);

    // Glyphs rendered by FreeType since open() (cache misses and uncached calls).
    uint64_t rasterizations() const { return rasterizations_; }
    // Glyphs (and missing code points) the cache holds (.notdef, kept from
    // open on, apart), and its bitmap bytes.
    size_t cached_entries() const { return cached_entries_; }
    size_t cached_bytes() const { return chunk_count_ * kChunkBytes; }
    // The pool: its size (fixed at open) and the most of it ever in use.
    size_t pool_bytes() const { return pool_bytes_; }
    size_t pool_peak_bytes() const;

    struct Entry;

  private:
    static constexpr size_t kChunkBytes = 64 * 1024;
    static constexpr uint32_t kDirect = 256;

    static int glyph_hook(const celos_font_ops* ops, uint32_t codepoint, celos_glyph* out);
    static void fallback_hook(const celos_font_ops* ops, celos_glyph* out);
    static int styled_glyph_hook(const celos_font_ops* ops, uint32_t codepoint, uint32_t style,
                                 celos_glyph* out);
    int cached_glyph(uint32_t codepoint, celos_glyph* out);
    const char* open_face(const void* data, size_t size, const char* name, Hinting hinting);
    void fill_ops(const char* name, uint32_t pixel_size);
    static void miss_call(void* arg);

    const char* fail(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
    Entry* slot_for(uint32_t codepoint, bool insert);
    int miss(uint32_t codepoint, bool fallback, celos_glyph* out);
    int render(uint32_t index, celos_glyph* out);
    const char* check_charmap(const char* name);
    const char* check_cell(const char* name, uint32_t pixel_size, int32_t width, int32_t ascender,
                           int32_t height);
    const char* check_glyphs(const char* name, int32_t width, int32_t baseline, int32_t height);
    void commit(Entry* entry, uint32_t codepoint, uint32_t state);
    void store(Entry* entry, uint32_t codepoint, const celos_glyph& glyph);
    uint8_t* chunk_alloc(size_t bytes);
    const char* open_pool(const char* name);
    void* pool_alloc(size_t bytes);

    CacheLimits limits_{};
    celos_font_ops ops_{};
    void* pool_block_ = nullptr;       // from kmalloc: the Heap, then its region
    celos_heap::Heap* pool_ = nullptr; // at the start of pool_block_
    size_t pool_bytes_ = 0;
    FT_MemoryRec_* memory_ = nullptr; // FreeType's FT_Memory, over the pool
    FT_LibraryRec_* library_ = nullptr;
    FT_FaceRec_* face_ = nullptr;
    int32_t load_flags_ = 0;
    Runner runner_ = nullptr;
    Font* styles_[4] = {}; // by style bits; [0] unused
    uint32_t pending_styles_ = 0; // bit 1 << style: opened at first use
    uint32_t wanted_styles_ = 0;  // bit 1 << style: asked for while pending
    int32_t shift_ = 0;
    uint32_t pixel_size_ = 0;
    bool opened_ = false;
    bool out_of_memory_ = false;

    Entry* direct_ = nullptr; // kDirect entries
    Entry* table_ = nullptr;  // limits_.table_slots entries
    Entry* notdef_ = nullptr; // one entry: fallback()
    uint32_t table_used_ = 0;
    size_t cached_entries_ = 0;
    uint64_t rasterizations_ = 0;

    // Coverage chunks: a singly linked list, the newest first.
    uint8_t* chunks_ = nullptr;
    size_t chunk_used_ = 0; // bytes used in the newest chunk
    size_t chunk_count_ = 0;

    char name_[CELOS_BOOTFILE_NAME_MAX + 32] = {}; // "truetype:FILE@SIZE"
    char file_[CELOS_BOOTFILE_NAME_MAX + 1] = {};
    char error_[192] = {};
};

} // namespace celos::truetype
