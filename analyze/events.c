/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel events other than state changes, placed on the lives they belong
 * to: the socket snapshot at start, listen and accept calls (which also
 * name a socket's owner), resets, socket errors, retransmits, destroy
 * counters, drops, and the periodic listener and namespace samples.
 *
 * An event for a socket the table does not know starts a life only when
 * the event proves the socket is alive (snapshot, listener sample, reset,
 * error, retransmit, accept); a DESTROY for an unknown socket is counted
 * and dropped, since nothing is left to give a life to.
 *
 * What --timeline shows of an event is kept as its numbers (struct
 * sa_item, analyze/items.h); items_text.c says them in words when the
 * report is written.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "analyze/analysis.h"
#include "analyze/benign.h"
#include "analyze/drops.h"
#include "analyze/events.h"
#include "analyze/items.h"
#include "analyze/life.h"
#include "analyze/meta.h"
#include "analyze/pairs.h"
#include "analyze/sockets.h"
#include "format/skr.h"

/* A blank event of r's type and of kind, its numbers to fill. */
static void ev_init(struct sa_item *e, const union skr_rec_any *r,
		    enum sa_item_kind kind, unsigned evstate)
{
	memset(e, 0, sizeof(*e));
	e->type = r->hdr.type;
	e->kind = (uint8_t)kind;
	e->evstate = (uint8_t)evstate;
}

static int note(struct sa_analysis *a, struct sa_sock *s,
		const struct sa_evctx *ec, const struct skr_ev_common *c,
		const struct sa_item *e)
{
	return sa_sockets_note(a->socks, s, ec, c, e);
}

/* An event of kind whose one number is code (a reason, an errno, a count). */
static int note_code(struct sa_analysis *a, struct sa_sock *s,
		     const struct sa_evctx *ec, const union skr_rec_any *r,
		     const struct skr_ev_common *c, enum sa_item_kind kind,
		     unsigned evstate, uint32_t code)
{
	struct sa_item e;

	ev_init(&e, r, kind, evstate);
	e.u.n.w[0] = code;
	return note(a, s, ec, c, &e);
}

/* The record tells the views about a listener s (NULL: a namespace). */
static void for_views(struct sa_applied *ap, struct sa_sock *s)
{
	ap->listener_event = true;
	ap->listener = s;
}

/*
 * The life of the socket an event names, started if it is new.  A file may
 * name more sockets than the table holds (SA_SOCKETS_MAX_LIVE): a new one
 * is then not tracked, and counted in *untracked so that every report says
 * how many, instead of the whole analysis failing.  Only a state change
 * makes room (sa_sockets_state), where no caller holds a socket it could
 * free.  0 with *sp NULL when not tracked; -ENOMEM.
 */
static int life_of(struct sa_analysis *a, const struct sa_evctx *ec,
		   uint32_t netns, uint64_t cookie, uint64_t ts,
		   uint64_t *untracked, struct sa_sock **sp)
{
	*sp = sa_sockets_get(a->socks, ec, netns, cookie, ts, true);
	if (*sp)
		return 0;
	if (!sa_sockets_full(a->socks))
		return -ENOMEM;
	(*untracked)++;
	return 0;
}

/* Endpoints of a snapshot: only for a socket not yet known otherwise. */
static void endpoints(struct sa_sock *s, unsigned family,
		      const uint8_t *saddr, const uint8_t *daddr,
		      uint16_t sport, uint16_t dport)
{
	static const uint8_t zero[16];

	if (s->family != 0)
		return;
	s->family = (uint8_t)family;
	memcpy(s->saddr, saddr ? saddr : zero, 16);
	memcpy(s->daddr, daddr ? daddr : zero, 16);
	s->sport = sport;
	s->dport = dport;
}

static int on_snapshot(struct sa_analysis *a, const struct sa_evctx *ec,
		       const union skr_rec_any *r, struct sa_applied *ap)
{
	const struct skr_snapshot *sn = &r->snapshot;
	struct skr_ev_common c;
	struct sa_item e;
	struct sa_sock *s;
	int err;

	(void)ap;
	if (sn->kind != SKR_SNAP_SOCKET || sn->cookie == 0)
		return 0;
	/* Time-wait and request sockets are not full sockets with a life. */
	if (sn->state == SKR_TCP_TIME_WAIT || sn->state == SKR_TCP_CLOSE ||
	    sn->state == SKR_TCP_NEW_SYN_RECV)
		return 0;
	s = sa_sockets_get(a->socks, ec, sn->netns, sn->cookie, sn->ts_ns,
			   false);
	if (s)
		return 0;	/* already known: a rotated file's snapshot */
	err = life_of(a, ec, sn->netns, sn->cookie, sn->ts_ns,
		      &a->untracked_snap, &s);
	if (!s)
		return err;
	s->from_snapshot = true;
	endpoints(s, sn->family, sn->saddr, sn->daddr, sn->sport, sn->dport);
	s->state = sn->state;
	if (sn->state < 32)
		s->states_seen |= 1u << sn->state;
	s->snap_rqueue = sn->rqueue;
	s->snap_wqueue = sn->wqueue;
	if (sn->state == SKR_TCP_LISTEN)
		s->role = SA_ROLE_LISTENER;
	else if (sn->state == SKR_TCP_SYN_SENT)
		s->role = SA_ROLE_ACTIVE;
	else if (sn->state == SKR_TCP_SYN_RECV)
		s->role = SA_ROLE_PASSIVE;
	memset(&c, 0, sizeof(c));
	c.ts_ns = sn->ts_ns;
	c.cookie = sn->cookie;
	c.netns = sn->netns;
	ev_init(&e, r, sn->state == SKR_TCP_LISTEN ? SA_IK_SNAP_LISTEN
						    : SA_IK_SNAP, sn->state);
	e.u.n.w[0] = sn->rqueue;
	e.u.n.w[1] = sn->wqueue;
	e.u.n.w[2] = sn->uid;
	return note(a, s, ec, &c, &e);
}

static int on_listen(struct sa_analysis *a, const struct sa_evctx *ec,
		     const union skr_rec_any *r, struct sa_applied *ap)
{
	const struct skr_ev_listen *ev = &r->listen;
	struct sa_item e;
	struct sa_sock *s;

	if (ev->ret == 0) {
		int err = life_of(a, ec, ev->c.netns, ev->c.cookie, ev->c.ts_ns,
				  &a->untracked_events, &s);

		if (!s)
			return err;
	} else {
		s = sa_sockets_get(a->socks, ec, ev->c.netns, ev->c.cookie,
				   ev->c.ts_ns, false);
		if (!s)
			return 0;
	}
	if (ev->ret == 0) {
		s->role = SA_ROLE_LISTENER;
		s->have_listen = true;
		s->backlog_asked = ev->backlog;
		s->backlog_limit = ev->max_backlog;
		if (s->family == 0) {
			s->family = ev->family;
			s->sport = ev->sport;
		}
	}
	sa_sockets_owner(a->socks, s, &ev->c, NULL);
	if (ev->ret == 0)
		for_views(ap, s);
	ev_init(&e, r, ev->ret == 0 ? SA_IK_LISTEN : SA_IK_LISTEN_FAIL, 0);
	e.u.n.w[0] = (uint32_t)ev->fd;
	e.u.n.w[1] = (uint32_t)ev->backlog;
	e.u.n.w[2] = ev->ret == 0 ? ev->max_backlog : (uint32_t)ev->ret;
	return note(a, s, ec, &ev->c, &e);
}

static int on_accept(struct sa_analysis *a, const struct sa_evctx *ec,
		     const union skr_rec_any *r, struct sa_applied *ap)
{
	const struct skr_ev_accept *ev = &r->accept;
	struct sa_sock *l, *c = NULL;
	struct sa_item e;
	uint64_t wait;
	int err;

	err = life_of(a, ec, ev->c.netns, ev->c.cookie, ev->c.ts_ns,
		      &a->untracked_events, &l);
	if (!l)
		return err;
	if (l->role == SA_ROLE_UNKNOWN)
		l->role = SA_ROLE_LISTENER;
	if (l->family == 0) {
		l->family = ev->family;
		l->sport = ev->sport;
	}
	if (ev->ret >= 0 && ev->child_cookie != 0) {
		err = life_of(a, ec, ev->c.netns, ev->child_cookie, ev->c.ts_ns,
			      &a->untracked_events, &c);
		if (err)
			return err;
	}
	if (c) {
		if (c->role == SA_ROLE_UNKNOWN)
			c->role = SA_ROLE_PASSIVE;
		c->parent = l->id;
		if (!(c->have_at & (1u << SA_AT_ACCEPT))) {
			c->have_at |= 1u << SA_AT_ACCEPT;
			c->at[SA_AT_ACCEPT] = ev->c.ts_ns;
		}
		/* The accepting process owns the child, as the listener's. */
		if (l->have_owner && l->owner_pid == ev->c.tgid &&
		    !c->owner_by_call) {
			c->have_owner = true;
			c->owner_pid = l->owner_pid;
			memcpy(c->owner_comm, l->owner_comm,
			       sizeof(c->owner_comm));
		}
		sa_sockets_owner(a->socks, c, &ev->c, NULL);
		if (sa_life_time(c, SA_AT_ESTABLISHED, SA_AT_ACCEPT, &wait)) {
			ev_init(&e, r, SA_IK_ACCEPTED_WAIT, 0);
			e.u.n.v[1] = wait;
		} else {
			ev_init(&e, r, SA_IK_ACCEPTED, 0);
		}
		e.u.n.v[0] = l->id;
		err = note(a, c, ec, &ev->c, &e);
		if (err)
			return err;
	}
	sa_sockets_owner(a->socks, l, &ev->c, NULL);
	for_views(ap, l);
	err = sa_sockets_accept(a->socks, l, ev,
				ev->ret >= 0 && ev->child_cookie != 0);
	if (err)
		return err;
	if (c) {
		ev_init(&e, r, SA_IK_ACCEPT, 0);
		e.u.n.v[0] = c->id;
	} else if (ev->ret >= 0 && ev->child_cookie != 0) {
		ev_init(&e, r, SA_IK_ACCEPT_UNTRACKED, 0);
	} else {
		ev_init(&e, r, SA_IK_ACCEPT_FAIL, 0);
		e.u.n.w[2] = (uint32_t)ev->ret;
	}
	e.u.n.w[0] = ev->qlen;
	e.u.n.w[1] = ev->max_backlog;
	return note(a, l, ec, &ev->c, &e);
}

static int on_reset(struct sa_analysis *a, const struct sa_evctx *ec,
		    const union skr_rec_any *r, struct sa_applied *ap)
{
	const struct skr_ev_reset *ev = &r->reset;
	struct sa_sock *s;
	int err;

	(void)ap;
	if (ev->c.cookie == 0) {
		if (ev->dir == SKR_RESET_SENT)
			a->resets_nosock++;
		return 0;
	}
	err = life_of(a, ec, ev->c.netns, ev->c.cookie, ev->c.ts_ns,
		      &a->untracked_events, &s);
	if (!s)
		return err;
	sa_sockets_endpoints(s, ev->family, ev->saddr, ev->daddr, ev->sport,
			     ev->dport);
	if (ev->dir == SKR_RESET_RECEIVED) {
		s->resets_in++;
		s->reset_in_state = ev->state;
		sa_pairs_reset(sa_sockets_pairs(a->socks), s, false);
		return note_code(a, s, ec, r, &ev->c, SA_IK_RESET_IN,
				 ev->state, 0);
	}
	s->resets_out++;
	s->reset_reason = ev->reason;
	sa_pairs_reset(sa_sockets_pairs(a->socks), s, true);
	return note_code(a, s, ec, r, &ev->c, SA_IK_RESET_OUT, ev->state,
			 ev->reason);
}

static int on_error(struct sa_analysis *a, const struct sa_evctx *ec,
		    const union skr_rec_any *r, struct sa_applied *ap)
{
	const struct skr_ev_sock_error *ev = &r->sock_error;
	struct sa_sock *s;
	int err;

	(void)ap;
	err = life_of(a, ec, ev->c.netns, ev->c.cookie, ev->c.ts_ns,
		      &a->untracked_events, &s);
	if (!s)
		return err;
	sa_sockets_endpoints(s, ev->family, ev->saddr, ev->daddr, ev->sport,
			     ev->dport);
	s->error = ev->error;
	s->error_state = ev->state;
	return note_code(a, s, ec, r, &ev->c, SA_IK_ERROR, ev->state,
			 (uint32_t)ev->error);
}

static int on_retransmit(struct sa_analysis *a, const struct sa_evctx *ec,
		         const union skr_rec_any *r, struct sa_applied *ap)
{
	const struct skr_ev_retransmit *ev = &r->retransmit;
	struct sa_item e;
	struct sa_sock *s;
	int err;

	err = life_of(a, ec, ev->c.netns, ev->c.cookie, ev->c.ts_ns,
		      &a->untracked_events, &s);
	if (!s)
		return err;
	if (ev->kind == SKR_RETRANS_SYNACK) {
		if (s->role == SA_ROLE_UNKNOWN)
			s->role = SA_ROLE_LISTENER;
		if (s->family == 0) {
			s->family = ev->family;
			memcpy(s->saddr, ev->saddr, 16);
			s->sport = ev->sport;
		}
		s->synack_retrans++;
		for_views(ap, s);
		ev_init(&e, r, SA_IK_SYNACK, ev->state);
		memcpy(e.u.peer.addr, ev->daddr, sizeof(e.u.peer.addr));
		e.u.peer.count = ev->retrans;
		e.u.peer.port = ev->dport;
		e.u.peer.family = ev->family;
		return note(a, s, ec, &ev->c, &e);
	}
	sa_sockets_endpoints(s, ev->family, ev->saddr, ev->daddr, ev->sport,
			     ev->dport);
	s->retrans++;
	if (ev->state == SKR_TCP_SYN_SENT)
		s->syn_retrans++;
	return note_code(a, s, ec, r, &ev->c, SA_IK_RETRANS, ev->state,
			 ev->retrans);
}

/*
 * COUNTERS (1.2), right after the socket's transition to CLOSE: kept for
 * its DESTROY line and the reports, no line of its own.  The last one
 * wins (a socket used again after a failed connect closes twice).
 */
static int on_counters(struct sa_analysis *a, const struct sa_evctx *ec,
		       const union skr_rec_any *r, struct sa_applied *ap)
{
	const struct skr_ev_counters *ev = &r->counters;
	struct sa_sock *s;

	(void)ap;
	s = sa_sockets_get(a->socks, ec, ev->c.netns, ev->c.cookie,
			   ev->c.ts_ns, false);
	if (!s) {
		a->in[ec->input].orphans++;
		return 0;
	}
	s->counters_at_close = true;
	s->bytes_acked = ev->bytes_acked;
	s->bytes_received = ev->bytes_received;
	s->segs_in = ev->segs_in;
	s->segs_out = ev->segs_out;
	s->total_retrans = ev->total_retrans;
	s->srtt_us = ev->srtt_us;
	return 0;
}

static int on_destroy(struct sa_analysis *a, const struct sa_evctx *ec,
		      const union skr_rec_any *r, struct sa_applied *ap)
{
	const struct skr_ev_destroy *ev = &r->destroy;
	struct sa_counters n;
	struct sa_item e;
	struct sa_sock *s;
	int err;

	(void)ap;
	s = sa_sockets_get(a->socks, ec, ev->c.netns, ev->c.cookie, ev->c.ts_ns,
			   false);
	if (!s) {
		a->in[ec->input].orphans++;
		return 0;
	}
	s->have_destroy = true;
	/* The counters still true: as it entered CLOSE, when recorded. */
	if (!s->counters_at_close) {
		s->bytes_acked = ev->bytes_acked;
		s->bytes_received = ev->bytes_received;
		s->segs_in = ev->segs_in;
		s->segs_out = ev->segs_out;
		s->total_retrans = ev->total_retrans;
		s->srtt_us = ev->srtt_us;
	}
	if (sa_life_counters(s, &n) == SA_COUNTERS_RESET) {
		ev_init(&e, r, SA_IK_DESTROY_RESET, 0);
	} else {
		ev_init(&e, r, SA_IK_DESTROY, 0);
		e.u.n.v[0] = n.bytes_acked;
		e.u.n.v[1] = n.bytes_received;
		e.u.n.w[0] = n.segs_out;
		e.u.n.w[1] = n.segs_in;
		e.u.n.w[2] = n.total_retrans;
		e.u.n.w[3] = n.srtt_us;
	}
	err = note(a, s, ec, &ev->c, &e);
	if (err == 0)
		sa_sockets_destroyed(a->socks, s);
	return err;
}

static int on_skb_drop(struct sa_analysis *a, const struct sa_evctx *ec,
		       const union skr_rec_any *r, struct sa_applied *ap)
{
	const struct skr_ev_skb_drop *ev = &r->skb_drop;
	struct sa_item e;
	struct sa_sock *s;
	const char *why;
	uint8_t kind;
	char rb[24];
	int n;

	(void)ap;
	kind = sa_benign_drop(&a->in[ec->input].meta, ev);
	/*
	 * No life to put it on: kept aside, for the diagnosis, by name; a
	 * benign free is only counted.
	 */
	if (ev->c.cookie == 0) {
		if (kind || !a->drops)
			return 0;
		why = sa_meta_enum(&a->in[ec->input].meta, SKR_REC_SKB_DROP,
				   ev->reason);
		if (!why) {
			n = snprintf(rb, sizeof(rb), "reason %" PRIu32,
				     ev->reason);
			why = n > 0 && (size_t)n < sizeof(rb) ? rb
							     : "reason unknown";
		}
		return sa_drops_add(a->drops, ec, why, ev);
	}
	s = sa_sockets_get(a->socks, ec, ev->c.netns, ev->c.cookie, ev->c.ts_ns,
			   false);
	if (!s)
		return 0;
	sa_sockets_endpoints(s, ev->family, ev->saddr, ev->daddr, ev->sport,
			     ev->dport);
	/* w1: a benign free (analyze/benign.h), said as such, not a drop. */
	ev_init(&e, r, SA_IK_DROP, 0);
	e.u.n.w[0] = ev->reason;
	e.u.n.w[1] = kind;
	return note(a, s, ec, &ev->c, &e);
}

static int on_listener(struct sa_analysis *a, const struct sa_evctx *ec,
		       const union skr_rec_any *r, struct sa_applied *ap)
{
	const struct skr_ev_listener *ev = &r->listener;
	struct sa_sock *s;
	int err;

	/*
	 * A sample names the listener by its kernel cookie (sock_diag); events
	 * recorded in the classic tier name it by sockrec's own id (bit 63 set,
	 * docs/EVENTS.md §5) if it had no cookie when first seen.  The live
	 * listener bound to the sample's address, if it has an own id, is the
	 * sample's socket (ports shared with SO_REUSEPORT may be confused).
	 */
	s = sa_sockets_get(a->socks, ec, ev->c.netns, ev->c.cookie, ev->c.ts_ns,
			   false);
	if (!s) {
		s = sa_sockets_listener(a->socks, ec->host, ev->c.netns,
					ev->family, ev->saddr, ev->sport);
		if (s && !(s->cookie & SA_OWN_ID_BIT))
			s = NULL;
	}
	err = 0;
	if (!s)
		err = life_of(a, ec, ev->c.netns, ev->c.cookie, ev->c.ts_ns,
			      &a->untracked_events, &s);
	if (!s)
		return err;
	if (s->family == 0) {
		s->family = ev->family;
		memcpy(s->saddr, ev->saddr, 16);
		s->sport = ev->sport;
	}
	if (s->role == SA_ROLE_UNKNOWN)
		s->role = SA_ROLE_LISTENER;
	if (s->state == 0) {
		s->state = SKR_TCP_LISTEN;
		s->states_seen |= 1u << SKR_TCP_LISTEN;
	}
	for_views(ap, s);
	return 0;
}

/* A namespace's counters, or whether its sampling stopped: for the views. */
static int on_netns(struct sa_analysis *a, const struct sa_evctx *ec,
		    const union skr_rec_any *r, struct sa_applied *ap)
{
	(void)a;
	(void)ec;
	(void)r;
	for_views(ap, NULL);
	return 0;
}

/*
 * What is done with each type, the record decoded by the format's
 * catalogue first.  A record without the socket it is about (need_cookie)
 * is malformed, and counted as such when count is set; so is one too
 * short for its type, which the reader already refuses.  Kernel events
 * are indexed by type, as the catalogue indexes them.
 */
struct applier {
	bool count;
	bool need_cookie;
	int (*apply)(struct sa_analysis *a, const struct sa_evctx *ec,
		     const union skr_rec_any *r, struct sa_applied *ap);
};

#define EV(t)	[(t) - SKR_REC_EVENT_BASE]

static const struct applier snapshot_applier = { false, false, on_snapshot };

static const struct applier appliers[] = {
	EV(SKR_REC_LISTEN) = { true, true, on_listen },
	EV(SKR_REC_ACCEPT) = { true, true, on_accept },
	EV(SKR_REC_RESET) = { true, false, on_reset },
	EV(SKR_REC_SOCK_ERROR) = { true, true, on_error },
	EV(SKR_REC_RETRANSMIT) = { true, true, on_retransmit },
	EV(SKR_REC_DESTROY) = { true, true, on_destroy },
	EV(SKR_REC_COUNTERS) = { true, true, on_counters },
	EV(SKR_REC_SKB_DROP) = { true, false, on_skb_drop },
	EV(SKR_REC_LISTENER) = { true, true, on_listener },
	EV(SKR_REC_NETNS_STATS) = { false, false, on_netns },
	EV(SKR_REC_SAMPLING) = { false, false, on_netns },
};

static const struct applier *applier_of(unsigned type)
{
	const struct applier *x = NULL;

	if (type == SKR_REC_SNAPSHOT)
		return &snapshot_applier;
	if (skr_rec_is_event(type) &&
	    type - SKR_REC_EVENT_BASE < sizeof(appliers) / sizeof(appliers[0]))
		x = &appliers[type - SKR_REC_EVENT_BASE];
	return x && x->apply ? x : NULL;
}

int sa_events_apply(struct sa_analysis *a, const struct sa_evctx *ec,
		    const struct skr_record *rec, uint64_t ts,
		    struct sa_applied *ap)
{
	const struct applier *x = applier_of(rec->type);

	(void)ts;
	ap->listener_event = false;
	ap->listener = NULL;
	if (!x)
		return 0;	/* a type of a later minor version */
	if (skr_rec_decode_any(rec, &ap->rec) != 0 ||
	    (x->need_cookie && ap->rec.ev.c.cookie == 0)) {
		if (x->count)
			a->in[ec->input].meta.malformed++;
		return 0;
	}
	return x->apply(a, ec, &ap->rec, ap);
}
