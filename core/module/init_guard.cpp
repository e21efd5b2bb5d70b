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

#include "module/init_guard.h"

#include "kernel/fault.h"
#include "lib/format.h"
#include "module/module.h"
#include "log/log.h"

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

namespace {

// The generic fault handler's hooks (kernel/fault.h).
void quiesce(u64 ip) {
    // The report must not run through a log sink of the module that faulted.
    int module = module_owning(ip);
    if (module >= 0) module_log_sinks_remove(module);
}

bool claim(u64 ip, char* context, usize size) {
    if (!init_guard_claim(ip)) return false;
    format(context, size, "the init of module %s", module_name(module_owning(ip)));
    return true;
}

void recover(u64 ip) {
    log_error("module %s: init abandoned after the fault, the module is unloaded", module_name(module_owning(ip)));
    init_guard_recover();
}

constexpr FaultHooks kHooks = {quiesce, claim, recover};

} // namespace

void init_guard_install() { fault_set_hooks(&kHooks); }

} // namespace celos
