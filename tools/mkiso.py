#!/usr/bin/env python3
"""Builds a bootable CelOS ISO (BIOS and UEFI in one image) with grub-mkrescue.

  mkiso.py --kernel celos.elf --template grub.cfg.in --out celos.iso
           [--modules DIR] [--entry ID] [--timeout N]
           [--cmdline "ARGS" [--module-line "module2 ..."]... [--grub-line "cutmem ..."]...]

--entry picks the default menu entry of the template by its --id (without
it, the template's first entry).
--cmdline replaces the menu with a single entry booting the kernel with ARGS
(and the given module lines): the boot tests use it for their scenarios.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile


def entry_ids(cfg):
    return re.findall(r'--id\s+([A-Za-z0-9_-]+)', cfg)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kernel", required=True)
    p.add_argument("--template", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--modules", action="append", default=[],
                   help="a folder of .ko files and boot files for /boot/modules (repeatable)")
    p.add_argument("--entry")
    p.add_argument("--timeout", type=int, default=2)
    p.add_argument("--cmdline", help="a single entry with this kernel command line")
    p.add_argument("--module-line", action="append", default=[])
    p.add_argument("--grub-line", action="append", default=[],
                   help="with --cmdline: a GRUB command in the entry before its multiboot2 line (cutmem ...)")
    p.add_argument("--gfxpayload", help="with --cmdline: the video mode (WxHxD) instead of the kernel's request")
    args = p.parse_args()

    with open(args.template) as f:
        template = f.read()
    if args.cmdline is not None:
        lines = ["set timeout=0", "set default=0", "insmod all_video", "insmod gfxterm",
                 "set gfxmode=1024x768x32,auto",
                 'menuentry "CelOS (test)" --id test {']
        lines += ["    " + g for g in args.grub_line]
        lines += ["    multiboot2 /boot/celos.elf %s" % args.cmdline]
        if args.gfxpayload:
            # After multiboot2, which sets gfxpayload from the kernel's
            # framebuffer request; inside the entry, which sees only the
            # menu's exported variables.
            lines.append("    set gfxpayload=%s" % args.gfxpayload)
        lines += ["    " + m for m in args.module_line]
        lines += ["    boot", "}"]
        cfg = "\n".join(lines) + "\n"
    else:
        if not entry_ids(template):
            sys.exit("mkiso: no menu entry with an --id in %s" % args.template)
        if args.entry is None:
            args.entry = entry_ids(template)[0]
        if args.entry not in entry_ids(template):
            sys.exit("mkiso: no menu entry with --id %s in %s (entries: %s)"
                     % (args.entry, args.template, ", ".join(entry_ids(template))))
        cfg = template.replace("@TIMEOUT@", str(args.timeout)).replace("@DEFAULT@", args.entry)

    with tempfile.TemporaryDirectory(prefix="celos-iso-") as root:
        boot = os.path.join(root, "boot")
        os.makedirs(os.path.join(boot, "grub"))
        os.makedirs(os.path.join(boot, "modules"))
        shutil.copy(args.kernel, os.path.join(boot, "celos.elf"))
        for folder in args.modules:
            if not os.path.isdir(folder):
                continue
            for name in sorted(os.listdir(folder)):
                src = os.path.join(folder, name)
                if os.path.isfile(src):
                    shutil.copy(src, os.path.join(boot, "modules", name))
        with open(os.path.join(boot, "grub", "grub.cfg"), "w") as f:
            f.write(cfg)
        tmp_out = args.out + ".tmp"
        r = subprocess.run(["grub-mkrescue", "-o", tmp_out, root], capture_output=True, text=True)
        if r.returncode != 0:
            sys.stderr.write(r.stdout + r.stderr)
            sys.exit("mkiso: grub-mkrescue failed")
        os.replace(tmp_out, args.out)


if __name__ == "__main__":
    main()
