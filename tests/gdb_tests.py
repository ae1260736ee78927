#!/usr/bin/env python3
"""GDB stub tests: Debian's gdb in batch mode against `minivmm --gdb PORT --gdb-wait`.

    gdb_tests.py --build-dir BUILD TEST

Each test starts minivmm stopped before its first instruction, runs
`gdb -batch -nx` with a list of commands against it, and checks what gdb
printed and minivmm's exit status.  Symbols: pm32 is a flat image, and
build/kernels/pm32.elf is its ELF twin with its labels (every nasm kernel
gets one, see kernels/meson.build); the multiboot kernel
(tests/kernels/gdb_mb.asm) is an ELF with symbols already.  The
route (real KVM here, or inside a throwaway Linux under QEMU) is
guest_tests.py's, whose harness this file shares.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import guest_tests as gt
from guest_tests import Failure, check, test

GDB_TIMEOUT = 120       # a hang guard for the nested route, not a figure anyone checks


def free_port():
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def marker(name, command):
    """gdb commands that print `@name:` then the command's output, for parsing."""
    return ["echo @%s:" % name, command]


def value(out, name):
    """What the command after marker `name` printed: '$N = VALUE' -> VALUE."""
    m = re.search(r"@%s:(?:\$\d+ = )?(.*)" % re.escape(name), out)
    if m is None:
        raise Failure("gdb printed nothing for %s\n--- gdb ---\n%s" % (name, out))
    return m.group(1).strip()


def run_gdb(env, minivmm_args, commands, symbols=None):
    """Start minivmm stopped (--gdb-wait), run gdb's commands against it.
    Returns (gdb output, minivmm status, minivmm stderr)."""
    if shutil.which("gdb") is None:
        raise Failure("gdb not found: scripts/install-deps test installs it")
    for attempt in range(3):
        port = free_port()
        cmd = [env.minivmm, "--gdb", str(port), "--gdb-wait", "--stats"] + minivmm_args
        print("$ " + " ".join(cmd), flush=True)
        vmm = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
        ex = ["set pagination off", "set confirm off", "set tcp connect-timeout 60"]
        if symbols:
            ex.append("symbol-file " + symbols)
        ex += commands[0] + ["target remote 127.0.0.1:%d" % port] + commands[1]
        argv = ["gdb", "-batch", "-nx"]
        for c in ex:
            argv += ["-ex", c]
        print("$ " + " ".join("'%s'" % a if " " in a else a for a in argv), flush=True)
        try:
            g = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=GDB_TIMEOUT)
            out = (g.stdout + g.stderr).decode(errors="replace")
        except subprocess.TimeoutExpired as e:
            out = ((e.stdout or b"") + (e.stderr or b"")).decode(errors="replace")
            vmm.kill()
            raise Failure("gdb did not finish within %d s\n--- gdb ---\n%s" % (GDB_TIMEOUT, out))
        try:
            vout, verr = vmm.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            vmm.kill()
            vout, verr = vmm.communicate()
            raise Failure("minivmm did not exit after gdb\n--- gdb ---\n%s\n--- stderr ---\n%s"
                          % (out, verr.decode(errors="replace")))
        verr = verr.decode(errors="replace")
        sys.stdout.write("--- gdb ---\n%s\n--- guest serial output ---\n%s\n--- stderr ---\n%s"
                         "--- exit status %d ---\n" % (out, vout.decode(errors="replace"), verr,
                                                      vmm.returncode))
        if vmm.returncode == gt.EXIT_SETUP and "Address already in use" in verr:
            continue        # someone took the port between our probe and minivmm's bind
        return out, vmm.returncode, verr
    raise Failure("no free TCP port for --gdb after 3 tries")


def pm32_symbols(env, tmp):
    """pm32's ELF twin, with its labels (kernels/meson.build, tools/kernel_elf.py)."""
    elf = os.path.join(env.build, "kernels", "pm32.elf")
    if not os.path.exists(elf):
        raise Failure("kernels/pm32.elf was not built")
    print("pm32 symbols from %s" % elf)
    return elf


@test(timeout=300)
def gdb_pm32(env):
    """From the reset vector in real mode, across the switch, to pm_main by symbol."""
    with tempfile.TemporaryDirectory(prefix="minivmm-gdb-") as tmp:
        symbols = pm32_symbols(env, tmp)
        before = ["set architecture i8086"]
        after = (marker("pc0", "p/x $pc") + marker("cs0", "p/x $cs") +
                 marker("csbase0", "p/x $cs_base") + marker("insn0", "x/i $pc") +
                 ["stepi"] + marker("pc1", "p/x $pc") + marker("insn1", "x/i $pc") +
                 ["stepi"] + marker("pc2", "p/x $pc") +
                 ["break pm_main", "continue", "set architecture i386"] +
                 marker("pc3", "p/x $pc") + marker("where3", "info symbol $pc") +
                 marker("eax", "p/x $eax") + marker("eax_info", "info registers eax") +
                 marker("cr0", "p/x $cr0") + marker("cs3", "p/x $cs") +
                 ["set {int}0x5000 = 0x12345678"] + marker("mem", "x/wx 0x5000") +
                 ["monitor phys on"] + marker("phys", "x/wx 0x5000") + ["monitor phys off"] +
                 ["continue"])
        out, status, err = run_gdb(env, ["--bios", env.kernel("pm32")], (before, after),
                                   symbols)
    check(value(out, "pc0") == "0xfffffff0",
          "stopped at the reset vector: $pc is CS.base + IP = 0xfffffff0", out)
    check(value(out, "cs0") == "0xf000", "CS is F000 (F000:FFF0)", out)
    check(value(out, "csbase0") == "0xffff0000", "CS's hidden base is 0xffff0000", out)
    check("jmp" in value(out, "insn0"), "x/i $pc shows the reset vector's far jump", out)
    check(value(out, "pc1") == "0xfc000",
          "stepi in real mode: at F000:C000, $pc the linear 0xfc000", out)
    check("cli" in value(out, "insn1"), "x/i $pc agrees with the new $pc", out)
    check(value(out, "pc2") == "0xfc001", "a second stepi moves one instruction on", out)
    pm_main = int(value(out, "pc3"), 16)
    check(re.search(r"Breakpoint 1 at 0x%x" % pm_main, out) is not None and pm_main >= 0xF0000,
          "break pm_main resolved the symbol (%#x)" % pm_main, out)
    check(re.search(r"Breakpoint 1, 0x0*%x in pm_main" % pm_main, out) is not None,
          "continue stopped at the protected-mode label pm_main", out)
    check(value(out, "where3").startswith("pm_main"), "$pc is pm_main", out)
    eax = value(out, "eax")
    check(re.fullmatch(r"0x[0-9a-f]+", eax) is not None and
          value(out, "eax_info").split()[1] == eax, "p $eax reads EAX (%s)" % eax, out)
    check(int(value(out, "cr0"), 16) & 1 == 1, "p $cr0 shows CR0.PE set", out)
    check(value(out, "cs3") == "0x8", "CS holds the 32-bit code selector", out)
    check(value(out, "mem").endswith("0x12345678"), "a memory write reads back", out)
    check(value(out, "phys").endswith("0x12345678"), "and so through `monitor phys on`", out)
    check("exited with code 01]" in out, "continue runs pm32 to its exit; gdb hears status 1",
          out)
    check(status == 1, "minivmm exits with pm32's status 1", err)
    check("FAIL" not in out, "no FAIL line", out)
    check(re.search(r"stats: gdb: \d+ packets, 1 breakpoint hits", err) is not None,
          "--stats counts the breakpoint hit", err)


@test(timeout=300)
def gdb_multiboot(env):
    """A multiboot ELF: break by symbol, registers, a step, a memory write that
    changes the exit status."""
    elf = os.path.join(env.build, "tests", "kernels", "gdb_mb.elf")
    if not os.path.exists(elf):
        raise Failure("tests/kernels/gdb_mb.elf was not built")
    after = (marker("pc0", "p/x $pc") + marker("where0", "info symbol $pc") +
             ["break gdb_mb_check", "continue"] + marker("eax", "p/x $eax") +
             marker("cr0", "p/x $cr0") +
             ["set {int}&gdb_mb_value = 21"] + marker("mem", "x/wx &gdb_mb_value") +
             ["stepi"] + marker("insn", "x/i $pc") + ["continue"])
    out, status, err = run_gdb(env, ["--kernel", elf], ([], after), elf)
    check(value(out, "where0").startswith("_start"),
          "stopped before the first instruction, at the multiboot entry _start", out)
    check(re.search(r"Breakpoint 1, 0x[0-9a-f]+ in gdb_mb_check", out) is not None,
          "break gdb_mb_check stopped there", out)
    check(value(out, "eax") == "0x1234abcd", "EAX holds the kernel's mark", out)
    check(int(value(out, "cr0"), 16) & 1 == 1, "CR0.PE is set", out)
    check("add" in value(out, "insn"), "stepi went to the next instruction", out)
    check(value(out, "mem").endswith("0x00000015"), "the kernel's variable now holds 21", out)
    check("exited with code 053]" in out, "gdb hears the exit status 43 (octal 053)", out)
    check(status == (21 << 1) | 1, "the kernel exits with the value gdb wrote: status 43", err)


def rsp_exchange(sock, packet, timeout=30):
    """Send one packet, return the body of the next reply packet (acks skipped)."""
    body = packet.encode()
    sock.sendall(b"$%s#%02x" % (body, sum(body) & 0xff))
    return rsp_read(sock, timeout)


def rsp_read(sock, timeout=30):
    data = b""
    deadline = time.monotonic() + timeout
    while True:
        m = re.search(rb"\$([^#]*)#[0-9a-f]{2}", data)
        if m:
            sock.sendall(b"+")
            return m.group(1).decode()
        sock.settimeout(max(deadline - time.monotonic(), 0.1))
        try:
            chunk = sock.recv(4096)
        except socket.timeout:
            raise Failure("no reply from the stub; got %r" % data)
        if not chunk:
            raise Failure("the stub closed the connection; got %r" % data)
        data += chunk


@test(timeout=300)
def gdb_interrupt(env):
    """Ctrl-C (0x03) stops a running guest, even a halted one; detaching lets it run."""
    port = free_port()
    vmm = env.start(["--gdb", str(port), "--bios", env.kernel("idle")])
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline or vmm.poll() is not None:
                    raise Failure("could not connect to the stub")
                time.sleep(0.2)
        with sock:
            stop = rsp_exchange(sock, "?")
            check(stop.startswith("T05"), "connecting stops the guest: ? answers T05 (%s)"
                  % stop)
            sock.sendall(b"$c#63")
            check(sock.recv(1) == b"+", "c is acknowledged, the guest runs")
            gt.read_until(vmm.stdout.fileno(), b"halting", 60)
            time.sleep(0.5)
            sock.sendall(b"\x03")
            stop = rsp_read(sock)
            check(stop.startswith("T02"), "Ctrl-C stops the halted guest with SIGINT (%s)" % stop)
            regs = rsp_exchange(sock, "g")
            check(len(regs) == 480, "g reads every register while stopped")
            check(rsp_exchange(sock, "D") == "OK", "detach answers OK")
        time.sleep(0.5)
        check(vmm.poll() is None, "after the detach the guest runs on")
    finally:
        vmm.terminate()
        vmm.communicate(timeout=30)
    check(vmm.returncode == 128 + 15, "SIGTERM ends minivmm (status 143)")


@test(timeout=600)
def gdb_linux(env):
    """Debian's Linux in long mode: gdb attaches to the running kernel (amd64 layout), reads
    its registers and text, breaks in a system call, detaches; the shell lives on."""
    import linux_tests
    if shutil.which("gdb") is None:
        raise Failure("gdb not found: scripts/install-deps test installs it")
    port = free_port()
    linux = linux_tests.Linux(env, extra_args=["--gdb", str(port)])
    # The runtime address (KASLR included) from the kernel itself: Debian's
    # /boot/System.map is a placeholder.
    line = linux.sh("grep ' __x64_sys_sync$' /proc/kallsyms")
    m = re.match(r"([0-9a-f]{16}) [Tt] __x64_sys_sync", line.strip())
    check(m is not None and int(m.group(1), 16) >> 63, "/proc/kallsyms has __x64_sys_sync", line)
    sync = int(m.group(1), 16)
    with tempfile.TemporaryDirectory(prefix="minivmm-gdb-") as tmp:
        armed = os.path.join(tmp, "armed")
        ex = (["set pagination off", "set confirm off", "set tcp connect-timeout 60",
               "target remote 127.0.0.1:%d" % port] +
              marker("arch", "show architecture") + marker("pc", "p/x $pc") +
              marker("regs", "info registers rip rsp cr3") + marker("insn", "x/2i $pc") +
              ["echo @end-insn\\n"] + marker("cr0", "p/x $cr0") + marker("efer", "p/x $efer") +
              marker("cr4", "p/x $cr4") + marker("stack", "x/gx $rsp") +
              ["break *%#x" % sync, "shell touch " + armed, "continue"] +
              marker("hit", "p/x $pc") + marker("hitinsn", "x/i $pc") +
              ["delete", "detach"])
        argv = ["gdb", "-batch", "-nx"]
        for c in ex:
            argv += ["-ex", c]
        print("$ " + " ".join("'%s'" % a if " " in a else a for a in argv), flush=True)
        g = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
        try:
            # When the breakpoint is in, type `sync`: the shell runs it once gdb continues.
            deadline = time.monotonic() + GDB_TIMEOUT
            while not os.path.exists(armed):
                if g.poll() is not None or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            if os.path.exists(armed):
                linux.p.stdin.write(b"sync\n")
                linux.p.stdin.flush()
            out = g.communicate(timeout=GDB_TIMEOUT)[0].decode(errors="replace")
        except subprocess.TimeoutExpired:
            g.kill()
            out = g.communicate()[0].decode(errors="replace")
            linux.p.kill()
            raise Failure("gdb did not finish within %d s\n--- gdb ---\n%s" % (GDB_TIMEOUT, out))
    sys.stdout.write("--- gdb ---\n%s\n" % out)
    check("x86-64" in value(out, "arch"), "gdb took the amd64 description", out)
    pc = value(out, "pc")
    check(re.fullmatch(r"0xffffffff[0-9a-f]{8}", pc) is not None,
          "attaching stopped the kernel: $pc is a kernel address (%s)" % pc, out)
    regs = out.split("@regs:", 1)[-1]
    for name in ("rip", "rsp", "cr3"):
        check(re.search(r"^%s\s+0x[0-9a-f]+" % name, regs, re.M) is not None,
              "info registers shows %s" % name, out)
    check(re.search(r"^rip\s+%s\s" % pc, regs, re.M) is not None, "$rip is $pc", out)
    # The kernel half of the address space: canonical, top bit set.  With
    # 5-level paging (CR4.LA57, on CPUs that have it) Linux's stacks live
    # at 0xff11... and above, not 0xffff...: only the width differs.
    m = re.search(r"^rsp\s+(0x[0-9a-f]+)\s", regs, re.M)
    check(m is not None, "info registers shows $rsp's value", out)
    rsp = int(m.group(1), 16)
    width = 57 if int(value(out, "cr4"), 16) & (1 << 12) else 48
    check(rsp >> (width - 1) == (1 << (65 - width)) - 1,
          "$rsp is a kernel address for %d-bit addressing (%#x)" % (width, rsp), out)
    stack = value(out, "stack")
    check(re.match(r"0x[0-9a-f]+:\s+0x[0-9a-f]+$", stack) is not None,
          "gdb reads the kernel stack at $rsp (%s)" % stack, out)
    insn = out.split("@insn:", 1)[-1].split("@end-insn", 1)[0]
    lines = re.findall(r"^(?:=> )?\s*0xffffffff[0-9a-f]{8}(?: <[^>]*>)?:\s+\S.*$", insn, re.M)
    check(len(lines) == 2 and "Cannot access memory" not in insn and "(bad)" not in insn,
          "x/2i $pc decodes two kernel instructions", out)
    cr0 = int(value(out, "cr0").split()[0], 16)
    check(cr0 & 0x80000001 == 0x80000001, "CR0.PG and CR0.PE are set (%#x)" % cr0, out)
    check(int(value(out, "efer"), 16) & 0x500 == 0x500, "EFER.LME and LMA are set", out)
    check(re.search(r"Breakpoint 1, 0x0*%x in " % sync, out) is not None,
          "typing sync hit the breakpoint at __x64_sys_sync (%#x)" % sync, out)
    check(int(value(out, "hit"), 16) == sync, "$pc is __x64_sys_sync", out)
    hitinsn = out.split("@hitinsn:", 1)[-1].split("\n", 1)[0]
    check(re.search(r"0x0*%x(?: <[^>]*>)?:\s+\S" % sync, hitinsn) is not None and
          "hlt" not in hitinsn, "x/i reads the kernel text under the breakpoint, not our HLT",
          out)
    check("[Inferior 1 (Remote target) detached]" in out, "gdb detached", out)
    linux.read_to(linux_tests.PROMPT, linux_tests.BOOT_TIMEOUT)    # sync ran
    check(linux.sh("echo alive").strip() == "alive", "after the detach the shell answers")
    status, err = linux.finish("poweroff -f")
    check(status == 0, "poweroff -f ends minivmm with status 0 (got %d)" % status, err)
    check(re.search(r"stats: gdb: \d+ packets, 1 breakpoint hits", err) is not None,
          "--stats counts the breakpoint hit", err)


if __name__ == "__main__":
    # The registry holds guest_tests.py's tests too: run and list only ours.
    for name in [n for n, (fn, _, _) in gt.TESTS.items() if fn.__module__ != __name__]:
        del gt.TESTS[name]
    sys.exit(gt.main())
