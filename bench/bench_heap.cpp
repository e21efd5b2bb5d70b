// The kernel heap's allocator core (modules/heap/heap_core.cpp, checks off
// as in a release kernel) against glibc malloc/free as the baseline, on the
// same pre-generated random sequences.
//   heap_pairs_<lo>_<hi>: free a random one of 4096 live slots and allocate
//     a block of a size uniform in [lo, hi] in its place.
//   heap_larson: larson-style, four simulated threads' pools of 1024 slots
//     interleaved, each step replacing a random slot with a 16..512 B block.
//   heap_latency_malloc / heap_latency_free: 10^6 pairs (16 B..4 KiB), each
//     malloc or free timed with rdtsc; counters p99_9_ns and max_ns.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <vector>
#include <x86intrin.h>

#include "heap_core.h"

namespace {

struct HostPages final : celos_heap::PageSource {
    void* map_pages(size_t pages) override {
        void* p = std::aligned_alloc(4096, pages * 4096);
        if (p) std::memset(p, 0, pages * 4096);
        return p;
    }
    void unmap_pages(void* base, size_t) override { std::free(base); }
};

[[noreturn]] void heap_fault(const celos_heap::FaultReport&) {
    std::abort();
}

struct Rng {
    uint64_t s = 0x9e3779b97f4a7c15ull;
    uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
};

struct Step {
    uint32_t slot;
    uint32_t size;
};

constexpr size_t kSlots = 4096;
constexpr size_t kSteps = 1 << 20;

std::vector<Step> make_steps(size_t slots, size_t lo, size_t hi, uint64_t seed) {
    Rng rng{seed};
    std::vector<Step> steps(kSteps);
    for (Step& s : steps)
        s = {uint32_t(rng.next() % slots), uint32_t(lo + rng.next() % (hi - lo + 1))};
    return steps;
}

// The subject and the baseline behind the same two calls.
struct CelosHeap {
    HostPages pages;
    std::unique_ptr<celos_heap::Heap> heap;
    CelosHeap() : heap(new celos_heap::Heap()) {
        std::memset(static_cast<void*>(heap.get()), 0, sizeof(celos_heap::Heap));
        heap->init(pages, celos_heap::Options{false}, heap_fault);
    }
    void* alloc(size_t n) { return heap->allocate(n, 0, 0, 64); }
    void release(void* p) { heap->free(p, 0); }
};

struct Glibc {
    void* alloc(size_t n) { return std::malloc(n); }
    void release(void* p) { std::free(p); }
};

template <class Allocator>
void run_pairs(benchmark::State& state, const std::vector<Step>& steps, size_t slots) {
    Allocator a;
    std::vector<void*> live(slots);
    for (size_t i = 0; i < slots; ++i)
        live[i] = a.alloc(steps[i].size);
    size_t i = 0;
    for (auto _ : state) {
        const Step s = steps[i];
        i = (i + 1) & (kSteps - 1);
        a.release(live[s.slot]);
        void* p = a.alloc(s.size);
        if (!p) {
            state.SkipWithError("out of memory");
            break;
        }
        static_cast<char*>(p)[0] = 1; // touch it, as a user would
        live[s.slot] = p;
        benchmark::DoNotOptimize(p);
    }
    for (void* p : live)
        a.release(p);
    state.SetItemsProcessed(state.iterations() * 2); // one free and one malloc
}

template <class Allocator, size_t Lo, size_t Hi>
void pairs(benchmark::State& state) {
    static const std::vector<Step> steps = make_steps(kSlots, Lo, Hi, Lo * 31 + Hi);
    run_pairs<Allocator>(state, steps, kSlots);
}

// Larson: thread t's pool is slots [t*1024, (t+1)*1024); steps go round the
// threads.
std::vector<Step> make_larson_steps() {
    constexpr size_t kThreads = 4, kPool = 1024;
    Rng rng{77};
    std::vector<Step> steps(kSteps);
    for (size_t i = 0; i < kSteps; ++i)
        steps[i] = {uint32_t((i % kThreads) * kPool + rng.next() % kPool), uint32_t(16 + rng.next() % 497)};
    return steps;
}

template <class Allocator>
void larson(benchmark::State& state) {
    static const std::vector<Step> steps = make_larson_steps();
    run_pairs<Allocator>(state, steps, 4096);
}

double tsc_ns_per_tick() {
    static double value = [] {
        timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        uint64_t c0 = __rdtsc();
        do {
            clock_gettime(CLOCK_MONOTONIC, &t1);
        } while ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec) < 20e6);
        uint64_t c1 = __rdtsc();
        return ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / double(c1 - c0);
    }();
    return value;
}

// Each iteration: 10^6 free+malloc pairs; the timed call is malloc or free.
// p99.9 is the median over iterations of each iteration's p99.9; max is over all.
template <class Allocator, bool TimeMalloc>
void latency(benchmark::State& state) {
    static const std::vector<Step> steps = make_steps(kSlots, 16, 4096, 991);
    constexpr size_t kOps = 1000000;
    Allocator a;
    std::vector<void*> live(kSlots);
    for (size_t i = 0; i < kSlots; ++i)
        live[i] = a.alloc(steps[i].size);
    std::vector<uint32_t> ticks(kOps);
    const double ns = tsc_ns_per_tick();
    uint64_t all_max = 0;
    std::vector<uint32_t> p999s;
    for (auto _ : state) {
        for (size_t i = 0; i < kOps; ++i) {
            const Step s = steps[i & (kSteps - 1)];
            uint64_t t0, t1;
            void* p;
            if (TimeMalloc) {
                a.release(live[s.slot]);
                t0 = __rdtsc();
                p = a.alloc(s.size);
                t1 = __rdtsc();
            } else {
                t0 = __rdtsc();
                a.release(live[s.slot]);
                t1 = __rdtsc();
                p = a.alloc(s.size);
            }
            static_cast<char*>(p)[0] = 1;
            live[s.slot] = p;
            ticks[i] = uint32_t(std::min<uint64_t>(t1 - t0, UINT32_MAX));
        }
        std::nth_element(ticks.begin(), ticks.begin() + kOps - kOps / 1000, ticks.end());
        p999s.push_back(ticks[kOps - kOps / 1000]);
        all_max =
            std::max<uint64_t>(all_max, *std::max_element(ticks.begin() + kOps - kOps / 1000, ticks.end()));
    }
    for (void* p : live)
        a.release(p);
    std::sort(p999s.begin(), p999s.end());
    state.counters["p99_9_ns"] = p999s[p999s.size() / 2] * ns;
    state.counters["max_ns"] = double(all_max) * ns;
    state.SetItemsProcessed(state.iterations() * kOps);
}

} // namespace

BENCHMARK_TEMPLATE(pairs, CelosHeap, 16, 256)->Name("heap_pairs_16_256/celos_heap");
BENCHMARK_TEMPLATE(pairs, Glibc, 16, 256)->Name("heap_pairs_16_256/baseline");
BENCHMARK_TEMPLATE(pairs, CelosHeap, 16, 4096)->Name("heap_pairs_16_4k/celos_heap");
BENCHMARK_TEMPLATE(pairs, Glibc, 16, 4096)->Name("heap_pairs_16_4k/baseline");
BENCHMARK_TEMPLATE(pairs, CelosHeap, 16, 65536)->Name("heap_pairs_16_64k/celos_heap");
BENCHMARK_TEMPLATE(pairs, Glibc, 16, 65536)->Name("heap_pairs_16_64k/baseline");
BENCHMARK_TEMPLATE(larson, CelosHeap)->Name("heap_larson/celos_heap");
BENCHMARK_TEMPLATE(larson, Glibc)->Name("heap_larson/baseline");
BENCHMARK_TEMPLATE(latency, CelosHeap, true)->Name("heap_latency_malloc/celos_heap");
BENCHMARK_TEMPLATE(latency, Glibc, true)->Name("heap_latency_malloc/baseline");
BENCHMARK_TEMPLATE(latency, CelosHeap, false)->Name("heap_latency_free/celos_heap");
BENCHMARK_TEMPLATE(latency, Glibc, false)->Name("heap_latency_free/baseline");
