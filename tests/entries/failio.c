// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LD_PRELOAD shim for tests/entries/faults: make the Nth write(), fsync() or
 * renameat() on a file under $PT_FAIL_ROOT fail with $PT_FAIL_ERRNO (EIO by
 * default), or, with PT_FAIL_NTH=0, only count them into $PT_FAIL_COUNT.
 *   PT_FAIL_OP=write|fsync|rename PT_FAIL_NTH=N PT_FAIL_ROOT=DIR
 * Test-only: the counter is process-global on purpose.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int seen;

static int under_root(int dirfd, const char *path)
{
	const char *root = getenv("PT_FAIL_ROOT");
	char link[64], buf[4096];
	ssize_t n;

	if (!root)
		return 0;
	if (path && path[0] == '/')
		return strncmp(path, root, strlen(root)) == 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n < 0)
		return 0;
	buf[n] = '\0';
	return strncmp(buf, root, strlen(root)) == 0;
}

/* Is this the call to fail? Counts every matching call. */
static int hit(const char *op, int dirfd, const char *path)
{
	const char *want = getenv("PT_FAIL_OP"), *nth = getenv("PT_FAIL_NTH");
	const char *count = getenv("PT_FAIL_COUNT");

	if (!want || strcmp(want, op) != 0 || !under_root(dirfd, path))
		return 0;
	seen++;
	if (count) {
		FILE *f = fopen(count, "w");

		if (f) {
			fprintf(f, "%d\n", seen);
			fclose(f);
		}
	}
	return nth && atoi(nth) == seen;
}

static int fail(void)
{
	const char *e = getenv("PT_FAIL_ERRNO");

	errno = e && strcmp(e, "ENOSPC") == 0 ? ENOSPC : EIO;
	return -1;
}

ssize_t write(int fd, const void *buf, size_t n)
{
	static ssize_t (*real)(int, const void *, size_t);

	if (!real)
		real = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	if (fd > 2 && hit("write", fd, NULL))
		return fail();
	return real(fd, buf, n);
}

int fsync(int fd)
{
	static int (*real)(int);

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	if (hit("fsync", fd, NULL))
		return fail();
	return real(fd);
}

int renameat(int ofd, const char *old, int nfd, const char *new)
{
	static int (*real)(int, const char *, int, const char *);

	if (!real)
		real = (int (*)(int, const char *, int, const char *))dlsym(RTLD_NEXT, "renameat");
	if (hit("rename", nfd, new))
		return fail();
	return real(ofd, old, nfd, new);
}
