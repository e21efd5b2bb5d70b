// The module manifest's lookup (core/module/manifest.cpp) on made-up tables,
// and the manifest the build generated (tools/gen_manifest.py) against the
// module files it was made from, hashed here with core/lib/sha256.cpp.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "module/manifest.h"

using namespace celos;

namespace {

Sha256Digest digest_of(const std::string& s) { return Sha256::digest(s.data(), s.size()); }

std::vector<unsigned char> read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    REQUIRE(f.good());
    return std::vector<unsigned char>(std::istreambuf_iterator<char>(f), {});
}

std::string base_name(const std::string& path) { return path.substr(path.find_last_of('/') + 1); }

} // namespace

TEST_CASE("manifest: binary search finds every entry and nothing else", "[manifest]") {
    std::vector<ManifestEntry> entries;
    std::vector<std::string> names;
    for (int i = 0; i < 37; ++i) names.push_back("m" + std::to_string(i) + ".ko");
    for (const std::string& n : names) entries.push_back({digest_of(n), n.c_str()});
    std::sort(entries.begin(), entries.end(), [](const ManifestEntry& a, const ManifestEntry& b) {
        return std::lexicographical_compare(a.digest.bytes, a.digest.bytes + 32, b.digest.bytes, b.digest.bytes + 32);
    });
    Manifest m(entries.data(), entries.size());
    REQUIRE(manifest_sorted(m));
    for (const std::string& n : names) {
        const ManifestEntry* e = manifest_find(m, digest_of(n));
        REQUIRE(e != nullptr);
        CHECK(std::string(e->file) == n);
    }
    CHECK(manifest_find(m, digest_of("not there")) == nullptr);
    Sha256Digest low{}, high;
    std::fill(std::begin(high.bytes), std::end(high.bytes), 0xff);
    CHECK(manifest_find(m, low) == nullptr);
    CHECK(manifest_find(m, high) == nullptr);
    // A digest one bit away from an entry is not that entry.
    Sha256Digest near = entries[5].digest;
    near.bytes[31] ^= 1;
    CHECK(manifest_find(m, near) == nullptr);
    CHECK(manifest_find(Manifest(), digest_of("x")) == nullptr);

    std::swap(entries[3], entries[4]);
    CHECK_FALSE(manifest_sorted(m));
    std::swap(entries[3], entries[4]);
    entries[4].digest = entries[3].digest;
    CHECK_FALSE(manifest_sorted(m)); // duplicates are not allowed either
}

TEST_CASE("manifest: modsig values", "[manifest]") {
    ModsigMode mode = ModsigMode::warn;
    CHECK(modsig_parse("enforce", mode));
    CHECK(mode == ModsigMode::enforce);
    CHECK(modsig_parse("warn", mode));
    CHECK(mode == ModsigMode::warn);
    for (const char* bad : {"", "Enforce", "enforced", "warn ", "1", "off"}) {
        mode = ModsigMode::enforce;
        CHECK_FALSE(modsig_parse(bad, mode));
        CHECK(mode == ModsigMode::enforce); // unchanged
    }
    CHECK(std::string(modsig_name(ModsigMode::enforce)) == "enforce");
}

TEST_CASE("manifest: the build's manifest holds every module it built, by content", "[manifest]") {
    Manifest m = module_manifest();
    REQUIRE(manifest_sorted(m));
    std::vector<std::string> files = {CELOS_MANIFEST_MODULE_FILES};
    REQUIRE(files.size() >= 4);
    REQUIRE(m.size() <= files.size());
    for (const std::string& path : files) {
        INFO(path);
        std::vector<unsigned char> data = read_file(path);
        Sha256Digest d = Sha256::digest(data.data(), data.size());
        const ManifestEntry* e = manifest_find(m, d);
        REQUIRE(e != nullptr);
        // Two modules with the same bytes share an entry; else it is this file's.
        CHECK(Sha256::digest(data.data(), data.size()) == e->digest);
        if (m.size() == files.size()) CHECK(std::string(e->file) == base_name(path));
    }
    // The tampered copy (one byte of a string changed) is not in it.
    std::vector<unsigned char> tampered = read_file(CELOS_TAMPERED_MODULE);
    CHECK(manifest_find(m, Sha256::digest(tampered.data(), tampered.size())) == nullptr);
}
