"""The ISO of one boot scenario: tools/mkiso.py in single-entry mode (the
kernel command line and the module lines of the scenario). Shared by the
boot, kaslr and gdb test drivers."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def add_scenario_arguments(parser):
    """The arguments that describe a scenario's ISO (see make_test_iso)."""
    parser.add_argument("--name", required=True)
    parser.add_argument("--kernel", required=True)
    parser.add_argument("--template", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--cmdline", default="")
    parser.add_argument("--modules", action="append", default=[])
    parser.add_argument("--module-line", action="append", default=[])


def make_test_iso(out, kernel, template, cmdline="", modules=(), module_lines=(), gfxpayload=None, grub_lines=()):
    cmd = [sys.executable, os.path.join(HERE, "..", "..", "tools", "mkiso.py"), "--kernel", kernel,
           "--template", template, "--out", out, "--cmdline", cmdline or ""]
    for folder in modules:
        cmd += ["--modules", folder]
    for line in module_lines:
        cmd += ["--module-line", line]
    if gfxpayload:
        cmd += ["--gfxpayload", gfxpayload]
    for line in grub_lines:
        cmd += ["--grub-line", line]
    subprocess.run(cmd, check=True)
