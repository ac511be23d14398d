// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Where a root's boot menu lives: the boot loader (systemd-boot, GRUB with BLS entries, GRUB
 * with grub.d scripts) and the entry files it lists, unified kernel images included.
 */
#define _GNU_SOURCE
#include <blkid/blkid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host.h"

const char *pt_loader_name(enum pt_loader l)
{
	switch (l) {
	case PT_LOADER_GRUB: return "grub";
	case PT_LOADER_GRUB_BLS: return "grub-bls";
	case PT_LOADER_SDBOOT: return "systemd-boot";
	default: return "none";
	}
}

/* etc/default/grub: NAME=value, NAME="value" or NAME='value'; 1 when found. */
static int default_grub(const char *text, const char *name, char *buf, size_t size)
{
	size_t nlen = strlen(name);
	int found = 0;

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		const char *v;
		size_t n;

		while (*l == ' ' || *l == '\t')
			l++;
		if (strncmp(l, "export ", 7) == 0)
			l += 7;
		if (strncmp(l, name, nlen) || l[nlen] != '=')
			continue;
		v = l + nlen + 1;
		n = strcspn(v, "\n");
		if (n && (v[0] == '"' || v[0] == '\'')) {
			const char *q = memchr(v + 1, v[0], n - 1);

			n = q ? (size_t)(q - v - 1) : n - 1;
			v++;
		} else {
			n = strcspn(v, " \t\n#;");
		}
		pt_snprintf(buf, size, "%.*s", (int)n, v);
		found = 1;
	}
	return found;
}

int pt_boot_detect(int rootfd, struct pt_boot *ret)
{
	static const char *const esps[] = { "efi", "boot/efi", "boot" };
	struct pt_boot b = { 0 };
	char *dg = NULL, v[64];
	struct stat st;

	if (pt_read_file_in(rootfd, "etc/default/grub", 1 << 20, &dg, NULL) == 0) {
		if (default_grub(dg, "GRUB_DEFAULT", v, sizeof(v)))
			b.grub_default_saved = strcmp(v, "saved") == 0;
		if (default_grub(dg, "GRUB_ENABLE_BLSCFG", v, sizeof(v)))
			b.grub_blscfg = strcmp(v, "true") == 0;
	}
	b.grubd_script = fstatat(rootfd, PT_GRUBD_SCRIPT, &st, 0) == 0 && S_ISREG(st.st_mode) &&
			 (st.st_mode & 0111);
	pt_snprintf(b.grubdir, sizeof(b.grubdir), "%s",
		    pt_is_dir(rootfd, "boot/grub2") ? "boot/grub2" : "boot/grub");
	pt_snprintf(b.mkconfig, sizeof(b.mkconfig), "%s",
		    strcmp(b.grubdir, "boot/grub2") == 0 ? "grub2-mkconfig" : "update-grub");

	/* systemd-boot: its loader.conf or binary next to the entries or UKIs, on the ESP or XBOOTLDR */
	for (size_t i = 0; i < ARRAY_SIZE(esps); i++) {
		char p[96], q[96], e[96], u[96];

		if (pt_pathf(p, sizeof(p), "%s/loader/loader.conf", esps[i]) < 0 ||
		    pt_pathf(q, sizeof(q), "%s/EFI/systemd/systemd-bootx64.efi", esps[i]) < 0 ||
		    pt_pathf(e, sizeof(e), "%s/loader/entries", esps[i]) < 0 ||
		    pt_pathf(u, sizeof(u), "%s/" PT_UKI_DIR, esps[i]) < 0)
			return -ENAMETOOLONG;
		if ((pt_exists(rootfd, p) || pt_exists(rootfd, q)) &&
		    (pt_is_dir(rootfd, e) || pt_is_dir(rootfd, u)) &&
		    !(strcmp(esps[i], "boot") == 0 && b.grub_blscfg)) {
			b.loader = PT_LOADER_SDBOOT;
			pt_snprintf(b.entries, sizeof(b.entries), "%s", e);
			pt_snprintf(b.esp, sizeof(b.esp), "%s", esps[i]);
			goto out;
		}
	}
	if (pt_is_dir(rootfd, "boot/loader/entries")) {
		char *cfg = NULL;
		char path[96];

		if (!b.grub_blscfg && pt_pathf(path, sizeof(path), "%s/grub.cfg", b.grubdir) >= 0 &&
		    pt_read_file_in(rootfd, path, 16 << 20, &cfg, NULL) == 0 && strstr(cfg, "blscfg"))
			b.grub_blscfg = true;
		free(cfg);
		if (b.grub_blscfg) {
			b.loader = PT_LOADER_GRUB_BLS;
			pt_snprintf(b.entries, sizeof(b.entries), "boot/loader/entries");
			goto out;
		}
	}
	if (dg || pt_exists(rootfd, "boot/grub/grub.cfg") || pt_exists(rootfd, "boot/grub2/grub.cfg"))
		b.loader = PT_LOADER_GRUB;
out:
	free(dg);
	*ret = b;
	return 0;
}

/* ---- BLS entry files ----------------------------------------------------------- */

void pt_bls_files_free(struct pt_bls_files *f)
{
	for (size_t i = 0; i < f->n; i++)
		pt_bls_free(&f->v[i].e);
	free(f->v);
	pt_buf_free(&f->skipped);
	*f = (struct pt_bls_files){ 0 };
}

static int cmp_file(const void *a, const void *b)
{
	const struct pt_bls_file *x = a, *y = b;
	int r = strverscmp(y->kver, x->kver); /* newest kernel first */

	return r ? r : strcmp(x->name, y->name);
}

/* A name that can stand in an entry's line: no blanks or control bytes. */
static bool plain_name(const char *name)
{
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		if (*c <= ' ' || *c == 0x7f)
			return false;
	return true;
}

/* The entry text of one file of a directory: a BLS entry as it is, a UKI read into the
 * Type #1 lines that stand for it. */
static int entry_text(DIR *d, const char *name, bool uki, struct pt_buf *out)
{
	struct pt_uki_reader rd;
	char path[300];
	int fd, r;

	if (!uki) {
		char *text = NULL;
		size_t len = 0;

		/* dirfd(d) as the root: a symlink stays in the directory, a FIFO is not opened */
		r = pt_read_file_in(dirfd(d), name, PT_BLS_MAX, &text, &len);
		if (r == 0) {
			out->data = text;
			out->len = len;
		}
		return r;
	}
	fd = pt_open_in(dirfd(d), name, O_RDONLY, 0);
	if (fd < 0)
		return fd;
	rd = (struct pt_uki_reader){ pt_uki_read_fd, &fd };
	r = pt_pathf(path, sizeof(path), "/" PT_UKI_DIR "/%s", name);
	if (r >= 0)
		r = pt_uki_entry(&rd, path, out);
	close(fd);
	return r;
}

/* Append the entries of dir to f: its *.conf, or (uki) its *.efi unified kernel images.
 * Entry files that can't be read or parsed are counted in *skipped. */
static int list_dir(int rootfd, const char *dir, bool uki, struct pt_bls_files *f, size_t *skipped)
{
	size_t cap = f->n;
	struct dirent *de;
	int r;
	DIR *d;

	r = pt_opendir_in(rootfd, dir, &d);
	if (r < 0)
		return r;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		struct pt_buf text = { 0 };
		struct pt_bls_file *x;

		if (len < 6 || len >= sizeof(f->v[0].name) || de->d_name[0] == '.' ||
		    !plain_name(de->d_name) ||
		    (uki ? strcasecmp(de->d_name + len - 4, ".efi") : strcmp(de->d_name + len - 5, ".conf")))
			continue;
		if ((r = entry_text(d, de->d_name, uki, &text)) < 0 || !text.data) {
			pt_buf_free(&text);
			if (r == -ENOMEM)
				break;
			r = 0;
			if (!uki) { /* an .efi that is no UKI: systemd-boot passes it by too */
				(*skipped)++;
				pt_buf_printf(&f->skipped, "%s%s", f->skipped.len ? ", " : "", de->d_name);
			}
			continue;
		}
		if (f->n == cap) {
			size_t nc = cap ? cap * 2 : 16;
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
		*x = (struct pt_bls_file){ .uki = uki };
		r = pt_bls_parse(text.data, text.len, &x->e);
		pt_buf_free(&text);
		if (r < 0) {
			r = 0;
			(*skipped)++;
			pt_buf_printf(&f->skipped, "%s%s", f->skipped.len ? ", " : "", de->d_name);
			continue;
		}
		memcpy(x->name, de->d_name, len + 1);
		pt_bls_kver(&x->e, x->kver, sizeof(x->kver));
		f->n++;
	}
	closedir(d);
	return r;
}

int pt_boot_entries(int rootfd, const struct pt_boot *b, struct pt_bls_files *ret, size_t *ret_skipped)
{
	const bool sd = b->loader == PT_LOADER_SDBOOT;
	struct pt_bls_files f = { 0 };
	size_t skipped = 0;
	int r;

	r = list_dir(rootfd, b->entries, false, &f, &skipped);
	if (r == -ENOENT && sd)
		r = 0; /* UKIs only, so far */
	if (r == 0 && sd) {
		char dir[128];

		r = pt_pathf(dir, sizeof(dir), "%s/" PT_UKI_DIR, b->esp);
		if (r >= 0)
			r = list_dir(rootfd, dir, true, &f, &skipped);
		if (r == -ENOENT)
			r = 0;
	}
	if (r < 0) {
		pt_bls_files_free(&f);
		return r;
	}
	if (f.n)
		qsort(f.v, f.n, sizeof(*f.v), cmp_file);
	if (ret_skipped)
		*ret_skipped = skipped;
	*ret = f;
	return 0;
}

int pt_secure_boot(int rootfd)
{
	char *v = NULL;
	size_t len = 0;
	int on;

	/* 4 bytes of attributes, then the value: 1 when Secure Boot is enforced */
	if (pt_read_file(rootfd, "sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c",
			 64, &v, &len) < 0)
		return 0;
	on = len >= 5 && v[4] == 1;
	free(v);
	return on;
}
