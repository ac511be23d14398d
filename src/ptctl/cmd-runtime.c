// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ptctl bind, unbind, virt and status: the runtime hand-off. Parses options, asks the library
 * (planner, safety, binder, module loader, VM-definition renderer, state report) and prints.
 * bind/unbind run the same binder as pt-early; nothing here touches sysfs by itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"
#include "host.h"

#define VFIO "vfio-pci"
#define STATE_FILE "run/ptboot/state.json"

enum rcmd { R_BIND, R_UNBIND, R_VIRT, R_STATUS };

struct ropts {
	enum rcmd cmd;
	const char *name;	/* "bind" */
	const char *root, *cmdline_file, *policy, *to;
	enum pt_virt_format format;
	bool force, group, dry_run, verbose;
	char **sels;
	int nsels;
};

static void usage(enum rcmd c)
{
	static const char *const u[] = {
		[R_BIND] = "usage: ptctl [--root DIR] bind SEL... [--group] [--force] [--dry-run] [--verbose]\n"
			   "  hand the functions SEL (slot, ID or SLOT@ID) to vfio-pci now; refuses what the host\n"
			   "  still uses. --group: the rest of their IOMMU groups too; --force: a GPU that holds\n"
			   "  the console (never a disk in use)\n",
		[R_UNBIND] = "usage: ptctl [--root DIR] unbind SEL... [--to DRIVER] [--group] [--dry-run] [--verbose]\n"
			     "  give the functions SEL back to their host driver (or to DRIVER)\n",
		[R_VIRT] = "usage: ptctl [--root DIR] virt [SEL...] [--policy STR] [--format libvirt|virt-install|qemu]\n"
			   "  the VM definition for the functions on vfio-pci now (or SEL, or --policy)\n",
		[R_STATUS] = "usage: ptctl [--root DIR] status\n"
			     "  what pt-early did this boot and what changed since\n",
	};

	fputs(u[c], stdout);
}

static int parse(int argc, char **argv, struct ropts *o)
{
	static const struct option lo[] = {
		{ "root", required_argument, NULL, 'R' },
		{ "cmdline-file", required_argument, NULL, 'C' },
		{ "policy", required_argument, NULL, 'P' },
		{ "format", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 't' },
		{ "force", no_argument, NULL, 'f' },
		{ "group", no_argument, NULL, 'g' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* which command takes which option */
	static const char *const allowed[] = {
		[R_BIND] = "RCfgnvh",
		[R_UNBIND] = "RCtgnvh",
		[R_VIRT] = "RCPFh",
		[R_STATUS] = "RCh",
	};
	bool seen_cmd = false;
	int c, li = -1;

	o->root = "/";
	o->format = PT_VIRT_LIBVIRT;
	o->sels = calloc((size_t)argc + 1, sizeof(*o->sels));
	if (!o->sels)
		return ptctl_fail(2, "out of memory");
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+hnv", lo, &li)) != -1 || optind < argc) {
		if (c == -1) {
			if (!seen_cmd)
				seen_cmd = true;	/* the command word itself */
			else
				o->sels[o->nsels++] = argv[optind];
			optind++;
			continue;
		}
		if (c == ':' || (c == '?' && optopt && strchr("RCPFt", optopt)))
			return ptctl_fail(2, "option %s needs a value (see ptctl %s --help)", argv[optind - 1], o->name);
		if (c != '?' && !strchr(allowed[o->cmd], c) && li >= 0)	/* known, but not here */
			return ptctl_fail(2, "%s: unknown option --%s (see ptctl %s --help)", o->name, lo[li].name, o->name);
		if (c == '?' || !strchr(allowed[o->cmd], c))
			return ptctl_fail(2, "%s: unknown option %s (see ptctl %s --help)", o->name, argv[optind - 1], o->name);
		li = -1;
		switch (c) {
		case 'R': o->root = optarg; break;
		case 'C': o->cmdline_file = optarg; break;
		case 'P': o->policy = optarg; break;
		case 'F':
			if (pt_virt_format_parse(optarg, &o->format) < 0)
				return ptctl_fail(2, "--format %s: expected libvirt, virt-install or qemu", optarg);
			break;
		case 't': o->to = optarg; break;
		case 'f': o->force = true; break;
		case 'g': o->group = true; break;
		case 'n': o->dry_run = true; break;
		case 'v': o->verbose = true; break;
		case 'h': usage(o->cmd); exit(0);
		}
	}
	if (o->cmd == R_STATUS && o->nsels)
		return ptctl_fail(2, "status takes no arguments (\"%s\")", o->sels[0]);
	if ((o->cmd == R_BIND || o->cmd == R_UNBIND) && !o->nsels)
		return ptctl_fail(2, "name the functions to %s: ptctl %s SLOT|ID|SLOT@ID...", o->name, o->name);
	if (o->to && (strcmp(o->to, VFIO) == 0 || strcmp(o->to, "vfio_pci") == 0))
		return ptctl_fail(2, "unbind --to %s: use ptctl bind, which checks what the host still uses", o->to);
	if (o->to && (!o->to[0] || strchr(o->to, '/') || strlen(o->to) >= PT_NAME_MAX))
		return ptctl_fail(2, "--to \"%s\": expected a PCI driver name such as nvme", o->to);
	return 0;
}

/* The selectors as one policy; each must match some function (guards: the slot part). */
static int parse_sels(const struct ropts *o, const struct pt_sys *sys, struct pt_policy *pol)
{
	struct pt_policy_error pe = { 0 };
	struct pt_buf b = { 0 };
	int r;

	for (int i = 0; i < o->nsels; i++)
		pt_buf_printf(&b, "%s%s", i ? "," : "", o->sels[i]);
	if (b.err) {
		pt_buf_free(&b);
		return ptctl_fail(2, "out of memory");
	}
	r = pt_policy_parse(b.data, pol, &pe);
	pt_buf_free(&b);
	if (r < 0)
		return pe.why ? ptctl_fail(2, "selector \"%s\": %s", pe.sel, pe.why) : ptctl_fail(2, "out of memory");
	for (size_t s = 0; s < pol->nsels; s++) {
		bool any = false;

		for (size_t i = 0; i < sys->ndevs && !any; i++)
			any = pol->sels[s].kind == PT_SEL_GUARDED ? pt_sel_matches_slot(&pol->sels[s], &sys->devs[i])
								  : pt_sel_matches(&pol->sels[s], &sys->devs[i]);
		if (!any) {
			r = ptctl_fail(2, "selector %s matches no PCI function (see ptctl list)", pol->sels[s].text);
			pt_policy_free(pol);
			return r;
		}
	}
	return 0;
}

static const char *or_none(const char *drv)
{
	return drv[0] ? drv : "no driver";
}

static void trace_cb(void *data, const char *msg)
{
	(void)data;
	fprintf(stderr, "ptctl: %s\n", msg);
}

/* Make sure the PCI driver drv is registered, loading its module the way modprobe would
 * (modules.dep, softdeps, modprobe.d and command-line options) through the library's loader. */
static int load_driver(const struct ropts *o, const struct pt_host *h, struct pt_kernel *k, const char *drv)
{
	struct pt_modload_stats st = { 0 };
	struct pt_modload *m;
	char path[128];
	int r;

	pt_snprintf(path, sizeof(path), "sys/bus/pci/drivers/%s", drv);
	if (pt_exists(h->sys.rootfd, path))
		return 0;
	r = pt_modload_new(h->sys.rootfd, h->kver[0] ? h->kver : NULL, h->cmdline, &m);
	if (r < 0) {
		fprintf(stderr, "ptctl: cannot read the module index of %s: %s\n", h->kver[0] ? h->kver : "this kernel",
			strerror(-r));
		return r;
	}
	r = pt_modload_probe(m, k, drv, &st);
	pt_modload_free(m);
	if (r == -ENOTSUP && strcmp(o->root, "/") == 0) {
		fflush(stdout);
		r = pt_modload_exec_modprobe(drv);
	}
	if (r < 0) {
		fprintf(stderr, "ptctl: loading %s failed: %s\n", drv, st.first_error[0] ? st.first_error : strerror(-r));
		return r;
	}
	if (!pt_exists(h->sys.rootfd, path)) {
		fprintf(stderr, "ptctl: module %s loaded but registered no PCI driver %s\n", drv, drv);
		return -ENODEV;
	}
	if (o->verbose)
		fprintf(stderr, "ptctl: %s: %u module%s loaded, %u present, %u built in\n", drv, st.loaded,
			st.loaded == 1 ? "" : "s", st.present, st.builtin);
	return 0;
}

static int open_host(const struct ropts *o, bool disks, struct pt_host *h)
{
	int r = pt_host_open(o->root, o->cmdline_file, disks, h);

	if (r < 0) {
		if (o->cmdline_file && r == -ENOENT && access(o->cmdline_file, R_OK) < 0)
			return ptctl_fail(2, "cannot read --cmdline-file %s: %s", o->cmdline_file, strerror(-r));
		return ptctl_fail(2, "cannot read the PCI devices under %s: %s", o->root, strerror(-r));
	}
	return 0;
}

static void journal(const struct pt_host *h, const char *action, const struct pt_dev *d, const char *from,
		    const char *to)
{
	int r;

	if (strcmp(from, to) == 0)
		return;
	r = pt_runtime_log_append(h->sys.rootfd, (uint64_t)time(NULL), action, d, from, to);
	if (r < 0)
		fprintf(stderr, "ptctl: cannot record the change in /%s: %s\n", PT_RUNTIME_LOG, strerror(-r));
}

/* Print the holds that refuse; returns how many refuse. */
static size_t refusals(const struct ropts *o, const struct pt_holds *hs)
{
	size_t n = 0;

	for (size_t i = 0; i < hs->n; i++) {
		const struct pt_hold *x = &hs->v[i];
		const char *hint = "";

		if (x->kind == PT_HOLD_CONSOLE && o->force)
			continue;
		if (x->kind == PT_HOLD_GROUP && o->group)
			continue;
		switch (x->kind) {
		case PT_HOLD_SYSTEM: hint = " (no flag overrides this)"; break;
		case PT_HOLD_DISK: hint = " (unmount it, swapoff, close its dm/md devices first)"; break;
		case PT_HOLD_CONSOLE: hint = " (--force takes it anyway)"; break;
		case PT_HOLD_GROUP: hint = " (--group binds the whole group, or name them too)"; break;
		case PT_HOLD_VFIO: hint = " (shut the VM down first)"; break;
		}
		fprintf(stderr, "ptctl: refused (%s): %s%s\n", pt_hold_name(x->kind), x->text, hint);
		n++;
	}
	return n;
}

/* ---- bind ---------------------------------------------------------------------------------- */

static int do_bind(const struct ropts *o, struct pt_host *h)
{
	struct pt_policy pol = { 0 };
	struct pt_plan plan = { 0 };
	struct pt_openers op = { 0 };
	struct pt_holds hs = { 0 };
	struct pt_kernel *k = NULL;
	struct pt_binder b = { .sys = &h->sys, .driver = VFIO, .trace = o->verbose ? trace_cb : NULL };
	bool *take = NULL;
	size_t refused = 0, todo = 0, failed = 0;
	int r, rc = 0;

	rc = parse_sels(o, &h->sys, &pol);
	if (rc)
		return rc;
	r = pt_plan_build(&h->sys, &pol, o->group, &plan);
	take = calloc(h->sys.ndevs + 1, sizeof(*take));
	if (r < 0 || !take) {
		rc = ptctl_fail(2, "cannot plan: %s", strerror(r < 0 ? -r : ENOMEM));
		goto out;
	}
	for (size_t i = 0; i < plan.nitems; i++) {
		const struct pt_item *it = &plan.items[i];
		const struct pt_dev *d = &h->sys.devs[it->dev];

		if (it->action == PT_ACT_REFUSE) {
			fprintf(stderr, "ptctl: refused (selector %s): %s [%04x:%04x]: %s\n",
				it->sel >= 0 ? pol.sels[it->sel].text : "group", pt_dev_short_slot(d), d->vendor, d->device,
				it->reason);
			refused++;
			continue;
		}
		take[it->dev] = true;
		todo += strcmp(d->driver, VFIO) != 0;
	}
	r = pt_openers_scan(h->sys.rootfd, &op);
	if (r == 0)
		r = pt_safety_bind(h, &op, take, &hs);
	if (r < 0) {
		rc = ptctl_fail(2, "cannot check what holds the devices: %s", strerror(-r));
		goto out;
	}
	refused += refusals(o, &hs);
	if (refused) {
		fprintf(stderr, "ptctl: nothing changed\n");
		rc = 1;
		goto out;
	}
	for (size_t i = 0; i < hs.n; i++)	/* lifted by --force: say so once */
		if (hs.v[i].kind == PT_HOLD_CONSOLE)
			fprintf(stderr, "ptctl: warning: --force: %s\n", hs.v[i].text);
	if (o->dry_run) {
		for (size_t i = 0; i < plan.nitems; i++) {
			const struct pt_dev *d = &h->sys.devs[plan.items[i].dev];

			if (strcmp(d->driver, VFIO) == 0)
				printf("%s [%04x:%04x]: already on vfio-pci\n", d->slot, d->vendor, d->device);
			else
				printf("%s [%04x:%04x]: would bind to vfio-pci (now %s)%s\n", d->slot, d->vendor,
				       d->device, or_none(d->driver), plan.items[i].sel < 0 ? ", completing its IOMMU group" : "");
		}
		goto out;
	}
	r = pt_kernel_new(h->sys.rootfd, &k);
	if (r == 0 && todo)
		r = load_driver(o, h, k, VFIO);
	if (r < 0) {
		fprintf(stderr, "ptctl: vfio-pci is not available (%s): no device was touched\n", strerror(-r));
		rc = 1;
		goto out;
	}
	b.kernel = k;
	failed = (size_t)pt_bind_apply(&b, &plan);
	for (size_t i = 0; i < plan.nitems; i++) {
		const struct pt_item *it = &plan.items[i];
		const struct pt_dev *d = &h->sys.devs[it->dev];
		const char *extra = it->sel < 0 ? " (completes its IOMMU group)" : "";

		if (it->result == PT_RES_BOUND && strcmp(it->driver_before, VFIO) == 0)
			printf("%s [%04x:%04x]: already on vfio-pci%s\n", d->slot, d->vendor, d->device, extra);
		else if (it->result == PT_RES_BOUND)
			printf("%s [%04x:%04x]: bound to vfio-pci (was %s)%s\n", d->slot, d->vendor, d->device,
			       or_none(it->driver_before), extra);
		else
			printf("%s [%04x:%04x]: %s: %s\n", d->slot, d->vendor, d->device, pt_result_name(it->result),
			       it->reason);
		journal(h, "bind", d, it->driver_before, it->driver_after);
	}
	rc = failed ? 1 : 0;
out:
	pt_kernel_free(k);
	pt_holds_free(&hs);
	pt_openers_free(&op);
	free(take);
	pt_plan_free(&plan);
	pt_policy_free(&pol);
	return rc;
}

/* ---- unbind -------------------------------------------------------------------------------- */

static int do_unbind(const struct ropts *o, struct pt_host *h)
{
	struct pt_sys *sys = &h->sys;
	struct pt_policy pol = { 0 };
	struct pt_openers op = { 0 };
	struct pt_holds hs = { 0 }, hs2 = { 0 };
	struct pt_kernel *k = NULL;
	struct pt_binder b = { .sys = sys, .trace = o->verbose ? trace_cb : NULL };
	struct pt_plan plan = { 0 };
	bool *give = NULL;
	size_t refused = 0;
	int r, rc;

	rc = parse_sels(o, sys, &pol);
	if (rc)
		return rc;
	give = calloc(sys->ndevs + 1, sizeof(*give));
	if (!give) {
		rc = ptctl_fail(2, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < sys->ndevs; i++) {
		const struct pt_dev *d = &sys->devs[i];

		for (size_t s = 0; s < pol.nsels; s++) {
			const struct pt_sel *sel = &pol.sels[s];

			if (sel->kind == PT_SEL_GUARDED && pt_sel_matches_slot(sel, d) && !pt_sel_matches_id(sel, d)) {
				fprintf(stderr, "ptctl: refused (selector %s): %s [%04x:%04x]: guard mismatch: found "
					"%04x:%04x, expected %s\n", sel->text, pt_dev_short_slot(d), d->vendor, d->device,
					d->vendor, d->device, strchr(sel->text, '@') + 1);
				refused++;
			} else if (pt_sel_matches(sel, d) && !pt_dev_is_bridge(d)) {
				give[i] = true;
			}
		}
	}
	/* --group: the rest of their groups that is on vfio-pci goes back too */
	for (size_t i = 0; o->group && i < sys->ndevs; i++)
		for (size_t k2 = 0; give[i] && sys->devs[i].group >= 0 && k2 < sys->ndevs; k2++)
			if (sys->devs[k2].group == sys->devs[i].group && strcmp(sys->devs[k2].driver, VFIO) == 0)
				give[k2] = true;
	r = pt_openers_scan(sys->rootfd, &op);
	if (r == 0)
		r = pt_safety_release(h, &op, give, &hs);
	if (r == 0 && o->to) {
		/* a function on a host driver moving to another: what bind checks, but its group */
		bool *mv = calloc(sys->ndevs + 1, sizeof(*mv));

		for (size_t i = 0; mv && i < sys->ndevs; i++)
			mv[i] = give[i] && strcmp(sys->devs[i].driver, VFIO) != 0 &&
				strcmp(sys->devs[i].driver, o->to) != 0;
		r = mv ? pt_safety_bind(h, &op, mv, &hs2) : -ENOMEM;
		free(mv);
		if (r == 0) {
			size_t j = 0;

			for (size_t i = 0; i < hs2.n; i++)
				if (hs2.v[i].kind != PT_HOLD_GROUP)
					hs2.v[j++] = hs2.v[i];
			hs2.n = j;
		}
	}
	if (r < 0) {
		rc = ptctl_fail(2, "cannot check what holds the devices: %s", strerror(-r));
		goto out;
	}
	refused += refusals(o, &hs) + refusals(o, &hs2);
	if (refused) {
		fprintf(stderr, "ptctl: nothing changed\n");
		rc = 1;
		goto out;
	}
	if (o->dry_run) {
		for (size_t i = 0; i < sys->ndevs; i++) {
			const struct pt_dev *d = &sys->devs[i];

			if (!give[i])
				continue;
			if (o->to && strcmp(d->driver, o->to) == 0)
				printf("%s [%04x:%04x]: already on %s\n", d->slot, d->vendor, d->device, o->to);
			else if (!o->to && strcmp(d->driver, VFIO) != 0 && !d->override[0])
				printf("%s [%04x:%04x]: already with the host (%s)\n", d->slot, d->vendor, d->device,
				       or_none(d->driver));
			else
				printf("%s [%04x:%04x]: would go to %s (now %s)\n", d->slot, d->vendor, d->device,
				       o->to ? o->to : "its host driver", or_none(d->driver));
		}
		goto out;
	}
	r = pt_kernel_new(sys->rootfd, &k);
	if (r == 0 && o->to)
		r = load_driver(o, h, k, o->to);
	if (r < 0) {
		fprintf(stderr, "ptctl: %s is not available (%s): no device was touched\n", o->to ? o->to : "the kernel",
			strerror(-r));
		rc = 1;
		goto out;
	}
	b.kernel = k;
	b.driver = o->to ? o->to : VFIO;
	if (o->to) {
		/* the binder, aimed at another driver: override, unbind, probe, verify, roll back */
		plan.items = calloc(sys->ndevs + 1, sizeof(*plan.items));
		if (!plan.items) {
			rc = ptctl_fail(2, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < sys->ndevs; i++)
			if (give[i])
				plan.items[plan.nitems++] = (struct pt_item){ .dev = i, .sel = 0, .action = PT_ACT_BIND };
		rc = pt_bind_apply(&b, &plan) ? 1 : 0;
		for (size_t i = 0; i < plan.nitems; i++) {
			const struct pt_item *it = &plan.items[i];
			const struct pt_dev *d = &sys->devs[it->dev];

			if (it->result == PT_RES_BOUND && strcmp(it->driver_before, o->to) == 0)
				printf("%s [%04x:%04x]: already on %s\n", d->slot, d->vendor, d->device, o->to);
			else if (it->result == PT_RES_BOUND)
				printf("%s [%04x:%04x]: bound to %s (was %s)\n", d->slot, d->vendor, d->device, o->to,
				       or_none(it->driver_before));
			else
				printf("%s [%04x:%04x]: %s: %s\n", d->slot, d->vendor, d->device,
				       pt_result_name(it->result), it->reason);
			journal(h, "unbind", d, it->driver_before, it->driver_after);
		}
		goto out;
	}
	for (size_t i = 0; i < sys->ndevs; i++) {
		struct pt_dev *d = &sys->devs[i];
		char before[PT_NAME_MAX];
		bool had_override = d->override[0];

		if (!give[i])
			continue;
		pt_snprintf(before, sizeof(before), "%s", d->driver);
		r = pt_bind_release(&b, d);
		if (r < 0) {
			printf("%s [%04x:%04x]: failed: %s (driver %s, driver_override %s)\n", d->slot, d->vendor,
			       d->device, strerror(-r), or_none(d->driver), d->override[0] ? d->override : "none");
			rc = 1;
		} else if (strcmp(before, VFIO) != 0 && !had_override) {
			printf("%s [%04x:%04x]: already with the host (%s)\n", d->slot, d->vendor, d->device,
			       or_none(d->driver));
		} else if (!d->driver[0]) {
			printf("%s [%04x:%04x]: released from %s; no host driver took it (load one, or use "
			       "--to DRIVER)\n", d->slot, d->vendor, d->device, or_none(before));
		} else {
			printf("%s [%04x:%04x]: given back to %s (was %s)\n", d->slot, d->vendor, d->device, d->driver,
			       or_none(before));
		}
		journal(h, "unbind", d, before, d->driver);
	}
out:
	pt_plan_free(&plan);
	pt_kernel_free(k);
	pt_holds_free(&hs);
	pt_holds_free(&hs2);
	pt_openers_free(&op);
	free(give);
	pt_policy_free(&pol);
	return rc;
}

/* ---- virt ---------------------------------------------------------------------------------- */

static int do_virt(const struct ropts *o, struct pt_host *h)
{
	const struct pt_sys *sys = &h->sys;
	struct pt_policy pol = { 0 };
	struct pt_buf out = { 0 }, origin = { 0 };
	bool *sel;
	int r, rc = 0;

	sel = calloc(sys->ndevs + 1, sizeof(*sel));
	if (!sel)
		return ptctl_fail(2, "out of memory");
	if (o->nsels) {
		rc = parse_sels(o, sys, &pol);
		if (rc)
			goto out;
		pt_buf_puts(&origin, "selected:");
		for (int i = 0; i < o->nsels; i++)
			pt_buf_printf(&origin, " %s", o->sels[i]);
		for (size_t i = 0; i < sys->ndevs; i++)
			for (size_t s = 0; s < pol.nsels; s++)
				if (pt_sel_matches(&pol.sels[s], &sys->devs[i]))
					sel[i] = true;
		for (size_t s = 0; s < pol.nsels; s++) {
			bool any = false;

			for (size_t i = 0; i < sys->ndevs; i++)
				any |= pt_sel_matches(&pol.sels[s], &sys->devs[i]);
			if (!any) {
				rc = ptctl_fail(2, "selector %s: guard mismatch: the slot holds another device (see ptctl list)",
					 pol.sels[s].text);
				goto out;
			}
		}
	}
	if (o->policy) {
		struct pt_policy_error pe = { 0 };
		struct pt_policy pp;
		struct pt_plan plan;

		if (pt_policy_parse(o->policy, &pp, &pe) < 0) {
			rc = pe.why ? ptctl_fail(2, "--policy: selector \"%s\": %s", pe.sel, pe.why) : ptctl_fail(2, "out of memory");
			goto out;
		}
		r = pt_plan_build(sys, &pp, false, &plan);
		if (r < 0) {
			pt_policy_free(&pp);
			rc = ptctl_fail(2, "cannot plan: %s", strerror(-r));
			goto out;
		}
		for (size_t i = 0; i < plan.nitems; i++) {
			const struct pt_item *it = &plan.items[i];

			if (it->action == PT_ACT_BIND)
				sel[it->dev] = true;
			else
				fprintf(stderr, "# %s: refused by --policy: %s\n", pt_dev_short_slot(&sys->devs[it->dev]),
					it->reason);
		}
		pt_plan_free(&plan);
		pt_policy_free(&pp);
		pt_buf_printf(&origin, "%s--policy %s", origin.len ? "; " : "", o->policy);
	}
	if (!o->nsels && !o->policy) {
		for (size_t i = 0; i < sys->ndevs; i++)
			sel[i] = strcmp(sys->devs[i].driver, VFIO) == 0;
		pt_buf_puts(&origin, "the functions on vfio-pci now");
	}
	if (origin.err) {
		rc = ptctl_fail(2, "out of memory");
		goto out;
	}
	r = pt_virt_render(sys, sel, o->format, origin.data, &out);
	if (r == -ENODEV) {
		fprintf(stderr, "ptctl: nothing to pass: %s\n", o->nsels || o->policy ? "only PCI bridges selected" :
			"no function is on vfio-pci (ptctl bind SEL..., or ptctl virt SEL... / --policy STR)");
		rc = 1;
		goto out;
	}
	if (r < 0) {
		rc = ptctl_fail(2, "%s", strerror(-r));
		goto out;
	}
	fwrite(out.data, 1, out.len, stdout);
out:
	pt_buf_free(&out);
	pt_buf_free(&origin);
	pt_policy_free(&pol);
	free(sel);
	return rc;
}

/* ---- status -------------------------------------------------------------------------------- */

static void ms_text(uint64_t us, char *buf, size_t size)
{
	if (us >= 10000)
		pt_snprintf(buf, size, "%llu ms", (unsigned long long)((us + 500) / 1000));
	else
		pt_snprintf(buf, size, "%llu.%llu ms", (unsigned long long)(us / 1000),
			    (unsigned long long)(us % 1000 / 100));
}

static const char *now_driver(const struct pt_sys *sys, const char *slot)
{
	const struct pt_dev *d = pt_sys_find(sys, slot);

	return d ? d->driver : NULL;
}

static int do_status(const struct ropts *o, struct pt_sys *sys)
{
	struct pt_state st = { 0 };
	char *text = NULL, t1[32], t2[32];
	size_t off = 0, changed = 0, nbound = 0, nfailed = 0, nrefused = 0;
	bool have = false;
	int r;

	(void)o;
	r = pt_read_file(sys->rootfd, STATE_FILE, 4 << 20, &text, NULL);
	if (r == -ENOENT) {
		printf("pt-early: no state report (/%s): it did not run this boot, or the command line has no "
		       "pt.devices=\n", STATE_FILE);
	} else if (r < 0) {
		return ptctl_fail(2, "cannot read /%s: %s", STATE_FILE, strerror(-r));
	} else if (pt_state_parse(text, &st, &off) < 0) {
		free(text);
		return ptctl_fail(2, "/%s is not a ptboot state report (at byte %zu)", STATE_FILE, off);
	} else {
		have = true;
	}
	free(text);
	if (have) {
		for (size_t i = 0; i < st.ndevs; i++) {
			nbound += strcmp(st.devs[i].result, "bound") == 0;
			nrefused += strcmp(st.devs[i].result, "refused") == 0;
			nfailed += strcmp(st.devs[i].result, "failed") == 0 ||
				   strcmp(st.devs[i].result, "rolled-back") == 0;
		}
		ms_text(st.modules_us, t1, sizeof(t1));
		ms_text(st.elapsed_us, t2, sizeof(t2));
		printf("pt-early this boot%s: pt.devices=%s\n", st.dry_run ? " (dry run)" : "",
		       st.policy[0] ? st.policy : "(none)");
		printf("  kernel %s, IOMMU %s, vfio-pci %s (%s); %zu bound, %zu failed, %zu refused in %s%s\n",
		       st.kernel[0] ? st.kernel : "?", !st.has_iommu ? "unknown" : st.iommu ? "on" : "off",
		       st.modules[0] ? st.modules : "?", t1, nbound, nfailed, nrefused, t2,
		       st.off ? "; pt.off was given" : "");
		for (size_t i = 0; i < st.nerrors; i++)
			printf("  error: %s\n", st.errors[i]);
		for (size_t i = 0; i < st.nwarnings; i++)
			printf("  warning: %s\n", st.warnings[i]);
		for (size_t i = 0; i < st.ndevs; i++) {
			const struct pt_state_dev *d = &st.devs[i];
			const char *now = now_driver(sys, d->slot);
			char was[160];

			if (strcmp(d->driver_before, d->driver_after) == 0)
				pt_snprintf(was, sizeof(was), "kept %s", d->driver_after[0] ? d->driver_after : "-");
			else
				pt_snprintf(was, sizeof(was), "%s -> %s", d->driver_before[0] ? d->driver_before : "-",
					    d->driver_after[0] ? d->driver_after : "-");
			printf("  %s [%04x:%04x] %-20s %-11s %-26s now %s%s\n", d->slot, d->vendor, d->device,
			       d->selector[0] ? d->selector : "(group)", d->result, was,
			       !now ? "(gone)" : now[0] ? now : "-",
			       now && strcmp(now, d->driver_after) ? "  (changed)" : "");
			if (d->reason[0])
				printf("      %s\n", d->reason);
		}
	}
	/* what differs from the end of boot */
	for (size_t i = 0; have && i < st.ndevs; i++) {
		const struct pt_state_dev *d = &st.devs[i];
		const char *now = now_driver(sys, d->slot);

		if (now && strcmp(now, d->driver_after) == 0)
			continue;
		if (!changed++)
			printf("changed since boot:\n");
		printf("  %s [%04x:%04x]: %s after pt-early, %s now\n", d->slot, d->vendor, d->device,
		       d->driver_after[0] ? d->driver_after : "no driver", !now ? "gone" : now[0] ? now : "no driver");
	}
	for (size_t i = 0; i < sys->ndevs; i++) {
		const struct pt_dev *d = &sys->devs[i];
		bool in = false;

		if (strcmp(d->driver, VFIO) != 0)
			continue;
		for (size_t k = 0; have && k < st.ndevs; k++)
			in |= strcmp(st.devs[k].slot, d->slot) == 0;
		if (in)
			continue;
		if (!changed++)
			printf("changed since boot:\n");
		printf("  %s [%04x:%04x]: on vfio-pci now, not by pt-early\n", d->slot, d->vendor, d->device);
	}
	if (!changed)
		printf("no change since boot\n");
	pt_state_free(&st);
	/* ptctl's own journal */
	r = pt_read_file(sys->rootfd, PT_RUNTIME_LOG, 4 << 20, &text, NULL);
	if (r == 0) {
		bool first = true;

		for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
			char action[16], slot[PT_SLOT_MAX], ids[16], from[PT_NAME_MAX], to[PT_NAME_MAX], when[32];
			unsigned long long epoch;
			struct tm tm;
			time_t t;

			if (sscanf(l, "%llu %15s %23s %15s %63s %63s", &epoch, action, slot, ids, from, to) != 6)
				continue;
			t = (time_t)epoch;
			if (!gmtime_r(&t, &tm) || !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm))
				pt_snprintf(when, sizeof(when), "%llu", epoch);
			if (first)
				printf("runtime changes by ptctl (/%s):\n", PT_RUNTIME_LOG);
			first = false;
			printf("  %s  %-6s %s [%s]: %s -> %s\n", when, action, slot, ids, from, to);
		}
		free(text);
	}
	return 0;
}

/* ---- entry points -------------------------------------------------------------------------- */

static int run(int argc, char **argv, enum rcmd cmd, const char *name)
{
	struct ropts o = { .cmd = cmd, .name = name };
	struct pt_host h;
	int rc;

	rc = parse(argc, argv, &o);
	if (rc) {
		free(o.sels);
		return rc;
	}
	if (cmd == R_STATUS) {
		struct pt_sys sys;
		int r = pt_sys_open(o.root, &sys);

		if (r == 0)
			r = pt_sys_scan(&sys);
		if (r < 0) {
			free(o.sels);
			return ptctl_fail(2, "cannot read the PCI devices under %s: %s", o.root, strerror(-r));
		}
		rc = do_status(&o, &sys);
		pt_sys_close(&sys);
	} else {
		rc = open_host(&o, cmd != R_VIRT, &h);
		if (rc) {
			free(o.sels);
			return rc;
		}
		rc = cmd == R_BIND ? do_bind(&o, &h) : cmd == R_UNBIND ? do_unbind(&o, &h) : do_virt(&o, &h);
		pt_host_close(&h);
	}
	free(o.sels);
	if (fflush(stdout) != 0 || ferror(stdout))
		return ptctl_fail(2, "writing the output failed");
	return rc;
}

int ptctl_cmd_bind(int argc, char **argv)
{
	return run(argc, argv, R_BIND, "bind");
}

int ptctl_cmd_unbind(int argc, char **argv)
{
	return run(argc, argv, R_UNBIND, "unbind");
}

int ptctl_cmd_virt(int argc, char **argv)
{
	return run(argc, argv, R_VIRT, "virt");
}

int ptctl_cmd_status(int argc, char **argv)
{
	return run(argc, argv, R_STATUS, "status");
}
