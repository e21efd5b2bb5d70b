#!/usr/bin/env python3
"""Randomized module bases: boots one ISO twice and compares the text
address the loader logs for each module ('module NAME VERSION: text 0x...').

  kaslr_test.py --name NAME --kernel celos.elf --template grub.cfg.in --workdir DIR
                --modules DIR... --module-line LINE... [--cmdline ARGS]
                --same|--differ [--expect REGEX]... [-- QEMU args]

--differ: every module's base differs between the two boots (with 3 modules
the chance that a correct randomization repeats one is about 3 in 10^5);
--same: all bases are identical. Every base must lie in the module area and
be page-aligned. --expect patterns must appear in both boots.
"""
import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
import qemu  # noqa: E402
from test_iso import add_scenario_arguments, make_test_iso  # noqa: E402

MODULE_AREA = (0xffffffffa0000000, 0xffffffffc0000000)
TEXT_LINE = re.compile(r"module (\S+) \S+: text 0x([0-9a-f]+) ")


def main():
    p = argparse.ArgumentParser()
    add_scenario_arguments(p)
    p.add_argument("--expect", action="append", default=[])
    p.add_argument("--timeout", type=float, default=90)
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--same", action="store_true")
    mode.add_argument("--differ", action="store_true")
    p.add_argument("qemu_args", nargs="*")
    args = p.parse_args()

    os.makedirs(args.workdir, exist_ok=True)
    iso = os.path.join(args.workdir, args.name + ".iso")
    make_test_iso(iso, args.kernel, args.template, args.cmdline, args.modules, args.module_line)

    failures, boots = [], []
    for n in (1, 2):
        status, lines = qemu.run_captured(iso, timeout=args.timeout, stop_at_ready=True, extra=args.qemu_args)
        with open(os.path.join(args.workdir, "%s.%d.log" % (args.name, n)), "w") as f:
            f.write("\n".join(lines) + "\n")
        print("--- boot %d ---\n%s" % (n, "\n".join(lines)))
        if not any(qemu.READY_LINE in l for l in lines):
            failures.append("boot %d never printed %r (QEMU: %s)" % (n, qemu.READY_LINE, qemu.describe_status(status)))
        for pattern in args.expect:
            if not any(re.search(pattern, l) for l in lines):
                failures.append("boot %d: no line matching %r" % (n, pattern))
        bases = {}
        for l in lines:
            m = TEXT_LINE.search(l)
            if m:
                bases[m.group(1)] = int(m.group(2), 16)
        for name, base in sorted(bases.items()):
            if not MODULE_AREA[0] <= base < MODULE_AREA[1] or base % 4096:
                failures.append("boot %d: %s at 0x%x is not a page in the module area" % (n, name, base))
        boots.append(bases)

    first, second = boots
    if not first or set(first) != set(second):
        failures.append("the boots loaded different modules (or none): %s vs %s" % (sorted(first), sorted(second)))
    for name in sorted(set(first) & set(second)):
        a, b = first[name], second[name]
        print("%-16s 0x%x  0x%x" % (name, a, b))
        if args.same and a != b:
            failures.append("%s: base 0x%x then 0x%x, expected the same" % (name, a, b))
        if args.differ and a == b:
            failures.append("%s: base 0x%x in both boots, expected different ones" % (name, a))
    if failures:
        print("\nFAILED kaslr scenario '%s':" % args.name)
        for f in failures:
            print("  - " + f)
        return 1
    print("\nkaslr scenario '%s' passed" % args.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
