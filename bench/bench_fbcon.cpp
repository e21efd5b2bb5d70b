// fbcon_log_chars: characters per second writing a 1 MiB text log through
// the console (terminal, renderer, present) to a 1920x1080x32 framebuffer
// in memory, presenting once per log line as the kernel's console does.
// fbcon_scroll: full-screen scrolls per second (a line fed at the bottom
// row, rendered and presented). Baseline for both: memcpys of one full
// frame per second, in the same run. So the ratio is, for the log, the
// characters drawn in the time of one frame copy, and for the scroll,
// 1 / (its cost in frame copies).
#include <benchmark/benchmark.h>

#include <cstdio>
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

    Setup() {
        std::ifstream f(CELOS_BENCH_FONT, std::ios::binary);
        font_file.assign(std::istreambuf_iterator<char>(f), {});
        if (font_file.empty() || psf::parse(font_file.data(), font_file.size(), font)) return;
        map.resize(psf::map_capacity(font));
        size_t count = psf::map_build(font, map.data(), map.size());
        scratch.resize(psf::scratch_size(font, 1));
        if (psf::service_init(service, font, map.data(), count, 1, scratch.data(), scratch.size(), "bench")) return;
        fbcon::RenderConfig config{kWidth, kHeight, kPitch, {32, 16, 8, 8, 8, 0, 8}, 8, 0x101418,
                                   fbcon::CursorShape::Underline};
        back.resize(fbcon::Renderer::back_buffer_size(config));
        framebuffer.resize(size_t(kPitch) * kHeight);
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

void fbcon_log_console(benchmark::State& state) {
    static Setup s;
    if (!s.ok) {
        state.SkipWithError("cannot set up the console (font: " CELOS_BENCH_FONT ")");
        return;
    }
    const auto& lines = log_lines();
    size_t chars = 0;
    for (auto _ : state) {
        for (size_t i = 0; i < lines.size(); ++i) {
            fbcon::console_write_log_line(s.terminal, i % 7 == 0 ? 1 : 2, i * 1000000ull, lines[i].data(),
                                          lines[i].size());
            s.renderer.render(s.terminal);
            s.renderer.present(s.framebuffer.data());
            chars += lines[i].size() + 16;
        }
        benchmark::DoNotOptimize(s.framebuffer.data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(chars));
}

void fbcon_scroll_console(benchmark::State& state) {
    static Setup s;
    if (!s.ok) {
        state.SkipWithError("cannot set up the console");
        return;
    }
    // Fill the screen, so every further line scrolls it.
    for (uint32_t i = 0; i < s.renderer.rows(); ++i) s.terminal.write("filling the screen with text\n");
    s.renderer.render(s.terminal);
    s.renderer.present(s.framebuffer.data());
    for (auto _ : state) {
        s.terminal.write("x\n");
        s.renderer.render(s.terminal);
        s.renderer.present(s.framebuffer.data());
        benchmark::DoNotOptimize(s.framebuffer.data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
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
