// A command line split into words, as a POSIX shell does it without
// expansions: blanks (space, tab) separate words; inside '...' every byte is
// taken as it is; inside "..." too, but \" and \\ stand for " and \; outside
// quotes a backslash takes the next byte as it is. Quotes join with what
// touches them (key="a b" is one word, key=a b). Pure logic, no heap.
#pragma once

#include <stddef.h>

#include "line_editor.h"

namespace celos::shell {

struct Words {
    static constexpr size_t kMax = 32;
    const char* argv[kMax]; // into storage, NUL-terminated
    size_t argc = 0;
    char storage[kLineMax + kMax];
};

// Null, or why the line cannot be split ("unterminated \" quote", ...).
const char* tokenize(const char* line, size_t length, Words& words);

} // namespace celos::shell
