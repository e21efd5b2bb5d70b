// The terminal's VT features of issue #17 (modules/fbcon/terminal.cpp):
// character widths, character sets, tab stops, modes, the alternate
// screen, line attributes, REP/HPR/VPR/DECIC/DECDC, SGR sub-parameters and
// underline styles, each against the value xterm's ctlseqs gives. The
// differential test against libvterm is test_terminal_diff.cpp.
#include <catch2/catch.hpp>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "terminal.h"

using namespace celos::fbcon;

namespace {

struct Vt {
    uint32_t cols, rows;
    std::unique_ptr<Cell[]> cells, alt; // exactly sized: ASan sees any stray write
    Terminal t;
    TerminalConfig cfg = terminal_default_config();
    Vt(uint32_t c, uint32_t r, bool with_alt = true)
        : cols(c), rows(r), cells(new Cell[size_t(c) * r]), alt(with_alt ? new Cell[size_t(c) * r] : nullptr) {
        REQUIRE(t.init(cells.get(), c, r, cfg));
        t.set_alt_cells(alt.get());
    }
    Vt& operator<<(const std::string& s) {
        t.write(reinterpret_cast<const uint8_t*>(s.data()), s.size());
        return *this;
    }
    // Row y: ASCII as is, a wide tail as '>', other code points as '#'.
    std::string line(uint32_t y) const {
        std::string s;
        for (uint32_t x = 0; x < cols; ++x) {
            const Cell& c = t.cell(x, y);
            s += (c.attrs & kAttrWideTail) ? '>' : c.codepoint < 0x80 ? char(c.codepoint) : '#';
        }
        return s;
    }
    std::string text() const {
        std::string s;
        for (uint32_t y = 0; y < rows; ++y)
            s += (y ? "|" : "") + line(y);
        return s;
    }
    const Cell& at(uint32_t x, uint32_t y) const { return t.cell(x, y); }
    std::pair<uint32_t, uint32_t> cursor() const { return {t.cursor_x(), t.cursor_y()}; }
};

using P = std::pair<uint32_t, uint32_t>;

} // namespace

TEST_CASE("terminal: character widths come from the Unicode data", "[terminal]") {
    CHECK(terminal_char_width('a') == 1);
    CHECK(terminal_char_width(0xE9) == 1);
    CHECK(terminal_char_width(0x00AD) == 1);  // soft hyphen: shown, as xterm
    CHECK(terminal_char_width(0x0301) == 0);  // combining acute accent (Mn)
    CHECK(terminal_char_width(0x20DD) == 0);  // combining enclosing circle (Me)
    CHECK(terminal_char_width(0x200B) == 0);  // zero width space (Cf)
    CHECK(terminal_char_width(0x200D) == 0);  // zero width joiner
    CHECK(terminal_char_width(0xFE0F) == 0);  // variation selector 16
    CHECK(terminal_char_width(0x1160) == 0);  // Hangul medial vowel filler
    CHECK(terminal_char_width(0x4E2D) == 2);  // 中
    CHECK(terminal_char_width(0xAC00) == 2);  // 가
    CHECK(terminal_char_width(0xFF21) == 2);  // fullwidth A (F)
    CHECK(terminal_char_width(0x3000) == 2);  // ideographic space
    CHECK(terminal_char_width(0x1F600) == 2); // 😀 Emoji_Presentation
    CHECK(terminal_char_width(0x2764) == 1);  // ❤ text by default
    CHECK(terminal_char_width(0x3FFFD) == 2); // plane 3 defaults to W
    CHECK(terminal_char_width(0x0410) == 1);  // Cyrillic
    CHECK(terminal_char_width(0x2500) == 1);  // box drawing
    CHECK(terminal_emoji_vs16_base(0x2764));
    CHECK_FALSE(terminal_emoji_vs16_base('a'));
}

TEST_CASE("terminal: wide characters take two cells and wrap before the last column", "[terminal]") {
    Vt v(5, 3);
    v << "a\xE4\xB8\xAD"
         "b";
    CHECK(v.line(0) == "a#>b ");
    CHECK(v.at(1, 0).codepoint == 0x4E2D);
    CHECK(v.at(1, 0).attrs == kAttrWide);
    CHECK(v.at(2, 0).codepoint == 0);
    CHECK(v.at(2, 0).attrs == kAttrWideTail);
    CHECK(v.cursor() == P{4, 0});
    v << "\xE4\xB8\xAD"; // at the last column: wraps first, the column stays
    CHECK(v.text() == "a#>b |#>   |     ");
    CHECK(v.cursor() == P{2, 1});
    v << "\xE4\xB8\xAD";
    CHECK(v.line(1) == "#>#> ");
    CHECK(v.cursor() == P{4, 1});
    CHECK_FALSE(v.t.pending_wrap());
    // Overwriting either half blanks the other.
    v << "\x1B[1;3HX";
    CHECK(v.line(0) == "a Xb ");
    v << "\x1B[2;1HY";
    CHECK(v.line(1) == "Y #> ");
    // Without autowrap a wide character takes the last two columns.
    v << "\x1B[?7l\x1B[3;5H\xE4\xB8\xAD";
    CHECK(v.line(2) == "   #>");
    CHECK(v.cursor() == P{4, 2});
    // Erasing, inserting and deleting split no wide character.
    Vt e(6, 1);
    e << "\xE4\xB8\xAD\xE4\xB8\xAD\xE4\xB8\xAD\x1B[1;2H\x1B[K";
    CHECK(e.line(0) == "      ");
    e << "\r\xE4\xB8\xAD\xE4\xB8\xAD\xE4\xB8\xAD\x1B[1;4H\x1B[P";
    CHECK(e.line(0) == "#> #> "); // the split character is blanked, the rest moves left
    e << "\r\xE4\xB8\xAD\xE4\xB8\xAD\xE4\xB8\xAD\x1B[1;2H\x1B[@";
    CHECK(e.line(0) == "   #> ");
    Vt one(1, 2); // no room for two cells at all: one cell
    one << "\xE4\xB8\xAD";
    CHECK(one.at(0, 0).codepoint == 0x4E2D);
    CHECK(one.at(0, 0).attrs == 0);
}

TEST_CASE("terminal: a line attribute that mends a broken wide pair marks its row dirty", "[terminal]") {
    Vt v(8, 2);
    v << "ab\xE4\xB8\xADz";
    REQUIRE(v.line(0) == "ab#>z   ");
    // A tail without its first half (cells written from outside, as the
    // renderer's tests do): DECDWL mends the row, and the renderer must see it.
    const_cast<Cell*>(v.t.row(0))[2] = Cell{'q', 0xFFFFFF, 0, 0, 0, {0, 0}};
    v.t.clear_damage();
    v << "\x1B[1;1H\x1B#5"; // DECSWL on a single-width row: the attribute does not change
    CHECK(v.line(0) == "abq z   ");
    CHECK(v.t.row_dirty(0));
    CHECK_FALSE(v.t.row_dirty(1));
    // Nothing to mend and no change of attribute: nothing to redraw.
    v.t.clear_damage();
    v << "\x1B[2;1H\x1B#5";
    CHECK_FALSE(v.t.row_dirty(1));
}

TEST_CASE("terminal: combining marks join the previous cell, two at most", "[terminal]") {
    Vt v(6, 2);
    v << "e\xCC\x81x"; // e + U+0301
    CHECK(v.line(0) == "ex    ");
    CHECK(v.at(0, 0).marks[0] == 0x301);
    CHECK(v.cursor() == P{2, 0});
    v << "\xCC\x80\xCC\x82\xCC\x83"; // three marks on x: the third dropped
    CHECK(v.at(1, 0).marks[0] == 0x300);
    CHECK(v.at(1, 0).marks[1] == 0x302);
    v << "\r\n\xCC\x81"; // nothing before it: dropped
    CHECK(v.line(1) == "      ");
    v << "\xE4\xB8\xAD\xCC\x81"; // on a wide character: on its first cell
    CHECK(v.at(0, 1).marks[0] == 0x301);
    CHECK(v.at(1, 1).marks[0] == 0);
    v << "\x1B[1;6Hz\xCC\x81"; // a pending wrap: the mark goes on the last column
    CHECK(v.at(5, 0).marks[0] == 0x301);
    CHECK(v.t.pending_wrap());
    v << "\xE2\x80\x8B"; // U+200B zero width: a mark too
    CHECK(v.at(5, 0).marks[1] == 0x200B);
}

TEST_CASE("terminal: an emoji presentation sequence takes two cells", "[terminal]") {
    Vt v(4, 2);
    v << "\xE2\x9D\xA4\xEF\xB8\x8F"
         "a"; // U+2764 U+FE0F
    CHECK(v.at(0, 0).codepoint == 0x2764);
    CHECK(v.at(0, 0).attrs == kAttrWide);
    CHECK(v.at(0, 0).marks[0] == 0xFE0F);
    CHECK(v.at(1, 0).attrs == kAttrWideTail);
    CHECK(v.line(0) == "#>a ");
    v << "\r\n\xE2\x9D\xA4"
         "b";
    CHECK(v.line(1) == "#b  "); // without U+FE0F: one cell
    v << "\x1B[1;4H\xE2\x9D\xA4\xEF\xB8\x8F"; // no room at the last column: stays one cell
    CHECK(v.at(3, 0).attrs == 0);
}

TEST_CASE("terminal: character sets SCS SO SI LS2 LS3 SS2 and DEC special graphics", "[terminal]") {
    Vt v(12, 2);
    v << "\x1B(0lqkx\x1B(Bq";
    CHECK(v.at(0, 0).codepoint == 0x250C);
    CHECK(v.at(1, 0).codepoint == 0x2500);
    CHECK(v.at(2, 0).codepoint == 0x2510);
    CHECK(v.at(3, 0).codepoint == 0x2502);
    CHECK(v.at(4, 0).codepoint == 'q');
    v << "\x1B)0\x0Ej\x0Fj";   // G1 special graphics via SO, back with SI
    CHECK(v.at(5, 0).codepoint == 0x2518);
    CHECK(v.at(6, 0).codepoint == 'j');
    v << "\x1B*A\x1Bn#\x1B+0\x1Bo`\x0F#"; // G2 UK via LS2, G3 graphics via LS3
    CHECK(v.at(7, 0).codepoint == 0xA3);
    CHECK(v.at(8, 0).codepoint == 0x25C6);
    CHECK(v.at(9, 0).codepoint == '#');
    v << "\x1BNa#"; // SS2: one character from G2 (UK: a unchanged), then G0
    CHECK(v.at(10, 0).codepoint == 'a');
    CHECK(v.at(11, 0).codepoint == '#');
    v << "\r\n\x1B(0~_\x1B(%5x\x1B"
         "7\x1B(Bx\x1B"
         "8x"; // an unknown set leaves G0; DECSC saves it
    CHECK(v.at(0, 1).codepoint == 0xB7);
    CHECK(v.at(1, 1).codepoint == 0x2426);
    CHECK(v.at(2, 1).codepoint == 0x2502);
    CHECK(v.at(3, 1).codepoint == 0x2502); // the x in ASCII, overwritten after DECRC restored G0
    CHECK(v.cursor() == P{4, 1});
    v << "\x1B"
         "cq"; // RIS: ASCII again
    CHECK(v.at(0, 0).codepoint == 'q');
}

TEST_CASE("terminal: tab stops HTS TBC CHT CBT", "[terminal]") {
    Vt v(30, 2);
    CHECK(v.t.tab_stop(0));
    CHECK(v.t.tab_stop(8));
    CHECK_FALSE(v.t.tab_stop(3));
    v << "\x1B[4G\x1BH\r\tA";
    CHECK(v.cursor() == P{4, 0});
    v << "\x1B[3g\r\tB"; // all cleared: to the last column
    CHECK(v.cursor() == P{29, 0});
    v << "\x1B[5G\x1BH\x1B[12G\x1BH\x1B[20G\x1BH\r\x1B[2IC";
    CHECK(v.at(11, 0).codepoint == 'C');
    v << "\x1B[12G\x1B[g\r\x1B[2ID"; // TBC 0 clears the stop at the cursor
    CHECK(v.at(19, 0).codepoint == 'D');
    v << "\x1B[Z";
    CHECK(v.cursor() == P{19, 0});
    v << "\x1B[Z";
    CHECK(v.cursor() == P{4, 0});
    v << "\x1B[9Z";
    CHECK(v.cursor() == P{0, 0});
    v << "\x1B"
         "c";
    CHECK(v.t.tab_stop(16));
    CHECK_FALSE(v.t.tab_stop(4));
    // HT at the right margin keeps the pending wrap (xterm).
    Vt w(80, 3);
    w << "\x1B[1;78Habc\tX";
    CHECK(w.at(0, 1).codepoint == 'X');
    CHECK(w.at(79, 0).codepoint == 'c');
}

TEST_CASE("terminal: insert mode IRM and newline mode LNM", "[terminal]") {
    Vt v(6, 3);
    v << "abcdef\r\x1B[4hXY\x1B[4lZ";
    CHECK(v.line(0) == "XYZbcd");
    CHECK(v.t.insert_mode() == false);
    v << "\x1B[2;1H\xE4\xB8\xAD\xE4\xB8\xAD\xE4\xB8\xAD\r\x1B[4hQ"; // the last wide character is pushed out
    CHECK(v.line(1) == "Q#>#> ");
    v << "\x1B[4l\x1B[20h\x1B[1;3H\nW";
    CHECK(v.cursor() == P{1, 1});
    v << "\x1B[20l\nV";
    CHECK(v.cursor() == P{2, 2}); // without LNM: stays in column
}

TEST_CASE("terminal: origin mode DECOM", "[terminal]") {
    Vt v(10, 6);
    v << "\x1B[2;4r\x1B[?6h";
    CHECK(v.t.origin_mode());
    CHECK(v.cursor() == P{0, 1});
    v << "\x1B[1;1HA\x1B[9;1HB";
    CHECK(v.at(0, 1).codepoint == 'A');
    CHECK(v.at(0, 3).codepoint == 'B'); // kept inside the region
    v << "\x1B[2dC";
    CHECK(v.at(1, 2).codepoint == 'C');
    v << "\x1B[?6l";
    CHECK(v.cursor() == P{0, 0});
    v << "\x1B[6;1HD";
    CHECK(v.at(0, 5).codepoint == 'D');
}

TEST_CASE("terminal: reverse screen and cursor styles", "[terminal]") {
    Vt v(4, 2);
    CHECK_FALSE(v.t.reverse_screen());
    v.t.clear_damage();
    v << "\x1B[?5h";
    CHECK(v.t.reverse_screen());
    CHECK(v.t.row_dirty(0));
    CHECK(v.t.row_dirty(1));
    v << "\x1B[?5l";
    CHECK_FALSE(v.t.reverse_screen());
    CHECK(v.t.cursor_style() == 0);
    v << "\x1B[4 q";
    CHECK(v.t.cursor_style() == 4);
    v << "\x1B[6 q";
    CHECK(v.t.cursor_style() == 6);
    v << "\x1B[7 q"; // out of range: ignored
    CHECK(v.t.cursor_style() == 6);
    v << "\x1B[ q";
    CHECK(v.t.cursor_style() == 0);
    v << "\x1B[3 q\x1B"
         "c";
    CHECK(v.t.cursor_style() == 0);
}

TEST_CASE("terminal: the alternate screen 1049 1047 47 1048", "[terminal]") {
    Vt v(6, 3);
    std::unique_ptr<Cell[]> history(new Cell[6 * 8]);
    v.t.set_history(history.get(), 8);
    v << "main\x1B[2;3H\x1B[31m\x1B[?1049h";
    CHECK(v.t.alt_screen());
    CHECK(v.text() == "      |      |      ");
    CHECK(v.cursor() == P{2, 1});
    v << "\x1B[Halt\r\n1\r\n2\r\n3\r\n4"; // scrolls: nothing kept in the history
    CHECK(v.t.history_lines() == 0);
    v.t.scroll_view(3);
    CHECK(v.t.view_offset() == 0);
    v << "\x1B[?1049l";
    CHECK_FALSE(v.t.alt_screen());
    CHECK(v.line(0) == "main  ");
    CHECK(v.cursor() == P{2, 1});
    v << "x";
    CHECK(v.at(2, 1).fg == v.cfg.palette[1]); // the pen was saved too
    // 47: switches without clearing; 1047 clears the alternate screen on leaving.
    v << "\x1B[?47hA\x1B[?47l\x1B[?47h";
    CHECK(v.at(3, 1).codepoint == 'A');
    v << "\x1B[?1047l\x1B[?1047h";
    CHECK(v.at(3, 1).codepoint == ' ');
    v << "\x1B[?1047l\x1B[1;1H\x1B[?1048h\x1B[3;4H\x1B[?1048l";
    CHECK(v.cursor() == P{0, 0});
    // Without memory for it, the alternate screen is ignored.
    Vt n(6, 2, false);
    n << "keep\x1B[?1049h";
    CHECK_FALSE(n.t.alt_screen());
    CHECK(n.line(0) == "keep  ");
    // RIS returns to the main screen.
    v << "\x1B[?1049h\x1B"
         "c";
    CHECK_FALSE(v.t.alt_screen());
}

TEST_CASE("terminal: DECALN and line attributes", "[terminal]") {
    Vt v(6, 4);
    v << "\x1B[2;3r\x1B[3;3H\x1B#8";
    CHECK(v.text() == "EEEEEE|EEEEEE|EEEEEE|EEEEEE");
    CHECK(v.cursor() == P{0, 0});
    CHECK(v.t.scroll_top() == 0);
    CHECK(v.t.scroll_bottom() == 4);
    v << "\x1B[2;1H\x1B#6\x1B[3;1H\x1B#3\x1B[4;1H\x1B#4";
    CHECK(v.t.line_attr(0) == LineAttr::Normal);
    CHECK(v.t.line_attr(1) == LineAttr::DoubleWidth);
    CHECK(v.t.line_attr(2) == LineAttr::DoubleTop);
    CHECK(v.t.line_attr(3) == LineAttr::DoubleBottom);
    v << "\x1B[2;1H\x1B[99C"; // half the columns on a double-width line
    CHECK(v.cursor() == P{2, 1});
    v << "abcd";
    CHECK(v.line(1) == "EEaEEE"); // the wrap comes at the third column
    CHECK(v.line(2) == "bcdEEE");
    // The attribute moves with its row; rows scrolled in are Normal.
    v << "\x1B[4;1H\n";
    CHECK(v.t.line_attr(0) == LineAttr::DoubleWidth);
    CHECK(v.t.line_attr(1) == LineAttr::DoubleTop);
    CHECK(v.t.line_attr(3) == LineAttr::Normal);
    v << "\x1B[1;1H\x1B#5";
    CHECK(v.t.line_attr(0) == LineAttr::Normal);
    // History rows are Normal; ED 2 makes every line Normal.
    std::unique_ptr<Cell[]> history(new Cell[6 * 4]);
    Vt h(6, 2);
    h.t.set_history(history.get(), 4);
    h << "\x1B#6\r\n\n\n";
    h.t.set_view(2);
    CHECK(h.t.line_attr(0) == LineAttr::Normal);
    h.t.set_view(0);
    h << "\x1B[1;1H\x1B#6\x1B[2J";
    CHECK(h.t.line_attr(0) == LineAttr::Normal);
}

TEST_CASE("terminal: REP HPR VPR DECIC DECDC DECSED DECSEL", "[terminal]") {
    Vt v(8, 4);
    v << "ab\x1B[3bc";
    CHECK(v.line(0) == "abbbbc  ");
    v << "\x1B[2;1H\x1B[3aX\x1B[2eY";
    CHECK(v.at(3, 1).codepoint == 'X');
    CHECK(v.at(4, 3).codepoint == 'Y');
    Vt d(5, 3);
    d << "abcde\r\nfghij\r\nklmno\x1B[2;3r\x1B[2;2H\x1B[2'}";
    CHECK(d.text() == "abcde|f  gh|k  lm");
    d << "\x1B[1'~";
    CHECK(d.text() == "abcde|f gh |k lm ");
    d << "\x1B[1;3H\x1B[?K";
    CHECK(d.line(0) == "ab   ");
    d << "\x1B[?2J";
    CHECK(d.text() == "     |     |     ");
}

TEST_CASE("terminal: SGR attributes, underline styles and colour, sub-parameters", "[terminal]") {
    Vt v(40, 2);
    const auto& pal = v.cfg.palette;
    auto a = [&](uint32_t x) { return v.at(x, 0).attrs; };
    v << "\x1B[2ma\x1B[3mb\x1B[5mc\x1B[8md\x1B[9me\x1B[22;23;25;28;29mf\x1B[6mg\x1B[0m";
    CHECK(a(0) == kAttrDim);
    CHECK(a(1) == (kAttrDim | kAttrItalic));
    CHECK(a(2) == (kAttrDim | kAttrItalic | kAttrBlink));
    CHECK(a(3) == (kAttrDim | kAttrItalic | kAttrBlink | kAttrInvisible));
    CHECK(a(4) == (kAttrDim | kAttrItalic | kAttrBlink | kAttrInvisible | kAttrStrike));
    CHECK(a(5) == 0);
    CHECK(a(6) == kAttrBlink);
    v << "\r\x1B[21ma\x1B[4mb\x1B[4:2mc\x1B[4:3md\x1B[4:4me\x1B[4:5mf\x1B[4:0mg\x1B[4:1mh\x1B[24mi";
    CHECK(a(0) == kAttrDoubleUnderline);
    CHECK(a(1) == kAttrUnderline);
    CHECK(a(2) == kAttrDoubleUnderline);
    CHECK(a(3) == kAttrCurlyUnderline);
    CHECK(a(4) == kAttrUnderline);
    CHECK(a(5) == kAttrUnderline);
    CHECK(a(6) == 0);
    CHECK(a(7) == kAttrUnderline);
    CHECK(a(8) == 0);
    // The issue's cases.
    v << "\r\x1B[0;31;4mX\x1B[4:0mY";
    CHECK(v.at(1, 0).fg == pal[1]);
    CHECK(v.at(1, 0).attrs == 0);
    v << "\x1B[0m\x1B[38:2::255:0:0mZ\x1B[38:2:0:255:0mW\x1B[38:5:21mV";
    CHECK(v.at(2, 0).fg == 0xff0000);
    CHECK(v.at(3, 0).fg == 0x00ff00);
    CHECK(v.at(4, 0).fg == 0x0000ff);
    v << "\x1B[0;1;32m\x1B[58:2::255:0:0mU";
    CHECK(v.at(5, 0).fg == pal[10]);
    CHECK(v.at(5, 0).attrs == (kAttrBold | kAttrUnderlineColor));
    CHECK(v.at(5, 0).underline == 0xff0000);
    v << "\x1B[58;5;2mT\x1B[59mS";
    CHECK(v.at(6, 0).underline == pal[2]);
    CHECK(v.at(7, 0).attrs == kAttrBold);
    v << "\x1B[0m\x1B[38;9;1mR";
    CHECK(v.at(8, 0).attrs == kAttrBold);
    // Bold brightens 30-37 only, not 38;5;0-7.
    v << "\x1B[0;1;38;5;1mQ\x1B[31mP";
    CHECK(v.at(9, 0).fg == pal[1]);
    CHECK(v.at(10, 0).fg == pal[9]);
    v << "\x1B[0;1:2;3mO"; // sub-parameters of other codes are ignored, not read as codes
    CHECK(v.at(11, 0).attrs == (kAttrBold | kAttrItalic));
}

TEST_CASE("terminal: DECSTR soft reset", "[terminal]") {
    Vt v(6, 4);
    v << "\x1B[2;3r\x1B[4h\x1B[?6h\x1B[1m\x1B(0\x1B[!p";
    CHECK_FALSE(v.t.insert_mode());
    CHECK_FALSE(v.t.origin_mode());
    CHECK(v.t.scroll_bottom() == 4);
    v << "\x1B[Hq";
    CHECK(v.at(0, 0).codepoint == 'q');
    CHECK(v.at(0, 0).attrs == 0);
}

TEST_CASE("terminal: damage stays exact with wide characters, the alternate screen and line attributes",
          "[terminal]") {
    Vt v(8, 4);
    v.t.clear_damage();
    v << "\x1B[2;1H\xE4\xB8\xAD\xCC\x81";
    for (uint32_t y = 0; y < 4; ++y)
        CHECK(v.t.row_dirty(y) == (y == 1));
    v.t.clear_damage();
    v << "\x1B[3;1H\x1B#6";
    for (uint32_t y = 0; y < 4; ++y)
        CHECK(v.t.row_dirty(y) == (y == 2));
    v.t.clear_damage();
    v << "\x1B[?1049h";
    for (uint32_t y = 0; y < 4; ++y)
        CHECK(v.t.row_dirty(y));
    v.t.clear_damage();
    v << "\x1B[1;1H\x1B[2'}";
    for (uint32_t y = 0; y < 4; ++y)
        CHECK(v.t.row_dirty(y));
}

TEST_CASE("terminal: random VT input with the new states stays inside the grid", "[terminal][fuzz]") {
    static const char* fragments[] = {
        "\x1B[",  "\x1B",   ";",      ":",        "0",        "1",       "2",      "4",      "6",      "9",
        "99999",  "38:2::", "58;5;",  "?1049",    "?47",      "?1047",   "?1048",  "?6",     "?5",     "?7",
        "20",     "h",      "l",      "m",        "H",        "J",       "K",      "@",      "P",      "X",
        "b",      "a",      "e",      "I",        "Z",        "g",       "' }",    "'}",     "'~",     " q",
        "!p",     "r",      "S",      "T",        "L",        "M",       "\n",     "\r",     "\t",     "\b",
        "\x0E",   "\x0F",   "\x1B(0", "\x1B)0",   "\x1B(B",   "\x1B#8",  "\x1B#6", "\x1B#3", "\x1B#5", "\x1BH",
        "\x1BN",  "\x1Bn",  "\x1B" "7", "\x1B" "8", "\x1B" "c", "lqkx",
        "\xE4\xB8\xAD", "\xF0\x9F\x98\x80", "\xCC\x81", "\xEF\xB8\x8F", "\xE2\x9D\xA4", "\xE2\x80\x8B",
        "\xC3",   "\x80",   "?"};
    constexpr uint32_t known = kAttrBold | kAttrUnderline | kAttrReverse | kAttrDim | kAttrItalic | kAttrStrike |
                               kAttrInvisible | kAttrBlink | kAttrDoubleUnderline | kAttrCurlyUnderline |
                               kAttrWide | kAttrWideTail | kAttrUnderlineColor;
    struct Size {
        uint32_t cols, rows;
    };
    for (Size size : {Size{1, 1}, Size{2, 3}, Size{80, 25}, Size{7, 3}, Size{133, 2}}) {
        INFO(size.cols << "x" << size.rows);
        std::mt19937 rng(777 + size.cols);
        Vt v(size.cols, size.rows);
        std::unique_ptr<Cell[]> history(new Cell[size_t(size.cols) * 16]);
        v.t.set_history(history.get(), 16);
        std::string chunk;
        for (int round = 0; round < 400; ++round) {
            chunk.clear();
            while (chunk.size() < 800)
                chunk += fragments[rng() % (sizeof fragments / sizeof *fragments)];
            v << chunk;
            REQUIRE(v.t.cursor_x() < size.cols);
            REQUIRE(v.t.cursor_y() < size.rows);
            REQUIRE(v.t.scroll_top() < v.t.scroll_bottom());
            REQUIRE(v.t.scroll_bottom() <= size.rows);
            REQUIRE(v.t.cursor_style() <= 6);
            if (round % 7 == 0) v.t.scroll_view(int64_t(rng() % 5) - 2);
            for (uint32_t y = 0; y < size.rows; ++y) {
                const Cell* r = v.t.view_row(y);
                for (uint32_t x = 0; x < size.cols; ++x) {
                    REQUIRE(r[x].codepoint <= 0x10FFFF);
                    REQUIRE((r[x].attrs & ~known) == 0);
                    if (r[x].attrs & kAttrWide) REQUIRE((x + 1 < size.cols && (r[x + 1].attrs & kAttrWideTail)));
                    if (r[x].attrs & kAttrWideTail) REQUIRE((x > 0 && (r[x - 1].attrs & kAttrWide)));
                }
            }
            if (rng() % 3 == 0) v.t.clear_damage();
        }
    }
}
