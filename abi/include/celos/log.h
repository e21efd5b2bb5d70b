/* The kernel log: lines with a level, on serial and on every console. */
#ifndef CELOS_LOG_H
#define CELOS_LOG_H

#include <celos/cdefs.h>
#include <celos/status.h>

#define CELOS_LOG_ERROR 0
#define CELOS_LOG_WARN 1
#define CELOS_LOG_INFO 2
#define CELOS_LOG_DEBUG 3

/* A destination for log lines (a console). `emit` gets one whole line
   without its newline; it is called with interrupts off, from any context
   including fault handlers, so it must not allocate or block. */
struct celos_log_sink {
    void (*emit)(void* context, int level, uint64_t timestamp_ns, const char* line, size_t length);
    void (*flush)(void* context); /* may be NULL */
    void* context;
};

CELOS_BEGIN_DECLS
/* Replays every line still in the early log ring into the sink, then sends
   it each new line. The sink is removed if its module fails to start.
   CELOS_ERR_NO_MEMORY when all sink slots are taken. */
celos_status celos_log_sink_register(const struct celos_log_sink* sink);
celos_status celos_log_sink_unregister(const struct celos_log_sink* sink);

/* printf-style; the line is prefixed with the calling module's name. */
void celos_log(int level, const char* fmt, ...) CELOS_PRINTF(2, 3);
void celos_vlog(int level, const char* fmt, va_list args);
/* Reports the message, a backtrace, and stops the machine. Called from a
   module's init, it ends that init instead (CELOS_ERR_FAULT) and the loader
   unloads the module; the boot goes on. */
CELOS_NORETURN void celos_panic(const char* fmt, ...) CELOS_PRINTF(1, 2);

/* Names a code address: "module:function+0x1c" or "core_function+0x1c".
   Returns the length written, like snprintf. */
int celos_symbolize(uintptr_t address, char* buf, size_t size);
/* The loaded module whose code holds `address`, or -1 for the core (and for
   addresses in no module); and a module's name ("core" for -1). */
int celos_module_of(uintptr_t address);
const char* celos_module_name(int module);

/* Nanoseconds since boot: the clock of the log's timestamps, for a module
   that reports how long something took. ABI 1.1. */
uint64_t celos_time_ns(void);
CELOS_END_DECLS

/* Always on, like the core's ASSERT: a false expression is a celos_panic
   naming it, with file and line. */
#define CELOS_ASSERT(expr)                                                                  \
    do {                                                                                    \
        if (__builtin_expect(!(expr), 0))                                                   \
            celos_panic("assertion failed: %s (%s:%d)", #expr, __FILE__, __LINE__);         \
    } while (0)

#endif
