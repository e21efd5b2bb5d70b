// In-kernel checks, run with the `selftest` command-line option.
#pragma once

namespace celos {

// Runs every check, logs each result, and exits the machine with success
// when all pass and failure otherwise.
[[noreturn]] void selftest_run();

} // namespace celos
