// What a module got from the core (pages, ranges, services and holds on
// them, log sinks, the framebuffer, its heap blocks), each recorded with its
// own release function and released last in first out when the module goes
// (Linux's devres): no switch over kinds, no ordering special cases. The
// kind and key let the ABI find a record again ("is this range yours?").
#pragma once

#include "lib/types.h"

namespace celos {

enum class ResourceKind : u8 {
    pages,
    vrange,
    service,
    service_hold,
    log_sink,
    framebuffer,
    heap_blocks,
    irq_line,
    console,
    task,
    device_mapping, // a PCI BAR mapped in the device window
};

// Releases what the record stands for (it is no longer in the table).
using ResourceRelease = void (*)(int owner, u64 a, u64 b);

// Records a resource of `owner` (the core's own uses are recorded too, with
// owner -1, so that the ABI's frees find them). False when the table is full.
bool resource_add(int owner, ResourceKind kind, u64 a, u64 b, ResourceRelease release);
// The record of `kind` with key `a`: its `b` and owner; false when none.
bool resource_find(ResourceKind kind, u64 a, u64* b_out, int* owner_out);
// Drops the record without calling its release (the caller frees the thing
// itself); false when none.
bool resource_remove(ResourceKind kind, u64 a, u64* b_out);
// Whether any record of `kind` is left (of any owner).
bool resource_any(ResourceKind kind);
// Releases every record of `owner`, newest first.
void resources_release_all(int owner);
// Releases the records of `owner` of one kind, newest first (a faulting
// module's log sinks, before the report).
void resources_release_kind(int owner, ResourceKind kind);
// Records of `owner` (for tests and `lsmod`).
usize resources_count(int owner);
// Records of every module (owner >= 0): none once all are unloaded.
usize resources_count_of_modules();

} // namespace celos
