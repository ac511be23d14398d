// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The host's CPUs as VM mode needs them: CPU lists ("0-7,16-23"), the topology of a root (cores
 * and their SMT siblings, L3 domains, NUMA nodes, hybrid core kinds), its memory and hugepage
 * pools, and what a VM-mode boot really got (isolated CPUs, nohz_full, QEMU's thread affinity).
 * Every file is read through the root fd; the list helpers are pure.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"

/* ---- CPU sets --------------------------------------------------------------------------- */

void pt_cpuset_add(struct pt_cpuset *s, unsigned cpu)
{
	if (cpu < PT_CPU_MAX)
		s->bits[cpu / 64] |= 1ull << (cpu % 64);
}

bool pt_cpuset_has(const struct pt_cpuset *s, unsigned cpu)
{
	return cpu < PT_CPU_MAX && (s->bits[cpu / 64] >> (cpu % 64) & 1);
}

unsigned pt_cpuset_count(const struct pt_cpuset *s)
{
	unsigned n = 0;

	for (size_t i = 0; i < PT_CPU_MAX / 64; i++)
		n += (unsigned)__builtin_popcountll(s->bits[i]);
	return n;
}

bool pt_cpuset_empty(const struct pt_cpuset *s)
{
	for (size_t i = 0; i < PT_CPU_MAX / 64; i++)
		if (s->bits[i])
			return false;
	return true;
}

bool pt_cpuset_equal(const struct pt_cpuset *a, const struct pt_cpuset *b)
{
	return memcmp(a->bits, b->bits, sizeof(a->bits)) == 0;
}

bool pt_cpuset_subset(const struct pt_cpuset *a, const struct pt_cpuset *b)
{
	for (size_t i = 0; i < PT_CPU_MAX / 64; i++)
		if (a->bits[i] & ~b->bits[i])
			return false;
	return true;
}

int pt_cpuset_next(const struct pt_cpuset *s, int prev)
{
	unsigned c = prev < 0 ? 0 : (unsigned)prev + 1;

	while (c < PT_CPU_MAX) {
		uint64_t w = s->bits[c / 64] >> (c % 64);

		if (w)
			return (int)(c + (unsigned)__builtin_ctzll(w));
		c = (c / 64 + 1) * 64;
	}
	return -1;
}

static int parse_cpu_num(const char **p, unsigned *ret)
{
	const char *s = *p;
	unsigned long v = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v >= PT_CPU_MAX)
			return -ERANGE;
	}
	*p = s;
	*ret = (unsigned)v;
	return 0;
}

int pt_cpulist_parse(const char *s, struct pt_cpuset *ret)
{
	struct pt_cpuset set = { 0 };
	const char *end = s + strlen(s);
	int r;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n'))
		end--;
	while (s < end) {
		unsigned a, b;

		r = parse_cpu_num(&s, &a);
		if (r < 0)
			return r;
		b = a;
		if (s < end && *s == '-') {
			s++;
			r = parse_cpu_num(&s, &b);
			if (r < 0)
				return r;
			if (b < a)
				return -EINVAL;
		}
		for (unsigned c = a; c <= b; c++)
			pt_cpuset_add(&set, c);
		if (s == end)
			break;
		if (*s != ',' || s + 1 == end)
			return -EINVAL;
		s++;
	}
	if (s != end)
		return -EINVAL;
	*ret = set;
	return 0;
}

/* Calls put(data, text) for each "a" or "a-b" of the list, in order. */
static void cpulist_walk(const struct pt_cpuset *s, void (*put)(void *, unsigned, unsigned), void *data)
{
	int c = pt_cpuset_next(s, -1);

	while (c >= 0) {
		int last = c, n;

		while ((n = pt_cpuset_next(s, last)) == last + 1)
			last = n;
		put(data, (unsigned)c, (unsigned)last);
		c = n;
	}
}

struct fmt_ctx {
	char *buf;
	size_t size, len;
	bool overflow;
};

static void fmt_put(void *data, unsigned a, unsigned b)
{
	struct fmt_ctx *f = data;
	int n;

	if (f->overflow)
		return;
	if (a == b)
		n = pt_snprintf(f->buf + f->len, f->size - f->len, "%s%u", f->len ? "," : "", a);
	else
		n = pt_snprintf(f->buf + f->len, f->size - f->len, "%s%u-%u", f->len ? "," : "", a, b);
	if (n < 0 || (size_t)n >= f->size - f->len)
		f->overflow = true;
	else
		f->len += (size_t)n;
}

int pt_cpulist_format(const struct pt_cpuset *s, char *buf, size_t size)
{
	struct fmt_ctx f = { buf, size, 0, false };

	if (size == 0)
		return -ENOSPC;
	buf[0] = '\0';
	cpulist_walk(s, fmt_put, &f);
	if (f.overflow) {
		buf[0] = '\0';
		return -ENOSPC;
	}
	return (int)f.len;
}

struct buf_ctx {
	struct pt_buf *b;
	bool first;
};

static void buf_put(void *data, unsigned a, unsigned b)
{
	struct buf_ctx *c = data;

	if (a == b)
		pt_buf_printf(c->b, "%s%u", c->first ? "" : ",", a);
	else
		pt_buf_printf(c->b, "%s%u-%u", c->first ? "" : ",", a, b);
	c->first = false;
}

void pt_buf_cpulist(struct pt_buf *b, const struct pt_cpuset *s)
{
	struct buf_ctx c = { b, true };

	cpulist_walk(s, buf_put, &c);
	if (c.first)
		pt_buf_puts(b, ""); /* an empty list still makes the buffer a string */
}

/* ---- reading a root --------------------------------------------------------------------- */

/* Every path is formatted here: one that does not fit is -ENAMETOOLONG, never cut. */
static int __attribute__((format(printf, 3, 4))) path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = pt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* A signed decimal attribute ("-1", "65535"). */
static int read_int(int rootfd, const char *p, int *ret)
{
	char buf[32];
	char *end;
	long v;
	int r;

	r = pt_read_attr(rootfd, p, buf, sizeof(buf));
	if (r < 0)
		return r;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (end == buf || *end || errno || v < -1 || v > 0x7fffffffL)
		return -EINVAL;
	*ret = (int)v;
	return 0;
}

static int read_u64(int rootfd, const char *p, uint64_t *ret)
{
	char buf[32];
	char *end;
	unsigned long long v;
	int r;

	r = pt_read_attr(rootfd, p, buf, sizeof(buf));
	if (r < 0)
		return r;
	if (!isdigit((unsigned char)buf[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (*end || errno)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* A CPU list attribute (up to a few KiB for a big sparse list). */
static int read_cpulist(int rootfd, const char *p, struct pt_cpuset *ret)
{
	char *text;
	int r;

	r = pt_read_file(rootfd, p, 64 << 10, &text, NULL);
	if (r < 0)
		return r;
	r = pt_cpulist_parse(text, ret);
	free(text);
	return r;
}

/* "Key:   1234 kB" lines of proc/meminfo or nodeN/meminfo ("Node 1 MemTotal: ..."): the value of
 * key in bytes (kB values) or as is (counts); -ENOENT when absent. */
static int meminfo_get(const char *text, const char *key, uint64_t *ret)
{
	size_t kl = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		const char *k = l, *v;
		char *end;
		unsigned long long n;

		if (strncmp(k, "Node ", 5) == 0) { /* nodeN/meminfo: skip "Node N " */
			k += 5;
			while (isdigit((unsigned char)*k))
				k++;
			while (*k == ' ')
				k++;
		}
		if (strncmp(k, key, kl) != 0 || k[kl] != ':')
			continue;
		v = k + kl + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		if (!isdigit((unsigned char)*v))
			return -EINVAL;
		errno = 0;
		n = strtoull(v, &end, 10);
		if (errno)
			return -ERANGE;
		if (strncmp(end, " kB", 3) == 0) {
			if (n > UINT64_MAX / 1024)
				return -ERANGE;
			n *= 1024;
		}
		*ret = n;
		return 0;
	}
	return -ENOENT;
}

static int read_meminfo(int rootfd, const char *p, char **ret)
{
	return pt_read_file(rootfd, p, 64 << 10, ret, NULL);
}

/* The hugepage pools of a directory holding hugepages-NkB/ (sys/kernel/mm/hugepages or
 * sys/devices/system/node/nodeN/hugepages); a missing directory is no pool at all. */
static int read_pools(int rootfd, const char *dir, struct pt_hugepool *pools, size_t *ret_n)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d;
	int r;

	*ret_n = 0;
	r = pt_opendir(rootfd, dir, &d);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	while ((de = readdir(d))) {
		char p[512], *end;
		unsigned long long kb;
		struct pt_hugepool pool = { 0 };

		if (strncmp(de->d_name, "hugepages-", 10) != 0)
			continue;
		errno = 0;
		kb = strtoull(de->d_name + 10, &end, 10);
		if (errno || strcmp(end, "kB") != 0 || kb == 0 || kb > UINT64_MAX / 1024)
			continue;
		if (n == PT_HUGEPOOL_MAX)
			break;
		pool.size = kb * 1024;
		r = path(p, sizeof(p), "%s/%s/nr_hugepages", dir, de->d_name);
		if (r == 0)
			r = read_u64(rootfd, p, &pool.nr);
		if (r == 0)
			r = path(p, sizeof(p), "%s/%s/free_hugepages", dir, de->d_name);
		if (r == 0)
			r = read_u64(rootfd, p, &pool.free);
		if (r < 0)
			break;
		/* ascending size */
		size_t i = n;

		while (i > 0 && pools[i - 1].size > pool.size) {
			pools[i] = pools[i - 1];
			i--;
		}
		pools[i] = pool;
		n++;
	}
	closedir(d);
	if (r < 0)
		return r;
	*ret_n = n;
	return 0;
}

/* proc/cpuinfo: vendor, model name and the flags of the first processor. */
static int read_cpuinfo(int rootfd, struct pt_topo *t)
{
	char *text;
	int r;

	/* a big host's file is megabytes; the first processor's stanza is all we need */
	text = malloc(32 << 10);
	if (!text)
		return -ENOMEM;
	r = pt_read_attr(rootfd, "proc/cpuinfo", text, 32 << 10);
	if (r < 0) {
		free(text);
		return r == -ENOENT ? 0 : r; /* not every architecture says much here */
	}
	for (char *l = text, *nl; l && *l; l = nl) {
		char *colon, *v;
		size_t kl;

		nl = strchr(l, '\n');
		if (nl)
			*nl++ = '\0';
		if (!*l)
			break; /* the end of the first processor's stanza */
		colon = strchr(l, ':');
		if (!colon)
			continue;
		kl = (size_t)(colon - l);
		while (kl && (l[kl - 1] == ' ' || l[kl - 1] == '\t'))
			kl--;
		v = colon + 1;
		while (*v == ' ')
			v++;
		if (kl == 9 && strncmp(l, "vendor_id", 9) == 0)
			pt_snprintf(t->vendor, sizeof(t->vendor), "%s", v);
		else if (kl == 10 && strncmp(l, "model name", 10) == 0)
			pt_snprintf(t->model, sizeof(t->model), "%s", v);
		else if (kl == 5 && strncmp(l, "flags", 5) == 0) {
			char *save = NULL;

			for (char *f = strtok_r(v, " \t", &save); f; f = strtok_r(NULL, " \t", &save))
				if (strcmp(f, "pdpe1gb") == 0)
					t->pdpe1gb = true;
		}
	}
	free(text);
	return 0;
}

/* The L3 of one CPU: the cache/indexN whose level is 3 (data or unified), whatever N is.
 * 1 and the fields when there is one, 0 when not. */
static int cpu_l3(int rootfd, unsigned cpu, struct pt_l3 *ret)
{
	for (unsigned k = 0; k < 16; k++) {
		char p[128], buf[32];
		uint64_t size = 0;
		int r, lvl;

		r = path(p, sizeof(p), "sys/devices/system/cpu/cpu%u/cache/index%u/level", cpu, k);
		if (r < 0)
			return r;
		r = read_int(rootfd, p, &lvl);
		if (r == -ENOENT)
			return 0;
		if (r < 0)
			return r;
		if (lvl != 3)
			continue;
		r = path(p, sizeof(p), "sys/devices/system/cpu/cpu%u/cache/index%u/type", cpu, k);
		if (r == 0 && pt_read_attr(rootfd, p, buf, sizeof(buf)) >= 0 &&
		    strcmp(buf, "Instruction") == 0)
			continue;
		*ret = (struct pt_l3){ .id = -1 };
		r = path(p, sizeof(p), "sys/devices/system/cpu/cpu%u/cache/index%u/shared_cpu_list", cpu, k);
		if (r < 0)
			return r;
		r = read_cpulist(rootfd, p, &ret->cpus);
		if (r < 0)
			return r;
		pt_cpuset_add(&ret->cpus, cpu);
		if ((r = path(p, sizeof(p), "sys/devices/system/cpu/cpu%u/cache/index%u/size", cpu, k)) < 0)
			return r;
		if (pt_read_attr(rootfd, p, buf, sizeof(buf)) >= 0 && pt_size_parse(buf, &size) == 0)
			ret->size = size;
		if ((r = path(p, sizeof(p), "sys/devices/system/cpu/cpu%u/cache/index%u/id", cpu, k)) < 0)
			return r;
		(void)read_int(rootfd, p, &ret->id);
		return 1;
	}
	return 0;
}

static int l3_cmp(const void *a, const void *b)
{
	const struct pt_l3 *x = a, *y = b;

	if (x->synthetic != y->synthetic)
		return x->synthetic ? 1 : -1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return pt_cpuset_next(&x->cpus, -1) - pt_cpuset_next(&y->cpus, -1);
}

/* Room for one more element after n (the arrays here hold cores, domains, threads: small). */
static int grow(void **v, size_t n, size_t each)
{
	void *p = realloc(*v, (n + 1) * each);

	if (!p)
		return -ENOMEM;
	*v = p;
	return 0;
}

/* The core cpu belongs to: its online SMT siblings not taken yet (marked in done), its IDs,
 * capacity and kind (P/E from the PMUs' cpus lists when there are any). */
static int read_core(int rootfd, const struct pt_topo *t, int cpu, struct pt_cpuset *done,
		     const struct pt_cpuset *kinds, struct pt_core *c)
{
	static const char *const attrs[] = { "core_id", "die_id", "cluster_id", "physical_package_id" };
	int *const dst[] = { &c->core_id, &c->die, &c->cluster, &c->package };
	struct pt_cpuset sib = { 0 };
	char p[128];
	int cap = 0, r;

	*c = (struct pt_core){ .node = -1, .l3 = -1 };
	if ((r = path(p, sizeof(p), "sys/devices/system/cpu/cpu%d/topology/thread_siblings_list", cpu)) < 0)
		return r;
	r = read_cpulist(rootfd, p, &sib);
	if (r < 0 && r != -ENOENT)
		return r;
	pt_cpuset_add(&sib, (unsigned)cpu);
	for (int s = pt_cpuset_next(&sib, -1); s >= 0; s = pt_cpuset_next(&sib, s)) {
		if (!pt_cpuset_has(&t->online, (unsigned)s) || pt_cpuset_has(done, (unsigned)s))
			continue;
		if (c->ncpus == PT_SMT_MAX)
			return -ERANGE;
		c->cpus[c->ncpus++] = (uint16_t)s;
		pt_cpuset_add(done, (unsigned)s);
	}
	for (size_t i = 0; i < ARRAY_SIZE(attrs); i++) {
		*dst[i] = -1;
		if ((r = path(p, sizeof(p), "sys/devices/system/cpu/cpu%d/topology/%s", cpu, attrs[i])) < 0)
			return r;
		r = read_int(rootfd, p, dst[i]);
		if (r < 0 && r != -ENOENT)
			return r;
	}
	if ((r = path(p, sizeof(p), "sys/devices/system/cpu/cpu%d/cpu_capacity", cpu)) < 0)
		return r;
	if (read_int(rootfd, p, &cap) == 0 && cap > 0)
		c->capacity = (unsigned)cap;
	if (kinds)
		c->kind = pt_cpuset_has(&kinds[0], (unsigned)cpu)   ? PT_CORE_P
			  : pt_cpuset_has(&kinds[1], (unsigned)cpu) ? PT_CORE_E
								    : PT_CORE_ANY;
	return 0;
}

/* The L3 domain of core c (first CPU cpu): known already, read, or made up from the package. */
static int core_l3(int rootfd, struct pt_topo *t, int cpu, const struct pt_core *c)
{
	bool found = false;
	struct pt_l3 l3;
	int r;

	for (size_t i = 0; i < t->nl3 && !found; i++)
		found = pt_cpuset_has(&t->l3[i].cpus, (unsigned)cpu);
	if (found)
		return 0;
	r = cpu_l3(rootfd, (unsigned)cpu, &l3);
	if (r < 0)
		return r;
	if (r == 0) {
		for (size_t i = 0; i < t->nl3 && !found; i++)
			if (t->l3[i].synthetic && t->l3[i].id == c->package) {
				for (unsigned k = 0; k < c->ncpus; k++)
					pt_cpuset_add(&t->l3[i].cpus, c->cpus[k]);
				found = true;
			}
		l3 = (struct pt_l3){ .id = c->package, .synthetic = true };
		for (unsigned k = 0; k < c->ncpus; k++)
			pt_cpuset_add(&l3.cpus, c->cpus[k]);
	}
	if (found)
		return 0;
	if ((r = grow((void **)&t->l3, t->nl3, sizeof(*t->l3))) < 0)
		return r;
	t->l3[t->nl3++] = l3;
	return 0;
}

/* After every core is read: domains of online CPUs only, sorted; kinds from capacities where
 * the PMUs gave none (arm64 big.LITTLE); hybrid, SMT width and each core's domain index. */
static void finish_cores(struct pt_topo *t, bool have_kinds)
{
	unsigned cmin = 0, cmax = 0;

	for (size_t i = 0; i < t->nl3; i++)
		for (size_t w = 0; w < PT_CPU_MAX / 64; w++)
			t->l3[i].cpus.bits[w] &= t->online.bits[w];
	qsort(t->l3, t->nl3, sizeof(*t->l3), l3_cmp);
	for (size_t i = 0; i < t->ncores; i++) {
		unsigned cap = t->cores[i].capacity;

		if (cap && (!cmin || cap < cmin))
			cmin = cap;
		if (cap > cmax)
			cmax = cap;
	}
	if (!have_kinds && cmin && cmin < cmax)
		for (size_t i = 0; i < t->ncores; i++)
			t->cores[i].kind = t->cores[i].capacity == cmax ? PT_CORE_P : PT_CORE_E;
	for (size_t i = 0; i < t->ncores; i++) {
		struct pt_core *c = &t->cores[i];

		if (c->kind == PT_CORE_E)
			t->hybrid = true;
		if (c->ncpus > t->smt)
			t->smt = c->ncpus;
		for (size_t k = 0; k < t->nl3; k++)
			if (pt_cpuset_has(&t->l3[k].cpus, c->cpus[0]))
				c->l3 = (int)k;
	}
}

static int read_cores(int rootfd, struct pt_topo *t)
{
	struct pt_cpuset done = { 0 }, kinds[2] = { { { 0 } } }; /* P cores, E cores */
	bool have_kinds;
	int r;

	have_kinds = read_cpulist(rootfd, "sys/devices/cpu_core/cpus", &kinds[0]) == 0 &&
		     read_cpulist(rootfd, "sys/devices/cpu_atom/cpus", &kinds[1]) == 0;
	for (int cpu = pt_cpuset_next(&t->online, -1); cpu >= 0; cpu = pt_cpuset_next(&t->online, cpu)) {
		struct pt_core c;

		if (pt_cpuset_has(&done, (unsigned)cpu))
			continue;
		r = read_core(rootfd, t, cpu, &done, have_kinds ? kinds : NULL, &c);
		if (r == 0)
			r = core_l3(rootfd, t, cpu, &c);
		if (r == 0)
			r = grow((void **)&t->cores, t->ncores, sizeof(*t->cores));
		if (r < 0)
			return r;
		t->cores[t->ncores++] = c;
	}
	finish_cores(t, have_kinds);
	return 0;
}

static int read_nodes(int rootfd, struct pt_topo *t)
{
	struct pt_cpuset ids;
	int r;

	r = read_cpulist(rootfd, "sys/devices/system/node/online", &ids);
	if (r == -ENOENT) {
		/* a kernel without NUMA: one node holds everything */
		t->nodes = calloc(1, sizeof(*t->nodes));
		if (!t->nodes)
			return -ENOMEM;
		t->nodes[0] = (struct pt_numa){ .id = 0, .cpus = t->online, .mem_total = t->mem_total };
		t->nnodes = 1;
		return 0;
	}
	if (r < 0)
		return r;
	for (int id = pt_cpuset_next(&ids, -1); id >= 0; id = pt_cpuset_next(&ids, id)) {
		struct pt_numa n = { .id = id };
		char p[128], *mi;

		if ((r = path(p, sizeof(p), "sys/devices/system/node/node%d/cpulist", id)) < 0)
			return r;
		r = read_cpulist(rootfd, p, &n.cpus);
		if (r < 0 && r != -ENOENT)
			return r;
		if ((r = path(p, sizeof(p), "sys/devices/system/node/node%d/meminfo", id)) < 0)
			return r;
		if (read_meminfo(rootfd, p, &mi) == 0) {
			(void)meminfo_get(mi, "MemTotal", &n.mem_total);
			free(mi);
		}
		if ((r = grow((void **)&t->nodes, t->nnodes, sizeof(*t->nodes))) < 0)
			return r;
		t->nodes[t->nnodes++] = n;
	}
	for (size_t i = 0; i < t->ncores; i++)
		for (size_t k = 0; k < t->nnodes; k++)
			if (pt_cpuset_has(&t->nodes[k].cpus, t->cores[i].cpus[0]))
				t->cores[i].node = t->nodes[k].id;
	return 0;
}

int pt_topo_read(int rootfd, struct pt_topo *ret)
{
	struct pt_topo t = { 0 };
	uint64_t hp_total = 0;
	char *mi = NULL;
	int r;

	r = read_cpulist(rootfd, "sys/devices/system/cpu/online", &t.online);
	if (r == 0 && pt_cpuset_empty(&t.online))
		r = -ENOENT;
	if (r == 0)
		r = read_meminfo(rootfd, "proc/meminfo", &mi);
	if (r == 0) {
		r = meminfo_get(mi, "MemTotal", &t.mem_total);
		if (r == 0 && meminfo_get(mi, "MemAvailable", &t.mem_available) < 0)
			t.mem_available = t.mem_total; /* kernels before 3.14 */
		(void)meminfo_get(mi, "Hugepagesize", &t.hugepage_default);
		if (meminfo_get(mi, "Hugetlb", &t.hugetlb) < 0 &&
		    meminfo_get(mi, "HugePages_Total", &hp_total) == 0)
			t.hugetlb = hp_total * t.hugepage_default;
		free(mi);
	}
	if (r == 0)
		r = read_cpuinfo(rootfd, &t);
	if (r == 0)
		r = read_cores(rootfd, &t);
	if (r == 0)
		r = read_nodes(rootfd, &t);
	if (r == 0)
		r = read_pools(rootfd, "sys/kernel/mm/hugepages", t.pools, &t.npools);
	if (r < 0) {
		pt_topo_free(&t);
		return r;
	}
	*ret = t;
	return 0;
}

void pt_topo_free(struct pt_topo *t)
{
	free(t->cores);
	free(t->l3);
	free(t->nodes);
	*t = (struct pt_topo){ 0 };
}

const struct pt_core *pt_topo_core_of(const struct pt_topo *t, unsigned cpu)
{
	for (size_t i = 0; i < t->ncores; i++)
		for (unsigned k = 0; k < t->cores[i].ncpus; k++)
			if (t->cores[i].cpus[k] == cpu)
				return &t->cores[i];
	return NULL;
}

bool pt_topo_amd(const struct pt_topo *t)
{
	return strcmp(t->vendor, "AuthenticAMD") == 0 || strcmp(t->vendor, "HygonGenuine") == 0;
}

/* ---- the running system: what a VM-mode boot got, and the QEMUs ------------------------- */

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static bool is_qemu(const char *name)
{
	return strncmp(name, "qemu-system-", 12) == 0 || strcmp(name, "qemu-kvm") == 0;
}

/* "CPU 12/KVM" -> 12; -1 for any other thread name. */
static int vcpu_of(const char *comm)
{
	char *end;
	long n;

	if (strncmp(comm, "CPU ", 4) != 0 || !isdigit((unsigned char)comm[4]))
		return -1;
	n = strtol(comm + 4, &end, 10);
	if (*end != '/' || n < 0 || n >= PT_CPU_MAX)
		return -1;
	return (int)n;
}

/* The guest name from -name guest=NAME,... or -name NAME,... in a NUL-separated argv. */
static void qemu_name(const char *argv, size_t len, char *buf, size_t size)
{
	for (size_t i = 0; i < len;) {
		const char *a = argv + i;
		size_t al = strnlen(a, len - i);

		i += al + 1;
		if (strcmp(a, "-name") != 0 || i >= len)
			continue;
		const char *v = argv + i;
		size_t vl = strnlen(v, len - i);

		if (vl > 6 && strncmp(v, "guest=", 6) == 0) {
			v += 6;
			vl -= 6;
		}
		const char *comma = memchr(v, ',', vl);

		if (comma)
			vl = (size_t)(comma - v);
		if (vl)
			pt_snprintf(buf, size, "%.*s", (int)vl, v);
		return;
	}
}

static int tid_cmp(const void *a, const void *b)
{
	const struct pt_qemu_thread *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

static int read_qemu(int rootfd, int pid, struct pt_qemu *q)
{
	struct dirent *de;
	char p[128];
	DIR *d;
	int r;

	if ((r = path(p, sizeof(p), "proc/%d/task", pid)) < 0)
		return r;
	if ((r = pt_opendir(rootfd, p, &d)) < 0)
		return r;
	while ((de = readdir(d))) {
		struct pt_qemu_thread th = { .vcpu = -1 };
		char comm[64], *status, *l;

		if (!all_digits(de->d_name))
			continue;
		th.tid = atoi(de->d_name);
		if ((r = path(p, sizeof(p), "proc/%d/task/%d/comm", pid, th.tid)) < 0)
			break;
		if (pt_read_attr(rootfd, p, comm, sizeof(comm)) >= 0)
			th.vcpu = vcpu_of(comm);
		if ((r = path(p, sizeof(p), "proc/%d/task/%d/status", pid, th.tid)) < 0)
			break;
		if (pt_read_file(rootfd, p, 64 << 10, &status, NULL) < 0)
			continue; /* the thread ended meanwhile */
		l = strstr(status, "\nCpus_allowed_list:");
		if (l) {
			char *v = l + 19, *nl = strchr(v, '\n');

			if (nl)
				*nl = '\0';
			if (pt_cpulist_parse(v, &th.allowed) < 0)
				l = NULL;
		}
		free(status);
		if (!l)
			continue;
		if ((r = grow((void **)&q->threads, q->nthreads, sizeof(*q->threads))) < 0)
			break;
		q->threads[q->nthreads++] = th;
		if (th.vcpu >= 0)
			q->nvcpus++;
	}
	closedir(d);
	if (r < 0)
		return r;
	qsort(q->threads, q->nthreads, sizeof(*q->threads), tid_cmp);
	return 0;
}

static int read_qemus(int rootfd, struct pt_vmstate *st)
{
	struct dirent *de;
	DIR *d;
	int r;

	r = pt_opendir(rootfd, "proc", &d);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	while ((de = readdir(d))) {
		struct pt_qemu q = { 0 };
		char p[128], comm[64] = "", *argv = NULL;
		size_t alen = 0;
		bool qemu;

		if (!all_digits(de->d_name))
			continue;
		q.pid = atoi(de->d_name);
		if ((r = path(p, sizeof(p), "proc/%d/comm", q.pid)) < 0)
			break;
		(void)pt_read_attr(rootfd, p, comm, sizeof(comm));
		if ((r = path(p, sizeof(p), "proc/%d/cmdline", q.pid)) < 0)
			break;
		if (pt_read_file(rootfd, p, 256 << 10, &argv, &alen) < 0)
			alen = 0;
		qemu = is_qemu(comm);
		if (!qemu && alen) {
			const char *base = strrchr(argv, '/');

			qemu = is_qemu(base ? base + 1 : argv);
		}
		if (qemu) {
			pt_snprintf(q.name, sizeof(q.name), "%s", comm);
			qemu_name(argv, alen, q.name, sizeof(q.name));
		}
		free(argv);
		if (!qemu)
			continue;
		r = read_qemu(rootfd, q.pid, &q);
		if (r < 0 || q.nthreads == 0) {
			free(q.threads);
			if (r < 0 && r != -ENOENT && r != -EACCES)
				break;
			r = 0; /* gone, or not ours to read */
			continue;
		}
		r = grow((void **)&st->qemus, st->nqemus, sizeof(*st->qemus));
		if (r < 0) {
			free(q.threads);
			break;
		}
		st->qemus[st->nqemus++] = q;
	}
	closedir(d);
	return r;
}

int pt_vmstate_read(int rootfd, struct pt_vmstate *ret)
{
	struct pt_vmstate st = { 0 };
	char buf[16], *mi;
	int r;

	r = read_cpulist(rootfd, "sys/devices/system/cpu/isolated", &st.isolated);
	st.has_isolated = r == 0;
	if (r == -ENOENT)
		r = 0;
	if (r == 0) {
		/* CONFIG_NO_HZ_FULL kernels print "(null)" when no nohz_full= was given */
		st.has_nohz_full = pt_read_attr(rootfd, "sys/devices/system/cpu/nohz_full", buf,
						sizeof(buf)) >= 0;
		if (st.has_nohz_full && strcmp(buf, "(null)") != 0)
			r = read_cpulist(rootfd, "sys/devices/system/cpu/nohz_full", &st.nohz_full);
	}
	if (r == 0)
		r = read_pools(rootfd, "sys/kernel/mm/hugepages", st.pools, &st.npools);
	if (r == 0 && read_meminfo(rootfd, "proc/meminfo", &mi) == 0) {
		(void)meminfo_get(mi, "HugePages_Total", &st.hugepages_total);
		(void)meminfo_get(mi, "Hugepagesize", &st.hugepage_size);
		free(mi);
	}
	if (r == 0)
		r = read_qemus(rootfd, &st);
	if (r < 0) {
		pt_vmstate_free(&st);
		return r;
	}
	*ret = st;
	return 0;
}

void pt_vmstate_free(struct pt_vmstate *st)
{
	for (size_t i = 0; i < st->nqemus; i++)
		free(st->qemus[i].threads);
	free(st->qemus);
	*st = (struct pt_vmstate){ 0 };
}
