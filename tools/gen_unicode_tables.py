#!/usr/bin/env python3
"""Writes the terminal's character width tables (a C++ header) from the
Unicode Character Database files of Debian's unicode-data package.

usage: gen_unicode_tables.py UCD_DIR OUTPUT.h

Tables (sorted, merged ranges of code points, binary-searched by
modules/fbcon/terminal.cpp):
  kZeroWidth   combining marks (Mn, Me), format characters (Cf, but U+00AD
               SOFT HYPHEN, which xterm shows), Hangul medial vowels and
               final consonants U+1160-11FF: they join the previous cell
  kWide        East_Asian_Width W or F (with the blocks the file says
               default to W) and Emoji_Presentation: two cells
  kEmojiVs16   bases of the "emoji style" variation sequences
               (emoji-variation-sequences.txt): base + U+FE0F takes two cells
Nothing here is copied into the repository: the header is generated in
the build tree.
"""
import os
import sys


def fail(path, why):
    sys.exit(f"gen_unicode_tables.py: {path}: {why} (install Debian's unicode-data package)")


def read_lines(path):
    try:
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                line = line.split("#", 1)[0].strip()
                if line:
                    yield number, line
    except OSError as e:
        fail(path, e.strerror)


def parse_range(path, number, text):
    try:
        if ".." in text:
            a, b = text.split("..")
            return int(a, 16), int(b, 16)
        v = int(text, 16)
        return v, v
    except ValueError:
        fail(path, f"line {number}: bad code point range {text!r}")


def merge(ranges):
    out = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    ucd, output = sys.argv[1], sys.argv[2]
    unicode_data = os.path.join(ucd, "UnicodeData.txt")
    east_asian = os.path.join(ucd, "EastAsianWidth.txt")
    emoji_data = os.path.join(ucd, "emoji", "emoji-data.txt")
    emoji_vs = os.path.join(ucd, "emoji", "emoji-variation-sequences.txt")

    zero = [(0x1160, 0x11FF)]
    first = None
    for number, line in read_lines(unicode_data):
        fields = line.split(";")
        if len(fields) < 3:
            fail(unicode_data, f"line {number}: fewer than 3 fields")
        cp = int(fields[0], 16)
        name, category = fields[1], fields[2]
        if name.endswith(", First>"):
            first = cp
            continue
        lo = first if name.endswith(", Last>") and first is not None else cp
        first = None
        if category in ("Mn", "Me") or (category == "Cf" and cp != 0x00AD):
            zero.append((lo, cp))

    wide = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FFFD), (0x30000, 0x3FFFD)]
    narrow_listed = []
    for number, line in read_lines(east_asian):
        fields = [f.strip() for f in line.split(";")]
        if len(fields) != 2:
            fail(east_asian, f"line {number}: expected 2 fields")
        lo, hi = parse_range(east_asian, number, fields[0])
        if fields[1] in ("W", "F"):
            wide.append((lo, hi))
        else:
            narrow_listed.append((lo, hi))
    # The default-W blocks hold a few code points listed otherwise.
    wide = merge(wide)

    def minus(ranges, holes):
        out = []
        for a, b in ranges:
            pieces = [(a, b)]
            for h0, h1 in holes:
                next_pieces = []
                for p0, p1 in pieces:
                    if h1 < p0 or h0 > p1:
                        next_pieces.append((p0, p1))
                        continue
                    if p0 < h0:
                        next_pieces.append((p0, h0 - 1))
                    if h1 < p1:
                        next_pieces.append((h1 + 1, p1))
                pieces = next_pieces
            out.extend(pieces)
        return out

    wide = minus(wide, merge(narrow_listed))

    vs16 = []
    if os.path.exists(emoji_data):
        for number, line in read_lines(emoji_data):
            fields = [f.strip() for f in line.split(";")]
            if len(fields) >= 2 and fields[1] == "Emoji_Presentation":
                wide.append(parse_range(emoji_data, number, fields[0]))
    if os.path.exists(emoji_vs):
        for number, line in read_lines(emoji_vs):
            fields = [f.strip() for f in line.split(";")]
            seq = fields[0].split()
            if len(fields) >= 2 and fields[1] == "emoji style" and len(seq) == 2 and seq[1] == "FE0F":
                cp = int(seq[0], 16)
                vs16.append((cp, cp))

    zero = merge(zero)
    wide = merge(minus(merge(wide), zero))
    vs16 = merge(vs16)

    def table(name, ranges):
        rows = [f"    {{0x{a:X}, 0x{b:X}}}," for a, b in ranges]
        return (f"inline constexpr UnicodeRange {name}[] = {{\n" + "\n".join(rows) + "\n};\n"
                f"inline constexpr uint32_t {name}Count = {len(ranges)};\n")

    text = (
        "// Generated by tools/gen_unicode_tables.py from the Unicode Character\n"
        f"// Database in {ucd}; do not edit.\n"
        "#pragma once\n#include <stdint.h>\n\nnamespace celos::fbcon::unicode {\n\n"
        "struct UnicodeRange {\n    uint32_t first, last;\n};\n\n"
        + table("kZeroWidth", zero) + "\n" + table("kWide", wide) + "\n" + table("kEmojiVs16", vs16)
        + "\n} // namespace celos::fbcon::unicode\n")
    tmp = output + ".tmp"
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, output)


if __name__ == "__main__":
    main()
