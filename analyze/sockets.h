/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The socket table (sockets.c, sockets_listen.c, sockets_owner.c,
 * sockets_state.c): one life per (host, netns, cookie), built from the
 * events in time order and handed on when it is over.  What the table
 * keeps for itself is in sockets_priv.h.
 */
#ifndef SA_SOCKETS_H
#define SA_SOCKETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format/skr.h"

/* Events kept per socket for --timeline: its first and latest (items.h). */
#define SA_SOCK_MAX_ITEMS	1024
/*
 * Bounds a hostile file cannot push past (docs/FORMAT.md §11): item slots
 * allocated over all live sockets (capacity, not items in use, since
 * capacity is what takes memory), and live sockets.  Past the second, the
 * socket seen first is handed on early, as if the trace ended for it.
 */
#define SA_ITEMS_MAX_HELD	(1u << 20)
#define SA_SOCKETS_MAX_LIVE	(1u << 20)
/*
 * A socket that reached CLOSE stays in the table this long (event time)
 * before its life is handed on, because the kernel reports some of its
 * events after the CLOSE transition: the error report of a refused
 * connect, the destroy counters, and, after the destroy, what its
 * TIME_WAIT remnant does under the same cookie (a reset it sends, a
 * segment it frees), which would otherwise start a bogus life of its own.
 */
#define SA_CLOSE_GRACE_NS	1000000000ull
/*
 * Closed sockets held in their grace at once.  Past it the one that
 * closed first is handed on early, so memory follows the open sockets
 * rather than the closing rate times the grace (a storm closes 100,000
 * sockets a second: 40 MiB of lives held for a second).  What the grace
 * waits for comes soon after the CLOSE (a refused connect's error within
 * microseconds; the DESTROY when the process closes the socket; a
 * TIME_WAIT remnant's reset or freed segment while the peer still sends),
 * so a report arriving after 4096 later closes is rare; it then counts as
 * an orphan or starts a life of its own.
 */
#define SA_CLOSING_MAX		4096u

/* What --timeline keeps of a socket, as numbers: analyze/items.h. */
struct sa_item;
struct sa_gap;
struct sa_accepts;

enum sa_role {
	SA_ROLE_UNKNOWN,
	SA_ROLE_ACTIVE,			/* connect() */
	SA_ROLE_PASSIVE,		/* a listener's child */
	SA_ROLE_LISTENER,
};

/* When a socket first did something; times on the event clock. */
enum sa_mark {
	SA_AT_SYN_SENT,
	SA_AT_SYN_RECV,
	SA_AT_ESTABLISHED,
	SA_AT_FIN_WAIT1,
	SA_AT_CLOSE_WAIT,
	SA_AT_LAST_ACK,
	SA_AT_TIME_WAIT,
	SA_AT_TIME_WAIT_END,
	SA_AT_CLOSE,
	SA_AT_LISTEN,
	SA_AT_ACCEPT,
	SA_AT_COUNT
};

/* Where an event came from and when, on the merged time line. */
struct sa_evctx {
	uint32_t host;
	uint16_t input;
	uint64_t mt;			/* merge time: wall ns, or the event clock */
};

/*
 * One life.  The table allocates it (with its private links beside it,
 * sockets_priv.h); the rest of sockana reads it, and events.c fills in
 * what the other kernel events say.  A copy is a summary without links.
 */
struct sa_sock {
	uint64_t id;			/* 1, 2, ... in order of first appearance */
	uint64_t cookie;
	uint32_t netns;
	uint32_t host;			/* index of the host it came from */
	uint16_t input;			/* input of its first event */
	uint8_t family;
	uint8_t saddr[16], daddr[16];	/* last seen 4-tuple */
	uint16_t sport, dport;
	uint64_t first_ts, last_ts;	/* event clock */
	uint64_t first_mt, last_mt;	/* merge time */

	uint8_t state;			/* current TCP state, 0 unknown */
	uint8_t role;			/* enum sa_role */
	uint8_t pairing;		/* enum sa_pairing (pairs.h) */
	uint32_t states_seen;		/* bit (1 << state) for each state */
	bool older;			/* existed before its first event here */
	bool from_snapshot;
	bool closed;			/* reached CLOSE */
	uint8_t close_ctx;		/* context of the transition to CLOSE */
	uint32_t have_at;		/* bit (1 << mark) */
	uint64_t at[SA_AT_COUNT];

	bool have_owner;
	uint8_t owner_ctx;		/* SKR_CTX_PROCESS or SKR_CTX_UNKNOWN */
	bool owner_by_call;		/* seen in connect/listen/accept */
	uint32_t owner_pid;
	char owner_comm[SKR_COMM_LEN + 1];

	/* From the other kernel events (events.c). */
	int32_t error;			/* last socket error, positive errno */
	uint8_t error_state;		/* state when it was reported */
	uint32_t resets_in, resets_out;
	uint8_t reset_in_state;		/* state when the last reset came in */
	bool peer_reset_in;		/* a reset it received, its peer sent */
	bool peer_reset_out;		/* a reset it sent, its peer received */
	uint32_t reset_reason;		/* of the last one sent, SKR_REASON_NONE */
	uint32_t retrans, synack_retrans, syn_retrans;	/* syn_: in SYN_SENT */
	uint64_t parent;		/* id of the listener it came from, 0 */
	uint64_t peer;			/* id of its connection's other end, 0 */
	bool have_listen;
	bool listener_closed;		/* reset as its listener closed */
	int32_t backlog_asked;
	uint32_t backlog_limit;
	bool have_destroy;
	bool counters_at_close;		/* the counters below are COUNTERS' (1.2) */
	uint64_t bytes_acked, bytes_received;
	uint32_t segs_in, segs_out, total_retrans, srtt_us;
	uint32_t snap_rqueue, snap_wqueue;	/* snapshot queues */

	struct sa_item *items;
	size_t nitems, cap;
	struct sa_gap *gap;		/* what a full array let go (items.h) */
	struct sa_accepts *acc;		/* a listener's accepts (items.h) */
	uint64_t items_dropped;
	uint64_t items_dropped_held;	/* of those, for SA_ITEMS_MAX_HELD */
	uint64_t transitions;
};

/*
 * Called with a socket whose life is over (it reached CLOSE, plus the
 * grace period) or, from sa_sockets_finish(), still open at the end of
 * the trace.  The socket is freed when the callback returns; a non-zero
 * return stops processing and is passed back.
 */
typedef int (*sa_sock_fn)(void *ctx, const struct sa_sock *s);

struct sa_sockets;

int sa_sockets_new(struct sa_sockets **tp, sa_sock_fn done, void *ctx);
/* Keep each socket's items for --timeline (off: only the summary). */
void sa_sockets_keep_items(struct sa_sockets *t, bool keep);
/*
 * Apply one state change, in time order.  A socket is (host, netns,
 * cookie); after it reaches CLOSE it is kept for SA_CLOSE_GRACE_NS (or
 * until SA_CLOSING_MAX others closed after it), then handed to the
 * callback and forgotten, so a later event for the same key starts a new
 * life with a new id.
 */
int sa_sockets_state(struct sa_sockets *t, const struct sa_evctx *ec,
		     const struct skr_ev_state *ev);
/*
 * The life of (host, netns, cookie): live or within its grace after
 * CLOSE.  With create, an unknown key starts a life that existed before
 * (older); NULL then means ENOMEM, or that the table is full
 * (sa_sockets_full()).
 */
struct sa_sock *sa_sockets_get(struct sa_sockets *t,
			       const struct sa_evctx *ec, uint32_t netns,
			       uint64_t cookie, uint64_t ts, bool create);
/* Cookies with this bit are sockrec's own ids (classic tier), never the kernel's. */
#define SA_OWN_ID_BIT	(1ull << 63)
/* A live listener of (host, netns) bound to the local address and port. */
struct sa_sock *sa_sockets_listener(struct sa_sockets *t, uint32_t host,
				    uint32_t netns, unsigned family,
				    const uint8_t addr[16], uint16_t port);
/*
 * Record a non-state event on s's line of life (kept only for --timeline):
 * ev's type, kind, evstate and numbers; time, task and context from c.
 */
int sa_sockets_note(struct sa_sockets *t, struct sa_sock *s,
		    const struct sa_evctx *ec, const struct skr_ev_common *c,
		    const struct sa_item *ev);
/*
 * Owner from its owning syscall (connect, listen, accept), which wins over
 * guesses from transitions.  comm may be NULL (the record has none): the
 * name is then the latest one the pid showed in process context (a bounded
 * pid -> name map), else "?" until the socket's life is handed on.
 */
void sa_sockets_owner(struct sa_sockets *t, struct sa_sock *s,
		      const struct skr_ev_common *c, const char *comm);
/*
 * Endpoints from another event of the socket: the latest non-zero value of
 * each field, as for transitions (a refused connect's local port is only
 * in its RESET).  Ignored for a listener already known, and for a family
 * other than the socket's.
 */
void sa_sockets_endpoints(struct sa_sock *s, unsigned family,
			  const uint8_t saddr[16], const uint8_t daddr[16],
			  uint16_t sport, uint16_t dport);
/* The socket's life is over now (DESTROY); it is handed on in order. */
void sa_sockets_destroyed(struct sa_sockets *t, struct sa_sock *s);
/* Hand on the lives whose grace ended before merge time now. */
int sa_sockets_tick(struct sa_sockets *t, uint64_t now);
/*
 * A hint: an event of (host, netns, cookie) comes soon.  Asks the cache
 * for that life, if any, so that it is there when the event is applied.
 * Changes nothing.
 */
void sa_sockets_prefetch(const struct sa_sockets *t, uint32_t host,
			 uint32_t netns, uint64_t cookie);
/* The same a step earlier: asks only for the table's entry of the key. */
void sa_sockets_prefetch_slot(const struct sa_sockets *t, uint32_t host,
			      uint32_t netns, uint64_t cookie);
/* Hand every remaining socket to the callback: closed ones first, in order
 * of closing, then open ones in order of first appearance. */
int sa_sockets_finish(struct sa_sockets *t);
uint64_t sa_sockets_seen(const struct sa_sockets *t);
uint64_t sa_sockets_transitions(const struct sa_sockets *t);
/* Most sockets open at once (not counting closed ones in their grace). */
uint64_t sa_sockets_peak_live(const struct sa_sockets *t);
/* Sockets handed on early because SA_SOCKETS_MAX_LIVE were live. */
uint64_t sa_sockets_evicted(const struct sa_sockets *t);
/*
 * True when the table holds as many live sockets as it may: then
 * sa_sockets_get() starts no life, and only a state change makes room.
 */
bool sa_sockets_full(const struct sa_sockets *t);
/* Its bound of live sockets: SA_SOCKETS_MAX_LIVE but in tests. */
size_t sa_sockets_max_live(const struct sa_sockets *t);
/* Tests only: the bound of tables made from now on (0: the default). */
void sa_sockets_test_max_live(size_t n);
/* Tests: the most lives in one chain of the hash table. */
size_t sa_sockets_test_longest_chain(const struct sa_sockets *t);
void sa_sockets_free(struct sa_sockets *t);
/* The pairs of its lives' ends (pairs.h), and whether to pair them at all. */
struct sa_pairs *sa_sockets_pairs(struct sa_sockets *t);
void sa_sockets_keep_pairs(struct sa_sockets *t, bool on);

#endif /* SA_SOCKETS_H */
