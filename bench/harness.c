// SPDX-License-Identifier: MIT
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Point fd `target` at `fd`, keeping the old one to restore. */
static int bench_redirect(int target, int fd)
{
	int saved = dup(target);

	if (saved >= 0)
		dup2(fd, target);
	return saved;
}

int bench_vmm_create(struct bench_vmm *b, const uint8_t *image, size_t image_size,
		     uint64_t ram_size, int out_fd, struct error *err)
{
	return bench_vmm_create_io(b, image, image_size, ram_size, -1, out_fd, err);
}

int bench_vmm_create_io(struct bench_vmm *b, const uint8_t *image, size_t image_size,
			uint64_t ram_size, int in_fd, int out_fd, struct error *err)
{
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	memset(b, 0, sizeof(*b));
	if (null_fd < 0)
		return error_set(err, -errno, "/dev/null: %s", strerror(errno));
	b->saved_stdin = bench_redirect(STDIN_FILENO, in_fd >= 0 ? in_fd : null_fd);
	b->saved_stdout = bench_redirect(STDOUT_FILENO, out_fd >= 0 ? out_fd : null_fd);
	close(null_fd);
	b->opts = (struct options){ .ram_size = ram_size, .kvm_path = VM_KVM_DEVICE };
	b->m = calloc(1, sizeof(*b->m));
	if (b->m == NULL)
		return error_set(err, -ENOMEM, "out of memory");
	b->images = (struct boot_images){ .bios = image, .bios_size = image_size };
	return machine_create(b->m, &b->opts, &b->images, err);
}

int bench_vmm_run(struct bench_vmm *b)
{
	return machine_run(b->m);
}

void bench_vmm_destroy(struct bench_vmm *b)
{
	if (b->m != NULL) {
		machine_destroy(b->m);
		free(b->m);
		b->m = NULL;
	}
	if (b->saved_stdout >= 0) {
		dup2(b->saved_stdout, STDOUT_FILENO);
		close(b->saved_stdout);
	}
	if (b->saved_stdin >= 0) {
		dup2(b->saved_stdin, STDIN_FILENO);
		close(b->saved_stdin);
	}
}
