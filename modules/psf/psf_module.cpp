// The bitmap font provider: a PSF1 or PSF2 font from a boot file, offered as
// the "font" service. Parameters: font=FILE (the boot file's name, as on its
// module2 line), scale=N (integer scaling for hi-DPI screens) and replace=on
// (take the font service over from the module that provides it).
//
// The first font module to start provides the font: loaded after the
// TrueType module, this one is the fallback, used only when that one
// failed; otherwise it declines (CELOS_ERR_EXISTS) and is unloaded. With
// replace=on it replaces the provider instead (celos_service_replace: the
// console switches to this font, and the old font's module can be unloaded);
// if a holder refuses, init fails and the old font stays.
//
// glyph() and fallback() (called from the console's log sink) only read the
// map and render into the scratch bitmap, both allocated here at init.
#include <celos/abi.h>
#include <celos/cxx.h>
#include <celos/font.h>

#include "psf_font.h"

namespace {

using namespace celos::psf;

char font_name[CELOS_BOOTFILE_NAME_MAX + 1] = "Lat15-Terminus16.psf";
int64_t scale = 1;
bool replace = false;

const celos_module_param params[] = {
    {"font", CELOS_PARAM_STRING, sizeof font_name, font_name, "the PSF boot file"},
    {"scale", CELOS_PARAM_INT, 0, &scale, "integer scale factor (1 to 8)"},
    {"replace", CELOS_PARAM_BOOL, 0, &replace, "replace the font a module already provides"},
};

FontService* service = nullptr;
MapEntry* map = nullptr;
uint8_t* scratch = nullptr;
char service_name[CELOS_BOOTFILE_NAME_MAX + 8]; // "psf:" and the file name

// Frees what init allocated and forgets it (init may run again).
void release() {
    kfree(map);
    kfree(scratch);
    delete service;
    map = nullptr;
    scratch = nullptr;
    service = nullptr;
}

celos_status psf_init() {
    auto* other = static_cast<const celos_font_ops*>(
        celos_service_lookup(CELOS_FONT_SERVICE, CELOS_FONT_INTERFACE_VERSION));
    if (other && !replace) {
        celos_log(CELOS_LOG_INFO, "the font is already provided by '%s': not needed", other->name);
        return CELOS_ERR_EXISTS;
    }
    const void* data = nullptr;
    size_t size = 0;
    if (celos_bootfile_find(font_name, &data, &size) != CELOS_OK) {
        celos_log(CELOS_LOG_ERROR, "font file '%s' not found (add: module2 /boot/modules/%s %s)", font_name, font_name,
                  font_name);
        return CELOS_ERR_NOT_FOUND;
    }
    if (scale < 1 || scale > kMaxScale) {
        celos_log(CELOS_LOG_ERROR, "scale=%lld is out of range 1..%u", static_cast<long long>(scale), kMaxScale);
        return CELOS_ERR_RANGE;
    }
    Font font;
    if (const char* why = parse(static_cast<const uint8_t*>(data), size, font)) {
        celos_log(CELOS_LOG_ERROR, "%s: not a usable PSF font: %s", font_name, why);
        return CELOS_ERR_INVALID;
    }
    size_t capacity = map_capacity(font);
    map = static_cast<MapEntry*>(kcalloc(capacity ? capacity : 1, sizeof(MapEntry)));
    size_t scratch_bytes = scratch_size(font, static_cast<uint32_t>(scale));
    scratch = static_cast<uint8_t*>(kmalloc(scratch_bytes));
    service = new (std::nothrow) FontService;
    if (!map || !scratch || !service) {
        release();
        return CELOS_ERR_NO_MEMORY;
    }
    size_t count = map_build(font, map, capacity);
    snprintf(service_name, sizeof service_name, "psf:%s", font_name);
    if (const char* why = service_init(*service, font, map, count, static_cast<uint32_t>(scale), scratch,
                                       scratch_bytes, service_name)) {
        celos_log(CELOS_LOG_ERROR, "%s: %s", font_name, why);
        release();
        return CELOS_ERR_INVALID;
    }
    celos_status s =
        replace ? celos_service_replace(CELOS_FONT_SERVICE, CELOS_FONT_INTERFACE_VERSION, &service->ops)
                : celos_service_register(CELOS_FONT_SERVICE, CELOS_FONT_INTERFACE_VERSION, &service->ops);
    if (s != CELOS_OK) {
        celos_log(CELOS_LOG_ERROR, "cannot %s the font service: %s", replace ? "replace" : "register",
                  celos_strerror(s));
        release();
        return s;
    }
    celos_log(CELOS_LOG_INFO, "%s: PSF%u, %u glyphs of %ux%u, %zu code points mapped, scale %lld%s",
              font_name, font.version, font.glyph_count, font.width, font.height, count,
              static_cast<long long>(scale), replace ? ", replacing the font" : "");
    return CELOS_OK;
}

// Runs when nobody holds the font (the core refuses the unload before):
// either this module still provides it, or another replaced it.
void psf_exit() {
    if (service) celos_service_unregister(CELOS_FONT_SERVICE, &service->ops);
    release();
}

} // namespace

CELOS_MODULE_WITH_PARAMS("psf", "1.0", "heap", psf_init, psf_exit, params, 3);
