// The boot modules: each module2 line is a boot file (labelled with a file
// name) or a module (labelled with its name); the modules start in the
// order their dependencies allow, and a summary closes the boot's part.

#include <celos/abi.h>

#include "boot/layout.h"
#include "kernel/kernel.h"
#include "kernel/symbolize.h"
#include "lib/assert.h"
#include "lib/format.h"
#include "log/log.h"
#include "module/bootfiles.h"
#include "module/depends.h"
#include "module/init_guard.h"
#include "module/load.h"
#include "module/module.h"
#include "module/services.h"

extern "C" const celos::CoreExport __celos_exports_start[];
extern "C" const celos::CoreExport __celos_exports_end[];

namespace celos {
namespace {

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

void register_core_exports() {
    for (const CoreExport* e = __celos_exports_start; e != __celos_exports_end; ++e) {
        auto r = module_exports().insert(e->name, reinterpret_cast<u64>(e->address), kCoreOwner);
        if (!r.ok()) panic("modules: the core's export '%s': %s", e->name, r.error().check);
    }
}

// The boot modules as the dependency planner sees them.
class BootGraph final : public DependencyGraph {
  public:
    usize count() const override { return module_slot_count(); }
    StringView name(usize i) const override { return StringView(module_name(static_cast<int>(i))); }
    const char* depends(usize i) const override {
        return module_slot(static_cast<int>(i)).image.info().depends;
    }
    DepState state(usize i) const override {
        switch (module_slot(static_cast<int>(i)).state) {
        case SlotState::parsed: return DepState::waiting;
        case SlotState::loaded: return DepState::loaded;
        case SlotState::declined: return DepState::declined;
        default: return DepState::refused;
        }
    }
    bool service_available(StringView service) const override { return celos::service_available(service); }
};

// " (without it, unresolved: a, b)" for the symbols m needs that no export
// provides yet; "" when there are none.
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
            if (module_exports().find(name) || c.at >= c.size) return;
            c.at += format(c.buf + c.at, c.size - c.at, "%s%s",
                           c.count++ ? ", " : " (without it, unresolved: ", name);
        },
        &ctx);
    if (ctx.count && ctx.at < size) format(buf + ctx.at, size - ctx.at, ")");
}

void start_in_order() {
    BootGraph graph;
    for (DepStep step = dependencies_next(graph); step.kind != DepStep::none;
         step = dependencies_next(graph)) {
        ModuleSlot& m = module_slot(static_cast<int>(step.module));
        const int n = static_cast<int>(step.dependency.length);
        if (step.kind == DepStep::start) {
            module_start(m);
        } else if (step.kind == DepStep::missing) {
            char unresolved[160];
            describe_unresolved(m, unresolved, sizeof unresolved);
            module_refuse(m, "depends on '%.*s', which is not among the boot modules%s", n,
                          step.dependency.data, unresolved);
        } else {
            module_refuse(m, "depends on '%.*s', which was %s", n, step.dependency.data,
                          step.dependency_state == DepState::declined ? "not needed" : "refused");
        }
    }
    // What still waits needs a service no module provides, is on a
    // dependency cycle, or waits for one.
    for (usize i = 0; i < module_slot_count(); ++i) {
        ModuleSlot& m = module_slot(static_cast<int>(i));
        if (m.state != SlotState::parsed) continue;
        char why[sizeof m.refusal];
        dependencies_explain(graph, i, why, sizeof why);
        format(m.refusal, sizeof m.refusal, "%s", why);
        log_error("module %s: refused: %s", m.label, why);
    }
    for (usize i = 0; i < module_slot_count(); ++i)
        if (module_slot(static_cast<int>(i)).state == SlotState::parsed)
            module_slot(static_cast<int>(i)).state = SlotState::refused;
}

void log_summary(usize lines_refused) {
    char loaded[400] = "";
    usize nl = 0, refused = 0, declined = 0;
    Span<const int> started = modules_started();
    for (usize i = 0; i < started.size(); ++i)
        nl += format(loaded + nl, nl < sizeof loaded ? sizeof loaded - nl : 0, "%s%s", i ? ", " : "",
                     module_name(started[i]));
    for (usize i = 0; i < module_slot_count(); ++i) {
        const SlotState s = module_slot(static_cast<int>(i)).state;
        declined += s == SlotState::declined;
        refused += s != SlotState::loaded && s != SlotState::declined;
    }
    char lines[64] = "";
    if (lines_refused != 0) format(lines, sizeof lines, ", %zu module2 lines refused", lines_refused);
    log_info("modules: %zu loaded (%s), %zu refused, %zu not needed, %zu boot files%s", started.size(),
             started.size() ? loaded : "none", refused, declined, bootfiles().size(), lines);
    for (usize i = 0; i < module_slot_count(); ++i) {
        const ModuleSlot& m = module_slot(static_cast<int>(i));
        if (m.state != SlotState::loaded)
            log_info("  %s %s: %s", m.state == SlotState::declined ? "not needed" : "refused", m.label,
                     m.refusal);
    }
}

} // namespace

void modules_load_all() {
    init_guard_install();
    symbolize_set_module_lookup(module_symbolize);
    register_core_exports();
    const mb2::BootInfo& bi = kernel().boot_info;
    usize lines_refused = log_refused_lines(bi);
    for (usize i = 0; i < bi.module_count; ++i) {
        const mb2::Module& mod = bi.modules[i];
        const ByteSpan data(reinterpret_cast<const u8*>(DIRECT_MAP_BASE + mod.start.value()),
                            static_cast<usize>(mod.end - mod.start));
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
            bootfile_add(label, data);
            log_info("boot file '%.*s': %zu bytes", static_cast<int>(label.length), label.data, data.size());
            continue;
        }
        ModuleSlot& m = *module_slot_new(); // as many slots as module2 lines
        label.copy_to(m.label, sizeof m.label);
        if (m.label[0] == '\0') format(m.label, sizeof m.label, "module%zu", i);
        m.args = rest;
        m.file = data;
        m.quiet = false;
        if (!module_parse(m)) continue;
        for (usize j = 0; j < module_slot_count(); ++j) {
            const ModuleSlot& o = module_slot(static_cast<int>(j));
            if (&o != &m && o.state != SlotState::refused &&
                StringView(o.image.info().name) == StringView(m.image.info().name)) {
                module_refuse(m, "a module named '%s' is already present", m.image.info().name);
                break;
            }
        }
    }
    start_in_order();
    log_summary(lines_refused);
}

} // namespace celos
