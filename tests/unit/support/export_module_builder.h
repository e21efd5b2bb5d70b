// Writes a small, valid CelOS module (ELF64 relocatable object, System V
// gABI layout) with N exports, as CELOS_EXPORT and GNU as/ld lay them out:
// each .celos_exports entry {name, address} has an R_X86_64_64 relocation
// for its name (the .rodata.str section symbol plus the string's offset) and
// one for its address (the exported FUNC symbol in .text). For the loader's
// export-check tests and benchmark: no toolchain needed, any N.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace export_module {

struct Options {
    size_t exports = 1;
    // When >= 0: entry `duplicate_of_last` names the same symbol as the last
    // entry (two entries exporting one name).
    long duplicate_of_last = -1;
    // Entries' relocations in reverse order (a valid but unusual object).
    bool reversed_relocations = false;
    // Without the names' relocations (the name fields stay 0): one
    // relocation per entry, still in offset order.
    bool name_relocations = true;
    uint16_t abi_major = 1, abi_minor = 0;
};

namespace detail {

template <typename T> void put(std::vector<uint8_t>& b, size_t at, T v) {
    for (size_t i = 0; i < sizeof(T); ++i)
        b[at + i] = static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * i));
}

inline size_t append(std::vector<uint8_t>& file, const std::vector<uint8_t>& data, size_t align = 8) {
    file.resize((file.size() + align - 1) / align * align, 0);
    size_t at = file.size();
    file.insert(file.end(), data.begin(), data.end());
    return at;
}

inline uint32_t add_string(std::vector<uint8_t>& table, const std::string& s) {
    uint32_t at = static_cast<uint32_t>(table.size());
    table.insert(table.end(), s.begin(), s.end());
    table.push_back(0);
    return at;
}

} // namespace detail

// The name export i gets.
inline std::string export_name(size_t i) {
    return "exported_function_" + std::to_string(i);
}

inline std::vector<uint8_t> build(const Options& o) {
    using namespace detail;
    const size_t n = o.exports;
    enum { kNull, kText, kRodataStr, kDescriptor, kExports, kRelaExports, kSymtab, kStrtab, kShstrtab, kCount };

    std::vector<uint8_t> shstr{0};
    const uint32_t names[kCount] = {0,
                                    add_string(shstr, ".text"),
                                    add_string(shstr, ".rodata.str1.1"),
                                    add_string(shstr, ".celos_module"),
                                    add_string(shstr, ".celos_exports"),
                                    add_string(shstr, ".rela.celos_exports"),
                                    add_string(shstr, ".symtab"),
                                    add_string(shstr, ".strtab"),
                                    add_string(shstr, ".shstrtab")};

    // .text: one 16-byte function per export (ret, then padding).
    std::vector<uint8_t> text(16 * n, 0xcc);
    for (size_t i = 0; i < n; ++i)
        text[16 * i] = 0xc3;

    // The export names as strings in .rodata.str1.1, and as symbols.
    std::vector<uint8_t> rodata_str, strtab{0};
    std::vector<uint32_t> name_offsets(n), symbol_names(n);
    for (size_t i = 0; i < n; ++i) {
        name_offsets[i] = add_string(rodata_str, export_name(i));
        symbol_names[i] = add_string(strtab, export_name(i));
    }

    // struct celos_module_descriptor (216 bytes): magic, ABI, name, version,
    // depends; init/exit/params left 0 (the host tests do not call init).
    std::vector<uint8_t> descriptor(216, 0);
    put<uint32_t>(descriptor, 0, 0x444f4d43u);
    put<uint16_t>(descriptor, 4, o.abi_major);
    put<uint16_t>(descriptor, 6, o.abi_minor);
    std::memcpy(descriptor.data() + 8, "exports_synthetic", 17);
    std::memcpy(descriptor.data() + 40, "1.0", 3);

    // Symbols: null, the .rodata.str section symbol (local), then one global
    // FUNC per export.
    const uint32_t first_function = 2;
    std::vector<uint8_t> symtab(24 * (first_function + n), 0);
    put<uint8_t>(symtab, 24 + 4, 3);                     // STT_SECTION, STB_LOCAL
    put<uint16_t>(symtab, 24 + 6, kRodataStr);
    for (size_t i = 0; i < n; ++i) {
        size_t at = 24 * (first_function + i);
        put<uint32_t>(symtab, at, symbol_names[i]);
        put<uint8_t>(symtab, at + 4, (1 << 4) | 2); // STB_GLOBAL, STT_FUNC
        put<uint16_t>(symtab, at + 6, kText);
        put<uint64_t>(symtab, at + 8, 16 * i);
        put<uint64_t>(symtab, at + 16, 16);
    }

    // .celos_exports (zero: RELA) and its relocations, in offset order.
    const size_t per_entry = o.name_relocations ? 2 : 1;
    std::vector<uint8_t> exports(16 * n, 0), rela(24 * per_entry * n, 0);
    for (size_t i = 0; i < n; ++i) {
        size_t symbol = first_function + i;
        if (o.duplicate_of_last >= 0 && i == static_cast<size_t>(o.duplicate_of_last))
            symbol = first_function + n - 1;
        size_t at = 24 * per_entry * (o.reversed_relocations ? n - 1 - i : i);
        if (o.name_relocations) {
            put<uint64_t>(rela, at, 16 * i);
            put<uint64_t>(rela, at + 8, (uint64_t{1} << 32) | 1); // .rodata.str, R_X86_64_64
            put<int64_t>(rela, at + 16, name_offsets[i]);
            at += 24;
        }
        put<uint64_t>(rela, at, 16 * i + 8);
        put<uint64_t>(rela, at + 8, (uint64_t(symbol) << 32) | 1);
        put<int64_t>(rela, at + 16, 0);
    }

    std::vector<uint8_t> file(64, 0);
    struct Placed {
        uint64_t offset, size;
    } placed[kCount] = {};
    auto place = [&](int index, const std::vector<uint8_t>& data, size_t align) {
        placed[index] = {append(file, data, align), data.size()};
    };
    place(kText, text, 16);
    place(kRodataStr, rodata_str, 1);
    place(kDescriptor, descriptor, 8);
    place(kExports, exports, 8);
    place(kRelaExports, rela, 8);
    place(kSymtab, symtab, 8);
    place(kStrtab, strtab, 1);
    place(kShstrtab, shstr, 1);

    // Section headers: name, type, flags, addr, offset, size, link, info, align, entsize.
    struct Header {
        uint32_t type;
        uint64_t flags;
        uint32_t link, info;
        uint64_t align, entsize;
    } const headers[kCount] = {
        {0, 0, 0, 0, 0, 0},
        {1, 0x2 | 0x4, 0, 0, 16, 0},      // PROGBITS, ALLOC|EXECINSTR
        {1, 0x2 | 0x10 | 0x20, 0, 0, 1, 1}, // PROGBITS, ALLOC|MERGE|STRINGS
        {1, 0x2, 0, 0, 8, 0},
        {1, 0x2, 0, 0, 8, 0},
        {4, 0x40, kSymtab, kExports, 8, 24}, // RELA, INFO_LINK
        {2, 0, kStrtab, first_function, 8, 24},
        {3, 0, 0, 0, 1, 0},
        {3, 0, 0, 0, 1, 0},
    };
    file.resize((file.size() + 7) / 8 * 8, 0);
    const size_t shoff = file.size();
    file.resize(shoff + 64 * kCount, 0);
    for (int i = 1; i < kCount; ++i) {
        size_t at = shoff + 64 * size_t(i);
        put<uint32_t>(file, at, names[i]);
        put<uint32_t>(file, at + 4, headers[i].type);
        put<uint64_t>(file, at + 8, headers[i].flags);
        put<uint64_t>(file, at + 24, placed[i].offset);
        put<uint64_t>(file, at + 32, placed[i].size);
        put<uint32_t>(file, at + 40, headers[i].link);
        put<uint32_t>(file, at + 44, headers[i].info);
        put<uint64_t>(file, at + 48, headers[i].align);
        put<uint64_t>(file, at + 56, headers[i].entsize);
    }

    // ELF header: ELFCLASS64, little-endian, ET_REL, EM_X86_64.
    const uint8_t ident[16] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
    std::memcpy(file.data(), ident, sizeof ident);
    put<uint16_t>(file, 16, 1);
    put<uint16_t>(file, 18, 62);
    put<uint32_t>(file, 20, 1);
    put<uint64_t>(file, 40, shoff);
    put<uint16_t>(file, 52, 64);
    put<uint16_t>(file, 58, 64);
    put<uint16_t>(file, 60, kCount);
    put<uint16_t>(file, 62, kShstrtab);
    return file;
}

} // namespace export_module
