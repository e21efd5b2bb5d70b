#include "ktest/module_lifecycle.h"

#include <celos/abi.h>
#include <celos/font.h>

#include "ktest/ktap.h"
#include "lib/format.h"
#include "log/log.h"
#include "module/module.h"
#include "module/registry.h"
#include "module/resource_snapshot.h"
#include "module/resources.h"
#include "module/services.h"

namespace celos::ktest {
namespace {

enum Check : usize {
    held_provider_kept,
    font_replaced_while_held,
    old_provider_unloads,
    unload_all,
    no_services_left,
    replaced_provider_cycles,
    reload_all,
    unload_all_again,
    nothing_left_behind,
    reload_all_once_more,
    check_count
};

const char* const kNames[check_count] = {
    "held_provider_kept",  "font_replaced_while_held", "old_provider_unloads", "unload_all",
    "no_services_left",    "replaced_provider_cycles", "reload_all",           "unload_all_again",
    "nothing_left_behind", "reload_all_once_more"};

constexpr usize kMaxNames = 16;

// The names of the loaded modules in the order they started (so unloading
// from the last one never pulls a module out from under another).
usize loaded_names(const char* (&names)[kMaxNames]) {
    usize n = 0;
    for (int id : modules_started())
        if (n < kMaxNames) names[n++] = module_name(id);
    return n;
}

// The font's provider, or -1.
int font_provider() {
    for (int id = 0; id < 64; ++id)
        if (module_find_loaded(module_name(id)) == id &&
            service_provided_by(StringView(CELOS_FONT_SERVICE), id))
            return id;
    return -1;
}

// Services modules provide (the core's own, bootfb's display, stay).
usize service_count() {
    usize n = 0;
    services_for_each(
        [](void* ctx, const char*, u32, int provider, usize) {
            if (provider >= 0) ++*static_cast<usize*>(ctx);
        },
        &n);
    return n;
}

// Unloads all of `names`, each once nothing needs it any more (the last
// started first, but a console holding a font that started after it goes
// before that font), and puts them in `names` in the order they went.
// False (the last refusal in `text`) when some cannot go.
bool unload_all_of(const char** names, usize n, char* text, usize size) {
    const char* order[kMaxNames];
    usize gone = 0;
    bool left[kMaxNames];
    for (usize i = 0; i < n; ++i)
        left[i] = true;
    for (usize pass = 0; pass < n && gone < n; ++pass) {
        for (usize i = n; i-- > 0;) {
            if (!left[i]) continue;
            int id = module_find_loaded(names[i]);
            if (id < 0) {
                format(text, size, "%s: not loaded", names[i]);
                return false;
            }
            char why[160] = "";
            if (!module_unload(id, true, why, sizeof why)) {
                format(text, size, "%s: %s", names[i], why);
                continue;
            }
            left[i] = false;
            order[gone++] = names[i];
        }
    }
    if (gone != n) return false;
    for (usize i = 0; i < n; ++i)
        names[i] = order[i];
    return true;
}

// Loads `names` (in the order they were unloaded) again, the last unloaded first.
bool reload_all_of(const char* const* names, usize n, char* text, usize size) {
    for (usize i = n; i-- > 0;)
        if (module_reload(names[i], true) < 0) {
            format(text, size, "%s did not load again", names[i]);
            return false;
        }
    return true;
}

} // namespace

bool module_lifecycle_run(usize depth, char* detail, usize size) {
    KtapSubtest<Check, check_count> run(kNames, "module_lifecycle", depth, detail, size);
    char text[320] = "";

    // A font provider that the console holds cannot go.
    const int console = module_find_loaded("fbcon");
    const int provider = font_provider();
    if (console < 0 || provider < 0) {
        run.report(held_provider_kept, Outcome::skip, "no console holding a font");
    } else {
        // The refusal names the holder.
        bool unloaded = module_unload(provider, true, text, sizeof text);
        run.report(held_provider_kept, !unloaded && contains(text, "fbcon") ? Outcome::pass : Outcome::fail,
                   unloaded ? "it was unloaded" : text);
    }

    // A second font module replaces it while the console holds the font.
    const void* file = nullptr;
    size_t file_size = 0;
    const char* old_name = nullptr; // the provider psf replaced, once unloaded
    if (provider < 0 || console < 0 || celos_bootfile_find("psf.ko", &file, &file_size) != CELOS_OK ||
        StringView(module_name(provider)) == StringView("psf")) {
        run.report(font_replaced_while_held, Outcome::skip,
                   "needs the boot file psf.ko and another font provider");
        run.report(old_provider_unloads, Outcome::skip, "no replacement");
    } else {
        old_name = module_name(provider);
        int psf = module_load_file("psf.ko", "font=Lat15-Terminus16.psf replace=on", true);
        bool replaced = psf >= 0 && service_provided_by(StringView(CELOS_FONT_SERVICE), psf);
        format(text, sizeof text, "%s",
               replaced ? "psf provides the font" : "psf did not take over the font");
        run.report(font_replaced_while_held, replaced ? Outcome::pass : Outcome::fail, text);
        char why[160] = "";
        bool gone = replaced && module_unload(provider, true, why, sizeof why);
        format(text, sizeof text, "%s: %s", old_name, gone ? "unloaded" : why);
        if (!gone) old_name = nullptr;
        run.report(old_provider_unloads,
                   gone       ? Outcome::pass
                   : replaced ? Outcome::fail
                              : Outcome::skip,
                   text);
    }

    const char* names[kMaxNames];
    const usize n = loaded_names(names);
    if (n == 0) {
        for (usize c = unload_all; c < check_count; ++c)
            run.report(static_cast<Check>(c), Outcome::skip, "no modules");
        return true;
    }
    bool unloaded = unload_all_of(names, n, text, sizeof text);
    run.report(unload_all, unloaded ? Outcome::pass : Outcome::fail, unloaded ? nullptr : text);
    const ResourceSnapshot first = ResourceSnapshot::take();
    // The snapshot counts pages in live ranges as free (other modules may
    // take some meanwhile): with every module gone, no record may hold one.
    const usize records = resources_count_of_modules();
    format(text, sizeof text, "%zu services registered, %zu resource records of modules", service_count(),
           records);
    run.report(no_services_left, unloaded && service_count() == 0 && records == 0 ? Outcome::pass : Outcome::fail,
               text);

    // The provider that was replaced and unloaded comes back too: the same
    // set with it in psf's place is loaded and unloaded, leaving nothing.
    if (!unloaded || !old_name) {
        run.report(replaced_provider_cycles, Outcome::skip, "no replaced provider");
    } else {
        const char* others[kMaxNames];
        for (usize i = 0; i < n; ++i)
            others[i] = StringView(names[i]) == StringView("psf") ? old_name : names[i];
        bool cycled =
            reload_all_of(others, n, text, sizeof text) && unload_all_of(others, n, text, sizeof text);
        const ResourceSnapshot after = ResourceSnapshot::take();
        if (cycled) ResourceSnapshot::describe(first, after, text, sizeof text);
        run.report(replaced_provider_cycles,
                   cycled && !ResourceSnapshot::compare(first, after) && service_count() == 0 ? Outcome::pass
                                                                                              : Outcome::fail,
                   text);
    }

    bool reloaded = unloaded && reload_all_of(names, n, text, sizeof text);
    run.report(reload_all, reloaded ? Outcome::pass : Outcome::fail, reloaded ? nullptr : text);
    bool again = reloaded && unload_all_of(names, n, text, sizeof text);
    run.report(unload_all_again, again ? Outcome::pass : Outcome::fail, again ? nullptr : text);
    const ResourceSnapshot second = ResourceSnapshot::take();
    ResourceSnapshot::describe(first, second, text, sizeof text);
    run.report(nothing_left_behind,
               again && ResourceSnapshot::compare(first, second) == nullptr && service_count() == 0
                   ? Outcome::pass
                   : Outcome::fail,
               text);
    bool last = again && reload_all_of(names, n, text, sizeof text);
    run.report(reload_all_once_more, last ? Outcome::pass : Outcome::fail, last ? nullptr : text);
    return run.ok();
}

} // namespace celos::ktest
