#include "module/exports.h"

#include "lib/string_view.h"

namespace celos {
namespace {

const char* const kTombstone = ExportTable::tombstone();

usize name_hash(const char* s) { // FNV-1a
    u32 h = 2166136261u;
    for (; *s; ++s)
        h = (h ^ static_cast<u8>(*s)) * 16777619u;
    return h;
}

} // namespace

const ExportTable::Entry* ExportTable::find(const char* name) const {
    for (usize i = name_hash(name) & (kSlots - 1), n = 0; n < kSlots; ++n, i = (i + 1) & (kSlots - 1)) {
        const Entry& e = slots_[i];
        if (e.name == nullptr) return nullptr;
        if (e.name != kTombstone && cstr_equal(e.name, name)) return &e;
    }
    return nullptr;
}

Result<void> ExportTable::insert(const char* name, u64 address, int owner) {
    Entry* free_slot = nullptr;
    for (usize i = name_hash(name) & (kSlots - 1), n = 0; n < kSlots; ++n, i = (i + 1) & (kSlots - 1)) {
        Entry& e = slots_[i];
        if (e.name == nullptr) {
            if (!free_slot) free_slot = &e;
            break;
        }
        if (e.name == kTombstone) {
            if (!free_slot) free_slot = &e; // reused, once no live entry of this name follows
            continue;
        }
        if (cstr_equal(e.name, name)) return make_error(Status::exists, "the symbol is exported already");
    }
    if (count_ >= kMaxEntries || !free_slot) return make_error(Status::no_memory, "the export table is full");
    *free_slot = {name, address, owner};
    ++count_;
    return {};
}

void ExportTable::remove_owned(int owner) {
    for (Entry& e : slots_) {
        if (e.name == nullptr || e.name == kTombstone || e.owner != owner) continue;
        e.name = kTombstone;
        --count_;
    }
}

} // namespace celos
