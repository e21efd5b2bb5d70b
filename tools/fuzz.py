#!/usr/bin/env python3
"""Runs a libFuzzer target of CelOS for a while: `./celos fuzz TARGET
--seconds N`. Findings (crash-*, leak-*, timeout-*) are kept in
build/<preset>/fuzz-findings/TARGET and make the run fail."""
import argparse
import os
import subprocess
import sys

TARGETS = {"loader": "fuzz_loader", "terminal": "fuzz_terminal", "params": "fuzz_params"}
TARGETS["mb2"] = "fuzz_mb2"
TARGETS["shell"] = "fuzz_shell"
# The font targets (issue 11); the TrueType seeds are whole fonts of 300+ KiB.
TARGETS.update({"psf": "fuzz_psf", "truetype": "fuzz_truetype"})
TARGETS["virtio_gpu"] = "fuzz_virtio_gpu"  # issue 16: the device's responses and used ring
# The input drivers' decoders (issue 15).
TARGETS["input"] = "fuzz_input"
TARGETS["heap"] = "fuzz_heap"
MAX_LEN = {"truetype": 1 << 20}


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--build", required=True, help="the fuzz build folder")
    p.add_argument("--corpus", required=True, help="the corpus root folder (seeds)")
    p.add_argument("target", choices=sorted(TARGETS))
    p.add_argument("--seconds", type=int, default=60)
    p.add_argument("--jobs", type=int, default=1)
    args, extra = p.parse_known_args()

    binary = os.path.join(args.build, TARGETS[args.target])
    if not os.path.exists(binary):
        sys.exit("fuzz: %s is not built" % binary)
    seeds = os.path.join(args.corpus, args.target)
    os.makedirs(seeds, exist_ok=True)  # a target may start without seeds (terminal)
    work = os.path.join(os.path.dirname(args.corpus.rstrip("/")), "fuzz-work", args.target)
    findings = os.path.join(os.path.dirname(args.corpus.rstrip("/")), "fuzz-findings", args.target)
    os.makedirs(work, exist_ok=True)
    os.makedirs(findings, exist_ok=True)
    cmd = [binary, work, seeds, "-max_total_time=%d" % args.seconds, "-max_len=%d" % MAX_LEN.get(args.target, 262144),
           "-rss_limit_mb=2048", "-artifact_prefix=%s/" % findings, "-print_final_stats=1"]
    if args.jobs > 1:
        cmd += ["-jobs=%d" % args.jobs, "-workers=%d" % args.jobs]
    cmd += extra
    print("fuzz: %s for %d s (corpus %s, findings in %s)" % (args.target, args.seconds, work, findings), flush=True)
    before = set(os.listdir(findings))
    r = subprocess.run(cmd)
    found = [f for f in sorted(set(os.listdir(findings)) - before)
             if f.split("-")[0] in ("crash", "leak", "timeout", "oom")]
    if r.returncode != 0 or found:
        sys.exit("fuzz: %s found problems (exit %d): %s" % (args.target, r.returncode, ", ".join(found) or "see above"))
    print("fuzz: %s: no findings in %d s" % (args.target, args.seconds))


if __name__ == "__main__":
    main()
