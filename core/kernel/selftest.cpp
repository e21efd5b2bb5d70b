// The in-kernel checks behind the `selftest` option: what only the running
// kernel can show (its page tables, its CPU state, its interrupt paths).

#include "kernel/selftest.h"

#include <celos/abi.h>

#include "arch/cpu.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/timer.h"
#include "boot/layout.h"
#include "kernel/kernel.h"
#include "kernel/module_cycles.h"
#include "kernel/symbolize.h"
#include "lib/format.h"
#include "log/log.h"

extern "C" uintptr_t __stack_chk_guard;
extern "C" void selftest_sse_probe(const celos::u64 in[2], celos::u64 out[2], const volatile celos::u64* ticks);

namespace celos {
namespace {

using namespace x86_64;

int global_constructor_ran = 0;
struct ConstructorProbe {
    ConstructorProbe() { global_constructor_ran = 42; }
} constructor_probe;

struct Runner {
    int passed = 0;
    int failed = 0;
    void check(const char* name, bool ok, const char* detail = "") {
        if (ok) {
            ++passed;
            log_info("selftest: %-40s ok", name);
        } else {
            ++failed;
            log_error("selftest: %-40s FAILED %s", name, detail);
        }
    }
};

struct WalkStats {
    usize leaves = 0;
    usize writable_executable = 0;
    usize direct_map_leaves = 0;
    usize direct_map_without_nx = 0;
    usize lower_half_leaves = 0;
    VirtAddr first_wx;
};

void collect(void* ctx, VirtAddr virt, PhysAddr, PageSize, PteFlags flags) {
    auto& s = *static_cast<WalkStats*>(ctx);
    ++s.leaves;
    bool nx = flags.has(PteFlag::no_execute);
    if (flags.has(PteFlag::writable) && !nx && s.writable_executable++ == 0) s.first_wx = virt;
    if (virt.value() >= DIRECT_MAP_BASE && virt.value() < DEVICE_MAP_BASE) {
        ++s.direct_map_leaves;
        if (!nx) ++s.direct_map_without_nx;
    }
    if (virt.value() < 0x0000800000000000ull) ++s.lower_half_leaves;
}

bool translate_flags(const char* addr, PteFlags& flags) {
    Translation t;
    if (!kernel().page_table->translate(VirtAddr(addr), t)) return false;
    flags = t.flags;
    return true;
}

bool contains(const char* haystack, const char* needle) {
    for (; *haystack; ++haystack) {
        usize i = 0;
        while (needle[i] && haystack[i] == needle[i]) ++i;
        if (!needle[i]) return true;
    }
    return false;
}

} // namespace

void selftest_run() {
    Runner t;
    KernelState& k = kernel();
    log_info("selftest: running in-kernel checks");

    u64 rip = reinterpret_cast<u64>(&selftest_run);
    t.check("core runs in the higher half", rip >= KERNEL_VMA);
    t.check("global constructors ran", global_constructor_ran == 42);
    t.check("stack protector canary seeded", __stack_chk_guard != 0x595e9fbd94fda766 && __stack_chk_guard != 0);

    char name[96];
    symbolize(rip + 3, name, sizeof name);
    t.check("core symbol table names functions", contains(name, "selftest_run"), name);

    t.check("EFER.NXE is on", (rdmsr(kMsrEfer) & kEferNxe) != 0);
    t.check("CR0.WP is on", (read_cr0() & (1ull << 16)) != 0);
    t.check("SSE enabled (CR4.OSFXSR)", (read_cr4() & (1ull << 9)) != 0);
    t.check("PAT entry 1 is write-combining", ((rdmsr(kMsrPat) >> 8) & 0xff) == 0x01);

    WalkStats s;
    k.page_table->walk(collect, &s);
    log_info("selftest: page-table walk: %zu leaf mappings, %zu in the direct map", s.leaves, s.direct_map_leaves);
    char detail[64];
    format(detail, sizeof detail, "first at 0x%llx", static_cast<unsigned long long>(s.first_wx.value()));
    t.check("no page is writable and executable", s.writable_executable == 0, detail);
    t.check("direct map is all NX", s.direct_map_leaves > 0 && s.direct_map_without_nx == 0);
    t.check("identity map removed (lower half empty)", s.lower_half_leaves == 0);

    PteFlags f;
    t.check("core text is read-only and executable",
            translate_flags(__text_start, f) && !f.has(PteFlag::writable) && !f.has(PteFlag::no_execute));
    t.check("core rodata is read-only and NX",
            translate_flags(__rodata_start, f) && !f.has(PteFlag::writable) && f.has(PteFlag::no_execute));
    t.check("core data is writable and NX",
            translate_flags(__data_start, f) && f.has(PteFlag::writable) && f.has(PteFlag::no_execute));
    if (k.framebuffer.value() != 0) {
        Translation tr;
        bool mapped = k.page_table->translate(k.framebuffer, tr);
        t.check("framebuffer mapped write-combining",
                mapped && tr.flags.has(PteFlag::write_through) && !tr.flags.has(PteFlag::cache_disable) &&
                    tr.phys == k.boot_info.framebuffer.address);
    }

    usize before = k.pmm.free_page_count();
    auto a = k.pmm.alloc_pages(1);
    auto b = k.pmm.alloc_pages(16, 16 * kPageSize);
    bool pmm_ok = a.ok() && b.ok() && a.value() != b.value() && b.value().value() % (16 * kPageSize) == 0 &&
                  k.pmm.free_page_count() == before - 17;
    if (a.ok()) k.pmm.free_pages(a.value(), 1);
    if (b.ok()) k.pmm.free_pages(b.value(), 16);
    t.check("physical pages allocate and free", pmm_ok && k.pmm.free_page_count() == before);

    u64 t0 = ticks();
    for (u64 spins = 0; ticks() < t0 + 2 && spins < 1000; ++spins) arch::idle();
    t.check("timer interrupts arrive", ticks() >= t0 + 2);
    // The core never uses SSE, so its interrupt entry saves none: xmm7 must
    // come back unchanged from a breakpoint and three timer interrupts.
    const u64 in[2] = {0x0123456789abcdefull, 0xfedcba9876543210ull};
    u64 out[2] = {0, 0};
    selftest_sse_probe(in, out, ticks_counter());
    t.check("xmm registers survive interrupts", out[0] == in[0] && out[1] == in[1]);

    // With the boot file cycle_test.ko (a module2 line labelled with the
    // file name, so the boot does not start it): load and unload it 1000 times.
    const void* cycle_file = nullptr;
    size_t cycle_size = 0;
    if (celos_bootfile_find("cycle_test.ko", &cycle_file, &cycle_size) == CELOS_OK) {
        char cycles_detail[96] = "";
        t.check("1000 module load/unload cycles leave nothing",
                module_cycles_run("cycle_test.ko", 1000, cycles_detail, sizeof cycles_detail), cycles_detail);
    } else {
        log_info("selftest: no boot file cycle_test.ko: module load/unload cycles skipped");
    }

    if (t.failed == 0) {
        log_info("selftest: passed (%d checks)", t.passed);
        log_flush();
        arch::exit_machine(arch::ExitCode::success);
    }
    log_error("selftest: FAILED (%d of %d checks)", t.failed, t.passed + t.failed);
    log_flush();
    arch::exit_machine(arch::ExitCode::failure);
}

} // namespace celos
