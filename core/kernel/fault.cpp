#include "kernel/fault.h"

#include "kernel/panic.h"
#include "log/log.h"

namespace celos {
namespace {

const FaultHooks* hooks = nullptr;

} // namespace

void fault_set_hooks(const FaultHooks* h) {
    hooks = h;
}

void fault_handle(const FaultReport& r) {
    if (hooks && hooks->quiesce) hooks->quiesce(r.ip);
    char context[96];
    if (r.recoverable && hooks && hooks->claim && hooks->claim(r.ip, context, sizeof context)) {
        log_error("FAULT in %s: %s%s", context,
                  r.kind == FaultKind::cpu_exception ? "CPU exception " : "panic: ", r.what);
        if (r.details) r.details(r.ctx);
        hooks->recover(r.ip);
    }
    panic_begin();
    log_error("PANIC: %s%s", r.kind == FaultKind::cpu_exception ? "CPU exception " : "", r.what);
    if (r.details) r.details(r.ctx);
    panic_end();
}

} // namespace celos
