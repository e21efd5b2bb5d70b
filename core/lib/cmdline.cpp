#include "lib/cmdline.h"

namespace celos {

bool CommandLine::has(StringView key) const {
    bool found = false;
    for_each([&](StringView k, StringView, bool) { found = found || k == key; });
    return found;
}

bool CommandLine::get(StringView key, StringView& value) const {
    bool found = false;
    for_each([&](StringView k, StringView v, bool has_value) {
        if (k == key && has_value) {
            value = v;
            found = true;
        }
    });
    return found;
}

} // namespace celos
