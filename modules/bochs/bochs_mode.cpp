#include "bochs_mode.h"

namespace celos::bochs {
namespace {

const char* parse_number(const char*& p, uint32_t& out) {
    uint64_t v = 0;
    const char* start = p;
    while (*p >= '0' && *p <= '9') {
        v = v * 10 + uint64_t(*p - '0');
        if (v > 100000) return "a number is too large";
        ++p;
    }
    if (p == start) return "expected WIDTHxHEIGHT (like 1280x720)";
    out = uint32_t(v);
    return nullptr;
}

} // namespace

const char* parse_mode(const char* text, uint32_t& width, uint32_t& height) {
    const char* p = text;
    uint32_t w = 0, h = 0;
    if (const char* e = parse_number(p, w)) return e;
    if (*p != 'x' && *p != 'X') return "expected WIDTHxHEIGHT (like 1280x720)";
    ++p;
    if (const char* e = parse_number(p, h)) return e;
    if (*p) return "expected WIDTHxHEIGHT (like 1280x720)";
    width = w;
    height = h;
    return nullptr;
}

const char* plan_mode(uint32_t width, uint32_t height, uint64_t vram, Layout& out) {
    if (width < kMinWidth || height < kMinHeight) return "mode below 320x200";
    if (width > kMaxWidth || height > kMaxHeight) return "mode above the DISPI limit of 16000x12000";
    if (width % 8) return "width not a multiple of 8";
    uint64_t pitch = uint64_t(width) * 4;
    uint64_t frame = pitch * height;
    if (frame > vram) return "mode larger than the video memory (the framebuffer BAR)";
    out.pitch = uint32_t(pitch);
    out.virtual_height = frame * 2 <= vram ? height * 2 : height;
    return nullptr;
}

} // namespace celos::bochs
