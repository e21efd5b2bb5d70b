// The page-table builder over a fake page allocator. The oracle is
// ref_translate(), written straight from Intel SDM vol. 3, 4.5 (4-level
// paging): it reads the raw entries level by level, independent of the code
// under test.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "arch/x86_64/page_table.h"
#include "host_env.h"

using namespace celos;
using namespace celos::x86_64;

namespace {

constexpr u64 KiB4 = 4096;
constexpr u64 MiB = 1ull << 20;
constexpr u64 MiB2 = 2 * MiB;
constexpr u64 GiB = 1ull << 30;
constexpr u64 kDirectMap = 0xffff800000000000ull;

// Table pages come from a host buffer standing for physical [base, base + size).
class FakeAllocator final : public PageAllocator {
public:
    explicit FakeAllocator(usize pages, u64 base = 0x7ff00000000ull) : base_(base), used_(pages, false) {
        host_ = static_cast<u8*>(std::aligned_alloc(KiB4, pages * KiB4));
        REQUIRE(host_ != nullptr);
        std::memset(host_, 0xa5, pages * KiB4);  // catches reliance on unzeroed memory
    }
    ~FakeAllocator() { std::free(host_); }

    Result<PhysAddr> alloc_table_page() override {
        if (outstanding == limit) return make_error(Status::no_memory, "fake: limit");
        for (usize i = 0; i < used_.size(); ++i) {
            if (used_[i]) continue;
            used_[i] = true;
            ++outstanding;
            std::memset(host_ + i * KiB4, 0, KiB4);
            return PhysAddr(base_ + i * KiB4);
        }
        return make_error(Status::no_memory, "fake: full");
    }
    void free_table_page(PhysAddr page) override {
        const usize i = index(page);
        if (!used_[i]) bad_frees++;
        used_[i] = false;
        --outstanding;
        std::memset(host_ + i * KiB4, 0x5a, KiB4);  // a freed table must not be read again
    }
    void* phys_to_virt(PhysAddr page) override { return host_ + index(page) * KiB4; }

    // The raw 64-bit entry at a physical address, as the CPU reads it.
    u64 read64(u64 phys) {
        u64 v;
        std::memcpy(&v, host_ + index(PhysAddr(phys & ~(KiB4 - 1))) * KiB4 + (phys & (KiB4 - 1)), 8);
        return v;
    }
    void write64(u64 phys, u64 v) {
        std::memcpy(host_ + index(PhysAddr(phys & ~(KiB4 - 1))) * KiB4 + (phys & (KiB4 - 1)), &v, 8);
    }

    usize outstanding = 0;
    usize limit = ~usize(0);
    usize bad_frees = 0;

private:
    usize index(PhysAddr page) const {
        const u64 p = page.value();
        if (p < base_ || p >= base_ + used_.size() * KiB4 || (p & (KiB4 - 1)) != 0)
            throw celos_test::HostPanic("fake allocator: not one of its pages");
        return static_cast<usize>((p - base_) / KiB4);
    }

    u64 base_;
    u8* host_ = nullptr;
    std::vector<bool> used_;
};

// --- The oracle: Intel SDM vol. 3, 4.5.4 and figure 4-8 to 4-10 -------------
struct RefTranslation {
    bool present = false;
    u64 phys = 0;
    u64 page_size = 0;
    bool writable = false;  // R/W = 1 in every paging-structure entry (4.6.1)
    bool user = false;      // U/S = 1 in every paging-structure entry
    bool no_execute = false;  // XD = 1 in any paging-structure entry (with IA32_EFER.NXE = 1)
    u64 leaf = 0;
};

RefTranslation ref_translate(FakeAllocator& mem, u64 cr3, u64 la) {
    constexpr u64 kM = 0x000ffffffffff000ull;  // bits 51:12, M = 52
    RefTranslation t;
    // A PML4E: bits 51:12 from CR3, bits 11:3 are linear-address bits 47:39.
    const u64 pml4e = mem.read64((cr3 & kM) | (((la >> 39) & 0x1ff) << 3));
    if (!(pml4e & 1)) return t;
    // A PDPTE: bits 51:12 from the PML4E, bits 11:3 are bits 38:30.
    const u64 pdpte = mem.read64((pml4e & kM) | (((la >> 30) & 0x1ff) << 3));
    if (!(pdpte & 1)) return t;
    const u64 e1 = pml4e & pdpte;
    const u64 x1 = pml4e | pdpte;
    if (pdpte & (1ull << 7)) {  // PS = 1: a 1-GByte page, bits 51:30 of the PDPTE, 29:0 of la
        t = {true, (pdpte & 0x000fffffc0000000ull) | (la & 0x3fffffff), GiB, (e1 & 2) != 0, (e1 & 4) != 0,
             (x1 >> 63) != 0, pdpte};
        return t;
    }
    const u64 pde = mem.read64((pdpte & kM) | (((la >> 21) & 0x1ff) << 3));
    if (!(pde & 1)) return t;
    const u64 e2 = e1 & pde;
    const u64 x2 = x1 | pde;
    if (pde & (1ull << 7)) {  // a 2-MByte page, bits 51:21 of the PDE, 20:0 of la
        t = {true, (pde & 0x000fffffffe00000ull) | (la & 0x1fffff), MiB2, (e2 & 2) != 0, (e2 & 4) != 0,
             (x2 >> 63) != 0, pde};
        return t;
    }
    const u64 pte = mem.read64((pde & kM) | (((la >> 12) & 0x1ff) << 3));
    if (!(pte & 1)) return t;
    const u64 e3 = e2 & pte;
    const u64 x3 = x2 | pte;
    t = {true, (pte & kM) | (la & 0xfff), KiB4, (e3 & 2) != 0, (e3 & 4) != 0, (x3 >> 63) != 0, pte};
    return t;
}

// translate() and the oracle agree, and both say `phys` (0 = unmapped).
void require_maps(PageTable& pt, FakeAllocator& mem, u64 virt, bool mapped, u64 phys = 0) {
    INFO("virt " << std::hex << virt);
    const RefTranslation ref = ref_translate(mem, pt.root().value(), virt);
    Translation t;
    const bool ok = pt.translate(VirtAddr(virt), t);
    REQUIRE(ok == ref.present);
    REQUIRE(ok == mapped);
    if (!ok) return;
    REQUIRE(t.phys.value() == ref.phys);
    REQUIRE(t.phys.value() == phys);
    REQUIRE(static_cast<u64>(t.page_size) == ref.page_size);
    REQUIRE(t.flags.has(PteFlag::present));
    REQUIRE_FALSE(t.flags.has(PteFlag::huge));
    REQUIRE(t.flags.has(PteFlag::writable) == ref.writable);
    REQUIRE(t.flags.has(PteFlag::user) == ref.user);
    REQUIRE(t.flags.has(PteFlag::no_execute) == ref.no_execute);
    // A 4 KiB PTE never has bit 7 (PAT) set by the builder.
    if (ref.page_size == KiB4) REQUIRE((ref.leaf & (1ull << 7)) == 0);
}

struct Leaf {
    u64 virt;
    u64 phys;
    u64 size;
    u64 flags;
};

std::vector<Leaf> leaves_of(const PageTable& pt) {
    std::vector<Leaf> out;
    pt.walk(
        [](void* ctx, VirtAddr v, PhysAddr p, PageSize s, PteFlags f) {
            static_cast<std::vector<Leaf>*>(ctx)->push_back({v.value(), p.value(), static_cast<u64>(s), f.raw()});
        },
        &out);
    return out;
}

struct SizeCounts {
    usize k4 = 0, m2 = 0, g1 = 0;
};

SizeCounts count_sizes(const std::vector<Leaf>& leaves) {
    SizeCounts c;
    for (const Leaf& l : leaves) {
        if (l.size == KiB4) ++c.k4;
        else if (l.size == MiB2) ++c.m2;
        else if (l.size == GiB) ++c.g1;
    }
    return c;
}

PageTable make_table(FakeAllocator& mem) {
    Result<PageTable> r = PageTable::create(mem);
    REQUIRE(r.ok());
    return r.release_value();
}

// The raw entry that maps `virt` at `level` (4 = PML4E ... 1 = PTE), via the oracle's walk.
u64 entry_address(FakeAllocator& mem, u64 root, u64 virt, int level) {
    u64 table = root;
    for (int l = 4; l > level; --l) table = mem.read64(table + (((virt >> (12 + 9 * (l - 1))) & 0x1ff) << 3)) & 0x000ffffffffff000ull;
    return table + (((virt >> (12 + 9 * (level - 1))) & 0x1ff) << 3);
}

const PteFlags kRw = PteFlag::writable | PteFlag::no_execute;

} // namespace

TEST_CASE("page_table: a 3 GiB + 4 KiB direct map uses 1G pages and a 4K tail", "[page_table]") {
    FakeAllocator mem(1024);
    PageTable pt = make_table(mem);
    REQUIRE(pt.map(VirtAddr(kDirectMap), PhysAddr(0), 3 * GiB + KiB4, kRw | PteFlag::global).ok());
    const auto leaves = leaves_of(pt);
    const SizeCounts c = count_sizes(leaves);
    REQUIRE(c.g1 == 3);
    REQUIRE(c.m2 == 0);
    REQUIRE(c.k4 == 1);
    REQUIRE(mem.outstanding == 4);  // PML4, PDPT, one PD, one PT

    std::mt19937_64 rng(1);
    for (int i = 0; i < 4000; ++i) {
        const u64 off = rng() % (3 * GiB + KiB4);
        require_maps(pt, mem, kDirectMap + off, true, off);
    }
    for (u64 off : {u64(0), GiB - 1, GiB, 2 * GiB + 12345, 3 * GiB, 3 * GiB + KiB4 - 1})
        require_maps(pt, mem, kDirectMap + off, true, off);
    require_maps(pt, mem, kDirectMap + 3 * GiB + KiB4, false);
    require_maps(pt, mem, kDirectMap - KiB4, false);
    Translation t;
    REQUIRE(pt.translate(VirtAddr(kDirectMap + 5), t));
    REQUIRE(t.flags.has(PteFlag::global));
    REQUIRE(t.page_size == PageSize::size_1g);
}

TEST_CASE("page_table: page sizes follow the alignment of both addresses", "[page_table]") {
    FakeAllocator mem(1024);
    PageTable pt = make_table(mem);
    // virt starts 8 KiB below a 1 GiB boundary; phys is as aligned: 2 x 4K, 1G, 2M, 4K.
    const u64 v = 0x0000004000000000ull + GiB - 2 * KiB4;
    const u64 p = 0x0000000100000000ull + GiB - 2 * KiB4;
    const u64 size = 2 * KiB4 + GiB + MiB2 + KiB4;
    REQUIRE(pt.map(VirtAddr(v), PhysAddr(p), size, kRw).ok());
    SizeCounts c = count_sizes(leaves_of(pt));
    REQUIRE(c.g1 == 1);
    REQUIRE(c.m2 == 1);
    REQUIRE(c.k4 == 3);
    // phys only 2 MiB aligned where virt is 1 GiB aligned: 2M pages, never 1G.
    const u64 v2 = 0x0000008000000000ull;
    REQUIRE(pt.map(VirtAddr(v2), PhysAddr(0x200000000ull + MiB2), GiB + MiB2, kRw).ok());
    c = count_sizes(leaves_of(pt));
    REQUIRE(c.g1 == 1);
    REQUIRE(c.m2 == 1 + 513);
    std::mt19937_64 rng(2);
    for (int i = 0; i < 2000; ++i) {
        const u64 o = rng() % size;
        require_maps(pt, mem, v + o, true, p + o);
        const u64 o2 = rng() % (GiB + MiB2);
        require_maps(pt, mem, v2 + o2, true, 0x200000000ull + MiB2 + o2);
    }
}

TEST_CASE("page_table: max_page is respected", "[page_table]") {
    FakeAllocator mem(1024);
    PageTable pt = make_table(mem);
    REQUIRE(pt.map(VirtAddr(0x40000000), PhysAddr(0x40000000), 4 * MiB, kRw, PageSize::size_4k).ok());
    SizeCounts c = count_sizes(leaves_of(pt));
    REQUIRE(c.k4 == 1024);
    REQUIRE(c.m2 + c.g1 == 0);
    REQUIRE(pt.map(VirtAddr(0x80000000), PhysAddr(0x80000000), 2 * GiB, kRw, PageSize::size_2m).ok());
    c = count_sizes(leaves_of(pt));
    REQUIRE(c.m2 == 1024);
    REQUIRE(c.g1 == 0);
    for (u64 o = 0; o < 2 * GiB; o += 3 * MiB + 4096 * 7) require_maps(pt, mem, 0x80000000 + o, true, 0x80000000 + o);
}

TEST_CASE("page_table: effective writable, user and no_execute", "[page_table]") {
    FakeAllocator mem(64);
    PageTable pt = make_table(mem);
    const u64 user_page = 0x0000000000400000ull;
    REQUIRE(pt.map(VirtAddr(user_page), PhysAddr(0x1000000), KiB4, PteFlag::writable | PteFlag::user).ok());
    REQUIRE(pt.map(VirtAddr(user_page + KiB4), PhysAddr(0x1001000), KiB4, PteFlags(PteFlag::no_execute)).ok());
    Translation t;
    REQUIRE(pt.translate(VirtAddr(user_page), t));
    REQUIRE(t.flags.has(PteFlag::writable));
    REQUIRE(t.flags.has(PteFlag::user));
    REQUIRE_FALSE(t.flags.has(PteFlag::no_execute));
    REQUIRE(pt.translate(VirtAddr(user_page + KiB4), t));
    REQUIRE_FALSE(t.flags.has(PteFlag::writable));
    REQUIRE_FALSE(t.flags.has(PteFlag::user));  // its PTE lacks U/S even though the tables have it
    REQUIRE(t.flags.has(PteFlag::no_execute));
    // Intermediate entries: present | writable | user (asked for), NX clear.
    const u64 root = pt.root().value();
    for (int level = 4; level >= 2; --level) {
        const u64 e = mem.read64(entry_address(mem, root, user_page, level));
        INFO("level " << level);
        REQUIRE((e & 0x7) == 0x7);
        REQUIRE((e >> 63) == 0);
        REQUIRE((e & (1ull << 7)) == 0);
    }
    // Clearing R/W in the PML4E takes write access away from both; XD in the PDE adds NX.
    const u64 pml4e_at = entry_address(mem, root, user_page, 4);
    mem.write64(pml4e_at, mem.read64(pml4e_at) & ~2ull);
    const u64 pde_at = entry_address(mem, root, user_page, 2);
    mem.write64(pde_at, mem.read64(pde_at) | (1ull << 63));
    REQUIRE(pt.translate(VirtAddr(user_page), t));
    REQUIRE_FALSE(t.flags.has(PteFlag::writable));
    REQUIRE(t.flags.has(PteFlag::no_execute));
    REQUIRE(t.flags.has(PteFlag::user));
    require_maps(pt, mem, user_page + 17, true, 0x1000000 + 17);
    require_maps(pt, mem, user_page + KiB4, true, 0x1001000);
    // A kernel-only mapping does not get U/S in new intermediate entries.
    REQUIRE(pt.map(VirtAddr(kDirectMap), PhysAddr(0), KiB4, kRw).ok());
    REQUIRE((mem.read64(entry_address(mem, root, kDirectMap, 4)) & 4) == 0);
}

TEST_CASE("page_table: mapping over a mapping is refused and changes nothing", "[page_table]") {
    FakeAllocator mem(64);
    PageTable pt = make_table(mem);
    const u64 v = 0x200000000ull;
    REQUIRE(pt.map(VirtAddr(v), PhysAddr(0x40000000), MiB2, kRw).ok());
    REQUIRE(pt.map(VirtAddr(v + 2 * MiB2), PhysAddr(0x50000000), KiB4, kRw).ok());
    const auto before = leaves_of(pt);
    const usize tables = mem.outstanding;
    REQUIRE(pt.map(VirtAddr(v), PhysAddr(0x60000000), KiB4, kRw).error().status == Status::exists);
    REQUIRE(pt.map(VirtAddr(v + MiB2 - KiB4), PhysAddr(0x60000000), 2 * KiB4, kRw).error().status == Status::exists);
    REQUIRE(pt.map(VirtAddr(v - GiB / 2), PhysAddr(0), GiB, kRw).error().status == Status::exists);
    // A free range before an existing page: nothing of it may be left behind.
    REQUIRE(pt.map(VirtAddr(v + MiB2), PhysAddr(0x60000000), 2 * MiB2, kRw).error().status == Status::exists);
    REQUIRE(leaves_of(pt).size() == before.size());
    REQUIRE(mem.outstanding == tables);
    require_maps(pt, mem, v + MiB2, false);
    require_maps(pt, mem, v + 5, true, 0x40000005);
}

TEST_CASE("page_table: bad ranges and flags are invalid", "[page_table]") {
    FakeAllocator mem(64);
    PageTable pt = make_table(mem);
    auto status = [](const Result<void>& r) { return r.ok() ? Status::ok : r.error().status; };
    REQUIRE(status(pt.map(VirtAddr(0x1001), PhysAddr(0), KiB4, kRw)) == Status::invalid);
    REQUIRE(status(pt.map(VirtAddr(0x1000), PhysAddr(0x10), KiB4, kRw)) == Status::invalid);
    REQUIRE(status(pt.map(VirtAddr(0x1000), PhysAddr(0), 100, kRw)) == Status::invalid);
    REQUIRE(status(pt.map(VirtAddr(0x1000), PhysAddr(0), 0, kRw)) == Status::invalid);
    REQUIRE(status(pt.map(VirtAddr(0x0000800000000000ull), PhysAddr(0), KiB4, kRw)) == Status::invalid);
    REQUIRE(status(pt.map(VirtAddr(0xfff0000000000000ull), PhysAddr(0), KiB4, kRw)) == Status::invalid);
    // Runs off the lower half into the non-canonical hole; wraps past 2^64.
    REQUIRE(status(pt.map(VirtAddr(0x00007ffffffff000ull), PhysAddr(0), 2 * KiB4, kRw)) == Status::invalid);
    REQUIRE(status(pt.map(VirtAddr(0xfffffffffffff000ull), PhysAddr(0), 2 * KiB4, kRw)) == Status::invalid);
    REQUIRE(status(pt.map(VirtAddr(0x1000), PhysAddr(0x000ffffffffff000ull), 2 * KiB4, kRw)) == Status::invalid);
    REQUIRE(status(pt.map(VirtAddr(0x200000), PhysAddr(0), MiB2, PteFlag::huge | PteFlag::writable)) ==
            Status::invalid);
    REQUIRE(status(pt.map(VirtAddr(0x1000), PhysAddr(0), KiB4, PteFlags::from_raw(1ull << 12))) == Status::invalid);
    REQUIRE(status(pt.unmap(VirtAddr(0x1234), KiB4)) == Status::invalid);
    REQUIRE(status(pt.protect(VirtAddr(0x0000800000000000ull), KiB4, kRw)) == Status::invalid);
    REQUIRE(leaves_of(pt).empty());
    REQUIRE(mem.outstanding == 1);
    // The very first and very last pages are fine.
    REQUIRE(pt.map(VirtAddr(0xfffffffffffff000ull), PhysAddr(0x5000), KiB4, kRw).ok());
    REQUIRE(pt.map(VirtAddr(0x00007ffffffff000ull), PhysAddr(0x6000), KiB4, kRw).ok());
    REQUIRE(pt.map(VirtAddr(u64(0)), PhysAddr(0x7000), KiB4, kRw).ok());
    require_maps(pt, mem, 0xffffffffffffffffull, true, 0x5fff);
    require_maps(pt, mem, 0x00007fffffffffffull, true, 0x6fff);
    require_maps(pt, mem, 0, true, 0x7000);
    Translation t;
    REQUIRE_FALSE(pt.translate(VirtAddr(0x0000800000000000ull), t));
    REQUIRE(pt.unmap(VirtAddr(0xffff800000000000ull), 0x0000800000000000ull).ok());  // all of the upper half
    require_maps(pt, mem, 0xfffffffffffff000ull, false);
    require_maps(pt, mem, 0x00007ffffffff000ull, true, 0x6000);
}

TEST_CASE("page_table: unmap splits a 2M page and keeps the rest identical", "[page_table]") {
    FakeAllocator mem(64);
    PageTable pt = make_table(mem);
    const u64 v = 0xffffc00000000000ull + 7 * MiB2;
    const u64 p = 0x80000000ull + 3 * MiB2;
    const PteFlags flags = kRw | PteFlag::global | PteFlag::cache_disable;
    REQUIRE(pt.map(VirtAddr(v), PhysAddr(p), MiB2, flags).ok());
    REQUIRE(count_sizes(leaves_of(pt)).m2 == 1);
    // Set PAT (bit 12 of a 2M PDE); the split must move it to bit 7 of each PTE.
    const u64 pde_at = entry_address(mem, pt.root().value(), v, 2);
    mem.write64(pde_at, mem.read64(pde_at) | (1ull << 12));
    require_maps(pt, mem, v, true, p);  // bit 12 of a 2M PDE is not an address bit

    REQUIRE(pt.unmap(VirtAddr(v + 5 * KiB4), 2 * KiB4).ok());
    const auto leaves = leaves_of(pt);
    REQUIRE(leaves.size() == 510);
    REQUIRE(count_sizes(leaves).k4 == 510);
    for (u64 o = 0; o < MiB2; o += KiB4) {
        if (o == 5 * KiB4 || o == 6 * KiB4) {
            require_maps(pt, mem, v + o, false);
            continue;
        }
        Translation t;
        REQUIRE(pt.translate(VirtAddr(v + o + 9), t));
        REQUIRE(t.phys.value() == p + o + 9);
        REQUIRE(t.flags == (flags | PteFlag::present));
        const RefTranslation ref = ref_translate(mem, pt.root().value(), v + o);
        REQUIRE(ref.phys == p + o);
        REQUIRE((ref.leaf & (1ull << 7)) != 0);  // PAT carried over
    }
}

TEST_CASE("page_table: unmap splits a 1G page down to 4K at both ends", "[page_table]") {
    FakeAllocator mem(64);
    PageTable pt = make_table(mem);
    const u64 v = 5 * GiB;
    const u64 p = 9 * GiB;
    REQUIRE(pt.map(VirtAddr(v), PhysAddr(p), GiB, PteFlag::global | PteFlag::user).ok());
    const usize tables = mem.outstanding;
    // [2M - 4K, 2M + 4K): cuts into the first two 2M pieces of the 1G page.
    REQUIRE(pt.unmap(VirtAddr(v + MiB2 - KiB4), 2 * KiB4).ok());
    const SizeCounts c = count_sizes(leaves_of(pt));
    REQUIRE(c.g1 == 0);
    REQUIRE(c.m2 == 510);
    REQUIRE(c.k4 == 511 * 2);
    REQUIRE(mem.outstanding == tables + 3);  // a PD and two PTs
    for (u64 o = 0; o < GiB; o += KiB4) {
        const bool gone = o == MiB2 - KiB4 || o == MiB2;
        if (o % (64 * KiB4) == 0 || o < 2 * MiB2 + KiB4 || gone) require_maps(pt, mem, v + o, !gone, p + o);
    }
    Translation t;
    REQUIRE(pt.translate(VirtAddr(v + 100 * MiB2), t));
    REQUIRE(t.flags == (PteFlag::present | PteFlag::global | PteFlag::user));
    REQUIRE(t.page_size == PageSize::size_2m);
    // Unmapping the rest frees every table but the root.
    REQUIRE(pt.unmap(VirtAddr(v), GiB).ok());
    REQUIRE(leaves_of(pt).empty());
    REQUIRE(mem.outstanding == 1);
}

TEST_CASE("page_table: unmap frees tables left empty, and holes are fine", "[page_table]") {
    FakeAllocator mem(256);
    PageTable pt = make_table(mem);
    REQUIRE(mem.outstanding == 1);
    // 4 MiB of 4K pages straddling a 512 GiB (PML4E) boundary, plus a 2M page elsewhere.
    const u64 v = 0x0000008000000000ull - MiB2;
    REQUIRE(pt.map(VirtAddr(v), PhysAddr(0x100000000ull), 4 * MiB, kRw, PageSize::size_4k).ok());
    REQUIRE(mem.outstanding == 1 + 2 * 3);
    REQUIRE(pt.map(VirtAddr(0x40000000), PhysAddr(0), MiB2, kRw).ok());
    const usize with_all = mem.outstanding;
    // Half of the first PT's pages: nothing freed yet.
    REQUIRE(pt.unmap(VirtAddr(v), MiB).ok());
    REQUIRE(mem.outstanding == with_all);
    // The rest, with a hole-covering overshoot on both sides.
    REQUIRE(pt.unmap(VirtAddr(v - GiB), GiB + 4 * MiB + GiB).ok());
    REQUIRE(mem.outstanding == with_all - 5);  // 2 PTs, 2 PDs, the second PDPT
    require_maps(pt, mem, 0x40000000 + 77, true, 77);
    REQUIRE(pt.unmap(VirtAddr(0x40000000), MiB2).ok());
    REQUIRE(mem.outstanding == 1);
    REQUIRE(pt.unmap(VirtAddr(u64(0)), 0x0000800000000000ull).ok());  // an empty space
    REQUIRE(mem.outstanding == 1);
    REQUIRE(mem.bad_frees == 0);
}

TEST_CASE("page_table: protect changes flags, splitting where the range ends inside", "[page_table]") {
    FakeAllocator mem(64);
    PageTable pt = make_table(mem);
    const u64 v = 0xffffffff80000000ull;  // the kernel image's -2 GiB
    REQUIRE(pt.map(VirtAddr(v), PhysAddr(0x200000), MiB2, PteFlags(PteFlag::writable)).ok());
    REQUIRE(pt.map(VirtAddr(v + GiB), PhysAddr(GiB), GiB, PteFlags(PteFlag::writable)).ok());
    // One 4K page inside the 2M page becomes read-only, NX.
    REQUIRE(pt.protect(VirtAddr(v + 3 * KiB4), KiB4, PteFlags(PteFlag::no_execute)).ok());
    Translation t;
    REQUIRE(pt.translate(VirtAddr(v + 3 * KiB4), t));
    REQUIRE(t.flags == (PteFlag::present | PteFlag::no_execute));
    REQUIRE(t.phys.value() == 0x200000 + 3 * KiB4);
    REQUIRE(pt.translate(VirtAddr(v + 4 * KiB4), t));
    REQUIRE(t.flags == (PteFlag::present | PteFlag::writable));
    REQUIRE(count_sizes(leaves_of(pt)).k4 == 512);
    for (u64 o = 0; o < MiB2; o += KiB4) require_maps(pt, mem, v + o, true, 0x200000 + o);
    // The whole 1G page: no split.
    REQUIRE(pt.protect(VirtAddr(v + GiB), GiB, PteFlag::global | PteFlag::no_execute).ok());
    REQUIRE(count_sizes(leaves_of(pt)).g1 == 1);
    REQUIRE(pt.translate(VirtAddr(v + GiB + 5), t));
    REQUIRE(t.flags == (PteFlag::present | PteFlag::global | PteFlag::no_execute));
    // A range with an unmapped page: not_found, nothing changed.
    const usize tables = mem.outstanding;
    REQUIRE(pt.protect(VirtAddr(v + MiB2 - KiB4), 2 * KiB4, kRw).error().status == Status::not_found);
    REQUIRE(mem.outstanding == tables);
    REQUIRE(pt.translate(VirtAddr(v + MiB2 - KiB4), t));
    REQUIRE(t.flags == (PteFlag::present | PteFlag::writable));
    REQUIRE(pt.protect(VirtAddr(v + GiB + MiB2 * 3), MiB2, PteFlag::user | PteFlag::writable).ok());
    require_maps(pt, mem, v + GiB + MiB2 * 3 + 1, true, GiB + MiB2 * 3 + 1);
    REQUIRE(pt.translate(VirtAddr(v + GiB + MiB2 * 3), t));
    REQUIRE(t.flags == (PteFlag::present | PteFlag::user | PteFlag::writable));  // U/S added up the tree
    REQUIRE(t.page_size == PageSize::size_2m);
}

TEST_CASE("page_table: running out of table pages is no_memory, with nothing left mapped", "[page_table]") {
    FakeAllocator mem(64);
    PageTable pt = make_table(mem);
    mem.limit = 2;
    REQUIRE(pt.map(VirtAddr(0x1000), PhysAddr(0x1000), KiB4, kRw).error().status == Status::no_memory);
    REQUIRE(mem.outstanding == 1);
    // Room for the PDPT, the PD and the first PT: 512 leaves go in, then the second PT fails.
    mem.limit = 4;
    const u64 v = 0x40000000;
    REQUIRE(pt.map(VirtAddr(v), PhysAddr(0), 4 * MiB, kRw, PageSize::size_4k).error().status == Status::no_memory);
    REQUIRE(leaves_of(pt).empty());
    REQUIRE(mem.outstanding == 1);
    mem.limit = ~usize(0);
    REQUIRE(pt.map(VirtAddr(v), PhysAddr(0), MiB2, kRw).ok());
    // Splitting needs a page: unmap fails and leaves the 2M page as it was.
    mem.limit = mem.outstanding;
    REQUIRE(pt.unmap(VirtAddr(v + KiB4), KiB4).error().status == Status::no_memory);
    REQUIRE(pt.protect(VirtAddr(v + KiB4), KiB4, PteFlags()).error().status == Status::no_memory);
    require_maps(pt, mem, v + KiB4, true, KiB4);
    REQUIRE(count_sizes(leaves_of(pt)).m2 == 1);
    REQUIRE(mem.bad_frees == 0);
}

TEST_CASE("page_table: walk enumerates leaves in address order", "[page_table]") {
    FakeAllocator mem(64);
    PageTable pt = make_table(mem);
    REQUIRE(pt.map(VirtAddr(0xffffffff80000000ull), PhysAddr(0x200000), 3 * KiB4, PteFlags()).ok());
    REQUIRE(pt.map(VirtAddr(kDirectMap), PhysAddr(0), GiB + MiB2, kRw).ok());
    REQUIRE(pt.map(VirtAddr(0x400000), PhysAddr(0x1000000), MiB2 + KiB4, PteFlags(PteFlag::user)).ok());
    const auto leaves = leaves_of(pt);
    const SizeCounts c = count_sizes(leaves);
    REQUIRE(c.k4 == 4);
    REQUIRE(c.m2 == 2);
    REQUIRE(c.g1 == 1);
    REQUIRE(leaves.front().virt == 0x400000);
    REQUIRE(leaves.front().size == MiB2);
    REQUIRE(leaves.back().virt == 0xffffffff80000000ull + 2 * KiB4);
    for (usize i = 1; i < leaves.size(); ++i) {
        REQUIRE(leaves[i - 1].virt + leaves[i - 1].size <= leaves[i].virt);
        REQUIRE(VirtAddr(leaves[i].virt).canonical());
    }
    for (const Leaf& l : leaves) require_maps(pt, mem, l.virt, true, l.phys);
}

TEST_CASE("page_table: mapped_bytes counts the part of each leaf inside the range", "[page_table]") {
    FakeAllocator mem(64);
    PageTable pt = make_table(mem);
    REQUIRE(pt.map(VirtAddr(kDirectMap), PhysAddr(0), GiB + MiB2, kRw).ok()); // a 1G and a 2M leaf
    REQUIRE(pt.map(VirtAddr(0x400000), PhysAddr(0x1000000), 3 * KiB4, kRw).ok());
    CHECK(pt.mapped_bytes(VirtAddr(kDirectMap), GiB + MiB2) == GiB + MiB2);
    CHECK(pt.mapped_bytes(VirtAddr(kDirectMap + KiB4), 2 * KiB4) == 2 * KiB4); // inside the 1G leaf
    CHECK(pt.mapped_bytes(VirtAddr(kDirectMap + GiB - KiB4), 2 * KiB4) == 2 * KiB4); // across two leaves
    CHECK(pt.mapped_bytes(VirtAddr(kDirectMap + GiB + MiB2 - KiB4), 4 * KiB4) == KiB4); // past the end
    CHECK(pt.mapped_bytes(VirtAddr(0x3ff000), 8 * KiB4) == 3 * KiB4);
    CHECK(pt.mapped_bytes(VirtAddr(0x800000), MiB2) == 0);
    CHECK(pt.mapped_bytes(VirtAddr(0x400001), KiB4) == 0); // a range map() would refuse
}

TEST_CASE("page_table: adopt an existing root, then destroy frees every table", "[page_table]") {
    FakeAllocator mem(64);
    PageTable built = make_table(mem);
    REQUIRE(built.map(VirtAddr(0x1000), PhysAddr(0x5000), 2 * KiB4, kRw).ok());
    REQUIRE(built.map(VirtAddr(kDirectMap), PhysAddr(0), 3 * MiB2, kRw).ok());
    PageTable adopted(mem, built.root());
    Translation t;
    REQUIRE(adopted.translate(VirtAddr(0x2fff), t));
    REQUIRE(t.phys.value() == 0x6fff);
    REQUIRE(mem.outstanding == 1 + 3 + 2);
    adopted.destroy();
    REQUIRE(mem.outstanding == 0);
    REQUIRE(mem.bad_frees == 0);
}

TEST_CASE("page_table: random map, unmap and protect against a model", "[page_table]") {
    // A 2 GiB window starting at 1 GiB, as 4K pages: entry = phys | present | W | U | NX, 0 = unmapped.
    constexpr u64 kBase = GiB;
    constexpr u64 kPages = 2 * GiB / KiB4;
    constexpr u64 kModelFlags = 1 | 2 | 4 | (1ull << 63);
    FakeAllocator mem(4096);
    PageTable pt = make_table(mem);
    std::vector<u64> model(kPages, 0);
    std::mt19937_64 rng(0x9a9e);
    auto any_mapped = [&](u64 first, u64 n) {
        for (u64 i = first; i < first + n; ++i)
            if (model[i]) return true;
        return false;
    };
    auto all_mapped = [&](u64 first, u64 n) {
        for (u64 i = first; i < first + n; ++i)
            if (!model[i]) return false;
        return true;
    };
    auto random_flags = [&] {
        u64 f = 0;
        if (rng() % 2) f |= 2;
        if (rng() % 4 == 0) f |= 4;
        if (rng() % 2) f |= 1ull << 63;
        return f;
    };
    auto check_page = [&](u64 i) {
        Translation t;
        const bool ok = pt.translate(VirtAddr(kBase + i * KiB4 + 8), t);
        REQUIRE(ok == (model[i] != 0));
        if (ok) {
            REQUIRE(t.phys.value() == (model[i] & ~kModelFlags) + 8);
            REQUIRE((t.flags.raw() & kModelFlags) == (model[i] & kModelFlags));
            const RefTranslation ref = ref_translate(mem, pt.root().value(), kBase + i * KiB4 + 8);
            REQUIRE(ref.phys == t.phys.value());
        }
    };
    usize large_leaves_seen = 0;
    auto full_check = [&] {
        u64 mapped = 0;
        for (u64 e : model) mapped += e ? 1 : 0;
        u64 seen = 0;
        for (const Leaf& l : leaves_of(pt)) {
            REQUIRE(l.virt >= kBase);
            REQUIRE(l.virt + l.size <= kBase + 2 * GiB);
            large_leaves_seen += l.size > KiB4 ? 1 : 0;
            for (u64 o = 0; o < l.size; o += KiB4) {
                const u64 i = (l.virt - kBase + o) / KiB4;
                REQUIRE(model[i] == ((l.phys + o) | (l.flags & kModelFlags)));
                ++seen;
            }
        }
        REQUIRE(seen == mapped);
        // mapped_bytes over the window and over a random part of it.
        REQUIRE(pt.mapped_bytes(VirtAddr(kBase), 2 * GiB) == mapped * KiB4);
        const u64 a = rng() % kPages, n = 1 + rng() % (kPages - a);
        u64 part = 0;
        for (u64 i = a; i < a + n; ++i) part += model[i] ? 1 : 0;
        REQUIRE(pt.mapped_bytes(VirtAddr(kBase + a * KiB4), n * KiB4) == part * KiB4);
    };
    std::vector<std::pair<u64, u64>> mapped_ranges;  // (first page, count) of successful maps
    usize maps = 0, exists = 0, unmaps = 0, protects = 0, not_found = 0;
    for (int op = 0; op < 3000; ++op) {
        const u64 kind = rng() % 100;
        u64 first = 0, n = 0;
        if (kind < 45) {
            // Map with a granule that allows large pages some of the time.
            const u64 g = rng() % 10;
            const u64 granule = g < 6 ? 1 : g < 9 ? 512 : 262144;
            n = granule == 1 ? 1 + rng() % 64 : granule * (1 + rng() % (granule == 512 ? 4 : 1));
            if (granule != 1 && rng() % 3 == 0) n += 1 + rng() % 8;  // a 4K tail
            if (n > kPages) n = kPages;
            first = (rng() % ((kPages - n) / granule + 1)) * granule;
            const u64 phys = ((rng() % 64) * granule + rng() % 3) * KiB4 + (rng() % 4) * GiB;
            const u64 f = random_flags();
            PteFlags flags = PteFlags::from_raw(f);
            const Result<void> r = pt.map(VirtAddr(kBase + first * KiB4), PhysAddr(phys), n * KiB4, flags);
            if (any_mapped(first, n)) {
                REQUIRE(r.error().status == Status::exists);
                ++exists;
            } else {
                REQUIRE(r.ok());
                for (u64 i = 0; i < n; ++i) model[first + i] = (phys + i * KiB4) | f | 1;
                mapped_ranges.push_back({first, n});
                ++maps;
            }
        } else if (kind < 75) {
            n = rng() % 8 == 0 ? 1 + rng() % 300000 : 1 + rng() % 1024;
            if (n > kPages) n = kPages;
            first = rng() % (kPages - n + 1);
            REQUIRE(pt.unmap(VirtAddr(kBase + first * KiB4), n * KiB4).ok());
            for (u64 i = 0; i < n; ++i) model[first + i] = 0;
            ++unmaps;
        } else {
            if (!mapped_ranges.empty() && rng() % 4 != 0) {
                const auto [rf, rn] = mapped_ranges[rng() % mapped_ranges.size()];
                const u64 skip = rng() % rn;
                first = rf + skip;
                n = 1 + rng() % (rn - skip);
            } else {
                n = 1 + rng() % 600;
                first = rng() % (kPages - n + 1);
            }
            const u64 f = random_flags();
            const Result<void> r = pt.protect(VirtAddr(kBase + first * KiB4), n * KiB4, PteFlags::from_raw(f));
            if (all_mapped(first, n)) {
                REQUIRE(r.ok());
                for (u64 i = 0; i < n; ++i) model[first + i] = (model[first + i] & ~kModelFlags) | f | 1;
                ++protects;
            } else {
                REQUIRE(r.error().status == Status::not_found);
                ++not_found;
            }
        }
        // The edges of the operation and random pages.
        for (u64 i : {first, first + n - 1}) check_page(i);
        if (first > 0) check_page(first - 1);
        if (first + n < kPages) check_page(first + n);
        for (int s = 0; s < 16; ++s) check_page(rng() % kPages);
        if (op % 250 == 249) full_check();
    }
    full_check();
    INFO("maps " << maps << " exists " << exists << " unmaps " << unmaps << " protects " << protects
                 << " not_found " << not_found);
    REQUIRE(maps > 100);
    REQUIRE(protects > 50);
    REQUIRE(large_leaves_seen > 0);  // the model was checked against 2M and 1G leaves too
    REQUIRE(pt.unmap(VirtAddr(kBase), 2 * GiB).ok());
    REQUIRE(leaves_of(pt).empty());
    REQUIRE(mem.outstanding == 1);
    REQUIRE(mem.bad_frees == 0);
    pt.destroy();
    REQUIRE(mem.outstanding == 0);
}
