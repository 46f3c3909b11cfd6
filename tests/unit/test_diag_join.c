/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of the diagnosis finding that joins a client's failed or
 * slow connect with the listener that overflowed meanwhile
 * (analyze/report_diag_join.c), across two hosts' traces whose wall
 * clocks differ by SKEW:
 *   - clocks aligned closely (joined handshakes): the connect whose SYN
 *     window overlaps the listener's drop growth is named with both
 *     sides, the one that does not is not named;
 *   - the same traces with CLOCK samples uncertain by 0.4 s each: the
 *     finding says the clocks cannot tell, and claims nothing;
 *   - no connection joins the hosts: the clocks are not aligned, said;
 *   - one trace, two namespaces, a wildcard listener (which pairs.c does
 *     not link connects to): the slow connect's paired child names it.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/sockana.h"
#include "tracegen.h"

#define WALL_BASE	1795341600ull	/* 2026-11-22T10:00:00Z */
#define SEC		1000000000ull
#define MSEC		1000000ull
#define USEC		1000ull
#define T0		(2 * SEC)
#define SKEW		(3 * SEC + 700 * MSEC)
#define HOP		(50 * USEC)
#define P		SKR_CTX_PROCESS
#define I		SKR_CTX_SOFTIRQ
#define CA		"10.0.0.1"
#define SA		"10.0.0.2"
#define ETIMEDOUT_	110

static void begin(struct tg *t, const char *name, uint64_t skew,
		  uint64_t unc)
{
	struct tg_host h = { .hostname = name, .boot_id = name };

	tg_begin(t);
	tg_header(t, 0, name[0], 0, WALL_BASE * SEC);
	tg_host(t, &h);
	tg_probe(t, "inet_sock_set_state", SKR_REC_STATE, SKR_TIER_TP_BTF,
		 NULL);
	tg_probe(t, "tcp_retransmit_skb", SKR_REC_RETRANSMIT, SKR_TIER_TP_BTF,
		 NULL);
	tg_probe(t, "inet_sk_error_report", SKR_REC_SOCK_ERROR,
		 SKR_TIER_TP_BTF, NULL);
	tg_probe(t, "sock_diag", SKR_REC_LISTENER, SKR_TIER_TP_BTF, NULL);
	tg_clock(t, 1 * SEC, WALL_BASE * SEC + skew, unc);
}

static void st(struct tg *t, uint64_t ts, uint64_t cookie, uint8_t o,
	       uint8_t n, const char *src, uint16_t sport, const char *dst,
	       uint16_t dport)
{
	tg_st(t, ts, cookie, n == SKR_TCP_SYN_SENT ? P : I, 0,
	      n == SKR_TCP_SYN_SENT ? "cli" : "swapper/0", o, n, src, sport,
	      dst, dport);
}

static void syn_retrans(struct tg *t, uint64_t ts, uint64_t cookie,
			uint16_t sport)
{
	struct skr_ev_retransmit e;

	memset(&e, 0, sizeof(e));
	e.hdr.len = sizeof(e);
	e.hdr.type = SKR_REC_RETRANSMIT;
	tg_common(t, &e.c, ts, cookie, I, 0);
	tg_addr(CA, e.saddr, &e.family);
	tg_addr(SA, e.daddr, &e.family);
	e.sport = sport;
	e.dport = 8080;
	e.retrans = 1;
	e.state = SKR_TCP_SYN_SENT;
	e.kind = SKR_RETRANS_DATA;
	tg_put(t, &e, sizeof(e));
}

/* A connection at true time b, the client closing first. */
static void conn(struct tg *c, struct tg *s, uint64_t b, uint64_t k,
		 uint16_t cp)
{
	st(c, b, 0x100 + k, SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, CA, 0, SA, 8080);
	st(c, b + 2 * HOP, 0x100 + k, SKR_TCP_SYN_SENT, SKR_TCP_ESTABLISHED,
	   CA, cp, SA, 8080);
	st(s, b + 3 * HOP, 0x200 + k, SKR_TCP_LISTEN, SKR_TCP_SYN_RECV, SA,
	   8080, CA, cp);
	st(s, b + 3 * HOP + USEC, 0x200 + k, SKR_TCP_SYN_RECV,
	   SKR_TCP_ESTABLISHED, SA, 8080, CA, cp);
	st(c, b + MSEC, 0x100 + k, SKR_TCP_ESTABLISHED, SKR_TCP_FIN_WAIT1, CA,
	   cp, SA, 8080);
	st(s, b + MSEC + HOP, 0x200 + k, SKR_TCP_ESTABLISHED,
	   SKR_TCP_CLOSE_WAIT, SA, 8080, CA, cp);
	st(c, b + MSEC + 2 * HOP, 0x100 + k, SKR_TCP_FIN_WAIT1,
	   SKR_TCP_FIN_WAIT2, CA, cp, SA, 8080);
	st(s, b + 2 * MSEC, 0x200 + k, SKR_TCP_CLOSE_WAIT, SKR_TCP_LAST_ACK,
	   SA, 8080, CA, cp);
	st(c, b + 2 * MSEC + HOP, 0x100 + k, SKR_TCP_FIN_WAIT2, SKR_TCP_CLOSE,
	   CA, cp, SA, 8080);
	st(s, b + 2 * MSEC + 2 * HOP, 0x200 + k, SKR_TCP_LAST_ACK,
	   SKR_TCP_CLOSE, SA, 8080, CA, cp);
}

/* A connect from cp that resends its SYN once and times out at end. */
static void timeout(struct tg *c, uint64_t b, uint64_t end, uint64_t cookie,
		    uint16_t cp)
{
	st(c, b, cookie, SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, CA, 0, SA, 8080);
	syn_retrans(c, (b + end) / 2, cookie, cp);
	st(c, end, cookie, SKR_TCP_SYN_SENT, SKR_TCP_CLOSE, CA, cp, SA, 8080);
	tg_error(c, end + USEC, cookie, ETIMEDOUT_, SKR_TCP_CLOSE, 8080);
}

/*
 * The server's listener 10.0.0.2:8080 drops 5 SYNs between its samples
 * at T0 + 1 s and T0 + 1.5 s.  The client's connect #a (cookie 0x1ff)
 * waits in SYN_SENT from T0 + 1.2 s to T0 + 3.2 s: during the drops;
 * #b (0x1fe) from T0 + 1.7 s to T0 + 1.9 s: after them, by 0.2 s.
 * joined: five handshakes both traces saw, which align the clocks.
 * The server's wall clock is skew ahead.
 */
static void build(struct tg t[2], uint64_t unc, bool joined, uint64_t skew)
{
	unsigned i;

	begin(&t[0], "client", 0, unc);
	begin(&t[1], "server", skew, unc);
	st(&t[1], T0, 0x900, SKR_TCP_CLOSE, SKR_TCP_LISTEN, SA, 8080,
	   "0.0.0.0", 0);
	tg_listener(&t[1], T0 + 100 * MSEC, 0x900, 0, 2, 0);
	for (i = 0; joined && i < 5; i++)
		conn(&t[0], &t[1], T0 + (200 + 10 * i) * MSEC, i,
		     (uint16_t)(40001 + i));
	tg_listener(&t[1], T0 + SEC, 0x900, 2, 2, 0);
	timeout(&t[0], T0 + 1200 * MSEC, T0 + 3200 * MSEC, 0x1ff, 41000);
	tg_listener(&t[1], T0 + 1500 * MSEC, 0x900, 2, 2, 5);
	timeout(&t[0], T0 + 1700 * MSEC, T0 + 1900 * MSEC, 0x1fe, 41001);
	tg_listener(&t[1], T0 + 3 * SEC, 0x900, 2, 2, 5);
	tg_end(&t[0], T0 + 4 * SEC, 0, 0);
	tg_end(&t[1], T0 + 4 * SEC, 0, 0);
}

/* The id sockana gives the client's socket of this cookie's connect. */
static char *row_of(const char *text)
{
	const char *p = strstr(text, "{\"row\":\"connect_overflow\"");
	const char *e = p ? strchr(p, '}') : NULL;
	char *r;

	ck_assert_msg(p != NULL && e != NULL, "no connect_overflow in %s", text);
	ck_assert_msg(strstr(e, "\"connect_overflow\"") == NULL,
		      "two connect_overflow rows in %s", text);
	r = strndup(p, (size_t)(e - p + 1));
	ck_assert_ptr_nonnull(r);
	return r;
}

START_TEST(test_joined_across_hosts)
{
	struct tg t[2];
	char *text, *row;

	build(t, 0, true, SKEW);
	text = tg_run_joined(t, 2, SA_REPORT_DIAG, SA_FORMAT_JSON);
	row = row_of(text);
	ck_assert_msg(strstr(row, "\"listener_host\":\"server\","
			     "\"listener_local\":\"10.0.0.2:8080\","
			     "\"listener_drops\":5,\"client_host\":\"client\","
			     "\"connects\":2,\"timed_out\":2,") != NULL, "%s", row);
	/* One in the window, named; the other neither claimed nor doubted. */
	ck_assert_msg(strstr(row, "\"in_overflow\":1,") != NULL, "%s", row);
	ck_assert_msg(strstr(row, "\"drops_in_windows\":5,\"uncertain\":0,"
			     "\"uncertain_socket_ids\":\"\",") != NULL, "%s",
		      row);
	free(row);
	free(text);

	build(t, 0, true, SKEW);
	text = tg_run_joined(t, 2, SA_REPORT_DIAG, SA_FORMAT_TEXT);
	ck_assert_msg(strstr(text, " host client -> listener #1 10.0.0.2:8080 "
			     "host server: 1 of 2 connects (2 timed out) waited "
			     "in SYN_SENT while its accept queue overflowed (5 of "
			     "its 5 drops in those windows)") != NULL, "%s",
		      text);
	ck_assert_msg(strstr(text, "cannot") == NULL &&
		      strstr(text, "too wide") == NULL, "%s", text);
	free(text);
}
END_TEST

START_TEST(test_uncertain_clock)
{
	struct tg t[2];
	char *text, *row;

	/* 0.4 s each way on both hosts: the offset is known to 0.8 s. */
	build(t, 400 * MSEC, true, SKEW);
	text = tg_run_joined(t, 2, SA_REPORT_DIAG, SA_FORMAT_JSON);
	row = row_of(text);
	ck_assert_msg(strstr(row, "\"in_overflow\":0,\"in_overflow_socket_ids\""
			     ":\"\",\"drops_in_windows\":0,\"uncertain\":2,")
		      != NULL, "%s", row);
	ck_assert_msg(strstr(row, "\"clock_uncertainty_ns\":8000") != NULL,
		      "%s", row);
	free(row);
	free(text);

	build(t, 400 * MSEC, true, SKEW);
	text = tg_run_joined(t, 2, SA_REPORT_DIAG, SA_FORMAT_TEXT);
	ck_assert_msg(strstr(text, "2 connects may have met its overflows: the "
			     "two hosts' clocks are known to +- 0.8") != NULL,
		      "%s", text);
	ck_assert_msg(strstr(text, "while its accept queue overflowed") == NULL,
		      "%s", text);
	free(text);

	/*
	 * Nothing joins the hosts: not aligned, so not told (a skew small
	 * enough that the listener is open before the connects on the
	 * unaligned merge, or the connects are not linked to it at all).
	 */
	build(t, 0, false, 300 * MSEC);
	text = tg_run_joined(t, 2, SA_REPORT_DIAG, SA_FORMAT_JSON);
	row = row_of(text);
	ck_assert_msg(strstr(row, "\"in_overflow\":0,") != NULL &&
		      strstr(row, "\"uncertain\":2,") != NULL &&
		      strstr(row, "\"clock_uncertainty_ns\":null") != NULL,
		      "%s", row);
	free(row);
	free(text);
}
END_TEST

#define NS_C	4026532101u
#define NS_S	4026532102u

/*
 * One host: a client in NS_C whose first SYN is dropped by the listener
 * 0.0.0.0:8080 of NS_S (drops 0 -> 3 between samples at T0 + 0.1 s and
 * T0 + 0.5 s); its resent SYN at T0 + 1.2 s makes a child, its peer.
 */
static void build_netns(struct tg *t)
{
	begin(t, "one", 0, 0);
	t->netns = NS_S;
	st(t, T0, 0x900, SKR_TCP_CLOSE, SKR_TCP_LISTEN, "0.0.0.0", 8080,
	   "0.0.0.0", 0);
	tg_listener(t, T0 + 100 * MSEC, 0x900, 0, 1, 0);
	t->netns = NS_C;
	st(t, T0 + 200 * MSEC, 0x10, SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, CA, 0,
	   SA, 8080);
	t->netns = NS_S;
	tg_listener(t, T0 + 500 * MSEC, 0x900, 1, 1, 3);
	t->netns = NS_C;
	syn_retrans(t, T0 + 1200 * MSEC, 0x10, 41000);
	st(t, T0 + 1200 * MSEC + 2 * HOP, 0x10, SKR_TCP_SYN_SENT,
	   SKR_TCP_ESTABLISHED, CA, 41000, SA, 8080);
	t->netns = NS_S;
	st(t, T0 + 1200 * MSEC + 3 * HOP, 0x20, SKR_TCP_LISTEN,
	   SKR_TCP_SYN_RECV, SA, 8080, CA, 41000);
	st(t, T0 + 1200 * MSEC + 4 * HOP, 0x20, SKR_TCP_SYN_RECV,
	   SKR_TCP_ESTABLISHED, SA, 8080, CA, 41000);
	tg_listener(t, T0 + 1500 * MSEC, 0x900, 1, 1, 3);
	tg_end(t, T0 + 2 * SEC, 0, 0);
}

START_TEST(test_paired_child)
{
	struct sa_run_opts opts;
	struct tg t;
	char msg[256], *text, *row;
	int err;

	build_netns(&t);
	memset(&opts, 0, sizeof(opts));
	opts.report = SA_REPORT_DIAG;
	opts.format = SA_FORMAT_JSON;
	text = tg_run(&t, 1, &opts, &err, msg, sizeof(msg));
	ck_assert_msg(err == 0, "sa_run: %d %s", err, msg);
	row = row_of(text);
	ck_assert_msg(strstr(row, "\"listener_local\":\"0.0.0.0:8080\","
			     "\"listener_drops\":3,") != NULL, "%s", row);
	ck_assert_msg(strstr(row, "\"connects\":1,\"timed_out\":0,"
			     "\"refused\":0,\"slow\":1,\"failed_other\":0,"
			     "\"in_overflow\":1,") != NULL, "%s", row);
	free(row);
	free(text);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("diag_join");
	TCase *tc = tcase_create("diag_join");

	tcase_add_test(tc, test_joined_across_hosts);
	tcase_add_test(tc, test_uncertain_clock);
	tcase_add_test(tc, test_paired_child);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(suite());
}
