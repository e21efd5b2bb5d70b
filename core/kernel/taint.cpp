#include "kernel/taint.h"

#include "lib/format.h"
#include "lib/irq.h"

namespace celos {
namespace {

u32 flags;
char unsigned_modules[160]; // labels, comma-separated
usize unsigned_length;

} // namespace

void taint(TaintFlag flag, const char* what) {
    IrqGuard guard;
    flags |= static_cast<u32>(flag);
    if (flag == TaintFlag::unsigned_module && what && unsigned_length < sizeof unsigned_modules)
        unsigned_length += format(unsigned_modules + unsigned_length, sizeof unsigned_modules - unsigned_length,
                                  "%s%s", unsigned_length ? ", " : "", what);
}

bool kernel_tainted() { return flags != 0; }

void taint_describe(char* buf, usize size) {
    if (size == 0) return;
    buf[0] = '\0';
    if (flags & static_cast<u32>(TaintFlag::unsigned_module))
        format(buf, size, "unsigned module: %s", unsigned_modules);
}

} // namespace celos
