// A small demangler for the Itanium C++ ABI names of functions, enough for
// fault reports: "_ZN12_GLOBAL__N_14initEv" -> "(anonymous namespace)::init".
// It gives the qualified name without parameters (as the core's own symbol
// table has them) and refuses (returns false) what it does not understand,
// so the caller can print the mangled name instead.
#pragma once

#include "lib/types.h"

namespace celos {

bool demangle_function_name(const char* mangled, char* out, usize size);

} // namespace celos
