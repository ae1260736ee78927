#!/usr/bin/env python3
"""Integration tests: boot kernels under minivmm on real KVM and check what a user sees.

    guest_tests.py --build-dir BUILD TEST

Each test runs minivmm as a person would (serial console on stdin/stdout)
and checks its output and exit status.  Tests that need KVM run directly
when /dev/kvm works here; where it does not (our machines, CI), this script
re-runs itself inside a throwaway Linux under QEMU software emulation that
has a real /dev/kvm (tests/nested_kvm.py), and fails with the reason if
neither is possible -- never a silent skip.

MINIVMM_TEST_ROUTE=direct|nested|auto (default auto) forces a route.
"""

import argparse
import errno
import fcntl
import os
import pty
import re
import select
import signal
import subprocess
import sys
import tempfile
import termios
import time

HERE = os.path.dirname(os.path.abspath(__file__))
KVM_GET_API_VERSION = 0xAE00
EXIT_QUIT, EXIT_SETUP, EXIT_GUEST_FAULT = 0, 2, 4
NESTED_ROUTE_FAILED = 125

TESTS = {}


def test(needs_kvm=True, timeout=60):
    def register(fn):
        TESTS[fn.__name__.replace("_", "-")] = (fn, needs_kvm, timeout)
        return fn
    return register


class Failure(Exception):
    pass


def check(cond, what, context=""):
    if not cond:
        raise Failure(what + (("\n--- context ---\n" + context) if context else ""))
    print("ok: " + what)


def kvm_usable():
    """(True, why) if /dev/kvm here can run our kernels faithfully, else (False, why).

    That takes a KVM backed by VT-x or AMD-V.  A paravirtual KVM (such as
    PVM, which runs guests without hardware virtualization) opens fine but
    emulates real mode and exception delivery in software and fails on some
    of our kernels, so it counts as unusable and the nested route is taken.
    """
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
    except OSError as e:
        return False, "/dev/kvm: " + e.strerror
    try:
        version = fcntl.ioctl(fd, KVM_GET_API_VERSION)
    except OSError as e:
        return False, "KVM_GET_API_VERSION: " + e.strerror
    finally:
        os.close(fd)
    if version != 12:
        return False, "/dev/kvm speaks KVM API version %d, not 12" % version
    with open("/proc/cpuinfo") as f:
        flags = next((l.split(":", 1)[1].split() for l in f if l.startswith("flags")), [])
    if "vmx" not in flags and "svm" not in flags:
        return False, ("/dev/kvm is not backed by VT-x/AMD-V (no vmx/svm flag in /proc/cpuinfo: "
                       "a paravirtual KVM that emulates real mode and faults in software)")
    return True, "/dev/kvm with %s" % ("vmx" if "vmx" in flags else "svm")


class Env:
    def __init__(self, build_dir):
        self.build = os.path.abspath(build_dir)
        self.minivmm = os.path.join(self.build, "vmm", "minivmm")

    def kernel(self, name):
        for sub in ("kernels", os.path.join("tests", "kernels")):
            path = os.path.join(self.build, sub, name + ".bin")
            if os.path.exists(path):
                return path
        raise Failure("kernel image %s.bin not built" % name)

    def run(self, args, stdin=b"", timeout=30):
        """Run minivmm with piped stdio; returns (status, stdout, stderr) as text."""
        cmd = [self.minivmm] + args
        print("$ " + " ".join(cmd), flush=True)
        try:
            p = subprocess.run(cmd, input=stdin, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            raise Failure("minivmm did not stop within %d s; output so far:\n%s"
                          % (timeout, (e.stdout or b"").decode(errors="replace")))
        out = p.stdout.decode(errors="replace")
        err = p.stderr.decode(errors="replace")
        sys.stdout.write("--- guest serial output ---\n%s\n--- stderr ---\n%s--- exit status %d ---\n"
                         % (out, err, p.returncode))
        return p.returncode, out, err

    def start(self, args):
        """Start minivmm with pipes, for tests that interact while it runs."""
        cmd = [self.minivmm] + args
        print("$ " + " ".join(cmd), flush=True)
        return subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)


def read_until(fd, needle, timeout):
    """Read from fd until `needle` (bytes) shows up; returns everything read."""
    data = b""
    deadline = time.monotonic() + timeout
    while needle not in data:
        left = deadline - time.monotonic()
        if left <= 0:
            raise Failure("timed out waiting for %r; got %r" % (needle, data))
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError as e:
                if e.errno == errno.EIO:   # pty closed
                    chunk = b""
                else:
                    raise
            if not chunk:
                raise Failure("output ended before %r; got %r" % (needle, data))
            data += chunk
    return data


def one_error_line(err, status, expected_status, words):
    lines = [l for l in err.splitlines() if l.strip()]
    check(status == expected_status, "exit status is %d (got %d)" % (expected_status, status), err)
    check(len(lines) == 1, "exactly one line on stderr", err)
    check(lines[0].startswith("minivmm: "), "the line starts with 'minivmm: '", err)
    for w in words:
        check(w in lines[0], "the error names the problem (%r)" % w, err)


# ---- kernels booting on KVM -----------------------------------------------------

@test()
def real16(env):
    status, out, err = env.run(["--bios", env.kernel("real16")])
    check("Hello from real mode" in out, "real16 greets over the UART", out)
    check(status == 1, "real16 chose exit value 0 -> status 1", err)


@test()
def pm32(env):
    status, out, err = env.run(["--bios", env.kernel("pm32")])
    check("FAIL" not in out, "no FAIL line", out)
    check(out.count("PASS:") >= 3, "at least three PASS lines", out)
    check("PASS: DIV by zero raised #DE (vector 0)" in out, "the divide error handler ran", out)
    check("PASS: #GP error code 0x40" in out, "the #GP handler saw the right error code", out)
    check(status == 1, "pm32 exits with status 1 (all passed)", err)


@test()
def default_kernel(env):
    status, out, err = env.run([], stdin=b"hello\n\x04", timeout=60)
    check("minivmm demo: type" in out, "no --bios boots the built-in demo kernel (echo)", out)
    check(status == 1, "and its status comes back", err)


@test()
def exit_status(env):
    status, out, err = env.run(["--bios", env.kernel("exit_code")])
    check(status == (42 << 1) | 1, "writing 42 to port 0xf4 exits with status 85", err)


@test()
def io_sizes(env):
    status, out, err = env.run(["--stats", "--trace=io", "--bios", env.kernel("io_sizes")])
    check("FAIL" not in out and "PASS:" in out, "every I/O size check passed", out)
    check("inw 0x20 reads the master's IMR" in out and "inl 0x40 reads port 0x43" in out,
          "wide accesses to 8-bit devices were split into byte accesses", out)
    check(status == 1, "io_sizes exits with status 1", err)
    check(re.search(r"^minivmm: trace: .* io port read  0x0020 size 2 value 0xfb[0-9a-f]{2}$",
                    err, re.M) is not None,
          "--trace=io shows the guest's inw 0x20 as one 2-byte access with both bytes", err)
    check(re.search(r"^minivmm: trace: .* io mmio write 0xd0000000 size 4 value 0x00000000$",
                    err, re.M) is not None, "--trace=io shows MMIO writes", err)
    check("unclaimed port accesses: 0 reads" not in err, "unclaimed port reads were counted", err)
    check("unclaimed mmio accesses: 0 reads" not in err, "unclaimed MMIO reads were counted", err)


@test()
def triple_fault(env):
    status, out, err = env.run(["--bios", env.kernel("triple_fault")])
    check(status == EXIT_GUEST_FAULT, "a triple fault exits with status 4", err)
    first = err.splitlines()[0] if err else ""
    check(first.startswith("minivmm: guest triple fault"), "one line names the triple fault", err)
    check("rip" in err and "cr0" in err, "followed by a register dump", err)


@test()
def hlt_with_interrupts_off(env):
    status, out, err = env.run(["--bios", env.kernel("hlt_cli")], timeout=30)
    check(status == EXIT_GUEST_FAULT, "HLT with IF=0 exits with status 4", err)
    check(err.startswith("minivmm: guest hang"), "one line reports the hang", err)


@test()
def serial_input(env):
    text = b"hello, serial port."
    status, out, err = env.run(["--bios", env.kernel("poll_echo")], stdin=text)
    check("HELLO, SERIAL PORT." in out, "every byte piped in came back, in order", out)
    check(status == 1, "poll_echo exits with status 1", err)


@test()
def serial_input_no_drops(env):
    # Far more than the receiver holds: the console must feed it only as the
    # guest empties it.
    text = bytes((b"abcdefghijklmnopqrstuvwxyz0123456789"[i % 36]) for i in range(3000)) + b"."
    status, out, err = env.run(["--bios", env.kernel("poll_echo")], stdin=text, timeout=60)
    check(text.upper().decode() in out, "3001 bytes echoed without a drop", out[-200:])
    check(status == 1, "poll_echo exits with status 1", err)


@test()
def sigterm_stops_cleanly(env):
    p = env.start(["--bios", env.kernel("idle")])
    try:
        read_until(p.stdout.fileno(), b"idle", 30)
        p.send_signal(signal.SIGTERM)
        status = p.wait(timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
    err = p.stderr.read().decode()
    check(status == 128 + signal.SIGTERM, "SIGTERM exits with status 143", err)
    check("stopped by signal 15" in err, "and says so", err)


@test()
def console_escape_quits(env):
    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    cmd = [env.minivmm, "--bios", env.kernel("idle")]
    print("$ " + " ".join(cmd) + "   (on a pty)", flush=True)
    p = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=subprocess.PIPE)
    try:
        read_until(master, b"idle", 30)
        raw = termios.tcgetattr(slave)
        check(not (raw[3] & termios.ICANON) and not (raw[3] & termios.ECHO),
              "the terminal is in raw mode while the guest runs")
        os.write(master, b"\x01x")
        status = p.wait(timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
    err = p.stderr.read().decode()
    check(status == EXIT_QUIT, "Ctrl-A x quits with status 0", err)
    check(termios.tcgetattr(slave) == before, "the terminal settings are restored")
    os.close(master)
    os.close(slave)


def start_on_pty(env, args, **popen):
    """Start minivmm with stdin and stdout on a new pty; returns (p, master, slave, termios)."""
    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    cmd = [env.minivmm] + args
    print("$ " + " ".join(cmd) + "   (on a pty)", flush=True)
    p = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=subprocess.PIPE, **popen)
    return p, master, slave, before


def stop_and_close(p, *fds):
    if p.poll() is None:
        p.kill()
        p.wait(timeout=10)
    for fd in fds:
        os.close(fd)


def wait_status(p, timeout, after):
    """p's exit status; a Failure if it is still running `timeout` s later."""
    try:
        return p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure("minivmm still runs %d s after %s" % (timeout, after))


def is_raw(fd):
    lflag = termios.tcgetattr(fd)[3]
    return not (lflag & termios.ICANON) and not (lflag & termios.ECHO)


def proc_state(pid):
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()[0]


def wait_for(what, cond, timeout=10):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise Failure("timed out waiting until " + what)
        time.sleep(0.05)


@test()
def console_escape_with_a_guest_not_reading(env):
    # The idle kernel never reads the UART: its receiver fills at once.  On a
    # terminal the console keeps reading anyway, so Ctrl-A x still quits, and
    # what neither the receiver nor the console holds overruns (LSR.OE).
    p, master, slave, before = start_on_pty(env, ["--stats", "--bios", env.kernel("idle")])
    try:
        read_until(master, b"idle", 30)
        os.write(master, b"a" * 300 + b"\x01x")
        status = wait_status(p, 10, "300 bytes and Ctrl-A x")
        err = p.stderr.read().decode()
        check(status == EXIT_QUIT, "Ctrl-A x after 300 unread bytes quits with status 0", err)
        check(termios.tcgetattr(slave) == before, "the terminal settings are restored")
    finally:
        stop_and_close(p, master, slave)
    m = re.search(r"stats: com1: \d+ bytes sent, (\d+) received, \d+ THR writes dropped "
                  r"\(transmitter full\), (\d+) receiver overruns", err)
    check(m is not None, "--stats reports COM1's receiver", err)
    received, overruns = int(m.group(1)), int(m.group(2))
    check(overruns > 0 and received + overruns <= 300,
          "--stats counts the bytes that overran the full receiver (%d received, %d overruns)"
          % (received, overruns), err)
    m = re.search(r"stats: console: .* (\d+) typed bytes overran the receiver", err)
    check(m is not None and int(m.group(1)) == overruns,
          "the console counted the same bytes as overrun", err)


@test()
def exit_flush_has_a_deadline(env):
    # stdout is a pipe that is full and that nobody reads: the guest's line
    # can never be written.  SIGTERM must still end minivmm, after at most
    # the 2 s it waits for stdout, and it must say what was not written.
    r, w = os.pipe()
    fcntl.fcntl(w, fcntl.F_SETFL, os.O_NONBLOCK)
    for size in (65536, 4096, 1):
        try:
            while True:
                os.write(w, b"#" * size)
        except BlockingIOError:
            pass
    fcntl.fcntl(w, fcntl.F_SETFL, 0)
    line = b"idle: halting with interrupts enabled until the VMM is stopped\n"
    # --trace=uart tells us (on stderr) when the UART handed the line's last
    # byte to the console: then all of it waits for stdout.
    cmd = [env.minivmm, "--stats", "--trace=uart", "--bios", env.kernel("idle")]
    print("$ " + " ".join(cmd) + "   (stdout: a full pipe nobody reads)", flush=True)
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=w, stderr=subprocess.PIPE)
    os.close(w)
    try:
        err = read_until(p.stderr.fileno(), b"tx 0x0a", 30)
        start = time.monotonic()
        p.send_signal(signal.SIGTERM)
        try:
            _, rest = p.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            raise Failure("minivmm still runs 20 s after SIGTERM with a stalled stdout")
        took = time.monotonic() - start
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(r)
    err = (err + rest).decode(errors="replace")
    print("\n".join(l for l in err.splitlines() if not l.startswith("minivmm: trace: ")))
    check(p.returncode == 128 + signal.SIGTERM, "SIGTERM exits with status 143 (%.1f s)" % took,
          err[-2000:])
    msg = "minivmm: %d bytes of guest output were not written: " % len(line)
    check(sum(1 for l in err.splitlines() if l.startswith(msg)) == 1,
          "one line says the %d bytes of the guest's line were not written" % len(line),
          err[-2000:])
    check(re.search(r"stats: console: 0 bytes written .* %d not written at exit" % len(line),
                    err) is not None, "--stats counts them too", err[-2000:])


@test()
def exit_never_hangs_on_stderr(env):
    # stderr is a pipe that stops being read: the trace fills it, then the
    # last words at exit (the signal, --stats) cannot be written.  SIGTERM
    # must still end minivmm, the trace and the last words each waiting a
    # bounded time for the reader.
    r, w = os.pipe()
    cmd = [env.minivmm, "--stats", "--trace=all", "--bios", env.kernel("ticks")]
    print("$ " + " ".join(cmd) + "   (stderr: a pipe read until the trace starts, then not)",
          flush=True)
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=w)
    os.close(w)
    try:
        read_until(r, b"minivmm: trace:", 30)
        read_until(p.stdout.fileno(), b"tick: 1 s", 120)   # a second of ticks unread
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            raise Failure("minivmm still runs 30 s after SIGTERM with a stalled stderr")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(r)
    check(p.returncode == 128 + signal.SIGTERM, "SIGTERM exits with status 143")


@test()
def console_leaves_file_flags_alone(env):
    # On a terminal stdin, stdout and stderr share one open file description
    # with the shell: minivmm must not make it non-blocking, not even for the
    # shell that gets it back after a SIGKILL.  Our fd `slave` is that same
    # description.
    p, master, slave, before = start_on_pty(env, ["--bios", env.kernel("idle")])
    try:
        read_until(master, b"idle", 30)
        check(not fcntl.fcntl(slave, fcntl.F_GETFL) & os.O_NONBLOCK,
              "the terminal's file description is not O_NONBLOCK while minivmm writes to it")
        p.kill()
        p.wait(timeout=10)
        check(not fcntl.fcntl(slave, fcntl.F_GETFL) & os.O_NONBLOCK,
              "nor after minivmm was SIGKILLed")
    finally:
        stop_and_close(p, master, slave)
    # The same for a pipe.
    r, w = os.pipe()
    p = subprocess.Popen([env.minivmm, "--bios", env.kernel("idle")], stdin=subprocess.DEVNULL,
                         stdout=w, stderr=subprocess.PIPE)
    try:
        read_until(r, b"idle", 30)
        check(not fcntl.fcntl(w, fcntl.F_GETFL) & os.O_NONBLOCK,
              "a stdout pipe's file description is not O_NONBLOCK either")
    finally:
        stop_and_close(p, r, w)


@test()
def console_restored_on_sigquit(env):
    import resource

    def no_core():
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    p, master, slave, before = start_on_pty(env, ["--bios", env.kernel("idle")],
                                            preexec_fn=no_core)
    try:
        read_until(master, b"idle", 30)
        check(is_raw(slave), "the terminal is in raw mode while the guest runs")
        p.send_signal(signal.SIGQUIT)
        status = wait_status(p, 10, "SIGQUIT")
        check(status == -signal.SIGQUIT, "SIGQUIT still kills minivmm (status %d)" % status)
        check(termios.tcgetattr(slave) == before, "the terminal settings are restored")
    finally:
        stop_and_close(p, master, slave)


@test()
def console_stop_and_continue(env):
    # Ctrl-Z goes to the guest in raw mode, but a SIGTSTP sent by someone
    # stops minivmm with the terminal given back; SIGCONT makes it raw again.
    p, master, slave, before = start_on_pty(env, ["--bios", env.kernel("idle")])
    try:
        read_until(master, b"idle", 30)
        p.send_signal(signal.SIGTSTP)
        wait_for("minivmm is stopped", lambda: proc_state(p.pid) == "T")
        check(termios.tcgetattr(slave) == before, "stopped by SIGTSTP: the terminal is restored")
        p.send_signal(signal.SIGCONT)
        wait_for("the terminal is raw again", lambda: is_raw(slave))
        check(True, "SIGCONT: the terminal is in raw mode again")
        os.write(master, b"\x01x")
        status = wait_status(p, 10, "Ctrl-A x")
        check(status == EXIT_QUIT, "Ctrl-A x still quits with status 0")
        check(termios.tcgetattr(slave) == before, "the terminal settings are restored")
    finally:
        stop_and_close(p, master, slave)


@test()
def lost_output_is_reported(env):
    # The reader of stdout goes away (`minivmm | head`): what the guest writes
    # afterwards is lost, and minivmm says how much and why at exit.
    p = env.start(["--stats", "--bios", env.kernel("poll_echo")])
    try:
        p.stdin.write(b"abc")
        p.stdin.flush()
        read_until(p.stdout.fileno(), b"ABC", 30)
        p.stdout.close()
        p.stdin.write(b"defg.")
        p.stdin.close()
        status = wait_status(p, 20, "the guest's last echo")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    err = p.stderr.read().decode()
    sys.stdout.write(err)
    check(status == 1, "poll_echo still runs to its end (status 1)", err)
    m = re.search(r"^minivmm: guest output lost: (\d+) bytes \(stdout: Broken pipe\)$", err, re.M)
    check(m is not None and int(m.group(1)) == len(b"DEFG.\n"),
          "one line says the %d bytes echoed after the reader left were lost, and why"
          % len(b"DEFG.\n"), err)
    check(re.search(r"stats: console: 3 bytes written in \d+ write\(2\) calls, 6 lost to a "
                    r"write error", err) is not None, "--stats counts them", err)


def stats_pit(err):
    """The --stats line of the PIT: (delivered, dropped, owed, rises) or None."""
    m = re.search(r"stats: pit: (\d+) IRQ0 ticks delivered, (\d+) dropped, (\d+) owed at exit "
                  r"\((\d+) rising edges of OUT0\)", err)
    return tuple(int(x) for x in m.groups()) if m else None


@test()
def pit_ticks_all_reach_the_guest(env):
    # Counts, not rates (rates are a benchmark: scripts/bench pit): the ticks
    # kernel stops after 2000 IRQ0s and reports its exact count with
    # interrupts off; every tick the PIT put on IRQ0 must have reached its
    # handler exactly once, whatever the load on this machine.
    status, out, err = env.run(["--stats", "--bios", env.kernel("ticks_stop")], timeout=120)
    check("tick: 2 s, 2000 interrupts" in out, "the guest counted its way to 2000 IRQ0", out)
    m = re.search(r"^ticks: stopped after (\d+) interrupts$", out, re.M)
    check(m is not None, "the guest reported its final count", out)
    counted = int(m.group(1))
    check(status == 1, "it exits with status 1", err)
    injected = re.search(r"(\d+) interrupts injected", err)
    check(injected is not None and int(injected.group(1)) == counted,
          "minivmm injected exactly the %d interrupts the guest counted" % counted, err)
    pit = stats_pit(err)
    check(pit is not None, "--stats reports the PIT's ticks", err)
    delivered, dropped, owed, rises = pit
    # Delivered but never taken: at most the tick in flight at the guest's
    # CLI, one discarded by the master's ICW1 (the power-on 18.2 Hz tick),
    # and one of the old rate still in IRR when counter 0 was reprogrammed
    # (the new rate's first tick merges with it).
    check(counted <= delivered <= counted + 3,
          "ticks delivered (%d) = ticks counted (%d), give or take the three a tick can "
          "merge or vanish by (in flight, ICW1, reprogramming)" % (delivered, counted), err)
    inta = re.search(r"stats: pic events: .*\b(\d+) INTA\b", err)
    check(inta is not None and int(inta.group(1)) == counted,
          "the PIC ran exactly one INTA cycle per interrupt counted", err)
    check(delivered + dropped + owed == rises,
          "every rising edge of OUT0 was delivered, dropped or is still owed", err)


@test()
def trace_ticks(env):
    # --trace shows, decoded, what the ticks kernel does to the devices, in
    # order: the PIC's initialisation, the PIT's mode and rate, then IRQ0s
    # injected as vector 0x20.
    # stderr goes to a file: the trace is far more than a pipe holds, and
    # nobody reads it until the end.
    cmd = [env.minivmm, "--trace=pic,pit,irq", "--stats", "--bios", env.kernel("ticks")]
    print("$ " + " ".join(cmd) + "   (stderr to a file)", flush=True)
    with tempfile.TemporaryFile() as errfile:
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errfile)
        try:
            read_until(p.stdout.fileno(), b"tick: 1 s, 1000 interrupts", 120)
        finally:
            p.send_signal(signal.SIGTERM)
            p.communicate(timeout=30)
        errfile.seek(0)
        err = errfile.read().decode(errors="replace")
    lines = err.splitlines()
    print("\n".join(lines[:60]) + "\n...")
    trace = [l for l in lines if l.startswith("minivmm: trace: ")]
    check(len(trace) > 1000, "many trace lines (%d)" % len(trace), err[-2000:])
    check(all(re.match(r"minivmm: trace: +\d+\.\d{6} (-|[0-9a-f]{4}:[0-9a-f]{8}) +\S+ ", l)
              for l in trace), "every line has a timestamp and CS:RIP (or '-')", err[-2000:])

    def first(pattern):
        for i, l in enumerate(trace):
            if re.search(pattern, l):
                return i
        raise Failure("no trace line matches %r" % pattern)

    icw1 = first(r" pic\.master ICW1 0x11 ")
    icw2 = first(r" pic\.master ICW2 0x20 \(IRQ0-7 -> vectors 0x20-0x27\)")
    slave = first(r" pic\.slave ICW2 0x28 ")
    check(icw1 < icw2, "the master's ICW1 comes before its ICW2")
    check(re.search(r" [0-9a-f]{4}:[0-9a-f]{8} +pic\.master ICW1", trace[icw1]) is not None,
          "the ICW1 line says where the guest was (CS:RIP)", trace[icw1])
    pit = first(r" pit\.ch0 mode 2 \(rate generator\) count 1193 \(1000\.2 Hz\)")
    unmask = first(r" pic\.master OCW1 IMR 0x[0-9a-f]{2} -> 0xfe")
    inj = first(r" irq 0 -> vector 0x20 injected")
    check(slave < pit < inj and unmask < inj,
          "PIC initialised, PIT programmed and IRQ0 unmasked before the first IRQ0 injected")
    eoi = first(r" pic\.master OCW2 non-specific EOI \(ISR 01 -> 00\)")
    check(inj < eoi, "the handler's EOI is decoded, after the injection")
    # Counts come from --stats, which sees every event.  A trace line may be
    # dropped by design when stderr can't keep up, and minivmm then says how
    # many were: the traced injections plus those are at least the count.
    injected = re.search(r"stats: irq events: .*\b(\d+) injected\b", err)
    check(injected is not None and int(injected.group(1)) >= 1000,
          "--stats: at least 1000 interrupts injected", err[-2000:])
    injected = int(injected.group(1))
    dropped = re.search(r"trace: (\d+) events were not printed", err)
    dropped = int(dropped.group(1)) if dropped else 0
    traced = len([l for l in trace if " irq 0 -> vector 0x20 injected" in l])
    check(injected - dropped <= traced <= injected,
          "every injection counted was traced (%d traced, %d counted, %d trace lines dropped)"
          % (traced, injected, dropped), err[-2000:])
    pit_stats = stats_pit(err)
    check(pit_stats is not None and pit_stats[0] >= 1000, "--stats: the PIT delivered >= 1000 ticks",
          err[-2000:])
    ev = re.search(r"stats: pic events: (.*)", err)
    check(ev is not None and re.search(r"\b(\d+) INTA\b", ev.group(1)) is not None
          and int(re.search(r"\b(\d+) INTA\b", ev.group(1)).group(1)) == injected,
          "--stats counts the PIC's events, INTA cycles among them", err[-2000:])


@test()
def echo_interrupt_driven(env):
    status, out, err = env.run(["--stats", "--bios", env.kernel("echo")],
                               stdin=b"hello, interrupts\n\x04", timeout=60)
    check(out.startswith("minivmm demo:"), "the banner says what to type", out)
    check("hello, interrupts\n" in out, "typed text came back", out)
    m = re.search(r"^uptime: \d+\.\d\d s, (\d+) timer interrupts, (\d+) serial interrupts$",
                  out, re.M)
    check(m is not None, "Enter printed the uptime line", out)
    check(int(m.group(2)) > 0, "input arrived through the UART's receive interrupt", out)
    check("bye" in out and status == 1, "Ctrl-D ends with status 1", err)
    injected = re.search(r"(\d+) interrupts injected", err)
    check(injected is not None and int(injected.group(1)) > 0, "--stats counts injections", err)


def summary_kernel(env, name, tests, what, args=()):
    """Run a kernel that reports PASS/FAIL lines and a SUMMARY, then exits."""
    status, out, err = env.run(list(args) + ["--bios", env.kernel(name)], timeout=60)
    check("FAIL" not in out, "no FAIL line", out)
    check("SUMMARY: %d tests, 0 failures" % tests in out, "all %d %s" % (tests, what), out)
    check(status == 1, "%s exits with status 1" % name, err)


@test()
def irq_lab(env):
    # The test device raises its interrupts: only there with --testdev.
    summary_kernel(env, "irq_lab", 33, "PIC experiments passed", ["--testdev"])


@test()
def linux_style_probes(env):
    status, out, err = env.run(["--bios", env.kernel("probes")], timeout=60)
    check("FAIL" not in out, "no FAIL line", out)
    for line in ("PASS: 16550A: FCR 0x01 makes IIR bits 7:6 read 11 (16550A)",
                 "PASS: 8259A: master IMR 0xfb reads back 0xfb (probe_8259A)",
                 "PASS: 8254: OUT2 goes high at terminal count"):
        check(line in out, line[6:], out)
    check(status == 1, "probes exits with status 1", err)


@test()
def pic_init_with_line_high(env):
    # A request line already high when the PIC is initialised needs a new
    # low-to-high transition (8259A data sheet, ICW1); the 16550's line is
    # gated by OUT2 as on a PC.  QEMU differs in four variants, for reasons
    # the kernel's header explains.
    summary_kernel(env, "pic_init_line_high", 11, "variants behave as the data sheet says")


@test()
def hlt_sleeps_without_busy_waiting(env):
    p = env.start(["--bios", env.kernel("idle")])
    try:
        read_until(p.stdout.fileno(), b"idle", 30)
        with open("/proc/%d/stat" % p.pid) as f:
            before = sum(int(x) for x in f.read().rsplit(")", 1)[1].split()[11:13])
        time.sleep(2)
        with open("/proc/%d/stat" % p.pid) as f:
            after = sum(int(x) for x in f.read().rsplit(")", 1)[1].split()[11:13])
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=10)
    ticks = os.sysconf("SC_CLK_TCK")
    used = (after - before) / ticks
    check(used < 0.2, "a halted guest costs no CPU (%.2f s of CPU in 2 s)" % used)


def thread_status(pid, field):
    """{tid: value} of one /proc/PID/task/TID/status field, e.g. Seccomp."""
    values = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
            for line in f:
                if line.startswith(field + ":"):
                    values[int(tid)] = line.split()[1]
    return values


def sanitizers(env):
    """What the build was configured with (meson's b_sanitize): '' for none."""
    import json
    try:
        with open(os.path.join(env.build, "meson-info", "intro-buildoptions.json")) as f:
            options = json.load(f)
    except (OSError, ValueError):
        return ""
    value = next((o["value"] for o in options if o["name"] == "b_sanitize"), "none")
    return "" if value == "none" else value


@test()
def seccomp_filters_both_threads(env):
    # After setup each thread installs its own allow-list (vmm/sandbox.c):
    # seccomp mode 2 (filter) and no_new_privs on the loop and the vCPU
    # thread; --no-seccomp leaves both as they were, and so does a build
    # with ASan or TSan (DEVELOPERS.md says why).
    on = ("2", "1")
    if any(s in sanitizers(env) for s in ("address", "thread", "memory")):
        print("(a %s build: minivmm runs without its filters)" % sanitizers(env))
        on = ("0", "0")
    for args, (mode, nnp) in (([], on), (["--no-seccomp"], ("0", "0"))):
        p = env.start(args + ["--bios", env.kernel("idle")])
        try:
            read_until(p.stdout.fileno(), b"idle", 30)
            seccomp = thread_status(p.pid, "Seccomp")
            no_new_privs = thread_status(p.pid, "NoNewPrivs")
        finally:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=10)
        what = " ".join(args) or "by default"
        check(len(seccomp) == 2, "two threads (%s)" % what, str(seccomp))
        check(set(seccomp.values()) == {mode}, "Seccomp: %s on both threads %s" % (mode, what),
              str(seccomp))
        check(set(no_new_privs.values()) == {nnp},
              "NoNewPrivs: %s on both threads %s" % (nnp, what), str(no_new_privs))


@test()
def runs_as_a_user_in_the_kvm_group(env):
    # Read and write on /dev/kvm is all minivmm needs: udev makes it root:kvm
    # 0660, so a user in the kvm group runs it.  Root can test that (the
    # nested route runs us as root, on its own throwaway /dev/kvm).
    import grp
    if os.geteuid() != 0 or not os.environ.get("MINIVMM_IN_NESTED"):
        print("(not root on a throwaway /dev/kvm: running as this user, uid %d)" % os.getuid())
        status, out, err = env.run(["--bios", env.kernel("pm32")])
        check(status == 1 and "PASS" in out, "pm32 runs as uid %d" % os.getuid(), err)
        return
    try:
        kvm_gid = grp.getgrnam("kvm").gr_gid
    except KeyError:
        kvm_gid = 4242      # no kvm group here: any group that owns /dev/kvm will do
    os.chown("/dev/kvm", 0, kvm_gid)
    os.chmod("/dev/kvm", 0o660)
    nobody = ["setpriv", "--reuid=65534", "--regid=65534"]
    cmd = nobody + ["--groups=%d" % kvm_gid, "--", env.minivmm, "--bios", env.kernel("pm32")]
    print("$ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    check(p.returncode == 1 and b"PASS" in p.stdout,
          "pm32 runs as nobody with the kvm group and /dev/kvm root:kvm 0660",
          p.stderr.decode(errors="replace"))
    cmd = nobody + ["--clear-groups", "--", env.minivmm, "--bios", env.kernel("pm32")]
    print("$ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    one_error_line(p.stderr.decode(errors="replace"), p.returncode, EXIT_SETUP,
                   ["/dev/kvm", "Permission denied", "kvm group"])


# ---- bad input: no KVM needed, minivmm refuses before touching it ----------------

@test(needs_kvm=False)
def missing_image(env):
    status, _, err = env.run(["--bios", "/nonexistent/kernel.bin"])
    one_error_line(err, status, EXIT_SETUP, ["/nonexistent/kernel.bin", "No such file"])


@test(needs_kvm=False)
def wrong_size_image(env):
    path = os.path.join(env.build, "tests", "wrong-size.bin")
    with open(path, "wb") as f:
        f.write(b"\xf4" * 1000)
    status, _, err = env.run(["--bios", path])
    one_error_line(err, status, EXIT_SETUP, ["1000 bytes", "64 KiB"])
    empty = os.path.join(env.build, "tests", "empty.bin")
    open(empty, "wb").close()
    status, _, err = env.run(["--bios", empty])
    one_error_line(err, status, EXIT_SETUP, ["0 bytes"])


@test(needs_kvm=False)
def unknown_option(env):
    status, _, err = env.run(["--frobnicate"])
    one_error_line(err, status, EXIT_SETUP, ["unknown option", "--frobnicate"])
    status, _, err = env.run(["--bios"])
    one_error_line(err, status, EXIT_SETUP, ["needs a value"])
    status, _, err = env.run(["stray.bin"])
    one_error_line(err, status, EXIT_SETUP, ["unexpected argument", "stray.bin"])


@test(needs_kvm=False)
def bad_memory_size(env):
    for value in ("0", "lots", "4G", "512K", "-1"):
        status, _, err = env.run(["--memory", value])
        one_error_line(err, status, EXIT_SETUP, ["--memory", value])


@test(needs_kvm=False)
def no_kvm_message(env):
    # What a user without KVM sees, without hiding /dev/kvm (a mount namespace
    # is not available everywhere): point minivmm at a KVM device that does
    # not exist.
    status, _, err = env.run(["--kvm-device", "/nonexistent/kvm"])
    one_error_line(err, status, EXIT_SETUP, ["/nonexistent/kvm", "does not exist", "scripts/run"])
    # And at something that is not a KVM device at all.
    status, _, err = env.run(["--kvm-device", "/dev/null"])
    one_error_line(err, status, EXIT_SETUP, ["/dev/null", "not a KVM device"])


@test(needs_kvm=False)
def bad_trace_list(env):
    status, _, err = env.run(["--trace=pic,bogus"])
    one_error_line(err, status, EXIT_SETUP, ["--trace", "bogus", "pic, pit, uart, irq, io, rtc, all"])
    status, _, err = env.run(["--trace="])
    one_error_line(err, status, EXIT_SETUP, ["--trace"])


def run_quietly(env, args, timeout=10, **stdio):
    """Run minivmm with the given stdio (fds or PIPE); returns (status, stderr text)."""
    cmd = [env.minivmm] + args
    print("$ " + " ".join(cmd), flush=True)
    stdio.setdefault("stdin", subprocess.DEVNULL)
    stdio.setdefault("stdout", subprocess.DEVNULL)
    stdio.setdefault("stderr", subprocess.PIPE)
    try:
        p = subprocess.run(cmd, timeout=timeout, **stdio)
    except subprocess.TimeoutExpired:
        raise Failure("minivmm did not stop within %d s" % timeout)
    err = (p.stderr or b"").decode(errors="replace")
    sys.stdout.write("--- stderr ---\n%s--- exit status %d ---\n" % (err, p.returncode))
    return p.returncode, err


@test(needs_kvm=False, timeout=30)
def bios_fifo(env):
    # Opening a FIFO for reading waits for a writer; minivmm must not.
    path = os.path.join(env.build, "tests", "bios-fifo")
    if os.path.lexists(path):
        os.unlink(path)
    os.mkfifo(path)
    try:
        status, _, err = env.run(["--bios", path], timeout=10)
    finally:
        os.unlink(path)
    one_error_line(err, status, EXIT_SETUP, [path, "is a FIFO"])


@test(needs_kvm=False)
def bios_directory(env):
    path = os.path.join(env.build, "tests")
    status, _, err = env.run(["--bios", path])
    one_error_line(err, status, EXIT_SETUP, [path, "is a directory"])


@test(needs_kvm=False)
def bios_char_device(env):
    for path in ("/dev/null", "/dev/zero"):
        status, _, err = env.run(["--bios", path], timeout=10)
        one_error_line(err, status, EXIT_SETUP, [path, "is a character device"])


@test(needs_kvm=False)
def bios_socket(env):
    import socket
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "sock")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.bind(path)
            status, _, err = env.run(["--bios", path])
        finally:
            s.close()
    one_error_line(err, status, EXIT_SETUP, [path, "is a socket"])


@test(needs_kvm=False)
def memory_size_exact_forms(env):
    # strtoull() would take leading spaces and signs; only the documented
    # DIGITS[K|M|G[iB|B]] forms are sizes.
    for value in (" -18446744073709550592", "16iB", " 16", "+16", "16 M", "", "16B", "16M ",
                  "0x10", "16Mi", "99999999999999999999999", "18014398509481984M"):
        status, _, err = env.run(["--memory", value])
        one_error_line(err, status, EXIT_SETUP, ["--memory '%s'" % value])
    # The documented forms get past the options (and stop at the missing KVM).
    for value in ("16", "16M", "16MiB", "16MB", "16m", "1024K", "1G", "1GiB", "3G"):
        status, _, err = env.run(["--memory", value, "--kvm-device", "/nonexistent/kvm"])
        one_error_line(err, status, EXIT_SETUP, ["/nonexistent/kvm", "does not exist"])


@test(needs_kvm=False)
def closed_stdout(env):
    # A closed fd 1 must not be taken over by whatever minivmm opens next.
    status, err = run_quietly(env, ["--kvm-device", "/nonexistent/kvm"],
                              stdout=None, preexec_fn=lambda: os.close(1))
    one_error_line(err, status, EXIT_SETUP, ["/nonexistent/kvm", "does not exist"])


@test(needs_kvm=False)
def vanished_reader(env):
    # Like `minivmm --frobnicate 2>&1 | true`: the reader is gone before the
    # error is written.  That is EPIPE, not a SIGPIPE death (status 141).
    r, w = os.pipe()
    os.close(r)
    try:
        status, _ = run_quietly(env, ["--frobnicate"], stderr=w)
    finally:
        os.close(w)
    check(status == EXIT_SETUP, "an error to a vanished stderr reader exits %d (got %d%s)"
          % (EXIT_SETUP, status, ", killed by SIGPIPE" if status == -signal.SIGPIPE else ""))
    # --help to a vanished stdout reader is an error too, said on stderr.
    r, w = os.pipe()
    os.close(r)
    try:
        status, err = run_quietly(env, ["--help"], stdout=w)
    finally:
        os.close(w)
    one_error_line(err, status, EXIT_SETUP, ["help", "Broken pipe"])


# ---- the debug console (port 0xe9) and the shutdown ports ----------------------------

DEBUGCON_TEXT = (b"debugcon: hello from port 0xe9\n"     # one OUT per byte
                 b"debugcon: rep outsb works too\n"     # one REP OUTSB
                 b".!\n")                               # outw, outl: only the low byte


def debugcon_checks(out, status, err, expected_status, how):
    check("FAIL" not in out, "no FAIL line", out)
    check("PASS: inb 0xe9 reads 0xe9" in out, "a read of port 0xe9 returns 0xe9", out)
    check("PASS: inw 0xe9 reads 0xe9 in its low byte" in out,
          "an inw reads 0xe9 in its low byte (the port is one byte wide)", out)
    check(status == expected_status, "exit status %d (%s)" % (expected_status, how), err)


@test()
def debugcon_to_stderr(env):
    status, out, err = env.run(["--bios", env.kernel("debugcon_shutdown")])
    debugcon_checks(out, status, err, 1, "the kernel's debug-exit 0")
    check(err.startswith(DEBUGCON_TEXT.decode()),
          "stderr starts with exactly the bytes written to port 0xe9", err)
    check(DEBUGCON_TEXT.decode() not in out, "none of them on the serial console", out)


@test()
def debugcon_to_file(env):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "debugcon.out")
        with open(path, "wb") as f:
            f.write(b"old contents, longer than what the guest writes " * 10)
        os.chmod(path, 0o600)
        status, out, err = env.run(["--stats", "--debugcon", path,
                                    "--bios", env.kernel("debugcon_shutdown")])
        debugcon_checks(out, status, err, 1, "the kernel's debug-exit 0")
        with open(path, "rb") as f:
            got = f.read()
        check(got == DEBUGCON_TEXT, "--debugcon FILE holds exactly the bytes written to port "
              "0xe9 (the file was truncated first)", repr(got))
        check(DEBUGCON_TEXT.decode() not in err, "and stderr does not", err)
        check("minivmm: stats: debugcon: %d bytes from the guest, %d written to %s, 0 lost"
              % (len(DEBUGCON_TEXT), len(DEBUGCON_TEXT), path) in err,
              "--stats counts the bytes, none lost", err)
        # A new file gets mode 0644 (less the umask), as QEMU's file: chardev.
        new = os.path.join(tmp, "new.out")
        old_umask = os.umask(0o022)
        try:
            status, out, err = env.run(["--debugcon", new, "--bios", env.kernel("debugcon_shutdown")])
        finally:
            os.umask(old_umask)
        check(status == 1 and os.stat(new).st_mode & 0o777 == 0o644,
              "a new --debugcon file is created with mode 0644", oct(os.stat(new).st_mode))
        # One that cannot be opened is a setup error, before the guest runs.
        status, out, err = env.run(["--debugcon", tmp, "--bios", env.kernel("debugcon_shutdown")])
        one_error_line(err, status, EXIT_SETUP, ["--debugcon", tmp])


def poweroff_by(env, variant, message):
    status, out, err = env.run(["--stats", "--bios", env.kernel("debugcon_shutdown_" + variant)])
    debugcon_checks(out, status, err, 0, "powered off")
    check("FAIL: still running" not in out, "the power-off write stopped the guest", out)
    check(err.startswith(DEBUGCON_TEXT.decode()), "the debug console's bytes came first", err)
    check("minivmm: guest powered the machine off (%s)" % message in err,
          "the exit message names the port (%s)" % message, err)


@test()
def poweroff_qemu_port_0x604(env):
    # QEMU's shutdown port is our own ACPI PM1_CNT.
    poweroff_by(env, "qemu", "ACPI S5")


@test()
def poweroff_bochs_port_0xb004(env):
    poweroff_by(env, "bochs", "Bochs port 0xb004")


@test()
def poweroff_virtualbox_port_0x4004(env):
    poweroff_by(env, "vbox", "VirtualBox port 0x4004")


def unclaimed_ports(err):
    m = re.search(r"^minivmm: stats: unclaimed port accesses: (\d+) reads, (\d+) writes"
                  r"(?: \(last at 0x([0-9a-f]+)\))?$", err, re.M)
    check(m is not None, "--stats counts unclaimed port accesses", err)
    return int(m.group(1)), int(m.group(2)), m.group(3)


@test()
def testdev_only_when_asked(env):
    # Without --testdev, the kernel's accesses to the test device's ports
    # (in 0xe0, out 0xe8, out 0x2003) float, as do the high bytes of its
    # outw/outl/inw at 0xe9 (ports 0xea-0xec): 2 reads, 6 writes.
    status, out, err = env.run(["--stats", "--bios", env.kernel("debugcon_shutdown")])
    check(status == 1, "the kernel passes without the test device", err)
    check("testdev scratch at 0xe0 = 0xffffffff" in out, "port 0xe0 floats (reads all-ones)", out)
    check(unclaimed_ports(err) == (2, 6, "2003"),
          "2 unclaimed reads and 6 unclaimed writes, the last at 0x2003", err)
    # With it, the test device answers at 0xe0, 0xe8, 0xea-0xeb and 0x2003;
    # the debug console keeps 0xe9, and only the outl's top byte at 0xec floats.
    status, out, err = env.run(["--stats", "--testdev", "--bios", env.kernel("debugcon_shutdown")])
    check(status == 1, "the kernel passes with the test device", err)
    check(err.startswith(DEBUGCON_TEXT.decode()), "port 0xe9 is still the debug console", err)
    check("testdev scratch at 0xe0 = 0x5a5a0000" in out,
          "the scratch register holds the bytes the outw/outl spilled into 0xea-0xeb", out)
    check(unclaimed_ports(err) == (0, 1, "ec"), "only the write to port 0xec is unclaimed", err)


@test(timeout=240)
def debugcon_never_waits_for_stderr(env):
    # stderr is a pipe of 4 KiB that nobody reads while the guest writes
    # 96 KiB to port 0xe9: more than the pipe and minivmm's 64 KiB queue
    # hold.  The guest must run on (it prints its result on COM1 and exits)
    # without waiting for the reader; the bytes that found no room are
    # lost, counted and reported.  (Slow on the nested route: KVM emulates
    # each byte of a REP OUTSB there, ~150 us.)
    flood = 3 * 0x8000
    r, w = os.pipe()
    fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, 4096)
    cmd = [env.minivmm, "--stats", "--bios", env.kernel("debugcon_shutdown_flood")]
    print("$ " + " ".join(cmd) + " 2>(a pipe read only after the guest is done)", flush=True)
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=w)
    os.close(w)
    try:
        out = read_until(p.stdout.fileno(), b"done, exit through port 0xf4\n", 180).decode()
        check("PASS: inb 0xe9 reads 0xe9" in out and "FAIL" not in out,
              "the guest finished while nobody read stderr", out)
        err = b""
        while True:
            chunk = os.read(r, 65536)
            if not chunk:
                break
            err += chunk
        status = p.wait(timeout=30)
    finally:
        os.close(r)
        if p.poll() is None:
            p.kill()
            p.wait()
    text = err.decode(errors="replace")
    tail = text[-3000:]
    check(status == 1, "exit status 1 (got %d)" % status, tail)
    check(err.startswith(DEBUGCON_TEXT), "the first bytes are the guest's, in order", tail)
    m = re.search(r"^minivmm: stats: debugcon: (\d+) bytes from the guest, (\d+) written to "
                  r"stderr, (\d+) lost \((\d+) queue full, 0 write error, 0 not written at exit\)",
                  text, re.M)
    check(m is not None, "--stats has the debugcon line", tail)
    total, written, lost, full = (int(g) for g in m.groups())
    check(total == len(DEBUGCON_TEXT) + flood, "every byte the guest wrote was counted", tail)
    check(lost > 0 and lost == full and written + lost == total,
          "what found no room was lost and counted, the rest written", tail)
    check(("minivmm: debugcon: %d bytes the guest wrote to port 0xe9 were lost: %d while "
           "stderr could not keep up\n" % (lost, lost)) in text,
          "one line at exit says how many bytes were lost", tail)


# ---- running: pick the route ---------------------------------------------------------

def main():
    if sys.argv[1:] == ["--list"]:
        print("\n".join(TESTS))
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("test", choices=sorted(TESTS))
    args = ap.parse_args()
    fn, needs_kvm, timeout = TESTS[args.test]
    env = Env(args.build_dir)

    route = os.environ.get("MINIVMM_TEST_ROUTE", "auto")
    if needs_kvm and not os.environ.get("MINIVMM_IN_NESTED"):
        usable, why = kvm_usable()
        if route == "nested" or (route == "auto" and not usable):
            if route == "auto":
                print("no usable /dev/kvm here (%s): running this test on real KVM inside "
                      "a throwaway Linux under QEMU (tests/nested_kvm.py)" % why, flush=True)
            os.environ["MINIVMM_IN_NESTED"] = "1"
            cmd = [sys.executable, os.path.join(HERE, "nested_kvm.py"),
                   "--timeout", str(timeout + 120), "--",
                   sys.executable, os.path.abspath(sys.argv[0]), "--build-dir", env.build,
                   args.test]
            status = subprocess.call(cmd, stdin=subprocess.DEVNULL)
            if status == NESTED_ROUTE_FAILED:
                print("FAIL: %s: the nested KVM route failed (see above); no KVM to test on"
                      % args.test)
            return status
        if not usable and route != "direct":
            print("FAIL: %s needs KVM: %s" % (args.test, why))
            return 1
    if needs_kvm:
        usable, why = kvm_usable()
        print("running on KVM here%s: %s" % (" (forced)" if route == "direct" else "", why),
              flush=True)
    try:
        fn(env)
    except Failure as e:
        print("FAIL: %s: %s" % (args.test, e))
        return 1
    print("PASS: %s" % args.test)
    return 0


if __name__ == "__main__":
    sys.exit(main())
