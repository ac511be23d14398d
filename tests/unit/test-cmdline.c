// SPDX-License-Identifier: GPL-2.0-or-later
/* The command-line tokenizer against the kernel's rules, and the pt.* keys. */
#include "ptboot.h"
#include "test.h"

static int collect(const char *key, const char *val, void *data)
{
	char *out = data;
	size_t n = strlen(out);

	snprintf(out + n, 1024 - n, "%s[%s]%s", n ? " " : "", key, val ? "=" : "");
	if (val)
		snprintf(out + strlen(out), 1024 - strlen(out), "[%s]", val);
	return 0;
}

static void tok(const char *in, const char *want)
{
	char out[1024] = "";

	CHECK_INT(pt_cmdline_foreach(in, collect, out), 0);
	CHECK_STR(out, want);
}

/* tokenizer: what kernel/params.c next_arg() makes of it */
TEST(tokenizer)
{
	tok("", "");
	tok("  \n", "");
	tok("ro quiet\n", "[ro] [quiet]");
	tok("root=/dev/sda1 console=ttyS0,115200", "[root]=[/dev/sda1] [console]=[ttyS0,115200]");
	tok("a=b=c", "[a]=[b=c]");
	tok("x=\"two words\" y", "[x]=[two words] [y]");
	tok("\"pt.devices=03:00.0\" z", "[pt.devices]=[03:00.0] [z]");
	tok("k=\"\"", "[k]=[]");
	tok("k= next", "[k]=[] [next]");
	tok("a -- b=c", "[a]");
	tok("a \"--\" b", "[a]"); /* quotes come off before the check */
	tok("\tfoo\tbar  ", "[foo] [bar]");
	tok("x=\"unterminated y", "[x]=[unterminated y]");
	tok("k=a\"b c\"d e", "[k]=[a\"b c\"d] [e]");
}

/* pt.* keys: later keys win, -- ends */
TEST(keys_later_wins)
{
	struct pt_opts o;

	CHECK_INT(pt_opts_parse("ro pt.devices=03:00.0 quiet pt.devices=04:00.*\n", &o), 0);
	CHECK_STR(o.devices, "04:00.*");
	CHECK(!o.debug && !o.off && !o.devices_bare && !o.bad_key && !o.complete_groups);
	pt_opts_free(&o);
}

TEST(keys_end_at_double_dash)
{
	struct pt_opts o;

	CHECK_INT(pt_opts_parse("pt.devices=1002:744c -- pt.devices=bad pt.off", &o), 0);
	CHECK_STR(o.devices, "1002:744c");
	CHECK(!o.off);
	pt_opts_free(&o);
}

TEST(keys_flags)
{
	struct pt_opts o;

	CHECK_INT(pt_opts_parse("pt.debug pt.off=1 pt.groups=complete", &o), 0);
	CHECK(o.debug && o.off && o.complete_groups && o.devices == NULL);
	pt_opts_free(&o);

	CHECK_INT(pt_opts_parse("pt.debug=1 pt.debug=0 pt.off=no", &o), 0);
	CHECK(!o.debug && !o.off);
	pt_opts_free(&o);

	/* pt.ids=keep | ignore (default), anything else is a bad key */
	CHECK_INT(pt_opts_parse("pt.ids=keep", &o), 0);
	CHECK(o.ids_keep && !o.bad_key);
	pt_opts_free(&o);
	CHECK_INT(pt_opts_parse("pt.ids=keep pt.ids=ignore", &o), 0);
	CHECK(!o.ids_keep && !o.bad_key);
	pt_opts_free(&o);
	CHECK_INT(pt_opts_parse("pt.ids", &o), 0);
	CHECK(!o.ids_keep && o.bad_key);
	pt_opts_free(&o);
}

TEST(keys_bare_devices)
{
	struct pt_opts o;

	CHECK_INT(pt_opts_parse("pt.devices", &o), 0);
	CHECK(o.devices_bare);
	CHECK_STR(o.devices, "");
	pt_opts_free(&o);

	CHECK_INT(pt_opts_parse("pt.devices pt.devices=", &o), 0);
	CHECK(!o.devices_bare);
	CHECK_STR(o.devices, "");
	pt_opts_free(&o);
}

TEST(keys_bad)
{
	struct pt_opts o;

	CHECK_INT(pt_opts_parse("pt.devcies=03:00.0 pt.debug=maybe", &o), 0);
	CHECK_STR(o.bad_key, "pt.devcies=03:00.0"); /* the first one is named */
	CHECK(o.devices == NULL);
	pt_opts_free(&o);

	CHECK_INT(pt_opts_parse("pt.groups=all", &o), 0);
	CHECK_STR(o.bad_key, "pt.groups=all");
	pt_opts_free(&o);
}

TEST(keys_lookalikes_ignored)
{
	struct pt_opts o;

	CHECK_INT(pt_opts_parse("apt.devices=1 pt_devices=2 xpt.devices=3", &o), 0);
	CHECK(o.devices == NULL && o.bad_key == NULL);
	pt_opts_free(&o);
}

/* kstrtobool */
TEST(parse_bool)
{
	bool b;

	CHECK(pt_parse_bool(NULL, &b) == 0 && b);
	CHECK(pt_parse_bool("Y", &b) == 0 && b);
	CHECK(pt_parse_bool("on", &b) == 0 && b);
	CHECK(pt_parse_bool("off", &b) == 0 && !b);
	CHECK(pt_parse_bool("0", &b) == 0 && !b);
	CHECK(pt_parse_bool("false", &b) == 0 && !b);
	CHECK(pt_parse_bool("maybe", &b) < 0);
	CHECK(pt_parse_bool("", &b) < 0);
}

static const struct test_case tests[] = {
	TEST_CASE(tokenizer),
	TEST_CASE(keys_later_wins),
	TEST_CASE(keys_end_at_double_dash),
	TEST_CASE(keys_flags),
	TEST_CASE(keys_bare_devices),
	TEST_CASE(keys_bad),
	TEST_CASE(keys_lookalikes_ignored),
	TEST_CASE(parse_bool),
};
TEST_MAIN(tests)
