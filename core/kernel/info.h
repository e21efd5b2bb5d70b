// celos_info (<celos/system.h>): what the kernel can tell about itself, as
// text, like Linux's /proc files: the module list, one module in full, the
// boot files, memory, the log ring.
#pragma once

#include "lib/types.h"

namespace celos {

// Writes at most `size` bytes with a NUL; returns the whole text's length,
// or -1 for an unknown topic or module (`out` then says why).
int info_text(const char* topic, const char* arg, char* out, usize size);

} // namespace celos
