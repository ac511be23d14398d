// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The real kernel interface: sysfs attribute writes and finit_module(2).
 * Tests link tests/unit/kernel-fake.c in place of this file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ptboot.h"

struct pt_kernel {
	int rootfd;
};

int pt_kernel_new(int rootfd, struct pt_kernel **ret)
{
	struct pt_kernel *k = calloc(1, sizeof(*k));

	if (!k)
		return -ENOMEM;
	k->rootfd = rootfd;
	*ret = k;
	return 0;
}

void pt_kernel_free(struct pt_kernel *k)
{
	free(k);
}

int pt_kernel_write(struct pt_kernel *k, const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, err = 0;

	/* sysfs attributes take the whole value in one write(). */
	fd = openat(k->rootfd, path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	do
		n = write(fd, val, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	if (close(fd) < 0 && !err)
		err = -errno;
	return err;
}

int pt_kernel_load_module(struct pt_kernel *k, int fd, const char *params, int flags)
{
	(void)k;
	if (syscall(SYS_finit_module, fd, params, flags) < 0)
		return -errno;
	return 0;
}
