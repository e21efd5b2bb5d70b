// Main-loop tasks (<celos/system.h>): after the boot the kernel waits for
// interrupts, and after each one it runs every registered task (the shell's
// loop), in order of registration, with interrupts on.
#pragma once

#include <celos/system.h>

#include "lib/result.h"
#include "lib/types.h"

namespace celos {

Result<void> task_register(int owner, celos_task_fn task, void* context);
Result<void> task_unregister(celos_task_fn task, void* context);
// The module whose task is running now, or -1 (none, or the core).
int task_running_module();
// The kernel's main loop: never returns.
[[noreturn]] void tasks_main_loop();

} // namespace celos
