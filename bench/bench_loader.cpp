// The module loader's own code (ModuleImage::parse + relocate: every check,
// the layout, the section copies and the relocations) on real .ko files.
//
// loader_<module>/parse_relocate: applied relocations per second, and the
//   time per applied relocation (reloc_ns) of the whole parse + relocate.
// loader_<module>/baseline: a minimal relocator applying the same
//   relocations from a pre-decoded array (type, place, symbol, addend, and
//   every symbol's value resolved beforehand) into the same buffers, with
//   the same range checks; measured in the same run.
// loader_exports/parse_<N>: parse() of a module with N exports (the
//   duplicate-export check and the lookups of each export's relocation and
//   name), exports per second and time per export (export_ns): the same
//   for every N when the checks are linear. Baseline: a hash set of the
//   same names (std::unordered_set), the least a duplicate check does.
#include <benchmark/benchmark.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "export_module_builder.h"
#include "module/elf.h"
#include "module/module_image.h"
#include <celos/version.h>

using namespace celos;

namespace {

std::vector<u8> read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::vector<u8>(std::istreambuf_iterator<char>(f), {});
}

class Resolver final : public loader::SymbolResolver {
public:
    bool resolve(const char* name, u64& address) override {
        address = 0xffffffff80100000ull + (std::strlen(name) % 64) * 0x40;
        return true;
    }
};

// Google Benchmark divides a rate counter by the CPU time in seconds and
// kInvert turns it over: count * 1e-9 gives nanoseconds per item.
benchmark::Counter ns_per(double count) {
    return benchmark::Counter(count * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// A module parsed once, with region buffers that every iteration reuses
// (the kernel relocates into fresh pages; zeroing them is not the loader's
// work, and relocate() writes every byte of every loaded section).
struct Loaded {
    std::vector<u8> file;
    std::unique_ptr<loader::ModuleImage> image = std::make_unique<loader::ModuleImage>();
    std::vector<u8> regions[loader::kRegionCount];
    loader::RegionTarget targets[loader::kRegionCount];
    loader::Diagnostic diag;
    usize applied = 0;

    bool parse(const std::string& path) {
        return loader::ModuleImage::parse(ByteSpan(file.data(), file.size()), path.c_str(),
                                          CELOS_ABI_VERSION_MAJOR, CELOS_ABI_VERSION_MINOR, *image, diag)
            .ok();
    }

    bool load(const std::string& path) {
        file = read_file(path);
        if (file.empty() || !parse(path)) return false;
        u64 base = 0xffffffffa0000000ull;
        for (usize r = 0; r < loader::kRegionCount; ++r) {
            regions[r].assign(image->region_size(static_cast<loader::Region>(r)), 0);
            targets[r] = {regions[r].data(), base};
            base += regions[r].size();
        }
        Resolver resolver;
        loader::RelocationStats stats;
        if (!image->relocate(targets, resolver, stats, diag).ok()) return false;
        applied = stats.applied;
        return true;
    }
};

void load_module(benchmark::State& state, const std::string& path) {
    Loaded m;
    if (!m.load(path)) {
        state.SkipWithError(("cannot load " + path + ": " + m.diag.message).c_str());
        return;
    }
    Resolver resolver;
    for (auto _ : state) {
        if (!m.parse(path)) {
            state.SkipWithError(m.diag.message);
            return;
        }
        loader::RelocationStats stats;
        if (!m.image->relocate(m.targets, resolver, stats, m.diag).ok()) {
            state.SkipWithError(m.diag.message);
            return;
        }
        benchmark::DoNotOptimize(m.regions[0].data());
        benchmark::ClobberMemory();
    }
    const double relocations = static_cast<double>(state.iterations()) * static_cast<double>(m.applied);
    state.SetItemsProcessed(static_cast<int64_t>(relocations));
    state.counters["reloc_ns"] = ns_per(relocations);
}

// One relocation, decoded from the file beforehand.
struct Decoded {
    u32 region;
    u32 offset; // in its region
    u32 type;
    u32 symbol;
    i64 addend;
};

template <typename T> T field(const std::vector<u8>& f, usize at) {
    T v;
    std::memcpy(&v, f.data() + at, sizeof v);
    return v;
}

// The relocations of loaded sections and every symbol's value, read with
// the bench's own trusting reader (the file is the build's).
bool predecode(const Loaded& m, std::vector<Decoded>& out, std::vector<u64>& values) {
    using namespace elf;
    const std::vector<u8>& f = m.file;
    const u64 shoff = field<u64>(f, 40);
    const u16 shnum = field<u16>(f, 60);
    auto section = [&](usize i) { return field<SectionHeader>(f, shoff + i * sizeof(SectionHeader)); };
    auto place = [&](usize section_index, loader::Region& region, u64& offset) {
        return m.image->section_placement(section_index, region, offset);
    };
    Resolver resolver;
    for (usize i = 1; i < shnum; ++i) {
        SectionHeader s = section(i);
        if (s.sh_type != kShtSymtab) continue;
        const u64 strings = section(s.sh_link).sh_offset;
        for (usize k = 0; k < s.sh_size / sizeof(Symbol); ++k) {
            Symbol sym = field<Symbol>(f, s.sh_offset + k * sizeof(Symbol));
            u64 value = 0;
            loader::Region region;
            u64 offset = 0;
            if (sym.st_shndx == kShnUndef && k != 0) {
                resolver.resolve(reinterpret_cast<const char*>(f.data() + strings + sym.st_name), value);
            } else if (sym.st_shndx == kShnAbs) {
                value = sym.st_value;
            } else if (place(sym.st_shndx, region, offset)) {
                value = m.targets[static_cast<usize>(region)].address + offset + sym.st_value;
            }
            values.push_back(value);
        }
    }
    for (usize i = 1; i < shnum; ++i) {
        SectionHeader r = section(i);
        loader::Region region;
        u64 offset = 0;
        if (r.sh_type != kShtRela || !place(r.sh_info, region, offset)) continue;
        for (usize k = 0; k < r.sh_size / sizeof(Rela); ++k) {
            Rela e = field<Rela>(f, r.sh_offset + k * sizeof(Rela));
            out.push_back({static_cast<u32>(region), static_cast<u32>(offset + e.r_offset),
                           rela_type(e.r_info), rela_symbol(e.r_info), e.r_addend});
        }
    }
    return out.size() == m.applied;
}

bool fits_i32(u64 v) {
    return static_cast<i64>(v) == static_cast<i64>(static_cast<int32_t>(v));
}

void minimal_relocator(benchmark::State& state, const std::string& path) {
    Loaded m;
    std::vector<Decoded> relocations;
    std::vector<u64> values;
    if (!m.load(path) || !predecode(m, relocations, values)) {
        state.SkipWithError(("cannot pre-decode " + path + ": " + m.diag.message).c_str());
        return;
    }
    for (auto _ : state) {
        for (const Decoded& d : relocations) {
            const loader::RegionTarget& t = m.targets[d.region];
            const u64 P = t.address + d.offset;
            u64 value = values[d.symbol] + static_cast<u64>(d.addend);
            u8* at = t.buffer + d.offset;
            bool fits = true;
            switch (d.type) {
            case elf::R_X86_64_64: std::memcpy(at, &value, 8); break;
            case elf::R_X86_64_PC64:
                value -= P;
                std::memcpy(at, &value, 8);
                break;
            case elf::R_X86_64_PC32:
            case elf::R_X86_64_PLT32:
                value -= P;
                fits = fits_i32(value);
                std::memcpy(at, &value, 4);
                break;
            case elf::R_X86_64_32:
                fits = value <= 0xffffffffull;
                std::memcpy(at, &value, 4);
                break;
            case elf::R_X86_64_32S:
                fits = fits_i32(value);
                std::memcpy(at, &value, 4);
                break;
            default: fits = false;
            }
            if (!fits) {
                state.SkipWithError("a relocation does not fit");
                return;
            }
        }
        benchmark::DoNotOptimize(m.regions[0].data());
        benchmark::ClobberMemory();
    }
    const double count = static_cast<double>(state.iterations()) * static_cast<double>(relocations.size());
    state.SetItemsProcessed(static_cast<int64_t>(count));
    state.counters["reloc_ns"] = ns_per(count);
}

void parse_exports(benchmark::State& state, usize exports) {
    const std::vector<u8> file = export_module::build({.exports = exports});
    auto image = std::make_unique<loader::ModuleImage>();
    loader::Diagnostic diag;
    for (auto _ : state) {
        if (!loader::ModuleImage::parse(ByteSpan(file.data(), file.size()), "exports.ko", CELOS_ABI_VERSION_MAJOR,
                                        CELOS_ABI_VERSION_MINOR, *image, diag)
                 .ok()) {
            state.SkipWithError(diag.message);
            return;
        }
        if (image->export_count() != exports) {
            state.SkipWithError("wrong export count");
            return;
        }
        benchmark::DoNotOptimize(image.get());
    }
    const double count = static_cast<double>(state.iterations()) * static_cast<double>(exports);
    state.SetItemsProcessed(static_cast<int64_t>(count));
    state.counters["export_ns"] = ns_per(count);
}

void exports_hash_set(benchmark::State& state, usize exports) {
    std::vector<std::string> names;
    for (usize i = 0; i < exports; ++i)
        names.push_back(export_module::export_name(i));
    for (auto _ : state) {
        std::unordered_set<std::string_view> seen;
        seen.reserve(exports);
        for (const std::string& name : names)
            if (!seen.insert(name).second) state.SkipWithError("duplicate");
        benchmark::DoNotOptimize(seen.size());
    }
    const double count = static_cast<double>(state.iterations()) * static_cast<double>(exports);
    state.SetItemsProcessed(static_cast<int64_t>(count));
    state.counters["export_ns"] = ns_per(count);
}

// CELOS_BENCH_MODULES: the .ko paths, separated by ';' (from CMake).
const int registered = [] {
    std::string list = CELOS_BENCH_MODULES;
    size_t at = 0;
    while (at <= list.size()) {
        size_t end = list.find(';', at);
        if (end == std::string::npos) end = list.size();
        std::string path = list.substr(at, end - at);
        at = end + 1;
        if (path.empty()) continue;
        std::string name = path.substr(path.find_last_of('/') + 1);
        name = name.substr(0, name.find('.'));
        benchmark::RegisterBenchmark(("loader_" + name + "/parse_relocate").c_str(), load_module, path);
        benchmark::RegisterBenchmark(("loader_" + name + "/baseline").c_str(), minimal_relocator, path);
    }
    for (usize n : {128, 256, 768})
        benchmark::RegisterBenchmark(("loader_exports/parse_" + std::to_string(n)).c_str(), parse_exports, n);
    benchmark::RegisterBenchmark("loader_exports/baseline", exports_hash_set, usize{768});
    return 0;
}();

} // namespace
