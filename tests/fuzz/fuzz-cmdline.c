// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the kernel command-line tokenizer and the pt.* keys. */
#include <stdlib.h>
#include <string.h>

#include "ptboot.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static int count(const char *key, const char *val, void *data)
{
	size_t *n = data;

	*n += strlen(key) + (val ? strlen(val) : 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *s = malloc(size + 1);
	struct pt_opts o;
	size_t n = 0;
	bool b;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	pt_cmdline_foreach(s, count, &n);
	if (pt_opts_parse(s, &o) == 0)
		pt_opts_free(&o);
	(void)pt_parse_bool(s, &b);
	free(s);
	return 0;
}
