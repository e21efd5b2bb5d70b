// The console's screen (modules/fbcon/console.cpp, Screen): a font switch at
// run time, as fbcon does it when its font's provider is replaced. Block
// fonts of different cell sizes (every glyph fills its cell) make the grid
// and the pixels easy to predict; the cells come from a counting allocator
// that can be told to fail.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "console.h"

using namespace celos::fbcon;

namespace {

// Every glyph is a full block of the cell; counts the calls.
struct BlockFont {
    std::string name;
    std::vector<uint8_t> bitmap;
    celos_font_ops ops{};
    uint64_t calls = 0;

    BlockFont(const char* n, uint32_t w, uint32_t h) : name(n), bitmap(size_t(w) * h, 255) {
        ops = {sizeof ops, w, h, h - 2, h - 2, 1, name.c_str(), this, glyph, fallback};
    }
    static int glyph(const celos_font_ops* ops, uint32_t, celos_glyph* out) {
        auto* f = static_cast<BlockFont*>(ops->context);
        ++f->calls;
        *out = {f->bitmap.data(),
                ops->cell_width,
                ops->cell_width,
                ops->cell_height,
                0,
                static_cast<int32_t>(ops->baseline),
                0};
        return 0;
    }
    static void fallback(const celos_font_ops* ops, celos_glyph* out) { glyph(ops, 0, out); }
};

struct CellAllocator {
    static inline bool fail = false;
    static inline int allocations = 0;
    static inline std::set<Cell*> live;
    static Cell* allocate(size_t count) {
        if (fail) return nullptr;
        ++allocations;
        auto* cells = static_cast<Cell*>(calloc(count, sizeof(Cell)));
        live.insert(cells);
        return cells;
    }
    static void free(Cell* cells) {
        if (!cells) return;
        REQUIRE(live.erase(cells) == 1);
        std::free(cells);
    }
    static void reset() {
        fail = false;
        allocations = 0;
    }
};

constexpr uint32_t kWidth = 1024, kHeight = 768, kMargin = 8;
constexpr uint32_t kBorder = 0x00ff00, kBackground = 0x101418, kForeground = 0xc0c0c0;

struct Rig {
    std::vector<uint8_t> back = std::vector<uint8_t>(size_t(kWidth) * kHeight * 4);
    std::vector<uint8_t> framebuffer = std::vector<uint8_t>(size_t(kWidth) * kHeight * 4);
    std::unique_ptr<Screen> screen = std::make_unique<Screen>();
    RenderConfig config{
        kWidth, kHeight, kWidth * 4, {32, 16, 8, 8, 8, 0, 8}, kMargin, kBorder, CursorShape::Underline};

    explicit Rig(const celos_font_ops* font) {
        CellAllocator::reset();
        ConsoleColors colors{kForeground, kBackground};
        REQUIRE(screen->init(config, font, back.data(), back.size(), console_terminal_config(colors),
                             {CellAllocator::allocate, CellAllocator::free}) == nullptr);
    }
    ~Rig() {
        screen->release();
        CHECK(CellAllocator::live.empty());
    }
    uint32_t pixel(uint32_t x, uint32_t y) const {
        uint32_t v;
        std::memcpy(&v, framebuffer.data() + (size_t(y) * kWidth + x) * 4, 4);
        return v & 0xFFFFFF;
    }
    // A log line: "[    0.000000] " (a dim stamp, kText columns) and the text.
    static constexpr uint32_t kText = 15;
    void show(const char* text) {
        screen->write_log_line(2, 0, text, std::strlen(text));
        screen->present(framebuffer.data());
    }
};

} // namespace

TEST_CASE("console: a font switch lays the grid out for the new cell", "[console]") {
    BlockFont terminus("psf:8x16", 8, 16), dejavu("truetype:10x19", 10, 19);
    Rig rig(&terminus.ops);
    CHECK(rig.screen->cols() == 126);
    CHECK(rig.screen->rows() == 47);
    rig.show("X");
    CHECK(rig.pixel(kMargin + Rig::kText * 8 + 3, kMargin + 3) == kForeground); // 'X'
    CHECK(rig.pixel(kMargin + 125 * 8 + 2, kMargin + 3) == kBackground);        // the last column

    const char* why = "unset";
    REQUIRE(rig.screen->switch_font(&dejavu.ops, &why) == CELOS_OK);
    CHECK(why == nullptr);
    CHECK(rig.screen->font() == &dejavu.ops);
    CHECK(rig.screen->cols() == 100); // (1024 - 16) / 10
    CHECK(rig.screen->rows() == 39);  // (768 - 16) / 19
    CHECK(rig.screen->renderer().cols() == 100);
    // The terminal starts afresh (fbcon replays the log into it).
    CHECK(rig.screen->terminal().cell(0, 0).codepoint == ' ');
    CHECK(rig.screen->terminal().cursor_x() == 0);
    CHECK(rig.screen->terminal().cursor_y() == 0);

    // The old font is never called again; the new one draws in 10x19 cells,
    // and what lies past the new grid is border.
    uint64_t old_calls = terminus.calls;
    rig.show("AB");
    CHECK(terminus.calls == old_calls);
    CHECK(dejavu.calls > 0);
    CHECK(rig.pixel(kMargin + (Rig::kText + 1) * 10 + 9, kMargin + 18) == kForeground); // 'B', last pixel
    CHECK(rig.pixel(kMargin + (Rig::kText + 2) * 10, kMargin + 3) == kBackground);      // blank after it
    CHECK(rig.pixel(kMargin + 100 * 10 + 2, kMargin + 3) == kBorder);
    CHECK(rig.pixel(kMargin + 3, kMargin + 39 * 19 + 2) == kBorder);
}

TEST_CASE("console: switching back needs no memory (a replacement rolled back)", "[console]") {
    BlockFont a("a", 8, 16), b("b", 10, 19), small("small", 6, 12);
    Rig rig(&a.ops);
    REQUIRE(CellAllocator::allocations == 1);
    size_t a_cells = 126 * 47, b_cells = 100 * 39;
    CHECK(rig.screen->cells_held() == a_cells);

    REQUIRE(rig.screen->switch_font(&b.ops, nullptr) == CELOS_OK);
    CHECK(CellAllocator::allocations == 2);
    CHECK(rig.screen->cells_held() == a_cells + b_cells); // the old grid is the spare

    CellAllocator::fail = true; // the way back must not need the allocator
    REQUIRE(rig.screen->switch_font(&a.ops, nullptr) == CELOS_OK);
    CHECK(rig.screen->cols() == 126);
    CHECK(rig.screen->cells_held() == a_cells + b_cells);
    CellAllocator::fail = false;

    // A grid bigger than the spare: a new one, and the spare goes.
    REQUIRE(rig.screen->switch_font(&small.ops, nullptr) == CELOS_OK);
    CHECK(CellAllocator::allocations == 3);
    CHECK(rig.screen->cols() == 168);
    CHECK(rig.screen->rows() == 62);
    CHECK(rig.screen->cells_held() == 168 * 62 + a_cells);
    CHECK(CellAllocator::live.size() == 2);
}

TEST_CASE("console: without memory for the new grid nothing changes", "[console]") {
    BlockFont a("a", 8, 16), b("b", 10, 19);
    Rig rig(&a.ops);
    rig.show("hello");
    CellAllocator::fail = true;
    const char* why = nullptr;
    CHECK(rig.screen->switch_font(&b.ops, &why) == CELOS_ERR_NO_MEMORY);
    REQUIRE(why != nullptr);
    CHECK(std::string(why).find("memory") != std::string::npos);
    CHECK(rig.screen->font() == &a.ops);
    CHECK(rig.screen->cols() == 126);
    CHECK(rig.screen->rows() == 47);
    CHECK(rig.screen->terminal().cell(Rig::kText, 0).codepoint == 'h');
    CHECK(rig.screen->terminal().cell(Rig::kText + 4, 0).codepoint == 'o');
    CHECK(b.calls == 0);
    CellAllocator::fail = false;
    rig.show("more");
    CHECK(b.calls == 0);
    CHECK(rig.pixel(kMargin + Rig::kText * 8 + 3, kMargin + 16 + 3) == kForeground); // 'm', next row, 8x16
}

TEST_CASE("console: a font that cannot draw on the screen is refused", "[console]") {
    BlockFont a("a", 8, 16), empty("empty", 0, 16), huge("huge", 1020, 16), tall("tall", 8, 1000);
    Rig rig(&a.ops);
    rig.show("kept");
    BlockFont no_glyph("no glyph", 8, 16);
    no_glyph.ops.glyph = nullptr;
    const std::vector<const celos_font_ops*> fonts{&empty.ops, &huge.ops, &tall.ops, &no_glyph.ops, nullptr};
    for (const celos_font_ops* font : fonts) {
        INFO((font ? font->name : "no font"));
        const char* why = nullptr;
        CHECK(rig.screen->switch_font(font, &why) == CELOS_ERR_INVALID);
        CHECK(why != nullptr);
        CHECK(rig.screen->font() == &a.ops);
        CHECK(rig.screen->cols() == 126);
        CHECK(rig.screen->terminal().cell(Rig::kText, 0).codepoint == 'k');
    }
    CHECK(CellAllocator::allocations == 1);
}

TEST_CASE("console: clear redraws with the same font and keeps the grid", "[console]") {
    BlockFont a("a", 8, 16);
    Rig rig(&a.ops);
    rig.show("text");
    rig.screen->clear();
    CHECK(rig.screen->terminal().cell(0, 0).codepoint == ' ');
    CHECK(rig.screen->cols() == 126);
    rig.screen->present(rig.framebuffer.data());
    CHECK(rig.pixel(kMargin + Rig::kText * 8 + 3, kMargin + 3) == kBackground);
    CHECK(CellAllocator::allocations == 1);
}

TEST_CASE("console: the pacer presents at most once per refresh interval", "[console]") {
    PresentPacer pacer(1000);
    CHECK(pacer.due(5000)); // never presented: at once
    pacer.presented(5000);
    CHECK_FALSE(pacer.due(5001));
    CHECK_FALSE(pacer.due(5999));
    CHECK(pacer.due(6000));
    pacer.presented(6500);
    CHECK_FALSE(pacer.due(7000));
    CHECK(pacer.due(7500));
    CHECK(PresentPacer().interval_ns() == 16666667); // 60 Hz
}
