#!/usr/bin/env python3
"""docs/writing-a-module.md shows the files of examples/greeter, its finished
folder, verbatim: the boot tests build and boot that folder
(tests/boot/CMakeLists.sdk.cmake), so the tutorial's code is what is tested."""
import os
import re
import unittest

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DOC = os.path.join(ROOT, "docs", "writing-a-module.md")
EXAMPLE = os.path.join(ROOT, "examples", "greeter")


def fenced_blocks(text):
    return [m.group(1).rstrip("\n") for m in re.finditer(r"^```[a-z]*\n(.*?)^```$", text, re.S | re.M)]


class Tutorial(unittest.TestCase):
    def test_shows_the_example_files(self):
        with open(DOC) as f:
            blocks = fenced_blocks(f.read())
        files = sorted(os.listdir(EXAMPLE))
        self.assertEqual(files, ["CMakeLists.txt", "Makefile", "greeter.c", "greeter.h", "visitor.cpp"])
        for name in files:
            with open(os.path.join(EXAMPLE, name)) as f:
                content = f.read().rstrip("\n")
            with self.subTest(file=name):
                self.assertIn(content, blocks, f"docs/writing-a-module.md does not show examples/greeter/{name}")
        self.assertEqual(len(blocks), len(files), "a code block of the tutorial that is not in examples/greeter")


if __name__ == "__main__":
    unittest.main()
