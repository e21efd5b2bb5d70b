#!/usr/bin/env python3
"""The boot benchmark of `./celos bench`: how long the default entry takes
to boot under QEMU's software emulation, beside the core-only entry booted
in the same run.

    boot_bench.py BUILD_DIR [--runs N] [--entry ID] [--baseline ID]

Makes an ISO per entry (build/<preset>/bench/boot-ENTRY.iso, GRUB's menu
timeout 0, from the same kernel, modules and grub.cfg.in as celos.iso) and
boots each N times, alternately. For every boot it takes two figures:
- wall: from starting QEMU to the kernel's ready line (`celos: ready`) on
  the serial port, on this machine;
- kernel: the ready line's own timestamp, the guest time from kernel entry
  (the TSC at entry) to ready.
Prints the medians (and the spread) of both, and the ratio of the entry's
boot rate to the baseline's, in the table format of bench_report.py.
Exits non-zero when a boot does not reach the ready line."""
import argparse
import os
import re
import select
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
READY = re.compile(rb"\[\s*(\d+)\.(\d{6})\] celos: ready")


def make_iso(build, entry):
    out_dir = os.path.join(build, "bench")
    os.makedirs(out_dir, exist_ok=True)
    iso = os.path.join(out_dir, "boot-%s.iso" % entry)
    cmd = [sys.executable, os.path.join(ROOT, "tools", "mkiso.py"), "--kernel", os.path.join(build, "celos.elf"),
           "--template", os.path.join(ROOT, "grub", "grub.cfg.in"), "--modules", os.path.join(build, "iso-modules"),
           "--entry", entry, "--timeout", "0", "--out", iso]
    subprocess.run(cmd, check=True)
    return iso


def boot_once(iso, timeout=60):
    """(wall seconds to the ready line, the kernel's timestamp of it)."""
    cmd = qemu.base_command(iso) + ["-display", "none", "-serial", "stdio"]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    seen = b""
    try:
        while time.monotonic() - start < timeout:
            r, _, _ = select.select([proc.stdout], [], [], 0.5)
            if not r:
                if proc.poll() is not None:
                    break
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            seen += chunk
            m = READY.search(seen)
            if m:
                wall = time.monotonic() - start
                return wall, int(m.group(1)) + int(m.group(2)) / 1e6
    finally:
        proc.kill()
        proc.wait()
    tail = seen.decode("utf-8", "replace").strip().splitlines()[-5:]
    sys.exit("boot_bench: %s did not reach 'celos: ready' within %d s; last lines:\n  %s"
             % (iso, timeout, "\n  ".join(tail)))


def spread(values, scale, unit):
    return "%s (%s..%s %s)" % (fmt(statistics.median(values), scale, unit), fmt(min(values), scale, ""),
                               fmt(max(values), scale, ""), unit)


def fmt(value, scale, unit):
    text = "%.0f" % (value * scale) if value * scale >= 100 else "%.1f" % (value * scale)
    return text + (" " + unit if unit else "")


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("build")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--entry", default="truetype", help="the entry measured (default: the default entry)")
    p.add_argument("--baseline", default="core", help="the entry it is compared with (default: core only)")
    args = p.parse_args(argv[1:])
    if args.runs < 1:
        sys.exit("boot_bench: --runs must be at least 1")

    isos = {e: make_iso(args.build, e) for e in (args.entry, args.baseline)}
    results = {e: [] for e in isos}
    for _ in range(args.runs):
        for entry, iso in isos.items():
            results[entry].append(boot_once(iso))

    rows = [("group", "subject", "rate", "baseline", "subject/baseline", "also")]
    for subject, what in ((args.entry, "wall"), (args.entry, "kernel")):
        index = 0 if what == "wall" else 1
        mine = [r[index] for r in results[subject]]
        base = [r[index] for r in results[args.baseline]]
        rate, base_rate = 1 / statistics.median(mine), 1 / statistics.median(base)
        label = "QEMU start to ready" if what == "wall" else "kernel entry to ready (guest time)"
        rows.append(("boot_" + what, subject, "%.2f boots/s" % rate, "%.2f boots/s" % base_rate,
                     "%.3f" % (rate / base_rate),
                     "%s: %s; %s entry: %s" % (label, spread(mine, 1000, "ms"), args.baseline,
                                               spread(base, 1000, "ms"))))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for i, row in enumerate(rows):
        cells = [row[c].ljust(widths[c]) if c < 2 or c == 5 else row[c].rjust(widths[c]) for c in range(len(row))]
        print("  ".join(cells).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print("(%d boots of each entry, medians; %s)" % (args.runs, "wall time includes QEMU's and GRUB's start"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
