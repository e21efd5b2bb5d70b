/* Consoles: terminals the kernel's interactive output goes to (ABI 1.3).
   The log reaches them as lines (<celos/log.h>); a program's output (the
   shell's) reaches them as terminal bytes through celos_console_write,
   which the core sends to the serial port and to every registered console
   (the framebuffer console) alike: UTF-8 text and the VT/xterm control
   sequences the consoles understand.

   A console may keep a scrollback; celos_console_scroll moves its view
   (Shift+PgUp in the shell, and the panic screen's keys). New output
   returns the view to the bottom. */
#ifndef CELOS_CONSOLE_H
#define CELOS_CONSOLE_H

#include <celos/cdefs.h>
#include <celos/status.h>

/* celos_console_scroll's `lines` for "back to the bottom", and for a page
   (the screen's height less one line) back or forward. */
#define CELOS_CONSOLE_VIEW_BOTTOM INT32_MIN
#define CELOS_CONSOLE_PAGE_BACK INT32_MAX
#define CELOS_CONSOLE_PAGE_FORWARD (INT32_MIN + 1)

/* What a console registers. Both calls run with interrupts off, from any
   context (also the panic path): no allocation, no blocking. */
struct celos_console_ops {
    /* Terminal bytes, written as they come. */
    void (*write)(void* context, const char* data, size_t length);
    /* Moves the view `lines` back into the scrollback (> 0) or towards the
       bottom (< 0), clamped; CELOS_CONSOLE_VIEW_BOTTOM returns to the
       bottom, CELOS_CONSOLE_PAGE_BACK/FORWARD move a page. The console
       shows the change at once. */
    void (*scroll)(void* context, int32_t lines);
    void* context;
};

CELOS_BEGIN_DECLS
/* CELOS_ERR_NO_MEMORY when every console slot is taken. Released with the
   module. */
celos_status celos_console_register(const struct celos_console_ops* console);
celos_status celos_console_unregister(const struct celos_console_ops* console);
/* A console's size in character cells, said by the console when it
   starts and whenever it changes (a font or display mode change), so that
   programs lay their lines out for it (ABI 1.5). CELOS_ERR_NOT_FOUND if
   `console` is not registered, CELOS_ERR_INVALID for a size of 0 or above
   65535. Any context. */
celos_status celos_console_set_size(const struct celos_console_ops* console, uint32_t columns, uint32_t rows);
/* The size of the smallest console that said one (ABI 1.5): CELOS_OK, or
   CELOS_ERR_NOT_FOUND when none did (the serial port alone: its size is
   unknown). Any context. */
celos_status celos_console_size(uint32_t* columns, uint32_t* rows);
/* To the serial port and every console. Any context. */
void celos_console_write(const char* data, size_t length);
/* Every console's view (see scroll above); serial has no view. */
void celos_console_scroll(int32_t lines);
CELOS_END_DECLS

#endif
