#!/usr/bin/env python3
"""Builds a bootable CelOS ISO (BIOS and UEFI in one image) with grub-mkrescue.

  mkiso.py --kernel celos.elf --template grub.cfg.in --out celos.iso
           [--modules DIR]... [--file PATH]... [--entry ID] [--timeout N] [--optional NAME]...
           [--cmdline "ARGS" [--module-line "module2 ..."]... [--grub-line "cutmem ..."]...]

--entry picks the default menu entry of the template by its --id (without
it, the template's first entry). Before making an ISO from the template,
every entry is checked (tools/grub_cfg.py): each module2 path is a file on
the ISO and each font= names a boot file of its entry; --optional names a
file that may be missing (a module not built here).
--cmdline replaces the menu with a single entry booting the kernel with ARGS
(and the given module lines), unchecked: the boot tests use it for their
scenarios, some of them broken on purpose.

/boot/modules holds every file of the --modules folders and the --file
files (a later one of the same name wins). The ISO is a function of its
inputs: OUT.inputs records the hash of the kernel, of every file, of
grub.cfg and of these tools; when they are unchanged the ISO is left as it
is, and any change (a file added to a folder, a changed font) makes it again.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import grub_cfg  # noqa: E402

# The serial port carries the GRUB menu too (BIOS and UEFI), in plain ASCII,
# so a headless boot can pick and edit an entry; the screen keeps it as well.
SERIAL_LINES = [
    "serial --unit=0 --speed=115200",
    "terminal_input --append serial",
    "terminfo -a serial vt100",
    # Under UEFI the firmware mirrors its text console onto the serial port
    # with PC line-drawing bytes: GRUB draws the screen with gfxterm instead,
    # and the serial port gets only GRUB's own ASCII menu.
    'if [ "$grub_platform" = "efi" ]; then',
    "    loadfont unicode",
    "    insmod all_video",
    "    insmod gfxterm",
    "    set gfxmode=1024x768x32,auto",
    "    terminal_output gfxterm serial",
    "else",
    "    terminal_output --append serial",
    "fi"]


class IsoError(Exception):
    pass


def entry_ids(cfg):
    return grub_cfg.parse(cfg).ids


def gather(folders=(), files=None):
    """{name in /boot/modules: path or bytes}: every file of the folders,
    then `files` ({name: path or bytes}); a later one of a name wins."""
    out = {}
    for folder in folders:
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            src = os.path.join(folder, name)
            if os.path.isfile(src) and not name.startswith("."):
                out[name] = src
    for name, src in (files or {}).items():
        out[name] = src
    return out


def _sha256(src):
    if isinstance(src, bytes):
        return hashlib.sha256(src).hexdigest()
    h = hashlib.sha256()
    with open(src, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def manifest(kernel, cfg, contents):
    """What the ISO is made of, as a comparable dict."""
    tools = {name: _sha256(os.path.join(HERE, name)) for name in ("mkiso.py", "grub_cfg.py")}
    return {"kernel": _sha256(kernel), "grub.cfg": hashlib.sha256(cfg.encode()).hexdigest(),
            "modules": {name: _sha256(src) for name, src in sorted(contents.items())}, "tools": tools}


def make_iso(out, kernel, cfg, contents, check=True, optional=(), where="grub.cfg"):
    """Makes `out` from the kernel, the grub.cfg text and /boot/modules
    `contents` ({name: path or bytes}) unless OUT.inputs shows it is already
    made of exactly these. Returns True when it made the ISO. With `check`,
    the config must pass grub_cfg.check (IsoError otherwise)."""
    if check:
        errors, notes = grub_cfg.check(cfg, set(contents), where, optional)
        for n in notes:
            print("mkiso: note: " + n, file=sys.stderr)
        if errors:
            raise IsoError("\n".join("mkiso: error: " + e for e in errors))
    if not os.path.isfile(kernel):
        raise IsoError("mkiso: no kernel at %s" % kernel)
    inputs = manifest(kernel, cfg, contents)
    stamp = out + ".inputs"
    if os.path.exists(out) and os.path.exists(stamp):
        try:
            with open(stamp) as f:
                if json.load(f) == inputs:
                    return False
        except (OSError, ValueError):
            pass
    with tempfile.TemporaryDirectory(prefix="celos-iso-") as root:
        boot = os.path.join(root, "boot")
        os.makedirs(os.path.join(boot, "grub"))
        os.makedirs(os.path.join(boot, "modules"))
        # The kernel without its debug information (as the modules): GRUB's
        # multiboot2 loader copies every section of the ELF file, DWARF too,
        # byte by byte under emulation (1.1 of its 1.4 MB; 0.2-0.4 s of the
        # boot under QEMU). gdb reads the unstripped file in the build; the
        # loaded segments are the same.
        stripped = os.path.join(boot, "celos.elf")
        r = subprocess.run(["objcopy", "--strip-debug", kernel, stripped], capture_output=True, text=True)
        if r.returncode != 0:
            raise IsoError(r.stdout + r.stderr + "mkiso: objcopy --strip-debug %s failed" % kernel)
        for name, src in contents.items():
            dst = os.path.join(boot, "modules", name)
            if isinstance(src, bytes):
                with open(dst, "wb") as f:
                    f.write(src)
            else:
                shutil.copy(src, dst)
        with open(os.path.join(boot, "grub", "grub.cfg"), "w") as f:
            f.write(cfg)
        tmp_out = out + ".tmp"
        if os.path.exists(stamp):
            os.remove(stamp)
        r = subprocess.run(["grub-mkrescue", "-o", tmp_out, root], capture_output=True, text=True)
        if r.returncode != 0:
            raise IsoError(r.stdout + r.stderr + "mkiso: grub-mkrescue failed")
        os.replace(tmp_out, out)
    with open(stamp, "w") as f:
        json.dump(inputs, f, indent=1, sort_keys=True)
    return True


def template_cfg(template, entry=None, timeout=2, where="grub.cfg.in"):
    """The ISO's grub.cfg from the template, `entry` (an --id) the default."""
    ids = entry_ids(template)
    if not ids:
        raise IsoError("mkiso: no menu entry with an --id in %s" % where)
    if entry is None:
        entry = ids[0]
    if entry not in ids:
        raise IsoError("mkiso: no menu entry with --id %s in %s (entries: %s)" % (entry, where, ", ".join(ids)))
    return with_serial(template.replace("@TIMEOUT@", str(timeout)).replace("@DEFAULT@", entry))


def with_serial(cfg):
    """The config with the GRUB menu on the serial port too, set up before
    anything else."""
    return "\n".join(SERIAL_LINES) + "\n" + cfg


def scenario_cfg(cmdline, module_lines=(), grub_lines=(), gfxpayload=None):
    lines = ["set timeout=0", "set default=0",
             'if [ "$grub_platform" = "efi" ]; then insmod efi_gop; else insmod vbe; fi',
             "set gfxmode=1024x768x32,auto",
             'menuentry "CelOS (test)" --id test {']
    lines += ["    " + g for g in grub_lines]
    lines += ["    multiboot2 /boot/celos.elf %s" % cmdline]
    if gfxpayload:
        # After multiboot2, which sets gfxpayload from the kernel's
        # framebuffer request; inside the entry, which sees only the
        # menu's exported variables.
        lines.append("    set gfxpayload=%s" % gfxpayload)
    lines += ["    " + m for m in module_lines]
    lines += ["    boot", "}"]
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kernel", required=True)
    p.add_argument("--template", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--modules", action="append", default=[],
                   help="a folder of .ko files and boot files for /boot/modules (repeatable)")
    p.add_argument("--file", action="append", default=[], help="one more file for /boot/modules (repeatable)")
    p.add_argument("--optional", action="append", default=[],
                   help="a file of /boot/modules the template may name though it is missing (not built here)")
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
    contents = gather(args.modules, {os.path.basename(f): f for f in args.file})
    try:
        if args.cmdline is not None:
            cfg = scenario_cfg(args.cmdline, args.module_line, args.grub_line, args.gfxpayload)
            make_iso(args.out, args.kernel, cfg, contents, check=False)
        else:
            cfg = template_cfg(template, args.entry, args.timeout, args.template)
            # Line numbers in messages are the template's: check it as written.
            errors, notes = grub_cfg.check(template, set(contents), args.template, args.optional)
            if errors:
                raise IsoError("\n".join("mkiso: error: " + e for e in errors))
            if make_iso(args.out, args.kernel, cfg, contents, check=False):
                for n in notes:
                    print("mkiso: note: " + n, file=sys.stderr)
    except IsoError as e:
        sys.exit(str(e))


if __name__ == "__main__":
    main()
