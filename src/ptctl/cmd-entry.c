// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ptctl entry add|remove|status and ptctl boot vm|bare-metal|windows: the boot menu's
 * "host+passthrough" entry beside the normal one (BLS files for systemd-boot and Fedora's
 * GRUB, /etc/grub.d/42_ptboot for Debian's GRUB), and the choice of the next boot.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptctl.h"

struct eopts {
	const struct ptctl *c;
	int rootfd;
	int lockfd;	   /* PT_LOCK_FILE, held while a command writes */
	bool live;	   /* the root is this system's / */
	char win_part[32]; /* --windows: the ESP found */
	struct pt_boot boot;
	int changes;
	int unbindable;			 /* entries written for kernels whose initramfs can't bind */
	const struct pt_entry_conf *old; /* entry add: the saved entry.conf, NULL when none */
	char old_args[4096];		 /* ... and the arguments its entries got */
};

/* The lock (when taken) and the root's fd, once a command is done. */
static void eopts_close(struct eopts *o)
{
	if (o->lockfd >= 0)
		close(o->lockfd);
	if (o->rootfd >= 0)
		close(o->rootfd);
}

/* Whether the initramfs of kver has pt-early and vfio-pci: 1 yes, 0 no (fix: the command that
 * rebuilds it), -errno when there is none or it can't be read. */
/* Does kver's initramfs hold pt-early and vfio-pci? The entry's own initrd line (relative to
 * the BLS root, the directory above loader/entries: /boot, or the ESP for systemd-boot, whose
 * entries name /MACHINE-ID/KVER/initrd) when it has one, else the distribution's usual names. */
static int kernel_can_bind(int rootfd, const char *entries, const struct pt_bls *e, const char *kver,
			   char *fix, size_t size)
{
	struct pt_initramfs_info s = { 0 };
	const char *initrd = e ? pt_bls_get(e, "initrd") : NULL, *tail = strstr(entries, "loader/entries");
	char path[512];
	int r = -ENOENT;

	if (initrd && tail) {
		initrd += *initrd == '/';
		pt_snprintf(path, sizeof(path), "%.*s%.*s", (int)(tail - entries), entries,
			    (int)strcspn(initrd, " "), initrd);
		if (pt_exists(rootfd, path))
			r = 0;
	}
	if (r < 0)
		r = pt_initramfs_path(rootfd, kver, path, sizeof(path));

	if (r == 0)
		r = pt_initramfs_scan(rootfd, path, &s);
	pt_initramfs_rebuild(r == 0 ? path : NULL, kver, fix, size);
	return r < 0 ? r : s.pt_early && s.vfio_pci;
}

/* The length of an entry's name without ".conf" (or a UKI's ".efi") */
static int stem_len(const struct pt_bls_file *x)
{
	return (int)(strlen(x->name) - (x->uki ? 4 : 5));
}

/* Is entry i one of ours whose kernel's own entry (src, its name) is gone? */
static bool orphaned(const struct pt_bls_files *f, size_t i, char *src, size_t size)
{
	size_t len = strlen(f->v[i].name), sl = strlen(PT_ENTRY_SUFFIX ".conf");
	const char *efi = pt_bls_get(&f->v[i].e, "efi"), *b;

	if (!f->v[i].e.ours || len <= sl)
		return false;
	b = efi ? strrchr(efi, '/') : NULL;
	if (b && strncmp(efi, "/" PT_UKI_DIR "/", strlen(PT_UKI_DIR) + 2) == 0)
		pt_snprintf(src, size, "%s", b + 1); /* derived from a UKI */
	else
		pt_snprintf(src, size, "%.*s.conf", (int)(len - sl), f->v[i].name);
	for (size_t k = 0; k < f->n; k++)
		if (strcmp(f->v[k].name, src) == 0)
			return false;
	return true;
}

/* The options entry's subcommands take beyond ptctl's table. */
static int check_entry_args(const struct ptctl *c)
{
	const char *sub = c->sub;

	if (!sub || (strcmp(sub, "add") && strcmp(sub, "remove") && strcmp(sub, "status")))
		return ptctl_err(PTCTL_FAIL, "entry wants add, remove or status%s%s", sub ? ", not " : "",
				 sub ? sub : "");
	if (strcmp(sub, "add") && (c->nargs || c->policy || c->title || c->def || c->windows))
		return ptctl_err(PTCTL_FAIL,
				 "entry %s takes no selectors, --policy, --title, --default or --windows",
				 sub);
	if (strcmp(sub, "add") && (c->extra_args || c->keep_edits || c->force))
		return ptctl_err(PTCTL_FAIL, "entry %s takes no --args, --keep-edits or --force", sub);
	if (c->keep_edits && c->force)
		return ptctl_err(PTCTL_FAIL, "--keep-edits or --force, not both");
	for (int i = 0; i < c->nargs; i++) /* a selector never has an '=' */
		if (strchr(c->args[i], '='))
			return ptctl_err(
				PTCTL_FAIL,
				"%s is a kernel argument, not a selector: give the entry's own arguments"
				" with --args \"%s\"",
				c->args[i], c->args[i]);
	if (c->extra_args) {
		char bad[256];

		if (strlen(c->extra_args) >= sizeof(((struct pt_entry_conf *)0)->extra))
			return ptctl_err(PTCTL_FAIL, "--args is %zu bytes long: at most %zu",
					 strlen(c->extra_args),
					 sizeof(((struct pt_entry_conf *)0)->extra) - 1);
		if (pt_extra_args_check(c->extra_args, bad, sizeof(bad)) < 0)
			return ptctl_err(PTCTL_FAIL, "--args: %s", bad);
	}
	if (strcmp(sub, "add") && (ptctl_vm_asked(c) || c->vm_pages || c->cross_numa || c->tune_off))
		return ptctl_err(PTCTL_FAIL, "entry %s takes no VM-mode options (--vm-cpus, --vm-memory...)",
				 sub);
	if (!ptctl_vm_asked(c) && (c->vm_pages || c->cross_numa || c->tune_off))
		return ptctl_err(PTCTL_FAIL, "the tune options need --vm-cpus or --vm-memory");
	if (!strcmp(sub, "status") && (c->kernel || c->no_update))
		return ptctl_err(PTCTL_FAIL, "entry status takes no --kernel or --no-update");
	/* refused whole, never cut (inside a UTF-8 character) to fit */
	if (c->title && strlen(c->title) >= sizeof(((struct pt_entry_conf *)0)->title))
		return ptctl_err(PTCTL_FAIL, "--title is %zu bytes long: at most %zu", strlen(c->title),
				 sizeof(((struct pt_entry_conf *)0)->title) - 1);
	if (c->title && !pt_text_ok(c->title))
		return ptctl_err(PTCTL_FAIL, "--title \"%s\": control characters or invalid UTF-8", c->title);
	if (c->title && (!*c->title || strpbrk(c->title, "'\"\\$`\n\t()")))
		return ptctl_err(PTCTL_FAIL,
				 "--title \"%s\": use plain words (no quotes, parentheses, '$' or '\\')",
				 c->title);
	if (c->kernel && (!*c->kernel || strpbrk(c->kernel, "/ \t\n'\"$\\")))
		return ptctl_err(PTCTL_FAIL, "--kernel \"%s\" is not a kernel version", c->kernel);
	return 0;
}

static int open_root(struct eopts *o, bool write)
{
	struct stat a, b;

	o->rootfd = open(o->c->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (o->rootfd < 0)
		return ptctl_err(PTCTL_FAIL, "cannot open --root %s: %s", o->c->root, strerror(errno));
	o->live = fstat(o->rootfd, &a) == 0 && stat("/", &b) == 0 && a.st_dev == b.st_dev &&
		  a.st_ino == b.st_ino;
	if (write && o->live && geteuid() != 0)
		return ptctl_err(PTCTL_FAIL,
				 "ptctl %s %s changes the boot menu: run it as root (or give --root DIR)",
				 o->c->cmd->name, o->c->sub);
	/* one ptctl at a time changes a root's boot files (ptctl(8), FILES); migrate holds it
	 * already when it adds the entry */
	if (write && o->c->locked)
		write = false;
	if (write && (o->lockfd = pt_lock_take(o->rootfd, PT_LOCK_FILE, PT_LOCK_WAIT_MS)) == -EWOULDBLOCK)
		return ptctl_err(
			PTCTL_FAIL,
			"another ptctl is changing the boot files under %s (it holds %s): waited %d s;"
			" try again when it is done",
			o->c->root, PT_LOCK_FILE, PT_LOCK_WAIT_MS / 1000);
	if (write && o->lockfd < 0)
		return ptctl_err(PTCTL_FAIL, "cannot lock the boot files under %s (%s): %s", o->c->root,
				 PT_LOCK_FILE, pt_strerror(o->lockfd));
	pt_boot_detect(o->rootfd, &o->boot);
	return 0;
}

/* open_root for writing boot entries: a boot loader must be there. */
static int open_root_loader(struct eopts *o)
{
	int rc = open_root(o, true);

	if (!rc && o->boot.loader == PT_LOADER_NONE)
		rc = ptctl_err(
			PTCTL_FAIL,
			"no boot loader found under %s: no loader/entries, grub.cfg or etc/default/grub",
			o->c->root);
	return rc;
}

static void change(struct eopts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void change(struct eopts *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	o->changes++;
}

/* Write path unless it already holds exactly data: 1 written, 0 unchanged, -errno. */
static int write_if_changed(int rootfd, const char *path, const char *data, size_t len, unsigned mode)
{
	char *old = NULL;
	size_t olen = 0;
	int r;

	r = pt_read_file_in(rootfd, path, 1 << 20, &old, &olen);
	if (r == 0) {
		bool same = olen == len && memcmp(old, data, len) == 0;

		free(old);
		if (same)
			return 0;
	} else if (r != -ENOENT && r != -EFBIG) {
		return r; /* a FIFO, a directory: not replaced */
	}
	r = pt_write_atomic(rootfd, path, data, len, mode);
	return r < 0 ? r : 1;
}

/* A boot file that can't be read: refused (2) when it is no regular file, else 1. */
static int read_err(const char *path, int r)
{
	return ptctl_err(r == -EBADFD || r == -EISDIR ? PTCTL_FAIL : PTCTL_PARTIAL, "cannot read %s: %s",
			 path, pt_strerror(r));
}

static int read_conf(int rootfd, struct pt_entry_conf *c)
{
	return pt_entry_conf_read(rootfd, c);
}

/* ---- regenerating grub.cfg ------------------------------------------------------------ */

static int run(char *const argv[])
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int regenerate_grub(struct eopts *o)
{
	char cfg[96];
	int r;

	pt_snprintf(cfg, sizeof(cfg), "/%s/grub.cfg", o->boot.grubdir);
	if (o->c->no_update || !o->live) {
		printf("not regenerated: %s (%s): run %s%s%s on that system\n", cfg + 1,
		       o->c->no_update ? "--no-update" : "--root", o->boot.mkconfig,
		       strcmp(o->boot.mkconfig, "update-grub") ? " -o " : "",
		       strcmp(o->boot.mkconfig, "update-grub") ? cfg : "");
		return 0;
	}
	fflush(stdout);
	if (strcmp(o->boot.mkconfig, "update-grub") == 0) {
		char *const a[] = { "update-grub", NULL };
		char *const b[] = { "grub-mkconfig", "-o", cfg, NULL };

		r = run(a);
		if (r == 127)
			r = run(b);
	} else {
		char *const a[] = { o->boot.mkconfig, "-o", cfg, NULL };

		r = run(a);
	}
	if (r != 0)
		return ptctl_err(PTCTL_PARTIAL, "%s failed (status %d): %s was not regenerated",
				 o->boot.mkconfig, r, cfg);
	change(o, "regenerated %s (%s)", cfg, o->boot.mkconfig);
	return 0;
}

/* ---- entry add ------------------------------------------------------------------------- */

static bool is_rescue(const struct pt_bls_file *f)
{
	return strstr(f->name, "rescue") != NULL;
}

/* "ID-ptboot.conf" for "ID.conf" (or a UKI's "ID.efi") */
static void our_name(const struct pt_bls_file *x, char *buf, size_t size)
{
	pt_snprintf(buf, size, "%.*s%s.conf", stem_len(x), x->name, PT_ENTRY_SUFFIX);
}

/* Where an entry is, for messages: "efi/loader/entries/ID.conf", "efi/EFI/Linux/ID.efi" */
static void where(const struct eopts *o, const struct pt_bls_file *x, char *buf, size_t size)
{
	if (x->uki)
		pt_snprintf(buf, size, "%s/" PT_UKI_DIR "/%s", o->boot.esp, x->name);
	else
		pt_snprintf(buf, size, "%s/%s", o->boot.entries, x->name);
}

/* A kernel's own entry that entry add derives ours from (the one --kernel names, if given). */
static bool to_derive(const struct eopts *o, const struct pt_bls_file *x)
{
	size_t n = strlen(x->name), s = strlen(PT_ENTRY_SUFFIX ".conf");
	bool our_name = n > s && strcmp(x->name + n - s, PT_ENTRY_SUFFIX ".conf") == 0;

	return !x->e.ours && !our_name && !is_rescue(x) &&
	       (!o->c->kernel || strcmp(x->kver, o->c->kernel) == 0);
}

/* With Secure Boot on, systemd-stub boots a UKI's own command line (when it has one) and
 * ignores the options an entry passes it: no host+passthrough entry can work for it. */
static bool locked(const struct pt_bls_file *x, bool secure_boot)
{
	return x->uki && secure_boot && pt_bls_get(&x->e, "options");
}

/* Refuse before anything is written when every kernel entry is such a UKI. */
static int check_locked(struct eopts *o, const struct pt_entry_conf *c)
{
	struct pt_bls_files f;
	size_t nlocked = 0, usable = 0;

	if (o->boot.loader != PT_LOADER_SDBOOT || !pt_secure_boot(o->rootfd) ||
	    pt_boot_entries(o->rootfd, &o->boot, &f, NULL) < 0)
		return 0; /* an unreadable directory is bls_add's to report */
	for (size_t i = 0; i < f.n; i++) {
		const struct pt_bls_file *x = &f.v[i];

		if (!to_derive(o, x))
			continue;
		if (locked(x, true))
			nlocked++;
		else
			usable++;
	}
	pt_bls_files_free(&f);
	if (nlocked && !usable)
		return ptctl_err(
			PTCTL_FAIL,
			"Secure Boot is on, so systemd-stub boots each UKI's own command line and ignores an entry's:"
			" add \"%s\" to the UKI itself (/etc/kernel/cmdline, then kernel-install) or a signed cmdline addon",
			c->args);
	return 0;
}

/* Refuse before anything is written when a file where ours would go is not ours (no
 * PT_ENTRY_MARKER first line: the user's own), or is no regular file. */
static int check_foreign(struct eopts *o)
{
	struct pt_bls_files f;
	int rc = 0;

	if ((o->boot.loader != PT_LOADER_SDBOOT && o->boot.loader != PT_LOADER_GRUB_BLS) ||
	    pt_boot_entries(o->rootfd, &o->boot, &f, NULL) < 0)
		return 0; /* an unreadable directory is bls_add's to report */
	for (size_t i = 0; !rc && i < f.n; i++) {
		char name[300], path[400], *text = NULL;
		int r;

		if (!to_derive(o, &f.v[i]) || strlen(f.v[i].name) > 200)
			continue;
		our_name(&f.v[i], name, sizeof(name));
		pt_snprintf(path, sizeof(path), "%s/%s", o->boot.entries, name);
		r = pt_read_file_in(o->rootfd, path, PT_BLS_MAX, &text, NULL);
		if (r == 0 && strncmp(text, PT_ENTRY_MARKER, strlen(PT_ENTRY_MARKER)))
			rc = ptctl_err(
				PTCTL_FAIL,
				"%s was not written by ptctl (its first line is not \"%s\"): refusing to"
				" overwrite it; move it away, then run ptctl entry add again",
				path, PT_ENTRY_MARKER);
		else if (r < 0 && r != -ENOENT)
			rc = ptctl_err(PTCTL_FAIL, "%s: %s: refusing to replace it", path, pt_strerror(r));
		free(text);
	}
	pt_bls_files_free(&f);
	return rc;
}

/* The arguments of the host+passthrough entries: the selection's, VM mode's (vm may be NULL),
 * then the user's own (--args), which the kernel reads last. 0 or -ENAMETOOLONG. */
static int entry_args(const struct pt_entry_conf *c, const struct pt_tune_plan *vm, char *buf, size_t size)
{
	const char *v = vm ? vm->args : "";

	return (size_t)pt_snprintf(buf, size, "%s%s%s%s%s", c->args, v[0] ? " " : "", v,
				   c->extra[0] ? " " : "", c->extra) >= size
		       ? -ENAMETOOLONG
		       : 0;
}

/* The arguments the entries got from the saved entry.conf c (text: PTBOOT_VM_ARGS too). */
static int saved_args(int rootfd, const struct pt_entry_conf *c, char *buf, size_t size)
{
	struct pt_tune_plan vm = { 0 };
	char *text = NULL;
	size_t len = 0;
	int r = pt_read_file_in(rootfd, PT_ENTRY_CONF, 1 << 16, &text, &len);

	if (r < 0)
		return r;
	r = pt_tune_plan_parse(text, len, &vm);
	free(text);
	if (r < 0 && r != -ENOENT)
		return r;
	return entry_args(c, r == 0 ? &vm : NULL, buf, size);
}

/* etc/kernel/cmdline: the options of kernel entries that have none; NULL when absent */
static char *fallback_options(int rootfd)
{
	char *fallback = NULL;

	if (pt_read_file_in(rootfd, "etc/kernel/cmdline", 1 << 16, &fallback, NULL) == 0)
		fallback[strcspn(fallback, "\n")] = '\0';
	return fallback;
}

/* Our entry f (of kernel entry x) against what ptctl writes from title and args: 1 edited
 * by hand (diff, added: pt_bls_edits), 0 not, -errno. */
static int entry_edited(const struct pt_bls_file *x, const struct pt_bls_file *f, const char *fallback,
			const char *title, const char *args, struct pt_buf *diff, struct pt_buf *added)
{
	struct pt_buf b = { 0 };
	struct pt_bls want;
	int r = pt_bls_derive(&x->e, x->name, title, args, fallback, &b);

	if (r == 0)
		r = pt_bls_parse(b.data, b.len, &want);
	pt_buf_free(&b);
	if (r < 0)
		return r;
	r = pt_bls_edits(&f->e, &want, diff, added);
	pt_bls_free(&want);
	return r;
}

/* Our entry of kernel entry x in f, or NULL */
static const struct pt_bls_file *our_file(const struct pt_bls_files *f, const struct pt_bls_file *x)
{
	char ours[300];

	our_name(x, ours, sizeof(ours));
	for (size_t k = 0; k < f->n; k++)
		if (f->v[k].e.ours && strcmp(f->v[k].name, ours) == 0)
			return &f->v[k];
	return NULL;
}

/* The length of the word at s, up to a blank outside double quotes (the kernel's rule) */
static size_t word_end(const char *s)
{
	size_t k = 0;
	bool q = false;

	for (; s[k] && (q || s[k] != ' '); k++)
		q ^= s[k] == '"';
	return k;
}

static bool same_key(const char *a, const char *word)
{
	size_t klen = strcspn(word, "=");

	return strcspn(a, "= ") == klen && strncmp(a, word, klen) == 0;
}

/* Add word to the words of extra, in place of the one word that sets the same key (a key
 * given several times, hugepagesz= and hugepages= pairs, is added to). */
static int extra_put(char *extra, size_t size, const char *word)
{
	struct pt_buf b = { 0 };
	int r = 0, n = 0;

	for (const char *a = extra; *a; a += word_end(a) + (a[word_end(a)] == ' '))
		n += same_key(a, word);
	for (const char *a = extra; *a;) {
		size_t k = word_end(a);

		if (k && !(n == 1 && same_key(a, word)))
			pt_buf_printf(&b, "%s%.*s", b.len ? " " : "", (int)k, a);
		a += k + (a[k] == ' ');
	}
	pt_buf_printf(&b, "%s%s", b.len ? " " : "", word);
	if (b.err || b.len >= size)
		r = b.err ? b.err : -E2BIG;
	else
		memcpy(extra, b.data, b.len + 1);
	pt_buf_free(&b);
	return r;
}

/* Before anything is written: entries edited by hand since ptctl wrote them from the saved
 * entry.conf. Without --keep-edits or --force they stay as they are (1, the lines shown);
 * --keep-edits adds their added arguments to c->extra, --force drops them. */
static int check_edits(struct eopts *o, struct pt_entry_conf *c)
{
	struct pt_buf added = { 0 };
	struct pt_bls_files f;
	char *fallback;
	int n = 0, rc = 0;
	bool title_edited = false;

	if (!o->old || (o->boot.loader != PT_LOADER_SDBOOT && o->boot.loader != PT_LOADER_GRUB_BLS) ||
	    pt_boot_entries(o->rootfd, &o->boot, &f, NULL) < 0)
		return 0;
	fallback = fallback_options(o->rootfd);
	for (size_t i = 0; i < f.n; i++) {
		const struct pt_bls_file *x = &f.v[i], *ours;
		struct pt_buf diff = { 0 };
		int r;

		if (!to_derive(o, x) || !(ours = our_file(&f, x)))
			continue;
		r = entry_edited(x, ours, fallback, o->old->title, o->old_args, &diff, &added);
		if (r > 0) {
			title_edited |= strncmp(diff.data, "-title ", 7) == 0;
			printf("%s %s/%s:\n%s",
			       o->c->force	  ? "edited by hand, edits dropped (--force):"
			       : o->c->keep_edits ? "edited by hand, added arguments kept (--keep-edits):"
						  : "edited by hand, left as it is:",
			       o->boot.entries, ours->name, diff.data);
			n++;
		}
		pt_buf_free(&diff);
	}
	free(fallback);
	pt_bls_files_free(&f);
	if (n && !o->c->force && !o->c->keep_edits)
		rc = ptctl_err(
			PTCTL_PARTIAL,
			"%d host+passthrough entr%s edited by hand (lines above: - as ptctl wrote it, +"
			" as it is): nothing written; --keep-edits keeps the added arguments (as"
			" --args), --force drops them",
			n, n == 1 ? "y was" : "ies were");
	for (const char *a = added.data ? added.data : ""; !rc && o->c->keep_edits && *a;) {
		size_t k = word_end(a);
		char word[256], bad[300];

		pt_snprintf(word, sizeof(word), "%.*s", (int)k, a);
		a += k + (a[k] == ' ');
		if (pt_extra_args_check(word, bad, sizeof(bad)) < 0)
			printf("not kept: %s\n", bad);
		else if (extra_put(c->extra, sizeof(c->extra), word) < 0)
			rc = ptctl_err(PTCTL_FAIL, "--keep-edits: the arguments are too long for %s",
				       PT_ENTRY_CONF);
	}
	if (!rc && o->c->keep_edits && title_edited)
		printf("not kept: an edited title (ptctl entry add --title T sets the entries' title)\n");
	pt_buf_free(&added);
	return rc;
}

/* What the normal entry x has that the new ones must not inherit, said once: true when
 * something was said. */
static bool say_left_out(const struct pt_bls_file *x, const struct pt_entry_conf *c, const char *fallback)
{
	struct pt_buf kept = { 0 }, out = { 0 };
	const char *opts = pt_bls_get(&x->e, "options");
	bool said;

	if (pt_kargs_strip(opts ? opts : fallback ? fallback : "", c->args, &kept, &out) == 0 && out.len)
		printf("left out of the new entries (the normal entry keeps them):\n%s", out.data);
	said = out.len > 0;
	pt_buf_free(&kept);
	pt_buf_free(&out);
	return said;
}

/* The host+passthrough entry derived from x, written (or found unchanged: *made counts
 * both) or skipped: 0, or the exit status after saying why. */
static int bls_add_one(struct eopts *o, const struct pt_entry_conf *c, const struct pt_bls_file *x,
		       const char *fallback, bool sb, bool *said_left_out, int *made)
{
	char name[300], path[400], src[400];
	struct pt_buf b = { 0 };
	int r;

	if (!to_derive(o, x) || strlen(x->name) > 200)
		return 0;
	our_name(x, name, sizeof(name));
	where(o, x, src, sizeof(src));
	pt_snprintf(path, sizeof(path), "%s/%s", o->boot.entries, name);
	if (locked(x, sb)) {
		printf("skipped: %s: Secure Boot is on and it has its own command line, which an entry can't extend\n",
		       src);
		return 0;
	}
	if (!*said_left_out)
		*said_left_out = say_left_out(x, c, fallback);
	r = pt_bls_derive(&x->e, x->name, c->title, c->args, fallback, &b);
	if (r == -EINVAL) {
		printf("skipped: %s has no linux line\n", src);
		pt_buf_free(&b);
		return 0;
	}
	if (r == 0 && x->uki)
		r = pt_mkdir_p(o->rootfd, o->boot.entries, 0755);
	if (r == 0)
		r = write_if_changed(o->rootfd, path, b.data, b.len, 0644);
	pt_buf_free(&b);
	if (r < 0)
		return ptctl_err(PTCTL_PARTIAL, "cannot write %s: %s", path, pt_strerror(r));
	if (r > 0)
		change(o, "wrote %s (%s)", path, x->kver[0] ? x->kver : x->name);
	else
		printf("unchanged: %s\n", path);
	if (x->kver[0] &&
	    kernel_can_bind(o->rootfd, o->boot.entries, &x->e, x->kver, src, sizeof(src)) != 1) {
		ptctl_warn("%s: the initramfs of %s has no pt-early or no vfio-pci, so this entry "
			   "binds nothing: rebuild it with ptboot installed: %s",
			   path, x->kver, src);
		o->unbindable++;
	}
	(*made)++;
	return 0;
}

/* No entry was derived: the exit status after saying where none was found. */
static int no_kernel_entries(const struct eopts *o)
{
	char in[160];

	if (o->boot.esp[0]) /* systemd-boot: its UKIs too */
		pt_snprintf(in, sizeof(in), "%s or %s/" PT_UKI_DIR, o->boot.entries, o->boot.esp);
	else
		pt_snprintf(in, sizeof(in), "%s", o->boot.entries);
	return o->c->kernel ? ptctl_err(PTCTL_PARTIAL, "no entry for kernel %s in %s", o->c->kernel, in)
			    : ptctl_err(PTCTL_PARTIAL, "no kernel entries in %s", in);
}

/* BLS (systemd-boot, GRUB with BLS): a host+passthrough entry beside each kernel entry (or
 * the one of --kernel), ours whose kernel entry is gone removed. 0 or the exit status. */
static int bls_add(struct eopts *o, const struct pt_entry_conf *c)
{
	const bool sb = o->boot.loader == PT_LOADER_SDBOOT && pt_secure_boot(o->rootfd);
	struct pt_bls_files f;
	char *fallback = NULL;
	size_t skipped = 0;
	int r, made = 0, rc = 0;
	bool said_left_out = false;

	r = pt_boot_entries(o->rootfd, &o->boot, &f, &skipped);
	if (r < 0)
		return ptctl_err(PTCTL_PARTIAL, "cannot read %s: %s", o->boot.entries, strerror(-r));
	fallback = fallback_options(o->rootfd);
	for (size_t i = 0; i < f.n && !rc; i++)
		rc = bls_add_one(o, c, &f.v[i], fallback, sb, &said_left_out, &made);
	/* ours whose kernel entry is gone (the kernel was removed without the plugin) */
	for (size_t i = 0; !rc && !o->c->kernel && i < f.n; i++) {
		char src[300], path[400];

		if (!orphaned(&f, i, src, sizeof(src)))
			continue;
		pt_snprintf(path, sizeof(path), "%s/%s", o->boot.entries, f.v[i].name);
		if (pt_unlink_in(o->rootfd, path) == 0)
			change(o, "removed %s: %s is gone", path, src);
	}
	if (!rc && !made)
		rc = no_kernel_entries(o);
	free(fallback);
	pt_bls_files_free(&f);
	return rc;
}

/* --windows: the ESP with the Windows boot manager on a disk of a function passed. */
static int find_windows(struct eopts *o, const struct pt_host *h, const bool *sel, struct pt_entry_conf *c)
{
	const struct pt_blk *esp;

	for (size_t i = 0; i < h->sys.ndevs; i++)
		if (sel[i] && pt_windows_esp(&h->storage, h->sys.devs[i].slot, &esp) == 0) {
			pt_snprintf(c->windows_uuid, sizeof(c->windows_uuid), "%s", esp->uuid);
			pt_snprintf(c->windows_slot, sizeof(c->windows_slot), "%s",
				    pt_dev_short_slot(&h->sys.devs[i]));
			pt_snprintf(o->win_part, sizeof(o->win_part), "%s", esp->name);
			return 0;
		}
	return ptctl_err(
		PTCTL_FAIL,
		"--windows: no selected function holds an ESP with EFI/Microsoft/Boot/bootmgfw.efi%s",
		o->c->no_disks ? " (and --no-disks skips looking)" : "");
}

/* The new entry.conf from the selection: the arguments ptctl cmdline prints. */
static int compute_conf(struct eopts *o, const struct pt_entry_conf *old, struct pt_entry_conf *c)
{
	struct pt_tuning tun = { 0 };
	struct pt_selection s;
	struct pt_kargs k;
	struct pt_host h;
	int r, rc;

	if ((rc = ptctl_load_tuning(o->c, &tun)))
		return rc;
	if ((rc = ptctl_open_host(o->c, true, &h)))
		goto out_tun;
	if ((rc = ptctl_select(o->c, &h, PTCTL_SELECT_REQUIRED, ptctl_complete_flags(o->c), &s)))
		goto out_host;
	r = pt_kargs_build(&h, &tun, s.plan.take, &k);
	*c = (struct pt_entry_conf){ 0 };
	if (r < 0)
		rc = ptctl_kargs_error(r, &k);
	else if ((size_t)pt_snprintf(c->args, sizeof(c->args), "%s", k.args.data) >= sizeof(c->args) ||
		 (size_t)pt_snprintf(c->policy, sizeof(c->policy), "%s", s.text) >= sizeof(c->policy))
		rc = ptctl_err(PTCTL_FAIL, "the selection is too long for one boot entry");
	else if (o->c->windows)
		rc = find_windows(o, &h, s.plan.take, c);
	pt_snprintf(c->title, sizeof(c->title), "%s",
		    o->c->title	    ? o->c->title
		    : old->title[0] ? old->title
				    : "host+passthrough");
	pt_kargs_free(&k);
	pt_selection_free(&s);
out_host:
	pt_host_close(&h);
out_tun:
	pt_tuning_free(&tun);
	return rc;
}

static int boot_choose(struct eopts *o, bool vm, bool once);

/* The entry.conf to write (c) from the selection given, or the saved one (old, and o->old
 * when there is one) on a refresh: 0 or the exit status. */
static int entry_conf_new(struct eopts *o, struct pt_entry_conf *old, struct pt_entry_conf *c)
{
	int r, rc;

	r = read_conf(o->rootfd, old);
	if (r == -EINVAL)
		return ptctl_err(PTCTL_FAIL, "%s is malformed: run ptctl entry remove, then add again",
				 PT_ENTRY_CONF);
	if (r < 0 && r != -ENOENT)
		return read_err(PT_ENTRY_CONF, r);
	if (r > 0)
		o->old = old;
	if (o->c->nargs || o->c->policy) {
		if ((rc = compute_conf(o, old, c)))
			return rc;
		pt_snprintf(c->extra, sizeof(c->extra), "%s", old->extra);
	} else if (r > 0 && !o->c->windows) {
		*c = *old; /* a new kernel (kernel-install) or a refresh: the saved selection */
		if (o->c->title)
			pt_snprintf(c->title, sizeof(c->title), "%s", o->c->title);
	} else {
		return ptctl_err(
			PTCTL_FAIL,
			"name the functions to pass: ptctl entry add SLOT|ID|SLOT@ID... (or --policy STR)");
	}
	if (o->c->extra_args) /* "" clears them */
		pt_snprintf(c->extra, sizeof(c->extra), "%s", o->c->extra_args);
	return 0;
}

/* GRUB's entries come from 42_ptboot: 0, or the exit status when it is missing. */
static int grubd_ready(const struct eopts *o, const struct pt_entry_conf *c)
{
	if (o->boot.loader == PT_LOADER_GRUB && !o->boot.grubd_script)
		return ptctl_err(
			PTCTL_FAIL,
			"GRUB without BLS needs %s (installed with ptboot; executable): it is missing",
			PT_GRUBD_SCRIPT);
	if (o->boot.loader == PT_LOADER_GRUB_BLS && c->windows_uuid[0] && !o->boot.grubd_script)
		return ptctl_err(
			PTCTL_FAIL,
			"--windows with GRUB needs %s (installed with ptboot; executable): it is missing",
			PT_GRUBD_SCRIPT);
	return 0;
}

/* entry.conf written (with VM mode's plan when vm is not NULL) and said: 0 (*changed when
 * the file changed), or the exit status. */
static int save_conf(struct eopts *o, const struct pt_entry_conf *c, const struct pt_tune_plan *vm,
		     bool *changed)
{
	struct pt_buf b = { 0 };
	int r;

	r = pt_entry_conf_format(c, &b);
	if (r == 0 && vm)
		r = ptctl_vm_conf(vm, &b);
	if (r == 0 && (r = pt_mkdir_p(o->rootfd, "etc/ptboot", 0755)) == 0)
		r = write_if_changed(o->rootfd, PT_ENTRY_CONF, b.data, b.len, 0644);
	pt_buf_free(&b);
	if (r < 0)
		return ptctl_err(r == -EBADFD ? PTCTL_FAIL : PTCTL_PARTIAL, "cannot write %s: %s",
				 PT_ENTRY_CONF, pt_strerror(r));
	*changed = r > 0;
	if (r > 0)
		change(o, "wrote %s: %s", PT_ENTRY_CONF, c->args);
	else
		printf("unchanged: %s: %s\n", PT_ENTRY_CONF, c->args);
	if (c->extra[0])
		printf("    own arguments (--args): %s\n", c->extra);
	else if (o->old && o->old->extra[0])
		printf("    own arguments (--args): none now (they were %s)\n", o->old->extra);
	if (vm) /* the host+passthrough entries only */
		printf("    VM mode: %s\n", vm->args[0] ? vm->args : "no kernel arguments (pinning only)");
	return 0;
}

/* After entry.conf: the boot loader's own step (grub.cfg made anew, systemd-boot's note on
 * Windows), then --default. 0 or the exit status. */
static int loader_after(struct eopts *o, const struct pt_entry_conf *old, const struct pt_entry_conf *c,
			bool changed)
{
	int rc;

	switch (o->boot.loader) {
	case PT_LOADER_SDBOOT:
		if (c->windows_uuid[0])
			printf("note: systemd-boot lists Windows Boot Manager by itself when bootmgfw.efi is on its ESP;"
			       " for the one on %s choose it in the firmware's boot menu (no entry written)\n",
			       c->windows_slot);
		break;
	case PT_LOADER_GRUB_BLS:
		/* the Windows entry comes from 42_ptboot through grub.cfg */
		if (strcmp(old->windows_uuid, c->windows_uuid) && o->boot.grubd_script &&
		    (rc = regenerate_grub(o)))
			return rc;
		break;
	case PT_LOADER_GRUB:
		if ((changed || o->live) && (rc = regenerate_grub(o)))
			return rc;
		break;
	default: break;
	}
	if (o->c->def && (rc = boot_choose(o, true, false)))
		return rc;
	return 0;
}

static int entry_add_with(struct eopts *o, struct pt_entry_conf *old)
{
	struct pt_entry_conf c = { 0 }, eff;
	struct pt_tune_plan vm = { 0 };
	bool have_vm, changed = false;
	int rc;

	if ((rc = open_root_loader(o)))
		return rc;
	if ((rc = entry_conf_new(o, old, &c)))
		return rc;
	/* VM mode (issue 18): --vm-* plan now; a refresh keeps the saved plan; a new selection
	 * without --vm-* has none. The entries get its arguments after the selection's. */
	rc = ptctl_vm_asked(o->c)	   ? ptctl_vm_plan(o->c, &vm, NULL, NULL)
	     : o->c->nargs || o->c->policy ? 1
					   : ptctl_vm_saved(o->rootfd, &vm);
	if (rc > 1)
		return rc;
	have_vm = rc == 0;
	if (o->old && saved_args(o->rootfd, old, o->old_args, sizeof(o->old_args)) < 0)
		o->old = NULL; /* nothing to compare the entries with */
	if ((rc = check_edits(o, &c)))
		return rc;
	eff = c;
	if (entry_args(&c, have_vm ? &vm : NULL, eff.args, sizeof(eff.args)) < 0)
		return ptctl_err(
			PTCTL_FAIL,
			"the selection's, VM mode's and --args' arguments are too long for one boot entry");
	if ((rc = grubd_ready(o, &c)))
		return rc;
	if (o->c->windows)
		printf("found: Windows Boot Manager on %s (ESP %s, FAT serial %s)\n", c.windows_slot,
		       o->win_part, c.windows_uuid);
	if ((rc = check_locked(o, &eff)) || (rc = check_foreign(o)))
		return rc;
	/* the entries first, entry.conf last: a write that fails half-way (a full /boot) leaves
	 * the saved selection as it was, and the next entry add writes the entries from it */
	if ((o->boot.loader == PT_LOADER_SDBOOT || o->boot.loader == PT_LOADER_GRUB_BLS) &&
	    (rc = bls_add(o, &eff)))
		return rc;
	if ((rc = save_conf(o, &c, have_vm ? &vm : NULL, &changed)) ||
	    (rc = loader_after(o, old, &c, changed)))
		return rc;
	return o->unbindable ? PTCTL_PARTIAL : 0;
}

/* entry add: the saved entry.conf (o->old while it runs) lives here */
static int entry_add(struct eopts *o)
{
	struct pt_entry_conf old = { 0 };
	int rc = entry_add_with(o, &old);

	o->old = NULL;
	return rc;
}

/* ---- entry remove ---------------------------------------------------------------------- */

static bool ours_id(const char *v)
{
	size_t n = strlen(v), s = strlen(PT_ENTRY_SUFFIX);

	if (n > 5 && strcmp(v + n - 5, ".conf") == 0)
		n -= 5;
	return strcmp(v, PT_GRUB_ID) == 0 || strcmp(v, PT_GRUB_WINDOWS_ID) == 0 ||
	       strncmp(v, PT_GRUB_ID "-", strlen(PT_GRUB_ID) + 1) == 0 ||
	       (n > s && strncmp(v + n - s, PT_ENTRY_SUFFIX, s) == 0);
}

/* Names v the Windows entry (GRUB's from 42_ptboot, systemd-boot's own)? */
static bool windows_id(const char *v)
{
	return strcmp(v, PT_GRUB_WINDOWS_ID) == 0 || strcmp(v, PT_SDBOOT_WINDOWS_ID) == 0;
}

/* What an entry id boots, for ptctl boot's report */
static const char *choice_label(const char *v)
{
	return windows_id(v) ? "windows" : ours_id(v) ? "host+passthrough" : "bare-metal";
}

/* A grubenv key that can't be set, said: the block is full, or is no environment block. */
static int grubenv_err(const struct eopts *o, const char *path, const char *key, const char *value, int r)
{
	const char *editenv = strcmp(o->boot.grubdir, "boot/grub2") ? "grub-editenv" : "grub2-editenv";

	if (r == -ENOSPC)
		return ptctl_err(PTCTL_FAIL,
				 "%s is full: GRUB's environment block is %d bytes and %s=%s does not fit"
				 " (%s /%s list shows what it holds)",
				 path, PT_GRUBENV_SIZE, key, value ? value : "", editenv, path);
	if (r == -EBADMSG)
		return ptctl_err(
			PTCTL_FAIL,
			"%s is not a GRUB environment block (no \"# GRUB Environment Block\" header):"
			" left as it is; %s /%s create makes a new one",
			path, editenv, path);
	return ptctl_err(PTCTL_FAIL, "cannot set %s in %s: %s", key, path, pt_strerror(r));
}

/* Forget a next (and unless once_only, default) boot that names one of our entries; the
 * next boot also when it is systemd-boot's Windows entry (boot windows --once). */
static int forget_choice(struct eopts *o, bool once_only)
{
	const size_t n = once_only ? 1 : 2;

	if (o->boot.loader == PT_LOADER_SDBOOT) {
		static const char *const vars[] = { "LoaderEntryOneShot", "LoaderEntryDefault" };

		for (size_t i = 0; i < n; i++) {
			char v[256];

			if (pt_efivar_get(o->rootfd, vars[i], PT_EFI_LOADER_GUID, v, sizeof(v)) == 0 &&
			    (ours_id(v) || (once_only && windows_id(v))) &&
			    pt_efivar_set(o->rootfd, vars[i], PT_EFI_LOADER_GUID, NULL) == 0)
				change(o, "removed EFI variable %s (%s)", vars[i], v);
		}
		return 0;
	}
	static const char *const keys[] = { "next_entry", "saved_entry" };
	char path[96], *env = NULL, v[256];
	size_t len = 0;
	int r;

	pt_snprintf(path, sizeof(path), "%s/grubenv", o->boot.grubdir);
	r = pt_read_file_in(o->rootfd, path, 1 << 16, &env, &len);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return read_err(path, r);
	for (size_t i = 0; i < n; i++) {
		struct pt_buf b = { 0 };

		if (pt_grubenv_get(env, len, keys[i], v, sizeof(v)) != 1 || !ours_id(v))
			continue;
		r = pt_grubenv_set(env, len, keys[i], NULL, &b);
		if (r < 0) {
			pt_buf_free(&b);
			free(env);
			return grubenv_err(o, path, keys[i], NULL, r);
		}
		r = pt_write_atomic(o->rootfd, path, b.data, b.len, 0644);
		if (r == 0) {
			free(env);
			env = b.data;
			len = b.len;
			change(o, "unset %s=%s in %s", keys[i], v, path);
		} else {
			pt_buf_free(&b);
			free(env);
			return ptctl_err(PTCTL_PARTIAL, "cannot write %s: %s", path, pt_strerror(r));
		}
	}
	free(env);
	return 0;
}

static int entry_remove(struct eopts *o)
{
	struct pt_entry_conf old = { 0 };
	bool had_conf, had_windows;
	int rc;

	if ((rc = open_root_loader(o)))
		return rc;
	rc = read_conf(o->rootfd, &old);
	if (rc < 0 && rc != -ENOENT && rc != -EINVAL)
		return read_err(PT_ENTRY_CONF, rc);
	had_conf = rc != -ENOENT;
	rc = 0;
	had_windows = old.windows_uuid[0] != '\0';
	if (o->boot.loader == PT_LOADER_SDBOOT || o->boot.loader == PT_LOADER_GRUB_BLS) {
		struct pt_bls_files f;
		int r = pt_boot_entries(o->rootfd, &o->boot, &f, NULL);

		if (r < 0)
			return ptctl_err(PTCTL_PARTIAL, "cannot read %s: %s", o->boot.entries, strerror(-r));
		for (size_t i = 0; i < f.n; i++) {
			char path[400];

			if (!f.v[i].e.ours || (o->c->kernel && strcmp(f.v[i].kver, o->c->kernel)))
				continue;
			pt_snprintf(path, sizeof(path), "%s/%s", o->boot.entries, f.v[i].name);
			if ((r = pt_unlink_in(o->rootfd, path)) < 0) {
				rc = ptctl_err(PTCTL_PARTIAL, "cannot remove %s: %s", path, pt_strerror(r));
				break;
			}
			change(o, "removed %s", path);
		}
		pt_bls_files_free(&f);
		if (rc)
			return rc;
	}
	if (o->c->kernel)
		goto out; /* one kernel went away; the selection stays for the others */
	if (had_conf) {
		if ((rc = pt_unlink_in(o->rootfd, PT_ENTRY_CONF)) < 0)
			return ptctl_err(PTCTL_PARTIAL, "cannot remove %s: %s", PT_ENTRY_CONF,
					 pt_strerror(rc));
		change(o, "removed %s", PT_ENTRY_CONF);
	}
	if ((rc = forget_choice(o, false)))
		return rc;
	if (had_conf &&
	    (o->boot.loader == PT_LOADER_GRUB || (o->boot.loader == PT_LOADER_GRUB_BLS && had_windows)))
		if ((rc = regenerate_grub(o)))
			return rc;
out:
	if (!o->changes)
		printf("nothing to remove\n");
	return 0;
}

/* ---- entry status ----------------------------------------------------------------------- */

/* "initramfs boot/initrd.img-KVER: ptboot yes, vfio-pci no" */
static void initrd_status(int rootfd, const char *path, const char *kver)
{
	struct pt_initramfs_info s = { 0 };
	int r;

	if (!path) {
		printf("    initramfs: none found\n");
		return;
	}
	r = pt_initramfs_scan(rootfd, path, &s);
	if (r < 0)
		printf("    initramfs %s: unreadable (%s)\n", path, strerror(-r));
	else
		printf("    initramfs %s: pt-early %s, vfio-pci %s\n", path, s.pt_early ? "yes" : "NO",
		       s.vfio_pci ? "yes" : "no");
	if (r >= 0 && !(s.pt_early && s.vfio_pci)) {
		char cmd[192];

		pt_initramfs_rebuild(path, kver[0] ? kver : "KVER", cmd, sizeof(cmd));
		printf("    fix: rebuild it with ptboot installed: %s\n", cmd);
	}
}

/* Our entry of kernel entry x: its options, and its hand edits when c (the saved entry.conf,
 * whose entries got args) is known. */
static void status_ours(const struct pt_bls_file *x, const struct pt_bls_file *our,
			const struct pt_entry_conf *c, const char *fallback, const char *args)
{
	struct pt_buf diff = { 0 }, added = { 0 };
	const char *opts = pt_bls_get(&our->e, "options");

	printf("    host+passthrough: %s\n    options %s\n", our->name, opts ? opts : "");
	if (c && entry_edited(x, our, fallback, c->title, args, &diff, &added) > 0) {
		printf("    edited by hand (- as ptctl wrote it, + as it is; entry add leaves it"
		       " alone without --keep-edits or --force):\n");
		for (const char *l = diff.data; *l; l += strcspn(l, "\n") + 1)
			printf("      %.*s\n", (int)strcspn(l, "\n"), l);
	}
	pt_buf_free(&diff);
	pt_buf_free(&added);
}

/* Can kernel entry x's initramfs bind (a UKI's .initrd section, the initrd line below base)? */
static void status_initrd(const struct eopts *o, const struct pt_bls_file *x, const char *base)
{
	const char *initrd = pt_bls_get(&x->e, "initrd");
	char path[400];

	if (x->uki) {
		where(o, x, path, sizeof(path)); /* its .initrd section */
		initrd_status(o->rootfd, path, x->kver);
	} else if (initrd) {
		pt_snprintf(path, sizeof(path), "%s/%.*s", base, (int)strcspn(initrd + (*initrd == '/'), " "),
			    initrd + (*initrd == '/'));
		initrd_status(o->rootfd, path, x->kver);
	} else {
		initrd_status(o->rootfd, NULL, x->kver);
	}
}

static void status_bls(struct eopts *o, const struct pt_entry_conf *c)
{
	char base[96], v[256], args[4096];
	struct pt_bls_files f;
	size_t skipped = 0;
	char *fallback = NULL;

	if (c && saved_args(o->rootfd, c, args, sizeof(args)) < 0)
		c = NULL;
	if (c)
		fallback = fallback_options(o->rootfd);

	pt_snprintf(base, sizeof(base), "%.*s", (int)(strlen(o->boot.entries) - strlen("/loader/entries")),
		    o->boot.entries);
	if (pt_boot_entries(o->rootfd, &o->boot, &f, &skipped) < 0) {
		printf("entries: %s unreadable\n", o->boot.entries);
		return;
	}
	for (size_t i = 0; i < f.n; i++) {
		const struct pt_bls_file *x = &f.v[i];
		char ours[300];
		bool have = false;

		if (x->e.ours || is_rescue(x))
			continue;
		our_name(x, ours, sizeof(ours));
		if (x->uki)
			printf("kernel %s: %s (unified kernel image in %s/" PT_UKI_DIR ")\n",
			       x->kver[0] ? x->kver : "?", x->name, o->boot.esp);
		else
			printf("kernel %s: %s\n", x->kver[0] ? x->kver : "?", x->name);
		for (size_t k = 0; k < f.n; k++)
			if (f.v[k].e.ours && !strcmp(f.v[k].name, ours)) {
				status_ours(x, &f.v[k], c, fallback, args);
				have = true;
			}
		if (!have)
			printf("    host+passthrough: none (ptctl entry add)\n");
		status_initrd(o, x, base);
	}
	for (size_t i = 0; i < f.n; i++) {
		char src[300];

		if (orphaned(&f, i, src, sizeof(src)))
			printf("stale: %s (its kernel's entry %s is gone; ptctl entry add removes it)\n",
			       f.v[i].name, src);
	}
	free(fallback);
	if (skipped)
		printf("skipped: %zu unreadable or malformed file%s in %s: %s\n", skipped,
		       skipped == 1 ? "" : "s", o->boot.entries, f.skipped.data ? f.skipped.data : "");
	pt_bls_files_free(&f);
	if (o->boot.loader == PT_LOADER_SDBOOT) {
		if (pt_efivar_get(o->rootfd, "LoaderEntryOneShot", PT_EFI_LOADER_GUID, v, sizeof(v)) == 0)
			printf("next boot: %s (EFI variable LoaderEntryOneShot)\n", v);
		if (pt_efivar_get(o->rootfd, "LoaderEntryDefault", PT_EFI_LOADER_GUID, v, sizeof(v)) == 0)
			printf("default: %s (EFI variable LoaderEntryDefault)\n", v);
	}
}

static int load_menu(struct eopts *o, struct pt_menu *m, char *path, size_t size)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	pt_snprintf(path, size, "%s/grub.cfg", o->boot.grubdir);
	r = pt_read_file_in(o->rootfd, path, 16 << 20, &text, &len);
	if (r < 0)
		return r;
	r = pt_grubcfg_parse(text, len, m);
	free(text);
	return r;
}

static void status_grub(struct eopts *o, bool have_conf)
{
	struct pt_menu m = { 0 };
	char cfg[96];
	int n = 0;

	if (load_menu(o, &m, cfg, sizeof(cfg)) < 0) {
		printf("%s: missing (run %s)\n", cfg, o->boot.mkconfig);
		return;
	}
	for (size_t i = 0; i < m.n; i++) {
		const struct pt_menuentry *e = &m.v[i];
		const char *b = strrchr(e->linux_path, '/');
		char kver[64];
		char path[128];

		if (strcmp(e->script, "42_ptboot") || e->submenu)
			continue;
		n++;
		printf("%s: '%s' (id %s)\n", cfg, e->title, e->id[0] ? e->id : "-");
		if (!e->linux_path[0])
			continue;
		printf("    linux %s %s\n", e->linux_path, e->linux_args);
		b = b ? b + 1 : e->linux_path;
		if (strncmp(b, "vmlinuz-", 8) == 0 && e->depth > 0) {
			pt_snprintf(kver, sizeof(kver), "%s", b + 8);
			initrd_status(o->rootfd,
				      pt_initramfs_path(o->rootfd, kver, path, sizeof(path)) == 0 ? path
												  : NULL,
				      kver);
		}
	}
	if (!n)
		printf("%s: no host+passthrough entries%s\n", cfg, have_conf ? " yet: run " : "");
	if (!n && have_conf)
		printf("    %s (or ptctl entry add) to regenerate it\n", o->boot.mkconfig);
	pt_menu_free(&m);
}

static void status_grubenv(struct eopts *o)
{
	char path[96], *env = NULL, v[256];
	size_t len = 0;

	pt_snprintf(path, sizeof(path), "%s/grubenv", o->boot.grubdir);
	if (pt_read_file_in(o->rootfd, path, 1 << 16, &env, &len) < 0)
		return;
	if (pt_grubenv_get(env, len, "next_entry", v, sizeof(v)) == 1 && v[0])
		printf("next boot: %s (%s next_entry)\n", v, path);
	if (pt_grubenv_get(env, len, "saved_entry", v, sizeof(v)) == 1 && v[0])
		printf("default: %s (%s saved_entry%s)\n", v, path,
		       o->boot.grub_default_saved ? "" : "; ignored: GRUB_DEFAULT is not saved");
	free(env);
}

static int entry_status(struct eopts *o)
{
	struct pt_entry_conf c = { 0 };
	int rc, r;

	if ((rc = open_root(o, false)))
		return rc;
	printf("boot loader: %s", pt_loader_name(o->boot.loader));
	if (o->boot.loader == PT_LOADER_SDBOOT || o->boot.loader == PT_LOADER_GRUB_BLS)
		printf(" (entries in %s)", o->boot.entries);
	if (o->boot.loader == PT_LOADER_GRUB || o->boot.loader == PT_LOADER_GRUB_BLS)
		printf(" (%s, %s %s)", o->boot.grubdir, PT_GRUBD_SCRIPT,
		       o->boot.grubd_script ? "present" : "missing");
	printf("\n");
	if (o->boot.loader == PT_LOADER_GRUB && !o->boot.grubd_script)
		printf("    without %s, %s writes no host+passthrough entry into grub.cfg: reinstall ptboot\n",
		       PT_GRUBD_SCRIPT, o->boot.mkconfig);
	else if (o->boot.loader == PT_LOADER_GRUB_BLS && !o->boot.grubd_script)
		printf("    without %s, %s writes no Windows entry (entry add --windows); the BLS entries "
		       "need nothing else\n",
		       PT_GRUBD_SCRIPT, o->boot.mkconfig);
	r = read_conf(o->rootfd, &c);
	if (r == -EINVAL)
		printf("%s: malformed\n", PT_ENTRY_CONF);
	else if (r < 0)
		printf("%s: none (no host+passthrough entry configured)\n", PT_ENTRY_CONF);
	else
		printf("%s: title '%s', selection %s\n    args %s\n%s%s%s", PT_ENTRY_CONF, c.title,
		       c.policy[0] ? c.policy : "-", c.args, c.windows_uuid[0] ? "    windows: ESP " : "",
		       c.windows_uuid, c.windows_uuid[0] ? "\n" : "");
	if (r > 0 && c.extra[0])
		printf("    own args (--args) %s\n", c.extra);
	if (r > 0)
		ptctl_vm_status(o->rootfd);
	switch (o->boot.loader) {
	case PT_LOADER_SDBOOT: status_bls(o, r > 0 ? &c : NULL); break;
	case PT_LOADER_GRUB_BLS:
		status_bls(o, r > 0 ? &c : NULL);
		status_grubenv(o);
		break;
	case PT_LOADER_GRUB:
		status_grub(o, r > 0);
		status_grubenv(o);
		break;
	default: break;
	}
	return 0;
}

/* ---- boot vm|bare-metal ------------------------------------------------------------------ */

/* The entry ids for vm and bare-metal: BLS file stems (systemd-boot: with .conf) or GRUB ids. */
static int choice_ids(struct eopts *o, bool want_vm, char *vm, char *bare, size_t size)
{
	vm[0] = bare[0] = '\0';
	if (o->boot.loader == PT_LOADER_GRUB) {
		struct pt_menu m = { 0 };
		char cfg[96];
		int r = load_menu(o, &m, cfg, sizeof(cfg));

		if (r < 0)
			return ptctl_err(PTCTL_PARTIAL, "cannot read %s: %s", cfg, strerror(-r));
		for (size_t i = 0; i < m.n; i++) {
			const struct pt_menuentry *e = &m.v[i];

			if (e->depth || e->submenu)
				continue;
			if (!strcmp(e->id, PT_GRUB_ID))
				pt_snprintf(vm, size, "%s", e->id);
			else if (!bare[0] && strcmp(e->script, "42_ptboot"))
				pt_snprintf(bare, size, "%s", e->id[0] ? e->id : e->title);
		}
		pt_menu_free(&m);
		if (!vm[0])
			return ptctl_err(PTCTL_FAIL, "%s has no host+passthrough entry: run ptctl entry add",
					 cfg);
		if (!bare[0])
			return ptctl_err(PTCTL_FAIL, "%s has no normal entry", cfg);
		return 0;
	}
	struct pt_bls_files f;
	int r = pt_boot_entries(o->rootfd, &o->boot, &f, NULL);
	const bool ext = o->boot.loader == PT_LOADER_SDBOOT;

	if (r < 0)
		return ptctl_err(PTCTL_PARTIAL, "cannot read %s: %s", o->boot.entries, strerror(-r));
	/* newest kernel that has both entries; and the newest whose entry can bind */
	char kver[64] = "", good[64] = "", fix[192] = "";

	for (size_t i = 0; i < f.n && !good[0]; i++) {
		char ours[300], why[192];

		if (f.v[i].e.ours || is_rescue(&f.v[i]))
			continue;
		our_name(&f.v[i], ours, sizeof(ours));
		for (size_t k = 0; k < f.n; k++) {
			if (!f.v[k].e.ours || strcmp(f.v[k].name, ours) != 0)
				continue;
			if (!f.v[i].kver[0] || kernel_can_bind(o->rootfd, o->boot.entries, &f.v[i].e,
							       f.v[i].kver, why, sizeof(why)) == 1)
				pt_snprintf(good, sizeof(good), "%s", f.v[i].kver[0] ? f.v[i].kver : "?");
			if (vm[0])
				continue;
			pt_snprintf(vm, size, "%.*s", (int)(strlen(ours) - (ext ? 0 : 5)), ours);
			pt_snprintf(bare, size, "%.*s", (int)(strlen(f.v[i].name) - (ext ? 0 : 5)),
				    f.v[i].name);
			pt_snprintf(kver, sizeof(kver), "%s", f.v[i].kver);
			pt_snprintf(fix, sizeof(fix), "%s", why);
		}
	}
	pt_bls_files_free(&f);
	if (!vm[0])
		return ptctl_err(PTCTL_FAIL, "%s has no host+passthrough entry: run ptctl entry add",
				 o->boot.entries);
	if (want_vm && kver[0] && strcmp(good, kver) != 0 && !o->c->force)
		return ptctl_err(
			PTCTL_FAIL,
			"the host+passthrough entry of %s, the newest kernel, would bind nothing: its "
			"initramfs has no pt-early or no vfio-pci (rebuild it: %s)%s%s%s; --force boots it anyway",
			kver, fix, good[0] ? "; the entry of " : "", good, good[0] ? " can bind" : "");
	return 0;
}

/* Make id the default boot, or (once) the next boot's: mode names it in the message. */
static int set_choice(struct eopts *o, const char *id, const char *mode, bool once)
{
	char path[96], *env = NULL;
	struct pt_buf b = { 0 };
	size_t len = 0;
	int r;

	if (o->boot.loader == PT_LOADER_SDBOOT) {
		const char *var = once ? "LoaderEntryOneShot" : "LoaderEntryDefault";

		r = pt_efivar_set(o->rootfd, var, PT_EFI_LOADER_GUID, id);
		if (r == -EOPNOTSUPP)
			return ptctl_err(
				PTCTL_PARTIAL,
				"no EFI variables under %s/sys/firmware/efi/efivars: was this system booted with UEFI?",
				strcmp(o->c->root, "/") ? o->c->root : "");
		if (r < 0)
			return ptctl_err(PTCTL_PARTIAL, "cannot set EFI variable %s: %s", var, strerror(-r));
		change(o, "%s: %s (EFI variable %s=%s)", once ? "next boot only" : "default", mode, var, id);
		return 0;
	}
	if (!once && !o->boot.grub_default_saved)
		return ptctl_err(
			PTCTL_FAIL,
			"GRUB_DEFAULT is not \"saved\" in etc/default/grub, so GRUB ignores a saved default: set "
			"GRUB_DEFAULT=saved and run %s, or use --once",
			o->boot.mkconfig);
	pt_snprintf(path, sizeof(path), "%s/grubenv", o->boot.grubdir);
	r = pt_read_file_in(o->rootfd, path, 1 << 16, &env, &len);
	if (r < 0 && r != -ENOENT)
		return read_err(path, r);
	r = pt_grubenv_set(env, len, once ? "next_entry" : "saved_entry", id, &b);
	free(env);
	if (r < 0) {
		pt_buf_free(&b);
		return grubenv_err(o, path, once ? "next_entry" : "saved_entry", id, r);
	}
	r = write_if_changed(o->rootfd, path, b.data, b.len, 0644);
	pt_buf_free(&b);
	if (r < 0)
		return ptctl_err(PTCTL_PARTIAL, "cannot write %s: %s", path, pt_strerror(r));
	if (r > 0)
		change(o, "%s: %s (%s %s=%s)", once ? "next boot only" : "default", mode, path,
		       once ? "next_entry" : "saved_entry", id);
	else
		printf("unchanged: %s: %s=%s\n", path, once ? "next_entry" : "saved_entry", id);
	return 0;
}

static int boot_choose(struct eopts *o, bool vm, bool once)
{
	char vmid[256], bareid[256];
	int rc;

	if ((rc = choice_ids(o, vm, vmid, bareid, sizeof(vmid))))
		return rc;
	return set_choice(o, vm ? vmid : bareid, vm ? "host+passthrough" : "bare-metal (normal entry)", once);
}

/* ---- boot windows ------------------------------------------------------------------------ */

/* The Windows entry: GRUB's is 42_ptboot's chainload entry in grub.cfg (id PT_GRUB_WINDOWS_ID,
 * from entry add --windows); systemd-boot's is its own auto-windows, listed when the Windows
 * boot manager is on systemd-boot's ESP (it chainloads nothing from another disk). */
static int windows_choice(struct eopts *o, char *id, size_t size)
{
	struct pt_entry_conf c = { 0 };
	bool saved = read_conf(o->rootfd, &c) > 0 && c.windows_uuid[0];
	char where[160];

	if (o->boot.loader == PT_LOADER_SDBOOT) {
		pt_snprintf(where, sizeof(where), "%s/" PT_WINDOWS_BOOTMGR, o->boot.esp);
		if (pt_exists(o->rootfd, where)) {
			pt_snprintf(id, size, "%s", PT_SDBOOT_WINDOWS_ID);
			return 0;
		}
		if (saved)
			return ptctl_err(
				PTCTL_FAIL,
				"systemd-boot has no Windows entry: no %s on its ESP, and it cannot chainload the "
				"Windows on %s (another disk's ESP, FAT serial %s): choose it in the firmware's boot menu",
				where, c.windows_slot, c.windows_uuid);
		return ptctl_err(
			PTCTL_FAIL,
			"no Windows entry: systemd-boot lists Windows (%s) only when %s is on its ESP, and there is none",
			PT_SDBOOT_WINDOWS_ID, where);
	}
	struct pt_menu m = { 0 };
	bool found = false;
	int r = load_menu(o, &m, where, sizeof(where));

	if (r < 0 && r != -ENOENT)
		return ptctl_err(PTCTL_PARTIAL, "cannot read %s: %s", where, strerror(-r));
	for (size_t i = 0; r == 0 && i < m.n && !found; i++)
		found = !m.v[i].depth && !m.v[i].submenu && !strcmp(m.v[i].id, PT_GRUB_WINDOWS_ID);
	pt_menu_free(&m);
	if (found) {
		pt_snprintf(id, size, "%s", PT_GRUB_WINDOWS_ID);
		return 0;
	}
	if (saved && !o->boot.grubd_script)
		return ptctl_err(PTCTL_FAIL,
				 "%s has no Windows entry: %s writes it and is missing (reinstall ptboot)",
				 where, PT_GRUBD_SCRIPT);
	if (saved)
		return ptctl_err(PTCTL_FAIL,
				 "%s has no Windows entry yet (entry.conf has the ESP %s on %s): run %s%s%s",
				 where, c.windows_uuid, c.windows_slot, o->boot.mkconfig,
				 strcmp(o->boot.mkconfig, "update-grub") ? " -o /" : "",
				 strcmp(o->boot.mkconfig, "update-grub") ? where : "");
	return ptctl_err(
		PTCTL_FAIL,
		"%s has no Windows entry: run ptctl entry add --windows with the Windows disk's function",
		where);
}

static int boot_windows(struct eopts *o, bool once)
{
	char id[64];
	int rc;

	if ((rc = windows_choice(o, id, sizeof(id))) ||
	    (rc = set_choice(o, id, "Windows (bare metal)", once)))
		return rc;
	return once ? 0 : forget_choice(o, true); /* a pending one-shot would win over it */
}

/* The default and a pending one-shot, as the boot loader will use them. */
static void show_choice(struct eopts *o)
{
	char v[256], path[96], *env = NULL;
	size_t len = 0;
	bool once = false;

	if (o->boot.loader == PT_LOADER_SDBOOT) {
		if (pt_efivar_get(o->rootfd, "LoaderEntryDefault", PT_EFI_LOADER_GUID, v, sizeof(v)) == 0)
			printf("default: %s (EFI variable LoaderEntryDefault=%s)\n", choice_label(v), v);
		else
			printf("default: as loader.conf says (no EFI variable LoaderEntryDefault)\n");
		once = pt_efivar_get(o->rootfd, "LoaderEntryOneShot", PT_EFI_LOADER_GUID, v, sizeof(v)) == 0;
		if (once)
			printf("pending, next boot only: %s (EFI variable LoaderEntryOneShot=%s)\n",
			       choice_label(v), v);
	} else {
		pt_snprintf(path, sizeof(path), "%s/grubenv", o->boot.grubdir);
		if (pt_read_file(o->rootfd, path, 1 << 16, &env, &len) < 0)
			env = NULL;
		if (env && pt_grubenv_get(env, len, "saved_entry", v, sizeof(v)) == 1 && v[0] &&
		    o->boot.grub_default_saved)
			printf("default: %s (%s saved_entry=%s)\n", choice_label(v), path, v);
		else
			printf("default: the first menu entry (%s)\n",
			       o->boot.grub_default_saved ? "no saved_entry" : "GRUB_DEFAULT is not saved");
		once = env && pt_grubenv_get(env, len, "next_entry", v, sizeof(v)) == 1 && v[0];
		if (once)
			printf("pending, next boot only: %s (%s next_entry=%s)\n", choice_label(v), path, v);
		free(env);
	}
	if (!once)
		printf("no one-shot pending\n");
}

/* ---- for ptctl migrate -------------------------------------------------------------------- */

/* The files entry add would write under c->root, one path (relative to it) a line: each
 * kernel entry's host+passthrough entry (BLS loaders) and entry.conf. */
int ptctl_entry_targets(const struct ptctl *c, struct pt_buf *out)
{
	struct eopts o = { .c = c, .rootfd = -1, .lockfd = -1 };
	struct pt_bls_files f;
	int rc = open_root(&o, false);

	if (!rc && (o.boot.loader == PT_LOADER_SDBOOT || o.boot.loader == PT_LOADER_GRUB_BLS) &&
	    pt_boot_entries(o.rootfd, &o.boot, &f, NULL) == 0) {
		for (size_t i = 0; i < f.n; i++) {
			char name[300];

			if (!to_derive(&o, &f.v[i]) || strlen(f.v[i].name) > 200)
				continue;
			our_name(&f.v[i], name, sizeof(name));
			pt_buf_printf(out, "%s/%s\n", o.boot.entries, name);
		}
		pt_bls_files_free(&f);
	}
	if (!rc)
		pt_buf_printf(out, "%s\n", PT_ENTRY_CONF);
	eopts_close(&o);
	return rc ? rc : out->err ? ptctl_err(PTCTL_FAIL, "out of memory") : 0;
}

/* grub.cfg made anew (update-grub), or the command to run said when the root is not this
 * system's. */
int ptctl_entry_regenerate(const struct ptctl *c)
{
	struct eopts o = { .c = c, .rootfd = -1, .lockfd = -1 };
	int rc = open_root(&o, false);

	if (!rc)
		rc = regenerate_grub(&o);
	eopts_close(&o);
	return rc;
}

/* ---- entry points ------------------------------------------------------------------------ */

int ptctl_cmd_entry(struct ptctl *c)
{
	struct eopts o = { .c = c, .rootfd = -1, .lockfd = -1 };
	int rc;

	rc = check_entry_args(c);
	if (!rc && !strcmp(c->sub, "add"))
		rc = entry_add(&o);
	else if (!rc && !strcmp(c->sub, "remove"))
		rc = entry_remove(&o);
	else if (!rc)
		rc = entry_status(&o);
	eopts_close(&o);
	return rc;
}

int ptctl_cmd_boot(struct ptctl *c)
{
	struct eopts o = { .c = c, .rootfd = -1, .lockfd = -1 };
	int rc;

	if (c->sub && strcmp(c->sub, "vm") && strcmp(c->sub, "bare-metal") && strcmp(c->sub, "windows"))
		return ptctl_err(PTCTL_FAIL, "boot wants vm, bare-metal or windows, not %s", c->sub);
	if (c->nargs)
		return ptctl_err(PTCTL_FAIL, "boot takes only vm|bare-metal|windows, --once and --force");
	if (c->cancel_once && (c->sub || c->once))
		return ptctl_err(PTCTL_FAIL, "--cancel-once goes alone: ptctl boot --cancel-once");
	rc = open_root(&o, true);
	if (!rc && o.boot.loader == PT_LOADER_NONE)
		rc = ptctl_err(PTCTL_FAIL, "no boot loader found under %s", c->root);
	else if (!rc && c->cancel_once)
		rc = forget_choice(&o, true);
	else if (!rc && !c->sub)
		show_choice(&o);
	else if (!rc && strcmp(c->sub, "bare-metal") == 0 && !c->once &&
		 (rc = boot_choose(&o, false, false)) == 0)
		rc = forget_choice(&o, true); /* a pending VM one-shot would win over it */
	else if (!rc && strcmp(c->sub, "windows") == 0)
		rc = boot_windows(&o, c->once);
	else if (!rc)
		rc = boot_choose(&o, strcmp(c->sub, "vm") == 0, c->once);
	eopts_close(&o);
	return rc;
}
