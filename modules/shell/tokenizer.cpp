#include "tokenizer.h"

namespace celos::shell {

const char* tokenize(const char* line, size_t length, Words& words) {
    words.argc = 0;
    if (length > kLineMax) return "the line is too long";
    size_t out = 0;
    size_t i = 0;
    for (;;) {
        while (i < length && (line[i] == ' ' || line[i] == '\t')) ++i;
        if (i == length) return nullptr;
        if (words.argc == Words::kMax) return "too many words (at most 32)";
        words.argv[words.argc++] = words.storage + out;
        while (i < length && line[i] != ' ' && line[i] != '\t') {
            char c = line[i++];
            if (c == '\'') {
                while (i < length && line[i] != '\'') words.storage[out++] = line[i++];
                if (i == length) return "unterminated ' quote";
                ++i;
            } else if (c == '"') {
                while (i < length && line[i] != '"') {
                    if (line[i] == '\\' && i + 1 < length && (line[i + 1] == '"' || line[i + 1] == '\\')) ++i;
                    words.storage[out++] = line[i++];
                }
                if (i == length) return "unterminated \" quote";
                ++i;
            } else if (c == '\\') {
                if (i == length) return "a backslash at the end of the line (nothing to quote)";
                words.storage[out++] = line[i++];
            } else {
                words.storage[out++] = c;
            }
        }
        words.storage[out++] = 0;
    }
}

} // namespace celos::shell
