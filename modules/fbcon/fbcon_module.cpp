// The framebuffer console: takes the framebuffer the core describes, draws
// text cells with whichever font module answered for the "font" service, and
// becomes a log sink (the early log is replayed first). The framebuffer is
// only written: the console draws into a back buffer in RAM and copies out
// the rows that changed.
// Parameters: fg=RRGGBB bg=RRGGBB margin=N (pixels).
#include <celos/abi.h>
#include <celos/cxx.h>
#include <celos/font.h>

#include "console.h"

namespace {

using namespace celos::fbcon;

char fg_param[8] = "c0c0c0";
char bg_param[8] = "101418";
int64_t margin = 8;

const celos_module_param params[] = {
    {"fg", CELOS_PARAM_STRING, sizeof fg_param, fg_param, "text colour, RRGGBB"},
    {"bg", CELOS_PARAM_STRING, sizeof bg_param, bg_param, "background colour, RRGGBB"},
    {"margin", CELOS_PARAM_INT, 0, &margin, "border around the text, in pixels"},
};

struct State {
    Terminal terminal;
    Renderer renderer;
    uint8_t* framebuffer;
};
State* console = nullptr;
bool replaying = false; // the early log: copy to the screen once, at the end

bool parse_rgb(const char* text, uint32_t& out) {
    uint32_t v = 0;
    int n = 0;
    for (; text[n]; ++n) {
        char c = text[n];
        uint32_t d = c >= '0' && c <= '9' ? uint32_t(c - '0')
                     : c >= 'a' && c <= 'f' ? uint32_t(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? uint32_t(c - 'A' + 10)
                                            : 99;
        if (d > 15 || n >= 6) return false;
        v = v * 16 + d;
    }
    if (n != 6) return false;
    out = v;
    return true;
}

void emit(void*, int level, uint64_t timestamp_ns, const char* line, size_t length) {
    console_write_log_line(console->terminal, level, timestamp_ns, line, length);
    console->renderer.render(console->terminal);
    if (!replaying) console->renderer.present(console->framebuffer);
}

const celos_log_sink sink = {emit, nullptr, nullptr};

celos_status fbcon_init() {
    uint64_t started = celos_time_ns();
    const celos_framebuffer* fb = celos_framebuffer_get();
    if (!fb) {
        celos_log(CELOS_LOG_WARN, "no linear RGB framebuffer: the console stays on serial");
        return CELOS_ERR_UNSUPPORTED;
    }
    PixelFormat format{fb->bpp, fb->red_position, fb->red_size, fb->green_position, fb->green_size,
                       fb->blue_position, fb->blue_size};
    if (const char* why = pixel_format_check(format)) {
        celos_log(CELOS_LOG_ERROR, "framebuffer %ux%u, %u bpp: %s; the console stays on serial", fb->width,
                  fb->height, fb->bpp, why);
        return CELOS_ERR_UNSUPPORTED;
    }
    auto* font = static_cast<const celos_font_ops*>(celos_service_lookup(CELOS_FONT_SERVICE, CELOS_FONT_INTERFACE_VERSION));
    if (!font) {
        celos_log(CELOS_LOG_ERROR, "no font service: load a font module (psf or truetype) before fbcon");
        return CELOS_ERR_NOT_FOUND;
    }
    ConsoleColors colors;
    if (!parse_rgb(fg_param, colors.foreground)) celos_log(CELOS_LOG_WARN, "fg=%s is not RRGGBB; default kept", fg_param);
    if (!parse_rgb(bg_param, colors.background)) celos_log(CELOS_LOG_WARN, "bg=%s is not RRGGBB; default kept", bg_param);
    if (margin < 0 || margin > 256) {
        celos_log(CELOS_LOG_WARN, "margin=%lld is out of range 0..256; 8 used", static_cast<long long>(margin));
        margin = 8;
    }

    RenderConfig config{fb->width, fb->height, fb->pitch, format, static_cast<uint32_t>(margin), colors.background,
                        CursorShape::Underline};
    size_t back_size = Renderer::back_buffer_size(config);
    void* back = nullptr;
    celos_status s = celos_vrange_alloc((back_size + CELOS_PAGE_SIZE - 1) / CELOS_PAGE_SIZE,
                                        CELOS_PROT_READ | CELOS_PROT_WRITE, &back);
    if (s != CELOS_OK) return s;
    // The loader releases the range if init fails; heap blocks are freed here.
    console = new (std::nothrow) State;
    if (!console) return CELOS_ERR_NO_MEMORY;
    console->framebuffer = static_cast<uint8_t*>(fb->pixels);
    if (const char* why = console->renderer.init(config, font, static_cast<uint8_t*>(back), back_size)) {
        celos_log(CELOS_LOG_ERROR, "renderer: %s", why);
        delete console;
        return CELOS_ERR_INVALID;
    }
    uint32_t cols = console->renderer.cols(), rows = console->renderer.rows();
    auto* cells = static_cast<Cell*>(kcalloc(size_t(cols) * rows, sizeof(Cell)));
    if (!cells || !console->terminal.init(cells, cols, rows, console_terminal_config(colors))) {
        kfree(cells);
        delete console;
        return CELOS_ERR_NO_MEMORY;
    }
    console->renderer.redraw(console->terminal);
    console->renderer.present(console->framebuffer);
    celos_log(CELOS_LOG_INFO, "%ux%u, %u bpp: %ux%u cells of %ux%u with font '%s'", fb->width, fb->height, fb->bpp,
              cols, rows, font->cell_width, font->cell_height, font->name);
    replaying = true;
    celos_status registered = celos_log_sink_register(&sink);
    replaying = false;
    console->renderer.present(console->framebuffer);
    if (registered == CELOS_OK)
        celos_log(CELOS_LOG_INFO, "first screen drawn in %llu us (console set up, the early log replayed)",
                  static_cast<unsigned long long>((celos_time_ns() - started) / 1000));
    return registered;
}

} // namespace

CELOS_MODULE_WITH_PARAMS("fbcon", "1.0", "heap @font", fbcon_init, nullptr, params, 3);
