// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Names of PCI IDs and classes from libpci (pci.ids, optionally udev's hwdb)
 * and lspci's own -s/-d filters, so ptctl reads exactly like lspci -nn.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pci/pci.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host.h"

struct pt_names {
	struct pci_access *pacc;
	char ids[PT_PATH_MAX];
	char part[64]; /* /proc/self/fd/N of the part of pci.ids this host needs */
	int partfd;
	char *whole;	   /* libpci's name for the whole file */
	char problem[256]; /* why pci.ids gave no names, "" when it did */
};

struct pt_filter {
	struct pci_filter f;
};

/* libpci reports a fatal condition (a malformed pci.ids, no memory) through error(), which
 * must not return, and gives it no context. The library never ends the process: a call into
 * libpci that may fail runs under a guard, and error() jumps back to it. This per-thread
 * pointer to the guard of the call in progress is the one piece of state libpci's callback
 * interface forces on us. */
static _Thread_local struct guard {
	jmp_buf env;
	char *msg;
	size_t size;
} * current;

static void PCI_NONRET guard_error(char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	pt_vsnprintf(current->msg, current->size, msg, ap);
	va_end(ap);
	longjmp(current->env, 1);
}

static void quiet(char *msg, ...)
{
	(void)msg;
}

/* Load the name list now, under a guard: a pci.ids libpci can't parse leaves no names (the
 * lookups fall back to hwdb or numbers) and says why. */
static void load_names(struct pt_names *n)
{
	struct guard g = { .msg = n->problem, .size = sizeof(n->problem) };
	struct guard *volatile saved = current;

	current = &g;
	if (setjmp(g.env) == 0) {
		if (!pci_load_name_list(n->pacc) && !n->problem[0])
			pt_snprintf(n->problem, sizeof(n->problem), "cannot open %s", n->pacc->id_file_name);
	} else {
		pci_free_name_list(n->pacc); /* what it parsed before the error */
	}
	current = saved;
	n->problem[strcspn(n->problem, "\n")] = '\0';
}

/* What of pci.ids the host needs: its vendors (and subsystem vendors) as a bitmap, its
 * vendor:device pairs sorted for bsearch. pci.ids has some 40,000 lines to test. */
struct want {
	uint64_t vendors[0x10000 / 64];
	uint32_t *ids;
	size_t n;
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int want_init(struct want *w, const struct pt_sys *sys)
{
	w->ids = malloc((sys->ndevs + 1) * sizeof(*w->ids));
	if (!w->ids)
		return -ENOMEM;
	for (size_t i = 0; i < sys->ndevs; i++) {
		const struct pt_dev *x = &sys->devs[i];

		w->vendors[(x->vendor & 0xffff) / 64] |= 1ULL << (x->vendor % 64);
		w->vendors[(x->subvendor & 0xffff) / 64] |= 1ULL << (x->subvendor % 64);
		w->ids[i] = (x->vendor & 0xffff) << 16 | (x->device & 0xffff);
	}
	w->n = sys->ndevs;
	qsort(w->ids, w->n, sizeof(*w->ids), cmp_u32);
	return 0;
}

static bool want_vendor(const struct want *w, unsigned v)
{
	return w->vendors[v / 64] & (1ULL << (v % 64));
}

static bool want_device(const struct want *w, unsigned v, unsigned d)
{
	uint32_t key = v << 16 | d;

	return bsearch(&key, w->ids, w->n, sizeof(*w->ids), cmp_u32) != NULL;
}

/* a subsystem line is tested only under a device the host has: a walk is cheap there */
static bool want_subsys(const struct pt_sys *sys, unsigned v, unsigned d, unsigned sv, unsigned sd)
{
	for (size_t i = 0; i < sys->ndevs; i++) {
		const struct pt_dev *x = &sys->devs[i];

		if (x->vendor == v && x->device == d && x->subvendor == sv && x->subdevice == sd)
			return true;
	}
	return false;
}

static int hexdigit(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* The four-digit hex ID at p (end of line at next), or -1. */
static int hex4(const char *p, const char *next)
{
	if (next - p < 5 || !hexdigit(p[0]) || !hexdigit(p[1]) || !hexdigit(p[2]) || !hexdigit(p[3]))
		return -1;
	return (int)strtoul((char[5]){ p[0], p[1], p[2], p[3], 0 }, NULL, 16);
}

/* The part of pci.ids (mapped at ids, len bytes) that names sys's functions: the class
 * section, the vendor line of every vendor and subsystem vendor, and under a vendor the lines
 * of the devices sys has and of their subsystems it has. Every lookup libpci makes for those
 * functions gives what the whole file gives (a device's name and its subsystems' are in its
 * vendor's block; a subsystem's vendor in its own line), and libpci parses a few hundred lines
 * instead of the whole file's 40,000. Written to a memory file; returns its fd or -errno. */
static int ids_part(const char *ids, size_t len, const struct pt_sys *sys)
{
	const char *p = ids, *end = ids + len;
	bool keep = false, vendor = false, dkeep = false;
	struct want *w = calloc(1, sizeof(*w));
	int v = -1, d = -1, fd;
	FILE *f = NULL;

	if (!w || want_init(w, sys) < 0) {
		free(w);
		return -ENOMEM;
	}
	fd = memfd_create("pci.ids", MFD_CLOEXEC);
	if (fd >= 0)
		f = fdopen(dup(fd), "w");
	if (!f) {
		int r = fd < 0 ? -errno : -ENOMEM;

		if (fd >= 0)
			close(fd);
		free(w->ids);
		free(w);
		return r;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *next = nl ? nl + 1 : end;
		bool line = false;

		if (*p == '#' || *p == '\n') {
			line = false;
		} else if (*p != '\t') {
			vendor = false;
			if (p[0] == 'C' && p[1] == ' ') {
				keep = true; /* the classes: small, and asked for by every function */
			} else if ((v = hex4(p, next)) >= 0) {
				vendor = true;
				keep = want_vendor(w, (unsigned)v);
			} else {
				keep = true; /* a line we don't know: libpci decides about it */
			}
			line = keep;
		} else if (!keep) {
			line = false;
		} else if (!vendor) {
			line = true; /* a class's subclasses and programming interfaces */
		} else if (p[1] != '\t') {
			d = hex4(p + 1, next);
			dkeep = d < 0 || want_device(w, (unsigned)v, (unsigned)d);
			line = dkeep;
		} else if (dkeep) {
			int sv = hex4(p + 2, next), sd = sv >= 0 ? hex4(p + 7, next) : -1;

			line = sv < 0 || sd < 0 || d < 0 || p[6] != ' ' ||
			       want_subsys(sys, (unsigned)v, (unsigned)d, (unsigned)sv, (unsigned)sd);
		}
		if (line)
			fwrite(p, 1, (size_t)(next - p), f);
		p = next;
	}
	free(w->ids);
	free(w);
	if (fclose(f) != 0) {
		close(fd);
		return -EIO;
	}
	return fd;
}

/* Point libpci at the part of its pci.ids that sys needs. Anything unusual (a compressed
 * pci.ids, no /proc) leaves libpci the whole file: slower, never different. */
static void use_part(struct pt_names *n, const struct pt_sys *sys)
{
	const char *path = n->pacc->id_file_name;
	char plain[PT_PATH_MAX];
	size_t len = path ? strlen(path) : 0;
	struct stat st;
	void *map;
	int fd;

	if (!path)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	/* libpci's default is pci.ids.gz, and it reads pci.ids when that is missing */
	if (fd < 0 && len > 3 && !strcmp(path + len - 3, ".gz") &&
	    pt_snprintf(plain, sizeof(plain), "%.*s", (int)(len - 3), path) >= 0)
		fd = open(plain, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 2) {
		close(fd);
		return;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return;
	/* gzip's magic: libpci would inflate it; so does nothing here */
	fd = memcmp(map, "\x1f\x8b", 2) ? ids_part(map, (size_t)st.st_size, sys) : -EINVAL;
	munmap(map, (size_t)st.st_size);
	if (fd < 0)
		return;
	if (pt_snprintf(n->part, sizeof(n->part), "/proc/self/fd/%d", fd) < 0 || access(n->part, R_OK) < 0) {
		close(fd);
		return;
	}
	n->partfd = fd;
	n->whole = n->pacc->id_file_name;
	n->pacc->id_file_name = n->part;
}

int pt_names_new(const char *ids_file, bool hwdb, const struct pt_sys *only, struct pt_names **ret)
{
	struct pt_names *n = calloc(1, sizeof(*n));

	if (!n)
		return -ENOMEM;
	n->partfd = -1;
	n->pacc = pci_alloc();
	if (!n->pacc) {
		free(n);
		return -ENOMEM;
	}
	n->pacc->error = guard_error;
	n->pacc->warning = quiet;
	n->pacc->debug = quiet;
	if (ids_file) {
		if (pt_pathf(n->ids, sizeof(n->ids), "%s", ids_file) < 0) {
			pt_names_free(n);
			return -ENAMETOOLONG;
		}
		n->pacc->id_file_name = n->ids;
	}
	/* PCI_LOOKUP_NO_HWDB alone keeps lookups off hwdb; libpci's hwdb.disable parameter (whose
	 * pci_set_param may allocate, and so fail, under no guard) is not needed for that */
	if (!hwdb)
		n->pacc->id_lookup_mode |= PCI_LOOKUP_NO_HWDB;
	if (only)
		use_part(n, only);
	load_names(n);
	if (n->problem[0] && n->partfd >= 0) {
		/* say what is wrong with the real file, at its own line numbers */
		n->problem[0] = '\0';
		n->pacc->id_file_name = n->whole;
		close(n->partfd);
		n->partfd = -1;
		load_names(n);
	}
	*ret = n;
	return 0;
}

const char *pt_names_problem(const struct pt_names *n)
{
	return n->problem[0] ? n->problem : NULL;
}

void pt_names_free(struct pt_names *n)
{
	if (!n)
		return;
	pci_cleanup(n->pacc);
	if (n->partfd >= 0)
		close(n->partfd);
	free(n);
}

/* pci_lookup_name() under a guard: NULL when libpci failed. */
static char *guarded_lookup(struct pci_access *pacc, char *buf, int size, int flags, int a, int b, int c,
			    int d)
{
	char msg[256];
	struct guard g = { .msg = msg, .size = sizeof(msg) };
	struct guard *volatile saved = current;
	char *volatile s = NULL;

	current = &g;
	if (setjmp(g.env) == 0)
		s = pci_lookup_name(pacc, buf, size, flags, a, b, c, d);
	current = saved;
	return s;
}

/* A name into buf (pci_lookup_name returns its buffer or a static string); NULL when there
 * is none. The extra int arguments are ignored by lookups that need fewer. */
static const char *lookup(struct pt_names *n, char *buf, size_t size, int flags, int a, int b, int c, int d)
{
	const char *s = guarded_lookup(n->pacc, buf, (int)size, flags, a, b, c, d);

	if (!s)
		return NULL;
	if (s != buf)
		pt_snprintf(buf, size, "%s", s);
	return buf;
}

const char *pt_names_class(struct pt_names *n, uint32_t cls, char *buf, size_t size)
{
	return lookup(n, buf, size, PCI_LOOKUP_CLASS | PCI_LOOKUP_NO_NUMBERS, (int)(cls >> 8), 0, 0, 0);
}

const char *pt_names_lspci(struct pt_names *n, const struct pt_dev *d, char *cls, size_t clsize, char *dev,
			   size_t devsize)
{
	if (!lookup(n, cls, clsize, PCI_LOOKUP_CLASS | PCI_LOOKUP_MIXED, (int)(d->cls >> 8), 0, 0, 0))
		pt_snprintf(cls, clsize, "Class [%04x]", d->cls >> 8);
	if (!lookup(n, dev, devsize, PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE | PCI_LOOKUP_MIXED, (int)d->vendor,
		    (int)d->device, 0, 0))
		pt_snprintf(dev, devsize, "Device [%04x:%04x]", d->vendor, d->device);
	return dev;
}

const char *pt_names_vendor(struct pt_names *n, uint32_t v, char *buf, size_t size)
{
	return lookup(n, buf, size, PCI_LOOKUP_VENDOR | PCI_LOOKUP_NO_NUMBERS, (int)v, 0, 0, 0);
}

const char *pt_names_device(struct pt_names *n, uint32_t v, uint32_t d, char *buf, size_t size)
{
	return lookup(n, buf, size, PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_NUMBERS, (int)v, (int)d, 0, 0);
}

const char *pt_names_subsys(struct pt_names *n, uint32_t v, uint32_t d, uint32_t sv, uint32_t sd, char *buf,
			    size_t size)
{
	return lookup(n, buf, size, PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_NUMBERS, (int)v,
		      (int)d, (int)sv, (int)sd);
}

int pt_filter_new(struct pt_names *n, const char *slot, const char *id, struct pt_filter **ret,
		  const char **ret_why)
{
	struct pt_filter *f = calloc(1, sizeof(*f));
	char tmp[128], *why;

	if (!f)
		return -ENOMEM;
	pci_filter_init(n->pacc, &f->f);
	if (slot) {
		pt_snprintf(tmp, sizeof(tmp), "%s", slot);
		if ((why = pci_filter_parse_slot(&f->f, tmp))) {
			free(f);
			*ret_why = why;
			return -EINVAL;
		}
	}
	if (id) {
		pt_snprintf(tmp, sizeof(tmp), "%s", id);
		if ((why = pci_filter_parse_id(&f->f, tmp))) {
			free(f);
			*ret_why = why;
			return -EINVAL;
		}
	}
	*ret = f;
	return 0;
}

bool pt_filter_match(struct pt_filter *f, const struct pt_dev *d)
{
	struct pci_dev pd;

	/* A pci_dev whose fields are all known: libpci never calls into an access method. */
	memset(&pd, 0, sizeof(pd));
	pd.domain_16 = (u16)d->domain;
	pd.domain = (int)d->domain;
	pd.bus = (u8)d->bus;
	pd.dev = (u8)d->dev;
	pd.func = (u8)d->fn;
	pd.vendor_id = (u16)d->vendor;
	pd.device_id = (u16)d->device;
	pd.device_class = (u16)(d->cls >> 8);
	pd.prog_if = (u8)(d->cls & 0xff);
	pd.known_fields = PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT;
	return pci_filter_match(&f->f, &pd) != 0;
}

void pt_filter_free(struct pt_filter *f)
{
	free(f);
}
