// bootfb: the framebuffer the boot loader left, as the first provider of
// the display service (<celos/display.h>). Lives in the core because the
// core already maps that framebuffer and owns it (its boot screen draws
// there until a console takes it): a driver module that takes the screen
// over replaces this provider; when none does, it is what fbcon draws on.
#pragma once

namespace celos {

// Registers the display service when the boot loader gave a linear RGB
// framebuffer; logs nothing otherwise (the framebuffer line said it).
void bootfb_register();

} // namespace celos
