"""KTAP results in a serial log (the kernel's core/ktest/ktap.h writes them):

  [    1.234567] KTAP version 1
  [    1.234567] 1..3
  [    1.234567] ok 1 wx_audit
  [    1.234567] not ok 2 direct_map_nx # 1 violations
  [    1.234567]     KTAP version 1
  [    1.234567]     # Subtest: module_cycles
  [    1.234567]     1..1
  [    1.234567]     ok 1 resources_unchanged
  [    1.234567] ok 3 module_cycles

Lines are read after the timestamp prefix (and a level tag, if any); a
subtest is indented four spaces per level. Other log lines may come in
between and are ignored. A log may hold several top-level documents.
"""
import re

PREFIX = re.compile(r"^(?:\[ *[0-9]+\.[0-9]+\] )?(?:(?:error|warn|info|debug): )?")
VERSION = re.compile(r"^KTAP version 1$")
SUBTEST = re.compile(r"^# Subtest: (\S+)$")
PLAN = re.compile(r"^1\.\.([0-9]+)$")
RESULT = re.compile(r"^(ok|not ok) ([0-9]+) ([A-Za-z0-9_]+)(?: # (.*))?$")


class Result:
    def __init__(self, path, number, ok, directive, detail, line):
        self.path = path          # "module_cycles.resources_unchanged"
        self.number = number
        self.ok = ok
        self.skip = directive == "SKIP"
        self.detail = detail
        self.line = line          # 1-based line of the log

    @property
    def status(self):
        return "skip" if self.skip else "ok" if self.ok else "not ok"

    def __str__(self):
        return "%s %s%s (log line %d)" % (self.status, self.path, " # " + self.detail if self.detail else "",
                                          self.line)


class _Block:
    def __init__(self, depth, line):
        self.depth, self.line = depth, line
        self.name = None
        self.plan = None
        self.numbers = []


def parse(lines):
    """Returns (results, problems): every result line, and what breaks the
    format (a missing plan, a planned test that never reported, numbers out
    of order)."""
    results, problems, stack = [], [], []

    def close(block):
        where = "KTAP block at log line %d%s" % (block.line, " (subtest %s)" % block.name if block.name else "")
        if block.plan is None:
            problems.append("%s has no plan (1..N)" % where)
            return
        missing = [n for n in range(1, block.plan + 1) if n not in block.numbers]
        if missing:
            problems.append("%s planned %d tests; %d never reported (numbers %s)"
                            % (where, block.plan, len(missing), ", ".join(map(str, missing[:10]))))
        if block.numbers != sorted(set(block.numbers)) or any(n > block.plan for n in block.numbers):
            problems.append("%s: test numbers %s are not 1..%d in order" % (where, block.numbers, block.plan))

    for index, raw in enumerate(lines, 1):
        text = PREFIX.sub("", raw, count=1)
        stripped = text.lstrip(" ")
        indent = len(text) - len(stripped)
        if indent % 4:
            continue
        depth = indent // 4
        if VERSION.match(stripped):
            while stack and stack[-1].depth >= depth:
                close(stack.pop())
            if depth > 0 and (not stack or stack[-1].depth != depth - 1):
                continue  # an indented line outside any KTAP document
            stack.append(_Block(depth, index))
            continue
        if not stack or stack[-1].depth < depth:
            continue
        m = SUBTEST.match(stripped)
        if m and stack[-1].depth == depth:
            stack[-1].name = m.group(1)
            continue
        m = PLAN.match(stripped)
        if m and stack[-1].depth == depth and stack[-1].plan is None:
            stack[-1].plan = int(m.group(1))
            continue
        m = RESULT.match(stripped)
        if not m:
            continue
        # A result at depth d ends the subtest blocks deeper than d.
        while stack and stack[-1].depth > depth:
            close(stack.pop())
        if not stack or stack[-1].depth != depth:
            continue
        block = stack[-1]
        number = int(m.group(2))
        block.numbers.append(number)
        detail = m.group(4) or ""
        directive = None
        if detail.startswith("SKIP"):
            directive, detail = "SKIP", detail[4:].strip()
        # The names of the enclosing subtests ("# Subtest: NAME").
        names = [b.name for b in stack[1:] if b.name]
        path = ".".join(names + [m.group(3)])
        results.append(Result(path, number, m.group(1) == "ok", directive, detail, index))
    while stack:
        close(stack.pop())
    return results, problems


def matches(result, name):
    """A name matches a result's full path or its last parts."""
    return result.path == name or result.path.endswith("." + name)


def check(lines, expectations):
    """Failures (strings) of the KTAP rule: at least one plan, every planned
    test reported, every result ok (or skipped) except those named in
    `expectations` ({name: "ok" | "not ok" | "skip"}), which must have
    exactly that result (a skipped test is not "ok")."""
    results, failures = parse(lines)
    if not results and not failures:
        return ["no KTAP results in the log (expected 'KTAP version 1', a plan '1..N' and result lines)"]
    for name, want in expectations.items():
        found = [r for r in results if matches(r, name)]
        if not found:
            failures.append("no KTAP result named %r" % name)
        for r in found:
            if r.status != want:
                failures.append("KTAP result %s, expected %r" % (r, want))
    for r in results:
        if any(matches(r, name) for name in expectations):
            continue
        # A subtest's parent is not ok when a child is: expected children
        # excuse their parents.
        if not r.ok and not any(matches(c, name) and c.path.startswith(r.path + ".")
                                for c in results for name in expectations):
            failures.append("KTAP result %s" % r)
    return failures


def summary(lines):
    results, _ = parse(lines)
    counts = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    return "KTAP: %d results (%s)" % (len(results), ", ".join("%d %s" % (n, s) for s, n in sorted(counts.items())))
