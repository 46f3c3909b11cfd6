/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Benign packet frees (analyze/benign.c): kfree_skb reports them although
 * TCP did its job (docs/EVENTS.md, "Benign frees").  sockrec counts them
 * instead of recording them (BENIGN records) unless --keep-benign-drops;
 * those kept, and those of traces older than 1.3, are named for what they
 * are and never counted as drops.
 */
#ifndef SA_BENIGN_H
#define SA_BENIGN_H

#include <stdint.h>
#include <stdio.h>

#include "analyze/sockana.h"
#include "format/skr.h"

struct sa_meta;

/*
 * The enum skr_benign_kind of a recorded drop, counted in
 * m->benign_recorded: the recorder's mark (on a socket or not: the classic
 * tier may not know the cookie of a closing socket), or, for a trace
 * without marks, what its fields allow: NOT_SPECIFIED on a TIME_WAIT
 * socket, or with no socket to a 4-tuple sa_benign_state() saw go into
 * TIME_WAIT.  SKR_BENIGN_NONE for a real drop.
 */
uint8_t sa_benign_drop(struct sa_meta *m, const struct skr_ev_skb_drop *ev);
/* What a kind of benign free is, in words ("" for none or unknown). */
const char *sa_benign_text(uint8_t kind);
/* Frees of the trace: not recorded (BENIGN records) and recorded, by kind. */
uint64_t sa_benign_not_recorded(const struct sa_meta *m, uint8_t kind);
uint64_t sa_benign_recorded(const struct sa_meta *m, uint8_t kind);
/*
 * One line on what the trace says of benign frees, for --info and the
 * diagnosis ("" when it says nothing: no BENIGN record, none kept).
 */
const char *sa_benign_summary(const struct sa_meta *m, char *buf,
			      size_t size);

/*
 * Kernels before 6.11 free a segment their TIME_WAIT socket handled with no
 * socket named (docs/EVENTS.md).  What the trace does show is the socket's
 * way toward TIME_WAIT (into FIN_WAIT1, FIN_WAIT2 or CLOSING): each such
 * transition is remembered (SA_BENIGN_TW_SLOTS, 4 per bucket: a later one
 * may take the oldest one's place) for FIN_WAIT2's and TIME_WAIT's 60 s each, and a
 * NOT_SPECIFIED drop with no socket sent to one of them is taken for kind
 * 1.  sa_benign_state() for every state change, in time order; -ENOMEM or 0.
 * Nothing is remembered for a trace that says it cannot hold such a drop
 * (kernel 6.11 or later, or kfree_skb not attached: benign.c, tw_needed()).
 */
#define SA_BENIGN_TW_SLOTS	4096
int sa_benign_tw_state(struct sa_meta *m, const struct skr_ev_state *ev);

/*
 * Only the states before TIME_WAIT matter (benign.c says why): the test
 * inline, as most state changes go nowhere near them.
 */
static inline int sa_benign_state(struct sa_meta *m,
				  const struct skr_ev_state *ev)
{
	if (ev->newstate != SKR_TCP_FIN_WAIT1 &&
	    ev->newstate != SKR_TCP_FIN_WAIT2 &&
	    ev->newstate != SKR_TCP_CLOSING)
		return 0;
	return sa_benign_tw_state(m, ev);
}

struct sa_analysis;
/*
 * The diagnosis's word on them, under "Trace health" (text) or as one
 * "benign_frees" row per input that says anything (JSON, CSV).
 */
void sa_benign_health(struct sa_analysis *a);

#endif /* SA_BENIGN_H */
