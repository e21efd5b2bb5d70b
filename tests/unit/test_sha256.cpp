// SHA-256 (core/lib/sha256.cpp) against the examples of FIPS 180-4 (NIST's
// "Cryptographic Standards and Guidelines: Examples with Intermediate
// Values", SHA-256) and against Python's hashlib on random inputs of many
// lengths (tests/fixtures/gen_sha256_vectors.py, made at build time).
#include <catch2/catch.hpp>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "lib/sha256.h"

using namespace celos;

namespace {

std::string hex_of(const Sha256Digest& d) {
    char out[65];
    sha256_hex(d, out);
    return out;
}

std::string hash(const std::string& s) { return hex_of(Sha256::digest(s.data(), s.size())); }

std::vector<unsigned char> from_hex(const std::string& hex) {
    std::vector<unsigned char> out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<unsigned char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

} // namespace

TEST_CASE("sha256: FIPS 180-4 examples", "[sha256]") {
    CHECK(hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(hash("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrst"
               "nopqrstu") == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    // One million 'a', fed in uneven pieces.
    Sha256 h;
    std::string chunk(997, 'a');
    size_t left = 1000000;
    while (left) {
        size_t n = left < chunk.size() ? left : chunk.size();
        h.update(chunk.data(), n);
        left -= n;
    }
    CHECK(hex_of(h.finish()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256: hex is lowercase, two digits a byte", "[sha256]") {
    Sha256Digest d{};
    d.bytes[0] = 0x0f;
    d.bytes[31] = 0xa0;
    CHECK(hex_of(d) == "0f000000000000000000000000000000000000000000000000000000000000a0");
}

TEST_CASE("sha256: equals Python's hashlib on random inputs, whole and in pieces", "[sha256]") {
    std::ifstream in(CELOS_SHA256_VECTORS);
    REQUIRE(in.good());
    std::mt19937 rng(7);
    size_t count = 0, max_length = 0;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        size_t length;
        std::string input_hex, digest_hex;
        REQUIRE(fields >> length >> input_hex >> digest_hex);
        std::vector<unsigned char> input = length ? from_hex(input_hex) : std::vector<unsigned char>();
        REQUIRE(input.size() == length);
        INFO("length " << length);
        CHECK(hex_of(Sha256::digest(input.data(), input.size())) == digest_hex);
        // Random piece sizes, including empty updates, cross every block boundary.
        Sha256 h;
        size_t at = 0;
        while (at < input.size()) {
            size_t n = std::uniform_int_distribution<size_t>(0, 130)(rng);
            if (n > input.size() - at) n = input.size() - at;
            h.update(input.data() + at, n);
            at += n;
        }
        CHECK(hex_of(h.finish()) == digest_hex);
        ++count;
        if (length > max_length) max_length = length;
    }
    CHECK(count > 300);
    CHECK(max_length > 100000);
}
