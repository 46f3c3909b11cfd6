/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --backlog: per listener, what its accept queue went through.  Figures
 * come from whatever the trace has: listen() (asked and effective backlog),
 * accept() (accepts, queue length at each call, accept wait), the periodic
 * listener samples (queue length, sk_drops), SYN-ACK retransmits, and the
 * namespace's ListenOverflows/ListenDrops.  A figure whose source did not
 * attach is "not observable in this trace", never 0; so are the overflows
 * of a namespace whose sampling stopped (SAMPLING records) and did not
 * resume before the end: drops after the stop were never read.
 *
 * Listeners are kept in a table of at most SA_LISTENERS_MAX (a listener
 * is rare next to the connections it accepts), in order of first mention,
 * with an index by id beside it: every sample, accept and passive socket
 * looks its listener up, so a lookup must not walk the table.  The report
 * also feeds the default diagnosis its listen overflows.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analysis.h"
#include "analyze/filter.h"
#include "analyze/hist.h"
#include "analyze/life.h"
#include "analyze/out.h"
#include "analyze/pairs.h"
#include "analyze/report_backlog.h"
#include "analyze/report_backlog_clients.h"
#include "analyze/sockets.h"
#include "analyze/work.h"
#include "analyze/text.h"
#include "analyze/views.h"
#include "analyze/wallclock.h"
#include "format/skr.h"

#define SA_LISTENERS_MAX	4096
#define SA_NETNS_MAX		256
#define QBUCKETS		24	/* 0, 1, 2-3, ..., 2^22 and above */
/* Open addressing, at most half full: a few probes per lookup. */
#define SA_LISTENERS_SLOTS	(2 * SA_LISTENERS_MAX)
_Static_assert((SA_LISTENERS_SLOTS & (SA_LISTENERS_SLOTS - 1)) == 0,
	       "slots must be a power of two");
_Static_assert(SA_LISTENERS_MAX < UINT16_MAX, "a slot holds an index + 1");

struct lsn {
	uint64_t id;
	uint32_t host, netns;
	uint16_t input;
	bool selected;			/* its socket passed the filters */
	bool have_sock;
	struct sa_sock info;		/* copy of the finished life (no items) */
	bool have_backlog;
	int32_t asked;
	uint32_t limit;
	uint64_t accepts, accept_failed;
	uint64_t handshakes, handshake_failed;
	uint64_t qsamples, qcount[QBUCKETS];
	uint32_t qpeak;
	bool have_q;
	bool have_drops;
	uint64_t drops_base, drops_last;
	uint64_t overflow_first, overflow_last;	/* event clock */
	uint64_t overflow_steps;
	uint64_t synack;
	struct sa_hist wait;
};

/* netns 0: the recorder's "every namespace it has not sampled" (SAMPLING). */
struct ns_stats {
	uint32_t host, netns;
	uint16_t input;
	bool have_stats;		/* a NETNS_STATS was read */
	bool stopped;			/* the last SAMPLING said STOPPED */
	int32_t stop_err;
	uint64_t stop_ts;
	uint64_t ovf_first, ovf_last, drop_first, drop_last;
	uint64_t ts_first, ts_last;
};

struct sa_backlog {
	struct lsn *l;
	size_t n, cap;
	uint16_t slot[SA_LISTENERS_SLOTS];	/* index in l plus one, 0 free */
	uint64_t dropped;		/* listener lives not in the table */
	struct ns_stats ns[SA_NETNS_MAX];
	size_t nns;
	struct sa_clients *clients;	/* connects, by where they went */
};

int sa_backlog_new(struct sa_backlog **bp)
{
	*bp = calloc(1, sizeof(**bp));
	if (!*bp)
		return -ENOMEM;
	return sa_clients_new(&(*bp)->clients);
}

void sa_backlog_free(struct sa_backlog *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->n; i++)
		sa_hist_release(&b->l[i].wait);
	free(b->l);
	sa_clients_free(b->clients);
	free(b);
}

/* Ids are 1, 2, ...: mixed, so that runs of them spread over the slots. */
static size_t slot_of(uint64_t id)
{
	id ^= id >> 33;
	id *= 0xff51afd7ed558ccdull;
	id ^= id >> 33;
	return (size_t)(id & (SA_LISTENERS_SLOTS - 1));
}

static struct lsn *find(struct sa_backlog *b, uint64_t id, bool create,
			int *err)
{
	struct lsn *l;
	size_t i;

	*err = 0;
	sa_work.backlog_finds++;
	for (i = slot_of(id); b->slot[i] != 0;
	     i = (i + 1) & (SA_LISTENERS_SLOTS - 1)) {
		sa_work.backlog_steps++;
		if (b->l[b->slot[i] - 1].id == id)
			return &b->l[b->slot[i] - 1];
	}
	/* Full: sa_backlog_socket() counts the listeners left out, once each. */
	if (!create || b->n == SA_LISTENERS_MAX)
		return NULL;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;

		l = realloc(b->l, cap * sizeof(*l));
		if (!l) {
			*err = -ENOMEM;
			return NULL;
		}
		b->l = l;
		b->cap = cap;
	}
	l = &b->l[b->n++];
	b->slot[i] = (uint16_t)b->n;
	memset(l, 0, sizeof(*l));
	l->id = id;
	sa_hist_init(&l->wait);
	return l;
}

static unsigned qbucket(uint64_t q)
{
	unsigned b = 0;

	while (q > 0 && b + 1 < QBUCKETS) {
		q >>= 1;
		b++;
	}
	return b;
}

static void queue_sample(struct lsn *l, uint32_t q)
{
	l->have_q = true;
	l->qsamples++;
	l->qcount[qbucket(q)]++;
	if (q > l->qpeak)
		l->qpeak = q;
}

static void drops_sample(struct lsn *l, uint64_t drops, uint64_t ts)
{
	if (!l->have_drops) {
		l->have_drops = true;
		l->drops_base = l->drops_last = drops;
		return;
	}
	if (drops > l->drops_last) {
		if (l->overflow_steps == 0)
			l->overflow_first = ts;
		l->overflow_last = ts;
		l->overflow_steps++;
		l->drops_last = drops;
	}
}

static struct ns_stats *ns_find(const struct sa_backlog *b, uint32_t host,
				uint32_t netns)
{
	size_t i;

	for (i = 0; i < b->nns; i++)
		if (b->ns[i].host == host && b->ns[i].netns == netns)
			return (struct ns_stats *)&b->ns[i];
	return NULL;
}

static struct ns_stats *ns_get(struct sa_backlog *b, const struct sa_evctx *ec,
			       uint32_t netns)
{
	struct ns_stats *n = ns_find(b, ec->host, netns);

	if (n || b->nns == SA_NETNS_MAX)
		return n;
	n = &b->ns[b->nns++];
	memset(n, 0, sizeof(*n));
	n->host = ec->host;
	n->netns = netns;
	n->input = ec->input;
	return n;
}

static int on_sampling(struct sa_backlog *b, const struct sa_evctx *ec,
		       const struct skr_ev_sampling *ev)
{
	struct ns_stats *n;

	n = ns_get(b, ec, ev->c.netns);
	if (!n)
		return 0;
	if (ev->state == SKR_SAMPLING_STOPPED) {
		/* Repeated in each rotated file: the first stop counts. */
		if (!n->stopped) {
			n->stop_ts = ev->c.ts_ns;
			n->stop_err = ev->error;
			n->input = ec->input;
		}
		n->stopped = true;
	} else if (ev->state == SKR_SAMPLING_RESUMED) {
		/* The counters are cumulative: the next samples cover the gap. */
		n->stopped = false;
	}
	return 0;
}

/*
 * The stop that makes a namespace's overflows unknown at the end of the
 * trace: its own, or for a namespace never sampled, the recorder's stop
 * for every namespace it could not find.  NULL if it was sampled.
 */
static const struct ns_stats *ns_stop(const struct sa_backlog *b,
				      uint32_t host, uint32_t netns)
{
	const struct ns_stats *n = ns_find(b, host, netns), *w;

	if (n && n->stopped)
		return n;
	if (n && n->have_stats)
		return NULL;
	w = ns_find(b, host, 0);
	return w && w->stopped ? w : NULL;
}

static int on_netns(struct sa_backlog *b, const struct sa_evctx *ec,
		    const struct skr_ev_netns_stats *ev)
{
	struct ns_stats *n;

	n = ns_get(b, ec, ev->c.netns);
	if (!n)
		return 0;
	if (!n->have_stats) {
		n->have_stats = true;
		n->ovf_first = ev->listen_overflows;
		n->drop_first = ev->listen_drops;
		n->ts_first = ev->c.ts_ns;
	}
	n->ovf_last = ev->listen_overflows;
	n->drop_last = ev->listen_drops;
	n->ts_last = ev->c.ts_ns;
	return 0;
}

/*
 * The events of a listener s as they come; the accept wait is taken from
 * the child when its life is over (sa_backlog_socket).
 */
int sa_backlog_event(struct sa_backlog *b, const struct sa_evctx *ec,
		     const union skr_rec_any *rec, const struct sa_sock *s)
{
	const struct skr_ev_listener *ls = &rec->listener;
	const struct skr_ev_accept *ac = &rec->accept;
	struct lsn *l;
	int err;

	if (!b)
		return 0;
	if (rec->hdr.type == SKR_REC_NETNS_STATS)
		return on_netns(b, ec, &rec->netns_stats);
	if (rec->hdr.type == SKR_REC_SAMPLING)
		return on_sampling(b, ec, &rec->sampling);
	if (!s)
		return 0;
	l = find(b, s->id, true, &err);
	if (!l)
		return err;
	l->host = s->host;
	l->netns = s->netns;
	l->input = ec->input;
	switch (rec->hdr.type) {
	case SKR_REC_ACCEPT:
		if (ac->ret >= 0)
			l->accepts++;
		else
			l->accept_failed++;
		queue_sample(l, ac->qlen);
		drops_sample(l, ac->drops, ac->c.ts_ns);
		if (!l->have_backlog && ac->max_backlog) {
			l->limit = ac->max_backlog;
		}
		break;
	case SKR_REC_LISTENER:
		queue_sample(l, ls->ack_backlog);
		if (!(ls->flags & SKR_LISTENER_NO_DROPS))
			drops_sample(l, ls->drops, ls->c.ts_ns);
		if (!l->have_backlog)
			l->limit = ls->max_ack_backlog;
		break;
	case SKR_REC_LISTEN:
		/* The drops a listener starts with: the baseline of overflows. */
		drops_sample(l, rec->listen.drops, rec->listen.c.ts_ns);
		break;
	case SKR_REC_RETRANSMIT:
		l->synack++;
		break;
	default:
		break;
	}
	return 0;
}

int sa_backlog_socket(struct sa_backlog *b, const struct sa_sock *s,
		      uint64_t listener)
{
	struct lsn *l;
	uint64_t wait;
	int err;

	if (!b)
		return 0;
	err = sa_clients_add(b->clients, s, listener);
	if (err)
		return err;
	if (s->role == SA_ROLE_LISTENER) {
		l = find(b, s->id, true, &err);
		if (!l && !err)
			b->dropped++;
		if (!l)
			return err;
		l->selected = true;
		l->have_sock = true;
		l->info = *s;
		l->info.items = NULL;
		l->info.nitems = 0;
		l->info.gap = NULL;
		l->info.acc = NULL;
		l->host = s->host;
		l->netns = s->netns;
		l->input = s->input;
		if (s->have_listen) {
			l->have_backlog = true;
			l->asked = s->backlog_asked;
			l->limit = s->backlog_limit;
		}
		if (s->from_snapshot) {
			queue_sample(l, s->snap_rqueue);
			if (!l->limit)
				l->limit = s->snap_wqueue;
		}
		return 0;
	}
	if (s->role != SA_ROLE_PASSIVE || s->parent == 0)
		return 0;
	l = find(b, s->parent, true, &err);
	if (!l)
		return err;
	if (s->have_at & (1u << SA_AT_ESTABLISHED))
		l->handshakes++;
	else if (s->closed)
		l->handshake_failed++;
	if (sa_life_time(s, SA_AT_ESTABLISHED, SA_AT_ACCEPT, &wait))
		return sa_hist_add(&l->wait, wait);
	return 0;
}

/* ---- reading the table, for this report and the diagnosis ---- */

/* Why netns's overflows are not observable; false if they are. */
static bool stop_why(const struct sa_analysis *a, const struct sa_backlog *b,
		     uint32_t host, uint32_t netns, char *buf, size_t size)
{
	const struct ns_stats *n = ns_stop(b, host, netns);
	const char *err;
	char w[SA_WALL_LEN];
	int len;

	if (!n)
		return false;
	err = skr_errno_name(n->stop_err < 0 ? -n->stop_err : n->stop_err);
	sa_time_text(a, n->input, n->stop_ts, w, sizeof(w));
	if (n->netns)
		len = snprintf(buf, size, "sampling of netns %" PRIu32
			       " stopped at %s: %s", netns, w, err ? err : "error");
	else
		len = snprintf(buf, size, "netns %" PRIu32 " not sampled: the "
			       "recorder could not reach new namespaces from %s: %s",
			       netns, w, err ? err : "error");
	if (len < 0 || (size_t)len >= size)
		snprintf(buf, size, "sampling of netns %" PRIu32 " stopped",
			 netns);
	return true;
}

size_t sa_backlog_count(const struct sa_backlog *b)
{
	return b ? b->n : 0;
}

bool sa_backlog_overflows(const struct sa_analysis *a,
			  const struct sa_backlog *b, size_t i,
			  struct sa_overflow *ov)
{
	const struct lsn *l;

	if (!b || i >= b->n)
		return false;
	l = &b->l[i];
	if (!l->selected)
		return false;
	memset(ov, 0, sizeof(*ov));
	ov->listener = &l->info;
	ov->input = l->input;
	ov->stopped = stop_why(a, b, l->host, l->netns, ov->why,
			       sizeof(ov->why));
	ov->known = l->have_drops && !ov->stopped;
	ov->drops = l->drops_last - l->drops_base;
	ov->first = l->overflow_first;
	ov->last = l->overflow_last;
	ov->qpeak = l->qpeak;
	ov->limit = l->limit;
	ov->have_q = l->have_q;
	return true;
}

/* The connects to listener l, wherever its life came from. */
static bool clients_of(const struct sa_backlog *b, const struct lsn *l,
		       struct sa_clients_sum *sum)
{
	struct sa_sock k = l->info;

	k.host = l->host;
	k.netns = l->netns;
	return sa_clients_of(b->clients, &k, sum);
}

bool sa_backlog_clients(const struct sa_backlog *b, size_t i,
			struct sa_clients_sum *sum)
{
	if (!b || i >= b->n)
		return false;
	return clients_of(b, &b->l[i], sum);
}

bool sa_backlog_netns(const struct sa_analysis *a, const struct sa_backlog *b,
		      size_t i, struct sa_netns_delta *d)
{
	const struct ns_stats *n;

	if (!b || i >= b->nns)
		return false;
	n = &b->ns[i];
	memset(d, 0, sizeof(*d));
	/* netns 0 is no namespace: only what its stop says of the others. */
	d->shown = n->netns && sa_filter_netns(&a->opts->filters, n->netns);
	d->stopped = stop_why(a, b, n->host, n->netns, d->why, sizeof(d->why));
	d->host = n->host;
	d->netns = n->netns;
	d->overflows = n->ovf_last - n->ovf_first;
	d->drops = n->drop_last - n->drop_first;
	return true;
}

/* ---- the report ---- */

static const char *owner(const struct sa_sock *s, char *buf, size_t size)
{
	if (!s->have_owner)
		return "unknown";
	return sa_text_task(s->owner_comm, s->owner_pid, buf, size);
}

static void qdist(const struct lsn *l, char *buf, size_t size)
{
	size_t used = 0;
	unsigned i;
	int n;

	buf[0] = '\0';
	for (i = 0; i < QBUCKETS; i++) {
		uint64_t lo = i == 0 ? 0 : (uint64_t)1 << (i - 1);
		uint64_t hi = i == 0 ? 0 : ((uint64_t)1 << i) - 1;

		if (l->qcount[i] == 0)
			continue;
		if (lo == hi)
			n = snprintf(buf + used, size - used, "%s%" PRIu64 ":%"
				     PRIu64, used ? " " : "", lo, l->qcount[i]);
		else
			n = snprintf(buf + used, size - used, "%s%" PRIu64 "-%"
				     PRIu64 ":%" PRIu64, used ? " " : "", lo,
				     hi, l->qcount[i]);
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
}

#define NOT_OBS	"not observable in this trace"

static void text_listener(struct sa_analysis *a, const struct sa_backlog *b,
			  struct lsn *l, bool obs_listen,
			  bool obs_accept, bool obs_q, bool obs_drops,
			  bool obs_synack)
{
	FILE *out = a->out;
	const struct sa_sock *s = &l->info;
	char ep[SA_ENDPOINT_LEN], own[SA_TASK_LEN], w1[SA_WALL_LEN];
	char w2[SA_WALL_LEN], p50[32], p99[32], dist[512], why[SA_WHY_LEN];
	struct sa_clients_sum cs;

	fprintf(out, "#%" PRIu64 " %s netns %" PRIu32 " owner %s", l->id,
		sa_text_endpoint(s->family, s->saddr, s->sport, ep, sizeof(ep)),
		l->netns, owner(s, own, sizeof(own)));
	if (a->nhosts > 1)
		fprintf(out, " host %s", sa_host_name(a, l->host));
	fputc('\n', out);
	if (l->have_backlog)
		fprintf(out, "  backlog:             asked %" PRId32 ", effective %"
			PRIu32 "%s\n", l->asked, l->limit,
			l->asked > 0 && (uint64_t)l->asked > l->limit
			? " (clamped by net.core.somaxconn)" : "");
	else if (l->limit)
		fprintf(out, "  backlog:             asked unknown (listen() not "
			"seen), effective %" PRIu32 "\n", l->limit);
	else
		fprintf(out, "  backlog:             %s\n",
			obs_listen ? "listen() not seen (older than the trace)"
				   : NOT_OBS);
	fprintf(out, "  handshakes:          %" PRIu64 " completed, %" PRIu64
		" failed\n", l->handshakes, l->handshake_failed);
	if (obs_accept)
		fprintf(out, "  accepts:             %" PRIu64 " (%" PRIu64
			" failed calls)\n", l->accepts, l->accept_failed);
	else
		fprintf(out, "  accepts:             %s\n", NOT_OBS);
	if (l->have_q) {
		qdist(l, dist, sizeof(dist));
		fprintf(out, "  accept queue:        peak %" PRIu32 " of %" PRIu32
			"; %" PRIu64 " samples by length: %s\n", l->qpeak,
			l->limit, l->qsamples, dist);
	} else {
		fprintf(out, "  accept queue:        %s\n",
			obs_q ? "no sample" : NOT_OBS);
	}
	if (stop_why(a, b, l->host, l->netns, why, sizeof(why)))
		fprintf(out, "  overflows:           " NOT_OBS " (%s)\n", why);
	else if (l->have_drops && l->drops_last > l->drops_base)
		fprintf(out, "  overflows:           %" PRIu64 " drops (sk_drops), "
			"first %s, last %s\n", l->drops_last - l->drops_base,
			sa_time_text(a, l->input, l->overflow_first, w1,
				     sizeof(w1)),
			sa_time_text(a, l->input, l->overflow_last, w2,
				     sizeof(w2)));
	else if (l->have_drops)
		fprintf(out, "  overflows:           0 drops (sk_drops)\n");
	else
		fprintf(out, "  overflows:           %s\n",
			obs_drops ? "no sample of this listener" : NOT_OBS);
	if (obs_synack)
		fprintf(out, "  SYN-ACK retransmits: %" PRIu64 "\n", l->synack);
	else
		fprintf(out, "  SYN-ACK retransmits: %s\n", NOT_OBS);
	if (!clients_of(b, l, &cs)) {
		fputs("  clients:             no connect to it traced\n", out);
	} else {
		fprintf(out, "  clients:             %" PRIu64 " connect%s",
			cs.connects, cs.connects == 1 ? "" : "s");
		if (sa_clients_syn_observable(a))
			fprintf(out, ", %" PRIu64 " resent their SYN (%" PRIu64
				" SYN%s resent)", cs.retried, cs.syn_retrans,
				cs.syn_retrans == 1 ? "" : "s");
		else
			fputs(" (SYN retransmits " NOT_OBS ")", out);
		fprintf(out, ", %" PRIu64 " established", cs.established);
		if (cs.established > 0)
			fprintf(out, " (slowest after %s s)",
				sa_text_secs(cs.connect_max_ns, p50,
					     sizeof(p50)));
		if (cs.nids > 0)
			fprintf(out, ": %s%s",
				sa_clients_ids(&cs, "#", dist, sizeof(dist)),
				cs.retried > cs.nids ? " ..." : "");
		fputc('\n', out);
	}
	if (l->wait.count > 0)
		fprintf(out, "  accept wait:         p50 %s s, p99 %s s (%" PRIu64
			" accepted)\n",
			sa_text_secs(sa_hist_pct(&l->wait, 50), p50, sizeof(p50)),
			sa_text_secs(sa_hist_pct(&l->wait, 99), p99, sizeof(p99)),
			l->wait.count);
	else
		fprintf(out, "  accept wait:         %s\n",
			obs_accept ? "no accepted connection" : NOT_OBS);
}

static void row_listener(struct sa_analysis *a, const struct sa_backlog *b,
			 struct lsn *l, bool obs_listen,
			 bool obs_accept, bool obs_q, bool obs_drops,
			 bool obs_synack)
{
	struct sa_out *o = &a->o;
	const struct sa_sock *s = &l->info;
	char ep[SA_ENDPOINT_LEN], w[SA_WALL_LEN], dist[512], why[SA_WHY_LEN];
	bool stopped = stop_why(a, b, l->host, l->netns, why, sizeof(why));
	struct sa_clients_sum cs;

	(void)obs_listen;
	(void)obs_q;
	sa_row_begin(o, "listener");
	sa_row_u64(o, "socket", l->id);
	sa_row_str(o, "host", sa_host_name(a, l->host));
	sa_row_u64(o, "netns", l->netns);
	sa_row_str(o, "local", sa_text_endpoint(s->family, s->saddr, s->sport,
						ep, sizeof(ep)));
	if (s->have_owner) {
		sa_row_u64(o, "owner_pid", s->owner_pid);
		sa_row_str(o, "owner_comm", s->owner_comm);
	} else {
		sa_row_null(o, "owner_pid");
		sa_row_null(o, "owner_comm");
	}
	if (l->have_backlog) {
		sa_row_i64(o, "backlog_asked", l->asked);
		sa_row_u64(o, "backlog_effective", l->limit);
		sa_row_bool(o, "clamped", l->asked > 0 &&
			    (uint64_t)l->asked > l->limit);
	} else {
		sa_row_null(o, "backlog_asked");
		if (l->limit)
			sa_row_u64(o, "backlog_effective", l->limit);
		else
			sa_row_null(o, "backlog_effective");
		sa_row_null(o, "clamped");
	}
	sa_row_u64(o, "handshakes", l->handshakes);
	sa_row_u64(o, "handshakes_failed", l->handshake_failed);
	if (obs_accept)
		sa_row_u64(o, "accepts", l->accepts);
	else
		sa_row_null(o, "accepts");
	if (l->have_q) {
		qdist(l, dist, sizeof(dist));
		sa_row_u64(o, "queue_peak", l->qpeak);
		sa_row_u64(o, "queue_samples", l->qsamples);
		sa_row_str(o, "queue_distribution", dist);
	} else {
		sa_row_null(o, "queue_peak");
		sa_row_null(o, "queue_samples");
		sa_row_null(o, "queue_distribution");
	}
	if (l->have_drops && !stopped) {
		sa_row_u64(o, "overflows", l->drops_last - l->drops_base);
		if (l->drops_last > l->drops_base) {
			sa_row_str(o, "overflow_first", sa_time_text(
				a, l->input, l->overflow_first, w, sizeof(w)));
			sa_row_str(o, "overflow_last", sa_time_text(
				a, l->input, l->overflow_last, w, sizeof(w)));
		} else {
			sa_row_null(o, "overflow_first");
			sa_row_null(o, "overflow_last");
		}
	} else {
		(void)obs_drops;
		sa_row_null(o, "overflows");
		sa_row_null(o, "overflow_first");
		sa_row_null(o, "overflow_last");
	}
	if (obs_synack)
		sa_row_u64(o, "synack_retransmits", l->synack);
	else
		sa_row_null(o, "synack_retransmits");
	if (l->wait.count > 0) {
		sa_row_u64(o, "accept_wait_count", l->wait.count);
		sa_row_u64(o, "accept_wait_p50_ns", sa_hist_pct(&l->wait, 50));
		sa_row_u64(o, "accept_wait_p99_ns", sa_hist_pct(&l->wait, 99));
	} else {
		sa_row_u64(o, "accept_wait_count", 0);
		sa_row_null(o, "accept_wait_p50_ns");
		sa_row_null(o, "accept_wait_p99_ns");
	}
	/* Last: a column added after the others keeps CSV readers working. */
	if (stopped)
		sa_row_str(o, "not_observable", why);
	else
		sa_row_null(o, "not_observable");
	clients_of(b, l, &cs);
	sa_row_u64(o, "client_connects", cs.connects);
	if (sa_clients_syn_observable(a)) {
		sa_row_u64(o, "client_syn_retried", cs.retried);
		sa_row_u64(o, "client_syn_retransmits", cs.syn_retrans);
	} else {
		sa_row_null(o, "client_syn_retried");
		sa_row_null(o, "client_syn_retransmits");
	}
	if (cs.established > 0)
		sa_row_u64(o, "client_connect_max_ns", cs.connect_max_ns);
	else
		sa_row_null(o, "client_connect_max_ns");
	sa_row_str(o, "client_syn_retried_socket_ids",
		   sa_clients_ids(&cs, "", dist, sizeof(dist)));
	sa_row_end(o);
}

static void backlog_end(struct sa_analysis *a, void *state)
{
	struct sa_backlog *b = state;
	const char *why;
	bool obs_listen = sa_observable(a, SKR_REC_LISTEN, &why);
	bool obs_accept = sa_observable(a, SKR_REC_ACCEPT, &why);
	bool obs_lsn = sa_observable(a, SKR_REC_LISTENER, &why);
	bool obs_q = obs_accept || obs_lsn;
	bool obs_drops = obs_q;
	bool obs_synack = sa_observable_probe(a, SKR_REC_RETRANSMIT,
					      "tcp_retransmit_synack", &why);
	bool text = a->opts->format == SA_FORMAT_TEXT;
	uint64_t shown = 0, nshown = 0;
	size_t i;

	for (i = 0; i < b->n; i++) {
		struct lsn *l = &b->l[i];

		if (!l->selected)
			continue;
		if (text) {
			if (shown > 0)
				fputc('\n', a->out);
			text_listener(a, b, l, obs_listen, obs_accept, obs_q,
				      obs_drops, obs_synack);
		} else {
			row_listener(a, b, l, obs_listen, obs_accept, obs_q,
				     obs_drops, obs_synack);
		}
		shown++;
	}
	for (i = 0; i < b->nns; i++) {
		const struct ns_stats *n = &b->ns[i];
		char nwhy[SA_WHY_LEN];
		bool stopped;

		if (!n->netns || !sa_filter_netns(&a->opts->filters, n->netns))
			continue;
		stopped = stop_why(a, b, n->host, n->netns, nwhy, sizeof(nwhy));
		if (text && stopped) {
			fprintf(a->out, "%snetns %" PRIu32 "%s%s: ListenOverflows, "
				"ListenDrops " NOT_OBS " (%s)\n",
				nshown++ == 0 ? (shown ? "\n" : "") : "",
				n->netns, a->nhosts > 1 ? " host " : "",
				a->nhosts > 1 ? sa_host_name(a, n->host) : "",
				nwhy);
			continue;
		}
		if (text) {
			fprintf(a->out, "%snetns %" PRIu32 "%s%s: ListenOverflows +%"
				PRIu64 ", ListenDrops +%" PRIu64 " during the "
				"trace\n", nshown++ == 0 ? (shown ? "\n" : "") : "",
				n->netns, a->nhosts > 1 ? " host " : "",
				a->nhosts > 1 ? sa_host_name(a, n->host) : "",
				n->ovf_last - n->ovf_first,
				n->drop_last - n->drop_first);
			continue;
		}
		sa_row_begin(&a->o, "netns");
		sa_row_str(&a->o, "host", sa_host_name(a, n->host));
		sa_row_u64(&a->o, "netns", n->netns);
		if (stopped) {
			sa_row_null(&a->o, "listen_overflows");
			sa_row_null(&a->o, "listen_drops");
			sa_row_str(&a->o, "not_observable", nwhy);
		} else {
			sa_row_u64(&a->o, "listen_overflows",
				   n->ovf_last - n->ovf_first);
			sa_row_u64(&a->o, "listen_drops",
				   n->drop_last - n->drop_first);
			sa_row_null(&a->o, "not_observable");
		}
		sa_row_end(&a->o);
	}
	if (text) {
		if (shown > 0 || nshown > 0)
			fputc('\n', a->out);
		fprintf(a->out, "%" PRIu64 " listener%s\n", shown,
			shown == 1 ? "" : "s");
		if (!sa_observable(a, SKR_REC_NETNS_STATS, &why))
			fprintf(a->out, "Namespace ListenOverflows: %s\n", NOT_OBS);
		if (b->dropped)
			fprintf(a->out, "WARNING: %" PRIu64 " listeners beyond "
				"the first %u not shown\n", b->dropped,
				SA_LISTENERS_MAX);
		sa_print_warnings(a, a->out);
	} else {
		sa_row_warnings(a);
	}
}

static int backlog_new(struct sa_analysis *a, void **state)
{
	struct sa_backlog *b;
	int err;

	(void)a;
	err = sa_backlog_new(&b);
	*state = b;
	return err;
}

static int backlog_socket(struct sa_analysis *a, void *state,
			  const struct sa_sock *s)
{
	return sa_backlog_socket(state, s, sa_pairs_listener_of(
					 sa_sockets_pairs(a->socks), s));
}

static int backlog_event(struct sa_analysis *a, void *state,
			 const struct sa_evctx *ec,
			 const union skr_rec_any *rec, struct sa_sock *s)
{
	(void)a;
	return sa_backlog_event(state, ec, rec, s);
}

static void backlog_free(void *state)
{
	sa_backlog_free(state);
}

const struct sa_view sa_view_backlog = {
	.name = "backlog",
	.option = "--backlog",
	.report = SA_REPORT_BACKLOG,
	.pairs = true,		/* a connect's listener elsewhere */
	.formats = SA_VIEW_TEXT | SA_VIEW_JSON | SA_VIEW_CSV,
	.csv_kind = "listener",
	.csv_header =
		"socket,host,netns,local,owner_pid,owner_comm,"
		"backlog_asked,backlog_effective,clamped,handshakes,"
		"handshakes_failed,accepts,queue_peak,queue_samples,"
		"queue_distribution,overflows,overflow_first,"
		"overflow_last,synack_retransmits,accept_wait_count,"
		"accept_wait_p50_ns,accept_wait_p99_ns,not_observable,"
		"client_connects,client_syn_retried,"
		"client_syn_retransmits,client_connect_max_ns,"
		"client_syn_retried_socket_ids",
	.new = backlog_new,
	.socket = backlog_socket,
	.event = backlog_event,
	.end = backlog_end,
	.free = backlog_free,
};
