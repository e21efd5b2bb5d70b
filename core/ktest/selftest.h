// In-kernel checks, run with the `selftest` command-line option.
#pragma once

namespace celos::ktest {

// Runs every check, prints one KTAP line each (ktest/ktap.h) and a summary,
// and exits the machine with success when all pass and failure otherwise.
[[noreturn]] void selftest_run();

} // namespace celos::ktest
