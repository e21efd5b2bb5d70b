// Randomized module bases: each module's range in the module area is put at
// a page-aligned place drawn per boot from RDRAND (the TSC, mixed, when the
// CPU has none). `nokaslr` on the command line gives the deterministic
// first-fit bases instead, for debugging.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace celos {

// Reads nokaslr, checks for RDRAND and logs which source seeds the bases.
void kaslr_init();
// A range of `size` bytes in the module area: randomized unless nokaslr.
// Fails only when no place fits; a randomized pick that cannot be made
// falls back to first fit.
Result<u64> module_area_allocate(u64 size);

} // namespace celos
