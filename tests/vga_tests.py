#!/usr/bin/env python3
"""VGA guest tests: --vga puts the text screen and the PS/2 keyboard on the terminal.

    vga_tests.py --build-dir BUILD TEST

The test kernel (tests/kernels/vga_hello.asm) writes coloured text to 0xB8000, moves the
CRTC cursor, and reports every scan code IRQ1 brings on COM1, which these tests send to a
file with --serial.  minivmm runs on a pty as a person would use it; the tests read the ANSI
sequences it draws, type on the pty and read the scan codes back from the file.  The route
(real KVM here, or inside a throwaway Linux under QEMU) is guest_tests.py's, whose harness
this file shares.  Nothing here measures time: every wait is a hang guard.
"""

import os
import select
import sys
import tempfile
import termios
import time

import guest_tests as gt
import hobby_tests
from guest_tests import EXIT_QUIT, EXIT_SETUP, Failure, check, test

HANG_GUARD = 60         # seconds; a bound on a hang, never a figure anyone checks


class Session:
    """minivmm --vga on a pty, COM1 in a file: what it drew and what the guest said."""

    def __init__(self, env, extra=()):
        self.tmp = tempfile.TemporaryDirectory(prefix="minivmm-vga-")
        self.serial = os.path.join(self.tmp.name, "com1.txt")
        args = ["--vga", "--serial", self.serial, "--bios", env.kernel("vga_hello")] + list(extra)
        self.p, self.master, self.slave, self.before = gt.start_on_pty(env, args)
        self.screen = b""

    def serial_text(self):
        try:
            with open(self.serial, "rb") as f:
                return f.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def pump(self, what, cond, timeout=HANG_GUARD):
        """Read the pty (so minivmm's output never stalls) until cond() holds."""
        deadline = time.monotonic() + timeout
        while not cond():
            left = deadline - time.monotonic()
            if left <= 0 or self.p.poll() is not None:
                raise Failure("%s %s; screen bytes so far:\n%r\n--- serial ---\n%s"
                              % ("minivmm exited before" if self.p.poll() is not None
                                 else "timed out waiting until", what, self.screen[-3000:],
                                 self.serial_text()))
            ready, _, _ = select.select([self.master], [], [], min(left, 0.1))
            if ready:
                try:
                    self.screen += os.read(self.master, 65536)
                except OSError:
                    pass

    def type(self, data):
        os.write(self.master, data)

    def finish(self, timeout=HANG_GUARD):
        """Wait for minivmm to end, draining the pty; returns (status, stderr)."""
        self.pump("minivmm exits", lambda: self.p.poll() is not None, timeout)
        # What it wrote last (the frame and the terminal's restoration).
        while select.select([self.master], [], [], 0.2)[0]:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                break
            if not chunk:
                break
            self.screen += chunk
        err = self.p.stderr.read().decode(errors="replace")
        sys.stdout.write("--- serial ---\n%s--- stderr ---\n%s--- exit status %d ---\n"
                         % (self.serial_text(), err, self.p.returncode))
        return self.p.returncode, err

    def close(self):
        gt.stop_and_close(self.p, self.master, self.slave)
        self.tmp.cleanup()


@test()
def vga_screen_and_keyboard(env):
    s = Session(env)
    try:
        s.pump("the guest is ready", lambda: "vga_hello: ready" in s.serial_text())
        # Read as a terminal shows it: how the redraws split the text into frames, and so
        # where the cursor moves and SGRs go, depends on the host's speed.
        def term():
            t = hobby_tests.Screen()
            t.feed(s.screen)
            return t
        s.pump("the red-on-blue text is drawn",
               lambda: term().styles_of("Hello, VGA") == {"0;31;44"})
        check(True, "'Hello, VGA' red on blue arrives as SGR 31;44 (VGA 0x14)")
        s.pump("the CP437 box corner is drawn",
               lambda: term().styles_of("CP437: \u2554\u2550\u2557") == {"0;93;40"})
        check(all(g.encode() in s.screen for g in "\u2554\u2550\u2557"),
              "yellow on black (VGA 0x0e) is SGR 93;40, CP437 0xc9 0xcd 0xbb as UTF-8")
        # The cursor: CRTC location 2 * 80 + 5 -> row 3, column 6 (1-based), shown.
        s.pump("the cursor is placed", lambda: (lambda t: (t.y, t.x, t.cursor_shown))(term())
               == (2, 5, True))
        check(True, "the cursor lands where the CRTC says (row 2, column 5) and is shown")
        check(b"\x1b[2J" in s.screen, "the first frame cleared the screen")

        for keys, codes, what in ((b"a", ["1e", "9e"], "'a' is make 1e, break 9e"),
                                  (b"\r", ["1c", "9c"], "Enter is 1c 9c"),
                                  (b"\x1b[A", ["e0", "48", "e0", "c8"], "Up is e0 48 e0 c8")):
            expect = "".join("key %s\n" % c for c in codes)
            s.type(keys)
            s.pump("the guest reports " + what, lambda: expect in s.serial_text())
            check(True, what + " on the guest's keyboard")
        s.pump("the codes are on the screen", lambda: "e0 48 e0 c8" in term().text())
        check(s.serial_text().count("key ") == 8, "no other scan code arrived",
              s.serial_text())
        s.type(b"\x01x")
        status, err = s.finish()
        check(status == EXIT_QUIT, "Ctrl-A x quits with status 0 (got %d)" % status, err)
        check(termios.tcgetattr(s.slave) == s.before, "the terminal settings are restored")
        tail = s.screen[-200:]
        check(b"\x1b[0m\x1b[25;1H\r" in tail and tail.endswith(b"\n\x1b[?25h"),
              "the terminal is left with attributes reset, the cursor shown below the screen",
              repr(tail))
    finally:
        s.close()


@test()
def vga_esc_key(env):
    # A lone ESC waits for the rest of a sequence; with nothing after it, it is the Esc key
    # (make 01), and the kernel ends on it with V = 0.
    s = Session(env)
    try:
        s.pump("the guest is ready", lambda: "vga_hello: ready" in s.serial_text())
        s.type(b"\x1b")
        status, err = s.finish()
        check("key 01\n" in s.serial_text(), "Esc arrives as make code 01", s.serial_text())
        check(status == 1, "the guest exits through port 0xf4 with V = 0 (got %d)" % status, err)
        check(termios.tcgetattr(s.slave) == s.before, "the terminal settings are restored")
    finally:
        s.close()


@test()
def vga_refuses_serial_stdio(env):
    status, out, err = env.run(["--vga", "--serial", "stdio", "--bios", env.kernel("vga_hello")],
                               timeout=HANG_GUARD)
    gt.one_error_line(err, status, EXIT_SETUP, ["--serial stdio", "--vga"])


@test()
def serial_to_a_file_without_vga(env):
    # Without --vga, --serial FILE sends COM1 to the file and leaves stdout alone.
    with tempfile.TemporaryDirectory(prefix="minivmm-serial-") as tmp:
        path = os.path.join(tmp, "com1.txt")
        with open(path, "w") as f:
            f.write("before\n")
        status, out, err = env.run(["--serial", path, "--bios", env.kernel("real16")],
                                   timeout=HANG_GUARD)
        with open(path) as f:
            text = f.read()
        check(status == 1, "real16 passes (status 1, got %d)" % status, err)
        check(text.startswith("before\n") and "PASS" in text,
              "its output is appended to the file", text)
        check(out == "", "nothing goes to stdout", out)


if __name__ == "__main__":
    # The registry holds guest_tests.py's tests too: run and list only ours.
    for name in [n for n, (fn, _, _) in gt.TESTS.items() if fn.__module__ != __name__]:
        del gt.TESTS[name]
    sys.exit(gt.main())
