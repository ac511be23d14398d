// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The storage model on fixture trees built by mkfixture (sysfs block devices,
 * sparse disk images for libblkid, FAT ESPs, initramfs archives, kmod indexes).
 * Usage: test-host-storage [--fixtures DIR] [--list] [CASE...]
 */
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
	CHECK((b = blk(&h.storage, "nvme0n1p3")) && strcmp(b->fstype, "crypto_LUKS") == 0 && b->nholders == 1);
	CHECK_INT(pt_storage_holds_system(&h.storage, "0000:04:00.0", buf, sizeof(buf)), 2);
	CHECK(strstr(buf, "[swap]") != NULL);
	CHECK_INT(pt_storage_holds_system(&h.storage, "0000:05:00.0", buf, sizeof(buf)), 0);
	pt_host_close(&h);
}

static const struct test_case tests[] = {
	TEST_CASE(seed_full),
	TEST_CASE(twin_full),
};
TEST_MAIN(tests)
