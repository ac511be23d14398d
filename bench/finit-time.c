// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * finit-time: make bench's look inside module loading (bench/qemu-bench). Run in
 * the test guest, it loads each FILE in the order given with one finit_module(2)
 * (MODULE_INIT_COMPRESSED_FILE for .xz, .zst and .gz, so the kernel inflates it),
 * times each call, and takes the module's init function's own time from the
 * kernel's initcall_debug lines. initcall_debug must be on the kernel command
 * line: the kernel hooks its timing in at boot, so setting the parameter later
 * does nothing. One kernel-log line per module:
 *
 *	PTBENCH finit FORM NAME FINIT_US INIT_US ERRNO
 *
 * INIT_US is 0 for a module without an init function, -1 when initcall_debug
 * is off. It stops at the first
 * failure; the caller unloads the modules between runs.
 *
 * Usage: finit-time FORM FILE...
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

static const char initcall_debug[] = "/sys/module/kernel/parameters/initcall_debug";

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The "initcall FN [MOD] returned R after N usecs" record logged since the
 * last call, from a /dev/kmsg reader that sits at the end of the log. */
static long long initcall_us(int kmsg)
{
	char rec[2048];
	long long us = -1;
	ssize_t n;

	for (;;) {
		n = read(kmsg, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE) /* overwritten while we read: go on */
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		char *text = strchr(rec, ';');
		char *after;

		if (!text || strncmp(text + 1, "initcall ", 9) != 0)
			continue;
		after = strstr(text, " after ");
		if (after && strstr(after, " usecs"))
			us = strtoll(after + 7, NULL, 10);
	}
	return us;
}

static void module_name(const char *path, char *name, size_t size)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b ? b + 1 : path;
	n = strcspn(b, ".");
	if (n >= size)
		n = size - 1;
	memcpy(name, b, n);
	name[n] = '\0';
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = '_';
}

static int compressed(const char *path)
{
	static const char *const ext[] = { ".xz", ".zst", ".gz" };
	size_t n = strlen(path);

	for (size_t i = 0; i < sizeof(ext) / sizeof(*ext); i++) {
		size_t e = strlen(ext[i]);

		if (n > e && strcmp(path + n - e, ext[i]) == 0)
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char on[8] = "N";
	int kmsg, out, fd, rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: finit-time FORM FILE...\n");
		return 2;
	}
	fd = open(initcall_debug, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, on, 1) < 0)
			on[0] = 'N';
		close(fd);
	}
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	out = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (kmsg < 0 || out < 0) {
		perror("finit-time: /dev/kmsg");
		return 1;
	}
	for (int i = 2; i < argc && rc == 0; i++) {
		char name[64], line[256];
		long long t, init;
		int err = 0;

		module_name(argv[i], name, sizeof(name));
		fd = open(argv[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			err = errno;
			t = 0;
		} else {
			int flags = compressed(argv[i]) ? MODULE_INIT_COMPRESSED_FILE : 0;

			lseek(kmsg, 0, SEEK_END);
			t = now_us();
			if (syscall(SYS_finit_module, fd, "", flags) < 0)
				err = errno;
			t = now_us() - t;
			close(fd);
		}
		init = -1;
		if (!err && on[0] == 'Y') {
			init = initcall_us(kmsg);
			if (init < 0)
				init = 0; /* no init function: no initcall */
		}
		snprintf(line, sizeof(line), "PTBENCH finit %s %s %lld %lld %d\n", argv[1], name, t, init,
			 err);
		if (write(out, line, strlen(line)) < 0)
			rc = 1;
		fputs(line, stdout);
		if (err) {
			fprintf(stderr, "finit-time: %s: %s\n", argv[i], strerror(err));
			rc = 1;
		}
	}
	return rc;
}
