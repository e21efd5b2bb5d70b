// The load pipeline of one module and its teardown, for boot.cpp and
// runtime.cpp.
#pragma once

#include <celos/heap.h>

#include "module/registry.h"

namespace celos {

// Checks the file (integrity, ELF) into `m`: state parsed, or refused with
// the reason logged. `m.label`, `m.args`, `m.file` and `m.quiet` are set.
bool module_parse(ModuleSlot& m);
// Lays out, relocates, links, checks the descriptor, protects, applies the
// parameters and calls init. False when refused, failed or declined (the
// module is then released and `m.state` says which).
bool module_start(ModuleSlot& m);
// Releases everything `m` holds: its resources newest first, its exports,
// its pages and its range.
void module_release(ModuleSlot& m);

// The heap module's private service, when loaded (for leak checks and
// heap-block accounting).
const celos_heap_service* heap_service();

} // namespace celos
