#include "kernel/bootfb.h"

#include <celos/display.h>
#include <celos/framebuffer.h>

#include "abi/caller.h"
#include "kernel/kernel.h"
#include "log/log.h"
#include "module/services.h"

namespace celos {

// Defined in abi/framebuffer.cpp: the framebuffer handed to `module`.
const celos_framebuffer* framebuffer_take(int module);

namespace {

void get_mode(void*, celos_display_mode* out) {
    const mb2::Framebuffer& m = kernel().boot_info.framebuffer;
    *out = celos_display_mode{};
    out->width = m.width;
    out->height = m.height;
    out->pitch = m.pitch;
    out->virtual_height = m.height;
    out->bpp = m.bpp;
    out->red_position = m.red_position;
    out->red_size = m.red_size;
    out->green_position = m.green_position;
    out->green_size = m.green_size;
    out->blue_position = m.blue_position;
    out->blue_size = m.blue_size;
}

// The caller draws from now on (the core's boot screen stops; it takes the
// screen back when every module that drew is gone).
void* framebuffer(void*) {
    const celos_framebuffer* fb = framebuffer_take(CALLER_MODULE());
    return fb ? fb->pixels : nullptr;
}

celos_status mode_at(void*, uint32_t index, uint32_t* width, uint32_t* height) {
    if (index != 0 || !width || !height) return CELOS_ERR_NOT_FOUND;
    *width = kernel().boot_info.framebuffer.width;
    *height = kernel().boot_info.framebuffer.height;
    return CELOS_OK;
}

celos_status set_mode(void*, uint32_t, uint32_t) {
    return CELOS_ERR_UNSUPPORTED; // the boot loader's mode is the only one
}

const celos_display_ops ops = {"bootfb", nullptr, get_mode, framebuffer, mode_at, set_mode, nullptr, nullptr};

} // namespace

void bootfb_register() {
    const mb2::Framebuffer& m = kernel().boot_info.framebuffer;
    if (!m.present || m.type != mb2::FramebufferType::rgb || kernel().framebuffer.value() == 0) return;
    auto r = service_register(-1, CELOS_DISPLAY_SERVICE, CELOS_DISPLAY_INTERFACE_VERSION, &ops);
    if (!r.ok()) log_warn("bootfb: cannot provide the display service: %s", r.error().check);
}

} // namespace celos
