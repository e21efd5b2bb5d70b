// Module parameters: the `key=value` words after the label on a module's
// module2 line, applied to the parameter table of its descriptor. The line
// comes from grub.cfg (or a shell), so it is untrusted: each problem gets a
// message of its own and the parameter keeps its default. Pure logic, also
// compiled for the host (tests/unit/test_params.cpp, tests/fuzz/fuzz_params.cpp).
//
// The table itself comes from the module: the loader checks that its names
// are terminated, its types known and every `value` inside the module's data
// (module_check_descriptor) before these functions write through it.
#pragma once

#include <celos/module.h>

#include "lib/span.h"
#include "lib/string_view.h"

namespace celos {

// Decimal or 0x hex, an optional sign, within int64_t.
bool param_parse_int(StringView text, i64& out);
// A bare flag is true; else on/off, yes/no, true/false, 1/0.
bool param_parse_bool(StringView text, bool has_value, bool& out);

// One message per problem, such as "unknown parameter 'x' ignored
// (parameters: a, b)"; the caller names the module. `fatal`: the module
// must not start (a string longer than its parameter holds: neither a cut
// value nor the default is what the line asked for); else a warning, and
// the parameter keeps its default.
using ParamReport = void (*)(void* ctx, bool fatal, const char* message);

struct ParamsResult {
    usize problems; // messages reported
    usize fatal;    // of which fatal
};

// Applies `args` to `params`. The last of repeated keys counts.
ParamsResult params_apply(Span<const celos_module_param> params, const char* args, ParamReport report, void* ctx);

} // namespace celos
