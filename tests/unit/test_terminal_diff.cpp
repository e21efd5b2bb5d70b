// The differential test of issue #17: the same byte streams fed to CelOS's
// terminal (modules/fbcon/terminal.cpp) and to libvterm (Debian's
// libvterm-dev, an independent implementation) of the same size; every
// cell (code point, marks, width, colours resolved to RGB with the same
// palette, bold, italic, underline style, blink, reverse, strike), the
// line attributes, the cursor and the modes must agree.
//
// Where libvterm 0.1.4 departs from xterm, the stream lists the difference
// as an exception: the cell, the field, the value CelOS must have (xterm's)
// and the reason. A stream passes when its differences are exactly its
// exceptions, no more and no fewer.
//
// Not compared, because libvterm 0.1.4 has no such state: dim (SGR 2),
// invisible (SGR 8) and the underline colour (SGR 58); nor DECSTR, which
// libvterm 0.1.4 ignores, and a wide character at the last column with
// autowrap off, where libvterm's result is not xterm's and xterm's is not
// documented. Those are checked in test_terminal_vt.cpp.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <vterm.h>

#include "terminal.h"

using namespace celos::fbcon;

namespace {

enum class Field {
    Char,
    Mark0,
    Mark1,
    Width,
    Fg,
    Bg,
    Bold,
    Underline,
    Italic,
    Blink,
    Reverse,
    Strike,
    LineAttr,
    Cursor, // y << 16 | x
    CursorVisible,
    ReverseScreen,
    AltScreen,
    CursorStyle, // CelOS's 0-6, libvterm's shape and blink mapped to it
};

const char* field_name(Field f) {
    static const char* names[] = {"char",   "mark0",    "mark1",          "width",         "fg",
                                  "bg",     "bold",     "underline",      "italic",        "blink",
                                  "reverse", "strike",  "line_attr",      "cursor",        "cursor_visible",
                                  "reverse_screen", "alt_screen", "cursor_style"};
    return names[int(f)];
}

constexpr uint32_t kGlobal = 0xFFFF; // x and y of the fields that are not a cell's

struct Difference {
    uint32_t x, y;
    Field field;
    uint32_t celos, vterm;
};

// A documented departure of libvterm 0.1.4 from xterm: at (x, y) the field
// differs, and CelOS has `xterm` (xterm's value).
struct Exception {
    uint32_t x, y;
    Field field;
    uint32_t xterm;
    const char* reason;
};

struct Pair {
    uint32_t cols, rows;
    TerminalConfig cfg = terminal_default_config();
    std::unique_ptr<Cell[]> cells, alt;
    Terminal t;
    VTerm* vt = nullptr;
    VTermScreen* screen = nullptr;
    VTermState* state = nullptr;
    // libvterm's modes, from its settermprop callback.
    bool cursor_visible = true, cursor_blink = true, reverse = false, altscreen = false;
    int cursor_shape = VTERM_PROP_CURSORSHAPE_BLOCK;

    static int settermprop(VTermProp prop, VTermValue* val, void* user) {
        auto* p = static_cast<Pair*>(user);
        switch (prop) {
        case VTERM_PROP_CURSORVISIBLE: p->cursor_visible = val->boolean; break;
        case VTERM_PROP_CURSORBLINK: p->cursor_blink = val->boolean; break;
        case VTERM_PROP_ALTSCREEN: p->altscreen = val->boolean; break;
        case VTERM_PROP_REVERSE: p->reverse = val->boolean; break;
        case VTERM_PROP_CURSORSHAPE: p->cursor_shape = val->number; break;
        default: break;
        }
        return 1;
    }

    Pair(uint32_t c, uint32_t r) : cols(c), rows(r), cells(new Cell[size_t(c) * r]), alt(new Cell[size_t(c) * r]) {
        REQUIRE(t.init(cells.get(), c, r, cfg));
        t.set_alt_cells(alt.get());
        vt = vterm_new(int(r), int(c));
        REQUIRE(vt);
        vterm_set_utf8(vt, 1);
        screen = vterm_obtain_screen(vt);
        state = vterm_obtain_state(vt);
        static const VTermScreenCallbacks callbacks = {nullptr, nullptr, nullptr, settermprop,
                                                       nullptr, nullptr, nullptr, nullptr};
        vterm_screen_set_callbacks(screen, &callbacks, this);
        vterm_screen_enable_altscreen(screen, 1);
        for (int i = 0; i < 16; ++i) {
            VTermColor col;
            uint32_t v = cfg.palette[i];
            vterm_color_rgb(&col, uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v));
            vterm_state_set_palette_color(state, i, &col);
        }
        VTermColor fg, bg;
        vterm_color_rgb(&fg, uint8_t(cfg.default_fg >> 16), uint8_t(cfg.default_fg >> 8), uint8_t(cfg.default_fg));
        vterm_color_rgb(&bg, uint8_t(cfg.default_bg >> 16), uint8_t(cfg.default_bg >> 8), uint8_t(cfg.default_bg));
        vterm_state_set_default_colors(state, &fg, &bg);
        vterm_state_set_bold_highbright(state, cfg.bold_is_bright);
        vterm_screen_reset(screen, 1);
    }
    ~Pair() { vterm_free(vt); }
    Pair(const Pair&) = delete;
    Pair& operator=(const Pair&) = delete;

    void feed(const std::string& bytes) {
        t.write(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
        vterm_input_write(vt, bytes.data(), bytes.size());
        vterm_screen_flush_damage(screen);
    }

    uint32_t rgb(VTermColor c) const {
        vterm_screen_convert_color_to_rgb(screen, &c);
        return uint32_t(c.rgb.red) << 16 | uint32_t(c.rgb.green) << 8 | c.rgb.blue;
    }

    std::vector<Difference> differences() const {
        std::vector<Difference> out;
        auto add = [&](uint32_t x, uint32_t y, Field f, uint32_t a, uint32_t b) {
            if (a != b) out.push_back({x, y, f, a, b});
        };
        for (uint32_t y = 0; y < rows; ++y) {
            const VTermLineInfo* info = vterm_state_get_lineinfo(state, int(y));
            uint32_t vline = !info->doublewidth ? 0 : info->doubleheight == 1 ? 2 : info->doubleheight == 2 ? 3 : 1;
            add(kGlobal, y, Field::LineAttr, uint32_t(t.line_attr(y)), vline);
            for (uint32_t x = 0; x < cols; ++x) {
                const Cell& c = t.cell(x, y);
                VTermScreenCell v;
                vterm_screen_get_cell(screen, VTermPos{int(y), int(x)}, &v);
                bool vtail = v.chars[0] == uint32_t(-1);
                bool tail = c.attrs & kAttrWideTail;
                // An empty libvterm cell is a space; a wide tail has code point 0 in CelOS.
                uint32_t vcp = vtail ? 0 : v.chars[0] == 0 ? ' ' : v.chars[0];
                add(x, y, Field::Char, c.codepoint, vcp);
                add(x, y, Field::Width, tail ? 0 : (c.attrs & kAttrWide) ? 2 : 1, vtail ? 0 : uint32_t(v.width));
                if (tail || vtail) continue; // the rest is the first cell's
                uint32_t vm0 = v.chars[0] ? v.chars[1] : 0, vm1 = vm0 ? v.chars[2] : 0;
                add(x, y, Field::Mark0, c.marks[0], vm0);
                add(x, y, Field::Mark1, c.marks[1], vm1);
                add(x, y, Field::Bg, c.bg, rgb(v.bg));
                // libvterm's reverse screen (DECSCNM) is folded into each cell's reverse.
                add(x, y, Field::Reverse, !!(c.attrs & kAttrReverse), v.attrs.reverse ^ uint32_t(reverse));
                // A blank cell draws no glyph: its foreground and the glyph's
                // attributes show nowhere. libvterm 0.1.4 keeps the whole pen in
                // erased cells, xterm (and CelOS) the background only.
                bool blank = c.codepoint == ' ' && !c.marks[0] && vcp == ' ' && !vm0;
                if (blank) continue;
                add(x, y, Field::Fg, c.fg, rgb(v.fg));
                add(x, y, Field::Bold, !!(c.attrs & kAttrBold), v.attrs.bold);
                uint32_t ul = (c.attrs & kAttrUnderline)         ? VTERM_UNDERLINE_SINGLE
                              : (c.attrs & kAttrDoubleUnderline) ? VTERM_UNDERLINE_DOUBLE
                              : (c.attrs & kAttrCurlyUnderline)  ? VTERM_UNDERLINE_CURLY
                                                                 : VTERM_UNDERLINE_OFF;
                add(x, y, Field::Underline, ul, v.attrs.underline);
                add(x, y, Field::Italic, !!(c.attrs & kAttrItalic), v.attrs.italic);
                add(x, y, Field::Blink, !!(c.attrs & kAttrBlink), v.attrs.blink);
                add(x, y, Field::Strike, !!(c.attrs & kAttrStrike), v.attrs.strike);
            }
        }
        VTermPos pos;
        vterm_state_get_cursorpos(state, &pos);
        add(kGlobal, kGlobal, Field::Cursor, t.cursor_y() << 16 | t.cursor_x(), uint32_t(pos.row) << 16 | uint32_t(pos.col));
        add(kGlobal, kGlobal, Field::CursorVisible, t.cursor_visible(), cursor_visible);
        add(kGlobal, kGlobal, Field::ReverseScreen, t.reverse_screen(), reverse);
        add(kGlobal, kGlobal, Field::AltScreen, t.alt_screen(), altscreen);
        // DECSCUSR 0 and 1 are both a blinking block.
        uint32_t style = t.cursor_style() == 0 ? 1 : t.cursor_style();
        uint32_t vstyle = (cursor_shape == VTERM_PROP_CURSORSHAPE_UNDERLINE   ? 3
                           : cursor_shape == VTERM_PROP_CURSORSHAPE_BAR_LEFT ? 5
                                                                             : 1) +
                          (cursor_blink ? 0 : 1);
        add(kGlobal, kGlobal, Field::CursorStyle, style, vstyle);
        return out;
    }
};

std::string describe(const Difference& d) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "(%u,%u) %s: CelOS 0x%X, libvterm 0x%X", d.x, d.y, field_name(d.field), d.celos,
                  d.vterm);
    return buf;
}

// The differences must be exactly the exceptions, with CelOS at xterm's
// value: how many differences are not listed, and how many listed
// exceptions were not seen (each reported through INFO/CHECK by the caller).
struct Mismatch {
    size_t unlisted = 0, unseen = 0;
    std::string report;
};

Mismatch mismatch(const Pair& p, const std::vector<Exception>& exceptions) {
    Mismatch m;
    auto diffs = p.differences();
    for (const auto& d : diffs) {
        bool listed = false;
        for (const auto& e : exceptions)
            listed |= e.x == d.x && e.y == d.y && e.field == d.field;
        if (!listed && ++m.unlisted <= 40) m.report += "not listed: " + describe(d) + "\n";
    }
    for (const auto& e : exceptions) {
        bool seen = false;
        for (const auto& d : diffs)
            seen |= e.x == d.x && e.y == d.y && e.field == d.field && d.celos == e.xterm;
        if (!seen) {
            ++m.unseen;
            char buf[200];
            std::snprintf(buf, sizeof buf, "exception not seen: (%u,%u) %s = 0x%X: %s\n", e.x, e.y,
                          field_name(e.field), e.xterm, e.reason);
            m.report += buf;
        }
    }
    return m;
}

void check_against(const Pair& p, const std::vector<Exception>& exceptions) {
    Mismatch m = mismatch(p, exceptions);
    INFO(m.report);
    CHECK(m.unlisted == 0);
    CHECK(m.unseen == 0);
}

struct Stream {
    const char* name;
    uint32_t cols, rows;
    std::string bytes;
    std::vector<Exception> exceptions;
};

void run(const Stream& s) {
    INFO("stream: " << s.name);
    Pair p(s.cols, s.rows);
    p.feed(s.bytes);
    check_against(p, s.exceptions);
}

// Exceptions that repeat over many cells.
[[maybe_unused]] std::vector<Exception> row_of(uint32_t y, uint32_t x0, uint32_t x1, Field f, uint32_t v, const char* why) {
    std::vector<Exception> out;
    for (uint32_t x = x0; x < x1; ++x)
        out.push_back({x, y, f, v, why});
    return out;
}

[[maybe_unused]] std::vector<Exception> operator+(std::vector<Exception> a, const std::vector<Exception>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}


} // namespace

TEST_CASE("terminal diff: the comparison finds a corrupted cell", "[terminal][diff]") {
    Pair p(10, 3);
    p.feed("ab\x1B[31mcd\r\n\xE4\xB8\xAD");
    CHECK(p.differences().empty());
    // Corrupt one cell of CelOS's grid (its memory is ours), then attributes.
    p.cells[1].codepoint = 'Z';
    auto d = p.differences();
    REQUIRE(d.size() == 1);
    CHECK(d[0].field == Field::Char);
    CHECK(d[0].x == 1);
    p.cells[1].codepoint = 'b';
    p.cells[2].attrs |= kAttrItalic;
    p.cells[3].fg = 0x123456;
    p.cells[10].attrs = 0; // the wide character's first half
    d = p.differences();
    REQUIRE(d.size() == 3);
    CHECK(d[0].field == Field::Italic);
    CHECK(d[1].field == Field::Fg);
    CHECK(d[2].field == Field::Width);
    // An unlisted difference, and a listed one that does not happen, both count.
    Mismatch m = mismatch(p, {{3, 0, Field::Fg, 0x123456, "deliberate"}, {5, 0, Field::Char, 'q', "never"}});
    CHECK(m.unlisted == 2);
    CHECK(m.unseen == 1);
    // A listed difference with CelOS at another value than xterm's is not seen.
    m = mismatch(p, {{3, 0, Field::Fg, 0x654321, "wrong value"}});
    CHECK(m.unseen == 1);
}

TEST_CASE("terminal diff: one stream per feature", "[terminal][diff]") {
    // libvterm 0.1.4's departures from xterm (and from Unicode's data).
    const char* kEmoji = "U+2764 U+FE0F (emoji presentation, Unicode's emoji-variation-sequences.txt) takes two "
                         "cells; libvterm 0.1.4 keeps U+FE0F as a mark of a one-cell character";
    const char* kInsertWide = "in insert mode a wide character moves the rest of the line by two columns (xterm); "
                              "libvterm 0.1.4 inserts one column per character";
    const char* k47 = "DECSET 47 switches to the alternate screen (xterm); libvterm 0.1.4 knows 1047 and 1049 only";
    const char* kRepWide = "REP repeats a wide character Ps times (xterm); libvterm 0.1.4 repeats it fewer times";
    const char* kStaleTail = "a narrow character over the first half of a wide one blanks the second half (xterm); "
                             "libvterm 0.1.4 leaves the stale half, so its cell reads as two columns wide";
    const char* kSurrogate = "an encoded surrogate (ED A0 80) is three U+FFFD, one per byte (Unicode's maximal "
                             "subparts, as CelOS's decoder tests); libvterm 0.1.4 makes one";
    std::vector<Stream> streams = {
        {"text, CR LF BS, autowrap", 10, 4, "hello\r\nworld\b\bXY\r\n0123456789abc\x1B[?7l0123456789xyz\x1B[?7h", {}},
        {"UTF-8, malformed", 10, 3, "a\xC3\xA9z\xE2\x82\xAC\xF0\x9F\x98\x80!\r\n\xED\xA0\x80q\xC3",
         {{1, 1, Field::Char, 0xFFFD, kSurrogate},
          {2, 1, Field::Char, 0xFFFD, kSurrogate},
          {3, 1, Field::Char, 'q', kSurrogate},
          {kGlobal, kGlobal, Field::Cursor, 1 << 16 | 4, kSurrogate}}},
        {"wide characters", 7, 4,
         "a\xE4\xB8\xAD"
         "b\xEA\xB0\x80\xE4\xB8\xAD\r\n\xE4\xB8\xAD\xE4\xB8\xAD\xE4\xB8\xAD\xE4\xB8\xAD"
         "\x1B[3;1H\xEF\xBC\xA1\xEF\xBC\xA2x",
         {{4, 2, Field::Width, 1, kStaleTail}, {5, 2, Field::Char, ' ', kStaleTail}, {5, 2, Field::Width, 1, kStaleTail}}},
        {"combining marks", 8, 3, "e\xCC\x81x\xCC\x80\xCC\x82 \xE4\xB8\xAD\xCC\x81z\r\na\xE2\x80\x8B" "b", {}},
        {"emoji presentation", 8, 2, "\xF0\x9F\x98\x80x\xE2\x9D\xA4\xEF\xB8\x8F" "y",
         {{3, 0, Field::Width, 2, kEmoji},
          {4, 0, Field::Char, 0, kEmoji},
          {4, 0, Field::Width, 0, kEmoji},
          {5, 0, Field::Char, 'y', kEmoji},
          {kGlobal, kGlobal, Field::Cursor, 6, kEmoji}}},
        {"DEC special graphics, SO SI, UK", 20, 3,
         "\x1B(0lqqk\r\nx  x\r\nmqqj\x1B(B \x1B)0\x0Etuvwn\x0F" "abc\x1B(A#\x1B(B#"
         "\x1B(0`afg~\x1B(B",
         {}},
        {"tab stops", 40, 3,
         "\tA\tB\x1BH\r\n\x1B[3g\x1B[5G\x1BH\x1B[15G\x1BH\r\tC\tD\x1B[Z\x1B[ZE\x1B[2IF\r\n\x1B[5G\x1B[0g\r\tG", {}},
        {"HT at the right margin keeps the pending wrap", 10, 3, "\x1B[1;8Habc\tX", {}},
        {"insert mode", 10, 2, "abcdefghij\r\x1B[4hXY\x1B[4lZ\r\n123\x1B[4h\r\xE4\xB8\xAD",
         {{2, 1, Field::Char, '1', kInsertWide}, {3, 1, Field::Char, '2', kInsertWide}, {4, 1, Field::Char, '3', kInsertWide}}},
        {"newline mode", 10, 3, "ab\x1B[20h\ncd\x1B[20l\nef", {}},
        {"origin mode", 10, 6, "\x1B[2;5r\x1B[?6h\x1B[HA\x1B[9;3HB\x1B[2dC\x1B[?6lD", {}},
        {"reverse screen", 4, 2, "\x1B[?5hab", {}},
        {"alternate screen 1049", 10, 4, "main\x1B[2;3H\x1B[31m\x1B[?1049halt\x1B[?1049lx", {}},
        {"alternate screen 47 keeps its contents", 6, 2, "\x1B[?47hA\x1B[?47lm\x1B[?47h",
         {{1, 0, Field::Char, ' ', k47}, {kGlobal, kGlobal, Field::AltScreen, 1, k47}}},
        {"alternate screen 1047 and 1048", 8, 3, "main\x1B[?1047hB\x1B[?1047l\x1B[?1048h\x1B[3;3H\x1B[?1048lz", {}},
        {"DECALN", 6, 4, "\x1B[2;3r\x1B[3;3H\x1B#8",
         {{kGlobal, kGlobal, Field::Cursor, 0, "xterm: DECALN homes the cursor (and resets the margins); libvterm leaves it"}}},
        {"double width and height lines", 10, 4,
         "\x1B#6abc\r\n\x1B#3top\r\n\x1B#4bot\r\nnormal\x1B[1;1H\x1B[99Cz", {}},
        {"DECSCUSR", 4, 1, "\x1B[4 q", {}},
        {"DECSCUSR 6", 4, 1, "\x1B[6 q", {}},
        {"REP", 10, 2, "ab\x1B[3bc\r\n\xE4\xB8\xAD\x1B[2b",
         {{4, 1, Field::Char, 0x4E2D, kRepWide},
          {4, 1, Field::Width, 2, kRepWide},
          {5, 1, Field::Char, 0, kRepWide},
          {5, 1, Field::Width, 0, kRepWide},
          {kGlobal, kGlobal, Field::Cursor, 1 << 16 | 6, kRepWide}}},
        {"HPR VPR", 10, 4, "\x1B[3aX\x1B[2eY", {}},
        {"DECIC DECDC", 5, 3, "abcde\r\nfghij\r\nklmno\x1B[2;3r\x1B[2;2H\x1B[2'}\x1B[1'~", {}},
        {"DECSED DECSEL", 6, 3, "abcdef\r\nghijkl\r\nmnopqr\x1B[2;3H\x1B[?K\x1B[1;2H\x1B[?1J", {}},
        {"SGR attributes and resets", 20, 2,
         "\x1B[1ma\x1B[3mb\x1B[4mc\x1B[5md\x1B[7me\x1B[9mf\x1B[22mg\x1B[23mh\x1B[24mi\x1B[25mj\x1B[27mk\x1B[29ml"
         "\x1B[21mm\x1B[0mn\x1B[6mo\x1B[0m",
         {{14, 0, Field::Blink, 1, "SGR 6 (rapid blink, ECMA-48) blinks as 5 does; libvterm 0.1.4 ignores it"}}},
        {"SGR colours", 20, 2,
         "\x1B[31ma\x1B[1mb\x1B[92mc\x1B[44md\x1B[104me\x1B[38;5;196mf\x1B[48;5;240mg\x1B[38;2;1;2;3mh\x1B[39;49mi"
         "\x1B[0;7;33;41mj",
         {}},
        {"SGR bold with 38;5;0-7", 6, 1, "\x1B[1;38;5;1mx\x1B[0;1;31my", {}},
        {"SGR underline styles with :", 10, 1, "\x1B[4:2ma\x1B[4:3mb\x1B[4:1mc\x1B[4:0md\x1B[4:4me", {}},
        {"SGR 4:0 keeps the colour", 6, 1, "\x1B[31;4mX\x1B[4:0mY", {}},
        {"SGR 38:2:: is red", 6, 1, "\x1B[38:2::255:0:0mR\x1B[38:5:21mB",
         {{0, 0, Field::Fg, 0xff0000, "38:2:Pi:r:g:b with an empty colour space id Pi (ITU T.416, xterm) is r;g;b = 255;0;0; libvterm 0.1.4 reads the sub-parameters shifted (yellow)"}}},
        {"SGR 58 keeps the pen", 6, 1, "\x1B[1;31m\x1B[58:2::255:0:0mU\x1B[58;5;2mV",
         {{1, 0, Field::Blink, 0, "SGR 58;5;n sets the underline colour (as kitty and VTE); libvterm 0.1.4 does not know 58 and reads 5 as blink"}}},
        {"SGR unknown 38 selector", 6, 1, "\x1B[38;9;1mX", {}},
        {"erase ED EL ECH with wide characters", 8, 3,
         "abcdefgh\xE4\xB8\xAD\xE4\xB8\xAD\xE4\xB8\xAD\xE4\xB8\xAD\x1B[2;4H\x1B[K\x1B[1;3H\x1B[2X\x1B[3;1H"
         "\xE4\xB8\xAD\xE4\xB8\xAD\x1B[3;2H\x1B[1K",
         {{2, 1, Field::Char, ' ', "erasing from the second half of a wide character erases all of it (xterm); libvterm 0.1.4 leaves the first half"}}},
        {"scroll region, IL DL ICH DCH", 6, 5,
         "aaaaaa\r\nbbbbbb\r\ncccccc\r\ndddddd\r\neeeeee\x1B[2;4r\x1B[4;1H\nX\x1B[2;1H\x1BM\x1B[L\x1B[3;3H\x1B[2@"
         "\x1B[P\x1B[r",
         {}},
        {"LS2 LS3 SS2 SS3", 12, 1, "\x1B*0\x1B+A\x1BNq\x1BOq#q\x1Bnq\x1Boq#\x0Fq", {}},
        {"line attributes scroll with their rows", 8, 4,
         "\x1B#6a\r\n\x1B#3b\r\n\x1B#4c\r\nd\n\x1B[2;3r\x1B[3;1H\n\x1B[r\x1B[1;1H\x1BM\x1B[4;3H\x1B[1J", {}},
        {"a mark after a pending wrap", 4, 2, "abcd\xCC\x81\xCC\x82" "e", {}},
        {"save and restore cursor with charsets", 10, 2, "\x1B(0\x1B[2;3H\x1B" "7\x1B(B\x1B[Hq\x1B" "8q",
         {{2, 1, Field::Char, 0x2500, "DECSC saves the character sets (xterm's ctlseqs: character sets G0-G3, GL and GR); libvterm 0.1.4 does not"}}},
    };
    for (const auto& s : streams)
        run(s);
}

namespace {

std::string read_fixture(const std::string& name) {
    std::ifstream f(std::string(CELOS_TERMINAL_FIXTURES) + "/" + name, std::ios::binary);
    INFO("fixture " << CELOS_TERMINAL_FIXTURES << "/" << name);
    REQUIRE(f.good());
    return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

} // namespace

TEST_CASE("terminal diff: output captured from real programs at 80x24", "[terminal][diff]") {
    struct Fixture {
        const char* file;
        std::vector<Exception> exceptions, alt_exceptions;
    };
    std::vector<Fixture> fixtures = {
        {"ls-color.bin", {}, {}},
        {"git-log-graph.bin", {}, {}},
        {"dialog-msgbox.bin", {}, {}},
        // vim turns the cursor's blink off (DECRST 12) on the alternate screen.
        {"vim-open-quit.bin",
         {{kGlobal, kGlobal, Field::CursorStyle, 2,
           "DECRC (1049 l) leaves the cursor's blink alone: xterm's DECSC saves neither shape nor blink; "
           "libvterm 0.1.4 saves and restores them"}},
         {}},
    };
    for (const auto& f : fixtures) {
        INFO("fixture " << f.file);
        std::string bytes = read_fixture(f.file);
        CHECK(bytes.size() > 100);
        // Full-screen programs: also the alternate screen as it was just
        // before they left it.
        size_t leave = bytes.rfind("\x1B[?1049l");
        if (leave != std::string::npos && leave > 0) {
            INFO("up to the last ESC [ ? 1049 l");
            Pair a(80, 24);
            a.feed(bytes.substr(0, leave));
            check_against(a, f.alt_exceptions);
        }
        Pair p(80, 24);
        // Fed in pieces, as a console receives them: the result is the same.
        for (size_t i = 0; i < bytes.size(); i += 97)
            p.feed(bytes.substr(i, 97));
        check_against(p, f.exceptions);
    }
}
