// RangeAllocator::allocate_random (core/mm/range_allocator.cpp), the
// placement behind randomized module bases: every page-aligned place where a
// range fits is reachable and equally likely, picks never overlap, and it
// fails only when first fit would.
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <set>
#include <vector>

#include "host_env.h"
#include "mm/range_allocator.h"

using namespace celos;

namespace {

constexpr u64 kPage = 4096;
constexpr u64 kBase = 0xffffffffa0000000ull;
constexpr u64 kEnd = 0xffffffffc0000000ull;

} // namespace

TEST_CASE("kaslr placement: each fitting place is picked by exactly one random value", "[kaslr]") {
    // A 16-page window with pages 4..5 taken: free [0,4) and [6,16).
    RangeAllocator a;
    a.init(kBase, kBase + 16 * kPage);
    REQUIRE(a.allocate(4 * kPage).value() == kBase);
    REQUIRE(a.allocate(2 * kPage).value() == kBase + 4 * kPage);
    a.free(kBase, 4 * kPage);
    // A 3-page range fits at 0, 1 (in [0,4)) and 6..13 (in [6,16)): 10 places.
    std::set<u64> starts;
    for (u64 r = 0; r < 10; ++r) {
        RangeAllocator b = a;
        u64 s = b.allocate_random(3 * kPage, r).value();
        CHECK(s % kPage == 0);
        starts.insert(s);
        CHECK(b.free_bytes() == a.free_bytes() - 3 * kPage);
    }
    std::set<u64> expected = {kBase, kBase + kPage};
    for (u64 p = 6; p <= 13; ++p) expected.insert(kBase + p * kPage);
    CHECK(starts == expected);
    // The value wraps modulo the number of places.
    RangeAllocator c = a;
    CHECK(c.allocate_random(3 * kPage, 10).value() == kBase);
    // Too large for any free range: fails like first fit.
    RangeAllocator d = a;
    CHECK_FALSE(d.allocate_random(11 * kPage, 0).ok());
    CHECK_FALSE(d.allocate(11 * kPage).ok());
    CHECK(d.allocate_random(10 * kPage, 12345).value() == kBase + 6 * kPage); // the only place
}

TEST_CASE("kaslr placement: many modules in the module area never overlap and spread out", "[kaslr]") {
    std::mt19937_64 rng(42);
    RangeAllocator a;
    a.init(kBase, kEnd);
    std::map<u64, u64> taken; // start -> size
    for (int i = 0; i < 60; ++i) {
        u64 size = (1 + rng() % 300) * kPage;
        u64 s = a.allocate_random(size, rng()).value();
        CHECK(s >= kBase);
        CHECK(s + size <= kEnd);
        CHECK(s % kPage == 0);
        auto next = taken.lower_bound(s);
        if (next != taken.end()) CHECK(s + size <= next->first);
        if (next != taken.begin()) {
            auto prev = std::prev(next);
            CHECK(prev->first + prev->second <= s);
        }
        taken[s] = size;
    }
    // 60 uniform picks in 512 MiB: not all in the lowest 64 MiB (as first fit would be).
    u64 high = 0;
    for (auto& [s, size] : taken) high += s >= kBase + (64ull << 20);
    CHECK(high > 30);
    for (auto& [s, size] : taken) a.free(s, size);
    CHECK(a.free_bytes() == kEnd - kBase);
    CHECK(a.free_range_count() == 1);
}

TEST_CASE("kaslr placement: a full free-range table refuses a split but first fit still works", "[kaslr]") {
    RangeAllocator a;
    a.init(kBase, kBase + 1024 * kPage);
    // Each pick splits a free range: after 127 of them the table is full.
    for (usize i = 0; i + 1 < RangeAllocator::kMaxFreeRanges; ++i) REQUIRE(a.allocate_random(kPage, 2 * i + 1).ok());
    REQUIRE(a.free_range_count() == RangeAllocator::kMaxFreeRanges);
    // For one page every free page is a place; the last but one is inside the
    // large last range, so taking it needs a split: refused, nothing changed.
    u64 places = a.free_bytes() / kPage;
    auto r = a.allocate_random(kPage, places - 2);
    CHECK_FALSE(r.ok());
    CHECK(a.free_bytes() / kPage == places);
    // First fit takes a whole one-page range: no split, so it succeeds.
    CHECK(a.allocate(kPage).ok());
}
