// The host's kmalloc shim (host_heap.c), linked into celos_truetype_host.
#pragma once

extern "C" long celos_host_heap_live_blocks(void);
// Calls of kmalloc, krealloc and kcalloc since the program started.
extern "C" long celos_host_heap_allocations(void);
