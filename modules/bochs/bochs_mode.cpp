#include "bochs_mode.h"

#include <celos/display.h>

namespace celos::bochs {

const char* parse_mode(const char* text, uint32_t& width, uint32_t& height) {
    return celos_display_parse_mode(text, &width, &height);
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
