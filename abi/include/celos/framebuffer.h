/* The framebuffer the boot loader set up, as the core mapped it. */
#ifndef CELOS_FRAMEBUFFER_H
#define CELOS_FRAMEBUFFER_H

#include <celos/cdefs.h>

struct celos_framebuffer {
    void* pixels;           /* write-combining mapping: write, do not read */
    uint64_t physical;
    uint32_t width;
    uint32_t height;
    uint32_t pitch;         /* bytes per row */
    uint8_t bpp;
    uint8_t red_position, red_size;
    uint8_t green_position, green_size;
    uint8_t blue_position, blue_size;
    uint8_t reserved;
};

CELOS_BEGIN_DECLS
/* NULL when there is no linear RGB framebuffer. */
const struct celos_framebuffer* celos_framebuffer_get(void);
CELOS_END_DECLS

#endif
