#include "arch/x86_64/timer.h"

#include "arch/x86_64/cpu.h"

namespace celos::x86_64 {
namespace {

constexpr u16 kPitChannel0 = 0x40, kPitChannel2 = 0x42, kPitCommand = 0x43, kPitGate = 0x61;
constexpr u32 kPitHz = 1193182;
constexpr u16 kPic1Command = 0x20, kPic1Data = 0x21, kPic2Command = 0xa0, kPic2Data = 0xa1;

u64 tsc_hz = 0;
u64 tsc_at_boot = 0;
volatile u64 tick_count = 0;

} // namespace

// TSC cycles over one 1 ms one-shot of PIT channel 2 (1193 PIT periods).
static u64 cycles_over_one_ms() {
    constexpr u32 kCount = kPitHz / 1000;
    u8 gate = inb(kPitGate);
    outb(kPitGate, static_cast<u8>((gate & 0xfd) | 0x01)); // gate on, speaker off
    outb(kPitCommand, 0xb0);                               // channel 2, lobyte/hibyte, mode 0
    outb(kPitChannel2, kCount & 0xff);
    outb(kPitChannel2, static_cast<u8>(kCount >> 8));
    u64 start = rdtsc();
    u64 spins = 0;
    while (!(inb(kPitGate) & 0x20) && ++spins < 100000000) {
    }
    return rdtsc() - start;
}

// The TSC's rate, from the shortest of up to four 1 ms windows: a window
// can only come out too long (the CPU, or QEMU's thread on a busy host, was
// elsewhere when the count ended), never too short. Two windows within
// 0.1% of each other are both undisturbed (a disturbance long enough to
// matter is far longer than that), and the boot goes on after 2 ms; else
// up to four are measured. Within 0.1%.
void tsc_calibrate() {
    tsc_at_boot = rdtsc();
    u64 best = ~u64(0), previous = 0;
    for (int i = 0; i < 4; ++i) {
        u64 c = cycles_over_one_ms();
        if (c < best) best = c;
        if (i > 0) {
            u64 diff = c > previous ? c - previous : previous - c;
            if (diff * 1000 <= best) break;
        }
        previous = c;
    }
    tsc_hz = best * 1000;
    if (tsc_hz == 0) tsc_hz = 1000000000; // no PIT: assume 1 GHz rather than divide by zero
}

u64 tsc_frequency_hz() { return tsc_hz; }

u64 now_ns() {
    if (tsc_hz == 0) return 0;
    u64 cycles = rdtsc() - tsc_at_boot;
    // Split to stay in 64 bits: (cycles % hz) * 10^9 fits while hz < 18 GHz.
    return cycles / tsc_hz * 1000000000u + (cycles % tsc_hz) * 1000000000u / tsc_hz;
}

void pic_init() {
    // ICW1..ICW4 (Intel 8259A datasheet): cascade, vectors 32 and 40, 8086 mode.
    outb(kPic1Command, 0x11); io_wait();
    outb(kPic2Command, 0x11); io_wait();
    outb(kPic1Data, kIrqBaseVector); io_wait();
    outb(kPic2Data, kIrqBaseVector + 8); io_wait();
    outb(kPic1Data, 0x04); io_wait();
    outb(kPic2Data, 0x02); io_wait();
    outb(kPic1Data, 0x01); io_wait();
    outb(kPic2Data, 0x01); io_wait();
    outb(kPic1Data, 0xfb); // all masked but the cascade line
    outb(kPic2Data, 0xff);
}

void pic_unmask(u8 irq) {
    u16 port = irq < 8 ? kPic1Data : kPic2Data;
    u8 bit = static_cast<u8>(1u << (irq & 7));
    outb(port, static_cast<u8>(inb(port) & ~bit));
}

void pic_mask(u8 irq) {
    u16 port = irq < 8 ? kPic1Data : kPic2Data;
    u8 bit = static_cast<u8>(1u << (irq & 7));
    outb(port, static_cast<u8>(inb(port) | bit));
}

bool pic_in_service(u8 irq) {
    u16 port = irq < 8 ? kPic1Command : kPic2Command;
    outb(port, 0x0b); // OCW3: read the in-service register
    return inb(port) & (1u << (irq & 7));
}

void pic_end_of_interrupt(u8 irq) {
    if (irq >= 8) outb(kPic2Command, 0x20);
    outb(kPic1Command, 0x20);
}

void pit_start_tick(u32 hz) {
    u32 divisor = kPitHz / hz;
    outb(kPitCommand, 0x36); // channel 0, lobyte/hibyte, mode 3
    outb(kPitChannel0, divisor & 0xff);
    outb(kPitChannel0, static_cast<u8>(divisor >> 8));
    pic_unmask(0);
}

u64 ticks() { return tick_count; }
const volatile u64* ticks_counter() { return &tick_count; }
void timer_tick() { tick_count = tick_count + 1; }

} // namespace celos::x86_64
