#!/usr/bin/env python3
"""The link check of a CelOS module at build time: every undefined symbol of
the .ko must be a core export (abi/exports.txt) or an export of a module its
`depends` names. Each one that is not fails the build with its reason, in
the words the loader uses at boot (core/module/link_reason.cpp: change both
together):

  kmalloc is exported by heap: add heap to the module's dependencies
  kmaloc is not exported by the core (did you mean kmalloc?)
  _Znwm is operator new: use new (std::nothrow)
  __cxa_throw is C++ runtime support: modules have no exceptions, RTTI or C++ library

  check_module_links.py --core-exports abi/exports.txt [--module M.ko]...
                        [--exports FILE]... [--stamp FILE] MODULE.ko

--module: a module the check knows (its descriptor name and its exports:
the shipped modules). --exports: an export list of a module built elsewhere, one
symbol a line: the SDK's DIR/modules/NAME.exports (the module's name from the
file's), or "# module NAME" first (what --write-exports writes).
"""
import argparse
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import module_info  # noqa: E402
from gen_symbols import strip_parameters  # noqa: E402

SHN_UNDEF = 0
STT_SECTION = 3
EXPORT_ENTRY_SIZE = 16  # struct celos_export: const char* name, const void* address


def undefined_symbols(path):
    with open(path, "rb") as f:
        data = f.read()
    elf = module_info._Elf(data, path)
    index = elf.index(".symtab")
    if index is None:
        return []
    symtab = elf.sections[index]
    strtab = elf.sections[symtab["link"]]
    names = []
    for at in range(symtab["offset"] + 24, symtab["offset"] + symtab["size"], 24):
        st_name, st_info, _, shndx, _, _ = struct.unpack_from("<IBBHQQ", data, at)
        if shndx != SHN_UNDEF or st_name == 0 or st_info & 0xF == STT_SECTION:
            continue
        names.append(module_info._cstr(data[strtab["offset"] + st_name:strtab["offset"] + strtab["size"]]))
    return names


def module_exports(path):
    """(descriptor name, [exported names]) of a .ko."""
    with open(path, "rb") as f:
        data = f.read()
    elf = module_info._Elf(data, path)
    name = module_info.read(path).name
    index = elf.index(".celos_exports")
    if index is None:
        return name, []
    size = elf.sections[index]["size"]
    return name, [elf.string_at(elf.pointer(index, i)) for i in range(0, size, EXPORT_ENTRY_SIZE)]


def read_export_list(path):
    name, names = None, []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("# module "):
                name = line.split()[2]
            elif line and not line.startswith("#"):
                names.append(line.split()[0])
    if name is None:  # the SDK's DIR/modules/NAME.exports
        name = os.path.basename(path)
        if name.endswith(".exports"):
            name = name[:-len(".exports")]
    return name, names


def core_exports(path):
    with open(path) as f:
        return [line.split()[0] for line in f if line.strip() and not line.startswith("#")]


def edit_distance(a, b, limit):
    if len(a) > 64 or len(b) > 64 or abs(len(a) - len(b)) > limit:
        return limit + 1
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        diagonal, row[0] = row[0], i
        for j in range(1, len(b) + 1):
            above = row[j]
            row[j] = min(diagonal + (a[i - 1] != b[j - 1]), above + 1, row[j - 1] + 1)
            diagonal = above
        if min(row) > limit:
            return limit + 1
    return min(row[len(b)], limit + 1)


def closest(symbol, candidates):
    limit = 1 if len(symbol) < 6 else 2
    best = None
    for c in sorted(set(candidates)):
        if c == symbol:
            continue
        d = edit_distance(symbol, c, limit)
        if d <= limit and (best is None or d < best[0]):
            best = (d, c)
    return best[1] if best else None


def demangle(symbol):
    if not symbol.startswith("_Z"):
        return None
    try:
        out = subprocess.run(["c++filt", symbol], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return strip_parameters(out) if out and out != symbol else None


def cxx_runtime(s):
    return (s.startswith(("__cxa_", "_Unwind_", "__gxx_personality", "_ZTIN10__cxxabiv1", "_ZTVN10__cxxabiv1",
                          "_ZTISt", "_ZSt", "_Zdl", "_Zda")) or s == "__dso_handle")


def reason(symbol, exporter, suggestion, has_module_dependencies):
    if symbol.startswith("_Znw"):
        return "%s is operator new: use new (std::nothrow)" % symbol
    if symbol.startswith("_Zna"):
        return "%s is operator new[]: use new (std::nothrow)" % symbol
    d = demangle(symbol)
    shown = "%s (%s)" % (symbol, d) if d else symbol
    if cxx_runtime(symbol):
        return "%s is C++ runtime support: modules have no exceptions, RTTI or C++ library" % shown
    if exporter:
        return "%s is exported by %s: add %s to the module's dependencies" % (shown, exporter, exporter)
    text = "%s is not exported by the core%s" % (shown, " or its dependencies" if has_module_dependencies else "")
    if suggestion:
        text += " (did you mean %s?)" % suggestion
    return text


def check(path, core, modules):
    """The problems of the module at `path`: [(symbol, reason)]."""
    info = module_info.read(path)
    deps = [d for d in info.depends if not d.startswith("@")]
    reachable = set(core)
    for d in deps:
        reachable.update(modules.get(d, []))
    problems = []
    for symbol in undefined_symbols(path):
        if symbol in reachable:
            continue
        exporter = next((m for m in sorted(modules) if m != info.name and symbol in modules[m]), None)
        problems.append((symbol, reason(symbol, exporter, closest(symbol, reachable), bool(deps))))
    return info, problems


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--core-exports", required=True)
    ap.add_argument("--module", action="append", default=[])
    ap.add_argument("--exports", action="append", default=[])
    ap.add_argument("--stamp")
    ap.add_argument("--write-exports", help="write the module's export list to this file")
    ap.add_argument("ko")
    args = ap.parse_args(argv)
    core = core_exports(args.core_exports)
    modules = {}
    try:
        for path in args.module:
            if os.path.exists(path):
                name, names = module_exports(path)
                modules[name] = names
        for path in args.exports:
            name, names = read_export_list(path)
            modules[name] = names
        info, problems = check(args.ko, core, modules)
    except module_info.ModuleInfoError as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    if args.write_exports:
        name, names = module_exports(args.ko)
        with open(args.write_exports, "w") as f:
            f.write("# module %s\n" % name + "".join(n + "\n" for n in names))
    for symbol, why in problems:
        print("%s: module %s: unresolved symbol: %s" % (args.ko, info.name, why), file=sys.stderr)
    if problems:
        return 1
    if args.stamp:
        with open(args.stamp, "w") as f:
            f.write("ok\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
