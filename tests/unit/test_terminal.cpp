// The terminal emulator (modules/fbcon/terminal.cpp): expected grid and
// cursor after each feature's sequences (behaviour as in xterm's ctlseqs),
// and malformed and random input that must never write outside the grid.
#include <catch2/catch.hpp>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "terminal.h"

using namespace celos::fbcon;

namespace {

struct Screen {
    uint32_t cols, rows;
    std::unique_ptr<Cell[]> cells; // exactly cols*rows: ASan sees any stray write
    Terminal t;
    TerminalConfig cfg;
    Screen(uint32_t c, uint32_t r, TerminalConfig config = terminal_default_config())
        : cols(c), rows(r), cells(new Cell[size_t(c) * r]), cfg(config) {
        REQUIRE(t.init(cells.get(), c, r, cfg));
    }
    Screen& operator<<(const std::string& s) {
        t.write(reinterpret_cast<const uint8_t*>(s.data()), s.size());
        return *this;
    }
    // Row y as text: ASCII as is, other code points as '#', trailing spaces kept.
    std::string line(uint32_t y) const {
        std::string s;
        for (uint32_t x = 0; x < cols; ++x) {
            uint32_t cp = t.cell(x, y).codepoint;
            s += cp < 0x80 ? char(cp) : '#';
        }
        return s;
    }
    std::string text() const {
        std::string s;
        for (uint32_t y = 0; y < rows; ++y)
            s += (y ? "|" : "") + line(y);
        return s;
    }
    std::vector<uint32_t> cps(uint32_t y, uint32_t n) const {
        std::vector<uint32_t> v;
        for (uint32_t x = 0; x < n; ++x)
            v.push_back(t.cell(x, y).codepoint);
        return v;
    }
    std::pair<uint32_t, uint32_t> cursor() const { return {t.cursor_x(), t.cursor_y()}; }
};

using P = std::pair<uint32_t, uint32_t>;
constexpr uint32_t R = 0xFFFD;

} // namespace

TEST_CASE("terminal: printing, CR, LF, BS, TAB, BEL", "[terminal]") {
    Screen s(10, 3);
    s << "abc";
    CHECK(s.line(0) == "abc       ");
    CHECK(s.cursor() == P{3, 0});
    s << "\rX";
    CHECK(s.line(0) == "Xbc       ");
    s << "\nY";
    CHECK(s.line(1) == " Y        "); // LF keeps the column
    s << "\b\bZ";
    CHECK(s.line(1) == "ZY        ");
    s << "\r\b\bQ";
    CHECK(s.line(1) == "QY        ");
    CHECK(s.cursor() == P{1, 1});
    s << "\r\tT";
    CHECK(s.line(1) == "QY      T ");
    s << "\t\t\tU";
    CHECK(s.line(1) == "QY      TU"); // TAB stops at the last column
    CHECK(s.t.bell_count() == 0);
    s << "\a\a";
    CHECK(s.t.bell_count() == 2);
    CHECK(s.line(1) == "QY      TU");

    TerminalConfig cr = terminal_default_config();
    cr.lf_implies_cr = true;
    Screen l(6, 2, cr);
    l << "ab\ncd";
    CHECK(l.text() == "ab    |cd    ");
}

TEST_CASE("terminal: UTF-8 decoding, malformed input becomes U+FFFD", "[terminal]") {
    auto row = [](const std::string& in, size_t n) {
        Screen s(12, 2);
        s << in;
        return s.cps(0, uint32_t(n));
    };
    using V = std::vector<uint32_t>;
    CHECK(row("a\xC3\xA9z", 3) == V{'a', 0xE9, 'z'});
    CHECK(row("\xE2\x82\xAC", 1) == V{0x20AC});
    CHECK(row("\xF0\x9F\x98\x80!", 3) == V{0x1F600, 0, '!'}); // wide: two cells
    CHECK(row("\xF4\x8F\xBF\xBF", 1) == V{0x10FFFF});
    CHECK(row("\x80"
              "a",
              2) == V{R, 'a'}); // lone continuation
    CHECK(row("\xBF\xBF", 3) == V{R, R, ' '});
    CHECK(row("\xC0\xAF"
              "a",
              3) == V{R, R, 'a'}); // overlong '/'
    CHECK(row("\xC1\xBF", 2) == V{R, R});
    CHECK(row("\xE0\x80\xAF", 3) == V{R, R, R});        // overlong, 3 bytes
    CHECK(row("\xF0\x80\x80\xAF", 4) == V{R, R, R, R}); // overlong, 4 bytes
    CHECK(row("\xED\xA0\x80", 3) == V{R, R, R});        // surrogate
    CHECK(row("\xF4\x90\x80\x80", 4) == V{R, R, R, R}); // past U+10FFFF
    CHECK(row("\xF5\xFF\xFE", 3) == V{R, R, R});
    CHECK(row("\xE2\x82"
              "A",
              2) == V{R, 'A'}); // cut sequence
    CHECK(row("\xC3\n", 1) == V{R});
    Screen s(5, 2);
    s << "\xC3\x1B[Cx"; // an escape inside a sequence: U+FFFD, then CUF
    CHECK(s.cps(0, 3) == std::vector<uint32_t>{R, ' ', 'x'});
}

TEST_CASE("terminal: wrap at the right margin is pending, like xterm", "[terminal]") {
    Screen s(5, 3);
    s << "abcde";
    CHECK(s.cursor() == P{4, 0});
    CHECK(s.t.pending_wrap());
    CHECK(s.line(1) == "     ");
    s << "f";
    CHECK(s.text() == "abcde|f    |     ");
    CHECK(s.cursor() == P{1, 1});
    s << "\rghijk\r"; // CR cancels the pending wrap
    CHECK(s.cursor() == P{0, 1});
    s << "X";
    CHECK(s.line(1) == "Xhijk");
    s << "\x1B[5GY\x1B[CZ"; // CUF at the margin stays; the pending wrap of Y is cancelled
    CHECK(s.line(1) == "XhijZ");
    CHECK(s.t.pending_wrap());

    Screen n(5, 2);
    n << "\x1B[?7labcdefg";
    CHECK(n.text() == "abcdg|     ");
    n << "\x1B[?7h\rabcdefg";
    CHECK(n.text() == "abcde|fg   ");
}

TEST_CASE("terminal: LF at the bottom scrolls", "[terminal]") {
    Screen s(4, 3);
    s << "1\r\n2\r\n3";
    s.t.clear_damage();
    s << "\r\n4";
    CHECK(s.text() == "2   |3   |4   ");
    CHECK(s.t.scroll_hint_lines() == 1);
    CHECK(s.t.scroll_hint_top() == 0);
    CHECK(s.t.scroll_hint_bottom() == 3);
    CHECK_FALSE(s.t.row_dirty(0));
    CHECK_FALSE(s.t.row_dirty(1));
    CHECK(s.t.row_dirty(2));
    s << "\r\n5\r\n6";
    CHECK(s.text() == "4   |5   |6   ");
    CHECK(s.t.scroll_hint_lines() == 0); // a full screen: everything dirty instead
    for (uint32_t y = 0; y < 3; ++y)
        CHECK(s.t.row_dirty(y));
    s << "\x1B"
         "D";
    CHECK(s.text() == "5   |6   |    ");
    s << "\x1B[HQ\x1B"
         "E";
    CHECK(s.cursor() == P{0, 1});
    s << "\x1B[H\x1BM"; // RI at the top scrolls down
    CHECK(s.text() == "    |Q   |6   ");
}

TEST_CASE("terminal: cursor movement CUU CUD CUF CUB CUP HVP CHA VPA CNL CPL", "[terminal]") {
    Screen s(10, 6);
    s << "\x1B[3;4H";
    CHECK(s.cursor() == P{3, 2});
    s << "\x1B[H";
    CHECK(s.cursor() == P{0, 0});
    s << "\x1B[2;5f";
    CHECK(s.cursor() == P{4, 1});
    s << "\x1B[99;99H";
    CHECK(s.cursor() == P{9, 5});
    s << "\x1B[0;0H";
    CHECK(s.cursor() == P{0, 0});
    s << "\x1B[B\x1B[2B";
    CHECK(s.cursor() == P{0, 3});
    s << "\x1B[A";
    CHECK(s.cursor() == P{0, 2});
    s << "\x1B[9A";
    CHECK(s.cursor() == P{0, 0});
    s << "\x1B[C\x1B[3C";
    CHECK(s.cursor() == P{4, 0});
    s << "\x1B[D\x1B[0D";
    CHECK(s.cursor() == P{2, 0});
    s << "\x1B[99D\x1B[99B";
    CHECK(s.cursor() == P{0, 5});
    s << "\x1B[7G";
    CHECK(s.cursor() == P{6, 5});
    s << "\x1B[2d";
    CHECK(s.cursor() == P{6, 1});
    s << "\x1B[2E";
    CHECK(s.cursor() == P{0, 3});
    s << "\x1B[5G\x1B[F";
    CHECK(s.cursor() == P{0, 2});
    s << "\x1B[99999999999999999999A\x1B[99999999999C";
    CHECK(s.cursor() == P{9, 0});
    s << "\x1B[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;19;20H";
    CHECK(s.cursor() == P{1, 0});
    CHECK(s.text() == std::string(10, ' ') + "|" + std::string(10, ' ') + "|" + std::string(10, ' ') + "|" +
                          std::string(10, ' ') + "|" + std::string(10, ' ') + "|" + std::string(10, ' '));
}

TEST_CASE("terminal: erase ED EL ECH", "[terminal]") {
    auto filled = [] {
        auto s = std::make_unique<Screen>(4, 3);
        *s << "abcdefghijkl\x1B[2;2H";
        return s;
    };
    auto s = filled();
    CHECK(s->text() == "abcd|efgh|ijkl");
    *s << "\x1B[J";
    CHECK(s->text() == "abcd|e   |    ");
    s = filled();
    *s << "\x1B[0J";
    CHECK(s->text() == "abcd|e   |    ");
    s = filled();
    *s << "\x1B[1J";
    CHECK(s->text() == "    |  gh|ijkl");
    s = filled();
    *s << "\x1B[2J";
    CHECK(s->text() == "    |    |    ");
    CHECK(s->cursor() == P{1, 1}); // ED does not move the cursor
    s = filled();
    *s << "\x1B[K";
    CHECK(s->text() == "abcd|e   |ijkl");
    s = filled();
    *s << "\x1B[1K";
    CHECK(s->text() == "abcd|  gh|ijkl");
    s = filled();
    *s << "\x1B[2K";
    CHECK(s->text() == "abcd|    |ijkl");
    s = filled();
    *s << "\x1B[X";
    CHECK(s->text() == "abcd|e gh|ijkl");
    s = filled();
    *s << "\x1B[2X";
    CHECK(s->text() == "abcd|e  h|ijkl");
    s = filled();
    *s << "\x1B[99X";
    CHECK(s->text() == "abcd|e   |ijkl");
    s = filled();
    *s << "\x1B[41m\x1B[K"; // erase uses the current background
    CHECK(s->t.cell(3, 1).bg == s->cfg.palette[1]);
    CHECK(s->t.cell(0, 1).bg == s->cfg.default_bg);
}

TEST_CASE("terminal: insert and delete IL DL ICH DCH", "[terminal]") {
    auto filled = [] {
        auto s = std::make_unique<Screen>(4, 4);
        *s << "abcdefghijklmnop\x1B[2;2H";
        return s;
    };
    auto s = filled();
    *s << "\x1B[L";
    CHECK(s->text() == "abcd|    |efgh|ijkl");
    CHECK(s->cursor() == P{0, 1});
    s = filled();
    *s << "\x1B[2L";
    CHECK(s->text() == "abcd|    |    |efgh");
    s = filled();
    *s << "\x1B[9L";
    CHECK(s->text() == "abcd|    |    |    ");
    s = filled();
    *s << "\x1B[M";
    CHECK(s->text() == "abcd|ijkl|mnop|    ");
    s = filled();
    *s << "\x1B[2M";
    CHECK(s->text() == "abcd|mnop|    |    ");
    s = filled();
    *s << "\x1B[@";
    CHECK(s->text() == "abcd|e fg|ijkl|mnop");
    CHECK(s->cursor() == P{1, 1});
    s = filled();
    *s << "\x1B[2@";
    CHECK(s->text() == "abcd|e  f|ijkl|mnop");
    s = filled();
    *s << "\x1B[9@";
    CHECK(s->text() == "abcd|e   |ijkl|mnop");
    s = filled();
    *s << "\x1B[P";
    CHECK(s->text() == "abcd|egh |ijkl|mnop");
    s = filled();
    *s << "\x1B[2P";
    CHECK(s->text() == "abcd|eh  |ijkl|mnop");
    s = filled();
    *s << "\x1B[9P";
    CHECK(s->text() == "abcd|e   |ijkl|mnop");
    s = filled();
    *s << "\x1B[2;3r\x1B[3;1H\x1B[L"; // IL inside a region stops at its bottom
    CHECK(s->text() == "abcd|efgh|    |mnop");
    s = filled();
    *s << "\x1B[2;3r\x1B[4;1H\x1B[L"; // outside the region: nothing
    CHECK(s->text() == "abcd|efgh|ijkl|mnop");
}

TEST_CASE("terminal: DECSTBM scroll region", "[terminal]") {
    Screen s(3, 5);
    s << "aaa\r\nbbb\r\nccc\r\nddd\r\neee";
    s << "\x1B[2;4r";
    CHECK(s.cursor() == P{0, 0});
    CHECK(s.t.scroll_top() == 1);
    CHECK(s.t.scroll_bottom() == 4);
    s.t.clear_damage();
    s << "\x1B[4;1H\nXXX";
    CHECK(s.text() == "aaa|ccc|ddd|XXX|eee");
    CHECK(s.t.scroll_hint_lines() == 1);
    CHECK(s.t.scroll_hint_top() == 1);
    CHECK(s.t.scroll_hint_bottom() == 4);
    CHECK_FALSE(s.t.row_dirty(0));
    CHECK_FALSE(s.t.row_dirty(1));
    CHECK(s.t.row_dirty(3));
    CHECK_FALSE(s.t.row_dirty(4));
    s << "\x1B[3;1H\x1B[9A";
    CHECK(s.cursor() == P{0, 1}); // CUU stops at the region's top
    s << "\x1B[9B";
    CHECK(s.cursor() == P{0, 3});
    s << "\x1B[5;1H\n\n";
    CHECK(s.cursor() == P{0, 4}); // below the region: LF at the last row does not scroll
    CHECK(s.text() == "aaa|ccc|ddd|XXX|eee");
    s << "\x1B[2;1H\x1BM"; // RI at the region's top
    CHECK(s.text() == "aaa|   |ccc|ddd|eee");
    s << "\x1B[S";
    CHECK(s.text() == "aaa|ccc|ddd|   |eee");
    s << "\x1B[T";
    CHECK(s.text() == "aaa|   |ccc|ddd|eee");
    s << "\x1B[4;2r\x1B[3;3r\x1B[0;9r"; // invalid ones ignored, then clamped to the screen
    CHECK(s.t.scroll_top() == 0);
    CHECK(s.t.scroll_bottom() == 5);
    s << "\x1B[r";
    CHECK(s.t.scroll_bottom() == 5);
}

TEST_CASE("terminal: SGR colours and attributes", "[terminal]") {
    Screen s(20, 1);
    const auto& pal = s.cfg.palette;
    auto cell = [&](uint32_t x) { return s.t.cell(x, 0); };
    s << "a\x1B[31mb\x1B[1mc\x1B[22md\x1B[91me\x1B[44mf\x1B[104mg\x1B[39mh\x1B[49mi";
    CHECK(cell(0).fg == s.cfg.default_fg);
    CHECK(cell(0).bg == s.cfg.default_bg);
    CHECK(cell(1).fg == pal[1]);
    CHECK(cell(2).fg == pal[9]); // bold is bright
    CHECK(cell(2).attrs == kAttrBold);
    CHECK(cell(3).fg == pal[1]);
    CHECK(cell(3).attrs == 0);
    CHECK(cell(4).fg == pal[9]);
    CHECK(cell(5).bg == pal[4]);
    CHECK(cell(6).bg == pal[12]);
    CHECK(cell(7).fg == s.cfg.default_fg);
    CHECK(cell(7).bg == pal[12]);
    CHECK(cell(8).bg == s.cfg.default_bg);

    s << "\r\x1B[38;5;196ma\x1B[38;5;244mb\x1B[48;5;21mc\x1B[38;5;3md\x1B[38;2;1;2;3me\x1B[48;2;300;0;255mf";
    CHECK(cell(0).fg == 0xff0000);
    CHECK(cell(1).fg == 0x808080);
    CHECK(cell(2).bg == 0x0000ff);
    CHECK(cell(3).fg == pal[3]);
    CHECK(cell(4).fg == 0x010203);
    CHECK(cell(5).bg == 0xff00ff);
    s << "\x1B[0mg\x1B[4mh\x1B[7mi\x1B[24mj\x1B[27mk\x1B[1;4;7ml\x1B[mm";
    CHECK(cell(6).fg == s.cfg.default_fg);
    CHECK(cell(6).bg == s.cfg.default_bg);
    CHECK(cell(7).attrs == kAttrUnderline);
    CHECK(cell(8).attrs == (kAttrUnderline | kAttrReverse));
    CHECK(cell(9).attrs == kAttrReverse);
    CHECK(cell(10).attrs == 0);
    CHECK(cell(11).attrs == (kAttrBold | kAttrUnderline | kAttrReverse));
    CHECK(cell(12).attrs == 0);
    // Malformed extended colours: only the selector is dropped (xterm), the
    // codes after an unknown one still count (38;9;1;4 is bold, underlined).
    s << "\r\x1B[32;38;5mA\x1B[38;2;1;2mB\x1B[38;5;256mC\x1B[38;9;1;4mD";
    CHECK(cell(0).fg == pal[2]);
    CHECK(cell(1).fg == pal[2]);
    CHECK(cell(2).fg == pal[2]);
    CHECK(cell(3).fg == pal[10]);
    CHECK(cell(3).attrs == (kAttrBold | kAttrUnderline));
    s << "\r\x1B[1;2;3;5;8;9;53;31mE"; // unknown attributes ignored
    CHECK(cell(0).fg == pal[9]);
}

TEST_CASE("terminal: 256-colour table", "[terminal]") {
    auto cfg = terminal_default_config();
    CHECK(terminal_color256(cfg, 5) == cfg.palette[5]);
    CHECK(terminal_color256(cfg, 16) == 0x000000);
    CHECK(terminal_color256(cfg, 231) == 0xffffff);
    CHECK(terminal_color256(cfg, 16 + 36 * 1 + 6 * 2 + 3) == 0x5f87af);
    CHECK(terminal_color256(cfg, 232) == 0x080808);
    CHECK(terminal_color256(cfg, 255) == 0xeeeeee);
}

TEST_CASE("terminal: save and restore cursor, DECTCEM", "[terminal]") {
    Screen s(10, 4);
    s << "\x1B[2;3H\x1B[31m\x1B"
         "7\x1B[4;8H\x1B[0mx\x1B"
         "8y";
    CHECK(s.t.cell(2, 1).codepoint == 'y');
    CHECK(s.t.cell(2, 1).fg == s.cfg.palette[1]);
    CHECK(s.cursor() == P{3, 1});
    s << "\x1B[3;5H\x1B[s\x1B[H\x1B[u";
    CHECK(s.cursor() == P{4, 2});
    CHECK(s.t.cursor_visible());
    s << "\x1B[?25l";
    CHECK_FALSE(s.t.cursor_visible());
    s << "\x1B[?25h";
    CHECK(s.t.cursor_visible());
    s << "\x1B[?1;25l";
    CHECK_FALSE(s.t.cursor_visible());
    s << "\x1B"
         "c";
    CHECK(s.t.cursor_visible());
    CHECK(s.cursor() == P{0, 0});
}

TEST_CASE("terminal: unknown and malformed sequences are dropped", "[terminal]") {
    Screen s(12, 2);
    s << "\x1B[5xA";             // unknown CSI
    s << "\x1B]0;a title\aB";    // OSC ended by BEL
    s << "\x1B]2;t\x1B\\C";      // OSC ended by ST
    s << "\x1B(BD";              // charset designation
    s << "\x1B[?1049hE";         // unknown private mode
    s << "\x1B[ qF";             // intermediate byte
    s << "\x1B[3\x18G";          // CAN aborts
    s << "\x1B[>0cH";            // device attributes: no reply, dropped
    s << "\x1B[1;2;3\x1B[5xI";   // ESC restarts a sequence
    s << "\x1BPdcs data\x1B\\J"; // DCS
    s << "\x1B[1?2mK";           // private marker in the middle
    s << "\x1B[\xC3\xA9";        // a UTF-8 byte aborts the sequence
    CHECK(s.line(0) == "ABCDEFGHIJK#");
    CHECK(s.t.cell(11, 0).codepoint == 0xE9);
    CHECK(s.t.cell(0, 0).fg == s.cfg.default_fg);
    s << "\x1B[2;1H"
         "x\x1B[1\nC"; // controls inside a CSI run
    CHECK(s.cursor() == P{2, 1});
}

TEST_CASE("terminal: damage tracking", "[terminal]") {
    Screen s(8, 6);
    s.t.clear_damage();
    CHECK_FALSE(s.t.any_dirty());
    s << "\x1B[3;1Hx";
    CHECK(s.t.any_dirty());
    for (uint32_t y = 0; y < 6; ++y)
        CHECK(s.t.row_dirty(y) == (y == 2));
    s.t.clear_damage();
    s << "\x1B[6;1H\n\n";
    CHECK(s.t.scroll_hint_lines() == 2);
    for (uint32_t y = 0; y < 6; ++y)
        CHECK(s.t.row_dirty(y) == (y >= 4));
    s.t.clear_damage();
    s << "\x1B[3;1Hy\x1B[6;1H\n"; // row 2's damage moves up with the scroll
    for (uint32_t y = 0; y < 6; ++y)
        CHECK(s.t.row_dirty(y) == (y == 1 || y == 5));
    s.t.clear_damage();
    s << "\x1B[6;1H\n\x1B[2;4r\x1B[4;1H\n"; // an incompatible scroll: the first region is redrawn
    CHECK(s.t.scroll_hint_top() == 1);
    CHECK(s.t.scroll_hint_bottom() == 4);
    for (uint32_t y = 0; y < 6; ++y)
        CHECK(s.t.row_dirty(y));
}

TEST_CASE("terminal: random and malformed input stays inside the grid", "[terminal][fuzz]") {
    static const char* fragments[] = {
        "\x1B[", "\x1B",     ";",        "0",    "1",    "9", "99999", "38;5;", "48;2;", "?25",  "\x1B]",
        "\a",    "\x1B\\",   "m",        "H",    "J",    "K", "L",     "M",     "@",     "P",    "X",
        "r",     "S",        "T",        "A",    "B",    "C", "D",     "\n",    "\r",    "\t",   "\b",
        "\xC3",  "\xE2\x82", "\xF0\x9F", "\x80", "\xFF", "7", "8",     "s",     "u",     "\x18", "h",
        "l",     "?",        "E",        "M",    "c",    "d", "G",     "f",     ":",     " "};
    struct Size {
        uint32_t cols, rows;
    };
    for (Size size : {Size{1, 1}, Size{80, 25}, Size{7, 3}, Size{200, 2}}) {
        for (bool structured : {false, true}) {
            INFO(size.cols << "x" << size.rows << (structured ? " structured" : " random bytes"));
            std::mt19937 rng(12345 + size.cols * 7 + structured);
            Screen s(size.cols, size.rows);
            std::string chunk;
            size_t total = 0;
            while (total < 1000000) {
                chunk.clear();
                while (chunk.size() < 1000) {
                    if (structured && rng() % 2)
                        chunk += fragments[rng() % (sizeof fragments / sizeof *fragments)];
                    else
                        chunk += char(rng() & 0xFF);
                }
                s << chunk;
                total += chunk.size();
                REQUIRE(s.t.cursor_x() < size.cols);
                REQUIRE(s.t.cursor_y() < size.rows);
                REQUIRE(s.t.scroll_top() < s.t.scroll_bottom());
                REQUIRE(s.t.scroll_bottom() <= size.rows);
                if (s.t.scroll_hint_lines()) {
                    REQUIRE(s.t.scroll_hint_top() < s.t.scroll_hint_bottom());
                    REQUIRE(s.t.scroll_hint_bottom() <= size.rows);
                }
                if (rng() % 4 == 0) s.t.clear_damage();
            }
            constexpr uint32_t known = kAttrBold | kAttrUnderline | kAttrReverse | kAttrDim | kAttrItalic |
                                       kAttrStrike | kAttrInvisible | kAttrBlink | kAttrDoubleUnderline |
                                       kAttrCurlyUnderline | kAttrWide | kAttrWideTail | kAttrUnderlineColor;
            for (uint32_t y = 0; y < size.rows; ++y)
                for (uint32_t x = 0; x < size.cols; ++x) {
                    const Cell& c = s.t.cell(x, y);
                    REQUIRE(c.codepoint <= 0x10FFFF);
                    REQUIRE((c.attrs & ~known) == 0);
                    if (c.attrs & kAttrWide) REQUIRE((x + 1 < size.cols && (s.t.cell(x + 1, y).attrs & kAttrWideTail)));
                    if (c.attrs & kAttrWideTail) REQUIRE((x > 0 && (s.t.cell(x - 1, y).attrs & kAttrWide)));
                }
        }
    }
}

TEST_CASE("terminal: init refuses bad sizes", "[terminal]") {
    Cell c[4];
    Terminal t;
    auto cfg = terminal_default_config();
    CHECK_FALSE(t.init(nullptr, 2, 2, cfg));
    CHECK_FALSE(t.init(c, 0, 2, cfg));
    CHECK_FALSE(t.init(c, 2, 0, cfg));
    CHECK_FALSE(t.init(c, 2, Terminal::kMaxRows + 1, cfg));
    CHECK(t.init(c, 2, 2, cfg));
}

namespace {

std::string view_text(const Terminal& t, uint32_t y) {
    std::string s;
    const Cell* r = t.view_row(y);
    for (uint32_t x = 0; x < t.cols(); ++x)
        s += r[x].codepoint < 128 ? char(r[x].codepoint) : '#';
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
}

} // namespace

TEST_CASE("terminal: scrollback keeps the lines that leave the top, and the view pages through them",
          "[terminal]") {
    Screen s(8, 3);
    std::unique_ptr<Cell[]> history(new Cell[8 * 4]);
    s.t.set_history(history.get(), 4);
    s << "l0\r\nl1\r\nl2";
    CHECK(s.t.history_lines() == 0);
    s << "\r\nl3\r\nl4";
    CHECK(s.t.history_lines() == 2); // l0 and l1 left the screen
    CHECK(view_text(s.t, 0) == "l2");
    s.t.clear_damage();
    s.t.scroll_view(1);
    CHECK(s.t.view_offset() == 1);
    CHECK(s.t.row_dirty(0)); // a new view redraws everything
    CHECK_FALSE(s.t.cursor_visible()); // no cursor over history
    CHECK(view_text(s.t, 0) == "l1");
    CHECK(view_text(s.t, 1) == "l2");
    CHECK(view_text(s.t, 2) == "l3");
    s.t.scroll_view(100); // clamped to what is kept
    CHECK(s.t.view_offset() == 2);
    CHECK(view_text(s.t, 0) == "l0");
    s.t.scroll_view(-1);
    CHECK(view_text(s.t, 0) == "l1");
    // Output returns the view to the bottom.
    s << "!";
    CHECK(s.t.view_offset() == 0);
    CHECK(s.t.cursor_visible());
    CHECK(view_text(s.t, 2) == "l4!");
    // The ring keeps the newest 4: l2..l5 after three more lines.
    s << "\r\nl5\r\nl6\r\nl7\r\nl8";
    CHECK(s.t.history_lines() == 4);
    s.t.set_view(4);
    CHECK(view_text(s.t, 0) == "l2");
    CHECK(view_text(s.t, 1) == "l3");
    CHECK(view_text(s.t, 2) == "l4!");
    s.t.set_view(0);
    // A scroll region that does not start at the top keeps nothing.
    s << "\x1b[2;3r\x1b[3;1H\n\n";
    CHECK(s.t.history_lines() == 4);
    CHECK(view_text(s.t, 0) == "l6");
    // ED 3 forgets the scrollback.
    s << "\x1b[3J";
    CHECK(s.t.history_lines() == 0);
    s.t.scroll_view(5);
    CHECK(s.t.view_offset() == 0);
}

namespace {

// Chunk memory for a growing scrollback: counts what is live, and fails
// every allocation once `chunk_budget` chunks were handed out.
struct ChunkLedger {
    int live = 0, taken = 0, budget = 1 << 30;
    size_t last_count = 0;
};
ChunkLedger ledger;
Cell* ledger_allocate(size_t count) {
    if (ledger.taken >= ledger.budget) return nullptr;
    ++ledger.taken;
    ++ledger.live;
    ledger.last_count = count;
    return new Cell[count]();
}
void ledger_free(Cell* cells) {
    if (!cells) return;
    --ledger.live;
    delete[] cells;
}
const CellMemory kLedgerMemory{ledger_allocate, ledger_free};

std::string numbered_lines(int from, int to) {
    std::string s;
    for (int i = from; i < to; ++i)
        s += "\r\nl" + std::to_string(i);
    return s;
}

} // namespace

TEST_CASE("terminal: a scrollback taken as it fills keeps every line up to the lines asked for",
          "[terminal]") {
    ledger = {};
    {
        Screen s(8, 3);
        s.t.set_history(40, kLedgerMemory); // chunks of 16 rows: 3 of them, the last one partly used
        CHECK(ledger.taken == 1);          // only the first, at once
        CHECK(ledger.last_count == 16 * 8);
        CHECK(s.t.history_capacity() == 16);
        CHECK(s.t.history_wanted() == 40);
        s << "l0" << numbered_lines(1, 21); // l0..l17 leave the screen
        CHECK(s.t.history_lines() == 18);
        CHECK(ledger.taken == 2);
        CHECK(s.t.history_capacity() == 32);
        s.t.set_view(18);
        for (uint32_t y = 0; y < 3; ++y)
            CHECK(view_text(s.t, y) == "l" + std::to_string(y));
        s.t.set_view(3); // the newest kept rows just above the screen
        CHECK(view_text(s.t, 0) == "l15");
        CHECK(view_text(s.t, 2) == "l17");
        s.t.set_view(0);
        // Past 40 lines the oldest go: l0..l59 written, l17..l56 kept.
        s << numbered_lines(21, 60);
        CHECK(ledger.taken == 3);
        CHECK(s.t.history_capacity() == 40);
        CHECK(s.t.history_lines() == 40);
        s.t.set_view(40);
        CHECK(view_text(s.t, 0) == "l17");
        CHECK(view_text(s.t, 1) == "l18");
        s.t.set_view(1);
        CHECK(view_text(s.t, 0) == "l56");
        s.t.set_view(0);
        // ED 3 empties it; the chunks stay for the lines to come.
        s << "\x1b[3J" << numbered_lines(60, 70);
        CHECK(s.t.history_lines() == 10);
        CHECK(ledger.taken == 3);
        s.t.set_view(10); // the three rows ED 3 blanked went first
        CHECK(view_text(s.t, 0) == "");
        s.t.set_view(7);
        CHECK(view_text(s.t, 0) == "l60");
        // A new history gives the chunks back at once.
        s.t.set_history(8, kLedgerMemory);
        CHECK(ledger.live == 1);
        CHECK(s.t.history_capacity() == 8);
    }
    CHECK(ledger.live == 0); // and the terminal's end does too
}

TEST_CASE("terminal: a scrollback that cannot grow wraps over the chunks it has, in order", "[terminal]") {
    ledger = {};
    ledger.budget = 2;
    {
        Screen s(6, 2);
        s.t.set_history(100, kLedgerMemory); // chunks of 16: only 2 to be had
        s << "l0" << numbered_lines(1, 51);    // l0..l48 left the screen
        CHECK(ledger.taken == 2);
        CHECK(s.t.history_capacity() == 32);
        CHECK(s.t.history_lines() == 32);
        s.t.set_view(32);
        for (uint32_t y = 0; y < 2; ++y)
            CHECK(view_text(s.t, y) == "l" + std::to_string(17 + y));
        s.t.set_view(1);
        CHECK(view_text(s.t, 0) == "l48");
    }
    CHECK(ledger.live == 0);
    // Not even the first chunk: no scrollback, and nothing breaks.
    ledger = {};
    ledger.budget = 0;
    {
        Screen s(6, 2);
        s.t.set_history(100, kLedgerMemory);
        CHECK(s.t.history_capacity() == 0);
        s << "a\r\nb\r\nc\r\nd";
        CHECK(s.t.history_lines() == 0);
        s.t.scroll_view(3);
        CHECK(s.t.view_offset() == 0);
    }
    CHECK(ledger.live == 0);
}

TEST_CASE("terminal: without a history nothing is kept and the view stays", "[terminal]") {
    Screen s(4, 2);
    s << "a\r\nb\r\nc\r\nd";
    CHECK(s.t.history_lines() == 0);
    s.t.scroll_view(3);
    CHECK(s.t.view_offset() == 0);
    CHECK(view_text(s.t, 0) == "c");
}

TEST_CASE("terminal: write's shortcut for ASCII runs equals the parser byte by byte", "[terminal]") {
    // Streams rich in what the shortcut must step around: wide characters
    // at the row's end, charsets, insert mode, double-width lines, SGR, the
    // last column and its pending wrap, REP, the scrollback.
    static const char* fragments[] = {
        "hello world, a log line of text ", "0123456789", "x", "\r\n", "\n", "\t", "\b", "\x1B[1;31m", "\x1B[0m",
        "\x1B[4h", "\x1B[4l", "\x1B(0", "\x1B(B", "\x1B(A", "\x0E", "\x0F", "\x1BN", "\x1B#6", "\x1B#5",
        "\x1B#3", "\x1B[5b", "\x1B[?7l", "\x1B[?7h", "\x1B[10G", "\x1B[2;5H", "\x1B[K", "\x1B[3@", "\x1B[2P",
        "\xE4\xB8\xAD\xE6\x96\x87", "\xC3\xA9", "e\xCC\x81", "\x1B[2;3r", "\x1B[r", "\x1B[?1049h", "\x1B[?1049l",
        "\x1B[58:5:1m", "\x1B[7m", "#", "~", "_", "\x1B[999C", "\x1B[S", "\x1B[T", "\xE2\x94"};
    struct Size {
        uint32_t cols, rows;
    };
    for (Size size : {Size{1, 1}, Size{2, 3}, Size{9, 4}, Size{80, 25}}) {
        std::mt19937 rng(777 + size.cols);
        Screen fast(size.cols, size.rows), slow(size.cols, size.rows);
        std::unique_ptr<Cell[]> fast_alt(new Cell[size_t(size.cols) * size.rows]);
        std::unique_ptr<Cell[]> slow_alt(new Cell[size_t(size.cols) * size.rows]);
        fast.t.set_alt_cells(fast_alt.get());
        slow.t.set_alt_cells(slow_alt.get());
        std::unique_ptr<Cell[]> fast_history(new Cell[size_t(size.cols) * 16]);
        std::unique_ptr<Cell[]> slow_history(new Cell[size_t(size.cols) * 16]);
        fast.t.set_history(fast_history.get(), 16);
        slow.t.set_history(slow_history.get(), 16);
        for (int round = 0; round < 1500; ++round) {
            std::string chunk;
            for (int k = 1 + int(rng() % 6); k > 0; --k)
                chunk += fragments[rng() % (sizeof fragments / sizeof *fragments)];
            fast.t.write(reinterpret_cast<const uint8_t*>(chunk.data()), chunk.size());
            slow.t.write_bytewise(reinterpret_cast<const uint8_t*>(chunk.data()), chunk.size());
            INFO(size.cols << "x" << size.rows << " round " << round);
            REQUIRE(fast.cursor() == slow.cursor());
            REQUIRE(fast.t.history_lines() == slow.t.history_lines());
            for (uint32_t y = 0; y < size.rows; ++y) {
                REQUIRE(fast.t.row_dirty(y) == slow.t.row_dirty(y));
                REQUIRE(fast.t.line_attr(y) == slow.t.line_attr(y));
                for (uint32_t x = 0; x < size.cols; ++x) {
                    const Cell &a = fast.t.cell(x, y), &b = slow.t.cell(x, y);
                    REQUIRE(a.codepoint == b.codepoint);
                    REQUIRE(a.fg == b.fg);
                    REQUIRE(a.bg == b.bg);
                    REQUIRE(a.attrs == b.attrs);
                    REQUIRE(a.underline == b.underline);
                    REQUIRE(a.marks[0] == b.marks[0]);
                }
            }
            if (rng() % 3 == 0) {
                fast.t.clear_damage();
                slow.t.clear_damage();
            }
        }
        fast.t.set_view(16);
        slow.t.set_view(16);
        for (uint32_t y = 0; y < size.rows; ++y)
            for (uint32_t x = 0; x < size.cols; ++x)
                REQUIRE(fast.t.view_row(y)[x].codepoint == slow.t.view_row(y)[x].codepoint);
    }
}
