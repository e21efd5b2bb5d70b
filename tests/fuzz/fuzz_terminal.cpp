// libFuzzer target: the terminal emulator (modules/fbcon/terminal.cpp) over
// arbitrary bytes. The first two bytes choose the grid size, the third the
// configuration (and whether there is an alternate screen and scrollback);
// the grid, the alternate screen and the history are exactly-sized heap
// blocks, so ASan catches any write outside them. After each piece the
// state must stay inside the grid, and every wide character must have its
// two halves (checked on the view, which may look into the history).
// Bytes with the top bits 0xF8 are also control points: they move the view
// into the scrollback, so the checks walk history rows too. With bit 4 of
// the third byte the scrollback is one taken as it fills (chunks of exactly
// their size, as many as the top three bits allow, so growth, a failed
// chunk and the wrap after it are all reached).
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "terminal.h"

using namespace celos::fbcon;

namespace {

constexpr uint32_t kKnownAttrs = kAttrBold | kAttrUnderline | kAttrReverse | kAttrDim | kAttrItalic | kAttrStrike |
                                 kAttrInvisible | kAttrBlink | kAttrDoubleUnderline | kAttrCurlyUnderline |
                                 kAttrWide | kAttrWideTail | kAttrUnderlineColor;

void check(const Terminal& t, uint32_t cols, uint32_t rows) {
    if (t.cursor_x() >= cols || t.cursor_y() >= rows) abort();
    if (t.scroll_top() >= t.scroll_bottom() || t.scroll_bottom() > rows) abort();
    if (t.scroll_hint_lines() && (t.scroll_hint_top() >= t.scroll_hint_bottom() || t.scroll_hint_bottom() > rows))
        abort();
    if (t.cursor_style() > 6) abort();
    if (t.view_offset() > t.history_lines()) abort();
    for (uint32_t y = 0; y < rows; ++y) {
        const Cell* r = t.view_row(y);
        if (uint32_t(t.line_attr(y)) > uint32_t(LineAttr::DoubleBottom)) abort();
        for (uint32_t x = 0; x < cols; ++x) {
            const Cell& c = r[x];
            if (c.codepoint > 0x10FFFF || (c.attrs & ~kKnownAttrs)) abort();
            if ((c.attrs & kAttrWide) && (x + 1 >= cols || !(r[x + 1].attrs & kAttrWideTail))) abort();
            if ((c.attrs & kAttrWideTail) && (x == 0 || !(r[x - 1].attrs & kAttrWide) || c.codepoint != 0)) abort();
            if (c.marks[0] > 0x10FFFF || c.marks[1] > 0x10FFFF || (c.marks[1] && !c.marks[0])) abort();
        }
    }
}

int chunk_budget = 0;
Cell* chunk_allocate(size_t count) {
    if (chunk_budget <= 0) return nullptr;
    --chunk_budget;
    return new Cell[count]();
}
void chunk_free(Cell* cells) { delete[] cells; }

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 3) return 0;
    uint32_t cols = 1 + data[0] % 160, rows = 1 + data[1] % 64;
    TerminalConfig cfg = terminal_default_config();
    cfg.bold_is_bright = data[2] & 1;
    cfg.lf_implies_cr = data[2] & 2;
    bool with_alt = !(data[2] & 4), with_history = !(data[2] & 8);
    std::unique_ptr<Cell[]> cells(new Cell[size_t(cols) * rows]);
    std::unique_ptr<Cell[]> alt(with_alt ? new Cell[size_t(cols) * rows] : nullptr);
    constexpr uint32_t kHistory = 8;
    std::unique_ptr<Cell[]> history(with_history ? new Cell[size_t(cols) * kHistory] : nullptr);
    Terminal t;
    if (!t.init(cells.get(), cols, rows, cfg)) abort();
    t.set_alt_cells(alt.get());
    if (with_history && (data[2] & 16)) {
        chunk_budget = data[2] >> 5;
        t.set_history(40, CellMemory{chunk_allocate, chunk_free}); // chunks of 16 rows
    } else {
        t.set_history(history.get(), with_history ? kHistory : 0);
    }
    // Feed in pieces, as a console receives text, and check after each.
    size_t pos = 3;
    while (pos < size) {
        size_t n = 1 + (data[pos] % 64);
        if (n > size - pos) n = size - pos;
        t.write(data + pos, n);
        pos += n;
        check(t, cols, rows);
        uint8_t last = data[pos - 1];
        if (last & 0x80) t.clear_damage();
        if ((last & 0xF8) == 0xF8) {
            t.scroll_view(int64_t(last & 7) - 3);
            check(t, cols, rows);
        }
    }
    return 0;
}
