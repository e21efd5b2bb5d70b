// visitor: a C++ module that depends on greeter (its export and its
// service) and on the heap (new (std::nothrow)).
#include <celos/abi.h>
#include <celos/cxx.h>
#include "greeter.h"

namespace {

char name[32] = "world";
const celos_module_param params[] = {
    {"name", CELOS_PARAM_STRING, sizeof name, name, "who is greeted"},
};

celos_service_handle handle;
const greeter_ops* greeter;

celos_status init() {
    // The service: held until exit, so greeter cannot be unloaded under us.
    const void* ops = nullptr;
    celos_status s = celos_service_acquire(GREETER_SERVICE, GREETER_VERSION, nullptr, &handle, &ops);
    if (s != CELOS_OK) return s;
    greeter = static_cast<const greeter_ops*>(ops);

    // The heap: a copy of the name, in upper case.
    size_t length = strlen(name);
    char* loud = new (std::nothrow) char[length + 1];
    if (!loud) return CELOS_ERR_NO_MEMORY;
    for (size_t i = 0; i <= length; ++i)
        loud[i] = (name[i] >= 'a' && name[i] <= 'z') ? static_cast<char>(name[i] - 'a' + 'A') : name[i];

    greeter->greet(name);
    int n = greeter->greet(loud);
    delete[] loud;
    // The export: a direct call into greeter.
    celos_log(CELOS_LOG_INFO, "greeter said '%s' %d times", greeter_word(), n);
    return CELOS_OK;
}

void exit() { celos_service_release(handle); }

} // namespace

CELOS_MODULE_WITH_PARAMS("visitor", "1.0", "greeter heap", init, exit, params, 1);
