// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ptctl: the host tool. Parses arguments, asks libptboot (and its host half,
 * host.h) what the machine looks like, and prints it: list, check, cmdline.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmds.h"
#include "host.h"
#include "tuning-data.h"

/* Commands with option sets of their own live in src/ptctl/cmd-*.c; each
 * gets the whole argv (global options such as --root included). */
static const struct ptctl_cmd ext_cmds[] = {
	{ "entry", ptctl_cmd_entry },
	{ "boot", ptctl_cmd_boot },
	{ "bind", ptctl_cmd_bind },
	{ "unbind", ptctl_cmd_unbind },
	{ "virt", ptctl_cmd_virt },
	{ "status", ptctl_cmd_status },
	{ NULL, NULL },
};

static const struct ptctl_cmd *find_ext_cmd(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-') {
			/* skip the value of a global option that takes one */
			if (!strchr(argv[i], '=') && i + 1 < argc &&
			    (!strcmp(argv[i], "--root") || !strcmp(argv[i], "--cmdline-file") ||
			     !strcmp(argv[i], "--policy") || !strcmp(argv[i], "--pci-ids") ||
			     !strcmp(argv[i], "--tuning") || !strcmp(argv[i], "-s") ||
			     !strcmp(argv[i], "-d")))
				i++;
			continue;
		}
		for (const struct ptctl_cmd *c = ext_cmds; c->name; c++)
			if (strcmp(c->name, argv[i]) == 0)
				return c;
		return NULL;
	}
	return NULL;
}

#define PCI_IDS_DEFAULT NULL	/* libpci's own (PCI_IDS_DIR/pci.ids) */

struct opts {
	const char *root, *cmdline_file, *policy, *slot, *id, *tuning, *pci_ids;
	bool json, hwdb, no_disks;
	const char *cmd;
	char **args;
	int nargs;
};

static void usage(FILE *f)
{
	fputs("usage: ptctl [OPTIONS] COMMAND\n"
	      "  list [-s SLOT] [-d ID] [--json]   PCI functions by IOMMU group, with their disks\n"
	      "  check [--policy STR] [--json]     readiness for passthrough; exit 0 ready, 1 warnings, 2 errors\n"
	      "  cmdline [SEL...] [--policy STR]   the kernel arguments that pass the selected functions\n"
	      "  entry add|remove|status           the host+passthrough boot entry (ptctl entry --help)\n"
	      "  boot vm|bare-metal [--once]       the entry to boot next, or by default\n"
	      "  bind SEL... | unbind SEL...       hand functions to vfio-pci now, or back to the host\n"
	      "  virt [SEL...] [--format F]        libvirt, virt-install or QEMU definitions of them\n"
	      "  status                            what pt-early did this boot and what changed since\n"
	      "options:\n"
	      "  --root DIR           read DIR instead of / (sys, proc, dev, boot, lib/modules under it)\n"
	      "  --cmdline-file FILE  read the kernel command line from FILE instead of proc/cmdline\n"
	      "  --policy STR         a pt.devices= value to use instead of the running command line's\n"
	      "  -s SLOT, -d ID       lspci's filters ([[DOMAIN:]BUS:]DEV.FN, VENDOR:DEVICE[:CLASS[:PROGIF]])\n"
	      "  --json               machine-readable output\n"
	      "  --no-disks           do not probe disk contents\n"
	      "  --pci-ids FILE       the pci.ids to name devices from; --hwdb also asks udev's hwdb\n"
	      "  --tuning FILE        per-vendor tuning rules instead of the built-in tuning.conf\n"
	      "  -h, --help, --version\n", f);
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "root", required_argument, NULL, 'R' },
		{ "cmdline-file", required_argument, NULL, 'C' },
		{ "policy", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-disks", no_argument, NULL, 'N' },
		{ "pci-ids", required_argument, NULL, 'I' },
		{ "hwdb", no_argument, NULL, 'H' },
		{ "tuning", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	char **args = o->args;

	*o = (struct opts){ .root = "/", .pci_ids = PCI_IDS_DEFAULT, .args = args };
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+s:d:h", lo, NULL)) != -1 || optind < argc) {
		if (c == -1) {
			/* a positional word: the command, or one of its arguments */
			if (!o->cmd)
				o->cmd = argv[optind];
			else
				o->args[o->nargs++] = argv[optind];
			optind++;
			continue;
		}
		switch (c) {
		case 'R': o->root = optarg; break;
		case 'C': o->cmdline_file = optarg; break;
		case 'P': o->policy = optarg; break;
		case 'j': o->json = true; break;
		case 'N': o->no_disks = true; break;
		case 'I': o->pci_ids = optarg; break;
		case 'H': o->hwdb = true; break;
		case 'T': o->tuning = optarg; break;
		case 's': o->slot = optarg; break;
		case 'd': o->id = optarg; break;
		case 'h': usage(stdout); exit(0);
		case 'V': puts("ptctl " PTBOOT_VERSION); exit(0);
		case ':':
			return ptctl_fail(2, "option %s needs a value (see ptctl --help)", argv[optind - 1]);
		default:
			if (optopt)
				return ptctl_fail(2, "unknown option -%c (see ptctl --help)", optopt);
			return ptctl_fail(2, "unknown option %s (see ptctl --help)", argv[optind - 1]);
		}
	}
	if (!o->cmd)
		return ptctl_fail(2, "no command (see ptctl --help)");
	if (strcmp(o->cmd, "list") && strcmp(o->cmd, "check") && strcmp(o->cmd, "cmdline"))
		return ptctl_fail(2, "unknown command \"%s\" (see ptctl --help)", o->cmd);
	if (strcmp(o->cmd, "cmdline") && o->nargs)
		return ptctl_fail(2, "%s takes no arguments (\"%s\")", o->cmd, o->args[0]);
	if (strcmp(o->cmd, "list") && (o->slot || o->id))
		return ptctl_fail(2, "-s and -d are options of list, not of %s", o->cmd);
	if (!strcmp(o->cmd, "cmdline") && o->json)
		return ptctl_fail(2, "cmdline has no --json");
	return 0;
}

/* ---- output helpers ----------------------------------------------------- */

static void out(struct pt_buf *b)
{
	if (b->len)
		fwrite(b->data, 1, b->len, stdout);
}

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
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
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

/* "ntfs 'Windows'  Windows recovery  mounted at /boot" */
static void blk_text(const struct pt_storage *s, size_t i, char *buf, size_t size)
{
	const struct pt_blk *b = &s->v[i];
	char sz[24], role[96];
	size_t len;

	pt_size_text(b->size, sz, sizeof(sz));
	len = (size_t)pt_snprintf(buf, size, "%s  %s", b->name, sz);
	if (b->kind == PT_BLK_HOLDER)
		len += (size_t)pt_snprintf(buf + len, size - len, "  %s", b->dm_name);
	if (b->kind == PT_BLK_DISK && b->model[0])
		len += (size_t)pt_snprintf(buf + len, size - len, "  %s", b->model);
	if (b->fstype[0])
		len += (size_t)pt_snprintf(buf + len, size - len, "  %s", b->fstype);
	if (b->label[0])
		len += (size_t)pt_snprintf(buf + len, size - len, " '%s'", b->label);
	if (part_role(b, role, sizeof(role))[0])
		len += (size_t)pt_snprintf(buf + len, size - len, "  %s", role);
	if (b->probe_err == -EACCES)
		len += (size_t)pt_snprintf(buf + len, size - len, "  (contents: run as root)");
	if (b->use[0])
		len += (size_t)pt_snprintf(buf + len, size - len, "  %s %s",
					   strcmp(b->use, "[swap]") == 0 ? "in use as" : "mounted at", b->use);
	if (b->system && len < size)
		pt_snprintf(buf + len, size - len, "  (running system)");
}

/* w: each holder is descended into once (a cycle in a hostile tree ends) */
static void list_holders(struct pt_buf *o, const struct pt_storage *s, size_t i, int depth,
			 struct pt_blk_walk *w)
{
	char line[512];

	for (size_t k = 0; k < s->v[i].nholders && depth < 6; k++) {
		size_t h = (size_t)s->v[i].holders[k];

		blk_text(s, h, line, sizeof(line));
		pt_buf_printf(o, "%*s-> %s\n", 8 + 2 * depth, "", line);
		if (pt_blk_walk_enter(w, h, depth))
			list_holders(o, s, h, depth + 1, w);
	}
}

static void list_disks_text(struct pt_buf *o, const struct pt_storage *s, const char *slot)
{
	char line[512];

	for (size_t i = 0; i < s->n; i++) {
		struct pt_blk_walk w;

		if (!pt_blk_carried_by(&s->v[i], slot))
			continue;
		(void)pt_blk_walk_init(s, &w);	/* without memory it descends nowhere */
		blk_text(s, i, line, sizeof(line));
		pt_buf_printf(o, "      %s\n", line);
		if (pt_blk_walk_enter(&w, i, 0))
			list_holders(o, s, i, 0, &w);
		for (size_t k = 0; k < s->n; k++) {
			if (s->v[k].parent != (int)i)
				continue;
			blk_text(s, k, line, sizeof(line));
			pt_buf_printf(o, "        %s\n", line);
			if (pt_blk_walk_enter(&w, k, 1))
				list_holders(o, s, k, 1, &w);
		}
		pt_blk_walk_free(&w);
	}
}

static void json_blk(struct pt_buf *o, const struct pt_storage *s, size_t i, int ind, struct pt_blk_walk *w)
{
	const struct pt_blk *b = &s->v[i];
	bool deeper = pt_blk_walk_enter(w, i, (ind - 6) / 2);	/* once per device: cycles end */
	char uses[256], role[96];

	pt_blk_uses(s, i, uses, sizeof(uses));
	pt_buf_printf(o, "%*s{\"name\": ", ind, "");
	pt_buf_json_str(o, b->name);
	pt_buf_printf(o, ", \"size\": %llu", (unsigned long long)b->size);
	if (b->kind == PT_BLK_DISK) {
		pt_buf_puts(o, ", \"model\": ");
		pt_buf_json_str(o, b->model[0] ? b->model : NULL);
	}
	if (b->kind == PT_BLK_HOLDER) {
		pt_buf_puts(o, ", \"dm_name\": ");
		pt_buf_json_str(o, b->dm_name);
	}
	if (b->kind == PT_BLK_PART) {
		pt_buf_puts(o, ", \"part_type\": ");
		pt_buf_json_str(o, b->parttype[0] ? b->parttype : NULL);
		pt_buf_puts(o, ", \"part_name\": ");
		pt_buf_json_str(o, b->partname[0] ? b->partname : NULL);
		pt_buf_puts(o, ", \"role\": ");
		pt_buf_json_str(o, part_role(b, role, sizeof(role))[0] ? role : NULL);
	}
	pt_buf_puts(o, ", \"fstype\": ");
	pt_buf_json_str(o, b->fstype[0] ? b->fstype : NULL);
	pt_buf_puts(o, ", \"label\": ");
	pt_buf_json_str(o, b->label[0] ? b->label : NULL);
	if (b->esp[0] || b->ms_bootmgr) {
		pt_buf_puts(o, ", \"efi_dirs\": ");
		pt_buf_json_str(o, b->esp);
		pt_buf_printf(o, ", \"ms_bootmgr\": %s", b->ms_bootmgr ? "true" : "false");
	}
	pt_buf_puts(o, ", \"mounted\": ");
	pt_buf_json_str(o, b->use[0] ? b->use : NULL);
	pt_buf_puts(o, ", \"uses\": ");
	pt_buf_json_str(o, uses[0] ? uses : NULL);
	if (b->probe_err)
		pt_buf_printf(o, ", \"probe_error\": %d", b->probe_err);
	pt_buf_puts(o, ", \"holders\": [");
	for (size_t k = 0; deeper && k < b->nholders; k++) {
		pt_buf_puts(o, k ? ",\n" : "\n");
		json_blk(o, s, (size_t)b->holders[k], ind + 2, w);
	}
	pt_buf_printf(o, deeper && b->nholders ? "\n%*s]" : "]", ind, "");
	if (b->kind == PT_BLK_DISK) {
		bool first = true;

		pt_buf_puts(o, ", \"partitions\": [");
		for (size_t k = 0; deeper && k < s->n; k++) {
			if (s->v[k].parent != (int)i)
				continue;
			pt_buf_puts(o, first ? "\n" : ",\n");
			json_blk(o, s, k, ind + 2, w);
			first = false;
		}
		pt_buf_printf(o, first ? "]" : "\n%*s]", ind, "");
	}
	pt_buf_puts(o, "}");
}

/* ---- list ------------------------------------------------------------------ */

static int cmp_group(const void *a, const void *b)
{
	const struct pt_dev *const *x = a, *const *y = b;
	int gx = (*x)->group < 0 ? 0x7fffffff : (*x)->group, gy = (*y)->group < 0 ? 0x7fffffff : (*y)->group;

	if (gx != gy)
		return gx < gy ? -1 : 1;
	return strcmp((*x)->slot, (*y)->slot);
}

static const char *selector_of(const struct pt_policy *pol, const struct pt_dev *d)
{
	for (size_t s = 0; pol && s < pol->nsels; s++)
		if (pt_sel_matches(&pol->sels[s], d))
			return pol->sels[s].text;
	return NULL;
}

static int cmd_list(const struct opts *o, struct pt_host *h, const struct pt_policy *pol, const char *ptext)
{
	const struct pt_dev **v;
	struct pt_filter *flt = NULL;
	struct pt_names *names;
	struct pt_buf b = { 0 };
	const char *why;
	size_t n = 0;
	int r, last = -2;

	r = pt_names_new(o->pci_ids, o->hwdb, &names);
	if (r < 0)
		return ptctl_fail(2, "cannot set up libpci (%s)", strerror(-r));
	if ((o->slot || o->id) && pt_filter_new(names, o->slot, o->id, &flt, &why) < 0) {
		pt_names_free(names);
		return ptctl_fail(2, "%s %s", o->slot && !o->id ? "-s:" : "-s/-d:", why);
	}
	v = calloc(h->sys.ndevs + 1, sizeof(*v));
	if (!v) {
		pt_filter_free(flt);
		pt_names_free(names);
		return ptctl_fail(2, "out of memory");
	}
	for (size_t i = 0; i < h->sys.ndevs; i++)
		if (!flt || pt_filter_match(flt, &h->sys.devs[i]))
			v[n++] = &h->sys.devs[i];
	qsort(v, n, sizeof(*v), cmp_group);
	if (o->json) {
		pt_buf_printf(&b, "{\n  \"version\": 1,\n  \"kernel\": ");
		pt_buf_json_str(&b, h->kver[0] ? h->kver : NULL);
		pt_buf_printf(&b, ",\n  \"iommu\": %s,\n  \"policy\": ", h->groups > 0 ? "true" : "false");
		pt_buf_json_str(&b, ptext);
		pt_buf_puts(&b, ",\n  \"functions\": [");
	}
	for (size_t i = 0; i < n; i++) {
		const struct pt_dev *d = v[i];
		char cls[128], ven[128], dev[256], sub[256], g[64];
		const char *sel = selector_of(pol, d);

		pt_dev_guarded(d, g, sizeof(g));
		if (o->json) {
			if (!pt_names_class(names, d->cls, cls, sizeof(cls)))
				cls[0] = '\0';
			if (!pt_names_vendor(names, d->vendor, ven, sizeof(ven)))
				ven[0] = '\0';
			if (!pt_names_device(names, d->vendor, d->device, dev, sizeof(dev)))
				dev[0] = '\0';
			if (!pt_names_subsys(names, d->vendor, d->device, d->subvendor, d->subdevice, sub,
					     sizeof(sub)))
				sub[0] = '\0';
		} else {
			pt_names_lspci(names, d, cls, sizeof(cls), dev, sizeof(dev));
		}
		if (o->json) {
			pt_buf_puts(&b, i ? ",\n    {" : "\n    {");
			pt_buf_printf(&b, "\"slot\": \"%s\", \"group\": ", d->slot);
			if (d->group >= 0)
				pt_buf_printf(&b, "%d", d->group);
			else
				pt_buf_puts(&b, "null");
			pt_buf_printf(&b, ", \"class\": \"%06x\", \"class_name\": ", d->cls);
			pt_buf_json_str(&b, cls[0] ? cls : NULL);
			pt_buf_printf(&b, ",\n     \"vendor\": \"%04x\", \"device\": \"%04x\", \"vendor_name\": ",
				      d->vendor, d->device);
			pt_buf_json_str(&b, ven[0] ? ven : NULL);
			pt_buf_puts(&b, ", \"device_name\": ");
			pt_buf_json_str(&b, dev[0] ? dev : NULL);
			pt_buf_printf(&b, ",\n     \"subvendor\": \"%04x\", \"subdevice\": \"%04x\", \"subsystem_name\": ",
				      d->subvendor, d->subdevice);
			pt_buf_json_str(&b, sub[0] ? sub : NULL);
			pt_buf_puts(&b, ",\n     \"driver\": ");
			pt_buf_json_str(&b, d->driver[0] ? d->driver : NULL);
			pt_buf_puts(&b, ", \"driver_override\": ");
			pt_buf_json_str(&b, d->override[0] ? d->override : NULL);
			pt_buf_puts(&b, ", \"reset_method\": ");
			pt_buf_json_str(&b, d->reset_method[0] ? d->reset_method : NULL);
			pt_buf_printf(&b, ", \"boot_vga\": %s, \"bridge\": %s,\n     \"selector\": ",
				      d->boot_vga < 0 ? "null" : d->boot_vga ? "true" : "false",
				      pt_dev_is_bridge(d) ? "true" : "false");
			pt_buf_json_str(&b, sel);
			pt_buf_puts(&b, ", \"guarded\": ");
			pt_buf_json_str(&b, g);
			pt_buf_puts(&b, ", \"disks\": [");
			bool first = true;

			for (size_t k = 0; k < h->storage.n; k++) {
				struct pt_blk_walk w;

				if (!pt_blk_carried_by(&h->storage.v[k], d->slot))
					continue;
				(void)pt_blk_walk_init(&h->storage, &w);
				pt_buf_puts(&b, first ? "\n" : ",\n");
				json_blk(&b, &h->storage, k, 6, &w);
				pt_blk_walk_free(&w);
				first = false;
			}
			pt_buf_puts(&b, first ? "]}" : "\n     ]}");
			continue;
		}
		if (d->group != last) {
			if (d->group >= 0)
				pt_buf_printf(&b, "IOMMU group %d\n", d->group);
			else
				pt_buf_printf(&b, "%s\n", h->groups > 0 ? "no IOMMU group" : "no IOMMU groups (IOMMU off)");
			last = d->group;
		}
		pt_buf_printf(&b, "  %s %s: %s", pt_dev_short_slot(d), cls, dev);
		if (d->subvendor || d->subdevice)
			pt_buf_printf(&b, " sub [%04x:%04x]", d->subvendor, d->subdevice);
		pt_buf_printf(&b, " driver=%s", d->driver[0] ? d->driver : "-");
		if (d->override[0])
			pt_buf_printf(&b, " override=%s", d->override);
		if (!pt_dev_is_bridge(d))
			pt_buf_printf(&b, " reset=%s", d->reset_method[0] ? d->reset_method : "-");
		if (d->boot_vga == 1)
			pt_buf_puts(&b, " boot_vga");
		if (sel)
			pt_buf_printf(&b, " pt.devices:%s", sel);
		pt_buf_puts(&b, "\n");
		list_disks_text(&b, &h->storage, d->slot);
	}
	if (o->json)
		pt_buf_puts(&b, n ? "\n  ]\n}\n" : "]\n}\n");
	free(v);
	pt_filter_free(flt);
	pt_names_free(names);
	if (b.err) {
		pt_buf_free(&b);
		return ptctl_fail(2, "out of memory");
	}
	out(&b);
	pt_buf_free(&b);
	return 0;
}

/* ---- check ----------------------------------------------------------------- */

static int cmd_check(const struct opts *o, struct pt_host *h, const struct pt_tuning *tun)
{
	struct pt_findings f;
	struct pt_buf b = { 0 };
	size_t count[4] = { 0 };
	enum pt_sev worst;
	int r;

	r = pt_check_run(h, tun, o->policy, &f);
	if (r < 0)
		return ptctl_fail(2, "check failed: %s", strerror(-r));
	worst = pt_findings_worst(&f);
	for (size_t i = 0; i < f.n; i++)
		count[f.v[i].sev]++;
	if (o->json)
		pt_buf_printf(&b, "{\n  \"version\": 1,\n  \"ready\": %s,\n  \"errors\": %zu,\n  \"warnings\": %zu,"
			      "\n  \"findings\": [", worst < PT_SEV_WARN ? "true" : "false", count[PT_SEV_ERROR],
			      count[PT_SEV_WARN]);
	for (size_t i = 0; i < f.n; i++) {
		const struct pt_finding *x = &f.v[i];

		if (o->json) {
			pt_buf_printf(&b, "%s\n    {\"severity\": \"%s\", \"topic\": \"%s\", \"text\": ", i ? "," : "",
				      pt_sev_name(x->sev), x->topic);
			pt_buf_json_str(&b, x->text);
			pt_buf_puts(&b, ", \"fix\": ");
			pt_buf_json_str(&b, x->fix[0] ? x->fix : NULL);
			pt_buf_puts(&b, "}");
			continue;
		}
		pt_buf_printf(&b, "%-8s %-12s %s\n", pt_sev_name(x->sev), x->topic, x->text);
		if (x->fix[0])
			pt_buf_printf(&b, "%-8s %-12s fix: %s\n", "", "", x->fix);
	}
	if (o->json)
		pt_buf_puts(&b, f.n ? "\n  ]\n}\n" : "]\n}\n");
	else
		pt_buf_printf(&b, "%zu error%s, %zu warning%s: %s\n", count[PT_SEV_ERROR],
			      count[PT_SEV_ERROR] == 1 ? "" : "s", count[PT_SEV_WARN],
			      count[PT_SEV_WARN] == 1 ? "" : "s",
			      worst == PT_SEV_ERROR ? "not ready" : worst == PT_SEV_WARN ? "ready, with warnings" : "ready");
	pt_findings_free(&f);
	if (b.err) {
		pt_buf_free(&b);
		return ptctl_fail(2, "out of memory");
	}
	out(&b);
	pt_buf_free(&b);
	return worst == PT_SEV_ERROR ? 2 : worst == PT_SEV_WARN ? 1 : 0;
}

/* ---- cmdline --------------------------------------------------------------- */

static int cmd_cmdline(const struct opts *o, struct pt_host *h, const struct pt_policy *pol,
		       const struct pt_tuning *tun)
{
	struct pt_policy extra = { 0 };
	struct pt_buf args = { 0 }, why = { 0 };
	bool *sel;
	int r, rc = 0;

	extra.sels = calloc((size_t)o->nargs + 1, sizeof(*extra.sels));
	sel = calloc(h->sys.ndevs + 1, sizeof(*sel));
	if (!extra.sels || !sel) {
		free(extra.sels);
		free(sel);
		return ptctl_fail(2, "out of memory");
	}
	for (int i = 0; i < o->nargs; i++) {
		const char *w;

		if (pt_sel_parse(o->args[i], strlen(o->args[i]), &extra.sels[i], &w) < 0) {
			rc = ptctl_fail(2, "selector \"%s\": %s", o->args[i], w);
			goto out;
		}
		extra.nsels++;
	}
	if (!extra.nsels && !(o->policy && pol)) {
		rc = ptctl_fail(2, "name the functions to pass: ptctl cmdline SLOT|ID|SLOT@ID... (or --policy STR)");
		goto out;
	}
	for (int pass = 0; pass < 2; pass++) {
		const struct pt_policy *p = pass ? (o->policy ? pol : NULL) : &extra;

		for (size_t s = 0; p && s < p->nsels; s++) {
			bool any = false;

			for (size_t i = 0; i < h->sys.ndevs; i++)
				if (pt_sel_matches(&p->sels[s], &h->sys.devs[i]))
					any = sel[i] = true;
			if (!any) {
				rc = ptctl_fail(2, "selector %s matches no PCI function (see ptctl list)", p->sels[s].text);
				goto out;
			}
		}
	}
	r = pt_cmdline_build(h, tun, sel, &args, &why);
	if (why.len)
		for (char *l = strtok(why.data, "\n"); l; l = strtok(NULL, "\n"))
			fprintf(stderr, "# %s\n", l);
	if (r == -EBUSY) {
		rc = ptctl_fail(2, "refusing: a selected function carries the disk of the running system");
		goto out;
	}
	if (r == -ENODEV) {
		rc = ptctl_fail(2, "nothing to pass: PCI bridges stay with the host");
		goto out;
	}
	if (r < 0) {
		rc = ptctl_fail(2, "%s", strerror(-r));
		goto out;
	}
	printf("%s\n", args.data ? args.data : "");
out:
	pt_buf_free(&args);
	pt_buf_free(&why);
	free(extra.sels);
	free(sel);
	return rc;
}

int main(int argc, char **argv)
{
	struct pt_policy pol = { 0 }, *polp = NULL;
	struct pt_tuning tun = { 0 };
	const char *ptext = NULL;
	char *tuning_text = NULL;
	struct pt_host h;
	struct opts o;
	unsigned line = 0;
	int r, rc;
	const struct ptctl_cmd *ext = find_ext_cmd(argc, argv);

	if (ext)
		return ext->main(argc, argv);

	o.args = calloc((size_t)argc + 1, sizeof(*o.args));
	if (!o.args)
		return 2;
	rc = parse_args(argc, argv, &o);
	if (rc) {
		free(o.args);
		return rc;
	}
	if (o.tuning) {
		r = pt_read_file(AT_FDCWD, o.tuning, 1 << 20, &tuning_text, NULL);
		if (r < 0) {
			free(o.args);
			return ptctl_fail(2, "cannot read --tuning %s: %s", o.tuning, strerror(-r));
		}
	}
	r = pt_tuning_parse(tuning_text ? tuning_text : pt_tuning_builtin, &tun, &line);
	free(tuning_text);
	if (r < 0) {
		char l[16];

		free(o.args);
		pt_snprintf(l, sizeof(l), "%u", line);
		return ptctl_fail(2, "tuning rules, line %s: expected \"when | arguments | why\"", l);
	}
	if (o.policy) {
		struct pt_policy_error pe = { 0 };

		if (pt_policy_parse(o.policy, &pol, &pe) < 0) {
			pt_tuning_free(&tun);
			free(o.args);
			fprintf(stderr, "ptctl: --policy: selector \"%s\": %s\n", pe.sel, pe.why ? pe.why : "out of memory");
			return 2;
		}
		polp = &pol;
		ptext = o.policy;
	}
	r = pt_host_open(o.root, o.cmdline_file, !o.no_disks, &h);
	if (r < 0) {
		pt_policy_free(&pol);
		pt_tuning_free(&tun);
		free(o.args);
		if (o.cmdline_file && r == -ENOENT && access(o.cmdline_file, R_OK) < 0)
			return ptctl_fail(2, "cannot read --cmdline-file %s: %s", o.cmdline_file, strerror(-r));
		return ptctl_fail(2, "cannot read the PCI devices under %s: %s", o.root, strerror(-r));
	}
	if (!polp && h.opts.devices) {
		struct pt_policy_error pe = { 0 };

		/* the running policy: a malformed one is check's business, list just shows no matches */
		if (pt_policy_parse(h.opts.devices, &pol, &pe) == 0) {
			polp = &pol;
			ptext = h.opts.devices;
		}
	}
	if (strcmp(o.cmd, "list") == 0)
		rc = cmd_list(&o, &h, polp, ptext);
	else if (strcmp(o.cmd, "check") == 0)
		rc = cmd_check(&o, &h, &tun);
	else
		rc = cmd_cmdline(&o, &h, polp, &tun);
	pt_host_close(&h);
	pt_policy_free(&pol);
	pt_tuning_free(&tun);
	free(o.args);
	if (fflush(stdout) != 0 || ferror(stdout))
		return ptctl_fail(2, "writing the output failed");
	return rc;
}
