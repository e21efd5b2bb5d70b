#include "ktest/fault_injection.h"

#include "ktest/ktap.h"

#include "lib/types.h"
#include "log/log.h"

// Each fault lives in its own named, non-inlined function, so that the
// report can be checked for the function's name.
extern "C" {

[[gnu::noinline]] void fault_page_fault() {
    // The identity map is gone after boot: the lower half is unmapped.
    *reinterpret_cast<volatile celos::u64*>(0xdead0000ull) = 1;
}

[[gnu::noinline]] void fault_general_protection() {
    // A non-canonical address raises #GP(0), not #PF.
    (void)*reinterpret_cast<volatile celos::u64*>(0x8000000000000000ull);
}

[[gnu::noinline]] void fault_invalid_opcode() {
    asm volatile("ud2");
}

[[gnu::noinline]] void fault_divide_error() {
    asm volatile("xor %%edx, %%edx\n\tmov $1, %%eax\n\txor %%ecx, %%ecx\n\tdiv %%ecx" ::
                     : "rax", "rcx", "rdx");
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winfinite-recursion"
[[gnu::noinline]] celos::u64 fault_stack_overflow(celos::u64 depth) {
    volatile celos::u8 frame[512];
    frame[depth % sizeof frame] = static_cast<celos::u8>(depth);
    // Using the result after the call keeps this from becoming a loop.
    return fault_stack_overflow(depth + 1) + frame[(depth * 7) % sizeof frame];
}
#pragma GCC diagnostic pop

} // extern "C"

namespace celos::ktest {

void fault_injection_run(StringView name) {
    struct Fault {
        const char* name;
        const char* test; // the KTAP name
        void (*trigger)();
    };
    static const Fault faults[] = {
        {"pf", "fault_pf", fault_page_fault},
        {"gp", "fault_gp", fault_general_protection},
        {"ud", "fault_ud", fault_invalid_opcode},
        {"de", "fault_de", fault_divide_error},
        {"stackoverflow", "fault_stackoverflow", [] { (void)fault_stack_overflow(0); }},
    };
    Ktap ktap(1);
    for (const Fault& f : faults) {
        if (name == StringView(f.name)) {
            ktap.note("%s: the fault report that follows is the result", f.test);
            log_info("fault injection: triggering '%s' on purpose", f.name);
            f.trigger();
            ktap.report(f.test, Outcome::fail, "did not fault");
            return;
        }
    }
    log_error("fault injection: unknown fault '%.*s' (known: pf, gp, ud, de, stackoverflow)",
              static_cast<int>(name.length), name.data);
    ktap.report("fault_injection", Outcome::fail, "unknown fault name");
}

} // namespace celos::ktest
