// The shell's commands: the table (names, usage, one line of help each),
// the checks of their arguments, and what each does through the System.
// Pure logic: compiled into the module, the host tests and the fuzzer.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "system.h"
#include "text.h"
#include "tokenizer.h"

namespace celos::shell {

// What Tab completes in a command's arguments.
enum class Completion : uint8_t { None, Commands, Modules, BootFiles };

struct CommandContext {
    const System& system;
    Output& out;
    uint32_t columns; // the narrowest terminal's width
    char* buffer;     // for the core's reports; grown with System::allocate
    size_t buffer_size;
};

// Runs the command line `words` (argc > 0); every message ends its line.
void run_command(CommandContext& context, const Words& words);

// What Tab completes for argument `index` (1 = the first) of `command`.
Completion completion_for(const char* command, size_t index);
// The command names, one per line, into out (NUL-terminated); the length.
size_t command_names(char* out, size_t size);

// Prints `message` as "celos: <command>: <message>" with CR LF.
void report(Output& out, const char* command, const char* message);

// The font command (font_command.cpp).
void font_command(CommandContext& context, const Words& words);

} // namespace celos::shell
