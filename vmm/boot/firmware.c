// SPDX-License-Identifier: MIT
/* Our firmware ROM for --kernel (firmware.h). */
#include "firmware.h"

#include <errno.h>
#include <string.h>

#include "acpi.h"
#include "acpi_sleep.h"

/* At 0xffff0, F000:FFF0: cli; hlt; jmp $-1 (back to the hlt). */
static const uint8_t firmware_reset_vector[] = { 0xfa, 0xf4, 0xeb, 0xfd };

int firmware_build(uint8_t *rom, uint64_t ram_size, uint64_t *rsdp_addr, struct error *err)
{
	/* The board's power management registers (devices/acpi_sleep.h) and
	 * its reset register (0xcf9, devices/reset_control.h), as Linux's
	 * acpi_power_off() and acpi_reboot() will use them. */
	const struct acpi_config acpi = {
		.pm1a_evt_port = ACPI_SLEEP_PM1_EVT_PORT, .pm1a_cnt_port = ACPI_SLEEP_PM1_CNT_PORT,
		.reset_port = 0xcf9, .reset_value = 0x06,
		.sci_irq = ACPI_SLEEP_SCI_IRQ, .s5_slp_typ = ACPI_SLEEP_S5_TYP,
	};
	struct acpi_tables tables;
	int ret;

	(void)ram_size;
	memset(rom, 0xff, FIRMWARE_SIZE);	/* what an erased flash reads */
	memcpy(rom + FIRMWARE_SIZE - 16, firmware_reset_vector, sizeof(firmware_reset_vector));
	ret = acpi_build_tables(&acpi, rom, FIRMWARE_SIZE - 16, FIRMWARE_BASE, &tables);
	if (ret < 0)
		return error_set(err, ret, "cannot build the ACPI tables: %s", strerror(-ret));
	*rsdp_addr = tables.rsdp;
	return 0;
}
