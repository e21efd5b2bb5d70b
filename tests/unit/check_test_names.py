#!/usr/bin/env python3
"""Fails when a Catch2 TEST_CASE name holds '[' or ']' or ';'.

ctest learns the unit tests' names from the test binary through CMake
lists (catch_discover_tests): an unbalanced bracket or a semicolon in a
name merges that test and every later one into one ctest entry, which runs
none of them and passes. Tags (the second argument) may use brackets.

usage: check_test_names.py FILE..."""
import re
import sys

NAME = re.compile(r'TEST_CASE\(\s*"((?:[^"\\]|\\.)*)"')

bad = []
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            for m in NAME.finditer(line):
                if any(c in m.group(1) for c in "[];"):
                    bad.append(f"{path}:{number}: test name {m.group(1)!r} holds '[', ']' or ';'")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
