// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer targets for the host tool's parsers of outside input, one binary
 * per parser: built with -DFUZZ_MOUNTINFO, _IOMEM, _STATE, _BLS, _GRUBCFG,
 * _GRUBENV, _ENTRYCONF, _UKI, _STORAGE, _TUNE, _CPULIST (tests/fuzz/fuzz.mk). Each parses, uses
 * the result the way ptctl does, and frees it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#if defined(FUZZ_STORAGE)
/* A storage graph from the input's first bytes, any shape (cycles, diamonds, stray and
 * self edges, partitions of partitions): then mountinfo and swaps text, a dm uuid and a link
 * target from the rest. Resolve it, ask what ptctl asks, walk it as the renderers do. */
static const unsigned char *fz_p, *fz_end;

static unsigned fz_byte(void)
{
	return fz_p < fz_end ? *fz_p++ : 0;
}

static int *fz_list(size_t *ret_n, size_t n)
{
	size_t k = fz_byte() % 5;
	int *v = k ? malloc(k * sizeof(*v)) : NULL;

	*ret_n = 0;
	for (size_t i = 0; v && i < k; i++)
		v[(*ret_n)++] = (int)(fz_byte() % (n + 2)) - 1; /* -1 and n: out of range */
	return v;
}

static void fz_walk(const struct pt_storage *s, size_t i, int depth, struct pt_blk_walk *w)
{
	for (size_t k = 0; k < s->v[i].nholders; k++)
		if (pt_blk_walk_enter(w, (size_t)s->v[i].holders[k], depth))
			fz_walk(s, (size_t)s->v[i].holders[k], depth + 1, w);
}

static void fz_storage(const char *text)
{
	static const char *const fstypes[] = { "", "btrfs", "linux_raid_member", "ext4", "LVM2_member" };
	struct pt_storage s = { 0 };
	struct pt_mounts m = { 0 };
	char buf[256], vg[40];
	size_t n = fz_byte() % 24 + 1;

	s.v = calloc(n, sizeof(*s.v));
	if (!s.v)
		return;
	s.n = n;
	for (size_t i = 0; i < n; i++) {
		struct pt_blk *b = &s.v[i];
		unsigned f = fz_byte(), c = fz_byte();

		snprintf(b->name, sizeof(b->name), "x%zu", i);
		b->kind = (enum pt_blk_kind)(f % 3);
		b->parent = (int)(fz_byte() % (n + 2)) - 1;
		b->major = f & 8 ? 253 : 259;
		b->minor = (unsigned)i;
		b->holders = fz_list(&b->nholders, n);
		b->slaves = fz_list(&b->nslaves, n);
		snprintf(b->fstype, sizeof(b->fstype), "%s", fstypes[(f >> 4) % 5]);
		snprintf(b->uuid, sizeof(b->uuid), "u%u", c % 3);
		snprintf(b->dm_name, sizeof(b->dm_name), "m%zu", i);
		if (f & 0x80) /* an LV of one of two VGs */
			snprintf(b->dm_uuid, sizeof(b->dm_uuid), "LVM-%032u%032zu", c % 2, i);
		if (b->kind == PT_BLK_DISK && (c & 0x70)) {
			b->carriers = malloc(2 * sizeof(*b->carriers));
			if (b->carriers) {
				snprintf(b->carriers[0], PT_SLOT_MAX, "0000:0%u:00.0", (c >> 4) & 7);
				snprintf(b->carriers[1], PT_SLOT_MAX, "0000:0%u:00.0", c & 7);
				b->ncarriers = 2;
			}
		}
	}
	if (pt_mountinfo_parse(text, &m) == 0 && pt_swaps_parse(text, &m) == 0 &&
	    pt_storage_resolve(&s, &m, -1) == 0) {
		for (size_t i = 0; i < n; i++) {
			struct pt_blk_walk w;

			pt_blk_uses(&s, i, buf, sizeof(buf));
			if (pt_blk_walk_init(&s, &w) == 0) {
				if (pt_blk_walk_enter(&w, i, 0))
					fz_walk(&s, i, 1, &w);
				pt_blk_walk_free(&w);
			}
			/* what resolve promises: symmetric, sorted, unique, in range */
			for (size_t k = 0; k < s.v[i].nholders; k++) {
				const struct pt_blk *h = &s.v[s.v[i].holders[k]];
				bool back = false;

				if (k && s.v[i].holders[k - 1] >= s.v[i].holders[k])
					abort();
				for (size_t j = 0; j < h->nslaves; j++)
					back |= (size_t)h->slaves[j] == i;
				if (!back || s.v[s.v[i].holders[k]].component != s.v[i].component)
					abort();
			}
		}
		for (unsigned k = 0; k < 8; k++) {
			char slot[PT_SLOT_MAX];

			snprintf(slot, sizeof(slot), "0000:0%u:00.0", k);
			(void)pt_storage_holds_system(&s, slot, buf, sizeof(buf));
		}
	}
	(void)pt_dm_uuid_vg(text, vg, sizeof(vg));
	(void)pt_path_resolve("sys/class/block", text, buf, sizeof(buf));
	pt_mounts_free(&m);
	pt_storage_free(&s);
}
#endif

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
			/* the input as options, and as arguments: quotes and "--" anywhere */
			(void)pt_args_merge(e.mem, "iommu=pt pt.devices=03:00.0 -- x", &out);
			pt_buf_free(&out);
			(void)pt_args_merge("ro -- single", e.mem, &out);
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
				    strcmp(again.windows_slot, c.windows_slot) ||
				    strcmp(again.extra, c.extra))
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
			    pt_bls_derive(&e, "x.efi", "host+passthrough", "pt.devices=03:00.0", NULL,
					  &ours) != 0)
				abort();
			pt_buf_free(&ours);
			pt_bls_free(&e);
		}
		pt_buf_free(&out);
	}
#elif defined(FUZZ_STORAGE)
	{
		size_t head = size < 160 ? size : 160; /* the graph; the rest is text */

		fz_p = data;
		fz_end = data + head;
		fz_storage(s + head);
	}
#elif defined(FUZZ_TUNE)
	{
		struct pt_tune_plan p, again;

		/* a VM-mode plan from entry.conf: what parses writes back, the same again, and
		 * renders in every format */
		if (pt_tune_plan_parse(s, size, &p) == 0) {
			struct pt_buf a = { 0 }, b = { 0 }, o = { 0 };

			if (pt_tune_plan_format(&p, &a) != 0 ||
			    pt_tune_plan_parse(a.data, a.len, &again) != 0 ||
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
