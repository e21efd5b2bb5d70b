// Host tests of the Multiboot2 boot information parser (core/boot/multiboot2).
// Section numbers are those of the Multiboot2 specification 2.0; the builder
// (support/mb2_builder.h) lays out tags the way GRUB 2 writes them.
#include <catch2/catch.hpp>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "boot/multiboot2.h"
#include "mb2_builder.h"

using namespace celos;
using namespace celos::mb2;

namespace {

using test::InfoBuilder;
using test::MemoryEntry;

// A parse over a heap buffer of exactly `length` bytes, so that ASan or
// valgrind sees any read past what the parser was given.
struct Parsed {
    std::unique_ptr<u8[]> buffer;
    usize length = 0;
    std::unique_ptr<BootInfo> info = std::make_unique<BootInfo>();
    bool ok = false;
    ParseError error{};

    const char* check() const { return error.check ? error.check : "(null)"; }
};

Parsed parse_bytes(const std::vector<u8>& bytes, usize length) {
    Parsed p;
    p.length = length;
    p.buffer.reset(new u8[length]);
    if (length) std::memcpy(p.buffer.get(), bytes.data(), length);
    auto result = parse(ByteSpan(p.buffer.get(), length), *p.info);
    p.ok = result.ok();
    if (!p.ok) p.error = result.error();
    return p;
}

Parsed parse_bytes(const std::vector<u8>& bytes) { return parse_bytes(bytes, bytes.size()); }

void set_total_size(std::vector<u8>& bytes, u32 total) {
    for (usize i = 0; i < 4; ++i) bytes.at(i) = static_cast<u8>(total >> (8 * i));
}

// Parses `bytes`, which must fail with `check` at `offset` for `tag_type`.
void expect_error(const std::vector<u8>& bytes, const std::string& check, u32 offset, u32 tag_type) {
    const Parsed p = parse_bytes(bytes);
    REQUIRE_FALSE(p.ok);
    CHECK(std::string(p.check()) == check);
    CHECK(p.error.offset == offset);
    CHECK(p.error.tag_type == tag_type);
}

// A realistic GRUB 2.06 info for QEMU: tags in GRUB's order, unknown ones included.
const std::vector<MemoryEntry> kQemuE820 = {
    {0x0, 0x9fc00, 1},         {0x9fc00, 0x400, 2},        {0xf0000, 0x10000, 2},
    {0x100000, 0x7ee0000, 1},  {0x7fe0000, 0x20000, 2},    {0xfffc0000, 0x40000, 2},
};

InfoBuilder good_builder() {
    InfoBuilder b;
    b.raw_tag(21, {0x00, 0x00, 0x20, 0x00}); // 3.6.16 image load base physical address
    b.cmdline("console=serial log=debug");
    b.bootloader_name("GRUB 2.06");
    b.module(0x200000, 0x2a3f10, "initrd.tar");
    b.module(0x2a4000, 0x2a5123, "font.psf size=16");
    b.basic_meminfo(639, 130944);
    b.bootdev(0x80, 0xffffffff, 0xffffffff);
    b.memory_map(kQemuE820);
    b.framebuffer_rgb(0xfd000000, 4096, 1024, 768, 32, 16, 8, 8, 8, 0, 8);
    b.raw_tag(14, std::vector<u8>(20, 0x52)); // 3.6.17 ACPI old RSDP copy
    b.end();
    return b;
}

std::vector<u8> good_info() { return good_builder().build(); }

bool points_into(const Parsed& p, const char* s) {
    const auto* begin = reinterpret_cast<const char*>(p.buffer.get());
    if (s < begin || s >= begin + p.info->total_size) return false;
    // The string, its NUL included, must lie inside the info.
    for (const char* c = s; c < begin + p.info->total_size; ++c)
        if (*c == 0) return true;
    return false;
}

} // namespace

TEST_CASE("multiboot2: a realistic GRUB info parses with every field right") {
    const std::vector<u8> bytes = good_info();
    const Parsed p = parse_bytes(bytes);
    REQUIRE(p.ok);
    const BootInfo& info = *p.info;

    CHECK(info.total_size == bytes.size());
    CHECK(std::string(info.cmdline) == "console=serial log=debug");
    CHECK(std::string(info.bootloader_name) == "GRUB 2.06");
    CHECK(points_into(p, info.cmdline));
    CHECK(points_into(p, info.bootloader_name));

    REQUIRE(info.module_count == 2);
    CHECK(info.modules[0].start == PhysAddr(0x200000));
    CHECK(info.modules[0].end == PhysAddr(0x2a3f10));
    CHECK(std::string(info.modules[0].cmdline) == "initrd.tar");
    CHECK(info.modules[1].start == PhysAddr(0x2a4000));
    CHECK(info.modules[1].end == PhysAddr(0x2a5123));
    CHECK(std::string(info.modules[1].cmdline) == "font.psf size=16");
    CHECK(points_into(p, info.modules[1].cmdline));

    REQUIRE(info.memory_count == kQemuE820.size());
    for (usize i = 0; i < kQemuE820.size(); ++i) {
        INFO("region " << i);
        CHECK(info.memory[i].base == PhysAddr(kQemuE820[i].base));
        CHECK(info.memory[i].length == kQemuE820[i].length);
        CHECK(info.memory[i].type == kQemuE820[i].type);
    }
    CHECK(std::string(memory_type_name(info.memory[3].type)) == "available");
    CHECK(std::string(memory_type_name(info.memory[5].type)) == "reserved");

    const Framebuffer& fb = info.framebuffer;
    REQUIRE(fb.present);
    CHECK(fb.address == PhysAddr(0xfd000000));
    CHECK(fb.pitch == 4096);
    CHECK(fb.width == 1024);
    CHECK(fb.height == 768);
    CHECK(fb.bpp == 32);
    CHECK(fb.type == FramebufferType::rgb);
    CHECK(fb.red_position == 16);
    CHECK(fb.red_size == 8);
    CHECK(fb.green_position == 8);
    CHECK(fb.green_size == 8);
    CHECK(fb.blue_position == 0);
    CHECK(fb.blue_size == 8);
}

TEST_CASE("multiboot2: the RGB framebuffer tag has GRUB's size and layout") {
    // GRUB: size = sizeof(struct multiboot_tag_framebuffer_common) + 6 = 38,
    // color_info at byte 32 after a u16 reserved.
    InfoBuilder b;
    const usize t = b.framebuffer_rgb(0xfd000000, 4096, 1024, 768, 32, 16, 8, 8, 8, 0, 8);
    b.end();
    const std::vector<u8> bytes = b.build();
    CHECK(load_le<u32>(bytes.data() + t + 4) == 38);
    CHECK(bytes[t + 32] == 16);
    CHECK(bytes[t + 37] == 8);
    CHECK(bytes.size() == 8 + 40 + 8);
    CHECK(parse_bytes(bytes).ok);
}

TEST_CASE("multiboot2: absent optional tags give empty strings and no framebuffer") {
    InfoBuilder b;
    b.end();
    const std::vector<u8> bytes = b.build();
    REQUIRE(bytes.size() == 16);
    const Parsed p = parse_bytes(bytes);
    REQUIRE(p.ok);
    CHECK(p.info->total_size == 16);
    REQUIRE(p.info->cmdline != nullptr);
    REQUIRE(p.info->bootloader_name != nullptr);
    CHECK(std::string(p.info->cmdline).empty());
    CHECK(std::string(p.info->bootloader_name).empty());
    CHECK(p.info->memory_count == 0);
    CHECK(p.info->module_count == 0);
    CHECK_FALSE(p.info->framebuffer.present);
}

TEST_CASE("multiboot2: parse resets a BootInfo that held an earlier result") {
    const std::vector<u8> good = good_info();
    InfoBuilder b;
    b.end();
    const std::vector<u8> empty = b.build();

    auto info = std::make_unique<BootInfo>();
    REQUIRE(parse(ByteSpan(good.data(), good.size()), *info).ok());
    REQUIRE(parse(ByteSpan(empty.data(), empty.size()), *info).ok());
    CHECK(std::string(info->cmdline).empty());
    CHECK(info->memory_count == 0);
    CHECK(info->module_count == 0);
    CHECK_FALSE(info->framebuffer.present);
}

TEST_CASE("multiboot2: unknown tags are skipped by their size") {
    InfoBuilder b;
    b.raw_tag(0x1234, {1, 2, 3});           // odd size: padded to 8
    b.raw_tag(0xffffffff, {});              // header only
    b.raw_tag(7, std::vector<u8>(512, 0));  // 3.6.11 VBE info, not parsed
    b.raw_tag(9, std::vector<u8>(13, 0xee)); // 3.6.7 ELF symbols, not parsed
    b.cmdline("after unknown tags");
    b.end();
    const Parsed p = parse_bytes(b.build());
    REQUIRE(p.ok);
    CHECK(std::string(p.info->cmdline) == "after unknown tags");
}

TEST_CASE("multiboot2: bytes after the end tag are ignored") {
    InfoBuilder b;
    b.cmdline("x");
    b.end();
    b.raw_tag(1, {'y', 0}); // a second cmdline after the end: never looked at
    const Parsed p = parse_bytes(b.build());
    REQUIRE(p.ok);
    CHECK(std::string(p.info->cmdline) == "x");
}

TEST_CASE("multiboot2: a span longer than total_size is read only up to total_size") {
    std::vector<u8> bytes = good_info();
    const usize total = bytes.size();
    bytes.resize(total + 64, 0xcc);
    const Parsed p = parse_bytes(bytes);
    REQUIRE(p.ok);
    CHECK(p.info->total_size == total);
}

TEST_CASE("multiboot2: other valid tag forms") {
    SECTION("an empty cmdline") {
        InfoBuilder b;
        b.cmdline("");
        b.end();
        const Parsed p = parse_bytes(b.build());
        REQUIRE(p.ok);
        CHECK(std::string(p.info->cmdline).empty());
    }
    SECTION("a module with mod_end == mod_start and an empty string") {
        InfoBuilder b;
        b.module(0x300000, 0x300000, "");
        b.end();
        const Parsed p = parse_bytes(b.build());
        REQUIRE(p.ok);
        REQUIRE(p.info->module_count == 1);
        CHECK(std::string(p.info->modules[0].cmdline).empty());
    }
    SECTION("exactly kMaxModules modules") {
        InfoBuilder b;
        for (usize i = 0; i < kMaxModules; ++i) b.module(0x1000 * i, 0x1000 * i + 0x800, "m");
        b.end();
        const Parsed p = parse_bytes(b.build());
        REQUIRE(p.ok);
        CHECK(p.info->module_count == kMaxModules);
        CHECK(p.info->modules[kMaxModules - 1].start == PhysAddr(0x1000 * (kMaxModules - 1)));
    }
    SECTION("an empty memory map") {
        InfoBuilder b;
        b.memory_map({});
        b.end();
        const Parsed p = parse_bytes(b.build());
        REQUIRE(p.ok);
        CHECK(p.info->memory_count == 0);
    }
    SECTION("exactly kMaxMemoryRegions memory regions") {
        std::vector<MemoryEntry> entries; // with gaps: nothing to merge
        for (usize i = 0; i < kMaxMemoryRegions; ++i)
            entries.push_back({i * 0x20000, 0x10000, 1});
        InfoBuilder b;
        b.memory_map(entries);
        b.end();
        const Parsed p = parse_bytes(b.build());
        REQUIRE(p.ok);
        CHECK(p.info->memory_count == kMaxMemoryRegions);
        CHECK(p.info->memory[kMaxMemoryRegions - 1].base == PhysAddr((kMaxMemoryRegions - 1) * 0x20000));
        CHECK(p.info->memory_stats.entries == kMaxMemoryRegions);
        CHECK(p.info->memory_stats.merged == 0);
        CHECK(p.info->memory_stats.dropped == 0);
    }
    SECTION("a later entry_size of 32 reads the first 24 bytes of each entry") {
        InfoBuilder b;
        b.memory_map({{0x100000, 0x1000, 1}, {0x200000, 0x2000, 5}}, 32);
        b.end();
        const Parsed p = parse_bytes(b.build());
        REQUIRE(p.ok);
        REQUIRE(p.info->memory_count == 2);
        CHECK(p.info->memory[1].base == PhysAddr(0x200000));
        CHECK(p.info->memory[1].length == 0x2000);
        CHECK(p.info->memory[1].type == 5);
    }
    SECTION("a region ending at the top of the address space") {
        InfoBuilder b;
        b.memory_map({{0xfffffffffffff000, 0xfff, 2}});
        b.end();
        CHECK(parse_bytes(b.build()).ok);
    }
    SECTION("an indexed framebuffer with a full palette") {
        InfoBuilder b;
        b.framebuffer_indexed(0xa0000, 320, 320, 200, 8, 16, 16);
        b.end();
        const Parsed p = parse_bytes(b.build());
        REQUIRE(p.ok);
        CHECK(p.info->framebuffer.present);
        CHECK(p.info->framebuffer.type == FramebufferType::indexed);
        CHECK(p.info->framebuffer.bpp == 8);
        CHECK(p.info->framebuffer.red_size == 0);
        // The palette, for the core's status band in indexed modes.
        REQUIRE(p.info->framebuffer.palette_colors == 16);
        REQUIRE(p.info->framebuffer.palette != nullptr);
        CHECK(p.info->framebuffer.palette[3 * 5 + 0] == 5 * 16);
        CHECK(p.info->framebuffer.palette[3 * 5 + 1] == 5 * 8);
        CHECK(p.info->framebuffer.palette[3 * 15 + 2] == 15 * 4);
    }
    SECTION("an EGA text framebuffer") {
        InfoBuilder b;
        b.framebuffer_ega_text(0xb8000, 80, 25);
        b.end();
        const Parsed p = parse_bytes(b.build());
        REQUIRE(p.ok);
        const Framebuffer& fb = p.info->framebuffer;
        CHECK(fb.present);
        CHECK(fb.type == FramebufferType::ega_text);
        CHECK(fb.address == PhysAddr(0xb8000));
        CHECK(fb.width == 80);
        CHECK(fb.height == 25);
        CHECK(fb.pitch == 160);
        CHECK(fb.bpp == 16);
    }
    SECTION("a 15 bpp framebuffer needs whole bytes per row") {
        InfoBuilder b;
        b.framebuffer_rgb(0xe0000000, 1, 1, 1, 15, 10, 5, 5, 5, 0, 5); // 15 bits round up to 2 bytes
        b.end();
        CHECK_FALSE(parse_bytes(b.build()).ok);
        InfoBuilder c;
        c.framebuffer_rgb(0xe0000000, 2, 1, 1, 15, 10, 5, 5, 5, 0, 5);
        c.end();
        CHECK(parse_bytes(c.build()).ok);
    }
}

TEST_CASE("multiboot2: type names") {
    CHECK(std::string(memory_type_name(1)) == "available");
    CHECK(std::string(memory_type_name(2)) == "reserved");
    CHECK(std::string(memory_type_name(3)) == "ACPI reclaimable");
    CHECK(std::string(memory_type_name(4)) == "ACPI NVS");
    CHECK(std::string(memory_type_name(5)) == "bad");
    CHECK(std::string(memory_type_name(0)) == "unknown");
    CHECK(std::string(memory_type_name(6)) == "unknown");
    CHECK(std::string(memory_type_name(0xffffffff)) == "unknown");
    CHECK(std::string(framebuffer_type_name(FramebufferType::indexed)) == "indexed");
    CHECK(std::string(framebuffer_type_name(FramebufferType::rgb)) == "RGB");
    CHECK(std::string(framebuffer_type_name(FramebufferType::ega_text)) == "EGA text");
    CHECK(std::string(framebuffer_type_name(static_cast<FramebufferType>(7))) == "unknown");
}

// ---- 3.6.1 Boot information format: the fixed part -------------------------

TEST_CASE("multiboot2: a span smaller than the fixed part is rejected") {
    const std::vector<u8> bytes = good_info();
    for (usize n = 0; n < 8; ++n) {
        INFO("span of " << n << " bytes");
        const Parsed p = parse_bytes(bytes, n);
        REQUIRE_FALSE(p.ok);
        CHECK(std::string(p.check()) == "info span is smaller than the 8-byte fixed part");
        CHECK(p.error.offset == 0);
        CHECK(p.error.tag_type == 0);
    }
}

TEST_CASE("multiboot2: total_size smaller than 8 is rejected") {
    for (u32 total : {0u, 1u, 7u}) {
        std::vector<u8> bytes = good_info();
        set_total_size(bytes, total);
        INFO("total_size " << total);
        expect_error(bytes, "total_size is smaller than 8", 0, 0);
    }
}

TEST_CASE("multiboot2: total_size larger than the span is rejected") {
    std::vector<u8> bytes = good_info();
    set_total_size(bytes, static_cast<u32>(bytes.size() + 8));
    expect_error(bytes, "total_size is larger than the mapped info", 0, 0);

    std::vector<u8> huge = good_info();
    set_total_size(huge, 0xffffffff);
    expect_error(huge, "total_size is larger than the mapped info", 0, 0);
}

// ---- 3.6.2 Basic tags structure --------------------------------------------

TEST_CASE("multiboot2: a tag header cut by total_size is rejected") {
    InfoBuilder b;
    b.cmdline("abc");     // tag at 8, size 12, padded to 16: next tag at 24
    b.raw_tag(0, {});     // end tag at 24
    std::vector<u8> bytes = b.build();
    set_total_size(bytes, 28); // total_size cuts the end tag's header after 4 bytes
    expect_error(bytes, "tag header extends past total_size", 24, 0);
}

TEST_CASE("multiboot2: a tag size smaller than 8 is rejected") {
    for (u32 size : {0u, 1u, 7u}) {
        InfoBuilder b;
        b.cmdline("abc");
        const usize t = b.module(0x1000, 0x2000, "m");
        b.end();
        b.patch32(t + 4, size);
        INFO("tag size " << size);
        expect_error(b.build(), "tag size is smaller than 8", static_cast<u32>(t), 3);
    }
}

TEST_CASE("multiboot2: a tag extending past total_size is rejected") {
    InfoBuilder b;
    const usize t = b.cmdline("console=serial");
    b.end();
    std::vector<u8> bytes = b.build();
    b.patch32(t + 4, static_cast<u32>(bytes.size() - t + 1));
    expect_error(b.build(), "tag extends past total_size", static_cast<u32>(t), 1);

    InfoBuilder c;
    const usize u = c.raw_tag(0x77, {});
    c.end();
    c.patch32(u + 4, 0xfffffff8);
    expect_error(c.build(), "tag extends past total_size", static_cast<u32>(u), 0x77);
}

TEST_CASE("multiboot2: a missing end tag is rejected") {
    SECTION("the tags end exactly at total_size") {
        InfoBuilder b;
        b.cmdline("abc");
        b.bootloader_name("GRUB 2.06");
        const usize end = b.size();
        expect_error(b.build(), "end tag is missing", static_cast<u32>(end), 0);
    }
    SECTION("the last tag's padding runs past total_size") {
        InfoBuilder b;
        b.cmdline("abc"); // size 12, padded to 16
        std::vector<u8> bytes = b.build();
        bytes.resize(20);
        set_total_size(bytes, 20);
        expect_error(bytes, "end tag is missing", 24, 0);
    }
    SECTION("only the fixed part") {
        std::vector<u8> bytes = {8, 0, 0, 0, 0, 0, 0, 0};
        expect_error(bytes, "end tag is missing", 8, 0);
    }
}

TEST_CASE("multiboot2: an end tag whose size is not 8 is rejected") {
    InfoBuilder b;
    b.cmdline("abc");
    const usize t = b.raw_tag(0, std::vector<u8>(8, 0)); // type 0, size 16
    expect_error(b.build(), "end tag size is not 8", static_cast<u32>(t), 0);
}

// ---- 3.6.5 / 3.6.9 / 3.6.6 strings ------------------------------------------

TEST_CASE("multiboot2: strings must be NUL-terminated inside their tag") {
    // The padding after each tag is zero, so a parser that looked past the
    // tag's size would wrongly find a NUL there.
    SECTION("cmdline") {
        InfoBuilder b;
        const usize t = b.raw_tag(1, {'a', 'b', 'c'});
        b.end();
        expect_error(b.build(), "cmdline is not NUL-terminated inside its tag", static_cast<u32>(t), 1);
    }
    SECTION("empty cmdline tag") {
        InfoBuilder b;
        const usize t = b.raw_tag(1, {});
        b.end();
        expect_error(b.build(), "cmdline is not NUL-terminated inside its tag", static_cast<u32>(t), 1);
    }
    SECTION("bootloader name") {
        InfoBuilder b;
        const usize t = b.raw_tag(2, {'G', 'R', 'U', 'B'});
        b.end();
        expect_error(b.build(), "bootloader name is not NUL-terminated inside its tag",
                     static_cast<u32>(t), 2);
    }
    SECTION("module string") {
        InfoBuilder b;
        const usize t = b.raw_tag(3, {0, 0x10, 0, 0, 0, 0x20, 0, 0, 'i', 'n', 'i', 't'});
        b.end();
        expect_error(b.build(), "module string is not NUL-terminated inside its tag",
                     static_cast<u32>(t), 3);
    }
}

TEST_CASE("multiboot2: duplicate string tags are rejected") {
    SECTION("cmdline") {
        InfoBuilder b;
        b.cmdline("one");
        const usize t = b.cmdline("two");
        b.end();
        expect_error(b.build(), "duplicate cmdline tag", static_cast<u32>(t), 1);
    }
    SECTION("bootloader name") {
        InfoBuilder b;
        b.bootloader_name("GRUB 2.06");
        const usize t = b.bootloader_name("GRUB 2.12");
        b.end();
        expect_error(b.build(), "duplicate bootloader name tag", static_cast<u32>(t), 2);
    }
}

// ---- 3.6.6 Modules ----------------------------------------------------------

TEST_CASE("multiboot2: a module tag smaller than 17 bytes is rejected") {
    InfoBuilder b;
    const usize t = b.raw_tag(3, {0, 0x10, 0, 0, 0, 0x20, 0, 0}); // size 16: no string at all
    b.end();
    expect_error(b.build(), "module tag is smaller than 17 bytes", static_cast<u32>(t), 3);

    InfoBuilder c;
    const usize u = c.raw_tag(3, {0, 0x10, 0, 0}); // size 12: mod_end missing
    c.end();
    expect_error(c.build(), "module tag is smaller than 17 bytes", static_cast<u32>(u), 3);
}

TEST_CASE("multiboot2: a module with mod_end below mod_start is rejected") {
    InfoBuilder b;
    b.module(0x100000, 0x100000, "ok");
    const usize t = b.module(0x200000, 0x1fffff, "backwards");
    b.end();
    expect_error(b.build(), "module mod_end is below mod_start", static_cast<u32>(t + 12), 3);
}

TEST_CASE("multiboot2: module tags past kMaxModules are refused by name, the first ones kept") {
    InfoBuilder b;
    for (usize i = 0; i < kMaxModules; ++i)
        b.module(0x1000 * i, 0x1000 * i + 0x100, "m" + std::to_string(i));
    b.module(0x900000, 0x900100, "extra1.bin");
    b.module(0x901000, 0x901100, "extra2 key=value");
    b.end();
    const Parsed p = parse_bytes(b.build());
    REQUIRE(p.ok);
    REQUIRE(p.info->module_count == kMaxModules);
    CHECK(std::string(p.info->modules[0].cmdline) == "m0");
    CHECK(std::string(p.info->modules[kMaxModules - 1].cmdline) == "m" + std::to_string(kMaxModules - 1));
    REQUIRE(p.info->refused_module_count == 2);
    CHECK(std::string(p.info->refused_modules[0]) == "extra1.bin");
    CHECK(std::string(p.info->refused_modules[1]) == "extra2 key=value");
    CHECK(points_into(p, p.info->refused_modules[1]));
}

TEST_CASE("multiboot2: refused module tags are counted past the ones whose names are kept") {
    InfoBuilder b;
    const usize extra = kMaxRefusedModules + 5;
    for (usize i = 0; i < kMaxModules + extra; ++i)
        b.module(0x1000 * i, 0x1000 * i + 0x100, "f" + std::to_string(i));
    b.end();
    const Parsed p = parse_bytes(b.build());
    REQUIRE(p.ok);
    CHECK(p.info->module_count == kMaxModules);
    CHECK(p.info->refused_module_count == extra);
    CHECK(std::string(p.info->refused_modules[kMaxRefusedModules - 1]) ==
          "f" + std::to_string(kMaxModules + kMaxRefusedModules - 1));
}

TEST_CASE("multiboot2: a malformed module tag past kMaxModules is still an error") {
    InfoBuilder b;
    for (usize i = 0; i < kMaxModules; ++i)
        b.module(0x1000 * i, 0x1000 * i + 0x100, "m");
    const usize t = b.module(0x900000, 0x8fffff, "backwards");
    b.end();
    expect_error(b.build(), "module mod_end is below mod_start", static_cast<u32>(t + 12), 3);
}

// ---- 3.6.8 Memory map -------------------------------------------------------

TEST_CASE("multiboot2: a memory map tag smaller than 16 bytes is rejected") {
    InfoBuilder b;
    const usize t = b.raw_tag(6, {24, 0, 0, 0}); // entry_size only, no entry_version
    b.end();
    expect_error(b.build(), "memory map tag is smaller than 16 bytes", static_cast<u32>(t), 6);
}

TEST_CASE("multiboot2: a memory map entry_size smaller than 24 is rejected") {
    for (u32 entry_size : {0u, 8u, 16u}) {
        InfoBuilder b;
        const usize t = b.memory_map({}, 24);
        b.end();
        b.patch32(t + 8, entry_size);
        INFO("entry_size " << entry_size);
        expect_error(b.build(), "memory map entry_size is smaller than 24", static_cast<u32>(t + 8), 6);
    }
}

TEST_CASE("multiboot2: a memory map entry_size not a multiple of 8 is rejected") {
    InfoBuilder b;
    const usize t = b.memory_map({{0x100000, 0x1000, 1}}, 28);
    b.end();
    expect_error(b.build(), "memory map entry_size is not a multiple of 8", static_cast<u32>(t + 8), 6);
}

TEST_CASE("multiboot2: memory map entries that do not fill the tag evenly are rejected") {
    InfoBuilder b;
    const usize t = b.memory_map({{0x0, 0x9fc00, 1}, {0x100000, 0x1000, 1}});
    b.end();
    b.patch32(t + 4, 16 + 24 + 8); // the second entry cut to 8 bytes
    expect_error(b.build(), "memory map entries do not fill the tag evenly", static_cast<u32>(t), 6);
}

namespace {

Parsed parse_memory_map(const std::vector<MemoryEntry>& entries) {
    InfoBuilder b;
    b.memory_map(entries);
    b.end();
    return parse_bytes(b.build());
}

void check_regions(const Parsed& p, const std::vector<MemoryEntry>& want) {
    REQUIRE(p.ok);
    REQUIRE(p.info->memory_count == want.size());
    for (usize i = 0; i < want.size(); ++i) {
        INFO("region " << i);
        CHECK(p.info->memory[i].base == PhysAddr(want[i].base));
        CHECK(p.info->memory[i].length == want[i].length);
        CHECK(p.info->memory[i].type == want[i].type);
    }
}

} // namespace

TEST_CASE("multiboot2: memory map entries of one type that touch or overlap are merged") {
    SECTION("adjacent, in order") {
        const Parsed p =
            parse_memory_map({{0x100000, 0x1000, 1}, {0x101000, 0x2000, 1}, {0x103000, 0x1000, 1}});
        check_regions(p, {{0x100000, 0x4000, 1}});
        CHECK(p.info->memory_stats.entries == 3);
        CHECK(p.info->memory_stats.merged == 2);
        CHECK(p.info->memory_stats.dropped == 0);
    }
    SECTION("overlapping and out of order") {
        const Parsed p =
            parse_memory_map({{0x200000, 0x3000, 1}, {0x1ff000, 0x2000, 1}, {0x201000, 0x800, 1}});
        check_regions(p, {{0x1ff000, 0x4000, 1}});
    }
    SECTION("different types are never merged") {
        const Parsed p = parse_memory_map({{0x0, 0x9fc00, 1}, {0x9fc00, 0x400, 2}, {0xa0000, 0x1000, 5}});
        check_regions(p, {{0x0, 0x9fc00, 1}, {0x9fc00, 0x400, 2}, {0xa0000, 0x1000, 5}});
        CHECK(p.info->memory_stats.merged == 0);
    }
    SECTION("an entry bridging two kept regions joins all three") {
        const Parsed p = parse_memory_map(
            {{0x1000, 0x1000, 1}, {0x8000, 0x1000, 2}, {0x3000, 0x1000, 1}, {0x2000, 0x1000, 1}});
        check_regions(p, {{0x1000, 0x3000, 1}, {0x8000, 0x1000, 2}});
        CHECK(p.info->memory_stats.merged == 2);
    }
    SECTION("a gap keeps regions apart") {
        const Parsed p = parse_memory_map({{0x1000, 0x1000, 1}, {0x2001, 0x1000, 1}});
        CHECK(p.info->memory_count == 2);
    }
    SECTION("empty entries are skipped") {
        const Parsed p = parse_memory_map({{0x1000, 0, 1}, {0x5000, 0x1000, 2}, {0x9000, 0, 2}});
        check_regions(p, {{0x5000, 0x1000, 2}});
        CHECK(p.info->memory_stats.dropped == 0);
    }
    SECTION("merging happens before anything is dropped") {
        std::vector<MemoryEntry> entries; // 300 adjacent pages, as a firmware listing page by page
        for (usize i = 0; i < 300; ++i)
            entries.push_back({0x100000 + i * 0x1000, 0x1000, 1});
        const Parsed p = parse_memory_map(entries);
        check_regions(p, {{0x100000, 300 * 0x1000, 1}});
        CHECK(p.info->memory_stats.entries == 300);
        CHECK(p.info->memory_stats.merged == 299);
        CHECK(p.info->memory_stats.dropped == 0);
    }
}

TEST_CASE("multiboot2: a memory map with more than kMaxMemoryRegions regions keeps the most useful ones") {
    // A fragmented firmware map: available regions cut apart by bad ones,
    // 131 + 130 entries, plus a reserved one; available region i has i + 1
    // pages, so the three smallest are the ones that cannot stay.
    std::vector<MemoryEntry> entries;
    entries.push_back({0x0, 0x1000, 2});
    u64 at = 0x100000;
    for (usize i = 0; i <= 130; ++i) {
        entries.push_back({at, (i + 1) * 0x1000, 1});
        at += (i + 1) * 0x1000;
        if (i < 130) {
            entries.push_back({at, 0x1000, 5});
            at += 0x1000;
        }
    }
    REQUIRE(entries.size() == 262);
    const Parsed p = parse_memory_map(entries);
    REQUIRE(p.ok);
    REQUIRE(p.info->memory_count == kMaxMemoryRegions);
    const MemoryMapStats& stats = p.info->memory_stats;
    CHECK(stats.entries == 262);
    CHECK(stats.merged == 0);
    CHECK(stats.dropped == 262 - kMaxMemoryRegions);
    CHECK(stats.dropped_available == 3);
    CHECK(stats.dropped_available_bytes == (1 + 2 + 3) * 0x1000);
    u64 previous = 0;
    for (usize i = 0; i < p.info->memory_count; ++i) {
        INFO("region " << i);
        const MemoryRegion& r = p.info->memory[i];
        CHECK(r.type == 1);
        CHECK(r.length >= 4 * 0x1000);
        CHECK(r.base.value() > previous); // the tag's order is kept
        previous = r.base.value();
    }
    CHECK(p.info->memory[kMaxMemoryRegions - 1].length == 131 * 0x1000);
}

TEST_CASE("multiboot2: when the table is full, non-RAM goes before RAM and the smallest RAM first") {
    std::vector<MemoryEntry> full; // kMaxMemoryRegions available regions of 2 pages, with gaps
    for (usize i = 0; i < kMaxMemoryRegions; ++i)
        full.push_back({0x100000 + i * 0x10000, 0x2000, 1});
    SECTION("a reserved entry is dropped, however large") {
        auto entries = full;
        entries.push_back({0x80000000, 0x40000000, 2});
        const Parsed p = parse_memory_map(entries);
        REQUIRE(p.ok);
        CHECK(p.info->memory_count == kMaxMemoryRegions);
        CHECK(p.info->memory_stats.dropped == 1);
        CHECK(p.info->memory_stats.dropped_available == 0);
        CHECK(p.info->memory[kMaxMemoryRegions - 1].type == 1);
    }
    SECTION("a kept bad region makes room for an available one") {
        auto entries = full;
        entries[5] = {0x150000, 0x100000, 5};
        entries.push_back({0x80000000, 0x1000, 1});
        const Parsed p = parse_memory_map(entries);
        REQUIRE(p.ok);
        CHECK(p.info->memory_stats.dropped == 1);
        CHECK(p.info->memory_stats.dropped_available == 0);
        for (usize i = 0; i < p.info->memory_count; ++i)
            CHECK(p.info->memory[i].type == 1);
        CHECK(p.info->memory[kMaxMemoryRegions - 1].base == PhysAddr(0x80000000));
    }
    SECTION("a smaller available region is dropped itself") {
        auto entries = full;
        entries.push_back({0x80000000, 0x1000, 1});
        const Parsed p = parse_memory_map(entries);
        REQUIRE(p.ok);
        CHECK(p.info->memory_stats.dropped_available == 1);
        CHECK(p.info->memory_stats.dropped_available_bytes == 0x1000);
        CHECK(p.info->memory[kMaxMemoryRegions - 1].base ==
              PhysAddr(0x100000 + (kMaxMemoryRegions - 1) * 0x10000));
    }
    SECTION("a larger available region replaces the smallest kept one") {
        auto entries = full;
        entries[7].length = 0x1000;
        entries.push_back({0x80000000, 0x100000, 1});
        const Parsed p = parse_memory_map(entries);
        REQUIRE(p.ok);
        CHECK(p.info->memory_stats.dropped_available == 1);
        CHECK(p.info->memory_stats.dropped_available_bytes == 0x1000);
        CHECK(p.info->memory[7].base == PhysAddr(0x100000 + 8 * 0x10000));
        CHECK(p.info->memory[kMaxMemoryRegions - 1].base == PhysAddr(0x80000000));
    }
    SECTION("ACPI regions count as RAM") {
        auto entries = full;
        entries.push_back({0x80000000, 0x4000, 3});
        const Parsed p = parse_memory_map(entries);
        REQUIRE(p.ok);
        CHECK(p.info->memory_stats.dropped_available == 1);
        CHECK(p.info->memory[kMaxMemoryRegions - 1].type == 3);
    }
}

TEST_CASE("multiboot2: a memory region whose base + length overflows is rejected") {
    InfoBuilder b;
    const usize t = b.memory_map({{0x0, 0x9fc00, 1}, {0xffffffffffff0000, 0x10000, 2}});
    b.end();
    expect_error(b.build(), "memory map region base + length overflows u64",
                 static_cast<u32>(t + 16 + 24), 6);
}

TEST_CASE("multiboot2: a duplicate memory map tag is rejected") {
    InfoBuilder b;
    b.memory_map(kQemuE820);
    const usize t = b.memory_map(kQemuE820);
    b.end();
    expect_error(b.build(), "duplicate memory map tag", static_cast<u32>(t), 6);
}

// ---- 3.6.12 Framebuffer info ------------------------------------------------

TEST_CASE("multiboot2: a framebuffer tag smaller than 32 bytes is rejected") {
    InfoBuilder b;
    const usize t = b.raw_tag(8, std::vector<u8>(22, 0)); // size 30: cut inside reserved
    b.end();
    expect_error(b.build(), "framebuffer tag is smaller than 32 bytes", static_cast<u32>(t), 8);
}

TEST_CASE("multiboot2: an RGB framebuffer tag without its 6 color bytes is rejected") {
    for (u32 size : {32u, 34u, 37u}) {
        InfoBuilder b;
        const usize t = b.framebuffer_rgb(0xfd000000, 4096, 1024, 768, 32, 16, 8, 8, 8, 0, 8);
        b.end();
        b.patch32(t + 4, size);
        INFO("tag size " << size);
        expect_error(b.build(), "RGB framebuffer tag is smaller than 38 bytes", static_cast<u32>(t), 8);
    }
}

TEST_CASE("multiboot2: an indexed framebuffer tag too small for its palette is rejected") {
    SECTION("no palette count") {
        InfoBuilder b;
        const usize t = b.framebuffer_indexed(0xa0000, 320, 320, 200, 8, 0, 0);
        b.end();
        b.patch32(t + 4, 33);
        expect_error(b.build(), "indexed framebuffer tag has no palette count", static_cast<u32>(t), 8);
    }
    SECTION("fewer colors than num_colors") {
        InfoBuilder b;
        const usize t = b.framebuffer_indexed(0xa0000, 320, 320, 200, 8, 16, 10);
        b.end();
        expect_error(b.build(), "indexed framebuffer palette extends past its tag", static_cast<u32>(t), 8);
    }
}

TEST_CASE("multiboot2: an unknown framebuffer type is rejected") {
    InfoBuilder b;
    const usize t = b.framebuffer_rgb(0xfd000000, 4096, 1024, 768, 32, 16, 8, 8, 8, 0, 8);
    b.end();
    b.patch8(t + 29, 3);
    expect_error(b.build(), "framebuffer type is not indexed, RGB or EGA text", static_cast<u32>(t + 29), 8);
}

TEST_CASE("multiboot2: framebuffer geometry is checked") {
    SECTION("bpp 0") {
        InfoBuilder b;
        const usize t = b.framebuffer_rgb(0xfd000000, 4096, 1024, 768, 0, 16, 8, 8, 8, 0, 8);
        b.end();
        expect_error(b.build(), "framebuffer bpp is 0", static_cast<u32>(t + 28), 8);
    }
    SECTION("width 0") {
        InfoBuilder b;
        const usize t = b.framebuffer_rgb(0xfd000000, 4096, 0, 768, 32, 16, 8, 8, 8, 0, 8);
        b.end();
        expect_error(b.build(), "framebuffer width is 0", static_cast<u32>(t + 20), 8);
    }
    SECTION("height 0") {
        InfoBuilder b;
        const usize t = b.framebuffer_rgb(0xfd000000, 4096, 1024, 0, 32, 16, 8, 8, 8, 0, 8);
        b.end();
        expect_error(b.build(), "framebuffer height is 0", static_cast<u32>(t + 24), 8);
    }
    SECTION("pitch smaller than a row") {
        InfoBuilder b;
        const usize t = b.framebuffer_rgb(0xfd000000, 4095, 1024, 768, 32, 16, 8, 8, 8, 0, 8);
        b.end();
        expect_error(b.build(), "framebuffer pitch is smaller than width * bpp / 8",
                     static_cast<u32>(t + 16), 8);
    }
    SECTION("pitch smaller than a row, EGA text") {
        InfoBuilder b;
        const usize t = b.framebuffer_ega_text(0xb8000, 80, 25);
        b.end();
        b.patch32(t + 16, 80);
        expect_error(b.build(), "framebuffer pitch is smaller than width * bpp / 8",
                     static_cast<u32>(t + 16), 8);
    }
    SECTION("a huge width whose row size needs 64 bits") {
        InfoBuilder b;
        const usize t = b.framebuffer_rgb(0xfd000000, 0xffffffff, 0xffffffff, 1, 32, 16, 8, 8, 8, 0, 8);
        b.end();
        expect_error(b.build(), "framebuffer pitch is smaller than width * bpp / 8",
                     static_cast<u32>(t + 16), 8);
    }
    SECTION("address + pitch * height overflows") {
        InfoBuilder b;
        const usize t = b.framebuffer_rgb(0xffffffffffff0000, 4096, 1024, 768, 32, 16, 8, 8, 8, 0, 8);
        b.end();
        expect_error(b.build(), "framebuffer address + pitch * height overflows u64",
                     static_cast<u32>(t + 8), 8);
    }
}

TEST_CASE("multiboot2: a duplicate framebuffer tag is rejected") {
    InfoBuilder b;
    b.framebuffer_rgb(0xfd000000, 4096, 1024, 768, 32, 16, 8, 8, 8, 0, 8);
    const usize t = b.framebuffer_ega_text(0xb8000, 80, 25);
    b.end();
    expect_error(b.build(), "duplicate framebuffer tag", static_cast<u32>(t), 8);
}

// ---- robustness --------------------------------------------------------------

TEST_CASE("multiboot2: every truncation of a good info is rejected without reading past it") {
    const std::vector<u8> bytes = good_info();
    REQUIRE(parse_bytes(bytes).ok);
    for (usize n = 0; n < bytes.size(); ++n) {
        INFO("span of " << n << " of " << bytes.size() << " bytes");
        // total_size left as is: it now claims more than the span holds.
        const Parsed p = parse_bytes(bytes, n);
        REQUIRE_FALSE(p.ok);
        CHECK(std::string(p.check()) ==
              (n < 8 ? "info span is smaller than the 8-byte fixed part"
                     : "total_size is larger than the mapped info"));

        // total_size agreeing with the span: the tag walk itself meets the cut.
        if (n >= 8) {
            std::vector<u8> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
            set_total_size(cut, static_cast<u32>(n));
            const Parsed q = parse_bytes(cut);
            CHECK_FALSE(q.ok);
        }
    }
}

TEST_CASE("multiboot2: random mutations of a good info never crash") {
    const std::vector<u8> good = good_info();
    std::mt19937 rng(0xce105u);
    usize accepted = 0;
    for (int iteration = 0; iteration < 20000; ++iteration) {
        std::vector<u8> bytes = good;
        const int mutations = 1 + static_cast<int>(rng() % 4);
        for (int m = 0; m < mutations; ++m) {
            const usize at = rng() % bytes.size();
            switch (rng() % 4) {
            case 0: bytes[at] ^= static_cast<u8>(1u << (rng() % 8)); break; // one bit
            case 1: bytes[at] = static_cast<u8>(rng()); break;              // one byte
            case 2: {                                                       // a small u32: sizes, counts
                const usize word = (at & ~usize{3}) % (bytes.size() - 3);
                const u32 v = rng() % 64;
                for (usize i = 0; i < 4; ++i) bytes[word + i] = static_cast<u8>(v >> (8 * i));
                break;
            }
            default: bytes[at] = static_cast<u8>(0xff); break;
            }
        }
        // Sometimes hand over less than the buffer, whatever total_size says.
        const usize length = (rng() % 8 == 0) ? rng() % (bytes.size() + 1) : bytes.size();
        const Parsed p = parse_bytes(bytes, length);
        if (!p.ok) {
            REQUIRE(p.error.check != nullptr);
            REQUIRE(p.error.check[0] != 0);
            continue;
        }
        ++accepted;
        const BootInfo& info = *p.info;
        REQUIRE(info.total_size <= length);
        REQUIRE(info.memory_count <= kMaxMemoryRegions);
        REQUIRE(info.module_count <= kMaxModules);
        REQUIRE((info.refused_module_count == 0 || info.module_count == kMaxModules));
        for (usize i = 0; i < info.refused_module_count && i < kMaxRefusedModules; ++i)
            REQUIRE(points_into(p, info.refused_modules[i]));
        REQUIRE(info.memory_stats.entries >= info.memory_count + info.memory_stats.dropped);
        // A string is either the static "" of an absent tag or lies inside the info.
        REQUIRE((points_into(p, info.cmdline) || std::strcmp(info.cmdline, "") == 0));
        REQUIRE((points_into(p, info.bootloader_name) || std::strcmp(info.bootloader_name, "") == 0));
        for (usize i = 0; i < info.module_count; ++i) {
            REQUIRE(points_into(p, info.modules[i].cmdline));
            REQUIRE(info.modules[i].start <= info.modules[i].end);
        }
        for (usize i = 0; i < info.memory_count; ++i)
            REQUIRE(info.memory[i].length <= ~u64{0} - info.memory[i].base.value());
    }
    // Some mutations touch only payload bytes and still parse.
    CHECK(accepted > 0);
}
