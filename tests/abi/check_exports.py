#!/usr/bin/env python3
"""Checks the core's export table against abi/exports.txt and the ABI headers.

usage: check_exports.py KERNEL_ELF EXPORTS_TXT [--headers DIR]

The table is the array of `struct celos_export {const char* name; const void*
address;}` (16 bytes each) that CELOS_EXPORT puts in `.celos_exports`: in the
kernel image either between the symbols __celos_exports_start and
__celos_exports_end (inside .rodata, preferred when .symtab has both) or as
an output section of its own. Each name pointer is a virtual address that is
translated to a file offset through the section headers.

Checks, each failure reported by name (exit status 1):
- the set of names in the kernel equals the set in exports.txt (missing,
  extra, duplicates on either side);
- every entry's address lies in an allocated section of the image;
- every name in exports.txt is declared in the ABI headers (a function or a
  variable), with the signature exports.txt gives, except the compiler's own
  stack-protector symbols.
"""

import argparse
import collections
import os
import re
import struct
import sys

SHT_SYMTAB = 2
SHT_NOBITS = 8
SHF_ALLOC = 0x2
ENTRY_SIZE = 16

# Referenced by code the compiler generates (-fstack-protector), so no header declares them.
COMPILER_RUNTIME = {"__stack_chk_guard", "__stack_chk_fail"}


class ElfError(Exception):
    pass


class Elf:
    """The section headers and symbols of an ELF64 little-endian file."""

    def __init__(self, path):
        with open(path, "rb") as f:
            self.data = f.read()
        d = self.data
        if len(d) < 64 or d[:4] != b"\x7fELF":
            raise ElfError(f"{path}: not an ELF file")
        if d[4] != 2 or d[5] != 1:
            raise ElfError(f"{path}: not ELF64 little-endian")
        (self.e_type, self.e_machine) = struct.unpack_from("<HH", d, 16)
        (shoff,) = struct.unpack_from("<Q", d, 40)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", d, 58)
        if shoff == 0 or shnum == 0:
            raise ElfError(f"{path}: no section headers")
        if shentsize != 64 or shoff + shnum * 64 > len(d):
            raise ElfError(f"{path}: section header table out of the file")
        self.sections = []
        for i in range(shnum):
            name, typ, flags, addr, off, size, link, info, align, entsize = struct.unpack_from(
                "<IIQQQQIIQQ", d, shoff + i * 64)
            self.sections.append(dict(name_off=name, type=typ, flags=flags, addr=addr, offset=off,
                                      size=size, link=link, info=info, entsize=entsize))
        strtab = self.sections[shstrndx]
        for s in self.sections:
            s["name"] = self.cstring(strtab["offset"] + s["name_off"])

    def cstring(self, offset):
        if offset >= len(self.data):
            raise ElfError(f"string at file offset {offset:#x} is outside the file")
        end = self.data.find(b"\0", offset)
        if end < 0:
            raise ElfError(f"string at file offset {offset:#x} is not NUL-terminated")
        return self.data[offset:end].decode("utf-8", "replace")

    def section(self, name):
        found = [s for s in self.sections if s["name"] == name]
        return found[0] if found else None

    def symbols(self):
        """name -> value for the symbols of .symtab (empty when stripped)."""
        result = {}
        for s in self.sections:
            if s["type"] != SHT_SYMTAB:
                continue
            strtab = self.sections[s["link"]]
            for i in range(s["size"] // 24):
                name, info, other, shndx, value, size = struct.unpack_from("<IBBHQQ", self.data,
                                                                            s["offset"] + i * 24)
                if name:
                    result[self.cstring(strtab["offset"] + name)] = value
        return result

    def alloc_section_at(self, vaddr):
        for s in self.sections:
            if s["flags"] & SHF_ALLOC and s["size"] and s["addr"] <= vaddr < s["addr"] + s["size"]:
                return s
        return None

    def file_offset(self, vaddr):
        s = self.alloc_section_at(vaddr)
        if s is None or s["type"] == SHT_NOBITS:
            raise ElfError(f"virtual address {vaddr:#x} is not in a section with file contents")
        return s["offset"] + (vaddr - s["addr"])


def export_table(elf):
    """[(name, address)] of the kernel's export table, in order."""
    syms = elf.symbols()
    if "__celos_exports_start" in syms and "__celos_exports_end" in syms:
        start, end = syms["__celos_exports_start"], syms["__celos_exports_end"]
        where = "__celos_exports_start..__celos_exports_end"
    else:
        s = elf.section(".celos_exports")
        if s is None:
            raise ElfError("no export table: neither the symbols __celos_exports_start/_end nor a "
                           "section .celos_exports (does the linker script keep .celos_exports?)")
        start, end = s["addr"], s["addr"] + s["size"]
        where = "section .celos_exports"
    if end < start or (end - start) % ENTRY_SIZE:
        raise ElfError(f"{where}: [{start:#x}, {end:#x}) is not a whole number of {ENTRY_SIZE}-byte entries")
    entries = []
    if end == start:
        return entries, where
    base = elf.file_offset(start)
    if elf.file_offset(end - 1) != base + (end - 1 - start):
        raise ElfError(f"{where}: [{start:#x}, {end:#x}) spans sections")
    for i in range((end - start) // ENTRY_SIZE):
        name_ptr, address = struct.unpack_from("<QQ", elf.data, base + i * ENTRY_SIZE)
        try:
            name = elf.cstring(elf.file_offset(name_ptr))
        except ElfError as e:
            raise ElfError(f"{where}: entry {i}: name pointer {name_ptr:#x}: {e}")
        entries.append((name, address))
    return entries, where


def read_exports_txt(path):
    """[(name, signature, line number)] of exports.txt."""
    result = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            fields = line.split(None, 1)
            result.append((fields[0], fields[1].strip() if len(fields) > 1 else "", number))
    return result


def header_declarations(headers_dir):
    """The declarations (text up to ';') of every ABI header, comments and
    preprocessor lines removed, with the header each comes from."""
    decls = []
    for name in sorted(os.listdir(headers_dir)):
        if not name.endswith(".h"):
            continue
        with open(os.path.join(headers_dir, name), encoding="utf-8") as f:
            text = f.read()
        text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
        text = re.sub(r"//[^\n]*", " ", text)
        text = re.sub(r"^\s*#(?:[^\n]*\\\n)*[^\n]*", " ", text, flags=re.M)
        text = re.sub(r"\bCELOS_(?:BEGIN|END)_DECLS\b", " ", text)
        for decl in text.split(";"):
            decls.append((name, decl.strip()))
    return decls


def normalize(signature):
    """A declaration reduced to what the ABI is about: no attributes or
    parameter-independent spacing, CELOS_NORETURN spelled _Noreturn."""
    s = re.sub(r"\bCELOS_PRINTF\s*\([^)]*\)", " ", signature)
    s = re.sub(r"__attribute__\s*\(\(.*?\)\)", " ", s)
    s = re.sub(r"\bCELOS_NORETURN\b|\[\[noreturn\]\]", "_Noreturn", s)
    s = re.sub(r"\bextern\b", " ", s)
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r"\s*([*(),\[\]])\s*", r"\1", s)
    return s


def check_headers(listed, headers_dir):
    problems = []
    decls = header_declarations(headers_dir)
    for name, signature, number in listed:
        if name in COMPILER_RUNTIME:
            continue
        pattern = re.compile(r"(?<![\w.>])" + re.escape(name) + r"\s*(\(|$|\[)")
        found = [(h, d) for h, d in decls if pattern.search(d)]
        if not found:
            problems.append(f"{name} (exports.txt line {number}) is not declared in the ABI headers")
            continue
        if signature and all(normalize(d) != normalize(signature) for _, d in found):
            header, decl = found[0]
            problems.append(f"{name}: exports.txt line {number} says `{signature}` but {header} declares "
                            f"`{' '.join(decl.split())}`")
    return problems


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("kernel_elf")
    parser.add_argument("exports_txt")
    parser.add_argument("--headers", default=os.path.join(here, "..", "..", "abi", "include", "celos"),
                        help="the ABI header directory (default: abi/include/celos)")
    args = parser.parse_args()

    problems = []
    listed = read_exports_txt(args.exports_txt)
    listed_names = collections.Counter(name for name, _, _ in listed)
    for name, count in sorted(listed_names.items()):
        if count > 1:
            problems.append(f"duplicate in exports.txt: {name} ({count} times)")

    try:
        elf = Elf(args.kernel_elf)
        entries, where = export_table(elf)
    except (ElfError, OSError) as e:
        print(f"check_exports: {args.kernel_elf}: {e}", file=sys.stderr)
        return 1
    kernel_names = collections.Counter(name for name, _ in entries)
    for name, count in sorted(kernel_names.items()):
        if count > 1:
            problems.append(f"duplicate in the kernel's export table: {name} ({count} times)")
    for name, address in entries:
        if elf.alloc_section_at(address) is None:
            problems.append(f"kernel export {name}: address {address:#x} is not in an allocated section")
    for name in sorted(set(listed_names) - set(kernel_names)):
        problems.append(f"missing from the kernel (listed in exports.txt): {name}")
    for name in sorted(set(kernel_names) - set(listed_names)):
        problems.append(f"extra in the kernel (not in exports.txt): {name}")

    problems += check_headers(listed, args.headers)

    for p in problems:
        print(f"check_exports: {p}", file=sys.stderr)
    if problems:
        print(f"check_exports: FAILED: {len(problems)} problem(s); kernel has {len(entries)} exports "
              f"({where}), exports.txt lists {len(listed)}", file=sys.stderr)
        return 1
    print(f"check_exports: OK: {len(entries)} exports ({where}) match exports.txt and the headers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
