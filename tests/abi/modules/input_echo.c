/* input_echo: a main-loop task that reads the input queue and logs one line
   per key event, for the boot tests of the input drivers:
     input_echo: key=CHAR cp=U+0061 'a' mods=ctrl source=keyboard #1
     input_echo: key=PAGE_UP mods=shift source=serial #1
   (mods=none without modifiers; several are joined with '+'; #N counts the
   events of each source, so a test sees that none is missing or extra). */
#include <celos/abi.h>
#include <celos/input.h>
#include <celos/system.h>

/* Events logged per run of the task at most; the rest wait for the next. */
#define ECHO_BATCH 64

static const char* const key_names[] = {
    "NONE", "CHAR", "ENTER", "BACKSPACE", "TAB", "ESCAPE", "UP", "DOWN", "LEFT", "RIGHT",
    "HOME", "END", "PAGE_UP", "PAGE_DOWN", "INSERT", "DELETE",
};

static unsigned echoed[3]; /* per source: other, keyboard, serial */

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
             mods & CELOS_MOD_CTRL ? "ctrl" : "", (mods & CELOS_MOD_CTRL) && (mods & CELOS_MOD_ALT) ? "+" : "",
             mods & CELOS_MOD_ALT ? "alt" : "",
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
    for (int i = 0; i < ECHO_BATCH && celos_input_read(&e) == CELOS_OK; ++i) {
        char key[24], mods[40], text[8];
        key_name(e.key, key, sizeof key);
        modifier_names(e.modifiers, mods, sizeof mods);
        const unsigned which = e.source == CELOS_INPUT_KEYBOARD ? 1 : e.source == CELOS_INPUT_SERIAL ? 2 : 0;
        const char* const source = which == 1 ? "keyboard" : which == 2 ? "serial" : "unknown";
        const unsigned n = ++echoed[which];
        if (e.key == CELOS_KEY_CHAR) {
            utf8(e.codepoint, text);
            celos_log(CELOS_LOG_INFO, "key=%s cp=U+%04X '%s' mods=%s source=%s #%u", key, (unsigned)e.codepoint,
                      text, mods, source, n);
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

CELOS_MODULE("input_echo", "1.0", "", input_echo_init, input_echo_exit);
