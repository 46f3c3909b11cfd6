/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The socket table's index of open listeners.
 *
 * Each passive socket asks for the listener it came from: the one bound
 * to its local address and port, else one bound to any address on that
 * port, the oldest (lowest id) of each kind when several share it
 * (SO_REUSEPORT).  A trace may hold any number of listeners (a hostile
 * one a million), so the question must not walk them: listeners are
 * grouped by key in a hash table, and each group keeps its members in a
 * min-heap by id.  A lookup is two hash probes and a look at a heap's
 * root; adding or removing a listener costs O(log n) in its group.
 *
 * Keys: every listener is in the group of (host, netns, port, family,
 * local address); one bound to the zero address is also in the wildcard
 * group of (host, netns, port), whatever its family, since a dual-stack
 * socket on [::] takes IPv4 connections too.
 *
 * A socket becomes a listener either here (a transition) or in the
 * caller's hands after sa_sockets_get(), and a listener's endpoints may be
 * filled in the same way; those sockets are remembered and checked on the
 * next tick or listener lookup, once the caller is done with them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze/hash.h"
#include "analyze/sockets_priv.h"
#include "analyze/work.h"

struct sa_work sa_work;

enum { EXACT, WILD };

struct sa_lgroup {
	struct sa_lgroup *next;		/* hash chain */
	uint32_t host, netns;
	uint16_t port;
	uint8_t family;			/* 0 in a wildcard group */
	bool wild;
	uint8_t addr[16];		/* zero in a wildcard group */
	struct sa_sock **heap;		/* min-heap by id */
	size_t n, cap;
};

/* The key a listener is indexed under, as one group would hold it. */
static void key_of(const struct sa_sock *s, int kind, struct sa_lgroup *k)
{
	memset(k, 0, sizeof(*k));
	k->host = s->host;
	k->netns = s->netns;
	k->port = s->sport;
	k->wild = kind == WILD;
	if (!k->wild) {
		k->family = s->family;
		memcpy(k->addr, s->saddr, sizeof(k->addr));
	}
}

static bool same_key(const struct sa_lgroup *a, const struct sa_lgroup *b)
{
	return a->host == b->host && a->netns == b->netns &&
	       a->port == b->port && a->family == b->family &&
	       a->wild == b->wild && memcmp(a->addr, b->addr, 16) == 0;
}

/*
 * Keys come from the file: a fixed hash would let a crafted trace put
 * every listener in one chain.  The seed differs from run to run (heap
 * address and time); nothing is ever reported in hash order, so the
 * output does not depend on it.
 */
static size_t hash_group(const struct sa_sockets *t, const struct sa_lgroup *k,
			 size_t nbuckets)
{
	uint64_t a0, a1, x;

	memcpy(&a0, k->addr, 8);
	memcpy(&a1, k->addr + 8, 8);
	x = sa_mix64(t->lseed ^ ((uint64_t)k->host << 32 | k->netns));
	x = sa_mix64(x ^ ((uint64_t)k->port << 16 | (uint64_t)k->family << 8 |
			  k->wild));
	x = sa_mix64(x ^ a0);
	x = sa_mix64(x ^ a1);
	return (size_t)(x & (nbuckets - 1));
}

static struct sa_lgroup **find_group(struct sa_sockets *t,
				     const struct sa_lgroup *k)
{
	struct sa_lgroup **pp;

	if (t->nlbuckets == 0)
		return NULL;
	pp = &t->lbuckets[hash_group(t, k, t->nlbuckets)];
	for (; *pp; pp = &(*pp)->next) {
		sa_work.listener_steps++;
		if (same_key(*pp, k))
			return pp;
	}
	return pp;
}

/* Double the buckets once there are more groups than buckets. */
static int grow_buckets(struct sa_sockets *t)
{
	size_t n = t->nlbuckets ? t->nlbuckets * 2 : 64, i;
	struct sa_lgroup **b, *g, *next;

	if (t->nlgroups < t->nlbuckets)
		return 0;
	if (t->nlbuckets == 0)
		t->lseed = sa_mix64((uint64_t)(uintptr_t)t ^
				    (uint64_t)time(NULL) << 20);
	if (n > SIZE_MAX / sizeof(*b))
		return 0;	/* keep the chains longer: slower, still right */
	b = calloc(n, sizeof(*b));
	if (!b)
		return t->nlbuckets ? 0 : -ENOMEM;
	for (i = 0; i < t->nlbuckets; i++) {
		for (g = t->lbuckets[i]; g; g = next) {
			size_t h = hash_group(t, g, n);

			next = g->next;
			g->next = b[h];
			b[h] = g;
		}
	}
	free(t->lbuckets);
	t->lbuckets = b;
	t->nlbuckets = n;
	return 0;
}

static void heap_set(struct sa_lgroup *g, int kind, size_t i,
		     struct sa_sock *s)
{
	g->heap[i] = s;
	sa_node(s)->xpos[kind] = i;
}

static void sift_up(struct sa_lgroup *g, int kind, size_t i)
{
	struct sa_sock *s = g->heap[i];

	while (i > 0 && g->heap[(i - 1) / 2]->id > s->id) {
		heap_set(g, kind, i, g->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(g, kind, i, s);
}

static void sift_down(struct sa_lgroup *g, int kind, size_t i)
{
	struct sa_sock *s = g->heap[i];
	size_t c;

	while ((c = 2 * i + 1) < g->n) {
		if (c + 1 < g->n && g->heap[c + 1]->id < g->heap[c]->id)
			c++;
		if (g->heap[c]->id >= s->id)
			break;
		heap_set(g, kind, i, g->heap[c]);
		i = c;
	}
	heap_set(g, kind, i, s);
}

static int group_add(struct sa_sockets *t, struct sa_sock *s, int kind)
{
	struct sa_lgroup k, **pp, *g;
	int err;

	key_of(s, kind, &k);
	sa_work.listener_ops++;
	err = grow_buckets(t);
	if (err)
		return err;
	pp = find_group(t, &k);
	g = *pp;
	if (!g) {
		g = malloc(sizeof(*g));
		if (!g)
			return -ENOMEM;
		*g = k;
		*pp = g;
		t->nlgroups++;
	}
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 2;
		struct sa_sock **h = realloc(g->heap, cap * sizeof(*h));

		if (!h) {
			if (g->n == 0) {
				*pp = g->next;
				t->nlgroups--;
				free(g);
			}
			return -ENOMEM;
		}
		g->heap = h;
		g->cap = cap;
	}
	sa_node(s)->xgroup[kind] = g;
	g->heap[g->n++] = s;
	sift_up(g, kind, g->n - 1);
	return 0;
}

static void group_del(struct sa_sockets *t, struct sa_sock *s, int kind)
{
	struct sa_lgroup *g = sa_node(s)->xgroup[kind], **pp;
	size_t i = sa_node(s)->xpos[kind];

	if (!g)
		return;
	sa_node(s)->xgroup[kind] = NULL;
	if (--g->n > i) {
		struct sa_sock *last = g->heap[g->n];

		/* The last one fills the hole, and may belong above or below. */
		heap_set(g, kind, i, last);
		sift_up(g, kind, i);
		sift_down(g, kind, sa_node(last)->xpos[kind]);
	}
	if (g->n > 0)
		return;
	pp = &t->lbuckets[hash_group(t, g, t->nlbuckets)];
	while (*pp != g)
		pp = &(*pp)->next;
	*pp = g->next;
	t->nlgroups--;
	free(g->heap);
	free(g);
}

void sa_sockets_index_del(struct sa_sockets *t, struct sa_sock *s)
{
	if (!sa_node(s)->listed)
		return;
	group_del(t, s, EXACT);
	group_del(t, s, WILD);
	sa_node(s)->listed = false;
}

static int index_add(struct sa_sockets *t, struct sa_sock *s)
{
	int err;

	err = group_add(t, s, EXACT);
	if (!err && sa_sockets_is_zero(s->saddr, sizeof(s->saddr))) {
		err = group_add(t, s, WILD);
		if (err)
			group_del(t, s, EXACT);
	}
	if (!err)
		sa_node(s)->listed = true;
	return err;
}

/* Whether s's endpoints still give the key of the group it is in. */
static bool key_current(const struct sa_sock *s)
{
	struct sa_lgroup k;

	key_of(s, EXACT, &k);
	return same_key(&k, sa_node(s)->xgroup[EXACT]) &&
	       (sa_node(s)->xgroup[WILD] != NULL) ==
	       sa_sockets_is_zero(s->saddr, sizeof(s->saddr));
}

/*
 * Listeners are the open sockets whose role says so.  Nothing turns a
 * listener into another role, but its endpoints may be learnt after it
 * was indexed: it then moves to the group of its new key.  On ENOMEM the
 * socket stays off the index and the error is kept for the next tick.
 */
void sa_sockets_index_check(struct sa_sockets *t, struct sa_sock *s)
{
	int err;

	if (sa_node(s)->ending || s->role != SA_ROLE_LISTENER)
		return;
	if (sa_node(s)->listed) {
		if (key_current(s))
			return;
		sa_sockets_index_del(t, s);
	}
	err = index_add(t, s);
	if (err && !t->index_err)
		t->index_err = err;
}

void sa_sockets_settle(struct sa_sockets *t)
{
	struct sa_sock *s;
	size_t i;

	if (t->rescan) {
		for (s = t->open.head; s; s = sa_node(s)->lnext)
			sa_sockets_index_check(t, s);
		t->rescan = false;
	}
	for (i = 0; i < t->ndirty; i++)
		sa_sockets_index_check(t, t->dirty[i]);
	t->ndirty = 0;
}

void sa_sockets_mark_dirty(struct sa_sockets *t, struct sa_sock *s)
{
	/* A listed listener too: the caller may fill in its endpoints. */
	if (sa_node(s)->ending)
		return;
	if (t->ndirty > 0 && t->dirty[t->ndirty - 1] == s)
		return;
	if (t->ndirty == SA_DIRTY_MAX) {
		t->rescan = true;
		return;
	}
	t->dirty[t->ndirty++] = s;
}

/* The oldest listener of the group of key k, or NULL. */
static struct sa_sock *oldest(struct sa_sockets *t, const struct sa_lgroup *k)
{
	struct sa_lgroup **pp = find_group(t, k);

	return pp && *pp ? (*pp)->heap[0] : NULL;
}

struct sa_sock *sa_sockets_listener(struct sa_sockets *t, uint32_t host,
				    uint32_t netns, unsigned family,
				    const uint8_t addr[16], uint16_t port)
{
	struct sa_lgroup k;
	struct sa_sock *s;

	sa_sockets_settle(t);
	sa_work.listener_ops++;
	memset(&k, 0, sizeof(k));
	k.host = host;
	k.netns = netns;
	k.port = port;
	/* A listener bound to the address beats one bound to any address. */
	if (family <= UINT8_MAX) {
		k.family = (uint8_t)family;
		memcpy(k.addr, addr, sizeof(k.addr));
		s = oldest(t, &k);
		if (s)
			return s;
	}
	k.family = 0;
	k.wild = true;
	memset(k.addr, 0, sizeof(k.addr));
	return oldest(t, &k);
}
