// The heap module: kmalloc and friends for every other module, on the
// allocator in heap_core.cpp, growing through the core's virtual ranges.
// Parameters: check=on|off (hardening; on by default in debug builds),
// selftest=on (run the heap's own tests inside the kernel at init).
#include <celos/abi.h>

#include "heap_core.h"

#ifndef CELOS_HEAP_CHECKS_DEFAULT
#define CELOS_HEAP_CHECKS_DEFAULT 1
#endif

namespace {

bool checks = CELOS_HEAP_CHECKS_DEFAULT;
bool selftest = false;

const celos_module_param params[] = {
    {"check", CELOS_PARAM_BOOL, 0, &checks, "canaries, red zones, poisoning, double/invalid free detection"},
    {"selftest", CELOS_PARAM_BOOL, 0, &selftest, "run the heap's own tests at init"},
};

class VirtualRangeSource final : public celos_heap::PageSource {
public:
    void* map_pages(size_t pages) override {
        void* base = nullptr;
        return celos_vrange_alloc(pages, CELOS_PROT_READ | CELOS_PROT_WRITE, &base) == CELOS_OK ? base : nullptr;
    }
    void unmap_pages(void* base, size_t) override { celos_vrange_free(base); }
};

// Constant-initialized (modules run no constructors): the loader refuses a
// module with .init_array, so a dynamic initializer here would be caught.
VirtualRangeSource source;
celos_heap::Heap heap;

int owner_of(uintptr_t caller) {
    int module = celos_module_of(caller);
    return module < 0 || module >= celos_heap::kMaxOwners - 1 ? celos_heap::kMaxOwners - 1 : module;
}

const char* fault_name(celos_heap::Fault f) {
    switch (f) {
    case celos_heap::Fault::double_free: return "double free";
    case celos_heap::Fault::invalid_free: return "invalid free (not a block of this heap)";
    case celos_heap::Fault::overflow: return "buffer overflow past the end of a block";
    case celos_heap::Fault::use_after_free: return "write after free";
    case celos_heap::Fault::corrupt: return "heap corruption";
    }
    return "heap fault";
}

[[noreturn]] void on_fault(const celos_heap::FaultReport& r) {
    char caller[128] = "unknown", allocated[128] = "unknown";
    if (r.caller) celos_symbolize(r.caller, caller, sizeof caller);
    if (r.allocated_by) celos_symbolize(r.allocated_by, allocated, sizeof allocated);
    celos_log(CELOS_LOG_ERROR, "%s: block %p of %zu bytes, at %s, allocated at %s%s%s", fault_name(r.kind), r.pointer,
              r.size, caller, allocated, r.detail ? ": " : "", r.detail ? r.detail : "");
    celos_panic("heap: %s of the %zu-byte block %p at %s", fault_name(r.kind), r.size, r.pointer, caller);
}

constexpr size_t kDefaultAlignment = 16;

void* allocate(size_t size, size_t alignment, uintptr_t caller) {
    return heap.allocate(size, alignment, caller, owner_of(caller));
}

// --- the heap service: summary and checks for the core ---------------------

void log_summary() {
    const celos_heap::Stats& s = heap.stats();
    celos_log(
        CELOS_LOG_INFO,
        "%zu KiB in %zu blocks (peak %zu KiB in %zu blocks), %zu KiB mapped in %zu regions (%zu KiB of it "
        "cached), checks %s",
        s.bytes_in_use / 1024, s.blocks_in_use, s.peak_bytes / 1024, s.peak_blocks, s.mapped_bytes / 1024,
        s.regions, s.cached_bytes / 1024, checks ? "on" : "off");
    for (int i = 0; i < celos_heap::kMaxOwners; ++i) {
        const celos_heap::OwnerStats& o = s.owners[i];
        if (o.total_allocations == 0) continue;
        celos_log(CELOS_LOG_INFO, "  %-16s %zu bytes in %zu blocks now, peak %zu bytes, %zu allocations",
                  celos_module_name(i == celos_heap::kMaxOwners - 1 ? -1 : i), o.bytes, o.blocks,
                  o.peak_bytes, o.total_allocations);
    }
}

celos_status check_service() { return heap.check().ok ? CELOS_OK : CELOS_ERR_INVALID; }

// A module id as the heap's owner id: modules past 63 share the core's.
int owner_of_module(int module) {
    return module < 0 || module >= celos_heap::kMaxOwners - 1 ? celos_heap::kMaxOwners - 1 : module;
}

size_t bytes_in_use_by(int module) { return heap.stats().owners[owner_of_module(module)].bytes; }

size_t release_module(int module) { return module < 0 ? 0 : heap.release_owner(owner_of_module(module)); }

size_t bytes_in_use() { return heap.stats().bytes_in_use; }

const celos_heap_service service = {log_summary, check_service, bytes_in_use_by, release_module, bytes_in_use};

// --- the in-kernel selftest --------------------------------------------------

struct Selftest {
    int passed = 0;
    int failed = 0;
    void check(const char* name, bool ok) {
        if (ok) {
            ++passed;
        } else {
            ++failed;
            celos_log(CELOS_LOG_ERROR, "in-kernel test %s FAILED", name);
        }
    }
};

uint64_t next_random(uint64_t& state) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

celos_status run_selftest() {
    Selftest t;
    size_t start_bytes = heap.stats().bytes_in_use;

    void* zero = kmalloc(0);
    void* zero2 = kmalloc(0);
    t.check("kmalloc(0) gives unique pointers", zero != nullptr && zero2 != nullptr && zero != zero2);
    kfree(zero);
    kfree(zero2);
    kfree(nullptr);
    t.check("kcalloc overflow gives NULL", kcalloc(SIZE_MAX / 2, 3) == nullptr);
    t.check("huge kmalloc gives NULL", kmalloc(SIZE_MAX - 64) == nullptr);

    for (size_t align = 1; align <= 4096; align <<= 1) {
        void* p = kmemalign(align, 100);
        t.check("kmemalign honours the alignment", p && (reinterpret_cast<uintptr_t>(p) & (align - 1)) == 0);
        kfree(p);
    }

    auto* grow = static_cast<unsigned char*>(kmalloc(40));
    for (int i = 0; i < 40; ++i) grow[i] = static_cast<unsigned char>(i);
    grow = static_cast<unsigned char*>(krealloc(grow, 5000));
    bool kept = grow != nullptr;
    for (int i = 0; kept && i < 40; ++i) kept = grow[i] == i;
    t.check("krealloc keeps the contents", kept);
    t.check("ksize covers the request", grow && ksize(grow) >= 5000);
    kfree(grow);

    // Random operations over 256 slots with contents checked.
    constexpr int kSlots = 256;
    static unsigned char* slots[kSlots];
    static size_t sizes[kSlots];
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    bool contents_ok = true;
    for (int op = 0; op < 20000; ++op) {
        int i = static_cast<int>(next_random(rng) % kSlots);
        if (slots[i]) {
            for (size_t k = 0; k < sizes[i]; ++k)
                if (slots[i][k] != static_cast<unsigned char>(i + k)) contents_ok = false;
            kfree(slots[i]);
            slots[i] = nullptr;
        } else {
            size_t size = 1 + next_random(rng) % ((next_random(rng) & 7) == 0 ? 65536 : 512);
            slots[i] = static_cast<unsigned char*>(kmalloc(size));
            sizes[i] = size;
            if (!slots[i]) {
                contents_ok = false;
                continue;
            }
            for (size_t k = 0; k < size; ++k) slots[i][k] = static_cast<unsigned char>(i + k);
        }
        if (op % 5000 == 0 && kheap_check() != CELOS_OK) contents_ok = false;
    }
    for (int i = 0; i < kSlots; ++i) {
        kfree(slots[i]);
        slots[i] = nullptr;
    }
    t.check("20000 random operations keep contents and the heap consistent", contents_ok);
    t.check("the heap check is clean", kheap_check() == CELOS_OK);
    t.check("everything is returned", heap.stats().bytes_in_use == start_bytes);

    // A big block's region, once free, serves the next big block without a
    // new range; trim gives it back. (A block stays in use meanwhile: a heap
    // with none left trims itself.)
    void* keep = kmalloc(64);
    void* big = kmalloc(3u << 20);
    size_t mapped = heap.stats().mapped_bytes;
    kfree(big);
    t.check("a free region is kept for reuse",
            big && heap.stats().mapped_bytes == mapped && heap.stats().cached_bytes >= (3u << 20));
    big = kmalloc(2u << 20);
    t.check("the kept region serves the next big block", big && heap.stats().mapped_bytes == mapped);
    kfree(big);
    heap.trim();
    t.check("trim gives the kept regions and slabs back",
            heap.stats().mapped_bytes < mapped &&
                heap.stats().cached_bytes <= celos_heap::Heap::kRegionBytes);
    t.check("the heap check is clean after trim", kheap_check() == CELOS_OK);
    kfree(keep);

    if (t.failed) {
        celos_log(CELOS_LOG_ERROR, "in-kernel tests FAILED (%d of %d checks)", t.failed, t.failed + t.passed);
        return CELOS_ERR_INVALID;
    }
    celos_log(CELOS_LOG_INFO, "in-kernel tests passed (%d checks)", t.passed);
    return CELOS_OK;
}

celos_status heap_init() {
    heap.init(source, celos_heap::Options{checks}, on_fault);
    // Map the first region now (the heap keeps its last region), so that it
    // is not charged to the first module that allocates: the loader's
    // leak check of a failing module would count it.
    kfree(kmalloc(1));
    celos_log(CELOS_LOG_INFO, "ready: checks %s", checks ? "on (canaries, red zones, poisoning)" : "off");
    if (selftest) {
        celos_status s = run_selftest();
        if (s != CELOS_OK) return s;
    }
    return celos_service_register("heap", 2, &service);
}

// Runs only when no module depends on the heap or links against it (the
// core refuses the unload before): every block left is the core's or a
// leak. The regions go back to the core, and the heap is as before init, so
// that a later load starts afresh.
void heap_exit() {
    celos_service_unregister("heap", &service);
    const celos_heap::Stats& s = heap.stats();
    size_t bytes = s.bytes_in_use, mapped = s.mapped_bytes;
    size_t left = heap.shutdown();
    if (left != 0)
        celos_log(CELOS_LOG_WARN, "%zu blocks (%zu bytes) still in use when the heap went", left, bytes);
    celos_log(CELOS_LOG_INFO, "stopped: %zu KiB of regions returned", mapped / 1024);
}

} // namespace

extern "C" {

void* kmalloc(size_t size) {
    return allocate(size, kDefaultAlignment, reinterpret_cast<uintptr_t>(__builtin_return_address(0)));
}

void kfree(void* p) { heap.free(p, reinterpret_cast<uintptr_t>(__builtin_return_address(0))); }

void* krealloc(void* p, size_t size) {
    uintptr_t caller = reinterpret_cast<uintptr_t>(__builtin_return_address(0));
    return heap.reallocate(p, size, caller, owner_of(caller));
}

void* kcalloc(size_t count, size_t size) {
    size_t total = 0;
    if (__builtin_mul_overflow(count, size, &total)) return nullptr;
    void* p = allocate(total, kDefaultAlignment, reinterpret_cast<uintptr_t>(__builtin_return_address(0)));
    if (p) memset(p, 0, total);
    return p;
}

void* kmemalign(size_t alignment, size_t size) {
    if (alignment == 0 || (alignment & (alignment - 1)) != 0) return nullptr;
    return allocate(size, alignment < kDefaultAlignment ? kDefaultAlignment : alignment,
                    reinterpret_cast<uintptr_t>(__builtin_return_address(0)));
}

size_t ksize(const void* p) { return p ? heap.usable_size(p) : 0; }

celos_status kheap_check(void) {
    celos_heap::CheckReport r = heap.check();
    if (!r.ok) celos_log(CELOS_LOG_ERROR, "check: %s at %p", r.problem ? r.problem : "inconsistent", r.where);
    return r.ok ? CELOS_OK : CELOS_ERR_INVALID;
}

} // extern "C"

CELOS_EXPORT(kmalloc);
CELOS_EXPORT(kfree);
CELOS_EXPORT(krealloc);
CELOS_EXPORT(kcalloc);
CELOS_EXPORT(kmemalign);
CELOS_EXPORT(ksize);
CELOS_EXPORT(kheap_check);

CELOS_MODULE_WITH_PARAMS("heap", "1.0", "", heap_init, heap_exit, params, 2);
