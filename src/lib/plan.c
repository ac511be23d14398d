// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Policy x device model -> plan: which functions to bind, which to refuse
 * and why, and what the IOMMU groups say about it. Pure: no I/O.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptboot.h"

const char *pt_result_name(enum pt_result r)
{
	static const char *const names[] = {
		[PT_RES_PLANNED] = "planned",
		[PT_RES_BOUND] = "bound",
		[PT_RES_FAILED] = "failed",
		[PT_RES_ROLLED_BACK] = "rolled-back",
		[PT_RES_REFUSED] = "refused",
	};

	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}

const char *pt_action_name(enum pt_action a)
{
	return a == PT_ACT_BIND ? "bind" : "refuse";
}

int pt_plan_note(struct pt_plan *p, int level, const char *fmt, ...)
{
	struct pt_note *n;
	va_list ap;

	n = realloc(p->notes, (p->nnotes + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	p->notes = n;
	n = &p->notes[p->nnotes++];
	n->level = level;
	va_start(ap, fmt);
	pt_vsnprintf(n->text, sizeof(n->text), fmt, ap);
	va_end(ap);
	return 0;
}

void pt_plan_free(struct pt_plan *p)
{
	free(p->items);
	free(p->notes);
	*p = (struct pt_plan){ 0 };
}

size_t pt_plan_count(const struct pt_plan *p, enum pt_action a)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nitems; i++)
		n += p->items[i].action == a;
	return n;
}

static struct pt_item *add_item(struct pt_plan *p, size_t dev, int sel, enum pt_action a)
{
	struct pt_item *it;

	it = realloc(p->items, (p->nitems + 1) * sizeof(*it));
	if (!it)
		return NULL;
	p->items = it;
	it = &p->items[p->nitems++];
	*it = (struct pt_item){ .dev = dev, .sel = sel, .action = a, .result = PT_RES_PLANNED };
	return it;
}

static struct pt_item *find_item(struct pt_plan *p, size_t dev)
{
	for (size_t i = 0; i < p->nitems; i++)
		if (p->items[i].dev == dev)
			return &p->items[i];
	return NULL;
}

static void id_text(const struct pt_dev *d, char *buf, size_t size)
{
	pt_snprintf(buf, size, "%04x:%04x class %04x", d->vendor, d->device, d->cls >> 8);
}

/* Decide one function: bind (with the first selector that takes it), refuse
 * (a guard that fails wins over every other selector), or leave it alone. */
static int plan_dev(struct pt_plan *p, const struct pt_sys *sys, const struct pt_policy *pol,
		    size_t di, bool *used)
{
	const struct pt_dev *d = &sys->devs[di];
	int take = -1, refuse = -1, by_slot = 0;
	struct pt_item *it;
	char found[48];

	for (size_t s = 0; s < pol->nsels; s++) {
		const struct pt_sel *sel = &pol->sels[s];

		if (sel->kind == PT_SEL_GUARDED && pt_sel_matches_slot(sel, d)) {
			used[s] = true;
			if (!pt_sel_matches_id(sel, d)) {
				if (refuse < 0)
					refuse = (int)s;
				continue;
			}
		} else if (!pt_sel_matches(sel, d)) {
			continue;
		}
		used[s] = true;
		if (take < 0)
			take = (int)s;
		if (sel->kind != PT_SEL_ID)
			by_slot = 1;
	}
	if (refuse >= 0) {
		it = add_item(p, di, refuse, PT_ACT_REFUSE);
		if (!it)
			return -ENOMEM;
		it->result = PT_RES_REFUSED;
		id_text(d, found, sizeof(found));
		pt_snprintf(it->reason, sizeof(it->reason), "guard mismatch: found %s, expected %s",
			 found, strchr(pol->sels[refuse].text, '@') + 1);
		return 0;
	}
	if (take < 0)
		return 0;
	it = add_item(p, di, take, PT_ACT_BIND);
	if (!it)
		return -ENOMEM;
	if (pt_dev_is_bridge(d)) {
		it->action = PT_ACT_REFUSE;
		pt_snprintf(it->reason, sizeof(it->reason), "PCI bridge (class %04x): stays with the host",
			 d->cls >> 8);
	} else if (d->boot_vga == 1 && !by_slot) {
		it->action = PT_ACT_REFUSE;
		pt_snprintf(it->reason, sizeof(it->reason),
			 "boot VGA device matched only by ID: name its slot to pass the host's console GPU");
	}
	if (it->action == PT_ACT_REFUSE)
		it->result = PT_RES_REFUSED;
	else if (d->boot_vga == 1)
		return pt_plan_note(p, 4, "%s is the boot VGA device: the host's console goes with it",
				    d->slot);
	return 0;
}

/* Members of bound functions' IOMMU groups that stay behind. */
static int plan_groups(struct pt_plan *p, const struct pt_sys *sys, bool complete)
{
	size_t nitems = p->nitems;

	for (size_t i = 0; i < nitems; i++) {
		const struct pt_dev *d = &sys->devs[p->items[i].dev];
		char missing[200];
		size_t len = 0;
		bool first = true;

		if (p->items[i].action != PT_ACT_BIND || d->group < 0)
			continue;
		/* handle each group once, at its first bound member */
		for (size_t j = 0; j < i; j++)
			if (p->items[j].action == PT_ACT_BIND &&
			    sys->devs[p->items[j].dev].group == d->group)
				first = false;
		if (!first)
			continue;
		missing[0] = '\0';
		for (size_t k = 0; k < sys->ndevs; k++) {
			const struct pt_dev *m = &sys->devs[k];
			struct pt_item *mi;

			if (m->group != d->group || pt_dev_is_bridge(m))
				continue;
			mi = find_item(p, k);
			if (mi && mi->action == PT_ACT_BIND)
				continue;
			if (complete && !mi) {
				mi = add_item(p, k, -1, PT_ACT_BIND);
				if (!mi)
					return -ENOMEM;
				pt_snprintf(mi->reason, sizeof(mi->reason),
					 "completes IOMMU group %d of %s (pt.groups=complete)", d->group,
					 d->slot);
				continue;
			}
			if (len < sizeof(missing))
				len += (size_t)pt_snprintf(missing + len, sizeof(missing) - len, "%s%s [%04x:%04x]%s",
							len ? ", " : "", m->slot, m->vendor, m->device,
							mi ? " (refused)" : "");
		}
		if (len && pt_plan_note(p, 4,
					"%s: IOMMU group %d also holds %s, not selected: a VM can't use the group "
					"until all of it is on vfio-pci (select it, or add pt.groups=complete)",
					d->slot, d->group, missing) < 0)
			return -ENOMEM;
	}
	return 0;
}

int pt_plan_build(const struct pt_sys *sys, const struct pt_policy *pol, bool complete_groups,
		  struct pt_plan *ret)
{
	struct pt_plan p = { .complete_groups = complete_groups };
	bool *used;
	int r = 0;

	used = calloc(pol->nsels + 1, sizeof(*used));
	if (!used)
		return -ENOMEM;
	for (size_t i = 0; i < sys->ndevs && r == 0; i++)
		r = plan_dev(&p, sys, pol, i, used);
	for (size_t s = 0; s < pol->nsels && r == 0; s++)
		if (!used[s])
			r = pt_plan_note(&p, 4, "selector %s matched no PCI function", pol->sels[s].text);
	/* A plain ID that takes identical twins: the user may have wanted one.
	 * One note per selector, naming the first few. */
	for (size_t s = 0; s < pol->nsels && r == 0; s++) {
		const struct pt_dev *first = NULL;
		char names[160];
		size_t len = 0, n = 0;

		if (pol->sels[s].kind != PT_SEL_ID)
			continue;
		names[0] = '\0';
		for (size_t i = 0; i < p.nitems; i++) {
			const struct pt_dev *d = &sys->devs[p.items[i].dev];

			if (p.items[i].sel != (int)s || p.items[i].action != PT_ACT_BIND)
				continue;
			if (!first)
				first = d;
			else if (d->vendor != first->vendor || d->device != first->device)
				continue;
			if (++n <= 3 && len < sizeof(names))
				len += (size_t)pt_snprintf(names + len, sizeof(names) - len, "%s%s",
							   len ? ", " : "", d->slot);
		}
		if (n > 1)
			r = pt_plan_note(&p, 4, "selector %s takes %zu identical devices (%s%s); "
					 "use SLOT@ID to pick one", pol->sels[s].text, n, names,
					 n > 3 ? ", ..." : "");
	}
	if (r == 0)
		r = plan_groups(&p, sys, complete_groups);
	free(used);
	if (r < 0) {
		pt_plan_free(&p);
		return r;
	}
	*ret = p;
	return 0;
}
