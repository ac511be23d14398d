// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * EFI variables through efivarfs under the root: Secure Boot's state, and the string
 * variables systemd-boot reads for the one-shot and the default entry.
 */
#define _GNU_SOURCE
#include <blkid/blkid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host.h"

int pt_efivar_set(int rootfd, const char *name, const char *guid, const char *value)
{
	unsigned char data[4 + 2 * 256 + 2];
	char path[192];
	size_t n = 4, len;
	int fd, flags, r = 0;
	bool existed;

	r = pt_pathf(path, sizeof(path), "sys/firmware/efi/efivars/%s-%s", name, guid);
	if (r < 0)
		return r;
	if (!pt_is_dir(rootfd, "sys/firmware/efi/efivars"))
		return -EOPNOTSUPP;
	/* efivarfs marks variables immutable; lift it (ENOTTY/EOPNOTSUPP on a plain tree) */
	fd = openat(rootfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	existed = fd >= 0;
	if (fd >= 0) {
		if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 && (flags & FS_IMMUTABLE_FL)) {
			flags &= ~FS_IMMUTABLE_FL;
			ioctl(fd, FS_IOC_SETFLAGS, &flags);
		}
		close(fd);
	}
	if (!value) {
		if (unlinkat(rootfd, path, 0) < 0 && errno != ENOENT)
			return -errno;
		return 0;
	}
	len = strlen(value);
	if (len > 255)
		return -E2BIG;
	data[0] = 0x07; /* NON_VOLATILE | BOOTSERVICE_ACCESS | RUNTIME_ACCESS */
	data[1] = data[2] = data[3] = 0;
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = (unsigned char)value[i];

		if (c >= 0x80)
			return -EINVAL;
		data[n++] = c;
		data[n++] = 0;
	}
	fd = pt_open_in(rootfd, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return fd;
	/* efivarfs wants attributes and data in one write */
	if (write(fd, data, n) != (ssize_t)n)
		r = -errno ? -errno : -EIO;
	if (close(fd) < 0 && !r)
		r = -errno;
	/* efivarfs sets a variable in one write or not at all; a variable that
	 * did not exist must not stay behind as an empty file */
	if (r < 0 && !existed)
		unlinkat(rootfd, path, 0);
	return r;
}

int pt_efivar_get(int rootfd, const char *name, const char *guid, char *buf, size_t size)
{
	char path[192], *text = NULL;
	size_t len = 0, n = 0;
	int r;

	if (!size)
		return -EINVAL;
	r = pt_pathf(path, sizeof(path), "sys/firmware/efi/efivars/%s-%s", name, guid);
	if (r >= 0)
		r = pt_read_file(rootfd, path, 4096, &text, &len);
	if (r < 0)
		return r;
	for (size_t i = 4; i + 1 < len && n + 1 < size; i += 2) {
		unsigned char c = (unsigned char)text[i];

		if (!c && !text[i + 1])
			break;
		buf[n++] = (c >= 0x20 && c < 0x7f && !text[i + 1]) ? (char)c : '?';
	}
	buf[n] = '\0';
	free(text);
	return 0;
}
