// SPDX-License-Identifier: GPL-2.0-or-later
/* Files under a root (util.c): paths resolved inside it (chase), whole-file writes through a
 * fresh temp name, the lock; and pt_escape / pt_text_ok for what is printed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ptboot.h"
#include "test.h"

static char root[4096], out[4096];

/* A scratch root and a directory beside it ("outside"), each holding a file */
static int setup(void)
{
	char cmd[30000];

	snprintf(root, sizeof(root), "%s/root", test_scratch);
	snprintf(out, sizeof(out), "%s/outside", test_scratch);
	snprintf(
		cmd, sizeof(cmd),
		"rm -rf '%s' '%s' && mkdir -p '%s/etc/ptboot' '%s/boot/efi' '%s' && echo victim > '%s/victim'",
		root, out, root, root, out, out);
	if (system(cmd) != 0)
		return -1;
	return open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[20000];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	CHECK(system(cmd) == 0);
}

static bool same(const char *dir, const char *path, const char *text)
{
	char p[8192], buf[256];
	FILE *f;
	size_t n;

	snprintf(p, sizeof(p), "%s/%s", dir, path);
	f = fopen(p, "r");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strcmp(buf, text) == 0;
}

TEST(chase_stays_inside)
{
	int fd = setup();

	CHECK(fd >= 0);
	/* an absolute link to outside, and one climbing out with "..": both land inside */
	sh("ln -s '%s' '%s/etc/abs'", out, root);
	sh("ln -s ../../../../../../outside '%s/etc/up'", root);
	CHECK_INT(pt_write_atomic(fd, "etc/up/victim", "x\n", 2, 0644), -ENOENT);
	CHECK_INT(pt_write_atomic(fd, "etc/abs/victim", "x\n", 2, 0644), -ENOENT);
	CHECK_INT(pt_unlink_in(fd, "etc/up/victim"), -ENOENT);
	CHECK(same(out, "victim", "victim\n"));
	/* ".." above the root stays at the root */
	CHECK_INT(pt_write_atomic(fd, "../../etc/ptboot/a", "a\n", 2, 0644), 0);
	CHECK(same(root, "etc/ptboot/a", "a\n"));
	/* a link loop */
	sh("ln -s loop '%s/etc/loop'", root);
	CHECK_INT(pt_write_atomic(fd, "etc/loop/x", "", 0, 0644), -ELOOP);
	/* mkdir -p through an absolute link: the directories are made inside the root */
	sh("ln -s /made/here '%s/etc/mk'", root);
	CHECK_INT(pt_mkdir_p(fd, "etc/mk/sub", 0755), 0);
	CHECK(pt_is_dir(fd, "made/here/sub"));
	close(fd);
}

TEST(write_through_link)
{
	int fd = setup();
	char *text = NULL;
	struct stat st;

	CHECK(fd >= 0);
	/* Fedora's grubenv: a relative link to the ESP is written through and stays a link */
	sh("echo old > '%s/boot/efi/grubenv' && ln -s efi/grubenv '%s/boot/grubenv'", root, root);
	CHECK_INT(pt_write_atomic(fd, "boot/grubenv", "new\n", 4, 0644), 0);
	CHECK(fstatat(fd, "boot/grubenv", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode));
	CHECK(same(root, "boot/efi/grubenv", "new\n"));
	CHECK_INT(pt_read_file_in(fd, "boot/grubenv", 4096, &text, NULL), 0);
	CHECK_STR(text, "new\n");
	free(text);
	/* pt_unlink_in removes the link, not its target */
	CHECK_INT(pt_unlink_in(fd, "boot/grubenv"), 0);
	CHECK(same(root, "boot/efi/grubenv", "new\n"));
	close(fd);
}

TEST(planted_temp_and_fifo)
{
	int fd = setup();
	char *text = NULL;

	CHECK(fd >= 0);
	/* the first temp name taken by a hard link and a symlink to a file outside */
	sh("ln '%s/victim' '%s/etc/ptboot/.#entry.conf.%d'", out, root, (int)getpid());
	sh("ln -s '%s/victim' '%s/boot/.#grubenv.%d'", out, root, (int)getpid());
	CHECK_INT(pt_write_atomic(fd, "etc/ptboot/entry.conf", "c\n", 2, 0644), 0);
	CHECK_INT(pt_write_atomic(fd, "boot/grubenv", "g\n", 2, 0644), 0);
	CHECK(same(out, "victim", "victim\n"));
	CHECK(same(root, "etc/ptboot/entry.conf", "c\n"));
	/* a FIFO is neither read (it would block) nor replaced */
	sh("mkfifo '%s/boot/fifo'", root);
	CHECK_INT(pt_read_file_in(fd, "boot/fifo", 4096, &text, NULL), -EBADFD);
	CHECK_INT(pt_write_atomic(fd, "boot/fifo", "x", 1, 0644), -EBADFD);
	CHECK_INT(pt_open_in(fd, "boot/fifo", O_WRONLY, 0), -EBADFD);
	CHECK_STR(pt_strerror(-EBADFD), "not a regular file");
	close(fd);
}

TEST(lock)
{
	int fd = setup(), a, b;

	CHECK(fd >= 0);
	a = pt_lock_take(fd, "run/ptboot/ptctl.lock", 0);
	CHECK(a >= 0);
	/* flock is per open file: a second open waits, then gives up */
	b = pt_lock_take(fd, "run/ptboot/ptctl.lock", 100);
	CHECK_INT(b, -EWOULDBLOCK);
	close(a);
	b = pt_lock_take(fd, "run/ptboot/ptctl.lock", 100);
	CHECK(b >= 0);
	close(b);
	close(fd);
}

static void esc(const char *in, size_t n, bool more, const char *want, size_t used)
{
	struct pt_buf b = { 0 };

	CHECK_INT((int)pt_escape(in, n, more, &b), (int)used);
	CHECK_STR(b.data ? b.data : "", want);
	pt_buf_free(&b);
}

TEST(escape)
{
	esc("plain\ttext\n", 11, false, "plain\ttext\n", 11);
	esc("\x1b[2Jred", 7, false, "\\x1b[2Jred", 7);
	esc("caf\xc3\xa9", 5, false, "caf\xc3\xa9", 5);
	/* C1 CSI as UTF-8, a lone continuation, an overlong '/', a surrogate, DEL, CR */
	esc("\xc2\x9b", 2, false, "\\xc2\\x9b", 2);
	esc("\x80\xc0\xaf", 3, false, "\\x80\\xc0\\xaf", 3);
	esc("\xed\xa0\x80", 3, false, "\\xed\\xa0\\x80", 3);
	esc("\x7f\r", 2, false, "\\x7f\\x0d", 2);
	/* a character cut at the end: kept for the next call in a stream, escaped at its end */
	esc("ab\xc3", 3, true, "ab", 2);
	esc("ab\xc3", 3, false, "ab\\xc3", 3);
	CHECK(pt_text_ok("host+passthrough \xc3\xa9"));
	CHECK(!pt_text_ok("a\nb"));
	CHECK(!pt_text_ok("\x1b"));
	CHECK(!pt_text_ok("\xc3"));
}

static const struct test_case tests[] = {
	TEST_CASE(chase_stays_inside),
	TEST_CASE(write_through_link),
	TEST_CASE(planted_temp_and_fifo),
	TEST_CASE(lock),
	TEST_CASE(escape),
};
TEST_MAIN(tests)
