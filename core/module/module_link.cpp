// Relocation and linking of a checked module file in place, and the
// queries on its symbols and exports (see module_image.h). Every field was
// checked by ModuleImage::parse; values computed here are range-checked.
#include "module/image_read.h"

namespace celos::loader {

using namespace image_detail;

namespace {

// The addresses of the undefined symbols, resolved once each, by symbol
// index (open addressing). Fixed-size, on relocate()'s stack: the core
// relocates the heap module before any heap exists. A module that refers
// to more names than fit (a module links against at most the core's
// export table) has the rest resolved at each relocation.
class ResolvedSymbols {
public:
    static constexpr usize kSlots = 256; // a power of two
    static constexpr usize kMaxEntries = kSlots * 3 / 4;

    void add(u32 symbol, u64 address) {
        if (count_ == kMaxEntries) return;
        usize i = slot(symbol);
        while (keys_[i] != 0)
            i = (i + 1) & (kSlots - 1);
        keys_[i] = symbol;
        values_[i] = address;
        ++count_;
    }
    bool find(u32 symbol, u64& address) const {
        for (usize i = slot(symbol);; i = (i + 1) & (kSlots - 1)) {
            if (keys_[i] == symbol) {
                address = values_[i];
                return true;
            }
            if (keys_[i] == 0) return false;
        }
    }

private:
    static usize slot(u32 symbol) { return (symbol * 0x9e3779b1u) >> (32 - 8); }
    static_assert(kSlots == 1u << 8);

    u32 keys_[kSlots] = {}; // symbol indices; 0 (the null symbol) marks a free slot
    u64 values_[kSlots];
    usize count_ = 0;
};

} // namespace

SectionTable ModuleImage::section_table() const {
    return SectionTable{file_.data() + shoff_};
}

SymbolTable ModuleImage::symbol_table() const {
    return SymbolTable{file_.data() + symtab_offset_, symbol_total_,
                       reinterpret_cast<const char*>(file_.data() + strtab_offset_)};
}

Result<void> ModuleImage::relocate(const RegionTarget (&targets)[kRegionCount], SymbolResolver& resolver,
                                   RelocationStats& stats, Diagnostic& diag) const {
    const char* fn = file_name_;
    const SectionTable sections = section_table();
    const SymbolTable symbols = symbol_table();
    const char* section_names = reinterpret_cast<const char*>(file_.data() + sections[shstrtab_].sh_offset);
    auto section_name = [&](usize i) { return section_names + sections[i].sh_name; };
    auto symbol_name = [&](const Symbol& s) {
        if (symbol_type(s.st_info) == kSttSection && s.st_shndx < section_count_)
            return section_name(s.st_shndx);
        return symbols.name(s);
    };
    for (usize r = 0; r < kRegionCount; ++r)
        if (region_size_[r] != 0 && targets[r].buffer == nullptr)
            return fail(diag, fn, Status::invalid, "no buffer for the %s region", kRegionNames[r]);

    // Section contents.
    for (usize i = 1; i < section_count_; ++i) {
        if (!sections_[i].loaded) continue;
        SectionHeader s = sections[i];
        if (s.sh_size == 0) continue; // its region may be empty (no buffer)
        u8* dst = targets[sections_[i].region].buffer + sections_[i].offset;
        if (s.sh_type == kShtNobits)
            __builtin_memset(dst, 0, s.sh_size);
        else
            __builtin_memcpy(dst, file_.data() + s.sh_offset, s.sh_size);
    }

    // Every undefined symbol that a loaded section refers to must resolve;
    // all that do not are listed, and nothing is relocated. Each is resolved
    // here once; the relocations below take the address from `resolved`.
    ResolvedSymbols resolved;
    usize unresolved = 0;
    usize length = 0;
    for (u32 i = 1; i < symbol_total_; ++i) {
        Symbol s = symbols[i];
        if (s.st_shndx != kShnUndef) continue;
        u64 address = 0;
        const char* name = symbol_name(s);
        if (resolver.resolve(name, address)) {
            resolved.add(i, address);
            continue;
        }
        // Referenced from a loaded section? (Only looked at for failures.)
        bool referenced = false;
        for (usize k = 1; k < section_count_ && !referenced; ++k) {
            SectionHeader r = sections[k];
            if (r.sh_type != kShtRela || !sections_[r.sh_info].loaded) continue;
            const RelaTable entries{file_.data() + r.sh_offset, r.sh_size / kRelaSize};
            for (usize e = 0; e < entries.count; ++e)
                if (rela_symbol(entries[e].r_info) == i) {
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
        SectionHeader r = sections[i];
        if (r.sh_type != kShtRela || !sections_[r.sh_info].loaded) continue;
        const SectionPlan& plan = sections_[r.sh_info];
        const u64 base = targets[plan.region].address + plan.offset;
        u8* const buffer = targets[plan.region].buffer + plan.offset;
        const RelaTable entries{file_.data() + r.sh_offset, r.sh_size / kRelaSize};
        // parse() checked each entry: a supported type, its bytes inside the
        // section, a symbol that is undefined, absolute or in a loaded section.
        for (usize k = 0; k < entries.count; ++k) {
            const Rela e = entries[k];
            const u32 type = rela_type(e.r_info);
            const u32 index = rela_symbol(e.r_info);
            const Symbol s = symbols[index];
            u64 S = 0;
            if (s.st_shndx == kShnUndef) {
                if (!resolved.find(index, S) && !resolver.resolve(symbol_name(s), S))
                    return fail(diag, fn, Status::not_found, "unresolved symbols: %s", symbol_name(s));
            } else if (s.st_shndx == kShnAbs) {
                S = s.st_value;
            } else if (s.st_shndx < section_count_ && sections_[s.st_shndx].loaded) {
                const SectionPlan& at = sections_[s.st_shndx];
                S = targets[at.region].address + at.offset + s.st_value;
            } else {
                return fail(diag, fn, Status::invalid, "relocation %zu in %s: symbol '%s' is not loaded", k,
                            section_name(i), symbol_name(s));
            }
            const u64 P = base + e.r_offset;
            u8* const at = buffer + e.r_offset;
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
                            "relocation %zu in %s: unsupported relocation type %s (%u)", k, section_name(i),
                            relocation_type_name(type), type);
            }
            if (!fits)
                return fail(
                    diag, fn, Status::range,
                    "relocation %zu in %s: %s value 0x%llx for symbol '%s' does not fit in %s (module %s)", k,
                    section_name(i), relocation_type_name(type), static_cast<ull>(value), symbol_name(s),
                    range, info_.name);
            if (relocation_width(type) == 8)
                store_le<u64>(at, value);
            else
                store_le<u32>(at, static_cast<u32>(value));
            ++stats.applied;
            if (type < 64) ++stats.by_type[type];
        }
    }
    return {};
}

// The R_X86_64_64 relocation of export i's address field.
bool ModuleImage::find_export_relocation(usize i, u32& symbol, i64& addend) const {
    if (exports_section_ == 0 || i >= export_count_) return false;
    const SectionTable sections = section_table();
    const u64 want = i * kExportEntrySize + kExportAddressOffset;
    auto found = [&](const Rela& rel) {
        symbol = rela_symbol(rel.r_info);
        addend = rel.r_addend;
        return true;
    };
    if (exports_rela_ != 0) {
        // One section, offsets ascending: at most one relocation at `want`.
        // CELOS_EXPORT's entries have two (name, address), so it is at
        // 2i + 1; otherwise a binary search finds it.
        const SectionHeader r = sections[exports_rela_];
        const RelaTable entries{file_.data() + r.sh_offset, r.sh_size / kRelaSize};
        usize k = 2 * i + 1;
        if (k >= entries.count || entries[k].r_offset != want) {
            usize low = 0, high = entries.count;
            while (low < high) {
                usize mid = low + (high - low) / 2;
                if (entries[mid].r_offset < want)
                    low = mid + 1;
                else
                    high = mid;
            }
            k = low;
        }
        if (k >= entries.count) return false;
        const Rela rel = entries[k];
        return rel.r_offset == want && rela_type(rel.r_info) == R_X86_64_64 && found(rel);
    }
    for (usize k = 1; k < section_count_; ++k) {
        SectionHeader r = sections[k];
        if (r.sh_type != kShtRela || r.sh_info != exports_section_) continue;
        const RelaTable entries{file_.data() + r.sh_offset, r.sh_size / kRelaSize};
        for (usize e = 0; e < entries.count; ++e) {
            const Rela rel = entries[e];
            if (rel.r_offset == want && rela_type(rel.r_info) == R_X86_64_64) return found(rel);
        }
    }
    return false;
}

// The name of the symbol an export's address refers to; for a section
// symbol (a static function), the named symbol at that place.
const char* ModuleImage::export_name(u32 index, i64 addend) const {
    const SymbolTable symbols = symbol_table();
    Symbol s = symbols[index];
    if (symbol_type(s.st_info) != kSttSection) return symbols.name(s);
    for (u32 i = 1; i < symbol_total_; ++i) {
        Symbol c = symbols[i];
        u8 t = symbol_type(c.st_info);
        if (c.st_shndx == s.st_shndx && c.st_name != 0 &&
            (t == kSttFunc || t == kSttObject || t == kSttNotype) &&
            c.st_value == s.st_value + static_cast<u64>(addend))
            return symbols.name(c);
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
    const SymbolTable symbols = symbol_table();
    for (u32 i = 1; i < symbol_total_; ++i) {
        Symbol s = symbols[i];
        // parse() checked every name offset against the string table.
        if (s.st_shndx != kShnUndef || s.st_name == 0 || symbol_type(s.st_info) == kSttSection) continue;
        fn(ctx, symbols.name(s));
    }
}

usize ModuleImage::symbol_count() const {
    return fault_symbol_count_;
}

bool ModuleImage::symbol_at(usize i, const RegionTarget (&targets)[kRegionCount], const char*& name,
                            u64& address, u64& size) const {
    if (i >= fault_symbol_count_) return false;
    const SymbolTable symbols = symbol_table();
    // Callers walk i = 0, 1, 2...: continue from the last symbol returned.
    usize ordinal = 0;
    u32 k = 1;
    if (cursor_symbol_ != 0 && i >= cursor_ordinal_) {
        ordinal = cursor_ordinal_;
        k = cursor_symbol_;
    }
    for (; k < symbol_total_; ++k) {
        Symbol s = symbols[k];
        u8 t = symbol_type(s.st_info);
        if (!((t == kSttFunc || t == kSttObject) && s.st_shndx != kShnUndef && s.st_shndx < section_count_ &&
              sections_[s.st_shndx].loaded && s.st_name != 0))
            continue;
        if (ordinal++ != i) continue;
        cursor_ordinal_ = i;
        cursor_symbol_ = k;
        name = symbols.name(s);
        const SectionPlan& plan = sections_[s.st_shndx];
        address = targets[plan.region].address + plan.offset + s.st_value;
        size = s.st_size;
        return true;
    }
    return false;
}

} // namespace celos::loader
