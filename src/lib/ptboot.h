/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libptboot: the one model of ptboot. Command-line tokenizer, pt.devices=
 * policy, the PCI device model read through a root prefix, matching, the
 * binder with its kernel interface, the module loader and the state report.
 * pt-early and ptctl are thin frontends over this.
 *
 * Conventions: functions return 0 (or a count) on success and -errno on
 * failure; ret_* out-parameters are written only on success; nothing here
 * logs by itself or keeps global mutable state.
 */
#ifndef PTBOOT_H
#define PTBOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PT_NAME_MAX    64 /* driver, module and reset-method names */
#define PT_SLOT_MAX    24 /* "dddddddd:bb:dd.f" plus room */
#define PT_REASON_MAX  192
#define PT_PATH_MAX    4096

#define PT_VFIO_DRIVER "vfio-pci"
/* pt-early's state report, relative to the root */
#define PT_STATE_DIR  "run/ptboot"
#define PT_STATE_FILE PT_STATE_DIR "/state.json"
/* The most selectors a policy may hold: far more than a kernel command line can carry (2 KiB on
 * x86), and a bound on what pt-early allocates in an initramfs without swap. */
#define PT_POLICY_MAX_SELECTORS 16384

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define PT_STR_(x)		#x
#define PT_STR(x)		PT_STR_(x)

/* ---- format.c: snprintf for what ptboot prints (no floats, no locale) -- */

#include <stdarg.h>
#include <dirent.h>
int pt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
int pt_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- util.c: small helpers shared by every layer ---------------------- */

/* snprintf for a path: -ENAMETOOLONG when it does not fit, never a cut path. */
int pt_pathf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Stable sort of n elements of size bytes (a merge sort: no qsort in the static binary; it
 * needs a second array of the same size while it runs). */
int pt_sort(void *base, size_t n, size_t size, int (*cmp)(const void *a, const void *b, const void *ctx),
	    const void *ctx);
/* The same for n indices, compared through cmp. */
int pt_sort_idx(size_t *v, size_t n, int (*cmp)(size_t a, size_t b, const void *ctx), const void *ctx);

/* Read a sysfs-style attribute relative to dirfd into buf (NUL-terminated,
 * trailing newline stripped). Returns the length or -errno. */
int pt_read_attr(int dirfd, const char *path, char *buf, size_t size);
/* Read a whole (small) file into a malloc'ed NUL-terminated buffer. */
int pt_read_file(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len);
/* Basename of a symlink's target, e.g. "driver" -> "vfio-pci". */
int pt_read_link_name(int dirfd, const char *path, char *buf, size_t size);
/* The last component of a link target ("../../bus/pci/drivers/nvme" -> "nvme"). */
int pt_link_basename(const char *target, char *buf, size_t size);
/* Parse "0x1002" / "1002" (hex, at most max) from [s, s+len). */
int pt_parse_hex(const char *s, size_t len, uint32_t max, uint32_t *ret);
/* Does path (relative to dirfd) exist, following symlinks? */
bool pt_exists(int dirfd, const char *path);
/* Is path (relative to dirfd) a directory, following symlinks? */
bool pt_is_dir(int dirfd, const char *path);
/* opendir(3) of path relative to dirfd: 0 or -errno (*ret NULL then). */
int pt_opendir(int dirfd, const char *path, DIR **ret);
/* Parse a whole NUL-terminated decimal string: -EINVAL not digits, -ERANGE over max. */
int pt_parse_u64(const char *s, uint64_t max, uint64_t *ret);
int pt_parse_dec(const char *s, uint32_t *ret);

/* Files under a root. Every path is resolved inside rootfd the way systemd's chase() does:
 * one component at a time, a symlink's target taken relative to rootfd (absolute) or to the
 * link's directory, ".." never above rootfd, so nothing is read, written or removed outside
 * it. A last component that is a symlink is followed the same way (a grubenv link to the ESP
 * is written through, as grub2-editenv does), except by pt_unlink_in. What is there and is
 * not a regular file (a FIFO, a socket, a device) is refused with -EBADFD, never opened. */
/* open(2) of path inside rootfd (O_NOFOLLOW, O_CLOEXEC and O_NONBLOCK added); fd or -errno. */
int pt_open_in(int rootfd, const char *path, int flags, unsigned mode);
/* pt_opendir for a directory inside rootfd. */
int pt_opendir_in(int rootfd, const char *path, DIR **ret);
/* pt_read_file for a file inside rootfd (a regular file only). */
int pt_read_file_in(int rootfd, const char *path, size_t max, char **ret, size_t *ret_len);
/* Replace path inside rootfd whole: a new temp file ".#NAME.PID" beside it (O_CREAT|O_EXCL|
 * O_NOFOLLOW, another name when one was planted there), written, fsync'ed, renamed over NAME,
 * the directory fsync'ed. On failure the old file is untouched and no temp file is left. */
int pt_write_atomic(int rootfd, const char *path, const char *data, size_t len, unsigned mode);
/* Remove path inside rootfd (a symlink itself, not its target), fsync its directory. */
int pt_unlink_in(int rootfd, const char *path);
/* mkdir -p inside rootfd (mode is always 0755). */
int pt_mkdir_p(int rootfd, const char *path, unsigned mode);
/* flock(LOCK_EX) on path inside rootfd (created, with its directories), waiting up to
 * timeout_ms: the locked fd (held until closed) or -EWOULDBLOCK when another holds it. */
int pt_lock_take(int rootfd, const char *path, unsigned timeout_ms);
/* strerror(-r), with ptboot's own meaning of -EBADFD: "not a regular file". */
const char *pt_strerror(int r);
/* Microseconds of CLOCK_MONOTONIC. */
uint64_t pt_now_us(void);

/* Growable string buffer (for JSON and messages). */
struct pt_buf {
	char *data;
	size_t len, cap;
	int err; /* sticky -ENOMEM */
};
void pt_buf_printf(struct pt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pt_buf_puts(struct pt_buf *b, const char *s);
void pt_buf_json_str(struct pt_buf *b, const char *s); /* quoted, escaped; NULL -> null */
void pt_buf_free(struct pt_buf *b);
/* Text from files, policies or sysfs made safe for a terminal: printable ASCII, valid UTF-8
 * (no C1 controls), newlines and tabs as they are, every other byte as "\xNN". Appends the
 * first n bytes of s to out; with more (a stream: more bytes follow), a character cut at
 * the end is left for the next call. Returns the bytes consumed. */
size_t pt_escape(const char *s, size_t n, bool more, struct pt_buf *out);
/* Is s printable text: valid UTF-8 without control bytes (not even a newline)? */
bool pt_text_ok(const char *s);

/* ---- cmdline.c: the kernel's command-line rules ----------------------- */

/* Called for every parameter in order; val is NULL for a bare "key".
 * Return non-zero to stop. Stops by itself at "--" (the rest is init's). */
typedef int (*pt_cmdline_cb)(const char *key, const char *val, void *data);
int pt_cmdline_foreach(const char *cmdline, pt_cmdline_cb cb, void *data);

/* The ptboot keys of one command line, last occurrence wins. */
struct pt_opts {
	char *devices;	      /* pt.devices= value, NULL when absent */
	bool devices_bare;    /* "pt.devices" without "=": malformed */
	bool debug;	      /* pt.debug */
	bool off;	      /* pt.off */
	bool complete_groups; /* pt.groups=complete */
	bool ids_keep;	      /* pt.ids=keep: vfio-pci keeps an ids= option beside pt.devices= */
	char *bad_key;	      /* first unknown or malformed pt.* key, if any */
};
int pt_opts_parse(const char *cmdline, struct pt_opts *ret);
void pt_opts_free(struct pt_opts *o);
/* Parse a kernel-style boolean ("1", "y", "yes", "on", "true"; bare = true). */
int pt_parse_bool(const char *val, bool *ret);

/* ---- policy.c: pt.devices= selectors and what they match -------------- */

enum pt_sel_kind {
	PT_SEL_SLOT,	/* 03:00.0, 0000:03:00.1, 03:00.* */
	PT_SEL_ID,	/* 1002:744c, 1002:*, c0a9:5421:0108 */
	PT_SEL_GUARDED, /* 03:00.0@1002:744c */
};

#define PT_ANY (-1)

struct pt_sel {
	enum pt_sel_kind kind;
	char text[64];		/* as written, for messages */
	int32_t domain;		/* PT_ANY when omitted (lspci -s semantics) */
	int32_t bus, dev, fn;	/* fn PT_ANY for "*" */
	int32_t vendor, device; /* PT_ANY for "*" or empty */
	int32_t cls;		/* class<<8|subclass, PT_ANY when absent */
	int32_t progif;		/* PT_ANY when absent */
};

struct pt_policy {
	struct pt_sel *sels;
	size_t nsels;
};

struct pt_policy_error {
	char sel[64];	 /* the offending selector, as written */
	const char *why; /* static English reason */
};

/* -E2BIG (why set) for more than PT_POLICY_MAX_SELECTORS selectors. */
int pt_policy_parse(const char *s, struct pt_policy *ret, struct pt_policy_error *ret_err);
void pt_policy_free(struct pt_policy *p);
/* One selector (no commas). */
int pt_sel_parse(const char *s, size_t len, struct pt_sel *ret, const char **ret_why);

struct pt_dev;
bool pt_sel_matches(const struct pt_sel *s, const struct pt_dev *d);
/* Slot part only (for guarded selectors). */
bool pt_sel_matches_slot(const struct pt_sel *s, const struct pt_dev *d);
bool pt_sel_matches_id(const struct pt_sel *s, const struct pt_dev *d);

/* ---- sysfs.c: the PCI device model of one root ------------------------ */

struct pt_dev {
	char slot[PT_SLOT_MAX]; /* "0000:03:00.0" */
	uint32_t domain, bus, dev, fn;
	uint32_t vendor, device, subvendor, subdevice;
	uint32_t cls;			/* 24 bits: class, subclass, prog-if */
	int group;			/* IOMMU group, -1 when none */
	int boot_vga;			/* 1, 0, or -1 when the attribute is absent */
	char driver[PT_NAME_MAX];	/* "" when unbound */
	char override[PT_NAME_MAX];	/* "" when "(null)"; scanned with host_attrs */
	char reset_method[PT_NAME_MAX]; /* "" when absent/empty */
	bool unreadable;		/* vendor, device or class unreadable: IDs 0xffff, class 0 */
};

struct pt_sys {
	int rootfd;
	struct pt_dev *devs;
	size_t ndevs;
	bool iommu; /* sys/kernel/iommu_groups has groups */
	/* pt_sys_scan reads reset_method and driver_override too: ptctl's checks and list want
	 * them; pt-early has no use for them before it binds, and pt_dev_refresh reads the
	 * override then (set between pt_sys_open and pt_sys_scan) */
	bool host_attrs;
};

/* Open the tree at root ("/" for the live system). */
int pt_sys_open(const char *root, struct pt_sys *ret);
/* Read every PCI function once (sorted by slot). */
int pt_sys_scan(struct pt_sys *sys);
/* Parse a sysfs PCI device name ("0000:03:00.0") into d's slot fields. */
int pt_slot_parse(const char *name, struct pt_dev *d);
/* Re-read the volatile parts of one function: driver and driver_override. */
int pt_dev_refresh(const struct pt_sys *sys, struct pt_dev *d);
void pt_sys_close(struct pt_sys *sys);
const struct pt_dev *pt_sys_find(const struct pt_sys *sys, const char *slot);
/* A bridge never goes to a VM: it stays with the host (pcieport). */
bool pt_dev_is_bridge(const struct pt_dev *d);
bool pt_dev_is_display(const struct pt_dev *d);
/* Unbound, or on vfio-pci or pci-stub: a function that does not keep a VM from its IOMMU group. */
bool pt_dev_vfio_viable(const struct pt_dev *d);
/* The slot as lspci shows it: "03:00.0" in domain 0000, the whole name in any other. */
const char *pt_dev_short_slot(const struct pt_dev *d);
/* The guarded selector of a function: "03:00.0@1002:744c". */
void pt_dev_guarded(const struct pt_dev *d, char *buf, size_t size);

/* What a VM takes as one: an IOMMU group, or the functions of one slot (they share resets). */
enum pt_unit {
	PT_UNIT_GROUP,
	PT_UNIT_SLOT
};

struct pt_gap {
	int group;	    /* PT_UNIT_GROUP: the IOMMU group; -1 for a slot */
	size_t first;	    /* its first marked function (index into sys->devs) */
	const size_t *left; /* its functions that are not marked, bridges left out, in slot order */
	size_t nleft;
};

/* For every unit that holds a function marked in mark[] (sys->ndevs entries), in the slot
 * order of its first marked function: fn with the functions left out (nleft may be 0).
 * Functions without a group are no group's. fn's non-zero return stops the walk and is
 * returned. */
typedef int (*pt_gap_fn)(void *data, const struct pt_gap *g);
int pt_sys_gaps(const struct pt_sys *sys, const bool *mark, enum pt_unit unit, pt_gap_fn fn, void *data);
bool pt_sel_matches(const struct pt_sel *s, const struct pt_dev *d);
/* Slot part only (for guarded selectors). */
bool pt_sel_matches_slot(const struct pt_sel *s, const struct pt_dev *d);
bool pt_sel_matches_id(const struct pt_sel *s, const struct pt_dev *d);

/* ---- plan.c: policy x model -> what to do ----------------------------- */

enum pt_action {
	PT_ACT_BIND,
	PT_ACT_REFUSE
};
enum pt_result {
	PT_RES_PLANNED,
	PT_RES_BOUND,
	PT_RES_FAILED,
	PT_RES_ROLLED_BACK,
	PT_RES_REFUSED,
};
/* Why the plan refuses a function a selector matched: the same reason in every frontend. */
enum pt_refusal {
	PT_REFUSE_NONE,
	PT_REFUSE_GUARD,       /* SLOT@ID: the slot holds other IDs */
	PT_REFUSE_BRIDGE,      /* a bridge stays with the host */
	PT_REFUSE_BOOT_VGA_ID, /* the boot VGA device, matched by an ID only */
	PT_REFUSE_UNREADABLE,  /* its vendor, device or class can't be read */
};

#define PT_SEL_BY_GROUP (-1)
#define PT_SEL_BY_SLOT	(-2)
struct pt_item {
	size_t dev; /* index into sys->devs */
	int sel;    /* index into the policy; PT_SEL_BY_GROUP or _BY_SLOT: added to complete it */
	enum pt_action action;
	enum pt_refusal refusal;
	enum pt_result result;
	char driver_before[PT_NAME_MAX];
	char driver_after[PT_NAME_MAX];
	char reason[PT_REASON_MAX];
};

struct pt_note {
	int level; /* LOG_ERR or LOG_WARNING (kmsg priorities) */
	char text[256];
};

struct pt_plan {
	struct pt_item *items;
	size_t nitems, items_cap;
	struct pt_note *notes;
	size_t nnotes, notes_cap;
	bool *take;	  /* sys->ndevs entries: the functions the plan binds */
	size_t *sel_hits; /* per selector: the functions it matched (guarded: by slot) */
	size_t nsels;
	bool complete_groups; /* add unselected group members (pt.groups=complete) */
};

#define PT_PLAN_GROUPS (1u << 0) /* complete IOMMU groups: pt.groups=complete */
#define PT_PLAN_SLOTS  (1u << 1) /* complete slots: a slot's functions in other groups */

/* Decide every function: bind (with the first selector that takes it), refuse (a failing
 * guard wins over every other selector; bridges; the boot VGA device by ID alone), or leave
 * it. Notes: selectors that match nothing, plain IDs that take identical twins, IOMMU groups
 * and slots left half on the host. */
int pt_plan_build(const struct pt_sys *sys, const struct pt_policy *pol, unsigned flags, struct pt_plan *ret);
int pt_plan_note(struct pt_plan *p, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void pt_plan_free(struct pt_plan *p);
size_t pt_plan_count(const struct pt_plan *p, enum pt_action a);
const char *pt_result_name(enum pt_result r);
const char *pt_action_name(enum pt_action a);

/* ---- kernel interface: the one seam tests replace at link time -------- */

/* kernel-linux.c writes real sysfs and calls finit_module(2); the test
 * suite links kernel-fake.c instead, which simulates the kernel on a
 * fixture tree (and can fail any step on demand). */
struct pt_kernel;
int pt_kernel_new(int rootfd, struct pt_kernel **ret);
void pt_kernel_free(struct pt_kernel *k);
/* Write val to the attribute at path (relative to the root). */
int pt_kernel_write(struct pt_kernel *k, const char *path, const char *val);
/* finit_module(fd, params, flags) */
int pt_kernel_load_module(struct pt_kernel *k, int fd, const char *params, int flags);

/* ---- modload.c: modprobe semantics without modprobe ------------------- */

struct pt_modload;
struct pt_modload_stats {
	unsigned loaded, present, builtin;
	char first_error[PT_REASON_MAX];
};
/* kver NULL: read from proc/sys/kernel/osrelease under the root. The
 * cmdline supplies "module.param=value" options as modprobe applies them. */
int pt_modload_new(int rootfd, const char *kver, const char *cmdline, struct pt_modload **ret);
void pt_modload_free(struct pt_modload *m);
/* Load name with its dependencies, softdeps and options. Returns 0 when the
 * module is loaded, present or built in; -ENOTSUP when only modprobe can do
 * it (an install command, a compressed module the kernel can't inflate). */
int pt_modload_probe(struct pt_modload *m, struct pt_kernel *k, const char *name,
		     struct pt_modload_stats *stats);
const char *pt_modload_kver(const struct pt_modload *m);
/* Run the system's modprobe for what only it can do (install commands, a
 * compressed module the kernel can't inflate): the live system only. */
int pt_modload_exec_modprobe(const char *name);
/* The same resolution without loading: fn gets each module's path (relative
 * to lib/modules/KVER) and options in load order. Nothing is read from the
 * root when the loader was made from memory. */
typedef int (*pt_modload_plan_fn)(void *data, const char *path, const char *options);
/* Leave vfio_pci's ids= out of the options it loads with (on) and say where it came from:
 * "ids=... (from etc/modprobe.d/vfio.conf)" once one was left out, else NULL. */
void pt_modload_drop_vfio_ids(struct pt_modload *m, bool on);
const char *pt_modload_dropped_ids(const struct pt_modload *m);
int pt_modload_plan(struct pt_modload *m, const char *name, pt_modload_plan_fn fn, void *data,
		    struct pt_modload_stats *stats);
/* A loader over texts in memory (modules.dep, modules.builtin, modprobe.d
 * plus modules.softdep lines, the command line): for tests and fuzzing. */
int pt_modload_new_mem(const char *kver, const char *dep, const char *builtin, const char *conf,
		       const char *cmdline, struct pt_modload **ret);

/* Make the PCI driver drv available, the way pt-early and ptctl bind do: nothing when it is
 * registered; else load its module with modprobe's semantics (the system's modprobe for what
 * only it can do, when live: the root is this system's /), then check that the driver
 * registered. On failure, ret->why says what went wrong. kver/cmdline as pt_modload_new. */
struct pt_driver_load {
	const char *how; /* "present", "loaded", "modprobe" or "failed" */
	bool probed;	 /* the module loader ran: st holds its counts */
	struct pt_modload_stats st;
	uint64_t us; /* time spent loading */
	char why[PT_REASON_MAX];
	/* a pt.devices= boot without pt.ids=keep: the vfio-pci ids= left out of its options,
	 * "ids=1002:744c,... (from etc/modprobe.d/vfio.conf)"; "" when none */
	char ids_ignored[192];
};
int pt_driver_load(int rootfd, struct pt_kernel *k, const char *kver, const char *cmdline, const char *drv,
		   bool live, struct pt_driver_load *ret);

/* ---- bind.c: the binder, shared by pt-early and ptctl ----------------- */

typedef void (*pt_trace_fn)(void *data, const char *msg);

struct pt_binder {
	struct pt_sys *sys;
	struct pt_kernel *kernel;
	const char *driver; /* "vfio-pci" */
	pt_trace_fn trace;  /* step-by-step tracing (pt.debug), may be NULL */
	void *trace_data;
};

/* Execute the bind items of a plan: override, unbind, probe, verify; on any
 * failure roll the function (and the rest of its IOMMU group) back to the
 * host. Results land in the items. Returns the number of failed items. */
int pt_bind_apply(struct pt_binder *b, struct pt_plan *p);
/* Make the host take a function again: clear driver_override, unbind from
 * vfio-pci if bound, reprobe. */
int pt_bind_release(struct pt_binder *b, struct pt_dev *d);

/* ---- report.c: the JSON state report ---------------------------------- */

struct pt_report_info {
	const char *tool;   /* "pt-early" */
	const char *policy; /* raw pt.devices= value or NULL */
	const char *kver;
	bool off, debug, dry_run;
	const char *modules; /* "loaded", "built-in", "failed", "skipped" */
	uint64_t modules_us;
	uint64_t elapsed_us;
};
int pt_report_json(const struct pt_report_info *info, const struct pt_sys *sys, const struct pt_policy *pol,
		   const struct pt_plan *plan, struct pt_buf *out);

#endif
