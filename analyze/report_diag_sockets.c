/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The diagnosis sections that give each socket found a line of its own,
 * with its endpoints and owner: listeners whose accept queue overflowed
 * (and the namespaces' overflow counters), and connections stuck in
 * CLOSE_WAIT at the end of the trace.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "analyze/analysis.h"
#include "analyze/out.h"
#include "analyze/report_backlog_clients.h"
#include "analyze/report_diag.h"
#include "analyze/report_backlog.h"
#include "analyze/sockets.h"
#include "analyze/text.h"
#include "analyze/wallclock.h"
#include "format/skr.h"

/* " host NAME" when the inputs come from several hosts, else "". */
static const char *host_text(const struct sa_analysis *a, uint32_t h,
			     char *buf, size_t size)
{
	int n;

	if (a->nhosts < 2)
		return "";
	n = snprintf(buf, size, " host %s", sa_host_name(a, h));
	return n > 0 && (size_t)n < size ? buf : "";
}

/* What the listener's clients suffered: SYNs resent, slow connects. */
static void clients_row(struct sa_analysis *a, const struct sa_clients_sum *c)
{
	char ids[256];

	sa_clients_ids(c, "", ids, sizeof(ids));
	sa_row_u64(&a->o, "client_connects", c->connects);
	if (sa_clients_syn_observable(a)) {
		sa_row_u64(&a->o, "client_syn_retried", c->retried);
		sa_row_u64(&a->o, "client_syn_retransmits", c->syn_retrans);
	} else {
		sa_row_null(&a->o, "client_syn_retried");
		sa_row_null(&a->o, "client_syn_retransmits");
	}
	if (c->established > 0)
		sa_row_u64(&a->o, "client_connect_max_ns", c->connect_max_ns);
	else
		sa_row_null(&a->o, "client_connect_max_ns");
	sa_row_str(&a->o, "client_syn_retried_socket_ids", ids);
}

static void clients_text(struct sa_analysis *a, const struct sa_clients_sum *c)
{
	char ids[256], secs[32];

	/* The diagnosis says what went wrong: clients that waited. */
	if (c->retried == 0 || !sa_clients_syn_observable(a))
		return;
	fprintf(a->out, "      its clients: %" PRIu64 " of %" PRIu64
		" connect%s resent their SYN (%" PRIu64 " SYN%s resent)",
		c->retried, c->connects, c->connects == 1 ? "" : "s",
		c->syn_retrans, c->syn_retrans == 1 ? "" : "s");
	fprintf(a->out, ", %" PRIu64 " established", c->established);
	if (c->established > 0)
		fprintf(a->out, " (slowest after %s s)",
			sa_text_secs(c->connect_max_ns, secs, sizeof(secs)));
	sa_clients_ids(c, "#", ids, sizeof(ids));
	if (c->nids > 0)
		fprintf(a->out, ": %s%s", ids,
			c->retried > c->nids ? " ..." : "");
	fputc('\n', a->out);
}

void sa_diag_overflows(struct sa_analysis *a, const struct sa_diag *d)
{
	bool text = a->opts->format == SA_FORMAT_TEXT;
	bool obs = false, any = false;
	const char *why = NULL, *why2 = NULL;
	char ep[SA_ENDPOINT_LEN], own[SA_TASK_LEN], w1[SA_WALL_LEN];
	char w2[SA_WALL_LEN], hb[96];
	struct sa_netns_delta nd;
	struct sa_clients_sum cs;
	struct sa_overflow ov;
	size_t i;

	if (text)
		fputs("\nListen overflows:\n", a->out);
	obs = sa_observable(a, SKR_REC_LISTENER, &why) ||
	      sa_observable(a, SKR_REC_ACCEPT, &why2);
	for (i = 0; i < sa_backlog_count(d->bl); i++) {
		const struct sa_sock *l;

		if (!sa_backlog_overflows(a, d->bl, i, &ov) ||
		    (!ov.stopped && (!ov.known || ov.drops == 0)))
			continue;
		any = true;
		l = ov.listener;
		sa_backlog_clients(d->bl, i, &cs);
		sa_text_endpoint(l->family, l->saddr, l->sport, ep, sizeof(ep));
		if (l->have_owner)
			sa_text_task(l->owner_comm, l->owner_pid, own,
				     sizeof(own));
		else
			memcpy(own, "unknown", sizeof("unknown"));
		/* Its drops after the stop were never read: not "none". */
		if (ov.stopped && !text) {
			sa_row_begin(&a->o, "listen_overflow");
			sa_row_u64(&a->o, "socket", l->id);
			sa_row_str(&a->o, "host", sa_host_name(a, l->host));
			sa_row_str(&a->o, "local", ep);
			sa_row_str(&a->o, "owner", own);
			sa_row_null(&a->o, "drops");
			sa_row_null(&a->o, "first");
			sa_row_null(&a->o, "last");
			sa_row_null(&a->o, "queue_peak");
			sa_row_u64(&a->o, "limit", ov.limit);
			sa_row_str(&a->o, "not_observable", ov.why);
			clients_row(a, &cs);
			sa_row_end(&a->o);
			continue;
		}
		if (ov.stopped) {
			fprintf(a->out, "  #%" PRIu64 " %s owner %s%s: overflows "
				"not observable in this trace (%s)\n", l->id, ep,
				own, host_text(a, l->host, hb, sizeof(hb)),
				ov.why);
			clients_text(a, &cs);
			continue;
		}
		sa_time_text(a, ov.input, ov.first, w1, sizeof(w1));
		sa_time_text(a, ov.input, ov.last, w2, sizeof(w2));
		if (!text) {
			sa_row_begin(&a->o, "listen_overflow");
			sa_row_u64(&a->o, "socket", l->id);
			sa_row_str(&a->o, "host", sa_host_name(a, l->host));
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
			sa_row_null(&a->o, "not_observable");
			clients_row(a, &cs);
			sa_row_end(&a->o);
			continue;
		}
		fprintf(a->out, "  #%" PRIu64 " %s owner %s%s: %" PRIu64 " drops "
			"(sk_drops) from %s to %s", l->id, ep, own,
			host_text(a, l->host, hb, sizeof(hb)), ov.drops, w1,
			w2);
		if (ov.have_q)
			fprintf(a->out, ", accept queue peak %" PRIu32 " of %"
				PRIu32, ov.qpeak, ov.limit);
		fputc('\n', a->out);
		clients_text(a, &cs);
	}
	for (i = 0; sa_backlog_netns(a, d->bl, i, &nd); i++) {
		if (!nd.shown ||
		    (!nd.stopped && nd.overflows == 0 && nd.drops == 0))
			continue;
		any = true;
		if (!text) {
			sa_row_begin(&a->o, "netns_overflow");
			sa_row_str(&a->o, "host", sa_host_name(a, nd.host));
			sa_row_u64(&a->o, "netns", nd.netns);
			if (nd.stopped) {
				sa_row_null(&a->o, "listen_overflows");
				sa_row_null(&a->o, "listen_drops");
				sa_row_str(&a->o, "not_observable", nd.why);
			} else {
				sa_row_u64(&a->o, "listen_overflows",
					   nd.overflows);
				sa_row_u64(&a->o, "listen_drops", nd.drops);
				sa_row_null(&a->o, "not_observable");
			}
			sa_row_end(&a->o);
			continue;
		}
		if (nd.stopped) {
			fprintf(a->out, "  netns %" PRIu32 "%s: ListenOverflows, "
				"ListenDrops not observable in this trace (%s)\n",
				nd.netns, host_text(a, nd.host, hb, sizeof(hb)),
				nd.why);
			continue;
		}
		fprintf(a->out, "  netns %" PRIu32 "%s: ListenOverflows +%" PRIu64
			", ListenDrops +%" PRIu64 "\n", nd.netns,
			host_text(a, nd.host, hb, sizeof(hb)), nd.overflows,
			nd.drops);
	}
	if (!any && !obs && !sa_observable(a, SKR_REC_NETNS_STATS, &why2)) {
		sa_diag_not_observable(a, "listen_overflows", why ? why : why2);
		return;
	}
	if (!any && text)
		fputs("  none\n", a->out);
}

void sa_diag_close_wait(struct sa_analysis *a, const struct sa_diag *d)
{
	bool text = a->opts->format == SA_FORMAT_TEXT;
	char l[SA_ENDPOINT_LEN], r[SA_ENDPOINT_LEN], own[SA_TASK_LEN];
	char w[SA_WALL_LEN], dur[32], hb[96];
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
			sa_row_str(&a->o, "host", sa_host_name(a, s->host));
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
		fprintf(a->out, "  #%" PRIu64 " %s <- %s owner %s%s", s->id, l, r,
			own, host_text(a, s->host, hb, sizeof(hb)));
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
