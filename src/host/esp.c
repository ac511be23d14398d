// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Just enough FAT to answer "which boot loaders are on this ESP?": list the
 * EFI/ subdirectories and look for Windows' EFI/Microsoft/Boot/bootmgfw.efi,
 * reading the partition in place (it is usually not mounted on the host).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "host.h"

struct fat {
	int fd;
	uint64_t off, size;
	unsigned bps, spc;
	uint64_t fat_off, data_off;  /* bytes from the start of the partition */
	uint32_t root_cluster;	     /* FAT32; 0 for the fixed FAT12/16 root */
	uint64_t root_off, root_len; /* FAT12/16 root directory */
	bool fat32;
	uint32_t nclusters;
};

static int rd(const struct fat *f, uint64_t pos, void *buf, size_t len)
{
	ssize_t n;

	if (pos + len > f->size)
		return -EINVAL;
	n = pread(f->fd, buf, len, (off_t)(f->off + pos));
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int next_cluster(const struct fat *f, uint32_t c, uint32_t *ret)
{
	unsigned char b[4];
	int r;

	if (f->fat32) {
		r = rd(f, f->fat_off + (uint64_t)c * 4, b, 4);
		*ret = le32(b) & 0x0fffffff;
	} else {
		r = rd(f, f->fat_off + (uint64_t)c * 2, b, 2);
		*ret = le16(b);
		if (*ret >= 0xfff8)
			*ret = 0x0ffffff8;
	}
	return r;
}

/* Read a whole directory (cluster chain, or the fixed root) into memory. */
static int read_dir(const struct fat *f, uint32_t cluster, unsigned char **ret, size_t *ret_len)
{
	size_t csize = (size_t)f->bps * f->spc, len = 0;
	unsigned char *buf = NULL;
	int r = 0;

	if (cluster == 0) {
		if (f->root_len > (1 << 20))
			return -EINVAL;
		buf = malloc(f->root_len);
		if (!buf)
			return -ENOMEM;
		r = rd(f, f->root_off, buf, f->root_len);
		len = f->root_len;
	} else {
		for (unsigned n = 0; cluster >= 2 && cluster < 0x0ffffff0 && n < 256 && r == 0; n++) {
			unsigned char *p = realloc(buf, len + csize);

			if (!p) {
				r = -ENOMEM;
				break;
			}
			buf = p;
			r = rd(f, f->data_off + (uint64_t)(cluster - 2) * csize, buf + len, csize);
			len += csize;
			if (r == 0)
				r = next_cluster(f, cluster, &cluster);
		}
	}
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

typedef int (*entry_cb)(const char *name, bool dir, uint32_t cluster, void *data);

/* Walk the entries with their long names (ASCII part of the UTF-16 name). */
static int walk(const struct fat *f, uint32_t cluster, entry_cb cb, void *data)
{
	unsigned char *buf;
	char lfn[260] = "";
	size_t len;
	int r;

	r = read_dir(f, cluster, &buf, &len);
	if (r < 0)
		return r;
	for (size_t o = 0; o + 32 <= len && r == 0; o += 32) {
		const unsigned char *e = buf + o;
		char name[260];

		if (e[0] == 0)
			break;
		if (e[0] == 0xe5)
			continue;
		if (e[11] == 0x0f) { /* a long-name piece, last piece first */
			static const int at[13] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30 };
			int seq = (e[0] & 0x1f) - 1;

			if (e[0] & 0x40)
				memset(lfn, 0, sizeof(lfn));
			for (int k = 0; k < 13 && seq >= 0 && seq < 19; k++) {
				uint16_t ch = le16(e + at[k]);

				if (ch == 0 || ch == 0xffff)
					break;
				lfn[seq * 13 + k] = ch < 0x80 ? (char)ch : '?';
			}
			continue;
		}
		if (e[11] & 0x08) { /* volume label */
			lfn[0] = '\0';
			continue;
		}
		if (lfn[0]) {
			pt_snprintf(name, sizeof(name), "%s", lfn);
		} else {
			size_t n = 0;

			for (int k = 0; k < 8 && e[k] != ' '; k++)
				name[n++] = (char)e[k];
			if (e[8] != ' ') {
				name[n++] = '.';
				for (int k = 8; k < 11 && e[k] != ' '; k++)
					name[n++] = (char)e[k];
			}
			name[n] = '\0';
		}
		lfn[0] = '\0';
		if (strcmp(name, ".") && strcmp(name, ".."))
			r = cb(name, e[11] & 0x10, (uint32_t)le16(e + 20) << 16 | le16(e + 26), data);
	}
	free(buf);
	return r < 0 ? r : 0;
}

struct find {
	const char *name;
	bool dir;
	uint32_t cluster;
	bool found;
};

static int find_cb(const char *name, bool dir, uint32_t cluster, void *data)
{
	struct find *fd = data;

	if (dir == fd->dir && strcasecmp(name, fd->name) == 0) {
		fd->cluster = cluster;
		fd->found = true;
		return 1;
	}
	return 0;
}

static bool lookup(const struct fat *f, uint32_t dir, const char *name, bool is_dir, uint32_t *ret)
{
	struct find fd = { .name = name, .dir = is_dir };

	if (walk(f, dir, find_cb, &fd) < 0 || !fd.found)
		return false;
	*ret = fd.cluster;
	return true;
}

struct list {
	char *buf;
	size_t size, len;
};

static int list_cb(const char *name, bool dir, uint32_t cluster, void *data)
{
	struct list *l = data;

	(void)cluster;
	if (dir && l->len + strlen(name) + 2 < l->size)
		l->len += (size_t)pt_snprintf(l->buf + l->len, l->size - l->len, "%s%s", l->len ? " " : "",
					      name);
	return 0;
}

int pt_fat_efi_dirs(int fd, uint64_t off, uint64_t size, char *buf, size_t bufsize, bool *ret_ms_bootmgr)
{
	struct fat f = { .fd = fd, .off = off, .size = size };
	unsigned char bs[512];
	uint32_t fatsz, total, efi, c;
	unsigned reserved, nfats, rootents;
	struct list l = { .buf = buf, .size = bufsize };
	int r;

	if (bufsize == 0)
		return -EINVAL;
	r = rd(&f, 0, bs, sizeof(bs));
	if (r < 0)
		return r;
	f.bps = le16(bs + 11);
	f.spc = bs[13];
	reserved = le16(bs + 14);
	nfats = bs[16];
	rootents = le16(bs + 17);
	total = le16(bs + 19) ? le16(bs + 19) : le32(bs + 32);
	fatsz = le16(bs + 22) ? le16(bs + 22) : le32(bs + 36);
	if ((f.bps != 512 && f.bps != 1024 && f.bps != 2048 && f.bps != 4096) || f.spc == 0 ||
	    (f.spc & (f.spc - 1)) || nfats == 0 || fatsz == 0 || bs[510] != 0x55 || bs[511] != 0xaa)
		return -EINVAL;
	f.fat32 = le16(bs + 22) == 0;
	f.fat_off = (uint64_t)reserved * f.bps;
	f.root_off = f.fat_off + (uint64_t)nfats * fatsz * f.bps;
	f.root_len = (uint64_t)rootents * 32;
	f.data_off = f.root_off + (f.root_len + f.bps - 1) / f.bps * f.bps;
	f.nclusters = (uint32_t)((total - f.data_off / f.bps) / f.spc);
	if (f.fat32)
		f.root_cluster = le32(bs + 44);
	else if (f.nclusters < 4085)
		return -EOPNOTSUPP; /* FAT12: never an ESP in practice */
	buf[0] = '\0';
	if (!lookup(&f, f.root_cluster, "EFI", true, &efi)) {
		*ret_ms_bootmgr = false;
		return 0;
	}
	r = walk(&f, efi, list_cb, &l);
	if (r < 0)
		return r;
	*ret_ms_bootmgr = lookup(&f, efi, "Microsoft", true, &c) && lookup(&f, c, "Boot", true, &c) &&
			  lookup(&f, c, "bootmgfw.efi", false, &c);
	return 0;
}
