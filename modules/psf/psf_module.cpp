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
// While it runs, the module opens another font on request through its
// control service "font-control.psf" (celos_font_control_ops, <celos/font.h>;
// the shell's `font` command): the new font replaces the service, and the
// old one is freed only once the console has switched. The parameters then
// describe the font in use.
//
// glyph() and fallback() (called from the console's log sink) only read the
// map and render into the scratch bitmap, both allocated with the font.
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

#define CONTROL_SERVICE CELOS_FONT_CONTROL_PREFIX "psf"

// One open font: what its ops point to.
struct OpenFont {
    FontService service;
    MapEntry* map = nullptr;
    uint8_t* scratch = nullptr;
    char name[CELOS_BOOTFILE_NAME_MAX + 8]; // "psf:" and the file name
};
OpenFont* current = nullptr; // the font this module opened last (it may have been replaced since)

void close_font(OpenFont* f) {
    if (!f) return;
    kfree(f->map);
    kfree(f->scratch);
    delete f;
}

// Opens the boot file `file` at `scale_factor` into *out, not yet
// registered; else an error with the message in why.
celos_status open_font(const char* file, uint32_t scale_factor, OpenFont** out, char* why, size_t why_size) {
    const void* data = nullptr;
    size_t size = 0;
    if (celos_bootfile_find(file, &data, &size) != CELOS_OK) {
        snprintf(why, why_size, "font file '%s' not found (add: module2 /boot/modules/%s %s)", file, file, file);
        return CELOS_ERR_NOT_FOUND;
    }
    auto* f = new (std::nothrow) OpenFont;
    if (!f) {
        snprintf(why, why_size, "%s: no memory for the font", file);
        return CELOS_ERR_NO_MEMORY;
    }
    Font font;
    if (const char* problem = parse(static_cast<const uint8_t*>(data), size, font)) {
        snprintf(why, why_size, "%s: not a usable PSF font: %s", file, problem);
        close_font(f);
        return CELOS_ERR_INVALID;
    }
    size_t capacity = map_capacity(font);
    f->map = static_cast<MapEntry*>(kcalloc(capacity ? capacity : 1, sizeof(MapEntry)));
    size_t scratch_bytes = scratch_size(font, scale_factor);
    f->scratch = static_cast<uint8_t*>(kmalloc(scratch_bytes));
    if (!f->map || !f->scratch) {
        snprintf(why, why_size, "%s: no memory for the font", file);
        close_font(f);
        return CELOS_ERR_NO_MEMORY;
    }
    size_t count = map_build(font, f->map, capacity);
    snprintf(f->name, sizeof f->name, "psf:%s", file);
    if (const char* problem =
            service_init(f->service, font, f->map, count, scale_factor, f->scratch, scratch_bytes, f->name)) {
        snprintf(why, why_size, "%s: %s", file, problem);
        close_font(f);
        return CELOS_ERR_INVALID;
    }
    *out = f;
    return CELOS_OK;
}

void log_font(const char* file, const OpenFont* f, bool replacing) {
    const Font& font = f->service.font;
    celos_log(CELOS_LOG_INFO, "%s: PSF%u, %u glyphs of %ux%u, %zu code points mapped, scale %u%s", file,
              font.version, font.glyph_count, font.width, font.height, f->service.map_count, f->service.scale,
              replacing ? ", replacing the font" : "");
}

// celos_font_control_ops.open: another font in place of the one in use.
celos_status control_open(const char* file, const char* open_params, char* why, size_t why_size) {
    char message[CELOS_BOOTFILE_NAME_MAX + 128];
    uint32_t new_scale = 1;
    const char* bad = "";
    size_t bad_length = 0;
    celos_status s = CELOS_OK;
    OpenFont* f = nullptr;
    if (!file || !file[0]) {
        snprintf(message, sizeof message, "no font file given");
        s = CELOS_ERR_INVALID;
    } else if (const char* problem = parse_open_params(open_params, new_scale, &bad, &bad_length)) {
        snprintf(message, sizeof message, "%.*s: %s", static_cast<int>(bad_length), bad, problem);
        s = CELOS_ERR_INVALID;
    } else {
        s = open_font(file, new_scale, &f, message, sizeof message);
    }
    if (s == CELOS_OK) {
        s = celos_service_replace(CELOS_FONT_SERVICE, CELOS_FONT_INTERFACE_VERSION, &f->service.ops);
        if (s != CELOS_OK) {
            snprintf(message, sizeof message, "%s: the console cannot use it (%s)", file, celos_strerror(s));
            close_font(f);
        }
    }
    if (s != CELOS_OK) {
        celos_log(CELOS_LOG_ERROR, "%s", message);
        if (why_size) snprintf(why, why_size, "%s", message);
        return s;
    }
    // The console draws with the new font: the old one is nobody's now.
    close_font(current);
    current = f;
    snprintf(font_name, sizeof font_name, "%s", file);
    scale = new_scale;
    log_font(file, f, true);
    if (why_size) why[0] = 0;
    return CELOS_OK;
}

const celos_font_control_ops control = {sizeof(celos_font_control_ops), 0, control_open};

celos_status psf_init() {
    auto* other = static_cast<const celos_font_ops*>(
        celos_service_lookup(CELOS_FONT_SERVICE, CELOS_FONT_INTERFACE_VERSION));
    if (other && !replace) {
        celos_log(CELOS_LOG_INFO, "the font is already provided by '%s': not needed", other->name);
        return CELOS_ERR_EXISTS;
    }
    if (scale < 1 || scale > kMaxScale) {
        celos_log(CELOS_LOG_ERROR, "scale=%lld is out of range 1..%u", static_cast<long long>(scale), kMaxScale);
        return CELOS_ERR_RANGE;
    }
    char why[CELOS_BOOTFILE_NAME_MAX * 3 + 128];
    OpenFont* f = nullptr;
    celos_status s = open_font(font_name, static_cast<uint32_t>(scale), &f, why, sizeof why);
    if (s != CELOS_OK) {
        celos_log(CELOS_LOG_ERROR, "%s", why);
        return s;
    }
    s = replace ? celos_service_replace(CELOS_FONT_SERVICE, CELOS_FONT_INTERFACE_VERSION, &f->service.ops)
                : celos_service_register(CELOS_FONT_SERVICE, CELOS_FONT_INTERFACE_VERSION, &f->service.ops);
    if (s != CELOS_OK) {
        celos_log(CELOS_LOG_ERROR, "cannot %s the font service: %s", replace ? "replace" : "register",
                  celos_strerror(s));
        close_font(f);
        return s;
    }
    current = f;
    if (celos_service_register(CONTROL_SERVICE, CELOS_FONT_CONTROL_VERSION, &control) != CELOS_OK)
        celos_log(CELOS_LOG_WARN, "no control service: the font cannot be changed while the module runs");
    log_font(font_name, f, replace);
    return CELOS_OK;
}

// Runs when nobody holds the font (the core refuses the unload before):
// either this module still provides it, or another replaced it.
void psf_exit() {
    celos_service_unregister(CONTROL_SERVICE, &control);
    if (current) celos_service_unregister(CELOS_FONT_SERVICE, &current->service.ops);
    close_font(current);
    current = nullptr;
}

} // namespace

CELOS_MODULE_WITH_PARAMS("psf", "1.0", "heap", psf_init, psf_exit, params, 3);
