#!/usr/bin/env python3
"""Linux guest tests: boot Debian's own kernel on minivmm's devices and check what a user sees.

    linux_tests.py --build-dir BUILD TEST
    linux_tests.py --make-initramfs FILE      (the tests' initramfs, to boot by hand)

Each test builds a tiny initramfs at run time (Debian's static busybox and an /init written
here), boots the distribution kernel (MINIVMM_LINUX_KERNEL, or the newest /boot/vmlinuz-*) with
`minivmm --kernel --initrd`, and drives its shell on ttyS0 through stdin and stdout, as a person
at the terminal would.  The route (real KVM here, or inside a throwaway Linux under QEMU) is
guest_tests.py's, whose harness this file shares.
"""

import calendar
import glob
import os
import re
import select
import stat
import subprocess
import sys
import tempfile
import time

import guest_tests as gt
from guest_tests import Failure, check, test
import nested_kvm

# The shell's prompt; the test reads up to it after each command.
PROMPT = b"minivmm-linux# "
# Kernel arguments of every boot: the default line (see `minivmm --help`) and `quiet`, which
# keeps the boot log off the console (each byte is several exits; dmesg still has all of it).
BASE_APPEND = "console=ttyS0 noapic nolapic pci=off quiet"
BOOT_TIMEOUT = 300      # a hang guard for the nested route, not a figure anyone checks

INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
export PS1='minivmm-linux# '
echo "minivmm-init: up"
exec sh
"""


def find_kernel():
    path = os.environ.get("MINIVMM_LINUX_KERNEL")
    if path:
        return path
    kernels = sorted(glob.glob("/boot/vmlinuz-*"), key=nested_kvm.version_key)
    if not kernels:
        raise Failure("no Linux kernel in /boot: scripts/install-deps nested installs "
                      "linux-image-amd64 (or set MINIVMM_LINUX_KERNEL)")
    return kernels[-1]


def build_initramfs(path):
    """A newc cpio: static busybox as /bin/busybox and our /init, nothing else."""
    busybox = nested_kvm.find_busybox()
    with open(busybox, "rb") as f:
        bb = f.read()
    d = stat.S_IFDIR | 0o755
    entries = [("dev", d, None, (0, 0)),
               ("dev/console", stat.S_IFCHR | 0o600, None, (5, 1)),
               ("proc", d, None, (0, 0)), ("sys", d, None, (0, 0)), ("bin", d, None, (0, 0)),
               ("bin/busybox", stat.S_IFREG | 0o755, bb, (0, 0)),
               ("init", stat.S_IFREG | 0o755, INIT.encode(), (0, 0))]
    with open(path, "wb") as f:
        f.write(nested_kvm.cpio_newc(entries))


class Linux:
    """A booted Linux guest whose shell on ttyS0 we drive through minivmm's stdio."""

    def __init__(self, env, append="", extra_args=()):
        self.tmp = tempfile.TemporaryDirectory(prefix="minivmm-linux-")
        self.initrd = os.path.join(self.tmp.name, "initrd.cpio")
        build_initramfs(self.initrd)
        self.kernel = find_kernel()
        args = ["--kernel", self.kernel, "--initrd", self.initrd, "--memory", "256M",
                "--append", (BASE_APPEND + " " + append).strip(), "--stats"] + list(extra_args)
        self.p = env.start(args)
        self.log = b""
        self.pending = b""
        self.t0 = time.monotonic()
        self.read_to(PROMPT, BOOT_TIMEOUT)
        self.boot_s = time.monotonic() - self.t0
        print("booted to a shell in %.1f s" % self.boot_s, flush=True)

    def read_to(self, needle, timeout):
        """Consume the guest's output up to and including `needle`; returns that part.
        What arrived after it stays in self.pending for the next call."""
        # A hang guard, not a measurement: it fires once the deadline has passed AND the
        # output stayed silent through that many one-second waits, so that a jump of the
        # clock (seen once in the nested Linux under a loaded host) cannot fire it early.
        deadline = time.monotonic() + timeout
        silent_waits = 0
        while needle not in self.pending:
            ready = select.select([self.p.stdout], [], [], 1.0)[0]
            chunk = os.read(self.p.stdout.fileno(), 65536) if ready else None
            if chunk is None:
                silent_waits += 1
                if time.monotonic() < deadline or silent_waits < min(timeout, 60):
                    continue
            if not chunk:
                self.p.kill()
                err = self.p.stderr.read().decode(errors="replace")
                raise Failure("%s waiting for %r; the last output was %r\n--- minivmm stderr "
                              "---\n%s" % ("timed out" if chunk is None else "output ended",
                                           needle, self.pending[-300:], err))
            self.pending += chunk
        end = self.pending.index(needle) + len(needle)
        got, self.pending = self.pending[:end], self.pending[end:]
        self.log += got
        return got

    def sh(self, command, timeout=120):
        """Run a shell command; returns its output (without the echo of the command line)."""
        # The markers are split in the command so that the terminal's echo of
        # it (wrapped at 80 columns by the shell's line editor) never matches.
        self.p.stdin.write(b"echo '@@'BEGIN; " + command.encode() + b"; echo '@@'DONE\n")
        self.p.stdin.flush()
        got = self.read_to(b"@@DONE\r\n", timeout)
        self.read_to(PROMPT, timeout)
        text = got.decode(errors="replace").replace("\r", "")
        out = text.split("@@BEGIN\n", 1)[-1].rsplit("@@DONE\n", 1)[0].rstrip("\n")
        print("$ %s\n%s" % (command, out), flush=True)
        return out

    def finish(self, command, timeout=120):
        """Type the command that ends the guest; returns (status, stderr)."""
        self.p.stdin.write(command.encode() + b"\n")
        self.p.stdin.flush()
        try:
            rest, err = self.p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rest, err = self.p.communicate()
            raise Failure("minivmm did not stop after %r; output:\n%s" %
                          (command, (self.log + rest).decode(errors="replace")[-3000:]))
        rest = self.pending + rest
        self.log += rest
        err = err.decode(errors="replace")
        sys.stdout.write("--- after %r ---\n%s\n--- stderr ---\n%s--- exit status %d ---\n"
                         % (command, rest.decode(errors="replace")[-2000:], err,
                            self.p.returncode))
        self.tmp.cleanup()
        return self.p.returncode, err


def irq_counts(text):
    """{irq: count} from /proc/interrupts (one CPU)."""
    counts = {}
    for line in text.splitlines():
        m = re.match(r"\s*(\d+):\s+(\d+)\s+XT-PIC", line)
        if m:
            counts[int(m.group(1))] = int(m.group(2))
    return counts


def check_devices(linux, clock):
    """What the kernel found and how it uses our devices; `clock` is the clocksource we
    expect, or None where it depends on the machine (the TSC when calibrated, else jiffies)."""
    dmesg = linux.sh("dmesg")
    check(re.search(r"ttyS0 at I/O 0x3f8 \(irq = 4, base_baud = 115200\) is a 16550A", dmesg),
          "the kernel log shows COM1 as a 16550A on IRQ4", dmesg)
    dev = linux.sh("cat /sys/devices/system/clockevents/clockevent0/current_device")
    check(dev.strip() == "pit", "the clock event device is the i8253 PIT ('pit', got %r)"
          % dev.strip(), dmesg)
    cs = linux.sh("cat /sys/devices/system/clocksource/clocksource0/current_clocksource")
    if clock is not None:
        check(cs.strip() == clock, "the clocksource is %s (got %r)" % (clock, cs.strip()), dmesg)
    check("rtc_cmos" in dmesg and re.search(r"rtc_cmos rtc_cmos: registered as rtc0", dmesg),
          "the CMOS RTC registers as rtc0", dmesg)
    check(re.search(r"i8042: .*serio: i8042 KBD port at 0x60,0x64 irq 1|"
                    r"serio: i8042 KBD port at 0x60,0x64 irq 1", dmesg),
          "the i8042 is found, its keyboard port on IRQ1", dmesg)
    check("ACPI: PM: (supports S0 S5)" in dmesg, "ACPI offers S5 (power-off)", dmesg)

    # Interrupts: IRQ0 (the timer) and IRQ4 (our typing and its output) keep counting.
    before = irq_counts(linux.sh("cat /proc/interrupts"))
    linux.sh("sleep 1")
    after = irq_counts(linux.sh("cat /proc/interrupts"))
    check(after.get(0, 0) > before.get(0, 0) > 0, "XT-PIC IRQ0 (timer) counts rise: %s -> %s"
          % (before.get(0), after.get(0)))
    check(after.get(4, 0) > before.get(4, 0) > 0, "XT-PIC IRQ4 (ttyS0) counts rise: %s -> %s"
          % (before.get(4), after.get(4)))

    # The RTC: the host's time, read at boot (date) and now (hwclock); an alarm on IRQ8
    # through the slave PIC.  Without kvmclock the kernel keeps time with PIT ticks, which
    # a loaded host may drop, so there only the RTC itself is compared.
    if clock == "kvm-clock":
        guest = int(linux.sh("date +%s").strip().splitlines()[-1])
        host = time.time()
        check(abs(guest - host) <= 5, "the guest's date is the host's within 5 s (off by "
              "%.1f s)" % (guest - host))
    hw = linux.sh("hwclock -r -u")
    host = time.time()
    m = re.search(r"\w{3} (\w{3}) +(\d+) (\d\d:\d\d:\d\d) (\d{4})", hw)
    rtc = calendar.timegm(time.strptime(" ".join(m.groups()), "%b %d %H:%M:%S %Y")) if m else 0
    check(abs(rtc - host) <= 5, "hwclock reads the host's time from the RTC, within 5 s "
          "(got %r, off by %.1f s)" % (hw.strip(), rtc - host))
    # The kernel sets the alarm to the RTC's time + N; if setting it takes longer than N
    # seconds (a loaded host, every port access an exit under the nested route), the alarm
    # is already past and Linux expires it in software, with no IRQ8: N = 5, not 1.  Then
    # wait for the interrupt itself, up to a hang guard, rather than a fixed time.
    linux.sh("echo +5 > /sys/class/rtc/rtc0/wakealarm")
    irqs = linux.sh("i=0; while [ $i -lt 90 ] && ! grep -Eq '^ *8: +[1-9]' /proc/interrupts; "
                    "do sleep 1; i=$((i + 1)); done; cat /proc/interrupts", timeout=180)
    check(irq_counts(irqs).get(8, 0) >= 1, "the RTC alarm arrives as XT-PIC IRQ8 (rtc0), "
          "through the cascade", irqs)


@test(timeout=400)
def linux_boots_to_a_shell(env):
    linux = Linux(env)
    check(True, "Debian's kernel booted to a shell on ttyS0 (%s)" % linux.kernel)
    check_devices(linux, "kvm-clock")
    status, err = linux.finish("poweroff -f")
    check(status == 0, "poweroff -f ends minivmm with status 0 (got %d)" % status, err)
    check("ACPI S5" in err, "minivmm says the guest powered off through ACPI S5", err)


@test(timeout=400)
def linux_without_kvmclock(env):
    # The TSC is then calibrated against PIT channel 2, gated through port 0x61.
    linux = Linux(env, "no-kvmclock")
    dmesg = linux.sh("dmesg | grep -i -e tsc -e clocksource")
    check("kvm-clock" not in linux.sh("cat /sys/devices/system/clocksource/clocksource0/"
                                      "available_clocksource"),
          "no kvm-clock with no-kvmclock", dmesg)
    check_devices(linux, None)
    status, err = linux.finish("reboot -f")
    check(status == 0, "reboot -f ends minivmm with status 0 (got %d)" % status, err)
    check("guest reset the machine" in err, "minivmm says the guest reset the machine", err)
    m = re.search(r"pit events: (.*)", err)
    check(m and "port-b" in m.group(1), "the kernel used port 0x61 (PIT channel 2's gate) "
          "to calibrate its TSC", err)


@test(timeout=500)
def linux_reboot_restarts(env):
    linux = Linux(env, extra_args=["--reboot"])
    linux.p.stdin.write(b"reboot -f\n")
    linux.p.stdin.flush()
    # The whole boot again: every device reset, the kernel and initrd loaded anew.
    linux.read_to(b"minivmm-init: up", BOOT_TIMEOUT)
    linux.read_to(PROMPT, BOOT_TIMEOUT)
    check(True, "after reboot -f with --reboot, the machine booted Linux again")
    up = linux.sh("cat /proc/uptime")
    check(float(up.split()[0]) < linux.boot_s + 60, "the second boot is a fresh kernel "
          "(uptime %s)" % up.split()[0])
    status, err = linux.finish("poweroff -f")
    check(status == 0, "poweroff -f after the reboot ends minivmm with status 0", err)
    check("1 reboots" in err, "--stats counts one reboot", err)


# ---- resets without Linux: the three reset mechanisms, with and without --reboot ----------

@test()
def reboot_three_ways(env):
    # tests/kernels/reboot.asm counts its boots in CMOS RAM (which a reset keeps) and
    # resets through port 0x92, then 0xCF9, then the i8042; the fourth boot exits.
    kernel = env.kernel("reboot")
    status, out, err = env.run(["--bios", kernel, "--reboot", "--stats"])
    for n, how in ((1, "port 0x92"), (2, "port 0xcf9"), (3, "the i8042 (0xfe)")):
        check("reboot: boot %d, resetting through %s" % (n, how) in out,
              "boot %d resets through %s and the machine starts again" % (n, how), out)
    check("reboot: boot 4, done" in out and status == (4 << 1) | 1,
          "the fourth boot ends with the count as status 9 (got %d)" % status, out + err)
    check("3 reboots" in err, "--stats counts 3 reboots", err)
    sent = re.search(r"com1: (\d+) bytes sent", err)
    check(sent and int(sent.group(1)) == len(out.encode()), "--stats counts COM1's bytes of "
          "all four boots (%s, %d on stdout)" % (sent and sent.group(1), len(out.encode())), err)
    # Without --reboot the first reset ends the run, with status 0.
    status, out, err = env.run(["--bios", kernel])
    check(status == 0 and "boot 2" not in out, "without --reboot, the first reset ends "
          "minivmm with status 0 (got %d)" % status, out + err)
    check("guest reset the machine" in err, "minivmm says the guest reset the machine", err)


# ---- bad kernels and initrds: one line each, before KVM is touched ----------------------

def crafted_kernel(tmp, name, patch):
    """A copy of the distribution kernel with `patch(bytearray)` applied."""
    with open(find_kernel(), "rb") as f:
        data = bytearray(f.read())
    data = patch(data) or data
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def refused(env, args, words):
    status, err = gt.run_quietly(env, args)
    gt.one_error_line(err, status, gt.EXIT_SETUP, words)


@test(needs_kvm=False)
def linux_bad_kernels(env):
    with tempfile.TemporaryDirectory(prefix="minivmm-badkernel-") as tmp:
        def put16(data, off, v):
            data[off:off + 2] = v.to_bytes(2, "little")

        path = crafted_kernel(tmp, "truncated", lambda d: d[:len(d) // 2])
        refused(env, ["--kernel", path], [path, "is truncated", "of kernel"])
        path = crafted_kernel(tmp, "no-boot-flag", lambda d: put16(d, 0x1fe, 0))
        refused(env, ["--kernel", path], [path, "not a Linux kernel", "0xAA55"])
        path = crafted_kernel(tmp, "no-hdrs", lambda d: d.__setitem__(slice(0x202, 0x206), b"XXXX"))
        refused(env, ["--kernel", path], [path, "HdrS"])
        path = crafted_kernel(tmp, "old-protocol", lambda d: put16(d, 0x206, 0x0204))
        refused(env, ["--kernel", path], [path, "boot protocol 2.04", "2.06"])
        # An ELF vmlinux is not a bzImage either.
        path = os.path.join(tmp, "vmlinux")
        with open(path, "wb") as f:
            f.write(b"\x7fELF" + bytes(8192))
        refused(env, ["--kernel", path], [path, "without a multiboot header", "build-id"])


@test(needs_kvm=False)
def linux_initrd_too_large(env):
    kernel = find_kernel()
    with tempfile.TemporaryDirectory(prefix="minivmm-badinitrd-") as tmp:
        big = os.path.join(tmp, "big.cpio")
        with open(big, "wb") as f:
            f.truncate(200 << 20)           # sparse: nothing is read
        refused(env, ["--kernel", kernel, "--initrd", big, "--memory", "128M"],
                [big, "more than the 128.0 MiB of guest RAM"])
        # It fits in RAM, but not above the ~80 MiB the kernel unpacks into.
        mid = os.path.join(tmp, "mid.cpio")
        with open(mid, "wb") as f:
            f.truncate(60 << 20)
        refused(env, ["--kernel", kernel, "--initrd", mid, "--memory", "128M"],
                [kernel, "no room for the 60.0 MiB initrd"])
        # And the kernel alone in too little RAM.
        refused(env, ["--kernel", kernel, "--memory", "32M"],
                [kernel, "MiB of RAM to unpack and run", "--memory is 32.0 MiB"])


@test(needs_kvm=False)
def linux_option_errors(env):
    refused(env, ["--initrd", "/dev/null"], ["--initrd needs --kernel"])
    refused(env, ["--append", "quiet"], ["--append needs --kernel"])
    refused(env, ["--bios", "x.bin", "--kernel", "y"], ["--bios and --kernel"])
    refused(env, ["--kernel", "/nonexistent/bzImage"], ["cannot open kernel", "/nonexistent/bzImage"])


if __name__ == "__main__":
    if sys.argv[1:2] == ["--make-initramfs"] and len(sys.argv) == 3:
        # For people: the same initramfs the tests boot (README, "Booting Linux").
        build_initramfs(sys.argv[2])
        sys.exit(0)
    # The registry holds guest_tests.py's tests too: run and list only ours.
    for name in [n for n, (fn, _, _) in gt.TESTS.items() if fn.__module__ != __name__]:
        del gt.TESTS[name]
    sys.exit(gt.main())
