// The service registry behind abi/include/celos/service.h: providers by
// name and version, holds on them, and replacement of a provider while it
// is held. Registrations and holds are resources of their modules
// (module/resources.h), so they go when the module goes.
#pragma once

#include <celos/service.h>

#include "lib/result.h"
#include "lib/string_view.h"

namespace celos {

Result<void> service_register(int owner, const char* name, u32 version, const void* ops);
// Status::busy while a module other than `caller` holds it.
Result<void> service_unregister(int caller, const char* name, const void* ops);
const void* service_lookup(const char* name, u32 min_version);

struct ServiceHold {
    celos_service_handle handle;
    const void* ops;
};
Result<ServiceHold> service_acquire(int holder, const char* name, u32 min_version,
                                    const celos_service_watch* watch);
Result<void> service_release(int holder, celos_service_handle handle);
Result<void> service_replace(int owner, const char* name, u32 version, const void* ops);

// Whether some provider of the service `name` is registered.
bool service_available(StringView name);
// Whether the provider of `name` is `module`'s.
bool service_provided_by(StringView name, int module);
// The first module other than `provider` that holds a service `provider`
// registered (its name in *service), or -1.
int service_held_from(int provider, const char** service);
// ABI 1.7: asks every other module that holds a service `provider`
// registered to let go of it (its watch's replace with NULL ops); each
// that does loses its hold. False, with the reason in `why`, while a hold
// stays: its holder cannot be asked (no watch, or a module built for an
// ABI before 1.7: nobody is asked then) or refused (those asked before it
// have let go; the service stays registered, so they may take it again).
bool service_ask_holders(int provider, char* why, usize why_size);

// Services and holds, for listings: calls fn for each provider.
void services_for_each(void (*fn)(void* ctx, const char* name, u32 version, int provider, usize holds),
                       void* ctx);

// Every hold: the service's name, its provider and the holder.
void service_holds_for_each(void (*fn)(void* ctx, const char* name, int provider, int holder), void* ctx);

} // namespace celos
