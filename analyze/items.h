/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The events a socket keeps for --timeline, and what it lets go.
 *
 * A socket keeps its first SA_SOCK_HEAD_ITEMS events and a ring of its
 * latest ones, SA_SOCK_MAX_ITEMS in all, so that its end (a listener's
 * LISTEN -> CLOSE after a million accepts) is always shown.  What falls
 * out of the ring is counted by kind in runs; the socket's own state
 * transitions among it are kept aside, up to SA_GAP_STATES, each one
 * ending a run.  sockets_items.c keeps them; items_text.c says them.
 */
#ifndef SA_ITEMS_H
#define SA_ITEMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/analysis.h"
#include "analyze/sockets.h"
#include "format/skr.h"

#define SA_SOCK_HEAD_ITEMS	(SA_SOCK_MAX_ITEMS / 2)
#define SA_GAP_STATES		8

/*
 * What an item is, and which of its fields hold what (u.n.v[], u.n.w[],
 * evstate); the words each one is said in are items_text.c's.
 */
enum sa_item_kind {
	SA_IK_STATE,		/* a transition: oldstate, newstate, u.comm */
	SA_IK_SNAP_LISTEN,	/* snapshot of a listener: w0 queue, w1 limit, w2 uid */
	SA_IK_SNAP,		/* snapshot: evstate, w2 uid */
	SA_IK_LISTEN,		/* w0 fd, w1 backlog, w2 limit (int32 in w0, w1) */
	SA_IK_LISTEN_FAIL,	/* w0 fd, w1 backlog, w2 return value */
	SA_IK_ACCEPTED,		/* child: v0 listener id */
	SA_IK_ACCEPTED_WAIT,	/* child: v0 listener id, v1 ns in the queue */
	SA_IK_ACCEPT,		/* listener: v0 child id, w0 queue, w1 limit */
	SA_IK_ACCEPT_UNTRACKED,	/* listener: w0 queue, w1 limit */
	SA_IK_ACCEPT_FAIL,	/* listener: w0 queue, w1 limit, w2 return */
	SA_IK_RESET_IN,		/* evstate */
	SA_IK_RESET_OUT,	/* evstate, w0 reason (SKR_REASON_NONE) */
	SA_IK_ERROR,		/* evstate, w0 errno (int32) */
	SA_IK_SYNACK,		/* u.peer */
	SA_IK_RETRANS,		/* evstate, w0 total */
	SA_IK_DESTROY,		/* the counters sa_life_counters() chose:
				   v0 acked, v1 received, w0 segs out, w1 in,
				   w2 retransmitted, w3 srtt us */
	SA_IK_DESTROY_RESET,	/* none: zeroed by the kernel at DESTROY, and
				   no COUNTERS recorded at CLOSE */
	SA_IK_DROP,		/* w0 reason, w1 enum skr_benign_kind */
	SA_IK_COUNT
};

/*
 * One transition or other event kept for --timeline: the event's own
 * numbers, turned into words or JSON only when a view writes it.
 */
struct sa_item {
	uint64_t ts_ns;
	union {
		char comm[SKR_COMM_LEN + 1];	/* STATE: task, sanitized */
		struct {
			uint64_t v[2];		/* ids, byte counts, a wait */
			uint32_t w[4];		/* fds, queues, codes, counters */
		} n;
		struct {
			uint8_t addr[16];	/* SYN-ACK retransmit: the peer */
			uint32_t count;
			uint16_t port;
			uint8_t family;
		} peer;
	} u;
	uint32_t tgid;
	uint16_t type;			/* record type: STATE or another event */
	uint16_t input;
	uint8_t oldstate, newstate, ctx;
	uint8_t kind;			/* enum sa_item_kind */
	uint8_t evstate;		/* the state the event names */
};

/* The kinds a run of events let go is counted by: one JSON key each. */
enum sa_gap_kind {
	SA_GK_STATE,
	SA_GK_SNAPSHOT,
	SA_GK_LISTEN,
	SA_GK_ACCEPT,
	SA_GK_RESET,
	SA_GK_ERROR,
	SA_GK_RETRANSMIT,
	SA_GK_DESTROY,
	SA_GK_DROP,
	SA_GK_OTHER,
	SA_GK_COUNT
};

/* Consecutive events not kept, between two kept ones. */
struct sa_gap_run {
	uint64_t n;
	uint64_t first_ts, last_ts;	/* event clock */
	uint16_t first_input, last_input;
	uint32_t by_kind[SA_GK_COUNT];
};

/*
 * Made when a socket's array is full: the ring is items[HEAD, MAX), its
 * oldest at ring_pos.  mid[k] (a transition let go) follows run[k].
 */
struct sa_gap {
	size_t ring_pos;
	size_t nmid;
	struct sa_item mid[SA_GAP_STATES];
	struct sa_gap_run run[SA_GAP_STATES + 1];
};

/* Item slots a gap is counted as, against SA_ITEMS_MAX_HELD. */
#define SA_GAP_SLOTS \
	((sizeof(struct sa_gap) + sizeof(struct sa_item) - 1) / \
	 sizeof(struct sa_item))

/*
 * What a listener's accepts add up to, for --timeline's summary of them:
 * a busy listener's accepts are more than its list of events can show.
 */
struct sa_accepts {
	uint64_t n;			/* accepted a connection */
	uint64_t failed;		/* returned an error */
	uint64_t first_ts, last_ts;	/* event clock, of those accepted */
	uint64_t sec, sec_n, peak_sec_n;	/* accepts per second of the clock */
	uint64_t qsum;			/* queue lengths at each accept, summed */
	uint32_t qmax, limit;		/* longest queue seen, and its limit */
	uint32_t drops_first, drops_last;	/* the listener's sk_drops */
};

/* Item slots a listener's accept summary is counted as. */
#define SA_ACCEPTS_SLOTS \
	((sizeof(struct sa_accepts) + sizeof(struct sa_item) - 1) / \
	 sizeof(struct sa_item))

/*
 * Count an accept on listener l (accepted: it returned a connection) in
 * its summary, made on first use and counted against the items' bound;
 * only when items are kept.  -ENOMEM.
 */
int sa_sockets_accept(struct sa_sockets *t, struct sa_sock *l,
		      const struct skr_ev_accept *ev, bool accepted);

/* The next piece of a socket's timeline, in time order. */
struct sa_items_pos {
	unsigned phase;
	size_t i, k;
};

/*
 * Start at the beginning of s's kept events.  Then each sa_items_next()
 * sets either *it (an event) or *run (events not kept there) and returns
 * true, or returns false after the last.
 */
void sa_items_begin(struct sa_items_pos *p);
bool sa_items_next(const struct sa_sock *s, struct sa_items_pos *p,
		   const struct sa_item **it, const struct sa_gap_run **run);

/* Name of a gap kind: its JSON key and its word in text. */
const char *sa_gap_kind_name(enum sa_gap_kind k);
/* The gap kind an event of record type type is counted as. */
enum sa_gap_kind sa_gap_kind_of(uint16_t type);

/*
 * What a non-state event says, in words ("reset sent in SYN_RECV: ...").
 * Always returns buf, truncated to size.
 */
#define SA_DETAIL_MAX	256
const char *sa_item_detail(const struct sa_analysis *a,
			   const struct sa_item *it, char *buf, size_t size);

#endif /* SA_ITEMS_H */
