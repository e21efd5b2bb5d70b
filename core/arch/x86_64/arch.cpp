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
