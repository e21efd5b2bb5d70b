// libFuzzer target: the module loader's validation and relocation over
// arbitrary bytes. Whatever the input, parse() and relocate() must either
// refuse it with a message or produce regions without touching memory
// outside them (ASan and UBSan watch).
#include <cstdint>
#include <cstring>
#include <vector>

#include "module/module_image.h"
#include <celos/version.h>

namespace {

// Resolves every name to an address near the core, except names starting
// with 'x', so unresolved-symbol paths run too.
class FuzzResolver final : public celos::loader::SymbolResolver {
public:
    bool resolve(const char* name, celos::u64& address) override {
        if (name[0] == 'x') return false;
        address = 0xffffffff80100000ull + (std::strlen(name) & 0xff) * 0x40;
        return true;
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace celos::loader;
    static ModuleImage image; // large: keep it off the stack
    Diagnostic diag;
    if (!ModuleImage::parse(celos::ByteSpan(data, size), "fuzz.ko", CELOS_ABI_VERSION_MAJOR, CELOS_ABI_VERSION_MINOR, image, diag).ok()) return 0;
    // Keep allocations bounded: the parser caps sizes, but check anyway.
    std::vector<uint8_t> regions[kRegionCount];
    RegionTarget targets[kRegionCount];
    celos::u64 base = 0xffffffffa0000000ull;
    for (size_t r = 0; r < kRegionCount; ++r) {
        celos::u64 n = image.region_size(static_cast<Region>(r));
        if (n > (64u << 20)) return 0;
        regions[r].assign(n, 0);
        targets[r] = {regions[r].data(), base};
        base += n;
    }
    FuzzResolver resolver;
    RelocationStats stats;
    if (!image.relocate(targets, resolver, stats, diag).ok()) return 0;
    for (size_t i = 0; i < image.export_count(); ++i) {
        const char* name = nullptr;
        celos::u64 address = 0;
        if (image.export_at(i, targets, name, address)) (void)std::strlen(name);
    }
    for (size_t i = 0; i < image.symbol_count(); ++i) {
        const char* name = nullptr;
        celos::u64 address = 0, sym_size = 0;
        if (image.symbol_at(i, targets, name, address, sym_size)) (void)std::strlen(name);
    }
    (void)image.descriptor_address(targets);
    return 0;
}
