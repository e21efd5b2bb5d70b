// The TrueType font provider: a TrueType or OpenType (CFF) font from a boot
// file, rasterized by FreeType into anti-aliased coverage bitmaps and
// offered as the "font" service. Parameters: font=FILE (the boot file's
// name, as on its module2 line), size=N (pixels per em), hinting=none,
// light (the default: the auto-hinter's vertical-only hinting) or normal.
//
// Cell metrics come from the face at that size: the width is the advance of
// 'M' (a monospace face has one advance), the height ascender - descender,
// the baseline the ascender. Missing code points are drawn with .notdef
// (glyph 0). First version: every glyph is rasterized on each call (no
// cache yet).
//
// FreeType needs more stack than the kernel's (the auto-hinter keeps about
// 50 KiB of locals in one frame), so every call into it runs on the
// module's own stack (kFreeTypeStackPages, with the range's guard page
// below) through celos_ft_call_on_stack (ft_asm.S).
#include <celos/abi.h>
#include <celos/memory.h>
#include <celos/cxx.h>
#include <celos/font.h>

#include <ft2build.h>
#include FT_FREETYPE_H

extern "C" void* celos_ft_call_on_stack(void* (*fn)(void*), void* arg, void* stack_top);

namespace {

char font_name[64] = "DejaVuSansMono.ttf";
int64_t pixel_size = 16;
char hinting[16] = "light";

const celos_module_param params[] = {
    {"font", CELOS_PARAM_STRING, sizeof font_name, font_name, "the TrueType/OpenType boot file"},
    {"size", CELOS_PARAM_INT, 0, &pixel_size, "pixels per em (6 to 128)"},
    {"hinting", CELOS_PARAM_STRING, sizeof hinting, hinting, "none, light or normal"},
};

constexpr int64_t kMinSize = 6;
constexpr int64_t kMaxSize = 128;
constexpr size_t kFreeTypeStackPages = 64; // 256 KiB

void* ft_stack = nullptr;

void* ft_stack_top() { return static_cast<char*>(ft_stack) + kFreeTypeStackPages * CELOS_PAGE_SIZE; }

template <typename T, void (*Fn)(T*)>
void* ft_stack_thunk(void* arg) {
    Fn(static_cast<T*>(arg));
    return nullptr;
}

// Runs Fn(arg) on the FreeType stack. Never nested: a call already on that
// stack calls FreeType directly.
template <typename T, void (*Fn)(T*)>
void on_ft_stack(T* arg) {
    celos_ft_call_on_stack(ft_stack_thunk<T, Fn>, arg, ft_stack_top());
}

struct TrueTypeFont {
    celos_font_ops ops;
    FT_Library library;
    FT_Face face;
    FT_Int32 load_flags;
    char name[96];
};

TrueTypeFont* font = nullptr;
const uint8_t kEmpty = 0;

int32_t round26_6(FT_Pos v) { return static_cast<int32_t>((v + 32) >> 6); }

// Renders glyph `index` into the face's slot and describes it in *out.
bool render(TrueTypeFont& f, FT_UInt index, celos_glyph* out) {
    if (FT_Load_Glyph(f.face, index, f.load_flags) != 0)
        return false;
    FT_GlyphSlot slot = f.face->glyph;
    if (FT_Render_Glyph(slot, FT_RENDER_MODE_NORMAL) != 0)
        return false;
    const FT_Bitmap& bm = slot->bitmap;
    if (bm.pixel_mode != FT_PIXEL_MODE_GRAY || bm.pitch < 0)
        return false;
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

struct GlyphCall {
    TrueTypeFont* font;
    uint32_t codepoint; // glyph(): the code point; fallback(): unused
    bool fallback;
    celos_glyph* out;
    bool ok;
};

// On the FreeType stack.
void glyph_call(GlyphCall* c) {
    FT_UInt index = c->fallback ? 0 : FT_Get_Char_Index(c->font->face, c->codepoint);
    c->ok = (c->fallback || index != 0) && render(*c->font, index, c->out);
}

int tt_glyph(const celos_font_ops* ops, uint32_t codepoint, celos_glyph* out) {
    GlyphCall c{static_cast<TrueTypeFont*>(ops->context), codepoint, false, out, false};
    on_ft_stack<GlyphCall, glyph_call>(&c);
    return c.ok ? 0 : CELOS_FONT_NO_GLYPH;
}

void tt_fallback(const celos_font_ops* ops, celos_glyph* out) {
    GlyphCall c{static_cast<TrueTypeFont*>(ops->context), 0, true, out, false};
    on_ft_stack<GlyphCall, glyph_call>(&c);
    if (!c.ok)
        *out = celos_glyph{&kEmpty, 0, 0, 0, 0, 0, 0};
}

// On the FreeType stack (open_font's failure paths).
void release(TrueTypeFont* f) {
    if (f->face)
        FT_Done_Face(f->face);
    if (f->library)
        FT_Done_FreeType(f->library);
    delete f;
}

struct InitCall {
    const void* data;
    size_t size;
    FT_Int32 hint_flags;
    celos_status status;
};

void open_call(InitCall* c);

celos_status truetype_init() {
    const void* data = nullptr;
    size_t size = 0;
    if (celos_bootfile_find(font_name, &data, &size) != CELOS_OK) {
        celos_log(CELOS_LOG_ERROR, "font file '%s' not found (add: module2 /boot/modules/%s %s)", font_name, font_name,
                  font_name);
        return CELOS_ERR_NOT_FOUND;
    }
    if (pixel_size < kMinSize || pixel_size > kMaxSize) {
        celos_log(CELOS_LOG_ERROR, "size=%lld is out of range %lld..%lld", static_cast<long long>(pixel_size),
                  static_cast<long long>(kMinSize), static_cast<long long>(kMaxSize));
        return CELOS_ERR_RANGE;
    }
    FT_Int32 hint_flags;
    if (strcmp(hinting, "none") == 0) {
        hint_flags = FT_LOAD_NO_HINTING;
    } else if (strcmp(hinting, "light") == 0) {
        hint_flags = FT_LOAD_TARGET_LIGHT;
    } else if (strcmp(hinting, "normal") == 0) {
        hint_flags = FT_LOAD_TARGET_NORMAL;
    } else {
        celos_log(CELOS_LOG_ERROR, "hinting=%s: expected none, light or normal", hinting);
        return CELOS_ERR_INVALID;
    }
    if (celos_status s = celos_vrange_alloc(kFreeTypeStackPages, CELOS_PROT_READ | CELOS_PROT_WRITE, &ft_stack);
        s != CELOS_OK) {
        celos_log(CELOS_LOG_ERROR, "no memory for FreeType's stack: %s", celos_strerror(s));
        return s;
    }
    InitCall call{data, size, hint_flags, CELOS_ERR_INVALID};
    on_ft_stack<InitCall, open_call>(&call);
    if (call.status != CELOS_OK) {
        celos_vrange_free(ft_stack);
        ft_stack = nullptr;
    }
    return call.status;
}

// On the FreeType stack: opens the face, sets the size, registers the font.
celos_status open_font(const void* data, size_t size, FT_Int32 hint_flags) {
    auto* f = new (std::nothrow) TrueTypeFont{};
    if (!f)
        return CELOS_ERR_NO_MEMORY;
    f->load_flags = FT_LOAD_DEFAULT | FT_LOAD_NO_BITMAP | hint_flags;
    if (FT_Error e = FT_Init_FreeType(&f->library); e != 0) {
        celos_log(CELOS_LOG_ERROR, "FreeType does not start (error 0x%02x)", static_cast<unsigned>(e));
        release(f);
        return e == FT_Err_Out_Of_Memory ? CELOS_ERR_NO_MEMORY : CELOS_ERR_INVALID;
    }
    if (FT_Error e = FT_New_Memory_Face(f->library, static_cast<const FT_Byte*>(data), static_cast<FT_Long>(size), 0,
                                        &f->face);
        e != 0) {
        celos_log(CELOS_LOG_ERROR, "%s: FreeType cannot open it (error 0x%02x%s)", font_name, static_cast<unsigned>(e),
                  e == FT_Err_Unknown_File_Format ? ": unknown file format" : "");
        release(f);
        return e == FT_Err_Out_Of_Memory ? CELOS_ERR_NO_MEMORY : CELOS_ERR_INVALID;
    }
    FT_Face face = f->face;
    if (!FT_IS_SCALABLE(face)) {
        celos_log(CELOS_LOG_ERROR, "%s: not a scalable (outline) font", font_name);
        release(f);
        return CELOS_ERR_INVALID;
    }
    if (FT_Error e = FT_Set_Pixel_Sizes(face, 0, static_cast<FT_UInt>(pixel_size)); e != 0) {
        celos_log(CELOS_LOG_ERROR, "%s: cannot set %lld px (error 0x%02x)", font_name,
                  static_cast<long long>(pixel_size), static_cast<unsigned>(e));
        release(f);
        return CELOS_ERR_INVALID;
    }

    // Cell width: the (hinted) advance of 'M', else the face's maximum.
    const FT_Size_Metrics& m = face->size->metrics;
    int32_t advance = round26_6(m.max_advance);
    FT_UInt m_index = FT_Get_Char_Index(face, 'M');
    if (m_index != 0 && FT_Load_Glyph(face, m_index, f->load_flags) == 0)
        advance = round26_6(face->glyph->advance.x);
    int32_t ascender = round26_6(m.ascender);
    int32_t descender = round26_6(m.descender); // negative: below the baseline
    int32_t height = ascender - descender;
    if (advance < 1 || ascender < 1 || height < 1) {
        celos_log(CELOS_LOG_ERROR, "%s: unusable metrics at %lld px (advance %d, ascender %d, descender %d)",
                  font_name, static_cast<long long>(pixel_size), advance, ascender, descender);
        release(f);
        return CELOS_ERR_INVALID;
    }
    // Underline: FreeType's position is the line's centre, in font units,
    // negative below the baseline.
    int32_t thickness = round26_6(FT_MulFix(face->underline_thickness, m.y_scale));
    if (thickness < 1)
        thickness = 1;
    int32_t centre = ascender - round26_6(FT_MulFix(face->underline_position, m.y_scale));
    int32_t underline_row = centre - thickness / 2;
    if (underline_row <= ascender)
        underline_row = ascender + 1;
    if (underline_row + thickness > height)
        underline_row = height - thickness;
    if (underline_row < 0)
        underline_row = 0;

    snprintf(f->name, sizeof f->name, "truetype:%s@%lld", font_name, static_cast<long long>(pixel_size));
    f->ops.size = sizeof(celos_font_ops);
    f->ops.cell_width = static_cast<uint32_t>(advance);
    f->ops.cell_height = static_cast<uint32_t>(height);
    f->ops.baseline = static_cast<uint32_t>(ascender);
    f->ops.underline_row = static_cast<uint32_t>(underline_row);
    f->ops.underline_thickness = static_cast<uint32_t>(thickness);
    f->ops.name = f->name;
    f->ops.context = f;
    f->ops.glyph = tt_glyph;
    f->ops.fallback = tt_fallback;

    celos_status s = celos_service_register(CELOS_FONT_SERVICE, CELOS_FONT_INTERFACE_VERSION, &f->ops);
    if (s != CELOS_OK) {
        celos_log(CELOS_LOG_ERROR, "cannot register the font service: %s", celos_strerror(s));
        release(f);
        return s;
    }
    font = f;
    celos_log(CELOS_LOG_INFO, "%s: %s %s, %ld glyphs, %lld px, cell %dx%d, baseline %d, hinting %s%s", font_name,
              face->family_name ? face->family_name : "?", face->style_name ? face->style_name : "?",
              static_cast<long>(face->num_glyphs), static_cast<long long>(pixel_size), advance, height, ascender,
              hinting, FT_IS_FIXED_WIDTH(face) ? "" : " (not monospace)");
    return CELOS_OK;
}

void open_call(InitCall* c) { c->status = open_font(c->data, c->size, c->hint_flags); }

} // namespace

CELOS_MODULE_WITH_PARAMS("truetype", "0.1", "heap", truetype_init, nullptr, params, 3);
