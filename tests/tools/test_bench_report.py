#!/usr/bin/env python3
"""tools/bench_report.py: the tables it prints from a benchmark binary's
JSON, here from a stand-in binary that writes a fixed report."""
import os
import stat
import subprocess
import sys
import tempfile
import textwrap
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REPORT = os.path.join(ROOT, "tools", "bench_report.py")


FAMILIES = ["g/fast", "g/checked", "g/baseline", "g/baseline_mimalloc"]  # the order of registration


def bench(name, ns_per_item, run_type="iteration", aggregate=None, label=None):
    b = {"name": name if not aggregate else f"{name}_{aggregate}", "run_name": name, "run_type": run_type,
         "items_per_second": 1e9 / ns_per_item, "family_index": FAMILIES.index(name)}
    if aggregate:
        b["aggregate_name"] = aggregate
    if label:
        b["label"] = label
    return b


class Report(unittest.TestCase):
    def run_report(self, benchmarks):
        """bench_report.py on a binary that writes `benchmarks` where
        --benchmark_out= says."""
        with tempfile.TemporaryDirectory() as d:
            fake = os.path.join(d, "fake_bench")
            with open(fake, "w") as f:
                f.write(textwrap.dedent(f"""\
                    #!{sys.executable}
                    import json, sys
                    out = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--benchmark_out=")][0]
                    json.dump({{"benchmarks": {benchmarks!r}}}, open(out, "w"))
                    """))
            os.chmod(fake, os.stat(fake).st_mode | stat.S_IXUSR)
            proc = subprocess.run([sys.executable, REPORT, fake], capture_output=True, text=True)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            return proc.stdout

    def row(self, out, group, subject):
        for line in out.splitlines():
            cells = line.split()
            if cells[:2] == [group, subject] and "ns" in cells:
                return cells
        self.fail(f"no row for {group}/{subject} in\n{out}")

    def test_ratios_from_one_run(self):
        out = self.run_report([
            bench("g/fast", 10), bench("g/checked", 25),
            bench("g/baseline", 20, label="glibc"), bench("g/baseline_mimalloc", 5, label="mimalloc")])
        fast = self.row(out, "g", "fast")
        self.assertEqual(fast[2:5], ["10.0", "ns", "0.50"])  # time, x glibc
        self.assertEqual(fast[5], "2.00")  # x mimalloc
        checked = self.row(out, "g", "checked")
        self.assertEqual(checked[-1], "2.50")  # x first subject

    def test_repetitions_report_the_median(self):
        # Three runs each, one of them slow: the median ignores it, a mean
        # would not (checked: 40 ns, mean 60).
        reps = []
        for name, runs, label in (("g/fast", (10, 10, 10), None), ("g/checked", (20, 140, 20), None),
                                  ("g/baseline", (20, 20, 20), "glibc"),
                                  ("g/baseline_mimalloc", (5, 5, 5), "mimalloc")):
            reps += [bench(name, t, label=label) for t in runs]
            reps.append(bench(name, sum(runs) / 3, "aggregate", "mean", label))
            reps.append(bench(name, sorted(runs)[1], "aggregate", "median", label))
            reps.append(bench(name, 1.0, "aggregate", "stddev", label))
        out = self.run_report(reps)
        checked = self.row(out, "g", "checked")
        self.assertEqual(checked[2], "20.0")
        self.assertEqual(checked[-1], "2.00")

    def test_interleaved_runs_keep_the_order_of_registration(self):
        # --benchmark_enable_random_interleaving: runs in any order, each
        # benchmark's aggregates after its last run. The first subject is
        # still the one registered first.
        runs = [("g/checked", 25), ("g/baseline", 20), ("g/fast", 10), ("g/baseline_mimalloc", 5),
                ("g/fast", 10), ("g/checked", 25), ("g/baseline_mimalloc", 5), ("g/baseline", 20)]
        reps = [bench(n, t, label={"g/baseline": "glibc", "g/baseline_mimalloc": "mimalloc"}.get(n))
                for n, t in runs]
        for n, t in (("g/baseline", 20), ("g/checked", 25), ("g/fast", 10), ("g/baseline_mimalloc", 5)):
            reps.append(bench(n, t, "aggregate", "median"))
        out = self.run_report(reps)
        self.assertEqual(self.row(out, "g", "checked")[-1], "2.50")
        fast = self.row(out, "g", "fast")
        self.assertNotIn("0.40", fast)  # fast against checked: the comparison turned round


if __name__ == "__main__":
    unittest.main()
