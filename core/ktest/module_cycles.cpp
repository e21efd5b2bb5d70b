#include "ktest/module_cycles.h"

#include "arch/cpu.h"
#include "kernel/wx_check.h"
#include "ktest/ktap.h"
#include "lib/format.h"
#include "log/log.h"
#include "module/module.h"
#include "module/resource_snapshot.h"

namespace celos::ktest {
namespace {

// The checks, in the order they run; a check after a failed one that it
// needs is skipped, so every planned line is printed.
enum Check : usize {
    first_load,
    module_holds_resources,
    heap_kept_while_needed,
    wx_audit_with_module,
    font_provider_kept,
    load_unload_cycles,
    resources_unchanged,
    check_count
};

const char* const kNames[check_count] = {
    "first_load",           "module_holds_resources",           "heap_kept_while_needed",
    "wx_audit_with_module", "font_provider_kept_under_console", "load_unload_cycles",
    "resources_unchanged"};

} // namespace

bool module_cycles_run(const char* file, usize cycles, usize depth, char* detail, usize size) {
    KtapSubtest<Check, check_count> run(kNames, "module_cycles", depth, detail, size);
    char text[448];
    ResourceSnapshot before = ResourceSnapshot::take();

    int module = module_load_file(file, "", true);
    if (module < 0) {
        format(text, sizeof text, "%s did not load", file);
        run.report(first_load, Outcome::fail, text);
        run.skip_from(module_holds_resources, "the module did not load");
        return false;
    }
    run.report(first_load, Outcome::pass);

    // The module must hold something, or equal numbers would prove nothing.
    ResourceSnapshot loaded = ResourceSnapshot::take();
    ResourceSnapshot::describe(before, loaded, text, sizeof text);
    run.report(module_holds_resources,
               loaded.free_pages < before.free_pages && loaded.heap_bytes > before.heap_bytes ? Outcome::pass
                                                                                              : Outcome::fail,
               text);

    // The module depends on the heap: the heap must not go first.
    int heap = module_find_loaded("heap");
    if (heap < 0) {
        run.report(heap_kept_while_needed, Outcome::skip, "no heap module");
    } else if (module_unload(heap, true)) {
        // What depended on it is broken now: stop here.
        run.report(heap_kept_while_needed, Outcome::fail,
                   "the heap was unloaded under a module that needs it");
        run.skip_from(wx_audit_with_module, "the heap is gone");
        return false;
    } else {
        run.report(heap_kept_while_needed, Outcome::pass);
    }

    // A module loaded after boot gets the same W^X audit as at boot.
    WxAuditResult wx = wx_check();
    format(text, sizeof text, "%zu violations with %s loaded", wx.violations, file);
    run.report(wx_audit_with_module, wx.violations == 0 ? Outcome::pass : Outcome::fail, text);

    // Nor the font provider under the console, which depends on the
    // service ("@font") and holds its ops.
    if (module_find_loaded("fbcon") < 0) {
        run.report(font_provider_kept, Outcome::skip, "no console module");
    } else {
        const char* unloaded = nullptr;
        for (const char* provider : {"psf", "truetype"}) {
            int id = module_find_loaded(provider);
            if (id >= 0 && module_unload(id, true)) unloaded = provider;
        }
        if (unloaded) {
            format(text, sizeof text, "%s was unloaded while fbcon depends on its font service", unloaded);
            run.report(font_provider_kept, Outcome::fail, text);
            run.skip_from(load_unload_cycles, "the console's font is gone");
            return false;
        }
        run.report(font_provider_kept, Outcome::pass);
    }

    u64 started = arch::now_ns();
    usize done = 1;
    bool cycled = module_unload(module, true);
    if (!cycled) format(text, sizeof text, "cycle 1: %s did not unload", file);
    for (; cycled && done < cycles; ++done) {
        module = module_load_file(file, "", true);
        if (module < 0) {
            format(text, sizeof text, "cycle %zu: %s did not load", done + 1, file);
            cycled = false;
        } else if (!module_unload(module, true)) {
            format(text, sizeof text, "cycle %zu: %s did not unload", done + 1, file);
            cycled = false;
        }
    }
    u64 elapsed_us = (arch::now_ns() - started) / 1000;
    if (cycled) {
        log_info("module cycles: %zu loads and unloads of %s in %llu ms (%llu us each)", done, file,
                 static_cast<unsigned long long>(elapsed_us / 1000),
                 static_cast<unsigned long long>(elapsed_us / done));
        format(text, sizeof text, "%zu cycles", done);
    }
    run.report(load_unload_cycles, cycled ? Outcome::pass : Outcome::fail, text);
    if (!cycled) {
        run.skip_from(resources_unchanged, "the cycles did not finish");
        return false;
    }

    ResourceSnapshot after = ResourceSnapshot::take();
    ResourceSnapshot::describe(before, after, text, sizeof text);
    log_info("module cycles: %s", text);
    const char* differs = ResourceSnapshot::compare(before, after);
    if (differs) format(text, sizeof text, "%s differ after %zu cycles", differs, done);
    run.report(resources_unchanged, differs ? Outcome::fail : Outcome::pass, differs ? text : nullptr);
    return run.ok();
}

} // namespace celos::ktest
