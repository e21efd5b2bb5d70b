#include "shell.h"

namespace celos::shell {

Shell::Shell(const System& system, WriteFn write, void* write_context)
    : system_(system), out_(write, write_context), editor_(out_) {}

void Shell::set_columns(uint32_t columns) {
    editor_.set_columns(columns);
}

void Shell::start() {
    out_.raw("CelOS shell: type 'help' for the commands.\r\n");
    editor_.start(kPrompt);
    browse_ = history_.count();
    out_.flush();
}

void Shell::key(const celos_input_event& e) {
    bool shift = e.modifiers & CELOS_MOD_SHIFT;
    bool ctrl = e.modifiers & CELOS_MOD_CTRL;
    bool alt = e.modifiers & CELOS_MOD_ALT;
    // The consoles' scrollback.
    if (shift && !ctrl && !alt) {
        int32_t lines = e.key == CELOS_KEY_PAGE_UP     ? CELOS_CONSOLE_PAGE_BACK
                        : e.key == CELOS_KEY_PAGE_DOWN ? CELOS_CONSOLE_PAGE_FORWARD
                        : e.key == CELOS_KEY_UP        ? 1
                        : e.key == CELOS_KEY_DOWN      ? -1
                                                       : 0;
        if (lines) {
            system_.scroll(system_.context, lines);
            scrolled_ = true;
            return;
        }
    }
    if (scrolled_) {
        system_.scroll(system_.context, CELOS_CONSOLE_VIEW_BOTTOM);
        scrolled_ = false;
    }
    bool tab = false;
    switch (e.key) {
    case CELOS_KEY_CHAR:
        if (ctrl && !alt) control(e.codepoint);
        else if (!ctrl && !alt) editor_.insert(e.codepoint);
        break;
    case CELOS_KEY_ENTER: submit(); break;
    case CELOS_KEY_BACKSPACE: editor_.backspace(); break;
    case CELOS_KEY_DELETE: editor_.delete_forward(); break;
    case CELOS_KEY_LEFT: editor_.left(); break;
    case CELOS_KEY_RIGHT: editor_.right(); break;
    case CELOS_KEY_HOME: editor_.home(); break;
    case CELOS_KEY_END: editor_.end(); break;
    case CELOS_KEY_UP: history_step(-1); break;
    case CELOS_KEY_DOWN: history_step(+1); break;
    case CELOS_KEY_TAB:
        complete();
        tab = true;
        break;
    default: break; // Escape, Insert, PgUp/PgDn, F1-F12: nothing to do
    }
    last_was_tab_ = tab;
}

void Shell::control(uint32_t letter) {
    if (letter >= 'A' && letter <= 'Z') letter += 'a' - 'A';
    switch (letter) {
    case 'a': editor_.home(); break;
    case 'e': editor_.end(); break;
    case 'b': editor_.left(); break;
    case 'f': editor_.right(); break;
    case 'd': editor_.delete_forward(); break;
    case 'h': editor_.backspace(); break;
    case 'u': editor_.kill_to_start(); break;
    case 'k': editor_.kill_to_end(); break;
    case 'w': editor_.kill_word(); break;
    case 'p': history_step(-1); break;
    case 'n': history_step(+1); break;
    case 'c': cancel(); break;
    case 'j':
    case 'm': submit(); break;
    case 'i': complete(); break;
    case 'l':
        out_.raw("\x1b[H\x1b[2J");
        editor_.redraw();
        break;
    default: break;
    }
}

void Shell::cancel() {
    out_.raw("^C\r\n");
    editor_.start(kPrompt);
    browse_ = history_.count();
}

void Shell::submit() {
    size_t length = editor_.length();
    copy_bytes(line_, editor_.text(), length);
    line_[length] = 0;
    out_.newline();
    history_.add(line_, length);
    browse_ = history_.count();

    Words words;
    if (const char* why = tokenize(line_, length, words)) {
        out_.raw("celos: ");
        out_.text(why);
        out_.newline();
    } else if (words.argc > 0) {
        out_.flush();
        CommandContext context{system_, out_, editor_.columns(), report_, sizeof report_};
        run_command(context, words);
    }
    editor_.start(kPrompt);
}

void Shell::history_step(int direction) {
    size_t count = history_.count();
    if (direction < 0) {
        if (browse_ == 0) return out_.bell();
        if (browse_ == count) { // leaving the draft: keep it
            draft_length_ = editor_.length();
            copy_bytes(draft_, editor_.text(), draft_length_);
        }
        --browse_;
    } else {
        if (browse_ >= count) return out_.bell();
        ++browse_;
    }
    if (browse_ == count) {
        editor_.set_text(draft_, draft_length_);
    } else {
        size_t n = 0;
        const char* entry = history_.entry(browse_, &n);
        editor_.set_text(entry, n);
    }
}

namespace {

bool blank(char c) {
    return c == ' ' || c == '\t';
}

// A candidate the line can take as it is: printable, no blanks or quotes.
bool plain_name(const char* name, size_t length) {
    for (size_t i = 0; i < length; ++i)
        if (blank(name[i]) || name[i] == '\'' || name[i] == '"' || name[i] == '\\') return false;
    return length > 0 && printable_utf8(name, length);
}

} // namespace

void Shell::complete() {
    const char* line = editor_.text();
    size_t cursor = editor_.cursor();
    size_t start = cursor;
    while (start > 0 && !blank(line[start - 1])) --start;
    const char* word = line + start;
    size_t word_length = cursor - start;

    // Which word of the line this is, and the command's name.
    size_t index = 0;
    char command[16] = {};
    for (size_t i = 0; i < start;) {
        while (i < start && blank(line[i])) ++i;
        if (i == start) break;
        size_t from = i;
        while (i < start && !blank(line[i])) ++i;
        if (index == 0 && i - from < sizeof command) copy_bytes(command, line + from, i - from);
        ++index;
    }
    Completion kind = index == 0 ? Completion::Commands : completion_for(command, index);
    for (size_t i = 0; i < word_length; ++i)
        if (word[i] == '=' || word[i] == '\'' || word[i] == '"' || word[i] == '\\') kind = Completion::None;

    size_t length = 0;
    if (kind == Completion::Commands) {
        length = command_names(names_, sizeof names_);
    } else if (kind != Completion::None) {
        const char* topic = kind == Completion::Modules ? "module-names" : "bootfile-names";
        int n = system_.info(system_.context, topic, nullptr, names_, sizeof names_);
        length = n < 0 ? 0 : size_t(n) < sizeof names_ ? size_t(n) : sizeof names_ - 1;
    }

    // The candidates that start with the word: how many, the first, and
    // how far they all agree.
    size_t matches = 0;
    const char* first = nullptr;
    size_t first_length = 0, common = 0;
    for (size_t at = 0; at < length;) {
        size_t end = at;
        while (end < length && names_[end] != '\n') ++end;
        const char* name = names_ + at;
        size_t n = end - at;
        if (plain_name(name, n) && text_starts_with(name, n, word, word_length)) {
            if (matches++ == 0) {
                first = name;
                first_length = common = n;
            } else {
                size_t k = 0;
                while (k < common && k < n && first[k] == name[k]) ++k;
                common = k;
            }
        }
        at = end + 1;
    }
    if (matches == 0) return out_.bell();
    if (matches == 1) {
        editor_.insert_text(first + word_length, first_length - word_length);
        if (editor_.cursor() == editor_.length() || !blank(editor_.text()[editor_.cursor()])) editor_.insert(' ');
        return;
    }
    if (common > word_length) {
        editor_.insert_text(first + word_length, common - word_length);
        return;
    }
    if (!last_was_tab_) return out_.bell();
    // A second Tab: the candidates, in columns, then the line again.
    char prefix[kLineMax];
    copy_bytes(prefix, word, word_length);
    list(names_, length, prefix, word_length);
}

void Shell::list(const char* names, size_t length, const char* word, size_t word_length) {
    size_t widest = 0;
    for (size_t at = 0; at < length;) {
        size_t end = at;
        while (end < length && names[end] != '\n') ++end;
        if (plain_name(names + at, end - at) && text_starts_with(names + at, end - at, word, word_length)) {
            size_t w = utf8_columns(names + at, end - at);
            if (w > widest) widest = w;
        }
        at = end + 1;
    }
    size_t width = widest + 2;
    size_t per_row = (editor_.columns() - 1) / width;
    if (per_row == 0) per_row = 1;
    out_.newline();
    size_t in_row = 0, pad = 0;
    for (size_t at = 0; at < length;) {
        size_t end = at;
        while (end < length && names[end] != '\n') ++end;
        if (plain_name(names + at, end - at) && text_starts_with(names + at, end - at, word, word_length)) {
            if (in_row == per_row) {
                out_.newline();
                in_row = 0;
            } else {
                while (pad--) out_.put(' ');
            }
            out_.raw(names + at, end - at);
            pad = width - utf8_columns(names + at, end - at);
            ++in_row;
        }
        at = end + 1;
    }
    out_.newline();
    editor_.redraw();
}

} // namespace celos::shell
