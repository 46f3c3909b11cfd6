/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Clock offsets between hosts from the connections both saw: see clock.h,
 * and docs/ANALYZER.md for the bounds and why each holds.
 *
 * d is what to add to host h's merge times to put them on host g's clock
 * (g the lesser of the two hosts that saw a connection; "the first host"
 * below).  An event u of host g that TCP orders before an
 * event v of host h (u's segment was sent before v received it) says
 * t(u) < t(v) + d, so d > t(u) - t(v); one of host h before one of
 * host g says d < t(u) - t(v).  Each joined connection gives an
 * interval; their intersection is the estimate's range, its midpoint the
 * estimate.  When they do not all intersect (a FIN_WAIT2 timeout, a
 * wrong join), the largest set that does is kept, and the others counted.
 * A host joined only with hosts other than the first is aligned through
 * them: D(0, h) = D(0, g) + D(g, h), and so are the bounds (chain()).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analysis.h"
#include "analyze/clock.h"
#include "analyze/pairs.h"

#define SEC_NS	1000000000ull

enum { M_SS, M_SR, M_E, M_FW1, M_CW, M_LA, M_CLOSE, M_COUNT };

struct life {
	struct sa_pair_key norm;	/* the lesser of its key and mirror */
	uint32_t host;
	uint8_t role;
	bool flip;			/* norm is its mirrored key */
	uint32_t have;			/* bit (1 << M_*) */
	uint64_t t[M_COUNT];		/* merge time */
	uint64_t first_mt;
};

struct bound {
	int64_t lo, hi;			/* INT64_MIN, INT64_MAX: none */
};

struct sa_clock {
	struct life *l;
	size_t n, cap;
	uint64_t left_out;
	struct sa_clock_host *h;
	uint32_t nhosts;
};

int sa_clock_new(struct sa_clock **cp)
{
	*cp = calloc(1, sizeof(**cp));
	return *cp ? 0 : -ENOMEM;
}

void sa_clock_free(struct sa_clock *c)
{
	if (!c)
		return;
	free(c->l);
	free(c->h);
	free(c);
}

uint64_t sa_clock_left_out(const struct sa_clock *c)
{
	return c ? c->left_out : 0;
}

const struct sa_clock_host *sa_clock_host(const struct sa_clock *c,
					  uint32_t h)
{
	if (!c || !c->h || h >= c->nhosts)
		return NULL;
	return &c->h[h];
}

int sa_clock_collect(struct sa_clock *c, const struct sa_analysis *a,
		     const struct sa_sock *s)
{
	static const struct { uint8_t at, m; } marks[] = {
		{ SA_AT_SYN_SENT, M_SS }, { SA_AT_SYN_RECV, M_SR },
		{ SA_AT_ESTABLISHED, M_E }, { SA_AT_FIN_WAIT1, M_FW1 },
		{ SA_AT_CLOSE_WAIT, M_CW }, { SA_AT_LAST_ACK, M_LA },
		{ SA_AT_CLOSE, M_CLOSE },
	};
	struct sa_pair_key k, m;
	struct life *l;
	size_t i;

	if ((s->role != SA_ROLE_ACTIVE && s->role != SA_ROLE_PASSIVE) ||
	    !sa_pairs_key(sa_sockets_pairs(a->socks), s, &k))
		return 0;
	if (c->n == SA_CLOCK_MAX_LIVES) {
		c->left_out++;
		return 0;
	}
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 1024;
		struct life *nl = realloc(c->l, ncap * sizeof(*nl));

		if (!nl)
			return -ENOMEM;
		c->l = nl;
		c->cap = ncap;
	}
	l = &c->l[c->n++];
	memset(l, 0, sizeof(*l));
	sa_pairs_mirror(&k, &m);
	l->flip = memcmp(&m, &k, sizeof(k)) < 0;
	l->norm = l->flip ? m : k;
	l->host = s->host;
	l->role = s->role;
	l->first_mt = s->first_mt;
	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		if (!(s->have_at & (1u << marks[i].at)))
			continue;
		l->have |= 1u << marks[i].m;
		l->t[marks[i].m] = sa_merge_time(a, s->input,
						 s->at[marks[i].at]);
	}
	return 0;
}

static int cmp_life(const void *x, const void *y)
{
	const struct life *p = x, *q = y;
	int r = memcmp(&p->norm, &q->norm, sizeof(p->norm));

	if (r)
		return r;
	if (p->host != q->host)
		return p->host < q->host ? -1 : 1;
	if (p->first_mt != q->first_mt)
		return p->first_mt < q->first_mt ? -1 : 1;
	return 0;
}

static int64_t diff(uint64_t a, uint64_t b)
{
	return a >= b ? (int64_t)(a - b) : -(int64_t)(b - a);
}

/* u of the first host (x) was sent before v of host h (y) got it. */
static void before_h(struct bound *b, const struct life *x, int mu,
		     const struct life *y, int mv)
{
	int64_t d;

	if (!(x->have & (1u << mu)) || !(y->have & (1u << mv)))
		return;
	d = diff(x->t[mu], y->t[mv]);
	if (d > b->lo)
		b->lo = d;
}

/* v of host h (y) was sent before u of the first host (x) got it. */
static void before_0(struct bound *b, const struct life *y, int mv,
		     const struct life *x, int mu)
{
	int64_t d;

	if (!(x->have & (1u << mu)) || !(y->have & (1u << mv)))
		return;
	d = diff(x->t[mu], y->t[mv]);
	if (d < b->hi)
		b->hi = d;
}

static bool has(const struct life *l, int m)
{
	return l->have & (1u << m);
}

/*
 * "p's mark precedes q's", for p and q the two ends, whichever host: the
 * first host's end sets lower bounds, host h's upper ones.
 */
static void order(struct bound *b, const struct life *p, int mp,
		  const struct life *q, int mq, const struct life *x0)
{
	if (p == x0)
		before_h(b, p, mp, q, mq);
	else
		before_0(b, p, mp, q, mq);
}

/* The bounds one joined connection gives: x on the first host, y on h. */
static struct bound bounds_of(const struct life *x, const struct life *y)
{
	struct bound b = { INT64_MIN, INT64_MAX };
	const struct life *act = x->role == SA_ROLE_ACTIVE ? x : y;
	const struct life *pas = act == x ? y : x;
	const struct life *end[2] = { x, y };
	int i;

	if (act->role != SA_ROLE_ACTIVE || pas->role != SA_ROLE_PASSIVE)
		return b;
	/* The SYN leaves after SYN_SENT; the child is born no earlier. */
	order(&b, act, M_SS, pas, M_SR, x);
	/* The last ACK leaves after the client's ESTABLISHED. */
	order(&b, act, M_E, pas, M_E, x);
	for (i = 0; i < 2; i++) {
		const struct life *p = end[i], *q = end[1 - i];

		/* A FIN leaves after FIN_WAIT1; CLOSE_WAIT is its receipt. */
		order(&b, p, M_FW1, q, M_CW, x);
		/*
		 * The second FIN leaves after LAST_ACK; the end that closed
		 * first leaves FIN_WAIT2 for TIME_WAIT (CLOSE) on its receipt.
		 */
		if (has(p, M_LA) && has(q, M_FW1) && !has(q, M_CW))
			order(&b, p, M_LA, q, M_CLOSE, x);
	}
	return b;
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t p = *(const int64_t *)x, q = *(const int64_t *)y;

	return p < q ? -1 : p > q;
}

/* The intersection of the most bounds that share a point. */
static int combine(struct sa_clock_host *h, const struct bound *b, size_t n)
{
	int64_t *lo = NULL, *hi = NULL, best_x = 0, LO = INT64_MIN,
		HI = INT64_MAX;
	size_t i, j = 0, best = 0;
	int err = 0;

	for (i = 0; i < n; i++) {
		if (b[i].lo > LO)
			LO = b[i].lo;
		if (b[i].hi < HI)
			HI = b[i].hi;
	}
	h->used = n;
	if (LO > HI) {
		lo = malloc(n * sizeof(*lo));
		hi = malloc(n * sizeof(*hi));
		if (!lo || !hi) {
			err = -ENOMEM;
			goto out;
		}
		for (i = 0; i < n; i++) {
			lo[i] = b[i].lo;
			hi[i] = b[i].hi;
		}
		qsort(lo, n, sizeof(*lo), cmp_i64);
		qsort(hi, n, sizeof(*hi), cmp_i64);
		/* The most covered point is where some bound starts. */
		for (i = 0; i < n; i++) {
			while (j < n && hi[j] < lo[i])
				j++;
			if (i + 1 - j > best) {
				best = i + 1 - j;
				best_x = lo[i];
			}
		}
		LO = INT64_MIN;
		HI = INT64_MAX;
		for (i = 0; i < n; i++) {
			if (b[i].lo > best_x || b[i].hi < best_x)
				continue;
			if (b[i].lo > LO)
				LO = b[i].lo;
			if (b[i].hi < HI)
				HI = b[i].hi;
		}
		h->used = best;
	}
	h->have_lo = LO != INT64_MIN;
	h->have_hi = HI != INT64_MAX;
	h->lo_ns = LO;
	h->hi_ns = HI;
	/* One-sided: nothing to take a midpoint of; say so, do not guess. */
	if (h->have_lo && h->have_hi) {
		h->known = true;
		h->half_ns = (int64_t)(((uint64_t)HI - (uint64_t)LO) / 2);
		h->offset_ns = LO + h->half_ns;
	}
out:
	free(lo);
	free(hi);
	return err;
}

/* One joined connection's bounds on D(i, j): add to host j's, get host i's. */
struct edge_bound {
	uint32_t i, j;
	struct bound b;
};

static int cmp_edge(const void *x, const void *y)
{
	const struct edge_bound *p = x, *q = y;

	if (p->i != q->i)
		return p->i < q->i ? -1 : 1;
	return p->j != q->j ? (p->j < q->j ? -1 : 1) : 0;
}

struct edges {
	struct edge_bound *e;
	size_t n, cap;
	uint64_t *unjoined;		/* per pair i * nhosts + j */
	uint32_t nhosts;
};

static int edge_push(struct edges *E, uint32_t i, uint32_t j, struct bound b)
{
	if (E->n == E->cap) {
		size_t ncap = E->cap ? E->cap * 2 : 64;
		struct edge_bound *ne = realloc(E->e, ncap * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		E->e = ne;
		E->cap = ncap;
	}
	E->e[E->n].i = i;
	E->e[E->n].j = j;
	E->e[E->n].b = b;
	E->n++;
	return 0;
}

/*
 * The lives of one tuple l[0..n) (sorted by host): every two hosts that
 * both saw it are joined, as the first host and host H once were.
 */
static int join_group(struct edges *E, const struct life *l, size_t n)
{
	size_t a0, a1, b0, b1, k;
	struct bound b;
	bool ok;
	int err;

	for (a0 = 0; a0 < n; a0 = a1) {
		for (a1 = a0; a1 < n && l[a1].host == l[a0].host; a1++)
			;
		if (l[a0].host >= E->nhosts)
			continue;
		for (b0 = a1; b0 < n; b0 = b1) {
			for (b1 = b0; b1 < n && l[b1].host == l[b0].host; b1++)
				;
			if (l[b0].host >= E->nhosts)
				continue;
			/*
			 * Join in time order when each host saw the tuple
			 * from one side and as often (a port used again);
			 * otherwise which is whose is not known.
			 */
			ok = a1 - a0 == b1 - b0;
			for (k = a0; k < a1 && ok; k++)
				ok = l[k].flip == l[a0].flip;
			for (k = b0; k < b1 && ok; k++)
				ok = l[k].flip != l[a0].flip;
			if (!ok) {
				E->unjoined[l[a0].host * E->nhosts +
					    l[b0].host]++;
				continue;
			}
			for (k = 0; k < a1 - a0; k++) {
				b = bounds_of(&l[a0 + k], &l[b0 + k]);
				if (b.lo == INT64_MIN && b.hi == INT64_MAX)
					continue;
				err = edge_push(E, l[a0].host, l[b0].host, b);
				if (err)
					return err;
			}
		}
	}
	return 0;
}

/* Edge (i, j) reversed: D(j, i) = -D(i, j). */
static struct sa_clock_host reversed(const struct sa_clock_host *e)
{
	struct sa_clock_host r = *e;

	r.offset_ns = -e->offset_ns;
	r.have_lo = e->have_hi;
	r.have_hi = e->have_lo;
	r.lo_ns = e->have_hi ? -e->hi_ns : 0;
	r.hi_ns = e->have_lo ? -e->lo_ns : 0;
	return r;
}

/*
 * Each host's offset relative to the first, along the chain of joined
 * hosts whose uncertainties add up to the least (Dijkstra over the
 * aligned pairs; hosts are few).  A host joined to no aligned host keeps
 * what its pair with the first host says (one-sided bounds, or nothing).
 */
static int chain(struct sa_clock *c, const struct sa_clock_host *pair)
{
	uint32_t H = c->nhosts, i, j, u;
	bool *done = calloc(H ? H : 1, sizeof(*done));

	if (!done)
		return -ENOMEM;
	for (j = 1; j < H; j++)
		c->h[j] = pair[j];
	c->h[0].known = true;
	for (;;) {
		u = H;
		for (i = 0; i < H; i++)
			if (!done[i] && c->h[i].known &&
			    (u == H || c->h[i].half_ns < c->h[u].half_ns))
				u = i;
		if (u == H)
			break;
		done[u] = true;
		for (j = 1; j < H; j++) {
			struct sa_clock_host e;
			int64_t half;

			if (done[j] || j == u)
				continue;
			e = u < j ? pair[u * H + j] : reversed(&pair[j * H + u]);
			if (!e.known)
				continue;
			half = c->h[u].half_ns + e.half_ns;
			if (c->h[j].known && c->h[j].half_ns <= half)
				continue;
			c->h[j] = e;
			c->h[j].via = u;
			c->h[j].half_ns = half;
			c->h[j].offset_ns = c->h[u].offset_ns + e.offset_ns;
			c->h[j].lo_ns = c->h[u].lo_ns + e.lo_ns;
			c->h[j].hi_ns = c->h[u].hi_ns + e.hi_ns;
		}
	}
	/* The first host is the reference, not a host aligned to itself. */
	memset(&c->h[0], 0, sizeof(c->h[0]));
	free(done);
	return 0;
}

int sa_clock_solve(struct sa_clock *c, uint32_t nhosts, const uint64_t *unc)
{
	struct sa_clock_host *pair = NULL;
	struct edges E = { .nhosts = nhosts };
	size_t i, j, k;
	int err = 0;

	free(c->h);
	c->nhosts = nhosts;
	c->h = calloc(nhosts ? nhosts : 1, sizeof(*c->h));
	pair = calloc(nhosts ? (size_t)nhosts * nhosts : 1, sizeof(*pair));
	E.unjoined = calloc(nhosts ? (size_t)nhosts * nhosts : 1,
			    sizeof(*E.unjoined));
	if (!c->h || !pair || !E.unjoined) {
		err = -ENOMEM;
		goto out;
	}
	if (c->n > 1)
		qsort(c->l, c->n, sizeof(*c->l), cmp_life);
	for (i = 0; i < c->n; i = j) {
		for (j = i; j < c->n && memcmp(&c->l[j].norm, &c->l[i].norm,
					       sizeof(c->l[i].norm)) == 0; j++)
			;
		err = join_group(&E, &c->l[i], j - i);
		if (err)
			goto out;
	}
	if (E.n > 1)
		qsort(E.e, E.n, sizeof(*E.e), cmp_edge);
	for (i = 0; i < E.n; i = j) {
		struct bound *b;
		struct sa_clock_host *ch;
		uint32_t hi = E.e[i].i, hj = E.e[i].j;
		uint64_t u;
		int64_t w;

		for (j = i; j < E.n && E.e[j].i == hi && E.e[j].j == hj; j++)
			;
		b = malloc((j - i) * sizeof(*b));
		if (!b) {
			err = -ENOMEM;
			goto out;
		}
		for (k = i; k < j; k++)
			b[k - i] = E.e[k].b;
		ch = &pair[hi * nhosts + hj];
		ch->joined = j - i;
		err = combine(ch, b, j - i);
		free(b);
		if (err)
			goto out;
		/* Both hosts' samples (over a second: not believed). */
		u = unc[hi] + unc[hj];
		w = (int64_t)(u < SEC_NS ? u : SEC_NS);
		if (ch->known && w > 0) {
			ch->lo_ns -= w;
			ch->hi_ns += w;
			ch->half_ns += w;
		}
	}
	for (i = 0; i < (size_t)nhosts * nhosts; i++)
		pair[i].unjoined = E.unjoined[i];
	if (nhosts > 0)
		err = chain(c, pair);
out:
	free(E.e);
	free(E.unjoined);
	free(pair);
	return err;
}

int sa_clock_parse_offset(const char *arg, const char **host,
			  size_t *hostlen, int64_t *ns, char *msg,
			  size_t size)
{
	const char *eq = strrchr(arg, '=');
	char *end;
	double v;
	int n;

	if (!eq || eq == arg || eq[1] == '\0')
		goto bad;
	errno = 0;
	v = strtod(eq + 1, &end);
	/* A day either way is more than any clock is off. */
	if (errno || *end != '\0' || end == eq + 1 || !isfinite(v) ||
	    v < -86400.0 || v > 86400.0)
		goto bad;
	*host = arg;
	*hostlen = (size_t)(eq - arg);
	*ns = (int64_t)llround(v * 1e9);
	return 0;
bad:
	n = snprintf(msg, size, "--clock-offset takes HOST=SECONDS (signed, "
		     "at most 86400), not '%s'", arg);
	if (n < 0 && size > 0)
		msg[0] = '\0';
	return -EINVAL;
}

const char *sa_clock_secs(int64_t ns, char *buf, size_t size)
{
	uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	int n = snprintf(buf, size, "%c%" PRIu64 ".%06" PRIu64,
			 ns < 0 ? '-' : '+', a / 1000000000u,
			 a % 1000000000u / 1000u);

	if (n < 0 || (size_t)n >= size)
		buf[0] = '\0';
	return buf;
}

bool sa_clock_note(const struct sa_analysis *a, uint32_t h,
		   const char **kind, char *buf, size_t size)
{
	const struct sa_clock_host *ch = sa_clock_host(a->clock, h);
	const char *name = sa_host_name(a, h), *first = sa_host_name(a, 0);
	/* One buffer per number: the order arguments are evaluated in is not
	 * C's to give (gcc went right to left, clang left to right). */
	char x[32], y[32], z[32], w[32];
	int n;

	if (a->nhosts < 2 || !a->host_off || h >= a->nhosts)
		return false;
	*kind = "clock_offset";
	if (a->host_user[h]) {
		n = snprintf(buf, size, "clock of host %s moved by %s s "
			     "(--clock-offset)", name,
			     sa_clock_secs(a->host_off[h], x, sizeof(x)));
		return n > 0;
	}
	if (h == 0 || !a->clock_tried)
		return false;
	*kind = "clock_not_aligned";
	if (!ch) {
		n = snprintf(buf, size, "clock of host %s not aligned with "
			     "host %s's: %s; its own wall clock is used", name,
			     first, a->clock_why ? a->clock_why : "no first "
			     "pass");
		return n > 0;
	}
	if (ch->known) {
		*kind = "clock_offset";
		n = snprintf(buf, size, "clock of host %s moved by %s s +- %s s "
			     "onto host %s's, from %" PRIu64 " connection%s both "
			     "traces saw (bounds %s to %s s)%s", name,
			     sa_clock_secs(ch->offset_ns, x, sizeof(x)),
			     sa_clock_secs(ch->half_ns, y, sizeof(y)) + 1,
			     first, ch->used, ch->used == 1 ? "" : "s",
			     sa_clock_secs(ch->lo_ns, z, sizeof(z)),
			     sa_clock_secs(ch->hi_ns, w, sizeof(w)),
			     ch->used < ch->joined ? "; others disagreed and "
			     "were left out" : "");
		if (n > 0 && ch->used < ch->joined && (size_t)n < size)
			n += snprintf(buf + n, size - (size_t)n, " (%" PRIu64
				      " of %" PRIu64 ")", ch->joined - ch->used,
				      ch->joined);
		/* The connections counted are the chain's last link's. */
		if (n > 0 && ch->via != 0 && (size_t)n < size)
			snprintf(buf + n, size - (size_t)n, "; through host %s "
				 "(the connections are those it shares with "
				 "host %s; offsets and bounds added along the "
				 "chain)", sa_host_name(a, ch->via),
				 sa_host_name(a, ch->via));
		return n > 0;
	}
	if (ch->joined > 0) {
		n = snprintf(buf, size, "clock of host %s not aligned with "
			     "host %s's: the %" PRIu64 " connection%s both traces "
			     "saw bound its offset from one side only (%s %s s); "
			     "its own wall clock is used", name, first,
			     ch->joined, ch->joined == 1 ? "" : "s",
			     ch->have_lo ? "at least" : "at most",
			     sa_clock_secs(ch->have_lo ? ch->lo_ns : ch->hi_ns,
					   x, sizeof(x)));
		return n > 0;
	}
	if (a->nhosts > 2) {
		/* Say which: no chain of joined hosts reaches it. */
		n = snprintf(buf, size, "clock of host %s not aligned with "
			     "host %s's: no chain of connections seen by both "
			     "ends' traces links it to host %s (addresses "
			     "rewritten on the way, by NAT for instance, join "
			     "with --map-addr A[:PORT]=B[:PORT]); its own wall "
			     "clock is used", name, first, first);
		return n > 0;
	}
	n = snprintf(buf, size, "clock of host %s not aligned with host %s's: "
		     "no connection was seen by both traces%s (addresses "
		     "rewritten on the way, by NAT for instance, join with "
		     "--map-addr A[:PORT]=B[:PORT]); its own wall clock is used",
		     name, first, ch->unjoined ? ", some tuples by both but not "
		     "as often (a port used again)" : "");
	return n > 0;
}

void sa_clock_rows(struct sa_analysis *a)
{
	const struct sa_clock_host *ch;
	struct sa_out *o = &a->o;
	uint32_t h;

	if (a->nhosts < 2 || !a->host_off)
		return;
	for (h = 1; h < a->nhosts; h++) {
		ch = sa_clock_host(a->clock, h);
		sa_row_begin(o, "clock");
		sa_row_str(o, "host", sa_host_name(a, h));
		sa_row_str(o, "relative_to", sa_host_name(a, 0));
		sa_row_str(o, "source", a->host_user[h] ? "user" :
			   ch && ch->known ? "estimated" : "none");
		if (a->host_user[h] || (ch && ch->known))
			sa_row_i64(o, "offset_ns", a->host_off[h]);
		else
			sa_row_null(o, "offset_ns");
		if (!a->host_user[h] && ch && ch->known)
			sa_row_i64(o, "uncertainty_ns", ch->half_ns);
		else
			sa_row_null(o, "uncertainty_ns");
		if (ch && ch->have_lo)
			sa_row_i64(o, "lo_ns", ch->lo_ns);
		else
			sa_row_null(o, "lo_ns");
		if (ch && ch->have_hi)
			sa_row_i64(o, "hi_ns", ch->hi_ns);
		else
			sa_row_null(o, "hi_ns");
		sa_row_u64(o, "joined", ch ? ch->joined : 0);
		sa_row_u64(o, "used", ch ? ch->used : 0);
		sa_row_u64(o, "unjoined", ch ? ch->unjoined : 0);
		if (ch && ch->known && ch->via != 0 && !a->host_user[h])
			sa_row_str(o, "via", sa_host_name(a, ch->via));
		else
			sa_row_null(o, "via");
		sa_row_end(o);
	}
}
