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

/* ---- ptctl cmdline ---------------------------------------------------------- */

static void add_arg(struct pt_buf *args, struct pt_buf *why, const char *a, const char *reason)
{
	if (!a || !a[0])
		return;
	if (args->data && strstr(args->data, a))
		return;
	pt_buf_printf(args, "%s%s", args->len ? " " : "", a);
	pt_buf_printf(why, "%s: %s\n", a, reason);
}

int pt_cmdline_build(const struct pt_host *h, const struct pt_tuning *tun, bool *sel,
		     struct pt_buf *args, struct pt_buf *why)
{
	const struct pt_sys *sys = &h->sys;
	const struct pt_tuning_rule *r;
	char when[48], use[300], fb[96];
	struct pt_buf devs = { 0 };
	int busy = 0;

	for (size_t i = 0; i < sys->ndevs; i++)
		if (sel[i] && pt_dev_is_bridge(&sys->devs[i])) {
			sel[i] = false;
			pt_buf_printf(why, "%s: a PCI bridge stays with the host\n", pt_dev_short_slot(&sys->devs[i]));
		}
	/* whole groups */
	for (size_t i = 0; i < sys->ndevs; i++) {
		if (!sel[i] || sys->devs[i].group < 0)
			continue;
		for (size_t k = 0; k < sys->ndevs; k++) {
			const struct pt_dev *m = &sys->devs[k];

			if (sel[k] || m->group != sys->devs[i].group || pt_dev_is_bridge(m))
				continue;
			sel[k] = true;
			pt_buf_printf(why, "%s: added, it shares IOMMU group %d with %s\n", pt_dev_short_slot(m), m->group,
				      pt_dev_short_slot(&sys->devs[i]));
		}
	}
	for (size_t i = 0; i < sys->ndevs; i++)
		if (sel[i] && pt_storage_holds_system(&h->storage, sys->devs[i].slot, use, sizeof(use)) == 2) {
			pt_buf_printf(why, "%s carries the running system's disk %s: refusing\n",
				      pt_dev_short_slot(&sys->devs[i]), use);
			busy = -EBUSY;
		}
	if (busy)
		return busy;
	busy = -ENODEV;
	for (size_t i = 0; i < sys->ndevs; i++)
		if (sel[i])
			busy = 0;
	if (busy)
		return busy;	/* nothing left to pass */
	pt_snprintf(when, sizeof(when), "cpu=%s", h->cpu);
	if ((r = pt_tuning_find(tun, when)))
		add_arg(args, why, r->args, r->why);
	if ((r = pt_tuning_find(tun, "always")))
		add_arg(args, why, r->args, r->why);
	for (size_t i = 0; i < sys->ndevs; i++) {
		char g[64];

		if (!sel[i])
			continue;
		pt_dev_guarded(&sys->devs[i], g, sizeof(g));
		pt_buf_printf(&devs, "%s%s", devs.len ? "," : "pt.devices=", g);
	}
	if (devs.err)
		return devs.err;
	if (devs.len) {
		pt_buf_printf(args, "%s%s", args->len ? " " : "", devs.data);
		pt_buf_printf(why, "pt.devices=: the selected functions in the guarded SLOT@ID form\n");
	}
	pt_buf_free(&devs);
	for (size_t i = 0; i < sys->ndevs; i++) {
		const struct pt_dev *d = &sys->devs[i];

		if (!sel[i] || !pt_dev_is_display(d) || !pt_iomem_framebuffer(&h->iomem, d->slot, fb, sizeof(fb)))
			continue;
		pt_snprintf(when, sizeof(when), "fb=%.*s", (int)strcspn(fb, " "), fb);
		if ((r = pt_tuning_find(tun, when)))
			add_arg(args, why, r->args, r->why);
	}
	return args->err ? args->err : why->err;
}
