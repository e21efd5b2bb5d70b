// The kernel heap's allocator: slabs of size-classed blocks for requests up
// to 64 KiB, a two-level segregated fit (TLSF) with boundary tags for the
// rest and for the slabs' own memory, regions from a page source, wholly
// free ones kept a while for reuse, optional hardening, per-owner
// accounting. Pure logic: compiled into the heap module (freestanding, no
// libc beyond memcpy/memset) and into host tests and benchmarks.
//
// Not thread safe: the module glue serialises calls.
//
// Bounds (no loop below depends on how many blocks exist):
//   allocate/free/reallocate: a slab block is a stack or list pop or push; a TLSF
//   block costs O(1) bitmap searches (ctz/clz on one 64-bit first-level
//   word and one 32-bit second-level word) and a constant number of splits
//   and merges; plus
//   - with checks on: O(1) to write and check the poison of a freed block
//     (its first kPoisonSpan bytes), O(1) for the header canary and the red zone (its first
//     kRedZoneChecked bytes, four words), O(log regions) to find the region of
//     a freed pointer;
//   - when a slab fills or empties: one TLSF allocation or free;
//   - when the heap grows or gives a region back: one page-source call;
//   - when the last block in use is freed: trim() (below).
// check() walks everything: O(heap); release_owner() once, O(heap).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace celos_heap {

struct PageSource {
    // Zeroed, page-aligned memory of `pages` pages, or nullptr.
    virtual void* map_pages(size_t pages) = 0;
    virtual void unmap_pages(void* base, size_t pages) = 0;

  protected:
    ~PageSource() = default; // not virtual: no operator delete in modules
};

enum class Fault { double_free, invalid_free, overflow, use_after_free, corrupt };

struct FaultReport {
    Fault kind;
    const void* pointer;    // the pointer passed in, or where the damage is
    size_t size;            // the block's requested size (checks on) or usable size
    uintptr_t caller;       // who called free/reallocate/allocate
    uintptr_t allocated_by; // who allocated the block (checks on), else 0
    const char* detail;
};

struct Options {
    // Hardening: header canary, >= 8-byte red zone after the requested size,
    // freed memory poisoned (0xDD; the first kPoisonSpan bytes of each
    // block) and checked on reuse, double/invalid free detection. Costs 32
    // more header bytes per block and O(1) per call.
    bool checks;
};

constexpr int kMaxOwners = 65; // owner ids 0..63 are modules, 64 the core
constexpr int kCoreOwner = 64;

// Each count beside its peak: the allocator updates bytes and blocks
// together, and the compiler would otherwise join neighbours into one
// 16-byte access that waits for the last call's two 8-byte stores.
struct OwnerStats {
    size_t bytes, peak_bytes, blocks, peak_blocks, total_allocations;
};

// Bytes are usable bytes of blocks handed out (usable_size of each block,
// headers excluded). Free blocks in slabs are not in use.
struct Stats {
    size_t bytes_in_use, peak_bytes, blocks_in_use, peak_blocks; // as in OwnerStats
    size_t mapped_bytes, regions; // everything from the page source, the cached regions included
    // Of those, held for reuse: freed blocks on the classes' stacks (and in
    // a fixed heap's quick caches), empty slabs kept (one per class at most,
    // no more than max(1 MiB, an eighth of the bytes in use)) and wholly free
    // regions (no more than max(4 MiB, the bytes in use)); trim() gives them
    // back, but for one region.
    size_t cached_bytes;
    OwnerStats owners[kMaxOwners];
};

struct CheckReport {
    bool ok;
    size_t free_blocks, used_blocks, free_bytes, used_bytes; // free: every block not in use
    const char* problem;                                     // nullptr when ok
    const void* where;
};

class Heap {
  public:
    static constexpr size_t kAlign = 16; // every block's payload alignment
    static constexpr size_t kMaxAlignment = size_t(1) << 30;
    static constexpr size_t kMaxRequest = size_t(1) << 44;  // bigger requests fail
    static constexpr size_t kRegionBytes = size_t(1) << 20; // the smallest region
    // A new region is a quarter of what is mapped, between kRegionBytes and
    // this (or the request, when bigger).
    static constexpr size_t kRegionGrowthMax = size_t(64) << 20;
    static constexpr int kMaxRegions = 256; // more regions than this: allocations fail
    static constexpr size_t kPageSize = 4096;
    // Slabs: blocks (header included) of 32 B to 64 KiB in 43 classes: 16 B
    // steps to 128 B, then four per power of two.
    static constexpr int kSlabClasses = 43;
    static constexpr size_t kSlabMaxBlock = size_t(64) << 10;
    static constexpr size_t kSlabMinBytes = size_t(64) << 10; // a slab holds at least 8 blocks
    static constexpr size_t kRedZoneChecked = 32;             // red-zone bytes written and checked, at most
    // With checks on, a free block's poison: the bytes of its payload past
    // its list links up to kPoisonSpan (the whole payload of a smaller
    // block). A write after free lands in the first fields of an object far
    // more often than deep in a big buffer, and a bounded span keeps free
    // and reuse O(1): poisoning every byte made a 1 MiB free cost what
    // writing and reading 1 MiB costs.
    static constexpr size_t kPoisonSpan = 128;
    // A freed slab block waits on its class's stack (LIFO, in the heap: the
    // next allocation of the class reads nothing of the block) of at most
    // kStackDepth blocks or kStackBytes of them; past that it goes on its
    // slab's free list.
    static constexpr uint32_t kStackDepth = 32;
    static constexpr size_t kStackBytes = size_t(64) << 10;
    // A fixed heap has no slabs; exact TLSF blocks of 32 B to 1 KiB freed
    // there wait in LIFO lists (at most 32 each) before going back.
    static constexpr int kCacheClasses = 63;
    static constexpr int kCacheDepth = 32;

    // Valid when zero-initialized (allocate returns nullptr until init) and
    // after init. `fault` must not return; if it does, the call that found
    // the fault returns without touching the block (free) or nullptr.
    void init(PageSource& source, Options options, void (*fault)(const FaultReport&));

    // A heap over one block the caller owns (a pool): `bytes` at `base` (16-byte
    // aligned; at least kMinFixedBytes) make its only region, which never grows
    // and is never given back; allocations that do not fit return nullptr. No
    // slabs: a block is its request rounded to 16 bytes, or a TLSF bucket.
    // False (and the heap refuses to allocate) when the block is too small or
    // misaligned.
    static constexpr size_t kMinFixedBytes = 4096;
    bool init_fixed(void* base, size_t bytes, Options options, void (*fault)(const FaultReport&));

    // The end: gives every region back to the page source (none for a fixed
    // heap), whatever is still in it, and leaves the heap as zero-initialized
    // (allocate returns nullptr until init). Returns the blocks that were
    // still in use, whose memory is gone. O(regions).
    size_t shutdown();

    // alignment: a power of two up to kMaxAlignment (0 means 16); anything
    // else returns nullptr. size 0 returns a unique minimal block (usable
    // size 16 with checks off, 0 with checks on) that must be freed.
    // nullptr on exhaustion or when size > kMaxRequest. `owner` outside
    // 0..64 is counted as the core (64).
    void* allocate(size_t size, size_t alignment, uintptr_t caller, int owner);

    // nullptr is a no-op. Double free is always detected; invalid pointers,
    // overflows and writes after free only with checks on.
    void free(void* p, uintptr_t caller);

    // realloc semantics: nullptr -> allocate(size, 16); size 0 -> frees p and
    // returns nullptr; on failure returns nullptr and p is intact. The block
    // stays where it is when the new size fits its slab class (down to half
    // of it) or its TLSF block and the free block after it; otherwise it
    // moves, and a moved block is aligned to 16 only (as with realloc).
    // `owner` is the new owner of the block.
    void* reallocate(void* p, size_t size, uintptr_t caller, int owner);

    // Bytes the caller may use at p: the block's whole payload with checks
    // off, exactly the requested size with checks on (the red zone follows).
    size_t usable_size(const void* p) const;

    // Gives back what is held for reuse: stacked blocks to their slabs,
    // empty slabs to the TLSF, wholly free regions but one to the page
    // source. O(slab classes * kStackDepth + regions).
    void trim();

    // Frees every block in use by `owner` (0..63, not the core): what a
    // module left when it is unloaded; then trim(). Returns how many. One
    // walk of the heap, O(heap); with checks on, a damaged block is reported
    // as by free.
    size_t release_owner(int owner);

    CheckReport check() const;
    const Stats& stats() const; // O(slab classes), for cached_bytes

    // Implementation types, public only so the .cpp's helpers can name them.
    struct Block;
    struct Region;
    struct Slab;

  private:
    static constexpr int kSlLog2 = 5;
    static constexpr int kSlCount = 1 << kSlLog2;
    static constexpr int kFlShift = kSlLog2 + 4;           // sizes below 512 are first level 0
    static constexpr int kFlCount = 46 - kFlShift + 1 + 1; // block sizes below 2^46

    // TLSF and regions.
    Block* find_free(size_t size);
    void insert_free(Block* b);
    void remove_free(Block* b);
    Block* take_free(size_t size);
    Block* tlsf_take(size_t size);
    Block* merge_and_release(Block* b);
    void free_block(Block* b);
    Block* split_tail(Block* b, size_t size);
    Block* grow_region(size_t block_size);
    Block* add_region(void* base, size_t bytes);
    size_t region_cache_limit() const;
    void unmap_region(Region* g);
    bool index_insert(Region* g);
    void index_remove(const Region* g);
    const Region* region_of(const void* p) const;

    // Slabs and the classes' stacks.
    template <bool Checks>
    void* slab_alloc(size_t size, uintptr_t caller, int owner);
    void* slab_alloc_checked(size_t size, uintptr_t caller, int owner);
    void* slab_alloc_slow(int c, size_t size, uintptr_t caller, int owner);
    Slab* slab_create(int c, uintptr_t caller);
    void slab_list(Slab* s);
    void slab_unlist(Slab* s);
    void slab_free(Block* b);
    void stack_push(int c, Block* b, size_t bs);
    void stacks_flush();
    void slab_put(Block* b);
    void slab_emptied(Slab* s);
    void slab_release(Slab* s);

    // The paths past the fast ones.
    void* allocate_general(size_t size, size_t alignment, uintptr_t caller, int owner);
    void free_general(void* p, uintptr_t caller);
    void free_checked(void* p, uintptr_t caller);
    size_t cached_bytes() const;

    void setup(PageSource* source, Options options, void (*fault)(const FaultReport&));
    void* finish_alloc(Block* b, size_t size, uintptr_t caller, int owner, bool reused = true);
    Block* validate(const void* p, uintptr_t caller) const;
    bool looks_like_block(const Block* b, const Region* g) const;
    void account_alloc(int owner, size_t bytes);
    void account_free(int owner, size_t bytes);
    void report(Fault kind, const void* p, size_t size, uintptr_t caller, uintptr_t by,
                const char* detail) const;
    const uint8_t* unpoisoned(const Block* b, size_t from) const;
    void poison(Block* b, size_t from);
    void write_red_zone(Block* b, size_t requested);
    bool red_zone_intact(const Block* b) const;
    const uint8_t* red_zone_damage(const Block* b) const;
    bool check_slab(const Slab* s, const Block* host, CheckReport& r, size_t& listed_slabs,
                    size_t& stacked) const;

    PageSource* source_;
    void (*fault_)(const FaultReport&);
    bool checks_;
    bool slabs_;     // off in a fixed heap
    bool deferring_; // release_owner: no slab or region given back until it ends
    size_t hdr_;     // header bytes before the payload: 16, or 48 with checks
    size_t min_block_;
    uint64_t secret_;
    uint64_t fl_map_;
    uint32_t sl_map_[kFlCount];
    Block* free_[kFlCount][kSlCount];
    Block* cache_[kCacheClasses];
    uint32_t cache_count_[kCacheClasses];
    Block* stack_[kSlabClasses][kStackDepth]; // freed slab blocks, per class
    uint32_t stack_n_[kSlabClasses];
    Slab* partial_[kSlabClasses]; // slabs with a free or never-used block
    Slab* empty_[kSlabClasses];   // the one empty slab kept per class, if any, on no list
    Region* index_[kMaxRegions];  // by address
    int index_count_;
    size_t empty_slab_bytes_;   // held in empty_
    size_t empty_region_bytes_; // wholly free regions
    mutable Stats stats_;       // stats() fills in cached_bytes, which no hot path keeps
};

} // namespace celos_heap
