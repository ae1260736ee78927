// SPDX-License-Identifier: MIT
#include "testdev.h"

#include <string.h>

void testdev_init(struct testdev *t, const struct irq_line lines[TESTDEV_NR_LINES])
{
	memset(t, 0, sizeof(*t));
	memcpy(t->lines, lines, sizeof(t->lines));
}

uint8_t testdev_irq_read(const struct testdev *t, unsigned n)
{
	return n < TESTDEV_NR_IRQ_PORTS ? t->levels[n] : 0xff;
}

void testdev_irq_write(struct testdev *t, unsigned n, uint8_t value)
{
	if (n >= TESTDEV_NR_IRQ_PORTS)
		return;
	t->levels[n] = value != 0;
	if (n < TESTDEV_NR_LINES)
		irq_line_set(&t->lines[n], value != 0);
}

/* Little-endian byte `i` of a little-endian register or buffer. */
static uint32_t testdev_data_byte(const struct testdev *t, unsigned i)
{
	return i < TESTDEV_DATA_LEN ? (t->data >> (8 * i)) & 0xff : 0xff;
}

uint32_t testdev_data_read(const struct testdev *t, unsigned offset, unsigned size)
{
	uint32_t value = 0;

	for (unsigned i = 0; i < size && i < 4; i++)
		value |= testdev_data_byte(t, offset + i) << (8 * i);
	return value;
}

void testdev_data_write(struct testdev *t, unsigned offset, uint32_t value, unsigned size)
{
	for (unsigned i = 0; i < size && i < 4 && offset + i < TESTDEV_DATA_LEN; i++) {
		unsigned shift = 8 * (offset + i);

		t->data = (t->data & ~(0xffu << shift)) | (((value >> (8 * i)) & 0xff) << shift);
	}
}

uint64_t testdev_mmio_read(const struct testdev *t, uint64_t offset, unsigned size)
{
	uint64_t value = 0;

	for (unsigned i = 0; i < size && i < 8; i++) {
		uint64_t byte = offset + i < TESTDEV_MMIO_LEN ? t->mmio[offset + i] : 0xff;

		value |= byte << (8 * i);
	}
	return value;
}

void testdev_mmio_write(struct testdev *t, uint64_t offset, uint64_t value, unsigned size)
{
	for (unsigned i = 0; i < size && i < 8 && offset + i < TESTDEV_MMIO_LEN; i++)
		t->mmio[offset + i] = (uint8_t)(value >> (8 * i));
}
