// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The device model read from fixture trees laid out like the kernel's sysfs
 * (the seed's host and the QEMU machine), and the planner on top of it.
 * Usage: test-sysfs [--fixtures DIR] [--scratch DIR] [--list] [CASE...]
 */
#include <errno.h>
#include <unistd.h>

#include "ptboot.h"
#include "test.h"

static struct pt_sys open_scan(const char *fixtures, const char *name)
{
	char root[512];
	struct pt_sys sys;

	snprintf(root, sizeof(root), "%s/%s", fixtures, name);
	if (pt_sys_open(root, &sys) < 0 || (sys.host_attrs = true, pt_sys_scan(&sys)) < 0) {
		fprintf(stderr, "cannot read fixture %s\n", root);
		exit(2);
	}
	return sys;
}

static const struct pt_item *item(const struct pt_sys *sys, const struct pt_plan *p, const char *slot)
{
	for (size_t i = 0; i < p->nitems; i++)
		if (strcmp(sys->devs[p->items[i].dev].slot, slot) == 0)
			return &p->items[i];
	return NULL;
}

static bool has_note(const struct pt_plan *p, const char *text)
{
	for (size_t i = 0; i < p->nnotes; i++)
		if (strstr(p->notes[i].text, text))
			return true;
	return false;
}

static void plan(const struct pt_sys *sys, const char *policy, bool complete, struct pt_plan *p)
{
	struct pt_policy pol;

	if (pt_policy_parse(policy, &pol, NULL) < 0 || pt_plan_build(sys, &pol, complete, p) < 0) {
		fprintf(stderr, "cannot plan %s\n", policy);
		exit(2);
	}
	pt_policy_free(&pol);
}

/* the seed's host: what lspci -nnk shows in the guide */
TEST(seed_host_model)
{
	const struct pt_dev *d;
	struct pt_sys sys;

	sys = open_scan(test_fixtures, "seed-host");
	CHECK(sys.ndevs > 40);
	CHECK(sys.iommu);
	for (size_t i = 1; i < sys.ndevs; i++)
		CHECK(strcmp(sys.devs[i - 1].slot, sys.devs[i].slot) < 0);
	d = pt_sys_find(&sys, "0000:03:00.0");
	CHECK(d != NULL);
	if (d) {
		CHECK_INT(d->vendor, 0x1002);
		CHECK_INT(d->device, 0x744c);
		CHECK_INT(d->subvendor, 0x1da2);
		CHECK_INT(d->subdevice, 0xe471);
		CHECK_INT(d->cls, 0x030000);
		CHECK_INT(d->group, 15);
		CHECK_INT(d->bus, 3);
		CHECK_INT(d->fn, 0);
		CHECK_INT(d->boot_vga, 0);
		CHECK_STR(d->driver, "amdgpu");
		CHECK_STR(d->override, "");
		CHECK_STR(d->reset_method, ""); /* Navi 31: no usable reset */
		CHECK(pt_dev_is_display(d) && !pt_dev_is_bridge(d));
	}
	d = pt_sys_find(&sys, "0000:03:00.1");
	CHECK(d && d->group == 15 && strcmp(d->driver, "snd_hda_intel") == 0 && d->boot_vga == -1);
	d = pt_sys_find(&sys, "0000:7c:00.0");
	CHECK(d && d->boot_vga == 1 && d->device == 0x164e);
	d = pt_sys_find(&sys, "0000:6e:00.0");
	CHECK(d && d->cls == 0x010802 && strcmp(d->reset_method, "flr bus") == 0);
	d = pt_sys_find(&sys, "0000:00:00.2"); /* the IOMMU itself: no group */
	CHECK(d && d->group == -1);
	d = pt_sys_find(&sys, "0000:02:00.0");
	CHECK(d && pt_dev_is_bridge(d) && strcmp(d->driver, "pcieport") == 0);
	CHECK(pt_sys_find(&sys, "0000:99:00.0") == NULL);
	pt_sys_close(&sys);
}

/* pt-early's scan leaves reset_method and driver_override alone: reads per function it has
 * no use for (it reads the override of what it binds, right before the write); ptctl's
 * scan (host_attrs) reads them */
TEST(host_attrs_only_when_asked)
{
	char root[600];
	struct pt_sys sys;
	const struct pt_dev *d;

	snprintf(root, sizeof(root), "%s/host-attrs", test_scratch);
	fixture_copy(test_fixtures, "seed-host", root);
	put(root, "sys/bus/pci/devices/0000:6e:00.0/driver_override", "vfio-pci\n");
	for (int host = 0; host <= 1; host++) {
		CHECK(pt_sys_open(root, &sys) == 0);
		sys.host_attrs = host;
		CHECK(pt_sys_scan(&sys) == 0);
		d = pt_sys_find(&sys, "0000:6e:00.0");
		CHECK(d && d->vendor == 0xc0a9);
		CHECK_STR(d->reset_method, host ? "flr bus" : "");
		CHECK_STR(d->override, host ? "vfio-pci" : "");
		CHECK_INT(pt_dev_refresh(&sys, (struct pt_dev *)d), 0);
		CHECK_STR(d->override, "vfio-pci");
		pt_sys_close(&sys);
	}
}

/* the seed's GPU by guarded slot: the audio function is left behind */
TEST(plan_group_member_left_behind)
{
	struct pt_sys sys = open_scan(test_fixtures, "seed-host");
	struct pt_plan p;

	plan(&sys, "03:00.0@1002:744c,6e:00.0@c0a9:5421", false, &p);
	CHECK_INT(p.nitems, 2);
	CHECK(has_note(&p, "IOMMU group 15 also holds 0000:03:00.1 [1002:ab30]"));
	pt_plan_free(&p);
	plan(&sys, "03:00.0@1002:744c", true, &p);
	CHECK_INT(p.nitems, 2);
	CHECK(item(&sys, &p, "0000:03:00.1") && item(&sys, &p, "0000:03:00.1")->action == PT_ACT_BIND);
	CHECK(item(&sys, &p, "0000:03:00.1")->sel == -1);
	CHECK(!has_note(&p, "also holds"));
	pt_plan_free(&p);
	pt_sys_close(&sys);
}

/* the whole slot: no warning; the upstream switch bridges are not members */
TEST(plan_whole_slot)
{
	struct pt_sys sys = open_scan(test_fixtures, "seed-host");
	struct pt_plan p;

	plan(&sys, "03:00.*", false, &p);
	CHECK_INT(p.nitems, 2);
	CHECK_INT(p.nnotes, 0);
	pt_plan_free(&p);
	pt_sys_close(&sys);
}

/* all of AMD: the iGPU (boot VGA) is refused, its audio and the dGPU go */
TEST(plan_boot_vga_refused)
{
	struct pt_sys sys = open_scan(test_fixtures, "seed-host");
	struct pt_plan p;

	plan(&sys, "1002:*:0300,1002:*:0403", false, &p);
	CHECK(item(&sys, &p, "0000:7c:00.0") && item(&sys, &p, "0000:7c:00.0")->action == PT_ACT_REFUSE);
	CHECK(item(&sys, &p, "0000:03:00.0")->action == PT_ACT_BIND);
	CHECK(item(&sys, &p, "0000:7c:00.1")->action == PT_ACT_BIND);
	pt_plan_free(&p);
	pt_sys_close(&sys);
}

/* a guard against the wrong disk: 04:00.0 holds / and is a Samsung */
TEST(plan_guard_mismatch)
{
	struct pt_sys sys = open_scan(test_fixtures, "seed-host");
	struct pt_plan p;

	plan(&sys, "04:00.0@c0a9:5421", false, &p);
	CHECK(item(&sys, &p, "0000:04:00.0")->action == PT_ACT_REFUSE);
	CHECK(strstr(item(&sys, &p, "0000:04:00.0")->reason, "found 144d:a80c class 0108"));
	pt_plan_free(&p);
	pt_sys_close(&sys);
}

/* the ISA bridge beside SMBus is a bridge: no warning for it */
TEST(plan_bridge_no_note)
{
	struct pt_sys sys = open_scan(test_fixtures, "seed-host");
	struct pt_plan p;

	plan(&sys, "00:14.0", false, &p);
	CHECK_INT(p.nnotes, 0);
	pt_plan_free(&p);
	pt_sys_close(&sys);
}

TEST(plan_no_match_noted)
{
	struct pt_sys sys = open_scan(test_fixtures, "seed-host");
	struct pt_plan p;

	plan(&sys, "0000:99:00.0", false, &p);
	CHECK(has_note(&p, "selector 0000:99:00.0 matched no PCI function"));
	pt_plan_free(&p);
	pt_sys_close(&sys);
}

/* refresh sees a driver change */
TEST(refresh_driver_change)
{
	struct pt_sys sys;
	char scratch_root[600];

	snprintf(scratch_root, sizeof(scratch_root), "%s/sysfs", test_scratch);
	fixture_copy(test_fixtures, "qemu-std", scratch_root);
	CHECK_INT(pt_sys_open(scratch_root, &sys), 0);
	CHECK_INT(pt_sys_scan(&sys), 0);
	CHECK_INT(sys.ndevs, 16);
	{
		char path[700];
		struct pt_dev *nv = (struct pt_dev *)pt_sys_find(&sys, "0000:02:00.0");

		CHECK(nv && strcmp(nv->driver, "nvme") == 0);
		snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/0000:02:00.0/driver", scratch_root);
		CHECK_INT(unlink(path), 0);
		put(scratch_root, "sys/bus/pci/devices/0000:02:00.0/driver_override", "vfio-pci\n");
		CHECK_INT(pt_dev_refresh(&sys, nv), 0);
		CHECK_STR(nv->driver, "");
		CHECK_STR(nv->override, "vfio-pci");
	}
	pt_sys_close(&sys);
}

/* IDs and class come from the uevent file (one read); a uevent without them falls back to the
 * attribute files; neither readable leaves the function unreadable but in the model */
TEST(ids_from_uevent)
{
	char scratch_root[600], path[700];
	const struct pt_dev *d;
	struct pt_sys sys;

	snprintf(scratch_root, sizeof(scratch_root), "%s/uevent", test_scratch);
	fixture_copy(test_fixtures, "qemu-std", scratch_root);
	/* the uevent is what is read: its IDs differ from the attribute files' here */
	put(scratch_root, "sys/bus/pci/devices/0000:02:00.0/uevent",
	    "DRIVER=nvme\nPCI_CLASS=10802\nPCI_ID=144D:A808\nPCI_SUBSYS_ID=144D:A801\n"
	    "PCI_SLOT_NAME=0000:02:00.0\nMODALIAS=pci:v0000144Dd0000A808sv0000144Dsd0000A801bc01sc08i02\n");
	/* the driver too, DRIVER= only while bound: no DRIVER= here, whatever the link says
	 * (the kernel fills both from dev->driver) */
	put(scratch_root, "sys/bus/pci/devices/0000:05:00.0/uevent",
	    "PCI_CLASS=20000\nPCI_ID=8086:10D3\nPCI_SUBSYS_ID=8086:0000\n");
	/* no IDs in it: the attribute files */
	put(scratch_root, "sys/bus/pci/devices/0000:03:00.0/uevent", "DRIVER=nvme\n");
	/* a malformed ID and no attribute files: unreadable */
	put(scratch_root, "sys/bus/pci/devices/0000:04:00.0/uevent", "PCI_CLASS=20000\nPCI_ID=8086:zz\n");
	for (const char *const *a = (const char *const[]){ "vendor", "device", "class", NULL }; *a; a++) {
		snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/0000:04:00.0/%s", scratch_root, *a);
		CHECK_INT(unlink(path), 0);
	}
	CHECK_INT(pt_sys_open(scratch_root, &sys), 0);
	CHECK_INT(pt_sys_scan(&sys), 0);
	d = pt_sys_find(&sys, "0000:02:00.0");
	CHECK(d && d->vendor == 0x144d && d->device == 0xa808 && d->subvendor == 0x144d &&
	      d->subdevice == 0xa801 && d->cls == 0x010802 && !d->unreadable);
	d = pt_sys_find(&sys, "0000:03:00.0");
	CHECK(d && d->vendor == 0x1b36 && d->device == 0x0010 && d->cls == 0x010802 && !d->unreadable);
	CHECK(d && strcmp(d->driver, "nvme") == 0); /* from the driver link */
	CHECK(d && strcmp(d->driver, "nvme") == 0); /* DRIVER= */
	d = pt_sys_find(&sys, "0000:05:00.0");
	CHECK(d && d->device == 0x10d3 && d->driver[0] == '\0');
	CHECK_INT(pt_dev_refresh(&sys, (struct pt_dev *)d), 0);
	CHECK(d && strcmp(d->driver, "e1000e") == 0); /* the link, after a bind */
	d = pt_sys_find(&sys, "0000:04:00.0");
	CHECK(d && d->unreadable && d->vendor == 0xffff && d->group >= 0);
	d = pt_sys_find(&sys, "0000:00:02.0");
	CHECK(d && d->boot_vga == 1); /* VGA class: boot_vga read */
	d = pt_sys_find(&sys, "0000:01:00.1");
	CHECK(d && d->boot_vga == -1); /* audio: not looked for */
	pt_sys_close(&sys);
}

/* names and link targets as sysfs gives them */
TEST(slot_and_link_names)
{
	{
		struct pt_dev x;
		char b[16];

		CHECK(pt_slot_parse("0000:6e:00.0", &x) == 0 && x.bus == 0x6e && x.dev == 0 && x.fn == 0);
		CHECK(pt_slot_parse("10000:01:1f.7", &x) == 0 && x.domain == 0x10000 && x.dev == 0x1f &&
		      x.fn == 7); /* VMD domains are wider */
		CHECK(pt_slot_parse("0000:01:20.0", &x) < 0);
		CHECK(pt_slot_parse("0000:01:00.8", &x) < 0);
		CHECK(pt_slot_parse("0000:1:00.0", &x) < 0);
		CHECK(pt_slot_parse("pci0000:00", &x) < 0);
		CHECK(pt_slot_parse(":00:00.0", &x) < 0);
		CHECK(pt_link_basename("../../../bus/pci/drivers/nvme", b, sizeof(b)) == 4 &&
		      strcmp(b, "nvme") == 0);
		CHECK(pt_link_basename("../../kernel/iommu_groups/15/", b, sizeof(b)) == 2 &&
		      strcmp(b, "15") == 0);
		CHECK(pt_link_basename("vfio-pci", b, sizeof(b)) == 8);
		CHECK(pt_link_basename("/", b, sizeof(b)) < 0);
		CHECK(pt_link_basename("", b, sizeof(b)) < 0);
		CHECK(pt_link_basename("a/0123456789abcdef", b, sizeof(b)) < 0);
	}
}

/* bad roots */
TEST(bad_roots)
{
	struct pt_sys sys;

	CHECK_INT(pt_sys_open("/nonexistent/root", &sys), -ENOENT);
	CHECK_INT(pt_sys_open(test_scratch, &sys), 0);
	CHECK_INT(pt_sys_scan(&sys), -ENOENT);
	pt_sys_close(&sys);
}

static const struct test_case tests[] = {
	TEST_CASE(seed_host_model),
	TEST_CASE(host_attrs_only_when_asked),
	TEST_CASE(plan_group_member_left_behind),
	TEST_CASE(plan_whole_slot),
	TEST_CASE(plan_boot_vga_refused),
	TEST_CASE(plan_guard_mismatch),
	TEST_CASE(plan_bridge_no_note),
	TEST_CASE(plan_no_match_noted),
	TEST_CASE(refresh_driver_change),
	TEST_CASE(ids_from_uevent),
	TEST_CASE(slot_and_link_names),
	TEST_CASE(bad_roots),
};
TEST_MAIN(tests)
