#include "commands.h"

#include <celos/display.h>

namespace celos::shell {
namespace {

struct Command {
    const char* name;
    const char* usage;
    const char* summary; // help's line
    const char* details; // `help NAME` adds these lines, or null
    size_t min_args, max_args;
    Completion completes; // its arguments
    bool first_only;      // only the first argument completes
    void (*run)(CommandContext&, const Words&);
};

constexpr size_t kMany = Words::kMax;
// The column where help's summaries start.
constexpr size_t kUsageWidth = 30;
// A report longer than this is shown cut (dmesg of a huge log).
constexpr size_t kMaxReport = 1024 * 1024;

void start_error(Output& out, const char* command) {
    out.raw("celos: ");
    out.text(command);
    out.raw(": ");
}

void end_line_of(Output& out, const char* text, size_t length) {
    out.text(text, length);
    if (length == 0 || text[length - 1] != '\n') out.newline();
}

// The core's text on `topic` (celos_info): in the context's buffer, or in a
// block of the length the core gave when it does not fit (the text may
// grow meanwhile: the log), unless it is absurdly long. Releases the block
// when it goes.
class Report {
  public:
    Report(CommandContext& c, const char* topic, const char* arg) : c_(c), text_(c.buffer) {
        size_t size = c.buffer_size;
        for (int attempt = 0;; ++attempt) {
            int n = c.system.info(c.system.context, topic, arg, text_, size);
            if (n < 0) {
                refused_ = true;
                length_ = text_length(text_); // the reason
                return;
            }
            length_ = size_t(n) < size ? size_t(n) : size - 1;
            cut_ = size_t(n) >= size;
            if (!cut_ || attempt == 2 || size_t(n) >= kMaxReport || !c.system.allocate) return;
            size_t want = size_t(n) + size_t(n) / 4 + 256;
            void* bigger = c.system.allocate(c.system.context, want);
            if (!bigger) return;
            if (block_) c.system.release(c.system.context, block_);
            block_ = bigger;
            text_ = static_cast<char*>(bigger);
            size = want;
        }
    }
    ~Report() {
        if (block_) c_.system.release(c_.system.context, block_);
    }
    Report(const Report&) = delete;
    Report& operator=(const Report&) = delete;

    bool refused() const { return refused_; } // then text() is the reason
    bool cut() const { return cut_; }         // no memory for all of it
    const char* text() const { return text_; }
    size_t length() const { return length_; }

  private:
    CommandContext& c_;
    char* text_;
    size_t length_ = 0;
    void* block_ = nullptr;
    bool refused_ = false;
    bool cut_ = false;
};

// The report printed; false (the reason printed) when the core refuses the
// topic or argument.
bool show_info(CommandContext& c, const char* command, const char* topic, const char* arg) {
    Report r(c, topic, arg);
    if (r.refused()) {
        start_error(c.out, command);
        end_line_of(c.out, r.text(), r.length());
        return false;
    }
    end_line_of(c.out, r.text(), r.length());
    if (r.cut()) c.out.raw("celos: (the text is cut: no memory for all of it)\r\n");
    return true;
}

bool contains(const char* text, const char* part) {
    size_t n = text_length(part);
    for (; *text; ++text)
        if (text_starts_with(text, text_length(text), part, n)) return true;
    return false;
}

// "celos: COMMAND: SUBJECT: WHY", the subject left out when the reason
// names it already (the core's reasons are its log lines: "module x: ...").
void show_status(CommandContext& c, const char* command, const char* subject, celos_status status,
                 const char* why) {
    start_error(c.out, command);
    bool named = why && why[0] && subject && contains(why, subject);
    if (subject && !named) {
        c.out.text(subject);
        c.out.raw(": ");
    }
    if (why && why[0]) c.out.text(why);
    else c.out.text(c.system.strerror(status));
    c.out.newline();
}

void run_help(CommandContext& c, const Words& w);

void run_lsmod(CommandContext& c, const Words&) {
    show_info(c, "lsmod", "modules", nullptr);
}

void run_modinfo(CommandContext& c, const Words& w) {
    show_info(c, "modinfo", "module", w.argv[1]);
}

void run_mem(CommandContext& c, const Words&) {
    show_info(c, "mem", "memory", nullptr);
}

bool has_blank(const char* text) {
    for (; *text; ++text)
        if (*text == ' ' || *text == '\t') return true;
    return false;
}

bool has_dot(const char* text) {
    for (; *text; ++text)
        if (*text == '.') return true;
    return false;
}

void run_insmod(CommandContext& c, const Words& w) {
    // A name with a dot is a boot file (a name without one may be a boot
    // module that is not running: the core knows).
    const void* data = nullptr;
    size_t size = 0;
    if (has_dot(w.argv[1]) && c.system.bootfile_find(c.system.context, w.argv[1], &data, &size) != CELOS_OK) {
        start_error(c.out, "insmod");
        c.out.raw("no boot file '");
        c.out.text(w.argv[1]);
        c.out.raw("' (ls lists them)\r\n");
        return;
    }
    char params[kLineMax + 1];
    size_t used = 0;
    for (size_t i = 2; i < w.argc; ++i) {
        const char* p = w.argv[i];
        if (!p[0] || p[0] == '=') {
            start_error(c.out, "insmod");
            c.out.raw(p[0] ? "'" : "");
            c.out.text(p);
            c.out.raw(p[0] ? "': a parameter needs a name (key=value)\r\n" : "an empty parameter (key=value)\r\n");
            return;
        }
        if (has_blank(p)) {
            start_error(c.out, "insmod");
            c.out.raw("'");
            c.out.text(p);
            c.out.raw("': a parameter cannot hold blanks (parameters are separated by blanks)\r\n");
            return;
        }
        size_t n = text_length(p);
        if (used + n + 1 > kLineMax) return report(c.out, "insmod", "the parameters are too long");
        if (used) params[used++] = ' ';
        copy_bytes(params + used, p, n);
        used += n;
    }
    params[used] = 0;
    char why[256] = "";
    c.out.flush(); // before the module's own log lines
    celos_status s = c.system.module_load(c.system.context, w.argv[1], used ? params : nullptr, why, sizeof why);
    if (s != CELOS_OK) show_status(c, "insmod", w.argv[1], s, why);
}

// Prints " (used by: ...)" from the "used by:" line of the module's report
// (modinfo), when it names any.
void show_users(CommandContext& c, const char* name) {
    Report r(c, "module", name);
    if (r.refused()) return;
    static const char kLabel[] = "used by:";
    const char* text = r.text();
    for (size_t at = 0; at < r.length();) {
        size_t stop = at;
        while (stop < r.length() && text[stop] != '\n') ++stop;
        if (text_starts_with(text + at, stop - at, kLabel, sizeof kLabel - 1)) {
            at += sizeof kLabel - 1;
            while (at < stop && text[at] == ' ') ++at;
            if (stop > at && !(stop - at == 1 && text[at] == '-')) {
                c.out.raw(" (used by: ");
                c.out.text(text + at, stop - at);
                c.out.put(')');
            }
            return;
        }
        at = stop + 1;
    }
}

void run_rmmod(CommandContext& c, const Words& w) {
    char why[256] = "";
    c.out.flush();
    // What holds a service of the module is asked to let go (a console
    // drops a fallback font); what needs it keeps it.
    celos_status s = c.system.module_unload(c.system.context, w.argv[1], true, why, sizeof why);
    if (s == CELOS_OK) return;
    start_error(c.out, "rmmod");
    if (s != CELOS_ERR_BUSY) {
        if (why[0]) {
            c.out.text(why);
        } else {
            c.out.raw("no module '");
            c.out.text(w.argv[1]);
            c.out.raw("' is loaded (lsmod lists them)");
        }
        c.out.newline();
        return;
    }
    // Refused: the core's reason names one user; the report names them all.
    c.out.text(w.argv[1]);
    c.out.raw(": ");
    c.out.text(why[0] ? why : c.system.strerror(s));
    show_users(c, w.argv[1]);
    c.out.newline();
}

// The report's lines whose first word is one of the names (ls FILE...),
// under its first line (the columns' names).
void run_ls(CommandContext& c, const Words& w) {
    if (w.argc == 1) {
        show_info(c, "ls", "bootfiles", nullptr);
        return;
    }
    Report r(c, "bootfiles", nullptr);
    if (r.refused()) {
        start_error(c.out, "ls");
        end_line_of(c.out, r.text(), r.length());
        return;
    }
    const char* text = r.text();
    size_t length = r.length();
    size_t header = 0;
    while (header < length && text[header] != '\n') ++header;
    bool header_shown = false;
    for (size_t i = 1; i < w.argc; ++i) {
        const char* name = w.argv[i];
        size_t name_length = text_length(name);
        bool found = false;
        for (size_t at = header + 1; at < length;) {
            size_t end = at;
            while (end < length && text[end] != '\n') ++end;
            if (text_starts_with(text + at, end - at, name, name_length) &&
                (at + name_length == end || text[at + name_length] == ' ')) {
                if (!header_shown) {
                    c.out.text(text, header);
                    c.out.newline();
                    header_shown = true;
                }
                c.out.text(text + at, end - at);
                c.out.newline();
                found = true;
            }
            at = end + 1;
        }
        if (!found) {
            start_error(c.out, "ls");
            c.out.raw("no boot file '");
            c.out.text(name);
            c.out.raw("'\r\n");
        }
    }
}

void run_dmesg(CommandContext& c, const Words& w) {
    if (w.argc == 2) {
        const char* n = w.argv[1];
        uint64_t value = 0;
        size_t i = 0;
        for (; n[i] >= '0' && n[i] <= '9' && i < 8; ++i) value = value * 10 + uint64_t(n[i] - '0');
        if (n[i] || i == 0 || value == 0) {
            start_error(c.out, "dmesg");
            c.out.raw("'");
            c.out.text(n);
            c.out.raw("' is not a number of lines (dmesg [N], N from 1 to 99999999)\r\n");
            return;
        }
    }
    show_info(c, "dmesg", "log", w.argc == 2 ? w.argv[1] : nullptr);
}

void run_echo(CommandContext& c, const Words& w) {
    for (size_t i = 1; i < w.argc; ++i) {
        if (i > 1) c.out.put(' ');
        c.out.text(w.argv[i]);
    }
    c.out.newline();
}

constexpr char kCatReset[] = "\x18\x0f\x1b(B\x1b[0m\x1b" "7\x1b[r\x1b" "8\x1b[?25h";

// A boot file's bytes to the terminal as they are, escape sequences
// included (what a program's output would be), each LF sent as CR LF as a
// tty does (onlcr). The terminal takes any bytes; the shell's next prompt
// starts on a line of its own, in the default pen.
void run_cat(CommandContext& c, const Words& w) {
    for (size_t i = 1; i < w.argc; ++i) {
        const void* data = nullptr;
        size_t size = 0;
        if (c.system.bootfile_find(c.system.context, w.argv[i], &data, &size) != CELOS_OK) {
            start_error(c.out, "cat");
            c.out.raw("no boot file '");
            c.out.text(w.argv[i]);
            c.out.raw("' (ls lists them)\r\n");
            continue;
        }
        const char* bytes = static_cast<const char*>(data);
        size_t from = 0;
        for (size_t at = 0; at < size; ++at) {
            if (bytes[at] != '\n') continue;
            c.out.raw(bytes + from, at - from);
            c.out.newline();
            from = at + 1;
        }
        c.out.raw(bytes + from, size - from);
        // Whatever the file left behind: no half sequence, no pen, no
        // character set, no scroll region or hidden cursor for the prompt
        // (CAN, SI and G0 ASCII, SGR 0, DECSTBM inside DECSC/DECRC, since
        // it homes the cursor, DECTCEM; and a new line if the file did not
        // end one).
        c.out.raw(kCatReset);
        if (size && bytes[size - 1] != '\n') c.out.newline();
    }
}

void run_clear(CommandContext& c, const Words&) {
    c.out.raw("\x1b[H\x1b[2J");
}

void run_reboot(CommandContext& c, const Words&) {
    c.out.raw("celos: rebooting\r\n");
    c.out.flush();
    c.system.reboot(c.system.context);
}

void run_lspci(CommandContext& c, const Words&) {
    show_info(c, "lspci", "pci", nullptr);
}

// WIDTHxHEIGHT, each 1..16384 (<celos/display.h>'s parser).
bool parse_mode(const char* text, uint32_t& width, uint32_t& height) {
    uint32_t w = 0, h = 0;
    if (celos_display_parse_mode(text, &w, &h) || w == 0 || h == 0 || w > 16384 || h > 16384) return false;
    width = w;
    height = h;
    return true;
}

void run_mode(CommandContext& c, const Words& w) {
    uint32_t width = 0, height = 0;
    if (!parse_mode(w.argv[1], width, height)) {
        start_error(c.out, "mode");
        c.out.text(w.argv[1]);
        c.out.raw(" is not WIDTHxHEIGHT (each 1 to 16384), e.g. 1280x720\r\n");
        return;
    }
    char why[160] = "";
    celos_status s = c.system.display_set_mode
                         ? c.system.display_set_mode(c.system.context, width, height, why, sizeof why)
                         : CELOS_ERR_NOT_FOUND;
    if (s == CELOS_OK) return; // the console re-lays itself at the new size
    start_error(c.out, "mode");
    if (s == CELOS_ERR_NOT_FOUND) {
        c.out.raw("no display driver to set a mode with\r\n");
        return;
    }
    c.out.decimal(width);
    c.out.raw("x");
    c.out.decimal(height);
    c.out.raw(": ");
    c.out.text(why[0] ? why : c.system.strerror(s));
    c.out.raw("\r\n");
}

void run_poweroff(CommandContext& c, const Words&) {
    c.out.raw("celos: powering off\r\n");
    c.out.flush();
    c.system.poweroff(c.system.context);
}

const Command kCommands[] = {
    {"help", "help [COMMAND]", "the commands, or one command's use", nullptr, 0, 1, Completion::Commands, true,
     run_help},
    {"lsmod", "lsmod", "loaded modules: address, size, state, users", nullptr, 0, 0,
     Completion::None, false, run_lsmod},
    {"modinfo", "modinfo MODULE", "a module's parameters, exports, services",
     "MODULE is a loaded module (lsmod lists them).", 1, 1, Completion::Modules, true, run_modinfo},
    {"insmod", "insmod FILE [key=value ...]", "load a module from a boot file (see ls)",
     "FILE is a boot file holding a module (ls lists them), or the name of a module\r\n"
     "the boot did not start; the parameters are the module's (modinfo shows them).",
     1, kMany, Completion::BootFiles, true, run_insmod},
    {"rmmod", "rmmod MODULE", "unload a module (refused while it is in use)", nullptr, 1, 1, Completion::Modules,
     true, run_rmmod},
    {"ls", "ls [FILE ...]", "the boot files: size and kind", nullptr, 0, kMany, Completion::BootFiles, false,
     run_ls},
    {"dmesg", "dmesg [N]", "the kernel log, or its newest N lines", nullptr, 0, 1, Completion::None, false,
     run_dmesg},
    {"mem", "mem", "pages, the module area, heap use per module", nullptr, 0, 0, Completion::None, false,
     run_mem},
    {"font", "font FILE [size=N] [hinting=H]", "change the console's font",
     "FILE is a TrueType or OpenType font (size=N pixels, 6 to 128, default 16;\r\n"
     "hinting=none, light or normal, default light) or a PSF font (scale=N, 1 to 8).\r\n"
     "The module for the file's kind takes over the console; if the font cannot be\r\n"
     "used, the old one stays.",
     1, 3, Completion::BootFiles, true, font_command},
    {"lspci", "lspci", "the PCI devices: address, ids, class, BARs", nullptr, 0, 0, Completion::None, false,
     run_lspci},
    {"mode", "mode WIDTHxHEIGHT", "change the display's mode (a display driver)",
     "The display driver (bochs, virtio_gpu) sets the mode; the console re-lays its\r\n"
     "grid and redraws. bootfb, GRUB's framebuffer, cannot change its mode.",
     1, 1, Completion::None, false, run_mode},
    {"echo", "echo [WORD ...]", "print the words", nullptr, 0, kMany, Completion::None, false, run_echo},
    {"cat", "cat FILE ...", "a boot file to the terminal, escapes and all", nullptr, 1, kMany,
     Completion::BootFiles, false, run_cat},
    {"clear", "clear", "clear the screen", nullptr, 0, 0, Completion::None, false, run_clear},
    {"reboot", "reboot", "restart the machine", nullptr, 0, 0, Completion::None, false, run_reboot},
    {"poweroff", "poweroff", "turn the machine off", nullptr, 0, 0, Completion::None, false, run_poweroff},
};

const Command* find_command(const char* name) {
    for (const Command& c : kCommands)
        if (text_equal(c.name, name)) return &c;
    return nullptr;
}

void help_line(Output& out, const Command& c) {
    out.raw("  ");
    out.raw(c.usage);
    size_t n = text_length(c.usage);
    for (size_t i = n; i < kUsageWidth; ++i) out.put(' ');
    out.raw(n >= kUsageWidth ? "  " : "");
    out.raw(c.summary);
    out.newline();
}

void run_help(CommandContext& c, const Words& w) {
    if (w.argc == 2) {
        const Command* command = find_command(w.argv[1]);
        if (!command) {
            start_error(c.out, "help");
            c.out.raw("no command '");
            c.out.text(w.argv[1]);
            c.out.raw("' (help lists them)\r\n");
            return;
        }
        help_line(c.out, *command);
        if (command->details) {
            c.out.raw(command->details);
            c.out.newline();
        }
        return;
    }
    c.out.raw("Commands (Tab completes commands, module and file names):\r\n");
    for (const Command& command : kCommands) help_line(c.out, command);
    c.out.raw("Keys: Left/Right, Home/End, Backspace/Delete edit; Ctrl-U/Ctrl-K/Ctrl-W cut;\r\n"
              "Up/Down: history; Ctrl-C: a new line; Ctrl-L: clear the screen;\r\n"
              "Shift+PgUp/PgDn, Shift+Up/Down: scroll back.\r\n");
}

} // namespace

void report(Output& out, const char* command, const char* message) {
    start_error(out, command);
    out.text(message);
    out.newline();
}

void run_command(CommandContext& c, const Words& w) {
    const Command* command = find_command(w.argv[0]);
    if (!command) {
        c.out.raw("celos: unknown command '");
        c.out.text(w.argv[0]);
        c.out.raw("' (help lists them)\r\n");
        return;
    }
    size_t args = w.argc - 1;
    if (args < command->min_args || args > command->max_args) {
        start_error(c.out, command->name);
        c.out.raw(args < command->min_args ? "missing arguments" : "too many arguments");
        c.out.raw(" (usage: ");
        c.out.raw(command->usage);
        c.out.raw(")\r\n");
        return;
    }
    command->run(c, w);
}

Completion completion_for(const char* name, size_t index) {
    const Command* command = find_command(name);
    if (!command || index == 0 || index > command->max_args) return Completion::None;
    if (command->first_only && index > 1) return Completion::None;
    return command->completes;
}

size_t command_names(char* out, size_t size) {
    size_t used = 0;
    for (const Command& c : kCommands) {
        size_t n = text_length(c.name);
        if (used + n + 2 > size) break;
        copy_bytes(out + used, c.name, n);
        used += n;
        out[used++] = '\n';
    }
    if (size) out[used < size ? used : size - 1] = 0;
    return used;
}

} // namespace celos::shell
