/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The default report: a short diagnosis of what went wrong.  Sockets by
 * outcome; failed connects by reason and remote endpoint; resets by
 * direction, state and reason; listen overflows per listener and per
 * namespace; connections left in CLOSE_WAIT at the end (an application
 * that does not close); lost events and truncation.  Every finding names
 * the socket ids to look at with --timeline --socket ID.
 *
 * Lives are folded into bounded group tables as they end; a finding whose
 * events were not recorded says "not observable in this trace".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/sockana.h"

#define IDS_SHOWN	8	/* socket ids named per finding */
#define GROUPS_MAX	256	/* distinct keys per table; more go to "other" */
#define CLOSE_WAIT_SHOWN 20
#define KEY_LEN		128

struct ids {
	uint64_t id[IDS_SHOWN];
	size_t n;
	uint64_t count;
};

struct group {
	char a[40], b[KEY_LEN - 40];	/* the key: two columns */
	char c[40];
	struct ids ids;
	uint64_t ns_min, ns_max;	/* time from start to failure */
	bool have_ns;
};

struct table {
	struct group *g;
	size_t n, cap;
	struct ids other;
};

struct cw {
	uint64_t id;
	struct sa_sock s;		/* summary copy, no items */
};

struct sa_diag {
	uint64_t sockets;
	uint64_t older, snapshot, open_at_end;
	struct ids outcome[SA_OUT_COUNT];
	struct table failed;
	struct table resets;
	struct cw cw[CLOSE_WAIT_SHOWN];
	size_t ncw;			/* filled in cw[] */
	uint64_t close_wait;		/* sockets in CLOSE_WAIT at the end */
	uint64_t reset_sockets;
};

int sa_diag_new(struct sa_analysis *a)
{
	a->diag = calloc(1, sizeof(*a->diag));
	return a->diag ? 0 : -ENOMEM;
}

void sa_diag_free(struct sa_diag *d)
{
	if (!d)
		return;
	free(d->failed.g);
	free(d->resets.g);
	free(d);
}

static void ids_add(struct ids *ids, uint64_t id)
{
	if (ids->n < IDS_SHOWN)
		ids->id[ids->n++] = id;
	ids->count++;
}

static int copy_key(char *dst, size_t size, const char *src)
{
	sa_text_copy(dst, size, src, strlen(src));
	return 0;
}

static struct group *group_of(struct table *t, const char *a, const char *b,
			      const char *c, int *err)
{
	struct group *g;
	size_t i;

	*err = 0;
	for (i = 0; i < t->n; i++)
		if (strcmp(t->g[i].a, a) == 0 && strcmp(t->g[i].b, b) == 0 &&
		    strcmp(t->g[i].c, c) == 0)
			return &t->g[i];
	if (t->n == GROUPS_MAX)
		return NULL;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;

		g = realloc(t->g, cap * sizeof(*g));
		if (!g) {
			*err = -ENOMEM;
			return NULL;
		}
		t->g = g;
		t->cap = cap;
	}
	g = &t->g[t->n++];
	memset(g, 0, sizeof(*g));
	copy_key(g->a, sizeof(g->a), a);
	copy_key(g->b, sizeof(g->b), b);
	copy_key(g->c, sizeof(g->c), c);
	return g;
}

static int group_add(struct table *t, const char *a, const char *b,
		     const char *c, uint64_t id, const uint64_t *ns)
{
	struct group *g;
	int err;

	g = group_of(t, a, b, c, &err);
	if (!g) {
		if (err)
			return err;
		ids_add(&t->other, id);
		return 0;
	}
	ids_add(&g->ids, id);
	if (ns) {
		if (!g->have_ns || *ns < g->ns_min)
			g->ns_min = *ns;
		if (!g->have_ns || *ns > g->ns_max)
			g->ns_max = *ns;
		g->have_ns = true;
	}
	return 0;
}

/* The failure of a connect, in words: errno name or what is known. */
static const char *fail_reason(const struct sa_sock *s, enum sa_outcome o,
			       char *buf, size_t size)
{
	const char *name;
	int n;

	if (o == SA_OUT_HANDSHAKE_FAILED)
		return "passive handshake failed";
	if (s->error) {
		name = sa_errno_name(s->error);
		if (name)
			return name;
		n = snprintf(buf, size, "errno %" PRId32, s->error);
		return n > 0 && (size_t)n < size ? buf : "errno";
	}
	if (o == SA_OUT_REFUSED)
		return "reset in SYN_SENT";
	if (o == SA_OUT_CONNECT_ABORTED)
		return "closed while connecting";
	return "reason not seen";
}

static int fold_resets(struct sa_analysis *a, struct sa_diag *d,
		       const struct sa_sock *s)
{
	char st[24], rb[24];
	const char *why;
	int n, err = 0;

	if (!sa_life_reset(s))
		return 0;
	d->reset_sockets++;
	if (s->resets_in > 0)
		err = group_add(&d->resets, "received", skr_tcp_state_name(
					s->reset_in_state, st, sizeof(st)),
				"", s->id, NULL);
	if (err == 0 && s->resets_out > 0) {
		why = s->reset_reason == SKR_REASON_NONE ? "" :
		      sa_meta_enum(&a->in[s->input].meta, SKR_REC_RESET,
				   s->reset_reason);
		if (!why) {
			n = snprintf(rb, sizeof(rb), "reason %" PRIu32,
				     s->reset_reason);
			why = n > 0 && (size_t)n < sizeof(rb) ? rb : "";
		}
		err = group_add(&d->resets, "sent", "", why, s->id, NULL);
	}
	return err;
}

int sa_diag_socket(struct sa_analysis *a, const struct sa_sock *s)
{
	struct sa_diag *d = a->diag;
	enum sa_outcome o = sa_life_outcome(s);
	char ep[SA_ENDPOINT_LEN], rb[32];
	uint64_t ns;
	bool have_ns;
	int err;

	d->sockets++;
	if (s->older)
		d->older++;
	if (s->from_snapshot)
		d->snapshot++;
	if (!s->closed)
		d->open_at_end++;
	ids_add(&d->outcome[o], s->id);
	if (o == SA_OUT_REFUSED || o == SA_OUT_CONNECT_TIMEOUT ||
	    o == SA_OUT_CONNECT_ERROR || o == SA_OUT_CONNECT_FAILED ||
	    o == SA_OUT_CONNECT_ABORTED ||
	    o == SA_OUT_HANDSHAKE_FAILED) {
		have_ns = sa_life_time(s, o == SA_OUT_HANDSHAKE_FAILED
					   ? SA_AT_SYN_RECV : SA_AT_SYN_SENT,
				       SA_AT_CLOSE, &ns);
		/* A passive socket's remote port is the client's: leave it. */
		sa_text_endpoint(s->family, s->daddr,
				 o == SA_OUT_HANDSHAKE_FAILED ? 0 : s->dport,
				 ep, sizeof(ep));
		if (o == SA_OUT_HANDSHAKE_FAILED) {
			char *colon = strrchr(ep, ':');

			if (colon)
				*colon = '\0';
		}
		err = group_add(&d->failed, fail_reason(s, o, rb, sizeof(rb)),
				ep, "", s->id, have_ns ? &ns : NULL);
		if (err)
			return err;
	}
	err = fold_resets(a, d, s);
	if (err)
		return err;
	/* Its own bound: each socket gets a line, not just an id. */
	if (!s->closed && s->state == SKR_TCP_CLOSE_WAIT) {
		if (d->ncw < CLOSE_WAIT_SHOWN) {
			struct cw *c = &d->cw[d->ncw++];

			c->id = s->id;
			c->s = *s;
			c->s.items = NULL;
			c->s.nitems = 0;
		}
		d->close_wait++;
	}
	return 0;
}

/* ---- output ---- */

static int cmp_id(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* The first ids seen (in order of their lives' ends), shown ascending. */
static void ids_text(const struct ids *ids, char *buf, size_t size,
		     const char *sep, const char *hash)
{
	uint64_t id[IDS_SHOWN];
	size_t used = 0, i;
	int n;

	buf[0] = '\0';
	memcpy(id, ids->id, ids->n * sizeof(id[0]));
	qsort(id, ids->n, sizeof(id[0]), cmp_id);
	for (i = 0; i < ids->n; i++) {
		n = snprintf(buf + used, size - used, "%s%s%" PRIu64,
			     i ? sep : "", hash, id[i]);
		if (n < 0 || (size_t)n >= size - used)
			return;
		used += (size_t)n;
	}
	if (ids->count > ids->n && *hash) {
		n = snprintf(buf + used, size - used, " (+%" PRIu64 " more)",
			     ids->count - ids->n);
		if (n < 0 || (size_t)n >= size - used)
			buf[used] = '\0';
	}
}

static void row_ids(struct sa_out *o, const struct ids *ids)
{
	char buf[256];

	ids_text(ids, buf, sizeof(buf), " ", "");
	sa_row_u64(o, "count", ids->count);
	sa_row_str(o, "sockets", buf);
	sa_row_u64(o, "sockets_more", ids->count - ids->n);
}

static int cmp_group(const void *x, const void *y)
{
	const struct group *a = x, *b = y;
	int c;

	if (a->ids.count != b->ids.count)
		return a->ids.count > b->ids.count ? -1 : 1;
	c = strcmp(a->a, b->a);
	if (c == 0)
		c = strcmp(a->b, b->b);
	return c ? c : strcmp(a->c, b->c);
}

static const char *when(struct sa_analysis *a, uint64_t mt, char *buf,
			size_t size)
{
	char s[32];
	int n;

	if (a->wall && sa_format_wall(mt, buf, size) == 0)
		return buf;
	n = snprintf(buf, size, "clock+%s", sa_text_secs(mt, s, sizeof(s)));
	if (n < 0 || (size_t)n >= size)
		buf[0] = '\0';
	return buf;
}

static void trace_line(struct sa_analysis *a)
{
	struct sa_diag *d = a->diag;
	char w1[SA_WALL_LEN], w2[SA_WALL_LEN], dur[32];
	uint64_t lost = sa_lost(a), events = 0;
	size_t i;

	for (i = 0; i < a->nin; i++)
		events += a->in[i].meta.events;
	if (a->opts->format != SA_FORMAT_TEXT) {
		sa_row_begin(&a->o, "trace");
		sa_row_u64(&a->o, "inputs", a->nin);
		sa_row_str(&a->o, "file", a->nin == 1 ? a->name : NULL);
		if (a->started) {
			sa_row_str(&a->o, "first_event",
				   when(a, a->start_mt, w1, sizeof(w1)));
			sa_row_str(&a->o, "last_event",
				   when(a, a->end_mt, w2, sizeof(w2)));
			sa_row_u64(&a->o, "duration_ns", a->end_mt - a->start_mt);
		} else {
			sa_row_null(&a->o, "first_event");
			sa_row_null(&a->o, "last_event");
			sa_row_null(&a->o, "duration_ns");
		}
		sa_row_bool(&a->o, "complete", !sa_truncated(a));
		sa_row_u64(&a->o, "events", events);
		sa_row_u64(&a->o, "lost", lost);
		sa_row_u64(&a->o, "sockets", sa_sockets_seen(a->socks));
		sa_row_u64(&a->o, "selected", d->sockets);
		sa_row_end(&a->o);
		return;
	}
	if (a->nin == 1)
		fprintf(a->out, "Trace: %s", a->name);
	else
		fprintf(a->out, "Trace: %zu inputs from %" PRIu32 " host%s",
			a->nin, a->nhosts, a->nhosts == 1 ? "" : "s");
	if (a->started)
		fprintf(a->out, ", %s to %s (%s s)",
			when(a, a->start_mt, w1, sizeof(w1)),
			when(a, a->end_mt, w2, sizeof(w2)),
			sa_text_secs(a->end_mt - a->start_mt, dur, sizeof(dur)));
	fprintf(a->out, ", %" PRIu64 " events, %s\n", events,
		sa_truncated(a) ? "TRUNCATED" : "complete");
	fprintf(a->out, "Sockets: %" PRIu64, sa_sockets_seen(a->socks));
	if (a->opts->filters.any)
		fprintf(a->out, " seen, %" PRIu64 " match the filters",
			d->sockets);
	fprintf(a->out, " (%" PRIu64 " older than the trace, %" PRIu64
		" open at the end)\n", d->older, d->open_at_end);
}

static void outcomes(struct sa_analysis *a)
{
	struct sa_diag *d = a->diag;
	char ids[256];
	unsigned o;

	if (a->opts->format == SA_FORMAT_TEXT)
		fputs("\nOutcomes:\n", a->out);
	for (o = 0; o < SA_OUT_COUNT; o++) {
		if (d->outcome[o].count == 0)
			continue;
		if (a->opts->format != SA_FORMAT_TEXT) {
			sa_row_begin(&a->o, "outcome");
			sa_row_str(&a->o, "outcome", sa_outcome_name(o));
			row_ids(&a->o, &d->outcome[o]);
			sa_row_end(&a->o);
			continue;
		}
		ids_text(&d->outcome[o], ids, sizeof(ids), " ", "#");
		fprintf(a->out, "  %-40s %6" PRIu64 "  %s\n", sa_outcome_name(o),
			d->outcome[o].count, ids);
	}
	if (d->sockets == 0 && a->opts->format == SA_FORMAT_TEXT)
		fputs("  no socket\n", a->out);
}

static void not_observable(struct sa_analysis *a, const char *finding,
			   const char *why)
{
	if (a->opts->format == SA_FORMAT_TEXT) {
		fprintf(a->out, "  not observable in this trace (%s)\n", why);
		return;
	}
	sa_row_begin(&a->o, "not_observable");
	sa_row_str(&a->o, "finding", finding);
	sa_row_str(&a->o, "reason", why);
	sa_row_end(&a->o);
}

static void table_out(struct sa_analysis *a, struct table *t,
		      const char *kind, const char *ka, const char *kb,
		      const char *kc)
{
	char ids[256], n1[32], n2[32];
	bool text = a->opts->format == SA_FORMAT_TEXT;
	size_t i;

	/* With no group t->g is NULL, which qsort must not be given. */
	if (t->n > 1)
		qsort(t->g, t->n, sizeof(*t->g), cmp_group);
	for (i = 0; i < t->n; i++) {
		const struct group *g = &t->g[i];

		if (!text) {
			sa_row_begin(&a->o, kind);
			sa_row_str(&a->o, ka, g->a);
			sa_row_str(&a->o, kb, g->b);
			if (kc)
				sa_row_str(&a->o, kc, g->c[0] ? g->c : NULL);
			row_ids(&a->o, &g->ids);
			if (g->have_ns) {
				sa_row_u64(&a->o, "after_min_ns", g->ns_min);
				sa_row_u64(&a->o, "after_max_ns", g->ns_max);
			} else {
				sa_row_null(&a->o, "after_min_ns");
				sa_row_null(&a->o, "after_max_ns");
			}
			sa_row_end(&a->o);
			continue;
		}
		ids_text(&g->ids, ids, sizeof(ids), " ", "#");
		fprintf(a->out, "  %-24s %-24s %6" PRIu64 "  %s", g->a,
			g->c[0] ? g->c : g->b, g->ids.count, ids);
		if (g->have_ns)
			fprintf(a->out, "  (after %s to %s s)",
				sa_text_secs(g->ns_min, n1, sizeof(n1)),
				sa_text_secs(g->ns_max, n2, sizeof(n2)));
		fputc('\n', a->out);
	}
	if (t->other.count > 0 && text) {
		ids_text(&t->other, ids, sizeof(ids), " ", "#");
		fprintf(a->out, "  %-49s %6" PRIu64 "  %s\n", "(other)",
			t->other.count, ids);
	}
}

static void failed_connects(struct sa_analysis *a)
{
	struct sa_diag *d = a->diag;
	bool text = a->opts->format == SA_FORMAT_TEXT;
	const char *why;

	if (text)
		fputs("\nFailed connects (reason, remote):\n", a->out);
	if (d->failed.n == 0 && d->failed.other.count == 0) {
		if (text)
			fputs("  none\n", a->out);
		return;
	}
	table_out(a, &d->failed, "failed_connect", "reason", "remote", NULL);
	if (!sa_observable(a, SKR_REC_SOCK_ERROR, &why) && text)
		fprintf(a->out, "  (socket errors not observable in this trace: "
			"%s; failed connects show as SYN_SENT -> CLOSE)\n", why);
}

static void resets(struct sa_analysis *a)
{
	struct sa_diag *d = a->diag;
	bool text = a->opts->format == SA_FORMAT_TEXT;
	const char *why;

	if (text)
		fputs("\nResets (direction, state or reason):\n", a->out);
	if (!sa_observable(a, SKR_REC_RESET, &why)) {
		not_observable(a, "resets", why);
		return;
	}
	if (d->resets.n == 0 && a->resets_nosock == 0) {
		if (text)
			fputs("  none\n", a->out);
		return;
	}
	table_out(a, &d->resets, "reset", "direction", "state", "reason");
	if (a->resets_nosock == 0)
		return;
	if (text) {
		fprintf(a->out, "  %-24s %-24s %6" PRIu64 "  (no socket: "
			"connection attempts to closed ports)\n", "sent",
			"no socket", a->resets_nosock);
		return;
	}
	sa_row_begin(&a->o, "reset");
	sa_row_str(&a->o, "direction", "sent");
	sa_row_str(&a->o, "state", "no socket");
	sa_row_str(&a->o, "reason", NULL);
	sa_row_u64(&a->o, "count", a->resets_nosock);
	sa_row_str(&a->o, "sockets", "");
	sa_row_u64(&a->o, "sockets_more", 0);
	sa_row_null(&a->o, "after_min_ns");
	sa_row_null(&a->o, "after_max_ns");
	sa_row_end(&a->o);
}

static void overflows(struct sa_analysis *a)
{
	bool text = a->opts->format == SA_FORMAT_TEXT;
	bool obs = false, any = false;
	const char *why = NULL, *why2 = NULL;
	char ep[SA_ENDPOINT_LEN], own[SA_TASK_LEN], w1[SA_WALL_LEN];
	char w2[SA_WALL_LEN];
	struct sa_netns_delta nd;
	struct sa_overflow ov;
	size_t i;

	if (text)
		fputs("\nListen overflows:\n", a->out);
	obs = sa_observable(a, SKR_REC_LISTENER, &why) ||
	      sa_observable(a, SKR_REC_ACCEPT, &why2);
	for (i = 0; i < sa_backlog_count(a); i++) {
		const struct sa_sock *l;

		if (!sa_backlog_overflows(a, i, &ov) || !ov.known ||
		    ov.drops == 0)
			continue;
		any = true;
		l = ov.listener;
		sa_text_endpoint(l->family, l->saddr, l->sport, ep, sizeof(ep));
		if (l->have_owner)
			sa_text_task(l->owner_comm, l->owner_pid, own,
				     sizeof(own));
		else
			memcpy(own, "unknown", sizeof("unknown"));
		sa_time_text(a, ov.input, ov.first, w1, sizeof(w1));
		sa_time_text(a, ov.input, ov.last, w2, sizeof(w2));
		if (!text) {
			sa_row_begin(&a->o, "listen_overflow");
			sa_row_u64(&a->o, "socket", l->id);
			sa_row_str(&a->o, "local", ep);
			sa_row_str(&a->o, "owner", own);
			sa_row_u64(&a->o, "drops", ov.drops);
			sa_row_str(&a->o, "first", w1);
			sa_row_str(&a->o, "last", w2);
			if (ov.have_q)
				sa_row_u64(&a->o, "queue_peak", ov.qpeak);
			else
				sa_row_null(&a->o, "queue_peak");
			sa_row_u64(&a->o, "limit", ov.limit);
			sa_row_end(&a->o);
			continue;
		}
		fprintf(a->out, "  #%" PRIu64 " %s owner %s: %" PRIu64 " drops "
			"(sk_drops) from %s to %s", l->id, ep, own, ov.drops, w1,
			w2);
		if (ov.have_q)
			fprintf(a->out, ", accept queue peak %" PRIu32 " of %"
				PRIu32, ov.qpeak, ov.limit);
		fputc('\n', a->out);
	}
	for (i = 0; sa_backlog_netns(a, i, &nd); i++) {
		if (!nd.shown || (nd.overflows == 0 && nd.drops == 0))
			continue;
		any = true;
		if (!text) {
			sa_row_begin(&a->o, "netns_overflow");
			sa_row_str(&a->o, "host", sa_host_name(a, nd.host));
			sa_row_u64(&a->o, "netns", nd.netns);
			sa_row_u64(&a->o, "listen_overflows", nd.overflows);
			sa_row_u64(&a->o, "listen_drops", nd.drops);
			sa_row_end(&a->o);
			continue;
		}
		fprintf(a->out, "  netns %" PRIu32 ": ListenOverflows +%" PRIu64
			", ListenDrops +%" PRIu64 "\n", nd.netns, nd.overflows,
			nd.drops);
	}
	if (!any && !obs && !sa_observable(a, SKR_REC_NETNS_STATS, &why2)) {
		not_observable(a, "listen_overflows", why ? why : why2);
		return;
	}
	if (!any && text)
		fputs("  none\n", a->out);
}

static void close_wait(struct sa_analysis *a)
{
	struct sa_diag *d = a->diag;
	bool text = a->opts->format == SA_FORMAT_TEXT;
	char l[SA_ENDPOINT_LEN], r[SA_ENDPOINT_LEN], own[SA_TASK_LEN];
	char w[SA_WALL_LEN], dur[32];
	size_t i;

	if (text)
		fputs("\nStuck in CLOSE_WAIT at the end (peer closed, the "
		      "application did not):\n", a->out);
	if (d->close_wait == 0) {
		if (text)
			fputs("  none\n", a->out);
		return;
	}
	if (text)
		fprintf(a->out, "  %" PRIu64 " socket%s\n", d->close_wait,
			d->close_wait == 1 ? "" : "s");
	for (i = 0; i < d->ncw; i++) {
		const struct sa_sock *s = &d->cw[i].s;
		bool since = (s->have_at & (1u << SA_AT_CLOSE_WAIT)) != 0;
		uint64_t mt = since ? sa_merge_time(a, s->input,
						    s->at[SA_AT_CLOSE_WAIT]) : 0;

		sa_text_endpoint(s->family, s->saddr, s->sport, l, sizeof(l));
		sa_text_endpoint(s->family, s->daddr, s->dport, r, sizeof(r));
		if (s->have_owner)
			sa_text_task(s->owner_comm, s->owner_pid, own,
				     sizeof(own));
		else
			memcpy(own, "unknown", sizeof("unknown"));
		if (!text) {
			sa_row_begin(&a->o, "close_wait");
			sa_row_u64(&a->o, "socket", s->id);
			sa_row_str(&a->o, "local", l);
			sa_row_str(&a->o, "remote", r);
			sa_row_str(&a->o, "owner", own);
			if (since) {
				sa_row_str(&a->o, "since", sa_time_text(
					a, s->input, s->at[SA_AT_CLOSE_WAIT],
					w, sizeof(w)));
				sa_row_u64(&a->o, "duration_ns",
					   a->end_mt > mt ? a->end_mt - mt : 0);
			} else {
				sa_row_null(&a->o, "since");
				sa_row_null(&a->o, "duration_ns");
			}
			sa_row_end(&a->o);
			continue;
		}
		fprintf(a->out, "  #%" PRIu64 " %s <- %s owner %s", s->id, l, r,
			own);
		if (since)
			fprintf(a->out, ", since %s (%s s before the end)",
				sa_time_text(a, s->input,
					     s->at[SA_AT_CLOSE_WAIT], w,
					     sizeof(w)),
				sa_text_secs(a->end_mt > mt ? a->end_mt - mt : 0,
					     dur, sizeof(dur)));
		fputc('\n', a->out);
	}
	if (d->close_wait <= d->ncw)
		return;
	if (text) {
		fprintf(a->out, "  (+%" PRIu64 " more)\n",
			d->close_wait - d->ncw);
		return;
	}
	sa_row_begin(&a->o, "close_wait_more");
	sa_row_u64(&a->o, "count", d->close_wait);
	sa_row_u64(&a->o, "sockets_more", d->close_wait - d->ncw);
	sa_row_end(&a->o);
}

static void health(struct sa_analysis *a)
{
	uint64_t lost = sa_lost(a);

	if (a->opts->format != SA_FORMAT_TEXT) {
		sa_row_warnings(a);
		return;
	}
	fputs("\nTrace health:\n", a->out);
	if (lost == 0)
		fputs("  no event lost\n", a->out);
	fprintf(a->out, "  %s\n", sa_truncated(a)
		? "the trace is TRUNCATED: it ends before the recorder "
		  "finished; findings cover its complete part"
		: "the trace is complete");
	sa_print_warnings(a, a->out);
}

void sa_diag_end(struct sa_analysis *a)
{
	trace_line(a);
	outcomes(a);
	failed_connects(a);
	resets(a);
	overflows(a);
	close_wait(a);
	health(a);
	if (a->opts->format == SA_FORMAT_TEXT)
		fprintf(a->out, "\nDetails: sockana --timeline --socket ID "
			"%s\n", a->nin == 1 ? a->name : "FILE...");
}
