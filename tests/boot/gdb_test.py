#!/usr/bin/env python3
"""A scripted gdb session against a booting kernel (issue 7, acceptance 2).

  gdb_test.py --name NAME --kernel celos.elf --template grub.cfg.in --workdir DIR
              --modules DIR... --module-line LINE... --script tools/gdb/celos.py
              --break FUNCTION --source FILE [--caller-source FILE]
              [--unloaded MODULE]... [--symbols-dir DIR]... [--no-symbols] [--timeout S]

Boots QEMU headless with its gdb stub on a unix socket, stopped at reset.
gdb (batch mode) attaches, loads the script, runs celos-symbols (which
follows module loads), sets a breakpoint on FUNCTION (a module function, by
name) and continues. When it stops: a backtrace and the module list.

Passes when frame #0 is FUNCTION at FILE:LINE with LINE inside the
function's definition in FILE (read from the source here), a later frame is
in --caller-source, and one in the core's loader. Fails when the kernel
reaches the ready line first (the breakpoint never resolved: no module
symbols), on a timeout, or when gdb fails. Each --unloaded module (one
whose init fails) must have had its symbols added and then removed. With
--no-symbols (no celos-symbols) it passes only if the kernel runs past
FUNCTION to the ready line. QEMU is killed in every case.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
import qemu  # noqa: E402
from test_iso import add_scenario_arguments, make_test_iso  # noqa: E402


def function_lines(source, function):
    """(first, last) line of a function's definition in a C/C++ file: from the
    line that names it followed by '(' and has no ';' before '{', to the line
    where its braces close."""
    with open(source) as f:
        lines = f.read().split("\n")
    start = re.compile(r"\b%s\s*\(" % re.escape(function))
    for i, line in enumerate(lines):
        if not start.search(line) or line.lstrip().startswith(("//", "*", "CELOS_")):
            continue
        depth, seen = 0, False
        for j in range(i, len(lines)):
            text = lines[j]
            if not seen and ";" in text.split("{")[0] and "{" not in text:
                break  # a declaration
            depth += text.count("{") - text.count("}")
            seen = seen or "{" in text
            if seen and depth <= 0:
                return i + 1, j + 1
    raise SystemExit("gdb_test: no definition of %s in %s" % (function, source))


def make_iso(args, iso):
    make_test_iso(iso, args.kernel, args.template, args.cmdline, args.modules, args.module_line)


def main():
    p = argparse.ArgumentParser()
    add_scenario_arguments(p)
    p.add_argument("--script", required=True, help="tools/gdb/celos.py")
    p.add_argument("--break", dest="function", required=True, help="a module function, by name")
    p.add_argument("--source", required=True, help="the source file that defines it")
    p.add_argument("--caller-source", help="a source file a later frame must be in")
    p.add_argument("--unloaded", action="append", default=[], metavar="MODULE",
                   help="a module whose init fails: its symbols must have been added, then removed")
    p.add_argument("--symbols-dir", action="append", default=[], metavar="DIR",
                   help="a folder of unstripped .ko files built outside the tree, for celos-symbols")
    p.add_argument("--no-symbols", action="store_true",
                   help="do not run celos-symbols (the test must then fail: a check of the check)")
    p.add_argument("--timeout", type=float, default=60)
    args = p.parse_args()
    if shutil.which("gdb") is None:
        sys.exit("gdb_test: gdb is not installed (package gdb; ./celos bootstrap)")

    os.makedirs(args.workdir, exist_ok=True)
    iso = os.path.join(args.workdir, args.name + ".iso")
    make_iso(args, iso)
    first, last = function_lines(args.source, args.function)

    tmp = tempfile.mkdtemp(prefix="celos-gdb-")  # a short path: unix socket names are limited
    sock = os.path.join(tmp, "gdb.sock")
    serial_log = os.path.join(args.workdir, args.name + ".serial.log")
    gdb_log = os.path.join(args.workdir, args.name + ".gdb.log")
    commands = os.path.join(tmp, "commands.gdb")
    with open(commands, "w") as f:
        f.write("\n".join([
            "set pagination off",
            "set confirm off",
            "set breakpoint pending on",
            "target remote %s" % sock,
            "" if args.no_symbols else " ".join(["celos-symbols"] + args.symbols_dir),
            "break %s" % args.function,
            "continue",
            "echo --- backtrace\\n",
            "bt",
            "echo --- modules\\n",
            "celos-modules",
            "echo --- objfiles\\n",
            "python print('\\n'.join(o.filename for o in gdb.objfiles()))",
            "echo --- end\\n",
            "kill",
        ]) + "\n")

    qemu_cmd = qemu.base_command(iso) + ["-display", "none", "-serial", "file:%s" % serial_log,
                                         "-gdb", "unix:%s,server=on,wait=off" % sock, "-S"]
    started = time.time()
    qemu_proc = subprocess.Popen(qemu_cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE)
    gdb_proc = None
    failures, output = [], ""
    try:
        deadline = started + args.timeout
        while not os.path.exists(sock):
            if qemu_proc.poll() is not None or time.time() > deadline:
                raise SystemExit("gdb_test: QEMU did not open its gdb socket: %s"
                                 % qemu_proc.stderr.read().decode(errors="replace"))
            time.sleep(0.05)
        with open(gdb_log, "w") as out:
            gdb_proc = subprocess.Popen(["gdb", "-nx", "-batch", "-x", args.script, "-x", commands, args.kernel],
                                        stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
            reason = None
            while gdb_proc.poll() is None:
                if time.time() > deadline:
                    reason = "timeout after %.0f s" % args.timeout
                    break
                if os.path.exists(serial_log):
                    with open(serial_log, errors="replace") as s:
                        if qemu.READY_LINE in s.read():
                            reason = ("the kernel reached '%s' without stopping in %s: its module's symbols "
                                      "were not loaded" % (qemu.READY_LINE, args.function))
                            break
                time.sleep(0.2)
            if reason:
                failures.append(reason)
        with open(gdb_log, errors="replace") as f:
            output = f.read()
    finally:
        for proc in (gdb_proc, qemu_proc):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)

    bt = output.split("--- backtrace", 1)[1].split("--- modules", 1)[0] if "--- backtrace" in output else ""
    frames = [l for l in bt.split("\n") if re.match(r"#\d+ ", l)]
    base = re.escape(os.path.basename(args.source))
    if not frames:
        failures.append("no backtrace")
    else:
        m = re.search(r"\b%s \(.*\) at \S*%s:(\d+)" % (re.escape(args.function), base), frames[0])
        if not m:
            failures.append("frame #0 is not %s at %s:LINE: %s" % (args.function, os.path.basename(args.source),
                                                                  frames[0]))
        elif not first <= int(m.group(1)) <= last:
            failures.append("frame #0 is at line %s; %s is defined on lines %d-%d of %s"
                            % (m.group(1), args.function, first, last, args.source))
        if args.caller_source:
            caller = re.escape(os.path.basename(args.caller_source))
            if not any(re.search(r" at \S*%s:\d+" % caller, l) for l in frames[1:]):
                failures.append("no frame in %s" % os.path.basename(args.caller_source))
        if not any(re.search(r"\bmodule_start\b.* at \S*module/load\.cpp:\d+", l) for l in frames[1:]):
            failures.append("no frame in the core's load pipeline (module_start at module/load.cpp)")
    objfiles = output.split("--- objfiles", 1)[1].split("--- end", 1)[0] if "--- objfiles" in output else ""
    for name in args.unloaded:
        if "celos-symbols: %s: /" % name not in output:
            failures.append("%s: its symbols were never added while it was loaded" % name)
        if "celos-symbols: %s: unloaded, symbols removed" % name not in output:
            failures.append("%s: no removal of its symbols after it was unloaded" % name)
        if "/%s.ko" % name in objfiles:
            failures.append("%s.ko is still among gdb's symbol files after its unload" % name)
    if "--- end" not in output and not failures:
        failures.append("gdb did not finish its commands")

    print(output)
    print("(%.1f s; gdb log %s, serial log %s)" % (time.time() - started, gdb_log, serial_log))
    if args.no_symbols:
        # Without celos-symbols the breakpoint cannot resolve: the one
        # acceptable outcome is the kernel running on to the ready line.
        if len(failures) >= 1 and "symbols were not loaded" in failures[0]:
            print("\ngdb scenario '%s' passed: without celos-symbols the kernel ran past %s" % (args.name, args.function))
            return 0
        print("\nFAILED gdb scenario '%s': expected the kernel to run past %s without symbols; got: %s"
              % (args.name, args.function, "; ".join(failures) or "a stop in it"))
        return 1
    if failures:
        print("\nFAILED gdb scenario '%s':" % args.name)
        for f in failures:
            print("  - " + f)
        return 1
    print("\ngdb scenario '%s' passed: %s at %s:%d-%d" % (args.name, args.function, os.path.basename(args.source),
                                                         first, last))
    return 0


if __name__ == "__main__":
    sys.exit(main())
