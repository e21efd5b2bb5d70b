// Time: the TSC, calibrated against the PIT, for log timestamps; and the PIT
// as a 100 Hz tick on IRQ 0 through the (remapped) legacy PIC.
#pragma once

#include "lib/types.h"

namespace celos::x86_64 {

void tsc_calibrate();
u64 tsc_frequency_hz();
u64 now_ns();

inline constexpr u8 kIrqBaseVector = 32;
void pic_init();                 // remaps to vectors 32..47, masks all lines
void pic_unmask(u8 irq);
void pic_mask(u8 irq);
// Whether `irq` (7 or 15, the lines a spurious interrupt arrives on) is
// really in service (its ISR bit is set).
bool pic_in_service(u8 irq);
void pic_end_of_interrupt(u8 irq);
void pit_start_tick(u32 hz);
u64 ticks();
const volatile u64* ticks_counter();
void timer_tick();               // called from the IRQ 0 handler

} // namespace celos::x86_64
