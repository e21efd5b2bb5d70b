// Helpers shared by the files of ModuleImage (module_image.cpp: checks and
// layout; module_link.cpp: relocation and symbol queries): reading the
// untrusted ELF structures field by field, and facts about relocation types.
#pragma once

#include <stdarg.h>

#include "lib/format.h"
#include "lib/string_view.h"
#include "module/elf.h"
#include "module/module_image.h"

namespace celos::loader::image_detail {

using namespace celos::elf;
namespace dl = descriptor_layout;

inline constexpr usize kHeaderSize = sizeof(Header);
inline constexpr usize kSectionHeaderSize = sizeof(SectionHeader);
inline constexpr usize kSymbolSize = sizeof(Symbol);
inline constexpr usize kRelaSize = sizeof(Rela);
inline constexpr const char* kDescriptorSection = ".celos_module";
inline constexpr const char* kExportSection = ".celos_exports";
inline constexpr const char* kRegionNames[kRegionCount] = {"text", "rodata", "data"};

using ull = unsigned long long;

// Writes "<file>: <message>" into diag and returns the error.
inline __attribute__((format(printf, 4, 5))) Error fail(Diagnostic& diag, const char* file, Status status,
                                                 const char* fmt, ...) {
    usize n = format(diag.message, sizeof diag.message, "%s: ", file);
    if (n < sizeof diag.message) {
        va_list args;
        va_start(args, fmt);
        vformat(diag.message + n, sizeof diag.message - n, fmt, args);
        va_end(args);
    }
    return make_error(status, "module file check");
}

// The fields of untrusted structures, read little-endian at their offsets,
// each with one load (the file is not necessarily aligned). Bounds are the
// caller's: parse() checks each table once, as a whole.
inline SectionHeader read_section(const u8* p) {
    SectionHeader s;
    s.sh_name = load_le<u32>(p + 0);
    s.sh_type = load_le<u32>(p + 4);
    s.sh_flags = load_le<u64>(p + 8);
    s.sh_addr = load_le<u64>(p + 16);
    s.sh_offset = load_le<u64>(p + 24);
    s.sh_size = load_le<u64>(p + 32);
    s.sh_link = load_le<u32>(p + 40);
    s.sh_info = load_le<u32>(p + 44);
    s.sh_addralign = load_le<u64>(p + 48);
    s.sh_entsize = load_le<u64>(p + 56);
    return s;
}

inline Symbol read_symbol(const u8* p) {
    Symbol s;
    s.st_name = load_le<u32>(p + 0);
    s.st_info = p[4];
    s.st_other = p[5];
    s.st_shndx = load_le<u16>(p + 6);
    s.st_value = load_le<u64>(p + 8);
    s.st_size = load_le<u64>(p + 16);
    return s;
}

inline Rela read_rela(const u8* p) {
    return Rela{load_le<u64>(p + 0), load_le<u64>(p + 8), static_cast<i64>(load_le<u64>(p + 16))};
}

// Views of the file's tables that parse() checked once (the table inside
// the file, string tables NUL-terminated, every index used below in range);
// reading an entry is a few loads, no check.
struct SectionTable {
    const u8* base = nullptr; // e_shoff
    SectionHeader operator[](usize i) const { return read_section(base + i * kSectionHeaderSize); }
};

struct SymbolTable {
    const u8* base = nullptr; // .symtab's data
    u32 count = 0;            // including the null symbol
    const char* names = nullptr; // its string table
    Symbol operator[](u32 i) const { return read_symbol(base + usize(i) * kSymbolSize); }
    const char* name(const Symbol& s) const { return names + s.st_name; }
};

struct RelaTable {
    const u8* base = nullptr;
    usize count = 0;
    Rela operator[](usize i) const { return read_rela(base + i * kRelaSize); }
};

// Bytes a relocation of this type writes; 0 for types the loader does not apply.
inline usize relocation_width(u32 type) {
    switch (type) {
    case R_X86_64_64:
    case R_X86_64_PC64: return 8;
    case R_X86_64_PC32:
    case R_X86_64_PLT32:
    case R_X86_64_32:
    case R_X86_64_32S: return 4;
    default: return 0;
    }
}

inline bool uses_got(u32 type) {
    return type == R_X86_64_GOTPCREL || type == R_X86_64_GOTPCRELX || type == R_X86_64_REX_GOTPCRELX ||
           type == R_X86_64_GOT32 || type == R_X86_64_GOTPC32 || type == R_X86_64_GOT64 ||
           type == R_X86_64_GOTPCREL64 || type == R_X86_64_GOTPC64 || type == R_X86_64_GOTPLT64;
}

} // namespace celos::loader::image_detail
