// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pt-early's allocator. pt-early runs for milliseconds and exits, so small
 * memory is never worth reusing: a bump allocator over mmap'ed chunks replaces
 * musl's mallocng and saves 7 KiB of the static binary. free() and realloc()
 * reclaim or grow the most recent block. Big blocks (the device model and the
 * plan on a host with thousands of SR-IOV functions, the state report) get
 * mappings of their own that realloc() moves with mremap() and free() unmaps,
 * so growing them costs no copy left behind. Only the static build links this.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define ALIGN	 16
#define HDR	 16 /* block size, kept in front of each block */
#define CHUNK	 (1u << 20)
#define BIG	 (CHUNK / 8) /* blocks this size and up are mappings of their own */
#define BIG_FLAG ((size_t)1) /* in the size header: sizes are multiples of ALIGN */

static char *base; /* frontend-only process state: the current chunk */
static size_t used, size;

void *malloc(size_t n);
void free(void *p);
void *calloc(size_t a, size_t b);
void *realloc(void *p, size_t n);

static void *big_alloc(size_t n)
{
	char *p = mmap(NULL, HDR + n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		errno = ENOMEM;
		return NULL;
	}
	*(size_t *)p = n | BIG_FLAG;
	return p + HDR;
}

void *malloc(size_t n)
{
	char *p;

	if (n > SIZE_MAX / 2) {
		errno = ENOMEM;
		return NULL;
	}
	n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (n >= BIG)
		return big_alloc(n);
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

	if (!p)
		return;
	if (*(size_t *)h & BIG_FLAG)
		munmap(h, HDR + (*(size_t *)h & ~BIG_FLAG));
	else if (is_last(h))
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
	old = *(size_t *)h & ~BIG_FLAG;
	if (n <= old)
		return p;
	if (n > SIZE_MAX / 2) {
		errno = ENOMEM;
		return NULL;
	}
	n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (*(size_t *)h & BIG_FLAG) {
		q = mremap(h, HDR + old, HDR + n, MREMAP_MAYMOVE);
		if (q == MAP_FAILED) {
			errno = ENOMEM;
			return NULL;
		}
		*(size_t *)q = n | BIG_FLAG;
		return q + HDR;
	}
	if (is_last(h) && used - old + n <= size) {
		used += n - old;
		*(size_t *)h = n;
		return p;
	}
	q = malloc(n);
	if (q)
		memcpy(q, p, old);
	free(p); /* a block reached its big size: the old one is gone, or the last */
	return q;
}
