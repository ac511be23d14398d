// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ptctl virt: the VM definition (libvirt XML, virt-install flags or QEMU arguments) for the
 * selected functions, or for the functions on vfio-pci now.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ptctl.h"

/* Where the list comes from, for the output's first comment. */
static void origin_text(const struct ptctl *c, const struct pt_host *h, bool have, struct pt_buf *o)
{
	if (c->nargs) {
		pt_buf_puts(o, "selected:");
		for (int i = 0; i < c->nargs; i++)
			pt_buf_printf(o, " %s", c->args[i]);
	}
	if (c->policy)
		pt_buf_printf(o, "%s--policy %s", o->len ? "; " : "", c->policy);
	if (!o->len && have)
		pt_buf_puts(o, h->opts.devices ? "the running pt.devices=" : PT_SAVED_POLICY_SOURCE);
	if (!o->len)
		pt_buf_puts(o, "the functions on vfio-pci now");
}

int ptctl_cmd_virt(struct ptctl *c)
{
	enum pt_virt_format fmt = PT_VIRT_LIBVIRT;
	struct pt_buf out = { 0 }, origin = { 0 };
	struct pt_selection s = { 0 };
	struct pt_host h;
	bool *sel = NULL, have = false;
	int r, rc;

	if (c->format && pt_virt_format_parse(c->format, &fmt) < 0)
		return ptctl_err(PTCTL_FAIL, "--format %s: expected libvirt, virt-install or qemu",
				 c->format);
	if ((rc = ptctl_open_host(c, true, &h)))
		return rc;
	rc = ptctl_select(c, &h, PTCTL_SELECT_ANY, PT_PLAN_GROUPS | ptctl_complete_flags(c), &s);
	if (rc > 1)
		goto out;
	have = rc == 0;
	sel = have ? s.plan.take : calloc(h.sys.ndevs + 1, sizeof(*sel));
	if (!sel) {
		rc = ptctl_err(PTCTL_FAIL, "out of memory");
		goto out;
	}
	for (size_t i = 0; !have && i < h.sys.ndevs; i++)
		sel[i] = strcmp(h.sys.devs[i].driver, PT_VFIO_DRIVER) == 0;
	/* a definition that hands the running system's disk to a guest is never written */
	for (size_t i = 0; have && i < h.sys.ndevs; i++) {
		char why[400];

		if (sel[i] && pt_storage_system_refusal(&h.storage, &h.sys.devs[i], why, sizeof(why))) {
			rc = ptctl_err(PTCTL_FAIL, "refused (system-disk): %s", why);
			goto out;
		}
	}
	origin_text(c, &h, have, &origin);
	r = origin.err ? origin.err : pt_virt_render(&h.sys, sel, fmt, origin.data, &out);
	if (r == -ENODEV)
		rc = ptctl_err(
			PTCTL_PARTIAL, "nothing to pass: %s",
			have ? "only PCI bridges selected"
			     : "no function is on vfio-pci (ptctl bind SEL..., or ptctl virt SEL... / --policy STR)");
	else if (r < 0)
		rc = ptctl_errno(r, "cannot render the VM definition");
	else
		rc = ptctl_print(&out);
out:
	if (!have)
		free(sel);
	pt_buf_free(&out);
	pt_buf_free(&origin);
	if (have)
		pt_selection_free(&s);
	pt_host_close(&h);
	return rc;
}
