// The module loader (see loader.h and docs/architecture.md, "Modules").
// Steps per module: check the ELF file (ModuleImage::parse), order by
// dependencies, reserve a range in the module area, map fresh pages RW,
// relocate and link in place, register exports, check the descriptor's
// pointers, apply the final page permissions (text RX, rodata R, data RW),
// parse parameters, call init. A failure at any step releases everything the
// module got and the boot goes on with the others.

#include "loader/loader.h"

#include <celos/abi.h>
#include <celos/bootfile.h>

#include "arch/cpu.h"
#include "arch/x86_64/page_table.h"
#include "boot/layout.h"
#include "kernel/kernel.h"
#include "lib/assert.h"
#include "lib/demangle.h"
#include "lib/format.h"
#include "lib/irq.h"
#include "lib/string_view.h"
#include "kernel/boot_screen.h"
#include "kernel/symbolize.h"
#include "loader/debug_info.h"
#include "loader/integrity.h"
#include "loader/init_guard.h"
#include "loader/module_image.h"
#include "log/log.h"
#include "mm/kaslr.h"
#include "mm/kernel_vm.h"
#include "mm/wx_audit.h"
#include "module/params.h"
#include "module/resource_snapshot.h"

extern "C" const celos::CoreExport __celos_exports_start[];
extern "C" const celos::CoreExport __celos_exports_end[];

namespace celos {

void service_remove_by_ops(const void* ops);          // core/loader/abi_exports.cpp
void log_sink_remove(const celos_log_sink* sink);     // core/loader/abi_exports.cpp

namespace {

using loader::Diagnostic;
using loader::ModuleImage;
using loader::Region;
using loader::RegionTarget;
using x86_64::PteFlag;
using x86_64::PteFlags;

constexpr usize kMaxSlots = mb2::kMaxModules;
constexpr usize kMaxResources = 1024;
constexpr usize kExportSlots = 1024; // power of two
constexpr usize kMaxBootFiles = mb2::kMaxModules;
constexpr usize kMaxServiceName = 48;
// A module2 line's label (its first word) and so a boot file's name: the
// NAME_MAX of the file systems GRUB reads. A longer one is refused, never cut.
constexpr usize kMaxLabel = CELOS_BOOTFILE_NAME_MAX;

// declined: init said it is not needed (CELOS_ERR_EXISTS), and it was unloaded.
// unloaded: a module loaded after boot (module_load_file) and unloaded; the
// slot can be used again.
enum class SlotState : u8 { empty, parsed, refused, declined, initializing, loaded, unloaded };

struct ModuleSlot {
    SlotState state;
    char label[kMaxLabel + 1]; // the first word of the module2 command line, for messages
    const char* args;          // the rest of that command line (parameters)
    ByteSpan file;
    ModuleImage image;
    RegionTarget targets[loader::kRegionCount];
    u64 region_size[loader::kRegionCount];
    u64 range_base;
    u64 range_size;
    const celos_module_descriptor* descriptor;
    bool quiet; // no lines for a successful load or unload (selftest cycles)
    char refusal[200];
};

struct Resource {
    bool used;
    ResourceKind kind;
    int owner;
    u64 a;
    u64 b;
};

struct ExportEntry {
    const char* name; // nullptr: empty; kTombstone: removed
    u64 address;
    int owner;
};

struct BootFile {
    char name[kMaxLabel + 1];
    const u8* data;
    usize size;
};

ModuleSlot slots[kMaxSlots];
usize slot_count;
int load_sequence[kMaxSlots]; // slot indices in the order they started
usize started_count;
Resource resources[kMaxResources];
ExportEntry exports[kExportSlots];
BootFile boot_files[kMaxBootFiles];
usize boot_file_count;
const char* const kTombstone = reinterpret_cast<const char*>(1);

bool same(const char* a, const char* b) {
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
}

u32 name_hash(const char* s) { // FNV-1a
    u32 h = 2166136261u;
    for (; *s; ++s) h = (h ^ static_cast<u8>(*s)) * 16777619u;
    return h;
}

ExportEntry* export_find(const char* name) {
    for (usize i = name_hash(name) & (kExportSlots - 1), n = 0; n < kExportSlots; ++n, i = (i + 1) & (kExportSlots - 1)) {
        ExportEntry& e = exports[i];
        if (e.name == nullptr) return nullptr;
        if (e.name != kTombstone && same(e.name, name)) return &e;
    }
    return nullptr;
}

bool export_insert(const char* name, u64 address, int owner) {
    for (usize i = name_hash(name) & (kExportSlots - 1), n = 0; n < kExportSlots; ++n, i = (i + 1) & (kExportSlots - 1)) {
        ExportEntry& e = exports[i];
        if (e.name == nullptr || e.name == kTombstone) {
            e = {name, address, owner};
            return true;
        }
    }
    return false;
}

void exports_remove_owned(int owner) {
    for (ExportEntry& e : exports)
        if (e.name != nullptr && e.name != kTombstone && e.owner == owner) e.name = kTombstone;
}

class ExportResolver final : public loader::SymbolResolver {
public:
    bool resolve(const char* name, u64& address) override {
        const ExportEntry* e = export_find(name);
        if (!e) return false;
        address = e->address;
        return true;
    }
};

u64 module_area_mappings() {
    u64 count = 0;
    kernel().page_table->walk(
        [](void* ctx, VirtAddr virt, PhysAddr, x86_64::PageSize size, PteFlags) {
            if (virt.value() >= MODULE_AREA_BASE && virt.value() < MODULE_AREA_END)
                *static_cast<u64*>(ctx) += static_cast<u64>(size) / kPageSize;
        },
        &count);
    return count;
}

void refuse(ModuleSlot& m, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void refuse(ModuleSlot& m, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vformat(m.refusal, sizeof m.refusal, fmt, args);
    va_end(args);
    m.state = SlotState::refused;
    log_error("module %s: refused: %s", m.label, m.refusal);
}

// Diagnostics start with the file's label; messages here already name it.
const char* without_prefix(const char* message, const char* label) {
    usize n = 0;
    while (label[n] && message[n] == label[n]) ++n;
    if (label[n] == '\0' && message[n] == ':' && message[n + 1] == ' ') return message + n + 2;
    return message;
}

int slot_index(const ModuleSlot& m) { return static_cast<int>(&m - slots); }

const celos_heap_service* heap_service() {
    return static_cast<const celos_heap_service*>(celos_service_lookup("heap", 2));
}

// Releases everything a module got: its heap blocks (the heap module owns
// their pages, so they are not in the resource table), what it allocated
// through the ABI, its exports, its pages and its range in the module area.
void unload(ModuleSlot& m) {
    int owner = slot_index(m);
    loader::debug_module_removed(static_cast<usize>(owner));
    // Its log sinks first: the lines below must not run through a module
    // whose memory is being released.
    module_log_sinks_remove(owner);
    if (const celos_heap_service* heap = heap_service()) {
        int heap_owner = -1;
        resource_find(ResourceKind::service, reinterpret_cast<u64>(heap), nullptr, &heap_owner);
        usize blocks = heap_owner == owner ? 0 : heap->release_module(owner);
        if (blocks != 0 && !m.quiet) log_info("module %s: freed %zu heap blocks it still held", m.label, blocks);
    }
    for (Resource& r : resources) {
        if (!r.used || r.owner != owner) continue;
        r.used = false;
        switch (r.kind) {
        case ResourceKind::pages: kernel().pmm.free_pages(PhysAddr(r.a), r.b); break;
        case ResourceKind::vrange: kernel_vrange_unmap(r.a, r.b); break;
        case ResourceKind::service: service_remove_by_ops(reinterpret_cast<const void*>(r.a)); break;
        case ResourceKind::log_sink: log_sink_remove(reinterpret_cast<const celos_log_sink*>(r.a)); break;
        case ResourceKind::framebuffer: {
            bool still_drawn = false;
            for (const Resource& o : resources) still_drawn |= o.used && o.kind == ResourceKind::framebuffer;
            if (!still_drawn) boot_screen_reclaim();
            break;
        }
        }
    }
    exports_remove_owned(owner);
    for (usize r = 0; r < loader::kRegionCount; ++r) {
        if (m.region_size[r] != 0 && m.targets[r].address != 0)
            unmap_and_free_pages(m.targets[r].address, m.region_size[r] / kPageSize);
        m.targets[r] = {};
    }
    if (m.range_size != 0) kernel().module_area.free(m.range_base, m.range_size);
    m.range_size = 0;
    m.descriptor = nullptr;
}

// --- parameters ----------------------------------------------------------

bool inside(const ModuleSlot& m, Region r, u64 address, u64 size) {
    const RegionTarget& t = m.targets[static_cast<int>(r)];
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
        u64 size = p.type == CELOS_PARAM_BOOL ? sizeof(bool) : p.type == CELOS_PARAM_INT ? sizeof(int64_t) : p.size;
        if (p.type < CELOS_PARAM_BOOL || p.type > CELOS_PARAM_STRING || size == 0) {
            format(d.message, sizeof d.message, "parameter '%s': unknown type %u or zero size", p.name, p.type);
            return false;
        }
        if (!inside(m, Region::data, reinterpret_cast<u64>(p.value), size)) {
            format(d.message, sizeof d.message, "parameter '%s': its value is not in the module's data", p.name);
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
    params_apply(Span<const celos_module_param>(desc->params, desc->param_count), m.args,
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

// --- loading ---------------------------------------------------------------

void log_leak_check(const ModuleSlot& m, const ResourceSnapshot& before) {
    ResourceSnapshot after = ResourceSnapshot::take();
    char change[320];
    ResourceSnapshot::describe(before, after, change, sizeof change);
    if (!ResourceSnapshot::compare(before, after))
        log_info("module %s: released everything: %s", m.label, change);
    else
        log_error("module %s: LEAK after unloading: %s", m.label, change);
}

bool load(ModuleSlot& m) {
    u64 started = arch::now_ns();
    ResourceSnapshot before = ResourceSnapshot::take();
    Diagnostic d;
    auto fail = [&](const char* stage) {
        const char* why = without_prefix(d.message, m.label);
        log_error("module %s: refused: %s: %s", m.label, stage, why);
        format(m.refusal, sizeof m.refusal, "%s: %s", stage, why);
        unload(m);
        m.state = SlotState::refused;
        log_leak_check(m, before);
        return false;
    };

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
        return fail("layout");
    }
    m.range_base = range.value();
    m.range_size = total + kPageSize;
    u64 at = m.range_base;
    for (usize r = 0; r < loader::kRegionCount; ++r) {
        if (m.region_size[r] == 0) continue;
        auto mapped = map_fresh_pages(at, m.region_size[r] / kPageSize, PteFlag::writable | PteFlag::no_execute);
        if (!mapped.ok()) {
            format(d.message, sizeof d.message, "cannot map %llu KiB: %s",
                   static_cast<unsigned long long>(m.region_size[r] / 1024), mapped.error().check);
            return fail("layout");
        }
        m.targets[r] = {reinterpret_cast<u8*>(at), at};
        at += m.region_size[r];
    }

    ExportResolver resolver;
    loader::RelocationStats stats;
    if (!m.image.relocate(m.targets, resolver, stats, d).ok()) return fail("linking");

    int owner = slot_index(m);
    for (usize i = 0; i < m.image.export_count(); ++i) {
        const char* name = nullptr;
        u64 address = 0;
        if (!m.image.export_at(i, m.targets, name, address)) continue;
        if (const ExportEntry* e = export_find(name)) {
            format(d.message, sizeof d.message, "duplicate export '%s' (already exported by %s)", name,
                   module_name(e->owner));
            return fail("exports");
        }
        if (!export_insert(name, address, owner)) {
            format(d.message, sizeof d.message, "the export table is full");
            return fail("exports");
        }
    }

    m.descriptor = reinterpret_cast<const celos_module_descriptor*>(m.image.descriptor_address(m.targets));
    if (!check_descriptor(m, d)) return fail("descriptor");

    // Final permissions, now that relocation is done.
    const PteFlags region_flags[loader::kRegionCount] = {
        PteFlags(), PteFlags(PteFlag::no_execute), PteFlag::writable | PteFlag::no_execute};
    for (usize r = 0; r < loader::kRegionCount; ++r) {
        if (m.region_size[r] == 0) continue;
        if (!kernel_vrange_protect(m.targets[r].address, m.region_size[r] / kPageSize, region_flags[r]).ok()) {
            format(d.message, sizeof d.message, "cannot apply page permissions");
            return fail("permissions");
        }
    }

    if (!apply_parameters(m, d)) return fail("parameters");
    u64 linked = arch::now_ns();
    if (!m.quiet)
        log_info("module %s %s: text 0x%llx (%llu KiB), rodata 0x%llx (%llu KiB), data 0x%llx (%llu KiB), "
                 "%zu relocations, linked in %llu us",
                 m.descriptor->name, m.descriptor->version, static_cast<unsigned long long>(m.targets[0].address),
                 static_cast<unsigned long long>(m.region_size[0] / 1024),
                 static_cast<unsigned long long>(m.targets[1].address),
                 static_cast<unsigned long long>(m.region_size[1] / 1024),
                 static_cast<unsigned long long>(m.targets[2].address),
                 static_cast<unsigned long long>(m.region_size[2] / 1024), stats.applied,
                 static_cast<unsigned long long>((linked - started) / 1000));

    loader::debug_module_added(static_cast<usize>(slot_index(m)), m.image, m.targets, m.label, m.file.size());
    // A fault in init is reported, ends init with CELOS_ERR_FAULT, and the
    // module is unloaded like any failed one (loader/init_guard.h).
    m.state = SlotState::initializing;
    celos_status status = init_guard_call(owner, m.descriptor->init);
    if (status == CELOS_ERR_EXISTS) {
        // What the module would provide is already there (a fallback font
        // module after a working one): not an error.
        log_info("module %s: not needed (init returned CELOS_ERR_EXISTS: already provided); unloaded", m.label);
        unload(m);
        m.state = SlotState::declined;
        format(m.refusal, sizeof m.refusal, "what it provides is already provided");
        log_leak_check(m, before);
        return false;
    }
    if (status != CELOS_OK) {
        format(d.message, sizeof d.message, "init returned %s (%s)", celos_status_name(status),
               celos_strerror(status));
        return fail("init");
    }
    m.state = SlotState::loaded;
    load_sequence[started_count++] = slot_index(m);
    if (!m.quiet)
        log_info("module %s: started in %llu us (load and init)", m.label,
                 static_cast<unsigned long long>((arch::now_ns() - started) / 1000));
    return true;
}

// The next word of a depends string ("a b,c"), or false at the end.
bool next_dependency(const char*& p, StringView& out) {
    while (*p == ' ' || *p == ',') ++p;
    if (!*p) return false;
    const char* start = p;
    while (*p && *p != ' ' && *p != ',') ++p;
    out = StringView(start, static_cast<usize>(p - start));
    return true;
}

bool service_available(StringView at_name) {
    char name[kMaxServiceName];
    StringView(at_name.data + 1, at_name.length - 1).copy_to(name, sizeof name);
    return celos_service_lookup(name, 0) != nullptr;
}

// Whether the service "@name" is registered by `module`.
bool service_provided_by(StringView at_name, int module) {
    char name[kMaxServiceName];
    StringView(at_name.data + 1, at_name.length - 1).copy_to(name, sizeof name);
    const void* ops = celos_service_lookup(name, 0);
    int owner = -1;
    return ops && resource_find(ResourceKind::service, reinterpret_cast<u64>(ops), nullptr, &owner) &&
           owner == module;
}

// A module by its descriptor name; a module refused before its file was
// parsed (the integrity check, a file that is not ELF) has none, and is
// found by its label, which names the module on a well-formed module2 line.
ModuleSlot* find_by_name(StringView name) {
    for (usize i = 0; i < slot_count; ++i) {
        ModuleSlot& s = slots[i];
        if (s.state == SlotState::empty || s.state == SlotState::unloaded) continue;
        const char* known = s.image.info().name[0] ? s.image.info().name : s.label;
        if (name == StringView(known)) return &s;
    }
    return nullptr;
}

// " (without it, unresolved: a, b)" for the symbols m needs that no
// export provides yet; "" when there are none.
void describe_unresolved(const ModuleSlot& m, char* buf, usize size) {
    struct Ctx {
        char* buf;
        usize size;
        usize at;
        usize count;
    } ctx{buf, size, 0, 0};
    buf[0] = '\0';
    m.image.for_each_undefined(
        [](void* p, const char* name) {
            auto& c = *static_cast<Ctx*>(p);
            if (export_find(name) || c.at >= c.size) return;
            c.at += format(c.buf + c.at, c.size - c.at, "%s%s", c.count++ ? ", " : " (without it, unresolved: ", name);
        },
        &ctx);
    if (ctx.count && ctx.at < size) format(buf + ctx.at, size - ctx.at, ")");
}

// A cycle through m, as "a -> b -> a", or false when m is not on one.
bool describe_cycle(ModuleSlot& m, char* buf, usize size) {
    ModuleSlot* path[kMaxSlots];
    usize depth = 0;
    ModuleSlot* at = &m;
    // Follow the first dependency that is still waiting, at most slot_count steps.
    while (depth < slot_count) {
        path[depth++] = at;
        ModuleSlot* next = nullptr;
        const char* p = at->image.info().depends;
        StringView dep;
        while (next_dependency(p, dep)) {
            if (dep.data[0] == '@') continue;
            ModuleSlot* s = find_by_name(dep);
            if (s && s->state == SlotState::parsed) {
                next = s;
                break;
            }
        }
        if (!next) return false;
        if (next == &m) {
            usize n = 0;
            for (usize i = 0; i < depth; ++i) n += format(buf + n, n < size ? size - n : 0, "%s -> ", path[i]->label);
            format(buf + n, n < size ? size - n : 0, "%s", m.label);
            return true;
        }
        at = next;
    }
    return false;
}

void order_and_load() {
    bool progress = true;
    while (progress) {
        progress = false;
        for (usize i = 0; i < slot_count; ++i) {
            ModuleSlot& m = slots[i];
            if (m.state != SlotState::parsed) continue;
            const char* p = m.image.info().depends;
            StringView dep;
            bool ready = true;
            while (next_dependency(p, dep) && m.state == SlotState::parsed) {
                if (dep.data[0] == '@') { // a service some other module provides
                    if (!service_available(dep)) ready = false;
                    continue;
                }
                ModuleSlot* s = find_by_name(dep);
                if (!s) {
                    char missing[160];
                    describe_unresolved(m, missing, sizeof missing);
                    refuse(m, "depends on '%.*s', which is not among the boot modules%s", static_cast<int>(dep.length),
                           dep.data, missing);
                } else if (s->state == SlotState::refused || s->state == SlotState::declined) {
                    refuse(m, "depends on '%.*s', which was %s", static_cast<int>(dep.length), dep.data,
                           s->state == SlotState::refused ? "refused" : "not needed");
                } else if (s->state != SlotState::loaded) {
                    ready = false;
                }
            }
            if (m.state != SlotState::parsed) {
                progress = true;
                continue;
            }
            if (ready) {
                load(m);
                progress = true;
            }
        }
    }
    // What is still waiting needs a service no module provides, is on a
    // dependency cycle, or waits for one.
    for (usize i = 0; i < slot_count; ++i) {
        ModuleSlot& m = slots[i];
        if (m.state != SlotState::parsed) continue;
        const char* p = m.image.info().depends;
        StringView dep;
        bool missing_service = false;
        while (!missing_service && next_dependency(p, dep)) {
            if (dep.data[0] != '@' || service_available(dep)) continue;
            missing_service = true;
            refuse(m, "needs the service '%.*s', which no started module provides", static_cast<int>(dep.length - 1),
                   dep.data + 1);
        }
        if (missing_service) continue;
        char cycle[160];
        if (describe_cycle(m, cycle, sizeof cycle)) {
            format(m.refusal, sizeof m.refusal, "dependency cycle: %s", cycle);
            log_error("module %s: refused: dependency cycle: %s", m.label, cycle);
        } else {
            format(m.refusal, sizeof m.refusal, "depends on a module in a dependency cycle");
            log_error("module %s: refused: depends on a module in a dependency cycle", m.label);
        }
    }
    for (usize i = 0; i < slot_count; ++i)
        if (slots[i].state == SlotState::parsed) slots[i].state = SlotState::refused;
}

void register_core_exports() {
    for (const CoreExport* e = __celos_exports_start; e != __celos_exports_end; ++e) {
        if (export_find(e->name)) panic("loader: the core exports '%s' twice", e->name);
        if (!export_insert(e->name, reinterpret_cast<u64>(e->address), -1)) panic("loader: export table full");
    }
}

// The first word of a module2 command line (its label) and what follows.
StringView first_word(const char* s, const char*& rest) {
    while (*s == ' ')
        ++s;
    usize n = 0;
    while (s[n] && s[n] != ' ')
        ++n;
    rest = s + n;
    return StringView(s, n);
}

bool has_dot(StringView word) {
    for (usize i = 0; i < word.length; ++i)
        if (word.data[i] == '.') return true;
    return false;
}

// How a refused line is named: a file name ("font.psf") is a boot file.
const char* line_kind(StringView label) {
    return has_dot(label) ? "boot file" : "module";
}

// Module2 lines the boot information could not hold (mb2::kMaxModules):
// each is named, none is loaded.
usize log_refused_lines(const mb2::BootInfo& bi) {
    for (usize i = 0; i < bi.refused_module_count && i < mb2::kMaxRefusedModules; ++i) {
        const char* rest = "";
        const StringView label = first_word(bi.refused_modules[i], rest);
        constexpr int kShown = 64;
        log_error("%s %.*s%s refused: more than %zu module2 lines (the limit)", line_kind(label),
                  label.length > kShown ? kShown : static_cast<int>(label.length), label.data,
                  label.length > kShown ? "..." : "", mb2::kMaxModules);
    }
    if (bi.refused_module_count > mb2::kMaxRefusedModules)
        log_error("%zu more module2 lines refused: more than %zu module2 lines (the limit)",
                  bi.refused_module_count - mb2::kMaxRefusedModules, mb2::kMaxModules);
    return bi.refused_module_count;
}

} // namespace

const char* module_name(int module) {
    if (module < 0 || static_cast<usize>(module) >= slot_count) return "core";
    return slots[module].image.info().name[0] ? slots[module].image.info().name : slots[module].label;
}

int module_owning(u64 address) {
    for (usize i = 0; i < slot_count; ++i) {
        const ModuleSlot& m = slots[i];
        if ((m.state == SlotState::loaded || m.state == SlotState::initializing) && m.range_size != 0 &&
            address >= m.range_base && address < m.range_base + m.range_size)
            return static_cast<int>(i);
    }
    return -1;
}

usize module_regions(WxRegion* out, usize max) {
    constexpr WxRegionKind kinds[loader::kRegionCount] = {WxRegionKind::text, WxRegionKind::rodata, WxRegionKind::data};
    usize n = 0;
    for (usize i = 0; i < slot_count; ++i) {
        const ModuleSlot& m = slots[i];
        if (m.state != SlotState::loaded) continue;
        for (usize r = 0; r < loader::kRegionCount && n < max; ++r)
            if (m.region_size[r] != 0 && m.targets[r].address != 0)
                out[n++] = {module_name(static_cast<int>(i)), kinds[r], m.targets[r].address,
                            m.targets[r].address + m.region_size[r]};
    }
    return n;
}

bool module_symbolize(u64 address, char* buf, usize size) {
    int owner = module_owning(address);
    if (owner < 0) return false;
    const ModuleSlot& m = slots[owner];
    const char* best = nullptr;
    u64 best_address = 0;
    for (usize i = 0; i < m.image.symbol_count(); ++i) {
        const char* name;
        u64 sym, sym_size;
        if (!m.image.symbol_at(i, m.targets, name, sym, sym_size)) continue;
        if (sym <= address && (sym_size == 0 || address - sym < sym_size) && (!best || sym >= best_address)) {
            best = name;
            best_address = sym;
        }
    }
    char demangled[128];
    if (best && demangle_function_name(best, demangled, sizeof demangled)) best = demangled;
    if (best)
        format(buf, size, "%s:%s+0x%llx", module_name(owner), best, static_cast<unsigned long long>(address - best_address));
    else
        format(buf, size, "%s:0x%llx", module_name(owner), static_cast<unsigned long long>(address - m.range_base));
    return true;
}

bool resource_track(int owner, ResourceKind kind, u64 a, u64 b) {
    // The core's own uses are recorded too (owner -1), so that the matching
    // free finds them; only a module's are released when it fails.
    IrqGuard guard;
    for (Resource& r : resources) {
        if (!r.used) {
            r = {true, kind, owner, a, b};
            return true;
        }
    }
    log_warn("loader: resource table full; refusing an allocation of %s", module_name(owner));
    return false;
}

bool resource_find(ResourceKind kind, u64 a, u64* b_out, int* owner_out) {
    IrqGuard guard;
    for (const Resource& r : resources) {
        if (r.used && r.kind == kind && r.a == a) {
            if (b_out) *b_out = r.b;
            if (owner_out) *owner_out = r.owner;
            return true;
        }
    }
    return false;
}

bool resource_untrack(ResourceKind kind, u64 a, u64* b_out) {
    IrqGuard guard;
    for (Resource& r : resources) {
        if (r.used && r.kind == kind && r.a == a) {
            if (b_out) *b_out = r.b;
            r.used = false;
            return true;
        }
    }
    return false;
}

u64 module_area_mapped_pages() { return module_area_mappings(); }

int module_find_loaded(const char* name) {
    for (usize i = 0; i < slot_count; ++i)
        if (slots[i].state == SlotState::loaded && same(slots[i].image.info().name, name)) return static_cast<int>(i);
    return -1;
}

bool module_quiet(int module) { return module >= 0 && static_cast<usize>(module) < slot_count && slots[module].quiet; }

void module_log_sinks_remove(int module) {
    if (module < 0) return;
    IrqGuard guard;
    for (Resource& r : resources) {
        if (!r.used || r.owner != module || r.kind != ResourceKind::log_sink) continue;
        r.used = false;
        log_sink_remove(reinterpret_cast<const celos_log_sink*>(r.a));
    }
}

int module_load_file(const char* file, const char* args, bool quiet) {
    const void* data = nullptr;
    size_t size = 0;
    if (celos_bootfile_find(file, &data, &size) != CELOS_OK) {
        log_error("loader: no boot file '%s' to load a module from", file);
        return -1;
    }
    ModuleSlot* slot = nullptr;
    for (usize i = 0; i < slot_count && !slot; ++i)
        if (slots[i].state == SlotState::unloaded) slot = &slots[i];
    if (!slot && slot_count < kMaxSlots) slot = &slots[slot_count++];
    if (!slot) {
        log_error("loader: %s: no free module slot (at most %zu modules)", file, kMaxSlots);
        return -1;
    }
    ModuleSlot& m = *slot;
    StringView(file).copy_to(m.label, sizeof m.label);
    m.args = args ? args : "";
    m.file = ByteSpan(static_cast<const u8*>(data), size);
    m.quiet = quiet;
    m.range_size = 0;
    m.descriptor = nullptr;
    m.refusal[0] = '\0';
    for (usize r = 0; r < loader::kRegionCount; ++r) {
        m.targets[r] = {};
        m.region_size[r] = 0;
    }
    m.state = SlotState::parsed;
    auto refused = [&m] {
        m.state = SlotState::unloaded; // the slot is free again
        return -1;
    };
    // The same integrity check as at boot: modsig=enforce holds for modules
    // loaded later too.
    char why[sizeof m.refusal];
    if (!integrity_check_module(m.label, m.file, why, sizeof why, quiet)) {
        refuse(m, "%s", why);
        return refused();
    }
    Diagnostic d;
    if (!ModuleImage::parse(m.file, m.label, CELOS_ABI_VERSION_MAJOR, CELOS_ABI_VERSION_MINOR, m.image, d).ok()) {
        refuse(m, "%s", without_prefix(d.message, m.label));
        return refused();
    }
    // From here on messages name the module, as at boot.
    StringView(m.image.info().name).copy_to(m.label, sizeof m.label);
    for (usize i = 0; i < slot_count; ++i) {
        const ModuleSlot& o = slots[i];
        if (&o != &m && (o.state == SlotState::loaded || o.state == SlotState::initializing) &&
            same(o.image.info().name, m.image.info().name)) {
            refuse(m, "a module named '%s' is already loaded", m.image.info().name);
            return refused();
        }
    }
    const char* p = m.image.info().depends;
    StringView dep;
    while (next_dependency(p, dep)) {
        if (dep.data[0] == '@' ? service_available(dep) : (find_by_name(dep) && find_by_name(dep)->state == SlotState::loaded))
            continue;
        refuse(m, "depends on '%.*s', which is not loaded", static_cast<int>(dep.length), dep.data);
        return refused();
    }
    if (!load(m)) return refused();
    return slot_index(m);
}

bool module_unload(int module, bool quiet) {
    if (module < 0 || static_cast<usize>(module) >= slot_count || slots[module].state != SlotState::loaded) {
        log_error("loader: cannot unload module %d: not a loaded module", module);
        return false;
    }
    ModuleSlot& m = slots[module];
    // Not while another loaded module depends on it, on a service it
    // provides ("@font": the module holds the service's ops), or links
    // against it.
    for (usize i = 0; i < slot_count; ++i) {
        ModuleSlot& o = slots[i];
        if (&o == &m || o.state != SlotState::loaded) continue;
        const char* p = o.image.info().depends;
        StringView dep;
        bool needed = false;
        while (!needed && next_dependency(p, dep))
            needed = dep.data[0] == '@' ? service_provided_by(dep, module) : dep == StringView(m.image.info().name);
        struct Ctx {
            int module;
            bool linked;
        } ctx{module, false};
        o.image.for_each_undefined(
            [](void* c, const char* name) {
                auto& x = *static_cast<Ctx*>(c);
                const ExportEntry* e = export_find(name);
                if (e && e->owner == x.module) x.linked = true;
            },
            &ctx);
        if (needed || ctx.linked) {
            log_warn("module %s: not unloaded: module %s %s it", m.label, o.label,
                 needed ? "depends on" : "links against");
            return false;
        }
    }
    if (m.descriptor->exit) m.descriptor->exit();
    m.quiet = quiet;
    unload(m);
    for (usize i = 0; i < started_count; ++i) {
        if (load_sequence[i] != module) continue;
        for (usize j = i; j + 1 < started_count; ++j) load_sequence[j] = load_sequence[j + 1];
        --started_count;
        break;
    }
    m.state = SlotState::unloaded;
    if (!quiet) log_info("module %s: unloaded", m.label);
    return true;
}

extern "C" celos_status celos_bootfile_find(const char* name, const void** data, size_t* size) {
    if (name == nullptr || data == nullptr || size == nullptr) return CELOS_ERR_INVALID;
    for (usize i = 0; i < boot_file_count; ++i) {
        if (same(boot_files[i].name, name)) {
            *data = boot_files[i].data;
            *size = boot_files[i].size;
            return CELOS_OK;
        }
    }
    return CELOS_ERR_NOT_FOUND;
}

void modules_load_all() {
    init_guard_install();
    symbolize_set_module_lookup(module_symbolize);
    register_core_exports();
    const mb2::BootInfo& bi = kernel().boot_info;
    usize lines_refused = log_refused_lines(bi);
    for (usize i = 0; i < bi.module_count; ++i) {
        const mb2::Module& mod = bi.modules[i];
        const u8* data = reinterpret_cast<const u8*>(DIRECT_MAP_BASE + mod.start.value());
        usize size = static_cast<usize>(mod.end - mod.start);
        // A line labelled with a file name ("font.psf") is a boot file; one
        // labelled with a module name (no dot) is a module, ELF or not.
        const char* rest = "";
        const StringView label = first_word(mod.cmdline, rest);
        if (label.length > kMaxLabel) {
            constexpr int kShown = 64;
            log_error("%s %.*s... refused: its name is %zu characters, longer than the limit of %zu",
                      line_kind(label), kShown, label.data, label.length, kMaxLabel);
            ++lines_refused;
            continue;
        }
        if (has_dot(label)) {
            BootFile& f = boot_files[boot_file_count++];
            label.copy_to(f.name, sizeof f.name);
            f.data = data;
            f.size = size;
            log_info("boot file '%s': %zu bytes", f.name, size);
            continue;
        }
        ModuleSlot& m = slots[slot_count++];
        label.copy_to(m.label, sizeof m.label);
        if (m.label[0] == '\0') format(m.label, sizeof m.label, "module%zu", i);
        m.args = rest;
        m.file = ByteSpan(data, size);
        char why[sizeof m.refusal];
        if (!integrity_check_module(m.label, m.file, why, sizeof why)) {
            refuse(m, "%s", why);
            continue;
        }
        Diagnostic d;
        if (!ModuleImage::parse(m.file, m.label, CELOS_ABI_VERSION_MAJOR, CELOS_ABI_VERSION_MINOR, m.image, d).ok()) {
            refuse(m, "%s", without_prefix(d.message, m.label));
            continue;
        }
        for (usize j = 0; j + 1 < slot_count; ++j) {
            if (slots[j].state != SlotState::refused && same(slots[j].image.info().name, m.image.info().name)) {
                refuse(m, "a module named '%s' is already present", m.image.info().name);
                break;
            }
        }
        if (m.state != SlotState::refused) m.state = SlotState::parsed;
    }

    order_and_load();

    char loaded[400] = "";
    usize nl = 0, refused_count = 0, declined_count = 0;
    for (usize i = 0; i < started_count; ++i)
        nl += format(loaded + nl, nl < sizeof loaded ? sizeof loaded - nl : 0, "%s%s", i ? ", " : "",
                     module_name(load_sequence[i]));
    for (usize i = 0; i < slot_count; ++i) {
        declined_count += slots[i].state == SlotState::declined;
        refused_count += slots[i].state != SlotState::loaded && slots[i].state != SlotState::declined;
    }
    char lines[64] = "";
    if (lines_refused != 0) format(lines, sizeof lines, ", %zu module2 lines refused", lines_refused);
    log_info("modules: %zu loaded (%s), %zu refused, %zu not needed, %zu boot files%s", started_count,
             started_count ? loaded : "none", refused_count, declined_count, boot_file_count, lines);
    for (usize i = 0; i < slot_count; ++i)
        if (slots[i].state != SlotState::loaded)
            log_info("  %s %s: %s", slots[i].state == SlotState::declined ? "not needed" : "refused", slots[i].label,
                     slots[i].refusal);
}

} // namespace celos
