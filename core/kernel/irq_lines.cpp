#include "kernel/irq_lines.h"

#include "arch/cpu.h"
#include "lib/irq.h"
#include "log/log.h"
#include "module/module.h"
#include "module/resources.h"

namespace celos {
namespace {

struct Line {
    celos_irq_handler handler;
    void* context;
    int owner;
};
Line lines[kIrqLines];
u64 unexpected = 0;

// Lines the core keeps: the timer and the cascade from the second PIC.
bool reserved(unsigned line) {
    return line == 0 || line == 2;
}

void release_line(int, u64 line, u64) {
    IrqGuard guard;
    if (line >= kIrqLines) return;
    arch::irq_line_mask(static_cast<u8>(line));
    lines[line] = {};
}

} // namespace

Result<void> irq_line_register(int owner, unsigned line, celos_irq_handler handler, void* context) {
    if (line >= kIrqLines || reserved(line) || handler == nullptr)
        return make_error(Status::invalid, "not a line a module can take (1, 3..15) or no handler");
    IrqGuard guard;
    if (lines[line].handler) return make_error(Status::busy, "the line has a handler");
    if (!resource_add(owner, ResourceKind::irq_line, line, 0, release_line))
        return make_error(Status::no_memory, "the resource table is full");
    lines[line] = {handler, context, owner};
    arch::irq_line_unmask(static_cast<u8>(line));
    return {};
}

Result<void> irq_line_unregister(unsigned line, celos_irq_handler handler, void* context) {
    IrqGuard guard;
    if (line >= kIrqLines || lines[line].handler != handler || lines[line].context != context)
        return make_error(Status::not_found, "this handler does not have the line");
    resource_remove(ResourceKind::irq_line, line, nullptr);
    release_line(lines[line].owner, line, 0);
    return {};
}

bool irq_line_dispatch(u8 line) {
    if (line >= kIrqLines || !lines[line].handler) {
        ++unexpected;
        return false;
    }
    lines[line].handler(lines[line].context);
    return true;
}

u64 irq_lines_unexpected() {
    return unexpected;
}

} // namespace celos
