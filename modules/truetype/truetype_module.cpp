// The TrueType font provider: a TrueType or OpenType (CFF) font from a boot
// file, rasterized by FreeType into anti-aliased coverage bitmaps and
// offered as the "font" service. Parameters: font=FILE (the boot file's
// name, as on its module2 line), size=N (pixels per em), hinting=none,
// light (the default: the auto-hinter's vertical-only hinting) or normal,
// replace=on (take the font service over from the module that provides it,
// as psf_module.cpp explains).
//
// Faces (issue 17): bold=FILE, italic=FILE and bolditalic=FILE open those
// boot files at the same size and hinting as the regular face, each checked
// to fit its cell; styled_glyph() answers from them (CELOS_FONT_NO_STYLE
// without one: the console synthesizes). fallback=FILE opens a fallback
// face fitted to the regular face's cell (at most its size) and offers it
// as the next free "font.fallback.N" (<celos/font.h>, the fallback chain).
// A face that cannot be used is an error naming the file and the check, and
// the module goes on without it. role=fallback: the module's font= itself
// is a fallback font, fitted to the cell of the font service's font (size=
// the largest size tried), offered as "font.fallback.N"; the font service
// is not touched (and the module declines when there is none).
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
#include <celos/system.h>

#include "tt_font.h"

extern "C" void* celos_ft_call_on_stack(void* (*fn)(void*), void* arg, void* stack_top);

using namespace celos;

namespace {

char font_name[CELOS_BOOTFILE_NAME_MAX + 1] = "DejaVuSansMono.ttf";
int64_t pixel_size = 16;
char hinting[16] = "light";
bool replace = false;
char bold_name[CELOS_BOOTFILE_NAME_MAX + 1] = "";
char italic_name[CELOS_BOOTFILE_NAME_MAX + 1] = "";
char bolditalic_name[CELOS_BOOTFILE_NAME_MAX + 1] = "";
char fallback_name[CELOS_BOOTFILE_NAME_MAX + 1] = "";
char role[16] = "primary";

const celos_module_param params[] = {
    {"font", CELOS_PARAM_STRING, sizeof font_name, font_name, "the TrueType/OpenType boot file"},
    {"size", CELOS_PARAM_INT, 0, &pixel_size, "pixels per em (6 to 128)"},
    {"hinting", CELOS_PARAM_STRING, sizeof hinting, hinting, "none, light or normal"},
    {"replace", CELOS_PARAM_BOOL, 0, &replace, "replace the font a module already provides"},
    {"bold", CELOS_PARAM_STRING, sizeof bold_name, bold_name, "the bold face's boot file"},
    {"italic", CELOS_PARAM_STRING, sizeof italic_name, italic_name, "the italic face's boot file"},
    {"bolditalic", CELOS_PARAM_STRING, sizeof bolditalic_name, bolditalic_name,
     "the bold italic face's boot file"},
    {"fallback", CELOS_PARAM_STRING, sizeof fallback_name, fallback_name,
     "a fallback font's boot file (font.fallback.N), fitted to the cell"},
    {"role", CELOS_PARAM_STRING, sizeof role, role,
     "primary (the font service) or fallback (font.fallback.N)"},
};
constexpr uint32_t kParamCount = sizeof params / sizeof params[0];

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

truetype::Font* font = nullptr;          // the font service's (role=primary), or the fallback (role=fallback)
truetype::Font* styles[4] = {};          // by CELOS_FONT_STYLE_* bits, faces of `font`
truetype::Font* fallback_face = nullptr; // fallback=FILE
const char* offered_as = nullptr;        // the font.fallback.N this module registered
const celos_font_ops* offered = nullptr; // and the ops it registered there

// Faces opened at first use. The bold, italic and bold italic faces and
// the fallback font (fallback=, or role=fallback's font) are checked when
// the module starts (the boot file is there and starts as a font) but
// opened only when the console first asks for a glyph from them: a boot
// whose log has no bold text and no character outside the font does not
// pay for them (about 20 ms of a 130 ms boot under QEMU, and their pools).
// A draw may only note the wish (it cannot allocate): the module's
// main-loop task opens the face, then a style face bumps the font's
// revision (the console draws again) and the fallback face replaces the
// stand-in registered under font.fallback.N (the console switches the link).
struct LazyFallback {
    bool active = false; // the stand-in is registered, the face not open
    bool wanted = false; // the console asked it for a glyph
    char file[CELOS_BOOTFILE_NAME_MAX + 1] = {};
    char name[CELOS_BOOTFILE_NAME_MAX + 48] = {}; // the stand-in's name
    char cell_name[CELOS_BOOTFILE_NAME_MAX + 48] = {};
    celos_font_ops cell{};  // the cell it is fitted to (a copy: role=fallback's is another module's)
    celos_font_ops ops[2]{}; // the stand-in; a refit registers the other one
    int current = 0;
    uint32_t size = 0;
    truetype::Hinting mode = truetype::Hinting::light;
};
LazyFallback lazy;
bool lazy_task_registered = false;
void lazy_task(void*);

const char* const kFallbackSlots[CELOS_FONT_FALLBACK_MAX] = {
    CELOS_FONT_FALLBACK_PREFIX "0", CELOS_FONT_FALLBACK_PREFIX "1", CELOS_FONT_FALLBACK_PREFIX "2",
    CELOS_FONT_FALLBACK_PREFIX "3"};
static_assert(CELOS_FONT_FALLBACK_MAX == 4, "one name per fallback slot");

enum class OpenKind { regular, fallback };

struct OpenCall {
    const void* data = nullptr;
    size_t size = 0;
    const char* name = nullptr;
    uint32_t pixel_size = 0;
    truetype::Hinting hinting = truetype::Hinting::light;
    OpenKind kind = OpenKind::regular;
    const celos_font_ops* cell = nullptr; // kind fallback: the cell to fit
    bool prove_glyphs = true;             // kind regular: Font::open's
    truetype::CacheLimits limits{};
    truetype::Font* font = nullptr;
    celos_status status = CELOS_ERR_INVALID;
    char* why = nullptr;
    size_t why_size = 0;
};

// On the FreeType stack: opens the font (registered on the kernel stack
// after: a replacement makes the console draw with it, and a glyph miss
// then switches to this stack itself).
void open_call(void* arg) {
    auto* c = static_cast<OpenCall*>(arg);
    auto* f = new (std::nothrow) truetype::Font(c->limits);
    if (!f) {
        snprintf(c->why, c->why_size, "%s: no memory for the font", c->name);
        c->status = CELOS_ERR_NO_MEMORY;
        return;
    }
    const char* error = c->kind == OpenKind::fallback
                            ? f->open_fallback(c->data, c->size, c->name, *c->cell, c->pixel_size, c->hinting)
                            : f->open(c->data, c->size, c->name, c->pixel_size, c->hinting, c->prove_glyphs);
    if (error) {
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

void delete_font(truetype::Font* f) {
    if (f) on_ft_stack(delete_call, f);
}

// A bold or italic face's cache: the regular face has most glyphs.
truetype::CacheLimits style_limits() {
    truetype::CacheLimits limits;
    limits.table_slots = 256;
    limits.coverage_bytes = 256 * 1024;
    return limits;
}

// A fallback face's: its glyphs are above U+00FF, so more hash slots and
// fewer bitmap bytes (1536 CJK glyphs of 16x16 are 384 KiB); Unifont peaks
// near 270 KiB of FreeType memory with every glyph of the BMP drawn.
truetype::CacheLimits fallback_limits() {
    truetype::CacheLimits limits;
    limits.table_slots = 2048;
    limits.coverage_bytes = 512 * 1024;
    limits.freetype_bytes = 512 * 1024;
    return limits;
}

// Opens the boot file `file` on the FreeType stack; null with the reason
// in why[] when it cannot.
truetype::Font* open_file(const char* file, OpenKind kind, const celos_font_ops* cell, uint32_t size,
                          truetype::Hinting mode, const truetype::CacheLimits& limits, char* why,
                          size_t why_size, celos_status* status, bool prove_glyphs = true) {
    OpenCall call;
    call.name = file;
    call.pixel_size = size;
    call.hinting = mode;
    call.kind = kind;
    call.cell = cell;
    call.limits = limits;
    call.prove_glyphs = prove_glyphs;
    call.why = why;
    call.why_size = why_size;
    if (celos_bootfile_find(file, &call.data, &call.size) != CELOS_OK) {
        snprintf(why, why_size, "font file '%s' not found (add: module2 /boot/modules/%s %s)", file, file,
                 file);
        *status = CELOS_ERR_NOT_FOUND;
        return nullptr;
    }
    on_ft_stack(open_call, &call);
    *status = call.status;
    return call.status == CELOS_OK ? call.font : nullptr;
}

// The first free font.fallback.N for `ops`.
celos_status offer_fallback(const celos_font_ops* ops) {
    for (const char* slot : kFallbackSlots) {
        celos_status s = celos_service_register(slot, CELOS_FONT_INTERFACE_VERSION, ops);
        if (s == CELOS_OK) {
            offered_as = slot;
            offered = ops;
            return CELOS_OK;
        }
        if (s != CELOS_ERR_EXISTS) return s;
    }
    return CELOS_ERR_EXISTS;
}

void log_fallback(const truetype::Font* f, const celos_font_ops& cell) {
    truetype::FaceInfo info = f->info();
    celos_log(
        CELOS_LOG_INFO,
        "%s: %s for the %ux%u cell (baseline %u) of %s: %s %s, %ld glyphs, %u px, shift %d, pool %zu KiB",
        offered_as, f->ops()->name, cell.cell_width, cell.cell_height, cell.baseline,
        cell.name ? cell.name : "?", info.family, info.style, info.glyphs, f->pixel_size(), f->shift(),
        f->pool_bytes() / 1024);
}

// The hinting the font service's font was opened with (hinting=).
truetype::Hinting font_hinting() {
    truetype::Hinting mode = truetype::Hinting::light;
    truetype::parse_hinting(hinting, mode);
    return mode;
}

const char* style_file(uint32_t style) {
    return style == CELOS_FONT_STYLE_BOLD                            ? bold_name
           : style == CELOS_FONT_STYLE_ITALIC                        ? italic_name
           : style == (CELOS_FONT_STYLE_BOLD | CELOS_FONT_STYLE_ITALIC) ? bolditalic_name
                                                                     : "";
}
const char* style_what(uint32_t style) {
    return style == CELOS_FONT_STYLE_BOLD ? "bold" : style == CELOS_FONT_STYLE_ITALIC ? "italic" : "bolditalic";
}

// A face file that is missing or is no font: why, in why[].
bool check_face_file(const char* file, char* why, size_t why_size) {
    const void* data = nullptr;
    size_t size = 0;
    if (celos_bootfile_find(file, &data, &size) != CELOS_OK) {
        snprintf(why, why_size, "font file '%s' not found (add: module2 /boot/modules/%s %s)", file, file, file);
        return false;
    }
    return truetype::sniff_font(data, size, file, why, why_size) == nullptr;
}

// The faces of bold=, italic=, bolditalic= for `font`, opened at first use:
// each file checked now, an error each that is missing or no font (that
// style is then synthesized, as without a face).
void prepare_styles() {
    char pending[3 * (CELOS_BOOTFILE_NAME_MAX + 16)] = {};
    size_t at = 0;
    for (uint32_t style = 1; style <= 3; ++style) {
        const char* file = style_file(style);
        if (!file[0]) continue;
        char why[CELOS_BOOTFILE_NAME_MAX + 200];
        if (!check_face_file(file, why, sizeof why)) {
            celos_log(CELOS_LOG_ERROR, "%s=%s: %s; %s is drawn from the regular face", style_what(style), file, why,
                      style_what(style));
            continue;
        }
        font->set_style_pending(style, true);
        at += static_cast<size_t>(snprintf(pending + at, sizeof pending - at, "%s%s %s", at ? ", " : "",
                                           style_what(style), file));
        if (at >= sizeof pending) at = sizeof pending - 1;
    }
    if (at) celos_log(CELOS_LOG_INFO, "faces of %s opened at first use: %s", font->ops()->name, pending);
}

// The console asked for `style`: its face opened now, fitted to the
// regular face's cell; an error leaves the style synthesized.
void open_style(uint32_t style) {
    const char* file = style_file(style);
    const char* what = style_what(style);
    char why[CELOS_BOOTFILE_NAME_MAX + 200];
    celos_status s = CELOS_OK;
    // Not proved glyph by glyph (the regular face was): a glyph it
    // cannot render is drawn from the regular face.
    truetype::Font* f = open_file(file, OpenKind::regular, nullptr, font->pixel_size(), font_hinting(),
                                  style_limits(), why, sizeof why, &s, false);
    if (f) {
        if (const char* error = f->fit_cell(*font->ops(), what)) {
            snprintf(why, sizeof why, "%s", error);
            delete_font(f);
            f = nullptr;
        }
    }
    if (!f) {
        celos_log(CELOS_LOG_ERROR, "%s=%s: %s; %s is drawn from the regular face", what, file, why, what);
        font->set_style_pending(style, false);
        return;
    }
    styles[style] = f;
    font->set_style_face(style, f);
    truetype::FaceInfo info = f->info();
    celos_log(CELOS_LOG_INFO, "%s face %s for %s (%s %s, shift %d, pool %zu KiB)", what, file, font->ops()->name,
              info.family, info.style, f->shift(), f->pool_bytes() / 1024);
}

void delete_styles() {
    for (truetype::Font*& f : styles) {
        delete_font(f);
        f = nullptr;
    }
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

// A withdrawn fallback font (<celos/font.h>): no glyph. Registered in place
// of this module's fallback font to take it out of the chain.
const celos_font_ops kWithdrawn = {sizeof(celos_font_ops), 0, 0, 0, 0, 0, "withdrawn", nullptr,
                                   nullptr, nullptr, nullptr, 0, 0};

// Takes this module's fallback font out of the chain: the withdrawn font
// replaces it (every holder drops the link), then the registration goes.
void withdraw_fallback(const char* name) {
    if (celos_status r = celos_service_replace(offered_as, CELOS_FONT_INTERFACE_VERSION, &kWithdrawn);
        r != CELOS_OK) {
        celos_log(CELOS_LOG_WARN, "fallback %s: a holder refused to let it go (%s); it stays", name,
                  celos_strerror(r));
        return;
    }
    // Every holder switched to the withdrawn font: the face is nobody's.
    delete_font(fallback_face);
    fallback_face = nullptr;
    lazy.active = false;
    offered = &kWithdrawn;
    if (celos_service_unregister(offered_as, &kWithdrawn) == CELOS_OK) {
        offered_as = nullptr;
        offered = nullptr;
    } else {
        celos_log(CELOS_LOG_WARN, "%s: a holder still holds the withdrawn font; unregistered at exit", offered_as);
    }
}

// The stand-in of a fallback font not opened yet: no glyph (the wish is
// noted for the main-loop task), and a blank for fallback().
int lazy_glyph(const celos_font_ops*, uint32_t, celos_glyph*) {
    lazy.wanted = true;
    return CELOS_FONT_NO_GLYPH;
}
void lazy_blank(const celos_font_ops*, celos_glyph* out) {
    static const uint8_t blank = 0;
    *out = celos_glyph{&blank, 1, 0, 0, 0, 0, 0};
}

// The stand-in (the next of the two) for `cell`: that cell's metrics.
void fit_lazy(const celos_font_ops& cell, uint32_t size, truetype::Hinting mode) {
    snprintf(lazy.cell_name, sizeof lazy.cell_name, "%s", cell.name ? cell.name : "?");
    lazy.cell = cell;
    lazy.cell.name = lazy.cell_name;
    lazy.size = size;
    lazy.mode = mode;
    lazy.current ^= 1;
    celos_font_ops& ops = lazy.ops[lazy.current];
    ops = celos_font_ops{};
    ops.size = sizeof(celos_font_ops);
    ops.cell_width = cell.cell_width;
    ops.cell_height = cell.cell_height;
    ops.baseline = cell.baseline;
    ops.underline_row = cell.underline_row;
    ops.underline_thickness = cell.underline_thickness;
    ops.name = lazy.name;
    ops.glyph = lazy_glyph;
    ops.fallback = lazy_blank;
}

// The font changed under the fallback face: it is opened again for the new
// cell and replaces its registration (the console switches the link); if it
// does not fit the new cell it leaves the chain (withdrawn, then
// unregistered), and if it cannot be opened again the old one stays.
void refit_fallback(const celos_font_ops& cell, uint32_t size, truetype::Hinting mode) {
    if (lazy.active && offered_as) {
        // Not opened yet: the stand-in takes the new cell.
        fit_lazy(cell, size, mode);
        if (celos_status r = celos_service_replace(offered_as, CELOS_FONT_INTERFACE_VERSION, &lazy.ops[lazy.current]);
            r == CELOS_OK) {
            offered = &lazy.ops[lazy.current];
        } else {
            // The registered stand-in stays: the next refit must not write over it.
            lazy.current ^= 1;
            celos_log(CELOS_LOG_WARN, "fallback %s: the console keeps the stand-in for the old cell (%s)", lazy.file,
                      celos_strerror(r));
        }
        return;
    }
    if (!fallback_face || !offered_as) return;
    const char* file = fallback_face->ops()->name + 9; // "truetype:" FILE "@" SIZE
    char name[CELOS_BOOTFILE_NAME_MAX + 1];
    snprintf(name, sizeof name, "%s", file);
    if (char* at = strrchr(name, '@')) *at = 0;
    char why[CELOS_BOOTFILE_NAME_MAX + 200];
    celos_status s = CELOS_OK;
    truetype::Font* f = open_file(name, OpenKind::fallback, &cell, size, mode, fallback_limits(), why, sizeof why, &s);
    if (f) {
        // Logged before the console takes it up (its watch logs the chain).
        log_fallback(f, cell);
        if (celos_status r = celos_service_replace(offered_as, CELOS_FONT_INTERFACE_VERSION, f->ops());
            r != CELOS_OK) {
            celos_log(CELOS_LOG_WARN, "fallback %s: the console keeps the one fitted to the old cell (%s)", name,
                      celos_strerror(r));
            delete_font(f);
            return;
        }
        delete_font(fallback_face);
        fallback_face = f;
        offered = f->ops();
        return;
    }
    if (s == CELOS_ERR_NO_MEMORY) {
        celos_log(CELOS_LOG_WARN, "fallback %s: %s; the one fitted to the old cell stays", name, why);
        return;
    }
    celos_log(CELOS_LOG_WARN, "fallback %s leaves the chain: %s", name, why);
    withdraw_fallback(name);
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
    OpenCall call;
    call.name = file;
    call.why = message;
    call.why_size = sizeof message;
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
    // The console draws with the new font: the old one (and its faces) is
    // nobody's now.
    delete_styles();
    delete_font(font);
    font = call.font;
    bold_name[0] = italic_name[0] = bolditalic_name[0] = 0;
    snprintf(font_name, sizeof font_name, "%s", file);
    pixel_size = p.pixel_size;
    snprintf(hinting, sizeof hinting, "%s", truetype::hinting_name(p.hinting));
    log_font(font, p.pixel_size, p.hinting, true);
    refit_fallback(*font->ops(), p.pixel_size, p.hinting);
    if (why_size) why[0] = 0;
    return CELOS_OK;
}

const celos_font_control_ops control = {sizeof(celos_font_control_ops), 0, control_open};

// Undoes init (also its failures): the font and its pool, the stack. Runs
// when nobody holds the font (the core refuses the unload before), whether
// this module still provides it or another replaced it.
void truetype_exit() {
    if (lazy_task_registered) celos_task_unregister(lazy_task, nullptr);
    lazy_task_registered = false;
    celos_service_unregister(CONTROL_SERVICE, &control);
    if (offered_as) celos_service_unregister(offered_as, offered);
    offered_as = nullptr;
    offered = nullptr;
    delete_styles();
    delete_font(fallback_face);
    fallback_face = nullptr;
    lazy = LazyFallback{};
    if (font) {
        celos_service_unregister(CELOS_FONT_SERVICE, font->ops());
        delete_font(font);
    }
    font = nullptr;
    if (ft_stack) celos_vrange_free(ft_stack);
    ft_stack = nullptr;
}

// fallback=FILE, or role=fallback's font: fitted to `cell`, at most `size`
// px, offered as the next font.fallback.N, opened at first use (the
// stand-in until then). A file missing or no font is an error now; the
// module goes on without it.
celos_status offer_fallback_font(const char* file, const celos_font_ops& cell, uint32_t size,
                                 truetype::Hinting mode) {
    char why[CELOS_BOOTFILE_NAME_MAX + 200];
    if (!check_face_file(file, why, sizeof why)) {
        celos_log(CELOS_LOG_ERROR, "fallback %s: %s", file, why);
        return CELOS_ERR_INVALID;
    }
    snprintf(lazy.file, sizeof lazy.file, "%s", file);
    snprintf(lazy.name, sizeof lazy.name, "truetype:%s (opened at first use)", file);
    fit_lazy(cell, size, mode);
    if (celos_status r = offer_fallback(&lazy.ops[lazy.current]); r != CELOS_OK) {
        celos_log(CELOS_LOG_ERROR, "fallback %s: cannot register it as %s0..%d: %s", file,
                  CELOS_FONT_FALLBACK_PREFIX, CELOS_FONT_FALLBACK_MAX - 1,
                  r == CELOS_ERR_EXISTS ? "every one is taken" : celos_strerror(r));
        return r;
    }
    lazy.active = true;
    lazy.wanted = false;
    celos_log(CELOS_LOG_INFO, "%s: %s for the %ux%u cell (baseline %u) of %s", offered_as, lazy.name,
              cell.cell_width, cell.cell_height, cell.baseline, lazy.cell_name);
    return CELOS_OK;
}

// The console asked the stand-in for a glyph: the face opened now,
// replacing it (the console switches the link and draws again); if it
// cannot be opened, the fallback leaves the chain.
void open_lazy_fallback() {
    lazy.wanted = false;
    char why[CELOS_BOOTFILE_NAME_MAX + 200];
    celos_status s = CELOS_OK;
    truetype::Font* f = open_file(lazy.file, OpenKind::fallback, &lazy.cell, lazy.size, lazy.mode,
                                  fallback_limits(), why, sizeof why, &s);
    if (!f) {
        celos_log(CELOS_LOG_ERROR, "fallback %s: %s", lazy.file, why);
        if (s != CELOS_ERR_NO_MEMORY) withdraw_fallback(lazy.file);
        return;
    }
    // Logged before the console takes it up (its watch logs the chain).
    log_fallback(f, lazy.cell);
    if (celos_status r = celos_service_replace(offered_as, CELOS_FONT_INTERFACE_VERSION, f->ops()); r != CELOS_OK) {
        celos_log(CELOS_LOG_WARN, "fallback %s: the console keeps the stand-in (%s)", lazy.file, celos_strerror(r));
        delete_font(f);
        return;
    }
    fallback_face = f;
    offered = f->ops();
    lazy.active = false;
}

// The main-loop task: the faces the console asked for since the last run.
void lazy_task(void*) {
    if (font) {
        if (uint32_t wanted = font->take_wanted_styles()) {
            for (uint32_t style = 1; style <= 3; ++style)
                if (wanted & (1u << style)) open_style(style);
            font->glyphs_changed();
        }
    }
    if (lazy.active && lazy.wanted && offered_as) open_lazy_fallback();
}

celos_status truetype_init() {
    bool as_fallback = strcmp(role, "fallback") == 0;
    if (!as_fallback && strcmp(role, "primary") != 0) {
        celos_log(CELOS_LOG_ERROR, "role=%s: expected primary or fallback", role);
        return CELOS_ERR_INVALID;
    }
    // The first font module to start provides the font (see psf_module.cpp).
    auto* other = static_cast<const celos_font_ops*>(
        celos_service_lookup(CELOS_FONT_SERVICE, CELOS_FONT_INTERFACE_VERSION));
    if (as_fallback && !other) {
        celos_log(CELOS_LOG_ERROR,
                  "role=fallback: no font to fall back for (start a font module before this one)");
        return CELOS_ERR_NOT_FOUND;
    }
    if (!as_fallback && other && !replace) {
        celos_log(CELOS_LOG_INFO, "the font is already provided by '%s': not needed", other->name);
        return CELOS_ERR_EXISTS;
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
    auto size = static_cast<uint32_t>(pixel_size);
    if (as_fallback && (bold_name[0] || italic_name[0] || bolditalic_name[0] || fallback_name[0]))
        celos_log(CELOS_LOG_WARN,
                  "role=fallback: bold=, italic=, bolditalic= and fallback= are for the font service's "
                  "font; ignored");
    if (as_fallback) {
        if (celos_status s = offer_fallback_font(font_name, *other, size, mode); s != CELOS_OK) {
            truetype_exit();
            return s;
        }
    } else {
        char why[CELOS_BOOTFILE_NAME_MAX + 200];
        celos_status s = CELOS_OK;
        font = open_file(font_name, OpenKind::regular, nullptr, size, mode, truetype::CacheLimits{}, why,
                         sizeof why, &s);
        if (!font) {
            celos_log(CELOS_LOG_ERROR, "%s", why);
            truetype_exit();
            return s;
        }
        prepare_styles();
        const celos_font_ops* ops = font->ops();
        s = replace ? celos_service_replace(CELOS_FONT_SERVICE, CELOS_FONT_INTERFACE_VERSION, ops)
                    : celos_service_register(CELOS_FONT_SERVICE, CELOS_FONT_INTERFACE_VERSION, ops);
        if (s != CELOS_OK) {
            celos_log(CELOS_LOG_ERROR, "cannot %s the font service: %s", replace ? "replace" : "register",
                      celos_strerror(s));
            truetype_exit();
            return s;
        }
        log_font(font, size, mode, replace);
        if (fallback_name[0]) offer_fallback_font(fallback_name, *ops, size, mode);
    }
    if (celos_service_register(CONTROL_SERVICE, CELOS_FONT_CONTROL_VERSION, &control) != CELOS_OK)
        celos_log(CELOS_LOG_WARN, "no control service: the font cannot be changed while the module runs");
    if (celos_task_register(lazy_task, nullptr) == CELOS_OK)
        lazy_task_registered = true;
    else
        celos_log(CELOS_LOG_WARN, "no task slot: faces opened at first use stay closed (styles synthesized)");
    return CELOS_OK;
}

} // namespace

CELOS_MODULE_WITH_PARAMS("truetype", "1.0", "heap", truetype_init, truetype_exit, params, kParamCount);
