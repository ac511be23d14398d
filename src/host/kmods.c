// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Kernel modules of an installed kernel through libkmod (opened here: dl.h): is vfio-pci a
 * module, built in, or missing? libkmod takes paths, so the root fd is handed
 * to it as /proc/self/fd/N: every lookup still goes through the root.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dl.h"
#include "host.h"

int pt_kmod_find(int rootfd, const char *kver, const char *name, enum pt_kmod_state *ret, char *ret_path,
		 size_t size)
{
	static const char *const confdirs[] = { "etc/modprobe.d", "run/modprobe.d", "usr/lib/modprobe.d",
						"lib/modprobe.d" };
	char dir[PT_PATH_MAX], cfg[4][96], prefix[40];
	const char *cfgs[5];
	struct kmod_list *list = NULL, *l;
	struct pt_kmod_api k;
	struct kmod_ctx *ctx;
	enum pt_kmod_state st = PT_KMOD_MISSING;
	char path[512] = "";
	int r;

	pt_snprintf(prefix, sizeof(prefix), "/proc/self/fd/%d", rootfd);
	r = pt_pathf(dir, sizeof(dir), "%s/lib/modules/%s", prefix, kver);
	for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(confdirs); i++) {
		r = pt_pathf(cfg[i], sizeof(cfg[i]), "%s/%s", prefix, confdirs[i]);
		cfgs[i] = cfg[i];
	}
	if (r < 0)
		return r;
	cfgs[4] = NULL;
	r = pt_kmod_api_open(&k);
	if (r < 0)
		return r;
	ctx = k.kmod_new(dir, cfgs);
	if (!ctx) {
		pt_dl_close(k.dl);
		return -ENOMEM;
	}
	k.kmod_set_log_priority(ctx, 0);
	r = k.kmod_module_new_from_lookup(ctx, name, &list);
	if (r < 0) {
		k.kmod_unref(ctx);
		pt_dl_close(k.dl);
		return r;
	}
	for (l = list; l; l = k.kmod_list_next(list, l)) {
		struct kmod_module *m = k.kmod_module_get_module(l);
		const char *p = k.kmod_module_get_path(m);

		if (p) {
			size_t pl = strlen(prefix);

			if (pt_pathf(path, sizeof(path), "%s",
				     strncmp(p, prefix, pl) == 0 ? p + pl + 1 : p) >= 0)
				st = pt_exists(rootfd, path) ? PT_KMOD_MODULE : PT_KMOD_MISSING;
		} else if (k.kmod_module_get_initstate(m) == KMOD_MODULE_BUILTIN) {
			st = PT_KMOD_BUILTIN;
		}
		k.kmod_module_unref(m);
		if (st != PT_KMOD_MISSING)
			break;
	}
	k.kmod_module_unref_list(list);
	k.kmod_unref(ctx);
	pt_dl_close(k.dl);
	if (ret_path && size && pt_pathf(ret_path, size, "%s", st == PT_KMOD_MODULE ? path : "") < 0)
		return -ENAMETOOLONG;
	*ret = st;
	return 0;
}

static int cmp_kver(const void *a, const void *b)
{
	return strverscmp(a, b);
}

int pt_kernels_list(int rootfd, char (**ret)[64], size_t *ret_n)
{
	char(*v)[64] = NULL;
	struct dirent *de;
	size_t n = 0;
	DIR *dir;
	int r;

	*ret = NULL;
	*ret_n = 0;
	r = pt_opendir(rootfd, "lib/modules", &dir);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	while ((de = readdir(dir))) {
		char p[128];
		char(*nv)[64];

		if (de->d_name[0] == '.' || strlen(de->d_name) >= 64 ||
		    pt_pathf(p, sizeof(p), "%s/modules.dep", de->d_name) < 0)
			continue;
		if (!pt_exists(dirfd(dir), p))
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			free(v);
			closedir(dir);
			return -ENOMEM;
		}
		v = nv;
		pt_snprintf(v[n++], sizeof(v[0]), "%s", de->d_name);
	}
	closedir(dir);
	if (n > 1)
		qsort(v, n, sizeof(v[0]), cmp_kver);
	*ret = v;
	*ret_n = n;
	return 0;
}
