// One error type for core C++ code: Result<T> holds a value or an Error, and
// TRY() returns the error to the caller. No exceptions.
#pragma once

#include <new>
#include <type_traits>
#include <utility>

#include "lib/types.h"

namespace celos {

// Mirrors the negative status codes of the module ABI (abi/include/celos/status.h).
enum class Status : int {
    ok = 0,
    invalid = -1,     // malformed input
    no_memory = -2,
    not_found = -3,
    unsupported = -4,
    range = -5,       // a value does not fit
    exists = -6,
    io = -7,
    dependency = -8,  // a module it needs is missing or failed
    fault = -9,       // the code faulted
    busy = -10,       // in use by another module
    no_device = -11,  // the hardware a driver drives is absent
};

const char* status_name(Status s);

// What went wrong: a status and the name of the check that failed (a static
// string, so that an error can be made without allocating).
struct Error {
    Status status = Status::invalid;
    const char* check = "";
};

template <typename T, typename E = Error> class [[nodiscard]] Result {
public:
    Result(const T& value) : ok_(true) { new (&value_) T(value); }
    Result(T&& value) : ok_(true) { new (&value_) T(std::move(value)); }
    Result(const E& error) : ok_(false) { new (&error_) E(error); }
    Result(const Result& o) : ok_(o.ok_) {
        if (ok_) new (&value_) T(o.value_);
        else new (&error_) E(o.error_);
    }
    Result& operator=(const Result&) = delete;
    ~Result() {
        if (ok_) value_.~T();
        else error_.~E();
    }

    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    T& value() { return value_; }
    const T& value() const { return value_; }
    const E& error() const { return error_; }
    T release_value() { return std::move(value_); }

private:
    bool ok_;
    union {
        T value_;
        E error_;
    };
};

template <typename E> class [[nodiscard]] Result<void, E> {
public:
    Result() : ok_(true) {}
    Result(const E& error) : ok_(false), error_(error) {}
    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const E& error() const { return error_; }
    void release_value() {}

private:
    bool ok_;
    E error_{};
};

inline Error make_error(Status s, const char* check) { return Error{s, check}; }

} // namespace celos

// Evaluates a Result; on error returns it from the enclosing function,
// otherwise yields the value (a GNU statement expression).
#define TRY(expr)                                                  \
    ({                                                             \
        auto _try_result = (expr);                                 \
        if (!_try_result.ok()) return _try_result.error();         \
        _try_result.release_value();                               \
    })
