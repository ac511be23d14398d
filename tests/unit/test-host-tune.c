// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of VM mode (issue #18): CPU lists, the topology reader on the fixtures of real
 * CPUs (tests/fixtures/cpu-*.spec), the planner on each of them, the plan's text form, the VM
 * definitions, and the check of a VM-mode boot (isolated CPUs, hugepages, QEMU's threads).
 * Usage: test-host-tune FIXTURES SCRATCH
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "host.h"
#include "test.h"

#define GiB (1ull << 30)
#define MiB (1ull << 20)

static char *list_of(const struct pt_cpuset *s)
{
	static char buf[4][512];
	static int n;
	char *b = buf[n++ % 4];

	if (pt_cpulist_format(s, b, 512) < 0)
		snprintf(b, 512, "(too long)");
	return b;
}

static int open_root(const char *dir, const char *name)
{
	char p[1024];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		perror(p);
		exit(2);
	}
	return fd;
}

static int topo(const char *name, struct pt_topo *t)
{
	int fd = open_root(test_fixtures, name), r = pt_topo_read(fd, t);

	close(fd);
	return r;
}

/* Plan on a fixture; the refusal (if any) lands in why. */
static int plan(const char *name, unsigned vcpus, uint64_t mem, struct pt_tune_req *extra,
		struct pt_tune_plan *p, struct pt_tune_refusal *why)
{
	struct pt_tune_req req = extra ? *extra : (struct pt_tune_req){ 0 };
	struct pt_topo t;
	int r;

	req.vcpus = vcpus;
	req.memory = mem;
	r = topo(name, &t);
	CHECK_INT(r, 0);
	if (r < 0)
		return r;
	r = pt_tune_plan(&t, &req, p, why);
	pt_topo_free(&t);
	return r;
}

static bool has_warning(const struct pt_tune_plan *p, enum pt_tune_warn_code c)
{
	for (size_t i = 0; i < p->nwarnings; i++)
		if (p->warnings[i].code == c)
			return true;
	return false;
}

static char *pins(const struct pt_tune_plan *p)
{
	static char buf[2048];
	size_t l = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < p->vcpus && l < sizeof(buf) - 8; i++)
		l += (size_t)snprintf(buf + l, sizeof(buf) - l, "%s%u", i ? "," : "", p->pin[i]);
	return buf;
}

TEST(cpulist)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
		{ "0-7,16-23", "0-7,16-23" },
		{ "5", "5" },
		{ "", "" },
		{ "0-7,16-23\n", "0-7,16-23" },
		{ "3,1,2", "1-3" },
		{ "0,2,4", "0,2,4" },
		{ "0-1", "0-1" },
		{ " 7 ", "7" },
		{ "1023", "1023" },
		{ "0-3,2-5", "0-5" },
		{ "007", "7" },
	};
	static const char *const bad[] = { "a",	    "1-",  "-1", "1,",	",1",	"1,,2",	 "3-1", "1 2",
					   "1-2-3", "0x1", "+1", "1;2", "1-2,", "\n\n,", "1\n2" };
	struct pt_cpuset s;
	char small[4];

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		CHECK_INT(pt_cpulist_parse(ok[i].in, &s), 0);
		CHECK_STR(list_of(&s), ok[i].out);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK_INT(pt_cpulist_parse(bad[i], &s), -EINVAL);
	CHECK_INT(pt_cpulist_parse("1024", &s), -ERANGE);
	CHECK_INT(pt_cpulist_parse("0-99999999999999999999", &s), -ERANGE);
	CHECK_INT(pt_cpulist_parse("0-1023", &s), 0);
	CHECK_INT(pt_cpuset_count(&s), 1024);
	CHECK_INT(pt_cpuset_next(&s, 1022), 1023);
	CHECK_INT(pt_cpuset_next(&s, 1023), -1);
	/* a list that does not fit is refused, never cut */
	CHECK_INT(pt_cpulist_parse("0-7,16-23", &s), 0);
	CHECK_INT(pt_cpulist_format(&s, small, sizeof(small)), -ENOSPC);
	CHECK_STR(small, "");
	CHECK_INT(pt_cpulist_format(&s, small, 0), -ENOSPC);
	/* set algebra */
	struct pt_cpuset a = { 0 }, b = { 0 };

	pt_cpuset_add(&a, 3);
	pt_cpuset_add(&a, 70);
	pt_cpuset_add(&a, 5000); /* ignored */
	CHECK_INT(pt_cpuset_count(&a), 2);
	CHECK(pt_cpuset_has(&a, 70) && !pt_cpuset_has(&a, 5000));
	CHECK(!pt_cpuset_subset(&a, &b) && pt_cpuset_subset(&b, &a));
	pt_cpuset_add(&b, 3);
	pt_cpuset_add(&b, 70);
	CHECK(pt_cpuset_equal(&a, &b) && !pt_cpuset_empty(&b));
	/* the growable form */
	struct pt_buf o = { 0 };

	pt_buf_cpulist(&o, &(struct pt_cpuset){ 0 });
	CHECK_STR(o.data, "");
	pt_buf_cpulist(&o, &a);
	CHECK_STR(o.data, "3,70");
	pt_buf_free(&o);
}

TEST(sizes)
{
	uint64_t v;
	char b[32];

	CHECK_INT(pt_size_parse("16G", &v), 0);
	CHECK(v == 16 * GiB);
	CHECK_INT(pt_size_parse("16GiB", &v), 0);
	CHECK(v == 16 * GiB);
	CHECK_INT(pt_size_parse("512m", &v), 0);
	CHECK(v == 512 * MiB);
	CHECK_INT(pt_size_parse("32768K", &v), 0);
	CHECK(v == 32 * MiB);
	CHECK_INT(pt_size_parse("1234", &v), 0);
	CHECK(v == 1234);
	CHECK_INT(pt_size_parse("16GB", &v), -EINVAL);
	CHECK_INT(pt_size_parse("G", &v), -EINVAL);
	CHECK_INT(pt_size_parse("-1G", &v), -EINVAL);
	CHECK_INT(pt_size_parse("1.5G", &v), -EINVAL);
	CHECK_INT(pt_size_parse("16E", &v), -ERANGE);
	CHECK_INT(pt_size_parse("99999999999999999999", &v), -ERANGE);
	pt_size_exact(32 * GiB, b, sizeof(b));
	CHECK_STR(b, "32G");
	pt_size_exact(12800 * MiB, b, sizeof(b));
	CHECK_STR(b, "12800M");
	pt_size_exact(1000, b, sizeof(b));
	CHECK_STR(b, "1000");
	pt_size_iec(65223688ull * 1024, b, sizeof(b));
	CHECK_STR(b, "62.2 GiB");
	pt_size_iec(512 * MiB, b, sizeof(b));
	CHECK_STR(b, "512 MiB");
	CHECK(pt_tune_floor(16 * GiB) == 2 * GiB);
	CHECK(pt_tune_floor(128 * GiB) == 128 * GiB / 10);
}

TEST(topo)
{
	struct pt_topo t;

	/* the seed's 7950X: 16 cores of 2 threads, siblings n and n+16, two L3s (the CCDs) */
	CHECK_INT(topo("cpu-7950x", &t), 0);
	CHECK_INT(t.ncores, 16);
	CHECK_INT(t.nl3, 2);
	CHECK_INT(t.nnodes, 1);
	CHECK_INT(t.smt, 2);
	CHECK(t.pdpe1gb && !t.hybrid && pt_topo_amd(&t));
	CHECK_STR(t.model, "AMD Ryzen 9 7950X 16-Core Processor");
	CHECK_STR(list_of(&t.l3[0].cpus), "0-7,16-23");
	CHECK_STR(list_of(&t.l3[1].cpus), "8-15,24-31");
	CHECK(t.l3[1].size == 32 * MiB && !t.l3[0].synthetic);
	CHECK_INT(t.cores[3].cpus[0], 3);
	CHECK_INT(t.cores[3].cpus[1], 19);
	CHECK_INT(t.cores[9].l3, 1);
	CHECK_INT(t.cores[9].cluster, 65535);
	CHECK(pt_topo_core_of(&t, 25) == &t.cores[9]);
	CHECK(t.mem_total == 65223688ull * 1024);
	CHECK_INT(t.npools, 2);
	CHECK(t.pools[0].size == 2 * MiB && t.pools[1].size == GiB);
	pt_topo_free(&t);

	/* the X3D: 96 MiB on CCD0 */
	CHECK_INT(topo("cpu-7950x3d", &t), 0);
	CHECK(t.l3[0].size == 96 * MiB && t.l3[1].size == 32 * MiB);
	pt_topo_free(&t);

	/* the hybrid: P-cores with adjacent siblings, E-cores single */
	CHECK_INT(topo("cpu-12700k", &t), 0);
	CHECK_INT(t.ncores, 12);
	CHECK(t.hybrid && !pt_topo_amd(&t));
	CHECK_INT(t.cores[1].cpus[0], 2);
	CHECK_INT(t.cores[1].cpus[1], 3);
	CHECK_INT(t.cores[1].kind, PT_CORE_P);
	CHECK_INT(t.cores[8].ncpus, 1);
	CHECK_INT(t.cores[8].kind, PT_CORE_E);
	CHECK_INT(t.cores[8].core_id, 32);
	CHECK_INT(t.nl3, 1);
	pt_topo_free(&t);

	/* two sockets, two nodes */
	CHECK_INT(topo("cpu-2x2680v4", &t), 0);
	CHECK_INT(t.ncores, 28);
	CHECK_INT(t.nnodes, 2);
	CHECK_STR(list_of(&t.nodes[1].cpus), "14-27,42-55");
	CHECK(t.nodes[1].mem_total == 66048116ull * 1024);
	CHECK_INT(t.cores[20].node, 1);
	CHECK_INT(t.cores[20].package, 1);
	CHECK_INT(t.cores[7].core_id, 8); /* the fused-off position 7 */
	pt_topo_free(&t);

	/* no pdpe1gb: only the 2 MiB pool */
	CHECK_INT(topo("cpu-3630qm", &t), 0);
	CHECK(!t.pdpe1gb);
	CHECK_INT(t.npools, 1);
	CHECK_INT(t.cores[1].cpus[1], 5);
	pt_topo_free(&t);

	/* a root without CPUs (a PCI fixture) */
	CHECK_INT(topo("qemu-std", &t), -ENOENT);
}

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0) {
		fprintf(stderr, "failed: %s\n", cmd);
		exit(2);
	}
}

/* Variants of real trees: the L3 at another cache index, no caches at all, an offline CPU. */
TEST(topo_variants)
{
	struct pt_tune_plan p;
	struct pt_tune_refusal why;
	struct pt_topo t;
	char root[1024];
	int fd;

	snprintf(root, sizeof(root), "%s/variant", test_scratch);
	/* a CPU without an L2 in sysfs: its L3 is index2 (level 3 is what counts, not the index) */
	fixture_copy(test_fixtures, "cpu-3630qm", root);
	sh("cd '%s/sys/devices/system/cpu' && for c in cpu[0-9]*; do rm -r $c/cache/index2 && "
	   "mv $c/cache/index3 $c/cache/index2; done",
	   root);
	fd = open_root(test_scratch, "variant");
	CHECK_INT(pt_topo_read(fd, &t), 0);
	CHECK_INT(t.nl3, 1);
	CHECK(t.l3[0].size == 6 * MiB && !t.l3[0].synthetic);
	pt_topo_free(&t);
	close(fd);

	/* no cache information (many VMs): each package stands for an L3 */
	sh("rm -r '%s'/sys/devices/system/cpu/cpu*/cache", root);
	fd = open_root(test_scratch, "variant");
	CHECK_INT(pt_topo_read(fd, &t), 0);
	CHECK_INT(t.nl3, 1);
	CHECK(t.l3[0].synthetic && t.l3[0].size == 0);
	CHECK_STR(list_of(&t.l3[0].cpus), "0-7");
	CHECK_INT(pt_tune_plan(&t, &(struct pt_tune_req){ .vcpus = 4 }, &p, &why), 0);
	CHECK(has_warning(&p, PT_TUNE_W_NO_L3) && !has_warning(&p, PT_TUNE_W_SHARED_L3));
	pt_topo_free(&t);
	close(fd);

	/* CPU 31 offline (its core runs one thread): 16 vCPUs can't be made of whole cores */
	fixture_copy(test_fixtures, "cpu-7950x", root);
	put(root, "sys/devices/system/cpu/online", "0-30\n");
	fd = open_root(test_scratch, "variant");
	CHECK_INT(pt_topo_read(fd, &t), 0);
	CHECK_INT(t.cores[15].ncpus, 1);
	CHECK_STR(list_of(&t.l3[1].cpus), "8-15,24-30");
	CHECK_INT(pt_tune_plan(&t, &(struct pt_tune_req){ .vcpus = 16 }, &p, &why), -ERANGE);
	CHECK_INT(why.code, PT_TUNE_ODD);
	CHECK_INT(why.have, 15);
	/* 14 fit CCD0 beside CPU 0 exactly, and CCD1 stays whole for the host */
	CHECK_INT(pt_tune_plan(&t, &(struct pt_tune_req){ .vcpus = 14 }, &p, &why), 0);
	CHECK_STR(list_of(&p.vm), "1-7,17-23");
	pt_topo_free(&t);
	close(fd);

	/* arm64-like big.LITTLE: no hybrid PMUs, a lower cpu_capacity marks the small cores */
	fixture_copy(test_fixtures, "cpu-3630qm", root);
	sh("cd '%s/sys/devices/system/cpu' && for c in 0 1 4 5; do echo 1024 > cpu$c/cpu_capacity; done && "
	   "for c in 2 3 6 7; do echo 446 > cpu$c/cpu_capacity; done",
	   root);
	fd = open_root(test_scratch, "variant");
	CHECK_INT(pt_topo_read(fd, &t), 0);
	CHECK(t.hybrid);
	CHECK_INT(t.cores[1].kind, PT_CORE_P);
	CHECK_INT(t.cores[2].kind, PT_CORE_E);
	CHECK_INT(pt_tune_plan(&t, &(struct pt_tune_req){ .vcpus = 2 }, &p, &why), 0);
	CHECK_STR(list_of(&p.vm), "1,5");
	CHECK_INT(pt_tune_plan(&t, &(struct pt_tune_req){ .vcpus = 4 }, &p, &why), -ERANGE);
	CHECK_INT(why.code, PT_TUNE_TOO_MANY);
	pt_topo_free(&t);
	close(fd);

	/* malformed sysfs is an error, not a guess */
	fixture_copy(test_fixtures, "cpu-7950x", root);
	put(root, "sys/devices/system/cpu/cpu3/topology/thread_siblings_list", "3,x\n");
	fd = open_root(test_scratch, "variant");
	CHECK_INT(pt_topo_read(fd, &t), -EINVAL);
	close(fd);
	sh("rm -rf '%s'", root);
}

TEST(plans)
{
	struct pt_tune_plan p;
	struct pt_tune_refusal why;

	/* the example: 16 vCPUs on a 7950X take CCD1, the host keeps CCD0 */
	CHECK_INT(plan("cpu-7950x", 16, 32 * GiB, NULL, &p, &why), 0);
	CHECK_STR(list_of(&p.vm), "8-15,24-31");
	CHECK_STR(list_of(&p.host), "0-7,16-23");
	CHECK_STR(list_of(&p.emulator), "0-7,16-23");
	CHECK_STR(pins(&p), "8,24,9,25,10,26,11,27,12,28,13,29,14,30,15,31");
	CHECK_INT(p.sockets, 1);
	CHECK_INT(p.dies, 1);
	CHECK_INT(p.cores, 8);
	CHECK_INT(p.threads, 2);
	CHECK(p.page_size == GiB && p.pages == 32 && p.memory == 32 * GiB && p.amd && !p.numa);
	CHECK_STR(p.args,
		  "default_hugepagesz=1G hugepagesz=1G hugepages=32 isolcpus=managed_irq,domain,8-15,24-31 "
		  "nohz_full=8-15,24-31 rcu_nocbs=8-15,24-31 irqaffinity=0-7,16-23");
	CHECK_INT(p.nwarnings, 0);
	CHECK_INT(p.ndoms, 2);
	CHECK_STR(list_of(&p.doms[1].vm), "8-15,24-31");
	CHECK(pt_cpuset_empty(&p.doms[0].vm));

	/* an odd count on an SMT host, and more than the host can give */
	CHECK_INT(plan("cpu-7950x", 15, 0, NULL, &p, &why), -ERANGE);
	CHECK_INT(why.code, PT_TUNE_ODD);
	CHECK_INT(why.have, 14);
	CHECK(strstr(why.text, "ask for 14 or 16"));
	CHECK_INT(plan("cpu-7950x", 32, 0, NULL, &p, &why), -ERANGE);
	CHECK_INT(why.code, PT_TUNE_TOO_MANY);
	CHECK_INT(why.have, 30);
	CHECK(strstr(why.text, "CPU 0's core (0,16)"));
	CHECK_INT(plan("cpu-7950x", 5000, 0, NULL, &p, &why), -ERANGE);
	CHECK_INT(why.code, PT_TUNE_TOO_MANY);

	/* everything but CPU 0's core: one domain whole, the other split, unevenly */
	CHECK_INT(plan("cpu-7950x", 30, 0, NULL, &p, &why), 0);
	CHECK_STR(list_of(&p.host), "0,16");
	CHECK_INT(p.dies, 1);
	CHECK_INT(p.cores, 15);
	CHECK(has_warning(&p, PT_TUNE_W_FEW_HOST) && has_warning(&p, PT_TUNE_W_UNEVEN) &&
	      has_warning(&p, PT_TUNE_W_SPANS_L3) && has_warning(&p, PT_TUNE_W_SHARED_L3));
	CHECK_STR(p.args, "isolcpus=managed_irq,domain,1-15,17-31 nohz_full=1-15,17-31 rcu_nocbs=1-15,17-31 "
			  "irqaffinity=0,16");
	/* a request smaller than a domain: the best fit (CCD0 beside CPU 0, CCD1 stays whole) */
	CHECK_INT(plan("cpu-7950x", 8, 0, NULL, &p, &why), 0);
	CHECK_STR(list_of(&p.vm), "1-4,17-20");
	CHECK_STR(pins(&p), "1,17,2,18,3,19,4,20");
	/* 24: CCD1 whole first, the rest beside CPU 0; guest order by domain */
	CHECK_INT(plan("cpu-7950x", 24, 0, NULL, &p, &why), 0);
	CHECK_STR(pins(&p), "1,17,2,18,3,19,4,20,8,24,9,25,10,26,11,27,12,28,13,29,14,30,15,31");

	/* arguments switched off one by one */
	CHECK_INT(plan("cpu-7950x", 16, 0,
		       &(struct pt_tune_req){ .off = PT_TUNE_NO_NOHZ_FULL | PT_TUNE_NO_RCU_NOCBS }, &p, &why),
		  0);
	CHECK_STR(p.args, "isolcpus=managed_irq,domain,8-15,24-31 irqaffinity=0-7,16-23");
	CHECK_INT(plan("cpu-7950x", 16, 0, &(struct pt_tune_req){ .off = PT_TUNE_NO_ALL }, &p, &why), 0);
	CHECK_STR(p.args, "");
	CHECK_INT(plan("cpu-7950x", 16, 0, &(struct pt_tune_req){ .off = 0x10 }, &p, &why), -EINVAL);

	/* memory: the floor refuses with the numbers; rounding; CPU-less and memory-less plans */
	CHECK_INT(plan("cpu-7950x", 16, 60 * GiB, NULL, &p, &why), -ERANGE);
	CHECK_INT(why.code, PT_TUNE_MEMORY);
	CHECK(why.asked == 60 * GiB && why.have == 55 * GiB && why.total == 65223688ull * 1024);
	CHECK(why.floor == 65223688ull * 1024 / 10);
	CHECK(strstr(why.text, "below its floor of 6.2 GiB") && strstr(why.text, "at most 55 GiB"));
	CHECK_INT(plan("cpu-7950x", 16, 55 * GiB, NULL, &p, &why), 0);
	CHECK_INT(plan("cpu-7950x", 16, 55 * GiB + 1, NULL, &p, &why), -ERANGE);
	CHECK(why.asked == 56 * GiB && why.have == 55 * GiB);
	CHECK_INT(plan("cpu-7950x", 16, UINT64_MAX, NULL, &p, &why), -ERANGE); /* no overflow */
	CHECK(why.code == PT_TUNE_MEMORY && why.asked == UINT64_MAX);
	CHECK_INT(plan("cpu-7950x", 16, 12500 * MiB, NULL, &p, &why), 0);
	CHECK(p.pages == 13 && p.memory == 13 * GiB && p.memory_asked == 12500 * MiB);
	CHECK(has_warning(&p, PT_TUNE_W_ROUNDED));
	CHECK_INT(plan("cpu-7950x", 0, 8 * GiB, NULL, &p, &why), 0);
	CHECK_STR(p.args, "default_hugepagesz=1G hugepagesz=1G hugepages=8");
	CHECK(pt_cpuset_empty(&p.vm) && p.vcpus == 0);
	CHECK_INT(plan("cpu-7950x", 0, 0, NULL, &p, &why), -EINVAL);
	CHECK_INT(plan("cpu-7950x", 2, GiB, &(struct pt_tune_req){ .page_size = 4096 }, &p, &why), -EINVAL);
	CHECK_INT(plan("cpu-7950x", 2, 3 * GiB, &(struct pt_tune_req){ .page_size = 2 * MiB }, &p, &why), 0);
	CHECK_STR(p.args,
		  "default_hugepagesz=2M hugepagesz=2M hugepages=1536 isolcpus=managed_irq,domain,1,17 "
		  "nohz_full=1,17 rcu_nocbs=1,17 irqaffinity=0,2-16,18-31");

	/* the X3D: the V-Cache CCD holds CPU 0, so 16 vCPUs get CCD1 and say so; 8 get V-Cache */
	CHECK_INT(plan("cpu-7950x3d", 16, 32 * GiB, NULL, &p, &why), 0);
	CHECK_STR(list_of(&p.vm), "8-15,24-31");
	CHECK(has_warning(&p, PT_TUNE_W_BIGGER_L3));
	CHECK_INT(plan("cpu-7950x3d", 8, 0, NULL, &p, &why), 0);
	CHECK_STR(list_of(&p.vm), "1-4,17-20");
	CHECK(!has_warning(&p, PT_TUNE_W_BIGGER_L3) && has_warning(&p, PT_TUNE_W_SHARED_L3));

	/* hybrid: P-cores for the VM (siblings adjacent), E-cores for the host */
	CHECK_INT(plan("cpu-12700k", 12, 16 * GiB, NULL, &p, &why), 0);
	CHECK_STR(list_of(&p.vm), "2-13");
	CHECK_STR(list_of(&p.host), "0-1,14-19");
	CHECK_STR(pins(&p), "2,3,4,5,6,7,8,9,10,11,12,13");
	CHECK(!p.amd && p.threads == 2 && p.cores == 6);
	CHECK_INT(plan("cpu-12700k", 16, 0, NULL, &p, &why), -ERANGE);
	CHECK_INT(why.code, PT_TUNE_TOO_MANY);
	CHECK_INT(why.have, 14);
	CHECK(strstr(why.text, "E-cores (16-19)"));

	/* NUMA: the node without CPU 0, its pages from that node */
	CHECK_INT(plan("cpu-2x2680v4", 16, 32 * GiB, NULL, &p, &why), 0);
	CHECK_STR(list_of(&p.vm), "14-21,42-49");
	CHECK_STR(list_of(&p.emulator), "22-27,50-55");
	CHECK_STR(list_of(&p.nodes), "1");
	CHECK(p.numa);
	CHECK(strstr(p.args, "hugepages=1:32 "));
	CHECK_INT(plan("cpu-2x2680v4", 32, 0, NULL, &p, &why), -ERANGE);
	CHECK_INT(why.code, PT_TUNE_NUMA);
	CHECK_INT(why.have, 28);
	CHECK_INT(plan("cpu-2x2680v4", 32, 32 * GiB, &(struct pt_tune_req){ .cross_numa = true }, &p, &why),
		  0);
	CHECK_STR(list_of(&p.nodes), "0-1");
	CHECK(strstr(p.args, "hugepages=32 ") && has_warning(&p, PT_TUNE_W_CROSS_NUMA));
	CHECK_INT(plan("cpu-2x2680v4", 16, 60 * GiB, NULL, &p, &why), -ERANGE);
	CHECK_INT(why.code, PT_TUNE_NODE_MEMORY);
	CHECK(why.have == 56 * GiB);
	/* 56 vCPUs across both sockets, evenly: two guest sockets would need even domains */
	CHECK_INT(plan("cpu-2x2680v4", 54, 0, &(struct pt_tune_req){ .cross_numa = true }, &p, &why), 0);
	CHECK_STR(list_of(&p.host), "0,28");

	/* no pdpe1gb: 2 MiB pages, and 1 GiB refused */
	CHECK_INT(plan("cpu-3630qm", 4, 8 * GiB, NULL, &p, &why), 0);
	CHECK(p.page_size == 2 * MiB && p.pages == 4096);
	CHECK(has_warning(&p, PT_TUNE_W_SMALL_PAGES));
	CHECK_STR(list_of(&p.vm), "1-2,5-6");
	CHECK_STR(pins(&p), "1,5,2,6");
	CHECK_INT(plan("cpu-3630qm", 4, 8 * GiB, &(struct pt_tune_req){ .page_size = GiB }, &p, &why),
		  -ERANGE);
	CHECK_INT(why.code, PT_TUNE_NO_1G);
	/* MemTotal 15.6 GiB, the host uses 2.2 GiB now; 13800 MiB of pages leave it 2.08 GiB: above
	 * the floor (2 GiB), below what it uses: allowed, with a warning */
	CHECK_INT(plan("cpu-3630qm", 6, 13800 * MiB, NULL, &p, &why), 0);
	CHECK(has_warning(&p, PT_TUNE_W_HOST_USES_MORE) && has_warning(&p, PT_TUNE_W_FEW_HOST));
	CHECK_INT(plan("cpu-3630qm", 6, 14 * GiB, NULL, &p, &why), -ERANGE);
	CHECK_INT(why.code, PT_TUNE_MEMORY);
	CHECK(why.floor == 2 * GiB);
}

static void roundtrip(const char *name, unsigned vcpus, uint64_t mem, struct pt_tune_req *extra)
{
	struct pt_tune_plan p, q;
	struct pt_tune_refusal why;
	struct pt_buf a = { 0 }, b = { 0 };

	CHECK_INT(plan(name, vcpus, mem, extra, &p, &why), 0);
	CHECK_INT(pt_tune_plan_format(&p, &a), 0);
	CHECK_INT(pt_tune_plan_parse(a.data, a.len, &q), 0);
	CHECK_INT(pt_tune_plan_format(&q, &b), 0);
	CHECK_STR(b.data, a.data);
	CHECK(q.vcpus == p.vcpus && q.memory == p.memory && q.memory_asked == p.memory_asked);
	CHECK(pt_cpuset_equal(&q.vm, &p.vm) && pt_cpuset_equal(&q.host, &p.host));
	CHECK(memcmp(q.pin, p.pin, sizeof(p.pin[0]) * p.vcpus) == 0);
	CHECK(q.amd == p.amd && q.numa == p.numa && q.off == p.off && q.cross_numa == p.cross_numa);
	CHECK_STR(q.args, p.args);
	pt_buf_free(&a);
	pt_buf_free(&b);
}

TEST(plan_text)
{
	struct pt_tune_plan p, q;
	struct pt_tune_refusal why;
	struct pt_entry_conf conf;
	struct pt_buf a = { 0 };

	roundtrip("cpu-7950x", 16, 32 * GiB, NULL);
	roundtrip("cpu-7950x", 0, 8 * GiB, NULL);
	roundtrip("cpu-7950x", 8, 0, &(struct pt_tune_req){ .off = PT_TUNE_NO_IRQAFFINITY });
	roundtrip("cpu-12700k", 12, 12500 * MiB, &(struct pt_tune_req){ .page_size = 2 * MiB });
	roundtrip("cpu-2x2680v4", 16, 32 * GiB, NULL);
	roundtrip("cpu-2x2680v4", 32, 32 * GiB, &(struct pt_tune_req){ .cross_numa = true });
	roundtrip("cpu-3630qm", 4, 8 * GiB, NULL);

	/* one etc/ptboot/entry.conf holds both: each parser takes its own names */
	CHECK_INT(plan("cpu-7950x", 16, 32 * GiB, NULL, &p, &why), 0);
	pt_buf_puts(&a, "# ptboot's host+passthrough boot entry\nPTBOOT_ARGS='iommu=pt pt.devices=03:00.0'\n"
			"PTBOOT_TITLE='host+passthrough'\n");
	CHECK_INT(pt_tune_plan_format(&p, &a), 0);
	CHECK_INT(pt_entry_conf_parse(a.data, a.len, &conf), 0);
	CHECK_STR(conf.args, "iommu=pt pt.devices=03:00.0");
	CHECK_INT(pt_tune_plan_parse(a.data, a.len, &q), 0);
	CHECK_STR(q.args, p.args);
	pt_buf_free(&a);
	/* no VM mode in a file without PTBOOT_VM_* lines */
	CHECK_INT(pt_tune_plan_parse("PTBOOT_ARGS='x'\n", 16, &q), -ENOENT);
	CHECK_INT(pt_tune_plan_parse("", 0, &q), -ENOENT);

	/* what the shell could not source, or a plan that does not hold together */
	static const char base[] =
		"PTBOOT_VM_CPUS='2'\nPTBOOT_VM_MEMORY='1G'\nPTBOOT_VM_OPTIONS=''\n"
		"PTBOOT_VM_ARGS='x'\nPTBOOT_VM_HOST_CPUS='0,2-3'\nPTBOOT_VM_EMULATOR_CPUS='0'\n"
		"PTBOOT_VM_NODES='0'\nPTBOOT_VM_TOPOLOGY='1,1,1,2'\nPTBOOT_VM_PAGES='1G,1'\n"
		"PTBOOT_VM_HOST='amd'\n";
	static const struct {
		const char *extra;
		int want;
	} cases[] = {
		{ "PTBOOT_VM_PIN='1,4'\n", 0 },
		{ "PTBOOT_VM_PIN='1'\n", -EINVAL },   /* 2 vCPUs, one pin */
		{ "PTBOOT_VM_PIN='1,1'\n", -EINVAL }, /* twice the same CPU */
		{ "PTBOOT_VM_PIN='1,2'\n", -EINVAL }, /* a vCPU on a host CPU */
		{ "PTBOOT_VM_PIN='1,4,'\n", -EINVAL },
		{ "PTBOOT_VM_PIN='1,,4'\n", -EINVAL },
		{ "PTBOOT_VM_PIN='1,4096'\n", -EINVAL },
		{ "PTBOOT_VM_PIN='1,4'\nPTBOOT_VM_TOPOLOGY='1,1,2,2'\n", -EINVAL }, /* 4 != 2 */
		{ "PTBOOT_VM_PIN='1,4'\nPTBOOT_VM_TOPOLOGY='1,1,1'\n", -EINVAL },
		{ "PTBOOT_VM_PIN='1,4'\nPTBOOT_VM_PAGES='4K,1'\n", -EINVAL },
		{ "PTBOOT_VM_PIN='1,4'\nPTBOOT_VM_PAGES='1G,0'\n", -EINVAL },
		{ "PTBOOT_VM_PIN='1,4'\nPTBOOT_VM_MEMORY='2G'\n", -EINVAL }, /* more than the pages */
		{ "PTBOOT_VM_PIN='1,4'\nPTBOOT_VM_OPTIONS='turbo'\n", -EINVAL },
		{ "PTBOOT_VM_PIN='1,4'\nPTBOOT_VM_OPTIONS='pages=2M'\n", -EINVAL }, /* asked 2M, got 1G */
		{ "PTBOOT_VM_PIN='1,4'\nPTBOOT_VM_OPTIONS='cross-numa  no-nohz_full'\n", -EINVAL },
		{ "PTBOOT_VM_PIN='1,4'\nPTBOOT_VM_EMULATOR_CPUS='1'\n", -EINVAL },
		{ "PTBOOT_VM_PIN='1,4'\nPTBOOT_VM_ARGS='a$b'\n", -EINVAL },
		{ "PTBOOT_VM_PIN='1,4'\nPTBOOT_VM_ARGS=a b\n", -EINVAL },
		{ "PTBOOT_VM_PIN='1,4'\nPTBOOT_VM_FUTURE='kept for later'\n", 0 },
		{ "PTBOOT_VM_PIN='1,4'\nnot a line\n", -EINVAL },
		{ "", -EINVAL }, /* no PIN line */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char text[2048];
		int r;

		snprintf(text, sizeof(text), "%s%s", base, cases[i].extra);
		r = pt_tune_plan_parse(text, strlen(text), &q);
		CHECK_INT(r, cases[i].want);
		if (r != cases[i].want)
			fprintf(stderr, "  case %zu: %s", i, cases[i].extra);
	}
	CHECK_INT(pt_tune_plan_parse(base, sizeof(base) - 1, &q), -EINVAL);
	/* the last occurrence of a name wins, as in the shell */
	char text[2048];

	snprintf(text, sizeof(text), "%sPTBOOT_VM_PIN='9,9'\nPTBOOT_VM_PIN='1,4'\n", base);
	CHECK_INT(pt_tune_plan_parse(text, strlen(text), &q), 0);
	CHECK_STR(pins(&q), "1,4");
	/* a value too long for the plan */
	struct pt_buf big = { 0 };

	pt_buf_puts(&big, base);
	pt_buf_puts(&big, "PTBOOT_VM_PIN='1,4'\nPTBOOT_VM_ARGS='");
	for (int i = 0; i < 200; i++)
		pt_buf_puts(&big, "nohz_full=1 ");
	pt_buf_puts(&big, "'\n");
	CHECK_INT(pt_tune_plan_parse(big.data, big.len, &q), -E2BIG);
	pt_buf_free(&big);

	/* JSON */
	CHECK_INT(plan("cpu-7950x", 16, 32 * GiB, NULL, &p, &why), 0);
	CHECK_INT(pt_tune_plan_json(&p, &a), 0);
	CHECK(strstr(a.data, "\"vm_cpus\": \"8-15,24-31\", \"host_cpus\": \"0-7,16-23\""));
	CHECK(strstr(a.data, "\"pin\": [8, 24, 9, 25,"));
	CHECK(strstr(a.data, "\"topology\": {\"sockets\": 1, \"dies\": 1, \"cores\": 8, \"threads\": 2}"));
	CHECK(strstr(a.data, "\"page_size\": 1073741824, \"pages\": 32}"));
	pt_buf_free(&a);
	CHECK_STR(pt_tune_warn_name(PT_TUNE_W_BIGGER_L3), "bigger-l3");
	CHECK_STR(pt_tune_refusal_name(PT_TUNE_NODE_MEMORY), "node-memory");
	CHECK_STR(pt_tune_refusal_name((enum pt_tune_refusal_code)99), "unknown");
}

/* The libvirt elements inside a full domain, through libvirt's RNG schema (when installed). */
static void xml_validates(const char *what, const char *xml)
{
	char path[1024];
	FILE *f;
	int r;

	if (system("command -v virt-xml-validate > /dev/null 2>&1") != 0)
		return;
	snprintf(path, sizeof(path), "%s/dom.xml", test_scratch);
	f = fopen(path, "w");
	if (!f)
		exit(2);
	fprintf(f,
		"<domain type='kvm'><name>%s</name><os><type arch='x86_64' machine='q35'>hvm</type></os>\n%s"
		"<devices/></domain>\n",
		what, xml);
	fclose(f);
	snprintf(path, sizeof(path), "virt-xml-validate %s/dom.xml domain > /dev/null 2>&1", test_scratch);
	r = system(path);
	CHECK_INT(r, 0);
	if (r)
		fprintf(stderr, "  %s: the schema rejects:\n%s", what, xml);
}

TEST(vmdef)
{
	struct pt_tune_plan p;
	struct pt_tune_refusal why;
	struct pt_buf o = { 0 };

	CHECK_INT(plan("cpu-7950x", 16, 32 * GiB, NULL, &p, &why), 0);
	CHECK_INT(pt_vmdef_render(&p, PT_VIRT_LIBVIRT, 0, &o), 0);
	/* one vcpupin per vCPU, siblings adjacent; the emulator and I/O thread on the host's CPUs */
	CHECK(strstr(o.data, "<vcpu placement='static'>16</vcpu>\n<iothreads>1</iothreads>\n<cputune>\n"
			     "  <vcpupin vcpu='0' cpuset='8'/>\n  <vcpupin vcpu='1' cpuset='24'/>\n"
			     "  <vcpupin vcpu='2' cpuset='9'/>\n"));
	CHECK(strstr(o.data, "  <vcpupin vcpu='15' cpuset='31'/>\n  <emulatorpin cpuset='0-7,16-23'/>\n"
			     "  <iothreadpin iothread='1' cpuset='0-7,16-23'/>\n</cputune>\n"));
	CHECK(strstr(o.data, "<memory unit='MiB'>32768</memory>\n"));
	CHECK(strstr(o.data, "<memoryBacking>\n  <hugepages>\n    <page size='1' unit='GiB'/>\n"));
	CHECK(strstr(
		o.data,
		"<cpu mode='host-passthrough' check='none'>\n"
		"  <topology sockets='1' dies='1' cores='8' threads='2'/>\n"
		"  <cache mode='passthrough'/>\n  <feature policy='require' name='topoext'/>\n</cpu>\n"));
	CHECK(!strstr(o.data, "numatune"));
	/* no "--" inside the XML comment */
	const char *c0 = strstr(o.data, "<!--"), *c1 = c0 ? strstr(c0 + 4, "-->") : NULL;

	CHECK(c0 && c1);
	for (const char *q = c0 ? c0 + 4 : o.data; c1 && q < c1; q++)
		CHECK(!(q[0] == '-' && q[1] == '-'));
	xml_validates("cpu-7950x", o.data);
	pt_buf_free(&o);

	CHECK_INT(pt_vmdef_render(&p, PT_VIRT_VIRT_INSTALL, 0, &o), 0);
	CHECK(strstr(o.data, "\n--vcpus 16,sockets=1,dies=1,cores=8,threads=2 \\\n--cputune vcpupin0.vcpu=0,"
			     "vcpupin0.cpuset=8,vcpupin1.vcpu=1,vcpupin1.cpuset=24,"));
	CHECK(strstr(
		o.data,
		",emulatorpin.cpuset=0-7,16-23,iothreadpin0.iothread=1,iothreadpin0.cpuset=0-7,16-23 \\\n"
		"--iothreads 1 \\\n--cpu host-passthrough,cache.mode=passthrough,require=topoext \\\n"
		"--memory 32768 \\\n--memorybacking hugepages=on,hugepages.page0.size=1,"
		"hugepages.page0.unit=GiB\n"));
	pt_buf_free(&o);
	/* with more flags to come, the last line continues */
	CHECK_INT(pt_vmdef_render(&p, PT_VIRT_VIRT_INSTALL, PT_VMDEF_MORE, &o), 0);
	CHECK(strstr(o.data, "hugepages.page0.unit=GiB \\\n"));
	pt_buf_free(&o);

	CHECK_INT(pt_vmdef_render(&p, PT_VIRT_QEMU, 0, &o), 0);
	CHECK(strstr(o.data, "# vCPU:host CPU 0:8 1:24 2:9 3:25 "));
	CHECK(strstr(o.data,
		     "\n-name ptvm,debug-threads=on \\\n-m 32G \\\n-object memory-backend-file,id=pt-ram,"
		     "size=32G,mem-path=/dev/hugepages,share=on,prealloc=on \\\n"
		     "-machine memory-backend=pt-ram \\\n-smp 16,sockets=1,dies=1,cores=8,threads=2 \\\n"
		     "-cpu host,topoext=on,host-cache-info=on,l3-cache=off\n"));
	pt_buf_free(&o);

	CHECK_INT(pt_vmdef_pin_script(&p, &o), 0);
	CHECK(strstr(o.data, "taskset -a -p -c 0-7,16-23 \"$pid\""));
	CHECK(strstr(o.data, "\t0) cpu=8 ;;\n\t1) cpu=24 ;;\n\t2) cpu=9 ;;\n"));
	CHECK(strstr(o.data, "\t15) cpu=31 ;;\n\t*) echo"));
	CHECK(strstr(o.data, "[ \"$n\" = 16 ]"));
	pt_buf_free(&o);
	CHECK_INT(pt_vmdef_render(&p, (enum pt_virt_format)7, 0, &o), -EINVAL);
	pt_buf_free(&o);

	/* NUMA: numatune, the backend bound to the node; Intel: no topoext */
	CHECK_INT(plan("cpu-2x2680v4", 16, 32 * GiB, NULL, &p, &why), 0);
	CHECK_INT(pt_vmdef_render(&p, PT_VIRT_LIBVIRT, 0, &o), 0);
	CHECK(strstr(o.data, "<numatune>\n  <memory mode='strict' nodeset='1'/>\n</numatune>\n"));
	CHECK(!strstr(o.data, "topoext"));
	xml_validates("cpu-2x2680v4", o.data);
	pt_buf_free(&o);
	CHECK_INT(pt_vmdef_render(&p, PT_VIRT_QEMU, 0, &o), 0);
	CHECK(strstr(o.data, ",prealloc=on,host-nodes=1,policy=bind \\\n"));
	CHECK(strstr(o.data, "-cpu host,host-cache-info=on,l3-cache=off\n"));
	pt_buf_free(&o);
	CHECK_INT(pt_vmdef_render(&p, PT_VIRT_VIRT_INSTALL, 0, &o), 0);
	CHECK(strstr(o.data, "--numatune memory.nodeset=1,memory.mode=strict \\\n"));
	pt_buf_free(&o);

	/* 2 MiB pages; a CPU-only plan has no memory parts, a memory-only one no CPU parts */
	CHECK_INT(plan("cpu-3630qm", 4, 8 * GiB, NULL, &p, &why), 0);
	CHECK_INT(pt_vmdef_render(&p, PT_VIRT_LIBVIRT, 0, &o), 0);
	CHECK(strstr(o.data, "<page size='2' unit='MiB'/>"));
	CHECK(strstr(o.data, "<topology sockets='1' dies='1' cores='2' threads='2'/>"));
	xml_validates("cpu-3630qm", o.data);
	pt_buf_free(&o);
	CHECK_INT(plan("cpu-12700k", 12, 0, NULL, &p, &why), 0);
	CHECK_INT(pt_vmdef_render(&p, PT_VIRT_LIBVIRT, 0, &o), 0);
	CHECK(!strstr(o.data, "memoryBacking") && strstr(o.data, "<vcpupin vcpu='1' cpuset='3'/>"));
	xml_validates("cpu-12700k", o.data);
	pt_buf_free(&o);
	CHECK_INT(pt_vmdef_render(&p, PT_VIRT_QEMU, 0, &o), 0);
	CHECK(!strstr(o.data, "-m ") && strstr(o.data, "-cpu host,host-cache-info=on,l3-cache=off\n"));
	pt_buf_free(&o);
	CHECK_INT(plan("cpu-7950x", 0, 4 * GiB, NULL, &p, &why), 0);
	CHECK_INT(pt_vmdef_render(&p, PT_VIRT_QEMU, 0, &o), 0);
	CHECK(!strstr(o.data, "-smp") && !strstr(o.data, "-name") && strstr(o.data, "\n-m 4G \\\n"));
	pt_buf_free(&o);
	CHECK_INT(pt_vmdef_pin_script(&p, &o), -EINVAL);
	pt_buf_free(&o);
}

/* A VM-mode boot, faked on a copy of the 7950X: what was reserved and isolated, and a QEMU. */
static void qemu_thread(const char *root, int pid, int tid, const char *comm, const char *allowed)
{
	char d[256], text[256];

	snprintf(d, sizeof(d), "%s/proc/%d/task/%d", root, pid, tid);
	sh("mkdir -p '%s'", d);
	snprintf(d, sizeof(d), "proc/%d/task/%d/comm", pid, tid);
	snprintf(text, sizeof(text), "%s\n", comm);
	put(root, d, text);
	snprintf(d, sizeof(d), "proc/%d/task/%d/status", pid, tid);
	snprintf(text, sizeof(text),
		 "Name:\t%s\nPid:\t%d\nCpus_allowed:\tffffffff\nCpus_allowed_list:\t%s\n"
		 "Mems_allowed_list:\t0\n",
		 comm, tid, allowed);
	put(root, d, text);
}

static bool finding(const struct pt_findings *f, enum pt_sev sev, const char *topic, const char *text)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].sev == sev && strcmp(f->v[i].topic, topic) == 0 && strstr(f->v[i].text, text))
			return true;
	return false;
}

TEST(vmstate)
{
	struct pt_tune_plan p;
	struct pt_tune_refusal why;
	struct pt_findings f = { 0 };
	struct pt_vmstate st;
	char root[1024];
	int fd;

	CHECK_INT(plan("cpu-7950x", 16, 32 * GiB, NULL, &p, &why), 0);
	snprintf(root, sizeof(root), "%s/vmboot", test_scratch);
	fixture_copy(test_fixtures, "cpu-7950x", root);

	/* the normal entry: nothing reserved, as intended */
	fd = open_root(test_scratch, "vmboot");
	CHECK_INT(pt_vmstate_read(fd, &st), 0);
	close(fd);
	CHECK(st.has_isolated && pt_cpuset_empty(&st.isolated));
	CHECK(st.has_nohz_full && pt_cpuset_empty(&st.nohz_full));
	CHECK_INT(st.nqemus, 0);
	CHECK_INT(pt_vmstate_check(&p, &st, "BOOT_IMAGE=/vmlinuz root=/dev/x ro", &f), 0);
	CHECK_INT(f.n, 1);
	CHECK(finding(&f, PT_SEV_INFO, "vm-mode", "not the VM entry"));
	pt_findings_free(&f);
	pt_vmstate_free(&st);

	/* the VM entry, all as planned, one QEMU pinned (libvirt names it guest=win11) */
	put(root, "sys/devices/system/cpu/isolated", "8-15,24-31\n");
	put(root, "sys/devices/system/cpu/nohz_full", "8-15,24-31\n");
	put(root, "sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages", "32\n");
	put(root, "sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages", "0\n");
	sh("mkdir -p '%s/proc/4242' '%s/proc/77'", root, root);
	put(root, "proc/4242/comm", "qemu-system-x86\n");
	sh("printf '/usr/bin/qemu-system-x86_64\\0-name\\0guest=win11,debug-threads=on\\0-S\\0' > '%s/proc/4242/cmdline'",
	   root);
	qemu_thread(root, 4242, 4242, "qemu-system-x86", "0-7,16-23");
	qemu_thread(root, 4242, 4243, "call_rcu", "0-7,16-23");
	for (int i = 0; i < 16; i++) {
		char comm[32], cpu[8];

		snprintf(comm, sizeof(comm), "CPU %d/KVM", i);
		snprintf(cpu, sizeof(cpu), "%u", p.pin[i]);
		qemu_thread(root, 4242, 4250 + i, comm, cpu);
	}
	put(root, "proc/77/comm", "bash\n"); /* not a QEMU */
	char cmdline[1024];

	test_fmt(cmdline, sizeof(cmdline), "BOOT_IMAGE=/vmlinuz ro iommu=pt pt.devices=03:00.0 %s quiet",
		 p.args);
	fd = open_root(test_scratch, "vmboot");
	CHECK_INT(pt_vmstate_read(fd, &st), 0);
	close(fd);
	CHECK_INT(st.nqemus, 1);
	CHECK_STR(st.qemus[0].name, "win11");
	CHECK_INT(st.qemus[0].nthreads, 18);
	CHECK_INT(st.qemus[0].nvcpus, 16);
	CHECK_INT(st.qemus[0].threads[0].tid, 4242);
	CHECK_INT(st.qemus[0].threads[2].vcpu, 0);
	CHECK_STR(list_of(&st.qemus[0].threads[2].allowed), "8");
	CHECK_STR(list_of(&st.isolated), "8-15,24-31");
	CHECK_INT(pt_vmstate_check(&p, &st, cmdline, &f), 0);
	CHECK(finding(&f, PT_SEV_OK, "hugepages", "32 pages of 1 GiB reserved at boot"));
	CHECK(finding(&f, PT_SEV_OK, "isolcpus", "8-15,24-31 are isolated"));
	CHECK(finding(&f, PT_SEV_OK, "nohz_full", "8-15,24-31"));
	CHECK(finding(&f, PT_SEV_OK, "vm-pinning", "QEMU 4242 (win11): 16 vCPUs pinned"));
	CHECK_INT(pt_findings_worst(&f), PT_SEV_OK);
	pt_findings_free(&f);
	pt_vmstate_free(&st);

	/* the reservation fell short, nohz_full unsupported, a vCPU floats over the host's CPUs */
	put(root, "sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages", "30\n");
	sh("rm '%s/sys/devices/system/cpu/nohz_full'", root);
	qemu_thread(root, 4242, 4253, "CPU 3/KVM", "0-31");
	fd = open_root(test_scratch, "vmboot");
	CHECK_INT(pt_vmstate_read(fd, &st), 0);
	close(fd);
	CHECK(!st.has_nohz_full);
	CHECK_INT(pt_vmstate_check(&p, &st, cmdline, &f), 0);
	CHECK(finding(&f, PT_SEV_ERROR, "hugepages", "only 30 of the 32 pages of 1 GiB"));
	CHECK(finding(&f, PT_SEV_WARN, "nohz_full", "no nohz_full support"));
	CHECK(finding(&f, PT_SEV_ERROR, "vm-pinning",
		      "1 of 16 vCPU threads may run outside the isolated CPUs "
		      "8-15,24-31 (vCPU 3: 0-31)"));
	pt_findings_free(&f);
	pt_vmstate_free(&st);

	/* pinned inside the isolated CPUs, but not one each; a QEMU without thread names */
	qemu_thread(root, 4242, 4253, "CPU 3/KVM", "8-15,24-31");
	sh("mkdir -p '%s/proc/5000'", root);
	put(root, "proc/5000/comm", "qemu-system-x86\n");
	put(root, "proc/5000/cmdline", "");
	qemu_thread(root, 5000, 5000, "qemu-system-x86", "0-31");
	put(root, "sys/devices/system/cpu/isolated", "8-15\n");
	fd = open_root(test_scratch, "vmboot");
	CHECK_INT(pt_vmstate_read(fd, &st), 0);
	close(fd);
	CHECK_INT(st.nqemus, 2);
	CHECK_INT(pt_vmstate_check(&p, &st, cmdline, &f), 0);
	CHECK(finding(&f, PT_SEV_ERROR, "isolcpus",
		      "isolated CPUs are \"8-15\", the plan isolates 8-15,24-31"));
	CHECK(finding(&f, PT_SEV_INFO, "vm-pinning", "1 of 16 not on one CPU each as planned"));
	CHECK(finding(&f, PT_SEV_INFO, "vm-pinning", "QEMU 5000 (qemu-system-x86) doesn't name its threads"));
	pt_findings_free(&f);
	pt_vmstate_free(&st);
	sh("rm -rf '%s'", root);

	/* the live system reads without error (whatever it holds) */
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK_INT(pt_vmstate_read(fd, &st), 0);
	pt_vmstate_free(&st);
	struct pt_topo t;

	CHECK_INT(pt_topo_read(fd, &t), 0);
	CHECK(t.ncores >= 1 && t.nl3 >= 1 && t.mem_total > 0);
	pt_topo_free(&t);
	close(fd);
}

static const struct test_case tests[] = {
	TEST_CASE(cpulist), TEST_CASE(sizes),	  TEST_CASE(topo),  TEST_CASE(topo_variants),
	TEST_CASE(plans),   TEST_CASE(plan_text), TEST_CASE(vmdef), TEST_CASE(vmstate),
};
TEST_MAIN(tests)
