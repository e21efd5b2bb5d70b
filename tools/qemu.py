#!/usr/bin/env python3
"""Boots a CelOS ISO in QEMU (software emulation). Used by `./celos run` and
by the boot tests (tests/boot/boot_test.py).

The kernel leaves QEMU through the isa-debug-exit device; QEMU's status is
then (code << 1) | 1. A triple fault or reset gives 0 (with -no-reboot) and
is always a failure, as is a timeout.
"""
import argparse
import json
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time

EXIT_SUCCESS = (0x10 << 1) | 1   # 33
EXIT_FAILURE = (0x11 << 1) | 1   # 35
EXIT_PANIC = (0x12 << 1) | 1     # 37
EXIT_NAMES = {EXIT_SUCCESS: "success", EXIT_FAILURE: "failure", EXIT_PANIC: "panic",
              0: "reset or triple fault"}
READY_LINE = "celos: ready"
OVMF_CANDIDATES = ["/usr/share/ovmf/OVMF.fd", "/usr/share/OVMF/OVMF_CODE.fd"]


def ovmf_path():
    for p in OVMF_CANDIDATES:
        if os.path.exists(p):
            return p
    sys.exit("qemu: no OVMF firmware found (%s); install the 'ovmf' package" % ", ".join(OVMF_CANDIDATES))


# QEMU's display device for each --gpu choice (README, "Display drivers").
GPU_ARGS = {
    "std": ["-vga", "std"],                                  # standard VGA, PCI 1234:1111: bochs
    "bochs": ["-vga", "none", "-device", "bochs-display"],   # no VGA, 1234:1111 class 0380: bochs
    "virtio": ["-vga", "none", "-device", "virtio-gpu-pci"],  # no VGA, 1af4:1050: virtio_gpu
    "virtio-vga": ["-vga", "virtio"],                        # VGA + virtio GPU: virtio_gpu
}


def base_command(iso, uefi=False, memory="512M", gpu="std", extra=()):
    # -cpu max: under TCG it offers RDRAND (randomized module bases), which
    # the default qemu64 model lacks. A later -cpu in the extra arguments wins.
    # Guest RAM as a memfd rather than anonymous memory: QEMU asks the host
    # for transparent huge pages on anonymous RAM (MADV_HUGEPAGE), and where
    # the host's THP defrag setting honours that (Debian's default,
    # "madvise"), the guest's first touch of each 2 MiB of RAM can wait
    # milliseconds for the host to compact memory (4.5 ms each on the
    # project's machine, about 40 ms of a boot, charged to whatever the
    # kernel was doing). Shared memory gets no huge pages unless the host
    # asks for them (shmem_enabled, "never" by default). Extra arguments
    # with their own -m get QEMU's plain RAM of that size instead (a backend
    # must match the machine's size).
    memfd = [] if any(a == "-m" or a.startswith("-m=") for a in extra) else [
        "-object", "memory-backend-memfd,id=ram0,size=%s" % memory, "-machine", "memory-backend=ram0"]
    # The ISO is attached as a virtio disk, not a CD: grub-mkrescue's image
    # is a hybrid that boots as a disk too (an MBR for BIOS, an EFI system
    # partition for UEFI), the way a USB stick is booted. SeaBIOS and OVMF
    # read a virtio disk by DMA, while a CD on the IDE controller is read by
    # port I/O, one emulated instruction per 2 or 4 bytes: GRUB loads the
    # default entry's 8.5 MB of modules and fonts in about 0.35 s instead of
    # 0.7 s (UEFI: the boot to ready takes 3.9 s instead of 6.1 s). No
    # network card (-nic none): CelOS has no network driver, and SeaBIOS
    # spends about 25 ms starting the card's boot ROM.
    cmd = ["qemu-system-x86_64", "-machine", "q35" if uefi else "pc", "-cpu", "max", "-m", memory] + memfd + [
           "-drive", "file=%s,format=raw,if=virtio,readonly=on" % iso.replace(",", ",,"), "-nic", "none", "-no-reboot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if uefi:
        cmd += ["-bios", ovmf_path()]
    if gpu not in GPU_ARGS:
        sys.exit("qemu: --gpu %s: expected one of %s" % (gpu, ", ".join(GPU_ARGS)))
    return cmd + GPU_ARGS[gpu]


class Qmp:
    """A minimal QMP client over a unix socket (screendump, quit)."""

    def __init__(self, path, timeout=10):
        deadline = time.time() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        self.file = self.sock.makefile("rw")
        self.file.readline()  # greeting
        self.command("qmp_capabilities")

    def command(self, name, **arguments):
        msg = {"execute": name}
        if arguments:
            msg["arguments"] = arguments
        self.file.write(json.dumps(msg) + "\n")
        self.file.flush()
        while True:
            line = self.file.readline()
            if not line:
                return None
            reply = json.loads(line)
            if "return" in reply or "error" in reply:
                if "error" in reply:
                    raise RuntimeError("QMP %s: %s" % (name, reply["error"]))
                return reply["return"]


def screendump_png(qmp, png_path):
    with tempfile.TemporaryDirectory(prefix="celos-shot-") as tmp:
        ppm = os.path.join(tmp, "screen.ppm")
        qmp.command("screendump", filename=ppm)
        for _ in range(100):  # the dump is written asynchronously
            if os.path.exists(ppm) and os.path.getsize(ppm) > 0:
                break
            time.sleep(0.05)
        if png_path.endswith(".ppm"):
            shutil.copy(ppm, png_path)
            return
        with open(png_path, "wb") as out:
            subprocess.run(["pnmtopng", ppm], stdout=out, stderr=subprocess.DEVNULL, check=True)


def steady_screendump(qmp, path, tries=10):
    """A screendump taken twice 0.2 s apart until two agree: the console
    presents at its own pace (at most a timer tick after the output, longer
    when the host is loaded), and a picture caught mid-draw is no picture."""
    previous = None
    for _ in range(tries):
        screendump_png(qmp, path)
        with open(path, "rb") as f:
            data = f.read()
        if data == previous:
            return
        previous = data
        time.sleep(0.2)


def read_ppm(path):
    """Returns (width, height, rgb bytes) of a binary PPM (P6, maxval 255)."""
    with open(path, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError("%s: not a P6 PPM with maxval 255" % path)
    width, height = int(fields[1]), int(fields[2])
    return width, height, data[pos + 1:pos + 1 + width * height * 3]


def send_keys(qmp, combos, hold_ms=40):
    """Presses each combination of keys (QEMU qcode names, held together:
    ["shift", "a"]) through QMP send-key, in order; QEMU queues them with
    their hold times, so they reach the guest one after the other."""
    for combo in combos:
        qmp.command("send-key", keys=[{"type": "qcode", "data": k} for k in combo], **{"hold-time": hold_ms})


def run_captured(iso, uefi=False, timeout=60, screenshot=None, echo=False, extra=(), stop_at_ready=False,
                 memdump=None, serial_input=(), keys=(), until=None, screenshot_serial=None, gpu="std"):
    """Runs QEMU headless, collecting the serial log. Returns (status, lines)
    where status is QEMU's exit code, or None on timeout. With `screenshot`,
    saves the screen as PNG once the ready line appears (and the serial
    bytes so far in `screenshot_serial`, for the host rendering); with
    `memdump` (physical address, size, path), saves that guest memory then
    too. `serial_input`: (text, steps) pairs, in order: once the serial
    output shows `text` (after the previous one), the steps run: bytes are
    typed on the serial port (the GRUB menu, the kernel's serial input), a
    number is a pause in seconds, and ("screen", image, serial) saves the
    screen once the output has been quiet for half a second, and the serial
    bytes so far beside it. `keys`: (text, combos) pairs, likewise, each
    combo a list of QEMU key names pressed together on the keyboard (QMP
    send-key). `until`: a regex; QEMU is stopped at the first line that
    matches it (and no longer at the ready line)."""
    with tempfile.TemporaryDirectory(prefix="celos-qemu-") as tmp:
        qmp_path = os.path.join(tmp, "qmp.sock")
        cmd = base_command(iso, uefi, gpu=gpu, extra=extra) + ["-display", "none", "-serial", "stdio",
                                         "-qmp", "unix:%s,server=on,wait=off" % qmp_path] + list(extra)
        pending_serial = [(text, steps if isinstance(steps, list) else [steps]) for text, steps in serial_input]
        pending_keys = list(keys)
        until_rx = re.compile(until) if until else None
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.PIPE if pending_serial else subprocess.DEVNULL)
        lines, partial = [], b""
        # All the output, and how far the serial input and the keys have matched.
        stream, seen_serial, seen_keys = b"", 0, 0
        deadline = time.time() + timeout
        status = None
        ready_handled = False
        qmp = None

        def monitor():
            nonlocal qmp
            if qmp is None:
                qmp = Qmp(qmp_path)
            return qmp

        def quiet_output(seconds=0.5):
            """What QEMU writes until it has been quiet for `seconds` (the
            console has finished drawing), kept as if read in the loop."""
            nonlocal partial, stream
            data = b""
            while time.time() < deadline:
                r, _, _ = select.select([proc.stdout], [], [], seconds)
                if not r:
                    break
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                data += chunk
            partial += data
            stream += data

        def save_serial(path):
            if path:
                with open(path, "wb") as f:
                    f.write(stream)

        def stop(quit=True):
            quiet_output()
            if screenshot:
                steady_screendump(monitor(), screenshot)
                save_serial(screenshot_serial)
            if memdump:
                address, size, path = memdump
                monitor().command("pmemsave", val=address, size=size, filename=path)
            if quit:
                monitor().command("quit")

        try:
            while True:
                remaining = deadline - time.time()
                if remaining <= 0:
                    break
                r, _, _ = select.select([proc.stdout], [], [], min(remaining, 0.5))
                if r:
                    chunk = os.read(proc.stdout.fileno(), 65536)
                    if not chunk:
                        status = proc.wait()
                        break
                    partial += chunk
                    stream += chunk
                    while pending_serial:
                        at = stream.find(pending_serial[0][0].encode(), seen_serial)
                        if at < 0:
                            break
                        seen_serial = at + len(pending_serial[0][0])
                        for step in pending_serial.pop(0)[1]:
                            if isinstance(step, (int, float)):
                                time.sleep(step)
                            elif isinstance(step, tuple):
                                quiet_output()
                                steady_screendump(monitor(), step[1])
                                with open(step[2], "wb") as f:
                                    f.write(stream)
                            else:
                                proc.stdin.write(step)
                                proc.stdin.flush()
                    while pending_keys:
                        at = stream.find(pending_keys[0][0].encode(), seen_keys)
                        if at < 0:
                            break
                        seen_keys = at + len(pending_keys[0][0])
                        send_keys(monitor(), pending_keys.pop(0)[1])
                    while b"\n" in partial:
                        raw, partial = partial.split(b"\n", 1)
                        line = raw.decode("utf-8", "replace").rstrip("\r")
                        lines.append(line)
                        if echo:
                            print(line, flush=True)
                        if until_rx and not ready_handled and until_rx.search(line):
                            ready_handled = True
                            stop()
                        if READY_LINE in line and not ready_handled and not until_rx:
                            ready_handled = True
                            if screenshot or stop_at_ready or memdump:
                                stop(quit=stop_at_ready)
                elif proc.poll() is not None:
                    status = proc.returncode
                    break
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if partial:
            lines.append(partial.decode("utf-8", "replace").rstrip("\r"))
        return status, lines


GDB_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gdb", "celos.py")


def gdb_instructions(elf, port):
    """How to attach gdb with the module-symbols script (docs: README, "Debugging")."""
    return ("celos: QEMU is stopped at reset, its gdb stub on localhost:%d. In another terminal:\n"
            "  gdb -x %s %s \\\n"
            "      -ex 'target remote :%d' -ex 'set breakpoint pending on' -ex celos-symbols\n"
            "then break in the core or a module by name (pending until the module loads), e.g.\n"
            "  (gdb) break kmalloc\n"
            "  (gdb) continue\n"
            "  (gdb) bt\n"
            "celos-symbols adds each module's symbols at its load addresses and follows loads and\n"
            "unloads; celos-modules lists the modules." % (port, GDB_SCRIPT, os.path.abspath(elf), port))


def run_interactive(iso, uefi=False, headless=False, gdb=None, gdb_port=1234, extra=(), gpu="std"):
    cmd = base_command(iso, uefi, gpu=gpu, extra=extra)
    if headless or not os.environ.get("DISPLAY"):
        cmd += ["-display", "none", "-serial", "mon:stdio"]
        print("celos: serial console on this terminal; Ctrl-A X quits QEMU", flush=True)
    else:
        cmd += ["-serial", "stdio"]
    if gdb:
        cmd += ["-gdb", "tcp:localhost:%d" % gdb_port, "-S"]
        print(gdb_instructions(gdb, gdb_port), flush=True)
    cmd += list(extra)
    return subprocess.call(cmd)


def describe_status(status):
    if status is None:
        return "timeout"
    return "%d (%s)" % (status, EXIT_NAMES.get(status, "unexpected"))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--iso", required=True)
    p.add_argument("--uefi", action="store_true")
    p.add_argument("--gpu", choices=sorted(GPU_ARGS), default="std",
                   help="QEMU's display device: std (standard VGA), bochs (bochs-display), virtio (virtio-gpu-pci, "
                        "no VGA), virtio-vga")
    p.add_argument("--headless", action="store_true")
    p.add_argument("--screenshot", metavar="FILE.png")
    p.add_argument("--gdb", action="store_true")
    p.add_argument("--gdb-port", type=int, default=int(os.environ.get("CELOS_GDB_PORT", "1234")),
                   help="with --gdb: the TCP port of QEMU's gdb stub (default 1234, or $CELOS_GDB_PORT)")
    p.add_argument("--elf", default="celos.elf", help="the kernel ELF, for the gdb instructions")
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("extra", nargs="*", help="extra QEMU arguments (after --)")
    args = p.parse_args()
    if shutil.which("qemu-system-x86_64") is None:
        sys.exit("qemu: qemu-system-x86_64 is not installed (package qemu-system-x86)")
    if args.screenshot:
        status, lines = run_captured(args.iso, args.uefi, args.timeout, screenshot=args.screenshot,
                                     echo=True, extra=args.extra, stop_at_ready=True, gpu=args.gpu)
        if not any(READY_LINE in l for l in lines):
            sys.exit("celos: the kernel did not reach '%s' (QEMU: %s); no screenshot"
                     % (READY_LINE, describe_status(status)))
        print("celos: screenshot saved to %s" % args.screenshot)
        return 0
    status = run_interactive(args.iso, args.uefi, args.headless, args.elf if args.gdb else None, args.gdb_port,
                             args.extra, gpu=args.gpu)
    if status in (EXIT_SUCCESS, EXIT_FAILURE, EXIT_PANIC):
        print("celos: the kernel stopped QEMU: %s" % describe_status(status))
    return 0 if status in (0, EXIT_SUCCESS) else status


if __name__ == "__main__":
    sys.exit(main())
