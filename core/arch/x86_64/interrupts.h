// The IDT: the 32 exception vectors, the 16 legacy IRQ vectors and a
// spurious handler for the rest; and the frame the entry stubs build.
#pragma once

#include "lib/types.h"

namespace celos::x86_64 {

// Pushed by isr_stubs.S: general registers, then vector and error code,
// then what the CPU pushed (SDM vol. 3, 6.14.1).
struct InterruptFrame {
    u64 r15, r14, r13, r12, r11, r10, r9, r8;
    u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
    u64 vector, error_code;
    u64 rip, cs, rflags, rsp, ss;
};
static_assert(sizeof(InterruptFrame) == 22 * 8);

void idt_init();

// Exception vectors (SDM vol. 3, table 6-1).
inline constexpr u8 kVectorDivideError = 0, kVectorDebug = 1, kVectorNmi = 2, kVectorBreakpoint = 3,
                    kVectorInvalidOpcode = 6, kVectorDoubleFault = 8, kVectorGeneralProtection = 13,
                    kVectorPageFault = 14, kVectorMachineCheck = 18;

} // namespace celos::x86_64
