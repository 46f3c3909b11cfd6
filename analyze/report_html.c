/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --html OUT: the view.  Each life that passed the filters becomes a lane
 * (its state spans and marked events, on the merged time line) while the
 * lanes fit SA_HTML_LANES_MAX and SA_HTML_BYTES_MAX; past either, every
 * lane so far and every later life is folded into groups by outcome and
 * remote instead, so that a storm of a million sockets still makes a page
 * of a few MiB.  The listeners' accept-queue figures come from the
 * model's listener events, the latency distributions from each life's
 * marks, and the diagnosis from the default report's own state, fed the
 * same lives (report_html_page.c writes it all).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analysis.h"
#include "analyze/hist.h"
#include "analyze/items.h"
#include "analyze/life.h"
#include "analyze/report_html.h"
#include "analyze/sockets.h"
#include "analyze/text.h"
#include "analyze/views.h"
#include "format/skr.h"

extern const struct sa_view sa_view_diag;

/*
 * Markup a lane will take, in bytes: its label and outline, then each
 * span and mark with its title.  Measured on samples/ and rounded up, so
 * the budget errs on the small side.
 */
#define HTML_LANE_COST(nsegs, nmarks) \
	(420u + 190u * (unsigned)(nsegs) + 260u * (unsigned)(nmarks))

/* Which mark wins a full lane's slot: what went wrong first. */
static unsigned mark_rank(unsigned kind)
{
	switch (kind) {
	case SA_HM_RESET_IN:
	case SA_HM_RESET_OUT:
	case SA_HM_ERROR:
	case SA_HM_FAILED_CALL:
		return 3;
	case SA_HM_RETRANS:
	case SA_HM_SYNACK:
		return 2;
	default:
		return 1;
	}
}

/* The mark an item makes, or -1 for none (transitions, accepts seen from
 * the listener, counters): those are the spans, the charts and titles. */
static int mark_kind(const struct sa_item *it)
{
	unsigned ik = it->kind;

	switch (ik) {
	case SA_IK_RESET_IN:
		return SA_HM_RESET_IN;
	case SA_IK_RESET_OUT:
		return SA_HM_RESET_OUT;
	case SA_IK_ERROR:
		return SA_HM_ERROR;
	case SA_IK_RETRANS:
		return SA_HM_RETRANS;
	case SA_IK_SYNACK:
		return SA_HM_SYNACK;
	case SA_IK_DROP:
		/* A benign free is no drop: a mark of its own, in grey. */
		return it->u.n.w[1] != SKR_BENIGN_NONE ? SA_HM_BENIGN
						       : SA_HM_DROP;
	case SA_IK_ACCEPTED:
	case SA_IK_ACCEPTED_WAIT:
		return SA_HM_ACCEPTED;
	case SA_IK_LISTEN_FAIL:
	case SA_IK_ACCEPT_FAIL:
		return SA_HM_FAILED_CALL;
	default:
		return -1;
	}
}

static void add_seg(struct sa_html_lane *l, uint64_t mt, unsigned state)
{
	if (l->nsegs > 0 && l->seg[l->nsegs - 1].state == state)
		return;
	/* A full lane keeps its latest state right: the last span moves. */
	if (l->nsegs == SA_HTML_SEGS_MAX) {
		l->segs_hidden++;
		l->nsegs--;
	}
	l->seg[l->nsegs].mt = mt;
	l->seg[l->nsegs].state = (uint8_t)state;
	l->nsegs++;
}

static void add_mark(struct sa_analysis *a, struct sa_html_lane *l,
		     const struct sa_item *it, unsigned kind)
{
	struct sa_html_mark *m = NULL;
	char detail[SA_DETAIL_MAX];
	size_t i, low = SIZE_MAX;

	if (l->nmarks < SA_HTML_MARKS_MAX) {
		m = &l->mark[l->nmarks++];
	} else {
		/* Full: the latest of the least serious marks gives way. */
		for (i = 0; i < l->nmarks; i++)
			if (low == SIZE_MAX ||
			    mark_rank(l->mark[i].kind) <=
			    mark_rank(l->mark[low].kind))
				low = i;
		l->marks_hidden++;
		if (mark_rank(kind) <= mark_rank(l->mark[low].kind))
			return;
		m = &l->mark[low];
	}
	m->ts = it->ts_ns;
	m->input = it->input;
	m->mt = sa_merge_time(a, it->input, it->ts_ns);
	m->kind = (uint8_t)kind;
	sa_text_copy(m->detail, sizeof(m->detail),
		     sa_item_detail(a, it, detail, sizeof(detail)),
		     sizeof(detail));
}

static void lane_why(const struct sa_sock *s, enum sa_outcome o,
		     struct sa_html_lane *l)
{
	const char *e = s->error ? skr_errno_name(s->error) : NULL;
	int n;

	n = snprintf(l->why, sizeof(l->why), "%s%s%s%s", sa_outcome_name(o),
		     e ? " (" : "", e ? e : "", e ? ")" : "");
	if (n < 0)
		l->why[0] = '\0';
}

/* The lane of a finished life, from its kept items. */
static struct sa_html_lane *lane_of(struct sa_analysis *a,
				    const struct sa_sock *s)
{
	struct sa_html_lane *l = calloc(1, sizeof(*l));
	const struct sa_item *it;
	const struct sa_gap_run *run;
	struct sa_items_pos p;
	uint64_t mt;
	int k;

	if (!l)
		return NULL;
	l->id = s->id;
	l->first_mt = s->first_mt;
	l->first_ts = s->first_ts;
	l->input = s->input;
	l->host = s->host;
	l->family = s->family;
	l->role = s->role;
	l->outcome = (uint8_t)sa_outcome_of(a, s);
	l->older = s->older;
	memcpy(l->saddr, s->saddr, sizeof(l->saddr));
	memcpy(l->daddr, s->daddr, sizeof(l->daddr));
	l->sport = s->sport;
	l->dport = s->dport;
	if (s->have_owner)
		sa_text_task(s->owner_comm, s->owner_pid, l->owner,
			     sizeof(l->owner));
	else
		sa_text_copy(l->owner, sizeof(l->owner), "unknown", 8);
	lane_why(s, (enum sa_outcome)l->outcome, l);
	/* A socket older than the trace was there from its start. */
	if (s->older && a->start_mt < l->first_mt)
		l->first_mt = a->start_mt;
	sa_items_begin(&p);
	while (sa_items_next(s, &p, &it, &run)) {
		if (!it) {
			l->segs_hidden += run->by_kind[SA_GK_STATE];
			l->marks_hidden += run->n - run->by_kind[SA_GK_STATE];
			continue;
		}
		mt = sa_merge_time(a, it->input, it->ts_ns);
		if (it->kind == SA_IK_STATE) {
			if (l->nsegs == 0 && s->older &&
			    it->oldstate != SKR_TCP_CLOSE)
				add_seg(l, l->first_mt, it->oldstate);
			add_seg(l, mt, it->newstate);
			if (it->newstate == SKR_TCP_CLOSE)
				l->end_mt = mt;
			continue;
		}
		if (it->kind == SA_IK_SNAP || it->kind == SA_IK_SNAP_LISTEN) {
			add_seg(l, mt, it->kind == SA_IK_SNAP ? it->evstate
							      : SKR_TCP_LISTEN);
			continue;
		}
		k = mark_kind(it);
		if (k >= 0)
			add_mark(a, l, it, (unsigned)k);
	}
	return l;
}

/* ---- groups ---- */

static void group_key(const struct sa_sock *s, enum sa_outcome o,
		      struct sa_html_group *k)
{
	memset(k, 0, sizeof(*k));
	k->outcome = (uint8_t)o;
	k->role = s->role;
	k->family = s->family;
	k->host = s->host;
	/* The peer that matters: a client's server; a server's client host. */
	if (s->role == SA_ROLE_ACTIVE) {
		memcpy(k->addr, s->daddr, sizeof(k->addr));
		k->port = s->dport;
	} else if (s->role == SA_ROLE_PASSIVE) {
		memcpy(k->addr, s->daddr, sizeof(k->addr));
		k->port = s->sport;
	} else {
		memcpy(k->addr, s->saddr, sizeof(k->addr));
		k->port = s->sport;
	}
}

static bool same_group(const struct sa_html_group *g,
		       const struct sa_html_group *k)
{
	return g->outcome == k->outcome && g->role == k->role &&
	       g->family == k->family && g->host == k->host &&
	       g->port == k->port && g->other == k->other &&
	       memcmp(g->addr, k->addr, sizeof(g->addr)) == 0;
}

/* Halve the resolution of every group's bins until bin idx fits. */
static void rebin(struct sa_html *h, uint64_t off)
{
	size_t i, b;

	while (off / h->bin_ns >= SA_HTML_BINS) {
		for (i = 0; i < h->ngroups; i++) {
			uint64_t *bin = h->group[i].bin;

			for (b = 0; b < SA_HTML_BINS / 2; b++)
				bin[b] = bin[2 * b] + bin[2 * b + 1];
			memset(&bin[SA_HTML_BINS / 2], 0,
			       SA_HTML_BINS / 2 * sizeof(bin[0]));
		}
		h->bin_ns *= 2;
	}
}

static struct sa_html_group *find_group(struct sa_html *h,
					struct sa_html_group *k, int *err)
{
	struct sa_html_group *g;
	size_t i;

	*err = 0;
	for (i = 0; i < h->ngroups; i++)
		if (same_group(&h->group[i], k))
			return &h->group[i];
	if (h->ngroups >= SA_HTML_GROUPS_MAX) {
		/* One catch-all of the outcome's role and host. */
		memset(k->addr, 0, sizeof(k->addr));
		k->port = 0;
		k->other = true;
		for (i = 0; i < h->ngroups; i++)
			if (same_group(&h->group[i], k))
				return &h->group[i];
	}
	if (h->ngroups == h->groupcap) {
		size_t cap = h->groupcap ? h->groupcap * 2 : 32;

		g = realloc(h->group, cap * sizeof(*g));
		if (!g) {
			*err = -ENOMEM;
			return NULL;
		}
		h->group = g;
		h->groupcap = cap;
	}
	g = &h->group[h->ngroups++];
	*g = *k;
	return g;
}

static void group_ids_add(struct sa_html_group *g, uint64_t id)
{
	size_t i;

	/* Lives end out of id order: keep the smallest, ascending. */
	if (g->nids == SA_HTML_IDS_SHOWN && id > g->ids[g->nids - 1])
		return;
	if (g->nids < SA_HTML_IDS_SHOWN)
		g->nids++;
	for (i = g->nids - 1; i > 0 && g->ids[i - 1] > id; i--)
		g->ids[i] = g->ids[i - 1];
	g->ids[i] = id;
}

static int group_add(struct sa_analysis *a, struct sa_html *h,
		     const struct sa_sock *s, enum sa_outcome o,
		     uint64_t first_mt, const uint64_t marks[SA_HM_COUNT])
{
	struct sa_html_group k, *g;
	uint64_t off;
	size_t i;
	int err;

	group_key(s, o, &k);
	g = find_group(h, &k, &err);
	if (!g)
		return err;
	off = first_mt > a->start_mt ? first_mt - a->start_mt : 0;
	rebin(h, off);
	g->bin[off / h->bin_ns]++;
	if (g->count == 0 || first_mt < g->first_mt)
		g->first_mt = first_mt;
	if (g->count == 0 || s->last_mt > g->last_mt)
		g->last_mt = s->last_mt;
	g->count++;
	group_ids_add(g, s->id);
	for (i = 0; i < SA_HM_COUNT; i++)
		g->marks[i] += marks[i];
	return 0;
}

/* What a life's counters say it suffered, for its group. */
static void sock_marks(const struct sa_sock *s, uint64_t m[SA_HM_COUNT])
{
	memset(m, 0, SA_HM_COUNT * sizeof(m[0]));
	m[SA_HM_RESET_IN] = s->resets_in;
	m[SA_HM_RESET_OUT] = s->resets_out;
	m[SA_HM_ERROR] = s->error != 0;
	m[SA_HM_RETRANS] = s->retrans;
	m[SA_HM_SYNACK] = s->synack_retrans;
}

/*
 * Too many lanes: fold them into groups, each through a summary socket
 * holding what group_key() reads, and the marks the lane kept.
 */
static int fold_lanes(struct sa_analysis *a, struct sa_html *h)
{
	uint64_t m[SA_HM_COUNT];
	struct sa_sock s;
	size_t i, j;
	int err = 0;

	h->grouped = true;
	for (i = 0; i < h->nlanes; i++) {
		struct sa_html_lane *l = h->lane[i];

		memset(&s, 0, sizeof(s));
		s.id = l->id;
		s.role = l->role;
		s.family = l->family;
		s.host = l->host;
		memcpy(s.saddr, l->saddr, sizeof(s.saddr));
		memcpy(s.daddr, l->daddr, sizeof(s.daddr));
		s.sport = l->sport;
		s.dport = l->dport;
		s.last_mt = l->end_mt ? l->end_mt : l->first_mt;
		memset(m, 0, sizeof(m));
		for (j = 0; j < l->nmarks; j++)
			m[l->mark[j].kind]++;
		if (err == 0)
			err = group_add(a, h, &s, (enum sa_outcome)l->outcome,
					l->first_mt, m);
		free(l);
	}
	free(h->lane);
	h->lane = NULL;
	h->nlanes = h->lanecap = 0;
	return err;
}

/* ---- listeners' accept queues ---- */

static struct sa_html_listener *listener_of(struct sa_html *h,
					    const struct sa_sock *s,
					    bool create, int *err)
{
	struct sa_html_listener *l;
	size_t i;

	*err = 0;
	for (i = 0; i < h->nlsn; i++)
		if (h->lsn[i]->id == s->id)
			return h->lsn[i];
	if (!create || h->nlsn == SA_HTML_LISTENERS_MAX)
		return NULL;
	l = calloc(1, sizeof(*l));
	if (!l) {
		*err = -ENOMEM;
		return NULL;
	}
	l->id = s->id;
	h->lsn[h->nlsn++] = l;
	return l;
}

static void listener_names(struct sa_html_listener *l,
			   const struct sa_sock *s)
{
	l->host = s->host;
	l->family = s->family;
	memcpy(l->addr, s->saddr, sizeof(l->addr));
	l->port = s->sport;
	if (s->have_owner)
		sa_text_task(s->owner_comm, s->owner_pid, l->owner,
			     sizeof(l->owner));
	else
		sa_text_copy(l->owner, sizeof(l->owner), "unknown", 8);
}

/* A full series keeps its shape at half the points: each pair's peak. */
static void halve(struct sa_html_listener *l)
{
	size_t i;

	for (i = 0; i < l->npts / 2; i++) {
		const struct sa_html_qpoint *x = &l->pt[2 * i];
		const struct sa_html_qpoint *y = &l->pt[2 * i + 1];
		struct sa_html_qpoint m = *x;

		if (y->qlen > m.qlen)
			m.qlen = y->qlen;
		if (y->limit > m.limit)
			m.limit = y->limit;
		if (y->have_drops) {
			m.drops = y->drops;
			m.have_drops = true;
		}
		l->pt[i] = m;
	}
	l->merged += l->npts - l->npts / 2;
	l->npts /= 2;
}

static void add_point(struct sa_html_listener *l, uint64_t mt, uint32_t qlen,
		      uint32_t limit, bool have_drops, uint64_t drops)
{
	struct sa_html_qpoint *p;

	if (l->npts == SA_HTML_QPOINTS_MAX)
		halve(l);
	p = &l->pt[l->npts++];
	p->mt = mt;
	p->qlen = qlen;
	p->limit = limit;
	p->have_drops = have_drops;
	p->drops = drops;
}

/* ---- the view ---- */

static void html_free(void *state)
{
	struct sa_html *h = state;
	size_t i;

	if (!h)
		return;
	if (sa_view_diag.free)
		sa_view_diag.free(h->diag);
	for (i = 0; i < h->nlanes; i++)
		free(h->lane[i]);
	free(h->lane);
	free(h->group);
	for (i = 0; i < h->nlsn; i++)
		free(h->lsn[i]);
	for (i = 0; i < SA_HD_COUNT; i++)
		sa_hist_release(&h->dist[i]);
	free(h);
}

static int html_new(struct sa_analysis *a, void **state)
{
	struct sa_html *h = calloc(1, sizeof(*h));
	size_t i;
	int err;

	*state = NULL;
	if (!h)
		return -ENOMEM;
	for (i = 0; i < SA_HD_COUNT; i++)
		sa_hist_init(&h->dist[i]);
	h->bin_ns = 1000000;
	err = sa_view_diag.new(a, &h->diag);
	if (err) {
		html_free(h);
		return err;
	}
	*state = h;
	return 0;
}

static int add_time(struct sa_hist *hist, const struct sa_sock *s,
		    enum sa_mark from, enum sa_mark to)
{
	uint64_t ns;

	if (!sa_life_time(s, from, to, &ns))
		return 0;
	return sa_hist_add(hist, ns);
}

static int dists_add(struct sa_html *h, const struct sa_sock *s,
		     enum sa_outcome o)
{
	int err = 0;

	switch (o) {
	case SA_OUT_CONNECTED:
		err = add_time(&h->dist[SA_HD_CONNECT], s, SA_AT_SYN_SENT,
			       SA_AT_ESTABLISHED);
		break;
	case SA_OUT_REFUSED:
	case SA_OUT_CONNECT_TIMEOUT:
	case SA_OUT_CONNECT_ERROR:
	case SA_OUT_CONNECT_ABORTED:
	case SA_OUT_CONNECT_FAILED:
		err = add_time(&h->dist[SA_HD_CONNECT_FAILED], s,
			       SA_AT_SYN_SENT, SA_AT_CLOSE);
		break;
	default:
		break;
	}
	if (err == 0)
		err = add_time(&h->dist[SA_HD_ACCEPT_WAIT], s,
			       SA_AT_ESTABLISHED, SA_AT_ACCEPT);
	return err;
}

static int keep_lane(struct sa_analysis *a, struct sa_html *h,
		     const struct sa_sock *s)
{
	struct sa_html_lane *l, **grown;

	l = lane_of(a, s);
	if (!l)
		return -ENOMEM;
	if (h->nlanes == h->lanecap) {
		size_t cap = h->lanecap ? h->lanecap * 2 : 64;

		grown = realloc(h->lane, cap * sizeof(*grown));
		if (!grown) {
			free(l);
			return -ENOMEM;
		}
		h->lane = grown;
		h->lanecap = cap;
	}
	h->lane[h->nlanes++] = l;
	h->bytes += HTML_LANE_COST(l->nsegs, l->nmarks);
	if (h->nlanes > SA_HTML_LANES_MAX || h->bytes > SA_HTML_BYTES_MAX)
		return fold_lanes(a, h);
	return 0;
}

static int html_socket(struct sa_analysis *a, void *state,
		       const struct sa_sock *s)
{
	struct sa_html *h = state;
	enum sa_outcome o = sa_outcome_of(a, s);
	struct sa_html_listener *l;
	uint64_t m[SA_HM_COUNT];
	int err;

	err = sa_view_diag.socket(a, h->diag, s);
	if (err)
		return err;
	h->sockets++;
	err = dists_add(h, s, o);
	if (err)
		return err;
	if (s->role == SA_ROLE_LISTENER) {
		l = listener_of(h, s, false, &err);
		if (l) {
			l->selected = true;
			listener_names(l, s);
			if (s->closed && (s->have_at & (1u << SA_AT_CLOSE)))
				l->end_mt = sa_merge_time(a, s->input,
							  s->at[SA_AT_CLOSE]);
		} else if (h->nlsn == SA_HTML_LISTENERS_MAX) {
			h->lsn_more++;
		}
	}
	if (!h->grouped)
		return keep_lane(a, h, s);
	sock_marks(s, m);
	return group_add(a, h, s, o, s->older && a->start_mt < s->first_mt
					   ? a->start_mt : s->first_mt, m);
}

static int html_event(struct sa_analysis *a, void *state,
		      const struct sa_evctx *ec, const union skr_rec_any *rec,
		      struct sa_sock *s)
{
	struct sa_html *h = state;
	struct sa_html_listener *l;
	int err;

	if (sa_view_diag.event) {
		err = sa_view_diag.event(a, h->diag, ec, rec, s);
		if (err)
			return err;
	}
	if (!s)
		return 0;
	switch (rec->hdr.type) {
	case SKR_REC_LISTEN:
	case SKR_REC_ACCEPT:
	case SKR_REC_LISTENER:
		break;
	default:
		return 0;
	}
	l = listener_of(h, s, true, &err);
	if (!l)
		return err;
	listener_names(l, s);
	switch (rec->hdr.type) {
	case SKR_REC_LISTEN:
		if (rec->listen.ret == 0)
			add_point(l, ec->mt, rec->listen.qlen,
				  rec->listen.max_backlog, true,
				  rec->listen.drops);
		break;
	case SKR_REC_ACCEPT:
		add_point(l, ec->mt, rec->accept.qlen,
			  rec->accept.max_backlog, true, rec->accept.drops);
		break;
	default:
		add_point(l, ec->mt, rec->listener.ack_backlog,
			  rec->listener.max_ack_backlog,
			  !(rec->listener.flags & SKR_LISTENER_NO_DROPS),
			  rec->listener.drops);
		break;
	}
	return 0;
}

static void html_end(struct sa_analysis *a, void *state)
{
	sa_html_page(a, state);
}

const struct sa_view sa_view_html = {
	.name = "html",
	.option = "--html",
	.arg = "OUT",
	.report = SA_REPORT_HTML,
	.pairs = true,		/* the diagnosis inside it */
	.formats = SA_VIEW_TEXT,
	.items = true,
	.new = html_new,
	.socket = html_socket,
	.event = html_event,
	.end = html_end,
	.free = html_free,
};
