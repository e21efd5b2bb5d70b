// KTAP output (the format of Linux's KUnit): a version line, a plan, one
// result line per check, subtests indented by four spaces. Every line goes
// through the log, so on serial it carries the timestamp prefix;
// tests/boot/boot_test.py --ktap reads the results.
//
//   KTAP version 1
//   1..3
//   ok 1 wx_audit
//   not ok 2 direct_map_nx # 1 violations
//       KTAP version 1
//       # Subtest: module_cycles
//       1..1
//       ok 1 resources_unchanged
//   ok 3 module_cycles
#pragma once

#include "lib/types.h"

namespace celos::ktest {

enum class Outcome : u8 { pass, fail, skip };

class Ktap {
  public:
    // Prints the version line, "# Subtest: NAME" for a subtest (depth > 0)
    // and the plan "1..planned".
    Ktap(usize planned, const char* subtest = nullptr, usize depth = 0);

    // "ok N name", "not ok N name # detail", "ok N name # SKIP detail".
    // Names are snake_case identifiers; the detail is free text.
    void report(const char* name, Outcome outcome, const char* detail = nullptr);
    void pass(const char* name, bool ok, const char* detail = nullptr) {
        report(name, ok ? Outcome::pass : Outcome::fail, detail);
    }
    // "# ..." at this level: a comment, no result.
    void note(const char* fmt, ...) __attribute__((format(printf, 2, 3)));

    usize planned() const { return planned_; }
    usize reported() const { return next_ - 1; }
    usize failed() const { return failed_; }
    usize skipped() const { return skipped_; }
    // True when every planned check was reported and none failed.
    bool all_passed() const { return failed_ == 0 && reported() == planned_; }

  private:
    usize planned_;
    usize depth_;
    usize next_ = 1;
    usize failed_ = 0;
    usize skipped_ = 0;
};

} // namespace celos::ktest
