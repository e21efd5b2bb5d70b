// PCI configuration mechanism #1: the address port 0xCF8 and the data port
// 0xCFC (PCI Local Bus 3.0, 3.2.2.3.2). Each access masks interrupts, since
// the address and the data are two port writes.
#pragma once

#include "pci/pci_decode.h"

namespace celos::x86_64 {

class PortConfigAccess final : public pci::ConfigAccess {
  public:
    u32 read32(pci::Address a, u16 offset) override;
    void write32(pci::Address a, u16 offset, u32 value) override;
};

} // namespace celos::x86_64
