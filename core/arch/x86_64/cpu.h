// Small wrappers over x86_64 instructions (Intel SDM vol. 2).
#pragma once

#include "lib/types.h"

namespace celos::x86_64 {

inline void outb(u16 port, u8 v) { asm volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
inline u8 inb(u16 port) {
    u8 v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
inline void io_wait() { outb(0x80, 0); }

inline u64 rdmsr(u32 msr) {
    u32 lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (static_cast<u64>(hi) << 32) | lo;
}
inline void wrmsr(u32 msr, u64 v) {
    asm volatile("wrmsr" ::"c"(msr), "a"(static_cast<u32>(v)), "d"(static_cast<u32>(v >> 32)));
}

inline u64 read_cr0() { u64 v; asm volatile("mov %%cr0, %0" : "=r"(v)); return v; }
inline u64 read_cr2() { u64 v; asm volatile("mov %%cr2, %0" : "=r"(v)); return v; }
inline u64 read_cr3() { u64 v; asm volatile("mov %%cr3, %0" : "=r"(v)); return v; }
inline u64 read_cr4() { u64 v; asm volatile("mov %%cr4, %0" : "=r"(v)); return v; }
inline void write_cr0(u64 v) { asm volatile("mov %0, %%cr0" ::"r"(v) : "memory"); }
inline void write_cr3(u64 v) { asm volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }
inline void write_cr4(u64 v) { asm volatile("mov %0, %%cr4" ::"r"(v) : "memory"); }

struct CpuidResult { u32 eax, ebx, ecx, edx; };
inline CpuidResult cpuid(u32 leaf, u32 subleaf = 0) {
    CpuidResult r;
    asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
    return r;
}

inline u64 rdtsc() {
    u32 lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (static_cast<u64>(hi) << 32) | lo;
}

// RDRAND with the retry loop Intel recommends; false when it keeps failing.
inline bool rdrand64(u64& out) {
    for (int i = 0; i < 10; ++i) {
        unsigned char ok;
        asm volatile("rdrand %0; setc %1" : "=r"(out), "=qm"(ok));
        if (ok) return true;
    }
    return false;
}

inline void invlpg(u64 addr) { asm volatile("invlpg (%0)" ::"r"(addr) : "memory"); }
inline void halt() { asm volatile("hlt"); }
inline void enable_interrupts() { asm volatile("sti" ::: "memory"); }
inline void disable_interrupts() { asm volatile("cli" ::: "memory"); }
inline u64 read_rflags() { u64 v; asm volatile("pushfq; pop %0" : "=r"(v)); return v; }
inline u64 read_rbp() { return reinterpret_cast<u64>(__builtin_frame_address(0)); }
inline u64 read_rsp() { u64 v; asm volatile("mov %%rsp, %0" : "=r"(v)); return v; }

inline constexpr u32 kMsrEfer = 0xc0000080;
inline constexpr u32 kMsrPat = 0x277;
inline constexpr u64 kEferNxe = 1ull << 11;
inline constexpr u64 kRflagsIf = 1ull << 9;

// CPU features the core checks at boot.
struct CpuFeatures {
    bool nx, rdrand, pdpe1gb, sse2, fxsr, pat, invariant_tsc;
};
CpuFeatures detect_cpu_features();

} // namespace celos::x86_64
