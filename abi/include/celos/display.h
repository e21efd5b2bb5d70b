/* The display service: what a console draws into, whoever drives the
   screen. Providers: bootfb (the framebuffer the boot loader left), bochs,
   virtio_gpu. A consumer (fbcon) acquires CELOS_DISPLAY_SERVICE with a
   watch and knows no driver.

   A driver that takes over registers its ops with celos_service_replace: a
   holder's watch switches to the new display (a new mode, a new
   framebuffer). A mode change at run time (set_mode) is announced the same
   way: the driver calls celos_service_replace with its own ops again, and
   each holder re-reads the mode; a holder that refuses (no memory for the
   new size) makes set_mode fail, and the driver goes back to the old mode.

   Calls may come from a log sink with interrupts off (framebuffer, flush,
   set_y_offset): those never allocate or block. */
#ifndef CELOS_DISPLAY_H
#define CELOS_DISPLAY_H

#include <celos/cdefs.h>
#include <celos/status.h>

#define CELOS_DISPLAY_SERVICE "display"
#define CELOS_DISPLAY_INTERFACE_VERSION 1

struct celos_display_mode {
    uint32_t width, height; /* visible pixels */
    uint32_t pitch;         /* bytes per row of the framebuffer */
    uint32_t virtual_height; /* rows of the framebuffer (>= height); more than
                                height when set_y_offset can pan over them */
    uint8_t bpp;            /* 15, 16, 24 or 32 */
    uint8_t red_position, red_size;
    uint8_t green_position, green_size;
    uint8_t blue_position, blue_size;
    uint8_t reserved;
};

struct celos_display_ops {
    const char* name; /* the driver: "bootfb", "bochs", "virtio_gpu" */
    void* context;    /* passed to every call */
    /* The current mode. */
    void (*get_mode)(void* context, struct celos_display_mode* out);
    /* The framebuffer of the current mode (virtual_height rows of pitch
       bytes): write only, it may be device memory. */
    void* (*framebuffer)(void* context);
    /* The modes offered: index from 0, CELOS_ERR_NOT_FOUND past the last. */
    celos_status (*mode_at)(void* context, uint32_t index, uint32_t* width, uint32_t* height);
    /* Sets a mode (32 bpp). CELOS_ERR_UNSUPPORTED when the driver cannot
       change modes; CELOS_ERR_RANGE when it does not fit (the old mode stays). */
    celos_status (*set_mode)(void* context, uint32_t width, uint32_t height);
    /* Shows what was written to the rectangle (framebuffer coordinates, rows
       up to virtual_height). NULL when writes show by themselves. */
    void (*flush)(void* context, uint32_t x, uint32_t y, uint32_t width, uint32_t height);
    /* Shows the framebuffer from row `y` (0 .. virtual_height - height).
       NULL when the display cannot pan. */
    celos_status (*set_y_offset)(void* context, uint32_t y);
};

/* "WIDTHxHEIGHT" (or "WIDTHXHEIGHT"), as the drivers' mode= parameters and
   the shell's `mode` command take it: NULL with *width and *height set, or
   what is wrong (nothing written). Each number at most 65535; the range a
   device takes is its driver's to check. Header-only: no export. */
static inline const char* celos_display_parse_mode(const char* text, uint32_t* width, uint32_t* height) {
    uint32_t v[2] = {0, 0};
    const char* p = text;
    for (int part = 0; part < 2; ++part) {
        const char* start = p;
        while (*p >= '0' && *p <= '9') {
            v[part] = v[part] * 10 + (uint32_t)(*p - '0');
            if (v[part] > 65535) return "a number above 65535";
            ++p;
        }
        if (p == start) return "expected WIDTHxHEIGHT (like 1280x720)";
        if (part == 0) {
            if (*p != 'x' && *p != 'X') return "expected WIDTHxHEIGHT (like 1280x720)";
            ++p;
        }
    }
    if (*p) return "expected WIDTHxHEIGHT (like 1280x720)";
    *width = v[0];
    *height = v[1];
    return 0;
}

#endif
