// libFuzzer target: the shell (modules/shell) fed arbitrary key events, as
// the input queue can hold them, over a fake kernel whose reports and names
// hold control characters and escape sequences (untrusted text). The first
// byte is the terminal's width; then each 4 bytes are an event. Checked:
// the line stays within kLineMax; the shell's output carries no control
// character but CR, LF, TAB, BEL, BS and its own CSI n C/D/K/H/J (nothing
// typed or reported reaches the terminal as a control sequence); and a
// terminal emulator (modules/fbcon/terminal.cpp) fed that output keeps its
// cursor on the grid.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "shell.h"
#include "terminal.h"

using namespace celos::shell;

namespace {

// A name list and reports with everything a boot file name or a module's
// text could hold.
const char kNames[] = "hello.ko\nhe\x1b[2Jllo.ko\nhelp\xff.ko\nLat15-Terminus16.psf\nLiberationMono-Regular.ttf\n"
                      "\x9b" "31m.ko\nh\n";
const char kReport[] = "Module  Version\nheap 1.0 \x1b]0;title\x07 live\n\x1b[2J\x1b[?25l\x9b" "1m\xc2\x9b" "2J\tend";
const uint8_t kTtf[] = {0, 1, 0, 0, 1, 2, 3, 4};
const uint8_t kPsf[] = {0x36, 0x04, 0, 16};

int info(void*, const char* topic, const char*, char* out, size_t size) {
    const char* text = std::strstr(topic, "names") ? kNames : kReport;
    if (std::strcmp(topic, "log") == 0) text = "[    0.000001] a\n[    0.000002] b\x1b[H\n";
    return std::snprintf(out, size, "%s", text);
}
celos_status load(void*, const char* file, const char*, char* why, size_t size) {
    std::snprintf(why, size, "refused \x1b[31m%s", file);
    return file[0] == 'h' ? CELOS_OK : CELOS_ERR_INVALID;
}
celos_status unload(void*, const char* name, bool, char* why, size_t size) {
    std::snprintf(why, size, "busy \x1b[5m");
    return name[0] == 'h' ? CELOS_ERR_BUSY : CELOS_ERR_NOT_FOUND;
}
celos_status find(void*, const char* name, const void** data, size_t* size) {
    if (std::strstr(name, ".ttf")) *data = kTtf, *size = sizeof kTtf;
    else if (std::strstr(name, ".psf")) *data = kPsf, *size = sizeof kPsf;
    else if (name[0] == 'h') *data = "\x7f" "ELF", *size = 4;
    else return CELOS_ERR_NOT_FOUND;
    return CELOS_OK;
}
bool font(void*, FontInUse* f) {
    std::snprintf(f->provider, sizeof f->provider, "truetype");
    std::snprintf(f->name, sizeof f->name, "truetype:\x1b[2Jx@16");
    f->cell_width = 10, f->cell_height = 19;
    return true;
}
celos_status font_open(void*, const char* module, const char*, const char*, char* why, size_t size) {
    std::snprintf(why, size, "no \x1b[K");
    return module[0] == 't' ? CELOS_ERR_INVALID : CELOS_ERR_NOT_FOUND;
}
void scroll(void*, int32_t) {}
void stop(void*) {}
const char* error(celos_status) {
    return "error \x1b[1m";
}
void* allocate(void*, size_t size) {
    return std::malloc(size);
}
void release(void*, void* block) {
    std::free(block);
}

struct Sink {
    std::string bytes;
};
void write_output(void* context, const char* data, size_t length) {
    static_cast<Sink*>(context)->bytes.append(data, length);
}

// Only the shell's own control characters and sequences.
void check_output(const std::string& s) {
    for (size_t i = 0; i < s.size(); ++i) {
        uint8_t c = uint8_t(s[i]);
        if (c == 0x1b) {
            if (i + 1 >= s.size() || s[i + 1] != '[') abort();
            size_t j = i + 2;
            while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
            if (j >= s.size() || !std::strchr("CDKHJ", s[j])) abort();
            i = j;
        } else if ((c < 0x20 && !std::strchr("\r\n\t\a\b", c)) || c == 0x7f) {
            abort();
        } else if (c == 0xc2 && i + 1 < s.size() && uint8_t(s[i + 1]) >= 0x80 && uint8_t(s[i + 1]) < 0xa0) {
            abort(); // a C1 control in UTF-8
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    static const System system = {nullptr, info, load,   unload, find,  font,    font_open,
                                  scroll,  stop, stop,   error,  allocate, release};
    Sink sink;
    auto shell = std::make_unique<Shell>(system, write_output, &sink);
    uint32_t columns = 20 + data[0] % 200;
    shell->set_columns(columns);
    std::unique_ptr<celos::fbcon::Cell[]> cells(new celos::fbcon::Cell[size_t(columns) * 24]);
    celos::fbcon::Terminal terminal;
    if (!terminal.init(cells.get(), columns, 24, celos::fbcon::terminal_default_config())) abort();
    shell->start();
    for (size_t at = 1; at + 4 <= size; at += 4) {
        celos_input_event e{};
        e.key = data[at] % (CELOS_KEY_COUNT + 1);
        e.modifiers = data[at + 1] >> 5;
        if (e.key == CELOS_KEY_CHAR) {
            uint32_t cp = uint32_t(data[at + 2]) | uint32_t(data[at + 3]) << 8 | uint32_t(data[at + 1] & 0x1f) << 16;
            e.codepoint = data[at + 1] & 0x80 ? cp : data[at + 2]; // mostly ASCII and Latin-1
        }
        shell->key(e);
        if (at % 16 == 1) shell->flush();
        if (shell->editor().length() > kLineMax) abort();
    }
    shell->flush();
    check_output(sink.bytes);
    terminal.write(reinterpret_cast<const uint8_t*>(sink.bytes.data()), sink.bytes.size());
    if (terminal.cursor_x() >= columns || terminal.cursor_y() >= 24) abort();
    return 0;
}
