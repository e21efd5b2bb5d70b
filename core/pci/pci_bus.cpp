#include "pci/pci_bus.h"

#include "arch/x86_64/pci_config.h"
#include "log/log.h"

namespace celos::pci {
namespace {

x86_64::PortConfigAccess port_access;
Function functions[kMaxFunctions];
usize function_count = 0;
bool scanned = false;

} // namespace

ConfigAccess& bus_access() {
    return port_access;
}

const Function* bus_functions(usize* count) {
    if (!scanned) {
        scanned = true;
        usize found = scan(port_access, functions, kMaxFunctions);
        function_count = found < kMaxFunctions ? found : kMaxFunctions;
        if (found > kMaxFunctions)
            log_warn("pci: %zu functions found, the first %zu kept", found, kMaxFunctions);
        log_info("pci: %zu functions (configuration mechanism #1)", function_count);
    }
    *count = function_count;
    return functions;
}

const Function* bus_find(Address a) {
    usize n = 0;
    const Function* f = bus_functions(&n);
    for (usize i = 0; i < n; ++i)
        if (f[i].address.bus == a.bus && f[i].address.device == a.device &&
            f[i].address.function == a.function)
            return &f[i];
    return nullptr;
}

} // namespace celos::pci
