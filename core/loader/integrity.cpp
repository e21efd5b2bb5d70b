#include "loader/integrity.h"

#include "arch/cpu.h"
#include "kernel/kernel.h"
#include "kernel/taint.h"
#include "lib/assert.h"
#include "lib/format.h"
#include "lib/sha256.h"
#include "loader/manifest.h"
#include "log/log.h"

namespace celos {
namespace {

ModsigMode mode = ModsigMode::warn;

} // namespace

void integrity_init() {
    StringView value;
    if (kernel().cmdline.get("modsig", value) && !modsig_parse(value, mode))
        log_warn("command line: modsig='%.*s' is neither 'warn' nor 'enforce'; using modsig=%s",
                 static_cast<int>(value.length), value.data, modsig_name(mode));
    else if (kernel().cmdline.has("modsig") && !kernel().cmdline.get("modsig", value))
        log_warn("command line: modsig needs a value ('warn' or 'enforce'); using modsig=%s", modsig_name(mode));
    Manifest manifest = module_manifest();
    if (!manifest_sorted(manifest)) panic("integrity: the built-in module manifest is not sorted by digest");
    log_info("integrity: modsig=%s, manifest of %zu modules", modsig_name(mode), manifest.size());
}

bool integrity_check_module(const char* label, ByteSpan file, char* why, usize why_size, bool quiet) {
    u64 started = arch::now_ns();
    Sha256Digest digest = Sha256::digest(file.data(), file.size());
    u64 micros = (arch::now_ns() - started) / 1000;
    char hex[2 * kSha256DigestSize + 1];
    sha256_hex(digest, hex);
    if (const ManifestEntry* e = manifest_find(module_manifest(), digest)) {
        if (!quiet)
            log_info("module %s: sha256 %s matches %s in the manifest (hashed %zu KiB in %llu us)", label, hex, e->file,
                     file.size() / 1024, static_cast<unsigned long long>(micros));
        return true;
    }
    if (mode == ModsigMode::enforce) {
        format(why, why_size, "integrity: sha256 %s is not in the core's manifest (modsig=enforce)", hex);
        return false;
    }
    log_warn("module %s: sha256 %s is not in the core's manifest; loading it anyway (modsig=warn), kernel tainted",
             label, hex);
    taint(TaintFlag::unsigned_module, label);
    return true;
}

} // namespace celos
