// libFuzzer target: the TrueType module's glyph code (modules/truetype/
// tt_font.cpp) over FreeType built from the same sources and configuration
// (celos_ft/), fed arbitrary bytes as a font file. The input's length picks
// the size (6 to 48 px) and the hinting, so that the seeds (DejaVu Sans
// Mono, Liberation Mono, Nimbus Mono PS) are tried several ways. Beyond
// memory safety (ASan, UBSan on our code): when open() accepts the font it
// must keep the promises of tests/unit/support/font_invariants.h (a sane
// cell, baseline and underline inside it, every printable ASCII glyph
// drawn with ink overlapping the cell), and a refusal must name the file;
// then the same bytes open as a fallback face fitted to that font's cell
// (Font::open_fallback) must report the cell's metrics and glyphs whose
// every coverage byte can be read. Any violation aborts.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "font_invariants.h"
#include "tt_font.h"

using namespace celos;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const uint32_t kSizes[] = {6, 9, 12, 16, 16, 16, 24, 48};
    static const truetype::Hinting kHinting[] = {truetype::Hinting::light, truetype::Hinting::none,
                                                 truetype::Hinting::normal};
    uint32_t px = kSizes[size % 8];
    truetype::Hinting hinting = kHinting[size / 8 % 3];
    truetype::Font font;
    if (const char* error = font.open(data, size, "fuzz.ttf", px, hinting)) {
        if (std::strncmp(error, "fuzz.ttf: ", 10) != 0) {
            std::fprintf(stderr, "a refusal that does not name the file: %s\n", error);
            std::abort();
        }
        return 0;
    }
    char why[200];
    if (const char* violation = test::font_invariant_violation(font.ops(), px, why, sizeof why)) {
        std::fprintf(stderr, "fuzz.ttf at %u px, hinting %s, opened but: %s\n", px,
                     truetype::hinting_name(hinting), violation);
        std::abort();
    }
    // A second pass comes from the cache and must agree.
    if (const char* violation = test::font_invariant_violation(font.ops(), px, why, sizeof why)) {
        std::fprintf(stderr, "fuzz.ttf from the cache: %s\n", violation);
        std::abort();
    }
    // The same bytes as a fallback face in this font's cell (issue 17):
    // refused naming the file, or glyphs that stay within two cells and,
    // placed for the cell, start inside its rows' reach.
    truetype::Font fallback;
    const celos_font_ops& cell = *font.ops();
    if (const char* error = fallback.open_fallback(data, size, "fuzz.ttf", cell, px, hinting)) {
        if (std::strncmp(error, "fuzz.ttf: ", 10) != 0) {
            std::fprintf(stderr, "a fallback refusal that does not name the file: %s\n", error);
            std::abort();
        }
        return 0;
    }
    const celos_font_ops* ops = fallback.ops();
    if (ops->cell_width != cell.cell_width || ops->cell_height != cell.cell_height ||
        ops->baseline != cell.baseline || fallback.pixel_size() > px) {
        std::fprintf(stderr, "fuzz.ttf as a fallback: metrics not the cell's, or %u px above %u\n",
                     fallback.pixel_size(), px);
        std::abort();
    }
    for (uint32_t cp = 0x20; cp < 0x250; ++cp) {
        celos_glyph g{};
        if (ops->glyph(ops, cp, &g) != 0) continue;
        if (g.width && (g.pitch < g.width || !g.coverage)) {
            std::fprintf(stderr, "fuzz.ttf as a fallback: U+%04X has pitch %u for width %u\n", cp, g.pitch,
                         g.width);
            std::abort();
        }
        volatile uint8_t sink = 0;
        for (uint32_t r = 0; r < g.height; ++r)
            for (uint32_t x = 0; x < g.width; ++x)
                sink = sink + g.coverage[size_t(r) * g.pitch + x];
        (void)sink;
    }
    return 0;
}
