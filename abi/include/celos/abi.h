/* The CelOS module ABI: what a module may use of the core. C-compatible and
   freestanding; modules include nothing else from the kernel.
   The module descriptor, the export table and the core's services are
   added here by the module loader work (docs/architecture.md). */
#ifndef CELOS_ABI_H
#define CELOS_ABI_H

#define CELOS_ABI_VERSION_MAJOR 0
#define CELOS_ABI_VERSION_MINOR 1

#endif
