/* Status codes: 0 is success, failures are negative. */
#ifndef CELOS_STATUS_H
#define CELOS_STATUS_H

#include <celos/cdefs.h>

typedef int32_t celos_status;

#define CELOS_OK 0
#define CELOS_ERR_INVALID (-1)     /* malformed input or argument */
#define CELOS_ERR_NO_MEMORY (-2)
#define CELOS_ERR_NOT_FOUND (-3)
#define CELOS_ERR_UNSUPPORTED (-4)
#define CELOS_ERR_RANGE (-5)       /* a value does not fit */
#define CELOS_ERR_EXISTS (-6)
#define CELOS_ERR_IO (-7)
#define CELOS_ERR_DEPENDENCY (-8)  /* a module it needs is missing or failed */
#define CELOS_ERR_FAULT (-9)       /* the code faulted */
#define CELOS_ERR_BUSY (-10)       /* in use: held by another module (ABI 1.2) */
/* The device a driver module drives is absent (ABI 1.5). From init it
   means "not needed", as CELOS_ERR_EXISTS does: the module is unloaded
   without an error, and the log says why. */
#define CELOS_ERR_NO_DEVICE (-11)

CELOS_BEGIN_DECLS
/* "CELOS_ERR_NO_MEMORY" and the like; "CELOS_ERR_UNKNOWN" for others. */
const char* celos_status_name(celos_status status);
/* A short description: "out of memory". */
const char* celos_strerror(celos_status status);
CELOS_END_DECLS

#endif
