// Parser of the Multiboot2 boot information (Multiboot2 specification 2.0,
// section 3.6), checked against the layout GRUB 2 really writes.
//
// The info comes from outside the kernel: every field is read through a
// bounds-checked ByteReader, and anything malformed is an error naming the
// failed check, never a read outside the span the caller mapped.
#pragma once

#include "lib/result.h"
#include "lib/span.h"
#include "lib/types.h"

namespace celos::mb2 {

// The value in EAX when a Multiboot2 loader jumps to the kernel (3.2).
inline constexpr u32 kBootloaderMagic = 0x36d76289;

// Memory map entry types (3.6.8); any other value is to be treated as reserved.
enum class MemoryType : u32 { available = 1, reserved = 2, acpi_reclaimable = 3, acpi_nvs = 4, bad = 5 };

// "available", "reserved", "ACPI reclaimable", "ACPI NVS", "bad" or "unknown".
const char* memory_type_name(u32 type);

struct MemoryRegion {
    PhysAddr base;
    u64 length;
    u32 type; // raw, so that types unknown to MemoryType are kept
};

enum class FramebufferType : u8 { indexed = 0, rgb = 1, ega_text = 2 };

// "indexed", "RGB", "EGA text" or "unknown".
const char* framebuffer_type_name(FramebufferType type);

struct Framebuffer {
    bool present;
    PhysAddr address;
    u32 pitch, width, height; // width and height in characters for ega_text
    u8 bpp;
    FramebufferType type;
    u8 red_position, red_size, green_position, green_size, blue_position, blue_size; // rgb only
    const u8* palette; // indexed only: palette_colors entries of red, green, blue (points into the info)
    u16 palette_colors;
};

struct Module {
    PhysAddr start;
    PhysAddr end;
    const char* cmdline; // points into the info bytes
};

inline constexpr usize kMaxMemoryRegions = 128;
inline constexpr usize kMaxModules = 64;
// Module tags past kMaxModules whose strings are kept, so that each can be
// named when it is refused; the rest are only counted.
inline constexpr usize kMaxRefusedModules = 64;

// What became of the memory map's entries (3.6.8). Entries of one type that
// touch or overlap are merged as they come; when kMaxMemoryRegions are still
// not enough, entries that are not RAM go first (reserved, bad, unknown: the
// kernel only logs them), then the smallest RAM regions (available, ACPI).
struct MemoryMapStats {
    usize entries;           // entries in the tag
    usize merged;            // merged into a neighbour of the same type
    usize dropped;           // dropped for lack of room, of any type
    usize dropped_available; // of those, available regions
    u64 dropped_available_bytes;
};

struct BootInfo {
    usize total_size;
    const char* cmdline;                    // "" when the tag is absent; points into the info bytes
    const char* bootloader_name;            // "" when absent
    MemoryRegion memory[kMaxMemoryRegions]; // in the tag's order, merged (see MemoryMapStats)
    usize memory_count;
    MemoryMapStats memory_stats;
    Framebuffer framebuffer;
    Module modules[kMaxModules]; // the first kMaxModules module tags
    usize module_count;
    // Module tags past the first kMaxModules: refused, never loaded. The
    // first kMaxRefusedModules of them have their strings here.
    const char* refused_modules[kMaxRefusedModules];
    usize refused_module_count; // all of them, may exceed kMaxRefusedModules
};

struct ParseError {
    const char* check; // static string naming the failed check
    u32 offset;        // bytes into the info: the tag, entry or field at fault
    u32 tag_type;      // 0 when not tag-specific
};

// Parses the info in `info`, the whole span the caller can safely read (its
// first total_size bytes are the info). On success `out` holds copies of the
// fields and pointers to strings inside `info`; on error `out` is partly
// filled and must not be used. Unknown tag types are skipped.
Result<void, ParseError> parse(ByteSpan info, BootInfo& out);

} // namespace celos::mb2
