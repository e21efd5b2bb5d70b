// Module parameters (core/module/params.cpp): every type, bad values,
// repeats, long values, each problem with its exact message.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "module/params.h"

using namespace celos;

namespace {

// A module's parameters as the descriptor would list them.
struct Module {
    bool verbose = false;
    int64_t count = 7;
    char font[16] = "default.psf";
    celos_module_param params[3];

    Module() {
        std::memset(params, 0, sizeof params);
        std::strcpy(params[0].name, "verbose");
        params[0].type = CELOS_PARAM_BOOL;
        params[0].value = &verbose;
        std::strcpy(params[1].name, "count");
        params[1].type = CELOS_PARAM_INT;
        params[1].value = &count;
        std::strcpy(params[2].name, "font");
        params[2].type = CELOS_PARAM_STRING;
        params[2].size = sizeof font;
        params[2].value = font;
    }

    std::vector<std::string> apply(const char* args) {
        std::vector<std::string> messages;
        ParamsResult r = params_apply(
            Span<const celos_module_param>(params, 3), args,
            [](void* ctx, bool fatal, const char* m) {
                static_cast<std::vector<std::string>*>(ctx)->push_back(std::string(fatal ? "FATAL " : "") + m);
            },
            &messages);
        CHECK(r.problems == messages.size());
        usize fatal = 0;
        for (const std::string& m : messages) fatal += m.rfind("FATAL ", 0) == 0;
        CHECK(r.fatal == fatal);
        return messages;
    }
};

i64 int_of(const char* text, bool* ok = nullptr) {
    i64 v = -12345;
    bool r = param_parse_int(StringView(text), v);
    if (ok) *ok = r;
    return r ? v : -12345;
}

} // namespace

TEST_CASE("params: integers, decimal and hex, within int64") {
    bool ok = false;
    CHECK(int_of("0") == 0);
    CHECK(int_of("42") == 42);
    CHECK(int_of("-42") == -42);
    CHECK(int_of("+42") == 42);
    CHECK(int_of("0x1f") == 31);
    CHECK(int_of("0XFF") == 255);
    CHECK(int_of("-0x10") == -16);
    CHECK(int_of("9223372036854775807") == INT64_MAX);
    CHECK(int_of("-9223372036854775808") == INT64_MIN);
    for (const char* bad :
         {"", "-", "+", "0x", "12a", "0x1g", "1 2", "9223372036854775808", "-9223372036854775809",
          "0xffffffffffffffff", "99999999999999999999999", "--1", "1e3"}) {
        int_of(bad, &ok);
        CHECK_FALSE(ok);
    }
}

TEST_CASE("params: booleans") {
    bool b = false;
    CHECK((param_parse_bool(StringView(), false, b) && b)); // bare flag
    for (const char* t : {"1", "on", "yes", "true"})
        CHECK((param_parse_bool(StringView(t), true, b) && b));
    for (const char* f : {"0", "off", "no", "false"})
        CHECK((param_parse_bool(StringView(f), true, b) && !b));
    CHECK_FALSE(param_parse_bool(StringView("maybe"), true, b));
    CHECK_FALSE(param_parse_bool(StringView(""), true, b));
    CHECK_FALSE(param_parse_bool(StringView("ON"), true, b));
}

TEST_CASE("params: every type applied") {
    Module m;
    CHECK(m.apply("verbose count=-3 font=Lat15.psf").empty());
    CHECK(m.verbose);
    CHECK(m.count == -3);
    CHECK(std::string(m.font) == "Lat15.psf");
    CHECK(m.apply("verbose=off count=0x10").empty());
    CHECK_FALSE(m.verbose);
    CHECK(m.count == 16);
    CHECK(m.apply("").empty());
    CHECK(m.apply("   ").empty());
}

TEST_CASE("params: bad values keep the default, each with its message") {
    Module m;
    auto msgs = m.apply("verbose=maybe count=ten count font");
    REQUIRE(msgs.size() == 4);
    CHECK(msgs[0] == "parameter 'verbose': bad value 'maybe' (expected on/off, yes/no, true/false or 1/0); "
                     "default kept");
    CHECK(msgs[1] ==
          "parameter 'count': bad value 'ten' (expected a 64-bit integer, decimal or 0x hex); default kept");
    CHECK(msgs[2] ==
          "parameter 'count' needs a value (count=a 64-bit integer, decimal or 0x hex); default kept");
    CHECK(msgs[3] == "parameter 'font' needs a value (font=a string); default kept");
    CHECK_FALSE(m.verbose);
    CHECK(m.count == 7);
    CHECK(std::string(m.font) == "default.psf");

    auto empty = m.apply("font= count=");
    REQUIRE(empty.size() == 2);
    CHECK(std::string(m.font) == "default.psf");
}

TEST_CASE("params: unknown names and words without a name") {
    Module m;
    auto msgs = m.apply("colour=red =x");
    REQUIRE(msgs.size() == 2);
    CHECK(msgs[0] ==
          "unknown parameter 'colour' ignored (parameters: verbose (bool), count (int), font (string))");
    CHECK(msgs[1] == "'=x' has no parameter name before '='; ignored");
    // Prefixes and case differences are other names.
    CHECK(m.apply("verb").size() == 1);
    CHECK(m.apply("Verbose").size() == 1);

    std::vector<std::string> none;
    ParamsResult r = params_apply(
        Span<const celos_module_param>(), "x=1",
        [](void* ctx, bool, const char* msg) { static_cast<std::vector<std::string>*>(ctx)->push_back(msg); },
        &none);
    CHECK(r.problems == 1);
    CHECK(r.fatal == 0);
    CHECK(none.at(0) == "unknown parameter 'x' ignored (parameters: none)");
}

TEST_CASE("params: repeats, the last one counts and is reported") {
    Module m;
    auto msgs = m.apply("count=1 count=2 font=a.psf font=b.psf");
    REQUIRE(msgs.size() == 2);
    CHECK(msgs[0] == "parameter 'count' given more than once; the last (2) counts");
    CHECK(msgs[1] == "parameter 'font' given more than once; the last (b.psf) counts");
    CHECK(m.count == 2);
    CHECK(std::string(m.font) == "b.psf");
    // A bad repeat leaves the good earlier value.
    CHECK(m.apply("count=5 count=x").size() == 1);
    CHECK(m.count == 5);
}

TEST_CASE("params: long values") {
    Module m;
    // 15 bytes fit a 16-byte buffer with its NUL; 16 do not.
    CHECK(m.apply("font=123456789012345").empty());
    CHECK(std::string(m.font) == "123456789012345");
    auto msgs = m.apply("font=1234567890123456");
    REQUIRE(msgs.size() == 1);
    // Fatal: the loader refuses the module rather than start it with a cut
    // value or the default.
    CHECK(msgs[0] == "FATAL parameter 'font': value is 16 bytes, longer than the limit of 15");
    CHECK(std::string(m.font) == "123456789012345");

    std::string huge = "count=" + std::string(10000, '9');
    auto big = m.apply(huge.c_str());
    REQUIRE(big.size() == 1);
    CHECK(big[0].size() < 400); // the message is bounded, the value cut
    CHECK(m.count == 7);
}
