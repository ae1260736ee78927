#!/usr/bin/env python3
"""Run a command inside a throwaway Linux that has a working /dev/kvm.

Why: minivmm is tested on real KVM, but neither the developer machines nor CI have /dev/kvm.
QEMU's software emulation (TCG, `-cpu max`) emulates AMD SVM with nested paging, so the
distribution kernel booted under it loads kvm-amd and offers a real /dev/kvm.  This script boots
that kernel from a tiny initramfs (static busybox + a few modules + an /init written here), shares
the host's root read-only over 9p, chroots into it and runs CMD there, in the caller's working
directory and with the caller's environment.  A second, writable 9p share carries CMD's stdin,
stdout, stderr and exit status across.

    nested_kvm.py [--interactive] [--timeout SECONDS] [--memory MIB] -- CMD [ARG...]

Non-interactive (the default, for `meson test`): CMD's stdout and stderr come back byte-exact
after it ends, preceded by a few `nested: ` lines on stderr that prove KVM ran; the exit status is
CMD's (128+N when killed by signal N).  Interactive: CMD runs on the guest's ttyS0, which is this
terminal (QEMU stdio, no mux, no signals), so every key, Ctrl-C and Ctrl-A included, reaches CMD.

Exit statuses of our own: 125 the nested route failed, 124 --timeout expired, 127 CMD not found.
Environment: MINIVMM_NESTED_KERNEL (vmlinuz path or kernel version), MINIVMM_NESTED_CACHE (cache
directory), MINIVMM_NESTED_QEMU (QEMU binary), MINIVMM_NESTED_APPEND (extra kernel arguments).
See the "Running on KVM without /dev/kvm" section of DEVELOPERS.md.  Python 3 stdlib only.
"""

import argparse
import ctypes
import glob
import hashlib
import lzma
import os
import re
import select
import shlex
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import termios
import time
import zlib

EXIT_TIMEOUT = 124          # same as timeout(1)
EXIT_ROUTE = 125            # the nested route itself failed (not CMD's own status)
EXIT_NOT_FOUND = 127        # same as a shell's "command not found"

INTERACTIVE_BANNER = ("nested: no usable /dev/kvm here; booting a throwaway Linux under QEMU "
                      "software emulation to get one (slow: ~10 s to start, I/O exits ~45 us)")

# Modules the guest needs, by name as in modules.dep (dependencies are resolved from there).
# kvm-amd: the point of it all; virtio_pci + 9pnet_virtio + 9p: the two shares.
REQUIRED_MODULES = ("kvm-amd", "virtio_pci", "9pnet_virtio", "9p")
# overlay: lets the chroot see the host's /tmp while writing to a tmpfs (plain tmpfs otherwise).
OPTIONAL_MODULES = ("overlay",)

# Marker lines /init writes on the guest console; the launcher parses them from the console log.
MARK = "nested-init:"

# Variables a guest shell cannot take as names are dropped; everything else passes through.
ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# Host paths the guest makes writable (tmpfs); everything else is the read-only host root.
GUEST_WRITABLE = ("/tmp", "/run", "/dev/shm")

DEFAULT_TIMEOUT_S = 300.0
LOGS_KEPT = 20
POLL_S = 0.05
PR_SET_PDEATHSIG = 1        # <linux/prctl.h>


class RouteError(Exception):
    """The nested route failed; `code` is the launcher's exit status, `details` extra lines."""

    def __init__(self, message, code=EXIT_ROUTE, details=()):
        super().__init__(message)
        self.code = code
        self.details = list(details)


class Interrupted(Exception):
    """The launcher got SIGINT/SIGTERM/SIGHUP; QEMU must go, then we exit 128+signum."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


# ------------------------------------------------------------------------------------------------
# Host side checks: QEMU, kernel, modules, busybox, CMD.

def find_qemu():
    qemu = os.environ.get("MINIVMM_NESTED_QEMU") or shutil.which("qemu-system-x86_64")
    if not qemu or not os.access(qemu, os.X_OK):
        raise RouteError("qemu-system-x86_64 not found: apt-get install qemu-system-x86")
    return qemu


def version_key(ver):
    """Sort key for kernel versions: numeric runs compare as numbers (6.10 > 6.9)."""
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", ver)]


def find_kernel():
    """(vmlinuz path, version): MINIVMM_NESTED_KERNEL, else the newest *-amd64 with modules."""
    override = os.environ.get("MINIVMM_NESTED_KERNEL")
    if override:
        path = override if "/" in override else "/boot/vmlinuz-" + override
        ver = os.path.basename(path)
        ver = ver[len("vmlinuz-"):] if ver.startswith("vmlinuz-") else ver
        if not os.path.isfile(path):
            raise RouteError("MINIVMM_NESTED_KERNEL=%s: no such kernel image %s" % (override, path))
        if not os.path.isfile("/lib/modules/%s/modules.dep" % ver):
            raise RouteError("MINIVMM_NESTED_KERNEL=%s: no /lib/modules/%s/modules.dep"
                             % (override, ver))
        return path, ver
    found = []
    for path in glob.glob("/boot/vmlinuz-*-amd64"):
        ver = os.path.basename(path)[len("vmlinuz-"):]
        if os.path.isfile("/lib/modules/%s/modules.dep" % ver):
            found.append((version_key(ver), path, ver))
    if not found:
        raise RouteError("no /boot/vmlinuz-*-amd64 with its /lib/modules: "
                         "apt-get install linux-image-amd64")
    found.sort()
    path, ver = found[-1][1], found[-1][2]
    if not os.access(path, os.R_OK):
        raise RouteError("%s is not readable (Ubuntu makes it 0600: chmod 0644 it, or set "
                         "MINIVMM_NESTED_KERNEL)" % path)
    return path, ver


def module_name(relpath):
    """kernel/arch/x86/kvm/kvm-amd.ko -> kvm_amd (the kernel treats - and _ alike)."""
    name = os.path.basename(relpath)
    name = re.sub(r"\.ko(\.(xz|gz|zst))?$", "", name)
    return name.replace("-", "_")


def resolve_modules(ver):
    """Return [(name, absolute .ko path)] in load order for the required and optional modules.

    Dependencies come from modules.dep, loaded depth-first, so the order is right whatever order
    depmod listed them in.  Built-in modules (modules.builtin) need no loading.
    """
    base = "/lib/modules/" + ver
    deps = {}
    paths = {}
    with open(base + "/modules.dep") as f:
        for line in f:
            if ":" not in line:
                continue
            mod, rest = line.split(":", 1)
            name = module_name(mod)
            paths[name] = os.path.join(base, mod)
            deps[name] = [module_name(d) for d in rest.split()]
    builtin = set()
    try:
        with open(base + "/modules.builtin") as f:
            builtin = {module_name(line.strip()) for line in f if line.strip()}
    except OSError:
        pass

    order = []

    def visit(name, chain):
        if name in order or name in builtin:
            return
        if name in chain:
            raise RouteError("module dependency loop in %s/modules.dep: %s" % (base, name))
        if name not in paths:
            raise RouteError("kernel module %s missing from %s (reinstall linux-image-amd64 "
                             "matching this kernel)" % (name, base))
        for dep in deps[name]:
            visit(dep, chain + [name])
        order.append(name)

    for want in REQUIRED_MODULES:
        visit(module_name(want), [])
    for want in OPTIONAL_MODULES:
        try:
            visit(module_name(want), [])
        except RouteError:
            pass
    for name in order:
        if not os.path.isfile(paths[name]):
            raise RouteError("kernel module file missing: %s" % paths[name])
    return [(name, paths[name]) for name in order]


def elf_is_static(path):
    """True if the ELF file at path has no PT_INTERP program header (needs no dynamic loader)."""
    pt_interp = 3
    with open(path, "rb") as f:
        hdr = f.read(64)
        if len(hdr) < 64 or hdr[:4] != b"\x7fELF" or hdr[4] != 2:
            return False
        endian = "<" if hdr[5] == 1 else ">"
        phoff, = struct.unpack_from(endian + "Q", hdr, 32)
        phentsize, phnum = struct.unpack_from(endian + "HH", hdr, 54)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    for i in range(phnum):
        p_type, = struct.unpack_from(endian + "I", table, i * phentsize)
        if p_type == pt_interp:
            return False
    return True


def find_busybox():
    for cand in ("/bin/busybox", "/usr/bin/busybox", shutil.which("busybox")):
        if cand and os.path.isfile(cand):
            if elf_is_static(cand):
                return cand
            raise RouteError("%s is not statically linked: apt-get install busybox-static" % cand)
    raise RouteError("busybox not found: apt-get install busybox-static")


def resolve_command(cmd, env, cwd):
    """Fail early (exit 127) if CMD does not exist: the guest sees the same files as we do."""
    prog = cmd[0]
    if "/" in prog:
        full = os.path.join(cwd, prog)
        if os.path.isfile(full) and os.access(full, os.X_OK):
            return
    elif shutil.which(prog, path=env.get("PATH", os.defpath)):
        return
    raise RouteError("%s: command not found (looked up with the caller's PATH and cwd)" % prog,
                     code=EXIT_NOT_FOUND)


# ------------------------------------------------------------------------------------------------
# The initramfs: busybox, modules and /init, as a newc cpio built once and cached.

INIT_TEMPLATE = r"""#!/bin/busybox sh
# /init of the minivmm nested-KVM initramfs, written by tests/nested_kvm.py (edit it there).
# Loads kvm-amd and the 9p modules, mounts the host root read-only at /host with fresh /proc,
# /sys, /dev, /dev/pts and a writable /tmp, /run, /dev/shm, then runs /out/run.sh (written per
# run by the launcher) which chroots into /host and runs CMD.  Lines starting with
# "nested-init:" on the console are read by the launcher.  Every path ends in "reboot -f"
# (QEMU runs with -no-reboot, so it exits); should that fail, PID 1 exiting panics the kernel,
# and panic=-1 reboots, which also ends QEMU.
bb=/bin/busybox
export PATH=/bin

say() { echo "nested-init: $*"; }
leave() { $bb sync; $bb reboot -f; exit 1; }
fail() {
	say "FAIL $*"
	$bb dmesg | $bb grep -iE 'kvm|svm|9p|virtio|overlay|insmod' | $bb sed 's/^/nested-init: log /'
	echo "----- guest dmesg -----"
	$bb dmesg
	leave
}

$bb mount -t proc proc /proc
$bb mount -t sysfs sysfs /sys
$bb mount -t devtmpfs devtmpfs /dev

for m in @MODULES@; do
	$bb insmod /modules/$m.ko 2>&1 | $bb sed 's/^/nested-init: log /'
done
[ -d /sys/module/kvm_amd ] || fail "kvm-amd did not load (does QEMU's -cpu max offer SVM?)"
[ -c /dev/kvm ] || fail "kvm-amd loaded but there is no /dev/kvm"
say "kernel $($bb uname -r)"
$bb dmesg | $bb grep -iE 'kvm' | $bb sed 's/^/nested-init: kvm /'

$bb mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 out /out \
	|| fail "cannot mount the writable 9p share"
$bb mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=loose,ro hostroot /host \
	|| fail "cannot mount the host root over 9p"

r=/host
$bb mount -t proc proc $r/proc || fail "cannot mount $r/proc"
$bb mount -t sysfs sysfs $r/sys || fail "cannot mount $r/sys"
$bb mount -t devtmpfs devtmpfs $r/dev || fail "cannot mount $r/dev"
$bb mkdir -p $r/dev/pts $r/dev/shm
$bb mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts $r/dev/pts \
	|| fail "cannot mount $r/dev/pts"
$bb mount -t tmpfs -o mode=1777 tmpfs $r/dev/shm
# devtmpfs has no /dev/fd, /dev/stdin...: bash's <(...) and many scripts need them.
$bb ln -sf /proc/self/fd $r/dev/fd
$bb ln -sf /proc/self/fd/0 $r/dev/stdin
$bb ln -sf /proc/self/fd/1 $r/dev/stdout
$bb ln -sf /proc/self/fd/2 $r/dev/stderr
$bb mount -t tmpfs -o mode=1777 tmpfs $r/run || fail "cannot mount $r/run"
# /tmp: the host's /tmp (where a caller may keep a build tree or a test binary) seen through an
# overlay whose writes go to a tmpfs; a plain tmpfs if overlayfs is unavailable.
$bb mount -t tmpfs -o mode=755 tmpfs /scratch
$bb mkdir -p /scratch/upper /scratch/work
$bb chmod 1777 /scratch/upper
$bb mount -t overlay -o lowerdir=$r/tmp,upperdir=/scratch/upper,workdir=/scratch/work \
	overlay $r/tmp 2>/dev/null || $bb mount -t tmpfs -o mode=1777 tmpfs $r/tmp \
	|| fail "cannot mount $r/tmp"
$bb ifconfig lo 127.0.0.1 up 2>/dev/null

[ -f /out/run.sh ] || fail "no run.sh on the writable share"
# KVM under TCG can hang for good (L1 spinning in kvm-amd, even SIGKILL never lands) when
# the clocksource is not the TSC.  The kernel first runs on tsc-early and switches to tsc
# about a second later, once it refined the calibration: a fast boot gets here around that
# moment, so wait for the switch (at most 10 s).
cs=/sys/devices/system/clocksource/clocksource0/current_clocksource
i=0
while [ "$($bb cat $cs)" = tsc-early ] && [ $i -lt 200 ]; do
	$bb usleep 50000
	i=$((i + 1))
done
say "clocksource $($bb cat $cs) at uptime $($bb cut -d' ' -f1 /proc/uptime) s"
[ "$($bb cat $cs)" = tsc ] ||
	say "warn clocksource is $($bb cat $cs), not tsc: KVM may hang (host overloaded at boot?)"
say ready
. /out/run.sh
say "done $status"
$bb dmesg >/out/dmesg
leave
"""


def cpio_newc(entries):
    """Serialise entries [(name, mode, data bytes or None, rdev (major, minor))] as newc cpio."""
    out = bytearray()

    def pad4():
        out.extend(b"\0" * (-len(out) % 4))

    ino = 1
    for name, mode, data, rdev in entries + [("TRAILER!!!", 0, None, (0, 0))]:
        data = data or b""
        bname = name.encode() + b"\0"
        nlink = 2 if stat.S_ISDIR(mode) else 1
        fields = (ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1], len(bname), 0)
        out.extend(b"070701" + b"".join(b"%08X" % v for v in fields))
        out.extend(bname)
        pad4()
        out.extend(data)
        pad4()
        ino += 1
    return bytes(out)


def read_module(path):
    """Module bytes, decompressed if the distribution ships them compressed (busybox may not)."""
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".xz"):
        return lzma.decompress(data)
    if path.endswith(".gz"):
        return zlib.decompress(data, 16 + zlib.MAX_WBITS)
    if path.endswith(".zst"):
        raise RouteError("%s is zstd-compressed; Python cannot unpack it: unzstd the "
                         "modules or use another kernel" % path)
    return data


def cache_dir():
    """$MINIVMM_NESTED_CACHE, else $XDG_CACHE_HOME/minivmm-nested, else ~/.cache/minivmm-nested."""
    d = os.environ.get("MINIVMM_NESTED_CACHE")
    if not d:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        d = os.path.join(xdg, "minivmm-nested")
    try:
        os.makedirs(os.path.join(d, "logs"), exist_ok=True)
        if os.access(d, os.W_OK):
            return d
    except OSError:
        pass
    d = os.path.join(tempfile.gettempdir(), "minivmm-nested-%d" % os.getuid())
    os.makedirs(os.path.join(d, "logs"), exist_ok=True)
    return d


def initramfs(cache, ver, modules, busybox):
    """Path of the cached initramfs for this kernel, building it (atomically) if needed.

    The key covers this file's source, the kernel version and the identity (size, mtime) of
    busybox and every module, so an upgrade or an edit here builds a new one.  Two launchers
    racing both write a temp file and rename it over the same name: readers never see half.
    """
    h = hashlib.sha256()
    with open(os.path.abspath(__file__), "rb") as f:
        h.update(f.read())
    h.update(ver.encode())
    for path in [busybox] + [p for _, p in modules]:
        st = os.stat(path)
        h.update(("%s %d %d\n" % (path, st.st_size, st.st_mtime_ns)).encode())
    name = "initramfs-%s-%s.cpio" % (ver, h.hexdigest()[:16])
    final = os.path.join(cache, name)
    if os.path.isfile(final):
        return final

    init = INIT_TEMPLATE.replace("@MODULES@", " ".join(n for n, _ in modules))
    d = stat.S_IFDIR | 0o755
    entries = [(n, d, None, (0, 0))
               for n in ("bin", "dev", "proc", "sys", "host", "out", "scratch", "modules")]
    entries.append(("dev/console", stat.S_IFCHR | 0o600, None, (5, 1)))
    with open(busybox, "rb") as f:
        entries.append(("bin/busybox", stat.S_IFREG | 0o755, f.read(), (0, 0)))
    entries.append(("bin/sh", stat.S_IFLNK | 0o777, b"busybox", (0, 0)))
    entries.append(("init", stat.S_IFREG | 0o755, init.encode(), (0, 0)))
    for n, p in modules:
        entries.append(("modules/%s.ko" % n, stat.S_IFREG | 0o644, read_module(p), (0, 0)))

    atomic_write(cache, final, cpio_newc(entries))
    return final


def prune_cache(cache, keep):
    """Drop cached files not in keep once an hour old (no launcher can still be starting them)."""
    now = time.time()
    for path in glob.glob(os.path.join(cache, "*-*.cpio")) + \
            glob.glob(os.path.join(cache, "*-*.elf")) + glob.glob(os.path.join(cache, ".tmp-*")):
        try:
            if path not in keep and now - os.stat(path).st_mtime > 3600:
                os.unlink(path)
        except OSError:
            pass


def elf_has_pvh_note(data):
    """True if the ELF image has the Xen PHYS32_ENTRY note that QEMU needs to boot it (PVH)."""
    xen_elfnote_phys32_entry = 18
    pt_note = 4
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return False
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    for i in range(phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", data,
                                                                 phoff + i * phentsize)
        if p_type != pt_note:
            continue
        pos, end = p_offset, p_offset + p_filesz
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
            name = data[pos + 12:pos + 12 + namesz].rstrip(b"\0")
            if name == b"Xen" and ntype == xen_elfnote_phys32_entry:
                return True
            pos += 12 + (namesz + 3) // 4 * 4 + (descsz + 3) // 4 * 4
    return False


def unpack_bzimage(path):
    """The vmlinux ELF inside a bzImage, or None if its compression is not in Python's stdlib.

    Boot protocol (Documentation/x86/boot.rst): "HdrS" at 0x202, setup_sects at 0x1f1, and
    from version 2.08 payload_offset/payload_length at 0x248/0x24c, relative to the protected
    mode code that starts after the (setup_sects + 1) 512-byte setup sectors.  The payload may be
    followed by 4 bytes of decompressed size, so use a decompressor that stops at end of stream.
    """
    with open(path, "rb") as f:
        img = f.read()
    if len(img) < 0x250 or img[0x202:0x206] != b"HdrS":
        return None
    version, = struct.unpack_from("<H", img, 0x206)
    if version < 0x208:
        return None
    setup_sects = img[0x1f1] or 4
    offset, length = struct.unpack_from("<II", img, 0x248)
    start = (setup_sects + 1) * 512 + offset
    payload = img[start:start + length]
    try:
        if payload.startswith(b"\xfd7zXZ\0"):
            return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(payload)
        if payload.startswith(b"\x1f\x8b"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(payload)
        if payload.startswith(b"\x5d\0\0"):
            return lzma.LZMADecompressor(format=lzma.FORMAT_ALONE).decompress(payload)
    except (lzma.LZMAError, zlib.error):
        return None
    return None


def boot_kernel(cache, kernel, ver):
    """What to give QEMU's -kernel: a cached, decompressed vmlinux if possible, else the bzImage.

    Why: under TCG, the kernel's own decompressor and the BIOS/real-mode boot path take ~3 s,
    half of the boot.  QEMU boots an uncompressed vmlinux directly through its PVH entry point
    (CONFIG_PVH), so the launcher unpacks it once (~1 s) and keeps it in the cache.
    """
    st = os.stat(kernel)
    key = hashlib.sha256(("%s %d %d" % (kernel, st.st_size, st.st_mtime_ns)).encode())
    final = os.path.join(cache, "vmlinux-%s-%s.elf" % (ver, key.hexdigest()[:16]))
    if os.path.isfile(final):
        return final
    data = unpack_bzimage(kernel)
    if data is None or not elf_has_pvh_note(data):
        return kernel
    atomic_write(cache, final, data)
    return final


def atomic_write(cache, final, data):
    """Write data to final through a temp file and a rename: racing writers never show half."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=cache)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, final)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def new_log_path(cache):
    """A fresh console log path under cache/logs; keeps the LOGS_KEPT newest."""
    logs = os.path.join(cache, "logs")
    os.makedirs(logs, exist_ok=True)
    # The names sort by time; a parallel launcher may be deleting some of them right now.
    old = sorted(glob.glob(os.path.join(logs, "console-*.log")))
    for path in old[:max(0, len(old) - (LOGS_KEPT - 1))]:
        try:
            os.unlink(path)
        except OSError:
            pass
    return os.path.join(logs, "console-%s-%d.log" % (time.strftime("%Y%m%d-%H%M%S"), os.getpid()))


# ------------------------------------------------------------------------------------------------
# One run.

def q(s):
    """Shell-quote a str that may carry undecodable bytes (surrogateescape), as bytes."""
    return os.fsencode(shlex.quote(s))


def guest_env(env):
    """The caller's environment for CMD: everything with a shell-valid name.

    TMPDIR pointing into the read-only host tree would make every mkstemp fail, so it is kept
    only if it lies in a directory the guest makes writable.
    """
    out = {k: v for k, v in env.items() if ENV_NAME_RE.match(k)}
    tmpdir = out.get("TMPDIR")
    if tmpdir and not any(tmpdir == w or tmpdir.startswith(w + "/") for w in GUEST_WRITABLE):
        out["TMPDIR"] = "/tmp"
    return out


def write_run_script(share, cmd, env, cwd, interactive, have_stdin):
    """/out/run.sh, sourced by /init: runs CMD chrooted in /host, sets $status."""
    inner = "cd -- \"$1\" || exit %d; shift; exec \"$@\"" % EXIT_ROUTE
    argv = [b"/bin/busybox", b"env", b"-i"]
    argv += [q("%s=%s" % kv) for kv in sorted(env.items())]
    argv += [b"/bin/busybox", b"chroot", b"/host", b"/bin/sh", b"-c", q(inner), b"nested_kvm",
             q(cwd)] + [q(a) for a in cmd]
    lines = [b"# written by tests/nested_kvm.py for one run"]
    if interactive:
        size = shutil.get_terminal_size((80, 24))
        # One redirection around the group keeps ttyS0 open throughout: a tty forgets its window
        # size when its last file is closed.  setsid -c: ttyS0 becomes CMD's controlling
        # terminal, so Ctrl-C there is SIGINT for CMD, as on any terminal.  The last stty
        # re-applies the same settings, which it does with TCSADRAIN: it returns once CMD's
        # last bytes have left the UART, before /init reboots.
        lines += [b"{",
                  b"\t$bb stty rows %d cols %d" % (size.lines, size.columns),
                  b"\t$bb setsid -c " + b" ".join(argv),
                  b"\tstatus=$?",
                  b"\t$bb stty $($bb stty -g)",
                  b"} <>/dev/ttyS0 >&0 2>&0"]
    else:
        stdin = b"/out/stdin" if have_stdin else b"/dev/null"
        lines.append(b" ".join(argv) + b" <" + stdin + b" >/out/stdout 2>/out/stderr")
        lines.append(b"status=$?")
    lines.append(b"echo $status >/out/status.tmp && $bb mv /out/status.tmp /out/status")
    with open(os.path.join(share, "run.sh"), "wb") as f:
        f.write(b"\n".join(lines) + b"\n")


def read_stdin(path, deadline):
    """Copy our stdin to path until EOF (tty or closed stdin: nothing).  Bounded by deadline."""
    try:
        fd = sys.stdin.fileno()
        os.fstat(fd)
    except (OSError, ValueError, AttributeError):
        return False
    if os.isatty(fd):
        return False
    with open(path, "wb") as out:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RouteError("timed out reading stdin (it must reach EOF before CMD starts)",
                                 code=EXIT_TIMEOUT)
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return True
            out.write(chunk)


def remove_stale_shares():
    """Remove the share directories of launchers that died by SIGKILL (they could not)."""
    for path in glob.glob(os.path.join(tempfile.gettempdir(), "minivmm-nested-*-*")):
        m = re.match(r"minivmm-nested-(\d+)-", os.path.basename(path))
        try:
            if not m or time.time() - os.stat(path).st_mtime < 60:
                continue
            os.kill(int(m.group(1)), 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except OSError:
            pass


def opt_escape(s):
    """QEMU option values escape a comma by doubling it."""
    return s.replace(",", ",,")


def qemu_argv(qemu, kernel, initrd, share, log, memory, interactive):
    # Boot speed under TCG (each measured): quiet (the console is a slow emulated UART),
    # cryptomgr.notests (no crypto self-tests), init_on_alloc=0 (no zeroing every page),
    # mitigations=off, audit=0.  With the PVH boot: ~6.3 s -> ~3 s.  Not acpi=off, although it
    # saves 0.3 s: without ACPI there is no HPET to calibrate the TSC against, a loaded host then
    # makes the PIT calibration fail, the TSC is marked unstable and nested KVM hangs (see /init).
    append = ["panic=-1", "quiet", "cryptomgr.notests", "init_on_alloc=0", "audit=0",
              "mitigations=off", "8250.nr_uarts=2", "no_timer_check", "tsc=reliable",
              "rdinit=/init"]
    argv = [qemu, "-nodefaults", "-no-user-config", "-no-reboot", "-display", "none",
            "-machine", "pc", "-accel", "tcg", "-cpu", "max", "-m", str(memory), "-smp", "1",
            "-kernel", kernel, "-initrd", initrd,
            "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,"
                       "multidevs=remap",
            "-virtfs", "local,path=%s,mount_tag=out,security_model=none" % opt_escape(share)]
    if interactive:
        # ttyS0 is this terminal and carries only CMD; the kernel console (and /init's markers)
        # go to ttyS1, a file, so the person sees nothing else.
        append += ["console=ttyS1", "loglevel=0"]
        argv += ["-chardev", "stdio,id=term,mux=off,signal=off", "-serial", "chardev:term",
                 "-chardev", "file,id=log,path=%s" % opt_escape(log), "-serial", "chardev:log"]
    else:
        append += ["console=ttyS0"]
        argv += ["-chardev", "file,id=log,path=%s" % opt_escape(log), "-serial", "chardev:log"]
    # For debugging a boot, e.g. MINIVMM_NESTED_APPEND="ignore_loglevel initcall_debug".
    append += os.environ.get("MINIVMM_NESTED_APPEND", "").split()
    argv += ["-append", " ".join(append)]
    return argv


def die_with_parent():
    """preexec_fn: QEMU gets SIGKILL if the launcher dies without cleaning up (even SIGKILL)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def stop_qemu(proc):
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(2)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def console_marks(log):
    """The "nested-init:" lines of the console log, marker prefix stripped."""
    try:
        with open(log, "rb") as f:
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return []
    return [ln.split(MARK, 1)[1].strip() for ln in text.splitlines() if MARK in ln]


def log_tail(log, n=30):
    try:
        with open(log, "rb") as f:
            lines = f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return ["(no console log)"]
    return [ln.rstrip("\r") for ln in lines[-n:]]


def run(opts, cmd):
    start = time.monotonic()
    deadline = start + opts.timeout
    qemu = find_qemu()
    kernel, ver = find_kernel()
    modules = resolve_modules(ver)
    busybox = find_busybox()
    cwd = os.getcwd()
    env = guest_env(dict(os.environ))
    resolve_command(cmd, env, cwd)
    cache = cache_dir()
    initrd = initramfs(cache, ver, modules, busybox)
    kernel = boot_kernel(cache, kernel, ver)
    prune_cache(cache, keep=(initrd, kernel))
    log = new_log_path(cache)

    remove_stale_shares()
    share = tempfile.mkdtemp(prefix="minivmm-nested-%d-" % os.getpid())
    saved_tty = None
    proc = None
    qemu_err = os.path.join(share, "qemu.stderr")
    try:
        have_stdin = False
        if not opts.interactive:
            have_stdin = read_stdin(os.path.join(share, "stdin"), deadline)
        write_run_script(share, cmd, env, cwd, opts.interactive, have_stdin)
        if opts.interactive:
            print(INTERACTIVE_BANNER, file=sys.stderr, flush=True)
            if os.isatty(0):
                saved_tty = termios.tcgetattr(0)
                # QEMU makes the terminal raw but keeps output processing (OPOST) on: drop
                # ONLCR so that the guest's ttyS0 alone turns \n into \r\n, once.
                raw = termios.tcgetattr(0)
                raw[1] &= ~termios.ONLCR
                termios.tcsetattr(0, termios.TCSANOW, raw)
        argv = qemu_argv(qemu, kernel, initrd, share, log, opts.memory, opts.interactive)
        t0 = time.monotonic()
        with open(qemu_err, "wb") as err:
            proc = subprocess.Popen(
                argv, stdin=None if opts.interactive else subprocess.DEVNULL,
                stdout=None if opts.interactive else subprocess.DEVNULL, stderr=err,
                preexec_fn=die_with_parent,
                # Batch: own session, so a Ctrl-C meant for us reaches QEMU only through us.
                # Interactive: QEMU must stay in the terminal's foreground process group.
                start_new_session=not opts.interactive)
        boot_s = None
        cmd_s = None
        while proc.poll() is None:
            if time.monotonic() > deadline:
                stop_qemu(proc)
                raise RouteError("timed out after %g s (--timeout); QEMU killed" % opts.timeout,
                                 code=EXIT_TIMEOUT, details=["console log: " + log]
                                 + log_tail(log))
            time.sleep(POLL_S)
            if boot_s is None or cmd_s is None:
                marks = console_marks(log)
                if boot_s is None and "ready" in marks:
                    boot_s = time.monotonic() - t0
                if boot_s is not None and any(m.startswith("done") for m in marks):
                    cmd_s = time.monotonic() - t0 - boot_s
        total_s = time.monotonic() - t0
        if saved_tty is not None:
            termios.tcsetattr(0, termios.TCSADRAIN, saved_tty)
            saved_tty = None
        return finish(opts, share, log, qemu_err, proc.returncode, boot_s, cmd_s, total_s)
    finally:
        stop_qemu(proc)
        if saved_tty is not None:
            termios.tcsetattr(0, termios.TCSADRAIN, saved_tty)
        shutil.rmtree(share, ignore_errors=True)


def finish(opts, share, log, qemu_err, qemu_rc, boot_s, cmd_s, total_s):
    """After QEMU exited: report, relay CMD's output and return its status."""
    try:
        with open(os.path.join(share, "dmesg"), "rb") as src, open(log, "ab") as dst:
            dst.write(b"----- guest dmesg at the end -----\n")
            shutil.copyfileobj(src, dst)
    except OSError:
        pass
    marks = console_marks(log)
    fails = [m[len("FAIL "):] for m in marks if m.startswith("FAIL ")]
    logs = [m[len("log "):] for m in marks if m.startswith("log ")]
    status_path = os.path.join(share, "status")
    if fails or not os.path.isfile(status_path):
        tail = log_tail(log)
        if fails:
            msg = "guest setup failed: " + fails[0]
            details = logs
        elif any("Kernel panic" in ln for ln in tail):
            msg = "guest kernel panic: " + next(ln for ln in tail if "Kernel panic" in ln)
            details = tail
        else:
            try:
                with open(qemu_err, "rb") as f:
                    err = f.read().decode("utf-8", "replace").strip()
            except OSError:
                err = ""
            msg = "QEMU exited (status %d) before CMD finished%s" % (
                qemu_rc, ": " + err.splitlines()[-1] if err else "")
            details = err.splitlines()[-10:] + ["console log tail:"] + tail
        raise RouteError(msg, details=details + ["console log: " + log])

    with open(status_path) as f:
        status = int(f.read().strip() or EXIT_ROUTE)
    if not opts.interactive:
        kernel = next((m[len("kernel "):] for m in marks if m.startswith("kernel ")), "?")
        lines = ["guest kernel %s under QEMU TCG (-cpu max), /dev/kvm present" % kernel]
        lines += [m[len("warn "):] for m in marks if m.startswith("warn ")]
        lines += [re.sub(r"^\[ *[0-9.]+\] ", "", m[len("kvm "):])
                  for m in marks if m.startswith("kvm ")]
        lines.append("booted in %s s; CMD ran %s s; %.1f s in QEMU in all (console log: %s)" % (
            "%.1f" % boot_s if boot_s is not None else "?",
            "%.1f" % cmd_s if cmd_s is not None else "?", total_s, log))
        for ln in lines:
            print("nested: " + ln, file=sys.stderr)
        sys.stderr.flush()
        relay(os.path.join(share, "stdout"), sys.stdout)
        relay(os.path.join(share, "stderr"), sys.stderr)
    return status


def relay(path, stream):
    try:
        with open(path, "rb") as f:
            stream.flush()
            shutil.copyfileobj(f, stream.buffer, 1 << 16)
            stream.flush()
    except FileNotFoundError:
        pass
    except BrokenPipeError:
        pass


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="nested_kvm.py",
        usage="%(prog)s [--interactive] [--timeout SECONDS] [--memory MIB] -- CMD [ARG...]",
        description="Run CMD inside a throwaway Linux (QEMU TCG, -cpu max) that has a real "
                    "/dev/kvm. Exit status: CMD's; 125 if the nested route failed, 124 on "
                    "timeout, 127 if CMD was not found.")
    ap.add_argument("--interactive", action="store_true",
                    help="CMD's stdin/stdout/stderr are this terminal (guest ttyS0)")
    ap.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                    help="kill QEMU and exit 124 after this long (default 300; none with "
                         "--interactive, where a person is at the controls)")
    ap.add_argument("--memory", type=int, default=2048, metavar="MIB",
                    help="guest memory in MiB (default 2048)")
    if "--" in argv:
        i = argv.index("--")
        opts, cmd = ap.parse_args(argv[:i]), argv[i + 1:]
    else:
        ap.add_argument("cmd", nargs=argparse.REMAINDER)
        opts = ap.parse_args(argv)
        cmd = opts.cmd
    if not cmd:
        ap.error("no CMD given (put it after --)")
    if opts.timeout is None:
        opts.timeout = float("inf") if opts.interactive else DEFAULT_TIMEOUT_S
    if opts.timeout <= 0 or opts.memory < 256:
        ap.error("--timeout must be > 0 and --memory at least 256")
    return opts, cmd


def main(argv):
    opts, cmd = parse_args(argv)

    def on_signal(signum, _frame):
        raise Interrupted(signum)

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    try:
        return run(opts, cmd)
    except RouteError as e:
        sys.stdout.flush()
        print("nested_kvm: %s" % e, file=sys.stderr)
        for ln in e.details:
            print("nested_kvm:   %s" % ln, file=sys.stderr)
        return e.code
    except Interrupted as e:
        print("nested_kvm: interrupted by signal %d; QEMU stopped" % e.signum, file=sys.stderr)
        return 128 + e.signum


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
