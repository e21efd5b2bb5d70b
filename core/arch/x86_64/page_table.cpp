// 4-level paging, Intel SDM vol. 3, 4.5. Inside this file virtual addresses
// are 48-bit linear indices (the sign extension stripped), so the upper half
// follows the lower one without a hole; they are made canonical again only
// when handed out.
#include "arch/x86_64/page_table.h"

#include "lib/assert.h"

namespace celos::x86_64 {

namespace {

constexpr u64 kPresent = static_cast<u64>(PteFlag::present);
constexpr u64 kWritable = static_cast<u64>(PteFlag::writable);
constexpr u64 kUser = static_cast<u64>(PteFlag::user);
constexpr u64 kHuge = static_cast<u64>(PteFlag::huge);  // PS in a PDPTE/PDE
constexpr u64 kNoExecute = static_cast<u64>(PteFlag::no_execute);
constexpr u64 kPat4k = 1ull << 7;    // PAT in a 4 KiB PTE
constexpr u64 kPatLarge = 1ull << 12;  // PAT in a 2 MiB PDE or 1 GiB PDPTE

// Bits 51..12 (4 KiB page or next table), 51..21 (2 MiB), 51..30 (1 GiB).
constexpr u64 kAddr4k = 0x000ffffffffff000ull;
constexpr u64 kAddr2m = 0x000fffffffe00000ull;
constexpr u64 kAddr1g = 0x000fffffc0000000ull;
constexpr u64 kMaxPhys = 1ull << 52;

// The PteFlag bits a leaf carries (no huge: the builder owns PS).
constexpr u64 kFlagMask = kPresent | kWritable | kUser | static_cast<u64>(PteFlag::write_through) |
                          static_cast<u64>(PteFlag::cache_disable) |
                          static_cast<u64>(PteFlag::accessed) | static_cast<u64>(PteFlag::dirty) |
                          static_cast<u64>(PteFlag::global) | kNoExecute;

constexpr u64 kLinearMask = (1ull << 48) - 1;
constexpr usize kEntries = 512;

// Level 4 = PML4, 3 = PDPT, 2 = PD, 1 = PT.
constexpr int shift(int level) { return 12 + 9 * (level - 1); }
constexpr u64 span(int level) { return 1ull << shift(level); }
constexpr usize index(u64 linear, int level) { return (linear >> shift(level)) & (kEntries - 1); }

constexpr bool present(u64 e) { return (e & kPresent) != 0; }
// A PML4E has no PS bit; a PTE is always a leaf.
constexpr bool is_leaf(u64 e, int level) { return level == 1 || (level <= 3 && (e & kHuge) != 0); }

constexpr u64 addr_mask(int level) { return level == 3 ? kAddr1g : level == 2 ? kAddr2m : kAddr4k; }
constexpr u64 pat_bit(int level) { return level == 1 ? kPat4k : kPatLarge; }

constexpr PageSize page_size(int level) {
    return level == 3 ? PageSize::size_1g : level == 2 ? PageSize::size_2m : PageSize::size_4k;
}

constexpr u64 canonical(u64 linear) { return static_cast<u64>(static_cast<i64>(linear << 16) >> 16); }

// Writable and user hold only if set at every level, no_execute if at any.
constexpr u64 combine(u64 inherited, u64 e) {
    return (inherited & e & (kWritable | kUser)) | ((inherited | e) & kNoExecute);
}

constexpr u64 effective_flags(u64 leaf, u64 inherited) {
    return (leaf & kFlagMask & ~(kWritable | kUser | kNoExecute)) | combine(inherited, leaf);
}

// The entries of a table based at `base` that meet [first, last].
void entry_bounds(u64 base, int level, u64 first, u64 last, usize& lo, usize& hi) {
    const u64 table_last = base + kEntries * span(level) - 1;
    const u64 a = first > base ? first : base;
    const u64 b = last < table_last ? last : table_last;
    lo = static_cast<usize>((a - base) >> shift(level));
    hi = static_cast<usize>((b - base) >> shift(level));
}

} // namespace

u64* PageTable::table(PhysAddr page) const { return static_cast<u64*>(alloc_->phys_to_virt(page)); }

Result<PageTable> PageTable::create(PageAllocator& alloc) {
    const PhysAddr root = TRY(alloc.alloc_table_page());
    PageTable pt(alloc, root);
    u64* t = pt.table(root);
    for (usize i = 0; i < kEntries; ++i) t[i] = 0;
    return pt;
}

Result<void> PageTable::check_range(VirtAddr virt, u64 size) const {
    if (size == 0) return make_error(Status::invalid, "page_table: zero size");
    if (!virt.page_aligned() || !is_aligned(size, kPageSize))
        return make_error(Status::invalid, "page_table: unaligned virtual range");
    const VirtAddr last = virt + (size - 1);
    if (last < virt) return make_error(Status::invalid, "page_table: virtual range wraps");
    if (!virt.canonical() || !last.canonical() || (virt.value() >> 47) != (last.value() >> 47))
        return make_error(Status::invalid, "page_table: non-canonical virtual range");
    return {};
}

Result<void> PageTable::split_leaf(u64& entry, int level) {
    const PhysAddr page = TRY(alloc_->alloc_table_page());
    u64* child = table(page);
    const u64 old = entry;
    const u64 base = old & addr_mask(level);
    const bool pat = (old & pat_bit(level)) != 0;
    // Everything but the address, PS and PAT carries over to the smaller pages.
    const u64 attrs = old & ~addr_mask(level) & ~kHuge & ~pat_bit(level);
    const int child_level = level - 1;
    const u64 child_extra = child_level == 1 ? (pat ? kPat4k : 0) : (kHuge | (pat ? kPatLarge : 0));
    for (usize i = 0; i < kEntries; ++i) child[i] = (base + i * span(child_level)) | attrs | child_extra;
    entry = page.value() | kPresent | kWritable | (old & kUser);
    return {};
}

Result<void> PageTable::split_at(u64 boundary) {
    u64 table_phys = root_.value();
    for (int level = 4; level >= 2; --level) {
        u64& e = table(PhysAddr(table_phys))[index(boundary, level)];
        if (!present(e)) return {};
        if (is_leaf(e, level)) {
            if (is_aligned(boundary, span(level))) return {};
            TRY(split_leaf(e, level));
        }
        table_phys = e & kAddr4k;
    }
    return {};
}

Result<void> PageTable::install_leaf(u64 virt, u64 phys, int level, u64 leaf_bits, bool user) {
    u64 table_phys = root_.value();
    for (int l = 4; l > level; --l) {
        u64& e = table(PhysAddr(table_phys))[index(virt, l)];
        if (!present(e)) {
            const PhysAddr page = TRY(alloc_->alloc_table_page());
            u64* t = table(page);
            for (usize i = 0; i < kEntries; ++i) t[i] = 0;
            e = page.value() | kPresent | kWritable | (user ? kUser : 0);
        } else if (is_leaf(e, l)) {
            return make_error(Status::exists, "page_table: a large page covers the range");
        } else if (user) {
            e |= kUser;
        }
        table_phys = e & kAddr4k;
    }
    u64& leaf = table(PhysAddr(table_phys))[index(virt, level)];
    if (present(leaf)) return make_error(Status::exists, "page_table: already mapped");
    leaf = phys | leaf_bits | (level > 1 ? kHuge : 0);
    return {};
}

bool PageTable::any_mapped(u64 table_phys, int level, u64 base, u64 first, u64 last) const {
    const u64* t = table(PhysAddr(table_phys));
    usize lo, hi;
    entry_bounds(base, level, first, last, lo, hi);
    for (usize i = lo; i <= hi; ++i) {
        if (!present(t[i])) continue;
        if (is_leaf(t[i], level)) return true;
        if (any_mapped(t[i] & kAddr4k, level - 1, base + i * span(level), first, last)) return true;
    }
    return false;
}

bool PageTable::all_mapped(u64 table_phys, int level, u64 base, u64 first, u64 last) const {
    const u64* t = table(PhysAddr(table_phys));
    usize lo, hi;
    entry_bounds(base, level, first, last, lo, hi);
    for (usize i = lo; i <= hi; ++i) {
        if (!present(t[i])) return false;
        if (is_leaf(t[i], level)) continue;
        if (!all_mapped(t[i] & kAddr4k, level - 1, base + i * span(level), first, last)) return false;
    }
    return true;
}

u64 PageTable::mapped_in(u64 table_phys, int level, u64 base, u64 first, u64 last) const {
    const u64* t = table(PhysAddr(table_phys));
    usize lo, hi;
    entry_bounds(base, level, first, last, lo, hi);
    u64 bytes = 0;
    for (usize i = lo; i <= hi; ++i) {
        if (!present(t[i])) continue;
        const u64 entry_base = base + i * span(level);
        if (is_leaf(t[i], level)) {
            const u64 a = first > entry_base ? first : entry_base;
            const u64 entry_last = entry_base + span(level) - 1;
            const u64 b = last < entry_last ? last : entry_last;
            bytes += b - a + 1;
            continue;
        }
        bytes += mapped_in(t[i] & kAddr4k, level - 1, entry_base, first, last);
    }
    return bytes;
}

u64 PageTable::mapped_bytes(VirtAddr virt, u64 size) const {
    if (!check_range(virt, size).ok()) return 0;
    const u64 first = virt.value() & kLinearMask;
    return mapped_in(root_.value(), 4, 0, first, first + (size - 1));
}

bool PageTable::remove(u64 table_phys, int level, u64 base, u64 first, u64 last) {
    u64* t = table(PhysAddr(table_phys));
    usize lo, hi;
    entry_bounds(base, level, first, last, lo, hi);
    for (usize i = lo; i <= hi; ++i) {
        if (!present(t[i])) continue;
        const u64 entry_base = base + i * span(level);
        if (is_leaf(t[i], level)) {
            // split_at() has made every leaf either inside or outside the range.
            ASSERT(entry_base >= first && entry_base + span(level) - 1 <= last);
            t[i] = 0;
            continue;
        }
        const u64 child = t[i] & kAddr4k;
        if (remove(child, level - 1, entry_base, first, last)) {
            t[i] = 0;
            alloc_->free_table_page(PhysAddr(child));
        }
    }
    for (usize i = 0; i < kEntries; ++i)
        if (present(t[i])) return false;
    return true;
}

void PageTable::set_flags(u64 table_phys, int level, u64 base, u64 first, u64 last, u64 flags) {
    u64* t = table(PhysAddr(table_phys));
    usize lo, hi;
    entry_bounds(base, level, first, last, lo, hi);
    for (usize i = lo; i <= hi; ++i) {
        if (!present(t[i])) continue;
        if (is_leaf(t[i], level)) {
            t[i] = (t[i] & ~kFlagMask) | flags;  // keeps the address, PS, PAT and software bits
            continue;
        }
        if (flags & kUser) t[i] |= kUser;
        set_flags(t[i] & kAddr4k, level - 1, base + i * span(level), first, last, flags);
    }
}

Result<void> PageTable::map(VirtAddr virt, PhysAddr phys, u64 size, PteFlags flags, PageSize max_page) {
    TRY(check_range(virt, size));
    if (!phys.page_aligned()) return make_error(Status::invalid, "page_table: unaligned physical address");
    if (phys.value() >= kMaxPhys || size > kMaxPhys - phys.value())
        return make_error(Status::invalid, "page_table: physical range beyond 52 bits");
    if (flags.has(PteFlag::huge) || (flags.raw() & ~kFlagMask) != 0)
        return make_error(Status::invalid, "page_table: flags other than PteFlag (or huge)");

    const u64 first = virt.value() & kLinearMask;
    const u64 last = first + (size - 1);
    if (any_mapped(root_.value(), 4, 0, first, last))
        return make_error(Status::exists, "page_table: a page of the range is already mapped");

    const u64 bits = flags.raw() | kPresent;
    const bool user = flags.has(PteFlag::user);
    const u64 max = static_cast<u64>(max_page);
    for (u64 done = 0; done < size;) {
        const u64 v = first + done;
        const u64 p = phys.value() + done;
        const u64 rest = size - done;
        int level = 1;
        for (int l = 3; l >= 2; --l) {
            const u64 s = span(l);
            if (s <= max && is_aligned(v, s) && is_aligned(p, s) && rest >= s) {
                level = l;
                break;
            }
        }
        const Result<void> r = install_leaf(v, p, level, bits, user);
        if (!r.ok()) {
            // Every leaf in the range is ours: take them and the empty tables back.
            remove(root_.value(), 4, 0, first, last);
            return r.error();
        }
        done += span(level);
    }
    return {};
}

Result<void> PageTable::unmap(VirtAddr virt, u64 size) {
    TRY(check_range(virt, size));
    const u64 first = virt.value() & kLinearMask;
    const u64 last = first + (size - 1);
    TRY(split_at(first));
    if (last != kLinearMask) TRY(split_at(last + 1));
    remove(root_.value(), 4, 0, first, last);
    return {};
}

Result<void> PageTable::protect(VirtAddr virt, u64 size, PteFlags flags) {
    TRY(check_range(virt, size));
    if (flags.has(PteFlag::huge) || (flags.raw() & ~kFlagMask) != 0)
        return make_error(Status::invalid, "page_table: flags other than PteFlag (or huge)");
    const u64 first = virt.value() & kLinearMask;
    const u64 last = first + (size - 1);
    if (!all_mapped(root_.value(), 4, 0, first, last))
        return make_error(Status::not_found, "page_table: a page of the range is not mapped");
    TRY(split_at(first));
    if (last != kLinearMask) TRY(split_at(last + 1));
    set_flags(root_.value(), 4, 0, first, last, flags.raw() | kPresent);
    return {};
}

bool PageTable::translate(VirtAddr virt, Translation& out) const {
    if (!virt.canonical()) return false;
    const u64 linear = virt.value() & kLinearMask;
    u64 table_phys = root_.value();
    u64 inherited = kWritable | kUser;
    for (int level = 4; level >= 1; --level) {
        const u64 e = table(PhysAddr(table_phys))[index(linear, level)];
        if (!present(e)) return false;
        if (is_leaf(e, level)) {
            out.phys = PhysAddr((e & addr_mask(level)) + (linear & (span(level) - 1)));
            out.flags = PteFlags::from_raw(effective_flags(e, inherited));
            out.page_size = page_size(level);
            return true;
        }
        inherited = combine(inherited, e);
        table_phys = e & kAddr4k;
    }
    return false;
}

void PageTable::walk_table(u64 table_phys, int level, u64 base, u64 inherited,
                           void (*fn)(void*, VirtAddr, PhysAddr, PageSize, PteFlags), void* ctx) const {
    const u64* t = table(PhysAddr(table_phys));
    for (usize i = 0; i < kEntries; ++i) {
        const u64 e = t[i];
        if (!present(e)) continue;
        const u64 entry_base = base + i * span(level);
        if (is_leaf(e, level)) {
            fn(ctx, VirtAddr(canonical(entry_base)), PhysAddr(e & addr_mask(level)), page_size(level),
               PteFlags::from_raw(effective_flags(e, inherited)));
        } else {
            walk_table(e & kAddr4k, level - 1, entry_base, combine(inherited, e), fn, ctx);
        }
    }
}

void PageTable::walk(void (*fn)(void* ctx, VirtAddr, PhysAddr, PageSize, PteFlags), void* ctx) const {
    walk_table(root_.value(), 4, 0, kWritable | kUser, fn, ctx);
}

void PageTable::free_tree(u64 table_phys, int level) {
    const u64* t = table(PhysAddr(table_phys));
    for (usize i = 0; i < kEntries; ++i)
        if (present(t[i]) && !is_leaf(t[i], level)) free_tree(t[i] & kAddr4k, level - 1);
    alloc_->free_table_page(PhysAddr(table_phys));
}

void PageTable::destroy() {
    if (root_.value() == 0) return;
    free_tree(root_.value(), 4);
    root_ = PhysAddr();
}

} // namespace celos::x86_64
