// The core's own screen before a console exists (core/kernel/boot_screen.cpp)
// over a framebuffer in host memory: the status band in RGB and indexed
// modes, and in EGA text mode the note that the log is on serial.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "kernel/boot_screen.h"

using namespace celos;

namespace {

mb2::Framebuffer text_mode() {
    mb2::Framebuffer fb{};
    fb.present = true;
    fb.type = mb2::FramebufferType::ega_text;
    fb.width = 80;
    fb.height = 25;
    fb.pitch = 160;
    fb.bpp = 16;
    return fb;
}

std::string text_row(const std::vector<u8>& cells, u32 row) {
    std::string s;
    for (u32 x = 0; x < 80; ++x)
        s += static_cast<char>(cells[row * 160 + 2 * x]);
    return s.substr(0, s.find_last_not_of(' ') + 1);
}

} // namespace

// Each test hands the screen a new buffer and leaves it released, since the
// boot screen is a single global like the one framebuffer.
TEST_CASE("boot screen: EGA text mode says the log is on serial, with a status line") {
    std::vector<u8> cells(160 * 25, 0xAA);
    boot_screen_init(text_mode(), cells.data());
    CHECK(text_row(cells, 0) == " CelOS: booting");
    CHECK(cells[1] == 0x1f); // white on blue
    std::string all;
    for (u32 r = 0; r < 25; ++r)
        all += text_row(cells, r) + "\n";
    CHECK(all.find("the console needs a linear RGB framebuffer") != std::string::npos);
    CHECK(all.find("the kernel log is on the serial port only (COM1, 115200 baud, 8N1)") !=
          std::string::npos);
    for (u32 r = 0; r < 25; ++r)
        CHECK(text_row(cells, r).size() <= 80);

    boot_screen_set_state(BootState::ready);
    CHECK(text_row(cells, 0) == " CelOS: ready");
    CHECK(cells[1] == 0x2f); // white on green
    boot_screen_set_state(BootState::panic);
    CHECK(text_row(cells, 0).rfind(" CelOS: PANIC", 0) == 0);
    CHECK(cells[1] == 0x4f); // white on red
    boot_screen_release();
    boot_screen_set_state(BootState::booting);
    CHECK(text_row(cells, 0).rfind(" CelOS: PANIC", 0) == 0); // released: untouched
}

TEST_CASE("boot screen: a text mode too small for the note is left alone") {
    mb2::Framebuffer fb = text_mode();
    fb.width = 20;
    fb.pitch = 40;
    std::vector<u8> cells(40 * 25, 0xAA);
    boot_screen_init(fb, cells.data());
    for (u8 b : cells)
        REQUIRE(b == 0xAA);
    boot_screen_release();
}

TEST_CASE("boot screen: indexed 8 bpp draws the band in the palette's nearest colours") {
    // A palette where index 7 is near the ready green and 9 near the background.
    std::vector<u8> palette(16 * 3, 0xff);
    auto set = [&](int i, u8 r, u8 g, u8 b) {
        palette[3 * i] = r;
        palette[3 * i + 1] = g;
        palette[3 * i + 2] = b;
    };
    set(3, 0x30, 0x80, 0xf0);  // blue
    set(7, 0x20, 0xc0, 0x60);  // green
    set(9, 0x10, 0x10, 0x10);  // near black
    set(12, 0xf0, 0x40, 0x40); // red
    mb2::Framebuffer fb{};
    fb.present = true;
    fb.type = mb2::FramebufferType::indexed;
    fb.width = 64;
    fb.height = 32;
    fb.pitch = 64;
    fb.bpp = 8;
    fb.palette = palette.data();
    fb.palette_colors = 16;
    std::vector<u8> pixels(64 * 32, 0xAA);
    boot_screen_init(fb, pixels.data());
    CHECK(pixels[0] == 3);           // booting: blue
    CHECK(pixels[5 * 64 + 63] == 3); // the band is 6 rows
    CHECK(pixels[6 * 64] == 0xAA);   // below it untouched while booting (a console comes soon)
    CHECK(pixels[31 * 64 + 63] == 0xAA);
    boot_screen_set_state(BootState::ready);
    CHECK(pixels[0] == 7);
    CHECK(pixels[6 * 64] == 9); // ready with no console: the background below the band
    CHECK(pixels[31 * 64 + 63] == 9);
    boot_screen_set_state(BootState::panic);
    CHECK(pixels[64 + 10] == 12);
    boot_screen_release();
}

TEST_CASE("boot screen: an indexed mode without a palette is left alone") {
    mb2::Framebuffer fb{};
    fb.present = true;
    fb.type = mb2::FramebufferType::indexed;
    fb.width = 8;
    fb.height = 8;
    fb.pitch = 8;
    fb.bpp = 8;
    std::vector<u8> pixels(64, 0xAA);
    boot_screen_init(fb, pixels.data());
    for (u8 b : pixels)
        REQUIRE(b == 0xAA);
}
