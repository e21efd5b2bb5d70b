// The core's side of the module ABI (abi/include/celos/), one file per
// header: status.cpp, log.cpp, memory.cpp, bootfile.cpp, framebuffer.cpp,
// service.cpp, libc.cpp, irq.cpp. Each function is exported with CELOS_EXPORT into
// the core's export table (abi/exports.txt lists them; an ABI test compares).
// What a module gets is recorded against the calling module, found from the
// return address, so it is released when the module goes.
#pragma once

#include "module/module.h"

// The module whose code called the ABI function this is used in (-1: the core).
#define CALLER_MODULE() ::celos::module_owning(reinterpret_cast<::celos::u64>(__builtin_return_address(0)))
