// The framebuffer console: draws on whichever module answered for the
// "display" service (the boot loader's framebuffer, bochs, virtio_gpu),
// text cells with whichever font module answered for the "font" service, and
// becomes a log sink (the early log is replayed first). The framebuffer is
// only written: the console draws into a back buffer in RAM and copies out
// the rows that changed; a display that needs it is flushed the rows
// written, and on a display that pans, a scroll of the whole screen moves
// the scan-out offset instead of copying the screen.
//
// The display is held like the font: when a driver takes over, or the
// driver changes its mode, the console lays its grid out for the new screen
// and draws the log again (replace_display).
//
// The font is held (celos_service_acquire with a watch): its module stays
// while the console draws with it, and when another font module replaces it
// (celos_service_replace) the console lays its grid out for the new cell
// size and draws the log again with the new font (replace_font).
//
// The fallback chain (<celos/font.h>): the fonts registered under
// font.fallback.0..3 are held too, each with a watch, and handed to the
// renderer in that order (a code point the font lacks comes from the first
// that has it). The console takes them up at init, after a font
// replacement, and from a main-loop task (a provider started later joins); a
// replacement switches the link, a withdrawn font (no glyph) leaves it and
// its hold is ended. Each change is logged: "font chain: A, B".
//
// The sink never allocates: a line goes into the terminal's cells, allocated
// at init (or in replace_font, outside the sink). It is drawn and shown at
// most once per display refresh (60 Hz) while lines stream in; when the log
// goes idle the core calls the sink's flush from the timer tick, and at
// `celos: ready` and before a panic report, so the screen is never more than
// a refresh behind. Lines that scroll away between two presents are never
// drawn. The sink and the flush run with interrupts off; the module's own
// drawing outside them masks interrupts too (celos_irq_guard).
// Parameters: fg=RRGGBB bg=RRGGBB margin=N (pixels).
#include <celos/abi.h>
#include <celos/cxx.h>
#include <celos/display.h>
#include <celos/font.h>
#include <celos/system.h>

#include "console.h"
#include "font_chain.h"

namespace {

using namespace celos::fbcon;

char fg_param[8] = "c0c0c0";
char bg_param[8] = "101418";
int64_t margin = 8;
int64_t scrollback = 2000;
constexpr int64_t kMaxScrollback = 100000;

const celos_module_param params[] = {
    {"fg", CELOS_PARAM_STRING, sizeof fg_param, fg_param, "text colour, RRGGBB"},
    {"bg", CELOS_PARAM_STRING, sizeof bg_param, bg_param, "background colour, RRGGBB"},
    {"margin", CELOS_PARAM_INT, 0, &margin, "border around the text, in pixels"},
    {"scrollback", CELOS_PARAM_INT, 0, &scrollback, "lines kept above the screen (Shift+PgUp), 0..100000"},
};

struct State {
    Screen screen;
    uint8_t* framebuffer;
    PresentPacer pacer;
    const celos_display_ops* display;
    celos_display_mode mode;
    uint32_t scan_y; // the offset the display shows from (UINT32_MAX: unknown)
};
State* console = nullptr;
bool replaying = false; // the log replayed: into the terminal, drawn once at the end
void* back = nullptr;   // the back buffer, a virtual range
size_t back_pages = 0;
celos_service_handle font_hold = 0;
celos_service_handle display_hold = 0;
ConsoleColors colors;
FontChain chain;

const char* const kChainSlots[FontChain::kSlots] = {
    CELOS_FONT_FALLBACK_PREFIX "0", CELOS_FONT_FALLBACK_PREFIX "1", CELOS_FONT_FALLBACK_PREFIX "2",
    CELOS_FONT_FALLBACK_PREFIX "3"};
static_assert(FontChain::kSlots == 4, "one name per fallback slot");

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

void present_now() {
    State& c = *console;
    c.screen.present(c.framebuffer);
    if (c.display->flush && c.screen.damage_y1() > c.screen.damage_y0())
        c.display->flush(c.display->context, 0, c.screen.damage_y0(), c.mode.width,
                         c.screen.damage_y1() - c.screen.damage_y0());
    if (c.display->set_y_offset && c.screen.scan_y() != c.scan_y &&
        c.display->set_y_offset(c.display->context, c.screen.scan_y()) == CELOS_OK)
        c.scan_y = c.screen.scan_y();
    c.pacer.presented(celos_time_ns());
}

// The font's revision (ABI 1.6; 0 from an older provider), and the one
// the screen was last drawn with.
uint32_t font_revision(const celos_font_ops* font) {
    return font && font->size >= offsetof(celos_font_ops, revision) + sizeof font->revision ? font->revision : 0;
}
uint32_t seen_revision = 0;

// The chain into the renderer, logged, and the screen drawn again with it
// (what the new fonts draw differs only where the font lacks a glyph, but
// such cells may be anywhere).
void chain_changed() {
    const celos_font_ops* fonts[FontChain::kSlots];
    uint32_t n = chain.fonts(fonts);
    console->screen.set_fallbacks(fonts, n);
    char text[256];
    chain.describe(console->screen.font(), text, sizeof text);
    celos_log(CELOS_LOG_INFO, "font chain: %s", text);
}

// A fallback font replaced, withdrawn (a registration without glyphs), or
// asked back (NULL ops, ABI 1.7: rmmod of its provider): the link follows,
// or goes. One that goes may come back: chain_task takes a font.fallback.N
// registered later.
celos_status replace_fallback(void* context, const void* new_ops, uint32_t) {
    auto slot = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(context));
    auto* ops = static_cast<const celos_font_ops*>(new_ops);
    if (FontChain::usable(ops)) {
        chain.replace(slot, ops);
    } else if (int32_t handle = chain.drop(slot)) {
        celos_service_release(handle); // withdrawn or asked back: the provider unregisters it next
    }
    if (console) {
        chain_changed();
        celos_irq_guard guard;
        console->screen.redraw();
        present_now();
    }
    return CELOS_OK;
}

const celos_service_watch chain_watches[FontChain::kSlots] = {
    {replace_fallback, reinterpret_cast<void*>(uintptr_t(0))},
    {replace_fallback, reinterpret_cast<void*>(uintptr_t(1))},
    {replace_fallback, reinterpret_cast<void*>(uintptr_t(2))},
    {replace_fallback, reinterpret_cast<void*>(uintptr_t(3))}};

// Holds every usable font.fallback.N not held yet: whether one joined.
bool chain_scan() {
    bool joined = false;
    for (uint32_t slot = 0; slot < FontChain::kSlots; ++slot) {
        if (chain.held(slot)) continue;
        auto* seen = static_cast<const celos_font_ops*>(
            celos_service_lookup(kChainSlots[slot], CELOS_FONT_INTERFACE_VERSION));
        if (!FontChain::usable(seen)) continue;
        celos_service_handle handle = 0;
        const void* ops = nullptr;
        if (celos_service_acquire(kChainSlots[slot], CELOS_FONT_INTERFACE_VERSION, &chain_watches[slot],
                                  &handle, &ops) != CELOS_OK)
            continue;
        if (!FontChain::usable(static_cast<const celos_font_ops*>(ops))) {
            celos_service_release(handle);
            continue;
        }
        chain.set(slot, static_cast<const celos_font_ops*>(ops), handle);
        joined = true;
    }
    return joined;
}

void chain_release() {
    for (uint32_t slot = 0; slot < FontChain::kSlots; ++slot)
        if (int32_t handle = chain.drop(slot)) celos_service_release(handle);
}

void emit(void*, int level, uint64_t timestamp_ns, const char* line, size_t length) {
    console->screen.write_log_line(level, timestamp_ns, line, length);
    if (!replaying && console->pacer.due(celos_time_ns())) present_now();
}

void flush(void*) {
    if (!replaying && console->screen.unpresented()) present_now();
}

// A main-loop task: a fallback font registered since (a provider started
// after fbcon, by the shell) joins the chain. A few lookups; a join is rare.
// Fallback fonts started since, and faces the font opened since (its
// revision: a bold face opened at first use), each drawn from now on.
void chain_task(void*) {
    if (!console || replaying) return;
    bool joined = chain_scan();
    uint32_t revision = font_revision(console->screen.font());
    bool restyled = revision != seen_revision;
    seen_revision = revision;
    if (!joined && !restyled) return;
    if (joined) chain_changed();
    celos_irq_guard guard;
    console->screen.glyphs_changed();
    present_now();
}
bool chain_task_registered = false;

const celos_log_sink sink = {emit, flush, nullptr};

// The console for programs (the shell): terminal bytes and the scrollback
// view. Both run with interrupts off (the core's console_write).
void console_write(void*, const char* data, size_t length) {
    if (replaying) return;
    console->screen.write(data, length);
    if (console->pacer.due(celos_time_ns())) present_now();
}

void console_scroll(void*, int32_t lines) {
    if (replaying) return;
    int64_t page = console->screen.rows() > 1 ? console->screen.rows() - 1 : 1;
    if (lines == CELOS_CONSOLE_VIEW_BOTTOM)
        console->screen.scroll_view(-int64_t(console->screen.history_lines()) - 1);
    else if (lines == CELOS_CONSOLE_PAGE_BACK)
        console->screen.scroll_view(page);
    else if (lines == CELOS_CONSOLE_PAGE_FORWARD)
        console->screen.scroll_view(-page);
    else
        console->screen.scroll_view(lines);
    present_now(); // a key asked for it: shown at once
}

const celos_console_ops console_ops = {console_write, console_scroll, nullptr};
bool console_registered = false;

// Cells (the grid, the spare grid, the scrollback: megabytes) in fresh
// zeroed pages of their own rather than heap blocks: one pass of zeroing,
// and nothing for the heap's checks to fill and verify.
Cell* allocate_cells(size_t count) {
    size_t pages = (count * sizeof(Cell) + CELOS_PAGE_SIZE - 1) / CELOS_PAGE_SIZE;
    void* range = nullptr;
    if (count == 0 || celos_vrange_alloc(pages, CELOS_PROT_READ | CELOS_PROT_WRITE, &range) != CELOS_OK)
        return nullptr;
    return static_cast<Cell*>(range);
}
void free_cells(Cell* cells) {
    if (cells) celos_vrange_free(cells);
}

// Becomes the log sink: the log so far is replayed into the terminal and
// drawn once, at the end; then every new line. The screen was just drawn
// whole (Screen::init, switch_font or clear), so the present copies it all.
// The grid's size, for programs (the shell lays its line out for it).
void report_size() {
    if (console_registered)
        celos_console_set_size(&console_ops, console->screen.cols(), console->screen.rows());
}

celos_status show_log() {
    replaying = true;
    celos_status s = celos_log_sink_register(&sink);
    celos_irq_guard guard; // the timer's flush waits until the screen is whole
    replaying = false;
    present_now();
    report_size(); // after a font or mode change, the new grid
    return s;
}

// The font's provider is being replaced (celos_service_replace): draw with
// the new one from now on. Runs outside any sink, so it may allocate; the
// old font stays loaded until this returns.
celos_status replace_font(void*, const void* new_ops, uint32_t) {
    auto* font = static_cast<const celos_font_ops*>(new_ops);
    const celos_font_ops* old = console->screen.font();
    if (!font) { // asked to let go (rmmod of the provider): the console has no other font
        celos_log(CELOS_LOG_WARN, "the console draws with font '%s': it stays (font FILE changes it)", old->name);
        return CELOS_ERR_BUSY;
    }
    // No line may reach the screen while it changes.
    celos_log_sink_unregister(&sink);
    const char* why = nullptr;
    celos_status switched = console->screen.switch_font(font, &why);
    if (switched != CELOS_OK) console->screen.clear(); // the old font: the log is drawn again below
    celos_status shown = show_log();
    if (switched == CELOS_OK && shown == CELOS_OK) {
        seen_revision = font_revision(font);
        celos_log(CELOS_LOG_INFO, "font replaced: %s -> %s, %ux%u cells of %ux%u", old->name, font->name,
                  console->screen.cols(), console->screen.rows(), font->cell_width, font->cell_height);
        // The chain stays (the renderer keeps it); one started meanwhile joins.
        bool joined = chain_scan();
        const celos_font_ops* fonts[FontChain::kSlots];
        if (chain.fonts(fonts) > 0) chain_changed();
        if (joined) {
            celos_irq_guard guard;
            console->screen.redraw();
            present_now();
        }
        return CELOS_OK;
    }
    if (switched == CELOS_OK) {
        // Not a console any more: back to the old font (the spare grid, no
        // memory needed) and try once more.
        console->screen.switch_font(old, nullptr);
        celos_status again = show_log();
        celos_log(CELOS_LOG_ERROR, "cannot become the log sink again (%s); '%s' kept%s",
                  celos_strerror(shown), old->name, again == CELOS_OK ? "" : ", the console is off");
        return shown;
    }
    celos_log(CELOS_LOG_WARN, "cannot draw with font '%s' (%s); '%s' kept", font->name, why, old->name);
    if (shown != CELOS_OK)
        celos_log(CELOS_LOG_ERROR, "cannot become the log sink again (%s): the console is off",
                  celos_strerror(shown));
    return switched;
}

const celos_service_watch font_watch = {replace_font, nullptr};

// What the console draws for a mode: panning only when the display can.
RenderConfig render_config(const celos_display_ops* display, const celos_display_mode& mode) {
    PixelFormat format{mode.bpp, mode.red_position, mode.red_size, mode.green_position, mode.green_size,
                       mode.blue_position, mode.blue_size};
    return RenderConfig{mode.width, mode.height, mode.pitch, format, static_cast<uint32_t>(margin), colors.background,
                        CursorShape::Underline, display->set_y_offset ? mode.virtual_height : 0};
}

// The display's mode, checked: null when the console can draw on it, else why.
const char* read_mode(const celos_display_ops* display, celos_display_mode& mode) {
    if (!display->get_mode || !display->framebuffer) return "the display has no get_mode or framebuffer";
    display->get_mode(display->context, &mode);
    PixelFormat format{mode.bpp, mode.red_position, mode.red_size, mode.green_position, mode.green_size,
                       mode.blue_position, mode.blue_size};
    if (const char* why = pixel_format_check(format)) return why;
    if (mode.virtual_height < mode.height) return "the display's virtual height is below its height";
    return nullptr;
}

// The display's provider is being replaced, or its mode changed (the driver
// announces a mode change as a replacement): lay the grid out for the new
// screen and draw the log again. Outside any sink, so it may allocate.
celos_status replace_display(void*, const void* new_ops, uint32_t) {
    auto* display = static_cast<const celos_display_ops*>(new_ops);
    if (!display) { // asked to let go (rmmod of the driver): the console has no other display
        celos_log(CELOS_LOG_WARN, "the console draws on display '%s': it stays", console->display->name);
        return CELOS_ERR_BUSY;
    }
    celos_display_mode mode{};
    if (const char* why = read_mode(display, mode)) {
        celos_log(CELOS_LOG_WARN, "cannot draw on display '%s': %s; '%s' kept", display->name, why,
                  console->display->name);
        return CELOS_ERR_UNSUPPORTED;
    }
    RenderConfig config = render_config(display, mode);
    size_t need = Renderer::back_buffer_size(config);
    size_t pages = (need + CELOS_PAGE_SIZE - 1) / CELOS_PAGE_SIZE;
    void* new_back = back;
    if (pages > back_pages) {
        if (celos_vrange_alloc(pages, CELOS_PROT_READ | CELOS_PROT_WRITE, &new_back) != CELOS_OK) {
            celos_log(CELOS_LOG_WARN, "no memory for a %ux%u back buffer; display '%s' kept", mode.width,
                      mode.height, console->display->name);
            return CELOS_ERR_NO_MEMORY;
        }
    }
    void* framebuffer = display->framebuffer(display->context);
    celos_log_sink_unregister(&sink); // no line may reach the screen while it changes
    const char* why = nullptr;
    celos_status switched =
        framebuffer ? console->screen.switch_screen(config, static_cast<uint8_t*>(new_back),
                                                    new_back == back ? back_pages * CELOS_PAGE_SIZE
                                                                     : pages * CELOS_PAGE_SIZE,
                                                    &why)
                    : CELOS_ERR_INVALID;
    if (!framebuffer) why = "the display gives no framebuffer";
    if (switched != CELOS_OK) {
        if (new_back != back) celos_vrange_free(new_back);
        console->screen.clear();
        show_log();
        celos_log(CELOS_LOG_WARN, "cannot draw on display '%s' (%s); '%s' kept", display->name, why,
                  console->display->name);
        return switched;
    }
    if (new_back != back) {
        if (back) celos_vrange_free(back);
        back = new_back;
        back_pages = pages;
    }
    const char* old = console->display->name;
    console->display = display;
    console->mode = mode;
    console->framebuffer = static_cast<uint8_t*>(framebuffer);
    console->scan_y = UINT32_MAX;
    celos_status shown = show_log();
    celos_log(CELOS_LOG_INFO, "display %s -> %s: %ux%u, %u bpp: %ux%u cells", old, display->name, mode.width,
              mode.height, mode.bpp, console->screen.cols(), console->screen.rows());
    return shown;
}

const celos_service_watch display_watch = {replace_display, nullptr};

void fbcon_exit();

celos_status fbcon_init() {
    uint64_t started = celos_time_ns();
    const void* display_ops = nullptr;
    if (celos_service_acquire(CELOS_DISPLAY_SERVICE, CELOS_DISPLAY_INTERFACE_VERSION, &display_watch, &display_hold,
                              &display_ops) != CELOS_OK) {
        display_hold = 0;
        celos_log(CELOS_LOG_WARN, "no display (no linear RGB framebuffer, no display driver): the console stays on serial");
        return CELOS_ERR_UNSUPPORTED;
    }
    auto* display = static_cast<const celos_display_ops*>(display_ops);
    celos_display_mode mode{};
    if (const char* why = read_mode(display, mode)) {
        celos_log(CELOS_LOG_ERROR, "display '%s' %ux%u, %u bpp: %s; the console stays on serial", display->name,
                  mode.width, mode.height, mode.bpp, why);
        fbcon_exit();
        return CELOS_ERR_UNSUPPORTED;
    }
    const void* ops = nullptr;
    if (celos_service_acquire(CELOS_FONT_SERVICE, CELOS_FONT_INTERFACE_VERSION, &font_watch, &font_hold,
                              &ops) != CELOS_OK) {
        celos_log(CELOS_LOG_ERROR, "no font service: load a font module (psf or truetype) before fbcon");
        font_hold = 0;
        fbcon_exit();
        return CELOS_ERR_NOT_FOUND;
    }
    auto* font = static_cast<const celos_font_ops*>(ops);
    if (!parse_rgb(fg_param, colors.foreground)) celos_log(CELOS_LOG_WARN, "fg=%s is not RRGGBB; default kept", fg_param);
    if (!parse_rgb(bg_param, colors.background)) celos_log(CELOS_LOG_WARN, "bg=%s is not RRGGBB; default kept", bg_param);
    if (scrollback < 0 || scrollback > kMaxScrollback) {
        celos_log(CELOS_LOG_WARN, "scrollback=%lld is out of range 0..%lld; 2000 used",
                  static_cast<long long>(scrollback), static_cast<long long>(kMaxScrollback));
        scrollback = 2000;
    }
    if (margin < 0 || margin > 256) {
        celos_log(CELOS_LOG_WARN, "margin=%lld is out of range 0..256; 8 used", static_cast<long long>(margin));
        margin = 8;
    }

    RenderConfig config = render_config(display, mode);
    size_t back_size = Renderer::back_buffer_size(config);
    // What init takes, exit gives back (the core would release it too).
    back_pages = (back_size + CELOS_PAGE_SIZE - 1) / CELOS_PAGE_SIZE;
    celos_status s = celos_vrange_alloc(back_pages, CELOS_PROT_READ | CELOS_PROT_WRITE, &back);
    if (s != CELOS_OK) {
        back = nullptr;
        fbcon_exit();
        return s;
    }
    console = new (std::nothrow) State;
    if (!console) {
        fbcon_exit();
        return CELOS_ERR_NO_MEMORY;
    }
    console->display = display;
    console->mode = mode;
    console->scan_y = UINT32_MAX;
    console->framebuffer = static_cast<uint8_t*>(display->framebuffer(display->context));
    if (!console->framebuffer) {
        celos_log(CELOS_LOG_ERROR, "display '%s' gives no framebuffer; the console stays on serial", display->name);
        fbcon_exit();
        return CELOS_ERR_UNSUPPORTED;
    }
    if (const char* why =
            console->screen.init(config, font, static_cast<uint8_t*>(back), back_size,
                                 console_terminal_config(colors), {allocate_cells, free_cells},
                                 static_cast<uint32_t>(scrollback))) {
        celos_log(CELOS_LOG_ERROR, "renderer: %s", why);
        fbcon_exit();
        return CELOS_ERR_INVALID;
    }
    celos_log(CELOS_LOG_INFO, "%ux%u, %u bpp: %ux%u cells of %ux%u with font '%s'", mode.width, mode.height,
              mode.bpp, console->screen.cols(), console->screen.rows(), font->cell_width, font->cell_height,
              font->name);
    seen_revision = font_revision(font);
    if (chain_scan()) chain_changed();
    if (scrollback > 0 && console->screen.history_lines() == 0)
        celos_log(CELOS_LOG_WARN, "no memory for %lld lines of scrollback: none kept",
                  static_cast<long long>(scrollback));
    celos_status registered = show_log();
    if (registered != CELOS_OK) {
        fbcon_exit();
        return registered;
    }
    if (celos_status s2 = celos_console_register(&console_ops); s2 != CELOS_OK)
        celos_log(CELOS_LOG_WARN, "cannot be the console for programs (%s): the log only", celos_strerror(s2));
    else
        console_registered = true;
    report_size();
    chain_task_registered = celos_task_register(chain_task, nullptr) == CELOS_OK;
    if (!chain_task_registered)
        celos_log(CELOS_LOG_WARN, "no task slot: fallback fonts started later do not join the chain");
    celos_log(CELOS_LOG_INFO, "first screen drawn in %llu us (console set up, the early log replayed)",
              static_cast<unsigned long long>((celos_time_ns() - started) / 1000));
    return CELOS_OK;
}

// Undoes init, in the reverse order: the sink first (no line may reach a
// screen going away), the font, the cells, the back buffer. The core
// releases the same if a call is missed, and gives the screen back to its
// boot screen when no module draws on it any more.
void fbcon_exit() {
    if (chain_task_registered) celos_task_unregister(chain_task, nullptr);
    chain_task_registered = false;
    if (console_registered) celos_console_unregister(&console_ops);
    console_registered = false;
    celos_log_sink_unregister(&sink);
    chain_release();
    if (font_hold) celos_service_release(font_hold);
    font_hold = 0;
    if (display_hold) celos_service_release(display_hold);
    display_hold = 0;
    if (console) {
        console->screen.release();
        delete console;
    }
    console = nullptr;
    if (back) celos_vrange_free(back);
    back = nullptr;
    back_pages = 0;
    replaying = false;
}

} // namespace

CELOS_MODULE_WITH_PARAMS("fbcon", "1.0", "heap @font", fbcon_init, fbcon_exit, params, 4);
