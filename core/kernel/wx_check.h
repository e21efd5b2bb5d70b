// The boot's W^X audit (mm/wx_audit.h over the live page table), run once
// all modules are loaded.
#pragma once

namespace celos {

// Logs one summary line and an error per violation; returns true when
// there is none. `wxaudit=inject` (tests only) first plants a
// writable+executable page and a writable module rodata page, to show the
// audit finds them, and removes them after.
bool wx_check_boot();

// The same audit at any later time, without the injection: the selftest
// runs it while a module loaded after boot is in place.
bool wx_check_now();

} // namespace celos
