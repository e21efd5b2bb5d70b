// Fault containment for module init (see init_guard.h). The recovery point
// (core/arch/x86_64/recovery.S) holds the callee-saved registers, the stack
// pointer and RFLAGS of the call; resuming from the exception handler or
// from celos_panic drops every frame in between (the module's, the core's
// ABI functions it was in, the handler's), whichever stack they were on.
// What those frames held is restored here or released by the loader:
// - RFLAGS, so the interrupt flag of the caller (IrqGuard sections of the
//   core that were cut short leave nothing else behind: irq_save keeps no
//   count);
// - the module's log sinks are removed before the report
//   (module_log_sinks_remove), its pages, ranges, services, exports and
//   heap blocks when the loader unloads it.

#include "loader/init_guard.h"

#include "loader/loader.h"

namespace {

struct RecoveryPoint {
    celos::u64 rbx, rbp, r12, r13, r14, r15, rsp, rflags;
};

} // namespace

extern "C" celos_status recovery_call(RecoveryPoint* point, celos_status (*fn)(void));
extern "C" [[noreturn]] void recovery_resume(RecoveryPoint* point, long value);

namespace celos {
namespace {

RecoveryPoint point;
bool armed = false;
int guarded_module = -1;

} // namespace

celos_status init_guard_call(int module, celos_status (*init)(void)) {
    guarded_module = module;
    armed = true;
    celos_status status = recovery_call(&point, init);
    armed = false;
    guarded_module = -1;
    return status;
}

bool init_guard_covers(u64 address) {
    return armed && guarded_module >= 0 && module_owning(address) == guarded_module;
}

bool init_guard_claim(u64 address) {
    if (!init_guard_covers(address)) return false;
    armed = false;
    return true;
}

void init_guard_recover() {
    recovery_resume(&point, CELOS_ERR_FAULT);
}

} // namespace celos
