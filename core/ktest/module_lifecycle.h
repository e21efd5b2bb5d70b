// The run-time lifecycle of the shipped modules, in one boot: a font
// provider held by the console cannot be unloaded; a second font module
// loaded with replace=on takes over while the console holds the font, and
// the old provider can then be unloaded; every loaded module is unloaded,
// loaded again and unloaded again, leaving no pages, ranges, services or
// heap bytes behind; then they are loaded once more, so the boot ends as it
// was. A KTAP subtest of the selftest.
#pragma once

#include "lib/types.h"

namespace celos::ktest {

// False when a check failed (`detail` says which). Skips (true, with a
// detail) when no module is loaded.
bool module_lifecycle_run(usize depth, char* detail, usize size);

} // namespace celos::ktest
