// The core's environment for fuzz targets: a panic is a finding, so abort.
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

#include "lib/assert.h"
#include "lib/irq.h"

namespace celos {

void panic(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    std::vfprintf(stderr, fmt, args);
    va_end(args);
    std::fputc('\n', stderr);
    std::abort();
}

void assertion_failed(const char* expr, const char* file, int line) {
    panic("assertion failed: %s at %s:%d", expr, file, line);
}

u64 irq_save() { return 0; }
void irq_restore(u64) {}

} // namespace celos
