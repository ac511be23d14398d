// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The host as ptctl sees it (read once through the root fd) and its readiness
 * for passthrough: each finding has a severity, a text naming the device and
 * the reason, and the exact fix. Also the kernel arguments ptctl cmdline prints.
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

const char *pt_sev_name(enum pt_sev s)
{
	static const char *const n[] = { "ok", "info", "warning", "error" };

	return (unsigned)s < 4 ? n[s] : "?";
}

/* ---- findings ------------------------------------------------------------ */

struct ctx {
	const struct pt_host *h;
	const struct pt_tuning *tun;
	const struct pt_reset_quirks *resets; /* may be NULL: the generic advice */
	struct pt_findings f;
	struct pt_leftovers left;
	int err;
};

__attribute__((format(printf, 4, 5))) static struct pt_finding *add(struct ctx *c, enum pt_sev sev,
								    const char *topic, const char *fmt, ...)
{
	struct pt_finding *v;
	va_list ap;

	if (c->err)
		return NULL;
	v = realloc(c->f.v, (c->f.n + 1) * sizeof(*v));
	if (!v) {
		c->err = -ENOMEM;
		return NULL;
	}
	c->f.v = v;
	v = &c->f.v[c->f.n++];
	*v = (struct pt_finding){ .sev = sev };
	pt_snprintf(v->topic, sizeof(v->topic), "%s", topic);
	va_start(ap, fmt);
	pt_vsnprintf(v->text, sizeof(v->text), fmt, ap);
	va_end(ap);
	return v;
}

__attribute__((format(printf, 2, 3))) static void fix(struct pt_finding *f, const char *fmt, ...)
{
	va_list ap;

	if (!f)
		return;
	va_start(ap, fmt);
	pt_vsnprintf(f->fix, sizeof(f->fix), fmt, ap);
	va_end(ap);
}

struct arg_find {
	const char *key;
	const char *val; /* last value, NULL when bare */
	bool found;
	char buf[128];
};

static int arg_cb(const char *key, const char *val, void *data)
{
	struct arg_find *a = data;

	if (strcmp(key, a->key) == 0) {
		a->found = true;
		pt_snprintf(a->buf, sizeof(a->buf), "%s", val ? val : "");
		a->val = val ? a->buf : NULL;
	}
	return 0;
}

/* The last value of a kernel argument; NULL when absent ("" for a bare key). */
static const char *arg(const struct pt_host *h, const char *key, char *buf, size_t size)
{
	struct arg_find a = { .key = key };

	pt_cmdline_foreach(h->cmdline, arg_cb, &a);
	if (!a.found)
		return NULL;
	pt_snprintf(buf, size, "%s", a.val ? a.val : "");
	return buf;
}

static const char *tuning_args(const struct ctx *c, const char *when)
{
	const struct pt_tuning_rule *r = pt_tuning_find(c->tun, when);

	return r ? r->args : "";
}

/* Interrupt remapping as the running kernel set it up: with it, the IO-APIC's and the
 * MSI interrupt chips are "IR-IO-APIC", "IR-PCI-MSI"... in /sys/kernel/irq/N/chip_name.
 * 1: on, 0: off, -1: can't tell (no such tree, as in a fixture). */
static int irq_remap_active(int rootfd)
{
	struct dirent *de;
	int seen = 0, ir = 0;
	DIR *d;

	if (pt_opendir(rootfd, "sys/kernel/irq", &d) < 0)
		return -1;
	while (!ir && (de = readdir(d))) {
		char p[300], name[64];

		if (de->d_name[0] == '.' ||
		    pt_pathf(p, sizeof(p), "sys/kernel/irq/%s/chip_name", de->d_name) < 0)
			continue;
		if (pt_read_attr(rootfd, p, name, sizeof(name)) <= 0)
			continue;
		seen++;
		ir = strncmp(name, "IR-", 3) == 0;
	}
	closedir(d);
	return ir ? 1 : seen ? 0 : -1;
}

/* VT-d's extended capability register reports IR (bit 3) */
static bool dmar_ir(const struct pt_host *h)
{
	char ecap[32];
	uint32_t e = 0;

	for (int i = 0; i < 8; i++) {
		char p[96];

		pt_snprintf(p, sizeof(p), "sys/class/iommu/dmar%d/intel-iommu/ecap", i);
		if (pt_read_attr(h->sys.rootfd, p, ecap, sizeof(ecap)) > 0) {
			size_t n = strlen(ecap);

			return pt_parse_hex(ecap + (n > 8 ? n - 8 : 0), n > 8 ? 8 : n, 0xffffffffu, &e) ==
				       0 &&
			       (e & 0x8);
		}
	}
	return false;
}

int pt_host_irq_remap(const struct pt_host *h)
{
	char v[128];
	int r;

	if (h->groups <= 0 || (arg(h, "intremap", v, sizeof(v)) && strcmp(v, "off") == 0))
		return 0;
	r = irq_remap_active(h->sys.rootfd);
	if (r >= 0)
		return r;
	if (h->dmar)
		return dmar_ir(h) ? 1 : 0;
	return h->ivrs ? 1 : -1;
}

static void check_iommu(struct ctx *c)
{
	const struct pt_host *h = c->h;
	struct pt_finding *f;
	char v[128];
	bool intel = strcmp(h->cpu, "intel") == 0;

	if (h->groups > 0) {
		add(c, PT_SEV_OK, "iommu", "IOMMU on: %d groups (%s)", h->groups,
		    h->dmar   ? "Intel VT-d, ACPI DMAR"
		    : h->ivrs ? "AMD-Vi, ACPI IVRS"
			      : "no DMAR/IVRS table");
	} else if (intel && !h->dmar) {
		f = add(c, PT_SEV_ERROR, "iommu",
			"IOMMU off: the firmware publishes no DMAR table (VT-d disabled)");
		fix(f,
		    "enable VT-d (\"Intel Virtualization Technology for Directed I/O\") in the firmware setup, "
		    "then boot with %s",
		    tuning_args(c, "cpu=intel"));
	} else if (intel) {
		f = add(c, PT_SEV_ERROR, "iommu",
			"IOMMU off: VT-d is present (ACPI DMAR) but the kernel did not enable it");
		if (!arg(h, "intel_iommu", v, sizeof(v)) || strcmp(v, "on") != 0)
			fix(f, "add %s to the kernel command line (ptctl cmdline prints it)",
			    tuning_args(c, "cpu=intel"));
		else
			fix(f,
			    "intel_iommu=on is set: look for DMAR errors in \"dmesg | grep -i -e DMAR -e IOMMU\"");
	} else if (!h->ivrs) {
		f = add(c, PT_SEV_ERROR, "iommu",
			"IOMMU off: the firmware publishes no IVRS table (AMD-Vi disabled)");
		fix(f,
		    "enable the IOMMU (\"IOMMU\" / \"AMD-Vi\", often under AMD CBS > NBIO) and SVM in the firmware setup");
	} else {
		f = add(c, PT_SEV_ERROR, "iommu",
			"IOMMU off: AMD-Vi is present (ACPI IVRS) but the kernel did not enable it");
		if ((arg(h, "amd_iommu", v, sizeof(v)) && strcmp(v, "off") == 0) ||
		    (arg(h, "iommu", v, sizeof(v)) && strcmp(v, "off") == 0))
			fix(f, "remove %s=off from the kernel command line",
			    strcmp(v, "off") == 0 && arg(h, "amd_iommu", v, sizeof(v)) ? "amd_iommu"
										       : "iommu");
		else
			fix(f, "look for AMD-Vi errors in \"dmesg | grep -i -e AMD-Vi -e IOMMU\"");
	}
	if (arg(h, "amd_iommu", v, sizeof(v)) && strcmp(v, "on") == 0) {
		f = add(c, PT_SEV_WARN, "cmdline",
			"amd_iommu=on is not a valid value: the kernel ignores it");
		fix(f, "remove amd_iommu=on (the AMD IOMMU is on by default)");
	}
	if (h->groups <= 0)
		return;
	/* interrupt remapping */
	if (arg(h, "intremap", v, sizeof(v)) && strcmp(v, "off") == 0) {
		f = add(c, PT_SEV_WARN, "irq-remap", "interrupt remapping switched off by intremap=off");
		fix(f, "remove intremap=off; without remapping vfio refuses devices unless "
		       "vfio_iommu_type1.allow_unsafe_interrupts=1");
	} else if (irq_remap_active(h->sys.rootfd) == 0) {
		f = add(c, PT_SEV_WARN, "irq-remap",
			"interrupt remapping off: the kernel set up no remapped "
			"interrupts (%s)",
			h->dmar ? "see \"dmesg | grep DMAR-IR\"" : "see \"dmesg | grep AMD-Vi\"");
		fix(f, "vfio refuses devices without it unless vfio_iommu_type1.allow_unsafe_interrupts=1 "
		       "(a VM's device could then inject interrupts into the host)");
	} else if (h->dmar) {
		if (dmar_ir(h)) {
			add(c, PT_SEV_OK, "irq-remap", "interrupt remapping supported (VT-d ecap IR)");
		} else {
			f = add(c, PT_SEV_WARN, "irq-remap", "no interrupt remapping reported by VT-d");
			fix(f,
			    "vfio refuses devices without it unless vfio_iommu_type1.allow_unsafe_interrupts=1 "
			    "(a VM's device could then inject interrupts into the host)");
		}
	} else {
		add(c, PT_SEV_OK, "irq-remap", "interrupt remapping supported (AMD-Vi)");
	}
}

static void check_cmdline(struct ctx *c)
{
	const struct pt_host *h = c->h;
	struct pt_finding *f;
	char v[128];

	if (h->groups > 0 && (!arg(h, "iommu", v, sizeof(v)) || strcmp(v, "pt") != 0)) {
		f = add(c, PT_SEV_INFO, "cmdline", "iommu=pt is not set");
		fix(f, "add iommu=pt: %s",
		    pt_tuning_find(c->tun, "always") ? pt_tuning_find(c->tun, "always")->why : "recommended");
	}
	if (arg(h, "vfio-pci.ids", v, sizeof(v)) || arg(h, "vfio_pci.ids", v, sizeof(v))) {
		f = add(c, PT_SEV_WARN, "cmdline",
			"vfio-pci.ids=%s takes every function with those IDs, "
			"only once vfio-pci loads (the host driver may win the race)",
			v);
		fix(f, "replace it with pt.devices= (ptctl cmdline SLOT... prints the guarded form)");
	}
	if (h->opts.bad_key) {
		f = add(c, PT_SEV_WARN, "cmdline", "unknown or malformed ptboot key %s", h->opts.bad_key);
		fix(f, "see kernel-cmdline/README.md for the pt.* keys");
	}
}

static void check_modules(struct ctx *c)
{
	static const char *const mods[] = { "vfio-pci", "vfio_iommu_type1" };
	const struct pt_host *h = c->h;

	for (size_t i = 0; i < 2 && h->kver[0]; i++) {
		enum pt_kmod_state st;
		char path[256];
		struct pt_finding *f;
		int r = pt_kmod_find(h->sys.rootfd, h->kver, mods[i], &st, path, sizeof(path));

		if (r < 0) {
			f = add(c, PT_SEV_ERROR, "modules", "%s: cannot look up %s in lib/modules/%s (%d)",
				h->kver, mods[i], h->kver, r);
			fix(f, "run depmod %s", h->kver);
		} else if (st == PT_KMOD_MODULE) {
			add(c, PT_SEV_OK, "modules", "%s: %s is a module (%s)", h->kver, mods[i], path);
		} else if (st == PT_KMOD_BUILTIN) {
			add(c, PT_SEV_OK, "modules", "%s: %s is built in", h->kver, mods[i]);
		} else {
			f = add(c, PT_SEV_ERROR, "modules", "%s: no %s module for the running kernel",
				h->kver, mods[i]);
			fix(f,
			    "install the kernel's full module package (the one shipping drivers/vfio/), then depmod %s",
			    h->kver);
		}
	}
}

static void check_initramfs(struct ctx *c)
{
	const struct pt_host *h = c->h;
	char(*k)[64] = NULL;
	size_t n = 0;

	if (pt_kernels_list(h->sys.rootfd, &k, &n) < 0 || n == 0) {
		free(k);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char path[PT_PATH_MAX], cmd[192];
		struct pt_initramfs_info d = { 0 };
		enum pt_kmod_state st = PT_KMOD_MISSING;
		struct pt_finding *f;
		int r;

		if (pt_initramfs_path(h->sys.rootfd, k[i], path, sizeof(path)) < 0) {
			f = add(c, PT_SEV_WARN, "initramfs", "%s: no initramfs found in /boot", k[i]);
			pt_initramfs_rebuild_at(h->sys.rootfd, NULL, k[i], cmd, sizeof(cmd));
			fix(f, "%s", cmd);
			continue;
		}
		pt_kmod_find(h->sys.rootfd, k[i], PT_VFIO_DRIVER, &st, NULL, 0);
		r = pt_initramfs_scan(h->sys.rootfd, path, &d);
		if (r < 0) {
			f = add(c, PT_SEV_WARN, "initramfs", "%s: cannot read /%s (%s)", k[i], path,
				r == -ENOEXEC ? "its decompressor is not installed" : "not a cpio archive");
			if (r == -ENOEXEC)
				fix(f,
				    "install the decompressor it needs (zstd, xz or gzip), then run ptctl check again");
			continue;
		}
		if (st == PT_KMOD_BUILTIN)
			d.vfio_pci = true;
		if (d.vfio_pci && d.pt_early) {
			add(c, PT_SEV_OK, "initramfs", "%s: /%s has %s and pt-early", k[i], path,
			    st == PT_KMOD_BUILTIN ? "vfio-pci (built in)" : "vfio-pci");
		} else {
			f = add(c, PT_SEV_WARN, "initramfs",
				"%s: /%s has no %s%s%s: pt.devices= would do nothing "
				"at boot",
				k[i], path, d.vfio_pci ? "" : "vfio-pci",
				!d.vfio_pci && !d.pt_early ? " and no " : "", d.pt_early ? "" : "pt-early");
			pt_initramfs_rebuild_at(h->sys.rootfd, path, k[i], cmd, sizeof(cmd));
			fix(f, "install ptboot's %s, then: %s",
			    pt_initramfs_tools(h->sys.rootfd) ? "initramfs-tools hook" : "dracut module",
			    cmd);
		}
	}
	free(k);
}

/* ---- the policy ------------------------------------------------------------ */

struct policy_ctx {
	struct ctx *c;
	const struct pt_sys *sys;
	const struct pt_selection *s;
};

/* The selection's problems: selectors that match nothing and refusals, each worded as every
 * other command words it. */
static void policy_problems(struct policy_ctx *p)
{
	struct pt_sel_problem pr;
	struct pt_finding *f;
	size_t it = 0;

	while (pt_selection_problem(p->s, p->sys, &it, &pr) > 0) {
		const struct pt_sel *sel = pr.sel >= 0 ? &p->s->pol.sels[pr.sel] : NULL;
		const struct pt_dev *d = pr.item != SIZE_MAX ? &p->sys->devs[p->s->plan.items[pr.item].dev]
							     : NULL;
		char g[64];

		f = add(p->c, pr.error ? PT_SEV_ERROR : PT_SEV_WARN, "policy", "%s", pr.text);
		if (!d) {
			fix(f,
			    "find the device with ptctl list (its slot may have moved) and correct the selector");
		} else if (sel && pr.refusal == PT_REFUSE_GUARD) {
			fix(f, "the slot holds another device now: find yours with ptctl list -d %s",
			    strchr(sel->text, '@') + 1);
		} else if (pr.refusal == PT_REFUSE_BOOT_VGA_ID) {
			pt_dev_guarded(d, g, sizeof(g));
			fix(f, "name its slot: %s (the host loses its console)", g);
		} else {
			fix(f, "remove %s from pt.devices=", sel ? sel->text : "it");
		}
	}
}

static void check_framebuffer(struct ctx *c, const struct pt_dev *d)
{
	struct pt_finding *f;
	char fb[96];

	if (pt_dev_is_display(d) && pt_iomem_framebuffer(&c->h->iomem, d->slot, fb, sizeof(fb))) {
		char name[32];

		pt_snprintf(name, sizeof(name), "fb=%.*s", (int)strcspn(fb, " "), fb);
		f = add(c, PT_SEV_WARN, "framebuffer",
			"%s [%04x:%04x]: the firmware framebuffer %s sits in "
			"its BAR%s",
			pt_dev_short_slot(d), d->vendor, d->device, fb,
			d->boot_vga == 1 ? " (it is the boot VGA device)" : "");
		if (tuning_args(c, name)[0])
			fix(f,
			    "add %s (ptctl cmdline adds it), or make the other GPU the primary display in "
			    "the firmware setup",
			    tuning_args(c, name));
	} else if (d->boot_vga == 1) {
		f = add(c, PT_SEV_WARN, "boot-vga",
			"%s [%04x:%04x] is the boot VGA device: the host's "
			"console goes with it",
			pt_dev_short_slot(d), d->vendor, d->device);
		fix(f, "connect the host's display to another GPU, or make that the primary display in the "
		       "firmware setup");
	}
}

/* A function on vfio-pci in a boot without pt.devices=: not ptboot's doing, and the normal
 * entry keeps taking it from the host. Names the mechanism when it can be read. */
static void bound_elsewhere(struct ctx *c, const struct pt_dev *d)
{
	struct pt_finding *f;
	char who[400];

	if (pt_leftover_binder(c->h, &c->left, d, who, sizeof(who)) <= 0)
		pt_snprintf(who, sizeof(who),
			    "by something ptctl can't see (a script, or ptctl bind before)");
	f = add(c, PT_SEV_WARN, "bound",
		"%s [%04x:%04x] is on vfio-pci in a boot without pt.devices=: bound by %s, so the normal "
		"entry keeps it from its host driver",
		pt_dev_short_slot(d), d->vendor, d->device, who);
	fix(f, "remove what binds it (ptctl migrate does, for the leftovers above) and pass it in the "
	       "host+passthrough entry (ptctl migrate adds it, or ptctl entry add)");
}

/* The leftovers of a manual setup, each with its file and line; then every function on
 * vfio-pci in a boot without pt.devices= (selected or not: once each, here) */
static void check_leftovers(struct ctx *c)
{
	for (size_t i = 0; i < c->left.n; i++) {
		const struct pt_leftover *l = &c->left.v[i];
		struct pt_finding *f;

		if (l->line)
			f = add(c, l->sev, "leftover", "/%s:%u: %s: %s", l->file, l->line, l->text, l->why);
		else
			f = add(c, l->sev, "leftover", "/%s: %s: %s", l->file, l->text, l->why);
		if (!f)
			return;
		/* one command does them all, backed up and revertible; the hand-made fix after it */
		fix(f, "ptctl migrate (every leftover at once, backed up); by hand: %s", l->fix);
		pt_snprintf(f->file, sizeof(f->file), "%s", l->file);
		f->line = l->line;
		pt_snprintf(f->match, sizeof(f->match), "%s", l->text);
	}
	if (c->h->opts.devices)
		return;
	for (size_t i = 0; i < c->h->sys.ndevs; i++)
		if (strcmp(c->h->sys.devs[i].driver, PT_VFIO_DRIVER) == 0)
			bound_elsewhere(c, &c->h->sys.devs[i]);
}

/* The reset advice: data/reset-quirks for the functions it knows (the facts per ID), the
 * generic tuning rule for the others; said when the kernel lists no reset method, or when
 * the ones it lists are known not to be enough (vendor-reset, shutdown). */
static void check_reset(struct ctx *c, const struct pt_dev *d)
{
	const struct pt_reset_quirk *q = pt_reset_quirks_find(c->resets, d->vendor, d->device);
	const enum pt_sev sev = pt_dev_is_display(d) ? PT_SEV_WARN : PT_SEV_INFO;
	struct pt_finding *f;

	if (!d->reset_method[0]) {
		const struct pt_tuning_rule *rr = pt_tuning_find(c->tun, "reset=none");

		f = add(c, sev, "reset", "%s [%04x:%04x] has no reset method (no reset_method in sysfs)",
			pt_dev_short_slot(d), d->vendor, d->device);
		if (q)
			fix(f, "%s (reset-quirks: %s)", q->note, pt_reset_method_name(q->method));
		else
			fix(f, "%s", rr ? rr->why : "shut the VM down rather than reboot it");
	} else if (q && (q->method == PT_RESET_VENDOR_RESET || q->method == PT_RESET_SHUTDOWN)) {
		f = add(c, sev, "reset",
			"%s [%04x:%04x]: a guest reboot can leave it hung even with the kernel's reset (%s)",
			pt_dev_short_slot(d), d->vendor, d->device, d->reset_method);
		fix(f, "%s (reset-quirks: %s)", q->note, pt_reset_method_name(q->method));
	}
}

/* One function the policy passes: its disks, its console, its reset, its driver. */
static void check_function(struct ctx *c, const struct pt_dev *d, const char *seltext)
{
	struct pt_finding *f;
	char use[400];

	if (pt_storage_system_refusal(&c->h->storage, d, use, sizeof(use))) {
		f = add(c, PT_SEV_ERROR, "system-disk", "%s", use);
		fix(f, "remove %s from pt.devices=: passing it takes / away from the host", seltext);
	} else if (pt_storage_holds_system(&c->h->storage, d->slot, use, sizeof(use)) == 1) {
		f = add(c, PT_SEV_ERROR, "disk-in-use",
			"%s [%04x:%04x] (selected by %s) carries a disk in use: %s", pt_dev_short_slot(d),
			d->vendor, d->device, seltext, use);
		fix(f, "unmount it (and remove it from /etc/fstab and swap) or remove %s from pt.devices=",
		    seltext);
	}
	check_framebuffer(c, d);
	check_reset(c, d);
	/* without pt.devices=, check_leftovers said who bound it */
	if (c->h->opts.devices && strcmp(d->driver, PT_VFIO_DRIVER) == 0)
		add(c, PT_SEV_OK, "bound", "%s [%04x:%04x] is on vfio-pci", pt_dev_short_slot(d), d->vendor,
		    d->device);
}

/* A plain ID that takes identical twins: name the one to keep in the guarded form. */
static void check_twins(struct policy_ctx *p, size_t s)
{
	const struct pt_plan *plan = &p->s->plan;
	const struct pt_dev *first = NULL, *pick = NULL;
	char list[200] = "", g[64], use[300];
	size_t len = 0, same = 0;
	struct pt_finding *f;

	for (size_t i = 0; i < plan->nitems; i++) {
		const struct pt_dev *d = &p->sys->devs[plan->items[i].dev];

		if (plan->items[i].sel != (int)s || plan->items[i].action != PT_ACT_BIND)
			continue;
		if (!first)
			first = d;
		if (d->vendor != first->vendor || d->device != first->device)
			continue;
		same++;
		len += (size_t)pt_snprintf(list + len, len < sizeof(list) ? sizeof(list) - len : 0, "%s%s",
					   len ? " and " : "", pt_dev_short_slot(d));
		/* suggest a twin that does not carry the running system */
		if (!pick && !pt_storage_holds_system(&p->c->h->storage, d->slot, use, sizeof(use)))
			pick = d;
	}
	if (same < 2)
		return;
	pt_dev_guarded(pick ? pick : first, g, sizeof(g));
	f = add(p->c, PT_SEV_WARN, "twins", "selector %s takes identical devices %s", p->s->pol.sels[s].text,
		list);
	fix(f, "name the one you mean in the guarded form, e.g. %s", g);
}

/* The members a gap leaves on the host, as "SLOT [VVVV:DDDD], ..." in missing and as
 * selectors in add_sel (both size bytes); for a slot, only those outside the taken
 * function's own IOMMU group (those are the group's gap). Returns how many. */
static size_t gap_lists(const struct policy_ctx *p, const struct pt_gap *g, bool slot, char *missing,
			char *add_sel, size_t size)
{
	const struct pt_dev *d = &p->sys->devs[g->first];
	size_t ml = 0, al = 0, n = 0;

	missing[0] = add_sel[0] = '\0';
	for (size_t k = 0; k < g->nleft; k++) {
		const struct pt_dev *m = &p->sys->devs[g->left[k]];
		char gs[64];

		if (slot && d->group >= 0 && m->group == d->group)
			continue;
		n++;
		pt_dev_guarded(m, gs, sizeof(gs));
		ml += (size_t)pt_snprintf(missing + ml, ml < size ? size - ml : 0, "%s%s [%04x:%04x]",
					  ml ? ", " : "", pt_dev_short_slot(m), m->vendor, m->device);
		al += (size_t)pt_snprintf(add_sel + al, al < size ? size - al : 0, "%s%s", al ? "," : "", gs);
	}
	return n;
}

/* IOMMU groups left half on the host */
static int group_gap(void *data, const struct pt_gap *g)
{
	struct policy_ctx *p = data;
	const struct pt_dev *d = &p->sys->devs[g->first];
	char missing[200], add_sel[200];
	struct pt_finding *f;
	bool many;

	if (!g->nleft) {
		add(p->c, PT_SEV_OK, "group", "IOMMU group %d is passed whole", g->group);
		return 0;
	}
	gap_lists(p, g, false, missing, add_sel, sizeof(missing));
	many = g->nleft > 1;
	f = add(p->c, PT_SEV_WARN, "group",
		"IOMMU group %d is incomplete: %s stay%s on the host; a VM "
		"can't use %s until %s on vfio-pci too",
		g->group, missing, many ? "" : "s", pt_dev_short_slot(d), many ? "they are" : "it is");
	fix(f, "add %s to pt.devices= (or add pt.groups=complete)", add_sel);
	return 0;
}

/* Slots left half on the host: functions in other IOMMU groups than the taken one's (those in
 * its group are group_gap's). One device to a VM, and they share its resets. */
static int slot_gap(void *data, const struct pt_gap *g)
{
	struct policy_ctx *p = data;
	const struct pt_dev *d = &p->sys->devs[g->first];
	char missing[200], add_sel[200];
	struct pt_finding *f;
	size_t n = gap_lists(p, g, true, missing, add_sel, sizeof(missing));

	if (!n)
		return 0;
	f = add(p->c, PT_SEV_WARN, "slot",
		"slot of %s is taken in part: %s stay%s on the host; the functions of one slot are one "
		"device to a VM and share its resets",
		pt_dev_short_slot(d), missing, n > 1 ? "" : "s");
	fix(f, "add %s to pt.devices= (ptctl cmdline completes slots)", add_sel);
	return 0;
}

/* A driver_override=vfio-pci left behind by an earlier attempt on a function not selected */
static void check_stale_overrides(struct policy_ctx *p)
{
	for (size_t i = 0; i < p->sys->ndevs; i++) {
		const struct pt_dev *d = &p->sys->devs[i];
		struct pt_finding *f;

		if (p->s->plan.take[i] || strcmp(d->override, PT_VFIO_DRIVER) != 0 ||
		    strcmp(d->driver, PT_VFIO_DRIVER) == 0)
			continue;
		f = add(p->c, PT_SEV_WARN, "override",
			"%s [%04x:%04x] has driver_override=vfio-pci but is not "
			"selected: no host driver can take it",
			pt_dev_short_slot(d), d->vendor, d->device);
		fix(f, "echo > /sys/bus/pci/devices/%s/driver_override; echo %s > /sys/bus/pci/drivers_probe",
		    d->slot, d->slot);
	}
}

static void check_policy(struct ctx *c, const char *text, const char *source)
{
	const struct pt_host *h = c->h;
	struct pt_policy_error perr = { 0 };
	struct pt_selection s;
	struct policy_ctx p = { .c = c, .sys = &h->sys, .s = &s };
	struct pt_finding *f;
	size_t nbind;
	int r;

	r = pt_select(&h->sys, text, h->opts.complete_groups ? PT_PLAN_GROUPS : 0, &s, &perr);
	if (r == -EINVAL || r == -E2BIG) {
		f = add(c, PT_SEV_ERROR, "policy", "%s: selector \"%s\": %s", source, perr.sel, perr.why);
		fix(f, "correct the selector; ptctl list shows each function's guarded selector");
		return;
	}
	if (r < 0) {
		c->err = r;
		return;
	}
	nbind = pt_plan_count(&s.plan, PT_ACT_BIND);
	add(c, PT_SEV_OK, "policy", "%s: %zu selector%s, %zu function%s to pass", source, s.pol.nsels,
	    s.pol.nsels == 1 ? "" : "s", nbind, nbind == 1 ? "" : "s");
	policy_problems(&p);
	for (size_t i = 0; i < s.plan.nitems; i++) {
		const struct pt_item *it = &s.plan.items[i];

		if (it->action == PT_ACT_BIND)
			check_function(c, &h->sys.devs[it->dev],
				       it->sel >= 0 ? s.pol.sels[it->sel].text : "pt.groups=complete");
	}
	for (size_t sel = 0; sel < s.pol.nsels; sel++)
		if (s.pol.sels[sel].kind == PT_SEL_ID)
			check_twins(&p, sel);
	r = pt_sys_gaps(&h->sys, s.plan.take, PT_UNIT_GROUP, group_gap, &p);
	if (r == 0)
		r = pt_sys_gaps(&h->sys, s.plan.take, PT_UNIT_SLOT, slot_gap, &p);
	if (r < 0)
		c->err = r;
	check_stale_overrides(&p);
	pt_selection_free(&s);
}

int pt_check_run(const struct pt_host *h, const struct pt_tuning *tun, const struct pt_reset_quirks *resets,
		 const char *policy_text, const char *source, struct pt_findings *ret)
{
	struct ctx c = { .h = h, .tun = tun, .resets = resets };
	int r = pt_leftovers_scan(h, &c.left);
	char saved[sizeof(((struct pt_entry_conf *)0)->policy)];

	if (r < 0)
		return r;
	check_iommu(&c);
	check_cmdline(&c);
	check_modules(&c);
	check_initramfs(&c);
	check_leftovers(&c);
	if (policy_text) {
		check_policy(&c, policy_text, source);
	} else if (h->opts.devices_bare) {
		struct pt_finding *f = add(&c, PT_SEV_ERROR, "policy",
					   "pt.devices without a value on the command line");

		fix(f, "give it a value, e.g. pt.devices=03:00.0@1002:744c");
	} else if (h->opts.devices) {
		check_policy(&c, h->opts.devices, "pt.devices=");
	} else if (pt_saved_policy(h->sys.rootfd, saved, sizeof(saved)) > 0) {
		check_policy(&c, saved, PT_SAVED_POLICY_SOURCE);
	} else {
		struct pt_finding *f = add(&c, PT_SEV_INFO, "policy",
					   "no policy: no --policy was given, the running command line "
					   "has no pt.devices= and ptctl entry add saved no selection");

		fix(f, "ptctl cmdline SLOT... prints the arguments for the functions you want to pass");
	}
	pt_leftovers_free(&c.left);
	if (c.err) {
		pt_findings_free(&c.f);
		return c.err;
	}
	*ret = c.f;
	return 0;
}

void pt_findings_free(struct pt_findings *f)
{
	free(f->v);
	*f = (struct pt_findings){ 0 };
}

enum pt_sev pt_findings_worst(const struct pt_findings *f)
{
	enum pt_sev w = PT_SEV_OK;

	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].sev > w)
			w = f->v[i].sev;
	return w;
}
