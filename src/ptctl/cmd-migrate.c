// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ptctl migrate: from a passthrough set up by hand (the seed guide) to ptboot's entry. The
 * plan comes from the library (migrate.c); this file prints it, and --apply carries it out
 * with a backup first, every file replaced atomically and rolled back on failure; --revert
 * puts a backup back.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ptctl.h"

#define BACKUP_DIR "var/lib/ptboot/backup"

/* The selection: the one function of each ID, then --select. */
struct msel {
	char *v[64 + 32];
	int n;
	bool unresolved; /* an ID names several functions or none, and no --select chose */
	struct pt_buf joined;
};

static void msel_free(struct msel *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->v[i]);
	pt_buf_free(&s->joined);
	*s = (struct msel){ 0 };
}

static int msel_make(const struct ptctl *c, const struct pt_migrate *m, struct msel *s)
{
	for (size_t i = 0; i < m->nids; i++) {
		if (!m->ids[i].guarded[0]) {
			s->unresolved |= c->nselects == 0;
			continue;
		}
		if (s->n < 64 && !(s->v[s->n++] = strdup(m->ids[i].guarded)))
			return -ENOMEM;
	}
	for (int i = 0; i < c->nselects; i++)
		if (!(s->v[s->n++] = strdup(c->selects[i])))
			return -ENOMEM;
	for (int i = 0; i < s->n; i++)
		pt_buf_printf(&s->joined, "%s%s", i ? "," : "", s->v[i]);
	return s->joined.err;
}

/* ---- the plan, as text and JSON ---------------------------------------------------------- */

static void say_lines(struct pt_buf *b, const char *indent, const char *text)
{
	for (const char *p = text; p && *p;) {
		size_t n = strcspn(p, "\n");

		pt_buf_printf(b, "%s%.*s\n", indent, (int)n, p);
		p += n + (p[n] == '\n');
	}
}

static void plan_text(struct pt_buf *b, const struct pt_migrate *m, const struct msel *s, const char *args,
		      const struct ptctl *c)
{
	if (m->nids)
		pt_buf_puts(b, "the functions the manual setup's ids= lists name on this machine:\n");
	for (size_t i = 0; i < m->nids; i++) {
		const struct pt_migrate_id *v = &m->ids[i];

		if (v->nmatch == 1)
			pt_buf_printf(b, "  %s  %s\n", v->id, v->guarded);
		else if (v->nmatch)
			pt_buf_printf(b, "  %s  names %zu functions (%s): %s\n", v->id, v->nmatch, v->slots,
				      c->nselects ? "left to --select" : "choose with --select SLOT@ID");
		else
			pt_buf_printf(b, "  %s  names no function on this machine: %s\n", v->id,
				      c->nselects ? "left to --select" : "left out once --select chooses");
		pt_buf_printf(b, "             from %s\n", v->from);
	}
	for (int i = 0; i < c->nselects; i++)
		pt_buf_printf(b, "  --select %s\n", c->selects[i]);
	if (s->unresolved)
		pt_buf_puts(b, "not decided: an ID names several functions or none; --apply refuses until"
			       " --select SEL (repeatable) names what to pass\n");
	if (args[0]) {
		pt_buf_puts(b, "the host+passthrough entry beside each kernel's (ptctl entry add");
		for (int i = 0; i < s->n; i++)
			pt_buf_printf(b, " %s", s->v[i]);
		pt_buf_printf(b, "):\n  %s\n", args);
	} else if (!s->unresolved && m->nids) {
		pt_buf_puts(b, "no host+passthrough entry: nothing is selected\n");
	}
	for (size_t i = 0; i < m->nfiles; i++) {
		const struct pt_migrate_file *f = &m->files[i];

		for (size_t k = 0; k < f->nchanges; k++) {
			const struct pt_migrate_change *x = &f->changes[k];

			pt_buf_printf(b, "/%s:%u: %s\n", f->path, x->line, x->new ? "rewritten" : "removed");
			pt_buf_printf(b, "  - %s\n", x->old);
			if (x->new)
				pt_buf_printf(b, "  + %s\n", x->new);
			say_lines(b, "    ", x->why);
		}
		if (f->remove)
			pt_buf_printf(
				b,
				"/%s: the file is removed (nothing but blanks and comments is left in it)\n",
				f->path);
	}
	if (m->regenerate[0])
		pt_buf_printf(b, "grub.cfg made anew from /etc/default/grub: %s\n", m->regenerate);
	if (m->nkernels)
		pt_buf_puts(b, "initramfs made anew (it carries copies of the old files):\n");
	for (size_t i = 0; i < m->nkernels; i++)
		pt_buf_printf(b, "  /%s: %s\n", m->kernels[i].image, m->kernels[i].cmd);
	for (size_t i = 0; i < m->nnotes; i++)
		pt_buf_printf(b, "left as it is: %s\n", m->notes[i]);
}

static void plan_json(struct pt_buf *b, const struct pt_migrate *m, const struct msel *s, const char *args)
{
	pt_buf_printf(b, "{\n  \"version\": 1,\n  \"todo\": %s,\n  \"decided\": %s,\n  \"ids\": [",
		      pt_migrate_empty(m) ? "false" : "true", s->unresolved ? "false" : "true");
	for (size_t i = 0; i < m->nids; i++) {
		const struct pt_migrate_id *v = &m->ids[i];

		pt_buf_printf(b, "%s\n    {\"id\": \"%s\", \"functions\": %zu, \"slots\": ", i ? "," : "",
			      v->id, v->nmatch);
		pt_buf_json_str(b, v->slots);
		pt_buf_puts(b, ", \"selector\": ");
		pt_buf_json_str(b, v->guarded[0] ? v->guarded : NULL);
		pt_buf_puts(b, ", \"from\": ");
		pt_buf_json_str(b, v->from);
		pt_buf_puts(b, "}");
	}
	pt_buf_puts(b, m->nids ? "\n  ],\n  \"selection\": [" : "],\n  \"selection\": [");
	for (int i = 0; i < s->n; i++) {
		pt_buf_puts(b, i ? ", " : "");
		pt_buf_json_str(b, s->v[i]);
	}
	pt_buf_puts(b, "],\n  \"entry\": ");
	pt_buf_json_str(b, args[0] ? args : NULL);
	pt_buf_puts(b, ",\n  \"changes\": [");
	for (size_t i = 0, n = 0; i < m->nfiles; i++) {
		const struct pt_migrate_file *f = &m->files[i];

		for (size_t k = 0; k < f->nchanges; k++, n++) {
			const struct pt_migrate_change *x = &f->changes[k];

			pt_buf_printf(b, "%s\n    {\"file\": ", n ? "," : "");
			pt_buf_json_str(b, f->path);
			pt_buf_printf(b, ", \"line\": %u, \"old\": ", x->line);
			pt_buf_json_str(b, x->old);
			pt_buf_puts(b, ", \"new\": ");
			pt_buf_json_str(b, x->new);
			pt_buf_puts(b, ", \"why\": ");
			pt_buf_json_str(b, x->why);
			pt_buf_puts(b, "}");
		}
	}
	pt_buf_puts(b, "\n  ],\n  \"removed\": [");
	for (size_t i = 0, n = 0; i < m->nfiles; i++)
		if (m->files[i].remove) {
			pt_buf_puts(b, n++ ? ", " : "");
			pt_buf_json_str(b, m->files[i].path);
		}
	pt_buf_puts(b, "],\n  \"regenerate\": ");
	pt_buf_json_str(b, m->regenerate[0] ? m->regenerate : NULL);
	pt_buf_puts(b, ",\n  \"rebuild\": [");
	for (size_t i = 0; i < m->nkernels; i++) {
		pt_buf_printf(b, "%s\n    {\"kernel\": ", i ? "," : "");
		pt_buf_json_str(b, m->kernels[i].kver);
		pt_buf_puts(b, ", \"image\": ");
		pt_buf_json_str(b, m->kernels[i].image);
		pt_buf_puts(b, ", \"command\": ");
		pt_buf_json_str(b, m->kernels[i].cmd);
		pt_buf_puts(b, "}");
	}
	pt_buf_puts(b, m->nkernels ? "\n  ],\n  \"notes\": [" : "],\n  \"notes\": [");
	for (size_t i = 0; i < m->nnotes; i++) {
		pt_buf_puts(b, i ? ", " : "");
		pt_buf_json_str(b, m->notes[i]);
	}
	pt_buf_puts(b, "]\n}\n");
}

/* ---- running commands -------------------------------------------------------------------- */

static bool is_live(int rootfd)
{
	struct stat a, b;

	return fstat(rootfd, &a) == 0 && stat("/", &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* sh -c "CMD \"$1\"" with arg (NULL: CMD alone), PTBOOT_ROOT=root in its environment. */
static int run_sh(const char *cmd, const char *arg, const char *root)
{
	struct pt_buf line = { 0 };
	pid_t pid;
	int st;

	pt_buf_printf(&line, "%s%s", cmd, arg ? " \"$1\"" : "");
	if (line.err)
		return -ENOMEM;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		pt_buf_free(&line);
		return -errno;
	}
	if (pid == 0) {
		setenv("PTBOOT_ROOT", root, 1);
		execl("/bin/sh", "sh", "-c", line.data, "sh", arg, (char *)NULL);
		_exit(127);
	}
	pt_buf_free(&line);
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* The initramfs images made anew: CMD KVER (--rebuild-with), the distribution's command on
 * this system's root, else said. 0, or PTCTL_PARTIAL when one failed. */
static int rebuild(const struct ptctl *c, int rootfd, const struct pt_migrate_kernel *k, size_t n)
{
	const bool live = is_live(rootfd);
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		int r;

		if (!c->rebuild_with && !live) {
			printf("not made anew: /%s (--root): run %s on that system\n", k[i].image, k[i].cmd);
			continue;
		}
		r = c->rebuild_with ? run_sh(c->rebuild_with, k[i].kver, c->root)
				    : run_sh(k[i].cmd, NULL, "/");
		if (r == 0) {
			printf("made anew: /%s (%s%s%s)\n", k[i].image,
			       c->rebuild_with ? c->rebuild_with : k[i].cmd, c->rebuild_with ? " " : "",
			       c->rebuild_with ? k[i].kver : "");
			continue;
		}
		rc = ptctl_err(PTCTL_PARTIAL,
			       "%s%s%s failed (%s %d): /%s still carries the old files; run it again",
			       c->rebuild_with ? c->rebuild_with : k[i].cmd, c->rebuild_with ? " " : "",
			       c->rebuild_with ? k[i].kver : "", r < 0 ? "error" : "status", r, k[i].image);
	}
	return rc;
}

/* ---- --apply ------------------------------------------------------------------------------- */

/* A file --apply replaces, removes or (entry add) creates. */
struct target {
	char path[PT_PATH_MAX];
	char *old; /* NULL when it does not exist */
	size_t oldlen;
	unsigned mode;
	uid_t uid;
	gid_t gid;
	const char *new; /* NULL: removed (or, ptboot, written by entry add) */
	size_t newlen;
	bool ptboot; /* entry add writes it */
	bool owned;  /* old is ours to free */
};

struct targets {
	struct target *v;
	size_t n;
};

static void targets_free(struct targets *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].owned)
			free(t->v[i].old);
	free(t->v);
	*t = (struct targets){ 0 };
}

static struct target *target_add(struct targets *t, const char *path)
{
	struct target *v = realloc(t->v, (t->n + 1) * sizeof(*v));

	if (!v)
		return NULL;
	t->v = v;
	v = &t->v[t->n++];
	*v = (struct target){ .mode = 0644 };
	pt_snprintf(v->path, sizeof(v->path), "%s", path);
	return v;
}

static int targets_make(const struct ptctl *c, int rootfd, const struct pt_migrate *m, bool entry,
			struct targets *t)
{
	struct pt_buf list = { 0 };
	int rc;

	for (size_t i = 0; i < m->nfiles; i++) {
		struct target *x = target_add(t, m->files[i].path);

		if (!x)
			return ptctl_err(PTCTL_FAIL, "out of memory");
		x->old = m->files[i].old;
		x->oldlen = m->files[i].oldlen;
		x->mode = m->files[i].mode;
		x->uid = m->files[i].uid;
		x->gid = m->files[i].gid;
		x->new = m->files[i].remove ? NULL : m->files[i].new;
		x->newlen = m->files[i].newlen;
	}
	if (!entry)
		return 0;
	if ((rc = ptctl_entry_targets(c, &list)))
		return rc;
	for (const char *p = list.data; p && *p;) {
		size_t n = strcspn(p, "\n");
		char path[PT_PATH_MAX];
		struct target *x;
		struct stat st;
		int fd, r;

		pt_snprintf(path, sizeof(path), "%.*s", (int)n, p);
		p += n + (p[n] == '\n');
		if (!(x = target_add(t, path))) {
			pt_buf_free(&list);
			return ptctl_err(PTCTL_FAIL, "out of memory");
		}
		x->ptboot = true;
		x->owned = true;
		fd = pt_open_in(rootfd, path, O_RDONLY, 0);
		if (fd < 0 && fd != -ENOENT) {
			pt_buf_free(&list);
			return ptctl_err(PTCTL_FAIL, "cannot read /%s: %s", path, pt_strerror(fd));
		}
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0) {
			x->mode = st.st_mode & 07777;
			x->uid = st.st_uid;
			x->gid = st.st_gid;
		}
		close(fd);
		r = pt_read_file_in(rootfd, path, 4 << 20, &x->old, &x->oldlen);
		if (r < 0) {
			pt_buf_free(&list);
			return ptctl_err(PTCTL_FAIL, "cannot read /%s: %s", path, pt_strerror(r));
		}
	}
	pt_buf_free(&list);
	return 0;
}

/* Put targets [0, n) back as they were. 0, or the first error (said). */
static int rollback(int rootfd, const struct targets *t, size_t n, const char *backup)
{
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		const struct target *x = &t->v[i];
		int r = x->old ? pt_write_atomic(rootfd, x->path, x->old, x->oldlen, x->mode)
			       : pt_unlink_in(rootfd, x->path);

		if (r == -ENOENT && !x->old)
			r = 0;
		if (r < 0 && !rc)
			rc = ptctl_err(PTCTL_FAIL,
				       "rolling back /%s failed too (%s): ptctl migrate --revert %s", x->path,
				       pt_strerror(r), backup);
	}
	return rc;
}

static void sha_of(const char *data, size_t len, char out[65])
{
	pt_sha256_hex(data, len, out);
}

/* The backup: every target's text under BACKUP/files/, then BACKUP/manifest, one line a
 * file: PATH<TAB>SHA256-BEFORE|absent<TAB>MODE<TAB>UID:GID<TAB>SHA256-AFTER|removed|ptboot
 * ("ptboot": entry add writes it), and "#kernel KVER IMAGE" for each initramfs made anew. */
static int backup(int rootfd, const struct targets *t, const struct pt_migrate *m, char *dir, size_t size)
{
	struct pt_buf man = { 0 };
	char stamp[32], path[PT_PATH_MAX * 2];
	time_t now = time(NULL);
	struct tm tm;
	int r = 0;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	pt_snprintf(dir, size, "%s/%s", BACKUP_DIR, stamp);
	for (int i = 2; pt_exists(rootfd, dir) && i < 100; i++)
		pt_snprintf(dir, size, "%s/%s-%d", BACKUP_DIR, stamp, i);
	if ((r = pt_mkdir_p(rootfd, dir, 0755)) < 0)
		return r;
	pt_buf_puts(&man,
		    "# ptctl migrate: PATH SHA256-BEFORE|absent MODE UID:GID SHA256-AFTER|removed|ptboot\n");
	for (size_t i = 0; r == 0 && i < t->n; i++) {
		const struct target *x = &t->v[i];
		char before[65] = "absent", after[65];

		if (strpbrk(x->path, "\t\n"))
			return -EINVAL;
		if (x->old) {
			const char *slash;

			sha_of(x->old, x->oldlen, before);
			pt_snprintf(path, sizeof(path), "%s/files/%s", dir, x->path);
			slash = strrchr(path, '/');
			path[slash - path] = '\0';
			r = pt_mkdir_p(rootfd, path, 0755);
			path[slash - path] = '/';
			if (r == 0)
				r = pt_write_atomic(rootfd, path, x->old, x->oldlen, 0600);
		}
		if (x->ptboot)
			pt_snprintf(after, sizeof(after), "ptboot");
		else if (!x->new)
			pt_snprintf(after, sizeof(after), "removed");
		else
			sha_of(x->new, x->newlen, after);
		if (x->old) {
			char mode[16];

			snprintf(mode, sizeof(mode), "%04o", x->mode); /* pt_snprintf has no %o */
			pt_buf_printf(&man, "%s\t%s\t%s\t%u:%u\t%s\n", x->path, before, mode,
				      (unsigned)x->uid, (unsigned)x->gid, after);
		} else
			pt_buf_printf(&man, "%s\tabsent\t-\t-\t%s\n", x->path, after);
	}
	for (size_t i = 0; i < m->nkernels; i++)
		pt_buf_printf(&man, "#kernel\t%s\t%s\n", m->kernels[i].kver, m->kernels[i].image);
	if (r == 0 && man.err)
		r = man.err;
	if (r == 0) {
		pt_snprintf(path, sizeof(path), "%s/manifest", dir);
		r = pt_write_atomic(rootfd, path, man.data, man.len, 0600);
	}
	pt_buf_free(&man);
	return r;
}

static const struct ptctl_cmd entry_cmd = { "entry", ptctl_cmd_entry, "", true, "", "" };

/* entry add SEL... with the lock migrate holds; 0 when entry.conf holds the selection after. */
static int add_entry(const struct ptctl *c, int rootfd, struct msel *s)
{
	struct ptctl e = { .root = c->root,
			   .cmdline_file = c->cmdline_file,
			   .pci_ids = c->pci_ids,
			   .tuning = c->tuning,
			   .no_hwdb = c->no_hwdb,
			   .no_disks = c->no_disks,
			   .locked = true,
			   .cmd = &entry_cmd,
			   .sub = "add",
			   .args = s->v,
			   .nargs = s->n };
	struct pt_entry_conf conf;
	int rc = ptctl_cmd_entry(&e);

	if (pt_entry_conf_read(rootfd, &conf) == 1 && strcmp(conf.policy, s->joined.data) == 0)
		return rc == PTCTL_FAIL ? PTCTL_PARTIAL : rc;
	return PTCTL_FAIL;
}

static int apply(const struct ptctl *c, const struct pt_host *h, const struct pt_migrate *m, struct msel *s)
{
	const int rootfd = h->sys.rootfd;
	struct targets t = { 0 };
	struct pt_boot b = { 0 };
	char dir[PT_PATH_MAX];
	size_t done = 0;
	int r, rc, erc = 0;

	pt_boot_detect(rootfd, &b);
	if ((rc = targets_make(c, rootfd, m, s->n > 0, &t)))
		goto out;
	r = backup(rootfd, &t, m, dir, sizeof(dir));
	if (r < 0) {
		rc = ptctl_err(PTCTL_FAIL, "cannot back up the files into /%s: %s: nothing was changed", dir,
			       pt_strerror(r));
		goto out;
	}
	printf("backed up: /%s (%zu files, manifest)\n", dir, t.n);
	for (; done < t.n; done++) {
		const struct target *x = &t.v[done];

		if (x->ptboot)
			continue;
		r = x->new ? pt_write_atomic(rootfd, x->path, x->new, x->newlen, x->mode)
			   : pt_unlink_in(rootfd, x->path);
		if (r < 0) {
			done++;
			rc = rollback(rootfd, &t, done, dir);
			rc = ptctl_err(PTCTL_FAIL, "cannot %s /%s: %s: %s", x->new ? "write" : "remove",
				       x->path, pt_strerror(r),
				       rc ? "the files before it were not all rolled back"
					  : "rolled back, every file is as it was");
			goto out;
		}
		printf("%s /%s\n", x->new ? "rewrote" : "removed", x->path);
	}
	if (s->n) {
		fflush(stdout);
		erc = add_entry(c, rootfd, s);
		if (erc == PTCTL_FAIL) {
			rc = rollback(rootfd, &t, t.n, dir);
			rc = ptctl_err(PTCTL_FAIL, "the host+passthrough entry was not added: %s",
				       rc ? "the files were not all rolled back"
					  : "rolled back, every file is as it was");
			goto out;
		}
	}
	if (m->regenerate[0] && (!s->n || b.loader != PT_LOADER_GRUB) && ptctl_entry_regenerate(c))
		erc = PTCTL_PARTIAL;
	if (rebuild(c, rootfd, m->kernels, m->nkernels))
		erc = PTCTL_PARTIAL;
	printf("check:\n");
	fflush(stdout);
	{
		struct ptctl k = { .root = c->root,
				   .cmdline_file = c->cmdline_file,
				   .pci_ids = c->pci_ids,
				   .tuning = c->tuning,
				   .no_hwdb = c->no_hwdb,
				   .no_disks = c->no_disks,
				   .cmd = c->cmd };

		rc = ptctl_check_summary(&k);
	}
	printf("undo it: ptctl migrate --revert %s\n", strrchr(dir, '/') + 1);
	if (erc > rc)
		rc = erc;
out:
	targets_free(&t);
	return rc;
}

/* ---- --revert ----------------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b, const void *ctx)
{
	(void)ctx;
	return strcmp(a, b);
}

/* The newest backup with a manifest: 0 and its name, -ENOENT. */
static int newest_backup(int rootfd, char *buf, size_t size)
{
	char(*v)[256] = NULL;
	size_t n = 0;
	struct dirent *de;
	DIR *d;
	int r = pt_opendir_in(rootfd, BACKUP_DIR, &d);

	if (r < 0)
		return r == -ENOMEM ? r : -ENOENT;
	r = -ENOENT;
	while ((de = readdir(d))) {
		char man[PT_PATH_MAX];
		void *nv;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= 256 ||
		    pt_pathf(man, sizeof(man), "%s/%s/manifest", BACKUP_DIR, de->d_name) < 0 ||
		    !pt_exists(rootfd, man))
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv)
			break;
		v = nv;
		pt_snprintf(v[n++], sizeof(*v), "%s", de->d_name);
	}
	closedir(d);
	if (n && pt_sort(v, n, sizeof(*v), cmp_str, NULL) == 0) {
		pt_snprintf(buf, size, "%s", v[n - 1]);
		r = 0;
	}
	free(v);
	return r;
}

struct mline {
	char path[PT_PATH_MAX];
	char before[65], after[65];
	unsigned mode;
	char *saved; /* the backup's copy */
	size_t savedlen;
	char now[65]; /* "absent" when it is not there */
};

/* A backup's manifest: its files and the initramfs images made anew with it. */
struct manifest {
	struct mline *v;
	size_t n;
	struct pt_migrate_kernel *k;
	size_t nk;
};

static void manifest_free(struct manifest *mf)
{
	for (size_t i = 0; i < mf->n; i++)
		free(mf->v[i].saved);
	free(mf->v);
	free(mf->k);
	*mf = (struct manifest){ 0 };
}

/* The backup --revert puts back (the one named, else the newest) as BACKUP_DIR/NAME in dir:
 * 0, or the exit status (said). */
static int revert_dir(const struct ptctl *c, int rootfd, char *dir, size_t size)
{
	char name[256] = "";

	if (c->nargs > 1)
		return ptctl_err(PTCTL_FAIL, "migrate --revert takes one backup");
	if (c->nargs) {
		const char *a = strrchr(c->args[0], '/');

		pt_snprintf(name, sizeof(name), "%s", a && a[1] ? a + 1 : c->args[0]);
	} else if (newest_backup(rootfd, name, sizeof(name)) < 0) {
		return ptctl_err(PTCTL_FAIL, "no backup in /%s: ptctl migrate --apply made none", BACKUP_DIR);
	}
	if (!name[0] || name[0] == '.' || pt_pathf(dir, size, "%s/%s", BACKUP_DIR, name) < 0)
		return ptctl_err(PTCTL_FAIL, "no backup \"%s\"", name);
	return 0;
}

/* A manifest's line (its nf fields f): a "#kernel KVER IMAGE" line or a file's added to mf;
 * 0, -EINVAL when it is malformed, or -ENOMEM. */
static int manifest_add(struct manifest *mf, char *const *f, int nf)
{
	const bool kernel = strcmp(f[0], "#kernel") == 0 && nf >= 3;
	void *nv;

	if (!kernel && (nf != 5 || strstr(f[0], "..") || f[0][0] == '/'))
		return -EINVAL;
	nv = kernel ? realloc(mf->k, (mf->nk + 1) * sizeof(*mf->k))
		    : realloc(mf->v, (mf->n + 1) * sizeof(*mf->v));
	if (!nv)
		return -ENOMEM;
	if (kernel) {
		struct pt_migrate_kernel *k = &(mf->k = nv)[mf->nk++];

		pt_snprintf(k->kver, sizeof(k->kver), "%s", f[1]);
		pt_snprintf(k->image, sizeof(k->image), "%s", f[2]);
		pt_leftover_rebuild(k->image, k->kver, k->cmd, sizeof(k->cmd));
	} else {
		struct mline *x = &(mf->v = nv)[mf->n++];

		*x = (struct mline){ .mode = (unsigned)strtoul(f[2], NULL, 8) };
		pt_snprintf(x->path, sizeof(x->path), "%s", f[0]);
		pt_snprintf(x->before, sizeof(x->before), "%s", f[1]);
		pt_snprintf(x->after, sizeof(x->after), "%s", f[4]);
	}
	return 0;
}

/* DIR/manifest read into mf (see backup() for its lines): 0, or the exit status (said). */
static int manifest_read(int rootfd, const char *dir, struct manifest *mf)
{
	char path[PT_PATH_MAX * 2], *text = NULL, *p, *l;
	int r, rc = 0;

	pt_snprintf(path, sizeof(path), "%s/manifest", dir);
	r = pt_read_file_in(rootfd, path, 1 << 20, &text, NULL);
	if (r < 0)
		return ptctl_err(PTCTL_FAIL, "cannot read /%s: %s", path, pt_strerror(r));
	for (p = text; rc == 0 && (l = strsep(&p, "\n"));) {
		char *f[5], *q = l;
		int nf = 0;

		if (!*l || (l[0] == '#' && strncmp(l, "#kernel\t", 8) != 0))
			continue;
		while (nf < 5 && (f[nf] = strsep(&q, "\t")))
			nf++;
		r = manifest_add(mf, f, nf);
		if (r == -EINVAL)
			rc = ptctl_err(PTCTL_FAIL, "/%s is malformed: \"%s\"", path, f[0]);
		else if (r < 0)
			rc = ptctl_err(PTCTL_FAIL, "out of memory");
	}
	free(text);
	return rc;
}

/* One file of the backup: the backup's copy read into x->saved (it must be whole) and the
 * file's SHA-256 now (or "absent") into x->now; 0, or the exit status (said). */
static int mline_read(int rootfd, const char *dir, struct mline *x)
{
	char path[PT_PATH_MAX * 2], sum[65], *now = NULL;
	size_t len;
	int r, rc = 0;

	if (strcmp(x->before, "absent") != 0) {
		pt_snprintf(path, sizeof(path), "%s/files/%s", dir, x->path);
		r = pt_read_file_in(rootfd, path, 4 << 20, &x->saved, &x->savedlen);
		if (r == 0)
			sha_of(x->saved, x->savedlen, sum);
		if (r < 0 || strcmp(sum, x->before) != 0)
			return ptctl_err(PTCTL_FAIL, "the backup's copy of /%s is %s: nothing was changed",
					 x->path, r < 0 ? "missing" : "damaged");
	}
	r = pt_read_file_in(rootfd, x->path, 4 << 20, &now, &len);
	if (r == -ENOENT)
		pt_snprintf(x->now, sizeof(x->now), "absent");
	else if (r < 0)
		rc = ptctl_err(PTCTL_FAIL, "cannot read /%s: %s: nothing was changed", x->path,
			       pt_strerror(r));
	else
		sha_of(now, len, x->now);
	free(now);
	return rc;
}

/* Whether the file changed since the migration: neither as before nor as migrate left it. */
static bool mline_changed(const struct mline *x)
{
	if (strcmp(x->now, x->before) == 0)
		return false;
	return !(strcmp(x->now, x->after) == 0 || strcmp(x->after, "ptboot") == 0 ||
		 (strcmp(x->after, "removed") == 0 && strcmp(x->now, "absent") == 0));
}

/* The backup is whole, and each file is as the migration left it (or as before), or with
 * --force changed since (counted in *changed): 0, or the exit status (said). */
static int revert_check(const struct ptctl *c, int rootfd, const char *dir, struct manifest *mf,
			size_t *changed)
{
	for (size_t i = 0; i < mf->n; i++) {
		struct mline *x = &mf->v[i];
		int rc = mline_read(rootfd, dir, x);

		if (rc)
			return rc;
		if (!mline_changed(x))
			continue;
		(*changed)++;
		if (!c->force)
			return ptctl_err(PTCTL_FAIL,
					 "/%s changed since the migration: nothing was changed (--force puts "
					 "the backup's copy back anyway)",
					 x->path);
	}
	return 0;
}

/* Each file that is not as before put back from the backup, or removed (said), counted in
 * *restored: 0, or the exit status (said). */
static int revert_restore(int rootfd, const struct manifest *mf, size_t *restored)
{
	for (size_t i = 0; i < mf->n; i++) {
		const struct mline *x = &mf->v[i];
		int r;

		if (strcmp(x->now, x->before) == 0)
			continue;
		r = x->saved ? pt_write_atomic(rootfd, x->path, x->saved, x->savedlen, x->mode)
			     : pt_unlink_in(rootfd, x->path);
		if (r < 0)
			return ptctl_err(PTCTL_FAIL, "cannot %s /%s: %s (%zu files put back before it)",
					 x->saved ? "write" : "remove", x->path, pt_strerror(r), *restored);
		(*restored)++;
		printf("%s /%s\n", x->saved ? "put back" : "removed", x->path);
	}
	return 0;
}

/* migrate --revert: a backup checked, put back and its initramfs images made anew; the exit
 * status. */
static int revert(const struct ptctl *c, const struct pt_host *h)
{
	const int rootfd = h->sys.rootfd;
	struct manifest mf = { 0 };
	size_t changed = 0, restored = 0;
	char dir[PT_PATH_MAX];
	int rc;

	if ((rc = revert_dir(c, rootfd, dir, sizeof(dir))))
		return rc;
	rc = manifest_read(rootfd, dir, &mf);
	if (rc == 0)
		rc = revert_check(c, rootfd, dir, &mf, &changed);
	if (rc == 0)
		rc = revert_restore(rootfd, &mf, &restored);
	if (rc == 0) {
		printf("reverted: /%s (%zu files put back%s)\n", dir, restored,
		       changed ? ", changed ones too (--force)" : "");
		if (rebuild(c, rootfd, mf.k, mf.nk))
			rc = PTCTL_PARTIAL;
	}
	manifest_free(&mf);
	return rc;
}

/* ---- the command ------------------------------------------------------------------------- */

static int check_args(const struct ptctl *c)
{
	if (c->apply + c->revert + c->dry_run > 1)
		return ptctl_err(PTCTL_FAIL, "migrate takes one of --dry-run, --apply and --revert");
	if (c->nselects > (int)ARRAY_SIZE(c->selects))
		return ptctl_err(PTCTL_FAIL, "migrate takes at most %zu --select", ARRAY_SIZE(c->selects));
	if (c->revert && c->nselects)
		return ptctl_err(PTCTL_FAIL, "migrate --revert takes no --select");
	if (!c->revert && c->nargs)
		return ptctl_err(PTCTL_FAIL,
				 "migrate takes no arguments: --select SEL names a function to pass");
	if (c->json && (c->apply || c->revert))
		return ptctl_err(PTCTL_FAIL, "--json is for the plan (migrate or migrate --dry-run)");
	if (c->force && !c->revert)
		return ptctl_err(PTCTL_FAIL, "--force is for migrate --revert");
	if (c->rebuild_with && !c->apply && !c->revert)
		return ptctl_err(PTCTL_FAIL, "--rebuild-with is for --apply and --revert");
	for (int i = 0; i < c->nselects; i++) {
		struct pt_policy_error pe = { 0 };
		struct pt_policy pol;
		int r = pt_policy_parse(c->selects[i], &pol, &pe);

		if (r == -ENOMEM)
			return ptctl_err(PTCTL_FAIL, "out of memory");
		if (r < 0)
			return ptctl_err(PTCTL_FAIL, "--select: selector \"%s\": %s", pe.sel, pe.why);
		pt_policy_free(&pol);
	}
	return 0;
}

/* What migrate works from besides the selection: the plan and the host+passthrough entry's
 * arguments. (The selection stays out: to clang's analyzer, pt_migrate_scan(&p->m) would
 * clobber all of the struct, and lose the selection's strings with it.) */
struct mplan {
	struct pt_migrate m;
	struct pt_kargs k;
	struct pt_selection sel;
	bool have_sel;
};

static void mplan_free(struct mplan *p)
{
	if (p->have_sel)
		pt_selection_free(&p->sel);
	pt_kargs_free(&p->k);
	pt_migrate_free(&p->m);
}

/* The host+passthrough entry's arguments, "" when nothing is selected. */
static const char *mplan_args(const struct mplan *p)
{
	return p->k.args.data ? p->k.args.data : "";
}

/* --apply and --revert change the boot files: as root on the live system, one ptctl at a
 * time. 0 and the lock in *ret_lockfd, or the exit status (said). */
static int lock_boot_files(const struct ptctl *c, int rootfd, int *ret_lockfd)
{
	int fd;

	if (is_live(rootfd) && geteuid() != 0)
		return ptctl_err(
			PTCTL_FAIL,
			"ptctl migrate %s changes the boot files: run it as root (or give --root DIR)",
			c->apply ? "--apply" : "--revert");
	fd = pt_lock_take(rootfd, PT_LOCK_FILE, PT_LOCK_WAIT_MS);
	if (fd < 0)
		return ptctl_err(PTCTL_FAIL, "cannot lock the boot files under %s (%s): %s", c->root,
				 PT_LOCK_FILE,
				 fd == -EWOULDBLOCK ? "another ptctl holds it" : pt_strerror(fd));
	*ret_lockfd = fd;
	return 0;
}

/* The selection planned on h and the host+passthrough entry's arguments built (their
 * reasons said): 0, or the exit status (said). */
static int plan_entry(const struct ptctl *c, const struct pt_host *h, const struct pt_tuning *tun,
		      struct msel *s, struct mplan *p)
{
	struct ptctl sc = *c;
	int r, rc;

	sc.args = s->v;
	sc.nargs = s->n;
	sc.policy = NULL;
	if ((rc = ptctl_select(&sc, h, PTCTL_SELECT_REQUIRED, PT_PLAN_SLOTS, &p->sel)))
		return rc;
	p->have_sel = true;
	r = pt_kargs_build(h, tun, p->sel.plan.take, &p->k);
	if (r < 0)
		return ptctl_kargs_error(r, &p->k);
	ptctl_say_why(&p->k.why);
	return 0;
}

/* The plan: the leftovers, the selection (--apply refuses one not decided), the entry and
 * the edits; 0, or the exit status (said). */
static int plan_make(const struct ptctl *c, const struct pt_host *h, const struct pt_tuning *tun,
		     struct msel *s, struct mplan *p)
{
	int r = pt_migrate_scan(h, &p->m), rc;

	if (r == 0)
		r = msel_make(c, &p->m, s);
	if (r < 0)
		return ptctl_errno(r, "cannot read the leftovers");
	if (c->apply && s->unresolved)
		return ptctl_err(PTCTL_FAIL,
				 "not decided: an ID of the manual setup names several functions or "
				 "none (ptctl migrate shows which): name what to pass with --select SEL");
	if (s->n && (rc = plan_entry(c, h, tun, s, p)))
		return rc;
	r = pt_migrate_edits(h, mplan_args(p), &p->m);
	if (r < 0)
		return ptctl_errno(r, "cannot plan the migration");
	return 0;
}

/* The plan printed (text or JSON), or that there is nothing to do: the exit status,
 * PTCTL_PARTIAL when something is left to do. */
static int plan_print(const struct ptctl *c, const struct msel *s, const struct mplan *p)
{
	const bool empty = pt_migrate_empty(&p->m);
	struct pt_buf b = { 0 };
	int rc;

	if (c->json) {
		plan_json(&b, &p->m, s, empty ? "" : mplan_args(p));
	} else if (empty) {
		pt_buf_puts(&b, "nothing to do: no passthrough leftovers\n");
		for (size_t i = 0; i < p->m.nnotes; i++)
			pt_buf_printf(&b, "left as it is: %s\n", p->m.notes[i]);
	} else {
		plan_text(&b, &p->m, s, mplan_args(p), c);
		pt_buf_puts(
			&b,
			"nothing was changed; ptctl migrate --apply does it (the files backed up first)\n");
	}
	rc = ptctl_print(&b);
	pt_buf_free(&b);
	return rc == 0 && !empty ? PTCTL_PARTIAL : rc;
}

/* migrate (--dry-run): the plan printed; --apply: carried out. The exit status. */
static int migrate(const struct ptctl *c, const struct pt_host *h, const struct pt_tuning *tun)
{
	struct mplan p = { 0 };
	struct msel s = { 0 };
	int rc = plan_make(c, h, tun, &s, &p);

	if (rc == 0 && (!c->apply || pt_migrate_empty(&p.m)))
		rc = plan_print(c, &s, &p);
	else if (rc == 0)
		rc = apply(c, h, &p.m, &s);
	msel_free(&s);
	mplan_free(&p);
	return rc;
}

int ptctl_cmd_migrate(struct ptctl *c)
{
	struct pt_tuning tun = { 0 };
	struct pt_host h;
	int lockfd = -1, rc;

	if ((rc = check_args(c)))
		return rc;
	if ((rc = ptctl_load_tuning(c, &tun)))
		return rc;
	if ((rc = ptctl_open_host(c, true, &h)))
		goto out;
	if (c->apply || c->revert)
		rc = lock_boot_files(c, h.sys.rootfd, &lockfd);
	if (rc == 0)
		rc = c->revert ? revert(c, &h) : migrate(c, &h, &tun);
	if (lockfd >= 0)
		close(lockfd);
	pt_host_close(&h);
out:
	pt_tuning_free(&tun);
	return rc;
}
