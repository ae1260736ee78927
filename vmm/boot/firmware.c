// SPDX-License-Identifier: MIT
/* Our firmware ROM for --kernel (firmware.h). */
#include "firmware.h"

#include <string.h>

/* At 0xffff0, F000:FFF0: cli; hlt; jmp $-1 (back to the hlt). */
static const uint8_t firmware_reset_vector[] = { 0xfa, 0xf4, 0xeb, 0xfd };

int firmware_build(uint8_t *rom, uint64_t ram_size, uint64_t *rsdp_addr, struct error *err)
{
	(void)ram_size;
	(void)err;
	memset(rom, 0xff, FIRMWARE_SIZE);	/* what an erased flash reads */
	memcpy(rom + FIRMWARE_SIZE - 16, firmware_reset_vector, sizeof(firmware_reset_vector));
	*rsdp_addr = 0;
	return 0;
}
