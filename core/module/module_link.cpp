// Relocation and linking of a checked module file in place, and the
// queries on its symbols and exports (see module_image.h). Every field was
// checked by ModuleImage::parse; values computed here are range-checked.
#include "module/image_read.h"

namespace celos::loader {

using namespace image_detail;

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
        // Each with its reason when the resolver knows it: "kmalloc is
        // exported by heap: add heap to the module's dependencies".
        char reason[200];
        const bool explained = resolver.explain(name, reason, sizeof reason) != 0;
        if (!explained) format(reason, sizeof reason, "%s", name);
        if (unresolved++ == 0)
            length = format(diag.message, sizeof diag.message, "%s: unresolved symbols: %s", fn, reason);
        else if (length < sizeof diag.message)
            length += format(diag.message + length, sizeof diag.message - length, "%s%s",
                             explained ? "; " : ", ", reason);
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

const char* ModuleImage::export_name_at(usize i) const {
    u32 sym = 0;
    i64 addend = 0;
    if (!find_export_relocation(i, sym, addend)) return nullptr;
    return export_name(sym, addend);
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
