// libFuzzer target: the kernel heap's allocator (modules/heap/heap_core.cpp),
// driven by the input. The first byte picks checks on or off and how many
// pages the page source may hand out (the caches must give memory back
// when it refuses); then each operation is an opcode byte and its
// arguments: allocate (sizes from 0 to 1 MiB, slab classes and TLSF,
// alignments to 4 KiB, any owner), free, reallocate, trim, release_owner,
// check. Every region is its own malloc block of exactly its size, so ASan
// catches the allocator reading or writing outside its regions; each block's
// contents are checked against a model on free and reallocate, the heap's
// counts against the model after every operation, and at the end
// everything is freed, check() is clean and shutdown returns every page.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "heap_core.h"

using namespace celos_heap;

namespace {

struct Source final : PageSource {
    size_t limit = 0, live = 0;
    void* map_pages(size_t pages) override {
        if (live + pages > limit) return nullptr;
        void* p = std::malloc(pages * Heap::kPageSize);
        if (!p) return nullptr;
        std::memset(p, 0, pages * Heap::kPageSize);
        live += pages;
        return p;
    }
    void unmap_pages(void* base, size_t pages) override {
        live -= pages;
        std::free(base);
    }
};

[[noreturn]] void on_fault(const FaultReport& f) {
    std::fprintf(stderr, "heap fault %d at %p: %s\n", int(f.kind), f.pointer, f.detail ? f.detail : "");
    std::abort(); // no bug is injected: any report is the allocator's own
}

struct Reader {
    const uint8_t* p;
    size_t n;
    uint8_t u8() {
        if (n == 0) return 0;
        --n;
        return *p++;
    }
    uint32_t u16() { return u8() | uint32_t(u8()) << 8; }
};

struct Slot {
    uint8_t* p;
    size_t size;
    uint8_t fill;
    int owner;
};

constexpr int kSlots = 64;

size_t size_of_input(Reader& r) {
    uint8_t kind = r.u8();
    uint32_t v = r.u16();
    switch (kind & 3) {
    case 0: return v % 257;              // the small slab classes
    case 1: return v % 4097;             // to 4 KiB
    case 2: return v * 2 % 70001;        // past the largest class
    default: return v * 16 % (1u << 20); // TLSF, and past a minimal region
    }
}

void require(bool ok) {
    if (!ok) std::abort();
}

void verify(const Slot& s) {
    for (size_t i = 0; i < s.size; ++i)
        require(s.p[i] == s.fill);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Reader r{data, size};
    uint8_t config = r.u8();
    bool checks = config & 1;
    Source source;
    source.limit = (config >> 1) == 127 ? SIZE_MAX : 64 + size_t(config >> 1) * 64; // 256 KiB .. 32 MiB
    auto heap = std::make_unique<Heap>();
    std::memset(static_cast<void*>(heap.get()), 0, sizeof(Heap));
    Heap& h = *heap;
    h.init(source, Options{checks}, on_fault);

    Slot slots[kSlots] = {};
    size_t live = 0, owner_blocks[kMaxOwners] = {};
    auto drop = [&](Slot& s) {
        verify(s);
        owner_blocks[s.owner]--;
        live--;
        s = Slot{};
    };
    auto keep = [&](Slot& s, uint8_t* p, size_t n, int owner) {
        s = Slot{p, n, uint8_t(n * 31 + 7), owner};
        std::memset(p, s.fill, n);
        owner_blocks[owner]++;
        live++;
    };

    for (int ops = 0; r.n > 0 && ops < 4000; ++ops) {
        uint8_t op = r.u8();
        Slot& s = slots[r.u8() % kSlots];
        switch (op % 8) {
        case 0:
        case 1: { // allocate
            if (s.p) {
                uint8_t* old = s.p;
                drop(s);
                h.free(old, 1);
            }
            size_t n = size_of_input(r);
            uint8_t a = r.u8();
            size_t alignment = a % 4 == 0 ? size_t(1) << (a >> 2) % 13 : 0;
            int owner = r.u8() % kMaxOwners;
            auto* p = static_cast<uint8_t*>(h.allocate(n, alignment, 2, owner));
            if (!p) break; // the page source refused: allowed
            require(reinterpret_cast<uintptr_t>(p) % (alignment > 16 ? alignment : 16) == 0);
            require(h.usable_size(p) >= n);
            keep(s, p, n, owner);
            break;
        }
        case 2: // free
            if (s.p) {
                uint8_t* p = s.p;
                drop(s);
                h.free(p, 3);
            }
            break;
        case 3: { // reallocate
            size_t n = size_of_input(r);
            int owner = r.u8() % kMaxOwners;
            if (!s.p) break;
            verify(s);
            auto* q = static_cast<uint8_t*>(h.reallocate(s.p, n, 4, owner));
            if (n == 0) { // freed
                owner_blocks[s.owner]--;
                live--;
                s = Slot{};
                break;
            }
            if (!q) break; // refused: the block is as it was
            size_t kept = n < s.size ? n : s.size;
            for (size_t i = 0; i < kept; ++i)
                require(q[i] == s.fill);
            owner_blocks[s.owner]--;
            live--;
            keep(s, q, n, owner);
            break;
        }
        case 4: h.trim(); break;
        case 5: { // release_owner, as the loader does when a module goes
            int owner = r.u8() % kMaxOwners;
            size_t expected = owner < kCoreOwner ? owner_blocks[owner] : 0;
            for (Slot& other : slots) {
                if (other.p && other.owner != owner) verify(other);
            }
            require(h.release_owner(owner) == expected);
            if (owner < kCoreOwner) {
                for (Slot& other : slots) {
                    if (other.p && other.owner == owner) {
                        other = Slot{};
                        live--;
                    }
                }
                owner_blocks[owner] = 0;
            }
            break;
        }
        case 6: require(h.check().ok); break;
        default:
            if (s.p) require(h.usable_size(s.p) >= s.size);
            break;
        }
        const Stats& st = h.stats();
        require(st.blocks_in_use == live);
        require(st.mapped_bytes == source.live * Heap::kPageSize);
        require(st.cached_bytes <= st.mapped_bytes);
    }

    require(h.check().ok);
    for (Slot& s : slots) {
        if (!s.p) continue;
        uint8_t* p = s.p;
        drop(s);
        h.free(p, 5);
    }
    require(h.check().ok);
    require(h.stats().bytes_in_use == 0 && h.stats().blocks_in_use == 0);
    require(h.shutdown() == 0);
    require(source.live == 0);
    return 0;
}
