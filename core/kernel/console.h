// Consoles (<celos/console.h>): the terminals a program's output goes to,
// beside the serial port; and their scrollback views.
#pragma once

#include <celos/console.h>

#include "lib/result.h"
#include "lib/types.h"

namespace celos {

Result<void> console_register(int owner, const celos_console_ops* console);
Result<void> console_unregister(const celos_console_ops* console);
// A registered console's size in cells (not_found, invalid), and the
// smallest size said (false when no console said one).
Result<void> console_set_size(const celos_console_ops* console, u32 columns, u32 rows);
bool console_size(u32& columns, u32& rows);
// Serial and every console. Any context.
void console_write(const char* data, usize length);
void console_scroll(i32 lines);
// A NUL-terminated note on the serial port only (not the consoles).
void console_note_serial(const char* text);
// Whether any console is registered (the panic path pages only then).
bool console_any();

} // namespace celos
