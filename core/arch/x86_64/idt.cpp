#include "arch/x86_64/descriptor.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/interrupts.h"

extern "C" const celos::u64 isr_stub_table[48];
extern "C" const celos::u64 isr_stub_spurious;

namespace celos::x86_64 {
namespace {

// SDM vol. 3, 6.14.1: a 64-bit interrupt gate.
struct [[gnu::packed]] IdtGate {
    u16 offset_low;
    u16 selector;
    u8 ist;
    u8 type_attributes;
    u16 offset_middle;
    u32 offset_high;
    u32 reserved;
};
static_assert(sizeof(IdtGate) == 16);

alignas(16) IdtGate idt[256];

void set_gate(u8 vector, u64 handler, u8 ist) {
    IdtGate& g = idt[vector];
    g.offset_low = handler & 0xffff;
    g.selector = kKernelCodeSelector;
    g.ist = ist;
    g.type_attributes = 0x8e; // present, DPL 0, interrupt gate (IF cleared on entry)
    g.offset_middle = (handler >> 16) & 0xffff;
    g.offset_high = static_cast<u32>(handler >> 32);
    g.reserved = 0;
}

} // namespace

void idt_init() {
    for (int v = 0; v < 256; ++v) set_gate(static_cast<u8>(v), isr_stub_spurious, 0);
    for (u8 v = 0; v < 48; ++v) set_gate(v, isr_stub_table[v], 0);
    idt[kVectorDoubleFault].ist = static_cast<u8>(IstSlot::double_fault);
    idt[kVectorNmi].ist = static_cast<u8>(IstSlot::nmi);
    idt[kVectorMachineCheck].ist = static_cast<u8>(IstSlot::machine_check);
    DescriptorPointer pointer{sizeof(idt) - 1, reinterpret_cast<u64>(idt)};
    asm volatile("lidt %0" ::"m"(pointer) : "memory");
}

} // namespace celos::x86_64
