// The console: a terminal and its renderer, fed with log lines. Shared by
// the fbcon module and the host tool that renders the expected screen from
// a serial log (tests/boot/render_log.cpp), so both draw the same pixels.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <celos/status.h>

#include "render.h"
#include "terminal.h"

namespace celos::fbcon {

struct ConsoleColors {
    uint32_t foreground = 0xc0c0c0;
    uint32_t background = 0x101418;
};

// Writes the log line exactly as serial shows it, "[    1.234567] warn: text"
// (tags "error: ", "warn: ", "debug: "; none for info),
// with the timestamp dimmed and the text coloured by level
// (0 error, 1 warn, 2 info, 3 debug), and ends the line.
void console_write_log_line(Terminal& term, int level, uint64_t timestamp_ns, const char* text, size_t length);

// The terminal configuration the console uses.
TerminalConfig console_terminal_config(const ConsoleColors& colors);

// The console's screen: a terminal, its cells and the renderer over a back
// buffer the caller owns, drawn with a font that can change underneath
// (switch_font: a font module replaced by another at run time). Keeps at
// most two cell grids, the one in use and the one before the last switch,
// so that switching back (a replacement rolled back) needs no memory.
class Screen {
  public:
    Screen() = default;
    Screen(const Screen&) = delete;
    Screen& operator=(const Screen&) = delete;

    // Null on success, else why (the renderer's message, or "no memory for
    // the cells").
    // `history_lines`: the scrollback kept (0: none); its cells come from
    // `memory` too, and when they cannot the console goes without (see
    // history_lines()).
    const char* init(const RenderConfig& config, const celos_font_ops* font, uint8_t* back, size_t back_size,
                     const TerminalConfig& terminal, const CellMemory& memory, uint32_t history_lines = 0);
    // Redraws with `font` in the grid it gives (new cell size, columns and
    // rows): the terminal is cleared and the whole back buffer redrawn, so
    // the caller writes the text again (fbcon replays the log). Nothing is
    // kept from the old font. On failure nothing changed: CELOS_ERR_INVALID
    // (the font cannot draw on this screen) or CELOS_ERR_NO_MEMORY (no
    // memory for the new grid), with *why set.
    celos_status switch_font(const celos_font_ops* font, const char** why);
    // The same for a new screen (a display replaced, or its mode changed):
    // the grid laid out again for `config` on the back buffer `back`.
    celos_status switch_screen(const RenderConfig& config, uint8_t* back, size_t back_size, const char** why);
    // The frame's offset in the framebuffer, and the rows the last present
    // wrote (for displays that pan and displays that need flushing).
    uint32_t scan_y() const { return renderer_.scan_y(); }
    uint32_t damage_y0() const { return renderer_.damage_y0(); }
    uint32_t damage_y1() const { return renderer_.damage_y1(); }
    // The fallback chain (Renderer::set_fallbacks), kept across font and
    // screen switches; redraw() to draw what it changes.
    void set_fallbacks(const celos_font_ops* const* fonts, uint32_t count) {
        renderer_.set_fallbacks(fonts, count);
    }
    // The font's glyphs changed (a face opened at first use): everything is
    // drawn again, none of it from the cache of drawn cells.
    void glyphs_changed() {
        renderer_.glyphs_changed();
        redraw();
    }
    // Clears the terminal and redraws everything with the same font.
    void clear();
    // Frees the cells; init may be called again.
    void release();

    // A line into the terminal only: nothing is drawn until present(), so
    // lines that scroll away before it are never drawn.
    void write_log_line(int level, uint64_t timestamp_ns, const char* text, size_t length) {
        console_write_log_line(terminal_, level, timestamp_ns, text, length);
        unpresented_ = true;
    }
    // Everything into the back buffer (present() then copies the whole frame).
    void redraw() {
        renderer_.redraw_later(terminal_);
        unpresented_ = true;
    }
    // The terminal's damage drawn into the back buffer and what changed
    // copied to `framebuffer`.
    void present(uint8_t* framebuffer) {
        renderer_.render(terminal_);
        renderer_.present(framebuffer);
        unpresented_ = false;
    }
    // Written or redrawn since the last present().
    bool unpresented() const { return unpresented_; }
    // Terminal bytes (a program's output), drawn at the next present().
    void write(const char* data, size_t length) {
        terminal_.write(reinterpret_cast<const uint8_t*>(data), length);
        unpresented_ = true;
    }
    // Moves the view into the scrollback (Terminal::scroll_view).
    void scroll_view(int64_t lines) {
        terminal_.scroll_view(lines);
        unpresented_ = true;
    }
    // Lines of scrollback this screen keeps.
    uint32_t history_lines() const { return terminal_.history_capacity(); }

    Terminal& terminal() { return terminal_; }
    const Renderer& renderer() const { return renderer_; }
    const celos_font_ops* font() const { return renderer_.font(); }
    uint32_t cols() const { return terminal_.cols(); }
    uint32_t rows() const { return terminal_.rows(); }
    // Cells allocated in all (the grid in use and the spare), for tests.
    size_t cells_held() const { return capacity_ + spare_capacity_; }

  private:
    celos_status relayout(const RenderConfig& config, const celos_font_ops* font, uint8_t* back, size_t back_size,
                          const char** why);
    Terminal terminal_;
    Renderer renderer_;
    uint8_t* back_ = nullptr;
    size_t back_size_ = 0;
    CellMemory memory_{};
    // Each grid's block holds twice its capacity: the cells, then the
    // terminal's alternate screen (DECSET 1049).
    Cell* cells_ = nullptr;
    size_t capacity_ = 0;
    Cell* spare_ = nullptr; // the grid before the last switch
    size_t spare_capacity_ = 0;
    // The scrollback (history_want_ lines of the grid's width), its chunks
    // taken from memory_ as it fills (Terminal::set_history).
    void attach_history();
    uint32_t history_want_ = 0; // lines
    bool unpresented_ = false;
};

// When a console presents: at most once per display refresh while text
// streams in, and at once when it stops (the log goes idle) or something
// must be seen (a panic, the ready line). Times in nanoseconds of any
// monotonic clock.
class PresentPacer {
  public:
    static constexpr uint64_t kDefaultIntervalNs = 16666667; // 60 Hz

    explicit PresentPacer(uint64_t interval_ns = kDefaultIntervalNs) : interval_(interval_ns) {}
    // A line was written at `now`: whether to present it now (a refresh
    // interval has passed since the last present).
    bool due(uint64_t now) const { return now - last_ >= interval_; }
    void presented(uint64_t now) { last_ = now; }
    uint64_t interval_ns() const { return interval_; }

  private:
    uint64_t interval_;
    uint64_t last_ = 0;
};

} // namespace celos::fbcon
