#include "kernel/boot_screen.h"

namespace celos {
namespace {

constexpr u32 kBackground = 0x14161a;
constexpr u32 kBandHeight = 6;
constexpr u32 kStateColors[] = {0x3b82f6, 0x22c55e, 0xef4444}; // booting, ready, panic

// EGA text: attribute bytes (background << 4 | foreground), CGA colours.
constexpr u8 kTextNormal = 0x07;                     // light grey on black
constexpr u8 kTextStateAttrs[] = {0x1f, 0x2f, 0x4f}; // white on blue, green, red
constexpr const char* kTextStateWords[] = {"booting", "ready", "PANIC: the report is on the serial port"};
// What a person looking at a text-mode screen needs to know. The console
// module draws only into a linear RGB framebuffer.
constexpr const char* kTextMessage[] = {
    "The screen is in EGA text mode: the console needs a linear RGB framebuffer,",
    "so the kernel log is on the serial port only (COM1, 115200 baud, 8N1).",
    "",
    "For the console on screen, boot with a graphics mode: the kernel asks",
    "GRUB for 1024x768x32, which 'set gfxpayload=text' in grub.cfg overrides.",
};

enum class Mode { none, rgb, indexed, text };

struct Screen {
    u8* pixels = nullptr; // null while a module draws
    u8* mapped = nullptr; // the framebuffer, for boot_screen_reclaim
    mb2::Framebuffer fb{};
    Mode mode = Mode::none;
    BootState state = BootState::booting;
    bool cleared = false; // below the band: cleared at the first change of state
};
Screen screen;

// Packs 8-bit channels into the framebuffer's pixel layout from its masks.
u32 pack_rgb(u32 rgb) {
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

// The palette entry nearest to `rgb` (squared distance).
u32 nearest_palette_index(u32 rgb) {
    const mb2::Framebuffer& fb = screen.fb;
    u32 best = 0;
    u32 best_distance = ~0u;
    for (u32 i = 0; i < fb.palette_colors; ++i) {
        const u8* c = fb.palette + 3 * i;
        auto d = [](u32 a, u32 b) { return (a - b) * (a - b); };
        u32 distance = d(c[0], (rgb >> 16) & 0xff) + d(c[1], (rgb >> 8) & 0xff) + d(c[2], rgb & 0xff);
        if (distance < best_distance) best = i, best_distance = distance;
    }
    return best;
}

void fill_rows(u32 first, u32 last, u32 rgb) {
    const u32 value = screen.mode == Mode::indexed ? nearest_palette_index(rgb) : pack_rgb(rgb);
    const u32 bytes = (screen.fb.bpp + 7) / 8;
    for (u32 y = first; y < last && y < screen.fb.height; ++y) {
        volatile u8* row = screen.pixels + static_cast<u64>(y) * screen.fb.pitch;
        for (u32 x = 0; x < screen.fb.width; ++x) {
            volatile u8* p = row + static_cast<u64>(x) * bytes;
            if (bytes == 4)
                *reinterpret_cast<volatile u32*>(p) = value;
            else if (bytes == 2)
                *reinterpret_cast<volatile u16*>(p) = static_cast<u16>(value);
            else
                for (u32 i = 0; i < bytes; ++i)
                    p[i] = static_cast<u8>(value >> (8 * i));
        }
    }
}

// EGA text: one character cell is a character byte and an attribute byte.
void text_put(u32 row, u32 column, const char* s, u8 attr) {
    if (row >= screen.fb.height) return;
    volatile u8* cells = screen.pixels + static_cast<u64>(row) * screen.fb.pitch;
    for (u32 x = column; *s && x < screen.fb.width; ++x, ++s) {
        cells[2 * x] = static_cast<u8>(*s);
        cells[2 * x + 1] = attr;
    }
}

void text_fill_row(u32 row, u8 attr) {
    if (row >= screen.fb.height) return;
    volatile u8* cells = screen.pixels + static_cast<u64>(row) * screen.fb.pitch;
    for (u32 x = 0; x < screen.fb.width; ++x) {
        cells[2 * x] = ' ';
        cells[2 * x + 1] = attr;
    }
}

void clear() {
    if (screen.mode != Mode::text) {
        fill_rows(0, screen.fb.height, kBackground);
        return;
    }
    for (u32 row = 0; row < screen.fb.height; ++row)
        text_fill_row(row, kTextNormal);
    u32 row = 2;
    for (const char* line : kTextMessage)
        text_put(row++, 2, line, kTextNormal);
}

void draw_state() {
    const int s = static_cast<int>(screen.state);
    if (screen.mode != Mode::text) {
        fill_rows(0, kBandHeight, kStateColors[s]);
        return;
    }
    text_fill_row(0, kTextStateAttrs[s]);
    text_put(0, 1, "CelOS: ", kTextStateAttrs[s]);
    text_put(0, 8, kTextStateWords[s], kTextStateAttrs[s]);
}

Mode mode_of(const mb2::Framebuffer& fb) {
    switch (fb.type) {
    case mb2::FramebufferType::rgb:
        return fb.bpp == 15 || fb.bpp == 16 || fb.bpp == 24 || fb.bpp == 32 ? Mode::rgb : Mode::none;
    case mb2::FramebufferType::indexed:
        return fb.bpp == 8 && fb.palette_colors > 0 && fb.palette ? Mode::indexed : Mode::none;
    case mb2::FramebufferType::ega_text:
        // At least the rows and columns of the message, two bytes a cell.
        return fb.width >= 40 && fb.height >= 8 && fb.pitch >= 2 * fb.width ? Mode::text : Mode::none;
    }
    return Mode::none;
}

} // namespace

void boot_screen_init(const mb2::Framebuffer& fb, void* pixels) {
    if (!fb.present || pixels == nullptr) return;
    screen.fb = fb;
    screen.mode = mode_of(fb);
    if (screen.mode == Mode::none) return;
    screen.pixels = static_cast<u8*>(pixels);
    screen.mapped = screen.pixels;
    // In a graphics mode only the band now: a console module usually takes
    // the screen within milliseconds, and clearing a whole framebuffer costs
    // several of them under emulation. The rest is cleared when the state
    // changes (ready or panic) with the core still drawing.
    screen.cleared = false;
    if (screen.mode == Mode::text) {
        clear();
        screen.cleared = true;
    }
    boot_screen_set_state(BootState::booting);
}

void boot_screen_release() {
    screen.pixels = nullptr;
}

void boot_screen_reclaim() {
    if (screen.mapped == nullptr || screen.pixels != nullptr) return;
    screen.pixels = screen.mapped;
    clear();
    screen.cleared = true;
    boot_screen_set_state(screen.state);
}

void boot_screen_set_state(BootState state) {
    screen.state = state;
    if (screen.pixels == nullptr) return;
    if (!screen.cleared && state != BootState::booting) {
        clear();
        screen.cleared = true;
    }
    draw_state();
}

} // namespace celos
