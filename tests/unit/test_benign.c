/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Benign packet frees (docs/EVENTS.md, "Benign frees"): a segment freed
 * after a TIME_WAIT socket handled it, and the peer's FIN freed with its
 * closed socket, are said for what they are in --timeline and never as
 * drops; the frees sockrec only counted (BENIGN records) are reported by
 * --info and the diagnosis; a real drop on a socket stays a drop.
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
#define T0		(2 * SEC)
#define P		SKR_CTX_PROCESS
#define I		SKR_CTX_SOFTIRQ
#define LO		"127.0.0.1"
/* enum skb_drop_reason of the recording kernel, as its PROBE names them */
#define NOT_SPECIFIED_	2
#define TCP_RESET_	45
#define QUEUE_PURGE_	105

static void enum_name(struct skr_tlv_builder *b, uint32_t v, const char *name)
{
	uint8_t val[40];
	size_t n = strlen(name);

	memcpy(val, &v, 4);	/* little-endian host, as the tests run */
	memcpy(val + 4, name, n);
	skr_tlv_put(b, SKR_PROBE_ENUM, val, 4 + n);
}

static void begin(struct tg *t)
{
	static const char *const args[] = { "sockrec", NULL };
	const struct tg_host h = { .hostname = "alpha", .boot_id = "boot-a" };
	struct skr_tlv_builder b;

	tg_begin(t);
	tg_header(t, 0, 0x5b, 0, WALL_BASE * SEC);
	tg_host(t, &h);
	tg_recorder(t, NULL, args, "unit test");
	tg_probe(t, "inet_sock_set_state", SKR_REC_STATE, SKR_TIER_TP_BTF,
		 NULL);
	skr_tlv_begin(&b, SKR_REC_PROBE);
	skr_tlv_put_str(&b, SKR_PROBE_NAME, "kfree_skb");
	skr_tlv_put_u8(&b, SKR_PROBE_TIER, SKR_TIER_TP_BTF);
	skr_tlv_put_u16(&b, SKR_PROBE_EVENT, SKR_REC_SKB_DROP);
	enum_name(&b, NOT_SPECIFIED_, "NOT_SPECIFIED");
	enum_name(&b, TCP_RESET_, "TCP_RESET");
	enum_name(&b, QUEUE_PURGE_, "QUEUE_PURGE");
	tg_put_tlv(t, &b);
	tg_clock(t, 1 * SEC, WALL_BASE * SEC, 0);
}

/* A packet freed on socket cookie (local port sport), as sockrec records it. */
static void drop(struct tg *t, uint64_t ts, uint64_t cookie, uint8_t state,
		 uint16_t sport, uint16_t dport, uint32_t reason, uint8_t benign)
{
	struct skr_ev_skb_drop e;

	memset(&e, 0, sizeof(e));
	e.hdr.len = sizeof(e);
	e.hdr.type = SKR_REC_SKB_DROP;
	tg_common(t, &e.c, ts, cookie, I, 0);
	tg_addr(LO, e.saddr, &e.family);
	tg_addr(LO, e.daddr, &e.family);
	e.sport = sport;
	e.dport = dport;
	e.state = state;
	e.reason = reason;
	e.benign = benign;
	tg_put(t, &e, sizeof(e));
}

static void benign_rec(struct tg *t, uint64_t ts, uint64_t tw, uint64_t fin,
		       uint32_t flags)
{
	struct skr_benign b;

	memset(&b, 0, sizeof(b));
	b.hdr.len = sizeof(b);
	b.hdr.type = SKR_REC_BENIGN;
	b.ts_ns = ts;
	b.not_recorded[SKR_BENIGN_TIME_WAIT] = tw;
	b.not_recorded[SKR_BENIGN_FIN_PURGE] = fin;
	b.flags = flags;
	tg_put(t, &b, sizeof(b));
}

/* One client connection from port 40000 to 8080 that closes first. */
static void client(struct tg *t)
{
	tg_st(t, T0, 0x10, P, 10, "cli", SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, LO, 0,
	      LO, 8080);
	tg_st(t, T0 + MSEC, 0x10, I, 0, "x", SKR_TCP_SYN_SENT,
	      SKR_TCP_ESTABLISHED, LO, 40000, LO, 8080);
	tg_st(t, T0 + 2 * MSEC, 0x10, P, 10, "cli", SKR_TCP_ESTABLISHED,
	      SKR_TCP_FIN_WAIT1, LO, 40000, LO, 8080);
	tg_st(t, T0 + 3 * MSEC, 0x10, I, 0, "x", SKR_TCP_FIN_WAIT1,
	      SKR_TCP_FIN_WAIT2, LO, 40000, LO, 8080);
}

/*
 * sockrec --keep-benign-drops: the client's FIN freed with the socket
 * (marked), later a segment its TIME_WAIT socket handled (marked), on
 * another socket a real drop, and a marked FIN free without a cookie.
 */
static void build_kept(struct tg *t)
{
	begin(t);
	client(t);
	drop(t, T0 + 4 * MSEC, 0x10, SKR_TCP_CLOSE, 40000, 8080, QUEUE_PURGE_,
	     SKR_BENIGN_FIN_PURGE);
	tg_st(t, T0 + 4 * MSEC, 0x10, I, 0, "x", SKR_TCP_FIN_WAIT2,
	      SKR_TCP_CLOSE, LO, 40000, LO, 8080);
	drop(t, T0 + 5 * MSEC, 0x10, SKR_TCP_TIME_WAIT, 40000, 8080,
	     NOT_SPECIFIED_, SKR_BENIGN_TIME_WAIT);
	tg_st(t, T0 + 6 * MSEC, 0x20, P, 11, "srv", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 9090);
	tg_st(t, T0 + 7 * MSEC, 0x20, I, 0, "x", SKR_TCP_SYN_SENT,
	      SKR_TCP_ESTABLISHED, LO, 40001, LO, 9090);
	drop(t, T0 + 8 * MSEC, 0x20, SKR_TCP_ESTABLISHED, 40001, 9090,
	     TCP_RESET_, SKR_BENIGN_NONE);
	/* The classic tier may not know a closing socket's cookie. */
	drop(t, T0 + 8 * MSEC + 1, 0, SKR_TCP_CLOSE, 0, 9090, QUEUE_PURGE_,
	     SKR_BENIGN_FIN_PURGE);
	benign_rec(t, T0 + 9 * MSEC, 0, 0, SKR_BENIGN_KEPT);
	tg_end(t, T0 + SEC, 0, 0);
}

/* A trace of sockrec before 1.3: no marks, no BENIGN record. */
static void build_old(struct tg *t)
{
	begin(t);
	client(t);
	tg_st(t, T0 + 4 * MSEC, 0x10, I, 0, "x", SKR_TCP_FIN_WAIT2,
	      SKR_TCP_CLOSE, LO, 40000, LO, 8080);
	drop(t, T0 + 5 * MSEC, 0x10, SKR_TCP_TIME_WAIT, 40000, 8080,
	     NOT_SPECIFIED_, SKR_BENIGN_NONE);
	tg_end(t, T0 + SEC, 0, 0);
}

/* sockrec's default: 42 TIME_WAIT frees and 8 FINs counted, not recorded. */
static void build_counted(struct tg *t)
{
	begin(t);
	client(t);
	benign_rec(t, T0 + 4 * MSEC, 30, 5, 0);
	tg_st(t, T0 + 4 * MSEC, 0x10, I, 0, "x", SKR_TCP_FIN_WAIT2,
	      SKR_TCP_CLOSE, LO, 40000, LO, 8080);
	benign_rec(t, T0 + 9 * MSEC, 42, 8, 0);
	tg_end(t, T0 + SEC, 0, 0);
}

/*
 * A kernel before 6.11 (no receiving socket in the tracepoint): the FIN the
 * client's TIME_WAIT socket handled is freed with no socket; so is, for a
 * different 4-tuple, a handshake's last ACK when the accept queue is full.
 */
static void build_nosock(struct tg *t)
{
	begin(t);
	client(t);
	/* Unhashed as it goes to TIME_WAIT: no local port any more. */
	tg_st(t, T0 + 4 * MSEC, 0x10, P, 10, "cli", SKR_TCP_FIN_WAIT2,
	      SKR_TCP_CLOSE, LO, 0, LO, 8080);
	drop(t, T0 + 5 * MSEC, 0, 0, 40000, 8080, NOT_SPECIFIED_,
	     SKR_BENIGN_NONE);
	drop(t, T0 + 6 * MSEC, 0, 0, 8080, 40002, NOT_SPECIFIED_,
	     SKR_BENIGN_NONE);
	/* Past FIN_WAIT2's and TIME_WAIT's 60 s the 4-tuple is nobody's. */
	drop(t, T0 + 121 * SEC, 0, 0, 40000, 8080, NOT_SPECIFIED_,
	     SKR_BENIGN_NONE);
	benign_rec(t, T0 + 122 * SEC, 0, 0, 0);
	tg_end(t, T0 + 123 * SEC, 0, 0);
}

START_TEST(test_nosock_time_wait)
{
	char *text = tg_build_report(build_nosock, SA_REPORT_DIAG,
				     SA_FORMAT_TEXT, SA_BY_NONE);

	ck_assert_msg(strstr(text, "\n  benign packet frees, not drops: 0 not "
			     "recorded (TIME_WAIT 0, FIN with closed socket "
			     "0); 1 recorded\n") != NULL, "%s", text);
	/* The other two stay drops: one each, the benign one not counted. */
	ck_assert_msg(strstr(text, "\n  NOT_SPECIFIED            127.0.0.1:8080"
			     "                1  netns ") != NULL, "%s", text);
	ck_assert_uint_eq(tg_count(text, "\n  NOT_SPECIFIED  "), 2);
	ck_assert_msg(strstr(text, "\n  NOT_SPECIFIED            "
			     "127.0.0.1:40000               1  netns ") != NULL,
		      "%s", text);
	free(text);
}
END_TEST

START_TEST(test_kept_timeline)
{
	char *text = tg_build_report(build_kept, SA_REPORT_TIMELINE,
				     SA_FORMAT_TEXT, SA_BY_NONE);

	ck_assert_msg(strstr(text, "* benign, not a drop: peer's FIN freed "
			     "with its closed socket (QUEUE_PURGE)\n") != NULL,
		      "%s", text);
	ck_assert_msg(strstr(text, "* benign, not a drop: segment handled by "
			     "the TIME_WAIT socket, then freed "
			     "(NOT_SPECIFIED)\n") != NULL, "%s", text);
	/* The real drop is still one, and the only one. */
	ck_assert_msg(strstr(text, "* packet dropped: TCP_RESET\n") != NULL,
		      "%s", text);
	ck_assert_uint_eq(tg_count(text, "packet dropped"), 1);
	free(text);
}
END_TEST

START_TEST(test_kept_diag)
{
	char *text = tg_build_report(build_kept, SA_REPORT_DIAG,
				     SA_FORMAT_TEXT, SA_BY_NONE);

	ck_assert_msg(strstr(text, "\n  benign packet frees, not drops: 3 "
			     "recorded (--keep-benign-drops)\n") != NULL,
		      "%s", text);
	ck_assert_msg(strstr(text, "\nPackets dropped with no socket (reason, "
			     "destination):\n  none\n") != NULL, "%s", text);
	free(text);
	text = tg_build_report(build_kept, SA_REPORT_DIAG, SA_FORMAT_JSON,
			       SA_BY_NONE);
	ck_assert_msg(strstr(text, "{\"row\":\"benign_frees\",\"input\":"
			     "\"test.skr\",\"not_recorded_time_wait\":null,"
			     "\"not_recorded_fin_purge\":null,"
			     "\"recorded_time_wait\":1,"
			     "\"recorded_fin_purge\":2}") != NULL, "%s", text);
	free(text);
}
END_TEST

START_TEST(test_old_trace)
{
	char *text = tg_build_report(build_old, SA_REPORT_TIMELINE,
				     SA_FORMAT_TEXT, SA_BY_NONE);

	ck_assert_msg(strstr(text, "* benign, not a drop: segment handled by "
			     "the TIME_WAIT socket, then freed "
			     "(NOT_SPECIFIED)\n") != NULL, "%s", text);
	ck_assert_uint_eq(tg_count(text, "packet dropped"), 0);
	free(text);
	text = tg_build_report(build_old, SA_REPORT_INFO, SA_FORMAT_TEXT,
			       SA_BY_NONE);
	ck_assert_msg(strstr(text, "\nBenign frees:       1 recorded\n") !=
		      NULL, "%s", text);
	free(text);
}
END_TEST

START_TEST(test_counted)
{
	char *text = tg_build_report(build_counted, SA_REPORT_INFO,
				     SA_FORMAT_TEXT, SA_BY_NONE);

	/* The latest BENIGN record: its counts are cumulative. */
	ck_assert_msg(strstr(text, "\nBenign frees:       50 not recorded "
			     "(TIME_WAIT 42, FIN with closed socket 8)\n") !=
		      NULL, "%s", text);
	free(text);
	text = tg_build_report(build_counted, SA_REPORT_DIAG, SA_FORMAT_TEXT,
			       SA_BY_NONE);
	ck_assert_msg(strstr(text, "\n  benign packet frees, not drops: 50 not "
			     "recorded (TIME_WAIT 42, FIN with closed socket "
			     "8)\n") != NULL, "%s", text);
	free(text);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("benign");
	TCase *tc = tcase_create("benign");

	tcase_add_test(tc, test_kept_timeline);
	tcase_add_test(tc, test_kept_diag);
	tcase_add_test(tc, test_old_trace);
	tcase_add_test(tc, test_counted);
	tcase_add_test(tc, test_nosock_time_wait);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(suite());
}
