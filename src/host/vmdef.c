// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VM definitions that match a VM-mode plan: the libvirt elements, virt-install flags or QEMU
 * arguments for its vCPUs (pinned one to one on the isolated host CPUs, SMT siblings as guest
 * siblings), its guest topology and cache, and its hugepage-backed memory; and the script that
 * pins a running QEMU, which has no pinning of its own.
 */
#include <errno.h>
#include <string.h>

#include "host.h"

#define GiB (1ull << 30)

/* "1 GiB" or "2 MiB" */
static const char *page_words(uint64_t size)
{
	return size == GiB ? "1 GiB" : "2 MiB";
}

static void summary(const struct pt_tune_plan *p, struct pt_buf *o, const char *open, const char *close)
{
	pt_buf_printf(o, "%sptctl virt: ", open);
	if (p->vcpus) {
		pt_buf_printf(o, "%u vCPU%s on the isolated host CPU%s ", p->vcpus, p->vcpus == 1 ? "" : "s",
			      p->vcpus == 1 ? "" : "s");
		pt_buf_cpulist(o, &p->vm);
		pt_buf_printf(
			o, " (guest topology: %u socket%s, %u die%s, %u core%s, %u thread%s), emulator on ",
			p->sockets, p->sockets == 1 ? "" : "s", p->dies, p->dies == 1 ? "" : "s", p->cores,
			p->cores == 1 ? "" : "s", p->threads, p->threads == 1 ? "" : "s");
		pt_buf_cpulist(o, &p->emulator);
		pt_buf_puts(o, p->pages ? "; " : "");
	}
	if (p->pages) {
		char sz[32];

		pt_size_iec(p->memory, sz, sizeof(sz));
		pt_buf_printf(o, "%s in %llu hugepage%s of %s", sz, (unsigned long long)p->pages,
			      p->pages == 1 ? "" : "s", page_words(p->page_size));
		if (p->numa && !pt_cpuset_empty(&p->nodes)) {
			pt_buf_puts(o, " on NUMA node ");
			pt_buf_cpulist(o, &p->nodes);
		}
	}
	pt_buf_printf(o, "%s\n", close);
}

/* "# vCPU:CPU 0:8 1:24 ..." so the pinning can be read at a glance */
static void vcpu_map(const struct pt_tune_plan *p, struct pt_buf *o, const char *open, const char *close)
{
	pt_buf_printf(o, "%svCPU:host CPU", open);
	for (unsigned i = 0; i < p->vcpus; i++)
		pt_buf_printf(o, " %u:%u", i, p->pin[i]);
	pt_buf_printf(o, "%s\n", close);
}

static void libvirt(const struct pt_tune_plan *p, struct pt_buf *o)
{
	summary(p, o, "<!-- ", ", for <domain> -->");
	if (p->vcpus) {
		pt_buf_printf(o,
			      "<vcpu placement='static'>%u</vcpu>\n<iothreads>1</iothreads>\n"
			      "<cputune>\n",
			      p->vcpus);
		for (unsigned i = 0; i < p->vcpus; i++)
			pt_buf_printf(o, "  <vcpupin vcpu='%u' cpuset='%u'/>\n", i, p->pin[i]);
		pt_buf_puts(o, "  <emulatorpin cpuset='");
		pt_buf_cpulist(o, &p->emulator);
		pt_buf_puts(o, "'/>\n  <iothreadpin iothread='1' cpuset='");
		pt_buf_cpulist(o, &p->emulator);
		pt_buf_puts(o, "'/>\n</cputune>\n");
	}
	if (p->pages) {
		if (p->numa && !pt_cpuset_empty(&p->nodes)) {
			pt_buf_puts(o, "<numatune>\n  <memory mode='strict' nodeset='");
			pt_buf_cpulist(o, &p->nodes);
			pt_buf_puts(o, "'/>\n</numatune>\n");
		}
		pt_buf_printf(
			o,
			"<memory unit='MiB'>%llu</memory>\n<currentMemory unit='MiB'>%llu</currentMemory>\n"
			"<memoryBacking>\n  <hugepages>\n    <page size='%s' unit='%s'/>\n  </hugepages>\n"
			"</memoryBacking>\n",
			(unsigned long long)(p->memory >> 20), (unsigned long long)(p->memory >> 20),
			p->page_size == GiB ? "1" : "2", p->page_size == GiB ? "GiB" : "MiB");
	}
	if (p->vcpus) {
		pt_buf_printf(o,
			      "<cpu mode='host-passthrough' check='none'>\n"
			      "  <topology sockets='%u' dies='%u' cores='%u' threads='%u'/>\n"
			      "  <cache mode='passthrough'/>\n",
			      p->sockets, p->dies, p->cores, p->threads);
		if (p->amd)
			pt_buf_puts(o, "  <feature policy='require' name='topoext'/>\n");
		pt_buf_puts(o, "</cpu>\n");
	}
}

/* Lines of flags or arguments: each but the last ends in " \" (all of them with PT_VMDEF_MORE). */
struct lines {
	struct pt_buf *o;
	bool open; /* a line was started and not ended */
};

static void next_line(struct lines *l)
{
	if (l->open)
		pt_buf_puts(l->o, " \\\n");
	l->open = true;
}

static void end_lines(struct lines *l, unsigned flags)
{
	if (l->open)
		pt_buf_puts(l->o, flags & PT_VMDEF_MORE ? " \\\n" : "\n");
}

static void virt_install(const struct pt_tune_plan *p, unsigned flags, struct pt_buf *o)
{
	struct lines l = { o, false };

	summary(p, o, "# ", "");
	if (p->vcpus) {
		next_line(&l);
		pt_buf_printf(o, "--vcpus %u,sockets=%u,dies=%u,cores=%u,threads=%u", p->vcpus, p->sockets,
			      p->dies, p->cores, p->threads);
		next_line(&l);
		pt_buf_puts(o, "--cputune ");
		for (unsigned i = 0; i < p->vcpus; i++)
			pt_buf_printf(o, "vcpupin%u.vcpu=%u,vcpupin%u.cpuset=%u,", i, i, i, p->pin[i]);
		/* a CPU list's commas are fine here: virt-install joins what follows a cpuset= */
		pt_buf_puts(o, "emulatorpin.cpuset=");
		pt_buf_cpulist(o, &p->emulator);
		pt_buf_puts(o, ",iothreadpin0.iothread=1,iothreadpin0.cpuset=");
		pt_buf_cpulist(o, &p->emulator);
		next_line(&l);
		pt_buf_puts(o, "--iothreads 1");
		next_line(&l);
		pt_buf_printf(o, "--cpu host-passthrough,cache.mode=passthrough%s",
			      p->amd ? ",require=topoext" : "");
	}
	if (p->pages) {
		if (p->numa && !pt_cpuset_empty(&p->nodes)) {
			next_line(&l);
			pt_buf_puts(o, "--numatune memory.nodeset=");
			pt_buf_cpulist(o, &p->nodes);
			pt_buf_puts(o, ",memory.mode=strict");
		}
		next_line(&l);
		pt_buf_printf(o, "--memory %llu", (unsigned long long)(p->memory >> 20));
		next_line(&l);
		pt_buf_printf(o,
			      "--memorybacking hugepages=on,hugepages.page0.size=%s,hugepages.page0.unit=%s",
			      p->page_size == GiB ? "1" : "2", p->page_size == GiB ? "GiB" : "MiB");
	}
	end_lines(&l, flags);
}

static void qemu(const struct pt_tune_plan *p, unsigned flags, struct pt_buf *o)
{
	struct lines l = { o, false };
	char sz[32];

	summary(p, o, "# ", "");
	if (p->vcpus) {
		vcpu_map(p, o, "# ", "");
		pt_buf_puts(
			o,
			"# QEMU does not pin: once it runs, pin its threads with the plan's pinning script "
			"and QEMU's PID\n");
	}
	if (p->pages) {
		/* a missing mount would make QEMU create a plain file of that size in /dev */
		pt_buf_puts(
			o,
			"# the pages exist once the VM entry is booted; /dev/hugepages must be the hugetlbfs "
			"mount (systemd's dev-hugepages.mount)\n");
	}
	if (p->vcpus) {
		next_line(&l);
		/* names the vCPU threads "CPU N/KVM": how the pinning script finds them */
		pt_buf_puts(o, "-name ptvm,debug-threads=on");
	}
	if (p->pages) {
		pt_size_exact(p->memory, sz, sizeof(sz));
		next_line(&l);
		pt_buf_printf(o, "-m %s", sz);
		next_line(&l);
		/* /dev/hugepages is mounted with the default page size, which the plan sets */
		pt_buf_printf(
			o,
			"-object memory-backend-file,id=pt-ram,size=%s,mem-path=/dev/hugepages,share=on,"
			"prealloc=on",
			sz);
		if (p->numa && !pt_cpuset_empty(&p->nodes)) {
			pt_buf_puts(o, ",host-nodes=");
			/* QEMU's list syntax: ranges, separated by ':' not ',' inside an option */
			for (int n = pt_cpuset_next(&p->nodes, -1), first = 1; n >= 0;
			     n = pt_cpuset_next(&p->nodes, n), first = 0)
				pt_buf_printf(o, "%s%d", first ? "" : ":", n);
			pt_buf_puts(o, ",policy=bind");
		}
		next_line(&l);
		pt_buf_puts(o, "-machine memory-backend=pt-ram");
	}
	if (p->vcpus) {
		next_line(&l);
		pt_buf_printf(o, "-smp %u,sockets=%u,dies=%u,cores=%u,threads=%u", p->vcpus, p->sockets,
			      p->dies, p->cores, p->threads);
		next_line(&l);
		/* <cache mode='passthrough'/> is host-cache-info=on,l3-cache=off, as libvirt passes it */
		pt_buf_printf(o, "-cpu host,%shost-cache-info=on,l3-cache=off", p->amd ? "topoext=on," : "");
	}
	end_lines(&l, flags);
}

int pt_vmdef_render(const struct pt_tune_plan *p, enum pt_virt_format fmt, unsigned flags, struct pt_buf *out)
{
	if (!p->vcpus && !p->pages)
		return -EINVAL;
	switch (fmt) {
	case PT_VIRT_LIBVIRT: libvirt(p, out); break;
	case PT_VIRT_VIRT_INSTALL: virt_install(p, flags, out); break;
	case PT_VIRT_QEMU: qemu(p, flags, out); break;
	default: return -EINVAL;
	}
	return out->err;
}

int pt_vmdef_pin_script(const struct pt_tune_plan *p, struct pt_buf *o)
{
	if (!p->vcpus)
		return -EINVAL;
	pt_buf_puts(
		o,
		"#!/bin/sh\n"
		"# ptctl virt: pin a running QEMU to the VM-mode plan. Every thread goes to the emulator\n"
		"# CPUs first, then each vCPU thread (\"CPU N/KVM\", named by -name ...,debug-threads=on)\n"
		"# to its own isolated CPU. Usage: sh SCRIPT QEMU-PID\n"
		"set -eu\n"
		"pid=${1:?usage: $0 QEMU-PID}\n"
		"taskset -a -p -c ");
	pt_buf_cpulist(o, &p->emulator);
	pt_buf_puts(o, " \"$pid\" > /dev/null\n"
		       "n=0\n"
		       "for t in /proc/\"$pid\"/task/*; do\n"
		       "\tread -r name < \"$t/comm\" || continue\n"
		       "\tcase $name in\n"
		       "\t\"CPU \"*/*) v=${name#CPU }; v=${v%%/*} ;;\n"
		       "\t*) continue ;;\n"
		       "\tesac\n"
		       "\tcase $v in\n");
	for (unsigned i = 0; i < p->vcpus; i++)
		pt_buf_printf(o, "\t%u) cpu=%u ;;\n", i, p->pin[i]);
	pt_buf_printf(o,
		      "\t*) echo \"pin: vCPU $v is not in the plan (%u vCPU%s)\" >&2; exit 1 ;;\n"
		      "\tesac\n"
		      "\ttaskset -p -c \"$cpu\" \"${t##*/}\" > /dev/null\n"
		      "\tn=$((n + 1))\n"
		      "done\n"
		      "[ \"$n\" = %u ] || { echo \"pin: $n vCPU threads, the plan has %u "
		      "(no debug-threads=on?)\" >&2; exit 1; }\n",
		      p->vcpus, p->vcpus == 1 ? "" : "s", p->vcpus, p->vcpus);
	return o->err;
}
