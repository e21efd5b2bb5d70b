// The kernel command line: words separated by spaces, each either `flag` or
// `key=value`. The line comes from grub.cfg and is untrusted.
#pragma once

#include "lib/string_view.h"

namespace celos {

class CommandLine {
public:
    constexpr CommandLine() = default;
    explicit CommandLine(const char* line) : line_(line ? line : "") {}

    // True when `key` appears as a flag or as key=value.
    bool has(StringView key) const;
    // The value of the last `key=value`; false when absent or a bare flag.
    bool get(StringView key, StringView& value) const;

    // Calls fn for each word, split into key and value (empty for a flag).
    template <typename Fn> void for_each(Fn fn) const {
        const char* p = line_;
        while (*p) {
            while (*p == ' ' || *p == '\t') ++p;
            if (!*p) break;
            const char* start = p;
            while (*p && *p != ' ' && *p != '\t') ++p;
            const char* eq = start;
            while (eq < p && *eq != '=') ++eq;
            StringView key(start, static_cast<usize>(eq - start));
            StringView value = eq < p ? StringView(eq + 1, static_cast<usize>(p - eq - 1)) : StringView();
            fn(key, value, eq < p);
        }
    }

private:
    const char* line_ = "";
};

} // namespace celos
