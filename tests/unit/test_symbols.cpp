// The symbol table over blobs built here in the layout of lib/symbols.h:
// u32 magic "KSYM", u32 count, count x {u64 address, u32 size, u32
// name_offset} sorted by address, then NUL-terminated names. Every blob is
// copied into a heap block of exactly its size, so that under ASan any read
// past the blob fails the test.
#include <catch2/catch.hpp>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "lib/symbols.h"

using namespace celos;

namespace {

struct Sym {
    u64 address;
    u32 size;
    std::string name;
};

class BlobBuilder {
  public:
    std::vector<u8> bytes;

    void u32le(u32 v) {
        for (int i = 0; i < 4; ++i)
            bytes.push_back(static_cast<u8>(v >> (8 * i)));
    }
    void u64le(u64 v) {
        for (int i = 0; i < 8; ++i)
            bytes.push_back(static_cast<u8>(v >> (8 * i)));
    }
    void patch32(usize at, u32 v) {
        for (int i = 0; i < 4; ++i)
            bytes[at + i] = static_cast<u8>(v >> (8 * i));
    }

    // A well-formed blob for `syms` (already sorted by address).
    static BlobBuilder table(const std::vector<Sym>& syms) {
        BlobBuilder b;
        b.u32le(kSymbolTableMagic);
        b.u32le(static_cast<u32>(syms.size()));
        std::string names;
        for (const Sym& s : syms) {
            b.u64le(s.address);
            b.u32le(s.size);
            b.u32le(static_cast<u32>(names.size()));
            names += s.name;
            names += '\0';
        }
        b.bytes.insert(b.bytes.end(), names.begin(), names.end());
        return b;
    }
    static usize entry(usize i) { return 8 + 16 * i; }
};

// An exact-size heap copy that outlives the SymbolTable looking at it.
struct Blob {
    std::unique_ptr<u8[]> data;
    usize size;
    explicit Blob(const std::vector<u8>& bytes, usize n) : data(new u8[n == 0 ? 1 : n]), size(n) {
        if (n) std::memcpy(data.get(), bytes.data(), n);
    }
    explicit Blob(const std::vector<u8>& bytes) : Blob(bytes, bytes.size()) {}
    ByteSpan span() const { return ByteSpan(data.get(), size); }
};

const std::vector<Sym> kSyms = {
    {0xffffffff80001000, 0x100, "kernel_main"},
    {0xffffffff80001100, 0x40, "celos::panic"},
    {0xffffffff80002000, 0, "isr_common"}, // assembly: no size
    {0xffffffff80003000, 0x20, "celos::panic_helper"},
};

std::string lookup_name(const SymbolTable& t, u64 address, u64* offset = nullptr) {
    SymbolMatch m{nullptr, 0};
    if (!t.lookup(address, m)) return "<none>";
    if (offset) *offset = m.offset;
    return m.name;
}

// Every query a caller might make, on a table that may be broken: whatever
// the answers, none may read outside the blob (ASan checks that).
void poke(const SymbolTable& t) {
    const u64 probes[] = {0,
                          1,
                          0xffffffff80000fff,
                          0xffffffff80001000,
                          0xffffffff80001050,
                          0xffffffff80001100,
                          0xffffffff80001140,
                          0xffffffff80002000,
                          0xffffffff80002fff,
                          0xffffffff80003000,
                          0xffffffff8000301f,
                          0xffffffff80003020,
                          ~u64{0}};
    for (u64 a : probes) {
        SymbolMatch m{nullptr, 0};
        if (t.lookup(a, m)) {
            REQUIRE(m.name != nullptr);
            (void)std::strlen(m.name);
        }
    }
    u64 address = 0;
    for (const Sym& s : kSyms)
        (void)t.find(s.name.c_str(), address);
    (void)t.find("", address);
    (void)t.find("not_a_symbol", address);
}

} // namespace

TEST_CASE("symbols: lookup inside a sized symbol") {
    Blob blob(BlobBuilder::table(kSyms).bytes);
    SymbolTable t(blob.span());
    REQUIRE(t.valid());
    CHECK(t.count() == 4);
    u64 off = 99;
    CHECK(lookup_name(t, 0xffffffff80001000, &off) == "kernel_main");
    CHECK(off == 0);
    CHECK(lookup_name(t, 0xffffffff800010ff, &off) == "kernel_main");
    CHECK(off == 0xff);
    CHECK(lookup_name(t, 0xffffffff80001100, &off) == "celos::panic");
    CHECK(off == 0);
    CHECK(lookup_name(t, 0xffffffff8000113f, &off) == "celos::panic");
    CHECK(off == 0x3f);
}

TEST_CASE("symbols: past a symbol's size there is no match") {
    Blob blob(BlobBuilder::table(kSyms).bytes);
    SymbolTable t(blob.span());
    CHECK(lookup_name(t, 0xffffffff80001140) == "<none>"); // gap after celos::panic
    CHECK(lookup_name(t, 0xffffffff80001fff) == "<none>");
    CHECK(lookup_name(t, 0xffffffff80003020) == "<none>"); // past the last symbol
    CHECK(lookup_name(t, ~u64{0}) == "<none>");
}

TEST_CASE("symbols: below the first symbol there is no match") {
    Blob blob(BlobBuilder::table(kSyms).bytes);
    SymbolTable t(blob.span());
    CHECK(lookup_name(t, 0xffffffff80000fff) == "<none>");
    CHECK(lookup_name(t, 0) == "<none>");
}

TEST_CASE("symbols: a zero-size symbol matches as the nearest below") {
    Blob blob(BlobBuilder::table(kSyms).bytes);
    SymbolTable t(blob.span());
    u64 off = 0;
    CHECK(lookup_name(t, 0xffffffff80002000, &off) == "isr_common");
    CHECK(off == 0);
    CHECK(lookup_name(t, 0xffffffff80002abc, &off) == "isr_common");
    CHECK(off == 0xabc);
    CHECK(lookup_name(t, 0xffffffff80002fff, &off) == "isr_common");
    CHECK(lookup_name(t, 0xffffffff80003000, &off) == "celos::panic_helper");
}

TEST_CASE("symbols: a one-symbol table") {
    Blob blob(BlobBuilder::table({{0x1000, 0x10, "only"}}).bytes);
    SymbolTable t(blob.span());
    REQUIRE(t.valid());
    CHECK(lookup_name(t, 0x1000) == "only");
    CHECK(lookup_name(t, 0x100f) == "only");
    CHECK(lookup_name(t, 0x1010) == "<none>");
    CHECK(lookup_name(t, 0xfff) == "<none>");
}

TEST_CASE("symbols: find by exact name") {
    Blob blob(BlobBuilder::table(kSyms).bytes);
    SymbolTable t(blob.span());
    u64 address = 0;
    REQUIRE(t.find("kernel_main", address));
    CHECK(address == 0xffffffff80001000);
    REQUIRE(t.find("isr_common", address));
    CHECK(address == 0xffffffff80002000);
    REQUIRE(t.find("celos::panic_helper", address));
    CHECK(address == 0xffffffff80003000);
    // "celos::panic" is a prefix of another name: the exact one is found.
    REQUIRE(t.find("celos::panic", address));
    CHECK(address == 0xffffffff80001100);
    address = 7;
    CHECK_FALSE(t.find("celos::pan", address));
    CHECK_FALSE(t.find("kernel_main2", address));
    CHECK_FALSE(t.find("", address));
    CHECK(address == 7);
}

TEST_CASE("symbols: an empty or default table finds nothing") {
    SymbolTable empty;
    CHECK_FALSE(empty.valid());
    CHECK(empty.count() == 0);
    SymbolMatch m{nullptr, 0};
    CHECK_FALSE(empty.lookup(0x1000, m));
    u64 address = 0;
    CHECK_FALSE(empty.find("x", address));
    CHECK_FALSE(SymbolTable(ByteSpan()).valid());
}

TEST_CASE("symbols: malformed headers give an invalid table") {
    const BlobBuilder good = BlobBuilder::table(kSyms);

    SECTION("bad magic") {
        BlobBuilder b = good;
        b.bytes[0] ^= 0x20;
        Blob blob(b.bytes);
        SymbolTable t(blob.span());
        CHECK_FALSE(t.valid());
        poke(t);
    }
    SECTION("count of zero") {
        BlobBuilder b = good;
        b.patch32(4, 0);
        Blob blob(b.bytes);
        CHECK_FALSE(SymbolTable(blob.span()).valid());
    }
    SECTION("count too big for the blob") {
        for (u32 count : {5u, 6u, 1000u, 0x0fffffffu, 0xffffffffu}) {
            BlobBuilder b = good;
            b.patch32(4, count);
            Blob blob(b.bytes);
            SymbolTable t(blob.span());
            INFO("count " << count);
            // 5 entries cover part of the names; any count that still fits
            // must leave a NUL-terminated names area.
            if (t.valid()) CHECK(t.count() == count);
            poke(t);
        }
        BlobBuilder b = good;
        b.patch32(4, 0xffffffffu);
        Blob blob(b.bytes);
        CHECK_FALSE(SymbolTable(blob.span()).valid());
    }
    SECTION("entries but no names at all") {
        BlobBuilder b;
        b.u32le(kSymbolTableMagic);
        b.u32le(1);
        b.u64le(0x1000);
        b.u32le(0x10);
        b.u32le(0);
        Blob blob(b.bytes);
        SymbolTable t(blob.span());
        CHECK_FALSE(t.valid());
        poke(t);
    }
    SECTION("names not NUL-terminated") {
        BlobBuilder b = good;
        b.bytes.at(b.bytes.size() - 1) = 'x';
        Blob blob(b.bytes);
        SymbolTable t(blob.span());
        CHECK_FALSE(t.valid());
        poke(t);
    }
    SECTION("every truncation of the blob") {
        for (usize n = 0; n < good.bytes.size(); ++n) {
            Blob blob(good.bytes, n);
            SymbolTable t(blob.span());
            INFO("truncated to " << n << " bytes");
            if (n < 8 + 16 * kSyms.size() + 1) CHECK_FALSE(t.valid());
            poke(t);
        }
    }
}

TEST_CASE("symbols: a name_offset out of range gives a false lookup") {
    BlobBuilder b = BlobBuilder::table(kSyms);
    const usize names_size = b.bytes.size() - BlobBuilder::entry(kSyms.size());
    // kernel_main's name points at, then past, the end of the names.
    for (u32 bad :
         {static_cast<u32>(names_size), static_cast<u32>(names_size + 1), 0x7fffffffu, 0xffffffffu}) {
        b.patch32(BlobBuilder::entry(0) + 12, bad);
        Blob blob(b.bytes);
        SymbolTable t(blob.span());
        INFO("name_offset " << bad);
        REQUIRE(t.valid()); // the header is fine; the entry is not
        CHECK(lookup_name(t, 0xffffffff80001000) == "<none>");
        // The other entries still work.
        CHECK(lookup_name(t, 0xffffffff80001100) == "celos::panic");
        u64 address = 0;
        CHECK_FALSE(t.find("kernel_main", address));
        CHECK(t.find("isr_common", address));
        poke(t);
    }
    // The last name's NUL is the last byte: an offset there is an empty name.
    b.patch32(BlobBuilder::entry(0) + 12, static_cast<u32>(names_size - 1));
    Blob blob(b.bytes);
    SymbolTable t(blob.span());
    CHECK(lookup_name(t, 0xffffffff80001000) == "");
}

TEST_CASE("symbols: unsorted or random entries never read out of bounds") {
    const BlobBuilder good = BlobBuilder::table(kSyms);
    u32 seed = 12345;
    auto next = [&seed] { return seed = seed * 1103515245u + 12345u; };
    for (int round = 0; round < 2000; ++round) {
        BlobBuilder b = good;
        // Scribble over the entries only, so the header stays plausible.
        const usize entries_end = BlobBuilder::entry(kSyms.size());
        for (int k = 0; k < 4; ++k) {
            const usize at = 8 + next() % (entries_end - 8);
            b.bytes[at] = static_cast<u8>(next() >> 16);
        }
        Blob blob(b.bytes);
        SymbolTable t(blob.span());
        poke(t);
    }
}
