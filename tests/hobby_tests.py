#!/usr/bin/env python3
"""Hobby kernel tests: multiboot kernels under `minivmm --kernel`, as an OS hobbyist runs them.

    hobby_tests.py --build-dir BUILD TEST

- mbinfo (tests/kernels/mbinfo.c) prints what the loader passed; we compare it with what we
  gave minivmm: the command line, each module's bytes and command line, the memory map for
  --memory (multiboot 1 and 2).
- the C kernel lesson (kernels/ckernel/) boots, counts timer ticks, and on the VGA screen
  with the PS/2 keyboard echoes what is typed into its serial file; Esc powers off.
- the OSDev wiki's Bare Bones kernel (tests/kernels/osdev_barebones/) says hello on the
  VGA screen in the terminal.
- Debian's memtest86+ (a Linux boot-protocol image nobody here wrote) sizes RAM, names the
  CPU and tests, on COM1 and on the VGA screen; Esc, typed on either, reboots it.
The route (real KVM here, or inside a throwaway Linux under QEMU) is guest_tests.py's, whose
harness this file shares.  No check depends on timing: every timeout is a hang guard.

What QEMU's multiboot loader (qemu-ref, isapc, -m 64) gives mbinfo.elf, for comparison:
  cmdline "KERNEL-PATH a b c", loader "qemu", flags 0x24f (boot_device 0x8000ffff), mem_lower
  639, mem_upper 64512, mmap entries of size 20: 0-0x9fc00 available, 0x9fc00+0x400,
  0xf0000+0x10000 reserved, 1 MiB to the end of RAM available (plus SeaBIOS's 0xfffc0000 and
  0xfd00000000 reserved ranges, which minivmm has no reason to report), and each module page-
  aligned after the kernel with its "FILE ARGS" command line.
"""

import os
import re
import select
import struct
import sys
import tempfile
import termios
import fcntl
import time
import zlib

import guest_tests as gt
from guest_tests import Failure, check, test

KIB, MIB = 1024, 1024 * 1024
ISA_HOLE = (0xA0000, 0x100000)
MB1_FLAGS_WANTED = {0: "mem_lower/upper", 2: "cmdline", 3: "mods", 6: "mmap", 9: "loader name"}
MB2_TAG_END, MB2_TAG_CMDLINE, MB2_TAG_LOADER, MB2_TAG_MODULE = 0, 1, 2, 3
MB2_TAG_MEMINFO, MB2_TAG_MMAP = 4, 6
HANG_GUARD = 120        # seconds; the nested route is slow, nothing here is timed
CKERNEL_BANNER = "ckernel: a small C kernel, booted by multiboot"


def image(env, sub, name):
    path = os.path.join(env.build, sub, name)
    if not os.path.exists(path):
        raise Failure("kernel image %s/%s not built" % (sub, name))
    return path


def elf_end(path):
    """One past the highest byte an ELF32 kernel's PT_LOAD segments occupy (bss included)."""
    with open(path, "rb") as f:
        data = f.read()
    phoff, = struct.unpack_from("<I", data, 28)
    phentsize, phnum = struct.unpack_from("<HH", data, 42)
    end = 0
    for i in range(phnum):
        p_type, _, _, p_paddr, _, p_memsz = struct.unpack_from("<IIIIII", data,
                                                               phoff + i * phentsize)
        if p_type == 1:
            end = max(end, p_paddr + p_memsz)
    return end


# ---- mbinfo: the loader's information against what was passed ---------------------------

def parse_string(s):
    """mbinfo's "..." string: \\\\, \\" and \\xNN escapes."""
    m = re.fullmatch(r'"((?:[^"\\]|\\.|\\x[0-9a-f]{2})*)"', s)
    if not m:
        raise Failure("not an mbinfo string: %r" % s)
    return re.sub(r'\\x([0-9a-f]{2})|\\(.)',
                  lambda e: chr(int(e.group(1), 16)) if e.group(1) else e.group(2), m.group(1))


def parse_dump(out):
    """mbinfo's dump (tests/kernels/mbinfo.c) as a dict; mmap and mods as lists."""
    d = {"mmap": [], "mods": []}
    for line in out.splitlines():
        key, _, rest = line.partition(" ")
        if key in ("flags", "boot_device", "magic"):
            d[key] = int(rest, 16)
        elif key in ("mem_lower", "mem_upper", "mmap_entry_size", "mods_count"):
            d[key] = int(rest)
        elif key == "mods":
            d["mods_count"] = int(rest)
        elif key in ("cmdline", "loader"):
            d[key] = parse_string(rest)
        elif key in ("segments", "pic_imr"):
            d[key] = rest
        elif key == "tags":
            d["tags"] = [int(t) for t in rest.split()]
        elif key == "mmap":
            base, length, typ = rest.split()
            d["mmap"].append((int(base, 16), int(length, 16), int(typ)))
        elif key == "mod":
            m = re.fullmatch(r'(\d+) start ([0-9a-f]+) end ([0-9a-f]+) size (\d+) '
                             r'crc32 ([0-9a-f]+) cmdline (".*")', rest)
            check(m is not None, "mbinfo's module line parses: %r" % line)
            d["mods"].append({"start": int(m.group(2), 16), "end": int(m.group(3), 16),
                              "size": int(m.group(4)), "crc32": int(m.group(5), 16),
                              "cmdline": parse_string(m.group(6))})
        elif line.startswith("mbinfo: "):
            d.setdefault("headlines", []).append(line)
    return d


def check_memory(d, memory):
    """mem_lower/upper and the memory map for `memory` bytes of RAM."""
    check(d.get("mem_lower") == 639, "mem_lower is 639 KiB (got %s)" % d.get("mem_lower"))
    check(d.get("mem_upper") == (memory - MIB) // KIB, "mem_upper is %d KiB: RAM from 1 MiB "
          "to --memory (got %s)" % ((memory - MIB) // KIB, d.get("mem_upper")))
    mmap = d["mmap"]
    text = "\n".join("%#x +%#x type %d" % e for e in mmap)
    check(mmap == sorted(mmap), "the memory map is in ascending order", text)
    check(all(b1 + l1 <= b2 for (b1, l1, _), (b2, _, _) in zip(mmap, mmap[1:])),
          "memory map entries do not overlap", text)
    available = [(b, l) for b, l, t in mmap if t == 1]
    check(available == [(0, 0x9FC00), (MIB, memory - MIB)],
          "available RAM is 0-639 KiB and 1 MiB to --memory (%d MiB), nothing else"
          % (memory // MIB), text)
    check(all(b + l <= ISA_HOLE[0] or b >= ISA_HOLE[1] for b, l in available),
          "nothing in the ISA hole 0xa0000-0xfffff is available", text)
    check((0x9FC00, 0x400, 2) in mmap, "the EBDA's KiB below 640 KiB is reserved (as QEMU)", text)
    check(any(t != 1 and b <= 0xF0000 and b + l >= 0x100000 for b, l, t in mmap),
          "the BIOS ROM 0xf0000-0xfffff is reserved (as QEMU)", text)


def make_modules(tmp):
    """Two modules with awkward contents and sizes; returns [(path, args, bytes)]."""
    one = b"module one\n"
    two = bytes((i * 7 + (i >> 8)) & 0xFF for i in range(5000))    # zeros included, not page-sized
    mods = []
    for name, args, data in (("mod1", "arg1", one), ("mod2", "arg2 x=y", two)):
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        mods.append((path, args, data))
    return mods


def check_modules(d, mods, kernel, memory):
    check(d.get("mods_count") == len(mods), "%d modules reported (got %s)"
          % (len(mods), d.get("mods_count")))
    check(len(d["mods"]) == len(mods), "one module line each")
    low = elf_end(kernel)
    for i, ((path, args, data), m) in enumerate(zip(mods, d["mods"])):
        check(m["cmdline"] == path + " " + args, "module %d's command line is %r (got %r)"
              % (i, path + " " + args, m["cmdline"]))
        check(m["size"] == len(data), "module %d has its file's %d bytes (got %d)"
              % (i, len(data), m["size"]))
        check(m["crc32"] == zlib.crc32(data), "module %d's bytes are the file's (crc32 %08x, "
              "got %08x)" % (i, zlib.crc32(data), m["crc32"]))
        check(m["start"] % 4096 == 0, "module %d is page-aligned (%#x)" % (i, m["start"]))
        check(m["start"] >= low, "module %d (%#x) lies after the kernel (ends %#x)"
              % (i, m["start"], low))
        check(m["end"] <= memory, "module %d ends inside RAM" % i)
        low = m["end"]          # and the next one after it, no overlap


def check_segments(d):
    # QEMU's multiboot option ROM and GRUB (the spec leaves it to the loader): tutorial
    # kernels point IDT gates at 0x08 without loading a GDT of their own.
    check(d.get("segments") == "cs 0008 ds 0010 ss 0010",
          "flat code at selector 0x08 and data at 0x10, as QEMU and GRUB leave them (got %s)"
          % d.get("segments"))
    # SeaBIOS's masks, as a multiboot kernel reads them on QEMU's isapc: IRQ 0, 1, 2 and 6,
    # 8, 12, 13 and 14 open.  OSDev's PIC_remap() restores them and expects its timer.
    check(d.get("pic_imr") == "b8 8e", "the PIC masks are those a BIOS leaves: IRQ0 (timer) "
          "and IRQ1 (keyboard) open, as on QEMU (got %s)" % d.get("pic_imr"))


def run_mbinfo(env, kernel, memory, append=None, mods=()):
    args = ["--kernel", kernel, "--memory", "%dM" % (memory // MIB)]
    if append is not None:
        args += ["--append", append]
    if mods:
        args += ["--initrd", ",".join("%s %s" % (p, a) for p, a, _ in mods)]
    status, out, err = env.run(args, timeout=HANG_GUARD)
    check(status == 1, "mbinfo exits through debug-exit 0 (status 1, got %d)" % status, err)
    check("mbinfo: end" in out, "mbinfo printed its whole dump", out)
    return parse_dump(out)


@test(timeout=300)
def hobby_mbinfo_multiboot1(env):
    kernel = image(env, "tests/kernels", "mbinfo.elf")
    with tempfile.TemporaryDirectory(prefix="minivmm-mbinfo-") as tmp:
        mods = make_modules(tmp)
        d = run_mbinfo(env, kernel, 64 * MIB, "a b c", mods)
        check(d.get("magic") == 0x2BADB002, "EAX is multiboot 1's 0x2BADB002")
        for bit, what in MB1_FLAGS_WANTED.items():
            check(d.get("flags", 0) & (1 << bit), "flags bit %d (%s) is set (flags %#x)"
                  % (bit, what, d.get("flags", 0)))
        check(d.get("cmdline") == kernel + " a b c", "the command line is the kernel's path "
              "and --append, as QEMU gives it (got %r)" % d.get("cmdline"))
        check(d.get("loader") == "minivmm", "the boot loader is named minivmm")
        check(d.get("mmap_entry_size") == 20, "memory map entries are 20 bytes + size, as "
              "the spec and QEMU (got %s)" % d.get("mmap_entry_size"))
        check_segments(d)
        check_memory(d, 64 * MIB)
        check_modules(d, mods, kernel, 64 * MIB)
    # Other RAM, no --append, no modules.
    d = run_mbinfo(env, kernel, 200 * MIB)
    check(d.get("cmdline", "").rstrip() == kernel, "without --append the command line is the "
          "kernel's path (got %r)" % d.get("cmdline"))
    check(d.get("mods_count", 0) == 0 and not d["mods"], "no modules without --initrd")
    check_memory(d, 200 * MIB)


@test(timeout=300)
def hobby_mbinfo_multiboot2(env):
    kernel = image(env, "tests/kernels", "mbinfo-mb2.elf")
    with tempfile.TemporaryDirectory(prefix="minivmm-mbinfo-") as tmp:
        mods = make_modules(tmp)
        d = run_mbinfo(env, kernel, 64 * MIB, "a b c", mods)
        check(d.get("magic") == 0x36D76289, "EAX is multiboot2's 0x36D76289")
        tags = d.get("tags", [])
        check(tags[-1:] == [MB2_TAG_END], "the tag list ends with an end tag (%s)" % tags)
        for t, what in ((MB2_TAG_CMDLINE, "command line"), (MB2_TAG_LOADER, "loader name"),
                        (MB2_TAG_MEMINFO, "basic meminfo"), (MB2_TAG_MMAP, "memory map")):
            check(tags.count(t) == 1, "one %s tag (type %d) in %s" % (what, t, tags))
        check(tags.count(MB2_TAG_MODULE) == len(mods), "one module tag per module (%s)" % tags)
        check(d.get("cmdline") == "a b c", "the command line is --append alone, as GRUB 2 "
              "(got %r)" % d.get("cmdline"))
        check(d.get("loader") == "minivmm", "the boot loader is named minivmm")
        check(d.get("mmap_entry_size") == 24, "memory map entries are 24 bytes (got %s)"
              % d.get("mmap_entry_size"))
        check_segments(d)
        check_memory(d, 64 * MIB)
        check_modules(d, mods, kernel, 64 * MIB)
    d = run_mbinfo(env, kernel, 200 * MIB)
    check(d.get("cmdline", "") == "", "without --append the command line is empty (got %r)"
          % d.get("cmdline"))
    check(d.get("mods_count", 0) == 0 and not d["mods"], "no modules without --initrd")
    check_memory(d, 200 * MIB)


# ---- the C kernel lesson ------------------------------------------------------------------

@test(timeout=300)
def hobby_ckernel_ticks(env):
    # On COM1 alone (no --vga): the boot information, then the timer: it stops by itself
    # after 50 ticks and exits through debug-exit 21 (status 43).
    for name, version in (("ckernel.elf", 1), ("ckernel-mb2.elf", 2)):
        kernel = image(env, "kernels", name)
        status, out, err = env.run(["--kernel", kernel, "--memory", "32M",
                                    "--append", "ticks=50 exit=21"], timeout=HANG_GUARD)
        check(status == 43, "%s stops through debug-exit 21 (status 43, got %d)"
              % (name, status), err)
        check(CKERNEL_BANNER in out, "%s prints its banner on COM1" % name, out)
        check("boot loader: minivmm (multiboot %d)" % version in out,
              "%s names the loader and multiboot %d" % (name, version), out)
        check("memory: 639 KiB low, 31744 KiB from 1 MiB" in out,
              "%s prints mem_lower and mem_upper for 32 MiB" % name, out)
        check(re.search(r"000100000-001ffffff available", out),
              "%s prints the memory map up to 32 MiB" % name, out)
        m = re.search(r"ckernel: ticks= reached after (\d+) ticks", out)
        check(m and int(m.group(1)) >= 50, "%s counted 50 timer interrupts (IRQ0 through the "
              "remapped PIC) and stopped" % name, out)


TERM_ROWS, TERM_COLS = 30, 100      # the pty's window size


class Screen:
    """What a terminal shows, from the bytes written to it: a small VT100 subset (cursor
    positioning and motion, erase, CR/LF/BS, the SGR each cell was drawn with, the cursor
    shown or hidden), enough to read the VGA screen however minivmm chooses to draw it
    (whole rows, or only the changed cells, in however many frames)."""

    CSI = re.compile(r"\x1b\[([0-9;?<=>]*)([ -/]*)([@-~])")
    OTHER_ESC = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|"
                           r"\x1b[=>78cDEHM]")

    def __init__(self):
        self.rows = [[" "] * TERM_COLS for _ in range(TERM_ROWS)]
        self.styles = [[""] * TERM_COLS for _ in range(TERM_ROWS)]
        self.y = self.x = 0
        self.sgr = ""                   # the parameters of the last SGR
        self.cursor_shown = True
        self.pending = ""

    def feed(self, data):
        text = self.pending + data.decode("utf-8", errors="replace")
        self.pending = ""
        i = 0
        while i < len(text):
            c = text[i]
            if c == "\x1b":
                m = self.CSI.match(text, i) or self.OTHER_ESC.match(text, i)
                if not m:
                    if len(text) - i < 32:       # an escape sequence cut in two: wait
                        self.pending = text[i:]
                        return
                    i += 1
                    continue
                if m.re is self.CSI:
                    self.csi(m.group(1), m.group(3))
                i = m.end()
                continue
            if c == "\r":
                self.x = 0
            elif c == "\n":
                self.y = min(self.y + 1, TERM_ROWS - 1)
            elif c == "\b":
                self.x = max(self.x - 1, 0)
            elif c >= " ":
                if self.x < TERM_COLS:
                    self.rows[self.y][self.x] = c
                    self.styles[self.y][self.x] = self.sgr
                self.x += 1
            i += 1

    def csi(self, params, final):
        if params == "?25" and final in "hl":
            self.cursor_shown = final == "h"
        if params.startswith("?"):
            return
        if final == "m":
            self.sgr = params
            return
        args = [int(a) if a else 0 for a in params.split(";")] if params else []
        arg = (args[0] if args else 0) or 1
        if final in "Hf":
            row = args[0] if args and args[0] else 1
            col = args[1] if len(args) > 1 and args[1] else 1
            self.y, self.x = min(row, TERM_ROWS) - 1, min(col, TERM_COLS) - 1
        elif final == "A":
            self.y = max(self.y - arg, 0)
        elif final == "B":
            self.y = min(self.y + arg, TERM_ROWS - 1)
        elif final == "C":
            self.x = min(self.x + arg, TERM_COLS - 1)
        elif final == "D":
            self.x = max(self.x - arg, 0)
        elif final == "G":
            self.x = min(arg, TERM_COLS) - 1
        elif final == "J" and (args[:1] or [0])[0] in (2, 3):
            self.rows = [[" "] * TERM_COLS for _ in range(TERM_ROWS)]
        elif final == "K":
            mode = (args[:1] or [0])[0]
            lo, hi = {0: (self.x, TERM_COLS), 1: (0, self.x + 1)}.get(mode, (0, TERM_COLS))
            for x in range(lo, hi):
                self.rows[self.y][x] = " "

    def text(self):
        return "\n".join("".join(r).rstrip() for r in self.rows)

    def styles_of(self, needle):
        """The SGRs the cells of `needle`'s first appearance were drawn with (None: not shown)."""
        for y, row in enumerate(self.rows):
            x = "".join(row).find(needle)
            if x >= 0:
                return set(self.styles[y][x:x + len(needle)])
        return None


def read_screen_until(fd, needle, timeout, screen=None):
    """Read the terminal until `needle` shows on it; returns the Screen."""
    screen = screen or Screen()
    deadline = time.monotonic() + timeout
    while needle not in screen.text():
        left = deadline - time.monotonic()
        if left <= 0:
            raise Failure("timed out waiting for %r on the terminal; it shows:\n%s"
                          % (needle, screen.text()))
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                raise Failure("the terminal closed before %r; it showed:\n%s"
                              % (needle, screen.text()))
            screen.feed(chunk)
    return screen


def wait_file(path, needle, timeout):
    deadline = time.monotonic() + timeout
    while True:
        with open(path, "rb") as f:
            data = f.read()
        if needle in data:
            return data
        if time.monotonic() > deadline:
            raise Failure("timed out waiting for %r in the serial file; it has %r"
                          % (needle, data[-2000:]))
        time.sleep(0.05)


def wait_exit(p, fd, screen, after):
    """Keep the terminal drained until minivmm exits (a hang guard); its status and stderr."""
    deadline = time.monotonic() + HANG_GUARD
    while p.poll() is None and time.monotonic() < deadline:
        drain(fd, screen)
        time.sleep(0.05)
    status = gt.wait_status(p, 1, after)
    return status, p.stderr.read().decode(errors="replace")


def start_vga(env, args):
    p, master, slave, before = gt.start_on_pty(env, ["--vga"] + args)
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", TERM_ROWS, TERM_COLS, 0, 0))
    return p, master, slave


def drain(fd, screen=None, max_reads=8):
    """Read what the terminal has now, so minivmm's output keeps moving.  At most a few
    reads: under the nested route this Python runs emulated and can be slower than a
    guest that redraws all the time (memtest86+), so an unbounded loop never returned and
    its caller's hang guard was never looked at.  What is left waits for the next call
    (minivmm drops intermediate screen frames meanwhile, never the latest)."""
    for _ in range(max_reads):
        if not select.select([fd], [], [], 0)[0]:
            return
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return
        if not chunk:
            return
        if screen:
            screen.feed(chunk)


@test(timeout=300)
def hobby_ckernel_vga_keyboard(env):
    kernel = image(env, "kernels", "ckernel.elf")
    with tempfile.TemporaryDirectory(prefix="minivmm-ckernel-") as tmp:
        serial = os.path.join(tmp, "com1.txt")
        p, master, slave = start_vga(env, ["--serial", serial, "--kernel", kernel])
        try:
            screen = read_screen_until(master, CKERNEL_BANNER, HANG_GUARD)
            check(True, "the banner shows on the VGA screen in the terminal")
            read_screen_until(master, "type away, Esc stops", HANG_GUARD, screen)
            check(True, "the kernel set up its interrupts and waits for keys")
            log = wait_file(serial, b"type away, Esc stops\n", HANG_GUARD)
            check(CKERNEL_BANNER.encode() in log and b"boot loader: minivmm" in log,
                  "the same text went to COM1, into the --serial file", log.decode())
            # Typed on the terminal, through the PS/2 keyboard on IRQ1: letters, Shift
            # (capitals and '!'), Enter, Backspace (DEL from the terminal).
            for keys, echo in ((b"hello", b"hello"), (b" Hi!\r", b" Hi!\n"),
                               (b"ab\x7fc\r", b"ab\b \bc\n")):
                os.write(master, keys)
                start = len(log)
                log = wait_file(serial, echo, HANG_GUARD)
                drain(master, screen)
                check(echo in log[start:], "typing %r echoes %r to COM1" % (keys, echo))
            read_screen_until(master, "Hi!", HANG_GUARD, screen)
            check(True, "what was typed shows on the screen too")
            os.write(master, b"\x1b")
            status, err = wait_exit(p, master, screen, "Esc was typed")
            check(status == 0, "Esc powers the machine off: status 0 (got %d)" % status, err)
            with open(serial, "rb") as f:
                log = f.read()
            check(b"ckernel: Esc pressed" in log, "the kernel said why it stopped", log.decode())
        finally:
            gt.stop_and_close(p, master, slave)


# ---- the OSDev wiki's Bare Bones kernel -------------------------------------------------------

@test(timeout=300)
def hobby_osdev_barebones(env):
    kernel = image(env, "tests/kernels", "myos.bin")
    p, master, slave = start_vga(env, ["--kernel", kernel])
    try:
        read_screen_until(master, "Hello, kernel World!", HANG_GUARD)
        check(True, "'Hello, kernel World!' shows in the terminal")
        # The kernel then halts with interrupts off ("cli; hlt"): under --vga minivmm keeps
        # its screen up until the person quits, instead of ending as a hang.  (A wait that
        # only makes the check weaker on a slow machine, never wrong.)
        deadline = time.monotonic() + 2
        while p.poll() is None and time.monotonic() < deadline:
            drain(master)
            time.sleep(0.05)
        check(p.poll() is None, "after its last line the kernel halts, and the screen stays "
              "up (minivmm still runs)")
        os.write(master, b"\x01x")
        status = gt.wait_status(p, 30, "Ctrl-A x")
        err = p.stderr.read().decode(errors="replace")
        check(status == 0, "Ctrl-A x quits with status 0 (got %d)" % status, err)
        print("stderr: " + err)
    finally:
        gt.stop_and_close(p, master, slave)


# ---- memtest86+: a memory tester nobody here wrote, as Debian ships it -----------------------

MEMTEST_BUILDS = (("x64", 64), ("ia32", 48))    # memtest86+x64.bin / ia32.bin, --memory MiB


def memtest_image(build):
    path = "/boot/memtest86+%s.bin" % build
    if not os.path.exists(path):
        raise Failure("%s not found: scripts/install-deps test installs Debian's memtest86+"
                      % path)
    return path


def host_cpu_model():
    """The processor's name as the host's Linux shows it (the brand string, CPUID 0x80000002-4)."""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return ""


def read_memtest_until_test(fd, number, screen):
    """Read memtest86+'s screen until test #`number` runs, so the ones before it have passed."""
    deadline = time.monotonic() + HANG_GUARD
    while True:
        m = re.search(r"[|\u2502] Test #\s*(\d+)", screen.text())   # VGA draws a box line
        if m and int(m.group(1)) >= number:
            return screen
        left = deadline - time.monotonic()
        if left <= 0:
            raise Failure("timed out waiting for memtest86+'s test #%d; the screen shows:\n%s"
                          % (number, screen.text()))
        read_screen_until(fd, "Test #", left, screen)
        drain(fd, screen)
        time.sleep(0.1)


def check_memtest_screen(screen, memory, what):
    text = screen.text()
    check("Memtest86+ v6" in text, "memtest86+ draws its screen %s" % what, text)
    m = re.search(r"Memory\s*:\s*(\d+)MB", text)
    check(m is not None and int(m.group(1)) == memory,
          "it finds the --memory %dM in our e820 map (it shows %s MB)"
          % (memory, m.group(1) if m else "no"), text)
    model = host_cpu_model()
    check(model != "" and model in text.splitlines()[0],
          "it names the host's processor (%r), from the brand string CPUID gives" % model, text)
    m = re.search(r"Errors:\s*(\d+)", text)
    check(m is not None and m.group(1) == "0", "no memory errors", text)


def wait_memtest_reset(p, fd, screen):
    """After Esc memtest86+ resets the machine (0xCF9 first): minivmm ends with status 0."""
    status, err = wait_exit(p, fd, screen, "Esc was typed")
    check(status == 0, "Esc: memtest86+ reboots, and minivmm ends with status 0 (got %d)"
          % status, err)
    check("guest reset" in err, "minivmm says the guest reset the machine", err)
    m = re.search(r"reset-control \(0xcf9\): (\d+) reset requests", err)
    check(m is not None and int(m.group(1)) >= 1, "through the reset control register 0xCF9",
          err)
    return err


@test(timeout=300)
def hobby_memtest86plus_serial(env):
    """Debian's memtest86+ 6.10, both builds, as GRUB's "serial console" entry boots them: a
    Linux boot-protocol image with console=ttyS0.  It sizes RAM from our e820 map, names the
    processor, runs its first tests without errors, and Esc typed on COM1 makes it reboot."""
    for build, memory in MEMTEST_BUILDS:
        p = env.start(["--kernel", memtest_image(build), "--append", "console=ttyS0,115200",
                       "--memory", "%dM" % memory, "--stats"])
        try:
            fd = p.stdout.fileno()
            screen = read_memtest_until_test(fd, 2, Screen())
            check(True, "%s: memtest86+ runs test #2 on COM1" % build)
            check_memtest_screen(screen, memory, "on COM1 (%s)" % build)
            p.stdin.write(b"\x1b")
            p.stdin.flush()
            wait_memtest_reset(p, fd, screen)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()


@test(timeout=300)
def hobby_memtest86plus_vga_keyboard(env):
    """memtest86+ as GRUB's default entry boots it (no console=): on the VGA screen in the
    terminal, and Esc typed there reaches it through the PS/2 keyboard (it polls the i8042)."""
    build, memory = MEMTEST_BUILDS[0]
    p, master, slave = start_vga(env, ["--kernel", memtest_image(build), "--memory",
                                       "%dM" % memory, "--stats"])
    try:
        screen = read_memtest_until_test(master, 2, Screen())
        check(True, "memtest86+ runs test #2 on the VGA screen")
        check_memtest_screen(screen, memory, "on the VGA screen")
        os.write(master, b"\x1b")
        err = wait_memtest_reset(p, master, screen)
        m = re.search(r"keyboard: (\d+) scan codes queued", err)
        check(m is not None and int(m.group(1)) >= 2,
              "Esc went through the i8042 (make and break codes)", err)
    finally:
        gt.stop_and_close(p, master, slave)


if __name__ == "__main__":
    # The registry holds guest_tests.py's tests too: run and list only ours.
    for name in [n for n, (fn, _, _) in gt.TESTS.items() if fn.__module__ != __name__]:
        del gt.TESTS[name]
    sys.exit(gt.main())
