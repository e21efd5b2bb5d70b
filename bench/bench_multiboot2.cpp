// multiboot2_parse: mb2::parse over a realistic ~2 KiB boot information, the
// shape GRUB writes for CelOS on a PC; baseline: memcpy of the same bytes.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

#include "boot/multiboot2.h"
#include "mb2_builder.h"

using namespace celos;

namespace {

using test::InfoBuilder;
using test::MemoryEntry;

// 3.6.10: ELF sections: num, entsize, shndx, then the section headers.
std::vector<u8> elf_sections_payload(u32 count) {
    std::vector<u8> p;
    for (u32 v : {count, 64u, count - 1})
        for (int i = 0; i < 4; ++i) p.push_back(static_cast<u8>(v >> (8 * i)));
    for (u32 i = 0; i < count * 64; ++i) p.push_back(static_cast<u8>(i * 7));
    return p;
}

// 3.6.14: ACPI new RSDP, a copy of the 36-byte RSDP v2.
std::vector<u8> acpi_rsdp_payload() {
    std::vector<u8> p = {'R', 'S', 'D', ' ', 'P', 'T', 'R', ' '};
    for (int i = 8; i < 36; ++i) p.push_back(static_cast<u8>(i));
    return p;
}

const std::vector<u8>& realistic_info() {
    static const std::vector<u8> info = [] {
        InfoBuilder b;
        b.cmdline("/boot/celos.elf log=debug serial=com1 selftest fb=1024x768x32 quiet");
        b.bootloader_name("GRUB 2.06-13+deb12u1");
        // Modules: an initrd, the font, the drivers, as GRUB loads them.
        const char* names[] = {"/boot/modules/initrd.tar",  "/boot/modules/font.ttf",
                               "/boot/modules/freetype.ko", "/boot/modules/ps2.ko",
                               "/boot/modules/ahci.ko",     "/boot/modules/xhci.ko",
                               "/boot/modules/hpet.ko",     "/boot/modules/acpi.ko"};
        u32 at = 0x00800000;
        for (const char* name : names) {
            const u32 size = 0x13000 + static_cast<u32>(std::strlen(name)) * 0x1000;
            b.module(at, at + size, name);
            at += (size + 0xfff) & ~0xfffu;
        }
        b.basic_meminfo(639, 2095104);
        b.bootdev(0x80, 0, 0xffffffff);
        // A fragmented firmware memory map: 40 entries alternating usable and
        // firmware-owned, as OVMF reports them.
        std::vector<MemoryEntry> regions;
        regions.push_back({0x0, 0x9fc00, 1});
        regions.push_back({0x9fc00, 0x400, 2});
        regions.push_back({0xf0000, 0x10000, 2});
        u64 base = 0x100000;
        for (int i = 0; regions.size() < 38; ++i) {
            const u64 len = 0x100000ull * (1 + i % 7) + 0x3000ull * (i % 5);
            const u32 types[] = {1, 1, 2, 3, 1, 4, 1};
            regions.push_back({base, len, types[i % 7]});
            base += len + 0x1000; // a hole: regions of one type that touch would be merged
        }
        regions.push_back({0xfeffc000, 0x4000, 2});
        regions.push_back({0x100000000, 0x40000000, 1});
        b.memory_map(regions);
        b.framebuffer_rgb(0xfd000000, 4096, 1024, 768, 32, 16, 8, 8, 8, 0, 8);
        b.raw_tag(9, elf_sections_payload(6));
        b.raw_tag(15, acpi_rsdp_payload());
        b.raw_tag(21, {0x00, 0x00, 0x20, 0x00}); // 3.6.18: image load base physical address
        b.end();
        return b.build();
    }();
    return info;
}

void multiboot2_parse_parse(benchmark::State& state) {
    const std::vector<u8>& info = realistic_info();
    static mb2::BootInfo out; // large: not on the stack
    const ByteSpan span(info.data(), info.size());
    {
        const Result<void, mb2::ParseError> r = mb2::parse(span, out);
        if (!r.ok() || out.memory_count != 40 || out.module_count != 8 || !out.framebuffer.present) {
            state.SkipWithError(r.ok() ? "parse gave the wrong counts" : r.error().check);
            return;
        }
    }
    for (auto _ : state) {
        benchmark::DoNotOptimize(span.data());
        const Result<void, mb2::ParseError> r = mb2::parse(span, out);
        benchmark::DoNotOptimize(r.ok());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(info.size()));
    state.counters["info_bytes"] = static_cast<double>(info.size());
}

void multiboot2_parse_baseline(benchmark::State& state) {
    const std::vector<u8>& info = realistic_info();
    std::vector<u8> copy(info.size());
    for (auto _ : state) {
        benchmark::DoNotOptimize(info.data());
        std::memcpy(copy.data(), info.data(), info.size());
        benchmark::DoNotOptimize(copy.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(info.size()));
    state.counters["info_bytes"] = static_cast<double>(info.size());
}

} // namespace

BENCHMARK(multiboot2_parse_parse)->Name("multiboot2_parse/parse");
BENCHMARK(multiboot2_parse_baseline)->Name("multiboot2_parse/baseline");
