// Multiboot2 boot information parser. Section numbers are those of the
// Multiboot2 specification 2.0 (GNU GRUB manual "Multiboot2 Specification").
// Where the prose and GRUB disagree, the layout GRUB writes wins, since GRUB
// is what boots us: see the framebuffer tag below.
#include "boot/multiboot2.h"

namespace celos::mb2 {
namespace {

// 3.6.2: tag types this parser reads; every other type is skipped.
constexpr u32 kTagEnd = 0;
constexpr u32 kTagCmdline = 1;
constexpr u32 kTagBootloaderName = 2;
constexpr u32 kTagModule = 3;
constexpr u32 kTagMemoryMap = 6;
constexpr u32 kTagFramebuffer = 8;

constexpr usize kFixedPartSize = 8;   // 3.6.1: u32 total_size, u32 reserved
constexpr usize kTagHeaderSize = 8;   // 3.6.2: u32 type, u32 size
constexpr usize kTagAlign = 8;        // 3.6.2: tags start 8-byte aligned
constexpr usize kModuleFixedSize = 16;   // 3.6.6: header, mod_start, mod_end
constexpr usize kMemoryMapFixedSize = 16; // 3.6.8: header, entry_size, entry_version
constexpr usize kMemoryEntryMinSize = 24; // 3.6.8: base u64, length u64, type u32, reserved u32
// 3.6.12 with GRUB's struct multiboot_tag_framebuffer_common: the field after
// framebuffer_type is a u16 reserved (the prose shows a u8), so color_info
// starts at byte 32. GRUB sizes an RGB tag as 32 + 6 and an EGA text tag as 32.
constexpr usize kFramebufferFixedSize = 32;
constexpr usize kFramebufferRgbSize = kFramebufferFixedSize + 6;
constexpr usize kFramebufferPaletteOffset = kFramebufferFixedSize + 2; // after u16 num_colors
constexpr usize kPaletteColorSize = 3;                                  // u8 red, green, blue

constexpr u64 kU64Max = ~u64{0};

ParseError fail(const char* check, usize offset, u32 tag_type) {
    return ParseError{check, static_cast<u32>(offset), tag_type};
}

// Reads a field the caller has already proved lies inside `r`. The reader is
// still bounds-checked, so a mistake in those proofs yields 0, never a bad read.
template <typename T> T field(const ByteReader& r, usize offset) {
    T v = 0;
    (void)r.read(offset, v);
    return v;
}

// A string field: the bytes from `offset` to the end of the tag must hold a NUL.
const char* terminated_string(ByteSpan tag, usize offset) {
    for (usize i = offset; i < tag.size(); ++i)
        if (tag[i] == 0) return reinterpret_cast<const char*>(tag.data() + offset);
    return nullptr;
}

struct Parser {
    BootInfo& out;
    bool seen_cmdline = false;
    bool seen_bootloader_name = false;
    bool seen_memory_map = false;

    // 3.6.5 Boot command line.
    Result<void, ParseError> cmdline(ByteSpan tag, usize at) {
        if (seen_cmdline) return fail("duplicate cmdline tag", at, kTagCmdline);
        seen_cmdline = true;
        const char* s = terminated_string(tag, kTagHeaderSize);
        if (!s) return fail("cmdline is not NUL-terminated inside its tag", at, kTagCmdline);
        out.cmdline = s;
        return {};
    }

    // 3.6.9 Boot loader name.
    Result<void, ParseError> bootloader_name(ByteSpan tag, usize at) {
        if (seen_bootloader_name) return fail("duplicate bootloader name tag", at, kTagBootloaderName);
        seen_bootloader_name = true;
        const char* s = terminated_string(tag, kTagHeaderSize);
        if (!s)
            return fail("bootloader name is not NUL-terminated inside its tag", at, kTagBootloaderName);
        out.bootloader_name = s;
        return {};
    }

    // 3.6.6 Modules: one tag per module, mod_start and mod_end are u32
    // physical addresses, then a NUL-terminated string.
    Result<void, ParseError> module(ByteSpan tag, usize at) {
        if (tag.size() < kModuleFixedSize + 1)
            return fail("module tag is smaller than 17 bytes", at, kTagModule);
        ByteReader r(tag);
        const u32 start = field<u32>(r, 8);
        const u32 end = field<u32>(r, 12);
        if (end < start) return fail("module mod_end is below mod_start", at + 12, kTagModule);
        const char* s = terminated_string(tag, kModuleFixedSize);
        if (!s) return fail("module string is not NUL-terminated inside its tag", at, kTagModule);
        if (out.module_count == kMaxModules) {
            // Refused, not an error: the kernel names it and boots the others.
            if (out.refused_module_count < kMaxRefusedModules)
                out.refused_modules[out.refused_module_count] = s;
            ++out.refused_module_count;
            return {};
        }
        out.modules[out.module_count++] = Module{PhysAddr(start), PhysAddr(end), s};
        return {};
    }

    // 3.6.8 Memory map: entry_size is a multiple of 8 and at least 24 so that
    // later versions can grow entries; GRUB writes exactly entry_size * n
    // bytes of entries, so anything left over is an error.
    Result<void, ParseError> memory_map(ByteSpan tag, usize at) {
        if (seen_memory_map) return fail("duplicate memory map tag", at, kTagMemoryMap);
        seen_memory_map = true;
        if (tag.size() < kMemoryMapFixedSize)
            return fail("memory map tag is smaller than 16 bytes", at, kTagMemoryMap);
        ByteReader r(tag);
        const u32 entry_size = field<u32>(r, 8);
        if (entry_size < kMemoryEntryMinSize)
            return fail("memory map entry_size is smaller than 24", at + 8, kTagMemoryMap);
        if (entry_size % 8 != 0)
            return fail("memory map entry_size is not a multiple of 8", at + 8, kTagMemoryMap);
        const usize entries_bytes = tag.size() - kMemoryMapFixedSize;
        if (entries_bytes % entry_size != 0)
            return fail("memory map entries do not fill the tag evenly", at, kTagMemoryMap);
        const usize count = entries_bytes / entry_size;
        out.memory_stats.entries = count;
        for (usize i = 0; i < count; ++i) {
            const usize e = kMemoryMapFixedSize + i * entry_size;
            const u64 base = field<u64>(r, e);
            const u64 length = field<u64>(r, e + 8);
            const u32 type = field<u32>(r, e + 16);
            // The region's exclusive end must be representable.
            if (length > kU64Max - base)
                return fail("memory map region base + length overflows u64", at + e, kTagMemoryMap);
            add_memory_region(MemoryRegion{PhysAddr(base), length, type});
        }
        return {};
    }

    // Merges `region` into a kept one of its type that it touches or
    // overlaps, then merges on while the grown region reaches another one.
    bool merge_memory_region(const MemoryRegion& region) {
        usize into = out.memory_count;
        for (usize i = 0; i < out.memory_count && into == out.memory_count; ++i)
            if (touches(out.memory[i], region)) into = i;
        if (into == out.memory_count) return false;
        widen(out.memory[into], region);
        ++out.memory_stats.merged;
        for (usize j = 0; j < out.memory_count;) {
            if (j == into || !touches(out.memory[into], out.memory[j])) {
                ++j;
                continue;
            }
            widen(out.memory[into], out.memory[j]);
            remove_memory_region(j);
            if (j < into) --into;
            ++out.memory_stats.merged;
            j = 0; // the grown region may now reach one already passed
        }
        return true;
    }

    // Keeps `region` within kMaxMemoryRegions: merged, appended, or, when the
    // table is full, it or the least useful kept region is dropped.
    void add_memory_region(const MemoryRegion& region) {
        if (region.length == 0) return; // covers nothing: skipped, not counted as lost
        if (merge_memory_region(region)) return;
        if (out.memory_count < kMaxMemoryRegions) {
            out.memory[out.memory_count++] = region;
            return;
        }
        usize victim = 0;
        for (usize i = 1; i < out.memory_count; ++i)
            if (less_useful(out.memory[i], out.memory[victim])) victim = i;
        if (less_useful(out.memory[victim], region)) {
            count_dropped(out.memory[victim]);
            remove_memory_region(victim);
            out.memory[out.memory_count++] = region;
        } else {
            count_dropped(region); // on a tie the kept one stays
        }
    }

    void remove_memory_region(usize index) {
        for (usize i = index; i + 1 < out.memory_count; ++i)
            out.memory[i] = out.memory[i + 1];
        --out.memory_count;
    }

    void count_dropped(const MemoryRegion& region) {
        ++out.memory_stats.dropped;
        if (region.type == static_cast<u32>(MemoryType::available)) {
            ++out.memory_stats.dropped_available;
            out.memory_stats.dropped_available_bytes += region.length;
        }
    }

    // Same type, and no gap between them (ends are exclusive and fit in u64).
    static bool touches(const MemoryRegion& a, const MemoryRegion& b) {
        return a.type == b.type && a.base.value() <= b.base.value() + b.length &&
               b.base.value() <= a.base.value() + a.length;
    }

    static void widen(MemoryRegion& into, const MemoryRegion& other) {
        const u64 a_end = into.base.value() + into.length, b_end = other.base.value() + other.length;
        const u64 begin = into.base < other.base ? into.base.value() : other.base.value();
        const u64 end = a_end > b_end ? a_end : b_end;
        into.base = PhysAddr(begin);
        into.length = end - begin;
    }

    // RAM (available, ACPI) is the memory the kernel uses; anything else only
    // appears in the log. Among equals, the smaller region is less useful.
    static bool is_ram(u32 type) {
        return type == static_cast<u32>(MemoryType::available) ||
               type == static_cast<u32>(MemoryType::acpi_reclaimable) ||
               type == static_cast<u32>(MemoryType::acpi_nvs);
    }
    static bool less_useful(const MemoryRegion& a, const MemoryRegion& b) {
        if (is_ram(a.type) != is_ram(b.type)) return !is_ram(a.type);
        return a.length < b.length;
    }

    // 3.6.12 Framebuffer info (GRUB layout, see kFramebufferFixedSize).
    Result<void, ParseError> framebuffer(ByteSpan tag, usize at) {
        if (out.framebuffer.present) return fail("duplicate framebuffer tag", at, kTagFramebuffer);
        if (tag.size() < kFramebufferFixedSize)
            return fail("framebuffer tag is smaller than 32 bytes", at, kTagFramebuffer);
        ByteReader r(tag);
        Framebuffer fb{};
        const u64 address = field<u64>(r, 8);
        fb.pitch = field<u32>(r, 16);
        fb.width = field<u32>(r, 20);
        fb.height = field<u32>(r, 24);
        fb.bpp = field<u8>(r, 28);
        const u8 type = field<u8>(r, 29);

        switch (type) {
        case static_cast<u8>(FramebufferType::indexed): {
            // color_info: u16 framebuffer_palette_num_colors, then 3-byte colors.
            if (tag.size() < kFramebufferPaletteOffset)
                return fail("indexed framebuffer tag has no palette count", at, kTagFramebuffer);
            const u16 colors = field<u16>(r, kFramebufferFixedSize);
            if (tag.size() - kFramebufferPaletteOffset < usize{colors} * kPaletteColorSize)
                return fail("indexed framebuffer palette extends past its tag", at, kTagFramebuffer);
            fb.palette = tag.data() + kFramebufferPaletteOffset;
            fb.palette_colors = colors;
            break;
        }
        case static_cast<u8>(FramebufferType::rgb):
            // color_info: position and mask size of red, green and blue, u8 each.
            if (tag.size() < kFramebufferRgbSize)
                return fail("RGB framebuffer tag is smaller than 38 bytes", at, kTagFramebuffer);
            fb.red_position = field<u8>(r, kFramebufferFixedSize + 0);
            fb.red_size = field<u8>(r, kFramebufferFixedSize + 1);
            fb.green_position = field<u8>(r, kFramebufferFixedSize + 2);
            fb.green_size = field<u8>(r, kFramebufferFixedSize + 3);
            fb.blue_position = field<u8>(r, kFramebufferFixedSize + 4);
            fb.blue_size = field<u8>(r, kFramebufferFixedSize + 5);
            break;
        case static_cast<u8>(FramebufferType::ega_text):
            break; // no color_info; width and height count characters
        default:
            return fail("framebuffer type is not indexed, RGB or EGA text", at + 29, kTagFramebuffer);
        }
        fb.type = static_cast<FramebufferType>(type);

        if (fb.bpp == 0) return fail("framebuffer bpp is 0", at + 28, kTagFramebuffer);
        if (fb.width == 0) return fail("framebuffer width is 0", at + 20, kTagFramebuffer);
        if (fb.height == 0) return fail("framebuffer height is 0", at + 24, kTagFramebuffer);
        // A row holds width pixels of bpp bits, rounded up to whole bytes.
        const u64 row_bytes = (u64{fb.width} * fb.bpp + 7) / 8;
        if (fb.pitch < row_bytes)
            return fail("framebuffer pitch is smaller than width * bpp / 8", at + 16, kTagFramebuffer);
        const u64 bytes = u64{fb.pitch} * fb.height; // u32 * u32 fits in u64
        if (bytes > kU64Max - address)
            return fail("framebuffer address + pitch * height overflows u64", at + 8, kTagFramebuffer);
        fb.address = PhysAddr(address);
        fb.present = true;
        out.framebuffer = fb;
        return {};
    }
};

} // namespace

const char* memory_type_name(u32 type) {
    switch (static_cast<MemoryType>(type)) {
    case MemoryType::available: return "available";
    case MemoryType::reserved: return "reserved";
    case MemoryType::acpi_reclaimable: return "ACPI reclaimable";
    case MemoryType::acpi_nvs: return "ACPI NVS";
    case MemoryType::bad: return "bad";
    }
    return "unknown";
}

const char* framebuffer_type_name(FramebufferType type) {
    switch (type) {
    case FramebufferType::indexed: return "indexed";
    case FramebufferType::rgb: return "RGB";
    case FramebufferType::ega_text: return "EGA text";
    }
    return "unknown";
}

Result<void, ParseError> parse(ByteSpan info, BootInfo& out) {
    // The arrays are not cleared: the counts say how much of them is valid.
    out.total_size = 0;
    out.cmdline = "";
    out.bootloader_name = "";
    out.memory_count = 0;
    out.memory_stats = MemoryMapStats{};
    out.framebuffer = Framebuffer{};
    out.module_count = 0;
    out.refused_module_count = 0;

    // 3.6.1 Boot information format: u32 total_size (the fixed part and all
    // tags, the end tag included), u32 reserved.
    if (info.size() < kFixedPartSize) return fail("info span is smaller than the 8-byte fixed part", 0, 0);
    const u32 total_size = field<u32>(ByteReader(info), 0);
    if (total_size < kFixedPartSize) return fail("total_size is smaller than 8", 0, 0);
    if (total_size > info.size()) return fail("total_size is larger than the mapped info", 0, 0);
    const ByteSpan all = info.subspan(0, total_size);
    const ByteReader r(all);
    out.total_size = total_size;

    // 3.6.2 Basic tags structure: tags follow the fixed part, each u32 type,
    // u32 size (header included, padding excluded), padded to 8 bytes; a tag
    // of type 0 and size 8 ends the list. Bytes after it are ignored.
    Parser parser{out};
    usize at = kFixedPartSize;
    for (;;) {
        if (at >= all.size()) return fail("end tag is missing", at, 0);
        if (all.size() - at < kTagHeaderSize)
            return fail("tag header extends past total_size", at, 0);
        const u32 type = field<u32>(r, at);
        const u32 size = field<u32>(r, at + 4);
        if (size < kTagHeaderSize) return fail("tag size is smaller than 8", at, type);
        if (size > all.size() - at) return fail("tag extends past total_size", at, type);
        const ByteSpan tag = all.subspan(at, size);

        Result<void, ParseError> result;
        switch (type) {
        case kTagEnd:
            if (size != kTagHeaderSize) return fail("end tag size is not 8", at, kTagEnd);
            return {};
        case kTagCmdline: result = parser.cmdline(tag, at); break;
        case kTagBootloaderName: result = parser.bootloader_name(tag, at); break;
        case kTagModule: result = parser.module(tag, at); break;
        case kTagMemoryMap: result = parser.memory_map(tag, at); break;
        case kTagFramebuffer: result = parser.framebuffer(tag, at); break;
        default: break; // 3.6.2: unknown tags are skipped by size
        }
        if (!result.ok()) return result.error();
        at += static_cast<usize>(align_up(size, kTagAlign));
    }
}

} // namespace celos::mb2
