// The load pipeline: check the ELF file (ModuleImage::parse), reserve a
// range in the module area, map fresh pages RW, relocate and link in place,
// register exports, check the descriptor's pointers, apply the final page
// permissions (text RX, rodata R, data RW), apply the parameters, call init
// under the fault guard. A failure at any step releases everything the
// module got.

#include "module/load.h"

#include <celos/abi.h>

#include "arch/cpu.h"
#include "arch/x86_64/page_table.h"
#include "boot/layout.h"
#include "kernel/kernel.h"
#include "lib/format.h"
#include "log/log.h"
#include "mm/kaslr.h"
#include "mm/kernel_vm.h"
#include "module/debug_info.h"
#include "module/depends.h"
#include "module/init_guard.h"
#include "module/integrity.h"
#include "module/link_reason.h"
#include "module/module.h"
#include "module/params.h"
#include "module/resource_snapshot.h"
#include "module/resources.h"
#include "module/services.h"

namespace celos {
namespace {

using loader::Diagnostic;
using loader::Region;
using x86_64::PteFlag;
using x86_64::PteFlags;

// The name of a module: its descriptor's, or the one in its file.
const char* slot_module_name(const ModuleSlot& m) {
    return m.descriptor ? m.descriptor->name : m.image.info().name;
}

// Whether `depends` names the module `name` (services do not count).
bool depends_on(const char* depends, const char* name) {
    const char* p = depends;
    Dependency dep;
    while (next_dependency(p, dep))
        if (!dep.service && dep.name == StringView(name)) return true;
    return false;
}

// A module links against the core's exports and those of the modules its
// `depends` names, and nothing else: a module loaded first by chance does
// not count (the same rule as tools/check_module_links.py at build time).
class ExportResolver final : public loader::SymbolResolver {
  public:
    explicit ExportResolver(const ModuleSlot& m) : m_(m) {}

    bool resolve(const char* name, u64& address) override {
        const ExportTable::Entry* e = module_exports().find(name);
        if (!e || !allowed(e->owner)) return false;
        address = e->address;
        return true;
    }

    usize explain(const char* name, char* out, usize size) override {
        LinkFacts facts;
        const char* p = m_.image.info().depends;
        Dependency dep;
        while (next_dependency(p, dep))
            if (!dep.service) facts.has_module_dependencies = true;
        // Who exports it: a loaded module, or one present but not started.
        if (const ExportTable::Entry* e = module_exports().find(name); e && e->owner != kCoreOwner)
            facts.exporter = slot_module_name(module_slot(e->owner));
        for (usize i = 0; !facts.exporter && i < module_slot_count(); ++i) {
            const ModuleSlot& o = module_slot(static_cast<int>(i));
            if (&o == &m_ || o.state != SlotState::parsed) continue;
            for (usize k = 0; k < o.image.export_count(); ++k) {
                const char* x = o.image.export_name_at(k);
                if (x && StringView(x) == StringView(name)) {
                    facts.exporter = o.image.info().name;
                    break;
                }
            }
        }
        // A likely typo: the closest name it could link against.
        LinkSuggestion suggestion(name);
        module_exports().for_each([&](const ExportTable::Entry& e) {
            if (allowed(e.owner)) suggestion.offer(e.name);
        });
        facts.closest = suggestion.best();
        return link_reason(name, facts, out, size);
    }

  private:
    bool allowed(int owner) const {
        return owner == kCoreOwner ||
               depends_on(m_.image.info().depends, slot_module_name(module_slot(owner)));
    }
    const ModuleSlot& m_;
};

bool inside(const ModuleSlot& m, Region r, u64 address, u64 size) {
    const loader::RegionTarget& t = m.targets[static_cast<int>(r)];
    u64 limit = m.region_size[static_cast<int>(r)];
    return t.address != 0 && address >= t.address && size <= limit && address - t.address <= limit - size;
}

bool inside_any(const ModuleSlot& m, u64 address, u64 size) {
    return inside(m, Region::text, address, size) || inside(m, Region::rodata, address, size) ||
           inside(m, Region::data, address, size);
}

// The descriptor comes from the module: every pointer in it must point
// into the module, the parameters' values into its data.
bool check_descriptor(ModuleSlot& m, Diagnostic& d) {
    const celos_module_descriptor* desc = m.descriptor;
    u64 init = reinterpret_cast<u64>(desc->init);
    u64 exit = reinterpret_cast<u64>(desc->exit);
    if (!inside(m, Region::text, init, 1)) {
        format(d.message, sizeof d.message, "descriptor: init 0x%llx is not in the module's text",
               static_cast<unsigned long long>(init));
        return false;
    }
    if (exit != 0 && !inside(m, Region::text, exit, 1)) {
        format(d.message, sizeof d.message, "descriptor: exit 0x%llx is not in the module's text",
               static_cast<unsigned long long>(exit));
        return false;
    }
    if (desc->param_count > 64) {
        format(d.message, sizeof d.message, "descriptor: %u parameters (at most 64)", desc->param_count);
        return false;
    }
    if (desc->param_count == 0) return true;
    u64 params = reinterpret_cast<u64>(desc->params);
    if (!inside_any(m, params, static_cast<u64>(desc->param_count) * sizeof(celos_module_param))) {
        format(d.message, sizeof d.message, "descriptor: the parameter table is not inside the module");
        return false;
    }
    for (u32 i = 0; i < desc->param_count; ++i) {
        const celos_module_param& p = desc->params[i];
        if (strnlen(p.name, sizeof p.name) == sizeof p.name || p.name[0] == '\0') {
            format(d.message, sizeof d.message, "parameter %u: name is empty or not NUL-terminated", i);
            return false;
        }
        u64 size = p.type == CELOS_PARAM_BOOL  ? sizeof(bool)
                   : p.type == CELOS_PARAM_INT ? sizeof(int64_t)
                                               : p.size;
        if (p.type < CELOS_PARAM_BOOL || p.type > CELOS_PARAM_STRING || size == 0) {
            format(d.message, sizeof d.message, "parameter '%s': unknown type %u or zero size", p.name,
                   p.type);
            return false;
        }
        if (!inside(m, Region::data, reinterpret_cast<u64>(p.value), size)) {
            format(d.message, sizeof d.message, "parameter '%s': its value is not in the module's data",
                   p.name);
            return false;
        }
    }
    return true;
}

// Parameters from the module2 line (module/params.cpp): a bad value is a
// warning and the parameter keeps its default; a string longer than its
// parameter holds (a file name, say) refuses the module, with the first
// such problem as the reason.
bool apply_parameters(ModuleSlot& m, Diagnostic& d) {
    const celos_module_descriptor* desc = m.descriptor;
    struct Ctx {
        ModuleSlot& m;
        Diagnostic& d;
        bool refused;
    } ctx{m, d, false};
    params_apply(
        Span<const celos_module_param>(desc->params, desc->param_count), m.args,
        [](void* p, bool fatal, const char* message) {
            auto& c = *static_cast<Ctx*>(p);
            if (!fatal) {
                log_warn("module %s: %s", c.m.label, message);
            } else if (!c.refused) {
                format(c.d.message, sizeof c.d.message, "%s", message);
                c.refused = true;
            }
        },
        &ctx);
    return !ctx.refused;
}

// The heap blocks a module allocates are freed when it goes. Recorded before
// init, so it is the module's oldest resource and released last: its sinks
// and services (which may point into those blocks) are gone by then.
void release_heap_blocks(int owner, u64, u64) {
    const celos_heap_service* heap = heap_service();
    if (!heap) return;
    usize blocks = heap->release_module(owner);
    if (blocks != 0 && !module_quiet(owner))
        log_info("module %s: freed %zu heap blocks it still held", module_name(owner), blocks);
}

// After a failed or declined start. Other modules keep allocating meanwhile
// (the console draws the lines above through the font's glyph cache), so the
// heap is judged by what this module still holds, the rest by the totals.
void log_leak_check(const ModuleSlot& m, ResourceSnapshot before) {
    ResourceSnapshot after = ResourceSnapshot::take();
    const celos_heap_service* heap = heap_service();
    const usize own_heap = heap ? heap->bytes_in_use_by(slot_id(m)) : 0;
    const usize own_records = resources_count(slot_id(m));
    before.heap_bytes = after.heap_bytes = 0;
    char change[448];
    ResourceSnapshot::describe(before, after, change, sizeof change);
    if (!ResourceSnapshot::compare(before, after) && own_heap == 0 && own_records == 0)
        log_info("module %s: released everything: %s, its heap bytes 0, its resources 0", m.label, change);
    else
        log_error("module %s: LEAK after unloading: %s, its heap bytes %zu, its resources %zu", m.label,
                  change, own_heap, own_records);
}

bool map_regions(ModuleSlot& m, Diagnostic& d) {
    // Layout: [text][rodata][data][guard page], each region page-aligned.
    u64 total = 0;
    for (usize r = 0; r < loader::kRegionCount; ++r) {
        m.region_size[r] = m.image.region_size(static_cast<Region>(r));
        total += m.region_size[r];
    }
    auto range = module_area_allocate(total + kPageSize); // randomized unless nokaslr
    if (!range.ok()) {
        format(d.message, sizeof d.message, "no room in the module area for %llu KiB",
               static_cast<unsigned long long>(total / 1024));
        return false;
    }
    m.range_base = range.value();
    m.range_size = total + kPageSize;
    u64 at = m.range_base;
    for (usize r = 0; r < loader::kRegionCount; ++r) {
        if (m.region_size[r] == 0) continue;
        auto mapped =
            map_fresh_pages(at, m.region_size[r] / kPageSize, PteFlag::writable | PteFlag::no_execute);
        if (!mapped.ok()) {
            format(d.message, sizeof d.message, "cannot map %llu KiB: %s",
                   static_cast<unsigned long long>(m.region_size[r] / 1024), mapped.error().check);
            return false;
        }
        m.targets[r] = {reinterpret_cast<u8*>(at), at};
        at += m.region_size[r];
    }
    return true;
}

// parse() refuses a module with more exports than the table could hold.
static_assert(loader::kMaxExports <= ExportTable::kMaxEntries);

bool register_exports(ModuleSlot& m, Diagnostic& d) {
    for (usize i = 0; i < m.image.export_count(); ++i) {
        const char* name = nullptr;
        u64 address = 0;
        if (!m.image.export_at(i, m.targets, name, address)) continue;
        auto r = module_exports().insert(name, address, slot_id(m));
        if (r.ok()) continue;
        if (r.error().status == Status::exists)
            format(d.message, sizeof d.message, "duplicate export '%s' (already exported by %s)", name,
                   module_name(module_exports().find(name)->owner));
        else
            format(d.message, sizeof d.message, "%s", r.error().check);
        return false;
    }
    return true;
}

bool protect_regions(ModuleSlot& m, Diagnostic& d) {
    const PteFlags region_flags[loader::kRegionCount] = {PteFlags(), PteFlags(PteFlag::no_execute),
                                                         PteFlag::writable | PteFlag::no_execute};
    for (usize r = 0; r < loader::kRegionCount; ++r) {
        if (m.region_size[r] == 0) continue;
        if (!kernel_vrange_protect(m.targets[r].address, m.region_size[r] / kPageSize, region_flags[r])
                 .ok()) {
            format(d.message, sizeof d.message, "cannot apply page permissions");
            return false;
        }
    }
    return true;
}

} // namespace

const celos_heap_service* heap_service() {
    return static_cast<const celos_heap_service*>(service_lookup("heap", 2));
}

bool module_parse(ModuleSlot& m) {
    m.range_size = 0;
    m.descriptor = nullptr;
    m.refusal[0] = '\0';
    for (usize r = 0; r < loader::kRegionCount; ++r) {
        m.targets[r] = {};
        m.region_size[r] = 0;
    }
    // The same integrity check at boot and later: modsig=enforce holds for both.
    Diagnostic d;
    if (!integrity_check_module(m.label, m.file, d, m.quiet).ok()) {
        module_refuse(m, "%s", d.message);
        return false;
    }
    if (!loader::ModuleImage::parse(m.file, m.label, CELOS_ABI_VERSION_MAJOR, CELOS_ABI_VERSION_MINOR,
                                    m.image, d)
             .ok()) {
        module_refuse(m, "%s", without_label(d.message, m.label));
        return false;
    }
    m.state = SlotState::parsed;
    return true;
}

bool module_start(ModuleSlot& m) {
    const int id = slot_id(m);
    u64 started = arch::now_ns();
    ResourceSnapshot before = ResourceSnapshot::take();
    Diagnostic d;
    auto fail = [&](const char* stage) {
        const char* why = without_label(d.message, m.label);
        log_error("module %s: refused: %s: %s", m.label, stage, why);
        format(m.refusal, sizeof m.refusal, "%s: %s", stage, why);
        module_release(m);
        m.state = SlotState::refused;
        log_leak_check(m, before);
        return false;
    };

    if (!map_regions(m, d)) return fail("layout");
    ExportResolver resolver(m);
    loader::RelocationStats stats;
    if (!m.image.relocate(m.targets, resolver, stats, d).ok()) return fail("linking");
    if (!register_exports(m, d)) return fail("exports");
    m.descriptor = reinterpret_cast<const celos_module_descriptor*>(m.image.descriptor_address(m.targets));
    if (!check_descriptor(m, d)) return fail("descriptor");
    if (!protect_regions(m, d)) return fail("permissions");
    if (!apply_parameters(m, d)) return fail("parameters");
    if (!m.quiet)
        log_info("module %s %s: text 0x%llx (%llu KiB), rodata 0x%llx (%llu KiB), data 0x%llx (%llu KiB), "
                 "%zu relocations, linked in %llu us",
                 m.descriptor->name, m.descriptor->version,
                 static_cast<unsigned long long>(m.targets[0].address),
                 static_cast<unsigned long long>(m.region_size[0] / 1024),
                 static_cast<unsigned long long>(m.targets[1].address),
                 static_cast<unsigned long long>(m.region_size[1] / 1024),
                 static_cast<unsigned long long>(m.targets[2].address),
                 static_cast<unsigned long long>(m.region_size[2] / 1024), stats.applied,
                 static_cast<unsigned long long>((arch::now_ns() - started) / 1000));

    loader::debug_module_added(static_cast<usize>(id), m.image, m.targets, m.label, m.file.size());
    module_index_add(m);
    if (heap_service() &&
        !resource_add(id, ResourceKind::heap_blocks, static_cast<u64>(id), 0, release_heap_blocks)) {
        format(d.message, sizeof d.message, "the resource table is full");
        return fail("init");
    }
    // A fault in init is reported, ends init with CELOS_ERR_FAULT, and the
    // module is released like any failed one (module/init_guard.h).
    m.state = SlotState::initializing;
    celos_status status = init_guard_call(id, m.descriptor->init);
    if (status == CELOS_ERR_EXISTS || status == CELOS_ERR_NO_DEVICE) {
        // What the module would provide is already there (a fallback font
        // module after a working one), or the device it drives is absent
        // (a display driver on a machine with another card): not an error.
        const char* why =
            status == CELOS_ERR_EXISTS ? "what it provides is already provided" : "the device it drives is absent";
        log_info("module %s: not needed (init returned %s: %s); unloaded", m.label, celos_status_name(status), why);
        module_release(m);
        m.state = SlotState::declined;
        format(m.refusal, sizeof m.refusal, "%s", why);
        log_leak_check(m, before);
        return false;
    }
    if (status != CELOS_OK) {
        format(d.message, sizeof d.message, "init returned %s (%s)", celos_status_name(status),
               celos_strerror(status));
        return fail("init");
    }
    m.state = SlotState::loaded;
    module_started(m);
    if (!m.quiet)
        log_info("module %s: started in %llu us (load and init)", m.label,
                 static_cast<unsigned long long>((arch::now_ns() - started) / 1000));
    return true;
}

void module_release(ModuleSlot& m) {
    const int id = slot_id(m);
    loader::debug_module_removed(static_cast<usize>(id));
    // Its log sinks first, whatever their age: the lines below must not run
    // through a module whose memory is being released.
    resources_release_kind(id, ResourceKind::log_sink);
    resources_release_all(id);
    module_exports().remove_owned(id);
    module_index_remove(m);
    for (usize r = 0; r < loader::kRegionCount; ++r) {
        if (m.region_size[r] != 0 && m.targets[r].address != 0)
            unmap_and_free_pages(m.targets[r].address, m.region_size[r] / kPageSize);
        m.targets[r] = {};
    }
    if (m.range_size != 0) kernel().module_area.free(m.range_base, m.range_size);
    m.range_size = 0;
    m.descriptor = nullptr;
}

void module_log_sinks_remove(int module) {
    if (module >= 0) resources_release_kind(module, ResourceKind::log_sink);
}

} // namespace celos
