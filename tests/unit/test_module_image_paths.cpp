// The loader's fast paths (core/module/module_image.cpp, module_link.cpp):
// relocations of sections that are not loaded are never read, each
// undefined symbol is resolved once, and the export checks take one pass.
// Each is checked for the result it must give, not only for speed.
#include <catch2/catch.hpp>

#include <chrono>
#include <sstream>

#include "export_module_builder.h"
#include "loader_test_support.h"

using namespace loader_test;

namespace {

std::string first_ko(const char* stem) {
    for (const std::string& path : split_list(CELOS_LOADER_ORACLE_MODULES))
        if (std::filesystem::path(path).stem() == stem) return path;
    FAIL("no " << stem << ".ko among " << CELOS_LOADER_ORACLE_MODULES);
    return {};
}

// The RELA sections whose target is not loaded (.rela.debug_*).
std::vector<size_t> unloaded_relocation_sections(const TestElf& elf) {
    std::vector<size_t> out;
    for (size_t i = 1; i < elf.sections.size(); ++i) {
        const auto& s = elf.sections[i];
        if (s.type == elf::kShtRela && !(elf.sections[s.info].flags & elf::kShfAlloc) && s.size != 0)
            out.push_back(i);
    }
    return out;
}

size_t section_header(const std::vector<u8>& file, size_t i) {
    return le<u64>(file, 40) + i * 64;
}

// Counts how often each name is asked for.
class CountingResolver : public MapResolver {
  public:
    std::map<std::string, int> asked;
    bool resolve(const char* name, u64& address) override {
        ++asked[name];
        return MapResolver::resolve(name, address);
    }
};

// Relocations of loaded sections per symbol index.
std::map<u32, size_t> relocations_per_symbol(const std::vector<u8>& file, const TestElf& elf) {
    std::map<u32, size_t> out;
    for (const auto& s : elf.sections)
        if (s.type == elf::kShtRela && (elf.sections[s.info].flags & elf::kShfAlloc))
            for (u64 k = 0; k < s.size / 24; ++k)
                ++out[elf::rela_symbol(le<u64>(file, s.offset + k * 24 + 8))];
    return out;
}

std::unique_ptr<LoadedModule> from_bytes(std::vector<u8> bytes, const std::string& name) {
    auto m = std::make_unique<LoadedModule>();
    m->file = std::move(bytes);
    m->file_name = name;
    return m;
}

} // namespace

TEST_CASE("Relocations of sections that are not loaded are neither applied nor read", "[loader]") {
    auto good = load_module(first_ko("abi_test_c"));
    TestElf elf(good->file);
    const std::vector<size_t> debug = unloaded_relocation_sections(elf);
    REQUIRE(!debug.empty()); // the build's modules have .rela.debug_*
    REQUIRE(good->parse());
    MapResolver resolver = fake_resolver(elf);
    REQUIRE(good->relocate(resolver));

    SECTION("entries pointing anywhere, of any type and symbol, change nothing") {
        // Every entry of every such section: an offset past any section, an
        // unknown type, a symbol index past the table.
        auto bad = load_module(first_ko("abi_test_c"));
        size_t patched = 0;
        for (size_t i : debug) {
            const auto& s = elf.sections[i];
            for (u64 k = 0; k < s.size / 24; ++k, ++patched) {
                put_le<u64>(bad->file, s.offset + k * 24, 0xfffffffffffffff0ull - k);
                put_le<u64>(bad->file, s.offset + k * 24 + 8, (u64{0xfffffff0} << 32) | 200);
                put_le<i64>(bad->file, s.offset + k * 24 + 16, -1);
            }
        }
        REQUIRE(patched > 0);
        INFO(bad->diag.message);
        REQUIRE(bad->parse());
        REQUIRE(bad->relocate(resolver));
        CHECK(bad->stats.applied == good->stats.applied);
        for (usize r = 0; r < kRegionCount; ++r)
            CHECK(bad->buffers[r] == good->buffers[r]);
    }
    SECTION("their headers are still checked") {
        const size_t rela = debug.front();
        const std::string name = elf.sections[rela].name;
        auto bad = load_module(first_ko("abi_test_c"));
        put_le<u64>(bad->file, section_header(bad->file, rela) + 56, 16); // sh_entsize
        REQUIRE_FALSE(bad->parse());
        CHECK(std::string(bad->diag.message) ==
              "abi_test_c.ko: relocation section " + name + ": entry size 16, expected 24");

        auto outside = load_module(first_ko("abi_test_c"));
        put_le<u64>(outside->file, section_header(outside->file, rela) + 24, outside->file.size()); // sh_offset
        REQUIRE_FALSE(outside->parse());
        CHECK_THAT(outside->diag.message, Catch::Contains("(" + name + "): data (offset 0x"));
        CHECK_THAT(outside->diag.message, Catch::Contains("is outside the file"));
    }
}

TEST_CASE("Each undefined symbol is resolved once, however many relocations refer to it", "[loader]") {
    for (const char* stem : {"abi_test_c", "abi_test_cpp"}) {
        INFO(stem);
        auto m = load_module(first_ko(stem));
        TestElf elf(m->file);
        REQUIRE(m->parse());
        CountingResolver resolver;
        resolver.table = fake_resolver(elf).table;
        REQUIRE(m->relocate(resolver));

        // Meaningful only if some undefined symbol has several relocations.
        size_t most = 0;
        for (auto [symbol, count] : relocations_per_symbol(m->file, elf))
            if (elf.symbols.at(symbol).shndx == elf::kShnUndef) most = std::max(most, count);
        CHECK(most >= 2);
        CHECK(resolver.asked.size() == elf.undefined_symbols().size());
        for (auto& [name, times] : resolver.asked) {
            INFO(name);
            CHECK(times == 1);
        }
    }
}

TEST_CASE("A module with more undefined symbols than the resolution cache holds links right", "[loader]") {
    // 300 undefined symbols (the cache keeps 192), each relocated twice.
    constexpr int kSymbols = 300;
    ScratchDir scratch("many_undefined");
    std::ostringstream s;
    s << "    .data\n    .balign 8\n";
    for (int i = 0; i < kSymbols; ++i)
        s << "    .quad ext_" << i << ", ext_" << i << " + 8\n";
    s << R"(
    .text
    .globl start
start:
    ret
    .section .celos_module, "a"
    .balign 8
    .long 0x444f4d43
    .short 1, 0
1:  .asciz "many_undefined"
    .zero 32 - (. - 1b)
2:  .asciz "1.0"
    .zero 16 - (. - 2b)
    .zero 128
    .quad start, 0, 0
    .long 0, 0
    .section .note.GNU-stack, "", @progbits
)";
    const std::string source = scratch.path + "/many.S", object = scratch.path + "/many.ko";
    { std::ofstream(source) << s.str(); }
    REQUIRE(std::system((std::string(CELOS_TEST_CC) + " -c -o " + object + " " + source).c_str()) == 0);

    auto m = load_module(object);
    TestElf elf(m->file);
    INFO(m->diag.message);
    REQUIRE(m->parse());
    CountingResolver resolver;
    for (int i = 0; i < kSymbols; ++i)
        resolver.table["ext_" + std::to_string(i)] = kFakeSymbolBase + 0x100 * u64(i);
    REQUIRE(m->relocate(resolver));
    CHECK(m->stats.applied == 2 * kSymbols + 1); // and the descriptor's init
    CHECK(resolver.asked.size() == size_t(kSymbols));
    const std::vector<u8>& data = m->buffers[static_cast<usize>(Region::data)];
    for (int i = 0; i < kSymbols; ++i) {
        INFO("ext_" << i);
        CHECK(le<u64>(data, 16 * size_t(i)) == kFakeSymbolBase + 0x100 * u64(i));
        CHECK(le<u64>(data, 16 * size_t(i) + 8) == kFakeSymbolBase + 0x100 * u64(i) + 8);
    }
}

TEST_CASE("Exports: every entry's name and address, whatever the order of their relocations", "[loader]") {
    struct Variant {
        const char* what;
        export_module::Options options;
    } const variants[] = {
        {"as and ld write them", {.exports = 300}},
        {"without the names' relocations (found by binary search)", {.exports = 300, .name_relocations = false}},
        {"in reverse order (found by a scan)", {.exports = 300, .reversed_relocations = true}},
    };
    for (const Variant& v : variants) {
        INFO(v.what);
        auto m = from_bytes(export_module::build(v.options), "exports.ko");
        INFO(m->diag.message);
        REQUIRE(m->parse());
        MapResolver none;
        REQUIRE(m->relocate(none));
        REQUIRE(m->image->export_count() == 300);
        const u64 text = m->targets[static_cast<usize>(Region::text)].address;
        for (usize i = 0; i < 300; ++i) {
            const char* name = nullptr;
            u64 address = 0;
            REQUIRE(m->image->export_at(i, m->targets, name, address));
            CHECK(std::string(name) == export_module::export_name(i));
            CHECK(address == text + 16 * i);
            CHECK(std::string(m->image->export_name_at(i)) == export_module::export_name(i));
        }
        const char* name = nullptr;
        u64 address = 0;
        CHECK_FALSE(m->image->export_at(300, m->targets, name, address));
    }
}

TEST_CASE("A duplicate export is found in one pass, with the same message", "[loader]") {
    using Clock = std::chrono::steady_clock;
    for (bool reversed : {false, true}) {
        INFO((reversed ? "relocations in reverse order" : "relocations in order"));
        // Entry 100 exports the name of the last entry, 767.
        auto m = from_bytes(
            export_module::build({.exports = kMaxExports, .duplicate_of_last = 100, .reversed_relocations = reversed}),
            "dup.ko");
        double fastest = 1e9;
        for (int run = 0; run < 3; ++run) {
            auto start = Clock::now();
            REQUIRE_FALSE(m->parse());
            fastest = std::min(fastest, std::chrono::duration<double>(Clock::now() - start).count());
        }
        CHECK(std::string(m->diag.message) ==
              "dup.ko: export 'exported_function_767' appears twice (entries 100 and 767)");
        // Linear: well under a millisecond in a release build. The former
        // check (each pair of entries, each looked up by a scan) took over
        // a second at this size.
        CHECK(fastest < (reversed ? 0.5 : 0.1));
    }
}

TEST_CASE("A module with more exports than the core's export table holds is refused at parse", "[loader]") {
    auto fits = from_bytes(export_module::build({.exports = kMaxExports}), "exports.ko");
    CHECK(fits->parse());
    auto m = from_bytes(export_module::build({.exports = kMaxExports + 1}), "exports.ko");
    REQUIRE_FALSE(m->parse());
    CHECK(std::string(m->diag.message) ==
          "exports.ko: 769 exports, more than the core's export table holds (768)");
}
