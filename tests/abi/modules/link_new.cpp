// Link-check fixture: a plain (throwing) operator new, which modules do not
// have: the check says to use new (std::nothrow).
#include <celos/abi.h>

namespace {
int* volatile kept;

celos_status init() {
    kept = new int(7);
    return CELOS_OK;
}
} // namespace

CELOS_MODULE("link_new", "1.0", "heap", init, nullptr);
