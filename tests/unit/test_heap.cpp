// The kernel heap's allocator core (modules/heap/heap_core.cpp) over a fake
// page source: a long random run against a model, each hardening check,
// and the edge cases.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "heap_core.h"

using namespace celos_heap;

namespace {

struct HeapFault {
    FaultReport report;
};

[[noreturn]] void throw_fault(const FaultReport& r) {
    throw HeapFault{r};
}

// Pages from aligned_alloc; counts what is mapped and unmapped and refuses
// once `limit` pages are mapped at the same time.
struct FakePageSource final : PageSource {
    size_t limit = SIZE_MAX;
    size_t mapped_pages = 0, unmapped_pages = 0, live_pages = 0, maps = 0;
    std::map<void*, size_t> live;

    void* map_pages(size_t pages) override {
        if (pages > limit || live_pages + pages > limit) return nullptr;
        void* p = std::aligned_alloc(4096, pages * 4096);
        if (!p) return nullptr;
        std::memset(p, 0, pages * 4096);
        live[p] = pages;
        mapped_pages += pages;
        live_pages += pages;
        maps++;
        return p;
    }
    void unmap_pages(void* base, size_t pages) override {
        auto it = live.find(base);
        REQUIRE(it != live.end());
        REQUIRE(it->second == pages);
        live.erase(it);
        unmapped_pages += pages;
        live_pages -= pages;
        std::free(base);
    }
    ~FakePageSource() {
        for (auto& [p, n] : live)
            std::free(p);
    }
};

// Heap is big (the TLSF lists); keep it off the stack.
std::unique_ptr<Heap> make_heap(FakePageSource& src, bool checks) {
    auto h = std::make_unique<Heap>();
    std::memset(static_cast<void*>(h.get()), 0, sizeof(Heap));
    h->init(src, Options{checks}, throw_fault);
    return h;
}

struct Rng {
    uint64_t s;
    uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    uint64_t below(uint64_t n) { return next() % n; }
};

Fault fault_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const HeapFault& e) {
        return e.report.kind;
    }
    FAIL("no fault reported");
    return Fault::corrupt;
}

void require_clean(const Heap& h) {
    CheckReport r = h.check();
    INFO((r.problem ? r.problem : "") << " at " << r.where);
    REQUIRE(r.ok);
}

struct Live {
    size_t size;
    uint8_t fill;
    uint64_t id;
    int owner;
};

void fill_block(uint8_t* p, const Live& l) {
    std::memset(p, l.fill, l.size);
    if (l.size >= 8) std::memcpy(p, &l.id, 8);
}

bool block_intact(const uint8_t* p, const Live& l) {
    size_t from = 0;
    if (l.size >= 8) {
        uint64_t id;
        std::memcpy(&id, p, 8);
        if (id != l.id) return false;
        from = 8;
    }
    for (size_t i = from; i < l.size; ++i)
        if (p[i] != l.fill) return false;
    return true;
}

size_t random_size(Rng& rng) {
    uint64_t k = rng.below(100);
    if (k < 80) return 1 + rng.below(256);
    if (k < 97) return 257 + rng.below(4096 - 256);
    if (k < 99 || rng.below(16) != 0) return 4097 + rng.below(65536 - 4096);
    return 65537 + rng.below(3 << 20); // past the slabs, often past a region
}

size_t random_alignment(Rng& rng) {
    if (rng.below(10) < 6) return 0;
    return size_t(1) << rng.below(13); // 1..4096
}

void random_run(bool checks, uint64_t ops) {
    FakePageSource src;
    auto heap = make_heap(src, checks);
    Heap& h = *heap;
    Rng rng{checks ? 0x1234567887654321ull : 0x0badc0ffee15600dull};

    std::map<uintptr_t, Live> model; // by address: also the interval map for overlaps
    std::vector<uint8_t*> order;     // for random picks
    uint64_t next_id = 1;
    size_t owner_blocks[kMaxOwners] = {};

    auto add = [&](uint8_t* p, size_t size, size_t align, int owner) {
        REQUIRE(p != nullptr);
        uintptr_t a = reinterpret_cast<uintptr_t>(p);
        REQUIRE(a % (align > 16 ? align : 16) == 0);
        REQUIRE(h.usable_size(p) >= size);
        size_t extent = size ? size : 1;
        auto it = model.lower_bound(a);
        if (it != model.end()) REQUIRE(it->first >= a + extent);
        if (it != model.begin()) {
            auto prev = std::prev(it);
            REQUIRE(prev->first + (prev->second.size ? prev->second.size : 1) <= a);
        }
        Live l{size, uint8_t(rng.next()), next_id++, owner};
        fill_block(p, l);
        model[a] = l;
        order.push_back(p);
        owner_blocks[owner]++;
    };
    auto take = [&](size_t index) {
        uint8_t* p = order[index];
        order[index] = order.back();
        order.pop_back();
        auto it = model.find(reinterpret_cast<uintptr_t>(p));
        REQUIRE(it != model.end());
        Live l = it->second;
        model.erase(it);
        REQUIRE(block_intact(p, l));
        owner_blocks[l.owner]--;
        return std::pair<uint8_t*, Live>(p, l);
    };

    for (uint64_t op = 1; op <= ops; ++op) {
        uint64_t k = rng.below(100);
        size_t live = order.size();
        if (live > 3000) k = 60; // free
        if (live == 0 || k < 45) {
            size_t size = random_size(rng), align = random_alignment(rng);
            int owner = int(rng.below(kMaxOwners));
            add(static_cast<uint8_t*>(h.allocate(size, align, op, owner)), size, align, owner);
        } else if (k < 80) {
            auto [p, l] = take(rng.below(live));
            h.free(p, op);
        } else {
            size_t index = rng.below(live);
            auto [p, l] = take(index);
            size_t size = rng.below(2) ? l.size + 1 + rng.below(l.size + 64) : rng.below(l.size + 1);
            if (size == 0) size = 1;
            int owner = int(rng.below(kMaxOwners));
            uint8_t* q = static_cast<uint8_t*>(h.reallocate(p, size, op, owner));
            REQUIRE(q != nullptr);
            Live kept = l;
            kept.size = size < l.size ? size : l.size;
            if (kept.size < 8 && l.size >= 8) { // the id no longer fits: check the fill past it
                for (size_t i = 0; i < kept.size; ++i)
                    REQUIRE(q[i] == reinterpret_cast<const uint8_t*>(&l.id)[i]);
            } else {
                REQUIRE(block_intact(q, kept));
            }
            add(q, size, 0, owner);
        }
        if (op % 10000 == 0) {
            require_clean(h);
            const Stats& s = h.stats();
            REQUIRE(s.blocks_in_use == order.size());
            for (int o = 0; o < kMaxOwners; ++o)
                REQUIRE(s.owners[o].blocks == owner_blocks[o]);
        }
    }
    while (!order.empty()) {
        auto [p, l] = take(order.size() - 1);
        h.free(p, 1);
    }
    require_clean(h);
    const Stats& s = h.stats();
    CHECK(s.bytes_in_use == 0);
    CHECK(s.blocks_in_use == 0);
    for (int o = 0; o < kMaxOwners; ++o)
        CHECK(s.owners[o].bytes == 0);
    CHECK(s.regions == 1);
    CHECK(src.live.size() == 1);
    CHECK(src.mapped_pages - src.unmapped_pages == s.mapped_bytes / 4096);
    CHECK(s.peak_blocks > 1000);
    CHECK(src.maps > 1); // large blocks made it grow and shrink
}

} // namespace

TEST_CASE("heap: 10^7 random operations against a model, checks on", "[heap]") {
    random_run(true, 10000000);
}

TEST_CASE("heap: 10^7 random operations against a model, checks off", "[heap]") {
    random_run(false, 10000000);
}

TEST_CASE("heap: double free is detected", "[heap]") {
    for (bool checks : {true, false}) {
        FakePageSource src;
        auto h = make_heap(src, checks);
        void* small = h->allocate(32, 0, 1, 0);
        h->free(small, 2);
        CHECK(fault_of([&] { h->free(small, 3); }) == Fault::double_free);

        void* a = h->allocate(10000, 0, 1, 0);
        void* big = h->allocate(10000, 0, 1, 0);
        void* c = h->allocate(10000, 0, 1, 0);
        h->free(big, 2);
        try {
            h->free(big, 3);
            FAIL("no fault");
        } catch (const HeapFault& e) {
            CHECK(e.report.kind == Fault::double_free);
            CHECK(e.report.pointer == big);
            CHECK(e.report.caller == 3);
            if (checks) CHECK(e.report.allocated_by == 1);
            if (checks) CHECK(e.report.size == 10000);
        }
        if (checks) { // merged into a free neighbour: its header is poison now
            h->free(a, 2);
            CHECK(fault_of([&] { h->free(big, 3); }) == Fault::double_free);
        }
        (void)c;
    }
}

TEST_CASE("heap: invalid frees are detected with checks on", "[heap]") {
    FakePageSource src, src2;
    auto h = make_heap(src, true);
    auto other = make_heap(src2, true);
    void* keep = h->allocate(100, 0, 1, 0);
    alignas(16) unsigned char stack[128] = {};
    CHECK(fault_of([&] { h->free(stack + 64, 5); }) == Fault::invalid_free);
    uint8_t* p = static_cast<uint8_t*>(h->allocate(256, 0, 1, 0));
    CHECK(fault_of([&] { h->free(p + 32, 5); }) == Fault::invalid_free);
    CHECK(fault_of([&] { h->free(p + 3, 5); }) == Fault::invalid_free);
    void* q = other->allocate(64, 0, 1, 0);
    CHECK(fault_of([&] { h->free(q, 5); }) == Fault::invalid_free);
    CHECK(fault_of([&] { h->reallocate(p + 32, 10, 5, 0); }) == Fault::invalid_free);
    require_clean(*h);
    h->free(p, 1);
    h->free(keep, 1);
    other->free(q, 1);
    require_clean(*h);
    require_clean(*other);
}

TEST_CASE("heap: an overflow by one byte is caught on free and by check()", "[heap]") {
    FakePageSource src;
    auto h = make_heap(src, true);
    for (size_t n : {0, 1, 7, 8, 13, 16, 100, 255, 256, 4000, 70000}) {
        INFO("size " << n);
        uint8_t* p = static_cast<uint8_t*>(h->allocate(n, 0, 7, 3));
        REQUIRE(h->usable_size(p) == n);
        std::memset(p, 1, n);
        require_clean(*h);
        p[n] = 0x42;
        CHECK_FALSE(h->check().ok);
        try {
            h->free(p, 9);
            FAIL("no fault");
        } catch (const HeapFault& e) {
            CHECK(e.report.kind == Fault::overflow);
            CHECK(e.report.size == n);
            CHECK(e.report.allocated_by == 7);
            CHECK(e.report.caller == 9);
        }
        p[n] = 0xAB; // the red-zone byte, repaired
        h->free(p, 9);
        require_clean(*h);
    }
}

TEST_CASE("heap: a write after free is caught by the poison check", "[heap]") {
    FakePageSource src;
    auto h = make_heap(src, true);
    SECTION("small block, found when reused") {
        uint8_t* p = static_cast<uint8_t*>(h->allocate(100, 0, 1, 0));
        void* keep = h->allocate(100, 0, 1, 0);
        h->free(p, 2);
        p[50] = 1;
        CHECK_FALSE(h->check().ok);
        CHECK(fault_of([&] { h->allocate(100, 0, 3, 0); }) == Fault::use_after_free);
        (void)keep;
    }
    // The poison of a freed block spans its payload past the list links (16
    // bytes) up to Heap::kPoisonSpan: a write at either end is caught, one
    // past it is not looked for. `again` allocates what reuses the block
    // (`reused`: it must be p, when nothing was found).
    auto write_after_free = [&](size_t size, size_t at, auto again, bool reused) {
        const bool caught = at < Heap::kPoisonSpan;
        INFO("write at " << at << ", caught " << caught);
        void* a = h->allocate(size, 0, 1, 0); // p's neighbours stay: p merges with neither
        uint8_t* p = static_cast<uint8_t*>(h->allocate(size, 0, 1, 0));
        void* b = h->allocate(size, 0, 1, 0);
        h->free(p, 2);
        require_clean(*h);
        p[at] = 1;
        CheckReport r = h->check();
        CHECK(r.ok == !caught);
        if (caught) CHECK(r.where == p + at);
        if (caught)
            CHECK(fault_of([&] { again(p); }) == Fault::use_after_free);
        else if (reused)
            CHECK(again(p) == p);
        else
            CHECK(again(p) != nullptr);
        (void)a;
        (void)b;
    };
    for (size_t at : {size_t(16), Heap::kPoisonSpan - 1, size_t(100), Heap::kPoisonSpan}) {
        // The class's stack is LIFO: the next block of that class is p.
        DYNAMIC_SECTION("slab block of 5000 bytes, write at " << at) {
            write_after_free(5000, at, [&](void*) { return h->allocate(4990, 0, 3, 0); }, true);
        }
        // Good fit: a smaller request is served from the freed block.
        DYNAMIC_SECTION("TLSF block (past the slabs), write at " << at) {
            write_after_free(100000, at, [&](void*) { return h->allocate(90000, 0, 3, 0); }, true);
        }
        // p is not so aligned: the block is cut, after its span was checked.
        DYNAMIC_SECTION("aligned block cut from a freed one, write at " << at) {
            const size_t align = size_t(1) << 15;
            write_after_free(100000, at, [&](void* p) {
                REQUIRE(reinterpret_cast<uintptr_t>(p) % align != 0);
                return h->allocate(1000, align, 3, 0);
            }, false);
        }
    }
}

TEST_CASE("heap: a damaged header canary is caught", "[heap]") {
    FakePageSource src;
    auto h = make_heap(src, true);
    uint8_t* p = static_cast<uint8_t*>(h->allocate(64, 0, 1, 0));
    void* keep = h->allocate(64, 0, 1, 0);
    uint64_t canary;
    std::memcpy(&canary, p - 32, 8); // header: prev, tag, canary, requested, allocated_by, freed_by
    canary ^= 1;
    std::memcpy(p - 32, &canary, 8);
    CHECK_FALSE(h->check().ok);
    CHECK(fault_of([&] { h->free(p, 2); }) == Fault::corrupt);
    (void)keep;
}

TEST_CASE("heap: edge cases", "[heap]") {
    for (bool checks : {true, false}) {
        INFO("checks " << checks);
        FakePageSource src;
        auto h = make_heap(src, checks);

        void* z1 = h->allocate(0, 0, 1, 0);
        void* z2 = h->allocate(0, 0, 1, 0);
        REQUIRE(z1);
        REQUIRE(z2);
        CHECK(z1 != z2);
        CHECK(h->usable_size(z1) == (checks ? 0u : 16u));
        h->free(nullptr, 1);
        CHECK(h->stats().blocks_in_use == 2);

        uint8_t* r = static_cast<uint8_t*>(h->reallocate(nullptr, 40, 1, 2));
        REQUIRE(r);
        CHECK(h->stats().owners[2].blocks == 1);
        std::memset(r, 7, 40);
        CHECK(h->reallocate(r, 0, 1, 2) == nullptr);
        CHECK(h->stats().owners[2].blocks == 0);

        uint8_t* p = static_cast<uint8_t*>(h->allocate(100, 0, 1, 0));
        std::memset(p, 9, 100);
        CHECK(h->allocate(SIZE_MAX, 0, 1, 0) == nullptr);
        CHECK(h->allocate(SIZE_MAX / 2, 0, 1, 0) == nullptr);
        CHECK(h->allocate(SIZE_MAX - 4096, 4096, 1, 0) == nullptr);
        CHECK(h->allocate(100, 3, 1, 0) == nullptr); // not a power of two
        CHECK(h->reallocate(p, SIZE_MAX, 1, 0) == nullptr);
        CHECK(h->reallocate(p, SIZE_MAX / 2, 1, 0) == nullptr);
        for (int i = 0; i < 100; ++i)
            REQUIRE(p[i] == 9);
        require_clean(*h);

        void* page = h->allocate(4096, 4096, 1, 0);
        CHECK(reinterpret_cast<uintptr_t>(page) % 4096 == 0);
        void* huge_align = h->allocate(100, size_t(1) << 21, 1, 0);
        REQUIRE(huge_align);
        CHECK(reinterpret_cast<uintptr_t>(huge_align) % (size_t(1) << 21) == 0);
        h->free(huge_align, 1);
        h->free(page, 1);
        h->free(p, 1);
        h->free(z1, 1);
        h->free(z2, 1);
        require_clean(*h);
        CHECK(h->stats().bytes_in_use == 0);
        CHECK(h->stats().owners[0].total_allocations == 5);
        CHECK(h->stats().owners[0].peak_blocks >= 3);
    }
}

TEST_CASE("heap: a zero-initialized heap without init refuses to allocate", "[heap]") {
    auto h = std::make_unique<Heap>();
    std::memset(static_cast<void*>(h.get()), 0, sizeof(Heap));
    CHECK(h->allocate(16, 0, 1, 0) == nullptr);
    h->free(nullptr, 1);
    CHECK(h->check().ok);
}

TEST_CASE("heap: exhaustion returns nullptr and leaves the heap consistent", "[heap]") {
    for (bool checks : {true, false}) {
        INFO("checks " << checks);
        FakePageSource src;
        src.limit = 1024; // 4 MiB
        auto h = make_heap(src, checks);
        std::vector<void*> blocks;
        Rng rng{42};
        size_t failures = 0;
        for (int i = 0; i < 20000 && failures < 50; ++i) {
            size_t size = 1 + rng.below(i % 2 ? 300 : 20000);
            void* p = h->allocate(size, 0, 1, 0);
            if (p)
                blocks.push_back(p);
            else
                failures++;
        }
        CHECK(failures == 50);
        CHECK(src.live_pages <= 1024);
        require_clean(*h);

        // A failed krealloc leaves the block as it was.
        uint8_t* p = static_cast<uint8_t*>(blocks.back());
        size_t n = h->usable_size(p);
        std::memset(p, 0x5a, n);
        CHECK(h->reallocate(p, 8u << 20, 1, 0) == nullptr);
        for (size_t i = 0; i < n; ++i)
            REQUIRE(p[i] == 0x5a);
        require_clean(*h);

        for (void* b : blocks)
            h->free(b, 1);
        require_clean(*h);
        CHECK(h->stats().bytes_in_use == 0);
        CHECK(h->stats().regions == 1);
        // Memory freed is usable again.
        void* again = h->allocate(100000, 0, 1, 0);
        CHECK(again != nullptr);
        h->free(again, 1);
    }
}

TEST_CASE("heap: realloc grows and shrinks in place when it can", "[heap]") {
    for (bool checks : {true, false}) {
        INFO("checks " << checks);
        FakePageSource src;
        auto h = make_heap(src, checks);

        // A slab block stays while the new size fits its class and uses more
        // than half of it; otherwise it moves, with its contents.
        uint8_t* p = static_cast<uint8_t*>(h->allocate(1000, 0, 1, 4));
        std::memset(p, 3, 1000);
        CHECK(h->reallocate(p, 1005, 2, 5) == p); // blocks of 1024 B (1280 with checks)
        CHECK(h->stats().owners[4].blocks == 0);
        CHECK(h->stats().owners[5].blocks == 1);
        CHECK(h->reallocate(p, 700, 2, 5) == p);
        CHECK(h->usable_size(p) >= 700);
        uint8_t* q = static_cast<uint8_t*>(h->reallocate(p, 3000, 2, 5));
        REQUIRE(q != nullptr);
        CHECK(q != p);
        for (int i = 0; i < 700; ++i)
            REQUIRE(q[i] == 3);
        uint8_t* r = static_cast<uint8_t*>(h->reallocate(q, 100, 2, 5));
        REQUIRE(r != nullptr);
        CHECK(r != q); // a quarter of the block: a smaller class
        for (int i = 0; i < 100; ++i)
            REQUIRE(r[i] == 3);
        CHECK(h->stats().owners[5].blocks == 1);
        require_clean(*h);
        h->free(r, 1);

        // A TLSF block grows into the free block after it and shrinks by
        // giving its tail back.
        uint8_t* big = static_cast<uint8_t*>(h->allocate(100000, 0, 1, 4));
        std::memset(big, 7, 100000);
        CHECK(h->reallocate(big, 300000, 2, 5) == big); // the rest of the region follows
        for (int i = 0; i < 100000; ++i)
            REQUIRE(big[i] == 7);
        CHECK(h->usable_size(big) >= 300000);
        CHECK(h->reallocate(big, 80000, 2, 5) == big);
        CHECK(h->usable_size(big) >= 80000);
        CHECK(h->usable_size(big) < 81000);
        require_clean(*h);
        h->free(big, 1);
        require_clean(*h);
        CHECK(h->stats().bytes_in_use == 0);
    }
}

// What the loader calls when it unloads a module: every block of that owner
// goes, the others' stay intact, and regions it alone used go back.
TEST_CASE("heap: release_owner frees exactly one owner's blocks", "[heap]") {
    for (bool checks : {true, false}) {
        INFO("checks " << checks);
        FakePageSource src;
        auto h = make_heap(src, checks);
        std::vector<std::pair<uint8_t*, size_t>> kept;
        Rng rng{0x1234567u};
        for (int i = 0; i < 2000; ++i) {
            size_t size = 1 + rng.next() % ((i % 97 == 0) ? 300000 : 700);
            int owner = static_cast<int>(rng.next() % 3); // owners 0, 1, 2
            auto* p = static_cast<uint8_t*>(h->allocate(size, 0, 1, owner));
            REQUIRE(p);
            std::memset(p, owner == 1 ? 0x11 : 0x22, size);
            if (owner == 1) continue; // released below
            if (rng.next() % 4 == 0) {
                h->free(p, 1);
                continue;
            }
            kept.push_back({p, size});
        }
        size_t owner1_blocks = h->stats().owners[1].blocks;
        REQUIRE(owner1_blocks > 0);
        size_t others = h->stats().blocks_in_use - owner1_blocks;
        CHECK(h->release_owner(1) == owner1_blocks);
        CHECK(h->stats().owners[1].blocks == 0);
        CHECK(h->stats().owners[1].bytes == 0);
        CHECK(h->stats().blocks_in_use == others);
        CHECK(h->check().ok);
        for (auto& [p, size] : kept)
            for (size_t k = 0; k < size; ++k)
                REQUIRE(p[k] == 0x22);
        CHECK(h->release_owner(1) == 0);
        CHECK(h->release_owner(kCoreOwner) == 0); // never the core's
        CHECK(h->release_owner(-1) == 0);
        for (auto& [p, size] : kept)
            h->free(p, 1);
        CHECK(h->stats().bytes_in_use == 0);
        CHECK(src.live_pages * 4096 == h->stats().mapped_bytes);
        CHECK(h->stats().regions == 1); // all but the last region went back
    }
}

TEST_CASE("heap: a fixed heap (a pool) serves from its block only and never grows", "[heap]") {
    for (bool checks : {true, false}) {
        INFO("checks " << checks);
        constexpr size_t kBytes = 256 * 1024;
        std::vector<uint64_t> block(kBytes / 8 + 2);
        auto* base = reinterpret_cast<uint8_t*>(block.data());
        auto h = std::make_unique<Heap>();
        std::memset(static_cast<void*>(h.get()), 0, sizeof(Heap));
        CHECK_FALSE(h->init_fixed(base + 8, kBytes, Options{checks}, throw_fault)); // misaligned
        CHECK(h->allocate(16, 0, 1, 0) == nullptr);
        CHECK_FALSE(h->init_fixed(base, Heap::kMinFixedBytes - 16, Options{checks}, throw_fault));
        REQUIRE(h->init_fixed(base, kBytes, Options{checks}, throw_fault));
        CHECK(h->stats().regions == 1);
        CHECK(h->allocate(kBytes, 0, 1, 0) == nullptr); // more than the block
        std::vector<uint8_t*> blocks;
        while (auto* p = static_cast<uint8_t*>(h->allocate(1000, 0, 1, 0))) {
            REQUIRE(p >= base);
            REQUIRE(p + 1000 <= base + kBytes);
            std::memset(p, 0x5a, 1000);
            blocks.push_back(p);
        }
        CHECK(blocks.size() > 200);
        CHECK(h->check().ok);
        for (uint8_t* p : blocks)
            h->free(p, 1);
        CHECK(h->stats().bytes_in_use == 0);
        CHECK(h->stats().regions == 1); // kept: it is the pool
        CHECK(h->check().ok);
        void* again = h->allocate(kBytes / 2, 0, 1, 0); // merged back into one block
        CHECK(again != nullptr);
        CHECK(h->shutdown() == 1);
        CHECK(h->allocate(16, 0, 1, 0) == nullptr);
    }
}

TEST_CASE("heap: shutdown gives every region back, whatever is in use", "[heap]") {
    for (bool checks : {true, false}) {
        INFO("checks " << checks);
        FakePageSource src;
        auto h = make_heap(src, checks);
        std::vector<void*> kept;
        for (int i = 0; i < 100; ++i)
            kept.push_back(h->allocate(size_t(1) << (i % 21), 0, 1, i % 3));
        for (size_t i = 0; i < kept.size(); i += 2)
            h->free(kept[i], 1);
        REQUIRE(src.live_pages > 0);
        CHECK(h->shutdown() == 50);
        CHECK(src.live_pages == 0);
        CHECK(src.unmapped_pages == src.mapped_pages);
        CHECK(h->allocate(16, 0, 1, 0) == nullptr);
        CHECK(h->stats().regions == 0);
        // And it starts again.
        h->init(src, Options{checks}, throw_fault);
        void* p = h->allocate(100, 0, 1, 0);
        CHECK(p != nullptr);
        h->free(p, 1);
        CHECK(h->shutdown() == 0);
        CHECK(src.live_pages == 0);
    }
}

// Every request size, across the slab classes' bounds and past the largest.
TEST_CASE("heap: every request size gets a block that holds it", "[heap]") {
    for (bool checks : {true, false}) {
        INFO("checks " << checks);
        FakePageSource src;
        auto h = make_heap(src, checks);
        std::vector<std::pair<uint8_t*, size_t>> blocks;
        for (size_t n = 0; n <= 70000; n += n < 4200 ? 1 : 37) {
            auto* p = static_cast<uint8_t*>(h->allocate(n, 0, 1, 2));
            REQUIRE(p);
            REQUIRE(reinterpret_cast<uintptr_t>(p) % 16 == 0);
            REQUIRE(h->usable_size(p) >= n);
            if (checks) REQUIRE(h->usable_size(p) == n);
            std::memset(p, int(n & 0xff), n);
            blocks.push_back({p, n});
            if (blocks.size() == 64) { // keep some live, free the rest in a mixed order
                for (size_t i = 0; i < blocks.size(); i += 2)
                    h->free(blocks[i].first, 1);
                for (size_t i = 1; i < blocks.size(); i += 2)
                    for (size_t k = 0; k < blocks[i].second; ++k)
                        REQUIRE(blocks[i].first[k] == uint8_t(blocks[i].second & 0xff));
                for (size_t i = blocks.size() - 1; i < blocks.size(); i -= 2)
                    h->free(blocks[i].first, 1);
                blocks.clear();
                require_clean(*h);
            }
        }
        for (auto& [p, n] : blocks)
            h->free(p, 1);
        require_clean(*h);
        CHECK(h->stats().bytes_in_use == 0);
        CHECK(h->stats().regions == 1);
    }
}

// A slab that empties goes back to the TLSF, but for one per class, kept
// (and counted in cached_bytes) until trim() or the next use of its class.
TEST_CASE("heap: an empty slab is kept once per class, and trim gives it back", "[heap]") {
    for (bool checks : {true, false}) {
        INFO("checks " << checks);
        FakePageSource src;
        auto h = make_heap(src, checks);
        void* other = h->allocate(5000, 0, 1, 0); // keeps the heap from emptying
        std::vector<void*> blocks;
        for (int i = 0; i < 1600; ++i) // 100-byte requests: blocks of 128 (160 with checks), 3+ slabs
            blocks.push_back(h->allocate(100, 0, 1, 0));
        const size_t mapped = h->stats().mapped_bytes;
        CHECK(h->stats().cached_bytes == 0);
        for (size_t i = 1; i < blocks.size(); ++i)
            h->free(blocks[i], 1);
        require_clean(*h);
        // Block 0's slab stays in use, one of the others is kept, the rest went
        // back; the last blocks freed wait on their class's stack.
        const size_t stacked = Heap::kStackDepth * (checks ? 160 : 128);
        CHECK(h->stats().cached_bytes >= Heap::kSlabMinBytes);
        CHECK(h->stats().cached_bytes <= Heap::kSlabMinBytes + stacked);
        CHECK(h->stats().mapped_bytes == mapped);
        // Block 0's slab serves first, then the kept one: no new slab.
        for (size_t i = 1; i < 1100; ++i)
            blocks[i] = h->allocate(100, 0, 1, 0);
        CHECK(h->stats().cached_bytes == 0);
        CHECK(h->stats().mapped_bytes == mapped);
        require_clean(*h);
        for (size_t i = 1; i < 1100; ++i)
            h->free(blocks[i], 1);
        CHECK(h->stats().cached_bytes >= Heap::kSlabMinBytes);
        CHECK(h->stats().cached_bytes <= Heap::kSlabMinBytes + stacked);
        h->trim();
        CHECK(h->stats().cached_bytes == 0);
        require_clean(*h);
        h->free(blocks[0], 1);
        h->free(other, 1); // the last block: everything is trimmed, one region stays
        require_clean(*h);
        CHECK(h->stats().regions == 1);
        CHECK(h->stats().cached_bytes == h->stats().mapped_bytes);
        CHECK(src.live_pages * 4096 == h->stats().mapped_bytes);
    }
}

// Wholly free regions stay mapped (the region cache, bounded by the bytes in
// use or four minimal regions) and serve the next big blocks without a map.
TEST_CASE("heap: a wholly free region is reused without a new map, and trim gives it back", "[heap]") {
    for (bool checks : {true, false}) {
        INFO("checks " << checks);
        FakePageSource src;
        auto h = make_heap(src, checks);
        void* small = h->allocate(64, 0, 1, 0); // the first region stays in use
        uint8_t* a = static_cast<uint8_t*>(h->allocate(3 << 20, 0, 1, 0));
        REQUIRE(a);
        const size_t maps = src.maps, mapped = h->stats().mapped_bytes;
        CHECK(h->stats().regions == 2);
        h->free(a, 1);
        require_clean(*h);
        CHECK(h->stats().regions == 2); // kept: cached
        CHECK(h->stats().cached_bytes >= size_t(3) << 20);
        CHECK(h->stats().mapped_bytes == mapped);
        // A hit: a smaller big block comes from the cached region.
        uint8_t* b = static_cast<uint8_t*>(h->allocate(2 << 20, 0, 1, 0));
        REQUIRE(b);
        CHECK(src.maps == maps);
        CHECK(h->stats().cached_bytes == 0);
        std::memset(b, 1, 2 << 20);
        h->free(b, 1);
        // A miss: bigger than the cached region.
        uint8_t* c = static_cast<uint8_t*>(h->allocate(5 << 20, 0, 1, 0));
        REQUIRE(c);
        CHECK(src.maps == maps + 1);
        h->free(c, 1);
        // Bounded: 3 MiB kept and 5 MiB more would pass max(4 MiB, bytes in use).
        CHECK(h->stats().cached_bytes <= size_t(4) << 20);
        CHECK(h->stats().regions == 2);
        require_clean(*h);
        h->trim();
        CHECK(h->stats().regions == 1);
        CHECK(h->stats().cached_bytes == 0);
        CHECK(src.live_pages * 4096 == h->stats().mapped_bytes);
        require_clean(*h);
        h->free(small, 1);
    }
}

TEST_CASE("heap: under pressure the caches give their memory back before an allocation fails", "[heap]") {
    for (bool checks : {true, false}) {
        INFO("checks " << checks);
        FakePageSource src;
        src.limit = 1536; // 6 MiB
        auto h = make_heap(src, checks);
        void* small = h->allocate(64, 0, 1, 0);
        void* a = h->allocate(3 << 20, 0, 1, 0);
        REQUIRE(a);
        h->free(a, 1); // its region is cached: 1 + 3 MiB mapped
        REQUIRE(h->stats().cached_bytes >= size_t(3) << 20);
        // 4 MiB more does not fit beside it: the cached region goes, then it fits.
        void* b = h->allocate(4 << 20, 0, 1, 0);
        REQUIRE(b);
        CHECK(src.unmapped_pages > 0);
        CHECK(src.live_pages <= 1536);
        require_clean(*h);
        // Nothing left to give: a request that cannot fit fails cleanly.
        CHECK(h->allocate(4 << 20, 0, 1, 0) == nullptr);
        require_clean(*h);
        h->free(b, 1);
        h->free(small, 1);
        CHECK(h->stats().regions == 1);
    }
}

// What the loader relies on when it unloads a module: its blocks go, and
// what they made the heap hold (slabs, regions) goes back to the page source.
TEST_CASE("heap: release_owner gives back the slabs and regions the owner's blocks needed", "[heap]") {
    for (bool checks : {true, false}) {
        INFO("checks " << checks);
        FakePageSource src;
        auto h = make_heap(src, checks);
        std::vector<void*> others;
        for (int i = 0; i < 50; ++i)
            others.push_back(h->allocate(size_t(40 + i), 0, 1, 1));
        const size_t pages = src.live_pages, mapped = h->stats().mapped_bytes;
        Rng rng{99};
        for (int i = 0; i < 3000; ++i)
            REQUIRE(h->allocate(1 + rng.below(i % 50 == 0 ? 3 << 20 : 3000), 0, 1, 3));
        CHECK(src.live_pages > pages);
        CHECK(h->release_owner(3) == 3000);
        require_clean(*h);
        CHECK(h->stats().owners[3].blocks == 0);
        CHECK(h->stats().cached_bytes == 0);
        CHECK(src.live_pages == pages);
        CHECK(h->stats().mapped_bytes == mapped);
        for (void* p : others)
            h->free(p, 1);
    }
}

TEST_CASE("heap: the red zone catches an overflow anywhere in its first eight bytes, every size", "[heap]") {
    FakePageSource src;
    auto h = make_heap(src, true);
    void* keep = h->allocate(10, 0, 1, 0);
    for (size_t n = 0; n < 700; ++n) {
        INFO("size " << n);
        for (size_t off : {size_t(0), size_t(7)}) {
            uint8_t* p = static_cast<uint8_t*>(h->allocate(n, 0, 7, 3));
            REQUIRE(p);
            uint8_t saved = p[n + off];
            p[n + off] ^= 0x10;
            CHECK_FALSE(h->check().ok);
            CHECK(fault_of([&] { h->free(p, 9); }) == Fault::overflow);
            p[n + off] = saved;
            h->free(p, 9);
        }
    }
    require_clean(*h);
    h->free(keep, 1);
}

TEST_CASE("heap: a slab's header is not a block, and damage in a slab is found by check()", "[heap]") {
    for (bool checks : {true, false}) {
        INFO("checks " << checks);
        FakePageSource src;
        auto h = make_heap(src, checks);
        const size_t hdr = checks ? 48 : 16;
        // A slab block's word0 is its slab's header, which is the payload of
        // the slab's own block: not a block to free.
        uint8_t* p = static_cast<uint8_t*>(h->allocate(100, 0, 1, 0));
        uint8_t* q = static_cast<uint8_t*>(h->allocate(100, 0, 1, 0));
        uint8_t* slab_payload;
        std::memcpy(&slab_payload, p - hdr, 8);
        REQUIRE(slab_payload < p);
        REQUIRE(p - slab_payload <= ptrdiff_t(64 + 64 + hdr)); // the header, then the first block at a cache line
        CHECK(reinterpret_cast<uintptr_t>(p - hdr) % 64 == 0);
        CHECK(fault_of([&] { h->free(slab_payload, 5); }) == Fault::invalid_free);
        require_clean(*h);
        // q's word0 is its slab: damaged, the walk sees it.
        uint64_t saved;
        std::memcpy(&saved, q - hdr, 8);
        uint64_t junk = saved ^ 0x40;
        std::memcpy(q - hdr, &junk, 8);
        CHECK_FALSE(h->check().ok);
        std::memcpy(q - hdr, &saved, 8);
        require_clean(*h);
        h->free(p, 1);
        h->free(q, 1);
    }
}

TEST_CASE("heap: a double free of a slab block is caught, while its slab is kept and after it went back",
          "[heap]") {
    for (bool checks : {true, false}) {
        INFO("checks " << checks);
        FakePageSource src;
        auto h = make_heap(src, checks);
        void* keep = h->allocate(5000, 0, 1, 0);
        void* p = h->allocate(300, 0, 1, 0);
        h->free(p, 2);
        CHECK(h->stats().cached_bytes > 0); // its slab, empty, is kept
        CHECK(fault_of([&] { h->free(p, 3); }) == Fault::double_free);
        h->trim(); // the slab goes back: p is no block of a slab now
        CHECK(fault_of([&] { h->free(p, 3); }) == Fault::double_free);
        require_clean(*h);
        h->free(keep, 1);
    }
}

TEST_CASE("heap: realloc across the slabs' largest class", "[heap]") {
    for (bool checks : {true, false}) {
        INFO("checks " << checks);
        FakePageSource src;
        auto h = make_heap(src, checks);
        auto* p = static_cast<uint8_t*>(h->allocate(60000, 0, 1, 0));
        for (size_t i = 0; i < 60000; ++i)
            p[i] = uint8_t(i * 7);
        auto* q = static_cast<uint8_t*>(h->reallocate(p, 200000, 1, 0)); // slab to TLSF: moves
        REQUIRE(q);
        for (size_t i = 0; i < 60000; ++i)
            REQUIRE(q[i] == uint8_t(i * 7));
        CHECK(h->reallocate(q, 50000, 1, 0) == q); // a TLSF block shrinks where it is
        auto* r = static_cast<uint8_t*>(h->reallocate(q, 30000, 1, 0));
        REQUIRE(r == q);
        for (size_t i = 0; i < 30000; ++i)
            REQUIRE(r[i] == uint8_t(i * 7));
        require_clean(*h);
        h->free(r, 1);
        CHECK(h->stats().bytes_in_use == 0);
    }
}

// A freed block on its class's stack carries no owner: releasing owner 0
// must not take it for one of owner 0's (found by tests/fuzz/fuzz_heap).
TEST_CASE("heap: release_owner leaves the blocks waiting on the stacks alone", "[heap]") {
    for (bool checks : {true, false}) {
        INFO("checks " << checks);
        FakePageSource src;
        auto h = make_heap(src, checks);
        void* mine = h->allocate(2, 0, 1, 0);
        void* other = h->allocate(75, 0, 1, 47);
        void* freed = h->allocate(2, 0, 1, 60);
        h->free(freed, 1); // on the stack of its class
        CHECK(h->release_owner(0) == 1);
        CHECK(h->stats().owners[0].blocks == 0);
        CHECK(h->stats().owners[47].blocks == 1);
        require_clean(*h);
        h->free(other, 1);
        (void)mine;
    }
}
