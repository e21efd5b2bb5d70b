#include "kernel/boot_options.h"

#include <stdarg.h>

#include "lib/cmdline.h"
#include "lib/format.h"

namespace celos {
namespace {

constexpr OptionSpec kSpecs[] = {
    {"selftest", OptionKind::flag, nullptr, "run the in-kernel checks after boot", &BootOptions::selftest,
     nullptr},
    {"nokaslr", OptionKind::flag, nullptr, "load modules at deterministic first-fit bases",
     &BootOptions::nokaslr, nullptr},
    {"modsig", OptionKind::value, "warn|enforce",
     "modules outside the built-in manifest: load tainted or refuse", nullptr, &BootOptions::modsig},
    {"fault", OptionKind::value, nullptr,
     "trigger a CPU fault on purpose: pf, gp, ud, de or stackoverflow (tests)", nullptr, &BootOptions::fault},
    {"wxaudit", OptionKind::value, "inject", "plant a W^X violation before the audit (tests)", nullptr,
     &BootOptions::wxaudit},
    {"quiet", OptionKind::flag, nullptr, "the console shows only warnings and errors (serial keeps all)",
     &BootOptions::quiet, nullptr},
    {"loglevel", OptionKind::value, "0|1|2|3",
     "what the console shows: 0 errors, 1 +warnings, 2 +info, 3 +debug (serial keeps all)", nullptr,
     &BootOptions::loglevel},
    {"panic", OptionKind::value, "exit|wait",
     "after a panic report: exit (QEMU's exit device, else halt; the default) or wait, paging the console's "
     "scrollback with the keyboard's PgUp/PgDn and Up/Down",
     nullptr, &BootOptions::panic},
};
constexpr usize kSpecCount = sizeof kSpecs / sizeof kSpecs[0];

const OptionSpec* find(StringView name) {
    for (const OptionSpec& s : kSpecs)
        if (name == StringView(s.name)) return &s;
    return nullptr;
}

bool is_choice(const char* choices, StringView value) {
    const char* p = choices;
    while (*p) {
        const char* start = p;
        while (*p && *p != '|')
            ++p;
        if (value == StringView(start, static_cast<usize>(p - start))) return true;
        if (*p) ++p;
    }
    return false;
}

// "on", "off" and friends; false when `value` is none of them.
bool parse_switch(StringView value, bool& out) {
    static constexpr const char* kOn[] = {"on", "yes", "true", "1"};
    static constexpr const char* kOff[] = {"off", "no", "false", "0"};
    for (const char* t : kOn)
        if (value == StringView(t)) return out = true;
    for (const char* f : kOff)
        if (value == StringView(f)) {
            out = false;
            return true;
        }
    return false;
}

// "selftest, nokaslr, modsig=warn|enforce, fault=NAME, wxaudit=inject"
void describe_all(char* buf, usize size) {
    usize at = 0;
    for (usize i = 0; i < kSpecCount && at < size; ++i) {
        const OptionSpec& s = kSpecs[i];
        if (s.kind == OptionKind::flag)
            at += format(buf + at, size - at, "%s%s", i ? ", " : "", s.name);
        else
            at += format(buf + at, size - at, "%s%s=%s", i ? ", " : "", s.name,
                         s.choices ? s.choices : "VALUE");
    }
}

struct Parser {
    BootOptions& out;
    OptionReport report;
    void* ctx;
    usize misuses = 0;
    bool seen[kSpecCount] = {};

    void say(const char* fmt, ...) __attribute__((format(printf, 2, 3))) {
        char message[400];
        va_list args;
        va_start(args, fmt);
        vformat(message, sizeof message, fmt, args);
        va_end(args);
        ++misuses;
        if (report) report(ctx, message);
    }

    void word(StringView key, StringView value, bool has_value) {
        const int k = static_cast<int>(key.length), v = static_cast<int>(value.length);
        if (key.empty()) {
            say("'=%.*s' has no option name before '='; ignored", v, value.data);
            return;
        }
        const OptionSpec* spec = find(key);
        if (!spec) {
            char known[200];
            describe_all(known, sizeof known);
            say("unknown option '%.*s' ignored (options: %s)", k, key.data, known);
            return;
        }
        usize index = static_cast<usize>(spec - kSpecs);
        if (spec->kind == OptionKind::flag) {
            bool on = true;
            if (has_value && !parse_switch(value, on)) {
                say("'%.*s=%.*s': %s is a flag (%s, or %s=on|off); ignored", k, key.data, v, value.data,
                    spec->name, spec->name, spec->name);
                return;
            }
            if (seen[index] && out.*(spec->flag) != on)
                say("%s given more than once; the last (%s=%s) counts", spec->name, spec->name,
                    on ? "on" : "off");
            out.*(spec->flag) = on;
        } else {
            const char* form = spec->choices ? spec->choices : "VALUE";
            if (!has_value || value.empty()) {
                say("'%.*s%s' needs a value (%s=%s); ignored", k, key.data, has_value ? "=" : "", spec->name,
                    form);
                return;
            }
            if (spec->choices && !is_choice(spec->choices, value)) {
                say("%s='%.*s' is not one of %s; ignored", spec->name, v, value.data, spec->choices);
                return;
            }
            StringView& slot = out.*(spec->value);
            if (seen[index] && !(slot == value))
                say("%s given more than once; the last (%s=%.*s) counts", spec->name, spec->name, v,
                    value.data);
            slot = value;
        }
        seen[index] = true;
    }
};

} // namespace

u8 boot_options_console_level(const BootOptions& options) {
    if (options.loglevel.length == 1 && options.loglevel.data[0] >= '0' && options.loglevel.data[0] <= '3')
        return static_cast<u8>(options.loglevel.data[0] - '0');
    return options.quiet ? 1 : 3;
}

Span<const OptionSpec> boot_option_specs() {
    return Span<const OptionSpec>(kSpecs, kSpecCount);
}

usize boot_options_parse(const char* line, BootOptions& out, OptionReport report, void* ctx) {
    Parser parser{out, report, ctx};
    CommandLine(line).for_each(
        [&](StringView key, StringView value, bool has_value) { parser.word(key, value, has_value); });
    return parser.misuses;
}

} // namespace celos
