// <celos/memory.h>: physical pages and ranges of the core's virtual window,
// each recorded against the calling module and freed when it goes.

#include <celos/abi.h>

#include "abi/caller.h"
#include "arch/x86_64/page_table.h"
#include "boot/layout.h"
#include "kernel/kernel.h"
#include "mm/kernel_vm.h"
#include "module/resources.h"

using namespace celos;

namespace {

x86_64::PteFlags prot_flags(u32 prot) {
    x86_64::PteFlags f;
    if (prot & CELOS_PROT_WRITE) f |= x86_64::PteFlag::writable;
    if (!(prot & CELOS_PROT_EXEC)) f |= x86_64::PteFlag::no_execute;
    return f;
}

void release_pages(int, u64 phys, u64 count) {
    kernel().pmm.free_pages(PhysAddr(phys), count);
}
void release_vrange(int, u64 base, u64 pages) {
    kernel_vrange_unmap(base, pages);
}

} // namespace

extern "C" {

celos_status celos_pages_alloc(size_t count, uint64_t* phys) {
    if (count == 0 || phys == nullptr) return CELOS_ERR_INVALID;
    int owner = CALLER_MODULE();
    auto r = kernel().pmm.alloc_pages(count);
    if (!r.ok()) return CELOS_ERR_NO_MEMORY;
    if (!resource_add(owner, ResourceKind::pages, r.value().value(), count, release_pages)) {
        kernel().pmm.free_pages(r.value(), count);
        return CELOS_ERR_NO_MEMORY;
    }
    *phys = r.value().value();
    return CELOS_OK;
}

void celos_pages_free(uint64_t phys, size_t count) {
    u64 tracked = 0;
    int owner = -2;
    if (!resource_find(ResourceKind::pages, phys, &tracked, &owner) || owner != CALLER_MODULE() ||
        tracked != count || !resource_remove(ResourceKind::pages, phys, &tracked))
        celos_panic("celos_pages_free(0x%llx, %zu): not an allocation of that size by this module",
                    static_cast<unsigned long long>(phys), count);
    kernel().pmm.free_pages(PhysAddr(phys), count);
}

void* celos_phys_to_virt(uint64_t phys) {
    return reinterpret_cast<void*>(DIRECT_MAP_BASE + phys);
}

celos_status celos_vrange_alloc(size_t pages, uint32_t prot, void** out) {
    if (pages == 0 || out == nullptr || (prot & ~7u) != 0) return CELOS_ERR_INVALID;
    if ((prot & CELOS_PROT_WRITE) && (prot & CELOS_PROT_EXEC)) return CELOS_ERR_INVALID; // W^X
    int owner = CALLER_MODULE();
    auto range = kernel_vrange_map(pages, prot_flags(prot));
    if (!range.ok()) return static_cast<celos_status>(range.error().status);
    if (!resource_add(owner, ResourceKind::vrange, range.value(), pages, release_vrange)) {
        kernel_vrange_unmap(range.value(), pages);
        return CELOS_ERR_NO_MEMORY;
    }
    *out = reinterpret_cast<void*>(range.value());
    return CELOS_OK;
}

celos_status celos_vrange_protect(void* base, size_t pages, uint32_t prot) {
    if ((prot & CELOS_PROT_WRITE) && (prot & CELOS_PROT_EXEC)) return CELOS_ERR_INVALID;
    // Only a range this caller got from celos_vrange_alloc, and within it.
    u64 mapped = 0;
    int owner = -2;
    if (!resource_find(ResourceKind::vrange, reinterpret_cast<u64>(base), &mapped, &owner) ||
        owner != CALLER_MODULE() || pages == 0 || pages > mapped)
        return CELOS_ERR_INVALID;
    auto r = kernel_vrange_protect(reinterpret_cast<u64>(base), pages, prot_flags(prot));
    return r.ok() ? CELOS_OK : static_cast<celos_status>(r.error().status);
}

void celos_vrange_free(void* base) {
    u64 pages = 0;
    int owner = -2;
    if (!resource_find(ResourceKind::vrange, reinterpret_cast<u64>(base), nullptr, &owner) ||
        owner != CALLER_MODULE() ||
        !resource_remove(ResourceKind::vrange, reinterpret_cast<u64>(base), &pages))
        celos_panic("celos_vrange_free(%p): not a range this module got from celos_vrange_alloc", base);
    kernel_vrange_unmap(reinterpret_cast<u64>(base), pages);
}

} // extern "C"

CELOS_EXPORT(celos_pages_alloc);
CELOS_EXPORT(celos_pages_free);
CELOS_EXPORT(celos_phys_to_virt);
CELOS_EXPORT(celos_vrange_alloc);
CELOS_EXPORT(celos_vrange_protect);
CELOS_EXPORT(celos_vrange_free);
