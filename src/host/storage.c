// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Storage behind PCI functions, as a graph: every block device of sys/class/block, the PCI
 * functions that carry each disk, partitions, holder/slave edges (dm, md, LVM), what libblkid
 * finds on each (dev/NAME under the root), what is mounted there, and the components the
 * running system spreads across (a volume group, a multi-device btrfs or md array).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "dl.h"
#include "host.h"

#define ESP_GUID  "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"
#define PATH_SIZE 4096

struct names { /* names read from a holders/ or slaves/ directory */
	char (*v)[32];
	size_t n;
};

struct raw { /* what the scan needs before indices are known */
	char parent[32];
	struct names holders, slaves;
	uint64_t start; /* partitions: first byte on the disk */
};

struct entry { /* a device and its raw data, sorted together by name */
	struct pt_blk b;
	struct raw r;
};

/* ---- pure helpers ----------------------------------------------------------------------- */

static bool is_slot(const char *s, size_t len)
{
	/* dddd:bb:dd.f (domain may be longer) */
	if (len < 12 || len >= PT_SLOT_MAX || s[len - 2] != '.' || s[len - 5] != ':' || s[len - 8] != ':')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!strchr("0123456789abcdefABCDEF:.", s[i]))
			return false;
	return true;
}

int pt_path_resolve(const char *dir, const char *target, char *buf, size_t size)
{
	size_t len = 0;
	const char *parts[2] = { target[0] == '/' ? "" : dir, target };

	if (size == 0)
		return -ENAMETOOLONG;
	buf[0] = '\0';
	for (int k = 0; k < 2; k++) {
		const char *p = parts[k];

		while (*p) {
			const char *e = strchr(p, '/');
			size_t n = e ? (size_t)(e - p) : strlen(p);

			if (n == 2 && p[0] == '.' && p[1] == '.') {
				while (len > 0 && buf[len - 1] != '/')
					len--;
				if (len > 0)
					len--; /* the slash before it */
				buf[len] = '\0';
			} else if (n > 0 && !(n == 1 && p[0] == '.')) {
				if (len + (len ? 1 : 0) + n + 1 > size)
					return -ENAMETOOLONG;
				if (len)
					buf[len++] = '/';
				memcpy(buf + len, p, n);
				len += n;
				buf[len] = '\0';
			}
			p += n + (e ? 1 : 0);
		}
	}
	return 0;
}

int pt_dm_uuid_vg(const char *uuid, char *buf, size_t size)
{
	size_t n = 0;

	if (strncmp(uuid, "LVM-", 4) != 0)
		return 0;
	uuid += 4;
	/* LVM's IDs are 32 characters of [0-9a-zA-Z]: the VG's, then the LV's */
	while ((uuid[n] >= '0' && uuid[n] <= '9') || (uuid[n] >= 'a' && uuid[n] <= 'z') ||
	       (uuid[n] >= 'A' && uuid[n] <= 'Z'))
		n++;
	if (n != 64 || (uuid[n] && uuid[n] != '-') || size < 33)
		return 0;
	memcpy(buf, uuid, 32);
	buf[32] = '\0';
	return 1;
}

bool pt_blk_carried_by(const struct pt_blk *b, const char *slot)
{
	if (b->kind != PT_BLK_DISK)
		return false;
	for (size_t k = 0; k < b->ncarriers; k++)
		if (strcmp(b->carriers[k], slot) == 0)
			return true;
	return false;
}

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\n'))
		s[--n] = '\0';
}

static int cmp_slot(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->b.name, ((const struct entry *)b)->b.name);
}

static int find(const struct pt_storage *s, const char *name)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) { /* s->v is sorted by name */
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->v[mid].name, name);

		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int add_carrier(struct pt_blk *b, const char *slot, size_t len)
{
	char(*v)[PT_SLOT_MAX];

	for (size_t k = 0; k < b->ncarriers; k++)
		if (strlen(b->carriers[k]) == len && strncmp(b->carriers[k], slot, len) == 0)
			return 0;
	v = realloc(b->carriers, (b->ncarriers + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	b->carriers = v;
	memcpy(v[b->ncarriers], slot, len);
	v[b->ncarriers++][len] = '\0';
	return 0;
}

/* ---- resolve: edges, mounts, components (no I/O but dev/ links) -------------------------- */

struct edge {
	int lower, upper; /* upper is built on (holds) lower */
};

static int cmp_edge(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;

	if (x->lower != y->lower)
		return x->lower < y->lower ? -1 : 1;
	return x->upper < y->upper ? -1 : x->upper > y->upper;
}

static bool valid(const struct pt_storage *s, int x, size_t self)
{
	return x >= 0 && (size_t)x < s->n && (size_t)x != self;
}

/* Holders and slaves from the union of both sides' lists, symmetric, sorted, unique. */
static int normalize_edges(struct pt_storage *s)
{
	struct edge *e = NULL;
	size_t ne = 0, cap = 0, *nh = NULL, *ns = NULL;
	int r = -ENOMEM;

	for (size_t i = 0; i < s->n; i++) {
		const struct pt_blk *b = &s->v[i];

		for (size_t pass = 0; pass < 2; pass++) {
			const int *v = pass ? b->slaves : b->holders;
			size_t n = pass ? b->nslaves : b->nholders;

			for (size_t k = 0; k < n; k++) {
				if (!valid(s, v[k], i))
					continue;
				if (ne == cap) {
					struct edge *t;

					cap = cap ? cap * 2 : 64;
					t = realloc(e, cap * sizeof(*t));
					if (!t)
						goto out;
					e = t;
				}
				e[ne++] = pass ? (struct edge){ v[k], (int)i }
					       : (struct edge){ (int)i, v[k] };
			}
		}
	}
	if (ne)
		qsort(e, ne, sizeof(*e), cmp_edge);
	nh = calloc(s->n + 1, sizeof(*nh));
	ns = calloc(s->n + 1, sizeof(*ns));
	if (!nh || !ns)
		goto out;
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].holders);
		free(s->v[i].slaves);
		s->v[i].holders = s->v[i].slaves = NULL;
		s->v[i].nholders = s->v[i].nslaves = 0;
	}
	for (size_t k = 0; k < ne; k++)
		if (k == 0 || cmp_edge(&e[k - 1], &e[k]) != 0) {
			nh[e[k].lower]++;
			ns[e[k].upper]++;
		}
	for (size_t i = 0; i < s->n; i++) {
		if (nh[i] && !(s->v[i].holders = malloc(nh[i] * sizeof(int))))
			goto out;
		if (ns[i] && !(s->v[i].slaves = malloc(ns[i] * sizeof(int))))
			goto out;
	}
	/* in (lower, upper) order: each holders list comes out sorted, and so does each slaves list */
	for (size_t k = 0; k < ne; k++)
		if (k == 0 || cmp_edge(&e[k - 1], &e[k]) != 0) {
			struct pt_blk *lo = &s->v[e[k].lower], *up = &s->v[e[k].upper];

			lo->holders[lo->nholders++] = e[k].upper;
			up->slaves[up->nslaves++] = e[k].lower;
		}
	r = 0;
out:
	free(e);
	free(nh);
	free(ns);
	return r;
}

static int list_parts(struct pt_storage *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].parts);
		s->v[i].parts = NULL;
		s->v[i].nparts = 0;
	}
	for (size_t i = 0; i < s->n; i++) {
		struct pt_blk *d;
		int *v;

		if (!valid(s, s->v[i].parent, i)) {
			s->v[i].parent = -1;
			continue;
		}
		d = &s->v[s->v[i].parent];
		v = realloc(d->parts, (d->nparts + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		d->parts = v;
		v[d->nparts++] = (int)i; /* i ascends: sorted */
	}
	return 0;
}

static void add_use(struct pt_blk *b, const char *what)
{
	size_t len = strlen(b->use);

	if (len + 1 < sizeof(b->use))
		pt_snprintf(b->use + len, sizeof(b->use) - len, "%s%s", len ? " " : "", what);
}

static int by_dm_name(const struct pt_storage *s, const char *name)
{
	for (size_t k = 0; k < s->n; k++)
		if (s->v[k].kind == PT_BLK_HOLDER && strcmp(s->v[k].dm_name, name) == 0)
			return (int)k;
	return -1;
}

/* A mount source or swap name -> block device index: /dev/NAME, /dev/mapper/NAME, or a link
 * under dev/ (/dev/disk/by-uuid/..., /dev/VG/LV, /dev/md/NAME) to one of those. */
static int by_source(const struct pt_storage *s, const char *src, int rootfd)
{
	char target[PATH_SIZE], dir[PATH_SIZE], path[PATH_SIZE];
	ssize_t n;
	int i;

	if (strncmp(src, "/dev/", 5) != 0)
		return -1;
	if (strncmp(src, "/dev/mapper/", 12) == 0 && (i = by_dm_name(s, src + 12)) >= 0)
		return i;
	if (!strchr(src + 5, '/') && (i = find(s, src + 5)) >= 0)
		return i;
	if (rootfd < 0)
		return -1;
	n = readlinkat(rootfd, src + 1, target, sizeof(target));
	if (n <= 0 || (size_t)n >= sizeof(target))
		return -1;
	target[n] = '\0';
	if (pt_path_resolve(src + 1, "..", dir, sizeof(dir)) < 0 ||
	    pt_path_resolve(dir, target, path, sizeof(path)) < 0 || strncmp(path, "dev/", 4) != 0)
		return -1;
	if (strncmp(path + 4, "mapper/", 7) == 0 && !strchr(path + 11, '/'))
		return by_dm_name(s, path + 11);
	return strchr(path + 4, '/') ? -1 : find(s, path + 4);
}

static void apply_mounts(struct pt_storage *s, const struct pt_mounts *m, int rootfd)
{
	for (size_t k = 0; k < m->n; k++) {
		const struct pt_mount *mt = &m->v[k];
		int i = -1;

		for (size_t j = 0; j < s->n && mt->major; j++)
			if (s->v[j].major == mt->major && s->v[j].minor == mt->minor)
				i = (int)j;
		if (i < 0)
			i = by_source(s, mt->source, rootfd); /* btrfs: st_dev is anonymous (0:N) */
		if (i < 0)
			continue;
		add_use(&s->v[i], mt->target);
		if (pt_mount_is_system(mt->target))
			s->v[i].system = true;
	}
	for (size_t k = 0; k < m->nswaps; k++) {
		/* a swap file's name is no /dev path, and zram is not in the model */
		int i = by_source(s, m->swaps[k], rootfd);

		if (i >= 0)
			add_use(&s->v[i], "[swap]");
	}
}

static size_t uf_find(size_t *up, size_t x)
{
	while (up[x] != x) {
		up[x] = up[up[x]];
		x = up[x];
	}
	return x;
}

static void uf_join(size_t *up, size_t a, size_t b)
{
	a = uf_find(up, a);
	b = uf_find(up, b);
	if (a != b)
		up[a > b ? a : b] = a < b ? a : b; /* the lower index stays the root */
}

struct key {
	const char *k;
	size_t i;
};

static int cmp_key(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c = strcmp(x->k, y->k);

	return c ? c : (x->i < y->i ? -1 : x->i > y->i);
}

/* One file system or array over several devices: libblkid gives each member the same UUID. */
static bool multi_device(const char *fstype)
{
	return strcmp(fstype, "btrfs") == 0 || strcmp(fstype, "linux_raid_member") == 0;
}

static int components(struct pt_storage *s)
{
	size_t *up = malloc((s->n + 1) * sizeof(*up));
	struct key *keys = malloc((s->n + 1) * sizeof(*keys));
	char(*vg)[48] = malloc((s->n + 1) * sizeof(*vg)); /* a VG UUID, or type + UUID */
	size_t nk = 0;

	if (!up || !keys || !vg) {
		free(up);
		free(keys);
		free(vg);
		return -ENOMEM;
	}
	for (size_t i = 0; i < s->n; i++)
		up[i] = i;
	for (size_t i = 0; i < s->n; i++)
		for (size_t k = 0; k < s->v[i].nholders; k++)
			uf_join(up, i, (size_t)s->v[i].holders[k]);
	/* the LVs of one volume group */
	for (size_t i = 0; i < s->n; i++)
		if (pt_dm_uuid_vg(s->v[i].dm_uuid, vg[i], sizeof(vg[i])))
			keys[nk++] = (struct key){ vg[i], i };
	qsort(keys, nk, sizeof(*keys), cmp_key);
	for (size_t k = 1; k < nk; k++)
		if (strcmp(keys[k - 1].k, keys[k].k) == 0)
			uf_join(up, keys[k - 1].i, keys[k].i);
	/* the members of one multi-device btrfs or md array: same type, same UUID */
	nk = 0;
	for (size_t i = 0; i < s->n; i++)
		if (multi_device(s->v[i].fstype) && s->v[i].uuid[0]) {
			pt_snprintf(vg[i], sizeof(vg[i]), "%c%s", s->v[i].fstype[0], s->v[i].uuid);
			keys[nk++] = (struct key){ vg[i], i };
		}
	qsort(keys, nk, sizeof(*keys), cmp_key);
	for (size_t k = 1; k < nk; k++)
		if (strcmp(keys[k - 1].k, keys[k].k) == 0)
			uf_join(up, keys[k - 1].i, keys[k].i);
	for (size_t i = 0; i < s->n; i++)
		s->v[i].component = uf_find(up, i);
	free(up);
	free(keys);
	free(vg);
	return 0;
}

int pt_storage_resolve(struct pt_storage *s, const struct pt_mounts *m, int rootfd)
{
	int r;

	for (size_t i = 0; i < s->n; i++) {
		s->v[i].use[0] = '\0';
		s->v[i].system = false;
	}
	if ((r = normalize_edges(s)) < 0 || (r = list_parts(s)) < 0)
		return r;
	if (m)
		apply_mounts(s, m, rootfd);
	return components(s);
}

/* ---- what goes with a device ------------------------------------------------------------ */

struct closure {
	unsigned char *seen; /* per device */
	size_t *order;	     /* devices in the order found: depth first, holders before partitions */
	size_t n;
};

static int push(size_t **stack, size_t *n, size_t *cap, size_t x)
{
	if (*n == *cap) {
		size_t *t;

		*cap = *cap ? *cap * 2 : 32;
		t = realloc(*stack, *cap * sizeof(*t));
		if (!t)
			return -ENOMEM;
		*stack = t;
	}
	(*stack)[(*n)++] = x;
	return 0;
}

/* i, everything built on it (holders, a disk's partitions, recursively: each device once, so
 * cycles end), then the other members of the components of every disk and partition among
 * them. Iterative: a hostile tree's depth costs no stack. */
static int closure_of(const struct pt_storage *s, size_t i, struct closure *c)
{
	size_t *stack = NULL, ns = 0, cap = 0;
	unsigned char *comp = NULL;
	int r = -ENOMEM;

	*c = (struct closure){ 0 };
	c->seen = calloc(s->n + 1, 1);
	c->order = malloc((s->n + 1) * sizeof(*c->order));
	comp = calloc(s->n + 1, 1);
	if (!c->seen || !c->order || !comp || push(&stack, &ns, &cap, i) < 0)
		goto out;
	while (ns) {
		size_t x = stack[--ns];
		const struct pt_blk *b = &s->v[x];

		if (c->seen[x])
			continue;
		c->seen[x] = 1;
		c->order[c->n++] = x;
		if (b->kind != PT_BLK_HOLDER && b->component < s->n)
			comp[b->component] = 1;
		/* pushed in reverse: holders come out first, in order, then partitions */
		for (size_t k = b->nparts; k-- > 0;)
			if (!c->seen[b->parts[k]] && push(&stack, &ns, &cap, (size_t)b->parts[k]) < 0)
				goto out;
		for (size_t k = b->nholders; k-- > 0;)
			if (!c->seen[b->holders[k]] && push(&stack, &ns, &cap, (size_t)b->holders[k]) < 0)
				goto out;
	}
	for (size_t x = 0; x < s->n; x++)
		if (!c->seen[x] && s->v[x].component < s->n && comp[s->v[x].component]) {
			c->seen[x] = 1;
			c->order[c->n++] = x;
		}
	r = 0;
out:
	free(stack);
	free(comp);
	if (r < 0) {
		free(c->seen);
		free(c->order);
		*c = (struct closure){ 0 };
	}
	return r;
}

static void closure_free(struct closure *c)
{
	free(c->seen);
	free(c->order);
}

static void uses_text(const struct pt_storage *s, const struct closure *c, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t k = 0; k < c->n && len + 1 < size; k++) {
		const struct pt_blk *b = &s->v[c->order[k]];

		if (b->use[0])
			len += (size_t)pt_snprintf(buf + len, size - len, "%s%s", len ? " " : "", b->use);
	}
}

void pt_blk_uses(const struct pt_storage *s, size_t i, char *buf, size_t size)
{
	struct closure c;

	if (size)
		buf[0] = '\0';
	if (i >= s->n || size == 0)
		return;
	if (closure_of(s, i, &c) < 0) {
		pt_snprintf(buf, size, "%s", "(out of memory)"); /* never "nothing" */
		return;
	}
	uses_text(s, &c, buf, size);
	closure_free(&c);
}

bool pt_storage_system_refusal(const struct pt_storage *s, const struct pt_dev *d, char *buf, size_t size)
{
	char text[300];

	if (pt_storage_holds_system(s, d->slot, text, sizeof(text)) != 2)
		return false;
	pt_snprintf(buf, size, "%s [%04x:%04x] carries the running system's disk %s", pt_dev_short_slot(d),
		    d->vendor, d->device, text);
	return true;
}

int pt_storage_holds_system(const struct pt_storage *s, const char *slot, char *buf, size_t size)
{
	int found = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct pt_blk *d = &s->v[i];
		char uses[256] = "";
		bool sys = false, used = false;
		struct closure c;

		if (!pt_blk_carried_by(d, slot))
			continue;
		if (closure_of(s, i, &c) < 0) {
			pt_snprintf(buf, size, "%s: out of memory", d->name);
			return 2; /* can't tell: never hand it away */
		}
		for (size_t k = 0; k < c.n; k++) {
			sys |= s->v[c.order[k]].system;
			used |= s->v[c.order[k]].use[0] != '\0';
		}
		uses_text(s, &c, uses, sizeof(uses));
		closure_free(&c);
		if ((used || sys) && (sys ? 2 : 1) > found) {
			pt_snprintf(buf, size, "%s%s%s%s: %s", d->name, d->model[0] ? " (" : "", d->model,
				    d->model[0] ? ")" : "", uses);
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
		    (size_t)b->parent >= s->n || !pt_blk_carried_by(&s->v[b->parent], slot))
			continue;
		*ret = b;
		return 0;
	}
	return -ENOENT;
}

int pt_blk_walk_init(const struct pt_storage *s, struct pt_blk_walk *w)
{
	w->n = s->n;
	w->seen = calloc(s->n + 1, 1);
	return w->seen ? 0 : -ENOMEM;
}

bool pt_blk_walk_enter(struct pt_blk_walk *w, size_t i, int depth)
{
	if (!w->seen || i >= w->n || w->seen[i] || depth >= PT_BLK_WALK_DEPTH)
		return false;
	w->seen[i] = 1;
	return true;
}

void pt_blk_walk_free(struct pt_blk_walk *w)
{
	free(w->seen);
	*w = (struct pt_blk_walk){ 0 };
}

void pt_storage_free(struct pt_storage *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].holders);
		free(s->v[i].slaves);
		free(s->v[i].parts);
		free(s->v[i].carriers);
	}
	free(s->v);
	*s = (struct pt_storage){ 0 };
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
		pt_snprintf(buf, size, "%u.%u %s", (unsigned)v,
			    (unsigned)((rem + 50) / 100 > 9 ? 9 : (rem + 50) / 100), unit[u]);
	else
		pt_snprintf(buf, size, "%u %s", (unsigned)(v + (rem >= 500)), unit[u]);
}

/* ---- the scan: sysfs ------------------------------------------------------------------- */

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

/* The entries of dir/sub (holders/, slaves/); none when it does not exist. */
static int read_names(int dirfd, const char *sub, struct names *ret)
{
	struct names nm = { 0 };
	struct dirent *de;
	int r;
	DIR *d;

	r = pt_opendir(dirfd, sub, &d);
	if (r < 0)
		return r == -ENOENT || r == -ENOTDIR ? 0 : r;
	while ((de = readdir(d))) {
		char(*v)[32];

		if (de->d_name[0] == '.')
			continue;
		if (strlen(de->d_name) >= sizeof(nm.v[0])) {
			r = -ENAMETOOLONG;
			break;
		}
		v = realloc(nm.v, (nm.n + 1) * sizeof(*v));
		if (!v) {
			r = -ENOMEM;
			break;
		}
		nm.v = v;
		memcpy(v[nm.n++], de->d_name, strlen(de->d_name) + 1);
	}
	closedir(d);
	if (r < 0) {
		free(nm.v);
		return r;
	}
	*ret = nm;
	return 0;
}

/* Every PCI function on a sysfs device path that is not a bridge: an NVMe's own function and,
 * above it, a function hosting its domain (Intel VMD). A function whose class can't be read
 * counts: better one function too many than the system disk's host missing. */
static int path_carriers(int rootfd, const char *path, struct pt_blk *b, char *nearest)
{
	char pre[PATH_SIZE], cls[32];
	const char *p = path;
	int r;

	while (*p) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (is_slot(p, len)) {
			size_t plen = (size_t)(p - path) + len;

			if (plen + sizeof("/class") > sizeof(pre))
				return -ENAMETOOLONG;
			pt_snprintf(pre, sizeof(pre), "%.*s/class", (int)plen, path);
			if (pt_read_attr(rootfd, pre, cls, sizeof(cls)) < 0 ||
			    (strncmp(cls, "0x0604", 6) != 0 && strncmp(cls, "0x0609", 6) != 0)) {
				if ((r = add_carrier(b, p, len)) < 0)
					return r;
				if (nearest) {
					memcpy(nearest, p, len);
					nearest[len] = '\0';
				}
			}
		}
		p += len + (e ? 1 : 0);
	}
	return 0;
}

/* A native NVMe multipath disk, .../nvme-subsystem/nvme-subsysN/nvmeNnM: the subsystem links
 * its controllers (nvmeX -> .../0000:06:00.0/nvme/nvmeX); each one's function carries it. */
static int subsystem_carriers(int rootfd, const char *path, struct pt_blk *b)
{
	char dir[PATH_SIZE], target[PATH_SIZE], ctrl[PATH_SIZE];
	struct dirent *de;
	int r;
	DIR *d;

	if (pt_path_resolve(path, "..", dir, sizeof(dir)) < 0)
		return -ENAMETOOLONG;
	r = pt_opendir(rootfd, dir, &d);
	if (r < 0)
		return r == -ENOMEM ? r : 0;
	while ((de = readdir(d)) && r == 0) {
		const char *n = de->d_name;
		ssize_t len;

		if (strncmp(n, "nvme", 4) != 0 || !n[4] || strspn(n + 4, "0123456789") != strlen(n + 4))
			continue;
		len = readlinkat(dirfd(d), n, target, sizeof(target));
		if (len < 0)
			continue; /* a namespace's directory, not a controller's link */
		if ((size_t)len >= sizeof(target)) {
			r = -ENAMETOOLONG;
			break;
		}
		target[len] = '\0';
		r = pt_path_resolve(dir, target, ctrl, sizeof(ctrl));
		if (r == 0)
			r = path_carriers(rootfd, ctrl, b, NULL);
	}
	closedir(d);
	return r;
}

/* .../nvme-subsystem/nvme-subsysN/NAME: a disk right in a subsystem's directory */
static bool in_subsystem(const char *path)
{
	const char *sub = strstr(path, "/nvme-subsystem/nvme-subsys"), *slash;

	if (!sub)
		return false;
	slash = strchr(sub + strlen("/nvme-subsystem/"), '/');
	return slash && slash[1] && !strchr(slash + 1, '/');
}

/* nvmeXcYnZ: the kernel's name for one controller's path to a shared namespace */
static bool nvme_path_name(const char *n)
{
	size_t a, b, c;

	if (strncmp(n, "nvme", 4) != 0)
		return false;
	n += 4;
	a = strspn(n, "0123456789");
	if (!a || n[a] != 'c')
		return false;
	n += a + 1;
	b = strspn(n, "0123456789");
	if (!b || n[b] != 'n')
		return false;
	n += b + 1;
	c = strspn(n, "0123456789");
	return c && !n[c];
}

/* 1: read into b and raw; 0: left out (a hidden path device); <0: -errno. */
static int read_one(int rootfd, const char *name, struct pt_blk *b, struct raw *raw)
{
	char target[PATH_SIZE], path[PATH_SIZE], buf[64], link[PATH_SIZE];
	uint64_t v;
	ssize_t n;
	int fd, r;

	*b = (struct pt_blk){ .parent = -1 };
	*raw = (struct raw){ 0 };
	pt_snprintf(link, sizeof(link), "sys/class/block/%s", name);
	n = readlinkat(rootfd, link, target, sizeof(target));
	if (n < 0)
		return -errno;
	if ((size_t)n >= sizeof(target))
		return -ENAMETOOLONG;
	target[n] = '\0';
	if ((r = pt_path_resolve("sys/class/block", target, path, sizeof(path))) < 0)
		return r;
	fd = openat(rootfd, path, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
	if (fd < 0)
		return -errno;
	/* a native multipath path device (hidden nvme0c1n1, no dev_t): the disk is its
	 * subsystem's nvme0n1 */
	if (nvme_path_name(name) && pt_read_attr(fd, "hidden", buf, sizeof(buf)) > 0 &&
	    strcmp(buf, "1") == 0) {
		close(fd);
		return 0;
	}
	memcpy(b->name, name, strlen(name) + 1);
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
	if (read_u64(fd, "partition", &v) == 0) {
		const char *last = strrchr(path, '/'), *prev;

		b->kind = PT_BLK_PART;
		b->partno = (int)v;
		for (prev = last ? last - 1 : path; prev > path && *prev != '/'; prev--)
			;
		if (last && (size_t)(last - prev) <= sizeof(raw->parent))
			pt_snprintf(raw->parent, sizeof(raw->parent), "%.*s",
				    (int)(last - prev - (*prev == '/')), prev + (*prev == '/'));
		if (read_u64(fd, "start", &v) == 0)
			raw->start = v * 512;
	} else if (strstr(path, "/virtual/") && !in_subsystem(path)) {
		b->kind = PT_BLK_HOLDER;
		if (pt_read_attr(fd, "dm/name", b->dm_name, sizeof(b->dm_name)) < 0)
			pt_snprintf(b->dm_name, sizeof(b->dm_name), "%s", name);
		if (pt_read_attr(fd, "dm/uuid", b->dm_uuid, sizeof(b->dm_uuid)) < 0)
			b->dm_uuid[0] = '\0';
	} else {
		b->kind = PT_BLK_DISK;
		if (pt_read_attr(fd, "device/model", b->model, sizeof(b->model)) < 0)
			b->model[0] = '\0';
		trim(b->model);
		r = in_subsystem(path) ? subsystem_carriers(rootfd, path, b)
				       : path_carriers(rootfd, path, b, b->pci);
		if (r == 0 && b->ncarriers) {
			qsort(b->carriers, b->ncarriers, sizeof(b->carriers[0]), cmp_slot);
			if (!b->pci[0])
				memcpy(b->pci, b->carriers[0], sizeof(b->pci));
		}
	}
	if (r == 0)
		r = read_names(fd, "holders", &raw->holders);
	if (r == 0)
		r = read_names(fd, "slaves", &raw->slaves);
	close(fd);
	return r < 0 ? r : 1;
}

/* A mounted btrfs lists its devices in sys/fs/btrfs/FSID/devices/: readable without root,
 * where libblkid can't open the disks. */
static int btrfs_members(int rootfd, struct pt_storage *s)
{
	struct dirent *de;
	DIR *d;
	int r;

	r = pt_opendir(rootfd, "sys/fs/btrfs", &d);
	if (r < 0)
		return r == -ENOMEM ? r : 0;
	while ((de = readdir(d)) && r == 0) {
		struct names nm = { 0 };
		char sub[300];

		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(s->v[0].uuid))
			continue;
		pt_snprintf(sub, sizeof(sub), "%s/devices", de->d_name);
		r = read_names(dirfd(d), sub, &nm);
		for (size_t k = 0; r == 0 && k < nm.n; k++) {
			int i = find(s, nm.v[k]);

			if (i < 0)
				continue;
			if (!s->v[i].fstype[0])
				pt_snprintf(s->v[i].fstype, sizeof(s->v[i].fstype), "btrfs");
			if (!s->v[i].uuid[0] && strcmp(s->v[i].fstype, "btrfs") == 0)
				pt_snprintf(s->v[i].uuid, sizeof(s->v[i].uuid), "%s", de->d_name);
		}
		free(nm.v);
	}
	closedir(d);
	return r;
}

/* ---- the scan: libblkid ---------------------------------------------------------------- */

static void copy_value(const struct pt_blkid_api *api, blkid_probe pr, const char *key, char *buf,
		       size_t size)
{
	const char *v;

	if (api->blkid_probe_lookup_value(pr, key, &v, NULL) == 0)
		pt_snprintf(buf, size, "%s", v);
}

/* Superblock at [off, off+size) of fd: type, label, UUID. */
static void probe_fs(const struct pt_blkid_api *api, int fd, uint64_t off, uint64_t size, struct pt_blk *b)
{
	blkid_probe pr = api->blkid_new_probe();

	if (!pr)
		return;
	if (api->blkid_probe_set_device(pr, fd, (blkid_loff_t)off, (blkid_loff_t)size) == 0) {
		api->blkid_probe_enable_superblocks(pr, 1);
		api->blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_LABEL |
								   BLKID_SUBLKS_UUID);
		api->blkid_probe_enable_partitions(pr, 0);
		if (api->blkid_do_safeprobe(pr) == 0) {
			copy_value(api, pr, "TYPE", b->fstype, sizeof(b->fstype));
			copy_value(api, pr, "LABEL", b->label, sizeof(b->label));
			copy_value(api, pr, "UUID", b->uuid, sizeof(b->uuid));
		}
	}
	api->blkid_free_probe(pr);
	if (strcmp(b->fstype, "vfat") == 0 && strcasecmp(b->parttype, ESP_GUID) == 0)
		pt_fat_efi_dirs(fd, off, size, b->esp, sizeof(b->esp), &b->ms_bootmgr);
}

/* A disk: its partition table (types and names by number), then each partition's contents. */
static void probe_disk(const struct pt_blkid_api *api, int rootfd, struct pt_storage *s, size_t di,
		       const struct entry *raws)
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
	pr = api->blkid_new_probe();
	if (pr && api->blkid_probe_set_device(pr, fd, 0, 0) == 0) {
		blkid_partlist pl;

		api->blkid_probe_enable_partitions(pr, 1);
		api->blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
		api->blkid_probe_enable_superblocks(pr, 1);
		api->blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_LABEL |
								   BLKID_SUBLKS_UUID);
		if (api->blkid_do_safeprobe(pr) == 0) {
			copy_value(api, pr, "TYPE", d->fstype, sizeof(d->fstype));
			copy_value(api, pr, "LABEL", d->label, sizeof(d->label));
			copy_value(api, pr, "UUID", d->uuid, sizeof(d->uuid));
		}
		pl = api->blkid_probe_get_partitions(pr);
		for (int k = 0; pl && k < api->blkid_partlist_numof_partitions(pl); k++) {
			blkid_partition p = api->blkid_partlist_get_partition(pl, k);
			const char *t = api->blkid_partition_get_type_string(p),
				   *nm = api->blkid_partition_get_name(p);
			int no = api->blkid_partition_get_partno(p);

			for (size_t i = 0; i < s->n; i++) {
				if (s->v[i].parent != (int)di || s->v[i].partno != no)
					continue;
				if (t)
					pt_snprintf(s->v[i].parttype, sizeof(s->v[i].parttype), "%s", t);
				else
					pt_snprintf(s->v[i].parttype, sizeof(s->v[i].parttype), "0x%02x",
						    (unsigned)api->blkid_partition_get_type(p));
				if (nm)
					pt_snprintf(s->v[i].partname, sizeof(s->v[i].partname), "%s", nm);
			}
		}
	}
	if (pr)
		api->blkid_free_probe(pr);
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].parent == (int)di) {
			if (strcmp(s->v[i].parttype, "0xef") == 0) /* MBR ESP */
				pt_snprintf(s->v[i].parttype, sizeof(s->v[i].parttype), ESP_GUID);
			probe_fs(api, fd, raws[i].r.start, s->v[i].size, &s->v[i]);
		}
	close(fd);
}

static void probe_holder(const struct pt_blkid_api *api, int rootfd, struct pt_blk *b)
{
	char path[64];
	int fd;

	pt_snprintf(path, sizeof(path), "dev/%s", b->name);
	fd = openat(rootfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		b->probe_err = -errno;
		return;
	}
	probe_fs(api, fd, 0, 0, b);
	close(fd);
}

static bool skip_name(const char *n)
{
	return strncmp(n, "loop", 4) == 0 || strncmp(n, "ram", 3) == 0 || strncmp(n, "zram", 4) == 0;
}

/* names -> indices, into an array the caller frees */
static int indices(const struct pt_storage *s, const struct names *nm, int **ret, size_t *ret_n)
{
	int *v = nm->n ? malloc(nm->n * sizeof(*v)) : NULL;
	size_t n = 0;

	if (nm->n && !v)
		return -ENOMEM;
	for (size_t k = 0; k < nm->n; k++) {
		int x = find(s, nm->v[k]);

		if (x >= 0)
			v[n++] = x;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static void entries_free(struct entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].r.holders.v);
		free(e[i].r.slaves.v);
	}
	free(e);
}

/* Every block device of sys/class/block, read raw (names, not yet indices) into *ret_e. */
static int read_all(int rootfd, struct entry **ret_e, size_t *ret_n)
{
	struct entry *e = NULL;
	struct dirent *de;
	size_t n = 0, cap = 0;
	int r;
	DIR *dir;

	r = pt_opendir(rootfd, "sys/class/block", &dir);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.' || skip_name(de->d_name))
			continue;
		if (strlen(de->d_name) >= sizeof(e[0].b.name)) {
			r = -ENAMETOOLONG;
			break;
		}
		if (n == cap) {
			struct entry *t;

			cap = cap ? cap * 2 : 32;
			t = realloc(e, cap * sizeof(*t));
			if (!t) {
				r = -ENOMEM;
				break;
			}
			e = t;
		}
		r = read_one(rootfd, de->d_name, &e[n].b, &e[n].r);
		if (r < 0) {
			free(e[n].b.carriers);
			free(e[n].r.holders.v);
			free(e[n].r.slaves.v);
			if (r == -ENOENT) { /* gone while we looked (a device removed) */
				r = 0;
				continue;
			}
			break;
		}
		if (r == 1)
			n++;
		r = 0;
	}
	closedir(dir);
	*ret_e = e;
	*ret_n = n;
	return r;
}

/* The model from the raw entries: sorted, names turned into indices; s owns the carriers. */
static int index_all(struct entry *e, size_t n, struct pt_storage *s)
{
	int r = 0;

	if (n)
		qsort(e, n, sizeof(*e), cmp_entry);
	s->v = calloc(n + 1, sizeof(*s->v));
	if (!s->v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		s->v[i] = e[i].b;
		e[i].b.carriers = NULL;
	}
	s->n = n;
	for (size_t i = 0; i < s->n && r == 0; i++) {
		if (s->v[i].kind == PT_BLK_PART)
			s->v[i].parent = find(s, e[i].r.parent);
		r = indices(s, &e[i].r.holders, &s->v[i].holders, &s->v[i].nholders);
		if (r == 0)
			r = indices(s, &e[i].r.slaves, &s->v[i].slaves, &s->v[i].nslaves);
	}
	return r;
}

int pt_storage_scan(int rootfd, const struct pt_mounts *m, struct pt_storage *ret)
{
	struct pt_blkid_api api = { 0 };
	struct pt_storage s = { 0 };
	struct entry *e = NULL;
	size_t n = 0;
	int r;

	r = read_all(rootfd, &e, &n);
	if (r == 0)
		r = index_all(e, n, &s);
	if (r == 0 && s.n > 0)
		r = pt_blkid_api_open(&api);
	for (size_t i = 0; r == 0 && i < s.n; i++) {
		if (s.v[i].kind == PT_BLK_DISK)
			probe_disk(&api, rootfd, &s, i, e);
		else if (s.v[i].kind == PT_BLK_HOLDER)
			probe_holder(&api, rootfd, &s.v[i]);
	}
	pt_dl_close(api.dl);
	if (r == 0)
		r = btrfs_members(rootfd, &s);
	if (r == 0)
		r = pt_storage_resolve(&s, m, rootfd);
	for (size_t i = 0; i < n; i++)
		free(e[i].b.carriers); /* those s did not take over */
	entries_free(e, n);
	if (r < 0) {
		pt_storage_free(&s);
		return r;
	}
	*ret = s;
	return 0;
}
