// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The benchmark's floor: a C program that reads only the attributes the
 * matching needs (vendor, device, class) of every PCI function under ROOT
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
	char path[4096], v[16], d[16], c[16], id[16];
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
		if (attr(dfd, "vendor", v, sizeof(v)) == 0 && attr(dfd, "device", d, sizeof(d)) == 0 &&
		    attr(dfd, "class", c, sizeof(c)) == 0) {
			snprintf(id, sizeof(id), "%.4s:%.4s", v + 2, d + 2);
			for (int i = 2; i < argc; i++)
				if (strcmp(argv[i], id) == 0)
					printf("%s %s %.8s\n", de->d_name, id, c);
		}
		close(dfd);
	}
	closedir(dir);
	return 0;
}
