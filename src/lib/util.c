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
#include <sys/file.h>
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

/* Read all of fd (closed here) into a malloc'ed NUL-terminated buffer of at most max bytes. */
static int read_fd(int fd, size_t max, char **ret, size_t *ret_len)
{
	size_t len = 0, cap = 4096;
	char *data;

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

int pt_read_file(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return read_fd(fd, max, ret, ret_len);
}

/* fd (or an open's -errno) as a DIR stream; the fd is closed when that fails. */
static int dir_of(int fd, DIR **ret)
{
	int r;

	*ret = NULL;
	if (fd < 0)
		return fd;
	*ret = fdopendir(fd);
	if (!*ret) {
		r = -errno;
		close(fd);
		return r;
	}
	return 0;
}

int pt_opendir(int dirfd, const char *path, DIR **ret)
{
	int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return dir_of(fd < 0 ? -errno : fd, ret);
}

int pt_opendir_in(int rootfd, const char *path, DIR **ret)
{
	return dir_of(pt_open_in(rootfd, path, O_RDONLY | O_DIRECTORY, 0), ret);
}

int pt_read_file_in(int rootfd, const char *path, size_t max, char **ret, size_t *ret_len)
{
	int fd = pt_open_in(rootfd, path, O_RDONLY, 0);

	if (fd < 0)
		return fd;
	return read_fd(fd, max, ret, ret_len);
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

/* ---- files under a root: resolved inside it, written whole ---------------------------- */

#define CHASE_PARENT   1u /* stop before the last component: its directory, and its name */
#define CHASE_NOFOLLOW 2u /* with CHASE_PARENT: a last component that is a symlink stays one */
#define CHASE_MKDIR    4u /* create missing directories on the way */
#define CHASE_LINKS    32 /* symlinks followed at most, as the kernel's 40 */

/* The directory done (relative to rootfd, no symlinks in it), opened one component at a time. */
static int walk_dirs(int rootfd, const char *done)
{
	int cur = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	char comp[256];

	while (cur >= 0 && *done) {
		size_t n = strcspn(done, "/");
		int fd;

		if (n >= sizeof(comp)) {
			close(cur);
			return -ENAMETOOLONG;
		}
		memcpy(comp, done, n);
		comp[n] = '\0';
		done += n + (done[n] == '/');
		fd = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(cur);
		cur = fd;
	}
	return cur < 0 ? -errno : cur;
}

/* The directory of path inside rootfd, the way systemd's chase() resolves it: one component
 * at a time, each symlink read and its target resolved relative to rootfd (an absolute one) or
 * to the link's directory, ".." never above rootfd. Returns an O_RDONLY directory fd (usable
 * for fsync) and, with CHASE_PARENT, the last component's name in base ("." when there is
 * none); that component is followed through symlinks too unless CHASE_NOFOLLOW. */
static int chase(int rootfd, const char *path, unsigned flags, char *base, size_t size)
{
	char todo[PT_PATH_MAX], next[PT_PATH_MAX], done[PT_PATH_MAX] = "", comp[256];
	const char *p = todo;
	int cur, fd, links = 0, r = 0;
	struct stat st;

	if (pt_pathf(todo, sizeof(todo), "%s", path) < 0)
		return -ENAMETOOLONG;
	cur = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return -errno;
	for (;;) {
		size_t n;
		bool last;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		n = strcspn(p, "/");
		if (n >= sizeof(comp)) {
			r = -ENAMETOOLONG;
			break;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n;
		last = !p[strspn(p, "/")];
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			char *s = strrchr(done, '/');

			if (!done[0])
				continue; /* clamped at the root */
			*(s ? s : done) = '\0';
			close(cur);
			if ((cur = walk_dirs(rootfd, done)) < 0)
				return cur;
			continue;
		}
		if (last && (flags & CHASE_PARENT) &&
		    ((flags & CHASE_NOFOLLOW) || fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		     !S_ISLNK(st.st_mode))) {
			if (pt_pathf(base, size, "%s", comp) < 0)
				r = -ENAMETOOLONG;
			goto out;
		}
		fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && (flags & CHASE_MKDIR)) {
			if (mkdirat(cur, comp, 0755) < 0 && errno != EEXIST) {
				r = -errno;
				break;
			}
			fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd < 0 || fstat(fd, &st) < 0) {
			r = -errno;
			if (fd >= 0)
				close(fd);
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			char target[PT_PATH_MAX];
			ssize_t t;

			close(fd);
			t = ++links > CHASE_LINKS ? (errno = ELOOP, -1)
						  : readlinkat(cur, comp, target, sizeof(target) - 1);
			if (t <= 0) {
				r = t < 0 ? -errno : -ENOENT;
				break;
			}
			target[t] = '\0';
			/* the target, then what was left after the link */
			if (pt_pathf(next, sizeof(next), "%s%s", target, p) < 0) {
				r = -ENAMETOOLONG;
				break;
			}
			memcpy(todo, next, strlen(next) + 1);
			p = todo;
			if (target[0] == '/') {
				close(cur);
				done[0] = '\0';
				if ((cur = walk_dirs(rootfd, done)) < 0)
					return cur;
			}
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			close(fd);
			r = -ENOTDIR;
			break;
		}
		close(cur);
		cur = fd;
		if (pt_pathf(next, sizeof(next), "%s%s%s", done, done[0] ? "/" : "", comp) < 0) {
			r = -ENAMETOOLONG;
			break;
		}
		memcpy(done, next, strlen(next) + 1);
	}
	if (!r && (flags & CHASE_PARENT))
		pt_snprintf(base, size, ".");
out:
	if (!r) {
		fd = openat(cur, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		r = fd < 0 ? -errno : fd;
	}
	close(cur);
	return r;
}

/* -EISDIR or -EBADFD (ptboot's "not a regular file", see pt_strerror) for what st is not. */
static int not_regular(const struct stat *st)
{
	return S_ISREG(st->st_mode) ? 0 : S_ISDIR(st->st_mode) ? -EISDIR : -EBADFD;
}

int pt_open_in(int rootfd, const char *path, int flags, unsigned mode)
{
	char base[256];
	struct stat st;
	int dfd, fd, r = 0;

	dfd = chase(rootfd, path, CHASE_PARENT, base, sizeof(base));
	if (dfd < 0)
		return dfd;
	/* before opening: a FIFO would block, a device would be touched */
	if (!(flags & O_DIRECTORY) && fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0)
		r = not_regular(&st);
	fd = r ? -1 : openat(dfd, base, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, mode);
	if (!r && fd < 0)
		r = errno == ENXIO ? -EBADFD : -errno;
	close(dfd);
	if (fd >= 0 && !(flags & O_DIRECTORY) && fstat(fd, &st) == 0 && (r = not_regular(&st))) {
		close(fd);
		return r;
	}
	return r ? r : fd;
}

int pt_mkdir_p(int rootfd, const char *path, unsigned mode)
{
	int fd = chase(rootfd, path, CHASE_MKDIR, NULL, 0);

	(void)mode; /* 0755, like mkdir -p */
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

int pt_unlink_in(int rootfd, const char *path)
{
	char base[256];
	int dfd, r = 0;

	dfd = chase(rootfd, path, CHASE_PARENT | CHASE_NOFOLLOW, base, sizeof(base));
	if (dfd < 0)
		return dfd;
	if (unlinkat(dfd, base, 0) < 0)
		r = -errno;
	else if (fsync(dfd) < 0)
		r = -errno;
	close(dfd);
	return r;
}

int pt_write_atomic(int rootfd, const char *path, const char *data, size_t len, unsigned mode)
{
	char base[256], tmp[300];
	size_t off = 0;
	struct stat st;
	int dfd, fd = -1, err = 0;

	dfd = chase(rootfd, path, CHASE_PARENT, base, sizeof(base));
	if (dfd < 0)
		return dfd;
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && (err = not_regular(&st))) {
		close(dfd);
		return err;
	}
	/* a name of our own: O_EXCL never opens what was planted there (a hard link, a symlink) */
	for (unsigned i = 0; fd < 0 && i < 16; i++) {
		unsigned salt = (unsigned)pt_now_us() * 2654435761u + i;
		int n = i ? pt_pathf(tmp, sizeof(tmp), ".#%s.%d.%x", base, (int)getpid(), salt)
			  : pt_pathf(tmp, sizeof(tmp), ".#%s.%d", base, (int)getpid());

		if (n < 0) {
			close(dfd);
			return -ENAMETOOLONG;
		}
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd < 0 && errno != EEXIST) {
			err = -errno;
			break;
		}
	}
	if (fd < 0) {
		close(dfd);
		return err ? err : -EEXIST;
	}
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
	if (!err && renameat(dfd, tmp, dfd, base) < 0)
		err = -errno;
	if (err)
		unlinkat(dfd, tmp, 0);
	else if (fsync(dfd) < 0) /* the rename itself survives a crash */
		err = -errno;
	close(dfd);
	return err;
}

int pt_lock_take(int rootfd, const char *path, unsigned timeout_ms)
{
	char dir[PT_PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, r;

	if (slash && pt_pathf(dir, sizeof(dir), "%.*s", (int)(slash - path), path) < 0)
		return -ENAMETOOLONG;
	if (slash && (r = pt_mkdir_p(rootfd, dir, 0755)) < 0)
		return r;
	fd = pt_open_in(rootfd, path, O_RDWR | O_CREAT, 0600);
	if (fd < 0)
		return fd;
	for (unsigned waited = 0;; waited += 50) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK || waited >= timeout_ms) {
			r = errno == EWOULDBLOCK ? -EWOULDBLOCK : -errno;
			close(fd);
			return r;
		}
		usleep(50 * 1000);
	}
}

const char *pt_strerror(int r)
{
	return r == -EBADFD ? "not a regular file" : strerror(-r);
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

/* ---- text for a terminal ------------------------------------------------------------- */

/* The length of the character at s (n bytes there) when it is printable ASCII or valid UTF-8
 * that is no control (C1 included: a terminal may act on U+009B as on ESC [), 0 when it is not,
 * -1 when it is a valid start that goes on past n. */
static int text_char(const unsigned char *s, size_t n)
{
	unsigned c = s[0], cp, min;
	int len;

	if (c >= 0x20 && c < 0x7f)
		return 1;
	if ((c & 0xe0) == 0xc0)
		len = 2, cp = c & 0x1f, min = 0x80;
	else if ((c & 0xf0) == 0xe0)
		len = 3, cp = c & 0x0f, min = 0x800;
	else if ((c & 0xf8) == 0xf0)
		len = 4, cp = c & 0x07, min = 0x10000;
	else
		return 0; /* C0 controls, DEL, a stray continuation byte */
	for (int i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return -1;
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp < 0xa0)
		return 0;
	return len;
}

size_t pt_escape(const char *s, size_t n, bool more, struct pt_buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n && !out->err) {
		size_t k = i;
		int len;

		while (k < n && (len = text_char(p + k, n - k)) > 0)
			k += (size_t)len;
		if (k > i)
			pt_buf_printf(out, "%.*s", (int)(k - i), s + i);
		i = k;
		if (i == n)
			break;
		len = text_char(p + i, n - i);
		if (len < 0 && more)
			break; /* the rest of the character comes with the next call */
		if (p[i] == '\n' || p[i] == '\t')
			pt_buf_printf(out, "%c", p[i]);
		else
			pt_buf_printf(out, "\\x%02x", p[i]);
		i++;
	}
	return i;
}

bool pt_text_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	for (int len; n; p += len, n -= (size_t)len)
		if ((len = text_char(p, n)) <= 0)
			return false;
	return true;
}
