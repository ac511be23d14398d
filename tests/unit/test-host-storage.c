// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The storage model on fixture trees built by mkfixture (sysfs block devices,
 * sparse disk images for libblkid, FAT ESPs, initramfs archives, kmod indexes),
 * the system disk in many layouts (many LVs, native NVMe multipath, VMD, two-device btrfs,
 * md RAID1, swap), hostile trees, and the graph on in-memory models.
 * Usage: test-host-storage [--fixtures DIR] [--scratch DIR] [--list] [CASE...]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "host.h"
#include "test.h"

static const struct pt_blk *blk(const struct pt_storage *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	return NULL;
}

static int idx(const struct pt_storage *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return (int)i;
	return -1;
}

static bool open_fx(const char *fx, const char *name, struct pt_host *h)
{
	char root[512];

	snprintf(root, sizeof(root), "%s/%s", fx, name);
	if (pt_host_open(root, NULL, true, h) < 0) {
		fprintf(stderr, "cannot open %s\n", root);
		CHECK(!"fixture opens");
		return false;
	}
	return true;
}

static int count_cb(const char *name, void *data)
{
	if (strstr(name, "vfio-pci.ko"))
		(*(int *)data)++;
	return 0;
}

TEST(seed_full)
{
	char root[512], buf[256];
	const struct pt_blk *b;
	struct pt_host h;
	enum pt_kmod_state st;
	int n = 0;

	snprintf(root, sizeof(root), "%s/seed-full", test_fixtures);
	if (pt_host_open(root, NULL, true, &h) < 0) {
		CHECK(!"seed-full opens");
		return;
	}
	CHECK_STR(h.cpu, "amd");
	CHECK_STR(h.os_id, "fedora");
	CHECK((b = blk(&h.storage, "nvme0n1")) && strcmp(b->pci, "0000:6e:00.0") == 0);
	CHECK((b = blk(&h.storage, "nvme0n1p1")) && b->ms_bootmgr && strcmp(b->fstype, "vfat") == 0);
	CHECK((b = blk(&h.storage, "nvme0n1p3")) && strcmp(b->label, "Windows") == 0 &&
	      strcmp(b->fstype, "ntfs") == 0);
	CHECK((b = blk(&h.storage, "nvme1n1p1")) && !b->ms_bootmgr && strcmp(b->esp, "BOOT fedora") == 0);
	CHECK((b = blk(&h.storage, "nvme1n1p3")) && b->system && strcmp(b->use, "/ /home") == 0);
	CHECK_INT(pt_storage_holds_system(&h.storage, "0000:04:00.0", buf, sizeof(buf)), 2);
	CHECK_INT(pt_storage_holds_system(&h.storage, "0000:6e:00.0", buf, sizeof(buf)), 0);
	CHECK_INT(pt_kmod_find(h.sys.rootfd, h.kver, "vfio-pci", &st, buf, sizeof(buf)), 0);
	CHECK_INT(st, PT_KMOD_MODULE);
	CHECK_STR(buf, "lib/modules/6.11.4-301.fc41.x86_64/kernel/drivers/vfio/pci/vfio-pci.ko");
	CHECK_INT(pt_kmod_find(h.sys.rootfd, h.kver, "no_such_module", &st, buf, sizeof(buf)), 0);
	CHECK_INT(st, PT_KMOD_MISSING);
	CHECK_INT(pt_initramfs_path(h.sys.rootfd, "6.12.4-200.fc41.x86_64", buf, sizeof(buf)), 0);
	CHECK_INT(pt_initramfs_walk(h.sys.rootfd, buf, count_cb, &n), 0);
	CHECK_INT(n, 1);
	pt_host_close(&h);
}

TEST(twin_full)
{
	char root[512], buf[256];
	const struct pt_blk *b;
	struct pt_host h;

	snprintf(root, sizeof(root), "%s/twin-full", test_fixtures);
	if (pt_host_open(root, NULL, true, &h) < 0) {
		CHECK(!"twin-full opens");
		return;
	}
	/* / on LVM on LUKS on nvme0n1p3: the holder chain carries it back to 04:00.0 */
	CHECK((b = blk(&h.storage, "dm-1")) && b->kind == PT_BLK_HOLDER && strcmp(b->use, "/") == 0);
	CHECK((b = blk(&h.storage, "nvme0n1p3")) && strcmp(b->fstype, "crypto_LUKS") == 0 &&
	      b->nholders == 1);
	CHECK_INT(pt_storage_holds_system(&h.storage, "0000:04:00.0", buf, sizeof(buf)), 2);
	CHECK(strstr(buf, "[swap]") != NULL);
	CHECK_INT(pt_storage_holds_system(&h.storage, "0000:05:00.0", buf, sizeof(buf)), 0);
	pt_host_close(&h);
}

/* 20 LVs on one PV, / on the 17th; the VG also on a second disk with nothing mounted */
TEST(lvm_many)
{
	const char *fx = test_fixtures;
	const struct pt_blk *b;
	struct pt_host h;
	char buf[512], vg[40], vg2[40];
	int p, r, s;

	if (!open_fx(fx, "lvm-many", &h))
		return;
	CHECK((p = idx(&h.storage, "nvme1n1p1")) >= 0 && h.storage.v[p].nholders == 20);
	CHECK((r = idx(&h.storage, "dm-16")) >= 0 && h.storage.v[r].system && h.storage.v[r].nslaves == 1);
	CHECK_INT(pt_storage_holds_system(&h.storage, "0000:04:00.0", buf, sizeof(buf)), 2);
	CHECK(strstr(buf, "nvme1n1 (Samsung SSD 990 PRO 2TB): / /home [swap] /var/lib/libvirt") == buf);
	/* the VG's other PV: nothing of its own mounted, the system all the same */
	CHECK_INT(pt_storage_holds_system(&h.storage, "0000:76:00.0", buf, sizeof(buf)), 2);
	CHECK(strstr(buf, "sdb") == buf && strstr(buf, " / ") != NULL);
	CHECK_INT(pt_storage_holds_system(&h.storage, "0000:70:00.0", buf, sizeof(buf)), 2); /* /boot */
	CHECK_INT(pt_storage_holds_system(&h.storage, "0000:6e:00.0", buf, sizeof(buf)), 0);
	CHECK((s = idx(&h.storage, "dm-20")) >= 0 && p >= 0 && r >= 0 &&
	      h.storage.v[s].component == h.storage.v[r].component &&
	      h.storage.v[p].component == h.storage.v[r].component);
	CHECK(r >= 0 && s >= 0 && pt_dm_uuid_vg(h.storage.v[r].dm_uuid, vg, sizeof(vg)) == 1 &&
	      pt_dm_uuid_vg(h.storage.v[s].dm_uuid, vg2, sizeof(vg2)) == 1 && strcmp(vg, vg2) == 0);
	/* holders come sorted, each once */
	for (size_t k = 1; p >= 0 && k < h.storage.v[p].nholders; k++)
		CHECK(h.storage.v[p].holders[k - 1] < h.storage.v[p].holders[k]);
	CHECK((b = blk(&h.storage, "nvme0n1p1")) && b->ms_bootmgr);
	pt_host_close(&h);
}

/* nvme_core.multipath=Y: the disk in the subsystem, a hidden path device per controller */
TEST(multipath)
{
	const char *fx = test_fixtures;
	const struct pt_blk *b;
	struct pt_host h;
	char buf[512];

	if (!open_fx(fx, "qemu-multipath", &h))
		return;
	CHECK(blk(&h.storage, "nvme2c2n1") == NULL && blk(&h.storage, "nvme2c3n1") == NULL);
	CHECK((b = blk(&h.storage, "nvme2n1")) && b->kind == PT_BLK_DISK && b->ncarriers == 2 &&
	      strcmp(b->carriers[0], "0000:06:00.0") == 0 && strcmp(b->carriers[1], "0000:07:00.0") == 0 &&
	      strcmp(b->pci, "0000:06:00.0") == 0 && strcmp(b->model, "QEMU NVMe Ctrl") == 0 &&
	      b->nparts == 3);
	CHECK(b && pt_blk_carried_by(b, "0000:07:00.0") && !pt_blk_carried_by(b, "0000:02:00.0"));
	CHECK((b = blk(&h.storage, "nvme2n1p1")) && !pt_blk_carried_by(b, "0000:06:00.0")); /* disks only */
	CHECK_INT(pt_storage_holds_system(&h.storage, "0000:06:00.0", buf, sizeof(buf)), 2);
	CHECK_INT(pt_storage_holds_system(&h.storage, "0000:07:00.0", buf, sizeof(buf)), 2);
	CHECK_STR(buf, "nvme2n1 (QEMU NVMe Ctrl): /boot/efi / [swap]");
	CHECK_INT(pt_storage_holds_system(&h.storage, "0000:02:00.0", buf, sizeof(buf)), 0);
	CHECK((b = blk(&h.storage, "nvme0n1")) && b->ncarriers == 1 && strcmp(b->pci, "0000:02:00.0") == 0);
	pt_host_close(&h);
}

/* Intel VMD: the system NVMe in domain 10000, in the VMD function's directory */
TEST(vmd)
{
	const char *fx = test_fixtures;
	const struct pt_blk *b;
	struct pt_host h;
	char buf[512];

	if (!open_fx(fx, "vmd", &h))
		return;
	CHECK((b = blk(&h.storage, "nvme1n1")) && b->ncarriers == 2 &&
	      strcmp(b->carriers[0], "0000:00:0e.0") == 0 && strcmp(b->carriers[1], "10000:e1:00.0") == 0 &&
	      strcmp(b->pci, "10000:e1:00.0") == 0);
	CHECK(b && !pt_blk_carried_by(b, "10000:e0:06.0")); /* a bridge carries nothing */
	CHECK_INT(pt_storage_holds_system(&h.storage, "0000:00:0e.0", buf, sizeof(buf)), 2);
	CHECK_INT(pt_storage_holds_system(&h.storage, "10000:e1:00.0", buf, sizeof(buf)), 2);
	CHECK_INT(pt_storage_holds_system(&h.storage, "10000:e0:06.0", buf, sizeof(buf)), 0);
	CHECK_INT(pt_storage_holds_system(&h.storage, "0000:03:00.0", buf, sizeof(buf)), 0);
	CHECK((b = blk(&h.storage, "nvme0n1")) && b->ncarriers == 1 &&
	      strcmp(b->carriers[0], "0000:03:00.0") == 0);
	pt_host_close(&h);
}

/* / on btrfs over nvme0n1p3 and the whole nvme1n1: mountinfo names only the first */
TEST(btrfs_two)
{
	const char *fx = test_fixtures;
	const char *scratch = test_scratch;
	const struct pt_blk *a, *b;
	struct pt_host h;
	char buf[512], root[512];

	if (!open_fx(fx, "btrfs-two", &h))
		return;
	CHECK((a = blk(&h.storage, "nvme0n1p3")) && (b = blk(&h.storage, "nvme1n1")) &&
	      strcmp(a->fstype, "btrfs") == 0 && strcmp(b->fstype, "btrfs") == 0 && a->uuid[0] &&
	      strcmp(a->uuid, b->uuid) == 0 && a->component == b->component && a->system && !b->system);
	CHECK_INT(pt_storage_holds_system(&h.storage, "0000:05:00.0", buf, sizeof(buf)), 2);
	CHECK_STR(buf, "nvme1n1 (Samsung SSD 970 EVO Plus 500GB): /");
	pt_blk_uses(&h.storage, (size_t)idx(&h.storage, "nvme1n1"), buf, sizeof(buf));
	CHECK_STR(buf, "/");
	pt_host_close(&h);

	/* without the images (as a user can't open /dev/nvme*): sys/fs/btrfs still joins them */
	snprintf(root, sizeof(root), "%s/btrfs-nodev", scratch);
	fixture_copy(fx, "btrfs-two", root);
	test_fmt(buf, sizeof(buf), "rm -f '%s'/dev/nvme*", root);
	CHECK_INT(system(buf), 0);
	if (pt_host_open(root, NULL, true, &h) < 0) {
		CHECK(!"btrfs-nodev opens");
		return;
	}
	CHECK((b = blk(&h.storage, "nvme1n1")) && b->probe_err == -ENOENT && strcmp(b->fstype, "btrfs") == 0);
	CHECK_INT(pt_storage_holds_system(&h.storage, "0000:05:00.0", buf, sizeof(buf)), 2);
	pt_host_close(&h);
}

/* Debian's RAID1: md0 (/) and md1 (swap) over both twins */
TEST(md_raid1)
{
	const char *fx = test_fixtures;
	const struct pt_blk *a, *b, *m;
	struct pt_host h;
	char buf[512];

	if (!open_fx(fx, "md-raid1", &h))
		return;
	CHECK((m = blk(&h.storage, "md0")) && m->kind == PT_BLK_HOLDER && m->nslaves == 2 && m->system);
	CHECK((a = blk(&h.storage, "nvme0n1p2")) && (b = blk(&h.storage, "nvme1n1p2")) &&
	      strcmp(a->fstype, "linux_raid_member") == 0 && strcmp(b->fstype, "linux_raid_member") == 0 &&
	      strcmp(a->uuid, b->uuid) == 0 && a->component == b->component &&
	      strcmp(a->label, "twin:0") == 0);
	CHECK_INT(pt_storage_holds_system(&h.storage, "0000:04:00.0", buf, sizeof(buf)), 2);
	CHECK_INT(pt_storage_holds_system(&h.storage, "0000:05:00.0", buf, sizeof(buf)), 2);
	CHECK_STR(buf, "nvme1n1 (Samsung SSD 970 EVO Plus 500GB): / [swap]");
	pt_host_close(&h);
}

/* a swap partition guards its disk (in use); a swap file and zram guard nothing */
TEST(swap)
{
	const char *fx = test_fixtures;
	const struct pt_blk *b;
	struct pt_host h;
	char buf[512];
	size_t nswap = 0;

	if (!open_fx(fx, "swap-part", &h))
		return;
	CHECK_INT(h.mounts.nswaps, 3);
	CHECK(blk(&h.storage, "zram0") == NULL);
	for (size_t i = 0; i < h.storage.n; i++)
		nswap += strstr(h.storage.v[i].use, "[swap]") != NULL;
	CHECK_INT(nswap, 1);
	CHECK((b = blk(&h.storage, "nvme1n1p1")) && strcmp(b->use, "[swap]") == 0 && !b->system);
	CHECK_INT(pt_storage_holds_system(&h.storage, "0000:03:00.0", buf, sizeof(buf)), 1);
	CHECK_STR(buf, "nvme1n1 (WD_BLACK SN850X 2000GB): [swap]");
	CHECK_INT(pt_storage_holds_system(&h.storage, "0000:02:00.0", buf, sizeof(buf)), 2);
	pt_host_close(&h);
}

/* Hostile trees: a holder cycle, a device claiming the system's LUKS, an over-long name,
 * a mount source through a dev/ link. */
TEST(hostile)
{
	const char *fx = test_fixtures;
	const char *scratch = test_scratch;
	char root[512], cmd[2048], buf[512];
	struct pt_storage st;
	struct pt_mounts m;
	struct pt_blk_walk w;
	struct pt_host h;
	int rootfd, i;

	snprintf(root, sizeof(root), "%s/cycle", scratch);
	fixture_copy(fx, "twin-full", root);
	snprintf(
		cmd, sizeof(cmd),
		"cd '%s' && ln -s ../../dm-2 sys/devices/virtual/block/dm-1/holders/dm-2 && "
		"ln -s ../../dm-1 sys/devices/virtual/block/dm-2/holders/dm-1 && "
		"ln -s ../../../../../../../../../../virtual/block/dm-0 sys/class/block/nvme1n1p3/holders/dm-0",
		root);
	CHECK_INT(system(cmd), 0);
	if (pt_host_open(root, NULL, true, &h) == 0) {
		i = idx(&h.storage, "dm-1");
		CHECK(i >= 0 && h.storage.v[i].nholders == 1 && h.storage.v[i].nslaves == 2);
		pt_blk_uses(&h.storage, (size_t)idx(&h.storage, "nvme0n1"), buf, sizeof(buf));
		CHECK_STR(buf, "/boot/efi /boot / [swap]");
		CHECK_INT(pt_storage_holds_system(&h.storage, "0000:05:00.0", buf, sizeof(buf)), 2);
		CHECK(pt_blk_walk_init(&h.storage, &w) == 0);
		CHECK(i >= 0 && pt_blk_walk_enter(&w, (size_t)i, 0) && !pt_blk_walk_enter(&w, (size_t)i, 0));
		CHECK(!pt_blk_walk_enter(&w, h.storage.n, 0) && !pt_blk_walk_enter(&w, 0, PT_BLK_WALK_DEPTH));
		pt_blk_walk_free(&w);
		pt_host_close(&h);
	} else {
		CHECK(!"cycle tree opens");
	}

	/* a holder name the kernel can't make (32 characters or more): refused, not cut */
	snprintf(root, sizeof(root), "%s/longname", scratch);
	fixture_copy(fx, "twin-full", root);
	snprintf(cmd, sizeof(cmd),
		 "ln -s ../../dm-2 '%s'/sys/devices/virtual/block/dm-1/holders/"
		 "dm-2-with-a-name-far-too-long-for-the-kernel",
		 root);
	CHECK_INT(system(cmd), 0);
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(rootfd >= 0);
	CHECK_INT(pt_storage_scan(rootfd, NULL, &st), -ENAMETOOLONG);
	if (rootfd >= 0)
		close(rootfd);

	/* /dev/disk/by-label/games -> ../../nvme1n1p2, mounted by that name */
	snprintf(root, sizeof(root), "%s/bylabel", scratch);
	fixture_copy(fx, "swap-part", root);
	snprintf(
		cmd, sizeof(cmd),
		"cd '%s' && mkdir -p dev/disk/by-label && ln -s ../../nvme1n1p2 dev/disk/by-label/games && "
		"echo '90 26 0:99 / /srv/games rw - ext4 /dev/disk/by-label/games rw' >> proc/self/mountinfo",
		root);
	CHECK_INT(system(cmd), 0);
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd >= 0 && pt_mounts_read(rootfd, &m) == 0) {
		if (pt_storage_scan(rootfd, &m, &st) == 0) {
			i = idx(&st, "nvme1n1p2");
			CHECK(i >= 0 && strcmp(st.v[i].use, "/srv/games") == 0);
			pt_storage_free(&st);
		} else {
			CHECK(!"bylabel scans");
		}
		pt_mounts_free(&m);
	} else {
		CHECK(!"bylabel opens");
	}
	if (rootfd >= 0)
		close(rootfd);
}

TEST(pure)
{
	char buf[64], vg[40];

	CHECK_INT(pt_path_resolve("sys/class/block", "../../devices/pci0000:00/x", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "sys/devices/pci0000:00/x");
	CHECK_INT(pt_path_resolve("sys/class/block", "../../../../../../etc/./passwd", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "etc/passwd"); /* ".." stops at the root */
	CHECK_INT(pt_path_resolve("sys/a", "/dev//x/", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "dev/x");
	CHECK_INT(pt_path_resolve("sys", "..", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "");
	CHECK_INT(pt_path_resolve("sys/class", "abcdefghijklmnopqrstuvwxyz", buf, 32), -ENAMETOOLONG);
	CHECK_INT(pt_path_resolve("sys", "x", buf, 0), -ENAMETOOLONG);

	CHECK_INT(pt_dm_uuid_vg("LVM-v6e2ipqGB6d403LVVOpBh0wCAh6mRcAr3OqL92uDVldReaQENDcuDIjxIT1jDcI0", vg,
				sizeof(vg)),
		  1);
	CHECK_STR(vg, "v6e2ipqGB6d403LVVOpBh0wCAh6mRcAr");
	CHECK_INT(pt_dm_uuid_vg("LVM-v6e2ipqGB6d403LVVOpBh0wCAh6mRcAr3OqL92uDVldReaQENDcuDIjxIT1jDcI0-tpool",
				vg, sizeof(vg)),
		  1);
	CHECK_INT(pt_dm_uuid_vg("LVM-Qm1xDn4bqkzv", vg, sizeof(vg)), 0);
	CHECK_INT(pt_dm_uuid_vg("CRYPT-LUKS2-5e0c3a7d1b2f4c8e9a6d0f1e2b3c4d5e-x", vg, sizeof(vg)), 0);
	CHECK_INT(pt_dm_uuid_vg("LVM-v6e2ipqGB6d403LVVOpBh0wCAh6mRcAr3OqL92uDVldReaQENDcuDIjxIT1jDcI0x", vg,
				sizeof(vg)),
		  0);
	CHECK_INT(pt_dm_uuid_vg("LVM-v6e2ipqGB6d403LVVOpBh0wCAh6mRcAr3OqL92uDVldReaQENDcuDIjxIT1jDcI0", vg,
				32),
		  0);
}

/* The graph on an in-memory model: edges from either side, repeats, self-loops and stray
 * indices; a diamond (an LV over two partitions) counted once. */
static int *ints(int a, int b)
{
	int *v = malloc(2 * sizeof(*v));

	if (v) {
		v[0] = a;
		v[1] = b;
	}
	return v;
}

TEST(graph)
{
	struct pt_storage s = { 0 };
	struct pt_mounts m = { 0 };
	char buf[128];

	s.n = 5;
	s.v = calloc(s.n, sizeof(*s.v));
	if (!s.v) {
		CHECK(!"calloc");
		return;
	}
	/* 0 disk, 1 and 2 its partitions, 3 an LV on both (listed as slaves only), 4 nothing */
	for (size_t i = 0; i < s.n; i++) {
		snprintf(s.v[i].name, sizeof(s.v[i].name), "x%zu", i);
		s.v[i].parent = -1;
	}
	s.v[0].kind = PT_BLK_DISK;
	s.v[0].carriers = malloc(sizeof(*s.v[0].carriers));
	s.v[0].ncarriers = s.v[0].carriers ? 1 : 0;
	if (s.v[0].carriers)
		snprintf(s.v[0].carriers[0], PT_SLOT_MAX, "0000:01:00.0");
	s.v[1].kind = s.v[2].kind = PT_BLK_PART;
	s.v[1].parent = s.v[2].parent = 0;
	s.v[3].kind = PT_BLK_HOLDER;
	s.v[3].slaves = ints(1, 2);
	s.v[3].nslaves = 2;
	s.v[1].holders = ints(3, 3); /* a repeat */
	s.v[1].nholders = 2;
	s.v[2].holders = ints(2, 99); /* itself, and out of range */
	s.v[2].nholders = 2;
	s.v[4].kind = PT_BLK_HOLDER;
	s.v[4].parent = 4; /* its own parent */
	s.v[3].major = 253;
	s.v[3].minor = 3;
	CHECK_INT(pt_mountinfo_parse("1 0 253:3 / / rw - ext4 /dev/x3 rw\n"
				     "2 1 0:40 / /data rw - ext4 /dev/x3 rw\n",
				     &m),
		  0);
	CHECK_INT(pt_storage_resolve(&s, &m, -1), 0);
	CHECK(s.v[1].nholders == 1 && s.v[1].holders[0] == 3);
	CHECK(s.v[2].nholders == 1 && s.v[2].holders[0] == 3);
	CHECK(s.v[3].nslaves == 2 && s.v[3].nholders == 0);
	CHECK(s.v[0].nparts == 2 && s.v[4].parent == -1 && s.v[4].nparts == 0);
	CHECK(s.v[3].system && strcmp(s.v[3].use, "/ /data") == 0);
	CHECK(s.v[1].component == 1 && s.v[3].component == 1 && s.v[0].component == 0);
	pt_blk_uses(&s, 0, buf, sizeof(buf));
	CHECK_STR(buf, "/ /data"); /* the LV once, though both partitions hold it */
	CHECK_INT(pt_storage_holds_system(&s, "0000:01:00.0", buf, sizeof(buf)), 2);
	CHECK_STR(buf, "x0: / /data");
	pt_blk_uses(&s, 99, buf, sizeof(buf));
	CHECK_STR(buf, "");
	pt_mounts_free(&m);
	pt_storage_free(&s);
}

static const struct test_case tests[] = {
	TEST_CASE(seed_full), TEST_CASE(twin_full), TEST_CASE(lvm_many), TEST_CASE(multipath),
	TEST_CASE(vmd),	      TEST_CASE(btrfs_two), TEST_CASE(md_raid1), TEST_CASE(swap),
	TEST_CASE(hostile),   TEST_CASE(pure),	    TEST_CASE(graph),
};
TEST_MAIN(tests)
