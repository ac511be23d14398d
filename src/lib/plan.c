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
#include <syslog.h>

#include "ptboot.h"

/* Selectors named in a note before the rest are only counted: a policy may hold thousands. */
#define NOTE_MAX_UNMATCHED 8

const char *pt_result_name(enum pt_result r)
{
	/* clang-format off */
	static const char *const names[] = {
		[PT_RES_PLANNED] = "planned",
		[PT_RES_BOUND] = "bound",
		[PT_RES_FAILED] = "failed",
		[PT_RES_ROLLED_BACK] = "rolled-back",
		[PT_RES_REFUSED] = "refused",
	};
	/* clang-format on */

	return (unsigned)r < ARRAY_SIZE(names) ? names[r] : "?";
}

const char *pt_action_name(enum pt_action a)
{
	return a == PT_ACT_BIND ? "bind" : "refuse";
}

/* Room for one more element of an array that grows by doubling: the bump allocator of
 * pt-early never reuses memory, so growing one by one would cost quadratic memory. */
static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(*v, ncap * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = ncap;
	return 0;
}

int pt_plan_note(struct pt_plan *p, int level, const char *fmt, ...)
{
	struct pt_note *n;
	va_list ap;

	if (grow((void **)&p->notes, &p->notes_cap, p->nnotes, sizeof(*p->notes)) < 0)
		return -ENOMEM;
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
	free(p->take);
	free(p->sel_hits);
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

	if (grow((void **)&p->items, &p->items_cap, p->nitems, sizeof(*p->items)) < 0)
		return NULL;
	it = &p->items[p->nitems++];
	*it = (struct pt_item){ .dev = dev, .sel = sel, .action = a, .result = PT_RES_PLANNED };
	p->take[dev] = a == PT_ACT_BIND;
	return it;
}

static void refuse(struct pt_item *it, enum pt_refusal why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void refuse(struct pt_item *it, enum pt_refusal why, const char *fmt, ...)
{
	va_list ap;

	it->action = PT_ACT_REFUSE;
	it->refusal = why;
	it->result = PT_RES_REFUSED;
	va_start(ap, fmt);
	pt_vsnprintf(it->reason, sizeof(it->reason), fmt, ap);
	va_end(ap);
}

/* Decide one function: bind (with the first selector that takes it), refuse (a guard that
 * fails wins over every other selector), or leave it alone. */
static int plan_dev(struct pt_plan *p, const struct pt_sys *sys, const struct pt_policy *pol, size_t di)
{
	const struct pt_dev *d = &sys->devs[di];
	int take = -1, mismatch = -1;
	bool by_slot = false;
	struct pt_item *it;

	for (size_t s = 0; s < pol->nsels; s++) {
		const struct pt_sel *sel = &pol->sels[s];

		if (sel->kind == PT_SEL_GUARDED ? !pt_sel_matches_slot(sel, d) : !pt_sel_matches(sel, d))
			continue;
		p->sel_hits[s]++;
		if (sel->kind == PT_SEL_GUARDED && !pt_sel_matches_id(sel, d)) {
			if (mismatch < 0)
				mismatch = (int)s;
			continue;
		}
		if (take < 0)
			take = (int)s;
		by_slot |= sel->kind != PT_SEL_ID;
	}
	if (mismatch >= 0) {
		it = add_item(p, di, mismatch, PT_ACT_REFUSE);
		if (!it)
			return -ENOMEM;
		if (d->unreadable)
			refuse(it, PT_REFUSE_GUARD, "guard mismatch: vendor/device unreadable, expected %s",
			       strchr(pol->sels[mismatch].text, '@') + 1);
		else
			refuse(it, PT_REFUSE_GUARD, "guard mismatch: found %04x:%04x class %04x, expected %s",
			       d->vendor, d->device, d->cls >> 8, strchr(pol->sels[mismatch].text, '@') + 1);
		return 0;
	}
	if (take < 0)
		return 0;
	it = add_item(p, di, take, PT_ACT_BIND);
	if (!it)
		return -ENOMEM;
	if (d->unreadable)
		refuse(it, PT_REFUSE_UNREADABLE, "vendor/device unreadable: can't tell what it is");
	else if (pt_dev_is_bridge(d))
		refuse(it, PT_REFUSE_BRIDGE, "PCI bridge (class %04x): stays with the host", d->cls >> 8);
	else if (d->boot_vga == 1 && !by_slot)
		refuse(it, PT_REFUSE_BOOT_VGA_ID,
		       "boot VGA device matched only by ID: name its slot to pass the host's console GPU");
	else if (d->boot_vga == 1)
		return pt_plan_note(p, LOG_WARNING,
				    "%s is the boot VGA device: the host's console goes with it", d->slot);
	p->take[di] = it->action == PT_ACT_BIND;
	return 0;
}

static int note_unmatched(struct pt_plan *p, const struct pt_policy *pol)
{
	size_t n = 0;
	int r = 0;

	for (size_t s = 0; s < pol->nsels && r == 0; s++)
		if (!p->sel_hits[s] && ++n <= NOTE_MAX_UNMATCHED)
			r = pt_plan_note(p, LOG_WARNING, "selector %s matched no PCI function",
					 pol->sels[s].text);
	if (r == 0 && n > NOTE_MAX_UNMATCHED)
		r = pt_plan_note(p, LOG_WARNING, "%zu more selectors matched no PCI function",
				 n - NOTE_MAX_UNMATCHED);
	return r;
}

/* A plain ID that takes identical twins: the user may have wanted one. One note per
 * selector, naming the first few. */
static int note_twins(struct pt_plan *p, const struct pt_sys *sys, const struct pt_policy *pol, size_t s)
{
	const struct pt_dev *first = NULL;
	char names[160];
	size_t len = 0, n = 0;

	names[0] = '\0';
	for (size_t i = 0; i < p->nitems; i++) {
		const struct pt_dev *d = &sys->devs[p->items[i].dev];

		if (p->items[i].sel != (int)s || p->items[i].action != PT_ACT_BIND)
			continue;
		if (!first)
			first = d;
		else if (d->vendor != first->vendor || d->device != first->device)
			continue;
		if (++n <= 3 && len < sizeof(names))
			len += (size_t)pt_snprintf(names + len, sizeof(names) - len, "%s%s", len ? ", " : "",
						   d->slot);
	}
	if (n < 2)
		return 0;
	return pt_plan_note(p, LOG_WARNING,
			    "selector %s takes %zu identical devices (%s%s); use SLOT@ID to pick one",
			    pol->sels[s].text, n, names, n > 3 ? ", ..." : "");
}

struct units_ctx {
	struct pt_plan *p;
	const struct pt_sys *sys;
	size_t *item_of; /* sys->ndevs entries: index of a function's item, or SIZE_MAX */
	bool complete;
};

/* The members of a bound function's IOMMU group (by PT_SEL_BY_GROUP) or slot (by
 * PT_SEL_BY_SLOT) that stay behind: each is added when completing and not refused, or
 * listed in MISSING for the caller's warning. Returns the length listed, or -ENOMEM. */
static int gap_walk(struct units_ctx *c, const struct pt_gap *g, int by, char *missing, size_t size)
{
	const struct pt_dev *d = &c->sys->devs[g->first];
	size_t len = 0;

	missing[0] = '\0';
	for (size_t k = 0; k < g->nleft; k++) {
		const struct pt_dev *m = &c->sys->devs[g->left[k]];
		bool refused = c->item_of[g->left[k]] != SIZE_MAX;
		struct pt_item *mi;

		/* a slot's functions in the bound one's own group are the group's business */
		if (by == PT_SEL_BY_SLOT && d->group >= 0 && m->group == d->group)
			continue;
		if (c->complete && !refused) {
			mi = add_item(c->p, g->left[k], by, PT_ACT_BIND);
			if (!mi)
				return -ENOMEM;
			if (by == PT_SEL_BY_GROUP)
				pt_snprintf(mi->reason, sizeof(mi->reason),
					    "completes IOMMU group %d of %s (pt.groups=complete)", g->group,
					    d->slot);
			else
				pt_snprintf(mi->reason, sizeof(mi->reason),
					    "shares slot %.*s with %s: functions of one slot share resets",
					    (int)(strlen(d->slot) - 2), d->slot, d->slot);
			continue;
		}
		if (len < size)
			len += (size_t)pt_snprintf(missing + len, size - len, "%s%s [%04x:%04x]%s",
						   len ? ", " : "", m->slot, m->vendor, m->device,
						   refused ? " (refused)" : "");
	}
	return (int)len;
}

/* Members of a bound function's IOMMU group that stay behind: added (pt.groups=complete)
 * or named in a warning. */
static int group_gap(void *data, const struct pt_gap *g)
{
	struct units_ctx *c = data;
	char missing[200];
	int len = gap_walk(c, g, PT_SEL_BY_GROUP, missing, sizeof(missing));

	if (len <= 0)
		return len;
	return pt_plan_note(
		c->p, LOG_WARNING,
		"%s: IOMMU group %d also holds %s, not selected: a VM can't use the group until all "
		"of it is on vfio-pci (select it, or add pt.groups=complete)",
		c->sys->devs[g->first].slot, g->group, missing);
}

/* Functions of a bound function's slot in other IOMMU groups (those in its own group are
 * the group's business): one device to a VM, sharing its resets. Added (PT_PLAN_SLOTS) or
 * named in a warning. */
static int slot_gap(void *data, const struct pt_gap *g)
{
	struct units_ctx *c = data;
	char missing[200];
	int len = gap_walk(c, g, PT_SEL_BY_SLOT, missing, sizeof(missing));

	if (len <= 0)
		return len;
	return pt_plan_note(c->p, LOG_WARNING,
			    "%s: its slot also holds %s, not selected: the functions of one slot share "
			    "resets and go to a VM together (select them too)",
			    c->sys->devs[g->first].slot, missing);
}

/* Complete or note the IOMMU groups or slots of the functions the plan binds. */
static int plan_units(struct pt_plan *p, const struct pt_sys *sys, enum pt_unit unit, bool complete)
{
	struct units_ctx c = { .p = p, .sys = sys, .complete = complete };
	bool *mark;
	int r;

	/* the marks are taken before completing: completion must not see its own additions */
	c.item_of = malloc((sys->ndevs + 1) * sizeof(*c.item_of));
	mark = malloc(sys->ndevs + 1);
	if (!c.item_of || !mark) {
		free(c.item_of);
		free(mark);
		return -ENOMEM;
	}
	for (size_t i = 0; i < sys->ndevs; i++)
		c.item_of[i] = SIZE_MAX;
	for (size_t i = 0; i < p->nitems; i++)
		c.item_of[p->items[i].dev] = i;
	memcpy(mark, p->take, sys->ndevs);
	r = pt_sys_gaps(sys, mark, unit, unit == PT_UNIT_GROUP ? group_gap : slot_gap, &c);
	free(mark);
	free(c.item_of);
	return r;
}

int pt_plan_build(const struct pt_sys *sys, const struct pt_policy *pol, unsigned flags, struct pt_plan *ret)
{
	struct pt_plan p = { .complete_groups = flags & PT_PLAN_GROUPS, .nsels = pol->nsels };
	int r = 0;

	p.take = calloc(sys->ndevs + 1, sizeof(*p.take));
	p.sel_hits = calloc(pol->nsels + 1, sizeof(*p.sel_hits));
	if (!p.take || !p.sel_hits)
		r = -ENOMEM;
	for (size_t i = 0; i < sys->ndevs && r == 0; i++)
		r = plan_dev(&p, sys, pol, i);
	if (r == 0)
		r = note_unmatched(&p, pol);
	for (size_t s = 0; s < pol->nsels && r == 0; s++)
		if (pol->sels[s].kind == PT_SEL_ID)
			r = note_twins(&p, sys, pol, s);
	if (r == 0)
		r = plan_units(&p, sys, PT_UNIT_SLOT, flags & PT_PLAN_SLOTS);
	if (r == 0)
		r = plan_units(&p, sys, PT_UNIT_GROUP, p.complete_groups);
	if (r < 0) {
		pt_plan_free(&p);
		return r;
	}
	*ret = p;
	return 0;
}
