#include "kernel/symbolize.h"

#include "kernel/stacks.h"
#include "lib/format.h"
#include "lib/symbols.h"
#include "log/log.h"

extern "C" const celos::u8 __ksyms_start[];
extern "C" const celos::u8 __ksyms_end[];

namespace celos {
namespace {

SymbolTable core_symbols;
ModuleSymbolizer module_symbolize = nullptr;

bool in_module(u64 address, char* buf, usize size) { return module_symbolize && module_symbolize(address, buf, size); }

} // namespace

void symbolize_init() {
    core_symbols = SymbolTable(ByteSpan(__ksyms_start, static_cast<usize>(__ksyms_end - __ksyms_start)));
}

void symbolize_set_module_lookup(ModuleSymbolizer fn) { module_symbolize = fn; }

void symbolize(u64 address, char* buf, usize size) {
    if (in_module(address, buf, size)) return;
    SymbolMatch m;
    if (core_symbols.lookup(address, m)) {
        format(buf, size, "%s+0x%llx", m.name, static_cast<unsigned long long>(m.offset));
    } else {
        format(buf, size, "0x%016llx", static_cast<unsigned long long>(address));
    }
}

bool symbol_address(const char* name, u64& address) { return core_symbols.find(name, address); }

void log_backtrace(u64 rbp, usize max_frames) {
    const KernelStack* stack = stacks_find(rbp);
    log_error("  backtrace (%s):", stack ? stack->name : "unknown stack");
    usize depth = 0;
    // Each frame: [rbp] = caller's rbp, [rbp + 8] = return address. Frames
    // must stay inside one known stack and go up, so a corrupt chain ends.
    while (stack && rbp % 8 == 0 && rbp >= stack->bottom && rbp + 16 <= stack->top) {
        const u64* frame = reinterpret_cast<const u64*>(rbp);
        u64 ret = frame[1];
        if (ret == 0) break;
        if (depth == max_frames) {
            log_error("    ... (more frames)");
            return;
        }
        // A return address may be one past the caller's end (a call to a
        // noreturn function), so name the byte before it.
        char name[128];
        SymbolMatch m;
        if (in_module(ret - 1, name, sizeof name))
            ; // "module:symbol+0xoff" of the call instruction's last byte
        else if (core_symbols.lookup(ret - 1, m))
            format(name, sizeof name, "%s+0x%llx", m.name, static_cast<unsigned long long>(m.offset + 1));
        else
            format(name, sizeof name, "?");
        log_error("    #%-2zu 0x%016llx %s", depth, static_cast<unsigned long long>(ret), name);
        ++depth;
        if (frame[0] <= rbp) break;
        rbp = frame[0];
    }
    if (depth == 0) log_error("    (no frames)");
}

} // namespace celos
