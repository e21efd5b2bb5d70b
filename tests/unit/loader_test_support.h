// Helpers for the module loader's host tests: files, a resolver over a
// table, a module laid out and relocated into host buffers at chosen
// addresses, and a small trusting ELF reader for the test's own side (the
// files it reads are the build's or ld's output, not hostile input).
#pragma once

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include "module/elf.h"
#include "module/module_image.h"
#include <celos/version.h>

namespace loader_test {

using namespace celos;
using namespace celos::loader;

// Where the tests put modules: the module area, regions back to back.
inline constexpr u64 kTextBase = 0xffffffffa0000000ull;
// Fake addresses for undefined symbols: inside the core's image (-2 GiB).
inline constexpr u64 kFakeSymbolBase = 0xffffffff80100000ull;
inline constexpr u64 kFakeSymbolStride = 0x40;

inline std::vector<u8> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<u8>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_file(const std::string& path, const std::vector<u8>& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// A fresh directory per test and process (ctest runs test cases in
// parallel), removed when the test ends, passed or not.
struct ScratchDir {
    std::string path;
    explicit ScratchDir(const std::string& tag) {
        auto dir = std::filesystem::temp_directory_path() /
                   ("celos_loader_" + tag + "_" + std::to_string(static_cast<long>(getpid())));
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
        path = dir.string();
    }
    ~ScratchDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
};

// Splits "a,b,c" (the CMake lists passed as compile definitions).
inline std::vector<std::string> split_list(const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size()) {
        size_t end = s.find(',', start);
        if (end == std::string::npos) end = s.size();
        if (end > start) out.push_back(s.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

template <typename T>
T le(const std::vector<u8>& b, size_t at) {
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i)
        v |= static_cast<T>(static_cast<T>(b.at(at + i)) << (8 * i));
    return v;
}

template <typename T>
void put_le(std::vector<u8>& b, size_t at, T v) {
    for (size_t i = 0; i < sizeof(T); ++i)
        b.at(at + i) = static_cast<u8>(static_cast<u64>(v) >> (8 * i));
}

// The test's own reading of an ELF64 file (section headers, symbols, RELA).
struct TestElf {
    struct Section {
        std::string name;
        u32 type;
        u64 flags, addr, offset, size;
        u32 link, info;
    };
    struct Symbol {
        std::string name;
        u8 info;
        u16 shndx;
        u64 value;
    };
    std::vector<Section> sections;
    std::vector<Symbol> symbols;
    std::map<u32, size_t> alloc_relocation_types; // type -> count, relocations of ALLOC sections

    explicit TestElf(const std::vector<u8>& b) {
        u64 shoff = le<u64>(b, 40);
        u16 shnum = le<u16>(b, 60), shstrndx = le<u16>(b, 62);
        for (u16 i = 0; i < shnum; ++i) {
            size_t h = shoff + size_t(i) * 64;
            sections.push_back({std::to_string(le<u32>(b, h)), le<u32>(b, h + 4), le<u64>(b, h + 8),
                                le<u64>(b, h + 16), le<u64>(b, h + 24), le<u64>(b, h + 32),
                                le<u32>(b, h + 40), le<u32>(b, h + 44)});
        }
        auto cstr = [&](u64 at) { return std::string(reinterpret_cast<const char*>(b.data() + at)); };
        for (auto& s : sections)
            s.name = cstr(sections[shstrndx].offset + std::stoul(s.name));
        for (auto& s : sections) {
            if (s.type == elf::kShtSymtab) {
                const Section& str = sections[s.link];
                for (u64 k = 0; k < s.size / 24; ++k) {
                    size_t e = s.offset + k * 24;
                    symbols.push_back(
                        {cstr(str.offset + le<u32>(b, e)), b[e + 4], le<u16>(b, e + 6), le<u64>(b, e + 8)});
                }
            }
            if (s.type == elf::kShtRela && (sections[s.info].flags & elf::kShfAlloc))
                for (u64 k = 0; k < s.size / 24; ++k)
                    ++alloc_relocation_types[elf::rela_type(le<u64>(b, s.offset + k * 24 + 8))];
        }
    }

    const Section* find(const std::string& name) const {
        for (auto& s : sections)
            if (s.name == name) return &s;
        return nullptr;
    }

    std::vector<std::string> undefined_symbols() const {
        std::vector<std::string> out;
        for (size_t i = 1; i < symbols.size(); ++i)
            if (symbols[i].shndx == elf::kShnUndef && !symbols[i].name.empty())
                out.push_back(symbols[i].name);
        return out;
    }
};

// Resolves names from a table; records what it was asked.
class MapResolver : public SymbolResolver {
  public:
    std::map<std::string, u64> table;
    bool resolve(const char* name, u64& address) override {
        auto it = table.find(name);
        if (it == table.end()) return false;
        address = it->second;
        return true;
    }
};

// Every undefined symbol of the file at kFakeSymbolBase + k * stride.
inline MapResolver fake_resolver(const TestElf& elf) {
    MapResolver r;
    u64 k = 0;
    for (const auto& name : elf.undefined_symbols())
        if (!r.table.count(name)) r.table[name] = kFakeSymbolBase + kFakeSymbolStride * k++;
    return r;
}

// A module parsed and laid out in host buffers, regions back to back from
// kTextBase (as the kernel does).
struct LoadedModule {
    std::vector<u8> file;
    std::string file_name;
    std::unique_ptr<ModuleImage> image = std::make_unique<ModuleImage>();
    std::vector<u8> buffers[kRegionCount];
    RegionTarget targets[kRegionCount];
    Diagnostic diag;
    RelocationStats stats;

    bool parse(u16 abi_major = CELOS_ABI_VERSION_MAJOR, u16 abi_minor = CELOS_ABI_VERSION_MINOR) {
        if (!ModuleImage::parse(ByteSpan(file.data(), file.size()), file_name.c_str(), abi_major, abi_minor,
                                *image, diag)
                 .ok())
            return false;
        u64 at = kTextBase;
        for (usize r = 0; r < kRegionCount; ++r) {
            buffers[r].assign(image->region_size(static_cast<Region>(r)), 0);
            targets[r] = {buffers[r].data(), at};
            at += buffers[r].size();
        }
        return true;
    }

    bool relocate(SymbolResolver& resolver) { return image->relocate(targets, resolver, stats, diag).ok(); }

    u64 section_address(usize i) const {
        Region r;
        u64 off;
        if (!image->section_placement(i, r, off)) return 0;
        return targets[static_cast<usize>(r)].address + off;
    }
};

inline std::unique_ptr<LoadedModule> load_module(const std::string& path) {
    auto m = std::make_unique<LoadedModule>();
    m->file = read_file(path);
    m->file_name = std::filesystem::path(path).filename().string();
    return m;
}

} // namespace loader_test
