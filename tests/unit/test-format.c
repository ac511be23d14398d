// SPDX-License-Identifier: GPL-2.0-or-later
/* pt_snprintf() against the C library's snprintf for every form ptboot uses. */
#include <inttypes.h>
#include <stdint.h>

#include "ptboot.h"
#include "test.h"

#define SAME(...)                                                                                            \
	do {                                                                                                 \
		char a[64], b[64];                                                                           \
		int na = pt_snprintf(a, sizeof(a), __VA_ARGS__);                                             \
		int nb = snprintf(b, sizeof(b), __VA_ARGS__);                                                \
		CHECK_STR(a, b);                                                                             \
		CHECK_INT(na, nb);                                                                           \
	} while (0)

TEST(same_as_libc)
{
	SAME("plain");
	SAME("%s|%5s|%-5s|%.2s|%.*s|", "abc", "ab", "ab", "abc", 1, "xyz");
	SAME("%d %d %i %u", 0, -42, 2147483647, 4294967295u);
	SAME("%ld %lu %lld %llu", -1L, 123456789012UL, -9223372036854775807LL - 1, 18446744073709551615ULL);
	SAME("%zu %zu", (size_t)0, (size_t)65536);
	SAME("%x %X %04x %06x %02x", 0xbeefu, 0xbeefu, 0x1au, 0x30000u, 0x1ffu);
	SAME("%" PRIu64 " us", (uint64_t)123456789);
	SAME("%5d|%-5d|%05d|%-3u|", -7, 7, -7, 3u);
	SAME("<%c>%%", 'q');
	SAME("%s", "");
	SAME("%*d|%-*d|", 4, 1, 4, 1);
}

/* truncation: C99 return value, always terminated */
TEST(truncation)
{
	char small[5];

	CHECK_INT(pt_snprintf(small, sizeof(small), "%s", "abcdefgh"), 8);
	CHECK_STR(small, "abcd");
	CHECK_INT(pt_snprintf(NULL, 0, "%04x:%s", 0x10u, "xyz"), 8);
	CHECK_INT(pt_snprintf(small, 1, "abc"), 3);
	CHECK_STR(small, "");
}

static const struct test_case tests[] = {
	TEST_CASE(same_as_libc),
	TEST_CASE(truncation),
};
TEST_MAIN(tests)
