// The generic side of a fault: arch code describes a CPU exception in a
// neutral record and calls fault_handle (Zircon's "called by arch code,
// implemented by non-arch code"); panics come here too, so there is one
// report for both. A subsystem may register hooks that recover from a fault
// in code it runs under a guard (the module subsystem: a module's init);
// everything else is a panic.
#pragma once

#include "lib/types.h"

namespace celos {

enum class FaultKind : u8 { cpu_exception, panic };

struct FaultReport {
    FaultKind kind;
    const char* what; // "#PF page fault (vector 14)", or a panic's message
    u64 ip;           // the faulting instruction, or the code that panicked
    bool recoverable; // the CPU's state allows resuming elsewhere (false for #DF, NMI, #MC, core panics)
    void (*details)(const void* ctx); // logs the report's body (error code, registers, backtrace)
    const void* ctx;
};

// Reports the fault; a hook may recover from it, else the machine stops.
[[noreturn]] void fault_handle(const FaultReport& report);

struct FaultHooks {
    // Before any report: code around `ip` stops being called by the log
    // (a module's log sinks go), so the report does not run through it.
    void (*quiesce)(u64 ip);
    // Whether a fault at `ip` is recovered; if so names the context for the
    // headline ("the init of module NAME") and disarms, so that a fault
    // while reporting is a panic.
    bool (*claim)(u64 ip, char* context, usize size);
    // After the report of a claimed fault: resumes the guarded caller. Must
    // not return.
    void (*recover)(u64 ip);
};
// Registers the hooks (one set; the module subsystem's).
void fault_set_hooks(const FaultHooks* hooks);

} // namespace celos
