// SPDX-License-Identifier: GPL-2.0-or-later
/* pt.devices= selectors: what parses, what it means, and the message for
 * what doesn't. */
#include "ptboot.h"
#include "test.h"

static struct pt_sel sel(const char *s)
{
	struct pt_sel r;
	const char *why = NULL;

	memset(&r, 0x55, sizeof(r));
	if (pt_sel_parse(s, strlen(s), &r, &why) < 0) {
		fprintf(stderr, "unexpected parse failure of %s: %s\n", s, why);
		r.kind = (enum pt_sel_kind)99;
	}
	return r;
}

static void bad(const char *policy, const char *want_sel, const char *want_why)
{
	struct pt_policy_error e = { { 0 }, NULL };
	struct pt_policy p = { 0 };

	CHECK_INT(pt_policy_parse(policy, &p, &e), -22);
	CHECK_STR(e.sel, want_sel);
	CHECK(e.why && strstr(e.why, want_why));
	CHECK(p.sels == NULL);
}

static struct pt_dev dev(const char *slot, unsigned dom, unsigned bus, unsigned d, unsigned fn, unsigned v,
			 unsigned id, unsigned cls)
{
	struct pt_dev x = { .domain = dom,
			    .bus = bus,
			    .dev = d,
			    .fn = fn,
			    .vendor = v,
			    .device = id,
			    .cls = cls,
			    .group = -1,
			    .boot_vga = -1 };

	snprintf(x.slot, sizeof(x.slot), "%s", slot);
	return x;
}

/* the seed's GPU pair and NVMe, and the GPU again in another domain */
static struct pt_dev gpu, audio, nvme, far;

static void devices(void)
{
	gpu = dev("0000:03:00.0", 0, 3, 0, 0, 0x1002, 0x744c, 0x030000);
	audio = dev("0000:03:00.1", 0, 3, 0, 1, 0x1002, 0xab30, 0x040300);
	nvme = dev("0000:6e:00.0", 0, 0x6e, 0, 0, 0xc0a9, 0x5421, 0x010802);
	far = dev("0001:03:00.0", 1, 3, 0, 0, 0x1002, 0x744c, 0x030000);
}

TEST(slot_selectors)
{
	struct pt_sel s;

	devices();
	s = sel("03:00.0");
	CHECK(s.kind == PT_SEL_SLOT && s.domain == PT_ANY && s.bus == 3 && s.dev == 0 && s.fn == 0);
	CHECK(pt_sel_matches(&s, &gpu) && !pt_sel_matches(&s, &audio));
	CHECK(pt_sel_matches(&s, &far)); /* lspci -s: no domain = any domain */
	s = sel("0000:03:00.1");
	CHECK(s.kind == PT_SEL_SLOT && s.domain == 0 && s.fn == 1);
	CHECK(pt_sel_matches(&s, &audio) && !pt_sel_matches(&s, &gpu));
	s = sel("03:00.*");
	CHECK(s.fn == PT_ANY && pt_sel_matches(&s, &gpu) && pt_sel_matches(&s, &audio));
	CHECK(!pt_sel_matches(&s, &nvme));
	s = sel("0001:03:00.*");
	CHECK(pt_sel_matches(&s, &far) && !pt_sel_matches(&s, &gpu));
	s = sel("6E:00.0");
	CHECK(pt_sel_matches(&s, &nvme));
}

TEST(id_selectors)
{
	struct pt_sel s;

	devices();
	s = sel("1002:744c");
	CHECK(s.kind == PT_SEL_ID && s.vendor == 0x1002 && s.device == 0x744c && s.cls == PT_ANY);
	CHECK(pt_sel_matches(&s, &gpu) && pt_sel_matches(&s, &far) && !pt_sel_matches(&s, &audio));
	s = sel("1002:*");
	CHECK(pt_sel_matches(&s, &gpu) && pt_sel_matches(&s, &audio) && !pt_sel_matches(&s, &nvme));
	s = sel("1002:");
	CHECK(s.device == PT_ANY);
	s = sel("c0a9:5421:0108");
	CHECK(s.cls == 0x0108 && pt_sel_matches(&s, &nvme));
	s = sel("c0a9:5421:0106");
	CHECK(!pt_sel_matches(&s, &nvme));
	s = sel("1002:*:0403");
	CHECK(pt_sel_matches(&s, &audio) && !pt_sel_matches(&s, &gpu));
	s = sel("c0a9::0108:02");
	CHECK(s.progif == 2 && pt_sel_matches(&s, &nvme));
	s = sel("c0a9::0108:03");
	CHECK(!pt_sel_matches(&s, &nvme));
}

TEST(guarded_selectors)
{
	struct pt_sel s;

	devices();
	s = sel("03:00.0@1002:744c");
	CHECK(s.kind == PT_SEL_GUARDED && s.bus == 3 && s.vendor == 0x1002 && s.device == 0x744c);
	CHECK(pt_sel_matches(&s, &gpu));
	CHECK(pt_sel_matches_slot(&s, &far) && pt_sel_matches_id(&s, &gpu));
	s = sel("03:00.1@1002:744c");
	CHECK(pt_sel_matches_slot(&s, &audio) && !pt_sel_matches_id(&s, &audio));
	CHECK(!pt_sel_matches(&s, &audio));
}

/* the seed's policy */
TEST(seed_policy)
{
	struct pt_policy p = { 0 };

	CHECK_INT(pt_policy_parse("03:00.0@1002:744c,03:00.1@1002:ab30,6e:00.0@c0a9:5421", &p, NULL), 0);
	CHECK_INT(p.nsels, 3);
	CHECK_STR(p.sels[2].text, "6e:00.0@c0a9:5421");
	pt_policy_free(&p);
	CHECK_INT(pt_policy_parse("", &p, NULL), 0);
	CHECK_INT(p.nsels, 0);
}

/* malformed: the bad selector is named, the reason says what is expected */
TEST(malformed)
{
	bad("03:00.0,,04:00.0", "", "empty");
	bad("03:00.0,", "", "empty");
	bad("03:00", "03:00", "neither a slot"); /* not an ID, and a slot needs .F */
	bad("3:0.0,0000:03:00.8", "0000:03:00.8", "function");
	bad("03:20.0", "03:20.0", "device number");
	bad("103:00.0", "103:00.0", "bus");
	bad("00.0", "00.0", "slot");
	bad("*:00.0", "*:00.0", "bus");
	bad("0x1002:744c", "0x1002:744c", "vendor");
	bad("2:0", "2:0", "neither a slot");
	bad("1002", "1002", "ID");
	bad("*:744c", "*:744c", "vendor");
	bad(":", ":", "vendor");
	bad("1002:744c:0300:00:1", "1002:744c:0300:00:1", "programming interface");
	bad("10020:744c", "10020:744c", "vendor");
	bad("1002:744g", "1002:744g", "device ID");
	bad("03:00.0@", "03:00.0@", "ID");
	bad("03:00.0@*:744c", "03:00.0@*:744c", "vendor");
	bad("03:00.0@1002:744c@1", "03:00.0@1002:744c@1", "more than one");
	bad("@1002:744c", "@1002:744c", "slot");
	bad("03:00.0 04:00.0", "03:00.0 04:00.0", "slot");
	bad("0123456789012345678901234567890123456789012345678901234567890123456789",
	    "012345678901234567890123456789012345678901234567890123456789012", "too long");
}

static const struct test_case tests[] = {
	TEST_CASE(slot_selectors), TEST_CASE(id_selectors), TEST_CASE(guarded_selectors),
	TEST_CASE(seed_policy),	   TEST_CASE(malformed),
};
TEST_MAIN(tests)
