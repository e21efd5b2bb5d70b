// libFuzzer target: the PSF parser and font service (modules/psf/
// psf_font.cpp) over arbitrary bytes as a font file, in exactly-sized heap
// blocks (so ASan sees any access past the file, the map or the scratch
// bitmap). The input's length picks the scale (1 to 3). When the font is
// accepted it must keep the promises of tests/unit/support/
// font_invariants.h (a sane cell, baseline and underline inside it, every
// printable ASCII glyph drawn with ink overlapping the cell) and the map
// must be sorted and in range. Any violation aborts.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "font_invariants.h"
#include "psf_font.h"

using namespace celos;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<uint8_t> file(data, data + size);
    psf::Font font;
    if (psf::parse(file.empty() ? data : file.data(), file.size(), font)) return 0;
    if (font.used_size > size || font.glyph_count == 0 || font.width == 0 || font.height == 0) std::abort();
    size_t capacity = psf::map_capacity(font);
    std::vector<psf::MapEntry> map(capacity ? capacity : 1);
    size_t count = psf::map_build(font, map.data(), capacity);
    if (count > capacity) std::abort();
    for (size_t i = 0; i < count; ++i)
        if (map[i].glyph >= font.glyph_count || (i && map[i - 1].codepoint >= map[i].codepoint)) std::abort();
    uint32_t scale = 1 + size % 3;
    std::vector<uint8_t> scratch(psf::scratch_size(font, scale));
    psf::FontService svc;
    if (psf::service_init(svc, font, map.data(), count, scale, scratch.data(), scratch.size(), "psf:fuzz"))
        return 0;
    char why[200];
    if (const char* violation = test::font_invariant_violation(&svc.ops, 0, why, sizeof why)) {
        std::fprintf(stderr, "psf font %ux%u at scale %u accepted but: %s\n", font.width, font.height, scale,
                     violation);
        std::abort();
    }
    return 0;
}
