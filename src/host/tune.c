// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The VM planner: from the host's topology and a request (vCPUs, memory), which CPUs the VM
 * gets and the host keeps, how the vCPUs are pinned, the guest topology, the hugepages, and the
 * kernel arguments that make it so in the host+passthrough entry only. Pure: no I/O. The plan
 * once made is saved, printed and checked by tuneplan.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

#define GiB (1ull << 30)
#define MiB (1ull << 20)

uint64_t pt_tune_floor(uint64_t mem_total)
{
	uint64_t f = mem_total / PT_TUNE_FLOOR_DIV;

	return f > PT_TUNE_FLOOR_MIN ? f : PT_TUNE_FLOOR_MIN;
}

/* ---- sizes ------------------------------------------------------------------------------ */

int pt_size_parse(const char *s, uint64_t *ret)
{
	static const char units[] = "KMGTPE";
	uint64_t v = 0;
	const char *p = s;
	unsigned shift = 0;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (*p) {
		const char *u = strchr(units, *p >= 'a' ? *p - 32 : *p);

		if (!u || !*u)
			return -EINVAL;
		shift = 10 * (unsigned)(u - units + 1);
		p++;
		if (strcmp(p, "iB") == 0 || strcmp(p, "ib") == 0)
			p += 2;
		if (*p)
			return -EINVAL;
		if (v > (UINT64_MAX >> shift))
			return -ERANGE;
		v <<= shift;
	}
	*ret = v;
	return 0;
}

void pt_size_exact(uint64_t bytes, char *buf, size_t size)
{
	static const char units[] = "KMGTPE";
	int u = -1;

	while (u < 5 && bytes && !(bytes & 1023)) {
		bytes >>= 10;
		u++;
	}
	if (u < 0)
		pt_snprintf(buf, size, "%llu", (unsigned long long)bytes);
	else
		pt_snprintf(buf, size, "%llu%c", (unsigned long long)bytes, units[u]);
}

void pt_size_iec(uint64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned u = 0;
	uint64_t div = 1024;

	if (bytes < 1024) {
		pt_snprintf(buf, size, "%llu bytes", (unsigned long long)bytes);
		return;
	}
	while (u < 5 && bytes / div >= 1024) {
		div <<= 10;
		u++;
	}
	uint64_t whole = bytes / div, tenth = (bytes % div) / (div / 10);

	if (tenth)
		pt_snprintf(buf, size, "%llu.%llu %s", (unsigned long long)whole, (unsigned long long)tenth,
			    units[u]);
	else
		pt_snprintf(buf, size, "%llu %s", (unsigned long long)whole, units[u]);
}

/* "1G", "2M": the page size in a kernel argument */
static const char *page_text(uint64_t size)
{
	return size == GiB ? "1G" : "2M";
}

/* ---- the planner ------------------------------------------------------------------------ */

struct ctx {
	const struct pt_topo *t;
	const struct pt_tune_req *req;
	struct pt_tune_plan *p;
	struct pt_tune_refusal *why;
	const struct pt_core *reserved; /* CPU 0's core */
	bool *cand;			/* per core: may go to the VM */
	bool *taken;			/* per core: goes to the VM */
};

static void warn(struct pt_tune_plan *p, enum pt_tune_warn_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void warn(struct pt_tune_plan *p, enum pt_tune_warn_code code, const char *fmt, ...)
{
	va_list ap;

	if (p->nwarnings == PT_TUNE_WARN_MAX)
		return;
	p->warnings[p->nwarnings].code = code;
	va_start(ap, fmt);
	pt_vsnprintf(p->warnings[p->nwarnings].text, sizeof(p->warnings[0].text), fmt, ap);
	va_end(ap);
	p->nwarnings++;
}

static int refuse(struct ctx *c, enum pt_tune_refusal_code code, uint64_t asked, uint64_t have,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int refuse(struct ctx *c, enum pt_tune_refusal_code code, uint64_t asked, uint64_t have,
		  const char *fmt, ...)
{
	va_list ap;

	c->why->code = code;
	c->why->asked = asked;
	c->why->have = have;
	if (code != PT_TUNE_MEMORY && code != PT_TUNE_NODE_MEMORY)
		c->why->total = c->why->floor = 0; /* the numbers of the memory codes only */
	va_start(ap, fmt);
	pt_vsnprintf(c->why->text, sizeof(c->why->text), fmt, ap);
	va_end(ap);
	return -ERANGE;
}

static void core_set(const struct pt_core *k, struct pt_cpuset *s)
{
	for (unsigned i = 0; i < k->ncpus; i++)
		pt_cpuset_add(s, k->cpus[i]);
}

static void list(const struct pt_cpuset *s, char *buf, size_t size)
{
	if (pt_cpulist_format(s, buf, size) < 0)
		pt_snprintf(buf, size, "%u CPUs", pt_cpuset_count(s));
}

/* The L3 domain with the larger cache first, then the lower id. */
static bool dom_before(const struct pt_topo *t, int a, int b)
{
	if (t->l3[a].size != t->l3[b].size)
		return t->l3[a].size > t->l3[b].size;
	return t->l3[a].id < t->l3[b].id;
}

/* Threads of candidate cores in domain d (node < 0: any node) not taken yet. */
static unsigned dom_avail(const struct ctx *c, int d, int node)
{
	unsigned n = 0;

	for (size_t i = 0; i < c->t->ncores; i++) {
		const struct pt_core *k = &c->t->cores[i];

		if (k->l3 == d && c->cand[i] && !c->taken[i] && (node < 0 || k->node == node))
			n += k->ncpus;
	}
	return n;
}

/* Every core of domain d is a candidate on the node: the VM can have the whole L3. */
static bool dom_whole(const struct ctx *c, int d, int node)
{
	for (size_t i = 0; i < c->t->ncores; i++) {
		const struct pt_core *k = &c->t->cores[i];

		if (k->l3 == d && (!c->cand[i] || (node >= 0 && k->node != node)))
			return false;
	}
	return true;
}

/* Take cores of domain d in CPU order until need threads are taken or the domain is used up;
 * cores bigger than what is left are skipped. Returns the threads taken. */
static unsigned dom_take(struct ctx *c, int d, int node, unsigned need)
{
	unsigned got = 0;

	for (size_t i = 0; i < c->t->ncores && got < need; i++) {
		const struct pt_core *k = &c->t->cores[i];

		if (k->l3 != d || !c->cand[i] || c->taken[i] || (node >= 0 && k->node != node) ||
		    k->ncpus > need - got)
			continue;
		c->taken[i] = true;
		got += k->ncpus;
	}
	return got;
}

/* Is domain d (a threads free) a better home than fit for the last left threads? The larger
 * cache, then the fewest spare threads (another domain stays whole), then the lower id. */
static bool better_fit(const struct ctx *c, int d, unsigned a, int fit, int node)
{
	const struct pt_topo *t = c->t;
	unsigned fa;

	if (fit < 0)
		return true;
	if (t->l3[d].size != t->l3[fit].size)
		return t->l3[d].size > t->l3[fit].size;
	fa = dom_avail(c, fit, node);
	if (a != fa)
		return a < fa;
	return t->l3[d].id < t->l3[fit].id;
}

/* Whole L3 domains first (the largest cache first), then the domain that fits the rest best:
 * the larger cache, then the fewest spare cores (so another domain stays whole), then the lower
 * id; a rest no domain can hold takes the fullest domain and goes on. */
static unsigned select_cores(struct ctx *c, int node, unsigned need)
{
	const struct pt_topo *t = c->t;
	unsigned left = need;
	bool *seen = calloc(t->nl3 + 1, sizeof(*seen));

	if (!seen)
		return 0;
	for (;;) {
		int best = -1;

		for (size_t d = 0; d < t->nl3; d++)
			if (!seen[d] && dom_whole(c, (int)d, node) && dom_avail(c, (int)d, node) &&
			    (best < 0 || dom_before(t, (int)d, best)))
				best = (int)d;
		if (best < 0)
			break;
		seen[best] = true;
		if (dom_avail(c, best, node) <= left)
			left -= dom_take(c, best, node, left);
	}
	free(seen);
	while (left) {
		int fit = -1, most = -1;

		for (size_t d = 0; d < t->nl3; d++) {
			unsigned a = dom_avail(c, (int)d, node);

			if (!a)
				continue;
			if (a >= left && better_fit(c, (int)d, a, fit, node))
				fit = (int)d;
			if (most < 0 || a > dom_avail(c, most, node) ||
			    (a == dom_avail(c, most, node) && dom_before(t, (int)d, most)))
				most = (int)d;
		}
		if (most < 0)
			break;
		unsigned got = dom_take(c, fit >= 0 ? fit : most, node, left);

		if (!got)
			break;
		left -= got;
	}
	return need - left;
}

static int plan_memory(struct ctx *c)
{
	const struct pt_topo *t = c->t;
	struct pt_tune_plan *p = c->p;
	uint64_t page = c->req->page_size, floor = pt_tune_floor(t->mem_total), keep;
	char a[32], b[32], f[32], h[32], l[32];

	if (!page)
		page = t->pdpe1gb ? GiB : 2 * MiB;
	if (page == GiB && !t->pdpe1gb)
		return refuse(c, PT_TUNE_NO_1G, c->req->memory, 0,
			      "1 GiB pages need a CPU with the pdpe1gb flag, and this one (%s) has none: "
			      "use 2 MiB pages",
			      t->model[0] ? t->model : "unknown model");
	/* the most the VM can have: what the floor leaves, in whole pages; comparing the request
	 * with it (not its rounded-up size) can't overflow */
	uint64_t most = t->mem_total > floor ? (t->mem_total - floor) / page * page : 0;

	c->why->total = t->mem_total;
	c->why->floor = floor;
	pt_size_iec(t->mem_total, b, sizeof(b));
	pt_size_iec(floor, f, sizeof(f));
	if (c->req->memory > most) {
		uint64_t asked = c->req->memory / page * page + (c->req->memory % page ? page : 0);

		if (asked < c->req->memory)
			asked = c->req->memory; /* 2^64 - a little: no page multiple above it */
		pt_size_iec(asked, a, sizeof(a));
		pt_size_iec(most, h, sizeof(h));
		pt_size_iec(asked > t->mem_total ? 0 : t->mem_total - asked, l, sizeof(l));
		return refuse(c, PT_TUNE_MEMORY, asked, most,
			      "%s of hugepages would leave the host %s of its %s, below its floor of %s "
			      "(max(2 GiB, 10 %% of RAM)): at most %s can go to the VM",
			      a, l, b, f, h);
	}
	p->page_size = page;
	p->pages = c->req->memory / page + (c->req->memory % page != 0);
	p->memory = p->pages * page;
	pt_size_iec(p->memory, a, sizeof(a));
	if (p->memory != c->req->memory) {
		pt_size_iec(c->req->memory, h, sizeof(h));
		warn(p, PT_TUNE_W_ROUNDED, "%s rounded up to %s: whole %s pages", h, a,
		     page == GiB ? "1 GiB" : "2 MiB");
	}
	if (!t->pdpe1gb && !c->req->page_size)
		warn(p, PT_TUNE_W_SMALL_PAGES,
		     "the CPU has no pdpe1gb flag (no 1 GiB pages): %llu pages of 2 MiB",
		     (unsigned long long)p->pages);
	keep = t->mem_total - p->memory;
	if (t->mem_total > t->mem_available + t->hugetlb &&
	    t->mem_total - t->mem_available - t->hugetlb > keep) {
		pt_size_iec(t->mem_total - t->mem_available - t->hugetlb, h, sizeof(h));
		pt_size_iec(keep, b, sizeof(b));
		warn(p, PT_TUNE_W_HOST_USES_MORE,
		     "the host uses %s now, more than the %s the VM entry "
		     "leaves it",
		     h, b);
	}
	return 0;
}

/* Does node n have room for the pages (and keep a tenth of itself)? */
static bool node_memory_ok(const struct pt_numa *n, uint64_t bytes)
{
	return !n->mem_total ||
	       (bytes <= n->mem_total && n->mem_total - bytes >= n->mem_total / PT_TUNE_FLOOR_DIV);
}

static int pick_node(struct ctx *c, int *ret)
{
	const struct pt_topo *t = c->t;
	unsigned vcpus = c->req->vcpus, most = 0;
	int best = -1, most_node = -1, room = -1;
	char h[32], n[32];

	for (size_t i = 0; i < t->nnodes; i++) {
		const struct pt_numa *nd = &t->nodes[i];
		unsigned a = 0;
		bool cpu0;

		for (size_t k = 0; k < t->nl3; k++)
			a += dom_avail(c, (int)k, nd->id);
		if (a > most) {
			most = a;
			most_node = nd->id;
		}
		if (a < vcpus)
			continue;
		if (!node_memory_ok(nd, c->p->memory)) {
			room = (int)i;
			continue;
		}
		/* the node without CPU 0's core can go to the VM whole */
		cpu0 = c->reserved && c->reserved->node == nd->id;
		if (best < 0 || (!cpu0 && c->reserved && c->reserved->node == t->nodes[best].id))
			best = (int)i;
	}
	if (best >= 0) {
		*ret = t->nodes[best].id;
		return 0;
	}
	if (room >= 0) {
		const struct pt_numa *nd = &t->nodes[room];
		uint64_t keep = nd->mem_total / PT_TUNE_FLOOR_DIV;
		uint64_t ps = c->p->page_size,
			 have = nd->mem_total > keep ? (nd->mem_total - keep) / ps * ps : 0;

		pt_size_iec(c->p->memory, h, sizeof(h));
		pt_size_iec(have, n, sizeof(n));
		c->why->total = nd->mem_total;
		c->why->floor = keep;
		return refuse(c, PT_TUNE_NODE_MEMORY, c->p->memory, have,
			      "%s of hugepages don't fit NUMA node %d with the VM's CPUs (it keeps 10 %% of "
			      "its memory): at most %s there",
			      h, nd->id, n);
	}
	return refuse(
		c, PT_TUNE_NUMA, vcpus, most,
		"%u vCPUs don't fit one NUMA node: node %d can give the most, %u; let the VM span nodes "
		"(cross-NUMA) to have more",
		vcpus, most_node, most);
}

/* The guest topology that mirrors the pinned cores: one die per L3 domain and one socket per
 * package when the VM's cores split evenly over them, else one die. order: the VM's cores in
 * guest order (by package, then L3 domain, then CPU). */
static int plan_topology(struct ctx *c, const int *order, size_t n)
{
	const struct pt_topo *t = c->t;
	struct pt_tune_plan *p = c->p;
	unsigned threads = t->cores[order[0]].ncpus, *run_cores, npkg = 1, per_pkg = 0, in_pkg = 0;
	size_t nruns = 0;
	bool even = true;

	run_cores = calloc(n, sizeof(*run_cores));
	if (!run_cores)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct pt_core *k = &t->cores[order[i]];

		if (k->ncpus != threads)
			threads = 0;
		if (i == 0 || k->l3 != t->cores[order[i - 1]].l3) {
			if (i > 0 && k->package != t->cores[order[i - 1]].package) {
				if (per_pkg && in_pkg != per_pkg)
					even = false;
				per_pkg = in_pkg;
				in_pkg = 0;
				npkg++;
			}
			nruns++;
			in_pkg++;
		}
		run_cores[nruns - 1]++;
	}
	if (per_pkg && in_pkg != per_pkg)
		even = false;
	for (size_t i = 1; i < nruns; i++)
		if (run_cores[i] != run_cores[0])
			even = false;
	free(run_cores);
	p->sockets = p->dies = 1;
	if (!threads) {
		p->threads = 1;
		p->cores = p->vcpus;
		warn(p, PT_TUNE_W_UNEVEN,
		     "the VM's cores have different thread counts: the guest sees %u "
		     "single-thread cores",
		     p->vcpus);
		return 0;
	}
	p->threads = threads;
	if (nruns > 1 && even) {
		p->sockets = npkg;
		p->dies = (unsigned)nruns / npkg;
	} else if (nruns > 1) {
		warn(p, PT_TUNE_W_UNEVEN,
		     "the VM's cores split unevenly over %zu L3 domains: the guest sees one "
		     "die of %zu cores",
		     nruns, n);
	}
	p->cores = (unsigned)n / (p->sockets * p->dies);
	return 0;
}

/* The pinning: vCPUs in guest order (by package, then L3 domain by id, cores in CPU order, SMT
 * siblings adjacent: QEMU and libvirt number vCPUs thread first, then core, die, socket), the
 * VM's CPUs and nodes, each domain's share, and the guest topology. */
static int plan_pins(struct ctx *c, unsigned *ret_ndoms)
{
	const struct pt_topo *t = c->t;
	struct pt_tune_plan *p = c->p;
	int *doms, *pkg, *order;
	size_t nd = 0, n = 0;
	unsigned v = 0;
	int r;

	for (size_t d = 0; d < t->nl3 && p->ndoms < PT_TUNE_DOM_MAX; d++)
		p->doms[p->ndoms++] = (struct pt_tune_dom){
			.l3 = (int)d, .id = t->l3[d].id, .size = t->l3[d].size, .cpus = t->l3[d].cpus
		};
	doms = calloc(t->nl3 + 1, sizeof(*doms));
	pkg = calloc(t->nl3 + 1, sizeof(*pkg));
	order = calloc(t->ncores + 1, sizeof(*order));
	if (!doms || !pkg || !order) {
		free(doms);
		free(pkg);
		free(order);
		return -ENOMEM;
	}
	for (size_t d = 0; d < t->nl3; d++)
		for (size_t i = 0; i < t->ncores; i++)
			if (t->cores[i].l3 == (int)d && c->taken[i]) {
				/* insertion by package keeps the id order within one */
				size_t j = nd++;

				while (j > 0 && pkg[j - 1] > t->cores[i].package) {
					doms[j] = doms[j - 1];
					pkg[j] = pkg[j - 1];
					j--;
				}
				doms[j] = (int)d;
				pkg[j] = t->cores[i].package;
				break;
			}
	for (size_t j = 0; j < nd; j++)
		for (size_t i = 0; i < t->ncores; i++) {
			const struct pt_core *k = &t->cores[i];

			if (k->l3 != doms[j] || !c->taken[i])
				continue;
			order[n++] = (int)i;
			for (unsigned th = 0; th < k->ncpus; th++) {
				p->pin[v++] = k->cpus[th];
				pt_cpuset_add(&p->vm, k->cpus[th]);
				if (k->l3 < (int)p->ndoms)
					pt_cpuset_add(&p->doms[k->l3].vm, k->cpus[th]);
			}
			if (k->node >= 0)
				pt_cpuset_add(&p->nodes, (unsigned)k->node);
		}
	r = plan_topology(c, order, n);
	free(doms);
	free(pkg);
	free(order);
	if (r == 0)
		*ret_ndoms = (unsigned)nd;
	return r;
}

/* The warnings that say what the plan costs: shared and spanned L3s, a bigger L3 left to the
 * host (X3D parts), nodes spanned, made-up domains, a host left with one core. */
static void explain(struct ctx *c, unsigned ndoms)
{
	const struct pt_topo *t = c->t;
	struct pt_tune_plan *p = c->p;
	char l1[256], l2[256];
	uint64_t vm_l3 = 0, big = 0;
	int big_d = -1;
	bool synthetic = false;

	for (size_t i = 0; i < p->ndoms; i++) {
		const struct pt_tune_dom *dm = &p->doms[i];
		struct pt_cpuset shared = { 0 };

		if (t->l3[dm->l3].synthetic && !pt_cpuset_empty(&dm->vm))
			synthetic = true;
		if (dm->size > big) {
			big = dm->size;
			big_d = (int)i;
		}
		if (pt_cpuset_empty(&dm->vm))
			continue;
		if (dm->size > vm_l3)
			vm_l3 = dm->size;
		for (int cpu = pt_cpuset_next(&dm->cpus, -1); cpu >= 0; cpu = pt_cpuset_next(&dm->cpus, cpu))
			if (!pt_cpuset_has(&dm->vm, (unsigned)cpu))
				pt_cpuset_add(&shared, (unsigned)cpu);
		if (!pt_cpuset_empty(&shared) && !t->l3[dm->l3].synthetic) {
			list(&dm->vm, l1, sizeof(l1));
			list(&shared, l2, sizeof(l2));
			warn(p, PT_TUNE_W_SHARED_L3, "L3 %d serves the VM's CPUs %s and the host's %s",
			     dm->id, l1, l2);
		}
	}
	if (ndoms > 1)
		warn(p, PT_TUNE_W_SPANS_L3,
		     "the VM spans %u L3 domains: its threads on different domains "
		     "don't share a cache",
		     ndoms);
	if (big_d >= 0 && big > vm_l3 && vm_l3) {
		char a[32], b[32];

		pt_size_iec(big, a, sizeof(a));
		pt_size_iec(vm_l3, b, sizeof(b));
		list(&p->doms[big_d].cpus, l1, sizeof(l1));
		warn(p, PT_TUNE_W_BIGGER_L3,
		     "the largest L3 (%s, CPUs %s) stays with the host%s; the VM's "
		     "is %s",
		     a, l1,
		     pt_cpuset_has(&p->doms[big_d].cpus, c->reserved ? c->reserved->cpus[0] : 0)
			     ? ": it holds CPU 0"
			     : "",
		     b);
	}
	if (pt_cpuset_count(&p->nodes) > 1) {
		list(&p->nodes, l1, sizeof(l1));
		warn(p, PT_TUNE_W_CROSS_NUMA,
		     "the VM spans NUMA nodes %s: memory access across nodes is slower", l1);
	}
	if (synthetic)
		warn(p, PT_TUNE_W_NO_L3,
		     "sysfs shows no L3 cache: each CPU package stands for one L3 domain");
	size_t host_cores = 0;

	for (size_t i = 0; i < t->ncores; i++)
		host_cores += !c->taken[i];
	if (host_cores == 1) {
		list(&p->host, l1, sizeof(l1));
		warn(p, PT_TUNE_W_FEW_HOST, "the host keeps a single core (%s) while the VM entry is booted",
		     l1);
	}
}

/* The vCPUs asked against the avail CPUs the host can give (res: CPU 0's core, ecores: an
 * Intel hybrid's E-cores, both kept) in whole cores of tu threads (1: mixed): 0, or the
 * refusal. */
static int check_count(struct ctx *c, unsigned avail, unsigned tu, const struct pt_cpuset *res,
		       const struct pt_cpuset *ecores)
{
	unsigned vcpus = c->req->vcpus;
	char l1[256], l2[256];

	list(res, l1, sizeof(l1));
	if (vcpus > avail) {
		if (c->t->hybrid) {
			list(ecores, l2, sizeof(l2));
			return refuse(
				c, PT_TUNE_TOO_MANY, vcpus, avail,
				"%u vCPUs asked, the host can give "
				"at most %u on P-cores: CPU 0's core (%s) and the E-cores (%s) stay with "
				"the host",
				vcpus, avail, l1, l2);
		}
		return refuse(c, PT_TUNE_TOO_MANY, vcpus, avail,
			      "%u vCPUs asked, the host can give at most %u: "
			      "CPU 0's core (%s) stays with the host",
			      vcpus, avail, l1);
	}
	if (tu > 1 && vcpus % tu) {
		unsigned lo = vcpus - vcpus % tu, hi = lo + tu;

		if (hi <= avail && lo)
			return refuse(c, PT_TUNE_ODD, vcpus, lo,
				      "%u vCPUs would split an SMT core (%u threads each, "
				      "kept together): ask for %u or %u",
				      vcpus, tu, lo, hi);
		return refuse(c, PT_TUNE_ODD, vcpus, lo ? lo : hi,
			      "%u vCPUs would split an SMT core (%u threads "
			      "each, kept together): ask for %u",
			      vcpus, tu, lo ? lo : hi);
	}
	return 0;
}

static int plan_cpus(struct ctx *c)
{
	const struct pt_topo *t = c->t;
	struct pt_tune_plan *p = c->p;
	unsigned vcpus = c->req->vcpus, avail = 0, tu = 0, got, ndoms = 0;
	int node = -1, r;
	struct pt_cpuset res = { 0 }, ecores = { 0 };

	if (!t->ncores || !t->cores)
		return refuse(c, PT_TUNE_TOO_MANY, vcpus, 0, "the topology shows no CPU cores");
	c->reserved = pt_topo_core_of(t, (unsigned)pt_cpuset_next(&t->online, -1));
	if (c->reserved)
		core_set(c->reserved, &res);
	for (size_t i = 0; i < t->ncores; i++) {
		const struct pt_core *k = &t->cores[i];

		c->cand[i] = k != c->reserved && !(t->hybrid && k->kind == PT_CORE_E);
		if (t->hybrid && k->kind == PT_CORE_E)
			core_set(k, &ecores);
		if (!c->cand[i])
			continue;
		avail += k->ncpus;
		tu = !tu ? k->ncpus : tu == k->ncpus ? tu : 1;
	}
	if ((r = check_count(c, avail, tu, &res, &ecores)))
		return r;
	if (!c->req->cross_numa && t->nnodes > 1) {
		r = pick_node(c, &node);
		if (r < 0)
			return r;
	}
	got = select_cores(c, node, vcpus);
	if (got != vcpus)
		return refuse(c, PT_TUNE_ODD, vcpus, got,
			      "%u vCPUs can't be made of whole cores here: at most %u", vcpus, got);

	r = plan_pins(c, &ndoms);
	if (r < 0)
		return r;
	for (int cpu = pt_cpuset_next(&t->online, -1); cpu >= 0; cpu = pt_cpuset_next(&t->online, cpu))
		if (!pt_cpuset_has(&p->vm, (unsigned)cpu))
			pt_cpuset_add(&p->host, (unsigned)cpu);
	for (size_t i = 0; i < t->nnodes; i++)
		if (pt_cpuset_has(&p->nodes, (unsigned)t->nodes[i].id))
			for (int cpu = pt_cpuset_next(&t->nodes[i].cpus, -1); cpu >= 0;
			     cpu = pt_cpuset_next(&t->nodes[i].cpus, cpu))
				if (pt_cpuset_has(&p->host, (unsigned)cpu))
					pt_cpuset_add(&p->emulator, (unsigned)cpu);
	if (pt_cpuset_empty(&p->emulator))
		p->emulator = p->host;

	explain(c, ndoms);
	return 0;
}

static int plan_args(struct pt_tune_plan *p)
{
	struct pt_buf b = { 0 };
	const char *sep = "";
	int r = 0;

	if (p->pages) {
		const char *ps = page_text(p->page_size);

		pt_buf_printf(&b, "default_hugepagesz=%s hugepagesz=%s hugepages=", ps, ps);
		/* on a NUMA host the pages come from the VM's node ("hugepages=1:32") */
		if (p->numa && pt_cpuset_count(&p->nodes) == 1)
			pt_buf_printf(&b, "%d:", pt_cpuset_next(&p->nodes, -1));
		pt_buf_printf(&b, "%llu", (unsigned long long)p->pages);
		sep = " ";
	}
	if (p->vcpus) {
		static const struct {
			unsigned off;
			const char *key;
			bool host;
		} keys[] = {
			{ PT_TUNE_NO_ISOLCPUS, "isolcpus=managed_irq,domain,", false },
			{ PT_TUNE_NO_NOHZ_FULL, "nohz_full=", false },
			{ PT_TUNE_NO_RCU_NOCBS, "rcu_nocbs=", false },
			{ PT_TUNE_NO_IRQAFFINITY, "irqaffinity=", true },
		};

		for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
			if (p->off & keys[i].off)
				continue;
			pt_buf_printf(&b, "%s%s", sep, keys[i].key);
			pt_buf_cpulist(&b, keys[i].host ? &p->host : &p->vm);
			sep = " ";
		}
	}
	pt_buf_puts(&b, "");
	if (b.err)
		r = b.err;
	else if (b.len >= sizeof(p->args))
		r = -E2BIG;
	else
		memcpy(p->args, b.data, b.len + 1);
	pt_buf_free(&b);
	return r;
}

int pt_tune_plan(const struct pt_topo *t, const struct pt_tune_req *req, struct pt_tune_plan *ret,
		 struct pt_tune_refusal *ret_why)
{
	struct pt_tune_refusal why = { 0 };
	struct pt_tune_plan *p;
	struct ctx c = { t, req, NULL, &why, NULL, NULL, NULL };
	int r;

	if ((!req->vcpus && !req->memory) || (req->off & ~PT_TUNE_NO_ALL) ||
	    (req->page_size && req->page_size != GiB && req->page_size != 2 * MiB))
		return -EINVAL;
	if (req->vcpus > PT_CPU_MAX) {
		r = refuse(&c, PT_TUNE_TOO_MANY, req->vcpus, pt_cpuset_count(&t->online),
			   "%u vCPUs asked: more than ptboot handles (%d)", req->vcpus, PT_CPU_MAX);
		*ret_why = why;
		return r;
	}
	p = calloc(1, sizeof(*p));
	c.cand = calloc(t->ncores + 1, sizeof(bool));
	c.taken = calloc(t->ncores + 1, sizeof(bool));
	if (!p || !c.cand || !c.taken) {
		r = -ENOMEM;
		goto out;
	}
	c.p = p;
	p->vcpus = req->vcpus;
	p->memory_asked = req->memory;
	p->page_size_asked = req->page_size;
	p->cross_numa = req->cross_numa;
	p->off = req->off;
	p->numa = t->nnodes > 1;
	p->amd = pt_topo_amd(t);
	r = 0;
	if (req->memory)
		r = plan_memory(&c);
	if (r == 0 && req->vcpus)
		r = plan_cpus(&c);
	if (r == 0 && !req->vcpus && p->numa)
		p->numa = false; /* no CPUs to bind the pages to: let the kernel spread them */
	if (r == 0)
		r = plan_args(p);
	if (r == 0)
		*ret = *p;
	else if (r == -ERANGE)
		*ret_why = why;
out:
	free(c.cand);
	free(c.taken);
	free(p);
	return r;
}

const char *pt_tune_warn_name(enum pt_tune_warn_code c)
{
	static const char *const names[] = {
		[PT_TUNE_W_SHARED_L3] = "shared-l3",
		[PT_TUNE_W_SPANS_L3] = "spans-l3",
		[PT_TUNE_W_UNEVEN] = "uneven",
		[PT_TUNE_W_BIGGER_L3] = "bigger-l3",
		[PT_TUNE_W_CROSS_NUMA] = "cross-numa",
		[PT_TUNE_W_FEW_HOST] = "few-host",
		[PT_TUNE_W_ROUNDED] = "rounded",
		[PT_TUNE_W_SMALL_PAGES] = "small-pages",
		[PT_TUNE_W_HOST_USES_MORE] = "host-uses-more",
		[PT_TUNE_W_NO_L3] = "no-l3",
	};

	return (unsigned)c < ARRAY_SIZE(names) && names[c] ? names[c] : "unknown";
}

const char *pt_tune_refusal_name(enum pt_tune_refusal_code c)
{
	static const char *const names[] = {
		[PT_TUNE_TOO_MANY] = "too-many",
		[PT_TUNE_ODD] = "odd",
		[PT_TUNE_NUMA] = "numa",
		[PT_TUNE_MEMORY] = "memory",
		[PT_TUNE_NODE_MEMORY] = "node-memory",
		[PT_TUNE_NO_1G] = "no-1g",
	};

	return (unsigned)c < ARRAY_SIZE(names) && names[c] ? names[c] : "unknown";
}
