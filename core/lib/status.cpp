#include "lib/result.h"

namespace celos {

const char* status_name(Status s) {
    switch (s) {
    case Status::ok: return "ok";
    case Status::invalid: return "invalid";
    case Status::no_memory: return "out of memory";
    case Status::not_found: return "not found";
    case Status::unsupported: return "unsupported";
    case Status::range: return "out of range";
    case Status::exists: return "already exists";
    case Status::io: return "I/O error";
    }
    return "unknown status";
}

} // namespace celos
