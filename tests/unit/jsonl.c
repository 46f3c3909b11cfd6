// SPDX-License-Identifier: BSD-2-Clause
/*
 * A strict JSON syntax checker (RFC 8259) for sockana's --json output,
 * shared by the unit tests and tests/e2e/jsonlines.c: no parser library,
 * so the checks run wherever the tests build.
 */
#include <stdbool.h>
#include <string.h>

#include "jsonl.h"

struct js {
	const char *p, *end;
	int depth;
};

static bool js_value(struct js *j);

static void js_ws(struct js *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
				 *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static bool js_lit(struct js *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
		return false;
	j->p += n;
	return true;
}

static bool js_hex4(struct js *j)
{
	int i;

	for (i = 0; i < 4; i++, j->p++)
		if (j->p >= j->end || !strchr("0123456789abcdefABCDEF", *j->p) ||
		    *j->p == '\0')
			return false;
	return true;
}

/* Strings: escapes as the RFC lists them, no raw control byte, UTF-8. */
static bool js_string(struct js *j)
{
	if (j->p >= j->end || *j->p != '"')
		return false;
	for (j->p++; j->p < j->end;) {
		unsigned char c = (unsigned char)*j->p;

		if (c == '"') {
			j->p++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			j->p++;
			if (j->p >= j->end)
				return false;
			if (*j->p == 'u') {
				j->p++;
				if (!js_hex4(j))
					return false;
				continue;
			}
			if (!strchr("\"\\/bfnrt", *j->p) || *j->p == '\0')
				return false;
			j->p++;
			continue;
		}
		if (c < 0x80) {
			j->p++;
			continue;
		}
		{
			int len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3
				  : c >= 0xc2 && c <= 0xdf ? 2 : 0;
			int k;

			if (len == 0 || j->end - j->p < len)
				return false;
			for (k = 1; k < len; k++)
				if (((unsigned char)j->p[k] & 0xc0) != 0x80)
					return false;
			j->p += len;
		}
	}
	return false;
}

static bool js_number(struct js *j)
{
	const char *s = j->p;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end)
		return false;
	if (*j->p == '0') {
		j->p++;
	} else if (*j->p >= '1' && *j->p <= '9') {
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	} else {
		return false;
	}
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return false;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	return j->p > s;
}

static bool js_container(struct js *j, char open, char close, bool object)
{
	if (++j->depth > 32)
		return false;
	j->p++;
	js_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		j->depth--;
		return true;
	}
	for (;;) {
		js_ws(j);
		if (object) {
			if (!js_string(j))
				return false;
			js_ws(j);
			if (j->p >= j->end || *j->p != ':')
				return false;
			j->p++;
		}
		if (!js_value(j))
			return false;
		js_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			j->depth--;
			return true;
		}
		(void)open;
		return false;
	}
}

static bool js_value(struct js *j)
{
	js_ws(j);
	if (j->p >= j->end)
		return false;
	switch (*j->p) {
	case '{':
		return js_container(j, '{', '}', true);
	case '[':
		return js_container(j, '[', ']', false);
	case '"':
		return js_string(j);
	case 't':
		return js_lit(j, "true");
	case 'f':
		return js_lit(j, "false");
	case 'n':
		return js_lit(j, "null");
	default:
		return js_number(j);
	}
}

bool jsonl_object(const char *line, size_t len)
{
	struct js j;

	j.p = line;
	j.end = line + len;
	j.depth = 0;
	return len > 0 && *line == '{' && js_value(&j) && j.p == j.end;
}
