/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_DEVICES_SHUTDOWN_PORTS_H
#define MINIVMM_DEVICES_SHUTDOWN_PORTS_H

/*
 * The "shutdown ports" hobby kernels use to power other emulators off
 * (OSDev wiki, "Shutdown"):
 *
 *   outw 0x604, 0x2000    QEMU (q35, and i440fx since 2.0)
 *   outw 0xb004, 0x2000   Bochs, and QEMU before 2.0 (SeaBIOS's PIIX4 PM base)
 *   outw 0x4004, 0x3400   VirtualBox
 *
 * Each is the PM1a_CNT register of that machine's ACPI PM block (PM base
 * + 4), written with SLP_EN (0x2000) and the SLP_TYP its DSDT gives \_S5:
 * 0 on QEMU and Bochs, 5 on VirtualBox (5 << 10 = 0x1400).  So they are
 * not a new device: each is one more instance of the PM1_CNT model in
 * acpi_sleep.h, with its own S5 type, at its own port.  0x604 already is
 * our own PM1_CNT (acpi_sleep.h: the block the firmware's FADT points Linux
 * at); this header names the other two.  Only PM1_CNT is there: the rest
 * of those PM blocks (PM1_STS/PM1_EN, the PM timer, GPEs) is not, and
 * reads as a floating bus.
 *
 * What each does, then, as our 0x604 (acpi_sleep.h has the details):
 *   - SLP_EN with the S5 type powers off: minivmm exits with status 0;
 *   - SLP_EN with another type is counted and ignored (a machine with no
 *     other sleep state); a write without SLP_EN only stores SLP_TYP;
 *   - a read returns SCI_EN (always 1) and SLP_TYP as last written;
 *   - the register is byte-wide to the bus, so outw is two byte writes,
 *     and the one to the high byte (SLP_EN, SLP_TYP) decides: `outb
 *     0xb005, 0x20` powers off too, as on QEMU's PM1_CNT since its 2023
 *     fix for byte writes to the high byte ("hw/acpi: Fix PM control
 *     register access"); an outl writes its low word here and its high
 *     word to the next two ports (nothing).
 *
 * Deliberate deviations from the originals:
 *   - VirtualBox's DevACPI powers off as soon as SLP_TYP *changes* to 5
 *     (also 1 or 4, with S1/S4 disabled as by default), SLP_EN or not,
 *     and stops in its debugger on byte accesses; we follow ACPI, as
 *     QEMU and Bochs do: SLP_EN carries the request.  The 0x3400 hobby
 *     kernels write works the same on both.
 *   - Bochs' S1 ("suspend to RAM") and QEMU's S1/S4 (suspend, hibernate)
 *     are ignored here, like every type but S5.
 *   - Bochs' older "Shutdown" string on port 0x8900 is not provided.
 */

#define SHUTDOWN_BOCHS_PM1_CNT_PORT 0xb004	/* Bochs' and SeaBIOS's PIIX4 PM base 0xb000 */
#define SHUTDOWN_BOCHS_S5_TYP 0
#define SHUTDOWN_VBOX_PM1_CNT_PORT 0x4004	/* VirtualBox's PM base 0x4000 */
#define SHUTDOWN_VBOX_S5_TYP 5

#endif
