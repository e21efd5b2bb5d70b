// Address-to-name lookup over a symbol table blob that the build generates
// from the linked kernel (tools/gen_symbols.py) and places at the end of the
// image. Layout, all little-endian:
//   u32 magic "KSYM", u32 count, then count entries of
//   { u64 address; u32 size; u32 name_offset } sorted by address,
//   then the NUL-terminated names; name_offset is from the start of the names.
#pragma once

#include "lib/span.h"

namespace celos {

inline constexpr u32 kSymbolTableMagic = 0x4d59534b; // "KSYM"

struct SymbolMatch {
    const char* name;
    u64 offset; // address - symbol address
};

class SymbolTable {
public:
    constexpr SymbolTable() = default;
    // Checks the blob's header and bounds; an invalid blob gives an empty table.
    explicit SymbolTable(ByteSpan blob);
    bool valid() const { return count_ != 0; }
    usize count() const { return count_; }
    // The symbol containing `address` (or the nearest one below it when the
    // symbol's size is unknown); false when there is none.
    bool lookup(u64 address, SymbolMatch& out) const;
    // The address of a symbol by exact name.
    bool find(const char* name, u64& address) const;

private:
    ByteSpan blob_;
    usize count_ = 0;
    usize names_offset_ = 0;
};

} // namespace celos
