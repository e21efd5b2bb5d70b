#!/usr/bin/env python3
"""Unit tests of tools/check_module_links.py's reasons: the same cases and
the same words as tests/unit/test_link_reason.cpp (the loader's), so the
build and the boot say the same thing.

  python3 tests/tools/test_check_module_links.py [-v]
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tools"))
from check_module_links import closest, edit_distance, reason  # noqa: E402


class Reasons(unittest.TestCase):
    def test_exported_by_a_module_not_in_depends(self):
        self.assertEqual(reason("kmalloc", "heap", None, False),
                         "kmalloc is exported by heap: add heap to the module's dependencies")

    def test_not_exported_by_the_core(self):
        self.assertEqual(reason("kernel_main", None, None, False), "kernel_main is not exported by the core")
        self.assertEqual(reason("kernel_main", None, None, True),
                         "kernel_main is not exported by the core or its dependencies")

    def test_typo(self):
        best = closest("kmaloc", ["kfree", "kmalloc", "krealloc", "celos_log", "kcalloc"])
        self.assertEqual(best, "kmalloc")
        self.assertEqual(reason("kmaloc", None, best, False),
                         "kmaloc is not exported by the core (did you mean kmalloc?)")
        self.assertIsNone(closest("kernel_main", ["kmalloc", "celos_log", "celos_panic"]))
        self.assertEqual(closest("abcdef", ["abcdeg", "abcdex", "abcdea"]), "abcdea")

    def test_operator_new(self):
        self.assertEqual(reason("_Znwm", None, None, False), "_Znwm is operator new: use new (std::nothrow)")
        self.assertEqual(reason("_Znam", None, None, False), "_Znam is operator new[]: use new (std::nothrow)")

    def test_cxx_runtime(self):
        self.assertEqual(reason("__cxa_throw", None, None, False),
                         "__cxa_throw is C++ runtime support: modules have no exceptions, RTTI or C++ library")
        self.assertEqual(reason("_Unwind_Resume", None, None, False),
                         "_Unwind_Resume is C++ runtime support: modules have no exceptions, RTTI or C++ library")

    def test_demangled(self):
        self.assertEqual(reason("_ZN3foo3barEv", None, None, False),
                         "_ZN3foo3barEv (foo::bar) is not exported by the core")

    def test_edit_distance(self):
        self.assertEqual(edit_distance("kmalloc", "kmalloc", 2), 0)
        self.assertEqual(edit_distance("kmaloc", "kmalloc", 2), 1)
        self.assertEqual(edit_distance("kfere", "kfree", 2), 2)
        self.assertEqual(edit_distance("abc", "xyz", 2), 3)
        self.assertEqual(edit_distance("a", "abcdef", 2), 3)


if __name__ == "__main__":
    unittest.main()
