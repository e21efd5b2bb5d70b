#!/usr/bin/env python3
"""What `./celos run` boots: a menu entry of grub/grub.cfg.in, or a module
set, boot files, a font and a kernel command line given on the command
line. `./celos run` calls it before building (check), to list what there is
(list) and to make the ISO (make).

  run_config.py --build build/debug check [OPTIONS]
  run_config.py --build build/debug list
  run_config.py --build build/debug make --out ISO [OPTIONS]

OPTIONS:
  --entry ID          start from that menu entry (default: the template's first)
  --module SPEC       (repeatable) exactly these modules boot, in this order:
                      SPEC is a shipped module's name or a path to a .ko, then
                      its parameters ("psf font=Lat15-Terminus16.psf"). The
                      same module named twice is one module (at its first
                      place) with the parameters of both, the later winning.
  --file PATH         (repeatable) PATH onto the ISO as a boot file, under its name
  --font PATH         the entry's modules with this font: TrueType/OpenType
                      (the truetype module, the bitmap font as fallback) or PSF
                      (the psf module), told apart by the file's contents
  --size N            with a TrueType/OpenType --font: pixels per em (default 16)
  --cmdline ARGS      the kernel command line

A `font=` value naming a shipped boot file puts that file in the entry by
itself; a `font=` value that is a path puts that file on the ISO and names it.
"""
import argparse
import gzip
import os
import shlex
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import grub_cfg  # noqa: E402
import mkiso  # noqa: E402
import module_info  # noqa: E402

ROOT = os.path.dirname(HERE)
RUN_ID = "run"
FONT_MODULES = ("truetype", "psf")
DEFAULT_TRUETYPE_SIZE = 16
SHIPPED_LIST = "shipped-files.txt"  # written by grub/CMakeLists.txt at configure time


class ConfigError(Exception):
    pass


class Shipped:
    """The modules and boot files the ISO ships: those CMake builds
    (shipped-files.txt in the build folder, known before anything is built)
    and whatever is in iso-modules."""

    def __init__(self, modules_dir, shipped_list=None):
        self.modules_dir = modules_dir
        names = set()
        if shipped_list and os.path.exists(shipped_list):
            with open(shipped_list) as f:
                names.update(os.path.basename(l.strip()) for l in f if l.strip())
        if os.path.isdir(modules_dir):
            names.update(n for n in os.listdir(modules_dir)
                         if os.path.isfile(os.path.join(modules_dir, n)) and not n.startswith("."))
        self.modules = sorted(n[:-3] for n in names if n.endswith(".ko"))
        self.bootfiles = sorted(n for n in names if not n.endswith(".ko"))

    def module_path(self, name):
        return os.path.join(self.modules_dir, name + ".ko")

    def info(self, name):
        """The shipped module's descriptor, or None before it is built."""
        path = self.module_path(name)
        if not os.path.exists(path):
            return None
        try:
            return module_info.read(path)
        except module_info.ModuleInfoError:
            return None


def font_kind(path):
    """(provider module, name on the ISO, bytes to ship or None for the file
    as it is) of a font file, told by its contents."""
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError as e:
        raise ConfigError("--font %s: %s" % (path, e.strerror))
    name = os.path.basename(path)
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as f:
                data = f.read()
        except (OSError, EOFError) as e:
            raise ConfigError("--font %s: a broken gzip file (%s)" % (path, e))
        if is_psf(data[:4]):
            return "psf", name[:-3] if name.endswith(".gz") else name + ".psf", data
        raise ConfigError("--font %s: a gzip file, but not of a PSF font" % path)
    if is_psf(head):
        return "psf", name, None
    if head in (b"\x00\x01\x00\x00", b"true", b"OTTO", b"ttcf"):
        return "truetype", name, None
    raise ConfigError("--font %s: not a TrueType/OpenType or PSF font (it starts with %s)" % (path, head.hex()))


def is_psf(head):
    return head[:2] == b"\x36\x04" or head[:4] == b"\x72\xb5\x4a\x86"


def bootfile_name(path, what):
    name = os.path.basename(path)
    if "." not in name:
        raise ConfigError("%s %s: a boot file's name needs a dot (a label without one names a module)"
                          % (what, path))
    if any(c.isspace() for c in name):
        raise ConfigError("%s %s: a boot file's name cannot hold spaces" % (what, path))
    return name


class Options:
    def __init__(self, entry=None, modules=(), files=(), font=None, size=None, cmdline=None):
        self.entry, self.modules, self.files = entry, list(modules), list(files)
        self.font, self.size, self.cmdline = font, size, cmdline

    @property
    def any(self):
        return bool(self.entry is not None or self.modules or self.files or self.font or self.cmdline is not None)


class Plan:
    """The ISO of a run: its grub.cfg and the files added to /boot/modules
    ({name: path or bytes})."""

    def __init__(self, cfg, files, entry_body):
        self.cfg, self.files, self.entry_body = cfg, files, entry_body


class _Module:
    def __init__(self, name, file, info):
        self.name, self.file, self.info, self.params = name, file, info, []

    def set_params(self, words):
        for word in words:
            key = word.partition("=")[0]
            self.params = [p for p in self.params if p.partition("=")[0] != key] + [word]

    def line(self):
        return grub_cfg.ModuleLine(grub_cfg.MODULES_PREFIX + self.file, self.name,
                                   [grub_cfg.quote(p) for p in self.params])


def _check_params(module, where):
    if module.info is None:
        return
    known = [p.name for p in module.info.params]
    for word in module.params:
        key, eq, _ = word.partition("=")
        if not eq:
            raise ConfigError("%s: '%s' is not key=value" % (where, word))
        if key not in known:
            raise ConfigError("%s: module %s has no parameter '%s' (%s)" % (
                where, module.name, key,
                "its parameters: " + ", ".join(known) if known else "it takes none"))


def plan(template, shipped, opts, check_params=True):
    """The Plan for `opts` (Options) on the template text; ConfigError with
    the reason when the options cannot be met. `check_params` checks module
    parameters against the descriptors of the built modules."""
    config = grub_cfg.parse(template)
    if not config.ids:
        raise ConfigError("the template has no menu entry with an --id")
    entry_id = opts.entry if opts.entry is not None else config.ids[0]
    entry = config.entry(entry_id)
    if entry is None:
        raise ConfigError("--entry %s: no such menu entry (entries: %s; ./celos run --list shows them)"
                          % (entry_id, ", ".join(config.ids)))
    if opts.font and opts.modules:
        raise ConfigError("--font sets the font of an entry's module set; with --module give the font module "
                          "yourself, e.g. --module \"truetype font=PATH size=20\"")
    if opts.size is not None and not opts.font:
        raise ConfigError("--size goes with --font")

    files = {}            # name on the ISO: path or bytes
    file_order = []       # boot files of the entry, in order

    def add_file(name, src, what, bootfile=True):
        if name in files and files[name] != src:
            raise ConfigError("%s: two different files named %s" % (what, name))
        files[name] = src
        if bootfile and name not in file_order:
            file_order.append(name)

    for path in opts.files:
        if not os.path.isfile(path):
            raise ConfigError("--file %s: no such file" % path)
        add_file(bootfile_name(path, "--file"), os.path.abspath(path), "--file")

    entry_files = {}  # the entry's own boot file lines, by label (a label X may be the file X.gz)
    if opts.modules:
        lines = _module_lines(opts.modules, shipped, files, add_file, check_params)
    else:
        lines = [m for m in entry.module_lines]
        if opts.font:
            lines = _with_font(lines, opts.font, opts.size, shipped, add_file)
        # The entry's own boot files come first, then those given.
        file_order[:0] = [m.label for m in lines if m.is_bootfile]
        entry_files = {m.label: m for m in lines if m.is_bootfile}
        lines = [m for m in lines if not m.is_bootfile]

    body_files = []
    for name in file_order:
        if name not in [b.label for b in body_files]:
            if name in entry_files and name not in files:
                body_files.append(entry_files[name])
                continue
            path = grub_cfg.MODULES_PREFIX + name
            body_files.append(grub_cfg.ModuleLine(path, name))
    module_lines = body_files + lines

    # The entry's body with its module2 lines replaced (its other lines,
    # like a gfxpayload, stay) and the kernel command line set.
    body, placed = [], False
    for line in entry.body:
        words = line.split()
        if not words:
            continue
        if words[0] == "multiboot2" and opts.cmdline is not None:
            line = " ".join(["multiboot2", words[1]] + [grub_cfg.quote(w) for w in opts.cmdline.split()])
        if words[0] == "module2" or (words[0] == "boot" and not placed):
            if not placed:
                body += [m.text() for m in module_lines]
                placed = True
            if words[0] == "module2":
                continue
        body.append(line)
    # The title is in double quotes, where GRUB expands $: only plain words.
    summary = [m.label for m in lines] or ["no modules"]
    summary += [w for w in (opts.cmdline or "").split() if grub_cfg.quote(w) == w]
    title = "CelOS (./celos run: %s)" % ", ".join(summary)
    header = "\n".join(config.header).replace("@TIMEOUT@", "0").replace("@DEFAULT@", RUN_ID)
    # The template's entries stay in the menu after the run's one.
    rest = "\n".join(template.splitlines()[config.entries[0].line_number - 1:])
    text = grub_cfg.entry_text(title, RUN_ID, body)
    result = Plan(mkiso.with_serial("%s\n%s\n\n%s\n" % (header, text, rest)), files, body)
    result.entry_text = text
    # Files of the template's entries that are missing here (truetype.ko
    # without FreeType) were reported by the build's check of the template.
    result.optional = {m.file for e in config.entries for m in e.module_lines if m.file}
    return result


def _module_lines(specs, shipped, files, add_file, check_params):
    modules, user = [], {}
    for spec in specs:
        try:
            words = shlex.split(spec)
        except ValueError as e:
            raise ConfigError("--module %r: %s" % (spec, e))
        if not words:
            raise ConfigError("--module needs a module's name or a path to a .ko")
        first, params = words[0], words[1:]
        if "/" in first or first.endswith(".ko"):
            if not os.path.isfile(first):
                raise ConfigError("--module %s: no such file" % first)
            try:
                info = module_info.read(first)
            except module_info.ModuleInfoError as e:
                raise ConfigError("--module %s: not a CelOS module: %s" % (first, e))
            name, file = info.name, os.path.basename(first)
            add_file(file, os.path.abspath(first), "--module", bootfile=False)
            user[name] = (file, info)
        elif first in user:
            name, (file, info) = first, user[first]
        elif first in shipped.modules:
            name, file = first, first + ".ko"
            info = shipped.info(name) if check_params else None
        else:
            raise ConfigError("--module %s: unknown module (shipped: %s; or give a path to a .ko)"
                              % (first, ", ".join(shipped.modules) or "none built yet"))
        module = next((m for m in modules if m.name == name), None)
        if module is None:
            module = _Module(name, file, info)
            modules.append(module)
        elif module.file != file:
            module.file, module.info = file, info
        fixed = []
        for word in params:
            key, eq, value = word.partition("=")
            if eq and key in grub_cfg.FONT_FILE_KEYS:
                value = _font_value(value, shipped, files, add_file, "--module %s: %s=%s" % (name, key, value))
                word = key + "=" + value
            fixed.append(word)
        module.set_params(fixed)
    for m in modules:
        _check_params(m, "--module %s" % m.name)
    return [m.line() for m in modules]


def _font_value(value, shipped, files, add_file, what):
    """A font= value: a path (the file goes onto the ISO), a boot file given
    with --file, or a shipped boot file (then put in the entry by itself)."""
    if "/" in value:
        if not os.path.isfile(value):
            raise ConfigError("%s: no such file" % what)
        name = bootfile_name(value, what + ":")
        add_file(name, os.path.abspath(value), what)
        return name
    if value in files:
        return value
    if value in shipped.bootfiles:
        add_file(value, os.path.join(shipped.modules_dir, value), what)
        return value
    if value + ".gz" in shipped.bootfiles:  # shipped gzip'ed (unifont.otf): GRUB decompresses it
        add_file(value, os.path.join(shipped.modules_dir, value + ".gz"), what)
        return value
    raise ConfigError("%s: no such boot file (shipped: %s; give another with --file PATH, or font=PATH)"
                      % (what, ", ".join(shipped.bootfiles)))


def _with_font(lines, font, size, shipped, add_file):
    """The entry's module lines with `font` as the font: its provider in the
    place of the entry's first font module; a TrueType font keeps the
    entry's bitmap font as a fallback."""
    if not os.path.isfile(font):
        raise ConfigError("--font %s: no such file" % font)
    provider, name, data = font_kind(font)
    bootfile_name(name, "--font")
    if provider not in shipped.modules:
        raise ConfigError("--font %s: a %s font, but the %s module is not built here%s" % (
            font, "TrueType/OpenType" if provider == "truetype" else "PSF", provider,
            " (FreeType's source is missing: ./celos bootstrap fetches it)" if provider == "truetype" else ""))
    if provider == "psf" and size is not None:
        raise ConfigError("--size is for TrueType/OpenType fonts; a PSF font has its own size "
                          "(--module \"psf font=... scale=N\" scales it)")
    if size is not None and not (6 <= size <= 128):
        raise ConfigError("--size %d: the truetype module takes 6 to 128 pixels per em" % size)
    # The font's provider, not a module started as a fallback (role=fallback).
    providers = [m for m in lines if not m.is_bootfile and m.label in FONT_MODULES and m.param("role") != "fallback"]
    if not providers:
        raise ConfigError("--font: the entry has no font module (%s); pick one with a console, like --entry %s"
                          % (", ".join(m.label for m in lines if not m.is_bootfile) or "no modules", "truetype"))
    add_file(name, data if data is not None else os.path.abspath(font), "--font")
    old = next((m for m in providers if m.label == provider), None)
    # Another font: the old one's size and faces go (its fallback= stays).
    params = [p for p in (old.params if old else [])
              if p.partition("=")[0] not in ("font", "size", "bold", "italic", "bolditalic")]
    params = ["font=" + name] + (["size=%d" % (size or DEFAULT_TRUETYPE_SIZE)] if provider == "truetype" else []) \
        + params
    if provider == "truetype" and not any(p.startswith("hinting=") for p in params):
        params.append("hinting=light")
    # A module cannot be loaded twice: a truetype line started as a fallback
    # provider (role=fallback, the bitmap entry's Unifont) becomes the new
    # line's fallback= when the font is TrueType.
    helpers = [m for m in lines if not m.is_bootfile and m.label == provider and m.param("role") == "fallback"]
    if helpers and provider == "truetype" and not any(p.startswith("fallback=") for p in params):
        params.append("fallback=" + helpers[0].param("font"))
    new = grub_cfg.ModuleLine(grub_cfg.MODULES_PREFIX + provider + ".ko", provider, params)
    out, placed = [], False
    for m in lines:
        if m in helpers:
            continue
        if m in providers:
            if not placed:
                out.append(new)
                placed = True
            # A TrueType font keeps the bitmap font after it as the fallback.
            if provider == "truetype" and m.label == "psf":
                out.append(m)
            continue
        out.append(m)
    # The boot files that only the replaced font modules used go too.
    keys = grub_cfg.FONT_FILE_KEYS
    dropped = {p.param(k) for p in providers for k in keys}
    used = {m.param(k) for m in out if not m.is_bootfile for k in keys}
    return [m for m in out if not m.is_bootfile or m.label in used or m.label not in dropped]


def describe(template, shipped):
    """What --list prints: the menu entries, the shipped modules with their
    parameters, the shipped boot files."""
    config = grub_cfg.parse(template)
    out = ["Menu entries (--entry ID; the first is the default):"]
    for e in config.entries:
        mods = [m.label + "".join(" " + p for p in m.params) for m in e.module_lines if not m.is_bootfile]
        args = e.kernel_args
        out.append("  %-20s %s" % (e.id, e.title))
        out.append("  %-20s   modules: %s%s" % ("", "; ".join(mods) or "none",
                                                  "; kernel command line: " + args if args else ""))
    out.append("")
    out.append("Shipped modules (--module NAME key=value ...):")
    for name in shipped.modules:
        info = shipped.info(name)
        if info is None:
            out.append("  %s (not built yet)" % name)
            continue
        out.append("  %s %s%s" % (name, info.version,
                                  " (needs: %s)" % ", ".join(info.depends) if info.depends else ""))
        for p in info.params:
            out.append("      " + p.describe())
    out.append("")
    out.append("Shipped boot files (font=NAME, --file PATH adds others):")
    for name in shipped.bootfiles:
        out.append("  " + name)
    return "\n".join(out)


def add_options(p):
    p.add_argument("--entry")
    p.add_argument("--module", action="append", default=[])
    p.add_argument("--file", action="append", default=[])
    p.add_argument("--font")
    p.add_argument("--size", type=int)
    p.add_argument("--cmdline")


def options_of(args):
    return Options(args.entry, args.module, args.file, args.font, args.size, args.cmdline)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", required=True, help="the build folder (build/<preset>)")
    p.add_argument("--template", default=os.path.join(ROOT, "grub", "grub.cfg.in"))
    sub = p.add_subparsers(dest="command", required=True)
    add_options(sub.add_parser("check", help="check the options (before any build)"))
    sub.add_parser("list", help="the menu entries, shipped modules and boot files")
    make = sub.add_parser("make", help="make the ISO of the options (after the build)")
    add_options(make)
    make.add_argument("--out", required=True)
    make.add_argument("--kernel")
    args = p.parse_args(argv)
    with open(args.template) as f:
        template = f.read()
    modules_dir = os.path.join(args.build, "iso-modules")
    shipped = Shipped(modules_dir, os.path.join(args.build, SHIPPED_LIST))
    try:
        if args.command == "list":
            print(describe(template, shipped))
            return 0
        opts = options_of(args)
        if args.command == "check":
            plan(template, shipped, opts, check_params=False)
            return 0
        result = plan(template, shipped, opts)
        kernel = args.kernel or os.path.join(args.build, "celos.elf")
        contents = mkiso.gather([modules_dir], result.files)
        errors, notes = grub_cfg.check(result.entry_text, set(contents), "the run's grub.cfg", result.optional)
        for n in notes:
            print("celos: note: " + n, file=sys.stderr)
        if errors:
            raise ConfigError("\n".join(errors))
        made = mkiso.make_iso(args.out, kernel, result.cfg, contents, check=False)
        print("celos: %s %s; it boots:\n  %s" % (args.out, "made" if made else "up to date",
                                                  "\n  ".join(result.entry_body)), file=sys.stderr)
        return 0
    except (ConfigError, mkiso.IsoError) as e:
        print("celos: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
