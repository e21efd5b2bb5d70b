// The symbols modules link against: the core's exports and those of loaded
// modules, by name (an open-addressed hash table, FNV-1a). Pure logic,
// host-tested (tests/unit/test_exports.cpp).
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace celos {

inline constexpr int kCoreOwner = -1; // the owner of the core's own exports

class ExportTable {
  public:
    static constexpr usize kSlots = 1024;                // a power of two
    static constexpr usize kMaxEntries = kSlots * 3 / 4; // kept below, so probes stay short

    struct Entry {
        const char* name; // nullptr: never used; kTombstone: removed
        u64 address;
        int owner; // a module id, or kCoreOwner
    };

    // The entry for `name`, or null.
    const Entry* find(const char* name) const;
    // Status::exists when `name` is exported already (find() says by whom),
    // Status::no_memory when the table is full. `name` must outlive the entry.
    Result<void> insert(const char* name, u64 address, int owner);
    // Removes every export of `owner` (a module that goes).
    void remove_owned(int owner);
    usize size() const { return count_; }
    // Calls fn(entry) for each entry, in table order.
    template <typename F>
    void for_each(F fn) const {
        for (const Entry& e : slots_)
            if (e.name != nullptr && e.name != tombstone()) fn(e);
    }
    static const char* tombstone() { return reinterpret_cast<const char*>(1); }

  private:
    Entry slots_[kSlots] = {};
    usize count_ = 0;
};

} // namespace celos
