// The TrueType font provider: a TrueType or OpenType (CFF) font from a boot
// file, rasterized by FreeType into anti-aliased coverage bitmaps and
// offered as the "font" service. Parameters: font=FILE (the boot file's
// name, as on its module2 line), size=N (pixels per em), hinting=none,
// light (the default: the auto-hinter's vertical-only hinting) or normal,
// replace=on (take the font service over from the module that provides it,
// as psf_module.cpp explains).
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

constexpr int64_t kMinSize = 6;
constexpr int64_t kMaxSize = 128;
constexpr size_t kFreeTypeStackPages = 64; // 256 KiB

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

// Runs fn(arg) on the FreeType stack (the font's Runner). Never nested: the
// font calls it only from glyph()/fallback(), which FreeType never calls.
void on_ft_stack(void (*fn)(void*), void* arg) {
    StackCall c{fn, arg};
    celos_ft_call_on_stack(ft_stack_thunk, &c, ft_stack_top());
}

truetype::Font* font = nullptr;

struct OpenCall {
    const void* data;
    size_t size;
    truetype::Hinting hinting;
    truetype::Font* font;
    celos_status status;
};

// On the FreeType stack: opens the font (registered on the kernel stack
// after: a replacement makes the console draw with it, and a glyph miss
// then switches to this stack itself).
void open_call(void* arg) {
    auto* c = static_cast<OpenCall*>(arg);
    auto* f = new (std::nothrow) truetype::Font();
    if (!f) {
        c->status = CELOS_ERR_NO_MEMORY;
        return;
    }
    if (const char* error =
            f->open(c->data, c->size, font_name, static_cast<uint32_t>(pixel_size), c->hinting)) {
        celos_log(CELOS_LOG_ERROR, "%s", error);
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

// Undoes init (also its failures): the font and its pool, the stack. Runs
// when nobody holds the font (the core refuses the unload before), whether
// this module still provides it or another replaced it.
void truetype_exit() {
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
    OpenCall call{data, size, mode, nullptr, CELOS_ERR_INVALID};
    on_ft_stack(open_call, &call);
    if (call.status != CELOS_OK) {
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
    truetype::FaceInfo info = font->info();
    celos_log(CELOS_LOG_INFO,
              "%s: %s %s, %ld glyphs, %lld px, cell %ux%u, baseline %u, hinting %s%s, pool %zu KiB%s",
              font_name, info.family, info.style, info.glyphs, static_cast<long long>(pixel_size),
              ops->cell_width, ops->cell_height, ops->baseline, truetype::hinting_name(mode),
              info.monospace ? "" : " (not monospace)", font->pool_bytes() / 1024,
              replace ? ", replacing the font" : "");
    return CELOS_OK;
}

} // namespace

CELOS_MODULE_WITH_PARAMS("truetype", "1.0", "heap", truetype_init, truetype_exit, params, 4);
