#!/usr/bin/env python3
"""Builds an example (examples/hello-module, examples/greeter) out of the tree
with only the module SDK.

Copies the SDK (build/<preset>/celos-sdk, what `./celos sdk DIR` writes) and the
example into a fresh folder outside the repository, builds the example there
with CMake (find_package(CelosModule) through CMAKE_PREFIX_PATH) and with
make (the SDK's Makefile fragment), checks that neither build refers to the
CelOS tree, that each .ko is an ELF relocatable object with its module
descriptor and that the two builds agree on what each module exports and
needs, and copies the CMake-built .ko files to --out for the boot test
(tests/boot/CMakeLists.sdk.cmake)."""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile



def run(cmd, cwd=None):
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=cwd, check=True)


def symbols(ko):
    """(defined globals, undefined) of a .ko, by nm."""
    out = subprocess.run(["nm", ko], check=True, capture_output=True, text=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDRB":
            defined.add(parts[2])
    return defined, undefined


def check_ko(ko):
    with open(ko, "rb") as f:
        header = f.read(18)
    assert header[:4] == b"\x7fELF" and header[4] == 2, f"{ko}: not an ELF64 file"
    assert int.from_bytes(header[16:18], "little") == 1, f"{ko}: not ET_REL"
    sections = subprocess.run(["objdump", "-h", ko], check=True, capture_output=True, text=True).stdout
    assert ".celos_module" in sections, f"{ko}: no module descriptor (.celos_module)"


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--sdk", required=True, help="the SDK folder (build/<preset>/celos-sdk)")
    p.add_argument("--example", required=True, help="examples/hello-module")
    p.add_argument("--repo", required=True, help="the CelOS tree: nothing built may refer to it")
    p.add_argument("--out", required=True, help="where the built .ko files go")
    p.add_argument("--module", action="append", dest="modules", required=True,
                   help="a module the example builds (NAME.ko)")
    p.add_argument("--uses", action="append", default=[], metavar="MODULE:SYMBOL",
                   help="MODULE.ko must use SYMBOL (an undefined symbol the loader resolves)")
    args = p.parse_args()
    repo = os.path.realpath(args.repo)

    with tempfile.TemporaryDirectory(prefix="celos-sdk-test-") as tmp:
        tmp = os.path.realpath(tmp)
        assert not tmp.startswith(repo + os.sep), f"{tmp} is inside the repository"
        sdk = os.path.join(tmp, "sdk")
        src = os.path.join(tmp, os.path.basename(os.path.normpath(args.example)))
        shutil.copytree(args.sdk, sdk, ignore=shutil.ignore_patterns("sdk.stamp"))
        shutil.copytree(args.example, src, ignore=shutil.ignore_patterns("build", "obj", "*.ko"))

        # The documented command (examples/hello-module/CMakeLists.txt).
        build = os.path.join(tmp, "build")
        run(["cmake", "-S", src, "-B", build, f"-DCMAKE_PREFIX_PATH={sdk}"])
        run(["cmake", "--build", build])
        # And make with the fragment, into its own folder.
        make_out = os.path.join(tmp, "make-out")
        run(["make", "-C", src, f"CELOS_SDK={sdk}", f"CELOS_OUT={make_out}"])

        for folder in (build, make_out):
            for root, _, files in os.walk(folder):
                for name in files:
                    path = os.path.join(root, name)
                    if name.endswith((".ninja", ".make", ".cmake", ".txt", ".json", ".d", "Makefile")):
                        with open(path, errors="replace") as f:
                            assert repo not in f.read(), f"{path} refers to the CelOS tree {repo}"

        os.makedirs(args.out, exist_ok=True)
        for m in args.modules:
            ko = os.path.join(build, f"{m}.ko")
            ko_make = os.path.join(make_out, f"{m}.ko")
            for k in (ko, ko_make):
                check_ko(k)
            assert symbols(ko) == symbols(ko_make), f"{m}.ko: CMake and make builds differ in symbols"
            shutil.copy2(ko, os.path.join(args.out, f"{m}.ko"))
            _, undefined = symbols(ko)
            assert not {"_Znam", "_Znwm"} & undefined, f"{m}.ko uses a throwing new"
        for use in args.uses:
            m, symbol = use.split(":", 1)
            _, undefined = symbols(os.path.join(build, f"{m}.ko"))
            assert symbol in undefined, f"{m}.ko does not use {symbol}"
    print(f"built {', '.join(m + '.ko' for m in args.modules)} out of the tree into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
