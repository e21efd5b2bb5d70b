#include "ktest/ktap.h"

#include <stdarg.h>

#include "lib/format.h"
#include "log/log.h"

namespace celos::ktest {

Ktap::Ktap(usize planned, const char* subtest, usize depth) : planned_(planned), depth_(depth) {
    int indent = static_cast<int>(depth * 4);
    log_info("%*sKTAP version 1", indent, "");
    if (subtest) log_info("%*s# Subtest: %s", indent, "", subtest);
    log_info("%*s1..%zu", indent, "", planned);
}

void Ktap::report(const char* name, Outcome outcome, const char* detail) {
    int indent = static_cast<int>(depth_ * 4);
    usize n = next_++;
    bool has_detail = detail && detail[0];
    switch (outcome) {
    case Outcome::pass:
        log_info("%*sok %zu %s%s%s", indent, "", n, name, has_detail ? " # " : "", has_detail ? detail : "");
        break;
    case Outcome::fail:
        ++failed_;
        log_info("%*snot ok %zu %s%s%s", indent, "", n, name, has_detail ? " # " : "",
                 has_detail ? detail : "");
        break;
    case Outcome::skip:
        ++skipped_;
        log_info("%*sok %zu %s # SKIP %s", indent, "", n, name, has_detail ? detail : "");
        break;
    }
}

void Ktap::note(const char* fmt, ...) {
    char text[256];
    va_list args;
    va_start(args, fmt);
    vformat(text, sizeof text, fmt, args);
    va_end(args);
    log_info("%*s# %s", static_cast<int>(depth_ * 4), "", text);
}

void ktap_failure_detail(char* buf, usize size, const char* name, const char* text) {
    format(buf, size, "%s: %s", name, text ? text : "failed");
}

bool contains(const char* haystack, const char* needle) {
    for (; *haystack; ++haystack) {
        usize i = 0;
        while (needle[i] && haystack[i] == needle[i])
            ++i;
        if (!needle[i]) return true;
    }
    return false;
}

} // namespace celos::ktest
