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

#include <sys/types.h>

#include "ptboot.h"

/* ---- mounts.c: proc/self/mountinfo and proc/swaps --------------------- */

struct pt_mount {
	unsigned major, minor; /* st_dev of the mount (0:N for btrfs subvolumes, tmpfs...) */
	char source[128];      /* "/dev/nvme1n1p3", "/dev/mapper/vg-root", "tmpfs" */
	char target[192];      /* unescaped mount point */
	char fstype[32];
};

struct pt_mounts {
	struct pt_mount *v;
	size_t n;
	char (*swaps)[128]; /* swap devices or files, as proc/swaps names them */
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
	int depth;	     /* indentation level */
	uint64_t start, end; /* zero when read without privileges */
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

/* ---- storage.c: PCI functions -> disks -> partitions -> holders, as a graph ---- */

enum pt_blk_kind {
	PT_BLK_DISK,
	PT_BLK_PART,
	PT_BLK_HOLDER
};

struct pt_blk {
	enum pt_blk_kind kind;
	char name[32]; /* "nvme0n1p3", "dm-0" (the kernel's names fit in 32) */
	unsigned major, minor;
	int parent;   /* the disk of a partition, else -1 */
	int *holders; /* devices built on this one (dm, md...), by index: sorted, no repeats */
	size_t nholders;
	int *slaves; /* devices this one is built on (slaves/), by index: sorted, no repeats */
	size_t nslaves;
	int *parts; /* a disk's partitions, by index, sorted */
	size_t nparts;
	uint64_t size; /* bytes */
	int partno;
	char pci[PT_SLOT_MAX]; /* a disk's nearest PCI function ("" for dm/md, or none) */
	/* A disk's carriers: every PCI function that is not a bridge on its sysfs path (the NVMe
	 * and, for a drive behind Intel VMD, the VMD function hosting its domain), and for a native
	 * NVMe multipath disk every controller's function in its subsystem. Sorted. */
	char (*carriers)[PT_SLOT_MAX];
	size_t ncarriers;
	char model[64];	   /* disks */
	char dm_name[64];  /* holders: dm/name or md name */
	char dm_uuid[136]; /* dm/uuid: "LVM-<VG UUID><LV UUID>", "CRYPT-LUKS2-..." */
	/* from libblkid (or "" when unknown); a mounted multi-device btrfs is also known from
	 * sys/fs/btrfs/FSID/devices/, which fills fstype and uuid when libblkid could not */
	char fstype[24], label[64], uuid[40], parttype[40], partname[72];
	char esp[64];	 /* EFI/ subdirectories of a FAT ESP, "Microsoft fedora" */
	bool ms_bootmgr; /* EFI/Microsoft/Boot/bootmgfw.efi exists */
	int probe_err;	 /* -errno of opening dev/NAME (-EACCES when not root) */
	/* from mounts: directly on this device */
	char use[160]; /* "/ /home", "[swap]" */
	bool system;   /* mounted here at /, /boot, /boot/efi, /efi, /usr or /var */
	/* The storage component: devices joined by holder/slave edges (dm, md, LVM), the LVs of one
	 * volume group (dm/uuid), the members of one multi-device btrfs or md array (same UUID).
	 * The lowest index among its members. */
	size_t component;
};

struct pt_storage {
	struct pt_blk *v; /* sorted by name */
	size_t n;
};

/* Read sys/class/block (hidden NVMe path devices, loop, ram and zram left out), probe dev/NAME
 * with libblkid, apply mounts (may be NULL), then pt_storage_resolve(). -ENAMETOOLONG for a
 * sysfs path or name that does not fit. */
int pt_storage_scan(int rootfd, const struct pt_mounts *m, struct pt_storage *ret);
/* The part of the scan that needs no I/O but rootfd (-1: none) to follow mount sources that
 * are links under dev/: makes holder/slave edges symmetric, sorted and free of repeats (and of
 * indices out of range), lists each disk's partitions, applies mounts (m may be NULL) and
 * computes the components. */
int pt_storage_resolve(struct pt_storage *s, const struct pt_mounts *m, int rootfd);
void pt_storage_free(struct pt_storage *s);
/* Is b a disk that the PCI function slot ("0000:04:00.0") carries? */
bool pt_blk_carried_by(const struct pt_blk *b, const char *slot);
/* The mount points of what goes with block device i: i itself, a disk's partitions, all that
 * is built on them, and for a disk or partition the rest of its components (the VG's other
 * LVs, the btrfs or md array's other members): "/ /home [swap]". Each device counted once. */
void pt_blk_uses(const struct pt_storage *s, size_t i, char *buf, size_t size);
/* Does the PCI function carry a disk in use? 2: it holds the running system (/, /boot... on
 * the disk or anywhere in its components), 1: something else is mounted or swapped on, 0: no.
 * Names the disk and its uses in buf. */
int pt_storage_holds_system(const struct pt_storage *s, const char *slot, char *buf, size_t size);
/* The one text of that refusal, for every command: "04:00.0 [144d:a80c] carries the running
 * system's disk nvme1n1 (...): / /home" into buf when d holds the running system (returns
 * true), else false. */
bool pt_storage_system_refusal(const struct pt_storage *s, const struct pt_dev *d, char *buf, size_t size);
/* The partition of a disk of slot holding an ESP with the Microsoft boot manager (its FAT
 * volume serial, "1234-ABCD", is ->uuid): what GRUB's chainload entry searches for.
 * -ENOENT when there is none. */
int pt_windows_esp(const struct pt_storage *s, const char *slot, const struct pt_blk **ret);
/* "1.0 TB", "600 MB": decimal units as disk vendors label them. */
void pt_size_text(uint64_t bytes, char *buf, size_t size);
/* The VG UUID (32 characters) of an LVM LV's dm/uuid "LVM-<VG UUID><LV UUID>[-suffix]": 1 and
 * buf, or 0 when uuid is not an LV's. */
int pt_dm_uuid_vg(const char *uuid, char *buf, size_t size);
/* A symlink's target resolved against the directory it is in, both relative to the root:
 * ("sys/class/block", "../../devices/pci0000:00/...") -> "sys/devices/pci0000:00/...". ".."
 * stops at the root, as it does at "/"; buf must not overlap dir or target. -ENAMETOOLONG when
 * it does not fit. */
int pt_path_resolve(const char *dir, const char *target, char *buf, size_t size);

/* A walk for renderers of what is built on block devices (holders, partitions): each device is
 * descended into once, so a cycle in a hostile tree or a device on two paths (an LV over two
 * PVs) ends there. */
#define PT_BLK_WALK_DEPTH 32
struct pt_blk_walk {
	unsigned char *seen;
	size_t n;
};

/* -ENOMEM leaves a walk that descends nowhere (pt_blk_walk_enter false), so renderers may
 * ignore it. */
int pt_blk_walk_init(const struct pt_storage *s, struct pt_blk_walk *w);
/* True the first time: show what is built on i. False when i was entered before, is out of
 * range, or depth reaches PT_BLK_WALK_DEPTH: show i, not below it. */
bool pt_blk_walk_enter(struct pt_blk_walk *w, size_t i, int depth);
void pt_blk_walk_free(struct pt_blk_walk *w);
/* Read the EFI/ subdirectories of a FAT file system on fd at off (esp.c). */
int pt_fat_efi_dirs(int fd, uint64_t off, uint64_t size, char *buf, size_t bufsize, bool *ret_ms_bootmgr);

/* ---- names.c: libpci's names for IDs and lspci's -s/-d filters -------- */

struct pt_names;
/* ids_file NULL: libpci's default pci.ids; hwdb: also ask udev's hwdb, as lspci does. A
 * pci.ids that can't be read or parsed is no error: the names come from hwdb or are numbers,
 * and pt_names_problem says why. only: the functions whose IDs will be named (libpci then
 * parses just their vendors' part of pci.ids: a tenth of the time); NULL: any IDs. */
int pt_names_new(const char *ids_file, bool hwdb, const struct pt_sys *only, struct pt_names **ret);
const char *pt_names_problem(const struct pt_names *n);
void pt_names_free(struct pt_names *n);
const char *pt_names_class(struct pt_names *n, uint32_t cls, char *buf, size_t size);
/* As lspci -nn shows a function: "VGA compatible controller [0300]" and
 * "Advanced Micro Devices, Inc. [AMD/ATI] Navi 31 [...] [1002:744c]". */
const char *pt_names_lspci(struct pt_names *n, const struct pt_dev *d, char *cls, size_t clsize, char *dev,
			   size_t devsize);
const char *pt_names_vendor(struct pt_names *n, uint32_t v, char *buf, size_t size);
const char *pt_names_device(struct pt_names *n, uint32_t v, uint32_t d, char *buf, size_t size);
const char *pt_names_subsys(struct pt_names *n, uint32_t v, uint32_t d, uint32_t sv, uint32_t sd, char *buf,
			    size_t size);
/* lspci's filters; a parse error returns -EINVAL and a static reason. */
struct pt_filter;
int pt_filter_new(struct pt_names *n, const char *slot, const char *id, struct pt_filter **ret,
		  const char **ret_why);
bool pt_filter_match(struct pt_filter *f, const struct pt_dev *d);
void pt_filter_free(struct pt_filter *f);

/* ---- kmods.c: modules of an installed kernel (libkmod) ---------------- */

enum pt_kmod_state {
	PT_KMOD_MISSING,
	PT_KMOD_MODULE,
	PT_KMOD_BUILTIN
};
/* root is the path of rootfd's directory (libkmod takes paths); ret_path relative to it. */
int pt_kmod_find(int rootfd, const char *kver, const char *name, enum pt_kmod_state *ret, char *ret_path,
		 size_t size);
/* Installed kernels: lib/modules/KVER directories with a modules.dep; sorted. */
int pt_kernels_list(int rootfd, char (**ret)[64], size_t *ret_n);

/* ---- initramfs.c: file names inside an initramfs ---------------------- */

/* Called for each member's path; return non-zero to stop. */
typedef int (*pt_cpio_cb)(const char *name, void *data);
/* Walk every cpio segment of an initramfs (early uncompressed parts, then gzip, zstd, xz,
 * lz4 or bzip2 through the matching decompressor on $PATH); of a UKI, its .initrd section
 * (-ENODATA when it has none). */
int pt_initramfs_walk(int rootfd, const char *path, pt_cpio_cb cb, void *data);
/* The initramfs of a kernel: boot/initramfs-KVER.img, boot/initrd.img-KVER..., or the
 * unified kernel image ESP/EFI/Linux/TOKEN-KVER.efi (pt_initramfs_walk reads its .initrd). */
int pt_initramfs_path(int rootfd, const char *kver, char *buf, size_t size);
/* What an initramfs (or a UKI's .initrd) holds of ptboot's, from one walk over it. */
struct pt_initramfs_info {
	bool pt_early; /* .../pt-early */
	bool vfio_pci; /* vfio-pci.ko or vfio_pci.ko, compressed or not */
};
int pt_initramfs_scan(int rootfd, const char *path, struct pt_initramfs_info *ret);
/* The command that makes the initramfs at path (NULL: none yet) anew with ptboot in it. */
void pt_initramfs_rebuild(const char *path, const char *kver, char *buf, size_t size);
/* Whether ROOT builds its initramfs with initramfs-tools: etc/initramfs-tools and
 * update-initramfs present, and no dracut. */
bool pt_initramfs_tools(int rootfd);
/* pt_initramfs_rebuild with ROOT's generator: update-initramfs -u|-c -k KVER there. */
void pt_initramfs_rebuild_at(int rootfd, const char *path, const char *kver, char *buf, size_t size);

/* ---- tuning.c: kernel-cmdline/tuning.conf ----------------------------- */

struct pt_tuning_rule {
	char when[48];	/* "cpu=intel", "fb=efifb", "always" */
	char args[128]; /* "" for "-": nothing to add */
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
	char root[4096]; /* as given, for messages */
	char fdroot[64]; /* "/proc/self/fd/N": the root fd as a path, for libkmod */
	struct pt_sys sys;
	struct pt_mounts mounts;
	struct pt_storage storage;
	struct pt_iomem iomem;
	char *cmdline;
	struct pt_opts opts;
	char kver[64];
	char cpu[8];	 /* "amd", "intel" or "" (the host bridge's vendor) */
	char os_id[64];	 /* os-release ID and ID_LIKE, "fedora" or "ubuntu debian" */
	bool dmar, ivrs; /* ACPI tables present */
	int groups;	 /* sys/kernel/iommu_groups entries */
};

/* Read everything once. cmdline_file NULL: proc/cmdline under the root. */
int pt_host_open(const char *root, const char *cmdline_file, bool probe_disks, struct pt_host *ret);
void pt_host_close(struct pt_host *h);

enum pt_sev {
	PT_SEV_OK,
	PT_SEV_INFO,
	PT_SEV_WARN,
	PT_SEV_ERROR
};

struct pt_finding {
	enum pt_sev sev;
	char topic[24]; /* "iommu", "policy", "group"...: stable, for --json */
	char text[400];
	char fix[400]; /* "" when there is nothing to do */
	/* a leftover's place (leftovers.c): file relative to the root ("" for none), its line
	 * (0: not a text line) and the offending text */
	char file[192];
	unsigned line;
	char match[256];
};

struct pt_findings {
	struct pt_finding *v;
	size_t n;
};

const char *pt_sev_name(enum pt_sev s);

/* resetquirks.c: data/reset-quirks, what resets a function well enough for a VM, by ID range.
 * Lines "VENDOR:DEVICE[-DEVICE] METHOD NOTE", # comments; the first match wins. */
#define PT_RESET_QUIRKS "usr/share/ptboot/reset-quirks" /* under the root */
enum pt_reset_method {
	PT_RESET_FLR,	       /* Function Level Reset works */
	PT_RESET_BUS,	       /* a secondary bus reset works */
	PT_RESET_VENDOR_RESET, /* the vendor-reset module has a reset for it */
	PT_RESET_SHUTDOWN,     /* none known to be reliable: shut the VM down from the host */
};
struct pt_reset_quirk {
	uint16_t vendor, first, last; /* last == first for one ID */
	enum pt_reset_method method;
	char note[256]; /* the advice */
};
struct pt_reset_quirks {
	struct pt_reset_quirk *v;
	size_t n;
};
/* -EINVAL with the number of the first bad line in ret_line, or -ENOMEM. */
int pt_reset_quirks_parse(const char *text, size_t len, struct pt_reset_quirks *ret, unsigned *ret_line);
const struct pt_reset_quirk *pt_reset_quirks_find(const struct pt_reset_quirks *q, uint16_t vendor,
						  uint16_t device);
const char *pt_reset_method_name(enum pt_reset_method m); /* "flr", "vendor-reset"... */
void pt_reset_quirks_free(struct pt_reset_quirks *q);
/* The findings for the policy in policy_text (said to come from source, "--policy"), or for
 * the running command line's pt.devices= when it is NULL. */
int pt_check_run(const struct pt_host *h, const struct pt_tuning *tun, const struct pt_reset_quirks *resets,
		 const char *policy_text, const char *source, struct pt_findings *ret);
void pt_findings_free(struct pt_findings *f);
enum pt_sev pt_findings_worst(const struct pt_findings *f);
/* Interrupt remapping: 1 on, 0 off (intremap=off, or no remapped interrupt chip), -1 can't tell. */
int pt_host_irq_remap(const struct pt_host *h);

/* ---- leftovers.c: what a manual passthrough setup left on the disks ------------------------- */

struct pt_leftover {
	enum pt_sev sev;
	char file[192]; /* relative to the root: "etc/modprobe.d/vfio.conf", "boot/initramfs-K.img" */
	unsigned line;	/* 1-based; 0 for an initramfs member or a UKI's .cmdline */
	char text[256]; /* the offending argument, line or initramfs member */
	char why[300];	/* why it breaks the normal entry */
	char fix[300];
};

struct pt_leftovers {
	struct pt_leftover *v;
	size_t n;
};

/* Every leftover, in this order: boot entries (BLS options, UKI .cmdline, grub.cfg linux lines,
 * grubenv kernelopts), GRUB_CMDLINE_LINUX* in etc/default/grub and grub.d/NAME.cfg, etc/kernel/cmdline,
 * etc/modprobe.d (vfio-pci ids=/disable_vga, allow_unsafe_interrupts, softdeps pulling vfio, a
 * blacklist or install /bin/false of a host driver), dracut.conf(.d), initramfs-tools/modules,
 * and the copies of those inside each installed kernel's initramfs. */
int pt_leftovers_scan(const struct pt_host *h, struct pt_leftovers *ret);
void pt_leftovers_free(struct pt_leftovers *l);
/* Is key[=val] a kernel argument of the manual setup that a normal entry should not carry?
 * 1 with its severity and reason, 0 when not. */
int pt_karg_leftover(const char *key, const char *val, enum pt_sev *ret_sev, const char **ret_why);
/* What bound d to vfio-pci, from what can be read: a runtime ptctl bind (its journal), a
 * driverctl override (etc/driverctl.d), driver_override,
 * vfio-pci.ids= on the running command line, modprobe.d's ids= among l (may be NULL).
 * 1 and buf filled, 0 when none of them names it. */
int pt_leftover_binder(const struct pt_host *h, const struct pt_leftovers *l, const struct pt_dev *d,
		       char *buf, size_t size);

/* The command that makes the initramfs (or UKI) at path anew, as check's leftovers say it:
 * update-initramfs -u -k KVER for Debian's initrd.img-KVER, else pt_initramfs_rebuild's. */
void pt_leftover_rebuild(const char *path, const char *kver, char *buf, size_t size);

/* ---- migrate.c: ptctl migrate's plan, from the leftovers ------------------------------- */

/* One line removed or rewritten. */
struct pt_migrate_change {
	unsigned line; /* 1-based */
	char *old;     /* the line as it is */
	char *new;     /* NULL: removed */
	char *why;     /* "WORD: reason" lines */
};

/* A file migrate changes: its text now, and after (new NULL and remove: the file goes). */
struct pt_migrate_file {
	char path[PT_PATH_MAX]; /* relative to the root */
	char *old, *new;
	size_t oldlen, newlen;
	bool remove; /* nothing but comments left of a modprobe.d or dracut.conf.d file */
	unsigned mode;
	uid_t uid;
	gid_t gid;
	struct pt_migrate_change *changes;
	size_t nchanges;
};

/* One ID of the manual setup's vfio-pci ids= lists, and what it names on this machine. */
struct pt_migrate_id {
	char id[10];	  /* "1002:744c" */
	char from[400];	  /* "/etc/modprobe.d/vfio.conf:1, /etc/kernel/cmdline:1" */
	size_t nmatch;	  /* functions it names */
	char slots[128];  /* "04:00.0, 05:00.0" */
	char guarded[64]; /* SLOT@ID of the one function it names; "" when nmatch != 1 */
};

struct pt_migrate_kernel {
	char kver[64];
	char image[PT_PATH_MAX]; /* relative to the root */
	char cmd[192];		 /* the distribution's command: dracut -f --kver KVER... */
};

struct pt_migrate {
	struct pt_leftovers leftovers;
	struct pt_migrate_id *ids;
	size_t nids;
	struct pt_migrate_file *files; /* in the leftovers' order */
	size_t nfiles;
	struct pt_migrate_kernel *kernels;
	size_t nkernels;
	char regenerate[32]; /* "update-grub": grub.cfg is made from what changed */
	char (*notes)[400];  /* leftovers migrate leaves (a file of an unknown kind) */
	size_t nnotes;
};

/* The leftovers, and the IDs of their ids= lists resolved on h (pt_select: the selector
 * code of every command). */
int pt_migrate_scan(const struct pt_host *h, struct pt_migrate *ret);
/* The files' edits, args being the host+passthrough entry's arguments ("" without one):
 * boot entries, etc/default/grub(.d), etc/kernel/cmdline, grubenv's kernelopts and
 * dracut's kernel_cmdline lose what pt_kargs_strip leaves out and the words of args;
 * modprobe.d loses ids=/disable_vga (and allow_unsafe_interrupts with interrupt remapping),
 * the vfio softdeps and the blacklists leftovers names; dracut's force_drivers/add_drivers
 * their vfio modules; initramfs-tools/modules its vfio lines. Then the kernels to rebuild. */
int pt_migrate_edits(const struct pt_host *h, const char *args, struct pt_migrate *m);
/* Nothing to do: no IDs, edits, kernels or grub.cfg to make. */
bool pt_migrate_empty(const struct pt_migrate *m);
void pt_migrate_free(struct pt_migrate *m);

enum pt_migrate_kind {
	PT_MIG_ARGS,	     /* a whole command line (etc/kernel/cmdline) */
	PT_MIG_BLS,	     /* a BLS entry's "options ..." line */
	PT_MIG_DEFAULT_GRUB, /* GRUB_CMDLINE_LINUX="..." */
	PT_MIG_MODPROBE,     /* a modprobe.d line leftovers flagged */
	PT_MIG_DRACUT,	     /* force_drivers+=" ... ", add_drivers, kernel_cmdline= */
	PT_MIG_ITOOLS,	     /* a line of etc/initramfs-tools/modules */
};
/* One line without the manual setup (pure): 1 rewritten into out, 2 removed, 0 unchanged,
 * -errno. why gets a "WORD: reason" line for each part taken out. */
int pt_migrate_line(enum pt_migrate_kind kind, const char *line, const char *args, bool irq_remap,
		    struct pt_buf *out, struct pt_buf *why);
/* SHA-256 of data as 64 hex digits. */
void pt_sha256_hex(const void *data, size_t len, char out[65]);

/* ---- select.c: what selectors mean on this host, for every command ---------------------- */

struct pt_selection {
	char *text; /* the selectors as given, joined by commas */
	struct pt_policy pol;
	struct pt_plan plan; /* plan.take: the functions the selection passes */
};

/* Parse text (pt.devices= syntax) and plan it on sys (flags as pt_plan_build). -EINVAL or
 * -E2BIG with ret_err filled for a malformed policy. */
int pt_select(const struct pt_sys *sys, const char *text, unsigned flags, struct pt_selection *ret,
	      struct pt_policy_error *ret_err);
void pt_selection_free(struct pt_selection *s);

/* A refusal every command treats as an error (all but a bridge, which just stays home). */
bool pt_refusal_is_error(enum pt_refusal r);

struct pt_sel_problem {
	bool error;  /* else a warning */
	int sel;     /* the selector (index into pol), -1 for none */
	size_t item; /* the refused plan item, SIZE_MAX for a selector that matches nothing */
	enum pt_refusal refusal;
	char text[PT_REASON_MAX + 128]; /* "selector 09:00.0 matches no PCI function" */
};

/* The next problem of a selection: selectors that match nothing (in policy order), then
 * refusals (in slot order). *iter starts at 0. 1 and ret filled, 0 at the end. */
int pt_selection_problem(const struct pt_selection *s, const struct pt_sys *sys, size_t *iter,
			 struct pt_sel_problem *ret);
/* The first problem that is an error: 1 and ret filled, 0 when there is none. */
int pt_selection_first_error(const struct pt_selection *s, const struct pt_sys *sys,
			     struct pt_sel_problem *ret);

/* ---- kargs.c: the kernel arguments that pass a set of functions -------------------------- */

struct pt_kargs {
	struct pt_buf args; /* "iommu=pt pt.devices=03:00.0@1002:744c,..." */
	struct pt_buf why;  /* one "ARG: reason" or "SLOT: added ..." line each */
	char refusal[400];  /* -EBUSY: "04:00.0 carries the running system's disk ..." */
};

/* The arguments for passing the functions marked in sel[] (sys->ndevs entries): bridges
 * dropped, IOMMU groups completed (marking the members added), IOMMU and framebuffer tuning.
 * -EBUSY: a function carries the running system's disk (refusal says which); -ENODEV:
 * nothing left to pass. ret is filled either way; pt_kargs_free it. */
int pt_kargs_build(const struct pt_host *h, const struct pt_tuning *tun, bool *sel, struct pt_kargs *ret);
void pt_kargs_free(struct pt_kargs *k);
/* A normal entry's options without what a host+passthrough entry must not inherit: the
 * leftovers of a manual setup (pt_karg_leftover: vfio-pci.ids=, amd_iommu=on, video=efifb:off...),
 * pt.* keys, and keys args sets to another value (iommu=, intel_iommu=). Order kept; each token
 * left out goes to dropped (may be NULL) as a "TOKEN: why" line. */
int pt_kargs_strip(const char *options, const char *args, struct pt_buf *out, struct pt_buf *dropped);

/* ---- safety.c: what holds a function the host would lose (ptctl bind/unbind) ----------------- */

enum pt_hold_kind {
	PT_HOLD_SYSTEM,	 /* carries the running system's disk: never taken, under any flag */
	PT_HOLD_DISK,	 /* a disk, partition or dm/md/swap holder on it is mounted or active */
	PT_HOLD_CONSOLE, /* a display held by a framebuffer or a DRM client (--force lifts it) */
	PT_HOLD_GROUP,	 /* its IOMMU group keeps members on host drivers (--group lifts it) */
	PT_HOLD_VFIO,	 /* a process (a VM) has the group's /dev/vfio/N open: no unbind */
};

struct pt_hold {
	size_t dev; /* index into sys->devs */
	enum pt_hold_kind kind;
	char text[400]; /* what holds it, naming disks, mounts, processes, functions */
};

struct pt_holds {
	struct pt_hold *v;
	size_t n;
};

/* Processes with a file under dev/ open, from proc/PID/fd (names as "Xorg[1234]"). */
struct pt_opener {
	char path[128]; /* "/dev/dri/card0", "/dev/vfio/8" */
	char who[64];	/* "Xorg[1234]" */
};

struct pt_openers {
	struct pt_opener *v;
	size_t n;
};

/* Scan proc/[0-9]* /fd under the root for links into /dev/dri/ and /dev/vfio/. Unreadable
 * processes (not root) are skipped. */
int pt_openers_scan(int rootfd, struct pt_openers *ret);
void pt_openers_free(struct pt_openers *o);

/* Why each function marked in take[] (sys->ndevs entries) must stay with the host before it
 * goes to vfio-pci: system disk, disk in use, console (display with a firmware framebuffer in
 * its BAR, an fbdev or a DRM client), IOMMU group members left on host drivers (members that
 * are unbound, on vfio-pci or pci-stub, and bridges, don't count). All holds are reported;
 * the caller decides which flags lift which. */
int pt_safety_bind(const struct pt_host *h, const struct pt_openers *op, const bool *take,
		   struct pt_holds *ret);
/* Why a function marked in give[] can't go back to the host now: a process has its IOMMU
 * group's /dev/vfio/N open (a running VM). */
int pt_safety_release(const struct pt_host *h, const struct pt_openers *op, const bool *give,
		      struct pt_holds *ret);
void pt_holds_free(struct pt_holds *hs);
const char *pt_hold_name(enum pt_hold_kind k);

/* ---- virt.c: VM definitions for the functions to pass --------------------------------------- */

enum pt_virt_format {
	PT_VIRT_LIBVIRT,
	PT_VIRT_VIRT_INSTALL,
	PT_VIRT_QEMU
};

int pt_virt_format_parse(const char *s, enum pt_virt_format *ret);
/* Render the functions marked in sel[] (sys->ndevs entries) for a q35 guest: libvirt
 * <hostdev> elements (managed='no': ptboot owns the binding), virt-install --hostdev flags
 * or QEMU -device arguments. The functions of one host slot stay one multifunction device in
 * the guest, on a pcie-root-port of their own (index 16 upwards); single functions get no
 * guest address. Comments (XML or "# ") say where the list comes from (origin), warn about a
 * GPU without a reset method and an incomplete IOMMU group, and name the current driver of
 * any function not on vfio-pci. -ENODEV: nothing marked (or only bridges). */
int pt_virt_render(const struct pt_sys *sys, const bool *sel, enum pt_virt_format fmt, const char *origin,
		   struct pt_buf *out);

/* ---- state.c: pt-early's state report and ptctl's runtime journal, read back -------------- */

struct pt_state_dev {
	char slot[PT_SLOT_MAX];
	uint32_t vendor, device;
	int group;
	char selector[64], action[16], result[16];
	char driver_before[PT_NAME_MAX], driver_after[PT_NAME_MAX];
	char reason[PT_REASON_MAX];
};

struct pt_state {
	char tool[32], policy[512], kernel[64], modules[32];
	bool off, dry_run, has_iommu, iommu;
	uint64_t modules_us, elapsed_us;
	char (*errors)[256], (*warnings)[256];
	size_t nerrors, nwarnings;
	struct pt_state_dev *devs;
	size_t ndevs;
};

/* Parse a state report (JSON text). -EINVAL on anything that is not one (ret_off: where). */
int pt_state_parse(const char *text, struct pt_state *ret, size_t *ret_off);
void pt_state_free(struct pt_state *st);

/* run/ptboot/runtime.log: one line per change ptctl made at runtime,
 * "EPOCH bind|unbind SLOT VVVV:DDDD FROM TO" (FROM/TO "-" when no driver). */
#define PT_RUNTIME_LOG "run/ptboot/runtime.log"
int pt_runtime_log_append(int rootfd, uint64_t epoch, const char *action, const struct pt_dev *d,
			  const char *from, const char *to);

struct pt_runtime_entry {
	uint64_t epoch;
	char action[16]; /* "bind", "unbind" */
	char slot[PT_SLOT_MAX], ids[16];
	char from[PT_NAME_MAX], to[PT_NAME_MAX]; /* "-": no driver */
};

/* Each well-formed line of the journal's text, in order; fn's non-zero return stops. */
typedef int (*pt_runtime_fn)(void *data, const struct pt_runtime_entry *e);
int pt_runtime_log_parse(const char *text, pt_runtime_fn fn, void *data);

/* ---- bls.c, grub.c, entries.c: the boot menu's host+passthrough entries --- */

/* The first line of every file ptboot writes into a BLS entries directory: only files that
 * start with it are ever rewritten or removed. */
#define PT_ENTRY_MARKER "# ptboot:"
#define PT_ENTRY_SUFFIX "-ptboot"		/* KERNEL-ENTRY-ID-ptboot.conf */
#define PT_ENTRY_CONF	"etc/ptboot/entry.conf" /* read by grub.d/42_ptboot and the plugin */
/* ptctl's lock on a root's boot files: flock'ed by every command that writes them (entry
 * add/remove, boot); on /run, so a full or read-only /boot never stops it and no reboot keeps it */
#define PT_LOCK_FILE	   "run/ptboot/ptctl.lock"
#define PT_LOCK_WAIT_MS	   5000 /* how long a second writer waits */
#define PT_GRUBD_SCRIPT	   "etc/grub.d/42_ptboot"
#define PT_GRUB_ID	   "ptboot" /* 42_ptboot's entry for the newest kernel */
#define PT_GRUB_WINDOWS_ID "ptboot-windows"
/* systemd-boot's own entry for the Windows boot manager on its ESP (PT_WINDOWS_BOOTMGR) */
#define PT_SDBOOT_WINDOWS_ID "auto-windows"
#define PT_WINDOWS_BOOTMGR   "EFI/Microsoft/Boot/bootmgfw.efi"
#define PT_BLS_MAX	     (64 << 10) /* bigger entry files are refused */

/* bls.c: one BLS Type #1 entry ("key value" lines), lines kept in order. */
struct pt_bls_line {
	char *key; /* NULL for a comment or blank line (kept verbatim in value) */
	char *value;
};

struct pt_bls {
	struct pt_bls_line *v;
	size_t n;
	bool ours; /* starts with PT_ENTRY_MARKER */
	char *mem; /* the text the pointers point into */
};

/* Parse any bytes (NUL, overlong lines, missing newline...): -EINVAL for binary or oversized input. */
int pt_bls_parse(const char *text, size_t len, struct pt_bls *ret);
void pt_bls_free(struct pt_bls *e);
/* The last value of key, or NULL. */
const char *pt_bls_get(const struct pt_bls *e, const char *key);
/* The kernel version an entry boots: "version", else from "linux" (.../vmlinuz-KVER or
 * .../KVER/linux). Returns 1 and fills buf, 0 when it can't tell. */
int pt_bls_kver(const struct pt_bls *e, char *buf, size_t size);
/* Append args to options' kernel part (minus what pt_kargs_strip leaves out), skipping words
 * it already holds: before a "--" word (what follows it is init's), words in double quotes
 * kept whole. */
int pt_args_merge(const char *options, const char *args, struct pt_buf *out);
/* Our entry from the kernel's own (src = its file name, "ID.conf" or a UKI's "NAME.efi"):
 * every line copied, the title extended by " (TITLE)", args appended to options (or to
 * fallback_options when the entry has none). -EINVAL when it has no linux or efi line. */
int pt_bls_derive(const struct pt_bls *orig, const char *src, const char *title, const char *args,
		  const char *fallback_options, struct pt_buf *out);
/* Is our entry file edited by hand: do its title or options differ from want's (what ptctl
 * would write from entry.conf)? 1 with each differing line as "-KEY WANTED\n+KEY FOUND\n" in
 * diff and the kernel words the file's options add (before a "--") in added; 0 when not. */
int pt_bls_edits(const struct pt_bls *file, const struct pt_bls *want, struct pt_buf *diff,
		 struct pt_buf *added);
/* entry add --args: words the kernel reads as one parameter each; -EINVAL with "WORD: why"
 * in bad for a pt.* key, a "--", an unclosed double quote, or a byte entry.conf can't hold. */
int pt_extra_args_check(const char *args, char *bad, size_t size);

/* grub.c: GRUB's environment block (1024 bytes: header, key=value lines, '#' padding). */
#define PT_GRUBENV_SIZE 1024
/* 1 and the value when set, 0 when not; tolerant of any input. */
int pt_grubenv_get(const char *text, size_t len, const char *key, char *buf, size_t size);
/* A new block with key set (value NULL: removed); -ENOSPC when it would exceed 1024 bytes,
 * -EINVAL for a key or value GRUB could not read back, -EBADMSG when text (non-empty) is no
 * environment block (no "# GRUB Environment Block" header, or a NUL byte). */
int pt_grubenv_set(const char *text, size_t len, const char *key, const char *value, struct pt_buf *out);

/* grub.c: the menu entries of a generated grub.cfg. */
struct pt_menuentry {
	char title[256];
	char id[256];	      /* $menuentry_id_option / --id, "" when none */
	char script[64];      /* "10_linux": the ### BEGIN /etc/grub.d/NAME ### section */
	char linux_path[256]; /* first "linux" command: path and arguments */
	char linux_args[2048];
	int depth; /* 0 top level, 1 inside a submenu */
	bool submenu;
};

struct pt_menu {
	struct pt_menuentry *v;
	size_t n;
};

int pt_grubcfg_parse(const char *text, size_t len, struct pt_menu *ret);
void pt_menu_free(struct pt_menu *m);

/* grub.c: etc/ptboot/entry.conf, shell-sourceable NAME='value' lines. */
struct pt_entry_conf {
	char args[2048];		/* PTBOOT_ARGS: what pt_cmdline_build computed */
	char title[128];		/* PTBOOT_TITLE */
	char policy[1024];		/* PTBOOT_POLICY: the selection it was computed from */
	char windows_uuid[64];		/* PTBOOT_WINDOWS_UUID: FAT serial of the Windows ESP */
	char windows_slot[PT_SLOT_MAX]; /* PTBOOT_WINDOWS_SLOT */
	char extra[1024];		/* PTBOOT_EXTRA_ARGS: entry add --args, the user's own */
};

/* One NAME='value' line after another, entry.conf's shell-sourceable format: blank lines and
 * # comments skipped; a value single-quoted or bare (no quote, '$' or blank); no control byte
 * or backslash. fn gets each name and value (not NUL-terminated); -EINVAL for a malformed
 * line; fn's negative return ends the walk with it. */
typedef int (*pt_conf_var_fn)(void *data, const char *name, size_t nlen, const char *value, size_t vlen);
int pt_conf_vars(const char *text, size_t len, pt_conf_var_fn fn, void *data);
/* Unknown names are ignored; -EINVAL for a line that is not NAME='...' or a comment. */
int pt_entry_conf_parse(const char *text, size_t len, struct pt_entry_conf *ret);
/* -EINVAL when a value holds a quote, a backslash, a '$' or a control character. */
int pt_entry_conf_format(const struct pt_entry_conf *c, struct pt_buf *out);
/* Read and parse PT_ENTRY_CONF under rootfd: 1, -ENOENT when there is none, -EINVAL when
 * it is malformed, or another -errno. */
int pt_entry_conf_read(int rootfd, struct pt_entry_conf *ret);
/* The selection entry add saved: the pt.devices= of PTBOOT_ARGS (else PTBOOT_POLICY); 1 with
 * it in buf, 0 when there is none. */
#define PT_SAVED_POLICY_SOURCE "the selection saved by ptctl entry add (" PT_ENTRY_CONF ")"
int pt_saved_policy(int rootfd, char *buf, size_t size);

/* entries.c: which boot loader a root uses. */
enum pt_loader {
	PT_LOADER_NONE,
	PT_LOADER_GRUB,
	PT_LOADER_GRUB_BLS,
	PT_LOADER_SDBOOT
};

struct pt_boot {
	enum pt_loader loader;
	char entries[96];	 /* BLS: "boot/loader/entries", "efi/loader/entries" */
	char esp[32];		 /* systemd-boot: its partition ("efi"), where EFI/Linux/ holds UKIs */
	char grubdir[64];	 /* GRUB: "boot/grub" or "boot/grub2" (grub.cfg, grubenv) */
	char mkconfig[32];	 /* "update-grub", "grub2-mkconfig", "grub-mkconfig" */
	bool grub_default_saved; /* etc/default/grub: GRUB_DEFAULT=saved */
	bool grub_blscfg;	 /* etc/default/grub: GRUB_ENABLE_BLSCFG=true */
	bool grubd_script;	 /* etc/grub.d/42_ptboot exists and is executable */
};

const char *pt_loader_name(enum pt_loader l);
int pt_boot_detect(int rootfd, struct pt_boot *ret);

/* One BLS entry file of a root, or a unified kernel image read as one (uki). */
struct pt_bls_file {
	char name[256]; /* "ID.conf", or "NAME.efi" for a UKI */
	bool uki;	/* ESP/EFI/Linux/NAME.efi: e holds the Type #1 lines standing for it */
	char kver[64];	/* "" when unknown */
	struct pt_bls e;
};

struct pt_bls_files {
	struct pt_bls_file *v;
	size_t n;
	struct pt_buf skipped; /* the names of the files skipped, ", " between */
};

void pt_bls_files_free(struct pt_bls_files *f);

/* The entries a boot loader lists, newest kernel first: every *.conf of b->entries, and for
 * systemd-boot also the UKIs of b->esp/EFI/Linux (an absent entries directory is then no
 * error). Unreadable or malformed entry files are left out, counted in ret_skipped (may be
 * NULL). */
int pt_boot_entries(int rootfd, const struct pt_boot *b, struct pt_bls_files *ret, size_t *ret_skipped);

/* uki.c: unified kernel images. */
#define PT_UKI_DIR  "EFI/Linux"
#define PT_UKI_HEAD 4096 /* headers and section table must lie in the first 4 KiB */
struct pt_pe_section {
	char name[9];
	uint32_t offset, size; /* in the file; size: VirtualSize, at most SizeOfRawData */
};

/* The section table of a PE image whose first len bytes are head: -EINVAL when it is not
 * one, -E2BIG when the table lies beyond head. At most max sections are returned. */
int pt_pe_sections(const unsigned char *head, size_t len, struct pt_pe_section *v, size_t max, size_t *ret_n);

/* Where a UKI's bytes come from: read_at returns the count read or -errno. */
struct pt_uki_reader {
	ssize_t (*read_at)(void *ctx, void *buf, size_t n, uint64_t off);
	void *ctx;
};

/* The Type #1 lines that stand for a UKI at efi_path ("/EFI/Linux/NAME.efi"): "title" from
 * .osrel's PRETTY_NAME (or NAME, or "Linux"), "version" from .uname, "efi", and "options"
 * from .cmdline when it has one. -ENOEXEC: a PE file without .linux; -EINVAL: malformed. */
int pt_uki_entry(const struct pt_uki_reader *rd, const char *efi_path, struct pt_buf *out);

/* Readers: ctx is an int * (a file descriptor) or a struct pt_uki_mem *. */
ssize_t pt_uki_read_fd(void *ctx, void *buf, size_t n, uint64_t off);
struct pt_uki_mem {
	const unsigned char *p;
	size_t len;
};
ssize_t pt_uki_read_mem(void *ctx, void *buf, size_t n, uint64_t off);

/* 1 when the firmware booted with Secure Boot on (efivarfs SecureBoot), else 0. */
int pt_secure_boot(int rootfd);

/* A string EFI variable (UTF-16LE, NUL-terminated, NV|BS|RT) through efivarfs under the
 * root, the way bootctl set-oneshot writes LoaderEntryOneShot; value NULL deletes it. */
#define PT_EFI_LOADER_GUID "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
int pt_efivar_set(int rootfd, const char *name, const char *guid, const char *value);
int pt_efivar_get(int rootfd, const char *name, const char *guid, char *buf, size_t size);

/* ==== VM mode (issue #18): the host's CPUs and memory, the plan for a VM, its definitions ===== */

/* ---- cpu.c: CPU sets, the CPU topology of a root, and what a VM-mode boot really got ---------- */

#define PT_CPU_MAX 1024 /* CPU (and NUMA node) numbers 0..1023; a bigger host gets -ERANGE */
#define PT_SMT_MAX 8	/* hardware threads of one core */

/* A set of logical CPUs (or of NUMA nodes: the same small-number set). Zero-initialised = empty. */
struct pt_cpuset {
	uint64_t bits[PT_CPU_MAX / 64];
};

/* cpu >= PT_CPU_MAX is ignored by add and absent from has. */
void pt_cpuset_add(struct pt_cpuset *s, unsigned cpu);
bool pt_cpuset_has(const struct pt_cpuset *s, unsigned cpu);
unsigned pt_cpuset_count(const struct pt_cpuset *s);
bool pt_cpuset_empty(const struct pt_cpuset *s);
bool pt_cpuset_equal(const struct pt_cpuset *a, const struct pt_cpuset *b);
/* Every member of a is in b. */
bool pt_cpuset_subset(const struct pt_cpuset *a, const struct pt_cpuset *b);
/* The smallest member greater than prev (prev -1: the first); -1 when there is none:
 *     for (int c = pt_cpuset_next(s, -1); c >= 0; c = pt_cpuset_next(s, c)) */
int pt_cpuset_next(const struct pt_cpuset *s, int prev);
/* Parse a kernel CPU list as sysfs and procfs print it: "0-7,16-23", "5", or "" (empty).
 * Blanks and one trailing newline are tolerated; anything else is -EINVAL ("a-b" with a > b
 * too), a number >= PT_CPU_MAX is -ERANGE. */
int pt_cpulist_parse(const char *s, struct pt_cpuset *ret);
/* The list the way the kernel prints it ("0-7,16-23"; "" when empty): the length, or -ENOSPC
 * when it does not fit in size (buf then holds ""). */
int pt_cpulist_format(const struct pt_cpuset *s, char *buf, size_t size);
void pt_buf_cpulist(struct pt_buf *b, const struct pt_cpuset *s);

/* Intel hybrid parts list their P-cores in sys/devices/cpu_core/cpus and their E-cores in
 * sys/devices/cpu_atom/cpus (the hybrid PMUs); elsewhere a lower cpu_capacity (arm64) marks an
 * efficiency core. Uniform hosts have PT_CORE_ANY only. */
enum pt_core_kind {
	PT_CORE_ANY,
	PT_CORE_P,
	PT_CORE_E
};

/* One physical core: its SMT siblings (thread_siblings_list, online ones only). */
struct pt_core {
	uint16_t cpus[PT_SMT_MAX]; /* ascending */
	unsigned ncpus;
	int core_id, die, cluster, package; /* topology/ attributes; -1 when absent */
	int node;			    /* NUMA node, -1 when the root has no node directory */
	int l3;				    /* index into pt_topo.l3 */
	enum pt_core_kind kind;
	unsigned capacity; /* cpu_capacity, 0 when absent (x86 never has it) */
};

/* One last-level cache domain: the L3 (cache/indexN with level 3, whatever N) of a set of cores.
 * A host whose caches are not in sysfs (many VMs) gets one domain per package, size 0. */
struct pt_l3 {
	int id;		       /* cache/indexN/id; the package number for a made-up domain */
	bool synthetic;	       /* made up from a package: sysfs showed no L3 */
	uint64_t size;	       /* bytes, 0 when unknown */
	struct pt_cpuset cpus; /* shared_cpu_list (online CPUs only) */
};

struct pt_numa {
	int id;
	struct pt_cpuset cpus; /* nodeN/cpulist */
	uint64_t mem_total;    /* nodeN/meminfo "Node N MemTotal", bytes; 0 when unknown */
};

/* A hugepage pool, sys/kernel/mm/hugepages/hugepages-NkB (and per node, nodeN/hugepages/). */
struct pt_hugepool {
	uint64_t size;	   /* bytes: 2 MiB, 1 GiB */
	uint64_t nr, free; /* nr_hugepages, free_hugepages */
};

#define PT_HUGEPOOL_MAX 4

/* The CPUs, caches, NUMA nodes, memory and hugepage pools of a root: what the VM planner needs. */
struct pt_topo {
	struct pt_cpuset online; /* sys/devices/system/cpu/online */
	struct pt_core *cores;	 /* ordered by their first CPU */
	size_t ncores;
	struct pt_l3 *l3; /* ordered by id */
	size_t nl3;
	struct pt_numa *nodes; /* ordered by id; one node 0 holding every CPU when the
					 * root has no sys/devices/system/node */
	size_t nnodes;
	char vendor[16]; /* proc/cpuinfo vendor_id: "AuthenticAMD", "GenuineIntel" */
	char model[96];	 /* proc/cpuinfo model name */
	bool pdpe1gb;	 /* the CPU can map 1 GiB pages */
	bool hybrid;	 /* cores of two kinds */
	unsigned smt;	 /* the most threads of one core: 1 or 2 on x86 */
	/* proc/meminfo, bytes; hugetlb: every pool's pages (Hugetlb:, or HugePages_Total x
	 * Hugepagesize on kernels before 5.x) */
	uint64_t mem_total, mem_available, hugetlb, hugepage_default;
	struct pt_hugepool pools[PT_HUGEPOOL_MAX]; /* ascending size */
	size_t npools;
};

/* Read everything above through the root fd. -ENOENT when the root has no
 * sys/devices/system/cpu/online or no proc/meminfo; -ERANGE for a CPU >= PT_CPU_MAX. */
int pt_topo_read(int rootfd, struct pt_topo *ret);
void pt_topo_free(struct pt_topo *t);
/* The core holding cpu, or NULL. */
const struct pt_core *pt_topo_core_of(const struct pt_topo *t, unsigned cpu);
bool pt_topo_amd(const struct pt_topo *t);

/* The threads of one running QEMU, for `ptctl check` on a VM-mode boot. */
struct pt_qemu_thread {
	int tid;
	int vcpu;		  /* N of a thread named "CPU N/KVM" ("CPU N/TCG"), else -1 */
	struct pt_cpuset allowed; /* status: Cpus_allowed_list */
};

struct pt_qemu {
	int pid;
	char name[64];			/* -name guest=NAME or -name NAME, else the comm */
	struct pt_qemu_thread *threads; /* by tid; the first is the main (emulator) thread */
	size_t nthreads;
	unsigned nvcpus; /* threads with vcpu >= 0: 0 without -name ...,debug-threads=on */
};

/* What a boot really reserved and isolated (the VM entry's proof), and the QEMUs that run. */
struct pt_vmstate {
	bool has_isolated; /* sys/devices/system/cpu/isolated exists */
	struct pt_cpuset isolated;
	bool has_nohz_full;	    /* sys/devices/system/cpu/nohz_full exists (CONFIG_NO_HZ_FULL) */
	struct pt_cpuset nohz_full; /* empty when it reads "(null)" */
	struct pt_hugepool pools[PT_HUGEPOOL_MAX]; /* as in pt_topo */
	size_t npools;
	uint64_t hugepages_total, hugepage_size; /* proc/meminfo HugePages_Total, Hugepagesize */
	struct pt_qemu *qemus; /* processes whose comm or argv[0] is qemu-system-* or qemu-kvm */
	size_t nqemus;
};

/* Read the state under the root. Processes that vanish or can't be read (not root) are skipped. */
int pt_vmstate_read(int rootfd, struct pt_vmstate *ret);
void pt_vmstate_free(struct pt_vmstate *st);

/* ---- tune.c: the VM planner -------------------------------------------------------------- */

/* The memory the host keeps outside the VM's hugepages: max(PT_TUNE_FLOOR_MIN, MemTotal /
 * PT_TUNE_FLOOR_DIV). Boot-time hugepages are taken before anything else runs, so a
 * reservation that leaves too little makes the VM entry itself fail to boot (the OOM killer in
 * the initramfs), and even a booting host needs, outside the pages: the kernel with its page
 * cache and slab; the struct pages of all RAM, hugepages included (64 bytes per 4 KiB page,
 * 1.6 % of RAM); the desktop session; and QEMU's own process (device emulation, vhost, the
 * VFIO DMA mappings' bookkeeping: a few hundred MiB per VM). 2 GiB is the least a systemd
 * desktop host with one running VM does well on; the 10 % share grows the floor with the
 * machine, as the page metadata, page tables and page cache do. */
#define PT_TUNE_FLOOR_MIN (2ull << 30)
#define PT_TUNE_FLOOR_DIV 10
uint64_t pt_tune_floor(uint64_t mem_total);

/* Kernel arguments that can be left out (struct pt_tune_req.off); all are on by default. */
#define PT_TUNE_NO_ISOLCPUS    0x1u /* isolcpus=managed_irq,domain,VM */
#define PT_TUNE_NO_NOHZ_FULL   0x2u /* nohz_full=VM */
#define PT_TUNE_NO_RCU_NOCBS   0x4u /* rcu_nocbs=VM */
#define PT_TUNE_NO_IRQAFFINITY 0x8u /* irqaffinity=HOST */
#define PT_TUNE_NO_ALL	       0xfu

struct pt_tune_req {
	unsigned vcpus;	    /* 0: no CPU part (memory only) */
	uint64_t memory;    /* bytes; 0: no memory part (CPUs only) */
	uint64_t page_size; /* 0: 1 GiB when the CPU has pdpe1gb, else 2 MiB; or either, forced */
	bool cross_numa;    /* the VM may span NUMA nodes */
	unsigned off;	    /* PT_TUNE_NO_* */
};

/* Why a request can't be planned. The numbers are in the refusal; text says it in English. */
enum pt_tune_refusal_code {
	PT_TUNE_TOO_MANY = 1, /* more vCPUs than the host can give: have = the most it can */
	PT_TUNE_ODD,	      /* a count that splits an SMT core: have = the nearest lower count */
	PT_TUNE_NUMA,	      /* fits only across NUMA nodes: have = the most one node can give */
	PT_TUNE_MEMORY,	      /* would leave the host less than the floor: have = the most */
	PT_TUNE_NODE_MEMORY,  /* the chosen node's memory can't hold the pages: have = the most */
	PT_TUNE_NO_1G,	      /* 1 GiB pages asked of a CPU without pdpe1gb */
};

struct pt_tune_refusal {
	enum pt_tune_refusal_code code;
	uint64_t asked, have;  /* vCPUs, or bytes for the memory codes */
	uint64_t total, floor; /* the memory codes: MemTotal (or the node's) and the floor */
	char text[320];
};

/* Notes about a plan that was made anyway. */
enum pt_tune_warn_code {
	PT_TUNE_W_SHARED_L3 = 1,  /* the VM shares an L3 domain with host cores */
	PT_TUNE_W_SPANS_L3,	  /* the VM spans several L3 domains */
	PT_TUNE_W_UNEVEN,	  /* ... unevenly: the guest sees one die */
	PT_TUNE_W_BIGGER_L3,	  /* a bigger L3 than the VM's stays with the host (X3D parts) */
	PT_TUNE_W_CROSS_NUMA,	  /* the VM spans NUMA nodes (asked for) */
	PT_TUNE_W_FEW_HOST,	  /* the host keeps a single core */
	PT_TUNE_W_ROUNDED,	  /* memory rounded up to whole pages */
	PT_TUNE_W_SMALL_PAGES,	  /* no pdpe1gb: 2 MiB pages */
	PT_TUNE_W_HOST_USES_MORE, /* the host uses more now than the pages would leave it */
	PT_TUNE_W_NO_L3,	  /* no cache information in sysfs: packages stand for L3s */
};

struct pt_tune_warning {
	enum pt_tune_warn_code code;
	char text[256];
};

#define PT_TUNE_WARN_MAX 10
#define PT_TUNE_DOM_MAX	 32
#define PT_TUNE_ARGS_MAX 1024

/* How the plan uses one L3 domain (for the frontend's explanation; not serialised). */
struct pt_tune_dom {
	int l3; /* index into the topology's l3 */
	int id;
	uint64_t size;
	struct pt_cpuset cpus, vm; /* the domain's CPUs, and those the VM gets */
};

struct pt_tune_plan {
	/* the request it was made from */
	unsigned vcpus;
	uint64_t memory_asked;
	uint64_t page_size_asked;
	bool cross_numa;
	unsigned off;
	/* CPUs */
	struct pt_cpuset vm;			/* the VM's CPUs: isolated, nohz_full, rcu_nocbs */
	struct pt_cpuset host;			/* every other online CPU: irqaffinity */
	struct pt_cpuset emulator;		/* host CPUs on the VM's node(s): emulatorpin, iothreadpin */
	struct pt_cpuset nodes;			/* NUMA nodes the VM's CPUs (and pages) are on */
	bool numa;				/* the host has more than one node: pages and memory bound */
	uint16_t pin[PT_CPU_MAX];		/* vCPU i runs on host CPU pin[i]; siblings adjacent */
	unsigned sockets, dies, cores, threads; /* guest topology; product = vcpus */
	bool amd;				/* topoext for the guest */
	/* memory */
	uint64_t page_size; /* 0 when no memory was asked for */
	uint64_t pages;
	uint64_t memory; /* pages x page_size: what the guest gets */
	/* the kernel arguments for the host+passthrough entry only */
	char args[PT_TUNE_ARGS_MAX];
	/* explanation (not serialised) */
	struct pt_tune_dom doms[PT_TUNE_DOM_MAX];
	size_t ndoms;
	struct pt_tune_warning warnings[PT_TUNE_WARN_MAX];
	size_t nwarnings;
};

/* Plan a request on a topology (pure: no I/O). CPUs: whole L3 domains first, SMT siblings
 * always together, CPU 0's core always with the host, one NUMA node unless cross_numa, P-cores
 * only on hybrid parts; memory: 1 GiB pages with pdpe1gb, else 2 MiB, never below the floor.
 * 0: *ret is the plan. -ERANGE: refused, *ret_why says why (only then written). -EINVAL: a
 * request with neither vCPUs nor memory, or a page size other than 2 MiB and 1 GiB. -E2BIG:
 * the arguments would not fit a kernel command line. */
int pt_tune_plan(const struct pt_topo *t, const struct pt_tune_req *req, struct pt_tune_plan *ret,
		 struct pt_tune_refusal *ret_why);

const char *pt_tune_warn_name(enum pt_tune_warn_code c);
const char *pt_tune_refusal_name(enum pt_tune_refusal_code c);

/* Sizes: "16G", "16GiB", "512M", "1536k", "17179869184" (binary units, as QEMU and libvirt read
 * them). -EINVAL for anything else, -ERANGE past 2^64. */
int pt_size_parse(const char *s, uint64_t *ret);
/* The exact form: "32G", "12800M", "1536K" or bytes ("" never). */
void pt_size_exact(uint64_t bytes, char *buf, size_t size);
/* For people: "61.6 GiB", "512 MiB" (one decimal, truncated). */
void pt_size_iec(uint64_t bytes, char *buf, size_t size);

/* ---- tuneplan.c: a plan saved, printed and checked ----------------------------------------- */

/* The plan as PTBOOT_VM_*='...' lines, the grammar of etc/ptboot/entry.conf, so the two live in
 * one file and each parser skips the other's names (the shell scripts source it and use
 * PTBOOT_VM_ARGS). Not serialised: doms, warnings. -EINVAL for a value the grammar can't hold. */
int pt_tune_plan_format(const struct pt_tune_plan *p, struct pt_buf *out);
/* 0 and the plan; -ENOENT when text has no PTBOOT_VM_* line (VM mode is off); -EINVAL for a
 * malformed line or an inconsistent plan (pin count, topology product, a vCPU on a host CPU...);
 * -E2BIG for a value too long. Any bytes are accepted as input. */
int pt_tune_plan_parse(const char *text, size_t len, struct pt_tune_plan *ret);
/* One JSON object (the --json of ptctl tune). */
int pt_tune_plan_json(const struct pt_tune_plan *p, struct pt_buf *out);

/* Findings for `ptctl check` on the running system: did this boot reserve the plan's pages
 * (topic "hugepages"), isolate its CPUs ("isolcpus", "nohz_full"), and are the vCPU threads of
 * every running QEMU on the VM's CPUs ("vm-pinning")? cmdline: the running kernel's; a boot
 * without the plan's arguments (the normal entry) gets one info finding and nothing else.
 * Findings are appended to out (which may already hold some). */
int pt_vmstate_check(const struct pt_tune_plan *p, const struct pt_vmstate *st, const char *cmdline,
		     struct pt_findings *out);

/* ---- vmdef.c: VM definitions that match a plan ------------------------------------------- */

/* The plan for a guest: libvirt elements for <domain> (<vcpu>, <iothreads>, <cputune> with a
 * vcpupin per vCPU, emulatorpin and iothreadpin, <numatune> on NUMA hosts, <memory>,
 * <memoryBacking><hugepages>, <cpu mode='host-passthrough'> with <topology>, <cache
 * mode='passthrough'/> and topoext on AMD); virt-install flags saying the same (--vcpus,
 * --cputune, --iothreads, --memory, --memorybacking, --numatune, --cpu); or QEMU arguments
 * (-name ...,debug-threads=on, -m, -object memory-backend-file on /dev/hugepages, -machine
 * memory-backend=, -smp with the topology, -cpu host). Comment lines ("<!-- -->", "# ") carry
 * the summary and the vCPU map. QEMU does not pin: see pt_vmdef_pin_script. -EINVAL for a plan
 * with neither CPUs nor memory. */
#define PT_VMDEF_MORE 0x1u /* more flags or arguments follow: the last line ends in " \\" too */
int pt_vmdef_render(const struct pt_tune_plan *p, enum pt_virt_format fmt, unsigned flags,
		    struct pt_buf *out);
/* A POSIX sh script that pins a running QEMU started with those arguments: `sh SCRIPT PID`.
 * Every thread first goes to the emulator CPUs (taskset -a), then each thread named
 * "CPU N/KVM" (or "/TCG") to its host CPU; it fails when a vCPU thread is missing or unknown. */
int pt_vmdef_pin_script(const struct pt_tune_plan *p, struct pt_buf *out);

#endif
