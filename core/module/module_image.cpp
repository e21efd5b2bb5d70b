// Checking, layout and relocation of a module file (see module_image.h).
// Every field is checked before it is used, in the order the fields depend
// on each other (like Linux's elf_validity_check); each failed check writes
// one message naming the file and the check.
#include "module/module_image.h"

#include <stdarg.h>

#include "lib/format.h"
#include "lib/string_view.h"
#include "module/elf.h"

namespace celos::loader {
namespace {

using namespace celos::elf;
namespace dl = descriptor_layout;

constexpr usize kHeaderSize = sizeof(Header);
constexpr usize kSectionHeaderSize = sizeof(SectionHeader);
constexpr usize kSymbolSize = sizeof(Symbol);
constexpr usize kRelaSize = sizeof(Rela);
constexpr const char* kDescriptorSection = ".celos_module";
constexpr const char* kExportSection = ".celos_exports";
constexpr const char* kRegionNames[kRegionCount] = {"text", "rodata", "data"};

using ull = unsigned long long;

// Writes "<file>: <message>" into diag and returns the error.
__attribute__((format(printf, 4, 5))) Error fail(Diagnostic& diag, const char* file, Status status,
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

bool same(const char* a, const char* b) {
    while (*a && *a == *b)
        ++a, ++b;
    return *a == *b;
}

// The fields of untrusted headers, read little-endian at their offsets.
SectionHeader read_section(ByteSpan file, u64 shoff, usize i) {
    const u8* p = file.data() + shoff + i * kSectionHeaderSize;
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

Symbol read_symbol(const u8* p) {
    Symbol s;
    s.st_name = load_le<u32>(p + 0);
    s.st_info = p[4];
    s.st_other = p[5];
    s.st_shndx = load_le<u16>(p + 6);
    s.st_value = load_le<u64>(p + 8);
    s.st_size = load_le<u64>(p + 16);
    return s;
}

Rela read_rela(const u8* p) {
    return Rela{load_le<u64>(p + 0), load_le<u64>(p + 8), static_cast<i64>(load_le<u64>(p + 16))};
}

// Bytes a relocation of this type writes; 0 for types the loader does not apply.
usize relocation_width(u32 type) {
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

// For relocations that are only bounds-checked (non-ALLOC targets, e.g.
// debug info): the width the psABI gives the type, 1 when unknown.
usize checked_width(u32 type) {
    switch (type) {
    case R_X86_64_16:
    case R_X86_64_PC16: return 2;
    case R_X86_64_8:
    case R_X86_64_PC8: return 1;
    case R_X86_64_DTPMOD64:
    case R_X86_64_DTPOFF64:
    case R_X86_64_TPOFF64:
    case R_X86_64_GOTOFF64:
    case R_X86_64_GOT64:
    case R_X86_64_GOTPCREL64:
    case R_X86_64_GOTPC64:
    case R_X86_64_GOTPLT64:
    case R_X86_64_PLTOFF64:
    case R_X86_64_SIZE64:
    case R_X86_64_RELATIVE64: return 8;
    case R_X86_64_NONE: return 0;
    default:
        if (usize w = relocation_width(type)) return w;
        return same(relocation_type_name(type), "unknown") ? 1 : 4;
    }
}

bool uses_got(u32 type) {
    return type == R_X86_64_GOTPCREL || type == R_X86_64_GOTPCRELX || type == R_X86_64_REX_GOTPCRELX ||
           type == R_X86_64_GOT32 || type == R_X86_64_GOTPC32 || type == R_X86_64_GOT64 ||
           type == R_X86_64_GOTPCREL64 || type == R_X86_64_GOTPC64 || type == R_X86_64_GOTPLT64;
}

bool is_power_of_two(u64 v) {
    return v != 0 && (v & (v - 1)) == 0;
}

bool valid_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// The state parse() works with: the file, its sections, messages.
struct Parser {
    ByteSpan file;
    const char* name;
    Diagnostic& diag;
    u64 shoff = 0;
    usize shnum = 0;
    SectionHeader shstr{};

    SectionHeader section(usize i) const { return read_section(file, shoff, i); }
    const char* section_name(usize i) const {
        return reinterpret_cast<const char*>(file.data() + shstr.sh_offset + section(i).sh_name);
    }
};

// A string table: NUL-terminated at its end, so that every offset inside it
// starts a NUL-terminated string.
bool string_table_ok(ByteSpan file, const SectionHeader& s) {
    return s.sh_type == kShtStrtab && s.sh_size > 0 && file.data()[s.sh_offset + s.sh_size - 1] == 0;
}

} // namespace

Result<void> ModuleImage::parse(ByteSpan file, const char* file_name, u16 core_abi_major, u16 core_abi_minor,
                                ModuleImage& out, Diagnostic& diag) {
    out = ModuleImage{};
    out.file_ = file;
    const char* fname = file_name ? file_name : "module";
    StringView(fname).copy_to(out.file_name_, sizeof out.file_name_);
    const char* fn = out.file_name_;

    // --- ELF header -----------------------------------------------------------
    if (file.data() == nullptr || file.size() < kHeaderSize)
        return fail(diag, fn, Status::invalid, "file is %zu bytes, smaller than an ELF header (%zu bytes)",
                    file.size(), kHeaderSize);
    const u8* h = file.data();
    for (usize i = 0; i < 4; ++i)
        if (h[i] != kMagic[i]) return fail(diag, fn, Status::invalid, "bad ELF magic (not an ELF file)");
    if (h[kIdentClass] != kClass64)
        return fail(diag, fn, Status::invalid, "ELF class %u is not ELFCLASS64", h[kIdentClass]);
    if (h[kIdentData] != kData2Lsb)
        return fail(diag, fn, Status::invalid, "byte order %u is not little-endian (ELFDATA2LSB)",
                    h[kIdentData]);
    if (h[kIdentVersion] != kVersionCurrent || load_le<u32>(h + 20) != kVersionCurrent)
        return fail(diag, fn, Status::invalid, "ELF version %u/%u is not EV_CURRENT (1)", h[kIdentVersion],
                    load_le<u32>(h + 20));
    u16 type = load_le<u16>(h + 16);
    if (type != kTypeRel)
        return fail(diag, fn, Status::invalid,
                    "ELF type %u is not ET_REL (a relocatable object, built with ld -r)", type);
    u16 machine = load_le<u16>(h + 18);
    if (machine != kMachineX86_64)
        return fail(diag, fn, Status::invalid, "machine %u is not x86_64 (EM_X86_64, 62)", machine);
    u16 shentsize = load_le<u16>(h + 58);
    if (shentsize != kSectionHeaderSize)
        return fail(diag, fn, Status::invalid, "section header entry size %u, expected %zu", shentsize,
                    kSectionHeaderSize);

    Parser p{file, fn, diag};
    p.shoff = load_le<u64>(h + 40);
    p.shnum = load_le<u16>(h + 60);
    if (p.shnum == 0)
        return fail(diag, fn, Status::invalid,
                    "no section headers (e_shnum 0, or an extended count: not supported)");
    if (p.shnum > kMaxSections)
        return fail(diag, fn, Status::invalid, "too many sections (%zu, at most %zu)", p.shnum, kMaxSections);
    if (!file.contains(p.shoff, p.shnum * kSectionHeaderSize))
        return fail(diag, fn, Status::invalid,
                    "section header table (offset 0x%llx, %zu entries) is outside the file (%zu bytes)",
                    static_cast<ull>(p.shoff), p.shnum, file.size());
    out.section_count_ = static_cast<u16>(p.shnum);

    // --- Section headers --------------------------------------------------------
    u16 shstrndx = load_le<u16>(h + 62);
    if (shstrndx == 0 || shstrndx >= p.shnum)
        return fail(diag, fn, Status::invalid, "section name table index %u out of range (%zu sections)",
                    shstrndx, p.shnum);
    p.shstr = p.section(shstrndx);
    if (p.shstr.sh_type != kShtStrtab || !file.contains(p.shstr.sh_offset, p.shstr.sh_size))
        return fail(diag, fn, Status::invalid,
                    "section name table (section %u) is not a string table inside the file", shstrndx);
    if (!string_table_ok(file, p.shstr))
        return fail(diag, fn, Status::invalid, "section name table (section %u) is not NUL-terminated",
                    shstrndx);
    out.shstrtab_ = shstrndx;

    usize symtabs = 0;
    for (usize i = 1; i < p.shnum; ++i) {
        SectionHeader s = p.section(i);
        if (s.sh_name >= p.shstr.sh_size)
            return fail(diag, fn, Status::invalid,
                        "section %zu: name offset 0x%x is outside the section name table (0x%llx bytes)", i,
                        s.sh_name, static_cast<ull>(p.shstr.sh_size));
        const char* sname = p.section_name(i);
        if (s.sh_type != kShtNobits && !file.contains(s.sh_offset, s.sh_size))
            return fail(diag, fn, Status::invalid,
                        "section %zu (%s): data (offset 0x%llx, size 0x%llx) is outside the file (%zu bytes)",
                        i, sname, static_cast<ull>(s.sh_offset), static_cast<ull>(s.sh_size), file.size());
        if (s.sh_addralign > 1 && !is_power_of_two(s.sh_addralign))
            return fail(diag, fn, Status::invalid, "section %zu (%s): alignment 0x%llx is not a power of two",
                        i, sname, static_cast<ull>(s.sh_addralign));
        bool alloc = (s.sh_flags & kShfAlloc) != 0;
        if (alloc && s.sh_addralign > kPageSize)
            return fail(diag, fn, Status::invalid, "section %zu (%s): alignment 0x%llx is larger than a page",
                        i, sname, static_cast<ull>(s.sh_addralign));
        if ((s.sh_flags & kShfWrite) && (s.sh_flags & kShfExecInstr))
            return fail(diag, fn, Status::invalid, "section %zu (%s) is both writable and executable (W^X)",
                        i, sname);
        if (alloc && (s.sh_flags & kShfTls))
            return fail(diag, fn, Status::invalid, "section %zu (%s): thread-local data is not supported", i,
                        sname);
        if (alloc &&
            (s.sh_type == kShtInitArray || s.sh_type == kShtFiniArray || s.sh_type == kShtPreinitArray))
            return fail(
                diag, fn, Status::invalid,
                "section %zu (%s): global constructors and destructors are not supported (init from the "
                "module's init function)",
                i, sname);
        if (s.sh_type == kShtRel)
            return fail(diag, fn, Status::invalid,
                        "section %zu (%s): REL relocations are not supported (x86_64 uses RELA)", i, sname);
        if (s.sh_type == kShtSymtabShndx)
            return fail(diag, fn, Status::invalid,
                        "section %zu (%s): extended section indices are not supported", i, sname);
        if (alloc && s.sh_size > kMaxRegionSize)
            return fail(diag, fn, Status::invalid,
                        "section %zu (%s) is 0x%llx bytes, larger than the module area", i, sname,
                        static_cast<ull>(s.sh_size));
        if (s.sh_type == kShtSymtab) {
            if (++symtabs > 1)
                return fail(diag, fn, Status::invalid, "two symbol tables (sections %u and %zu)", out.symtab_,
                            i);
            out.symtab_ = static_cast<u16>(i);
        }
    }

    // --- Symbol table -------------------------------------------------------------
    if (symtabs == 0) return fail(diag, fn, Status::invalid, "no symbol table (SHT_SYMTAB)");
    SectionHeader symtab = p.section(out.symtab_);
    if (symtab.sh_entsize != kSymbolSize)
        return fail(diag, fn, Status::invalid, "symbol table entry size %llu, expected %zu",
                    static_cast<ull>(symtab.sh_entsize), kSymbolSize);
    if (symtab.sh_size % kSymbolSize != 0 || symtab.sh_size == 0)
        return fail(diag, fn, Status::invalid, "symbol table size 0x%llx is not a non-zero multiple of %zu",
                    static_cast<ull>(symtab.sh_size), kSymbolSize);
    if (symtab.sh_size / kSymbolSize > 0xffffffffull)
        return fail(diag, fn, Status::invalid, "too many symbols");
    if (symtab.sh_link == 0 || symtab.sh_link >= p.shnum || p.section(symtab.sh_link).sh_type != kShtStrtab)
        return fail(diag, fn, Status::invalid,
                    "symbol table's string table (section %u) is not a STRTAB section", symtab.sh_link);
    SectionHeader strtab = p.section(symtab.sh_link);
    if (!string_table_ok(file, strtab))
        return fail(diag, fn, Status::invalid, "symbol string table (section %u) is not NUL-terminated",
                    symtab.sh_link);
    out.strtab_ = static_cast<u16>(symtab.sh_link);
    out.symbol_total_ = static_cast<u32>(symtab.sh_size / kSymbolSize);

    auto symbol_name = [&](const Symbol& s) {
        return reinterpret_cast<const char*>(file.data() + strtab.sh_offset + s.st_name);
    };
    for (u32 i = 1; i < out.symbol_total_; ++i) {
        Symbol s = read_symbol(file.data() + symtab.sh_offset + usize(i) * kSymbolSize);
        if (s.st_name >= strtab.sh_size)
            return fail(diag, fn, Status::invalid,
                        "symbol %u: name offset 0x%x is outside the string table (0x%llx bytes)", i,
                        s.st_name, static_cast<ull>(strtab.sh_size));
        const char* sym = symbol_name(s);
        u8 stype = symbol_type(s.st_info);
        if (s.st_shndx == kShnCommon || stype == kSttCommon)
            return fail(diag, fn, Status::invalid, "symbol '%s' is a common symbol: build with -fno-common",
                        sym);
        if (stype == kSttTls)
            return fail(diag, fn, Status::invalid, "symbol '%s' is thread-local: not supported", sym);
        if (stype == kSttGnuIfunc)
            return fail(diag, fn, Status::invalid, "symbol '%s' is an ifunc: not supported", sym);
        // A section symbol is named after its section, so it must have one.
        if (stype == kSttSection && (s.st_shndx == kShnUndef || s.st_shndx >= p.shnum))
            return fail(diag, fn, Status::invalid, "symbol %u: section symbol of section index %u (%zu sections)",
                        i, s.st_shndx, p.shnum);
        if (s.st_shndx == kShnUndef || s.st_shndx == kShnAbs) continue;
        if (s.st_shndx >= kShnLoReserve)
            return fail(diag, fn, Status::invalid,
                        "symbol %u ('%s'): special section index 0x%x is not supported", i, sym, s.st_shndx);
        if (s.st_shndx >= p.shnum)
            return fail(diag, fn, Status::invalid,
                        "symbol %u ('%s'): section index %u out of range (%zu sections)", i, sym, s.st_shndx,
                        p.shnum);
        SectionHeader sec = p.section(s.st_shndx);
        if (s.st_value > sec.sh_size)
            return fail(diag, fn, Status::invalid,
                        "symbol '%s': value 0x%llx is outside its section %s (0x%llx bytes)", sym,
                        static_cast<ull>(s.st_value), p.section_name(s.st_shndx),
                        static_cast<ull>(sec.sh_size));
    }

    // --- Relocation sections ---------------------------------------------------------
    for (usize i = 1; i < p.shnum; ++i) {
        SectionHeader r = p.section(i);
        if (r.sh_type != kShtRela) continue;
        const char* rname = p.section_name(i);
        if (r.sh_link != out.symtab_)
            return fail(diag, fn, Status::invalid,
                        "relocation section %s: symbol table link %u is not the symbol table (section %u)",
                        rname, r.sh_link, out.symtab_);
        if (r.sh_info == 0 || r.sh_info >= p.shnum)
            return fail(diag, fn, Status::invalid,
                        "relocation section %s: target section %u out of range (%zu sections)", rname,
                        r.sh_info, p.shnum);
        if (r.sh_entsize != kRelaSize)
            return fail(diag, fn, Status::invalid, "relocation section %s: entry size %llu, expected %zu",
                        rname, static_cast<ull>(r.sh_entsize), kRelaSize);
        if (r.sh_size % kRelaSize != 0)
            return fail(diag, fn, Status::invalid,
                        "relocation section %s: size 0x%llx is not a multiple of %zu", rname,
                        static_cast<ull>(r.sh_size), kRelaSize);
        SectionHeader target = p.section(r.sh_info);
        const char* tname = p.section_name(r.sh_info);
        bool alloc = (target.sh_flags & kShfAlloc) != 0;
        usize count = r.sh_size / kRelaSize;
        if (count != 0 &&
            (target.sh_type == kShtNobits || target.sh_type == kShtRela || target.sh_type == kShtSymtab))
            return fail(diag, fn, Status::invalid, "relocation section %s: target %s has no relocatable data",
                        rname, tname);
        for (usize k = 0; k < count; ++k) {
            Rela e = read_rela(file.data() + r.sh_offset + k * kRelaSize);
            u32 rtype = rela_type(e.r_info);
            u32 rsym = rela_symbol(e.r_info);
            if (rsym >= out.symbol_total_)
                return fail(diag, fn, Status::invalid,
                            "relocation %zu in %s: symbol index %u out of range (%u symbols)", k, rname, rsym,
                            out.symbol_total_);
            usize width = alloc ? relocation_width(rtype) : checked_width(rtype);
            if (alloc && width == 0) {
                if (uses_got(rtype))
                    return fail(
                        diag, fn, Status::unsupported,
                        "relocation %zu in %s: type %s (%u) uses the GOT: build modules with -fno-pic", k,
                        rname, relocation_type_name(rtype), rtype);
                return fail(diag, fn, Status::unsupported,
                            "relocation %zu in %s: unsupported relocation type %s (%u)", k, rname,
                            relocation_type_name(rtype), rtype);
            }
            if (e.r_offset > target.sh_size || width > target.sh_size - e.r_offset)
                return fail(diag, fn, Status::invalid,
                            "relocation %zu in %s: offset 0x%llx (+%zu bytes) is outside %s (0x%llx bytes)",
                            k, rname, static_cast<ull>(e.r_offset), width, tname,
                            static_cast<ull>(target.sh_size));
            if (!alloc) continue;
            if (rsym == 0)
                return fail(diag, fn, Status::invalid, "relocation %zu in %s has no symbol (index 0)", k,
                            rname);
            Symbol s = read_symbol(file.data() + symtab.sh_offset + usize(rsym) * kSymbolSize);
            if (s.st_shndx != kShnUndef && s.st_shndx != kShnAbs &&
                !(p.section(s.st_shndx).sh_flags & kShfAlloc))
                return fail(diag, fn, Status::invalid,
                            "relocation %zu in %s refers to '%s' in %s, a section that is not loaded", k,
                            rname, symbol_name(s)[0] ? symbol_name(s) : p.section_name(s.st_shndx),
                            p.section_name(s.st_shndx));
        }
    }

    // --- Descriptor -------------------------------------------------------------------
    for (usize i = 1; i < p.shnum; ++i) {
        if (!same(p.section_name(i), kDescriptorSection)) continue;
        if (out.descriptor_section_ != 0)
            return fail(diag, fn, Status::invalid,
                        "two descriptors (%s in sections %u and %zu): one CELOS_MODULE per module",
                        kDescriptorSection, out.descriptor_section_, i);
        out.descriptor_section_ = static_cast<u16>(i);
    }
    if (out.descriptor_section_ == 0)
        return fail(diag, fn, Status::invalid, "no %s section (not a CelOS module: use CELOS_MODULE)",
                    kDescriptorSection);
    SectionHeader ds = p.section(out.descriptor_section_);
    if (ds.sh_type != kShtProgbits || !(ds.sh_flags & kShfAlloc))
        return fail(diag, fn, Status::invalid, "%s is not an allocated PROGBITS section", kDescriptorSection);
    if (ds.sh_size != dl::kSize)
        return fail(diag, fn, Status::invalid,
                    "%s is %llu bytes, expected %zu (struct celos_module_descriptor)", kDescriptorSection,
                    static_cast<ull>(ds.sh_size), dl::kSize);
    const u8* d = file.data() + ds.sh_offset;
    u32 magic = load_le<u32>(d + dl::kMagicOffset);
    if (magic != dl::kMagic)
        return fail(diag, fn, Status::invalid, "descriptor magic 0x%08x is not CELOS_MODULE_MAGIC (0x%08x)",
                    magic, dl::kMagic);
    u16 major = load_le<u16>(d + dl::kAbiMajorOffset);
    u16 minor = load_le<u16>(d + dl::kAbiMinorOffset);
    if (major > core_abi_major || (major == core_abi_major && minor > core_abi_minor))
        return fail(diag, fn, Status::unsupported, "ABI %u.%u is newer than the core's %u.%u", major, minor,
                    core_abi_major, core_abi_minor);
    if (major < core_abi_major)
        return fail(diag, fn, Status::unsupported,
                    "ABI %u.%u is older than the core's %u.%u (major versions must match)", major, minor,
                    core_abi_major, core_abi_minor);
    struct InlineString {
        const char* what;
        usize offset;
        usize size;
        char* out;
    } strings[] = {{"name", dl::kNameOffset, kMaxNameLength, out.info_.name},
                   {"version", dl::kVersionOffset, kMaxVersionLength, out.info_.version},
                   {"depends", dl::kDependsOffset, kMaxDependsLength, out.info_.depends}};
    for (const InlineString& s : strings) {
        usize len = 0;
        while (len < s.size && d[s.offset + len] != 0)
            ++len;
        if (len == s.size)
            return fail(diag, fn, Status::invalid, "descriptor %s is not NUL-terminated within its %zu bytes",
                        s.what, s.size);
        for (usize k = 0; k <= len; ++k)
            s.out[k] = static_cast<char>(d[s.offset + k]);
    }
    if (out.info_.name[0] == 0) return fail(diag, fn, Status::invalid, "descriptor name is empty");
    for (const char* c = out.info_.name; *c; ++c)
        if (!valid_name_char(*c))
            return fail(diag, fn, Status::invalid,
                        "descriptor name '%s' has a character other than a-z, 0-9, '_' and '-'",
                        out.info_.name);
    out.info_.abi_major = major;
    out.info_.abi_minor = minor;

    // --- Layout ---------------------------------------------------------------------------
    u64 cursor[kRegionCount] = {};
    for (usize i = 1; i < p.shnum; ++i) {
        SectionHeader s = p.section(i);
        if (!(s.sh_flags & kShfAlloc)) continue;
        Region r = (s.sh_flags & kShfExecInstr) ? Region::text
                   : (s.sh_flags & kShfWrite)   ? Region::data
                                                : Region::rodata;
        usize ri = static_cast<usize>(r);
        u64 at = align_up(cursor[ri], s.sh_addralign > 1 ? s.sh_addralign : 1);
        if (at + s.sh_size > kMaxRegionSize)
            return fail(diag, fn, Status::invalid, "the %s region would be larger than %llu MiB",
                        kRegionNames[ri], static_cast<ull>(kMaxRegionSize >> 20));
        out.sections_[i] = SectionPlan{static_cast<u32>(at), static_cast<u8>(ri), true};
        cursor[ri] = at + s.sh_size;
    }
    for (usize r = 0; r < kRegionCount; ++r)
        out.region_size_[r] = align_up(cursor[r], kPageSize);

    // --- Exports -------------------------------------------------------------------------------
    for (usize i = 1; i < p.shnum; ++i) {
        if (!same(p.section_name(i), kExportSection)) continue;
        if (out.exports_section_ != 0)
            return fail(diag, fn, Status::invalid, "two %s sections (%u and %zu)", kExportSection,
                        out.exports_section_, i);
        out.exports_section_ = static_cast<u16>(i);
    }
    if (out.exports_section_ != 0) {
        SectionHeader es = p.section(out.exports_section_);
        if (!out.sections_[out.exports_section_].loaded || es.sh_type != kShtProgbits)
            return fail(diag, fn, Status::invalid, "%s is not an allocated PROGBITS section", kExportSection);
        if (es.sh_size % kExportEntrySize != 0)
            return fail(diag, fn, Status::invalid,
                        "%s is %llu bytes, not a multiple of %zu (struct celos_export)", kExportSection,
                        static_cast<ull>(es.sh_size), kExportEntrySize);
        out.export_count_ = es.sh_size / kExportEntrySize;
        for (usize i = 0; i < out.export_count_; ++i) {
            u32 sym = 0;
            i64 addend = 0;
            if (!out.find_export_relocation(i, sym, addend))
                return fail(diag, fn, Status::invalid,
                            "export %zu: no R_X86_64_64 relocation for its address (offset 0x%zx in %s)", i,
                            i * kExportEntrySize + kExportAddressOffset, kExportSection);
            const char* name = out.export_name(sym, addend);
            if (name == nullptr || name[0] == 0)
                return fail(diag, fn, Status::invalid,
                            "export %zu: its address relocation refers to no named symbol", i);
            for (usize k = 0; k < i; ++k) {
                u32 other = 0;
                i64 other_addend = 0;
                out.find_export_relocation(k, other, other_addend);
                if (same(name, out.export_name(other, other_addend)))
                    return fail(diag, fn, Status::invalid, "export '%s' appears twice (entries %zu and %zu)",
                                name, k, i);
            }
        }
    }

    // --- Symbols for fault reports ---------------------------------------------------------------
    for (u32 i = 1; i < out.symbol_total_; ++i) {
        Symbol s = read_symbol(file.data() + symtab.sh_offset + usize(i) * kSymbolSize);
        u8 t = symbol_type(s.st_info);
        if ((t == kSttFunc || t == kSttObject) && s.st_shndx != kShnUndef && s.st_shndx < p.shnum &&
            out.sections_[s.st_shndx].loaded && s.st_name != 0)
            ++out.fault_symbol_count_;
    }
    return {};
}

u64 ModuleImage::region_size(Region r) const {
    return region_size_[static_cast<usize>(r)];
}

bool ModuleImage::section_placement(usize index, Region& region, u64& offset) const {
    if (index >= section_count_ || !sections_[index].loaded) return false;
    region = static_cast<Region>(sections_[index].region);
    offset = sections_[index].offset;
    return true;
}

// The address of a defined symbol (in a loaded section, or absolute).
bool ModuleImage::symbol_address(u32 index, const RegionTarget (&targets)[kRegionCount], u64& address) const {
    SectionHeader symtab = read_section(file_, load_le<u64>(file_.data() + 40), symtab_);
    Symbol s = read_symbol(file_.data() + symtab.sh_offset + usize(index) * kSymbolSize);
    if (s.st_shndx == kShnAbs) {
        address = s.st_value;
        return true;
    }
    if (s.st_shndx == kShnUndef || s.st_shndx >= section_count_ || !sections_[s.st_shndx].loaded)
        return false;
    const SectionPlan& plan = sections_[s.st_shndx];
    address = targets[plan.region].address + plan.offset + s.st_value;
    return true;
}

Result<void> ModuleImage::relocate(const RegionTarget (&targets)[kRegionCount], SymbolResolver& resolver,
                                   RelocationStats& stats, Diagnostic& diag) const {
    const char* fn = file_name_;
    const u64 shoff = load_le<u64>(file_.data() + 40);
    const SectionHeader shstr = read_section(file_, shoff, shstrtab_);
    const SectionHeader symtab = read_section(file_, shoff, symtab_);
    const SectionHeader strtab = read_section(file_, shoff, strtab_);
    auto section_name = [&](usize i) {
        return reinterpret_cast<const char*>(file_.data() + shstr.sh_offset +
                                             read_section(file_, shoff, i).sh_name);
    };
    auto symbol = [&](u32 i) {
        return read_symbol(file_.data() + symtab.sh_offset + usize(i) * kSymbolSize);
    };
    auto symbol_name = [&](const Symbol& s) {
        if (symbol_type(s.st_info) == kSttSection && s.st_shndx < section_count_)
            return section_name(s.st_shndx);
        return reinterpret_cast<const char*>(file_.data() + strtab.sh_offset + s.st_name);
    };
    for (usize r = 0; r < kRegionCount; ++r)
        if (region_size_[r] != 0 && targets[r].buffer == nullptr)
            return fail(diag, fn, Status::invalid, "no buffer for the %s region", kRegionNames[r]);

    // Section contents.
    for (usize i = 1; i < section_count_; ++i) {
        if (!sections_[i].loaded) continue;
        SectionHeader s = read_section(file_, shoff, i);
        if (s.sh_size == 0) continue; // its region may be empty (no buffer)
        u8* dst = targets[sections_[i].region].buffer + sections_[i].offset;
        if (s.sh_type == kShtNobits)
            __builtin_memset(dst, 0, s.sh_size);
        else
            __builtin_memcpy(dst, file_.data() + s.sh_offset, s.sh_size);
    }

    // Every undefined symbol that a loaded section refers to must resolve;
    // all that do not are listed, and nothing is relocated.
    usize unresolved = 0;
    usize length = 0;
    for (u32 i = 1; i < symbol_total_; ++i) {
        Symbol s = symbol(i);
        if (s.st_shndx != kShnUndef) continue;
        u64 address = 0;
        const char* name = symbol_name(s);
        if (resolver.resolve(name, address)) continue;
        // Referenced from a loaded section? (Only looked at for failures.)
        bool referenced = false;
        for (usize k = 1; k < section_count_ && !referenced; ++k) {
            SectionHeader r = read_section(file_, shoff, k);
            if (r.sh_type != kShtRela || !sections_[r.sh_info].loaded) continue;
            for (usize e = 0; e < r.sh_size / kRelaSize; ++e)
                if (rela_symbol(read_rela(file_.data() + r.sh_offset + e * kRelaSize).r_info) == i) {
                    referenced = true;
                    break;
                }
        }
        if (!referenced) continue;
        if (unresolved++ == 0)
            length = format(diag.message, sizeof diag.message, "%s: unresolved symbols: %s", fn, name);
        else if (length < sizeof diag.message)
            length += format(diag.message + length, sizeof diag.message - length, ", %s", name);
    }
    if (unresolved != 0) {
        if (length >= sizeof diag.message - 1)
            format(diag.message + sizeof diag.message - 24, 24, "... (%zu in all)", unresolved);
        return make_error(Status::not_found, "unresolved symbols");
    }

    for (usize i = 1; i < section_count_; ++i) {
        SectionHeader r = read_section(file_, shoff, i);
        if (r.sh_type != kShtRela || !sections_[r.sh_info].loaded) continue;
        const SectionPlan& plan = sections_[r.sh_info];
        const char* rname = section_name(i);
        for (usize k = 0; k < r.sh_size / kRelaSize; ++k) {
            Rela e = read_rela(file_.data() + r.sh_offset + k * kRelaSize);
            u32 type = rela_type(e.r_info);
            Symbol s = symbol(rela_symbol(e.r_info));
            u64 S = 0;
            if (s.st_shndx == kShnUndef) {
                if (!resolver.resolve(symbol_name(s), S))
                    return fail(diag, fn, Status::not_found, "unresolved symbols: %s", symbol_name(s));
            } else if (!symbol_address(rela_symbol(e.r_info), targets, S)) {
                return fail(diag, fn, Status::invalid, "relocation %zu in %s: symbol '%s' is not loaded", k,
                            rname, symbol_name(s));
            }
            u64 P = targets[plan.region].address + plan.offset + e.r_offset;
            u8* at = targets[plan.region].buffer + plan.offset + e.r_offset;
            u64 value = S + static_cast<u64>(e.r_addend);
            bool fits = true;
            const char* range = "";
            switch (type) {
            case R_X86_64_64: break;
            case R_X86_64_PC64: value -= P; break;
            case R_X86_64_PC32:
            case R_X86_64_PLT32: // no PLT: the target is within +/-2 GiB
                value -= P;
                fits = static_cast<i64>(value) == static_cast<i64>(static_cast<int32_t>(value));
                range = "a signed 32-bit PC-relative offset";
                break;
            case R_X86_64_32:
                fits = value <= 0xffffffffull;
                range = "32 bits (zero-extended)";
                break;
            case R_X86_64_32S:
                fits = static_cast<i64>(value) == static_cast<i64>(static_cast<int32_t>(value));
                range = "32 bits (sign-extended)";
                break;
            default: // parse() let through only the types above
                return fail(diag, fn, Status::unsupported,
                            "relocation %zu in %s: unsupported relocation type %s (%u)", k, rname,
                            relocation_type_name(type), type);
            }
            if (!fits)
                return fail(
                    diag, fn, Status::range,
                    "relocation %zu in %s: %s value 0x%llx for symbol '%s' does not fit in %s (module %s)", k,
                    rname, relocation_type_name(type), static_cast<ull>(value), symbol_name(s), range,
                    info_.name);
            usize width = relocation_width(type);
            for (usize b = 0; b < width; ++b)
                at[b] = static_cast<u8>(value >> (8 * b));
            ++stats.applied;
            if (type < 64) ++stats.by_type[type];
        }
    }
    return {};
}

// The R_X86_64_64 relocation of export i's address field.
bool ModuleImage::find_export_relocation(usize i, u32& symbol, i64& addend) const {
    if (exports_section_ == 0 || i >= export_count_) return false;
    const u64 shoff = load_le<u64>(file_.data() + 40);
    const u64 want = i * kExportEntrySize + kExportAddressOffset;
    for (usize k = 1; k < section_count_; ++k) {
        SectionHeader r = read_section(file_, shoff, k);
        if (r.sh_type != kShtRela || r.sh_info != exports_section_) continue;
        for (usize e = 0; e < r.sh_size / kRelaSize; ++e) {
            Rela rel = read_rela(file_.data() + r.sh_offset + e * kRelaSize);
            if (rel.r_offset == want && rela_type(rel.r_info) == R_X86_64_64) {
                symbol = rela_symbol(rel.r_info);
                addend = rel.r_addend;
                return true;
            }
        }
    }
    return false;
}

// The name of the symbol an export's address refers to; for a section
// symbol (a static function), the named symbol at that place.
const char* ModuleImage::export_name(u32 index, i64 addend) const {
    const u64 shoff = load_le<u64>(file_.data() + 40);
    const SectionHeader symtab = read_section(file_, shoff, symtab_);
    const SectionHeader strtab = read_section(file_, shoff, strtab_);
    auto at = [&](u32 i) { return read_symbol(file_.data() + symtab.sh_offset + usize(i) * kSymbolSize); };
    Symbol s = at(index);
    if (symbol_type(s.st_info) != kSttSection)
        return reinterpret_cast<const char*>(file_.data() + strtab.sh_offset + s.st_name);
    for (u32 i = 1; i < symbol_total_; ++i) {
        Symbol c = at(i);
        u8 t = symbol_type(c.st_info);
        if (c.st_shndx == s.st_shndx && c.st_name != 0 &&
            (t == kSttFunc || t == kSttObject || t == kSttNotype) &&
            c.st_value == s.st_value + static_cast<u64>(addend))
            return reinterpret_cast<const char*>(file_.data() + strtab.sh_offset + c.st_name);
    }
    return nullptr;
}

usize ModuleImage::export_count() const {
    return export_count_;
}

bool ModuleImage::export_at(usize i, const RegionTarget (&targets)[kRegionCount], const char*& name,
                            u64& address) const {
    u32 sym = 0;
    i64 addend = 0;
    if (!find_export_relocation(i, sym, addend)) return false;
    name = export_name(sym, addend);
    if (name == nullptr) return false;
    // The relocated address field itself: right for every kind of symbol.
    const SectionPlan& plan = sections_[exports_section_];
    address =
        load_le<u64>(targets[plan.region].buffer + plan.offset + i * kExportEntrySize + kExportAddressOffset);
    return true;
}

u64 ModuleImage::descriptor_address(const RegionTarget (&targets)[kRegionCount]) const {
    const SectionPlan& plan = sections_[descriptor_section_];
    return targets[plan.region].address + plan.offset;
}

void ModuleImage::for_each_undefined(void (*fn)(void* ctx, const char* name), void* ctx) const {
    if (symtab_ == 0) return;
    const u64 shoff = load_le<u64>(file_.data() + 40);
    const SectionHeader symtab = read_section(file_, shoff, symtab_);
    const SectionHeader strtab = read_section(file_, shoff, strtab_);
    for (u32 i = 1; i < symbol_total_; ++i) {
        Symbol s = read_symbol(file_.data() + symtab.sh_offset + usize(i) * kSymbolSize);
        // parse() checked every name offset against the string table.
        if (s.st_shndx != kShnUndef || s.st_name == 0 || symbol_type(s.st_info) == kSttSection) continue;
        fn(ctx, reinterpret_cast<const char*>(file_.data() + strtab.sh_offset + s.st_name));
    }
}

usize ModuleImage::symbol_count() const {
    return fault_symbol_count_;
}

bool ModuleImage::symbol_at(usize i, const RegionTarget (&targets)[kRegionCount], const char*& name,
                            u64& address, u64& size) const {
    if (i >= fault_symbol_count_) return false;
    const u64 shoff = load_le<u64>(file_.data() + 40);
    const SectionHeader symtab = read_section(file_, shoff, symtab_);
    const SectionHeader strtab = read_section(file_, shoff, strtab_);
    // Callers walk i = 0, 1, 2...: continue from the last symbol returned.
    usize ordinal = 0;
    u32 k = 1;
    if (cursor_symbol_ != 0 && i >= cursor_ordinal_) {
        ordinal = cursor_ordinal_;
        k = cursor_symbol_;
    }
    for (; k < symbol_total_; ++k) {
        Symbol s = read_symbol(file_.data() + symtab.sh_offset + usize(k) * kSymbolSize);
        u8 t = symbol_type(s.st_info);
        if (!((t == kSttFunc || t == kSttObject) && s.st_shndx != kShnUndef && s.st_shndx < section_count_ &&
              sections_[s.st_shndx].loaded && s.st_name != 0))
            continue;
        if (ordinal++ != i) continue;
        cursor_ordinal_ = i;
        cursor_symbol_ = k;
        name = reinterpret_cast<const char*>(file_.data() + strtab.sh_offset + s.st_name);
        const SectionPlan& plan = sections_[s.st_shndx];
        address = targets[plan.region].address + plan.offset + s.st_value;
        size = s.st_size;
        return true;
    }
    return false;
}

} // namespace celos::loader
