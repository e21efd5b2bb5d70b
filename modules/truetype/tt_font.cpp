// The TrueType font's glyph code and its cache (see tt_font.h).
//
// Cell metrics come from the face at its size: the width is the advance of
// 'M' (a monospace face has one advance), the height ascender - descender,
// the baseline the ascender. Missing code points are drawn with .notdef
// (glyph 0).
#include "tt_font.h"

#include <stdarg.h>

#include <ft2build.h>
#include FT_FREETYPE_H

#include <celos/heap.h>
#ifdef CELOS_FT_HOSTED
#include <stdio.h>
#include <string.h>
#else
#include <celos/libc.h>
#endif

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

void* zalloc(size_t count, size_t size) {
    return kcalloc(count, size);
}

} // namespace

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
    if (library_) FT_Done_FreeType(library_);
    while (chunks_) {
        uint8_t* previous;
        memcpy(&previous, chunks_, sizeof previous);
        kfree(chunks_);
        chunks_ = previous;
    }
    kfree(direct_);
    kfree(table_);
    kfree(notdef_);
}

const char* Font::fail(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vsnprintf(error_, sizeof error_, fmt, args);
    va_end(args);
    return error_;
}

const char* Font::open(const void* data, size_t size, const char* name, uint32_t pixel_size,
                       Hinting hinting) {
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
    direct_ = static_cast<Entry*>(zalloc(kDirect, sizeof(Entry)));
    table_ = static_cast<Entry*>(zalloc(slots, sizeof(Entry)));
    notdef_ = static_cast<Entry*>(zalloc(1, sizeof(Entry)));
    if (!direct_ || !table_ || !notdef_) {
        out_of_memory_ = true;
        return fail("%s: no memory for the glyph cache", name);
    }

    if (FT_Error e = FT_Init_FreeType(&library_); e != 0) {
        library_ = nullptr;
        out_of_memory_ = e == FT_Err_Out_Of_Memory;
        return fail("%s: FreeType does not start (error 0x%02x: %s)", name, static_cast<unsigned>(e), error_text(e));
    }
    if (FT_Error e = FT_New_Memory_Face(library_, static_cast<const FT_Byte*>(data),
                                        static_cast<FT_Long>(size), 0, &face_);
        e != 0) {
        face_ = nullptr;
        out_of_memory_ = e == FT_Err_Out_Of_Memory;
        return fail("%s: FreeType cannot open it (error 0x%02x: %s)", name, static_cast<unsigned>(e), error_text(e));
    }
    FT_Face face = face_;
    if (!FT_IS_SCALABLE(face)) return fail("%s: not a scalable (outline) font", name);
    if (FT_Error e = FT_Set_Pixel_Sizes(face, 0, pixel_size); e != 0)
        return fail("%s: cannot set %u px (error 0x%02x: %s)", name, pixel_size, static_cast<unsigned>(e),
                    error_text(e));

    // Cell width: the (hinted) advance of 'M', else the face's maximum.
    const FT_Size_Metrics& m = face->size->metrics;
    int32_t advance = round26_6(m.max_advance);
    FT_UInt m_index = FT_Get_Char_Index(face, 'M');
    if (m_index != 0 && FT_Load_Glyph(face, m_index, load_flags_) == 0)
        advance = round26_6(face->glyph->advance.x);
    int32_t ascender = round26_6(m.ascender);
    int32_t descender = round26_6(m.descender); // negative: below the baseline
    int32_t height = ascender - descender;
    if (advance < 1 || ascender < 1 || height < 1)
        return fail("%s: unusable metrics at %u px (advance %d, ascender %d, descender %d)", name, pixel_size,
                    advance, ascender, descender);
    // Underline: FreeType's position is the line's centre, in font units,
    // negative below the baseline.
    int32_t thickness = round26_6(FT_MulFix(face->underline_thickness, m.y_scale));
    if (thickness < 1) thickness = 1;
    int32_t centre = ascender - round26_6(FT_MulFix(face->underline_position, m.y_scale));
    int32_t underline_row = centre - thickness / 2;
    if (underline_row <= ascender) underline_row = ascender + 1;
    if (underline_row + thickness > height) underline_row = height - thickness;
    if (underline_row < 0) underline_row = 0;

    snprintf(name_, sizeof name_, "truetype:%s@%u", name, pixel_size);
    ops_.size = sizeof(celos_font_ops);
    ops_.cell_width = static_cast<uint32_t>(advance);
    ops_.cell_height = static_cast<uint32_t>(height);
    ops_.baseline = static_cast<uint32_t>(ascender);
    ops_.underline_row = static_cast<uint32_t>(underline_row);
    ops_.underline_thickness = static_cast<uint32_t>(thickness);
    ops_.name = name_;
    ops_.context = this;
    ops_.glyph = glyph_hook;
    ops_.fallback = fallback_hook;
    return nullptr;
}

FaceInfo Font::info() const {
    if (!face_) return {"?", "?", 0, false};
    return {face_->family_name ? face_->family_name : "?", face_->style_name ? face_->style_name : "?",
            static_cast<long>(face_->num_glyphs), FT_IS_FIXED_WIDTH(face_) != 0};
}

// Renders glyph `index` into the face's slot and describes it in *out.
bool Font::render(uint32_t index, celos_glyph* out) {
    if (FT_Load_Glyph(face_, index, load_flags_) != 0) return false;
    FT_GlyphSlot slot = face_->glyph;
    ++rasterizations_;
    if (FT_Render_Glyph(slot, FT_RENDER_MODE_NORMAL) != 0) return false;
    const FT_Bitmap& bm = slot->bitmap;
    if (bm.pixel_mode != FT_PIXEL_MODE_GRAY || bm.pitch < 0) return false;
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
    return true;
}

int Font::glyph_uncached(uint32_t codepoint, celos_glyph* out) {
    FT_UInt index = FT_Get_Char_Index(face_, codepoint);
    return index != 0 && render(index, out) ? 0 : CELOS_FONT_NO_GLYPH;
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
    if (entry != notdef_ && codepoint >= kDirect) ++table_used_;
    entry->codepoint = codepoint;
    entry->state = state;
    ++cached_entries_;
}

// `bytes` of coverage memory from the chunks, or null when the budget is spent.
uint8_t* Font::chunk_alloc(size_t bytes) {
    constexpr size_t kPayload = kChunkBytes - kChunkHeader;
    if (bytes > kPayload) return nullptr;
    if (!chunks_ || chunk_used_ + bytes > kPayload) {
        if ((chunk_count_ + 1) * kChunkBytes > limits_.coverage_bytes) return nullptr;
        auto* chunk = static_cast<uint8_t*>(kmalloc(kChunkBytes));
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
        uint8_t* p = chunk_alloc(bytes);
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
    if (!render(index, out)) {
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

int Font::glyph_hook(const celos_font_ops* ops, uint32_t codepoint, celos_glyph* out) {
    auto* f = static_cast<Font*>(ops->context);
    if (Entry* e = f->slot_for(codepoint, false); e && e->state != kUnknown) {
        if (e->state == kMissing) return CELOS_FONT_NO_GLYPH;
        *out = e->glyph;
        return 0;
    }
    MissCall c{f, codepoint, false, out, CELOS_FONT_NO_GLYPH};
    if (f->runner_)
        f->runner_(miss_call, &c);
    else
        miss_call(&c);
    return c.result;
}

void Font::fallback_hook(const celos_font_ops* ops, celos_glyph* out) {
    auto* f = static_cast<Font*>(ops->context);
    if (f->notdef_->state == kPresent) {
        *out = f->notdef_->glyph;
        return;
    }
    MissCall c{f, 0, true, out, 0};
    if (f->runner_)
        f->runner_(miss_call, &c);
    else
        miss_call(&c);
}

} // namespace celos::truetype
