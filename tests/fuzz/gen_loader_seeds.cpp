// Seeds for the fuzz_loader target beside the build's modules: modules with
// many exports (tests/unit/support/export_module_builder.h), so that the
// export paths (found by position, by binary search, by a scan; the
// duplicate check) start covered.
//   gen_loader_seeds OUT_DIR
#include <cstdio>
#include <string>
#include <vector>

#include "export_module_builder.h"

namespace {

bool write(const std::string& dir, const char* name, const std::vector<uint8_t>& bytes) {
    const std::string path = dir + "/" + name;
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return false;
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    return std::fclose(f) == 0 && ok;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: gen_loader_seeds OUT_DIR\n");
        return 2;
    }
    const std::string dir = argv[1];
    bool ok = write(dir, "exports_ordered.ko", export_module::build({.exports = 24}));
    ok &= write(dir, "exports_no_names.ko", export_module::build({.exports = 24, .name_relocations = false}));
    ok &= write(dir, "exports_reversed.ko", export_module::build({.exports = 24, .reversed_relocations = true}));
    ok &= write(dir, "exports_duplicate.ko", export_module::build({.exports = 24, .duplicate_of_last = 3}));
    if (!ok) std::fprintf(stderr, "gen_loader_seeds: cannot write into %s\n", dir.c_str());
    return ok ? 0 : 1;
}
