#include "kernel/boot_screen.h"

namespace celos {
namespace {

constexpr u32 kBackground = 0x14161a;
constexpr u32 kBandHeight = 6;
constexpr u32 kStateColors[] = {0x3b82f6, 0x22c55e, 0xef4444}; // booting, ready, panic

struct Screen {
    u8* pixels = nullptr;   // null while a module draws
    u8* mapped = nullptr;   // the framebuffer, for boot_screen_reclaim
    mb2::Framebuffer fb{};
    BootState state = BootState::booting;
};
Screen screen;

// Packs 8-bit channels into the framebuffer's pixel layout from its masks.
u32 pack(u32 rgb) {
    auto channel = [](u32 value8, u8 position, u8 size) -> u32 {
        if (size == 0) return 0;
        u32 v = size >= 8 ? value8 << (size - 8) : value8 >> (8 - size);
        return v << position;
    };
    const mb2::Framebuffer& fb = screen.fb;
    return channel((rgb >> 16) & 0xff, fb.red_position, fb.red_size) |
           channel((rgb >> 8) & 0xff, fb.green_position, fb.green_size) |
           channel(rgb & 0xff, fb.blue_position, fb.blue_size);
}

void fill_rows(u32 first, u32 last, u32 rgb) {
    const u32 value = pack(rgb);
    const u32 bytes = (screen.fb.bpp + 7) / 8;
    for (u32 y = first; y < last && y < screen.fb.height; ++y) {
        volatile u8* row = screen.pixels + static_cast<u64>(y) * screen.fb.pitch;
        for (u32 x = 0; x < screen.fb.width; ++x) {
            volatile u8* p = row + static_cast<u64>(x) * bytes;
            if (bytes == 4) *reinterpret_cast<volatile u32*>(p) = value;
            else if (bytes == 2) *reinterpret_cast<volatile u16*>(p) = static_cast<u16>(value);
            else for (u32 i = 0; i < bytes; ++i) p[i] = static_cast<u8>(value >> (8 * i));
        }
    }
}

} // namespace

void boot_screen_init(const mb2::Framebuffer& fb, void* pixels) {
    if (!fb.present || fb.type != mb2::FramebufferType::rgb || pixels == nullptr) return;
    if (fb.bpp != 15 && fb.bpp != 16 && fb.bpp != 24 && fb.bpp != 32) return;
    screen.fb = fb;
    screen.pixels = static_cast<u8*>(pixels);
    screen.mapped = screen.pixels;
    fill_rows(0, fb.height, kBackground);
    boot_screen_set_state(BootState::booting);
}

void boot_screen_release() { screen.pixels = nullptr; }

void boot_screen_reclaim() {
    if (screen.mapped == nullptr || screen.pixels != nullptr) return;
    screen.pixels = screen.mapped;
    fill_rows(0, screen.fb.height, kBackground);
    boot_screen_set_state(screen.state);
}

void boot_screen_set_state(BootState state) {
    screen.state = state;
    if (screen.pixels == nullptr) return;
    fill_rows(0, kBandHeight, kStateColors[static_cast<int>(state)]);
}

} // namespace celos
