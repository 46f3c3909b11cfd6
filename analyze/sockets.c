/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The socket table: sockets by key, and the end of each life.  A socket
 * is identified by (host, netns, cookie), never by its addresses, which
 * the kernel reuses; the host is part of the key because cookies are only
 * unique within one boot of one machine.
 *
 * Only live sockets are held.  A socket that reaches CLOSE moves to a
 * closing list for SA_CLOSE_GRACE_NS (the kernel reports a refused
 * connect's error and a socket's destroy counters after CLOSE), or until
 * SA_CLOSING_MAX later ones closed, then is handed to the callback and
 * freed, so memory follows the number of open sockets rather than the
 * length of the trace or its rate of closes.
 *
 * Live sockets are kept in order of first appearance and closing ones in
 * order of closing, which are the orders lives are handed on in; nothing
 * is ever reported in hash order.
 *
 * The rest of the table is in sockets_listen.c (the open-listener index),
 * sockets_owner.c (owners and task names), sockets_state.c (what
 * transitions and other events say about a socket) and sockets_items.c
 * (the events kept for --timeline); analyze/sockets_priv.h holds what they
 * share.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze/hash.h"
#include "analyze/items.h"
#include "analyze/pairs.h"
#include "analyze/sockets_priv.h"
#include "format/skr.h"

#define SPARE_MAX	4096	/* freed sockets kept for reuse */

/* The bound of tables made from now on; only tests change it. */
static size_t max_live_next = SA_SOCKETS_MAX_LIVE;

void sa_sockets_test_max_live(size_t n)
{
	max_live_next = n ? n : SA_SOCKETS_MAX_LIVE;
}

/*
 * splitmix64 finalizer: cookies are sequential, so mix them.  The keys come
 * from the file, and the mix is a bijection anyone can invert: without the
 * table's seed, which differs from run to run, a crafted trace could put a
 * million live sockets in one chain.  Nothing is reported in hash order.
 */
static size_t hash_key(uint64_t seed, uint32_t host, uint32_t netns,
		       uint64_t cookie, size_t nbuckets)
{
	uint64_t x = seed ^ cookie ^ ((uint64_t)netns << 32 | netns) ^
		     ((uint64_t)host * 0x9e3779b97f4a7c15ull);

	return (size_t)(sa_mix64(x) & (nbuckets - 1));
}

static size_t hash_sock(const struct sa_sockets *t, const struct sa_sock *s,
			size_t nbuckets)
{
	return hash_key(t->seed, s->host, s->netns, s->cookie, nbuckets);
}

int sa_sockets_new(struct sa_sockets **tp, sa_sock_fn done, void *ctx)
{
	struct sa_sockets *t;
	int err = -ENOMEM;

	t = calloc(1, sizeof(*t));
	if (!t)
		goto fail;
	t->seed = sa_mix64((uint64_t)(uintptr_t)t ^
			   (uint64_t)time(NULL) << 20 ^ 0xd1b54a32d192ed03ull);
	t->nbuckets = 256;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets)
		goto fail;
	t->comms = malloc(sizeof(*t->comms));
	if (!t->comms)
		goto fail;
	t->comms->n = t->comms->oldest = 0;
	for (size_t i = 0; i < SA_COMM_BUCKETS; i++)
		t->comms->bucket[i] = SA_COMM_NONE;
	t->done = done;
	t->ctx = ctx;
	t->next_id = 1;
	t->keep_items = true;
	t->keep_owners = true;
	t->keep_pairs = true;
	t->max_live = max_live_next;
	err = sa_pairs_new(&t->pairs);
	if (err)
		goto fail;
	*tp = t;
	return 0;
fail:
	sa_sockets_free(t);
	return err;
}

void sa_sockets_keep_items(struct sa_sockets *t, bool keep)
{
	t->keep_items = keep;
}

/*
 * sa_pairs_enable() of the table's pairs (call this, not that: the table
 * then skips the call per state change when no view reads pairs).
 */
void sa_sockets_keep_pairs(struct sa_sockets *t, bool on)
{
	t->keep_pairs = on;
	sa_pairs_enable(t->pairs, on);
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
			size_t h = hash_sock(t, s, n);

			next = sa_node(s)->hnext;
			sa_node(s)->hnext = b[h];
			b[h] = s;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
}

size_t sa_sockets_test_longest_chain(const struct sa_sockets *t)
{
	size_t i, n, most = 0;

	for (i = 0; i < t->nbuckets; i++) {
		const struct sa_sock *s = t->buckets[i];

		for (n = 0; s; s = sa_node(s)->hnext)
			n++;
		if (n > most)
			most = n;
	}
	return most;
}

struct sa_sock *sa_sockets_lookup(struct sa_sockets *t, uint32_t host,
				  uint32_t netns, uint64_t cookie)
{
	struct sa_sock *s;

	s = t->buckets[hash_key(t->seed, host, netns, cookie, t->nbuckets)];
	while (s && !(s->cookie == cookie && s->netns == netns &&
		      s->host == host))
		s = sa_node(s)->hnext;
	return s;
}

static void list_add(struct sa_list *l, struct sa_sock *s)
{
	sa_node(s)->lnext = NULL;
	sa_node(s)->lprev = l->tail;
	if (l->tail)
		sa_node(l->tail)->lnext = s;
	else
		l->head = s;
	l->tail = s;
}

static void list_del(struct sa_list *l, struct sa_sock *s)
{
	if (sa_node(s)->lprev)
		sa_node(sa_node(s)->lprev)->lnext = sa_node(s)->lnext;
	else
		l->head = sa_node(s)->lnext;
	if (sa_node(s)->lnext)
		sa_node(sa_node(s)->lnext)->lprev = sa_node(s)->lprev;
	else
		l->tail = sa_node(s)->lprev;
	sa_node(s)->lprev = sa_node(s)->lnext = NULL;
}
static struct sa_sock *sock_alloc(struct sa_sockets *t)
{
	struct sa_sock_node *n;
	struct sa_sock *s = t->spare;

	if (!s) {
		n = calloc(1, sizeof(*n));
		return n ? &n->s : NULL;
	}
	n = sa_node(s);
	t->spare = n->hnext;
	t->nspare--;
	memset(n, 0, sizeof(*n));
	return &n->s;
}

static void sock_free(struct sa_sockets *t, struct sa_sock *s)
{
	if (t->nspare == SPARE_MAX) {
		free(sa_node(s));
		return;
	}
	sa_node(s)->hnext = t->spare;
	t->spare = s;
	t->nspare++;
}

struct sa_sock *sa_sockets_create(struct sa_sockets *t,
				  const struct sa_evctx *ec, uint32_t netns,
				  uint64_t cookie, uint64_t ts)
{
	struct sa_sock *s;
	size_t h;

	/* Other events name sockets while holding one: they get no room made. */
	if (t->live >= t->max_live)
		return NULL;
	if (t->live >= t->nbuckets)
		grow(t);
	s = sock_alloc(t);
	if (!s)
		return NULL;
	s->id = t->next_id++;
	s->cookie = cookie;
	s->netns = netns;
	s->host = ec->host;
	s->input = ec->input;
	s->first_ts = s->last_ts = ts;
	s->first_mt = s->last_mt = ec->mt;
	s->reset_reason = SKR_REASON_NONE;
	h = hash_sock(t, s, t->nbuckets);
	sa_node(s)->hnext = t->buckets[h];
	t->buckets[h] = s;
	list_add(&t->open, s);
	t->live++;
	t->nopen++;
	t->seen++;
	/* Closed ones waiting out their grace are not live any more. */
	if (t->nopen > t->peak_live)
		t->peak_live = t->nopen;
	return s;
}

static void destroy(struct sa_sockets *t, struct sa_sock *s)
{
	struct sa_sock **pp = &t->buckets[hash_sock(t, s, t->nbuckets)];
	size_t i;

	while (*pp && *pp != s)
		pp = &sa_node(*pp)->hnext;
	if (*pp)
		*pp = sa_node(s)->hnext;
	for (i = 0; i < t->ndirty;) {
		if (t->dirty[i] == s)
			t->dirty[i] = t->dirty[--t->ndirty];
		else
			i++;
	}
	sa_sockets_index_del(t, s);
	sa_pairs_forget(t->pairs, s);
	if (sa_node(s)->ending)
		t->nclosing--;
	else
		t->nopen--;
	list_del(sa_node(s)->ending ? &t->closing : &t->open, s);
	t->live--;
	sa_sockets_items_free(t, s);
	sock_free(t, s);
}

/* Hand a life on and forget it. */
int sa_sockets_hand_on(struct sa_sockets *t, struct sa_sock *s)
{
	int err = 0;

	sa_sockets_name_owner(t, s);
	if (t->done)
		err = t->done(t->ctx, s);
	destroy(t, s);
	return err;
}

void sa_sockets_start_closing(struct sa_sockets *t, struct sa_sock *s,
			      uint64_t mt)
{
	if (sa_node(s)->ending)
		return;
	sa_sockets_index_del(t, s);
	list_del(&t->open, s);
	list_add(&t->closing, s);
	sa_node(s)->ending = true;
	sa_node(s)->close_mt = mt;
	t->nclosing++;
	t->nopen--;
}

struct sa_sock *sa_sockets_get(struct sa_sockets *t,
			       const struct sa_evctx *ec, uint32_t netns,
			       uint64_t cookie, uint64_t ts, bool create_it)
{
	struct sa_sock *s = sa_sockets_lookup(t, ec->host, netns, cookie);

	if (!s && create_it) {
		s = sa_sockets_create(t, ec, netns, cookie, ts);
		if (s)
			s->older = true;
	}
	/* The caller may make it a listener. */
	if (s)
		sa_sockets_mark_dirty(t, s);
	return s;
}

void sa_sockets_destroyed(struct sa_sockets *t, struct sa_sock *s)
{
	sa_node(s)->destroyed = true;
	sa_sockets_start_closing(t, s, s->last_mt);
}

/*
 * The next life to hand on is read soon (by the report), long after it was
 * last touched: ask the cache for it now, its socket at one tick and its
 * items (whose address is in the socket) at the next.  Reports on short
 * lives spent a fifth of their time waiting for these reads.
 */
static void prefetch_next(struct sa_sockets *t)
{
#if defined(__GNUC__)
	struct sa_sock *h = t->closing.head;
	size_t i;

	if (!h)
		return;
	if (h != t->pf_sock) {
		t->pf_sock = h;
		t->pf_items = false;
		for (i = 0; i < sizeof(*h); i += 64)
			__builtin_prefetch((const char *)h + i);
	} else if (!t->pf_items) {
		t->pf_items = true;
		for (i = 0; i < h->nitems * sizeof(*h->items) && i < 1024;
		     i += 64)
			__builtin_prefetch((const char *)h->items + i);
	}
#else
	(void)t;
#endif
}

/*
 * The socket of nearly every event was last touched long before, among
 * thousands of others: its lookup and its update waited for memory (a
 * fifth of --timeline's samples).  Asked for one event ahead, it arrives
 * while the event before is applied.  Only the first life of the chain is
 * asked for; most chains hold one.
 */
/*
 * A node is 16-byte aligned, not 64: at most eight lines from its start
 * and its last byte cover it (a ninth line when it starts past 40 bytes
 * into one, as a quarter of nodes do; that line holds the transitions
 * count every state change adds to, and without it that add was a
 * quarter of sa_sockets_state's samples).
 */
_Static_assert(sizeof(struct sa_sock_node) <= 8 * 64, "node past 8 lines");

void sa_sockets_prefetch(const struct sa_sockets *t, uint32_t host,
			 uint32_t netns, uint64_t cookie)
{
#if defined(__GNUC__)
	const struct sa_sock *s;
	const char *n;

	if (!t || t->nbuckets == 0)
		return;
	s = t->buckets[hash_key(t->seed, host, netns, cookie, t->nbuckets)];
	if (!s)
		return;
	/* Spelt out: the loop's own steps were half of its instructions. */
	n = (const char *)s - offsetof(struct sa_sock_node, s);
	__builtin_prefetch(n);
	__builtin_prefetch(n + 64);
	__builtin_prefetch(n + 128);
	__builtin_prefetch(n + 192);
	__builtin_prefetch(n + 256);
	__builtin_prefetch(n + 320);
	__builtin_prefetch(n + 384);
	__builtin_prefetch(n + 448);
	__builtin_prefetch(n + sizeof(struct sa_sock_node) - 1);
#else
	(void)t;
	(void)host;
	(void)netns;
	(void)cookie;
#endif
}

void sa_sockets_prefetch_slot(const struct sa_sockets *t, uint32_t host,
			      uint32_t netns, uint64_t cookie)
{
#if defined(__GNUC__)
	/* Reading the entry itself missed the cache as often as the life. */
	if (t && t->nbuckets > 0)
		__builtin_prefetch(&t->buckets[hash_key(t->seed, host, netns,
							 cookie, t->nbuckets)]);
#else
	(void)t;
	(void)host;
	(void)netns;
	(void)cookie;
#endif
}

/* s, the oldest closing life, may wait longer. */
static bool in_grace(const struct sa_sockets *t, const struct sa_sock *s,
		     uint64_t now)
{
	return t->nclosing <= SA_CLOSING_MAX &&
	       (now < sa_node(s)->close_mt ||
		now - sa_node(s)->close_mt < SA_CLOSE_GRACE_NS);
}

/*
 * Hand on the closing lives whose grace is over, oldest first.  Apart
 * from the tick, which mostly has none to hand on and then no call.
 */
static int hand_on_due(struct sa_sockets *t, uint64_t now)
{
	struct sa_sock *s;
	int err = 0;

	while (err == 0 && (s = t->closing.head) != NULL &&
	       !in_grace(t, s, now))
		err = sa_sockets_hand_on(t, s);
	return err;
}

int sa_sockets_tick(struct sa_sockets *t, uint64_t now)
{
	struct sa_sock *s;
	int err = 0;

	/* Mostly nothing was handed out since the last tick: no call. */
	if (t->ndirty > 0 || t->rescan)
		sa_sockets_settle(t);
	if (t->index_err)
		return t->index_err;
	s = t->closing.head;
	if (s && !in_grace(t, s, now))
		err = hand_on_due(t, now);
	prefetch_next(t);
	return err;
}

int sa_sockets_finish(struct sa_sockets *t)
{
	int err = 0;

	while (err == 0 && t->closing.head)
		err = sa_sockets_hand_on(t, t->closing.head);
	while (err == 0 && t->open.head)
		err = sa_sockets_hand_on(t, t->open.head);
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

uint64_t sa_sockets_evicted(const struct sa_sockets *t)
{
	return t->evicted;
}

bool sa_sockets_full(const struct sa_sockets *t)
{
	return t->live >= t->max_live;
}

size_t sa_sockets_max_live(const struct sa_sockets *t)
{
	return t->max_live;
}

uint64_t sa_sockets_peak_live(const struct sa_sockets *t)
{
	return t->peak_live;
}

void sa_sockets_free(struct sa_sockets *t)
{
	if (!t)
		return;
	while (t->closing.head)
		destroy(t, t->closing.head);
	while (t->open.head)
		destroy(t, t->open.head);
	while (t->spare) {
		struct sa_sock *s = t->spare;

		t->spare = sa_node(s)->hnext;
		free(sa_node(s));
	}
	sa_sockets_items_release(t);
	free(t->buckets);
	free(t->lbuckets);
	free(t->comms);
	sa_pairs_free(t->pairs);
	free(t);
}

struct sa_pairs *sa_sockets_pairs(struct sa_sockets *t)
{
	return t->pairs;
}
