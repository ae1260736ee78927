#!/usr/bin/env python3
"""What a hostile guest costs the host: CPU per thread and memory under each storm.

    bench/storm.py [--build-dir DIR] [--seconds S] [--nested] [STORM...]

Runs minivmm on each storm kernel (tests/kernels/storm.asm, built into
DIR/tests/kernels/) for S seconds of wall time (default 5) after the guest's
banner, with its serial output drained into a pipe we read, and prints per
storm: the CPU time of the vCPU thread and of the loop thread (utime + stime
from /proc/PID/task/TID/stat, as a share of the wall time), minivmm's peak
resident memory (VmHWM) and its --stats counts (exits, PIT ticks delivered
and dropped, UART bytes and THR writes dropped, console write(2) calls).
The claim it checks (DEVELOPERS.md, "Threat model"): a storm costs one
vCPU thread's CPU, the loop thread stays near idle, memory stays bounded.

This is a benchmark, not a test: the figures are rates and shares of a
noisy 2-core machine.  storm_tests.py asserts the memory bound on counts.

Real-mode kernels: this runs on the /dev/kvm here, even a paravirtual one
(PVM).  --nested runs the whole thing on real KVM inside a throwaway Linux
under QEMU (tests/nested_kvm.py) instead: exits cost ~45 us there.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# name -> (kernel, extra minivmm arguments, what it is)
STORMS = {
    "idle": ("idle", [], "reference: a guest halted with IF=1"),
    "pit1": ("storm_pit1", [], "PIT reload 1, handler EOIs"),
    "pit2": ("storm_pit2", [], "PIT reload 2, handler EOIs"),
    "pit1-noeoi": ("storm_pit1_noeoi", [], "PIT reload 1, never EOIs"),
    "pit2-noeoi": ("storm_pit2_noeoi", [], "PIT reload 2, never EOIs, spins on port 0x61"),
    "pit24-spin": ("storm_pit24_spin", [], "PIT reload 24 (49.7 kHz), EOIs, never halts"),
    "pit150-spin": ("storm_pit150_spin", [], "PIT reload 150 (7.95 kHz), EOIs, never halts"),
    "level": ("storm_level", ["--testdev"], "level IRQ5 held high, handler EOIs"),
    "uart-nocheck": ("storm_uart_nocheck", [], "THR flood, never reads LSR"),
    "uart-check": ("storm_uart_check", [], "THR flood, waits for THRE"),
}
RAM = "16M"


def thread_cpu(pid):
    """{tid: seconds of utime + stime} of every thread of pid."""
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        cpu[int(tid)] = (int(fields[11]) + int(fields[12])) / ticks
    return cpu


def wakeups(pid, tid):
    """How often a thread went to sleep (voluntary context switches)."""
    with open("/proc/%d/task/%d/status" % (pid, tid)) as f:
        for line in f:
            if line.startswith("voluntary_ctxt_switches:"):
                return int(line.split()[1])
    return 0


def thread_names(pid):
    names = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                names[int(tid)] = f.read().strip()
        except OSError:
            pass
    return names


def status_kib(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class Drain(threading.Thread):
    """Reads minivmm's stdout as fast as it comes, counting bytes."""

    def __init__(self, fd):
        super().__init__(daemon=True)
        self.fd = fd
        self.bytes = 0
        self.head = b""
        self.banner = threading.Event()

    def run(self):
        while True:
            chunk = os.read(self.fd, 65536)
            if not chunk:
                break
            self.bytes += len(chunk)
            if len(self.head) < 4096:
                self.head += chunk
                if b"\n" in self.head:
                    self.banner.set()
        self.banner.set()


def stat_numbers(err):
    """The figures we report, from --stats lines."""
    def grab(pattern):
        m = re.search(pattern, err)
        return int(m.group(1)) if m else None
    return {
        "exits": grab(r"stats: (\d+) exits"),
        "injected": grab(r"(\d+) interrupts injected"),
        "ticks": grab(r"pit: (\d+) IRQ0 ticks delivered"),
        "dropped": grab(r"ticks delivered, (\d+) dropped"),
        "tx": grab(r"com1: (\d+) bytes sent"),
        "thr_dropped": grab(r"(\d+) THR writes dropped"),
        "writes": grab(r"bytes written in (\d+) write\(2\)"),
    }


def run_storm(build, name, seconds):
    kernel, extra, what = STORMS[name]
    path = None
    for sub in ("tests/kernels", "kernels"):
        candidate = os.path.join(build, sub, kernel + ".bin")
        if os.path.exists(candidate):
            path = candidate
    if path is None:
        raise SystemExit("bench/storm.py: %s.bin is not built in %s" % (kernel, build))
    cmd = [os.path.join(build, "vmm", "minivmm"), "--stats", "--memory", RAM, "--bios", path]
    p = subprocess.Popen(cmd + extra, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    drain = Drain(p.stdout.fileno())
    drain.start()
    if not drain.banner.wait(30):
        p.kill()
        raise SystemExit("bench/storm.py: %s printed nothing in 30 s" % name)
    names = thread_names(p.pid)
    t0, cpu0, wake0 = time.monotonic(), thread_cpu(p.pid), wakeups(p.pid, p.pid)
    time.sleep(seconds)
    t1, cpu1, wake1 = time.monotonic(), thread_cpu(p.pid), wakeups(p.pid, p.pid)
    hwm, rss = status_kib(p.pid, "VmHWM"), status_kib(p.pid, "VmRSS")
    p.send_signal(signal.SIGTERM)
    try:
        err = p.stderr.read().decode(errors="replace")
        p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        raise SystemExit("bench/storm.py: %s did not stop on SIGTERM" % name)
    drain.join(5)
    wall = t1 - t0
    # The main thread runs the loop (DEVELOPERS.md, "Architecture"); KVM's
    # own per-VM kernel threads (kvm-nx-lpage-recovery) show up among the
    # tasks too and are left out; what remains is the vCPU thread.
    loop_tid = p.pid
    vcpu_tids = [t for t in cpu1 if t != loop_tid and not names.get(t, "").startswith("kvm")]
    vcpu = sum(cpu1[t] - cpu0.get(t, 0) for t in vcpu_tids)
    loop = cpu1.get(loop_tid, 0) - cpu0.get(loop_tid, 0)
    return {"name": name, "what": what, "wall": wall, "vcpu": vcpu / wall, "loop": loop / wall, "loop_wakeups": (wake1 - wake0) / wall,
            "threads": 1 + len(vcpu_tids), "hwm": hwm, "rss": rss, "out": drain.bytes,
            "status": p.returncode, **stat_numbers(err)}


def fmt(v, spec="%d"):
    return "-" if v is None else spec % v


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build-bench"))
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--nested", action="store_true",
                    help="run on real KVM inside a throwaway Linux under QEMU")
    ap.add_argument("storms", nargs="*", metavar="STORM",
                    help="any of: " + " ".join(STORMS) + " (default: all)")
    args = ap.parse_args()
    for name in args.storms:
        if name not in STORMS:
            ap.error("unknown storm %r (any of: %s)" % (name, " ".join(STORMS)))
    build = os.path.abspath(args.build_dir)
    storms = args.storms or list(STORMS)
    if args.nested and not os.environ.get("MINIVMM_IN_NESTED"):
        os.environ["MINIVMM_IN_NESTED"] = "1"
        budget = int(len(storms) * (args.seconds + 15) + 120)
        cmd = [sys.executable, os.path.join(ROOT, "tests", "nested_kvm.py"), "--timeout",
               str(budget), "--", sys.executable, os.path.abspath(__file__), "--build-dir", build,
               "--seconds", str(args.seconds)] + storms
        return subprocess.call(cmd, stdin=subprocess.DEVNULL)

    with open("/proc/cpuinfo") as f:
        cpuinfo = f.read()
    flags = re.search(r"^flags\s*:(.*)$", cpuinfo, re.M)
    flags = flags.group(1).split() if flags else []
    kvm = ("hardware-backed (%s)" % ("VT-x" if "vmx" in flags else "AMD-V")
           if "vmx" in flags or "svm" in flags else "not hardware-backed (paravirtual, e.g. PVM)")
    print("bench/storm.py: %s, %d CPUs, /dev/kvm %s%s; %.0f s per storm, --memory %s"
          % (os.uname().release, os.cpu_count(), kvm,
             " (nested route: KVM inside QEMU TCG)" if os.environ.get("MINIVMM_IN_NESTED") else "",
             args.seconds, RAM), flush=True)
    print("%-13s %6s %6s %8s %8s %9s %9s %9s %11s %9s %9s %8s" %
          ("storm", "vCPU", "loop", "loop w/s", "VmHWM", "exits/s", "irqs/s", "ticks/s",
           "ticks drop", "out B/s", "THR drop", "writes"))
    for name in storms:
        r = run_storm(build, name, args.seconds)
        # --stats counts the whole run (boot and stop included); rates use the
        # measured window, close enough for seconds-long runs.
        w = r["wall"]
        rate = lambda v: None if v is None else v / w
        print("%-13s %5.1f%% %5.1f%% %8d %4.1f MiB %9s %9s %9s %11s %9s %9s %8s" %
              (name, 100 * r["vcpu"], 100 * r["loop"], r["loop_wakeups"], r["hwm"] / 1024.0,
               fmt(rate(r["exits"])), fmt(rate(r["injected"])), fmt(rate(r["ticks"])),
               fmt(r["dropped"]), fmt(rate(r["out"])), fmt(r["thr_dropped"]),
               fmt(r["writes"])), flush=True)
        if r["threads"] != 2:
            print("  (%d minivmm threads, not 2: the vCPU column adds up all but the loop)"
                  % r["threads"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
