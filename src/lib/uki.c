// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unified kernel images (Boot Loader Specification Type #2: ESP/EFI/Linux/NAME.efi): a PE
 * file with the kernel, initrd and command line in sections (.linux, .initrd, .cmdline,
 * .uname, .osrel). systemd-boot lists each by itself; ptboot reads one into the Type #1
 * entry that stands for it ("efi /EFI/Linux/NAME.efi" with the UKI's own command line as
 * options), so the host+passthrough entry is derived from it like from any other entry.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

int pt_pe_sections(const unsigned char *head, size_t len, struct pt_pe_section *v, size_t max,
		   size_t *ret_n)
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
		return -EINVAL;		/* the PE loader's own limit */
	if (table > len || (len - table) / 40 < nsec)
		return -E2BIG;		/* the table lies beyond what was read */
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
	while (n && (t[n - 1] == '\0' || t[n - 1] == '\n' || t[n - 1] == ' ' || t[n - 1] == '\t' || t[n - 1] == '\r'))
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
				*c = ' ';	/* one title line, whatever the file holds */
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
	r = pt_pe_sections(head, (size_t)got, sec, sizeof(sec) / sizeof(sec[0]), &n);
	if (r < 0)
		return r;
	if (!find(sec, n, ".linux"))
		return -ENOEXEC;	/* a PE program, but no kernel in it */
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

static ssize_t fd_read_at(void *ctx, void *buf, size_t n, uint64_t off)
{
	ssize_t r = pread(*(int *)ctx, buf, n, (off_t)off);

	return r < 0 ? -errno : r;
}

int pt_uki_list(int rootfd, const char *esp, struct pt_bls_files *f)
{
	char dir[128];
	struct dirent *de;
	size_t cap = f->n;
	int fd, r = 0;
	DIR *d;

	pt_snprintf(dir, sizeof(dir), "%s/" PT_UKI_DIR, esp);
	fd = openat(rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		struct pt_bls_file *x;
		struct pt_buf text = { 0 };
		struct pt_uki_reader rd;
		char path[300];
		int ufd;

		if (len < 5 || len >= sizeof(f->v[0].name) || strcasecmp(de->d_name + len - 4, ".efi") ||
		    de->d_name[0] == '.' || strpbrk(de->d_name, " \t"))
			continue;
		ufd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
		if (ufd < 0)
			continue;
		rd = (struct pt_uki_reader){ fd_read_at, &ufd };
		pt_snprintf(path, sizeof(path), "/" PT_UKI_DIR "/%s", de->d_name);
		r = pt_uki_entry(&rd, path, &text);
		close(ufd);
		if (r < 0 || !text.data) {
			pt_buf_free(&text);
			if (r == -ENOMEM)
				break;
			r = 0;
			continue;	/* not a UKI (or not one we can read): systemd-boot skips it too */
		}
		if (f->n >= cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct pt_bls_file *v = nc > 4096 ? NULL : realloc(f->v, nc * sizeof(*v));

			if (!v) {
				pt_buf_free(&text);
				r = -ENOMEM;
				break;
			}
			f->v = v;
			cap = nc;
		}
		x = &f->v[f->n];
		*x = (struct pt_bls_file){ .uki = true };
		r = pt_bls_parse(text.data, text.len, &x->e);
		pt_buf_free(&text);
		if (r < 0) {
			r = 0;
			continue;
		}
		memcpy(x->name, de->d_name, len + 1);
		pt_bls_kver(&x->e, x->kver, sizeof(x->kver));
		f->n++;
	}
	closedir(d);
	return r;
}
