// The boot files: module2 lines labelled with a file name ("font.psf",
// "hello.ko"), which GRUB loaded and the boot does not start. Fonts and
// other data for modules (celos_bootfile_find), and modules to load later.
#pragma once

#include "lib/span.h"
#include "lib/string_view.h"

namespace celos {

struct BootFile {
    StringView name; // into the Multiboot2 information, which stays reserved
    ByteSpan data;
};

// False when the table is full (it holds as many as there are module2 lines).
bool bootfile_add(StringView name, ByteSpan data);
const BootFile* bootfile_find(StringView name);
Span<const BootFile> bootfiles();

} // namespace celos
