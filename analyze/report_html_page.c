/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --html OUT: the page.  One file that needs nothing when opened: its
 * style inline, its pictures inline SVG with <title> text for what a
 * pointer over a span or mark should say, no script, and a content
 * security policy that forbids every load, so that a page opened from a
 * bug report cannot reach the network even if something slipped in.
 * Every string from the trace (names, addresses, reasons, the diagnosis)
 * goes through esc().  Coordinates are integers in tenths of a pixel, so
 * the same trace gives the same bytes on every machine (samples/ keeps
 * the pages as goldens).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analysis.h"
#include "analyze/hist.h"
#include "analyze/life.h"
#include "analyze/report_html.h"
#include "analyze/text.h"
#include "analyze/views.h"
#include "analyze/wallclock.h"
#include "format/skr.h"

extern const struct sa_view sa_view_diag;

/* The timeline's geometry, in pixels: labels left, time right. */
#define PAGE_W		1200
#define PLOT_X0		330
#define PLOT_W		850
#define AXIS_H		26
#define LANE_H		12
#define BAR_H		8

static void esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			/* The text is ASCII; anything else is not ours to pass. */
			fputc(c == '\n' || (c >= 0x20 && c < 0x7f) ? c : '?', f);
			break;
		}
	}
}

/* A duration short and readable: "0.000108 s" less its trailing zeros. */
static const char *dur_text(uint64_t ns, char *buf, size_t size)
{
	size_t n;

	sa_text_secs(ns, buf, size);
	n = strlen(buf);
	while (n > 3 && buf[n - 1] == '0' && buf[n - 2] != '.')
		buf[--n] = '\0';
	return buf;
}

/* "12.5" of tenths of a pixel. */
#define TENTHS(v)	(v) / 10, (v) % 10

struct axis {
	uint64_t t0, span;		/* merge time of x0, ns across */
};

/* x of merge time mt, in tenths of a pixel from the page's left. */
static uint64_t x_of(const struct axis *ax, uint64_t mt)
{
	uint64_t d = mt > ax->t0 ? mt - ax->t0 : 0;
	unsigned shift = 0;

	if (d > ax->span)
		d = ax->span;
	/* Keep d * PLOT_W * 10 inside 64 bits for traces of months. */
	while ((ax->span >> shift) > (UINT64_MAX / (PLOT_W * 10)))
		shift++;
	if ((ax->span >> shift) == 0)
		return PLOT_X0 * 10;
	return PLOT_X0 * 10 + (d >> shift) * (PLOT_W * 10) / (ax->span >> shift);
}

static const char *state_name(unsigned st, char *buf, size_t size)
{
	return skr_tcp_state_name(st, buf, size);
}

static void axis_svg(FILE *f, const struct axis *ax, unsigned height)
{
	static const uint64_t nice[] = { 1, 2, 5 };
	uint64_t step = 1000, t, p10 = 1000;
	char d[32];
	size_t i = 0;

	/* Ten ticks at most, on 1, 2 or 5 times a power of ten. */
	while (ax->span / step > 10) {
		i++;
		if (i == 3) {
			i = 0;
			p10 *= 10;
		}
		step = nice[i] * p10;
	}
	/*
	 * The last tick is the one within step of the span's end: t += step
	 * past it could wrap around 2^64 (a hostile file's span of 584
	 * years) and start the axis over, endlessly.
	 */
	for (t = 0;; t += step) {
		uint64_t x = x_of(ax, ax->t0 + t);

		fprintf(f, "<line class=\"tick\" x1=\"%" PRIu64 ".%" PRIu64
			"\" y1=\"%u\" x2=\"%" PRIu64 ".%" PRIu64 "\" y2=\"%u\"/>"
			"<text class=\"tl\" x=\"%" PRIu64 ".%" PRIu64
			"\" y=\"14\">+%s s</text>\n", TENTHS(x), AXIS_H - 6,
			TENTHS(x), height, TENTHS(x),
			dur_text(t, d, sizeof(d)));
		if (ax->span - t < step)
			break;
	}
}

/*
 * A lane's label as drawn: what fits left of the plot (monospace, 6 px a
 * character), cut with "..."; the lane's title has it whole.
 */
#define LABEL_CHARS	54

static void label_text(FILE *f, const char *label)
{
	char cut[LABEL_CHARS + 1];
	size_t n = strlen(label);

	if (n <= LABEL_CHARS) {
		esc(f, label);
		return;
	}
	memcpy(cut, label, LABEL_CHARS - 3);
	memcpy(cut + LABEL_CHARS - 3, "...", 4);
	esc(f, cut);
}

/* ---- the diagnosis, as the default report writes it ---- */

static void diagnosis(FILE *f, struct sa_analysis *a, struct sa_html *h)
{
	FILE *saved = a->out;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	fputs("<h2 id=\"diagnosis\">Diagnosis</h2>\n", f);
	if (!mem) {
		fputs("<p class=\"warn\">The diagnosis could not be written "
		      "(out of memory).</p>\n", f);
		return;
	}
	a->out = mem;
	sa_view_diag.end(a, h->diag);
	a->out = saved;
	if (fclose(mem) != 0 || !text) {
		fputs("<p class=\"warn\">The diagnosis could not be written "
		      "(out of memory).</p>\n", f);
		free(text);
		return;
	}
	fputs("<pre class=\"diag\">", f);
	esc(f, text);
	fputs("</pre>\n", f);
	free(text);
}

/* ---- the timeline, a lane per socket ---- */

/* Both ends of a connection, in one order whichever end it is seen from. */
struct pair_key {
	uint8_t family;
	uint8_t lo[18], hi[18];		/* address then port, big end first */
};

struct lane_ref {
	struct sa_html_lane *l;
	struct pair_key k;
	bool paired;			/* has a remote to pair with */
	uint64_t anchor;		/* the smallest id of its key */
};

static void pair_key_of(const struct sa_html_lane *l, struct pair_key *k)
{
	uint8_t x[18], y[18];

	memset(k, 0, sizeof(*k));
	k->family = l->family;
	memcpy(x, l->saddr, 16);
	x[16] = (uint8_t)(l->sport >> 8);
	x[17] = (uint8_t)l->sport;
	memcpy(y, l->daddr, 16);
	y[16] = (uint8_t)(l->dport >> 8);
	y[17] = (uint8_t)l->dport;
	if (memcmp(x, y, sizeof(x)) <= 0) {
		memcpy(k->lo, x, sizeof(x));
		memcpy(k->hi, y, sizeof(y));
	} else {
		memcpy(k->lo, y, sizeof(y));
		memcpy(k->hi, x, sizeof(x));
	}
}

static int cmp_by_key(const void *x, const void *y)
{
	const struct lane_ref *a = x, *b = y;
	int c;

	if (a->paired != b->paired)
		return a->paired ? -1 : 1;
	if (a->paired) {
		c = memcmp(&a->k, &b->k, sizeof(a->k));
		if (c)
			return c;
	}
	return a->l->id < b->l->id ? -1 : a->l->id > b->l->id;
}

static int cmp_by_anchor(const void *x, const void *y)
{
	const struct lane_ref *a = x, *b = y;

	if (a->anchor != b->anchor)
		return a->anchor < b->anchor ? -1 : 1;
	return a->l->id < b->l->id ? -1 : a->l->id > b->l->id;
}

/*
 * Lanes in id order, except that a socket whose endpoints mirror another's
 * (a -> b and b -> a: the two ends of one connection, when the trace saw
 * both, or a later connection on the same ports) follows the first of
 * them.  Listeners and sockets without a remote port stay where their id
 * puts them.
 */
static struct lane_ref *lane_order(struct sa_html *h)
{
	struct lane_ref *r = calloc(h->nlanes ? h->nlanes : 1, sizeof(*r));
	size_t i, j;

	if (!r)
		return NULL;
	for (i = 0; i < h->nlanes; i++) {
		r[i].l = h->lane[i];
		r[i].paired = h->lane[i]->dport != 0 && h->lane[i]->sport != 0;
		if (r[i].paired)
			pair_key_of(h->lane[i], &r[i].k);
		r[i].anchor = h->lane[i]->id;
	}
	qsort(r, h->nlanes, sizeof(*r), cmp_by_key);
	for (i = 0; i < h->nlanes; i = j) {
		for (j = i + 1; j < h->nlanes && r[i].paired && r[j].paired &&
		     memcmp(&r[i].k, &r[j].k, sizeof(r[i].k)) == 0; j++)
			r[j].anchor = r[i].l->id;
	}
	qsort(r, h->nlanes, sizeof(*r), cmp_by_anchor);
	return r;
}

static const char *mark_class(unsigned kind)
{
	static const char *const names[SA_HM_COUNT] = {
		[SA_HM_RESET_IN] = "mri", [SA_HM_RESET_OUT] = "mro",
		[SA_HM_ERROR] = "mer", [SA_HM_RETRANS] = "mrt",
		[SA_HM_SYNACK] = "msa", [SA_HM_DROP] = "mdr",
		[SA_HM_BENIGN] = "mbn",
		[SA_HM_ACCEPTED] = "mac", [SA_HM_FAILED_CALL] = "mfc",
	};

	return kind < SA_HM_COUNT ? names[kind] : "mdr";
}

/* A mark's shape at (x, lane top y), all in tenths of a pixel. */
static void mark_svg(FILE *f, const struct sa_analysis *a,
		     const struct sa_html_mark *m, uint64_t x, unsigned y)
{
	char wall[SA_WALL_LEN];

	switch (m->kind) {
	case SA_HM_RESET_IN:		/* a triangle pointing down, in */
		fprintf(f, "<path class=\"%s\" d=\"M%" PRIu64 ".%" PRIu64
			" %u.%ul-4 -5h8z\">", mark_class(m->kind),
			TENTHS(x), TENTHS(y + 60));
		break;
	case SA_HM_RESET_OUT:		/* pointing up, out */
		fprintf(f, "<path class=\"%s\" d=\"M%" PRIu64 ".%" PRIu64
			" %u.%ul-4 5h8z\">", mark_class(m->kind), TENTHS(x),
			TENTHS(y + 20));
		break;
	case SA_HM_ERROR:
	case SA_HM_FAILED_CALL:
		fprintf(f, "<circle class=\"%s\" cx=\"%" PRIu64 ".%" PRIu64
			"\" cy=\"%u.%u\" r=\"3\">", mark_class(m->kind),
			TENTHS(x), TENTHS(y + 40));
		break;
	default:			/* a tick across the bar */
		fprintf(f, "<rect class=\"%s\" x=\"%" PRIu64 ".%" PRIu64
			"\" y=\"%u.%u\" width=\"1.5\" height=\"%u\">",
			mark_class(m->kind), TENTHS(x > 7 ? x - 7 : x),
			TENTHS(y), LANE_H - 2);
		break;
	}
	fputs("<title>", f);
	esc(f, m->detail);
	fputs(" at ", f);
	esc(f, sa_time_text(a, m->input, m->ts, wall, sizeof(wall)));
	fputs("</title></", f);
	fputs(m->kind == SA_HM_RESET_IN || m->kind == SA_HM_RESET_OUT ? "path"
	      : m->kind == SA_HM_ERROR || m->kind == SA_HM_FAILED_CALL
	      ? "circle" : "rect", f);
	fputs(">", f);
}

static void lane_label(const struct sa_analysis *a,
		       const struct sa_html_lane *l, bool with_host,
		       char *buf, size_t size)
{
	char src[SA_ENDPOINT_LEN], dst[SA_ENDPOINT_LEN];
	int n;

	sa_text_endpoint(l->family, l->saddr, l->sport, src, sizeof(src));
	sa_text_endpoint(l->family, l->daddr, l->dport, dst, sizeof(dst));
	if (l->role == SA_ROLE_LISTENER || (l->dport == 0 && !l->daddr[0]))
		n = snprintf(buf, size, "#%" PRIu64 " %s%s%s", l->id, src,
			     with_host ? " @" : "",
			     with_host ? sa_host_name(a, l->host) : "");
	else
		n = snprintf(buf, size, "#%" PRIu64 " %s -> %s%s%s", l->id,
			     src, dst, with_host ? " @" : "",
			     with_host ? sa_host_name(a, l->host) : "");
	if (n < 0 || (size_t)n >= size)
		buf[size - 1] = '\0';
}

static void lane_svg(FILE *f, const struct sa_analysis *a,
		     const struct axis *ax, const struct sa_html_lane *l,
		     unsigned row)
{
	char label[200], st[24], d[32], wall[SA_WALL_LEN];
	unsigned y = AXIS_H * 10 + row * LANE_H * 10;	/* tenths */
	uint64_t end = l->end_mt ? l->end_mt : ax->t0 + ax->span;
	size_t i;

	lane_label(a, l, a->nhosts > 1, label, sizeof(label));
	fprintf(f, "<g class=\"lane\" data-id=\"%" PRIu64 "\"><title>", l->id);
	esc(f, label);
	fputs(" owner ", f);
	esc(f, l->owner);
	fputs(": ", f);
	esc(f, l->why);
	if (l->older)
		fputs(", older than the trace", f);
	else if (l->end_mt && l->end_mt >= l->first_mt)
		fprintf(f, ", lived %s s", dur_text(l->end_mt - l->first_mt, d,
						    sizeof(d)));
	if (!l->end_mt)
		fputs(", open at the end", f);
	if (l->segs_hidden || l->marks_hidden)
		fprintf(f, " (%" PRIu64 " transitions and %" PRIu64
			" events not drawn)", l->segs_hidden, l->marks_hidden);
	fprintf(f, "</title><text class=\"ll\" x=\"4\" y=\"%u.%u\">",
		TENTHS(y + 90));
	label_text(f, label);
	fputs("</text>", f);
	for (i = 0; i < l->nsegs; i++) {
		const struct sa_html_seg *s = &l->seg[i];
		uint64_t to = i + 1 < l->nsegs ? l->seg[i + 1].mt : end;
		uint64_t x0, x1;

		if (s->state == SKR_TCP_CLOSE)
			continue;
		if (to < s->mt)
			to = s->mt;
		x0 = x_of(ax, s->mt);
		x1 = x_of(ax, to);
		/* Too short to see at this scale: a sliver still shows it. */
		if (x1 < x0 + 10)
			x1 = x0 + 10;
		fprintf(f, "<rect class=\"s%u\" x=\"%" PRIu64 ".%" PRIu64
			"\" y=\"%u.%u\" width=\"%" PRIu64 ".%" PRIu64
			"\" height=\"%u\"><title>%s %s s from ", s->state,
			TENTHS(x0), TENTHS(y + 20), TENTHS(x1 - x0), BAR_H,
			state_name(s->state, st, sizeof(st)),
			dur_text(to - s->mt, d, sizeof(d)));
		esc(f, sa_merge_time_text(a, s->mt, wall, sizeof(wall)));
		fputs(i + 1 == l->nsegs && !l->end_mt ? ", still at the end"
						       : "", f);
		fputs("</title></rect>", f);
	}
	for (i = 0; i < l->nmarks; i++)
		mark_svg(f, a, &l->mark[i], x_of(ax, l->mark[i].mt), y);
	fputs("</g>\n", f);
}

static void legend(FILE *f)
{
	static const struct {
		const char *cls, *text;
	} st[] = {
		{ "s2", "SYN_SENT" }, { "s3", "SYN_RECV" },
		{ "s1", "ESTABLISHED" }, { "s4", "FIN_WAIT1" },
		{ "s5", "FIN_WAIT2" }, { "s8", "CLOSE_WAIT" },
		{ "s9", "LAST_ACK" }, { "s11", "CLOSING" },
		{ "s6", "TIME_WAIT" }, { "s10", "LISTEN" },
	}, mk[] = {
		{ "mri", "reset received" }, { "mro", "reset sent" },
		{ "mer", "socket error" }, { "mrt", "retransmit" },
		{ "msa", "SYN-ACK retransmit" }, { "mdr", "packet dropped" },
		{ "mbn", "benign free (not a drop)" },
		{ "mac", "accepted" }, { "mfc", "listen/accept failed" },
	};
	size_t i;

	fputs("<p class=\"legend\">", f);
	for (i = 0; i < sizeof(st) / sizeof(st[0]); i++)
		fprintf(f, "<span><i class=\"k %s\"></i>%s</span>", st[i].cls,
			st[i].text);
	fputs("<br>", f);
	for (i = 0; i < sizeof(mk) / sizeof(mk[0]); i++)
		fprintf(f, "<span><i class=\"k %s\"></i>%s</span>", mk[i].cls,
			mk[i].text);
	fputs("</p>\n", f);
}

/* ---- past the lanes' budget: groups ---- */

static const char *outcome_class(unsigned o)
{
	switch (o) {
	case SA_OUT_LISTENER:
		return "s10";
	case SA_OUT_CONNECTED:
	case SA_OUT_ACCEPTED:
	case SA_OUT_HANDSHAKE_DONE:
		return "s1";
	case SA_OUT_CONNECTING:
		return "s2";
	case SA_OUT_NOT_ACCEPTED_RESET:
	case SA_OUT_NOT_ACCEPTED_CLOSED:
	case SA_OUT_NOT_ACCEPTED_OPEN:
		return "s8";
	case SA_OUT_OTHER:
		return "s6";
	default:
		return "bad";
	}
}

struct group_ref {
	const struct sa_html_group *g;
	uint64_t total;			/* lives of its outcome */
};

static int cmp_group(const void *x, const void *y)
{
	const struct group_ref *a = x, *b = y;
	const struct sa_html_group *p = a->g, *q = b->g;
	int c;

	if (a->total != b->total)
		return a->total < b->total ? -1 : 1;
	if (p->outcome != q->outcome)
		return p->outcome < q->outcome ? -1 : 1;
	if (p->count != q->count)
		return p->count < q->count ? -1 : 1;
	if (p->other != q->other)
		return p->other ? 1 : -1;
	if (p->host != q->host)
		return p->host < q->host ? -1 : 1;
	if (p->role != q->role)
		return p->role < q->role ? -1 : 1;
	if (p->family != q->family)
		return p->family < q->family ? -1 : 1;
	c = memcmp(p->addr, q->addr, sizeof(p->addr));
	if (c)
		return c;
	return p->port < q->port ? -1 : p->port > q->port;
}

/* An address without its port: the endpoint text less its ":0". */
static const char *addr_text(unsigned family, const uint8_t addr[16],
			     char *buf, size_t size)
{
	size_t n;

	sa_text_endpoint(family, addr, 0, buf, size);
	n = strlen(buf);
	if (n > 2 && strcmp(buf + n - 2, ":0") == 0)
		buf[n - 2] = '\0';
	return buf;
}

static void group_label(const struct sa_analysis *a,
			const struct sa_html_group *g, char *buf, size_t size)
{
	char ep[SA_ENDPOINT_LEN], host[96];
	const char *o = sa_outcome_name((enum sa_outcome)g->outcome);
	int n;

	host[0] = '\0';
	if (a->nhosts > 1 &&
	    snprintf(host, sizeof(host), " @%s", sa_host_name(a, g->host)) < 0)
		host[0] = '\0';
	/* Who first, since a label too long is cut at its end. */
	if (g->other)
		n = snprintf(buf, size, "other remotes%s: %" PRIu64 " %s",
			     host, g->count, o);
	else if (g->role == SA_ROLE_ACTIVE)
		n = snprintf(buf, size, "-> %s%s: %" PRIu64 " %s",
			     sa_text_endpoint(g->family, g->addr, g->port, ep,
					      sizeof(ep)), host, g->count, o);
	else if (g->role == SA_ROLE_PASSIVE)
		n = snprintf(buf, size, "%s -> port %u%s: %" PRIu64 " %s",
			     addr_text(g->family, g->addr, ep, sizeof(ep)),
			     g->port, host, g->count, o);
	else
		n = snprintf(buf, size, "%s%s: %" PRIu64 " %s",
			     sa_text_endpoint(g->family, g->addr, g->port, ep,
					      sizeof(ep)), host, g->count, o);
	if (n < 0 || (size_t)n >= size)
		buf[size - 1] = '\0';
}

static void group_svg(FILE *f, const struct sa_analysis *a,
		      const struct sa_html *h, const struct axis *ax,
		      const struct sa_html_group *g, unsigned row)
{
	static const char *const said[SA_HM_COUNT] = {
		[SA_HM_RESET_IN] = "resets received",
		[SA_HM_RESET_OUT] = "resets sent",
		[SA_HM_ERROR] = "socket errors",
		[SA_HM_RETRANS] = "retransmits",
		[SA_HM_SYNACK] = "SYN-ACK retransmits",
		[SA_HM_DROP] = "packets dropped",
		[SA_HM_BENIGN] = "benign packet frees",
		[SA_HM_ACCEPTED] = "accepted",
		[SA_HM_FAILED_CALL] = "failed calls",
	};
	char label[200], w0[SA_WALL_LEN], w1[SA_WALL_LEN];
	unsigned y = AXIS_H * 10 + row * LANE_H * 10;
	uint64_t maxc = 1;
	size_t i;

	group_label(a, g, label, sizeof(label));
	fputs("<g class=\"group\"><title>", f);
	esc(f, label);
	fputs(": ", f);
	for (i = 0; i < g->nids; i++)
		fprintf(f, "%s#%" PRIu64, i ? " " : "", g->ids[i]);
	if (g->count > g->nids)
		fprintf(f, " (+%" PRIu64 " more)", g->count - g->nids);
	fputs("; first started ", f);
	esc(f, sa_merge_time_text(a, g->first_mt, w0, sizeof(w0)));
	fputs(", last seen ", f);
	esc(f, sa_merge_time_text(a, g->last_mt, w1, sizeof(w1)));
	for (i = 0; i < SA_HM_COUNT; i++)
		if (g->marks[i])
			fprintf(f, "; %" PRIu64 " %s", g->marks[i], said[i]);
	for (i = 0; i < SA_HTML_BINS; i++)
		if (g->bin[i] > maxc)
			maxc = g->bin[i];
	fprintf(f, "; at most %" PRIu64 " started in %s s", maxc,
		dur_text(h->bin_ns, w0, sizeof(w0)));
	fprintf(f, "</title><text class=\"ll\" x=\"4\" y=\"%u.%u\">",
		TENTHS(y + 90));
	label_text(f, label);
	fputs("</text>", f);
	/*
	 * One path of bars for the whole group, not an element per slice:
	 * 400 groups of 120 slices stay some 1.5 MiB.  Height by count, so
	 * that a group's busy moments stand out; the title says the peak.
	 */
	fprintf(f, "<path class=\"%s\" d=\"", outcome_class(g->outcome));
	for (i = 0; i < SA_HTML_BINS; i++) {
		uint64_t x0, x1, ht;

		if (!g->bin[i])
			continue;
		x0 = x_of(ax, a->start_mt + i * h->bin_ns);
		x1 = x_of(ax, a->start_mt + (i + 1) * h->bin_ns);
		if (x1 < x0 + 10)
			x1 = x0 + 10;
		ht = 10 + g->bin[i] * (BAR_H * 10 - 10) / maxc;
		fprintf(f, "M%" PRIu64 ".%" PRIu64 " %u.%uh%" PRIu64 ".%" PRIu64
			"v-%" PRIu64 ".%" PRIu64 "h-%" PRIu64 ".%" PRIu64 "z",
			TENTHS(x0), TENTHS(y + 20 + BAR_H * 10), TENTHS(x1 - x0),
			TENTHS(ht), TENTHS(x1 - x0));
	}
	fputs("\"/>", f);
	fputs("</g>\n", f);
}

static void groups(FILE *f, struct sa_analysis *a, struct sa_html *h,
		   const struct axis *ax)
{
	uint64_t total[SA_OUT_COUNT] = { 0 };
	struct group_ref *r = calloc(h->ngroups ? h->ngroups : 1, sizeof(*r));
	unsigned height = AXIS_H + (unsigned)h->ngroups * LANE_H + 4;
	size_t i;

	if (!r) {
		fputs("<p class=\"warn\">The groups could not be drawn (out of "
		      "memory).</p>\n", f);
		return;
	}
	for (i = 0; i < h->ngroups; i++)
		if (h->group[i].outcome < SA_OUT_COUNT)
			total[h->group[i].outcome] += h->group[i].count;
	for (i = 0; i < h->ngroups; i++) {
		r[i].g = &h->group[i];
		r[i].total = h->group[i].outcome < SA_OUT_COUNT
			     ? total[h->group[i].outcome] : 0;
	}
	qsort(r, h->ngroups, sizeof(*r), cmp_group);
	fprintf(f, "<p class=\"note\">%" PRIu64 " sockets: too many for a lane "
		"each (more than %u, or more than %u KiB of lanes), so they "
		"are grouped by outcome and remote (a client's server, a "
		"server's client address and its own port), into %zu groups, "
		"the rarest outcome first.  A group's bars show how many of "
		"its sockets started when; its title names the first ids "
		"(<code>sockana --timeline --socket ID</code>).</p>\n",
		h->sockets, SA_HTML_LANES_MAX, SA_HTML_BYTES_MAX >> 10,
		h->ngroups);
	fprintf(f, "<svg class=\"tlsvg\" "
		"width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\">\n", PAGE_W,
		height, PAGE_W, height);
	axis_svg(f, ax, height);
	for (i = 0; i < h->ngroups; i++)
		group_svg(f, a, h, ax, r[i].g, (unsigned)i);
	fputs("</svg>\n", f);
	free(r);
}

static void timeline(FILE *f, struct sa_analysis *a, struct sa_html *h,
		     const struct axis *ax)
{
	struct lane_ref *r;
	unsigned height;
	size_t i;

	fputs("<h2 id=\"sockets\">Sockets</h2>\n", f);
	legend(f);
	if (h->grouped) {
		groups(f, a, h, ax);
		return;
	}
	if (h->nlanes == 0) {
		fputs("<p class=\"note\">No socket in this trace passed the "
		      "filters.</p>\n", f);
		return;
	}
	r = lane_order(h);
	if (!r) {
		fputs("<p class=\"warn\">The lanes could not be drawn (out of "
		      "memory).</p>\n", f);
		return;
	}
	fprintf(f, "<p class=\"note\">%zu sockets, a lane each, by id (#N as "
		"the text reports print it, in order of first appearance), "
		"except that the two ends of a connection (a -&gt; b beside "
		"b -&gt; a) sit together.  A span is the time in a TCP state; "
		"the title of a span, mark or lane says more.</p>\n",
		h->nlanes);
	height = AXIS_H + (unsigned)h->nlanes * LANE_H + 4;
	fprintf(f, "<svg class=\"tlsvg\" "
		"width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\">\n", PAGE_W,
		height, PAGE_W, height);
	axis_svg(f, ax, height);
	for (i = 0; i < h->nlanes; i++)
		lane_svg(f, a, ax, r[i].l, (unsigned)i);
	fputs("</svg>\n", f);
	free(r);
}

/* ---- accept queues ---- */

#define TITLED_MAX	64	/* drop marks with words, per chart */
#define POINTS_TITLED	100	/* a chart this small gets a dot per point */

/* sk_drops before point i grew it: the last point before with drops. */
static uint64_t grew_from(const struct sa_html_listener *l, size_t i)
{
	while (i-- > 0)
		if (l->pt[i].have_drops)
			return l->pt[i].drops;
	return 0;
}

static void listener_svg(FILE *f, const struct sa_analysis *a,
			 const struct axis *ax,
			 const struct sa_html_listener *l)
{
	enum { TOP = 12, PH = 90, H = 118 };
	char ep[SA_ENDPOINT_LEN], wall[SA_WALL_LEN];
	uint32_t ymax = 1, qpeak = 0, limit = 0;
	uint64_t drops = 0, prev = 0, x, xl = 0;
	bool have_prev = false;
	size_t i, ngrew = 0;
	int pass;

	for (i = 0; i < l->npts; i++) {
		if (l->pt[i].qlen > ymax)
			ymax = l->pt[i].qlen;
		if (l->pt[i].limit > ymax)
			ymax = l->pt[i].limit;
		if (l->pt[i].qlen > qpeak)
			qpeak = l->pt[i].qlen;
		limit = l->pt[i].limit;
		if (l->pt[i].have_drops) {
			if (have_prev && l->pt[i].drops > prev) {
				drops += l->pt[i].drops - prev;
				ngrew++;
			}
			prev = l->pt[i].drops;
			have_prev = true;
		}
	}
	fprintf(f, "<h3 class=\"lsn\" data-id=\"%" PRIu64 "\">#%" PRIu64 " ",
		l->id, l->id);
	esc(f, sa_text_endpoint(l->family, l->addr, l->port, ep, sizeof(ep)));
	fputs(" owner ", f);
	esc(f, l->owner);
	if (a->nhosts > 1) {
		fputs(" @", f);
		esc(f, sa_host_name(a, l->host));
	}
	fprintf(f, ": limit %" PRIu32 ", queue peak %" PRIu32 ", %" PRIu64
		" dropped (sk_drops grew)</h3>\n", limit, qpeak, drops);
#define QY(q)	(TOP * 10 + PH * 10 - (uint64_t)(q) * PH * 10 / ymax)
	fprintf(f, "<svg class=\"qsvg\" width=\"%u\" height=\"%u\" viewBox=\"0 "
		"0 %u %u\"><line class=\"tick\" x1=\"%u\" y1=\"%u\" x2=\"%u\" "
		"y2=\"%u\"/><text class=\"tl\" x=\"%u\" y=\"%u\">%" PRIu32
		"</text><text class=\"tl\" x=\"%u\" y=\"%u\">0</text>",
		PAGE_W, H, PAGE_W, H, PLOT_X0, TOP + PH, PLOT_X0 + PLOT_W,
		TOP + PH, PLOT_X0 - 30, TOP + 4, ymax, PLOT_X0 - 30, TOP + PH);
	fputs("<text class=\"tl\" x=\"4\" y=\"30\">accept queue</text>"
	      "<text class=\"tl lim\" x=\"4\" y=\"46\">limit</text>", f);
	/* The queue as steps, filled; the limit as a dashed line. */
	fputs("<path class=\"qa\" d=\"", f);
	for (i = 0; i < l->npts; i++) {
		x = x_of(ax, l->pt[i].mt);
		if (i == 0)
			fprintf(f, "M%" PRIu64 ".%" PRIu64 " %u", TENTHS(x),
				TOP + PH);
		fprintf(f, "H%" PRIu64 ".%" PRIu64 "V%" PRIu64 ".%" PRIu64,
			TENTHS(x), TENTHS(QY(l->pt[i].qlen)));
	}
	/* The last figures hold until the listener closed, or the end. */
	xl = x_of(ax, l->end_mt ? l->end_mt : ax->t0 + ax->span);
	if (l->npts && xl < x_of(ax, l->pt[l->npts - 1].mt))
		xl = x_of(ax, l->pt[l->npts - 1].mt);
	if (l->npts)
		fprintf(f, "H%" PRIu64 ".%" PRIu64 "V%uZ", TENTHS(xl), TOP + PH);
	fputs("\"/><path class=\"ql\" d=\"", f);
	for (i = 0; i < l->npts; i++) {
		x = x_of(ax, l->pt[i].mt);
		if (i == 0)
			fprintf(f, "M%" PRIu64 ".%" PRIu64 " %" PRIu64 ".%"
				PRIu64, TENTHS(x), TENTHS(QY(l->pt[i].limit)));
		else
			fprintf(f, "H%" PRIu64 ".%" PRIu64 "V%" PRIu64 ".%"
				PRIu64, TENTHS(x),
				TENTHS(QY(l->pt[i].limit)));
	}
	if (l->npts)
		fprintf(f, "H%" PRIu64 ".%" PRIu64, TENTHS(xl));
	fputs("\"/>", f);
	/*
	 * Each time sk_drops grew: a mark, with how much and when; past
	 * TITLED_MAX of them, the rest share one path without words, and
	 * the points have words only on a small chart, so that a page of
	 * busy listeners stays small.
	 */
	have_prev = false;
	for (pass = 0; pass < (ngrew > TITLED_MAX ? 2 : 1); pass++) {
		size_t titled = 0;

		if (pass == 1)
			fputs("<path class=\"mdq\" d=\"", f);
		for (i = 0; i < l->npts; i++) {
			const struct sa_html_qpoint *p = &l->pt[i];
			bool grew = have_prev && p->have_drops &&
				    p->drops > prev;

			if (p->have_drops) {
				prev = p->drops;
				have_prev = true;
			}
			if (!grew || (titled++ < TITLED_MAX) != (pass == 0))
				continue;
			x = x_of(ax, p->mt);
			if (pass == 1) {
				fprintf(f, "M%" PRIu64 ".%" PRIu64 " %ul-4 -6h8z",
					TENTHS(x), TOP);
				continue;
			}
			fprintf(f, "<path class=\"mdq\" d=\"M%" PRIu64 ".%"
				PRIu64 " %ul-4 -6h8z\"><title>%" PRIu64
				" dropped (sk_drops %" PRIu64 "), queue %" PRIu32
				" of %" PRIu32 ", by ", TENTHS(x), TOP,
				p->drops - grew_from(l, i), p->drops, p->qlen,
				p->limit);
			esc(f, sa_merge_time_text(a, p->mt, wall, sizeof(wall)));
			fputs("</title></path>", f);
		}
		if (pass == 1)
			fputs("\"/>", f);
		have_prev = false;
	}
	for (i = 0; l->npts <= POINTS_TITLED && i < l->npts; i++) {
		x = x_of(ax, l->pt[i].mt);
		fprintf(f, "<circle class=\"qp\" cx=\"%" PRIu64 ".%" PRIu64
			"\" cy=\"%" PRIu64 ".%" PRIu64 "\" r=\"2\"><title>queue %"
			PRIu32 " of %" PRIu32 " at ", TENTHS(x),
			TENTHS(QY(l->pt[i].qlen)), l->pt[i].qlen,
			l->pt[i].limit);
		esc(f, sa_merge_time_text(a, l->pt[i].mt, wall, sizeof(wall)));
		fputs("</title></circle>", f);
	}
#undef QY
	fputs("</svg>\n", f);
	if (l->merged)
		fprintf(f, "<p class=\"note\">%" PRIu64 " samples folded in "
			"pairs to fit (each pair's peak kept).</p>\n",
			l->merged);
}

static void queues(FILE *f, struct sa_analysis *a, struct sa_html *h,
		   const struct axis *ax)
{
	size_t i, shown = 0;
	const char *why = NULL;

	fputs("<h2 id=\"queues\">Accept queues</h2>\n", f);
	if (!sa_observable(a, SKR_REC_ACCEPT, &why)) {
		fputs("<p class=\"note\">accept() was not observable: ", f);
		esc(f, why ? why : SA_NOT_ON_KERNEL);
		fputs(".</p>\n", f);
	}
	fputs("<p class=\"note\">Per listener, on the time axis of the "
	      "sockets above: the accept-queue length at each listen(), "
	      "accept() and listener sample (filled), its limit (dashed), "
	      "and a red mark where the listener's drop counter grew.</p>\n",
	      f);
	for (i = 0; i < h->nlsn; i++) {
		if (!h->lsn[i]->selected || h->lsn[i]->npts == 0)
			continue;
		listener_svg(f, a, ax, h->lsn[i]);
		shown++;
	}
	if (shown == 0)
		fputs("<p class=\"note\">No listener with accept-queue figures "
		      "in this trace.</p>\n", f);
	if (h->lsn_more)
		fprintf(f, "<p class=\"note\">%" PRIu64 " more listeners not "
			"charted (the first %u are): see <code>sockana "
			"--backlog</code>.</p>\n", h->lsn_more,
			SA_HTML_LISTENERS_MAX);
}

/* ---- latency ---- */

static void dist_svg(FILE *f, const char *title, struct sa_hist *hist,
		     const char *none)
{
	enum { W = 380, H = 150, X0 = 10, PW = 360, TOP = 10, PH = 100 };
	char p50[32], p90[32], p99[32], mx[32], lo_t[32], hi_t[32];
	size_t i, lo = SA_HIST_LOG2, hi = 0, n;
	uint64_t maxc = 1, bw;

	fputs("<div class=\"dist\"><h3>", f);
	esc(f, title);
	fputs("</h3>", f);
	if (hist->count == 0) {
		fprintf(f, "<p class=\"note\">%s</p></div>\n", none);
		return;
	}
	fprintf(f, "<p class=\"note\">%" PRIu64 " sockets: p50 %s s, p90 %s s, "
		"p99 %s s, max %s s</p>", hist->count,
		dur_text(sa_hist_pct(hist, 50), p50, sizeof(p50)),
		dur_text(sa_hist_pct(hist, 90), p90, sizeof(p90)),
		dur_text(sa_hist_pct(hist, 99), p99, sizeof(p99)),
		dur_text(hist->max, mx, sizeof(mx)));
	for (i = 0; i < SA_HIST_LOG2; i++) {
		if (!hist->log2[i])
			continue;
		if (lo == SA_HIST_LOG2)
			lo = i;
		hi = i;
		if (hist->log2[i] > maxc)
			maxc = hist->log2[i];
	}
	n = hi - lo + 1;
	bw = PW * 10 / n;
	fprintf(f, "<svg class=\"dsvg\" width=\"%u\" height=\"%u\" viewBox=\"0 "
		"0 %u %u\">", W, H, W, H);
	for (i = lo; i <= hi; i++) {
		uint64_t ht = hist->log2[i] * PH * 10 / maxc;
		uint64_t x = X0 * 10 + (i - lo) * bw;

		if (hist->log2[i] && ht < 10)
			ht = 10;
		/* Bucket i: under 1 us, or [2^(i-1), 2^i) us. */
		dur_text(i ? (1ull << (i - 1)) * 1000 : 0, lo_t, sizeof(lo_t));
		dur_text(i < 64 ? (1ull << i) * 1000 : UINT64_MAX, hi_t,
			 sizeof(hi_t));
		fprintf(f, "<rect class=\"bar\" x=\"%" PRIu64 ".%" PRIu64
			"\" y=\"%" PRIu64 ".%" PRIu64 "\" width=\"%" PRIu64 ".%"
			PRIu64 "\" height=\"%" PRIu64 ".%" PRIu64 "\"><title>%"
			PRIu64 " from %s s to under %s s</title></rect>",
			TENTHS(x), TENTHS(TOP * 10 + PH * 10 - ht),
			TENTHS(bw > 10 ? bw - 10 : bw), TENTHS(ht),
			hist->log2[i], i ? lo_t : "0", hi_t);
	}
	dur_text(lo ? (1ull << (lo - 1)) * 1000 : 0, lo_t, sizeof(lo_t));
	dur_text(hi < 64 ? (1ull << hi) * 1000 : UINT64_MAX, hi_t,
		 sizeof(hi_t));
	fprintf(f, "<line class=\"tick\" x1=\"%u\" y1=\"%u\" x2=\"%u\" "
		"y2=\"%u\"/><text class=\"tl\" x=\"%u\" y=\"%u\">%s s</text>"
		"<text class=\"tl\" x=\"%u\" y=\"%u\" text-anchor=\"end\">%s "
		"s</text><text class=\"tl\" x=\"%u\" y=\"%u\">log2 buckets; "
		"tallest %" PRIu64 "</text></svg></div>\n", X0, TOP + PH,
		X0 + PW, TOP + PH, X0, TOP + PH + 14, lo_t, X0 + PW,
		TOP + PH + 14, hi_t, X0, TOP + PH + 30, maxc);
}

static void latency(FILE *f, struct sa_analysis *a, struct sa_html *h)
{
	const char *why = NULL;

	fputs("<h2 id=\"latency\">Latency</h2>\n<div class=\"dists\">\n", f);
	dist_svg(f, "connect: SYN_SENT to ESTABLISHED", &h->dist[SA_HD_CONNECT],
		 "No connect established.");
	dist_svg(f, "failed connect: SYN_SENT to CLOSE",
		 &h->dist[SA_HD_CONNECT_FAILED], "No connect failed.");
	if (sa_observable(a, SKR_REC_ACCEPT, &why))
		dist_svg(f, "accept wait: ESTABLISHED to accept()",
			 &h->dist[SA_HD_ACCEPT_WAIT], "No connection accepted.");
	else
		dist_svg(f, "accept wait: ESTABLISHED to accept()",
			 &h->dist[SA_HD_ACCEPT_WAIT],
			 "accept() was not observable in this trace.");
	fputs("</div>\n", f);
}

/* ---- the page ---- */

static const struct {
	const char *cls, *color;
} colors[] = {
	{ "s1", "#43a047" }, { "s2", "#f0a202" }, { "s3", "#f6ca5b" },
	{ "s4", "#4fa3e0" }, { "s5", "#8cc4ee" }, { "s6", "#b0bec5" },
	{ "s8", "#9c27b0" }, { "s9", "#ce93d8" }, { "s10", "#1565c0" },
	{ "s11", "#7986cb" }, { "bad", "#d32f2f" }, { "mri", "#d32f2f" },
	{ "mro", "#b71c1c" }, { "mer", "#880e4f" }, { "mrt", "#ef6c00" },
	{ "msa", "#ff9800" }, { "mdr", "#555555" }, { "mbn", "#bdbdbd" }, { "mac", "#111111" },
	{ "mfc", "#e91e63" },
};

static void style(FILE *f)
{
	size_t i;

	fputs("<style>\n"
	      "body{font:14px sans-serif;margin:16px;color:#222;"
	      "background:#fff}\n"
	      "h1{font-size:20px}h2{font-size:17px;margin-top:28px;"
	      "border-bottom:1px solid #ccc}h3{font-size:14px;margin:14px 0 "
	      "4px}\n"
	      "pre.diag{background:#f6f6f6;padding:8px;font-size:12px;"
	      "overflow-x:auto}\n"
	      ".note{color:#444;max-width:1150px}.warn{color:#b71c1c}\n"
	      ".legend span{margin-right:14px;white-space:nowrap}"
	      "i.k{display:inline-block;width:14px;height:10px;"
	      "margin-right:4px;vertical-align:middle}\n"
	      "svg text{font:10px monospace;fill:#222}.tick{stroke:#ddd}"
	      ".lane:hover,.group:hover{outline:1px solid #999}\n"
	      ".qa{fill:#90caf9;stroke:#1565c0}.ql{fill:none;stroke:#d32f2f;"
	      "stroke-dasharray:4 3}.qp{fill:#1565c0}.mdq{fill:#d32f2f}"
	      ".lim{fill:#d32f2f}.bar{fill:#5c6bc0}\n"
	      ".dists{display:flex;flex-wrap:wrap;gap:16px}\n", f);
	for (i = 0; i < sizeof(colors) / sizeof(colors[0]); i++)
		fprintf(f, ".%s{fill:%s}i.%s{background:%s}\n", colors[i].cls,
			colors[i].color, colors[i].cls, colors[i].color);
	fputs("</style>\n", f);
}

void sa_html_page(struct sa_analysis *a, struct sa_html *h)
{
	FILE *f = a->out;
	struct axis ax;
	char name[96];
	int n;

	ax.t0 = a->start_mt;
	ax.span = a->end_mt > a->start_mt ? a->end_mt - a->start_mt : 1;
	n = a->nin > 1 ? snprintf(name, sizeof(name), "%zu traces", a->nin)
		       : snprintf(name, sizeof(name), "%s", a->name);
	/* A name too long is cut; the diagnosis below has it whole. */
	if (n < 0)
		name[0] = '\0';
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" "
	      "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
	      "<title>sockana: ", f);
	esc(f, name);
	fputs("</title>\n", f);
	style(f);
	fputs("</head>\n<body>\n<h1>sockana: ", f);
	esc(f, name);
	fputs("</h1>\n<p><a href=\"#diagnosis\">Diagnosis</a> | "
	      "<a href=\"#sockets\">Sockets</a> | <a href=\"#queues\">Accept "
	      "queues</a> | <a href=\"#latency\">Latency</a></p>\n", f);
	diagnosis(f, a, h);
	timeline(f, a, h, &ax);
	queues(f, a, h, &ax);
	latency(f, a, h);
	fputs("</body>\n</html>\n", f);
}
