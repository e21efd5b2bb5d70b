#include "lib/symbols.h"

namespace celos {
namespace {

constexpr usize kHeaderSize = 8;
constexpr usize kEntrySize = 16;

} // namespace

SymbolTable::SymbolTable(ByteSpan blob) {
    ByteReader r(blob);
    u32 magic = 0, count = 0;
    if (!r.read(0, magic) || !r.read(4, count) || magic != kSymbolTableMagic) return;
    usize names = kHeaderSize + static_cast<usize>(count) * kEntrySize;
    if (count == 0 || names > blob.size()) return;
    // The names must end in a NUL so that no lookup reads past the blob.
    if (blob.size() == names || blob[blob.size() - 1] != 0) return;
    blob_ = blob;
    count_ = count;
    names_offset_ = names;
}

bool SymbolTable::lookup(u64 address, SymbolMatch& out) const {
    if (!valid()) return false;
    ByteReader r(blob_);
    // Last entry whose address <= target.
    usize lo = 0, hi = count_;
    while (lo < hi) {
        usize mid = lo + (hi - lo) / 2;
        u64 a = 0;
        r.read(kHeaderSize + mid * kEntrySize, a);
        if (a <= address) lo = mid + 1;
        else hi = mid;
    }
    if (lo == 0) return false;
    usize at = kHeaderSize + (lo - 1) * kEntrySize;
    u64 sym = 0;
    u32 size = 0, name = 0;
    r.read(at, sym);
    r.read(at + 8, size);
    r.read(at + 12, name);
    if (size != 0 && address - sym >= size) return false;
    if (names_offset_ + name >= blob_.size()) return false;
    out.name = reinterpret_cast<const char*>(blob_.data() + names_offset_ + name);
    out.offset = address - sym;
    return true;
}

bool SymbolTable::find(const char* wanted, u64& address) const {
    if (!valid()) return false;
    ByteReader r(blob_);
    for (usize i = 0; i < count_; ++i) {
        u32 name = 0;
        r.read(kHeaderSize + i * kEntrySize + 12, name);
        if (names_offset_ + name >= blob_.size()) continue;
        const char* s = reinterpret_cast<const char*>(blob_.data() + names_offset_ + name);
        usize j = 0;
        while (s[j] && wanted[j] && s[j] == wanted[j]) ++j;
        if (s[j] == wanted[j]) {
            r.read(kHeaderSize + i * kEntrySize, address);
            return true;
        }
    }
    return false;
}

} // namespace celos
