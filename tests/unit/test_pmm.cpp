// The physical memory manager over a fake physical memory: a host buffer
// that stands for [kFakeBase, kFakeBase + size), reached through the direct
// map offset as in the kernel. Expected counts come from a per-frame model.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <vector>

#include "host_env.h"
#include "mm/pmm.h"

using namespace celos;

namespace {

constexpr u64 MiB = 1ull << 20;
constexpr u64 GiB = 1ull << 30;

// Host memory that plays physical memory at `base`.
struct FakePhysicalMemory {
    FakePhysicalMemory(u64 base_, u64 size_) : base(base_), size(size_) {
        host = static_cast<u8*>(std::aligned_alloc(2 * MiB, size));
        REQUIRE(host != nullptr);
    }
    ~FakePhysicalMemory() { std::free(host); }
    u64 offset() const { return reinterpret_cast<u64>(host) - base; }

    u64 base;
    u64 size;
    u8* host;
};

// What init must make of a memory map, decided frame by frame.
struct FrameModel {
    FrameModel(u64 first_frame_, u64 frames_, const std::vector<PhysRange>& usable,
               const std::vector<PhysRange>& reserved)
        : first_frame(first_frame_), usable_frame(frames_, false) {
        for (u64 i = 0; i < frames_; ++i) {
            const u64 begin = (first_frame + i) * kPageSize;
            const u64 end = begin + kPageSize;
            bool in_usable = false;
            for (const PhysRange& r : usable)
                in_usable |= r.begin.value() <= begin && end <= r.end.value();
            bool touches_reserved = false;
            for (const PhysRange& r : reserved)
                touches_reserved |= r.begin.value() < end && begin < r.end.value();
            usable_frame[i] = in_usable && !touches_reserved && begin != 0;
        }
    }
    bool in_model(u64 phys) const {
        const u64 f = phys / kPageSize;
        return f >= first_frame && f < first_frame + usable_frame.size();
    }
    // Usable, not reserved, not page 0 (the metadata is checked apart).
    bool usable(u64 phys) const { return in_model(phys) && usable_frame[phys / kPageSize - first_frame]; }

    u64 first_frame;
    std::vector<bool> usable_frame;
};

// Checks init's result against the model, frame by frame; returns the
// length of the longest run of free frames.
u64 check_against_model(const PhysicalMemoryManager& pmm, const FrameModel& model) {
    const PhysRange meta = pmm.metadata_range();
    REQUIRE(meta.begin.page_aligned());
    REQUIRE(meta.end.page_aligned());
    REQUIRE(!meta.empty());
    u64 expected_free = 0;
    u64 run = 0;
    u64 longest = 0;
    for (u64 i = 0; i < model.usable_frame.size(); ++i) {
        const u64 phys = (model.first_frame + i) * kPageSize;
        const bool in_meta = phys >= meta.begin.value() && phys < meta.end.value();
        if (in_meta) REQUIRE(model.usable(phys));  // the bitmaps sit in usable, non-reserved memory
        const bool expected = model.usable(phys) && !in_meta;
        INFO("frame " << std::hex << phys);
        REQUIRE(pmm.is_free(PhysAddr(phys)) == expected);
        expected_free += expected ? 1 : 0;
        run = expected ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    REQUIRE(pmm.total_page_count() == expected_free);
    REQUIRE(pmm.free_page_count() == expected_free);
    return longest;
}

// The memory map of the main tests: holes, unaligned edges, overlapping and
// unsorted entries, reserved ranges inside, across and outside usable memory.
constexpr u64 kFakeBase = 0x100000000ull;
constexpr u64 kFakeSize = 64 * MiB;

std::vector<PhysRange> fake_usable() {
    const u64 b = kFakeBase;
    return {
        {PhysAddr(b + 24 * MiB), PhysAddr(b + 48 * MiB - 0x10)},  // overlaps the next, listed first
        {PhysAddr(b + 16 * MiB), PhysAddr(b + 40 * MiB)},
        {PhysAddr(b + 0x1123), PhysAddr(b + 8 * MiB + 0x800)},    // unaligned both ends
        {PhysAddr(b + 52 * MiB + 0x10), PhysAddr(b + 64 * MiB)},  // hole 48..52 MiB before it
        {PhysAddr(b + 16 * MiB), PhysAddr(b + 17 * MiB)},         // duplicate inside another
        {PhysAddr(b + 9 * MiB + 0x10), PhysAddr(b + 9 * MiB + 0xff0)},  // no whole frame
        {PhysAddr(b + 10 * MiB), PhysAddr(b + 10 * MiB)},         // empty
    };
}

std::vector<PhysRange> fake_reserved() {
    const u64 b = kFakeBase;
    return {
        {PhysAddr(b + 24 * MiB), PhysAddr(b + 24 * MiB + 0x100)},  // where the bitmap would go first
        {PhysAddr(b + 0x3005), PhysAddr(b + 0x5001)},              // touches frames 3, 4 and 5
        {PhysAddr(b + 20 * MiB), PhysAddr(b + 22 * MiB)},
        {PhysAddr(b + 30 * MiB - 1), PhysAddr(b + 30 * MiB + 1)},  // two frames
        {PhysAddr(b + 10 * MiB), PhysAddr(b + 12 * MiB)},          // inside a hole
        {PhysAddr(b + 47 * MiB), PhysAddr(b + 50 * MiB)},          // across a usable edge
        {PhysAddr(b + 100 * MiB), PhysAddr(b + 101 * MiB)},        // outside all memory
    };
}

struct MainFixture {
    MainFixture() : mem(kFakeBase, kFakeSize), usable(fake_usable()), reserved(fake_reserved()),
                    model(kFakeBase / kPageSize, kFakeSize / kPageSize, usable, reserved) {
        const Result<void> r = pmm.init(Span<const PhysRange>(usable.data(), usable.size()),
                                        Span<const PhysRange>(reserved.data(), reserved.size()),
                                        mem.offset());
        REQUIRE(r.ok());
    }
    FakePhysicalMemory mem;
    std::vector<PhysRange> usable;
    std::vector<PhysRange> reserved;
    FrameModel model;
    PhysicalMemoryManager pmm;
};

// Brute force: is there a free run of n frames at a multiple of `align`?
bool free_run_exists(const PhysicalMemoryManager& pmm, const FrameModel& model, u64 n, u64 align) {
    const u64 first = model.first_frame * kPageSize;
    const u64 end = first + model.usable_frame.size() * kPageSize;
    for (u64 p = align_up(first, align); p + n * kPageSize <= end; p += align) {
        u64 i = 0;
        while (i < n && pmm.is_free(PhysAddr(p + i * kPageSize))) ++i;
        if (i == n) return true;
    }
    return false;
}

bool in_metadata(const PhysicalMemoryManager& pmm, u64 phys) {
    return phys >= pmm.metadata_range().begin.value() && phys < pmm.metadata_range().end.value();
}

} // namespace

TEST_CASE("pmm: init counts exactly the whole usable, unreserved frames", "[pmm]") {
    MainFixture f;
    check_against_model(f.pmm, f.model);
    // Hand-counted: [0x2000, 8M+0x800) -> 2046 frames minus 3 reserved; [16M, 48M-0x10) -> 8191
    // frames minus 512 (20..22M) - 1 (24M) - 2 (30M) - 255 (47M..48M-4K); [52M+0x10, 64M) -> 3071;
    // minus the one bitmap page.
    REQUIRE(f.pmm.total_page_count() == (2046 - 3) + (8191 - 512 - 1 - 2 - 255) + 3071 - 1);
    REQUIRE(f.pmm.highest_usable() == PhysAddr(kFakeBase + 64 * MiB));
    // The frame at 24 MiB is reserved, so first fit put the bitmap just after it.
    REQUIRE(f.pmm.metadata_range().begin == PhysAddr(kFakeBase + 24 * MiB + kPageSize));
    REQUIRE(f.pmm.metadata_range().size() == kPageSize);
    REQUIRE_FALSE(f.pmm.is_free(PhysAddr(0)));
    REQUIRE_FALSE(f.pmm.is_free(PhysAddr(kFakeBase + 200 * MiB)));
}

TEST_CASE("pmm: alloc until exhausted, never outside usable memory, then free all", "[pmm]") {
    MainFixture f;
    const usize total = f.pmm.total_page_count();
    std::vector<u64> got;
    for (;;) {
        const Result<PhysAddr> r = f.pmm.alloc_pages(1);
        if (!r.ok()) {
            REQUIRE(r.error().status == Status::no_memory);
            break;
        }
        const u64 p = r.value().value();
        REQUIRE(r.value().page_aligned());
        REQUIRE(f.model.usable(p));  // not reserved, not in a hole, not page 0
        REQUIRE_FALSE(in_metadata(f.pmm, p));
        REQUIRE_FALSE(f.pmm.is_free(r.value()));
        got.push_back(p);
        REQUIRE(got.size() <= total);
    }
    REQUIRE(got.size() == total);
    REQUIRE(f.pmm.free_page_count() == 0);
    std::sort(got.begin(), got.end());
    REQUIRE(std::adjacent_find(got.begin(), got.end()) == got.end());
    REQUIRE(f.pmm.alloc_pages(1).error().status == Status::no_memory);

    for (u64 p : got) f.pmm.free_pages(PhysAddr(p), 1);
    REQUIRE(f.pmm.free_page_count() == total);
    check_against_model(f.pmm, f.model);
}

TEST_CASE("pmm: contiguous allocations honour alignment and stay in one free run", "[pmm]") {
    MainFixture f;
    const usize total = f.pmm.total_page_count();
    std::vector<bool> taken(f.model.usable_frame.size(), false);
    const u64 aligns[] = {4 * MiB, 2 * MiB, MiB, 64 * 1024, 8192, kPageSize};  // the hard ones first
    const usize counts[] = {1, 3, 100, 512, 513};
    std::vector<std::pair<PhysAddr, usize>> live;
    usize refused = 0;
    for (u64 a : aligns) {
        for (usize n : counts) {
            INFO("align " << a << " count " << n);
            const Result<PhysAddr> r = f.pmm.alloc_pages(n, a);
            if (!r.ok()) {
                // Refused only when no such run is left.
                REQUIRE(r.error().status == Status::no_memory);
                REQUIRE_FALSE(free_run_exists(f.pmm, f.model, n, a));
                ++refused;
                continue;
            }
            const u64 p = r.value().value();
            REQUIRE(is_aligned(p, a));
            for (u64 i = 0; i < n; ++i) {
                const u64 frame = p + i * kPageSize;
                REQUIRE(f.model.usable(frame));
                REQUIRE_FALSE(in_metadata(f.pmm, frame));
                const u64 idx = frame / kPageSize - f.model.first_frame;
                REQUIRE_FALSE(taken[idx]);
                taken[idx] = true;
            }
            live.push_back({r.value(), n});
        }
    }
    REQUIRE(refused == 0);  // the map has room for all of them, hardest first
    usize used = 0;
    for (auto& [p, n] : live) used += n;
    REQUIRE(f.pmm.free_page_count() == total - used);
    for (auto& [p, n] : live) f.pmm.free_pages(p, n);
    REQUIRE(f.pmm.free_page_count() == total);
}

TEST_CASE("pmm: the longest free run fits, one more frame does not", "[pmm]") {
    MainFixture f;
    const u64 longest = check_against_model(f.pmm, f.model);
    REQUIRE(f.pmm.alloc_pages(longest + 1).error().status == Status::no_memory);
    REQUIRE(f.pmm.alloc_pages(f.pmm.total_page_count() + 1).error().status == Status::no_memory);
    const Result<PhysAddr> r = f.pmm.alloc_pages(longest);
    REQUIRE(r.ok());
    REQUIRE(f.pmm.free_page_count() == f.pmm.total_page_count() - longest);
    f.pmm.free_pages(r.value(), longest);
    REQUIRE(f.pmm.free_page_count() == f.pmm.total_page_count());
}

TEST_CASE("pmm: bad arguments are errors", "[pmm]") {
    MainFixture f;
    REQUIRE(f.pmm.alloc_pages(0).error().status == Status::invalid);
    REQUIRE(f.pmm.alloc_pages(1, 0).error().status == Status::invalid);
    REQUIRE(f.pmm.alloc_pages(1, 2048).error().status == Status::invalid);
    REQUIRE(f.pmm.alloc_pages(1, 3 * kPageSize).error().status == Status::invalid);
    REQUIRE(f.pmm.free_page_count() == f.pmm.total_page_count());
}

TEST_CASE("pmm: bad frees panic and leave the bitmap intact", "[pmm]") {
    MainFixture f;
    const usize total = f.pmm.total_page_count();
    const Result<PhysAddr> r = f.pmm.alloc_pages(2);
    REQUIRE(r.ok());
    const PhysAddr p = r.value();
    f.pmm.free_pages(p + kPageSize, 1);

    // Double free, whole or in part.
    REQUIRE_THROWS_AS(f.pmm.free_pages(p + kPageSize, 1), celos_test::HostPanic);
    REQUIRE_THROWS_AS(f.pmm.free_pages(p, 2), celos_test::HostPanic);
    REQUIRE_FALSE(f.pmm.is_free(p));  // the partial double free changed nothing
    REQUIRE(f.pmm.free_page_count() == total - 1);
    // Reserved, a hole, the metadata, page 0, outside memory, unaligned, zero pages.
    REQUIRE_THROWS_AS(f.pmm.free_pages(PhysAddr(kFakeBase + 20 * MiB), 1), celos_test::HostPanic);
    REQUIRE_THROWS_AS(f.pmm.free_pages(PhysAddr(kFakeBase + 0x4000), 1), celos_test::HostPanic);
    REQUIRE_THROWS_AS(f.pmm.free_pages(PhysAddr(kFakeBase + 12 * MiB), 1), celos_test::HostPanic);
    REQUIRE_THROWS_AS(f.pmm.free_pages(PhysAddr(kFakeBase + 49 * MiB), 1), celos_test::HostPanic);
    REQUIRE_THROWS_AS(f.pmm.free_pages(f.pmm.metadata_range().begin, 1), celos_test::HostPanic);
    REQUIRE_THROWS_AS(f.pmm.free_pages(PhysAddr(0), 1), celos_test::HostPanic);
    REQUIRE_THROWS_AS(f.pmm.free_pages(PhysAddr(kFakeBase + 128 * MiB), 1), celos_test::HostPanic);
    REQUIRE_THROWS_AS(f.pmm.free_pages(PhysAddr(kFakeBase + 64 * MiB - kPageSize), 2), celos_test::HostPanic);
    REQUIRE_THROWS_AS(f.pmm.free_pages(p + 8, 1), celos_test::HostPanic);
    REQUIRE_THROWS_AS(f.pmm.free_pages(p, 0), celos_test::HostPanic);
    REQUIRE(f.pmm.free_page_count() == total - 1);

    f.pmm.free_pages(p, 1);
    check_against_model(f.pmm, f.model);
}

TEST_CASE("pmm: physical page 0 is never handed out", "[pmm]") {
    FakePhysicalMemory mem(0, 16 * MiB);
    const PhysRange usable[] = {{PhysAddr(0), PhysAddr(16 * MiB)}};
    PhysicalMemoryManager pmm;
    REQUIRE(pmm.init(usable, Span<const PhysRange>(), mem.offset()).ok());
    REQUIRE_FALSE(pmm.is_free(PhysAddr(0)));
    REQUIRE(pmm.metadata_range().begin == PhysAddr(kPageSize));  // first fit, after page 0
    REQUIRE(pmm.total_page_count() == 16 * MiB / kPageSize - 1 - 1);
    usize n = 0;
    for (;;) {
        const Result<PhysAddr> r = pmm.alloc_pages(1);
        if (!r.ok()) break;
        REQUIRE(r.value().value() >= 2 * kPageSize);
        ++n;
    }
    REQUIRE(n == pmm.total_page_count());
}

TEST_CASE("pmm: init fails without room or without memory", "[pmm]") {
    FakePhysicalMemory mem(kFakeBase, 4 * MiB);
    PhysicalMemoryManager none;
    REQUIRE(none.init(Span<const PhysRange>(), Span<const PhysRange>(), mem.offset()).error().status ==
            Status::no_memory);

    const PhysRange tiny[] = {{PhysAddr(kFakeBase + 0x10), PhysAddr(kFakeBase + 0x1010)}};
    PhysicalMemoryManager no_frame;
    REQUIRE(no_frame.init(tiny, Span<const PhysRange>(), mem.offset()).error().status == Status::no_memory);

    const PhysRange usable[] = {{PhysAddr(kFakeBase), PhysAddr(kFakeBase + 4 * MiB)}};
    const PhysRange all[] = {{PhysAddr(kFakeBase), PhysAddr(kFakeBase + 4 * MiB)}};
    PhysicalMemoryManager all_reserved;
    REQUIRE(all_reserved.init(usable, all, mem.offset()).error().status == Status::no_memory);
    REQUIRE_FALSE(all_reserved.initialized());
}

TEST_CASE("pmm: a sparse map gets a multi-page bitmap around reserved memory", "[pmm]") {
    // Memory far above the buffer is only ever named, never touched: the
    // manager writes nothing but its bitmaps.
    FakePhysicalMemory mem(kFakeBase, 8 * MiB);
    const std::vector<PhysRange> usable = {
        {PhysAddr(kFakeBase + 4 * GiB), PhysAddr(kFakeBase + 4 * GiB + 64 * MiB)},
        {PhysAddr(kFakeBase), PhysAddr(kFakeBase + 8 * MiB)},
    };
    const std::vector<PhysRange> reserved = {
        {PhysAddr(kFakeBase + 4 * GiB), PhysAddr(kFakeBase + 4 * GiB + 64 * MiB)},  // all of the far range
        {PhysAddr(kFakeBase), PhysAddr(kFakeBase + 100 * kPageSize)},
        {PhysAddr(kFakeBase + 120 * kPageSize), PhysAddr(kFakeBase + 121 * kPageSize)},
    };
    PhysicalMemoryManager pmm;
    REQUIRE(pmm.init(Span<const PhysRange>(usable.data(), usable.size()),
                     Span<const PhysRange>(reserved.data(), reserved.size()), mem.offset())
                .ok());
    // (4 GiB + 64 MiB) / 4 KiB frames, two bits each, in whole pages.
    const u64 frames = (4 * GiB + 64 * MiB) / kPageSize;
    const u64 meta_pages = (frames / 64 * 8 * 2 + kPageSize - 1) / kPageSize;
    REQUIRE(pmm.metadata_range().size() == meta_pages * kPageSize);
    REQUIRE(pmm.metadata_range().begin == PhysAddr(kFakeBase + 121 * kPageSize));  // 100..120 too small
    REQUIRE(pmm.total_page_count() == 8 * MiB / kPageSize - 100 - 1 - meta_pages);
    REQUIRE(pmm.highest_usable() == PhysAddr(kFakeBase + 4 * GiB + 64 * MiB));
    REQUIRE_FALSE(pmm.is_free(PhysAddr(kFakeBase + 4 * GiB)));
    REQUIRE(pmm.is_free(PhysAddr(kFakeBase + 100 * kPageSize)));
    // The far range only starts in a new bitmap word; the hole before it is not free.
    REQUIRE_FALSE(pmm.is_free(PhysAddr(kFakeBase + 2 * GiB)));
}

TEST_CASE("pmm: random alloc and free against a model", "[pmm]") {
    MainFixture f;
    const usize total = f.pmm.total_page_count();
    std::mt19937_64 rng(0xce105);
    std::vector<bool> owned(f.model.usable_frame.size(), false);
    std::vector<std::pair<u64, usize>> live;
    usize used = 0;
    const u64 aligns[] = {kPageSize, kPageSize, kPageSize, 8192, 64 * 1024, 2 * MiB};
    usize failures = 0;
    for (int op = 0; op < 20000; ++op) {
        const bool do_alloc = live.empty() || rng() % 100 < 55;
        if (do_alloc) {
            const usize n = rng() % 4 == 0 ? 1 + rng() % 600 : 1 + rng() % 8;
            const u64 a = aligns[rng() % 6];
            const Result<PhysAddr> r = f.pmm.alloc_pages(n, a);
            if (!r.ok()) {
                REQUIRE(r.error().status == Status::no_memory);
                if (failures < 50) REQUIRE_FALSE(free_run_exists(f.pmm, f.model, n, a));
                ++failures;
                continue;
            }
            const u64 p = r.value().value();
            REQUIRE(is_aligned(p, a));
            for (usize i = 0; i < n; ++i) {
                const u64 frame = p + i * kPageSize;
                REQUIRE(f.model.usable(frame));
                REQUIRE_FALSE(in_metadata(f.pmm, frame));
                const u64 idx = frame / kPageSize - f.model.first_frame;
                REQUIRE_FALSE(owned[idx]);  // never handed out twice
                owned[idx] = true;
            }
            live.push_back({p, n});
            used += n;
        } else {
            const usize k = rng() % live.size();
            const auto [p, n] = live[k];
            live[k] = live.back();
            live.pop_back();
            f.pmm.free_pages(PhysAddr(p), n);
            for (usize i = 0; i < n; ++i) owned[(p / kPageSize) - f.model.first_frame + i] = false;
            used -= n;
        }
        REQUIRE(f.pmm.free_page_count() == total - used);
    }
    for (auto& [p, n] : live) f.pmm.free_pages(PhysAddr(p), n);
    REQUIRE(f.pmm.free_page_count() == total);
    check_against_model(f.pmm, f.model);
    INFO("allocations refused for lack of a run: " << failures);
}
