// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Small helpers shared by every layer: attribute reads relative to a root
 * directory fd, hex parsing, atomic writes and a growable string buffer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ptboot.h"

int pt_pathf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = pt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		if (size)
			buf[0] = '\0';
		return -ENAMETOOLONG;
	}
	return n;
}

int pt_sort(void *base, size_t n, size_t size, int (*cmp)(const void *a, const void *b, const void *ctx),
	    const void *ctx)
{
	char *src = base, *dst, *tmp;
	size_t i = 1;

	while (i < n && cmp(src + (i - 1) * size, src + i * size, ctx) <= 0)
		i++;
	if (i >= n)
		return 0; /* in order already: no second array */
	tmp = malloc(n * size);
	if (!tmp)
		return -ENOMEM;
	dst = tmp;
	/* bottom-up: merge runs of width w from src into dst, then swap */
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t a = lo, b = mid, k = lo;

			while (a < mid && b < hi) {
				if (cmp(src + b * size, src + a * size, ctx) < 0)
					memcpy(dst + k++ * size, src + b++ * size, size);
				else
					memcpy(dst + k++ * size, src + a++ * size, size);
			}
			memcpy(dst + k * size, src + a * size, (mid - a) * size);
			k += mid - a;
			memcpy(dst + k * size, src + b * size, (hi - b) * size);
		}
		char *t = src;

		src = dst;
		dst = t;
	}
	if (src != base)
		memcpy(base, src, n * size);
	free(tmp);
	return 0;
}

struct idx_cmp {
	int (*cmp)(size_t a, size_t b, const void *ctx);
	const void *ctx;
};

static int cmp_idx(const void *a, const void *b, const void *ctx)
{
	const struct idx_cmp *c = ctx;

	return c->cmp(*(const size_t *)a, *(const size_t *)b, c->ctx);
}

int pt_sort_idx(size_t *v, size_t n, int (*cmp)(size_t a, size_t b, const void *ctx), const void *ctx)
{
	struct idx_cmp c = { cmp, ctx };

	return pt_sort(v, n, sizeof(*v), cmp_idx, &c);
}

int pt_read_attr(int dirfd, const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd, err;

	if (size == 0)
		return -EINVAL;
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return (int)n;
}

int pt_read_file(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len)
{
	size_t len = 0, cap = 4096;
	char *data;
	int fd;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	data = malloc(cap);
	if (!data) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			char *p;

			if (cap >= max) {
				free(data);
				close(fd);
				return -EFBIG;
			}
			cap *= 2;
			p = realloc(data, cap);
			if (!p) {
				free(data);
				close(fd);
				return -ENOMEM;
			}
			data = p;
		}
		n = read(fd, data + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = -errno;

			free(data);
			close(fd);
			return err;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	data[len] = '\0';
	*ret = data;
	if (ret_len)
		*ret_len = len;
	return 0;
}

int pt_link_basename(const char *target, char *buf, size_t size)
{
	size_t n = strlen(target), len;
	const char *base;

	while (n > 1 && target[n - 1] == '/')
		n--;
	base = target + n;
	while (base > target && base[-1] != '/')
		base--;
	len = (size_t)(target + n - base);
	if (len == 0 || len >= size || (len == 1 && *base == '/'))
		return -EINVAL;
	memcpy(buf, base, len);
	buf[len] = '\0';
	return (int)len;
}

int pt_read_link_name(int dirfd, const char *path, char *buf, size_t size)
{
	char target[512];
	ssize_t n;

	n = readlinkat(dirfd, path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	return pt_link_basename(target, buf, size);
}

int pt_parse_hex(const char *s, size_t len, uint32_t max, uint32_t *ret)
{
	uint64_t v = 0;
	size_t i = 0;

	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		i = 2;
	if (i == len)
		return -EINVAL;
	for (; i < len; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -EINVAL;
		v = v * 16 + d;
		if (v > max)
			return -ERANGE;
	}
	*ret = (uint32_t)v;
	return 0;
}

bool pt_exists(int dirfd, const char *path)
{
	struct stat st;

	return fstatat(dirfd, path, &st, 0) == 0;
}

bool pt_is_dir(int dirfd, const char *path)
{
	struct stat st;

	return fstatat(dirfd, path, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

int pt_parse_u64(const char *s, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*ret = v;
	return 0;
}

int pt_parse_dec(const char *s, uint32_t *ret)
{
	uint64_t v;
	int r = pt_parse_u64(s, UINT32_MAX, &v);

	if (r == 0)
		*ret = (uint32_t)v;
	return r;
}

int pt_mkdir_p(int dirfd, const char *path, unsigned mode)
{
	char tmp[512];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, path, len + 1);
	for (char *p = tmp + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdirat(dirfd, tmp, mode) < 0 && errno != EEXIST)
				return -errno;
			*p = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}

int pt_write_atomic(int dirfd, const char *path, const char *data, size_t len, unsigned mode)
{
	char tmp[600];
	const char *base = strrchr(path, '/');
	size_t off = 0;
	int fd, err = 0, n;

	n = pt_snprintf(tmp, sizeof(tmp), "%.*s.#%s.%d", base ? (int)(base - path + 1) : 0, path,
			base ? base + 1 : path, (int)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			err = -errno;
			break;
		}
		off += (size_t)w;
	}
	if (!err && fchmod(fd, mode) < 0)
		err = -errno;
	if (!err && fsync(fd) < 0)
		err = -errno;
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err && renameat(dirfd, tmp, dirfd, path) < 0)
		err = -errno;
	if (err)
		unlinkat(dirfd, tmp, 0);
	return err;
}

uint64_t pt_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int buf_reserve(struct pt_buf *b, size_t more)
{
	size_t cap;
	char *p;

	if (b->err)
		return b->err;
	if (b->len + more + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p)
		return b->err = -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

void pt_buf_printf(struct pt_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = pt_vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n) < 0)
		return;
	va_start(ap, fmt);
	pt_vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void pt_buf_puts(struct pt_buf *b, const char *s)
{
	size_t n = strlen(s);

	if (buf_reserve(b, n) < 0)
		return;
	memcpy(b->data + b->len, s, n + 1);
	b->len += n;
}

void pt_buf_json_str(struct pt_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	if (!s) {
		pt_buf_puts(b, "null");
		return;
	}
	if (buf_reserve(b, strlen(s) * 6 + 2) < 0)
		return;
	b->data[b->len++] = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			b->data[b->len++] = '\\';
			b->data[b->len++] = (char)*p;
		} else if (*p < 0x20 || *p >= 0x7f) {
			/* control bytes; bytes >= 0x80 as Latin-1 so the JSON stays UTF-8 */
			memcpy(b->data + b->len, "\\u00", 4);
			b->len += 4;
			b->data[b->len++] = hex[*p >> 4];
			b->data[b->len++] = hex[*p & 15];
		} else {
			b->data[b->len++] = (char)*p;
		}
	}
	b->data[b->len++] = '"';
	b->data[b->len] = '\0';
}

void pt_buf_free(struct pt_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->err = 0;
}
