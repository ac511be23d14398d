// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pt-early's allocator. pt-early runs for milliseconds and exits, so memory
 * is never worth reusing: a bump allocator over mmap'ed chunks replaces
 * musl's mallocng and saves 7 KiB of the static binary. free() and
 * realloc() reclaim or grow the most recent block, which covers the
 * growing arrays of the device model. Only the static build links this.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define ALIGN 16
#define HDR   16 /* block size, kept in front of each block */
#define CHUNK (1u << 20)

static char *base; /* frontend-only process state: the current chunk */
static size_t used, size;

void *malloc(size_t n);
void free(void *p);
void *calloc(size_t a, size_t b);
void *realloc(void *p, size_t n);

void *malloc(size_t n)
{
	char *p;

	if (n > SIZE_MAX / 2) {
		errno = ENOMEM;
		return NULL;
	}
	n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (!base || used + HDR + n > size) {
		size_t sz = HDR + n > CHUNK ? HDR + n : CHUNK;

		p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			errno = ENOMEM;
			return NULL;
		}
		base = p;
		used = 0;
		size = sz;
	}
	p = base + used;
	*(size_t *)p = n;
	used += HDR + n;
	return p + HDR;
}

static int is_last(const char *h)
{
	return base && h >= base && h + HDR + *(const size_t *)h == base + used;
}

void free(void *p)
{
	char *h = (char *)p - HDR;

	if (p && is_last(h))
		used = (size_t)(h - base);
}

void *calloc(size_t a, size_t b)
{
	void *p;

	if (b && a > SIZE_MAX / b) {
		errno = ENOMEM;
		return NULL;
	}
	p = malloc(a * b);
	if (p)
		memset(p, 0, a * b);
	return p;
}

void *realloc(void *p, size_t n)
{
	char *h = (char *)p - HDR, *q;
	size_t old;

	if (!p)
		return malloc(n);
	old = *(size_t *)h;
	if (n <= old)
		return p;
	n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (is_last(h) && used - old + n <= size) {
		used += n - old;
		*(size_t *)h = n;
		return p;
	}
	q = malloc(n);
	if (q)
		memcpy(q, p, old);
	return q;
}
