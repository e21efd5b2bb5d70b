#include "kernel/tasks.h"

#include "arch/cpu.h"
#include "kernel/input.h"
#include "lib/irq.h"
#include "module/resources.h"

namespace celos {
namespace {

constexpr usize kMaxTasks = 8;
struct Task {
    celos_task_fn fn;
    void* context;
    int owner;
};
Task tasks[kMaxTasks];
int running = -1;

void release_task(int, u64 slot, u64) {
    IrqGuard guard;
    if (slot < kMaxTasks) tasks[slot] = {};
}

} // namespace

Result<void> task_register(int owner, celos_task_fn fn, void* context) {
    if (!fn) return make_error(Status::invalid, "no task function");
    IrqGuard guard;
    for (usize i = 0; i < kMaxTasks; ++i) {
        if (tasks[i].fn) continue;
        if (!resource_add(owner, ResourceKind::task, i, 0, release_task))
            return make_error(Status::no_memory, "the resource table is full");
        tasks[i] = {fn, context, owner};
        return {};
    }
    return make_error(Status::no_memory, "every task slot is taken");
}

Result<void> task_unregister(celos_task_fn fn, void* context) {
    IrqGuard guard;
    for (usize i = 0; i < kMaxTasks; ++i) {
        if (tasks[i].fn != fn || tasks[i].context != context) continue;
        resource_remove(ResourceKind::task, i, nullptr);
        tasks[i] = {};
        return {};
    }
    return make_error(Status::not_found, "not a registered task");
}

int task_running_module() {
    return running;
}

void tasks_main_loop() {
    for (;;) {
        // Each slot is read afresh: a task may unload a module whose task
        // comes later (its slot is then empty).
        for (usize i = 0; i < kMaxTasks; ++i) {
            Task t;
            {
                IrqGuard guard;
                t = tasks[i];
            }
            if (!t.fn) continue;
            running = t.owner;
            t.fn(t.context);
            running = -1;
        }
        // Sleep until the next interrupt, unless input came while the
        // tasks ran (checked with interrupts off, then sti;hlt at once).
        u64 state = irq_save();
        if (input_pending())
            irq_restore(state);
        else
            arch::idle(); // sti; hlt: an interrupt between the check and the halt still wakes it
    }
}

} // namespace celos
