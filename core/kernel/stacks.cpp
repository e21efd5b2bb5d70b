#include "kernel/stacks.h"

namespace celos {
namespace {

constexpr usize kMaxStacks = 8;
KernelStack stacks[kMaxStacks];
usize stack_count = 0;

} // namespace

void stacks_register(const KernelStack& stack) {
    if (stack_count < kMaxStacks) stacks[stack_count++] = stack;
}

const KernelStack* stacks_find(u64 address) {
    for (usize i = 0; i < stack_count; ++i)
        if (address >= stacks[i].bottom && address < stacks[i].top) return &stacks[i];
    return nullptr;
}

const KernelStack* stacks_find_guard(u64 address) {
    for (usize i = 0; i < stack_count; ++i)
        if (stacks[i].guard_bottom && address >= stacks[i].guard_bottom && address < stacks[i].bottom)
            return &stacks[i];
    return nullptr;
}

} // namespace celos
