// The system's libfreetype (Debian's libfreetype6) as an independent oracle
// for the TrueType module's glyph code, and as the benchmark's baseline.
// It is loaded with dlopen(RTLD_LOCAL | RTLD_DEEPBIND) and called through
// dlsym'd pointers, so it never binds to (or is bound by) the FreeType copy
// linked into celos_truetype_host: both define the same FT_* symbols. This
// header is plain C++; only ft_oracle.cpp sees the system's FreeType
// headers.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <string>
#include <vector>

namespace celos_test {

// A rendered glyph, rows packed (width bytes each).
struct OracleGlyph {
    uint32_t width = 0, rows = 0;
    int32_t left = 0, top = 0;
    std::vector<uint8_t> pixels;
};

// The cell metrics of tt_font.h's rule, computed with the system library.
struct OracleMetrics {
    uint32_t cell_width = 0, cell_height = 0, baseline = 0, underline_row = 0, underline_thickness = 0;
};

enum class OracleHinting { none, light, normal };

class FreeTypeOracle {
  public:
    FreeTypeOracle() = default;
    FreeTypeOracle(const FreeTypeOracle&) = delete;
    FreeTypeOracle& operator=(const FreeTypeOracle&) = delete;
    ~FreeTypeOracle();

    // Loads libfreetype.so.6 and starts a library: empty, else why not.
    std::string load();
    // The address the system library gives for an FT_* function (dladdr tests).
    void* function(const char* name) const;
    // "2.12.1", from FT_Library_Version.
    std::string version() const;

    // Opens a face from a copy of `data` at `pixel_size` px; empty, else why not.
    std::string open(const void* data, size_t size, uint32_t pixel_size, OracleHinting hinting);
    uint32_t char_index(uint32_t codepoint) const;
    // Every code point the face's charmap maps, ascending.
    std::vector<uint32_t> codepoints() const;
    // FT_Load_Glyph + FT_Render_Glyph(FT_RENDER_MODE_NORMAL) of a glyph index.
    bool render(uint32_t glyph_index, OracleGlyph& out) const;
    // The same work for a code point, nothing copied (the benchmark's baseline).
    bool rasterize(uint32_t codepoint) const;
    OracleMetrics metrics() const;

    struct Api;

  private:
    void close_face();

    void* handle_ = nullptr;
    Api* api_ = nullptr;
    void* library_ = nullptr; // FT_Library
    void* face_ = nullptr;    // FT_Face
    int32_t load_flags_ = 0;
    std::vector<uint8_t> data_;
};

} // namespace celos_test
