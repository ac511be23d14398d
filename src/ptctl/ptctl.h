/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ptctl's frontend: the options of every command (parsed once, by ptctl.c), the command
 * table, and the few helpers commands share to open the host, find the selection and say
 * what went wrong. Decisions live in the library (host.h); commands parse and print.
 */
#ifndef PTCTL_H
#define PTCTL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "host.h"

/* Exit status, as ptctl(8) documents it. Out of memory is PTCTL_FAIL everywhere. */
enum {
	PTCTL_OK = 0,
	PTCTL_PARTIAL = 1, /* warnings, or something was refused or failed and rolled back */
	PTCTL_FAIL = 2,	   /* bad input, a refusal before anything changed, or an error */
};

struct ptctl {
	/* global options */
	const char *root, *cmdline_file, *pci_ids, *tuning;
	bool no_hwdb, no_disks;
	/* command options: ptctl.c's option table says which command takes which */
	const char *policy, *slot, *id, *format, *to, *title, *kernel;
	bool json, force, group, dry_run, verbose, def, windows, no_update, once;
	bool no_complete;	/* --no-complete: leave a slot's other functions */
	bool cancel_once;	/* boot --cancel-once */
	const char *extra_args; /* entry add --args: NULL when not given, "" clears */
	bool keep_edits;	/* entry add --keep-edits */
	/* VM mode (tune, entry add, virt): --vm-cpus, --vm-memory, --vm-pages, --cross-numa,
	 * --no-isolcpus/--no-nohz/--no-rcu-nocbs/--no-irqaffinity (PT_TUNE_NO_*) */
	const char *vm_cpus, *vm_memory, *vm_pages;
	bool cross_numa;
	unsigned tune_off;
	/* migrate: --apply, --revert, --select SEL (repeatable), --rebuild-with CMD */
	bool apply, revert;
	const char *rebuild_with;
	const char *selects[32];
	int nselects;
	bool locked; /* the caller holds PT_LOCK_FILE: entry add does not take it again */
	const struct ptctl_cmd *cmd;
	const char *sub; /* entry and boot: the subcommand */
	char **args;	 /* the command's positional arguments (after sub) */
	int nargs;
};

struct ptctl_cmd {
	const char *name;
	int (*run)(struct ptctl *c);
	const char *opts;     /* the command options it takes (letters of ptctl.c's table) */
	bool sub;	      /* takes a subcommand word first */
	const char *synopsis; /* one line of ptctl --help */
	const char *help;     /* ptctl COMMAND --help */
};

/* "ptctl: MESSAGE" on stderr, and the exit status rc. Every error goes through here. */
int ptctl_err(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "ptctl: warning: MESSAGE" on stderr. */
void ptctl_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The message for a library error code (out of memory and the like) and PTCTL_FAIL. */
int ptctl_errno(int r, const char *what);

/* The host under --root, with disks probed unless --no-disks (or disks is false). 0, or an
 * exit status after saying why. */
int ptctl_open_host(const struct ptctl *c, bool disks, struct pt_host *h);
/* The tuning rules: --tuning FILE or the built-in kernel-cmdline/tuning.conf. */
int ptctl_load_tuning(const struct ptctl *c, struct pt_tuning *t);

/* Where a command's selection comes from. */
enum ptctl_select {
	PTCTL_SELECT_REQUIRED = 1 << 0, /* arguments or --policy, or fail naming what to give */
	PTCTL_SELECT_RUNNING = 1 << 1,	/* else the running command line's pt.devices= */
	PTCTL_SELECT_SAVED = 1 << 2,	/* else the selection entry add saved (entry.conf) */
	PTCTL_SELECT_ANY = PTCTL_SELECT_RUNNING | PTCTL_SELECT_SAVED,
};

/* The command's selectors (its arguments and --policy, one list; else, as how allows, the
 * running pt.devices= or the saved selection, said on stderr) planned on h; a selector
 * that is malformed, matches nothing or is refused is an error, said once. 1 when there is
 * no selection (and none is required), 0 with ret filled, or an exit status. */
int ptctl_select(const struct ptctl *c, const struct pt_host *h, unsigned how, unsigned plan_flags,
		 struct pt_selection *ret);
/* The plan flags of a command that completes: a slot's other functions, unless --no-complete. */
unsigned ptctl_complete_flags(const struct ptctl *c);

/* pt_kargs_build's reasons (cmdline, migrate) as "# " lines on stderr. */
void ptctl_say_why(const struct pt_buf *why);
/* The refusals of pt_kargs_build (cmdline, entry add), worded once; the exit status. */
int ptctl_kargs_error(int r, const struct pt_kargs *k);

/* Write b to stdout; PTCTL_FAIL (said) when b ran out of memory or stdout failed. */
int ptctl_print(struct pt_buf *b);

/* VM mode (cmd-tune.c). Were --vm-cpus or --vm-memory given? */
bool ptctl_vm_asked(const struct ptctl *c);
/* Plan the VM of --vm-cpus/--vm-memory (and the other tune options) on the host under --root;
 * t (may be NULL) gets the topology read (pt_topo_free it). A refusal is said on stderr with
 * its numbers, and put in why (may be NULL): the exit status PTCTL_FAIL; 0 with *p. */
int ptctl_vm_plan(const struct ptctl *c, struct pt_tune_plan *p, struct pt_topo *t,
		  struct pt_tune_refusal *why);
/* The plan saved with the host+passthrough entry (etc/ptboot/entry.conf): 0 with *p, 1 when
 * none is saved (or no entry.conf), else an exit status after saying why. */
int ptctl_vm_saved(int rootfd, struct pt_tune_plan *p);
/* entry status: the saved plan in two lines (nothing without one). */
void ptctl_vm_status(int rootfd);
/* The PTBOOT_VM_* lines of p appended to an entry.conf text (entry add). */
int ptctl_vm_conf(const struct pt_tune_plan *p, struct pt_buf *conf);

/* For migrate (cmd-entry.c): the files entry add would write, one a line; grub.cfg made
 * anew (or the command said). */
int ptctl_entry_targets(const struct ptctl *c, struct pt_buf *out);
int ptctl_entry_regenerate(const struct ptctl *c);
/* For migrate (cmd-check.c): the checks of ptctl check on the running command line and the
 * saved selection, only their warnings and errors and the summary line printed; the exit
 * status check would have. */
int ptctl_check_summary(const struct ptctl *c);

/* The commands (cmd-*.c) */
int ptctl_cmd_list(struct ptctl *c);
int ptctl_cmd_check(struct ptctl *c);
int ptctl_cmd_cmdline(struct ptctl *c);
int ptctl_cmd_entry(struct ptctl *c);
int ptctl_cmd_boot(struct ptctl *c);
int ptctl_cmd_bind(struct ptctl *c);
int ptctl_cmd_unbind(struct ptctl *c);
int ptctl_cmd_virt(struct ptctl *c);
int ptctl_cmd_status(struct ptctl *c);
int ptctl_cmd_tune(struct ptctl *c);
int ptctl_cmd_migrate(struct ptctl *c);

#endif
