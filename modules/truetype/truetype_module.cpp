// The TrueType font provider: a TrueType or OpenType (CFF) font from a boot
// file, rasterized by FreeType into anti-aliased coverage bitmaps and
// offered as the "font" service. Parameters: font=FILE (the boot file's
// name, as on its module2 line), size=N (pixels per em), hinting=none,
// light (the default: the auto-hinter's vertical-only hinting) or normal,
// replace=on (take the font service over from the module that provides it,
// as psf_module.cpp explains).
//
// While it runs, the module opens another font on request through its
// control service "font-control.truetype" (celos_font_control_ops,
// <celos/font.h>; the shell's `font` command): the new font is opened beside
// the old one, replaces the service, and the old one is freed only once the
// console has switched. The parameters then describe the font in use.
//
// The font's memory (FreeType's and the glyph cache's) is one pool taken at
// open (tt_font.h): a glyph missing from the cache, asked for from the
// console's log sink, never reaches the kernel heap.
//
// The glyph code, the cell metrics and the glyph cache are tt_font.cpp's
// (also built for the host tests); this file keeps the parameters, the
// stack switch, the log and the registration.
//
// FreeType needs more stack than the kernel's (the auto-hinter keeps about
// 50 KiB of locals in one frame), so every call into it runs on the
// module's own stack (kFreeTypeStackPages, with the range's guard page
// below) through celos_ft_call_on_stack (ft_asm.S). A cache hit calls no
// FreeType code and stays on the caller's stack.
#include <celos/abi.h>
#include <celos/cxx.h>
#include <celos/font.h>
#include <celos/memory.h>

#include "tt_font.h"

extern "C" void* celos_ft_call_on_stack(void* (*fn)(void*), void* arg, void* stack_top);

using namespace celos;

namespace {

char font_name[CELOS_BOOTFILE_NAME_MAX + 1] = "DejaVuSansMono.ttf";
int64_t pixel_size = 16;
char hinting[16] = "light";
bool replace = false;

const celos_module_param params[] = {
    {"font", CELOS_PARAM_STRING, sizeof font_name, font_name, "the TrueType/OpenType boot file"},
    {"size", CELOS_PARAM_INT, 0, &pixel_size, "pixels per em (6 to 128)"},
    {"hinting", CELOS_PARAM_STRING, sizeof hinting, hinting, "none, light or normal"},
    {"replace", CELOS_PARAM_BOOL, 0, &replace, "replace the font a module already provides"},
};

constexpr int64_t kMinSize = truetype::kMinPixelSize;
constexpr int64_t kMaxSize = truetype::kMaxPixelSize;
constexpr size_t kFreeTypeStackPages = 64; // 256 KiB

#define CONTROL_SERVICE CELOS_FONT_CONTROL_PREFIX "truetype"

void* ft_stack = nullptr;

void* ft_stack_top() {
    return static_cast<char*>(ft_stack) + kFreeTypeStackPages * CELOS_PAGE_SIZE;
}

struct StackCall {
    void (*fn)(void*);
    void* arg;
};

void* ft_stack_thunk(void* arg) {
    auto* c = static_cast<StackCall*>(arg);
    c->fn(c->arg);
    return nullptr;
}

// Runs fn(arg) on the FreeType stack (the font's Runner). When already on
// it, fn runs right there: opening a font at run time (control_open) runs
// FreeType with interrupts on, and an interrupt may draw the console with
// the old font, whose cache misses come here; switching to the stack's top
// again would overwrite the open in progress. (FreeType keeps no global
// state: each font has its own library, so the two calls do not meet.)
void on_ft_stack(void (*fn)(void*), void* arg) {
    auto here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
    auto base = reinterpret_cast<uintptr_t>(ft_stack);
    if (here >= base && here < reinterpret_cast<uintptr_t>(ft_stack_top())) {
        fn(arg);
        return;
    }
    StackCall c{fn, arg};
    celos_ft_call_on_stack(ft_stack_thunk, &c, ft_stack_top());
}

truetype::Font* font = nullptr;

struct OpenCall {
    const void* data;
    size_t size;
    const char* name;
    uint32_t pixel_size;
    truetype::Hinting hinting;
    truetype::Font* font;
    celos_status status;
    char* why;
    size_t why_size;
};

// On the FreeType stack: opens the font (registered on the kernel stack
// after: a replacement makes the console draw with it, and a glyph miss
// then switches to this stack itself).
void open_call(void* arg) {
    auto* c = static_cast<OpenCall*>(arg);
    auto* f = new (std::nothrow) truetype::Font();
    if (!f) {
        snprintf(c->why, c->why_size, "%s: no memory for the font", c->name);
        c->status = CELOS_ERR_NO_MEMORY;
        return;
    }
    if (const char* error = f->open(c->data, c->size, c->name, c->pixel_size, c->hinting)) {
        snprintf(c->why, c->why_size, "%s", error);
        c->status = f->out_of_memory() ? CELOS_ERR_NO_MEMORY : CELOS_ERR_INVALID;
        delete f;
        return;
    }
    f->set_runner(on_ft_stack);
    c->font = f;
    c->status = CELOS_OK;
}

// On the FreeType stack: FreeType's teardown.
void delete_call(void* arg) {
    delete static_cast<truetype::Font*>(arg);
}

void log_font(const truetype::Font* f, uint32_t size, truetype::Hinting mode, bool replacing) {
    truetype::FaceInfo info = f->info();
    const celos_font_ops* ops = f->ops();
    celos_log(CELOS_LOG_INFO,
              "%s: %s %s, %ld glyphs, %u px, cell %ux%u, baseline %u, hinting %s%s, pool %zu KiB%s",
              font_name, info.family, info.style, info.glyphs, size, ops->cell_width, ops->cell_height,
              ops->baseline, truetype::hinting_name(mode), info.monospace ? "" : " (not monospace)",
              f->pool_bytes() / 1024, replacing ? ", replacing the font" : "");
}

// celos_font_control_ops.open: another font in place of the one in use,
// opened beside it (two pools for a moment) and swapped in only when the
// console has taken it.
celos_status control_open(const char* file, const char* open_params, char* why, size_t why_size) {
    char message[CELOS_BOOTFILE_NAME_MAX + 160];
    truetype::OpenParams p;
    const char* bad = "";
    size_t bad_length = 0;
    const void* data = nullptr;
    size_t size = 0;
    OpenCall call{nullptr, 0, file, 0, truetype::Hinting::light, nullptr, CELOS_ERR_INVALID, message, sizeof message};
    if (!file || !file[0]) {
        snprintf(message, sizeof message, "no font file given");
    } else if (const char* problem = truetype::parse_open_params(open_params, p, &bad, &bad_length)) {
        snprintf(message, sizeof message, "%.*s: %s", static_cast<int>(bad_length), bad, problem);
    } else if (celos_bootfile_find(file, &data, &size) != CELOS_OK) {
        snprintf(message, sizeof message, "font file '%s' not found", file);
        call.status = CELOS_ERR_NOT_FOUND;
    } else {
        call.data = data;
        call.size = size;
        call.pixel_size = p.pixel_size;
        call.hinting = p.hinting;
        on_ft_stack(open_call, &call);
        if (call.status == CELOS_OK) {
            call.status = celos_service_replace(CELOS_FONT_SERVICE, CELOS_FONT_INTERFACE_VERSION, call.font->ops());
            if (call.status != CELOS_OK) {
                snprintf(message, sizeof message, "%s: the console cannot use it (%s)", file,
                         celos_strerror(call.status));
                on_ft_stack(delete_call, call.font);
            }
        }
    }
    if (call.status != CELOS_OK) {
        celos_log(CELOS_LOG_ERROR, "%s", message);
        if (why_size) snprintf(why, why_size, "%s", message);
        return call.status;
    }
    // The console draws with the new font: the old one is nobody's now.
    if (font) on_ft_stack(delete_call, font);
    font = call.font;
    snprintf(font_name, sizeof font_name, "%s", file);
    pixel_size = p.pixel_size;
    snprintf(hinting, sizeof hinting, "%s", truetype::hinting_name(p.hinting));
    log_font(font, p.pixel_size, p.hinting, true);
    if (why_size) why[0] = 0;
    return CELOS_OK;
}

const celos_font_control_ops control = {sizeof(celos_font_control_ops), 0, control_open};

// Undoes init (also its failures): the font and its pool, the stack. Runs
// when nobody holds the font (the core refuses the unload before), whether
// this module still provides it or another replaced it.
void truetype_exit() {
    celos_service_unregister(CONTROL_SERVICE, &control);
    if (font) {
        celos_service_unregister(CELOS_FONT_SERVICE, font->ops());
        on_ft_stack(delete_call, font);
    }
    font = nullptr;
    if (ft_stack) celos_vrange_free(ft_stack);
    ft_stack = nullptr;
}

celos_status truetype_init() {
    // The first font module to start provides the font (see psf_module.cpp).
    auto* other = static_cast<const celos_font_ops*>(
        celos_service_lookup(CELOS_FONT_SERVICE, CELOS_FONT_INTERFACE_VERSION));
    if (other && !replace) {
        celos_log(CELOS_LOG_INFO, "the font is already provided by '%s': not needed", other->name);
        return CELOS_ERR_EXISTS;
    }
    const void* data = nullptr;
    size_t size = 0;
    if (celos_bootfile_find(font_name, &data, &size) != CELOS_OK) {
        celos_log(CELOS_LOG_ERROR, "font file '%s' not found (add: module2 /boot/modules/%s %s)", font_name,
                  font_name, font_name);
        return CELOS_ERR_NOT_FOUND;
    }
    if (pixel_size < kMinSize || pixel_size > kMaxSize) {
        celos_log(CELOS_LOG_ERROR, "size=%lld is out of range %lld..%lld", static_cast<long long>(pixel_size),
                  static_cast<long long>(kMinSize), static_cast<long long>(kMaxSize));
        return CELOS_ERR_RANGE;
    }
    truetype::Hinting mode;
    if (!truetype::parse_hinting(hinting, mode)) {
        celos_log(CELOS_LOG_ERROR, "hinting=%s: expected none, light or normal", hinting);
        return CELOS_ERR_INVALID;
    }
    if (celos_status s =
            celos_vrange_alloc(kFreeTypeStackPages, CELOS_PROT_READ | CELOS_PROT_WRITE, &ft_stack);
        s != CELOS_OK) {
        celos_log(CELOS_LOG_ERROR, "no memory for FreeType's stack: %s", celos_strerror(s));
        ft_stack = nullptr;
        return s;
    }
    char why[CELOS_BOOTFILE_NAME_MAX + 160];
    OpenCall call{data, size, font_name, static_cast<uint32_t>(pixel_size), mode, nullptr, CELOS_ERR_INVALID,
                  why, sizeof why};
    on_ft_stack(open_call, &call);
    if (call.status != CELOS_OK) {
        celos_log(CELOS_LOG_ERROR, "%s", why);
        truetype_exit();
        return call.status;
    }
    font = call.font;
    const celos_font_ops* ops = font->ops();
    celos_status s = replace ? celos_service_replace(CELOS_FONT_SERVICE, CELOS_FONT_INTERFACE_VERSION, ops)
                             : celos_service_register(CELOS_FONT_SERVICE, CELOS_FONT_INTERFACE_VERSION, ops);
    if (s != CELOS_OK) {
        celos_log(CELOS_LOG_ERROR, "cannot %s the font service: %s", replace ? "replace" : "register",
                  celos_strerror(s));
        truetype_exit();
        return s;
    }
    if (celos_service_register(CONTROL_SERVICE, CELOS_FONT_CONTROL_VERSION, &control) != CELOS_OK)
        celos_log(CELOS_LOG_WARN, "no control service: the font cannot be changed while the module runs");
    log_font(font, static_cast<uint32_t>(pixel_size), mode, replace);
    return CELOS_OK;
}

} // namespace

CELOS_MODULE_WITH_PARAMS("truetype", "1.0", "heap", truetype_init, truetype_exit, params, 4);
