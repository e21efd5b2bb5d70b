// What every font provider (psf, truetype) promises once it has opened a
// font: a sane cell, the baseline and the underline inside it, and every
// printable ASCII character drawn with ink that overlaps its cell. Used by
// the unit tests and the fuzz targets (tests/fuzz/fuzz_truetype.cpp,
// fuzz_psf.cpp): the providers' own checks at open must make these hold.
// Header only, over <celos/font.h>.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <celos/font.h>

namespace celos::test {

// Null when `ops` keeps the promises, else what it breaks (in `buf`).
// `em` is the font's size in pixels (0: not checked against it).
inline const char* font_invariant_violation(const celos_font_ops* ops, uint32_t em, char* buf, size_t size) {
    int64_t w = ops->cell_width, h = ops->cell_height;
    if (w < 3 || h < 6 || w > 2 * h || h > 6 * w || (em && (w > 4 * int64_t(em) || h > 4 * int64_t(em)))) {
        snprintf(buf, size, "cell %lldx%lld at %u px", (long long)w, (long long)h, em);
        return buf;
    }
    if (ops->baseline == 0 || ops->baseline >= h) {
        snprintf(buf, size, "baseline %u outside the cell of height %lld", ops->baseline, (long long)h);
        return buf;
    }
    if (ops->underline_thickness == 0 || int64_t(ops->underline_row) + ops->underline_thickness > h) {
        snprintf(buf, size, "underline rows %u+%u outside the cell of height %lld", ops->underline_row,
                 ops->underline_thickness, (long long)h);
        return buf;
    }
    auto check = [&](uint32_t c, const celos_glyph& g, bool need_ink) -> const char* {
        if (!g.coverage || g.pitch < g.width) {
            snprintf(buf, size, "U+%04X: no coverage or pitch %u < width %u", c, g.pitch, g.width);
            return buf;
        }
        unsigned ink = 0;
        for (uint32_t row = 0; row < g.height; ++row)
            for (uint32_t x = 0; x < g.width; ++x)
                ink |= g.coverage[size_t(row) * g.pitch + x];
        if (!need_ink) return nullptr;
        int64_t x0 = g.left, x1 = x0 + g.width, y0 = int64_t(ops->baseline) - g.top, y1 = y0 + g.height;
        if (!ink) {
            snprintf(buf, size, "U+%04X: blank", c);
            return buf;
        }
        if (x1 <= 0 || x0 >= w || y1 <= 0 || y0 >= h || x0 < -w || x1 > 2 * w || y0 < -h || y1 > 2 * h) {
            snprintf(buf, size, "U+%04X: bitmap at columns %lld..%lld, rows %lld..%lld of a %lldx%lld cell",
                     c, (long long)x0, (long long)x1, (long long)y0, (long long)y1, (long long)w,
                     (long long)h);
            return buf;
        }
        return nullptr;
    };
    for (uint32_t c = 0x20; c <= 0x7e; ++c) {
        celos_glyph g{};
        if (ops->glyph(ops, c, &g) != 0) {
            snprintf(buf, size, "U+%04X: no glyph", c);
            return buf;
        }
        if (const char* why = check(c, g, c != ' ')) return why;
    }
    celos_glyph g{};
    ops->fallback(ops, &g);
    return check(0xfffd, g, false);
}

} // namespace celos::test
