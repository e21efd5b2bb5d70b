// The kernel shell: a main-loop task (<celos/system.h>) that reads key
// events from every input driver (celos_input_read), feeds them to the
// Shell (shell.h: the line editor, history, completion and commands, pure
// logic) and writes its terminal bytes to the serial port and the screen
// console (celos_console_write). The first run, just after `celos: ready`,
// prints the welcome line and the prompt.
//
// A log line that comes while the prompt waits (from an interrupt, a
// driver's task) is written where the cursor is and ends the row: the
// shell counts the lines through a log sink of its own and, at its next
// run, writes the prompt and the line again below it.
//
// Parameter: columns=N, the width the line editor assumes (20 to 512).
// Without it the editor follows the screen console's width
// (celos_console_size, which the console updates on a font or mode
// change), and 80 when there is none (the serial port alone: its size is
// unknown). A serial terminal narrower than the screen wraps longer lines;
// columns= fixes the width for it.
#include <celos/abi.h>
#include <celos/console.h>
#include <celos/cxx.h>
#include <celos/font.h>
#include <celos/input.h>
#include <celos/display.h>
#include <celos/system.h>

#include "shell.h"

namespace {

using namespace celos::shell;

int64_t columns = 0; // 0: follow the console's width

const celos_module_param params[] = {
    {"columns", CELOS_PARAM_INT, 0, &columns,
     "the terminal's width in columns (20 to 512; default: the screen console's, else 80)"},
};

Shell* shell = nullptr;
bool started = false;
uint32_t editor_columns = 0; // the width the line editor was last given

// columns= not given: the console's width, as it changes, else 80. Logged
// the first time only: a log line while the prompt waits would draw the
// prompt again after each font or mode change.
void follow_console_width() {
    if (columns != 0) return;
    uint32_t width = 0, height = 0;
    bool known = celos_console_size(&width, &height) == CELOS_OK;
    if (!known) width = 80;
    if (width < LineEditor::kMinColumns) width = LineEditor::kMinColumns;
    if (width > LineEditor::kMaxColumns) width = LineEditor::kMaxColumns;
    if (width == editor_columns) return;
    bool first = editor_columns == 0;
    editor_columns = width;
    shell->set_columns(width);
    if (!first) return;
    if (known)
        celos_log(CELOS_LOG_INFO, "the line editor follows the console: %u columns", width);
    else
        celos_log(CELOS_LOG_INFO, "no console says its size: the line editor assumes 80 columns (columns=N)");
}


// Log lines so far (the sink runs with interrupts off, in any context: it
// only counts), and how many of them the shell's last output came after.
volatile uint64_t log_lines = 0;
uint64_t log_lines_shown = 0;

void count_line(void*, int, uint64_t, const char*, size_t) {
    log_lines = log_lines + 1;
}
const celos_log_sink log_counter = {count_line, nullptr, nullptr};

int sys_info(void*, const char* topic, const char* arg, char* out, size_t size) {
    return celos_info(topic, arg, out, size);
}
celos_status sys_module_load(void*, const char* file, const char* p, char* why, size_t why_size) {
    return celos_module_load(file, p, why, why_size);
}
celos_status sys_module_unload(void*, const char* name, bool ask_holders, char* why, size_t why_size) {
    return celos_module_unload_flags(name, ask_holders ? CELOS_UNLOAD_ASK_HOLDERS : 0, why, why_size);
}
celos_status sys_bootfile_find(void*, const char* name, const void** data, size_t* size) {
    return celos_bootfile_find(name, data, size);
}

bool sys_font_in_use(void*, FontInUse* font) {
    auto* ops = static_cast<const celos_font_ops*>(
        celos_service_lookup(CELOS_FONT_SERVICE, CELOS_FONT_INTERFACE_VERSION));
    if (!ops) return false;
    int module = celos_module_of(reinterpret_cast<uintptr_t>(ops->glyph));
    snprintf(font->provider, sizeof font->provider, "%s", celos_module_name(module));
    snprintf(font->name, sizeof font->name, "%s", ops->name ? ops->name : "?");
    font->cell_width = ops->cell_width;
    font->cell_height = ops->cell_height;
    return true;
}

// The provider's control service, held for the call.
celos_status sys_font_open(void*, const char* module, const char* file, const char* p, char* why,
                           size_t why_size) {
    char name[CELOS_MODULE_NAME_MAX + sizeof CELOS_FONT_CONTROL_PREFIX];
    snprintf(name, sizeof name, "%s%s", CELOS_FONT_CONTROL_PREFIX, module);
    celos_service_handle hold = 0;
    const void* ops = nullptr;
    if (celos_service_acquire(name, CELOS_FONT_CONTROL_VERSION, nullptr, &hold, &ops) != CELOS_OK)
        return CELOS_ERR_NOT_FOUND;
    auto* control = static_cast<const celos_font_control_ops*>(ops);
    celos_status s = CELOS_ERR_UNSUPPORTED;
    if (control->size >= sizeof(celos_font_control_ops) && control->open) s = control->open(file, p, why, why_size);
    celos_service_release(hold);
    return s;
}

void sys_scroll(void*, int32_t lines) {
    celos_console_scroll(lines);
}
void sys_reboot(void*) {
    celos_reboot();
}
void sys_poweroff(void*) {
    celos_poweroff();
}
const char* sys_strerror(celos_status s) {
    return celos_strerror(s);
}
void* sys_allocate(void*, size_t size) {
    return kmalloc(size);
}
void sys_release(void*, void* block) {
    kfree(block);
}

// The display service's set_mode. Looked up, not held: the driver announces
// the new mode by replacing its registration, which a hold without a watch
// would refuse; and nothing unloads the driver while the shell's task runs.
celos_status sys_display_set_mode(void*, uint32_t width, uint32_t height, char* why, size_t why_size) {
    auto* display = static_cast<const celos_display_ops*>(
        celos_service_lookup(CELOS_DISPLAY_SERVICE, CELOS_DISPLAY_INTERFACE_VERSION));
    if (!display) return CELOS_ERR_NOT_FOUND;
    celos_status s = display->set_mode ? display->set_mode(display->context, width, height) : CELOS_ERR_UNSUPPORTED;
    if (s == CELOS_ERR_UNSUPPORTED && why_size)
        snprintf(why, why_size, "the display '%s' cannot change its mode", display->name ? display->name : "?");
    return s;
}

const System kSystem = {nullptr,         sys_info,      sys_module_load, sys_module_unload, sys_bootfile_find,
                        sys_font_in_use, sys_font_open, sys_scroll,      sys_reboot,        sys_poweroff,
                        sys_strerror,    sys_allocate,  sys_release,     sys_display_set_mode};

void console_write(void*, const char* data, size_t length) {
    celos_console_write(data, length);
}

void shell_task(void*) {
    follow_console_width(); // a font or mode change since: the prompt is drawn again below its log line
    if (!started) {
        started = true;
        shell->start();
    } else if (log_lines != log_lines_shown) {
        shell->redraw(); // the log wrote over the prompt
    }
    // What queued up is echoed in one write.
    celos_input_event event;
    while (celos_input_read(&event) == CELOS_OK) shell->key(event);
    // Lines logged before this output (a command's) are above the prompt.
    celos_irq_state state = celos_irq_save();
    shell->flush();
    log_lines_shown = log_lines;
    celos_irq_restore(state);
}

celos_status shell_init() {
    if (columns != 0 && (columns < LineEditor::kMinColumns || columns > LineEditor::kMaxColumns)) {
        celos_log(CELOS_LOG_WARN, "columns=%lld is out of range %u..%u; the console's width used",
                  static_cast<long long>(columns), LineEditor::kMinColumns, LineEditor::kMaxColumns);
        columns = 0;
    }
    shell = new (std::nothrow) Shell(kSystem, console_write, nullptr);
    if (!shell) return CELOS_ERR_NO_MEMORY;
    editor_columns = 0;
    if (columns != 0) shell->set_columns(static_cast<uint32_t>(columns));
    follow_console_width();
    started = false;
    if (celos_log_sink_register(&log_counter) != CELOS_OK)
        celos_log(CELOS_LOG_WARN, "no log sink: a log line over the prompt is not followed by the prompt again");
    log_lines_shown = log_lines;
    celos_status s = celos_task_register(shell_task, nullptr);
    if (s != CELOS_OK) {
        celos_log(CELOS_LOG_ERROR, "cannot register the shell's task: %s", celos_strerror(s));
        delete shell;
        shell = nullptr;
        return s;
    }
    return CELOS_OK;
}

void shell_exit() {
    celos_task_unregister(shell_task, nullptr);
    celos_log_sink_unregister(&log_counter);
    delete shell;
    shell = nullptr;
    started = false;
}

} // namespace

CELOS_MODULE_WITH_PARAMS("shell", "1.0", "heap", shell_init, shell_exit, params, 1);
