// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ptctl tune: VM mode's plan (host CPUs for the VM, hugepages) and the kernel arguments of the
 * host+passthrough entry; and what entry add, virt and check share of VM mode: the plan from
 * the options, and the plan saved in etc/ptboot/entry.conf. The planner is src/host/tune.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptctl.h"

bool ptctl_vm_asked(const struct ptctl *c)
{
	return c->vm_cpus || c->vm_memory;
}

/* The request of the options; 0 or an exit status. */
static int vm_request(const struct ptctl *c, struct pt_tune_req *req)
{
	*req = (struct pt_tune_req){ .cross_numa = c->cross_numa, .off = c->tune_off };
	if (!ptctl_vm_asked(c))
		return ptctl_err(PTCTL_FAIL, "VM mode needs --vm-cpus N, --vm-memory SIZE or both");
	if (c->vm_cpus) {
		char *end;
		unsigned long n = strtoul(c->vm_cpus, &end, 10);

		if (c->vm_cpus[0] < '0' || c->vm_cpus[0] > '9' || *end || n == 0 || n >= PT_CPU_MAX)
			return ptctl_err(PTCTL_FAIL, "--vm-cpus %s: expected a number of vCPUs (1-%d)",
					 c->vm_cpus, PT_CPU_MAX - 1);
		req->vcpus = (unsigned)n;
	}
	if (c->vm_memory && (pt_size_parse(c->vm_memory, &req->memory) < 0 || req->memory == 0))
		return ptctl_err(PTCTL_FAIL, "--vm-memory %s: expected a size such as 16G or 12800M",
				 c->vm_memory);
	if (c->vm_pages && (pt_size_parse(c->vm_pages, &req->page_size) < 0 ||
			    (req->page_size != 2ull << 20 && req->page_size != 1ull << 30)))
		return ptctl_err(PTCTL_FAIL, "--vm-pages %s: expected 2M or 1G", c->vm_pages);
	if (c->vm_pages && !c->vm_memory)
		return ptctl_err(PTCTL_FAIL, "--vm-pages needs --vm-memory");
	return 0;
}

int ptctl_vm_plan(const struct ptctl *c, struct pt_tune_plan *p, struct pt_topo *ret_topo,
		  struct pt_tune_refusal *ret_why)
{
	struct pt_tune_refusal why = { 0 };
	struct pt_tune_req req;
	struct pt_topo t;
	int fd, r, rc;

	if ((rc = vm_request(c, &req)))
		return rc;
	fd = open(c->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ptctl_err(PTCTL_FAIL, "cannot open --root %s: %s", c->root, strerror(errno));
	r = pt_topo_read(fd, &t);
	close(fd);
	if (r == -ENOMEM)
		return ptctl_err(PTCTL_FAIL, "out of memory");
	if (r < 0)
		return ptctl_err(
			PTCTL_FAIL,
			"cannot read the CPUs and memory under %s (sys/devices/system/cpu, proc/meminfo): %s",
			c->root, strerror(-r));
	r = pt_tune_plan(&t, &req, p, &why);
	if (r == -ERANGE && ret_why)
		*ret_why = why;
	if (r == -ERANGE)
		rc = ptctl_err(PTCTL_FAIL, "refused (%s): %s", pt_tune_refusal_name(why.code), why.text);
	else if (r == -E2BIG)
		rc = ptctl_err(PTCTL_FAIL, "the VM's kernel arguments would not fit a kernel command line");
	else if (r < 0)
		rc = ptctl_errno(r, "cannot plan the VM");
	if (rc || !ret_topo)
		pt_topo_free(&t);
	else
		*ret_topo = t;
	return rc;
}

int ptctl_vm_saved(int rootfd, struct pt_tune_plan *p)
{
	char *text = NULL;
	size_t len = 0;
	int r = pt_read_file(rootfd, PT_ENTRY_CONF, 1 << 16, &text, &len);

	if (r == -ENOENT)
		return 1;
	if (r < 0)
		return ptctl_err(PTCTL_FAIL, "cannot read %s: %s", PT_ENTRY_CONF, strerror(-r));
	r = pt_tune_plan_parse(text, len, p);
	free(text);
	if (r == -ENOENT)
		return 1;
	if (r == -ENOMEM)
		return ptctl_err(PTCTL_FAIL, "out of memory");
	if (r < 0)
		return ptctl_err(PTCTL_FAIL,
				 "%s: the VM plan (PTBOOT_VM_*) is malformed: run ptctl entry add again",
				 PT_ENTRY_CONF);
	return 0;
}

int ptctl_vm_conf(const struct pt_tune_plan *p, struct pt_buf *conf)
{
	return pt_tune_plan_format(p, conf);
}

void ptctl_vm_status(int rootfd)
{
	struct pt_tune_plan p = { 0 };
	struct pt_buf b = { 0 };
	char sz[32];
	int rc = ptctl_vm_saved(rootfd, &p);

	if (rc)
		return;
	pt_buf_puts(&b, "    VM mode:");
	if (p.vcpus) {
		pt_buf_printf(&b, " %u vCPUs on CPUs ", p.vcpus);
		pt_buf_cpulist(&b, &p.vm);
		pt_buf_puts(&b, " (the host keeps ");
		pt_buf_cpulist(&b, &p.host);
		pt_buf_puts(&b, ")");
	}
	if (p.pages) {
		pt_size_iec(p.page_size, sz, sizeof(sz));
		pt_buf_printf(&b, "%s %llu hugepages of %s", p.vcpus ? "," : "", (unsigned long long)p.pages,
			      sz);
	}
	pt_buf_printf(&b, "\n    vm args %s\n", p.args);
	ptctl_print(&b);
	pt_buf_free(&b);
}

/* ---- ptctl tune ------------------------------------------------------------------------- */

static void text_host(struct pt_buf *b, const struct pt_topo *t)
{
	char mem[32];

	pt_size_iec(t->mem_total, mem, sizeof(mem));
	pt_buf_printf(b, "host: %s (%s): %u CPUs, %zu cores, SMT %u%s, %zu NUMA node%s, MemTotal %s, %s\n",
		      t->model[0] ? t->model : "unknown CPU", t->vendor[0] ? t->vendor : "?",
		      pt_cpuset_count(&t->online), t->ncores, t->smt, t->hybrid ? ", hybrid (P+E cores)" : "",
		      t->nnodes, t->nnodes == 1 ? "" : "s", mem,
		      t->pdpe1gb ? "1 GiB pages (pdpe1gb)" : "2 MiB pages only (no pdpe1gb)");
}

static void text_doms(struct pt_buf *b, const struct pt_tune_plan *p)
{
	char sz[32];

	for (size_t i = 0; i < p->ndoms; i++) {
		const struct pt_tune_dom *d = &p->doms[i];
		struct pt_cpuset host = { 0 };

		for (int x = pt_cpuset_next(&d->cpus, -1); x >= 0; x = pt_cpuset_next(&d->cpus, x))
			if (!pt_cpuset_has(&d->vm, (unsigned)x))
				pt_cpuset_add(&host, (unsigned)x);
		pt_size_iec(d->size, sz, sizeof(sz));
		pt_buf_printf(b, "L3 %d (%s): CPUs ", d->id, d->size ? sz : "size unknown");
		pt_buf_cpulist(b, &d->cpus);
		if (pt_cpuset_empty(&d->vm)) {
			pt_buf_puts(b, ": host\n");
		} else if (pt_cpuset_empty(&host)) {
			pt_buf_puts(b, ": VM\n");
		} else {
			pt_buf_puts(b, ": VM ");
			pt_buf_cpulist(b, &d->vm);
			pt_buf_puts(b, ", host ");
			pt_buf_cpulist(b, &host);
			pt_buf_puts(b, "\n");
		}
	}
}

static void text_plan(struct pt_buf *b, const struct pt_tune_plan *p, const struct pt_topo *t)
{
	char a[32], c[32], d[32];

	text_host(b, t);
	text_doms(b, p);
	if (p->vcpus) {
		pt_buf_printf(b, "vm: %u vCPUs on CPUs ", p->vcpus);
		pt_buf_cpulist(b, &p->vm);
		pt_buf_printf(b, ", guest topology %u socket%s, %u die%s, %u cores, %u thread%s\n",
			      p->sockets, p->sockets == 1 ? "" : "s", p->dies, p->dies == 1 ? "" : "s",
			      p->cores, p->threads, p->threads == 1 ? "" : "s");
		if (p->numa) {
			pt_buf_puts(b, "    NUMA node(s) ");
			pt_buf_cpulist(b, &p->nodes);
			pt_buf_puts(b, ": the VM's CPUs, its pages and its memory binding\n");
		}
		pt_buf_puts(b, "    vCPU:CPU");
		for (unsigned i = 0; i < p->vcpus; i++)
			pt_buf_printf(b, " %u:%u", i, p->pin[i]);
		pt_buf_puts(b, "\nhost: CPUs ");
		pt_buf_cpulist(b, &p->host);
		pt_buf_puts(b, " (interrupts, the host's tasks; QEMU's emulator and I/O threads on ");
		pt_buf_cpulist(b, &p->emulator);
		pt_buf_puts(b, ")\n");
	}
	if (p->pages) {
		uint64_t left = t->mem_total > p->memory ? t->mem_total - p->memory : 0;

		pt_size_iec(p->memory, a, sizeof(a));
		pt_size_iec(left, c, sizeof(c));
		pt_size_iec(pt_tune_floor(t->mem_total), d, sizeof(d));
		pt_buf_printf(
			b,
			"memory: %s in %llu hugepages of %s, reserved at boot; the host keeps %s (floor %s)\n",
			a, (unsigned long long)p->pages, p->page_size == 1ull << 30 ? "1 GiB" : "2 MiB", c,
			d);
	}
	for (size_t i = 0; i < p->nwarnings; i++)
		pt_buf_printf(b, "warning: %s: %s\n", pt_tune_warn_name(p->warnings[i].code),
			      p->warnings[i].text);
	pt_buf_printf(b, "kernel arguments of the host+passthrough entry (never the normal one):\n    %s\n",
		      p->args);
}

/* The options that made the plan, as they are given again to entry add. */
static void options_text(const struct ptctl *c, struct pt_buf *b)
{
	static const struct {
		unsigned bit;
		const char *opt;
	} off[] = { { PT_TUNE_NO_ISOLCPUS, "--no-isolcpus" },
		    { PT_TUNE_NO_NOHZ_FULL, "--no-nohz" },
		    { PT_TUNE_NO_RCU_NOCBS, "--no-rcu-nocbs" },
		    { PT_TUNE_NO_IRQAFFINITY, "--no-irqaffinity" } };

	if (c->vm_cpus)
		pt_buf_printf(b, " --vm-cpus %s", c->vm_cpus);
	if (c->vm_memory)
		pt_buf_printf(b, " --vm-memory %s", c->vm_memory);
	if (c->vm_pages)
		pt_buf_printf(b, " --vm-pages %s", c->vm_pages);
	if (c->cross_numa)
		pt_buf_puts(b, " --cross-numa");
	for (size_t i = 0; i < ARRAY_SIZE(off); i++)
		if (c->tune_off & off[i].bit)
			pt_buf_printf(b, " %s", off[i].opt);
}

int ptctl_cmd_tune(struct ptctl *c)
{
	struct pt_tune_refusal why = { 0 };
	struct pt_buf b = { 0 };
	struct pt_tune_plan p = { 0 };
	struct pt_topo t = { 0 };
	int rc;

	if (c->nargs)
		return ptctl_err(PTCTL_FAIL, "tune takes no arguments, only options (see ptctl tune --help)");
	if ((rc = ptctl_vm_plan(c, &p, &t, &why))) {
		/* --json: the refusal as JSON too, for tools */
		if (c->json && why.code) {
			pt_buf_printf(&b, "{\"refused\": \"%s\", \"text\": ", pt_tune_refusal_name(why.code));
			pt_buf_json_str(&b, why.text);
			pt_buf_printf(
				&b, ", \"asked\": %llu, \"have\": %llu, \"total\": %llu, \"floor\": %llu}\n",
				(unsigned long long)why.asked, (unsigned long long)why.have,
				(unsigned long long)why.total, (unsigned long long)why.floor);
			ptctl_print(&b);
			pt_buf_free(&b);
		}
		return rc;
	}
	if (c->json) {
		pt_tune_plan_json(&p, &b);
	} else {
		text_plan(&b, &p, &t);
		pt_buf_puts(&b, "save it with the selection: ptctl entry add SEL...");
		options_text(c, &b);
		pt_buf_puts(&b, "\n");
	}
	pt_topo_free(&t);
	rc = ptctl_print(&b);
	pt_buf_free(&b);
	return rc;
}
