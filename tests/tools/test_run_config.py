#!/usr/bin/env python3
"""Unit tests (plain unittest) of what `./celos run` boots and of the ISO it
boots: tools/run_config.py (--module, --file, --font, --size, --cmdline,
--entry, --list), tools/module_info.py (the module descriptor read on the
host), tools/grub_cfg.py (the template check) and tools/mkiso.py (the ISO
made again exactly when an input changed).

  CELOS_BUILD=build/debug CELOS_ABI_MODULES=build/debug/tests/abi/modules \\
      python3 tests/tools/test_run_config.py [-v] [TestClass]

ctest runs one test per class, label `unit`.
"""
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import grub_cfg  # noqa: E402
import mkiso  # noqa: E402
import module_info  # noqa: E402
import run_config  # noqa: E402
from run_config import ConfigError, Options  # noqa: E402

BUILD = os.path.abspath(os.environ.get("CELOS_BUILD", os.path.join(ROOT, "build", "debug")))
MODULES = os.path.join(BUILD, "iso-modules")
ABI_MODULES = os.environ.get("CELOS_ABI_MODULES", os.path.join(BUILD, "tests", "abi", "modules"))
KERNEL = os.path.join(BUILD, "celos.elf")
TEMPLATE = os.path.join(ROOT, "grub", "grub.cfg.in")
DEJAVU_SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
NIMBUS_OTF = "/usr/share/fonts/opentype/urw-base35/NimbusMonoPS-Bold.otf"
CONSOLE_PSF_GZ = "/usr/share/consolefonts/Lat2-Terminus16.psf.gz"
HELLO_TXT = os.path.join(ROOT, "tests", "abi", "modules", "hello.txt")


def template():
    with open(TEMPLATE) as f:
        return f.read()


def shipped():
    return run_config.Shipped(MODULES, os.path.join(BUILD, run_config.SHIPPED_LIST))


def plan(**kw):
    return run_config.plan(template(), shipped(), Options(**kw))


def run_entry(p):
    """The module2 lines of the run's entry, without the prefix."""
    return [l[len("module2 /boot/modules/"):] for l in p.entry_body if l.startswith("module2 ")]


def need(path):
    if not os.path.exists(path):
        raise unittest.SkipTest("%s is not installed" % path)


class ModuleInfo(unittest.TestCase):
    """The descriptor of a built .ko: name, dependencies, parameters with
    their types and descriptions (followed through the relocations)."""

    def test_shipped_modules(self):
        heap = module_info.read(os.path.join(MODULES, "heap.ko"))
        self.assertEqual(heap.name, "heap")
        self.assertEqual([p.name for p in heap.params], ["check", "selftest"])
        self.assertEqual(heap.param("check").kind, "bool")
        self.assertIn("canaries", heap.param("check").description)
        fbcon = module_info.read(os.path.join(MODULES, "fbcon.ko"))
        self.assertEqual(fbcon.depends, ["heap", "@font"])
        self.assertEqual(fbcon.param("fg").describe(), "fg (string, at most 7 characters): text colour, RRGGBB")

    def test_test_module(self):
        info = module_info.read(os.path.join(ABI_MODULES, "abi_test_c.ko"))
        self.assertEqual(info.name, "abi_test_c")
        self.assertEqual([(p.name, p.kind) for p in info.params],
                         [("repeat", "int"), ("loud", "bool"), ("greeting", "string"), ("file", "string")])
        self.assertEqual(info.param("greeting").description, "the word to say")

    def test_not_a_module(self):
        with self.assertRaisesRegex(module_info.ModuleInfoError, "not a 64-bit little-endian ELF"):
            module_info.read(HELLO_TXT)
        with self.assertRaisesRegex(module_info.ModuleInfoError, "no .celos_module section"):
            module_info.read(KERNEL)


class Template(unittest.TestCase):
    """The build-time check of grub.cfg.in: module2 paths on the ISO, font=
    naming a boot file of the same entry."""

    def files(self):
        return grub_cfg.files_of([MODULES])

    def test_shipped_template_passes(self):
        errors, notes = grub_cfg.check(template(), self.files(), "grub.cfg.in")
        self.assertEqual(errors, [])

    def test_missing_file(self):
        text = template().replace("module2 /boot/modules/fbcon.ko fbcon",
                                  "module2 /boot/modules/fbcon.ko fbcon\n    module2 /boot/modules/nosuch.ko nosuch", 1)
        errors, _ = grub_cfg.check(text, self.files(), "grub.cfg.in")
        self.assertEqual(len(errors), 1, errors)
        self.assertRegex(errors[0], r"grub.cfg.in:\d+: entry 'truetype': module2 /boot/modules/nosuch.ko: "
                                    r"no such file on the ISO")

    def test_font_without_boot_file(self):
        text = template().replace("    module2 /boot/modules/Lat15-Terminus32x16.psf Lat15-Terminus32x16.psf\n", "")
        errors, _ = grub_cfg.check(text, self.files(), "grub.cfg.in")
        self.assertEqual(len(errors), 1, errors)
        self.assertIn("entry 'bitmap-large': psf font=Lat15-Terminus32x16.psf: no boot file "
                      "Lat15-Terminus32x16.psf in this entry", errors[0])

    def test_face_and_fallback_without_boot_file(self):
        # bold= and fallback= name boot files as font= does (the default entry's).
        text = template().replace("    module2 /boot/modules/DejaVuSansMono-Bold.ttf DejaVuSansMono-Bold.ttf\n", "", 1)
        start = text.index("--id truetype {")
        end = text.index("}", start)
        text = text[:start] + text[start:end].replace("    module2 /boot/modules/unifont.otf unifont.otf\n", "") \
            + text[end:]
        errors, _ = grub_cfg.check(text, self.files(), "grub.cfg.in")
        self.assertEqual(len(errors), 2, errors)
        self.assertIn("entry 'truetype': truetype bold=DejaVuSansMono-Bold.ttf: no boot file "
                      "DejaVuSansMono-Bold.ttf in this entry", errors[0])
        self.assertIn("entry 'truetype': truetype fallback=unifont.otf: no boot file unifont.otf in this entry",
                      errors[1])

    def test_fallback_font_shipped(self):
        # --module truetype fallback=unifont.otf: the shipped unifont.otf
        # goes onto the ISO beside the module.
        p = plan(modules=["heap", "truetype font=DejaVuSansMono.ttf fallback=unifont.otf", "fbcon"])
        self.assertIn("unifont.otf unifont.otf", run_entry(p))
        self.assertTrue(p.files["unifont.otf"].endswith("/unifont.otf"), p.files)
        self.assertIn("truetype.ko truetype font=DejaVuSansMono.ttf fallback=unifont.otf", run_entry(p))

    def test_optional_file_is_a_note(self):
        files = self.files() - {"truetype.ko"}
        errors, notes = grub_cfg.check(template(), files, "grub.cfg.in", optional=["truetype.ko"])
        self.assertEqual(errors, [])
        self.assertTrue(any("truetype.ko is not built here" in n for n in notes), notes)

    def test_mkiso_refuses_a_broken_template(self):
        with tempfile.TemporaryDirectory() as tmp:
            broken = os.path.join(tmp, "grub.cfg.in")
            with open(broken, "w") as f:
                f.write(template().replace("module2 /boot/modules/heap.ko heap",
                                           "module2 /boot/modules/haep.ko heap", 1))
            out = os.path.join(tmp, "x.iso")
            r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "mkiso.py"), "--kernel", KERNEL,
                                "--template", broken, "--modules", MODULES, "--out", out],
                               capture_output=True, text=True)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("entry 'truetype': module2 /boot/modules/haep.ko: no such file on the ISO", r.stderr)
            self.assertFalse(os.path.exists(out))

    def test_serial_menu(self):
        cfg = mkiso.template_cfg(template(), "bitmap", 5)
        self.assertTrue(cfg.startswith("serial --unit=0 --speed=115200\n"))
        self.assertIn("terminfo -a serial vt100", cfg)
        self.assertIn("set default=bitmap", cfg)
        self.assertIn("set timeout=5", cfg)


class Modules(unittest.TestCase):
    """--module: exactly those modules, in that order, with parameters."""

    def test_names_in_order_and_a_shipped_font(self):
        p = plan(modules=["heap", "psf font=Lat15-Terminus16.psf", "fbcon"])
        self.assertEqual(run_entry(p), ["Lat15-Terminus16.psf Lat15-Terminus16.psf", "heap.ko heap",
                                        "psf.ko psf font=Lat15-Terminus16.psf", "fbcon.ko fbcon"])

    def test_order_given(self):
        p = plan(modules=["fbcon", "psf font=Uni2-Terminus16.psf", "heap check=off"])
        self.assertEqual(run_entry(p)[1:], ["fbcon.ko fbcon", "psf.ko psf font=Uni2-Terminus16.psf",
                                            "heap.ko heap check=off"])

    def test_path_then_name_with_parameters(self):
        ko = os.path.join(ABI_MODULES, "abi_test_c.ko")
        p = plan(modules=[ko, "abi_test_c greeting=hi file=hello.txt"], files=[HELLO_TXT])
        self.assertEqual(run_entry(p), ["hello.txt hello.txt", "abi_test_c.ko abi_test_c greeting=hi file=hello.txt"])
        self.assertEqual(p.files["abi_test_c.ko"], os.path.abspath(ko))

    def test_path_with_parameters_and_repeat(self):
        ko = os.path.join(ABI_MODULES, "abi_test_c.ko")
        p = plan(modules=[ko + " repeat=2 greeting=a", "heap", "abi_test_c greeting=b"])
        self.assertEqual(run_entry(p), ["abi_test_c.ko abi_test_c repeat=2 greeting=b", "heap.ko heap"])

    def test_font_path(self):
        need(DEJAVU_SANS)
        p = plan(modules=["heap", "truetype font=%s size=12" % DEJAVU_SANS, "fbcon"])
        self.assertIn("truetype.ko truetype font=DejaVuSans.ttf size=12", run_entry(p))
        self.assertIn("DejaVuSans.ttf DejaVuSans.ttf", run_entry(p))
        self.assertEqual(p.files["DejaVuSans.ttf"], DEJAVU_SANS)

    def test_font_given_by_file(self):
        need(DEJAVU_SANS)
        p = plan(modules=["heap", "truetype font=DejaVuSans.ttf", "fbcon"], files=[DEJAVU_SANS])
        self.assertEqual(run_entry(p)[0], "DejaVuSans.ttf DejaVuSans.ttf")

    def test_unknown_module(self):
        with self.assertRaisesRegex(ConfigError, r"--module nosuch: unknown module \(shipped: bochs, fbcon, heap, .*psf.*; or give a path"):
            plan(modules=["nosuch"])

    def test_missing_ko(self):
        with self.assertRaisesRegex(ConfigError, "--module ./nosuch.ko: no such file"):
            plan(modules=["./nosuch.ko"])

    def test_not_a_module(self):
        with self.assertRaisesRegex(ConfigError, "not a CelOS module"):
            plan(modules=[KERNEL])

    def test_unknown_parameter(self):
        with self.assertRaisesRegex(ConfigError, r"module psf has no parameter 'size' \(its parameters: font, scale, replace\)"):
            plan(modules=["psf font=Lat15-Terminus16.psf size=3"])

    def test_unknown_font(self):
        with self.assertRaisesRegex(ConfigError, "font=Nope.psf: no such boot file"):
            plan(modules=["psf font=Nope.psf"])

    def test_boots_exactly_those(self):
        p = plan(modules=["heap"])
        self.assertEqual(run_entry(p), ["heap.ko heap"])
        errors, _ = grub_cfg.check(p.cfg, set(mkiso.gather([MODULES], p.files)))
        self.assertEqual(errors, [])


class Files(unittest.TestCase):
    def test_file_is_a_boot_file_of_the_entry(self):
        cycle = os.path.join(ABI_MODULES, "cycle_test.ko")
        p = plan(entry="selftest", files=[cycle])
        self.assertIn("cycle_test.ko cycle_test.ko", run_entry(p))
        self.assertIn("heap.ko heap check=on selftest=on", run_entry(p))
        self.assertIn("multiboot2 /boot/celos.elf selftest", p.entry_body)

    def test_missing_file(self):
        with self.assertRaisesRegex(ConfigError, "--file /no/such.txt: no such file"):
            plan(files=["/no/such.txt"])

    def test_name_needs_a_dot(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "README")
            open(path, "w").close()
            with self.assertRaisesRegex(ConfigError, "needs a dot"):
                plan(files=[path])


class Fonts(unittest.TestCase):
    """--font: the default set with that font, its provider by its contents."""

    def test_truetype_not_shipped(self):
        need(DEJAVU_SANS)
        p = plan(font=DEJAVU_SANS, size=20)
        # The entry's other boot files (the shell's) stay.
        # Its bold and italic faces go with the font; the fallback font stays.
        self.assertEqual(run_entry(p), [
            "unifont.otf unifont.otf",
            "LiberationMono-Regular.ttf LiberationMono-Regular.ttf", "Lat15-Terminus16.psf Lat15-Terminus16.psf",
            "hello.ko hello.ko", "DejaVuSans.ttf DejaVuSans.ttf", "heap.ko heap",
            "ps2kbd.ko ps2kbd", "serial_input.ko serial_input", "bochs.ko bochs", "virtio_gpu.ko virtio_gpu",
            "truetype.ko truetype font=DejaVuSans.ttf size=20 hinting=light fallback=unifont.otf",
            "psf.ko psf font=Lat15-Terminus16.psf", "fbcon.ko fbcon", "shell.ko shell"])

    def test_truetype_font_in_the_bitmap_entry(self):
        # The entry's truetype role=fallback line (Unifont behind Terminus)
        # becomes the new font's fallback=: truetype is loaded once.
        need(DEJAVU_SANS)
        lines = run_entry(plan(entry="bitmap", font=DEJAVU_SANS))
        self.assertEqual([l for l in lines if l.startswith("truetype.ko")],
                         ["truetype.ko truetype font=DejaVuSans.ttf size=16 hinting=light fallback=unifont.otf"])
        self.assertIn("unifont.otf unifont.otf", lines)
        # A PSF font keeps it as it is.
        need(CONSOLE_PSF_GZ)
        lines = run_entry(plan(entry="bitmap", font=CONSOLE_PSF_GZ))
        self.assertIn("truetype.ko truetype role=fallback font=unifont.otf size=16", lines)

    def test_opentype_cff(self):
        need(NIMBUS_OTF)
        p = plan(font=NIMBUS_OTF)
        self.assertIn("truetype.ko truetype font=NimbusMonoPS-Bold.otf size=16 hinting=light fallback=unifont.otf",
                      run_entry(p))
        self.assertNotIn("DejaVuSansMono.ttf DejaVuSansMono.ttf", run_entry(p))

    def test_psf_gz_decompressed(self):
        need(CONSOLE_PSF_GZ)
        p = plan(font=CONSOLE_PSF_GZ)
        self.assertEqual(run_entry(p), ["LiberationMono-Regular.ttf LiberationMono-Regular.ttf", "hello.ko hello.ko",
                                        "Lat2-Terminus16.psf Lat2-Terminus16.psf", "heap.ko heap",
                                        "ps2kbd.ko ps2kbd", "serial_input.ko serial_input",
                                        "bochs.ko bochs", "virtio_gpu.ko virtio_gpu",
                                        "psf.ko psf font=Lat2-Terminus16.psf", "fbcon.ko fbcon", "shell.ko shell"])
        with gzip.open(CONSOLE_PSF_GZ) as f:
            self.assertEqual(p.files["Lat2-Terminus16.psf"], f.read())

    def test_psf_with_entry(self):
        p = plan(entry="bitmap-16bpp", font=os.path.join(MODULES, "Uni2-Terminus16.psf"))
        self.assertIn("psf.ko psf font=Uni2-Terminus16.psf", run_entry(p))
        self.assertIn("set gfxpayload=1024x768x16", p.entry_body)
        self.assertNotIn("Lat15-Terminus16.psf Lat15-Terminus16.psf", run_entry(p))

    def test_not_a_font(self):
        with self.assertRaisesRegex(ConfigError, "not a TrueType/OpenType or PSF font"):
            plan(font=HELLO_TXT)

    def test_size_with_psf(self):
        with self.assertRaisesRegex(ConfigError, "--size is for TrueType/OpenType fonts"):
            plan(font=os.path.join(MODULES, "Lat15-Terminus16.psf"), size=20)

    def test_size_range_and_company(self):
        need(DEJAVU_SANS)
        with self.assertRaisesRegex(ConfigError, "6 to 128"):
            plan(font=DEJAVU_SANS, size=200)
        with self.assertRaisesRegex(ConfigError, "--size goes with --font"):
            plan(size=20)
        with self.assertRaisesRegex(ConfigError, "with --module give the font module"):
            plan(font=DEJAVU_SANS, modules=["heap"])
        with self.assertRaisesRegex(ConfigError, "the entry has no font module"):
            plan(font=DEJAVU_SANS, entry="serial")

    def test_missing_font(self):
        with self.assertRaisesRegex(ConfigError, "--font /no/such.ttf: no such file"):
            plan(font="/no/such.ttf")


class Cmdline(unittest.TestCase):
    def test_cmdline_replaces_the_entry_s(self):
        p = plan(entry="selftest", cmdline="nokaslr modsig=enforce")
        self.assertIn("multiboot2 /boot/celos.elf nokaslr modsig=enforce", p.entry_body)
        self.assertIn("set default=run", p.cfg)
        self.assertIn("set timeout=0", p.cfg)

    def test_grub_quoting(self):
        p = plan(entry="serial", cmdline="a=$x b;c it's", modules=["fbcon fg=$y", "heap"])
        self.assertIn("multiboot2 /boot/celos.elf 'a=$x' 'b;c' 'it'\\''s'", p.entry_body)
        self.assertIn("module2 /boot/modules/fbcon.ko fbcon 'fg=$y'", p.entry_body)

    def test_empty_cmdline(self):
        p = plan(entry="selftest", cmdline="")
        self.assertIn("multiboot2 /boot/celos.elf", p.entry_body)

    def test_unknown_entry(self):
        with self.assertRaisesRegex(ConfigError, r"--entry nope: no such menu entry \(entries: truetype, "):
            plan(entry="nope")

    def test_list(self):
        text = run_config.describe(template(), shipped())
        self.assertIn("  bitmap-large", text)
        self.assertIn("      font (string, at most 255 characters): the PSF boot file", text)
        self.assertIn("      size (int): pixels per em (6 to 128)", text)
        self.assertIn("\n  Lat15-Terminus32x16.psf", text)


class Iso(unittest.TestCase):
    """The ISO is a function of its inputs: made again exactly when one
    changed, and a changed boot file shows up in the next run's ISO."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="celos-iso-test-")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def make(self, *options):
        out = os.path.join(self.tmp, "celos-run.iso")
        r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "run_config.py"), "--build", BUILD,
                            "make", "--out", out] + list(options), capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, "rb") as f:
            return r.stderr, f.read()

    def test_changed_boot_file_shows_up(self):
        note = os.path.join(self.tmp, "note.txt")
        with open(note, "w") as f:
            f.write("first version of the boot file\n")
        log, iso = self.make("--module", "heap", "--file", note)
        self.assertIn("made", log)
        self.assertIn(b"first version of the boot file", iso)
        log, _ = self.make("--module", "heap", "--file", note)
        self.assertIn("up to date", log)
        with open(note, "w") as f:
            f.write("second version, same size!\n")
        log, iso = self.make("--module", "heap", "--file", note)
        self.assertIn("made", log)
        self.assertIn(b"second version, same size!", iso)
        self.assertNotIn(b"first version of the boot file", iso)
        log, iso = self.make("--module", "heap", "--file", note, "--cmdline", "nokaslr")
        self.assertIn("made", log)

    def test_file_dropped_into_the_modules_folder(self):
        folder = os.path.join(self.tmp, "iso-modules")
        shutil.copytree(MODULES, folder)
        out = os.path.join(self.tmp, "celos.iso")
        cmd = [sys.executable, os.path.join(ROOT, "tools", "mkiso.py"), "--kernel", KERNEL, "--template",
               TEMPLATE, "--modules", folder, "--out", out]
        subprocess.run(cmd, check=True)
        first = os.stat(out).st_mtime_ns
        subprocess.run(cmd, check=True)
        self.assertEqual(os.stat(out).st_mtime_ns, first, "made again with nothing changed")
        with open(os.path.join(folder, "dropped.txt"), "w") as f:
            f.write("a file dropped by hand\n")
        subprocess.run(cmd, check=True)
        with open(out, "rb") as f:
            self.assertIn(b"a file dropped by hand", f.read())


class IsoKernel(unittest.TestCase):
    """The ISO carries the kernel without its debug information (GRUB copies
    every section of it), with the same loaded segments as the build's."""

    def test_kernel_stripped_segments_kept(self):
        with tempfile.TemporaryDirectory(prefix="celos-iso-test-") as tmp:
            out = os.path.join(tmp, "celos.iso")
            subprocess.run([sys.executable, os.path.join(ROOT, "tools", "mkiso.py"), "--kernel", KERNEL,
                            "--template", TEMPLATE, "--modules", MODULES, "--out", out], check=True,
                           capture_output=True)
            shipped = os.path.join(tmp, "celos.elf")
            subprocess.run(["osirrox", "-indev", out, "-extract", "/boot/celos.elf", shipped], check=True,
                           capture_output=True)
            sections = subprocess.run(["readelf", "-SW", shipped], capture_output=True, text=True,
                                      check=True).stdout
            built = subprocess.run(["readelf", "-SW", KERNEL], capture_output=True, text=True, check=True).stdout
            self.assertIn(".debug_info", built)
            self.assertNotIn(".debug_", sections)
            self.assertLess(os.path.getsize(shipped), os.path.getsize(KERNEL) / 2)

            def segments(path):
                text = subprocess.run(["readelf", "-lW", path], capture_output=True, text=True, check=True).stdout
                # offset, virtual and physical address, file and memory size
                return [line.split()[1:6] for line in text.splitlines() if line.strip().startswith("LOAD")]
            self.assertTrue(segments(KERNEL))
            self.assertEqual(segments(shipped), segments(KERNEL))
            with open(shipped, "rb") as a, open(KERNEL, "rb") as b:
                stripped_bytes, built_bytes = a.read(), b.read()
            for offset, _, _, filesz, _ in segments(KERNEL):  # the loaded bytes themselves
                o, n = int(offset, 16), int(filesz, 16)
                self.assertEqual(stripped_bytes[o:o + n], built_bytes[o:o + n])


class Script(unittest.TestCase):
    """`./celos run`: wrong options are reported before any build or boot."""

    def run_celos(self, *args):
        env = dict(os.environ, CELOS_PRESET=os.path.basename(BUILD))
        return subprocess.run([os.path.join(ROOT, "celos"), "run"] + list(args), capture_output=True, text=True,
                              env=env, timeout=120)

    def setUp(self):
        if os.path.dirname(BUILD) != os.path.join(ROOT, "build"):
            raise unittest.SkipTest("the build folder is not build/<preset>")

    def test_errors(self):
        cases = [
            (["--entry"], "--entry needs a value"),
            (["--entry", "--headless"], "--entry needs a value"),
            (["--entry", "nope"], "--entry nope: no such menu entry"),
            (["--module", "nosuch"], "--module nosuch: unknown module"),
            (["--file", "/no/such/file.txt"], "--file /no/such/file.txt: no such file"),
            (["--font", "/no/such/font.ttf"], "--font /no/such/font.ttf: no such file"),
            (["--frobnicate"], "unknown option '--frobnicate'"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                r = self.run_celos(*args)
                self.assertNotEqual(r.returncode, 0)
                self.assertIn(message, r.stderr)
                self.assertNotIn("ninja", r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
