#!/usr/bin/env python3
"""One boot scenario: makes an ISO with the given kernel command line (or
uses a given ISO), boots it in QEMU, and checks the serial log and QEMU's
exit status.

  boot_test.py --name NAME --kernel celos.elf --template grub.cfg.in --workdir DIR
               [--cmdline ARGS] [--iso ISO] [--uefi] [--timeout S]
               [--expect REGEX]... [--reject REGEX]... [--exit success|failure|panic|ready]
               [--ktap] [--ktap-expect NAME=ok|not ok|skip]...
               [--run-build DIR --run-arg=ARG...] [--menu-timeout S] [--serial-input TEXT=>KEYS]...
               [--keys TEXT=>KEYS]... [--until REGEX] [--qemu-arg ARG]...

--run-build: the ISO as `./celos run ARG...` makes it (tools/run_config.py)
from the build folder DIR. --menu-timeout: the template's menu as shipped,
with that GRUB timeout. --serial-input: bytes typed on the serial port once
the serial output shows TEXT (the GRUB menu on serial, the kernel's serial
input): UTF-8 text and <C-X> (Ctrl+letter), <CR>, <LF>, <TAB>, <BS>, <DEL>,
<ESC>, <CSI> (ESC [), <xNN> (any byte: <x3b> is ';', which CMake lists
cannot carry), <PAUSE> (1 s without input), <SCREEN>: the screen, once the
output is quiet, must equal the host rendering (--render-font) of the
serial output so far, as the ready line's screen must; <SCREENDIFF>: must
differ from it (the console's view moved into the scrollback). --keys: once
the serial output shows TEXT, keys pressed on QEMU's keyboard (QMP
send-key), separated by spaces, each a QEMU key name or names held together
joined by '-' ("shift-a ctrl-c pgup kp_enter"). --until: QEMU is stopped at
the first line matching REGEX instead of at the ready line (which must
still come). --qemu-arg: an extra QEMU argument ("-machine", "i8042=off").

--expect patterns must all match, in the given order, each on a later line
than the previous one; --expect-unordered ones anywhere. --expect-same
REGEX: at least two lines match, and all of them alike (numbers that must
not change: free pages before and after a thousand loads). --ktap: the
in-kernel tests' KTAP results (ktap.py)
must have a plan, every planned test must report, and every result must be
ok (or SKIP) but those named by --ktap-expect (which implies --ktap); NAME
is a test's name or its path through subtests (module_cycles.first_load).
--exit ready: the kernel must print the ready line
(QEMU is then stopped). The serial log is kept in WORKDIR/NAME.log.
"""
import argparse
import hashlib
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
import qemu  # noqa: E402
import mkiso  # noqa: E402
import run_config  # noqa: E402
from test_iso import make_test_iso  # noqa: E402
import ktap  # noqa: E402

EXPECTED_STATUS = {"success": qemu.EXIT_SUCCESS, "failure": qemu.EXIT_FAILURE, "panic": qemu.EXIT_PANIC}


def check_screen(path, size, pixels):
    if not os.path.exists(path):
        return ["no screenshot was taken (%s)" % path]
    width, height, rgb = qemu.read_ppm(path)
    failures = []
    if size and "%dx%d" % (width, height) != size:
        failures.append("screen is %dx%d, expected %s" % (width, height, size))
    for spec in pixels:
        x, y, want = spec.split(",")
        x, y = int(x), int(y)
        if x >= width or y >= height:
            failures.append("pixel %d,%d is outside the %dx%d screen" % (x, y, width, height))
            continue
        at = (y * width + x) * 3
        got = "%02x%02x%02x" % tuple(rgb[at:at + 3])
        if got != want.lower():
            failures.append("pixel %d,%d is %s, expected %s" % (x, y, got, want.lower()))
    return failures


def check_text_screen(path, patterns):
    """The EGA text screen: character bytes at even offsets, 80x25."""
    if not os.path.exists(path):
        return ["no dump of the text screen (the ready line never came?)"]
    with open(path, "rb") as f:
        cells = f.read()
    rows = [cells[r * 160:(r + 1) * 160:2].decode("cp437").rstrip() for r in range(25)]
    failures, at = [], 0
    for pattern in patterns:
        rx = re.compile(pattern)
        for i in range(at, len(rows)):
            if rx.search(rows[i]):
                at = i + 1
                break
        else:
            failures.append("no text-screen row matching %r (after row %d); the screen:\n    %s"
                            % (pattern, at, "\n    ".join(rows)))
    return failures


def render(args, font, serial_path, out, fixed=False):
    """Renders the serial output with `font` through render_log (fonts the
    console switches to are found in the --modules folders; with `fixed`,
    `font` throughout); an error message or None."""
    cmd = [args.render_tool, "--font", font, "--bpp", args.render_bpp, "--raw", serial_path,
           "--loglevel", args.render_loglevel, "--out", out, "--fixed-font", "1" if fixed else "0"]
    for folder in args.modules:
        cmd += ["--font-dir", folder]
    if args.screen_size:  # a display driver's mode: the rendering has the same size
        w, _, h = args.screen_size.partition("x")
        cmd += ["--width", w, "--height", h]
    r = subprocess.run(cmd, capture_output=True, text=True)
    return "render_log failed: " + r.stderr.strip() if r.returncode != 0 else None


def compare_with_render(args, screen, serial_path, label=""):
    """The screen must equal the host rendering of the serial output (up to
    the screenshot), and (with --render-other-font) differ from the
    rendering of that output in the other font: the font module really
    decides what the screen shows."""
    failures = []
    name = args.name + label
    if args.render_other_font:
        other = os.path.join(args.workdir, name + ".other-font.ppm")
        error = render(args, args.render_other_font, serial_path, other, fixed=True)
        if error:
            return [error]
        if qemu.read_ppm(screen) == qemu.read_ppm(other):
            failures.append("the screen%s equals the rendering of the same log in %s" % (label, args.render_other_font))
    expected = os.path.join(args.workdir, name + ".expected.ppm")
    error = render(args, args.render_font, serial_path, expected)
    if error:
        return failures + [error]
    w1, h1, got = qemu.read_ppm(screen)
    w2, h2, want = qemu.read_ppm(expected)
    if (w1, h1) != (w2, h2):
        return ["screen is %dx%d, the host rendering %dx%d" % (w1, h1, w2, h2)]
    if got == want:
        return failures
    diff = [i // 3 for i in range(0, len(got), 3) if got[i:i + 3] != want[i:i + 3]]
    x, y = diff[0] % w1, diff[0] // w1
    for path, kind in ((screen, "screen"), (expected, "expected")):
        with open(os.path.join(args.workdir, "%s.%s.png" % (name, kind)), "wb") as out:
            subprocess.run(["pnmtopng", path], stdout=out, stderr=subprocess.DEVNULL)
    return failures + ["%s%d pixels differ from the host rendering; first at %d,%d: screen %s, expected %s "
            "(images in %s)" % (label + ": " if label else "", len(diff), x, y, got[diff[0] * 3:diff[0] * 3 + 3].hex(),
                                want[diff[0] * 3:diff[0] * 3 + 3].hex(), args.workdir)]


SERIAL_TOKEN = re.compile(
    r"<(C-[A-Za-z@\[\\\]^_]|CR|LF|TAB|BS|DEL|ESC|CSI|x[0-9a-fA-F]{2}|PAUSE|SCREEN|SCREENDIFF|SNAP|SAMESNAP|DIFFSNAP)>")
# What a screen token checks: against the host rendering of the output so far
# (equal, or different), or against the last <SNAP> (the same pixels, or not).
SCREEN_MODES = {"SCREEN": "render", "SCREENDIFF": "render-differs", "SNAP": "snap", "SAMESNAP": "same-as-snap",
                "DIFFSNAP": "differs-from-snap"}
SERIAL_NAMED = {"CR": b"\r", "LF": b"\n", "TAB": b"\t", "BS": b"\x08", "DEL": b"\x7f", "ESC": b"\x1b",
                "CSI": b"\x1b["}
# Long against the decoder's 50 ms ESC timeout: the guest's clock is the TSC
# as calibrated at boot over 2 ms, which a loaded host can make run several
# times slow (17 GHz measured instead of 2.6 once: 0.3 s became 45 ms).
PAUSE_SECONDS = 1.0


def serial_steps(typed, screen):
    """--serial-input's KEYS as run_captured's steps: bytes, pauses, and
    screens (`screen(mode)` gives the next one's (image, serial) paths)."""
    steps, data, at = [], b"", 0
    for m in SERIAL_TOKEN.finditer(typed):
        data += typed[at:m.start()].encode()
        at = m.end()
        token = m.group(1)
        if token == "PAUSE" or token in SCREEN_MODES:
            if data:
                steps.append(data)
            data = b""
            steps.append(PAUSE_SECONDS if token == "PAUSE" else ("screen",) + screen(SCREEN_MODES[token]))
        elif token.startswith("C-"):
            data += bytes([ord(token[2].upper()) & 0x1f])
        elif token.startswith("x"):
            data += bytes([int(token[1:], 16)])
        else:
            data += SERIAL_NAMED[token]
    data += typed[at:].encode()
    return steps + [data] if data else steps


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--name", required=True)
    p.add_argument("--kernel")
    p.add_argument("--template")
    p.add_argument("--workdir", required=True)
    p.add_argument("--cmdline")
    p.add_argument("--module-line", action="append", default=[])
    p.add_argument("--grub-line", action="append", default=[],
                   help="a GRUB command in the entry before the multiboot2 line (cutmem ...)")
    p.add_argument("--modules", action="append", default=[])
    p.add_argument("--bad-modules", metavar="DIR",
                   help="boot every .ko in DIR too (module2 line labelled by its file name) and expect "
                        "each one to be reported as refused, by name")
    p.add_argument("--gfxpayload", help="the video mode GRUB sets (WxHxD)")
    p.add_argument("--render-tool", help="tests/boot/render_log: renders the expected console screen")
    p.add_argument("--render-font")
    p.add_argument("--render-other-font", help="the screen must differ from the log rendered in this font")
    p.add_argument("--render-bpp", default="32")
    p.add_argument("--render-loglevel", default="3",
                   help="the console's level (quiet: 1, loglevel=N): render only the lines it shows")
    p.add_argument("--iso")
    p.add_argument("--run-build", metavar="DIR",
                   help="make the ISO as `./celos run` does from the build folder DIR, with the --run-arg options")
    p.add_argument("--run-arg", action="append", default=[], metavar="ARG",
                   help="an argument of `./celos run` (--run-arg=--module --run-arg=heap)")
    p.add_argument("--menu-timeout", type=int,
                   help="the ISO of the template's menu as shipped, with this GRUB timeout")
    p.add_argument("--serial-input", action="append", default=[], metavar="TEXT=>KEYS",
                   help="once the serial output shows TEXT, type KEYS on the serial port (<C-N>, <C-E>, <C-X>, "
                        "<CR>: control keys); in order")
    p.add_argument("--no-final-screen", action="store_true",
                   help="no screenshot at the end: only the <SCREEN>s of --serial-input are checked")
    p.add_argument("--keys", action="append", default=[], metavar="TEXT=>KEYS",
                   help="once the serial output shows TEXT, press KEYS on QEMU's keyboard (QMP send-key): "
                        "QEMU key names separated by spaces, names held together joined by '-'; in order")
    p.add_argument("--until", metavar="REGEX",
                   help="stop QEMU at the first line matching REGEX instead of at the ready line")
    p.add_argument("--qemu-arg", action="append", default=[], metavar="ARG", help="an extra QEMU argument")
    p.add_argument("--uefi", action="store_true")
    p.add_argument("--gpu", default="std", help="QEMU's display device (tools/qemu.py GPU_ARGS)")
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--expect", action="append", default=[])
    p.add_argument("--expect-unordered", action="append", default=[], metavar="REGEX",
                   help="a line matching REGEX must come, anywhere (events of two sources interleaving)")
    p.add_argument("--reject", action="append", default=[])
    p.add_argument("--expect-same", action="append", default=[], metavar="REGEX",
                   help="at least two lines match REGEX, and they are all the same")
    p.add_argument("--ktap", action="store_true", help="check the KTAP results of the in-kernel tests")
    p.add_argument("--ktap-expect", action="append", default=[], metavar="NAME=ok|not ok|skip",
                   help="the KTAP result NAME must be this (implies --ktap)")
    p.add_argument("--screen-size", help="WIDTHxHEIGHT of the screen at the ready line")
    p.add_argument("--screen-pixel", action="append", default=[], metavar="X,Y,RRGGBB",
                   help="a pixel of the screen at the ready line")
    p.add_argument("--text-screen", action="append", default=[], metavar="REGEX",
                   help="EGA text mode: a line of the text screen (VGA memory at 0xb8000, 80x25) at the "
                        "ready line matches REGEX, in order")
    p.add_argument("--exit", default="ready", choices=["ready"] + sorted(EXPECTED_STATUS))
    args = p.parse_args()
    ktap_expect = {}
    for spec in args.ktap_expect:
        name, _, want = spec.partition("=")
        if want not in ("ok", "not ok", "skip") or not name:
            p.error("--ktap-expect %r: want NAME=ok|not ok|skip" % spec)
        ktap_expect[name] = want

    # "@SHA256:path@" in a pattern is that file's SHA-256, read when the test runs.
    args.expect = [re.sub(r"@SHA256:([^@]+)@", lambda m: hashlib.sha256(open(m.group(1), "rb").read()).hexdigest(), e)
                   for e in args.expect]
    # Control characters, which CMake lists cannot carry well ('[' groups
    # list elements): <ESC> is ESC and <CSI> is ESC [.
    def controls(text):
        return text.replace("<CSI>", "\x1b[").replace("<ESC>", "\x1b") if text else text
    args.cmdline = controls(args.cmdline)
    args.module_line = [controls(m) for m in args.module_line]
    args.reject = [controls(r) for r in args.reject]
    os.makedirs(args.workdir, exist_ok=True)
    bad = []
    if args.bad_modules:
        bad = sorted(f[:-3] for f in os.listdir(args.bad_modules) if f.endswith(".ko"))
        if not bad:
            sys.exit("boot_test: no .ko files in %s" % args.bad_modules)
        args.modules.append(args.bad_modules)
        args.module_line += ["module2 /boot/modules/%s.ko %s" % (name, name) for name in bad]
    iso = args.iso
    if args.run_build:
        iso = os.path.join(args.workdir, args.name + ".iso")
        if run_config.main(["--build", args.run_build, "--template", args.template, "make", "--out", iso]
                           + args.run_arg) != 0:
            return 1
    elif args.menu_timeout is not None:
        iso = os.path.join(args.workdir, args.name + ".iso")
        with open(args.template) as f:
            cfg = mkiso.template_cfg(f.read(), timeout=args.menu_timeout)
        mkiso.make_iso(iso, args.kernel, cfg, mkiso.gather(args.modules))
    if iso is None:
        iso = os.path.join(args.workdir, args.name + ".iso")
        make_test_iso(iso, args.kernel, args.template, args.cmdline, args.modules, args.module_line,
                      args.gfxpayload, args.grub_line)

    # The screen at the ready line (when QEMU stops there), with the serial
    # output until then for the host rendering.
    screen = screen_serial = None
    if args.exit == "ready" and not args.no_final_screen and (args.screen_size or args.screen_pixel or
                                                              args.render_tool):
        screen = os.path.join(args.workdir, args.name + ".ppm")
        screen_serial = os.path.join(args.workdir, args.name + ".serial")
        for path in (screen, screen_serial):
            if os.path.exists(path):
                os.remove(path)
    memdump = None
    if args.text_screen:
        text_path = os.path.join(args.workdir, args.name + ".vga")
        if os.path.exists(text_path):
            os.remove(text_path)
        memdump = (0xb8000, 80 * 25 * 2, text_path)
    screens = []  # <SCREEN>s: (image, serial output until then, SCREEN_MODES value)

    def next_screen(mode):
        base = os.path.join(args.workdir, "%s.screen%d" % (args.name, len(screens) + 1))
        for path in (base + ".ppm", base + ".serial"):
            if os.path.exists(path):
                os.remove(path)
        screens.append((base + ".ppm", base + ".serial", mode))
        return screens[-1][:2]

    serial_input = []
    for spec in args.serial_input:
        text, sep, typed = spec.partition("=>")
        if not sep:
            p.error("--serial-input %r: want TEXT=>KEYS" % spec)
        serial_input.append((text, serial_steps(typed, next_screen)))
    if any(m.startswith("render") for _, _, m in screens) and not args.render_tool:
        p.error("<SCREEN> needs --render-tool and --render-font")
    keys = []
    for spec in args.keys:
        text, sep, typed = spec.partition("=>")
        if not sep or not typed.split():
            p.error("--keys %r: want TEXT=>KEYS" % spec)
        keys.append((text, [combo.split("-") for combo in typed.split()]))
    status, lines = qemu.run_captured(iso, uefi=args.uefi, timeout=args.timeout, screenshot=screen,
                                      stop_at_ready=(args.exit == "ready"), memdump=memdump,
                                      serial_input=serial_input, keys=keys, until=args.until,
                                      extra=args.qemu_arg, screenshot_serial=screen_serial, gpu=args.gpu)
    log_path = os.path.join(args.workdir, args.name + ".log")
    with open(log_path, "w") as f:
        f.write("\n".join(lines) + "\n")

    failures = []
    at = 0
    for pattern in args.expect:
        rx = re.compile(pattern)
        for i in range(at, len(lines)):
            if rx.search(lines[i]):
                at = i + 1
                break
        else:
            failures.append("expected a line matching %r (after line %d)" % (pattern, at))
    for pattern in args.expect_unordered:
        rx = re.compile(pattern)
        if not any(rx.search(line) for line in lines):
            failures.append("expected a line matching %r (anywhere)" % pattern)
    for name in bad:
        prefix = "module %s: refused: " % name
        if not any(prefix in line for line in lines):
            failures.append("no line reporting %r (expected '%s...')" % (name, prefix))
    for pattern in args.expect_same:
        rx = re.compile(pattern)
        same = [line[rx.search(line).start():] for line in lines if rx.search(line)]
        if len(same) < 2:
            failures.append("expected at least two lines matching %r, found %d" % (pattern, len(same)))
        elif any(s != same[0] for s in same):
            failures.append("lines matching %r differ: %s" % (pattern, " / ".join(sorted(set(same)))))
    for pattern in args.reject:
        rx = re.compile(pattern)
        for line in lines:
            if rx.search(line):
                failures.append("unexpected line matching %r: %s" % (pattern, line))
    if args.until and not any(re.search(args.until, l) for l in lines):
        failures.append("no line matching %r, where QEMU was to stop (QEMU: %s)"
                        % (args.until, qemu.describe_status(status)))
    if args.exit == "ready":
        if not any(qemu.READY_LINE in l for l in lines):
            failures.append("the kernel never printed %r (QEMU: %s)" % (qemu.READY_LINE, qemu.describe_status(status)))
    elif status != EXPECTED_STATUS[args.exit]:
        failures.append("QEMU exit status %s, expected %d (%s)"
                        % (qemu.describe_status(status), EXPECTED_STATUS[args.exit], args.exit))

    if args.ktap or ktap_expect:
        failures += ktap.check(lines, ktap_expect)

    if screen:
        failures += check_screen(screen, args.screen_size, args.screen_pixel)
    if args.text_screen:
        failures += check_text_screen(memdump[2], args.text_screen)
    if args.render_tool and screen and os.path.exists(screen):
        failures += compare_with_render(args, screen, screen_serial)
    snap = None
    for i, (image, serial, mode) in enumerate(screens, 1):
        if not os.path.exists(image):
            failures.append("screen %d: no screenshot (its text never came?)" % i)
            continue
        with open(image, "rb") as f:
            pixels = f.read()
        if mode == "render":
            failures += compare_with_render(args, image, serial, ".screen%d" % i)
        elif mode == "render-differs":
            if not compare_with_render(args, image, serial, ".screen%d" % i):
                failures.append("screen %d equals the host rendering of the output so far (the view did not move)" % i)
        elif mode == "snap":
            snap = (i, pixels)
        elif snap is None:
            failures.append("screen %d: no <SNAP> before it to compare with" % i)
        elif mode == "same-as-snap" and pixels != snap[1]:
            failures.append("screen %d differs from screen %d (<SNAP>)" % (i, snap[0]))
        elif mode == "differs-from-snap" and pixels == snap[1]:
            failures.append("screen %d is the same as screen %d (<SNAP>): nothing moved" % (i, snap[0]))

    print("\n".join(lines))
    if args.ktap or ktap_expect:
        print("\n" + ktap.summary(lines))
    if failures:
        print("\nFAILED boot scenario '%s' (serial log: %s):" % (args.name, log_path))
        for f in failures:
            print("  - " + f)
        return 1
    print("\nboot scenario '%s' passed" % args.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
