/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The diagnosis section of packets dropped with no socket to blame
 * (analyze/drops.h): SYNs thrown away by a firewall rule (NETFILTER_DROP)
 * or sent where nobody listens (NO_SOCKET).  They belong to no life, so
 * without this section a connect timed out by a firewall had no cause to
 * point at; the failed connects name the drops of their own SYNs.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/drops.h"
#include "analyze/report_diag.h"

static int cmp_group(const void *x, const void *y)
{
	const struct sa_drop_group *a = *(const struct sa_drop_group *const *)x;
	const struct sa_drop_group *b = *(const struct sa_drop_group *const *)y;
	int c;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if (a->host != b->host)
		return a->host < b->host ? -1 : 1;
	if (a->netns != b->netns)
		return a->netns < b->netns ? -1 : 1;
	c = strcmp(a->reason, b->reason);
	return c ? c : strcmp(a->dest, b->dest);
}

/* Filters that pick sockets say nothing of packets without one. */
static bool shown(const struct sa_filters *f, const struct sa_drop_group *g,
		  uint64_t lo, uint64_t hi)
{
	size_t i;
	bool port = f->nport == 0;

	if (f->nsocket || f->npid || f->ncomm || f->naddr || f->states)
		return false;
	if (!sa_filter_netns(f, g->netns))
		return false;
	for (i = 0; i < f->nport; i++)
		port = port || f->port[i] == g->port;
	return port && g->last_mt >= lo && g->first_mt <= hi;
}

static void group_out(struct sa_analysis *a, const struct sa_drop_group *g)
{
	char w1[SA_WALL_LEN], w2[SA_WALL_LEN], dest[SA_ENDPOINT_LEN + 96];
	const char *d = g->dest;
	int n;

	sa_time_text(a, g->input, g->first_ts, w1, sizeof(w1));
	sa_time_text(a, g->input, g->last_ts, w2, sizeof(w2));
	if (a->opts->format != SA_FORMAT_TEXT) {
		sa_row_begin(&a->o, "dropped_no_socket");
		sa_row_str(&a->o, "host", sa_host_name(a, g->host));
		sa_row_u64(&a->o, "netns", g->netns);
		sa_row_str(&a->o, "reason", g->reason);
		sa_row_str(&a->o, "destination", g->dest);
		sa_row_u64(&a->o, "count", g->count);
		sa_row_str(&a->o, "first", w1);
		sa_row_str(&a->o, "last", w2);
		sa_row_end(&a->o);
		return;
	}
	if (a->nhosts > 1) {
		n = snprintf(dest, sizeof(dest), "%s/%s",
			     sa_host_name(a, g->host), g->dest);
		if (n > 0 && (size_t)n < sizeof(dest))
			d = dest;
	}
	fprintf(a->out, "  %-24s %-24s %6" PRIu64 "  netns %" PRIu32
		", %s to %s\n", g->reason, d, g->count, g->netns, w1, w2);
}

void sa_diag_drops(struct sa_analysis *a, const struct sa_diag *d)
{
	const struct sa_filters *f = &a->opts->filters;
	bool text = a->opts->format == SA_FORMAT_TEXT;
	const struct sa_drop_group **v = NULL;
	size_t n = sa_drops_ngroups(a->drops), i, k = 0;
	const char *why;

	(void)d;	/* the drops are the model's (a->drops), not the view's */
	if (text)
		fputs("\nPackets dropped with no socket (reason, "
		      "destination):\n", a->out);
	if (!sa_observable_probe(a, SKR_REC_SKB_DROP, "kfree_skb", &why)) {
		sa_diag_not_observable(a, "dropped_no_socket", why);
		return;
	}
	if (n > 0)
		v = calloc(n, sizeof(*v));
	for (i = 0; v && i < n; i++) {
		const struct sa_drop_group *g = sa_drops_group(a->drops, i);

		if (shown(f, g, a->win_lo, a->win_hi))
			v[k++] = g;
	}
	if (n > 0 && !v) {
		a->o.failed = true;
		return;
	}
	if (k > 1)
		qsort(v, k, sizeof(*v), cmp_group);
	for (i = 0; i < k; i++)
		group_out(a, v[i]);
	free(v);
	if (k == 0 && text)
		fputs("  none\n", a->out);
	if (sa_drops_other(a->drops) > 0 && text)
		fprintf(a->out, "  %-49s %6" PRIu64 "\n", "(other)",
			sa_drops_other(a->drops));
}
