// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The file names inside an initramfs: dracut and mkinitramfs write one or
 * more uncompressed cpio archives (CPU microcode) followed by a compressed
 * one; the compressed part is read through its decompressor on $PATH.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host.h"

struct rd { /* a buffered reader over a fd (the file or a decompressor's pipe) */
	int fd;
	unsigned char buf[65536];
	size_t pos, len;
	uint64_t off;  /* where the next byte is in the file (bytes consumed, for a pipe) */
	uint64_t left; /* bytes it may still read from fd */
};

static size_t room(const struct rd *r, size_t n)
{
	return r->left < n ? (size_t)r->left : n;
}

static int fill(struct rd *r)
{
	ssize_t n;

	if (r->pos < r->len)
		return 1;
	if (!room(r, sizeof(r->buf)))
		return 0;
	do
		n = read(r->fd, r->buf, room(r, sizeof(r->buf)));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	r->left -= (uint64_t)n;
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
		while (r->len < len && room(r, 1)) {
			ssize_t n = read(r->fd, r->buf + r->len, room(r, sizeof(r->buf) - r->len));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			r->len += (size_t)n;
			r->left -= (uint64_t)n;
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
		*r = (struct rd){ .fd = p[0], .left = UINT64_MAX };
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
	close(p[0]); /* the decompressor may get SIGPIPE if we stopped early */
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (e == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return -ENOEXEC; /* decompressor missing */
	return e < 0 ? e : 0;
}

/* A UKI's .initrd section: 1 and where it is, 0 when the file is no PE image, -ENODATA
 * when it is one without an initrd. */
static int uki_initrd(int fd, uint64_t *off, uint64_t *len)
{
	unsigned char head[PT_UKI_HEAD];
	struct pt_pe_section sec[96];
	ssize_t n = pread(fd, head, sizeof(head), 0);
	size_t ns = 0;

	if (n < 2 || head[0] != 'M' || head[1] != 'Z')
		return 0;
	if (pt_pe_sections(head, (size_t)n, sec, ARRAY_SIZE(sec), &ns) < 0)
		return -EINVAL;
	for (size_t i = 0; i < ns; i++)
		if (strcmp(sec[i].name, ".initrd") == 0) {
			*off = sec[i].offset;
			*len = sec[i].size;
			return 1;
		}
	return -ENODATA;
}

int pt_initramfs_walk(int rootfd, const char *path, pt_cpio_cb cb, void *data)
{
	uint64_t off = 0, len = UINT64_MAX;
	struct rd *r;
	int fd, e = 0;

	fd = openat(rootfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	e = uki_initrd(fd, &off, &len);
	if (e < 0 || lseek(fd, (off_t)off, SEEK_SET) < 0) {
		e = e < 0 ? e : -errno;
		close(fd);
		return e;
	}
	e = 0;
	r = malloc(sizeof(*r));
	if (!r) {
		close(fd);
		return -ENOMEM;
	}
	*r = (struct rd){ .fd = fd, .off = off, .left = len };
	for (;;) {
		unsigned char m[6];
		const char *tool;

		if (peek(r, m, 6) <= 0)
			break;
		if (m[0] == 0) { /* padding between archives */
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

static int scan_cb(const char *name, void *data)
{
	struct pt_initramfs_info *s = data;
	const char *b = strrchr(name, '/');

	b = b ? b + 1 : name;
	if (strcmp(b, "pt-early") == 0)
		s->pt_early = true;
	if (strncmp(b, "vfio-pci.ko", 11) == 0 || strncmp(b, "vfio_pci.ko", 11) == 0)
		s->vfio_pci = true;
	return s->pt_early && s->vfio_pci;
}

int pt_initramfs_scan(int rootfd, const char *path, struct pt_initramfs_info *ret)
{
	struct pt_initramfs_info s = { 0 };
	int r = pt_initramfs_walk(rootfd, path, scan_cb, &s);

	if (r < 0)
		return r;
	*ret = s;
	return 0;
}

int pt_initramfs_path(int rootfd, const char *kver, char *buf, size_t size)
{
	static const char *const fmt[] = { "boot/initramfs-%s.img", "boot/initrd.img-%s", "boot/initrd-%s",
					   "boot/initrd-%s.img", "lib/modules/%s/initrd" };
	static const char *const ukidirs[] = { "efi/" PT_UKI_DIR, "boot/efi/" PT_UKI_DIR,
					       "boot/" PT_UKI_DIR };

	for (size_t i = 0; i < ARRAY_SIZE(fmt); i++) {
		if (pt_pathf(buf, size, fmt[i], kver) < 0)
			return -ENAMETOOLONG;
		if (pt_exists(rootfd, buf))
			return 0;
	}
	/* a unified kernel image carries its initrd: kernel-install names it TOKEN-KVER.efi
	 * (TOKEN-KVER+LEFT-DONE.efi while boot counting) */
	for (size_t i = 0; i < ARRAY_SIZE(ukidirs); i++) {
		size_t kl = strlen(kver);
		struct dirent *de;
		int found = 0;
		DIR *d;

		if (pt_opendir(rootfd, ukidirs[i], &d) < 0)
			continue;
		while (!found && (de = readdir(d))) {
			const char *k = strstr(de->d_name, kver), *e;

			if (!k || k == de->d_name || k[-1] != '-')
				continue;
			e = k + kl;
			if (*e == '+')
				e += strcspn(e, ".");
			if (strcasecmp(e, ".efi") == 0)
				found = pt_pathf(buf, size, "%s/%s", ukidirs[i], de->d_name) < 0 ? -1 : 1;
		}
		closedir(d);
		if (found)
			return found > 0 ? 0 : -ENAMETOOLONG;
	}
	return -ENOENT;
}

bool pt_initramfs_tools(int rootfd)
{
	static const char *const dracut[] = { "usr/bin/dracut", "usr/sbin/dracut", "bin/dracut",
					      "sbin/dracut" };
	static const char *const update[] = { "usr/sbin/update-initramfs", "sbin/update-initramfs" };
	bool tools = false;

	if (!pt_exists(rootfd, "etc/initramfs-tools"))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(dracut); i++)
		if (pt_exists(rootfd, dracut[i]))
			return false;
	for (size_t i = 0; i < ARRAY_SIZE(update); i++)
		tools = tools || pt_exists(rootfd, update[i]);
	return tools;
}

static void rebuild(bool tools, const char *path, const char *kver, char *buf, size_t size)
{
	size_t n = path ? strlen(path) : 0;

	if (n > 4 && strcasecmp(path + n - 4, ".efi") == 0) /* a UKI is made anew as a whole */
		pt_snprintf(buf, size, "kernel-install add %s /usr/lib/modules/%s/vmlinuz", kver, kver);
	else if (tools) /* -u updates an existing image, -c creates one */
		pt_snprintf(buf, size, "update-initramfs -%c -k %s", path ? 'u' : 'c', kver);
	else
		pt_snprintf(buf, size, "dracut -f --kver %s", kver);
}

void pt_initramfs_rebuild(const char *path, const char *kver, char *buf, size_t size)
{
	rebuild(false, path, kver, buf, size);
}

void pt_initramfs_rebuild_at(int rootfd, const char *path, const char *kver, char *buf, size_t size)
{
	rebuild(pt_initramfs_tools(rootfd), path, kver, buf, size);
}
