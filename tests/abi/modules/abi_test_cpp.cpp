// A module written in C++: a class with a virtual function, a global
// constructor-free design (modules have no constructors run), a call to a
// function exported by the C module, and a service.
#include <celos/abi.h>

extern "C" int abi_test_c_add(int a, int b);

namespace {

class Greeter {
public:
    virtual ~Greeter() = default;
    virtual int sum(int a, int b) const = 0;
};

class CGreeter final : public Greeter {
public:
    int sum(int a, int b) const override { return abi_test_c_add(a, b); }
};

struct counter_ops {
    int (*next)(void);
};

int counter_value = 0;
int counter_next() { return ++counter_value; }
const counter_ops ops = {counter_next};

int sink_lines = 0;
void count_line(void*, int, uint64_t, const char*, size_t) { ++sink_lines; }
const celos_log_sink line_counter = {count_line, nullptr, nullptr};

celos_status init() {
    // A log sink gets the early log replayed, then new lines until removed.
    celos_status registered = celos_log_sink_register(&line_counter);
    if (registered != CELOS_OK) return registered;
    int replayed = sink_lines;
    celos_log(CELOS_LOG_INFO, "log sink: %d lines replayed", replayed);
    if (sink_lines != replayed + 1) return CELOS_ERR_INVALID;
    celos_log_sink_unregister(&line_counter);
    celos_log(CELOS_LOG_INFO, "log sink removed");
    if (sink_lines != replayed + 1) return CELOS_ERR_INVALID;

    CGreeter greeter;
    const Greeter& g = greeter;
    int sum = g.sum(40, 2);
    celos_log(CELOS_LOG_INFO, "40 + 2 = %d (through abi_test_c)", sum);
    if (sum != 42) return CELOS_ERR_INVALID;
    // Virtual ranges: allocate, write, make read-only, free.
    void* range = nullptr;
    celos_status s = celos_vrange_alloc(4, CELOS_PROT_READ | CELOS_PROT_WRITE, &range);
    if (s != CELOS_OK) return s;
    auto* bytes = static_cast<unsigned char*>(range);
    bytes[0] = 1;
    bytes[4 * CELOS_PAGE_SIZE - 1] = 2;
    if (celos_vrange_alloc(1, CELOS_PROT_WRITE | CELOS_PROT_EXEC, &range) != CELOS_ERR_INVALID) return CELOS_ERR_INVALID;
    s = celos_vrange_protect(bytes, 4, CELOS_PROT_READ);
    if (s != CELOS_OK) return s;
    celos_log(CELOS_LOG_INFO, "vrange at %p: written, protected read-only, read back %d", static_cast<void*>(bytes),
              bytes[0] + bytes[4 * CELOS_PAGE_SIZE - 1]);
    celos_vrange_free(bytes);

    if (const celos_framebuffer* fb = celos_framebuffer_get())
        celos_log(CELOS_LOG_INFO, "framebuffer %ux%u, %u bpp, pitch %u", fb->width, fb->height, fb->bpp, fb->pitch);
    else
        celos_log(CELOS_LOG_INFO, "no framebuffer");

    s = celos_service_register("abi_test.counter", 1, &ops);
    if (s != CELOS_OK) return s;
    auto* found = static_cast<const counter_ops*>(celos_service_lookup("abi_test.counter", 1));
    celos_log(CELOS_LOG_INFO, "service lookup %s, counter %d", found == &ops ? "ok" : "FAILED",
              found ? found->next() : -1);
    if (found != &ops) return CELOS_ERR_NOT_FOUND;
    if (celos_service_register("abi_test.counter", 2, &ops) != CELOS_ERR_EXISTS) return CELOS_ERR_INVALID;
    if (celos_service_lookup("abi_test.counter", 2) != nullptr) return CELOS_ERR_INVALID;
    return CELOS_OK;
}

} // namespace

CELOS_MODULE("abi_test_cpp", "1.0", "abi_test_c", init, nullptr);
