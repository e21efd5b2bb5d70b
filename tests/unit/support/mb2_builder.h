// Multiboot2 boot information built byte by byte, for the host tests and
// benchmarks of the parser (core/boot/multiboot2). Section numbers are those
// of the Multiboot2 specification 2.0; tags are laid out the way GRUB 2
// writes them (grub-core/loader/multiboot_mbi2.c).
#pragma once

#include <cassert>
#include <string>
#include <vector>

#include "lib/types.h"

namespace celos::test {

struct MemoryEntry {
    u64 base;
    u64 length;
    u32 type;
};

// Assembles boot information byte by byte: the fixed part (3.6.1), then tags
// (3.6.2) each padded to 8 bytes. Every tag method returns the tag's offset.
class InfoBuilder {
public:
    InfoBuilder() {
        put32(0); // total_size, set by build()
        put32(0); // reserved
    }

    usize cmdline(const std::string& s) { return string_tag(1, s); }
    usize bootloader_name(const std::string& s) { return string_tag(2, s); }

    // 3.6.6: u32 mod_start, u32 mod_end, NUL-terminated string.
    usize module(u32 start, u32 end, const std::string& s) {
        const usize t = begin(3);
        put32(start);
        put32(end);
        put_string(s);
        return finish(t);
    }

    // 3.6.3: u32 mem_lower, u32 mem_upper (KiB).
    usize basic_meminfo(u32 lower, u32 upper) {
        const usize t = begin(4);
        put32(lower);
        put32(upper);
        return finish(t);
    }

    // 3.6.4: u32 biosdev, u32 partition, u32 sub_partition (size 20).
    usize bootdev(u32 biosdev, u32 partition, u32 sub_partition) {
        const usize t = begin(5);
        put32(biosdev);
        put32(partition);
        put32(sub_partition);
        return finish(t);
    }

    // 3.6.8: u32 entry_size, u32 entry_version, then entries of base u64,
    // length u64, type u32, reserved u32, zero-filled up to entry_size.
    usize memory_map(const std::vector<MemoryEntry>& entries, u32 entry_size = 24) {
        const usize t = begin(6);
        put32(entry_size);
        put32(0);
        for (const MemoryEntry& e : entries) {
            const usize start = bytes_.size();
            put64(e.base);
            put64(e.length);
            put32(e.type);
            put32(0);
            while (bytes_.size() - start < entry_size) bytes_.push_back(0);
        }
        return finish(t);
    }

    // 3.6.12 as GRUB writes it: u64 addr, u32 pitch, u32 width, u32 height,
    // u8 bpp, u8 type, u16 reserved (32 bytes so far), then color_info.
    usize framebuffer_rgb(u64 addr, u32 pitch, u32 width, u32 height, u8 bpp, u8 red_pos, u8 red_size,
                          u8 green_pos, u8 green_size, u8 blue_pos, u8 blue_size) {
        const usize t = framebuffer_common(addr, pitch, width, height, bpp, 1);
        for (u8 b : {red_pos, red_size, green_pos, green_size, blue_pos, blue_size}) bytes_.push_back(b);
        return finish(t);
    }

    // color_info for indexed: u16 num_colors, then num_colors 3-byte colors;
    // `written` colors are really written, to build a short palette.
    usize framebuffer_indexed(u64 addr, u32 pitch, u32 width, u32 height, u8 bpp, u16 num_colors,
                              u16 written) {
        const usize t = framebuffer_common(addr, pitch, width, height, bpp, 0);
        put16(num_colors);
        for (u16 i = 0; i < written; ++i) {
            bytes_.push_back(static_cast<u8>(i * 16));
            bytes_.push_back(static_cast<u8>(i * 8));
            bytes_.push_back(static_cast<u8>(i * 4));
        }
        return finish(t);
    }

    // EGA text has no color_info: GRUB sizes the tag 32.
    usize framebuffer_ega_text(u64 addr, u32 columns, u32 rows) {
        const usize t = framebuffer_common(addr, columns * 2, columns, rows, 16, 2);
        return finish(t);
    }

    // Any tag with an arbitrary payload after its header.
    usize raw_tag(u32 type, const std::vector<u8>& payload) {
        const usize t = begin(type);
        bytes_.insert(bytes_.end(), payload.begin(), payload.end());
        return finish(t);
    }

    // 3.6.2: type 0, size 8.
    usize end() {
        const usize t = begin(0);
        return finish(t);
    }

    usize size() const { return bytes_.size(); }
    void patch8(usize offset, u8 v) { bytes_.at(offset) = v; }
    void patch16(usize offset, u16 v) {
        for (usize i = 0; i < 2; ++i) bytes_.at(offset + i) = static_cast<u8>(v >> (8 * i));
    }
    void patch32(usize offset, u32 v) {
        for (usize i = 0; i < 4; ++i) bytes_.at(offset + i) = static_cast<u8>(v >> (8 * i));
    }
    void patch64(usize offset, u64 v) {
        for (usize i = 0; i < 8; ++i) bytes_.at(offset + i) = static_cast<u8>(v >> (8 * i));
    }

    // The bytes, with total_size set to their length.
    std::vector<u8> build() {
        patch32(0, static_cast<u32>(bytes_.size()));
        return bytes_;
    }

private:
    usize begin(u32 type) {
        assert(bytes_.size() % 8 == 0); // finish() pads every tag
        const usize t = bytes_.size();
        put32(type);
        put32(0); // size, set by finish()
        return t;
    }
    usize finish(usize t) {
        patch32(t + 4, static_cast<u32>(bytes_.size() - t)); // size excludes the padding
        while (bytes_.size() % 8 != 0) bytes_.push_back(0);
        return t;
    }
    usize string_tag(u32 type, const std::string& s) {
        const usize t = begin(type);
        put_string(s);
        return finish(t);
    }
    usize framebuffer_common(u64 addr, u32 pitch, u32 width, u32 height, u8 bpp, u8 type) {
        const usize t = begin(8);
        put64(addr);
        put32(pitch);
        put32(width);
        put32(height);
        bytes_.push_back(bpp);
        bytes_.push_back(type);
        put16(0); // reserved
        return t;
    }
    void put_string(const std::string& s) {
        bytes_.insert(bytes_.end(), s.begin(), s.end());
        bytes_.push_back(0);
    }
    void put16(u16 v) {
        for (usize i = 0; i < 2; ++i) bytes_.push_back(static_cast<u8>(v >> (8 * i)));
    }
    void put32(u32 v) {
        for (usize i = 0; i < 4; ++i) bytes_.push_back(static_cast<u8>(v >> (8 * i)));
    }
    void put64(u64 v) {
        for (usize i = 0; i < 8; ++i) bytes_.push_back(static_cast<u8>(v >> (8 * i)));
    }

    std::vector<u8> bytes_;
};

} // namespace celos::test
