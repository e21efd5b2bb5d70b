// <celos/status.h>: names and descriptions of the status codes, which
// celos::Status (core/lib/result.h) mirrors one for one.

#include <celos/abi.h>

#include "lib/result.h"

using namespace celos;

static_assert(CELOS_OK == static_cast<int>(Status::ok));
static_assert(CELOS_ERR_INVALID == static_cast<int>(Status::invalid));
static_assert(CELOS_ERR_NO_MEMORY == static_cast<int>(Status::no_memory));
static_assert(CELOS_ERR_NOT_FOUND == static_cast<int>(Status::not_found));
static_assert(CELOS_ERR_UNSUPPORTED == static_cast<int>(Status::unsupported));
static_assert(CELOS_ERR_RANGE == static_cast<int>(Status::range));
static_assert(CELOS_ERR_EXISTS == static_cast<int>(Status::exists));
static_assert(CELOS_ERR_IO == static_cast<int>(Status::io));
static_assert(CELOS_ERR_DEPENDENCY == static_cast<int>(Status::dependency));
static_assert(CELOS_ERR_FAULT == static_cast<int>(Status::fault));
static_assert(CELOS_ERR_BUSY == static_cast<int>(Status::busy));
static_assert(CELOS_ERR_NO_DEVICE == static_cast<int>(Status::no_device));

extern "C" {

const char* celos_status_name(celos_status status) {
    switch (status) {
    case CELOS_OK: return "CELOS_OK";
    case CELOS_ERR_INVALID: return "CELOS_ERR_INVALID";
    case CELOS_ERR_NO_MEMORY: return "CELOS_ERR_NO_MEMORY";
    case CELOS_ERR_NOT_FOUND: return "CELOS_ERR_NOT_FOUND";
    case CELOS_ERR_UNSUPPORTED: return "CELOS_ERR_UNSUPPORTED";
    case CELOS_ERR_RANGE: return "CELOS_ERR_RANGE";
    case CELOS_ERR_EXISTS: return "CELOS_ERR_EXISTS";
    case CELOS_ERR_IO: return "CELOS_ERR_IO";
    case CELOS_ERR_DEPENDENCY: return "CELOS_ERR_DEPENDENCY";
    case CELOS_ERR_FAULT: return "CELOS_ERR_FAULT";
    case CELOS_ERR_BUSY: return "CELOS_ERR_BUSY";
    case CELOS_ERR_NO_DEVICE: return "CELOS_ERR_NO_DEVICE";
    }
    return "CELOS_ERR_UNKNOWN";
}

const char* celos_strerror(celos_status status) {
    return status_name(static_cast<Status>(status));
}

} // extern "C"

CELOS_EXPORT(celos_status_name);
CELOS_EXPORT(celos_strerror);
