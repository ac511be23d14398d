// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Storage behind PCI functions: every block device of sys/class/block, the
 * PCI function its sysfs path hangs off, partitions, dm/md holders, what
 * libblkid finds on it (dev/NAME under the root) and what is mounted there.
 */
#define _GNU_SOURCE
#include <blkid/blkid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "host.h"

#define ESP_GUID "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"

struct raw {		/* what the scan needs before indices are known */
	char parent[32];
	char holders[PT_BLK_MAXHOLD][32];
	size_t nholders;
	uint64_t start;	/* partitions: first byte on the disk */
};

static bool is_slot(const char *s, size_t len)
{
	/* dddd:bb:dd.f (domain may be longer) */
	return len >= 12 && s[len - 2] == '.' && s[len - 5] == ':' && s[len - 8] == ':';
}

/* The PCI function a sysfs device path hangs off: its last dddd:bb:dd.f component. */
static void pci_of(const char *target, char *buf, size_t size)
{
	const char *p = target, *best = NULL;
	size_t blen = 0;

	while (*p) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (is_slot(p, len) && len < size) {
			best = p;
			blen = len;
		}
		p += len + (e ? 1 : 0);
	}
	buf[0] = '\0';
	if (best) {
		memcpy(buf, best, blen);
		buf[blen] = '\0';
	}
}

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\n'))
		s[--n] = '\0';
}

static int read_u64(int dirfd, const char *name, uint64_t *ret)
{
	char buf[32];
	uint64_t v = 0;
	int n = pt_read_attr(dirfd, name, buf, sizeof(buf));

	if (n <= 0)
		return n < 0 ? n : -EINVAL;
	for (int i = 0; i < n; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(buf[i] - '0');
	}
	*ret = v;
	return 0;
}

static int read_one(int classfd, const char *name, struct pt_blk *b, struct raw *raw)
{
	char target[512], buf[64];
	const char *last, *prev;
	ssize_t n;
	uint64_t v;
	int fd;
	DIR *hd;

	*b = (struct pt_blk){ .parent = -1 };
	*raw = (struct raw){ 0 };
	n = readlinkat(classfd, name, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	fd = openat(classfd, name, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
	if (fd < 0)
		return -errno;
	pt_snprintf(b->name, sizeof(b->name), "%s", name);
	if (pt_read_attr(fd, "dev", buf, sizeof(buf)) > 0) {
		char *c = strchr(buf, ':');
		uint32_t ma, mi;

		if (c) {
			*c = '\0';
			if (pt_parse_dec(buf, &ma) == 0 && pt_parse_dec(c + 1, &mi) == 0) {
				b->major = ma;
				b->minor = mi;
			}
		}
	}
	if (read_u64(fd, "size", &v) == 0)
		b->size = v * 512;
	last = strrchr(target, '/');
	if (read_u64(fd, "partition", &v) == 0 && last) {
		b->kind = PT_BLK_PART;
		b->partno = (int)v;
		for (prev = last - 1; prev > target && *prev != '/'; prev--)
			;
		pt_snprintf(raw->parent, sizeof(raw->parent), "%.*s",
			    (int)(last - prev - (*prev == '/')), prev + (*prev == '/'));
		if (read_u64(fd, "start", &v) == 0)
			raw->start = v * 512;
	} else if (strstr(target, "/virtual/")) {
		b->kind = PT_BLK_HOLDER;
		if (pt_read_attr(fd, "dm/name", b->dm_name, sizeof(b->dm_name)) < 0)
			pt_snprintf(b->dm_name, sizeof(b->dm_name), "%s", name);
	} else {
		b->kind = PT_BLK_DISK;
		pci_of(target, b->pci, sizeof(b->pci));
		if (pt_read_attr(fd, "device/model", b->model, sizeof(b->model)) < 0)
			b->model[0] = '\0';
		trim(b->model);
	}
	int hfd = openat(fd, "holders", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (hfd >= 0 && (hd = fdopendir(hfd))) {
		struct dirent *de;

		while ((de = readdir(hd)) && raw->nholders < PT_BLK_MAXHOLD)
			if (de->d_name[0] != '.')
				pt_snprintf(raw->holders[raw->nholders++], sizeof(raw->holders[0]), "%s",
					    de->d_name);
		closedir(hd);
	} else if (hfd >= 0) {
		close(hfd);
	}
	close(fd);
	return 0;
}

static void copy_value(blkid_probe pr, const char *key, char *buf, size_t size)
{
	const char *v;

	if (blkid_probe_lookup_value(pr, key, &v, NULL) == 0)
		pt_snprintf(buf, size, "%s", v);
}

/* Superblock at [off, off+size) of fd: type and label. */
static void probe_fs(int fd, uint64_t off, uint64_t size, struct pt_blk *b)
{
	blkid_probe pr = blkid_new_probe();

	if (!pr)
		return;
	if (blkid_probe_set_device(pr, fd, (blkid_loff_t)off, (blkid_loff_t)size) == 0) {
		blkid_probe_enable_superblocks(pr, 1);
		blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_LABEL |
						  BLKID_SUBLKS_UUID);
		blkid_probe_enable_partitions(pr, 0);
		if (blkid_do_safeprobe(pr) == 0) {
			copy_value(pr, "TYPE", b->fstype, sizeof(b->fstype));
			copy_value(pr, "LABEL", b->label, sizeof(b->label));
			copy_value(pr, "UUID", b->uuid, sizeof(b->uuid));
		}
	}
	blkid_free_probe(pr);
	if (strcmp(b->fstype, "vfat") == 0 && strcasecmp(b->parttype, ESP_GUID) == 0)
		pt_fat_efi_dirs(fd, off, size, b->esp, sizeof(b->esp), &b->ms_bootmgr);
}

/* A disk: its partition table (types and names by number), then each partition's contents. */
static void probe_disk(int rootfd, struct pt_storage *s, size_t di, const struct raw *raws)
{
	struct pt_blk *d = &s->v[di];
	char path[64];
	blkid_probe pr;
	int fd;

	pt_snprintf(path, sizeof(path), "dev/%s", d->name);
	fd = openat(rootfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		d->probe_err = -errno;
		for (size_t i = 0; i < s->n; i++)
			if (s->v[i].parent == (int)di)
				s->v[i].probe_err = d->probe_err;
		return;
	}
	pr = blkid_new_probe();
	if (pr && blkid_probe_set_device(pr, fd, 0, 0) == 0) {
		blkid_partlist pl;

		blkid_probe_enable_partitions(pr, 1);
		blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
		blkid_probe_enable_superblocks(pr, 1);
		blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_LABEL);
		if (blkid_do_safeprobe(pr) == 0) {
			copy_value(pr, "TYPE", d->fstype, sizeof(d->fstype));
			copy_value(pr, "LABEL", d->label, sizeof(d->label));
		}
		pl = blkid_probe_get_partitions(pr);
		for (int k = 0; pl && k < blkid_partlist_numof_partitions(pl); k++) {
			blkid_partition p = blkid_partlist_get_partition(pl, k);
			const char *t = blkid_partition_get_type_string(p), *nm = blkid_partition_get_name(p);
			int no = blkid_partition_get_partno(p);

			for (size_t i = 0; i < s->n; i++) {
				if (s->v[i].parent != (int)di || s->v[i].partno != no)
					continue;
				if (t)
					pt_snprintf(s->v[i].parttype, sizeof(s->v[i].parttype), "%s", t);
				else
					pt_snprintf(s->v[i].parttype, sizeof(s->v[i].parttype), "0x%02x",
						    (unsigned)blkid_partition_get_type(p));
				if (nm)
					pt_snprintf(s->v[i].partname, sizeof(s->v[i].partname), "%s", nm);
			}
		}
	}
	if (pr)
		blkid_free_probe(pr);
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].parent == (int)di) {
			if (strcmp(s->v[i].parttype, "0xef") == 0)	/* MBR ESP */
				pt_snprintf(s->v[i].parttype, sizeof(s->v[i].parttype), ESP_GUID);
			probe_fs(fd, raws[i].start, s->v[i].size, &s->v[i]);
		}
	close(fd);
}

static void probe_holder(int rootfd, struct pt_blk *b)
{
	char path[64];
	int fd;

	pt_snprintf(path, sizeof(path), "dev/%s", b->name);
	fd = openat(rootfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		b->probe_err = -errno;
		return;
	}
	probe_fs(fd, 0, 0, b);
	close(fd);
}

static int find(const struct pt_storage *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return (int)i;
	return -1;
}

static void add_use(struct pt_blk *b, const char *what)
{
	size_t len = strlen(b->use);

	pt_snprintf(b->use + len, sizeof(b->use) - len, "%s%s", len ? " " : "", what);
}

/* A mount source or swap name -> block device index. */
static int by_source(const struct pt_storage *s, const char *src)
{
	if (strncmp(src, "/dev/mapper/", 12) == 0) {
		for (size_t i = 0; i < s->n; i++)
			if (s->v[i].kind == PT_BLK_HOLDER && strcmp(s->v[i].dm_name, src + 12) == 0)
				return (int)i;
		return -1;
	}
	if (strncmp(src, "/dev/", 5) == 0)
		return find(s, src + 5);
	return -1;
}

static void apply_mounts(struct pt_storage *s, const struct pt_mounts *m)
{
	for (size_t k = 0; k < m->n; k++) {
		const struct pt_mount *mt = &m->v[k];
		int i = -1;

		for (size_t j = 0; j < s->n && mt->major; j++)
			if (s->v[j].major == mt->major && s->v[j].minor == mt->minor)
				i = (int)j;
		if (i < 0)
			i = by_source(s, mt->source);	/* btrfs: st_dev is anonymous (0:N) */
		if (i < 0)
			continue;
		add_use(&s->v[i], mt->target);
		if (pt_mount_is_system(mt->target))
			s->v[i].system = true;
	}
	for (size_t k = 0; k < m->nswaps; k++) {
		int i = by_source(s, m->swaps[k]);

		if (i >= 0)
			add_use(&s->v[i], "[swap]");
	}
}

static int cmp_blk(const void *a, const void *b)
{
	const struct pt_blk *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static bool skip_name(const char *n)
{
	return strncmp(n, "loop", 4) == 0 || strncmp(n, "ram", 3) == 0 || strncmp(n, "zram", 4) == 0;
}

int pt_storage_scan(int rootfd, const struct pt_mounts *m, struct pt_storage *ret)
{
	struct pt_storage s = { 0 };
	struct raw *raws = NULL;
	struct dirent *de;
	size_t cap = 0;
	int fd, r = 0;
	DIR *dir;

	fd = openat(rootfd, "sys/class/block", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			*ret = s;
			return 0;
		}
		return -errno;
	}
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -ENOMEM;
	}
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.' || skip_name(de->d_name) || strlen(de->d_name) >= 32)
			continue;
		if (s.n == cap) {
			cap = cap ? cap * 2 : 32;
			struct pt_blk *v = realloc(s.v, cap * sizeof(*v));
			struct raw *rv = v ? realloc(raws, cap * sizeof(*rv)) : NULL;

			if (v)
				s.v = v;
			if (!v || !rv) {
				r = -ENOMEM;
				break;
			}
			raws = rv;
		}
		if (read_one(dirfd(dir), de->d_name, &s.v[s.n], &raws[s.n]) == 0)
			s.n++;
	}
	closedir(dir);
	if (r < 0)
		goto fail;
	/* sort by name, keeping raws aligned: sort indices through a copy */
	for (size_t i = 1; i < s.n; i++)
		for (size_t j = i; j > 0 && cmp_blk(&s.v[j - 1], &s.v[j]) > 0; j--) {
			struct pt_blk t = s.v[j];
			struct raw rt = raws[j];

			s.v[j] = s.v[j - 1];
			s.v[j - 1] = t;
			raws[j] = raws[j - 1];
			raws[j - 1] = rt;
		}
	for (size_t i = 0; i < s.n; i++) {
		if (s.v[i].kind == PT_BLK_PART)
			s.v[i].parent = find(&s, raws[i].parent);
		for (size_t k = 0; k < raws[i].nholders; k++) {
			int h = find(&s, raws[i].holders[k]);

			if (h >= 0)
				s.v[i].holders[s.v[i].nholders++] = h;
		}
	}
	for (size_t i = 0; i < s.n; i++) {
		if (s.v[i].kind == PT_BLK_DISK)
			probe_disk(rootfd, &s, i, raws);
		else if (s.v[i].kind == PT_BLK_HOLDER)
			probe_holder(rootfd, &s.v[i]);
	}
	if (m)
		apply_mounts(&s, m);
	free(raws);
	*ret = s;
	return 0;
fail:
	free(raws);
	pt_storage_free(&s);
	return r;
}

void pt_storage_free(struct pt_storage *s)
{
	free(s->v);
	*s = (struct pt_storage){ 0 };
}

static void uses_rec(const struct pt_storage *s, size_t i, char *buf, size_t size, bool *sys, int depth)
{
	const struct pt_blk *b = &s->v[i];
	size_t len;

	if (depth > 8)
		return;
	if (b->use[0]) {
		len = strlen(buf);
		pt_snprintf(buf + len, size - len, "%s%s", len ? " " : "", b->use);
	}
	if (b->system)
		*sys = true;
	for (size_t k = 0; k < b->nholders; k++)
		uses_rec(s, (size_t)b->holders[k], buf, size, sys, depth + 1);
	if (b->kind == PT_BLK_DISK)
		for (size_t k = 0; k < s->n; k++)
			if (s->v[k].parent == (int)i)
				uses_rec(s, k, buf, size, sys, depth + 1);
}

void pt_blk_uses(const struct pt_storage *s, size_t i, char *buf, size_t size)
{
	bool sys = false;

	buf[0] = '\0';
	uses_rec(s, i, buf, size, &sys, 0);
}

int pt_storage_holds_system(const struct pt_storage *s, const char *slot, char *buf, size_t size)
{
	int found = 0;

	for (size_t i = 0; i < s->n; i++) {
		char uses[256] = "";
		bool sys = false;

		if (s->v[i].kind != PT_BLK_DISK || strcmp(s->v[i].pci, slot) != 0)
			continue;
		uses_rec(s, i, uses, sizeof(uses), &sys, 0);
		if (uses[0] && (sys ? 2 : 1) > found) {
			pt_snprintf(buf, size, "%s%s%s%s: %s", s->v[i].name, s->v[i].model[0] ? " (" : "",
				    s->v[i].model, s->v[i].model[0] ? ")" : "", uses);
			found = sys ? 2 : 1;
		}
	}
	return found;
}

int pt_windows_esp(const struct pt_storage *s, const char *slot, const struct pt_blk **ret)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct pt_blk *b = &s->v[i];

		if (b->kind != PT_BLK_PART || !b->ms_bootmgr || !b->uuid[0] || b->parent < 0 ||
		    strcmp(s->v[b->parent].pci, slot) != 0)
			continue;
		*ret = b;
		return 0;
	}
	return -ENOENT;
}

void pt_size_text(uint64_t bytes, char *buf, size_t size)
{
	static const char *const unit[] = { "B", "kB", "MB", "GB", "TB", "PB" };
	uint64_t v = bytes, rem = 0;
	int u = 0;

	while (v >= 1000 && u < 5) {
		rem = v % 1000;
		v /= 1000;
		u++;
	}
	if (v < 10 && u > 0)
		pt_snprintf(buf, size, "%u.%u %s", (unsigned)v, (unsigned)((rem + 50) / 100 > 9 ? 9 : (rem + 50) / 100), unit[u]);
	else
		pt_snprintf(buf, size, "%u %s", (unsigned)(v + (rem >= 500)), unit[u]);
}
