// ELF64 structures and constants that the module loader reads: the file
// header, section headers, symbols and RELA relocations (System V gABI,
// "ELF-64 Object File Format" 1.5) and the x86_64 relocation types (System V
// ABI AMD64 supplement, 4.4). The structures describe the on-disk layout;
// the loader reads fields with ByteReader at these offsets, never by casting
// a pointer into the file (the file is not necessarily aligned).
#pragma once

#include <stddef.h>

#include "lib/types.h"

namespace celos::elf {

// e_ident indices and values.
inline constexpr usize kIdentSize = 16;
inline constexpr usize kIdentClass = 4;
inline constexpr usize kIdentData = 5;
inline constexpr usize kIdentVersion = 6;
inline constexpr u8 kMagic[4] = {0x7f, 'E', 'L', 'F'};
inline constexpr u8 kClass64 = 2;
inline constexpr u8 kData2Lsb = 1; // little-endian
inline constexpr u8 kVersionCurrent = 1;

// e_type, e_machine.
inline constexpr u16 kTypeRel = 1;
inline constexpr u16 kMachineX86_64 = 62;

struct Header {
    u8 e_ident[kIdentSize];
    u16 e_type;
    u16 e_machine;
    u32 e_version;
    u64 e_entry;
    u64 e_phoff;
    u64 e_shoff;
    u32 e_flags;
    u16 e_ehsize;
    u16 e_phentsize;
    u16 e_phnum;
    u16 e_shentsize;
    u16 e_shnum;
    u16 e_shstrndx;
};
static_assert(sizeof(Header) == 64);
static_assert(offsetof(Header, e_type) == 16 && offsetof(Header, e_machine) == 18);
static_assert(offsetof(Header, e_version) == 20 && offsetof(Header, e_shoff) == 40);
static_assert(offsetof(Header, e_shentsize) == 58 && offsetof(Header, e_shnum) == 60);
static_assert(offsetof(Header, e_shstrndx) == 62);

// Special section indices.
inline constexpr u16 kShnUndef = 0;
inline constexpr u16 kShnLoReserve = 0xff00;
inline constexpr u16 kShnAbs = 0xfff1;
inline constexpr u16 kShnCommon = 0xfff2;
inline constexpr u16 kShnXIndex = 0xffff;

struct SectionHeader {
    u32 sh_name;
    u32 sh_type;
    u64 sh_flags;
    u64 sh_addr;
    u64 sh_offset;
    u64 sh_size;
    u32 sh_link;
    u32 sh_info;
    u64 sh_addralign;
    u64 sh_entsize;
};
static_assert(sizeof(SectionHeader) == 64);
static_assert(offsetof(SectionHeader, sh_flags) == 8 && offsetof(SectionHeader, sh_offset) == 24);
static_assert(offsetof(SectionHeader, sh_size) == 32 && offsetof(SectionHeader, sh_link) == 40);
static_assert(offsetof(SectionHeader, sh_info) == 44 && offsetof(SectionHeader, sh_addralign) == 48);
static_assert(offsetof(SectionHeader, sh_entsize) == 56);

// sh_type.
inline constexpr u32 kShtNull = 0;
inline constexpr u32 kShtProgbits = 1;
inline constexpr u32 kShtSymtab = 2;
inline constexpr u32 kShtStrtab = 3;
inline constexpr u32 kShtRela = 4;
inline constexpr u32 kShtNobits = 8;
inline constexpr u32 kShtRel = 9;
inline constexpr u32 kShtInitArray = 14;
inline constexpr u32 kShtFiniArray = 15;
inline constexpr u32 kShtPreinitArray = 16;
inline constexpr u32 kShtGroup = 17;
inline constexpr u32 kShtSymtabShndx = 18;

// sh_flags.
inline constexpr u64 kShfWrite = 0x1;
inline constexpr u64 kShfAlloc = 0x2;
inline constexpr u64 kShfExecInstr = 0x4;
inline constexpr u64 kShfMerge = 0x10;
inline constexpr u64 kShfStrings = 0x20;
inline constexpr u64 kShfTls = 0x400;

struct Symbol {
    u32 st_name;
    u8 st_info;
    u8 st_other;
    u16 st_shndx;
    u64 st_value;
    u64 st_size;
};
static_assert(sizeof(Symbol) == 24);
static_assert(offsetof(Symbol, st_info) == 4 && offsetof(Symbol, st_shndx) == 6);
static_assert(offsetof(Symbol, st_value) == 8 && offsetof(Symbol, st_size) == 16);

constexpr u8 symbol_bind(u8 info) {
    return info >> 4;
}
constexpr u8 symbol_type(u8 info) {
    return info & 0xf;
}

// Symbol binding and type.
inline constexpr u8 kStbLocal = 0;
inline constexpr u8 kStbGlobal = 1;
inline constexpr u8 kStbWeak = 2;
inline constexpr u8 kSttNotype = 0;
inline constexpr u8 kSttObject = 1;
inline constexpr u8 kSttFunc = 2;
inline constexpr u8 kSttSection = 3;
inline constexpr u8 kSttFile = 4;
inline constexpr u8 kSttCommon = 5;
inline constexpr u8 kSttTls = 6;
inline constexpr u8 kSttGnuIfunc = 10;

struct Rela {
    u64 r_offset;
    u64 r_info;
    i64 r_addend;
};
static_assert(sizeof(Rela) == 24);
static_assert(offsetof(Rela, r_info) == 8 && offsetof(Rela, r_addend) == 16);

constexpr u32 rela_symbol(u64 info) {
    return static_cast<u32>(info >> 32);
}
constexpr u32 rela_type(u64 info) {
    return static_cast<u32>(info & 0xffffffffu);
}

// x86_64 relocation types (AMD64 psABI, table 4.9).
enum RelocationType : u32 {
    R_X86_64_NONE = 0,
    R_X86_64_64 = 1,
    R_X86_64_PC32 = 2,
    R_X86_64_GOT32 = 3,
    R_X86_64_PLT32 = 4,
    R_X86_64_COPY = 5,
    R_X86_64_GLOB_DAT = 6,
    R_X86_64_JUMP_SLOT = 7,
    R_X86_64_RELATIVE = 8,
    R_X86_64_GOTPCREL = 9,
    R_X86_64_32 = 10,
    R_X86_64_32S = 11,
    R_X86_64_16 = 12,
    R_X86_64_PC16 = 13,
    R_X86_64_8 = 14,
    R_X86_64_PC8 = 15,
    R_X86_64_DTPMOD64 = 16,
    R_X86_64_DTPOFF64 = 17,
    R_X86_64_TPOFF64 = 18,
    R_X86_64_TLSGD = 19,
    R_X86_64_TLSLD = 20,
    R_X86_64_DTPOFF32 = 21,
    R_X86_64_GOTTPOFF = 22,
    R_X86_64_TPOFF32 = 23,
    R_X86_64_PC64 = 24,
    R_X86_64_GOTOFF64 = 25,
    R_X86_64_GOTPC32 = 26,
    R_X86_64_GOT64 = 27,
    R_X86_64_GOTPCREL64 = 28,
    R_X86_64_GOTPC64 = 29,
    R_X86_64_GOTPLT64 = 30,
    R_X86_64_PLTOFF64 = 31,
    R_X86_64_SIZE32 = 32,
    R_X86_64_SIZE64 = 33,
    R_X86_64_GOTPC32_TLSDESC = 34,
    R_X86_64_TLSDESC_CALL = 35,
    R_X86_64_TLSDESC = 36,
    R_X86_64_IRELATIVE = 37,
    R_X86_64_RELATIVE64 = 38,
    R_X86_64_GOTPCRELX = 41,
    R_X86_64_REX_GOTPCRELX = 42,
};

// The psABI name of a relocation type ("R_X86_64_PC32"), or "unknown".
constexpr const char* relocation_type_name(u32 type) {
    switch (type) {
    case R_X86_64_NONE: return "R_X86_64_NONE";
    case R_X86_64_64: return "R_X86_64_64";
    case R_X86_64_PC32: return "R_X86_64_PC32";
    case R_X86_64_GOT32: return "R_X86_64_GOT32";
    case R_X86_64_PLT32: return "R_X86_64_PLT32";
    case R_X86_64_COPY: return "R_X86_64_COPY";
    case R_X86_64_GLOB_DAT: return "R_X86_64_GLOB_DAT";
    case R_X86_64_JUMP_SLOT: return "R_X86_64_JUMP_SLOT";
    case R_X86_64_RELATIVE: return "R_X86_64_RELATIVE";
    case R_X86_64_GOTPCREL: return "R_X86_64_GOTPCREL";
    case R_X86_64_32: return "R_X86_64_32";
    case R_X86_64_32S: return "R_X86_64_32S";
    case R_X86_64_16: return "R_X86_64_16";
    case R_X86_64_PC16: return "R_X86_64_PC16";
    case R_X86_64_8: return "R_X86_64_8";
    case R_X86_64_PC8: return "R_X86_64_PC8";
    case R_X86_64_DTPMOD64: return "R_X86_64_DTPMOD64";
    case R_X86_64_DTPOFF64: return "R_X86_64_DTPOFF64";
    case R_X86_64_TPOFF64: return "R_X86_64_TPOFF64";
    case R_X86_64_TLSGD: return "R_X86_64_TLSGD";
    case R_X86_64_TLSLD: return "R_X86_64_TLSLD";
    case R_X86_64_DTPOFF32: return "R_X86_64_DTPOFF32";
    case R_X86_64_GOTTPOFF: return "R_X86_64_GOTTPOFF";
    case R_X86_64_TPOFF32: return "R_X86_64_TPOFF32";
    case R_X86_64_PC64: return "R_X86_64_PC64";
    case R_X86_64_GOTOFF64: return "R_X86_64_GOTOFF64";
    case R_X86_64_GOTPC32: return "R_X86_64_GOTPC32";
    case R_X86_64_GOT64: return "R_X86_64_GOT64";
    case R_X86_64_GOTPCREL64: return "R_X86_64_GOTPCREL64";
    case R_X86_64_GOTPC64: return "R_X86_64_GOTPC64";
    case R_X86_64_GOTPLT64: return "R_X86_64_GOTPLT64";
    case R_X86_64_PLTOFF64: return "R_X86_64_PLTOFF64";
    case R_X86_64_SIZE32: return "R_X86_64_SIZE32";
    case R_X86_64_SIZE64: return "R_X86_64_SIZE64";
    case R_X86_64_GOTPC32_TLSDESC: return "R_X86_64_GOTPC32_TLSDESC";
    case R_X86_64_TLSDESC_CALL: return "R_X86_64_TLSDESC_CALL";
    case R_X86_64_TLSDESC: return "R_X86_64_TLSDESC";
    case R_X86_64_IRELATIVE: return "R_X86_64_IRELATIVE";
    case R_X86_64_RELATIVE64: return "R_X86_64_RELATIVE64";
    case R_X86_64_GOTPCRELX: return "R_X86_64_GOTPCRELX";
    case R_X86_64_REX_GOTPCRELX: return "R_X86_64_REX_GOTPCRELX";
    default: return "unknown";
    }
}

} // namespace celos::elf
