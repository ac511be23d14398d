// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the boot-entry parsers and writers (bls.c, grub.c): BLS entries, our
 * derived entry, grubenv, grub.cfg menus, entry.conf and unified kernel images (uki.c, on
 * PE files built here byte by byte), plus a garbage loop (random and
 * mutated input, every length) that must never crash, hang or read out of bounds under ASan.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "host.h"
#include "test.h"

static const char fedora[] = "title Fedora Linux (6.12.4-200.fc41.x86_64) 41 (Workstation Edition)\n"
			     "version 6.12.4-200.fc41.x86_64\n"
			     "linux /vmlinuz-6.12.4-200.fc41.x86_64\n"
			     "initrd /initramfs-6.12.4-200.fc41.x86_64.img $tuned_initrd\n"
			     "options root=UUID=8c3b ro rhgb quiet iommu=pt $tuned_params\n"
			     "grub_users $grub_users\n"
			     "grub_class fedora\n";

TEST(bls_derive)
{
	struct pt_bls e;
	struct pt_buf b = { 0 };
	char k[64];

	CHECK_INT(pt_bls_parse(fedora, sizeof(fedora) - 1, &e), 0);
	CHECK(!e.ours);
	CHECK_STR(pt_bls_get(&e, "linux"), "/vmlinuz-6.12.4-200.fc41.x86_64");
	CHECK_STR(pt_bls_get(&e, "initrd"), "/initramfs-6.12.4-200.fc41.x86_64.img $tuned_initrd");
	CHECK(pt_bls_get(&e, "machine-id") == NULL);
	CHECK_INT(pt_bls_kver(&e, k, sizeof(k)), 1);
	CHECK_STR(k, "6.12.4-200.fc41.x86_64");
	CHECK_INT(pt_bls_derive(&e, "abc-6.12.conf", "host+passthrough",
				"iommu=pt pt.devices=03:00.0@1002:744c", NULL, &b),
		  0);
	CHECK(strncmp(b.data, PT_ENTRY_MARKER, strlen(PT_ENTRY_MARKER)) == 0);
	CHECK(strstr(
		b.data,
		"\ntitle Fedora Linux (6.12.4-200.fc41.x86_64) 41 (Workstation Edition) (host+passthrough)\n"));
	/* iommu=pt is there already: not repeated */
	CHECK(strstr(
		b.data,
		"\noptions root=UUID=8c3b ro rhgb quiet iommu=pt $tuned_params pt.devices=03:00.0@1002:744c\n"));
	CHECK(strstr(b.data, "\ngrub_class fedora\n"));
	pt_bls_free(&e);
	/* what we wrote parses as ours, and is never derived again */
	CHECK_INT(pt_bls_parse(b.data, b.len, &e), 0);
	CHECK(e.ours);
	pt_buf_free(&b);
	CHECK_INT(pt_bls_derive(&e, "x", "t", "a=b", NULL, &b), -EINVAL);
	pt_buf_free(&b);
	pt_bls_free(&e);
}

/* systemd layout, tabs, CRLF, no options line: the fallback */
TEST(bls_systemd_layout)
{
	struct pt_bls e;
	struct pt_buf b = { 0 };
	char k[64];

	static const char sd[] = "title\tDebian\r\nlinux   /0b5e/6.1.0-56-amd64/linux\r\n  # comment\r\n";
	CHECK_INT(pt_bls_parse(sd, sizeof(sd) - 1, &e), 0);
	CHECK_INT(pt_bls_kver(&e, k, sizeof(k)), 1);
	CHECK_STR(k, "6.1.0-56-amd64");
	CHECK_INT(pt_bls_derive(&e, "id.conf", "vm", "pt.devices=02:00.0", "root=/dev/vda1 ro", &b), 0);
	CHECK(strstr(b.data, "\ntitle Debian (vm)\n"));
	CHECK(strstr(b.data, "\noptions root=/dev/vda1 ro pt.devices=02:00.0\n"));
	CHECK(!strstr(b.data, "# comment"));
	pt_buf_free(&b);
	pt_bls_free(&e);
}

/* no linux line; binary; empty */
TEST(bls_malformed)
{
	struct pt_bls e;
	struct pt_buf b = { 0 };
	char k[64];

	CHECK_INT(pt_bls_parse("title x\n", 8, &e), 0);
	CHECK_INT(pt_bls_kver(&e, k, sizeof(k)), 0);
	CHECK_INT(pt_bls_derive(&e, "x", "t", "a", NULL, &b), -EINVAL);
	pt_buf_free(&b);
	pt_bls_free(&e);
	CHECK_INT(pt_bls_parse("linux /a\0b", 10, &e), -EINVAL);
	CHECK_INT(pt_bls_parse("", 0, &e), 0);
	CHECK_INT((int)e.n, 0);
	pt_bls_free(&e);
}

TEST(args_merge)
{
	struct pt_buf b = { 0 };

	CHECK_INT(pt_args_merge("a b=1  c", "b=1 d c e", &b), 0);
	CHECK_STR(b.data, "a b=1  c d e");
	pt_buf_free(&b);
	CHECK_INT(pt_args_merge("", "x", &b), 0);
	CHECK_STR(b.data, "x");
	pt_buf_free(&b);
	/* after "--" the words are init's: ours go before it, and init's don't count as ours */
	CHECK_INT(pt_args_merge("ro quiet -- single pt.devices=1", "iommu=pt pt.devices=1", &b), 0);
	CHECK_STR(b.data, "ro quiet iommu=pt pt.devices=1 -- single pt.devices=1");
	pt_buf_free(&b);
	CHECK_INT(pt_args_merge("-- x", "a", &b), 0);
	CHECK_STR(b.data, "a -- x");
	pt_buf_free(&b);
	/* a quoted "--" is a value, not the end of the kernel's words */
	CHECK_INT(pt_args_merge("x=\"a -- b\" ro", "a", &b), 0);
	CHECK_STR(b.data, "x=\"a -- b\" ro a");
	pt_buf_free(&b);
}

/* issue 16: a manual setup's leftovers are never inherited by a host+passthrough entry */
TEST(kargs_strip)
{
	struct pt_buf b = { 0 }, d = { 0 };
	const char *why;
	enum pt_sev sev;

	CHECK_INT(pt_kargs_strip(
			  "vfio-pci.ids=1002:744c root=/dev/x  ro amd_iommu=on iommu=soft pt.devices=01:00.0 "
			  "video=efifb:off quiet $tuned_params",
			  "iommu=pt pt.devices=03:00.0@1002:744c", &b, &d),
		  0);
	CHECK_STR(b.data, "root=/dev/x  ro quiet $tuned_params");
	CHECK_STR(
		d.data,
		"vfio-pci.ids=1002:744c: hands every function with these IDs to vfio-pci in every boot, "
		"bypassing pt.devices= and its guards\n"
		"amd_iommu=on: not a valid value: the kernel ignores it (the AMD IOMMU is on by default)\n"
		"iommu=soft: ptboot's arguments set this key: one value, theirs\n"
		"pt.devices=01:00.0: a ptboot key of the normal entry: the new entry has its own\n"
		"video=efifb:off: the normal boot loses the firmware framebuffer (its early console); only a "
		"passthrough boot of the GPU carrying it needs this\n");
	pt_buf_free(&b);
	pt_buf_free(&d);
	/* the same value as ptboot's is kept where it is (no duplicate: merge skips it) */
	CHECK_INT(pt_args_merge("ro intel_iommu=on iommu=pt", "intel_iommu=on iommu=pt pt.devices=03:00.0",
				&b),
		  0);
	CHECK_STR(b.data, "ro intel_iommu=on iommu=pt pt.devices=03:00.0");
	pt_buf_free(&b);
	CHECK_INT(pt_args_merge("vfio_pci.ids=10de:2484 rd.driver.pre=vfio-pci ro", "pt.devices=09:00.0", &b),
		  0);
	CHECK_STR(b.data, "ro pt.devices=09:00.0");
	pt_buf_free(&b);
	CHECK_INT(pt_karg_leftover("rd.driver.pre", "nvme", &sev, &why), 0);
	CHECK_INT(pt_karg_leftover("amd_iommu", "off", &sev, &why), 0);
	CHECK_INT(pt_karg_leftover("vfio-pci.ids", NULL, &sev, &why), 1);
	CHECK_INT((int)sev, PT_SEV_WARN);
}

TEST(grubenv)
{
	struct pt_buf b = { 0 }, c = { 0 };
	char v[64];

	CHECK_INT(pt_grubenv_set(NULL, 0, "next_entry", "ptboot", &b), 0);
	CHECK_INT((int)b.len, PT_GRUBENV_SIZE);
	CHECK(strncmp(b.data, "# GRUB Environment Block\nnext_entry=ptboot\n#", 44) == 0);
	CHECK_INT(pt_grubenv_get(b.data, b.len, "next_entry", v, sizeof(v)), 1);
	CHECK_STR(v, "ptboot");
	CHECK_INT(pt_grubenv_get(b.data, b.len, "saved_entry", v, sizeof(v)), 0);
	/* replace, keep others, remove */
	CHECK_INT(pt_grubenv_set(b.data, b.len, "saved_entry", "x", &c), 0);
	pt_buf_free(&b);
	CHECK_INT(pt_grubenv_set(c.data, c.len, "next_entry", NULL, &b), 0);
	CHECK(strncmp(b.data, "# GRUB Environment Block\nsaved_entry=x\n#", 40) == 0);
	pt_buf_free(&c);
	pt_buf_free(&b);
	/* refused: '=' in a key, newline in a value, too big */
	CHECK_INT(pt_grubenv_set(NULL, 0, "a=b", "x", &b), -EINVAL);
	pt_buf_free(&b);
	CHECK_INT(pt_grubenv_set(NULL, 0, "a", "x\ny", &b), -EINVAL);
	pt_buf_free(&b);
	char big[1100];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_INT(pt_grubenv_set(NULL, 0, "a", big, &b), -ENOSPC);
	pt_buf_free(&b);
	/* not an environment block: reported, not rewritten */
	CHECK_INT(pt_grubenv_set("garbage\n", 8, "a", "x", &b), -EBADMSG);
	pt_buf_free(&b);
	CHECK_INT(pt_grubenv_set("# GRUB Environment Block\na=\0", 28, "a", "x", &b), -EBADMSG);
	pt_buf_free(&b);
	/* a truncated value and a tiny buffer */
	CHECK_INT(pt_grubenv_get("k=abcdef", 8, "k", v, 4), 1);
	CHECK_STR(v, "abc");
}

static const char cfg[] =
	"### BEGIN /etc/grub.d/00_header ###\n"
	"function load_video {\n  insmod all_video\n}\n"
	"### END /etc/grub.d/00_header ###\n"
	"### BEGIN /etc/grub.d/10_linux ###\n"
	"menuentry 'Debian GNU/Linux' --class debian $menuentry_id_option 'gnulinux-simple-0e8a' {\n"
	"\tlinux\t/vmlinuz-6.1.0-56-amd64 root=/dev/vda1 ro quiet\n"
	"}\n"
	"submenu 'Advanced options for Debian GNU/Linux' $menuentry_id_option 'gnulinux-advanced-0e8a' {\n"
	"\tmenuentry 'Debian GNU/Linux, with Linux 6.1.0-56-amd64' --id 'gnulinux-6.1.0-56-amd64-advanced-0e8a' {\n"
	"\t\tlinux\t/vmlinuz-6.1.0-56-amd64 root=/dev/vda1 ro\n"
	"\t}\n"
	"}\n"
	"### END /etc/grub.d/10_linux ###\n"
	"### BEGIN /etc/grub.d/42_ptboot ###\n"
	"menuentry 'Debian GNU/Linux (it'\\''s host+passthrough)' --class os $menuentry_id_option 'ptboot' {\n"
	"\tlinux\t/vmlinuz-6.1.0-56-amd64 root=/dev/vda1 ro iommu=pt pt.devices=02:00.0@1b36:0010\n"
	"}\n"
	"### END /etc/grub.d/42_ptboot ###\n";

TEST(grubcfg)
{
	struct pt_menu m;

	CHECK_INT(pt_grubcfg_parse(cfg, sizeof(cfg) - 1, &m), 0);
	CHECK_INT((int)m.n, 4);
	if (m.n == 4) {
		CHECK_STR(m.v[0].title, "Debian GNU/Linux");
		CHECK_STR(m.v[0].id, "gnulinux-simple-0e8a");
		CHECK_STR(m.v[0].script, "10_linux");
		CHECK_STR(m.v[0].linux_path, "/vmlinuz-6.1.0-56-amd64");
		CHECK_STR(m.v[0].linux_args, "root=/dev/vda1 ro quiet");
		CHECK(m.v[1].submenu);
		CHECK_INT(m.v[2].depth, 1);
		CHECK_STR(m.v[2].id, "gnulinux-6.1.0-56-amd64-advanced-0e8a");
		CHECK_STR(m.v[3].title, "Debian GNU/Linux (it's host+passthrough)");
		CHECK_STR(m.v[3].id, "ptboot");
		CHECK_STR(m.v[3].script, "42_ptboot");
		CHECK_INT(m.v[3].depth, 0);
		CHECK_STR(m.v[3].linux_args, "root=/dev/vda1 ro iommu=pt pt.devices=02:00.0@1b36:0010");
	}
	pt_menu_free(&m);
	/* unbalanced braces and an unterminated quote */
	CHECK_INT(pt_grubcfg_parse("}\n}\nmenuentry 'x\n{\nlinux", 24, &m), 0);
	pt_menu_free(&m);
}

TEST(entry_conf)
{
	struct pt_entry_conf c = { 0 }, d;
	struct pt_buf b = { 0 };

	pt_snprintf(c.args, sizeof(c.args), "intel_iommu=on iommu=pt pt.devices=02:00.0@1b36:0010");
	pt_snprintf(c.title, sizeof(c.title), "host+passthrough");
	pt_snprintf(c.windows_uuid, sizeof(c.windows_uuid), "650A-6552");
	CHECK_INT(pt_entry_conf_format(&c, &b), 0);
	CHECK(strstr(b.data, "\nPTBOOT_ARGS='intel_iommu=on iommu=pt pt.devices=02:00.0@1b36:0010'\n"));
	CHECK(!strstr(b.data, "PTBOOT_POLICY"));
	CHECK_INT(pt_entry_conf_parse(b.data, b.len, &d), 0);
	CHECK_STR(d.args, c.args);
	CHECK_STR(d.windows_uuid, "650A-6552");
	CHECK_STR(d.policy, "");
	pt_buf_free(&b);
	pt_snprintf(c.title, sizeof(c.title), "it's");
	CHECK_INT(pt_entry_conf_format(&c, &b), -EINVAL);
	pt_buf_free(&b);
	CHECK_INT(pt_entry_conf_parse("PTBOOT_ARGS=$(reboot)\n", 22, &d), -EINVAL);
	CHECK_INT(pt_entry_conf_parse("PTBOOT_ARGS='a'b'\n", 18, &d), -EINVAL);
	CHECK_INT(pt_entry_conf_parse("just words\n", 11, &d), -EINVAL);
	CHECK_INT(pt_entry_conf_parse("# c\n\nOTHER='x'\nPTBOOT_TITLE=vm\n", 31, &d), 0);
	CHECK_STR(d.title, "vm");
}

/* entry add --args: the kernel's words, what is refused and why */
TEST(extra_args)
{
	struct pt_entry_conf c = { 0 }, d;
	struct pt_buf b = { 0 };
	char bad[256];

	CHECK_INT(pt_extra_args_check("", bad, sizeof(bad)), 0);
	CHECK_INT(pt_extra_args_check(" hugepagesz=1G  hugepages=8 nosmt ", bad, sizeof(bad)), 0);
	CHECK_INT(pt_extra_args_check("dyndbg=\"file a.c +p\" \"quoted=a b\"", bad, sizeof(bad)), 0);
	CHECK_INT(pt_extra_args_check("a=1 pt.debug", bad, sizeof(bad)), -EINVAL);
	CHECK_STR(bad, "pt.debug: pt.* keys come from the selection (ptctl entry add SEL...)");
	CHECK_INT(pt_extra_args_check("\"pt.devices=03:00.0\"", bad, sizeof(bad)), -EINVAL);
	CHECK_INT(pt_extra_args_check("a -- init=x", bad, sizeof(bad)), -EINVAL);
	CHECK(strncmp(bad, "--: ", 4) == 0);
	CHECK_INT(pt_extra_args_check("x=\"a b", bad, sizeof(bad)), -EINVAL);
	CHECK_STR(bad, "x=\"a b: a double quote is not closed");
	CHECK_INT(pt_extra_args_check("x='a'", bad, sizeof(bad)), -EINVAL);
	CHECK_INT(pt_extra_args_check("x=$y", bad, sizeof(bad)), -EINVAL);
	CHECK_INT(pt_extra_args_check("=1", bad, sizeof(bad)), -EINVAL);
	CHECK_INT(pt_extra_args_check("a\x01b", bad, sizeof(bad)), -EINVAL);
	CHECK_INT(pt_extra_args_check("pt=1 ptx.y=2", bad, sizeof(bad)), 0);
	/* a double quote is saved in PTBOOT_EXTRA_ARGS (single-quoted), nowhere else */
	pt_snprintf(c.title, sizeof(c.title), "vm");
	pt_snprintf(c.extra, sizeof(c.extra), "dyndbg=\"file a.c +p\"");
	CHECK_INT(pt_entry_conf_format(&c, &b), 0);
	CHECK(strstr(b.data, "\nPTBOOT_EXTRA_ARGS='dyndbg=\"file a.c +p\"'\n"));
	CHECK_INT(pt_entry_conf_parse(b.data, b.len, &d), 0);
	CHECK_STR(d.extra, c.extra);
	pt_buf_free(&b);
	pt_snprintf(c.title, sizeof(c.title), "a \"b\"");
	CHECK_INT(pt_entry_conf_format(&c, &b), -EINVAL);
	pt_buf_free(&b);
}

/* a hand edit of our entry: the lines that differ, the words added */
TEST(bls_edits)
{
	static const char want_text[] = "title K (vm)\nlinux /v\noptions ro a=1 pt.devices=x -- single\n";
	static const char same_text[] = "title K (vm)\nlinux /other\noptions ro a=1 pt.devices=x -- single\n";
	static const char edit_text[] =
		"title K (mine)\nlinux /v\noptions ro a=2 pt.devices=x b=\"1 2\" -- single emergency\n";
	struct pt_bls want, same, edit;
	struct pt_buf diff = { 0 }, added = { 0 };

	CHECK_INT(pt_bls_parse(want_text, strlen(want_text), &want), 0);
	CHECK_INT(pt_bls_parse(same_text, strlen(same_text), &same), 0);
	CHECK_INT(pt_bls_parse(edit_text, strlen(edit_text), &edit), 0);
	CHECK_INT(pt_bls_edits(&same, &want, &diff, &added), 0); /* only title and options count */
	CHECK(!diff.len && !added.len);
	CHECK_INT(pt_bls_edits(&edit, &want, &diff, &added), 1);
	CHECK_STR(diff.data, "-title K (vm)\n+title K (mine)\n"
			     "-options ro a=1 pt.devices=x -- single\n"
			     "+options ro a=2 pt.devices=x b=\"1 2\" -- single emergency\n");
	CHECK_STR(added.data, "a=2 b=\"1 2\""); /* init's words after "--" are not the kernel's */
	pt_buf_free(&diff);
	pt_buf_free(&added);
	pt_bls_free(&want);
	pt_bls_free(&same);
	pt_bls_free(&edit);
}

/* data/reset-quirks: ranges, comments, bad lines named by number; the shipped file */
TEST(reset_quirks)
{
	static const char text[] = "# comment\n\n  1002:67df vendor-reset Polaris 10: vendor-reset\n"
				   "1002:6860-6864\tvendor-reset  Vega 10  \r\n"
				   "144D:A804 flr NVMe: FLR\n1002:744c shutdown Navi 31\n"
				   "1002:6862 flr never: the first match wins";
	struct pt_reset_quirks q;
	const struct pt_reset_quirk *x;
	unsigned line = 0;
	char *file = NULL;
	size_t len = 0;

	CHECK_INT(pt_reset_quirks_parse(text, strlen(text), &q, &line), 0);
	CHECK_INT((int)q.n, 5);
	x = pt_reset_quirks_find(&q, 0x1002, 0x67df);
	CHECK(x && x->method == PT_RESET_VENDOR_RESET);
	CHECK_STR(x ? x->note : "", "Polaris 10: vendor-reset");
	CHECK(!pt_reset_quirks_find(&q, 0x1002, 0x685f));
	x = pt_reset_quirks_find(&q, 0x1002, 0x6862);
	CHECK(x && x->method == PT_RESET_VENDOR_RESET);
	CHECK_STR(x ? x->note : "", "Vega 10");
	x = pt_reset_quirks_find(&q, 0x1002, 0x6864);
	CHECK(x && x->first == 0x6860 && x->last == 0x6864);
	CHECK(!pt_reset_quirks_find(&q, 0x1002, 0x6865));
	x = pt_reset_quirks_find(&q, 0x144d, 0xa804);
	CHECK(x && x->method == PT_RESET_FLR);
	CHECK_STR(pt_reset_method_name(PT_RESET_SHUTDOWN), "shutdown");
	CHECK(!pt_reset_quirks_find(NULL, 0x1002, 0x744c));
	pt_reset_quirks_free(&q);
	static const struct {
		const char *text;
		unsigned line;
	} bad[] = {
		{ "# ok\n1002:744c reboot note\n", 2 }, /* no such method */
		{ "1002:744c flr\n", 1 },		/* no note */
		{ "\n\n1002:744 flr x\n", 3 },		/* three digits */
		{ "1002:6864-6860 flr x\n", 1 },	/* a range backwards */
		{ "1002:6860-686 flr x\n", 1 },		/* a short range end */
		{ "1002:6860x flr x\n", 1 },		/* no blank after the ID */
		{ "1002-744c flr x\n", 1 },		/* no colon */
		{ "1002:744c flr a\001b\n", 1 },	/* a control byte */
		{ "1002:744c flr ok\n1002:744c\n", 2 }, /* an ID alone */
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		line = 0;
		CHECK_INT(pt_reset_quirks_parse(bad[i].text, strlen(bad[i].text), &q, &line), -EINVAL);
		CHECK_INT((int)line, (int)bad[i].line);
	}
	/* the shipped file: the 7900 XTX is never sent to vendor-reset, Polaris is */
	CHECK_INT(pt_read_file(AT_FDCWD, "data/reset-quirks", 1 << 20, &file, &len), 0);
	CHECK_INT(pt_reset_quirks_parse(file ? file : "", len, &q, &line), 0);
	x = pt_reset_quirks_find(&q, 0x1002, 0x744c);
	CHECK(x && x->method == PT_RESET_SHUTDOWN);
	x = pt_reset_quirks_find(&q, 0x1002, 0x73bf);
	CHECK(x && x->method == PT_RESET_SHUTDOWN);
	x = pt_reset_quirks_find(&q, 0x1002, 0x67df);
	CHECK(x && x->method == PT_RESET_VENDOR_RESET);
	CHECK(!pt_reset_quirks_find(&q, 0xc0a9, 0x5421));
	pt_reset_quirks_free(&q);
	free(file);
}

/* xorshift: reproducible garbage */
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* ---- uki.c: a PE image built in memory ------------------------------------------- */

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* names[i]'s content is data[i]; sections' data from offset 0x400, VirtualSize exact and
 * SizeOfRawData padded to 512, as objcopy writes them */
static size_t mkpe(unsigned char *img, size_t size, int n, const char *const *names, const char *const *data)
{
	size_t off = 0x400;

	memset(img, 0, size);
	img[0] = 'M';
	img[1] = 'Z';
	put32(img + 0x3c, 0x80);
	memcpy(img + 0x80, "PE\0\0", 4);
	img[0x80 + 6] = (unsigned char)n; /* NumberOfSections */
	img[0x80 + 20] = 0xf0;		  /* SizeOfOptionalHeader */
	for (int i = 0; i < n; i++) {
		unsigned char *s = img + 0x80 + 24 + 0xf0 + i * 40;
		size_t len = strlen(data[i]);

		memcpy(s, names[i], strlen(names[i]));
		put32(s + 8, (uint32_t)len);
		put32(s + 16, (uint32_t)((len + 511) / 512 * 512));
		put32(s + 20, (uint32_t)off);
		memcpy(img + off, data[i], len);
		off += (len + 511) / 512 * 512;
	}
	return off;
}

TEST(uki)
{
	static unsigned char img[16384];
	static const char *const names[] = { ".osrel", ".cmdline", ".uname", ".initrd", ".linux" };
	const char *data[] = { "NAME=Fedora\nPRETTY_NAME=\"Fedora Linux 41\"\n",
			       "root=/dev/vda1 ro\n  quiet\n\0\0", "6.12.4-200.fc41.x86_64\n", "07070",
			       "kernel" };
	struct pt_pe_section sec[8];
	struct pt_buf b = { 0 };
	struct pt_uki_mem m = { img, 0 };
	struct pt_uki_reader rd = { pt_uki_read_mem, &m };
	struct pt_bls e;
	size_t n = 0;
	char k[64];

	m.len = mkpe(img, sizeof(img), 5, names, data);
	CHECK_INT(pt_pe_sections(img, m.len, sec, 8, &n), 0);
	CHECK_INT((int)n, 5);
	CHECK_STR(sec[3].name, ".initrd");
	CHECK_INT((int)sec[3].size, 5);
	CHECK_INT(pt_uki_entry(&rd, "/EFI/Linux/f.efi", &b), 0);
	CHECK_STR(b.data, "title Fedora Linux 41\nversion 6.12.4-200.fc41.x86_64\nefi /EFI/Linux/f.efi\n"
			  "options root=/dev/vda1 ro   quiet\n");
	/* it is an entry ptboot derives its own from */
	CHECK_INT(pt_bls_parse(b.data, b.len, &e), 0);
	CHECK_INT(pt_bls_kver(&e, k, sizeof(k)), 1);
	CHECK_STR(k, "6.12.4-200.fc41.x86_64");
	pt_buf_free(&b);
	CHECK_INT(pt_bls_derive(&e, "f.efi", "vm", "pt.devices=03:00.0", NULL, &b), 0);
	CHECK(strstr(b.data, "from f.efi,\n"));
	CHECK(strstr(b.data,
		     "\nefi /EFI/Linux/f.efi\noptions root=/dev/vda1 ro   quiet pt.devices=03:00.0\n"));
	pt_buf_free(&b);
	pt_bls_free(&e);

	/* no .cmdline, no .uname, .osrel with only NAME: options and version left out */
	m.len = mkpe(img, sizeof(img), 2, (const char *const[]){ ".osrel", ".linux" },
		     (const char *const[]){ "NAME='Arch Linux'", "k" });
	CHECK_INT(pt_uki_entry(&rd, "/EFI/Linux/a.efi", &b), 0);
	CHECK_STR(b.data, "title Arch Linux\nefi /EFI/Linux/a.efi\n");
	pt_buf_free(&b);
	/* no .linux: a PE program, but no kernel */
	m.len = mkpe(img, sizeof(img), 1, names, data);
	CHECK_INT(pt_uki_entry(&rd, "/x.efi", &b), -ENOEXEC);
	/* a control byte in the command line; a blank in .uname */
	m.len = mkpe(img, sizeof(img), 2, (const char *const[]){ ".cmdline", ".linux" },
		     (const char *const[]){ "root=/dev/x\033", "k" });
	CHECK_INT(pt_uki_entry(&rd, "/x.efi", &b), -EINVAL);
	m.len = mkpe(img, sizeof(img), 2, (const char *const[]){ ".uname", ".linux" },
		     (const char *const[]){ "6.1 x", "k" });
	CHECK_INT(pt_uki_entry(&rd, "/x.efi", &b), -EINVAL);
	/* a file cut short inside .cmdline */
	mkpe(img, sizeof(img), 5, names, data);
	m.len = 0x601;
	CHECK_INT(pt_uki_entry(&rd, "/x.efi", &b), -EIO);
	CHECK(b.data == NULL);
	/* not PE; truncated headers; a table beyond what was read; too many sections */
	m.len = mkpe(img, sizeof(img), 5, names, data);
	CHECK_INT(pt_pe_sections((const unsigned char *)"ELF", 3, sec, 8, &n), -EINVAL);
	CHECK_INT(pt_pe_sections(img, 0x90, sec, 8, &n), -EINVAL);
	CHECK_INT(pt_pe_sections(img, 0x80 + 24 + 0xf0 + 40, sec, 8, &n), -E2BIG);
	put32(img + 0x3c, 0xffffffffu);
	CHECK_INT(pt_pe_sections(img, m.len, sec, 8, &n), -EINVAL);
	put32(img + 0x3c, 0x80);
	img[0x80 + 6] = 200;
	CHECK_INT(pt_pe_sections(img, m.len, sec, 8, &n), -EINVAL);
	/* max caps what is returned */
	img[0x80 + 6] = 5;
	CHECK_INT(pt_pe_sections(img, m.len, sec, 2, &n), 0);
	CHECK_INT((int)n, 2);
}

TEST(garbage)
{
	static const char *const seeds[] = { fedora, cfg, "# GRUB Environment Block\nnext_entry=ptboot\n",
					     "PTBOOT_ARGS='a'\nPTBOOT_TITLE='b'\n" };
	static const char alphabet[] =
		"{}'\"\\$#=\n\t menuentry submenu linux options title ### BEGIN /etc/grub.d/";
	uint32_t s = 0x9e3779b9;
	unsigned ok = 0;

	for (int round = 0; round < 4000; round++) {
		const char *seed = seeds[round % 4];
		size_t n = strlen(seed), len = rnd(&s) % (n + 64);
		char *buf = malloc(len + 1), v[32];
		struct pt_bls e;
		struct pt_menu m;
		struct pt_entry_conf c;
		struct pt_buf b = { 0 };

		for (size_t i = 0; i < len; i++) {
			uint32_t r = rnd(&s) % 8;

			buf[i] = i < n && r < 5 ? seed[i]
				 : r == 5	? (char)rnd(&s)
						: alphabet[rnd(&s) % (sizeof(alphabet) - 1)];
		}
		buf[len] = 'Z'; /* not NUL-terminated within len: parsers must respect len */
		if (pt_bls_parse(buf, len, &e) == 0) {
			pt_bls_kver(&e, v, sizeof(v));
			if (pt_bls_derive(&e, "id", "t", "a=b", "c", &b) == 0)
				ok++;
			pt_buf_free(&b);
			pt_bls_free(&e);
		}
		if (pt_grubcfg_parse(buf, len, &m) == 0)
			pt_menu_free(&m);
		pt_grubenv_get(buf, len, "next_entry", v, sizeof(v));
		pt_grubenv_set(buf, len, "next_entry", "x", &b);
		pt_buf_free(&b);
		pt_entry_conf_parse(buf, len, &c);
		free(buf);
	}
	CHECK(ok > 0);
}

static const struct test_case tests[] = {
	TEST_CASE(bls_derive),	 TEST_CASE(bls_systemd_layout), TEST_CASE(bls_malformed),
	TEST_CASE(args_merge),	 TEST_CASE(kargs_strip),	TEST_CASE(grubenv),
	TEST_CASE(grubcfg),	 TEST_CASE(entry_conf),		TEST_CASE(uki),
	TEST_CASE(garbage),	 TEST_CASE(extra_args),		TEST_CASE(bls_edits),
	TEST_CASE(reset_quirks),
};
TEST_MAIN(tests)
