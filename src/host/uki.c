// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unified kernel images (Boot Loader Specification Type #2: ESP/EFI/Linux/NAME.efi): a PE
 * file with the kernel, initrd and command line in sections (.linux, .initrd, .cmdline,
 * .uname, .osrel). systemd-boot lists each by itself; ptboot reads one into the Type #1
 * entry that stands for it ("efi /EFI/Linux/NAME.efi" with the UKI's own command line as
 * options), so the host+passthrough entry is derived from it like from any other entry.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"

static uint32_t le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int pt_pe_sections(const unsigned char *head, size_t len, struct pt_pe_section *v, size_t max, size_t *ret_n)
{
	uint32_t pe, nsec, opt;
	size_t table, n = 0;

	if (len < 64 || head[0] != 'M' || head[1] != 'Z')
		return -EINVAL;
	pe = le32(head + 0x3c);
	if (pe > len || len - pe < 24 || memcmp(head + pe, "PE\0\0", 4))
		return -EINVAL;
	nsec = le16(head + pe + 6);
	opt = le16(head + pe + 20);
	table = (size_t)pe + 24 + opt;
	if (nsec > 96)
		return -EINVAL; /* the PE loader's own limit */
	if (table > len || (len - table) / 40 < nsec)
		return -E2BIG; /* the table lies beyond what was read */
	for (uint32_t i = 0; i < nsec; i++) {
		const unsigned char *s = head + table + (size_t)i * 40;
		uint32_t vsize = le32(s + 8), raw = le32(s + 16), off = le32(s + 20);

		if (n == max)
			break;
		memcpy(v[n].name, s, 8);
		v[n].name[8] = '\0';
		/* the data's length is VirtualSize; what the file holds may be padded beyond it */
		v[n].size = vsize && vsize < raw ? vsize : raw;
		v[n].offset = off;
		n++;
	}
	*ret_n = n;
	return 0;
}

static const struct pt_pe_section *find(const struct pt_pe_section *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

/* A section's bytes, NUL-terminated; NULL (and 0) when there is no such section. */
static int section_read(const struct pt_uki_reader *rd, const struct pt_pe_section *s, size_t max, char **ret)
{
	char *t;

	*ret = NULL;
	if (!s)
		return 0;
	if (s->size > max)
		return -EINVAL;
	t = malloc((size_t)s->size + 1);
	if (!t)
		return -ENOMEM;
	if (rd->read_at(rd->ctx, t, s->size, s->offset) != (ssize_t)s->size) {
		free(t);
		return -EIO;
	}
	t[s->size] = '\0';
	*ret = t;
	return 0;
}

/* A text section, NULs and blanks trimmed at the end, line breaks and tabs made spaces.
 * -EINVAL when it holds other control bytes (or is too big to be what it claims). */
static int section_text(const struct pt_uki_reader *rd, const struct pt_pe_section *s, size_t max, char **ret)
{
	size_t n;
	char *t;
	int r = section_read(rd, s, max, ret);

	if (r < 0 || !*ret)
		return r;
	t = *ret;
	n = s->size;
	while (n && (t[n - 1] == '\0' || t[n - 1] == '\n' || t[n - 1] == ' ' || t[n - 1] == '\t' ||
		     t[n - 1] == '\r'))
		n--;
	t[n] = '\0';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];

		if (c == '\n' || c == '\t' || c == '\r') {
			t[i] = ' ';
		} else if (c < 0x20 || c == 0x7f) {
			free(t);
			*ret = NULL;
			return -EINVAL;
		}
	}
	return 0;
}

/* The value of KEY= in os-release text, unquoted; NULL when absent or empty. */
static const char *osrel_get(char *text, const char *key, char *buf, size_t size)
{
	size_t kl = strlen(key);

	for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t n = strcspn(l, "\n");
		const char *v = l + kl + 1;

		if (n <= kl + 1 || strncmp(l, key, kl) || l[kl] != '=')
			continue;
		n -= kl + 1;
		if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
			v++;
			n -= 2;
		}
		if (!n)
			return NULL;
		pt_snprintf(buf, size, "%.*s", (int)n, v);
		for (char *c = buf; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = ' '; /* one title line, whatever the file holds */
		return buf;
	}
	return NULL;
}

int pt_uki_entry(const struct pt_uki_reader *rd, const char *efi_path, struct pt_buf *out)
{
	unsigned char head[PT_UKI_HEAD];
	struct pt_pe_section sec[96];
	char *cmdline = NULL, *uname = NULL, *osrel = NULL, title[128];
	const char *t = NULL;
	size_t n = 0;
	ssize_t got;
	int r;

	got = rd->read_at(rd->ctx, head, sizeof(head), 0);
	if (got < 0)
		return (int)got;
	r = pt_pe_sections(head, (size_t)got, sec, ARRAY_SIZE(sec), &n);
	if (r < 0)
		return r;
	if (!find(sec, n, ".linux"))
		return -ENOEXEC; /* a PE program, but no kernel in it */
	if ((r = section_text(rd, find(sec, n, ".cmdline"), 64 << 10, &cmdline)) < 0 ||
	    (r = section_text(rd, find(sec, n, ".uname"), 255, &uname)) < 0 ||
	    (r = section_read(rd, find(sec, n, ".osrel"), 64 << 10, &osrel)) < 0)
		goto out;
	if (uname && (!*uname || strchr(uname, ' '))) {
		r = -EINVAL;
		goto out;
	}
	if (osrel) {
		t = osrel_get(osrel, "PRETTY_NAME", title, sizeof(title));
		if (!t)
			t = osrel_get(osrel, "NAME", title, sizeof(title));
	}
	pt_buf_printf(out, "title %s\n", t ? t : "Linux");
	if (uname)
		pt_buf_printf(out, "version %s\n", uname);
	pt_buf_printf(out, "efi %s\n", efi_path);
	if (cmdline && *cmdline)
		pt_buf_printf(out, "options %s\n", cmdline);
	r = out->err;
out:
	free(cmdline);
	free(uname);
	free(osrel);
	return r;
}

ssize_t pt_uki_read_fd(void *ctx, void *buf, size_t n, uint64_t off)
{
	ssize_t r = pread(*(const int *)ctx, buf, n, (off_t)off);

	return r < 0 ? -errno : r;
}

ssize_t pt_uki_read_mem(void *ctx, void *buf, size_t n, uint64_t off)
{
	const struct pt_uki_mem *m = ctx;

	if (off >= m->len)
		return 0;
	if (n > m->len - off)
		n = (size_t)(m->len - off);
	memcpy(buf, m->p + off, n);
	return (ssize_t)n;
}
