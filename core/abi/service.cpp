// <celos/service.h>: the service registry (module/services.cpp) for the
// calling module.

#include <celos/abi.h>

#include "abi/caller.h"
#include "module/services.h"

using namespace celos;

namespace {

celos_status status_of(const Result<void>& r) {
    return r.ok() ? CELOS_OK : static_cast<celos_status>(r.error().status);
}

} // namespace

extern "C" {

celos_status celos_service_register(const char* name, uint32_t version, const void* ops) {
    return status_of(service_register(CALLER_MODULE(), name, version, ops));
}

celos_status celos_service_unregister(const char* name, const void* ops) {
    return status_of(service_unregister(CALLER_MODULE(), name, ops));
}

const void* celos_service_lookup(const char* name, uint32_t min_version) {
    return service_lookup(name, min_version);
}

celos_status celos_service_acquire(const char* name, uint32_t min_version,
                                   const struct celos_service_watch* watch, celos_service_handle* handle,
                                   const void** ops) {
    if (handle == nullptr || ops == nullptr) return CELOS_ERR_INVALID;
    auto r = service_acquire(CALLER_MODULE(), name, min_version, watch);
    if (!r.ok()) return static_cast<celos_status>(r.error().status);
    *handle = r.value().handle;
    *ops = r.value().ops;
    return CELOS_OK;
}

celos_status celos_service_release(celos_service_handle handle) {
    return status_of(service_release(CALLER_MODULE(), handle));
}

celos_status celos_service_replace(const char* name, uint32_t version, const void* ops) {
    return status_of(service_replace(CALLER_MODULE(), name, version, ops));
}

} // extern "C"

CELOS_EXPORT(celos_service_register);
CELOS_EXPORT(celos_service_unregister);
CELOS_EXPORT(celos_service_lookup);
CELOS_EXPORT(celos_service_acquire);
CELOS_EXPORT(celos_service_release);
CELOS_EXPORT(celos_service_replace);
