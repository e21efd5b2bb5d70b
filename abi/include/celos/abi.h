/* The CelOS module ABI: everything a module may use of the core. C11 and
   C++20, freestanding: a module includes these headers and nothing else of
   the kernel. A change here is a change of CELOS_ABI_VERSION_*; the exported
   symbols are listed, with their signatures, in abi/exports.txt. */
#ifndef CELOS_ABI_H
#define CELOS_ABI_H

#include <celos/version.h>
#include <celos/status.h>
#include <celos/module.h>
#include <celos/log.h>
#include <celos/memory.h>
#include <celos/bootfile.h>
#include <celos/framebuffer.h>
#include <celos/service.h>
#include <celos/libc.h>
#include <celos/heap.h>
#include <celos/irq.h>
#include <celos/input.h>
#include <celos/console.h>
#include <celos/system.h>

#endif
