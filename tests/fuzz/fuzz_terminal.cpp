// libFuzzer target: the terminal emulator (modules/fbcon/terminal.cpp) over
// arbitrary bytes. The first two bytes choose the grid size, the third the
// configuration; the grid is an exactly-sized heap block, so ASan catches
// any write outside it, and the state must stay inside the grid.
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "terminal.h"

using namespace celos::fbcon;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 3) return 0;
    uint32_t cols = 1 + data[0] % 160, rows = 1 + data[1] % 64;
    TerminalConfig cfg = terminal_default_config();
    cfg.bold_is_bright = data[2] & 1;
    cfg.lf_implies_cr = data[2] & 2;
    std::unique_ptr<Cell[]> cells(new Cell[size_t(cols) * rows]);
    Terminal t;
    if (!t.init(cells.get(), cols, rows, cfg)) abort();
    // Feed in pieces, as a console receives text, and check after each.
    size_t pos = 3;
    while (pos < size) {
        size_t n = 1 + (data[pos] % 64);
        if (n > size - pos) n = size - pos;
        t.write(data + pos, n);
        pos += n;
        if (t.cursor_x() >= cols || t.cursor_y() >= rows) abort();
        if (t.scroll_top() >= t.scroll_bottom() || t.scroll_bottom() > rows) abort();
        if (t.scroll_hint_lines() &&
            (t.scroll_hint_top() >= t.scroll_hint_bottom() || t.scroll_hint_bottom() > rows))
            abort();
        if (data[pos - 1] & 0x80) t.clear_damage();
    }
    for (size_t i = 0; i < size_t(cols) * rows; ++i)
        if (cells[i].codepoint > 0x10FFFF || cells[i].attrs > 7) abort();
    return 0;
}
