// fbcon_log_chars: characters per second writing a 1 MiB text log through
// the console (terminal, renderer, present) to a 1920x1080x32 framebuffer
// in memory, as the kernel's console does: each line goes into the
// terminal, and the screen is drawn and presented at most once per display
// refresh (60 Hz, by the wall clock) and once at the end, so the screen is
// current at every refresh.
// fbcon_scroll: full-screen scrolls per second of a screen full of log-like
// lines, each scroll drawn and presented (a line fed at the bottom row);
// fbcon_scroll_wide: the same with lines as wide as the screen (the worst
// case for the copy).
// fbcon_scroll_pan: fbcon_scroll on a display that pans (bochs);
// fbcon_scroll_pan_wide: fbcon_scroll_wide on it.
// Baseline for all: memcpys of one full frame per second, in the same run.
// So the ratio is, for the log, the characters shown in the time of one
// frame copy, and for the scroll, 1 / (its cost in frame copies).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "console.h"
#include "psf_font.h"

using namespace celos;

namespace {

constexpr uint32_t kWidth = 1920, kHeight = 1080, kPitch = kWidth * 4;

struct Setup {
    std::vector<uint8_t> font_file;
    psf::Font font;
    std::vector<psf::MapEntry> map;
    std::vector<uint8_t> scratch;
    psf::FontService service;
    std::vector<uint8_t> back, framebuffer;
    std::vector<fbcon::Cell> cells;
    fbcon::Renderer renderer;
    fbcon::Terminal terminal;
    bool ok = false;

    explicit Setup(bool pan = false) {
        std::ifstream f(CELOS_BENCH_FONT, std::ios::binary);
        font_file.assign(std::istreambuf_iterator<char>(f), {});
        if (font_file.empty() || psf::parse(font_file.data(), font_file.size(), font)) return;
        map.resize(psf::map_capacity(font));
        size_t count = psf::map_build(font, map.data(), map.size());
        scratch.resize(psf::scratch_size(font, 1));
        if (psf::service_init(service, font, map.data(), count, 1, scratch.data(), scratch.size(), "bench")) return;
        fbcon::RenderConfig config{kWidth, kHeight, kPitch, {32, 16, 8, 8, 8, 0, 8}, 8, 0x101418,
                                   fbcon::CursorShape::Underline, pan ? 2 * kHeight : 0};
        back.resize(fbcon::Renderer::back_buffer_size(config));
        framebuffer.resize(size_t(kPitch) * kHeight * (pan ? 2 : 1));
        if (renderer.init(config, &service.ops, back.data(), back.size())) return;
        cells.resize(size_t(renderer.cols()) * renderer.rows());
        ok = terminal.init(cells.data(), renderer.cols(), renderer.rows(),
                           fbcon::console_terminal_config(fbcon::ConsoleColors{}));
    }
};

// Log-like lines, about 1 MiB in all.
const std::vector<std::string>& log_lines() {
    static std::vector<std::string> lines = [] {
        std::vector<std::string> out;
        size_t bytes = 0;
        char line[160];
        for (int i = 0; bytes < (1u << 20); ++i) {
            std::snprintf(line, sizeof line, "module%d: mapped %d KiB at 0x%016llx, %d relocations, %d us", i % 17,
                          (i * 37) % 4096, 0xffffffffa0000000ull + i * 0x1000ull, (i * 13) % 900, i % 5000);
            out.emplace_back(line);
            bytes += out.back().size() + 16;
        }
        return out;
    }();
    return lines;
}

uint64_t now_ns() {
    return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::steady_clock::now().time_since_epoch())
                        .count());
}

void fbcon_log_console(benchmark::State& state) {
    static Setup s;
    if (!s.ok) {
        state.SkipWithError("cannot set up the console (font: " CELOS_BENCH_FONT ")");
        return;
    }
    const auto& lines = log_lines();
    size_t chars = 0, presents = 0;
    fbcon::PresentPacer pacer;
    for (auto _ : state) {
        for (size_t i = 0; i < lines.size(); ++i) {
            fbcon::console_write_log_line(s.terminal, i % 7 == 0 ? 1 : 2, i * 1000000ull, lines[i].data(),
                                          lines[i].size());
            chars += lines[i].size() + 16;
            uint64_t now = now_ns();
            if (pacer.due(now)) {
                s.renderer.render(s.terminal);
                s.renderer.present(s.framebuffer.data());
                pacer.presented(now);
                ++presents;
            }
        }
        // The log goes idle: what is held back is shown.
        s.renderer.render(s.terminal);
        s.renderer.present(s.framebuffer.data());
        ++presents;
        benchmark::DoNotOptimize(s.framebuffer.data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(chars));
    state.counters["presents"] = benchmark::Counter(double(presents), benchmark::Counter::kIsRate);
}

// Full-screen scrolls: a screen full of `fill` lines, then `line` (with
// its characters rotated each time) fed at the bottom row, drawn and
// presented, per iteration. Counter frame_share: the share of the frame's
// pixels a scroll writes to the framebuffer.
void scroll(benchmark::State& state, Setup& s, const std::string& fill, std::string line) {
    if (!s.ok) {
        state.SkipWithError("cannot set up the console");
        return;
    }
    for (uint32_t i = 0; i < s.renderer.rows(); ++i)
        s.terminal.write((fill + "\n").c_str());
    s.renderer.render(s.terminal);
    s.renderer.present(s.framebuffer.data());
    line += "\n";
    uint64_t written_before = s.renderer.pixels_written();
    for (auto _ : state) {
        if (line.size() > 2) std::rotate(line.begin(), line.begin() + 1, line.end() - 1);
        s.terminal.write(line.c_str());
        s.renderer.render(s.terminal);
        s.renderer.present(s.framebuffer.data());
        benchmark::DoNotOptimize(s.framebuffer.data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
    if (state.iterations()) {
        uint64_t drawn = s.renderer.cache_hits() + s.renderer.cache_misses();
        state.counters["cell_cache_hits"] = drawn ? double(s.renderer.cache_hits()) / double(drawn) : 0.0;
        state.counters["frame_share"] = double(s.renderer.pixels_written() - written_before) /
                                        double(state.iterations()) / (double(kWidth) * kHeight);
    }
}

// The log-like case: short lines.
void fbcon_scroll_console(benchmark::State& state) {
    static Setup s;
    scroll(state, s, "filling the screen with text", "x");
}

// The worst case: every line as wide as the screen, so every scroll changes
// nearly every pixel of the text area.
void fbcon_scroll_wide_console(benchmark::State& state) {
    static Setup s;
    std::string wide;
    for (uint32_t i = 0; s.ok && i + 1 < s.renderer.cols(); ++i)
        wide += char('!' + i % 90);
    scroll(state, s, wide, wide);
}

// The full-screen scroll of fbcon_scroll on a display that pans (bochs: a
// virtual height of twice the screen): a scroll moves the scan-out offset
// (scan_y(), which the console hands to the driver), clears the margins at
// the new offset and copies the new row; once per pass over the virtual
// height the screen is copied whole.
void fbcon_scroll_pan_console(benchmark::State& state) {
    static Setup s(true);
    scroll(state, s, "filling the screen with text", "x");
}

// The worst case on a display that pans: lines as wide as the screen.
void fbcon_scroll_pan_wide_console(benchmark::State& state) {
    static Setup s(true);
    std::string wide;
    for (uint32_t i = 0; s.ok && i + 1 < s.renderer.cols(); ++i)
        wide += char('!' + i % 90);
    scroll(state, s, wide, wide);
}

// One full 1920x1080x32 frame copied: the unit both are compared with.
void frame_copy(benchmark::State& state, int frames_per_item) {
    std::vector<uint8_t> src(size_t(kPitch) * kHeight, 0x5a), dst(src.size());
    for (auto _ : state) {
        for (int i = 0; i < frames_per_item; ++i) {
            std::memcpy(dst.data(), src.data(), src.size());
            benchmark::ClobberMemory();
        }
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

} // namespace

BENCHMARK(fbcon_log_console)->Name("fbcon_log_chars/console")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(frame_copy, chars, 1)->Name("fbcon_log_chars/baseline");
BENCHMARK(fbcon_scroll_console)->Name("fbcon_scroll/console");
BENCHMARK_CAPTURE(frame_copy, scroll, 1)->Name("fbcon_scroll/baseline");
BENCHMARK(fbcon_scroll_wide_console)->Name("fbcon_scroll_wide/console");
BENCHMARK_CAPTURE(frame_copy, scroll_wide, 1)->Name("fbcon_scroll_wide/baseline");
BENCHMARK(fbcon_scroll_pan_console)->Name("fbcon_scroll_pan/console");
BENCHMARK_CAPTURE(frame_copy, scroll_pan, 1)->Name("fbcon_scroll_pan/baseline");
BENCHMARK(fbcon_scroll_pan_wide_console)->Name("fbcon_scroll_pan_wide/console");
BENCHMARK_CAPTURE(frame_copy, scroll_pan_wide, 1)->Name("fbcon_scroll_pan_wide/baseline");
