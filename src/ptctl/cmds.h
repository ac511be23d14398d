/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ptctl's commands that parse their own options (src/ptctl/cmd-*.c). Each
 * takes ptctl's whole argv and returns the exit status.
 */
#ifndef PTCTL_CMDS_H
#define PTCTL_CMDS_H

#include <stdarg.h>
#include <stdio.h>

struct ptctl_cmd {
	const char *name;
	int (*main)(int argc, char **argv);
};

/* cmd-entry.c: the boot menu's host+passthrough entry, and the next boot */
int ptctl_cmd_entry(int argc, char **argv);
int ptctl_cmd_boot(int argc, char **argv);
/* cmd-runtime.c: the runtime hand-off (issue 6) */
int ptctl_cmd_bind(int argc, char **argv);
int ptctl_cmd_unbind(int argc, char **argv);
int ptctl_cmd_virt(int argc, char **argv);
int ptctl_cmd_status(int argc, char **argv);

/* "ptctl: MESSAGE" on stderr. */
static inline void ptctl_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void ptctl_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("ptctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
}

/* Say it and give the exit status rc (a macro, so the analyzers see the value). */
#define ptctl_fail(rc, ...) (ptctl_msg(__VA_ARGS__), (rc))

#endif
