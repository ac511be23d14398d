// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A VM-mode plan after the planner: its text form (PTBOOT_VM_* lines of etc/ptboot/entry.conf,
 * which the boot-entry scripts source), its JSON, and the check of a running system against it
 * (were the pages reserved, the CPUs isolated, are QEMU's vCPUs on them). Pure: no I/O.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

#define GiB (1ull << 30)
#define MiB (1ull << 20)

/* "1G", "2M": the page size as kernel arguments and the text form write it */
static const char *page_text(uint64_t size)
{
	return size == GiB ? "1G" : "2M";
}

static void list(const struct pt_cpuset *s, char *buf, size_t size)
{
	if (pt_cpulist_format(s, buf, size) < 0)
		pt_snprintf(buf, size, "%u CPUs", pt_cpuset_count(s));
}

/* ---- the text form: PTBOOT_VM_* lines of etc/ptboot/entry.conf --------------------------- */

#define VALUE_MAX (16 << 10)

/* Values the grammar can hold: what pt_entry_conf_format accepts inside '...'. */
static bool value_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == '\'' || s[i] == '"' || s[i] == '\\' ||
		    s[i] == '$' || s[i] == '`' || s[i] == 0x7f)
			return false;
	return true;
}

static void put_var(struct pt_buf *b, const char *name, const char *value)
{
	pt_buf_printf(b, "%s='%s'\n", name, value);
}

static void options_text(const struct pt_tune_plan *p, char *buf, size_t size)
{
	size_t l = 0;

#define OPT(cond, word)                                                                                      \
	do {                                                                                                 \
		if ((cond) && l < size)                                                                      \
			l += (size_t)pt_snprintf(buf + l, size - l, "%s%s", l ? " " : "", word);             \
	} while (0)
	buf[0] = '\0';
	OPT(p->cross_numa, "cross-numa");
	OPT(p->page_size_asked == GiB, "pages=1G");
	OPT(p->page_size_asked == 2 * MiB, "pages=2M");
	OPT(p->off & PT_TUNE_NO_ISOLCPUS, "no-isolcpus");
	OPT(p->off & PT_TUNE_NO_NOHZ_FULL, "no-nohz_full");
	OPT(p->off & PT_TUNE_NO_RCU_NOCBS, "no-rcu_nocbs");
	OPT(p->off & PT_TUNE_NO_IRQAFFINITY, "no-irqaffinity");
#undef OPT
}

int pt_tune_plan_format(const struct pt_tune_plan *p, struct pt_buf *out)
{
	struct pt_buf v = { 0 };
	char buf[128];
	int r;

	if (!value_ok(p->args, strlen(p->args)))
		return -EINVAL;
	pt_buf_puts(out,
		    "# VM mode of the host+passthrough entry (ptctl tune): the request, then the plan.\n");
	pt_snprintf(buf, sizeof(buf), "%u", p->vcpus);
	put_var(out, "PTBOOT_VM_CPUS", buf);
	pt_size_exact(p->memory_asked, buf, sizeof(buf));
	put_var(out, "PTBOOT_VM_MEMORY", buf);
	options_text(p, buf, sizeof(buf));
	put_var(out, "PTBOOT_VM_OPTIONS", buf);
	put_var(out, "PTBOOT_VM_ARGS", p->args);
	for (unsigned i = 0; i < p->vcpus; i++)
		pt_buf_printf(&v, "%s%u", i ? "," : "", p->pin[i]);
	pt_buf_puts(&v, "");
	put_var(out, "PTBOOT_VM_PIN", v.data);
	pt_buf_free(&v);
	pt_buf_cpulist(&v, &p->host);
	put_var(out, "PTBOOT_VM_HOST_CPUS", v.data);
	pt_buf_free(&v);
	pt_buf_cpulist(&v, &p->emulator);
	put_var(out, "PTBOOT_VM_EMULATOR_CPUS", v.data);
	pt_buf_free(&v);
	pt_buf_cpulist(&v, &p->nodes);
	put_var(out, "PTBOOT_VM_NODES", v.data);
	r = v.err;
	pt_buf_free(&v);
	if (p->vcpus)
		pt_snprintf(buf, sizeof(buf), "%u,%u,%u,%u", p->sockets, p->dies, p->cores, p->threads);
	else
		buf[0] = '\0';
	put_var(out, "PTBOOT_VM_TOPOLOGY", buf);
	if (p->pages)
		pt_snprintf(buf, sizeof(buf), "%s,%llu", page_text(p->page_size),
			    (unsigned long long)p->pages);
	else
		buf[0] = '\0';
	put_var(out, "PTBOOT_VM_PAGES", buf);
	pt_snprintf(buf, sizeof(buf), "%s%s%s", p->amd ? "amd" : "", p->amd && p->numa ? " " : "",
		    p->numa ? "numa" : "");
	put_var(out, "PTBOOT_VM_HOST", buf);
	return r ? r : out->err;
}

/* The PTBOOT_VM_* lines of entry.conf (pt_conf_vars: its format, one parser); cb gets
 * NUL-terminated copies. */
typedef int (*var_cb)(void *data, const char *name, const char *value, size_t vlen);

struct vars {
	var_cb cb;
	void *data;
};

static int vm_var(void *data, const char *name, size_t nlen, const char *value, size_t vlen)
{
	struct vars *vs = data;
	char n[64], *val;
	int r;

	if (nlen >= sizeof(n) || strncmp(name, "PTBOOT_VM_", 10) != 0)
		return 0; /* not ours: entry.conf's own names, or unknown */
	memcpy(n, name, nlen);
	n[nlen] = '\0';
	if (vlen >= VALUE_MAX)
		return -E2BIG;
	val = strndup(value, vlen);
	if (!val)
		return -ENOMEM;
	r = vs->cb(vs->data, n, val, vlen);
	free(val);
	return r;
}

static int vars_each(const char *text, size_t len, var_cb cb, void *data)
{
	struct vars vs = { cb, data };

	return pt_conf_vars(text, len, vm_var, &vs);
}

enum {
	F_CPUS,
	F_MEMORY,
	F_OPTIONS,
	F_ARGS,
	F_PIN,
	F_HOST_CPUS,
	F_EMULATOR,
	F_NODES,
	F_TOPOLOGY,
	F_PAGES,
	F_HOST,
	F_N
};

static const char *const field_names[F_N] = {
	"PTBOOT_VM_CPUS",     "PTBOOT_VM_MEMORY",    "PTBOOT_VM_OPTIONS",	"PTBOOT_VM_ARGS",
	"PTBOOT_VM_PIN",      "PTBOOT_VM_HOST_CPUS", "PTBOOT_VM_EMULATOR_CPUS", "PTBOOT_VM_NODES",
	"PTBOOT_VM_TOPOLOGY", "PTBOOT_VM_PAGES",     "PTBOOT_VM_HOST",
};

struct parse {
	struct pt_tune_plan *p;
	unsigned seen; /* bit per field */
	unsigned npin;
	bool any;
};

/* "12": digits only, at most max */
static int parse_uint(const char *s, uint64_t max, uint64_t *ret)
{
	return pt_parse_u64(s, max, ret) < 0 ? -EINVAL : 0;
}

static int words_each(const char *s, int (*fn)(struct parse *, const char *), struct parse *ps)
{
	char w[64];

	while (*s) {
		size_t n = strcspn(s, " ");

		if (n == 0 || n >= sizeof(w))
			return -EINVAL;
		memcpy(w, s, n);
		w[n] = '\0';
		int r = fn(ps, w);

		if (r < 0)
			return r;
		s += n;
		if (*s == ' ' && !*++s)
			return -EINVAL;
	}
	return 0;
}

static int option_word(struct parse *ps, const char *w)
{
	struct pt_tune_plan *p = ps->p;

	if (strcmp(w, "cross-numa") == 0)
		p->cross_numa = true;
	else if (strcmp(w, "pages=1G") == 0)
		p->page_size_asked = GiB;
	else if (strcmp(w, "pages=2M") == 0)
		p->page_size_asked = 2 * MiB;
	else if (strcmp(w, "no-isolcpus") == 0)
		p->off |= PT_TUNE_NO_ISOLCPUS;
	else if (strcmp(w, "no-nohz_full") == 0)
		p->off |= PT_TUNE_NO_NOHZ_FULL;
	else if (strcmp(w, "no-rcu_nocbs") == 0)
		p->off |= PT_TUNE_NO_RCU_NOCBS;
	else if (strcmp(w, "no-irqaffinity") == 0)
		p->off |= PT_TUNE_NO_IRQAFFINITY;
	else
		return -EINVAL;
	return 0;
}

static int host_word(struct parse *ps, const char *w)
{
	if (strcmp(w, "amd") == 0)
		ps->p->amd = true;
	else if (strcmp(w, "numa") == 0)
		ps->p->numa = true;
	else
		return -EINVAL;
	return 0;
}

/* One key of the saved plan. Long by nature: one case per key of the format, each a line or
 * two; splitting it would spread the format over many functions. */
static int field(void *data, const char *name, const char *v, size_t vlen)
{
	struct parse *ps = data;
	struct pt_tune_plan *p = ps->p;
	uint64_t n = 0, a[4] = { 0 };
	int f = -1, r = 0;

	for (int i = 0; i < F_N; i++)
		if (strcmp(name, field_names[i]) == 0)
			f = i;
	ps->any = true;
	if (f < 0)
		return 0; /* a name of a later version */
	ps->seen |= 1u << f;
	switch (f) {
	case F_CPUS:
		r = parse_uint(v, PT_CPU_MAX, &n);
		p->vcpus = (unsigned)n;
		break;
	case F_MEMORY: r = pt_size_parse(v, &p->memory_asked); break;
	case F_OPTIONS:
		p->cross_numa = false;
		p->page_size_asked = 0;
		p->off = 0;
		r = words_each(v, option_word, ps);
		break;
	case F_ARGS:
		if (vlen >= sizeof(p->args))
			return -E2BIG;
		if (!value_ok(v, vlen))
			return -EINVAL; /* what pt_tune_plan_format would refuse to write */
		memcpy(p->args, v, vlen + 1);
		break;
	case F_PIN:
		/* "8,24,9,25": the host CPU of each vCPU in order (not a CPU list: order matters) */
		ps->npin = 0;
		for (const char *s = v; *s && r == 0;) {
			char num[8];
			size_t l = strcspn(s, ",");

			if (l == 0 || l >= sizeof(num) || ps->npin == PT_CPU_MAX ||
			    (s[l] == ',' && !s[l + 1]))
				return -EINVAL;
			memcpy(num, s, l);
			num[l] = '\0';
			r = parse_uint(num, PT_CPU_MAX - 1, &n);
			p->pin[ps->npin++] = (uint16_t)n;
			s += l + (s[l] == ',');
		}
		break;
	case F_HOST_CPUS: r = pt_cpulist_parse(v, &p->host); break;
	case F_EMULATOR: r = pt_cpulist_parse(v, &p->emulator); break;
	case F_NODES: r = pt_cpulist_parse(v, &p->nodes); break;
	case F_TOPOLOGY: {
		const char *s = v;

		p->sockets = p->dies = p->cores = p->threads = 0;
		if (!*s)
			break;
		for (int i = 0; i < 4 && r == 0; i++) {
			char num[16];
			size_t l = strcspn(s, ",");

			if (l == 0 || l >= sizeof(num) || (i < 3 && s[l] != ',') || (i == 3 && s[l]))
				return -EINVAL;
			memcpy(num, s, l);
			num[l] = '\0';
			r = parse_uint(num, PT_CPU_MAX, &a[i]);
			if (r == 0 && a[i] == 0)
				r = -EINVAL;
			s += l + (i < 3);
		}
		p->sockets = (unsigned)a[0];
		p->dies = (unsigned)a[1];
		p->cores = (unsigned)a[2];
		p->threads = (unsigned)a[3];
		break;
	}
	case F_PAGES:
		p->page_size = p->pages = 0;
		if (!*v)
			break;
		if (strncmp(v, "1G,", 3) == 0)
			p->page_size = GiB;
		else if (strncmp(v, "2M,", 3) == 0)
			p->page_size = 2 * MiB;
		else
			return -EINVAL;
		r = parse_uint(v + 3, UINT64_MAX / GiB, &p->pages);
		if (r == 0 && !p->pages)
			r = -EINVAL;
		break;
	case F_HOST:
		p->amd = p->numa = false;
		r = words_each(v, host_word, ps);
		break;
	}
	return r < 0 ? -EINVAL : 0;
}

int pt_tune_plan_parse(const char *text, size_t len, struct pt_tune_plan *ret)
{
	struct pt_tune_plan *p = calloc(1, sizeof(*p));
	struct parse ps = { p, 0, 0, false };
	struct pt_cpuset pins = { 0 };
	int r;

	if (!p)
		return -ENOMEM;
	r = vars_each(text, len, field, &ps);
	if (r == 0 && !ps.any)
		r = -ENOENT;
	/* every field present, and a plan that holds together */
	if (r == 0 && ps.seen != (1u << F_N) - 1)
		r = -EINVAL;
	if (r == 0) {
		p->memory = p->pages * p->page_size;
		for (unsigned i = 0; i < ps.npin; i++) {
			if (pt_cpuset_has(&pins, p->pin[i]))
				r = -EINVAL;
			pt_cpuset_add(&pins, p->pin[i]);
		}
		p->vm = pins;
		if (ps.npin != p->vcpus || (!p->vcpus && !p->pages))
			r = -EINVAL;
		uint64_t product = (uint64_t)p->sockets * p->dies * p->cores * p->threads;

		if (p->vcpus && (!p->sockets || product != p->vcpus || p->threads > PT_SMT_MAX))
			r = -EINVAL;
		if (!p->vcpus &&
		    (p->sockets || !pt_cpuset_empty(&p->nodes) || !pt_cpuset_empty(&p->emulator)))
			r = -EINVAL;
		for (size_t w = 0; w < PT_CPU_MAX / 64; w++)
			if (p->vm.bits[w] & p->host.bits[w])
				r = -EINVAL;
		if (!pt_cpuset_subset(&p->emulator, &p->host))
			r = -EINVAL;
		if (p->memory_asked > p->memory || !p->pages != !p->memory_asked ||
		    (p->page_size_asked && p->page_size_asked != p->page_size))
			r = -EINVAL;
	}
	if (r == 0)
		*ret = *p;
	free(p);
	return r;
}

/* ---- JSON ------------------------------------------------------------------------------- */

static void json_list(struct pt_buf *b, const char *key, const struct pt_cpuset *s, bool comma)
{
	pt_buf_printf(b, "\"%s\": \"", key);
	pt_buf_cpulist(b, s);
	pt_buf_printf(b, "\"%s", comma ? ", " : "");
}

int pt_tune_plan_json(const struct pt_tune_plan *p, struct pt_buf *b)
{
	pt_buf_printf(b, "{\"vcpus\": %u, ", p->vcpus);
	json_list(b, "vm_cpus", &p->vm, true);
	json_list(b, "host_cpus", &p->host, true);
	json_list(b, "emulator_cpus", &p->emulator, true);
	json_list(b, "nodes", &p->nodes, true);
	pt_buf_puts(b, "\"pin\": [");
	for (unsigned i = 0; i < p->vcpus; i++)
		pt_buf_printf(b, "%s%u", i ? ", " : "", p->pin[i]);
	pt_buf_puts(b, "], ");
	if (p->vcpus)
		pt_buf_printf(
			b, "\"topology\": {\"sockets\": %u, \"dies\": %u, \"cores\": %u, \"threads\": %u}, ",
			p->sockets, p->dies, p->cores, p->threads);
	else
		pt_buf_puts(b, "\"topology\": null, ");
	pt_buf_printf(
		b, "\"memory\": {\"asked\": %llu, \"bytes\": %llu, \"page_size\": %llu, \"pages\": %llu}, ",
		(unsigned long long)p->memory_asked, (unsigned long long)p->memory,
		(unsigned long long)p->page_size, (unsigned long long)p->pages);
	pt_buf_puts(b, "\"args\": ");
	pt_buf_json_str(b, p->args);
	pt_buf_puts(b, ", \"l3\": [");
	for (size_t i = 0; i < p->ndoms; i++) {
		pt_buf_printf(b, "%s{\"id\": %d, \"size\": %llu, ", i ? ", " : "", p->doms[i].id,
			      (unsigned long long)p->doms[i].size);
		json_list(b, "cpus", &p->doms[i].cpus, true);
		json_list(b, "vm_cpus", &p->doms[i].vm, false);
		pt_buf_puts(b, "}");
	}
	pt_buf_puts(b, "], \"warnings\": [");
	for (size_t i = 0; i < p->nwarnings; i++) {
		pt_buf_printf(b, "%s{\"code\": \"%s\", \"text\": ", i ? ", " : "",
			      pt_tune_warn_name(p->warnings[i].code));
		pt_buf_json_str(b, p->warnings[i].text);
		pt_buf_puts(b, "}");
	}
	pt_buf_puts(b, "]}\n");
	return b->err;
}

/* ---- the running system against the plan ------------------------------------------------ */

static int finding(struct pt_findings *f, enum pt_sev sev, const char *topic, const char *fix,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int finding(struct pt_findings *f, enum pt_sev sev, const char *topic, const char *fix,
		   const char *fmt, ...)
{
	struct pt_finding *v;
	va_list ap;

	v = realloc(f->v, (f->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	f->v = v;
	v = &f->v[f->n++];
	*v = (struct pt_finding){ .sev = sev };
	pt_snprintf(v->topic, sizeof(v->topic), "%s", topic);
	pt_snprintf(v->fix, sizeof(v->fix), "%s", fix ? fix : "");
	va_start(ap, fmt);
	pt_vsnprintf(v->text, sizeof(v->text), fmt, ap);
	va_end(ap);
	return 0;
}

/* Is word (a whole "key=value") among the command line's? */
static bool cmdline_has(const char *cmdline, const char *word)
{
	size_t n = strlen(word);

	for (const char *s = cmdline; (s = strstr(s, word)); s++)
		if ((s == cmdline || s[-1] == ' ' || s[-1] == '\t') &&
		    (s[n] == '\0' || s[n] == ' ' || s[n] == '\n' || s[n] == '\t'))
			return true;
	return false;
}

static bool booted_with_plan(const struct pt_tune_plan *p, const char *cmdline)
{
	char *args = strdup(p->args), *save = NULL;
	bool all = args != NULL;

	for (char *w = args ? strtok_r(args, " ", &save) : NULL; w; w = strtok_r(NULL, " ", &save))
		if (!cmdline_has(cmdline, w))
			all = false;
	free(args);
	return all;
}

static int check_pages(const struct pt_tune_plan *p, const struct pt_vmstate *st, struct pt_findings *out)
{
	const struct pt_hugepool *pool = NULL;
	char sz[32];

	for (size_t i = 0; i < st->npools; i++)
		if (st->pools[i].size == p->page_size)
			pool = &st->pools[i];
	pt_size_iec(p->page_size, sz, sizeof(sz));
	if (!pool)
		return finding(out, PT_SEV_ERROR, "hugepages",
			       "boot the host+passthrough entry of a kernel with "
			       "hugetlbfs; for 1 GiB pages the CPU needs pdpe1gb",
			       "no %s hugepage pool: the kernel can't reserve the VM's %llu pages", sz,
			       (unsigned long long)p->pages);
	if (pool->nr < p->pages)
		return finding(
			out, PT_SEV_ERROR, "hugepages",
			"free memory on the VM's node, or plan less memory "
			"(ptctl tune --vm-memory)",
			"only %llu of the %llu pages of %s were reserved at boot (HugePages_Total %llu)",
			(unsigned long long)pool->nr, (unsigned long long)p->pages, sz,
			(unsigned long long)st->hugepages_total);
	return finding(out, PT_SEV_OK, "hugepages", NULL,
		       "%llu pages of %s reserved at boot (%llu free), the plan "
		       "asks %llu",
		       (unsigned long long)pool->nr, sz, (unsigned long long)pool->free,
		       (unsigned long long)p->pages);
}

static int check_cpus(const struct pt_tune_plan *p, const struct pt_vmstate *st, struct pt_findings *out)
{
	char want[256], got[256];
	int r = 0;

	list(&p->vm, want, sizeof(want));
	if (!(p->off & PT_TUNE_NO_ISOLCPUS)) {
		list(&st->isolated, got, sizeof(got));
		if (!st->has_isolated)
			r = finding(out, PT_SEV_WARN, "isolcpus", NULL,
				    "the kernel shows no "
				    "/sys/devices/system/cpu/isolated: can't tell whether %s are isolated",
				    want);
		else if (!pt_cpuset_equal(&st->isolated, &p->vm))
			r = finding(out, PT_SEV_ERROR, "isolcpus",
				    "boot the host+passthrough entry "
				    "(ptctl boot vm)",
				    "isolated CPUs are \"%s\", the plan isolates %s", got, want);
		else
			r = finding(out, PT_SEV_OK, "isolcpus", NULL,
				    "CPUs %s are isolated from the "
				    "scheduler",
				    want);
	}
	if (r == 0 && !(p->off & PT_TUNE_NO_NOHZ_FULL)) {
		list(&st->nohz_full, got, sizeof(got));
		if (!st->has_nohz_full)
			r = finding(out, PT_SEV_WARN, "nohz_full",
				    "a kernel with CONFIG_NO_HZ_FULL, or "
				    "leave nohz_full out of the plan",
				    "this kernel has no nohz_full support "
				    "(no /sys/devices/system/cpu/nohz_full): the VM's CPUs keep their timer "
				    "tick");
		else if (!pt_cpuset_equal(&st->nohz_full, &p->vm))
			r = finding(out, PT_SEV_ERROR, "nohz_full", NULL,
				    "nohz_full CPUs are \"%s\", the "
				    "plan has %s",
				    got, want);
		else
			r = finding(out, PT_SEV_OK, "nohz_full", NULL,
				    "CPUs %s run without the timer tick "
				    "when busy",
				    want);
	}
	return r;
}

static int check_qemus(const struct pt_tune_plan *p, const struct pt_vmstate *st, struct pt_findings *out)
{
	char want[256], got[256];
	int r = 0;

	list(&p->vm, want, sizeof(want));
	for (size_t i = 0; i < st->nqemus && r == 0; i++) {
		const struct pt_qemu *q = &st->qemus[i];
		unsigned off_vm = 0, off_pin = 0;
		const struct pt_qemu_thread *bad = NULL;

		if (!q->nvcpus) {
			r = finding(out, PT_SEV_INFO, "vm-pinning",
				    "start QEMU with -name "
				    "NAME,debug-threads=on (libvirt does)",
				    "QEMU %d (%s) doesn't name its "
				    "threads: its vCPUs can't be told from its other threads",
				    q->pid, q->name);
			continue;
		}
		for (size_t k = 0; k < q->nthreads; k++) {
			const struct pt_qemu_thread *th = &q->threads[k];

			if (th->vcpu < 0)
				continue;
			if (!pt_cpuset_subset(&th->allowed, &p->vm)) {
				off_vm++;
				if (!bad)
					bad = th;
			} else if ((unsigned)th->vcpu >= p->vcpus || pt_cpuset_count(&th->allowed) != 1 ||
				   !pt_cpuset_has(&th->allowed, p->pin[th->vcpu])) {
				off_pin++;
			}
		}
		if (bad) {
			list(&bad->allowed, got, sizeof(got));
			r = finding(out, PT_SEV_ERROR, "vm-pinning",
				    "pin the vCPUs as `ptctl virt` prints "
				    "them (vcpupin, or the pinning script for QEMU)",
				    "QEMU %d (%s): %u of %u "
				    "vCPU threads may run outside the isolated CPUs %s (vCPU %d: %s)",
				    q->pid, q->name, off_vm, q->nvcpus, want, bad->vcpu, got);
		} else if (off_pin) {
			r = finding(out, PT_SEV_INFO, "vm-pinning", NULL,
				    "QEMU %d (%s): its vCPUs run on "
				    "the isolated CPUs, %u of %u not on one CPU each as planned",
				    q->pid, q->name, off_pin, q->nvcpus);
		} else {
			r = finding(out, PT_SEV_OK, "vm-pinning", NULL,
				    "QEMU %d (%s): %u vCPU%s pinned to "
				    "the isolated CPUs as planned",
				    q->pid, q->name, q->nvcpus, q->nvcpus == 1 ? "" : "s");
		}
	}
	return r;
}

int pt_vmstate_check(const struct pt_tune_plan *p, const struct pt_vmstate *st, const char *cmdline,
		     struct pt_findings *out)
{
	int r = 0;

	if (!booted_with_plan(p, cmdline))
		return finding(
			out, PT_SEV_INFO, "vm-mode", "ptctl boot vm --once, then reboot",
			"this boot is not the VM entry (its arguments are not on the command line): no "
			"hugepages reserved, no CPU isolated, as intended");
	if (p->pages)
		r = check_pages(p, st, out);
	if (r == 0 && p->vcpus)
		r = check_cpus(p, st, out);
	if (r == 0 && p->vcpus)
		r = check_qemus(p, st, out);
	return r;
}
