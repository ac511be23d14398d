// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer targets for the host tool's parsers of outside input, one binary
 * per parser: built with -DFUZZ_MOUNTINFO, _IOMEM, _STATE, _BLS, _GRUBCFG,
 * _GRUBENV, _ENTRYCONF, _UKI, _TUNE, _CPULIST (tests/fuzz/fuzz.mk). Each parses, uses the result the way ptctl
 * does, and frees it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);


int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
#if defined(FUZZ_MOUNTINFO)
	{
		struct pt_mounts m;

		if (pt_mountinfo_parse(s, &m) == 0)
			pt_mounts_free(&m);
	}
#elif defined(FUZZ_IOMEM)
	{
		struct pt_iomem io;
		char fb[64];

		if (pt_iomem_parse(s, &io) == 0) {
			(void)pt_iomem_framebuffer(&io, "0000:03:00.0", fb, sizeof(fb));
			pt_iomem_free(&io);
		}
	}
#elif defined(FUZZ_STATE)
	{
		struct pt_state st;
		size_t off;

		if (pt_state_parse(s, &st, &off) == 0)
			pt_state_free(&st);
	}
#elif defined(FUZZ_BLS)
	{
		struct pt_bls e;
		char kver[128];

		if (pt_bls_parse(s, size, &e) == 0) {
			struct pt_buf out = { 0 };

			(void)pt_bls_kver(&e, kver, sizeof(kver));
			(void)pt_bls_derive(&e, "ptboot-x", "host+passthrough", "iommu=pt pt.devices=03:00.0",
					    "root=/dev/x", &out);
			pt_buf_free(&out);
			pt_bls_free(&e);
		}
	}
#elif defined(FUZZ_GRUBCFG)
	{
		struct pt_menu m;

		if (pt_grubcfg_parse(s, size, &m) == 0)
			pt_menu_free(&m);
	}
#elif defined(FUZZ_GRUBENV)
	{
		struct pt_buf out = { 0 };
		char v[256];

		(void)pt_grubenv_get(s, size, "next_entry", v, sizeof(v));
		(void)pt_grubenv_set(s, size, "next_entry", "ptboot-6.1.0", &out);
		pt_buf_free(&out);
	}
#elif defined(FUZZ_ENTRYCONF)
	{
		struct pt_entry_conf c;

		if (pt_entry_conf_parse(s, size, &c) == 0) {
			struct pt_buf out = { 0 };

			/* what it writes back must parse to the same values */
			if (pt_entry_conf_format(&c, &out) == 0) {
				struct pt_entry_conf again;

				if (pt_entry_conf_parse(out.data, out.len, &again) != 0 ||
				    strcmp(again.args, c.args) || strcmp(again.title, c.title) ||
				    strcmp(again.policy, c.policy) ||
				    strcmp(again.windows_uuid, c.windows_uuid) ||
				    strcmp(again.windows_slot, c.windows_slot))
					abort();
			}
			pt_buf_free(&out);
		}
	}
#elif defined(FUZZ_UKI)
	{
		struct pt_uki_mem m = { data, size };
		struct pt_uki_reader rd = { pt_uki_read_mem, &m };
		struct pt_buf out = { 0 };

		/* whatever a UKI holds, the entry read from it is one ptboot can derive from */
		if (pt_uki_entry(&rd, "/EFI/Linux/x.efi", &out) == 0) {
			struct pt_buf ours = { 0 };
			struct pt_bls e;

			if (pt_bls_parse(out.data, out.len, &e) != 0 || e.ours ||
			    pt_bls_derive(&e, "x.efi", "host+passthrough", "pt.devices=03:00.0", NULL, &ours) != 0)
				abort();
			pt_buf_free(&ours);
			pt_bls_free(&e);
		}
		pt_buf_free(&out);
	}
#elif defined(FUZZ_TUNE)
	{
		struct pt_tune_plan p, again;

		/* a VM-mode plan from entry.conf: what parses writes back, the same again, and
		 * renders in every format */
		if (pt_tune_plan_parse(s, size, &p) == 0) {
			struct pt_buf a = { 0 }, b = { 0 }, o = { 0 };

			if (pt_tune_plan_format(&p, &a) != 0 || pt_tune_plan_parse(a.data, a.len, &again) != 0 ||
			    pt_tune_plan_format(&again, &b) != 0 || strcmp(a.data, b.data) != 0)
				abort();
			if (pt_vmdef_render(&p, PT_VIRT_LIBVIRT, 0, &o) != 0 ||
			    pt_vmdef_render(&p, PT_VIRT_VIRT_INSTALL, PT_VMDEF_MORE, &o) != 0 ||
			    pt_vmdef_render(&p, PT_VIRT_QEMU, 0, &o) != 0 || pt_tune_plan_json(&p, &o) != 0 ||
			    (p.vcpus && pt_vmdef_pin_script(&p, &o) != 0))
				abort();
			pt_buf_free(&a);
			pt_buf_free(&b);
			pt_buf_free(&o);
		}
	}
#elif defined(FUZZ_CPULIST)
	{
		struct pt_cpuset set, again;
		uint64_t v, w;
		char small[64];

		/* a CPU list from sysfs or procfs: formats to a list that parses to the same set */
		if (pt_cpulist_parse(s, &set) == 0) {
			struct pt_buf o = { 0 };
			int n;

			pt_buf_cpulist(&o, &set);
			if (o.err || pt_cpulist_parse(o.data, &again) != 0 || !pt_cpuset_equal(&set, &again))
				abort();
			n = pt_cpulist_format(&set, small, sizeof(small));
			if (n >= 0 ? strcmp(small, o.data) != 0 : (n != -ENOSPC || small[0]))
				abort();
			pt_buf_free(&o);
		}
		/* a size ("16G"): its exact form reads back the same */
		if (pt_size_parse(s, &v) == 0) {
			pt_size_exact(v, small, sizeof(small));
			if (pt_size_parse(small, &w) != 0 || w != v)
				abort();
			pt_size_iec(v, small, sizeof(small));
		}
	}
#else
#error "define one FUZZ_* parser"
#endif
	free(s);
	return 0;
}
