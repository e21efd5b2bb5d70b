/* Boot files: the non-ELF module2 files of grub.cfg (fonts, test data),
   looked up by the first word of their module2 command line. */
#ifndef CELOS_BOOTFILE_H
#define CELOS_BOOTFILE_H

#include <celos/cdefs.h>
#include <celos/status.h>

CELOS_BEGIN_DECLS
/* CELOS_ERR_NOT_FOUND when no boot file has that name. The bytes are
   read-only and stay valid until the kernel stops. */
celos_status celos_bootfile_find(const char* name, const void** data, size_t* size);
CELOS_END_DECLS

#endif
