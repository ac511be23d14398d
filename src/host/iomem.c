// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /proc/iomem as a tree: which driver or firmware framebuffer sits inside a
 * PCI function's BARs (efifb, simpledrm, BOOTFB holding the boot GPU).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

int pt_iomem_parse(const char *text, struct pt_iomem *ret)
{
	struct pt_iomem io = { 0 };
	const char *line = text;

	while (*line) {
		const char *e = strchr(line, '\n'), *p = line, *dash, *colon;
		struct pt_iomem_entry en = { 0 };

		if (!e)
			e = line + strlen(line);
		while (p < e && *p == ' ')
			p++;
		en.depth = (int)(p - line) / 2;
		dash = memchr(p, '-', (size_t)(e - p));
		colon = dash ? memchr(dash, ':', (size_t)(e - dash)) : NULL;
		if (dash && colon && colon > dash + 1 && colon[-1] == ' ' && colon + 2 <= e) {
			uint64_t v[2] = { 0, 0 };
			const char *r[2] = { p, dash + 1 }, *re[2] = { dash, colon - 1 };
			bool ok = true;

			for (int k = 0; k < 2; k++)
				for (const char *q = r[k]; q < re[k]; q++) {
					int d = *q >= '0' && *q <= '9'	 ? *q - '0'
						: *q >= 'a' && *q <= 'f' ? *q - 'a' + 10
									 : -1;

					if (d < 0 || v[k] >> 60) {
						ok = false;
						break;
					}
					v[k] = v[k] * 16 + (uint64_t)d;
				}
			if (ok) {
				size_t nl = (size_t)(e - colon - 2);
				struct pt_iomem_entry *nv;

				en.start = v[0];
				en.end = v[1];
				if (nl >= sizeof(en.name))
					nl = sizeof(en.name) - 1;
				memcpy(en.name, colon + 2, nl);
				en.name[nl] = '\0';
				nv = realloc(io.v, (io.n + 1) * sizeof(*nv));
				if (!nv) {
					pt_iomem_free(&io);
					return -ENOMEM;
				}
				io.v = nv;
				io.v[io.n++] = en;
			}
		}
		line = *e ? e + 1 : e;
	}
	*ret = io;
	return 0;
}

void pt_iomem_free(struct pt_iomem *io)
{
	free(io->v);
	*io = (struct pt_iomem){ 0 };
}

static bool is_fb(const char *name)
{
	static const char *const fbs[] = { "BOOTFB",	      "efifb",	"simpledrm",
					   "simplefb",	      "vesafb", "simple-framebuffer",
					   "vesa-framebuffer" };

	for (size_t i = 0; i < ARRAY_SIZE(fbs); i++)
		if (strncmp(name, fbs[i], strlen(fbs[i])) == 0)
			return true;
	return false;
}

int pt_iomem_framebuffer(const struct pt_iomem *io, const char *slot, char *buf, size_t size)
{
	for (size_t i = 0; i < io->n; i++) {
		if (strcmp(io->v[i].name, slot) != 0)
			continue;
		/* the entries nested below this BAR */
		for (size_t j = i + 1; j < io->n && io->v[j].depth > io->v[i].depth; j++) {
			if (!is_fb(io->v[j].name))
				continue;
			if (j + 1 < io->n && io->v[j + 1].depth > io->v[j].depth)
				pt_snprintf(buf, size, "%s (%s)", io->v[j].name, io->v[j + 1].name);
			else
				pt_snprintf(buf, size, "%s", io->v[j].name);
			return 1;
		}
	}
	return 0;
}
