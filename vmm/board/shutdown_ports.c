// SPDX-License-Identifier: MIT
/*
 * Glue for the shutdown ports of other emulators (devices/shutdown_ports.h):
 * Bochs' (and QEMU-before-2.0's) PM1_CNT at 0xb004 and VirtualBox's at
 * 0x4004, each an instance of the ACPI PM1_CNT model (devices/acpi_sleep.h)
 * with that machine's S5 type.  `outw 0xb004, 0x2000` and `outw 0x4004,
 * 0x3400` end minivmm with status 0 and a line naming the port.  (QEMU's
 * 0x604 is our own PM1_CNT: vmm/board/acpi_sleep.c.)
 */
#include <inttypes.h>

#include "acpi_sleep.h"
#include "board.h"
#include "machine.h"
#include "shutdown_ports.h"
#include "util.h"

struct shutdown_port_spec {
	const char *name;	/* the bus region's name */
	const char *how;	/* for the exit message: "guest powered the machine off (how)" */
	uint16_t port;
	uint8_t s5_typ;
};

static const struct shutdown_port_spec shutdown_port_specs[] = {
	{ "bochs-pm1-cnt", "Bochs port 0xb004", SHUTDOWN_BOCHS_PM1_CNT_PORT,
	  SHUTDOWN_BOCHS_S5_TYP },
	{ "vbox-pm1-cnt", "VirtualBox port 0x4004", SHUTDOWN_VBOX_PM1_CNT_PORT,
	  SHUTDOWN_VBOX_S5_TYP },
};

#define SHUTDOWN_NR_PORTS ARRAY_SIZE(shutdown_port_specs)

struct shutdown_port {
	struct acpi_sleep pm1;
	struct machine *machine;
	const struct shutdown_port_spec *spec;
};

struct shutdown_ports {
	struct shutdown_port ports[SHUTDOWN_NR_PORTS];
};

static void shutdown_port_poweroff(void *opaque)
{
	struct shutdown_port *p = opaque;

	machine_request_poweroff(p->machine, p->spec->how);
}

static uint64_t shutdown_port_io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct shutdown_port *p = opaque;

	(void)size;
	return acpi_sleep_cnt_read(&p->pm1, (unsigned)offset);
}

static void shutdown_port_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct shutdown_port *p = opaque;

	(void)size;
	acpi_sleep_cnt_write(&p->pm1, (unsigned)offset, (uint8_t)value);
}

/* Byte-wide, as our PM1_CNT at 0x604: the bus splits an outw. */
static const struct bus_ops shutdown_port_ops = {
	.read = shutdown_port_io_read, .write = shutdown_port_io_write, .max_access_size = 1,
};

static int shutdown_ports_setup(struct machine *m, void *state, struct error *err)
{
	struct shutdown_ports *s = state;

	for (size_t i = 0; i < SHUTDOWN_NR_PORTS; i++) {
		struct shutdown_port *p = &s->ports[i];
		const struct shutdown_port_spec *spec = &shutdown_port_specs[i];
		int ret;

		p->machine = m;
		p->spec = spec;
		acpi_sleep_init(&p->pm1, spec->s5_typ, shutdown_port_poweroff, p);
		ret = board_claim(m, BUS_PIO, spec->port, ACPI_SLEEP_PM1_CNT_LEN, spec->name,
				  &shutdown_port_ops, p, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void shutdown_ports_reset(struct machine *m, void *state)
{
	struct shutdown_ports *s = state;

	(void)m;
	for (size_t i = 0; i < SHUTDOWN_NR_PORTS; i++)
		acpi_sleep_reset(&s->ports[i].pm1);
}

static void shutdown_ports_print_stats(void *state, FILE *out)
{
	const struct shutdown_ports *s = state;

	fprintf(out, "minivmm: stats: shutdown ports:");
	for (size_t i = 0; i < SHUTDOWN_NR_PORTS; i++) {
		const struct acpi_sleep_stats *st = &s->ports[i].pm1.stats;
		uint64_t ignored = 0;

		for (unsigned t = 0; t < ACPI_SLEEP_NR_TYPES; t++)
			ignored += st->ignored[t];
		fprintf(out, "%s %s: %" PRIu64 " power-off requests, %" PRIu64 " other sleep "
			"requests ignored", i == 0 ? "" : ";", shutdown_port_specs[i].how,
			st->poweroffs, ignored);
	}
	fputc('\n', out);
}

const struct board_device board_shutdown_ports = {
	.name = "shutdown-ports",
	.state_size = sizeof(struct shutdown_ports),
	.setup = shutdown_ports_setup,
	.reset = shutdown_ports_reset,
	.print_stats = shutdown_ports_print_stats,
};
