/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The socket table.  A socket is identified by (netns, cookie), never by
 * its addresses, which the kernel reuses.  Only live sockets are held: a
 * socket that reaches CLOSE is handed to the callback and freed, so memory
 * follows the number of open sockets rather than the length of the trace.
 *
 * Live sockets are also kept on a list in order of first appearance, which
 * is the order sa_sockets_finish() reports them in; nothing is ever
 * reported in hash order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/sockana.h"

struct sa_sockets {
	struct sa_sock **buckets;
	size_t nbuckets;		/* power of two */
	size_t live;
	struct sa_sock *head, *tail;	/* live, by first appearance */
	sa_sock_fn done;
	void *ctx;
	uint64_t next_id;
	uint64_t seen;
	uint64_t transitions;
	uint64_t peak_live;
};

static size_t hash_key(uint32_t netns, uint64_t cookie, size_t nbuckets)
{
	/* splitmix64 finalizer: cookies are sequential, so mix them. */
	uint64_t x = cookie ^ ((uint64_t)netns << 32 | netns);

	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return (size_t)(x & (nbuckets - 1));
}

int sa_sockets_new(struct sa_sockets **tp, sa_sock_fn done, void *ctx)
{
	struct sa_sockets *t;
	int err = -ENOMEM;

	t = calloc(1, sizeof(*t));
	if (!t)
		goto fail;
	t->nbuckets = 256;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets)
		goto fail;
	t->done = done;
	t->ctx = ctx;
	t->next_id = 1;
	*tp = t;
	return 0;
fail:
	sa_sockets_free(t);
	return err;
}

static void grow(struct sa_sockets *t)
{
	size_t n = t->nbuckets * 2, i;
	struct sa_sock **b;

	if (n < t->nbuckets)
		return;
	b = calloc(n, sizeof(*b));
	/* On ENOMEM keep the smaller table: slower, still correct. */
	if (!b)
		return;
	for (i = 0; i < t->nbuckets; i++) {
		struct sa_sock *s = t->buckets[i], *next;

		for (; s; s = next) {
			size_t h = hash_key(s->netns, s->cookie, n);

			next = s->hnext;
			s->hnext = b[h];
			b[h] = s;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
}

static struct sa_sock *lookup(struct sa_sockets *t, uint32_t netns,
			      uint64_t cookie)
{
	struct sa_sock *s = t->buckets[hash_key(netns, cookie, t->nbuckets)];

	while (s && !(s->cookie == cookie && s->netns == netns))
		s = s->hnext;
	return s;
}

static struct sa_sock *create(struct sa_sockets *t, uint32_t netns,
			      uint64_t cookie)
{
	struct sa_sock *s;
	size_t h;

	if (t->live >= t->nbuckets)
		grow(t);
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->id = t->next_id++;
	s->cookie = cookie;
	s->netns = netns;
	h = hash_key(netns, cookie, t->nbuckets);
	s->hnext = t->buckets[h];
	t->buckets[h] = s;
	s->lprev = t->tail;
	if (t->tail)
		t->tail->lnext = s;
	else
		t->head = s;
	t->tail = s;
	t->live++;
	t->seen++;
	if (t->live > t->peak_live)
		t->peak_live = t->live;
	return s;
}

static void destroy(struct sa_sockets *t, struct sa_sock *s)
{
	struct sa_sock **pp = &t->buckets[hash_key(s->netns, s->cookie,
						    t->nbuckets)];

	while (*pp && *pp != s)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = s->hnext;
	if (s->lprev)
		s->lprev->lnext = s->lnext;
	else
		t->head = s->lnext;
	if (s->lnext)
		s->lnext->lprev = s->lprev;
	else
		t->tail = s->lprev;
	t->live--;
	free(s->trans);
	free(s);
}

/*
 * The owner is the process seen in process context.  Transitions run in
 * softirq carry whatever task was interrupted, so they never name it.
 * Without context information (ctx UNKNOWN) the first non-idle task is the
 * best guess, and a later process-context event replaces it.
 */
static void attribute(struct sa_sock *s, const struct skr_ev_state *ev)
{
	if (ev->c.ctx == SKR_CTX_PROCESS) {
		if (s->have_owner && s->owner_ctx == SKR_CTX_PROCESS)
			return;
	} else if (ev->c.ctx == SKR_CTX_UNKNOWN && ev->c.tgid != 0) {
		if (s->have_owner)
			return;
	} else {
		return;
	}
	s->have_owner = true;
	s->owner_ctx = ev->c.ctx;
	s->owner_pid = ev->c.tgid;
	sa_text_copy(s->owner_comm, sizeof(s->owner_comm), ev->comm,
		     sizeof(ev->comm));
}

static int add_trans(struct sa_sock *s, const struct skr_ev_state *ev)
{
	struct sa_trans *tr;

	if (s->ntrans == SA_SOCK_MAX_TRANS) {
		s->trans_dropped++;
		return 0;
	}
	if (s->ntrans == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;

		tr = realloc(s->trans, cap * sizeof(*tr));
		if (!tr)
			return -ENOMEM;
		s->trans = tr;
		s->cap = cap;
	}
	tr = &s->trans[s->ntrans++];
	memset(tr, 0, sizeof(*tr));
	tr->ts_ns = ev->c.ts_ns;
	tr->tgid = ev->c.tgid;
	tr->oldstate = ev->oldstate;
	tr->newstate = ev->newstate;
	tr->ctx = ev->c.ctx;
	sa_text_copy(tr->comm, sizeof(tr->comm), ev->comm, sizeof(ev->comm));
	return 0;
}


/*
 * The endpoints a socket is known by: the latest non-zero value of each
 * field.  A client's first event (CLOSE->SYN_SENT) has no local port yet,
 * and by its last (->CLOSE) the kernel has already released the port, so
 * neither the first nor the last event alone names the connection.
 */
static bool is_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void update_endpoints(struct sa_sock *s, const struct skr_ev_state *ev)
{
	if (ev->family != s->family) {
		/* First event, or a family the socket did not have: start over. */
		s->family = ev->family;
		memcpy(s->saddr, ev->saddr, sizeof(s->saddr));
		memcpy(s->daddr, ev->daddr, sizeof(s->daddr));
		s->sport = ev->sport;
		s->dport = ev->dport;
		return;
	}
	if (!is_zero(ev->saddr, sizeof(ev->saddr)))
		memcpy(s->saddr, ev->saddr, sizeof(s->saddr));
	if (!is_zero(ev->daddr, sizeof(ev->daddr)))
		memcpy(s->daddr, ev->daddr, sizeof(s->daddr));
	if (ev->sport)
		s->sport = ev->sport;
	if (ev->dport)
		s->dport = ev->dport;
}

int sa_sockets_state(struct sa_sockets *t, const struct skr_ev_state *ev)
{
	struct sa_sock *s;
	bool first;
	int err = 0;

	s = lookup(t, ev->c.netns, ev->c.cookie);
	first = s == NULL;
	if (!s) {
		s = create(t, ev->c.netns, ev->c.cookie);
		if (!s)
			return -ENOMEM;
		s->first_ts = ev->c.ts_ns;
	}
	err = add_trans(s, ev);
	if (err)
		return err;
	t->transitions++;
	s->last_ts = ev->c.ts_ns;
	update_endpoints(s, ev);
	attribute(s, ev);

	/* A first event CLOSE->CLOSE says nothing ended; keep the socket. */
	if (ev->newstate == SKR_TCP_CLOSE &&
	    !(first && ev->oldstate == SKR_TCP_CLOSE)) {
		if (t->done)
			err = t->done(t->ctx, s);
		destroy(t, s);
	}
	return err;
}

int sa_sockets_finish(struct sa_sockets *t)
{
	int err = 0;

	while (err == 0 && t->head) {
		struct sa_sock *s = t->head;

		if (t->done)
			err = t->done(t->ctx, s);
		destroy(t, s);
	}
	return err;
}

uint64_t sa_sockets_seen(const struct sa_sockets *t)
{
	return t->seen;
}

uint64_t sa_sockets_transitions(const struct sa_sockets *t)
{
	return t->transitions;
}

uint64_t sa_sockets_peak_live(const struct sa_sockets *t)
{
	return t->peak_live;
}

void sa_sockets_free(struct sa_sockets *t)
{
	if (!t)
		return;
	while (t->head)
		destroy(t, t->head);
	free(t->buckets);
	free(t);
}
