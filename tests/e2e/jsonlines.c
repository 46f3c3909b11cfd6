// SPDX-License-Identifier: BSD-2-Clause
/*
 * jsonlines FILE: exit 0 if FILE is JSON Lines as sockana --json writes it
 * (at least one line; every line, newline-terminated, one JSON object), 1
 * otherwise, naming the first bad line.  The end-to-end tests' stand-in for
 * a JSON library.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"

#define FILE_MAX	(64u << 20)	/* reports in the tests are far smaller */

int main(int argc, char **argv)
{
	char *buf = NULL, *line, *nl;
	size_t len = 0, cap = 0, n;
	unsigned long lines = 0;
	FILE *f;
	int rc = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: jsonlines FILE\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		fprintf(stderr, "jsonlines: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (;;) {
		if (cap - len < 65536) {
			char *nb;

			if (cap >= FILE_MAX) {
				fprintf(stderr, "jsonlines: %s: larger than %u bytes\n",
					argv[1], FILE_MAX);
				goto out;
			}
			nb = realloc(buf, cap + 65536 + 1);
			if (!nb) {
				fprintf(stderr, "jsonlines: out of memory\n");
				goto out;
			}
			buf = nb;
			cap += 65536;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "jsonlines: %s: read error\n", argv[1]);
		goto out;
	}
	buf[len] = '\0';
	for (line = buf; line < buf + len; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(buf + len - line));
		if (!nl) {
			fprintf(stderr, "jsonlines: %s: last line has no newline\n",
				argv[1]);
			goto out;
		}
		lines++;
		if (!jsonl_object(line, (size_t)(nl - line))) {
			fprintf(stderr, "jsonlines: %s:%lu: not a JSON object: %.*s\n",
				argv[1], lines, (int)(nl - line > 200 ? 200 : nl - line),
				line);
			goto out;
		}
	}
	if (lines == 0) {
		fprintf(stderr, "jsonlines: %s: empty\n", argv[1]);
		goto out;
	}
	printf("%lu lines\n", lines);
	rc = 0;
out:
	free(buf);
	fclose(f);
	return rc;
}
