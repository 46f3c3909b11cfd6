/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The default report written out: the trace line, outcomes, failed
 * connects, resets, then (report_diag_sockets.c) listen overflows and
 * CLOSE_WAIT, and the trace's health, as text or as JSON/CSV rows.  Each
 * finding names the first socket ids seen, in ascending order.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analysis.h"
#include "analyze/benign.h"
#include "analyze/life.h"
#include "analyze/out.h"
#include "analyze/report_diag.h"
#include "analyze/sockets.h"
#include "analyze/text.h"
#include "analyze/wallclock.h"
#include "format/skr.h"

/* The width of a diagnosis table's first two columns, at least. */
#define DIAG_COL	24

static int cmp_id(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* The first ids seen (in order of their lives' ends), shown ascending. */
static void ids_text(const struct sa_diag_ids *ids, char *buf, size_t size,
		     const char *sep, const char *hash)
{
	uint64_t id[SA_DIAG_IDS_SHOWN];
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

static void row_ids(struct sa_out *o, const struct sa_diag_ids *ids)
{
	char buf[256];

	ids_text(ids, buf, sizeof(buf), " ", "");
	sa_row_u64(o, "count", ids->count);
	sa_row_str(o, "socket_ids", buf);
	sa_row_u64(o, "sockets_more", ids->count - ids->n);
}

static int cmp_group(const void *x, const void *y)
{
	const struct sa_diag_group *a = x, *b = y;
	int c;

	if (a->ids.count != b->ids.count)
		return a->ids.count > b->ids.count ? -1 : 1;
	if (a->host != b->host)
		return a->host < b->host ? -1 : 1;
	c = strcmp(a->a, b->a);
	if (c == 0)
		c = strcmp(a->b, b->b);
	if (c == 0)
		c = strcmp(a->c, b->c);
	if (c == 0)
		c = strcmp(a->remote, b->remote);
	if (c == 0)
		c = strcmp(a->local, b->local);
	if (c == 0)
		c = strcmp(a->owner, b->owner);
	return c ? c : strcmp(a->dropped, b->dropped);
}

static void trace_line(struct sa_analysis *a, const struct sa_diag *d)
{
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
				   sa_merge_time_text(a, a->start_mt, w1, sizeof(w1)));
			sa_row_str(&a->o, "last_event",
				   sa_merge_time_text(a, a->end_mt, w2, sizeof(w2)));
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
			sa_merge_time_text(a, a->start_mt, w1, sizeof(w1)),
			sa_merge_time_text(a, a->end_mt, w2, sizeof(w2)),
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

static void outcomes(struct sa_analysis *a, const struct sa_diag *d)
{
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

void sa_diag_not_observable(struct sa_analysis *a, const char *finding,
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

/*
 * A group's table line, or row.  ends: the reset columns (local, remote,
 * owner); drops: the failed connect's dropped SYNs.
 */
/* A group's second column in text: the state or remote, and whose. */
static const char *group_col(const struct sa_analysis *a,
			     const struct sa_diag_group *g, bool ends,
			     char *col, size_t size)
{
	const char *b = g->c[0] ? g->c : g->b;
	char tmp[SA_DIAG_KEY_LEN + 96];
	int n;

	/* The pair joins a reset's two rows: who sent what. */
	if (g->peer) {
		n = snprintf(tmp, sizeof(tmp), "%s%s%s peer", b,
			     b[0] ? ", " : "",
			     strcmp(g->a, "sent") == 0 ? "to" : "from");
		if (n > 0 && (size_t)n < sizeof(tmp))
			b = tmp;
	}
	/* Several hosts: the endpoint says whose (as --latency). */
	if (a->nhosts > 1 && !ends) {
		n = snprintf(col, size, "%s/%s", sa_host_name(a, g->host), b);
		if (n > 0 && (size_t)n < size)
			return col;
	}
	n = snprintf(col, size, "%s", b);
	return n >= 0 ? col : "";
}

/*
 * The table's lines (text) or rows; returns the width of its second
 * column in text, at least DIAG_COL, so that lines the caller adds below
 * line up with it.
 */
static int table_out(struct sa_analysis *a, struct sa_diag_table *t,
		     const char *kind, const char *ka, const char *kb,
		     const char *kc, bool ends)
{
	char ids[256], n1[32], n2[32], col[SA_DIAG_KEY_LEN + 96];
	bool text = a->opts->format == SA_FORMAT_TEXT;
	bool hosts = a->nhosts > 1;
	int wb = DIAG_COL;
	const char *b;
	size_t i;

	/* With no group t->g is NULL, which qsort must not be given. */
	if (t->n > 1)
		qsort(t->g, t->n, sizeof(*t->g), cmp_group);
	for (i = 0; text && i < t->n; i++) {
		size_t w = strlen(group_col(a, &t->g[i], ends, col,
					    sizeof(col)));

		if (w > (size_t)wb && w < 200)
			wb = (int)w;
	}
	for (i = 0; i < t->n; i++) {
		const struct sa_diag_group *g = &t->g[i];

		if (!text) {
			sa_row_begin(&a->o, kind);
			sa_row_str(&a->o, "host", sa_host_name(a, g->host));
			sa_row_str(&a->o, ka, g->a);
			sa_row_str(&a->o, kb, g->b);
			if (kc)
				sa_row_str(&a->o, kc, g->c[0] ? g->c : NULL);
			if (ends) {
				sa_row_str(&a->o, "local", g->local);
				sa_row_str(&a->o, "remote", g->remote);
				sa_row_str(&a->o, "owner", g->owner);
				sa_row_bool(&a->o, "peer_half", g->peer);
			}
			row_ids(&a->o, &g->ids);
			if (g->have_ns) {
				sa_row_u64(&a->o, "after_min_ns", g->ns_min);
				sa_row_u64(&a->o, "after_max_ns", g->ns_max);
			} else {
				sa_row_null(&a->o, "after_min_ns");
				sa_row_null(&a->o, "after_max_ns");
			}
			if (!ends) {
				sa_row_u64(&a->o, "syn_drops", g->drops);
				sa_row_str(&a->o, "syn_drop_reason",
					   g->drops ? g->dropped : NULL);
			}
			sa_row_end(&a->o);
			continue;
		}
		ids_text(&g->ids, ids, sizeof(ids), " ", "#");
		b = group_col(a, g, ends, col, sizeof(col));
		fprintf(a->out, "  %-*s %-*s %6" PRIu64 "  %s", DIAG_COL, g->a,
			wb, b, g->ids.count, ids);
		if (g->have_ns)
			fprintf(a->out, "  (after %s to %s s%s",
				sa_text_secs(g->ns_min, n1, sizeof(n1)),
				sa_text_secs(g->ns_max, n2, sizeof(n2)),
				g->drops ? "; " : ")");
		else if (g->drops)
			fputs("  (", a->out);
		if (g->drops)
			fprintf(a->out, "SYNs dropped %" PRIu64 " time%s with "
				"no socket: %s)", g->drops,
				g->drops == 1 ? "" : "s", g->dropped);
		if (ends)
			fprintf(a->out, "  %s%s%slocal %s, remote %s, owner %s",
				hosts ? "host " : "",
				hosts ? sa_host_name(a, g->host) : "",
				hosts ? ", " : "", g->local, g->remote,
				g->owner);
		fputc('\n', a->out);
	}
	if (t->other.count > 0 && text) {
		ids_text(&t->other, ids, sizeof(ids), " ", "#");
		fprintf(a->out, "  %-*s %6" PRIu64 "  %s\n", DIAG_COL + 1 + wb,
			"(other)", t->other.count, ids);
	}
	return wb;
}

static void failed_connects(struct sa_analysis *a, struct sa_diag *d)
{
	bool text = a->opts->format == SA_FORMAT_TEXT;
	const char *why;

	if (text)
		fputs("\nFailed connects (reason, remote):\n", a->out);
	if (d->failed.n == 0 && d->failed.other.count == 0) {
		if (text)
			fputs("  none\n", a->out);
		return;
	}
	table_out(a, &d->failed, "failed_connect", "reason", "remote", NULL,
		  false);
	if (!sa_observable(a, SKR_REC_SOCK_ERROR, &why) && text)
		fprintf(a->out, "  (socket errors not observable in this trace: "
			"%s; failed connects show as SYN_SENT -> CLOSE)\n", why);
}

static void resets(struct sa_analysis *a, struct sa_diag *d)
{
	bool text = a->opts->format == SA_FORMAT_TEXT;
	const char *why;
	int wb;

	if (text)
		fputs("\nResets (direction, state or reason):\n", a->out);
	if (!sa_observable(a, SKR_REC_RESET, &why)) {
		sa_diag_not_observable(a, "resets", why);
		return;
	}
	/*
	 * Before 6.10 a reset the kernel sends without a full socket (to a
	 * closed port, from a TIME_WAIT remnant) is not traced: none seen
	 * then means nothing.
	 */
	if (sa_limited(a, "tcp_send_reset", SKR_LIMIT_RST_FULLSOCK)) {
		if (d->resets.n == 0 && text)
			fputs("  none seen\n", a->out);
		wb = table_out(a, &d->resets, "reset", "direction", "state",
			       "reason", true);
		if (text)
			fprintf(a->out, "  %-*s %-*s %s\n", DIAG_COL, "sent", wb,
				"no socket or TIME_WAIT", SA_NOT_ON_KERNEL);
		else
			sa_diag_not_observable(a, "resets sent with no "
					       "socket or from TIME_WAIT",
					       SA_NOT_ON_KERNEL);
		return;
	}
	if (d->resets.n == 0 && a->resets_nosock == 0) {
		if (text)
			fputs("  none\n", a->out);
		return;
	}
	wb = table_out(a, &d->resets, "reset", "direction", "state", "reason",
		       true);
	if (a->resets_nosock == 0)
		return;
	if (text) {
		fprintf(a->out, "  %-*s %-*s %6" PRIu64 "  (no socket: "
			"connection attempts to closed ports)\n", DIAG_COL,
			"sent", wb, "no socket", a->resets_nosock);
		return;
	}
	sa_row_begin(&a->o, "reset");
	sa_row_null(&a->o, "host");
	sa_row_str(&a->o, "direction", "sent");
	sa_row_str(&a->o, "state", "no socket");
	sa_row_str(&a->o, "reason", NULL);
	sa_row_null(&a->o, "local");
	sa_row_null(&a->o, "remote");
	sa_row_null(&a->o, "owner");
	sa_row_bool(&a->o, "peer_half", false);
	sa_row_u64(&a->o, "count", a->resets_nosock);
	sa_row_str(&a->o, "socket_ids", "");
	sa_row_u64(&a->o, "sockets_more", 0);
	sa_row_null(&a->o, "after_min_ns");
	sa_row_null(&a->o, "after_max_ns");
	sa_row_end(&a->o);
}

static void health(struct sa_analysis *a)
{
	uint64_t lost = sa_lost(a);

	if (a->opts->format != SA_FORMAT_TEXT) {
		sa_benign_health(a);
		sa_row_warnings(a);
		return;
	}
	fputs("\nTrace health:\n", a->out);
	if (lost == 0)
		fputs("  no event lost\n", a->out);
	sa_benign_health(a);
	fprintf(a->out, "  %s\n", sa_truncated(a)
		? "the trace is TRUNCATED: it ends before the recorder "
		  "finished; findings cover its complete part"
		: "the trace is complete");
	sa_print_warnings(a, a->out);
}

void sa_diag_end(struct sa_analysis *a, struct sa_diag *d)
{
	trace_line(a, d);
	outcomes(a, d);
	failed_connects(a, d);
	resets(a, d);
	sa_diag_drops(a, d);
	sa_diag_overflows(a, d);
	sa_diag_close_wait(a, d);
	health(a);
	if (a->opts->format == SA_FORMAT_TEXT)
		fprintf(a->out, "\nDetails: sockana --timeline --socket ID "
			"%s\n", a->nin == 1 ? a->name : "FILE...");
}
