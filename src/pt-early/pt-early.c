// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pt-early: bind the PCI functions named by pt.devices= to vfio-pci from the
 * initramfs, before the host drivers probe. A thin frontend over libptboot:
 * read the command line, plan, load vfio-pci, bind, report.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "ptboot.h"

#ifndef PTBOOT_VERSION
#define PTBOOT_VERSION "0"
#endif

struct run {
	int logfd; /* the root's dev/kmsg, or stderr */
	bool kmsg;
	bool debug;
	bool dry_run;
	const char *root;
	const char *cmdline_file;
	char *cmdline;
	struct pt_sys sys;
	struct pt_opts opts;
	struct pt_policy pol;
	struct pt_plan plan;
	struct pt_report_info info;
	uint64_t t0;
	char kver[128];
};

static void logmsg(struct run *R, int prio, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void logmsg(struct run *R, int prio, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n = 0, hdr;

	if (prio >= LOG_DEBUG && !R->debug)
		return;
	if (R->kmsg)
		n = pt_snprintf(line, sizeof(line), "<%d>", prio < LOG_DEBUG ? prio : LOG_INFO);
	hdr = n;
	n += pt_snprintf(line + n, sizeof(line) - (size_t)n, "ptboot: ");
	va_start(ap, fmt);
	n += pt_vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	/* kmsg takes one record per write() */
	if (write(R->logfd, line, (size_t)n) < 0 && R->kmsg)
		(void)!write(2, line + hdr, (size_t)(n - hdr));
}

static void trace_cb(void *data, const char *msg)
{
	logmsg(data, LOG_DEBUG, "%s", msg);
}

static void say(int fd, const char *s)
{
	(void)!write(fd, s, strlen(s));
}

static void usage(int fd)
{
	say(fd, "Usage: pt-early [OPTIONS]\n"
		"Bind the PCI functions named by pt.devices= on the kernel command line to\n"
		"vfio-pci. Run from the initramfs (dracut hook or unit) before udev coldplug.\n\n"
		"  -r, --root DIR           operate on the tree at DIR (default /)\n"
		"  -c, --cmdline-file FILE  read the command line from FILE, not proc/cmdline\n"
		"  -n, --dry-run            change nothing; print the state report it would write\n"
		"  -h, --help               show this help\n"
		"  -V, --version            show the version\n"
		"Keys: pt.devices=SEL[,SEL...] pt.groups=warn|complete pt.debug pt.off\n");
}

/* getopt_long would be a tenth of this static binary: parse by hand. Returns -1 to go on,
 * else the exit status. */
static int parse_args(struct run *R, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val;
		size_t l = strcspn(a, "=");
		char msg[600];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(1);
			return 0;
		}
		if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			say(1, "pt-early " PTBOOT_VERSION "\n");
			return 0;
		}
		if (strcmp(a, "-n") == 0 || strcmp(a, "--dry-run") == 0) {
			R->dry_run = true;
			continue;
		}
		if (strcmp(a, "-r") == 0 || strncmp(a, "--root", l > 6 ? l : 6) == 0 ||
		    strcmp(a, "-c") == 0 || strncmp(a, "--cmdline-file", l > 14 ? l : 14) == 0) {
			val = a[l] == '=' ? a + l + 1 : i + 1 < argc ? argv[++i] : NULL;
			if (val) {
				if (a[1] == 'r' || a[2] == 'r')
					R->root = val;
				else
					R->cmdline_file = val;
				continue;
			}
		}
		pt_snprintf(msg, sizeof(msg), "pt-early: bad argument '%s'\n", a);
		say(2, msg);
		usage(2);
		return 2;
	}
	return -1;
}

/* The root, the log (kmsg unless a dry run) and the command line's pt.* keys. */
static int setup(struct run *R)
{
	char msg[600];
	int r, fd;

	r = pt_sys_open(R->root, &R->sys);
	if (r < 0) {
		pt_snprintf(msg, sizeof(msg), "pt-early: cannot open root %s: %s\n", R->root, strerror(-r));
		say(2, msg);
		return r;
	}
	fd = R->dry_run ? -1 : openat(R->sys.rootfd, "dev/kmsg", O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
	if (fd >= 0) {
		R->logfd = fd;
		R->kmsg = true;
	}
	if (R->cmdline_file)
		r = pt_read_file(AT_FDCWD, R->cmdline_file, 1 << 20, &R->cmdline, NULL);
	else
		r = pt_read_file(R->sys.rootfd, "proc/cmdline", 1 << 20, &R->cmdline, NULL);
	if (r == 0)
		r = pt_opts_parse(R->cmdline, &R->opts);
	if (r < 0) {
		logmsg(R, LOG_ERR, "cannot read the kernel command line: %s; binding nothing", strerror(-r));
		return r;
	}
	R->debug = R->opts.debug;
	if (pt_read_attr(R->sys.rootfd, "proc/sys/kernel/osrelease", R->kver, sizeof(R->kver)) < 0)
		R->kver[0] = '\0';
	R->info = (struct pt_report_info){ .tool = "pt-early",
					   .debug = R->debug,
					   .dry_run = R->dry_run,
					   .kver = R->kver[0] ? R->kver : NULL };
	if (R->opts.bad_key)
		logmsg(R, LOG_WARNING, "ignoring unknown or malformed key %s", R->opts.bad_key);
	return 0;
}

static void write_report(struct run *R)
{
	struct pt_buf b = { 0 };
	int r;

	R->info.elapsed_us = pt_now_us() - R->t0;
	r = pt_report_json(&R->info, &R->sys, &R->pol, &R->plan, &b);
	if (r == 0 && R->dry_run) {
		say(1, b.data);
	} else if (r == 0) {
		r = pt_mkdir_p(R->sys.rootfd, PT_STATE_DIR, 0755);
		if (r == 0)
			r = pt_write_atomic(R->sys.rootfd, PT_STATE_FILE, b.data, b.len, 0644);
	}
	if (r < 0)
		logmsg(R, LOG_ERR, "cannot write the state report /%s: %s", PT_STATE_FILE, strerror(-r));
	pt_buf_free(&b);
}

static void log_notes(struct run *R, size_t from)
{
	for (size_t i = from; i < R->plan.nnotes; i++)
		logmsg(R, R->plan.notes[i].level, "%s", R->plan.notes[i].text);
}

static int item_prio(enum pt_result r)
{
	switch (r) {
	case PT_RES_BOUND: return LOG_INFO;
	case PT_RES_PLANNED: return LOG_DEBUG;
	case PT_RES_REFUSED:
	case PT_RES_ROLLED_BACK: return LOG_WARNING;
	default: return LOG_ERR;
	}
}

static void log_items(struct run *R)
{
	for (size_t i = 0; i < R->plan.nitems; i++) {
		const struct pt_item *it = &R->plan.items[i];
		const struct pt_dev *d = &R->sys.devs[it->dev];
		const char *sel = it->sel >= 0 ? R->pol.sels[it->sel].text : "group";

		if (it->result == PT_RES_BOUND)
			logmsg(R, LOG_INFO, "%s [%04x:%04x] (%s): bound to " PT_VFIO_DRIVER " (was %s)",
			       d->slot, d->vendor, d->device, sel,
			       it->driver_before[0] ? it->driver_before : "unbound");
		else
			logmsg(R, item_prio(it->result), "%s [%04x:%04x] (%s): %s%s%s", d->slot, d->vendor,
			       d->device, sel, pt_result_name(it->result), it->reason[0] ? ": " : "",
			       it->reason);
	}
}

/* Parse the policy, read the devices, plan. 0: go on; else the exit status (logged). */
static int plan_policy(struct run *R)
{
	struct pt_policy_error perr = { 0 };
	int r;

	R->info.policy = R->opts.devices;
	if (R->opts.devices_bare) {
		pt_plan_note(&R->plan, LOG_ERR, "malformed pt.devices: no value; binding nothing");
		log_notes(R, 0);
		return 2;
	}
	r = pt_policy_parse(R->opts.devices, &R->pol, &perr);
	if (r < 0) {
		if (r == -ENOMEM)
			pt_plan_note(&R->plan, LOG_ERR, "out of memory parsing pt.devices=; binding nothing");
		else if (r == -E2BIG)
			pt_plan_note(&R->plan, LOG_ERR, "pt.devices= holds %s, more than %d; binding nothing",
				     perr.sel, PT_POLICY_MAX_SELECTORS);
		else
			pt_plan_note(&R->plan, LOG_ERR,
				     "malformed pt.devices=%s: selector \"%s\": %s; binding nothing",
				     R->opts.devices, perr.sel, perr.why);
		log_notes(R, 0);
		return 2;
	}
	r = pt_sys_scan(&R->sys);
	if (r < 0) {
		pt_plan_note(&R->plan, LOG_ERR, "cannot read the PCI devices: %s; binding nothing",
			     strerror(-r));
		log_notes(R, 0);
		return 1;
	}
	r = pt_plan_build(&R->sys, &R->pol, R->opts.complete_groups ? PT_PLAN_GROUPS : 0, &R->plan);
	if (r < 0) {
		pt_plan_note(&R->plan, LOG_ERR, "cannot plan: %s; binding nothing", strerror(-r));
		log_notes(R, 0);
		return 1;
	}
	log_notes(R, 0);
	return 0;
}

/* vfio-pci could not be had: every function stays where it is, and says why. */
static void fail_all(struct run *R, const char *why)
{
	size_t from = R->plan.nnotes;

	pt_plan_note(&R->plan, LOG_ERR, "vfio-pci is not available (%s): the host keeps every device", why);
	log_notes(R, from);
	for (size_t i = 0; i < R->plan.nitems; i++) {
		struct pt_item *it = &R->plan.items[i];
		const char *drv = R->sys.devs[it->dev].driver;

		if (it->action != PT_ACT_BIND)
			continue;
		it->result = PT_RES_FAILED;
		pt_snprintf(it->driver_before, sizeof(it->driver_before), "%s", drv);
		pt_snprintf(it->driver_after, sizeof(it->driver_after), "%s", drv);
		pt_snprintf(it->reason, sizeof(it->reason), "vfio-pci not available: %s", why);
	}
}

/* Load vfio-pci, bind, log. Returns the number of functions that failed. */
static size_t bind_plan(struct run *R, size_t nbind)
{
	struct pt_driver_load ld;
	struct pt_kernel *k = NULL;
	size_t failed = nbind;
	int r;

	r = pt_kernel_new(R->sys.rootfd, &k);
	if (r < 0) {
		fail_all(R, strerror(-r));
		return failed;
	}
	r = pt_driver_load(R->sys.rootfd, k, R->kver[0] ? R->kver : NULL, R->cmdline, PT_VFIO_DRIVER,
			   strcmp(R->root, "/") == 0, &ld);
	R->info.modules = ld.how;
	R->info.modules_us = ld.us;
	if (strcmp(ld.how, "modprobe") == 0)
		logmsg(R, LOG_INFO, "vfio-pci needs modprobe (install command or compressed module)");
	if (ld.ids_ignored[0]) { /* a manual setup's leftover: the selection decides */
		logmsg(R, LOG_WARNING,
		       "vfio-pci loaded without %s: pt.devices= decides what it takes (pt.ids=keep keeps it)",
		       ld.ids_ignored);
		pt_plan_note(&R->plan, LOG_WARNING,
			     "vfio-pci loaded without %s: pt.devices= decides what it takes", ld.ids_ignored);
	}
	if (ld.probed)
		logmsg(R, LOG_DEBUG, "modules: %u loaded, %u present, %u built in", ld.st.loaded,
		       ld.st.present, ld.st.builtin);
	if (r < 0) {
		fail_all(R, ld.why);
	} else {
		struct pt_binder b = {
			.sys = &R->sys,
			.kernel = k,
			.driver = PT_VFIO_DRIVER,
			.trace = R->debug ? trace_cb : NULL,
			.trace_data = R,
		};

		failed = (size_t)pt_bind_apply(&b, &R->plan);
	}
	pt_kernel_free(k);
	return failed;
}

static int run_policy(struct run *R)
{
	size_t nbind, nrefused, failed;
	int r;

	r = plan_policy(R);
	if (r)
		return r;
	nbind = pt_plan_count(&R->plan, PT_ACT_BIND);
	nrefused = pt_plan_count(&R->plan, PT_ACT_REFUSE);
	if (R->dry_run || nbind == 0) {
		R->info.modules = R->dry_run ? "planned" : "skipped";
		log_items(R);
		return nrefused ? 1 : 0;
	}
	failed = bind_plan(R, nbind);
	log_items(R);
	logmsg(R, failed ? LOG_WARNING : LOG_INFO, "%zu bound, %zu failed, %zu refused in %llu us",
	       nbind - failed, failed, nrefused, (unsigned long long)(pt_now_us() - R->t0));
	return failed || nrefused ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct run R = { .root = "/", .logfd = 2, .sys = { .rootfd = -1 } };
	int ret;

	R.t0 = pt_now_us();
	ret = parse_args(&R, argc, argv);
	if (ret >= 0)
		return ret;
	if (setup(&R) < 0) {
		ret = 2;
	} else if (R.opts.off) {
		logmsg(&R, LOG_INFO, "pt.off given: ignoring pt.devices=, binding nothing");
		R.info.off = true;
		R.info.policy = R.opts.devices;
		write_report(&R);
		ret = 0;
	} else if (!R.opts.devices) {
		logmsg(&R, LOG_DEBUG, "no pt.devices= on the command line: nothing to do");
		ret = 0;
	} else {
		ret = run_policy(&R);
		write_report(&R);
	}
	pt_plan_free(&R.plan);
	pt_policy_free(&R.pol);
	pt_opts_free(&R.opts);
	free(R.cmdline);
	pt_sys_close(&R.sys);
	if (R.kmsg)
		close(R.logfd);
	return ret;
}
