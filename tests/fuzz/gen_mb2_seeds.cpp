// Seeds for the fuzz_mb2 target: a few valid Multiboot2 boot informations
// laid out as GRUB writes them (tests/unit/support/mb2_builder.h).
//   gen_mb2_seeds OUT_DIR
#include <cstdio>
#include <string>
#include <vector>

#include "mb2_builder.h"

using celos::u32;
using celos::u64;
using celos::test::InfoBuilder;
using celos::test::MemoryEntry;

namespace {

const std::vector<MemoryEntry> kQemuE820 = {
    {0x0, 0x9fc00, 1},        {0x9fc00, 0x400, 2},     {0xf0000, 0x10000, 2},
    {0x100000, 0x7ee0000, 1}, {0x7fe0000, 0x20000, 2}, {0xfffc0000, 0x40000, 2},
};

bool write(const std::string& dir, const char* name, const std::vector<celos::u8>& bytes) {
    const std::string path = dir + "/" + name;
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return false;
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    return std::fclose(f) == 0 && ok;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: gen_mb2_seeds OUT_DIR\n");
        return 2;
    }
    const std::string dir = argv[1];
    bool ok = true;

    InfoBuilder grub; // GRUB 2.06 on QEMU, tags in GRUB's order
    grub.raw_tag(21, {0x00, 0x00, 0x20, 0x00});
    grub.cmdline("selftest log=debug");
    grub.bootloader_name("GRUB 2.06");
    grub.module(0x200000, 0x2a3f10, "heap");
    grub.module(0x2a4000, 0x2a5123, "Lat15-Terminus16.psf Lat15-Terminus16.psf");
    grub.module(0x2a6000, 0x2b0000, "psf font=Lat15-Terminus16.psf");
    grub.basic_meminfo(639, 130944);
    grub.bootdev(0x80, 0xffffffff, 0xffffffff);
    grub.memory_map(kQemuE820);
    grub.framebuffer_rgb(0xfd000000, 4096, 1024, 768, 32, 16, 8, 8, 8, 0, 8);
    grub.raw_tag(14, std::vector<celos::u8>(20, 0x52));
    grub.end();
    ok = write(dir, "grub_qemu", grub.build()) && ok;

    InfoBuilder cut; // a fragmented map: 131 available regions cut apart by bad ones
    std::vector<MemoryEntry> entries = {{0x0, 0x9fc00, 1}, {0x9fc00, 0x400, 2}};
    u64 at = 0x100000;
    for (u32 i = 0; i < 131; ++i) {
        entries.push_back({at, 0x3000 + i * 0x1000, 1});
        at += 0x3000 + i * 0x1000;
        if (i < 130) entries.push_back({at, 0x1000, 5});
        at += 0x1000;
    }
    cut.memory_map(entries);
    cut.end();
    ok = write(dir, "fragmented_263", cut.build()) && ok;

    InfoBuilder many; // 70 module2 lines
    for (u32 i = 0; i < 70; ++i)
        many.module(0x400000 + i * 0x1000, 0x400800 + i * 0x1000, "file" + std::to_string(i) + ".bin");
    many.memory_map({{0x0, 0x9fc00, 1}, {0x100000, 0x1000, 1}, {0x101000, 0x1000, 1}, {0x100800, 0x2000, 1}});
    many.end();
    ok = write(dir, "modules_70", many.build()) && ok;

    InfoBuilder text; // indexed and EGA text framebuffers, an entry_size of 32
    text.memory_map(kQemuE820, 32);
    text.framebuffer_indexed(0xa0000, 320, 320, 200, 8, 16, 16);
    text.end();
    ok = write(dir, "indexed_fb", text.build()) && ok;
    InfoBuilder ega;
    ega.framebuffer_ega_text(0xb8000, 80, 25);
    ega.end();
    ok = write(dir, "ega_text", ega.build()) && ok;

    if (!ok) std::fprintf(stderr, "gen_mb2_seeds: cannot write to %s\n", dir.c_str());
    return ok ? 0 : 1;
}
