// PCI decoding over a fake configuration space (PCI Local Bus 3.0, 6.2.5.1
// for BAR sizing, 6.7 for capability lists), with hostile values: BARs of
// size zero or past the address space, lists that loop or point into the
// header.
#include <catch2/catch.hpp>

#include <cstring>
#include <map>

#include "pci/pci_decode.h"

using namespace celos;
using namespace celos::pci;

namespace {

// One function per address; BARs answer the all-ones write with their size
// mask, like hardware.
struct FakeFunction {
    uint8_t space[256] = {};
    uint32_t bar_mask[6] = {}; // bits that read back after writing ones
    bool sizing[6] = {};
};

class FakeConfig final : public ConfigAccess {
  public:
    std::map<uint32_t, FakeFunction> functions;
    int writes = 0;

    static uint32_t key(Address a) { return (uint32_t(a.bus) << 16) | (a.device << 8) | a.function; }
    FakeFunction& at(Address a) { return functions[key(a)]; }

    uint32_t read32(Address a, u16 offset) override {
        auto it = functions.find(key(a));
        if (it == functions.end()) return 0xFFFFFFFF;
        FakeFunction& f = it->second;
        if (offset >= 0x10 && offset < 0x28) {
            unsigned i = (offset - 0x10) / 4;
            uint32_t v;
            std::memcpy(&v, f.space + offset, 4);
            if (f.sizing[i]) return (v & 0xF & ~f.bar_mask[i]) | f.bar_mask[i];
            return v;
        }
        uint32_t v;
        std::memcpy(&v, f.space + (offset & 0xFC), 4);
        return v;
    }
    void write32(Address a, u16 offset, u32 value) override {
        ++writes;
        auto it = functions.find(key(a));
        if (it == functions.end()) return;
        FakeFunction& f = it->second;
        if (offset >= 0x10 && offset < 0x28) {
            unsigned i = (offset - 0x10) / 4;
            f.sizing[i] = value == 0xFFFFFFFF;
            if (f.sizing[i]) return;
        }
        std::memcpy(f.space + (offset & 0xFC), &value, 4);
    }
};

void put32(FakeFunction& f, unsigned offset, uint32_t v) {
    std::memcpy(f.space + offset, &v, 4);
}
void put16(FakeFunction& f, unsigned offset, uint16_t v) {
    std::memcpy(f.space + offset, &v, 2);
}

FakeFunction& device(FakeConfig& c, Address a, uint16_t vendor, uint16_t dev,
                     uint32_t class_rev = 0x03000000) {
    FakeFunction& f = c.at(a);
    put16(f, 0, vendor);
    put16(f, 2, dev);
    put32(f, 8, class_rev);
    return f;
}

constexpr Address kA{0, 2, 0};

} // namespace

// A PCI-to-PCI bridge (class 0604, header type 1) to bus `secondary`.
FakeFunction& bridge(FakeConfig& c, Address a, uint8_t secondary) {
    FakeFunction& f = device(c, a, 0x8086, 0x244e, 0x06040000);
    f.space[0x0E] = 0x01;
    f.space[0x19] = secondary;
    return f;
}

TEST_CASE("pci: the scan finds functions, follows the multifunction bit and bridges") {
    FakeConfig c;
    device(c, {0, 0, 0}, 0x8086, 0x1237, 0x06000002);
    device(c, {0, 2, 0}, 0x1234, 0x1111);
    auto& multi = device(c, {0, 3, 0}, 0x1af4, 0x1050);
    multi.space[0x0E] = 0x80;
    device(c, {0, 3, 1}, 0x1af4, 0x1052);
    device(c, {0, 4, 5}, 0x1111, 0x2222); // function 5 of a single-function device: not scanned
    bridge(c, {0, 5, 0}, 7);
    device(c, {7, 1, 0}, 0x10de, 0x0001);  // behind the bridge
    device(c, {9, 1, 0}, 0x10de, 0x0002);  // on a bus no bridge leads to: not scanned
    Function out[8];
    usize n = scan(c, out, 8);
    REQUIRE(n == 6);
    CHECK(out[0].vendor_id == 0x8086);
    CHECK(out[0].class_code == 0x06);
    CHECK(out[0].revision == 2);
    CHECK(out[1].device_id == 0x1111);
    CHECK(out[1].class_code == 0x03);
    CHECK(out[3].address.function == 1);
    CHECK(out[4].subclass == 0x04);
    CHECK(out[5].address.bus == 7);
    CHECK(out[5].device_id == 0x0001);
    // A small table: the count still says how many there are.
    CHECK(scan(c, out, 2) == 6);
}

TEST_CASE("pci: bridges that loop or name a bus twice are read once, host bridges 00:00.N root bus N") {
    FakeConfig c;
    auto& host = device(c, {0, 0, 0}, 0x8086, 0x29c0, 0x06000000);
    host.space[0x0E] = 0x80;                             // multifunction: more host bridges
    device(c, {0, 0, 2}, 0x8086, 0x29c0, 0x06000000); // roots bus 2
    bridge(c, {0, 1, 0}, 1);
    bridge(c, {1, 0, 0}, 0); // back to bus 0
    bridge(c, {1, 1, 0}, 1); // to its own bus
    bridge(c, {1, 2, 0}, 3);
    bridge(c, {3, 0, 0}, 1); // a loop through bus 3
    device(c, {2, 4, 0}, 0x1af4, 0x1050);
    device(c, {3, 9, 0}, 0x1af4, 0x1001);
    Function out[16];
    usize n = scan(c, out, 16);
    REQUIRE(n == 9);
    // Bus 0 first, then the buses in the order they were found: 2 (host
    // bridge), 1 (bridge on bus 0), 3 (bridge on bus 1).
    CHECK(out[0].address.bus == 0);
    CHECK(out[1].address.bus == 0);
    CHECK(out[2].address.bus == 0);
    CHECK(out[3].address.bus == 2);
    CHECK(out[4].address.bus == 1);
    CHECK(out[7].address.bus == 3);
    CHECK(out[8].device_id == 0x1001);
    // A bridge to every bus there is: each is read once, the scan ends.
    FakeConfig wide;
    device(wide, {0, 0, 0}, 0x8086, 0x1237, 0x06000000);
    for (unsigned bus = 0; bus < 256; ++bus)
        for (uint8_t dev = 1; dev < 3; ++dev) bridge(wide, {uint8_t(bus), dev, 0}, uint8_t((bus * 7 + dev) & 0xFF));
    Function many[4];
    usize all = scan(wide, many, 4);
    CHECK(all >= 3);
    CHECK(all <= 1 + 256 * 2);
}

TEST_CASE("pci: 32-bit memory BAR sized and restored") {
    FakeConfig c;
    auto& f = device(c, kA, 0x1234, 0x1111);
    put32(f, 0x10, 0xFD000008); // prefetchable 32-bit at 0xFD000000
    f.bar_mask[0] = 0xFF000000; // 16 MiB
    auto bar = bar_probe(c, kA, 0);
    REQUIRE(bar.ok());
    CHECK(bar.value().kind == BarKind::memory32);
    CHECK(bar.value().base == 0xFD000000);
    CHECK(bar.value().size == 16u << 20);
    CHECK(bar.value().prefetchable);
    CHECK(c.read32(kA, 0x10) == 0xFD000008);
}

TEST_CASE("pci: 64-bit memory BAR and I/O BAR") {
    FakeConfig c;
    auto& f = device(c, kA, 0x1af4, 0x1050);
    put32(f, 0x20, 0x0000000C); // BAR 4: 64-bit prefetchable
    put32(f, 0x24, 0x00000080); // high half: 0x80_00000000
    f.bar_mask[4] = 0xFFFFC000; // 16 KiB
    f.bar_mask[5] = 0xFFFFFFFF;
    put32(f, 0x14, 0xC041); // BAR 1: I/O at 0xC040, 32 ports
    f.bar_mask[1] = 0xFFE0;
    auto bar = bar_decode(c, kA, 4);
    REQUIRE(bar.ok());
    CHECK(bar.value().kind == BarKind::memory64);
    CHECK(bar.value().base == 0x8000000000ull);
    CHECK(bar.value().size == 0x4000);
    auto io = bar_decode(c, kA, 1);
    REQUIRE(io.ok());
    CHECK(io.value().kind == BarKind::io);
    CHECK(io.value().base == 0xC040);
    CHECK(io.value().size == 32);
}

TEST_CASE("pci: hostile BARs are refused naming the check") {
    FakeConfig c;
    auto& f = device(c, kA, 0x1234, 0x1111);
    SECTION("unimplemented") {
        auto r = bar_decode(c, kA, 0);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().status == Status::not_found);
    }
    SECTION("size zero") {
        put32(f, 0x10, 0xFD000000);
        f.bar_mask[0] = 0;
        auto r = bar_decode(c, kA, 0);
        REQUIRE_FALSE(r.ok());
        CHECK(std::string(r.error().check) == "memory BAR of size zero");
    }
    SECTION("a 32-bit BAR past 4 GiB") {
        put32(f, 0x10, 0xFF000000);
        f.bar_mask[0] = 0xFE000000; // 32 MiB from 0xFF000000
        auto r = bar_decode(c, kA, 0);
        REQUIRE_FALSE(r.ok());
        CHECK(std::string(r.error().check) == "32-bit BAR past 4 GiB");
    }
    SECTION("a size mask with holes") {
        put32(f, 0x10, 0xE0000000);
        f.bar_mask[0] = 0xF0F00000;
        auto r = bar_decode(c, kA, 0);
        REQUIRE_FALSE(r.ok());
        CHECK(std::string(r.error().check) == "memory BAR size is not a power of two");
    }
    SECTION("a 64-bit BAR larger than the address space") {
        put32(f, 0x10, 0x4);
        put32(f, 0x14, 0xFFFFFFF0);
        f.bar_mask[0] = 0xFFFFFFF0;
        f.bar_mask[1] = 0x0; // size 2^64 - ...: everything
        auto r = bar_decode(c, kA, 0);
        REQUIRE_FALSE(r.ok());
    }
    SECTION("a 64-bit BAR past 2^52") {
        put32(f, 0x10, 0x4);
        put32(f, 0x14, 0xFFFFF000);
        f.bar_mask[0] = 0xFFF00000;
        f.bar_mask[1] = 0xFFFFFFFF;
        auto r = bar_decode(c, kA, 0);
        REQUIRE_FALSE(r.ok());
        CHECK(std::string(r.error().check) == "64-bit BAR past the 52-bit physical address space");
    }
    SECTION("a 64-bit BAR in the last slot") {
        put32(f, 0x24, 0x4);
        f.bar_mask[5] = 0xFFF00000;
        auto r = bar_decode(c, kA, 5);
        REQUIRE_FALSE(r.ok());
        CHECK(std::string(r.error().check) == "64-bit BAR in the last slot");
    }
    SECTION("a reserved type") {
        put32(f, 0x10, 0xFD000006);
        f.bar_mask[0] = 0xFF000000;
        CHECK_FALSE(bar_decode(c, kA, 0).ok());
    }
    SECTION("an I/O BAR past 64 KiB of ports") {
        put32(f, 0x10, 0xFFF1);
        f.bar_mask[0] = 0xFFE0;
        auto r = bar_decode(c, kA, 0);
        REQUIRE_FALSE(r.ok());
        CHECK(std::string(r.error().check) == "I/O BAR past the 64 KiB port space");
    }
    SECTION("index out of range") {
        CHECK_FALSE(bar_decode(c, kA, 6).ok());
    }
}

TEST_CASE("pci: BAR placement: RAM, the core, alignment, base 0") {
    Range reserved[] = {{0, 0x7FE0000}, {0x100000, 0x400000}};
    Bar ok{BarKind::memory32, 0xFD000000, 0x1000000, true};
    CHECK(bar_check_placement(ok, reserved, 2).ok());
    Bar over_ram{BarKind::memory32, 0x4000000, 0x1000000, false};
    auto r = bar_check_placement(over_ram, reserved, 2);
    REQUIRE_FALSE(r.ok());
    CHECK(std::string(r.error().check) == "memory BAR overlaps RAM or the core");
    Bar unassigned{BarKind::memory32, 0, 0x1000, false};
    CHECK_FALSE(bar_check_placement(unassigned, reserved, 2).ok());
    Bar misaligned{BarKind::memory32, 0xFD001000, 0x1000000, false};
    CHECK_FALSE(bar_check_placement(misaligned, reserved, 2).ok());
}

TEST_CASE("pci: capability lists, loops and pointers into the header") {
    FakeConfig c;
    auto& f = device(c, kA, 0x1af4, 0x1050);
    put16(f, 0x06, 0x10); // capabilities
    f.space[0x34] = 0x40;
    f.space[0x40] = 0x09;
    f.space[0x41] = 0x50; // vendor-specific
    f.space[0x50] = 0x11;
    f.space[0x51] = 0x60; // MSI-X
    f.space[0x60] = 0x09;
    f.space[0x61] = 0x00;
    auto first = capability_find(c, kA, 0x09);
    REQUIRE(first.ok());
    CHECK(first.value() == 0x40);
    auto second = capability_find(c, kA, 0x09, first.value());
    REQUIRE(second.ok());
    CHECK(second.value() == 0x60);
    auto end = capability_find(c, kA, 0x09, second.value());
    REQUIRE_FALSE(end.ok());
    CHECK(end.error().status == Status::not_found);
    CHECK_FALSE(capability_find(c, kA, 0x05).ok());

    SECTION("a loop") {
        f.space[0x61] = 0x40;
        auto r = capability_find(c, kA, 0x05);
        REQUIRE_FALSE(r.ok());
        CHECK(std::string(r.error().check) == "capability list loops");
    }
    SECTION("a pointer into the header") {
        f.space[0x61] = 0x10;
        auto r = capability_find(c, kA, 0x05);
        REQUIRE_FALSE(r.ok());
        CHECK(std::string(r.error().check) == "capability pointer inside the header");
    }
    SECTION("no list") {
        put16(f, 0x06, 0);
        CHECK(capability_find(c, kA, 0x09).error().status == Status::not_found);
    }
}

TEST_CASE("pci: byte and word access") {
    FakeConfig c;
    auto& f = device(c, kA, 0x1234, 0x1111);
    put32(f, 0x04, 0x00100003);
    CHECK(read(c, kA, 0x06, 2) == 0x0010);
    CHECK(read(c, kA, 0x02, 2) == 0x1111);
    write(c, kA, 0x04, 2, 0x0007);
    CHECK(read(c, kA, 0x04, 4) == 0x00100007);
    write(c, kA, 0x3C, 1, 0x0B);
    CHECK(read(c, kA, 0x3C, 1) == 0x0B);
}
