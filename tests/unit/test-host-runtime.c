// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the runtime hand-off's library half: the state report reader (strict JSON),
 * the VM-definition renderer, and the safety holds on the seed's and the twins' fixture trees.
 */
#include <errno.h>

#include "host.h"
#include "test.h"

TEST(state_report)
{
	static const char good[] =
		"{\n  \"version\": 1, \"tool\": \"pt-early\", \"policy\": \"02:00.0,01:00.*\",\n"
		"  \"off\": false, \"debug\": false, \"dry_run\": false, \"kernel\": \"6.1.0-56-amd64\",\n"
		"  \"iommu\": true, \"modules\": \"loaded\", \"modules_us\": 81234,\n"
		"  \"errors\": [\"a \\\"quoted\\\" \\u00e9 \\ud83d\\ude00 error\"], \"warnings\": [],\n"
		"  \"devices\": [\n"
		"    {\"slot\": \"0000:02:00.0\", \"vendor\": \"1b36\", \"device\": \"0010\", \"class\": \"010802\",\n"
		"     \"group\": 9, \"selector\": \"02:00.0\", \"action\": \"bind\", \"driver_before\": null,\n"
		"     \"driver_after\": \"vfio-pci\", \"result\": \"bound\", \"reason\": null},\n"
		"    {\"slot\": \"0000:05:00.0\", \"vendor\": \"8086\", \"device\": \"10d3\", \"class\": \"020000\",\n"
		"     \"group\": -1, \"selector\": \"05:00.0@1b36:0010\", \"action\": \"refuse\",\n"
		"     \"driver_before\": \"e1000e\", \"driver_after\": \"e1000e\", \"result\": \"refused\",\n"
		"     \"reason\": \"guard mismatch\"}\n"
		"  ],\n  \"elapsed_us\": 95012\n}\n";
	struct pt_state st;
	size_t off = 0;

	CHECK_INT(pt_state_parse(good, &st, &off), 0);
	CHECK_STR(st.tool, "pt-early");
	CHECK_STR(st.policy, "02:00.0,01:00.*");
	CHECK_STR(st.kernel, "6.1.0-56-amd64");
	CHECK(st.has_iommu && st.iommu);
	CHECK_INT(st.modules_us, 81234);
	CHECK_INT(st.elapsed_us, 95012);
	CHECK_INT(st.nerrors, 1);
	CHECK_STR(st.errors[0], "a \"quoted\" \xc3\xa9 \xf0\x9f\x98\x80 error");
	CHECK_INT(st.nwarnings, 0);
	CHECK_INT(st.ndevs, 2);
	CHECK_STR(st.devs[0].slot, "0000:02:00.0");
	CHECK_INT(st.devs[0].vendor, 0x1b36);
	CHECK_INT(st.devs[0].group, 9);
	CHECK_STR(st.devs[0].driver_before, "");
	CHECK_STR(st.devs[0].driver_after, "vfio-pci");
	CHECK_STR(st.devs[1].result, "refused");
	CHECK_INT(st.devs[1].group, -1);
	pt_state_free(&st);
}

TEST(state_malformed)
{
	static const char *const bad[] = {
		"",
		"{",
		"[]",
		"{\"version\": 2, \"devices\": []}",
		"{\"version\": 1}",
		"{\"version\": 1, \"devices\": []} x",
		"{\"version\": 1, \"devices\": [}",
		"{\"version\": 1, \"devices\": [\"\\x\"]}",
		"{\"version\": 1, \"devices\": [\"a\nb\"]}",
		"{\"version\": 1 \"devices\": []}",
		"{\"version\": 1, \"devices\": [tru]}",
		"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]",
	};
	struct pt_state st;
	size_t off = 0;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int r = pt_state_parse(bad[i], &st, &off);

		CHECK_INT(r, -EINVAL);
		if (r == 0)
			pt_state_free(&st);
	}
}

TEST(virt_format)
{
	enum pt_virt_format f;

	CHECK_INT(pt_virt_format_parse("libvirt", &f), 0);
	CHECK_INT(f, PT_VIRT_LIBVIRT);
	CHECK_INT(pt_virt_format_parse("virt-install", &f), 0);
	CHECK_INT(f, PT_VIRT_VIRT_INSTALL);
	CHECK_INT(pt_virt_format_parse("qemu", &f), 0);
	CHECK_INT(pt_virt_format_parse("xml", &f), -EINVAL);
}

TEST(virt_render)
{
	struct pt_sys sys;
	struct pt_buf b = { 0 };
	bool sel[512] = { false };
	char root[512];

	snprintf(root, sizeof(root), "%s/seed-full", test_fixtures);
	CHECK_INT(pt_sys_open(root, &sys), 0);
	CHECK_INT(pt_sys_scan(&sys), 0);
	CHECK(sys.ndevs < 512);
	/* nothing selected, or only bridges */
	CHECK_INT(pt_virt_render(&sys, sel, PT_VIRT_QEMU, "t", &b), -ENODEV);
	for (size_t i = 0; i < sys.ndevs; i++)
		sel[i] = pt_dev_is_bridge(&sys.devs[i]);
	CHECK_INT(pt_virt_render(&sys, sel, PT_VIRT_QEMU, "t", &b), -ENODEV);
	for (size_t i = 0; i < sys.ndevs; i++) {
		const char *s = sys.devs[i].slot;

		/* the GPU's audio function alone, and a lone NVMe: no guest address, function 0 */
		sel[i] = strcmp(s, "0000:03:00.1") == 0 || strcmp(s, "0000:6e:00.0") == 0;
	}
	CHECK_INT(pt_virt_render(&sys, sel, PT_VIRT_QEMU, "a -- b", &b), 0);
	CHECK(b.data && strstr(b.data, "-device vfio-pci,host=0000:03:00.1,id=pt-03-00-1 \\\n"));
	CHECK(b.data && strstr(b.data, "-device vfio-pci,host=0000:6e:00.0,id=pt-6e-00-0\n"));
	CHECK(b.data && !strstr(b.data, "pcie-root-port"));
	CHECK(b.data && strstr(b.data, "IOMMU group 15 also holds 03:00.0 [1002:744c] (amdgpu)"));
	pt_buf_free(&b);
	/* the GPU pair: one multifunction device; an XML comment never holds "--" */
	for (size_t i = 0; i < sys.ndevs; i++)
		sel[i] = strncmp(sys.devs[i].slot, "0000:03:00.", 11) == 0;
	CHECK_INT(pt_virt_render(&sys, sel, PT_VIRT_LIBVIRT, "--policy x--", &b), 0);
	CHECK(b.data && strstr(b.data, "<controller type='pci' model='pcie-root-port' index='16'/>"));
	CHECK(b.data && strstr(b.data, "bus='0x10' slot='0x00' function='0x0' multifunction='on'/>"));
	CHECK(b.data && strstr(b.data, "bus='0x10' slot='0x00' function='0x1'/>"));
	CHECK(b.data && strstr(b.data, "GPU without a reset method"));
	for (const char *p = b.data; p && (p = strstr(p, "<!--")); p += 4) {
		const char *e = strstr(p + 4, "-->");

		CHECK(e != NULL);
		for (const char *q = p + 4; e && q < e; q++)
			CHECK(!(q[0] == '-' && q[1] == '-'));
	}
	pt_buf_free(&b);
	pt_sys_close(&sys);
}

TEST(safety_holds)
{
	struct pt_openers op = { 0 };
	struct pt_holds hs;
	struct pt_host h;
	char root[512];
	bool *take;

	snprintf(root, sizeof(root), "%s/twin-full", test_fixtures);
	CHECK_INT(pt_host_open(root, NULL, true, &h), 0);
	CHECK_INT(pt_openers_scan(h.sys.rootfd, &op), 0);
	CHECK_INT(op.n, 0);
	take = calloc(h.sys.ndevs, sizeof(*take));
	for (size_t i = 0; i < h.sys.ndevs; i++) {
		const char *s = h.sys.devs[i].slot;

		take[i] = strcmp(s, "0000:04:00.0") == 0 || strcmp(s, "0000:05:00.0") == 0 ||
			  strcmp(s, "0000:07:00.0") == 0 || strcmp(s, "0000:09:00.0") == 0;
	}
	CHECK_INT(pt_safety_bind(&h, &op, take, &hs), 0);
	CHECK_INT(hs.n, 3);
	if (hs.n == 3) {
		CHECK_INT(hs.v[0].kind, PT_HOLD_SYSTEM);
		CHECK(strstr(hs.v[0].text, "04:00.0") && strstr(hs.v[0].text, "nvme0n1"));
		CHECK_INT(hs.v[1].kind, PT_HOLD_DISK);
		CHECK(strstr(hs.v[1].text, "/srv/data") != NULL);
		CHECK_INT(hs.v[2].kind, PT_HOLD_GROUP);
		CHECK(strstr(hs.v[2].text, "09:00.1 [10de:228b] on snd_hda_intel") != NULL);
		CHECK_STR(pt_hold_name(hs.v[2].kind), "group");
	}
	pt_holds_free(&hs);
	/* nothing on vfio-pci: nothing holds a release */
	CHECK_INT(pt_safety_release(&h, &op, take, &hs), 0);
	CHECK_INT(hs.n, 0);
	pt_holds_free(&hs);
	free(take);
	pt_openers_free(&op);
	pt_host_close(&h);
}

static const struct test_case tests[] = {
	TEST_CASE(state_report), TEST_CASE(state_malformed), TEST_CASE(virt_format),
	TEST_CASE(virt_render),	 TEST_CASE(safety_holds),
};
TEST_MAIN(tests)
