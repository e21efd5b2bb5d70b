#!/usr/bin/env python3
"""`./celos sdk DIR` (issue 13): what it writes into DIR, that it replaces
only the SDK's own parts of DIR, and its usage errors. Runs ./celos, which
builds the celos_sdk target in this build folder (CELOS_BUILD)."""
import os
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
BUILD = os.environ.get("CELOS_BUILD", os.path.join(ROOT, "build", "debug"))

EXPECTED = [
    "README.md", "exports.txt", "include/celos/abi.h", "include/celos/heap.h", "include/celos/service.h",
    "cmake/CelosModuleConfig.cmake", "cmake/CelosModuleConfigVersion.cmake", "cmake/CelosModuleFlags.cmake",
    "make/celos-module.mk", "make/celos-flags.mk", "modules/heap.exports", "support/cxx_new.cpp",
    "tools/check_module_links.py", "tools/module_info.py", "tools/gen_symbols.py",
]


class CelosSdk(unittest.TestCase):
    def run_celos(self, *args):
        env = dict(os.environ, CELOS_PRESET=os.path.basename(BUILD))
        return subprocess.run([os.path.join(ROOT, "celos"), "sdk"] + list(args), capture_output=True, text=True,
                              env=env, timeout=600)

    def setUp(self):
        if os.path.dirname(BUILD) != os.path.join(ROOT, "build"):
            raise unittest.SkipTest("the build folder is not build/<preset>")

    def test_usage(self):
        for args in ([], ["a", "b"], ["--help"]):
            with self.subTest(args=args):
                r = self.run_celos(*args)
                self.assertNotEqual(r.returncode, 0)
                self.assertIn("usage: ./celos sdk DIR", r.stderr)

    def test_writes_the_sdk(self):
        with tempfile.TemporaryDirectory(prefix="celos-sdk-") as tmp:
            out = os.path.join(tmp, "sdk")
            os.makedirs(os.path.join(out, "include", "celos"))
            stale = os.path.join(out, "include", "celos", "stale.h")
            mine = os.path.join(out, "notes.txt")
            for path in (stale, mine):
                with open(path, "w") as f:
                    f.write("x\n")
            r = self.run_celos(out)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("module SDK (ABI 1.", r.stderr)
            for rel in EXPECTED:
                self.assertTrue(os.path.isfile(os.path.join(out, rel)), rel)
            self.assertFalse(os.path.exists(stale), "a header the ABI no longer has stayed")
            self.assertTrue(os.path.exists(mine), "a file of DIR that is not the SDK's was removed")
            self.assertFalse(os.path.exists(os.path.join(out, "sdk.stamp")))
            with open(os.path.join(out, "modules", "heap.exports")) as f:
                names = [l.strip() for l in f if l.strip() and not l.startswith("#")]
            self.assertEqual(sorted(names), ["kcalloc", "kfree", "kheap_check", "kmalloc", "kmemalign", "krealloc",
                                             "ksize"])
            with open(os.path.join(ROOT, "abi", "exports.txt")) as a, open(os.path.join(out, "exports.txt")) as b:
                self.assertEqual(a.read(), b.read())
            for h in os.listdir(os.path.join(ROOT, "abi", "include", "celos")):
                with open(os.path.join(ROOT, "abi", "include", "celos", h)) as a, \
                        open(os.path.join(out, "include", "celos", h)) as b:
                    self.assertEqual(a.read(), b.read(), h)

    def test_link_check_fails_the_build(self):
        """A module that uses heap's kmalloc without depending on heap does
        not build, and the build says why (issue 13)."""
        with tempfile.TemporaryDirectory(prefix="celos-sdk-") as tmp:
            out = os.path.join(tmp, "sdk")
            r = self.run_celos(out)
            self.assertEqual(r.returncode, 0, r.stderr)
            src = os.path.join(tmp, "bad")
            os.makedirs(src)
            with open(os.path.join(src, "CMakeLists.txt"), "w") as f:
                f.write("cmake_minimum_required(VERSION 3.20)\nproject(bad LANGUAGES C)\n"
                        "find_package(CelosModule REQUIRED)\ncelos_add_module(bad SOURCES bad.c)\n")
            with open(os.path.join(src, "bad.c"), "w") as f:
                f.write("#include <celos/abi.h>\nvoid* kmalloc(size_t size);\n"
                        "static celos_status bad_init(void) { return kmalloc(8) ? CELOS_OK : CELOS_ERR_NO_MEMORY; }\n"
                        "CELOS_MODULE(\"bad\", \"1.0\", \"\", bad_init, 0);\n")
            build = os.path.join(tmp, "build")
            r = subprocess.run(["cmake", "-S", src, "-B", build, "-DCMAKE_PREFIX_PATH=" + out,
                                "-DCMAKE_C_COMPILER=gcc"], capture_output=True, text=True, timeout=300)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            r = subprocess.run(["cmake", "--build", build], capture_output=True, text=True, timeout=300)
            self.assertNotEqual(r.returncode, 0)
            reason = "module bad: unresolved symbol: kmalloc is exported by heap: add heap to the module's dependencies"
            self.assertIn(reason, r.stdout + r.stderr)
            # The same with make.
            with open(os.path.join(src, "Makefile"), "w") as f:
                f.write("MODULE := bad\nSOURCES := bad.c\ninclude %s/make/celos-module.mk\n" % out)
            r = subprocess.run(["make", "-C", src, "CC=gcc"], capture_output=True, text=True, timeout=300)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn(reason, r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
