/* Input: key events from every input driver (the PS/2 keyboard, the serial
   port) in one queue that the consumer (the shell) reads, whichever driver
   they came from (ABI 1.3).

   A driver reports a key press with celos_input_report, from its interrupt
   handler or anywhere else; the core queues it (a ring of
   CELOS_INPUT_QUEUE events; when it is full the newest event is dropped and
   counted) and wakes the main loop. Releases are not reported: a press,
   and a repeat while held, is one event. The consumer reads the queue in
   order with celos_input_read from its main-loop task (<celos/system.h>).

   An event is either a character (key CELOS_KEY_CHAR, `codepoint` the
   Unicode character the layout gives, with Shift and Caps Lock applied;
   Ctrl+letter is the letter with CELOS_MOD_CTRL, not a control character)
   or a named key (`codepoint` 0). */
#ifndef CELOS_INPUT_H
#define CELOS_INPUT_H

#include <celos/cdefs.h>
#include <celos/status.h>

#define CELOS_INPUT_QUEUE 256

enum celos_key {
    CELOS_KEY_NONE = 0,
    CELOS_KEY_CHAR = 1, /* a character: see `codepoint` */
    CELOS_KEY_ENTER,
    CELOS_KEY_BACKSPACE,
    CELOS_KEY_TAB,
    CELOS_KEY_ESCAPE,
    CELOS_KEY_UP,
    CELOS_KEY_DOWN,
    CELOS_KEY_LEFT,
    CELOS_KEY_RIGHT,
    CELOS_KEY_HOME,
    CELOS_KEY_END,
    CELOS_KEY_PAGE_UP,
    CELOS_KEY_PAGE_DOWN,
    CELOS_KEY_INSERT,
    CELOS_KEY_DELETE,
    CELOS_KEY_F1, /* F1..F12 follow in order */
    CELOS_KEY_F12 = CELOS_KEY_F1 + 11,
    CELOS_KEY_COUNT
};

/* Modifier bits held with the key. */
#define CELOS_MOD_SHIFT 0x1u
#define CELOS_MOD_CTRL 0x2u
#define CELOS_MOD_ALT 0x4u

/* Where an event came from (for logs and tests). */
#define CELOS_INPUT_KEYBOARD 1u
#define CELOS_INPUT_SERIAL 2u

/* 16 bytes. */
struct celos_input_event {
    uint32_t key;       /* enum celos_key */
    uint32_t codepoint; /* with CELOS_KEY_CHAR, else 0 */
    uint32_t modifiers; /* CELOS_MOD_* */
    uint32_t source;    /* CELOS_INPUT_* */
};
CELOS_STATIC_ASSERT(sizeof(struct celos_input_event) == 16, "celos_input_event layout");

CELOS_BEGIN_DECLS
/* Queues one event. CELOS_ERR_INVALID for a key outside the enum, a
   CELOS_KEY_CHAR without a valid code point (0, a surrogate, above
   U+10FFFF, or a C0/C1 control) or a codepoint with another key;
   CELOS_ERR_NO_MEMORY when the queue is full (the event is dropped and
   counted). Any context, interrupts on or off. */
celos_status celos_input_report(const struct celos_input_event* event);
/* The oldest queued event into *event: CELOS_OK, or CELOS_ERR_NOT_FOUND
   when the queue is empty. */
celos_status celos_input_read(struct celos_input_event* event);
/* How many events the queue takes now (ABI 1.5): a driver whose device
   holds its bytes until read (a UART) leaves them there when the queue is
   short of room, instead of losing them. Any context. */
size_t celos_input_room(void);
CELOS_END_DECLS

#endif
