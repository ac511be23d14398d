// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ptctl list: every PCI function by IOMMU group, named as lspci -nn names it, with its
 * driver, reset method, the selector that takes it, and the disks behind it; as text or JSON.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ptctl.h"

struct list {
	const struct pt_host *h;
	struct pt_names *names;
	const struct pt_selection *sel; /* the policy shown, may be NULL */
	struct pt_buf out;
};

/* ---- disks ------------------------------------------------------------------------------ */

static const char *part_role(const struct pt_blk *b, char *buf, size_t size)
{
	static const struct {
		const char *guid, *name;
	} roles[] = {
		{ "c12a7328-f81f-11d2-ba4b-00a0c93ec93b", "ESP" },
		{ "e3c9e316-0b5c-4db8-817d-f92df00215ae", "Microsoft reserved" },
		{ "de94bba4-06d1-4d40-a16a-bfd50179d6ac", "Windows recovery" },
		{ "0657fd6d-a4ab-43c4-84e5-0933c84b4f4f", "Linux swap" },
		{ "e6d6d379-f507-44c2-a23c-238f2a3df928", "Linux LVM" },
		{ "a19d880f-05fc-4d3b-a006-743f0f84911e", "Linux RAID" },
		{ "bc13c2ff-59e6-4262-a352-b275fd6f7172", "XBOOTLDR" },
	};

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(roles); i++)
		if (strcasecmp(b->parttype, roles[i].guid) == 0) {
			if (i == 0 && b->ms_bootmgr)
				pt_snprintf(buf, size, "ESP with Microsoft boot manager");
			else if (i == 0 && b->esp[0])
				pt_snprintf(buf, size, "ESP: EFI/{%s}", b->esp);
			else
				pt_snprintf(buf, size, "%s", roles[i].name);
			break;
		}
	return buf;
}

/* "nvme0n1p3  975 GB  ntfs 'Windows'  mounted at /boot" */
static void blk_text(const struct pt_storage *s, size_t i, struct pt_buf *o)
{
	const struct pt_blk *b = &s->v[i];
	char sz[24], role[96];

	pt_size_text(b->size, sz, sizeof(sz));
	pt_buf_printf(o, "%s  %s", b->name, sz);
	if (b->kind == PT_BLK_HOLDER)
		pt_buf_printf(o, "  %s", b->dm_name);
	if (b->kind == PT_BLK_DISK && b->model[0])
		pt_buf_printf(o, "  %s", b->model);
	if (b->fstype[0])
		pt_buf_printf(o, "  %s", b->fstype);
	if (b->label[0])
		pt_buf_printf(o, " '%s'", b->label);
	if (part_role(b, role, sizeof(role))[0])
		pt_buf_printf(o, "  %s", role);
	if (b->probe_err == -EACCES)
		pt_buf_puts(o, "  (contents: run as root)");
	if (b->use[0])
		pt_buf_printf(o, "  %s %s", strcmp(b->use, "[swap]") == 0 ? "in use as" : "mounted at",
			      b->use);
	if (b->system)
		pt_buf_puts(o, "  (running system)");
	pt_buf_puts(o, "\n");
}

/* w: each device is descended into once (a cycle in a hostile tree ends) */
static void text_holders(struct pt_buf *o, const struct pt_storage *s, size_t i, int depth,
			 struct pt_blk_walk *w)
{
	for (size_t k = 0; k < s->v[i].nholders; k++) {
		size_t h = (size_t)s->v[i].holders[k];

		pt_buf_printf(o, "%*s-> ", 8 + 2 * depth, "");
		blk_text(s, h, o);
		if (pt_blk_walk_enter(w, h, depth + 1))
			text_holders(o, s, h, depth + 1, w);
	}
}

static void text_disks(struct pt_buf *o, const struct pt_storage *s, const char *slot)
{
	for (size_t i = 0; i < s->n; i++) {
		struct pt_blk_walk w;

		if (!pt_blk_carried_by(&s->v[i], slot))
			continue;
		(void)pt_blk_walk_init(s, &w); /* without memory it descends nowhere */
		pt_buf_puts(o, "      ");
		blk_text(s, i, o);
		if (pt_blk_walk_enter(&w, i, 0))
			text_holders(o, s, i, 0, &w);
		for (size_t k = 0; k < s->n; k++) {
			if (s->v[k].parent != (int)i)
				continue;
			pt_buf_puts(o, "        ");
			blk_text(s, k, o);
			if (pt_blk_walk_enter(&w, k, 1))
				text_holders(o, s, k, 1, &w);
		}
		pt_blk_walk_free(&w);
	}
}

static void json_kv(struct pt_buf *o, const char *key, const char *v)
{
	pt_buf_printf(o, ", \"%s\": ", key);
	pt_buf_json_str(o, v && v[0] ? v : NULL);
}

static void json_blk(struct pt_buf *o, const struct pt_storage *s, size_t i, int ind, struct pt_blk_walk *w);

/* "[...]" of blocks: the holders of i, or (partitions) the partitions of disk i; empty when
 * i was shown before (deeper is false) */
static void json_blk_list(struct pt_buf *o, const struct pt_storage *s, size_t i, int ind,
			  struct pt_blk_walk *w, bool deeper, bool partitions)
{
	const struct pt_blk *b = &s->v[i];
	size_t n = 0;

	pt_buf_puts(o, "[");
	for (size_t k = 0; deeper && k < (partitions ? s->n : b->nholders); k++) {
		size_t c = partitions ? k : (size_t)b->holders[k];

		if (partitions && s->v[k].parent != (int)i)
			continue;
		pt_buf_puts(o, n++ ? ",\n" : "\n");
		json_blk(o, s, c, ind + 2, w);
	}
	pt_buf_printf(o, n ? "\n%*s]" : "]", n ? ind : 0, "");
}

static void json_blk(struct pt_buf *o, const struct pt_storage *s, size_t i, int ind, struct pt_blk_walk *w)
{
	const struct pt_blk *b = &s->v[i];
	bool deeper = pt_blk_walk_enter(w, i, (ind - 6) / 2); /* once per device: cycles end */
	char uses[256], role[96];

	pt_blk_uses(s, i, uses, sizeof(uses));
	pt_buf_printf(o, "%*s{\"name\": ", ind, "");
	pt_buf_json_str(o, b->name);
	pt_buf_printf(o, ", \"size\": %llu", (unsigned long long)b->size);
	if (b->kind == PT_BLK_DISK)
		json_kv(o, "model", b->model);
	if (b->kind == PT_BLK_HOLDER) {
		pt_buf_puts(o, ", \"dm_name\": ");
		pt_buf_json_str(o, b->dm_name);
	}
	if (b->kind == PT_BLK_PART) {
		json_kv(o, "part_type", b->parttype);
		json_kv(o, "part_name", b->partname);
		json_kv(o, "role", part_role(b, role, sizeof(role)));
	}
	json_kv(o, "fstype", b->fstype);
	json_kv(o, "label", b->label);
	if (b->esp[0] || b->ms_bootmgr) {
		pt_buf_puts(o, ", \"efi_dirs\": ");
		pt_buf_json_str(o, b->esp);
		pt_buf_printf(o, ", \"ms_bootmgr\": %s", b->ms_bootmgr ? "true" : "false");
	}
	json_kv(o, "mounted", b->use);
	json_kv(o, "uses", uses);
	if (b->probe_err)
		pt_buf_printf(o, ", \"probe_error\": %d", b->probe_err);
	pt_buf_puts(o, ", \"holders\": ");
	json_blk_list(o, s, i, ind, w, deeper, false);
	if (b->kind == PT_BLK_DISK) {
		pt_buf_puts(o, ", \"partitions\": ");
		json_blk_list(o, s, i, ind, w, deeper, true);
	}
	pt_buf_puts(o, "}");
}

/* ---- functions -------------------------------------------------------------------------- */

static int cmp_group(const void *a, const void *b)
{
	const struct pt_dev *const *x = a, *const *y = b;
	int gx = (*x)->group < 0 ? 0x7fffffff : (*x)->group, gy = (*y)->group < 0 ? 0x7fffffff : (*y)->group;

	if (gx != gy)
		return gx < gy ? -1 : 1;
	return strcmp((*x)->slot, (*y)->slot);
}

/* The selector that takes the function, NULL when none does. */
static const char *selector_of(const struct list *l, const struct pt_dev *d)
{
	const struct pt_plan *p = l->sel ? &l->sel->plan : NULL;
	size_t di = (size_t)(d - l->h->sys.devs);

	for (size_t i = 0; p && i < p->nitems; i++)
		if (p->items[i].dev == di && p->items[i].action == PT_ACT_BIND && p->items[i].sel >= 0)
			return l->sel->pol.sels[p->items[i].sel].text;
	return NULL;
}

static void text_function(struct list *l, const struct pt_dev *d, int *last)
{
	struct pt_buf *o = &l->out;
	const char *sel = selector_of(l, d);
	char cls[128], dev[256];

	if (d->group != *last) {
		if (d->group >= 0)
			pt_buf_printf(o, "IOMMU group %d\n", d->group);
		else
			pt_buf_printf(o, "%s\n",
				      l->h->groups > 0 ? "no IOMMU group" : "no IOMMU groups (IOMMU off)");
		*last = d->group;
	}
	if (d->unreadable)
		pt_snprintf(dev, sizeof(dev), "%s", "vendor and device unreadable [????:????]");
	else
		pt_names_lspci(l->names, d, cls, sizeof(cls), dev, sizeof(dev));
	pt_buf_printf(o, "  %s %s: %s", pt_dev_short_slot(d), d->unreadable ? "Unknown class" : cls, dev);
	if (d->subvendor || d->subdevice)
		pt_buf_printf(o, " sub [%04x:%04x]", d->subvendor, d->subdevice);
	pt_buf_printf(o, " driver=%s", d->driver[0] ? d->driver : "-");
	if (d->override[0])
		pt_buf_printf(o, " override=%s", d->override);
	if (!pt_dev_is_bridge(d))
		pt_buf_printf(o, " reset=%s", d->reset_method[0] ? d->reset_method : "-");
	if (d->boot_vga == 1)
		pt_buf_puts(o, " boot_vga");
	if (sel)
		pt_buf_printf(o, " pt.devices:%s", sel);
	pt_buf_puts(o, "\n");
	text_disks(o, &l->h->storage, d->slot);
}

static void json_function(struct list *l, const struct pt_dev *d, bool first)
{
	struct pt_buf *o = &l->out;
	const struct pt_storage *s = &l->h->storage;
	char cls[128] = "", ven[128] = "", dev[256] = "", sub[256] = "", g[64];
	size_t n = 0;

	if (!d->unreadable) {
		pt_names_class(l->names, d->cls, cls, sizeof(cls));
		pt_names_vendor(l->names, d->vendor, ven, sizeof(ven));
		pt_names_device(l->names, d->vendor, d->device, dev, sizeof(dev));
		pt_names_subsys(l->names, d->vendor, d->device, d->subvendor, d->subdevice, sub, sizeof(sub));
	}
	pt_dev_guarded(d, g, sizeof(g));
	pt_buf_puts(o, first ? "\n    {" : ",\n    {");
	pt_buf_printf(o, "\"slot\": \"%s\", \"group\": ", d->slot);
	if (d->group >= 0)
		pt_buf_printf(o, "%d", d->group);
	else
		pt_buf_puts(o, "null");
	pt_buf_printf(o, ", \"class\": \"%06x\"", d->cls);
	json_kv(o, "class_name", cls);
	pt_buf_printf(o, ",\n     \"vendor\": \"%04x\", \"device\": \"%04x\"", d->vendor, d->device);
	json_kv(o, "vendor_name", ven);
	json_kv(o, "device_name", dev);
	pt_buf_printf(o, ",\n     \"subvendor\": \"%04x\", \"subdevice\": \"%04x\"", d->subvendor,
		      d->subdevice);
	json_kv(o, "subsystem_name", sub);
	pt_buf_puts(o, ",\n     \"driver\": ");
	pt_buf_json_str(o, d->driver[0] ? d->driver : NULL);
	json_kv(o, "driver_override", d->override);
	json_kv(o, "reset_method", d->reset_method);
	pt_buf_printf(o, ", \"boot_vga\": %s, \"bridge\": %s,",
		      d->boot_vga < 0 ? "null"
		      : d->boot_vga   ? "true"
				      : "false",
		      pt_dev_is_bridge(d) ? "true" : "false");
	if (d->unreadable)
		pt_buf_puts(o, " \"unreadable\": true,");
	pt_buf_puts(o, "\n     \"selector\": ");
	pt_buf_json_str(o, selector_of(l, d));
	pt_buf_puts(o, ", \"guarded\": ");
	pt_buf_json_str(o, d->unreadable ? NULL : g);
	pt_buf_puts(o, ", \"disks\": [");
	for (size_t k = 0; k < s->n; k++) {
		struct pt_blk_walk w;

		if (!pt_blk_carried_by(&s->v[k], d->slot))
			continue;
		(void)pt_blk_walk_init(s, &w);
		pt_buf_puts(o, n++ ? ",\n" : "\n");
		json_blk(o, s, k, 6, &w);
		pt_blk_walk_free(&w);
	}
	pt_buf_puts(o, n ? "\n     ]}" : "]}");
}

static void render(struct list *l, const struct pt_dev **v, size_t n, bool json)
{
	const struct pt_host *h = l->h;
	int last = -2;

	if (json) {
		pt_buf_puts(&l->out, "{\n  \"version\": 1,\n  \"kernel\": ");
		pt_buf_json_str(&l->out, h->kver[0] ? h->kver : NULL);
		pt_buf_printf(&l->out,
			      ",\n  \"iommu\": %s,\n  \"policy\": ", h->groups > 0 ? "true" : "false");
		pt_buf_json_str(&l->out, l->sel ? l->sel->text : NULL);
		pt_buf_puts(&l->out, ",\n  \"functions\": [");
	}
	for (size_t i = 0; i < n; i++) {
		if (json)
			json_function(l, v[i], i == 0);
		else
			text_function(l, v[i], &last);
	}
	if (json)
		pt_buf_puts(&l->out, n ? "\n  ]\n}\n" : "]\n}\n");
}

/* The policy list shows: --policy (an error when malformed), else the running one's (if it
 * parses). Selectors that match nothing are no error here. */
static int list_policy(const struct ptctl *c, const struct pt_host *h, struct pt_selection *s)
{
	struct pt_policy_error pe = { 0 };
	int r;

	if (c->policy) {
		r = pt_select(&h->sys, c->policy, 0, s, &pe);
		if (r == -EINVAL || r == -E2BIG)
			return ptctl_err(PTCTL_FAIL, "--policy: selector \"%s\": %s", pe.sel, pe.why);
		return r < 0 ? ptctl_errno(r, "cannot plan") : 0;
	}
	if (h->opts.devices && pt_select(&h->sys, h->opts.devices, 0, s, &pe) == 0)
		return 0;
	return 1;
}

int ptctl_cmd_list(struct ptctl *c)
{
	struct pt_selection sel;
	struct pt_filter *flt = NULL;
	struct pt_host h;
	struct list l = { .h = &h };
	const struct pt_dev **v = NULL;
	const char *why;
	size_t n = 0;
	int r, rc;

	if (c->nargs)
		return ptctl_err(PTCTL_FAIL, "list takes no arguments (\"%s\")", c->args[0]);
	if ((rc = ptctl_open_host(c, true, &h)))
		return rc;
	rc = list_policy(c, &h, &sel);
	if (rc > 1)
		goto out_host;
	l.sel = rc == 0 ? &sel : NULL;
	r = pt_names_new(c->pci_ids, !c->no_hwdb, &h.sys, &l.names);
	if (r < 0) {
		rc = ptctl_errno(r, "cannot set up libpci");
		goto out;
	}
	if ((c->slot || c->id) && pt_filter_new(l.names, c->slot, c->id, &flt, &why) < 0) {
		rc = ptctl_err(PTCTL_FAIL, "%s %s", c->slot && !c->id ? "-s:" : "-s/-d:", why);
		goto out;
	}
	v = calloc(h.sys.ndevs + 1, sizeof(*v));
	if (!v) {
		rc = ptctl_err(PTCTL_FAIL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < h.sys.ndevs; i++)
		if (!flt || pt_filter_match(flt, &h.sys.devs[i]))
			v[n++] = &h.sys.devs[i];
	qsort(v, n, sizeof(*v), cmp_group);
	render(&l, v, n, c->json);
	rc = ptctl_print(&l.out); /* PTCTL_OK when it printed */
	if (!rc && pt_names_problem(l.names)) {
		ptctl_warn("no names from pci.ids: %s", pt_names_problem(l.names));
		rc = PTCTL_PARTIAL;
	}
out:
	free(v);
	pt_buf_free(&l.out);
	pt_filter_free(flt);
	pt_names_free(l.names);
	if (l.sel)
		pt_selection_free(&sel);
out_host:
	pt_host_close(&h);
	return rc;
}
