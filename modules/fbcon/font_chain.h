// The console's fallback chain (<celos/font.h>, "The fallback chain"): the
// fonts registered under font.fallback.0..3, each held while the console
// draws with it. Pure bookkeeping, no heap: fbcon_module.cpp acquires,
// follows and releases the holds; the unit tests check the order and a
// link leaving (tests/unit/test_font_chain.cpp).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <celos/font.h>

namespace celos::fbcon {

class FontChain {
  public:
    static constexpr uint32_t kSlots = CELOS_FONT_FALLBACK_MAX;

    // A registration the chain can use: a font with glyph() (a withdrawn
    // one has none, <celos/font.h>) and the fields up to fallback().
    static bool usable(const celos_font_ops* ops) {
        return ops && ops->size >= offsetof(celos_font_ops, styled_glyph) && ops->glyph && ops->fallback;
    }

    // Link `slot` (font.fallback.N) is `ops` held by `handle` (> 0).
    void set(uint32_t slot, const celos_font_ops* ops, int32_t handle) {
        if (slot < kSlots) links_[slot] = {ops, handle};
    }
    // Link `slot` switched to `ops` (a replacement): same hold.
    void replace(uint32_t slot, const celos_font_ops* ops) {
        if (slot < kSlots) links_[slot].ops = ops;
    }
    // Forgets link `slot`; its hold, for the caller to release (0: none).
    int32_t drop(uint32_t slot) {
        if (slot >= kSlots) return 0;
        int32_t handle = links_[slot].handle;
        links_[slot] = {};
        return handle;
    }
    bool held(uint32_t slot) const { return slot < kSlots && links_[slot].handle > 0; }
    const celos_font_ops* at(uint32_t slot) const { return slot < kSlots ? links_[slot].ops : nullptr; }

    // The usable fonts in slot order into out[kSlots]; their count.
    uint32_t fonts(const celos_font_ops** out) const {
        uint32_t n = 0;
        for (const Link& l : links_)
            if (usable(l.ops)) out[n++] = l.ops;
        return n;
    }

    // "PRIMARY, A, B" (names as the fonts give them) into buf, always
    // NUL-terminated, cut at `size`.
    void describe(const celos_font_ops* primary, char* buf, size_t size) const {
        if (size == 0) return;
        size_t at = 0;
        auto put = [&](const char* s) {
            for (; s && *s && at + 1 < size; ++s)
                buf[at++] = *s;
        };
        put(primary && primary->name ? primary->name : "?");
        const celos_font_ops* list[kSlots];
        uint32_t n = fonts(list);
        for (uint32_t i = 0; i < n; ++i) {
            put(", ");
            put(list[i]->name ? list[i]->name : "?");
        }
        buf[at] = 0;
    }

  private:
    struct Link {
        const celos_font_ops* ops;
        int32_t handle;
    };
    Link links_[kSlots] = {};
};

} // namespace celos::fbcon
