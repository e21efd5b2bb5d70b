#include "module/depends.h"

#include "lib/format.h"

namespace celos {

bool next_dependency(const char*& p, Dependency& out) {
    while (*p == ' ' || *p == ',')
        ++p;
    if (!*p) return false;
    const char* start = p;
    while (*p && *p != ' ' && *p != ',')
        ++p;
    out.service = *start == '@';
    if (out.service) ++start;
    out.name = StringView(start, static_cast<usize>(p - start));
    return true;
}

bool dependencies_find(const DependencyGraph& g, StringView name, usize& index) {
    for (usize i = 0; i < g.count(); ++i)
        if (g.name(i) == name) {
            index = i;
            return true;
        }
    return false;
}

DepStep dependencies_next(const DependencyGraph& g) {
    for (usize i = 0; i < g.count(); ++i) {
        if (g.state(i) != DepState::waiting) continue;
        const char* p = g.depends(i);
        Dependency dep;
        bool ready = true;
        while (next_dependency(p, dep)) {
            if (dep.service) {
                if (!g.service_available(dep.name)) ready = false;
                continue;
            }
            usize j = 0;
            if (!dependencies_find(g, dep.name, j)) return {DepStep::missing, i, dep.name, DepState::waiting};
            const DepState s = g.state(j);
            if (s == DepState::refused || s == DepState::declined)
                return {DepStep::dependency_failed, i, dep.name, s};
            if (s != DepState::loaded) ready = false;
        }
        if (ready) return {DepStep::start, i, {}, DepState::waiting};
    }
    return {DepStep::none, 0, {}, DepState::waiting};
}

namespace {

// The first dependency of `i` that is a module still waiting, or false.
bool first_waiting_dependency(const DependencyGraph& g, usize i, usize& next) {
    const char* p = g.depends(i);
    Dependency dep;
    while (next_dependency(p, dep)) {
        if (dep.service) continue;
        if (dependencies_find(g, dep.name, next) && g.state(next) == DepState::waiting) return true;
    }
    return false;
}

} // namespace

void dependencies_explain(const DependencyGraph& g, usize i, char* buf, usize size) {
    if (size == 0) return;
    const char* p = g.depends(i);
    Dependency dep;
    while (next_dependency(p, dep)) {
        if (!dep.service || g.service_available(dep.name)) continue;
        format(buf, size, "needs the service '%.*s', which no started module provides",
               static_cast<int>(dep.name.length), dep.name.data);
        return;
    }
    // Follow the first waiting dependency from i; a path that comes back to
    // i is its cycle. At most count() steps.
    usize path[64];
    usize depth = 0;
    usize at = i;
    while (depth < g.count() && depth < sizeof path / sizeof path[0]) {
        path[depth++] = at;
        usize next = 0;
        if (!first_waiting_dependency(g, at, next)) break;
        if (next == i) {
            usize n = format(buf, size, "dependency cycle: ");
            for (usize k = 0; k < depth; ++k) {
                const StringView name = g.name(path[k]);
                n += format(buf + (n < size ? n : size - 1), n < size ? size - n : 1, "%.*s -> ",
                            static_cast<int>(name.length), name.data);
            }
            const StringView name = g.name(i);
            format(buf + (n < size ? n : size - 1), n < size ? size - n : 1, "%.*s",
                   static_cast<int>(name.length), name.data);
            return;
        }
        at = next;
    }
    format(buf, size, "depends on a module in a dependency cycle");
}

} // namespace celos
