#!/usr/bin/env python3
"""Reads a CelOS module's descriptor (the `.celos_module` section of a .ko,
abi/include/celos/module.h) on the host: its name, version, dependencies and
parameters with their types and descriptions. The descriptor's pointers (to
the parameter table, and from it to the descriptions) are followed through
the relocations of the ELF relocatable object, as the loader does.

  module_info.py FILE.ko...     prints what each module is and takes
"""
import struct
import sys

MAGIC = 0x444F4D43  # CELOS_MODULE_MAGIC, "CMOD"
# core/module/module_image.h, descriptor_layout
NAME_OFFSET, NAME_MAX = 8, 32
VERSION_OFFSET, VERSION_MAX = 40, 16
DEPENDS_OFFSET, DEPENDS_MAX = 56, 128
PARAMS_OFFSET = 200
PARAM_COUNT_OFFSET = 208
DESCRIPTOR_SIZE = 216
# struct celos_module_param: name[24], type u32, size u32, value* (32), description* (40)
PARAM_SIZE = 48
PARAM_NAME_MAX = 24
PARAM_DESCRIPTION_OFFSET = 40
PARAM_TYPES = {1: "bool", 2: "int", 3: "string"}

SHT_RELA = 4
R_X86_64_64 = 1


class ModuleInfoError(Exception):
    pass


class Param:
    def __init__(self, name, kind, size, description):
        self.name, self.kind, self.size, self.description = name, kind, size, description

    def describe(self):
        kind = self.kind
        if kind == "string" and self.size:
            kind = "string, at most %d characters" % (self.size - 1)
        return "%s (%s): %s" % (self.name, kind, self.description)


class ModuleInfo:
    def __init__(self, name, version, depends, params):
        self.name, self.version, self.depends, self.params = name, version, depends, params

    def param(self, name):
        return next((p for p in self.params if p.name == name), None)


def _cstr(raw):
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace")


class _Elf:
    def __init__(self, data, path):
        self.data, self.path = data, path
        if data[:4] != b"\x7fELF" or len(data) < 64 or data[4] != 2 or data[5] != 1:
            raise ModuleInfoError("%s: not a 64-bit little-endian ELF file" % path)
        shoff, = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
        if shentsize != 64 or shoff + shnum * 64 > len(data) or shstrndx >= shnum:
            raise ModuleInfoError("%s: bad section header table" % path)
        self.sections = []
        for i in range(shnum):
            name, kind, flags, addr, offset, size, link, info, align, entsize = struct.unpack_from(
                "<IIQQQQIIQQ", data, shoff + i * 64)
            self.sections.append(dict(name=name, type=kind, offset=offset, size=size, link=link, info=info,
                                      entsize=entsize))
        strtab = self.sections[shstrndx]
        for s in self.sections:
            s["name"] = _cstr(data[strtab["offset"] + s["name"]:strtab["offset"] + strtab["size"]])
        self._relocs = {}

    def index(self, name):
        for i, s in enumerate(self.sections):
            if s["name"] == name:
                return i
        return None

    def contents(self, index):
        s = self.sections[index]
        return self.data[s["offset"]:s["offset"] + s["size"]]

    def relocations(self, index):
        """{offset: (section index of the target, offset in it)} of the
        R_X86_64_64 relocations applied to section `index`."""
        if index in self._relocs:
            return self._relocs[index]
        out = {}
        for s in self.sections:
            if s["type"] != SHT_RELA or s["info"] != index:
                continue
            symtab = self.sections[s["link"]]
            for at in range(s["offset"], s["offset"] + s["size"], 24):
                r_offset, r_info, r_addend = struct.unpack_from("<QQq", self.data, at)
                if r_info & 0xFFFFFFFF != R_X86_64_64:
                    continue
                sym = symtab["offset"] + (r_info >> 32) * 24
                _, _, _, shndx, value, _ = struct.unpack_from("<IBBHQQ", self.data, sym)
                out[r_offset] = (shndx, value + r_addend)
        self._relocs[index] = out
        return out

    def pointer(self, index, offset):
        """Where the 64-bit pointer at `offset` of section `index` points:
        (section, offset), or None for a null pointer."""
        return self.relocations(index).get(offset)

    def string_at(self, target, limit=256):
        if target is None:
            return ""
        section, offset = target
        if section >= len(self.sections):
            return ""
        return _cstr(self.contents(section)[offset:offset + limit])


def read(path):
    """The ModuleInfo of the .ko at `path`; ModuleInfoError if it has no
    readable descriptor."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ModuleInfoError("%s: %s" % (path, e.strerror))
    elf = _Elf(data, path)
    index = elf.index(".celos_module")
    if index is None:
        raise ModuleInfoError("%s: no .celos_module section (not a CelOS module)" % path)
    desc = elf.contents(index)
    if len(desc) < DESCRIPTOR_SIZE or struct.unpack_from("<I", desc, 0)[0] != MAGIC:
        raise ModuleInfoError("%s: the .celos_module descriptor is too short or has a bad magic" % path)
    name = _cstr(desc[NAME_OFFSET:NAME_OFFSET + NAME_MAX])
    version = _cstr(desc[VERSION_OFFSET:VERSION_OFFSET + VERSION_MAX])
    depends = _cstr(desc[DEPENDS_OFFSET:DEPENDS_OFFSET + DEPENDS_MAX]).replace(",", " ").split()
    count, = struct.unpack_from("<I", desc, PARAM_COUNT_OFFSET)
    params = []
    table = elf.pointer(index, PARAMS_OFFSET)
    if count and table is not None:
        section, base = table
        raw = elf.contents(section)
        for i in range(count):
            at = base + i * PARAM_SIZE
            if at + PARAM_SIZE > len(raw):
                raise ModuleInfoError("%s: parameter table runs past its section" % path)
            pname = _cstr(raw[at:at + PARAM_NAME_MAX])
            kind, size = struct.unpack_from("<II", raw, at + PARAM_NAME_MAX)
            description = elf.string_at(elf.pointer(section, at + PARAM_DESCRIPTION_OFFSET))
            params.append(Param(pname, PARAM_TYPES.get(kind, "type %d" % kind), size, description))
    return ModuleInfo(name, version, depends, params)


def main(argv):
    status = 0
    for path in argv:
        try:
            info = read(path)
        except ModuleInfoError as e:
            print(e, file=sys.stderr)
            status = 1
            continue
        print("%s %s (depends: %s)" % (info.name, info.version, ", ".join(info.depends) or "nothing"))
        for p in info.params:
            print("  " + p.describe())
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
