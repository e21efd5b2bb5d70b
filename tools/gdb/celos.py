# gdb helpers for CelOS: module symbols at their load addresses, as Linux's
# lx-symbols does for its modules.
#
#   gdb -x tools/gdb/celos.py build/debug/celos.elf
#   (gdb) target remote :1234          # ./celos run --gdb
#   (gdb) celos-symbols                # now, and again whenever modules change
#   (gdb) break abi_test_c_add
#   (gdb) continue
#
# The kernel keeps a record of its loaded modules in `celos_debug_modules`
# (core/module/debug_info.h): for each module its name, the label of its
# module2 line, the size of its file and the address of every allocated
# section of its .ko. celos-symbols reads it, finds each module's .ko on this
# machine (by name, in the build's module folders: the unstripped files the
# ISO copies), and adds its symbols with add-symbol-file at those addresses.
# Symbol files of modules that are gone, or that moved, are removed. A
# breakpoint on celos_debug_modules_changed(), which the loader calls after
# every load and unload, repeats this while the kernel runs (it does not
# stop there), so breakpoints in modules that load later resolve.
#
# Commands: celos-symbols [--once] [DIR...], celos-modules.
import os
import struct

import gdb

TABLE_SYMBOL = "celos_debug_modules"
HOOK_FUNCTION = "celos_debug_modules_changed"
MAGIC = 0x47424443  # "CDBG", kDebugInfoMagic
VERSION = 1  # kDebugInfoVersion

# struct celos_debug_modules_table and struct celos_debug_module
# (core/module/debug_info.h; the core checks these offsets with static_assert).
HEADER = struct.Struct("<IIIIQ")  # magic, version, capacity, module_size, generation
MODULE = struct.Struct("<IIIIQQ40s48s")  # in_use, section_count, sections_dropped, reserved, file_size, base, name, file
SECTION = struct.Struct("<QII")  # address, index, reserved
MAX_SECTIONS = 32
MODULE_SIZE = MODULE.size + MAX_SECTIONS * SECTION.size

# Where a build puts module files, relative to build/<preset>/.
BUILD_MODULE_DIRS = ["iso-modules", "tests/abi/modules", "tests/unit/fixtures"]
# The unstripped twins of the shipped modules (the ISO's are stripped of
# debug information): same names, same allocated sections.
BUILD_DEBUG_DIR = "modules-debug"


def _cstr(raw):
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace")


def elf_section_names(path):
    """{index: name} of an ELF64 little-endian file's sections."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError("%s: not an ELF64 little-endian file" % path)
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    if shentsize != 64 or shoff + shnum * 64 > len(data) or shstrndx >= shnum:
        raise ValueError("%s: bad section header table" % path)
    headers = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * 64) for i in range(shnum)]
    strtab_off, strtab_size = headers[shstrndx][4], headers[shstrndx][5]
    names = {}
    for i, h in enumerate(headers):
        start = strtab_off + h[0]
        end = data.find(b"\0", start, strtab_off + strtab_size)
        names[i] = data[start:end].decode("utf-8", "replace") if end >= 0 else ""
    return names


class KernelModule:
    def __init__(self, slot, name, file, file_size, base, sections, dropped):
        self.slot = slot
        self.name = name
        self.file = file
        self.file_size = file_size
        self.base = base
        self.sections = sections  # [(index, address)]
        self.dropped = dropped

    def key(self):
        return (self.slot, self.name, self.file_size, tuple(self.sections))


def read_module_table():
    """The kernel's loaded modules, or raises gdb.error with the reason."""
    try:
        address = int(gdb.parse_and_eval("&%s" % TABLE_SYMBOL))
    except gdb.error:
        raise gdb.error("no symbol %s: load the kernel's celos.elf first (gdb -x tools/gdb/celos.py "
                        "build/debug/celos.elf)" % TABLE_SYMBOL)
    inferior = gdb.selected_inferior()
    try:
        header = bytes(inferior.read_memory(address, HEADER.size))
    except gdb.MemoryError:
        raise gdb.error("cannot read %s at 0x%x: the kernel is not in the higher half yet" % (TABLE_SYMBOL, address))
    magic, version, capacity, module_size, generation = HEADER.unpack(header)
    if magic != MAGIC or version != VERSION or module_size != MODULE_SIZE or capacity > 4096:
        raise gdb.error("%s: magic 0x%x, version %d, entry size %d: expected 0x%x, %d, %d (is celos.elf the "
                        "running kernel, and this script from the same tree?)"
                        % (TABLE_SYMBOL, magic, version, module_size, MAGIC, VERSION, MODULE_SIZE))
    raw = bytes(inferior.read_memory(address + HEADER.size, capacity * module_size))
    modules = []
    for slot in range(capacity):
        at = slot * module_size
        in_use, count, dropped, _, file_size, base, name, file = MODULE.unpack_from(raw, at)
        if not in_use:
            continue
        count = min(count, MAX_SECTIONS)
        sections = []
        for i in range(count):
            sec_address, index, _ = SECTION.unpack_from(raw, at + MODULE.size + i * SECTION.size)
            sections.append((index, sec_address))
        modules.append(KernelModule(slot, _cstr(name), _cstr(file), file_size, base, sections, dropped))
    return generation, modules


def build_dir():
    """build/<preset>/, from the kernel file gdb was given."""
    kernel = gdb.current_progspace().filename
    return os.path.dirname(os.path.abspath(kernel)) if kernel else os.getcwd()


class CelosSymbols(gdb.Command):
    """Add the symbols of every loaded CelOS module at its load addresses.

celos-symbols [--once] [DIR...]

Reads the kernel's module record (celos_debug_modules), finds each module's
.ko by name in DIR... and in the build's module folders (iso-modules,
tests/abi/modules, tests/unit/fixtures next to celos.elf), and runs
add-symbol-file with the address of every allocated section. Symbol files of
unloaded or moved modules are removed. Unless --once is given, a breakpoint on
celos_debug_modules_changed repeats this whenever a module is loaded or
unloaded, without stopping."""

    def __init__(self):
        super().__init__("celos-symbols", gdb.COMMAND_FILES, gdb.COMPLETE_FILENAME)
        self.loaded = {}  # slot -> (KernelModule, path, text address)
        self.extra_dirs = []
        self.hook = None
        self.generation = None

    def module_dirs(self):
        root = build_dir()
        return self.extra_dirs + [os.path.join(root, d) for d in BUILD_MODULE_DIRS]

    def find_file(self, module):
        """The .ko for a module: by descriptor name, then by label; its size
        must equal the size of the file the kernel loaded."""
        seen = []
        for base in dict.fromkeys([module.name, module.file]):
            for folder in self.module_dirs():
                path = os.path.join(folder, base + ".ko")
                if not os.path.isfile(path):
                    continue
                if os.path.getsize(path) == module.file_size:
                    return path
                seen.append("%s (%d bytes)" % (path, os.path.getsize(path)))
        if seen:
            gdb.write("celos-symbols: %s: the kernel loaded %d bytes; no file of that size (found: %s); "
                      "rebuild, or give the folder of the right one\n"
                      % (module.name, module.file_size, ", ".join(seen)))
        else:
            gdb.write("celos-symbols: %s: no %s.ko in %s\n"
                      % (module.name, module.name, ", ".join(self.module_dirs())))
        return None

    def debug_twin(self, path):
        """The unstripped file of a shipped module (modules-debug beside
        iso-modules), when it is there and not older; else `path` itself."""
        twin = os.path.join(build_dir(), BUILD_DEBUG_DIR, os.path.basename(path))
        if os.path.isfile(twin) and os.path.getmtime(twin) >= os.path.getmtime(path) - 1:
            return twin
        return path

    def remove(self, slot):
        module, path, text = self.loaded.pop(slot)
        try:
            gdb.execute("remove-symbol-file -a 0x%x" % text, to_string=True)
        except gdb.error as e:
            gdb.write("celos-symbols: %s: cannot remove %s: %s\n" % (module.name, path, e))

    def add(self, module):
        path = self.find_file(module)
        if path is None:
            return False
        try:
            names = elf_section_names(path)
        except (OSError, ValueError) as e:
            gdb.write("celos-symbols: %s: %s\n" % (module.name, e))
            return False
        # Section indices are the loaded file's; names map them onto the
        # unstripped twin, whose symbols and line tables gdb reads.
        symbols_path = self.debug_twin(path)
        args, text, used = [], None, set()
        for index, address in module.sections:
            name = names.get(index)
            if not name or name in used:  # add-symbol-file takes sections by name
                continue
            used.add(name)
            if name == ".text":
                text = address
            else:
                args.append("-s %s 0x%x" % (name, address))
        if text is None:  # remove-symbol-file -a needs an address inside the file
            text = module.sections[0][1] if module.sections else module.base
            command = "add-symbol-file %s %s" % (symbols_path, " ".join(args))
        else:
            command = "add-symbol-file %s 0x%x %s" % (symbols_path, text, " ".join(args))
        gdb.execute(command, to_string=True)
        if module.dropped:
            gdb.write("celos-symbols: %s: %d sections beyond the record's %d have no address\n"
                      % (module.name, module.dropped, MAX_SECTIONS))
        self.loaded[module.slot] = (module, path, text)
        return True

    def reload(self, quiet=False):
        generation, modules = read_module_table()
        current = {m.slot: m for m in modules}
        for slot in list(self.loaded):
            if slot not in current or current[slot].key() != self.loaded[slot][0].key():
                if not quiet:
                    gdb.write("celos-symbols: %s: unloaded, symbols removed\n" % self.loaded[slot][0].name)
                self.remove(slot)
        for module in modules:
            if module.slot in self.loaded:
                continue
            if self.add(module) and not quiet:
                gdb.write("celos-symbols: %s: %s at 0x%x\n"
                          % (module.name, self.loaded[module.slot][1], self.loaded[module.slot][2]))
        self.generation = generation
        return modules

    def install_hook(self):
        if self.hook is not None and self.hook.is_valid():
            return
        self.hook = ModuleChangeBreakpoint(self)

    def invoke(self, argument, from_tty):
        args = gdb.string_to_argv(argument)
        once = "--once" in args
        for folder in (a for a in args if a != "--once"):
            folder = os.path.abspath(os.path.expanduser(folder))
            if folder not in self.extra_dirs:
                self.extra_dirs.append(folder)
        if not once:
            self.install_hook()
        try:
            modules = self.reload()
        except gdb.error as e:
            if once:
                raise
            gdb.write("celos-symbols: %s; symbols will be added as modules load\n" % e)
            return
        gdb.write("celos-symbols: %d modules loaded in the kernel, symbols for %d (generation %d)%s\n"
                  % (len(modules), len(self.loaded), self.generation,
                     "" if once else "; following loads and unloads"))


class ModuleChangeBreakpoint(gdb.Breakpoint):
    """On the loader's hook: reload the module symbols, do not stop."""

    def __init__(self, command):
        super().__init__(HOOK_FUNCTION, internal=True)
        self.silent = True
        self.command = command

    def stop(self):
        try:
            self.command.reload(quiet=False)
        except gdb.error as e:
            gdb.write("celos-symbols: %s\n" % e)
        return False


class CelosModules(gdb.Command):
    """List the modules the kernel has loaded, from celos_debug_modules.

celos-modules: slot, name, file label, base address, sections and whether
celos-symbols has added its symbols."""

    def __init__(self, symbols):
        super().__init__("celos-modules", gdb.COMMAND_STATUS)
        self.symbols = symbols

    def invoke(self, argument, from_tty):
        generation, modules = read_module_table()
        gdb.write("generation %d, %d modules\n" % (generation, len(modules)))
        for m in modules:
            loaded = self.symbols.loaded.get(m.slot)
            state = loaded[1] if loaded and loaded[0].key() == m.key() else "no symbols"
            gdb.write("  %2d %-16s %-20s 0x%x  %d sections  %s\n"
                      % (m.slot, m.name, m.file, m.base, len(m.sections), state))


_symbols = CelosSymbols()
CelosModules(_symbols)
