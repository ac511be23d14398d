// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pure parsers of ptctl's host model: mountinfo, proc/swaps, /proc/iomem
 * (framebuffer in a BAR, also unprivileged with zeroed addresses), tuning.conf.
 * Usage: test-host-parse [--list] [CASE...]
 */
#include <errno.h>

#include "host.h"
#include "test.h"

TEST(mountinfo)
{
	struct pt_mounts m;

	CHECK_INT(pt_mountinfo_parse(
			  "65 1 0:34 /root / rw,relatime shared:1 - btrfs /dev/nvme1n1p3 rw,subvol=/root\n"
			  "70 65 259:7 / /boot rw,relatime shared:64 - ext4 /dev/nvme1n1p2 rw\n"
			  "71 65 253:1 / /mnt/my\\040disk rw - xfs /dev/mapper/vg-data rw\n"
			  "garbage line\n",
			  &m),
		  0);
	CHECK_INT(m.n, 3);
	CHECK_STR(m.v[0].target, "/");
	CHECK_STR(m.v[0].fstype, "btrfs");
	CHECK_STR(m.v[0].source, "/dev/nvme1n1p3");
	CHECK_INT(m.v[0].major, 0);
	CHECK_INT(m.v[1].major, 259);
	CHECK_INT(m.v[1].minor, 7);
	CHECK_STR(m.v[2].target, "/mnt/my disk");
	CHECK_INT(pt_swaps_parse("Filename Type Size Used Priority\n/dev/dm-2 partition 8388604 0 -2\n", &m),
		  0);
	CHECK_INT(m.nswaps, 1);
	CHECK_STR(m.swaps[0], "/dev/dm-2");
	CHECK(pt_mount_is_system("/boot/efi"));
	CHECK(!pt_mount_is_system("/home"));
	pt_mounts_free(&m);
}

TEST(iomem)
{
	static const char *text = "f0000000-fcffffff : PCI Bus 0000:00\n"
				  "  fcb00000-fcbfffff : 0000:03:00.0\n"
				  "1020000000-ffffffffff : PCI Bus 0000:00\n"
				  "  f7e0000000-f7efffffff : 0000:7c:00.0\n"
				  "    f7e0000000-f7e07e8fff : BOOTFB\n"
				  "      f7e0000000-f7e07e8fff : simpledrm\n"
				  "  f7f0000000-f7f01fffff : 0000:7c:00.0\n"
				  "        00000000-00000000 : 0000:00:02.0\n"
				  "          00000000-00000000 : efifb\n";
	struct pt_iomem io;
	char fb[64];

	CHECK_INT(pt_iomem_parse(text, &io), 0);
	CHECK_INT(io.n, 9);
	CHECK(io.v[3].start == 0xf7e0000000ull);
	CHECK_INT(pt_iomem_framebuffer(&io, "0000:7c:00.0", fb, sizeof(fb)), 1);
	CHECK_STR(fb, "BOOTFB (simpledrm)");
	CHECK_INT(pt_iomem_framebuffer(&io, "0000:03:00.0", fb, sizeof(fb)), 0);
	/* unprivileged: every address reads 0, the nesting still tells */
	CHECK_INT(pt_iomem_framebuffer(&io, "0000:00:02.0", fb, sizeof(fb)), 1);
	CHECK_STR(fb, "efifb");
	pt_iomem_free(&io);
}

TEST(tuning)
{
	struct pt_tuning t;
	unsigned line = 0;

	CHECK_INT(pt_tuning_parse("# c\n\ncpu=intel | intel_iommu=on | why\ncpu=amd | - | on by default\n",
				  &t, &line),
		  0);
	CHECK_INT(t.n, 2);
	CHECK_STR(pt_tuning_find(&t, "cpu=intel")->args, "intel_iommu=on");
	CHECK_STR(pt_tuning_find(&t, "cpu=amd")->args, "");
	CHECK(pt_tuning_find(&t, "fb=efifb") == NULL);
	pt_tuning_free(&t);
	CHECK_INT(pt_tuning_parse("ok | a | b\nno bars here\n", &t, &line), -EINVAL);
	CHECK_INT(line, 2);
}

TEST(size)
{
	char b[24];

	pt_size_text(1000204886016ull, b, sizeof(b));
	CHECK_STR(b, "1.0 TB");
	pt_size_text(629145600ull, b, sizeof(b));
	CHECK_STR(b, "629 MB");
	pt_size_text(512, b, sizeof(b));
	CHECK_STR(b, "512 B");
}

/* ptctl migrate's line rewriting: 1 rewritten (out), 2 removed, 0 unchanged; why says what went */
static int mig(enum pt_migrate_kind k, const char *line, const char *args, bool remap, char *out, size_t size,
	       char *why, size_t wsize)
{
	struct pt_buf o = { 0 }, w = { 0 };
	int r = pt_migrate_line(k, line, args, remap, &o, &w);

	pt_snprintf(out, size, "%s", r == 1 && o.data ? o.data : "");
	pt_snprintf(why, wsize, "%s", w.data ? w.data : "");
	pt_buf_free(&o);
	pt_buf_free(&w);
	return r;
}

TEST(migrate_args)
{
	const char *args = "iommu=pt pt.devices=03:00.0@1002:744c";
	char out[512], why[1024];

	/* the guide's words out, the rest in order with its blanks; iommu=pt goes with the
	 * host+passthrough entry that sets it */
	CHECK_INT(mig(PT_MIG_BLS,
		      "options root=UUID=8c3b ro  quiet amd_iommu=on iommu=pt video=efifb:off "
		      "vfio-pci.ids=1002:744c,1002:ab30 $tuned_params",
		      args, true, out, sizeof(out), why, sizeof(why)),
		  1);
	CHECK_STR(out, "options root=UUID=8c3b ro  quiet $tuned_params");
	CHECK(strstr(why, "vfio-pci.ids=1002:744c,1002:ab30: ") != NULL);
	CHECK(strstr(why, "iommu=pt: the host+passthrough entry sets it") != NULL);
	/* a leftover first: the next word takes its place, no blank before it */
	CHECK_INT(mig(PT_MIG_ARGS, "vfio_pci.ids=10de:2484 root=/dev/sda1 ro", "", true, out, sizeof(out),
		      why, sizeof(why)),
		  1);
	CHECK_STR(out, "root=/dev/sda1 ro");
	/* nothing of the guide's: unchanged */
	CHECK_INT(mig(PT_MIG_ARGS, "root=/dev/sda1 ro quiet", args, true, out, sizeof(out), why, sizeof(why)),
		  0);
	/* a pt.* key of a normal entry goes too; an iommu= value ptboot does not set stays */
	CHECK_INT(mig(PT_MIG_ARGS, "ro pt.devices=03:00.0 iommu=off", "pt.devices=03:00.0@1002:744c", true,
		      out, sizeof(out), why, sizeof(why)),
		  1);
	CHECK_STR(out, "ro iommu=off");
	/* GRUB_CMDLINE_LINUX: inside its quotes only */
	CHECK_INT(mig(PT_MIG_DEFAULT_GRUB,
		      "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet vfio-pci.ids=10de:2484,10de:228b\"  # the guide",
		      args, true, out, sizeof(out), why, sizeof(why)),
		  1);
	CHECK_STR(out, "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"  # the guide");
	/* an options line that is no options line: not touched */
	CHECK_INT(mig(PT_MIG_BLS, "title vfio-pci.ids=1:2", args, true, out, sizeof(out), why, sizeof(why)),
		  0);
}

TEST(migrate_modprobe)
{
	char out[512], why[1024];

	/* ids= and disable_vga out, other vfio-pci options kept */
	CHECK_INT(mig(PT_MIG_MODPROBE, "options vfio-pci ids=10de:2484 disable_vga=1 disable_idle_d3=1", "",
		      true, out, sizeof(out), why, sizeof(why)),
		  1);
	CHECK_STR(out, "options vfio-pci disable_idle_d3=1");
	CHECK_INT(mig(PT_MIG_MODPROBE, "options vfio_pci ids=10de:2484", "", true, out, sizeof(out), why,
		      sizeof(why)),
		  2);
	/* allow_unsafe_interrupts: only with interrupt remapping */
	CHECK_INT(mig(PT_MIG_MODPROBE, "options vfio_iommu_type1 allow_unsafe_interrupts=1", "", true, out,
		      sizeof(out), why, sizeof(why)),
		  2);
	CHECK_INT(mig(PT_MIG_MODPROBE, "options vfio_iommu_type1 allow_unsafe_interrupts=1", "", false, out,
		      sizeof(out), why, sizeof(why)),
		  1);
	CHECK_STR(out, "options vfio_iommu_type1 allow_unsafe_interrupts=1");
	/* softdeps: the vfio modules out, other soft dependencies kept */
	CHECK_INT(mig(PT_MIG_MODPROBE, "softdep drm pre: vfio-pci", "", true, out, sizeof(out), why,
		      sizeof(why)),
		  2);
	CHECK_INT(mig(PT_MIG_MODPROBE, "softdep amdgpu pre: vfio_pci foo post: bar", "", true, out,
		      sizeof(out), why, sizeof(why)),
		  1);
	CHECK_STR(out, "softdep amdgpu pre: foo post: bar");
	CHECK_INT(mig(PT_MIG_MODPROBE, "softdep amdgpu pre: vfio-pci post: bar", "", true, out, sizeof(out),
		      why, sizeof(why)),
		  1);
	CHECK_STR(out, "softdep amdgpu post: bar");
	/* blacklist and install ... /bin/false: the line goes (leftovers decided it matters) */
	CHECK_INT(mig(PT_MIG_MODPROBE, "blacklist amdgpu   ### nvidia", "", true, out, sizeof(out), why,
		      sizeof(why)),
		  2);
	CHECK_INT(mig(PT_MIG_MODPROBE, "install nouveau /bin/false", "", true, out, sizeof(out), why,
		      sizeof(why)),
		  2);
}

TEST(migrate_dracut)
{
	char out[512], why[1024];

	CHECK_INT(mig(PT_MIG_DRACUT, "force_drivers+=\" vfio_pci vfio vfio_iommu_type1 \"", "", true, out,
		      sizeof(out), why, sizeof(why)),
		  2);
	CHECK(strstr(why, "vfio_iommu_type1: ") != NULL);
	CHECK_INT(mig(PT_MIG_DRACUT, "add_drivers+=\" nvme vfio-pci \"", "", true, out, sizeof(out), why,
		      sizeof(why)),
		  1);
	CHECK_STR(out, "add_drivers+=\" nvme \"");
	CHECK_INT(mig(PT_MIG_DRACUT, "kernel_cmdline=\"rd.driver.pre=vfio-pci quiet\"", "", true, out,
		      sizeof(out), why, sizeof(why)),
		  1);
	CHECK_STR(out, "kernel_cmdline=\"quiet\"");
	CHECK_INT(mig(PT_MIG_DRACUT, "kernel_cmdline=\"rd.driver.pre=vfio-pci\"", "", true, out, sizeof(out),
		      why, sizeof(why)),
		  2);
	CHECK_INT(mig(PT_MIG_ITOOLS, "vfio_pci ids=10de:2484", "", true, out, sizeof(out), why, sizeof(why)),
		  2);
}

TEST(sha256)
{
	char h[65];

	pt_sha256_hex("", 0, h);
	CHECK_STR(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	pt_sha256_hex("abc", 3, h);
	CHECK_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* 56 bytes: the length goes into a second padding block */
	pt_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, h);
	CHECK_STR(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static const struct test_case tests[] = {
	TEST_CASE(mountinfo),	   TEST_CASE(iomem),	    TEST_CASE(tuning),
	TEST_CASE(size),	   TEST_CASE(migrate_args), TEST_CASE(migrate_modprobe),
	TEST_CASE(migrate_dracut), TEST_CASE(sha256),
};
TEST_MAIN(tests)
