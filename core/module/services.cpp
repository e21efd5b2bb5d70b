#include "module/services.h"

#include "lib/format.h"
#include "lib/irq.h"
#include "lib/string_view.h"
#include "log/log.h"
#include "module/module.h"
#include "module/registry.h"
#include "module/resources.h"

namespace celos {
namespace {

struct Service {
    const char* name; // null: a free entry; the provider's string
    u32 version;
    const void* ops;
    int provider;
};

struct Hold {
    celos_service_handle handle; // 0: a free entry
    int service;                 // index into services; -1 when the provider went anyway
    int holder;
    u32 min_version;
    bool watched;
    celos_service_watch watch;
};

constexpr usize kMaxServices = 32;
constexpr usize kMaxHolds = 128;
Service services[kMaxServices];
Hold holds[kMaxHolds];
celos_service_handle next_handle = 1;

int find_service(const char* name) {
    for (usize i = 0; i < kMaxServices; ++i)
        if (services[i].name && cstr_equal(services[i].name, name)) return static_cast<int>(i);
    return -1;
}

int find_service(StringView name) {
    for (usize i = 0; i < kMaxServices; ++i)
        if (services[i].name && StringView(services[i].name) == name) return static_cast<int>(i);
    return -1;
}

Hold* find_hold(celos_service_handle handle) {
    for (Hold& h : holds)
        if (h.handle == handle && handle != 0) return &h;
    return nullptr;
}

usize hold_count(int service) {
    usize n = 0;
    for (const Hold& h : holds)
        n += h.handle != 0 && h.service == service;
    return n;
}

// Released with the provider's module (its unload was allowed, or its init
// failed): the registration goes whoever still holds it.
void release_registration(int owner, u64 ops, u64) {
    IrqGuard guard;
    for (usize i = 0; i < kMaxServices; ++i) {
        Service& s = services[i];
        if (!s.name || reinterpret_cast<u64>(s.ops) != ops) continue;
        for (Hold& h : holds) {
            if (h.handle == 0 || h.service != static_cast<int>(i)) continue;
            if (h.holder != owner)
                log_warn("service '%s': module %s still held it when %s went", s.name, module_name(h.holder),
                         module_name(owner));
            h.service = -1;
        }
        s = {};
    }
}

void release_hold(int, u64 handle, u64) {
    IrqGuard guard;
    if (Hold* h = find_hold(static_cast<celos_service_handle>(handle))) *h = {};
}

} // namespace

Result<void> service_register(int owner, const char* name, u32 version, const void* ops) {
    if (name == nullptr || ops == nullptr || name[0] == '\0')
        return make_error(Status::invalid, "no name or no ops");
    IrqGuard guard;
    if (find_service(name) >= 0) return make_error(Status::exists, "a provider of the service is registered");
    Service* slot = nullptr;
    for (Service& s : services)
        if (!s.name) {
            slot = &s;
            break;
        }
    if (!slot) return make_error(Status::no_memory, "the service table is full");
    if (!resource_add(owner, ResourceKind::service, reinterpret_cast<u64>(ops), 0, release_registration))
        return make_error(Status::no_memory, "the resource table is full");
    *slot = {name, version, ops, owner};
    if (!module_quiet(owner)) log_debug("service '%s' version %u registered", name, version);
    return {};
}

Result<void> service_unregister(int caller, const char* name, const void* ops) {
    if (name == nullptr) return make_error(Status::invalid, "no name");
    IrqGuard guard;
    int i = find_service(name);
    if (i < 0 || services[i].ops != ops) return make_error(Status::not_found, "no such provider");
    for (const Hold& h : holds)
        if (h.handle != 0 && h.service == i && h.holder != caller)
            return make_error(Status::busy, "another module holds the service");
    for (Hold& h : holds)
        if (h.handle != 0 && h.service == i) h.service = -1;
    resource_remove(ResourceKind::service, reinterpret_cast<u64>(ops), nullptr);
    services[i] = {};
    return {};
}

const void* service_lookup(const char* name, u32 min_version) {
    if (name == nullptr) return nullptr;
    IrqGuard guard;
    int i = find_service(name);
    return i >= 0 && services[i].version >= min_version ? services[i].ops : nullptr;
}

Result<ServiceHold> service_acquire(int holder, const char* name, u32 min_version,
                                    const celos_service_watch* watch) {
    if (name == nullptr || (watch && !watch->replace))
        return make_error(Status::invalid, "no name, or a watch without replace");
    IrqGuard guard;
    int i = find_service(name);
    if (i < 0 || services[i].version < min_version) return make_error(Status::not_found, "no such provider");
    Hold* slot = nullptr;
    for (Hold& h : holds)
        if (h.handle == 0) {
            slot = &h;
            break;
        }
    if (!slot) return make_error(Status::no_memory, "the hold table is full");
    celos_service_handle handle = next_handle++;
    if (next_handle <= 0) next_handle = 1;
    if (!resource_add(holder, ResourceKind::service_hold, static_cast<u64>(handle), 0, release_hold))
        return make_error(Status::no_memory, "the resource table is full");
    *slot = {handle, i, holder, min_version, watch != nullptr, watch ? *watch : celos_service_watch{}};
    return ServiceHold{handle, services[i].ops};
}

Result<void> service_release(int holder, celos_service_handle handle) {
    IrqGuard guard;
    Hold* h = find_hold(handle);
    if (!h || h->holder != holder) return make_error(Status::not_found, "not a hold of this module");
    resource_remove(ResourceKind::service_hold, static_cast<u64>(handle), nullptr);
    *h = {};
    return {};
}

Result<void> service_replace(int owner, const char* name, u32 version, const void* ops) {
    if (name == nullptr || ops == nullptr || name[0] == '\0')
        return make_error(Status::invalid, "no name or no ops");
    const int i = find_service(name);
    if (i < 0) return service_register(owner, name, version, ops);
    Service old = services[i];
    if (old.ops == ops) return make_error(Status::exists, "these ops provide the service already");
    for (const Hold& h : holds) {
        if (h.handle == 0 || h.service != i) continue;
        if (!h.watched) return make_error(Status::busy, "a holder cannot switch (it has no watch)");
        if (version < h.min_version) return make_error(Status::unsupported, "a holder needs a newer version");
    }
    // Each holder switches; on a refusal, those that switched go back.
    usize switched = 0;
    for (usize k = 0; k < kMaxHolds; ++k) {
        Hold& h = holds[k];
        if (h.handle == 0 || h.service != i) continue;
        celos_status s = h.watch.replace(h.watch.context, ops, version);
        if (s != CELOS_OK) {
            log_warn("service '%s': module %s refused the new provider (%s); %s stays", name,
                     module_name(h.holder), celos_strerror(s), module_name(old.provider));
            for (usize j = 0; j < k; ++j)
                if (holds[j].handle != 0 && holds[j].service == i)
                    holds[j].watch.replace(holds[j].watch.context, old.ops, old.version);
            return make_error(static_cast<Status>(s < 0 && s >= CELOS_ERR_BUSY ? s : CELOS_ERR_INVALID),
                              "a holder refused the new provider");
        }
        ++switched;
    }
    IrqGuard guard;
    if (!resource_add(owner, ResourceKind::service, reinterpret_cast<u64>(ops), 0, release_registration))
        return make_error(Status::no_memory, "the resource table is full");
    resource_remove(ResourceKind::service, reinterpret_cast<u64>(old.ops), nullptr);
    services[i] = {name, version, ops, owner};
    log_info("service '%s': %s replaces %s (%zu holders switched)", name, module_name(owner),
             module_name(old.provider), switched);
    return {};
}

bool service_available(StringView name) {
    IrqGuard guard;
    return find_service(name) >= 0;
}

bool service_provided_by(StringView name, int module) {
    IrqGuard guard;
    int i = find_service(name);
    return i >= 0 && services[i].provider == module;
}

int service_held_from(int provider, const char** service) {
    IrqGuard guard;
    for (const Hold& h : holds) {
        if (h.handle == 0 || h.service < 0 || h.holder == provider) continue;
        const Service& s = services[h.service];
        if (s.provider != provider) continue;
        if (service) *service = s.name;
        return h.holder;
    }
    return -1;
}

namespace {

// A hold on a service that `provider` registered, by another module.
bool held_from(const Hold& h, int provider) {
    return h.handle != 0 && h.service >= 0 && h.holder != provider && services[h.service].provider == provider;
}

// Whether a holder may be asked to let go: a watch, in a module built for
// ABI 1.7 or later (an older one would take NULL ops for a provider).
bool askable(const Hold& h) {
    if (h.holder < 0 || static_cast<usize>(h.holder) >= module_slot_count()) return false; // the core
    const ModuleSlot& m = module_slot(h.holder);
    return h.watched && m.image.info().abi_major == 1 && m.image.info().abi_minor >= 7;
}

} // namespace

bool service_ask_holders(int provider, char* why, usize why_size) {
    for (const Hold& h : holds) {
        if (!held_from(h, provider) || askable(h)) continue;
        format(why, why_size, "module %s holds its service '%s'", module_name(h.holder), services[h.service].name);
        return false;
    }
    // The replace calls run outside the guard, as in service_replace: a
    // holder may log, draw and release its hold meanwhile.
    for (Hold& h : holds) {
        if (!held_from(h, provider)) continue;
        const Hold asked = h;
        const char* name = services[asked.service].name;
        celos_status s = asked.watch.replace(asked.watch.context, nullptr, 0);
        if (s != CELOS_OK) {
            format(why, why_size, "module %s holds its service '%s' and does not let go: %s",
                   module_name(asked.holder), name, celos_strerror(s));
            return false;
        }
        log_info("service '%s': module %s let go of it", name, module_name(asked.holder));
        IrqGuard guard;
        if (Hold* still = find_hold(asked.handle)) { // not released by the holder itself
            resource_remove(ResourceKind::service_hold, static_cast<u64>(asked.handle), nullptr);
            *still = {};
        }
    }
    return true;
}

void services_for_each(void (*fn)(void*, const char*, u32, int, usize), void* ctx) {
    for (usize i = 0; i < kMaxServices; ++i)
        if (services[i].name)
            fn(ctx, services[i].name, services[i].version, services[i].provider,
               hold_count(static_cast<int>(i)));
}

} // namespace celos

namespace celos {

void service_holds_for_each(void (*fn)(void* ctx, const char* name, int provider, int holder), void* ctx) {
    for (const Hold& h : holds)
        if (h.handle != 0 && h.service >= 0 && services[h.service].name)
            fn(ctx, services[h.service].name, services[h.service].provider, h.holder);
}

} // namespace celos
