/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal test harness with named cases. A file defines its cases with TEST(name), lists
 * them at its end and hands the list to TEST_MAIN():
 *
 *	TEST(slot_selectors)
 *	{
 *		CHECK(...);
 *	}
 *	...
 *	static const struct test_case tests[] = {
 *		TEST_CASE(slot_selectors),
 *		TEST_CASE(malformed),
 *	};
 *	TEST_MAIN(tests)
 *
 * A TEST left out of the list is an unused static function, which -Wall -Werror rejects.
 *
 *	test-NAME [--fixtures DIR] [--scratch DIR] [--list] [CASE...]
 *
 * runs every case, or only the named ones (in the list's order), and ends with the line
 * "test-NAME: N passed, N failed" that tests/run-unit adds up; --list prints the case names;
 * an unknown case or option exits 2. CHECK() counts, and each failure names its case.
 * --fixtures defaults to BUILD/fixtures and --scratch to BUILD/scratch-unit/VARIANT/NAME
 * (emptied first), for a binary at BUILD/VARIANT/test-NAME, so that one case runs by hand
 * from the top directory: build/test/test-policy malformed.
 */
#ifndef PT_TEST_H
#define PT_TEST_H

#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_pass, t_fail;
static const char *t_case = "";
/* the fixture trees (tests/fixtures/build-all) and a scratch directory the cases may fill */
static const char *test_fixtures, *test_scratch;

#define CHECK(c)                                                                                             \
	do {                                                                                                 \
		if (c) {                                                                                     \
			t_pass++;                                                                            \
		} else {                                                                                     \
			t_fail++;                                                                            \
			fprintf(stderr, "%s:%d: %s: FAIL: %s\n", __FILE__, __LINE__, t_case, #c);            \
		}                                                                                            \
	} while (0)

#define CHECK_STR(a, b)                                                                                      \
	do {                                                                                                 \
		const char *a_ = (a), *b_ = (b);                                                             \
		if (a_ && b_ && strcmp(a_, b_) == 0) {                                                       \
			t_pass++;                                                                            \
		} else {                                                                                     \
			t_fail++;                                                                            \
			fprintf(stderr, "%s:%d: %s: FAIL: %s == \"%s\", got \"%s\"\n", __FILE__, __LINE__,   \
				t_case, #a, b_ ? b_ : "(null)", a_ ? a_ : "(null)");                         \
		}                                                                                            \
	} while (0)

#define CHECK_INT(a, b)                                                                                      \
	do {                                                                                                 \
		long a_ = (long)(a), b_ = (long)(b);                                                         \
		if (a_ == b_) {                                                                              \
			t_pass++;                                                                            \
		} else {                                                                                     \
			t_fail++;                                                                            \
			fprintf(stderr, "%s:%d: %s: FAIL: %s == %ld, got %ld\n", __FILE__, __LINE__, t_case, \
				#a, b_, a_);                                                                 \
		}                                                                                            \
	} while (0)

struct test_case {
	const char *name;
	void (*fn)(void);
};

#define TEST(name) static void test_##name(void)
#define TEST_CASE(name)                                                                                      \
	{                                                                                                    \
#name, test_##name                                                                           \
	}
#define TEST_MAIN(list)                                                                                      \
	int main(int argc, char **argv)                                                                      \
	{                                                                                                    \
		return test_main(argc, argv, __FILE__, list, ARRAY_SIZE(list));                              \
	}

static inline int test_usage(FILE *f, const char *prog)
{
	fprintf(f, "usage: %s [--fixtures DIR] [--scratch DIR] [--list] [CASE...]\n", prog);
	return 2;
}

/* snprintf that ends the test run (exit 2) rather than cut a path or command. */
static inline void test_fmt(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void test_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		fprintf(stderr, "test: a path or command does not fit in %zu bytes\n", size);
		exit(2);
	}
}

static inline int test_main(int argc, char **argv, const char *file, const struct test_case *tests,
			    size_t ntests)
{
	static char fixtures[1024], scratch[1100];
	char prog[256], self[1024], up[1100], variant[256] = "test", cmd[1200];
	const char *build = "build", *base, *dot;
	char *s, *d;
	bool *run = calloc(ntests + 1, sizeof(*run));
	bool all = true, list = false;

	/* the program's name from its source file: tests/unit/test-policy.c -> test-policy */
	base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	dot = strrchr(base, '.');
	test_fmt(prog, sizeof(prog), "%.*s", dot ? (int)(dot - base) : (int)strlen(base), base);
	/* argv[0] is BUILD/VARIANT/test-x (build/test-asan/test-bind): the defaults are under BUILD */
	test_fmt(self, sizeof(self), "%s", argv[0]);
	s = strrchr(self, '/');
	if (s) {
		*s = '\0';
		d = strrchr(self, '/');
		if (d) {
			*d = '\0';
			test_fmt(variant, sizeof(variant), "%s", d + 1);
			build = self;
		} else { /* test/test-x, ./test-x */
			if (self[0] && strcmp(self, ".") != 0 && strcmp(self, "..") != 0)
				test_fmt(variant, sizeof(variant), "%s", self);
			test_fmt(up, sizeof(up), "%s/..", self);
			build = up;
		}
	}
	test_fmt(fixtures, sizeof(fixtures), "%s/fixtures", build);
	test_fmt(scratch, sizeof(scratch), "%s/scratch-unit/%s/%s", build, variant, prog);
	test_fixtures = fixtures;
	test_scratch = NULL;

	if (!run)
		return 2;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		size_t j = 0;

		if (strcmp(a, "--list") == 0) {
			list = true;
		} else if (strcmp(a, "--fixtures") == 0 && i + 1 < argc) {
			test_fixtures = argv[++i];
		} else if (strcmp(a, "--scratch") == 0 && i + 1 < argc) {
			test_scratch = argv[++i];
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			free(run);
			test_usage(stdout, prog);
			return 0;
		} else if (a[0] == '-') {
			free(run);
			return test_usage(stderr, prog);
		} else {
			while (j < ntests && strcmp(tests[j].name, a) != 0)
				j++;
			if (j == ntests) {
				fprintf(stderr, "%s: no case %s (--list shows them)\n", prog, a);
				free(run);
				return 2;
			}
			run[j] = true;
			all = false;
		}
	}
	if (list) {
		for (size_t j = 0; j < ntests; j++)
			puts(tests[j].name);
		free(run);
		return 0;
	}
	/* a scratch directory given is used as it is; the default one is ours to empty */
	if (test_scratch)
		test_fmt(cmd, sizeof(cmd), "mkdir -p '%s'", test_scratch);
	else
		test_fmt(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", scratch, scratch);
	if (system(cmd) != 0) {
		fprintf(stderr, "%s: cannot make the scratch directory\n", prog);
		free(run);
		return 2;
	}
	if (!test_scratch)
		test_scratch = scratch;

	for (size_t j = 0; j < ntests; j++) {
		int failed = t_fail;

		if (!all && !run[j])
			continue;
		t_case = tests[j].name;
		tests[j].fn();
		if (t_fail > failed)
			fprintf(stderr, "FAIL: %s %s: %d failed\n", prog, t_case, t_fail - failed);
	}
	t_case = "";
	free(run);
	printf("%s: %d passed, %d failed\n", prog, t_pass, t_fail);
	return t_fail ? 1 : 0;
}

/* Fresh copy of a built fixture tree for a test that writes into it. */
static inline void fixture_copy(const char *base, const char *name, const char *dst)
{
	char cmd[1024];

	test_fmt(cmd, sizeof(cmd), "rm -rf '%s' && cp -a '%s/%s' '%s'", dst, base, name, dst);
	if (system(cmd) != 0) {
		fprintf(stderr, "cannot copy fixture %s\n", name);
		exit(2);
	}
}

static inline void put(const char *dir, const char *file, const char *text)
{
	char path[1024];
	FILE *f;

	test_fmt(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

static inline char *slurp(const char *dir, const char *file)
{
	static char buf[65536];
	char path[1024];
	size_t n;
	FILE *f;

	test_fmt(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

#endif
