// loader_<module>: the module loader's own code (validation, layout and
// relocation: ModuleImage::parse + relocate) on each real .ko the build
// makes, in MB/s of module file and relocations/s; baseline: a memcpy of the
// same file, measured in the same run.
#include <benchmark/benchmark.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

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

void load_module(benchmark::State& state, const std::string& path) {
    const std::vector<u8> file = read_file(path);
    static loader::ModuleImage image;
    loader::Diagnostic diag;
    if (file.empty() || !loader::ModuleImage::parse(ByteSpan(file.data(), file.size()), path.c_str(), CELOS_ABI_VERSION_MAJOR, CELOS_ABI_VERSION_MINOR, image, diag).ok()) {
        state.SkipWithError(("cannot parse " + path + ": " + diag.message).c_str());
        return;
    }
    std::vector<u8> regions[loader::kRegionCount];
    loader::RegionTarget targets[loader::kRegionCount];
    Resolver resolver;
    usize relocations = 0;
    for (auto _ : state) {
        if (!loader::ModuleImage::parse(ByteSpan(file.data(), file.size()), path.c_str(), CELOS_ABI_VERSION_MAJOR, CELOS_ABI_VERSION_MINOR, image, diag).ok()) {
            state.SkipWithError(diag.message);
            return;
        }
        u64 base = 0xffffffffa0000000ull;
        for (usize r = 0; r < loader::kRegionCount; ++r) {
            regions[r].assign(image.region_size(static_cast<loader::Region>(r)), 0);
            targets[r] = {regions[r].data(), base};
            base += regions[r].size();
        }
        loader::RelocationStats stats;
        if (!image.relocate(targets, resolver, stats, diag).ok()) {
            state.SkipWithError(diag.message);
            return;
        }
        relocations += stats.applied;
        benchmark::DoNotOptimize(regions[0].data());
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * file.size()));
    state.counters["relocs_per_second"] = benchmark::Counter(static_cast<double>(relocations), benchmark::Counter::kIsRate);
}

void copy_module(benchmark::State& state, const std::string& path) {
    const std::vector<u8> file = read_file(path);
    std::vector<u8> copy(file.size());
    for (auto _ : state) {
        std::memcpy(copy.data(), file.data(), file.size());
        benchmark::DoNotOptimize(copy.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * file.size()));
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
        benchmark::RegisterBenchmark(("loader_" + name + "/baseline").c_str(), copy_module, path);
    }
    return 0;
}();

} // namespace
