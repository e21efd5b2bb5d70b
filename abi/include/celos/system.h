/* The running system (ABI 1.3): work in the kernel's main loop, modules
   loaded and unloaded at run time, what the kernel can tell about itself,
   and stopping the machine. What a shell is made of.

   Main-loop tasks. After the boot (`celos: ready`) the kernel's main loop
   waits for interrupts; after each one it calls every registered task, in
   order of registration, with interrupts on, in the kernel's own context:
   a task may take its time and call anything a module's init may (load
   and unload modules, allocate), but nothing else runs meanwhile except
   interrupt handlers. A task runs until it returns; it is not preempted. */
#ifndef CELOS_SYSTEM_H
#define CELOS_SYSTEM_H

#include <celos/cdefs.h>
#include <celos/status.h>

typedef void (*celos_task_fn)(void* context);

CELOS_BEGIN_DECLS
/* CELOS_ERR_NO_MEMORY when every task slot is taken. A module's tasks are
   removed when it is unloaded. */
celos_status celos_task_register(celos_task_fn task, void* context);
celos_status celos_task_unregister(celos_task_fn task, void* context);

/* Loads the module in boot file `file` (a module2 line GRUB passed but the
   boot did not start, or one unloaded since) with `params` ("key=value
   ..."; NULL for none), as at boot: checked, linked, started under the
   fault guard. CELOS_OK, or an error with the reason in why (always
   NUL-terminated when why_size > 0). */
celos_status celos_module_load(const char* file, const char* params, char* why, size_t why_size);
/* Unloads the loaded module `name`: CELOS_ERR_NOT_FOUND, or CELOS_ERR_BUSY
   with the reason (who depends on it, who holds a service it provides, or
   that it is the caller itself). */
celos_status celos_module_unload(const char* name, char* why, size_t why_size);
/* ABI 1.7: celos_module_unload with flags (any other bit: CELOS_ERR_INVALID).
   CELOS_UNLOAD_ASK_HOLDERS (what `rmmod` does): once nothing else keeps the
   module, each module holding a service it provides is asked to let go
   (<celos/service.h>, ABI 1.7); the unload is refused while a holder
   refuses or cannot be asked. Without it (a clean-up, like the shell's
   `font` unloading the old provider), a hold keeps the module. */
#define CELOS_UNLOAD_ASK_HOLDERS 1u
celos_status celos_module_unload_flags(const char* name, uint32_t flags, char* why, size_t why_size);

/* What the kernel can tell about itself, as text (like Linux's /proc):
   writes at most `size` bytes including a NUL into `out` and returns the
   length the whole text has (as snprintf: a return >= size means it was
   cut). Topics:
     "modules"        one line per module: name, version, address, size,
                      state, users (lsmod)
     "module"         everything about the module `arg`: version,
                      dependencies, parameters (type, description, value),
                      exports, services it provides and holds (modinfo)
     "module-names"   the loaded modules' names, one per line
     "bootfiles"      the boot files: name, size, kind (ls)
     "bootfile-names" the boot files' names, one per line
     "memory"         physical pages, the module area, heap use per module
     "log"            the log ring, one line each as on serial; `arg` is
                      the number of newest lines, or NULL for all (dmesg)
   Returns -1 for an unknown topic or module (`out` then holds the reason). */
int celos_info(const char* topic, const char* arg, char* out, size_t size);

/* Stops the machine: a reset (reboot) or power off (QEMU's exit device
   with success, else ACPI S5 where the core finds it, else a halt). The
   consoles are flushed first. */
CELOS_NORETURN void celos_reboot(void);
CELOS_NORETURN void celos_poweroff(void);
CELOS_END_DECLS

#endif
