#include "module/registry.h"

#include <stdarg.h>

#include "lib/format.h"
#include "lib/irq.h"
#include "log/log.h"
#include "module/module.h"

namespace celos {
namespace {

ModuleSlot slots[kMaxModuleSlots];
usize slot_count;
int started[kMaxModuleSlots]; // slot ids in the order they started
usize started_count;
ExportTable exports;

// Loaded and initializing modules sorted by range base: module_owning is a
// binary search (every ABI call and every kmalloc asks).
struct IndexEntry {
    u64 base;
    u64 end;
    int id;
};
IndexEntry index_entries[kMaxModuleSlots];
usize index_count;

} // namespace

ModuleSlot& module_slot(int id) {
    return slots[id];
}
usize module_slot_count() {
    return slot_count;
}
ExportTable& module_exports() {
    return exports;
}

ModuleSlot* module_slot_new() {
    for (usize i = 0; i < slot_count; ++i)
        if (slots[i].state == SlotState::unloaded) return &slots[i];
    if (slot_count == kMaxModuleSlots) return nullptr;
    return &slots[slot_count++];
}

ModuleSlot* module_slot_by_name(StringView name) {
    for (usize i = 0; i < slot_count; ++i) {
        ModuleSlot& s = slots[i];
        if (s.state == SlotState::empty || s.state == SlotState::unloaded) continue;
        const char* known = s.image.info().name[0] ? s.image.info().name : s.label;
        if (name == StringView(known)) return &s;
    }
    return nullptr;
}

void module_index_add(const ModuleSlot& m) {
    IrqGuard guard;
    usize at = index_count;
    while (at > 0 && index_entries[at - 1].base > m.range_base) {
        index_entries[at] = index_entries[at - 1];
        --at;
    }
    index_entries[at] = {m.range_base, m.range_base + m.range_size, slot_id(m)};
    ++index_count;
}

void module_index_remove(const ModuleSlot& m) {
    IrqGuard guard;
    const int id = slot_id(m);
    for (usize i = 0; i < index_count; ++i) {
        if (index_entries[i].id != id) continue;
        for (usize j = i; j + 1 < index_count; ++j)
            index_entries[j] = index_entries[j + 1];
        --index_count;
        return;
    }
}

int module_owning(u64 address) {
    // The last entry whose base is <= address, if its range holds it.
    usize lo = 0, hi = index_count;
    while (lo < hi) {
        usize mid = lo + (hi - lo) / 2;
        if (index_entries[mid].base <= address)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0) return -1;
    const IndexEntry& e = index_entries[lo - 1];
    return address < e.end ? e.id : -1;
}

const char* module_name(int module) {
    if (module < 0 || static_cast<usize>(module) >= slot_count) return "core";
    const ModuleSlot& m = slots[module];
    return m.image.info().name[0] ? m.image.info().name : m.label;
}

void module_started(const ModuleSlot& m) {
    started[started_count++] = slot_id(m);
}

void module_stopped(const ModuleSlot& m) {
    const int id = slot_id(m);
    for (usize i = 0; i < started_count; ++i) {
        if (started[i] != id) continue;
        for (usize j = i; j + 1 < started_count; ++j)
            started[j] = started[j + 1];
        --started_count;
        return;
    }
}

Span<const int> modules_started() {
    return Span<const int>(started, started_count);
}

void module_refuse(ModuleSlot& m, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vformat(m.refusal, sizeof m.refusal, fmt, args);
    va_end(args);
    m.state = SlotState::refused;
    log_error("module %s: refused: %s", m.label, m.refusal);
}

const char* without_label(const char* message, const char* label) {
    usize n = 0;
    while (label[n] && message[n] == label[n])
        ++n;
    if (label[n] == '\0' && message[n] == ':' && message[n + 1] == ' ') return message + n + 2;
    return message;
}

bool module_quiet(int module) {
    return module >= 0 && static_cast<usize>(module) < slot_count && slots[module].quiet;
}

int module_find_loaded(const char* name) {
    for (usize i = 0; i < slot_count; ++i)
        if (slots[i].state == SlotState::loaded && StringView(slots[i].image.info().name) == StringView(name))
            return static_cast<int>(i);
    return -1;
}

} // namespace celos
