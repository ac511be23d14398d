// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The file names inside an initramfs: dracut and mkinitramfs write one or
 * more uncompressed cpio archives (CPU microcode) followed by a compressed
 * one; the compressed part is read through its decompressor on $PATH.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host.h"

struct rd {		/* a buffered reader over a fd (the file or a decompressor's pipe) */
	int fd;
	unsigned char buf[65536];
	size_t pos, len;
	uint64_t off;	/* bytes consumed */
};

static int fill(struct rd *r)
{
	ssize_t n;

	if (r->pos < r->len)
		return 1;
	do
		n = read(r->fd, r->buf, sizeof(r->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	r->pos = 0;
	r->len = (size_t)n;
	return n > 0;
}

static int get(struct rd *r, void *out, size_t len)
{
	unsigned char *o = out;

	while (len) {
		int f = fill(r);
		size_t k;

		if (f <= 0)
			return f < 0 ? f : -EIO;
		k = r->len - r->pos < len ? r->len - r->pos : len;
		if (o) {
			memcpy(o, r->buf + r->pos, k);
			o += k;
		}
		r->pos += k;
		r->off += k;
		len -= k;
	}
	return 0;
}

static int peek(struct rd *r, unsigned char *out, size_t len)
{
	/* at most what is buffered after a refill (len is small) */
	int f = fill(r);

	if (f <= 0)
		return f < 0 ? f : 0;
	if (r->len - r->pos < len) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
		while (r->len < len) {
			ssize_t n = read(r->fd, r->buf + r->len, sizeof(r->buf) - r->len);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			r->len += (size_t)n;
		}
	}
	if (r->len - r->pos < len)
		return 0;
	memcpy(out, r->buf + r->pos, len);
	return 1;
}

static uint32_t hex8(const unsigned char *p)
{
	uint32_t v = 0;

	pt_parse_hex((const char *)p, 8, 0xffffffffu, &v);
	return v;
}

/* cpio newc members until TRAILER!!!; 1 when stopped by cb, 0 at the trailer. */
static int cpio(struct rd *r, pt_cpio_cb cb, void *data)
{
	for (;;) {
		unsigned char h[110];
		char name[4096];
		uint32_t nsize, fsize;
		int e;

		e = get(r, h, sizeof(h));
		if (e < 0)
			return e;
		if (memcmp(h, "07070", 5) != 0 || (h[5] != '1' && h[5] != '2'))
			return -EINVAL;
		fsize = hex8(h + 54);
		nsize = hex8(h + 94);
		if (nsize == 0 || nsize > sizeof(name))
			return -EINVAL;
		e = get(r, name, nsize);
		if (e < 0)
			return e;
		name[nsize - 1] = '\0';
		e = get(r, NULL, (size_t)((4 - (110 + nsize) % 4) % 4));
		if (e == 0)
			e = get(r, NULL, fsize + (4 - fsize % 4) % 4);
		if (e < 0)
			return e;
		if (strcmp(name, "TRAILER!!!") == 0)
			return 0;
		if (cb(name[0] == '.' && name[1] == '/' ? name + 2 : name, data))
			return 1;
	}
}

static const char *decompressor(const unsigned char *m)
{
	if (m[0] == 0x1f && (m[1] == 0x8b || m[1] == 0x9e))
		return "gzip";
	if (m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
		return "zstd";
	if (m[0] == 0xfd && m[1] == '7' && m[2] == 'z' && m[3] == 'X')
		return "xz";
	if (m[0] == 0x5d && m[1] == 0 && m[2] == 0)
		return "lzma";
	if (m[0] == 0x02 && m[1] == 0x21 && m[2] == 0x4c && m[3] == 0x18)
		return "lz4";
	if (m[0] == 'B' && m[1] == 'Z' && m[2] == 'h')
		return "bzip2";
	return NULL;
}

/* The rest of the file from off through "TOOL -dc", parsed as cpio. */
static int compressed(int fd, uint64_t off, const char *tool, pt_cpio_cb cb, void *data)
{
	struct rd *r;
	int p[2], st, e;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		e = -errno;
		close(p[0]);
		close(p[1]);
		return e;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_WRONLY);

		if (lseek(fd, (off_t)off, SEEK_SET) < 0 || dup2(fd, 0) < 0 || dup2(p[1], 1) < 0)
			_exit(127);
		if (nul >= 0)
			dup2(nul, 2);
		execlp(tool, tool, "-dc", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	r = malloc(sizeof(*r));
	if (!r) {
		e = -ENOMEM;
	} else {
		*r = (struct rd){ .fd = p[0] };
		e = 0;
		/* a compressed part may itself hold several archives back to back */
		while (e == 0) {
			unsigned char m[6];

			if (peek(r, m, 6) <= 0 || memcmp(m, "07070", 5) != 0)
				break;
			e = cpio(r, cb, data);
			while (e == 0 && peek(r, m, 1) > 0 && m[0] == 0)
				get(r, NULL, 1);
		}
		free(r);
	}
	close(p[0]);	/* the decompressor may get SIGPIPE if we stopped early */
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (e == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return -ENOEXEC;	/* decompressor missing */
	return e < 0 ? e : 0;
}

int pt_initramfs_walk(int rootfd, const char *path, pt_cpio_cb cb, void *data)
{
	struct rd *r;
	int fd, e = 0;

	fd = openat(rootfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = malloc(sizeof(*r));
	if (!r) {
		close(fd);
		return -ENOMEM;
	}
	*r = (struct rd){ .fd = fd };
	for (;;) {
		unsigned char m[6];
		const char *tool;

		if (peek(r, m, 6) <= 0)
			break;
		if (m[0] == 0) {	/* padding between archives */
			get(r, NULL, 1);
			continue;
		}
		if (memcmp(m, "07070", 5) == 0) {
			e = cpio(r, cb, data);
			if (e != 0)
				break;
			continue;
		}
		tool = decompressor(m);
		e = tool ? compressed(fd, r->off, tool, cb, data) : -EINVAL;
		break;
	}
	free(r);
	close(fd);
	return e < 0 ? e : 0;
}

int pt_initramfs_path(int rootfd, const char *kver, char *buf, size_t size)
{
	static const char *const fmt[] = { "boot/initramfs-%s.img", "boot/initrd.img-%s",
					   "boot/initrd-%s", "boot/initrd-%s.img",
					   "lib/modules/%s/initrd" };

	for (size_t i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		pt_snprintf(buf, size, fmt[i], kver);
		if (pt_exists(rootfd, buf))
			return 0;
	}
	return -ENOENT;
}
