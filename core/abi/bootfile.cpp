// <celos/bootfile.h>: the files GRUB loaded that are not started as modules.

#include <celos/abi.h>

#include "module/bootfiles.h"

using namespace celos;

extern "C" celos_status celos_bootfile_find(const char* name, const void** data, size_t* size) {
    if (name == nullptr || data == nullptr || size == nullptr) return CELOS_ERR_INVALID;
    const BootFile* f = bootfile_find(StringView(name));
    if (!f) return CELOS_ERR_NOT_FOUND;
    *data = f->data.data();
    *size = f->data.size();
    return CELOS_OK;
}

CELOS_EXPORT(celos_bootfile_find);
