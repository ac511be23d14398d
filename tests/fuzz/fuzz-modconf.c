// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the module loader's parsers (modules.dep, modules.builtin,
 * modprobe.d with softdeps and options, module.param= on the command line)
 * and the dependency resolution, as a dry plan. The input is four texts
 * separated by NUL bytes: dep, builtin, conf, cmdline. */
#include <stdlib.h>
#include <string.h>

#include "ptboot.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static int plan(void *data, const char *path, const char *options)
{
	size_t *n = data;

	*n += strlen(path) + strlen(options);
	return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *s = malloc(size + 4), *part[4];
	struct pt_modload_stats st = { 0 };
	struct pt_modload *m;
	size_t n = 0, k = 0;

	if (!s)
		return 0;
	memcpy(s, data, size);
	memset(s + size, 0, 4);
	part[0] = s;
	for (size_t i = 0; i < size && k < 3; i++)
		if (s[i] == '\0')
			part[++k] = s + i + 1;
	while (k < 3)
		part[++k] = s + size; /* "" */
	if (pt_modload_new_mem("6.1.0", part[0], part[1], part[2], part[3], &m) == 0) {
		(void)pt_modload_plan(m, "vfio-pci", plan, &n, &st);
		/* and the first module modules.dep names */
		char first[64];
		size_t l = strcspn(part[0], ":\n");

		if (l < sizeof(first)) {
			memcpy(first, part[0], l);
			first[l] = '\0';
			(void)pt_modload_plan(m, first, plan, &n, &st);
		}
		pt_modload_free(m);
	}
	free(s);
	return 0;
}
