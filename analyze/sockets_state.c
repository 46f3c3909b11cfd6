/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a socket's events say about it.  A transition may start a life (or
 * a new one for a reused key), sets its state, role and the marks of when
 * it entered each state, names its listener and starts its grace at CLOSE;
 * transitions and other events update its endpoints and add the items
 * --timeline shows, within the bounds of sockets.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/inline.h"
#include "analyze/items.h"
#include "analyze/pairs.h"
#include "analyze/sockets_priv.h"
#include "analyze/text.h"
#include "format/skr.h"

static void touch(struct sa_sock *s, const struct sa_evctx *ec, uint64_t ts)
{
	if (ts > s->last_ts)
		s->last_ts = ts;
	if (ec->mt > s->last_mt)
		s->last_mt = ec->mt;
}

int sa_sockets_note(struct sa_sockets *t, struct sa_sock *s,
		    const struct sa_evctx *ec, const struct skr_ev_common *c,
		    const struct sa_item *ev)
{
	struct sa_item *it;
	int err;

	touch(s, ec, c->ts_ns);
	/* A snapshot or a reset may complete the tuple. */
	err = sa_pairs_note(t->pairs, s);
	if (err)
		return err;
	err = sa_sockets_add_item(t, s, &it);
	if (err || !it)
		return err;
	*it = *ev;
	it->ts_ns = c->ts_ns;
	it->tgid = c->tgid;
	it->input = ec->input;
	it->ctx = c->ctx;
	it->oldstate = it->newstate = s->state;
	return 0;
}

/*
 * The endpoints a socket is known by: the latest non-zero value of each
 * field.  A client's first event (CLOSE->SYN_SENT) has no local port yet,
 * and by its last (->CLOSE) the kernel has already released the port, so
 * neither the first nor the last event alone names the connection.
 */
bool sa_sockets_is_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Once per state change. */
static SA_ALWAYS_INLINE void update_endpoints(struct sa_sock *s,
					      unsigned family,
					      const uint8_t saddr[16],
					      const uint8_t daddr[16],
					      uint16_t sport, uint16_t dport)
{
	if (family != s->family) {
		/* First event, or a family the socket did not have: start over. */
		s->family = (uint8_t)family;
		memcpy(s->saddr, saddr, sizeof(s->saddr));
		memcpy(s->daddr, daddr, sizeof(s->daddr));
		s->sport = sport;
		s->dport = dport;
		return;
	}
	if (!sa_sockets_is_zero(saddr, sizeof(s->saddr)))
		memcpy(s->saddr, saddr, sizeof(s->saddr));
	if (!sa_sockets_is_zero(daddr, sizeof(s->daddr)))
		memcpy(s->daddr, daddr, sizeof(s->daddr));
	if (sport)
		s->sport = sport;
	if (dport)
		s->dport = dport;
}

void sa_sockets_endpoints(struct sa_sock *s, unsigned family,
			  const uint8_t saddr[16], const uint8_t daddr[16],
			  uint16_t sport, uint16_t dport)
{
	/*
	 * A listener's records may carry a request's tuple (remote = a
	 * client); it is known by its local end only.  A family other than
	 * the socket's says nothing about its endpoints.
	 */
	if (s->family != 0 &&
	    (s->role == SA_ROLE_LISTENER || family != s->family))
		return;
	update_endpoints(s, family, saddr, daddr, sport, dport);
}

static void mark(struct sa_sock *s, enum sa_mark m, uint64_t ts)
{
	if (s->have_at & (1u << m))
		return;
	s->have_at |= 1u << m;
	s->at[m] = ts;
}

/*
 * sockrec 0.2.0 and before, on kernels whose inet_csk_clone_lock() announces
 * SYN_RECV before it gives the child its own cookie (6.1, 6.12) wrote a
 * child's birth under its listener's cookie.  A listener never leaves
 * LISTEN for SYN_RECV itself, so that event is its child's: it must not
 * change the listener's life, and the child, whose next event has its own
 * cookie, was born in the trace.  Held here until that event claims it.
 */
static void hold_birth(struct sa_sockets *t, const struct sa_evctx *ec,
		       const struct skr_ev_state *ev)
{
	struct sa_birth *b;

	if (t->nbirths == SA_BIRTHS_MAX) {
		t->births_head = (t->births_head + 1) % SA_BIRTHS_MAX;
		t->nbirths--;
	}
	b = &t->births[(t->births_head + t->nbirths) % SA_BIRTHS_MAX];
	t->nbirths++;
	memset(b, 0, sizeof(*b));
	b->ts_ns = ev->c.ts_ns;
	b->host = ec->host;
	b->netns = ev->c.netns;
	b->tgid = ev->c.tgid;
	b->sport = ev->sport;
	b->ctx = ev->c.ctx;
}

/*
 * The held birth of a child whose first event is ev (from SYN_RECV): the
 * earliest one on its local port, in its namespace, not after ev and not
 * older than SA_BIRTH_WINDOW_NS.  Copied to *out and taken off the ring.
 */
static bool claim_birth(struct sa_sockets *t, const struct sa_evctx *ec,
			const struct skr_ev_state *ev, struct sa_birth *out)
{
	uint64_t ts = ev->c.ts_ns;
	size_t i;

	/* Births too old to be claimed by anyone from now on. */
	while (t->nbirths) {
		struct sa_birth *b = &t->births[t->births_head];

		if (!b->used && b->ts_ns + SA_BIRTH_WINDOW_NS >= ts)
			break;
		t->births_head = (t->births_head + 1) % SA_BIRTHS_MAX;
		t->nbirths--;
	}
	for (i = 0; i < t->nbirths; i++) {
		struct sa_birth *b =
			&t->births[(t->births_head + i) % SA_BIRTHS_MAX];

		if (b->used || b->host != ec->host || b->netns != ev->c.netns ||
		    b->sport != ev->sport || b->ts_ns > ts)
			continue;
		*out = *b;
		b->used = true;
		return true;
	}
	return false;
}

/*
 * Once per state change: inlined into its two callers, since GCC kept it
 * a call (13 instructions per event of passing and saving registers).
 */
static SA_ALWAYS_INLINE void apply_state(struct sa_sock *s,
					 const struct skr_ev_state *ev,
					 bool first)
{
	/* The mark of entering each state, plus one (0: none). */
	static const uint8_t marks[16] = {
		[SKR_TCP_SYN_SENT] = SA_AT_SYN_SENT + 1,
		[SKR_TCP_SYN_RECV] = SA_AT_SYN_RECV + 1,
		[SKR_TCP_ESTABLISHED] = SA_AT_ESTABLISHED + 1,
		[SKR_TCP_FIN_WAIT1] = SA_AT_FIN_WAIT1 + 1,
		[SKR_TCP_CLOSE_WAIT] = SA_AT_CLOSE_WAIT + 1,
		[SKR_TCP_LAST_ACK] = SA_AT_LAST_ACK + 1,
		[SKR_TCP_TIME_WAIT] = SA_AT_TIME_WAIT + 1,
		[SKR_TCP_CLOSE] = SA_AT_CLOSE + 1,
		[SKR_TCP_LISTEN] = SA_AT_LISTEN + 1,
	};
	uint8_t o = ev->oldstate, n = ev->newstate;
	uint64_t ts = ev->c.ts_ns;

	if (first) {
		/* Born here: from CLOSE, or a listener's child from LISTEN. */
		s->older = !(o == SKR_TCP_CLOSE ||
			     (o == SKR_TCP_LISTEN && n == SKR_TCP_SYN_RECV));
		if (o < 32)
			s->states_seen |= 1u << o;
		/*
		 * A socket older than the trace entered its old state at an
		 * unknown time: no mark, so no duration starts from a guess.
		 */
	}
	if (s->role == SA_ROLE_UNKNOWN) {
		if (n == SKR_TCP_SYN_SENT || o == SKR_TCP_SYN_SENT)
			s->role = SA_ROLE_ACTIVE;
		else if (n == SKR_TCP_LISTEN || (o == SKR_TCP_LISTEN &&
						 n == SKR_TCP_CLOSE))
			s->role = SA_ROLE_LISTENER;
		else if (n == SKR_TCP_SYN_RECV || o == SKR_TCP_SYN_RECV ||
			 o == SKR_TCP_LISTEN)
			s->role = SA_ROLE_PASSIVE;
	}
	if (n < 32)
		s->states_seen |= 1u << n;
	if (n < 16 && marks[n])
		mark(s, (enum sa_mark)(marks[n] - 1), ts);
	if (o == SKR_TCP_TIME_WAIT)
		mark(s, SA_AT_TIME_WAIT_END, ts);
	if (n == SKR_TCP_CLOSE)
		s->close_ctx = ev->c.ctx;
	s->state = n;
}

/* The claimed birth b of the new child s, as its first transition. */
static int add_birth(struct sa_sockets *t, const struct sa_evctx *ec,
		     struct sa_sock *s, const struct skr_ev_state *ev,
		     const struct sa_birth *b)
{
	struct skr_ev_state born = *ev;
	struct sa_item *it;
	int err;

	born.c.ts_ns = b->ts_ns;
	if (b->ts_ns < s->first_ts)
		s->first_ts = b->ts_ns;
	born.c.tgid = b->tgid;
	born.c.ctx = b->ctx;
	born.oldstate = SKR_TCP_LISTEN;
	born.newstate = SKR_TCP_SYN_RECV;
	memset(born.comm, 0, sizeof(born.comm));
	err = sa_sockets_add_item(t, s, &it);
	if (err)
		return err;
	if (it) {
		it->ts_ns = born.c.ts_ns;
		it->tgid = born.c.tgid;
		it->type = SKR_REC_STATE;
		it->kind = SA_IK_STATE;
		it->input = ec->input;
		it->oldstate = born.oldstate;
		it->newstate = born.newstate;
		it->ctx = born.c.ctx;
	}
	t->transitions++;
	s->transitions++;
	touch(s, ec, born.c.ts_ns);
	update_endpoints(s, ev->family, ev->saddr, ev->daddr, ev->sport,
			 ev->dport);
	apply_state(s, &born, true);
	return 0;
}

/*
 * A listener's CLOSE is remembered (SA_LCLOSED_MAX); a child never
 * accepted that closes after it was reset by it: closing a listener resets
 * every child still in its accept queue (inet_csk_listen_stop) right after
 * the listener's own LISTEN -> CLOSE, in the same call.
 */
static void note_listener_closed(struct sa_sockets *t, struct sa_sock *s)
{
	size_t i;

	if (s->role == SA_ROLE_LISTENER) {
		t->lclosed[t->lclosed_next] = s->id;
		t->lclosed_next = (t->lclosed_next + 1) % SA_LCLOSED_MAX;
		return;
	}
	if (s->role != SA_ROLE_PASSIVE || s->parent == 0 ||
	    (s->have_at & (1u << SA_AT_ACCEPT)))
		return;
	for (i = 0; i < SA_LCLOSED_MAX; i++)
		if (t->lclosed[i] == s->parent)
			s->listener_closed = true;
}

int sa_sockets_state(struct sa_sockets *t, const struct sa_evctx *ec,
		     const struct skr_ev_state *ev)
{
	struct sa_birth birth;
	struct sa_sock *s;
	struct sa_item *it;
	bool first, created;
	int err = 0;

	s = sa_sockets_lookup(t, ec->host, ev->c.netns, ev->c.cookie);
	if (s && !sa_node(s)->ending && s->state == SKR_TCP_LISTEN &&
	    ev->oldstate == SKR_TCP_LISTEN &&
	    ev->newstate == SKR_TCP_SYN_RECV) {
		hold_birth(t, ec, ev);
		return 0;
	}
	/* A closed socket used again (connect after a failed connect). */
	if (s && sa_node(s)->ending && ev->oldstate == SKR_TCP_CLOSE &&
	    ev->newstate != SKR_TCP_CLOSE) {
		err = sa_sockets_hand_on(t, s);
		if (err)
			return err;
		s = NULL;
	}
	first = created = s == NULL;
	/*
	 * A file can claim any number of open sockets; memory must not follow.
	 * Make room by handing on the oldest life, here where no caller holds
	 * a socket that this could free.
	 */
	while (!s && t->live >= t->max_live) {
		t->evicted++;
		err = sa_sockets_hand_on(t, t->closing.head ? t->closing.head
							    : t->open.head);
		if (err)
			return err;
	}
	if (!s) {
		s = sa_sockets_create(t, ec, ev->c.netns, ev->c.cookie,
				      ev->c.ts_ns);
		if (!s)
			return -ENOMEM;
	}
	if (first && ev->oldstate == SKR_TCP_SYN_RECV &&
	    claim_birth(t, ec, ev, &birth)) {
		err = add_birth(t, ec, s, ev, &birth);
		if (err)
			return err;
		first = false;
	}
	/* Most views keep no items: no call per event for them. */
	it = NULL;
	if (t->keep_items) {
		err = sa_sockets_add_item(t, s, &it);
		if (err)
			return err;
	}
	if (it) {
		it->ts_ns = ev->c.ts_ns;
		it->tgid = ev->c.tgid;
		it->type = SKR_REC_STATE;
		it->input = ec->input;
		it->oldstate = ev->oldstate;
		it->newstate = ev->newstate;
		it->ctx = ev->c.ctx;
		_Static_assert(sizeof(it->u.comm) == 17 &&
			       sizeof(ev->comm) == 16,
			       "sa_text_name16() copies 16 bytes into 17");
		sa_text_name16(it->u.comm, ev->comm);
	}
	t->transitions++;
	s->transitions++;
	touch(s, ec, ev->c.ts_ns);
	update_endpoints(s, ev->family, ev->saddr, ev->daddr, ev->sport,
			 ev->dport);
	if (t->keep_owners) {
		sa_sockets_attribute(s, &ev->c, ev->comm, sizeof(ev->comm));
		sa_sockets_comm_learn(t->comms, &ev->c, ev->comm,
				      sizeof(ev->comm));
	}
	apply_state(s, ev, first);
	/* Only an open listener is indexed: most changes need no call. */
	if (s->role == SA_ROLE_LISTENER && !sa_node(s)->ending)
		sa_sockets_index_check(t, s);
	/* A child is born from the listener bound to its local end. */
	if (created && s->role == SA_ROLE_PASSIVE && s->parent == 0) {
		struct sa_sock *l = sa_sockets_listener(t, s->host, s->netns,
							s->family, s->saddr,
							s->sport);

		if (l)
			s->parent = l->id;
	}

	/* A first event CLOSE->CLOSE says nothing ended; keep the socket. */
	if (ev->newstate == SKR_TCP_CLOSE &&
	    !(first && ev->oldstate == SKR_TCP_CLOSE)) {
		s->closed = true;
		note_listener_closed(t, s);
		sa_sockets_start_closing(t, s, ec->mt);
	}
	/*
	 * --latency and most views read no pairs, and a life whose pairing
	 * is decided has nothing more to note: no call per event.
	 */
	if (!t->keep_pairs || sa_pairs_settled(s))
		return 0;
	return sa_pairs_note(t->pairs, s);
}
