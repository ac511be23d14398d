/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal test harness: CHECK() counts, prints what failed, and TEST_DONE()
 * prints the "N passed, N failed" line the runner adds up.
 */
#ifndef PT_TEST_H
#define PT_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_pass, t_fail;

#define CHECK(c)                                                                             \
	do {                                                                                 \
		if (c) {                                                                     \
			t_pass++;                                                            \
		} else {                                                                     \
			t_fail++;                                                            \
			fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #c);        \
		}                                                                            \
	} while (0)

#define CHECK_STR(a, b)                                                                      \
	do {                                                                                 \
		const char *a_ = (a), *b_ = (b);                                             \
		if (a_ && b_ && strcmp(a_, b_) == 0) {                                       \
			t_pass++;                                                            \
		} else {                                                                     \
			t_fail++;                                                            \
			fprintf(stderr, "%s:%d: FAIL: %s == \"%s\", got \"%s\"\n", __FILE__,  \
				__LINE__, #a, b_ ? b_ : "(null)", a_ ? a_ : "(null)");       \
		}                                                                            \
	} while (0)

#define CHECK_INT(a, b)                                                                      \
	do {                                                                                 \
		long a_ = (long)(a), b_ = (long)(b);                                         \
		if (a_ == b_) {                                                              \
			t_pass++;                                                            \
		} else {                                                                     \
			t_fail++;                                                            \
			fprintf(stderr, "%s:%d: FAIL: %s == %ld, got %ld\n", __FILE__,        \
				__LINE__, #a, b_, a_);                                       \
		}                                                                            \
	} while (0)

#define TEST_DONE(name)                                                                      \
	do {                                                                                 \
		printf("%s: %d passed, %d failed\n", name, t_pass, t_fail);                  \
		return t_fail ? 1 : 0;                                                       \
	} while (0)

/* Fresh copy of a built fixture tree for a test that writes into it. */
static inline void fixture_copy(const char *base, const char *name, const char *dst)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -a '%s/%s' '%s'", dst, base, name, dst);
	if (system(cmd) != 0) {
		fprintf(stderr, "cannot copy fixture %s\n", name);
		exit(2);
	}
}

static inline void put(const char *dir, const char *file, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
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

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

#endif
