// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What keeps a PCI function with the host at runtime: the disk of the running system, a
 * disk in use (mounts, swap, dm/md holders), a console (firmware framebuffer, fbdev, DRM
 * clients), the rest of its IOMMU group, or a VM holding its /dev/vfio group open.
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

const char *pt_hold_name(enum pt_hold_kind k)
{
	static const char *const n[] = {
		[PT_HOLD_SYSTEM] = "system-disk", [PT_HOLD_DISK] = "disk-in-use",
		[PT_HOLD_CONSOLE] = "console",	  [PT_HOLD_GROUP] = "group",
		[PT_HOLD_VFIO] = "vfio-in-use",
	};

	return (unsigned)k < ARRAY_SIZE(n) ? n[k] : "?";
}

/* ---- who has what open ------------------------------------------------------------------ */

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int add_opener(struct pt_openers *o, const char *path, const char *who)
{
	struct pt_opener *v;

	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->v[i].path, path) == 0 && strcmp(o->v[i].who, who) == 0)
			return 0;
	v = realloc(o->v, (o->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	o->v = v;
	if (pt_pathf(v[o->n].path, sizeof(v[o->n].path), "%s", path) < 0 ||
	    pt_pathf(v[o->n].who, sizeof(v[o->n].who), "%s", who) < 0)
		return 0; /* no /dev/dri or /dev/vfio node has such a name */
	o->n++;
	return 0;
}

static int scan_pid(int procfd, const char *pid, struct pt_openers *o)
{
	char path[64], comm[32], who[64], target[128];
	struct dirent *de;
	int r = 0;
	DIR *d;

	if (pt_pathf(path, sizeof(path), "%s/fd", pid) < 0)
		return 0;
	if (pt_opendir(procfd, path, &d) < 0)
		return 0; /* gone, or not ours to read */
	if (pt_pathf(path, sizeof(path), "%s/comm", pid) < 0 ||
	    pt_read_attr(procfd, path, comm, sizeof(comm)) <= 0)
		pt_snprintf(comm, sizeof(comm), "pid");
	pt_snprintf(who, sizeof(who), "%s[%s]", comm, pid);
	while ((de = readdir(d)) && r == 0) {
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		n = readlinkat(dirfd(d), de->d_name, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strncmp(target, "/dev/dri/", 9) == 0 || strncmp(target, "/dev/vfio/", 10) == 0)
			r = add_opener(o, target, who);
	}
	closedir(d);
	return r;
}

int pt_openers_scan(int rootfd, struct pt_openers *ret)
{
	struct pt_openers o = { 0 };
	struct dirent *de;
	int r;
	DIR *d;

	*ret = o;
	r = pt_opendir(rootfd, "proc", &d);
	if (r < 0)
		return r == -ENOMEM ? r : 0;
	while ((de = readdir(d)) && r == 0)
		if (all_digits(de->d_name))
			r = scan_pid(dirfd(d), de->d_name, &o);
	closedir(d);
	if (r < 0) {
		pt_openers_free(&o);
		return r;
	}
	*ret = o;
	return 0;
}

void pt_openers_free(struct pt_openers *o)
{
	free(o->v);
	*o = (struct pt_openers){ 0 };
}

/* "Xorg[1234], kwin_wayland[1300]" for the openers of path; returns how many. */
static size_t who_opens(const struct pt_openers *op, const char *path, char *buf, size_t size)
{
	size_t n = 0, len = strlen(buf);

	for (size_t i = 0; op && i < op->n; i++) {
		if (strcmp(op->v[i].path, path) != 0)
			continue;
		if (len < size)
			len += (size_t)pt_snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
						   op->v[i].who);
		n++;
	}
	return n;
}

/* ---- holds ------------------------------------------------------------------------------ */

__attribute__((format(printf, 4, 5))) static int add_hold(struct pt_holds *hs, size_t dev,
							  enum pt_hold_kind k, const char *fmt, ...)
{
	struct pt_hold *v;
	va_list ap;

	v = realloc(hs->v, (hs->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	hs->v = v;
	v = &hs->v[hs->n++];
	*v = (struct pt_hold){ .dev = dev, .kind = k };
	va_start(ap, fmt);
	pt_vsnprintf(v->text, sizeof(v->text), fmt, ap);
	va_end(ap);
	return 0;
}

/* dm/md devices built on block device i (and its partitions), as "dm-0 (luks-x)"; w: each
 * device once, so a hostile tree's cycles end. */
static void holders_text(const struct pt_storage *s, size_t i, char *buf, size_t size, int depth,
			 struct pt_blk_walk *w)
{
	const struct pt_blk *b = &s->v[i];
	size_t len;

	if (depth > 8 || !pt_blk_walk_enter(w, i, depth))
		return;
	for (size_t k = 0; k < b->nholders; k++) {
		const struct pt_blk *hb = &s->v[b->holders[k]];

		len = strlen(buf);
		if (len < size)
			pt_snprintf(buf + len, size - len, "%s%s on %s%s%s%s", len ? ", " : "", hb->name,
				    b->name, hb->dm_name[0] && strcmp(hb->dm_name, hb->name) ? " (" : "",
				    hb->dm_name[0] && strcmp(hb->dm_name, hb->name) ? hb->dm_name : "",
				    hb->dm_name[0] && strcmp(hb->dm_name, hb->name) ? ")" : "");
		holders_text(s, (size_t)b->holders[k], buf, size, depth + 1, w);
	}
	if (b->kind == PT_BLK_DISK)
		for (size_t k = 0; k < s->n; k++)
			if (s->v[k].parent == (int)i)
				holders_text(s, k, buf, size, depth + 1, w);
}

static int disk_holds(const struct pt_host *h, size_t di, struct pt_holds *hs)
{
	const struct pt_storage *s = &h->storage;
	const struct pt_dev *d = &h->sys.devs[di];
	char text[300];
	int r;

	if (pt_storage_system_refusal(s, d, text, sizeof(text)))
		return add_hold(hs, di, PT_HOLD_SYSTEM, "%s", text);
	for (size_t i = 0; i < s->n; i++) {
		char uses[200], hold[200] = "";
		struct pt_blk_walk w;

		if (!pt_blk_carried_by(&s->v[i], d->slot))
			continue;
		pt_blk_uses(s, i, uses, sizeof(uses));
		(void)pt_blk_walk_init(s, &w); /* without memory it names no holders: uses still hold */
		holders_text(s, i, hold, sizeof(hold), 0, &w);
		pt_blk_walk_free(&w);
		if (!uses[0] && !hold[0])
			continue;
		r = add_hold(hs, di, PT_HOLD_DISK, "%s [%04x:%04x] carries %s%s%s%s: %s%s%s%s%s",
			     pt_dev_short_slot(d), d->vendor, d->device, s->v[i].name,
			     s->v[i].model[0] ? " (" : "", s->v[i].model, s->v[i].model[0] ? ")" : "",
			     uses[0] ? "in use at " : "", uses, uses[0] && hold[0] ? "; " : "",
			     hold[0] ? "active holders " : "", hold);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Names of the entries of sys/bus/pci/devices/SLOT/SUB ("card0 renderD128"). */
static void list_sub(int rootfd, const char *slot, const char *sub, char (*names)[32], size_t max, size_t *n)
{
	char path[128];
	struct dirent *de;
	DIR *d;

	*n = 0;
	if (pt_pathf(path, sizeof(path), "sys/bus/pci/devices/%s/%s", slot, sub) < 0 ||
	    pt_opendir(rootfd, path, &d) < 0)
		return;
	while ((de = readdir(d)) && *n < max)
		if (de->d_name[0] != '.' && strlen(de->d_name) < 32)
			pt_snprintf(names[(*n)++], 32, "%s", de->d_name);
	closedir(d);
}

static int console_holds(const struct pt_host *h, const struct pt_openers *op, size_t di, struct pt_holds *hs)
{
	const struct pt_dev *d = &h->sys.devs[di];
	char what[300] = "", fb[96], names[8][32], path[64];
	size_t n, len = 0;

	if (!pt_dev_is_display(d))
		return 0;
	if (pt_iomem_framebuffer(&h->iomem, d->slot, fb, sizeof(fb)))
		len += (size_t)pt_snprintf(what + len, sizeof(what) - len,
					   "the firmware framebuffer %s is in its BAR", fb);
	if (d->boot_vga == 1) {
		list_sub(h->sys.rootfd, d->slot, "graphics", names, 8, &n);
		for (size_t i = 0; i < n && len < sizeof(what); i++)
			len += (size_t)pt_snprintf(what + len, sizeof(what) - len,
						   "%sframebuffer %s is on it", len ? "; " : "", names[i]);
	}
	list_sub(h->sys.rootfd, d->slot, "drm", names, 8, &n);
	for (size_t i = 0; i < n && len < sizeof(what); i++) {
		char who[200] = "";

		if ((strncmp(names[i], "card", 4) != 0 && strncmp(names[i], "renderD", 7) != 0) ||
		    pt_pathf(path, sizeof(path), "/dev/dri/%s", names[i]) < 0)
			continue;
		if (who_opens(op, path, who, sizeof(who)))
			len += (size_t)pt_snprintf(what + len, sizeof(what) - len,
						   "%sDRM client%s %s ha%s %s open", len ? "; " : "",
						   strchr(who, ',') ? "s" : "", who,
						   strchr(who, ',') ? "ve" : "s", path);
	}
	if (!what[0])
		return 0;
	return add_hold(hs, di, PT_HOLD_CONSOLE, "%s [%04x:%04x]%s: %s", pt_dev_short_slot(d), d->vendor,
			d->device, d->boot_vga == 1 ? " is the boot VGA device" : "", what);
}

struct group_ctx {
	const struct pt_sys *sys;
	struct pt_holds *holds; /* one PT_HOLD_GROUP per group, dev = its first taken member */
};

static int group_gap(void *data, const struct pt_gap *g)
{
	struct group_ctx *c = data;
	const struct pt_dev *d = &c->sys->devs[g->first];
	char missing[300] = "";
	size_t len = 0;

	for (size_t k = 0; k < g->nleft; k++) {
		const struct pt_dev *m = &c->sys->devs[g->left[k]];

		if (pt_dev_vfio_viable(m))
			continue;
		if (len < sizeof(missing))
			len += (size_t)pt_snprintf(missing + len, sizeof(missing) - len,
						   "%s%s [%04x:%04x] on %s", len ? ", " : "",
						   pt_dev_short_slot(m), m->vendor, m->device, m->driver);
	}
	if (!len)
		return 0;
	return add_hold(c->holds, g->first, PT_HOLD_GROUP,
			"IOMMU group %d of %s also holds %s: a VM can't use "
			"the group until all of it is on vfio-pci",
			g->group, pt_dev_short_slot(d), missing);
}

int pt_safety_bind(const struct pt_host *h, const struct pt_openers *op, const bool *take,
		   struct pt_holds *ret)
{
	struct pt_holds hs = { 0 }, groups = { 0 };
	struct group_ctx gc = { .sys = &h->sys, .holds = &groups };
	size_t gi = 0;
	int r;

	/* each function's holds in slot order; a group's after its first taken member's own */
	r = pt_sys_gaps(&h->sys, take, PT_UNIT_GROUP, group_gap, &gc);
	for (size_t i = 0; i < h->sys.ndevs && r == 0; i++) {
		if (!take[i])
			continue;
		r = disk_holds(h, i, &hs);
		if (r == 0)
			r = console_holds(h, op, i, &hs);
		if (r == 0 && gi < groups.n && groups.v[gi].dev == i)
			r = add_hold(&hs, i, PT_HOLD_GROUP, "%s", groups.v[gi++].text);
	}
	pt_holds_free(&groups);
	if (r < 0) {
		pt_holds_free(&hs);
		return r;
	}
	*ret = hs;
	return 0;
}

int pt_safety_release(const struct pt_host *h, const struct pt_openers *op, const bool *give,
		      struct pt_holds *ret)
{
	struct pt_holds hs = { 0 };
	int r = 0;

	for (size_t i = 0; i < h->sys.ndevs && r == 0; i++) {
		const struct pt_dev *d = &h->sys.devs[i];
		char who[200] = "", path[64], names[4][32];
		size_t n;

		if (!give[i] || strcmp(d->driver, PT_VFIO_DRIVER) != 0)
			continue;
		if (d->group >= 0) {
			pt_snprintf(path, sizeof(path), "/dev/vfio/%d", d->group);
			if (who_opens(op, path, who, sizeof(who))) {
				r = add_hold(&hs, i, PT_HOLD_VFIO,
					     "%s [%04x:%04x]: %s ha%s %s open (a VM is using "
					     "IOMMU group %d)",
					     pt_dev_short_slot(d), d->vendor, d->device, who,
					     strchr(who, ',') ? "ve" : "s", path, d->group);
				continue;
			}
		}
		/* the per-device cdev of iommufd kernels: /dev/vfio/devices/vfioN */
		list_sub(h->sys.rootfd, d->slot, "vfio-dev", names, 4, &n);
		for (size_t k = 0; k < n && r == 0; k++) {
			if (pt_pathf(path, sizeof(path), "/dev/vfio/devices/%s", names[k]) >= 0 &&
			    who_opens(op, path, who, sizeof(who)))
				r = add_hold(&hs, i, PT_HOLD_VFIO,
					     "%s [%04x:%04x]: %s ha%s %s open (a VM is using it)",
					     pt_dev_short_slot(d), d->vendor, d->device, who,
					     strchr(who, ',') ? "ve" : "s", path);
		}
	}
	if (r < 0) {
		pt_holds_free(&hs);
		return r;
	}
	*ret = hs;
	return 0;
}

void pt_holds_free(struct pt_holds *hs)
{
	free(hs->v);
	*hs = (struct pt_holds){ 0 };
}
