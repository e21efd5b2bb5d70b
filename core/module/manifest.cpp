#include "module/manifest.h"

namespace celos {
namespace {

int compare(const Sha256Digest& a, const Sha256Digest& b) {
    for (usize i = 0; i < kSha256DigestSize; ++i)
        if (a.bytes[i] != b.bytes[i]) return a.bytes[i] < b.bytes[i] ? -1 : 1;
    return 0;
}

} // namespace

const ManifestEntry* manifest_find(Manifest manifest, const Sha256Digest& digest) {
    usize lo = 0, hi = manifest.size();
    while (lo < hi) {
        usize mid = lo + (hi - lo) / 2;
        int c = compare(manifest[mid].digest, digest);
        if (c == 0) return &manifest[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return nullptr;
}

bool manifest_sorted(Manifest manifest) {
    for (usize i = 1; i < manifest.size(); ++i)
        if (compare(manifest[i - 1].digest, manifest[i].digest) >= 0) return false;
    return true;
}

bool modsig_parse(StringView value, ModsigMode& mode) {
    if (value == StringView("warn")) {
        mode = ModsigMode::warn;
        return true;
    }
    if (value == StringView("enforce")) {
        mode = ModsigMode::enforce;
        return true;
    }
    return false;
}

const char* modsig_name(ModsigMode mode) { return mode == ModsigMode::enforce ? "enforce" : "warn"; }

} // namespace celos
