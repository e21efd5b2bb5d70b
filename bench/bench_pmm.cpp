// pmm_alloc_free: random single-page alloc/free pairs with about half of a
// fake 256 MiB physical memory live, on the PMM and on the simplest O(1)
// allocator (a stack of free page numbers) as the baseline.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <vector>

#include "mm/pmm.h"

using namespace celos;

namespace {

constexpr u64 kFakePhysBase = 1ull << 20; // 1 MiB, as on a PC
constexpr u64 kFakeMemory = 256ull << 20;

// Host memory standing in for physical memory; only the PMM's bitmaps are
// ever touched, so most of it is never faulted in.
struct FakePhysicalMemory {
    u8* host;
    FakePhysicalMemory() : host(static_cast<u8*>(std::aligned_alloc(kPageSize, kFakeMemory))) {}
    ~FakePhysicalMemory() { std::free(host); }
    u64 direct_map_offset() const { return reinterpret_cast<u64>(host) - kFakePhysBase; }
};

struct Rng {
    u64 s = 0x9e3779b97f4a7c15ull;
    u64 next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
};

void pmm_alloc_free_pmm(benchmark::State& state) {
    static FakePhysicalMemory memory;
    auto pmm = std::make_unique<PhysicalMemoryManager>();
    const PhysRange usable[] = {{PhysAddr(kFakePhysBase), PhysAddr(kFakePhysBase + kFakeMemory)}};
    if (!pmm->init(Span<const PhysRange>(usable), Span<const PhysRange>(), memory.direct_map_offset()).ok()) {
        state.SkipWithError("pmm init failed");
        return;
    }
    // Half the pages live, at the addresses the allocator itself chose.
    std::vector<PhysAddr> live(pmm->free_page_count() / 2);
    for (PhysAddr& p : live)
        p = pmm->alloc_pages(1).value();

    Rng rng;
    for (auto _ : state) {
        PhysAddr& slot = live[rng.next() % live.size()];
        pmm->free_pages(slot, 1);
        Result<PhysAddr> page = pmm->alloc_pages(1);
        if (!page.ok()) {
            state.SkipWithError("pmm out of memory");
            break;
        }
        slot = page.value();
        // The const overload on purpose: with GCC 12 and benchmark 1.7.1 the
        // writable one (asm "+m,r" on the PhysAddr) made this -O2 loop free a
        // page twice; the PMM alone runs the same pattern cleanly.
        benchmark::DoNotOptimize(slot.value());
    }
    state.SetItemsProcessed(state.iterations() * 2); // one free and one alloc
}

// The baseline: free page numbers on a stack; alloc pops, free pushes.
class FreeListStack {
  public:
    explicit FreeListStack(u64 pages) : free_(pages), top_(pages) {
        for (u64 i = 0; i < pages; ++i)
            free_[i] = pages - 1 - i;
    }
    bool alloc(u64& page) {
        if (top_ == 0) return false;
        page = free_[--top_];
        return true;
    }
    void free(u64 page) { free_[top_++] = page; }
    u64 free_count() const { return top_; }

  private:
    std::vector<u64> free_;
    u64 top_;
};

void pmm_alloc_free_baseline(benchmark::State& state) {
    FreeListStack stack(kFakeMemory / kPageSize);
    std::vector<u64> live(stack.free_count() / 2);
    for (u64& p : live)
        stack.alloc(p);

    Rng rng;
    for (auto _ : state) {
        u64& slot = live[rng.next() % live.size()];
        stack.free(slot);
        if (!stack.alloc(slot)) {
            state.SkipWithError("stack out of pages");
            break;
        }
        benchmark::DoNotOptimize(static_cast<const u64&>(slot));
    }
    state.SetItemsProcessed(state.iterations() * 2);
}

} // namespace

BENCHMARK(pmm_alloc_free_pmm)->Name("pmm_alloc_free/pmm");
BENCHMARK(pmm_alloc_free_baseline)->Name("pmm_alloc_free/baseline");
