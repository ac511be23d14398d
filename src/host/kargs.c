// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The kernel arguments that pass a set of functions (ptctl cmdline, entry add): IOMMU
 * groups completed, the guarded pt.devices= form and per-vendor tuning.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"

static void add_arg(struct pt_kargs *k, const char *a, const char *reason)
{
	if (!a || !a[0])
		return;
	if (k->args.data && strstr(k->args.data, a))
		return;
	pt_buf_printf(&k->args, "%s%s", k->args.len ? " " : "", a);
	pt_buf_printf(&k->why, "%s: %s\n", a, reason);
}

struct complete_ctx {
	const struct pt_sys *sys;
	bool *sel;
	struct pt_buf *why;
};

static int complete_group(void *data, const struct pt_gap *g)
{
	struct complete_ctx *c = data;

	for (size_t k = 0; k < g->nleft; k++) {
		const struct pt_dev *m = &c->sys->devs[g->left[k]];

		c->sel[g->left[k]] = true;
		pt_buf_printf(c->why, "%s: added, it shares IOMMU group %d with %s\n", pt_dev_short_slot(m),
			      g->group, pt_dev_short_slot(&c->sys->devs[g->first]));
	}
	return 0;
}

static void tuning_arg(struct pt_kargs *k, const struct pt_tuning *tun, const char *when)
{
	const struct pt_tuning_rule *r = pt_tuning_find(tun, when);

	if (r)
		add_arg(k, r->args, r->why);
}

int pt_kargs_build(const struct pt_host *h, const struct pt_tuning *tun, bool *sel, struct pt_kargs *ret)
{
	const struct pt_sys *sys = &h->sys;
	struct pt_kargs k = { 0 };
	struct complete_ctx cc = { .sys = sys, .sel = sel, .why = &k.why };
	char when[48], fb[96];
	bool any = false;
	int r;

	for (size_t i = 0; i < sys->ndevs; i++)
		if (sel[i] && pt_dev_is_bridge(&sys->devs[i])) {
			sel[i] = false;
			pt_buf_printf(&k.why, "%s: a PCI bridge stays with the host\n",
				      pt_dev_short_slot(&sys->devs[i]));
		}
	r = pt_sys_gaps(sys, sel, PT_UNIT_GROUP, complete_group, &cc);
	for (size_t i = 0; r == 0 && i < sys->ndevs; i++) {
		if (sel[i] &&
		    pt_storage_system_refusal(&h->storage, &sys->devs[i], k.refusal, sizeof(k.refusal)))
			r = -EBUSY;
		any |= sel[i];
	}
	if (r == 0 && !any)
		r = -ENODEV; /* nothing left to pass */
	if (r < 0)
		goto out;
	pt_snprintf(when, sizeof(when), "cpu=%s", h->cpu);
	tuning_arg(&k, tun, when);
	tuning_arg(&k, tun, "always");
	pt_buf_printf(&k.args, "%spt.devices=", k.args.len ? " " : "");
	for (size_t i = 0, n = 0; i < sys->ndevs; i++) {
		char g[64];

		if (!sel[i])
			continue;
		pt_dev_guarded(&sys->devs[i], g, sizeof(g));
		pt_buf_printf(&k.args, "%s%s", n++ ? "," : "", g);
	}
	pt_buf_puts(&k.why, "pt.devices=: the selected functions in the guarded SLOT@ID form\n");
	for (size_t i = 0; i < sys->ndevs; i++) {
		const struct pt_dev *d = &sys->devs[i];

		if (!sel[i] || !pt_dev_is_display(d) ||
		    !pt_iomem_framebuffer(&h->iomem, d->slot, fb, sizeof(fb)))
			continue;
		pt_snprintf(when, sizeof(when), "fb=%.*s", (int)strcspn(fb, " "), fb);
		tuning_arg(&k, tun, when);
	}
	r = k.args.err ? k.args.err : k.why.err;
out:
	*ret = k; /* the why lines and the refusal also when it fails */
	return r;
}

void pt_kargs_free(struct pt_kargs *k)
{
	pt_buf_free(&k->args);
	pt_buf_free(&k->why);
}
