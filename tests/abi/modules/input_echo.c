/* input_echo: a main-loop task that reads the input queue and logs one line
   per key event, for the boot tests of the input drivers:
     input_echo: key=CHAR cp=U+0061 'a' mods=ctrl source=keyboard #1
     input_echo: key=PAGE_UP mods=shift source=serial #1
   (mods=none without modifiers; several are joined with '+'; #N counts the
   events of each source, so a test sees that none is missing or extra).
   With cycles=N, its first run unloads and loads again ps2kbd and
   serial_input N times and says whether the memory the kernel reports
   (celos_info "memory") is as before: their exits undo their inits. */
#include <celos/abi.h>
#include <celos/input.h>
#include <celos/system.h>

/* Events logged per run of the task at most; the rest wait for the next. */
#define ECHO_BATCH 64

static const char* const key_names[] = {
    "NONE", "CHAR",  "ENTER", "BACKSPACE", "TAB",     "ESCAPE",    "UP",     "DOWN",
    "LEFT", "RIGHT", "HOME",  "END",       "PAGE_UP", "PAGE_DOWN", "INSERT", "DELETE",
};

static unsigned echoed[3]; /* per source: other, keyboard, serial */
static int64_t cycles = 0;
static bool cycled = false;

static const struct celos_module_param params[] = {
    {"cycles", CELOS_PARAM_INT, 0, &cycles,
     "unload and load ps2kbd and serial_input this many times, once ready"},
};

static void cycle_input_drivers(void) {
    static const char* const names[] = {"ps2kbd", "serial_input"};
    static char before[1024], after[1024];
    char why[200];
    celos_info("memory", 0, before, sizeof before);
    for (int64_t i = 0; i < cycles; ++i) {
        for (int n = 0; n < 2; ++n) {
            if (celos_module_unload(names[n], why, sizeof why) != CELOS_OK) {
                celos_log(CELOS_LOG_ERROR, "cycle %lld: cannot unload %s: %s", (long long)i + 1, names[n],
                          why);
                return;
            }
            if (celos_module_load(names[n], 0, why, sizeof why) != CELOS_OK) {
                celos_log(CELOS_LOG_ERROR, "cycle %lld: cannot load %s again: %s", (long long)i + 1, names[n],
                          why);
                return;
            }
        }
    }
    celos_info("memory", 0, after, sizeof after);
    if (strcmp(before, after) == 0) {
        celos_log(CELOS_LOG_INFO, "%lld unload/load cycles of ps2kbd and serial_input: memory as before",
                  (long long)cycles);
    } else {
        celos_log(CELOS_LOG_ERROR, "%lld unload/load cycles of ps2kbd and serial_input: memory before:\n%s",
                  (long long)cycles, before);
        celos_log(CELOS_LOG_ERROR, "and after:\n%s", after);
    }
}

static void key_name(uint32_t key, char* out, size_t size) {
    if (key < sizeof key_names / sizeof key_names[0])
        snprintf(out, size, "%s", key_names[key]);
    else if (key >= CELOS_KEY_F1 && key <= CELOS_KEY_F12)
        snprintf(out, size, "F%u", (unsigned)(key - CELOS_KEY_F1 + 1));
    else
        snprintf(out, size, "UNKNOWN(%u)", (unsigned)key);
}

static void modifier_names(uint32_t mods, char* out, size_t size) {
    if (!mods) {
        snprintf(out, size, "none");
        return;
    }
    snprintf(out, size, "%s%s%s%s%s%s", mods & CELOS_MOD_SHIFT ? "shift" : "",
             (mods & CELOS_MOD_SHIFT) && (mods & (CELOS_MOD_CTRL | CELOS_MOD_ALT)) ? "+" : "",
             mods & CELOS_MOD_CTRL ? "ctrl" : "",
             (mods & CELOS_MOD_CTRL) && (mods & CELOS_MOD_ALT) ? "+" : "", mods & CELOS_MOD_ALT ? "alt" : "",
             mods & ~(uint32_t)(CELOS_MOD_SHIFT | CELOS_MOD_CTRL | CELOS_MOD_ALT) ? "+unknown" : "");
}

/* The code point in UTF-8 (the queue only holds valid ones). */
static void utf8(uint32_t cp, char* out) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        out[1] = 0;
    } else if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        out[2] = 0;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        out[3] = 0;
    } else {
        out[0] = (char)(0xf0 | cp >> 18);
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[3] = (char)(0x80 | (cp & 0x3f));
        out[4] = 0;
    }
}

static void echo_task(void* context) {
    (void)context;
    struct celos_input_event e;
    if (cycles > 0 && !cycled) {
        cycled = true;
        cycle_input_drivers();
    }
    for (int i = 0; i < ECHO_BATCH && celos_input_read(&e) == CELOS_OK; ++i) {
        char key[24], mods[40], text[8];
        key_name(e.key, key, sizeof key);
        modifier_names(e.modifiers, mods, sizeof mods);
        const unsigned which = e.source == CELOS_INPUT_KEYBOARD ? 1 : e.source == CELOS_INPUT_SERIAL ? 2 : 0;
        const char* const source = which == 1 ? "keyboard" : which == 2 ? "serial" : "unknown";
        const unsigned n = ++echoed[which];
        if (e.key == CELOS_KEY_CHAR) {
            utf8(e.codepoint, text);
            celos_log(CELOS_LOG_INFO, "key=%s cp=U+%04X '%s' mods=%s source=%s #%u", key,
                      (unsigned)e.codepoint, text, mods, source, n);
        } else {
            celos_log(CELOS_LOG_INFO, "key=%s mods=%s source=%s #%u", key, mods, source, n);
        }
    }
}

static celos_status input_echo_init(void) {
    celos_status s = celos_task_register(echo_task, 0);
    if (s != CELOS_OK) return s;
    celos_log(CELOS_LOG_INFO, "logging every input event");
    return CELOS_OK;
}

static void input_echo_exit(void) {
    celos_task_unregister(echo_task, 0);
    celos_log(CELOS_LOG_INFO, "%u keyboard and %u serial events echoed", echoed[1], echoed[2]);
}

CELOS_MODULE_WITH_PARAMS("input_echo", "1.0", "", input_echo_init, input_echo_exit, params, 1);
