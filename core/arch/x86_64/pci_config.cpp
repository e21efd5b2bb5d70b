#include "arch/x86_64/pci_config.h"

#include "lib/irq.h"

namespace celos::x86_64 {
namespace {

constexpr u16 kAddressPort = 0xCF8, kDataPort = 0xCFC;

inline void outl(u16 port, u32 v) {
    asm volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}
inline u32 inl(u16 port) {
    u32 v;
    asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

u32 address_of(pci::Address a, u16 offset) {
    return 0x80000000u | (u32(a.bus) << 16) | (u32(a.device & 31) << 11) | (u32(a.function & 7) << 8) |
           (offset & 0xFC);
}

} // namespace

u32 PortConfigAccess::read32(pci::Address a, u16 offset) {
    IrqGuard guard;
    outl(kAddressPort, address_of(a, offset));
    return inl(kDataPort);
}

void PortConfigAccess::write32(pci::Address a, u16 offset, u32 value) {
    IrqGuard guard;
    outl(kAddressPort, address_of(a, offset));
    outl(kDataPort, value);
}

} // namespace celos::x86_64
