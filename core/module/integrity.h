// Module integrity: each module file's SHA-256 is looked up in the manifest
// the build embedded in the core (module/manifest.h). `modsig=enforce`
// refuses a module that is not there; `modsig=warn` (the default) loads it
// and taints the kernel. Boot files (fonts, text) are data: their consumers
// check them.
#pragma once

#include "lib/result.h"
#include "lib/span.h"
#include "module/module_image.h"
#include "lib/types.h"

namespace celos {

// Reads modsig= from the kernel command line (a bad value is a warning and
// the default stays) and logs the mode and the manifest's size.
void integrity_init();

// Checks one module file, at boot or when a module is loaded later
// (module_load_file). An error when it must be refused: `d` then says why,
// with the file's hash. `quiet` leaves out the line of a match (the
// selftest's load cycles); a mismatch is always logged.
Result<void> integrity_check_module(const char* label, ByteSpan file, loader::Diagnostic& d, bool quiet = false);

} // namespace celos
