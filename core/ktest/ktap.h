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

// A subtest whose checks are an enum with a table of names: reports each,
// keeps the first failure as "name: detail" in the caller's buffer (the
// parent's detail line) and skips the rest after a check others need.
template <typename CheckEnum, usize Count>
class KtapSubtest {
  public:
    KtapSubtest(const char* const (&names)[Count], const char* name, usize depth, char* detail, usize size)
        : ktap_(Count, name, depth), names_(names), detail_(detail), size_(size) {}

    void report(CheckEnum check, Outcome outcome, const char* text = nullptr);
    void skip_from(CheckEnum first, const char* why) {
        for (usize c = static_cast<usize>(first); c < Count; ++c)
            report(static_cast<CheckEnum>(c), Outcome::skip, why);
    }
    bool ok() const { return ok_; }

  private:
    Ktap ktap_;
    const char* const (&names_)[Count];
    char* detail_;
    usize size_;
    bool ok_ = true;
};

// "name: detail" (or "name: failed") into buf.
void ktap_failure_detail(char* buf, usize size, const char* name, const char* text);

template <typename CheckEnum, usize Count>
void KtapSubtest<CheckEnum, Count>::report(CheckEnum check, Outcome outcome, const char* text) {
    const char* name = names_[static_cast<usize>(check)];
    ktap_.report(name, outcome, text);
    if (outcome == Outcome::fail && ok_) {
        ok_ = false;
        ktap_failure_detail(detail_, size_, name, text);
    }
}

// Whether `needle` occurs in `haystack` (both NUL-terminated).
bool contains(const char* haystack, const char* needle);

} // namespace celos::ktest
