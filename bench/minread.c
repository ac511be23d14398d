// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The benchmark's floor: a C program that reads only what the matching
 * needs (vendor, device, class) of every PCI function under ROOT, the
 * cheapest way sysfs offers it (the one uevent file: PCI_ID=, PCI_CLASS=),
 * and prints the ones whose ID is on the command line. No policy parsing,
 * no groups, no report. Usage: minread ROOT VVVV:DDDD...
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int attr(int dfd, const char *name, char *buf, size_t size)
{
	int fd = openat(dfd, name, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

int main(int argc, char **argv)
{
	char path[4096], ev[512], id[16];
	struct dirent *de;
	DIR *dir;
	int fd;

	if (argc < 2)
		return 2;
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices", argv[1]);
	fd = open(path, O_RDONLY | O_DIRECTORY);
	dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir)
		return 1;
	while ((de = readdir(dir))) {
		int dfd;

		if (de->d_name[0] == '.')
			continue;
		dfd = openat(fd, de->d_name, O_RDONLY | O_DIRECTORY);
		if (dfd < 0)
			continue;
		if (attr(dfd, "uevent", ev, sizeof(ev)) == 0) {
			const char *i_ = strstr(ev, "PCI_ID="), *c = strstr(ev, "PCI_CLASS=");

			if (i_ && c) {
				snprintf(id, sizeof(id), "%.9s", i_ + 7);
				for (char *p = id; *p; p++)
					*p = (char)(*p >= 'A' && *p <= 'F' ? *p + 32 : *p);
				for (int i = 2; i < argc; i++)
					if (strcmp(argv[i], id) == 0)
						printf("%s %s %.*s\n", de->d_name, id,
						       (int)strcspn(c + 10, "\n"), c + 10);
			}
		}
		close(dfd);
	}
	closedir(dir);
	return 0;
}
