/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of joining two hosts' traces (analyze/clock.c, pairs.c) on
 * synthetic traces whose server host's wall clock is SKEW ahead:
 *   - the offset is recovered within the bounds printed, and they
 *     contain the truth; the ends are paired across hosts;
 *   - addresses rewritten by NAT join only with --map-addr, and without
 *     it the report says nothing could be joined instead of guessing;
 *   - --clock-offset replaces the estimate, and names a host that exists;
 *   - a join that contradicts the others is left out, counted;
 *   - three hosts a -> b -> c, a never talking to c: c is aligned with a
 *     through b, its bounds the sums of the two links' and containing the
 *     truth; a host joined with nobody is named as not aligned.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/clock.h"
#include "analyze/pairs.h"
#include "analyze/sockana.h"
#include "tracegen.h"

#define WALL_BASE	1795341600ull	/* 2026-11-22T10:00:00Z */
#define SEC		1000000000ull
#define USEC		1000ull
#define T0		(2 * SEC)
#define SKEW		(5 * SEC + 300 * 1000 * USEC)	/* 5.3 s */
#define HOP		(50 * USEC)	/* one way, either direction */
#define P		SKR_CTX_PROCESS
#define I		SKR_CTX_SOFTIRQ

static void begin(struct tg *t, const char *name, uint64_t skew)
{
	struct tg_host h = { .hostname = name, .boot_id = name };

	tg_begin(t);
	tg_header(t, 0, name[0], 0, WALL_BASE * SEC);
	tg_host(t, &h);
	tg_probe(t, "inet_sock_set_state", SKR_REC_STATE, SKR_TIER_TP_BTF,
		 NULL);
	/* The same event clock; this host's wall clock is skew ahead. */
	tg_clock(t, 1 * SEC, WALL_BASE * SEC + skew, 0);
}

static void st(struct tg *t, uint64_t ts, uint64_t cookie, uint8_t o,
	       uint8_t n, const char *src, uint16_t sport, const char *dst,
	       uint16_t dport)
{
	tg_st(t, ts, cookie, n == SKR_TCP_SYN_SENT ? P : I, 0,
	      n == SKR_TCP_SYN_SENT ? "cli" : "swapper/0", o, n, src, sport,
	      dst, dport);
}

/*
 * One connection at true time b, each end in its own trace with the
 * addresses it sees: c (client trace) from ca:cp to sa:sp, s (server
 * trace) from sa2:sp2 to ca2:cp.  Segments take HOP; the client closes
 * first when client_first, else the server.
 */
struct ends {
	const char *ca, *sa;		/* as the client sees them */
	uint16_t cp, sp;
	const char *ca2, *sa2;		/* as the server sees them */
	uint16_t sp2;
};

static void conn(struct tg *c, struct tg *s, uint64_t b, uint64_t cc,
		 uint64_t sc, const struct ends *e, bool client_first,
		 uint64_t sd)
{
	const uint64_t f = b + 1000 * USEC;	/* the first FIN */
	const uint64_t g = f + 1000 * USEC;	/* the second */
	struct tg *x = client_first ? c : s, *y = client_first ? s : c;
	uint64_t dx = client_first ? 0 : sd, dy = client_first ? sd : 0;
	uint64_t xc = client_first ? cc : sc, yc = client_first ? sc : cc;
	const char *xa = client_first ? e->ca : e->sa2;
	const char *xr = client_first ? e->sa : e->ca2;
	const char *ya = client_first ? e->sa2 : e->ca;
	const char *yr = client_first ? e->ca2 : e->sa;
	uint16_t xp = client_first ? e->cp : e->sp2;
	uint16_t xq = client_first ? e->sp : e->cp;
	uint16_t yp = client_first ? e->sp2 : e->cp;
	uint16_t yq = client_first ? e->cp : e->sp;

	st(c, b, cc, SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, e->ca, 0, e->sa, e->sp);
	st(c, b + 2 * HOP, cc, SKR_TCP_SYN_SENT, SKR_TCP_ESTABLISHED, e->ca,
	   e->cp, e->sa, e->sp);
	st(s, b + 3 * HOP + sd, sc, SKR_TCP_LISTEN, SKR_TCP_SYN_RECV, e->sa2,
	   e->sp2, e->ca2, e->cp);
	st(s, b + 3 * HOP + USEC + sd, sc, SKR_TCP_SYN_RECV,
	   SKR_TCP_ESTABLISHED, e->sa2, e->sp2, e->ca2, e->cp);
	st(x, f + dx, xc, SKR_TCP_ESTABLISHED, SKR_TCP_FIN_WAIT1, xa, xp, xr,
	   xq);
	st(y, f + HOP + dy, yc, SKR_TCP_ESTABLISHED, SKR_TCP_CLOSE_WAIT, ya,
	   yp, yr, yq);
	st(x, f + 2 * HOP + dx, xc, SKR_TCP_FIN_WAIT1, SKR_TCP_FIN_WAIT2, xa,
	   xp, xr, xq);
	st(y, g + dy, yc, SKR_TCP_CLOSE_WAIT, SKR_TCP_LAST_ACK, ya, yp, yr,
	   yq);
	st(x, g + HOP + dx, xc, SKR_TCP_FIN_WAIT2, SKR_TCP_CLOSE, xa, xp, xr,
	   xq);
	st(y, g + 2 * HOP + dy, yc, SKR_TCP_LAST_ACK, SKR_TCP_CLOSE, ya, yp,
	   yr, yq);
}

static const struct ends direct = {
	.ca = "10.0.0.1", .sa = "10.0.0.2", .cp = 0, .sp = 80,
	.ca2 = "10.0.0.1", .sa2 = "10.0.0.2", .sp2 = 80,
};

/* Client behind SNAT (port kept), server behind DNAT 8080 -> 80. */
static const struct ends natted = {
	.ca = "192.168.1.5", .sa = "203.0.113.5", .cp = 0, .sp = 8080,
	.ca2 = "198.51.100.7", .sa2 = "10.0.0.2", .sp2 = 80,
};

/* Five connections, both ways of closing, and a refused connect. */
static void build(struct tg t[2], const struct ends *e0, bool wrong)
{
	struct ends e = *e0;
	unsigned i;

	begin(&t[0], "client", 0);
	begin(&t[1], "server", SKEW);
	st(&t[1], T0, 0x900, SKR_TCP_CLOSE, SKR_TCP_LISTEN, e.sa2, e.sp2,
	   "0.0.0.0", 0);
	for (i = 0; i < 5; i++) {
		e.cp = (uint16_t)(40001 + i);
		conn(&t[0], &t[1], T0 + (10 + i * 5) * 1000 * USEC,
		     0x100 + i, 0x200 + i, &e, i % 2 == 0, 0);
	}
	st(&t[0], T0 + 50 * 1000 * USEC, 0x1ff, SKR_TCP_CLOSE,
	   SKR_TCP_SYN_SENT, e.ca, 0, e.sa, 9);
	st(&t[0], T0 + 50 * 1000 * USEC + 2 * HOP, 0x1ff, SKR_TCP_SYN_SENT,
	   SKR_TCP_CLOSE, e.ca, 41000, e.sa, 9);
	if (wrong) {
		/*
		 * A connection whose server end is stamped a second late (as
		 * a join of the wrong lives would look): its bounds exclude
		 * the others'.
		 */
		e.cp = 42000;
		conn(&t[0], &t[1], T0 + 80 * 1000 * USEC, 0x1f0, 0x2f0, &e,
		     true, SEC / 10);
	}
	tg_end(&t[0], T0 + SEC, 0, 0);
	tg_end(&t[1], T0 + SEC, 0, 0);
}

static char *run(struct tg t[2], enum sa_report rep,
		 const struct sa_addr_map *map, size_t nmap, const char *set,
		 int *errp)
{
	struct sa_run_opts opts;
	char msg[256];
	char *text;
	int err;

	memset(&opts, 0, sizeof(opts));
	opts.report = rep;
	opts.format = SA_FORMAT_JSON;
	opts.reopen = tg_reopen;
	opts.reopen_ctx = t;
	if (nmap > 0)
		memcpy(opts.map, map, nmap * sizeof(*map));
	opts.nmap = nmap;
	if (set) {
		ck_assert_int_eq(sa_clock_parse_offset(set,
				 &opts.clock_set[0].host,
				 &opts.clock_set[0].hostlen,
				 &opts.clock_set[0].ns, msg, sizeof(msg)), 0);
		opts.nclock_set = 1;
	}
	text = tg_run(t, 2, &opts, &err, msg, sizeof(msg));
	if (errp)
		*errp = err;
	else
		ck_assert_msg(err == 0, "sa_run: %d %s", err, msg);
	if (err && errp && text)
		fprintf(stderr, "%s\n", msg);
	return text;
}

/* A signed number after key in text; fails the test when missing. */
static int64_t num(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	ck_assert_msg(p != NULL, "no %s in %s", key, text);
	return strtoll(p + strlen(key), NULL, 10);
}

static void estimated(const char *text, int64_t half_max)
{
	const char *row = strstr(text, "{\"row\":\"clock\"");
	int64_t off, half, lo, hi, truth = -(int64_t)SKEW;

	ck_assert_msg(row != NULL, "%s", text);
	ck_assert_msg(strstr(row, "\"host\":\"server\",\"relative_to\":"
			     "\"client\",\"source\":\"estimated\",") != NULL,
		      "%s", row);
	off = num(row, "\"offset_ns\":");
	half = num(row, "\"uncertainty_ns\":");
	lo = num(row, "\"lo_ns\":");
	hi = num(row, "\"hi_ns\":");
	/* The truth within the bounds, the estimate their midpoint. */
	ck_assert_msg(lo <= truth && truth <= hi, "%" PRId64 " not in [%"
		      PRId64 ", %" PRId64 "]", truth, lo, hi);
	ck_assert_int_eq(off, lo + half);
	ck_assert_int_le(half, half_max);
	ck_assert_int_le(off - half, truth);
	ck_assert_int_ge(off + half, truth);
}

START_TEST(test_skew_recovered)
{
	struct tg t[2];
	char *text;

	build(t, &direct, false);
	text = run(t, SA_REPORT_INFO, NULL, 0, NULL, NULL);
	/* A hop each way: the bounds are two hops wide. */
	estimated(text, (int64_t)HOP);
	ck_assert_msg(strstr(text, "\"joined\":5,\"used\":5,\"unjoined\":0")
		      != NULL, "%s", text);
	ck_assert_msg(strstr(text, "\"pairs\":5,\"pairs_cross_netns\":0,"
			     "\"pairs_cross_host\":5,") != NULL, "%s", text);
	free(text);

	/* Every report says it; the ends carry each other's id. */
	build(t, &direct, false);
	text = run(t, SA_REPORT_CONNECTIONS, NULL, 0, NULL, NULL);
	ck_assert_msg(strstr(text, "\"kind\":\"clock_offset\"") != NULL, "%s",
		      text);
	ck_assert_msg(strstr(text, "clock of host server moved by -5.300000 s "
			     "+- 0.0000") != NULL, "%s", text);
	/* Each bound printed from its own buffer, not the uncertainty's. */
	ck_assert_msg(strstr(text, "(bounds -5.300050 to -5.299950 s)") !=
		      NULL, "%s", text);
	ck_assert_uint_eq(tg_count(text, "\"peer\":null"), 2);
	free(text);

	/* The server's listener counts the client host's connects. */
	build(t, &direct, false);
	text = run(t, SA_REPORT_BACKLOG, NULL, 0, NULL, NULL);
	ck_assert_msg(strstr(text, "\"client_connects\":5,") != NULL, "%s",
		      text);
	free(text);
}
END_TEST

START_TEST(test_nat_needs_map)
{
	struct sa_addr_map map[2];
	struct tg t[2];
	char msg[160], *text;

	build(t, &natted, false);
	text = run(t, SA_REPORT_INFO, NULL, 0, NULL, NULL);
	ck_assert_msg(strstr(text, "\"source\":\"none\",\"offset_ns\":null,")
		      != NULL, "%s", text);
	ck_assert_msg(strstr(text, "no connection was seen by both traces")
		      != NULL, "%s", text);
	ck_assert_msg(strstr(text, "\"pairs\":0,") != NULL, "%s", text);
	free(text);

	ck_assert_int_eq(sa_pairs_parse_map("203.0.113.5:8080=10.0.0.2:80",
					    &map[0], msg, sizeof(msg)), 0);
	ck_assert_int_eq(sa_pairs_parse_map("198.51.100.7=192.168.1.5",
					    &map[1], msg, sizeof(msg)), 0);
	build(t, &natted, false);
	text = run(t, SA_REPORT_INFO, map, 2, NULL, NULL);
	estimated(text, (int64_t)HOP);
	ck_assert_msg(strstr(text, "\"pairs\":5,") != NULL, "%s", text);
	free(text);

	/* Half a map is not enough. */
	build(t, &natted, false);
	text = run(t, SA_REPORT_INFO, map, 1, NULL, NULL);
	ck_assert_msg(strstr(text, "\"source\":\"none\"") != NULL, "%s", text);
	free(text);
}
END_TEST

START_TEST(test_offset_given)
{
	struct tg t[2];
	char *text;
	int err;

	build(t, &direct, false);
	text = run(t, SA_REPORT_INFO, NULL, 0, "server=-5.25", NULL);
	ck_assert_msg(strstr(text, "\"source\":\"user\",\"offset_ns\":"
			     "-5250000000,") != NULL, "%s", text);
	free(text);

	build(t, &direct, false);
	text = run(t, SA_REPORT_INFO, NULL, 0, "nosuch=1", &err);
	ck_assert_int_eq(err, -EINVAL);
	free(text);
}
END_TEST

START_TEST(test_inconsistent_left_out)
{
	struct tg t[2];
	char *text;

	build(t, &direct, true);
	text = run(t, SA_REPORT_INFO, NULL, 0, NULL, NULL);
	estimated(text, (int64_t)HOP);
	ck_assert_msg(strstr(text, "\"joined\":6,\"used\":5,") != NULL, "%s",
		      text);
	free(text);
}
END_TEST

START_TEST(test_offset_syntax)
{
	const char *host;
	size_t len;
	int64_t ns;
	char msg[128];

	ck_assert_int_eq(sa_clock_parse_offset("db#2=-0.5", &host, &len, &ns,
					       msg, sizeof(msg)), 0);
	ck_assert_uint_eq(len, 4);
	ck_assert_int_eq(ns, -500000000);
	ck_assert_int_eq(sa_clock_parse_offset("a=b=2", &host, &len, &ns, msg,
					       sizeof(msg)), 0);
	ck_assert_uint_eq(len, 3);
	ck_assert_int_eq(sa_clock_parse_offset("=1", &host, &len, &ns, msg,
					       sizeof(msg)), -EINVAL);
	ck_assert_int_eq(sa_clock_parse_offset("h=", &host, &len, &ns, msg,
					       sizeof(msg)), -EINVAL);
	ck_assert_int_eq(sa_clock_parse_offset("h=1x", &host, &len, &ns, msg,
					       sizeof(msg)), -EINVAL);
	ck_assert_int_eq(sa_clock_parse_offset("h=99999", &host, &len, &ns,
					       msg, sizeof(msg)), -EINVAL);
	ck_assert_int_eq(sa_clock_parse_offset("h=nan", &host, &len, &ns, msg,
					       sizeof(msg)), -EINVAL);
}
END_TEST

/* Host b's wall clock is SKEW ahead, c's SKEW_C behind. */
#define SKEW_C		(2 * SEC + 100 * 1000 * USEC)	/* 2.1 s */

static const struct ends a_to_b = {
	.ca = "10.0.0.1", .sa = "10.0.0.2", .cp = 0, .sp = 80,
	.ca2 = "10.0.0.1", .sa2 = "10.0.0.2", .sp2 = 80,
};

static const struct ends b_to_c = {
	.ca = "10.0.0.2", .sa = "10.0.0.3", .cp = 0, .sp = 5432,
	.ca2 = "10.0.0.2", .sa2 = "10.0.0.3", .sp2 = 5432,
};

/* a connects to b, b to c (c_joined) or to an address nobody traced. */
static void build3(struct tg t[3], bool c_joined)
{
	struct ends e1 = a_to_b, e2 = b_to_c;
	unsigned i;

	begin(&t[0], "a", 0);
	begin(&t[1], "b", SKEW);
	begin(&t[2], "c", (uint64_t)0 - SKEW_C);
	st(&t[1], T0, 0x900, SKR_TCP_CLOSE, SKR_TCP_LISTEN, e1.sa2, e1.sp2,
	   "0.0.0.0", 0);
	st(&t[2], T0, 0x900, SKR_TCP_CLOSE, SKR_TCP_LISTEN, e2.sa2, e2.sp2,
	   "0.0.0.0", 0);
	if (!c_joined)
		e2.sa = "10.0.0.9";
	for (i = 0; i < 3; i++) {
		e1.cp = (uint16_t)(40001 + i);
		e2.cp = (uint16_t)(50001 + i);
		conn(&t[0], &t[1], T0 + (10 + i * 5) * 1000 * USEC,
		     0x100 + i, 0x200 + i, &e1, i % 2 == 0, 0);
		conn(&t[1], &t[2], T0 + (12 + i * 5) * 1000 * USEC,
		     0x300 + i, 0x400 + i, &e2, i % 2 == 1, 0);
	}
	tg_end(&t[0], T0 + SEC, 0, 0);
	tg_end(&t[1], T0 + SEC, 0, 0);
	tg_end(&t[2], T0 + SEC, 0, 0);
}

/* The clock row of host name; its bounds, estimate and uncertainty. */
static void row3(const char *text, const char *name, int64_t truth,
		 int64_t *half)
{
	char want[64];
	const char *row;
	int64_t off, lo, hi;

	snprintf(want, sizeof(want), "{\"row\":\"clock\",\"host\":\"%s\"",
		 name);
	row = strstr(text, want);
	ck_assert_msg(row != NULL, "%s", text);
	ck_assert_msg(strstr(row, "\"source\":\"estimated\"") ==
		      strstr(row, "\"source\":"), "%s", row);
	off = num(row, "\"offset_ns\":");
	*half = num(row, "\"uncertainty_ns\":");
	lo = num(row, "\"lo_ns\":");
	hi = num(row, "\"hi_ns\":");
	ck_assert_msg(lo <= truth && truth <= hi, "%s: %" PRId64 " not in [%"
		      PRId64 ", %" PRId64 "]", name, truth, lo, hi);
	ck_assert_int_eq(off, lo + *half);
	ck_assert_int_gt(*half, 0);
}

START_TEST(test_three_hosts_chain)
{
	int64_t hb, hc;
	struct tg t[3];
	char *text;

	build3(t, true);
	text = tg_run_joined(t, 3, SA_REPORT_INFO, SA_FORMAT_JSON);
	row3(text, "b", -(int64_t)SKEW, &hb);
	row3(text, "c", (int64_t)SKEW_C, &hc);
	ck_assert_int_le(hb, (int64_t)HOP);
	/* Two links, each as wide as b's: the uncertainty adds up. */
	ck_assert_int_eq(hc, 2 * hb);
	ck_assert_msg(strstr(text, "\"via\":\"b\"}") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "clock of host c moved by +2.100000 s") !=
		      NULL, "%s", text);
	ck_assert_msg(strstr(text, "through host b") != NULL, "%s", text);
	/* And the b-c connections pair across hosts on the aligned times. */
	ck_assert_msg(strstr(text, "\"pairs\":6,") != NULL, "%s", text);
	free(text);

	/* c joined with nobody: said, by name, not guessed. */
	build3(t, false);
	text = tg_run_joined(t, 3, SA_REPORT_INFO, SA_FORMAT_JSON);
	row3(text, "b", -(int64_t)SKEW, &hb);
	ck_assert_msg(strstr(text, "{\"row\":\"clock\",\"host\":\"c\","
			     "\"relative_to\":\"a\",\"source\":\"none\"") !=
		      NULL, "%s", text);
	ck_assert_msg(strstr(text, "clock of host c not aligned with host a's: "
			     "no chain of connections") != NULL, "%s", text);
	free(text);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("clock");
	TCase *tc = tcase_create("clock");

	tcase_add_test(tc, test_skew_recovered);
	tcase_add_test(tc, test_nat_needs_map);
	tcase_add_test(tc, test_offset_given);
	tcase_add_test(tc, test_inconsistent_left_out);
	tcase_add_test(tc, test_offset_syntax);
	tcase_add_test(tc, test_three_hosts_chain);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(suite());
}
