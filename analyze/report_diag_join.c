/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The diagnosis finding that joins the two sides of a listen overflow: a
 * client's connect that timed out, was refused after resending its SYN,
 * or was slow because it resent its SYN, and a listener at the address it
 * was sent to whose sk_drops grew while that SYN was on its way.  The
 * client and the listener may be in one trace (loopback, two namespaces)
 * or in two traces of two hosts (after clock alignment, clock.c).
 *
 * A listener's drops are read at listen, at each accept and at each
 * periodic sample: when they grew between two readings, the drops
 * happened somewhere in between, so that interval (merge time) is an
 * overflow window.  A client's SYN window runs from its SYN_SENT to the
 * end of SYN_SENT (ESTABLISHED, CLOSE, or the end of the trace).  The two
 * are compared with the uncertainty of the two hosts' relative clock:
 * a connect fell into an overflow when its window overlaps one however
 * the clocks are off within that uncertainty; it "may have" when it
 * overlaps only for some of those offsets, and the finding then says the
 * clocks cannot tell instead of claiming (also when a host's clock is not
 * aligned at all).
 *
 * Which listener a connect went to: the one pairs.c linked it to (another
 * namespace or host, bound to exactly that address, through --map-addr);
 * the listener of its paired child's namespace on the child's port; or a
 * listener on its destination port and address (or the wildcard) in its
 * own namespace.
 *
 * Everything kept is bounded: JOIN_LISTENERS listeners, JOIN_WINDOWS
 * windows each (past it the last window is stretched to cover the newer
 * drops: wider, never missing), JOIN_CLIENTS connects and JOIN_CHILDREN
 * children; connects past the bound are counted and said.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/clock.h"
#include "analyze/hash.h"
#include "analyze/out.h"
#include "analyze/pairs.h"
#include "analyze/report_diag.h"
#include "analyze/text.h"
#include "analyze/views.h"
#include "format/skr.h"

#define JOIN_LISTENERS	4096
#define JOIN_WINDOWS	256
#define JOIN_CLIENTS	65536
#define JOIN_CHILDREN	65536
#define JOIN_BUCKETS	1024	/* power of two */

struct win {
	uint64_t lo, hi;		/* merge time: drops happened in (lo, hi] */
	uint64_t drops;
};

struct jl {
	uint64_t id;
	uint32_t host, netns;
	uint8_t family;
	uint16_t port;
	uint8_t addr[16];
	bool have;			/* a first reading of its drops */
	uint64_t last_drops, last_mt, drops;
	struct win *w;
	size_t nw, capw;
	struct jl *next;		/* in its bucket */
};

/* What made a connect worth joining. */
enum { K_TIMEOUT, K_REFUSED, K_SLOW, K_OTHER, K_COUNT };

struct jc {
	uint64_t id, peer, link;	/* link: pairs.c's listener, or 0 */
	uint32_t host, netns;
	uint8_t family, kind;
	uint16_t dport;
	uint8_t daddr[16];
	uint64_t lo, hi;		/* its SYN window, merge time */
	const struct jl *to;		/* its listener, found at the end */
};

/* A passive end paired with a client: where that client's SYN arrived. */
struct jch {
	uint64_t client;
	uint32_t host, netns;
	uint8_t family;
	uint16_t port;
	uint8_t addr[16];
};

struct sa_diag_join {
	struct jl *bucket[JOIN_BUCKETS];
	struct jl **l;			/* in order of first mention */
	size_t nl, capl;
	struct jc *c;
	size_t nc, capc;
	uint64_t clients_left;		/* past JOIN_CLIENTS */
	struct jch *ch;
	size_t nch, capch;
	bool windows;			/* some listener has one */
};

int sa_diag_join_new(struct sa_diag_join **jp)
{
	*jp = calloc(1, sizeof(**jp));
	return *jp ? 0 : -ENOMEM;
}

void sa_diag_join_free(struct sa_diag_join *j)
{
	size_t i;

	if (!j)
		return;
	for (i = 0; i < j->nl; i++) {
		free(j->l[i]->w);
		free(j->l[i]);
	}
	free(j->l);
	free(j->c);
	free(j->ch);
	free(j);
}

/* Room for one more of n in *v (cap *cap, element size sz). */
static int room(void **v, size_t n, size_t *cap, size_t sz)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	nv = realloc(*v, ncap * sz);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = ncap;
	return 0;
}

static struct jl *listener(struct sa_diag_join *j, const struct sa_sock *s,
			   int *err)
{
	size_t b = (size_t)(sa_mix64(s->id) & (JOIN_BUCKETS - 1));
	struct jl *l;

	*err = 0;
	for (l = j->bucket[b]; l; l = l->next)
		if (l->id == s->id)
			return l;
	if (j->nl == JOIN_LISTENERS)
		return NULL;
	*err = room((void **)&j->l, j->nl, &j->capl, sizeof(*j->l));
	if (*err)
		return NULL;
	l = calloc(1, sizeof(*l));
	if (!l) {
		*err = -ENOMEM;
		return NULL;
	}
	l->id = s->id;
	l->next = j->bucket[b];
	j->bucket[b] = l;
	j->l[j->nl++] = l;
	return l;
}

/* A reading of l's drops at merge time mt. */
static int drops_at(struct jl *l, uint64_t drops, uint64_t mt)
{
	struct win *w;
	int err;

	if (!l->have || drops < l->last_drops) {
		l->have = true;
		l->last_drops = drops;
		l->last_mt = mt;
		return 0;
	}
	if (drops > l->last_drops) {
		w = l->nw ? &l->w[l->nw - 1] : NULL;
		/* Growth read twice in a row is one window. */
		if (w && (w->hi == l->last_mt || l->nw == JOIN_WINDOWS)) {
			w->hi = mt;
			w->drops += drops - l->last_drops;
		} else {
			err = room((void **)&l->w, l->nw, &l->capw,
				   sizeof(*l->w));
			if (err)
				return err;
			w = &l->w[l->nw++];
			w->lo = l->last_mt;
			w->hi = mt;
			w->drops = drops - l->last_drops;
		}
		l->drops += drops - l->last_drops;
		l->last_drops = drops;
	}
	l->last_mt = mt;
	return 0;
}

int sa_diag_join_event(struct sa_diag_join *j, const struct sa_evctx *ec,
		       const union skr_rec_any *rec, const struct sa_sock *s)
{
	uint64_t drops;
	struct jl *l;
	int err;

	if (!j || !s)
		return 0;
	switch (rec->hdr.type) {
	case SKR_REC_ACCEPT:
		drops = rec->accept.drops;
		break;
	case SKR_REC_LISTENER:
		if (rec->listener.flags & SKR_LISTENER_NO_DROPS)
			return 0;
		drops = rec->listener.drops;
		break;
	case SKR_REC_LISTEN:
		drops = rec->listen.drops;
		break;
	default:
		return 0;
	}
	l = listener(j, s, &err);
	if (!l)
		return err;
	if (s->sport != 0) {
		l->host = s->host;
		l->netns = s->netns;
		l->family = s->family;
		l->port = s->sport;
		memcpy(l->addr, s->saddr, sizeof(l->addr));
	}
	err = drops_at(l, drops, ec->mt);
	if (l->nw > 0)
		j->windows = true;
	return err;
}

static const struct jl *listener_at(const struct sa_diag_join *j,
				    uint32_t host, uint32_t netns,
				    uint8_t family, const uint8_t addr[16],
				    uint16_t port)
{
	static const uint8_t zero[16];
	size_t i;

	for (i = 0; i < j->nl; i++) {
		const struct jl *l = j->l[i];

		if (l->host == host && l->netns == netns && l->port == port &&
		    (memcmp(l->addr, zero, sizeof(zero)) == 0 ||
		     (l->family == family &&
		      memcmp(l->addr, addr, sizeof(l->addr)) == 0)))
			return l;
	}
	return NULL;
}

/* A child paired with a client, when a listener of its own is known. */
static int child(struct sa_diag_join *j, const struct sa_sock *s)
{
	struct jch *h;
	int err;

	/* No overflow yet (the common trace): no child can matter. */
	if (!j->windows || s->peer == 0 || s->sport == 0 ||
	    j->nch == JOIN_CHILDREN || !listener_at(j, s->host, s->netns, s->family, s->saddr, s->sport))
		return 0;
	err = room((void **)&j->ch, j->nch, &j->capch, sizeof(*j->ch));
	if (err)
		return err;
	h = &j->ch[j->nch++];
	memset(h, 0, sizeof(*h));
	h->client = s->peer;
	h->host = s->host;
	h->netns = s->netns;
	h->family = s->family;
	h->port = s->sport;
	memcpy(h->addr, s->saddr, sizeof(h->addr));
	return 0;
}

int sa_diag_join_socket(struct sa_diag_join *j, const struct sa_analysis *a,
			const struct sa_sock *s, enum sa_outcome o)
{
	bool retried = s->syn_retrans > 0;
	struct jc *c;
	uint8_t kind;
	int err;

	if (!j)
		return 0;
	if (s->role == SA_ROLE_PASSIVE)
		return child(j, s);
	if (s->role != SA_ROLE_ACTIVE || s->dport == 0 ||
	    !(s->have_at & (1u << SA_AT_SYN_SENT)))
		return 0;
	if (o == SA_OUT_CONNECT_TIMEOUT)
		kind = K_TIMEOUT;
	else if (o == SA_OUT_REFUSED && retried)
		kind = K_REFUSED;
	else if (o == SA_OUT_CONNECTED && retried)
		kind = K_SLOW;
	else if ((o == SA_OUT_CONNECT_ERROR || o == SA_OUT_CONNECT_ABORTED ||
		  o == SA_OUT_CONNECT_FAILED || o == SA_OUT_CONNECTING) &&
		 retried)
		kind = K_OTHER;
	else
		return 0;
	if (j->nc == JOIN_CLIENTS) {
		j->clients_left++;
		return 0;
	}
	err = room((void **)&j->c, j->nc, &j->capc, sizeof(*j->c));
	if (err)
		return err;
	c = &j->c[j->nc++];
	memset(c, 0, sizeof(*c));
	c->id = s->id;
	c->peer = s->peer;
	c->link = sa_pairs_listener_of(sa_sockets_pairs(a->socks), s);
	c->host = s->host;
	c->netns = s->netns;
	c->family = s->family;
	c->kind = kind;
	c->dport = s->dport;
	memcpy(c->daddr, s->daddr, sizeof(c->daddr));
	c->lo = sa_merge_time(a, s->input, s->at[SA_AT_SYN_SENT]);
	if (s->have_at & (1u << SA_AT_ESTABLISHED))
		c->hi = sa_merge_time(a, s->input, s->at[SA_AT_ESTABLISHED]);
	else if (s->have_at & (1u << SA_AT_CLOSE))
		c->hi = sa_merge_time(a, s->input, s->at[SA_AT_CLOSE]);
	else
		c->hi = a->end_mt;
	if (c->hi < c->lo)
		c->hi = c->lo;
	return 0;
}

static int cmp_child(const void *x, const void *y)
{
	const struct jch *p = x, *q = y;

	return p->client < q->client ? -1 : p->client > q->client;
}

static int cmp_client(const void *x, const void *y)
{
	const struct jc *p = x, *q = y;

	if (p->host != q->host)
		return p->host < q->host ? -1 : 1;
	return p->id < q->id ? -1 : p->id > q->id;
}

/* The listener client c went to (see the top of this file), or NULL. */
static const struct jl *went_to(const struct sa_diag_join *j,
				const struct jc *c)
{
	struct jch key, *h = NULL;
	size_t i;

	if (c->link != 0) {
		for (i = 0; i < j->nl; i++)
			if (j->l[i]->id == c->link)
				return j->l[i];
		return NULL;
	}
	if (c->peer != 0 && j->nch > 0) {
		key.client = c->id;
		h = bsearch(&key, j->ch, j->nch, sizeof(*j->ch), cmp_child);
	}
	if (h)
		return listener_at(j, h->host, h->netns, h->family, h->addr,
				   h->port);
	return listener_at(j, c->host, c->netns, c->family, c->daddr,
			   c->dport);
}

/*
 * How far host h's times may be off the first host's, as merged; false
 * when nobody knows (its clock not aligned).  --clock-offset is taken as
 * the user says it: exact.
 */
static bool host_unc(const struct sa_analysis *a, uint32_t h, uint64_t *u)
{
	const struct sa_clock_host *ch;

	*u = 0;
	if (a->nhosts < 2 || h == 0 || (a->host_user && a->host_user[h]))
		return true;
	ch = sa_clock_host(a->clock, h);
	if (!ch || !ch->known)
		return false;
	*u = (uint64_t)ch->half_ns;
	return true;
}

enum fit { FIT_NO, FIT_MAYBE, FIT_YES };

/* Client window [lo, hi] against l's windows, either moved by up to u. */
static enum fit fit(const struct jl *l, const struct jc *c, uint64_t u,
		    bool unknown, uint64_t *wdrops, bool *hit)
{
	enum fit best = FIT_NO;
	size_t i;

	for (i = 0; i < l->nw; i++) {
		const struct win *w = &l->w[i];

		if (!unknown && c->lo + u <= w->hi && c->hi >= w->lo + u) {
			if (!hit[i]) {
				hit[i] = true;
				*wdrops += w->drops;
			}
			best = FIT_YES;
		} else if (best == FIT_NO &&
			   (unknown || (c->lo <= w->hi + u &&
					c->hi + u >= w->lo))) {
			best = FIT_MAYBE;
		}
	}
	return best;
}

struct group {
	const struct jl *l;
	uint32_t host;			/* the clients' */
	uint64_t connects, kind[K_COUNT];
	uint64_t yes, maybe, wdrops;
	uint64_t yes_ids[SA_DIAG_IDS_SHOWN], maybe_ids[SA_DIAG_IDS_SHOWN];
	uint64_t u;
	bool unknown;
};

static const char *ids_text(const uint64_t *id, uint64_t count,
			    const char *hash, char *buf, size_t size)
{
	size_t used = 0, i, n = count < SA_DIAG_IDS_SHOWN ? count :
		      SA_DIAG_IDS_SHOWN;
	int k;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		k = snprintf(buf + used, size - used, "%s%s%" PRIu64,
			     i ? " " : "", hash, id[i]);
		if (k < 0 || (size_t)k >= size - used)
			return buf;
		used += (size_t)k;
	}
	if (count > n && *hash) {
		k = snprintf(buf + used, size - used, " (+%" PRIu64 " more)",
			     count - n);
		if (k < 0 || (size_t)k >= size - used)
			buf[used] = '\0';
	}
	return buf;
}

static const char *host_of(const struct sa_analysis *a, uint32_t h,
			   char *buf, size_t size)
{
	int n;

	if (a->nhosts < 2)
		return "";
	n = snprintf(buf, size, " host %s", sa_host_name(a, h));
	return n > 0 && (size_t)n < size ? buf : "";
}

static void kinds_text(const struct group *g, char *buf, size_t size)
{
	static const char *const name[K_COUNT] = {
		"timed out", "refused after resending", "slow", "failed otherwise",
	};
	size_t used = 0, k;
	int n;

	buf[0] = '\0';
	for (k = 0; k < K_COUNT; k++) {
		if (g->kind[k] == 0)
			continue;
		n = snprintf(buf + used, size - used, "%s%" PRIu64 " %s",
			     used ? ", " : "", g->kind[k], name[k]);
		if (n < 0 || (size_t)n >= size - used)
			return;
		used += (size_t)n;
	}
}

static void group_out(struct sa_analysis *a, const struct group *g)
{
	const struct jl *l = g->l;
	char ep[SA_ENDPOINT_LEN], ids[256], ids2[256], kinds[128], secs[32];
	char hbuf[96], lbuf[96];
	const char *hb, *lb;

	sa_text_endpoint(l->family, l->addr, l->port, ep, sizeof(ep));
	if (a->opts->format != SA_FORMAT_TEXT) {
		sa_row_begin(&a->o, "connect_overflow");
		sa_row_u64(&a->o, "listener", l->id);
		sa_row_str(&a->o, "listener_host", sa_host_name(a, l->host));
		sa_row_str(&a->o, "listener_local", ep);
		sa_row_u64(&a->o, "listener_drops", l->drops);
		sa_row_str(&a->o, "client_host", sa_host_name(a, g->host));
		sa_row_u64(&a->o, "connects", g->connects);
		sa_row_u64(&a->o, "timed_out", g->kind[K_TIMEOUT]);
		sa_row_u64(&a->o, "refused", g->kind[K_REFUSED]);
		sa_row_u64(&a->o, "slow", g->kind[K_SLOW]);
		sa_row_u64(&a->o, "failed_other", g->kind[K_OTHER]);
		sa_row_u64(&a->o, "in_overflow", g->yes);
		sa_row_str(&a->o, "in_overflow_socket_ids",
			   ids_text(g->yes_ids, g->yes, "", ids, sizeof(ids)));
		sa_row_u64(&a->o, "drops_in_windows", g->wdrops);
		sa_row_u64(&a->o, "uncertain", g->maybe);
		sa_row_str(&a->o, "uncertain_socket_ids",
			   ids_text(g->maybe_ids, g->maybe, "", ids,
				    sizeof(ids)));
		if (g->unknown)
			sa_row_null(&a->o, "clock_uncertainty_ns");
		else
			sa_row_u64(&a->o, "clock_uncertainty_ns", g->u);
		sa_row_end(&a->o);
		return;
	}
	kinds_text(g, kinds, sizeof(kinds));
	hb = host_of(a, g->host, hbuf, sizeof(hbuf));
	lb = host_of(a, l->host, lbuf, sizeof(lbuf));
	if (g->yes > 0)
		fprintf(a->out, "  %s%s -> listener #%" PRIu64 " %s%s: %" PRIu64
			" of %" PRIu64 " connect%s (%s) waited in SYN_SENT while "
			"its accept queue overflowed (%" PRIu64 " of its %" PRIu64
			" drops in those windows)\n",
			ids_text(g->yes_ids, g->yes, "#", ids, sizeof(ids)),
			hb, l->id, ep, lb, g->yes, g->connects,
			g->connects == 1 ? "" : "s", kinds, g->wdrops,
			l->drops);
	if (g->maybe == 0)
		return;
	ids_text(g->maybe_ids, g->maybe, "#", ids2, sizeof(ids2));
	if (g->unknown)
		fprintf(a->out, "  %s%s -> listener #%" PRIu64 " %s%s: %" PRIu64
			" connect%s may have met its overflows: the two hosts' "
			"clocks are not aligned, so it cannot be told\n", ids2,
			hb, l->id, ep, lb, g->maybe, g->maybe == 1 ? "" : "s");
	else
		fprintf(a->out, "  %s%s -> listener #%" PRIu64 " %s%s: %" PRIu64
			" connect%s may have met its overflows: the two hosts' "
			"clocks are known to +- %s s only, too wide to tell\n",
			ids2, hb, l->id, ep, lb, g->maybe,
			g->maybe == 1 ? "" : "s",
			sa_text_secs(g->u, secs, sizeof(secs)));
}

/* Every group (one listener, one client host) with something to say. */
void sa_diag_join_out(struct sa_analysis *a, struct sa_diag_join *j)
{
	bool text = a->opts->format == SA_FORMAT_TEXT, any = false;
	bool *hit = NULL;
	struct group g;
	size_t i, k, e;
	uint64_t ul, uc;

	if (!j || j->nc == 0)
		return;
	if (j->nch > 1)
		qsort(j->ch, j->nch, sizeof(*j->ch), cmp_child);
	if (j->nc > 1)
		qsort(j->c, j->nc, sizeof(*j->c), cmp_client);
	for (k = 0; k < j->nc; k++)
		j->c[k].to = went_to(j, &j->c[k]);
	hit = calloc(JOIN_WINDOWS, sizeof(*hit));
	if (!hit) {
		a->o.failed = true;
		return;
	}
	for (i = 0; i < j->nl; i++) {
		const struct jl *l = j->l[i];

		if (l->nw == 0)
			continue;
		for (k = 0; k < j->nc; k = e) {
			memset(&g, 0, sizeof(g));
			memset(hit, 0, JOIN_WINDOWS * sizeof(*hit));
			g.l = l;
			g.host = j->c[k].host;
			g.unknown = !host_unc(a, g.host, &uc) ||
				    !host_unc(a, l->host, &ul);
			g.u = g.host == l->host ? 0 : uc + ul;
			if (g.host == l->host)
				g.unknown = false;
			for (e = k; e < j->nc && j->c[e].host == g.host; e++) {
				const struct jc *c = &j->c[e];
				enum fit f;

				if (c->to != l)
					continue;
				g.connects++;
				g.kind[c->kind]++;
				f = fit(l, c, g.u, g.unknown, &g.wdrops, hit);
				if (f == FIT_YES) {
					if (g.yes < SA_DIAG_IDS_SHOWN)
						g.yes_ids[g.yes] = c->id;
					g.yes++;
				} else if (f == FIT_MAYBE) {
					if (g.maybe < SA_DIAG_IDS_SHOWN)
						g.maybe_ids[g.maybe] = c->id;
					g.maybe++;
				}
			}
			if (g.yes == 0 && g.maybe == 0)
				continue;
			if (!any && text)
				fputs("\nConnects that met a listen overflow "
				      "(clients -> listener):\n", a->out);
			any = true;
			group_out(a, &g);
		}
	}
	free(hit);
	if (any && text && j->clients_left > 0)
		fprintf(a->out, "  (%" PRIu64 " failed or slow connects past "
			"the first %u not examined)\n", j->clients_left,
			JOIN_CLIENTS);
}
