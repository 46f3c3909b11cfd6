/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of sockana --html on synthetic traces: a lane per socket with
 * the two ends of a connection side by side; every string from the trace
 * escaped; past the lanes' budget (in sockets or in bytes), groups by
 * outcome and remote with the rarest outcome first and a page that stays
 * small; the drops of an accept queue marked where sk_drops grew; nothing
 * that makes a browser load anything.  tests/browser opens the pages of
 * samples/ in a real browser.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/report_html.h"
#include "analyze/sockana.h"
#include "tracegen.h"

#define WALL_BASE	1795341600ull	/* 2026-11-22T10:00:00Z */
#define SEC		1000000000ull
#define USEC		1000ull
#define T0		(2 * SEC)
#define P		SKR_CTX_PROCESS
#define I		SKR_CTX_SOFTIRQ
#define LO		"127.0.0.1"

static void begin(struct tg *t)
{
	static const char *const args[] = { "sockrec", NULL };
	const struct tg_host h = { .hostname = "alpha", .boot_id = "boot-a" };

	tg_begin(t);
	tg_header(t, 0, 0x5c, 0, WALL_BASE * SEC);
	tg_host(t, &h);
	tg_recorder(t, NULL, args, "unit test");
	tg_probe(t, "inet_sock_set_state", SKR_REC_STATE, SKR_TIER_TP_BTF,
		 NULL);
	tg_probe(t, "accept", SKR_REC_ACCEPT, SKR_TIER_TRACEPOINT, NULL);
	tg_clock(t, 1 * SEC, WALL_BASE * SEC, 0);
}

static char *html_of(struct tg *t)
{
	char *page = tg_report(t, SA_REPORT_HTML, SA_FORMAT_TEXT);

	ck_assert_ptr_nonnull(page);
	ck_assert_msg(strncmp(page, "<!DOCTYPE html>", 15) == 0,
		      "not a page: %.60s", page);
	ck_assert_msg(strstr(page, "</html>\n") != NULL, "page not ended");
	return page;
}

/* Where the lane of socket id starts in the page, or -1. */
static long lane_at(const char *page, unsigned id)
{
	char needle[64];
	const char *p;

	snprintf(needle, sizeof(needle), "<g class=\"lane\" data-id=\"%u\">",
		 id);
	p = strstr(page, needle);
	return p ? p - page : -1;
}

/* A client connects and closes; its server side is accepted. */
static void conn(struct tg *t, uint64_t ts, uint64_t cli, uint64_t srv,
		 uint64_t lsn, uint16_t cport)
{
	tg_st(t, ts, cli, P, 200, "cli", SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, LO,
	      0, LO, 8080);
	tg_st(t, ts + 10 * USEC, srv, I, 0, "swapper/0", SKR_TCP_LISTEN,
	      SKR_TCP_SYN_RECV, LO, 8080, LO, cport);
	tg_st(t, ts + 20 * USEC, cli, I, 0, "swapper/0", SKR_TCP_SYN_SENT,
	      SKR_TCP_ESTABLISHED, LO, cport, LO, 8080);
	tg_st(t, ts + 30 * USEC, srv, I, 0, "swapper/0", SKR_TCP_SYN_RECV,
	      SKR_TCP_ESTABLISHED, LO, 8080, LO, cport);
	tg_accept(t, ts + 40 * USEC, lsn, srv, 100, 1, 16, 0);
}

/* Two clients open before either server side appears: ids 2, 3, 4, 5. */
static void build_pairs(struct tg *t)
{
	begin(t);
	tg_st(t, T0, 0x10, P, 100, "srv", SKR_TCP_CLOSE, SKR_TCP_LISTEN, LO,
	      8080, "0.0.0.0", 0);
	tg_listen(t, T0 + USEC, 0x10, 100, 16, 16, 8080);
	tg_st(t, T0 + 100 * USEC, 0x20, P, 200, "cli", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 8080);
	tg_st(t, T0 + 110 * USEC, 0x21, P, 201, "cli", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 8080);
	conn(t, T0 + 200 * USEC, 0x20, 0x30, 0x10, 40000);
	conn(t, T0 + 300 * USEC, 0x21, 0x31, 0x10, 40001);
	tg_end(t, T0 + SEC, 0, 0);
}

START_TEST(test_lane_per_socket_ends_together)
{
	struct tg t;
	char *page;

	build_pairs(&t);
	page = html_of(&t);
	/* #1 listener, #2 and #3 clients, #4 and #5 their server sides. */
	ck_assert_uint_eq(tg_count(page, "<g class=\"lane\""), 5);
	ck_assert_int_ge(lane_at(page, 1), 0);
	ck_assert_int_lt(lane_at(page, 1), lane_at(page, 2));
	/* Each client's server side right after it, before the next client. */
	ck_assert_int_lt(lane_at(page, 2), lane_at(page, 4));
	ck_assert_int_lt(lane_at(page, 4), lane_at(page, 3));
	ck_assert_int_lt(lane_at(page, 3), lane_at(page, 5));
	ck_assert_ptr_nonnull(strstr(page, ">#4 127.0.0.1:8080 -&gt; "
				     "127.0.0.1:40000</text>"));
	ck_assert_uint_eq(tg_count(page, "<g class=\"group\""), 0);
	free(page);
}
END_TEST

/* A page that could reach out: any of these is a load or a script. */
static void assert_loads_nothing(const char *page)
{
	static const char *const bad[] = {
		"http:", "https:", "//", "url(", "@import", "<script",
		"<link", "<img", "<iframe", "<object", "<embed",
	};
	const char *p, *end;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = strstr(page, bad[i]);
		ck_assert_msg(p == NULL, "page holds \"%s\": ...%.40s", bad[i],
			      p ? p : "");
	}
	/* No tag with a src attribute; text may say "src=", escaped. */
	for (p = strchr(page, '<'); p; p = strchr(end, '<')) {
		end = strchr(p, '>');
		ck_assert_ptr_nonnull(end);
		ck_assert_msg(!tg_contains((const uint8_t *)p,
					   (size_t)(end - p), "src=", 4),
			      "a tag with src: %.40s", p);
	}
	/* Links only within the page. */
	for (p = strstr(page, "href=\""); p; p = strstr(p + 1, "href=\""))
		ck_assert_msg(p[6] == '#', "a link out: %.40s", p);
	ck_assert_ptr_nonnull(strstr(page, "default-src 'none'"));
}

START_TEST(test_trace_strings_escaped)
{
	struct tg t;
	char *page;

	begin(&t);
	tg_st(&t, T0, 0x40, P, 300, "<img src=x>&\"'", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 9);
	tg_st(&t, T0 + 20 * USEC, 0x40, I, 0, "swapper/0", SKR_TCP_SYN_SENT,
	      SKR_TCP_CLOSE, LO, 41000, LO, 9);
	tg_error(&t, T0 + 21 * USEC, 0x40, 111, SKR_TCP_SYN_SENT, 9);
	tg_end(&t, T0 + SEC, 0, 0);
	page = html_of(&t);
	ck_assert_ptr_null(strstr(page, "<img"));
	ck_assert_ptr_nonnull(strstr(page, "&lt;img src=x&gt;&amp;&quot;"
					   "&#39;"));
	ck_assert_uint_eq(tg_count(page, "<g class=\"lane\""), 1);
	/* The refusal is a mark with its words. */
	ck_assert_uint_eq(tg_count(page, "<circle class=\"mer\""), 1);
	assert_loads_nothing(page);
	free(page);
}
END_TEST

/*
 * n established connects to port 8080 and nref refused ones to port 9,
 * each with retr data retransmits: rounds every 64 sockets.
 */
static void build_spread(struct tg *t, unsigned n, unsigned nref,
			 unsigned retr, unsigned remotes)
{
	const unsigned step = (n + nref) / (nref ? nref : 1);
	struct skr_ev_retransmit r;
	unsigned i, k;
	uint64_t ts = T0;

	begin(t);
	for (i = 0; i < n + nref; i++, ts += 50 * USEC) {
		uint64_t ck = 0x1000 + i;
		uint16_t port = (uint16_t)(10000 + i % 50000);
		/* remotes: the established ones to that many server ports */
		uint16_t srv = remotes ? (uint16_t)(20000 + i % remotes) : 8080;
		/* nref of them spread over the trace, at 7, 7 + step, ... */
		bool refused = nref && i % step == 7 && i / step < nref;
		tg_st(t, ts, ck, P, 400, "many", SKR_TCP_CLOSE,
		      SKR_TCP_SYN_SENT, LO, 0, LO, refused ? 9 : srv);
		if (refused) {
			tg_st(t, ts + USEC, ck, I, 0, "swapper/0", SKR_TCP_SYN_SENT,
			      SKR_TCP_CLOSE, LO, port, LO, 9);
			tg_error(t, ts + 2 * USEC, ck, 111, SKR_TCP_SYN_SENT,
				 9);
		} else {
			tg_st(t, ts + USEC, ck, I, 0, "swapper/0", SKR_TCP_SYN_SENT,
			      SKR_TCP_ESTABLISHED, LO, port, LO, srv);
			for (k = 0; k < retr; k++) {
				memset(&r, 0, sizeof(r));
				r.hdr.len = sizeof(r);
				r.hdr.type = SKR_REC_RETRANSMIT;
				tg_common(t, &r.c, ts + (2 + k) * USEC, ck, I, 0);
				tg_addr(LO, r.saddr, &r.family);
				tg_addr(LO, r.daddr, &r.family);
				r.sport = port;
				r.dport = srv;
				r.state = SKR_TCP_ESTABLISHED;
				r.kind = SKR_RETRANS_DATA;
				r.retrans = k + 1;
				tg_put(t, &r, sizeof(r));
			}
			tg_st(t, ts + 40 * USEC, ck, P, 400, "many",
			      SKR_TCP_ESTABLISHED, SKR_TCP_CLOSE, LO, port, LO,
			      srv);
		}
		if (i % 64 == 63)
			tg_round(t, ts + 41 * USEC);
	}
	tg_end(t, ts + SEC, 0, 0);
}

static void build_many(struct tg *t, unsigned n, unsigned nref,
		       unsigned retr)
{
	build_spread(t, n, nref, retr, 0);
}

static void assert_grouped(const char *page, unsigned sockets)
{
	char note[64];
	const char *refused, *connected;

	snprintf(note, sizeof(note), "%u sockets: too many for a lane each",
		 sockets);
	ck_assert_msg(strstr(page, note) != NULL, "no note of the grouping");
	ck_assert_uint_eq(tg_count(page, "<g class=\"lane\""), 0);
	/* One group per outcome and remote: refused to :9, connected to :8080. */
	ck_assert_uint_eq(tg_count(page, "<g class=\"group\""), 2);
	refused = strstr(page, ">-&gt; 127.0.0.1:9: ");
	connected = strstr(page, ">-&gt; 127.0.0.1:8080: ");
	ck_assert_ptr_nonnull(refused);
	ck_assert_ptr_nonnull(connected);
	/* The rarest outcome first. */
	ck_assert_msg(refused < connected, "refused after established");
	assert_loads_nothing(page);
}

START_TEST(test_many_sockets_grouped)
{
	const unsigned n = SA_HTML_LANES_MAX + 497, nref = 3;
	struct tg t;
	char *page;

	build_many(&t, n, nref, 0);
	page = html_of(&t);
	assert_grouped(page, n + nref);
	ck_assert_ptr_nonnull(strstr(page, ">-&gt; 127.0.0.1:9: 3 connect "
					   "refused</text>"));
	ck_assert_uint_lt(strlen(page), 4u << 20);
	free(page);
}
END_TEST

/* More remotes than groups: the rest in one group per outcome. */
START_TEST(test_many_remotes_other_group)
{
	const unsigned n = SA_HTML_LANES_MAX + 100, nref = 3;
	struct tg t;
	char *page;

	build_spread(&t, n, nref, 0, 40000);
	page = html_of(&t);
	ck_assert_uint_eq(tg_count(page, "<g class=\"group\""),
			  SA_HTML_GROUPS_MAX + 1);
	/* 399 remotes of their own besides refused, then the others. */
	/* Its label (the only one after a y="..." attribute; titles too). */
	ck_assert_uint_eq(tg_count(page, "\">other remotes: "), 1);
	ck_assert_ptr_nonnull(strstr(page, ">-&gt; 127.0.0.1:9: 3 connect "
					   "refused</text>"));
	ck_assert_uint_lt(strlen(page), 4u << 20);
	free(page);
}
END_TEST

/* The most groups, each busy all along: still a page of a few MiB. */
START_TEST(test_groups_worst_size)
{
	const unsigned n = SA_HTML_GROUPS_MAX * SA_HTML_BINS, nref = 1;
	struct tg t;
	char *page;

	build_spread(&t, n, nref, 0, SA_HTML_GROUPS_MAX);
	page = html_of(&t);
	ck_assert_uint_eq(tg_count(page, "<g class=\"group\""),
			  SA_HTML_GROUPS_MAX + 1);
	ck_assert_msg(strlen(page) < (3u << 20), "page of %zu bytes",
		      strlen(page));
	/* Bars in every slice of every group (a slice doubles until the
	 * trace fits SA_HTML_BINS of them, so at least half are used). */
	ck_assert_uint_gt(tg_count(page, "z"), SA_HTML_GROUPS_MAX *
			  SA_HTML_BINS / 2);
	free(page);
}
END_TEST

/* Fewer sockets than lanes, but lanes too big for the page. */
START_TEST(test_big_lanes_grouped)
{
	const unsigned n = 1500, nref = 2;
	struct tg t;
	char *page;

	build_many(&t, n, nref, SA_HTML_MARKS_MAX);
	page = html_of(&t);
	assert_grouped(page, n + nref);
	ck_assert_uint_lt(strlen(page), 4u << 20);
	free(page);
}
END_TEST

/* Just under both budgets: a lane each. */
START_TEST(test_lanes_below_budget)
{
	const unsigned n = 400, nref = 2;
	struct tg t;
	char *page;

	build_many(&t, n, nref, 2);
	page = html_of(&t);
	ck_assert_uint_eq(tg_count(page, "<g class=\"lane\""), n + nref);
	ck_assert_uint_eq(tg_count(page, "<rect class=\"mrt\""), 2 * n);
	free(page);
}
END_TEST

START_TEST(test_queue_drops_marked)
{
	struct tg t;
	char *page;

	begin(&t);
	tg_st(&t, T0, 0x10, P, 100, "srv", SKR_TCP_CLOSE, SKR_TCP_LISTEN, LO,
	      8080, "0.0.0.0", 0);
	tg_listen(&t, T0 + USEC, 0x10, 100, 2, 2, 8080);
	tg_listener(&t, T0 + 100 * USEC, 0x10, 2, 2, 0);
	tg_listener(&t, T0 + 200 * USEC, 0x10, 2, 2, 3);	/* grew */
	tg_listener(&t, T0 + 300 * USEC, 0x10, 2, 2, 3);
	tg_listener(&t, T0 + 400 * USEC, 0x10, 1, 2, 5);	/* grew */
	tg_end(&t, T0 + SEC, 0, 0);
	page = html_of(&t);
	ck_assert_ptr_nonnull(strstr(page, "<h3 class=\"lsn\" data-id=\"1\">"
					   "#1 127.0.0.1:8080 owner srv[100]: "
					   "limit 2, queue peak 2, 5 dropped"));
	ck_assert_uint_eq(tg_count(page, "<path class=\"mdq\""), 2);
	ck_assert_ptr_nonnull(strstr(page, ">3 dropped (sk_drops 3)"));
	ck_assert_ptr_nonnull(strstr(page, ">2 dropped (sk_drops 5)"));
	free(page);
}
END_TEST

/* A listener that drops all along: every growth marked, few with words. */
START_TEST(test_queue_many_drops_bounded)
{
	struct tg t;
	char *page;
	unsigned i;

	begin(&t);
	tg_st(&t, T0, 0x10, P, 100, "srv", SKR_TCP_CLOSE, SKR_TCP_LISTEN, LO,
	      8080, "0.0.0.0", 0);
	tg_listen(&t, T0 + USEC, 0x10, 100, 2, 2, 8080);
	for (i = 1; i <= 200; i++)
		tg_listener(&t, T0 + i * 100 * USEC, 0x10, 2, 2, i);
	tg_end(&t, T0 + SEC, 0, 0);
	page = html_of(&t);
	ck_assert_uint_eq(tg_count(page, "l-4 -6h8z"), 200);
	ck_assert_uint_eq(tg_count(page, "h8z\"><title>"), 64);
	/* 200 points: a chart that big gets no dot per point. */
	ck_assert_uint_eq(tg_count(page, "<circle class=\"qp\""), 0);
	free(page);
}
END_TEST

/*
 * A hostile file's span of 584 years (events near 0 and near 2^64 ns):
 * the axis once stepped its ticks past 2^64, wrapped and started over,
 * for hours (a fuzz input took 14 s under ASan, another shape forever).
 */
START_TEST(test_axis_span_near_2_64)
{
	struct tg t;
	char *page;
	size_t ticks;

	/* No CLOCK record: times stay on the event clock, as in that input. */
	tg_begin(&t);
	tg_header(&t, 0, 0x5c, 0, WALL_BASE * SEC);
	tg_st(&t, T0, 0x10, P, 100, "srv", SKR_TCP_CLOSE, SKR_TCP_LISTEN, LO,
	      8080, "0.0.0.0", 0);
	tg_st(&t, UINT64_MAX - 5, 0x20, P, 200, "cli", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 8080);
	tg_end(&t, UINT64_MAX - 1, 0, 0);
	page = html_of(&t);
	ticks = tg_count(page, "<line class=\"tick\"");
	ck_assert_msg(ticks >= 2 && ticks <= 11, "%zu ticks", ticks);
	free(page);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("html");
	TCase *tc = tcase_create("html");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_lane_per_socket_ends_together);
	tcase_add_test(tc, test_trace_strings_escaped);
	tcase_add_test(tc, test_many_sockets_grouped);
	tcase_add_test(tc, test_many_remotes_other_group);
	tcase_add_test(tc, test_groups_worst_size);
	tcase_add_test(tc, test_big_lanes_grouped);
	tcase_add_test(tc, test_lanes_below_budget);
	tcase_add_test(tc, test_queue_drops_marked);
	tcase_add_test(tc, test_queue_many_drops_bounded);
	tcase_add_test(tc, test_axis_span_near_2_64);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(suite());
}
