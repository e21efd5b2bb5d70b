// A module file (ELF64 relocatable object, .ko) checked, laid out and
// relocated. Pure logic over byte spans: the kernel's loader
// (core/module/load.cpp) maps the regions and calls init; host tests and
// the fuzzer run the same code on the same files.
//
// Regions: every SHF_ALLOC section goes to one of three regions, each
// starting on a page: text (SHF_EXECINSTR: RX), rodata (neither writable
// nor executable: R) and data (SHF_WRITE, PROGBITS and NOBITS: RW, NX).
// Non-ALLOC sections (debug info, symbol tables) are not loaded; their
// relocations are neither applied nor read (parse() checks the headers of
// their RELA sections only).
#pragma once

#include "lib/result.h"
#include "lib/span.h"
#include "lib/types.h"

namespace celos::loader {

namespace image_detail {
struct SectionTable;
struct SymbolTable;
} // namespace image_detail

inline constexpr usize kMaxNameLength = 32;
inline constexpr usize kMaxVersionLength = 16;
inline constexpr usize kMaxDependsLength = 128;
inline constexpr usize kMaxSections = 256;          // section headers, including the null one
inline constexpr usize kMaxExports = 768;           // what the core's export table holds (module/exports.h)
inline constexpr u64 kMaxRegionSize = 512ull << 20; // the whole module area

// The layout of struct celos_module_descriptor (abi/include/celos/module.h),
// re-declared so that the core does not need the ABI's C macros; the ABI
// tests compare these with the header's offsetof/sizeof.
namespace descriptor_layout {
inline constexpr u32 kMagic = 0x444f4d43u; // CELOS_MODULE_MAGIC, "CMOD"
inline constexpr usize kMagicOffset = 0;
inline constexpr usize kAbiMajorOffset = 4;
inline constexpr usize kAbiMinorOffset = 6;
inline constexpr usize kNameOffset = 8;
inline constexpr usize kVersionOffset = kNameOffset + kMaxNameLength;          // 40
inline constexpr usize kDependsOffset = kVersionOffset + kMaxVersionLength;    // 56
inline constexpr usize kInitOffset = kDependsOffset + kMaxDependsLength;       // 184
inline constexpr usize kExitOffset = kInitOffset + 8;                          // 192
inline constexpr usize kParamsOffset = kExitOffset + 8;                        // 200
inline constexpr usize kParamCountOffset = kParamsOffset + 8;                  // 208
inline constexpr usize kSize = kParamCountOffset + 8;                          // 216 (with `reserved`)
static_assert(kVersionOffset == 40 && kDependsOffset == 56 && kInitOffset == 184 && kSize == 216);
} // namespace descriptor_layout

// struct celos_export: {const char* name; const void* address;}.
inline constexpr usize kExportEntrySize = 16;
inline constexpr usize kExportAddressOffset = 8;

// A message that names the failed check and the module ("abi_test_c.ko:
// relocation 5 in .rela.text: offset 0x1234 is outside .text (size 0x100)").
struct Diagnostic {
    char message[256] = {};
};

enum class Region : u8 { text = 0, rodata = 1, data = 2 };
inline constexpr usize kRegionCount = 3;

// Where the caller put the regions: a host buffer to write into (zeroed,
// at least region_size() bytes) and the virtual address the code will run at.
struct RegionTarget {
    u8* buffer = nullptr;
    u64 address = 0;
};

// Resolves an undefined symbol to an address (the core's and loaded modules'
// exports); false when there is no such export.
class SymbolResolver {
public:
    virtual bool resolve(const char* name, u64& address) = 0;
    // Why `name` does not resolve (link_reason.h), into out; 0 to give the
    // name alone.
    virtual usize explain(const char*, char*, usize) { return 0; }

protected:
    ~SymbolResolver() = default;
};

struct RelocationStats {
    usize applied = 0;
    usize by_type[64] = {}; // index: ELF relocation type, when < 64
};

// The descriptor as read from the file (inline strings, before relocation).
struct ModuleInfo {
    char name[kMaxNameLength + 1];
    char version[kMaxVersionLength + 1];
    char depends[kMaxDependsLength + 1];
    u16 abi_major;
    u16 abi_minor;
};

class ModuleImage {
public:
    // Checks every field before use (ELF header, section headers, string and
    // symbol tables, relocation sections, the descriptor, the ABI version
    // against abi_major/abi_minor of the core) and plans the layout.
    // `file_name` is used in messages. On failure: Status::invalid (or
    // unsupported) and diag says which check failed.
    static Result<void> parse(ByteSpan file, const char* file_name, u16 core_abi_major, u16 core_abi_minor,
                              ModuleImage& out, Diagnostic& diag);

    const ModuleInfo& info() const { return info_; }
    u64 region_size(Region r) const; // page-rounded, 0 when empty

    // Copies section bytes into the region buffers (NOBITS stays zero) and
    // applies every relocation of ALLOC sections: R_X86_64_64, PC32, PLT32,
    // 32, 32S, PC64, each range-checked. Undefined symbols go through the
    // resolver, once each; all unresolved names are listed in diag and
    // nothing is started (never resolved to 0); weak undefined symbols too (a
    // module cannot test for an absent export). Other types are an error
    // naming the type. targets[i] is for Region(i). SHF_MERGE sections are
    // loaded as they are (not merged).
    Result<void> relocate(const RegionTarget (&targets)[kRegionCount], SymbolResolver& resolver,
                          RelocationStats& stats, Diagnostic& diag) const;

    // After relocate(): the module's exports (CELOS_EXPORT entries), in
    // order; name points into the file's string table.
    usize export_count() const;
    bool export_at(usize i, const RegionTarget (&targets)[kRegionCount], const char*& name, u64& address) const;
    // Before or after relocate(): the name export i is for, or null.
    const char* export_name_at(usize i) const;

    // After relocate(): the address of the descriptor (in the rodata region).
    u64 descriptor_address(const RegionTarget (&targets)[kRegionCount]) const;

    // Calls fn(ctx, name) for each undefined symbol the module refers to by
    // name (what it needs from the core and other modules).
    void for_each_undefined(void (*fn)(void* ctx, const char* name), void* ctx) const;

    // Function and object symbols defined by the module, for fault reports
    // and backtraces: name, address, size.
    usize symbol_count() const;
    bool symbol_at(usize i, const RegionTarget (&targets)[kRegionCount], const char*& name, u64& address,
                   u64& size) const;

    // Where each section went (tests compare with GNU ld placing the same
    // sections at the same addresses): index as in the file's section
    // header table; false for sections that are not loaded.
    usize section_count() const { return section_count_; }
    bool section_placement(usize index, Region& region, u64& offset) const;

private:
    // Implementation state: indices and offsets into file_, all validated by
    // parse(). (Fixed-size: the kernel has no heap here.)
    struct SectionPlan {
        u32 offset = 0; // in its region (regions are at most kMaxRegionSize)
        u8 region = 0;
        bool loaded = false;
    };

    image_detail::SectionTable section_table() const;
    image_detail::SymbolTable symbol_table() const;
    bool find_export_relocation(usize i, u32& symbol, i64& addend) const;
    const char* export_name(u32 symbol, i64 addend) const;

    ByteSpan file_;
    char file_name_[48] = {};
    ModuleInfo info_{};
    u64 region_size_[kRegionCount] = {};
    SectionPlan sections_[kMaxSections] = {};
    u16 section_count_ = 0;
    u16 shstrtab_ = 0;
    u16 symtab_ = 0;
    u16 strtab_ = 0;
    u16 descriptor_section_ = 0;
    u16 exports_section_ = 0; // 0: none
    // The one RELA section of .celos_exports when its offsets ascend (as
    // and ld -r write them so): an export's relocation is found by position.
    // 0: every relocation of the exports is searched.
    u16 exports_rela_ = 0;
    u32 symbol_total_ = 0;    // entries of .symtab, including the null one
    u64 shoff_ = 0;           // where the tables are, checked by parse()
    u64 symtab_offset_ = 0;
    u64 strtab_offset_ = 0;
    usize export_count_ = 0;
    usize fault_symbol_count_ = 0;
    // symbol_at() walks the table; callers go in order, so remember where.
    mutable usize cursor_ordinal_ = 0;
    mutable u32 cursor_symbol_ = 0;
};

} // namespace celos::loader
