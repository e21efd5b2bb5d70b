// The kernel heap's allocator: two-level segregated fit (TLSF) with
// boundary tags for O(1) coalescing, small exact size-class caches in
// front, regions from a page source, optional hardening, per-owner
// accounting. Pure logic: compiled into the heap module (freestanding, no
// libc beyond memcpy/memset) and into host tests and benchmarks.
//
// Not thread safe: the module glue serialises calls.
//
// Bounds (no loop below depends on how many blocks exist):
//   allocate/free/reallocate: O(1) bitmap searches (ctz/clz on one 64-bit
//   first-level word and one 32-bit second-level word), constant numbers of
//   splits and merges, plus
//   - with checks on: O(size) to check and write poison/red zones, and
//     O(regions) to find the region of a freed pointer;
//   - when the heap grows or gives a region back: one page-source call;
//   - when the last block in use is freed: the caches are flushed, at most
//     kCacheClasses * kCacheDepth blocks (a constant), so empty regions can
//     go back to the page source.
// check() walks everything: O(heap); release_owner() too, per block it frees.
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
    // freed memory poisoned (0xDD) and checked on reuse, double/invalid free
    // detection. Costs 32 more header bytes per block and O(size) per call.
    bool checks;
};

constexpr int kMaxOwners = 65; // owner ids 0..63 are modules, 64 the core
constexpr int kCoreOwner = 64;

struct OwnerStats {
    size_t bytes, blocks, peak_bytes, peak_blocks, total_allocations;
};

// Bytes are usable bytes of blocks handed out (usable_size of each block,
// headers excluded). Blocks parked in the size-class caches are not in use.
struct Stats {
    size_t bytes_in_use, blocks_in_use, peak_bytes, peak_blocks, mapped_bytes, regions;
    OwnerStats owners[kMaxOwners];
};

struct CheckReport {
    bool ok;
    size_t free_blocks, used_blocks, free_bytes, used_bytes; // cached blocks count as free
    const char* problem;                                     // nullptr when ok
    const void* where;
};

class Heap {
  public:
    static constexpr size_t kAlign = 16; // every block's payload alignment
    static constexpr size_t kMaxAlignment = size_t(1) << 30;
    static constexpr size_t kMaxRequest = size_t(1) << 44;  // bigger requests fail
    static constexpr size_t kRegionBytes = size_t(1) << 20; // regions grow by max(this, request)
    static constexpr int kCacheClasses = 63;                // exact block sizes 32..1024 in 16 B steps
    static constexpr int kCacheDepth = 32;                  // per class; more go back to the TLSF
    static constexpr size_t kPageSize = 4096;

    // Valid when zero-initialized (allocate returns nullptr until init) and
    // after init. `fault` must not return; if it does, the call that found
    // the fault returns without touching the block (free) or nullptr.
    void init(PageSource& source, Options options, void (*fault)(const FaultReport&));

    // A heap over one block the caller owns (a pool): `bytes` at `base` (16-byte
    // aligned; at least kMinFixedBytes) make its only region, which never grows
    // and is never given back; allocations that do not fit return nullptr.
    // False (and the heap refuses to allocate) when the block is too small or
    // misaligned.
    static constexpr size_t kMinFixedBytes = 4096;
    bool init_fixed(void* base, size_t bytes, Options options, void (*fault)(const FaultReport&));

    // The end: gives every region back to the page source (none for a fixed
    // heap), whatever is still in it, and leaves the heap as zero-initialized
    // (allocate returns nullptr until init). Returns the blocks that were
    // still in use, whose memory is gone. O(regions + cached blocks).
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
    // may move, and a moved block is aligned to 16 only (as with realloc);
    // `owner` is the new owner of the block.
    void* reallocate(void* p, size_t size, uintptr_t caller, int owner);

    // Bytes the caller may use at p: the block's whole payload with checks
    // off, exactly the requested size with checks on (the red zone follows).
    size_t usable_size(const void* p) const;

    // Flushes the size-class caches into the TLSF (merging, giving empty
    // regions back). O(kCacheClasses * kCacheDepth).
    void trim();

    // Frees every block in use by `owner` (0..63, not the core): what a
    // module left when it is unloaded. Returns how many. O(heap) per block
    // freed (the walk restarts after each, as a free may merge or give a
    // region back); with checks on, a damaged block is reported as by free.
    size_t release_owner(int owner);

    CheckReport check() const;
    const Stats& stats() const { return stats_; }

    // Implementation types, public only so the .cpp's helpers can name them.
    struct Block;
    struct Region;

  private:
    static constexpr int kSlLog2 = 5;
    static constexpr int kSlCount = 1 << kSlLog2;
    static constexpr int kFlShift = kSlLog2 + 4;           // sizes below 512 are first level 0
    static constexpr int kFlCount = 46 - kFlShift + 1 + 1; // block sizes below 2^46

    Block* tlsf_take(size_t size);
    Block* find_free(size_t size);
    void insert_free(Block* b);
    void remove_free(Block* b);
    Block* merge_and_release(Block* b);
    void free_block(Block* b);
    void setup(PageSource* source, Options options, void (*fault)(const FaultReport&));
    Block* grow_region(size_t block_size);
    Block* add_region(void* base, size_t bytes);
    Block* split_tail(Block* b, size_t size);
    void* finish_alloc(Block* b, size_t size, uintptr_t caller, int owner);
    Block* validate(const void* p, uintptr_t caller, const char* op) const;
    void account_alloc(int owner, size_t bytes);
    void account_free(int owner, size_t bytes);
    void report(Fault kind, const void* p, size_t size, uintptr_t caller, uintptr_t by,
                const char* detail) const;
    const uint8_t* unpoisoned(const Block* b, size_t from) const;
    const Region* region_of(const void* p) const;

    PageSource* source_;
    void (*fault_)(const FaultReport&);
    bool checks_;
    size_t hdr_; // header bytes before the payload: 16, or 48 with checks
    size_t min_block_;
    uint64_t secret_;
    uint64_t fl_map_;
    uint32_t sl_map_[kFlCount];
    Block* free_[kFlCount][kSlCount];
    Block* cache_[kCacheClasses];
    uint32_t cache_count_[kCacheClasses];
    Region* regions_;
    Stats stats_;
};

} // namespace celos_heap
