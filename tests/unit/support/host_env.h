// The host test environment for core code: panic() and failed assertions
// throw HostPanic, so a test can check that bad input is caught.
#pragma once

#include <stdexcept>
#include <string>

namespace celos_test {

struct HostPanic : std::runtime_error {
    using std::runtime_error::runtime_error;
};

} // namespace celos_test
