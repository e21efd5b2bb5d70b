// TLSF after Masmano et al., "TLSF: a new dynamic memory allocator for
// real-time systems" (2004), with exact size-class caches in front.
//
// Memory layout. A region (from the page source) is
//   [Region 32 B][block][block]...[sentinel: 16 B header, size 0, in use]
// A block is
//   [prev_phys 8][tag 8]{checks: [canary 8][requested 8][allocated_by 8][freed_by 8]}[payload]
// tag = size (multiple of 16, header included) | owner << 56 | FREE | CACHED.
// prev_phys is always valid, so coalescing with either neighbour is O(1).
// A free or cached block keeps its links in the first 16 payload bytes; with
// checks on, the rest of its payload is poison (0xDD), checked on reuse.
// Cached blocks look in use to the TLSF (never merged) but carry CACHED, so
// a double free of one is caught.
#include "heap_core.h"

namespace celos_heap {

namespace {

constexpr uint64_t kFree = 1;
constexpr uint64_t kCached = 2;
constexpr uint64_t kFlagMask = 15;
constexpr int kOwnerShift = 56;
constexpr uint64_t kSizeMask = ((uint64_t(1) << kOwnerShift) - 1) & ~kFlagMask;
constexpr size_t kRegionHeader = 32;
constexpr size_t kSentinel = 16;
constexpr uint8_t kPoison = 0xDD;
constexpr uint8_t kRedZone = 0xAB;
constexpr uint64_t kPoisonWord = 0xDDDDDDDDDDDDDDDDull;
constexpr size_t kCacheMax = 32 + 16 * (Heap::kCacheClasses - 1); // largest cached block size

} // namespace

struct Heap::Block {
    Block* prev_phys;
    uint64_t tag;
    // With checks on only:
    uint64_t canary;
    uint64_t requested;
    uint64_t allocated_by;
    uint64_t freed_by;
};

struct Heap::Region {
    Region* next;
    Region* prev;
    size_t bytes;
    size_t reserved;
};
static_assert(sizeof(Heap::Region) == kRegionHeader);

namespace {

using Block = Heap::Block;

inline size_t size_of(const Block* b) {
    return b->tag & kSizeMask;
}
inline int owner_of(const Block* b) {
    return int(b->tag >> kOwnerShift);
}
inline Block* at(const void* base, size_t offset) {
    return reinterpret_cast<Block*>(reinterpret_cast<uintptr_t>(base) + offset);
}
inline Block* next_phys(const Block* b) {
    return at(b, size_of(b));
}
inline uint8_t* bytes_of(const Block* b) {
    return reinterpret_cast<uint8_t*>(const_cast<Block*>(b));
}

// Free-list links live at the start of the payload.
struct Links {
    Block* next;
    Block* prev;
};
inline Links* links(const Block* b, size_t hdr) {
    return reinterpret_cast<Links*>(bytes_of(b) + hdr);
}

// TLSF mapping: sizes below 512 have first level 0 and 16-byte second-level
// steps; above, first level = log2, second level = 32 linear steps.
inline void mapping(size_t size, int& fl, int& sl) {
    if (size < (size_t(1) << 9)) {
        fl = 0;
        sl = int(size >> 4);
    } else {
        int log2 = 63 - __builtin_clzll(size);
        sl = int(size >> (log2 - 5)) ^ 32;
        fl = log2 - 8;
    }
}

inline size_t round_up(size_t v, size_t a) {
    return (v + a - 1) & ~(a - 1);
}

inline int clamp_owner(int owner) {
    return owner >= 0 && owner < kMaxOwners ? owner : kCoreOwner;
}

} // namespace

void Heap::init(PageSource& source, Options options, void (*fault)(const FaultReport&)) {
    setup(&source, options, fault);
}

void Heap::setup(PageSource* source, Options options, void (*fault)(const FaultReport&)) {
    __builtin_memset(static_cast<void*>(this), 0, sizeof(*this));
    source_ = source;
    fault_ = fault;
    checks_ = options.checks;
    hdr_ = checks_ ? 48 : 16;
    min_block_ = hdr_ + 16;
    uint64_t s = reinterpret_cast<uintptr_t>(this) ^ __builtin_ia32_rdtsc() ^ 0x9e3779b97f4a7c15ull;
    s ^= s >> 33;
    s *= 0xff51afd7ed558ccdull;
    s ^= s >> 33;
    secret_ = s | 1;
}

bool Heap::init_fixed(void* base, size_t bytes, Options options, void (*fault)(const FaultReport&)) {
    // No page source: the heap never grows, and never gives its one region
    // back (merge_and_release keeps the last region).
    setup(nullptr, options, fault);
    bytes &= ~(kAlign - 1);
    if (!base || (reinterpret_cast<uintptr_t>(base) & (kAlign - 1)) != 0 || bytes < kMinFixedBytes)
        return false;
    insert_free(add_region(base, bytes));
    return true;
}

size_t Heap::shutdown() {
    size_t in_use = stats_.blocks_in_use;
    PageSource* source = source_;
    for (Region* g = regions_; g;) {
        Region* next = g->next;
        if (source) source->unmap_pages(g, g->bytes / kPageSize);
        g = next;
    }
    __builtin_memset(static_cast<void*>(this), 0, sizeof(*this));
    return in_use;
}

void Heap::report(Fault kind, const void* p, size_t size, uintptr_t caller, uintptr_t by,
                  const char* detail) const {
    FaultReport r{kind, p, size, caller, by, detail};
    if (fault_)
        fault_(r);
    else
        __builtin_trap();
}

void Heap::account_alloc(int owner, size_t bytes) {
    OwnerStats& o = stats_.owners[owner];
    o.bytes += bytes;
    o.blocks++;
    o.total_allocations++;
    if (o.bytes > o.peak_bytes) o.peak_bytes = o.bytes;
    if (o.blocks > o.peak_blocks) o.peak_blocks = o.blocks;
    stats_.bytes_in_use += bytes;
    stats_.blocks_in_use++;
    if (stats_.bytes_in_use > stats_.peak_bytes) stats_.peak_bytes = stats_.bytes_in_use;
    if (stats_.blocks_in_use > stats_.peak_blocks) stats_.peak_blocks = stats_.blocks_in_use;
}

void Heap::account_free(int owner, size_t bytes) {
    OwnerStats& o = stats_.owners[owner];
    o.bytes -= bytes;
    o.blocks--;
    stats_.bytes_in_use -= bytes;
    stats_.blocks_in_use--;
}

// O(1): two bit scans.
Heap::Block* Heap::find_free(size_t size) {
    if (size >= (size_t(1) << 9)) size += (size_t(1) << (63 - __builtin_clzll(size) - kSlLog2)) - 1;
    int fl, sl;
    mapping(size, fl, sl);
    if (fl >= kFlCount) return nullptr;
    uint32_t sm = sl_map_[fl] & (~0u << sl);
    if (!sm) {
        uint64_t fm = fl_map_ & (~0ull << (fl + 1));
        if (!fm) return nullptr;
        fl = __builtin_ctzll(fm);
        sm = sl_map_[fl];
    }
    return free_[fl][__builtin_ctz(sm)];
}

void Heap::insert_free(Block* b) {
    int fl, sl;
    mapping(size_of(b), fl, sl);
    b->tag = size_of(b) | kFree;
    Links* l = links(b, hdr_);
    Block* head = free_[fl][sl];
    l->next = head;
    l->prev = nullptr;
    if (head) links(head, hdr_)->prev = b;
    free_[fl][sl] = b;
    sl_map_[fl] |= 1u << sl;
    fl_map_ |= uint64_t(1) << fl;
}

void Heap::remove_free(Block* b) {
    int fl, sl;
    mapping(size_of(b), fl, sl);
    Links* l = links(b, hdr_);
    if (l->next) links(l->next, hdr_)->prev = l->prev;
    if (l->prev)
        links(l->prev, hdr_)->next = l->next;
    else {
        free_[fl][sl] = l->next;
        if (!l->next) {
            sl_map_[fl] &= ~(1u << sl);
            if (!sl_map_[fl]) fl_map_ &= ~(uint64_t(1) << fl);
        }
    }
    b->tag &= ~kFree;
}

// Maps a region big enough for a block of `block_size` and returns its one
// free block, not yet in any list.
Heap::Block* Heap::grow_region(size_t block_size) {
    if (!source_) return nullptr;
    size_t bytes = round_up(block_size + kRegionHeader + kSentinel, kPageSize);
    if (bytes < kRegionBytes) bytes = kRegionBytes;
    void* base = source_->map_pages(bytes / kPageSize);
    if (!base) return nullptr;
    return add_region(base, bytes);
}

// Makes `bytes` at `base` a region of the heap and returns its one free
// block, not yet in any list.
Heap::Block* Heap::add_region(void* base, size_t bytes) {
    Region* g = static_cast<Region*>(base);
    g->next = regions_;
    g->prev = nullptr;
    g->bytes = bytes;
    if (regions_) regions_->prev = g;
    regions_ = g;
    stats_.regions++;
    stats_.mapped_bytes += bytes;

    Block* b = at(base, kRegionHeader);
    b->prev_phys = nullptr;
    b->tag = bytes - kRegionHeader - kSentinel;
    Block* end = next_phys(b);
    end->prev_phys = b;
    end->tag = 0;
    if (checks_) __builtin_memset(bytes_of(b) + hdr_, kPoison, size_of(b) - hdr_);
    return b;
}

// Cuts `b` (in no list) to `size` and returns the tail block, or nullptr
// when the tail would be smaller than a minimal block.
Heap::Block* Heap::split_tail(Block* b, size_t size) {
    size_t whole = size_of(b);
    if (whole - size < min_block_) return nullptr;
    Block* rest = at(b, size);
    rest->prev_phys = b;
    rest->tag = whole - size;
    next_phys(rest)->prev_phys = rest;
    b->tag = size | (b->tag & ~kSizeMask);
    return rest;
}

// A free block of at least `size`, out of the lists and trimmed; O(1).
Heap::Block* Heap::tlsf_take(size_t size) {
    Block* b = find_free(size);
    if (b)
        remove_free(b);
    else if (!(b = grow_region(size)))
        return nullptr;
    if (Block* rest = split_tail(b, size)) insert_free(rest);
    return b;
}

// Merges a block that is leaving use with free neighbours; gives its region
// back when it spans the whole region (keeping one region). Returns the
// block to insert, or nullptr when the region went back.
Heap::Block* Heap::merge_and_release(Block* b) {
    Block* next = next_phys(b);
    if (next->tag & kFree) {
        remove_free(next);
        b->tag = (size_of(b) + size_of(next)) | (b->tag & ~kSizeMask);
        if (checks_) __builtin_memset(next, kPoison, hdr_ + 16);
    }
    Block* prev = b->prev_phys;
    if (prev && (prev->tag & kFree)) {
        remove_free(prev);
        size_t total = size_of(prev) + size_of(b);
        if (checks_) __builtin_memset(b, kPoison, hdr_ + 16);
        b = prev;
        b->tag = total;
    }
    next = next_phys(b);
    next->prev_phys = b;
    b->tag = size_of(b);
    if (!b->prev_phys && next->tag == 0 && stats_.regions > 1) {
        Region* g = reinterpret_cast<Region*>(bytes_of(b) - kRegionHeader);
        if (g->prev)
            g->prev->next = g->next;
        else
            regions_ = g->next;
        if (g->next) g->next->prev = g->prev;
        stats_.regions--;
        stats_.mapped_bytes -= g->bytes;
        source_->unmap_pages(g, g->bytes / kPageSize);
        return nullptr;
    }
    return b;
}

void Heap::free_block(Block* b) {
    if (checks_) __builtin_memset(bytes_of(b) + hdr_, kPoison, size_of(b) - hdr_);
    if (Block* m = merge_and_release(b)) insert_free(m);
}

const uint8_t* Heap::unpoisoned(const Block* b, size_t from) const {
    const uint8_t* p = bytes_of(b) + from;
    const uint8_t* end = bytes_of(b) + size_of(b);
    for (; p < end; p += 8) { // from and the size are multiples of 16
        uint64_t w;
        __builtin_memcpy(&w, p, 8);
        if (w != kPoisonWord) {
            for (int i = 0; i < 8; ++i)
                if (p[i] != kPoison) return p + i;
        }
    }
    return nullptr;
}

void* Heap::finish_alloc(Block* b, size_t size, uintptr_t caller, int owner) {
    owner = clamp_owner(owner);
    b->tag = size_of(b) | (uint64_t(owner) << kOwnerShift);
    uint8_t* p = bytes_of(b) + hdr_;
    if (checks_) {
        if (const uint8_t* bad = unpoisoned(b, hdr_ + 16)) {
            report(Fault::use_after_free, bad, size_of(b) - hdr_, caller, b->allocated_by,
                   "freed memory was written (poison damaged), found on reuse");
            return nullptr;
        }
        b->canary = secret_ ^ reinterpret_cast<uintptr_t>(b);
        b->requested = size;
        b->allocated_by = caller;
        b->freed_by = 0;
        __builtin_memset(p + size, kRedZone, size_of(b) - hdr_ - size);
    }
    account_alloc(owner, size_of(b) - hdr_);
    return p;
}

void* Heap::allocate(size_t size, size_t alignment, uintptr_t caller, int owner) {
    if (hdr_ == 0) return nullptr; // zero-initialized, init not called yet
    if (size > kMaxRequest || alignment > kMaxAlignment || (alignment & (alignment - 1))) return nullptr;
    size_t bs = (hdr_ + size + (checks_ ? 8 : 0) + 15) & ~size_t(15);
    if (bs < min_block_) bs = min_block_;
    if (alignment <= kAlign) {
        if (bs <= kCacheMax) {
            size_t c = (bs >> 4) - 2;
            if (Block* b = cache_[c]) {
                cache_[c] = links(b, hdr_)->next;
                cache_count_[c]--;
                return finish_alloc(b, size, caller, owner);
            }
        }
        Block* b = tlsf_take(bs);
        return b ? finish_alloc(b, size, caller, owner) : nullptr;
    }

    // Room for a leading free block of at least min_block_ before the
    // aligned payload.
    size_t search = bs + alignment + min_block_;
    Block* b = find_free(search);
    if (b)
        remove_free(b);
    else if (!(b = grow_region(search)))
        return nullptr;
    uintptr_t payload = reinterpret_cast<uintptr_t>(b) + hdr_;
    uintptr_t aligned = round_up(payload, alignment);
    if (aligned != payload) {
        if (aligned - payload < min_block_) aligned = round_up(payload + min_block_, alignment);
        size_t gap = aligned - payload;
        Block* nb = at(b, gap);
        nb->prev_phys = b;
        nb->tag = size_of(b) - gap;
        next_phys(nb)->prev_phys = nb;
        b->tag = gap;
        insert_free(b); // its previous block is in use: b was free
        b = nb;
    }
    if (Block* rest = split_tail(b, bs)) insert_free(rest);
    return finish_alloc(b, size, caller, owner);
}

const Heap::Region* Heap::region_of(const void* p) const {
    uintptr_t a = reinterpret_cast<uintptr_t>(p);
    for (const Region* g = regions_; g; g = g->next) {
        uintptr_t lo = reinterpret_cast<uintptr_t>(g) + kRegionHeader + hdr_;
        uintptr_t hi = reinterpret_cast<uintptr_t>(g) + g->bytes - kSentinel;
        if (a >= lo && a < hi) return g;
    }
    return nullptr;
}

// The block of a pointer passed to free/reallocate, or nullptr after a
// fault was reported.
Heap::Block* Heap::validate(const void* p, uintptr_t caller, const char* op) const {
    (void)op;
    uintptr_t a = reinterpret_cast<uintptr_t>(p);
    if (a & (kAlign - 1)) {
        report(Fault::invalid_free, p, 0, caller, 0, "pointer not aligned like any block");
        return nullptr;
    }
    Block* b = reinterpret_cast<Block*>(a - hdr_);
    if (checks_) {
        const Region* g = region_of(p);
        if (!g) {
            report(Fault::invalid_free, p, 0, caller, 0, "pointer is not inside any heap region");
            return nullptr;
        }
        if (b->canary != (secret_ ^ reinterpret_cast<uintptr_t>(b))) {
            if (b->canary == kPoisonWord && b->tag == kPoisonWord) {
                report(Fault::double_free, p, 0, caller, 0,
                       "block already freed (merged into its neighbour)");
                return nullptr;
            }
            size_t s = size_of(b);
            uintptr_t end = reinterpret_cast<uintptr_t>(g) + g->bytes - kSentinel;
            bool looks_like_block = (b->tag & kFlagMask) == 0 && s >= min_block_ && a - hdr_ + s <= end &&
                                    next_phys(b)->prev_phys == b;
            if (looks_like_block)
                report(Fault::corrupt, p, b->requested, caller, b->allocated_by,
                       "block header canary damaged");
            else
                report(Fault::invalid_free, p, 0, caller, 0, "not the start of a block (bad canary)");
            return nullptr;
        }
    }
    if (b->tag & (kFree | kCached)) {
        report(Fault::double_free, p, checks_ ? b->requested : size_of(b) - hdr_, caller,
               checks_ ? b->allocated_by : 0, "block is already free");
        return nullptr;
    }
    if (checks_) {
        const uint8_t* q = bytes_of(b) + hdr_ + b->requested;
        const uint8_t* end = bytes_of(b) + size_of(b);
        for (; q < end; ++q) {
            if (*q != kRedZone) {
                report(Fault::overflow, p, b->requested, caller, b->allocated_by,
                       "write past the end of the block (red zone damaged)");
                return nullptr;
            }
        }
    }
    return b;
}

void Heap::free(void* p, uintptr_t caller) {
    if (!p) return;
    Block* b = validate(p, caller, "free");
    if (!b) return;
    size_t bs = size_of(b);
    account_free(owner_of(b), bs - hdr_);
    if (checks_) b->freed_by = caller;
    if (bs <= kCacheMax) {
        size_t c = (bs >> 4) - 2;
        if (cache_count_[c] < uint32_t(kCacheDepth)) {
            if (checks_) __builtin_memset(bytes_of(b) + hdr_, kPoison, bs - hdr_);
            b->tag = bs | kCached;
            links(b, hdr_)->next = cache_[c];
            cache_[c] = b;
            cache_count_[c]++;
            if (stats_.blocks_in_use == 0) trim();
            return;
        }
    }
    b->tag = bs;
    free_block(b);
    if (stats_.blocks_in_use == 0) trim();
}

void Heap::trim() {
    for (int c = 0; c < kCacheClasses; ++c) {
        while (Block* b = cache_[c]) { // at most kCacheDepth
            cache_[c] = links(b, hdr_)->next;
            b->tag = size_of(b);
            free_block(b);
        }
        cache_count_[c] = 0;
    }
}

void* Heap::reallocate(void* p, size_t size, uintptr_t caller, int owner) {
    if (!p) return allocate(size, kAlign, caller, owner);
    if (size == 0) {
        free(p, caller);
        return nullptr;
    }
    Block* b = validate(p, caller, "reallocate");
    if (!b) return nullptr;
    if (size > kMaxRequest) return nullptr;
    size_t bs = (hdr_ + size + (checks_ ? 8 : 0) + 15) & ~size_t(15);
    if (bs < min_block_) bs = min_block_;
    size_t cur = size_of(b);
    if (bs > cur) {
        Block* next = next_phys(b);
        if (!(next->tag & kFree) || cur + size_of(next) < bs) {
            void* q = allocate(size, kAlign, caller, owner);
            if (!q) return nullptr;
            size_t old = checks_ ? b->requested : cur - hdr_;
            __builtin_memcpy(q, p, old < size ? old : size);
            free(p, caller);
            return q;
        }
        if (checks_) {
            if (const uint8_t* bad = unpoisoned(next, hdr_ + 16)) {
                report(Fault::use_after_free, bad, size_of(next) - hdr_, caller, 0,
                       "freed memory was written (poison damaged), found on reuse");
                return nullptr;
            }
        }
        remove_free(next);
        b->tag = (cur + size_of(next)) | (b->tag & ~kSizeMask);
        next_phys(b)->prev_phys = b;
        if (Block* rest = split_tail(b, bs)) insert_free(rest); // next's next is in use
    } else if (Block* rest = split_tail(b, bs)) {
        free_block(rest);
    }
    account_free(owner_of(b), cur - hdr_);
    owner = clamp_owner(owner);
    b->tag = size_of(b) | (uint64_t(owner) << kOwnerShift);
    if (checks_) {
        b->requested = size;
        __builtin_memset(bytes_of(b) + hdr_ + size, kRedZone, size_of(b) - hdr_ - size);
    }
    account_alloc(owner, size_of(b) - hdr_);
    return p;
}

size_t Heap::usable_size(const void* p) const {
    if (!p) return 0;
    const Block* b = reinterpret_cast<const Block*>(reinterpret_cast<uintptr_t>(p) - hdr_);
    return checks_ ? b->requested : size_of(b) - hdr_;
}

size_t Heap::release_owner(int owner) {
    if (owner < 0 || owner >= kCoreOwner) return 0;
    size_t released = 0;
    for (bool again = true; again;) {
        again = false;
        for (Region* g = regions_; g && !again; g = g->next) {
            const Block* end = at(g, g->bytes - kSentinel);
            for (Block* b = at(g, kRegionHeader); b < end; b = next_phys(b)) {
                if ((b->tag & (kFree | kCached)) || owner_of(b) != owner) continue;
                free(bytes_of(b) + hdr_, 0);
                ++released;
                again = true;
                break;
            }
        }
    }
    return released;
}

CheckReport Heap::check() const {
    CheckReport r{};
    r.ok = true;
    auto fail = [&r](const char* what, const void* where) {
        r.ok = false;
        r.problem = what;
        r.where = where;
        return r;
    };
    size_t free_in_walk = 0, cached_in_walk = 0, regions = 0, mapped = 0;
    for (const Region* g = regions_; g; g = g->next) {
        if (++regions > stats_.regions) return fail("more regions in the list than counted", g);
        mapped += g->bytes;
        if (g->next && g->next->prev != g) return fail("region list links broken", g);
        const Block* end = at(g, g->bytes - kSentinel);
        const Block* b = at(g, kRegionHeader);
        const Block* prev = nullptr;
        bool prev_free = false;
        while (b < end) {
            size_t s = size_of(b);
            if (b->prev_phys != prev) return fail("prev_phys boundary tag wrong", b);
            if (s < min_block_ || bytes_of(b) + s > bytes_of(end)) return fail("block size out of range", b);
            bool is_free = b->tag & kFree;
            if (is_free || (b->tag & kCached)) {
                if (is_free && prev_free) return fail("two adjacent free blocks", b);
                if (is_free && (b->tag & kCached)) return fail("block both free and cached", b);
                r.free_blocks++;
                r.free_bytes += s - hdr_;
                (is_free ? free_in_walk : cached_in_walk)++;
                if (checks_) {
                    if (const uint8_t* bad = unpoisoned(b, hdr_ + 16))
                        return fail("write after free: poison damaged", bad);
                }
            } else {
                r.used_blocks++;
                r.used_bytes += s - hdr_;
                if (checks_) {
                    if (b->canary != (secret_ ^ reinterpret_cast<uintptr_t>(b)))
                        return fail("header canary damaged", b);
                    if (b->requested > s - hdr_ - 8) return fail("requested size damaged", b);
                    for (const uint8_t* q = bytes_of(b) + hdr_ + b->requested; q < bytes_of(b) + s; ++q)
                        if (*q != kRedZone) return fail("red zone damaged (overflow)", q);
                }
            }
            prev_free = is_free;
            prev = b;
            b = at(b, s);
        }
        if (b != end) return fail("blocks overrun the region", b);
        if (end->tag != 0 || end->prev_phys != prev) return fail("region sentinel damaged", end);
    }
    if (regions != stats_.regions || mapped != stats_.mapped_bytes)
        return fail("region count or mapped bytes disagree with stats", nullptr);

    size_t listed = 0;
    for (int fl = 0; fl < kFlCount; ++fl) {
        if (((fl_map_ >> fl) & 1) != (sl_map_[fl] != 0)) return fail("first-level bitmap wrong", nullptr);
        for (int sl = 0; sl < kSlCount; ++sl) {
            const Block* b = free_[fl][sl];
            if (((sl_map_[fl] >> sl) & 1) != (b != nullptr)) return fail("second-level bitmap wrong", b);
            const Block* prev = nullptr;
            for (; b; b = links(b, hdr_)->next) {
                if (++listed > free_in_walk) return fail("free lists hold blocks not found in regions", b);
                if (!(b->tag & kFree)) return fail("block in a free list is not free", b);
                int f, s;
                mapping(size_of(b), f, s);
                if (f != fl || s != sl) return fail("free block in the wrong list", b);
                if (links(b, hdr_)->prev != prev) return fail("free list back link wrong", b);
                prev = b;
            }
        }
    }
    if (listed != free_in_walk) return fail("free blocks missing from the free lists", nullptr);

    size_t cached = 0;
    for (int c = 0; c < kCacheClasses; ++c) {
        size_t n = 0;
        for (const Block* b = cache_[c]; b; b = links(b, hdr_)->next) {
            if (++n > size_t(kCacheDepth) || ++cached > cached_in_walk) return fail("cache list too long", b);
            if (!(b->tag & kCached) || size_of(b) != size_t(32 + 16 * c))
                return fail("cache list holds a wrong block", b);
        }
        if (n != cache_count_[c]) return fail("cache count wrong", nullptr);
    }
    if (cached != cached_in_walk) return fail("cached blocks missing from the caches", nullptr);
    if (r.used_blocks != stats_.blocks_in_use || r.used_bytes != stats_.bytes_in_use)
        return fail("used blocks or bytes disagree with stats", nullptr);
    return r;
}

} // namespace celos_heap
