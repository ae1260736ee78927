#!/usr/bin/env python3
"""Wrap a flat kernel image and nasm's map of it in an ELF file, so gdb knows its labels.

    kernel_elf.py MAP IMAGE OUTPUT.elf [--base ADDR]
    kernel_elf.py --nasm NASM [NASM-ARGS...] -- SOURCE.asm OUTPUT.elf
                  (assembles SOURCE as a flat image with a map, then the same)

Our lesson and test kernels are flat 64 KiB ROMs (nasm -f bin) that the CPU runs at 0xF0000
(and from the reset vector).  gdb wants an ELF with a symbol table: this writes one whose
.text section holds the image at its linear address (ADDR, default 0xF0000) and whose symbols
are the map's labels at linear addresses, as minivmm's GDB stub reports $pc (CS.base + IP in
real mode).  Labels of ROM sections become ADDR + their offset in the image (nasm's "Real"
column: for .text16, whose labels are offsets in segment 0xF000, that is exactly the linear
address); labels of .bss (nobits, in RAM) keep their address.  Constants (equ) are left out.

    gdb build/kernels/pm32.elf -ex 'target remote :1234' -ex 'break pm_start32'

Python 3 stdlib only; the map comes from nasm's `[map symbols FILE]` directive (given with
--before, so the sources need no change).
"""

import argparse
import os
import re
import struct
import subprocess
import sys
import tempfile

SECTION_RE = re.compile(r"^---- Section (\S+) -+$")
SYMBOL_RE = re.compile(r"^\s*([0-9A-Fa-f]+)\s+([0-9A-Fa-f]+)\s+(\S+)\s*$")


def read_map(path, base):
    """[(name, address, is_data)] of every label in a section."""
    symbols = []
    section = None
    with open(path) as f:
        for line in f:
            m = SECTION_RE.match(line.strip())
            if m:
                section = m.group(1)
                continue
            if line.startswith("---- No Section"):
                section = None
                continue
            m = SYMBOL_RE.match(line)
            if section is None or not m:
                continue
            real, virtual, name = int(m.group(1), 16), int(m.group(2), 16), m.group(3)
            if section == ".bss":
                symbols.append((name, virtual, True))
            elif name.startswith("..@"):
                continue        # a macro's local label: one per expansion, noise to gdb
            else:
                symbols.append((name, base + real, False))
    return symbols


def build_elf(image, base, symbols):
    """An ELF32 i386 ET_EXEC: one PT_LOAD of the image at `base`, .text, .symtab, .strtab."""
    shstrtab = b"\0.text\0.symtab\0.strtab\0.shstrtab\0"
    strtab = bytearray(b"\0")
    syms = [struct.pack("<IIIBBH", 0, 0, 0, 0, 0, 0)]          # the null symbol
    for name, addr, is_data in symbols:
        off = len(strtab)
        strtab += name.encode() + b"\0"
        in_image = base <= addr < base + len(image)
        info = (1 << 4) | (1 if is_data else 2)             # STB_GLOBAL, OBJECT or FUNC
        shndx = 1 if in_image else 0xFFF1                   # .text, or SHN_ABS
        syms.append(struct.pack("<IIIBBH", off, addr, 0, info, 0, shndx))
    symtab = b"".join(syms)

    ehsize, phsize, shsize = 52, 32, 40
    text_off = 0x1000                                       # page-aligned, as loaders like
    symtab_off = text_off + len(image)
    strtab_off = symtab_off + len(symtab)
    shstr_off = strtab_off + len(strtab)
    sh_off = (shstr_off + len(shstrtab) + 3) & ~3

    ehdr = struct.pack("<16sHHIIIIIHHHHHH",
                       b"\x7fELF\x01\x01\x01" + bytes(9),   # ELF32, little endian, SysV
                       2, 3, 1,                              # ET_EXEC, EM_386, EV_CURRENT
                       base + 0xFFF0 if len(image) == 0x10000 else base,  # the reset vector
                       ehsize, sh_off, 0, ehsize, phsize, 1, shsize, 5, 4)
    phdr = struct.pack("<IIIIIIII", 1, text_off, base, base, len(image), len(image),
                       5, 0x1000)                            # PT_LOAD, R+X
    shdrs = [
        bytes(shsize),
        struct.pack("<IIIIIIIIII", 1, 1, 6, base, text_off, len(image), 0, 0, 16, 0),
        struct.pack("<IIIIIIIIII", 7, 2, 0, 0, symtab_off, len(symtab), 3, 1, 4, 16),
        struct.pack("<IIIIIIIIII", 15, 3, 0, 0, strtab_off, len(strtab), 0, 0, 1, 0),
        struct.pack("<IIIIIIIIII", 23, 3, 0, 0, shstr_off, len(shstrtab), 0, 0, 1, 0),
    ]
    out = bytearray(ehdr + phdr)
    out += bytes(text_off - len(out))
    out += image + symtab + strtab + shstrtab
    out += bytes(sh_off - len(out))
    out += b"".join(shdrs)
    return bytes(out)


def assemble(argv):
    """--nasm NASM ARGS... -- SOURCE OUTPUT: the flat image and its map, then the ELF."""
    sep = argv.index("--")
    nasm, nasm_args = argv[1], argv[2:sep]
    source, output = argv[sep + 1:sep + 3]
    with tempfile.TemporaryDirectory() as tmp:
        image, mapfile = os.path.join(tmp, "image.bin"), os.path.join(tmp, "image.map")
        subprocess.run([nasm, "-f", "bin"] + nasm_args +
                       ["--before", "[map symbols %s]" % mapfile, "-o", image, source],
                       check=True)
        with open(image, "rb") as f:
            data = f.read()
        symbols = read_map(mapfile, 0xF0000)
    with open(output, "wb") as f:
        f.write(build_elf(data, 0xF0000, symbols))
    return 0


def main():
    if sys.argv[1:2] == ["--nasm"]:
        return assemble(sys.argv[1:])
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("map")
    ap.add_argument("image")
    ap.add_argument("output")
    ap.add_argument("--base", type=lambda s: int(s, 0), default=0xF0000)
    args = ap.parse_args()
    with open(args.image, "rb") as f:
        image = f.read()
    symbols = read_map(args.map, args.base)
    if not symbols:
        print("kernel_elf.py: no labels in %s (was it made with [map symbols ...]?)" % args.map,
              file=sys.stderr)
        return 1
    with open(args.output, "wb") as f:
        f.write(build_elf(image, args.base, symbols))
    return 0


if __name__ == "__main__":
    sys.exit(main())
