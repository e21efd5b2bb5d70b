// Interrupt dispatch: IRQs are acknowledged and handled; a CPU exception is
// described in a neutral record (core/kernel/fault.h) with this file's
// details (decoded error code, faulting address, RIP as symbol+offset,
// registers, backtrace) and handed to the generic fault handler, which
// reports it and stops the machine, unless a hook recovers (a fault in a
// module's init): never a triple fault, never a silent hang.

#include "arch/cpu.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/interrupts.h"
#include "arch/x86_64/timer.h"
#include "kernel/fault.h"
#include "kernel/irq_lines.h"
#include "kernel/stacks.h"
#include "kernel/symbolize.h"
#include "lib/format.h"
#include "log/log.h"

namespace celos::x86_64 {
namespace {

const char* const kExceptionNames[32] = {
    "#DE divide error",          "#DB debug",                     "NMI non-maskable interrupt",
    "#BP breakpoint",            "#OF overflow",                  "#BR bound range exceeded",
    "#UD invalid opcode",        "#NM device not available",      "#DF double fault",
    "coprocessor segment overrun", "#TS invalid TSS",             "#NP segment not present",
    "#SS stack-segment fault",   "#GP general protection fault",  "#PF page fault",
    "reserved (15)",             "#MF x87 floating-point error",  "#AC alignment check",
    "#MC machine check",         "#XM SIMD floating-point error", "#VE virtualization exception",
    "#CP control protection",    "reserved (22)",                 "reserved (23)",
    "reserved (24)",             "reserved (25)",                 "reserved (26)",
    "reserved (27)",             "#HV hypervisor injection",      "#VC VMM communication",
    "#SX security exception",    "reserved (31)",
};

bool has_error_code(u64 v) {
    return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

// SDM vol. 3, 4.7: the page-fault error code.
void decode_page_fault(u64 error, char* buf, usize size) {
    format(buf, size, "%s, %s, %s mode, %s%s%s", (error & 1) ? "protection violation" : "not-present page",
           (error & 2) ? "write" : "read", (error & 4) ? "user" : "kernel",
           (error & 16) ? "instruction fetch" : "data access", (error & 8) ? ", reserved bit set" : "",
           (error & 32) ? ", protection key" : "");
}

// SDM vol. 3, 6.13: a selector error code (#GP, #TS, #NP, #SS).
void decode_selector_error(u64 error, char* buf, usize size) {
    if (error == 0) {
        format(buf, size, "no segment selector involved");
        return;
    }
    static const char* const tables[4] = {"GDT", "IDT", "LDT", "IDT"};
    format(buf, size, "selector index %llu in the %s%s", static_cast<unsigned long long>(error >> 3),
           tables[(error >> 1) & 3], (error & 1) ? ", external event" : "");
}

void log_registers(const InterruptFrame& f) {
    log_error("  rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx", (unsigned long long)f.rax,
              (unsigned long long)f.rbx, (unsigned long long)f.rcx, (unsigned long long)f.rdx);
    log_error("  rsi=%016llx rdi=%016llx rbp=%016llx rsp=%016llx", (unsigned long long)f.rsi,
              (unsigned long long)f.rdi, (unsigned long long)f.rbp, (unsigned long long)f.rsp);
    log_error("  r8 =%016llx r9 =%016llx r10=%016llx r11=%016llx", (unsigned long long)f.r8,
              (unsigned long long)f.r9, (unsigned long long)f.r10, (unsigned long long)f.r11);
    log_error("  r12=%016llx r13=%016llx r14=%016llx r15=%016llx", (unsigned long long)f.r12,
              (unsigned long long)f.r13, (unsigned long long)f.r14, (unsigned long long)f.r15);
    log_error("  rflags=%016llx cs=%04llx ss=%04llx cr3=%016llx", (unsigned long long)f.rflags,
              (unsigned long long)f.cs, (unsigned long long)f.ss, (unsigned long long)read_cr3());
}

// Everything after the headline: the same for a panic and a contained fault.
void log_exception_details(const void* ctx) {
    const InterruptFrame& f = *static_cast<const InterruptFrame*>(ctx);
    char detail[160];
    if (f.vector == kVectorPageFault) {
        decode_page_fault(f.error_code, detail, sizeof detail);
        log_error("  error code 0x%llx: %s", static_cast<unsigned long long>(f.error_code), detail);
        log_error("  faulting address (cr2): 0x%016llx", static_cast<unsigned long long>(read_cr2()));
    } else if (f.vector == 10 || f.vector == 11 || f.vector == 12 || f.vector == 13) {
        decode_selector_error(f.error_code, detail, sizeof detail);
        log_error("  error code 0x%llx: %s", static_cast<unsigned long long>(f.error_code), detail);
        if (f.vector == 13 && f.error_code == 0)
            log_error("  (a non-canonical address, a privileged instruction or a bad operand)");
    } else if (has_error_code(f.vector)) {
        log_error("  error code 0x%llx", static_cast<unsigned long long>(f.error_code));
    }

    char where[128];
    symbolize(f.rip, where, sizeof where);
    log_error("  faulting address (rip): 0x%016llx %s", static_cast<unsigned long long>(f.rip), where);

    if (f.vector == kVectorDoubleFault) {
        u64 handler_rsp = read_rsp();
        const KernelStack* here = stacks_find(handler_rsp);
        log_error("  handled on the %s stack (rsp 0x%016llx)", here ? here->name : "unknown",
                  static_cast<unsigned long long>(handler_rsp));
        if (const KernelStack* overflowed = stacks_find_guard(f.rsp))
            log_error("  kernel stack overflow: rsp 0x%016llx is in the guard page below the %s stack",
                      static_cast<unsigned long long>(f.rsp), overflowed->name);
    }
    log_registers(f);
    log_error("  at 0x%016llx %s", static_cast<unsigned long long>(f.rip), where);
    // A stack overflow leaves thousands of frames: show the innermost few.
    log_backtrace(f.rbp, f.vector == kVectorDoubleFault ? 8 : 32);
}

// Whether execution may resume elsewhere after the fault: not after #DF (a
// stack overflow: the stack it left may be anywhere), NMI or #MC.
bool recoverable(const InterruptFrame& f) {
    return f.vector < 32 && f.vector != kVectorDoubleFault && f.vector != kVectorNmi &&
           f.vector != kVectorMachineCheck;
}

[[noreturn]] void report_exception(const InterruptFrame& f) {
    char what[96];
    format(what, sizeof what, "%s (vector %llu)", f.vector < 32 ? kExceptionNames[f.vector] : "unexpected interrupt",
           static_cast<unsigned long long>(f.vector));
    fault_handle({FaultKind::cpu_exception, what, f.rip, recoverable(f), log_exception_details, &f});
}

// The log went idle: the consoles present what they held back. Their code
// (modules) may use SSE, which the interrupted code may be using too, and
// the entry stubs save only the general registers: the FPU/SSE state is
// saved around the flush.
void flush_log_in_interrupt() {
    alignas(16) u8 fpu_state[512];
    asm volatile("fxsave64 %0" : "=m"(fpu_state));
    log_flush();
    asm volatile("fxrstor64 %0" : : "m"(fpu_state));
}

// A module's interrupt line: its handler runs with the FPU/SSE state saved
// (module code may use SSE, and so may the code it interrupted).
void dispatch_module_line(u8 irq) {
    alignas(16) u8 fpu_state[512];
    asm volatile("fxsave64 %0" : "=m"(fpu_state));
    irq_line_dispatch(irq);
    asm volatile("fxrstor64 %0" : : "m"(fpu_state));
}

} // namespace

extern "C" void interrupt_dispatch(InterruptFrame* frame) {
    u64 vector = frame->vector;
    if (vector >= kIrqBaseVector && vector < kIrqBaseVector + 16) {
        u8 irq = static_cast<u8>(vector - kIrqBaseVector);
        // A spurious interrupt (7 or 15 with nothing in service) gets no
        // end of interrupt from its own PIC (15: the master's still, for the cascade).
        if ((irq == 7 || irq == 15) && !pic_in_service(irq)) {
            if (irq == 15) pic_end_of_interrupt(2);
            return;
        }
        if (irq == 0) {
            pic_end_of_interrupt(irq);
            timer_tick();
            if (log_tick()) flush_log_in_interrupt();
            return;
        }
        dispatch_module_line(irq);
        pic_end_of_interrupt(irq);
        return;
    }
    if (vector == 255) return; // spurious: nothing to acknowledge
    if (vector == kVectorBreakpoint) {
        char where[128];
        symbolize(frame->rip - 1, where, sizeof where);
        log_debug("breakpoint at 0x%016llx %s", static_cast<unsigned long long>(frame->rip - 1), where);
        return;
    }
    report_exception(*frame);
}

} // namespace celos::x86_64
