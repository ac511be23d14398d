// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ptctl status: what pt-early did this boot (its state report), what differs from the end of
 * boot now, and what ptctl bind/unbind changed since (the runtime journal).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ptctl.h"

static void ms_text(uint64_t us, char *buf, size_t size)
{
	if (us >= 10000)
		pt_snprintf(buf, size, "%llu ms", (unsigned long long)((us + 500) / 1000));
	else
		pt_snprintf(buf, size, "%llu.%llu ms", (unsigned long long)(us / 1000),
			    (unsigned long long)(us % 1000 / 100));
}

static const char *now_driver(const struct pt_sys *sys, const char *slot)
{
	const struct pt_dev *d = pt_sys_find(sys, slot);

	return d ? d->driver : NULL;
}

/* The state report: 1 read, 0 none, or an exit status after saying why. */
static int read_state(const struct pt_sys *sys, struct pt_state *st)
{
	char *text = NULL;
	size_t off = 0;
	int r;

	r = pt_read_file(sys->rootfd, PT_STATE_FILE, 4 << 20, &text, NULL);
	if (r == -ENOENT) {
		printf("pt-early: no state report (/%s): it did not run this boot, or the command line has no "
		       "pt.devices=\n",
		       PT_STATE_FILE);
		return 0;
	}
	if (r < 0)
		return ptctl_err(PTCTL_FAIL, "cannot read /%s: %s", PT_STATE_FILE, strerror(-r));
	r = pt_state_parse(text, st, &off);
	free(text);
	if (r == -ENOMEM)
		return ptctl_err(PTCTL_FAIL, "out of memory");
	if (r < 0)
		return ptctl_err(PTCTL_FAIL, "/%s is not a ptboot state report (at byte %zu)", PT_STATE_FILE,
				 off);
	return 1;
}

static void show_device(const struct pt_sys *sys, const struct pt_state_dev *d)
{
	const char *now = now_driver(sys, d->slot);
	char was[160];

	if (strcmp(d->driver_before, d->driver_after) == 0)
		pt_snprintf(was, sizeof(was), "kept %s", d->driver_after[0] ? d->driver_after : "-");
	else
		pt_snprintf(was, sizeof(was), "%s -> %s", d->driver_before[0] ? d->driver_before : "-",
			    d->driver_after[0] ? d->driver_after : "-");
	printf("  %s [%04x:%04x] %-20s %-11s %-26s now %s%s\n", d->slot, d->vendor, d->device,
	       d->selector[0] ? d->selector : "(group)", d->result, was,
	       !now	? "(gone)"
	       : now[0] ? now
			: "-",
	       now && strcmp(now, d->driver_after) ? "  (changed)" : "");
	if (d->reason[0])
		printf("      %s\n", d->reason);
}

static void show_report(const struct pt_sys *sys, const struct pt_state *st)
{
	size_t nbound = 0, nfailed = 0, nrefused = 0;
	char t1[32], t2[32];

	for (size_t i = 0; i < st->ndevs; i++) {
		nbound += strcmp(st->devs[i].result, "bound") == 0;
		nrefused += strcmp(st->devs[i].result, "refused") == 0;
		nfailed += strcmp(st->devs[i].result, "failed") == 0 ||
			   strcmp(st->devs[i].result, "rolled-back") == 0;
	}
	ms_text(st->modules_us, t1, sizeof(t1));
	ms_text(st->elapsed_us, t2, sizeof(t2));
	printf("pt-early this boot%s: pt.devices=%s\n", st->dry_run ? " (dry run)" : "",
	       st->policy[0] ? st->policy : "(none)");
	printf("  kernel %s, IOMMU %s, vfio-pci %s (%s); %zu bound, %zu failed, %zu refused in %s%s\n",
	       st->kernel[0] ? st->kernel : "?",
	       !st->has_iommu ? "unknown"
	       : st->iommu    ? "on"
			      : "off",
	       st->modules[0] ? st->modules : "?", t1, nbound, nfailed, nrefused, t2,
	       st->off ? "; pt.off was given" : "");
	for (size_t i = 0; i < st->nerrors; i++)
		printf("  error: %s\n", st->errors[i]);
	for (size_t i = 0; i < st->nwarnings; i++)
		printf("  warning: %s\n", st->warnings[i]);
	for (size_t i = 0; i < st->ndevs; i++)
		show_device(sys, &st->devs[i]);
}

/* What differs from the end of boot: functions pt-early handled that moved since, and
 * functions on vfio-pci that pt-early did not put there. */
/* What put a function on vfio-pci that pt-early did not bind, from what can be read (issue 16) */
static void who_bound(const struct ptctl *c, const struct pt_dev *d, char *buf, size_t size)
{
	struct pt_leftovers l = { 0 };
	struct pt_host h;

	buf[0] = '\0';
	if (pt_host_open(c->root, c->cmdline_file, false, &h) < 0)
		return;
	if (pt_leftovers_scan(&h, &l) == 0) {
		const struct pt_dev *hd = pt_sys_find(&h.sys, d->slot);

		if (!hd || pt_leftover_binder(&h, &l, hd, buf, size) <= 0)
			buf[0] = '\0';
		pt_leftovers_free(&l);
	}
	pt_host_close(&h);
}

static void show_changes(const struct ptctl *c, const struct pt_sys *sys, const struct pt_state *st)
{
	size_t changed = 0;

	for (size_t i = 0; i < st->ndevs; i++) {
		const struct pt_state_dev *d = &st->devs[i];
		const char *now = now_driver(sys, d->slot);

		if (now && strcmp(now, d->driver_after) == 0)
			continue;
		if (!changed++)
			printf("changed since boot:\n");
		printf("  %s [%04x:%04x]: %s after pt-early, %s now\n", d->slot, d->vendor, d->device,
		       d->driver_after[0] ? d->driver_after : "no driver",
		       !now	? "gone"
		       : now[0] ? now
				: "no driver");
	}
	for (size_t i = 0; i < sys->ndevs; i++) {
		const struct pt_dev *d = &sys->devs[i];
		bool in = false;

		if (strcmp(d->driver, PT_VFIO_DRIVER) != 0)
			continue;
		for (size_t k = 0; k < st->ndevs && !in; k++)
			in = strcmp(st->devs[k].slot, d->slot) == 0;
		if (in)
			continue;
		if (!changed++)
			printf("changed since boot:\n");
		{
			char who[400];

			who_bound(c, d, who, sizeof(who));
			printf("  %s [%04x:%04x]: on vfio-pci now, not by pt-early%s%s\n", d->slot, d->vendor,
			       d->device, who[0] ? ": bound by " : "", who);
		}
	}
	if (!changed)
		printf("no change since boot\n");
}

static int journal_line(void *data, const struct pt_runtime_entry *e)
{
	bool *first = data;
	char when[32];
	time_t t = (time_t)e->epoch;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm))
		pt_snprintf(when, sizeof(when), "%llu", (unsigned long long)e->epoch);
	if (*first)
		printf("runtime changes by ptctl (/%s):\n", PT_RUNTIME_LOG);
	*first = false;
	printf("  %s  %-6s %s [%s]: %s -> %s\n", when, e->action, e->slot, e->ids, e->from, e->to);
	return 0;
}

/* The selection entry add saved, and whether this boot used it. */
static void show_saved(const struct pt_sys *sys, const struct pt_state *st, bool have)
{
	char saved[sizeof(((struct pt_entry_conf *)0)->policy)];

	if (pt_saved_policy(sys->rootfd, saved, sizeof(saved)) <= 0)
		return;
	if (have && strcmp(st->policy, saved) == 0)
		printf("this boot used %s\n", PT_SAVED_POLICY_SOURCE);
	else
		printf("%s: pt.devices=%s, not this boot's: boot the host+passthrough entry to use it "
		       "(ptctl boot vm --once)\n",
		       PT_SAVED_POLICY_SOURCE, saved);
}

int ptctl_cmd_status(struct ptctl *c)
{
	struct pt_state st = { 0 };
	struct pt_sys sys;
	char *text = NULL;
	bool first = true;
	int r, rc;

	if (c->nargs)
		return ptctl_err(PTCTL_FAIL, "status takes no arguments (\"%s\")", c->args[0]);
	r = pt_sys_open(c->root, &sys);
	if (r == 0)
		r = pt_sys_scan(&sys);
	if (r < 0)
		return ptctl_err(PTCTL_FAIL, "cannot read the PCI devices under %s: %s", c->root,
				 strerror(-r));
	rc = read_state(&sys, &st);
	if (rc > 1)
		goto out;
	if (rc == 1)
		show_report(&sys, &st);
	show_saved(&sys, &st, rc == 1);
	show_changes(c, &sys, &st);
	rc = PTCTL_OK;
	if (pt_read_file(sys.rootfd, PT_RUNTIME_LOG, 4 << 20, &text, NULL) == 0)
		pt_runtime_log_parse(text, journal_line, &first);
	free(text);
out:
	pt_state_free(&st);
	pt_sys_close(&sys);
	return rc;
}
