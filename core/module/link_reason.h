// Why an undefined symbol of a module does not link, in words: the same
// reasons at build time (tools/check_module_links.py, which mirrors these
// messages) and at boot (the loader's refusal). Pure logic, host-tested
// (tests/unit/test_link_reason.cpp).
//
// A module links only against the core's exports and the exports of the
// modules its `depends` names (directly, as Linux's modules), never against
// a module that merely happens to be loaded first.
#pragma once

#include "lib/types.h"

namespace celos {

struct LinkFacts {
    // A module that exports the symbol but is not among the dependencies
    // (loaded, or only present), or null.
    const char* exporter = nullptr;
    // The closest name the module could link against (the core's exports and
    // its dependencies'), for a likely typo (link_suggestion), or null.
    const char* closest = nullptr;
    // The module names other modules in `depends` ("the core or its dependencies").
    bool has_module_dependencies = false;
};

// The reason `symbol` does not link, e.g.
//   "kmalloc is exported by heap: add heap to the module's dependencies"
//   "_Znwm is operator new: use new (std::nothrow)"
//   "__cxa_throw is C++ runtime support: modules have no exceptions or RTTI"
//   "kmaloc is not exported by the core (did you mean kmalloc?)"
//   "_ZN3foo3barEv (foo::bar) is not exported by the core"
// Returns the length written (as format()).
usize link_reason(const char* symbol, const LinkFacts& facts, char* out, usize size);

// The Levenshtein distance between a and b, or limit + 1 when it is larger
// (or a name is longer than 64 characters).
usize link_edit_distance(const char* a, const char* b, usize limit);

// Picks the closest candidate to `symbol` for a "did you mean": within an
// edit distance of 2 (1 for names shorter than 6 characters), the smallest
// distance, then the first name in byte order.
class LinkSuggestion {
  public:
    explicit LinkSuggestion(const char* symbol);
    void offer(const char* candidate);
    const char* best() const { return best_; }

  private:
    const char* symbol_;
    usize limit_;
    const char* best_ = nullptr;
    usize best_distance_ = 0;
};

} // namespace celos
