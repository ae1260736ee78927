// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the terminal keymap: the input is a byte stream
 * typed on the terminal with silences (keymap_flush) at points the input
 * chooses, and every call's output is checked:
 *
 *   - at most KEYMAP_MAX_CODES codes, and no press ever left out for room
 *     (keymap.overflows stays 0);
 *   - well formed: 0xe0 is always followed, in the same call, by a make
 *     or break code (never 0xe0, 0xe1 or a code 0x00/0x80);
 *   - every make is of a key not held and every break of a key held; at
 *     the end of every call no key is held (a press never spans calls, so
 *     a guest never sees a stuck Shift, Ctrl or Alt);
 *   - after a flush nothing is pending, and a second flush types nothing;
 *     after an ESC something always is;
 *   - a printable or control byte (not ESC) fed with nothing pending types
 *     at least one key and leaves nothing pending;
 *   - the counts never go down.
 *
 * The first input byte picks how the rest is read: raw (every byte typed,
 * 0xff 0xff types 0xff, 0xff + anything else is a silence) or through an
 * alphabet of the bytes escape sequences are made of (one entry of which
 * is a silence), so that known and near-known sequences come up often.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ivmm \
 *         tests/fuzz/fuzz_keymap.c vmm/keymap.c -o fuzz_keymap
 *   ./fuzz_keymap -runs=1000000
 *
 * With -DFUZZ_STANDALONE (any compiler, no libFuzzer) main() replays the
 * files named on the command line, or stdin.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keymap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",       \
				__FILE__, __LINE__, #cond);                    \
			abort();                                               \
		}                                                              \
	} while (0)

#define FUZZ_SILENCE	(-1)

/* What escape sequences and UTF-8 are made of; FUZZ_SILENCE is a flush. */
static const int fuzz_alphabet[] = {
	0x1b, 0x1b, 0x1b, '[', '[', 'O', ';', ';', '0', '1', '2', '3', '4', '5', '6',
	'7', '8', '9', '~', 'A', 'B', 'C', 'D', 'E', 'F', 'H', 'P', 'Q', 'R', 'S', 'Z',
	'a', 'b', 'c', 'd', 'j', 'M', 'p', 'y', 'X', '?', ':', '<', '$', ' ', 'x', '\r',
	'\n', '\t', '\b', 0x7f, 0x01, 0x03, 0x00, 0x1c, 0x1f, 0xc3, 0xa9, 0xe2, 0x82,
	0xac, 0xf0, 0x9f, 0x80, 0xc0, 0xff, FUZZ_SILENCE, FUZZ_SILENCE,
};
#define FUZZ_ALPHABET_LEN (sizeof(fuzz_alphabet) / sizeof(fuzz_alphabet[0]))

static struct keymap km;
static bool held[256];		/* 0x00-0x7f plain keys, 0x80-0xff extended (0xe0) keys */
static unsigned held_count;
static uint64_t last_utf8, last_unknown;

/* One call's output: bounded, well formed, every key made broken within it. */
static void check_output(const uint8_t *out, size_t n)
{
	FUZZ_CHECK(n <= KEYMAP_MAX_CODES);
	for (size_t i = 0; i < n; i++) {
		unsigned key = 0;

		if (out[i] == 0xe0) {
			FUZZ_CHECK(i + 1 < n);	/* the prefix never ends a call */
			key = 0x80;
			i++;
		}
		FUZZ_CHECK(out[i] != 0xe0 && out[i] != 0xe1);
		FUZZ_CHECK((out[i] & 0x7f) != 0);
		key |= out[i] & 0x7f;
		if (out[i] & 0x80) {
			FUZZ_CHECK(held[key]);		/* break of a key held */
			held[key] = false;
			held_count--;
		} else {
			FUZZ_CHECK(!held[key]);		/* no make of a key held */
			held[key] = true;
			held_count++;
		}
	}
	FUZZ_CHECK(held_count == 0);
	FUZZ_CHECK(km.overflows == 0);
	FUZZ_CHECK(km.utf8_dropped >= last_utf8);
	FUZZ_CHECK(km.unknown_seqs >= last_unknown);
	last_utf8 = km.utf8_dropped;
	last_unknown = km.unknown_seqs;
}

static void silence(void)
{
	uint8_t out[KEYMAP_MAX_CODES];
	size_t n;

	n = keymap_flush(&km, out);
	check_output(out, n);
	FUZZ_CHECK(!keymap_pending(&km));
	FUZZ_CHECK(keymap_flush(&km, out) == 0);
}

static void type(uint8_t byte)
{
	/* a canary past the KEYMAP_MAX_CODES the caller promises */
	uint8_t out[KEYMAP_MAX_CODES + 1];
	bool was_pending = keymap_pending(&km);
	size_t n;

	out[KEYMAP_MAX_CODES] = 0x5a;
	n = keymap_feed(&km, byte, out);
	FUZZ_CHECK(out[KEYMAP_MAX_CODES] == 0x5a);
	check_output(out, n);
	if (byte == 0x1b)
		FUZZ_CHECK(keymap_pending(&km));
	if (!was_pending && byte < 0x80 && byte != 0x1b) {
		FUZZ_CHECK(n >= 2);
		FUZZ_CHECK(!keymap_pending(&km));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool alphabet;
	size_t i = 1;

	if (size == 0)
		return 0;
	keymap_init(&km);
	memset(held, 0, sizeof(held));
	held_count = 0;
	last_utf8 = last_unknown = 0;
	alphabet = data[0] & 1;
	while (i < size) {
		uint8_t b = data[i++];

		if (alphabet) {
			int c = fuzz_alphabet[b % FUZZ_ALPHABET_LEN];

			if (c == FUZZ_SILENCE)
				silence();
			else
				type((uint8_t)c);
		} else if (b == 0xff && i < size) {
			if (data[i++] == 0xff)
				type(0xff);
			else
				silence();
		} else {
			type(b);
		}
	}
	silence();
	return 0;
}

#ifdef FUZZ_STANDALONE
#include "fuzz_replay.h"
#endif
