/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The host-side model for ptctl, on top of libptboot: what is on the disks behind each PCI
 * function (libblkid), mounts and swap, framebuffers in /proc/iomem, kernel modules (libkmod),
 * initramfs contents, per-vendor cmdline tuning, and the readiness findings built from them.
 * Same conventions as ptboot.h: 0 or -errno, ret_* written only on success, no logging, no
 * global state, every file read through the root fd. Not linked into pt-early.
 */
#ifndef PTBOOT_HOST_H
#define PTBOOT_HOST_H

#include "ptboot.h"

/* ---- mounts.c: proc/self/mountinfo and proc/swaps --------------------- */

struct pt_mount {
	unsigned major, minor;	/* st_dev of the mount (0:N for btrfs subvolumes, tmpfs...) */
	char source[128];	/* "/dev/nvme1n1p3", "/dev/mapper/vg-root", "tmpfs" */
	char target[192];	/* unescaped mount point */
	char fstype[32];
};

struct pt_mounts {
	struct pt_mount *v;
	size_t n;
	char (*swaps)[128];	/* swap devices or files, as proc/swaps names them */
	size_t nswaps;
};

/* Parse mountinfo text (pure). */
int pt_mountinfo_parse(const char *text, struct pt_mounts *ret);
/* Add the first column of proc/swaps text (pure). */
int pt_swaps_parse(const char *text, struct pt_mounts *m);
/* Both files under the root; a missing file gives an empty list. */
int pt_mounts_read(int rootfd, struct pt_mounts *ret);
void pt_mounts_free(struct pt_mounts *m);
/* Is target one of the mount points the running system can't lose? */
bool pt_mount_is_system(const char *target);

/* ---- iomem.c: who owns which range in /proc/iomem --------------------- */

struct pt_iomem_entry {
	int depth;		/* indentation level */
	uint64_t start, end;	/* zero when read without privileges */
	char name[64];
};

struct pt_iomem {
	struct pt_iomem_entry *v;
	size_t n;
};

int pt_iomem_parse(const char *text, struct pt_iomem *ret);
void pt_iomem_free(struct pt_iomem *io);
/* The firmware framebuffer inside one of slot's BARs, as "BOOTFB (simpledrm)" or "efifb";
 * works from the nesting alone, so an unprivileged read (all addresses 0) still answers.
 * Returns 1 and fills buf when there is one, 0 when not. */
int pt_iomem_framebuffer(const struct pt_iomem *io, const char *slot, char *buf, size_t size);

/* ---- storage.c: PCI function -> disks -> partitions -> holders -------- */

enum pt_blk_kind { PT_BLK_DISK, PT_BLK_PART, PT_BLK_HOLDER };

#define PT_BLK_MAXHOLD 8

struct pt_blk {
	enum pt_blk_kind kind;
	char name[32];		/* "nvme0n1p3", "dm-0" */
	unsigned major, minor;
	int parent;		/* the disk of a partition, else -1 */
	int holders[PT_BLK_MAXHOLD];	/* dm/md devices built on this one */
	size_t nholders;
	uint64_t size;		/* bytes */
	int partno;
	char pci[PT_SLOT_MAX];	/* the PCI function a disk hangs off ("" for dm/md) */
	char model[64];		/* disks */
	char dm_name[64];	/* holders: dm/name or md name */
	/* from libblkid (or "" when unknown) */
	char fstype[24], label[64], parttype[40], partname[72];
	char esp[64];		/* EFI/ subdirectories of a FAT ESP, "Microsoft fedora" */
	bool ms_bootmgr;	/* EFI/Microsoft/Boot/bootmgfw.efi exists */
	int probe_err;		/* -errno of opening dev/NAME (-EACCES when not root) */
	/* from mounts: directly on this device */
	char use[160];		/* "/ /home", "[swap]" */
	bool system;		/* this device or a holder on it carries /, /boot... */
};

struct pt_storage {
	struct pt_blk *v;
	size_t n;
};

/* Read sys/class/block, probe dev/NAME with libblkid, apply mounts (may be NULL). */
int pt_storage_scan(int rootfd, const struct pt_mounts *m, struct pt_storage *ret);
void pt_storage_free(struct pt_storage *s);
/* The mount points on b and everything built on it ("/ /home [swap]"). */
void pt_blk_uses(const struct pt_storage *s, size_t i, char *buf, size_t size);
/* Does the PCI function carry a disk in use? 2: it holds the running system (/, /boot...),
 * 1: something else is mounted or swapped on, 0: no. Names the disk and its uses in buf. */
int pt_storage_holds_system(const struct pt_storage *s, const char *slot, char *buf, size_t size);
/* "1.0 TB", "600 MB": decimal units as disk vendors label them. */
void pt_size_text(uint64_t bytes, char *buf, size_t size);
/* Read the EFI/ subdirectories of a FAT file system on fd at off (esp.c). */
int pt_fat_efi_dirs(int fd, uint64_t off, uint64_t size, char *buf, size_t bufsize,
		    bool *ret_ms_bootmgr);

/* ---- names.c: libpci's names for IDs and lspci's -s/-d filters -------- */

struct pt_names;
/* ids_file NULL: libpci's default pci.ids; hwdb: also ask udev's hwdb. */
int pt_names_new(const char *ids_file, bool hwdb, struct pt_names **ret);
void pt_names_free(struct pt_names *n);
const char *pt_names_class(struct pt_names *n, uint32_t cls, char *buf, size_t size);
/* As lspci -nn shows a function: "VGA compatible controller [0300]" and
 * "Advanced Micro Devices, Inc. [AMD/ATI] Navi 31 [...] [1002:744c]". */
const char *pt_names_lspci(struct pt_names *n, const struct pt_dev *d, char *cls, size_t clsize,
			   char *dev, size_t devsize);
const char *pt_names_vendor(struct pt_names *n, uint32_t v, char *buf, size_t size);
const char *pt_names_device(struct pt_names *n, uint32_t v, uint32_t d, char *buf, size_t size);
const char *pt_names_subsys(struct pt_names *n, uint32_t v, uint32_t d, uint32_t sv, uint32_t sd,
			    char *buf, size_t size);
/* lspci's filters; a parse error returns -EINVAL and a static reason. */
struct pt_filter;
int pt_filter_new(struct pt_names *n, const char *slot, const char *id, struct pt_filter **ret,
		  const char **ret_why);
bool pt_filter_match(struct pt_filter *f, const struct pt_dev *d);
void pt_filter_free(struct pt_filter *f);

/* ---- kmods.c: modules of an installed kernel (libkmod) ---------------- */

enum pt_kmod_state { PT_KMOD_MISSING, PT_KMOD_MODULE, PT_KMOD_BUILTIN };
/* root is the path of rootfd's directory (libkmod takes paths); ret_path relative to it. */
int pt_kmod_find(int rootfd, const char *kver, const char *name, enum pt_kmod_state *ret,
		 char *ret_path, size_t size);
/* Installed kernels: lib/modules/KVER directories with a modules.dep; sorted. */
int pt_kernels_list(int rootfd, char (**ret)[64], size_t *ret_n);

/* ---- initramfs.c: file names inside an initramfs ---------------------- */

/* Called for each member's path; return non-zero to stop. */
typedef int (*pt_cpio_cb)(const char *name, void *data);
/* Walk every cpio segment of an initramfs (early uncompressed parts, then gzip, zstd, xz,
 * lz4 or bzip2 through the matching decompressor on $PATH). */
int pt_initramfs_walk(int rootfd, const char *path, pt_cpio_cb cb, void *data);
/* The initramfs of a kernel: boot/initramfs-KVER.img, boot/initrd.img-KVER... */
int pt_initramfs_path(int rootfd, const char *kver, char *buf, size_t size);

/* ---- tuning.c: kernel-cmdline/tuning.conf ----------------------------- */

struct pt_tuning_rule {
	char when[48];		/* "cpu=intel", "fb=efifb", "always" */
	char args[128];		/* "" for "-": nothing to add */
	char why[192];
};

struct pt_tuning {
	struct pt_tuning_rule *v;
	size_t n;
};

/* Parse "when | args | why" lines; a bad line returns -EINVAL and its number. */
int pt_tuning_parse(const char *text, struct pt_tuning *ret, unsigned *ret_line);
void pt_tuning_free(struct pt_tuning *t);
const struct pt_tuning_rule *pt_tuning_find(const struct pt_tuning *t, const char *when);

/* ---- checks.c: the host as ptctl sees it, and its readiness ----------- */

struct pt_host {
	char root[4096];	/* as given, for messages */
	char fdroot[64];	/* "/proc/self/fd/N": the root fd as a path, for libkmod */
	struct pt_sys sys;
	struct pt_mounts mounts;
	struct pt_storage storage;
	struct pt_iomem iomem;
	char *cmdline;
	struct pt_opts opts;
	char kver[64];
	char cpu[8];		/* "amd", "intel" or "" (the host bridge's vendor) */
	char os_id[64];		/* os-release ID and ID_LIKE, "fedora" or "ubuntu debian" */
	bool dmar, ivrs;	/* ACPI tables present */
	int groups;		/* sys/kernel/iommu_groups entries */
};

/* Read everything once. cmdline_file NULL: proc/cmdline under the root. */
int pt_host_open(const char *root, const char *cmdline_file, bool probe_disks, struct pt_host *ret);
void pt_host_close(struct pt_host *h);

enum pt_sev { PT_SEV_OK, PT_SEV_INFO, PT_SEV_WARN, PT_SEV_ERROR };

struct pt_finding {
	enum pt_sev sev;
	char topic[24];		/* "iommu", "policy", "group"...: stable, for --json */
	char text[400];
	char fix[400];		/* "" when there is nothing to do */
};

struct pt_findings {
	struct pt_finding *v;
	size_t n;
};

const char *pt_sev_name(enum pt_sev s);
/* policy_text NULL: the running cmdline's pt.devices= (if any). */
int pt_check_run(const struct pt_host *h, const struct pt_tuning *tun, const char *policy_text,
		 struct pt_findings *ret);
void pt_findings_free(struct pt_findings *f);
enum pt_sev pt_findings_worst(const struct pt_findings *f);

/* The guarded selector of a function: "03:00.0@1002:744c" (domain 0 omitted). */
void pt_dev_guarded(const struct pt_dev *d, char *buf, size_t size);
/* Kernel arguments for passing the functions marked in sel[] (sys->ndevs entries):
 * completes their IOMMU groups (marking the members added), IOMMU and framebuffer tuning.
 * Each argument's reason goes to why (one "arg: reason" line each). -EBUSY: a function carries
 * the running system's disk; -ENODEV: nothing left to pass (only bridges). */
int pt_cmdline_build(const struct pt_host *h, const struct pt_tuning *tun, bool *sel,
		     struct pt_buf *args, struct pt_buf *why);

#endif
