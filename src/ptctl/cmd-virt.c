// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ptctl virt: the VM definition (libvirt XML, virt-install flags or QEMU arguments) for the
 * selected functions, or for the functions on vfio-pci now; with VM mode's plan (saved by
 * entry add, or made now by --vm-cpus/--vm-memory) first: pinned vCPUs, the guest topology,
 * hugepages. --format pin: the plan's script that pins a running QEMU.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* VM mode's plan: from the options, else the one saved with the entry. 0 with *p, 1 when
 * there is none, else an exit status. */
static int vm_plan(const struct ptctl *c, struct pt_tune_plan *p)
{
	int fd, rc;

	if (ptctl_vm_asked(c))
		return ptctl_vm_plan(c, p, NULL, NULL);
	if (c->vm_pages || c->cross_numa || c->tune_off)
		return ptctl_err(PTCTL_FAIL, "the tune options need --vm-cpus or --vm-memory");
	fd = open(c->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ptctl_err(PTCTL_FAIL, "cannot open --root %s: %s", c->root, strerror(errno));
	rc = ptctl_vm_saved(fd, p);
	close(fd);
	return rc;
}

/* --format pin: the script that pins a running QEMU to the plan */
static int virt_pin(const struct ptctl *c)
{
	struct pt_tune_plan p = { 0 };
	struct pt_buf out = { 0 };
	int rc = vm_plan(c, &p);

	if (rc == 1)
		return ptctl_err(PTCTL_FAIL,
				 "--format pin needs VM mode: ptctl entry add SEL... --vm-cpus N, or"
				 " --vm-cpus N here");
	if (rc)
		return rc;
	if (!p.vcpus)
		return ptctl_err(PTCTL_FAIL,
				 "the VM plan has no vCPUs to pin (it was made without --vm-cpus)");
	rc = pt_vmdef_pin_script(&p, &out);
	rc = rc < 0 ? ptctl_errno(rc, "cannot write the pinning script") : ptctl_print(&out);
	pt_buf_free(&out);
	return rc;
}

int ptctl_cmd_virt(struct ptctl *c)
{
	enum pt_virt_format fmt = PT_VIRT_LIBVIRT;
	struct pt_buf out = { 0 }, origin = { 0 }, devs = { 0 };
	struct pt_selection s = { 0 };
	struct pt_tune_plan vm = { 0 };
	struct pt_host h;
	bool *sel = NULL, have = false, have_vm;
	int r, rc;

	if (c->format && strcmp(c->format, "pin") == 0)
		return virt_pin(c);
	if (c->format && pt_virt_format_parse(c->format, &fmt) < 0)
		return ptctl_err(PTCTL_FAIL, "--format %s: expected libvirt, virt-install, qemu or pin",
				 c->format);
	if ((rc = vm_plan(c, &vm)) > 1)
		return rc;
	have_vm = rc == 0;
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
	r = origin.err ? origin.err : pt_virt_render(&h.sys, sel, fmt, origin.data, &devs);
	if (r == -ENODEV && have_vm && !have)
		r = 0; /* VM mode's part alone: no function on vfio-pci yet */
	if (r == 0 && have_vm && fmt == PT_VIRT_QEMU && vm.vcpus)
		pt_buf_puts(&out,
			    "# pin it once it runs: ptctl virt --format pin > pin.sh; sh pin.sh QEMU-PID\n");
	if (r == 0 && have_vm)
		r = pt_vmdef_render(&vm, fmt, devs.len ? PT_VMDEF_MORE : 0, &out);
	if (r == 0)
		pt_buf_puts(&out, devs.data ? devs.data : "");
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
	pt_buf_free(&devs);
	pt_buf_free(&origin);
	if (have)
		pt_selection_free(&s);
	pt_host_close(&h);
	return rc;
}
