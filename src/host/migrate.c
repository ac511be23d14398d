// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ptctl migrate's model: from the leftovers of a manual setup (leftovers.c) to a plan: the
 * functions the guide's vfio-pci.ids= meant on this machine, every line to remove or
 * rewrite (file, line, old, new, why), the initramfs images to make anew. Pure line
 * rewriting (pt_migrate_line) is apart so it can be tested on its own; no file is written.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host.h"

/* ---- one line at a time (pure) -------------------------------------------------------- */

static bool is_vfio_word(const char *w, size_t n)
{
	return n >= 4 && strncmp(w, "vfio", 4) == 0;
}

static bool same_module(const char *a, size_t an, const char *b)
{
	if (an != strlen(b))
		return false;
	for (size_t i = 0; i < an; i++)
		if (a[i] != b[i] && !((a[i] == '-' || a[i] == '_') && (b[i] == '-' || b[i] == '_')))
			return false;
	return true;
}

/* Is the token (n bytes) one of the blank-separated words of args? */
static bool in_args(const char *args, const char *tok, size_t n)
{
	for (const char *a = args; a && *a;) {
		size_t k;

		a += strspn(a, " \t");
		k = strcspn(a, " \t");
		if (k == n && strncmp(a, tok, n) == 0)
			return true;
		a += k;
	}
	return false;
}

/* A command line without the manual setup's arguments: pt_kargs_strip's rules (the leftovers,
 * pt.* keys), and the words the host+passthrough entry's args carry as they are (iommu=pt):
 * only that entry needs them. Order and blanks of the rest kept. */
static int strip_args(const char *value, const char *args, struct pt_buf *out, struct pt_buf *why)
{
	struct pt_buf kept = { 0 }, dropped = { 0 };
	const char *o;
	int r;

	r = pt_kargs_strip(value, args ? args : "", &kept, &dropped);
	if (r < 0)
		goto out;
	for (o = kept.data; *o;) {
		const char *ws = o;
		size_t n;

		o += strspn(o, " \t");
		n = strcspn(o, " \t");
		if (!n) {
			pt_buf_puts(out, ws);
			break;
		}
		if (args && in_args(args, o, n))
			pt_buf_printf(&dropped,
				      "%.*s: the host+passthrough entry sets it; the normal entry "
				      "does without\n",
				      (int)n, o);
		else if (out->len)
			pt_buf_printf(out, "%.*s", (int)(o + n - ws), ws);
		else
			pt_buf_printf(out, "%.*s", (int)(o + n - (ws == kept.data ? ws : o)),
				      ws == kept.data ? ws : o);
		o += n;
	}
	if (!out->data)
		pt_buf_puts(out, "");
	if (why && dropped.len)
		pt_buf_puts(why, dropped.data);
	r = out->err ? out->err : dropped.err;
out:
	pt_buf_free(&kept);
	pt_buf_free(&dropped);
	return r;
}

/* "KEY<sep>VALUE" lines (BLS options) and KEY="VALUE" assignments (default/grub, dracut):
 * value_at/value_len locate the value inside line. */
static int rewrite_value(const char *line, size_t value_at, size_t value_len, const char *args,
			 struct pt_buf *out, struct pt_buf *why)
{
	struct pt_buf v = { 0 };
	char *val = strndup(line + value_at, value_len);
	int r;

	if (!val)
		return -ENOMEM;
	r = strip_args(val, args, &v, why);
	free(val);
	if (r == 0) {
		pt_buf_printf(out, "%.*s%s%s", (int)value_at, line, v.data, line + value_at + value_len);
		r = out->err;
	}
	pt_buf_free(&v);
	return r;
}

/* The quoted (or bare) value after the first '=' of an assignment. */
static int assignment_value(const char *line, size_t *at, size_t *len)
{
	const char *eq = strchr(line, '='), *v, *e;

	if (!eq)
		return -EINVAL;
	v = eq + 1;
	if (*v == '"' || *v == '\'') {
		e = strrchr(v + 1, *v);
		if (!e)
			return -EINVAL;
		*at = (size_t)(v + 1 - line);
		*len = (size_t)(e - v - 1);
	} else {
		*at = (size_t)(v - line);
		*len = strcspn(v, " \t#");
	}
	return 0;
}

static int modprobe_rewrite(const char *line, bool irq_remap, struct pt_buf *out, struct pt_buf *why)
{
	const char *p = line + strspn(line, " \t"), *cmd, *mod;
	size_t cl, ml, kept = 0;
	bool options, softdep;

	cmd = p;
	cl = strcspn(p, " \t");
	p += cl;
	p += strspn(p, " \t");
	mod = p;
	ml = strcspn(p, " \t");
	p += ml;
	options = cl == 7 && strncmp(cmd, "options", 7) == 0;
	softdep = cl == 7 && strncmp(cmd, "softdep", 7) == 0;
	if (!options &&
	    !softdep) /* blacklist, install MOD /bin/false: the whole line (why: the leftover's) */
		return 2;
	pt_buf_printf(out, "%.*s %.*s", (int)cl, cmd, (int)ml, mod);
	if (options) {
		bool vfio_pci = same_module(mod, ml, "vfio-pci");
		bool type1 = same_module(mod, ml, "vfio_iommu_type1");

		while (*(p += strspn(p, " \t"))) {
			size_t n = strcspn(p, " \t"), k = strcspn(p, "= \t");

			if (vfio_pci && k == 3 && strncmp(p, "ids", 3) == 0)
				pt_buf_printf(why, "%.*s: pt.devices= names the functions, guarded\n", (int)n,
					      p);
			else if (vfio_pci && k == 11 && strncmp(p, "disable_vga", 11) == 0)
				pt_buf_printf(why, "%.*s: a part of the manual setup\n", (int)n, p);
			else if (type1 && irq_remap && k == 23 &&
				 strncmp(p, "allow_unsafe_interrupts", 23) == 0)
				pt_buf_printf(why, "%.*s: this IOMMU remaps interrupts\n", (int)n, p);
			else if (p[0] == '#')
				break; /* a comment ends the line */
			else {
				pt_buf_printf(out, " %.*s", (int)n, p);
				kept++;
			}
			p += n;
		}
	} else {
		/* softdep MOD pre: A B post: C: the vfio modules out, empty lists out */
		struct pt_buf list = { 0 };
		size_t inlist = 0;

		while (*(p += strspn(p, " \t"))) {
			size_t n = strcspn(p, " \t");

			if (p[0] == '#')
				break;
			if (n && p[n - 1] == ':') {
				if (inlist)
					pt_buf_puts(out, list.data);
				list.len = 0;
				inlist = 0;
				pt_buf_printf(&list, " %.*s", (int)n, p);
			} else if (is_vfio_word(p, n)) {
				pt_buf_printf(why,
					      "%.*s before %.*s: pt-early binds the selected functions "
					      "before any driver\n",
					      (int)n, p, (int)ml, mod);
			} else {
				pt_buf_printf(&list, " %.*s", (int)n, p);
				inlist++;
				kept++;
			}
			p += n;
		}
		if (inlist)
			pt_buf_puts(out, list.data);
		pt_buf_free(&list);
	}
	if (out->err || why->err)
		return -ENOMEM;
	return kept ? 1 : 2;
}

static int dracut_rewrite(const char *line, const char *args, struct pt_buf *out, struct pt_buf *why)
{
	const char *s = line + strspn(line, " \t");
	size_t k = strcspn(s, "+= \t"), at, len, kept = 0;
	struct pt_buf v = { 0 };
	int r;

	if (assignment_value(line, &at, &len) < 0)
		return 0;
	if (k == 14 && strncmp(s, "kernel_cmdline", 14) == 0) {
		char *val = strndup(line + at, len);

		if (!val)
			return -ENOMEM;
		r = strip_args(val, args, &v, why);
		free(val);
		if (r == 0 && !v.data[strspn(v.data, " \t")])
			r = 2;
		else if (r == 0)
			pt_buf_printf(out, "%.*s%s%s", (int)at, line, v.data, line + at + len);
		pt_buf_free(&v);
		return r < 0 ? r : r == 2 ? 2 : out->err ? -ENOMEM : 1;
	}
	/* force_drivers / add_drivers: the vfio modules out of the list */
	for (const char *p = line + at; p < line + at + len;) {
		size_t n;

		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (p + n > line + at + len)
			n = (size_t)(line + at + len - p);
		if (!n)
			break;
		if (is_vfio_word(p, n)) {
			pt_buf_printf(why,
				      "%.*s: ptboot's initramfs module adds vfio; pt-early loads it for a "
				      "pt.devices= boot only\n",
				      (int)n, p);
		} else {
			pt_buf_printf(&v, "%s%.*s", v.len ? " " : "", (int)n, p);
			kept++;
		}
		p += n;
	}
	if (!kept) {
		pt_buf_free(&v);
		return why->err ? -ENOMEM : 2;
	}
	{
		bool pad = len && line[at] == ' '; /* dracut's " a b " convention */

		pt_buf_printf(out, "%.*s%s%s%s%s", (int)at, line, pad ? " " : "", v.data, pad ? " " : "",
			      line + at + len);
	}
	pt_buf_free(&v);
	return out->err || why->err ? -ENOMEM : 1;
}

int pt_migrate_line(enum pt_migrate_kind kind, const char *line, const char *args, bool irq_remap,
		    struct pt_buf *out, struct pt_buf *why)
{
	size_t at, len;
	int r;

	switch (kind) {
	case PT_MIG_ARGS: r = strip_args(line, args, out, why); break;
	case PT_MIG_BLS: {
		const char *s = line + strspn(line, " \t");

		if (strncmp(s, "options", 7) != 0 || (s[7] != ' ' && s[7] != '\t'))
			return 0;
		at = (size_t)(s + 7 - line);
		at += strspn(line + at, " \t");
		r = rewrite_value(line, at, strlen(line + at), args, out, why);
		break;
	}
	case PT_MIG_DEFAULT_GRUB:
		if (assignment_value(line, &at, &len) < 0)
			return 0;
		r = rewrite_value(line, at, len, args, out, why);
		break;
	case PT_MIG_MODPROBE: return modprobe_rewrite(line, irq_remap, out, why);
	case PT_MIG_DRACUT: return dracut_rewrite(line, args, out, why);
	case PT_MIG_ITOOLS:
		pt_buf_puts(why, "loads vfio early in every boot; ptboot's hook loads it for a pt.devices= "
				 "boot only\n");
		return why->err ? -ENOMEM : 2;
	default: return -EINVAL;
	}
	if (r < 0)
		return r;
	return strcmp(out->data, line) != 0;
}

/* ---- the plan ------------------------------------------------------------------------- */

static int add_id(struct pt_migrate *m, const char *id, size_t n, const char *file, unsigned line)
{
	struct pt_migrate_id *v;
	char where[PT_PATH_MAX + 16];
	size_t i;

	if (n < 9 || id[4] != ':')
		return 0; /* VVVV:DDDD first; a subsystem or class after it is not kept */
	for (i = 0; i < m->nids; i++)
		if (strncasecmp(m->ids[i].id, id, 9) == 0)
			break;
	if (i == m->nids) {
		v = realloc(m->ids, (m->nids + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		m->ids = v;
		v = &m->ids[m->nids++];
		*v = (struct pt_migrate_id){ 0 };
		for (size_t k = 0; k < 9; k++)
			v->id[k] = (char)(id[k] >= 'A' && id[k] <= 'Z' ? id[k] - 'A' + 'a' : id[k]);
	}
	v = &m->ids[i];
	if (line)
		pt_snprintf(where, sizeof(where), "/%s:%u", file, line);
	else
		pt_snprintf(where, sizeof(where), "/%s", file);
	if (!strstr(v->from, where)) {
		size_t fl = strlen(v->from);

		if (fl + strlen(where) + 8 < sizeof(v->from))
			pt_snprintf(v->from + fl, sizeof(v->from) - fl, "%s%s", fl ? ", " : "", where);
		else if (!strstr(v->from, "..."))
			pt_snprintf(v->from + fl, sizeof(v->from) - fl, ", ...");
	}
	return 0;
}

/* The IDs of an ids= list ("1002:744c,1002:ab30:ffffffff:ffffffff"). */
static int add_ids(struct pt_migrate *m, const char *list, const char *file, unsigned line)
{
	for (const char *p = list; *p;) {
		size_t k = strcspn(p, ", \t\"");
		int r = add_id(m, p, k, file, line);

		if (r < 0)
			return r;
		p += k;
		if (!*p || *p == ' ' || *p == '\t' || *p == '"')
			break;
		p++;
	}
	return 0;
}

static int collect_ids(const struct pt_leftovers *l, struct pt_migrate *m)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct pt_leftover *x = &l->v[i];
		const char *t = x->text;
		int r = 0;

		if (strncmp(t, "vfio-pci.ids=", 13) == 0 || strncmp(t, "vfio_pci.ids=", 13) == 0)
			r = add_ids(m, t + 13, x->file, x->line);
		else if (x->line && (strncmp(x->file, "etc/modprobe.d/", 15) == 0 ||
				     strcmp(x->file, "etc/initramfs-tools/modules") == 0)) {
			const char *s = t + strspn(t, " \t");
			size_t skip = strncmp(s, "options", 7) == 0 ? 7 : 0;

			s += skip;
			s += strspn(s, " \t");
			if (strncmp(s, "vfio-pci", 8) != 0 && strncmp(s, "vfio_pci", 8) != 0)
				continue;
			for (const char *w = s + 8; (w = strstr(w, "ids=")); w += 4)
				if (w[-1] == ' ' || w[-1] == '\t') {
					r = add_ids(m, w + 4, x->file, x->line);
					break;
				}
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* What each ID names on this machine, through the selector code every command uses. */
static int resolve_ids(const struct pt_host *h, struct pt_migrate *m)
{
	for (size_t i = 0; i < m->nids; i++) {
		struct pt_migrate_id *v = &m->ids[i];
		struct pt_policy_error pe;
		struct pt_selection s;
		size_t len = 0, first = SIZE_MAX;
		int r = pt_select(&h->sys, v->id, 0, &s, &pe);

		if (r == -EINVAL || r == -E2BIG)
			continue; /* not an ID the selector syntax takes: matches nothing */
		if (r < 0)
			return r;
		for (size_t k = 0; k < s.plan.nitems; k++) {
			const struct pt_item *it = &s.plan.items[k];

			if (it->sel != 0)
				continue;
			if (first == SIZE_MAX)
				first = it->dev;
			v->nmatch++;
			len += (size_t)pt_snprintf(v->slots + len,
						   len < sizeof(v->slots) ? sizeof(v->slots) - len : 0,
						   "%s%s", len ? ", " : "",
						   pt_dev_short_slot(&h->sys.devs[it->dev]));
		}
		if (v->nmatch == 1)
			pt_dev_guarded(&h->sys.devs[first], v->guarded, sizeof(v->guarded));
		pt_selection_free(&s);
	}
	return 0;
}

int pt_migrate_scan(const struct pt_host *h, struct pt_migrate *ret)
{
	struct pt_migrate m = { 0 };
	int r;

	r = pt_leftovers_scan(h, &m.leftovers);
	if (r == 0)
		r = collect_ids(&m.leftovers, &m);
	if (r == 0)
		r = resolve_ids(h, &m);
	if (r < 0) {
		pt_migrate_free(&m);
		return r;
	}
	*ret = m;
	return 0;
}

/* ---- the edits ------------------------------------------------------------------------ */

static struct pt_migrate_file *file_get(struct pt_migrate *m, int rootfd, const char *path, int *err)
{
	struct pt_migrate_file *f;
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	int fd, r;

	for (size_t i = 0; i < m->nfiles; i++)
		if (strcmp(m->files[i].path, path) == 0)
			return &m->files[i];
	fd = pt_open_in(rootfd, path, O_RDONLY, 0);
	if (fd < 0) {
		*err = fd;
		return NULL;
	}
	r = fstat(fd, &st) < 0 ? -errno : 0;
	close(fd);
	if (r == 0)
		r = pt_read_file_in(rootfd, path, 4 << 20, &text, &len);
	if (r < 0) {
		*err = r;
		return NULL;
	}
	f = realloc(m->files, (m->nfiles + 1) * sizeof(*f));
	if (!f) {
		free(text);
		*err = -ENOMEM;
		return NULL;
	}
	m->files = f;
	f = &m->files[m->nfiles++];
	*f = (struct pt_migrate_file){
		.old = text, .oldlen = len, .mode = st.st_mode & 07777, .uid = st.st_uid, .gid = st.st_gid
	};
	pt_snprintf(f->path, sizeof(f->path), "%s", path);
	return f;
}

static bool has_change(const struct pt_migrate_file *f, unsigned line)
{
	for (size_t i = 0; i < f->nchanges; i++)
		if (f->changes[i].line == line)
			return true;
	return false;
}

static int add_change(struct pt_migrate_file *f, unsigned line, const char *old, const char *new,
		      const char *why)
{
	struct pt_migrate_change *c = realloc(f->changes, (f->nchanges + 1) * sizeof(*c));

	if (!c)
		return -ENOMEM;
	f->changes = c;
	c = &f->changes[f->nchanges];
	*c = (struct pt_migrate_change){ .line = line };
	c->old = strdup(old);
	c->new = new ? strdup(new) : NULL;
	c->why = strndup(why ? why : "", why ? strlen(why) - (*why && why[strlen(why) - 1] == '\n') : 0);
	if (!c->old || (new && !c->new) || !c->why) {
		free(c->old);
		free(c->new);
		free(c->why);
		return -ENOMEM;
	}
	f->nchanges++;
	return 0;
}

/* Line n (1-based) of text, without its newline: a malloc'ed copy, NULL when there is none. */
static char *line_of(const char *text, size_t len, unsigned n)
{
	const char *p = text, *end = text + len;

	for (unsigned i = 1; i < n && p < end; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			return NULL;
		p = nl + 1;
	}
	if (p >= end)
		return NULL;
	return strndup(p, strcspn(p, "\n"));
}

static int kind_of(const struct pt_boot *b, const char *path, enum pt_migrate_kind *ret)
{
	size_t el = strlen(b->entries);

	if (el && strncmp(path, b->entries, el) == 0 && path[el] == '/')
		*ret = PT_MIG_BLS;
	else if (strcmp(path, "etc/default/grub") == 0 || strncmp(path, "etc/default/grub.d/", 19) == 0)
		*ret = PT_MIG_DEFAULT_GRUB;
	else if (strcmp(path, "etc/kernel/cmdline") == 0)
		*ret = PT_MIG_ARGS;
	else if (strncmp(path, "etc/modprobe.d/", 15) == 0)
		*ret = PT_MIG_MODPROBE;
	else if (strcmp(path, "etc/dracut.conf") == 0 || strncmp(path, "etc/dracut.conf.d/", 18) == 0)
		*ret = PT_MIG_DRACUT;
	else if (strcmp(path, "etc/initramfs-tools/modules") == 0)
		*ret = PT_MIG_ITOOLS;
	else
		return -ENOENT;
	return 0;
}

static int add_note(struct pt_migrate *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int add_note(struct pt_migrate *m, const char *fmt, ...)
{
	char(*v)[400] = realloc(m->notes, (m->nnotes + 1) * sizeof(*v));
	va_list ap;

	if (!v)
		return -ENOMEM;
	m->notes = v;
	va_start(ap, fmt);
	pt_vsnprintf(m->notes[m->nnotes], sizeof(*v), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < m->nnotes; i++)
		if (strcmp(m->notes[i], m->notes[m->nnotes]) == 0)
			return 0;
	m->nnotes++;
	return 0;
}

/* A line-oriented file's new text from its changes; removed when nothing but blanks and
 * comments is left of a modprobe.d or dracut.conf.d file (the guide's own files). */
static int file_finish(struct pt_migrate_file *f)
{
	struct pt_buf b = { 0 };
	const char *p = f->old, *end = f->old + f->oldlen;
	bool only_comments = true;
	unsigned n = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const struct pt_migrate_change *c = NULL;
		const char *s;

		n++;
		for (size_t i = 0; i < f->nchanges; i++)
			if (f->changes[i].line == n)
				c = &f->changes[i];
		if (!c) {
			pt_buf_printf(&b, "%.*s%s", (int)len, p, nl ? "\n" : "");
			s = p + strspn(p, " \t");
			if (s < p + len && *s != '#' && *s != '\n')
				only_comments = false;
		} else if (c->new) {
			pt_buf_printf(&b, "%s%s", c->new, nl ? "\n" : "");
			only_comments = false;
		}
		p += len + (nl ? 1 : 0);
	}
	if (b.err)
		return b.err;
	f->remove = only_comments && (strncmp(f->path, "etc/modprobe.d/", 15) == 0 ||
				      strncmp(f->path, "etc/dracut.conf.d/", 18) == 0);
	if (f->remove) {
		pt_buf_free(&b);
		return 0;
	}
	f->new = b.data ? b.data : strdup("");
	f->newlen = b.len;
	return f->new ? 0 : -ENOMEM;
}

static int edit_grubenv(const struct pt_host *h, struct pt_migrate *m, const struct pt_leftover *x,
			const char *args)
{
	struct pt_migrate_file *f;
	struct pt_buf v = { 0 }, why = { 0 }, out = { 0 };
	char val[1024], old[1100], new[1100];
	int r = 0;

	f = file_get(m, h->sys.rootfd, x->file, &r);
	if (!f)
		return r == -ENOMEM ? r : 0;
	if (f->nchanges || pt_grubenv_get(f->old, f->oldlen, "kernelopts", val, sizeof(val)) <= 0)
		return 0;
	r = strip_args(val, args, &v, &why);
	if (r == 0)
		r = pt_grubenv_set(f->old, f->oldlen, "kernelopts", v.data, &out);
	if (r == 0) {
		pt_snprintf(old, sizeof(old), "kernelopts=%s", val);
		pt_snprintf(new, sizeof(new), "kernelopts=%s", v.data);
		r = add_change(f, x->line, old, new, why.data);
	}
	if (r == 0) {
		f->new = out.data;
		f->newlen = out.len;
		out.data = NULL;
	}
	pt_buf_free(&out);
	pt_buf_free(&v);
	pt_buf_free(&why);
	return r;
}

static int add_kernel(struct pt_migrate *m, const char *kver, const char *image, const char *cmd)
{
	struct pt_migrate_kernel *k;

	for (size_t i = 0; i < m->nkernels; i++)
		if (strcmp(m->kernels[i].kver, kver) == 0)
			return 0;
	k = realloc(m->kernels, (m->nkernels + 1) * sizeof(*k));
	if (!k)
		return -ENOMEM;
	m->kernels = k;
	k = &m->kernels[m->nkernels++];
	pt_snprintf(k->kver, sizeof(k->kver), "%s", kver);
	pt_snprintf(k->image, sizeof(k->image), "%s", image);
	pt_snprintf(k->cmd, sizeof(k->cmd), "%s", cmd);
	return 0;
}

/* The initramfs images (and UKIs) a leftover is in or was copied into: made anew. */
static int plan_kernels(const struct pt_host *h, struct pt_migrate *m)
{
	char(*k)[64] = NULL;
	size_t n = 0;
	int r = 0;

	if (pt_kernels_list(h->sys.rootfd, &k, &n) < 0)
		return 0;
	for (size_t i = 0; r == 0 && i < n; i++) {
		char path[PT_PATH_MAX], cmd[192];

		if (pt_initramfs_path(h->sys.rootfd, k[i], path, sizeof(path)) < 0)
			continue;
		for (size_t j = 0; j < m->leftovers.n; j++)
			if (strcmp(m->leftovers.v[j].file, path) == 0) {
				pt_leftover_rebuild(path, k[i], cmd, sizeof(cmd));
				r = add_kernel(m, k[i], path, cmd);
				break;
			}
	}
	free(k);
	return r;
}

int pt_migrate_edits(const struct pt_host *h, const char *args, struct pt_migrate *m)
{
	const bool remap = pt_host_irq_remap(h) == 1;
	struct pt_boot b = { 0 };
	char gcfg[PT_PATH_MAX] = "", genv[PT_PATH_MAX] = "";
	int r = 0;

	pt_boot_detect(h->sys.rootfd, &b);
	if (b.grubdir[0]) {
		pt_snprintf(gcfg, sizeof(gcfg), "%s/grub.cfg", b.grubdir);
		pt_snprintf(genv, sizeof(genv), "%s/grubenv", b.grubdir);
	}
	for (size_t i = 0; r == 0 && i < m->leftovers.n; i++) {
		const struct pt_leftover *x = &m->leftovers.v[i];
		struct pt_buf out = { 0 }, why = { 0 };
		struct pt_migrate_file *f;
		enum pt_migrate_kind kind;
		char *old;
		int w;

		if (gcfg[0] && strcmp(x->file, gcfg) == 0) {
			/* grub.cfg is made from etc/default/grub and grub.d: made anew */
			pt_snprintf(m->regenerate, sizeof(m->regenerate), "%s", b.mkconfig);
			continue;
		}
		if (genv[0] && strcmp(x->file, genv) == 0) {
			r = edit_grubenv(h, m, x, args);
			continue;
		}
		if (!x->line) { /* an initramfs or a UKI: plan_kernels */
			continue;
		}
		if (kind_of(&b, x->file, &kind) < 0) {
			r = add_note(m, "/%s:%u: %s: not changed by ptctl migrate; %s", x->file, x->line,
				     x->text, x->fix);
			continue;
		}
		f = file_get(m, h->sys.rootfd, x->file, &r);
		if (!f) {
			if (r != -ENOMEM)
				r = add_note(m, "/%s: cannot read it (%s): not changed", x->file,
					     pt_strerror(r));
			continue;
		}
		if (has_change(f, x->line))
			continue;
		old = line_of(f->old, f->oldlen, x->line);
		if (!old)
			continue;
		w = pt_migrate_line(kind, old, args, remap, &out, &why);
		if (w < 0)
			r = w;
		else if (w > 0)
			r = add_change(f, x->line, old, w == 2 ? NULL : out.data,
				       why.len ? why.data : x->why);
		free(old);
		pt_buf_free(&out);
		pt_buf_free(&why);
	}
	if (r == 0 && b.loader == PT_LOADER_GRUB) /* etc/default/grub changed: grub.cfg made anew */
		for (size_t i = 0; i < m->nfiles; i++)
			if (strncmp(m->files[i].path, "etc/default/grub", 16) == 0 && m->files[i].nchanges)
				pt_snprintf(m->regenerate, sizeof(m->regenerate), "%s", b.mkconfig);
	for (size_t i = 0; r == 0 && i < m->nfiles; i++)
		if (!m->files[i].new)
			r = file_finish(&m->files[i]);
	if (r == 0)
		r = plan_kernels(h, m);
	return r;
}

bool pt_migrate_empty(const struct pt_migrate *m)
{
	return !m->nids && !m->nfiles && !m->nkernels && !m->regenerate[0];
}

void pt_migrate_free(struct pt_migrate *m)
{
	for (size_t i = 0; i < m->nfiles; i++) {
		struct pt_migrate_file *f = &m->files[i];

		for (size_t k = 0; k < f->nchanges; k++) {
			free(f->changes[k].old);
			free(f->changes[k].new);
			free(f->changes[k].why);
		}
		free(f->changes);
		free(f->old);
		free(f->new);
	}
	free(m->files);
	free(m->ids);
	free(m->kernels);
	free(m->notes);
	pt_leftovers_free(&m->leftovers);
	*m = (struct pt_migrate){ 0 };
}

/* ---- sha256 (FIPS 180-4), for the backup's manifest ------------------------------------- */

static const uint32_t K256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, k;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
		       p[4 * i + 3];
	for (int i = 16; i < 64; i++)
		w[i] = w[i - 16] + (ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3)) + w[i - 7] +
		       (ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10));
	a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = k + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] +
			      w[i];
		uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));

		k = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

void pt_sha256_hex(const void *data, size_t len, char out[65])
{
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	const unsigned char *p = data;
	unsigned char tail[128] = { 0 };
	size_t full = len / 64 * 64, rest = len - full, tl;
	uint64_t bits = (uint64_t)len * 8;

	for (size_t i = 0; i < full; i += 64)
		sha256_block(h, p + i);
	if (rest)
		memcpy(tail, p + full, rest);
	tail[rest] = 0x80;
	tl = rest < 56 ? 64 : 128;
	for (int i = 0; i < 8; i++)
		tail[tl - 1 - i] = (unsigned char)(bits >> (8 * i));
	for (size_t i = 0; i < tl; i += 64)
		sha256_block(h, tail + i);
	for (int i = 0; i < 8; i++)
		pt_snprintf(out + 8 * i, 9, "%08x", h[i]);
}
