#!/usr/bin/env python3
"""Soak test: the demo kernel at 1 kHz under constant input and output, for an hour.

    soak.py --build-dir BUILD soak          (MINIVMM_SOAK_SECONDS, default 3600)

Not part of `meson test` (an hour is more than the suite's whole budget): run it by hand,
preferably on the ASan+UBSan build (scripts/test makes build-asan/), and read its report.
It boots tests/kernels' echo_1khz (kernels/echo.asm with its PIT at 1 kHz), types numbered
lines at a steady rate through stdin and checks that every byte comes back, in order, each
line followed by the kernel's uptime line; it samples minivmm's resident memory every
minute; at the end it types Ctrl-D, so the guest exits with status 1 and AddressSanitizer's
leak check runs.  Pass: every line echoed exactly, the timer count only rising, `--stats`
with nothing dropped, overrun or lost, no leak report, and resident memory at the end no
more than SOAK_GROWTH_BOUND above its value after the first minute.  The route (real KVM
here, or inside a throwaway Linux under QEMU) is guest_tests.py's.
"""

import os
import re
import subprocess
import sys
import threading
import time

import guest_tests as gt
from guest_tests import Failure, check, test

SECONDS = float(os.environ.get("MINIVMM_SOAK_SECONDS", "3600"))
LINES_PER_SECOND = 20
PAYLOAD = "the quick brown fox jumps over the lazy dog 0123456789"
SOAK_GROWTH_BOUND = 4 << 20        # bytes of VmRSS growth allowed after the first minute
UPTIME_RE = re.compile(r"^uptime: (\d+)\.(\d\d) s, (\d+) timer interrupts, (\d+) serial "
                       r"interrupts$")


def vm_rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


@test(timeout=int(SECONDS) + 600)
def soak(env):
    kernel = os.path.join(env.build, "tests", "kernels", "echo_1khz.bin")
    p = env.start(["--bios", kernel, "--stats"])
    sent = []
    done = threading.Event()
    errors = []

    def writer():
        n = 0
        start = time.monotonic()
        try:
            while not done.is_set() and time.monotonic() - start < SECONDS:
                line = "soak %08d %s" % (n, PAYLOAD)
                p.stdin.write(line.encode() + b"\r")
                p.stdin.flush()
                sent.append(line)
                n += 1
                # A steady rate: the next line at its slot (a pipe blocks when the guest
                # is behind, and nothing is lost).
                delay = start + n / LINES_PER_SECOND - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            p.stdin.write(b"\x04")          # Ctrl-D: "bye", exit status 1
            p.stdin.flush()
        except OSError as e:
            errors.append("writing: %s" % e)

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    rss = []
    next_sample = time.monotonic() + 60
    buf = b""
    echoed = 0
    last_ticks = -1
    uptime_lines = 0
    try:
        stdout = p.stdout.fileno()
        while True:
            if time.monotonic() >= next_sample and p.poll() is None:
                rss.append(vm_rss(p.pid))
                print("soak: %d lines echoed, %d timer interrupts, VmRSS %d KiB"
                      % (echoed, last_ticks, rss[-1] >> 10), flush=True)
                next_sample += 60
            chunk = os.read(stdout, 65536)
            if not chunk:
                break
            buf += chunk
            *lines, buf = buf.split(b"\n")
            for raw in lines:
                line = raw.decode(errors="replace").rstrip("\r")
                if line.startswith("soak "):
                    if echoed >= len(sent) or line != sent[echoed]:
                        raise Failure("line %d came back as %r, sent %r" % (
                            echoed, line, sent[echoed] if echoed < len(sent) else None))
                    echoed += 1
                elif UPTIME_RE.match(line):
                    ticks = int(UPTIME_RE.match(line).group(3))
                    if ticks < last_ticks:
                        raise Failure("the timer count went back: %d after %d" % (ticks, last_ticks))
                    last_ticks = ticks
                    uptime_lines += 1
                elif line.strip() and not line.startswith("minivmm demo") and line != "bye" \
                        and not line.startswith("    "):
                    raise Failure("unexpected output line %r" % line)
    finally:
        done.set()
    status = p.wait(timeout=600)
    err = p.stderr.read().decode(errors="replace")
    t.join(timeout=10)
    print("--- stderr ---\n" + err)
    check(not errors, "the writer had no error (%s)" % errors)
    check(status == 1, "Ctrl-D ends the guest with status 1 (got %d)" % status, err)
    check(echoed == len(sent) and echoed > 0, "every line came back in order: %d sent, %d "
          "echoed" % (len(sent), echoed))
    check(uptime_lines == echoed, "each line was followed by its uptime line (%d)" % uptime_lines)
    check(last_ticks >= 0.5 * 1000 * SECONDS, "the timer ran at 1 kHz: %d interrupts in %.0f s "
          "(at least half of them reached the guest)" % (last_ticks, SECONDS))
    check("LeakSanitizer" not in err and "AddressSanitizer" not in err and
          "runtime error" not in err, "no sanitizer report at exit", err)
    m = re.search(r"com1: \d+ bytes sent, \d+ received, (\d+) THR writes dropped .*?, (\d+) "
                  r"receiver overruns", err)
    check(m and m.group(1) == "0" and m.group(2) == "0", "no byte dropped or overrun in the "
          "UART", err)
    m = re.search(r"console: .*?, (\d+) lost to a write error, (\d+) not written at exit; "
                  r"(\d+) typed bytes overran", err)
    check(m and m.groups() == ("0", "0", "0"), "no byte lost by the console", err)
    if len(rss) >= 2:
        growth = rss[-1] - rss[0]
        check(growth <= SOAK_GROWTH_BOUND, "resident memory grew %d KiB from minute 1 to the "
              "end (bound %d KiB): %s" % (growth >> 10, SOAK_GROWTH_BOUND >> 10,
                                          [r >> 10 for r in rss]))


if __name__ == "__main__":
    for name in [n for n, (fn, _, _) in gt.TESTS.items() if fn.__module__ != __name__]:
        del gt.TESTS[name]
    sys.exit(gt.main())
