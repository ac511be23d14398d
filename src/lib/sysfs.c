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

static void read_volatile(int devfd, struct pt_dev *d)
{
	if (pt_read_link_name(devfd, "driver", d->driver, sizeof(d->driver)) < 0)
		d->driver[0] = '\0';
	if (pt_read_attr(devfd, "driver_override", d->override, sizeof(d->override)) < 0 ||
	    strcmp(d->override, "(null)") == 0)
		d->override[0] = '\0';
}

static int read_dev(int devfd, struct pt_dev *d)
{
	char buf[PT_NAME_MAX];
	int r;

	r = read_hex_attr(devfd, "vendor", 0xffff, &d->vendor);
	if (r < 0)
		return r;
	r = read_hex_attr(devfd, "device", 0xffff, &d->device);
	if (r < 0)
		return r;
	r = read_hex_attr(devfd, "class", 0xffffff, &d->cls);
	if (r < 0)
		return r;
	if (read_hex_attr(devfd, "subsystem_vendor", 0xffff, &d->subvendor) < 0)
		d->subvendor = 0;
	if (read_hex_attr(devfd, "subsystem_device", 0xffff, &d->subdevice) < 0)
		d->subdevice = 0;
	d->group = -1;
	if (pt_read_link_name(devfd, "iommu_group", buf, sizeof(buf)) > 0) {
		uint32_t g;

		if (pt_parse_dec(buf, &g) == 0 && g < 0x7fffffff)	/* group names are decimal */
			d->group = (int)g;
	}
	d->boot_vga = -1;
	if (pt_read_attr(devfd, "boot_vga", buf, sizeof(buf)) > 0)
		d->boot_vga = buf[0] == '1';
	if (pt_read_attr(devfd, "reset_method", d->reset_method, sizeof(d->reset_method)) < 0)
		d->reset_method[0] = '\0';
	read_volatile(devfd, d);
	return 0;
}

static int cmp_dev(const void *a, const void *b)
{
	const struct pt_dev *x = a, *y = b;

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
	int fd, r = 0;

	fd = openat(sys->rootfd, PCI_DEVICES, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		r = -errno;
		close(fd);
		return r;
	}
	while ((de = readdir(dir))) {
		struct pt_dev d = { 0 };
		int devfd;

		if (de->d_name[0] == '.' || pt_slot_parse(de->d_name, &d) < 0)
			continue;
		devfd = openat(fd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (devfd < 0)
			continue;	/* hot-removed under us */
		r = read_dev(devfd, &d);
		close(devfd);
		if (r < 0) {
			r = 0;
			continue;
		}
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
	/* readdir() of sysfs is nearly sorted already: insertion sort is
	 * linear on it, and keeps qsort out of the static binary. */
	for (size_t i = 1; i < n; i++) {
		struct pt_dev t;
		size_t j = i;

		if (cmp_dev(&devs[i - 1], &devs[i]) <= 0)
			continue;
		t = devs[i];
		while (j > 0 && cmp_dev(&devs[j - 1], &t) > 0) {
			devs[j] = devs[j - 1];
			j--;
		}
		devs[j] = t;
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
	int devfd;

	pt_snprintf(path, sizeof(path), PCI_DEVICES "/%s", d->slot);
	devfd = openat(sys->rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (devfd < 0)
		return -errno;
	read_volatile(devfd, d);
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

const char *pt_dev_short_slot(const struct pt_dev *d)
{
	return d->domain ? d->slot : d->slot + 5;	/* "0000:" */
}

void pt_dev_guarded(const struct pt_dev *d, char *buf, size_t size)
{
	pt_snprintf(buf, size, "%s@%04x:%04x", pt_dev_short_slot(d), d->vendor, d->device);
}
