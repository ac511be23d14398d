// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Kernel command-line tokenizer with the kernel's own rules (next_arg() in
 * kernel/params.c): whitespace separates, double quotes group, quotes around
 * a value are dropped, "--" ends the kernel's part. And the pt.* keys.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ptboot.h"

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static char *skip_spaces(char *s)
{
	while (is_space(*s))
		s++;
	return s;
}

/* A faithful port of the kernel's next_arg(). */
static char *next_arg(char *args, char **param, char **val)
{
	size_t i, equals = 0;
	int in_quote = 0, quoted = 0;
	char *next;

	if (*args == '"') {
		args++;
		in_quote = 1;
		quoted = 1;
	}
	for (i = 0; args[i]; i++) {
		if (is_space(args[i]) && !in_quote)
			break;
		if (equals == 0 && args[i] == '=')
			equals = i;
		if (args[i] == '"')
			in_quote = !in_quote;
	}
	*param = args;
	if (!equals) {
		*val = NULL;
	} else {
		args[equals] = '\0';
		*val = args + equals + 1;
		/* Don't include quotes in value. */
		if (**val == '"') {
			(*val)++;
			if (args[i - 1] == '"')
				args[i - 1] = '\0';
		}
	}
	if (quoted && i > 0 && args[i - 1] == '"')
		args[i - 1] = '\0';
	if (args[i]) {
		args[i] = '\0';
		next = args + i + 1;
	} else {
		next = args + i;
	}
	return skip_spaces(next);
}

int pt_cmdline_foreach(const char *cmdline, pt_cmdline_cb cb, void *data)
{
	char *copy, *args;
	int r = 0;

	copy = strdup(cmdline);
	if (!copy)
		return -ENOMEM;
	args = skip_spaces(copy);
	while (*args) {
		char *param, *val;

		args = next_arg(args, &param, &val);
		if (!val && strcmp(param, "--") == 0)
			break;
		r = cb(param, val, data);
		if (r)
			break;
	}
	free(copy);
	return r < 0 ? r : 0;
}

int pt_parse_bool(const char *val, bool *ret)
{
	/* kstrtobool(): the first one or two characters decide. */
	if (!val) {
		*ret = true;
		return 0;
	}
	switch (val[0]) {
	case 'y':
	case 'Y':
	case '1': *ret = true; return 0;
	case 'n':
	case 'N':
	case '0': *ret = false; return 0;
	case 'o':
	case 'O':
		if (val[1] == 'n' || val[1] == 'N') {
			*ret = true;
			return 0;
		}
		if (val[1] == 'f' || val[1] == 'F') {
			*ret = false;
			return 0;
		}
		break;
	}
	if (strcmp(val, "true") == 0) {
		*ret = true;
		return 0;
	}
	if (strcmp(val, "false") == 0) {
		*ret = false;
		return 0;
	}
	return -EINVAL;
}

static int set_str(char **dst, const char *val)
{
	char *s = strdup(val);

	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

static int note_bad(struct pt_opts *o, const char *key, const char *val)
{
	size_t kl = strlen(key), vl = val ? strlen(val) : 0;
	char *s;

	if (o->bad_key)
		return 0;
	s = malloc(kl + vl + 2);
	if (!s)
		return -ENOMEM;
	memcpy(s, key, kl);
	if (val) {
		s[kl] = '=';
		memcpy(s + kl + 1, val, vl + 1);
	} else {
		s[kl] = '\0';
	}
	o->bad_key = s;
	return 0;
}

static int opts_cb(const char *key, const char *val, void *data)
{
	struct pt_opts *o = data;
	bool b;

	if (strncmp(key, "pt.", 3) != 0)
		return 0;
	key += 3;
	if (strcmp(key, "devices") == 0) {
		/* A bare "pt.devices" is malformed; remember it to say so. */
		o->devices_bare = !val;
		return set_str(&o->devices, val ? val : "");
	}
	if (strcmp(key, "debug") == 0 || strcmp(key, "off") == 0) {
		if (pt_parse_bool(val, &b) < 0)
			return note_bad(o, key - 3, val);
		if (key[0] == 'd')
			o->debug = b;
		else
			o->off = b;
		return 0;
	}
	if (strcmp(key, "ids") == 0) {
		if (val && (strcmp(val, "keep") == 0 || strcmp(val, "ignore") == 0))
			o->ids_keep = val[0] == 'k';
		else
			return note_bad(o, key - 3, val);
		return 0;
	}
	if (strcmp(key, "groups") == 0) {
		if (val && strcmp(val, "complete") == 0)
			o->complete_groups = true;
		else if (val && strcmp(val, "warn") == 0)
			o->complete_groups = false;
		else
			return note_bad(o, key - 3, val);
		return 0;
	}
	return note_bad(o, key - 3, val);
}

int pt_opts_parse(const char *cmdline, struct pt_opts *ret)
{
	struct pt_opts o = { 0 };
	int r;

	r = pt_cmdline_foreach(cmdline, opts_cb, &o);
	if (r < 0) {
		pt_opts_free(&o);
		return r;
	}
	*ret = o;
	return 0;
}

void pt_opts_free(struct pt_opts *o)
{
	free(o->devices);
	free(o->bad_key);
	o->devices = o->bad_key = NULL;
}
