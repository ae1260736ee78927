// SPDX-License-Identifier: MIT
/*
 * Resident memory beyond guest RAM: what a running minivmm costs in RSS
 * besides the RAM it gives the guest.  `minivmm --memory 16M --bios
 * hello_idle.bin` runs as a child until the guest has printed its line
 * and halted; then we add up Rss over /proc/PID/smaps, leaving out the
 * guest RAM mapping (vm.c: an anonymous mapping of exactly the RAM size)
 * and the ROM copy (vm.c: a separate anonymous mapping of the image size,
 * when the kernel kept it apart from its neighbours).  The baseline is the
 * same figure for raw_hello (bench/raw_hello.c), which builds the same VM
 * with no event loop, thread or device model.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "bench.h"
#include "child.h"

#define MEMORY_RAM_MIB 16
#define MEMORY_ROM_KIB 64		/* hello_idle.bin */
#define MEMORY_TIMEOUT_NS (10 * UINT64_C(1000000000))
#define MEMORY_GOAL_MIB 5.0
#define MEMORY_TOP 5
#define MEMORY_MAX_NAMES 128

/* Rss (and Pss) summed by mapping name: a file's basename, or [heap], [anon]... */
struct memory_part {
	char name[64];
	uint64_t rss_kb, pss_kb;
};

struct memory_usage {
	uint64_t total_kb;		/* every mapping */
	uint64_t beyond_kb;		/* every mapping but guest RAM and the ROM copy */
	uint64_t beyond_pss_kb;
	uint64_t ram_rss_kb;		/* the guest RAM mapping's own Rss */
	bool ram_found, rom_found;
	struct memory_part parts[MEMORY_MAX_NAMES];	/* beyond guest RAM, by name */
	size_t nr_parts;
};

struct memory_mapping {
	char name[64];
	uint64_t size_kb, rss_kb, pss_kb;
	bool anon;
	bool valid;
};

static void memory_add_part(struct memory_usage *u, const struct memory_mapping *m)
{
	size_t i;

	for (i = 0; i < u->nr_parts; i++)
		if (strcmp(u->parts[i].name, m->name) == 0)
			break;
	if (i == u->nr_parts) {
		if (u->nr_parts == MEMORY_MAX_NAMES)
			i--;	/* out of slots: lump the rest into the last one */
		else
			snprintf(u->parts[u->nr_parts++].name, sizeof(u->parts[0].name), "%s",
				 m->name);
	}
	u->parts[i].rss_kb += m->rss_kb;
	u->parts[i].pss_kb += m->pss_kb;
}

/* One mapping is complete: count it where it belongs. */
static void memory_account(struct memory_usage *u, const struct memory_mapping *m)
{
	if (!m->valid)
		return;
	u->total_kb += m->rss_kb;
	if (m->anon && !u->ram_found && m->size_kb == MEMORY_RAM_MIB * 1024) {
		u->ram_found = true;
		u->ram_rss_kb = m->rss_kb;
		return;
	}
	if (m->anon && !u->rom_found && m->size_kb == MEMORY_ROM_KIB) {
		u->rom_found = true;
		return;
	}
	u->beyond_kb += m->rss_kb;
	u->beyond_pss_kb += m->pss_kb;
	memory_add_part(u, m);
}

/* A header line: "start-end perms offset dev inode [path]". */
static void memory_parse_header(const char *line, struct memory_mapping *m)
{
	unsigned long long inode = 0;
	int path_at = 0;
	const char *path, *base;

	memset(m, 0, sizeof(*m));
	if (sscanf(line, "%*x-%*x %*s %*x %*x:%*x %llu %n", &inode, &path_at) < 1 ||
	    path_at == 0)
		return;
	m->valid = true;
	path = line + path_at;
	m->anon = inode == 0 && (*path == '\0' || *path == '\n');
	base = strrchr(path, '/');
	snprintf(m->name, sizeof(m->name), "%s", m->anon ? "[anon]" : base ? base + 1 : path);
	m->name[strcspn(m->name, "\n")] = '\0';
}

static int memory_read_smaps(pid_t pid, struct memory_usage *u, struct error *err)
{
	struct memory_mapping m = { .valid = false };
	char path[64], line[1024];
	unsigned long long kb;
	FILE *f;

	memset(u, 0, sizeof(*u));
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return error_set(err, -errno, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		/* Headers start with the address (lowercase hex), fields with a name. */
		if ((line[0] >= '0' && line[0] <= '9') || (line[0] >= 'a' && line[0] <= 'f')) {
			memory_account(u, &m);
			memory_parse_header(line, &m);
		} else if (sscanf(line, "Size: %llu kB", &kb) == 1) {
			m.size_kb = kb;
		} else if (sscanf(line, "Rss: %llu kB", &kb) == 1) {
			m.rss_kb = kb;
		} else if (sscanf(line, "Pss: %llu kB", &kb) == 1) {
			m.pss_kb = kb;
		}
	}
	memory_account(u, &m);
	fclose(f);
	if (!u->ram_found)
		return error_set(err, -EIO, "%s: no anonymous mapping of %u MiB (the guest RAM)",
				 path, MEMORY_RAM_MIB);
	return 0;
}

/* Run argv until it has printed a line, then measure it and end it. */
static int memory_measure(char *const argv[], struct memory_usage *u, struct error *err)
{
	struct bench_child c;
	int ret = bench_child_start(&c, argv, err);

	if (ret < 0)
		return ret;
	ret = bench_child_read(&c, '\n', c.start_ns + MEMORY_TIMEOUT_NS);
	if (ret == 0) {
		usleep(100 * 1000);	/* let it settle into its halt */
		ret = memory_read_smaps(c.pid, u, err);
	}
	bench_child_kill(&c);
	if (ret == -ETIMEDOUT || ret == -EPIPE)
		error_set(err, ret, "%s printed no line (%s); output \"%s\", %s", argv[0],
			  ret == -ETIMEDOUT ? "timed out" : "it ended", c.out, c.err);
	return ret;
}

static int memory_cmp_part(const void *a, const void *b)
{
	const struct memory_part *x = a, *y = b;

	return x->rss_kb < y->rss_kb ? 1 : x->rss_kb > y->rss_kb ? -1 : 0;
}

static double mib(uint64_t kb)
{
	return (double)kb / 1024.0;
}

int bench_memory(const struct bench_options *o, struct error *err)
{
	char image_path[4096], ram_arg[16];
	char *minivmm_argv[] = { BENCH_MINIVMM_PATH, "--memory", ram_arg, "--bios", image_path,
				 NULL };
	char *raw_argv[] = { BENCH_RAW_HELLO_PATH, image_path, ram_arg, NULL };
	struct memory_usage *mine, *raw;
	int ret;

	(void)o;	/* one sample each: resident memory hardly varies */
	snprintf(image_path, sizeof(image_path), "%s/hello_idle.bin", BENCH_KERNEL_DIR);
	mine = calloc(2, sizeof(*mine));
	if (mine == NULL)
		return error_set(err, -ENOMEM, "out of memory");
	raw = mine + 1;
	snprintf(ram_arg, sizeof(ram_arg), "%uM", MEMORY_RAM_MIB);
	ret = memory_measure(minivmm_argv, mine, err);
	snprintf(ram_arg, sizeof(ram_arg), "%u", MEMORY_RAM_MIB);
	if (ret == 0)
		ret = memory_measure(raw_argv, raw, err);
	if (ret == 0) {
		double ratio = raw->beyond_kb > 0 ? (double)mine->beyond_kb / raw->beyond_kb : 0;

		printf("%-34s %9.2f %-19s | %9.2f %-24s | %6.3fx  (goal <= %.0f MiB absolute: "
		       "%s)\n", "resident memory beyond guest RAM", mib(mine->beyond_kb), "MiB",
		       mib(raw->beyond_kb), "MiB", ratio, MEMORY_GOAL_MIB,
		       mib(mine->beyond_kb) <= MEMORY_GOAL_MIB ? "met" : "MISSED");
		printf("%-34s   Pss beyond RAM: minivmm %.2f MiB, raw %.2f MiB; total RSS: "
		       "minivmm %.2f MiB, raw %.2f MiB\n", "", mib(mine->beyond_pss_kb),
		       mib(raw->beyond_pss_kb), mib(mine->total_kb), mib(raw->total_kb));
		printf("%-34s   left out: guest RAM (%u MiB mapping; resident: minivmm %" PRIu64
		       " KiB, raw %" PRIu64 " KiB); ROM copy: %s\n", "", MEMORY_RAM_MIB,
		       mine->ram_rss_kb, raw->ram_rss_kb, mine->rom_found && raw->rom_found ?
		       "left out too (own mapping)" : !mine->rom_found && !raw->rom_found ?
		       "counted in both (merged with a neighbouring mapping)" :
		       "left out where it has its own mapping");
		qsort(mine->parts, mine->nr_parts, sizeof(mine->parts[0]), memory_cmp_part);
		printf("%-34s   minivmm's top %d (Rss/Pss KiB):", "", MEMORY_TOP);
		for (size_t i = 0; i < mine->nr_parts && i < MEMORY_TOP; i++)
			printf("%s %s %" PRIu64 "/%" PRIu64, i ? "," : "", mine->parts[i].name,
			       mine->parts[i].rss_kb, mine->parts[i].pss_kb);
		printf("\n");
		fflush(stdout);
	}
	free(mine);
	return ret;
}
