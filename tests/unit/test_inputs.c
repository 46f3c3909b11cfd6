/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Several inputs (analyze/inputs.c): hosts decided from every input before
 * the first row, hosts of the same name (redacted traces) kept apart, the
 * diagnosis naming hosts, and the same capture given twice counted once.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/sockana.h"
#include "tracegen.h"

#define WALL_BASE	1795341600ull	/* 2026-11-22T10:00:00Z */
#define SEC		1000000000ull
#define USEC		1000ull
#define T0		(2 * SEC)
#define P		SKR_CTX_PROCESS
#define I		SKR_CTX_SOFTIRQ
#define LO		"127.0.0.1"
#define ECONNREFUSED_	111

/* A file of a capture: fill of its capture id, and its index. */
static void begin(struct tg *t, const char *host, const char *boot,
		  uint8_t capture, uint32_t index)
{
	static const char *const args[] = { "sockrec", NULL };
	const struct tg_host h = { .hostname = host, .boot_id = boot };

	tg_begin(t);
	tg_header(t, index, capture, 0, WALL_BASE * SEC);
	tg_host(t, &h);
	tg_recorder(t, NULL, args, "unit test");
	tg_probe(t, "inet_sock_set_state", SKR_REC_STATE, SKR_TIER_TP_BTF,
		 NULL);
	tg_probe(t, "inet_sk_error_report", SKR_REC_SOCK_ERROR,
		 SKR_TIER_TP_BTF, NULL);
	tg_probe(t, "tcp_receive_reset", SKR_REC_RESET, SKR_TIER_TP_BTF,
		 NULL);
	tg_clock(t, 1 * SEC, WALL_BASE * SEC, 0);
}

/* A connect to 127.0.0.1:dport that succeeds, then closes. */
static void conn_ok(struct tg *t, uint64_t ts, uint64_t cookie,
		    uint16_t sport, uint16_t dport)
{
	tg_st(t, ts, cookie, P, 10, "cli", SKR_TCP_CLOSE, SKR_TCP_SYN_SENT,
	      LO, 0, LO, dport);
	tg_st(t, ts + 50 * USEC, cookie, I, 0, "x", SKR_TCP_SYN_SENT,
	      SKR_TCP_ESTABLISHED, LO, sport, LO, dport);
	tg_st(t, ts + 80 * USEC, cookie, P, 10, "cli", SKR_TCP_ESTABLISHED,
	      SKR_TCP_FIN_WAIT1, LO, sport, LO, dport);
	tg_st(t, ts + 90 * USEC, cookie, I, 0, "x", SKR_TCP_FIN_WAIT1,
	      SKR_TCP_CLOSE, LO, sport, LO, dport);
}

/* A connect to 127.0.0.1:dport refused. */
static void conn_refused(struct tg *t, uint64_t ts, uint64_t cookie,
			 uint16_t sport, uint16_t dport)
{
	tg_st(t, ts, cookie, P, 10, "cli", SKR_TCP_CLOSE, SKR_TCP_SYN_SENT,
	      LO, 0, LO, dport);
	tg_st(t, ts + 20 * USEC, cookie, I, 0, "x", SKR_TCP_SYN_SENT,
	      SKR_TCP_CLOSE, LO, sport, LO, dport);
	tg_error(t, ts + 21 * USEC, cookie, ECONNREFUSED_, SKR_TCP_CLOSE,
		 dport);
}

/*
 * alpha's first socket ends (its grace over, at alpha's later event)
 * before beta's first event: it used to be grouped as if alpha were the
 * only host ("127.0.0.1"), its later socket as "alpha/127.0.0.1".
 */
static void two_hosts(struct tg t[2])
{
	begin(&t[0], "alpha", "boot-a", 0x11, 0);
	conn_ok(&t[0], T0, 0x10, 40000, 8080);
	conn_ok(&t[0], T0 + 3 * SEC, 0x11, 40001, 8080);
	tg_end(&t[0], T0 + 4 * SEC, 0, 0);
	begin(&t[1], "beta", "boot-b", 0x22, 0);
	conn_ok(&t[1], T0 + 5 * SEC, 0x20, 40002, 8080);
	tg_end(&t[1], T0 + 6 * SEC, 0, 0);
}

START_TEST(test_hosts_before_rows_latency)
{
	struct tg t[2];
	char *text;

	two_hosts(t);
	text = tg_run_report(t, 2, SA_REPORT_LATENCY, SA_FORMAT_TEXT, SA_BY_REMOTE);
	ck_assert_msg(strstr(text, "== remote 127.0.0.1:8080\n") == NULL,
		      "a group without its host:\n%s", text);
	ck_assert_msg(tg_count(text, "== remote alpha/127.0.0.1:8080\n") == 1,
		      "%s", text);
	ck_assert_uint_eq(tg_count(text, "== remote beta/127.0.0.1:8080\n"), 1);
	free(text);
}
END_TEST

START_TEST(test_hosts_before_rows_timeline)
{
	struct tg t[2];
	char *text;

	two_hosts(t);
	text = tg_run_report(t, 2, SA_REPORT_TIMELINE, SA_FORMAT_TEXT, SA_BY_NONE);
	/* Every socket's block names its host, the first one too. */
	ck_assert_msg(tg_count(text, " host alpha\n") == 2 &&
		      tg_count(text, " host beta\n") == 1, "%s", text);
	free(text);
}
END_TEST

/* Two redacted traces of different machines: two hosts, two groups. */
START_TEST(test_redacted_hosts_apart)
{
	struct tg t[2];
	char *text;

	begin(&t[0], "redacted", "redacted-00000000000000aa", 0x11, 0);
	conn_ok(&t[0], T0, 0x10, 40000, 8080);
	tg_end(&t[0], T0 + SEC, 0, 0);
	begin(&t[1], "redacted", "redacted-00000000000000bb", 0x22, 0);
	conn_ok(&t[1], T0 + 100 * USEC, 0x10, 40000, 8080);
	tg_end(&t[1], T0 + SEC, 0, 0);
	text = tg_run_report(t, 2, SA_REPORT_LATENCY, SA_FORMAT_TEXT, SA_BY_REMOTE);
	ck_assert_msg(strstr(text, "== remote redacted/") == NULL,
		      "two hosts merged:\n%s", text);
	ck_assert_uint_eq(tg_count(text, "== remote redacted#1/127.0.0.1:8080\n"),
			  1);
	ck_assert_uint_eq(tg_count(text, "== remote redacted#2/127.0.0.1:8080\n"),
			  1);
	free(text);
}
END_TEST

/* The same refused connect on two hosts: two findings, each named. */
static void refused_two_hosts(struct tg t[2])
{
	begin(&t[0], "alpha", "boot-a", 0x11, 0);
	conn_refused(&t[0], T0, 0x10, 40000, 9);
	tg_end(&t[0], T0 + SEC, 0, 0);
	begin(&t[1], "beta", "boot-b", 0x22, 0);
	conn_refused(&t[1], T0 + 100 * USEC, 0x10, 40000, 9);
	tg_end(&t[1], T0 + SEC, 0, 0);
}

START_TEST(test_diag_names_hosts)
{
	struct tg t[2];
	char *text;

	refused_two_hosts(t);
	text = tg_run_report(t, 2, SA_REPORT_DIAG, SA_FORMAT_TEXT, SA_BY_NONE);
	ck_assert_msg(strstr(text, "  ECONNREFUSED             alpha/127.0.0.1:9"
			     "             1  #1  (after") &&
		      strstr(text, "  ECONNREFUSED             beta/127.0.0.1:9"
			     "              1  #2  (after"), "%s", text);
	free(text);
	refused_two_hosts(t);
	text = tg_run_report(t, 2, SA_REPORT_DIAG, SA_FORMAT_JSON, SA_BY_NONE);
	ck_assert_msg(strstr(text, "{\"row\":\"failed_connect\",\"host\":\"alpha\","
			     "\"reason\":\"ECONNREFUSED\",\"remote\":\"127.0.0.1:9\"") &&
		      strstr(text, "{\"row\":\"failed_connect\",\"host\":\"beta\","
			     "\"reason\":\"ECONNREFUSED\",\"remote\":\"127.0.0.1:9\""),
		      "%s", text);
	free(text);
}
END_TEST

/* One input's trace: two connects, one refused. */
static void one_capture(struct tg *t)
{
	begin(t, "alpha", "boot-a", 0x33, 0);
	conn_ok(t, T0, 0x10, 40000, 8080);
	conn_refused(t, T0 + 10 * USEC, 0x11, 40001, 9);
	tg_end(t, T0 + SEC, 0, 0);
}

START_TEST(test_same_capture_twice)
{
	struct tg t[2];
	char *text;

	one_capture(&t[0]);
	one_capture(&t[1]);
	text = tg_run_report(t, 2, SA_REPORT_DIAG, SA_FORMAT_TEXT, SA_BY_NONE);
	ck_assert_msg(strstr(text, "Sockets: 2 (") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "  connect established                           1  #1\n")
		      != NULL, "%s", text);
	ck_assert_msg(strstr(text, "WARNING: b.skr: 1 file segment already read "
			     "from a.skr (capture 3333333333333333, file index "
			     "0): the same capture given twice; its 7 events "
			     "counted once\n") != NULL, "%s", text);
	free(text);
	one_capture(&t[0]);
	one_capture(&t[1]);
	text = tg_run_report(t, 2, SA_REPORT_LATENCY, SA_FORMAT_JSON, SA_BY_NONE);
	ck_assert_msg(strstr(text, "\"phase\":\"connect_established\",\"observable\":true,"
			     "\"count\":1,") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "{\"row\":\"warning\",\"kind\":\"duplicate\","
			     "\"input\":\"b.skr\",\"count\":1,") != NULL,
		      "%s", text);
	free(text);
}
END_TEST

/*
 * A rotated capture given as its concatenation and its second file: the
 * second file's segment is read once, and the socket that crosses the
 * rotation keeps one life.
 */
START_TEST(test_rotated_file_and_concatenation)
{
	struct tg t[2];
	char *text;

	begin(&t[0], "alpha", "boot-a", 0x44, 0);
	conn_ok(&t[0], T0, 0x10, 40000, 8080);
	tg_st(&t[0], T0 + SEC, 0x12, P, 10, "cli", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 8080);
	tg_end(&t[0], T0 + 2 * SEC, 0, 0);
	tg_next_segment(&t[0]);
	tg_header(&t[0], 1, 0x44, 0, WALL_BASE * SEC + 2 * SEC);
	{
		const struct tg_host h = { .hostname = "alpha",
					   .boot_id = "boot-a" };

		tg_host(&t[0], &h);
	}
	tg_clock(&t[0], 1 * SEC, WALL_BASE * SEC, 0);
	tg_st(&t[0], T0 + 3 * SEC, 0x12, I, 0, "x", SKR_TCP_SYN_SENT,
	      SKR_TCP_ESTABLISHED, LO, 40002, LO, 8080);
	tg_loss(&t[0], T0 + 3 * SEC, 5);
	tg_end(&t[0], T0 + 4 * SEC, 0, 0);

	tg_begin(&t[1]);
	tg_header(&t[1], 1, 0x44, 0, WALL_BASE * SEC + 2 * SEC);
	{
		const struct tg_host h = { .hostname = "alpha",
					   .boot_id = "boot-a" };

		tg_host(&t[1], &h);
	}
	tg_clock(&t[1], 1 * SEC, WALL_BASE * SEC, 0);
	tg_st(&t[1], T0 + 3 * SEC, 0x12, I, 0, "x", SKR_TCP_SYN_SENT,
	      SKR_TCP_ESTABLISHED, LO, 40002, LO, 8080);
	tg_loss(&t[1], T0 + 3 * SEC, 5);
	tg_end(&t[1], T0 + 4 * SEC, 0, 0);

	text = tg_run_report(t, 2, SA_REPORT_DIAG, SA_FORMAT_TEXT, SA_BY_NONE);
	ck_assert_msg(strstr(text, "Sockets: 2 (") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "  connect established                           2  #1 #2\n")
		      != NULL, "%s", text);
	/*
	 * The loss of the shared segment is counted once too.  b.skr starts
	 * with the segment, so it reads it first: a.skr's copy is skipped.
	 */
	ck_assert_msg(tg_count(text, " 5 events lost") == 1, "%s", text);
	ck_assert_msg(strstr(text, "WARNING: a.skr: 1 file segment already "
			     "read from b.skr (capture 4444444444444444, file "
			     "index 1)") != NULL, "%s", text);
	free(text);
}
END_TEST

/* Two rotated files of one capture are not the same file. */
START_TEST(test_rotation_not_duplicate)
{
	struct tg t[2];
	char *text;

	begin(&t[0], "alpha", "boot-a", 0x55, 0);
	conn_ok(&t[0], T0, 0x10, 40000, 8080);
	tg_end(&t[0], T0 + SEC, 0, 0);
	begin(&t[1], "alpha", "boot-a", 0x55, 1);
	conn_ok(&t[1], T0 + 2 * SEC, 0x11, 40001, 8080);
	tg_end(&t[1], T0 + 3 * SEC, 0, 0);
	text = tg_run_report(t, 2, SA_REPORT_DIAG, SA_FORMAT_TEXT, SA_BY_NONE);
	ck_assert_msg(strstr(text, "  connect established                           2  #1 #2\n")
		      != NULL, "%s", text);
	ck_assert_msg(strstr(text, "already read") == NULL, "%s", text);
	free(text);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("inputs");
	TCase *tc = tcase_create("inputs");

	tcase_add_test(tc, test_hosts_before_rows_latency);
	tcase_add_test(tc, test_hosts_before_rows_timeline);
	tcase_add_test(tc, test_redacted_hosts_apart);
	tcase_add_test(tc, test_diag_names_hosts);
	tcase_add_test(tc, test_same_capture_twice);
	tcase_add_test(tc, test_rotated_file_and_concatenation);
	tcase_add_test(tc, test_rotation_not_duplicate);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(suite());
}
