// Modules after boot: loading from a boot file, loading again, unloading.
// The same pipeline as at boot (load.cpp); the dependencies must be loaded
// already, and an unload is refused while anything needs the module.

#include <celos/abi.h>

#include "lib/format.h"
#include "log/log.h"
#include "module/bootfiles.h"
#include "module/depends.h"
#include "module/load.h"
#include "module/module.h"
#include "module/services.h"

namespace celos {
namespace {

// Loads `m` (label, args, file and quiet set) as a module of the running kernel.
int load(ModuleSlot& m) {
    auto refused = [&m] {
        m.state = SlotState::unloaded; // the slot is free again
        return -1;
    };
    if (!module_parse(m)) return refused();
    // From here on messages name the module, as at boot.
    StringView(m.image.info().name).copy_to(m.label, sizeof m.label);
    for (usize i = 0; i < module_slot_count(); ++i) {
        const ModuleSlot& o = module_slot(static_cast<int>(i));
        if (&o != &m && (o.state == SlotState::loaded || o.state == SlotState::initializing) &&
            StringView(o.image.info().name) == StringView(m.image.info().name)) {
            module_refuse(m, "a module named '%s' is already loaded", m.image.info().name);
            return refused();
        }
    }
    const char* p = m.image.info().depends;
    Dependency dep;
    while (next_dependency(p, dep)) {
        const ModuleSlot* s = dep.service ? nullptr : module_slot_by_name(dep.name);
        if (dep.service ? service_available(dep.name) : s && s->state == SlotState::loaded) continue;
        module_refuse(m, "depends on '%s%.*s', which is not loaded", dep.service ? "@" : "",
                      static_cast<int>(dep.name.length), dep.name.data);
        return refused();
    }
    if (!module_start(m)) return refused();
    return slot_id(m);
}

// Why `m` cannot go now: who holds a service it provides (unless
// `holds` is false), depends on it or links against it; false when
// nothing does.
bool needed_by_others(const ModuleSlot& m, bool holds, char* why, usize size) {
    const int id = slot_id(m);
    const char* service = nullptr;
    int holder = holds ? service_held_from(id, &service) : -1;
    if (holder >= 0) {
        format(why, size, "module %s holds its service '%s'", module_name(holder), service);
        return true;
    }
    for (usize i = 0; i < module_slot_count(); ++i) {
        const ModuleSlot& o = module_slot(static_cast<int>(i));
        if (&o == &m || o.state != SlotState::loaded) continue;
        const char* p = o.image.info().depends;
        Dependency dep;
        bool needed = false;
        while (!needed && next_dependency(p, dep))
            needed =
                dep.service ? service_provided_by(dep.name, id) : dep.name == StringView(m.image.info().name);
        struct Ctx {
            int module;
            bool linked;
        } ctx{id, false};
        o.image.for_each_undefined(
            [](void* c, const char* name) {
                auto& x = *static_cast<Ctx*>(c);
                const ExportTable::Entry* e = module_exports().find(name);
                if (e && e->owner == x.module) x.linked = true;
            },
            &ctx);
        if (needed || ctx.linked) {
            format(why, size, "module %s %s it", o.label, needed ? "depends on" : "links against");
            return true;
        }
    }
    return false;
}

} // namespace

int module_load_file(const char* file, const char* args, bool quiet) {
    const BootFile* f = bootfile_find(StringView(file));
    if (!f) {
        log_error("modules: no boot file '%s' to load a module from", file);
        return -1;
    }
    ModuleSlot* slot = module_slot_new();
    if (!slot) {
        log_error("modules: %s: no free module slot (at most %zu modules)", file, kMaxModuleSlots);
        return -1;
    }
    ModuleSlot& m = *slot;
    StringView(file).copy_to(m.label, sizeof m.label);
    // The caller's string may not live as long as the module (a reload uses it again).
    const StringView a(args ? args : "");
    if (a.length >= sizeof m.args_storage) {
        log_error("modules: %s: parameters are %zu bytes, longer than the limit of %zu", file, a.length,
                  sizeof m.args_storage - 1);
        if (m.state == SlotState::empty) m.state = SlotState::unloaded;
        return -1;
    }
    a.copy_to(m.args_storage, sizeof m.args_storage);
    m.args = m.args_storage;
    m.file = f->data;
    m.quiet = quiet;
    return load(m);
}

int module_reload(const char* name, bool quiet) {
    for (usize i = 0; i < module_slot_count(); ++i) {
        ModuleSlot& m = module_slot(static_cast<int>(i));
        // Unloaded, or declined at its start (released as an unloaded one is).
        if ((m.state != SlotState::unloaded && m.state != SlotState::declined) ||
            StringView(m.image.info().name) != StringView(name))
            continue;
        m.quiet = quiet;
        return load(m);
    }
    log_error("modules: no unloaded module '%s' to load again", name);
    return -1;
}

bool module_unload(int module, bool quiet, char* why_out, usize why_size, bool ask_holders) {
    if (module < 0 || static_cast<usize>(module) >= module_slot_count() ||
        module_slot(module).state != SlotState::loaded) {
        log_error("modules: cannot unload module %d: not a loaded module", module);
        if (why_out) format(why_out, why_size, "not a loaded module");
        return false;
    }
    ModuleSlot& m = module_slot(module);
    char why[160];
    // Holders are asked last: none lets go for an unload refused anyway.
    if (needed_by_others(m, !ask_holders, why, sizeof why) ||
        (ask_holders && !service_ask_holders(module, why, sizeof why))) {
        log_warn("module %s: not unloaded: %s", m.label, why);
        if (why_out) format(why_out, why_size, "%s", why);
        return false;
    }
    if (m.descriptor->exit) m.descriptor->exit();
    m.quiet = quiet;
    module_release(m);
    module_stopped(m);
    m.state = SlotState::unloaded;
    if (!quiet) log_info("module %s: unloaded", m.label);
    return true;
}

} // namespace celos
