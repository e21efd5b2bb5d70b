#include "history.h"

namespace celos::shell {

void History::add(const char* line, size_t length) {
    if (length > kLineMax) length = kLineMax;
    bool blank = true;
    for (size_t i = 0; i < length && blank; ++i) blank = line[i] == ' ';
    if (blank) return;
    if (count_ > 0) {
        size_t n = 0;
        const char* newest = entry(count_ - 1, &n);
        if (n == length && text_starts_with(newest, n, line, length)) return;
    }
    size_t slot;
    if (count_ < kEntries) {
        slot = (first_ + count_) % kEntries;
        ++count_;
    } else {
        slot = first_;
        first_ = (first_ + 1) % kEntries;
    }
    copy_bytes(entries_[slot].text, line, length);
    entries_[slot].length = uint16_t(length);
}

const char* History::entry(size_t i, size_t* length) const {
    if (i >= count_) {
        *length = 0;
        return "";
    }
    const Entry& e = entries_[(first_ + i) % kEntries];
    *length = e.length;
    return e.text;
}

} // namespace celos::shell
