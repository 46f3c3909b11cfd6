/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of what sockana says happened to a socket, on synthetic
 * traces written through the format library:
 *   - a listener's child is "accepted" only when an accept() of it was
 *     seen; one never accepted and reset when its listener closed, one
 *     still queued at the end, and one of a trace that could not see
 *     accept() each say so, in every report that names outcomes;
 *   - a socket's counters come from its transition to CLOSE (COUNTERS
 *     records) when the trace has them; DESTROY counters the kernel had
 *     zeroed are reported as reset, never as 0.
 */
#include <check.h>
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
#define P		SKR_CTX_PROCESS
#define I		SKR_CTX_SOFTIRQ
#define LO		"127.0.0.1"

#define LSN		0x200	/* the listener on 8080 */
#define SRV_PID		10

/* A trace of format 1.minor whose accept probe attached (accept) or not. */
static void begin_minor(struct tg *t, bool accept, uint16_t minor)
{
	static const struct tg_host host = {
		.hostname = "alpha", .boot_id = "boot-a",
	};

	tg_begin(t);
	t->comm_process_only = true;
	tg_header(t, 0, 0x5a, minor, WALL_BASE * SEC);
	tg_host(t, &host);
	tg_probe(t, "inet_sock_set_state", SKR_REC_STATE, SKR_TIER_TP_BTF,
		 NULL);
	tg_probe(t, "listen", SKR_REC_LISTEN, SKR_TIER_TRACEPOINT, NULL);
	tg_probe(t, "accept", SKR_REC_ACCEPT,
		 accept ? SKR_TIER_TRACEPOINT : SKR_TIER_NONE,
		 accept ? NULL : "no tracepoint");
	tg_probe(t, "tcp_destroy_sock", SKR_REC_DESTROY, SKR_TIER_TP_BTF,
		 NULL);
	tg_clock(t, 1 * SEC, WALL_BASE * SEC, 0);
}

static void begin(struct tg *t, bool accept)
{
	begin_minor(t, accept, SKR_VERSION_MINOR);
}

/* A child of LSN from client port cport, through its handshake. */
static void child(struct tg *t, uint64_t ts, uint64_t cookie, uint16_t cport)
{
	tg_st(t, ts, cookie, I, 0, "", SKR_TCP_LISTEN, SKR_TCP_SYN_RECV, LO,
	      8080, LO, cport);
	tg_st(t, ts + 10 * USEC, cookie, I, 0, "", SKR_TCP_SYN_RECV,
	      SKR_TCP_ESTABLISHED, LO, 8080, LO, cport);
}

/*
 * A server with backlog 4: child 0x201 accepted and closed normally,
 * 0x202 and 0x203 never accepted and reset when the listener closes at
 * T0 + 500 ms (the kernel does it in the close() call, right after the
 * listener's own LISTEN -> CLOSE), and 0x204 is queued on a second
 * listener, 0x300, that never accepts and is still open at the end.
 */
static void noaccept(struct tg *t, bool accept_probe)
{
	begin(t, accept_probe);
	tg_st(t, T0, LSN, P, SRV_PID, "srv", SKR_TCP_CLOSE, SKR_TCP_LISTEN,
	      LO, 8080, "0.0.0.0", 0);
	tg_listen(t, T0 + 1 * USEC, LSN, SRV_PID, 4, 4, 8080);
	tg_st(t, T0 + 2 * USEC, 0x300, P, SRV_PID, "srv", SKR_TCP_CLOSE,
	      SKR_TCP_LISTEN, LO, 8081, "0.0.0.0", 0);
	child(t, T0 + 1 * MSEC, 0x201, 40001);
	if (accept_probe)
		tg_accept(t, T0 + 2 * MSEC, LSN, 0x201, SRV_PID, 1, 4, 0);
	tg_st(t, T0 + 3 * MSEC, 0x201, P, SRV_PID, "srv", SKR_TCP_ESTABLISHED,
	      SKR_TCP_FIN_WAIT1, LO, 8080, LO, 40001);
	tg_st(t, T0 + 4 * MSEC, 0x201, I, 0, "", SKR_TCP_FIN_WAIT1,
	      SKR_TCP_CLOSE, LO, 8080, LO, 40001);
	child(t, T0 + 10 * MSEC, 0x202, 40002);
	child(t, T0 + 11 * MSEC, 0x203, 40003);
	tg_st(t, T0 + 12 * MSEC, 0x204, I, 0, "", SKR_TCP_LISTEN,
	      SKR_TCP_SYN_RECV, LO, 8081, LO, 40004);
	tg_st(t, T0 + 12 * MSEC + 10 * USEC, 0x204, I, 0, "",
	      SKR_TCP_SYN_RECV, SKR_TCP_ESTABLISHED, LO, 8081, LO, 40004);
	tg_st(t, T0 + 500 * MSEC, LSN, P, SRV_PID, "srv", SKR_TCP_LISTEN,
	      SKR_TCP_CLOSE, LO, 8080, "0.0.0.0", 0);
	tg_st(t, T0 + 500 * MSEC + 5 * USEC, 0x202, P, SRV_PID, "srv",
	      SKR_TCP_ESTABLISHED, SKR_TCP_CLOSE, LO, 8080, LO, 40002);
	tg_st(t, T0 + 500 * MSEC + 6 * USEC, 0x203, P, SRV_PID, "srv",
	      SKR_TCP_ESTABLISHED, SKR_TCP_CLOSE, LO, 8080, LO, 40003);
	tg_end(t, T0 + 2 * SEC, 0, 0);
}

static void noaccept_seen(struct tg *t)
{
	noaccept(t, true);
}

static void noaccept_unseen(struct tg *t)
{
	noaccept(t, false);
}

#define RESET_NAME	"handshake completed, never accepted, reset when " \
			"the listener closed"

START_TEST(test_never_accepted_diag)
{
	char *text = tg_build_report(noaccept_seen, SA_REPORT_DIAG,
				     SA_FORMAT_JSON, SA_BY_NONE);

	ck_assert_msg(strstr(text, "{\"row\":\"outcome\",\"outcome\":"
			     "\"accepted connection\",\"count\":1,"
			     "\"socket_ids\":\"3\",") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "{\"row\":\"outcome\",\"outcome\":\""
			     RESET_NAME "\",\"count\":2,\"socket_ids\":\"4 5\",")
		      != NULL, "%s", text);
	ck_assert_msg(strstr(text, "{\"row\":\"outcome\",\"outcome\":"
			     "\"handshake completed, not accepted by the "
			     "end\",\"count\":1,\"socket_ids\":\"6\",") != NULL,
		      "%s", text);
	/* Clients served nothing: listed with the failures, by address. */
	ck_assert_msg(strstr(text, "\"reason\":\"reset, never accepted\","
			     "\"remote\":\"127.0.0.1\",") != NULL, "%s", text);
	free(text);

	text = tg_build_report(noaccept_seen, SA_REPORT_DIAG, SA_FORMAT_TEXT,
			       SA_BY_NONE);
	ck_assert_msg(strstr(text, "  " RESET_NAME) != NULL, "%s", text);
	free(text);
}
END_TEST

START_TEST(test_never_accepted_timeline)
{
	char *text = tg_build_report(noaccept_seen, SA_REPORT_TIMELINE,
				     SA_FORMAT_JSON, SA_BY_NONE);

	ck_assert_uint_eq(tg_count_lines(text, "{\"row\":\"socket\""), 6);
	ck_assert_uint_eq(tg_count_lines(text, "{\"row\":\"socket\",\"socket\":4,"), 1);
	ck_assert_msg(strstr(text, "\"role\":\"passive\",\"outcome\":\""
			     RESET_NAME "\"") != NULL, "%s", text);
	/* Socket 3, and it only, was accepted. */
	ck_assert_msg(strstr(text, "\"remote\":\"127.0.0.1:40001\",\"owner_pid\":"
			     "10,\"owner_comm\":\"srv\",\"role\":\"passive\","
			     "\"outcome\":\"accepted connection\"") != NULL,
		      "%s", text);
	ck_assert_ptr_null(strstr(strstr(text, "\"outcome\":\"accepted "
					     "connection\"") + 1,
				  "\"outcome\":\"accepted connection\""));
	free(text);
}
END_TEST

/* --backlog counts accepts from the same events: the two agree. */
START_TEST(test_never_accepted_backlog_agrees)
{
	char *text = tg_build_report(noaccept_seen, SA_REPORT_BACKLOG,
				     SA_FORMAT_JSON, SA_BY_NONE);

	ck_assert_msg(strstr(text, "\"local\":\"127.0.0.1:8080\"") != NULL &&
		      strstr(text, "\"accepts\":1,") != NULL, "%s", text);
	free(text);
}
END_TEST

/* Without the accept probe nothing says whether a child was accepted. */
START_TEST(test_accept_not_observable)
{
	char *text = tg_build_report(noaccept_unseen, SA_REPORT_DIAG,
				     SA_FORMAT_JSON, SA_BY_NONE);

	ck_assert_ptr_null(strstr(text, "accepted connection"));
	ck_assert_ptr_null(strstr(text, "never accepted"));
	ck_assert_msg(strstr(text, "{\"row\":\"outcome\",\"outcome\":"
			     "\"handshake completed, accept not observable\","
			     "\"count\":4,") != NULL, "%s", text);
	free(text);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Counters: at CLOSE, not the DESTROY the kernel had zeroed            */
/* ------------------------------------------------------------------ */

#define CLI	0x400

static void counters(struct tg *t, uint64_t ts, uint64_t cookie,
		     uint32_t segs_out, uint32_t retrans, uint64_t acked)
{
	struct skr_ev_counters e;

	memset(&e, 0, sizeof(e));
	tg_common(t, &e.c, ts, cookie, I, 0);
	e.segs_out = segs_out;
	e.segs_in = acked ? 2 : 0;
	e.total_retrans = retrans;
	e.bytes_acked = acked;
	e.srtt_us = acked ? 40 : 0;
	ck_assert_int_eq(skr_rec_encode(SKR_REC_COUNTERS, &e, sizeof(e), &e),
			 0);
	tg_put(t, &e, sizeof(e));
}

/*
 * A connect whose SYN was sent three times and then timed out (written
 * as sockrec 1.2 does when with_counters, else as 1.1 did), then a
 * healthy connection whose DESTROY counters are true: what the kernel's
 * tcp_disconnect() leaves, 0 everywhere, in the first DESTROY.
 */
static void timed_out(struct tg *t, bool with_counters)
{
	begin_minor(t, true, with_counters ? SKR_VERSION_MINOR : 1);
	tg_st(t, T0, CLI, P, 20, "cli", SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, LO, 0,
	      LO, 9999);
	tg_st(t, T0 + 3 * SEC, CLI, I, 0, "", SKR_TCP_SYN_SENT, SKR_TCP_CLOSE,
	      LO, 41000, LO, 9999);
	if (with_counters)
		counters(t, T0 + 3 * SEC + 1 * USEC, CLI, 3, 2, 0);
	tg_error(t, T0 + 3 * SEC + 2 * USEC, CLI, 110, SKR_TCP_CLOSE, 9999);
	tg_destroy(t, T0 + 3 * SEC + 10 * USEC, CLI, 9999);
	tg_end(t, T0 + 5 * SEC, 0, 0);
}

static void timed_out_old(struct tg *t)
{
	timed_out(t, false);
}

static void timed_out_new(struct tg *t)
{
	timed_out(t, true);
}

/* A 1.1 trace: only DESTROY's zeros.  Said to be reset, never shown as 0. */
START_TEST(test_destroy_zeroed_is_not_zero)
{
	char *text = tg_build_report(timed_out_old, SA_REPORT_TIMELINE,
				     SA_FORMAT_TEXT, SA_BY_NONE);

	ck_assert_msg(strstr(text, "0 segments out") == NULL, "%s", text);
	ck_assert_msg(strstr(text, "* destroy: counters already reset by the "
			     "kernel, none recorded at CLOSE") != NULL, "%s",
		      text);
	free(text);

	text = tg_build_report(timed_out_old, SA_REPORT_TIMELINE,
			       SA_FORMAT_JSON, SA_BY_NONE);
	ck_assert_msg(strstr(text, "\"events\":4,\"not_kept\":0,"
			     "\"bytes_acked\":null,"
			     "\"bytes_received\":null,\"segs_out\":null,"
			     "\"segs_in\":null,\"retransmits\":null,"
			     "\"srtt_us\":null,\"counters_from\":null,"
			     "\"counters_reset\":true}") != NULL, "%s", text);
	free(text);
}
END_TEST

/* A 1.2 trace: the counters as the socket entered CLOSE. */
START_TEST(test_counters_at_close_preferred)
{
	char *text = tg_build_report(timed_out_new, SA_REPORT_TIMELINE,
				     SA_FORMAT_TEXT, SA_BY_NONE);

	ck_assert_msg(strstr(text, "* destroy: 0 bytes acked, 0 received, 3 "
			     "segments out, 0 in, 2 retransmitted, srtt "
			     "0.000000 s") != NULL, "%s", text);
	free(text);

	text = tg_build_report(timed_out_new, SA_REPORT_TIMELINE,
			       SA_FORMAT_JSON, SA_BY_NONE);
	ck_assert_msg(strstr(text, "\"events\":4,\"not_kept\":0,"
			     "\"bytes_acked\":0,"
			     "\"bytes_received\":0,\"segs_out\":3,\"segs_in\":0,"
			     "\"retransmits\":2,\"srtt_us\":0,\"counters_from\":"
			     "\"close\",\"counters_reset\":false}") != NULL,
		      "%s", text);
	/* The COUNTERS record is no event line of its own. */
	ck_assert_ptr_null(strstr(text, "\"event\":\"counters\""));
	free(text);
}
END_TEST

/* DESTROY counters that are true are taken as they are. */
static void healthy_destroy(struct tg *t)
{
	struct skr_ev_destroy e;

	begin_minor(t, true, 1);
	tg_st(t, T0, CLI, P, 20, "cli", SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, LO, 0,
	      LO, 8080);
	tg_st(t, T0 + 1 * MSEC, CLI, P, 20, "cli", SKR_TCP_SYN_SENT,
	      SKR_TCP_ESTABLISHED, LO, 41000, LO, 8080);
	tg_st(t, T0 + 2 * MSEC, CLI, P, 20, "cli", SKR_TCP_ESTABLISHED,
	      SKR_TCP_FIN_WAIT1, LO, 41000, LO, 8080);
	tg_st(t, T0 + 3 * MSEC, CLI, I, 0, "", SKR_TCP_FIN_WAIT1,
	      SKR_TCP_CLOSE, LO, 41000, LO, 8080);
	memset(&e, 0, sizeof(e));
	tg_common(t, &e.c, T0 + 3 * MSEC + 5 * USEC, CLI, I, 0);
	e.bytes_acked = 1001;
	e.bytes_received = 2002;
	e.segs_in = 4;
	e.segs_out = 6;
	e.srtt_us = 30;
	e.family = SKR_AF_INET;
	ck_assert_int_eq(skr_rec_encode(SKR_REC_DESTROY, &e, sizeof(e), &e), 0);
	tg_put(t, &e, sizeof(e));
	tg_end(t, T0 + 5 * SEC, 0, 0);
}

START_TEST(test_counters_from_destroy)
{
	char *text = tg_build_report(healthy_destroy, SA_REPORT_TIMELINE,
				     SA_FORMAT_JSON, SA_BY_NONE);

	ck_assert_msg(strstr(text, "\"bytes_acked\":1001,\"bytes_received\":"
			     "2002,\"segs_out\":6,\"segs_in\":4,\"retransmits\""
			     ":0,\"srtt_us\":30,\"counters_from\":\"destroy\","
			     "\"counters_reset\":false}") != NULL, "%s", text);
	free(text);
}
END_TEST

static Suite *outcomes_suite(void)
{
	Suite *s = suite_create("outcomes");
	TCase *tc = tcase_create("accept");

	tcase_add_test(tc, test_never_accepted_diag);
	tcase_add_test(tc, test_never_accepted_timeline);
	tcase_add_test(tc, test_never_accepted_backlog_agrees);
	tcase_add_test(tc, test_accept_not_observable);
	suite_add_tcase(s, tc);
	tc = tcase_create("counters");
	tcase_add_test(tc, test_destroy_zeroed_is_not_zero);
	tcase_add_test(tc, test_counters_at_close_preferred);
	tcase_add_test(tc, test_counters_from_destroy);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(outcomes_suite());
}
