// font FILE [size=N] [hinting=H] | [scale=N]: the console's font, changed
// while it runs.
//
// The provider is chosen by the file's kind (its first bytes). When the
// module for that kind is loaded (it provides the font now, or provided it
// before), it opens the file itself through its control service
// (celos_font_control_ops, <celos/font.h>): a module cannot be loaded twice.
// Otherwise it is loaded with `font=FILE ... replace=on` (from the boot
// file NAME.ko, or else the boot module NAME that declined at boot or was
// unloaded since). Either way
// the provider replaces the "font" service, the console follows, and a
// provider that fails leaves the old font in place. Then the old provider,
// when it is another module, is unloaded.
#include "font_command.h"

#include "commands.h"

namespace celos::shell {

FileKind file_kind(const uint8_t* d, size_t size) {
    if (size < 4) return FileKind::TooShort;
    auto is = [d](uint8_t a, uint8_t b, uint8_t c, uint8_t e) { return d[0] == a && d[1] == b && d[2] == c && d[3] == e; };
    if (is(0x00, 0x01, 0x00, 0x00) || is('t', 'r', 'u', 'e') || is('t', 't', 'c', 'f')) return FileKind::TrueType;
    if (is('O', 'T', 'T', 'O')) return FileKind::OpenType;
    if (is(0x72, 0xb5, 0x4a, 0x86)) return FileKind::Psf2;
    if (d[0] == 0x36 && d[1] == 0x04) return FileKind::Psf1;
    if (is(0x7f, 'E', 'L', 'F')) return FileKind::Module;
    if (d[0] == 0x1f && d[1] == 0x8b) return FileKind::Gzip;
    return FileKind::Other;
}

const char* file_kind_name(FileKind kind) {
    switch (kind) {
    case FileKind::TooShort: return "too short to be a font";
    case FileKind::TrueType: return "a TrueType font";
    case FileKind::OpenType: return "an OpenType font";
    case FileKind::Psf1: return "a PSF1 font";
    case FileKind::Psf2: return "a PSF2 font";
    case FileKind::Module: return "a module";
    case FileKind::Gzip: return "gzip-compressed";
    case FileKind::Other: break;
    }
    return "not a font";
}

const char* font_provider(FileKind kind) {
    switch (kind) {
    case FileKind::TrueType:
    case FileKind::OpenType: return "truetype";
    case FileKind::Psf1:
    case FileKind::Psf2: return "psf";
    default: return nullptr;
    }
}

namespace {

bool is_number(const char* text) {
    size_t i = 0;
    while (text[i] >= '0' && text[i] <= '9' && i < 6) ++i;
    return i > 0 && !text[i];
}

// Appends `text` to the parameter string; false when it does not fit.
bool append(char* params, size_t size, size_t& used, const char* text) {
    size_t n = text_length(text);
    if (used + n + 2 > size) return false;
    if (used) params[used++] = ' ';
    copy_bytes(params + used, text, n);
    used += n;
    params[used] = 0;
    return true;
}

void fail(Output& out, const char* file, const char* a, const char* b = "", const char* c = "") {
    out.raw("celos: font: ");
    out.text(file);
    out.raw(": ");
    out.text(a);
    out.text(b);
    out.text(c);
    out.newline();
}

} // namespace

void font_command(CommandContext& c, const Words& w) {
    const char* file = w.argv[1];
    const void* data = nullptr;
    size_t size = 0;
    if (c.system.bootfile_find(c.system.context, file, &data, &size) != CELOS_OK) {
        c.out.raw("celos: font: no boot file '");
        c.out.text(file);
        c.out.raw("' (ls lists them)\r\n");
        return;
    }
    FileKind kind = file_kind(static_cast<const uint8_t*>(data), size);
    const char* provider = font_provider(kind);
    if (!provider) {
        const char* hint = kind == FileKind::Module   ? " (insmod loads modules)"
                           : kind == FileKind::Gzip ? " (decompress it before GRUB loads it)"
                                                    : " (TrueType, OpenType or PSF expected)";
        return fail(c.out, file, "not a font: ", file_kind_name(kind), hint);
    }
    bool truetype = provider[0] == 't';

    // The parameters the provider takes for this kind; checked here, as a
    // module load would only warn about a bad one and use its default.
    char params[kLineMax + 64];
    size_t used = 0;
    params[0] = 0;
    for (size_t i = 2; i < w.argc; ++i) {
        const char* p = w.argv[i];
        size_t key = 0;
        while (p[key] && p[key] != '=') ++key;
        const char* value = p[key] ? p + key + 1 : "";
        auto key_is = [&](const char* k) { return text_length(k) == key && text_starts_with(p, key, k, key); };
        bool ok;
        if (truetype && key_is("size")) {
            ok = is_number(value);
            if (!ok) return fail(c.out, file, "size=", value, " is not a number of pixels (6 to 128)");
        } else if (truetype && key_is("hinting")) {
            ok = text_equal(value, "none") || text_equal(value, "light") || text_equal(value, "normal");
            if (!ok) return fail(c.out, file, "hinting=", value, " is not none, light or normal");
        } else if (!truetype && key_is("scale")) {
            ok = is_number(value);
            if (!ok) return fail(c.out, file, "scale=", value, " is not a number (1 to 8)");
        } else if (!truetype && (key_is("size") || key_is("hinting"))) {
            return fail(c.out, file, file_kind_name(kind), " has a fixed size and no hinting; it takes scale=N");
        } else {
            return fail(c.out, file, "unknown parameter '", p,
                        truetype ? "' (a TrueType or OpenType font takes size=N and hinting=H)"
                                 : "' (a PSF font takes scale=N)");
        }
        if (!append(params, sizeof params, used, p)) return fail(c.out, file, "the parameters are too long");
    }

    FontInUse before{};
    if (!c.system.font_in_use(c.system.context, &before)) {
        c.out.raw("celos: font: no module provides the console's font (is the console running?)\r\n");
        return;
    }

    char why[256] = "";
    c.out.flush(); // before the provider's log lines
    celos_status s = c.system.font_open(c.system.context, provider, file, params, why, sizeof why);
    if (s == CELOS_ERR_NOT_FOUND) {
        // Not loaded: load it, taking over the font.
        char load[sizeof params + kLineMax + 32] = "font=";
        size_t n = 5;
        copy_bytes(load + n, file, text_length(file));
        n += text_length(file);
        load[n] = 0;
        if (used) append(load, sizeof load, n, params);
        append(load, sizeof load, n, "replace=on");
        // The boot file NAME.ko when there is one, else the boot module of
        // that name (started at boot and declined, or unloaded since).
        char ko[40];
        size_t p = text_length(provider);
        copy_bytes(ko, provider, p);
        copy_bytes(ko + p, ".ko", 4);
        const void* ko_data = nullptr;
        size_t ko_size = 0;
        bool from_file = c.system.bootfile_find(c.system.context, ko, &ko_data, &ko_size) == CELOS_OK;
        why[0] = 0;
        s = c.system.module_load(c.system.context, from_file ? ko : provider, load, why, sizeof why);
        if (s != CELOS_OK) {
            c.out.raw("celos: font: ");
            c.out.text(file);
            c.out.raw(": cannot start the ");
            c.out.raw(provider);
            c.out.raw(" module: ");
            c.out.text(why[0] ? why : c.system.strerror(s));
            c.out.raw("; the font stays ");
            c.out.text(before.name);
            c.out.newline();
            return;
        }
    } else if (s != CELOS_OK) {
        c.out.raw("celos: font: ");
        c.out.text(file);
        c.out.raw(": ");
        c.out.text(why[0] ? why : c.system.strerror(s));
        c.out.raw("; the font stays ");
        c.out.text(before.name);
        c.out.newline();
        return;
    }

    if (!text_equal(before.provider, provider)) {
        why[0] = 0;
        c.out.flush();
        // A clean-up: a module still holding a service of the old provider
        // (the console's fallback font) keeps it.
        s = c.system.module_unload(c.system.context, before.provider, false, why, sizeof why);
        if (s != CELOS_OK) {
            c.out.raw("celos: font: note: the old provider '");
            c.out.text(before.provider);
            c.out.raw("' stays loaded: ");
            c.out.text(why[0] ? why : c.system.strerror(s));
            c.out.newline();
        }
    }
    FontInUse now{};
    if (c.system.font_in_use(c.system.context, &now)) {
        c.out.raw("celos: font: now ");
        c.out.text(now.name);
        c.out.raw(", cells of ");
        c.out.decimal(now.cell_width);
        c.out.put('x');
        c.out.decimal(now.cell_height);
        c.out.raw(" pixels\r\n");
    }
}

} // namespace celos::shell
