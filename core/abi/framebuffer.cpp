// <celos/framebuffer.h>: the framebuffer GRUB set up, as the core mapped it.

#include <celos/abi.h>

#include "abi/caller.h"
#include "kernel/boot_screen.h"
#include "kernel/kernel.h"
#include "module/resources.h"

using namespace celos;

namespace {

// When the last module that drew is gone (a console that failed or faulted
// in init, or was unloaded), the core takes the screen back.
void release_framebuffer(int, u64, u64) {
    if (!resource_any(ResourceKind::framebuffer)) boot_screen_reclaim();
}

} // namespace

namespace celos {

const celos_framebuffer* framebuffer_take(int module) {
    static celos_framebuffer fb;
    const mb2::Framebuffer& m = kernel().boot_info.framebuffer;
    if (!m.present || m.type != mb2::FramebufferType::rgb || kernel().framebuffer.value() == 0)
        return nullptr;
    boot_screen_release(); // whoever asks draws from now on
    if (module >= 0 && !resource_find(ResourceKind::framebuffer, static_cast<u64>(module), nullptr, nullptr))
        resource_add(module, ResourceKind::framebuffer, static_cast<u64>(module), 0, release_framebuffer);
    fb.pixels = kernel().framebuffer.as<void>();
    fb.physical = m.address.value();
    fb.width = m.width;
    fb.height = m.height;
    fb.pitch = m.pitch;
    fb.bpp = m.bpp;
    fb.red_position = m.red_position;
    fb.red_size = m.red_size;
    fb.green_position = m.green_position;
    fb.green_size = m.green_size;
    fb.blue_position = m.blue_position;
    fb.blue_size = m.blue_size;
    return &fb;
}

} // namespace celos

extern "C" const struct celos_framebuffer* celos_framebuffer_get(void) {
    return framebuffer_take(CALLER_MODULE());
}

CELOS_EXPORT(celos_framebuffer_get);
