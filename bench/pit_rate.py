#!/usr/bin/env python3
"""Benchmark: how closely the PIT's IRQ0 rate follows the wall clock.

    bench/pit_rate.py [--build-dir build] [--seconds 10]

Boots the ticks kernel (PIT counter 0 at 1000 Hz, one line per 1000 IRQ0s
handled), timestamps each line as it arrives on this side and prints the
IRQ0s handled against the time elapsed between the first and the last line,
and their ratio.  Timing lives here, never in the pass/fail suite.

Runs on /dev/kvm where it is backed by VT-x/AMD-V, else inside the nested
route (tests/nested_kvm.py), where the figures describe an emulated host:
say which when you quote them.
"""

import argparse
import os
import select
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
from guest_tests import Env, kvm_usable  # noqa: E402


def tick_rate(env, seconds):
    """(IRQ0s handled, wall seconds) between the first line and the one `seconds` later."""
    p = env.start(["--bios", env.kernel("ticks")])
    stamps = []
    try:
        buf = b""
        fd = p.stdout.fileno()
        deadline = time.monotonic() + seconds * 3 + 30
        while len(stamps) < seconds + 1:
            if time.monotonic() > deadline:
                sys.exit("ticks kernel too slow: %r" % buf[-300:])
            ready, _, _ = select.select([fd], [], [], 1)
            if not ready:
                continue
            chunk = os.read(fd, 4096)
            if not chunk:
                sys.exit("ticks kernel stopped: %r %s" % (buf, p.stderr.read()))
            now = time.monotonic()
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if line.startswith(b"tick: "):
                    stamps.append((now, int(line.split(b",")[1].split()[0])))
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=10)
    (t0, n0), (t1, n1) = stamps[0], stamps[-1]
    return n1 - n0, t1 - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--seconds", type=int, default=10)
    args = ap.parse_args()
    usable, why = kvm_usable()
    if not usable and not os.environ.get("MINIVMM_IN_NESTED"):
        print("pit_rate: %s; measuring inside the nested route (an emulated host)" % why,
              flush=True)
        os.environ["MINIVMM_IN_NESTED"] = "1"
        return subprocess.call([sys.executable, os.path.join(HERE, "..", "tests", "nested_kvm.py"),
                                "--timeout", str(args.seconds * 3 + 120), "--",
                                sys.executable, os.path.abspath(__file__),
                                "--build-dir", os.path.abspath(args.build_dir),
                                "--seconds", str(args.seconds)], stdin=subprocess.DEVNULL)
    irqs, wall = tick_rate(Env(args.build_dir), args.seconds)
    expected = wall * 1000
    print("pit_rate: %s" % (why if usable else "nested KVM"))
    print("pit_rate: %d IRQ0 handled in %.3f s at 1000 Hz: ratio %.4f (1.0 = exact)"
          % (irqs, wall, irqs / expected))
    return 0


if __name__ == "__main__":
    sys.exit(main())
