// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Module loading with modprobe's semantics and none of its weight: resolve
 * modules.dep, honour softdeps (modules.softdep and modprobe.d), pass the
 * options of modprobe.d and of the kernel command line, skip built-in and
 * loaded modules, load with finit_module(2). Anything only modprobe can do
 * (an install command, a compressed module the kernel can't inflate)
 * returns -ENOTSUP so the caller can run modprobe instead.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptboot.h"

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

#define MAX_DEPTH   16
#define MAX_VISITED 64

struct pt_modload {
	int rootfd;
	char kver[128];
	char kdir[160];	    /* lib/modules/KVER */
	char *dep;	    /* modules.dep */
	char *builtin;	    /* modules.builtin, may be NULL */
	struct pt_buf conf; /* normalised "options|softdep|install NAME REST\n" lines */
	char visited[MAX_VISITED][PT_NAME_MAX];
	size_t nvisited;
	pt_modload_plan_fn plan; /* dry run: report, don't load (pt_modload_plan) */
	void *plan_data;
	bool drop_ids;	       /* leave ids= out of vfio_pci's options (a pt.devices= boot) */
	char ids_src[128];     /* where the first vfio_pci ids= came from */
	char ids_dropped[192]; /* "ids=... (from SRC)" once one was left out */
};

static bool is_ids_word(const char *w, size_t n)
{
	return n >= 4 && strncmp(w, "ids=", 4) == 0;
}

/* Remember where vfio_pci's first ids= came from (a file, or the command line). */
static void note_ids_src(struct pt_modload *m, const char *name, const char *rest, const char *src)
{
	if (m->ids_src[0] || !src || strcmp(name, "vfio_pci") != 0)
		return;
	for (const char *w = rest; w && *w;) {
		size_t n;

		w += strspn(w, " \t");
		n = strcspn(w, " \t");
		if (is_ids_word(w, n)) {
			pt_snprintf(m->ids_src, sizeof(m->ids_src), "%s", src);
			return;
		}
		w += n;
	}
}

static void normalize(char *s)
{
	for (; *s; s++)
		if (*s == '-')
			*s = '_';
}

/* Module name of a modules.dep path: "kernel/a/vfio-pci.ko.xz" -> "vfio_pci". */
static int path_to_name(const char *path, size_t len, char *buf, size_t size)
{
	const char *base = path, *dot;
	size_t n;

	for (size_t i = 0; i < len; i++)
		if (path[i] == '/')
			base = path + i + 1;
	dot = memchr(base, '.', (size_t)(path + len - base));
	n = dot ? (size_t)(dot - base) : (size_t)(path + len - base);
	if (n == 0 || n >= size)
		return -EINVAL;
	memcpy(buf, base, n);
	buf[n] = '\0';
	normalize(buf);
	return 0;
}

static int conf_add_cmdline(const char *key, const char *val, void *data)
{
	struct pt_modload *m = data;
	const char *dot = strchr(key, '.');
	char name[PT_NAME_MAX];
	size_t n;

	if (!dot || dot == key || !val || strchr(key, '/'))
		return 0;
	n = (size_t)(dot - key);
	if (n >= sizeof(name))
		return 0;
	memcpy(name, key, n);
	name[n] = '\0';
	normalize(name);
	if (strcmp(name, "vfio_pci") == 0 && strcmp(dot + 1, "ids") == 0 && !m->ids_src[0])
		pt_snprintf(m->ids_src, sizeof(m->ids_src), "vfio-pci.ids= on the kernel command line");
	/* modprobe quotes values with spaces when it passes them on */
	if (strchr(val, ' '))
		pt_buf_printf(&m->conf, "options %s %s=\"%s\"\n", name, dot + 1, val);
	else
		pt_buf_printf(&m->conf, "options %s %s=%s\n", name, dot + 1, val);
	return 0;
}

/* Parse one modprobe.d file into normalised lines. */
static void conf_add_text(struct pt_modload *m, char *text, const char *src)
{
	char *line = text;

	/* join continuation lines */
	for (char *p = text; *p; p++)
		if (p[0] == '\\' && p[1] == '\n')
			p[0] = p[1] = ' ';
	while (line && *line) {
		char *nl = strchr(line, '\n'), *cmd, *name, *rest, *save;

		if (nl)
			*nl = '\0';
		if (strchr(line, '#'))
			*strchr(line, '#') = '\0';
		cmd = strtok_r(line, " \t", &save);
		name = cmd ? strtok_r(NULL, " \t", &save) : NULL;
		rest = name ? save : NULL;
		if (name && (strcmp(cmd, "options") == 0 || strcmp(cmd, "softdep") == 0 ||
			     strcmp(cmd, "install") == 0)) {
			normalize(name);
			if (strcmp(cmd, "options") == 0)
				note_ids_src(m, name, rest, src);
			pt_buf_printf(&m->conf, "%s %s", cmd, name);
			/* words joined by one space, as modprobe passes them */
			for (char *w = rest ? strtok_r(rest, " \t", &save) : NULL; w;
			     w = strtok_r(NULL, " \t", &save))
				pt_buf_printf(&m->conf, " %s", w);
			pt_buf_puts(&m->conf, "\n");
		}
		line = nl ? nl + 1 : NULL;
	}
}

/* modprobe.d: *.conf from these directories, sorted by file name; the
 * first directory holding a name wins (so /etc overrides /usr/lib). */
static void conf_load_dirs(struct pt_modload *m)
{
	static const char *const dirs[] = { "etc/modprobe.d", "run/modprobe.d", "usr/local/lib/modprobe.d",
					    "usr/lib/modprobe.d", "lib/modprobe.d" };
	char *names[256];
	size_t n = 0;

	for (size_t d = 0; d < ARRAY_SIZE(dirs); d++) {
		struct dirent *de;
		DIR *dir;

		if (pt_opendir(m->rootfd, dirs[d], &dir) < 0)
			continue;
		while ((de = readdir(dir)) && n < ARRAY_SIZE(names)) {
			size_t l = strlen(de->d_name);
			bool dup = false;
			char *s;

			if (de->d_name[0] == '.' || l < 6 || strcmp(de->d_name + l - 5, ".conf") != 0)
				continue;
			for (size_t i = 0; i < n; i++)
				if (strcmp(strchr(names[i], '/') + 1, de->d_name) == 0)
					dup = true;
			if (dup)
				continue;
			/* "D/name": sort key after the slash, dir index before it */
			s = malloc(l + 3);
			if (!s)
				break;
			s[0] = (char)('0' + d);
			s[1] = '/';
			memcpy(s + 2, de->d_name, l + 1);
			names[n++] = s;
		}
		closedir(dir);
	}
	/* sort by file name only */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(strchr(names[i], '/') + 1, strchr(names[j], '/') + 1) > 0) {
				char *t = names[i];

				names[i] = names[j];
				names[j] = t;
			}
	for (size_t i = 0; i < n; i++) {
		char path[512], *text;

		if (pt_pathf(path, sizeof(path), "%s/%s", dirs[names[i][0] - '0'], names[i] + 2) >= 0 &&
		    pt_read_file(m->rootfd, path, 1 << 20, &text, NULL) == 0) {
			conf_add_text(m, text, path);
			free(text);
		}
		free(names[i]);
	}
}

int pt_modload_new(int rootfd, const char *kver, const char *cmdline, struct pt_modload **ret)
{
	struct pt_modload *m;
	char path[256], *text;
	int r;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->rootfd = rootfd;
	if (kver)
		r = pt_pathf(m->kver, sizeof(m->kver), "%s", kver);
	else
		r = pt_read_attr(rootfd, "proc/sys/kernel/osrelease", m->kver, sizeof(m->kver)) <= 0 ? -ENOENT
												     : 0;
	if (r >= 0)
		r = pt_pathf(m->kdir, sizeof(m->kdir), "lib/modules/%s", m->kver);
	/* every other name under kdir is shorter than this one */
	if (r >= 0)
		r = pt_pathf(path, sizeof(path), "%s/modules.builtin", m->kdir);
	if (r < 0) {
		free(m);
		return r;
	}
	pt_snprintf(path, sizeof(path), "%s/modules.dep", m->kdir);
	r = pt_read_file(rootfd, path, 64 << 20, &m->dep, NULL);
	if (r < 0) {
		free(m);
		return r;
	}
	pt_snprintf(path, sizeof(path), "%s/modules.builtin", m->kdir);
	if (pt_read_file(rootfd, path, 64 << 20, &m->builtin, NULL) < 0)
		m->builtin = NULL;
	/* The kernel command line's options come first, as in kmod. */
	if (cmdline)
		pt_cmdline_foreach(cmdline, conf_add_cmdline, m);
	pt_snprintf(path, sizeof(path), "%s/modules.softdep", m->kdir);
	if (pt_read_file(rootfd, path, 1 << 20, &text, NULL) == 0) {
		conf_add_text(m, text, NULL);
		free(text);
	}
	conf_load_dirs(m);
	if (m->conf.err) {
		r = m->conf.err;
		pt_modload_free(m);
		return r;
	}
	*ret = m;
	return 0;
}

int pt_modload_new_mem(const char *kver, const char *dep, const char *builtin, const char *conf,
		       const char *cmdline, struct pt_modload **ret)
{
	struct pt_modload *m;
	char *text;
	int r = -ENOMEM;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->rootfd = -1;
	if (pt_pathf(m->kver, sizeof(m->kver), "%s", kver) < 0 ||
	    pt_pathf(m->kdir, sizeof(m->kdir), "lib/modules/%s", m->kver) < 0) {
		free(m);
		return -ENAMETOOLONG;
	}
	m->dep = strdup(dep);
	m->builtin = builtin ? strdup(builtin) : NULL;
	if (!m->dep || (builtin && !m->builtin))
		goto fail;
	if (cmdline)
		pt_cmdline_foreach(cmdline, conf_add_cmdline, m);
	if (conf) {
		text = strdup(conf);
		if (!text)
			goto fail;
		conf_add_text(m, text, "modprobe.d");
		free(text);
	}
	r = m->conf.err;
	if (r < 0)
		goto fail;
	*ret = m;
	return 0;
fail:
	pt_modload_free(m);
	return r;
}

int pt_modload_plan(struct pt_modload *m, const char *name, pt_modload_plan_fn fn, void *data,
		    struct pt_modload_stats *stats)
{
	int r;

	m->plan = fn;
	m->plan_data = data;
	r = pt_modload_probe(m, NULL, name, stats);
	m->plan = NULL;
	m->plan_data = NULL;
	return r;
}

void pt_modload_free(struct pt_modload *m)
{
	if (!m)
		return;
	free(m->dep);
	free(m->builtin);
	pt_buf_free(&m->conf);
	free(m);
}

const char *pt_modload_kver(const struct pt_modload *m)
{
	return m->kver;
}

/* Find name's line in a modules.dep/modules.builtin style text. Returns a
 * pointer to the start of the line or NULL. */
static const char *find_line(const char *text, const char *name)
{
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n'), *colon;
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char n[PT_NAME_MAX];

		colon = memchr(line, ':', len);
		if (path_to_name(line, colon ? (size_t)(colon - line) : len, n, sizeof(n)) == 0 &&
		    strcmp(n, name) == 0)
			return line;
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

/* Every "KIND NAME REST" config line for name, REST joined by spaces. */
static void conf_collect(const struct pt_modload *m, const char *kind, const char *name, struct pt_buf *out)
{
	size_t kl = strlen(kind), nl = strlen(name);

	for (const char *line = m->conf.data; line && *line;) {
		const char *end = strchr(line, '\n');

		if (strncmp(line, kind, kl) == 0 && line[kl] == ' ' &&
		    strncmp(line + kl + 1, name, nl) == 0 && line[kl + 1 + nl] == ' ') {
			const char *rest = line + kl + nl + 2;
			size_t rl = end ? (size_t)(end - rest) : strlen(rest);

			if (rl) {
				if (out->len)
					pt_buf_puts(out, " ");
				pt_buf_printf(out, "%.*s", (int)rl, rest);
			}
		}
		line = end ? end + 1 : NULL;
	}
}

/* A pt.devices= boot: vfio_pci's ids= is left out of its options (the rest passed on). */
static int drop_ids(struct pt_modload *m, const char *name, struct pt_buf *opts)
{
	struct pt_buf kept = { 0 };

	if (!m->drop_ids || strcmp(name, "vfio_pci") != 0 || !opts->data)
		return 0;
	for (const char *w = opts->data; *w;) {
		size_t n;

		w += strspn(w, " ");
		n = strcspn(w, " ");
		if (!n)
			break;
		if (is_ids_word(w, n))
			pt_snprintf(m->ids_dropped, sizeof(m->ids_dropped), "%.*s (from %s)", (int)n, w,
				    m->ids_src[0] ? m->ids_src : "modprobe.d");
		else
			pt_buf_printf(&kept, "%s%.*s", kept.len ? " " : "", (int)n, w);
		w += n;
	}
	pt_buf_free(opts);
	*opts = kept;
	return kept.err;
}

void pt_modload_drop_vfio_ids(struct pt_modload *m, bool on)
{
	m->drop_ids = on;
}

const char *pt_modload_dropped_ids(const struct pt_modload *m)
{
	return m->ids_dropped[0] ? m->ids_dropped : NULL;
}

static bool is_loaded(const struct pt_modload *m, const char *name)
{
	char path[PT_NAME_MAX + 32];

	if (m->rootfd < 0 || pt_pathf(path, sizeof(path), "sys/module/%s/initstate", name) < 0)
		return false;
	return pt_exists(m->rootfd, path);
}

static bool visited(struct pt_modload *m, const char *name)
{
	for (size_t i = 0; i < m->nvisited; i++)
		if (strcmp(m->visited[i], name) == 0)
			return true;
	if (m->nvisited < MAX_VISITED)
		pt_snprintf(m->visited[m->nvisited++], PT_NAME_MAX, "%s", name);
	return false;
}

static int probe(struct pt_modload *m, struct pt_kernel *k, const char *name, int depth,
		 struct pt_modload_stats *st);

/* softdep lines: "pre: a b post: c d" for this module; probe one side. */
static void probe_softdeps(struct pt_modload *m, struct pt_kernel *k, const char *name, const char *side,
			   int depth, struct pt_modload_stats *st)
{
	struct pt_buf sd = { 0 };
	char *save, *tok;
	bool on = false;

	conf_collect(m, "softdep", name, &sd);
	if (!sd.data)
		return;
	for (tok = strtok_r(sd.data, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (strcmp(tok, "pre:") == 0 || strcmp(tok, "post:") == 0) {
			on = strncmp(tok, side, strlen(side)) == 0;
			continue;
		}
		if (on) {
			char dep[PT_NAME_MAX];

			pt_snprintf(dep, sizeof(dep), "%s", tok);
			normalize(dep);
			(void)probe(m, k, dep, depth + 1, st); /* missing softdeps are fine */
		}
	}
	pt_buf_free(&sd);
}

static int load_path(struct pt_modload *m, struct pt_kernel *k, const char *rel, const char *name,
		     struct pt_modload_stats *st)
{
	struct pt_buf opts = { 0 };
	char path[512];
	size_t l = strlen(rel);
	int fd, r, flags = 0;

	if (l > 3 && strcmp(rel + l - 3, ".ko") != 0) {
		char comp[64];

		/* Compressed: only if the kernel inflates it itself (6.2+ with
		 * CONFIG_MODULE_DECOMPRESS shows sys/module/compression). */
		static const char *const ext[][2] = { { "zstd", ".zst" },
						      { "xz", ".xz" },
						      { "gzip", ".gz" } };
		bool ok = false;

		if (pt_read_attr(m->rootfd, "sys/module/compression", comp, sizeof(comp)) > 0)
			for (size_t i = 0; i < ARRAY_SIZE(ext); i++)
				ok |= strcmp(comp, ext[i][0]) == 0 && l >= strlen(ext[i][1]) &&
				      strcmp(rel + l - strlen(ext[i][1]), ext[i][1]) == 0;
		if (!ok && !m->plan)
			return -ENOTSUP;
		flags = MODULE_INIT_COMPRESSED_FILE;
	}
	if (m->plan) {
		conf_collect(m, "options", name, &opts);
		r = opts.err ? opts.err : drop_ids(m, name, &opts);
		r = r ? r : m->plan(m->plan_data, rel, opts.data ? opts.data : "");
		pt_buf_free(&opts);
		if (r == 0)
			st->loaded++;
		return r;
	}
	r = pt_pathf(path, sizeof(path), "%s/%s", m->kdir, rel);
	if (r < 0)
		return r;
	fd = openat(m->rootfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	conf_collect(m, "options", name, &opts);
	r = opts.err ? opts.err : drop_ids(m, name, &opts);
	r = r ? r : pt_kernel_load_module(k, fd, opts.data ? opts.data : "", flags);
	close(fd);
	pt_buf_free(&opts);
	if (r == -EEXIST) {
		st->present++;
		return 0;
	}
	if (r == 0)
		st->loaded++;
	return r;
}

struct dep {
	const char *p; /* a path in modules.dep, not NUL-terminated */
	size_t len;
};

/* The modules.dep line of a module: its own path (*ret_path, up to the colon) and its
 * dependencies, in depmod's order. */
static int parse_dep_line(const char *line, struct dep *ret_path, struct dep *deps, size_t max, size_t *ret_n)
{
	const char *end = line + strcspn(line, "\n"), *colon;
	size_t n = 0;

	colon = memchr(line, ':', (size_t)(end - line));
	if (!colon)
		return -EINVAL;
	for (const char *p = colon + 1; p < end;) {
		size_t l;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		l = strcspn(p, " \t\n");
		if (p + l > end)
			l = (size_t)(end - p);
		if (l == 0)
			break;
		if (n == max)
			return -E2BIG;
		deps[n++] = (struct dep){ p, l };
		p += l;
	}
	*ret_path = (struct dep){ line, (size_t)(colon - line) };
	*ret_n = n;
	return 0;
}

/* Built in, loaded already, or only modprobe's (an install command): 1 when done with it,
 * 0 to load it, -ENOTSUP for modprobe. */
static int already(struct pt_modload *m, const char *name, struct pt_modload_stats *st)
{
	struct pt_buf inst = { 0 };
	int r;

	if (visited(m, name))
		return 1;
	if (m->builtin && find_line(m->builtin, name)) {
		st->builtin++;
		return 1;
	}
	if (is_loaded(m, name)) {
		st->present++;
		return 1;
	}
	conf_collect(m, "install", name, &inst);
	r = inst.len ? -ENOTSUP : 0;
	pt_buf_free(&inst);
	return r;
}

static int probe(struct pt_modload *m, struct pt_kernel *k, const char *name, int depth,
		 struct pt_modload_stats *st)
{
	struct dep self, deps[64];
	const char *line;
	char rel[256];
	size_t ndeps = 0;
	int r;

	if (depth > MAX_DEPTH)
		return -ELOOP;
	r = already(m, name, st);
	if (r != 0)
		return r > 0 ? 0 : r;
	line = find_line(m->dep, name);
	if (!line)
		return -ENOENT;
	r = parse_dep_line(line, &self, deps, ARRAY_SIZE(deps), &ndeps);
	if (r < 0)
		return r;
	if (self.len >= sizeof(rel))
		return -ENAMETOOLONG;
	memcpy(rel, self.p, self.len);
	rel[self.len] = '\0';
	probe_softdeps(m, k, name, "pre:", depth, st);
	/* depmod lists dependencies so that loading from last to first works */
	for (size_t i = ndeps; i-- > 0;) {
		char dn[PT_NAME_MAX];

		if (path_to_name(deps[i].p, deps[i].len, dn, sizeof(dn)) < 0)
			continue;
		r = probe(m, k, dn, depth + 1, st);
		if (r < 0)
			return r;
	}
	r = load_path(m, k, rel, name, st);
	if (r < 0) {
		if (!st->first_error[0])
			pt_snprintf(st->first_error, sizeof(st->first_error), "%s: %s", rel, strerror(-r));
		return r;
	}
	probe_softdeps(m, k, name, "post:", depth, st);
	return 0;
}

int pt_modload_probe(struct pt_modload *m, struct pt_kernel *k, const char *name,
		     struct pt_modload_stats *stats)
{
	char n[PT_NAME_MAX];

	pt_snprintf(n, sizeof(n), "%s", name);
	normalize(n);
	m->nvisited = 0;
	return probe(m, k, n, 0, stats);
}

int pt_modload_exec_modprobe(const char *name)
{
	static const char *const paths[] = { "/usr/sbin/modprobe", "/sbin/modprobe", "/usr/bin/modprobe",
					     "/bin/modprobe" };
	int status;
	pid_t pid;

	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		if (access(paths[i], X_OK) < 0)
			continue;
		pid = fork();
		if (pid < 0)
			return -errno;
		if (pid == 0) {
			execl(paths[i], "modprobe", "-q", name, (char *)NULL);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) < 0)
			return -errno;
		return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
	}
	return -ENOENT;
}

static bool have_driver(int rootfd, const char *drv)
{
	char path[64 + PT_NAME_MAX];

	return pt_pathf(path, sizeof(path), "sys/bus/pci/drivers/%s", drv) >= 0 && pt_exists(rootfd, path);
}

int pt_driver_load(int rootfd, struct pt_kernel *k, const char *kver, const char *cmdline, const char *drv,
		   bool live, struct pt_driver_load *ret)
{
	struct pt_modload *m = NULL;
	uint64_t t = pt_now_us();
	int r;

	*ret = (struct pt_driver_load){ .how = "present" };
	if (have_driver(rootfd, drv))
		return 0;
	r = pt_modload_new(rootfd, kver, cmdline, &m);
	if (r < 0 || !m) {
		r = r < 0 ? r : -EINVAL;
		pt_snprintf(ret->why, sizeof(ret->why), "cannot read the module index of %s: %s",
			    kver ? kver : "this kernel", strerror(-r));
		goto out;
	}
	{ /* a pt.devices= boot: the selection decides what vfio-pci takes, not ids= */
		struct pt_opts o;

		if (cmdline && pt_opts_parse(cmdline, &o) == 0) {
			pt_modload_drop_vfio_ids(m, o.devices && o.devices[0] && !o.ids_keep);
			pt_opts_free(&o);
		}
	}
	r = pt_modload_probe(m, k, drv, &ret->st);
	if (pt_modload_dropped_ids(m))
		pt_snprintf(ret->ids_ignored, sizeof(ret->ids_ignored), "%s", pt_modload_dropped_ids(m));
	pt_modload_free(m);
	ret->probed = true;
	if (r == -ENOTSUP && live) {
		/* an install command, or a compressed module the kernel can't inflate */
		ret->how = "modprobe";
		r = pt_modload_exec_modprobe(drv);
		if (r < 0)
			pt_snprintf(ret->why, sizeof(ret->why), "modprobe %s failed: %s", drv, strerror(-r));
	} else if (r < 0) {
		pt_snprintf(ret->why, sizeof(ret->why), "loading %s failed: %s", drv,
			    ret->st.first_error[0] ? ret->st.first_error : strerror(-r));
	} else if (ret->st.loaded) {
		ret->how = "loaded";
	}
	if (r == 0 && !have_driver(rootfd, drv)) {
		pt_snprintf(ret->why, sizeof(ret->why), "%s loaded but registered no PCI driver", drv);
		r = -ENODEV;
	}
out:
	if (r < 0)
		ret->how = "failed";
	ret->us = pt_now_us() - t;
	return r;
}
