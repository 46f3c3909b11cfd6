/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Pairs: the two ends of one connection (pairs.c).
 *
 * A model pass beside the socket table: each life whose 4-tuple is
 * complete is listed under it while it is open and waits for its other
 * end, and a life listed later is paired with an open one listed under
 * its mirrored tuple (then neither is listed any more).  Both ends
 * are alive then, so their lives overlap on the merged time line (each
 * host's clock offset applied by run.c), and a port used again later
 * finds only the lives open at that moment: never a closed one.  The
 * peer's id is written into both lives (sa_sock.peer) before either is
 * handed on, so views read it and never match anything themselves.
 *
 * Candidates in the same host and network namespace (loopback) win;
 * otherwise one candidate in another namespace or on another host is
 * paired, and two or more are ambiguous: counted, and nothing is paired
 * (the trace does not say which namespace owns which address, so two
 * namespaces that both use 10.0.0.1 cannot be told apart).
 *
 * A connect is also linked to the listener it was addressed to when that
 * listener is in another namespace or on another host (peer_listener):
 * one open listener bound to exactly that address and port (a wildcard
 * listener elsewhere could be anyone's), so that what a listener's
 * overflow cost its clients can be said across the two traces
 * (sa_pairs_listener_of()).
 *
 * What pairs.c keeps of a socket is its own, not the socket's: at most
 * 131,072 sockets at once (listed, or linked to a listener); past that a
 * socket is not tried, and counted (stats.untried).
 *
 * An address map (--map-addr A[:PORT]=B[:PORT]) rewrites tuples before
 * they are keyed: a NAT'd address seen by one end is then the address
 * the other end knows.
 */
#ifndef SA_PAIRS_H
#define SA_PAIRS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/sockets.h"

/* sa_sock.pairing */
enum sa_pairing {
	SA_PAIRING_NONE,		/* tuple incomplete, or never listed */
	SA_PAIRING_LISTED,		/* waiting for its other end */
	SA_PAIRING_PAIRED,		/* peer set */
	SA_PAIRING_AMBIGUOUS,		/* several candidates: not paired */
	SA_PAIRING_LISTENER,		/* a listener, listed by its address */
};

struct sa_pairs_stats {
	uint64_t pairs;			/* pairs made */
	uint64_t cross_host;		/* of which the ends are on two hosts */
	uint64_t cross_netns;		/* of which on one host, two namespaces */
	uint64_t ambiguous;		/* lives left unpaired: several candidates */
	uint64_t listed_max;		/* most lives waiting at once */
	uint64_t untried;		/* not listed: too many at once */
};

/* One --map-addr: family, address and port (0: any port) on each side. */
struct sa_addr_map {
	uint8_t family;			/* SKR_AF_INET or SKR_AF_INET6 */
	uint8_t from[16], to[16];
	uint16_t from_port, to_port;	/* 0: any, and kept */
};

#define SA_ADDR_MAP_MAX	16

struct sa_pairs;

/* A tuple as keyed: zeroed first, so that memcmp compares it whole. */
struct sa_pair_key {
	uint8_t la[16], ra[16];
	uint16_t lp, rp;
	uint8_t family;
	uint8_t pad[3];
};

int sa_pairs_new(struct sa_pairs **pp);
void sa_pairs_free(struct sa_pairs *p);
/*
 * Pair or not (on by default).  Off, sa_pairs_note() lists nothing, so
 * no life gets a peer, a listener link or a pairing state, and the stats
 * stay 0: for the views that read none of them (sa_view.pairs).
 */
void sa_pairs_enable(struct sa_pairs *p, bool on);
/* Addresses to rewrite before keying (copied); -EINVAL past the max. */
int sa_pairs_set_map(struct sa_pairs *p, const struct sa_addr_map *m,
		     size_t n);
/*
 * After an event changed s: list s when its tuple became complete, and
 * pair it if an open life waits under the mirrored tuple.  A no-op for a
 * life already listed, paired or ambiguous, for a listener, and for a
 * closed life.  Returns 0 or -ENOMEM (then s stays unlisted).
 */
int sa_pairs_note(struct sa_pairs *p, struct sa_sock *s);
/*
 * Whether sa_pairs_note(p, s) has nothing to do, read from s alone: its
 * pairing is decided (listed, paired, ambiguous, a listener), and neither
 * of the two steps a decided life can still take is due (a listed life
 * that closed leaves the list; a connect in SYN_SENT looks for a listener
 * elsewhere).  Most state changes are of such lives: the per-event caller
 * tests this and makes no call.
 */
static inline bool sa_pairs_settled(const struct sa_sock *s)
{
	if (s->pairing == SA_PAIRING_NONE ||
	    (s->pairing == SA_PAIRING_LISTED && s->closed))
		return false;
	return !(s->role == SA_ROLE_ACTIVE && s->state == SKR_TCP_SYN_SENT);
}
/* s is leaving the table: take it off the list (its peer keeps its id). */
void sa_pairs_forget(struct sa_pairs *p, struct sa_sock *s);
const struct sa_pairs_stats *sa_pairs_stats(const struct sa_pairs *p);
/* s's tuple as keyed (through the map); false when it is not complete. */
bool sa_pairs_key(const struct sa_pairs *p, const struct sa_sock *s,
		  struct sa_pair_key *k);
/* The tuple the other end is keyed under. */
void sa_pairs_mirror(const struct sa_pair_key *k, struct sa_pair_key *m);
/* The listener of another namespace or host connect s was linked to, 0. */
uint64_t sa_pairs_listener_of(const struct sa_pairs *p,
			      const struct sa_sock *s);
/* s's peer while both are in the socket table, else NULL. */
struct sa_sock *sa_pairs_peer_of(struct sa_pairs *p, const struct sa_sock *s);
/*
 * s sent (sent) or received a reset: when its peer, still in the table,
 * did the other half, mark both (peer_reset_in/out).
 */
void sa_pairs_reset(struct sa_pairs *p, struct sa_sock *s, bool sent);
/*
 * Parse "A[:PORT]=B[:PORT]" (IPv6 in brackets when a port follows:
 * "[fd00::1]:80"); 0, or -EINVAL with msg saying why.
 */
int sa_pairs_parse_map(const char *arg, struct sa_addr_map *m, char *msg,
		       size_t size);

#endif /* SA_PAIRS_H */
