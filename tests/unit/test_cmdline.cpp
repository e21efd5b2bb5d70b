// The kernel command line (from grub.cfg, untrusted) and StringView.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "lib/cmdline.h"
#include "lib/string_view.h"

using namespace celos;

namespace {

std::string str(StringView v) {
    return std::string(v.data ? v.data : "", v.length);
}

// get() as a string, or "<absent>".
std::string value_of(const CommandLine& c, const char* key) {
    StringView v("sentinel");
    if (!c.get(key, v)) return "<absent>";
    return str(v);
}

struct Word {
    std::string key, value;
    bool has_value;
    bool operator==(const Word&) const = default;
};

std::vector<Word> words(const CommandLine& c) {
    std::vector<Word> out;
    c.for_each([&](StringView k, StringView v, bool has_value) {
        out.push_back({str(k), str(v), has_value});
    });
    return out;
}

} // namespace

TEST_CASE("cmdline: flags and key=value") {
    CommandLine c("quiet log=debug serial=com1 selftest");
    CHECK(c.has("quiet"));
    CHECK(c.has("selftest"));
    CHECK(c.has("log"));
    CHECK(c.has("serial"));
    CHECK_FALSE(c.has("loud"));
    CHECK(value_of(c, "log") == "debug");
    CHECK(value_of(c, "serial") == "com1");
    CHECK(value_of(c, "missing") == "<absent>");
}

TEST_CASE("cmdline: keys match whole words only") {
    CommandLine c("debugger=1 log_level=2 x");
    CHECK_FALSE(c.has("debug"));
    CHECK_FALSE(c.has("log"));
    CHECK_FALSE(c.has("debugger=1"));
    CHECK(value_of(c, "debug") == "<absent>");
    CHECK(value_of(c, "log_level") == "2");
    CHECK_FALSE(c.has("xx"));
    CHECK_FALSE(c.has(""));
}

TEST_CASE("cmdline: the last value wins") {
    CommandLine c("log=info log=warn other=1 log=debug");
    CHECK(value_of(c, "log") == "debug");
    // A later bare flag with the same name does not clear the value.
    CommandLine d("log=info log");
    CHECK(value_of(d, "log") == "info");
    CHECK(d.has("log"));
    CommandLine e("log log=warn");
    CHECK(value_of(e, "log") == "warn");
}

TEST_CASE("cmdline: an empty value") {
    CommandLine c("root= quiet");
    CHECK(c.has("root"));
    StringView v("sentinel");
    REQUIRE(c.get("root", v));
    CHECK(v.empty());
    CHECK(value_of(CommandLine("a=1 a="), "a").empty()); // empty, but still the last
}

TEST_CASE("cmdline: a bare flag is has() but not get()") {
    CommandLine c("nosmp");
    CHECK(c.has("nosmp"));
    StringView v("untouched");
    CHECK_FALSE(c.get("nosmp", v));
    CHECK(str(v) == "untouched"); // a failed get leaves the output alone
}

TEST_CASE("cmdline: values may contain '='") {
    CommandLine c("init=/bin/sh opt=a=b=c ==x");
    CHECK(value_of(c, "opt") == "a=b=c");
    CHECK(value_of(c, "init") == "/bin/sh");
    // "==x": an empty key whose value is "=x".
    CHECK(value_of(c, "") == "=x");
    CHECK_FALSE(c.has("a"));
}

TEST_CASE("cmdline: spaces and tabs separate words") {
    CommandLine c("   \t a=1 \t\t  b   c=3\t");
    CHECK(words(c) == std::vector<Word>{{"a", "1", true}, {"b", "", false}, {"c", "3", true}});
    CHECK(value_of(c, "c") == "3");
    CHECK(c.has("b"));
    // Other whitespace is not a separator: a newline stays inside the word.
    CommandLine d("a=1\nb=2");
    CHECK(value_of(d, "a") == "1\nb=2");
}

TEST_CASE("cmdline: empty and null lines") {
    for (const CommandLine& c :
         {CommandLine(nullptr), CommandLine(""), CommandLine("  \t "), CommandLine()}) {
        CHECK(words(c).empty());
        CHECK_FALSE(c.has("x"));
        CHECK_FALSE(c.has(""));
        CHECK(value_of(c, "x") == "<absent>");
    }
}

TEST_CASE("cmdline: for_each gives every word in order") {
    CommandLine c("a b=2 =3 c= d=e=f");
    CHECK(words(c) ==
          std::vector<Word>{
              {"a", "", false}, {"b", "2", true}, {"", "3", true}, {"c", "", true}, {"d", "e=f", true}});
}

TEST_CASE("cmdline: StringView") {
    CHECK(StringView("abc").length == 3);
    CHECK(StringView(static_cast<const char*>(nullptr)).length == 0);
    CHECK(StringView(static_cast<const char*>(nullptr)).empty());
    CHECK(StringView().empty());
    CHECK(StringView("") == StringView());
    CHECK(StringView("abc") == StringView("abcdef", 3));
    CHECK_FALSE(StringView("abc") == StringView("abd"));
    CHECK_FALSE(StringView("abc") == StringView("ab"));
    static_assert(StringView("four").length == 4);

    char buf[4] = {'X', 'X', 'X', 'X'};
    StringView("abcdef").copy_to(buf, sizeof buf);
    CHECK(std::string(buf) == "abc"); // truncated, NUL-terminated
    StringView("a").copy_to(buf, sizeof buf);
    CHECK(std::string(buf) == "a");
    buf[0] = 'Y';
    StringView("abc").copy_to(buf, 0); // size 0 writes nothing
    CHECK(buf[0] == 'Y');
    StringView("abc").copy_to(buf, 1);
    CHECK(buf[0] == '\0');
}
