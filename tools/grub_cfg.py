#!/usr/bin/env python3
"""The grub.cfg template (grub/grub.cfg.in): its menu entries, their module2
lines, and the check that every entry can boot as written:

  - every `module2` path is a file on the ISO (/boot/modules/NAME),
  - every `font=` (and `bold=`, `italic=`, `bolditalic=`, `fallback=`) of a
    module line names a boot file of the same entry
    (a module2 line labelled with that file name).

  grub_cfg.py --template grub/grub.cfg.in --modules DIR... [--optional NAME]...

checks the template against the files the ISO's /boot/modules is made of
(tools/mkiso.py runs the same check before every ISO it makes from the
template); --optional names a file that may be absent (a module not built
on this machine), reported as a note instead of an error.
"""
import argparse
import os
import re
import sys

MODULES_PREFIX = "/boot/modules/"
KERNEL_PATH = "/boot/celos.elf"
ENTRY_START = re.compile(r'^\s*menuentry\s+"([^"]*)"(.*)\{\s*$')
ENTRY_END = re.compile(r"^\s*}\s*$")


GRUB_SPECIAL = set("$;|&<>#'\"\\{}()` \t")


def quote(word):
    """`word` as one word of a GRUB script line, taken literally: in single
    quotes when it holds a character GRUB's parser treats specially."""
    if word and not (set(word) & GRUB_SPECIAL):
        return word
    return "'" + word.replace("'", "'\\''") + "'"


class ModuleLine:
    """`module2 PATH LABEL PARAM...`: a module (label without a dot: the
    module's name) or a boot file (label with a dot: the file's name)."""

    def __init__(self, path, label, params=()):
        self.path, self.label, self.params = path, label, list(params)

    @classmethod
    def parse(cls, line):
        words = line.split()
        if not words or words[0] != "module2":
            return None
        return cls(words[1] if len(words) > 1 else "", words[2] if len(words) > 2 else "", words[3:])

    @property
    def is_bootfile(self):
        return "." in self.label

    @property
    def file(self):
        """The file's name in /boot/modules, or None for another path."""
        return self.path[len(MODULES_PREFIX):] if self.path.startswith(MODULES_PREFIX) else None

    def param(self, key):
        value = None
        for word in self.params:
            k, eq, v = word.partition("=")
            if eq and k == key:
                value = v
        return value

    def text(self):
        return " ".join(["module2", self.path, self.label] + self.params)


# Module parameters that name a font's boot file (the truetype module's faces
# and fallback face too).
FONT_FILE_KEYS = ("font", "bold", "italic", "bolditalic", "fallback")


class Entry:
    def __init__(self, title, entry_id, body, line_number):
        self.title, self.id, self.body, self.line_number = title, entry_id, body, line_number
        self.numbers = []  # the line number of each body line

    @property
    def module_lines(self):
        return [m for m in (ModuleLine.parse(l) for l in self.body) if m is not None]

    @property
    def kernel_args(self):
        for line in self.body:
            words = line.split(None, 2)
            if words and words[0] == "multiboot2":
                return words[2] if len(words) > 2 else ""
        return None


class Config:
    def __init__(self, header, entries):
        self.header, self.entries = header, entries

    def entry(self, entry_id):
        return next((e for e in self.entries if e.id == entry_id), None)

    @property
    def ids(self):
        return [e.id for e in self.entries if e.id]


def parse(text):
    """A Config: the text before the first menu entry, and the entries."""
    header, entries, current = [], [], None
    for number, line in enumerate(text.splitlines(), 1):
        if current is None:
            m = ENTRY_START.match(line)
            if m:
                ident = re.search(r"--id\s+(\S+)", m.group(2))
                current = Entry(m.group(1), ident.group(1) if ident else None, [], number)
            elif not entries:
                header.append(line)
        elif ENTRY_END.match(line):
            entries.append(current)
            current = None
        else:
            current.body.append(line.strip())
            current.numbers.append(number)
    return Config(header, entries)


def entry_text(title, entry_id, body):
    return "\n".join(['menuentry "%s" --id %s {' % (title.replace('"', "'"), entry_id)]
                     + ["    " + l for l in body if l] + ["}"])


def check(text, files, where="grub.cfg", optional=()):
    """Problems of the config `text` on an ISO whose /boot/modules holds
    `files` (names): (errors, notes). A file in `optional` that is absent is
    a note, not an error."""
    errors, notes = [], []
    available = sorted(files)
    for e in parse(text).entries:
        labels = {m.label for m in e.module_lines if m.is_bootfile}
        kernel = False
        for line, number in zip(e.body, e.numbers or [e.line_number] * len(e.body)):
            name = "%s:%d: entry '%s'" % (where, number, e.id or e.title)
            words = line.split()
            if words and words[0] == "multiboot2":
                kernel = True
                if len(words) < 2 or words[1] != KERNEL_PATH:
                    errors.append("%s: the kernel is %s on the ISO, not '%s'"
                                  % (name, KERNEL_PATH, words[1] if len(words) > 1 else ""))
            m = ModuleLine.parse(line)
            if m is None:
                continue
            if not kernel:
                errors.append("%s: '%s' before any multiboot2 line" % (name, m.text()))
            if not m.label:
                errors.append("%s: '%s' has no label (the module's name, or the boot file's name)"
                              % (name, m.text()))
            if not m.file:
                errors.append("%s: '%s': the path is not in %s" % (name, m.text(), MODULES_PREFIX))
            elif m.file not in files:
                if m.file in optional:
                    notes.append("%s: %s is not built here (the entry boots without it)" % (name, m.path))
                else:
                    errors.append("%s: module2 %s: no such file on the ISO (%s holds: %s)"
                                  % (name, m.path, MODULES_PREFIX, ", ".join(available) or "nothing"))
            if m.is_bootfile:
                continue
            for key in FONT_FILE_KEYS:
                font = m.param(key)
                if font is not None and font not in labels:
                    errors.append("%s: %s %s=%s: no boot file %s in this entry (add the line "
                                  "'module2 %s%s %s')" % (name, m.label, key, font, font, MODULES_PREFIX, font, font))
    return errors, notes


def files_of(folders):
    names = set()
    for folder in folders:
        if os.path.isdir(folder):
            names.update(n for n in os.listdir(folder) if os.path.isfile(os.path.join(folder, n)))
    return names


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--template", required=True)
    p.add_argument("--modules", action="append", default=[])
    p.add_argument("--optional", action="append", default=[])
    args = p.parse_args()
    with open(args.template) as f:
        text = f.read()
    errors, notes = check(text, files_of(args.modules), args.template, args.optional)
    for n in notes:
        print("note: " + n, file=sys.stderr)
    for e in errors:
        print("error: " + e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
