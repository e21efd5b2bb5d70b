// What the shell uses of the kernel, as a struct of function pointers: the
// shell module fills it with the ABI's calls (shell_module.cpp), the host
// tests and the fuzzer with a fake. Each call is the ABI call of the same
// name (<celos/system.h>, <celos/bootfile.h>, <celos/console.h>).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <celos/status.h>

namespace celos::shell {

// The console font in use.
struct FontInUse {
    char provider[32]; // the module whose code draws it ("psf", "truetype")
    char name[96];     // its name ("truetype:LiberationMono-Regular.ttf@20")
    uint32_t cell_width, cell_height;
};

struct System {
    void* context;
    int (*info)(void* context, const char* topic, const char* arg, char* out, size_t size);
    celos_status (*module_load)(void* context, const char* file, const char* params, char* why, size_t why_size);
    // ask_holders: CELOS_UNLOAD_ASK_HOLDERS (rmmod); not for a clean-up.
    celos_status (*module_unload)(void* context, const char* name, bool ask_holders, char* why, size_t why_size);
    celos_status (*bootfile_find)(void* context, const char* name, const void** data, size_t* size);
    // False when no module provides the "font" service.
    bool (*font_in_use)(void* context, FontInUse* font);
    // Opens `file` with `params` in the loaded font provider `module`
    // through its control service (celos_font_control_ops.open, <celos/font.h>):
    // CELOS_ERR_NOT_FOUND when `module` has no such service (it is not loaded).
    celos_status (*font_open)(void* context, const char* module, const char* file, const char* params, char* why,
                              size_t why_size);
    void (*scroll)(void* context, int32_t lines);
    void (*reboot)(void* context);   // returns only in tests
    void (*poweroff)(void* context); // returns only in tests
    const char* (*strerror)(celos_status status);
    // Memory for a long report (dmesg); null when there is none.
    void* (*allocate)(void* context, size_t size);
    void (*release)(void* context, void* block);
    // The display's mode at run time (the "display" service's set_mode):
    // CELOS_ERR_NOT_FOUND when no display service is there. May be null
    // (no display control: the mode command says so).
    celos_status (*display_set_mode)(void* context, uint32_t width, uint32_t height, char* why, size_t why_size);
};

} // namespace celos::shell
