// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The module loader against modprobe's semantics: dependency order,
 * softdeps from modules.softdep and modprobe.d, options from modprobe.d and
 * the kernel command line, built-in and loaded modules, install commands
 * and compressed modules handed to modprobe.
 * Usage: test-modload [--fixtures DIR] [--scratch DIR] [--list] [CASE...]
 */
#include <errno.h>
#include <unistd.h>

#include "ptboot.h"
#include "test.h"

static int ncase;

struct tc {
	char root[512];
	int rootfd;
	struct pt_kernel *k;
	struct pt_modload *m;
	struct pt_modload_stats st;
	int r;
};

static void load(struct tc *t, const char *fixture, const char *cmdline, const char *extra_sh,
		 const char *name)
{
	struct pt_sys sys;

	memset(t, 0, sizeof(*t));
	snprintf(t->root, sizeof(t->root), "%s/mod-%d", test_scratch, ++ncase);
	fixture_copy(test_fixtures, fixture, t->root);
	if (extra_sh) {
		char cmd[2048];

		snprintf(cmd, sizeof(cmd), "cd '%s' && %s", t->root, extra_sh);
		if (system(cmd) != 0)
			exit(2);
	}
	if (pt_sys_open(t->root, &sys) < 0)
		exit(2);
	t->rootfd = sys.rootfd;
	if (pt_kernel_new(t->rootfd, &t->k) < 0)
		exit(2);
	t->r = pt_modload_new(t->rootfd, NULL, cmdline, &t->m);
	if (t->r == 0)
		t->r = pt_modload_probe(t->m, t->k, name, &t->st);
}

static void done(struct tc *t)
{
	pt_modload_free(t->m);
	pt_kernel_free(t->k);
	close(t->rootfd);
}

static const char *param(struct tc *t, const char *mod)
{
	char f[128];
	const char *s;

	snprintf(f, sizeof(f), "sys/module/%s/fake-params", mod);
	s = slurp(t->root, f);
	return s ? s : "(not loaded)";
}

static int plan_cb(void *data, const char *path, const char *options)
{
	char *out = data;
	size_t n = strlen(out);

	snprintf(out + n, 512 - n, "%s[%s];", path, options);
	return 0;
}

/* the 6.1 layout: six modules, dependencies last to first, the softdep */
TEST(load_order)
{
	struct tc t;
	const char *j;

	load(&t, "qemu-preudev", NULL, NULL, "vfio-pci");
	CHECK_INT(t.r, 0);
	CHECK_INT(t.st.loaded, 6);
	CHECK_INT(t.st.builtin, 0);
	CHECK_STR(pt_modload_kver(t.m), "6.1.0-56-amd64");
	j = slurp(t.root, "fake-kernel.log");
	CHECK(j && strstr(j, "load vfio_virqfd") < strstr(j, "load vfio_pci_core"));
	CHECK(j && strstr(j, "load vfio ") < strstr(j, "load vfio_iommu_type1"));
	done(&t);
}

/* "vfio_pci" and "vfio-pci" are one name; loading twice finds it there */
TEST(one_name_loaded_once)
{
	struct tc t;

	load(&t, "qemu-preudev", NULL, NULL, "vfio_pci");
	CHECK_INT(t.r, 0);
	CHECK_INT(pt_modload_probe(t.m, t.k, "vfio-pci", &t.st), 0);
	CHECK_INT(t.st.loaded, 6);
	CHECK_INT(t.st.present, 1);
	done(&t);
}

/* options: kernel command line first, then modprobe.d, as kmod does */
TEST(options_order)
{
	struct tc t;

	load(&t, "qemu-preudev",
	     "ro vfio_iommu_type1.allow_unsafe_interrupts=1 vfio-pci.disable_vga=1 other.x=1",
	     "mkdir -p etc/modprobe.d usr/lib/modprobe.d && "
	     "printf 'options vfio-pci ids=1b36:0010 \\\\\\n  disable_idle_d3=1 # note\\n"
	     "softdep vfio_pci pre: nosuchmodule\\n' > etc/modprobe.d/vfio.conf && "
	     "printf 'options vfio_pci shadowed=1\\n' > usr/lib/modprobe.d/vfio.conf && "
	     "printf 'options vfio_pci fromusr=1\\n' > usr/lib/modprobe.d/zz.conf",
	     "vfio-pci");
	CHECK_INT(t.r, 0);
	CHECK_STR(param(&t, "vfio_iommu_type1"), "allow_unsafe_interrupts=1");
	CHECK_STR(param(&t, "vfio_pci"), "disable_vga=1 ids=1b36:0010 disable_idle_d3=1 fromusr=1");
	CHECK_STR(param(&t, "vfio"), "");
	done(&t);
}

/* the ids= option really binds, the way the seed guide's config does */
TEST(ids_option_binds)
{
	struct tc t;

	load(&t, "qemu-preudev", "vfio-pci.ids=1b36:0010", NULL, "vfio-pci");
	CHECK_INT(t.r, 0);
	{
		char link[64];

		CHECK(pt_read_link_name(t.rootfd, "sys/bus/pci/devices/0000:02:00.0/driver", link,
					sizeof(link)) > 0 &&
		      strcmp(link, "vfio-pci") == 0);
		CHECK(pt_read_link_name(t.rootfd, "sys/bus/pci/devices/0000:03:00.0/driver", link,
					sizeof(link)) > 0 &&
		      strcmp(link, "vfio-pci") == 0);
	}
	done(&t);
}

/* built in: nothing to load */
TEST(builtin)
{
	struct tc t;

	load(&t, "qemu-preudev", NULL,
	     "echo kernel/drivers/vfio/pci/vfio-pci.ko >> lib/modules/6.1.0-56-amd64/modules.builtin",
	     "vfio-pci");
	CHECK_INT(t.r, 0);
	CHECK_INT(t.st.builtin, 1);
	CHECK_INT(t.st.loaded, 0);
	done(&t);
}

/* an install command is modprobe's job */
TEST(install_command)
{
	struct tc t;

	load(&t, "qemu-preudev", NULL,
	     "mkdir -p etc/modprobe.d && echo 'install vfio-pci /bin/true' > etc/modprobe.d/x.conf",
	     "vfio-pci");
	CHECK_INT(t.r, -ENOTSUP);
	CHECK_INT(t.st.loaded, 0);
	done(&t);
}

/* compressed modules: only when the kernel inflates them itself */
TEST(compressed)
{
	struct tc t;

	load(&t, "qemu-preudev", NULL,
	     "cd lib/modules/6.1.0-56-amd64 && mv kernel/virt/lib/irqbypass.ko kernel/virt/lib/irqbypass.ko.zst"
	     " && sed -i 's|irqbypass.ko|irqbypass.ko.zst|g' modules.dep",
	     "vfio-pci");
	CHECK_INT(t.r, -ENOTSUP);
	done(&t);
	load(&t, "qemu-preudev", NULL,
	     "cd lib/modules/6.1.0-56-amd64 && mv kernel/virt/lib/irqbypass.ko kernel/virt/lib/irqbypass.ko.zst"
	     " && sed -i 's|irqbypass.ko|irqbypass.ko.zst|g' modules.dep && cd ../../.. &&"
	     " mkdir -p sys/module && echo zstd > sys/module/compression",
	     "vfio-pci");
	CHECK_INT(t.r, 0);
	CHECK_INT(t.st.loaded, 6);
	done(&t);
}

/* failures: a dependency that won't load, a module that isn't there */
TEST(dependency_fails)
{
	struct tc t;

	load(&t, "qemu-preudev", NULL, "echo 'fail-load vfio EKEYREJECTED' > fake-kernel.conf", "vfio-pci");
	CHECK_INT(t.r, -EKEYREJECTED);
	CHECK(strstr(t.st.first_error, "kernel/drivers/vfio/vfio.ko"));
	CHECK_STR(param(&t, "vfio_pci"), "(not loaded)");
	done(&t);
}

TEST(module_missing)
{
	struct tc t;

	load(&t, "qemu-preudev", NULL, NULL, "no-such-module");
	CHECK_INT(t.r, -ENOENT);
	done(&t);
	load(&t, "qemu-preudev", NULL, "rm lib/modules/6.1.0-56-amd64/modules.dep", "vfio-pci");
	CHECK_INT(t.r, -ENOENT);
	done(&t);
}

/* the dry plan from memory: the load order and options, nothing touched */
TEST(plan_from_memory)
{
	{
		static const char dep[] = "kernel/a/base.ko:\n"
					  "kernel/a/mid-dep.ko: kernel/a/base.ko\n"
					  "kernel/a/top.ko.xz: kernel/a/mid-dep.ko kernel/a/base.ko\n"
					  "kernel/a/late.ko: kernel/a/base.ko\n"
					  "kernel/a/early.ko:\n";
		struct pt_modload_stats st = { 0 };
		struct pt_modload *mm;
		char order[512] = "";

		CHECK_INT(pt_modload_new_mem("9.9", dep, "kernel/b/inside.ko\n",
					     "softdep base post: late\nsoftdep top pre: early missing\n"
					     "options top a=1\noptions mid_dep   b=2   c=3\n",
					     "top.x=\"y z\" mid-dep.d=4", &mm),
			  0);
		CHECK_INT(pt_modload_plan(mm, "top", plan_cb, order, &st), 0);
		CHECK_STR(order, "kernel/a/early.ko[];kernel/a/base.ko[];kernel/a/late.ko[];"
				 "kernel/a/mid-dep.ko[d=4 b=2 c=3];kernel/a/top.ko.xz[x=\"y z\" a=1];");
		CHECK_INT(st.loaded, 5);
		order[0] = '\0';
		CHECK_INT(pt_modload_plan(mm, "inside", plan_cb, order, &st), 0);
		CHECK_STR(order, "");
		CHECK_INT(st.builtin, 1);
		CHECK_INT(pt_modload_plan(mm, "nothere", plan_cb, order, &st), -ENOENT);
		pt_modload_free(mm);
	}
}

/* issue 16: beside pt.devices=, vfio_pci's ids= is left out and its source named; the rest passed */
TEST(drop_vfio_ids)
{
	static const char dep[] = "kernel/v/vfio-pci.ko:\n";
	struct pt_modload_stats st = { 0 };
	struct pt_modload *mm;
	char order[512] = "";

	CHECK_INT(pt_modload_new_mem("9.9", dep, NULL, "options vfio-pci ids=1002:744c disable_idle_d3=1\n",
				     "ro vfio_pci.nointxmask=1", &mm),
		  0);
	CHECK(pt_modload_dropped_ids(mm) == NULL);
	pt_modload_drop_vfio_ids(mm, true);
	CHECK_INT(pt_modload_plan(mm, "vfio-pci", plan_cb, order, &st), 0);
	CHECK_STR(order, "kernel/v/vfio-pci.ko[nointxmask=1 disable_idle_d3=1];");
	CHECK_STR(pt_modload_dropped_ids(mm), "ids=1002:744c (from modprobe.d)");
	pt_modload_free(mm);
	order[0] = '\0';
	CHECK_INT(pt_modload_new_mem("9.9", dep, NULL, NULL, "vfio-pci.ids=10de:2484 x", &mm), 0);
	CHECK_INT(pt_modload_plan(mm, "vfio_pci", plan_cb, order, &st), 0); /* not asked: kept */
	CHECK_STR(order, "kernel/v/vfio-pci.ko[ids=10de:2484];");
	CHECK(pt_modload_dropped_ids(mm) == NULL);
	pt_modload_drop_vfio_ids(mm, true);
	CHECK_INT(pt_modload_plan(mm, "vfio_pci", plan_cb, order, &st), 0);
	CHECK_STR(pt_modload_dropped_ids(mm),
		  "ids=10de:2484 (from vfio-pci.ids= on the kernel command line)");
	pt_modload_free(mm);
}

static const struct test_case tests[] = {
	TEST_CASE(load_order),	   TEST_CASE(one_name_loaded_once),
	TEST_CASE(options_order),  TEST_CASE(ids_option_binds),
	TEST_CASE(builtin),	   TEST_CASE(install_command),
	TEST_CASE(compressed),	   TEST_CASE(dependency_fails),
	TEST_CASE(module_missing), TEST_CASE(plan_from_memory),
	TEST_CASE(drop_vfio_ids),
};
TEST_MAIN(tests)
