// libFuzzer target: the Multiboot2 boot information parser (core/boot) over
// arbitrary bytes. Whatever the input, parse() either fails naming a check or
// fills a BootInfo whose counts are within their limits, whose strings lie
// inside the input, NUL included, and whose memory map is merged (no two
// kept regions of one type touch) and accounted for.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "boot/multiboot2.h"

namespace {

using namespace celos;
using namespace celos::mb2;

void require(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "fuzz_mb2: invariant broken: %s\n", what);
    std::abort();
}

// A string is inside the first `size` bytes of `data`, its NUL included.
bool inside(const uint8_t* data, size_t size, const char* s) {
    const auto* p = reinterpret_cast<const uint8_t*>(s);
    if (p < data || p >= data + size) return false;
    return std::memchr(p, 0, static_cast<size_t>(data + size - p)) != nullptr;
}

bool touch(const MemoryRegion& a, const MemoryRegion& b) {
    return a.type == b.type && a.base.value() <= b.base.value() + b.length &&
           b.base.value() <= a.base.value() + a.length;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static BootInfo info; // large: keep it off the stack
    auto result = parse(ByteSpan(data, size), info);
    if (!result.ok()) {
        require(result.error().check != nullptr && result.error().check[0] != 0, "an error names its check");
        return 0;
    }
    require(info.total_size >= 16 && info.total_size <= size, "total_size within the input");
    const size_t total = info.total_size;
    require(info.cmdline != nullptr && (info.cmdline[0] == 0 || inside(data, total, info.cmdline)),
            "cmdline");
    require(info.bootloader_name != nullptr &&
                (info.bootloader_name[0] == 0 || inside(data, total, info.bootloader_name)),
            "bootloader name");

    require(info.module_count <= kMaxModules, "module count");
    for (usize i = 0; i < info.module_count; ++i) {
        require(inside(data, total, info.modules[i].cmdline), "module string inside the info");
        require(info.modules[i].start <= info.modules[i].end, "module start <= end");
    }
    require(info.refused_module_count == 0 || info.module_count == kMaxModules,
            "refused only past the limit");
    for (usize i = 0; i < info.refused_module_count && i < kMaxRefusedModules; ++i)
        require(inside(data, total, info.refused_modules[i]), "refused module string inside the info");

    require(info.memory_count <= kMaxMemoryRegions, "memory region count");
    const MemoryMapStats& ms = info.memory_stats;
    require(ms.entries >= info.memory_count + ms.merged + ms.dropped,
            "every entry kept, merged, dropped or empty");
    require(ms.dropped_available <= ms.dropped, "dropped available <= dropped");
    for (usize i = 0; i < info.memory_count; ++i) {
        const MemoryRegion& r = info.memory[i];
        require(r.length != 0, "no empty region kept");
        require(r.length <= ~u64{0} - r.base.value(), "region end fits in u64");
        for (usize j = i + 1; j < info.memory_count; ++j)
            require(!touch(r, info.memory[j]), "regions merged");
    }
    if (info.framebuffer.present) {
        const Framebuffer& fb = info.framebuffer;
        require(fb.width != 0 && fb.height != 0 && fb.bpp != 0, "framebuffer geometry");
        require(u64{fb.pitch} * fb.height <= ~u64{0} - fb.address.value(), "framebuffer end fits in u64");
    }
    return 0;
}
