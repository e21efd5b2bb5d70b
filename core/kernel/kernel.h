// The core's global state after boot, for the parts that need it (selftest,
// the module loader).
#pragma once

#include "arch/x86_64/page_table.h"
#include "boot/multiboot2.h"
#include "kernel/boot_options.h"
#include "mm/pmm.h"
#include "mm/range_allocator.h"

namespace celos {

struct KernelState {
    mb2::BootInfo boot_info;
    BootOptions options; // from the command line, parsed once at boot
    PhysicalMemoryManager pmm;
    x86_64::PageTable* page_table = nullptr;
    VirtAddr framebuffer; // the write-combining mapping; 0 when there is none
    RangeAllocator vranges;     // the core's virtual-range window
    RangeAllocator module_area; // where modules are laid out
    RangeAllocator device_ranges; // PCI BAR mappings, after the framebuffer's
    usize table_pages = 0;        // page-table pages in use (the root and those mapped since)
    usize vrange_pages = 0;       // pages mapped in the virtual-range window (kernel_vrange_map)
    usize vrange_count = 0;       // and the ranges they are in
};

KernelState& kernel();

// Kernel image bounds, from the linker script.
extern "C" const char __kernel_start[], __text_start[], __text_end[], __rodata_start[],
    __rodata_end[], __data_start[], __data_end[], __ksyms_start[], __kernel_end[];

} // namespace celos
