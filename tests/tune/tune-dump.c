// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tune-dump: the VM-mode library on one root, for the golden tests and the validators of
 * tests/tune/run (and a model of what ptctl tune / entry add / virt / check will call).
 *   tune-dump --root DIR [--vcpus N] [--memory SIZE] [--pages 2M|1G] [--cross-numa]
 *             [--no isolcpus|nohz_full|rcu_nocbs|irqaffinity]... [--plan FILE]
 *             [--show topo|plan|args|warnings|json|libvirt|virt-install|qemu|pin|all]
 *             [--check [--cmdline FILE]]
 * Plans the request (or reads a saved plan with --plan) and prints the parts asked for (all:
 * every part but topo); a refusal prints "refused CODE: TEXT" and exits 2. --check prints the
 * findings of the running root against the plan (exit 0 ok, 1 warnings, 2 errors); --cmdline
 * stands for the root's proc/cmdline.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"

static void usage(void)
{
	fprintf(stderr, "usage: tune-dump --root DIR [--vcpus N] [--memory SIZE] [--pages 2M|1G]\n"
			"       [--cross-numa] [--no ARG]... [--plan FILE] [--show WHAT]\n"
			"       [--check [--cmdline FILE]]\n");
	exit(64);
}

static void show_topo(const struct pt_topo *t)
{
	char a[512], sz[32];

	pt_cpulist_format(&t->online, a, sizeof(a));
	pt_size_iec(t->mem_total, sz, sizeof(sz));
	printf("cpus %s: %zu cores, SMT %u, %s%s%s; %s, %s; MemTotal %s\n", a, t->ncores, t->smt, t->vendor,
	       t->hybrid ? ", hybrid" : "", t->pdpe1gb ? ", pdpe1gb" : "", t->model,
	       t->nnodes > 1 ? "NUMA" : "one node", sz);
	for (size_t i = 0; i < t->nl3; i++) {
		pt_cpulist_format(&t->l3[i].cpus, a, sizeof(a));
		pt_size_iec(t->l3[i].size, sz, sizeof(sz));
		printf("l3 %d: %s%s, CPUs %s\n", t->l3[i].id, t->l3[i].synthetic ? "(package) " : "", sz, a);
	}
	for (size_t i = 0; i < t->nnodes; i++) {
		pt_cpulist_format(&t->nodes[i].cpus, a, sizeof(a));
		pt_size_iec(t->nodes[i].mem_total, sz, sizeof(sz));
		printf("node %d: %s, CPUs %s\n", t->nodes[i].id, sz, a);
	}
	for (size_t i = 0; i < t->ncores; i++) {
		const struct pt_core *k = &t->cores[i];

		printf("core %zu:", i);
		for (unsigned j = 0; j < k->ncpus; j++)
			printf("%s%u", j ? "," : " ", k->cpus[j]);
		printf(" core_id %d package %d die %d cluster %d node %d l3 %d%s\n", k->core_id, k->package,
		       k->die, k->cluster, k->node, k->l3,
		       k->kind == PT_CORE_P   ? " P"
		       : k->kind == PT_CORE_E ? " E"
					      : "");
	}
	for (size_t i = 0; i < t->npools; i++) {
		pt_size_iec(t->pools[i].size, sz, sizeof(sz));
		printf("pool %s: %llu pages, %llu free\n", sz, (unsigned long long)t->pools[i].nr,
		       (unsigned long long)t->pools[i].free);
	}
}

static int show(const struct pt_tune_plan *p, const char *what)
{
	struct pt_buf b = { 0 };
	bool all = strcmp(what, "all") == 0;
	int r = 0;

#define PART(name) (all || strcmp(what, name) == 0)
#define HEAD(name)                                                                                           \
	do {                                                                                                 \
		if (all)                                                                                     \
			printf("---- %s\n", name);                                                           \
	} while (0)
	if (PART("plan")) {
		HEAD("plan");
		r = pt_tune_plan_format(p, &b);
		fputs(b.data ? b.data : "", stdout);
		pt_buf_free(&b);
	}
	if (r == 0 && PART("args")) {
		HEAD("args");
		printf("%s\n", p->args);
	}
	if (r == 0 && PART("warnings")) {
		HEAD("warnings");
		for (size_t i = 0; i < p->nwarnings; i++)
			printf("%s: %s\n", pt_tune_warn_name(p->warnings[i].code), p->warnings[i].text);
	}
	if (r == 0 && PART("json")) {
		HEAD("json");
		r = pt_tune_plan_json(p, &b);
		fputs(b.data ? b.data : "", stdout);
		pt_buf_free(&b);
	}
	static const struct {
		const char *name;
		enum pt_virt_format fmt;
	} fmts[] = { { "libvirt", PT_VIRT_LIBVIRT },
		     { "virt-install", PT_VIRT_VIRT_INSTALL },
		     { "qemu", PT_VIRT_QEMU } };

	for (size_t i = 0; i < 3 && r == 0; i++) {
		if (!PART(fmts[i].name))
			continue;
		HEAD(fmts[i].name);
		r = pt_vmdef_render(p, fmts[i].fmt, 0, &b);
		fputs(b.data ? b.data : "", stdout);
		pt_buf_free(&b);
	}
	if (r == 0 && PART("pin") && p->vcpus) {
		HEAD("pin");
		r = pt_vmdef_pin_script(p, &b);
		fputs(b.data ? b.data : "", stdout);
		pt_buf_free(&b);
	}
	return r;
}

int main(int argc, char **argv)
{
	const char *root = NULL, *what = "all", *plan_file = NULL, *cmdline_file = NULL;
	struct pt_tune_req req = { 0 };
	struct pt_tune_plan p;
	struct pt_topo t;
	bool check = false;
	int rootfd, r;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--cross-numa") == 0) {
			req.cross_numa = true;
			continue;
		}
		if (strcmp(a, "--check") == 0) {
			check = true;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (strcmp(a, "--root") == 0) {
			root = v;
		} else if (strcmp(a, "--vcpus") == 0) {
			req.vcpus = (unsigned)atoi(v);
		} else if (strcmp(a, "--memory") == 0) {
			if (pt_size_parse(v, &req.memory) < 0)
				usage();
		} else if (strcmp(a, "--pages") == 0) {
			if (pt_size_parse(v, &req.page_size) < 0)
				usage();
		} else if (strcmp(a, "--no") == 0) {
			req.off |= strcmp(v, "isolcpus") == 0	   ? PT_TUNE_NO_ISOLCPUS
				   : strcmp(v, "nohz_full") == 0   ? PT_TUNE_NO_NOHZ_FULL
				   : strcmp(v, "rcu_nocbs") == 0   ? PT_TUNE_NO_RCU_NOCBS
				   : strcmp(v, "irqaffinity") == 0 ? PT_TUNE_NO_IRQAFFINITY
								   : 0x100;
		} else if (strcmp(a, "--cmdline") == 0) {
			cmdline_file = v;
		} else if (strcmp(a, "--plan") == 0) {
			plan_file = v;
		} else if (strcmp(a, "--show") == 0) {
			what = v;
		} else {
			usage();
		}
	}
	if (!root)
		usage();
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		perror(root);
		return 1;
	}
	if (plan_file) {
		char *text;
		size_t len;

		r = pt_read_file(AT_FDCWD, plan_file, 1 << 20, &text, &len);
		if (r == 0) {
			r = pt_tune_plan_parse(text, len, &p);
			free(text);
		}
		if (r < 0) {
			fprintf(stderr, "tune-dump: %s: %s\n", plan_file, strerror(-r));
			return 1;
		}
	} else {
		struct pt_tune_refusal why;

		r = pt_topo_read(rootfd, &t);
		if (r < 0) {
			fprintf(stderr, "tune-dump: %s: %s\n", root, strerror(-r));
			return 1;
		}
		if (strcmp(what, "topo") == 0) {
			show_topo(&t);
			pt_topo_free(&t);
			return 0;
		}
		r = pt_tune_plan(&t, &req, &p, &why);
		pt_topo_free(&t);
		if (r == -ERANGE) {
			printf("refused %s: %s\n", pt_tune_refusal_name(why.code), why.text);
			printf("asked %llu, have %llu, total %llu, floor %llu\n",
			       (unsigned long long)why.asked, (unsigned long long)why.have,
			       (unsigned long long)why.total, (unsigned long long)why.floor);
			return 2;
		}
		if (r < 0) {
			fprintf(stderr, "tune-dump: plan: %s\n", strerror(-r));
			return 1;
		}
	}
	if (check) {
		struct pt_findings f = { 0 };
		struct pt_vmstate st;
		char *cmdline = NULL;

		r = pt_vmstate_read(rootfd, &st);
		if (r == 0)
			r = cmdline_file ? pt_read_file(AT_FDCWD, cmdline_file, 1 << 16, &cmdline, NULL)
					 : pt_read_file(rootfd, "proc/cmdline", 1 << 16, &cmdline, NULL);
		if (r == 0)
			r = pt_vmstate_check(&p, &st, cmdline, &f);
		if (r < 0) {
			fprintf(stderr, "tune-dump: check: %s\n", strerror(-r));
			return 1;
		}
		for (size_t i = 0; i < f.n; i++)
			printf("%-8s %-11s %s%s%s\n", pt_sev_name(f.v[i].sev), f.v[i].topic, f.v[i].text,
			       f.v[i].fix[0] ? "\n                     fix: " : "", f.v[i].fix);
		r = pt_findings_worst(&f) >= PT_SEV_ERROR ? 2 : pt_findings_worst(&f) == PT_SEV_WARN;
		pt_findings_free(&f);
		pt_vmstate_free(&st);
		free(cmdline);
		close(rootfd);
		return r;
	}
	close(rootfd);
	r = show(&p, what);
	if (r < 0) {
		fprintf(stderr, "tune-dump: %s\n", strerror(-r));
		return 1;
	}
	return 0;
}
