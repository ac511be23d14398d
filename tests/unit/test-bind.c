// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The binder end to end on fixture trees with the simulated kernel: module
 * loading, override/unbind/probe/verify, and rollback after every kind of
 * injected failure. After each case: no stale driver_override, every device
 * on the driver it should have, unselected devices never written to.
 * Usage: test-bind [--fixtures DIR] [--scratch DIR] [--list] [CASE...]
 */
#include <errno.h>
#include <unistd.h>

#include "ptboot.h"
#include "test.h"

static int ncase;

struct tc {
	char root[512];
	struct pt_sys sys;
	struct pt_policy pol;
	struct pt_plan plan;
	struct pt_kernel *k;
	int failed;
	int load;
};

/* Build the case: copy the fixture, add a fake-kernel.conf, plan the policy. */
static void setup(struct tc *t, const char *fixture, const char *policy, const char *conf)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->root, sizeof(t->root), "%s/bind-%d", test_scratch, ++ncase);
	fixture_copy(test_fixtures, fixture, t->root);
	if (conf)
		put(t->root, "fake-kernel.conf", conf);
	if (pt_sys_open(t->root, &t->sys) < 0 || pt_sys_scan(&t->sys) < 0 ||
	    pt_policy_parse(policy, &t->pol, NULL) < 0 ||
	    pt_plan_build(&t->sys, &t->pol, false, &t->plan) < 0 || pt_kernel_new(t->sys.rootfd, &t->k) < 0) {
		fprintf(stderr, "setup of case %d failed\n", ncase);
		exit(2);
	}
}

static void run(struct tc *t)
{
	struct pt_modload_stats st = { 0 };
	struct pt_modload *m;
	struct pt_binder b = { .sys = &t->sys, .kernel = t->k, .driver = "vfio-pci" };

	t->load = pt_modload_new(t->sys.rootfd, NULL, NULL, &m);
	if (t->load == 0) {
		t->load = pt_modload_probe(m, t->k, "vfio-pci", &st);
		pt_modload_free(m);
	}
	if (t->load == 0)
		t->failed = pt_bind_apply(&b, &t->plan);
}

static void teardown(struct tc *t)
{
	pt_kernel_free(t->k);
	pt_plan_free(&t->plan);
	pt_policy_free(&t->pol);
	pt_sys_close(&t->sys);
}

static const struct pt_item *item(struct tc *t, const char *slot)
{
	for (size_t i = 0; i < t->plan.nitems; i++)
		if (strcmp(t->sys.devs[t->plan.items[i].dev].slot, slot) == 0)
			return &t->plan.items[i];
	return NULL;
}

/* What the tree says now: driver link and driver_override of a function. */
static const char *driver_of(struct tc *t, const char *slot)
{
	static char buf[PT_NAME_MAX];
	char path[128];

	snprintf(path, sizeof(path), "sys/bus/pci/devices/%s/driver", slot);
	if (pt_read_link_name(t->sys.rootfd, path, buf, sizeof(buf)) < 0)
		return "-";
	return buf;
}

static const char *override_of(struct tc *t, const char *slot)
{
	static char buf[PT_NAME_MAX];
	char path[128];

	snprintf(path, sizeof(path), "sys/bus/pci/devices/%s/driver_override", slot);
	if (pt_read_attr(t->sys.rootfd, path, buf, sizeof(buf)) < 0)
		return "?";
	return buf;
}

static bool journal_mentions(struct tc *t, const char *what)
{
	const char *j = slurp(t->root, "fake-kernel.log");

	return j && strstr(j, what);
}

/* No function of the tree may end with a stale override. */
static void check_no_stale(struct tc *t)
{
	for (size_t i = 0; i < t->sys.ndevs; i++) {
		const char *slot = t->sys.devs[i].slot;
		const char *o = override_of(t, slot);

		if (strcmp(o, "(null)") != 0 && strcmp(driver_of(t, slot), o) != 0) {
			fprintf(stderr, "case %d: stale override %s on %s\n", ncase, o, slot);
			CHECK(!"stale driver_override");
		}
	}
}

TEST(preudev_bind)
{
	struct tc t;
	const char *j;

	/* early boot: nothing bound yet; the GPU pair by slot, one NVMe twin guarded */
	setup(&t, "qemu-preudev", "01:00.*,02:00.0@1b36:0010", NULL);
	run(&t);
	CHECK_INT(t.load, 0);
	CHECK_INT(t.failed, 0);
	CHECK_INT(t.plan.nitems, 3);
	CHECK_STR(driver_of(&t, "0000:01:00.0"), "vfio-pci");
	CHECK_STR(driver_of(&t, "0000:01:00.1"), "vfio-pci");
	CHECK_STR(driver_of(&t, "0000:02:00.0"), "vfio-pci");
	CHECK_STR(override_of(&t, "0000:02:00.0"), "vfio-pci");
	CHECK_STR(driver_of(&t, "0000:03:00.0"), "-"); /* the twin */
	CHECK_STR(override_of(&t, "0000:03:00.0"), "(null)");
	CHECK_STR(driver_of(&t, "0000:00:02.0"), "-"); /* the boot VGA */
	CHECK(!journal_mentions(&t, "0000:03:00.0"));
	CHECK(!journal_mentions(&t, "0000:00:02.0"));
	CHECK(!journal_mentions(&t, "unbind")); /* nothing to unbind before udev */
	CHECK(item(&t, "0000:02:00.0")->result == PT_RES_BOUND);
	CHECK_STR(item(&t, "0000:02:00.0")->driver_before, "");
	/* modprobe order: dependencies last to first, vfio's softdep after vfio */
	j = slurp(t.root, "fake-kernel.log");
	CHECK(j && strstr(j, "load irqbypass") < strstr(j, "load vfio ") &&
	      strstr(j, "load vfio ") < strstr(j, "load vfio_iommu_type1") &&
	      strstr(j, "load vfio_iommu_type1") < strstr(j, "load vfio_pci_core") &&
	      strstr(j, "load vfio_pci_core") < strstr(j, "load vfio_pci "));
	check_no_stale(&t);
	teardown(&t);
}

TEST(runtime_bind)
{
	struct tc t;

	/* after boot: nvme has the drive; the binder must unbind it first */
	setup(&t, "qemu-std", "0000:02:00.0", NULL);
	run(&t);
	CHECK_INT(t.failed, 0);
	CHECK_STR(driver_of(&t, "0000:02:00.0"), "vfio-pci");
	CHECK_STR(item(&t, "0000:02:00.0")->driver_before, "nvme");
	CHECK_STR(item(&t, "0000:02:00.0")->driver_after, "vfio-pci");
	CHECK(journal_mentions(&t, "write sys/bus/pci/devices/0000:02:00.0/driver/unbind 0000:02:00.0"));
	CHECK_STR(driver_of(&t, "0000:03:00.0"), "nvme");
	check_no_stale(&t);
	teardown(&t);
}

/* binding what is bound is a no-op */
TEST(bind_again_no_op)
{
	struct tc t;

	setup(&t, "qemu-std", "0000:02:00.0", NULL);
	run(&t);
	teardown(&t);
	{
		char again[512];

		snprintf(again, sizeof(again), "%s/bind-%d", test_scratch, ncase);
		CHECK_INT(pt_sys_open(again, &t.sys), 0);
		CHECK_INT(pt_sys_scan(&t.sys), 0);
		CHECK_INT(pt_policy_parse("02:00.0", &t.pol, NULL), 0);
		CHECK_INT(pt_plan_build(&t.sys, &t.pol, false, &t.plan), 0);
		CHECK_INT(pt_kernel_new(t.sys.rootfd, &t.k), 0);
		run(&t);
		CHECK_INT(t.failed, 0);
		CHECK(item(&t, "0000:02:00.0")->result == PT_RES_BOUND);
		CHECK(strstr(item(&t, "0000:02:00.0")->reason, "already"));
		teardown(&t);
	}
}

TEST(probe_refused)
{
	struct tc t;

	/* vfio-pci's probe fails (as with no IOMMU): the host gets it back */
	setup(&t, "qemu-std", "02:00.0", "refuse-probe 0000:02:00.0\n");
	run(&t);
	CHECK_INT(t.failed, 1);
	CHECK(item(&t, "0000:02:00.0")->result == PT_RES_ROLLED_BACK);
	CHECK_STR(driver_of(&t, "0000:02:00.0"), "nvme");
	CHECK_STR(override_of(&t, "0000:02:00.0"), "(null)");
	CHECK_STR(item(&t, "0000:02:00.0")->driver_after, "nvme");
	check_no_stale(&t);
	teardown(&t);
}

TEST(no_iommu)
{
	struct tc t;
	char cmd[1200];

	setup(&t, "qemu-preudev", "02:00.0", NULL);
	/* the IOMMU is off: no groups at all */
	snprintf(cmd, sizeof(cmd),
		 "rm -f %s/sys/devices/pci0000:00/*/*/iommu_group "
		 "%s/sys/devices/pci0000:00/*/iommu_group",
		 t.root, t.root);
	CHECK_INT(system(cmd), 0);
	pt_sys_scan(&t.sys);
	run(&t);
	CHECK_INT(t.failed, 1);
	CHECK(item(&t, "0000:02:00.0")->result == PT_RES_ROLLED_BACK);
	CHECK(strstr(item(&t, "0000:02:00.0")->reason, "IOMMU"));
	CHECK_STR(override_of(&t, "0000:02:00.0"), "(null)");
	CHECK_STR(driver_of(&t, "0000:02:00.0"), "-"); /* udev's nvme will take it later */
	check_no_stale(&t);
	teardown(&t);
}

TEST(write_failures)
{
	static const char *const errs[] = { "EIO", "ENODEV", "EBUSY", "EINVAL" };
	char conf[128];
	struct tc t;

	for (size_t e = 0; e < 4; e++) {
		/* the override write itself */
		snprintf(conf, sizeof(conf), "fail-write 0000:02:00.0/driver_override %s\n", errs[e]);
		setup(&t, "qemu-std", "02:00.0", conf);
		run(&t);
		CHECK_INT(t.failed, 1);
		CHECK(item(&t, "0000:02:00.0")->result == PT_RES_ROLLED_BACK);
		CHECK(strstr(item(&t, "0000:02:00.0")->reason, "driver_override"));
		CHECK_STR(driver_of(&t, "0000:02:00.0"), "nvme");
		check_no_stale(&t);
		teardown(&t);

		/* the unbind from the host driver */
		snprintf(conf, sizeof(conf), "fail-write 0000:02:00.0/driver/unbind %s\n", errs[e]);
		setup(&t, "qemu-std", "02:00.0", conf);
		run(&t);
		CHECK_INT(t.failed, 1);
		CHECK(item(&t, "0000:02:00.0")->result == PT_RES_ROLLED_BACK);
		CHECK(strstr(item(&t, "0000:02:00.0")->reason, "unbinding nvme"));
		CHECK_STR(driver_of(&t, "0000:02:00.0"), "nvme");
		CHECK_STR(override_of(&t, "0000:02:00.0"), "(null)");
		check_no_stale(&t);
		teardown(&t);

		/* drivers_probe: the device is left unbound, then reprobed to nvme */
		snprintf(conf, sizeof(conf), "fail-write drivers_probe %s 1\n", errs[e]);
		setup(&t, "qemu-std", "02:00.0", conf);
		run(&t);
		CHECK_INT(t.failed, 1);
		CHECK(item(&t, "0000:02:00.0")->result == PT_RES_ROLLED_BACK);
		CHECK_STR(driver_of(&t, "0000:02:00.0"), "nvme");
		CHECK_STR(override_of(&t, "0000:02:00.0"), "(null)");
		check_no_stale(&t);
		teardown(&t);
	}
}

/* the worst case: the rollback's own write fails. It must say so. */
TEST(rollback_write_fails)
{
	struct tc t;

	setup(&t, "qemu-std", "02:00.0",
	      "refuse-probe 0000:02:00.0\nfail-write 0000:02:00.0/driver_override EIO 2\n");
	run(&t);
	CHECK_INT(t.failed, 1);
	CHECK(item(&t, "0000:02:00.0")->result == PT_RES_FAILED);
	CHECK(strstr(item(&t, "0000:02:00.0")->reason, "rollback failed"));
	CHECK(strstr(item(&t, "0000:02:00.0")->reason, "driver_override=vfio-pci"));
	teardown(&t);
}

TEST(host_driver_wins)
{
	struct tc t;

	/* between unbind and probe the host driver grabs it again */
	setup(&t, "qemu-std", "02:00.0", "probe-binds 0000:02:00.0 nvme\n");
	run(&t);
	CHECK_INT(t.failed, 1);
	CHECK(item(&t, "0000:02:00.0")->result == PT_RES_ROLLED_BACK);
	CHECK(strstr(item(&t, "0000:02:00.0")->reason, "nvme took the device"));
	CHECK_STR(driver_of(&t, "0000:02:00.0"), "nvme");
	check_no_stale(&t);
	teardown(&t);
}

TEST(group_rollback)
{
	struct tc t;

	/* audio fails: the GPU of the same group goes back too */
	setup(&t, "qemu-std", "01:00.*", "refuse-probe 0000:01:00.1\n");
	run(&t);
	CHECK_INT(t.failed, 2);
	CHECK(item(&t, "0000:01:00.0")->result == PT_RES_ROLLED_BACK);
	CHECK(strstr(item(&t, "0000:01:00.0")->reason, "IOMMU group 8"));
	CHECK(item(&t, "0000:01:00.1")->result == PT_RES_ROLLED_BACK);
	CHECK_STR(driver_of(&t, "0000:01:00.0"), "bochs-drm");
	CHECK_STR(driver_of(&t, "0000:01:00.1"), "snd_hda_intel");
	check_no_stale(&t);
	teardown(&t);
}

TEST(module_missing)
{
	struct tc t;

	setup(&t, "qemu-preudev", "02:00.0", "fail-load vfio_pci_core ENOEXEC\n");
	run(&t);
	CHECK_INT(t.load, -ENOEXEC);
	CHECK(!journal_mentions(&t, "write ")); /* no sysfs write at all */
	CHECK_STR(override_of(&t, "0000:02:00.0"), "(null)");
	teardown(&t);
}

TEST(guard_refusal)
{
	struct tc t;

	/* a BDF shift: 02:00.0 is no longer the NVMe the guard expects */
	setup(&t, "qemu-preudev", "02:00.0@8086:10d3,03:00.0@1b36:0010", NULL);
	run(&t);
	CHECK_INT(t.failed, 0);
	CHECK(item(&t, "0000:02:00.0")->action == PT_ACT_REFUSE);
	CHECK(item(&t, "0000:02:00.0")->result == PT_RES_REFUSED);
	CHECK(strstr(item(&t, "0000:02:00.0")->reason, "found 1b36:0010 class 0108, expected 8086:10d3"));
	CHECK(!journal_mentions(&t, "0000:02:00.0"));
	CHECK_STR(driver_of(&t, "0000:03:00.0"), "vfio-pci");
	teardown(&t);
}

static const struct test_case tests[] = {
	TEST_CASE(preudev_bind),	 TEST_CASE(runtime_bind),     TEST_CASE(bind_again_no_op),
	TEST_CASE(probe_refused),	 TEST_CASE(no_iommu),	      TEST_CASE(write_failures),
	TEST_CASE(rollback_write_fails), TEST_CASE(host_driver_wins), TEST_CASE(group_rollback),
	TEST_CASE(module_missing),	 TEST_CASE(guard_refusal),
};
TEST_MAIN(tests)
