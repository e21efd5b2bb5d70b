// The kernel command line's options (core/kernel/boot_options.cpp): one
// table, every misuse its own message, a misused option keeps its default.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "kernel/boot_options.h"

using namespace celos;

namespace {

struct Parsed {
    BootOptions options;
    std::vector<std::string> messages;
};

Parsed parse(const char* line) {
    Parsed p;
    usize n = boot_options_parse(
        line, p.options,
        [](void* ctx, const char* message) {
            static_cast<std::vector<std::string>*>(ctx)->push_back(message);
        },
        &p.messages);
    CHECK(n == p.messages.size());
    return p;
}

std::string str(StringView v) {
    return std::string(v.data ? v.data : "", v.length);
}

} // namespace

TEST_CASE("boot options: defaults and every option in its right form") {
    Parsed none = parse("");
    CHECK_FALSE(none.options.selftest);
    CHECK_FALSE(none.options.nokaslr);
    CHECK(none.options.fault.empty());
    CHECK(none.options.modsig.empty());
    CHECK(none.options.wxaudit.empty());
    CHECK(none.messages.empty());

    Parsed all = parse("  selftest nokaslr\tmodsig=enforce fault=pf wxaudit=inject ");
    CHECK(all.messages.empty());
    CHECK(all.options.selftest);
    CHECK(all.options.nokaslr);
    CHECK(str(all.options.modsig) == "enforce");
    CHECK(str(all.options.fault) == "pf");
    CHECK(str(all.options.wxaudit) == "inject");
}

TEST_CASE("boot options: a flag takes on/off, and selftest=off means off") {
    CHECK_FALSE(parse("selftest=off").options.selftest);
    CHECK_FALSE(parse("selftest=0").options.selftest);
    CHECK_FALSE(parse("selftest=no").options.selftest);
    CHECK(parse("selftest=on").options.selftest);
    CHECK(parse("selftest=yes").options.selftest);
    CHECK(parse("nokaslr=1").options.nokaslr);
    CHECK(parse("selftest=off").messages.empty());

    Parsed bad = parse("selftest=maybe");
    CHECK_FALSE(bad.options.selftest);
    REQUIRE(bad.messages.size() == 1);
    CHECK(bad.messages[0] == "'selftest=maybe': selftest is a flag (selftest, or selftest=on|off); ignored");

    Parsed empty = parse("nokaslr=");
    CHECK_FALSE(empty.options.nokaslr);
    REQUIRE(empty.messages.size() == 1);
    CHECK(empty.messages[0] == "'nokaslr=': nokaslr is a flag (nokaslr, or nokaslr=on|off); ignored");
}

TEST_CASE("boot options: an option with a value, given none") {
    Parsed bare = parse("fault");
    CHECK(bare.options.fault.empty());
    REQUIRE(bare.messages.size() == 1);
    CHECK(bare.messages[0] == "'fault' needs a value (fault=VALUE); ignored");

    Parsed empty = parse("modsig=");
    CHECK(empty.options.modsig.empty());
    REQUIRE(empty.messages.size() == 1);
    CHECK(empty.messages[0] == "'modsig=' needs a value (modsig=warn|enforce); ignored");
}

TEST_CASE("boot options: a value that is not one of the choices") {
    Parsed p = parse("modsig=strict wxaudit=injec");
    CHECK(p.options.modsig.empty());
    CHECK(p.options.wxaudit.empty());
    REQUIRE(p.messages.size() == 2);
    CHECK(p.messages[0] == "modsig='strict' is not one of warn|enforce; ignored");
    CHECK(p.messages[1] == "wxaudit='injec' is not one of inject; ignored");
    // A prefix of a choice is not the choice.
    CHECK(parse("modsig=war").options.modsig.empty());
    CHECK(parse("modsig=enforcex").options.modsig.empty());
}

TEST_CASE("boot options: unknown options and words without a name") {
    Parsed p = parse("frobnicate=1 =v = verbose");
    REQUIRE(p.messages.size() == 4);
    CHECK(
        p.messages[0] ==
        "unknown option 'frobnicate' ignored (options: selftest, nokaslr, modsig=warn|enforce, fault=VALUE, "
        "wxaudit=inject, quiet, loglevel=0|1|2|3, panic=exit|wait)");
    CHECK(p.messages[1] == "'=v' has no option name before '='; ignored");
    CHECK(p.messages[2] == "'=' has no option name before '='; ignored");
    CHECK(p.messages[3].rfind("unknown option 'verbose' ignored", 0) == 0);
    // A flag's name as a prefix is not the flag (the old `has` matched key=value).
    CHECK_FALSE(parse("selftests").options.selftest);
    CHECK_FALSE(parse("xselftest").options.selftest);
}

TEST_CASE("boot options: repeats, the last one counts") {
    Parsed p = parse("modsig=warn modsig=enforce");
    CHECK(str(p.options.modsig) == "enforce");
    REQUIRE(p.messages.size() == 1);
    CHECK(p.messages[0] == "modsig given more than once; the last (modsig=enforce) counts");

    Parsed flags = parse("selftest selftest=off");
    CHECK_FALSE(flags.options.selftest);
    REQUIRE(flags.messages.size() == 1);
    CHECK(flags.messages[0] == "selftest given more than once; the last (selftest=off) counts");

    // The same value twice is not worth a message.
    CHECK(parse("nokaslr nokaslr modsig=warn modsig=warn").messages.empty());
    // A misused repeat leaves the earlier good value.
    CHECK(str(parse("modsig=enforce modsig=bad").options.modsig) == "enforce");
}

TEST_CASE("boot options: long values and every spec documented") {
    std::string line = "fault=" + std::string(5000, 'x');
    Parsed p = parse(line.c_str());
    CHECK(p.options.fault.length == 5000);
    for (const OptionSpec& s : boot_option_specs()) {
        CHECK(std::string(s.help).size() > 10);
        CHECK((s.kind == OptionKind::flag) == (s.flag != nullptr));
        CHECK((s.kind == OptionKind::value) == (s.value != nullptr));
    }
}

TEST_CASE("boot options: quiet and loglevel set what the console shows") {
    CHECK(boot_options_console_level(parse("").options) == 3);
    CHECK(boot_options_console_level(parse("quiet").options) == 1);
    CHECK(boot_options_console_level(parse("quiet=off").options) == 3);
    for (int n = 0; n <= 3; ++n) {
        std::string line = "loglevel=" + std::to_string(n);
        Parsed p = parse(line.c_str());
        CHECK(p.messages.empty());
        CHECK(boot_options_console_level(p.options) == n);
    }
    // An explicit loglevel wins over quiet, whatever the order.
    CHECK(boot_options_console_level(parse("quiet loglevel=2").options) == 2);
    CHECK(boot_options_console_level(parse("loglevel=0 quiet").options) == 0);
    Parsed bad = parse("loglevel=7");
    REQUIRE(bad.messages.size() == 1);
    CHECK(bad.messages[0] == "loglevel='7' is not one of 0|1|2|3; ignored");
    CHECK(boot_options_console_level(bad.options) == 3);
    Parsed none = parse("loglevel");
    REQUIRE(none.messages.size() == 1);
    CHECK(none.messages[0] == "'loglevel' needs a value (loglevel=0|1|2|3); ignored");
}
