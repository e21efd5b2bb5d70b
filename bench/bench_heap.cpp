// The kernel heap's allocator core (modules/heap/heap_core.cpp) with checks
// off, as in a release kernel (celos_heap), and with checks on, as in a
// debug kernel (celos_heap_checks), against three allocators on the same
// pre-generated sequences in the same run: glibc malloc (baseline),
// mimalloc (baseline_mimalloc) and jemalloc (baseline_jemalloc).
//   heap_pairs_<lo>_<hi>: free a random one of 4096 live slots and allocate
//     a block of a size uniform in [lo, hi] in its place.
//   heap_larson: larson-style, four simulated threads' pools of 1024 slots
//     interleaved, each step replacing a random slot with a 16..512 B block.
//   heap_sh6bench: sh6bench-like bursts: 1000 blocks of one size (1 B to
//     709 B, growing by 3/2), every other one freed back to front and
//     allocated again at half the size, then all freed front to back.
//   heap_realloc_growth: 32 buffers grown in turn by realloc, each by 1..256
//     bytes (appending), freed and started again past 64 KiB.
//   heap_large_64k_2m: pairs over 64 live slots of 64 KiB to 2 MiB.
//   heap_latency_malloc / heap_latency_free: 10^6 pairs (16 B..4 KiB), each
//     malloc or free timed with rdtsc; counters p99_9_ns and max_ns.
// Rates count calls (a pair is two). mimalloc is opened with dlopen
// (RTLD_LOCAL | RTLD_DEEPBIND) and called through mi_malloc/mi_free/
// mi_realloc; jemalloc is linked from a copy of its static library whose
// public symbols are renamed celos_je_* (bench/CMakeLists.txt): neither
// replaces the process's malloc, which stays glibc's.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dlfcn.h>
#include <memory>
#include <string>
#include <vector>
#include <x86intrin.h>

#include "heap_core.h"

#ifdef CELOS_BENCH_JEMALLOC
extern "C" {
void* celos_je_malloc(size_t size);
void celos_je_free(void* p);
void* celos_je_realloc(void* p, size_t size);
}
#endif

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

// The subjects and the baselines behind the same three calls.
template <bool Checks>
struct CelosHeap {
    HostPages pages;
    std::unique_ptr<celos_heap::Heap> heap;
    CelosHeap() : heap(new celos_heap::Heap()) {
        std::memset(static_cast<void*>(heap.get()), 0, sizeof(celos_heap::Heap));
        heap->init(pages, celos_heap::Options{Checks}, heap_fault);
    }
    ~CelosHeap() { heap->shutdown(); }
    void* alloc(size_t n) { return heap->allocate(n, 0, 0, 64); }
    void release(void* p) { heap->free(p, 0); }
    void* resize(void* p, size_t n) { return heap->reallocate(p, n, 0, 64); }
};

struct Glibc {
    void* alloc(size_t n) { return std::malloc(n); }
    void release(void* p) { std::free(p); }
    void* resize(void* p, size_t n) { return std::realloc(p, n); }
};

#ifdef CELOS_BENCH_MIMALLOC
struct MimallocCalls {
    void* (*malloc)(size_t) = nullptr;
    void (*free)(void*) = nullptr;
    void* (*realloc)(void*, size_t) = nullptr;
};

// mi_* from the shared library, opened so that it does not interpose the
// process's malloc (RTLD_LOCAL) and binds its own calls to itself.
const MimallocCalls& mimalloc_calls() {
    static MimallocCalls calls = [] {
        MimallocCalls c;
        void* lib = dlopen(CELOS_BENCH_MIMALLOC, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
        if (!lib) return c;
        c.malloc = reinterpret_cast<void* (*)(size_t)>(dlsym(lib, "mi_malloc"));
        c.free = reinterpret_cast<void (*)(void*)>(dlsym(lib, "mi_free"));
        c.realloc = reinterpret_cast<void* (*)(void*, size_t)>(dlsym(lib, "mi_realloc"));
        if (!c.malloc || !c.free || !c.realloc) c = MimallocCalls{};
        return c;
    }();
    return calls;
}

struct Mimalloc {
    const MimallocCalls& mi = mimalloc_calls();
    void* alloc(size_t n) { return mi.malloc(n); }
    void release(void* p) { mi.free(p); }
    void* resize(void* p, size_t n) { return mi.realloc(p, n); }
};
#endif

#ifdef CELOS_BENCH_JEMALLOC
struct Jemalloc {
    void* alloc(size_t n) { return celos_je_malloc(n); }
    void release(void* p) { celos_je_free(p); }
    void* resize(void* p, size_t n) { return celos_je_realloc(p, n); }
};
#endif

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

template <class Allocator>
void large(benchmark::State& state) {
    constexpr size_t kLargeSlots = 64;
    static const std::vector<Step> steps = make_steps(kLargeSlots, 64 << 10, 2 << 20, 4242);
    run_pairs<Allocator>(state, steps, kLargeSlots);
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

// One iteration is a whole pass over the sizes: 15 sizes x 3000 calls.
template <class Allocator>
void sh6bench(benchmark::State& state) {
    constexpr size_t kCount = 1000;
    Allocator a;
    std::vector<void*> memory(kCount);
    size_t calls = 0;
    for (auto _ : state) {
        for (size_t size = 1; size < 1000; size = size * 3 / 2 + 1) {
            for (size_t i = 0; i < kCount; ++i) {
                memory[i] = a.alloc(size);
                static_cast<char*>(memory[i])[0] = 1;
            }
            for (size_t i = kCount - 1; i < kCount; i -= 2) // odd slots, back to front
                a.release(memory[i]);
            for (size_t i = 1; i < kCount; i += 2) {
                memory[i] = a.alloc(size / 2 + 1);
                static_cast<char*>(memory[i])[0] = 1;
            }
            for (size_t i = 0; i < kCount; ++i)
                a.release(memory[i]);
            calls += 3 * kCount;
        }
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(int64_t(calls));
}

template <class Allocator>
void realloc_growth(benchmark::State& state) {
    constexpr size_t kBuffers = 32, kMax = 64 << 10;
    static const std::vector<uint16_t> growth = [] {
        Rng rng{0x5eed};
        std::vector<uint16_t> g(kSteps);
        for (uint16_t& v : g)
            v = uint16_t(1 + rng.next() % 256);
        return g;
    }();
    Allocator a;
    void* buffers[kBuffers];
    size_t sizes[kBuffers];
    Rng rng{99};
    for (size_t b = 0; b < kBuffers; ++b) { // start spread over the sizes
        sizes[b] = 1 + rng.next() % kMax;
        buffers[b] = a.alloc(sizes[b]);
    }
    size_t i = 0, calls = 0;
    for (auto _ : state) {
        size_t b = i % kBuffers;
        size_t n = sizes[b] + growth[i & (kSteps - 1)];
        i++;
        void* p;
        if (n > kMax) {
            a.release(buffers[b]);
            n -= kMax;
            p = a.alloc(n);
            calls += 2;
        } else {
            p = a.resize(buffers[b], n);
            calls++;
        }
        if (!p) {
            state.SkipWithError("out of memory");
            break;
        }
        static_cast<char*>(p)[n - 1] = 1; // the bytes appended
        buffers[b] = p;
        sizes[b] = n;
        benchmark::DoNotOptimize(p);
    }
    for (void* p : buffers)
        a.release(p);
    state.SetItemsProcessed(int64_t(calls));
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

// Every workload for every allocator, the subjects first. A baseline's
// label names its allocator in the report.
template <template <class> class Workload, class Allocator>
void run_labelled(benchmark::State& state, const char* label) {
    Workload<Allocator>::run(state);
    state.SetLabel(label);
}

template <template <class> class Workload>
void add_workload(const std::string& group) {
    benchmark::RegisterBenchmark((group + "/celos_heap").c_str(), Workload<CelosHeap<false>>::run);
    benchmark::RegisterBenchmark((group + "/celos_heap_checks").c_str(), Workload<CelosHeap<true>>::run);
    benchmark::RegisterBenchmark((group + "/baseline").c_str(), run_labelled<Workload, Glibc>, "glibc");
#ifdef CELOS_BENCH_MIMALLOC
    if (mimalloc_calls().malloc)
        benchmark::RegisterBenchmark((group + "/baseline_mimalloc").c_str(), run_labelled<Workload, Mimalloc>,
                                     "mimalloc");
#endif
#ifdef CELOS_BENCH_JEMALLOC
    benchmark::RegisterBenchmark((group + "/baseline_jemalloc").c_str(), run_labelled<Workload, Jemalloc>,
                                 "jemalloc");
#endif
}

template <size_t Lo, size_t Hi>
struct Pairs {
    template <class A>
    struct W {
        static void run(benchmark::State& s) { pairs<A, Lo, Hi>(s); }
    };
};
template <class A>
struct Larson {
    static void run(benchmark::State& s) { larson<A>(s); }
};
template <class A>
struct Sh6bench {
    static void run(benchmark::State& s) { sh6bench<A>(s); }
};
template <class A>
struct ReallocGrowth {
    static void run(benchmark::State& s) { realloc_growth<A>(s); }
};
template <class A>
struct Large {
    static void run(benchmark::State& s) { large<A>(s); }
};
template <class A>
struct LatencyMalloc {
    static void run(benchmark::State& s) { latency<A, true>(s); }
};
template <class A>
struct LatencyFree {
    static void run(benchmark::State& s) { latency<A, false>(s); }
};

const bool registered = [] {
    add_workload<Pairs<16, 256>::W>("heap_pairs_16_256");
    add_workload<Pairs<16, 4096>::W>("heap_pairs_16_4k");
    add_workload<Pairs<16, 65536>::W>("heap_pairs_16_64k");
    add_workload<Larson>("heap_larson");
    add_workload<Sh6bench>("heap_sh6bench");
    add_workload<ReallocGrowth>("heap_realloc_growth");
    add_workload<Large>("heap_large_64k_2m");
    add_workload<LatencyMalloc>("heap_latency_malloc");
    add_workload<LatencyFree>("heap_latency_free");
    return true;
}();

} // namespace
