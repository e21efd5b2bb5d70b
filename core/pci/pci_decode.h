// PCI configuration space decoding over an access seam: enumeration, BAR
// decoding and sizing, capability lists. Pure logic: the kernel passes the
// port mechanism #1, the host tests a fake configuration space with hostile
// values. Every value read is device input and is checked.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace celos::pci {

struct Address {
    u8 bus, device, function;
};

// Reads and writes of aligned 32-bit words of a function's 256-byte space.
class ConfigAccess {
  public:
    virtual u32 read32(Address a, u16 offset) = 0;
    virtual void write32(Address a, u16 offset, u32 value) = 0;

  protected:
    ~ConfigAccess() = default;
};

// Offsets in the type 0 header (PCI Local Bus 3.0, 6.1).
constexpr u16 kVendorId = 0x00, kCommand = 0x04, kStatus = 0x06, kRevisionClass = 0x08, kHeaderType = 0x0E,
              kBar0 = 0x10, kSubsystem = 0x2C, kCapabilitiesPointer = 0x34, kInterruptLine = 0x3C;
// The type 1 (PCI-to-PCI bridge) header's secondary bus number (PCI-to-PCI
// Bridge Architecture 1.2, 3.2).
constexpr u16 kSecondaryBus = 0x19;
constexpr u16 kCommandIo = 1 << 0, kCommandMemory = 1 << 1, kCommandBusMaster = 1 << 2;
constexpr u16 kStatusCapabilities = 1 << 4;
constexpr unsigned kBarCount = 6;

// Byte, word or dword reads on top of read32 (offset aligned to its size).
u32 read(ConfigAccess& access, Address a, u16 offset, unsigned size);
void write(ConfigAccess& access, Address a, u16 offset, unsigned size, u32 value);

struct Function {
    Address address;
    u16 vendor_id, device_id;
    u8 class_code, subclass, prog_if, revision;
    u16 subsystem_vendor, subsystem_id;
    u8 header_type; // without the multifunction bit
    u8 interrupt_line;
};

// Every present function: bus 0, and each bus a PCI-to-PCI bridge found
// leads to (its secondary bus), each bus once; and, when the host bridge
// 00:00.0 is multifunction, bus N for each host bridge 00:00.N. The devices
// of a bus in order, a bridge's bus after the bus it is on. At most `max`
// kept. Returns how many were found (may exceed max: the rest are not
// stored). Reads the buses there are, not all 256 (8192 slots: about 2 ms
// of port I/O under QEMU's emulation).
usize scan(ConfigAccess& access, Function* out, usize max);

enum class BarKind : u8 { none, memory32, memory64, io };

struct Bar {
    BarKind kind = BarKind::none;
    u64 base = 0;
    u64 size = 0;
    bool prefetchable = false;
};

// Decodes and sizes BAR `index` of a type 0 function (writes all ones,
// reads back, restores; the caller disables decoding around it, as
// bar_probe does). Errors name the check: an unused BAR (Status::not_found),
// a reserved type, a 64-bit BAR in the last slot, size zero, a size that is
// not a power of two, a range past the address space.
Result<Bar> bar_decode(ConfigAccess& access, Address a, unsigned index);
// bar_decode with memory and I/O decoding off while the BAR is sized, the
// command register restored after.
Result<Bar> bar_probe(ConfigAccess& access, Address a, unsigned index);

// A physical range the BAR must not overlap (RAM, the core's image).
struct Range {
    u64 begin, end; // [begin, end)
};
// Error when a memory BAR overlaps one of `reserved`, or its base is not
// aligned to its size.
Result<void> bar_check_placement(const Bar& bar, const Range* reserved, usize count);

// The offset of the first capability with `id` after the one at `after`
// (0: from the start of the list). Status::not_found at the end of the
// list; Status::invalid for a list that loops (more than 48 entries), or a
// pointer inside the header or past the space.
Result<u8> capability_find(ConfigAccess& access, Address a, u8 id, u8 after = 0);

// "display controller" and the like, for listings.
const char* class_name(u8 class_code, u8 subclass);

} // namespace celos::pci
