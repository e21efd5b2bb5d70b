// The in-kernel checks behind the `selftest` option: what only the running
// kernel can show (its page tables, its CPU state, its interrupt paths).
// Each check is one KTAP result line.

#include "ktest/selftest.h"

#include <celos/abi.h>

#include "arch/cpu.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/timer.h"
#include "boot/layout.h"
#include "kernel/kernel.h"
#include "kernel/symbolize.h"
#include "kernel/wx_check.h"
#include "ktest/ktap.h"
#include "ktest/module_cycles.h"
#include "ktest/module_lifecycle.h"
#include "ktest/wx_inject.h"
#include "lib/format.h"
#include "log/log.h"
#include "module/module.h"
#include "pci/pci_bus.h"

extern "C" uintptr_t __stack_chk_guard;
extern "C" void selftest_sse_probe(const celos::u64 in[2], celos::u64 out[2],
                                   const volatile celos::u64* ticks);

namespace celos::ktest {
namespace {

using namespace x86_64;

int global_constructor_ran = 0;
struct ConstructorProbe {
    ConstructorProbe() { global_constructor_ran = 42; }
} constructor_probe;

// A check writes what went wrong (or what it skipped for) into `detail`.
struct Detail {
    char text[160] = "";
    void set(const char* fmt, ...) __attribute__((format(printf, 2, 3))) {
        va_list args;
        va_start(args, fmt);
        vformat(text, sizeof text, fmt, args);
        va_end(args);
    }
};

Outcome check(bool ok) {
    return ok ? Outcome::pass : Outcome::fail;
}

Outcome higher_half(Detail& d) {
    u64 rip = reinterpret_cast<u64>(&selftest_run);
    d.set("selftest_run at 0x%llx", static_cast<unsigned long long>(rip));
    return check(rip >= KERNEL_VMA);
}

Outcome global_constructors(Detail&) {
    return check(global_constructor_ran == 42);
}

Outcome stack_protector_seeded(Detail&) {
    return check(__stack_chk_guard != 0x595e9fbd94fda766 && __stack_chk_guard != 0);
}

Outcome core_symbols(Detail& d) {
    symbolize(reinterpret_cast<u64>(&selftest_run) + 3, d.text, sizeof d.text);
    return check(contains(d.text, "selftest_run"));
}

Outcome efer_nxe(Detail&) {
    return check((rdmsr(kMsrEfer) & kEferNxe) != 0);
}
Outcome cr0_wp(Detail&) {
    return check((read_cr0() & (1ull << 16)) != 0);
}
Outcome sse_enabled(Detail&) {
    return check((read_cr4() & (1ull << 9)) != 0);
} // CR4.OSFXSR
Outcome pat_write_combining(Detail&) {
    return check(((rdmsr(kMsrPat) >> 8) & 0xff) == 0x01);
} // PAT entry 1

// The boot's W^X audit, now; with wxaudit=inject, over planted violations
// (then this check must fail: the boot test expects `not ok`).
Outcome wx_audit_now(Detail& d) {
    bool inject = kernel().options.wxaudit == StringView("inject");
    WxInjection injected;
    if (inject) injected = wx_inject_plant();
    WxAuditResult r = wx_check();
    if (inject) wx_inject_remove(injected);
    d.set("%zu pages, %zu violations (%zu writable+executable)", r.pages, r.violations,
          r.writable_executable);
    return check(r.violations == 0 && r.pages > 0);
}

// One window of the audit on its own, for a result line of its own.
Outcome audit_window(WxRegionKind kind, Detail& d) {
    static WxRegion regions[kWxCheckMaxRegions];
    usize count = wx_check_regions(regions, kWxCheckMaxRegions);
    for (usize i = 0; i < count; ++i) {
        if (regions[i].kind != kind) continue;
        WxAuditResult r =
            wx_audit(*kernel().page_table, Span<const WxRegion>(&regions[i], 1), nullptr, nullptr);
        d.set("%s: %zu violations", regions[i].owner, r.violations);
        return check(r.violations == 0);
    }
    d.set("no such window in the audit");
    return Outcome::fail;
}
Outcome direct_map_nx(Detail& d) {
    return audit_window(WxRegionKind::nx_window, d);
}
Outcome lower_half_unmapped(Detail& d) {
    return audit_window(WxRegionKind::empty_window, d);
}

Outcome framebuffer_write_combining(Detail& d) {
    KernelState& k = kernel();
    if (k.framebuffer.value() == 0) {
        d.set("no framebuffer");
        return Outcome::skip;
    }
    Translation tr;
    bool mapped = k.page_table->translate(k.framebuffer, tr);
    return check(mapped && tr.flags.has(PteFlag::write_through) && !tr.flags.has(PteFlag::cache_disable) &&
                 tr.phys == k.boot_info.framebuffer.address);
}

Outcome pmm_alloc_free(Detail& d) {
    PhysicalMemoryManager& pmm = kernel().pmm;
    usize before = pmm.free_page_count();
    auto a = pmm.alloc_pages(1);
    auto b = pmm.alloc_pages(16, 16 * kPageSize);
    bool ok = a.ok() && b.ok() && a.value() != b.value() && b.value().value() % (16 * kPageSize) == 0 &&
              pmm.free_page_count() == before - 17;
    if (a.ok()) pmm.free_pages(a.value(), 1);
    if (b.ok()) pmm.free_pages(b.value(), 16);
    d.set("free pages %zu -> %zu", before, pmm.free_page_count());
    return check(ok && pmm.free_page_count() == before);
}

Outcome timer_interrupts(Detail&) {
    u64 t0 = ticks();
    for (u64 spins = 0; ticks() < t0 + 2 && spins < 1000; ++spins)
        arch::idle();
    return check(ticks() >= t0 + 2);
}

// The core never uses SSE, so its interrupt entry saves none: xmm7 must
// come back unchanged from a breakpoint and three timer interrupts.
Outcome sse_preserved_across_interrupts(Detail&) {
    const u64 in[2] = {0x0123456789abcdefull, 0xfedcba9876543210ull};
    u64 out[2] = {0, 0};
    selftest_sse_probe(in, out, ticks_counter());
    return check(out[0] == in[0] && out[1] == in[1]);
}

// With the boot file cycle_test.ko (a module2 line labelled with the file
// name, so the boot does not start it): load and unload it 1000 times, a
// subtest of its own.
Outcome module_cycles(Detail& d) {
    const void* file = nullptr;
    size_t size = 0;
    if (celos_bootfile_find("cycle_test.ko", &file, &size) != CELOS_OK) {
        d.set("no boot file cycle_test.ko");
        return Outcome::skip;
    }
    return check(module_cycles_run("cycle_test.ko", 1000, 1, d.text, sizeof d.text));
}

// The shipped modules unloaded, loaded again and swapped at run time: last,
// since it takes the console away for a while.
Outcome module_lifecycle(Detail& d) {
    if (module_find_loaded("heap") < 0) {
        d.set("no heap module loaded");
        return Outcome::skip;
    }
    return check(module_lifecycle_run(1, d.text, sizeof d.text));
}

// A BAR is sized once (sizing turns the device's decoding off and on,
// which QEMU answers by rebuilding its memory map): asked again, the same
// answer without sizing; after a configuration write to the BAR registers
// sized again, and after one elsewhere (the command register) not.
Outcome pci_bars_probed_once(Detail& d) {
    celos_pci_device dev{};
    if (celos_pci_find_class(0x03, 0xFF, 0, &dev) != CELOS_OK) {
        d.set("no display controller");
        return Outcome::skip;
    }
    celos_pci_bar first{}, again{}, after{};
    if (celos_pci_bar_get(&dev, 0, &first) != CELOS_OK) {
        d.set("no BAR 0");
        return Outcome::skip;
    }
    u64 probes = pci::bar_probes();
    bool same = celos_pci_bar_get(&dev, 0, &again) == CELOS_OK && again.base == first.base &&
                again.size == first.size && pci::bar_probes() == probes;
    uint32_t command = 0, bar0 = 0;
    celos_pci_config_read(&dev, 0x04, 2, &command);
    celos_pci_config_write(&dev, 0x04, 2, command);
    bool kept = celos_pci_bar_get(&dev, 0, &again) == CELOS_OK && pci::bar_probes() == probes;
    celos_pci_config_read(&dev, 0x10, 4, &bar0);
    celos_pci_config_write(&dev, 0x10, 4, bar0); // the same value: a write all the same
    bool again_sized = celos_pci_bar_get(&dev, 0, &after) == CELOS_OK && pci::bar_probes() == probes + 1 &&
                       after.base == first.base && after.size == first.size;
    d.set("%02x:%02x.%u BAR 0 %llu KiB: asked again %s, after a command write %s, after a BAR write %s", dev.bus,
          dev.slot, dev.function, static_cast<unsigned long long>(first.size / 1024), same ? "not sized" : "SIZED",
          kept ? "not sized" : "SIZED", again_sized ? "sized" : "NOT SIZED");
    return check(same && kept && again_sized);
}

struct Check {
    const char* name;
    Outcome (*run)(Detail&);
};

const Check kChecks[] = {
    {"higher_half", higher_half},
    {"global_constructors", global_constructors},
    {"stack_protector_seeded", stack_protector_seeded},
    {"core_symbols", core_symbols},
    {"efer_nxe", efer_nxe},
    {"cr0_wp", cr0_wp},
    {"sse_enabled", sse_enabled},
    {"pat_write_combining", pat_write_combining},
    {"wx_audit", wx_audit_now},
    {"direct_map_nx", direct_map_nx},
    {"lower_half_unmapped", lower_half_unmapped},
    {"framebuffer_write_combining", framebuffer_write_combining},
    {"pmm_alloc_free", pmm_alloc_free},
    {"timer_interrupts", timer_interrupts},
    {"sse_preserved_across_interrupts", sse_preserved_across_interrupts},
    {"pci_bars_probed_once", pci_bars_probed_once},
    {"module_cycles", module_cycles},
    {"module_lifecycle", module_lifecycle},
};

} // namespace

void selftest_run() {
    log_info("selftest: running in-kernel checks");
    constexpr usize count = sizeof kChecks / sizeof kChecks[0];
    Ktap ktap(count);
    for (const Check& c : kChecks) {
        Detail d;
        Outcome outcome = c.run(d);
        // A passing check's detail is shown only when it says something.
        ktap.report(c.name, outcome, outcome == Outcome::pass && d.text[0] == '\0' ? nullptr : d.text);
    }
    usize passed = ktap.reported() - ktap.failed() - ktap.skipped();
    if (ktap.all_passed()) {
        log_info("selftest: passed (%zu checks, %zu skipped)", passed, ktap.skipped());
        log_flush();
        arch::exit_machine(arch::ExitCode::success);
    }
    log_error("selftest: FAILED (%zu of %zu checks)", ktap.failed(), ktap.reported());
    log_flush();
    arch::exit_machine(arch::ExitCode::failure);
}

} // namespace celos::ktest
