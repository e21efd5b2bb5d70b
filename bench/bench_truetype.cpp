// The TrueType module's glyph code (modules/truetype/tt_font.cpp with the
// module's FreeType build, compiled -O2 as Debian compiles libfreetype6):
//
// truetype_raster/celos: glyphs per second rasterized without the cache
//   (FT_Get_Char_Index + FT_Load_Glyph + FT_Render_Glyph through
//   Font::glyph_uncached), printable ASCII and 200 other code points of
//   DejaVu Sans Mono at 16 px, light hinting (the module's default).
//   Baseline: the system's libfreetype (dlopen'ed, tests/unit/support/
//   ft_oracle.h) doing the same work on the same glyphs in the same run.
//   truetype_raster_cff: the same with Nimbus Mono PS (OpenType CFF).
// truetype_cached/renderer: cells per second drawn by fbcon's Renderer
//   (redraw of full screens of varied text) into a 1920x1080x32 back buffer
//   with the font's cache; baseline: our uncached rasterization above, so
//   the ratio is how much faster a cached cell is than one rasterization.
// truetype_cached/lookup: the cache alone, ops()->glyph hits per second on
//   the rasterization set (what a cell costs beyond the Renderer's drawing).
#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "ft_oracle.h"
#include "render.h"
#include "tt_font.h"

using namespace celos;

namespace {

constexpr uint32_t kWidth = 1920, kHeight = 1080, kPitch = kWidth * 4;

struct FontSetup {
    std::vector<uint8_t> data;
    truetype::Font font;
    celos_test::FreeTypeOracle oracle;
    std::vector<uint32_t> codepoints; // printable ASCII + 200 others
    std::string error;

    FontSetup(const char* path, const char* name) {
        std::ifstream f(path, std::ios::binary);
        data.assign(std::istreambuf_iterator<char>(f), {});
        if (data.empty()) {
            error = std::string("cannot read ") + path;
            return;
        }
        if (const char* e = font.open(data.data(), data.size(), name, 16, truetype::Hinting::light)) {
            error = e;
            return;
        }
        if (error = oracle.load(); !error.empty()) return;
        if (error = oracle.open(data.data(), data.size(), 16, celos_test::OracleHinting::light);
            !error.empty())
            return;
        for (uint32_t c = 0x20; c < 0x7f; ++c)
            codepoints.push_back(c);
        std::vector<uint32_t> others;
        for (uint32_t c : oracle.codepoints())
            if (c > 0x7f) others.push_back(c);
        for (size_t i = 0; i < 200 && others.size() >= 200; ++i)
            codepoints.push_back(others[i * (others.size() / 200)]);
    }
};

FontSetup& dejavu() {
    static FontSetup s(CELOS_BENCH_TT_DEJAVU, "DejaVuSansMono.ttf");
    return s;
}
FontSetup& nimbus() {
    static FontSetup s(CELOS_BENCH_TT_NIMBUS, "NimbusMonoPS-Regular.otf");
    return s;
}

void raster_celos(benchmark::State& state, FontSetup& (*setup)()) {
    FontSetup& s = setup();
    if (!s.error.empty()) {
        state.SkipWithError(s.error.c_str());
        return;
    }
    int64_t glyphs = 0;
    for (auto _ : state) {
        for (uint32_t c : s.codepoints) {
            celos_glyph g;
            if (s.font.glyph_uncached(c, &g) != 0) {
                state.SkipWithError("a glyph of the set did not render");
                return;
            }
            benchmark::DoNotOptimize(g.coverage);
        }
        glyphs += int64_t(s.codepoints.size());
    }
    state.SetItemsProcessed(glyphs);
}

void raster_system(benchmark::State& state, FontSetup& (*setup)()) {
    FontSetup& s = setup();
    if (!s.error.empty()) {
        state.SkipWithError(s.error.c_str());
        return;
    }
    int64_t glyphs = 0;
    for (auto _ : state) {
        for (uint32_t c : s.codepoints)
            if (!s.oracle.rasterize(c)) {
                state.SkipWithError("a glyph of the set did not render");
                return;
            }
        glyphs += int64_t(s.codepoints.size());
    }
    state.SetItemsProcessed(glyphs);
}

// Full screens of text: log-like ASCII lines with some Latin-1, Greek,
// box-drawing and other code points from the font, in a few colours.
struct ScreenSetup {
    std::vector<uint8_t> back;
    fbcon::Renderer renderer;
    static constexpr int kScreens = 4;
    std::vector<fbcon::Cell> cells[kScreens];
    fbcon::Terminal terminals[kScreens];
    std::string error;

    ScreenSetup() {
        FontSetup& s = dejavu();
        if (!s.error.empty()) {
            error = s.error;
            return;
        }
        fbcon::RenderConfig config{
            kWidth, kHeight, kPitch, {32, 16, 8, 8, 8, 0, 8}, 8, 0x101418, fbcon::CursorShape::Underline};
        back.resize(fbcon::Renderer::back_buffer_size(config));
        if (const char* e = renderer.init(config, s.font.ops(), back.data(), back.size())) {
            error = e;
            return;
        }
        fbcon::TerminalConfig tc = fbcon::terminal_default_config();
        tc.lf_implies_cr = true;
        const char* words[] = {"module",      "mapped", "KiB",   "at",    "0xffffffffa0000000",
                               "relocations", "café",   "Ωμέγα", "│├──┤", "naïve",
                               "≠≤≥",         "«ok»",   "→",     "€42",   "[   0.123456]"};
        for (int n = 0; n < kScreens; ++n) {
            cells[n].resize(size_t(renderer.cols()) * renderer.rows());
            if (!terminals[n].init(cells[n].data(), renderer.cols(), renderer.rows(), tc)) {
                error = "terminal init failed";
                return;
            }
            std::string text;
            for (uint32_t row = 0; row < renderer.rows(); ++row) {
                std::string line = "\x1b[3" + std::to_string((row + n) % 8) + "m";
                size_t visible = 0; // code points: UTF-8 bytes other than continuations
                for (uint32_t w = row * 7 + n; visible + 20 < renderer.cols(); ++w) {
                    for (const char* p = words[w % std::size(words)]; *p; ++p)
                        visible += (uint8_t(*p) & 0xc0) != 0x80;
                    line += words[w % std::size(words)];
                    line += ' ';
                    ++visible;
                }
                text += line + (row + 1 < renderer.rows() ? "\n" : "");
            }
            terminals[n].write(text.c_str());
        }
    }
};

void cached_renderer(benchmark::State& state) {
    static ScreenSetup s;
    if (!s.error.empty()) {
        state.SkipWithError(s.error.c_str());
        return;
    }
    int64_t cells = 0;
    int n = 0;
    for (auto _ : state) {
        s.renderer.redraw(s.terminals[n]);
        n = (n + 1) % ScreenSetup::kScreens;
        benchmark::DoNotOptimize(s.back.data());
        cells += int64_t(s.renderer.cols()) * s.renderer.rows();
    }
    state.SetItemsProcessed(cells);
}

void cached_lookup(benchmark::State& state) {
    FontSetup& s = dejavu();
    if (!s.error.empty()) {
        state.SkipWithError(s.error.c_str());
        return;
    }
    const celos_font_ops* ops = s.font.ops();
    celos_glyph g;
    for (uint32_t c : s.codepoints) // fill the cache
        ops->glyph(ops, c, &g);
    uint64_t rasterized = s.font.rasterizations();
    int64_t lookups = 0;
    for (auto _ : state) {
        for (uint32_t c : s.codepoints) {
            ops->glyph(ops, c, &g);
            benchmark::DoNotOptimize(g.coverage);
        }
        lookups += int64_t(s.codepoints.size());
    }
    if (s.font.rasterizations() != rasterized) state.SkipWithError("a cache hit rasterized");
    state.SetItemsProcessed(lookups);
}

} // namespace

BENCHMARK_CAPTURE(raster_celos, dejavu, dejavu)->Name("truetype_raster/celos");
BENCHMARK_CAPTURE(raster_system, dejavu, dejavu)->Name("truetype_raster/baseline");
BENCHMARK_CAPTURE(raster_celos, nimbus, nimbus)->Name("truetype_raster_cff/celos");
BENCHMARK_CAPTURE(raster_system, nimbus, nimbus)->Name("truetype_raster_cff/baseline");
BENCHMARK(cached_renderer)->Name("truetype_cached/renderer");
BENCHMARK(cached_lookup)->Name("truetype_cached/lookup");
BENCHMARK_CAPTURE(raster_celos, cached, dejavu)->Name("truetype_cached/baseline");
