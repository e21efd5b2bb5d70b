#include "kernel/info.h"

#include <stdarg.h>

#include "kernel/kernel.h"
#include "lib/format.h"
#include "lib/string_view.h"
#include "log/log.h"
#include "module/bootfiles.h"
#include "module/depends.h"
#include "module/load.h"
#include "module/module.h"
#include "module/registry.h"
#include "module/resources.h"
#include "module/services.h"

namespace celos {
namespace {

// Appends to a caller's buffer, always NUL-terminated, counting the whole
// length as snprintf does.
class Text {
  public:
    Text(char* out, usize size) : out_(out), size_(size) {
        if (size_) out_[0] = '\0';
    }
    void add(const char* fmt, ...) __attribute__((format(printf, 2, 3))) {
        char line[512];
        va_list args;
        va_start(args, fmt);
        usize n = vformat(line, sizeof line, fmt, args);
        va_end(args);
        if (n >= sizeof line) n = sizeof line - 1;
        raw(line, n);
    }
    void raw(const char* s, usize n) {
        for (usize i = 0; i < n; ++i, ++length_)
            if (length_ + 1 < size_) out_[length_] = s[i];
        if (size_) out_[length_ + 1 < size_ ? length_ : size_ - 1] = '\0';
    }
    int length() const { return static_cast<int>(length_); }

  private:
    char* out_;
    usize size_;
    usize length_ = 0;
};

const char* state_name(SlotState s) {
    switch (s) {
    case SlotState::parsed: return "waiting";
    case SlotState::refused: return "refused";
    case SlotState::declined: return "not needed";
    case SlotState::initializing: return "starting";
    case SlotState::loaded: return "live";
    case SlotState::unloaded: return "unloaded";
    case SlotState::empty: break;
    }
    return "empty";
}

// A slot whose record names a module (parsed at least once).
bool has_image(const ModuleSlot& m) {
    return m.state != SlotState::empty && m.image.info().name[0] != '\0';
}

const char* name_of(const ModuleSlot& m) {
    return has_image(m) ? m.image.info().name : m.label;
}

// Who uses module `id`: modules that depend on it, then holders of its
// services ("fbcon (font)"), comma-separated, into `t`; "-" when none.
void add_users(Text& t, int id) {
    const ModuleSlot& m = module_slot(id);
    bool any = false;
    for (usize i = 0; i < module_slot_count(); ++i) {
        const ModuleSlot& o = module_slot(static_cast<int>(i));
        if (&o == &m || o.state != SlotState::loaded) continue;
        const char* p = o.image.info().depends;
        Dependency dep;
        while (next_dependency(p, dep)) {
            bool uses = dep.service ? service_provided_by(dep.name, id) : dep.name == StringView(name_of(m));
            if (!uses) continue;
            t.add("%s%s", any ? ", " : "", o.image.info().name);
            any = true;
            break;
        }
    }
    struct Ctx {
        Text* t;
        int id;
        bool* any;
    } ctx{&t, id, &any};
    service_holds_for_each(
        [](void* c, const char* service, int provider, int holder) {
            auto& x = *static_cast<Ctx*>(c);
            if (provider != x.id) return;
            x.t->add("%s%s (%s)", *x.any ? ", " : "", module_name(holder), service);
            *x.any = true;
        },
        &ctx);
    if (!any) t.add("-");
}

u64 module_bytes(const ModuleSlot& m) {
    return m.range_size;
}

int modules_text(Text& t) {
    t.add("%-16s %-8s %-18s %9s  %-10s %s\n", "Module", "Version", "Address", "Size", "State", "Used by");
    for (usize i = 0; i < module_slot_count(); ++i) {
        const ModuleSlot& m = module_slot(static_cast<int>(i));
        if (m.state == SlotState::empty) continue;
        bool live = m.state == SlotState::loaded || m.state == SlotState::initializing;
        t.add("%-16s %-8s ", name_of(m), has_image(m) ? m.image.info().version : "-");
        if (live)
            t.add("0x%016llx %5llu KiB  ", static_cast<unsigned long long>(m.range_base),
                  static_cast<unsigned long long>(module_bytes(m) / 1024));
        else
            t.add("%-18s %9s  ", "-", "-");
        t.add("%-10s ", state_name(m.state));
        if (live)
            add_users(t, static_cast<int>(i));
        else
            t.add("-");
        t.add("\n");
    }
    return t.length();
}

int module_names_text(Text& t) {
    for (usize i = 0; i < module_slot_count(); ++i) {
        const ModuleSlot& m = module_slot(static_cast<int>(i));
        if (m.state == SlotState::loaded) t.add("%s\n", name_of(m));
    }
    return t.length();
}

void add_param_value(Text& t, const celos_module_param& p) {
    switch (p.type) {
    case CELOS_PARAM_BOOL: t.add("%s", *static_cast<const bool*>(p.value) ? "on" : "off"); break;
    case CELOS_PARAM_INT: t.add("%lld", static_cast<long long>(*static_cast<const i64*>(p.value))); break;
    case CELOS_PARAM_STRING: {
        // Terminated within its buffer by the loader's checks and the parser;
        // made visible in case the module wrote controls into it.
        const char* s = static_cast<const char*>(p.value);
        usize n = 0;
        while (n < p.size && s[n]) ++n;
        char shown[CELOS_BOOTFILE_NAME_MAX * 3 + 1];
        log_make_visible(s, n, shown, sizeof shown);
        t.add("'%s'", shown);
        break;
    }
    default: t.add("?"); break;
    }
}

const char* param_type_name(u32 type) {
    switch (type) {
    case CELOS_PARAM_BOOL: return "bool";
    case CELOS_PARAM_INT: return "int";
    case CELOS_PARAM_STRING: return "string";
    }
    return "?";
}

int module_text(Text& t, const char* name, char* out, usize size) {
    const ModuleSlot* found = nullptr;
    for (usize i = 0; i < module_slot_count() && !found; ++i) {
        const ModuleSlot& m = module_slot(static_cast<int>(i));
        if (m.state != SlotState::empty && StringView(name_of(m)) == StringView(name)) found = &m;
    }
    if (!found) {
        format(out, size, "no module '%s' (lsmod lists them)", name);
        return -1;
    }
    const ModuleSlot& m = *found;
    const int id = slot_id(m);
    bool live = m.state == SlotState::loaded;
    t.add("name:        %s\n", name_of(m));
    if (has_image(m)) t.add("version:     %s\n", m.image.info().version);
    t.add("file:        %s\n", m.label);
    t.add("state:       %s", state_name(m.state));
    if (m.state == SlotState::refused && m.refusal[0]) t.add(" (%s)", m.refusal);
    t.add("\n");
    if (live) {
        t.add("address:     0x%016llx, %llu KiB (text %llu, rodata %llu, data %llu KiB)\n",
              static_cast<unsigned long long>(m.range_base), static_cast<unsigned long long>(m.range_size / 1024),
              static_cast<unsigned long long>(m.region_size[0] / 1024),
              static_cast<unsigned long long>(m.region_size[1] / 1024),
              static_cast<unsigned long long>(m.region_size[2] / 1024));
    }
    if (has_image(m)) t.add("depends:     %s\n", m.image.info().depends[0] ? m.image.info().depends : "-");
    if (live) {
        t.add("used by:     ");
        add_users(t, id);
        t.add("\n");
    }
    if (live && m.descriptor) {
        t.add("parameters:  %s\n", m.descriptor->param_count ? "" : "-");
        for (u32 i = 0; i < m.descriptor->param_count; ++i) {
            const celos_module_param& p = m.descriptor->params[i];
            t.add("  %s (%s) = ", p.name, param_type_name(p.type));
            add_param_value(t, p);
            if (p.description) {
                char shown[256];
                log_make_visible(p.description, StringView(p.description).length, shown, sizeof shown);
                t.add(": %s", shown);
            }
            t.add("\n");
        }
        usize exports = 0;
        t.add("exports:     ");
        module_exports().for_each([&](const ExportTable::Entry& e) {
            if (e.owner != id) return;
            t.add("%s%s", exports++ ? ", " : "", e.name);
        });
        t.add("%s\n", exports ? "" : "-");
        struct Ctx {
            Text* t;
            int id;
            usize n;
        } provides{&t, id, 0};
        t.add("provides:    ");
        services_for_each(
            [](void* c, const char* service, u32 version, int provider, usize holders) {
                auto& x = *static_cast<Ctx*>(c);
                if (provider != x.id) return;
                x.t->add("%s%s (version %u, %zu holders)", x.n++ ? ", " : "", service, version, holders);
            },
            &provides);
        t.add("%s\n", provides.n ? "" : "-");
        Ctx holds{&t, id, 0};
        t.add("holds:       ");
        service_holds_for_each(
            [](void* c, const char* service, int provider, int holder) {
                auto& x = *static_cast<Ctx*>(c);
                if (holder != x.id) return;
                x.t->add("%s%s (from %s)", x.n++ ? ", " : "", service, module_name(provider));
            },
            &holds);
        t.add("%s\n", holds.n ? "" : "-");
        t.add("resources:   %zu\n", resources_count(id));
    }
    return t.length();
}

const char* bootfile_kind(ByteSpan d) {
    const u8* p = d.data();
    usize n = d.size();
    if (n >= 4 && p[0] == 0x7f && p[1] == 'E' && p[2] == 'L' && p[3] == 'F') return "module";
    if (n >= 4 && ((p[0] == 0 && p[1] == 1 && p[2] == 0 && p[3] == 0) || (p[0] == 't' && p[1] == 'r' && p[2] == 'u' && p[3] == 'e')))
        return "font (TrueType)";
    if (n >= 4 && p[0] == 'O' && p[1] == 'T' && p[2] == 'T' && p[3] == 'O') return "font (OpenType)";
    if (n >= 2 && p[0] == 0x36 && p[1] == 0x04) return "font (PSF1)";
    if (n >= 4 && p[0] == 0x72 && p[1] == 0xb5 && p[2] == 0x4a && p[3] == 0x86) return "font (PSF2)";
    return "other";
}

int bootfiles_text(Text& t, bool names_only) {
    if (!names_only) t.add("%-40s %10s  %s\n", "File", "Bytes", "Kind");
    for (const BootFile& f : bootfiles()) {
        char name[CELOS_BOOTFILE_NAME_MAX * 3 + 1];
        log_make_visible(f.name.data, f.name.length, name, sizeof name);
        if (names_only)
            t.add("%s\n", name);
        else
            t.add("%-40s %10zu  %s\n", name, f.data.size(), bootfile_kind(f.data));
    }
    return t.length();
}

int memory_text(Text& t) {
    KernelState& k = kernel();
    u64 total = k.pmm.total_page_count(), free = k.pmm.free_page_count();
    t.add("physical:    %llu pages (%llu MiB), %llu free (%llu MiB), %llu used\n",
          static_cast<unsigned long long>(total), static_cast<unsigned long long>(total * kPageSize >> 20),
          static_cast<unsigned long long>(free), static_cast<unsigned long long>(free * kPageSize >> 20),
          static_cast<unsigned long long>(total - free));
    t.add("module area: %llu pages mapped, %llu KiB free in %zu ranges\n",
          static_cast<unsigned long long>(module_area_mapped_pages()),
          static_cast<unsigned long long>(k.module_area.free_bytes() / 1024), k.module_area.free_range_count());
    const celos_heap_service* heap = heap_service();
    if (!heap) {
        t.add("heap:        no heap module\n");
        return t.length();
    }
    t.add("heap:        %zu bytes in use\n", heap->bytes_in_use());
    usize core = heap->bytes_in_use_by(-1);
    if (core) t.add("  %-16s %zu bytes\n", "core", core);
    for (usize i = 0; i < module_slot_count(); ++i) {
        const ModuleSlot& m = module_slot(static_cast<int>(i));
        if (m.state != SlotState::loaded) continue;
        usize bytes = heap->bytes_in_use_by(static_cast<int>(i));
        t.add("  %-16s %zu bytes\n", name_of(m), bytes);
    }
    return t.length();
}

const char* level_tag(LogLevel level) {
    switch (level) {
    case LogLevel::error: return "error: ";
    case LogLevel::warn: return "warn: ";
    case LogLevel::debug: return "debug: ";
    case LogLevel::info: break;
    }
    return "";
}

int log_text(Text& t, const char* arg, char* out, usize size) {
    u64 want = ~u64(0);
    if (arg) {
        StringView a(arg);
        u64 n = 0;
        bool ok = a.length > 0 && a.length <= 9;
        for (usize i = 0; ok && i < a.length; ++i) {
            ok = a.data[i] >= '0' && a.data[i] <= '9';
            n = n * 10 + static_cast<u64>(a.data[i] - '0');
        }
        if (!ok) {
            format(out, size, "'%s' is not a number of lines", arg);
            return -1;
        }
        want = n;
    }
    struct Ctx {
        u64 total = 0, skip = 0, index = 0;
        Text* t = nullptr;
    } ctx;
    log_replay([](void* c, LogLevel, u64, const char*, usize) { ++static_cast<Ctx*>(c)->total; }, &ctx);
    ctx.skip = ctx.total > want ? ctx.total - want : 0;
    ctx.t = &t;
    log_replay(
        [](void* c, LogLevel level, u64 ts, const char* line, usize length) {
            auto& x = *static_cast<Ctx*>(c);
            if (x.index++ < x.skip) return;
            x.t->add("[%5llu.%06llu] %s", static_cast<unsigned long long>(ts / 1000000000),
                     static_cast<unsigned long long>(ts / 1000 % 1000000), level_tag(level));
            x.t->raw(line, length);
            x.t->raw("\n", 1);
        },
        &ctx);
    return t.length();
}

} // namespace

int info_text(const char* topic, const char* arg, char* out, usize size) {
    Text t(out, size);
    StringView what(topic ? topic : "");
    if (what == StringView("modules")) return modules_text(t);
    if (what == StringView("module-names")) return module_names_text(t);
    if (what == StringView("module")) {
        if (!arg || !arg[0]) {
            format(out, size, "which module? (modinfo NAME)");
            return -1;
        }
        return module_text(t, arg, out, size);
    }
    if (what == StringView("bootfiles")) return bootfiles_text(t, false);
    if (what == StringView("bootfile-names")) return bootfiles_text(t, true);
    if (what == StringView("memory")) return memory_text(t);
    if (what == StringView("log")) return log_text(t, arg, out, size);
    format(out, size, "no topic '%s' (modules, module, module-names, bootfiles, bootfile-names, memory, log)",
           topic ? topic : "");
    return -1;
}

} // namespace celos
