#include "module/integrity.h"

#include "arch/cpu.h"
#include "kernel/kernel.h"
#include "kernel/taint.h"
#include "lib/assert.h"
#include "lib/format.h"
#include "lib/sha256.h"
#include "module/manifest.h"
#include "log/log.h"

namespace celos {
namespace {

ModsigMode mode = ModsigMode::warn;

} // namespace

void integrity_init() {
    // The command line's parser checked the value (boot_options.cpp).
    if (!kernel().options.modsig.empty()) modsig_parse(kernel().options.modsig, mode);
    Manifest manifest = module_manifest();
    if (!manifest_sorted(manifest)) panic("integrity: the built-in module manifest is not sorted by digest");
    log_info("integrity: modsig=%s, manifest of %zu modules", modsig_name(mode), manifest.size());
}

Result<void> integrity_check_module(const char* label, ByteSpan file, loader::Diagnostic& d, bool quiet) {
    u64 started = arch::now_ns();
    Sha256Digest digest = Sha256::digest(file.data(), file.size());
    u64 micros = (arch::now_ns() - started) / 1000;
    char hex[2 * kSha256DigestSize + 1];
    sha256_hex(digest, hex);
    if (const ManifestEntry* e = manifest_find(module_manifest(), digest)) {
        if (!quiet)
            log_info("module %s: sha256 %s matches %s in the manifest (hashed %zu KiB in %llu us)", label, hex, e->file,
                     file.size() / 1024, static_cast<unsigned long long>(micros));
        return {};
    }
    if (mode == ModsigMode::enforce) {
        format(d.message, sizeof d.message, "integrity: sha256 %s is not in the core's manifest (modsig=enforce)",
               hex);
        return make_error(Status::unsupported, "the module is not in the manifest");
    }
    log_warn("module %s: sha256 %s is not in the core's manifest; loading it anyway (modsig=warn), kernel tainted",
             label, hex);
    taint(TaintFlag::unsigned_module, label);
    return {};
}

} // namespace celos
