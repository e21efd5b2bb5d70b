// The bochs driver's pure part: mode= parsing and whether a mode fits the
// video memory (a mode larger than the BAR is refused, bootfb stays).
#include <catch2/catch.hpp>

#include <string>

#include <celos/display.h>

#include "bochs_mode.h"

using namespace celos::bochs;

TEST_CASE("bochs: mode= parses WIDTHxHEIGHT and refuses the rest", "[bochs]") {
    uint32_t w = 0, h = 0;
    REQUIRE(parse_mode("1280x720", w, h) == nullptr);
    CHECK(w == 1280);
    CHECK(h == 720);
    REQUIRE(parse_mode("1920X1080", w, h) == nullptr);
    CHECK(h == 1080);
    for (const char* bad :
         {"", "x", "1280", "1280x", "x720", "1280x720x32", "-1x5", "1280 x720", "99999999999x1"})
        CHECK(parse_mode(bad, w, h) != nullptr);
}

// The one parser of <celos/display.h> that bochs, virtio_gpu and the shell's
// `mode` share (each checks its own range after it).
TEST_CASE("display: celos_display_parse_mode takes WIDTHxHEIGHT and nothing else", "[display]") {
    uint32_t w = 7, h = 7;
    REQUIRE(celos_display_parse_mode("800x600", &w, &h) == nullptr);
    CHECK(w == 800);
    CHECK(h == 600);
    REQUIRE(celos_display_parse_mode("0X65535", &w, &h) == nullptr); // the range is the caller's
    CHECK(w == 0);
    CHECK(h == 65535);
    w = h = 7;
    for (const char* bad : {"", "x", "800", "800x", "x600", "800x600x32", "+800x600", "800 x600", "800x600 ",
                            "65536x1", "1x4294967296", "\xff"}) {
        INFO(bad);
        CHECK(celos_display_parse_mode(bad, &w, &h) != nullptr);
        CHECK(w == 7); // nothing written
        CHECK(h == 7);
    }
    CHECK(std::string(celos_display_parse_mode("65536x1", &w, &h)) == "a number above 65535");
}

TEST_CASE("bochs: a mode fits the video memory, twice for panning when it can", "[bochs]") {
    Layout l{};
    const uint64_t mib16 = 16u << 20;
    REQUIRE(plan_mode(1920, 1080, mib16, l) == nullptr);
    CHECK(l.pitch == 7680);
    CHECK(l.virtual_height == 2160);
    REQUIRE(plan_mode(2560, 1600, mib16, l) == nullptr); // 16000 KiB: one screen only
    CHECK(l.virtual_height == 1600);
    CHECK(std::string(plan_mode(4096, 2160, mib16, l)) ==
          "mode larger than the video memory (the framebuffer BAR)");
    CHECK(plan_mode(100, 100, mib16, l) != nullptr);
    CHECK(plan_mode(20000, 300, ~0ull, l) != nullptr);
    CHECK(plan_mode(1366, 768, mib16, l) != nullptr); // not a multiple of 8
    CHECK(plan_mode(1280, 720, 0, l) != nullptr);
}
