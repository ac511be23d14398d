// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the pt.devices= policy parser, and the planner over a
 * fixed in-memory machine (twins, a multifunction GPU, bridges, boot VGA). */
#include <stdlib.h>
#include <string.h>

#include "ptboot.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static struct pt_dev dev(unsigned bus, unsigned d, unsigned fn, unsigned v, unsigned id, unsigned cls,
			 int group, int vga)
{
	struct pt_dev x = { .bus = bus,
			    .dev = d,
			    .fn = fn,
			    .vendor = v,
			    .device = id,
			    .cls = cls,
			    .group = group,
			    .boot_vga = vga };

	pt_snprintf(x.slot, sizeof(x.slot), "0000:%02x:%02x.%x", bus, d, fn);
	return x;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct pt_dev devs[] = {
		dev(0, 2, 0, 0x1234, 0x1111, 0x030000, 1, 1),
		dev(0, 4, 0, 0x1b36, 0x000c, 0x060400, 2, -1),
		dev(1, 0, 0, 0x1234, 0x1111, 0x038000, 8, -1),
		dev(1, 0, 1, 0x8086, 0x293e, 0x040300, 8, -1),
		dev(2, 0, 0, 0x1b36, 0x0010, 0x010802, 9, -1),
		dev(3, 0, 0, 0x1b36, 0x0010, 0x010802, 10, -1),
		dev(4, 0, 0, 0x8086, 0x10d3, 0x020000, -1, -1),
	};
	struct pt_sys sys = { .rootfd = -1, .devs = devs, .ndevs = ARRAY_SIZE(devs), .iommu = true };
	struct pt_policy_error e;
	struct pt_policy p;
	struct pt_plan plan;
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (pt_policy_parse(s, &p, &e) == 0) {
		for (int complete = 0; complete < 2; complete++)
			if (pt_plan_build(&sys, &p, complete, &plan) == 0) {
				struct pt_buf b = { 0 };
				struct pt_report_info info = { .tool = "fuzz", .policy = s };

				pt_report_json(&info, &sys, &p, &plan, &b);
				pt_buf_free(&b);
				pt_plan_free(&plan);
			}
		pt_policy_free(&p);
	}
	free(s);
	return 0;
}
