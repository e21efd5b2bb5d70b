// Renders, on the host, the screen the framebuffer console shows after a
// boot: the serial log's lines (up to and including the ready line) go
// through the same console, terminal, renderer and font code as in the
// kernel (PSF, or TrueType: tt_font.cpp over FreeType built for the host
// from the same source and configuration), into a framebuffer of the same
// format; the result is written as a PPM the way QEMU's screendump writes
// it (8 bits per channel, channels widened by bit replication), for a
// pixel-for-pixel comparison.
//
//   render_log --font FILE.psf [--scale N] | --font FILE.ttf|.otf [--size N] [--hinting H]
//              --width W --height H --bpp 32|16 [--margin N] [--loglevel N] --log SERIAL.log
//              --out EXPECTED.ppm
// The defaults are the modules' (scale 1; size 16, hinting light). --loglevel:
// the console's level (the kernel's quiet is 1, loglevel=N): the lines above
// it are not drawn, as the core does not pass them to the console.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
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
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
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

// A channel of `bits` (4..8) widened to 8 by bit replication: abcde -> abcdeabc.
uint8_t widen(uint32_t value, uint32_t bits) {
    if (bits >= 8) return static_cast<uint8_t>(value >> (bits - 8));
    return static_cast<uint8_t>((value << (8 - bits)) | (value >> (2 * bits - 8)));
}

} // namespace

int main(int argc, char** argv) {
    std::string font_path, log_path, out_path;
    uint32_t width = 1024, height = 768, bpp = 32, margin = 8, scale = 1, size = 16;
    int loglevel = 3;
    std::string hinting = "light";
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string key = argv[i], value = argv[i + 1];
        if (key == "--font") font_path = value;
        else if (key == "--log") log_path = value;
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
    if (font_path.empty() || log_path.empty() || out_path.empty()) die("--font, --log and --out are required");

    // The font, as the psf or the truetype module sets it up.
    std::vector<uint8_t> font_file = read_file(font_path);
    const celos_font_ops* font_ops = nullptr;
    psf::Font font;
    std::vector<psf::MapEntry> map;
    std::vector<uint8_t> scratch;
    static psf::FontService service;
    bool is_psf = font_path.size() > 4 && font_path.compare(font_path.size() - 4, 4, ".psf") == 0;
    if (is_psf) {
        if (const char* why = psf::parse(font_file.data(), font_file.size(), font)) die(font_path + ": " + why);
        map.resize(psf::map_capacity(font) ? psf::map_capacity(font) : 1);
        size_t count = psf::map_build(font, map.data(), map.size());
        scratch.resize(psf::scratch_size(font, scale));
        if (const char* why = psf::service_init(service, font, map.data(), count, scale, scratch.data(),
                                                scratch.size(), "host"))
            die(why);
        font_ops = &service.ops;
    } else {
#if CELOS_RENDER_TRUETYPE
        static truetype::Font tt;
        truetype::Hinting h;
        if (!truetype::parse_hinting(hinting.c_str(), h)) die("--hinting " + hinting + ": expected none, light or normal");
        std::string name = font_path.substr(font_path.rfind('/') + 1);
        if (const char* why = tt.open(font_file.data(), font_file.size(), name.c_str(), size, h)) die(why);
        font_ops = tt.ops();
#else
        (void)size;
        die(font_path + ": not a .psf, and render_log was built without the TrueType code (no FreeType source)");
#endif
    }

    // The framebuffer, as GRUB sets it up for these depths.
    fbcon::PixelFormat format = bpp == 16 ? fbcon::PixelFormat{16, 11, 5, 5, 6, 0, 5}
                                          : fbcon::PixelFormat{32, 16, 8, 8, 8, 0, 8};
    uint32_t pitch = width * (bpp / 8);
    fbcon::ConsoleColors colors;
    fbcon::RenderConfig config{width, height, pitch, format, margin, colors.background, fbcon::CursorShape::Underline};
    std::vector<uint8_t> back(fbcon::Renderer::back_buffer_size(config));
    std::vector<uint8_t> framebuffer(size_t(pitch) * height, 0);
    static fbcon::Renderer renderer;
    if (const char* why = renderer.init(config, font_ops, back.data(), back.size())) die(why);
    std::vector<fbcon::Cell> cells(size_t(renderer.cols()) * renderer.rows());
    static fbcon::Terminal terminal;
    if (!terminal.init(cells.data(), renderer.cols(), renderer.rows(), fbcon::console_terminal_config(colors)))
        die("terminal init");
    renderer.redraw(terminal);
    renderer.present(framebuffer.data());

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
        int level;
        uint64_t ns;
        std::string text;
        if (!parse_line(line, level, ns, text)) continue;
        ready = text == "celos: ready";
        if (level > loglevel) continue;
        fbcon::console_write_log_line(terminal, level, ns, text.data(), text.size());
        renderer.render(terminal);
        renderer.present(framebuffer.data());
    }
    if (!ready) die("the log has no 'celos: ready' line");

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
