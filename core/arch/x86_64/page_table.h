// A builder of x86_64 4-level page tables (Intel SDM vol. 3, 4.5). It only
// writes table memory: the caller loads CR3 and flushes the TLB (invlpg over
// the range, or a CR3 reload) after unmap() and protect() on a live table.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace celos::x86_64 {

// Page-table entry flags; the values are the hardware bits (SDM vol. 3, table 4-19).
enum class PteFlag : u64 {
    present = 1ull << 0,
    writable = 1ull << 1,
    user = 1ull << 2,
    write_through = 1ull << 3,
    cache_disable = 1ull << 4,
    accessed = 1ull << 5,
    dirty = 1ull << 6,
    huge = 1ull << 7,  // PS in a PDPTE or PDE; in a 4 KiB PTE bit 7 is PAT
    global = 1ull << 8,
    no_execute = 1ull << 63,
};

// A typed set of PteFlag.
class PteFlags {
public:
    constexpr PteFlags() = default;
    constexpr PteFlags(PteFlag f) : bits_(static_cast<u64>(f)) {}
    static constexpr PteFlags from_raw(u64 bits) { return PteFlags(bits, 0); }

    constexpr u64 raw() const { return bits_; }
    constexpr bool has(PteFlag f) const { return (bits_ & static_cast<u64>(f)) != 0; }
    constexpr bool empty() const { return bits_ == 0; }
    constexpr PteFlags without(PteFlags o) const { return from_raw(bits_ & ~o.bits_); }
    constexpr PteFlags operator|(PteFlags o) const { return from_raw(bits_ | o.bits_); }
    constexpr PteFlags operator&(PteFlags o) const { return from_raw(bits_ & o.bits_); }
    constexpr PteFlags& operator|=(PteFlags o) { bits_ |= o.bits_; return *this; }
    constexpr bool operator==(const PteFlags&) const = default;

private:
    constexpr PteFlags(u64 bits, int) : bits_(bits) {}
    u64 bits_ = 0;
};

constexpr PteFlags operator|(PteFlag a, PteFlag b) { return PteFlags(a) | PteFlags(b); }

// Where page-table pages come from (the PMM in the kernel, a host buffer in tests).
class PageAllocator {
public:
    virtual Result<PhysAddr> alloc_table_page() = 0;  // a zeroed 4 KiB page
    virtual void free_table_page(PhysAddr page) = 0;
    virtual void* phys_to_virt(PhysAddr page) = 0;

protected:
    ~PageAllocator() = default;
};

enum class PageSize : u64 { size_4k = 4096, size_2m = 2ull << 20, size_1g = 1ull << 30 };

struct Translation {
    PhysAddr phys;  // the physical address of the translated byte
    // Effective: writable and user only if set at every level, no_execute if
    // set at any level; the others as in the leaf. Never has huge.
    PteFlags flags;
    PageSize page_size = PageSize::size_4k;
};

class PageTable {
public:
    // A new, empty PML4.
    static Result<PageTable> create(PageAllocator& alloc);
    // Adopts an existing PML4. Subtables must not be shared with another
    // PageTable that unmaps or destroys them.
    PageTable(PageAllocator& alloc, PhysAddr root) : alloc_(&alloc), root_(root) {}

    PhysAddr root() const { return root_; }

    // Maps [virt, virt + size) to [phys, phys + size) with the largest pages
    // <= max_page that the alignment of both addresses and the remaining size
    // allow. present is implied; huge is refused (leaves get it as needed).
    // Intermediate entries are present|writable (|user when mapping user
    // pages), NX clear, so leaves decide. Errors: Status::invalid (unaligned,
    // non-canonical, zero size, wraps, bad flags), Status::exists (a page of
    // the range is mapped; nothing changed), Status::no_memory (nothing of the
    // range left mapped; empty intermediate tables are freed).
    Result<void> map(VirtAddr virt, PhysAddr phys, u64 size, PteFlags flags,
                     PageSize max_page = PageSize::size_1g);
    // Unmaps the range; holes in it are fine. Large pages the range covers
    // only partly are split first; tables left empty are freed. Fails only
    // with Status::no_memory when a split needs a table page: the mappings
    // are then unchanged (some large pages may have been split).
    Result<void> unmap(VirtAddr virt, u64 size);
    // Sets the flags of every page of the range, splitting large pages the
    // range covers partly. Status::not_found (and nothing changed) when a
    // page of the range is unmapped.
    Result<void> protect(VirtAddr virt, u64 size, PteFlags flags);

    bool translate(VirtAddr virt, Translation& out) const;
    // Bytes mapped in [virt, virt + size) (a large leaf counts for the part
    // inside); 0 for a range check_range refuses. Walks only the tables
    // under the range.
    u64 mapped_bytes(VirtAddr virt, u64 size) const;
    // Calls fn for every leaf mapping in address order, with effective flags.
    void walk(void (*fn)(void* ctx, VirtAddr virt, PhysAddr phys, PageSize size, PteFlags flags),
              void* ctx) const;
    // Frees every page-table page (not the mapped frames), the root included.
    void destroy();

private:
    u64* table(PhysAddr page) const;
    Result<void> check_range(VirtAddr virt, u64 size) const;
    // Splits large leaves so that none straddles `boundary`.
    Result<void> split_at(u64 boundary);
    Result<void> split_leaf(u64& entry, int level);
    Result<void> install_leaf(u64 virt, u64 phys, int level, u64 leaf_bits, bool user);
    bool any_mapped(u64 table_phys, int level, u64 table_base, u64 first, u64 last) const;
    bool all_mapped(u64 table_phys, int level, u64 table_base, u64 first, u64 last) const;
    u64 mapped_in(u64 table_phys, int level, u64 table_base, u64 first, u64 last) const;
    // Clears leaves fully inside [first, last]; frees tables left empty.
    // Returns true when the table at table_phys is now empty.
    bool remove(u64 table_phys, int level, u64 table_base, u64 first, u64 last);
    void set_flags(u64 table_phys, int level, u64 table_base, u64 first, u64 last, u64 flags);
    void walk_table(u64 table_phys, int level, u64 table_base, u64 inherited,
                    void (*fn)(void*, VirtAddr, PhysAddr, PageSize, PteFlags), void* ctx) const;
    void free_tree(u64 table_phys, int level);

    PageAllocator* alloc_;
    PhysAddr root_;
};

} // namespace celos::x86_64
