// SPDX-License-Identifier: GPL-2.0
/*
 * JSON string output: see jsonput.h.
 */
#include "jsonput.h"

/* @s as a JSON string: quotes, backslashes and control characters escaped. */
void json_put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}
