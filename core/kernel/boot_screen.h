// The core's own mark on the framebuffer before a console module exists: it
// clears the screen and draws a status band along the top edge, blue while
// booting, green when ready, red after a panic. Fault-safe: it only writes.
#pragma once

#include "boot/multiboot2.h"

namespace celos {

enum class BootState { booting, ready, panic };

// `pixels` is the mapped framebuffer; formats other than 15/16/24/32 bpp RGB
// are left alone (the serial log still has everything).
void boot_screen_init(const mb2::Framebuffer& fb, void* pixels);
void boot_screen_set_state(BootState state);
// A console module took the framebuffer: the core stops drawing on it.
void boot_screen_release();
// Every module that took it was unloaded (a console whose init failed or
// faulted): the core clears the screen and shows its band again.
void boot_screen_reclaim();

} // namespace celos
