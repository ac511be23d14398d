/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkmod and libblkid, opened by the function that needs them (dlopen, as systemd does), not
 * linked: their own dependencies (libcrypto, libzstd, liblzma) cost a linked ptctl about 7 ms
 * of loading and relocation on every start, and `ptctl list` uses neither. The libraries are
 * opened RTLD_NODELETE, so a second open is a reference count, not a second load. Each caller
 * holds its table on its stack: the library keeps no global state.
 */
#ifndef PTBOOT_HOST_DL_H
#define PTBOOT_HOST_DL_H

#include <blkid/blkid.h>
#include <libkmod.h>

#define PT_DL_FN(sym) __typeof__(sym) *sym

struct pt_kmod_api {
	void *dl;
	PT_DL_FN(kmod_new);
	PT_DL_FN(kmod_unref);
	PT_DL_FN(kmod_set_log_priority);
	PT_DL_FN(kmod_module_new_from_lookup);
	PT_DL_FN(kmod_list_next);
	PT_DL_FN(kmod_module_get_module);
	PT_DL_FN(kmod_module_get_path);
	PT_DL_FN(kmod_module_get_initstate);
	PT_DL_FN(kmod_module_unref);
	PT_DL_FN(kmod_module_unref_list);
};

struct pt_blkid_api {
	void *dl;
	PT_DL_FN(blkid_new_probe);
	PT_DL_FN(blkid_free_probe);
	PT_DL_FN(blkid_probe_set_device);
	PT_DL_FN(blkid_probe_enable_superblocks);
	PT_DL_FN(blkid_probe_set_superblocks_flags);
	PT_DL_FN(blkid_probe_enable_partitions);
	PT_DL_FN(blkid_probe_set_partitions_flags);
	PT_DL_FN(blkid_do_safeprobe);
	PT_DL_FN(blkid_probe_lookup_value);
	PT_DL_FN(blkid_probe_get_partitions);
	PT_DL_FN(blkid_partlist_numof_partitions);
	PT_DL_FN(blkid_partlist_get_partition);
	PT_DL_FN(blkid_partition_get_type_string);
	PT_DL_FN(blkid_partition_get_name);
	PT_DL_FN(blkid_partition_get_partno);
	PT_DL_FN(blkid_partition_get_type);
};

/* 0, or -ENOPKG when the library or one of its symbols is missing; close with pt_dl_close. */
int pt_kmod_api_open(struct pt_kmod_api *ret);
int pt_blkid_api_open(struct pt_blkid_api *ret);
void pt_dl_close(void *dl);

#endif
