// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the running system has mounted and swaps on: proc/self/mountinfo and
 * proc/swaps under the root, so ptctl can tell which disk holds / or /boot.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

/* mountinfo escapes blanks and backslashes as \ooo */
static void unescape(const char *s, size_t len, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < size; i++) {
		if (s[i] == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3') {
			out[o++] = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
}

/* The n-th blank-separated field of [s, e): pointer and length. */
static const char *field(const char *s, const char *e, int n, size_t *len)
{
	for (;;) {
		const char *f;

		while (s < e && *s == ' ')
			s++;
		if (s >= e)
			return NULL;
		f = s;
		while (s < e && *s != ' ')
			s++;
		if (n-- == 0) {
			*len = (size_t)(s - f);
			return f;
		}
	}
}

int pt_mountinfo_parse(const char *text, struct pt_mounts *ret)
{
	struct pt_mounts m = { 0 };
	const char *line = text;

	while (*line) {
		const char *e = strchr(line, '\n'), *f, *sep;
		struct pt_mount mt = { 0 };
		size_t len = 0;
		char num[24];

		if (!e)
			e = line + strlen(line);
		/* 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw */
		f = field(line, e, 2, &len);
		sep = NULL;
		for (const char *p = line; p + 2 < e; p++)
			if (p[0] == ' ' && p[1] == '-' && p[2] == ' ') {
				sep = p + 2;
				break;
			}
		if (f && sep && len < sizeof(num)) {
			const char *c, *t;
			size_t tl;

			memcpy(num, f, len);
			num[len] = '\0';
			c = strchr(num, ':');
			t = field(line, e, 4, &tl);
			if (c && t) {
				uint32_t ma, mi;

				num[c - num] = '\0';
				if (pt_parse_dec(num, &ma) == 0 && pt_parse_dec(c + 1, &mi) == 0) {
					mt.major = ma;
					mt.minor = mi;
				}
				unescape(t, tl, mt.target, sizeof(mt.target));
				if ((f = field(sep, e, 0, &len)))
					unescape(f, len, mt.fstype, sizeof(mt.fstype));
				if ((f = field(sep, e, 1, &len)))
					unescape(f, len, mt.source, sizeof(mt.source));
				struct pt_mount *v = realloc(m.v, (m.n + 1) * sizeof(*v));

				if (!v) {
					pt_mounts_free(&m);
					return -ENOMEM;
				}
				m.v = v;
				m.v[m.n++] = mt;
			}
		}
		line = *e ? e + 1 : e;
	}
	*ret = m;
	return 0;
}

int pt_swaps_parse(const char *text, struct pt_mounts *m)
{
	const char *line = text;
	bool header = true;

	while (*line) {
		const char *e = strchr(line, '\n'), *f;
		size_t len;

		if (!e)
			e = line + strlen(line);
		f = field(line, e, 0, &len);
		if (!header && f) {
			char(*v)[128] = realloc(m->swaps, (m->nswaps + 1) * sizeof(*v));

			if (!v)
				return -ENOMEM;
			m->swaps = v;
			unescape(f, len, m->swaps[m->nswaps++], sizeof(m->swaps[0]));
		}
		header = false;
		line = *e ? e + 1 : e;
	}
	return 0;
}

int pt_mounts_read(int rootfd, struct pt_mounts *ret)
{
	struct pt_mounts m = { 0 };
	char *text;
	int r;

	r = pt_read_file(rootfd, "proc/self/mountinfo", 16 << 20, &text, NULL);
	if (r == 0) {
		r = pt_mountinfo_parse(text, &m);
		free(text);
		if (r < 0)
			return r;
	} else if (r != -ENOENT) {
		return r;
	}
	r = pt_read_file(rootfd, "proc/swaps", 1 << 20, &text, NULL);
	if (r == 0) {
		r = pt_swaps_parse(text, &m);
		free(text);
	}
	if (r < 0 && r != -ENOENT) {
		pt_mounts_free(&m);
		return r;
	}
	*ret = m;
	return 0;
}

void pt_mounts_free(struct pt_mounts *m)
{
	free(m->v);
	free(m->swaps);
	*m = (struct pt_mounts){ 0 };
}

bool pt_mount_is_system(const char *t)
{
	static const char *const sys[] = { "/", "/boot", "/boot/efi", "/efi", "/usr", "/var" };

	for (size_t i = 0; i < ARRAY_SIZE(sys); i++)
		if (strcmp(t, sys[i]) == 0)
			return true;
	return false;
}
