// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: what ptboot parses out of sysfs: hex attributes
 * ("0x1002"), decimal group names, device names and symlink targets. */
#include <stdlib.h>
#include <string.h>

#include "ptboot.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *s = malloc(size + 1), name[PT_NAME_MAX];
	struct pt_dev d;
	uint32_t v;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)pt_parse_hex(s, size, 0xffffff, &v);
	(void)pt_parse_hex(s, strlen(s), 0xffffffffu, &v);
	(void)pt_parse_dec(s, &v);
	(void)pt_slot_parse(s, &d);
	(void)pt_link_basename(s, name, sizeof(name));
	free(s);
	return 0;
}
