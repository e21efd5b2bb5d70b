#include "host_env.h"

#include <cstdarg>
#include <cstdio>

#include "lib/assert.h"
#include "lib/irq.h"

namespace celos {

void panic(const char* fmt, ...) {
    char buf[1024];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, args);
    va_end(args);
    throw celos_test::HostPanic(buf);
}

void assertion_failed(const char* expr, const char* file, int line) {
    panic("assertion failed: %s at %s:%d", expr, file, line);
}

u64 irq_save() { return 0; }
void irq_restore(u64) {}

} // namespace celos
