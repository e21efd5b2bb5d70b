// format: one typical log line through celos::format, and through the host's
// snprintf as the baseline.
#include <benchmark/benchmark.h>

#include <cstdio>

#include "lib/format.h"

using namespace celos;

namespace {

#define CELOS_BENCH_LINE "[%5llu.%06llu] pmm: %zu free pages (%zu MiB) of %zu usable"

// Values change every line, as timestamps and counters do.
struct LineValues {
    unsigned long long seconds, micros;
    usize free_pages, free_mib, usable;
    void advance(u64 i) {
        seconds = 1 + i / 1000;
        micros = (i * 7919) % 1000000;
        free_pages = 60000 + i % 4096;
        free_mib = free_pages / 256;
        usable = 65280;
    }
};

void format_celos(benchmark::State& state) {
    char line[128];
    LineValues v{};
    u64 i = 0;
    for (auto _ : state) {
        v.advance(i++);
        benchmark::DoNotOptimize(celos::format(line, sizeof line, CELOS_BENCH_LINE, v.seconds, v.micros,
                                               v.free_pages, v.free_mib, v.usable));
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
}

void format_baseline(benchmark::State& state) {
    char line[128];
    LineValues v{};
    u64 i = 0;
    for (auto _ : state) {
        v.advance(i++);
        benchmark::DoNotOptimize(std::snprintf(line, sizeof line, CELOS_BENCH_LINE, v.seconds, v.micros,
                                               v.free_pages, v.free_mib, v.usable));
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
}

} // namespace

BENCHMARK(format_celos)->Name("format/celos");
BENCHMARK(format_baseline)->Name("format/baseline");
