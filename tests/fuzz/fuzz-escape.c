// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: pt_escape, what every line ptctl prints goes through, and pt_text_ok.
 * The output holds no control byte but newline and tab, is valid UTF-8, and is the same
 * whether the input comes whole or cut in two anywhere (as a stream's writes cut it). */
#include <stdlib.h>
#include <string.h>

#include "ptboot.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct pt_buf whole = { 0 }, parts = { 0 };
	size_t cut = size ? data[0] % (size + 1) : 0, used;
	char *rest, *s;

	if (pt_escape((const char *)data, size, false, &whole) != size)
		abort();
	/* a stream: the first write up to cut, the unconsumed tail goes with the second */
	used = pt_escape((const char *)data, cut, true, &parts);
	rest = malloc(size - used + 1);
	if (!rest)
		return 0;
	memcpy(rest, data + used, size - used);
	if (pt_escape(rest, size - used, false, &parts) != size - used)
		abort();
	free(rest);
	if (whole.len != parts.len || (whole.len && memcmp(whole.data, parts.data, whole.len)))
		abort();
	for (size_t i = 0; i < whole.len; i++)
		if (whole.data[i] == '\n' || whole.data[i] == '\t')
			whole.data[i] = ' ';
	if (whole.data && !pt_text_ok(whole.data))
		abort();
	s = malloc(size + 1);
	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
		(void)pt_text_ok(s);
		free(s);
	}
	pt_buf_free(&whole);
	pt_buf_free(&parts);
	return 0;
}
