// SPDX-License-Identifier: MIT
/*
 * raw_hello IMAGE [RAM_MIB]: the least a process can do to run a minivmm
 * guest that prints, the baseline for minivmm's start-up time and memory.
 *
 * It opens /dev/kvm and builds the same VM and memory as minivmm
 * (raw_kvm.c, vm.c), then runs KVM_RUN on its only thread: a byte written
 * to COM1's THR goes straight to stdout with write(2), LSR reads say the
 * transmitter is empty, port 0xf4 exits with status (V << 1) | 1 like
 * minivmm, and HLT waits for a signal.  No device model, no event loop,
 * no second thread, no libev.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "raw_kvm.h"
#include "util.h"

#define COM1_THR 0x3f8
#define COM1_LCR 0x3fb
#define COM1_LSR 0x3fd
#define LCR_DLAB 0x80
#define LSR_THRE_TEMT 0x60
#define DEBUG_EXIT_PORT 0xf4

static int raw_hello_fail(const char *what)
{
	fprintf(stderr, "raw_hello: %s\n", what);
	return 2;
}

static uint8_t *raw_hello_load(const char *path, size_t *size)
{
	struct stat st;
	uint8_t *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0) {
		buf = malloc((size_t)st.st_size);
		if (buf != NULL && read(fd, buf, (size_t)st.st_size) != st.st_size) {
			free(buf);
			buf = NULL;
		}
		*size = (size_t)st.st_size;
	}
	if (fd >= 0)
		close(fd);
	return buf;
}

int main(int argc, char **argv)
{
	struct raw_kvm k;
	struct error err;
	uint64_t ram = VM_RAM_DEFAULT;
	uint8_t lcr = 0, *image;
	size_t size = 0;

	if (argc < 2 || argc > 3)
		return raw_hello_fail("usage: raw_hello IMAGE [RAM_MIB]");
	if (argc == 3)
		ram = strtoull(argv[2], NULL, 10) * MIB;
	image = raw_hello_load(argv[1], &size);
	if (image == NULL)
		return raw_hello_fail("cannot read the image");
	if (raw_kvm_create(&k, image, size, ram, &err) < 0)
		return raw_hello_fail(err.msg);
	free(image);

	for (;;) {
		struct kvm_run *run = k.run;
		uint8_t *data;
		int ret = raw_kvm_run(&k);

		if (ret == -EINTR)
			continue;
		if (ret < 0)
			return raw_hello_fail(strerror(-ret));
		if (run->exit_reason == KVM_EXIT_HLT) {
			pause();	/* idle until a signal ends us */
			continue;
		}
		if (run->exit_reason != KVM_EXIT_IO)
			return raw_hello_fail("unexpected exit");
		data = (uint8_t *)run + run->io.data_offset;
		if (run->io.direction == KVM_EXIT_IO_IN) {
			memset(data, run->io.port == COM1_LSR ? LSR_THRE_TEMT : 0xff,
			       (size_t)run->io.size * run->io.count);
		} else if (run->io.port == COM1_THR && !(lcr & LCR_DLAB)) {
			if (write(STDOUT_FILENO, data, (size_t)run->io.size * run->io.count) < 0)
				return raw_hello_fail(strerror(errno));
		} else if (run->io.port == COM1_LCR) {
			lcr = data[0];
		} else if (run->io.port == DEBUG_EXIT_PORT) {
			return (data[0] << 1) | 1;
		}
	}
}
