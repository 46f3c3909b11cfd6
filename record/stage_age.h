/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Whether a sweep may leave a CPU's staged records where they are
 * (record/perfbuf.c, flush_stages): a header of its own so the unit tests
 * can reach the rule without libbpf.
 */
#ifndef SOCKREC_STAGE_AGE_H
#define SOCKREC_STAGE_AGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <linux/types.h>

#include "bpf/stage.h"
#include "format/skr.h"

/*
 * val is one CPU's copy of the staging area (bpf/output.bpf.h's struct
 * stage: the head, then the records back to back), val_size the bytes
 * copied.  True only if the area holds records and every one of them is
 * an event stamped at or after since; false if it is empty, or anything
 * in it is older, or does not read as whole event records (a copy torn by
 * a send during the lookup, a record type we do not know): those are
 * flushed, as every staged record was before.
 */
static inline bool rec_stage_fresh(const uint8_t *val, size_t val_size,
				   uint64_t since)
{
	struct skr_stage_head head;
	struct skr_rec_hdr hdr;
	const uint8_t *rec = val + sizeof(head);
	size_t off = 0;
	uint64_t ts;

	if (val_size < sizeof(head))
		return false;
	memcpy(&head, val, sizeof(head));
	if (head.used == 0 || head.used > SKR_STAGE_BYTES ||
	    head.used > val_size - sizeof(head))
		return false;
	while (off < head.used) {
		if (head.used - off < SKR_EV_TS_OFF + sizeof(ts))
			return false;
		memcpy(&hdr, rec + off, sizeof(hdr));
		if (!skr_rec_is_event(hdr.type) ||
		    hdr.len < SKR_EV_TS_OFF + sizeof(ts) ||
		    hdr.len > head.used - off)
			return false;
		memcpy(&ts, rec + off + SKR_EV_TS_OFF, sizeof(ts));
		if (ts < since)
			return false;
		off += hdr.len;
	}
	return true;
}

#endif /* SOCKREC_STAGE_AGE_H */
