#!/usr/bin/env python3
"""Runs the benchmark binary and prints each subject beside its baseline.

    bench_report.py BENCH_BINARY [extra benchmark args...]

Benchmarks are named <group>/<subject>, with <group>/baseline measured in
the same run; each reports items/s or bytes/s. A group may have more
baselines, <group>/baseline_<name> (the heap's mimalloc and jemalloc): the
first table gives each subject against <group>/baseline, and a second one,
for the groups with several baselines, each subject's time per item and its
ratio to every baseline and to the group's first subject (e.g. the heap
with checks on against the heap with checks off), all from the same run. A
baseline's label (State::SetLabel) names it in that table. With
--benchmark_repetitions, the tables show each benchmark's median. Exits non-zero
when the binary fails, its output cannot be read, or a benchmark errors or
breaks that convention."""
import json
import os
import subprocess
import sys
import tempfile


def human_rate(value, unit):
    """1.23e8 items/s -> '123.0 M items/s'; bytes as MB/s (10^6)."""
    if unit == "bytes":
        return f"{value / 1e6:,.1f} MB/s"
    for scale, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= scale:
            return f"{value / scale:.2f} {prefix} items/s"
    return f"{value:.2f} items/s"


def human_time_ns(ns):
    """52 -> '52 ns', 1234 -> '1.2 us', 2.5e6 -> '2.5 ms'."""
    if ns >= 1e6:
        return f"{ns / 1e6:.1f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} us"
    return f"{ns:.0f} ns"


def rate_of(bench):
    if "bytes_per_second" in bench:
        return bench["bytes_per_second"], "bytes"
    if "items_per_second" in bench:
        return bench["items_per_second"], "items"
    return None, None


def is_baseline(subject):
    return subject == "baseline" or subject.startswith("baseline_")


def print_table(rows, left):
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for i, row in enumerate(rows):
        cells = [row[c].ljust(widths[c]) if c in left else row[c].rjust(widths[c]) for c in range(len(row))]
        print("  ".join(cells).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))


def several_baselines_rows(groups, labels, errors):
    """Rows of the second table: one per subject of a group with more than
    one baseline; a column per baseline name (its label) and one for the
    group's first subject."""
    chosen = {g: s for g, s in groups.items() if sum(is_baseline(n) for n in s) > 1}
    columns = []  # baseline names, by label, in order of appearance
    for group, subjects in chosen.items():
        for name in subjects:
            title = labels.get(f"{group}/{name}", name)
            if is_baseline(name) and title not in columns:
                columns.append(title)
    rows = [("group", "subject", "time/item", *(f"x {c}" for c in columns), "x first subject")]
    for group, subjects in chosen.items():
        if any(unit != "items" for _, unit in subjects.values()):
            errors.append(f"{group}: several baselines need items/s")
            continue
        by_title = {labels.get(f"{group}/{n}", n): rate for n, (rate, _) in subjects.items() if is_baseline(n)}
        mine = [(n, rate) for n, (rate, _) in subjects.items() if not is_baseline(n)]
        for subject, rate in mine:
            ns = 1e9 / rate if rate > 0 else 0
            cells = [group, subject, (f"{ns:.1f} ns" if ns < 1e3 else human_time_ns(ns)) if rate > 0 else "-"]
            for c in columns:
                base = by_title.get(c)
                cells.append(f"{base / rate:.2f}" if base and rate > 0 else "-")
            first = mine[0][1]
            cells.append(f"{first / rate:.2f}" if subject != mine[0][0] and rate > 0 else "")
            rows.append(tuple(cells))
    return rows if len(rows) > 1 else []


def run(binary, extra):
    fd, out_path = tempfile.mkstemp(prefix="celos_bench_", suffix=".json")
    os.close(fd)
    try:
        cmd = [binary, "--benchmark_format=json", f"--benchmark_out={out_path}",
               "--benchmark_out_format=json", *extra]
        try:
            proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        except OSError as e:
            sys.exit(f"bench_report: cannot run {binary}: {e}")
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            sys.exit(f"bench_report: {binary} exited with status {proc.returncode}")
        try:
            with open(out_path) as f:
                return json.load(f)
        except (OSError, ValueError) as e:
            sys.exit(f"bench_report: cannot read the benchmark output: {e}")
    finally:
        os.unlink(out_path)


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        sys.exit(__doc__)
    data = run(argv[1], argv[2:])

    # group -> {subject: (rate, unit)}, in the order the benchmarks were
    # registered (family_index): with --benchmark_enable_random_interleaving
    # the binary runs them in any order, and a group's first subject is the
    # one the others are compared with. The sort is stable: a benchmark's
    # aggregates stay after its runs.
    groups = {}
    labels = {}  # group/subject -> the benchmark's label
    notes = {}  # extra figures of a subject, e.g. relocations/s
    errors = []
    benchmarks = data.get("benchmarks", [])
    if all("family_index" in b for b in benchmarks):
        benchmarks = sorted(benchmarks, key=lambda b: b["family_index"])
    for bench in benchmarks:
        # With --benchmark_repetitions the median stands for the runs (it
        # comes after them, so it is the value kept): on a shared machine one
        # slow run moves a mean, not a median.
        if bench.get("run_type") == "aggregate" and bench.get("aggregate_name") != "median":
            continue
        name = bench.get("run_name") or bench["name"]
        if bench.get("error_occurred"):
            errors.append(f"{name}: {bench.get('error_message', 'error')}")
            continue
        group, _, subject = name.partition("/")
        rate, unit = rate_of(bench)
        if not subject or rate is None:
            errors.append(f"{name}: not named <group>/<subject> or reports no rate")
            continue
        groups.setdefault(group, {})[subject] = (rate, unit)
        if bench.get("label"):
            labels[name] = bench["label"]
        extra = []
        if "relocs_per_second" in bench:
            extra.append(f"{bench['relocs_per_second'] / 1e6:.2f} M relocations/s")
        # Every user counter named *_ns is a time: p99_9_ns -> "p99.9 52 ns".
        for key, value in sorted(bench.items(), key=lambda kv: kv[0].startswith("max")):
            if key.endswith("_ns") and isinstance(value, (int, float)) and key not in ("real_time", "cpu_time"):
                extra.append(f"{key[:-3].replace('_', '.')} {human_time_ns(value)}")
        if extra:
            notes[name] = ", ".join(extra)

    rows = [("group", "subject", "rate", "baseline", "subject/baseline", "also")]
    for group, subjects in groups.items():
        base = subjects.get("baseline")
        if base is None:
            errors.append(f"{group}: no {group}/baseline")
        for subject, (rate, unit) in subjects.items():
            if is_baseline(subject):
                continue
            if base is not None and base[1] != unit:
                errors.append(f"{group}/{subject}: unit {unit} but baseline in {base[1]}")
                base_text, ratio = human_rate(*base), "n/a"
            elif base is not None and base[0] > 0:
                base_text, ratio = human_rate(*base), f"{rate / base[0]:.3f}"
            else:
                base_text, ratio = "-", "n/a"
            note = notes.get(f"{group}/{subject}", "")
            if notes.get(f"{group}/baseline"):
                note += f" (baseline: {notes[f'{group}/baseline']})"
            rows.append((group, subject, human_rate(rate, unit), base_text, ratio, note))

    print_table(rows, left=(0, 1, 5))
    several = several_baselines_rows(groups, labels, errors)
    if several:
        print()
        print("Groups with several baselines: time per item, and the subject's time over each baseline's")
        print("and over the group's first subject's (below 1 is faster), measured in the same run.")
        print_table(several, left=(0, 1))
    for e in errors:
        print(f"warning: {e}", file=sys.stderr)
    # A benchmark that errored or broke the naming convention fails the report.
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
