// Why an undefined symbol does not link (see link_reason.h). The messages
// are mirrored by tools/check_module_links.py: change both together.
#include "module/link_reason.h"

#include "lib/demangle.h"
#include "lib/format.h"

namespace celos {
namespace {

bool starts_with(const char* s, const char* prefix) {
    while (*prefix)
        if (*s++ != *prefix++) return false;
    return true;
}

usize length(const char* s) {
    usize n = 0;
    while (s[n])
        ++n;
    return n;
}

int compare(const char* a, const char* b) {
    while (*a && *a == *b)
        ++a, ++b;
    return static_cast<int>(static_cast<unsigned char>(*a)) -
           static_cast<int>(static_cast<unsigned char>(*b));
}

// What the compiler calls for language features a module does not have.
bool cxx_runtime(const char* s) {
    return starts_with(s, "__cxa_") || starts_with(s, "_Unwind_") || starts_with(s, "__gxx_personality") ||
           starts_with(s, "_ZTIN10__cxxabiv1") || starts_with(s, "_ZTVN10__cxxabiv1") ||
           starts_with(s, "_ZTISt") || starts_with(s, "_ZSt") || starts_with(s, "_Zdl") ||
           starts_with(s, "_Zda") || compare(s, "__dso_handle") == 0;
}

} // namespace

usize link_edit_distance(const char* a, const char* b, usize limit) {
    constexpr usize kMax = 64;
    usize n = length(a), m = length(b);
    if (n > kMax || m > kMax) return limit + 1;
    if ((n > m ? n - m : m - n) > limit) return limit + 1;
    usize row[kMax + 1];
    for (usize j = 0; j <= m; ++j)
        row[j] = j;
    for (usize i = 1; i <= n; ++i) {
        usize diagonal = row[0];
        row[0] = i;
        usize smallest = row[0];
        for (usize j = 1; j <= m; ++j) {
            usize above = row[j];
            usize best = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
            if (above + 1 < best) best = above + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
            if (best < smallest) smallest = best;
        }
        if (smallest > limit) return limit + 1;
    }
    return row[m] > limit ? limit + 1 : row[m];
}

LinkSuggestion::LinkSuggestion(const char* symbol) : symbol_(symbol), limit_(length(symbol) < 6 ? 1 : 2) {}

void LinkSuggestion::offer(const char* candidate) {
    if (compare(candidate, symbol_) == 0) return;
    usize d = link_edit_distance(symbol_, candidate, limit_);
    if (d > limit_) return;
    if (best_ == nullptr || d < best_distance_ || (d == best_distance_ && compare(candidate, best_) < 0)) {
        best_ = candidate;
        best_distance_ = d;
    }
}

usize link_reason(const char* symbol, const LinkFacts& facts, char* out, usize size) {
    if (starts_with(symbol, "_Znw"))
        return format(out, size, "%s is operator new: use new (std::nothrow)", symbol);
    if (starts_with(symbol, "_Zna"))
        return format(out, size, "%s is operator new[]: use new (std::nothrow)", symbol);
    // "_ZN3foo3barEv (foo::bar)": the name as written in the source too.
    char demangled[96];
    char shown[200];
    if (starts_with(symbol, "_Z") && demangle_function_name(symbol, demangled, sizeof demangled))
        format(shown, sizeof shown, "%s (%s)", symbol, demangled);
    else
        format(shown, sizeof shown, "%s", symbol);
    if (cxx_runtime(symbol))
        return format(out, size, "%s is C++ runtime support: modules have no exceptions, RTTI or C++ library",
                      shown);
    if (facts.exporter)
        return format(out, size, "%s is exported by %s: add %s to the module's dependencies", shown,
                      facts.exporter, facts.exporter);
    usize n = format(out, size, "%s is not exported by the core%s", shown,
                     facts.has_module_dependencies ? " or its dependencies" : "");
    if (facts.closest && n < size) n += format(out + n, size - n, " (did you mean %s?)", facts.closest);
    return n;
}

} // namespace celos
