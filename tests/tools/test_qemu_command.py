#!/usr/bin/env python3
"""Unit tests of tools/qemu.py's QEMU command line: guest RAM is a memfd of
the machine's size (no host huge-page stalls), and extra arguments with
their own -m get plain RAM of that size, which QEMU accepts (a memory
backend must match the machine's size). The last test asks QEMU itself
whether each command's memory options go together.

  python3 tests/tools/test_qemu_command.py [-v]
"""
import os
import shutil
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tools"))
import qemu  # noqa: E402


def option_values(cmd, option):
    return [cmd[i + 1] for i, a in enumerate(cmd[:-1]) if a == option]


class MemoryBackend(unittest.TestCase):
    def test_memfd_of_the_machine_size(self):
        cmd = qemu.base_command("x.iso", memory="512M")
        self.assertEqual(option_values(cmd, "-m"), ["512M"])
        self.assertIn("memory-backend-memfd,id=ram0,size=512M", option_values(cmd, "-object"))
        self.assertIn("memory-backend=ram0", option_values(cmd, "-machine"))

    def test_extra_m_gets_plain_ram(self):
        for extra in (["-m", "1G"], ["-m=2G"]):
            cmd = qemu.base_command("x.iso", extra=extra)
            self.assertEqual(option_values(cmd, "-object"), [], extra)
            self.assertNotIn("memory-backend=ram0", option_values(cmd, "-machine"), extra)

    def test_uefi_too(self):
        cmd = qemu.base_command("x.iso", uefi=True) if qemu.ovmf_path() else None
        if cmd is None:
            self.skipTest("no OVMF")
        self.assertIn("memory-backend=ram0", option_values(cmd, "-machine"))

    def test_qemu_accepts_them(self):
        if not shutil.which("qemu-system-x86_64"):
            self.skipTest("no qemu-system-x86_64")
        for extra in ([], ["-m", "1G"]):
            cmd = qemu.base_command("/nonexistent.iso", extra=extra) + extra
            # Only the machine and memory options: -S stops before the CPU
            # runs, -nodefaults skips the devices; QEMU quits on "q".
            keep = []
            i = 1
            while i < len(cmd):
                if cmd[i] in ("-machine", "-m", "-object"):
                    keep += cmd[i:i + 2]
                    i += 2
                else:
                    i += 1
            p = subprocess.run(["qemu-system-x86_64"] + keep + ["-nodefaults", "-display", "none", "-S",
                                                               "-monitor", "stdio"],
                               input="q\n", capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, "%s: %s" % (extra, p.stderr))


if __name__ == "__main__":
    unittest.main()
