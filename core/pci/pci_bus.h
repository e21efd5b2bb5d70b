// The core's view of the PCI buses: scanned once, on first use, through
// configuration mechanism #1; read by the ABI (<celos/pci.h>) and by
// celos_info("pci").
#pragma once

#include "pci/pci_decode.h"

namespace celos::pci {

constexpr usize kMaxFunctions = 128;

// The functions found (scans on the first call).
const Function* bus_functions(usize* count);
// The scanned function at `a`, or null.
const Function* bus_find(Address a);
ConfigAccess& bus_access();
// BARs sized so far through the ABI (celos_pci_bar_get, celos_pci_map_bar):
// each function's BAR once, again only after a configuration write to its
// BAR registers (core/abi/pci.cpp). For the selftest.
u64 bar_probes();

} // namespace celos::pci
