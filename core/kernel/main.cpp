// The core's boot path after the jump to the higher half: early setup on the
// boot stack (kernel_early_main), then the rest on a guarded kernel stack
// (kernel_main). docs/architecture.md describes the steps.

#include <celos/heap.h>
#include <celos/service.h>

#include "arch/cpu.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/interrupts.h"
#include "arch/x86_64/serial.h"
#include "arch/x86_64/timer.h"
#include "kernel/tasks.h"
#include "boot/layout.h"
#include "kernel/boot_screen.h"
#include "kernel/bootfb.h"
#include "kernel/kernel.h"
#include "kernel/stacks.h"
#include "kernel/symbolize.h"
#include "kernel/taint.h"
#include "kernel/wx_check.h"
#include "ktest/ktest.h"
#include "lib/assert.h"
#include "lib/string_view.h"
#include "module/integrity.h"
#include "module/module.h"
#include "log/log.h"
#include "mm/kaslr.h"
#include "mm/kernel_vm.h"

extern "C" celos::u8 boot_stack_bottom[], boot_stack_top[];
extern "C" uintptr_t __stack_chk_guard;
extern "C" void (*const __init_array_start[])();
extern "C" void (*const __init_array_end[])();
extern "C" [[noreturn]] void switch_stack_and_call(celos::u64 stack_top, void (*fn)());

namespace celos {
namespace {

using namespace x86_64;

constexpr u64 kKernelStackPages = 16;  // 64 KiB
constexpr u64 kIstStackPages = 4;      // 16 KiB
constexpr u64 kEarlyMapLimit = 4ull << 30; // what entry.S maps at the direct map

KernelState state;

constexpr u64 phys_of_image(const void* p) { return reinterpret_cast<u64>(p) - KERNEL_VMA; }
inline void* direct_map(PhysAddr p) { return reinterpret_cast<void*>(p.value() + DIRECT_MAP_BASE); }

// Page-table pages come from the PMM and are reached through the direct map.
class PmmTableAllocator final : public PageAllocator {
public:
    explicit PmmTableAllocator(PhysicalMemoryManager& pmm) : pmm_(pmm) {}
    Result<PhysAddr> alloc_table_page() override {
        PhysAddr page = TRY(pmm_.alloc_pages(1));
        u64* words = static_cast<u64*>(direct_map(page));
        for (usize i = 0; i < kPageSize / 8; ++i) words[i] = 0;
        ++state.table_pages;
        return page;
    }
    void free_table_page(PhysAddr page) override {
        pmm_.free_pages(page, 1);
        --state.table_pages;
    }
    void* phys_to_virt(PhysAddr page) override { return direct_map(page); }

private:
    PhysicalMemoryManager& pmm_;
};

PmmTableAllocator* table_allocator;
alignas(PageTable) u8 page_table_storage[sizeof(PageTable)];
alignas(PmmTableAllocator) u8 table_allocator_storage[sizeof(PmmTableAllocator)];


[[gnu::no_stack_protector]] void stack_protector_init() {
    u64 v = arch::entropy64();
    v &= ~0xffull; // a zero low byte stops string overflows from copying the canary
    __stack_chk_guard = v ? v : 0x1d5e9a0000000000ull;
}

void run_global_constructors() {
    for (auto* fn = __init_array_start; fn != __init_array_end; ++fn) (*fn)();
}

void enable_sse() {
    // SDM vol. 3, 13.1.4: CR0.EM off, CR0.MP on; CR4.OSFXSR and OSXMMEXCPT on.
    write_cr0((read_cr0() & ~(1ull << 2)) | (1ull << 1));
    write_cr4(read_cr4() | (1ull << 9) | (1ull << 10));
}

void check_cpu(const CpuFeatures& f) {
    if (!f.nx) panic("cpu: no NX (execute-disable) support; CelOS needs it for W^X mappings");
    if (!f.sse2 || !f.fxsr) panic("cpu: no SSE2/FXSR support");
    if (!f.pat) panic("cpu: no PAT support; the framebuffer needs write-combining");
    log_info("cpu: nx rdrand=%s 1g-pages=%s tsc %llu MHz", f.rdrand ? "yes" : "no", f.pdpe1gb ? "yes" : "no",
             static_cast<unsigned long long>(tsc_frequency_hz() / 1000000));
}

void parse_boot_information(u32 magic, u64 info_phys) {
    if (magic != mb2::kBootloaderMagic)
        panic("multiboot2: bad boot loader magic 0x%08x (want 0x%08x): not started by a Multiboot2 loader",
              magic, mb2::kBootloaderMagic);
    if (info_phys == 0 || info_phys % 8 != 0 || info_phys + 8 > kEarlyMapLimit)
        panic("multiboot2: boot information address 0x%llx is null, unaligned or above 4 GiB",
              static_cast<unsigned long long>(info_phys));
    const u8* info = static_cast<const u8*>(direct_map(PhysAddr(info_phys)));
    u32 total_size = load_le<u32>(info);
    // Hand the parser no more than what is mapped: it checks total_size.
    u64 readable = total_size;
    if (info_phys + readable > kEarlyMapLimit) readable = kEarlyMapLimit - info_phys;
    auto parsed = mb2::parse(ByteSpan(info, readable), state.boot_info);
    if (!parsed.ok())
        panic("multiboot2: malformed boot information: %s (tag type %u at offset %u)", parsed.error().check,
              parsed.error().tag_type, parsed.error().offset);
}

void log_boot_information(const mb2::BootInfo& bi) {
    log_info("boot loader: %s", bi.bootloader_name[0] ? bi.bootloader_name : "(unnamed)");
    log_info("command line: '%s'", bi.cmdline);
    // Misused options are reported next to the line itself.
    boot_options_parse(bi.cmdline, state.options,
                       [](void*, const char* message) { log_warn("command line: %s", message); }, nullptr);
    log_set_console_level(static_cast<LogLevel>(boot_options_console_level(state.options)));
    u64 usable = 0;
    for (usize i = 0; i < bi.memory_count; ++i) {
        const mb2::MemoryRegion& r = bi.memory[i];
        log_info("  mem [0x%012llx-0x%012llx) %8llu KiB %s", static_cast<unsigned long long>(r.base.value()),
                 static_cast<unsigned long long>(r.base.value() + r.length),
                 static_cast<unsigned long long>(r.length / 1024), mb2::memory_type_name(r.type));
        if (r.type == static_cast<u32>(mb2::MemoryType::available)) usable += r.length;
    }
    log_info("memory map: %zu regions, %llu MiB usable", bi.memory_count,
             static_cast<unsigned long long>(usable >> 20));
    const mb2::MemoryMapStats& ms = bi.memory_stats;
    if (ms.dropped != 0)
        log_warn(
            "memory map: %zu entries, %zu kept (adjacent merged); %zu available regions (%llu KiB) and %zu "
            "other entries dropped (at most %zu regions)",
            ms.entries, bi.memory_count, ms.dropped_available,
            static_cast<unsigned long long>(ms.dropped_available_bytes / 1024),
            ms.dropped - ms.dropped_available, mb2::kMaxMemoryRegions);
    else if (ms.merged != 0)
        log_info("memory map: %zu entries, %zu after merging adjacent ones of one type", ms.entries,
                 bi.memory_count);
    const mb2::Framebuffer& fb = bi.framebuffer;
    if (!fb.present) {
        log_warn("framebuffer: none given by the boot loader; serial console only");
    } else if (fb.type == mb2::FramebufferType::rgb) {
        log_info("framebuffer: %ux%u, %u bpp, pitch %u, rgb (red %u:%u, green %u:%u, blue %u:%u) at 0x%llx",
                 fb.width, fb.height, fb.bpp, fb.pitch, fb.red_position, fb.red_size, fb.green_position,
                 fb.green_size, fb.blue_position, fb.blue_size, static_cast<unsigned long long>(fb.address.value()));
    } else {
        log_info("framebuffer: %ux%u, %u bpp, pitch %u, %s at 0x%llx", fb.width, fb.height, fb.bpp, fb.pitch,
                 mb2::framebuffer_type_name(fb.type), static_cast<unsigned long long>(fb.address.value()));
    }
    log_info("boot modules: %zu", bi.module_count);
    for (usize i = 0; i < bi.module_count; ++i) {
        const mb2::Module& m = bi.modules[i];
        log_info("  module [0x%llx-0x%llx) '%s'", static_cast<unsigned long long>(m.start.value()),
                 static_cast<unsigned long long>(m.end.value()), m.cmdline);
    }
}

void init_physical_memory(u64 info_phys) {
    const mb2::BootInfo& bi = state.boot_info;
    PhysRange usable[mb2::kMaxMemoryRegions];
    usize usable_count = 0;
    for (usize i = 0; i < bi.memory_count; ++i)
        if (bi.memory[i].type == static_cast<u32>(mb2::MemoryType::available))
            usable[usable_count++] = {bi.memory[i].base, bi.memory[i].base + bi.memory[i].length};

    PhysRange reserved[mb2::kMaxModules + 3];
    usize reserved_count = 0;
    reserved[reserved_count++] = {PhysAddr(0), PhysAddr(1ull << 20)}; // real-mode area, BIOS data
    reserved[reserved_count++] = {PhysAddr(phys_of_image(__kernel_start)), PhysAddr(phys_of_image(__kernel_end))};
    reserved[reserved_count++] = {PhysAddr(info_phys), PhysAddr(info_phys + bi.total_size)};
    for (usize i = 0; i < bi.module_count; ++i) reserved[reserved_count++] = {bi.modules[i].start, bi.modules[i].end};

    auto result = state.pmm.init(Span<const PhysRange>(usable, usable_count),
                                 Span<const PhysRange>(reserved, reserved_count), DIRECT_MAP_BASE);
    if (!result.ok()) panic("pmm: cannot set up physical memory: %s", result.error().check);
    log_info("pmm: %zu free pages (%zu MiB) of %zu usable", state.pmm.free_page_count(),
             state.pmm.free_page_count() >> 8, state.pmm.total_page_count());
}

// PAT entry 1 (selected by PWT alone) becomes write-combining; the others
// keep their power-on values (SDM vol. 3, 12.12.4).
void program_pat() {
    u64 pat = rdmsr(kMsrPat);
    pat = (pat & ~0xff00ull) | (0x01ull << 8);
    wrmsr(kMsrPat, pat);
}
constexpr PteFlags kWriteCombining = PteFlag::write_through;

void map_or_panic(PageTable& table, const char* what, VirtAddr virt, PhysAddr phys, u64 size, PteFlags flags,
                  PageSize max_page = PageSize::size_1g) {
    auto r = table.map(virt, phys, size, flags, max_page);
    if (!r.ok())
        panic("paging: cannot map %s at 0x%llx (%llu bytes): %s", what, static_cast<unsigned long long>(virt.value()),
              static_cast<unsigned long long>(size), r.error().check);
}

// The direct map covers RAM (available and ACPI regions), merged and rounded
// out to pages; device memory is mapped separately with its own caching. The
// boot information and the modules are read through it too, so their ranges
// are added: they stay reachable even in a RAM region the parser had to drop
// from a memory map over kMaxMemoryRegions entries.
u64 map_direct_map(PageTable& table, bool huge_pages, u64 info_phys) {
    const mb2::BootInfo& bi = state.boot_info;
    PhysRange ranges[mb2::kMaxMemoryRegions + mb2::kMaxModules + 1];
    usize n = 0;
    auto add = [&](u64 base, u64 end) {
        u64 b = align_down(base, kPageSize);
        u64 e = align_up(end, kPageSize);
        // Insertion sort by base.
        usize j = n++;
        while (j > 0 && ranges[j - 1].begin.value() > b) {
            ranges[j] = ranges[j - 1];
            --j;
        }
        ranges[j] = {PhysAddr(b), PhysAddr(e)};
    };
    for (usize i = 0; i < bi.memory_count; ++i) {
        u32 t = bi.memory[i].type;
        if (t != static_cast<u32>(mb2::MemoryType::available) &&
            t != static_cast<u32>(mb2::MemoryType::acpi_reclaimable) &&
            t != static_cast<u32>(mb2::MemoryType::acpi_nvs))
            continue;
        add(bi.memory[i].base.value(), bi.memory[i].base.value() + bi.memory[i].length);
    }
    add(info_phys, info_phys + bi.total_size);
    for (usize i = 0; i < bi.module_count; ++i)
        add(bi.modules[i].start.value(), bi.modules[i].end.value());
    u64 mapped = 0;
    PageSize max_page = huge_pages ? PageSize::size_1g : PageSize::size_2m;
    for (usize i = 0; i < n;) {
        PhysRange r = ranges[i++];
        while (i < n && ranges[i].begin <= r.end) {
            if (ranges[i].end > r.end) r.end = ranges[i].end;
            ++i;
        }
        map_or_panic(table, "the direct map", VirtAddr(DIRECT_MAP_BASE + r.begin.value()), r.begin, r.size(),
                     PteFlag::writable | PteFlag::no_execute | PteFlag::global, max_page);
        mapped += r.size();
    }
    return mapped;
}

void map_core_image(PageTable& table) {
    struct Section {
        const char* name;
        const char* begin;
        const char* end;
        PteFlags flags;
    } sections[] = {
        {"core text", __text_start, __text_end, PteFlags(PteFlag::global)},
        {"core rodata", __rodata_start, __rodata_end, PteFlag::no_execute | PteFlag::global},
        {"core data", __data_start, __data_end, PteFlag::writable | PteFlag::no_execute | PteFlag::global},
        {"core symbols", __ksyms_start, __kernel_end, PteFlag::no_execute | PteFlag::global},
    };
    for (const Section& s : sections) {
        u64 size = static_cast<u64>(s.end - s.begin);
        if (size == 0) continue;
        map_or_panic(table, s.name, VirtAddr(s.begin), PhysAddr(phys_of_image(s.begin)), size, s.flags,
                     PageSize::size_4k);
    }
}

void map_framebuffer(PageTable& table) {
    mb2::Framebuffer& fb = state.boot_info.framebuffer;
    if (!fb.present) return;
    u64 begin = align_down(fb.address.value(), kPageSize);
    u64 end = align_up(fb.address.value() + static_cast<u64>(fb.pitch) * fb.height, kPageSize);
    map_or_panic(table, "the framebuffer", VirtAddr(DEVICE_MAP_BASE), PhysAddr(begin), end - begin,
                 PteFlag::writable | PteFlag::no_execute | kWriteCombining);
    state.framebuffer = VirtAddr(DEVICE_MAP_BASE + (fb.address.value() - begin));
    log_info("framebuffer: %llu KiB mapped write-combining at 0x%llx",
             static_cast<unsigned long long>((end - begin) / 1024),
             static_cast<unsigned long long>(state.framebuffer.value()));
}

// A stack in the virtual-range area with an unmapped guard page below it.
u64 map_guarded_stack(const char* name, u64 pages) {
    auto base = kernel_vrange_map(pages, PteFlag::writable | PteFlag::no_execute);
    if (!base.ok()) panic("stacks: cannot map the %s stack: %s", name, base.error().check);
    stacks_register({name, base.value(), base.value() + pages * kPageSize, base.value() - kPageSize});
    return base.value() + pages * kPageSize;
}

struct Stacks {
    u64 kernel_top;
    u64 ist_tops[3];
};

Stacks build_address_space(u64 info_phys) {
    const CpuFeatures features = detect_cpu_features();
    program_pat();
    table_allocator = new (table_allocator_storage) PmmTableAllocator(state.pmm);
    auto created = PageTable::create(*table_allocator);
    if (!created.ok()) panic("paging: cannot allocate the top-level table: %s", created.error().check);
    PageTable* table = new (page_table_storage) PageTable(created.value());

    u64 direct = map_direct_map(*table, features.pdpe1gb, info_phys);
    map_core_image(*table);
    map_framebuffer(*table);
    state.page_table = table;
    state.vranges.init(VIRTUAL_RANGE_BASE, VIRTUAL_RANGE_END);
    state.module_area.init(MODULE_AREA_BASE, MODULE_AREA_END);
    // BAR mappings go after the framebuffer's, 1 GiB on (its size is < 4 GiB).
    state.device_ranges.init(DEVICE_MAP_BASE + (u64(4) << 30), VIRTUAL_RANGE_BASE);
    Stacks stacks;
    stacks.kernel_top = map_guarded_stack("kernel", kKernelStackPages);
    stacks.ist_tops[0] = map_guarded_stack("#DF IST", kIstStackPages);
    stacks.ist_tops[1] = map_guarded_stack("NMI IST", kIstStackPages);
    stacks.ist_tops[2] = map_guarded_stack("#MC IST", kIstStackPages);

    write_cr3(table->root().value()); // the identity map and early tables are gone from here on
    log_info("paging: direct map of %llu MiB at 0x%llx, core W^X at 0x%llx, identity map removed",
             static_cast<unsigned long long>(direct >> 20), static_cast<unsigned long long>(DIRECT_MAP_BASE),
             static_cast<unsigned long long>(KERNEL_VMA));
    return stacks;
}

[[noreturn]] void kernel_main() {
    stacks_register({"boot", reinterpret_cast<u64>(boot_stack_bottom), reinterpret_cast<u64>(boot_stack_top), 0});
    pic_init();
    pit_start_tick(100);
    enable_interrupts();
    log_info("celos: running in the higher half: kernel_main at 0x%016llx, stack at 0x%016llx",
             static_cast<unsigned long long>(reinterpret_cast<u64>(&kernel_main)),
             static_cast<unsigned long long>(read_rsp()));

    if (state.framebuffer.value() != 0) boot_screen_init(state.boot_info.framebuffer, state.framebuffer.as<void>());
    integrity_init();
    kaslr_init();
    bootfb_register();
    modules_load_all();
    wx_check();
    // The heap module, when loaded, reports its use by module.
    if (auto* heap = static_cast<const celos_heap_service*>(celos_service_lookup("heap", 1))) heap->log_summary();
    ktest_run_requested(); // only what the command line asks for (selftest, fault=, wxaudit=)

    boot_screen_set_state(BootState::ready);
    if (kernel_tainted()) {
        char why[200];
        taint_describe(why, sizeof why);
        log_info("celos: ready (tainted: %s)", why);
    } else {
        log_info("celos: ready");
    }
    log_flush(); // the consoles show everything up to the ready line now
    tasks_main_loop(); // the shell, when a module registered it
}

alignas(16) u8 early_ist_stacks[3][4096];

} // namespace

KernelState& kernel() { return state; }

// Called from entry.S on the boot stack, with interrupts off.
extern "C" [[noreturn, gnu::no_stack_protector]] void kernel_early_main(u32 magic, u64 info_phys) {
    stack_protector_init();
    tsc_calibrate();
    serial_sink().init();
    log_set_clock(&x86_64::now_ns);
    log_add_sink(serial_sink());
    run_global_constructors();
    symbolize_init();
    log_info("CelOS %s (%s build), core at 0x%llx", CELOS_VERSION, CELOS_BUILD_TYPE,
             static_cast<unsigned long long>(reinterpret_cast<u64>(__kernel_start)));

    // Faults from here on are reported. Until the guarded stacks exist the
    // IST slots point at small static stacks.
    const u64 early_ist[3] = {reinterpret_cast<u64>(early_ist_stacks[0] + 4096),
                              reinterpret_cast<u64>(early_ist_stacks[1] + 4096),
                              reinterpret_cast<u64>(early_ist_stacks[2] + 4096)};
    gdt_init(early_ist);
    idt_init();

    const CpuFeatures features = detect_cpu_features();
    check_cpu(features);
    enable_sse();

    parse_boot_information(magic, info_phys);
    log_boot_information(state.boot_info);
    init_physical_memory(info_phys);
    Stacks stacks = build_address_space(info_phys);
    for (int i = 0; i < 3; ++i) tss_set_ist(static_cast<IstSlot>(i + 1), stacks.ist_tops[i]);
    switch_stack_and_call(stacks.kernel_top, kernel_main);
}

} // namespace celos
