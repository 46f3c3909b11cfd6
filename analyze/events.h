/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * events.c: kernel events other than state changes, onto the socket table.
 */
#ifndef SA_EVENTS_H
#define SA_EVENTS_H

#include <stdint.h>

#include "analyze/analysis.h"
#include "analyze/sockets.h"
#include "format/skr.h"

/* One non-state event record onto the socket table. */
int sa_events_apply(struct sa_analysis *a, const struct sa_evctx *ec,
		    const struct skr_record *rec, uint64_t ts);

#endif /* SA_EVENTS_H */
