// The in-kernel tests (core/ktest/), the one header the boot path includes.
// Production code never calls into ktest otherwise.
#pragma once

namespace celos {

// Runs the tests the command line asks for, in this order: `fault=NAME`
// (a fault on purpose: does not return when it works), `wxaudit=inject`
// (violations the W^X audit must find), `selftest` (the in-kernel checks;
// exits the machine). Each prints KTAP results (ktest/ktap.h); without
// these options it does nothing.
void ktest_run_requested();

} // namespace celos
