// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Names of PCI IDs and classes from libpci (pci.ids, optionally udev's hwdb)
 * and lspci's own -s/-d filters, so ptctl reads exactly like lspci -nn.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pci/pci.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"

struct pt_names {
	struct pci_access *pacc;
	char ids[4096];
};

struct pt_filter {
	struct pci_filter f;
};

/* libpci reports through these; pci_init() would set defaults, but it also probes the
 * access methods, which names alone do not need. Lookups that fail just return NULL. */
static void PCI_NONRET quiet_error(char *msg, ...)
{
	(void)msg;
	_exit(2);	/* libpci calls error() only for fatal conditions such as no memory */
}

static void quiet(char *msg, ...)
{
	(void)msg;
}

int pt_names_new(const char *ids_file, bool hwdb, struct pt_names **ret)
{
	struct pt_names *n = calloc(1, sizeof(*n));

	if (!n)
		return -ENOMEM;
	n->pacc = pci_alloc();
	if (!n->pacc) {
		free(n);
		return -ENOMEM;
	}
	n->pacc->error = quiet_error;
	n->pacc->warning = quiet;
	n->pacc->debug = quiet;
	if (ids_file) {
		pt_snprintf(n->ids, sizeof(n->ids), "%s", ids_file);
		n->pacc->id_file_name = n->ids;
	}
	/* hwdb.disable is a libpci parameter; PCI_LOOKUP_NO_HWDB below does the rest */
	pci_set_param(n->pacc, "hwdb.disable", hwdb ? "0" : "1");
	if (!hwdb)
		n->pacc->id_lookup_mode |= PCI_LOOKUP_NO_HWDB;
	*ret = n;
	return 0;
}

void pt_names_free(struct pt_names *n)
{
	if (!n)
		return;
	pci_cleanup(n->pacc);
	free(n);
}

/* pci_lookup_name() returns its buffer or a static string; copy either into buf. */
static const char *copy(const char *s, char *buf, size_t size)
{
	if (!s)
		return NULL;
	if (s != buf)
		pt_snprintf(buf, size, "%s", s);
	return buf;
}

const char *pt_names_class(struct pt_names *n, uint32_t cls, char *buf, size_t size)
{
	return copy(pci_lookup_name(n->pacc, buf, (int)size, PCI_LOOKUP_CLASS | PCI_LOOKUP_NO_NUMBERS,
				    (int)(cls >> 8)), buf, size);
}

const char *pt_names_lspci(struct pt_names *n, const struct pt_dev *d, char *cls, size_t clsize,
			   char *dev, size_t devsize)
{
	if (!copy(pci_lookup_name(n->pacc, cls, (int)clsize, PCI_LOOKUP_CLASS | PCI_LOOKUP_MIXED,
				  (int)(d->cls >> 8)), cls, clsize))
		pt_snprintf(cls, clsize, "Class [%04x]", d->cls >> 8);
	if (!copy(pci_lookup_name(n->pacc, dev, (int)devsize,
				  PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE | PCI_LOOKUP_MIXED,
				  (int)d->vendor, (int)d->device), dev, devsize))
		pt_snprintf(dev, devsize, "Device [%04x:%04x]", d->vendor, d->device);
	return dev;
}

const char *pt_names_vendor(struct pt_names *n, uint32_t v, char *buf, size_t size)
{
	return copy(pci_lookup_name(n->pacc, buf, (int)size, PCI_LOOKUP_VENDOR | PCI_LOOKUP_NO_NUMBERS,
				    (int)v), buf, size);
}

const char *pt_names_device(struct pt_names *n, uint32_t v, uint32_t d, char *buf, size_t size)
{
	return copy(pci_lookup_name(n->pacc, buf, (int)size, PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_NUMBERS,
				    (int)v, (int)d), buf, size);
}

const char *pt_names_subsys(struct pt_names *n, uint32_t v, uint32_t d, uint32_t sv, uint32_t sd,
			    char *buf, size_t size)
{
	return copy(pci_lookup_name(n->pacc, buf, (int)size,
				    PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_NUMBERS,
				    (int)v, (int)d, (int)sv, (int)sd), buf, size);
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
