// The core's own mark on the screen before a console module exists: it
// draws a status band along the top edge (and clears the rest of the screen
// when the state first changes, if no console took it by then), blue while
// booting, green when ready, red after a panic. In RGB modes (15/16/24/32
// bpp) and indexed 8 bpp modes (the palette's nearest colours) the band is
// pixels; in EGA text mode, where no console module can draw, it is a line
// of text, and the screen says that the log is on the serial port.
// Fault-safe: it only writes.
#pragma once

#include "boot/multiboot2.h"

namespace celos {

enum class BootState { booting, ready, panic };

// `pixels` is the mapped framebuffer; other formats are left alone (the
// serial log still has everything).
void boot_screen_init(const mb2::Framebuffer& fb, void* pixels);
void boot_screen_set_state(BootState state);
// A console module took the framebuffer: the core stops drawing on it.
void boot_screen_release();
// Every module that took it was unloaded (a console whose init failed or
// faulted): the core clears the screen and shows its band again.
void boot_screen_reclaim();

} // namespace celos
