// <celos/log.h>: lines into the kernel log, panics, log sinks (consoles),
// names for addresses and the clock.

#include <celos/abi.h>

#include "abi/caller.h"
#include "arch/cpu.h"
#include "kernel/fault.h"
#include "kernel/panic.h"
#include "kernel/symbolize.h"
#include "lib/format.h"
#include "lib/irq.h"
#include "log/log.h"
#include "module/resources.h"

using namespace celos;

namespace {

// A module's sink (a C struct of function pointers) as one of the log's sinks.
class ModuleLogSink final : public LogSink {
  public:
    const celos_log_sink* sink = nullptr;
    void emit(LogLevel level, u64 timestamp_ns, const char* line, usize length) override {
        // quiet / loglevel=N: live lines and the replay alike.
        if (static_cast<u8>(level) > static_cast<u8>(log_console_level())) return;
        sink->emit(sink->context, static_cast<int>(level), timestamp_ns, line, length);
    }
    void flush() override {
        if (sink->flush) sink->flush(sink->context);
    }
};
constexpr usize kMaxModuleSinks = 4;
ModuleLogSink module_sinks[kMaxModuleSinks];

void remove_sink(const celos_log_sink* sink) {
    IrqGuard guard;
    for (ModuleLogSink& s : module_sinks) {
        if (s.sink != sink) continue;
        log_remove_sink(s);
        s.sink = nullptr;
    }
}

void release_sink(int, u64 sink, u64) {
    remove_sink(reinterpret_cast<const celos_log_sink*>(sink));
}

void log_line(int level, const char* fmt, va_list args, int module) {
    char line[400];
    vformat(line, sizeof line, fmt, args);
    if (level < CELOS_LOG_ERROR || level > CELOS_LOG_DEBUG) level = CELOS_LOG_INFO;
    log(static_cast<LogLevel>(level), "%s: %s", module_name(module), line);
}

} // namespace

extern "C" {

void celos_vlog(int level, const char* fmt, va_list args) {
    log_line(level, fmt, args, CALLER_MODULE());
}

void celos_log(int level, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    log_line(level, fmt, args, CALLER_MODULE());
    va_end(args);
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
        if (!resource_add(CALLER_MODULE(), ResourceKind::log_sink, reinterpret_cast<u64>(sink), 0,
                          release_sink))
            return CELOS_ERR_NO_MEMORY;
        slot->sink = sink;
    }
    // Everything since boot first, then every new line.
    log_replay([](void* ctx, LogLevel level, u64 ts, const char* line,
                  usize length) { static_cast<ModuleLogSink*>(ctx)->emit(level, ts, line, length); },
               slot);
    log_add_sink(*slot);
    return CELOS_OK;
}

celos_status celos_log_sink_unregister(const struct celos_log_sink* sink) {
    if (!resource_remove(ResourceKind::log_sink, reinterpret_cast<u64>(sink), nullptr))
        return CELOS_ERR_NOT_FOUND;
    remove_sink(sink);
    return CELOS_OK;
}

uint64_t celos_time_ns(void) {
    return arch::now_ns();
}

int celos_symbolize(uintptr_t address, char* buf, size_t size) {
    char name[160];
    symbolize(address, name, sizeof name);
    return static_cast<int>(format(buf, size, "%s", name));
}

int celos_module_of(uintptr_t address) {
    return module_owning(address);
}

const char* celos_module_name(int module) {
    return celos::module_name(module);
}

} // extern "C"

CELOS_EXPORT(celos_log);
CELOS_EXPORT(celos_vlog);
CELOS_EXPORT(celos_panic);
CELOS_EXPORT(celos_log_sink_register);
CELOS_EXPORT(celos_log_sink_unregister);
CELOS_EXPORT(celos_symbolize);
CELOS_EXPORT(celos_time_ns);
CELOS_EXPORT(celos_module_of);
CELOS_EXPORT(celos_module_name);
