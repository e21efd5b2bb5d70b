// The module loader's own code (core/module/module_image.cpp) on the real
// .ko files the build makes, with GNU ld as the oracle: the loader lays a
// module out at chosen addresses and relocates it against chosen symbol
// values; ld links the same object with every ALLOC section at the same
// address and the same symbol values (--defsym); each section's bytes must
// be equal.
//
// SHF_MERGE string sections (.rodata.str1.*): ld merges them (drops
// duplicate strings, rewrites the offsets that point into them), the loader
// keeps them as they are, which is equally correct. So that the comparison
// stays exact, ld gets a copy of the object with SHF_MERGE|SHF_STRINGS
// cleared (nothing else changed): then ld too keeps every byte, and the test
// checks that each output section has exactly the input size.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <set>
#include <sstream>

#include "loader_test_support.h"

using namespace loader_test;

namespace {

const std::set<u32> kLoaderTypes = {elf::R_X86_64_64, elf::R_X86_64_PC32, elf::R_X86_64_PLT32,
                                    elf::R_X86_64_32, elf::R_X86_64_32S,  elf::R_X86_64_PC64};

std::string hex(u64 v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

int run(const std::string& command, const std::string& log) {
    int rc = std::system((command + " >" + log + " 2>&1").c_str());
    return rc;
}

std::string slurp(const std::string& path) {
    auto bytes = read_file(path);
    return std::string(bytes.begin(), bytes.end());
}

// Loads `path` with the loader and with ld at the same addresses and symbol
// values; compares every ALLOC section. Returns the relocation counts by type.
std::map<u32, size_t> compare_with_ld(const std::string& path, const std::string& tag,
                                      const std::map<std::string, u64>& symbol_values = {}) {
    auto m = load_module(path);
    REQUIRE(!m->file.empty());
    TestElf in(m->file);
    INFO(path);
    REQUIRE(m->parse());
    MapResolver resolver = fake_resolver(in);
    for (auto& [name, value] : symbol_values)
        resolver.table[name] = value;
    INFO(m->diag.message);
    REQUIRE(m->relocate(resolver));

    // The object as ld will see it: merge sections made plain.
    std::vector<u8> plain = m->file;
    const u64 shoff = le<u64>(plain, 40);
    for (size_t i = 0; i < in.sections.size(); ++i)
        if (in.sections[i].flags & elf::kShfAlloc)
            put_le<u64>(plain, shoff + i * 64 + 8,
                        in.sections[i].flags & ~(elf::kShfMerge | elf::kShfStrings));

    ScratchDir scratch(tag);
    const std::string& dir = scratch.path;
    std::string object = dir + "/in.o", script = dir + "/link.ld", output = dir + "/out.elf",
                log = dir + "/ld.log";
    write_file(object, plain);
    std::ostringstream ld_script;
    ld_script << "SECTIONS {\n";
    std::set<std::string> names;
    for (size_t i = 1; i < in.sections.size(); ++i) {
        if (!(in.sections[i].flags & elf::kShfAlloc)) continue;
        // A script selects input sections by name: they must be unique.
        REQUIRE(names.insert(in.sections[i].name).second);
        u64 address = m->section_address(i);
        REQUIRE(address != 0);
        ld_script << "  .s" << i << " " << hex(address) << " : { *(" << in.sections[i].name << ") }\n";
    }
    ld_script << "}\n";
    { std::ofstream(script) << ld_script.str(); }
    std::string command = std::string(CELOS_TEST_LD) + " -o " + output + " -T " + script +
                          " -nostdlib -static --no-relax --strip-debug -e 0 --build-id=none -z noexecstack"
                          " -z max-page-size=0x1000 --no-warn-rwx-segments";
    for (auto& [name, value] : resolver.table)
        command += " --defsym " + name + "=" + hex(value);
    command += " " + object;
    INFO(command);
    int rc = run(command, log);
    INFO(slurp(log));
    REQUIRE(rc == 0);

    std::vector<u8> linked = read_file(output);
    TestElf out(linked);
    size_t compared = 0;
    for (size_t i = 1; i < in.sections.size(); ++i) {
        const auto& s = in.sections[i];
        if (!(s.flags & elf::kShfAlloc) || s.size == 0) continue;
        const auto* o = out.find(".s" + std::to_string(i));
        INFO("section " << s.name);
        REQUIRE(o != nullptr);
        CHECK(o->addr == m->section_address(i));
        REQUIRE(o->size == s.size); // nothing merged, nothing dropped
        Region r;
        u64 offset;
        REQUIRE(m->image->section_placement(i, r, offset));
        const u8* mine = m->buffers[static_cast<usize>(r)].data() + offset;
        if (s.type == elf::kShtNobits) {
            for (u64 k = 0; k < s.size; ++k)
                REQUIRE(mine[k] == 0);
            continue;
        }
        size_t first_difference = s.size;
        for (size_t k = 0; k < s.size; ++k)
            if (mine[k] != linked.at(o->offset + k)) {
                first_difference = k;
                break;
            }
        INFO("first difference at offset " << hex(first_difference));
        CHECK(first_difference == s.size);
        ++compared;
    }
    CHECK(compared > 0);

    // The parser's counts equal the file's (every relocation of an ALLOC
    // section applied once), and only types the loader claims.
    std::map<u32, size_t> counts;
    size_t total = 0;
    for (u32 t = 0; t < 64; ++t)
        if (m->stats.by_type[t]) counts[t] = m->stats.by_type[t], total += m->stats.by_type[t];
    CHECK(counts == in.alloc_relocation_types);
    CHECK(total == m->stats.applied);
    for (auto& [type, n] : counts)
        CHECK(kLoaderTypes.count(type) == 1);
    return counts;
}

// A hand-written module with the types the compiler does not emit for
// -mcmodel=kernel code (R_X86_64_32, PC64) next to the others.
const char* kSyntheticSource = R"(
    .text
    .globl synth_start
    .type synth_start, @function
synth_start:
    movabs $ext_far, %rax          # R_X86_64_64
    movl $ext_low, %eax            # R_X86_64_32
    movq $ext_far, %rax            # R_X86_64_32S
    leaq local_data(%rip), %rax    # R_X86_64_PC32 (local symbol)
    call ext_call                  # R_X86_64_PLT32
    movq local_bss+8(%rip), %rax   # R_X86_64_PC32 (.bss)
    ret
    .size synth_start, . - synth_start

    .section .rodata, "a"
    .balign 8
    .quad ext_far - .              # R_X86_64_PC64
    .quad local_data - . + 4       # R_X86_64_PC64 (local)
    .long ext_far - .              # R_X86_64_PC32 in data
    .long 0
    .quad synth_start + 3          # R_X86_64_64 (global, defined)

    .section .rodata.str1.1, "aMS", @progbits, 1
str_a: .asciz "synth_start"
str_b: .asciz "start"

    .data
    .balign 8
local_data:
    .quad str_b                    # R_X86_64_64 into a merge section
    .long ext_low                  # R_X86_64_32
    .long local_data               # R_X86_64_32 of a module address: cannot fit
    .globl synth_value
    .type synth_value, @object
synth_value:
    .quad 42
    .size synth_value, 8

    .bss
    .balign 16
local_bss:
    .zero 32

    .section .celos_module, "a"
    .balign 8
    .long 0x444f4d43
    .short 1, 0
1:  .asciz "synthetic"
    .zero 32 - (. - 1b)
2:  .asciz "1.0"
    .zero 16 - (. - 2b)
3:  .asciz ""
    .zero 128 - (. - 3b)
    .quad synth_start, 0, 0
    .long 0, 0

    .section .celos_exports, "a"
    .balign 8
    .quad str_a, synth_start
    .quad str_b + 1, synth_value
    .section .note.GNU-stack, "", @progbits
)";

// The synthetic module, assembled by the C compiler into a scratch file,
// minus the one .long that would not fit at a module address.
std::string build_synthetic(const ScratchDir& scratch) {
    const std::string& dir = scratch.path;
    std::string source = dir + "/synthetic.S", object = dir + "/synthetic.ko", log = dir + "/cc.log";
    std::string text = kSyntheticSource;
    // `.long local_data` is R_X86_64_32 of a module address: an overflow
    // case of its own (below), not part of the good module.
    text.replace(text.find("    .long local_data"), std::string("    .long local_data").size(),
                 "    .long 0 #");
    { std::ofstream(source) << text; }
    int rc = run(std::string(CELOS_TEST_CC) + " -c -o " + object + " " + source, log);
    INFO(slurp(log));
    REQUIRE(rc == 0);
    return object;
}

} // namespace

TEST_CASE("ModuleImage stays small enough for a static array", "[loader]") {
    STATIC_REQUIRE(sizeof(ModuleImage) < 8 * 1024);
}

TEST_CASE("ModuleImage relocates the build's modules byte for byte like GNU ld", "[loader][ld]") {
    std::map<u32, size_t> all;
    for (const std::string& path : split_list(CELOS_LOADER_ORACLE_MODULES)) {
        std::string tag = std::filesystem::path(path).stem().string();
        for (auto& [type, n] : compare_with_ld(path, "ld_" + tag))
            all[type] += n;
    }
    // The coverage claim: the relocation types the build emits (-mcmodel=kernel
    // -fno-pic, GCC) all occur, so ld checked each of them.
    for (u32 type : {elf::R_X86_64_64, elf::R_X86_64_PC32, elf::R_X86_64_PLT32, elf::R_X86_64_32S}) {
        INFO(elf::relocation_type_name(type));
        CHECK(all[type] > 0);
    }
}

TEST_CASE("ModuleImage relocates R_X86_64_32 and PC64 like GNU ld (hand-written module)", "[loader][ld]") {
    ScratchDir scratch("synth_ld");
    std::string object = build_synthetic(scratch);
    auto counts = compare_with_ld(object, "synth_ld_link", {{"ext_low", 0x12345000}});
    for (u32 type : kLoaderTypes) {
        INFO(elf::relocation_type_name(type));
        CHECK(counts[type] > 0);
    }
}

TEST_CASE("ModuleImage range-checks every relocation value", "[loader]") {
    ScratchDir scratch("synth_range");
    std::string object = build_synthetic(scratch);
    auto m = load_module(object);
    TestElf elf(m->file);
    REQUIRE(m->parse());

    SECTION("R_X86_64_32 of a kernel address") {
        MapResolver r = fake_resolver(elf);
        r.table["ext_low"] = 0xffffffff80000000ull;
        REQUIRE_FALSE(m->relocate(r));
        CHECK_THAT(m->diag.message,
                   Catch::StartsWith("synthetic.ko: relocation 1 in .rela.text: R_X86_64_32 value "
                                     "0xffffffff80000000 for symbol 'ext_low' does not fit in 32 "
                                     "bits (zero-extended) (module synthetic)"));
    }
    SECTION("R_X86_64_32S of an address above 2 GiB") {
        MapResolver r = fake_resolver(elf);
        r.table["ext_low"] = 0x1000;
        r.table["ext_far"] = 0x80000000ull;
        REQUIRE_FALSE(m->relocate(r));
        CHECK_THAT(m->diag.message,
                   Catch::Contains("R_X86_64_32S value 0x80000000 for symbol 'ext_far' does not fit "
                                   "in 32 bits (sign-extended)"));
    }
    SECTION("R_X86_64_PLT32 to a target more than 2 GiB away") {
        MapResolver r = fake_resolver(elf);
        r.table["ext_low"] = 0x1000;
        r.table["ext_call"] = 0xffff800000000000ull;
        REQUIRE_FALSE(m->relocate(r));
        CHECK_THAT(m->diag.message, Catch::Contains("R_X86_64_PLT32 value"));
        CHECK_THAT(m->diag.message, Catch::Contains("for symbol 'ext_call' does not fit in a signed 32-bit "
                                                    "PC-relative offset"));
    }
    SECTION("all unresolved symbols are listed, none resolved to 0") {
        MapResolver r;
        r.table["ext_far"] = kFakeSymbolBase;
        REQUIRE_FALSE(m->relocate(r));
        CHECK(std::string(m->diag.message) == "synthetic.ko: unresolved symbols: ext_low, ext_call");
        CHECK(m->stats.applied == 0);
    }
}

TEST_CASE("ModuleImage refuses R_X86_64_32 of a module address", "[loader]") {
    ScratchDir scratch("synth_32");
    const std::string& dir = scratch.path;
    std::string source = dir + "/s.S", object = dir + "/s32.ko";
    std::string text = kSyntheticSource; // with `.long local_data`
    { std::ofstream(source) << text; }
    REQUIRE(run(std::string(CELOS_TEST_CC) + " -c -o " + object + " " + source, dir + "/cc.log") == 0);
    auto m = load_module(object);
    REQUIRE(m->parse());
    MapResolver r = fake_resolver(TestElf(m->file));
    r.table["ext_low"] = 0x1000;
    REQUIRE_FALSE(m->relocate(r));
    CHECK_THAT(m->diag.message, Catch::Contains("in .rela.data: R_X86_64_32 value 0xffffffffa000"));
    CHECK_THAT(m->diag.message,
               Catch::Contains("for symbol '.data' does not fit in 32 bits (zero-extended)"));
}

TEST_CASE("ModuleImage exposes the descriptor, exports and symbols of a module", "[loader]") {
    ScratchDir scratch("synth_api");
    std::string object = build_synthetic(scratch);
    auto m = load_module(object);
    TestElf elf(m->file);
    REQUIRE(m->parse());
    CHECK(std::string(m->image->info().name) == "synthetic");
    CHECK(std::string(m->image->info().version) == "1.0");
    CHECK(std::string(m->image->info().depends).empty());
    CHECK(m->image->info().abi_major == 1);
    CHECK(m->image->info().abi_minor == 0);
    MapResolver r = fake_resolver(elf);
    r.table["ext_low"] = 0x1000;
    REQUIRE(m->relocate(r));

    auto index_of = [&](const char* name) {
        for (size_t i = 0; i < elf.sections.size(); ++i)
            if (elf.sections[i].name == name) return i;
        FAIL("no section " << name);
        return size_t(0);
    };
    const u64 text = m->section_address(index_of(".text"));
    const u64 data = m->section_address(index_of(".data"));
    CHECK(text == kTextBase);
    CHECK(m->image->descriptor_address(m->targets) == m->section_address(index_of(".celos_module")));
    CHECK(m->targets[1].address == kTextBase + m->image->region_size(Region::text));

    // Regions: page-aligned, sections in file order, alignment honoured.
    CHECK(m->section_address(index_of(".bss")) % 16 == 0);
    CHECK(m->section_address(index_of(".bss")) > data);
    CHECK(m->section_address(index_of(".rodata")) < m->section_address(index_of(".celos_module")));
    CHECK(m->section_address(index_of(".celos_module")) < m->section_address(index_of(".celos_exports")));

    REQUIRE(m->image->export_count() == 2);
    const char* name = nullptr;
    u64 address = 0;
    REQUIRE(m->image->export_at(0, m->targets, name, address));
    CHECK(std::string(name) == "synth_start");
    CHECK(address == text);
    REQUIRE(m->image->export_at(1, m->targets, name, address));
    CHECK(std::string(name) == "synth_value");
    CHECK(address == data + 16);
    CHECK_FALSE(m->image->export_at(2, m->targets, name, address));

    // Fault-report symbols: defined FUNC and OBJECT symbols of loaded sections.
    std::map<std::string, std::pair<u64, u64>> symbols;
    for (usize i = 0; i < m->image->symbol_count(); ++i) {
        u64 size = 0;
        REQUIRE(m->image->symbol_at(i, m->targets, name, address, size));
        symbols[name] = {address, size};
    }
    CHECK(symbols.size() == 2);
    CHECK(symbols["synth_start"].first == text);
    CHECK(symbols["synth_start"].second > 10);
    CHECK(symbols["synth_value"] == std::make_pair(data + 16, u64(8)));
    // Random access works too (not only in order).
    u64 size = 0;
    REQUIRE(m->image->symbol_at(1, m->targets, name, address, size));
    REQUIRE(m->image->symbol_at(0, m->targets, name, address, size));
    CHECK(symbols[name].first == address);
    CHECK_FALSE(m->image->symbol_at(2, m->targets, name, address, size));
}

TEST_CASE("ModuleImage reads the real modules' descriptors and exports", "[loader]") {
    std::string c_path;
    for (const std::string& path : split_list(CELOS_LOADER_ORACLE_MODULES))
        if (path.find("abi_test_c.ko") != std::string::npos) c_path = path;
    REQUIRE(!c_path.empty());
    auto m = load_module(c_path);
    TestElf elf(m->file);
    INFO(m->diag.message);
    REQUIRE(m->parse());
    CHECK(std::string(m->image->info().name) == "abi_test_c");
    CHECK(std::string(m->image->info().version) == "1.0");
    MapResolver r = fake_resolver(elf);
    REQUIRE(m->relocate(r));
    REQUIRE(m->image->export_count() == 1);
    const char* name = nullptr;
    u64 address = 0;
    REQUIRE(m->image->export_at(0, m->targets, name, address));
    CHECK(std::string(name) == "abi_test_c_add");
    for (auto& s : elf.symbols)
        if (s.name == "abi_test_c_add") CHECK(address == m->section_address(s.shndx) + s.value);

    SECTION("ABI versions") {
        Diagnostic d;
        auto image = std::make_unique<ModuleImage>();
        ByteSpan bytes(m->file.data(), m->file.size());
        CHECK(ModuleImage::parse(bytes, "abi_test_c.ko", 1, 3, *image, d).ok()); // older minor: fine
        REQUIRE_FALSE(ModuleImage::parse(bytes, "abi_test_c.ko", 2, 0, *image, d).ok());
        CHECK(std::string(d.message) ==
              "abi_test_c.ko: ABI 1." + std::to_string(CELOS_ABI_VERSION_MINOR) +
                  " is older than the core's 2.0 (major versions must match)");
    }
    SECTION("unresolved symbols: all of them, in one message") {
        MapResolver none;
        REQUIRE_FALSE(m->relocate(none));
        std::string message = m->diag.message;
        CHECK_THAT(message, Catch::StartsWith("abi_test_c.ko: unresolved symbols: "));
        for (const auto& undefined : elf.undefined_symbols())
            CHECK_THAT(message, Catch::Contains(undefined));
    }
}
