/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Cut a trace at every byte offset (or every step-th) and check what libskr
 * and sockana make of each prefix (issue 14): the records read are a prefix
 * of the whole file's (same bytes, same order, nothing invented), their
 * number never falls as the cut moves on, every record of the blocks that
 * ended before the cut is kept (a cut loses at most the block it falls in),
 * a cut after the first frame names the host and says "truncated", and a
 * cut before it fails with one message that says "truncated".  Used by
 * tests/unit/test_cut.c on the samples and on synthetic traces, and by
 * tests/e2e/cutcheck on a trace the recorder just wrote.
 */
#ifndef CUTCHECK_H
#define CUTCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cut_opts {
	size_t step;		/* 1: every offset */
	/*
	 * Written by the block-aware writer: every block ends at a record
	 * boundary and the file header is a block of its own.
	 */
	bool blocks_aligned;
	bool analyze;		/* also run sockana --info on each cut */
};

struct cut_report {
	size_t cuts;
	size_t frames, blocks;
	size_t first_frame_end;	/* offset where the header frame ends */
	uint64_t records, events;	/* of the whole file */
	uint64_t max_block_records;	/* most records one block holds */
	uint64_t partial_cuts;	/* cuts that kept records of an unfinished frame */
	char host[64];
};

/*
 * Returns 0 when every cut passes, -1 with why set to the first failure
 * (offset and what was wrong).
 */
int cut_check(const uint8_t *buf, size_t len, const struct cut_opts *o,
	      struct cut_report *rep, char *why, size_t whysize);

#endif
