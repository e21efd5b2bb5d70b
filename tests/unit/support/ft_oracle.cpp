// The system libfreetype oracle (ft_oracle.h). Compiled against the
// system's FreeType headers (/usr/include/freetype2) and never linked with
// -lfreetype: every function comes from dlsym on the dlopen'ed library.
#include "ft_oracle.h"

#include <dlfcn.h>

#include <algorithm>
#include <type_traits>

#include <ft2build.h>
#include FT_FREETYPE_H

namespace celos_test {

struct FreeTypeOracle::Api {
    decltype(&FT_Init_FreeType) init;
    decltype(&FT_Done_FreeType) done;
    decltype(&FT_Library_Version) library_version;
    decltype(&FT_New_Memory_Face) new_memory_face;
    decltype(&FT_Done_Face) done_face;
    decltype(&FT_Set_Pixel_Sizes) set_pixel_sizes;
    decltype(&FT_Get_Char_Index) get_char_index;
    decltype(&FT_Get_First_Char) get_first_char;
    decltype(&FT_Get_Next_Char) get_next_char;
    decltype(&FT_Load_Glyph) load_glyph;
    decltype(&FT_Render_Glyph) render_glyph;
    decltype(&FT_MulFix) mul_fix;
};

namespace {

int32_t round26_6(FT_Pos v) {
    return static_cast<int32_t>((v + 32) >> 6);
}

} // namespace

FreeTypeOracle::~FreeTypeOracle() {
    close_face();
    if (library_) api_->done(static_cast<FT_Library>(library_));
    delete api_;
    if (handle_) dlclose(handle_);
}

std::string FreeTypeOracle::load() {
    if (handle_) return "";
    handle_ = dlopen("libfreetype.so.6", RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (!handle_) {
        const char* e = dlerror();
        return std::string("dlopen libfreetype.so.6: ") + (e ? e : "?") + " (Debian package libfreetype6)";
    }
    api_ = new Api{};
    std::string missing;
    auto get = [&](auto& fn, const char* name) {
        fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(handle_, name));
        if (!fn) missing += std::string(missing.empty() ? "" : ", ") + name;
    };
    get(api_->init, "FT_Init_FreeType");
    get(api_->done, "FT_Done_FreeType");
    get(api_->library_version, "FT_Library_Version");
    get(api_->new_memory_face, "FT_New_Memory_Face");
    get(api_->done_face, "FT_Done_Face");
    get(api_->set_pixel_sizes, "FT_Set_Pixel_Sizes");
    get(api_->get_char_index, "FT_Get_Char_Index");
    get(api_->get_first_char, "FT_Get_First_Char");
    get(api_->get_next_char, "FT_Get_Next_Char");
    get(api_->load_glyph, "FT_Load_Glyph");
    get(api_->render_glyph, "FT_Render_Glyph");
    get(api_->mul_fix, "FT_MulFix");
    if (!missing.empty()) return "libfreetype.so.6 lacks " + missing;
    FT_Library library = nullptr;
    if (FT_Error e = api_->init(&library); e != 0)
        return "FT_Init_FreeType failed with error " + std::to_string(e);
    library_ = library;
    return "";
}

void* FreeTypeOracle::function(const char* name) const {
    return handle_ ? dlsym(handle_, name) : nullptr;
}

std::string FreeTypeOracle::version() const {
    FT_Int major = 0, minor = 0, patch = 0;
    api_->library_version(static_cast<FT_Library>(library_), &major, &minor, &patch);
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

void FreeTypeOracle::close_face() {
    if (face_) api_->done_face(static_cast<FT_Face>(face_));
    face_ = nullptr;
}

std::string FreeTypeOracle::open(const void* data, size_t size, uint32_t pixel_size, OracleHinting hinting) {
    if (!library_) return "the oracle is not loaded";
    close_face();
    data_.assign(static_cast<const uint8_t*>(data), static_cast<const uint8_t*>(data) + size);
    FT_Face face = nullptr;
    if (FT_Error e = api_->new_memory_face(static_cast<FT_Library>(library_), data_.data(),
                                           static_cast<FT_Long>(data_.size()), 0, &face);
        e != 0)
        return "FT_New_Memory_Face failed with error " + std::to_string(e);
    face_ = face;
    if (FT_Error e = api_->set_pixel_sizes(face, 0, pixel_size); e != 0)
        return "FT_Set_Pixel_Sizes failed with error " + std::to_string(e);
    FT_Int32 hint = hinting == OracleHinting::none    ? FT_LOAD_NO_HINTING
                    : hinting == OracleHinting::light ? FT_LOAD_TARGET_LIGHT
                                                      : FT_LOAD_TARGET_NORMAL;
    load_flags_ = FT_LOAD_DEFAULT | FT_LOAD_NO_BITMAP | hint;
    return "";
}

uint32_t FreeTypeOracle::char_index(uint32_t codepoint) const {
    return api_->get_char_index(static_cast<FT_Face>(face_), codepoint);
}

std::vector<uint32_t> FreeTypeOracle::codepoints() const {
    std::vector<uint32_t> out;
    FT_UInt index = 0;
    for (FT_ULong c = api_->get_first_char(static_cast<FT_Face>(face_), &index); index != 0;
         c = api_->get_next_char(static_cast<FT_Face>(face_), c, &index))
        out.push_back(static_cast<uint32_t>(c));
    return out;
}

bool FreeTypeOracle::render(uint32_t glyph_index, OracleGlyph& out) const {
    auto face = static_cast<FT_Face>(face_);
    if (api_->load_glyph(face, glyph_index, load_flags_) != 0 ||
        api_->render_glyph(face->glyph, FT_RENDER_MODE_NORMAL) != 0)
        return false;
    const FT_Bitmap& bm = face->glyph->bitmap;
    if (bm.pixel_mode != FT_PIXEL_MODE_GRAY || bm.pitch < 0) return false;
    out = OracleGlyph{};
    out.left = face->glyph->bitmap_left;
    out.top = face->glyph->bitmap_top;
    if (!bm.buffer || bm.width == 0 || bm.rows == 0) return true; // blank: 0 x 0
    out.width = bm.width;
    out.rows = bm.rows;
    for (unsigned row = 0; row < bm.rows; ++row)
        out.pixels.insert(out.pixels.end(), bm.buffer + size_t(row) * bm.pitch,
                          bm.buffer + size_t(row) * bm.pitch + bm.width);
    return true;
}

bool FreeTypeOracle::rasterize(uint32_t codepoint) const {
    auto face = static_cast<FT_Face>(face_);
    FT_UInt index = api_->get_char_index(face, codepoint);
    return index != 0 && api_->load_glyph(face, index, load_flags_) == 0 &&
           api_->render_glyph(face->glyph, FT_RENDER_MODE_NORMAL) == 0;
}

// The rule tt_font.cpp follows, with the system library's numbers.
OracleMetrics FreeTypeOracle::metrics() const {
    auto face = static_cast<FT_Face>(face_);
    const FT_Size_Metrics& m = face->size->metrics;
    int32_t advance = round26_6(m.max_advance);
    FT_UInt m_index = api_->get_char_index(face, 'M');
    if (m_index != 0 && api_->load_glyph(face, m_index, load_flags_) == 0)
        advance = round26_6(face->glyph->advance.x);
    int32_t ascender = round26_6(m.ascender);
    int32_t height = ascender - round26_6(m.descender);
    int32_t thickness = std::max(1, round26_6(api_->mul_fix(face->underline_thickness, m.y_scale)));
    int32_t centre = ascender - round26_6(api_->mul_fix(face->underline_position, m.y_scale));
    int32_t row = centre - thickness / 2;
    if (row <= ascender) row = ascender + 1;
    if (row + thickness > height) row = height - thickness;
    row = std::max(row, 0);
    return {uint32_t(advance), uint32_t(height), uint32_t(ascender), uint32_t(row), uint32_t(thickness)};
}

} // namespace celos_test
