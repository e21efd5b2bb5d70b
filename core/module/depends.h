// A module's declared dependencies (the `depends` string of its descriptor:
// names separated by spaces or commas; "@name" is a service that any module
// provides) and the order modules start in. Pure logic over a small view of
// the modules, host-tested (tests/unit/test_depends.cpp); the loader supplies
// the view and does the loading.
#pragma once

#include "lib/string_view.h"
#include "lib/types.h"

namespace celos {

struct Dependency {
    StringView name; // without the '@' of a service
    bool service;
};

// The next dependency in `p` (advanced past it), or false at the end. The one
// tokenizer of depends strings.
bool next_dependency(const char*& p, Dependency& out);

// Where a module stands, as the planner sees it.
enum class DepState : u8 {
    waiting, // parsed, not started
    loaded,
    refused,  // refused or failed
    declined, // not needed (init said CELOS_ERR_EXISTS)
};

class DependencyGraph {
  public:
    virtual usize count() const = 0;
    // The module's name (its descriptor's, or its label when it has none).
    virtual StringView name(usize i) const = 0;
    virtual const char* depends(usize i) const = 0;
    virtual DepState state(usize i) const = 0;
    virtual bool service_available(StringView service) const = 0;

  protected:
    ~DependencyGraph() = default;
};

struct DepStep {
    enum Kind : u8 {
        none,              // no waiting module can start or be refused now
        start,             // every dependency of `module` is there: start it
        missing,           // `module` depends on `dependency`, which is not among the modules
        dependency_failed, // ... which was refused (`dependency_state`) or not needed
    } kind;
    usize module;
    StringView dependency;
    DepState dependency_state;
};

// The next step for the waiting modules, in their order (so a module comes
// as early as its dependencies allow). Call until it returns `none`,
// carrying out each step (and so changing the states) in between.
DepStep dependencies_next(const DependencyGraph& g);

// Why waiting module `i` cannot start once dependencies_next returns none:
// "needs the service 'font', which no started module provides",
// "dependency cycle: a -> b -> a" or "depends on a module in a dependency
// cycle". Written into buf (NUL-terminated, cut to fit).
void dependencies_explain(const DependencyGraph& g, usize i, char* buf, usize size);

// The module named `name` among the graph's modules (those not unloaded), or false.
bool dependencies_find(const DependencyGraph& g, StringView name, usize& index);

} // namespace celos
