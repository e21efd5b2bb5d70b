#include "lib/result.h"

namespace celos {

const char* status_name(Status s) {
    switch (s) {
    case Status::ok: return "success";
    case Status::invalid: return "invalid argument or malformed input";
    case Status::no_memory: return "out of memory";
    case Status::not_found: return "not found";
    case Status::unsupported: return "not supported";
    case Status::range: return "value out of range";
    case Status::exists: return "already exists";
    case Status::io: return "I/O error";
    case Status::dependency: return "a dependency is missing or failed";
    case Status::fault: return "the code faulted";
    case Status::busy: return "in use";
    case Status::no_device: return "no such device";
    }
    return "unknown error";
}

} // namespace celos
