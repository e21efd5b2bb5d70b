// Slabs of size-classed blocks in front of a TLSF (Masmano et al., "TLSF: a
// new dynamic memory allocator for real-time systems", 2004).
//
// Memory layout. A region (from the page source) is
//   [Region 32 B][block][block]...[sentinel: 16 B header, size 0, in use]
// A block is
//   [word0 8][tag 8]{checks: [canary 8][requested 8][allocated_by 8][freed_by 8]}[payload]
// tag = size (multiple of 16, header included) | owner << 56 | flags.
// For a TLSF block word0 is the previous block in the region (prev_phys),
// always valid, so coalescing with either neighbour is O(1); a free TLSF
// block keeps its list links in the first 16 payload bytes.
// A slab is a TLSF block (flag SLAB_HOST) whose payload is a 64-byte Slab
// header and blocks of one class size, carved in order as they are first
// needed; a slab block's word0 is its Slab, and a freed one is pushed on the
// slab's free list (the link in its first payload bytes) without touching
// any other block. A slab with a free or never-used block is on its class's
// list; one that empties goes back to the TLSF, but for one per class kept
// for reuse (stats().cached_bytes).
// Regions are found by address in a sorted index. A region that becomes
// wholly free stays (its one free block in the TLSF) while such regions
// hold no more than the bytes in use: the region cache, also in cached_bytes.
// With checks on, the payload of every free block past its links, up to
// kPoisonSpan bytes, is poison (0xDD), checked when the block is allocated
// again (a slab's never-used blocks are not: nothing freed them); the first
// kRedZoneChecked bytes after the requested size are the red zone (0xAB).
// Blocks freed in a fixed heap (no slabs) may wait in the exact-size quick
// caches: they look in use to the TLSF (never merged) but carry CACHED, so a
// double free of one is caught.
#include "heap_core.h"

namespace celos_heap {

namespace {

constexpr uint64_t kFree = 1;
constexpr uint64_t kCached = 2;
constexpr uint64_t kSlabBlock = 4;
constexpr uint64_t kSlabHost = 8;
constexpr uint64_t kFlagMask = 15;
constexpr int kOwnerShift = 56;
constexpr uint64_t kSizeMask = ((uint64_t(1) << kOwnerShift) - 1) & ~kFlagMask;
constexpr size_t kRegionHeader = 32;
constexpr size_t kSentinel = 16;
constexpr size_t kSlabHeader = 64;
constexpr uint8_t kPoison = 0xDD;
constexpr uint8_t kRedZone = 0xAB;
constexpr uint64_t kPoisonWord = 0xDDDDDDDDDDDDDDDDull;
constexpr uint64_t kRedZoneWord = 0xABABABABABABABABull;
constexpr size_t kCacheMax = 32 + 16 * (Heap::kCacheClasses - 1); // largest quick-cached block size

// Slab classes: block sizes 32..128 in 16 B steps, then 2^k * (1 + j/4).
constexpr size_t class_size(int c) {
    if (c < 7) return size_t(c + 2) << 4;
    int k = 7 + ((c - 7) >> 2);
    return (size_t(1) << k) + (size_t(((c - 7) & 3) + 1) << (k - 2));
}

// The smallest class whose blocks hold `bs` bytes (32 <= bs <= kSlabMaxBlock).
inline int class_of(size_t bs) {
    if (bs <= 128) return int((bs + 15) >> 4) - 2;
    size_t v = bs - 1;
    int k = 63 - __builtin_clzll(v);
    return 7 + ((k - 7) << 2) + int((v >> (k - 2)) & 3);
}

struct ClassTable {
    uint32_t size[Heap::kSlabClasses];
    uint32_t
        stack[Heap::kSlabClasses]; // freed blocks a class's stack holds: 32, or 64 KiB of them (at least 2)
    uint8_t small[65];             // the class of a block of up to 1024 bytes, by (bytes + 15) / 16
};
constexpr ClassTable make_class_table() {
    ClassTable t{};
    for (int c = 0; c < Heap::kSlabClasses; ++c) {
        t.size[c] = uint32_t(class_size(c));
        size_t fit = Heap::kStackBytes / t.size[c];
        t.stack[c] = uint32_t(fit > Heap::kStackDepth ? Heap::kStackDepth : fit < 2 ? 2 : fit);
    }
    for (int i = 0, c = 0; i <= 64; ++i) {
        while (t.size[c] < size_t(i) * 16)
            ++c;
        t.small[i] = uint8_t(c);
    }
    return t;
}
constexpr ClassTable kClasses = make_class_table();
static_assert(kClasses.size[0] == 32 && kClasses.size[6] == 128 && kClasses.size[7] == 160);
static_assert(kClasses.size[Heap::kSlabClasses - 1] == Heap::kSlabMaxBlock);
static_assert(kClasses.stack[0] == Heap::kStackDepth && kClasses.stack[Heap::kSlabClasses - 1] == 2);
static_assert(kClasses.small[0] == 0 && kClasses.small[2] == 0 && kClasses.small[3] == 1 &&
              kClasses.small[64] == 18);

// The class of a block of `bs` bytes (header included, at most kSlabMaxBlock).
[[gnu::always_inline]] inline int slab_class(size_t bs) {
    return bs <= 1024 ? kClasses.small[(bs + 15) >> 4] : class_of(bs);
}

} // namespace

struct Heap::Block {
    Block* prev_phys; // a slab block: its Slab
    uint64_t tag;
    // With checks on only:
    uint64_t canary;
    uint64_t requested;
    uint64_t allocated_by;
    uint64_t freed_by;
};

struct Heap::Region {
    size_t bytes;
    size_t reserved[3];
};
static_assert(sizeof(Heap::Region) == kRegionHeader);

struct Heap::Slab {
    Block* free;   // freed blocks, LIFO
    uint32_t used; // blocks handed out
    uint32_t capacity;
    uint32_t block_size;
    uint16_t cls;
    bool listed; // on partial_[cls]: used < capacity, and not the class's kept empty slab
    Slab* next;
    Slab* prev;
    uint8_t* fresh; // the next never-used block
    uint8_t* end;   // past the last whole block
    Block* host;    // the TLSF block the slab lives in
};
static_assert(sizeof(Heap::Slab) <= kSlabHeader);

namespace {

using Block = Heap::Block;
using Slab = Heap::Slab;

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
inline Slab* slab_of(const Block* b) {
    return reinterpret_cast<Slab*>(b->prev_phys);
}

// Free-list links live at the start of the payload.
struct Links {
    Block* next;
    Block* prev;
};
inline Links* links(const Block* b, size_t hdr) {
    return reinterpret_cast<Links*>(bytes_of(b) + hdr);
}

// With checks on, where a free block's poison ends: kPoisonSpan bytes into
// its payload, or its end.
inline uint8_t* poison_end(const Block* b, size_t hdr) {
    size_t span = hdr + Heap::kPoisonSpan;
    return bytes_of(b) + (size_of(b) < span ? size_of(b) : span);
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

// A slab's first block starts a cache line: a block whose size is a
// multiple of 64 (every class from 256 bytes) then has its header in its
// first line, and touches no more lines than its bytes need (the poison
// span of checks on included).
constexpr size_t kCacheLine = 64;
inline uint8_t* first_block(const Slab* s) {
    return reinterpret_cast<uint8_t*>(
        round_up(reinterpret_cast<uintptr_t>(s) + kSlabHeader, kCacheLine));
}

inline int clamp_owner(int owner) {
    return owner >= 0 && owner < kMaxOwners ? owner : kCoreOwner;
}

inline uint64_t load64(const uint8_t* p) {
    uint64_t w;
    __builtin_memcpy(&w, p, 8);
    return w;
}

inline const uint8_t* first_differing(const uint8_t* word_at, uint64_t diff) {
    return word_at + (__builtin_ctzll(diff) >> 3); // little endian: the lowest byte comes first
}

// The first byte of [p, end), both 16-byte aligned and a poison span apart
// at most, that is not `word`'s byte; nullptr when there is none. The
// common case is one pass that ORs the differences, with no branch on the
// data, which the compiler may vectorize; only damage is looked for again.
[[gnu::always_inline]] inline const uint8_t* aligned_damage(const uint8_t* p, const uint8_t* end, uint64_t word) {
    uint64_t d0 = 0, d1 = 0, d2 = 0, d3 = 0; // four chains: the loads go in parallel
    const uint8_t* q = p;
    for (; q + 32 <= end; q += 32) {
        d0 |= load64(q) ^ word;
        d1 |= load64(q + 8) ^ word;
        d2 |= load64(q + 16) ^ word;
        d3 |= load64(q + 24) ^ word;
    }
    for (; q < end; q += 8)
        d0 |= load64(q) ^ word;
    if (__builtin_expect((d0 | d1 | d2 | d3) == 0, 1)) return nullptr;
    for (; p < end; p += 8)
        if (uint64_t e = load64(p) ^ word) return first_differing(p, e);
    return nullptr;
}

inline void fill_words(uint8_t* p, const uint8_t* end, uint64_t word) {
    for (; p < end; p += 8)
        __builtin_memcpy(p, &word, 8);
}

// The red zone, n bytes at `from` (8 <= n <= 32): four 8-byte words at
// from, from + min(8, n - 8), from + min(16, n - 8) and from + n - 8, which
// overlap as n needs and never leave the range; no loop, no branch.
[[gnu::always_inline]] inline size_t red_zone_second(size_t last) {
    return last < 8 ? last : 8;
}
[[gnu::always_inline]] inline size_t red_zone_third(size_t last) {
    return last < 16 ? last : 16;
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
    slabs_ = true;
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
    // back (merge_and_release keeps the last region). No slabs either: the
    // caller sized the block for exact fits.
    setup(nullptr, options, fault);
    slabs_ = false;
    bytes &= ~(kAlign - 1);
    if (!base || (reinterpret_cast<uintptr_t>(base) & (kAlign - 1)) != 0 || bytes < kMinFixedBytes) {
        hdr_ = 0; // refuses to allocate
        return false;
    }
    insert_free(add_region(base, bytes));
    empty_region_bytes_ = bytes; // wholly free
    return true;
}

size_t Heap::shutdown() {
    size_t in_use = stats_.blocks_in_use;
    if (PageSource* source = source_) {
        for (int i = 0; i < index_count_; ++i)
            source->unmap_pages(index_[i], index_[i]->bytes / kPageSize);
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

[[gnu::always_inline]] inline void Heap::account_alloc(int owner, size_t bytes) {
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

[[gnu::always_inline]] inline void Heap::account_free(int owner, size_t bytes) {
    OwnerStats& o = stats_.owners[owner];
    o.bytes -= bytes;
    o.blocks--;
    stats_.bytes_in_use -= bytes;
    stats_.blocks_in_use--;
}

// --- Checks -----------------------------------------------------------------

// With checks on: where the poison of a free block (or what was one) is
// damaged, from `from` on; nullptr when it is whole.
[[gnu::always_inline]] inline const uint8_t* Heap::unpoisoned(const Block* b, size_t from) const {
    return aligned_damage(bytes_of(b) + from, poison_end(b, hdr_), kPoisonWord);
}

// With checks on: poison from `from` (past the header's first two words at
// least) to the end of the block's poisoned span.
[[gnu::always_inline]] inline void Heap::poison(Block* b, size_t from) {
    fill_words(bytes_of(b) + from, poison_end(b, hdr_), kPoisonWord);
}

// The red zone's four words (see red_zone_second): whether they are whole.
[[gnu::always_inline]] inline bool Heap::red_zone_intact(const Block* b) const {
    const uint8_t* from = bytes_of(b) + hdr_ + b->requested;
    size_t n = size_of(b) - hdr_ - b->requested;
    size_t last = (n < kRedZoneChecked ? n : kRedZoneChecked) - 8;
    uint64_t d = (load64(from) ^ kRedZoneWord) | (load64(from + red_zone_second(last)) ^ kRedZoneWord) |
                 (load64(from + red_zone_third(last)) ^ kRedZoneWord) | (load64(from + last) ^ kRedZoneWord);
    return d == 0;
}

// The first damaged byte of the red zone, or nullptr when it is whole.
const uint8_t* Heap::red_zone_damage(const Block* b) const {
    if (__builtin_expect(red_zone_intact(b), 1)) return nullptr;
    const uint8_t* from = bytes_of(b) + hdr_ + b->requested;
    size_t n = size_of(b) - hdr_ - b->requested;
    const uint8_t* end = from + (n < kRedZoneChecked ? n : kRedZoneChecked);
    for (const uint8_t* q = from; q < end; ++q)
        if (*q != kRedZone) return q;
    return nullptr;
}

// --- TLSF -------------------------------------------------------------------

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

// A free block of at least `size`, out of the lists (not trimmed): from the
// TLSF (the wholly free regions kept included), else a new region; under
// pressure (no region to be had), what the caches hold goes back first
// (trim) and the search is made again.
Heap::Block* Heap::take_free(size_t size) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (Block* b = find_free(size)) {
            remove_free(b);
            if (!b->prev_phys && next_phys(b)->tag == 0) { // a wholly free region, in use again
                size_t bytes = size_of(b) + kRegionHeader + kSentinel;
                empty_region_bytes_ -= bytes;
            }
            return b;
        }
        if (Block* b = grow_region(size)) return b;
        if (attempt == 0) {
            if (cached_bytes() == 0) break;
            trim();
        }
    }
    return nullptr;
}

// A free block of at least `size`, out of the lists and trimmed; O(1).
Heap::Block* Heap::tlsf_take(size_t size) {
    Block* b = take_free(size);
    if (!b) return nullptr;
    if (Block* rest = split_tail(b, size)) insert_free(rest);
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
    // The rest's poison may lie past the span of the block it was cut from.
    if (checks_) poison(rest, 16);
    return rest;
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
    if (!b->prev_phys && next->tag == 0) { // the region is wholly free: kept, or given back
        Region* g = reinterpret_cast<Region*>(bytes_of(b) - kRegionHeader);
        if (index_count_ > 1 && !deferring_ && empty_region_bytes_ + g->bytes > region_cache_limit()) {
            index_remove(g);
            unmap_region(g);
            return nullptr;
        }
        empty_region_bytes_ += g->bytes;
    }
    return b;
}

void Heap::free_block(Block* b) {
    if (checks_) poison(b, hdr_);
    if (Block* m = merge_and_release(b)) insert_free(m);
}

// --- Regions ----------------------------------------------------------------

bool Heap::index_insert(Region* g) {
    if (index_count_ == kMaxRegions) return false;
    int i = index_count_;
    while (i > 0 && index_[i - 1] > g) {
        index_[i] = index_[i - 1];
        --i;
    }
    index_[i] = g;
    index_count_++;
    return true;
}

void Heap::index_remove(const Region* g) {
    int i = 0;
    while (i < index_count_ && index_[i] != g)
        ++i;
    for (; i + 1 < index_count_; ++i)
        index_[i] = index_[i + 1];
    index_count_--;
}

// The region holding a block payload at p, by binary search; nullptr when p
// is in none. No branch on the data (the pointers freed may be in any
// region): the loop runs log2(regions) times whatever p is.
[[gnu::always_inline]] inline const Heap::Region* Heap::region_of(const void* p) const {
    uintptr_t a = reinterpret_cast<uintptr_t>(p);
    if (index_count_ == 0) return nullptr;
    Region* const* base = index_; // the last region whose address is <= a
    for (int n = index_count_; n > 1;) {
        int half = n >> 1;
        base = reinterpret_cast<uintptr_t>(base[half]) <= a ? base + half : base;
        n -= half;
    }
    const Region* g = *base;
    uintptr_t lo = reinterpret_cast<uintptr_t>(g);
    return a >= lo + kRegionHeader + hdr_ && a < lo + g->bytes - kSentinel ? g : nullptr;
}

// Wholly free regions stay (in the TLSF, counted in cached_bytes) while
// they hold no more than the bytes in use, or four minimal regions: a heap
// whose use goes up and down by a few big blocks then maps (and zeroes)
// nothing new.
size_t Heap::region_cache_limit() const {
    return stats_.bytes_in_use > 4 * kRegionBytes ? stats_.bytes_in_use : 4 * kRegionBytes;
}

void Heap::unmap_region(Region* g) {
    stats_.regions--;
    stats_.mapped_bytes -= g->bytes;
    source_->unmap_pages(g, g->bytes / kPageSize);
}

// A new region for a block of `block_size`, its one free block returned (in
// no list): a quarter of what is mapped (kRegionBytes to kRegionGrowthMax),
// or the block's size when bigger, or just that when the bigger one cannot
// be had.
Heap::Block* Heap::grow_region(size_t block_size) {
    size_t need = round_up(block_size + kRegionHeader + kSentinel, kPageSize);
    if (index_count_ == kMaxRegions || !source_) return nullptr;
    size_t bytes = round_up(stats_.mapped_bytes / 4, kRegionBytes);
    if (bytes < kRegionBytes) bytes = kRegionBytes;
    if (bytes > kRegionGrowthMax) bytes = kRegionGrowthMax;
    if (bytes < need) bytes = need;
    void* base = source_->map_pages(bytes / kPageSize);
    if (!base && bytes > need) {
        bytes = need;
        base = source_->map_pages(bytes / kPageSize);
    }
    if (!base) return nullptr;
    return add_region(base, bytes);
}

// Makes `bytes` at `base` a region of the heap and returns its one free
// block, not yet in any list.
Heap::Block* Heap::add_region(void* base, size_t bytes) {
    Region* g = static_cast<Region*>(base);
    g->bytes = bytes;
    index_insert(g); // the callers checked there is room
    stats_.regions++;
    stats_.mapped_bytes += bytes;

    Block* b = at(base, kRegionHeader);
    b->prev_phys = nullptr;
    b->tag = bytes - kRegionHeader - kSentinel;
    Block* end = next_phys(b);
    end->prev_phys = b;
    end->tag = 0;
    if (checks_) poison(b, hdr_);
    return b;
}

// --- Slabs ------------------------------------------------------------------

// A new slab of class c, on its list, with room for at least eight blocks.
Heap::Slab* Heap::slab_create(int c, uintptr_t caller) {
    size_t block = kClasses.size[c];
    size_t bytes = round_up(hdr_ + kSlabHeader + kCacheLine + 8 * block, kPageSize);
    if (bytes < kSlabMinBytes) bytes = kSlabMinBytes;
    Block* host = tlsf_take(bytes);
    if (!host) return nullptr;
    if (checks_) { // what the slab's header covers; its blocks are checked when they are reused
        if (const uint8_t* bad = unpoisoned(host, hdr_ + 16)) {
            report(Fault::use_after_free, bad, size_of(host) - hdr_, caller, 0,
                   "freed memory was written (poison damaged), found on reuse");
            free_block(host);
            return nullptr;
        }
    }
    host->tag = size_of(host) | kSlabHost;
    if (checks_) {
        host->canary = secret_ ^ reinterpret_cast<uintptr_t>(host);
        host->requested = 0;
        host->allocated_by = 0;
        host->freed_by = 0;
    }
    Slab* s = reinterpret_cast<Slab*>(bytes_of(host) + hdr_);
    s->host = host;
    s->block_size = uint32_t(block);
    s->cls = uint16_t(c);
    s->used = 0;
    s->free = nullptr;
    s->fresh = first_block(s);
    s->capacity = uint32_t(size_t(bytes_of(host) + size_of(host) - s->fresh) / block);
    s->end = s->fresh + s->capacity * block;
    slab_list(s);
    return s;
}

void Heap::slab_list(Slab* s) {
    Slab*& head = partial_[s->cls];
    s->prev = nullptr;
    s->next = head;
    if (head) head->prev = s;
    head = s;
    s->listed = true;
}

void Heap::slab_unlist(Slab* s) {
    if (s->prev)
        s->prev->next = s->next;
    else
        partial_[s->cls] = s->next;
    if (s->next) s->next->prev = s->prev;
    s->listed = false;
}

// The fast path: a block off the free list of the class's first slab.
// The fast path: the top of the class's stack of freed blocks, which reads
// nothing of the block, else a block off the free list of the class's
// first slab, else its next never-used block.
template <bool Checks>
[[gnu::always_inline]] inline void* Heap::slab_alloc(size_t size, uintptr_t caller, int owner) {
    constexpr size_t hdr = Checks ? 48 : 16;
    int c = slab_class(hdr + size + (Checks ? 8 : 0));
    Block* b;
    bool fresh = false;
    if (uint32_t n = stack_n_[c]) {
        b = stack_[c][n - 1];
        stack_n_[c] = n - 1;
    } else {
        Slab* s = partial_[c];
        if (__builtin_expect(!s, 0)) return slab_alloc_slow(c, size, caller, owner);
        b = s->free;
        if (b) {
            s->free = links(b, hdr)->next;
        } else { // a listed slab has room: a never-used block
            b = reinterpret_cast<Block*>(s->fresh);
            s->fresh += kClasses.size[c];
            b->prev_phys = reinterpret_cast<Block*>(s);
            fresh = true;
        }
        if (++s->used == s->capacity) { // full: off the list until a block comes back
            partial_[c] = s->next;
            if (s->next) s->next->prev = nullptr;
            s->listed = false;
        }
    }
    size_t bs = kClasses.size[c];
    if constexpr (Checks) {
        b->tag = bs | kSlabBlock;
        return finish_alloc(b, size, caller, owner, !fresh);
    } else {
        (void)fresh;
        owner = clamp_owner(owner);
        b->tag = bs | kSlabBlock | (uint64_t(owner) << kOwnerShift);
        account_alloc(owner, bs - hdr);
        return bytes_of(b) + hdr;
    }
}

// A fixed or zero-initialized heap (no slabs), or a class without a slab
// with room: the kept empty slab, or a new slab.
void* Heap::slab_alloc_slow(int c, size_t size, uintptr_t caller, int owner) {
    if (!slabs_) return allocate_general(size, kAlign, caller, owner);
    Slab* s = partial_[c];
    if (!s) {
        if ((s = empty_[c])) {
            empty_[c] = nullptr;
            empty_slab_bytes_ -= size_of(s->host);
            slab_list(s);
        } else if (!(s = slab_create(c, caller))) {
            return nullptr;
        }
    }
    Block* b = s->free;
    bool fresh = !b;
    if (b) {
        s->free = links(b, hdr_)->next;
    } else {
        b = reinterpret_cast<Block*>(s->fresh);
        s->fresh += s->block_size;
        b->prev_phys = reinterpret_cast<Block*>(s);
    }
    b->tag = s->block_size | kSlabBlock;
    if (++s->used == s->capacity) slab_unlist(s);
    return finish_alloc(b, size, caller, owner, !fresh);
}

// After validate and the accounting: onto its class's stack, or its slab's
// free list when the stack is full.
[[gnu::always_inline]] inline void Heap::slab_free(Block* b) {
    size_t bs = size_of(b);
    if (checks_) poison(b, hdr_);
    stack_push(slab_class(bs), b, bs);
}

[[gnu::always_inline]] inline void Heap::stack_push(int c, Block* b, size_t bs) {
    uint32_t n = stack_n_[c];
    if (__builtin_expect(n == kClasses.stack[c], 0)) return slab_put(b);
    b->tag = bs | kSlabBlock | kCached;
    stack_[c][n] = b;
    stack_n_[c] = n + 1;
}

// Gives every stacked block back to its slab (trim, release_owner).
void Heap::stacks_flush() {
    for (int c = 0; c < kSlabClasses; ++c) {
        for (uint32_t i = 0; i < stack_n_[c]; ++i)
            slab_put(stack_[c][i]);
        stack_n_[c] = 0;
    }
}

// A freed block onto its slab's free list.
[[gnu::always_inline]] inline void Heap::slab_put(Block* b) {
    Slab* s = slab_of(b);
    b->tag = s->block_size | kSlabBlock | kFree;
    links(b, hdr_)->next = s->free;
    s->free = b;
    if (s->used-- == s->capacity)
        slab_list(s);
    else if (s->used == 0)
        slab_emptied(s);
}

// An empty slab leaves its list: kept as its class's one empty slab
// (empty_) while empty slabs hold no more than max(1 MiB, an eighth of the
// bytes in use), else back to the TLSF. While release_owner walks the heap,
// nothing moves: it looks again at the end.
void Heap::slab_emptied(Slab* s) {
    if (deferring_) return;
    slab_unlist(s);
    size_t bytes = size_of(s->host);
    size_t limit = stats_.bytes_in_use / 8 > kRegionBytes ? stats_.bytes_in_use / 8 : kRegionBytes;
    if (!empty_[s->cls] && empty_slab_bytes_ + bytes <= limit) {
        empty_[s->cls] = s;
        empty_slab_bytes_ += bytes;
        return;
    }
    slab_release(s);
}

// Gives an empty slab, on no list and not kept, back to the TLSF.
void Heap::slab_release(Slab* s) {
    Block* host = s->host;
    host->tag = size_of(host);
    free_block(host);
}

// --- Allocation -------------------------------------------------------------

void Heap::write_red_zone(Block* b, size_t requested) {
    uint8_t* from = bytes_of(b) + hdr_ + requested;
    size_t n = size_of(b) - hdr_ - requested;
    size_t last = (n < kRedZoneChecked ? n : kRedZoneChecked) - 8;
    __builtin_memcpy(from, &kRedZoneWord, 8);
    __builtin_memcpy(from + red_zone_second(last), &kRedZoneWord, 8);
    __builtin_memcpy(from + red_zone_third(last), &kRedZoneWord, 8);
    __builtin_memcpy(from + last, &kRedZoneWord, 8);
}

// `b`'s tag holds its size and SLAB_BLOCK; the owner goes in here. A
// slab's never-used block has no poison to check (`reused` false).
[[gnu::always_inline]] inline void* Heap::finish_alloc(Block* b, size_t size, uintptr_t caller, int owner,
                                                      bool reused) {
    owner = clamp_owner(owner);
    b->tag = (b->tag & (kSizeMask | kSlabBlock)) | (uint64_t(owner) << kOwnerShift);
    uint8_t* p = bytes_of(b) + hdr_;
    if (checks_) {
        if (const uint8_t* bad = reused ? unpoisoned(b, hdr_ + 16) : nullptr) {
            report(Fault::use_after_free, bad, size_of(b) - hdr_, caller, b->allocated_by,
                   "freed memory was written (poison damaged), found on reuse");
            return nullptr;
        }
        b->canary = secret_ ^ reinterpret_cast<uintptr_t>(b);
        b->requested = size;
        b->allocated_by = caller;
        b->freed_by = 0;
        write_red_zone(b, size);
    }
    account_alloc(owner, size_of(b) - hdr_);
    return p;
}

void* Heap::allocate(size_t size, size_t alignment, uintptr_t caller, int owner) {
    if ((alignment & ~kAlign) == 0 && size <= kSlabMaxBlock - 64)
        return checks_ ? slab_alloc_checked(size, caller, owner) : slab_alloc<false>(size, caller, owner);
    return allocate_general(size, alignment, caller, owner);
}

// Out of line: the checks-off path keeps few registers to save.
[[gnu::noinline]] void* Heap::slab_alloc_checked(size_t size, uintptr_t caller, int owner) {
    return slab_alloc<true>(size, caller, owner);
}

void* Heap::allocate_general(size_t size, size_t alignment, uintptr_t caller, int owner) {
    if (hdr_ == 0) return nullptr; // zero-initialized, init not called yet
    if (size > kMaxRequest || alignment > kMaxAlignment || (alignment & (alignment - 1))) return nullptr;
    size_t bs = (hdr_ + size + (checks_ ? 8 : 0) + 15) & ~size_t(15);
    if (bs < min_block_) bs = min_block_;
    if (alignment <= kAlign) {
        if (slabs_ && bs <= kSlabMaxBlock) return slab_alloc_slow(slab_class(bs), size, caller, owner);
        if (!slabs_ && bs <= kCacheMax) {
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
    Block* b = take_free(search);
    if (!b) return nullptr;
    uintptr_t payload = reinterpret_cast<uintptr_t>(b) + hdr_;
    uintptr_t aligned = round_up(payload, alignment);
    if (aligned != payload) {
        // The block's poison is checked where it is, before it is cut: the
        // aligned block's own span may lie past it.
        if (const uint8_t* bad = checks_ ? unpoisoned(b, hdr_ + 16) : nullptr) {
            report(Fault::use_after_free, bad, size_of(b) - hdr_, caller, 0,
                   "freed memory was written (poison damaged), found on reuse");
            free_block(b);
            return nullptr;
        }
        if (aligned - payload < min_block_) aligned = round_up(payload + min_block_, alignment);
        size_t gap = aligned - payload;
        Block* nb = at(b, gap);
        nb->prev_phys = b;
        nb->tag = size_of(b) - gap;
        next_phys(nb)->prev_phys = nb;
        b->tag = gap;
        insert_free(b); // its previous block is in use: b was free
        b = nb;
        if (Block* rest = split_tail(b, bs)) insert_free(rest);
        return finish_alloc(b, size, caller, owner, false);
    }
    if (Block* rest = split_tail(b, bs)) insert_free(rest);
    return finish_alloc(b, size, caller, owner);
}

// --- Free -------------------------------------------------------------------

// With checks on, whether the header at `b` (in region g, canary wrong)
// still looks like a block's: then its canary was damaged, else the pointer
// was never a block's. Reads only inside the region.
bool Heap::looks_like_block(const Block* b, const Region* g) const {
    uintptr_t lo = reinterpret_cast<uintptr_t>(g) + kRegionHeader;
    uintptr_t end = reinterpret_cast<uintptr_t>(g) + g->bytes - kSentinel;
    uintptr_t a = reinterpret_cast<uintptr_t>(b);
    size_t s = size_of(b);
    if ((b->tag & kFlagMask) == kSlabBlock) {
        uintptr_t sa = reinterpret_cast<uintptr_t>(b->prev_phys);
        if (sa < lo + hdr_ || sa + kSlabHeader > end || (sa & (kAlign - 1))) return false;
        const Slab* sl = slab_of(b);
        uintptr_t first = reinterpret_cast<uintptr_t>(first_block(sl));
        return reinterpret_cast<uintptr_t>(sl->host) + hdr_ == sa && (sl->host->tag & kSlabHost) &&
               s == sl->block_size && a >= first && a < reinterpret_cast<uintptr_t>(sl->fresh) &&
               (a - first) % s == 0;
    }
    return (b->tag & kFlagMask) == 0 && s >= min_block_ && a + s <= end && next_phys(b)->prev_phys == b;
}

// The block of a pointer passed to free/reallocate, or nullptr after a
// fault was reported.
Heap::Block* Heap::validate(const void* p, uintptr_t caller) const {
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
            if (looks_like_block(b, g))
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
    if (b->tag & kSlabHost) {
        report(Fault::invalid_free, p, 0, caller, 0, "not the start of a block (a slab's header)");
        return nullptr;
    }
    if (checks_ && b->requested > size_of(b) - hdr_ - 8) {
        report(Fault::corrupt, p, b->requested, caller, b->allocated_by,
               "block header damaged (requested size)");
        return nullptr;
    }
    if (checks_ && red_zone_damage(b)) {
        report(Fault::overflow, p, b->requested, caller, b->allocated_by,
               "write past the end of the block (red zone damaged)");
        return nullptr;
    }
    return b;
}

void Heap::free(void* p, uintptr_t caller) {
    uintptr_t a = reinterpret_cast<uintptr_t>(p);
    if (checks_) return free_checked(p, caller);
    if (a && !(a & (kAlign - 1))) { // the fast path: a slab block, checks off
        Block* b = reinterpret_cast<Block*>(a - 16);
        uint64_t tag = b->tag;
        if ((tag & kFlagMask) == kSlabBlock) {
            size_t bs = tag & kSizeMask;
            account_free(int(tag >> kOwnerShift), bs - 16);
            stack_push(slab_class(bs), b, bs);
            if (stats_.blocks_in_use == 0) trim();
            return;
        }
    }
    free_general(p, caller);
}

// With checks on, a slab block that passes every check is freed at once;
// any other pointer is left to free_general, which finds and reports what
// is wrong.
[[gnu::noinline]] void Heap::free_checked(void* p, uintptr_t caller) {
    uintptr_t a = reinterpret_cast<uintptr_t>(p);
    if (!a || (a & (kAlign - 1)) || !region_of(p)) return free_general(p, caller);
    Block* b = reinterpret_cast<Block*>(a - 48);
    uint64_t tag = b->tag;
    size_t bs = tag & kSizeMask;
    if ((tag & kFlagMask) != kSlabBlock || b->canary != (secret_ ^ reinterpret_cast<uintptr_t>(b)) ||
        b->requested > bs - 48 - 8 || !red_zone_intact(b))
        return free_general(p, caller);
    account_free(int(tag >> kOwnerShift), bs - 48);
    b->freed_by = caller;
    slab_free(b);
    if (stats_.blocks_in_use == 0) trim();
}

void Heap::free_general(void* p, uintptr_t caller) {
    if (!p) return;
    Block* b = validate(p, caller);
    if (!b) return;
    uint64_t tag = b->tag;
    size_t bs = tag & kSizeMask;
    account_free(int(tag >> kOwnerShift), bs - hdr_);
    if (checks_) b->freed_by = caller;
    if (tag & kSlabBlock) {
        slab_free(b);
    } else if (!slabs_ && bs <= kCacheMax && cache_count_[(bs >> 4) - 2] < uint32_t(kCacheDepth)) {
        size_t c = (bs >> 4) - 2;
        if (checks_) poison(b, hdr_);
        b->tag = bs | kCached;
        links(b, hdr_)->next = cache_[c];
        cache_[c] = b;
        cache_count_[c]++;
    } else {
        b->tag = bs;
        free_block(b);
    }
    if (stats_.blocks_in_use == 0) trim();
}

void Heap::trim() {
    if (deferring_) return;
    stacks_flush();
    for (int c = 0; c < kCacheClasses; ++c) {
        while (Block* b = cache_[c]) { // at most kCacheDepth
            cache_[c] = links(b, hdr_)->next;
            b->tag = size_of(b);
            free_block(b);
        }
        cache_count_[c] = 0;
    }
    for (int c = 0; c < kSlabClasses; ++c) {
        if (Slab* s = empty_[c]) {
            empty_[c] = nullptr;
            empty_slab_bytes_ -= size_of(s->host);
            slab_release(s);
        }
    }
    // Wholly free regions, but one.
    for (int i = index_count_ - 1; i >= 0 && index_count_ > 1; --i) {
        Region* g = index_[i];
        Block* b = at(g, kRegionHeader);
        if ((b->tag & kFree) && next_phys(b)->tag == 0) {
            remove_free(b);
            empty_region_bytes_ -= g->bytes;
            index_remove(g);
            unmap_region(g);
        }
    }
}

// --- Reallocation -----------------------------------------------------------

void* Heap::reallocate(void* p, size_t size, uintptr_t caller, int owner) {
    if (!p) return allocate(size, kAlign, caller, owner);
    if (size == 0) {
        free(p, caller);
        return nullptr;
    }
    Block* b = validate(p, caller);
    if (!b) return nullptr;
    if (size > kMaxRequest) return nullptr;
    size_t bs = (hdr_ + size + (checks_ ? 8 : 0) + 15) & ~size_t(15);
    if (bs < min_block_) bs = min_block_;
    size_t cur = size_of(b);
    bool move = false;
    if (b->tag & kSlabBlock) {
        // In place while it fits and uses more than half of the block.
        move = bs > cur || (bs <= cur / 2 && cur > 2 * min_block_);
    } else if (bs > cur) {
        Block* next = next_phys(b);
        if (!(next->tag & kFree) || cur + size_of(next) < bs) {
            move = true;
        } else {
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
        }
    } else if (Block* rest = split_tail(b, bs)) {
        free_block(rest);
    }
    if (move) {
        void* q = allocate(size, kAlign, caller, owner);
        if (q) {
            size_t old = checks_ ? b->requested : cur - hdr_;
            __builtin_memcpy(q, p, old < size ? old : size);
            free(p, caller);
            return q;
        }
        if (bs > cur) return nullptr; // a smaller slab block could not be had: stay
    }
    account_free(owner_of(b), cur - hdr_);
    owner = clamp_owner(owner);
    b->tag = (b->tag & (kSizeMask | kSlabBlock)) | (uint64_t(owner) << kOwnerShift);
    if (checks_) {
        b->requested = size;
        write_red_zone(b, size);
    }
    account_alloc(owner, size_of(b) - hdr_);
    return p;
}

size_t Heap::usable_size(const void* p) const {
    if (!p) return 0;
    const Block* b = reinterpret_cast<const Block*>(reinterpret_cast<uintptr_t>(p) - hdr_);
    return checks_ ? b->requested : size_of(b) - hdr_;
}

// --- Releasing a module's blocks --------------------------------------------

// One walk: nothing is given back (slabs, regions) until it ends, so the
// blocks ahead stay where they are; a TLSF block's free neighbour after it
// merges into it, so the walk steps over that one.
size_t Heap::release_owner(int owner) {
    if (owner < 0 || owner >= kCoreOwner) return 0;
    size_t released = 0;
    deferring_ = true;
    for (int i = 0; i < index_count_; ++i) {
        Region* g = index_[i];
        const Block* end = at(g, g->bytes - kSentinel);
        for (Block* b = at(g, kRegionHeader); b < end;) {
            Block* next = next_phys(b);
            if (b->tag & kSlabHost) {
                Slab* s = reinterpret_cast<Slab*>(bytes_of(b) + hdr_);
                for (uint8_t* q = first_block(s); q < s->fresh; q += s->block_size) {
                    Block* sb = reinterpret_cast<Block*>(q);
                    if ((sb->tag & (kFree | kCached)) || owner_of(sb) != owner) continue;
                    free(bytes_of(sb) + hdr_, 0);
                    ++released;
                }
            } else if (!(b->tag & (kFree | kCached)) && owner_of(b) == owner) {
                if (next->tag & kFree) next = next_phys(next);
                free(bytes_of(b) + hdr_, 0);
                ++released;
            }
            b = next;
        }
    }
    deferring_ = false;
    stacks_flush();
    for (int c = 0; c < kSlabClasses; ++c) {
        for (Slab* s = partial_[c]; s;) {
            Slab* next = s->next;
            if (s->used == 0) slab_emptied(s);
            s = next;
        }
    }
    trim();
    return released;
}

// --- Statistics -------------------------------------------------------------

size_t Heap::cached_bytes() const {
    size_t bytes = empty_slab_bytes_ + empty_region_bytes_;
    for (int c = 0; c < kSlabClasses; ++c)
        bytes += stack_n_[c] * size_t(kClasses.size[c]);
    for (int c = 0; c < kCacheClasses; ++c)
        bytes += cache_count_[c] * size_t(32 + 16 * c);
    return bytes;
}

const Stats& Heap::stats() const {
    stats_.cached_bytes = cached_bytes();
    return stats_;
}

// --- Checking ---------------------------------------------------------------

bool Heap::check_slab(const Slab* s, const Block* host, CheckReport& r, size_t& listed_slabs,
                      size_t& stacked) const {
    auto fail = [&r](const char* what, const void* where) {
        r.ok = false;
        r.problem = what;
        r.where = where;
        return false;
    };
    size_t bs = s->block_size;
    if (s->host != host || s->cls >= kSlabClasses || bs != kClasses.size[s->cls])
        return fail("slab header damaged", s);
    const uint8_t* first = first_block(s);
    if (s->fresh < first || s->end < s->fresh || s->end > bytes_of(host) + size_of(host) ||
        size_t(s->fresh - first) % bs != 0 || size_t(s->end - first) % bs != 0)
        return fail("slab bounds damaged", s);
    size_t used = 0, free_blocks = 0;
    for (const uint8_t* q = first; q < s->fresh; q += bs) {
        const Block* b = reinterpret_cast<const Block*>(q);
        if (slab_of(b) != s || size_of(b) != bs || !(b->tag & kSlabBlock) || (b->tag & kSlabHost) ||
            (b->tag & (kFree | kCached)) == (kFree | kCached))
            return fail("slab block header damaged", b);
        if (b->tag & (kCached | kFree)) {
            r.free_blocks++;
            r.free_bytes += bs - hdr_;
        }
        if (b->tag & kCached) { // on its class's stack: free, but counted in the slab's use
            used++;
            stacked++;
            if (checks_) {
                if (const uint8_t* bad = unpoisoned(b, hdr_ + 16))
                    return fail("write after free: poison damaged", bad);
            }
        } else if (b->tag & kFree) {
            free_blocks++;
            if (checks_) {
                if (const uint8_t* bad = unpoisoned(b, hdr_ + 16))
                    return fail("write after free: poison damaged", bad);
            }
        } else {
            used++;
            r.used_blocks++;
            r.used_bytes += bs - hdr_;
            if (checks_) {
                if (b->canary != (secret_ ^ reinterpret_cast<uintptr_t>(b)))
                    return fail("header canary damaged", b);
                if (b->requested > bs - hdr_ - 8) return fail("requested size damaged", b);
                if (const uint8_t* bad = red_zone_damage(b)) return fail("red zone damaged (overflow)", bad);
            }
        }
    }
    if (used != s->used) return fail("slab's count of blocks in use wrong", s);
    size_t listed = 0;
    for (const Block* b = s->free; b; b = links(b, hdr_)->next) {
        if (++listed > free_blocks) return fail("slab free list holds blocks that are not free", b);
        const uint8_t* q = bytes_of(b);
        if (q < first || q >= s->fresh || size_t(q - first) % bs != 0 || !(b->tag & kFree))
            return fail("slab free list holds a wrong block", b);
    }
    if (listed != free_blocks) return fail("free slab blocks missing from the slab's free list", s);
    if (s->capacity != size_t(s->end - first) / bs) return fail("slab capacity wrong", s);
    if (s->listed != (s->used < s->capacity && empty_[s->cls] != s))
        return fail("slab on its class list when full, or off it with room", s);
    if (s->listed) listed_slabs++;
    if (s->used == 0 && empty_[s->cls] != s && !deferring_) return fail("an empty slab not given back", s);
    return true;
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
    size_t free_in_walk = 0, cached_in_walk = 0, mapped = 0, slabs_in_walk = 0, empty_slab_bytes = 0;
    size_t empty_regions = 0, stacked_in_walk = 0;
    for (int i = 0; i < index_count_; ++i) {
        const Region* g = index_[i];
        if (i > 0 && index_[i - 1] >= g) return fail("region index out of order", g);
        mapped += g->bytes;
        const Block* end = at(g, g->bytes - kSentinel);
        const Block* b = at(g, kRegionHeader);
        const Block* prev = nullptr;
        bool prev_free = false;
        while (b < end) {
            size_t s = size_of(b);
            if (b->prev_phys != prev) return fail("prev_phys boundary tag wrong", b);
            if (s < min_block_ || bytes_of(b) + s > bytes_of(end)) return fail("block size out of range", b);
            bool is_free = b->tag & kFree;
            if (b->tag & kSlabBlock) return fail("a slab block outside a slab", b);
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
            } else if (b->tag & kSlabHost) {
                if (checks_ && b->canary != (secret_ ^ reinterpret_cast<uintptr_t>(b)))
                    return fail("header canary damaged", b);
                const Slab* sl = reinterpret_cast<const Slab*>(bytes_of(b) + hdr_);
                if (!check_slab(sl, b, r, slabs_in_walk, stacked_in_walk)) return r;
                if (sl->used == 0 && empty_[sl->cls] == sl) empty_slab_bytes += s;
            } else {
                r.used_blocks++;
                r.used_bytes += s - hdr_;
                if (checks_) {
                    if (b->canary != (secret_ ^ reinterpret_cast<uintptr_t>(b)))
                        return fail("header canary damaged", b);
                    if (b->requested > s - hdr_ - 8) return fail("requested size damaged", b);
                    if (const uint8_t* bad = red_zone_damage(b))
                        return fail("red zone damaged (overflow)", bad);
                }
            }
            prev_free = is_free;
            prev = b;
            b = at(b, s);
        }
        if (b != end) return fail("blocks overrun the region", b);
        const Block* first = at(g, kRegionHeader);
        if ((first->tag & kFree) && next_phys(first) == end) empty_regions += g->bytes;
        if (end->tag != 0 || end->prev_phys != prev) return fail("region sentinel damaged", end);
    }
    if (size_t(index_count_) != stats_.regions || mapped != stats_.mapped_bytes)
        return fail("region count or mapped bytes disagree with stats", nullptr);
    if (empty_regions != empty_region_bytes_ || empty_slab_bytes != empty_slab_bytes_)
        return fail("cached bytes disagree with the empty regions and slabs", nullptr);

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

    size_t on_lists = 0;
    for (int c = 0; c < kSlabClasses; ++c) {
        const Slab* prev = nullptr;
        for (const Slab* s = partial_[c]; s; s = s->next) {
            if (++on_lists > slabs_in_walk) return fail("slab lists hold slabs not found in regions", s);
            if (s->cls != c || !s->listed || s->prev != prev) return fail("slab list links broken", s);
            prev = s;
        }
        if (empty_[c] && (empty_[c]->cls != c || empty_[c]->used != 0 || empty_[c]->listed))
            return fail("kept empty slab wrong", empty_[c]);
    }
    if (on_lists != slabs_in_walk) return fail("slabs with room missing from their lists", nullptr);

    size_t stacked = 0;
    for (int c = 0; c < kSlabClasses; ++c) {
        if (stack_n_[c] > kClasses.stack[c]) return fail("a class's stack overflows", nullptr);
        for (uint32_t i = 0; i < stack_n_[c]; ++i) {
            const Block* b = stack_[c][i];
            if (++stacked > stacked_in_walk) return fail("stacks hold blocks not found in slabs", b);
            if ((b->tag & kFlagMask) != (kSlabBlock | kCached) || size_of(b) != kClasses.size[c])
                return fail("a stack holds a wrong block", b);
        }
    }
    if (stacked != stacked_in_walk) return fail("stacked blocks missing from the stacks", nullptr);
    if (r.used_blocks != stats_.blocks_in_use || r.used_bytes != stats_.bytes_in_use)
        return fail("used blocks or bytes disagree with stats", nullptr);
    return r;
}

} // namespace celos_heap
