// SPDX-License-Identifier: LGPL-2.1-or-later
/* libkmod and libblkid opened when needed: see dl.h. */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

#include "dl.h"

/* POSIX's way to store dlsym's object pointer into a function pointer */
#define DLSYM(api, sym) ((*(void **)&(api)->sym = dlsym((api)->dl, #sym)) != NULL)

static int open_lib(const char *soname, void **ret)
{
	*ret = dlopen(soname, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	return *ret ? 0 : -ENOPKG;
}

void pt_dl_close(void *dl)
{
	if (dl)
		dlclose(dl);
}

int pt_kmod_api_open(struct pt_kmod_api *k)
{
	*k = (struct pt_kmod_api){ 0 };
	if (open_lib("libkmod.so.2", &k->dl) < 0)
		return -ENOPKG;
	if (DLSYM(k, kmod_new) && DLSYM(k, kmod_unref) && DLSYM(k, kmod_set_log_priority) &&
	    DLSYM(k, kmod_module_new_from_lookup) && DLSYM(k, kmod_list_next) &&
	    DLSYM(k, kmod_module_get_module) && DLSYM(k, kmod_module_get_path) &&
	    DLSYM(k, kmod_module_get_initstate) && DLSYM(k, kmod_module_unref) &&
	    DLSYM(k, kmod_module_unref_list))
		return 0;
	pt_dl_close(k->dl);
	k->dl = NULL;
	return -ENOPKG;
}

int pt_blkid_api_open(struct pt_blkid_api *b)
{
	*b = (struct pt_blkid_api){ 0 };
	if (open_lib("libblkid.so.1", &b->dl) < 0)
		return -ENOPKG;
	if (DLSYM(b, blkid_new_probe) && DLSYM(b, blkid_free_probe) && DLSYM(b, blkid_probe_set_device) &&
	    DLSYM(b, blkid_probe_enable_superblocks) && DLSYM(b, blkid_probe_set_superblocks_flags) &&
	    DLSYM(b, blkid_probe_enable_partitions) && DLSYM(b, blkid_probe_set_partitions_flags) &&
	    DLSYM(b, blkid_do_safeprobe) && DLSYM(b, blkid_probe_lookup_value) &&
	    DLSYM(b, blkid_probe_get_partitions) && DLSYM(b, blkid_partlist_numof_partitions) &&
	    DLSYM(b, blkid_partlist_get_partition) && DLSYM(b, blkid_partition_get_type_string) &&
	    DLSYM(b, blkid_partition_get_name) && DLSYM(b, blkid_partition_get_partno) &&
	    DLSYM(b, blkid_partition_get_type))
		return 0;
	pt_dl_close(b->dl);
	b->dl = NULL;
	return -ENOPKG;
}
