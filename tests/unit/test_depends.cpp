// Dependency order and its reports (core/module/depends.cpp) over a fake set
// of modules: the loader's planner without the loader.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "module/depends.h"

using namespace celos;

namespace {

struct Fake {
    std::string name;
    std::string depends;
    DepState state = DepState::waiting;
};

class Graph final : public DependencyGraph {
  public:
    std::vector<Fake> modules;
    std::set<std::string> services;

    usize count() const override { return modules.size(); }
    StringView name(usize i) const override { return StringView(modules[i].name.c_str()); }
    const char* depends(usize i) const override { return modules[i].depends.c_str(); }
    DepState state(usize i) const override { return modules[i].state; }
    bool service_available(StringView s) const override {
        return services.count(std::string(s.data, s.length)) != 0;
    }
};

std::string str(StringView v) {
    return std::string(v.data, v.length);
}

// Runs the planner as the loader does: starting a module loads it (or, for
// names in `fails`, refuses it; in `declines`, declines), a module that
// provides a service registers it. Returns the log of steps.
std::vector<std::string> run(Graph& g, std::set<std::string> fails = {}, std::set<std::string> declines = {},
                             std::vector<std::pair<std::string, std::string>> provides = {}) {
    std::vector<std::string> log;
    for (DepStep s = dependencies_next(g); s.kind != DepStep::none; s = dependencies_next(g)) {
        Fake& m = g.modules[s.module];
        switch (s.kind) {
        case DepStep::start:
            if (fails.count(m.name)) {
                m.state = DepState::refused;
                log.push_back("fail " + m.name);
            } else if (declines.count(m.name)) {
                m.state = DepState::declined;
                log.push_back("decline " + m.name);
            } else {
                m.state = DepState::loaded;
                log.push_back("start " + m.name);
                for (auto& [who, service] : provides)
                    if (who == m.name) g.services.insert(service);
            }
            break;
        case DepStep::missing:
            m.state = DepState::refused;
            log.push_back("missing " + m.name + " needs " + str(s.dependency));
            break;
        case DepStep::dependency_failed:
            m.state = DepState::refused;
            log.push_back(std::string(s.dependency_state == DepState::declined ? "declined " : "refused ") +
                          m.name + " needs " + str(s.dependency));
            break;
        case DepStep::none: break;
        }
    }
    for (usize i = 0; i < g.modules.size(); ++i) {
        if (g.modules[i].state != DepState::waiting) continue;
        char why[200];
        dependencies_explain(g, i, why, sizeof why);
        log.push_back("waits " + g.modules[i].name + ": " + why);
    }
    return log;
}

std::vector<std::string> tokens(const char* depends) {
    std::vector<std::string> out;
    Dependency d;
    while (next_dependency(depends, d))
        out.push_back((d.service ? "@" : "") + str(d.name));
    return out;
}

} // namespace

TEST_CASE("depends: the one tokenizer of depends strings") {
    CHECK(tokens("").empty());
    CHECK(tokens("  , ,").empty());
    CHECK(tokens("heap") == std::vector<std::string>{"heap"});
    CHECK(tokens("heap @font") == std::vector<std::string>{"heap", "@font"});
    CHECK(tokens(" a,b ,,c  @d,") == std::vector<std::string>{"a", "b", "c", "@d"});
}

TEST_CASE("depends: modules start as early as their dependencies allow, in line order otherwise") {
    Graph g;
    g.modules = {{"fbcon", "heap @font"}, {"truetype", "heap"}, {"heap", ""}, {"psf", "heap"}};
    auto log = run(g, {}, {}, {{"truetype", "font"}, {"psf", "font"}});
    CHECK(log == std::vector<std::string>{"start heap", "start truetype", "start fbcon", "start psf"});
}

TEST_CASE("depends: a missing dependency and a failed one refuse the module, with its name") {
    Graph g;
    g.modules = {{"a", "nothere"}, {"b", "c"}, {"c", ""}, {"d", "e"}, {"e", ""}};
    auto log = run(g, {"c"}, {"e"});
    CHECK(log == std::vector<std::string>{"missing a needs nothere", "fail c", "refused b needs c",
                                          "decline e", "declined d needs e"});
}

TEST_CASE("depends: a refusal travels down a chain") {
    Graph g;
    g.modules = {{"top", "mid"}, {"mid", "base"}, {"base", "gone"}};
    auto log = run(g);
    CHECK(log == std::vector<std::string>{"missing base needs gone", "refused mid needs base",
                                          "refused top needs mid"});
}

TEST_CASE("depends: cycles, and modules waiting on one, with the exact messages") {
    Graph g;
    g.modules = {{"a", "b"}, {"b", "c"}, {"c", "a"}, {"d", "a"}, {"self", "self"}, {"ok", ""}};
    auto log = run(g);
    CHECK(log == std::vector<std::string>{"start ok", "waits a: dependency cycle: a -> b -> c -> a",
                                          "waits b: dependency cycle: b -> c -> a -> b",
                                          "waits c: dependency cycle: c -> a -> b -> c",
                                          "waits d: depends on a module in a dependency cycle",
                                          "waits self: dependency cycle: self -> self"});
}

TEST_CASE("depends: a service no module provides, and one that comes later") {
    Graph g;
    g.modules = {{"console", "@font"}, {"font", ""}, {"user", "@display"}};
    auto log = run(g, {}, {}, {{"font", "font"}});
    CHECK(log == std::vector<std::string>{
                     "start font", "start console",
                     "waits user: needs the service 'display', which no started module provides"});
}

TEST_CASE("depends: a long cycle report is cut, never overflows") {
    Graph g;
    for (int i = 0; i < 40; ++i)
        g.modules.push_back({"module_with_a_long_name_" + std::to_string(i),
                             "module_with_a_long_name_" + std::to_string((i + 1) % 40)});
    char why[64];
    dependencies_explain(g, 0, why, sizeof why);
    CHECK(std::string(why).size() == 63);
    CHECK(std::string(why).rfind("dependency cycle: module_with_a_long_name_0 -> ", 0) == 0);
    char tiny[1];
    dependencies_explain(g, 0, tiny, sizeof tiny);
    CHECK(tiny[0] == '\0');
}
