// The malformed modules of tests/fixtures/gen_bad_modules.py (one defect
// each, made from abi_test_c.ko at build time): each is refused by parse()
// or relocate() with its own message, naming the file. The dependency cases
// are the loader's to refuse; here they must parse and say what they depend on.
#include <catch2/catch.hpp>

#include <celos/version.h>

#define CELOS_STRINGIFY_(x) #x
#define CELOS_STRINGIFY(x) CELOS_STRINGIFY_(x)

#include <set>

#include "loader_test_support.h"

using namespace loader_test;

namespace {

enum class Stage { parse, relocate, none };

struct Case {
    const char* name;
    Stage stage;
    const char* message; // a distinctive part of the message
};

const Case kCases[] = {
    {"truncated", Stage::parse, "file is 40 bytes, smaller than an ELF header (64 bytes)"},
    {"magic", Stage::parse, "bad ELF magic (not an ELF file)"},
    {"class", Stage::parse, "ELF class 1 is not ELFCLASS64"},
    {"byte_order", Stage::parse, "byte order 2 is not little-endian"},
    {"type", Stage::parse, "ELF type 2 is not ET_REL"},
    {"machine", Stage::parse, "machine 3 is not x86_64"},
    {"shentsize", Stage::parse, "section header entry size 40, expected 64"},
    {"section_table", Stage::parse, "section header table (offset 0x"},
    {"shstrndx", Stage::parse, "section name table index"},
    {"section_name", Stage::parse, "name offset 0x7ffffff0 is outside the section name table"},
    {"section_offset", Stage::parse, "section 1 (.text): data (offset 0x"},
    {"alignment", Stage::parse, "(.data): alignment 0x18 is not a power of two"},
    {"wx_section", Stage::parse, "(.text) is both writable and executable"},
    {"symbol_section", Stage::parse, "('abi_test_c_add'): section index"},
    {"symbol_value", Stage::parse, "symbol 'abi_test_c_add': value 0x100000 is outside its section .text"},
    {"common", Stage::parse, "symbol 'celos_module_descriptor_' is a common symbol: build with -fno-common"},
    {"reloc_link", Stage::parse,
     "relocation section .rela.text: symbol table link 1 is not the symbol table"},
    {"reloc_symbol", Stage::parse, "relocation 0 in .rela.text: symbol index 65535 out of range"},
    {"reloc_offset", Stage::parse, "(+4 bytes) is outside .text ("},
    {"unknown_reloc", Stage::parse, "relocation 0 in .rela.text: unsupported relocation type unknown (200)"},
    {"got_reloc", Stage::parse, "type R_X86_64_GOTPCREL (9) uses the GOT: build modules with -fno-pic"},
    {"reloc_overflow", Stage::relocate, "in .rela.text: R_X86_64_32 value 0xffffffffa0"},
    {"no_descriptor", Stage::parse, "no .celos_module section (not a CelOS module: use CELOS_MODULE)"},
    {"two_descriptors", Stage::parse, "two descriptors (.celos_module in sections"},
    {"descriptor_size", Stage::parse, ".celos_module is 224 bytes, expected 216"},
    {"descriptor_magic", Stage::parse, "descriptor magic 0x444f4d4b is not CELOS_MODULE_MAGIC"},
    {"abi_too_new", Stage::parse, "ABI 2.0 is newer than the core's 1." CELOS_STRINGIFY(CELOS_ABI_VERSION_MINOR)},
    {"name_chars", Stage::parse, "descriptor name 'Bad Name!' has a character other than a-z"},
    {"name_unterminated", Stage::parse, "descriptor name is not NUL-terminated within its 32 bytes"},
    {"unresolved", Stage::relocate, "unresolved symbols: "},
    {"exports_size", Stage::parse, ".celos_exports is 24 bytes, not a multiple of 16"},
    {"duplicate_export", Stage::parse, "export 'abi_test_c_add' appears twice (entries 0 and 1)"},
    {"depends_missing", Stage::none, nullptr},
    {"cycle_a", Stage::none, nullptr},
    {"cycle_b", Stage::none, nullptr},
    {"export_clash", Stage::none, nullptr}, // a clash with another module: the kernel's loader refuses it
};

// Everything the good module needs, except the names the fixtures invent.
class FixtureResolver : public SymbolResolver {
  public:
    bool resolve(const char* name, u64& address) override {
        if (std::string(name).rfind("nosuch", 0) == 0) return false;
        address = kFakeSymbolBase + kFakeSymbolStride * (std::hash<std::string>()(name) % 1024);
        return true;
    }
};

std::string fixture_path(const std::string& name) {
    return std::string(CELOS_LOADER_FIXTURES_DIR) + "/bad_" + name + ".ko";
}

} // namespace

TEST_CASE("Every malformed module is refused with its own message", "[loader][fixtures]") {
    for (const Case& c : kCases) {
        if (c.stage == Stage::none) continue;
        DYNAMIC_SECTION("bad_" << c.name) {
            auto m = load_module(fixture_path(c.name));
            REQUIRE(!m->file.empty());
            bool parsed = m->parse();
            INFO(m->diag.message);
            if (c.stage == Stage::parse) {
                REQUIRE_FALSE(parsed);
            } else {
                REQUIRE(parsed);
                CHECK(std::string(m->image->info().name) == std::string("bad_") + c.name);
                FixtureResolver resolver;
                REQUIRE_FALSE(m->relocate(resolver));
            }
            std::string message = m->diag.message;
            CHECK_THAT(message, Catch::StartsWith("bad_" + std::string(c.name) + ".ko: "));
            CHECK_THAT(message, Catch::Contains(c.message));
        }
    }
}

TEST_CASE("The malformed modules' messages are all different", "[loader][fixtures]") {
    std::set<std::string> checks;
    for (const Case& c : kCases) {
        if (c.stage == Stage::none) continue;
        auto m = load_module(fixture_path(c.name));
        FixtureResolver resolver;
        if (m->parse()) CHECK_FALSE(m->relocate(resolver));
        // Without the file name, which differs anyway.
        std::string message = m->diag.message;
        message = message.substr(message.find(": ") + 2);
        INFO(c.name << ": " << message);
        CHECK(checks.insert(message).second);
    }
}

TEST_CASE("The unresolved fixture lists every missing symbol", "[loader][fixtures]") {
    auto m = load_module(fixture_path("unresolved"));
    REQUIRE(m->parse());
    FixtureResolver resolver;
    REQUIRE_FALSE(m->relocate(resolver));
    std::string message = m->diag.message;
    CHECK_THAT(message, Catch::Contains("nosuch_celos_s"));
    CHECK_THAT(message, Catch::Contains("nosuch_,") || Catch::EndsWith("nosuch_"));
    CHECK(m->stats.applied == 0);
}

TEST_CASE("The dependency fixtures are good modules with the intended dependencies", "[loader][fixtures]") {
    struct Dependency {
        const char* name;
        const char* depends;
    } cases[] = {
        {"depends_missing", "no_such_module"}, {"cycle_a", "bad_cycle_b"}, {"cycle_b", "bad_cycle_a"}};
    for (const auto& c : cases) {
        auto m = load_module(fixture_path(c.name));
        INFO(c.name << ": " << m->diag.message);
        REQUIRE(m->parse());
        CHECK(std::string(m->image->info().name) == std::string("bad_") + c.name);
        CHECK(std::string(m->image->info().depends) == c.depends);
        FixtureResolver resolver;
        CHECK(m->relocate(resolver));
    }
}

TEST_CASE("Every generated fixture is checked here", "[loader][fixtures]") {
    std::set<std::string> known;
    for (const Case& c : kCases)
        known.insert(std::string("bad_") + c.name + ".ko");
    size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(CELOS_LOADER_FIXTURES_DIR)) {
        std::string name = entry.path().filename().string();
        if (name.rfind("bad_", 0) != 0) continue;
        ++files;
        INFO(name);
        CHECK(known.count(name) == 1);
    }
    CHECK(files == known.size());
}
