// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Passthrough leftovers: what a manual setup (the seed guide, the Arch wiki) leaves on the disks
 * that hands devices to vfio-pci in every boot, or takes their host drivers away: kernel
 * arguments in every place a boot entry's command line comes from, modprobe.d, dracut.conf.d,
 * initramfs-tools and the copies of those files inside each initramfs. Each leftover names
 * its file and line, the offending text, why it breaks the normal entry, and the fix.
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

struct lctx {
	const struct pt_host *h;
	struct pt_leftovers l;
	int err;
	int irq_remap;
};

__attribute__((format(printf, 6, 7))) static struct pt_leftover *add(struct lctx *c, enum pt_sev sev,
								     const char *file, unsigned line,
								     const char *text, const char *fmt, ...)
{
	struct pt_leftover *v;
	va_list ap;

	if (c->err)
		return NULL;
	v = realloc(c->l.v, (c->l.n + 1) * sizeof(*v));
	if (!v) {
		c->err = -ENOMEM;
		return NULL;
	}
	c->l.v = v;
	v = &c->l.v[c->l.n++];
	*v = (struct pt_leftover){ .sev = sev, .line = line };
	pt_snprintf(v->file, sizeof(v->file), "%s", file);
	pt_snprintf(v->text, sizeof(v->text), "%s", text);
	va_start(ap, fmt);
	pt_vsnprintf(v->why, sizeof(v->why), fmt, ap);
	va_end(ap);
	return v;
}

__attribute__((format(printf, 2, 3))) static void lfix(struct pt_leftover *l, const char *fmt, ...)
{
	va_list ap;

	if (!l)
		return;
	va_start(ap, fmt);
	pt_vsnprintf(l->fix, sizeof(l->fix), fmt, ap);
	va_end(ap);
}

static bool is_vfio_pci(const char *mod, size_t n)
{
	return (n == 8 && (strncmp(mod, "vfio-pci", 8) == 0 || strncmp(mod, "vfio_pci", 8) == 0));
}

/* ---- kernel arguments ------------------------------------------------------------------ */

int pt_karg_leftover(const char *key, const char *val, enum pt_sev *ret_sev, const char **ret_why)
{
	static const struct {
		const char *key, *val; /* val NULL: any value */
		enum pt_sev sev;
		const char *why;
	} rules[] = {
		{ "vfio-pci.ids", NULL, PT_SEV_WARN,
		  "hands every function with these IDs to vfio-pci in every boot, "
		  "bypassing pt.devices= and its guards" },
		{ "vfio_pci.ids", NULL, PT_SEV_WARN,
		  "hands every function with these IDs to vfio-pci in every boot, "
		  "bypassing pt.devices= and its guards" },
		{ "vfio-pci.disable_vga", NULL, PT_SEV_INFO,
		  "a vfio-pci option only a passthrough boot needs" },
		{ "vfio_pci.disable_vga", NULL, PT_SEV_INFO,
		  "a vfio-pci option only a passthrough boot needs" },
		{ "rd.driver.pre", "vfio-pci", PT_SEV_WARN,
		  "loads vfio-pci before every other driver in the initramfs of every boot" },
		{ "rd.driver.pre", "vfio_pci", PT_SEV_WARN,
		  "loads vfio-pci before every other driver in the initramfs of every boot" },
		{ "amd_iommu", "on", PT_SEV_INFO,
		  "not a valid value: the kernel ignores it (the AMD IOMMU is on by default)" },
		{ "video", "efifb:off", PT_SEV_INFO,
		  "the normal boot loses the firmware framebuffer (its early console); only a "
		  "passthrough boot of the GPU carrying it needs this" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		if (strcmp(key, rules[i].key) != 0)
			continue;
		if (rules[i].val && (!val || strcmp(val, rules[i].val) != 0))
			continue;
		*ret_sev = rules[i].sev;
		*ret_why = rules[i].why;
		return 1;
	}
	return 0;
}

struct args_ctx {
	struct lctx *c;
	const char *file;
	unsigned line;
	const char *what; /* "this entry", "every entry grub2-mkconfig writes" */
};

static int args_cb(const char *key, const char *val, void *data)
{
	struct args_ctx *a = data;
	const char *why;
	enum pt_sev sev;
	char text[256];

	if (pt_karg_leftover(key, val, &sev, &why) <= 0)
		return 0;
	pt_snprintf(text, sizeof(text), "%s%s%s", key, val ? "=" : "", val ? val : "");
	lfix(add(a->c, sev, a->file, a->line, text, "%s (in %s)", why, a->what),
	     "remove %s from this line; ptctl entry add leaves it out of the host+passthrough entry", text);
	return 0;
}

static void scan_args(struct lctx *c, const char *file, unsigned line, const char *args, const char *what)
{
	struct args_ctx a = { .c = c, .file = file, .line = line, .what = what };

	pt_cmdline_foreach(args, args_cb, &a);
}

/* The next line of text (NUL-terminated in place); NULL at the end. */
static char *next_line(char **p)
{
	char *s = *p, *nl;

	if (!s || !*s)
		return NULL;
	nl = strchr(s, '\n');
	if (nl) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = s + strlen(s);
	}
	return s;
}

static char *skip_blank(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static void scan_bls(struct lctx *c, const struct pt_boot *b)
{
	struct pt_bls_files f = { 0 };
	char file[PT_PATH_MAX];

	if (!b->entries[0] || pt_boot_entries(c->h->sys.rootfd, b, &f, NULL) < 0)
		return;
	for (size_t i = 0; i < f.n; i++) {
		const struct pt_bls_file *x = &f.v[i];

		if (x->e.ours)
			continue;
		if (x->uki)
			pt_snprintf(file, sizeof(file), "%s/%s/%s", b->esp, PT_UKI_DIR, x->name);
		else
			pt_snprintf(file, sizeof(file), "%s/%s", b->entries, x->name);
		for (size_t k = 0; k < x->e.n; k++)
			if (x->e.v[k].key && strcmp(x->e.v[k].key, "options") == 0)
				scan_args(c, file, x->uki ? 0 : (unsigned)k + 1, x->e.v[k].value,
					  x->uki ? "the UKI's .cmdline section" : "this boot entry");
	}
	pt_bls_files_free(&f);
}

/* grub.cfg's linux lines, outside ptboot's own 42_ptboot section */
static void scan_grubcfg(struct lctx *c, const struct pt_boot *b)
{
	char file[PT_PATH_MAX], *text = NULL, *p, *l;
	bool ours = false;
	unsigned n = 0;
	size_t len;

	if (!b->grubdir[0] || pt_pathf(file, sizeof(file), "%s/grub.cfg", b->grubdir) < 0 ||
	    pt_read_file(c->h->sys.rootfd, file, 4 << 20, &text, &len) < 0)
		return;
	p = text;
	while ((l = next_line(&p))) {
		char *s = skip_blank(l);
		size_t w = strcspn(s, " \t");

		n++;
		if (strncmp(s, "### BEGIN /etc/grub.d/", 22) == 0)
			ours = strstr(s, "_ptboot ###") != NULL;
		if (ours ||
		    !((w == 5 && strncmp(s, "linux", 5) == 0) || (w == 8 && strncmp(s, "linuxefi", 8) == 0)))
			continue;
		s = skip_blank(s + w);
		s += strcspn(s, " \t"); /* the kernel's path */
		scan_args(c, file, n, s, "this menu entry, as grub-mkconfig wrote it from /etc/default/grub");
	}
	free(text);
}

/* Each line of a file (none when it can't be read) to fn, numbered from 1. */
static void scan_text_lines(struct lctx *c, const char *file,
			    void (*fn)(struct lctx *, const char *, unsigned, char *))
{
	char *text = NULL, *p, *l;
	unsigned n = 0;
	size_t len;

	if (pt_read_file(c->h->sys.rootfd, file, 1 << 20, &text, &len) < 0)
		return;
	p = text;
	while ((l = next_line(&p)))
		fn(c, file, ++n, l);
	free(text);
}

/* GRUB_CMDLINE_LINUX="..." and _DEFAULT in etc/default/grub and etc/default/grub.d/NAME.cfg */
static void default_grub_line(struct lctx *c, const char *file, unsigned n, char *l)
{
	char *s = skip_blank(l), *v, *e;

	if (strncmp(s, "GRUB_CMDLINE_LINUX", 18) != 0 || !(v = strchr(s, '=')))
		return;
	v++;
	if (*v == '"' || *v == '\'') {
		e = strrchr(v + 1, *v);
		if (e)
			*e = '\0';
		v++;
	}
	scan_args(c, file, n, v, "every entry grub-mkconfig writes");
}

static void kernel_cmdline_line(struct lctx *c, const char *file, unsigned n, char *l)
{
	scan_args(c, file, n, l, "every entry or UKI kernel-install makes");
}

static int cmp_name(const void *a, const void *b, const void *ctx)
{
	(void)ctx;
	return strcmp(a, b);
}

/* The files in dir ending in suffix, sorted (none when dir is absent). */
static int list_dir(int rootfd, const char *dir, const char *suffix, char (**ret)[256], size_t *ret_n)
{
	char(*v)[256] = NULL;
	size_t n = 0, sl = strlen(suffix);
	struct dirent *de;
	int r;
	DIR *d;

	*ret = NULL;
	*ret_n = 0;
	r = pt_opendir(rootfd, dir, &d);
	if (r < 0)
		return r == -ENOMEM ? r : 0; /* absent or unreadable: nothing there */
	while ((de = readdir(d))) {
		size_t k = strlen(de->d_name);
		void *nv;

		if (de->d_name[0] == '.' || k <= sl || k >= 256 || strcmp(de->d_name + k - sl, suffix) != 0)
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			r = -ENOMEM;
			break;
		}
		v = nv;
		memcpy(v[n++], de->d_name, k + 1);
	}
	closedir(d);
	if (!r && n)
		r = pt_sort(v, n, sizeof(*v), cmp_name, NULL);
	if (r < 0) {
		free(v);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static void scan_cmdline_files(struct lctx *c)
{
	const int rootfd = c->h->sys.rootfd;
	struct pt_boot b = { 0 };
	char(*v)[256] = NULL;
	char *text = NULL, file[PT_PATH_MAX], val[1024];
	unsigned n = 0;
	size_t len, nv = 0;

	if (pt_boot_detect(rootfd, &b) == 0) {
		scan_bls(c, &b);
		scan_grubcfg(c, &b);
		if (pt_pathf(file, sizeof(file), "%s/grubenv", b.grubdir) >= 0 &&
		    pt_read_file(rootfd, file, PT_GRUBENV_SIZE * 4, &text, &len) == 0) {
			if (pt_grubenv_get(text, len, "kernelopts", val, sizeof(val)) > 0) {
				char *k = strstr(text, "\nkernelopts=");

				for (char *q = text; k && q <= k; q++)
					n += *q == '\n';
				scan_args(c, file, k ? n + 1 : 0, val, "every BLS entry naming $kernelopts");
			}
			free(text);
		}
	}
	scan_text_lines(c, "etc/default/grub", default_grub_line);
	if (list_dir(rootfd, "etc/default/grub.d", ".cfg", &v, &nv) == 0)
		for (size_t i = 0; i < nv; i++)
			if (pt_pathf(file, sizeof(file), "etc/default/grub.d/%s", v[i]) >= 0)
				scan_text_lines(c, file, default_grub_line);
	free(v);
	scan_text_lines(c, "etc/kernel/cmdline", kernel_cmdline_line);
}

/* ---- modprobe.d -------------------------------------------------------------------------- */

static bool same_mod(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (*a != *b && !((*a == '-' || *a == '_') && (*b == '-' || *b == '_')))
			return false;
	return !*a && !*b;
}

/* Would mod drive d (by what it is, whatever drives it now)? */
static bool would_drive(const char *mod, const struct pt_dev *d)
{
	static const struct {
		const char *mod;
		uint32_t vendor; /* 0: any */
		uint32_t cls, mask;
	} drives[] = {
		{ "amdgpu", 0x1002, 0x030000, 0xff0000 },   { "radeon", 0x1002, 0x030000, 0xff0000 },
		{ "nouveau", 0x10de, 0x030000, 0xff0000 },  { "nvidia", 0x10de, 0x030000, 0xff0000 },
		{ "i915", 0x8086, 0x030000, 0xff0000 },	    { "xe", 0x8086, 0x030000, 0xff0000 },
		{ "snd_hda_intel", 0, 0x040300, 0xffff00 }, { "nvme", 0, 0x010802, 0xffffff },
		{ "ahci", 0, 0x010601, 0xffffff },	    { "xhci_pci", 0, 0x0c0330, 0xffffff },
	};

	if (same_mod(d->driver, mod))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(drives); i++)
		if (same_mod(mod, drives[i].mod) && (!drives[i].vendor || drives[i].vendor == d->vendor) &&
		    (d->cls & drives[i].mask) == drives[i].cls)
			return true;
	return false;
}

/* The functions mod would drive, "03:00.0 [1002:744c] (on vfio-pci), 7c:00.0 [1002:164e] (the
 * boot VGA device with the host's console)"; the count of them on vfio-pci. A blacklist that
 * leaves none on vfio-pci is another driver's business (nvidia's package blacklists nouveau). */
static size_t host_driver(const struct pt_host *h, const char *mod, char *buf, size_t size)
{
	size_t len = 0, vfio = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < h->sys.ndevs; i++) {
		const struct pt_dev *d = &h->sys.devs[i];
		bool on_vfio = strcmp(d->driver, PT_VFIO_DRIVER) == 0;

		if (!would_drive(mod, d))
			continue;
		vfio += on_vfio;
		len += (size_t)pt_snprintf(buf + len, len < size ? size - len : 0, "%s%s [%04x:%04x]%s",
					   len ? ", " : "", pt_dev_short_slot(d), d->vendor, d->device,
					   on_vfio ? " (on vfio-pci)"
					   : d->boot_vga == 1
						   ? " (the boot VGA device with the host's console)"
						   : "");
	}
	return vfio;
}

static void modprobe_options(struct lctx *c, const char *file, unsigned n, const char *line, char *mod,
			     char *rest)
{
	struct pt_leftover *l;
	char *w, *save = NULL;

	for (w = strtok_r(rest, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		size_t kl = strcspn(w, "=");
		const char *v = w[kl] ? w + kl + 1 : "";

		if (is_vfio_pci(mod, strlen(mod)) && kl == 3 && strncmp(w, "ids", 3) == 0) {
			l = add(c, PT_SEV_WARN, file, n, line,
				"vfio-pci takes every function with these IDs (%s) as soon as it loads, in "
				"every boot, bypassing pt.devices= and its guards",
				v);
			lfix(l,
			     "delete the line; ptctl cmdline SLOT... names the functions as pt.devices=SLOT@ID");
		} else if (is_vfio_pci(mod, strlen(mod)) && kl == 11 && strncmp(w, "disable_vga", 11) == 0) {
			lfix(add(c, PT_SEV_INFO, file, n, line,
				 "disable_vga only matters for a GPU on vfio-pci; harmless, but part of the manual setup"),
			     "delete %s from the line", w);
		} else if (same_mod(mod, "vfio_iommu_type1") && kl == 23 &&
			   strncmp(w, "allow_unsafe_interrupts", 23) == 0 &&
			   (v[0] == '1' || v[0] == 'Y' || v[0] == 'y')) {
			l = add(c, c->irq_remap == 1 ? PT_SEV_WARN : PT_SEV_INFO, file, n, line, "%s",
				c->irq_remap == 1
					? "this IOMMU remaps interrupts: allow_unsafe_interrupts only lowers the "
					  "isolation of every passed device (a VM could inject host interrupts)"
					: "needed only without interrupt remapping; it lowers every passed device's "
					  "isolation");
			lfix(l, "delete the line%s",
			     c->irq_remap == 1 ? "" : " unless vfio refuses devices without it");
		}
	}
}

static void modprobe_line(struct lctx *c, const char *file, unsigned n, char *l)
{
	char orig[256], *save = NULL, *cmd, *mod, *rest;
	char who[400];

	pt_snprintf(orig, sizeof(orig), "%s", skip_blank(l));
	cmd = strtok_r(l, " \t", &save);
	if (!cmd || cmd[0] == '#')
		return;
	mod = strtok_r(NULL, " \t", &save);
	if (!mod)
		return;
	rest = save ? save : (char *)"";
	if (strcmp(cmd, "options") == 0) {
		modprobe_options(c, file, n, orig, mod, rest);
	} else if (strcmp(cmd, "softdep") == 0) {
		bool pre = false, vfio = false;

		for (char *w = strtok_r(rest, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
			if (strcmp(w, "pre:") == 0 || strcmp(w, "post:") == 0)
				pre = strcmp(w, "pre:") == 0;
			else if (pre && (is_vfio_pci(w, strlen(w)) || strncmp(w, "vfio", 4) == 0))
				vfio = true;
		}
		if (vfio)
			lfix(add(c, PT_SEV_WARN, file, n, orig,
				 "every load of %s loads vfio-pci first, in every boot: with ids= (here or on the "
				 "command line) vfio-pci takes those functions before their host drivers",
				 mod),
			     "delete the line (pt-early binds the selected functions before any driver)");
	} else if (strcmp(cmd, "blacklist") == 0 || strcmp(cmd, "install") == 0) {
		bool never = strcmp(cmd, "blacklist") == 0;

		if (!never) {
			char *prog = strtok_r(rest, " \t", &save);

			never = prog &&
				(strcmp(prog, "/bin/false") == 0 || strcmp(prog, "/usr/bin/false") == 0 ||
				 strcmp(prog, "/bin/true") == 0 || strcmp(prog, "/usr/bin/true") == 0);
		}
		if (!never || !host_driver(c->h, mod, who, sizeof(who)))
			return;
		lfix(add(c, PT_SEV_WARN, file, n, orig,
			 "%s never %s, in any boot, for any of the functions it drives: %s", mod,
			 cmd[0] == 'b' ? "loads by alias" : "loads", who),
		     "delete the line (the passthrough entry keeps the selected functions from %s)", mod);
	}
}

/* ---- dracut.conf.d, initramfs-tools ---------------------------------------------------- */

static void dracut_line(struct lctx *c, const char *file, unsigned n, char *l)
{
	char *s = skip_blank(l);
	size_t k = strcspn(s, "+= \t");
	bool force = k == 13 && strncmp(s, "force_drivers", 13) == 0;
	bool add_ = k == 11 && strncmp(s, "add_drivers", 11) == 0;
	bool kcmd = k == 14 && strncmp(s, "kernel_cmdline", 14) == 0;

	if (s[0] == '#' || !strstr(s, "vfio"))
		return;
	if (force)
		lfix(add(c, PT_SEV_WARN, file, n, s,
			 "dracut loads these first in every initramfs (rd.driver.pre=), so vfio-pci with "
			 "modprobe.d's ids= takes those functions in every boot"),
		     "delete the line; ptboot's dracut module adds vfio-pci and pt-early loads it only for a "
		     "pt.devices= boot");
	else if (add_)
		lfix(add(c, PT_SEV_INFO, file, n, s,
			 "puts the vfio modules into every initramfs; ptboot's dracut module does that"),
		     "delete the line");
	else if (kcmd)
		lfix(add(c, PT_SEV_WARN, file, n, s,
			 "bakes vfio arguments into every initramfs's command line, in every boot"),
		     "delete the vfio arguments from kernel_cmdline=");
}

static void itools_line(struct lctx *c, const char *file, unsigned n, char *l)
{
	char *s = skip_blank(l);
	size_t k = strcspn(s, " \t");

	if (s[0] == '#' || !(is_vfio_pci(s, k) || (k >= 4 && strncmp(s, "vfio", 4) == 0)))
		return;
	if (is_vfio_pci(s, k) && strstr(s + k, "ids="))
		lfix(add(c, PT_SEV_WARN, file, n, s,
			 "the initramfs loads vfio-pci with these IDs in every boot: it takes those functions "
			 "before their host drivers"),
		     "delete the line; ptctl cmdline SLOT... names the functions as pt.devices=SLOT@ID");
	else
		lfix(add(c, PT_SEV_INFO, file, n, s, "loads a vfio module early in every boot"),
		     "delete the line; ptboot's initramfs hook loads vfio only for a pt.devices= boot");
}

static void scan_dir(struct lctx *c, const char *dir, const char *suffix,
		     void (*fn)(struct lctx *, const char *, unsigned, char *))
{
	char(*v)[256] = NULL, file[PT_PATH_MAX];
	size_t n = 0;

	if (list_dir(c->h->sys.rootfd, dir, suffix, &v, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (pt_pathf(file, sizeof(file), "%s/%s", dir, v[i]) >= 0)
			scan_text_lines(c, file, fn);
	free(v);
}

/* ---- the initramfs of each installed kernel -------------------------------------------- */

struct rd_ctx {
	struct lctx *c;
	const char *path, *kver;
	size_t nfound;
};

/* Is file (etc/modprobe.d/X.conf, etc/initramfs-tools/modules...) one with a leftover? */
static bool has_leftover(const struct lctx *c, const char *file)
{
	for (size_t i = 0; i < c->l.n; i++)
		if (strcmp(c->l.v[i].file, file) == 0 && c->l.v[i].sev >= PT_SEV_WARN)
			return true;
	return false;
}

static int rd_cb(const char *name, void *data)
{
	struct rd_ctx *r = data;
	char cmd[192], text[300];
	const char *src = NULL, *n = name;

	while (*n == '.' || *n == '/')
		n++;
	if (strncmp(n, "etc/modprobe.d/", 15) == 0 && has_leftover(r->c, n))
		src = n;
	/* dracut.sh writes force_drivers to 20-force_drivers.conf; the singular name is the
	 * one it removes first (and the seed-guide fixture's) */
	else if (strcmp(n, "etc/cmdline.d/20-force_drivers.conf") == 0 ||
		 strcmp(n, "etc/cmdline.d/20-force_driver.conf") == 0)
		src = "dracut's force_drivers (rd.driver.pre= for each)";
	else if (strcmp(n, "conf/modules") == 0 && has_leftover(r->c, "etc/initramfs-tools/modules"))
		src = "etc/initramfs-tools/modules";
	if (!src)
		return 0;
	r->nfound++;
	pt_snprintf(text, sizeof(text), "%s", n);
	pt_leftover_rebuild(r->path, r->kver, cmd, sizeof(cmd));
	lfix(add(r->c, PT_SEV_WARN, r->path, 0, text,
		 "the initramfs of %s carries a copy of %s: it acts in every boot of that kernel until "
		 "the initramfs is made anew",
		 r->kver, src),
	     "remove the leftover files first, then: %s", cmd);
	return 0;
}

void pt_leftover_rebuild(const char *path, const char *kver, char *buf, size_t size)
{
	if (strstr(path, "/initrd.img-")) /* Debian's initramfs-tools made it */
		pt_snprintf(buf, size, "update-initramfs -u -k %s", kver);
	else
		pt_initramfs_rebuild(path, kver, buf, size);
}

static void scan_initramfs(struct lctx *c)
{
	char(*k)[64] = NULL;
	size_t n = 0;

	if (pt_kernels_list(c->h->sys.rootfd, &k, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		char path[PT_PATH_MAX];
		struct rd_ctx r = { .c = c, .path = path, .kver = k[i] };

		if (pt_initramfs_path(c->h->sys.rootfd, k[i], path, sizeof(path)) == 0)
			pt_initramfs_walk(c->h->sys.rootfd, path, rd_cb, &r);
	}
	free(k);
}

int pt_leftovers_scan(const struct pt_host *h, struct pt_leftovers *ret)
{
	struct lctx c = { .h = h, .irq_remap = pt_host_irq_remap(h) };

	scan_cmdline_files(&c);
	scan_dir(&c, "etc/modprobe.d", ".conf", modprobe_line);
	scan_text_lines(&c, "etc/dracut.conf", dracut_line);
	scan_dir(&c, "etc/dracut.conf.d", ".conf", dracut_line);
	scan_text_lines(&c, "etc/initramfs-tools/modules", itools_line);
	scan_initramfs(&c);
	if (c.err) {
		pt_leftovers_free(&c.l);
		return c.err;
	}
	*ret = c.l;
	return 0;
}

void pt_leftovers_free(struct pt_leftovers *l)
{
	free(l->v);
	*l = (struct pt_leftovers){ 0 };
}

/* ---- who bound a function to vfio-pci -------------------------------------------------- */

/* Does an ids= list ("1002:744c,1002:ab30:ffffffff:...") name d's vendor:device? */
static bool ids_name(const char *list, const struct pt_dev *d)
{
	char id[10];

	pt_snprintf(id, sizeof(id), "%04x:%04x", d->vendor, d->device);
	for (const char *p = list; *p;) {
		size_t k = strcspn(p, ", \t");

		if (k >= 9 && strncasecmp(p, id, 9) == 0 && (k == 9 || p[9] == ':'))
			return true;
		p += k;
		p += strspn(p, ", \t");
	}
	return false;
}

struct ids_find {
	const struct pt_dev *d;
	bool found;
};

static int ids_cb(const char *key, const char *val, void *data)
{
	struct ids_find *f = data;

	if (val && (strcmp(key, "vfio-pci.ids") == 0 || strcmp(key, "vfio_pci.ids") == 0) &&
	    ids_name(val, f->d))
		f->found = true;
	return 0;
}

struct journal_find {
	const struct pt_dev *d;
	bool bound; /* the last journal line for the slot bound it to vfio-pci */
};

static int journal_cb(void *data, const struct pt_runtime_entry *e)
{
	struct journal_find *j = data;

	if (strcmp(e->slot, j->d->slot) == 0 || strcmp(e->slot, pt_dev_short_slot(j->d)) == 0)
		j->bound = strcmp(e->action, "bind") == 0 && strcmp(e->to, PT_VFIO_DRIVER) == 0;
	return 0;
}

int pt_leftover_binder(const struct pt_host *h, const struct pt_leftovers *l, const struct pt_dev *d,
		       char *buf, size_t size)
{
	struct ids_find f = { .d = d };
	struct journal_find j = { .d = d };
	char path[PT_PATH_MAX], drv[64], *text = NULL;

	if (pt_read_file(h->sys.rootfd, PT_RUNTIME_LOG, 4 << 20, &text, NULL) == 0) {
		pt_runtime_log_parse(text, journal_cb, &j);
		free(text);
	}
	if (j.bound)
		return pt_snprintf(buf, size, "a runtime ptctl bind (/%s)", PT_RUNTIME_LOG), 1;
	if (strcmp(d->override, PT_VFIO_DRIVER) == 0) {
		if (pt_pathf(path, sizeof(path), "etc/driverctl.d/pci-%s.conf", d->slot) >= 0 &&
		    pt_read_attr(h->sys.rootfd, path, drv, sizeof(drv)) > 0 && same_mod(drv, PT_VFIO_DRIVER))
			return pt_snprintf(buf, size, "a driverctl override (/%s)", path), 1;
		return pt_snprintf(buf, size, "driver_override=vfio-pci (ptctl bind, driverctl or a script)"),
		       1;
	}
	if (h->cmdline)
		pt_cmdline_foreach(h->cmdline, ids_cb, &f);
	if (f.found)
		return pt_snprintf(buf, size, "vfio-pci.ids= on the running command line"), 1;
	for (size_t i = 0; l && i < l->n; i++) {
		const char *t = strstr(l->v[i].text, "ids=");

		if (l->v[i].line &&
		    (strncmp(l->v[i].file, "etc/modprobe.d/", 15) == 0 ||
		     strncmp(l->v[i].file, "etc/initramfs-tools/", 20) == 0) &&
		    t && ids_name(t + 4, d))
			return pt_snprintf(buf, size, "ids= in /%s:%u (\"%s\")", l->v[i].file, l->v[i].line,
					   l->v[i].text),
			       1;
	}
	return 0;
}
