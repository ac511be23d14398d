// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What a list of selectors means on this host, the same for every ptctl command: the
 * planner's verdict on each function (the one meaning of SLOT, ID and SLOT@ID, as pt-early
 * has it at boot), and the problems with it worded once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

int pt_select(const struct pt_sys *sys, const char *text, unsigned flags, struct pt_selection *ret,
	      struct pt_policy_error *ret_err)
{
	struct pt_selection s = { 0 };
	int r;

	s.text = strdup(text);
	if (!s.text)
		return -ENOMEM;
	r = pt_policy_parse(text, &s.pol, ret_err);
	if (r == 0)
		r = pt_plan_build(sys, &s.pol, flags, &s.plan);
	if (r < 0) {
		pt_selection_free(&s);
		return r;
	}
	*ret = s;
	return 0;
}

void pt_selection_free(struct pt_selection *s)
{
	free(s->text);
	pt_policy_free(&s->pol);
	pt_plan_free(&s->plan);
	*s = (struct pt_selection){ 0 };
}

bool pt_refusal_is_error(enum pt_refusal r)
{
	return r != PT_REFUSE_NONE && r != PT_REFUSE_BRIDGE;
}

static void problem_text(const struct pt_selection *s, const struct pt_sys *sys, const struct pt_item *it,
			 char *buf, size_t size)
{
	const struct pt_dev *d = &sys->devs[it->dev];

	pt_snprintf(buf, size, "selector %s: %s [%04x:%04x]: %s",
		    it->sel >= 0 ? s->pol.sels[it->sel].text : "-", pt_dev_short_slot(d), d->vendor,
		    d->device, it->reason);
}

int pt_selection_problem(const struct pt_selection *s, const struct pt_sys *sys, size_t *iter,
			 struct pt_sel_problem *ret)
{
	/* selectors that match nothing first, in policy order; then refusals in slot order */
	for (; *iter < s->pol.nsels; (*iter)++) {
		if (s->plan.sel_hits[*iter])
			continue;
		*ret = (struct pt_sel_problem){ .error = true, .sel = (int)*iter, .item = SIZE_MAX };
		pt_snprintf(ret->text, sizeof(ret->text), "selector %s matches no PCI function",
			    s->pol.sels[*iter].text);
		(*iter)++;
		return 1;
	}
	for (; *iter < s->pol.nsels + s->plan.nitems; (*iter)++) {
		size_t k = *iter - s->pol.nsels;
		const struct pt_item *it = &s->plan.items[k];

		if (it->action != PT_ACT_REFUSE)
			continue;
		*ret = (struct pt_sel_problem){ .error = pt_refusal_is_error(it->refusal),
						.sel = it->sel,
						.item = k,
						.refusal = it->refusal };
		problem_text(s, sys, it, ret->text, sizeof(ret->text));
		(*iter)++;
		return 1;
	}
	return 0;
}

int pt_selection_first_error(const struct pt_selection *s, const struct pt_sys *sys,
			     struct pt_sel_problem *ret)
{
	size_t it = 0;

	while (pt_selection_problem(s, sys, &it, ret) > 0)
		if (ret->error)
			return 1;
	return 0;
}
