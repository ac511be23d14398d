// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The binder: driver_override + unbind + drivers_probe, then verify the
 * driver link; on any failure give the function (and the rest of its IOMMU
 * group) back to the host and never leave a stale driver_override behind.
 * The same code runs in pt-early at boot and in ptctl at runtime.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ptboot.h"

#define DEVICES "sys/bus/pci/devices/"

static void trace(struct pt_binder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void trace(struct pt_binder *b, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!b->trace)
		return;
	va_start(ap, fmt);
	pt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	b->trace(b->trace_data, msg);
}

static int kwrite(struct pt_binder *b, const struct pt_dev *d, const char *attr, const char *val)
{
	char path[128];
	int r;

	if (attr[0] == '/') /* bus-wide attribute, e.g. drivers_probe */
		r = pt_pathf(path, sizeof(path), "sys/bus/pci%s", attr);
	else
		r = pt_pathf(path, sizeof(path), DEVICES "%s/%s", d->slot, attr);
	if (r >= 0)
		r = pt_kernel_write(b->kernel, path, val);
	trace(b, "%s: %s <- \"%s\": %s", d->slot, path, val[0] == '\n' ? "\\n" : val,
	      r < 0 ? strerror(-r) : "ok");
	return r;
}

static const char *or_none(const char *s)
{
	return s[0] ? s : "none";
}

/* Clear the override, drop vfio-pci if it has the function, reprobe so the
 * host driver (if loaded) takes it. Returns the first write error. */
static int give_back(struct pt_binder *b, struct pt_dev *d)
{
	int r, err = 0;

	pt_dev_refresh(b->sys, d);
	if (d->override[0]) {
		r = kwrite(b, d, "driver_override", "\n");
		if (r < 0)
			err = r;
	}
	if (strcmp(d->driver, b->driver) == 0) {
		r = kwrite(b, d, "driver/unbind", d->slot);
		if (r < 0 && !err)
			err = r;
	}
	pt_dev_refresh(b->sys, d);
	if (!d->driver[0])
		(void)kwrite(b, d, "/drivers_probe", d->slot); /* no host driver yet is fine */
	pt_dev_refresh(b->sys, d);
	if (!err && d->override[0])
		err = -EIO; /* the write "worked" but the override is still there */
	return err;
}

static void rollback(struct pt_binder *b, struct pt_item *it, struct pt_dev *d, const char *why, int why_err)
{
	int r;

	r = give_back(b, d);
	pt_snprintf(it->driver_after, sizeof(it->driver_after), "%s", d->driver);
	if (r < 0) {
		it->result = PT_RES_FAILED;
		pt_snprintf(it->reason, sizeof(it->reason),
			    "%s%s%s; rollback failed (%s): driver_override=%s", why, why_err ? ": " : "",
			    why_err ? strerror(why_err) : "", strerror(-r), or_none(d->override));
	} else {
		it->result = PT_RES_ROLLED_BACK;
		pt_snprintf(it->reason, sizeof(it->reason), "%s%s%s; given back to the host (driver %s)", why,
			    why_err ? ": " : "", why_err ? strerror(why_err) : "", or_none(d->driver));
	}
}

static void bind_one(struct pt_binder *b, struct pt_item *it)
{
	struct pt_dev *d = &b->sys->devs[it->dev];
	char why[PT_REASON_MAX];
	int r, probe_err;

	pt_dev_refresh(b->sys, d);
	pt_snprintf(it->driver_before, sizeof(it->driver_before), "%s", d->driver);
	if (strcmp(d->driver, b->driver) == 0) {
		/* Already ours: pin it so a reprobe keeps it there. */
		if (strcmp(d->override, b->driver) != 0)
			(void)kwrite(b, d, "driver_override", b->driver);
		it->result = PT_RES_BOUND;
		pt_snprintf(it->driver_after, sizeof(it->driver_after), "%s", d->driver);
		pt_snprintf(it->reason, sizeof(it->reason), "already on %s", b->driver);
		return;
	}
	r = kwrite(b, d, "driver_override", b->driver);
	if (r < 0) {
		rollback(b, it, d, "writing driver_override failed", -r);
		return;
	}
	if (d->driver[0]) {
		r = kwrite(b, d, "driver/unbind", d->slot);
		if (r < 0) {
			pt_snprintf(why, sizeof(why), "unbinding %s failed", d->driver);
			rollback(b, it, d, why, -r);
			return;
		}
	}
	/* drivers_probe may report success even when the probe failed: the
	 * driver link is the only truth. */
	probe_err = kwrite(b, d, "/drivers_probe", d->slot);
	pt_dev_refresh(b->sys, d);
	if (strcmp(d->driver, b->driver) == 0) {
		it->result = PT_RES_BOUND;
		pt_snprintf(it->driver_after, sizeof(it->driver_after), "%s", d->driver);
		return;
	}
	if (d->driver[0])
		pt_snprintf(why, sizeof(why), "%s took the device instead of %s", d->driver, b->driver);
	else if (d->group < 0)
		pt_snprintf(why, sizeof(why), "%s refused it: no IOMMU group (IOMMU off?)", b->driver);
	else
		pt_snprintf(why, sizeof(why), "%s did not bind", b->driver);
	rollback(b, it, d, why, probe_err < 0 ? -probe_err : 0);
}

int pt_bind_apply(struct pt_binder *b, struct pt_plan *p)
{
	int failed = 0;

	for (size_t i = 0; i < p->nitems; i++)
		if (p->items[i].action == PT_ACT_BIND)
			bind_one(b, &p->items[i]);

	/* A half-bound IOMMU group is of no use to a VM and keeps devices from
	 * the host: give back the rest of every group with a failure. */
	for (size_t i = 0; i < p->nitems; i++) {
		struct pt_item *f = &p->items[i];
		int g = b->sys->devs[f->dev].group;

		if (f->action != PT_ACT_BIND || f->result == PT_RES_BOUND || g < 0)
			continue;
		for (size_t j = 0; j < p->nitems; j++) {
			struct pt_item *o = &p->items[j];
			struct pt_dev *od = &b->sys->devs[o->dev];
			char why[PT_REASON_MAX];

			if (o->action != PT_ACT_BIND || o->result != PT_RES_BOUND || od->group != g ||
			    strcmp(o->driver_before, b->driver) == 0)
				continue;
			pt_snprintf(why, sizeof(why), "IOMMU group %d: %s failed", g,
				    b->sys->devs[f->dev].slot);
			rollback(b, o, od, why, 0);
		}
	}
	for (size_t i = 0; i < p->nitems; i++)
		if (p->items[i].action == PT_ACT_BIND && p->items[i].result != PT_RES_BOUND)
			failed++;
	return failed;
}

int pt_bind_release(struct pt_binder *b, struct pt_dev *d)
{
	return give_back(b, d);
}
