#include "arch/x86_64/cpu.h"

#include "lib/irq.h"

namespace celos {

u64 irq_save() {
    u64 flags = x86_64::read_rflags();
    x86_64::disable_interrupts();
    return flags & x86_64::kRflagsIf;
}

void irq_restore(u64 state) {
    if (state & x86_64::kRflagsIf) x86_64::enable_interrupts();
}

namespace x86_64 {

CpuFeatures detect_cpu_features() {
    CpuFeatures f{};
    CpuidResult basic = cpuid(1);
    f.rdrand = basic.ecx & (1u << 30);
    f.sse2 = basic.edx & (1u << 26);
    f.fxsr = basic.edx & (1u << 24);
    f.pat = basic.edx & (1u << 16);
    u32 max_ext = cpuid(0x80000000).eax;
    if (max_ext >= 0x80000001) {
        CpuidResult ext = cpuid(0x80000001);
        f.nx = ext.edx & (1u << 20);
        f.pdpe1gb = ext.edx & (1u << 26);
    }
    if (max_ext >= 0x80000007) f.invariant_tsc = cpuid(0x80000007).edx & (1u << 8);
    return f;
}

} // namespace x86_64
} // namespace celos
