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

static bool conf_value_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == '\'' || *s == '"' || *s == '\\' || *s == '$' ||
		    *s == '`' || *s == 0x7f)
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

		if (!conf_value_ok(v))
			return -EINVAL;
		if (*v || k < 2)
			pt_buf_printf(out, "%s='%s'\n", conf_keys[k].name, v);
	}
	return out->err;
}
