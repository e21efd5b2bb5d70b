/* The module ABI's version (abi.h includes it; host tools may include it
   alone). */
#ifndef CELOS_VERSION_H
#define CELOS_VERSION_H

/* Major: incompatible changes (a module must match it exactly).
   Minor: additions (a module built for minor N loads on a core >= N). */
#define CELOS_ABI_VERSION_MAJOR 1
#define CELOS_ABI_VERSION_MINOR 7

#include <celos/cdefs.h>
CELOS_STATIC_ASSERT(CELOS_ABI_VERSION_MAJOR >= 1 && CELOS_ABI_VERSION_MINOR >= 0, "ABI version");

#endif
