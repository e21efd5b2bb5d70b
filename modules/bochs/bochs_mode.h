// The pure part of the bochs driver: the mode= parameter and whether a mode
// fits the device's video memory. Compiled into the module and the host
// tests.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace celos::bochs {

// The DISPI interface's limits (QEMU's VBE_DISPI_MAX_XRES / MAX_YRES).
constexpr uint32_t kMaxWidth = 16000, kMaxHeight = 12000, kMinWidth = 320, kMinHeight = 200;

// "WIDTHxHEIGHT" to numbers: null on success, else what is wrong.
const char* parse_mode(const char* text, uint32_t& width, uint32_t& height);

struct Layout {
    uint32_t pitch;          // bytes per row, 32 bpp
    uint32_t virtual_height; // twice the height when it fits, else the height
};

// The layout of a 32 bpp mode in `vram` bytes: null, or why it cannot be set
// (out of the DISPI limits, larger than the video memory).
const char* plan_mode(uint32_t width, uint32_t height, uint64_t vram, Layout& out);

} // namespace celos::bochs
