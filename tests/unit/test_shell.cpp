// The shell's pure logic (modules/shell): the line editor judged by what a
// terminal shows (its bytes fed to the console's own terminal emulator,
// modules/fbcon/terminal.cpp, which behaves as xterm for these sequences),
// the history, the tokenizer, completion, and the commands over a fake
// System that records every call into the kernel.
#include <catch2/catch.hpp>

#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "font_command.h"
#include "history.h"
#include "line_editor.h"
#include "shell.h"
#include "terminal.h"
#include "tokenizer.h"

using namespace celos::shell;

namespace {

void append(void* context, const char* data, size_t length) {
    static_cast<std::string*>(context)->append(data, length);
}

// A terminal that shows the editor's bytes.
struct Term {
    uint32_t cols, rows;
    std::unique_ptr<celos::fbcon::Cell[]> cells;
    celos::fbcon::Terminal t;
    Term(uint32_t c, uint32_t r) : cols(c), rows(r), cells(new celos::fbcon::Cell[size_t(c) * r]) {
        REQUIRE(t.init(cells.get(), c, r, celos::fbcon::terminal_default_config()));
    }
    void feed(const std::string& s) { t.write(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }
    // Row y as UTF-8, trailing blanks dropped.
    std::string line(uint32_t y) const {
        std::string s;
        for (uint32_t x = 0; x < cols; ++x) {
            char buf[4];
            uint32_t cp = t.cell(x, y).codepoint;
            size_t n = utf8_encode(cp ? cp : ' ', buf);
            s.append(buf, n);
        }
        while (!s.empty() && s.back() == ' ') s.pop_back();
        return s;
    }
};

// An editor writing into a string.
struct Editing {
    std::string bytes;
    Output out{append, &bytes};
    LineEditor editor{out};
    explicit Editing(uint32_t columns = 80) {
        editor.set_columns(columns);
        editor.start("celos> ");
    }
    std::string take() {
        out.flush();
        std::string s;
        s.swap(bytes);
        return s;
    }
};

// The UTF-8 of the line's window as the editor should show it.
std::string window_text(const LineEditor& e, uint32_t available) {
    std::string s;
    size_t at = e.window_start();
    uint32_t n = 0;
    while (at < e.length() && n < available) {
        size_t start = at;
        do ++at;
        while (at < e.length() && (uint8_t(e.text()[at]) & 0xC0) == 0x80);
        s.append(e.text() + start, at - start);
        ++n;
    }
    return s;
}

} // namespace

TEST_CASE("shell output: CR LF, control characters made visible", "[shell]") {
    std::string got;
    Output out(append, &got);
    out.text("a\nb\x1b[2J\x7f\t\xc2\x9b" "c\xff\xe2\x82\xac");
    out.flush();
    CHECK(got == "a\r\nb^[[2J^?\t^[[c\\xff\xe2\x82\xac");
    got.clear();
    out.cursor_left(1);
    out.cursor_left(12);
    out.cursor_right(3);
    out.cursor_left(0);
    out.decimal(0);
    out.decimal(18446744073709551615ull);
    out.flush();
    CHECK(got == "\b\x1b[12D\x1b[3C018446744073709551615");
    // More than the buffer holds goes out in pieces, in order.
    got.clear();
    std::string big(5000, 'x');
    big[4999] = 'y';
    out.raw(big.data(), big.size());
    out.flush();
    CHECK(got == big);
}

TEST_CASE("shell UTF-8: strict decoding, printable code points", "[shell]") {
    uint32_t cp;
    CHECK(utf8_decode("\xc3\xa9", 2, 0, cp) == 2);
    CHECK(cp == 0xE9);
    CHECK(utf8_decode("\xf0\x9f\x98\x80", 4, 0, cp) == 4);
    CHECK(cp == 0x1F600);
    CHECK(utf8_decode("\xc0\x80", 2, 0, cp) == 0);         // overlong
    CHECK(utf8_decode("\xe0\x80\x80", 3, 0, cp) == 0);     // overlong
    CHECK(utf8_decode("\xed\xa0\x80", 3, 0, cp) == 0);     // surrogate
    CHECK(utf8_decode("\xf4\x90\x80\x80", 4, 0, cp) == 0); // past U+10FFFF
    CHECK(utf8_decode("\xe2\x82", 2, 0, cp) == 0);         // cut
    CHECK(utf8_decode("\x80", 1, 0, cp) == 0);
    CHECK(printable_codepoint('a'));
    CHECK(printable_codepoint(0xE9));
    CHECK_FALSE(printable_codepoint(0));
    CHECK_FALSE(printable_codepoint(0x1B));
    CHECK_FALSE(printable_codepoint(0x7F));
    CHECK_FALSE(printable_codepoint(0x9B));
    CHECK_FALSE(printable_codepoint(0xD800));
    CHECK_FALSE(printable_codepoint(0x110000));
    CHECK(printable_utf8("caf\xc3\xa9", 5));
    CHECK_FALSE(printable_utf8("a\x1b", 2));
    CHECK_FALSE(printable_utf8("\xff", 1));
}

TEST_CASE("line editor: typing, moving and deleting, as a terminal shows it", "[shell]") {
    Editing e;
    Term term(80, 4);
    auto show = [&] { term.feed(e.take()); };
    show();
    CHECK(term.line(0) == "celos>");
    for (char c : std::string("insmod hello.ko")) e.editor.insert(uint8_t(c));
    show();
    CHECK(term.line(0) == "celos> insmod hello.ko");
    CHECK(term.t.cursor_x() == 22);
    // Plain typing at the end is echoed as it is.
    e.editor.insert('!');
    CHECK(e.take() == "!");
    e.editor.backspace();
    CHECK(e.take() == "\b\x1b[K");

    e.editor.home();
    show();
    CHECK(term.t.cursor_x() == 7);
    e.editor.insert('x');
    show();
    CHECK(term.line(0) == "celos> xinsmod hello.ko");
    CHECK(term.t.cursor_x() == 8);
    e.editor.delete_forward();
    show();
    CHECK(term.line(0) == "celos> xnsmod hello.ko");
    e.editor.backspace();
    e.editor.insert('i');
    e.editor.end();
    show();
    CHECK(term.line(0) == "celos> insmod hello.ko");
    CHECK(term.t.cursor_x() == 22);
    // Ctrl-W: the word before the cursor (and the blanks after it).
    e.editor.insert(' ');
    e.editor.kill_word();
    show();
    CHECK(term.line(0) == "celos> insmod");
    CHECK(std::string(e.editor.text()) == "insmod ");
    // Ctrl-U and Ctrl-K around the cursor.
    for (char c : std::string("a b")) e.editor.insert(uint8_t(c));
    e.editor.left();
    e.editor.left();
    e.editor.kill_to_end();
    show();
    CHECK(term.line(0) == "celos> insmod a");
    e.editor.left();
    e.editor.kill_to_start();
    show();
    CHECK(term.line(0) == "celos> a");
    CHECK(term.t.cursor_x() == 7);
    // Non-ASCII: one column each.
    e.editor.home();
    e.editor.insert(0xE9);
    e.editor.insert(0x20AC);
    show();
    CHECK(term.line(0) == "celos> \xc3\xa9\xe2\x82\xac" "a");
    CHECK(term.t.cursor_x() == 9);
    e.editor.backspace();
    show();
    CHECK(term.line(0) == "celos> \xc3\xa9" "a");
    CHECK(term.t.cursor_x() == 8);
}

TEST_CASE("line editor: refusals ring the bell and change nothing", "[shell]") {
    Editing e;
    e.take();
    CHECK_FALSE(e.editor.backspace());
    CHECK_FALSE(e.editor.left());
    CHECK_FALSE(e.editor.right());
    CHECK_FALSE(e.editor.delete_forward());
    CHECK(e.take() == "\a\a\a\a");
    // Controls, DEL, C1, surrogates and values past U+10FFFF are refused.
    for (uint32_t cp : {0u, 7u, 8u, 10u, 13u, 27u, 0x7Fu, 0x85u, 0x9Bu, 0xD800u, 0xDFFFu, 0x110000u, 0xFFFFFFFFu})
        CHECK_FALSE(e.editor.insert(cp));
    CHECK(e.editor.length() == 0);
    CHECK_FALSE(e.editor.insert_text("a\x1b", 2));
    CHECK_FALSE(e.editor.insert_text("\xff", 1));
    CHECK(e.editor.length() == 0);
}

TEST_CASE("line editor: a line holds at most 512 bytes", "[shell]") {
    Editing e;
    Term term(80, 4);
    size_t accepted = 0, refused = 0;
    for (int i = 0; i < 2000; ++i) (e.editor.insert('a' + i % 26) ? accepted : refused)++;
    CHECK(accepted == kLineMax);
    CHECK(refused == 2000 - kLineMax);
    CHECK(e.editor.length() == kLineMax);
    std::string bytes = e.take();
    CHECK(std::count(bytes.begin(), bytes.end(), '\a') == long(refused));
    // A multi-byte character that does not fit whole is refused whole.
    Editing f;
    for (int i = 0; i < 511; ++i) f.editor.insert('x');
    CHECK_FALSE(f.editor.insert(0xE9));
    CHECK(f.editor.insert('y'));
    CHECK(f.editor.length() == kLineMax);
    CHECK_FALSE(f.editor.insert_text("zz", 2));
    // Whatever was typed, the terminal shows one row: the prompt and a window.
    term.feed(bytes);
    CHECK(term.line(1).empty());
    CHECK(term.line(0).size() < 80);
    CHECK(term.line(0).rfind("celos> ", 0) == 0);
}

TEST_CASE("line editor: a long line scrolls sideways, the terminal never wraps", "[shell]") {
    for (uint32_t columns : {20u, 40u, 80u, 126u}) {
        CAPTURE(columns);
        Editing e(columns);
        Term term(columns, 3);
        std::mt19937 rng(columns);
        const uint32_t available = columns - 8; // the prompt and the last column
        term.feed(e.take());
        CHECK(term.line(0) == "celos>");
        CHECK(term.t.cursor_x() == 7);
        for (int step = 0; step < 3000; ++step) {
            switch (rng() % 12) {
            case 0:
            case 1:
            case 2:
            case 3: e.editor.insert(rng() % 5 == 0 ? 0xE0 + rng() % 32 : 'a' + rng() % 26); break;
            case 4: e.editor.backspace(); break;
            case 5: e.editor.delete_forward(); break;
            case 6: e.editor.left(); break;
            case 7: e.editor.right(); break;
            case 8: rng() % 4 ? e.editor.home() : e.editor.end(); break;
            case 9: rng() % 8 ? e.editor.insert(' ') : e.editor.kill_word(); break;
            case 10: rng() % 16 ? e.editor.insert('-') : e.editor.kill_to_end(); break;
            case 11: rng() % 32 ? e.editor.insert('.') : e.editor.kill_to_start(); break;
            }
            // The row shows the prompt and the window, the cursor over the
            // cursor's character (counted in code points); trailing blanks
            // are invisible to line(): compared without them.
            term.feed(e.take());
            std::string want = "celos> " + window_text(e.editor, available);
            while (!want.empty() && want.back() == ' ') want.pop_back();
            REQUIRE(term.line(0) == want);
            uint32_t column = 7 + utf8_columns(e.editor.text() + e.editor.window_start(),
                                               e.editor.cursor() - e.editor.window_start());
            REQUIRE(term.t.cursor_x() == column);
            REQUIRE(term.t.cursor_y() == 0);
            REQUIRE(term.line(1).empty());
            REQUIRE_FALSE(term.t.pending_wrap());
        }
        // A redraw from anywhere on the row gives the same picture.
        std::string before = term.line(0);
        e.editor.redraw();
        term.feed("\x1b[5Cjunk" + e.take());
        CHECK(term.line(0) == before);
    }
}

TEST_CASE("line editor: typing at the end of a long line redraws only now and then", "[shell]") {
    Editing e(80);
    e.take();
    size_t redraws = 0;
    for (int i = 0; i < 400; ++i) {
        e.editor.insert('a' + i % 26);
        if (e.take().size() > 1) ++redraws;
    }
    // The window jumps by two thirds of its width (72 columns): about every 48 characters.
    CHECK(redraws <= 400 / 40);
}

TEST_CASE("history: bounded, no repeats of the newest, blanks not kept", "[shell]") {
    History h;
    h.add("ls", 2);
    h.add("ls", 2);
    h.add("   ", 3);
    h.add("", 0);
    h.add("lsmod", 5);
    h.add("ls", 2);
    REQUIRE(h.count() == 3);
    auto entry = [&](size_t i) {
        size_t n = 0;
        const char* text = h.entry(i, &n);
        return std::string(text, n);
    };
    CHECK(entry(0) == "ls");
    CHECK(entry(1) == "lsmod");
    CHECK(entry(2) == "ls");
    for (int i = 0; i < 200; ++i) {
        std::string line = "echo " + std::to_string(i);
        h.add(line.data(), line.size());
    }
    CHECK(h.count() == History::kEntries);
    CHECK(entry(0) == "echo " + std::to_string(200 - History::kEntries));
    CHECK(entry(History::kEntries - 1) == "echo 199");
    CHECK(entry(History::kEntries).empty());
}

TEST_CASE("tokenizer: words, quotes and backslashes", "[shell]") {
    Words w;
    auto words = [&](const std::string& line) {
        const char* why = tokenize(line.data(), line.size(), w);
        std::vector<std::string> v;
        if (why) v.push_back(std::string("error: ") + why);
        else
            for (size_t i = 0; i < w.argc; ++i) v.push_back(w.argv[i]);
        return v;
    };
    using V = std::vector<std::string>;
    CHECK(words("") == V{});
    CHECK(words("   \t ") == V{});
    CHECK(words("insmod hello.ko greeting=hi") == V{"insmod", "hello.ko", "greeting=hi"});
    CHECK(words("  echo   a\tb  ") == V{"echo", "a", "b"});
    CHECK(words("echo 'a b' \"c d\" e\\ f") == V{"echo", "a b", "c d", "e f"});
    CHECK(words("insmod x greeting=\"hello world\"") == V{"insmod", "x", "greeting=hello world"});
    CHECK(words("echo 'it''s' \"say \\\"hi\\\" \\\\ \\n\"") == V{"echo", "its", "say \"hi\" \\ \\n"});
    CHECK(words("echo '' \"\"") == V{"echo", "", ""});
    CHECK(words("echo 'a") == V{"error: unterminated ' quote"});
    CHECK(words("echo \"a") == V{"error: unterminated \" quote"});
    CHECK(words("echo a\\") == V{"error: a backslash at the end of the line (nothing to quote)"});
    std::string many = "echo";
    for (int i = 0; i < 31; ++i) many += " x";
    CHECK(words(many).size() == 32);
    CHECK(words(many + " y") == V{"error: too many words (at most 32)"});
    // The longest line of the smallest words fits the storage.
    std::string full;
    for (size_t i = 0; i < kLineMax / 2; ++i) full += "a ";
    CHECK(words(full) == V{"error: too many words (at most 32)"});
}

TEST_CASE("font files: the kind from the first bytes", "[shell]") {
    auto kind = [](std::vector<uint8_t> bytes) { return file_kind(bytes.data(), bytes.size()); };
    CHECK(kind({0x00, 0x01, 0x00, 0x00, 0x00}) == FileKind::TrueType);
    CHECK(kind({'t', 'r', 'u', 'e'}) == FileKind::TrueType);
    CHECK(kind({'t', 't', 'c', 'f'}) == FileKind::TrueType);
    CHECK(kind({'O', 'T', 'T', 'O'}) == FileKind::OpenType);
    CHECK(kind({0x36, 0x04, 0x02, 0x10}) == FileKind::Psf1);
    CHECK(kind({0x72, 0xb5, 0x4a, 0x86}) == FileKind::Psf2);
    CHECK(kind({0x7f, 'E', 'L', 'F'}) == FileKind::Module);
    CHECK(kind({0x1f, 0x8b, 8, 0}) == FileKind::Gzip);
    CHECK(kind({'H', 'e', 'l', 'l', 'o'}) == FileKind::Other);
    CHECK(kind({0x36, 0x04, 0}) == FileKind::TooShort);
    CHECK(kind({}) == FileKind::TooShort);
    CHECK(std::string(font_provider(FileKind::OpenType)) == "truetype");
    CHECK(std::string(font_provider(FileKind::Psf2)) == "psf");
    CHECK(font_provider(FileKind::Module) == nullptr);
}

// --- the shell over a fake kernel --------------------------------------------

namespace {

struct Fake {
    std::map<std::string, std::string> info;       // topic or "module:NAME" -> text
    std::map<std::string, std::vector<uint8_t>> files;
    std::vector<std::string> calls;
    std::map<std::string, celos_status> load_result; // by file
    std::map<std::string, std::string> load_why;
    std::map<std::string, celos_status> unload_result;
    std::map<std::string, std::string> unload_why;
    std::vector<std::string> loaded = {"heap", "truetype", "fbcon", "shell"};
    std::vector<std::string> controls = {"truetype"}; // providers with a control service
    FontInUse font{"truetype", "truetype:DejaVuSansMono.ttf@16", 10, 19};
    bool has_font = true;
    celos_status open_result = CELOS_OK;
    std::string open_why;
    std::vector<int32_t> scrolls;
    int allocations = 0, releases = 0;
    bool no_memory = false;

    static Fake& of(void* c) { return *static_cast<Fake*>(c); }

    static int info_fn(void* c, const char* topic, const char* arg, char* out, size_t size) {
        Fake& f = of(c);
        f.calls.push_back(std::string("info ") + topic + (arg ? std::string(" ") + arg : ""));
        std::string key = std::string(topic) == "module" ? std::string("module:") + arg : std::string(topic);
        if (std::string(topic) == "module-names") {
            std::string s;
            for (auto& m : f.loaded) s += m + "\n";
            f.info[key] = s;
        }
        auto it = f.info.find(key);
        std::string text = it == f.info.end() ? std::string("no such thing") : it->second;
        if (size) {
            size_t n = std::min(size - 1, text.size());
            memcpy(out, text.data(), n);
            out[n] = 0;
        }
        return it == f.info.end() ? -1 : int(text.size());
    }
    static celos_status load_fn(void* c, const char* file, const char* params, char* why, size_t size) {
        Fake& f = of(c);
        f.calls.push_back(std::string("load ") + file + (params ? std::string(" [") + params + "]" : ""));
        celos_status s = f.load_result.count(file) ? f.load_result[file] : CELOS_OK;
        if (f.load_why.count(file)) snprintf(why, size, "%s", f.load_why[file].c_str());
        return s;
    }
    static celos_status unload_fn(void* c, const char* name, bool ask_holders, char* why, size_t size) {
        Fake& f = of(c);
        f.calls.push_back(std::string("unload ") + name + (ask_holders ? " asking" : ""));
        if (f.unload_why.count(name)) snprintf(why, size, "%s", f.unload_why[name].c_str());
        return f.unload_result.count(name) ? f.unload_result[name] : CELOS_OK;
    }
    static celos_status find_fn(void* c, const char* name, const void** data, size_t* size) {
        Fake& f = of(c);
        auto it = f.files.find(name);
        if (it == f.files.end()) return CELOS_ERR_NOT_FOUND;
        *data = it->second.data();
        *size = it->second.size();
        return CELOS_OK;
    }
    static bool font_fn(void* c, FontInUse* font) {
        Fake& f = of(c);
        if (f.has_font) *font = f.font;
        return f.has_font;
    }
    static celos_status open_fn(void* c, const char* module, const char* file, const char* params, char* why,
                                size_t size) {
        Fake& f = of(c);
        if (std::find(f.controls.begin(), f.controls.end(), module) == f.controls.end()) return CELOS_ERR_NOT_FOUND;
        f.calls.push_back(std::string("open ") + module + " " + file + " [" + params + "]");
        snprintf(why, size, "%s", f.open_why.c_str());
        return f.open_result;
    }
    static void scroll_fn(void* c, int32_t lines) { of(c).scrolls.push_back(lines); }
    static void reboot_fn(void* c) { of(c).calls.push_back("reboot"); }
    static void poweroff_fn(void* c) { of(c).calls.push_back("poweroff"); }
    static const char* strerror_fn(celos_status s) { return s == CELOS_ERR_BUSY ? "busy" : "some error"; }
    static void* allocate_fn(void* c, size_t size) {
        Fake& f = of(c);
        if (f.no_memory) return nullptr;
        ++f.allocations;
        return malloc(size);
    }
    static void release_fn(void* c, void* block) {
        ++of(c).releases;
        free(block);
    }

    System system() {
        return System{this,        info_fn,    load_fn,     unload_fn,   find_fn,    font_fn,   open_fn,
                      scroll_fn,   reboot_fn,  poweroff_fn, strerror_fn, allocate_fn, release_fn};
    }
};

celos_input_event ch(uint32_t cp, uint32_t mods = 0) {
    return {CELOS_KEY_CHAR, cp, mods, CELOS_INPUT_SERIAL};
}
celos_input_event key(uint32_t k, uint32_t mods = 0) {
    return {k, 0, mods, CELOS_INPUT_KEYBOARD};
}

struct Session {
    Fake fake;
    std::string out;
    System system = fake.system();
    std::unique_ptr<Shell> shell{new Shell(system, append, &out)};
    Session() {
        shell->start();
        out.clear();
    }
    // As the module does: the keys, then what they wrote.
    void press(const celos_input_event& e) {
        shell->key(e);
        shell->flush();
    }
    void type(const std::string& text) {
        for (unsigned char c : text) {
            if (c == '\r') shell->key(key(CELOS_KEY_ENTER));
            else if (c == '\t') shell->key(key(CELOS_KEY_TAB));
            else shell->key(ch(c));
        }
        shell->flush();
    }
    // The output of one command line.
    std::string run(const std::string& line) {
        out.clear();
        fake.calls.clear();
        type(line + "\r");
        return out;
    }
};

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("shell: the welcome line and the prompt", "[shell]") {
    Fake fake;
    System system = fake.system();
    std::string out;
    Shell shell(system, append, &out);
    shell.start();
    CHECK(out == "CelOS shell: type 'help' for the commands.\r\ncelos> ");
    // Keys that queued up together are echoed in one write.
    struct Writes {
        std::string text;
        int calls = 0;
    } writes;
    Shell counted(system, [](void* c, const char* d, size_t n) {
        auto* w = static_cast<Writes*>(c);
        w->text.append(d, n);
        ++w->calls;
    }, &writes);
    counted.start();
    for (char c : std::string("lsmod")) counted.key(ch(uint8_t(c)));
    counted.flush();
    CHECK(writes.calls == 2);
    CHECK(writes.text == "CelOS shell: type 'help' for the commands.\r\ncelos> lsmod");
}

TEST_CASE("shell: help lists every command, one line each", "[shell]") {
    Session s;
    std::string out = s.run("help");
    for (const char* command : {"help", "lsmod", "modinfo MODULE", "insmod FILE [key=value ...]", "rmmod MODULE",
                                "ls [FILE ...]", "dmesg [N]", "mem", "font FILE [size=N] [hinting=H]", "echo",
                                "clear", "reboot", "poweroff"})
        CHECK(has(out, "\r\n  " + std::string(command)));
    CHECK(out.rfind("celos> ") == out.size() - 7);
    // No line is wider than a serial terminal.
    size_t start = 0;
    for (size_t end; (end = out.find("\r\n", start)) != std::string::npos; start = end + 2)
        CHECK(end - start < 80);
    CHECK(has(s.run("help font"), "scale=N"));
    CHECK(has(s.run("help nope"), "celos: help: no command 'nope' (help lists them)"));
}

TEST_CASE("shell: unknown commands and wrong arguments", "[shell]") {
    Session s;
    std::string out = s.run("frobnicate now");
    CHECK(has(out, "celos: unknown command 'frobnicate' (help lists them)\r\n"));
    CHECK(has(s.run("rmmod"), "celos: rmmod: missing arguments (usage: rmmod MODULE)"));
    CHECK(has(s.run("rmmod a b"), "celos: rmmod: too many arguments (usage: rmmod MODULE)"));
    CHECK(has(s.run("lsmod -l"), "celos: lsmod: too many arguments (usage: lsmod)"));
    CHECK(has(s.run("insmod"), "celos: insmod: missing arguments"));
    CHECK(has(s.run("font"), "celos: font: missing arguments"));
    CHECK(has(s.run("dmesg 1 2"), "celos: dmesg: too many arguments"));
    CHECK(has(s.run("dmesg ten"), "celos: dmesg: 'ten' is not a number of lines"));
    CHECK(has(s.run("dmesg 0"), "celos: dmesg: '0' is not a number"));
    CHECK(has(s.run("dmesg 123456789"), "is not a number"));
    CHECK(has(s.run("echo 'oops"), "celos: unterminated ' quote"));
    s.out.clear();
    s.type("reb");
    s.press(ch(0xE9));
    s.type("t\r");
    CHECK(has(s.out, "unknown command 'reb\xc3\xa9t'"));
    CHECK(s.fake.calls.empty());
    // An empty line: only a new prompt.
    CHECK(s.run("   ") == "   \r\ncelos> ");
}

TEST_CASE("shell: the core's reports, cut when long, errors shown", "[shell]") {
    Session s;
    s.fake.info["modules"] = "heap 1.0 ...\nfbcon 1.0 ...\n";
    std::string out = s.run("lsmod");
    CHECK(has(out, "lsmod\r\nheap 1.0 ...\r\nfbcon 1.0 ...\r\ncelos> "));
    s.fake.info["module:heap"] = "heap 1.0\n  parameters: check (bool) = on";
    out = s.run("modinfo heap");
    CHECK(has(out, "  parameters: check (bool) = on\r\ncelos> "));
    s.fake.info.erase("module:nope");
    out = s.run("modinfo nope");
    CHECK(has(out, "celos: modinfo: no such thing\r\n"));
    // A report longer than the shell's buffer: fetched again, whole.
    std::string log;
    for (int i = 0; i < 2000; ++i) log += "[    0.000000] line " + std::to_string(i) + "\n";
    s.fake.info["log"] = log;
    out = s.run("dmesg");
    CHECK(has(out, "line 0\r\n"));
    CHECK(has(out, "line 1999\r\ncelos> "));
    CHECK(s.fake.allocations == 1);
    CHECK(s.fake.releases == 1);
    CHECK(s.fake.calls == std::vector<std::string>{"info log", "info log"});
    out = s.run("dmesg 20");
    CHECK(s.fake.calls == std::vector<std::string>{"info log 20", "info log 20"});
    // Without memory for it: what fits, and a note.
    s.fake.no_memory = true;
    out = s.run("dmesg");
    CHECK(has(out, "line 0\r\n"));
    CHECK(has(out, "celos: (the text is cut: no memory for all of it)"));
    // Control characters in a report are shown, not obeyed.
    s.fake.info["memory"] = "pages \x1b[2J\x9b" "1m";
    CHECK(has(s.run("mem"), "pages ^[[2J\\x9b1m"));
}

TEST_CASE("shell: cat sends a boot file's bytes as they are, LF as CR LF, and resets the pen after", "[shell]") {
    Session s;
    s.fake.files["sampler.txt"] = {'a', '\x1b', '[', '1', 'm', 'b', '\n', 'c'};
    s.fake.files["empty.txt"] = {};
    s.fake.files["half.txt"] = {'x', '\x1b', '['};
    std::string out = s.run("cat sampler.txt");
    const std::string reset = "\x18\x0f\x1b(B\x1b[0m\x1b" "7\x1b[r\x1b" "8\x1b[?25h";
    CHECK(has(out, "a\x1b[1mb\r\nc" + reset + "\r\ncelos> "));
    // A half sequence at the end is cancelled (CAN) before the prompt.
    CHECK(has(s.run("cat half.txt"), "x\x1b[" + reset));
    CHECK(has(s.run("cat empty.txt"), reset + "celos> "));
    CHECK(has(s.run("cat nope.txt"), "celos: cat: no boot file 'nope.txt' (ls lists them)\r\n"));
    // Several files, a missing one among them.
    out = s.run("cat sampler.txt nope.txt half.txt");
    CHECK(has(out, "no boot file 'nope.txt'"));
    CHECK(has(out, "x\x1b["));
    CHECK(has(s.run("cat"), "cat FILE"));
}

TEST_CASE("shell: insmod and rmmod", "[shell]") {
    Session s;
    s.fake.files["hello.ko"] = {0x7f, 'E', 'L', 'F'};
    s.fake.files["notes.txt"] = {'h', 'i'};
    s.fake.files["crash.ko"] = {0x7f, 'E', 'L', 'F'};
    s.run("insmod hello.ko greeting=hi repeat=2");
    CHECK(s.fake.calls == std::vector<std::string>{"load hello.ko [greeting=hi repeat=2]"});
    s.run("insmod hello.ko");
    CHECK(s.fake.calls == std::vector<std::string>{"load hello.ko"});
    // Values with blanks cannot pass: the core splits parameters at blanks.
    std::string out = s.run("insmod hello.ko greeting=\"hello world\"");
    CHECK(has(out, "celos: insmod: 'greeting=hello world': a parameter cannot hold blanks"));
    CHECK(s.fake.calls.empty());
    CHECK(has(s.run("insmod hello.ko =x"), "celos: insmod: '=x': a parameter needs a name"));
    CHECK(has(s.run("insmod hello.ko ''"), "celos: insmod: an empty parameter"));
    CHECK(s.fake.calls.empty());
    // The core's reason, as it gives it.
    s.fake.load_result["notes.txt"] = CELOS_ERR_INVALID;
    s.fake.load_why["notes.txt"] = "not an ELF file";
    CHECK(has(s.run("insmod notes.txt"), "celos: insmod: notes.txt: not an ELF file\r\ncelos> "));
    s.fake.load_why["notes.txt"] = "module notes.txt: refused: bad ELF magic";
    CHECK(has(s.run("insmod notes.txt"), "\r\ncelos: insmod: module notes.txt: refused: bad ELF magic\r\n"));
    s.fake.load_result["crash.ko"] = CELOS_ERR_FAULT;
    CHECK(has(s.run("insmod crash.ko"), "celos: insmod: crash.ko: some error\r\n"));

    // A file that is not there: said before the core is asked. A name
    // without a dot may be a boot module that is not running.
    CHECK(has(s.run("insmod nope.ko"), "celos: insmod: no boot file 'nope.ko' (ls lists them)\r\n"));
    CHECK(s.fake.calls.empty());
    s.run("insmod psf font=Lat15-Terminus16.psf");
    CHECK(s.fake.calls == std::vector<std::string>{"load psf [font=Lat15-Terminus16.psf]"});

    // A refusal names every user (from the module's report).
    s.fake.unload_result["heap"] = CELOS_ERR_BUSY;
    s.fake.unload_why["heap"] = "module fbcon depends on it";
    s.fake.info["module:heap"] = "name:        heap\nused by:     fbcon, truetype, shell\nparameters:  -\n";
    CHECK(has(s.run("rmmod heap"),
              "celos: rmmod: heap: module fbcon depends on it (used by: fbcon, truetype, shell)\r\n"));
    s.fake.info["module:heap"] = "name:        heap\nused by:     -\n";
    CHECK(has(s.run("rmmod heap"), "celos: rmmod: heap: module fbcon depends on it\r\n"));
    s.fake.unload_result["shell"] = CELOS_ERR_BUSY;
    s.fake.unload_why["shell"] = "module shell is the caller: it cannot unload itself while it runs";
    CHECK(has(s.run("rmmod shell"), "celos: rmmod: shell: module shell is the caller"));
    s.fake.unload_result["nope"] = CELOS_ERR_NOT_FOUND;
    s.fake.unload_why["nope"] = "no loaded module 'nope' (lsmod lists them)";
    CHECK(has(s.run("rmmod nope"), "celos: rmmod: no loaded module 'nope' (lsmod lists them)\r\n"));
    s.fake.unload_why.erase("nope");
    CHECK(has(s.run("rmmod nope"), "celos: rmmod: no module 'nope' is loaded (lsmod lists them)\r\n"));
    s.fake.calls.clear();
    CHECK(s.run("rmmod hello") == "rmmod hello\r\ncelos> ");
    CHECK(s.fake.calls == std::vector<std::string>{"unload hello asking"}); // rmmod asks the holders
}

TEST_CASE("shell: ls, echo, clear, reboot, poweroff", "[shell]") {
    Session s;
    s.fake.info["bootfiles"] = "File  Bytes  Kind\nhello.ko   3360 module\nDejaVuSansMono.ttf  340712 font\n";
    CHECK(has(s.run("ls"), "File  Bytes  Kind\r\nhello.ko   3360 module\r\nDejaVuSansMono.ttf  340712 font\r\n"));
    std::string out = s.run("ls hello.ko nope hello File");
    CHECK(has(out, "ls hello.ko nope hello File\r\nFile  Bytes  Kind\r\nhello.ko   3360 module\r\n"));
    CHECK(has(out, "celos: ls: no boot file 'File'\r\n"));
    CHECK(has(out, "celos: ls: no boot file 'nope'\r\n"));
    CHECK(has(out, "celos: ls: no boot file 'hello'\r\n"));
    // A list longer than the shell's buffer (names of 255 characters).
    std::string list = "File  Bytes  Kind\n";
    for (int i = 0; i < 64; ++i) list += std::string(250, 'a') + std::to_string(1000 + i) + ".ko 3360 module\n";
    s.fake.info["bootfiles"] = list;
    out = s.run("ls " + std::string(250, 'a') + "1063.ko");
    CHECK(has(out, "1063.ko 3360 module\r\n"));
    CHECK_FALSE(has(out, "no boot file"));
    CHECK(s.fake.allocations == s.fake.releases);
    CHECK(s.run("echo a  'b  c' \"\"") == "echo a  'b  c' \"\"\r\na b  c \r\ncelos> ");
    CHECK(s.run("echo") == "echo\r\n\r\ncelos> ");
    CHECK(s.run("clear") == "clear\r\n\x1b[H\x1b[2Jcelos> ");
    s.run("reboot");
    CHECK(s.fake.calls == std::vector<std::string>{"reboot"});
    s.run("poweroff");
    CHECK(s.fake.calls == std::vector<std::string>{"poweroff"});
    CHECK(has(s.run("reboot now"), "celos: reboot: too many arguments"));
}

TEST_CASE("shell: Ctrl-C abandons the line, Ctrl-L redraws it on a clear screen", "[shell]") {
    Session s;
    s.out.clear();
    s.type("rmmod he");
    s.press(ch('c', CELOS_MOD_CTRL));
    CHECK(s.out == "rmmod he^C\r\ncelos> ");
    CHECK(s.fake.calls.empty());
    CHECK(s.shell->editor().length() == 0);
    s.type("echo hi");
    s.press(key(CELOS_KEY_LEFT));
    s.out.clear();
    s.press(ch('L', CELOS_MOD_CTRL | CELOS_MOD_SHIFT));
    CHECK(s.out == "\x1b[H\x1b[2J\rcelos> \x1b[Kecho hi\b");
    // A log line ended the row: the prompt and the line again below it.
    s.out.clear();
    s.shell->redraw();
    s.shell->flush();
    CHECK(s.out == "\rcelos> \x1b[Kecho hi\b");
    // Ctrl-A/E/B/F/D/H/U/K/W edit as their keys do.
    s.press(ch('a', CELOS_MOD_CTRL));
    CHECK(s.shell->editor().cursor() == 0);
    s.press(ch('d', CELOS_MOD_CTRL));
    s.press(ch('f', CELOS_MOD_CTRL));
    s.press(ch('h', CELOS_MOD_CTRL));
    CHECK(std::string(s.shell->editor().text()) == "ho hi");
    s.press(ch('e', CELOS_MOD_CTRL));
    s.press(ch('w', CELOS_MOD_CTRL));
    CHECK(std::string(s.shell->editor().text()) == "ho ");
    s.press(ch('b', CELOS_MOD_CTRL));
    s.press(ch('k', CELOS_MOD_CTRL));
    s.press(ch('u', CELOS_MOD_CTRL));
    CHECK(s.shell->editor().length() == 0);
    // Alt+key and keys without a use change nothing.
    s.press(ch('x', CELOS_MOD_ALT));
    for (uint32_t k : {uint32_t(CELOS_KEY_ESCAPE), uint32_t(CELOS_KEY_INSERT), uint32_t(CELOS_KEY_PAGE_UP),
                       uint32_t(CELOS_KEY_F1), uint32_t(CELOS_KEY_F12), uint32_t(CELOS_KEY_COUNT), 0xFFFFFFFFu,
                       uint32_t(CELOS_KEY_NONE)})
        s.press(key(k));
    CHECK(s.shell->editor().length() == 0);
}

TEST_CASE("shell: Up/Down browse the history, the line being typed is kept", "[shell]") {
    Session s;
    s.run("lsmod");
    s.run("mem");
    s.run("mem");
    s.type("ech");
    auto line = [&] { return std::string(s.shell->editor().text()); };
    s.press(key(CELOS_KEY_UP));
    CHECK(line() == "mem");
    s.press(key(CELOS_KEY_UP));
    CHECK(line() == "lsmod");
    s.out.clear();
    s.press(key(CELOS_KEY_UP));
    CHECK(s.out == "\a");
    CHECK(line() == "lsmod");
    s.press(key(CELOS_KEY_DOWN));
    CHECK(line() == "mem");
    s.press(key(CELOS_KEY_DOWN));
    CHECK(line() == "ech");
    s.out.clear();
    s.press(key(CELOS_KEY_DOWN));
    CHECK(s.out == "\a");
    s.press(ch('p', CELOS_MOD_CTRL));
    CHECK(line() == "mem");
    // Enter runs the recalled line, and browsing starts again from the newest.
    s.out.clear();
    s.fake.calls.clear();
    s.press(key(CELOS_KEY_ENTER));
    CHECK(s.fake.calls == std::vector<std::string>{"info memory"});
    CHECK(s.shell->history().count() == 2);
    s.press(ch('n', CELOS_MOD_CTRL));
    CHECK(line().empty());
}

TEST_CASE("shell: Tab completes commands, module names and boot files", "[shell]") {
    Session s;
    s.fake.info["bootfile-names"] = "hello.ko\nDejaVuSansMono.ttf\nLiberationMono-Regular.ttf\nLat15-Terminus16.psf\n"
                                    "bad\x1bname.ko\n";
    auto line = [&] { return std::string(s.shell->editor().text()); };
    s.type("ls");
    s.press(key(CELOS_KEY_TAB)); // ls, lsmod, lspci: nothing to add
    CHECK(line() == "ls");
    s.out.clear();
    s.press(key(CELOS_KEY_TAB)); // the second Tab lists them
    CHECK(s.out == "\r\nlsmod  ls     lspci\r\n\rcelos> \x1b[Kls");
    s.type("m\t");
    CHECK(line() == "lsmod ");
    s.press(ch('u', CELOS_MOD_CTRL));

    s.type("rmmod tr\t");
    CHECK(line() == "rmmod truetype ");
    s.type("\t"); // only one module name
    CHECK(line() == "rmmod truetype ");
    s.press(ch('u', CELOS_MOD_CTRL));

    s.type("insmod h\t");
    CHECK(line() == "insmod hello.ko ");
    s.out.clear();
    s.type("gr\t"); // parameters are not completed
    CHECK(s.out == "gr\a");
    s.press(ch('u', CELOS_MOD_CTRL));

    s.type("font D\t");
    CHECK(line() == "font DejaVuSansMono.ttf ");
    s.press(ch('w', CELOS_MOD_CTRL));
    s.type("L\t");
    CHECK(line() == "font L"); // Lat15-..., LiberationMono-...: nothing in common to add
    s.type("\t");
    CHECK(has(s.out, "\r\nLiberationMono-Regular.ttf  Lat15-Terminus16.psf\r\n\rcelos> \x1b[Kfont L"));
    s.type("i\t");
    CHECK(line() == "font LiberationMono-Regular.ttf ");
    s.press(ch('u', CELOS_MOD_CTRL));

    // A name with a control character is never offered.
    s.type("insmod bad\t");
    CHECK(line() == "insmod bad");
    s.press(ch('u', CELOS_MOD_CTRL));
    // Completing in the middle of a line inserts there.
    s.type("modinfo  lsmod");
    for (int i = 0; i < 6; ++i) s.press(key(CELOS_KEY_LEFT));
    s.type("he\t");
    CHECK(line() == "modinfo heap lsmod");
    s.press(ch('u', CELOS_MOD_CTRL));
    s.press(ch('k', CELOS_MOD_CTRL));
    // Nothing matches: the bell.
    s.out.clear();
    s.type("zz\t");
    CHECK(s.out == "zz\a");
}

TEST_CASE("shell: scrollback keys, and any other key returns to the bottom", "[shell]") {
    Session s;
    s.press(key(CELOS_KEY_PAGE_UP, CELOS_MOD_SHIFT));
    s.press(key(CELOS_KEY_UP, CELOS_MOD_SHIFT));
    s.press(key(CELOS_KEY_DOWN, CELOS_MOD_SHIFT));
    s.press(key(CELOS_KEY_PAGE_DOWN, CELOS_MOD_SHIFT));
    const std::vector<int32_t> keys = {CELOS_CONSOLE_PAGE_BACK, 1, -1, CELOS_CONSOLE_PAGE_FORWARD};
    CHECK(s.fake.scrolls == keys);
    CHECK(s.shell->history().count() == 0);
    CHECK(s.out.empty());
    s.type("x");
    s.type("y");
    std::vector<int32_t> then = keys;
    then.push_back(CELOS_CONSOLE_VIEW_BOTTOM);
    CHECK(s.fake.scrolls == then);
    CHECK(std::string(s.shell->editor().text()) == "xy");
}

TEST_CASE("shell: a line of 2000 characters and binary input", "[shell]") {
    Session s;
    std::string long_line(2000, 'x');
    std::string out = s.run(long_line);
    CHECK(std::count(out.begin(), out.end(), '\a') == 2000 - long(kLineMax));
    CHECK(has(out, "celos: unknown command '" + std::string(kLineMax, 'x') + "' (help lists them)\r\ncelos> "));
    // Every code point and key the queue could hold, in random order: the
    // shell never writes a control character it was given.
    std::mt19937 rng(7);
    s.out.clear();
    for (int i = 0; i < 20000; ++i) {
        celos_input_event e{uint32_t(rng() % (CELOS_KEY_COUNT + 2)), 0, uint32_t(rng() % 8), CELOS_INPUT_SERIAL};
        if (e.key == CELOS_KEY_CHAR) e.codepoint = uint32_t(rng() % 3 ? rng() % 0x100 : rng());
        if (e.key == CELOS_KEY_ENTER && rng() % 4) continue; // fewer commands
        s.press(e);
        REQUIRE(s.shell->editor().length() <= kLineMax);
    }
    for (unsigned char c : s.out)
        if (c < 0x20) CHECK((c == '\r' || c == '\n' || c == '\a' || c == '\b' || c == 0x1b || c == '\t'));
}

TEST_CASE("shell: font picks the provider by the file's kind", "[shell]") {
    Session s;
    std::vector<uint8_t> ttf = {0, 1, 0, 0, 9, 9}, psf = {0x36, 0x04, 2, 16}, elf = {0x7f, 'E', 'L', 'F'};
    s.fake.files["LiberationMono-Regular.ttf"] = ttf;
    s.fake.files["Lat15-Terminus16.psf"] = psf;
    s.fake.files["hello.ko"] = elf;
    s.fake.files["notes.txt"] = {'h', 'e', 'l', 'l', 'o'};
    s.fake.files["font.psf.gz"] = {0x1f, 0x8b, 8, 0};

    // truetype -> truetype: the running provider opens it (it cannot be loaded twice).
    std::string out = s.run("font LiberationMono-Regular.ttf size=20");
    CHECK(s.fake.calls == std::vector<std::string>{"open truetype LiberationMono-Regular.ttf [size=20]"});
    CHECK(has(out, "celos: font: now truetype:DejaVuSansMono.ttf@16, cells of 10x19 pixels"));

    // truetype -> psf, psf not loaded: loaded with replace=on (the boot
    // module psf, declined at boot), then truetype unloaded.
    s.fake.font = {"truetype", "truetype:LiberationMono-Regular.ttf@20", 12, 23};
    out = s.run("font Lat15-Terminus16.psf");
    CHECK(s.fake.calls == std::vector<std::string>{"load psf [font=Lat15-Terminus16.psf replace=on]",
                                                   "unload truetype"});
    // When there is a boot file psf.ko, from it.
    s.fake.files["psf.ko"] = elf;
    s.run("font Lat15-Terminus16.psf scale=2");
    CHECK(s.fake.calls == std::vector<std::string>{"load psf.ko [font=Lat15-Terminus16.psf scale=2 replace=on]",
                                                   "unload truetype"});
    // psf -> truetype, truetype loaded but replaced earlier: its control opens it.
    s.fake.font = {"psf", "psf:Lat15-Terminus16.psf", 8, 16};
    s.run("font LiberationMono-Regular.ttf hinting=none size=12");
    CHECK(s.fake.calls == std::vector<std::string>{
                              "open truetype LiberationMono-Regular.ttf [hinting=none size=12]", "unload psf"});

    // The provider's refusal: the font stays, nothing is unloaded.
    s.fake.open_result = CELOS_ERR_INVALID;
    s.fake.open_why = "LiberationMono-Regular.ttf: cell 19x1 is not a sane text cell";
    out = s.run("font LiberationMono-Regular.ttf");
    CHECK(s.fake.calls == std::vector<std::string>{"open truetype LiberationMono-Regular.ttf []"});
    CHECK(has(out, "celos: font: LiberationMono-Regular.ttf: LiberationMono-Regular.ttf: cell 19x1 is not a sane "
                   "text cell; the font stays psf:Lat15-Terminus16.psf\r\n"));
    s.fake.controls.clear();
    s.fake.load_result["truetype"] = CELOS_ERR_INVALID;
    s.fake.load_why["truetype"] = "init: init returned CELOS_ERR_INVALID (invalid argument)";
    out = s.run("font LiberationMono-Regular.ttf");
    CHECK(s.fake.calls == std::vector<std::string>{"load truetype [font=LiberationMono-Regular.ttf replace=on]"});
    CHECK(has(out, "cannot start the truetype module: init: init returned CELOS_ERR_INVALID (invalid argument); "
                   "the font stays psf:Lat15-Terminus16.psf"));
    // The old provider may refuse to go: a note.
    s.fake.load_result.erase("truetype");
    s.fake.unload_result["psf"] = CELOS_ERR_BUSY;
    s.fake.unload_why["psf"] = "module x holds its service 'font'";
    out = s.run("font LiberationMono-Regular.ttf");
    CHECK(has(out, "celos: font: note: the old provider 'psf' stays loaded: module x holds its service 'font'"));

    // Files and parameters checked before anything is touched.
    s.fake.unload_result.clear();
    CHECK(has(s.run("font nope.ttf"), "celos: font: no boot file 'nope.ttf' (ls lists them)"));
    CHECK(has(s.run("font hello.ko"), "celos: font: hello.ko: not a font: a module (insmod loads modules)"));
    CHECK(has(s.run("font notes.txt"), "not a font: not a font (TrueType, OpenType or PSF expected)"));
    CHECK(has(s.run("font font.psf.gz"), "not a font: gzip-compressed (decompress it before GRUB loads it)"));
    CHECK(has(s.run("font LiberationMono-Regular.ttf size=big"), "size=big is not a number of pixels"));
    CHECK(has(s.run("font LiberationMono-Regular.ttf hinting=full"), "hinting=full is not none, light or normal"));
    CHECK(has(s.run("font LiberationMono-Regular.ttf scale=2"), "unknown parameter 'scale=2' (a TrueType"));
    CHECK(has(s.run("font LiberationMono-Regular.ttf replace=off"), "unknown parameter 'replace=off'"));
    CHECK(has(s.run("font Lat15-Terminus16.psf size=20"), "a PSF1 font has a fixed size and no hinting"));
    CHECK(has(s.run("font Lat15-Terminus16.psf scale=x"), "scale=x is not a number"));
    CHECK(has(s.run("font Lat15-Terminus16.psf font=a.psf"), "unknown parameter 'font=a.psf'"));
    s.fake.has_font = false;
    CHECK(has(s.run("font Lat15-Terminus16.psf"), "no module provides the console's font"));
    for (const auto& c : s.fake.calls) CHECK(c.rfind("info", 0) == 0);
}

TEST_CASE("shell: lspci and mode", "[shell]") {
    struct ModeCall {
        uint32_t w = 0, h = 0;
        celos_status result = CELOS_OK;
    };
    static ModeCall mode;
    Fake fake;
    fake.info["pci"] = "00:02.0 1234:1111 display\n";
    auto run = [&fake](bool with_display, const std::string& line) {
        System system = fake.system();
        system.display_set_mode = nullptr;
        if (with_display)
            system.display_set_mode = [](void*, uint32_t w, uint32_t h, char* why, size_t size) {
                mode.w = w;
                mode.h = h;
                if (mode.result != CELOS_OK && size) snprintf(why, size, "the device refused it");
                return mode.result;
            };
        std::string out;
        Shell shell(system, append, &out);
        shell.start();
        out.clear();
        for (unsigned char c : line) shell.key(ch(c));
        shell.key(key(CELOS_KEY_ENTER));
        shell.flush();
        return out;
    };
    CHECK(has(run(true, "lspci"), "00:02.0 1234:1111 display"));
    std::string out = run(true, "mode 1280x720");
    CHECK(mode.w == 1280);
    CHECK(mode.h == 720);
    CHECK_FALSE(has(out, "celos: mode"));
    for (const char* bad : {"mode 1280", "mode x720", "mode 0x10", "mode 99999x10", "mode 12a0x720"}) {
        INFO(bad);
        mode = {};
        CHECK(has(run(true, bad), "is not WIDTHxHEIGHT"));
        CHECK(mode.w == 0);
    }
    mode.result = CELOS_ERR_INVALID;
    CHECK(has(run(true, "mode 8000x8000"), "celos: mode: 8000x8000: the device refused it"));
    CHECK(has(run(false, "mode 800x600"), "no display driver"));
}
