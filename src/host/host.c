// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The host as ptctl sees it, read once through the root fd: PCI functions, the command
 * line, mounts, disks, /proc/iomem, the CPU vendor, os-release and the IOMMU's ACPI tables.
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

/* ---- reading the host ---------------------------------------------------- */

static void os_release(int rootfd, char *buf, size_t size)
{
	char *text = NULL;
	size_t len = 0;

	buf[0] = '\0';
	if (pt_read_file(rootfd, "etc/os-release", 1 << 16, &text, NULL) < 0 &&
	    pt_read_file(rootfd, "usr/lib/os-release", 1 << 16, &text, NULL) < 0)
		return;
	for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
		char *v;

		if (strncmp(l, "ID=", 3) == 0)
			v = l + 3;
		else if (strncmp(l, "ID_LIKE=", 8) == 0)
			v = l + 8;
		else
			continue;
		if (*v == '"')
			v++;
		v[strcspn(v, "\"")] = '\0';
		len += (size_t)pt_snprintf(buf + len, size > len ? size - len : 0, "%s%s", len ? " " : "", v);
		if (len >= size)
			break;
	}
	free(text);
}

static int count_dir(int rootfd, const char *path)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	if (pt_opendir(rootfd, path, &d) < 0)
		return 0;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

int pt_host_open(const char *root, const char *cmdline_file, bool probe_disks, struct pt_host *ret)
{
	struct pt_host *h;
	char *text = NULL;
	int r;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	pt_snprintf(h->root, sizeof(h->root), "%s", root);
	r = pt_sys_open(root, &h->sys);
	if (r < 0)
		goto fail_free;
	h->sys.host_attrs = true;
	r = pt_sys_scan(&h->sys);
	if (r < 0)
		goto fail;
	pt_snprintf(h->fdroot, sizeof(h->fdroot), "/proc/self/fd/%d", h->sys.rootfd);
	if (cmdline_file)
		r = pt_read_file(AT_FDCWD, cmdline_file, 1 << 16, &h->cmdline, NULL);
	else
		r = pt_read_file(h->sys.rootfd, "proc/cmdline", 1 << 16, &h->cmdline, NULL);
	if (r < 0)
		goto fail;
	h->cmdline[strcspn(h->cmdline, "\n")] = '\0';
	r = pt_opts_parse(h->cmdline, &h->opts);
	if (r < 0)
		goto fail;
	if (pt_read_attr(h->sys.rootfd, "proc/sys/kernel/osrelease", h->kver, sizeof(h->kver)) < 0)
		h->kver[0] = '\0';
	for (size_t i = 0; i < h->sys.ndevs; i++) {
		const struct pt_dev *d = &h->sys.devs[i];

		if (d->bus == 0 && d->dev == 0 && d->fn == 0 && (d->cls >> 8) == 0x0600) {
			if (d->vendor == 0x8086)
				pt_snprintf(h->cpu, sizeof(h->cpu), "intel");
			else if (d->vendor == 0x1022 || d->vendor == 0x1002)
				pt_snprintf(h->cpu, sizeof(h->cpu), "amd");
			break;
		}
	}
	os_release(h->sys.rootfd, h->os_id, sizeof(h->os_id));
	h->dmar = pt_exists(h->sys.rootfd, "sys/firmware/acpi/tables/DMAR");
	h->ivrs = pt_exists(h->sys.rootfd, "sys/firmware/acpi/tables/IVRS");
	h->groups = count_dir(h->sys.rootfd, "sys/kernel/iommu_groups");
	r = pt_mounts_read(h->sys.rootfd, &h->mounts);
	if (r < 0)
		goto fail;
	if (probe_disks) {
		r = pt_storage_scan(h->sys.rootfd, &h->mounts, &h->storage);
		if (r < 0)
			goto fail;
	}
	r = pt_read_file(h->sys.rootfd, "proc/iomem", 16 << 20, &text, NULL);
	if (r == 0) {
		r = pt_iomem_parse(text, &h->iomem);
		free(text);
		if (r < 0)
			goto fail;
	}
	*ret = *h;
	free(h);
	return 0;
fail:
	pt_host_close(h);
fail_free:
	free(h);
	return r;
}

void pt_host_close(struct pt_host *h)
{
	pt_sys_close(&h->sys);
	pt_mounts_free(&h->mounts);
	pt_storage_free(&h->storage);
	pt_iomem_free(&h->iomem);
	free(h->cmdline);
	h->cmdline = NULL;
	pt_opts_free(&h->opts);
}
