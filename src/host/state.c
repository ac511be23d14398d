// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pt-early's state report (/run/ptboot/state.json) read back for ptctl status: a small
 * strict JSON reader (RFC 8259, nesting-limited) and the report's fields; and the journal
 * of what ptctl bind/unbind changed at runtime (run/ptboot/runtime.log).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"

/* ---- JSON: a tree of values ------------------------------------------------------------- */

enum jtype {
	J_NULL,
	J_BOOL,
	J_NUM,
	J_STR,
	J_ARR,
	J_OBJ
};

struct jval {
	enum jtype t;
	bool b;
	uint64_t num; /* non-negative integers only: all the report has */
	bool num_ok;
	char *s;	/* strings; object member names in keys[] */
	struct jval *v; /* array items / object values */
	char **keys;
	size_t n;
};

struct jp {
	const char *p, *start;
	int depth;
};

static void jfree(struct jval *j)
{
	for (size_t i = 0; i < j->n; i++) {
		jfree(&j->v[i]);
		if (j->keys)
			free(j->keys[i]);
	}
	free(j->v);
	free(j->keys);
	free(j->s);
	*j = (struct jval){ 0 };
}

static void ws(struct jp *p)
{
	while (*p->p == ' ' || *p->p == '\t' || *p->p == '\n' || *p->p == '\r')
		p->p++;
}

static int put_utf8(struct pt_buf *b, uint32_t c)
{
	if (c < 0x80) {
		pt_buf_printf(b, "%c", (char)c);
	} else if (c < 0x800) {
		pt_buf_printf(b, "%c%c", (char)(0xc0 | c >> 6), (char)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		pt_buf_printf(b, "%c%c%c", (char)(0xe0 | c >> 12), (char)(0x80 | ((c >> 6) & 0x3f)),
			      (char)(0x80 | (c & 0x3f)));
	} else {
		pt_buf_printf(b, "%c%c%c%c", (char)(0xf0 | c >> 18), (char)(0x80 | ((c >> 12) & 0x3f)),
			      (char)(0x80 | ((c >> 6) & 0x3f)), (char)(0x80 | (c & 0x3f)));
	}
	return b->err;
}

static int hex4(const char *s, uint32_t *ret)
{
	for (int i = 0; i < 4; i++)
		if (!s[i])
			return -EINVAL;
	return pt_parse_hex(s, 4, 0xffff, ret);
}

static int jstring(struct jp *p, char **ret)
{
	struct pt_buf b = { 0 };

	if (*p->p != '"')
		return -EINVAL;
	p->p++;
	pt_buf_puts(&b, "");
	while (*p->p != '"') {
		unsigned char c = (unsigned char)*p->p;

		if (c == '\0' || c < 0x20)
			goto bad;
		if (c != '\\') {
			pt_buf_printf(&b, "%c", (char)c);
			p->p++;
			continue;
		}
		p->p++;
		switch (*p->p) {
		case '"':
		case '\\':
		case '/': pt_buf_printf(&b, "%c", *p->p); break;
		case 'b': pt_buf_puts(&b, "\b"); break;
		case 'f': pt_buf_puts(&b, "\f"); break;
		case 'n': pt_buf_puts(&b, "\n"); break;
		case 'r': pt_buf_puts(&b, "\r"); break;
		case 't': pt_buf_puts(&b, "\t"); break;
		case 'u': {
			uint32_t u, lo;

			if (hex4(p->p + 1, &u) < 0)
				goto bad;
			p->p += 4;
			if (u >= 0xd800 && u < 0xdc00 && p->p[1] == '\\' && p->p[2] == 'u' &&
			    hex4(p->p + 3, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
				p->p += 6;
			}
			put_utf8(&b, u);
			break;
		}
		default: goto bad;
		}
		p->p++;
	}
	p->p++;
	if (b.err)
		goto bad;
	*ret = b.data;
	return 0;
bad:
	pt_buf_free(&b);
	return b.err ? b.err : -EINVAL;
}

static int jvalue(struct jp *p, struct jval *ret);

static int jcontainer(struct jp *p, struct jval *j, char close)
{
	int r;

	p->p++;
	ws(p);
	if (*p->p == close) {
		p->p++;
		return 0;
	}
	for (;;) {
		struct jval *nv;
		char *key = NULL;

		ws(p);
		if (close == '}') {
			r = jstring(p, &key);
			if (r < 0)
				return r;
			ws(p);
			if (*p->p != ':') {
				free(key);
				return -EINVAL;
			}
			p->p++;
			char **nk = realloc(j->keys, (j->n + 1) * sizeof(*nk));

			if (!nk) {
				free(key);
				return -ENOMEM;
			}
			j->keys = nk;
			j->keys[j->n] = key;
		}
		nv = realloc(j->v, (j->n + 1) * sizeof(*nv));
		if (!nv) {
			if (close == '}')
				free(key);
			return -ENOMEM;
		}
		j->v = nv;
		j->v[j->n] = (struct jval){ 0 };
		j->n++;
		r = jvalue(p, &j->v[j->n - 1]);
		if (r < 0)
			return r;
		ws(p);
		if (*p->p == ',') {
			p->p++;
			continue;
		}
		if (*p->p != close)
			return -EINVAL;
		p->p++;
		return 0;
	}
}

static int jvalue(struct jp *p, struct jval *j)
{
	int r;

	ws(p);
	*j = (struct jval){ 0 };
	if (++p->depth > 32)
		return -EINVAL;
	switch (*p->p) {
	case '{':
	case '[':
		j->t = *p->p == '{' ? J_OBJ : J_ARR;
		r = jcontainer(p, j, *p->p == '{' ? '}' : ']');
		if (r < 0)
			return r;
		break;
	case '"':
		j->t = J_STR;
		if (jstring(p, &j->s) < 0)
			return -EINVAL;
		break;
	default:
		if (strncmp(p->p, "null", 4) == 0) {
			p->p += 4;
		} else if (strncmp(p->p, "true", 4) == 0) {
			j->t = J_BOOL;
			j->b = true;
			p->p += 4;
		} else if (strncmp(p->p, "false", 5) == 0) {
			j->t = J_BOOL;
			p->p += 5;
		} else if (*p->p == '-' || (*p->p >= '0' && *p->p <= '9')) {
			const char *s = p->p;

			j->t = J_NUM;
			if (*p->p == '-')
				p->p++;
			if (*p->p < '0' || *p->p > '9')
				return -EINVAL;
			j->num_ok = *s != '-';
			while (*p->p >= '0' && *p->p <= '9') {
				j->num = j->num * 10 + (uint64_t)(*p->p - '0');
				p->p++;
			}
			if (*p->p == '.' || *p->p == 'e' || *p->p == 'E') {
				j->num_ok = false;
				p->p++;
				while ((*p->p >= '0' && *p->p <= '9') || *p->p == '+' || *p->p == '-' ||
				       *p->p == 'e' || *p->p == 'E')
					p->p++;
			}
		} else {
			return -EINVAL;
		}
	}
	p->depth--;
	return 0;
}

static const struct jval *member(const struct jval *o, const char *key)
{
	if (!o || o->t != J_OBJ)
		return NULL;
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->keys[i], key) == 0)
			return &o->v[i];
	return NULL;
}

static void get_str(const struct jval *o, const char *key, char *buf, size_t size)
{
	const struct jval *v = member(o, key);

	pt_snprintf(buf, size, "%s", v && v->t == J_STR ? v->s : "");
}

static bool get_bool(const struct jval *o, const char *key, bool *has)
{
	const struct jval *v = member(o, key);

	if (has)
		*has = v && v->t == J_BOOL;
	return v && v->t == J_BOOL && v->b;
}

static uint64_t get_num(const struct jval *o, const char *key)
{
	const struct jval *v = member(o, key);

	return v && v->t == J_NUM && v->num_ok ? v->num : 0;
}

static int get_lines(const struct jval *o, const char *key, char (**ret)[256], size_t *ret_n)
{
	const struct jval *a = member(o, key);
	char(*v)[256];

	*ret = NULL;
	*ret_n = 0;
	if (!a || a->t != J_ARR || !a->n)
		return 0;
	v = calloc(a->n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < a->n; i++)
		pt_snprintf(v[i], sizeof(v[i]), "%s", a->v[i].t == J_STR ? a->v[i].s : "");
	*ret = v;
	*ret_n = a->n;
	return 0;
}

int pt_state_parse(const char *text, struct pt_state *ret, size_t *ret_off)
{
	struct jp p = { .p = text, .start = text };
	struct pt_state st = { 0 };
	const struct jval *devs;
	struct jval root;
	int r;

	r = jvalue(&p, &root);
	if (r == 0) {
		ws(&p);
		if (*p.p)
			r = -EINVAL;
	}
	if (r == 0 && (root.t != J_OBJ || get_num(&root, "version") != 1 || !member(&root, "devices")))
		r = -EINVAL;
	if (r < 0) {
		if (ret_off)
			*ret_off = (size_t)(p.p - p.start);
		jfree(&root);
		return r;
	}
	get_str(&root, "tool", st.tool, sizeof(st.tool));
	get_str(&root, "policy", st.policy, sizeof(st.policy));
	get_str(&root, "kernel", st.kernel, sizeof(st.kernel));
	get_str(&root, "modules", st.modules, sizeof(st.modules));
	st.off = get_bool(&root, "off", NULL);
	st.dry_run = get_bool(&root, "dry_run", NULL);
	st.iommu = get_bool(&root, "iommu", &st.has_iommu);
	st.modules_us = get_num(&root, "modules_us");
	st.elapsed_us = get_num(&root, "elapsed_us");
	r = get_lines(&root, "errors", &st.errors, &st.nerrors);
	if (r == 0)
		r = get_lines(&root, "warnings", &st.warnings, &st.nwarnings);
	devs = member(&root, "devices");
	if (r == 0 && devs->t == J_ARR && devs->n) {
		st.devs = calloc(devs->n, sizeof(*st.devs));
		if (!st.devs)
			r = -ENOMEM;
		for (size_t i = 0; r == 0 && i < devs->n; i++) {
			const struct jval *d = &devs->v[i];
			struct pt_state_dev *sd = &st.devs[st.ndevs];
			const struct jval *g = member(d, "group");
			char hex[16];
			uint32_t x;

			if (d->t != J_OBJ)
				continue;
			get_str(d, "slot", sd->slot, sizeof(sd->slot));
			get_str(d, "vendor", hex, sizeof(hex));
			sd->vendor = pt_parse_hex(hex, strlen(hex), 0xffff, &x) == 0 ? x : 0;
			get_str(d, "device", hex, sizeof(hex));
			sd->device = pt_parse_hex(hex, strlen(hex), 0xffff, &x) == 0 ? x : 0;
			sd->group = g && g->t == J_NUM && g->num_ok ? (int)g->num : -1;
			get_str(d, "selector", sd->selector, sizeof(sd->selector));
			get_str(d, "action", sd->action, sizeof(sd->action));
			get_str(d, "result", sd->result, sizeof(sd->result));
			get_str(d, "driver_before", sd->driver_before, sizeof(sd->driver_before));
			get_str(d, "driver_after", sd->driver_after, sizeof(sd->driver_after));
			get_str(d, "reason", sd->reason, sizeof(sd->reason));
			if (sd->slot[0])
				st.ndevs++;
		}
	}
	jfree(&root);
	if (r < 0) {
		pt_state_free(&st);
		return r;
	}
	*ret = st;
	return 0;
}

void pt_state_free(struct pt_state *st)
{
	free(st->errors);
	free(st->warnings);
	free(st->devs);
	*st = (struct pt_state){ 0 };
}

/* ---- the runtime journal ------------------------------------------------------------------ */

int pt_runtime_log_append(int rootfd, uint64_t epoch, const char *action, const struct pt_dev *d,
			  const char *from, const char *to)
{
	char line[256];
	ssize_t w;
	int fd, n, r;

	r = pt_mkdir_p(rootfd, "run/ptboot", 0755);
	if (r < 0)
		return r;
	n = pt_snprintf(line, sizeof(line), "%llu %s %s %04x:%04x %s %s\n", (unsigned long long)epoch, action,
			d->slot, d->vendor, d->device, from && from[0] ? from : "-", to && to[0] ? to : "-");
	fd = pt_open_in(rootfd, PT_RUNTIME_LOG, O_WRONLY | O_APPEND | O_CREAT, 0644);
	if (fd < 0)
		return fd;
	/* one write() of a short line under O_APPEND: concurrent ptctl runs don't interleave */
	w = write(fd, line, (size_t)n);
	r = w < 0 ? -errno : w != n ? -EIO : 0;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

int pt_runtime_log_parse(const char *text, pt_runtime_fn fn, void *data)
{
	const char *l = text;
	int r = 0;

	while (*l && r == 0) {
		size_t n = strcspn(l, "\n");
		struct pt_runtime_entry e = { 0 };
		char line[512];
		unsigned long long epoch;

		if (n < sizeof(line)) {
			memcpy(line, l, n);
			line[n] = '\0';
			if (sscanf(line, "%llu %15s %23s %15s %63s %63s", &epoch, e.action, e.slot, e.ids,
				   e.from, e.to) == 6) {
				e.epoch = epoch;
				r = fn(data, &e);
			}
		}
		l += n + (l[n] == '\n');
	}
	return r;
}
