// The kernel command line's options (the multiboot2 line of grub.cfg, so
// untrusted). One table names every option the core knows, with its kind and
// the values it takes; the line is parsed once at boot, every misuse gets a
// message of its own, and a misused option keeps its default.
#pragma once

#include "lib/span.h"
#include "lib/string_view.h"

namespace celos {

struct BootOptions {
    bool selftest = false; // selftest: run the in-kernel checks after boot
    bool nokaslr = false;  // nokaslr: modules at deterministic first-fit bases
    StringView fault;      // fault=NAME: trigger a CPU fault on purpose (tests)
    StringView modsig;     // modsig=warn|enforce: modules outside the manifest
    StringView wxaudit;    // wxaudit=inject: plant a W^X violation (tests)
    bool quiet = false;    // quiet: the console shows warnings and errors (loglevel=1)
    StringView loglevel;   // loglevel=0|1|2|3: what the console shows (serial keeps everything)
    StringView panic;      // panic=exit|wait: after a panic report, stop or page the scrollback
};

// The level of the lines the console (module log sinks) gets: loglevel=N
// when given (0 errors, 1 +warnings, 2 +info, 3 +debug), else 1 with quiet,
// else 3 (everything).
u8 boot_options_console_level(const BootOptions& options);

enum class OptionKind : u8 {
    flag,  // `name`, or `name=on|off` (also yes/no, true/false, 1/0)
    value, // `name=VALUE`, VALUE non-empty and, when `choices` is set, one of them
};

struct OptionSpec {
    const char* name;
    OptionKind kind;
    const char* choices; // "a|b" for a value option with fixed values; null: any
    const char* help;    // one line, for documentation and messages
    bool BootOptions::*flag;
    StringView BootOptions::*value;
};

// Every option the core knows, in the order `help` lists them.
Span<const OptionSpec> boot_option_specs();

// Called once per misuse with a message such as "unknown option 'x' ignored
// (options: ...)"; the caller adds "command line: ".
using OptionReport = void (*)(void* ctx, const char* message);

// Parses `line` into `out` (which keeps its defaults where the line says
// nothing or misuses an option). Returns the number of misuses reported.
usize boot_options_parse(const char* line, BootOptions& out, OptionReport report, void* ctx);

} // namespace celos
