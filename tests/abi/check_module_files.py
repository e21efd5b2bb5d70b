#!/usr/bin/env python3
"""Checks that built modules have the shape the loader expects.

usage: check_module_files.py MODULE.ko...

Each file must be an ELF64 little-endian relocatable object (ET_REL) for
x86_64 with exactly one section .celos_module of 216 bytes (one struct
celos_module_descriptor) whose magic is "CMOD", whose ABI major version is
CELOS_ABI_VERSION_MAJOR, and whose name is NUL-terminated and equal to the
file's name without .ko. Exit status 1 when any check fails.
"""

import os
import re
import struct
import sys

ET_REL = 1
EM_X86_64 = 62
SHT_NOBITS = 8
DESCRIPTOR_SIZE = 216
MODULE_MAGIC = 0x444F4D43  # "CMOD"
NAME_OFFSET, NAME_MAX = 8, 32
VERSION_OFFSET, VERSION_MAX = 40, 16
DEPENDS_OFFSET, DEPENDS_MAX = 56, 128


def abi_major():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "..", "abi", "include", "celos", "version.h"), encoding="utf-8") as f:
        return int(re.search(r"#define\s+CELOS_ABI_VERSION_MAJOR\s+(\d+)", f.read()).group(1))


def inline_string(field, what, problems):
    end = field.find(b"\0")
    if end < 0:
        problems.append(f"descriptor {what} is not NUL-terminated within {len(field)} bytes")
        return None
    return field[:end].decode("utf-8", "replace")


def check(path, major):
    """The problems of one module file (empty when it is fine)."""
    with open(path, "rb") as f:
        d = f.read()
    if len(d) < 64 or d[:4] != b"\x7fELF":
        return ["not an ELF file"]
    problems = []
    if d[4] != 2 or d[5] != 1:
        return ["not ELF64 little-endian"]
    e_type, e_machine = struct.unpack_from("<HH", d, 16)
    if e_type != ET_REL:
        problems.append(f"e_type is {e_type}, not ET_REL ({ET_REL})")
    if e_machine != EM_X86_64:
        problems.append(f"e_machine is {e_machine}, not EM_X86_64 ({EM_X86_64})")
    (shoff,) = struct.unpack_from("<Q", d, 40)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", d, 58)
    if shentsize != 64 or shoff + shnum * 64 > len(d) or shstrndx >= shnum:
        return problems + ["bad section header table"]
    sections = [struct.unpack_from("<IIQQQQIIQQ", d, shoff + i * 64) for i in range(shnum)]
    strtab_offset = sections[shstrndx][4]

    def name_of(sh):
        start = strtab_offset + sh[0]
        return d[start:d.index(b"\0", start)].decode("utf-8", "replace")

    found = [sh for sh in sections if name_of(sh) == ".celos_module"]
    if len(found) != 1:
        return problems + [f"{len(found)} sections named .celos_module, expected exactly 1"]
    _, sh_type, _, _, offset, size, *_ = found[0]
    if size != DESCRIPTOR_SIZE:
        return problems + [f".celos_module is {size} bytes, expected {DESCRIPTOR_SIZE}"]
    if sh_type == SHT_NOBITS or offset + size > len(d):
        return problems + [".celos_module has no contents in the file"]
    desc = d[offset:offset + size]
    magic, major_found, minor_found = struct.unpack_from("<IHH", desc, 0)
    if magic != MODULE_MAGIC:
        problems.append(f"descriptor magic is {magic:#x}, expected {MODULE_MAGIC:#x} (\"CMOD\")")
    if major_found != major:
        problems.append(f"descriptor ABI major is {major_found}, expected {major}")
    name = inline_string(desc[NAME_OFFSET:NAME_OFFSET + NAME_MAX], "name", problems)
    inline_string(desc[VERSION_OFFSET:VERSION_OFFSET + VERSION_MAX], "version", problems)
    inline_string(desc[DEPENDS_OFFSET:DEPENDS_OFFSET + DEPENDS_MAX], "depends", problems)
    expected = os.path.basename(path)[:-len(".ko")] if path.endswith(".ko") else None
    if name is not None and expected is not None and name != expected:
        problems.append(f"descriptor name is '{name}', expected '{expected}' (the file's name)")
    return problems


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    major = abi_major()
    failed = False
    for path in sys.argv[1:]:
        try:
            problems = check(path, major)
        except (OSError, ValueError, struct.error) as e:
            problems = [str(e)]
        for p in problems:
            print(f"check_module_files: {path}: {p}", file=sys.stderr)
        if problems:
            failed = True
        else:
            print(f"check_module_files: {os.path.basename(path)}: OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
