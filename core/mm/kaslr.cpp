#include "mm/kaslr.h"

#include "arch/cpu.h"
#include "kernel/kernel.h"
#include "log/log.h"

namespace celos {
namespace {

enum class Source : u8 { off, rdrand, tsc };
Source source = Source::off;
u64 fallback_state;
bool rdrand_failed_logged = false;

// splitmix64 (Steele, Lea, Flood 2014): spreads the TSC's few changing bits.
u64 splitmix64(u64& state) {
    u64 z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

u64 tsc_mixed() {
    fallback_state ^= arch::cycle_counter();
    return splitmix64(fallback_state);
}

u64 next_random() {
    u64 v;
    if (source == Source::rdrand) {
        if (arch::hardware_random64(v)) return v;
        if (!rdrand_failed_logged) {
            rdrand_failed_logged = true;
            log_warn("kaslr: RDRAND failed 10 times in a row; using the TSC, mixed, for this module");
        }
    }
    return tsc_mixed();
}

} // namespace

void kaslr_init() {
    if (kernel().options.nokaslr) {
        source = Source::off;
        log_info("kaslr: off (nokaslr): modules at deterministic first-fit bases");
        return;
    }
    fallback_state = arch::cycle_counter();
    u64 probe;
    if (arch::hardware_random_present() && arch::hardware_random64(probe)) {
        source = Source::rdrand;
        log_info("kaslr: module bases randomized in [0x%llx, 0x%llx), from RDRAND",
                 static_cast<unsigned long long>(kernel().module_area.base()),
                 static_cast<unsigned long long>(kernel().module_area.end()));
    } else {
        source = Source::tsc;
        log_warn("kaslr: %s; module bases randomized from the TSC, mixed (weak entropy)",
                 arch::hardware_random_present() ? "RDRAND keeps failing" : "the CPU has no RDRAND");
    }
}

Result<u64> module_area_allocate(u64 size) {
    RangeAllocator& area = kernel().module_area;
    if (source == Source::off) return area.allocate(size);
    auto placed = area.allocate_random(size, next_random());
    if (placed.ok()) return placed;
    return area.allocate(size); // never fail a load that fits unrandomized
}

} // namespace celos
