/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --latency: how long each phase of a connection took.  Each finished
 * life adds its durations to the histograms of its group (everything, or
 * by remote endpoint, local endpoint or owning process), then is freed.
 *
 * Groups use the side of the connection that names a service: an active
 * socket's remote address and port, a passive one's local address and
 * port; the other side's ephemeral port is left out, or every connection
 * would be a group of its own.  At most SA_LAT_GROUPS groups are kept; the
 * rest are summed in "(other)".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analysis.h"
#include "analyze/hist.h"
#include "analyze/life.h"
#include "analyze/out.h"
#include "analyze/run.h"
#include "analyze/sockets.h"
#include "analyze/text.h"
#include "analyze/views.h"
#include "format/skr.h"

#define SA_LAT_GROUPS	1024
#define GROUP_KEY_LEN	96

enum metric {
	M_CONNECT_OK,
	M_CONNECT_REFUSED,
	M_CONNECT_TIMEOUT,
	M_CONNECT_FAILED,
	M_HANDSHAKE,
	M_ACCEPT_WAIT,
	M_ACTIVE_CLOSE,
	M_PASSIVE_CLOSE,
	M_TIME_WAIT,
	M_LIFETIME,
	M_COUNT
};

static const struct {
	const char *name;	/* row field value */
	const char *text;	/* for people */
} metrics[M_COUNT] = {
	[M_CONNECT_OK] = { "connect_established",
			   "connect, established (SYN_SENT -> ESTABLISHED)" },
	[M_CONNECT_REFUSED] = { "connect_refused",
				"connect, refused (SYN_SENT -> CLOSE)" },
	[M_CONNECT_TIMEOUT] = { "connect_timed_out",
				"connect, timed out (SYN_SENT -> CLOSE)" },
	[M_CONNECT_FAILED] = { "connect_failed",
			       "connect, failed otherwise (SYN_SENT -> CLOSE)" },
	[M_HANDSHAKE] = { "passive_handshake",
			  "passive handshake (SYN_RECV -> ESTABLISHED)" },
	[M_ACCEPT_WAIT] = { "accept_wait",
			    "accept-queue wait (ESTABLISHED -> accept)" },
	[M_ACTIVE_CLOSE] = { "active_close",
			     "active close (FIN_WAIT1 -> CLOSE)" },
	[M_PASSIVE_CLOSE] = { "passive_close",
			      "passive close (CLOSE_WAIT -> LAST_ACK)" },
	[M_TIME_WAIT] = { "time_wait", "TIME_WAIT" },
	[M_LIFETIME] = { "lifetime", "lifetime (first event -> CLOSE)" },
};

struct group {
	char key[GROUP_KEY_LEN];
	struct sa_hist h[M_COUNT];
};

struct latency {
	struct group **g;
	size_t n, cap;
	struct group *other;
};

static struct group *new_group(const char *key)
{
	struct group *g = calloc(1, sizeof(*g));
	size_t i;

	if (!g)
		return NULL;
	sa_text_copy(g->key, sizeof(g->key), key, strlen(key));
	for (i = 0; i < M_COUNT; i++)
		sa_hist_init(&g->h[i]);
	return g;
}

static void free_group(struct group *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < M_COUNT; i++)
		sa_hist_release(&g->h[i]);
	free(g);
}

static int latency_new(struct sa_analysis *a, void **state)
{
	(void)a;
	*state = calloc(1, sizeof(struct latency));
	return *state ? 0 : -ENOMEM;
}

static void latency_free(void *state)
{
	struct latency *l = state;
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		free_group(l->g[i]);
	free_group(l->other);
	free(l->g);
	free(l);
}

/* Address without the port: "10.0.0.1", "[::1]". */
static void addr_only(unsigned family, const uint8_t addr[16], char *buf,
		      size_t size)
{
	char *colon;

	sa_text_endpoint(family, addr, 0, buf, size);
	colon = strrchr(buf, ':');
	if (colon)
		*colon = '\0';
}

static void group_key(const struct sa_analysis *a, const struct sa_sock *s,
		      char *key, size_t size)
{
	char k[GROUP_KEY_LEN];
	bool active = s->role == SA_ROLE_ACTIVE;
	int n;

	switch (a->opts->by) {
	case SA_BY_REMOTE:
		if (active)
			sa_text_endpoint(s->family, s->daddr, s->dport, k,
					 sizeof(k));
		else
			addr_only(s->family, s->daddr, k, sizeof(k));
		break;
	case SA_BY_LOCAL:
		if (active)
			addr_only(s->family, s->saddr, k, sizeof(k));
		else
			sa_text_endpoint(s->family, s->saddr, s->sport, k,
					 sizeof(k));
		break;
	case SA_BY_PROCESS:
		if (s->have_owner)
			sa_text_task(s->owner_comm, s->owner_pid, k, sizeof(k));
		else
			memcpy(k, "unknown", sizeof("unknown"));
		break;
	default:
		memcpy(k, "all", sizeof("all"));
		break;
	}
	if (a->nhosts > 1 && a->opts->by != SA_BY_NONE) {
		n = snprintf(key, size, "%s/%s", sa_host_name(a, s->host), k);
	} else {
		/* Once per socket: snprintf("%s") was 4% of the report. */
		n = (int)strnlen(k, sizeof(k) - 1);
		if ((size_t)n < size)
			memcpy(key, k, (size_t)n + 1);
	}
	if (n < 0 || (size_t)n >= size)
		key[0] = '\0';
}

static struct group *find_group(struct latency *l, const char *key,
				int *err)
{
	struct group **g;
	size_t i;

	*err = 0;
	for (i = l->n; i-- > 0;)
		if (strcmp(l->g[i]->key, key) == 0)
			return l->g[i];
	if (l->n == SA_LAT_GROUPS) {
		if (!l->other)
			l->other = new_group("(other)");
		if (!l->other)
			*err = -ENOMEM;
		return l->other;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;

		g = realloc(l->g, cap * sizeof(*g));
		if (!g) {
			*err = -ENOMEM;
			return NULL;
		}
		l->g = g;
		l->cap = cap;
	}
	l->g[l->n] = new_group(key);
	if (!l->g[l->n]) {
		*err = -ENOMEM;
		return NULL;
	}
	return l->g[l->n++];
}

static int add(struct group *g, enum metric m, const struct sa_sock *s,
	       enum sa_mark from, enum sa_mark to)
{
	uint64_t ns;

	if (!sa_life_time(s, from, to, &ns))
		return 0;
	return sa_hist_add(&g->h[m], ns);
}

static int latency_socket(struct sa_analysis *a, void *state,
			  const struct sa_sock *s)
{
	char key[GROUP_KEY_LEN];
	enum sa_outcome o = sa_outcome_of(a, s);
	struct group *g;
	int err = 0;

	group_key(a, s, key, sizeof(key));
	g = find_group(state, key, &err);
	if (!g)
		return err;
	switch (o) {
	case SA_OUT_CONNECTED:
		err = add(g, M_CONNECT_OK, s, SA_AT_SYN_SENT, SA_AT_ESTABLISHED);
		break;
	case SA_OUT_REFUSED:
		err = add(g, M_CONNECT_REFUSED, s, SA_AT_SYN_SENT, SA_AT_CLOSE);
		break;
	case SA_OUT_CONNECT_TIMEOUT:
		err = add(g, M_CONNECT_TIMEOUT, s, SA_AT_SYN_SENT, SA_AT_CLOSE);
		break;
	case SA_OUT_CONNECT_ERROR:
	case SA_OUT_CONNECT_FAILED:
	case SA_OUT_CONNECT_ABORTED:
		err = add(g, M_CONNECT_FAILED, s, SA_AT_SYN_SENT, SA_AT_CLOSE);
		break;
	default:
		break;
	}
	if (err == 0 && s->role == SA_ROLE_PASSIVE)
		err = add(g, M_HANDSHAKE, s, SA_AT_SYN_RECV, SA_AT_ESTABLISHED);
	if (err == 0)
		err = add(g, M_ACCEPT_WAIT, s, SA_AT_ESTABLISHED, SA_AT_ACCEPT);
	if (err == 0)
		err = add(g, M_ACTIVE_CLOSE, s, SA_AT_FIN_WAIT1, SA_AT_CLOSE);
	if (err == 0)
		err = add(g, M_PASSIVE_CLOSE, s, SA_AT_CLOSE_WAIT,
			  SA_AT_LAST_ACK);
	if (err == 0)
		err = add(g, M_TIME_WAIT, s, SA_AT_TIME_WAIT,
			  SA_AT_TIME_WAIT_END);
	if (err == 0 && !s->older && s->closed &&
	    (s->have_at & (1u << SA_AT_CLOSE)) && s->at[SA_AT_CLOSE] >= s->first_ts)
		err = sa_hist_add(&g->h[M_LIFETIME],
				  s->at[SA_AT_CLOSE] - s->first_ts);
	return err;
}

/* ---- output ---- */

static int cmp_group(const void *x, const void *y)
{
	const struct group *a = *(struct group *const *)x;
	const struct group *b = *(struct group *const *)y;

	return strcmp(a->key, b->key);
}

static bool observable(struct sa_analysis *a, enum metric m,
		       const char **why)
{
	*why = NULL;
	if (m == M_ACCEPT_WAIT)
		return sa_observable(a, SKR_REC_ACCEPT, why);
	return true;
}

static const char *by_name(enum sa_group by)
{
	switch (by) {
	case SA_BY_REMOTE:
		return "remote";
	case SA_BY_LOCAL:
		return "local";
	case SA_BY_PROCESS:
		return "process";
	default:
		return "all";
	}
}

#define BAR_WIDTH	40

static void text_hist(FILE *out, const struct sa_hist *h)
{
	uint64_t peak = 0;
	int lo = -1, hi = -1, i, k;

	for (i = 0; i < SA_HIST_LOG2; i++) {
		if (h->log2[i] == 0)
			continue;
		if (lo < 0)
			lo = i;
		hi = i;
		if (h->log2[i] > peak)
			peak = h->log2[i];
	}
	if (lo < 0)
		return;
	fprintf(out, "  %24s : %-10s |%-*s|\n", "us", "count", BAR_WIDTH,
		"distribution");
	for (i = lo; i <= hi; i++) {
		uint64_t from = i == 0 ? 0 : (uint64_t)1 << (i - 1);
		uint64_t to = i == 0 ? 1 : (i >= 64 ? UINT64_MAX
					       : (uint64_t)1 << i);
		int stars = (int)(h->log2[i] * BAR_WIDTH / peak);
		char range[48];
		int n = snprintf(range, sizeof(range), "%" PRIu64 " -> %" PRIu64,
				 from, to);

		if (n < 0 || (size_t)n >= sizeof(range))
			range[0] = '\0';
		fprintf(out, "  %24s : %-10" PRIu64 " |", range, h->log2[i]);
		for (k = 0; k < BAR_WIDTH; k++)
			fputc(k < stars ? '*' : ' ', out);
		fputs("|\n", out);
	}
}

static void text_group(struct sa_analysis *a, struct group *g)
{
	char mn[32], p50[32], p90[32], p99[32], mx[32];
	const char *why;
	bool any = false;
	int m;

	if (a->opts->by != SA_BY_NONE)
		fprintf(a->out, "== %s %s\n", by_name(a->opts->by), g->key);
	fprintf(a->out, "%-50s %7s %10s %10s %10s %10s %10s\n",
		"phase (seconds)", "count", "min", "p50", "p90", "p99", "max");
	for (m = 0; m < M_COUNT; m++) {
		struct sa_hist *h = &g->h[m];

		if (!observable(a, m, &why)) {
			fprintf(a->out, "%-50s not observable in this trace "
				"(%s)\n", metrics[m].text, why);
			continue;
		}
		if (h->count == 0)
			continue;
		any = true;
		fprintf(a->out, "%-50s %7" PRIu64 " %10s %10s %10s %10s %10s%s\n",
			metrics[m].text, h->count,
			sa_text_secs(h->min, mn, sizeof(mn)),
			sa_text_secs(sa_hist_pct(h, 50), p50, sizeof(p50)),
			sa_text_secs(sa_hist_pct(h, 90), p90, sizeof(p90)),
			sa_text_secs(sa_hist_pct(h, 99), p99, sizeof(p99)),
			sa_text_secs(h->max, mx, sizeof(mx)),
			sa_hist_exact(h) ? "" : " ~");
	}
	if (!any)
		fputs("(no completed phase)\n", a->out);
	for (m = 0; m < M_COUNT; m++) {
		if (g->h[m].count == 0)
			continue;
		fprintf(a->out, "\n%s:\n", metrics[m].text);
		text_hist(a->out, &g->h[m]);
	}
}

static void rows_group(struct sa_analysis *a, struct group *g)
{
	struct sa_out *o = &a->o;
	const char *why;
	int m, i;

	for (m = 0; m < M_COUNT; m++) {
		struct sa_hist *h = &g->h[m];
		bool obs = observable(a, m, &why);

		if (obs && h->count == 0)
			continue;
		sa_row_begin(o, "latency");
		sa_row_str(o, "by", by_name(a->opts->by));
		sa_row_str(o, "group", g->key);
		sa_row_str(o, "phase", metrics[m].name);
		sa_row_bool(o, "observable", obs);
		sa_row_u64(o, "count", h->count);
		if (h->count > 0) {
			sa_row_u64(o, "min_ns", h->min);
			sa_row_u64(o, "p50_ns", sa_hist_pct(h, 50));
			sa_row_u64(o, "p90_ns", sa_hist_pct(h, 90));
			sa_row_u64(o, "p99_ns", sa_hist_pct(h, 99));
			sa_row_u64(o, "max_ns", h->max);
		} else {
			sa_row_null(o, "min_ns");
			sa_row_null(o, "p50_ns");
			sa_row_null(o, "p90_ns");
			sa_row_null(o, "p99_ns");
			sa_row_null(o, "max_ns");
		}
		sa_row_bool(o, "exact", sa_hist_exact(h));
		sa_row_end(o);
		for (i = 0; i < SA_HIST_LOG2; i++) {
			if (h->log2[i] == 0)
				continue;
			sa_row_begin(o, "histogram");
			sa_row_str(o, "by", by_name(a->opts->by));
			sa_row_str(o, "group", g->key);
			sa_row_str(o, "phase", metrics[m].name);
			sa_row_u64(o, "from_us", i == 0 ? 0
						 : (uint64_t)1 << (i - 1));
			sa_row_u64(o, "to_us", i == 0 ? 1 : i >= 64 ? UINT64_MAX
						 : (uint64_t)1 << i);
			sa_row_u64(o, "count", h->log2[i]);
			sa_row_end(o);
		}
	}
}

static void latency_end(struct sa_analysis *a, void *state)
{
	struct latency *l = state;
	bool text = a->opts->format == SA_FORMAT_TEXT;
	size_t i;

	/* With no group l->g is NULL, which qsort must not be given. */
	if (l->n > 1)
		qsort(l->g, l->n, sizeof(*l->g), cmp_group);
	for (i = 0; i <= l->n; i++) {
		struct group *g = i < l->n ? l->g[i] : l->other;

		if (!g)
			continue;
		if (text) {
			if (i > 0)
				fputc('\n', a->out);
			text_group(a, g);
		} else {
			rows_group(a, g);
		}
	}
	if (!text) {
		sa_row_warnings(a);
		return;
	}
	if (l->n == 0)
		fputs("no socket\n", a->out);
	fputs("\nPercentiles are nearest-rank; '~' marks a phase with more "
	      "than 512 samples,\nwhose percentiles come from buckets within "
	      "3.2% of the true value.\nTIME_WAIT is not a state the state "
	      "tracepoint reports on Linux; it stays empty there.\n", a->out);
	sa_print_warnings(a, a->out);
}

const struct sa_view sa_view_latency = {
	.name = "latency",
	.option = "--latency",
	.report = SA_REPORT_LATENCY,
	.formats = SA_VIEW_TEXT | SA_VIEW_JSON | SA_VIEW_CSV,
	.csv_kind = "latency",
	.csv_header =
		"by,group,phase,observable,count,min_ns,p50_ns,p90_ns,"
		"p99_ns,max_ns,exact",
	.new = latency_new,
	.socket = latency_socket,
	.end = latency_end,
	.free = latency_free,
};
