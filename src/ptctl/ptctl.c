// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ptctl: the host tool. A dispatcher in kmod's manner: one option table and one parser for
 * every command, a {name, function, help} table of commands (src/ptctl/cmd-*.c), and the
 * helpers they share. Decisions live in the library (host.h); commands parse and print.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptctl.h"
#include "tuning-data.h"

/* ---- the commands ---------------------------------------------------------------------- */

static const struct ptctl_cmd commands[] = {
	{ "list", ptctl_cmd_list, "Psdj", false, "list [-s SLOT] [-d ID] [--json]",
	  "usage: ptctl [OPTIONS] list [-s SLOT] [-d ID] [--policy STR] [--json]\n"
	  "  PCI functions by IOMMU group, with their drivers, reset methods and disks; -s and -d are\n"
	  "  lspci's filters ([[DOMAIN:]BUS:]DEV.FN, VENDOR:DEVICE[:CLASS[:PROGIF]])\n" },
	{ "check", ptctl_cmd_check, "Pj", false, "check [SEL...] [--policy STR] [--json]",
	  "usage: ptctl [OPTIONS] check [SEL...] [--policy STR] [--json]\n"
	  "  readiness for passing SEL (or --policy, or the running pt.devices=); exit 0 ready,\n"
	  "  1 warnings, 2 errors\n" },
	{ "cmdline", ptctl_cmd_cmdline, "PX", false, "cmdline SEL... [--policy STR] [--no-complete]",
	  "usage: ptctl [OPTIONS] cmdline SEL... [--policy STR] [--no-complete]\n"
	  "  the kernel arguments that pass the functions SEL (slot, ID or SLOT@ID): IOMMU groups\n"
	  "  and slots completed, guarded, tuned; why each is there goes to stderr. --no-complete:\n"
	  "  leave a slot's functions in other IOMMU groups out\n" },
	{ "entry", ptctl_cmd_entry, "PiDwkUXaEf12345678", true, "entry add|remove|status",
	  "usage: ptctl [OPTIONS] entry add [SEL... | --policy STR] [--title T] [--default] [--windows]\n"
	  "                 [--kernel KVER] [--no-update] [--no-complete] [--args \"ARGS\"]\n"
	  "                 [--keep-edits | --force]\n"
	  "                 [--vm-cpus N --vm-memory SIZE [TUNE OPTIONS]]\n"
	  "       ptctl [OPTIONS] entry remove [--kernel KVER] [--no-update]\n"
	  "       ptctl [OPTIONS] entry status\n"
	  "  the boot menu's host+passthrough entry beside every kernel's own; --args: kernel\n"
	  "  arguments of that entry only (kept by later adds; --args \"\" clears them); an entry\n"
	  "  edited by hand is left alone unless --keep-edits (its added arguments become --args)\n"
	  "  or --force (they are dropped)\n" },
	{ "boot", ptctl_cmd_boot, "OfK", true, "boot [vm|bare-metal|windows [--once]] [--cancel-once]",
	  "usage: ptctl [OPTIONS] boot vm|bare-metal|windows [--once] [--force]\n"
	  "       ptctl [OPTIONS] boot [--cancel-once]\n"
	  "  the entry to boot by default, or (--once) next time only; bare-metal also clears a\n"
	  "  pending host+passthrough or Windows one-shot. windows: the Windows entry (GRUB: the\n"
	  "  one entry add --windows makes; systemd-boot: its own auto-windows). vm refuses an\n"
	  "  entry whose initramfs can't bind (--force boots it anyway). Without a mode: the\n"
	  "  default and a pending one-shot;\n"
	  "  --cancel-once clears the one-shot alone\n" },
	{ "bind", ptctl_cmd_bind, "fgnvX", false, "bind SEL... [--group] [--force]",
	  "usage: ptctl [OPTIONS] bind SEL... [--group] [--force] [--dry-run] [--verbose] [--no-complete]\n"
	  "  hand the functions SEL (slot, ID or SLOT@ID) to vfio-pci now, with the other functions\n"
	  "  of their slots (not with --no-complete); refuses what the host still uses. --group: the\n"
	  "  rest of their IOMMU groups too; --force: a GPU that holds the console (never a disk in use)\n" },
	{ "unbind", ptctl_cmd_unbind, "tgnv", false, "unbind SEL... [--to DRIVER] [--group]",
	  "usage: ptctl [OPTIONS] unbind SEL... [--to DRIVER] [--group] [--dry-run] [--verbose]\n"
	  "  give the functions SEL back to their host driver (or to DRIVER)\n" },
	{ "virt", ptctl_cmd_virt, "PFX12345678", false, "virt [SEL...] [--format F]",
	  "usage: ptctl [OPTIONS] virt [SEL...] [--policy STR] [--format libvirt|virt-install|qemu|pin]\n"
	  "                 [--no-complete] [--vm-cpus N --vm-memory SIZE [TUNE OPTIONS]]\n"
	  "  the VM definition for SEL (IOMMU groups and slots completed), or --policy, or the\n"
	  "  functions on vfio-pci now; with the VM-mode plan saved by entry add (or the one\n"
	  "  --vm-cpus/--vm-memory make now): pinned vCPUs, a matching topology, hugepages;\n"
	  "  --format pin: the script that pins a running QEMU\n" },
	{ "tune", ptctl_cmd_tune, "j12345678", false, "tune --vm-cpus N --vm-memory SIZE [--json]",
	  "usage: ptctl [OPTIONS] tune [--vm-cpus N] [--vm-memory SIZE] [--vm-pages 2M|1G] [--cross-numa]\n"
	  "                 [--no-isolcpus] [--no-nohz] [--no-rcu-nocbs] [--no-irqaffinity] [--json]\n"
	  "  VM mode: the host CPUs (whole L3 domains, SMT siblings together, CPU 0 with the host)\n"
	  "  and hugepages for a VM, and the kernel arguments of the host+passthrough entry; exit 2\n"
	  "  when refused (save it: ptctl entry add SEL... --vm-cpus N --vm-memory SIZE)\n" },
	{ "migrate", ptctl_cmd_migrate, "nArSBjf", false,
	  "migrate [--dry-run | --apply | --revert [BACKUP]] [--select SEL...]",
	  "usage: ptctl [OPTIONS] migrate [--dry-run] [--select SEL]... [--json]\n"
	  "       ptctl [OPTIONS] migrate --apply [--select SEL]... [--rebuild-with CMD]\n"
	  "       ptctl [OPTIONS] migrate --revert [BACKUP] [--force] [--rebuild-with CMD]\n"
	  "  from a passthrough set up by hand (vfio-pci.ids=, modprobe.d, dracut.conf.d...) to\n"
	  "  ptboot's host+passthrough entry: the plan (exit 0 nothing to do, 1 a plan); --apply\n"
	  "  backs the files up (/var/lib/ptboot/backup/), rewrites them, adds the entry, makes the\n"
	  "  initramfs anew (CMD KVER with --rebuild-with) and checks; --revert puts the files back.\n"
	  "  --select SEL chooses when an ID names several functions, or none\n" },
	{ "status", ptctl_cmd_status, "", false, "status",
	  "usage: ptctl [OPTIONS] status\n"
	  "  what pt-early did this boot and what changed since\n" },
};

/* ---- one option table, one parser ------------------------------------------------------- */

/* Global options: every command takes them. The rest are command options (ptctl_cmd.opts). */
#define GLOBAL_OPTS "RCIHWNThV"

/* clang-format off */
static const struct option options[] = {
	{ "root", required_argument, NULL, 'R' },
	{ "cmdline-file", required_argument, NULL, 'C' },
	{ "pci-ids", required_argument, NULL, 'I' },
	{ "hwdb", no_argument, NULL, 'H' },
	{ "no-hwdb", no_argument, NULL, 'W' },
	{ "no-disks", no_argument, NULL, 'N' },
	{ "tuning", required_argument, NULL, 'T' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "policy", required_argument, NULL, 'P' },
	{ "json", no_argument, NULL, 'j' },
	{ "format", required_argument, NULL, 'F' },
	{ "to", required_argument, NULL, 't' },
	{ "force", no_argument, NULL, 'f' },
	{ "group", no_argument, NULL, 'g' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "title", required_argument, NULL, 'i' },
	{ "default", no_argument, NULL, 'D' },
	{ "windows", no_argument, NULL, 'w' },
	{ "kernel", required_argument, NULL, 'k' },
	{ "no-update", no_argument, NULL, 'U' },
	{ "once", no_argument, NULL, 'O' },
	{ "no-complete", no_argument, NULL, 'X' },
	{ "cancel-once", no_argument, NULL, 'K' },
	{ "args", required_argument, NULL, 'a' },
	{ "keep-edits", no_argument, NULL, 'E' },
	/* migrate */
	{ "apply", no_argument, NULL, 'A' },
	{ "revert", no_argument, NULL, 'r' },
	{ "select", required_argument, NULL, 'S' },
	{ "rebuild-with", required_argument, NULL, 'B' },
	/* VM mode (tune, entry add, virt) */
	{ "vm-cpus", required_argument, NULL, '1' },
	{ "vm-memory", required_argument, NULL, '2' },
	{ "vm-pages", required_argument, NULL, '3' },
	{ "cross-numa", no_argument, NULL, '4' },
	{ "no-isolcpus", no_argument, NULL, '5' },
	{ "no-nohz", no_argument, NULL, '6' },
	{ "no-rcu-nocbs", no_argument, NULL, '7' },
	{ "no-irqaffinity", no_argument, NULL, '8' },
	{ NULL, 0, NULL, 0 },
};
/* clang-format on */

static void usage(FILE *f)
{
	fputs("usage: ptctl [OPTIONS] COMMAND [ARGS]\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %s\n", commands[i].synopsis);
	fputs("SEL is a slot (03:00.0), an ID (1002:744c) or a guarded slot (03:00.0@1002:744c).\n"
	      "options:\n"
	      "  --root DIR           read DIR instead of / (sys, proc, dev, boot, lib/modules under it)\n"
	      "  --cmdline-file FILE  read the kernel command line from FILE instead of proc/cmdline\n"
	      "  --no-disks           do not probe disk contents\n"
	      "  --pci-ids FILE       the pci.ids to name devices from; --no-hwdb: not udev's hwdb too\n"
	      "  --tuning FILE        per-vendor tuning rules instead of the built-in tuning.conf\n"
	      "  -h, --help, --version  (ptctl COMMAND --help: that command's options)\n",
	      f);
}

/* The name of an option for messages: "--policy" or "-s". */
static void opt_name(int id, char *buf, size_t size)
{
	for (const struct option *o = options; o->name; o++)
		if (o->val == id) {
			pt_snprintf(buf, size, "--%s", o->name);
			return;
		}
	pt_snprintf(buf, size, "-%c", id);
}

static const struct ptctl_cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void set_opt(struct ptctl *c, int id, char *arg)
{
	switch (id) {
	case 'R': c->root = arg; break;
	case 'C': c->cmdline_file = arg; break;
	case 'I': c->pci_ids = arg; break;
	case 'W': c->no_hwdb = true; break;
	case 'N': c->no_disks = true; break;
	case 'T': c->tuning = arg; break;
	case 'P': c->policy = arg; break;
	case 'j': c->json = true; break;
	case 's': c->slot = arg; break;
	case 'd': c->id = arg; break;
	case 'F': c->format = arg; break;
	case 't': c->to = arg; break;
	case 'f': c->force = true; break;
	case 'g': c->group = true; break;
	case 'n': c->dry_run = true; break;
	case 'v': c->verbose = true; break;
	case 'i': c->title = arg; break;
	case 'D': c->def = true; break;
	case 'w': c->windows = true; break;
	case 'k': c->kernel = arg; break;
	case 'U': c->no_update = true; break;
	case 'O': c->once = true; break;
	case 'X': c->no_complete = true; break;
	case 'K': c->cancel_once = true; break;
	case 'a': c->extra_args = arg; break;
	case 'E': c->keep_edits = true; break;
	case 'A': c->apply = true; break;
	case 'r': c->revert = true; break;
	case 'S':
		if (c->nselects < (int)ARRAY_SIZE(c->selects))
			c->selects[c->nselects] = arg;
		c->nselects++; /* migrate refuses more than it holds */
		break;
	case 'B': c->rebuild_with = arg; break;
	case '1': c->vm_cpus = arg; break;
	case '2': c->vm_memory = arg; break;
	case '3': c->vm_pages = arg; break;
	case '4': c->cross_numa = true; break;
	case '5': c->tune_off |= PT_TUNE_NO_ISOLCPUS; break;
	case '6': c->tune_off |= PT_TUNE_NO_NOHZ_FULL; break;
	case '7': c->tune_off |= PT_TUNE_NO_RCU_NOCBS; break;
	case '8': c->tune_off |= PT_TUNE_NO_IRQAFFINITY; break;
	default: break; /* 'H': hwdb is the default now; h, V: handled by the caller */
	}
}

struct parsed {
	char seen[64]; /* ids of the options given, in order */
	char bad[160]; /* the first option error, "" when none */
	bool help, version;
	char **words; /* positional words: the command, then its arguments */
	int nwords;
};

/* One pass over argv: options anywhere, words in order. */
static void parse_argv(int argc, char **argv, struct ptctl *c, struct parsed *p)
{
	int id;

	opterr = 0;
	optind = 1;
	while ((id = getopt_long(argc, argv, "+:s:d:hnv", options, NULL)) != -1 || optind < argc) {
		if (id == -1) {
			p->words[p->nwords++] = argv[optind++];
			continue;
		}
		if (id == ':' && !p->bad[0])
			pt_snprintf(p->bad, sizeof(p->bad), "option %s needs a value", argv[optind - 1]);
		else if (id == '?' && !p->bad[0])
			pt_snprintf(p->bad, sizeof(p->bad), "unknown option %s",
				    optopt ? (char[]){ '-', (char)optopt, '\0' } : argv[optind - 1]);
		if (id == ':' || id == '?')
			continue;
		p->help |= id == 'h';
		p->version |= id == 'V';
		if (strlen(p->seen) + 1 < sizeof(p->seen) && !strchr(p->seen, id))
			p->seen[strlen(p->seen)] = (char)id;
		set_opt(c, id, optarg);
	}
}

/* Parse argv into c. -1 to go on, else the exit status. */
static int parse(int argc, char **argv, struct ptctl *c)
{
	struct parsed p = { .words = c->args };
	const struct ptctl_cmd *cmd;
	char name[32];

	parse_argv(argc, argv, c, &p);
	cmd = p.nwords ? find_cmd(p.words[0]) : NULL;
	if (p.help) {
		if (cmd)
			fputs(cmd->help, stdout);
		else
			usage(stdout);
		return PTCTL_OK;
	}
	if (p.version) {
		puts("ptctl " PTBOOT_VERSION);
		return PTCTL_OK;
	}
	if (p.bad[0])
		return cmd ? ptctl_err(PTCTL_FAIL, "%s: %s (see ptctl %s --help)", cmd->name, p.bad,
				       cmd->name)
			   : ptctl_err(PTCTL_FAIL, "%s (see ptctl --help)", p.bad);
	if (!p.nwords)
		return ptctl_err(PTCTL_FAIL, "no command (see ptctl --help)");
	if (!cmd)
		return ptctl_err(PTCTL_FAIL, "unknown command \"%s\" (see ptctl --help)", p.words[0]);
	for (const char *s = p.seen; *s; s++) {
		if (strchr(GLOBAL_OPTS, *s) || strchr(cmd->opts, *s))
			continue;
		opt_name(*s, name, sizeof(name));
		return ptctl_err(PTCTL_FAIL, "%s: unknown option %s (see ptctl %s --help)", cmd->name, name,
				 cmd->name);
	}
	c->cmd = cmd;
	c->args = p.words + 1;
	c->nargs = p.nwords - 1;
	if (cmd->sub && c->nargs) {
		c->sub = c->args[0];
		c->args++;
		c->nargs--;
	}
	return -1;
}

/* ---- what commands share ---------------------------------------------------------------- */

/* "ptctl: PREFIXMESSAGE" as one line: a newline or tab a name brought in is shown as \xNN */
static void say(const char *prefix, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void say(const char *prefix, const char *fmt, va_list ap)
{
	char *msg = NULL;

	fflush(stdout);
	fprintf(stderr, "ptctl: %s", prefix);
	if (vasprintf(&msg, fmt, ap) < 0) {
		fputs("out of memory\n", stderr);
		return;
	}
	for (const char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\t')
			fprintf(stderr, "\\x%02x", (unsigned)*p);
		else
			fputc(*p, stderr);
	fputc('\n', stderr);
	free(msg);
}

int ptctl_err(int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("", fmt, ap);
	va_end(ap);
	return rc;
}

void ptctl_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("warning: ", fmt, ap);
	va_end(ap);
}

int ptctl_errno(int r, const char *what)
{
	if (r == -ENOMEM)
		return ptctl_err(PTCTL_FAIL, "out of memory");
	return ptctl_err(PTCTL_FAIL, "%s: %s", what, strerror(-r));
}

int ptctl_open_host(const struct ptctl *c, bool disks, struct pt_host *h)
{
	int r = pt_host_open(c->root, c->cmdline_file, disks && !c->no_disks, h);

	if (r == 0)
		return 0;
	if (r == -ENOMEM)
		return ptctl_err(PTCTL_FAIL, "out of memory");
	if (c->cmdline_file && r == -ENOENT && access(c->cmdline_file, R_OK) < 0)
		return ptctl_err(PTCTL_FAIL, "cannot read --cmdline-file %s: %s", c->cmdline_file,
				 strerror(-r));
	return ptctl_err(PTCTL_FAIL, "cannot read the PCI devices under %s: %s", c->root, strerror(-r));
}

int ptctl_load_tuning(const struct ptctl *c, struct pt_tuning *t)
{
	char *text = NULL;
	unsigned line = 0;
	int r;

	if (c->tuning) {
		r = pt_read_file(AT_FDCWD, c->tuning, 1 << 20, &text, NULL);
		if (r < 0)
			return ptctl_err(PTCTL_FAIL, "cannot read --tuning %s: %s", c->tuning, strerror(-r));
	}
	r = pt_tuning_parse(text ? text : pt_tuning_builtin, t, &line);
	free(text);
	if (r == -ENOMEM)
		return ptctl_err(PTCTL_FAIL, "out of memory");
	if (r < 0)
		return ptctl_err(PTCTL_FAIL, "tuning rules, line %u: expected \"when | arguments | why\"",
				 line);
	return 0;
}

int ptctl_select(const struct ptctl *c, const struct pt_host *h, unsigned how, unsigned plan_flags,
		 struct pt_selection *ret)
{
	struct pt_policy_error pe = { 0 };
	struct pt_sel_problem pr;
	struct pt_buf text = { 0 };
	const char *from; /* said before a problem, unless the selectors are the arguments */
	char saved[sizeof(((struct pt_entry_conf *)0)->policy)];
	int r;

	for (int i = 0; i < c->nargs; i++)
		pt_buf_printf(&text, "%s%s", i ? "," : "", c->args[i]);
	if (c->policy)
		pt_buf_printf(&text, "%s%s", text.len ? "," : "", c->policy);
	from = c->nargs ? NULL : c->policy ? "--policy" : "pt.devices=";
	if (!text.len && !text.err && (how & PTCTL_SELECT_RUNNING) && h->opts.devices) {
		pt_buf_puts(&text, h->opts.devices);
		fflush(stdout);
		fprintf(stderr, "# using the running command line's pt.devices=%s\n", h->opts.devices);
	}
	if (!text.len && !text.err && (how & PTCTL_SELECT_SAVED) &&
	    pt_saved_policy(h->sys.rootfd, saved, sizeof(saved)) > 0) {
		pt_buf_puts(&text, saved);
		from = PT_SAVED_POLICY_SOURCE;
		fflush(stdout);
		fprintf(stderr, "# using %s: %s\n", from, saved);
	}
	if (text.err)
		return ptctl_err(PTCTL_FAIL, "out of memory");
	if (!text.len) {
		pt_buf_free(&text);
		if (how & PTCTL_SELECT_REQUIRED) {
			const char *n = c->cmd->name;

			return ptctl_err(PTCTL_FAIL,
					 "name the functions to %s: ptctl %s%s%s SLOT|ID|SLOT@ID...%s%s",
					 strcmp(n, "bind") && strcmp(n, "unbind") ? "pass" : n, n,
					 c->sub ? " " : "", c->sub ? c->sub : "",
					 strchr(c->cmd->opts, 'P') ? " (or --policy STR)" : "",
					 how & PTCTL_SELECT_SAVED
						 ? "; there is no pt.devices= and no saved selection either"
						 : "");
		}
		return 1;
	}
	r = pt_select(&h->sys, text.data, plan_flags, ret, &pe);
	pt_buf_free(&text);
	if (r == -EINVAL || r == -E2BIG)
		return ptctl_err(PTCTL_FAIL, "%s%sselector \"%s\": %s", from ? from : "", from ? ": " : "",
				 pe.sel, pe.why);
	if (r < 0)
		return ptctl_errno(r, "cannot plan");
	if (pt_selection_first_error(ret, &h->sys, &pr)) {
		pt_selection_free(ret);
		return ptctl_err(PTCTL_FAIL, "%s%s%s", from ? from : "", from ? ": " : "", pr.text);
	}
	/* what is no error (a bridge stays with the host) is said as a note */
	fflush(stdout);
	for (size_t it = 0; pt_selection_problem(ret, &h->sys, &it, &pr) > 0;)
		fprintf(stderr, "# %s\n", pr.text);
	for (size_t i = 0; i < ret->plan.nitems; i++)
		if (ret->plan.items[i].sel == PT_SEL_BY_SLOT)
			fprintf(stderr, "# %s: added, it %s (--no-complete leaves it out)\n",
				pt_dev_short_slot(&h->sys.devs[ret->plan.items[i].dev]),
				ret->plan.items[i].reason);
	return 0;
}

unsigned ptctl_complete_flags(const struct ptctl *c)
{
	return c->no_complete ? 0 : PT_PLAN_SLOTS;
}

int ptctl_print(struct pt_buf *b)
{
	if (b->err)
		return ptctl_err(PTCTL_FAIL, "out of memory");
	if (b->len && fwrite(b->data, 1, b->len, stdout) != b->len)
		return ptctl_err(PTCTL_FAIL, "writing the output failed");
	return 0;
}

/* ---- what ptctl prints, made safe for a terminal --------------------------------------- */

/* stdout and stderr of ptctl run through pt_escape: whatever a file, a policy or sysfs puts
 * in a name (an escape sequence, a control byte, invalid UTF-8) reaches the terminal as
 * "\xNN", whichever command printed it. A character cut between two writes waits in pend. */
struct esc_out {
	int fd;
	char pend[4];
	size_t npend;
};
static struct esc_out esc_stdout = { .fd = 1 }, esc_stderr = { .fd = 2 };

static int esc_emit(struct esc_out *e, const char *buf, size_t n, bool more)
{
	struct pt_buf b = { 0 };
	char *in = malloc(e->npend + n + 1);
	size_t len = e->npend + n, used, off = 0;
	int r = 0;

	if (!in)
		return -1;
	memcpy(in, e->pend, e->npend);
	memcpy(in + e->npend, buf, n);
	used = pt_escape(in, len, more, &b);
	e->npend = len - used < sizeof(e->pend) ? len - used : 0;
	memcpy(e->pend, in + used, e->npend);
	free(in);
	while (!b.err && off < b.len) {
		ssize_t w = write(e->fd, b.data + off, b.len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			r = -1;
			break;
		}
		off += (size_t)w;
	}
	if (b.err)
		r = -1;
	pt_buf_free(&b);
	return r;
}

static ssize_t esc_write(void *cookie, const char *buf, size_t n)
{
	return esc_emit(cookie, buf, n, true) < 0 ? -1 : (ssize_t)n;
}

static void esc_streams(void)
{
	cookie_io_functions_t io = { .write = esc_write };
	FILE *o = fopencookie(&esc_stdout, "w", io), *e = fopencookie(&esc_stderr, "w", io);

	if (!o || !e) {
		if (o)
			fclose(o);
		if (e)
			fclose(e);
		return;
	}
	setvbuf(o, NULL, isatty(1) ? _IOLBF : _IOFBF, BUFSIZ);
	setvbuf(e, NULL, _IONBF, 0);
	stdout = o;
	stderr = e;
}

/* Flush stdout, and a character left cut at the end as bytes. */
static int esc_finish(void)
{
	int r = fflush(stdout) != 0 || ferror(stdout) ? -1 : 0;

	fflush(stderr);
	if (esc_stdout.npend && esc_emit(&esc_stdout, "", 0, false) < 0)
		r = -1;
	if (esc_stderr.npend)
		esc_emit(&esc_stderr, "", 0, false);
	return r;
}

int main(int argc, char **argv)
{
	struct ptctl c = { .root = "/" };
	char **words;
	int rc;

	/* A short-lived tool: keep freed heap instead of giving it back page by page (libpci frees
	 * its name list in small pieces at the end, and glibc trimmed the heap after each one:
	 * a hundred brk() calls in `ptctl list`), and grow it in bigger steps. */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_TOP_PAD, 1 << 20);
	esc_streams();
	words = calloc((size_t)argc + 1, sizeof(*words));
	if (!words)
		return ptctl_err(PTCTL_FAIL, "out of memory");
	c.args = words;
	rc = parse(argc, argv, &c);
	if (rc < 0 && c.cmd)
		rc = c.cmd->run(&c);
	free(words);
	if (esc_finish() < 0)
		return ptctl_err(PTCTL_FAIL, "writing the output failed");
	return rc;
}
