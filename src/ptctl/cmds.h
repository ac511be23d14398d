/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ptctl's commands that parse their own options (src/ptctl/cmd-*.c). Each
 * takes ptctl's whole argv and returns the exit status.
 */
#ifndef PTCTL_CMDS_H
#define PTCTL_CMDS_H

struct ptctl_cmd {
	const char *name;
	int (*main)(int argc, char **argv);
};

#endif
