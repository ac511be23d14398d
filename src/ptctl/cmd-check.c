// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ptctl check: the host's readiness for passthrough, as findings (severity, topic, text, fix)
 * in a table or JSON. Exit 0 ready, 1 warnings, 2 errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "ptctl.h"
#include "tuning-data.h"

/* The reset facts: $PTBOOT_DATA_DIR/reset-quirks (tests), else the root's
 * /usr/share/ptboot/reset-quirks, else the copy built in from data/reset-quirks. */
static int load_resets(const struct pt_host *h, struct pt_reset_quirks *q)
{
	const char *dir = getenv("PTBOOT_DATA_DIR");
	char path[4096], *text = NULL;
	size_t len = 0;
	unsigned line = 0;
	int r;

	if (dir && *dir) {
		pt_snprintf(path, sizeof(path), "%s/reset-quirks", dir);
		r = pt_read_file(AT_FDCWD, path, 1 << 20, &text, &len);
	} else {
		pt_snprintf(path, sizeof(path), "%s", PT_RESET_QUIRKS);
		r = pt_read_file_in(h->sys.rootfd, path, 1 << 20, &text, &len);
	}
	if (r == -ENOENT && !(dir && *dir))
		r = 0;
	else if (r < 0)
		return ptctl_err(PTCTL_FAIL, "cannot read %s: %s", path, strerror(-r));
	r = pt_reset_quirks_parse(text ? text : pt_reset_quirks_builtin,
				  text ? len : strlen(pt_reset_quirks_builtin), q, &line);
	free(text);
	if (r == -ENOMEM)
		return ptctl_err(PTCTL_FAIL, "out of memory");
	if (r < 0)
		return ptctl_err(PTCTL_FAIL, "%s, line %u: expected \"VENDOR:DEVICE[-DEVICE] METHOD NOTE\"",
				 text ? path : "the built-in reset-quirks", line);
	return 0;
}

static void render_json(struct pt_buf *b, const struct pt_findings *f, const size_t *count, enum pt_sev worst)
{
	pt_buf_printf(
		b,
		"{\n  \"version\": 1,\n  \"ready\": %s,\n  \"errors\": %zu,\n  \"warnings\": %zu,\n  \"findings\": [",
		worst < PT_SEV_WARN ? "true" : "false", count[PT_SEV_ERROR], count[PT_SEV_WARN]);
	for (size_t i = 0; i < f->n; i++) {
		const struct pt_finding *x = &f->v[i];

		pt_buf_printf(b, "%s\n    {\"severity\": \"%s\", \"topic\": \"%s\", \"text\": ", i ? "," : "",
			      pt_sev_name(x->sev), x->topic);
		pt_buf_json_str(b, x->text);
		pt_buf_puts(b, ", \"fix\": ");
		pt_buf_json_str(b, x->fix[0] ? x->fix : NULL);
		if (x->file[0]) { /* a leftover: where it is and what */
			pt_buf_puts(b, ", \"file\": ");
			pt_buf_json_str(b, x->file);
			pt_buf_printf(b, ", \"line\": %u, \"match\": ", x->line);
			pt_buf_json_str(b, x->match);
		}
		pt_buf_puts(b, "}");
	}
	pt_buf_puts(b, f->n ? "\n  ]\n}\n" : "]\n}\n");
}

static void render_text(struct pt_buf *b, const struct pt_findings *f, const size_t *count, enum pt_sev worst,
			bool brief)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct pt_finding *x = &f->v[i];

		if (brief && x->sev < PT_SEV_WARN)
			continue;

		pt_buf_printf(b, "%-8s %-12s %s\n", pt_sev_name(x->sev), x->topic, x->text);
		if (x->fix[0])
			pt_buf_printf(b, "%-8s %-12s fix: %s\n", "", "", x->fix);
	}
	pt_buf_printf(b, "%zu error%s, %zu warning%s: %s\n", count[PT_SEV_ERROR],
		      count[PT_SEV_ERROR] == 1 ? "" : "s", count[PT_SEV_WARN],
		      count[PT_SEV_WARN] == 1 ? "" : "s",
		      worst == PT_SEV_ERROR  ? "not ready"
		      : worst == PT_SEV_WARN ? "ready, with warnings"
					     : "ready");
}

/* VM mode (issue 18): with a plan saved in entry.conf, did this boot reserve and isolate what
 * it plans, and are the vCPU threads of every running QEMU on the VM's CPUs? */
static int check_vm(const struct pt_host *h, struct pt_findings *f)
{
	struct pt_tune_plan p = { 0 };
	struct pt_vmstate st;
	char *text = NULL;
	size_t len = 0;
	int fd = h->sys.rootfd, r;

	r = pt_read_file(fd, PT_ENTRY_CONF, 1 << 16, &text, &len);
	if (r == 0) {
		r = pt_tune_plan_parse(text, len, &p);
		free(text);
		if (r == -EINVAL || r == -E2BIG)
			ptctl_warn("%s: the VM plan (PTBOOT_VM_*) is malformed: run ptctl entry add again",
				   PT_ENTRY_CONF);
	}
	if (r == 0 && (r = pt_vmstate_read(fd, &st)) == 0) {
		r = pt_vmstate_check(&p, &st, h->cmdline ? h->cmdline : "", f);
		pt_vmstate_free(&st);
	}
	return r == -ENOENT || r == -EINVAL || r == -E2BIG ? 0 : r;
}

static int check(const struct ptctl *c, bool brief);

int ptctl_cmd_check(struct ptctl *c)
{
	return check(c, false);
}

int ptctl_check_summary(const struct ptctl *c)
{
	return check(c, true);
}

static int check(const struct ptctl *c, bool brief)
{
	struct pt_tuning tun = { 0 };
	struct pt_findings f;
	struct pt_reset_quirks resets = { 0 };
	struct pt_buf b = { 0 }, sel = { 0 };
	size_t count[4] = { 0 };
	const char *source = c->nargs && !brief ? "selection" : "--policy";
	enum pt_sev worst;
	struct pt_host h;
	int r, rc = PTCTL_OK;

	for (int i = 0; !brief && i < c->nargs; i++)
		pt_buf_printf(&sel, "%s%s", i ? "," : "", c->args[i]);
	if (c->policy && !brief)
		pt_buf_printf(&sel, "%s%s", sel.len ? "," : "", c->policy);
	if (sel.err)
		return ptctl_err(PTCTL_FAIL, "out of memory");
	if (sel.len) {
		/* the selection given here is bad input; a running policy's faults are findings */
		struct pt_policy_error pe = { 0 };
		struct pt_policy pol;

		r = pt_policy_parse(sel.data, &pol, &pe);
		if (r == -ENOMEM)
			rc = ptctl_err(PTCTL_FAIL, "out of memory");
		else if (r < 0)
			rc = ptctl_err(PTCTL_FAIL, "%s%sselector \"%s\": %s", c->nargs ? "" : "--policy",
				       c->nargs ? "" : ": ", pe.sel, pe.why);
		else
			pt_policy_free(&pol);
		if (rc)
			goto out_sel;
	}
	if ((rc = ptctl_load_tuning(c, &tun)))
		goto out_sel;
	if ((rc = ptctl_open_host(c, true, &h)))
		goto out_tun;
	if ((rc = load_resets(&h, &resets))) {
		pt_host_close(&h);
		goto out_tun;
	}
	r = pt_check_run(&h, &tun, &resets, sel.data, source, &f);
	pt_reset_quirks_free(&resets);
	if (r == 0 && (r = check_vm(&h, &f)) < 0)
		pt_findings_free(&f);
	pt_host_close(&h);
	if (r < 0) {
		rc = ptctl_errno(r, "check failed");
		goto out_tun;
	}
	worst = pt_findings_worst(&f);
	for (size_t i = 0; i < f.n; i++)
		count[f.v[i].sev]++;
	if (c->json && !brief)
		render_json(&b, &f, count, worst);
	else
		render_text(&b, &f, count, worst, brief);
	pt_findings_free(&f);
	rc = ptctl_print(&b);
	if (!rc)
		rc = worst == PT_SEV_ERROR ? PTCTL_FAIL : worst == PT_SEV_WARN ? PTCTL_PARTIAL : PTCTL_OK;
	pt_buf_free(&b);
out_tun:
	pt_tuning_free(&tun);
out_sel:
	pt_buf_free(&sel);
	return rc;
}
