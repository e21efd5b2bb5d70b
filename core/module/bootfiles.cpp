#include "module/bootfiles.h"

#include "boot/multiboot2.h"

namespace celos {
namespace {

BootFile files[mb2::kMaxModules];
usize file_count;

} // namespace

bool bootfile_add(StringView name, ByteSpan data) {
    if (file_count == sizeof files / sizeof files[0]) return false;
    files[file_count++] = {name, data};
    return true;
}

const BootFile* bootfile_find(StringView name) {
    for (usize i = 0; i < file_count; ++i)
        if (files[i].name == name) return &files[i];
    return nullptr;
}

Span<const BootFile> bootfiles() {
    return Span<const BootFile>(files, file_count);
}

} // namespace celos
