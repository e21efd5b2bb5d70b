/* A registry of interfaces with interchangeable providers (fonts,
   consoles): a C struct of function pointers registered under a name and an
   interface version. A service registered by a module that then fails to
   start is removed with it. */
#ifndef CELOS_SERVICE_H
#define CELOS_SERVICE_H

#include <celos/cdefs.h>
#include <celos/status.h>

CELOS_BEGIN_DECLS
/* CELOS_ERR_EXISTS when `name` is taken. */
celos_status celos_service_register(const char* name, uint32_t version, const void* ops);
celos_status celos_service_unregister(const char* name, const void* ops);
/* The provider of `name` whose version is >= min_version, or NULL. */
const void* celos_service_lookup(const char* name, uint32_t min_version);
CELOS_END_DECLS

#endif
