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

celos_status init() {
    CGreeter greeter;
    const Greeter& g = greeter;
    int sum = g.sum(40, 2);
    celos_log(CELOS_LOG_INFO, "40 + 2 = %d (through abi_test_c)", sum);
    if (sum != 42) return CELOS_ERR_INVALID;
    celos_status s = celos_service_register("abi_test.counter", 1, &ops);
    if (s != CELOS_OK) return s;
    auto* found = static_cast<const counter_ops*>(celos_service_lookup("abi_test.counter", 1));
    celos_log(CELOS_LOG_INFO, "service lookup %s, counter %d", found == &ops ? "ok" : "FAILED",
              found ? found->next() : -1);
    return found == &ops ? CELOS_OK : CELOS_ERR_NOT_FOUND;
}

} // namespace

CELOS_MODULE("abi_test_cpp", "1.0", "abi_test_c", init, nullptr);
