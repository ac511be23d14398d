// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The state report: one JSON document saying what the policy was, what
 * went wrong and what happened to every function a selector matched.
 * pt-early writes it to /run/ptboot/state.json; ptctl status reads it.
 */
#include <inttypes.h>
#include <string.h>
#include <syslog.h>

#include "ptboot.h"

static void notes(struct pt_buf *b, const struct pt_plan *plan, int level)
{
	bool first = true;

	pt_buf_puts(b, "[");
	for (size_t i = 0; plan && i < plan->nnotes; i++) {
		if (plan->notes[i].level != level)
			continue;
		pt_buf_puts(b, first ? "\n    " : ",\n    ");
		pt_buf_json_str(b, plan->notes[i].text);
		first = false;
	}
	pt_buf_puts(b, first ? "]" : "\n  ]");
}

static void str_or_null(struct pt_buf *b, const char *s)
{
	pt_buf_json_str(b, s && s[0] ? s : NULL);
}

int pt_report_json(const struct pt_report_info *info, const struct pt_sys *sys, const struct pt_policy *pol,
		   const struct pt_plan *plan, struct pt_buf *b)
{
	pt_buf_puts(b, "{\n  \"version\": 1,\n  \"tool\": ");
	pt_buf_json_str(b, info->tool);
	pt_buf_puts(b, ",\n  \"policy\": ");
	pt_buf_json_str(b, info->policy);
	pt_buf_printf(b, ",\n  \"off\": %s,\n  \"debug\": %s,\n  \"dry_run\": %s,\n  \"kernel\": ",
		      info->off ? "true" : "false", info->debug ? "true" : "false",
		      info->dry_run ? "true" : "false");
	pt_buf_json_str(b, info->kver);
	pt_buf_puts(b, ",\n  \"iommu\": ");
	pt_buf_puts(b, !sys || !sys->ndevs ? "null" : sys->iommu ? "true" : "false");
	pt_buf_puts(b, ",\n  \"modules\": ");
	str_or_null(b, info->modules);
	pt_buf_printf(b, ",\n  \"modules_us\": %" PRIu64 ",\n  \"errors\": ", info->modules_us);
	notes(b, plan, LOG_ERR);
	pt_buf_puts(b, ",\n  \"warnings\": ");
	notes(b, plan, LOG_WARNING);
	pt_buf_puts(b, ",\n  \"devices\": [");
	for (size_t i = 0; plan && sys && i < plan->nitems; i++) {
		const struct pt_item *it = &plan->items[i];
		const struct pt_dev *d = &sys->devs[it->dev];

		pt_buf_puts(b, i ? ",\n    {" : "\n    {");
		pt_buf_printf(b,
			      "\"slot\": \"%s\", \"vendor\": \"%04x\", \"device\": \"%04x\", "
			      "\"class\": \"%06x\", \"group\": %d, \"selector\": ",
			      d->slot, d->vendor, d->device, d->cls, d->group);
		str_or_null(b, it->sel >= 0 && pol ? pol->sels[it->sel].text : NULL);
		pt_buf_printf(b, ", \"action\": \"%s\", \"driver_before\": ", pt_action_name(it->action));
		str_or_null(b, it->result == PT_RES_PLANNED || it->result == PT_RES_REFUSED
				       ? d->driver
				       : it->driver_before);
		pt_buf_puts(b, ", \"driver_after\": ");
		str_or_null(b, it->result == PT_RES_PLANNED || it->result == PT_RES_REFUSED
				       ? d->driver
				       : it->driver_after);
		pt_buf_printf(b, ", \"result\": \"%s\", \"reason\": ", pt_result_name(it->result));
		str_or_null(b, it->reason);
		pt_buf_puts(b, "}");
	}
	pt_buf_puts(b, plan && plan->nitems ? "\n  ],\n" : "],\n");
	pt_buf_printf(b, "  \"elapsed_us\": %" PRIu64 "\n}\n", info->elapsed_us);
	return b->err;
}
