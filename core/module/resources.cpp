#include "module/resources.h"

#include "lib/irq.h"
#include "log/log.h"

namespace celos {
namespace {

struct Resource {
    ResourceKind kind;
    int owner;
    u64 a;
    u64 b;
    ResourceRelease release; // nullptr: an empty record (removed)
};

constexpr usize kMaxResources = 1024;
// A stack in the order of recording: the top is the newest. Removed
// records leave holes that compaction closes when the stack is full.
Resource stack[kMaxResources];
usize top = 0;
bool releasing = false; // no compaction while resources_release_all walks the stack

void compact() {
    usize to = 0;
    for (usize from = 0; from < top; ++from)
        if (stack[from].release) stack[to++] = stack[from];
    top = to;
}

Resource* find(ResourceKind kind, u64 a) {
    for (usize i = top; i-- > 0;)
        if (stack[i].release && stack[i].kind == kind && stack[i].a == a) return &stack[i];
    return nullptr;
}

} // namespace

bool resource_add(int owner, ResourceKind kind, u64 a, u64 b, ResourceRelease release) {
    IrqGuard guard;
    if (top == kMaxResources && !releasing) compact();
    if (top == kMaxResources) return false;
    stack[top++] = {kind, owner, a, b, release};
    return true;
}

bool resource_find(ResourceKind kind, u64 a, u64* b_out, int* owner_out) {
    IrqGuard guard;
    const Resource* r = find(kind, a);
    if (!r) return false;
    if (b_out) *b_out = r->b;
    if (owner_out) *owner_out = r->owner;
    return true;
}

bool resource_remove(ResourceKind kind, u64 a, u64* b_out) {
    IrqGuard guard;
    Resource* r = find(kind, a);
    if (!r) return false;
    if (b_out) *b_out = r->b;
    r->release = nullptr;
    return true;
}

bool resource_any(ResourceKind kind) {
    IrqGuard guard;
    for (usize i = 0; i < top; ++i)
        if (stack[i].release && stack[i].kind == kind) return true;
    return false;
}

namespace {

// Every record of `owner`, or only those of *kind when kind is given.
void release_matching(int owner, const ResourceKind* kind) {
    // Newest first. A release function may add or remove records (of other
    // owners, or look this kind up), so each is taken off before it runs and
    // the scan goes on below it.
    releasing = true;
    for (usize i = top; i-- > 0;) {
        Resource r;
        {
            IrqGuard guard;
            if (i >= top || !stack[i].release || stack[i].owner != owner) continue;
            if (kind && stack[i].kind != *kind) continue;
            r = stack[i];
            stack[i].release = nullptr;
        }
        r.release(r.owner, r.a, r.b);
    }
    IrqGuard guard;
    releasing = false;
    while (top > 0 && !stack[top - 1].release)
        --top;
}

} // namespace

void resources_release_all(int owner) {
    release_matching(owner, nullptr);
}

void resources_release_kind(int owner, ResourceKind kind) {
    release_matching(owner, &kind);
}

usize resources_count(int owner) {
    IrqGuard guard;
    usize n = 0;
    for (usize i = 0; i < top; ++i)
        n += stack[i].release && stack[i].owner == owner;
    return n;
}

usize resources_count_of_modules() {
    IrqGuard guard;
    usize n = 0;
    for (usize i = 0; i < top; ++i)
        n += stack[i].release && stack[i].owner >= 0;
    return n;
}

} // namespace celos
