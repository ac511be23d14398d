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

/* ---- storage.c: PCI functions -> disks -> partitions -> holders, as a graph ---- */

enum pt_blk_kind { PT_BLK_DISK, PT_BLK_PART, PT_BLK_HOLDER };

struct pt_blk {
	enum pt_blk_kind kind;
	char name[32];		/* "nvme0n1p3", "dm-0" (the kernel's names fit in 32) */
	unsigned major, minor;
	int parent;		/* the disk of a partition, else -1 */
	int *holders;		/* devices built on this one (dm, md...), by index: sorted, no repeats */
	size_t nholders;
	int *slaves;		/* devices this one is built on (slaves/), by index: sorted, no repeats */
	size_t nslaves;
	int *parts;		/* a disk's partitions, by index, sorted */
	size_t nparts;
	uint64_t size;		/* bytes */
	int partno;
	char pci[PT_SLOT_MAX];	/* a disk's nearest PCI function ("" for dm/md, or none) */
	/* A disk's carriers: every PCI function that is not a bridge on its sysfs path (the NVMe
	 * and, for a drive behind Intel VMD, the VMD function hosting its domain), and for a native
	 * NVMe multipath disk every controller's function in its subsystem. Sorted. */
	char (*carriers)[PT_SLOT_MAX];
	size_t ncarriers;
	char model[64];		/* disks */
	char dm_name[64];	/* holders: dm/name or md name */
	char dm_uuid[136];	/* dm/uuid: "LVM-<VG UUID><LV UUID>", "CRYPT-LUKS2-..." */
	/* from libblkid (or "" when unknown); a mounted multi-device btrfs is also known from
	 * sys/fs/btrfs/FSID/devices/, which fills fstype and uuid when libblkid could not */
	char fstype[24], label[64], uuid[40], parttype[40], partname[72];
	char esp[64];		/* EFI/ subdirectories of a FAT ESP, "Microsoft fedora" */
	bool ms_bootmgr;	/* EFI/Microsoft/Boot/bootmgfw.efi exists */
	int probe_err;		/* -errno of opening dev/NAME (-EACCES when not root) */
	/* from mounts: directly on this device */
	char use[160];		/* "/ /home", "[swap]" */
	bool system;		/* mounted here at /, /boot, /boot/efi, /efi, /usr or /var */
	/* The storage component: devices joined by holder/slave edges (dm, md, LVM), the LVs of one
	 * volume group (dm/uuid), the members of one multi-device btrfs or md array (same UUID).
	 * The lowest index among its members. */
	size_t component;
};

struct pt_storage {
	struct pt_blk *v;	/* sorted by name */
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
int pt_fat_efi_dirs(int fd, uint64_t off, uint64_t size, char *buf, size_t bufsize,
		    bool *ret_ms_bootmgr);

/* ---- names.c: libpci's names for IDs and lspci's -s/-d filters -------- */

struct pt_names;
/* ids_file NULL: libpci's default pci.ids; hwdb: also ask udev's hwdb, as lspci does. A
 * pci.ids that can't be read or parsed is no error: the names come from hwdb or are numbers,
 * and pt_names_problem says why. */
int pt_names_new(const char *ids_file, bool hwdb, struct pt_names **ret);
const char *pt_names_problem(const struct pt_names *n);
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
 * lz4 or bzip2 through the matching decompressor on $PATH); of a UKI, its .initrd section
 * (-ENODATA when it has none). */
int pt_initramfs_walk(int rootfd, const char *path, pt_cpio_cb cb, void *data);
/* The initramfs of a kernel: boot/initramfs-KVER.img, boot/initrd.img-KVER..., or the
 * unified kernel image ESP/EFI/Linux/TOKEN-KVER.efi (pt_initramfs_walk reads its .initrd). */
int pt_initramfs_path(int rootfd, const char *kver, char *buf, size_t size);
/* What an initramfs (or a UKI's .initrd) holds of ptboot's, from one walk over it. */
struct pt_initramfs_info {
	bool pt_early;		/* .../pt-early */
	bool vfio_pci;		/* vfio-pci.ko or vfio_pci.ko, compressed or not */
};
int pt_initramfs_scan(int rootfd, const char *path, struct pt_initramfs_info *ret);
/* The command that makes the initramfs at path (NULL: none yet) anew with ptboot in it. */
void pt_initramfs_rebuild(const char *path, const char *kver, char *buf, size_t size);

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
/* The findings for the policy in policy_text (said to come from source, "--policy"), or for
 * the running command line's pt.devices= when it is NULL. */
int pt_check_run(const struct pt_host *h, const struct pt_tuning *tun, const char *policy_text,
		 const char *source, struct pt_findings *ret);
void pt_findings_free(struct pt_findings *f);
enum pt_sev pt_findings_worst(const struct pt_findings *f);

/* ---- select.c: what selectors mean on this host, for every command ---------------------- */

struct pt_selection {
	char *text;		/* the selectors as given, joined by commas */
	struct pt_policy pol;
	struct pt_plan plan;	/* plan.take: the functions the selection passes */
};

/* Parse text (pt.devices= syntax) and plan it on sys (flags as pt_plan_build). -EINVAL or
 * -E2BIG with ret_err filled for a malformed policy. */
int pt_select(const struct pt_sys *sys, const char *text, unsigned flags, struct pt_selection *ret,
	      struct pt_policy_error *ret_err);
void pt_selection_free(struct pt_selection *s);

/* A refusal every command treats as an error (all but a bridge, which just stays home). */
bool pt_refusal_is_error(enum pt_refusal r);

struct pt_sel_problem {
	bool error;		/* else a warning */
	int sel;		/* the selector (index into pol), -1 for none */
	size_t item;		/* the refused plan item, SIZE_MAX for a selector that matches nothing */
	enum pt_refusal refusal;
	char text[PT_REASON_MAX + 128];	/* "selector 09:00.0 matches no PCI function" */
};

/* The next problem of a selection: selectors that match nothing (in policy order), then
 * refusals (in slot order). *iter starts at 0. 1 and ret filled, 0 at the end. */
int pt_selection_problem(const struct pt_selection *s, const struct pt_sys *sys, size_t *iter,
			 struct pt_sel_problem *ret);
/* The first problem that is an error: 1 and ret filled, 0 when there is none. */
int pt_selection_first_error(const struct pt_selection *s, const struct pt_sys *sys, struct pt_sel_problem *ret);

/* ---- kargs.c: the kernel arguments that pass a set of functions -------------------------- */

struct pt_kargs {
	struct pt_buf args;	/* "iommu=pt pt.devices=03:00.0@1002:744c,..." */
	struct pt_buf why;	/* one "ARG: reason" or "SLOT: added ..." line each */
	char refusal[400];	/* -EBUSY: "04:00.0 carries the running system's disk ..." */
};

/* The arguments for passing the functions marked in sel[] (sys->ndevs entries): bridges
 * dropped, IOMMU groups completed (marking the members added), IOMMU and framebuffer tuning.
 * -EBUSY: a function carries the running system's disk (refusal says which); -ENODEV:
 * nothing left to pass. ret is filled either way; pt_kargs_free it. */
int pt_kargs_build(const struct pt_host *h, const struct pt_tuning *tun, bool *sel, struct pt_kargs *ret);
void pt_kargs_free(struct pt_kargs *k);

/* ---- safety.c: what holds a function the host would lose (ptctl bind/unbind) ----------------- */

enum pt_hold_kind {
	PT_HOLD_SYSTEM,		/* carries the running system's disk: never taken, under any flag */
	PT_HOLD_DISK,		/* a disk, partition or dm/md/swap holder on it is mounted or active */
	PT_HOLD_CONSOLE,	/* a display held by a framebuffer or a DRM client (--force lifts it) */
	PT_HOLD_GROUP,		/* its IOMMU group keeps members on host drivers (--group lifts it) */
	PT_HOLD_VFIO,		/* a process (a VM) has the group's /dev/vfio/N open: no unbind */
};

struct pt_hold {
	size_t dev;		/* index into sys->devs */
	enum pt_hold_kind kind;
	char text[400];		/* what holds it, naming disks, mounts, processes, functions */
};

struct pt_holds {
	struct pt_hold *v;
	size_t n;
};

/* Processes with a file under dev/ open, from proc/PID/fd (names as "Xorg[1234]"). */
struct pt_opener {
	char path[128];		/* "/dev/dri/card0", "/dev/vfio/8" */
	char who[64];		/* "Xorg[1234]" */
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

enum pt_virt_format { PT_VIRT_LIBVIRT, PT_VIRT_VIRT_INSTALL, PT_VIRT_QEMU };

int pt_virt_format_parse(const char *s, enum pt_virt_format *ret);
/* Render the functions marked in sel[] (sys->ndevs entries) for a q35 guest: libvirt
 * <hostdev> elements (managed='no': ptboot owns the binding), virt-install --hostdev flags
 * or QEMU -device arguments. The functions of one host slot stay one multifunction device in
 * the guest, on a pcie-root-port of their own (index 16 upwards); single functions get no
 * guest address. Comments (XML or "# ") say where the list comes from (origin), warn about a
 * GPU without a reset method and an incomplete IOMMU group, and name the current driver of
 * any function not on vfio-pci. -ENODEV: nothing marked (or only bridges). */
int pt_virt_render(const struct pt_sys *sys, const bool *sel, enum pt_virt_format fmt,
		   const char *origin, struct pt_buf *out);

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
	char action[16];	/* "bind", "unbind" */
	char slot[PT_SLOT_MAX], ids[16];
	char from[PT_NAME_MAX], to[PT_NAME_MAX];	/* "-": no driver */
};

/* Each well-formed line of the journal's text, in order; fn's non-zero return stops. */
typedef int (*pt_runtime_fn)(void *data, const struct pt_runtime_entry *e);
int pt_runtime_log_parse(const char *text, pt_runtime_fn fn, void *data);

/* ---- bls.c, grub.c, entries.c: the boot menu's host+passthrough entries --- */

/* The first line of every file ptboot writes into a BLS entries directory: only files that
 * start with it are ever rewritten or removed. */
#define PT_ENTRY_MARKER "# ptboot:"
#define PT_ENTRY_SUFFIX "-ptboot"		/* KERNEL-ENTRY-ID-ptboot.conf */
#define PT_ENTRY_CONF "etc/ptboot/entry.conf"	/* read by grub.d/42_ptboot and the plugin */
#define PT_GRUBD_SCRIPT "etc/grub.d/42_ptboot"
#define PT_GRUB_ID "ptboot"			/* 42_ptboot's entry for the newest kernel */
#define PT_GRUB_WINDOWS_ID "ptboot-windows"
#define PT_BLS_MAX (64 << 10)			/* bigger entry files are refused */

/* bls.c: one BLS Type #1 entry ("key value" lines), lines kept in order. */
struct pt_bls_line {
	char *key;		/* NULL for a comment or blank line (kept verbatim in value) */
	char *value;
};

struct pt_bls {
	struct pt_bls_line *v;
	size_t n;
	bool ours;		/* starts with PT_ENTRY_MARKER */
	char *mem;		/* the text the pointers point into */
};

/* Parse any bytes (NUL, overlong lines, missing newline...): -EINVAL for binary or oversized input. */
int pt_bls_parse(const char *text, size_t len, struct pt_bls *ret);
void pt_bls_free(struct pt_bls *e);
/* The last value of key, or NULL. */
const char *pt_bls_get(const struct pt_bls *e, const char *key);
/* The kernel version an entry boots: "version", else from "linux" (.../vmlinuz-KVER or
 * .../KVER/linux). Returns 1 and fills buf, 0 when it can't tell. */
int pt_bls_kver(const struct pt_bls *e, char *buf, size_t size);
/* Append args to options, skipping tokens the options already hold. */
int pt_args_merge(const char *options, const char *args, struct pt_buf *out);
/* Our entry from the kernel's own (src = its file name, "ID.conf" or a UKI's "NAME.efi"):
 * every line copied, the title extended by " (TITLE)", args appended to options (or to
 * fallback_options when the entry has none). -EINVAL when it has no linux or efi line. */
int pt_bls_derive(const struct pt_bls *orig, const char *src, const char *title, const char *args,
		  const char *fallback_options, struct pt_buf *out);

/* grub.c: GRUB's environment block (1024 bytes: header, key=value lines, '#' padding). */
#define PT_GRUBENV_SIZE 1024
/* 1 and the value when set, 0 when not; tolerant of any input. */
int pt_grubenv_get(const char *text, size_t len, const char *key, char *buf, size_t size);
/* A new block with key set (value NULL: removed); -ENOSPC when it would exceed 1024 bytes,
 * -EINVAL for a key or value GRUB could not read back. */
int pt_grubenv_set(const char *text, size_t len, const char *key, const char *value, struct pt_buf *out);

/* grub.c: the menu entries of a generated grub.cfg. */
struct pt_menuentry {
	char title[256];
	char id[256];		/* $menuentry_id_option / --id, "" when none */
	char script[64];	/* "10_linux": the ### BEGIN /etc/grub.d/NAME ### section */
	char linux_path[256];	/* first "linux" command: path and arguments */
	char linux_args[2048];
	int depth;		/* 0 top level, 1 inside a submenu */
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
	char args[2048];	/* PTBOOT_ARGS: what pt_cmdline_build computed */
	char title[128];	/* PTBOOT_TITLE */
	char policy[1024];	/* PTBOOT_POLICY: the selection it was computed from */
	char windows_uuid[64];	/* PTBOOT_WINDOWS_UUID: FAT serial of the Windows ESP */
	char windows_slot[PT_SLOT_MAX];	/* PTBOOT_WINDOWS_SLOT */
};

/* Unknown names are ignored; -EINVAL for a line that is not NAME='...' or a comment. */
int pt_entry_conf_parse(const char *text, size_t len, struct pt_entry_conf *ret);
/* -EINVAL when a value holds a quote, a backslash, a '$' or a control character. */
int pt_entry_conf_format(const struct pt_entry_conf *c, struct pt_buf *out);

/* entries.c: which boot loader a root uses. */
enum pt_loader { PT_LOADER_NONE, PT_LOADER_GRUB, PT_LOADER_GRUB_BLS, PT_LOADER_SDBOOT };

struct pt_boot {
	enum pt_loader loader;
	char entries[96];	/* BLS: "boot/loader/entries", "efi/loader/entries" */
	char esp[32];		/* systemd-boot: its partition ("efi"), where EFI/Linux/ holds UKIs */
	char grubdir[64];	/* GRUB: "boot/grub" or "boot/grub2" (grub.cfg, grubenv) */
	char mkconfig[32];	/* "update-grub", "grub2-mkconfig", "grub-mkconfig" */
	bool grub_default_saved;	/* etc/default/grub: GRUB_DEFAULT=saved */
	bool grub_blscfg;	/* etc/default/grub: GRUB_ENABLE_BLSCFG=true */
	bool grubd_script;	/* etc/grub.d/42_ptboot exists and is executable */
};

const char *pt_loader_name(enum pt_loader l);
int pt_boot_detect(int rootfd, struct pt_boot *ret);

/* One BLS entry file of a root, or a unified kernel image read as one (uki). */
struct pt_bls_file {
	char name[256];		/* "ID.conf", or "NAME.efi" for a UKI */
	bool uki;		/* ESP/EFI/Linux/NAME.efi: e holds the Type #1 lines standing for it */
	char kver[64];		/* "" when unknown */
	struct pt_bls e;
};

struct pt_bls_files {
	struct pt_bls_file *v;
	size_t n;
};

void pt_bls_files_free(struct pt_bls_files *f);

/* The entries a boot loader lists, newest kernel first: every *.conf of b->entries, and for
 * systemd-boot also the UKIs of b->esp/EFI/Linux (an absent entries directory is then no
 * error). Unreadable or malformed entry files are left out, counted in ret_skipped (may be
 * NULL). */
int pt_boot_entries(int rootfd, const struct pt_boot *b, struct pt_bls_files *ret, size_t *ret_skipped);

/* uki.c: unified kernel images. */
#define PT_UKI_DIR "EFI/Linux"
#define PT_UKI_HEAD 4096		/* headers and section table must lie in the first 4 KiB */
struct pt_pe_section {
	char name[9];
	uint32_t offset, size;	/* in the file; size: VirtualSize, at most SizeOfRawData */
};

/* The section table of a PE image whose first len bytes are head: -EINVAL when it is not
 * one, -E2BIG when the table lies beyond head. At most max sections are returned. */
int pt_pe_sections(const unsigned char *head, size_t len, struct pt_pe_section *v, size_t max,
		   size_t *ret_n);

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

#endif
