// Box drawing, block elements and Braille from the cell size (boxdraw.h).
//
// Lines. A box-drawing character is up to four arms from the cell's centre
// to the middle of its edges (left, right, up, down), each none, light
// (t rows or columns), heavy (2t) or double (two lines of t, a gap of t
// between). A horizontal arm of thickness k fills rows (h - k) / 2 ..
// + k, a vertical one columns (w - k) / 2 .. + k: the same rows in every
// cell of a row and the same columns in every cell of a column, so lines
// join across cells with no gap and no step. Arms reach over the centre
// square (as wide as the thickest perpendicular arm) so that corners and
// junctions are closed. A double arm is filled as one line 3t thick, then
// its gap is cut out from the far edge up to t inside the centre square:
// that keeps the outer line of a corner whole, breaks the inner one, and
// lets a single line cross a double one (the cuts of the two directions
// make the four-way double junctions).
//
// Dashes divide the edge into 2, 3 or 4 equal segments with a gap at each
// end of the segment; arcs are a quarter circle between the light
// horizontal and vertical strokes, antialiased by 4x4 samples in integer
// arithmetic; diagonals run corner to corner, sampled the same way.
#include "boxdraw.h"

namespace celos::fbcon {
namespace {

struct Canvas {
    uint8_t* cov;
    size_t pitch;
    int64_t w, h;

    // Sets [x0, x1) x [y0, y1), clipped to the cell, to v.
    void rect(int64_t x0, int64_t y0, int64_t x1, int64_t y1, uint8_t v) const {
        if (x0 < 0) x0 = 0;
        if (y0 < 0) y0 = 0;
        if (x1 > w) x1 = w;
        if (y1 > h) y1 = h;
        for (int64_t y = y0; y < y1; ++y)
            for (int64_t x = x0; x < x1; ++x)
                cov[size_t(y) * pitch + size_t(x)] = v;
    }
    void max(int64_t x, int64_t y, uint8_t v) const {
        if (x < 0 || y < 0 || x >= w || y >= h) return;
        uint8_t& p = cov[size_t(y) * pitch + size_t(x)];
        if (v > p) p = v;
    }
};

// Per code point U+2500-257F: the weight of the left, right, up and down
// arms (0 none, 1 light, 2 heavy, 3 double); '.' for dashes, arcs and
// diagonals, drawn apart.
// clang-format off
constexpr char kArms[] =
    "1100" "2200" "0011" "0022" "...." "...." "...." "...." // 2500
    "...." "...." "...." "...." "0101" "0201" "0102" "0202" // 2508
    "1001" "2001" "1002" "2002" "0110" "0210" "0120" "0220" // 2510
    "1010" "2010" "1020" "2020" "0111" "0211" "0121" "0112" // 2518
    "0122" "0221" "0212" "0222" "1011" "2011" "1021" "1012" // 2520
    "1022" "2021" "2012" "2022" "1101" "2101" "1201" "2201" // 2528
    "1102" "2102" "1202" "2202" "1110" "2110" "1210" "2210" // 2530
    "1120" "2120" "1220" "2220" "1111" "2111" "1211" "2211" // 2538
    "1121" "1112" "1122" "2121" "1221" "2112" "1212" "2221" // 2540
    "2212" "2122" "1222" "2222" "...." "...." "...." "...." // 2548
    "3300" "0033" "0301" "0103" "0303" "3001" "1003" "3003" // 2550
    "0310" "0130" "0330" "3010" "1030" "3030" "0311" "0133" // 2558
    "0333" "3011" "1033" "3033" "3301" "1103" "3303" "3310" // 2560
    "1130" "3330" "3311" "1133" "3333" "...." "...." "...." // 2568
    "...." "...." "...." "...." "1000" "0010" "0100" "0001" // 2570
    "2000" "0020" "0200" "0002" "1200" "0012" "2100" "0021"; // 2578
// clang-format on
static_assert(sizeof kArms == 128 * 4 + 1, "one entry per code point");

int64_t max2(int64_t a, int64_t b) {
    return a > b ? a : b;
}
int64_t min2(int64_t a, int64_t b) {
    return a < b ? a : b;
}

void arms(const Canvas& c, const char* spec, int64_t t) {
    int64_t weight[4], k[4]; // left, right, up, down
    for (int i = 0; i < 4; ++i) {
        weight[i] = spec[i] - '0';
        k[i] = weight[i] * t;
    }
    int64_t w = c.w, h = c.h;
    int64_t tv = max2(k[2], k[3]), th = max2(k[0], k[1]);
    if (tv == 0) tv = th;
    if (th == 0) th = tv;
    int64_t cx0 = (w - tv) / 2, cx1 = cx0 + tv, cy0 = (h - th) / 2, cy1 = cy0 + th;
    if (k[0]) c.rect(0, (h - k[0]) / 2, cx1, (h - k[0]) / 2 + k[0], 255);
    if (k[1]) c.rect(cx0, (h - k[1]) / 2, w, (h - k[1]) / 2 + k[1], 255);
    if (k[2]) c.rect((w - k[2]) / 2, 0, (w - k[2]) / 2 + k[2], cy1, 255);
    if (k[3]) c.rect((w - k[3]) / 2, cy0, (w - k[3]) / 2 + k[3], h, 255);
    int64_t gy = (h - 3 * t) / 2 + t, gx = (w - 3 * t) / 2 + t; // the gaps of double lines
    if (weight[0] == 3) c.rect(0, gy, cx1 - t, gy + t, 0);
    if (weight[1] == 3) c.rect(cx0 + t, gy, w, gy + t, 0);
    if (weight[2] == 3) c.rect(gx, 0, gx + t, cy1 - t, 0);
    if (weight[3] == 3) c.rect(gx, cy0 + t, gx + t, h, 0);
}

// `n` dashes of thickness k along the cell, horizontal or vertical.
void dashes(const Canvas& c, bool horizontal, int64_t n, int64_t k) {
    int64_t len = horizontal ? c.w : c.h;
    int64_t across = horizontal ? c.h : c.w;
    int64_t a0 = (across - k) / 2;
    for (int64_t i = 0; i < n; ++i) {
        int64_t s0 = i * len / n, s1 = (i + 1) * len / n;
        int64_t gap = max2(1, (s1 - s0) / 3);
        int64_t d0 = s0 + gap / 2, d1 = s1 - (gap - gap / 2);
        if (horizontal)
            c.rect(d0, a0, d1, a0 + k, 255);
        else
            c.rect(a0, d0, a0 + k, d1, 255);
    }
}

// Coverage of 4x4 samples of pixel (x, y) for which inside(sx, sy) holds,
// sample coordinates in eighths of a pixel.
template <typename F>
uint8_t sampled(int64_t x, int64_t y, F inside) {
    uint32_t n = 0;
    for (int64_t j = 0; j < 4; ++j)
        for (int64_t i = 0; i < 4; ++i)
            if (inside(8 * x + 1 + 2 * i, 8 * y + 1 + 2 * j)) ++n;
    return uint8_t(n * 255 / 16);
}

// A light arc joining the arm to the right (or left) and the one down (or up).
void arc(const Canvas& c, bool right, bool down, int64_t t) {
    int64_t w = c.w, h = c.h;
    int64_t vx0 = (w - t) / 2, hy0 = (h - t) / 2;
    int64_t xc = 8 * vx0 + 4 * t, yc = 8 * hy0 + 4 * t; // stroke centres, eighths of a pixel
    // The radius leaves at least a pixel of straight line at each edge, so
    // that the edge columns and rows equal those of the plain lines.
    int64_t r = min2(right ? 8 * w - xc : xc, down ? 8 * h - yc : yc) - 8;
    if (r <= 0) {
        arms(c, right ? (down ? "0101" : "0110") : (down ? "1001" : "1010"), t);
        return;
    }
    int64_t ox = right ? xc + r : xc - r, oy = down ? yc + r : yc - r; // the circle's centre
    int64_t lo = max2(0, r - 4 * t), hi = r + 4 * t;
    for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x)
            c.max(x, y, sampled(x, y, [&](int64_t sx, int64_t sy) {
                      if (right ? sx > ox : sx < ox) return false;
                      if (down ? sy > oy : sy < oy) return false;
                      int64_t d2 = (sx - ox) * (sx - ox) + (sy - oy) * (sy - oy);
                      return d2 >= lo * lo && d2 <= hi * hi;
                  }));
    // The straight rest of each arm, from the circle's centre to the edge.
    if (right)
        c.rect(ox / 8, hy0, w, hy0 + t, 255);
    else
        c.rect(0, hy0, (ox + 7) / 8, hy0 + t, 255);
    if (down)
        c.rect(vx0, oy / 8, vx0 + t, h, 255);
    else
        c.rect(vx0, 0, vx0 + t, (oy + 7) / 8, 255);
}

// Corner to corner: from the top left down (falling) or from the bottom left up.
void diagonal(const Canvas& c, bool falling, int64_t t) {
    int64_t w = c.w, h = c.h;
    int64_t limit = 16 * t * t * (w * w + h * h);
    for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x)
            c.max(x, y, sampled(x, y, [&](int64_t sx, int64_t sy) {
                      int64_t f = falling ? h * sx - w * sy : h * sx + w * sy - 8 * w * h;
                      return f * f <= limit;
                  }));
}

void box(const Canvas& c, uint32_t cp, int64_t t) {
    uint32_t i = cp - 0x2500;
    if (kArms[4 * i] != '.') {
        arms(c, kArms + 4 * i, t);
        return;
    }
    switch (cp) {
    case 0x2504: dashes(c, true, 3, t); break;
    case 0x2505: dashes(c, true, 3, 2 * t); break;
    case 0x2506: dashes(c, false, 3, t); break;
    case 0x2507: dashes(c, false, 3, 2 * t); break;
    case 0x2508: dashes(c, true, 4, t); break;
    case 0x2509: dashes(c, true, 4, 2 * t); break;
    case 0x250A: dashes(c, false, 4, t); break;
    case 0x250B: dashes(c, false, 4, 2 * t); break;
    case 0x254C: dashes(c, true, 2, t); break;
    case 0x254D: dashes(c, true, 2, 2 * t); break;
    case 0x254E: dashes(c, false, 2, t); break;
    case 0x254F: dashes(c, false, 2, 2 * t); break;
    case 0x256D: arc(c, true, true, t); break;   // down and right
    case 0x256E: arc(c, false, true, t); break;  // down and left
    case 0x256F: arc(c, false, false, t); break; // up and left
    case 0x2570: arc(c, true, false, t); break;  // up and right
    case 0x2571: diagonal(c, false, t); break;
    case 0x2572: diagonal(c, true, t); break;
    case 0x2573:
        diagonal(c, false, t);
        diagonal(c, true, t);
        break;
    default: break;
    }
}

// Block elements U+2580-259F. Halves split at the same row and column in
// every block, so that complementary blocks tile exactly.
void block(const Canvas& c, uint32_t cp) {
    int64_t w = c.w, h = c.h;
    auto lower = [&](int64_t eighths) { return h - (h * eighths + 4) / 8; }; // first row of the lower part
    auto left = [&](int64_t eighths) { return (w * eighths + 4) / 8; };      // end of the left part
    int64_t mx = left(4), my = lower(4);
    if (cp == 0x2580) {
        c.rect(0, 0, w, my, 255);
    } else if (cp <= 0x2588) {
        c.rect(0, lower(cp - 0x2580), w, h, 255);
    } else if (cp <= 0x258F) {
        c.rect(0, 0, left(0x2590 - cp), h, 255);
    } else if (cp == 0x2590) {
        c.rect(mx, 0, w, h, 255);
    } else if (cp <= 0x2593) {
        c.rect(0, 0, w, h, uint8_t(64 * (cp - 0x2590))); // shades: a quarter, half, three quarters
    } else if (cp == 0x2594) {
        c.rect(0, 0, w, h - lower(1), 255);
    } else if (cp == 0x2595) {
        c.rect(w - left(1), 0, w, h, 255);
    } else {
        // Quadrants: 1 upper left, 2 upper right, 4 lower left, 8 lower right.
        static constexpr uint8_t kQuadrants[10] = {4, 8, 1, 13, 9, 7, 11, 2, 6, 14}; // U+2596-259F
        uint8_t q = kQuadrants[cp - 0x2596];
        if (q & 1) c.rect(0, 0, mx, my, 255);
        if (q & 2) c.rect(mx, 0, w, my, 255);
        if (q & 4) c.rect(0, my, mx, h, 255);
        if (q & 8) c.rect(mx, my, w, h, 255);
    }
}

// Braille U+2800-28FF: bit i of cp - 0x2800 is dot i + 1; dots 1-3 and 7
// run down the left column, 4-6 and 8 down the right one. Each dot is a
// square centred in its eighth of the cell (2 columns x 4 rows).
void braille(const Canvas& c, uint32_t cp) {
    static constexpr uint8_t kColumn[8] = {0, 0, 0, 1, 1, 1, 0, 1};
    static constexpr uint8_t kRow[8] = {0, 1, 2, 0, 1, 2, 3, 3};
    int64_t w = c.w, h = c.h;
    int64_t d = max2(1, min2(w / 4, h / 8));
    uint32_t bits = cp - 0x2800;
    for (int i = 0; i < 8; ++i) {
        if (!(bits >> i & 1)) continue;
        int64_t x0 = kColumn[i] * w / 2, x1 = (kColumn[i] + 1) * w / 2;
        int64_t y0 = kRow[i] * h / 4, y1 = (kRow[i] + 1) * h / 4;
        int64_t dx = x0 + (x1 - x0 - d) / 2, dy = y0 + (y1 - y0 - d) / 2;
        c.rect(dx, dy, dx + d, dy + d, 255);
    }
}

} // namespace

uint32_t boxdraw_thickness(uint32_t w, uint32_t h, uint32_t underline_thickness) {
    uint32_t cap = (w < h ? w : h) / 6;
    if (cap < 1) cap = 1;
    uint32_t t = underline_thickness ? underline_thickness : 1;
    return t > cap ? cap : t;
}

void boxdraw_draw(uint32_t cp, uint8_t* cov, size_t pitch, uint32_t w, uint32_t h, uint32_t t) {
    if (w == 0 || h == 0 || !boxdraw_drawn(cp)) return;
    Canvas c{cov, pitch, int64_t(w), int64_t(h)};
    int64_t k = t ? int64_t(t) : 1;
    if (cp <= 0x257F)
        box(c, cp, k);
    else if (cp <= 0x259F)
        block(c, cp);
    else
        braille(c, cp);
}

} // namespace celos::fbcon
