#include "arch/x86_64/descriptor.h"
#include "arch/x86_64/gdt.h"

namespace celos::x86_64 {
namespace {

// Intel SDM vol. 3, 8.7: the 64-bit TSS.
struct [[gnu::packed]] TaskStateSegment {
    u32 reserved0;
    u64 rsp[3];
    u64 reserved1;
    u64 ist[7];
    u64 reserved2;
    u16 reserved3;
    u16 io_map_base;
};
static_assert(sizeof(TaskStateSegment) == 104);

alignas(16) u64 gdt[5];
alignas(16) TaskStateSegment tss;

} // namespace

void tss_set_ist(IstSlot slot, u64 top) { tss.ist[static_cast<u8>(slot) - 1] = top; }

void gdt_init(const u64 ist_tops[3]) {
    for (int i = 0; i < 3; ++i) tss.ist[i] = ist_tops[i];
    tss.io_map_base = sizeof(TaskStateSegment); // no I/O permission bitmap

    gdt[0] = 0;
    gdt[1] = 0x00af9a000000ffff; // 64-bit code, DPL 0
    gdt[2] = 0x00cf92000000ffff; // data, DPL 0
    // A 16-byte system descriptor: type 9 (available 64-bit TSS), present.
    u64 base = reinterpret_cast<u64>(&tss);
    u64 limit = sizeof(TaskStateSegment) - 1;
    gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
             (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[4] = base >> 32;

    DescriptorPointer pointer{sizeof(gdt) - 1, reinterpret_cast<u64>(gdt)};
    asm volatile(
        "lgdt %0\n"
        "pushq %1\n"
        "leaq 1f(%%rip), %%rax\n"
        "pushq %%rax\n"
        "lretq\n"
        "1:\n"
        "mov %2, %%ds\n"
        "mov %2, %%es\n"
        "mov %2, %%ss\n"
        "ltr %3\n"
        :
        : "m"(pointer), "i"(static_cast<u64>(kKernelCodeSelector)), "r"(kKernelDataSelector),
          "r"(kTssSelector)
        : "rax", "memory");
}

} // namespace celos::x86_64
