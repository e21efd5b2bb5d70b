// Checking and layout of a module file (see module_image.h; relocation is in
// module_link.cpp).
// Every field is checked before it is used, in the order the fields depend
// on each other (like Linux's elf_validity_check); each failed check writes
// one message naming the file and the check.
#include "module/module_image.h"

#include "module/image_read.h"

namespace celos::loader {
using namespace image_detail;
namespace {

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
    SectionTable sections{}; // once the table is inside the file
    usize shnum = 0;
    SectionHeader shstr{};

    SectionHeader section(usize i) const { return sections[i]; }
    const char* section_name(usize i) const {
        return reinterpret_cast<const char*>(file.data() + shstr.sh_offset + section(i).sh_name);
    }
};

// FNV-1a of a NUL-terminated name.
u32 name_hash(const char* s) {
    u32 h = 2166136261u;
    for (; *s; ++s)
        h = (h ^ static_cast<u8>(*s)) * 16777619u;
    return h;
}

// The export names seen so far (open addressing; each slot holds a name's
// offset in the string table, 0 for none: empty names are refused before,
// and 8 bits of its hash, so that names are compared only when those match).
// Fixed-size, on the stack: parse() runs before any heap exists.
class ExportNames {
public:
    static constexpr usize kSlots = 1024; // a power of two, above kMaxExports
    static_assert(kMaxExports < kSlots);

    explicit ExportNames(const char* strings) : strings_(strings) {}
    // False when an equal name is there already; else adds it.
    bool insert(const char* name) {
        const u32 hash = name_hash(name);
        const u8 tag = static_cast<u8>(hash >> 24);
        for (usize i = hash & (kSlots - 1);; i = (i + 1) & (kSlots - 1)) {
            if (offsets_[i] == 0) {
                offsets_[i] = static_cast<u32>(name - strings_);
                tags_[i] = tag;
                return true;
            }
            if (tags_[i] == tag && cstr_equal(strings_ + offsets_[i], name)) return false;
        }
    }

private:
    const char* strings_;
    u32 offsets_[kSlots] = {};
    u8 tags_[kSlots];
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
    const u64 shoff = load_le<u64>(h + 40);
    p.shnum = load_le<u16>(h + 60);
    if (p.shnum == 0)
        return fail(diag, fn, Status::invalid,
                    "no section headers (e_shnum 0, or an extended count: not supported)");
    if (p.shnum > kMaxSections)
        return fail(diag, fn, Status::invalid, "too many sections (%zu, at most %zu)", p.shnum, kMaxSections);
    if (!file.contains(shoff, p.shnum * kSectionHeaderSize))
        return fail(diag, fn, Status::invalid,
                    "section header table (offset 0x%llx, %zu entries) is outside the file (%zu bytes)",
                    static_cast<ull>(shoff), p.shnum, file.size());
    out.section_count_ = static_cast<u16>(p.shnum);
    out.shoff_ = shoff;
    p.sections = out.section_table();

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
        out.sections_[i].loaded = alloc; // placed below, in the layout
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
    out.symtab_offset_ = symtab.sh_offset;
    out.strtab_offset_ = strtab.sh_offset;
    const SymbolTable symbols = out.symbol_table();

    auto symbol_name = [&](const Symbol& s) { return symbols.name(s); };
    for (u32 i = 1; i < out.symbol_total_; ++i) {
        Symbol s = symbols[i];
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
        // For fault reports: functions and objects of loaded sections.
        if ((stype == kSttFunc || stype == kSttObject) && out.sections_[s.st_shndx].loaded && s.st_name != 0)
            ++out.fault_symbol_count_;
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
        usize count = r.sh_size / kRelaSize;
        if (count != 0 &&
            (target.sh_type == kShtNobits || target.sh_type == kShtRela || target.sh_type == kShtSymtab))
            return fail(diag, fn, Status::invalid, "relocation section %s: target %s has no relocatable data",
                        rname, tname);
        // The relocations of a section that is not loaded (.rela.debug_*:
        // most of a module's) are never applied, and nothing in the core
        // reads them (a debugger relocates debug info itself from the .ko
        // on the host): past the header checks above, they are not looked at.
        if (!(target.sh_flags & kShfAlloc)) continue;
        const RelaTable entries{file.data() + r.sh_offset, count};
        for (usize k = 0; k < count; ++k) {
            Rela e = entries[k];
            u32 rtype = rela_type(e.r_info);
            u32 rsym = rela_symbol(e.r_info);
            if (rsym >= out.symbol_total_)
                return fail(diag, fn, Status::invalid,
                            "relocation %zu in %s: symbol index %u out of range (%u symbols)", k, rname, rsym,
                            out.symbol_total_);
            usize width = relocation_width(rtype);
            if (width == 0) {
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
            if (rsym == 0)
                return fail(diag, fn, Status::invalid, "relocation %zu in %s has no symbol (index 0)", k,
                            rname);
            Symbol s = symbols[rsym];
            // The symbol checks above: its index is UNDEF, ABS or a section.
            if (s.st_shndx != kShnUndef && s.st_shndx != kShnAbs && !out.sections_[s.st_shndx].loaded)
                return fail(diag, fn, Status::invalid,
                            "relocation %zu in %s refers to '%s' in %s, a section that is not loaded", k,
                            rname, symbol_name(s)[0] ? symbol_name(s) : p.section_name(s.st_shndx),
                            p.section_name(s.st_shndx));
        }
    }

    // --- Descriptor -------------------------------------------------------------------
    for (usize i = 1; i < p.shnum; ++i) {
        if (!cstr_equal(p.section_name(i), kDescriptorSection)) continue;
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
        if (!cstr_equal(p.section_name(i), kExportSection)) continue;
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
        if (out.export_count_ > kMaxExports)
            return fail(diag, fn, Status::invalid,
                        "%zu exports, more than the core's export table holds (%zu)", out.export_count_,
                        kMaxExports);
        // The address relocations by position when there is one RELA
        // section for the exports and its offsets ascend.
        usize relas = 0;
        u16 rela = 0;
        for (usize i = 1; i < p.shnum; ++i) {
            SectionHeader r = p.section(i);
            if (r.sh_type == kShtRela && r.sh_info == out.exports_section_) ++relas, rela = static_cast<u16>(i);
        }
        if (relas == 1) {
            SectionHeader r = p.section(rela);
            const RelaTable entries{file.data() + r.sh_offset, r.sh_size / kRelaSize};
            bool ascending = true;
            for (usize k = 1; k < entries.count && ascending; ++k)
                ascending = entries[k - 1].r_offset < entries[k].r_offset;
            if (ascending) out.exports_rela_ = rela;
        }
        // One pass, each name into a hash set: a name seen before is a
        // duplicate (the earlier entry is looked for only then).
        ExportNames seen(symbols.names);
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
            if (seen.insert(name)) continue;
            usize k = 0;
            while (k < i && !cstr_equal(name, out.export_name_at(k)))
                ++k;
            return fail(diag, fn, Status::invalid, "export '%s' appears twice (entries %zu and %zu)", name, k,
                        i);
        }
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

} // namespace celos::loader
