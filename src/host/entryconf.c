// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * etc/ptboot/entry.conf: the selection and arguments of the host+passthrough entry, as
 * shell-sourceable NAME='value' lines that /etc/grub.d/42_ptboot and the kernel-install
 * plugin read.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

static const struct {
	const char *name;
	size_t off, size;
} conf_keys[] = {
#define K(n, f)                                                                                              \
	{                                                                                                    \
		n, offsetof(struct pt_entry_conf, f), sizeof(((struct pt_entry_conf *)0)->f)                 \
	}
	K("PTBOOT_ARGS", args),
	K("PTBOOT_TITLE", title),
	K("PTBOOT_POLICY", policy),
	K("PTBOOT_WINDOWS_UUID", windows_uuid),
	K("PTBOOT_WINDOWS_SLOT", windows_slot),
	K("PTBOOT_EXTRA_ARGS", extra),
#undef K
};

int pt_conf_vars(const char *text, size_t len, pt_conf_var_fn fn, void *data)
{
	size_t i = 0;

	while (i < len) {
		const char *l = text + i, *nl = memchr(l, '\n', len - i), *eq, *v, *e;
		size_t n = nl ? (size_t)(nl - l) : len - i;
		int r;

		i += n + 1;
		while (n && (l[0] == ' ' || l[0] == '\t')) {
			l++;
			n--;
		}
		if (n == 0 || l[0] == '#')
			continue;
		eq = memchr(l, '=', n);
		if (!eq || eq == l)
			return -EINVAL;
		v = eq + 1;
		e = l + n;
		while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (e - v >= 2 && v[0] == '\'' && e[-1] == '\'') {
			v++;
			e--;
			if (memchr(v, '\'', (size_t)(e - v)))
				return -EINVAL;
		} else if (memchr(v, '\'', (size_t)(e - v)) || memchr(v, '"', (size_t)(e - v)) ||
			   memchr(v, '$', (size_t)(e - v)) || memchr(v, ' ', (size_t)(e - v))) {
			return -EINVAL;
		}
		/* what pt_entry_conf_format refuses to write, parse refuses to read
		 * (found by fuzz-entryconf: a NUL byte inside a value) */
		for (const char *p = v; p < e; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
				return -EINVAL;
		r = fn(data, l, (size_t)(eq - l), v, (size_t)(e - v));
		if (r < 0)
			return r;
	}
	return 0;
}

static int conf_var(void *data, const char *name, size_t nlen, const char *value, size_t vlen)
{
	struct pt_entry_conf *c = data;

	for (size_t k = 0; k < ARRAY_SIZE(conf_keys); k++) {
		char *field = (char *)c + conf_keys[k].off;

		if (strlen(conf_keys[k].name) != nlen || memcmp(conf_keys[k].name, name, nlen))
			continue;
		if (vlen >= conf_keys[k].size)
			return -E2BIG;
		memcpy(field, value, vlen);
		field[vlen] = '\0';
	}
	return 0;
}

int pt_entry_conf_parse(const char *text, size_t len, struct pt_entry_conf *ret)
{
	struct pt_entry_conf c = { 0 };
	int r = pt_conf_vars(text, len, conf_var, &c);

	if (r < 0)
		return r;
	*ret = c;
	return 0;
}

/* Inside single quotes a double quote is plain text to the shell: the user's own arguments
 * may hold the kernel's quoted values (foo="a b"). */
static bool conf_value_ok(const char *s, bool dquote)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == '\'' || (*s == '"' && !dquote) || *s == '\\' ||
		    *s == '$' || *s == '`' || *s == 0x7f)
			return false;
	return true;
}

int pt_entry_conf_format(const struct pt_entry_conf *c, struct pt_buf *out)
{
	pt_buf_puts(out, "# ptboot's host+passthrough boot entry, written by \"ptctl entry add\".\n"
			 "# Read by /etc/grub.d/42_ptboot and the kernel-install plugin; change it with\n"
			 "# ptctl entry add/remove, not by hand.\n");
	for (size_t k = 0; k < ARRAY_SIZE(conf_keys); k++) {
		const char *v = (const char *)c + conf_keys[k].off;

		if (!conf_value_ok(v, conf_keys[k].off == offsetof(struct pt_entry_conf, extra)))
			return -EINVAL;
		if (*v || k < 2)
			pt_buf_printf(out, "%s='%s'\n", conf_keys[k].name, v);
	}
	return out->err;
}

int pt_entry_conf_read(int rootfd, struct pt_entry_conf *ret)
{
	char *text = NULL;
	size_t len = 0;
	int r = pt_read_file_in(rootfd, PT_ENTRY_CONF, 1 << 16, &text, &len);

	if (r < 0)
		return r;
	r = pt_entry_conf_parse(text, len, ret);
	free(text);
	return r < 0 ? -EINVAL : 1;
}

int pt_saved_policy(int rootfd, char *buf, size_t size)
{
	struct pt_entry_conf c = { 0 };
	struct pt_opts o = { 0 };
	const char *v;
	int r = pt_entry_conf_read(rootfd, &c);

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	/* the entry's pt.devices= (completed, guarded), else the selection it came from */
	r = pt_opts_parse(c.args, &o);
	if (r < 0)
		return r;
	v = o.devices && o.devices[0] ? o.devices : c.policy;
	r = !v[0] ? 0 : strlen(v) >= size ? -ENAMETOOLONG : 1;
	if (r > 0)
		memcpy(buf, v, strlen(v) + 1);
	pt_opts_free(&o);
	return r;
}
