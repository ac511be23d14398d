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

static const struct test_case tests[] = {
	TEST_CASE(mountinfo),
	TEST_CASE(iomem),
	TEST_CASE(tuning),
	TEST_CASE(size),
};
TEST_MAIN(tests)
