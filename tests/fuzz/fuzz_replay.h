/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_TESTS_FUZZ_REPLAY_H
#define MINIVMM_TESTS_FUZZ_REPLAY_H

/*
 * main() for a fuzz target built without libFuzzer (-DFUZZ_STANDALONE, any
 * compiler): feeds each file named on the command line, or stdin, to
 * LLVMFuzzerTestOneInput once, so a gcc build can replay a corpus or a
 * crash.  Included at the end of each tests/fuzz/fuzz_*.c.
 */

#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>

/* Replay one input file (or stdin) through the target. */
static int fuzz_replay(FILE *f, const char *name)
{
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, got;

	for (;;) {
		if (len == cap) {
			uint8_t *bigger;

			cap = cap ? 2 * cap : 4096;
			bigger = realloc(buf, cap);
			if (bigger == NULL) {
				fprintf(stderr, "%s: out of memory\n", name);
				free(buf);
				return -1;
			}
			buf = bigger;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: read error\n", name);
		free(buf);
		return -1;
	}
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int i, failed = 0;

	if (argc < 2)
		return fuzz_replay(stdin, "<stdin>") ? 1 : 0;
	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");

		if (f == NULL) {
			perror(argv[i]);
			failed = 1;
			continue;
		}
		if (fuzz_replay(f, argv[i]))
			failed = 1;
		fclose(f);
	}
	printf("replayed %d input(s)\n", argc - 1);
	return failed;
}

#endif
