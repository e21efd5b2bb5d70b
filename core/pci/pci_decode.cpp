#include "pci/pci_decode.h"

#include "lib/irq.h"

namespace celos::pci {

u32 read(ConfigAccess& access, Address a, u16 offset, unsigned size) {
    u32 word = access.read32(a, u16(offset & 0xFC));
    unsigned shift = (offset & 3) * 8;
    if (size == 1) return (word >> shift) & 0xFF;
    if (size == 2) return (word >> shift) & 0xFFFF;
    return word;
}

void write(ConfigAccess& access, Address a, u16 offset, unsigned size, u32 value) {
    if (size == 4) {
        access.write32(a, offset, value);
        return;
    }
    unsigned shift = (offset & 3) * 8;
    u32 mask = (size == 1 ? 0xFFu : 0xFFFFu) << shift;
    u32 word = access.read32(a, u16(offset & 0xFC));
    access.write32(a, u16(offset & 0xFC), (word & ~mask) | ((value << shift) & mask));
}

namespace {

bool read_function(ConfigAccess& access, Address a, Function& f) {
    u32 id = access.read32(a, kVendorId);
    if ((id & 0xFFFF) == 0xFFFF || (id & 0xFFFF) == 0) return false;
    u32 cls = access.read32(a, kRevisionClass);
    u32 sub = access.read32(a, kSubsystem);
    f.address = a;
    f.vendor_id = u16(id);
    f.device_id = u16(id >> 16);
    f.revision = u8(cls);
    f.prog_if = u8(cls >> 8);
    f.subclass = u8(cls >> 16);
    f.class_code = u8(cls >> 24);
    f.header_type = u8(read(access, a, kHeaderType, 1) & 0x7F);
    f.subsystem_vendor = f.header_type == 0 ? u16(sub) : 0;
    f.subsystem_id = f.header_type == 0 ? u16(sub >> 16) : 0;
    f.interrupt_line = u8(read(access, a, kInterruptLine, 1));
    return true;
}

Error err(Status s, const char* check) {
    return Error{s, check};
}

} // namespace

usize scan(ConfigAccess& access, Function* out, usize max) {
    // Buses to read, in the order they were found; each once (a bridge
    // naming a bus already seen, or its own, adds nothing).
    u8 queue[256];
    bool queued[256] = {};
    usize head = 0, tail = 0;
    auto add_bus = [&](unsigned bus) {
        if (queued[bus]) return;
        queued[bus] = true;
        queue[tail++] = u8(bus);
    };
    add_bus(0);
    if (read(access, Address{0, 0, 0}, kHeaderType, 1) & 0x80)
        for (u8 fn = 1; fn < 8; ++fn) {
            u32 id = access.read32(Address{0, 0, fn}, kVendorId);
            if ((id & 0xFFFF) != 0xFFFF && (id & 0xFFFF) != 0) add_bus(fn); // host bridge N: bus N
        }
    usize found = 0;
    auto record = [&](const Function& f) {
        if (found < max) out[found] = f;
        ++found;
        if (f.class_code == 0x06 && f.subclass == 0x04 && f.header_type == 1)
            add_bus(read(access, f.address, kSecondaryBus, 1));
    };
    while (head < tail) {
        const u8 bus = queue[head++];
        for (u8 dev = 0; dev < 32; ++dev) {
            Function f{};
            if (!read_function(access, Address{bus, dev, 0}, f)) continue;
            bool multi = read(access, Address{bus, dev, 0}, kHeaderType, 1) & 0x80;
            record(f);
            if (!multi) continue;
            for (u8 fn = 1; fn < 8; ++fn)
                if (read_function(access, Address{bus, dev, fn}, f)) record(f);
        }
    }
    return found;
}

Result<Bar> bar_decode(ConfigAccess& access, Address a, unsigned index) {
    if (index >= kBarCount) return err(Status::range, "BAR index above 5");
    u16 off = u16(kBar0 + index * 4);
    u32 original = access.read32(a, off);
    access.write32(a, off, 0xFFFFFFFF);
    u32 readback = access.read32(a, off);
    access.write32(a, off, original);
    Bar bar;
    if (original & 1) {
        // I/O space: bits 31..2 (the upper half reads 0 on 16-bit decoders).
        u32 mask = readback & ~3u;
        if (mask == 0)
            return original == 1 || original == 0 ? err(Status::not_found, "BAR not implemented")
                                                  : err(Status::invalid, "I/O BAR of size zero");
        if ((mask & 0xFFFF0000u) == 0) mask |= 0xFFFF0000u;
        u32 size = ~mask + 1;
        if (size == 0 || (size & (size - 1)))
            return err(Status::invalid, "I/O BAR size is not a power of two");
        bar.kind = BarKind::io;
        bar.base = original & ~3u;
        bar.size = size;
        if (bar.base + bar.size > 0x10000) return err(Status::range, "I/O BAR past the 64 KiB port space");
        return bar;
    }
    u32 type = (original >> 1) & 3;
    bar.prefetchable = original & 8;
    if (type == 1 || type == 3) return err(Status::invalid, "memory BAR of a reserved type");
    if (type == 0) {
        u32 mask = readback & ~0xFu;
        if (mask == 0)
            return original == 0 ? err(Status::not_found, "BAR not implemented")
                                 : err(Status::invalid, "memory BAR of size zero");
        u32 size = ~mask + 1;
        if (size == 0 || (size & (size - 1)))
            return err(Status::invalid, "memory BAR size is not a power of two");
        bar.kind = BarKind::memory32;
        bar.base = original & ~0xFu;
        bar.size = size;
        if (bar.base + bar.size > (u64(1) << 32)) return err(Status::range, "32-bit BAR past 4 GiB");
        return bar;
    }
    if (index + 1 >= kBarCount) return err(Status::invalid, "64-bit BAR in the last slot");
    u16 off_hi = u16(off + 4);
    u32 original_hi = access.read32(a, off_hi);
    access.write32(a, off_hi, 0xFFFFFFFF);
    u32 readback_hi = access.read32(a, off_hi);
    access.write32(a, off_hi, original_hi);
    u64 mask = (u64(readback_hi) << 32) | (readback & ~0xFu);
    if (mask == 0) return err(Status::invalid, "memory BAR of size zero");
    u64 size = ~mask + 1;
    if (size == 0 || (size & (size - 1)))
        return err(Status::invalid, "memory BAR size is not a power of two");
    bar.kind = BarKind::memory64;
    bar.base = (u64(original_hi) << 32) | (original & ~0xFu);
    bar.size = size;
    constexpr u64 kPhysLimit = u64(1) << 52; // the architectural maximum
    if (bar.size > kPhysLimit || bar.base > kPhysLimit - bar.size)
        return err(Status::range, "64-bit BAR past the 52-bit physical address space");
    return bar;
}

Result<Bar> bar_probe(ConfigAccess& access, Address a, unsigned index) {
    // Nothing may touch the device (the console's flush from the timer
    // writes to a framebuffer BAR) while it does not decode.
    IrqGuard guard;
    u32 command = read(access, a, kCommand, 2);
    write(access, a, kCommand, 2, command & ~u32(kCommandIo | kCommandMemory));
    auto r = bar_decode(access, a, index);
    write(access, a, kCommand, 2, command);
    return r;
}

Result<void> bar_check_placement(const Bar& bar, const Range* reserved, usize count) {
    if (bar.kind == BarKind::none) return err(Status::invalid, "no BAR");
    if (bar.base == 0) return err(Status::invalid, "BAR not assigned (base 0)");
    if (bar.base & (bar.size - 1)) return err(Status::invalid, "BAR base not aligned to its size");
    if (bar.kind == BarKind::io) return {};
    for (usize i = 0; i < count; ++i)
        if (bar.base < reserved[i].end && reserved[i].begin < bar.base + bar.size)
            return err(Status::invalid, "memory BAR overlaps RAM or the core");
    return {};
}

Result<u8> capability_find(ConfigAccess& access, Address a, u8 id, u8 after) {
    if (!(read(access, a, kStatus, 2) & kStatusCapabilities))
        return err(Status::not_found, "no capability list");
    u32 pointer = after ? read(access, a, u16(after + 1), 1) : read(access, a, kCapabilitiesPointer, 1);
    // At most (256 - 64) / 4 entries fit: more means a loop.
    for (unsigned steps = 0; steps < 48; ++steps) {
        pointer &= 0xFC;
        if (pointer == 0) return err(Status::not_found, "capability not found");
        if (pointer < 0x40) return err(Status::invalid, "capability pointer inside the header");
        u32 word = access.read32(a, u16(pointer));
        if ((word & 0xFF) == id) return u8(pointer);
        pointer = (word >> 8) & 0xFF;
    }
    return err(Status::invalid, "capability list loops");
}

const char* class_name(u8 class_code, u8 subclass) {
    switch (class_code) {
    case 0x00: return "unclassified";
    case 0x01:
        return subclass == 0x01   ? "IDE controller"
               : subclass == 0x06 ? "SATA controller"
                                  : "storage controller";
    case 0x02: return "network controller";
    case 0x03: return subclass == 0x00 ? "VGA-compatible controller" : "display controller";
    case 0x04: return "multimedia controller";
    case 0x05: return "memory controller";
    case 0x06:
        switch (subclass) {
        case 0x00: return "host bridge";
        case 0x01: return "ISA bridge";
        case 0x04: return "PCI bridge";
        default: return "bridge";
        }
    case 0x07: return "communication controller";
    case 0x08: return "system peripheral";
    case 0x0C:
        return subclass == 0x03 ? "USB controller" : subclass == 0x05 ? "SMBus" : "serial bus controller";
    default: return "other";
    }
}

} // namespace celos::pci
