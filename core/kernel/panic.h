// Stopping the kernel: a report on every log sink, then the machine exits
// through QEMU's debug-exit device with the panic code (or halts).
#pragma once

namespace celos {

// Starts a panic report: interrupts off; a panic inside a panic exits at once.
void panic_begin();
// Flushes the log and stops the machine.
[[noreturn]] void panic_end();
// A FaultReport's details for a panic: the backtrace from the frame pointer
// at `frame` (a u64).
void log_backtrace_from(const void* frame);

} // namespace celos
