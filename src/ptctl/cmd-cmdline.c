// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ptctl cmdline: the kernel arguments that pass the selected functions, on one line on
 * stdout; why each argument is there on stderr as "# " lines.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ptctl.h"

void ptctl_say_why(const struct pt_buf *why)
{
	const char *p = why->data;

	fflush(stdout);
	while (p && *p) {
		size_t n = strcspn(p, "\n");

		fprintf(stderr, "# %.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

/* The refusals of pt_kargs_build, worded once for cmdline and entry add. */
int ptctl_kargs_error(int r, const struct pt_kargs *k)
{
	if (r == -EBUSY)
		return ptctl_err(PTCTL_FAIL, "refused (system-disk): %s", k->refusal);
	if (r == -ENODEV)
		return ptctl_err(PTCTL_FAIL, "nothing to pass: PCI bridges stay with the host");
	return ptctl_errno(r, "cannot build the kernel arguments");
}

int ptctl_cmd_cmdline(struct ptctl *c)
{
	struct pt_tuning tun = { 0 };
	struct pt_selection s;
	struct pt_kargs k;
	struct pt_host h;
	int r, rc;

	if (c->json)
		return ptctl_err(PTCTL_FAIL, "cmdline has no --json");
	if ((rc = ptctl_load_tuning(c, &tun)))
		return rc;
	if ((rc = ptctl_open_host(c, true, &h)))
		goto out_tun;
	if ((rc = ptctl_select(c, &h, PTCTL_SELECT_REQUIRED | PTCTL_SELECT_ANY, ptctl_complete_flags(c), &s)))
		goto out_host;
	r = pt_kargs_build(&h, &tun, s.plan.take, &k);
	ptctl_say_why(&k.why);
	if (r < 0)
		rc = ptctl_kargs_error(r, &k);
	else
		printf("%s\n", k.args.data);
	pt_kargs_free(&k);
	pt_selection_free(&s);
out_host:
	pt_host_close(&h);
out_tun:
	pt_tuning_free(&tun);
	return rc;
}
