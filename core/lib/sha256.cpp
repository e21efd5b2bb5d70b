// SHA-256 as FIPS 180-4 describes it: section 4.1.2 (functions), 4.2.2
// (constants), 5.1.1 (padding), 5.3.3 (initial hash value), 6.2.2 (the
// compression of one 512-bit block).
#include "lib/sha256.h"

namespace celos {
namespace {

constexpr u32 kRoundConstants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

constexpr u32 kInitialHash[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

constexpr u32 rotr(u32 x, int n) { return (x >> n) | (x << (32 - n)); }
constexpr u32 ch(u32 x, u32 y, u32 z) { return (x & y) ^ (~x & z); }
constexpr u32 maj(u32 x, u32 y, u32 z) { return (x & y) ^ (x & z) ^ (y & z); }
constexpr u32 big_sigma0(u32 x) { return rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22); }
constexpr u32 big_sigma1(u32 x) { return rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25); }
constexpr u32 small_sigma0(u32 x) { return rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3); }
constexpr u32 small_sigma1(u32 x) { return rotr(x, 17) ^ rotr(x, 19) ^ (x >> 10); }

} // namespace

Sha256::Sha256() {
    for (int i = 0; i < 8; ++i) state_[i] = kInitialHash[i];
}

// The 64 rounds unrolled eight at a time with the eight working variables
// renamed instead of shifted (ROUND's argument order rotates), and the
// message words loaded whole and byte-swapped: fewer instructions per
// block, which matters most under QEMU's software emulation, where the
// core hashes every module before it loads it.
#define CELOS_SHA256_ROUND(a, b, c, d, e, f, g, h, t)                       \
    do {                                                                    \
        u32 t1 = h + big_sigma1(e) + ch(e, f, g) + kRoundConstants[t] + w[t]; \
        d += t1;                                                            \
        h = t1 + big_sigma0(a) + maj(a, b, c);                              \
    } while (0)

void Sha256::compress(const u8* block) {
    u32 w[64];
    for (int t = 0; t < 16; ++t) {
        u32 word;
        __builtin_memcpy(&word, block + 4 * t, 4);
        w[t] = __builtin_bswap32(word);
    }
    for (int t = 16; t < 64; ++t) w[t] = small_sigma1(w[t - 2]) + w[t - 7] + small_sigma0(w[t - 15]) + w[t - 16];

    u32 a = state_[0], b = state_[1], c = state_[2], d = state_[3];
    u32 e = state_[4], f = state_[5], g = state_[6], h = state_[7];
    for (int t = 0; t < 64; t += 8) {
        CELOS_SHA256_ROUND(a, b, c, d, e, f, g, h, t);
        CELOS_SHA256_ROUND(h, a, b, c, d, e, f, g, t + 1);
        CELOS_SHA256_ROUND(g, h, a, b, c, d, e, f, t + 2);
        CELOS_SHA256_ROUND(f, g, h, a, b, c, d, e, t + 3);
        CELOS_SHA256_ROUND(e, f, g, h, a, b, c, d, t + 4);
        CELOS_SHA256_ROUND(d, e, f, g, h, a, b, c, t + 5);
        CELOS_SHA256_ROUND(c, d, e, f, g, h, a, b, t + 6);
        CELOS_SHA256_ROUND(b, c, d, e, f, g, h, a, t + 7);
    }
    state_[0] += a;
    state_[1] += b;
    state_[2] += c;
    state_[3] += d;
    state_[4] += e;
    state_[5] += f;
    state_[6] += g;
    state_[7] += h;
}

#undef CELOS_SHA256_ROUND

void Sha256::update(const void* data, usize size) {
    const u8* p = static_cast<const u8*>(data);
    total_bytes_ += size;
    if (buffered_ != 0) {
        while (size != 0 && buffered_ < sizeof buffer_) {
            buffer_[buffered_++] = *p++;
            --size;
        }
        if (buffered_ < sizeof buffer_) return;
        compress(buffer_);
        buffered_ = 0;
    }
    for (; size >= sizeof buffer_; p += sizeof buffer_, size -= sizeof buffer_) compress(p);
    for (usize i = 0; i < size; ++i) buffer_[i] = p[i];
    buffered_ = size;
}

Sha256Digest Sha256::finish() {
    // 5.1.1: a 1 bit, zeros up to 56 mod 64 bytes, then the length in bits.
    const u64 bit_length = total_bytes_ * 8;
    buffer_[buffered_++] = 0x80;
    if (buffered_ > 56) {
        while (buffered_ < sizeof buffer_) buffer_[buffered_++] = 0;
        compress(buffer_);
        buffered_ = 0;
    }
    while (buffered_ < 56) buffer_[buffered_++] = 0;
    for (int i = 0; i < 8; ++i) buffer_[56 + i] = static_cast<u8>(bit_length >> (56 - 8 * i));
    compress(buffer_);
    buffered_ = 0;
    Sha256Digest out;
    for (int i = 0; i < 8; ++i)
        for (int j = 0; j < 4; ++j) out.bytes[4 * i + j] = static_cast<u8>(state_[i] >> (24 - 8 * j));
    return out;
}

Sha256Digest Sha256::digest(const void* data, usize size) {
    Sha256 h;
    h.update(data, size);
    return h.finish();
}

void sha256_hex(const Sha256Digest& digest, char out[2 * kSha256DigestSize + 1]) {
    static const char kHex[] = "0123456789abcdef";
    for (usize i = 0; i < kSha256DigestSize; ++i) {
        out[2 * i] = kHex[digest.bytes[i] >> 4];
        out[2 * i + 1] = kHex[digest.bytes[i] & 15];
    }
    out[2 * kSha256DigestSize] = '\0';
}

} // namespace celos
