// SPDX-License-Identifier: BSD-2-Clause
/*
 * tevcheck FILE: exit 0 if FILE is a Trace Event Format file as sockana
 * --trace-event writes it (tests/unit/tevchk.h says what is checked),
 * printing what it holds; 1 naming the first fault otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tevchk.h"

#define FILE_MAX	(512u << 20)

int main(int argc, char **argv)
{
	struct tevchk r;
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0, n;
	FILE *f;
	int rc = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: tevcheck FILE\n");
		return 2;
	}
	f = strcmp(argv[1], "-") == 0 ? stdin : fopen(argv[1], "rb");
	if (!f) {
		fprintf(stderr, "tevcheck: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (;;) {
		if (cap - len < (1u << 20)) {
			if (cap >= FILE_MAX) {
				fprintf(stderr, "tevcheck: %s: larger than %u "
					"bytes\n", argv[1], FILE_MAX);
				goto out;
			}
			nb = realloc(buf, cap + (1u << 20) + 1);
			if (!nb) {
				fprintf(stderr, "tevcheck: out of memory\n");
				goto out;
			}
			buf = nb;
			cap += 1u << 20;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "tevcheck: %s: read error\n", argv[1]);
		goto out;
	}
	if (tevchk_check(buf, len, &r) != 0) {
		fprintf(stderr, "tevcheck: %s: %s\n", argv[1], r.msg);
		goto out;
	}
	printf("events %zu slices %zu instants %zu counters %zu metadata %zu "
	       "tracks %zu processes %zu depth %zu\n", r.events, r.slices,
	       r.instants, r.counters, r.metadata, r.tracks, r.processes,
	       r.max_depth);
	rc = 0;
out:
	free(buf);
	if (f != stdin)
		fclose(f);
	return rc;
}
