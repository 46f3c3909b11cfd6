/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Packets dropped with no socket, kept for the reports (analyze/drops.h).
 * Memory is bounded whatever the file holds: SA_DROPS_GROUPS_MAX groups
 * and SA_DROPS_FLOWS_MAX flows (a scan of every port fills them; what
 * follows is counted, not kept).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/drops.h"
#include "analyze/hash.h"

struct flow {
	uint32_t host, netns;
	uint8_t family, used;
	uint16_t port, from_port;
	uint8_t addr[16];
	uint64_t count;
	char reason[SA_DROP_REASON_LEN];
};

struct sa_drops {
	struct sa_drop_group *g;
	size_t n, cap;
	uint64_t other;
	struct flow *flow;
	size_t nflow, fcap;
	uint64_t seed;
};

int sa_drops_new(struct sa_drops **dp)
{
	struct sa_drops *d = calloc(1, sizeof(*d));

	*dp = d;
	if (!d)
		return -ENOMEM;
	/* Only the table's speed depends on it, never what is reported. */
	d->seed = sa_mix64((uint64_t)(uintptr_t)d ^ 0x2545f4914f6cdd1dull);
	return 0;
}

void sa_drops_free(struct sa_drops *d)
{
	if (!d)
		return;
	free(d->g);
	free(d->flow);
	free(d);
}

static size_t flow_hash(const struct sa_drops *d, const struct flow *k)
{
	uint64_t a, b;

	memcpy(&a, k->addr, 8);
	memcpy(&b, k->addr + 8, 8);
	return (size_t)sa_mix64(d->seed ^ sa_mix64(a ^ sa_mix64(b ^ sa_mix64(
		(uint64_t)k->host << 32 ^ k->netns) ^
		((uint64_t)k->family << 32 | (uint64_t)k->port << 16 |
		 k->from_port)))) & (d->fcap - 1);
}

static bool flow_eq(const struct flow *x, const struct flow *y)
{
	return x->host == y->host && x->netns == y->netns &&
	       x->family == y->family && x->port == y->port &&
	       x->from_port == y->from_port &&
	       memcmp(x->addr, y->addr, sizeof(x->addr)) == 0;
}

/* The slot of k, or the empty one where it goes; fcap > 0. */
static struct flow *flow_find(const struct sa_drops *d, const struct flow *k)
{
	size_t i = flow_hash(d, k);

	while (d->flow[i].used && !flow_eq(&d->flow[i], k))
		i = (i + 1) & (d->fcap - 1);
	return &d->flow[i];
}

static int flow_grow(struct sa_drops *d)
{
	struct flow *old = d->flow;
	size_t oldcap = d->fcap, i;

	d->fcap = oldcap ? oldcap * 2 : 64;
	d->flow = calloc(d->fcap, sizeof(*d->flow));
	if (!d->flow) {
		d->flow = old;
		d->fcap = oldcap;
		return -ENOMEM;
	}
	for (i = 0; i < oldcap; i++)
		if (old[i].used)
			*flow_find(d, &old[i]) = old[i];
	free(old);
	return 0;
}

static int add_flow(struct sa_drops *d, const struct flow *k,
		    const char *reason)
{
	struct flow *f;
	int err;

	if (d->fcap > 0) {
		f = flow_find(d, k);
		if (f->used)
			goto found;
	}
	if (d->nflow >= SA_DROPS_FLOWS_MAX)
		return 0;
	/* At most half full keeps the probes short. */
	if (2 * (d->nflow + 1) > d->fcap) {
		err = flow_grow(d);
		if (err)
			return err;
	}
	f = flow_find(d, k);
	*f = *k;
	f->used = 1;
	d->nflow++;
found:
	f->count++;
	sa_text_copy(f->reason, sizeof(f->reason), reason, strlen(reason));
	return 0;
}

static struct sa_drop_group *group_of(struct sa_drops *d, uint32_t host,
				      uint32_t netns, const char *reason,
				      const char *dest, int *err)
{
	struct sa_drop_group *g;
	size_t i;

	*err = 0;
	for (i = 0; i < d->n; i++) {
		g = &d->g[i];
		if (g->host == host && g->netns == netns &&
		    strcmp(g->reason, reason) == 0 &&
		    strcmp(g->dest, dest) == 0)
			return g;
	}
	if (d->n == SA_DROPS_GROUPS_MAX)
		return NULL;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;

		g = realloc(d->g, cap * sizeof(*g));
		if (!g) {
			*err = -ENOMEM;
			return NULL;
		}
		d->g = g;
		d->cap = cap;
	}
	g = &d->g[d->n++];
	memset(g, 0, sizeof(*g));
	g->host = host;
	g->netns = netns;
	sa_text_copy(g->reason, sizeof(g->reason), reason, strlen(reason));
	sa_text_copy(g->dest, sizeof(g->dest), dest, strlen(dest));
	return g;
}

int sa_drops_add(struct sa_drops *d, const struct sa_evctx *ec,
		 const char *reason, const struct skr_ev_skb_drop *ev)
{
	char dest[SA_ENDPOINT_LEN];
	struct sa_drop_group *g;
	struct flow k;
	int err;

	sa_text_endpoint(ev->family, ev->saddr, ev->sport, dest, sizeof(dest));
	g = group_of(d, ec->host, ev->c.netns, reason, dest, &err);
	if (!g) {
		if (err)
			return err;
		d->other++;
	} else {
		if (g->count == 0) {
			g->input = ec->input;
			g->first_ts = ev->c.ts_ns;
			g->first_mt = ec->mt;
			g->port = ev->sport;
		}
		/* Times of one input compare; of another, merge times do. */
		if (g->input == ec->input)
			g->last_ts = ev->c.ts_ns;
		g->last_mt = ec->mt;
		g->count++;
	}
	memset(&k, 0, sizeof(k));
	k.host = ec->host;
	k.netns = ev->c.netns;
	k.family = ev->family;
	k.port = ev->sport;
	k.from_port = ev->dport;
	memcpy(k.addr, ev->saddr, sizeof(k.addr));
	return add_flow(d, &k, reason);
}

uint64_t sa_drops_to(const struct sa_drops *d, uint32_t host, uint32_t netns,
		     unsigned family, const uint8_t addr[16], uint16_t port,
		     uint16_t from_port, const char **reason)
{
	const struct flow *f;
	struct flow k;

	*reason = NULL;
	if (!d || d->fcap == 0)
		return 0;
	memset(&k, 0, sizeof(k));
	k.host = host;
	k.netns = netns;
	k.family = (uint8_t)family;
	k.port = port;
	k.from_port = from_port;
	memcpy(k.addr, addr, sizeof(k.addr));
	f = flow_find(d, &k);
	if (!f->used)
		return 0;
	*reason = f->reason;
	return f->count;
}

size_t sa_drops_ngroups(const struct sa_drops *d)
{
	return d ? d->n : 0;
}

const struct sa_drop_group *sa_drops_group(const struct sa_drops *d,
					   size_t i)
{
	return d && i < d->n ? &d->g[i] : NULL;
}

uint64_t sa_drops_other(const struct sa_drops *d)
{
	return d ? d->other : 0;
}
