/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * events.c: kernel events other than state changes, onto the socket table.
 */
#ifndef SA_EVENTS_H
#define SA_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/analysis.h"
#include "analyze/sockets.h"
#include "format/skr.h"

/*
 * What an event says beyond the socket table, for the views: a listener's
 * accept queue and drops (LISTEN, ACCEPT, SYN-ACK retransmit, LISTENER
 * sample) or a namespace's (NETNS_STATS, SAMPLING).
 */
struct sa_applied {
	union skr_rec_any rec;		/* the record, decoded */
	bool listener_event;
	struct sa_sock *listener;	/* its life; NULL for a namespace's */
};

/*
 * One non-state event record onto the socket table, decoded once by the
 * format's catalogue into ap->rec; *ap says the rest.
 */
int sa_events_apply(struct sa_analysis *a, const struct sa_evctx *ec,
		    const struct skr_record *rec, uint64_t ts,
		    struct sa_applied *ap);

#endif /* SA_EVENTS_H */
