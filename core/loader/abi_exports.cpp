// The core's side of the module ABI (abi/include/celos/): the functions
// modules may call, each exported with CELOS_EXPORT into the core's export
// table. Resources a module gets are recorded against the calling module
// (found from the return address), so the loader can release them if the
// module fails. abi/exports.txt lists these symbols; an ABI test compares.

#include <celos/abi.h>

#include "arch/cpu.h"
#include "arch/x86_64/cpu.h"
#include "boot/layout.h"
#include "kernel/boot_screen.h"
#include "kernel/fault.h"
#include "kernel/kernel.h"
#include "lib/assert.h"
#include "kernel/panic.h"
#include "kernel/symbolize.h"
#include "lib/format.h"
#include "lib/irq.h"
#include "lib/result.h"
#include "loader/init_guard.h"
#include "loader/loader.h"
#include "mm/kernel_vm.h"
#include "log/log.h"

using namespace celos;

namespace {

// The module whose code called the ABI function this is used in.
#define CALLER_MODULE() module_owning(reinterpret_cast<u64>(__builtin_return_address(0)))

// The status codes mirror celos::Status (core/lib/result.h) one for one.
static_assert(CELOS_ERR_INVALID == static_cast<int>(Status::invalid));
static_assert(CELOS_ERR_NO_MEMORY == static_cast<int>(Status::no_memory));
static_assert(CELOS_ERR_NOT_FOUND == static_cast<int>(Status::not_found));
static_assert(CELOS_ERR_UNSUPPORTED == static_cast<int>(Status::unsupported));
static_assert(CELOS_ERR_RANGE == static_cast<int>(Status::range));
static_assert(CELOS_ERR_EXISTS == static_cast<int>(Status::exists));
static_assert(CELOS_ERR_IO == static_cast<int>(Status::io));

struct Service {
    const char* name;
    u32 version;
    const void* ops;
};
constexpr usize kMaxServices = 32;
Service services[kMaxServices];

bool same(const char* a, const char* b) {
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
}

x86_64::PteFlags prot_flags(u32 prot) {
    x86_64::PteFlags f;
    if (prot & CELOS_PROT_WRITE) f |= x86_64::PteFlag::writable;
    if (!(prot & CELOS_PROT_EXEC)) f |= x86_64::PteFlag::no_execute;
    return f;
}

// A module's sink (a C struct of function pointers) as one of the log's sinks.
class ModuleLogSink final : public LogSink {
public:
    const celos_log_sink* sink = nullptr;
    void emit(LogLevel level, u64 timestamp_ns, const char* line, usize length) override {
        sink->emit(sink->context, static_cast<int>(level), timestamp_ns, line, length);
    }
    void flush() override {
        if (sink->flush) sink->flush(sink->context);
    }
};
constexpr usize kMaxModuleSinks = 4;
ModuleLogSink module_sinks[kMaxModuleSinks];

} // namespace

namespace celos {
void log_sink_remove(const celos_log_sink* sink);
} // namespace celos

extern "C" {

// --- status ----------------------------------------------------------------

const char* celos_status_name(celos_status status) {
    switch (status) {
    case CELOS_OK: return "CELOS_OK";
    case CELOS_ERR_INVALID: return "CELOS_ERR_INVALID";
    case CELOS_ERR_NO_MEMORY: return "CELOS_ERR_NO_MEMORY";
    case CELOS_ERR_NOT_FOUND: return "CELOS_ERR_NOT_FOUND";
    case CELOS_ERR_UNSUPPORTED: return "CELOS_ERR_UNSUPPORTED";
    case CELOS_ERR_RANGE: return "CELOS_ERR_RANGE";
    case CELOS_ERR_EXISTS: return "CELOS_ERR_EXISTS";
    case CELOS_ERR_IO: return "CELOS_ERR_IO";
    case CELOS_ERR_DEPENDENCY: return "CELOS_ERR_DEPENDENCY";
    case CELOS_ERR_FAULT: return "CELOS_ERR_FAULT";
    }
    return "CELOS_ERR_UNKNOWN";
}

const char* celos_strerror(celos_status status) {
    switch (status) {
    case CELOS_OK: return "success";
    case CELOS_ERR_INVALID: return "invalid argument or malformed input";
    case CELOS_ERR_NO_MEMORY: return "out of memory";
    case CELOS_ERR_NOT_FOUND: return "not found";
    case CELOS_ERR_UNSUPPORTED: return "not supported";
    case CELOS_ERR_RANGE: return "value out of range";
    case CELOS_ERR_EXISTS: return "already exists";
    case CELOS_ERR_IO: return "I/O error";
    case CELOS_ERR_DEPENDENCY: return "a dependency is missing or failed";
    case CELOS_ERR_FAULT: return "the code faulted";
    }
    return "unknown error";
}

// --- log -------------------------------------------------------------------

void celos_vlog(int level, const char* fmt, va_list args) {
    char line[400];
    vformat(line, sizeof line, fmt, args);
    if (level < CELOS_LOG_ERROR || level > CELOS_LOG_DEBUG) level = CELOS_LOG_INFO;
    log(static_cast<LogLevel>(level), "%s: %s", module_name(CALLER_MODULE()), line);
}

void celos_log(int level, const char* fmt, ...) {
    char line[400];
    va_list args;
    va_start(args, fmt);
    vformat(line, sizeof line, fmt, args);
    va_end(args);
    if (level < CELOS_LOG_ERROR || level > CELOS_LOG_DEBUG) level = CELOS_LOG_INFO;
    log(static_cast<LogLevel>(level), "%s: %s", module_name(CALLER_MODULE()), line);
}

void celos_panic(const char* fmt, ...) {
    char message[256];
    va_list args;
    va_start(args, fmt);
    vformat(message, sizeof message, fmt, args);
    va_end(args);
    u64 caller = reinterpret_cast<u64>(__builtin_return_address(0));
    char where[128];
    // The byte before the return address: a call to this noreturn function
    // may be the last instruction of its caller.
    if (!module_symbolize(caller - 1, where, sizeof where)) symbolize(caller, where, sizeof where);
    char what[sizeof message + sizeof where + 16];
    format(what, sizeof what, "%s (called from %s)", message, where);
    // From a module's init (a failed assertion there) a hook of the module
    // subsystem recovers: init ends with CELOS_ERR_FAULT and the module is unloaded.
    const u64 frame = reinterpret_cast<u64>(__builtin_frame_address(0));
    fault_handle({FaultKind::panic, what, caller, true, log_backtrace_from, &frame});
}

celos_status celos_log_sink_register(const struct celos_log_sink* sink) {
    if (sink == nullptr || sink->emit == nullptr) return CELOS_ERR_INVALID;
    ModuleLogSink* slot = nullptr;
    {
        IrqGuard guard;
        for (ModuleLogSink& s : module_sinks) {
            if (s.sink == sink) return CELOS_ERR_EXISTS;
            if (!s.sink && !slot) slot = &s;
        }
        if (!slot) return CELOS_ERR_NO_MEMORY;
        if (!resource_track(CALLER_MODULE(), ResourceKind::log_sink, reinterpret_cast<u64>(sink), 0))
            return CELOS_ERR_NO_MEMORY;
        slot->sink = sink;
    }
    // Everything since boot first, then every new line.
    log_replay([](void* ctx, LogLevel level, u64 ts, const char* line, usize length) {
        static_cast<ModuleLogSink*>(ctx)->emit(level, ts, line, length);
    }, slot);
    log_add_sink(*slot);
    return CELOS_OK;
}

celos_status celos_log_sink_unregister(const struct celos_log_sink* sink) {
    if (!resource_untrack(ResourceKind::log_sink, reinterpret_cast<u64>(sink), nullptr)) return CELOS_ERR_NOT_FOUND;
    log_sink_remove(sink);
    return CELOS_OK;
}

uint64_t celos_time_ns(void) { return arch::now_ns(); }

int celos_symbolize(uintptr_t address, char* buf, size_t size) {
    char name[160];
    symbolize(address, name, sizeof name);
    return static_cast<int>(format(buf, size, "%s", name));
}

int celos_module_of(uintptr_t address) { return module_owning(address); }

const char* celos_module_name(int module) { return celos::module_name(module); }

// --- memory ----------------------------------------------------------------

celos_status celos_pages_alloc(size_t count, uint64_t* phys) {
    if (count == 0 || phys == nullptr) return CELOS_ERR_INVALID;
    int owner = CALLER_MODULE();
    auto r = kernel().pmm.alloc_pages(count);
    if (!r.ok()) return CELOS_ERR_NO_MEMORY;
    if (!resource_track(owner, ResourceKind::pages, r.value().value(), count)) {
        kernel().pmm.free_pages(r.value(), count);
        return CELOS_ERR_NO_MEMORY;
    }
    *phys = r.value().value();
    return CELOS_OK;
}

void celos_pages_free(uint64_t phys, size_t count) {
    u64 tracked = 0;
    int owner = -2;
    if (!resource_find(ResourceKind::pages, phys, &tracked, &owner) || owner != CALLER_MODULE() || tracked != count ||
        !resource_untrack(ResourceKind::pages, phys, &tracked))
        celos_panic("celos_pages_free(0x%llx, %zu): not an allocation of that size by this module",
                    static_cast<unsigned long long>(phys), count);
    kernel().pmm.free_pages(PhysAddr(phys), count);
}

void* celos_phys_to_virt(uint64_t phys) { return reinterpret_cast<void*>(DIRECT_MAP_BASE + phys); }

celos_status celos_vrange_alloc(size_t pages, uint32_t prot, void** out) {
    if (pages == 0 || out == nullptr || (prot & ~7u) != 0) return CELOS_ERR_INVALID;
    if ((prot & CELOS_PROT_WRITE) && (prot & CELOS_PROT_EXEC)) return CELOS_ERR_INVALID; // W^X
    int owner = CALLER_MODULE();
    auto range = kernel_vrange_map(pages, prot_flags(prot));
    if (!range.ok()) return static_cast<celos_status>(range.error().status);
    if (!resource_track(owner, ResourceKind::vrange, range.value(), pages)) {
        kernel_vrange_unmap(range.value(), pages);
        return CELOS_ERR_NO_MEMORY;
    }
    *out = reinterpret_cast<void*>(range.value());
    return CELOS_OK;
}

celos_status celos_vrange_protect(void* base, size_t pages, uint32_t prot) {
    if ((prot & CELOS_PROT_WRITE) && (prot & CELOS_PROT_EXEC)) return CELOS_ERR_INVALID;
    // Only a range this caller got from celos_vrange_alloc, and within it.
    u64 mapped = 0;
    int owner = -2;
    if (!resource_find(ResourceKind::vrange, reinterpret_cast<u64>(base), &mapped, &owner) ||
        owner != CALLER_MODULE() || pages == 0 || pages > mapped)
        return CELOS_ERR_INVALID;
    auto r = kernel_vrange_protect(reinterpret_cast<u64>(base), pages, prot_flags(prot));
    return r.ok() ? CELOS_OK : static_cast<celos_status>(r.error().status);
}

void celos_vrange_free(void* base) {
    u64 pages = 0;
    int owner = -2;
    if (!resource_find(ResourceKind::vrange, reinterpret_cast<u64>(base), nullptr, &owner) || owner != CALLER_MODULE() ||
        !resource_untrack(ResourceKind::vrange, reinterpret_cast<u64>(base), &pages))
        celos_panic("celos_vrange_free(%p): not a range this module got from celos_vrange_alloc", base);
    kernel_vrange_unmap(reinterpret_cast<u64>(base), pages);
}

// --- framebuffer -----------------------------------------------------------

const struct celos_framebuffer* celos_framebuffer_get(void) {
    static celos_framebuffer fb;
    const mb2::Framebuffer& m = kernel().boot_info.framebuffer;
    if (!m.present || m.type != mb2::FramebufferType::rgb || kernel().framebuffer.value() == 0) return nullptr;
    boot_screen_release(); // whoever asks draws from now on
    // Recorded, so the core takes the screen back when every module that
    // asked for it is unloaded (boot_screen_reclaim, from the loader).
    int module = CALLER_MODULE();
    if (module >= 0 && !resource_find(ResourceKind::framebuffer, static_cast<u64>(module), nullptr, nullptr))
        resource_track(module, ResourceKind::framebuffer, static_cast<u64>(module), 0);
    fb.pixels = kernel().framebuffer.as<void>();
    fb.physical = m.address.value();
    fb.width = m.width;
    fb.height = m.height;
    fb.pitch = m.pitch;
    fb.bpp = m.bpp;
    fb.red_position = m.red_position;
    fb.red_size = m.red_size;
    fb.green_position = m.green_position;
    fb.green_size = m.green_size;
    fb.blue_position = m.blue_position;
    fb.blue_size = m.blue_size;
    return &fb;
}

// --- services --------------------------------------------------------------

celos_status celos_service_register(const char* name, uint32_t version, const void* ops) {
    if (name == nullptr || ops == nullptr || name[0] == '\0') return CELOS_ERR_INVALID;
    IrqGuard guard;
    Service* slot = nullptr;
    for (Service& s : services) {
        if (s.name && same(s.name, name)) return CELOS_ERR_EXISTS;
        if (!s.name && !slot) slot = &s;
    }
    if (!slot) return CELOS_ERR_NO_MEMORY;
    if (!resource_track(CALLER_MODULE(), ResourceKind::service, reinterpret_cast<u64>(ops), 0))
        return CELOS_ERR_NO_MEMORY;
    *slot = {name, version, ops};
    if (!module_quiet(CALLER_MODULE())) log_debug("service '%s' version %u registered", name, version);
    return CELOS_OK;
}

celos_status celos_service_unregister(const char* name, const void* ops) {
    IrqGuard guard;
    for (Service& s : services) {
        if (s.name && same(s.name, name) && s.ops == ops) {
            resource_untrack(ResourceKind::service, reinterpret_cast<u64>(ops), nullptr);
            s = {};
            return CELOS_OK;
        }
    }
    return CELOS_ERR_NOT_FOUND;
}

const void* celos_service_lookup(const char* name, uint32_t min_version) {
    if (name == nullptr) return nullptr;
    IrqGuard guard;
    for (const Service& s : services)
        if (s.name && same(s.name, name) && s.version >= min_version) return s.ops;
    return nullptr;
}

// --- libc (memcpy, memmove, memset, memcmp, strlen are in lib/runtime.cpp) --

void* memchr(const void* s, int c, size_t n) {
    const auto* p = static_cast<const unsigned char*>(s);
    for (size_t i = 0; i < n; ++i)
        if (p[i] == static_cast<unsigned char>(c)) return const_cast<unsigned char*>(p + i);
    return nullptr;
}

size_t strnlen(const char* s, size_t max) {
    size_t n = 0;
    while (n < max && s[n]) ++n;
    return n;
}

int strcmp(const char* a, const char* b) {
    while (*a && *a == *b) ++a, ++b;
    return static_cast<unsigned char>(*a) - static_cast<unsigned char>(*b);
}

int strncmp(const char* a, const char* b, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        if (a[i] != b[i] || !a[i]) return static_cast<unsigned char>(a[i]) - static_cast<unsigned char>(b[i]);
    }
    return 0;
}

char* strchr(const char* s, int c) {
    for (;; ++s) {
        if (*s == static_cast<char>(c)) return const_cast<char*>(s);
        if (!*s) return nullptr;
    }
}

char* strrchr(const char* s, int c) {
    const char* last = nullptr;
    for (;; ++s) {
        if (*s == static_cast<char>(c)) last = s;
        if (!*s) return const_cast<char*>(last);
    }
}

char* strstr(const char* haystack, const char* needle) {
    if (!*needle) return const_cast<char*>(haystack);
    for (; *haystack; ++haystack) {
        size_t i = 0;
        while (needle[i] && haystack[i] == needle[i]) ++i;
        if (!needle[i]) return const_cast<char*>(haystack);
    }
    return nullptr;
}

char* strncpy(char* dst, const char* src, size_t n) {
    size_t i = 0;
    for (; i < n && src[i]; ++i) dst[i] = src[i];
    for (; i < n; ++i) dst[i] = '\0';
    return dst;
}

int vsnprintf(char* buf, size_t size, const char* fmt, va_list args) {
    return static_cast<int>(vformat(buf, size, fmt, args));
}

int snprintf(char* buf, size_t size, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(buf, size, fmt, args);
    va_end(args);
    return n;
}

// The stack protector's symbols, for modules built with -fstack-protector.
extern uintptr_t __stack_chk_guard;
[[noreturn]] void __stack_chk_fail();

} // extern "C"

namespace celos {
void log_sink_remove(const celos_log_sink* sink) {
    IrqGuard guard;
    for (ModuleLogSink& s : module_sinks) {
        if (s.sink != sink) continue;
        log_remove_sink(s);
        s.sink = nullptr;
    }
}

void service_remove_by_ops(const void* ops) {
    IrqGuard guard;
    for (Service& s : services)
        if (s.name && s.ops == ops) s = {};
}
} // namespace celos

CELOS_EXPORT(celos_status_name);
CELOS_EXPORT(celos_strerror);
CELOS_EXPORT(celos_log);
CELOS_EXPORT(celos_vlog);
CELOS_EXPORT(celos_panic);
CELOS_EXPORT(celos_log_sink_register);
CELOS_EXPORT(celos_log_sink_unregister);
CELOS_EXPORT(celos_symbolize);
CELOS_EXPORT(celos_time_ns);
CELOS_EXPORT(celos_module_of);
CELOS_EXPORT(celos_module_name);
CELOS_EXPORT(celos_pages_alloc);
CELOS_EXPORT(celos_pages_free);
CELOS_EXPORT(celos_phys_to_virt);
CELOS_EXPORT(celos_vrange_alloc);
CELOS_EXPORT(celos_vrange_protect);
CELOS_EXPORT(celos_vrange_free);
CELOS_EXPORT(celos_bootfile_find);
CELOS_EXPORT(celos_framebuffer_get);
CELOS_EXPORT(celos_service_register);
CELOS_EXPORT(celos_service_unregister);
CELOS_EXPORT(celos_service_lookup);
CELOS_EXPORT(memcpy);
CELOS_EXPORT(memmove);
CELOS_EXPORT(memset);
CELOS_EXPORT(memcmp);
CELOS_EXPORT(memchr);
CELOS_EXPORT(strlen);
CELOS_EXPORT(strnlen);
CELOS_EXPORT(strcmp);
CELOS_EXPORT(strncmp);
CELOS_EXPORT(strchr);
CELOS_EXPORT(strrchr);
CELOS_EXPORT(strstr);
CELOS_EXPORT(strncpy);
CELOS_EXPORT(snprintf);
CELOS_EXPORT(vsnprintf);
CELOS_EXPORT(__stack_chk_guard);
CELOS_EXPORT(__stack_chk_fail);
