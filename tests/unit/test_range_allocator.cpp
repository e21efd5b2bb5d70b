// The virtual-range allocator (core/mm/range_allocator.h): first fit over a
// sorted, merged list of at most 128 free ranges. Expected addresses come
// from a model that keeps the live allocations and computes the first fit
// from the gaps between them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <iterator>
#include <map>
#include <random>
#include <vector>

#include "host_env.h"
#include "mm/range_allocator.h"

using namespace celos;
using celos_test::HostPanic;

namespace {

constexpr u64 kPage = kPageSize;
constexpr u64 kWindowBase = 0xffffffff90000000ull; // 2 MiB aligned, like the module area
constexpr u64 kMiB = 1ull << 20;

u64 must_allocate(RangeAllocator& a, u64 size, u64 alignment = kPage) {
    auto r = a.allocate(size, alignment);
    INFO("allocate(" << size << ", " << alignment << "): " << (r.ok() ? "" : r.error().check));
    REQUIRE(r.ok());
    return r.value();
}

Status allocate_status(RangeAllocator& a, u64 size, u64 alignment = kPage) {
    auto r = a.allocate(size, alignment);
    return r.ok() ? Status::ok : r.error().status;
}

} // namespace

TEST_CASE("range allocator: a fresh window is one free range", "[range_allocator]") {
    RangeAllocator a;
    a.init(kWindowBase, kWindowBase + 64 * kPage);
    CHECK(a.base() == kWindowBase);
    CHECK(a.end() == kWindowBase + 64 * kPage);
    CHECK(a.free_bytes() == 64 * kPage);
    CHECK(a.free_range_count() == 1);
}

TEST_CASE("range allocator: init refuses unaligned or empty windows", "[range_allocator]") {
    RangeAllocator a;
    REQUIRE_THROWS_AS(a.init(kWindowBase + 1, kWindowBase + kPage), HostPanic);
    REQUIRE_THROWS_AS(a.init(kWindowBase, kWindowBase + kPage + 8), HostPanic);
    REQUIRE_THROWS_AS(a.init(kWindowBase, kWindowBase), HostPanic);
    REQUIRE_THROWS_AS(a.init(kWindowBase + kPage, kWindowBase), HostPanic);
}

TEST_CASE("range allocator: allocations are first fit and rounded up to pages", "[range_allocator]") {
    RangeAllocator a;
    a.init(kWindowBase, kWindowBase + 64 * kPage);

    CHECK(must_allocate(a, kPage) == kWindowBase);
    CHECK(must_allocate(a, 1) == kWindowBase + kPage);             // 1 byte takes a page
    CHECK(must_allocate(a, kPage + 1) == kWindowBase + 2 * kPage); // 4097 bytes take two
    CHECK(must_allocate(a, 3 * kPage) == kWindowBase + 4 * kPage);
    CHECK(a.free_bytes() == (64 - 7) * kPage);
    CHECK(a.free_range_count() == 1);

    // A hole at the front is used before the rest of the window...
    a.free(kWindowBase + kPage, 1);
    CHECK(a.free_range_count() == 2);
    CHECK(must_allocate(a, kPage) == kWindowBase + kPage);
    // ...but not when the request does not fit in it.
    a.free(kWindowBase + 2 * kPage, kPage + 1);
    CHECK(must_allocate(a, 3 * kPage) == kWindowBase + 7 * kPage);
    CHECK(must_allocate(a, 2 * kPage) == kWindowBase + 2 * kPage);
    CHECK(a.free_range_count() == 1);
    CHECK(a.free_bytes() == (64 - 10) * kPage);
}

TEST_CASE("range allocator: alignment", "[range_allocator]") {
    RangeAllocator a;
    // Starts one page past a 2 MiB boundary, so a 2 MiB-aligned range leaves a head.
    const u64 base = kWindowBase + kPage;
    a.init(base, kWindowBase + 8 * kMiB);

    u64 big = must_allocate(a, kPage, 2 * kMiB);
    CHECK(big == kWindowBase + 2 * kMiB);
    CHECK(a.free_range_count() == 2); // the head before it and the tail after it
    CHECK(a.free_bytes() == 8 * kMiB - 2 * kPage);

    // The head is first fit for smaller alignments.
    CHECK(must_allocate(a, kPage) == base);
    u64 a64k = must_allocate(a, kPage, 64 * 1024);
    CHECK(a64k == kWindowBase + 64 * 1024);
    CHECK(a64k % (64 * 1024) == 0);

    // Another 2 MiB-aligned 2 MiB range: the next boundary after `big`.
    u64 big2 = must_allocate(a, 2 * kMiB, 2 * kMiB);
    CHECK(big2 == kWindowBase + 4 * kMiB);

    // An alignment larger than the window finds no aligned start inside it.
    CHECK(allocate_status(a, kPage, 16 * kMiB) == Status::no_memory);
}

TEST_CASE("range allocator: invalid requests", "[range_allocator]") {
    RangeAllocator a;
    a.init(kWindowBase, kWindowBase + 16 * kPage);
    CHECK(allocate_status(a, 0) == Status::invalid);
    CHECK(allocate_status(a, kPage, 0) == Status::invalid);
    CHECK(allocate_status(a, kPage, 2048) == Status::invalid);      // below a page
    CHECK(allocate_status(a, kPage, 3 * kPage) == Status::invalid); // not a power of two
    CHECK(a.free_bytes() == 16 * kPage);
    CHECK(a.free_range_count() == 1);
}

TEST_CASE("range allocator: exhaustion is Status::no_memory", "[range_allocator]") {
    RangeAllocator a;
    a.init(kWindowBase, kWindowBase + 16 * kPage);

    CHECK(allocate_status(a, 17 * kPage) == Status::no_memory); // larger than the window
    CHECK(allocate_status(a, 16 * kPage + 1) == Status::no_memory);
    CHECK(must_allocate(a, 16 * kPage) == kWindowBase); // exactly the window
    CHECK(a.free_bytes() == 0);
    CHECK(a.free_range_count() == 0);
    CHECK(allocate_status(a, kPage) == Status::no_memory);

    // Enough bytes in total, but no single hole is large enough.
    a.free(kWindowBase, kPage);
    a.free(kWindowBase + 2 * kPage, kPage);
    a.free(kWindowBase + 4 * kPage, kPage);
    CHECK(a.free_bytes() == 3 * kPage);
    CHECK(allocate_status(a, 2 * kPage) == Status::no_memory);
    CHECK(a.free_bytes() == 3 * kPage);
    CHECK(must_allocate(a, kPage) == kWindowBase);
}

TEST_CASE("range allocator: free merges with both neighbours", "[range_allocator]") {
    RangeAllocator a;
    a.init(kWindowBase, kWindowBase + 16 * kPage);
    u64 x = must_allocate(a, 2 * kPage);
    u64 y = must_allocate(a, 3 * kPage);
    u64 z = must_allocate(a, kPage);
    u64 rest = must_allocate(a, 10 * kPage);
    REQUIRE(rest + 10 * kPage == a.end());
    REQUIRE(a.free_range_count() == 0);

    SECTION("previous, then next, then both") {
        a.free(x, 2 * kPage);
        CHECK(a.free_range_count() == 1);
        a.free(z, kPage);
        CHECK(a.free_range_count() == 2);
        a.free(y, 3 * kPage); // joins x before it and z after it
        CHECK(a.free_range_count() == 1);
        CHECK(a.free_bytes() == 6 * kPage);
        CHECK(must_allocate(a, 6 * kPage) == x); // the merged range is one range
        a.free(x, 6 * kPage);
        a.free(rest, 10 * kPage); // joins the previous one only
        CHECK(a.free_range_count() == 1);
        CHECK(a.free_bytes() == 16 * kPage);
        CHECK(must_allocate(a, 16 * kPage) == kWindowBase);
    }
    SECTION("joining only the next range extends it downwards") {
        a.free(z, kPage);
        a.free(y, 3 * kPage);
        CHECK(a.free_range_count() == 1);
        CHECK(must_allocate(a, 4 * kPage) == y);
    }
    SECTION("joining only the previous range extends it upwards") {
        a.free(y, 3 * kPage);
        a.free(z, kPage);
        CHECK(a.free_range_count() == 1);
        CHECK(must_allocate(a, 4 * kPage) == y);
    }
    SECTION("sizes are rounded up on free as on allocate") {
        a.free(y, 3 * kPage - 100);
        CHECK(a.free_bytes() == 3 * kPage);
        CHECK(must_allocate(a, 3 * kPage) == y);
    }
}

TEST_CASE("range allocator: double free panics", "[range_allocator]") {
    RangeAllocator a;
    a.init(kWindowBase, kWindowBase + 16 * kPage);
    u64 x = must_allocate(a, 4 * kPage);
    u64 y = must_allocate(a, 4 * kPage);
    (void)must_allocate(a, 8 * kPage);
    a.free(x + kPage, 2 * kPage); // [x+1, x+3) free, x and x+3 allocated

    REQUIRE_THROWS_AS(a.free(x + kPage, 2 * kPage), HostPanic);     // exactly a free range
    REQUIRE_THROWS_AS(a.free(x + kPage, kPage), HostPanic);         // inside a free range
    REQUIRE_THROWS_AS(a.free(x, 2 * kPage), HostPanic);             // overlaps its start
    REQUIRE_THROWS_AS(a.free(x + 2 * kPage, 2 * kPage), HostPanic); // overlaps its end
    REQUIRE_THROWS_AS(a.free(x, 4 * kPage), HostPanic);             // covers it
    REQUIRE_THROWS_AS(a.free(x + 2 * kPage, 6 * kPage), HostPanic); // from inside into y
    CHECK(a.free_bytes() == 2 * kPage);                             // a refused free changes nothing
    CHECK(a.free_range_count() == 1);

    a.free(y, 4 * kPage);
    REQUIRE_THROWS_AS(a.free(y, 4 * kPage), HostPanic);
    CHECK(a.free_bytes() == 6 * kPage);
}

TEST_CASE("range allocator: freeing outside the window panics", "[range_allocator]") {
    RangeAllocator a;
    a.init(kWindowBase, kWindowBase + 16 * kPage);
    (void)must_allocate(a, 16 * kPage);

    REQUIRE_THROWS_AS(a.free(kWindowBase - kPage, kPage), HostPanic);                  // below
    REQUIRE_THROWS_AS(a.free(kWindowBase - kPage, 2 * kPage), HostPanic);              // straddles the base
    REQUIRE_THROWS_AS(a.free(kWindowBase + 16 * kPage, kPage), HostPanic);             // at the end
    REQUIRE_THROWS_AS(a.free(kWindowBase + 15 * kPage, 2 * kPage), HostPanic);         // straddles the end
    REQUIRE_THROWS_AS(a.free(kWindowBase + 100, kPage), HostPanic);                    // unaligned base
    REQUIRE_THROWS_AS(a.free(kWindowBase, 0), HostPanic);                              // empty
    REQUIRE_THROWS_AS(a.free(kWindowBase + 15 * kPage, ~0ull - kPage + 1), HostPanic); // wraps around
    REQUIRE_THROWS_AS(a.free(0, kPage), HostPanic);
    CHECK(a.free_bytes() == 0);
    CHECK(a.free_range_count() == 0);
}

TEST_CASE("range allocator: 128 free ranges at most", "[range_allocator]") {
    static_assert(RangeAllocator::kMaxFreeRanges == 128);
    // The window starts one page past a 64 KiB boundary: page k is 64 KiB
    // aligned when k + 1 is a multiple of 16, so no even page is.
    const u64 base = kWindowBase + kPage;
    const u64 pages = 512;
    RangeAllocator a;
    a.init(base, base + pages * kPage);
    auto page = [&](u64 k) { return base + k * kPage; };

    // Pages 0..255 one by one (each taken from the front: no split), then
    // every even one of them freed: 127 one-page holes and the tail [256, 512).
    for (u64 k = 0; k < 256; ++k)
        REQUIRE(must_allocate(a, kPage) == page(k));
    REQUIRE(a.free_range_count() == 1);
    for (u64 k = 0; k < 254; k += 2)
        a.free(page(k), kPage);
    REQUIRE(a.free_range_count() == RangeAllocator::kMaxFreeRanges);
    const u64 free_before = a.free_bytes();
    REQUIRE(free_before == (127 + 256) * kPage);

    SECTION("freeing one more isolated range panics and loses nothing") {
        REQUIRE_THROWS_AS(a.free(page(254), kPage), HostPanic);
        CHECK(a.free_range_count() == RangeAllocator::kMaxFreeRanges);
        CHECK(a.free_bytes() == free_before);
        // A free that merges needs no new entry.
        a.free(page(1), kPage); // joins holes 0 and 2
        CHECK(a.free_range_count() == RangeAllocator::kMaxFreeRanges - 1);
        a.free(page(254), kPage); // now there is room for it
        CHECK(a.free_range_count() == RangeAllocator::kMaxFreeRanges);
        CHECK(a.free_bytes() == free_before + 2 * kPage);
        a.free(page(253), kPage); // joins hole 252 and 254
        a.free(page(255), kPage); // joins 252..254 and the tail
        CHECK(a.free_range_count() == RangeAllocator::kMaxFreeRanges - 2);
    }
    SECTION("an allocation that would split a range is refused, not lost") {
        // Only the tail has a 64 KiB-aligned page: page 271, with free pages before and after it.
        CHECK(allocate_status(a, kPage, 64 * 1024) == Status::no_memory);
        CHECK(a.free_range_count() == RangeAllocator::kMaxFreeRanges);
        CHECK(a.free_bytes() == free_before);
        // Allocations that need no new entry still work at capacity.
        CHECK(must_allocate(a, kPage) == page(0)); // takes a whole hole
        CHECK(a.free_range_count() == RangeAllocator::kMaxFreeRanges - 1);
        CHECK(must_allocate(a, 2 * kPage) == page(256)); // trims the tail's front
        a.free(page(0), kPage);
        REQUIRE(a.free_range_count() == RangeAllocator::kMaxFreeRanges);
        // Once a merge frees an entry, the split goes through.
        a.free(page(1), kPage);
        REQUIRE(a.free_range_count() == RangeAllocator::kMaxFreeRanges - 1);
        CHECK(must_allocate(a, kPage, 64 * 1024) == page(271));
        CHECK(a.free_range_count() == RangeAllocator::kMaxFreeRanges);
    }
}

TEST_CASE("range allocator: random allocations and frees against a model", "[range_allocator]") {
    const u64 base = kWindowBase + 3 * kPage; // not aligned to anything above a page
    const u64 pages = 2048;
    const u64 end = base + pages * kPage;
    RangeAllocator a;
    a.init(base, end);

    std::map<u64, u64> live; // base -> page-rounded size
    // First fit computed from the gaps between live allocations.
    auto model_first_fit = [&](u64 size, u64 alignment) -> u64 {
        u64 gap_begin = base;
        auto try_gap = [&](u64 gap_end) -> u64 {
            u64 start = align_up(gap_begin, alignment);
            if (start >= gap_begin && start < gap_end && gap_end - start >= size) return start;
            return 0;
        };
        for (auto [b, s] : live) {
            if (u64 start = try_gap(b)) return start;
            gap_begin = b + s;
        }
        return try_gap(end);
    };
    auto model_free_bytes = [&] {
        u64 used = 0;
        for (auto [b, s] : live)
            used += s;
        return pages * kPage - used;
    };

    std::mt19937_64 rng(20261123);
    std::uniform_int_distribution<int> coin(0, 99);
    std::uniform_int_distribution<u64> size_dist(1, 48 * kPage);
    std::uniform_int_distribution<int> align_shift(12, 18); // 4 KiB .. 256 KiB
    usize allocations = 0, refusals = 0;

    for (int step = 0; step < 20000; ++step) {
        INFO("step " << step);
        // Free ranges never outnumber live allocations + 1; stay well below capacity.
        bool do_alloc = live.empty() || (live.size() < 100 && coin(rng) < 55);
        if (do_alloc) {
            u64 size = size_dist(rng);
            u64 alignment = coin(rng) < 70 ? kPage : (1ull << align_shift(rng));
            u64 rounded = align_up(size, kPage);
            u64 expected = model_first_fit(rounded, alignment);
            auto r = a.allocate(size, alignment);
            if (expected == 0) {
                REQUIRE_FALSE(r.ok());
                REQUIRE(r.error().status == Status::no_memory);
                ++refusals;
            } else {
                REQUIRE(r.ok());
                u64 got = r.value();
                REQUIRE(got == expected);
                REQUIRE(got % alignment == 0);
                REQUIRE(got >= base);
                REQUIRE(got + rounded <= end);
                // No overlap with the neighbours on either side.
                auto next = live.lower_bound(got);
                if (next != live.end()) REQUIRE(got + rounded <= next->first);
                if (next != live.begin()) REQUIRE(std::prev(next)->first + std::prev(next)->second <= got);
                live.emplace(got, rounded);
                ++allocations;
            }
        } else {
            auto it = live.begin();
            std::advance(it, std::uniform_int_distribution<usize>(0, live.size() - 1)(rng));
            a.free(it->first, it->second);
            live.erase(it);
        }
        REQUIRE(a.free_bytes() == model_free_bytes());
        REQUIRE(a.free_range_count() <= live.size() + 1);
    }
    CHECK(allocations > 1000);
    CHECK(refusals > 0); // the run did reach a full window

    // Everything back, in random order: the whole window, one range again.
    std::vector<std::pair<u64, u64>> rest(live.begin(), live.end());
    std::shuffle(rest.begin(), rest.end(), rng);
    for (auto [b, s] : rest)
        a.free(b, s);
    CHECK(a.free_bytes() == pages * kPage);
    CHECK(a.free_range_count() == 1);
    CHECK(must_allocate(a, pages * kPage) == base);
}
