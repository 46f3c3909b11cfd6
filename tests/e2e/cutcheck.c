// SPDX-License-Identifier: BSD-2-Clause
/*
 * cutcheck: run the cut checks of tests/unit/cutcheck.h on a trace file
 * (tests/e2e/t_cut.sh, on a trace the recorder just wrote).
 *
 * usage: cutcheck FILE STEP [--aligned]
 * Prints one line of counts; exits 0 when every cut passes, 1 otherwise
 * (with the first failure on stderr), 2 on misuse.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cutcheck.h"

#define FILE_MAX	(64u << 20)

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (*len == cap) {
			uint8_t *p;

			cap = cap ? 2 * cap : 65536;
			if (cap > FILE_MAX || !(p = realloc(buf, cap))) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = p;
		}
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
		if (n == 0)
			break;
	}
	if (buf && ferror(f)) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	struct cut_opts o = { .analyze = true };
	struct cut_report rep;
	char why[512], *end;
	unsigned long step;
	uint8_t *buf;
	size_t len;
	int rc;

	if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "--aligned"))) {
		fprintf(stderr, "usage: cutcheck FILE STEP [--aligned]\n");
		return 2;
	}
	errno = 0;
	step = strtoul(argv[2], &end, 10);
	if (errno || *end || step == 0 || step > 1000000) {
		fprintf(stderr, "cutcheck: bad STEP %s\n", argv[2]);
		return 2;
	}
	o.step = step;
	o.blocks_aligned = argc == 4;
	buf = slurp(argv[1], &len);
	if (!buf) {
		fprintf(stderr, "cutcheck: reading %s failed\n", argv[1]);
		return 1;
	}
	rc = cut_check(buf, len, &o, &rep, why, sizeof(why));
	free(buf);
	printf("bytes=%zu cuts=%zu frames=%zu blocks=%zu header_frame_end=%zu "
	       "records=%" PRIu64 " events=%" PRIu64 " max_block_records=%"
	       PRIu64 " partial_cuts=%" PRIu64 " host=%s\n", len, rep.cuts,
	       rep.frames, rep.blocks, rep.first_frame_end, rep.records,
	       rep.events, rep.max_block_records, rep.partial_cuts, rep.host);
	if (rc) {
		fprintf(stderr, "cutcheck: %s\n", why);
		return 1;
	}
	return 0;
}
