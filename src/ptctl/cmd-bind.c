// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ptctl bind and unbind: the runtime hand-off. The selection, the holds that refuse it
 * (safety), the driver load and the binder are the library's, the same pt-early uses at boot;
 * this file says what happened and records each change in the runtime journal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ptctl.h"

static const char *or_none(const char *drv)
{
	return drv[0] ? drv : "no driver";
}

static void trace_cb(void *data, const char *msg)
{
	(void)data;
	fprintf(stderr, "ptctl: %s\n", msg);
}

/* Make the PCI driver drv available (loading its module as modprobe would). 0, or the exit
 * status after saying why and that nothing was touched. */
static int load_driver(const struct ptctl *c, const struct pt_host *h, struct pt_kernel *k, const char *drv)
{
	struct pt_driver_load ld;
	int r;

	fflush(stdout);
	r = pt_driver_load(h->sys.rootfd, k, h->kver[0] ? h->kver : NULL, h->cmdline, drv,
			   strcmp(c->root, "/") == 0, &ld);
	if (r < 0)
		return ptctl_err(PTCTL_PARTIAL, "%s is not available (%s): no device was touched", drv,
				 ld.why);
	if (c->verbose && ld.probed)
		fprintf(stderr, "ptctl: %s: %u module%s loaded, %u present, %u built in\n", drv, ld.st.loaded,
			ld.st.loaded == 1 ? "" : "s", ld.st.present, ld.st.builtin);
	return 0;
}

/* The kernel's sysfs for binding, with drv (when not NULL) made available first: 0, or the
 * exit status after saying why. */
static int open_kernel(const struct ptctl *c, const struct pt_host *h, const char *drv, struct pt_kernel **k)
{
	int r = pt_kernel_new(h->sys.rootfd, k);

	if (r < 0)
		return ptctl_errno(r, "cannot reach the kernel");
	return drv ? load_driver(c, h, *k, drv) : 0;
}

static void journal(const struct pt_host *h, const char *action, const struct pt_dev *d, const char *from,
		    const char *to)
{
	int r;

	if (strcmp(from, to) == 0)
		return;
	r = pt_runtime_log_append(h->sys.rootfd, (uint64_t)time(NULL), action, d, from, to);
	if (r < 0)
		ptctl_warn("cannot record the change in /%s: %s", PT_RUNTIME_LOG, strerror(-r));
}

/* Say the holds that refuse (those --force and --group do not lift); how many refuse. */
static size_t refusals(const struct ptctl *c, const struct pt_holds *hs)
{
	static const char *const hint[] = {
		[PT_HOLD_SYSTEM] = " (no flag overrides this)",
		[PT_HOLD_DISK] = " (unmount it, swapoff, close its dm/md devices first)",
		[PT_HOLD_CONSOLE] = " (--force takes it anyway)",
		[PT_HOLD_GROUP] = " (--group binds the whole group, or name them too)",
		[PT_HOLD_VFIO] = " (shut the VM down first)",
	};
	size_t n = 0;

	for (size_t i = 0; i < hs->n; i++) {
		const struct pt_hold *x = &hs->v[i];

		if ((x->kind == PT_HOLD_CONSOLE && c->force) || (x->kind == PT_HOLD_GROUP && c->group))
			continue;
		ptctl_err(0, "refused (%s): %s%s", pt_hold_name(x->kind), x->text, hint[x->kind]);
		n++;
	}
	return n;
}

/* ---- bind ------------------------------------------------------------------------------- */

static void bind_dry_run(const struct pt_host *h, const struct pt_plan *plan)
{
	for (size_t i = 0; i < plan->nitems; i++) {
		const struct pt_dev *d = &h->sys.devs[plan->items[i].dev];

		if (plan->items[i].action != PT_ACT_BIND)
			continue;
		if (strcmp(d->driver, PT_VFIO_DRIVER) == 0)
			printf("%s [%04x:%04x]: already on vfio-pci\n", d->slot, d->vendor, d->device);
		else
			printf("%s [%04x:%04x]: would bind to vfio-pci (now %s)%s\n", d->slot, d->vendor,
			       d->device, or_none(d->driver),
			       plan->items[i].sel == PT_SEL_BY_SLOT    ? ", completing its slot"
			       : plan->items[i].sel == PT_SEL_BY_GROUP ? ", completing its IOMMU group"
								       : "");
	}
}

static void bind_results(struct pt_host *h, const struct pt_plan *plan)
{
	for (size_t i = 0; i < plan->nitems; i++) {
		const struct pt_item *it = &plan->items[i];
		const struct pt_dev *d = &h->sys.devs[it->dev];
		const char *extra = it->sel == PT_SEL_BY_SLOT	 ? " (completes its slot)"
				    : it->sel == PT_SEL_BY_GROUP ? " (completes its IOMMU group)"
								 : "";

		if (it->action != PT_ACT_BIND)
			continue;
		if (it->result == PT_RES_BOUND && strcmp(it->driver_before, PT_VFIO_DRIVER) == 0)
			printf("%s [%04x:%04x]: already on vfio-pci%s\n", d->slot, d->vendor, d->device,
			       extra);
		else if (it->result == PT_RES_BOUND)
			printf("%s [%04x:%04x]: bound to vfio-pci (was %s)%s\n", d->slot, d->vendor,
			       d->device, or_none(it->driver_before), extra);
		else
			printf("%s [%04x:%04x]: %s: %s\n", d->slot, d->vendor, d->device,
			       pt_result_name(it->result), it->reason);
		journal(h, "bind", d, it->driver_before, it->driver_after);
	}
}

/* What holds the functions to take: refusals said, the ones --force lifts warned about. */
static int bind_holds(const struct ptctl *c, const struct pt_host *h, const bool *take)
{
	struct pt_openers op = { 0 };
	struct pt_holds hs = { 0 };
	int r, rc = 0;

	r = pt_openers_scan(h->sys.rootfd, &op);
	if (r == 0)
		r = pt_safety_bind(h, &op, take, &hs);
	if (r < 0) {
		rc = ptctl_errno(r, "cannot check what holds the devices");
	} else if (refusals(c, &hs)) {
		rc = ptctl_err(PTCTL_PARTIAL, "nothing changed");
	} else {
		for (size_t i = 0; i < hs.n; i++)
			if (hs.v[i].kind == PT_HOLD_CONSOLE)
				ptctl_warn("--force: %s", hs.v[i].text);
	}
	pt_holds_free(&hs);
	pt_openers_free(&op);
	return rc;
}

int ptctl_cmd_bind(struct ptctl *c)
{
	struct pt_selection s;
	struct pt_kernel *k = NULL;
	struct pt_binder b = { .driver = PT_VFIO_DRIVER };
	struct pt_host h;
	size_t todo = 0;
	int rc;

	if ((rc = ptctl_open_host(c, true, &h)))
		return rc;
	if ((rc = ptctl_select(c, &h, PTCTL_SELECT_REQUIRED | PTCTL_SELECT_ANY,
			       (c->group ? PT_PLAN_GROUPS : 0) | ptctl_complete_flags(c), &s)))
		goto out_host;
	for (size_t i = 0; i < h.sys.ndevs; i++)
		todo += s.plan.take[i] && strcmp(h.sys.devs[i].driver, PT_VFIO_DRIVER) != 0;
	if ((rc = bind_holds(c, &h, s.plan.take)))
		goto out;
	if (c->dry_run) {
		bind_dry_run(&h, &s.plan);
		goto out;
	}
	if ((rc = open_kernel(c, &h, todo ? PT_VFIO_DRIVER : NULL, &k)))
		goto out;
	b.sys = &h.sys;
	b.kernel = k;
	b.trace = c->verbose ? trace_cb : NULL;
	rc = pt_bind_apply(&b, &s.plan) ? PTCTL_PARTIAL : PTCTL_OK;
	bind_results(&h, &s.plan);
out:
	pt_kernel_free(k);
	pt_selection_free(&s);
out_host:
	pt_host_close(&h);
	return rc;
}

/* ---- unbind ----------------------------------------------------------------------------- */

struct give_ctx {
	const struct pt_sys *sys;
	bool *give;
};

/* --group: the rest of their groups that is on vfio-pci goes back too */
static int give_group(void *data, const struct pt_gap *g)
{
	struct give_ctx *gc = data;

	for (size_t k = 0; k < g->nleft; k++)
		if (strcmp(gc->sys->devs[g->left[k]].driver, PT_VFIO_DRIVER) == 0)
			gc->give[g->left[k]] = true;
	return 0;
}

/* What holds the functions to give back: a VM using them; with --to, what bind checks too
 * (but not their groups: a function moving between host drivers leaves no VM a half group). */
static int unbind_holds(const struct ptctl *c, const struct pt_host *h, const bool *give)
{
	struct pt_openers op = { 0 };
	struct pt_holds hs = { 0 }, hs2 = { 0 };
	bool *mv = NULL;
	int r, rc = 0;

	r = pt_openers_scan(h->sys.rootfd, &op);
	if (r == 0)
		r = pt_safety_release(h, &op, give, &hs);
	if (r == 0 && c->to) {
		mv = calloc(h->sys.ndevs + 1, sizeof(*mv));
		for (size_t i = 0; mv && i < h->sys.ndevs; i++)
			mv[i] = give[i] && strcmp(h->sys.devs[i].driver, PT_VFIO_DRIVER) != 0 &&
				strcmp(h->sys.devs[i].driver, c->to) != 0;
		r = mv ? pt_safety_bind(h, &op, mv, &hs2) : -ENOMEM;
		for (size_t i = 0, j = 0; r == 0 && i < hs2.n; i++, hs2.n = j)
			if (hs2.v[i].kind != PT_HOLD_GROUP)
				hs2.v[j++] = hs2.v[i];
	}
	if (r < 0)
		rc = ptctl_errno(r, "cannot check what holds the devices");
	else if (refusals(c, &hs) + refusals(c, &hs2))
		rc = ptctl_err(PTCTL_PARTIAL, "nothing changed");
	free(mv);
	pt_holds_free(&hs);
	pt_holds_free(&hs2);
	pt_openers_free(&op);
	return rc;
}

static void unbind_dry_run(const struct ptctl *c, const struct pt_sys *sys, const bool *give)
{
	for (size_t i = 0; i < sys->ndevs; i++) {
		const struct pt_dev *d = &sys->devs[i];

		if (!give[i])
			continue;
		if (c->to && strcmp(d->driver, c->to) == 0)
			printf("%s [%04x:%04x]: already on %s\n", d->slot, d->vendor, d->device, c->to);
		else if (!c->to && strcmp(d->driver, PT_VFIO_DRIVER) != 0 && !d->override[0])
			printf("%s [%04x:%04x]: already with the host (%s)\n", d->slot, d->vendor, d->device,
			       or_none(d->driver));
		else
			printf("%s [%04x:%04x]: would go to %s (now %s)\n", d->slot, d->vendor, d->device,
			       c->to ? c->to : "its host driver", or_none(d->driver));
	}
}

/* --to DRIVER: the binder, aimed at another driver (override, unbind, probe, verify, roll back) */
static int unbind_to(const struct ptctl *c, struct pt_host *h, struct pt_binder *b, const bool *give)
{
	struct pt_plan plan = { 0 };
	int rc;

	plan.items = calloc(h->sys.ndevs + 1, sizeof(*plan.items));
	if (!plan.items)
		return ptctl_err(PTCTL_FAIL, "out of memory");
	for (size_t i = 0; i < h->sys.ndevs; i++)
		if (give[i])
			plan.items[plan.nitems++] = (struct pt_item){ .dev = i, .action = PT_ACT_BIND };
	rc = pt_bind_apply(b, &plan) ? PTCTL_PARTIAL : PTCTL_OK;
	for (size_t i = 0; i < plan.nitems; i++) {
		const struct pt_item *it = &plan.items[i];
		const struct pt_dev *d = &h->sys.devs[it->dev];

		if (it->result == PT_RES_BOUND && strcmp(it->driver_before, c->to) == 0)
			printf("%s [%04x:%04x]: already on %s\n", d->slot, d->vendor, d->device, c->to);
		else if (it->result == PT_RES_BOUND)
			printf("%s [%04x:%04x]: bound to %s (was %s)\n", d->slot, d->vendor, d->device, c->to,
			       or_none(it->driver_before));
		else
			printf("%s [%04x:%04x]: %s: %s\n", d->slot, d->vendor, d->device,
			       pt_result_name(it->result), it->reason);
		journal(h, "unbind", d, it->driver_before, it->driver_after);
	}
	pt_plan_free(&plan);
	return rc;
}

/* The binder's give-back: clear the override, unbind vfio-pci, reprobe for the host driver */
static int unbind_release(struct pt_host *h, struct pt_binder *b, const bool *give)
{
	int rc = PTCTL_OK;

	for (size_t i = 0; i < h->sys.ndevs; i++) {
		struct pt_dev *d = &h->sys.devs[i];
		char before[PT_NAME_MAX];
		bool had_override = d->override[0];
		int r;

		if (!give[i])
			continue;
		pt_snprintf(before, sizeof(before), "%s", d->driver);
		r = pt_bind_release(b, d);
		if (r < 0) {
			printf("%s [%04x:%04x]: failed: %s (driver %s, driver_override %s)\n", d->slot,
			       d->vendor, d->device, strerror(-r), or_none(d->driver),
			       d->override[0] ? d->override : "none");
			rc = PTCTL_PARTIAL;
		} else if (strcmp(before, PT_VFIO_DRIVER) != 0 && !had_override) {
			printf("%s [%04x:%04x]: already with the host (%s)\n", d->slot, d->vendor, d->device,
			       or_none(d->driver));
		} else if (!d->driver[0]) {
			printf("%s [%04x:%04x]: released from %s; no host driver took it (load one, or use "
			       "--to DRIVER)\n",
			       d->slot, d->vendor, d->device, or_none(before));
		} else {
			printf("%s [%04x:%04x]: given back to %s (was %s)\n", d->slot, d->vendor, d->device,
			       d->driver, or_none(before));
		}
		journal(h, "unbind", d, before, d->driver);
	}
	return rc;
}

static int unbind_check_to(const struct ptctl *c)
{
	if (!c->to)
		return 0;
	if (strcmp(c->to, PT_VFIO_DRIVER) == 0 || strcmp(c->to, "vfio_pci") == 0)
		return ptctl_err(PTCTL_FAIL,
				 "unbind --to %s: use ptctl bind, which checks what the host still uses",
				 c->to);
	if (!c->to[0] || strchr(c->to, '/') || strlen(c->to) >= PT_NAME_MAX)
		return ptctl_err(PTCTL_FAIL, "--to \"%s\": expected a PCI driver name such as nvme", c->to);
	return 0;
}

int ptctl_cmd_unbind(struct ptctl *c)
{
	struct pt_selection s;
	struct pt_kernel *k = NULL;
	struct pt_binder b = { 0 };
	struct pt_host h;
	struct give_ctx gc;
	int r, rc;

	if ((rc = unbind_check_to(c)))
		return rc;
	if ((rc = ptctl_open_host(c, true, &h)))
		return rc;
	if ((rc = ptctl_select(c, &h, PTCTL_SELECT_REQUIRED, 0, &s)))
		goto out_host;
	gc = (struct give_ctx){ .sys = &h.sys, .give = s.plan.take };
	if (c->group && (r = pt_sys_gaps(&h.sys, s.plan.take, PT_UNIT_GROUP, give_group, &gc)) < 0) {
		rc = ptctl_errno(r, "cannot walk the IOMMU groups");
		goto out;
	}
	if ((rc = unbind_holds(c, &h, gc.give)))
		goto out;
	if (c->dry_run) {
		unbind_dry_run(c, &h.sys, gc.give);
		goto out;
	}
	if ((rc = open_kernel(c, &h, c->to, &k)))
		goto out;
	b = (struct pt_binder){ .sys = &h.sys,
				.kernel = k,
				.driver = c->to ? c->to : PT_VFIO_DRIVER,
				.trace = c->verbose ? trace_cb : NULL };
	rc = c->to ? unbind_to(c, &h, &b, gc.give) : unbind_release(&h, &b, gc.give);
out:
	pt_kernel_free(k);
	pt_selection_free(&s);
out_host:
	pt_host_close(&h);
	return rc;
}
