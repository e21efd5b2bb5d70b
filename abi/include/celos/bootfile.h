/* Boot files: the non-ELF module2 files of grub.cfg (fonts, test data),
   looked up by the first word of their module2 command line. */
#ifndef CELOS_BOOTFILE_H
#define CELOS_BOOTFILE_H

#include <celos/cdefs.h>
#include <celos/status.h>

/* The longest boot file name (a module2 line's first word), the NAME_MAX of
   the file systems GRUB reads; a longer one is refused at boot. */
#define CELOS_BOOTFILE_NAME_MAX 255

CELOS_BEGIN_DECLS
/* CELOS_ERR_NOT_FOUND when no boot file has that name. The bytes are
   read-only and stay valid until the kernel stops. */
celos_status celos_bootfile_find(const char* name, const void** data, size_t* size);
CELOS_END_DECLS

#endif
