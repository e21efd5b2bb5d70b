// The W^X audit (core/mm/wx_audit.cpp) over page tables built on the host
// with the core's own builder: a clean layout passes; a writable+executable
// page, writable module rodata, non-executable text and a hole in a region
// are each reported, naming the region that owns them.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "host_env.h"
#include "mm/wx_audit.h"

using namespace celos;
using namespace celos::x86_64;

namespace {

constexpr u64 kPage = 4096;
constexpr u64 kCore = 0xffffffff80100000ull;
constexpr u64 kModule = 0xffffffffa1234000ull;
constexpr u64 kDirect = 0xffff800000000000ull;
constexpr u64 kVrange = 0xffffd00000010000ull;

class HostTables final : public PageAllocator {
public:
    HostTables() : memory_(static_cast<u8*>(std::aligned_alloc(kPage, kPages * kPage))) { REQUIRE(memory_); }
    ~HostTables() { std::free(memory_); }
    Result<PhysAddr> alloc_table_page() override {
        if (next_ == kPages) return make_error(Status::no_memory, "host tables: full");
        std::memset(memory_ + next_ * kPage, 0, kPage);
        return PhysAddr(kBase + kPage * next_++);
    }
    void free_table_page(PhysAddr) override {}
    void* phys_to_virt(PhysAddr page) override { return memory_ + (page.value() - kBase); }

private:
    static constexpr u64 kBase = 0x40000000;
    static constexpr usize kPages = 64;
    u8* memory_;
    usize next_ = 0;
};

struct Seen {
    std::vector<WxViolation> all;
    std::vector<std::string> owners;
};

void record(void* ctx, const WxViolation& v) {
    auto& s = *static_cast<Seen*>(ctx);
    s.all.push_back(v);
    s.owners.push_back(v.region ? std::string(v.region->owner) + " " + wx_region_kind_name(v.region->kind) : "-");
}

const PteFlags kRx = PteFlags(PteFlag::global);
const PteFlags kRo = PteFlag::no_execute | PteFlag::global;
const PteFlags kRw = PteFlag::writable | PteFlag::no_execute;

struct Layout {
    HostTables mem;
    PageTable pt = PageTable::create(mem).value();
    std::vector<WxRegion> regions = {
        {"core", WxRegionKind::text, kCore, kCore + 4 * kPage},
        {"core", WxRegionKind::rodata, kCore + 4 * kPage, kCore + 6 * kPage},
        {"core", WxRegionKind::data, kCore + 6 * kPage, kCore + 8 * kPage},
        {"mod", WxRegionKind::text, kModule, kModule + 3 * kPage},
        {"mod", WxRegionKind::rodata, kModule + 3 * kPage, kModule + 5 * kPage},
        {"mod", WxRegionKind::data, kModule + 5 * kPage, kModule + 6 * kPage},
    };
    Layout() {
        REQUIRE(pt.map(VirtAddr(kCore), PhysAddr(0x100000), 4 * kPage, kRx, PageSize::size_4k).ok());
        REQUIRE(pt.map(VirtAddr(kCore + 4 * kPage), PhysAddr(0x104000), 2 * kPage, kRo, PageSize::size_4k).ok());
        REQUIRE(pt.map(VirtAddr(kCore + 6 * kPage), PhysAddr(0x106000), 2 * kPage, kRw, PageSize::size_4k).ok());
        REQUIRE(pt.map(VirtAddr(kModule), PhysAddr(0x200000), 3 * kPage, kRx, PageSize::size_4k).ok());
        REQUIRE(pt.map(VirtAddr(kModule + 3 * kPage), PhysAddr(0x203000), 2 * kPage, kRo, PageSize::size_4k).ok());
        REQUIRE(pt.map(VirtAddr(kModule + 5 * kPage), PhysAddr(0x205000), kPage, kRw, PageSize::size_4k).ok());
        REQUIRE(pt.map(VirtAddr(kDirect), PhysAddr(0), 1ull << 30, kRw).ok()); // one 1 GiB page
    }
    WxAuditResult audit(Seen& seen) { return wx_audit(pt, Span<const WxRegion>(regions.data(), regions.size()), record, &seen); }
};

} // namespace

TEST_CASE("wx_audit: a W^X layout passes and every leaf is counted", "[wx_audit]") {
    Layout l;
    Seen seen;
    WxAuditResult r = l.audit(seen);
    CHECK(r.pages == 4 + 2 + 2 + 3 + 2 + 1 + 1);
    CHECK(r.violations == 0);
    CHECK(r.writable_executable == 0);
    CHECK(seen.all.empty());
}

TEST_CASE("wx_audit: a writable and executable page outside every region is found", "[wx_audit]") {
    Layout l;
    REQUIRE(l.pt.map(VirtAddr(kVrange), PhysAddr(0x300000), 2 * kPage, PteFlags(PteFlag::writable), PageSize::size_4k).ok());
    Seen seen;
    WxAuditResult r = l.audit(seen);
    CHECK(r.writable_executable == 2);
    CHECK(r.violations == 2);
    REQUIRE(seen.all.size() == 2);
    CHECK(seen.all[0].virt == VirtAddr(kVrange));
    CHECK(seen.all[1].virt == VirtAddr(kVrange + kPage));
    CHECK(std::string(seen.all[0].problem) == "writable and executable");
    CHECK(seen.all[0].region == nullptr);
    CHECK(seen.all[0].flags.has(PteFlag::writable));
    CHECK_FALSE(seen.all[0].flags.has(PteFlag::no_execute));
}

TEST_CASE("wx_audit: module rodata made writable, text made NX or W+X, each named", "[wx_audit]") {
    Layout l;
    REQUIRE(l.pt.protect(VirtAddr(kModule + 4 * kPage), kPage, kRw).ok());                 // rodata writable
    REQUIRE(l.pt.protect(VirtAddr(kModule + kPage), kPage, kRo).ok());                     // text NX
    REQUIRE(l.pt.protect(VirtAddr(kCore), kPage, PteFlags(PteFlag::writable)).ok());       // core text W+X
    Seen seen;
    WxAuditResult r = l.audit(seen);
    CHECK(r.violations == 3);
    CHECK(r.writable_executable == 1);
    REQUIRE(seen.all.size() == 3);
    // Walk order is address order: core first.
    CHECK(std::string(seen.all[0].problem) == "writable and executable");
    CHECK(seen.owners[0] == "core text");
    CHECK(std::string(seen.all[1].problem) == "text is not executable");
    CHECK(seen.owners[1] == "mod text");
    CHECK(seen.all[1].virt == VirtAddr(kModule + kPage));
    CHECK(std::string(seen.all[2].problem) == "rodata is writable");
    CHECK(seen.owners[2] == "mod rodata");
    CHECK(seen.all[2].virt == VirtAddr(kModule + 4 * kPage));
}

TEST_CASE("wx_audit: executable data and executable rodata are found", "[wx_audit]") {
    Layout l;
    REQUIRE(l.pt.protect(VirtAddr(kModule + 3 * kPage), kPage, PteFlags(PteFlag::global)).ok()); // rodata RX
    Seen seen;
    CHECK(l.audit(seen).violations == 1);
    REQUIRE(seen.all.size() == 1);
    CHECK(std::string(seen.all[0].problem) == "rodata is executable");
    l.regions.push_back({"mod", WxRegionKind::data, kVrange, kVrange + kPage});
    REQUIRE(l.pt.map(VirtAddr(kVrange), PhysAddr(0x300000), kPage, PteFlags(), PageSize::size_4k).ok()); // R+X
    Seen seen2;
    CHECK(l.audit(seen2).violations == 2);
    REQUIRE(seen2.all.size() == 2);
    // Address order: the data page (0xffffd...) before the module's rodata.
    CHECK(std::string(seen2.all[0].problem) == "data is executable");
    CHECK(std::string(seen2.all[1].problem) == "rodata is executable");
}

TEST_CASE("wx_audit: a region with an unmapped page is reported", "[wx_audit]") {
    Layout l;
    REQUIRE(l.pt.unmap(VirtAddr(kModule + 2 * kPage), kPage).ok());
    Seen seen;
    WxAuditResult r = l.audit(seen);
    CHECK(r.violations == 1);
    REQUIRE(seen.all.size() == 1);
    CHECK(std::string(seen.all[0].problem).find("not mapped") == 0);
    CHECK(seen.owners[0] == "mod text");
}

TEST_CASE("wx_audit: windows: executable in the NX window, anything in the empty one", "[wx_audit]") {
    Layout l;
    l.regions.push_back({"direct map", WxRegionKind::nx_window, kDirect, kDirect + (64ull << 30)});
    l.regions.push_back({"lower half", WxRegionKind::empty_window, 0, 0x0000800000000000ull});
    Seen clean;
    CHECK(l.audit(clean).violations == 0); // windows need not be mapped in whole
    REQUIRE(l.pt.map(VirtAddr(kDirect + (2ull << 30)), PhysAddr(0x80000000), 2 * kPage, kRo, PageSize::size_4k).ok());
    REQUIRE(l.pt.protect(VirtAddr(kDirect + (2ull << 30) + kPage), kPage, PteFlags(PteFlag::global)).ok()); // R+X
    REQUIRE(l.pt.map(VirtAddr(0x100000), PhysAddr(0x100000), kPage, kRo, PageSize::size_4k).ok());
    Seen seen;
    WxAuditResult r = l.audit(seen);
    CHECK(r.violations == 2);
    CHECK(r.writable_executable == 0);
    REQUIRE(seen.all.size() == 2);
    CHECK(seen.all[0].virt == VirtAddr(0x100000));
    CHECK(std::string(seen.all[0].problem) == "mapped in a window that must be empty");
    CHECK(seen.owners[0] == "lower half (empty window)");
    CHECK(seen.all[1].virt == VirtAddr(kDirect + (2ull << 30) + kPage));
    CHECK(std::string(seen.all[1].problem) == "executable in a window that must be NX");
    CHECK(seen.owners[1] == "direct map (NX window)");
}

TEST_CASE("wx_audit: flags are the effective ones: NX in a table entry above covers the leaves", "[wx_audit]") {
    Layout l;
    REQUIRE(l.pt.map(VirtAddr(kVrange), PhysAddr(0x300000), 2 * kPage, PteFlags(PteFlag::writable), PageSize::size_4k).ok());
    Seen seen;
    CHECK(l.audit(seen).writable_executable == 2);
    // Set NX in the page-directory entry above the two W+X leaves.
    u64 table = l.pt.root().value();
    for (int level = 4; level > 2; --level) {
        u64 index = (kVrange >> (12 + 9 * (level - 1))) & 511;
        table = *static_cast<u64*>(l.mem.phys_to_virt(PhysAddr(table + index * 8))) & 0x000ffffffffff000ull;
    }
    u64* pde = static_cast<u64*>(l.mem.phys_to_virt(PhysAddr(table + ((kVrange >> 21) & 511) * 8)));
    *pde |= 1ull << 63;
    Seen after;
    WxAuditResult r = l.audit(after);
    CHECK(r.writable_executable == 0);
    CHECK(r.violations == 0);
}

namespace {

// The audit as it was first written: every region tried for every page, in
// the order given. The reference the region lookup must agree with.
struct RefSeen {
    std::vector<std::string> reports; // "virt region-index problem"
    u64 mapped[64] = {};
    usize pages = 0;
};

void ref_page(RefSeen& s, const std::vector<WxRegion>& regions, u64 begin, u64 size, PteFlags flags) {
    ++s.pages;
    u64 end = begin + size;
    bool wx = flags.has(PteFlag::writable) && !flags.has(PteFlag::no_execute);
    int first = -1;
    for (usize i = 0; i < regions.size(); ++i) {
        const WxRegion& r = regions[i];
        if (end <= r.begin || begin >= r.end) continue;
        if (first < 0) first = int(i);
        u64 a = begin > r.begin ? begin : r.begin, b = end < r.end ? end : r.end;
        s.mapped[i] += b - a;
        bool w = flags.has(PteFlag::writable), nx = flags.has(PteFlag::no_execute);
        const char* problem = nullptr;
        switch (r.kind) {
        case WxRegionKind::text: problem = w ? "text is writable" : nx ? "text is not executable" : nullptr; break;
        case WxRegionKind::rodata: problem = w ? "rodata is writable" : !nx ? "rodata is executable" : nullptr; break;
        case WxRegionKind::data: problem = !nx ? "data is executable" : nullptr; break;
        case WxRegionKind::nx_window: problem = !nx ? "executable in a window that must be NX" : nullptr; break;
        case WxRegionKind::empty_window: problem = "mapped in a window that must be empty"; break;
        }
        if (problem && !wx) s.reports.push_back(std::to_string(begin) + " " + std::to_string(i) + " " + problem);
    }
    if (wx) s.reports.push_back(std::to_string(begin) + " " + std::to_string(first) + " writable and executable");
}

struct Reports {
    const std::vector<WxRegion>* regions;
    std::vector<std::string> all;
};

void record_index(void* ctx, const WxViolation& v) {
    auto& r = *static_cast<Reports*>(ctx);
    long index = v.region ? long(v.region - r.regions->data()) : -1;
    r.all.push_back(std::to_string(v.virt.value()) + " " + std::to_string(index) + " " + v.problem);
}

} // namespace

TEST_CASE("wx_audit: overlapping regions in any order, against the audit that tries every region", "[wx_audit]") {
    std::srand(0x3a7);
    for (int round = 0; round < 200; ++round) {
        HostTables mem;
        PageTable pt = PageTable::create(mem).value();
        constexpr u64 kBase = 0xffffffffa0000000ull;
        constexpr u64 kSpan = 64; // pages
        const PteFlags kinds[] = {kRx, kRo, kRw, PteFlags(PteFlag::writable)};
        std::vector<std::pair<u64, PteFlags>> pages;
        for (u64 p = 0; p < kSpan; ++p) {
            if (std::rand() % 3 == 0) continue;
            PteFlags f = kinds[std::rand() % 4];
            REQUIRE(pt.map(VirtAddr(kBase + p * kPage), PhysAddr(0x100000 + p * kPage), kPage, f, PageSize::size_4k).ok());
            pages.push_back({kBase + p * kPage, f});
        }
        std::vector<WxRegion> regions;
        const int n = 1 + std::rand() % 12;
        for (int i = 0; i < n; ++i) {
            u64 a = std::rand() % kSpan, b = a + 1 + std::rand() % (kSpan - a);
            regions.push_back({"r", WxRegionKind(std::rand() % 5), kBase + a * kPage, kBase + b * kPage});
        }
        RefSeen ref;
        for (const auto& page : pages) {
            Translation t; // the effective flags, as the walk gives them
            REQUIRE(pt.translate(VirtAddr(page.first), t));
            ref_page(ref, regions, page.first, kPage, t.flags);
        }
        for (usize i = 0; i < regions.size(); ++i) {
            const WxRegion& r = regions[i];
            bool window = r.kind == WxRegionKind::nx_window || r.kind == WxRegionKind::empty_window;
            if (!window && ref.mapped[i] < r.end - r.begin)
                ref.reports.push_back(std::to_string(r.begin) + " " + std::to_string(i) + " not mapped (in part or whole)");
        }
        Reports got{&regions, {}};
        WxAuditResult result = wx_audit(pt, Span<const WxRegion>(regions.data(), regions.size()), record_index, &got);
        REQUIRE(result.pages == ref.pages);
        REQUIRE(got.all == ref.reports);
    }
}
