#include "ktest/ktest.h"

#include "kernel/kernel.h"
#include "ktest/fault_injection.h"
#include "ktest/selftest.h"
#include "ktest/wx_inject.h"

namespace celos {

void ktest_run_requested() {
    const BootOptions& options = kernel().options;
    if (!options.fault.empty()) ktest::fault_injection_run(options.fault);
    if (options.wxaudit == StringView("inject")) ktest::wx_inject_run();
    if (options.selftest) ktest::selftest_run();
}

} // namespace celos
