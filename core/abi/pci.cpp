// <celos/pci.h>: PCI functions, their configuration space, BARs and BAR
// mappings in the device window (0xffffc00000000000...), each mapping a
// resource of the calling module.

#include <celos/abi.h>
#include <celos/pci.h>

#include "abi/caller.h"
#include "boot/layout.h"
#include "kernel/kernel.h"
#include "lib/assert.h"
#include "lib/irq.h"
#include "log/log.h"
#include "module/resources.h"
#include "pci/pci_bus.h"

using namespace celos;

namespace {

void fill(const pci::Function& f, celos_pci_device* out) {
    *out = celos_pci_device{};
    out->bus = f.address.bus;
    out->slot = f.address.device;
    out->function = f.address.function;
    out->header_type = f.header_type;
    out->vendor_id = f.vendor_id;
    out->device_id = f.device_id;
    out->class_code = f.class_code;
    out->subclass = f.subclass;
    out->prog_if = f.prog_if;
    out->revision = f.revision;
    out->subsystem_vendor = f.subsystem_vendor;
    out->subsystem_id = f.subsystem_id;
    out->interrupt_line = f.interrupt_line;
}

// The scanned function a module's struct names (a module cannot reach a
// bus/slot/function the scan did not find).
const pci::Function* lookup(const celos_pci_device* d) {
    if (!d) return nullptr;
    return pci::bus_find(pci::Address{d->bus, d->slot, d->function});
}

void log_device_error(const pci::Function& f, const char* what, const char* check) {
    log_error("pci %02x:%02x.%u (%04x:%04x): %s: %s", f.address.bus, f.address.device, f.address.function,
              f.vendor_id, f.device_id, what, check);
}

// RAM (as the memory map gives it) and the core's image: no BAR may lie there.
usize reserved_ranges(pci::Range* out, usize max) {
    const mb2::BootInfo& bi = kernel().boot_info;
    usize n = 0;
    for (usize i = 0; i < bi.memory_count && n + 1 < max; ++i) {
        u32 t = bi.memory[i].type;
        if (t != static_cast<u32>(mb2::MemoryType::available) &&
            t != static_cast<u32>(mb2::MemoryType::acpi_reclaimable) &&
            t != static_cast<u32>(mb2::MemoryType::acpi_nvs))
            continue;
        out[n++] = {bi.memory[i].base.value(), bi.memory[i].base.value() + bi.memory[i].length};
    }
    out[n++] = {reinterpret_cast<u64>(__kernel_start) - KERNEL_VMA,
                reinterpret_cast<u64>(__kernel_end) - KERNEL_VMA};
    return n;
}

// BARs as probed, once per function and BAR. Sizing a BAR turns the
// device's decoding off and back on, which QEMU answers by rebuilding its
// memory map (about 0.3 ms each under emulation; bochs' start asked for its
// two BARs four times, 3 ms of the boot). A configuration write to a
// function's BAR registers forgets its BARs (celos_pci_config_write).
struct ProbedBar {
    bool probed = false;
    bool ok = false;
    pci::Bar bar;
    Error error;
};
ProbedBar probed_bars[pci::kMaxFunctions][pci::kBarCount];
u64 probes = 0; // bar_probe calls (the selftest counts them)

ProbedBar* probed_slot(const pci::Function& f, u32 index) {
    usize count = 0;
    const pci::Function* all = pci::bus_functions(&count);
    if (&f < all || &f >= all + count || count > pci::kMaxFunctions || index >= pci::kBarCount) return nullptr;
    return &probed_bars[&f - all][index];
}

Result<pci::Bar> probe_once(const pci::Function& f, u32 index) {
    ProbedBar* slot = probed_slot(f, index);
    if (slot && slot->probed) {
        if (slot->ok) return slot->bar;
        return slot->error;
    }
    auto bar = pci::bar_probe(pci::bus_access(), f.address, index);
    ++probes;
    if (slot) {
        slot->probed = true;
        slot->ok = bar.ok();
        if (bar.ok())
            slot->bar = bar.value();
        else
            slot->error = bar.error();
    }
    return bar;
}

Result<pci::Bar> checked_bar(const pci::Function& f, u32 index) {
    auto bar = probe_once(f, index);
    if (!bar.ok()) return bar.error();
    pci::Range reserved[mb2::kMaxMemoryRegions + 1];
    usize n = reserved_ranges(reserved, mb2::kMaxMemoryRegions + 1);
    auto placed = pci::bar_check_placement(bar.value(), reserved, n);
    if (!placed.ok()) return placed.error();
    return bar;
}

const char* bar_name(u32 index) {
    static const char* names[] = {"BAR 0", "BAR 1", "BAR 2", "BAR 3", "BAR 4", "BAR 5"};
    return index < 6 ? names[index] : "BAR ?";
}

struct Mapping {
    u64 virt, pages;
};

void release_mapping(int, u64 virt, u64 pages) {
    IrqGuard guard;
    auto r = kernel().page_table->unmap(VirtAddr(virt), pages * kPageSize);
    if (!r.ok())
        panic("pci: cannot unmap a BAR at 0x%llx: %s", static_cast<unsigned long long>(virt),
              r.error().check);
    for (u64 i = 0; i < pages; ++i)
        asm volatile("invlpg (%0)" ::"r"(virt + i * kPageSize) : "memory");
    kernel().device_ranges.free(virt, pages * kPageSize);
}

} // namespace

namespace celos::pci {
u64 bar_probes() { return probes; }
} // namespace celos::pci

extern "C" {

celos_status celos_pci_find(uint16_t vendor_id, uint16_t device_id, uint32_t index,
                            struct celos_pci_device* out) {
    if (!out) return CELOS_ERR_INVALID;
    usize n = 0;
    const pci::Function* f = pci::bus_functions(&n);
    for (usize i = 0; i < n; ++i) {
        if (vendor_id != CELOS_PCI_ANY && f[i].vendor_id != vendor_id) continue;
        if (device_id != CELOS_PCI_ANY && f[i].device_id != device_id) continue;
        if (index-- == 0) {
            fill(f[i], out);
            return CELOS_OK;
        }
    }
    return CELOS_ERR_NOT_FOUND;
}

celos_status celos_pci_find_class(uint8_t class_code, uint8_t subclass, uint32_t index,
                                  struct celos_pci_device* out) {
    if (!out) return CELOS_ERR_INVALID;
    usize n = 0;
    const pci::Function* f = pci::bus_functions(&n);
    for (usize i = 0; i < n; ++i) {
        if (f[i].class_code != class_code || (subclass != 0xFF && f[i].subclass != subclass)) continue;
        if (index-- == 0) {
            fill(f[i], out);
            return CELOS_OK;
        }
    }
    return CELOS_ERR_NOT_FOUND;
}

celos_status celos_pci_config_read(const struct celos_pci_device* device, uint32_t offset, uint32_t size,
                                   uint32_t* value) {
    const pci::Function* f = lookup(device);
    if (!f || !value || (size != 1 && size != 2 && size != 4) || offset >= 256 || offset % size)
        return CELOS_ERR_INVALID;
    *value = pci::read(pci::bus_access(), f->address, u16(offset), size);
    return CELOS_OK;
}

celos_status celos_pci_config_write(const struct celos_pci_device* device, uint32_t offset, uint32_t size,
                                    uint32_t value) {
    const pci::Function* f = lookup(device);
    if (!f || (size != 1 && size != 2 && size != 4) || offset >= 256 || offset % size)
        return CELOS_ERR_INVALID;
    pci::write(pci::bus_access(), f->address, u16(offset), size, value);
    if (offset < pci::kBar0 + 4 * pci::kBarCount && offset + size > pci::kBar0) // a BAR may have moved
        for (u32 i = 0; i < pci::kBarCount; ++i)
            if (ProbedBar* slot = probed_slot(*f, i)) *slot = ProbedBar{};
    return CELOS_OK;
}

celos_status celos_pci_bar_get(const struct celos_pci_device* device, uint32_t index,
                               struct celos_pci_bar* out) {
    const pci::Function* f = lookup(device);
    if (!f || !out || index >= pci::kBarCount) return CELOS_ERR_INVALID;
    if (f->header_type != 0) return CELOS_ERR_UNSUPPORTED;
    auto bar = checked_bar(*f, index);
    if (!bar.ok()) {
        if (bar.error().status != Status::not_found) log_device_error(*f, bar_name(index), bar.error().check);
        return static_cast<celos_status>(bar.error().status);
    }
    const pci::Bar& b = bar.value();
    out->base = b.base;
    out->size = b.size;
    out->flags = b.kind == pci::BarKind::io ? CELOS_PCI_BAR_IO : CELOS_PCI_BAR_MEMORY;
    if (b.kind == pci::BarKind::memory64) out->flags |= CELOS_PCI_BAR_64BIT;
    if (b.prefetchable) out->flags |= CELOS_PCI_BAR_PREFETCHABLE;
    out->reserved = 0;
    return CELOS_OK;
}

constexpr u64 kLargePage = 2ull << 20;

celos_status celos_pci_map_bar(const struct celos_pci_device* device, uint32_t index, uint64_t offset,
                               uint64_t size, uint32_t how, void** out) {
    const pci::Function* f = lookup(device);
    if (!f || !out || index >= pci::kBarCount || size == 0 ||
        (how != CELOS_PCI_MAP_UNCACHED && how != CELOS_PCI_MAP_WRITE_COMBINING))
        return CELOS_ERR_INVALID;
    if (f->header_type != 0) return CELOS_ERR_UNSUPPORTED;
    auto bar = checked_bar(*f, index);
    if (!bar.ok()) {
        log_device_error(*f, bar_name(index), bar.error().check);
        return static_cast<celos_status>(bar.error().status);
    }
    const pci::Bar& b = bar.value();
    if (b.kind == pci::BarKind::io) {
        log_device_error(*f, bar_name(index), "an I/O BAR cannot be mapped");
        return CELOS_ERR_INVALID;
    }
    if (offset > b.size || size > b.size - offset) {
        log_device_error(*f, bar_name(index), "the range to map lies outside the BAR");
        return CELOS_ERR_RANGE;
    }
    u64 phys = b.base + offset;
    u64 begin = phys & ~(kPageSize - 1);
    u64 end = (phys + size + kPageSize - 1) & ~(kPageSize - 1);
    u64 pages = (end - begin) / kPageSize;
    int owner = CALLER_MODULE();
    IrqGuard guard;
    // A BAR of 2 MiB or more at a 2 MiB boundary (a framebuffer) gets 2 MiB
    // pages at a virtual address aligned alike: mapping a 16 MiB BAR in
    // 4 KiB pages took about 1.5 ms under QEMU. The PAT index bits used
    // here (PWT, PCD) sit at the same place in both kinds of entry.
    const bool large = end - begin >= kLargePage && begin % kLargePage == 0;
    auto virt = kernel().device_ranges.allocate(end - begin, large ? kLargePage : kPageSize);
    if (!virt.ok()) return CELOS_ERR_NO_MEMORY;
    x86_64::PteFlags flags =
        x86_64::PteFlag::writable | x86_64::PteFlag::no_execute | x86_64::PteFlag::global;
    // PAT entry 1 is write-combining (PWT alone); PCD|PWT is entry 3, uncached.
    flags |= x86_64::PteFlag::write_through;
    if (how == CELOS_PCI_MAP_UNCACHED) flags |= x86_64::PteFlag::cache_disable;
    auto mapped = kernel().page_table->map(VirtAddr(virt.value()), PhysAddr(begin), end - begin, flags,
                                           large ? x86_64::PageSize::size_2m : x86_64::PageSize::size_4k);
    if (!mapped.ok()) {
        (void)kernel().page_table->unmap(VirtAddr(virt.value()), end - begin);
        kernel().device_ranges.free(virt.value(), end - begin);
        return CELOS_ERR_NO_MEMORY;
    }
    if (!resource_add(owner, ResourceKind::device_mapping, virt.value(), pages, release_mapping)) {
        release_mapping(owner, virt.value(), pages);
        return CELOS_ERR_NO_MEMORY;
    }
    *out = reinterpret_cast<void*>(virt.value() + (phys - begin));
    return CELOS_OK;
}

celos_status celos_pci_unmap(void* mapping) {
    u64 base = reinterpret_cast<u64>(mapping) & ~(kPageSize - 1);
    u64 pages = 0;
    int owner = -2;
    if (!resource_find(ResourceKind::device_mapping, base, &pages, &owner) || owner != CALLER_MODULE())
        return CELOS_ERR_INVALID;
    resource_remove(ResourceKind::device_mapping, base, &pages);
    release_mapping(owner, base, pages);
    return CELOS_OK;
}

celos_status celos_pci_enable(const struct celos_pci_device* device, uint32_t what) {
    const pci::Function* f = lookup(device);
    if (!f || (what & ~7u)) return CELOS_ERR_INVALID;
    u32 command = pci::read(pci::bus_access(), f->address, pci::kCommand, 2);
    if (what & CELOS_PCI_ENABLE_IO) command |= pci::kCommandIo;
    if (what & CELOS_PCI_ENABLE_MEMORY) command |= pci::kCommandMemory;
    if (what & CELOS_PCI_ENABLE_BUS_MASTER) command |= pci::kCommandBusMaster;
    pci::write(pci::bus_access(), f->address, pci::kCommand, 2, command);
    return CELOS_OK;
}

celos_status celos_pci_capability(const struct celos_pci_device* device, uint8_t id, uint8_t after,
                                  uint8_t* offset) {
    const pci::Function* f = lookup(device);
    if (!f || !offset) return CELOS_ERR_INVALID;
    auto r = pci::capability_find(pci::bus_access(), f->address, id, after);
    if (!r.ok()) {
        if (r.error().status != Status::not_found) log_device_error(*f, "capabilities", r.error().check);
        return static_cast<celos_status>(r.error().status);
    }
    *offset = r.value();
    return CELOS_OK;
}

} // extern "C"

CELOS_EXPORT(celos_pci_find);
CELOS_EXPORT(celos_pci_find_class);
CELOS_EXPORT(celos_pci_config_read);
CELOS_EXPORT(celos_pci_config_write);
CELOS_EXPORT(celos_pci_bar_get);
CELOS_EXPORT(celos_pci_map_bar);
CELOS_EXPORT(celos_pci_unmap);
CELOS_EXPORT(celos_pci_enable);
CELOS_EXPORT(celos_pci_capability);
