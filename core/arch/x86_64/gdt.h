// The GDT (kernel code and data, a TSS) and the TSS's interrupt stacks.
#pragma once

#include "lib/types.h"

namespace celos::x86_64 {

inline constexpr u16 kKernelCodeSelector = 0x08;
inline constexpr u16 kKernelDataSelector = 0x10;
inline constexpr u16 kTssSelector = 0x18;

// Interrupt Stack Table slots (1-based as in the IDT gate).
enum class IstSlot : u8 { double_fault = 1, nmi = 2, machine_check = 3 };

// Loads the GDT and the TSS; ist_tops[i] is the top of the stack for slot i+1.
void gdt_init(const u64 ist_tops[3]);
// Points an IST slot at another stack (the TSS stays loaded).
void tss_set_ist(IstSlot slot, u64 top);

} // namespace celos::x86_64
