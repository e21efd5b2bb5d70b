// <celos/system.h>: main-loop tasks, modules at run time, celos_info,
// stopping the machine.

#include <celos/abi.h>
#include <celos/system.h>

#include "abi/caller.h"
#include "arch/cpu.h"
#include "kernel/info.h"
#include "kernel/tasks.h"
#include "lib/format.h"
#include "lib/string_view.h"
#include "log/log.h"
#include "module/bootfiles.h"
#include "module/module.h"
#include "module/registry.h"

using namespace celos;

namespace {

// While a module is loaded at a program's request, the log's warnings and
// errors are kept: the last one is the reason given back (the same words
// the log has).
class ReasonSink final : public LogSink {
  public:
    void emit(LogLevel level, u64, const char* line, usize length) override {
        if (level != LogLevel::error && level != LogLevel::warn) return;
        usize n = length < sizeof last - 1 ? length : sizeof last - 1;
        __builtin_memcpy(last, line, n);
        last[n] = '\0';
    }
    char last[200] = {};
};

void give(char* why, size_t size, const char* text) {
    if (why && size) format(why, size, "%s", text);
}

// The slot of a boot module named `name` that is not loaded (declined at
// boot, or unloaded since), or null.
ModuleSlot* unloaded_module(const char* name) {
    for (usize i = 0; i < module_slot_count(); ++i) {
        ModuleSlot& m = module_slot(static_cast<int>(i));
        if ((m.state == SlotState::declined || m.state == SlotState::unloaded) &&
            StringView(m.image.info().name) == StringView(name))
            return &m;
    }
    return nullptr;
}

} // namespace

extern "C" {

celos_status celos_task_register(celos_task_fn task, void* context) {
    auto r = task_register(CALLER_MODULE(), task, context);
    return r.ok() ? CELOS_OK : static_cast<celos_status>(r.error().status);
}

celos_status celos_task_unregister(celos_task_fn task, void* context) {
    auto r = task_unregister(task, context);
    return r.ok() ? CELOS_OK : static_cast<celos_status>(r.error().status);
}

celos_status celos_module_load(const char* file, const char* params, char* why, size_t why_size) {
    give(why, why_size, "");
    if (!file || !file[0] || StringView(file).length > kMaxLabel) {
        give(why, why_size, "no file name, or one longer than 255 characters");
        return CELOS_ERR_INVALID;
    }
    if (module_find_loaded(file) >= 0) {
        format(why, why_size, "module '%s' is loaded already", file);
        return CELOS_ERR_EXISTS;
    }
    ReasonSink reasons;
    log_add_sink(reasons);
    int id = -1;
    if (ModuleSlot* m = unloaded_module(file)) {
        // A boot module that is not running: again from its file, with these parameters.
        const StringView a(params ? params : "");
        if (a.length >= sizeof m->args_storage) {
            log_remove_sink(reasons);
            format(why, why_size, "parameters are %zu bytes, longer than the limit of %zu", a.length,
                   sizeof m->args_storage - 1);
            return CELOS_ERR_RANGE;
        }
        a.copy_to(m->args_storage, sizeof m->args_storage);
        m->args = m->args_storage;
        id = module_reload(file, false);
    } else if (const BootFile* f = bootfile_find(StringView(file)); !f) {
        log_remove_sink(reasons);
        format(why, why_size, "no boot file or boot module named '%s' (ls lists the boot files)", file);
        return CELOS_ERR_NOT_FOUND;
    } else if (f->data.size() < 4 || f->data.data()[0] != 0x7f || f->data.data()[1] != 'E' ||
               f->data.data()[2] != 'L' || f->data.data()[3] != 'F') {
        // Refused before the integrity check, which would taint the kernel
        // for a file that is no module at all.
        log_remove_sink(reasons);
        format(why, why_size, "%s is not a module (no ELF header): a boot file of another kind", file);
        return CELOS_ERR_INVALID;
    } else {
        id = module_load_file(file, params, false);
    }
    log_remove_sink(reasons);
    if (id >= 0) return CELOS_OK;
    give(why, why_size, reasons.last[0] ? reasons.last : "the module did not start (see the log)");
    return CELOS_ERR_INVALID;
}

namespace {

celos_status unload(int caller, const char* name, uint32_t flags, char* why, size_t why_size) {
    give(why, why_size, "");
    if (flags & ~uint32_t(CELOS_UNLOAD_ASK_HOLDERS)) {
        format(why, why_size, "unknown flags 0x%x", flags & ~uint32_t(CELOS_UNLOAD_ASK_HOLDERS));
        return CELOS_ERR_INVALID;
    }
    int id = name ? module_find_loaded(name) : -1;
    if (id < 0) {
        format(why, why_size, "no loaded module '%s' (lsmod lists them)", name ? name : "");
        return CELOS_ERR_NOT_FOUND;
    }
    if (id == caller || id == task_running_module()) {
        format(why, why_size, "module %s is the caller: it cannot unload itself while it runs", name);
        return CELOS_ERR_BUSY;
    }
    return module_unload(id, false, why, why_size, flags & CELOS_UNLOAD_ASK_HOLDERS) ? CELOS_OK : CELOS_ERR_BUSY;
}

} // namespace

celos_status celos_module_unload(const char* name, char* why, size_t why_size) {
    return unload(CALLER_MODULE(), name, 0, why, why_size);
}

celos_status celos_module_unload_flags(const char* name, uint32_t flags, char* why, size_t why_size) {
    return unload(CALLER_MODULE(), name, flags, why, why_size);
}

int celos_info(const char* topic, const char* arg, char* out, size_t size) {
    return info_text(topic, arg, out, size);
}

void celos_reboot(void) {
    log_info("celos: reboot (asked by %s)", module_name(CALLER_MODULE()));
    log_flush();
    arch::reset_machine();
}

void celos_poweroff(void) {
    log_info("celos: power off (asked by %s)", module_name(CALLER_MODULE()));
    log_flush();
    arch::power_off();
}

} // extern "C"

CELOS_EXPORT(celos_task_register);
CELOS_EXPORT(celos_task_unregister);
CELOS_EXPORT(celos_module_load);
CELOS_EXPORT(celos_module_unload);
CELOS_EXPORT(celos_module_unload_flags);
CELOS_EXPORT(celos_info);
CELOS_EXPORT(celos_reboot);
CELOS_EXPORT(celos_poweroff);
