// The reasons an undefined symbol of a module does not link (the loader's
// refusal; tools/check_module_links.py gives the same words at build time).
#include <catch2/catch.hpp>

#include <string>

#include "module/link_reason.h"

using namespace celos;

namespace {
std::string reason(const char* symbol, const LinkFacts& facts) {
    char out[256];
    link_reason(symbol, facts, out, sizeof out);
    return out;
}
} // namespace

TEST_CASE("link reason: exported by a module that is not a dependency", "[link]") {
    LinkFacts f;
    f.exporter = "heap";
    CHECK(reason("kmalloc", f) == "kmalloc is exported by heap: add heap to the module's dependencies");
}

TEST_CASE("link reason: not exported by the core", "[link]") {
    CHECK(reason("kernel_main", {}) == "kernel_main is not exported by the core");
    LinkFacts f;
    f.has_module_dependencies = true;
    CHECK(reason("kernel_main", f) == "kernel_main is not exported by the core or its dependencies");
}

TEST_CASE("link reason: a likely typo names the closest export", "[link]") {
    LinkSuggestion s("kmaloc");
    for (const char* name : {"kfree", "kmalloc", "krealloc", "celos_log", "kcalloc"})
        s.offer(name);
    REQUIRE(s.best() != nullptr);
    CHECK(std::string(s.best()) == "kmalloc");
    LinkFacts f;
    f.closest = s.best();
    CHECK(reason("kmaloc", f) == "kmaloc is not exported by the core (did you mean kmalloc?)");

    LinkSuggestion far("kernel_main");
    for (const char* name : {"kmalloc", "celos_log", "celos_panic"})
        far.offer(name);
    CHECK(far.best() == nullptr);
    LinkSuggestion tie("abcdef");
    tie.offer("abcdeg");
    tie.offer("abcdex");
    tie.offer("abcdea");
    CHECK(std::string(tie.best()) == "abcdea");
}

TEST_CASE("link reason: operator new", "[link]") {
    CHECK(reason("_Znwm", {}) == "_Znwm is operator new: use new (std::nothrow)");
    CHECK(reason("_Znam", {}) == "_Znam is operator new[]: use new (std::nothrow)");
}

TEST_CASE("link reason: the C++ runtime", "[link]") {
    CHECK(reason("__cxa_throw", {}) ==
          "__cxa_throw is C++ runtime support: modules have no exceptions, RTTI or C++ library");
    CHECK(reason("_Unwind_Resume", {}) ==
          "_Unwind_Resume is C++ runtime support: modules have no exceptions, RTTI or C++ library");
    CHECK(reason("_ZTVN10__cxxabiv117__class_type_infoE", {}).find("is C++ runtime support") !=
          std::string::npos);
}

TEST_CASE("link reason: mangled names are demangled", "[link]") {
    CHECK(reason("_ZN3foo3barEv", {}) == "_ZN3foo3barEv (foo::bar) is not exported by the core");
}

TEST_CASE("link edit distance", "[link]") {
    CHECK(link_edit_distance("kmalloc", "kmalloc", 2) == 0);
    CHECK(link_edit_distance("kmaloc", "kmalloc", 2) == 1);
    CHECK(link_edit_distance("kfere", "kfree", 2) == 2);
    CHECK(link_edit_distance("abc", "xyz", 2) == 3);
    CHECK(link_edit_distance("a", "abcdef", 2) == 3);
}
