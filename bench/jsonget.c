// SPDX-License-Identifier: GPL-2.0
/*
 * Top-level fields of a flat JSON object: see jsonget.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsonget.h"

/* Past the string starting at the quote @s (escapes skipped); NULL if unterminated. */
static const char *skip_string(const char *s)
{
	for (s++; *s && *s != '"'; s++)
		if (*s == '\\' && s[1])
			s++;
	return *s ? s + 1 : NULL;
}

/* Is the string at quote @s exactly @key, followed by a colon? */
static const char *key_value(const char *s, const char *key)
{
	size_t n = strlen(key);
	const char *end = skip_string(s);

	if (!end || (size_t)(end - s) != n + 2 || strncmp(s + 1, key, n))
		return NULL;
	end += strspn(end, " \t");
	return *end == ':' ? end + 1 + strspn(end + 1, " \t") : NULL;
}

/**
 * json_find() - the value of @key at the top level of @obj
 * @obj: "{...}".
 * @key: the key, unquoted.
 *
 * Return: where its value starts, or NULL.
 */
const char *json_find(const char *obj, const char *key)
{
	const char *s = obj, *v;
	int depth = 0;

	while (s && *s) {
		switch (*s) {
		case '{': case '[':
			depth++;
			break;
		case '}': case ']':
			depth--;
			break;
		case '"':
			if (depth == 1 && (v = key_value(s, key)))
				return v;
			s = skip_string(s);
			continue;
		}
		s++;
	}
	return NULL;
}

bool json_u64(const char *obj, const char *key, uint64_t *out)
{
	const char *v = json_find(obj, key);
	char *end;

	if (!v || *v < '0' || *v > '9')
		return false;
	errno = 0;
	*out = strtoull(v, &end, 10);
	return !errno && (*end == ',' || *end == '}' || *end == ' ');
}

bool json_f64(const char *obj, const char *key, double *out)
{
	const char *v = json_find(obj, key);
	char *end;

	if (!v || !strchr("-0123456789", *v))
		return false;
	*out = strtod(v, &end);
	return end != v && (*end == ',' || *end == '}' || *end == ' ');
}

/* A string value without escapes, truncated to fit @n (n > 0). */
bool json_str(const char *obj, const char *key, char *buf, size_t n)
{
	const char *v = json_find(obj, key), *end;
	size_t len;

	if (!v || *v != '"' || !(end = skip_string(v)))
		return false;
	len = (size_t)(end - v) - 2;
	if (len >= n)
		len = n - 1;
	memcpy(buf, v + 1, len);
	buf[len] = 0;
	return true;
}
