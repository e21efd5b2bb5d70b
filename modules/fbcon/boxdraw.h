// Characters the console draws itself instead of asking the font: box
// drawing (U+2500-257F), block elements (U+2580-259F) and Braille
// (U+2800-28FF). They are computed from the cell size alone, pixel-aligned,
// so that lines and blocks join without gaps across cells in every font.
// Pure logic, no heap, integer arithmetic only (the module and the host
// rendering give identical pixels).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace celos::fbcon {

inline bool boxdraw_drawn(uint32_t cp) {
    return (cp >= 0x2500 && cp <= 0x259F) || (cp >= 0x2800 && cp <= 0x28FF);
}

// The light line thickness for a cell of w x h whose font underlines with
// `underline_thickness` rows: that, at least 1, at most a sixth of the
// smaller side (a double line is three of them).
uint32_t boxdraw_thickness(uint32_t w, uint32_t h, uint32_t underline_thickness);

// Draws `cp` (boxdraw_drawn) as 8-bit coverage into `cov`, w x h pixels,
// rows `pitch` bytes apart, which the caller has zeroed; `t` is the light
// line thickness (heavy lines are 2t, double lines two lines of t with a gap
// of t). Writes nothing outside the w x h rectangle.
void boxdraw_draw(uint32_t cp, uint8_t* cov, size_t pitch, uint32_t w, uint32_t h, uint32_t t);

} // namespace celos::fbcon
