// The lines entered at the prompt, newest last: at most kEntries, the
// oldest dropped first; an empty line (blanks only) and a repeat of the
// newest entry are not kept. Pure logic, no heap.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "line_editor.h"

namespace celos::shell {

class History {
  public:
    static constexpr size_t kEntries = 64;

    void add(const char* line, size_t length);
    size_t count() const { return count_; }
    // Entry i, 0 the oldest; *length its bytes.
    const char* entry(size_t i, size_t* length) const;

  private:
    struct Entry {
        uint16_t length;
        char text[kLineMax];
    };
    Entry entries_[kEntries];
    size_t first_ = 0; // the oldest entry's slot
    size_t count_ = 0;
};

} // namespace celos::shell
