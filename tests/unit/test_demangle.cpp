// The demangler against c++filt (binutils) as the oracle: every function
// name in the real modules that the demangler accepts must come out as
// c++filt's name without its parameters.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "lib/demangle.h"

namespace {

std::string run(const std::string& command) {
    std::string out;
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    REQUIRE(pipe);
    std::array<char, 4096> buf;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), pipe.get())) > 0) out.append(buf.data(), n);
    return out;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    size_t at = 0;
    while (at < text.size()) {
        size_t end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        out.push_back(text.substr(at, end - at));
        at = end + 1;
    }
    return out;
}

// "ns::f(int) const [clone .part.0]" -> "ns::f", as tools/gen_symbols.py does.
std::string strip_parameters(const std::string& name) {
    int depth = 0;
    for (size_t i = name.size(); i-- > 0;) {
        if (name[i] == ')') ++depth;
        else if (name[i] == '(' && --depth == 0 && name.compare(i, 21, "(anonymous namespace)") != 0)
            return name.substr(0, name.find_last_not_of(' ', i - 1) + 1);
    }
    return name;
}

std::string demangle(const std::string& mangled) {
    char out[256];
    return celos::demangle_function_name(mangled.c_str(), out, sizeof out) ? out : "";
}

} // namespace

TEST_CASE("demangle: common shapes", "[demangle]") {
    CHECK(demangle("_ZN12_GLOBAL__N_14initEv") == "(anonymous namespace)::init");
    CHECK(demangle("_ZNK10celos_heap4Heap8validateEPKvmPKc") == "celos_heap::Heap::validate");
    CHECK(demangle("_ZN10celos_heap4Heap4freeEPvm.part.0") == "celos_heap::Heap::free");
    CHECK(demangle("_ZN3FooC2Ev") == "Foo::Foo");
    CHECK(demangle("_ZN3FooD0Ev") == "Foo::~Foo");
    CHECK(demangle("_Z4mainv") == "main");
    CHECK(demangle("_ZdlPvm") == "operator delete");
    CHECK(demangle("_ZNSt9nothrow_tC1Ev") == "std::nothrow_t::nothrow_t");
    CHECK(demangle("_ZL20celos_export_kmalloc") == "celos_export_kmalloc");
    CHECK(demangle("_ZN12_GLOBAL__N_1L6paramsE") == "(anonymous namespace)::params");
    CHECK(demangle("_ZSt7nothrow") == "std::nothrow");
    CHECK(demangle("_ZZN12_GLOBAL__N_14initEvE4slot").empty()); // local statics: refused
    CHECK(demangle("kmalloc").empty());               // not mangled
    CHECK(demangle("_ZN1aIiE1fEv").empty());          // templates: refused
    CHECK(demangle("_ZN999").empty());                // truncated
    CHECK(demangle("_ZN5abc").empty());               // length past the end
    char tiny[4];
    CHECK_FALSE(celos::demangle_function_name("_ZN12_GLOBAL__N_14initEv", tiny, sizeof tiny));
}

TEST_CASE("demangle: agrees with c++filt on the real modules", "[demangle]") {
    std::vector<std::string> names;
    for (const char* ko : {CELOS_DEMANGLE_TEST_FILES}) {
        for (const std::string& line : lines(run(std::string("nm --defined-only ") + ko + " 2>/dev/null"))) {
            size_t space = line.rfind(' ');
            if (space != std::string::npos && line.compare(space + 1, 2, "_Z") == 0) names.push_back(line.substr(space + 1));
        }
    }
    REQUIRE(names.size() >= 10);
    size_t accepted = 0;
    for (const std::string& name : names) {
        std::string ours = demangle(name);
        if (ours.empty()) continue;
        ++accepted;
        std::string theirs = strip_parameters(lines(run("c++filt '" + name + "'"))[0]);
        INFO(name);
        CHECK(ours == theirs);
    }
    // Most names in these modules are plain nested names.
    CHECK(accepted * 10 >= names.size() * 8);
}
