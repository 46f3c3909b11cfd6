/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The socket table's insides, shared by the files that keep it:
 *
 *   sockets.c          storage by key and the end of each life (the grace
 *                      after CLOSE, eviction, handing lives on)
 *   sockets_listen.c   the index of open listeners a child is matched to
 *   sockets_owner.c    which task owns a socket, task names by pid
 *   sockets_state.c    what transitions and other events say about a socket
 *   sockets_items.c    the events each socket keeps for --timeline
 *
 * Kept apart from sockets.h: the rest of sockana sees the table only
 * through the sa_sockets_*() functions declared there.
 */
#ifndef SA_SOCKETS_PRIV_H
#define SA_SOCKETS_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/sockets.h"
#include "format/skr.h"

struct sa_lgroup;
struct sa_spare_items;
struct sa_pair_entry;

/*
 * A life as the table allocates it: the public part and the links only
 * the table follows.  The hash chain comes last, next to the key at the
 * start of the public part, so that a lookup reads one cache line per
 * socket it passes.
 */
struct sa_sock_node {
	bool destroyed;
	bool ending;			/* on the closing list */
	bool listed;			/* on the open-listener index */
	uint64_t close_mt;
	struct sa_sock *lprev, *lnext;
	struct sa_lgroup *xgroup[2];	/* open-listener index: its groups */
	uint32_t xpos[2];		/* and places in their heaps */
	/*
	 * What pairs.c keeps of it, or NULL: found without a search.  The
	 * node stays at 472 bytes (a 480-byte malloc chunk): xpos is 32-bit
	 * to make room, as a heap holds at most SA_SOCKETS_MAX_LIVE.
	 */
	struct sa_pair_entry *pentry;
	struct sa_sock *hnext;		/* hash chain, beside the key */
	struct sa_sock s;
};

_Static_assert(SA_SOCKETS_MAX_LIVE <= UINT32_MAX, "xpos is 32-bit");

/* The node of a life the table handed out. */
static inline struct sa_sock_node *sa_node(const struct sa_sock *s)
{
	uintptr_t p = (uintptr_t)s - offsetof(struct sa_sock_node, s);

	return (struct sa_sock_node *)p;
}

struct sa_list {
	struct sa_sock *head, *tail;
};

#define SA_DIRTY_MAX	8	/* sockets handed out between two ticks */

/*
 * Task names by pid.  Syscall records (listen, accept) carry a pid but no
 * name; any event in process context names its task, so the latest name
 * seen for a pid names owners that came from a syscall.  Bounded: past
 * SA_COMM_MAX pids the name learnt first is replaced.
 */
#define SA_COMM_MAX	4096
#define SA_COMM_BUCKETS	8192	/* power of two */
#define SA_COMM_NONE	UINT32_MAX

struct sa_comm_ent {
	uint32_t pid;
	uint32_t next;			/* hash chain, SA_COMM_NONE ends it */
	char comm[SKR_COMM_LEN + 1];	/* sanitized */
};

struct sa_comm_map {
	struct sa_comm_ent e[SA_COMM_MAX];
	uint32_t bucket[SA_COMM_BUCKETS];
	uint32_t n;			/* entries in use */
	uint32_t oldest;		/* next to replace once full */
};

/*
 * Births of children announced under their listener's cookie, waiting for
 * the child's first event of its own (sockets_state.c: hold_birth).  A
 * child's next transition follows its birth within microseconds; one not
 * claimed within SA_BIRTH_WINDOW_NS was lost and is forgotten.
 */
#define SA_BIRTHS_MAX		256
#define SA_BIRTH_WINDOW_NS	1000000000ull

struct sa_birth {
	uint64_t ts_ns;
	uint32_t host;
	uint32_t netns;
	uint32_t tgid;
	uint16_t sport;			/* the listener's port: the child's local one */
	uint8_t ctx;
	bool used;
};

/*
 * Listeners that reached CLOSE last, by id.  Closing a listener resets
 * the children still in its accept queue right after its own LISTEN ->
 * CLOSE, in the same call, so such a child's CLOSE finds its listener
 * here; a ring, not a field of every socket, keeps the table's memory.
 */
#define SA_LCLOSED_MAX		16

struct sa_sockets {
	struct sa_birth births[SA_BIRTHS_MAX];	/* ring, oldest at births_head */
	size_t births_head, nbirths;
	uint64_t lclosed[SA_LCLOSED_MAX];	/* ring of listener ids, 0 unused */
	size_t lclosed_next;
	struct sa_sock **buckets;
	size_t nbuckets;		/* power of two */
	uint64_t seed;			/* of their hash: sockets.c */
	size_t live;			/* in the table: open and closing */
	size_t max_live;		/* SA_SOCKETS_MAX_LIVE but in tests */
	struct sa_list open, closing;
	sa_sock_fn done;
	void *ctx;
	bool keep_items;
	bool keep_owners;
	bool keep_pairs;		/* sa_sockets_keep_pairs() */
	uint64_t next_id;
	uint64_t seen;
	uint64_t transitions;
	uint64_t peak_live;		/* open sockets, not those in their grace */
	size_t nopen;
	size_t items_held;		/* slots allocated, over all live sockets */
	uint64_t evicted;
	size_t nclosing;
	/* Open listeners by key (sockets_listen.c). */
	struct sa_lgroup **lbuckets;
	size_t nlbuckets;		/* power of two, or 0 */
	size_t nlgroups;
	uint64_t lseed;			/* of their hash, set with the buckets */
	int index_err;			/* ENOMEM while indexing, for the tick */
	struct sa_sock *dirty[SA_DIRTY_MAX];	/* handed out by get */
	size_t ndirty;
	bool rescan;			/* dirty overflowed: check every one */
	struct sa_sock *spare;		/* freed sockets, linked by hnext */
	size_t nspare;
	struct sa_sock *pf_sock;	/* next to hand on, asked of the cache */
	bool pf_items;			/* and its items */
	struct sa_spare_items *spare_items;	/* freed first arrays (sockets_items.c) */
	size_t nspare_items;
	struct sa_comm_map *comms;
	struct sa_pairs *pairs;		/* both ends of connections (pairs.c) */
};

/* sockets.c */
/* The life of (host, netns, cookie), live or in its grace; NULL if none. */
struct sa_sock *sa_sockets_lookup(struct sa_sockets *t, uint32_t host,
				  uint32_t netns, uint64_t cookie);
/* A new open life with the next id; NULL on ENOMEM or at the live bound. */
struct sa_sock *sa_sockets_create(struct sa_sockets *t,
				  const struct sa_evctx *ec, uint32_t netns,
				  uint64_t cookie, uint64_t ts);
/* Hand a life to the callback and free it; the callback's result. */
int sa_sockets_hand_on(struct sa_sockets *t, struct sa_sock *s);
/* Move an open life to the closing list, its grace starting at mt. */
void sa_sockets_start_closing(struct sa_sockets *t, struct sa_sock *s,
			      uint64_t mt);

/* sockets_listen.c */
/* Take s off the open-listener index (a no-op when it is not on it). */
void sa_sockets_index_del(struct sa_sockets *t, struct sa_sock *s);
/* Put s on the index if it is an open listener not there yet. */
void sa_sockets_index_check(struct sa_sockets *t, struct sa_sock *s);
/* Index the sockets handed out by get that became listeners since. */
void sa_sockets_settle(struct sa_sockets *t);
/* Remember a socket handed out by get: the caller may make it a listener. */
void sa_sockets_mark_dirty(struct sa_sockets *t, struct sa_sock *s);

/* sockets_owner.c */
/* Learn the task name of a process-context record (comm: commlen bytes). */
void sa_sockets_comm_learn(struct sa_comm_map *m,
			   const struct skr_ev_common *c, const char *comm,
			   size_t commlen);
/* Replace an owner name "?" by the name its pid has shown since. */
void sa_sockets_name_owner(struct sa_sockets *t, struct sa_sock *s);
/*
 * Owner from a transition's task: one seen in process context, else a
 * guess from an unknown context; never over the owning syscall's.
 */
void sa_sockets_attribute(struct sa_sock *s, const struct skr_ev_common *c,
			  const char *comm, size_t commlen);

/* sockets_items.c */
/*
 * *out: a cleared item to fill, or NULL when items are not kept (not
 * asked for, or past the bound over all sockets: then counted).  -ENOMEM.
 */
int sa_sockets_add_item(struct sa_sockets *t, struct sa_sock *s,
			struct sa_item **out);
/* Free s's items and give their slots back to the bound. */
void sa_sockets_items_free(struct sa_sockets *t, struct sa_sock *s);
/* Free the arrays kept for reuse (sa_sockets_free). */
void sa_sockets_items_release(struct sa_sockets *t);

/* sockets_state.c */
/* True when the n bytes at p are all zero (an unset address). */
bool sa_sockets_is_zero(const uint8_t *p, size_t n);

#endif /* SA_SOCKETS_PRIV_H */
