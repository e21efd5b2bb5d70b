#include "console.h"

namespace celos::fbcon {
namespace {

// "%5llu.%06llu" by hand: modules and the host tool share no printf.
size_t format_timestamp(uint64_t ns, char* out) {
    uint64_t us = ns / 1000;
    uint64_t seconds = us / 1000000, micros = us % 1000000;
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = static_cast<char>('0' + seconds % 10);
        seconds /= 10;
    } while (seconds && n < 20);
    size_t at = 0;
    out[at++] = '[';
    for (size_t pad = n; pad < 5; ++pad) out[at++] = ' ';
    while (n) out[at++] = digits[--n];
    out[at++] = '.';
    for (int i = 5; i >= 0; --i) {
        out[at + static_cast<size_t>(i)] = static_cast<char>('0' + micros % 10);
        micros /= 10;
    }
    at += 6;
    out[at++] = ']';
    out[at++] = ' ';
    return at;
}

} // namespace

TerminalConfig console_terminal_config(const ConsoleColors& colors) {
    TerminalConfig config = terminal_default_config();
    config.default_fg = colors.foreground;
    config.default_bg = colors.background;
    config.lf_implies_cr = true;
    return config;
}

void console_write_log_line(Terminal& term, int level, uint64_t timestamp_ns, const char* text, size_t length) {
    char stamp[40];
    size_t n = format_timestamp(timestamp_ns, stamp);
    term.write("\x1b[90m");
    term.write(reinterpret_cast<const uint8_t*>(stamp), n);
    switch (level) {
    case 0: term.write("\x1b[91merror: "); break;
    case 1: term.write("\x1b[93mwarn: "); break;
    case 3: term.write("\x1b[90mdebug: "); break;
    default: term.write("\x1b[39m"); break;
    }
    term.write(reinterpret_cast<const uint8_t*>(text), length);
    term.write("\x1b[0m\n");
}

// The scrollback for the grid in use: its cells reused when they are
// enough, else new ones (none when there is no memory: no scrollback).
void Screen::attach_history() {
    terminal_.set_history(history_want_, memory_);
}

const char* Screen::init(const RenderConfig& config, const celos_font_ops* font, uint8_t* back,
                         size_t back_size, const TerminalConfig& terminal, const CellMemory& memory,
                         uint32_t history_lines) {
    release();
    if (const char* why = renderer_.init(config, font, back, back_size)) return why;
    back_ = back;
    back_size_ = back_size;
    memory_ = memory;
    size_t count = size_t(renderer_.cols()) * renderer_.rows();
    cells_ = memory_.allocate(count * 2); // the grid, then the alternate screen's
    if (!cells_) return "no memory for the cells";
    capacity_ = count;
    if (!terminal_.init(cells_, renderer_.cols(), renderer_.rows(), terminal)) {
        release();
        return "the grid is larger than the terminal allows";
    }
    terminal_.set_alt_cells(cells_ + count);
    history_want_ = history_lines;
    attach_history();
    renderer_.redraw_later(terminal_);
    unpresented_ = true;
    return nullptr;
}

celos_status Screen::switch_font(const celos_font_ops* font, const char** why) {
    return relayout(renderer_.config(), font, back_, back_size_, why);
}

celos_status Screen::switch_screen(const RenderConfig& config, uint8_t* back, size_t back_size, const char** why) {
    return relayout(config, renderer_.font(), back, back_size, why);
}

celos_status Screen::relayout(const RenderConfig& config, const celos_font_ops* font, uint8_t* back,
                              size_t back_size, const char** why) {
    const char* unused = nullptr;
    if (!why) why = &unused;
    uint32_t cols = 0, rows = 0;
    if (const char* e = Renderer::layout(config, font, back_size, cols, rows)) {
        *why = e;
        return CELOS_ERR_INVALID;
    }
    // The grid: the spare when it is big enough (a switch back), else a new one.
    size_t need = size_t(cols) * rows;
    Cell* grid = nullptr;
    size_t capacity = 0;
    if (spare_ && spare_capacity_ >= need) {
        grid = spare_;
        capacity = spare_capacity_;
        spare_ = nullptr;
        spare_capacity_ = 0;
    } else {
        grid = memory_.allocate(need * 2); // and the alternate screen's
        if (!grid) {
            *why = "no memory for the new grid of cells";
            return CELOS_ERR_NO_MEMORY;
        }
        capacity = need;
    }
    // Nothing can fail from here on.
    if (spare_) memory_.free(spare_);
    spare_ = cells_;
    spare_capacity_ = capacity_;
    cells_ = grid;
    capacity_ = capacity;
    TerminalConfig terminal = terminal_.config();
    back_ = back;
    back_size_ = back_size;
    renderer_.init(config, font, back_, back_size_);
    terminal_.init(cells_, cols, rows, terminal);
    terminal_.set_alt_cells(cells_ + need);
    attach_history(); // the log's replay fills it again
    renderer_.redraw_later(terminal_);
    unpresented_ = true;
    *why = nullptr;
    return CELOS_OK;
}

void Screen::clear() {
    terminal_.reset();
    attach_history(); // emptied: the log's replay fills it again
    renderer_.redraw_later(terminal_);
    unpresented_ = true;
}

void Screen::release() {
    if (memory_.free) {
        memory_.free(cells_);
        memory_.free(spare_);
    }
    terminal_.set_history(nullptr, 0); // gives its chunks back
    cells_ = spare_ = nullptr;
    capacity_ = spare_capacity_ = 0;
}

} // namespace celos::fbcon
