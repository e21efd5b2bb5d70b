/* A registry of interfaces with interchangeable providers (fonts,
   consoles, displays): a C struct of function pointers registered under a
   name and an interface version.

   Lifecycle (ABI 1.2). A consumer acquires the provider and gets a handle;
   while any handle is held, the provider's module is not unloaded (the
   refusal names the holder). A consumer that passes a watch is told when
   the provider is replaced (celos_service_replace: a new font, a new display
   driver) and switches to the new ops; a replacement that any holder
   refuses, or that a holder without a watch would miss, fails and leaves
   the old provider in place. A module's registrations and handles go when
   it is unloaded or fails to start.

   ABI 1.7: a holder built for ABI 1.7 or later may also be asked to let go,
   when the provider's module is unloaded with CELOS_UNLOAD_ASK_HOLDERS
   (<celos/system.h>, `rmmod`): its watch's replace is called with
   `new_ops` NULL and `new_version` 0. It stops using the provider and
   returns CELOS_OK (the core then ends the hold, if the holder did not
   release it itself), or returns an error to keep it (the unload is
   refused, with the holder's error in the reason). */
#ifndef CELOS_SERVICE_H
#define CELOS_SERVICE_H

#include <celos/cdefs.h>
#include <celos/status.h>

/* A hold on a service's provider: > 0. */
typedef int32_t celos_service_handle;

/* How a holder hears of a replacement. `replace` runs in the replacing
   module's context (its init, or the shell): not in an interrupt or a log
   sink, so it may allocate. It switches the holder to `new_ops` and returns
   CELOS_OK, or returns an error to refuse the replacement; after CELOS_OK it
   may be called again with the old ops when another holder refuses (a roll
   back), and must switch back. The old provider stays loaded until replace
   has returned for every holder, so the holder may still use the old ops
   inside replace (to copy state). */
struct celos_service_watch {
    celos_status (*replace)(void* context, const void* new_ops, uint32_t new_version);
    void* context;
};

CELOS_BEGIN_DECLS
/* CELOS_ERR_EXISTS when `name` is taken. */
celos_status celos_service_register(const char* name, uint32_t version, const void* ops);
/* CELOS_ERR_BUSY while another module holds it. */
celos_status celos_service_unregister(const char* name, const void* ops);
/* The provider of `name` whose version is >= min_version, or NULL. A look
   without a hold: the provider may go at any time (ABI 1.2: use
   celos_service_acquire to use it). */
const void* celos_service_lookup(const char* name, uint32_t min_version);

/* ABI 1.2. Holds the provider of `name` (version >= min_version): *ops gets
   its ops, *handle the hold. `watch` may be NULL (the provider then cannot
   be replaced while held); the struct is copied. CELOS_ERR_NOT_FOUND when
   there is no such provider. */
celos_status celos_service_acquire(const char* name, uint32_t min_version, const struct celos_service_watch* watch,
                                   celos_service_handle* handle, const void** ops);
/* Ends a hold (CELOS_ERR_NOT_FOUND for a handle the caller does not hold). */
celos_status celos_service_release(celos_service_handle handle);
/* Registers `ops` as the provider of `name` in place of the current one
   (as celos_service_register when there is none). Every holder switches
   through its watch; then the old provider's registration is gone and its
   module can be unloaded. CELOS_ERR_BUSY when a holder has no watch, or a
   holder's error when it refuses (the old provider stays);
   CELOS_ERR_UNSUPPORTED when `version` is below what a holder asked for. */
celos_status celos_service_replace(const char* name, uint32_t version, const void* ops);
CELOS_END_DECLS

#endif
