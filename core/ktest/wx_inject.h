// `wxaudit=inject`: violations planted on purpose to show that the W^X audit
// (kernel/wx_check.h) finds them: a writable+executable page in the core's
// virtual-range window and, when a module is loaded, that module's first
// rodata page made writable.
#pragma once

#include "lib/types.h"

namespace celos::ktest {

struct WxInjection {
    u64 wx_page = 0;                    // 0: none planted
    const char* rodata_owner = nullptr; // the module whose rodata is writable, or nullptr
    u64 rodata_page = 0;
    usize planted() const { return (wx_page ? 1 : 0) + (rodata_owner ? 1 : 0); }
};

WxInjection wx_inject_plant();
void wx_inject_remove(const WxInjection& injection);

// The `wxaudit=inject` run: plants, audits, removes, audits again; KTAP
// results `wx_audit_finds_injected` and `wx_audit_clean_after_removal`.
void wx_inject_run();

} // namespace celos::ktest
