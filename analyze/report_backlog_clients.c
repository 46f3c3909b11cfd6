/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Connects grouped by the endpoint they went to, so that a listener's
 * overflows can be shown beside what its clients suffered
 * (report_backlog_clients.h).  At most SA_CLIENT_DESTS_MAX endpoints are
 * followed; connects to more are not counted (a client of a listener
 * seen later is then missing from its line, never counted twice).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/report_backlog_clients.h"

struct dest {
	uint64_t listener;		/* the model's link (pairs.h), or 0 */
	uint32_t host, netns;
	uint8_t family;
	uint16_t port;
	uint8_t addr[16];
	struct sa_clients_sum sum;
};

struct sa_clients {
	struct dest *d;
	size_t n, cap;
};

int sa_clients_new(struct sa_clients **cp)
{
	*cp = calloc(1, sizeof(**cp));
	return *cp ? 0 : -ENOMEM;
}

void sa_clients_free(struct sa_clients *c)
{
	if (!c)
		return;
	free(c->d);
	free(c);
}

static struct dest *dest_of(struct sa_clients *c, const struct sa_sock *s,
			    uint64_t listener, int *err)
{
	struct dest *d;
	size_t i;

	*err = 0;
	for (i = 0; i < c->n; i++) {
		d = &c->d[i];
		if (d->listener == listener &&
		    d->host == s->host && d->netns == s->netns &&
		    d->family == s->family && d->port == s->dport &&
		    memcmp(d->addr, s->daddr, sizeof(d->addr)) == 0)
			return d;
	}
	if (c->n == SA_CLIENT_DESTS_MAX)
		return NULL;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;

		d = realloc(c->d, cap * sizeof(*d));
		if (!d) {
			*err = -ENOMEM;
			return NULL;
		}
		c->d = d;
		c->cap = cap;
	}
	d = &c->d[c->n++];
	memset(d, 0, sizeof(*d));
	d->listener = listener;
	d->host = s->host;
	d->netns = s->netns;
	d->family = s->family;
	d->port = s->dport;
	memcpy(d->addr, s->daddr, sizeof(d->addr));
	return d;
}

static int cmp_id(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* Add id to the first ids, keeping the smallest SA_CLIENT_IDS_SHOWN. */
static void add_id(struct sa_clients_sum *t, uint64_t id)
{
	if (t->nids < SA_CLIENT_IDS_SHOWN) {
		t->ids[t->nids++] = id;
	} else if (id < t->ids[SA_CLIENT_IDS_SHOWN - 1]) {
		t->ids[SA_CLIENT_IDS_SHOWN - 1] = id;
	} else {
		return;
	}
	qsort(t->ids, t->nids, sizeof(t->ids[0]), cmp_id);
}

int sa_clients_add(struct sa_clients *c, const struct sa_sock *s,
		   uint64_t listener)
{
	struct sa_clients_sum *t;
	struct dest *d;
	uint64_t ns;
	int err;

	if (!c || s->role != SA_ROLE_ACTIVE || s->dport == 0 ||
	    !(s->have_at & (1u << SA_AT_SYN_SENT)))
		return 0;
	d = dest_of(c, s, listener, &err);
	if (!d)
		return err;
	t = &d->sum;
	t->connects++;
	if (sa_life_time(s, SA_AT_SYN_SENT, SA_AT_ESTABLISHED, &ns)) {
		t->established++;
		if (ns > t->connect_max_ns)
			t->connect_max_ns = ns;
	}
	if (s->syn_retrans > 0) {
		t->retried++;
		t->syn_retrans += s->syn_retrans;
		add_id(t, s->id);
	}
	return 0;
}

static bool zero_addr(const uint8_t a[16])
{
	static const uint8_t z[16];

	return memcmp(a, z, sizeof(z)) == 0;
}

bool sa_clients_of(const struct sa_clients *c, const struct sa_sock *l,
		   struct sa_clients_sum *sum)
{
	bool any = l->family == 0 || zero_addr(l->saddr);
	size_t i, k;

	memset(sum, 0, sizeof(*sum));
	if (!c || l->sport == 0)
		return false;
	for (i = 0; i < c->n; i++) {
		const struct dest *d = &c->d[i];

		/* Connects from another host or namespace, as the model linked */
		if (d->listener != 0) {
			if (d->listener != l->id)
				continue;
		} else if (d->host != l->host || d->netns != l->netns ||
			   d->port != l->sport) {
			continue;
		} else if (!any && (d->family != l->family ||
				    memcmp(d->addr, l->saddr,
					   sizeof(d->addr)) != 0)) {
			continue;
		}
		sum->connects += d->sum.connects;
		sum->established += d->sum.established;
		sum->retried += d->sum.retried;
		sum->syn_retrans += d->sum.syn_retrans;
		if (d->sum.connect_max_ns > sum->connect_max_ns)
			sum->connect_max_ns = d->sum.connect_max_ns;
		for (k = 0; k < d->sum.nids; k++)
			add_id(sum, d->sum.ids[k]);
	}
	return sum->connects > 0;
}

bool sa_clients_syn_observable(const struct sa_analysis *a)
{
	const char *why;

	return sa_observable_probe(a, SKR_REC_RETRANSMIT, "tcp_retransmit_skb",
				   &why);
}

/* "#4 #6 #7", the connects that resent their SYN. */
const char *sa_clients_ids(const struct sa_clients_sum *c, const char *hash,
			   char *buf, size_t size)
{
	size_t used = 0, i;
	int n;

	buf[0] = '\0';
	for (i = 0; i < c->nids; i++) {
		n = snprintf(buf + used, size - used, "%s%s%" PRIu64,
			     i ? " " : "", hash, c->ids[i]);
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
	return buf;
}
