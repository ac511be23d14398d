// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VM definitions for the functions ptboot hands out: libvirt <hostdev> elements, virt-install
 * flags or QEMU arguments, for a q35 guest. The functions of one host slot stay together as
 * one multifunction guest device (a GPU and its HDMI audio), with warnings as comments.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

#define FIRST_PORT 16 /* pcie-root-port indexes of our own: above the 1..15 virt-manager adds */

int pt_virt_format_parse(const char *s, enum pt_virt_format *ret)
{
	if (strcmp(s, "libvirt") == 0)
		*ret = PT_VIRT_LIBVIRT;
	else if (strcmp(s, "virt-install") == 0)
		*ret = PT_VIRT_VIRT_INSTALL;
	else if (strcmp(s, "qemu") == 0)
		*ret = PT_VIRT_QEMU;
	else
		return -EINVAL;
	return 0;
}

static bool same_slot(const struct pt_dev *a, const struct pt_dev *b)
{
	return a->domain == b->domain && a->bus == b->bus && a->dev == b->dev;
}

/* One comment line in the output's own syntax. "--" may not appear inside an XML comment. */
static void comment(struct pt_buf *o, enum pt_virt_format fmt, const char *text)
{
	if (fmt != PT_VIRT_LIBVIRT) {
		pt_buf_printf(o, "# %s\n", text);
		return;
	}
	pt_buf_puts(o, "<!-- ");
	for (const char *p = text; *p; p++) {
		if (p[0] == '-' && (p[1] == '-' || p[1] == '\0'))
			pt_buf_puts(o, "- ");
		else
			pt_buf_printf(o, "%c", *p);
	}
	pt_buf_puts(o, " -->\n");
}

struct gap_ctx {
	struct pt_buf *o;
	enum pt_virt_format fmt;
	const struct pt_sys *sys;
};

static int group_gap(void *data, const struct pt_gap *g)
{
	struct gap_ctx *c = data;
	char line[600], list[400] = "";
	size_t ll = 0;

	for (size_t k = 0; k < g->nleft; k++) {
		const struct pt_dev *m = &c->sys->devs[g->left[k]];

		if (pt_dev_vfio_viable(m))
			continue;
		if (ll < sizeof(list))
			ll += (size_t)pt_snprintf(list + ll, sizeof(list) - ll, "%s%s [%04x:%04x] (%s)",
						  ll ? ", " : "", pt_dev_short_slot(m), m->vendor, m->device,
						  m->driver);
	}
	if (ll) {
		pt_snprintf(line, sizeof(line),
			    "warning: IOMMU group %d also holds %s: the VM can't start until it "
			    "is on vfio-pci too",
			    g->group, list);
		comment(c->o, c->fmt, line);
	}
	return 0;
}

static int comments(struct pt_buf *o, enum pt_virt_format fmt, const struct pt_sys *sys, const bool *sel,
		    size_t n, const char *origin)
{
	struct gap_ctx gc = { .o = o, .fmt = fmt, .sys = sys };
	char line[600], list[400] = "", cmd[300] = "";
	size_t ll = 0, cl = 0;

	pt_snprintf(line, sizeof(line), "ptctl virt: %zu function%s (%s), for a q35 guest", n,
		    n == 1 ? "" : "s", origin);
	comment(o, fmt, line);
	/* anything not on vfio-pci yet */
	for (size_t i = 0; i < sys->ndevs; i++) {
		const struct pt_dev *d = &sys->devs[i];

		if (!sel[i] || strcmp(d->driver, PT_VFIO_DRIVER) == 0)
			continue;
		if (ll < sizeof(list))
			ll += (size_t)pt_snprintf(list + ll, sizeof(list) - ll, "%s%s (%s)", ll ? ", " : "",
						  pt_dev_short_slot(d),
						  d->driver[0] ? d->driver : "no driver");
		if (cl < sizeof(cmd))
			cl += (size_t)pt_snprintf(cmd + cl, sizeof(cmd) - cl, " %s", pt_dev_short_slot(d));
	}
	if (ll) {
		pt_snprintf(line, sizeof(line), "not on vfio-pci now: %s; first run: ptctl bind%s", list,
			    cmd);
		comment(o, fmt, line);
	}
	for (size_t i = 0; i < sys->ndevs; i++) {
		const struct pt_dev *d = &sys->devs[i];

		if (sel[i] && pt_dev_is_display(d) && !d->reset_method[0]) {
			pt_snprintf(
				line, sizeof(line),
				"warning: %s [%04x:%04x] is a GPU without a reset method (no "
				"reset_method in sysfs): it may not come back after the guest reboots; shut the "
				"VM down instead of rebooting it",
				pt_dev_short_slot(d), d->vendor, d->device);
			comment(o, fmt, line);
		}
	}
	/* IOMMU groups with members on host drivers: the VM won't start */
	return pt_sys_gaps(sys, sel, PT_UNIT_GROUP, group_gap, &gc);
}

static void libvirt_hostdev(struct pt_buf *o, const struct pt_dev *d, int port, unsigned fn, bool multi)
{
	pt_buf_printf(
		o,
		"<hostdev mode='subsystem' type='pci' managed='no'>\n  <source>\n"
		"    <address domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'/>\n  </source>\n",
		d->domain, d->bus, d->dev, d->fn);
	if (port >= 0)
		pt_buf_printf(o,
			      "  <address type='pci' domain='0x0000' bus='0x%02x' slot='0x00' "
			      "function='0x%x'%s/>\n",
			      port, fn, multi ? " multifunction='on'" : "");
	pt_buf_puts(o, "</hostdev>\n");
}

static void vi_hostdev(struct pt_buf *o, const struct pt_dev *d, int port, unsigned fn, bool multi, bool last)
{
	pt_buf_printf(o, "--hostdev pci_%04x_%02x_%02x_%x", d->domain, d->bus, d->dev, d->fn);
	if (port >= 0)
		pt_buf_printf(o,
			      ",address.type=pci,address.domain=0,address.bus=%d,address.slot=0,"
			      "address.function=%u%s",
			      port, fn, multi ? ",address.multifunction=on" : "");
	/* ptboot owns the binding: libvirt must not detach or reattach the device */
	pt_buf_printf(o, ",xpath0.set=./@managed=no%s\n", last ? "" : " \\");
}

static void qemu_device(struct pt_buf *o, const struct pt_dev *d, int port, unsigned fn, bool multi,
			bool last)
{
	pt_buf_printf(o, "-device vfio-pci,host=%s,id=pt-%02x-%02x-%x", d->slot, d->bus, d->dev, d->fn);
	if (port >= 0)
		pt_buf_printf(o, ",bus=pt-port%d,addr=00.%u%s", port, fn, multi ? ",multifunction=on" : "");
	pt_buf_printf(o, "%s\n", last ? "" : " \\");
}

int pt_virt_render(const struct pt_sys *sys, const bool *sel, enum pt_virt_format fmt, const char *origin,
		   struct pt_buf *o)
{
	bool *use;
	size_t n = 0, left;
	int port = FIRST_PORT, r;

	use = calloc(sys->ndevs + 1, sizeof(*use));
	if (!use)
		return -ENOMEM;
	for (size_t i = 0; i < sys->ndevs; i++) {
		use[i] = sel[i] && !pt_dev_is_bridge(&sys->devs[i]);
		n += use[i];
	}
	if (!n) {
		free(use);
		return -ENODEV;
	}
	r = comments(o, fmt, sys, use, n, origin);
	if (r < 0) {
		free(use);
		return r;
	}
	left = n;
	for (size_t i = 0; i < sys->ndevs; i++) {
		const struct pt_dev *d = &sys->devs[i];
		size_t nfn = 0;
		char line[200];

		if (!use[i])
			continue;
		/* a new host slot (devs are sorted by slot): count its selected functions */
		if (i > 0 && use[i - 1] && same_slot(&sys->devs[i - 1], d))
			continue;
		for (size_t k = i; k < sys->ndevs && same_slot(&sys->devs[k], d); k++)
			nfn += use[k];
		if (nfn > 1) {
			pt_snprintf(line, sizeof(line),
				    "%02x:%02x: %zu functions, one multifunction device in the guest "
				    "on a pcie-root-port of its own (index %d)",
				    d->bus, d->dev, nfn, port);
			comment(o, fmt, line);
			if (fmt == PT_VIRT_LIBVIRT)
				pt_buf_printf(o,
					      "<controller type='pci' model='pcie-root-port' index='%d'/>\n",
					      port);
			else if (fmt == PT_VIRT_VIRT_INSTALL)
				pt_buf_printf(o, "--controller pci,model=pcie-root-port,index=%d \\\n", port);
			else
				pt_buf_printf(
					o, "-device pcie-root-port,id=pt-port%d,chassis=%d,bus=pcie.0 \\\n",
					port, port);
		}
		/* guest function numbers: in host order from 0 (function 0 must exist) */
		unsigned fn = 0;

		for (size_t k = i; k < sys->ndevs && same_slot(&sys->devs[k], d); k++) {
			int p = nfn > 1 ? port : -1;
			bool multi = nfn > 1 && fn == 0;

			if (!use[k])
				continue;
			left--;
			if (fmt == PT_VIRT_LIBVIRT)
				libvirt_hostdev(o, &sys->devs[k], p, fn, multi);
			else if (fmt == PT_VIRT_VIRT_INSTALL)
				vi_hostdev(o, &sys->devs[k], p, fn, multi, left == 0);
			else
				qemu_device(o, &sys->devs[k], p, fn, multi, left == 0);
			fn++;
		}
		if (nfn > 1)
			port++;
	}
	free(use);
	return o->err;
}
