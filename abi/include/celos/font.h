/* The font service: a provider (the PSF module, the TrueType module)
   registers a `struct celos_font_ops` under CELOS_FONT_SERVICE with
   CELOS_FONT_INTERFACE_VERSION (or replaces the one registered,
   celos_service_replace); the console holds it (celos_service_acquire with
   a watch) and draws cells with it, never knowing which module answered.

   Geometry. A cell is cell_width x cell_height pixels; rows are counted
   from the cell's top, the baseline is `baseline` rows below the top. A
   glyph is an 8-bit coverage bitmap (0 = background, 255 = foreground,
   anything between is a blend weight) placed with its top-left pixel at
       x = cell_left + glyph.left
       y = cell_top + baseline - glyph.top
   (glyph.top is the bitmap's top row above the baseline, positive upward,
   as FreeType's bitmap_top). Pixels that fall outside the cell are clipped
   by the console.

   Calls. Single-threaded per font: the console serialises its calls, from
   its log sink too, so glyph() and fallback() must not allocate from the
   heap nor block (a provider reserves its memory when it opens the font).
   The coverage bitmap belongs to the provider and stays valid until the
   next call on the same font, and only while the font is held. */
#ifndef CELOS_FONT_H
#define CELOS_FONT_H

#include <celos/cdefs.h>
#include <celos/status.h>

#define CELOS_FONT_SERVICE "font"
#define CELOS_FONT_INTERFACE_VERSION 1u

/* Returned by glyph() when the font has no glyph for the code point. */
#define CELOS_FONT_NO_GLYPH 1
/* Returned by styled_glyph() when the font has the glyph but no face for
   the style asked: the caller draws the regular glyph and synthesizes the
   style (emboldening, slant). */
#define CELOS_FONT_NO_STYLE 2

/* Style bits for styled_glyph(). */
#define CELOS_FONT_STYLE_BOLD 1u
#define CELOS_FONT_STYLE_ITALIC 2u

/* One glyph's coverage bitmap and its placement; 32 bytes. */
struct celos_glyph {
    const uint8_t* coverage; /*  0: height rows of `pitch` bytes, `width` used */
    uint32_t pitch;          /*  8: bytes from one row to the next */
    uint32_t width;          /* 12: pixels */
    uint32_t height;         /* 16: pixels */
    int32_t left;            /* 20: bitmap's left column from the cell's left edge */
    int32_t top;             /* 24: bitmap's top row above the baseline */
    uint32_t reserved;       /* 28: zero */
};

struct celos_font_ops;

/* The glyph for `codepoint` in *out: 0, or CELOS_FONT_NO_GLYPH (then *out is
   unspecified and the caller asks fallback()). */
typedef int (*celos_font_glyph_fn)(const struct celos_font_ops* font, uint32_t codepoint,
                                   struct celos_glyph* out);
/* The glyph shown for missing code points; always succeeds. The provider
   picks it (PSF: U+FFFD, else '?', else glyph 0; TrueType: .notdef). */
typedef void (*celos_font_fallback_fn)(const struct celos_font_ops* font, struct celos_glyph* out);
/* The glyph for `codepoint` from the face for `style` (CELOS_FONT_STYLE_*
   bits; 0 is glyph()): 0, CELOS_FONT_NO_GLYPH, or CELOS_FONT_NO_STYLE. A
   glyph of a character two cells wide may be up to 2 * cell_width wide. */
typedef int (*celos_font_styled_glyph_fn)(const struct celos_font_ops* font, uint32_t codepoint, uint32_t style,
                                          struct celos_glyph* out);

/* A registered font; 72 bytes (64 in ABI 1.5, 56 before). `size` is
   sizeof(struct celos_font_ops) as the provider was built: version 1 only
   grows at the end, and a caller reads a field only when `size` covers it. */
struct celos_font_ops {
    uint32_t size;                   /*  0 */
    uint32_t cell_width;             /*  4: pixels */
    uint32_t cell_height;            /*  8: pixels */
    uint32_t baseline;               /* 12: rows from the cell's top to the baseline */
    uint32_t underline_row;          /* 16: first underline row from the cell's top */
    uint32_t underline_thickness;    /* 20: rows, >= 1 */
    const char* name;                /* 24: for logs, e.g. "psf:Lat15-Terminus16.psf" */
    void* context;                   /* 32: the provider's state */
    celos_font_glyph_fn glyph;       /* 40 */
    celos_font_fallback_fn fallback; /* 48 */
    celos_font_styled_glyph_fn styled_glyph; /* 56: ABI 1.5; NULL: regular faces only (the console
                                                synthesizes bold and italic, as for CELOS_FONT_NO_STYLE) */
    /* 64: ABI 1.6. The provider adds one whenever glyphs it answered
       before would now be answered otherwise: a face it opens at first use
       (truetype's bold and italic faces: until then styled_glyph() says
       CELOS_FONT_NO_STYLE). The console compares it from its main-loop task
       and draws everything again when it changed. Changed only by the
       provider's own main-loop task or init, never from a draw. */
    uint32_t revision;
    uint32_t reserved; /* 68: zero */
};

/* The fallback chain (ABI 1.5). Fonts asked, in order, for a code point
   the "font" service's font lacks, each drawn in that font's cells. A
   provider offers a fallback font by registering its ops under
   CELOS_FONT_FALLBACK_PREFIX and a digit, "font.fallback.0" to
   "font.fallback.3" (CELOS_FONT_FALLBACK_MAX), version
   CELOS_FONT_INTERFACE_VERSION, taking the first free number: so the chain
   follows the order the providers start in (grub.cfg's). A fallback font's
   glyphs are placed for the cell of the font it falls back for (its ops
   report that cell); a glyph of a character two cells wide may be up to
   2 * cell_width wide. The truetype module offers one with `fallback=FILE`
   (a face beside its own font) or, started with `role=fallback`, its whole
   font (fitted to the cell of the font service's font at the time). A
   provider listed after the first one without either still only stands in
   when the first fails (it declines with CELOS_ERR_EXISTS).

   The console holds every fallback font it uses (celos_service_acquire
   with a watch, as the font), takes them up when it starts and whenever
   its font is replaced, and looks for new ones from a main-loop task (a
   provider started later joins the chain). A replacement switches that link. To
   leave the chain, a provider replaces its registration with a withdrawn
   font (ops whose glyph is NULL): a holder drops the link and ends its
   hold inside its watch, and the provider then unregisters it. */
#define CELOS_FONT_FALLBACK_PREFIX "font.fallback."
#define CELOS_FONT_FALLBACK_MAX 4

/* Font control: a running provider opens another font on request (the
   shell's `font` command) without being unloaded and loaded again, which
   a provider that draws the console's font cannot be. Each provider
   registers its own, under CELOS_FONT_CONTROL_PREFIX and its module's name
   ("font-control.truetype"), version CELOS_FONT_CONTROL_VERSION; a caller
   finds the provider of the font in use with celos_module_of() on its
   glyph function. */
#define CELOS_FONT_CONTROL_PREFIX "font-control."
#define CELOS_FONT_CONTROL_VERSION 1u

/* 16 bytes. `size` is sizeof(struct celos_font_control_ops) as the provider
   was built: version 1 only grows at the end. */
struct celos_font_control_ops {
    uint32_t size;     /*  0 */
    uint32_t reserved; /*  4: zero */
    /* 8: Opens the boot file `file` with `params`, the provider's own font
       parameters as on its module2 line ("size=20 hinting=none" for
       truetype, "scale=2" for psf; NULL or "" for the defaults), replaces
       the "font" service with it (celos_service_replace: the console
       follows), and only then frees the font it provided before. On failure
       (not a usable font, a bad parameter, the console refusing the cell)
       nothing changes: an error, with the reason in `why` (NUL-terminated
       when why_size > 0), also logged. Called from a main-loop task or an
       init, never from an interrupt or a log sink: it may allocate and take
       its time. */
    celos_status (*open)(const char* file, const char* params, char* why, size_t why_size);
};

CELOS_STATIC_ASSERT(sizeof(struct celos_glyph) == 32, "celos_glyph layout");
CELOS_STATIC_ASSERT(offsetof(struct celos_glyph, left) == 20, "celos_glyph layout");
CELOS_STATIC_ASSERT(sizeof(struct celos_font_ops) == 72, "celos_font_ops layout");
CELOS_STATIC_ASSERT(offsetof(struct celos_font_ops, revision) == 64, "celos_font_ops layout");
CELOS_STATIC_ASSERT(offsetof(struct celos_font_ops, name) == 24, "celos_font_ops layout");
CELOS_STATIC_ASSERT(offsetof(struct celos_font_ops, glyph) == 40, "celos_font_ops layout");
CELOS_STATIC_ASSERT(offsetof(struct celos_font_ops, styled_glyph) == 56, "celos_font_ops layout");
CELOS_STATIC_ASSERT(sizeof(struct celos_font_control_ops) == 16, "celos_font_control_ops layout");
CELOS_STATIC_ASSERT(offsetof(struct celos_font_control_ops, open) == 8, "celos_font_control_ops layout");

#endif
