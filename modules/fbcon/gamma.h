// Linear-light blending for antialiased glyphs.
//
// Framebuffer values are sRGB-encoded: value 128 is not half the light of
// 255, it is about a fifth. Blending coverage directly on those values makes
// light-on-dark text thin and dark-on-light text heavy, and colour fringes
// muddy. The console instead converts both colours to linear light, mixes
// them there by the coverage, and converts back:
//     out = srgb(linear(bg) * (1 - a) + linear(fg) * a)
// with the sRGB transfer function of IEC 61966-2-1.
//
// The two tables are computed at compile time (consteval, no floating point
// at run time, so the module and the host tools give identical pixels):
// kSrgbToLinear maps an 8-bit sRGB value to 16-bit linear light, and
// kLinearToSrgb maps linear light in 12 bits (the 16-bit value >> 4) back to
// 8-bit sRGB, rounded to nearest. tests/unit/test_render.cpp checks both
// against the C library's pow().
#pragma once

#include <stdint.h>

namespace celos::fbcon::gamma {

namespace detail {

// ln(x) for x > 0: scaled into [0.5, 1) by powers of two, then the series of
// 2 atanh((x - 1) / (x + 1)), which converges fast there.
consteval double ln(double x) {
    constexpr double kLn2 = 0.693147180559945309417232121458;
    int exponent = 0;
    while (x >= 1.0) x /= 2, ++exponent;
    while (x < 0.5) x *= 2, --exponent;
    double z = (x - 1) / (x + 1), z2 = z * z, term = z, sum = 0;
    for (int k = 1; k < 200; k += 2) {
        sum += term / k;
        term *= z2;
    }
    return 2 * sum + exponent * kLn2;
}

// e^x for x <= 0 (all this file needs): e^(x/2^n)^(2^n) with a short series.
consteval double exp(double x) {
    int halvings = 0;
    while (x < -0.5) x /= 2, ++halvings;
    double sum = 1, term = 1;
    for (int k = 1; k < 30; ++k) {
        term *= x / k;
        sum += term;
    }
    while (halvings-- > 0) sum *= sum;
    return sum;
}

consteval double pow(double base, double exponent) { return base <= 0 ? 0 : exp(exponent * ln(base)); }

// IEC 61966-2-1: encoded value in [0, 1] to linear light in [0, 1], and back.
consteval double decode(double v) { return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4); }
consteval double encode(double l) { return l <= 0.0031308 ? l * 12.92 : 1.055 * pow(l, 1 / 2.4) - 0.055; }

template <typename T, int N>
struct Table {
    T v[N];
    constexpr T operator[](uint32_t i) const { return v[i]; }
};

consteval Table<uint16_t, 256> make_to_linear() {
    Table<uint16_t, 256> t{};
    for (int i = 0; i < 256; ++i) t.v[i] = static_cast<uint16_t>(decode(i / 255.0) * 65535 + 0.5);
    return t;
}

consteval Table<uint8_t, 4096> make_to_srgb() {
    Table<uint8_t, 4096> t{};
    for (int i = 0; i < 4096; ++i) t.v[i] = static_cast<uint8_t>(encode(i / 4095.0) * 255 + 0.5);
    return t;
}

} // namespace detail

inline constexpr detail::Table<uint16_t, 256> kSrgbToLinear = detail::make_to_linear();
inline constexpr detail::Table<uint8_t, 4096> kLinearToSrgb = detail::make_to_srgb();

// One 8-bit sRGB channel: bg and fg mixed in linear light by coverage a
// (0 = bg, 255 = fg), back in sRGB (12-bit linear resolution: the ends may
// be off by one in the darkest values; blend_rgb() returns them exactly).
constexpr uint32_t blend_channel(uint32_t bg, uint32_t fg, uint32_t a) {
    uint32_t lb = kSrgbToLinear[bg], lf = kSrgbToLinear[fg];
    uint32_t mixed = (lb * (255 - a) + lf * a + 127) / 255; // 16-bit linear
    return kLinearToSrgb[(mixed * 4095 + 32767) / 65535];
}

// 0xRRGGBB colours, channel by channel; bg itself at a = 0, fg at a = 255.
constexpr uint32_t blend_rgb(uint32_t bg, uint32_t fg, uint32_t a) {
    if (a == 0) return bg;
    if (a >= 255) return fg;
    uint32_t out = 0;
    for (uint32_t shift = 0; shift < 24; shift += 8)
        out |= blend_channel((bg >> shift) & 0xFF, (fg >> shift) & 0xFF, a) << shift;
    return out;
}

} // namespace celos::fbcon::gamma
