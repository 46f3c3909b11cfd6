/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What several inputs are to each other (analyze/inputs.c): which host
 * each comes from, decided from every input's header before any event is
 * dispatched, with a label that tells apart hosts of the same name
 * (redacted traces all say "redacted"); and which file segments were
 * already read from another input (the same capture given twice), whose
 * events are then counted once.
 */
#ifndef SA_INPUTS_H
#define SA_INPUTS_H

#include <stdbool.h>
#include <stdint.h>

#include "format/skr.h"

struct sa_analysis;
struct sa_inputs;

/* Segments remembered for the duplicate check; past it none is checked. */
#define SA_INPUTS_SEGMENTS_MAX	65536u

/* Per-input state for a->nin inputs: 0 or -ENOMEM. */
int sa_inputs_new(struct sa_analysis *a);
void sa_inputs_free(struct sa_inputs *x);
/*
 * Decide every input's host (a->in[i].host, a->nhosts) and the hosts'
 * labels.  Called once every input has read its header (its first event
 * or its end), before the first event is dispatched, so that every row
 * of every report names hosts the same way.  Inputs of one boot of one
 * machine (same boot id and host name) share a host; without a boot id
 * nothing proves two inputs came from the same boot.  0 or -ENOMEM.
 */
int sa_inputs_hosts(struct sa_analysis *a);
/*
 * Label of host h: its host name, "(unnamed host)" when none was
 * recorded, with "#k" appended when several hosts have that name.
 */
const char *sa_inputs_host_label(const struct sa_analysis *a, uint32_t h);
/*
 * A FILE_HEADER of input idx was passed on: the records that follow, up to
 * its next FILE_HEADER, belong to that segment.  The first input to reach a
 * segment (capture id, file index, creation time) owns it; another input
 * holding the same segment skips its events.  0 or -ENOMEM.
 */
int sa_inputs_segment(struct sa_analysis *a, size_t idx,
		      const struct skr_file_header *fh);
/*
 * True when input idx's current segment is owned by another input: its
 * events, losses and stats are not counted again.  count: one event
 * skipped (for the warning).
 */
bool sa_inputs_skip(struct sa_analysis *a, size_t idx, bool count);
/*
 * For the warnings: segments of input idx that another input also holds,
 * the events skipped, the first such segment's file index and capture id
 * (hex, first 8 bytes) and the name of the input that owns it; false when
 * none.
 */
struct sa_inputs_dup {
	uint64_t segments, events;
	uint32_t file_index;
	char capture[17];
	const char *owner;
};
bool sa_inputs_duplicate(const struct sa_analysis *a, size_t idx,
			 struct sa_inputs_dup *d);
/* Every segment of input idx was read from another input: it adds nothing. */
bool sa_inputs_all_duplicate(const struct sa_analysis *a, size_t idx);
/* Segments not checked because SA_INPUTS_SEGMENTS_MAX were remembered. */
uint64_t sa_inputs_unchecked(const struct sa_analysis *a);

#endif /* SA_INPUTS_H */
