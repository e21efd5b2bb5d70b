#include "mm/kernel_vm.h"

#include "arch/x86_64/cpu.h"
#include "boot/layout.h"
#include "kernel/kernel.h"
#include "lib/assert.h"
#include "lib/irq.h"

namespace celos {

using namespace x86_64;

void flush_range(u64 address, u64 pages) {
    if (pages > 64) {
        write_cr3(read_cr3());
        return;
    }
    for (u64 i = 0; i < pages; ++i) invlpg(address + i * kPageSize);
}

Result<void> map_fresh_pages(u64 address, u64 pages, PteFlags flags) {
    KernelState& k = kernel();
    for (u64 i = 0; i < pages; ++i) {
        auto frame = k.pmm.alloc_pages(1);
        Result<void> mapped = frame.ok() ? k.page_table->map(VirtAddr(address + i * kPageSize), frame.value(), kPageSize,
                                                             flags | PteFlag::global, PageSize::size_4k)
                                         : Result<void>(frame.error());
        if (!mapped.ok()) {
            if (frame.ok()) k.pmm.free_pages(frame.value(), 1);
            unmap_and_free_pages(address, i);
            return mapped.error();
        }
        u64* words = reinterpret_cast<u64*>(DIRECT_MAP_BASE + frame.value().value());
        for (usize w = 0; w < kPageSize / 8; ++w) words[w] = 0;
    }
    return {};
}

void unmap_and_free_pages(u64 address, u64 pages) {
    KernelState& k = kernel();
    for (u64 i = 0; i < pages; ++i) {
        Translation t;
        if (k.page_table->translate(VirtAddr(address + i * kPageSize), t)) k.pmm.free_pages(t.phys, 1);
    }
    if (pages == 0) return;
    auto r = k.page_table->unmap(VirtAddr(address), pages * kPageSize);
    if (!r.ok()) panic("kernel vm: cannot unmap 0x%llx: %s", static_cast<unsigned long long>(address), r.error().check);
    flush_range(address, pages);
}

Result<u64> kernel_vrange_map(u64 pages, PteFlags flags) {
    IrqGuard guard;
    KernelState& k = kernel();
    u64 guard_page = TRY(k.vranges.allocate((pages + 1) * kPageSize));
    u64 base = guard_page + kPageSize;
    auto mapped = map_fresh_pages(base, pages, flags);
    if (!mapped.ok()) {
        k.vranges.free(guard_page, (pages + 1) * kPageSize);
        return mapped.error();
    }
    k.vrange_pages += pages;
    ++k.vrange_count;
    return base;
}

void kernel_vrange_unmap(u64 base, u64 pages) {
    IrqGuard guard;
    KernelState& k = kernel();
    unmap_and_free_pages(base, pages);
    k.vranges.free(base - kPageSize, (pages + 1) * kPageSize);
    k.vrange_pages -= pages;
    --k.vrange_count;
}

Result<void> kernel_vrange_protect(u64 base, u64 pages, PteFlags flags) {
    IrqGuard guard;
    TRY(kernel().page_table->protect(VirtAddr(base), pages * kPageSize, flags | PteFlag::global));
    flush_range(base, pages);
    return {};
}

} // namespace celos
