// SHA-256 (FIPS 180-4), portable: compiled into the core (module integrity)
// and into the host tests.
#pragma once

#include "lib/types.h"

namespace celos {

inline constexpr usize kSha256DigestSize = 32;

struct Sha256Digest {
    u8 bytes[kSha256DigestSize];
    bool operator==(const Sha256Digest&) const = default;
};

// Incremental: update() any number of times, then finish() once.
class Sha256 {
public:
    Sha256();
    void update(const void* data, usize size);
    Sha256Digest finish();

    static Sha256Digest digest(const void* data, usize size);

private:
    void compress(const u8* block);

    u32 state_[8];
    u8 buffer_[64];
    usize buffered_ = 0;
    u64 total_bytes_ = 0;
};

// Lowercase hex, NUL-terminated: `out` needs 65 bytes.
void sha256_hex(const Sha256Digest& digest, char out[2 * kSha256DigestSize + 1]);

} // namespace celos
