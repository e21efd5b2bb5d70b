// What generic kernel code may ask of the CPU. The x86_64 implementation is
// in arch/x86_64/; generic code includes only this header.
#pragma once

#include "lib/types.h"

namespace celos::arch {

// isa-debug-exit codes; QEMU exits with (code << 1) | 1.
enum class ExitCode : u8 { success = 0x10, failure = 0x11, panic = 0x12 };

[[noreturn]] void exit_machine(ExitCode code); // QEMU's exit device, else halt forever
[[noreturn]] void halt_forever();              // interrupts off
void idle();                                   // waits for the next interrupt
u64 now_ns();                                  // since boot
u64 entropy64();                               // RDRAND when present, else the TSC
bool hardware_random_present();                // the CPU has a random number instruction (RDRAND)
bool hardware_random64(u64& out);              // false when absent or when it keeps failing
u64 cycle_counter();                           // the TSC
void irq_line_unmask(u8 line);                 // a legacy ISA interrupt line (the PIC)
void irq_line_mask(u8 line);
[[noreturn]] void reset_machine();             // the keyboard controller's reset, else a triple fault
// A paging key from the PS/2 keyboard, polled (the panic screen, with
// interrupts off): what it asks, or none when no key came.
enum class PagingKey : u8 { none, page_back, page_forward, line_back, line_forward };
PagingKey poll_paging_key();
[[noreturn]] void power_off();                 // QEMU's exit device (success), then ACPI's S5 on QEMU's PM port, else a halt

} // namespace celos::arch
