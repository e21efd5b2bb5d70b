#!/usr/bin/env python3
"""Builds the core's symbol table blob from a linked kernel (see
core/lib/symbols.h for the layout), or with --verify checks that two links
place every function at the same address."""
import struct
import subprocess
import sys

KERNEL_VMA = 0xFFFFFFFF80000000


def strip_parameters(name):
    # "ns::f(int, char*) const" -> "ns::f"; keeps "(anonymous namespace)".
    depth = 0
    for i in range(len(name) - 1, -1, -1):
        c = name[i]
        if c == ')':
            depth += 1
        elif c == '(':
            depth -= 1
            if depth == 0:
                head = name[:i]
                if not name.startswith("(anonymous namespace)", i):
                    return head.rstrip()
    return name


def functions(elf):
    out = subprocess.run(["nm", "-n", "-S", "-C", "--defined-only", elf],
                         check=True, capture_output=True, text=True).stdout
    result = []
    for line in out.splitlines():
        parts = line.split(" ", 3)
        if len(parts) == 4:
            addr, size, kind, name = parts
        else:
            addr, kind, name = line.split(" ", 2)
            size = "0"
        if kind not in ("T", "t", "W", "w"):
            continue
        address = int(addr, 16)
        if address < KERNEL_VMA:
            continue
        result.append((address, int(size, 16), strip_parameters(name)))
    return result


def build(elf, blob_path, asm_path):
    syms = functions(elf)
    names = bytearray()
    offsets = {}
    entries = bytearray()
    for address, size, name in syms:
        if name not in offsets:
            offsets[name] = len(names)
            names += name.encode() + b"\0"
        entries += struct.pack("<QII", address, min(size, 0xFFFFFFFF), offsets[name])
    blob = struct.pack("<II", 0x4D59534B, len(syms)) + entries + names
    with open(blob_path, "wb") as f:
        f.write(blob)
    with open(asm_path, "w") as f:
        f.write('    .section .ksyms, "a"\n    .incbin "%s"\n' % blob_path)


def verify(stage1, final):
    a, b = functions(stage1), functions(final)
    if [(x[0], x[2]) for x in a] != [(x[0], x[2]) for x in b]:
        sys.exit("gen_symbols: the final kernel's functions moved after adding the symbol table")


if __name__ == "__main__":
    if sys.argv[1] == "--verify":
        verify(sys.argv[2], sys.argv[3])
    else:
        build(sys.argv[1], sys.argv[2], sys.argv[3])
