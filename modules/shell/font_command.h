// The font command's pure parts: what kind of file a boot file is, by its
// first bytes, and which module provides fonts of that kind.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace celos::shell {

enum class FileKind : uint8_t {
    TooShort, // fewer than 4 bytes
    TrueType, // 00 01 00 00, 'true', or a collection 'ttcf'
    OpenType, // 'OTTO' (CFF outlines)
    Psf1,     // 36 04
    Psf2,     // 72 b5 4a 86
    Module,   // an ELF file
    Gzip,     // 1f 8b: a compressed font, which GRUB does not unpack
    Other,
};

FileKind file_kind(const uint8_t* data, size_t size);
// "a TrueType font", "a PSF1 font", ...
const char* file_kind_name(FileKind kind);
// The module that draws fonts of this kind ("truetype", "psf"), or null.
const char* font_provider(FileKind kind);

} // namespace celos::shell
