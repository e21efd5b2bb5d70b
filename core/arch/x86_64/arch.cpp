#include "arch/cpu.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/timer.h"

namespace celos::arch {

void halt_forever() {
    for (;;) {
        x86_64::disable_interrupts();
        x86_64::halt();
    }
}

void exit_machine(ExitCode code) {
    x86_64::outb(0xf4, static_cast<u8>(code)); // isa-debug-exit at iobase 0xf4
    halt_forever();
}

void idle() { asm volatile("sti; hlt" ::: "memory"); }

void irq_line_unmask(u8 line) { x86_64::pic_unmask(line); }
void irq_line_mask(u8 line) { x86_64::pic_mask(line); }

PagingKey poll_paging_key() {
    // The i8042's output buffer (status bit 0), set 1 scan codes as the
    // controller translates them: 49/51 PgUp/PgDn, 48/50 Up/Down, with the
    // E0 prefix of the grey keys or without it (the keypad's 9/3/8/2 with
    // Num Lock off); prefixes, releases and other keys ignored.
    u8 status = x86_64::inb(0x64);
    if (status == 0xff || !(status & 0x01)) return PagingKey::none; // no controller, or nothing
    u8 code = x86_64::inb(0x60);
    if (status & 0x20) return PagingKey::none; // from the mouse port
    if (code == 0xe0 || (code & 0x80)) return PagingKey::none;
    switch (code) {
    case 0x49: return PagingKey::page_back;
    case 0x51: return PagingKey::page_forward;
    case 0x48: return PagingKey::line_back;
    case 0x50: return PagingKey::line_forward;
    }
    return PagingKey::none;
}

void power_off() {
    x86_64::disable_interrupts();
    x86_64::outb(0xf4, static_cast<u8>(ExitCode::success)); // isa-debug-exit, when QEMU has one
    // QEMU's ACPI power management (PIIX4 on pc, ICH9 on q35): PM1a control
    // at 0x604, SLP_TYP 0 (its \_S5) with SLP_EN. Not read from the FADT:
    // on other machines this port is most likely nothing, and the halt follows.
    asm volatile("outw %0, %1" ::"a"(static_cast<u16>(0x2000)), "Nd"(static_cast<u16>(0x604)));
    halt_forever();
}

void reset_machine() {
    x86_64::disable_interrupts();
    // The 8042's pulse of the reset line: wait until its input buffer is
    // empty, then command 0xFE.
    for (int i = 0; i < 100000 && (x86_64::inb(0x64) & 0x02); ++i) {
    }
    x86_64::outb(0x64, 0xfe);
    for (int i = 0; i < 1000000; ++i) asm volatile("pause");
    // No 8042 (or it did nothing): an empty IDT and an interrupt, a triple fault.
    struct [[gnu::packed]] {
        u16 limit;
        u64 base;
    } empty{0, 0};
    asm volatile("lidt %0; int3" ::"m"(empty) : "memory");
    halt_forever();
}

u64 now_ns() { return x86_64::now_ns(); }

u64 entropy64() {
    u64 v;
    if (x86_64::detect_cpu_features().rdrand && x86_64::rdrand64(v)) return v;
    u64 t = x86_64::rdtsc();
    return t * 0x9e3779b97f4a7c15ull ^ (t >> 29);
}

bool hardware_random_present() { return x86_64::detect_cpu_features().rdrand; }

bool hardware_random64(u64& out) { return hardware_random_present() && x86_64::rdrand64(out); }

u64 cycle_counter() { return x86_64::rdtsc(); }

} // namespace celos::arch
