// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pt.devices= policy: a comma-separated list of selectors in lspci's own
 * syntax (-s SLOT, -d ID) plus the guarded SLOT@ID form. Pure: no I/O.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ptboot.h"

/* Split [s, s+len) at the first c; returns the length before it or len. */
static size_t span_to(const char *s, size_t len, char c)
{
	const char *p = memchr(s, c, len);

	return p ? (size_t)(p - s) : len;
}

/* A hex field, "*" or (when allow_empty) "" -> PT_ANY. */
static int field(const char *s, size_t len, uint32_t max, size_t maxdigits, bool allow_empty, bool exact,
		 int32_t *ret)
{
	uint32_t v;

	if ((len == 0 && allow_empty) || (len == 1 && s[0] == '*')) {
		*ret = PT_ANY;
		return 0;
	}
	if (len == 0 || len > maxdigits || (exact && len != maxdigits))
		return -EINVAL;
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return -EINVAL; /* lspci takes bare hex only */
	if (pt_parse_hex(s, len, max, &v) < 0)
		return -EINVAL;
	*ret = (int32_t)v;
	return 0;
}

static int parse_slot(const char *s, size_t len, struct pt_sel *sel, const char **why)
{
	size_t colons = 0, dot, pos[2] = { 0 }, start;
	int32_t v;

	for (size_t i = 0; i < len; i++)
		if (s[i] == ':') {
			if (colons < 2)
				pos[colons] = i;
			colons++;
		}
	dot = span_to(s, len, '.');
	if (colons == 0 || colons > 2 || dot == len || dot < pos[colons - 1]) {
		*why = "a slot is [DOMAIN:]BUS:DEVICE.FUNCTION, e.g. 03:00.0 or 03:00.*";
		return -EINVAL;
	}
	sel->domain = PT_ANY;
	start = 0;
	if (colons == 2) {
		if (field(s, pos[0], 0xffffffffu, 8, false, false, &v) < 0 || v == PT_ANY) {
			*why = "bad PCI domain (hex, e.g. 0000)";
			return -EINVAL;
		}
		sel->domain = v;
		start = pos[0] + 1;
	}
	if (field(s + start, pos[colons - 1] - start, 0xff, 2, false, false, &v) < 0 || v == PT_ANY) {
		*why = "bad bus number (hex 00-ff)";
		return -EINVAL;
	}
	sel->bus = v;
	start = pos[colons - 1] + 1;
	if (field(s + start, dot - start, 0x1f, 2, false, false, &v) < 0 || v == PT_ANY) {
		*why = "bad device number (hex 00-1f)";
		return -EINVAL;
	}
	sel->dev = v;
	if (field(s + dot + 1, len - dot - 1, 7, 1, false, false, &v) < 0) {
		*why = "bad function (0-7 or *)";
		return -EINVAL;
	}
	sel->fn = v;
	return 0;
}

static int parse_id(const char *s, size_t len, struct pt_sel *sel, const char **why)
{
	size_t a, b, c;

	a = span_to(s, len, ':');
	if (a == len) {
		*why = "an ID is VENDOR:DEVICE[:CLASS[:PROGIF]], e.g. 1002:744c; a slot needs .FUNCTION";
		return -EINVAL;
	}
	if (field(s, a, 0xffff, 4, true, true, &sel->vendor) < 0) {
		*why = "bad vendor ID (4 hex digits as lspci -nn shows them, or *)";
		return -EINVAL;
	}
	s += a + 1;
	len -= a + 1;
	b = span_to(s, len, ':');
	if (field(s, b, 0xffff, 4, true, true, &sel->device) < 0) {
		*why = "bad device ID (4 hex digits as lspci -nn shows them, or *)";
		return -EINVAL;
	}
	sel->cls = sel->progif = PT_ANY;
	if (b == len)
		goto done;
	s += b + 1;
	len -= b + 1;
	c = span_to(s, len, ':');
	if (field(s, c, 0xffff, 4, true, true, &sel->cls) < 0) {
		*why = "bad class (4 hex digits, e.g. 0108 or 0300)";
		return -EINVAL;
	}
	if (c == len)
		goto done;
	s += c + 1;
	len -= c + 1;
	if (memchr(s, ':', len) || field(s, len, 0xff, 2, true, true, &sel->progif) < 0) {
		*why = "bad programming interface (2 hex digits)";
		return -EINVAL;
	}
done:
	if (sel->vendor == PT_ANY) {
		*why = "an ID selector must name the vendor";
		return -EINVAL;
	}
	return 0;
}

int pt_sel_parse(const char *s, size_t len, struct pt_sel *ret, const char **ret_why)
{
	struct pt_sel sel = { 0 };
	const char *why = NULL;
	size_t at;

	if (len == 0) {
		*ret_why = "empty selector";
		return -EINVAL;
	}
	if (len >= sizeof(sel.text)) {
		*ret_why = "selector too long";
		return -EINVAL;
	}
	memcpy(sel.text, s, len);
	sel.text[len] = '\0';
	sel.domain = sel.bus = sel.dev = sel.fn = PT_ANY;
	sel.vendor = sel.device = sel.cls = sel.progif = PT_ANY;

	at = span_to(s, len, '@');
	if (at < len) {
		sel.kind = PT_SEL_GUARDED;
		if (memchr(s + at + 1, '@', len - at - 1)) {
			*ret_why = "more than one '@'";
			return -EINVAL;
		}
		if (parse_slot(s, at, &sel, &why) < 0 || parse_id(s + at + 1, len - at - 1, &sel, &why) < 0) {
			*ret_why = why;
			return -EINVAL;
		}
	} else if (memchr(s, '.', len)) {
		sel.kind = PT_SEL_SLOT;
		if (parse_slot(s, len, &sel, &why) < 0) {
			*ret_why = why;
			return -EINVAL;
		}
	} else {
		sel.kind = PT_SEL_ID;
		if (parse_id(s, len, &sel, &why) < 0) {
			/* "03:00" is the classic slip: a slot without its function */
			size_t v = span_to(s, len, ':');

			*ret_why = v >= 1 && v < 4 && s[0] != '*' && len <= 10
					   ? "neither a slot (BUS:DEVICE.FUNCTION, e.g. 03:00.0) "
					     "nor an ID (VENDOR:DEVICE, e.g. 1002:744c)"
					   : why;
			return -EINVAL;
		}
	}
	*ret = sel;
	return 0;
}

int pt_policy_parse(const char *s, struct pt_policy *ret, struct pt_policy_error *ret_err)
{
	struct pt_policy p = { 0 };
	size_t len = strlen(s), n = 1, i = 0;

	if (len == 0) {
		*ret = p; /* "pt.devices=": explicitly nothing */
		return 0;
	}
	for (size_t k = 0; k < len; k++)
		if (s[k] == ',')
			n++;
	if (n > PT_POLICY_MAX_SELECTORS) {
		if (ret_err) {
			pt_snprintf(ret_err->sel, sizeof(ret_err->sel), "%zu selectors", n);
			ret_err->why = "more than " PT_STR(PT_POLICY_MAX_SELECTORS) " selectors";
		}
		return -E2BIG;
	}
	p.sels = calloc(n, sizeof(*p.sels));
	if (!p.sels)
		return -ENOMEM;
	while (i <= len) {
		size_t l = span_to(s + i, len - i, ',');
		const char *why;

		if (pt_sel_parse(s + i, l, &p.sels[p.nsels], &why) < 0) {
			if (ret_err) {
				size_t cl = l < sizeof(ret_err->sel) - 1 ? l : sizeof(ret_err->sel) - 1;

				memcpy(ret_err->sel, s + i, cl);
				ret_err->sel[cl] = '\0';
				ret_err->why = why;
			}
			free(p.sels);
			return -EINVAL;
		}
		p.nsels++;
		i += l + 1;
	}
	*ret = p;
	return 0;
}

void pt_policy_free(struct pt_policy *p)
{
	free(p->sels);
	p->sels = NULL;
	p->nsels = 0;
}

bool pt_sel_matches_slot(const struct pt_sel *s, const struct pt_dev *d)
{
	return (s->domain == PT_ANY || (uint32_t)s->domain == d->domain) && (uint32_t)s->bus == d->bus &&
	       (uint32_t)s->dev == d->dev && (s->fn == PT_ANY || (uint32_t)s->fn == d->fn);
}

bool pt_sel_matches_id(const struct pt_sel *s, const struct pt_dev *d)
{
	return !d->unreadable && (s->vendor == PT_ANY || (uint32_t)s->vendor == d->vendor) &&
	       (s->device == PT_ANY || (uint32_t)s->device == d->device) &&
	       (s->cls == PT_ANY || (uint32_t)s->cls == d->cls >> 8) &&
	       (s->progif == PT_ANY || (uint32_t)s->progif == (d->cls & 0xff));
}

bool pt_sel_matches(const struct pt_sel *s, const struct pt_dev *d)
{
	switch (s->kind) {
	case PT_SEL_SLOT: return pt_sel_matches_slot(s, d);
	case PT_SEL_ID: return pt_sel_matches_id(s, d);
	case PT_SEL_GUARDED: return pt_sel_matches_slot(s, d) && pt_sel_matches_id(s, d);
	}
	return false;
}
