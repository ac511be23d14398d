// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The simulated kernel: linked into tests in place of src/lib/kernel-linux.c.
 * It turns sysfs writes on a fixture tree into what the kernel would do
 * (driver links, driver_override contents, modules appearing) and fails any
 * step on demand, as told by ROOT/fake-kernel.conf:
 *
 *   fail-write PATTERN ERRNO [N]     a write whose path contains PATTERN fails
 *                                    (only the Nth such write when N is given)
 *   refuse-probe SLOT                vfio-pci's probe of SLOT fails (as without IOMMU)
 *   probe-binds SLOT DRIVER          probing SLOT gives it to DRIVER (a host driver wins)
 *   fail-load MODULE ERRNO           loading MODULE fails
 *   host-driver SLOT DRIVER          the driver that takes SLOT without an override
 *
 * Every write and load is appended to ROOT/fake-kernel.log, so tests can
 * assert the exact sequence.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ptboot.h"

#define DEVS "sys/bus/pci/devices/"
#define DRVS "sys/bus/pci/drivers/"

struct rule {
	char kind[16];
	char a[128];
	char b[64];
	int err;
	int nth, seen; /* fail only the nth match (0: every one) */
};

struct pt_kernel {
	int rootfd;
	struct rule rules[64];
	size_t nrules;
	/* the driver each function had when the fake started */
	char initial[256][2][PT_SLOT_MAX + PT_NAME_MAX];
	size_t ninitial;
};

static const struct {
	const char *name;
	int err;
	/* clang-format off */
} errnames[] = {
	{ "EIO", EIO }, { "ENODEV", ENODEV }, { "EBUSY", EBUSY }, { "EINVAL", EINVAL },
	{ "ENOENT", ENOENT }, { "EPERM", EPERM }, { "ENOMEM", ENOMEM }, { "ENOEXEC", ENOEXEC },
	{ "EKEYREJECTED", EKEYREJECTED },
};
/* clang-format on */

static int errno_of(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(errnames); i++)
		if (strcmp(errnames[i].name, s) == 0)
			return errnames[i].err;
	return EIO;
}

static void journal(struct pt_kernel *k, const char *fmt, const char *a, const char *b)
{
	char line[512];
	int fd, n;

	n = snprintf(line, sizeof(line), fmt, a, b);
	fd = openat(k->rootfd, "fake-kernel.log", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	(void)!write(fd, line, (size_t)n);
	close(fd);
}

static void put_file(int rootfd, const char *path, const char *val)
{
	int fd = openat(rootfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return;
	(void)!write(fd, val, strlen(val));
	close(fd);
}

static struct rule *find_rule(struct pt_kernel *k, const char *kind, const char *a)
{
	for (size_t i = 0; i < k->nrules; i++) {
		struct rule *r = &k->rules[i];

		if (strcmp(r->kind, kind) != 0)
			continue;
		if (strcmp(kind, "fail-write") == 0 ? strstr(a, r->a) != NULL : strcmp(a, r->a) == 0) {
			if (r->nth && ++r->seen != r->nth)
				continue;
			return r;
		}
	}
	return NULL;
}

static void dev_driver(struct pt_kernel *k, const char *slot, char *buf, size_t size)
{
	char path[128];

	pt_pathf(path, sizeof(path), DEVS "%s/driver", slot);
	if (pt_read_link_name(k->rootfd, path, buf, size) < 0)
		buf[0] = '\0';
}

static bool driver_registered(struct pt_kernel *k, const char *drv)
{
	char path[128];
	struct stat st;

	pt_pathf(path, sizeof(path), DRVS "%s", drv);
	return fstatat(k->rootfd, path, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

/* "devices/pci0000:00/0000:00:01.1/0000:03:00.0", relative to sys/ */
static int dev_syspath(struct pt_kernel *k, const char *slot, char *buf, size_t size)
{
	char path[128], target[512];
	const char *p;
	ssize_t n;

	pt_pathf(path, sizeof(path), DEVS "%s", slot);
	n = readlinkat(k->rootfd, path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	p = target;
	while (strncmp(p, "../", 3) == 0)
		p += 3;
	pt_pathf(buf, size, "%s", p);
	return 0;
}

/* The device's uevent says DRIVER= while a driver has it, as dev_uevent() does (before
 * the bus's PCI_* lines): the scan reads the driver there. */
static void set_uevent_driver(struct pt_kernel *k, const char *slot, const char *drv)
{
	char path[128], old[1024], text[1200];
	size_t n = 0;
	int r;

	pt_pathf(path, sizeof(path), DEVS "%s/uevent", slot);
	r = pt_read_attr(k->rootfd, path, old, sizeof(old));
	if (r < 0)
		return;
	if (drv)
		n = (size_t)snprintf(text, sizeof(text), "DRIVER=%s\n", drv);
	for (char *l = old, *e; *l && n < sizeof(text); l = e ? e + 1 : l + strlen(l)) {
		e = strchr(l, '\n');
		if (strncmp(l, "DRIVER=", 7) != 0)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%.*s\n",
					      (int)(e ? (size_t)(e - l) : strlen(l)), l);
	}
	put_file(k->rootfd, path, text);
}

static void do_unbind(struct pt_kernel *k, const char *slot)
{
	char drv[PT_NAME_MAX], path[256];

	dev_driver(k, slot, drv, sizeof(drv));
	if (!drv[0])
		return;
	pt_pathf(path, sizeof(path), DEVS "%s/driver", slot);
	unlinkat(k->rootfd, path, 0);
	pt_pathf(path, sizeof(path), DRVS "%s/%s", drv, slot);
	unlinkat(k->rootfd, path, 0);
	set_uevent_driver(k, slot, NULL);
}

static void do_bind(struct pt_kernel *k, const char *slot, const char *drv)
{
	char sp[256], link[512], path[256];
	int ups = 1;

	if (dev_syspath(k, slot, sp, sizeof(sp)) < 0)
		return;
	for (const char *p = sp; *p; p++)
		ups += *p == '/';
	link[0] = '\0';
	for (int i = 0; i < ups; i++)
		strcat(link, "../");
	pt_pathf(link + strlen(link), sizeof(link) - strlen(link), "bus/pci/drivers/%s", drv);
	pt_pathf(path, sizeof(path), DEVS "%s/driver", slot);
	(void)!symlinkat(link, k->rootfd, path);
	pt_pathf(link, sizeof(link), "../../../../%s", sp);
	pt_pathf(path, sizeof(path), DRVS "%s/%s", drv, slot);
	(void)!symlinkat(link, k->rootfd, path);
	set_uevent_driver(k, slot, drv);
}

static bool vfio_accepts(struct pt_kernel *k, const char *slot)
{
	char path[128], buf[32];
	struct stat st;

	if (find_rule(k, "refuse-probe", slot))
		return false;
	pt_pathf(path, sizeof(path), DEVS "%s/class", slot);
	if (pt_read_attr(k->rootfd, path, buf, sizeof(buf)) > 0 && strncmp(buf, "0x0604", 6) == 0)
		return false; /* vfio-pci takes no bridges */
	pt_pathf(path, sizeof(path), DEVS "%s/iommu_group", slot);
	return fstatat(k->rootfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0; /* -EINVAL without IOMMU */
}

static const char *host_driver(struct pt_kernel *k, const char *slot)
{
	struct rule *r = find_rule(k, "host-driver", slot);

	if (r)
		return r->b;
	for (size_t i = 0; i < k->ninitial; i++)
		if (strcmp(k->initial[i][0], slot) == 0)
			return k->initial[i][1][0] ? k->initial[i][1] : NULL;
	return NULL;
}

static void do_probe(struct pt_kernel *k, const char *slot)
{
	char drv[PT_NAME_MAX], path[128], ovr[PT_NAME_MAX];
	const char *cand;
	struct rule *r;

	dev_driver(k, slot, drv, sizeof(drv));
	if (drv[0])
		return;
	r = find_rule(k, "probe-binds", slot);
	if (r) {
		if (driver_registered(k, r->b))
			do_bind(k, slot, r->b);
		return;
	}
	pt_pathf(path, sizeof(path), DEVS "%s/driver_override", slot);
	if (pt_read_attr(k->rootfd, path, ovr, sizeof(ovr)) < 0 || strcmp(ovr, "(null)") == 0)
		ovr[0] = '\0';
	cand = ovr[0] ? ovr : host_driver(k, slot);
	if (!cand || !driver_registered(k, cand))
		return;
	if (strcmp(cand, "vfio-pci") == 0 && !vfio_accepts(k, slot)) {
		journal(k, "probe %s vfio-pci: -EINVAL%s\n", slot, "");
		return;
	}
	do_bind(k, slot, cand);
}

static void snapshot(struct pt_kernel *k)
{
	struct dirent *de;
	DIR *dir;
	int fd;

	fd = openat(k->rootfd, DEVS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return;
	}
	while ((de = readdir(dir)) && k->ninitial < 256) {
		if (de->d_name[0] == '.')
			continue;
		pt_pathf(k->initial[k->ninitial][0], sizeof(k->initial[0][0]), "%s", de->d_name);
		dev_driver(k, de->d_name, k->initial[k->ninitial][1], sizeof(k->initial[0][1]));
		/* vfio-pci is never a function's host driver: it only binds on request */
		if (strcmp(k->initial[k->ninitial][1], "vfio-pci") == 0)
			k->initial[k->ninitial][1][0] = '\0';
		k->ninitial++;
	}
	closedir(dir);
}

int pt_kernel_new(int rootfd, struct pt_kernel **ret)
{
	struct pt_kernel *k;
	char *conf = NULL;

	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->rootfd = rootfd;
	if (pt_read_file(rootfd, "fake-kernel.conf", 1 << 16, &conf, NULL) == 0) {
		char *save, *line;

		for (line = strtok_r(conf, "\n", &save); line && k->nrules < 64;
		     line = strtok_r(NULL, "\n", &save)) {
			struct rule *r = &k->rules[k->nrules];
			char c[4][128] = { { 0 } };
			int n;

			if (line[0] == '#')
				continue;
			n = sscanf(line, "%15s %127s %127s %127s", c[0], c[1], c[2], c[3]);
			if (n < 2)
				continue;
			pt_pathf(r->kind, sizeof(r->kind), "%s", c[0]);
			pt_pathf(r->a, sizeof(r->a), "%s", c[1]);
			pt_pathf(r->b, sizeof(r->b), "%s", c[2]);
			if (strcmp(r->kind, "fail-write") == 0 || strcmp(r->kind, "fail-load") == 0)
				r->err = errno_of(c[2]);
			r->nth = atoi(c[3]);
			k->nrules++;
		}
		free(conf);
	}
	snapshot(k);
	*ret = k;
	return 0;
}

void pt_kernel_free(struct pt_kernel *k)
{
	free(k);
}

/* "sys/bus/pci/devices/SLOT/ATTR..." -> SLOT into buf, rest pointer */
static const char *split_dev(const char *path, char *slot, size_t size)
{
	const char *p = path + strlen(DEVS), *slash = strchr(p, '/');

	if (!slash || (size_t)(slash - p) >= size)
		return NULL;
	memcpy(slot, p, (size_t)(slash - p));
	slot[slash - p] = '\0';
	return slash + 1;
}

int pt_kernel_write(struct pt_kernel *k, const char *path, const char *val)
{
	char slot[PT_SLOT_MAX], v[PT_NAME_MAX];
	const char *attr;
	struct rule *r;
	size_t l;

	pt_pathf(v, sizeof(v), "%s", val);
	l = strlen(v);
	while (l && v[l - 1] == '\n')
		v[--l] = '\0';
	r = find_rule(k, "fail-write", path);
	if (r) {
		journal(k, "write %s %s: injected failure\n", path, v);
		return -r->err;
	}
	journal(k, "write %s %s\n", path, v);
	if (strncmp(path, DEVS, strlen(DEVS)) == 0) {
		attr = split_dev(path, slot, sizeof(slot));
		if (!attr)
			return -ENOENT;
		if (strcmp(attr, "driver_override") == 0) {
			char full[128];

			pt_pathf(full, sizeof(full), "%s\n", v[0] ? v : "(null)");
			put_file(k->rootfd, path, full);
			return 0;
		}
		if (strcmp(attr, "driver/unbind") == 0) {
			char drv[PT_NAME_MAX];

			dev_driver(k, slot, drv, sizeof(drv));
			if (!drv[0])
				return -ENOENT; /* no driver link to write through */
			do_unbind(k, v);
			return 0;
		}
		return -EACCES;
	}
	if (strcmp(path, "sys/bus/pci/drivers_probe") == 0) {
		do_probe(k, v);
		return 0;
	}
	if (strncmp(path, DRVS, strlen(DRVS)) == 0) {
		l = strlen(path);
		if (l > 7 && strcmp(path + l - 7, "/unbind") == 0) {
			do_unbind(k, v);
			return 0;
		}
	}
	return -EACCES;
}

/* A driver registering probes every unbound function it matches. */
static void register_driver(struct pt_kernel *k, const char *drv, const char *params)
{
	char path[128];
	struct dirent *de;
	const char *ids = params ? strstr(params, "ids=") : NULL;
	DIR *dir;
	int fd;

	pt_pathf(path, sizeof(path), DRVS "%s", drv);
	pt_mkdir_p(k->rootfd, path, 0755);
	pt_pathf(path, sizeof(path), DRVS "%s/unbind", drv);
	put_file(k->rootfd, path, "");
	pt_pathf(path, sizeof(path), DRVS "%s/bind", drv);
	put_file(k->rootfd, path, "");
	fd = openat(k->rootfd, DEVS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return;
	}
	while ((de = readdir(dir))) {
		char ovr[PT_NAME_MAX], cur[PT_NAME_MAX], vd[16], dv[16], id[16];

		if (de->d_name[0] == '.')
			continue;
		dev_driver(k, de->d_name, cur, sizeof(cur));
		if (cur[0])
			continue;
		pt_pathf(path, sizeof(path), DEVS "%s/driver_override", de->d_name);
		if (pt_read_attr(k->rootfd, path, ovr, sizeof(ovr)) < 0 || strcmp(ovr, "(null)") == 0)
			ovr[0] = '\0';
		if (strcmp(ovr, drv) == 0) {
			do_probe(k, de->d_name);
			continue;
		}
		if (ovr[0] || !ids)
			continue;
		/* vfio-pci ids=VVVV:DDDD,...: dynamic IDs of the module option */
		pt_pathf(path, sizeof(path), DEVS "%s/vendor", de->d_name);
		if (pt_read_attr(k->rootfd, path, vd, sizeof(vd)) < 6)
			continue;
		pt_pathf(path, sizeof(path), DEVS "%s/device", de->d_name);
		if (pt_read_attr(k->rootfd, path, dv, sizeof(dv)) < 6)
			continue;
		pt_pathf(id, sizeof(id), "%s:%s", vd + 2, dv + 2);
		if (strstr(ids, id) && (strcmp(drv, "vfio-pci") != 0 || vfio_accepts(k, de->d_name)))
			do_bind(k, de->d_name, drv);
	}
	closedir(dir);
}

int pt_kernel_load_module(struct pt_kernel *k, int fd, const char *params, int flags)
{
	char buf[256], name[PT_NAME_MAX] = "", drv[PT_NAME_MAX] = "", path[128];
	const char *p;
	struct rule *r;
	ssize_t n;

	(void)flags;
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -ENOEXEC;
	buf[n] = '\0';
	if (strncmp(buf, "fake-module ", 12) != 0)
		return -ENOEXEC;
	p = strstr(buf, "name=");
	if (p)
		sscanf(p + 5, "%63[^ \n]", name);
	p = strstr(buf, "driver=");
	if (p)
		sscanf(p + 7, "%63[^ \n]", drv);
	if (!name[0])
		return -ENOEXEC;
	r = find_rule(k, "fail-load", name);
	if (r) {
		journal(k, "load %s %s: injected failure\n", name, params);
		return -r->err;
	}
	pt_pathf(path, sizeof(path), "sys/module/%s/initstate", name);
	if (faccessat(k->rootfd, path, F_OK, 0) == 0)
		return -EEXIST;
	journal(k, "load %s %s\n", name, params);
	pt_pathf(path, sizeof(path), "sys/module/%s", name);
	pt_mkdir_p(k->rootfd, path, 0755);
	pt_pathf(path, sizeof(path), "sys/module/%s/initstate", name);
	put_file(k->rootfd, path, "live\n");
	pt_pathf(path, sizeof(path), "sys/module/%s/fake-params", name);
	put_file(k->rootfd, path, params);
	if (drv[0])
		register_driver(k, drv, params);
	return 0;
}
