// Renders, on the host, the screen the framebuffer console shows after a
// boot: the serial log goes through the same console, terminal, renderer
// and font code as in the kernel (PSF, or TrueType: tt_font.cpp over
// FreeType built for the host from the same source and configuration),
// into a framebuffer of the same format; the result is written as a PPM the
// way QEMU's screendump writes it (8 bits per channel, channels widened by
// bit replication), for a pixel-for-pixel comparison.
//
//   render_log --font FILE.psf [--scale N] | --font FILE.ttf|.otf [--size N] [--hinting H]
//              --width W --height H --bpp 32|16 [--margin N] [--loglevel N]
//              (--log SERIAL.log | --raw SERIAL.bytes [--font-dir DIR]... [--fixed-font 1]) --out
//              EXPECTED.ppm
// The defaults are the modules' (scale 1; size 16, hinting light). --loglevel:
// the console's level (the kernel's quiet is 1, loglevel=N): the lines above
// it are not drawn, as the core does not pass them to the console.
//
// --log: the log's lines (as boot_test.py keeps them), up to the ready line.
// --raw: the serial port's bytes as they came, up to the screenshot: log
// lines and, between them, what programs wrote with celos_console_write
// (the shell), which the console shows too. On serial a log line is
// "[ssss.uuuuuu] text" ending in CR LF, its text without CR or LF; the
// serial port writes a program's LF as CR LF, and the shell ends its lines
// with CR LF, so its lines end in CR CR LF and a report that looks like a
// log line (dmesg) is not taken for one. The console switching fonts
// ("fbcon: font replaced: A -> B", or "cannot draw with font ...; 'A'
// kept") clears its screen and replays the log so far: so does this tool,
// with the font named in the line, found in the --font-dir folders
// ("truetype:FILE@SIZE" at that size, with --hinting; "psf:FILE" at the
// scale its cell width in the line gives), or
// with --fixed-font in the --font one throughout (what the screen would
// have been had the console kept its font).
//
// Faces and the fallback chain (issue 17), from the log as well: the
// truetype module's "bold face FILE for NAME" (also italic, bolditalic)
// gives the font NAME that face, opened and fitted as the module does,
// and draws the screen again (the faces are opened at first use, and fbcon
// draws everything again when they are);
// "font.fallback.N: NAME for the WxH cell (baseline B) of ..." opens NAME
// (truetype:FILE@SIZE) fitted to that cell, at most SIZE px, or, for
// "truetype:FILE (opened at first use)", a stand-in without glyphs; fbcon's
// "font chain: PRIMARY, A, B" hands the renderer A and B (found by those
// names) and draws the screen again, as fbcon does.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "console.h"
#include "psf_font.h"
#if CELOS_RENDER_TRUETYPE
#include "tt_font.h"
#endif

using namespace celos;

namespace {

[[noreturn]] void die(const std::string& why) {
    std::fprintf(stderr, "render_log: %s\n", why.c_str());
    std::exit(2);
}

std::vector<uint8_t> read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) die("cannot read " + path);
    std::vector<uint8_t> data(std::istreambuf_iterator<char>(f), {});
    if (data.size() < 2 || data[0] != 0x1f || data[1] != 0x8b) return data;
    // gzip'ed (a boot file X.gz on a module2 line as X): the kernel gets it
    // decompressed by GRUB.
    std::string command = "gzip -dc '" + path + "'";
    std::FILE* p = popen(command.c_str(), "r");
    if (!p) die("cannot run " + command);
    std::vector<uint8_t> out;
    uint8_t buf[65536];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
        out.insert(out.end(), buf, buf + n);
    if (pclose(p) != 0) die(path + ": gzip -dc failed");
    return out;
}

// "[    0.012345] warn: text" -> level, timestamp, text (after the tag).
bool parse_line(const std::string& line, int& level, uint64_t& ns, std::string& text) {
    if (line.size() < 16 || line[0] != '[') return false;
    size_t close = line.find("] ");
    if (close == std::string::npos) return false;
    std::string stamp = line.substr(1, close - 1);
    size_t dot = stamp.find('.');
    if (dot == std::string::npos) return false;
    uint64_t seconds = std::strtoull(stamp.substr(0, dot).c_str(), nullptr, 10);
    uint64_t micros = std::strtoull(stamp.substr(dot + 1).c_str(), nullptr, 10);
    ns = (seconds * 1000000 + micros) * 1000;
    text = line.substr(close + 2);
    level = 2;
    const struct {
        const char* tag;
        int level;
    } tags[] = {{"error: ", 0}, {"warn: ", 1}, {"debug: ", 3}};
    for (const auto& t : tags) {
        if (text.compare(0, std::strlen(t.tag), t.tag) == 0) {
            level = t.level;
            text = text.substr(std::strlen(t.tag));
            break;
        }
    }
    return true;
}

struct LogLine {
    int level = 2;
    uint64_t ns = 0;
    std::string text;
};

// The fonts, set up as the psf or the truetype module sets them up; each
// stays while the tool runs (the console may switch back to it).
class Fonts {
  public:
    Fonts(uint32_t scale, std::string hinting, std::vector<std::string> dirs)
        : scale_(scale), hinting_(std::move(hinting)), dirs_(std::move(dirs)) {}

    // A PSF font at `cell_width / its width` when cell_width is given, else at --scale.
    const celos_font_ops* open(const std::string& path, uint32_t size, uint32_t cell_width = 0) {
        auto held = std::make_unique<Held>();
        held->file = read_file(path);
        bool is_psf = path.size() > 4 && path.compare(path.size() - 4, 4, ".psf") == 0;
        if (is_psf) {
            if (const char* why = psf::parse(held->file.data(), held->file.size(), held->font)) die(path + ": " + why);
            uint32_t scale = cell_width && held->font.width ? cell_width / held->font.width : scale_;
            held->map.resize(psf::map_capacity(held->font) ? psf::map_capacity(held->font) : 1);
            size_t count = psf::map_build(held->font, held->map.data(), held->map.size());
            held->scratch.resize(psf::scratch_size(held->font, scale));
            if (const char* why = psf::service_init(held->service, held->font, held->map.data(), count, scale,
                                                    held->scratch.data(), held->scratch.size(), "host"))
                die(why);
            held->ops = &held->service.ops;
        } else {
#if CELOS_RENDER_TRUETYPE
            truetype::Hinting h;
            if (!truetype::parse_hinting(hinting_.c_str(), h))
                die("--hinting " + hinting_ + ": expected none, light or normal");
            std::string name = path.substr(path.rfind('/') + 1);
            if (name.size() > 3 && name.compare(name.size() - 3, 3, ".gz") == 0) name.resize(name.size() - 3);
            held->tt = std::make_unique<truetype::Font>();
            if (const char* why = held->tt->open(held->file.data(), held->file.size(), name.c_str(), size, h))
                die(why);
            held->ops = held->tt->ops();
#else
            (void)size;
            die(path + ": not a .psf, and render_log was built without the TrueType code (no FreeType source)");
#endif
        }
        held_.push_back(std::move(held));
        return held_.back()->ops;
    }

    // Every font asked for by name is this one.
    void fix(const celos_font_ops* font) { fixed_ = font; }

    // The path of boot file `file` in the --font-dir folders (or of
    // FILE.gz, shipped gzip'ed), or "".
    std::string find(const std::string& file) const {
        for (const char* suffix : {"", ".gz"})
            for (const std::string& dir : dirs_) {
                std::string path = dir + "/" + file + suffix;
                if (std::ifstream(path)) return path;
            }
        return "";
    }

#if CELOS_RENDER_TRUETYPE
    // The truetype module's "WHAT face FILE for NAME": the font NAME (held
    // here) gets that face, opened at its size and fitted to its cell.
    void add_face(const std::string& what, const std::string& file, const std::string& font_name) {
        uint32_t style = what == "bold"         ? CELOS_FONT_STYLE_BOLD
                         : what == "italic"     ? CELOS_FONT_STYLE_ITALIC
                         : what == "bolditalic" ? CELOS_FONT_STYLE_BOLD | CELOS_FONT_STYLE_ITALIC
                                                : 0;
        if (!style) die("unknown face '" + what + "'");
        for (auto& held : held_) {
            if (!held->tt || std::string(held->ops->name) != font_name) continue;
            std::string path = find(file);
            if (path.empty()) die(what + " face " + file + ": not in the --font-dir folders");
            auto face = std::make_unique<Held>();
            face->file = read_file(path);
            face->tt = std::make_unique<truetype::Font>(style_limits());
            if (const char* why = face->tt->open(face->file.data(), face->file.size(), file.c_str(),
                                                 held->tt->pixel_size(), hinting(), false))
                die(why);
            if (const char* why = face->tt->fit_cell(*held->ops, what.c_str())) die(why);
            face->ops = face->tt->ops();
            held->tt->set_style_face(style, face->tt.get());
            held_.push_back(std::move(face));
            return;
        }
    }

    // The truetype module's "font.fallback.N: truetype:FILE@SIZE for the
    // WxH cell (baseline B)": FILE fitted to that cell, at most SIZE px.
    void add_fallback(const std::string& name, uint32_t width, uint32_t height, uint32_t baseline) {
        static const std::string kLater = " (opened at first use)";
        if (name.size() > kLater.size() && name.compare(name.size() - kLater.size(), kLater.size(), kLater) == 0) {
            // The stand-in until the face opens: no glyph, a blank fallback.
            auto held = std::make_unique<Held>();
            held->name = name;
            held->stand_in.size = sizeof held->stand_in;
            held->stand_in.cell_width = width;
            held->stand_in.cell_height = height;
            held->stand_in.baseline = baseline;
            held->stand_in.name = held->name.c_str();
            held->stand_in.glyph = [](const celos_font_ops*, uint32_t, celos_glyph*) { return CELOS_FONT_NO_GLYPH; };
            held->stand_in.fallback = [](const celos_font_ops*, celos_glyph* out) {
                static const uint8_t blank = 0;
                *out = celos_glyph{&blank, 1, 0, 0, 0, 0, 0};
            };
            held->ops = &held->stand_in;
            fallbacks_.push_back(held->ops);
            held_.push_back(std::move(held));
            return;
        }
        size_t colon = name.find(':'), at = name.rfind('@');
        if (colon == std::string::npos || at == std::string::npos || at < colon)
            die("fallback '" + name + "': no size");
        std::string file = name.substr(colon + 1, at - colon - 1);
        uint32_t size = uint32_t(std::stoul(name.substr(at + 1)));
        std::string path = find(file);
        if (path.empty()) die("fallback " + file + ": not in the --font-dir folders");
        auto held = std::make_unique<Held>();
        held->file = read_file(path);
        held->tt = std::make_unique<truetype::Font>(fallback_limits());
        celos_font_ops cell{};
        cell.size = sizeof cell;
        cell.cell_width = width;
        cell.cell_height = height;
        cell.baseline = baseline;
        cell.name = "the log's cell";
        if (const char* why = held->tt->open_fallback(held->file.data(), held->file.size(), file.c_str(),
                                                      cell, size, hinting()))
            die(why);
        if (name != held->tt->ops()->name)
            die("fallback " + name + " opens here as " + held->tt->ops()->name);
        held->ops = held->tt->ops();
        fallbacks_.push_back(held->ops);
        held_.push_back(std::move(held));
    }
#endif

    // A fallback font add_fallback opened, by its name (the newest first).
    const celos_font_ops* fallback(const std::string& name) const {
        for (auto it = fallbacks_.rbegin(); it != fallbacks_.rend(); ++it)
            if (name == (*it)->name) return *it;
        die("font chain: no fallback font '" + name + "' seen in the log");
    }

    // A font by the name its provider gives it, "psf:FILE" (its scale from
    // the cell width), "truetype:FILE@SIZE".
    const celos_font_ops* by_name(const std::string& name, uint32_t cell_width) {
        if (fixed_) return fixed_;
        size_t colon = name.find(':');
        if (colon == std::string::npos) die("font name '" + name + "': no provider");
        std::string file = name.substr(colon + 1);
        uint32_t size = 16;
        if (name.compare(0, colon, "truetype") == 0) {
            size_t at = file.rfind('@');
            if (at == std::string::npos) die("font name '" + name + "': no size");
            size = uint32_t(std::stoul(file.substr(at + 1)));
            file = file.substr(0, at);
        }
        std::string path = find(file);
        if (path.empty()) die("font '" + name + "': no " + file + " in the --font-dir folders");
        return open(path, size, cell_width);
    }

  private:
    struct Held {
        std::vector<uint8_t> file;
        psf::Font font;
        std::vector<psf::MapEntry> map;
        std::vector<uint8_t> scratch;
        psf::FontService service;
#if CELOS_RENDER_TRUETYPE
        std::unique_ptr<truetype::Font> tt;
#endif
        std::string name;            // a stand-in's
        celos_font_ops stand_in{};   // a fallback font not opened yet
        const celos_font_ops* ops = nullptr;
    };
#if CELOS_RENDER_TRUETYPE
    truetype::Hinting hinting() const {
        truetype::Hinting h;
        if (!truetype::parse_hinting(hinting_.c_str(), h))
            die("--hinting " + hinting_ + ": expected none, light or normal");
        return h;
    }
    // The truetype module's limits for these faces (truetype_module.cpp).
    static truetype::CacheLimits style_limits() {
        truetype::CacheLimits limits;
        limits.table_slots = 256;
        limits.coverage_bytes = 256 * 1024;
        return limits;
    }
    static truetype::CacheLimits fallback_limits() {
        truetype::CacheLimits limits;
        limits.table_slots = 2048;
        limits.coverage_bytes = 512 * 1024;
        limits.freetype_bytes = 512 * 1024;
        return limits;
    }
#endif
    uint32_t scale_;
    std::string hinting_;
    std::vector<std::string> dirs_;
    std::vector<std::unique_ptr<Held>> held_;
    std::vector<const celos_font_ops*> fallbacks_;
    const celos_font_ops* fixed_ = nullptr;
};

// The framebuffer console as fbcon runs it: a terminal and its renderer
// over a back buffer, laid out again when the font changes.
class Console {
  public:
    Console(uint32_t width, uint32_t height, uint32_t bpp, uint32_t margin, fbcon::PixelFormat format, int loglevel)
        : config_{width, height, width * (bpp / 8), format, margin, colors_.background,
                  fbcon::CursorShape::Underline},
          loglevel_(loglevel), back_(fbcon::Renderer::back_buffer_size(config_)),
          framebuffer_(size_t(config_.pitch) * height, 0) {}

    // A new grid for the font, cleared and drawn (fbcon's init and switch_font).
    void set_font(const celos_font_ops* font) {
        font_ = font;
        renderer_ = std::make_unique<fbcon::Renderer>();
        if (const char* why = renderer_->init(config_, font, back_.data(), back_.size())) die(why);
        renderer_->set_fallbacks(chain_.data(), uint32_t(chain_.size()));
        cells_.assign(size_t(renderer_->cols()) * renderer_->rows(), fbcon::Cell{});
        terminal_ = std::make_unique<fbcon::Terminal>();
        if (!terminal_->init(cells_.data(), renderer_->cols(), renderer_->rows(),
                             fbcon::console_terminal_config(colors_)))
            die("terminal init");
        renderer_->redraw(*terminal_);
        present();
    }
    // fbcon's "font chain": the renderer's fallbacks, the screen drawn again.
    void set_chain(std::vector<const celos_font_ops*> chain) {
        chain_ = std::move(chain);
        renderer_->set_fallbacks(chain_.data(), uint32_t(chain_.size()));
        renderer_->redraw(*terminal_);
        present();
    }
    void glyphs_changed() {
        renderer_->glyphs_changed();
        renderer_->redraw(*terminal_);
        present();
    }
    void log_line(const LogLine& l) {
        if (l.level > loglevel_) return;
        fbcon::console_write_log_line(*terminal_, l.level, l.ns, l.text.data(), l.text.size());
        present();
    }
    void write(const uint8_t* data, size_t size) {
        terminal_->write(data, size);
        present();
    }
    const std::vector<uint8_t>& framebuffer() const { return framebuffer_; }
    const celos_font_ops* font() const { return font_; }

  private:
    void present() {
        renderer_->render(*terminal_);
        renderer_->present(framebuffer_.data());
    }
    fbcon::ConsoleColors colors_;
    fbcon::RenderConfig config_;
    int loglevel_;
    std::vector<uint8_t> back_;
    std::vector<uint8_t> framebuffer_;
    const celos_font_ops* font_ = nullptr;
    std::unique_ptr<fbcon::Renderer> renderer_;
    std::unique_ptr<fbcon::Terminal> terminal_;
    std::vector<fbcon::Cell> cells_;
    std::vector<const celos_font_ops*> chain_;
};

// The lines of the font modules and fbcon that set up faces and the chain
// (see the top of the file); each is acted on when it is met, before it is
// drawn.
void font_line(Console& console, Fonts& fonts, const std::string& text) {
    static const std::string kChain = "fbcon: font chain: ", kFace = " face ", kFor = " for ",
                             kFallback = "truetype: " CELOS_FONT_FALLBACK_PREFIX;
    if (text.compare(0, kChain.size(), kChain) == 0) {
        std::vector<const celos_font_ops*> chain;
        size_t at = text.find(", ", kChain.size());
        while (at != std::string::npos) {
            size_t next = text.find(", ", at + 2);
            chain.push_back(
                fonts.fallback(text.substr(at + 2, next == std::string::npos ? next : next - at - 2)));
            at = next;
        }
        console.set_chain(std::move(chain));
        return;
    }
#if CELOS_RENDER_TRUETYPE
    if (text.compare(0, kFallback.size(), kFallback) == 0) {
        // "truetype: font.fallback.N: NAME for the WxH cell (baseline B) of ..."
        size_t name_at = text.find(": ", kFallback.size());
        size_t cell_at = text.find(" for the ", name_at == std::string::npos ? 0 : name_at);
        if (name_at == std::string::npos || cell_at == std::string::npos) die("cannot read: " + text);
        unsigned w = 0, h = 0, b = 0;
        if (std::sscanf(text.c_str() + cell_at, " for the %ux%u cell (baseline %u)", &w, &h, &b) != 3)
            die("cannot read: " + text);
        fonts.add_fallback(text.substr(name_at + 2, cell_at - name_at - 2), w, h, b);
        return;
    }
    static const std::string kModule = "truetype: ";
    if (text.compare(0, kModule.size(), kModule) == 0) {
        // "truetype: WHAT face FILE for NAME (...)"
        size_t face = text.find(kFace, kModule.size());
        size_t what_end = text.find(' ', kModule.size());
        if (face == std::string::npos || what_end != face) return;
        size_t file_end = text.find(kFor, face + kFace.size());
        if (file_end == std::string::npos) return;
        size_t name_end = text.find(" (", file_end + kFor.size());
        fonts.add_face(text.substr(kModule.size(), face - kModule.size()),
                       text.substr(face + kFace.size(), file_end - face - kFace.size()),
                       text.substr(file_end + kFor.size(), name_end == std::string::npos
                                                               ? name_end
                                                               : name_end - file_end - kFor.size()));
        // Opened at first use: fbcon sees the font's revision change and
        // draws everything again (its cache of drawn cells emptied).
        console.glyphs_changed();
    }
#else
    (void)fonts;
#endif
}

// A log line at data[at] as the serial sink writes it: "[sssss.uuuuuu] "
// (seconds right-aligned in at least 5 places), the text without CR or LF,
// then CR LF. Its end, or 0.
size_t serial_log_line(const std::vector<uint8_t>& data, size_t at, LogLine& out) {
    size_t i = at;
    auto digit = [&](size_t k) { return k < data.size() && data[k] >= '0' && data[k] <= '9'; };
    if (i >= data.size() || data[i] != '[') return 0;
    ++i;
    while (i < data.size() && data[i] == ' ') ++i;
    size_t digits = 0;
    while (digit(i)) ++i, ++digits;
    if (digits == 0 || i >= data.size() || data[i] != '.') return 0;
    ++i;
    for (int k = 0; k < 6; ++k, ++i)
        if (!digit(i)) return 0;
    if (i + 1 >= data.size() || data[i] != ']' || data[i + 1] != ' ') return 0;
    size_t end = i + 2;
    while (end < data.size() && data[end] != '\r' && data[end] != '\n') ++end;
    if (end + 1 >= data.size() || data[end] != '\r' || data[end + 1] != '\n') return 0;
    std::string line(data.begin() + long(at), data.begin() + long(end));
    if (!parse_line(line, out.level, out.ns, out.text)) return 0;
    return end + 2;
}

// The serial bytes as the console saw them: log lines, and programs' bytes
// between them; font switches replay the log (see the top of the file).
void render_raw(Console& console, Fonts& fonts, const std::vector<uint8_t>& data) {
    std::vector<LogLine> seen;
    size_t at = 0;
    LogLine l;
    // What comes before the kernel's first line is GRUB's.
    while (at < data.size() && !serial_log_line(data, at, l)) ++at;
    if (at == data.size()) die("no log line in the serial output");
    static const std::string kReplaced = "fbcon: font replaced: ", kCannot = "fbcon: cannot draw with font '";
    size_t text_start = at;
    while (at < data.size()) {
        size_t end = serial_log_line(data, at, l);
        if (!end) {
            ++at;
            continue;
        }
        if (at > text_start) console.write(data.data() + text_start, at - text_start);
        if (l.text.compare(0, kReplaced.size(), kReplaced) == 0) {
            // "fbcon: font replaced: OLD -> NEW, COLSxROWS cells of WxH"
            size_t arrow = l.text.find(" -> ", kReplaced.size());
            size_t comma = l.text.find(", ", arrow == std::string::npos ? 0 : arrow);
            size_t cells = l.text.find(" cells of ", comma == std::string::npos ? 0 : comma);
            if (arrow == std::string::npos || comma == std::string::npos || cells == std::string::npos)
                die("cannot read: " + l.text);
            uint32_t cell_width = uint32_t(std::strtoul(l.text.c_str() + cells + 10, nullptr, 10));
            console.set_font(fonts.by_name(l.text.substr(arrow + 4, comma - arrow - 4), cell_width));
            for (const LogLine& old : seen) console.log_line(old);
        } else if (l.text.compare(0, kCannot.size(), kCannot) == 0) {
            // The old font kept, the screen cleared and the log replayed.
            console.set_font(console.font());
            for (const LogLine& old : seen) console.log_line(old);
        }
        font_line(console, fonts, l.text);
        console.log_line(l);
        seen.push_back(l);
        at = text_start = end;
    }
    if (at > text_start) console.write(data.data() + text_start, at - text_start);
}

// A channel of `bits` (4..8) widened to 8 by bit replication: abcde -> abcdeabc.
uint8_t widen(uint32_t value, uint32_t bits) {
    if (bits >= 8) return static_cast<uint8_t>(value >> (bits - 8));
    return static_cast<uint8_t>((value << (8 - bits)) | (value >> (2 * bits - 8)));
}

} // namespace

int main(int argc, char** argv) {
    std::string font_path, log_path, raw_path, out_path;
    std::vector<std::string> font_dirs;
    uint32_t width = 1024, height = 768, bpp = 32, margin = 8, scale = 1, size = 16;
    int loglevel = 3;
    bool fixed_font = false;
    std::string hinting = "light";
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string key = argv[i], value = argv[i + 1];
        if (key == "--font") font_path = value;
        else if (key == "--log") log_path = value;
        else if (key == "--raw") raw_path = value;
        else if (key == "--font-dir") font_dirs.push_back(value);
        else if (key == "--fixed-font") fixed_font = value == "1";
        else if (key == "--out") out_path = value;
        else if (key == "--width") width = std::stoul(value);
        else if (key == "--height") height = std::stoul(value);
        else if (key == "--bpp") bpp = std::stoul(value);
        else if (key == "--margin") margin = std::stoul(value);
        else if (key == "--scale") scale = std::stoul(value);
        else if (key == "--size") size = std::stoul(value);
        else if (key == "--hinting") hinting = value;
        else if (key == "--loglevel") loglevel = std::stoi(value);
        else die("unknown option " + key);
    }

    if (font_path.empty() || (log_path.empty() && raw_path.empty()) || out_path.empty())
        die("--font, --log or --raw, and --out are required");
    // The faces and fallbacks the log names may sit beside --font.
    if (font_path.find('/') != std::string::npos)
        font_dirs.push_back(font_path.substr(0, font_path.rfind('/')));
    Fonts fonts{scale, hinting, font_dirs};
    fbcon::PixelFormat format = bpp == 16 ? fbcon::PixelFormat{16, 11, 5, 5, 6, 0, 5}
                                          : fbcon::PixelFormat{32, 16, 8, 8, 8, 0, 8};
    Console console(width, height, bpp, margin, format, loglevel);
    console.set_font(fonts.open(font_path, size));
    if (fixed_font) fonts.fix(console.font());

    if (!raw_path.empty()) {
        render_raw(console, fonts, read_file(raw_path));
    } else {
        std::ifstream log(log_path);
        if (!log) die("cannot read " + log_path);
        std::string line;
        bool ready = false;
        while (!ready && std::getline(log, line)) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            // GRUB's own output under UEFI can share the first kernel line.
            size_t start = line.find("[ ");
            if (start == std::string::npos) continue;
            line = line.substr(start);
            LogLine l;
            if (!parse_line(line, l.level, l.ns, l.text)) continue;
            ready = l.text == "celos: ready";
            font_line(console, fonts, l.text);
            console.log_line(l);
        }
        if (!ready) die("the log has no 'celos: ready' line");
    }
    const std::vector<uint8_t>& framebuffer = console.framebuffer();
    uint32_t pitch = width * (bpp / 8);

    std::FILE* out = std::fopen(out_path.c_str(), "wb");
    if (!out) die("cannot write " + out_path);
    std::fprintf(out, "P6\n%u %u\n255\n", width, height);
    std::vector<uint8_t> rgb(size_t(width) * height * 3);
    for (uint32_t y = 0; y < height; ++y) {
        for (uint32_t x = 0; x < width; ++x) {
            const uint8_t* p = framebuffer.data() + size_t(y) * pitch + size_t(x) * (bpp / 8);
            uint32_t v = bpp == 16 ? uint32_t(p[0] | p[1] << 8) : uint32_t(p[0] | p[1] << 8 | p[2] << 16);
            uint8_t* o = rgb.data() + (size_t(y) * width + x) * 3;
            auto channel = [&](uint8_t pos, uint8_t size) { return widen((v >> pos) & ((1u << size) - 1), size); };
            o[0] = channel(format.red_position, format.red_size);
            o[1] = channel(format.green_position, format.green_size);
            o[2] = channel(format.blue_position, format.blue_size);
        }
    }
    std::fwrite(rgb.data(), 1, rgb.size(), out);
    std::fclose(out);
    return 0;
}
