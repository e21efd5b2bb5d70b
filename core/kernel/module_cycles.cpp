#include "kernel/module_cycles.h"
#include "kernel/wx_check.h"

#include <celos/abi.h>

#include "arch/cpu.h"
#include "kernel/kernel.h"
#include "lib/format.h"
#include "module/module.h"
#include "log/log.h"

namespace celos {
namespace {

// What a leak would change. The heap's figures are 0 without the heap module.
struct Usage {
    usize free_pages;
    u64 module_area_pages;
    u64 module_area_free;
    usize module_area_holes;
    u64 vrange_free;
    usize vrange_holes;
    usize heap_bytes;
};

Usage measure() {
    KernelState& k = kernel();
    const auto* heap = static_cast<const celos_heap_service*>(celos_service_lookup("heap", 2));
    return {k.pmm.free_page_count(),          module_area_mapped_pages(), k.module_area.free_bytes(),
            k.module_area.free_range_count(), k.vranges.free_bytes(),     k.vranges.free_range_count(),
            heap ? heap->bytes_in_use() : 0};
}

void log_usage(const char* when, const Usage& u) {
    log_info("module cycles: %s: free pages %zu, module-area pages %llu (%llu KiB free in %zu ranges), "
             "virtual ranges %llu KiB free in %zu ranges, heap bytes %zu",
             when, u.free_pages, static_cast<unsigned long long>(u.module_area_pages),
             static_cast<unsigned long long>(u.module_area_free / 1024), u.module_area_holes,
             static_cast<unsigned long long>(u.vrange_free / 1024), u.vrange_holes, u.heap_bytes);
}

} // namespace

bool module_cycles_run(const char* file, usize cycles, char* detail, usize size) {
    Usage before = measure();
    log_usage("before", before);
    u64 started = arch::now_ns();
    usize done = 0;
    for (; done < cycles; ++done) {
        int module = module_load_file(file, "", true);
        if (module < 0) {
            format(detail, size, "cycle %zu: %s did not load", done + 1, file);
            return false;
        }
        if (done == 0) {
            // The module must hold something, or equal numbers would prove nothing.
            Usage loaded = measure();
            log_usage("first cycle, loaded", loaded);
            if (loaded.free_pages >= before.free_pages || loaded.heap_bytes <= before.heap_bytes) {
                format(detail, size, "the loaded module holds no pages or heap bytes");
                return false;
            }
            // The module depends on the heap: the heap must not go first.
            int heap = module_find_loaded("heap");
            if (heap >= 0 && module_unload(heap, true)) {
                format(detail, size, "the heap was unloaded while a loaded module depends on it");
                return false;
            }
            // A module loaded after boot gets the same W^X audit as at boot.
            if (!wx_check_now()) {
                format(detail, size, "the W^X audit failed with %s loaded", file);
                return false;
            }
            // Nor the font provider under the console, which depends on the
            // service ("@font") and holds its ops.
            if (module_find_loaded("fbcon") >= 0) {
                for (const char* provider : {"psf", "truetype"}) {
                    int id = module_find_loaded(provider);
                    if (id >= 0 && module_unload(id, true)) {
                        format(detail, size, "%s was unloaded while fbcon depends on its font service", provider);
                        return false;
                    }
                }
            }
        }
        if (!module_unload(module, true)) {
            format(detail, size, "cycle %zu: %s did not unload", done + 1, file);
            return false;
        }
    }
    u64 elapsed_us = (arch::now_ns() - started) / 1000;
    Usage after = measure();
    log_info("module cycles: %zu loads and unloads of %s in %llu ms (%llu us each)", done, file,
             static_cast<unsigned long long>(elapsed_us / 1000),
             static_cast<unsigned long long>(done ? elapsed_us / done : 0));
    log_info(
        "module cycles: free pages %zu -> %zu, module-area pages %llu -> %llu, module-area free %llu -> %llu "
        "KiB in %zu -> %zu ranges, virtual ranges free %llu -> %llu KiB in %zu -> %zu ranges, heap bytes %zu "
        "-> %zu",
        before.free_pages, after.free_pages, static_cast<unsigned long long>(before.module_area_pages),
        static_cast<unsigned long long>(after.module_area_pages),
        static_cast<unsigned long long>(before.module_area_free / 1024),
        static_cast<unsigned long long>(after.module_area_free / 1024), before.module_area_holes,
        after.module_area_holes, static_cast<unsigned long long>(before.vrange_free / 1024),
        static_cast<unsigned long long>(after.vrange_free / 1024), before.vrange_holes, after.vrange_holes,
        before.heap_bytes, after.heap_bytes);
    const char* differs =
        before.free_pages != after.free_pages                 ? "free pages"
        : before.module_area_pages != after.module_area_pages ? "module-area pages"
        : before.module_area_free != after.module_area_free ||
                before.module_area_holes != after.module_area_holes
            ? "module-area ranges"
        : before.vrange_free != after.vrange_free || before.vrange_holes != after.vrange_holes
            ? "virtual ranges"
        : before.heap_bytes != after.heap_bytes ? "heap bytes"
                                                : nullptr;
    if (differs) format(detail, size, "%s differ after %zu cycles", differs, done);
    return differs == nullptr;
}

} // namespace celos
