// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The PCI device model: every function under sys/bus/pci/devices of one
 * root, read once through openat() so the live system and a fixture tree
 * are the same code path.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptboot.h"

#define PCI_DEVICES "sys/bus/pci/devices"

int pt_sys_open(const char *root, struct pt_sys *ret)
{
	int fd;

	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*ret = (struct pt_sys){ .rootfd = fd };
	return 0;
}

void pt_sys_close(struct pt_sys *sys)
{
	free(sys->devs);
	sys->devs = NULL;
	sys->ndevs = 0;
	if (sys->rootfd >= 0)
		close(sys->rootfd);
	sys->rootfd = -1;
}

/* "dddd:bb:dd.f" as the kernel names it (domain may be wider on VMD). */
int pt_slot_parse(const char *name, struct pt_dev *d)
{
	const char *p = name, *colon;
	uint32_t v;

	colon = strchr(p, ':');
	if (!colon || pt_parse_hex(p, (size_t)(colon - p), 0xffffffffu, &d->domain) < 0)
		return -EINVAL;
	p = colon + 1;
	if (strlen(p) != 7 || p[2] != ':' || p[5] != '.')
		return -EINVAL;
	if (pt_parse_hex(p, 2, 0xff, &d->bus) < 0 || pt_parse_hex(p + 3, 2, 0x1f, &d->dev) < 0 ||
	    pt_parse_hex(p + 6, 1, 7, &v) < 0)
		return -EINVAL;
	d->fn = v;
	if (strlen(name) >= sizeof(d->slot))
		return -EINVAL;
	strcpy(d->slot, name);
	return 0;
}

static int read_hex_attr(int dirfd, const char *name, uint32_t max, uint32_t *ret)
{
	char buf[32];
	int n;

	n = pt_read_attr(dirfd, name, buf, sizeof(buf));
	if (n < 0)
		return n;
	return pt_parse_hex(buf, (size_t)n, max, ret);
}

static void read_driver(int devfd, struct pt_dev *d)
{
	if (pt_read_link_name(devfd, "driver", d->driver, sizeof(d->driver)) < 0)
		d->driver[0] = '\0';
}

static void read_override(int devfd, struct pt_dev *d)
{
	if (pt_read_attr(devfd, "driver_override", d->override, sizeof(d->override)) < 0 ||
	    strcmp(d->override, "(null)") == 0)
		d->override[0] = '\0';
}

/* "KEY=" in a uevent's text: the value's start and length, or NULL. */
static const char *uevent_val(const char *s, const char *key, size_t *ret_len)
{
	size_t k = strlen(key);

	for (const char *l = s; l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (strncmp(l, key, k) == 0 && l[k] == '=') {
			*ret_len = strcspn(l + k + 1, "\n");
			return l + k + 1;
		}
	}
	return NULL;
}

/* "VVVV:DDDD" (PCI_ID=, PCI_SUBSYS_ID=) */
static int uevent_pair(const char *s, const char *key, uint32_t *a, uint32_t *b)
{
	const char *v, *colon;
	size_t len;

	v = uevent_val(s, key, &len);
	if (!v)
		return -ENODATA;
	colon = memchr(v, ':', len);
	if (!colon || pt_parse_hex(v, (size_t)(colon - v), 0xffff, a) < 0)
		return -EINVAL;
	return pt_parse_hex(colon + 1, len - (size_t)(colon + 1 - v), 0xffff, b);
}

/* The IDs, class and driver from the one uevent file, which the kernel fills from
 * dev_uevent() (DRIVER=, only while a driver has the device: the same dev->driver the
 * driver link shows) and pci_uevent() (PCI_CLASS, PCI_ID, PCI_SUBSYS_ID): one read instead
 * of five attributes and the link. After a bind, pt_dev_refresh reads the link itself. */
static int read_uevent(int devfd, struct pt_dev *d)
{
	char buf[512];
	const char *v;
	size_t len;
	int r;

	r = pt_read_attr(devfd, "uevent", buf, sizeof(buf));
	if (r < 0)
		return r;
	v = uevent_val(buf, "PCI_CLASS", &len);
	if (!v || pt_parse_hex(v, len, 0xffffff, &d->cls) < 0)
		return -ENODATA;
	if (uevent_pair(buf, "PCI_ID", &d->vendor, &d->device) < 0 ||
	    uevent_pair(buf, "PCI_SUBSYS_ID", &d->subvendor, &d->subdevice) < 0)
		return -ENODATA;
	v = uevent_val(buf, "DRIVER", &len);
	if (v && (len == 0 || len >= sizeof(d->driver)))
		return -ENODATA;
	pt_snprintf(d->driver, sizeof(d->driver), "%.*s", v ? (int)len : 0, v ? v : "");
	return 0;
}

/* The same from the attribute files, for a uevent without them. */
static void read_ids(int devfd, struct pt_dev *d)
{
	if (read_hex_attr(devfd, "vendor", 0xffff, &d->vendor) < 0 ||
	    read_hex_attr(devfd, "device", 0xffff, &d->device) < 0 ||
	    read_hex_attr(devfd, "class", 0xffffff, &d->cls) < 0) {
		d->unreadable = true;
		d->vendor = d->device = 0xffff;
		d->cls = 0;
	}
	if (read_hex_attr(devfd, "subsystem_vendor", 0xffff, &d->subvendor) < 0)
		d->subvendor = 0;
	if (read_hex_attr(devfd, "subsystem_device", 0xffff, &d->subdevice) < 0)
		d->subdevice = 0;
}

/* A function whose IDs can't be read stays in the model (unreadable): it is still a member
 * of its IOMMU group, and a selector must not take what it can't identify. */
static void read_dev(int devfd, struct pt_dev *d, bool host_attrs)
{
	char buf[PT_NAME_MAX];

	if (read_uevent(devfd, d) < 0) {
		read_ids(devfd, d);
		read_driver(devfd, d);
	}
	d->group = -1;
	if (pt_read_link_name(devfd, "iommu_group", buf, sizeof(buf)) > 0) {
		uint32_t g;

		if (pt_parse_dec(buf, &g) == 0 && g < 0x7fffffff) /* group names are decimal */
			d->group = (int)g;
	}
	d->boot_vga = -1;
	/* the kernel shows boot_vga on VGA functions only (pci_dev_attr_is_visible, pci_is_vga) */
	if (((d->cls >> 8) == 0x0300 || (d->cls >> 8) == 0x0001) &&
	    pt_read_attr(devfd, "boot_vga", buf, sizeof(buf)) > 0)
		d->boot_vga = buf[0] == '1';
	if (!host_attrs || pt_read_attr(devfd, "reset_method", d->reset_method, sizeof(d->reset_method)) < 0)
		d->reset_method[0] = '\0';
	if (host_attrs)
		read_override(devfd, d);
}

static int cmp_dev(const void *a, const void *b, const void *ctx)
{
	const struct pt_dev *x = a, *y = b;

	(void)ctx;
	if (x->domain != y->domain)
		return x->domain < y->domain ? -1 : 1;
	if (x->bus != y->bus)
		return x->bus < y->bus ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->fn < y->fn ? -1 : x->fn > y->fn;
}

int pt_sys_scan(struct pt_sys *sys)
{
	struct pt_dev *devs = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *dir;
	int r;

	r = pt_opendir(sys->rootfd, PCI_DEVICES, &dir);
	if (r < 0)
		return r;
	while ((de = readdir(dir))) {
		struct pt_dev d = { 0 };
		int devfd;

		if (de->d_name[0] == '.' || pt_slot_parse(de->d_name, &d) < 0)
			continue;
		devfd = openat(dirfd(dir), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (devfd < 0)
			continue; /* hot-removed under us */
		read_dev(devfd, &d, sys->host_attrs);
		close(devfd);
		if (n == cap) {
			struct pt_dev *p;

			cap = cap ? cap * 2 : 64;
			p = realloc(devs, cap * sizeof(*devs));
			if (!p) {
				r = -ENOMEM;
				break;
			}
			devs = p;
		}
		devs[n++] = d;
	}
	closedir(dir);
	if (r < 0) {
		free(devs);
		return r;
	}
	/* readdir() gives kernfs's hash order (a fixture's tmpfs, its own): not sorted */
	r = pt_sort(devs, n, sizeof(*devs), cmp_dev, NULL);
	if (r < 0) {
		free(devs);
		return r;
	}
	free(sys->devs);
	sys->devs = devs;
	sys->ndevs = n;
	sys->iommu = false;
	for (size_t i = 0; i < n; i++)
		if (devs[i].group >= 0)
			sys->iommu = true;
	return 0;
}

int pt_dev_refresh(const struct pt_sys *sys, struct pt_dev *d)
{
	char path[64 + PT_SLOT_MAX];
	int devfd, r;

	r = pt_pathf(path, sizeof(path), PCI_DEVICES "/%s", d->slot);
	if (r < 0)
		return r;
	devfd = openat(sys->rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (devfd < 0)
		return -errno;
	read_driver(devfd, d);
	read_override(devfd, d);
	close(devfd);
	return 0;
}

const struct pt_dev *pt_sys_find(const struct pt_sys *sys, const char *slot)
{
	for (size_t i = 0; i < sys->ndevs; i++)
		if (strcmp(sys->devs[i].slot, slot) == 0)
			return &sys->devs[i];
	return NULL;
}

bool pt_dev_is_bridge(const struct pt_dev *d)
{
	/* class 06: host, ISA, PCI-to-PCI, ... bridges; 0x0604/0x0609 carry buses */
	return (d->cls >> 16) == 0x06 && ((d->cls >> 8) & 0xff) != 0x80;
}

bool pt_dev_is_display(const struct pt_dev *d)
{
	return (d->cls >> 16) == 0x03;
}

bool pt_dev_vfio_viable(const struct pt_dev *d)
{
	return !d->driver[0] || strcmp(d->driver, PT_VFIO_DRIVER) == 0 || strcmp(d->driver, "pci-stub") == 0;
}

const char *pt_dev_short_slot(const struct pt_dev *d)
{
	return d->domain ? d->slot : d->slot + 5; /* "0000:" */
}

void pt_dev_guarded(const struct pt_dev *d, char *buf, size_t size)
{
	pt_snprintf(buf, size, "%s@%04x:%04x", pt_dev_short_slot(d), d->vendor, d->device);
}

static int cmp_group(size_t a, size_t b, const void *ctx)
{
	const struct pt_dev *devs = ctx;

	return devs[a].group < devs[b].group ? -1 : devs[a].group > devs[b].group;
}

static bool same_unit(const struct pt_sys *sys, enum pt_unit unit, size_t a, size_t b)
{
	const struct pt_dev *x = &sys->devs[a], *y = &sys->devs[b];

	if (unit == PT_UNIT_GROUP)
		return x->group == y->group;
	return x->domain == y->domain && x->bus == y->bus && x->dev == y->dev;
}

int pt_sys_gaps(const struct pt_sys *sys, const bool *mark, enum pt_unit unit, pt_gap_fn fn, void *data)
{
	size_t n = sys->ndevs, norder = 0, *buf, *order, *unit_of, *first, *left;
	int r = 0;

	/* order: the functions of each unit together (stable: slot order within); unit_of: a
	 * function's unit, as the position of the unit's start in order; first: a unit's first
	 * marked function (n when none) */
	buf = calloc(4 * n + 1, sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	order = buf;
	unit_of = buf + n;
	first = buf + 2 * n;
	left = buf + 3 * n;
	for (size_t i = 0; i < n; i++)
		if (unit == PT_UNIT_SLOT || sys->devs[i].group >= 0)
			order[norder++] = i;
	if (unit == PT_UNIT_GROUP)
		r = pt_sort_idx(order, norder, cmp_group, sys->devs);
	for (size_t i = 0; i < n; i++)
		unit_of[i] = first[i] = n;
	for (size_t k = 0, start = 0; r == 0 && k < norder; k++) {
		if (k > 0 && !same_unit(sys, unit, order[k - 1], order[k]))
			start = k;
		unit_of[order[k]] = start;
		if (mark[order[k]] && first[start] == n)
			first[start] = order[k];
	}
	for (size_t i = 0; r == 0 && i < n; i++) {
		size_t u = unit_of[i];
		struct pt_gap g = { .group = unit == PT_UNIT_GROUP ? sys->devs[i].group : -1,
				    .first = i,
				    .left = left };

		if (u == n || first[u] != i)
			continue; /* not the first marked function of its unit */
		for (size_t k = u; k < norder && same_unit(sys, unit, order[u], order[k]); k++)
			if (!mark[order[k]] && !pt_dev_is_bridge(&sys->devs[order[k]]))
				left[g.nleft++] = order[k];
		r = fn(data, &g);
	}
	free(buf);
	return r;
}
