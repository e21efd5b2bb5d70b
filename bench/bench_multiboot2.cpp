// multiboot2_parse: mb2::parse over a realistic ~2 KiB boot information, the
// shape GRUB writes for CelOS on a PC; baseline: memcpy of the same bytes.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

#include "boot/multiboot2.h"

using namespace celos;

namespace {

// Builds boot information in the layout of the Multiboot2 specification 2.0,
// 3.6: u32 total_size, u32 reserved, then tags {u32 type, u32 size, ...}
// (3.6.2; the u16 type + u16 flags form is the image header's, 3.1.3), each
// padded to 8 bytes, ending with a tag of type 0 and size 8.
class InfoBuilder {
  public:
    InfoBuilder() { bytes_.resize(8); }

    void cmdline(const std::string& s) { string_tag(1, s); }
    void bootloader_name(const std::string& s) { string_tag(2, s); }

    // 3.6.6: mod_start, mod_end (u32), string.
    void module(u32 start, u32 end, const std::string& s) {
        const usize t = begin(3);
        u32le(start);
        u32le(end);
        str(s);
        finish(t);
    }
    // 3.6.7: basic memory information.
    void basic_meminfo(u32 lower_kib, u32 upper_kib) {
        const usize t = begin(4);
        u32le(lower_kib);
        u32le(upper_kib);
        finish(t);
    }
    // 3.6.7: BIOS boot device.
    void bootdev(u32 biosdev, u32 partition, u32 sub_partition) {
        const usize t = begin(5);
        u32le(biosdev);
        u32le(partition);
        u32le(sub_partition);
        finish(t);
    }
    // 3.6.8: entry_size 24, entry_version 0, entries {u64 base, u64 length, u32 type, u32 reserved}.
    struct Region {
        u64 base, length;
        u32 type;
    };
    void memory_map(const std::vector<Region>& regions) {
        const usize t = begin(6);
        u32le(24);
        u32le(0);
        for (const Region& r : regions) {
            u64le(r.base);
            u64le(r.length);
            u32le(r.type);
            u32le(0);
        }
        finish(t);
    }
    // 3.6.12 with GRUB's struct multiboot_tag_framebuffer: the u8 type is
    // followed by a u16 reserved, then the RGB color info.
    void framebuffer_rgb(u64 address, u32 pitch, u32 width, u32 height, u8 bpp) {
        const usize t = begin(8);
        u64le(address);
        u32le(pitch);
        u32le(width);
        u32le(height);
        bytes_.push_back(bpp);
        bytes_.push_back(1); // RGB
        bytes_.push_back(0);
        bytes_.push_back(0);
        const u8 color[6] = {16, 8, 8, 8, 0, 8};
        bytes_.insert(bytes_.end(), color, color + 6);
        finish(t);
    }
    // 3.6.10: ELF sections: num, entsize, shndx, then the section headers.
    void elf_sections(u32 count) {
        const usize t = begin(9);
        u32le(count);
        u32le(64);
        u32le(count - 1);
        for (u32 i = 0; i < count * 64; ++i)
            bytes_.push_back(static_cast<u8>(i * 7));
        finish(t);
    }
    // 3.6.14: ACPI new RSDP, a copy of the 36-byte RSDP v2.
    void acpi_new_rsdp() {
        const usize t = begin(15);
        const char sig[] = "RSD PTR ";
        bytes_.insert(bytes_.end(), sig, sig + 8);
        for (int i = 8; i < 36; ++i)
            bytes_.push_back(static_cast<u8>(i));
        finish(t);
    }
    // 3.6.18: image load base physical address.
    void load_base(u32 address) {
        const usize t = begin(21);
        u32le(address);
        finish(t);
    }
    void end() {
        const usize t = begin(0);
        finish(t);
    }

    std::vector<u8> build() {
        const u32 total = static_cast<u32>(bytes_.size());
        for (int i = 0; i < 4; ++i)
            bytes_[i] = static_cast<u8>(total >> (8 * i));
        return bytes_;
    }

  private:
    void u32le(u32 v) {
        for (int i = 0; i < 4; ++i)
            bytes_.push_back(static_cast<u8>(v >> (8 * i)));
    }
    void u64le(u64 v) {
        for (int i = 0; i < 8; ++i)
            bytes_.push_back(static_cast<u8>(v >> (8 * i)));
    }
    void str(const std::string& s) {
        bytes_.insert(bytes_.end(), s.begin(), s.end());
        bytes_.push_back(0);
    }
    void string_tag(u32 type, const std::string& s) {
        const usize t = begin(type);
        str(s);
        finish(t);
    }
    usize begin(u32 type) {
        const usize t = bytes_.size();
        u32le(type);
        u32le(0); // size, patched by finish
        return t;
    }
    void finish(usize t) {
        const u32 size = static_cast<u32>(bytes_.size() - t);
        for (int i = 0; i < 4; ++i)
            bytes_[t + 4 + i] = static_cast<u8>(size >> (8 * i));
        while (bytes_.size() % 8 != 0)
            bytes_.push_back(0);
    }

    std::vector<u8> bytes_;
};

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
        std::vector<InfoBuilder::Region> regions;
        regions.push_back({0x0, 0x9fc00, 1});
        regions.push_back({0x9fc00, 0x400, 2});
        regions.push_back({0xf0000, 0x10000, 2});
        u64 base = 0x100000;
        for (int i = 0; regions.size() < 38; ++i) {
            const u64 len = 0x100000ull * (1 + i % 7) + 0x3000ull * (i % 5);
            const u32 types[] = {1, 1, 2, 3, 1, 4, 1};
            regions.push_back({base, len, types[i % 7]});
            base += len;
        }
        regions.push_back({0xfeffc000, 0x4000, 2});
        regions.push_back({0x100000000, 0x40000000, 1});
        b.memory_map(regions);
        b.framebuffer_rgb(0xfd000000, 4096, 1024, 768, 32);
        b.elf_sections(6);
        b.acpi_new_rsdp();
        b.load_base(0x200000);
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
