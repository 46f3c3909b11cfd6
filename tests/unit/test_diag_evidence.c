/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Evidence in the trace that the reports must show: packets dropped with
 * no socket (a firewall's NETFILTER_DROP of SYNs) beside the connects they
 * timed out, resets with their endpoints and process, a listener's
 * overflows beside its clients' SYN retransmits, and --socket ID of a
 * socket the trace does not have as an error.
 */
#include <check.h>
#include <errno.h>
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
#define NETFILTER_DROP_	12	/* enum skb_drop_reason of the recording kernel */
#define ETIMEDOUT_	110

static void begin(struct tg *t)
{
	static const char *const args[] = { "sockrec", NULL };
	const struct tg_host h = { .hostname = "alpha", .boot_id = "boot-a" };
	struct skr_tlv_builder b;
	uint8_t val[32];

	tg_begin(t);
	tg_header(t, 0, 0x5a, 0, WALL_BASE * SEC);
	tg_host(t, &h);
	tg_recorder(t, NULL, args, "unit test");
	tg_probe(t, "inet_sock_set_state", SKR_REC_STATE, SKR_TIER_TP_BTF,
		 NULL);
	tg_probe(t, "listen", SKR_REC_LISTEN, SKR_TIER_TRACEPOINT, NULL);
	tg_probe(t, "accept", SKR_REC_ACCEPT, SKR_TIER_TRACEPOINT, NULL);
	tg_probe(t, "tcp_receive_reset", SKR_REC_RESET, SKR_TIER_TP_BTF, NULL);
	tg_probe(t, "inet_sk_error_report", SKR_REC_SOCK_ERROR,
		 SKR_TIER_TP_BTF, NULL);
	tg_probe(t, "tcp_retransmit_skb", SKR_REC_RETRANSMIT, SKR_TIER_TP_BTF,
		 NULL);
	tg_probe(t, "sock_diag", SKR_REC_LISTENER, SKR_TIER_TP_BTF, NULL);
	/* The drop probe names this kernel's reasons. */
	skr_tlv_begin(&b, SKR_REC_PROBE);
	skr_tlv_put_str(&b, SKR_PROBE_NAME, "kfree_skb");
	skr_tlv_put_u8(&b, SKR_PROBE_TIER, SKR_TIER_TP_BTF);
	skr_tlv_put_u16(&b, SKR_PROBE_EVENT, SKR_REC_SKB_DROP);
	memcpy(val, "\x0c\0\0\0" "NETFILTER_DROP", 18);
	skr_tlv_put(&b, SKR_PROBE_ENUM, val, 18);
	memcpy(val, "\x03\0\0\0" "NO_SOCKET", 13);
	skr_tlv_put(&b, SKR_PROBE_ENUM, val, 13);
	tg_put_tlv(t, &b);
	tg_clock(t, 1 * SEC, WALL_BASE * SEC, 0);
}

/* A packet to 127.0.0.1:port from port from_port, dropped with no socket. */
static void drop(struct tg *t, uint64_t ts, uint16_t port, uint16_t from_port,
		 uint32_t reason)
{
	struct skr_ev_skb_drop e;

	memset(&e, 0, sizeof(e));
	e.hdr.len = sizeof(e);
	e.hdr.type = SKR_REC_SKB_DROP;
	tg_common(t, &e.c, ts, 0, SKR_CTX_SOFTIRQ, 0);
	tg_addr(LO, e.saddr, &e.family);
	tg_addr(LO, e.daddr, &e.family);
	e.sport = port;
	e.dport = from_port;
	e.reason = reason;
	tg_put(t, &e, sizeof(e));
}

/* A SYN resent by a connecting socket. */
static void syn_retrans(struct tg *t, uint64_t ts, uint64_t cookie,
			uint16_t sport, uint16_t dport, uint32_t n)
{
	struct skr_ev_retransmit e;

	memset(&e, 0, sizeof(e));
	e.hdr.len = sizeof(e);
	e.hdr.type = SKR_REC_RETRANSMIT;
	tg_common(t, &e.c, ts, cookie, SKR_CTX_SOFTIRQ, 0);
	tg_addr(LO, e.saddr, &e.family);
	tg_addr(LO, e.daddr, &e.family);
	e.sport = sport;
	e.dport = dport;
	e.retrans = n;
	e.state = SKR_TCP_SYN_SENT;
	e.kind = SKR_RETRANS_DATA;
	tg_put(t, &e, sizeof(e));
}

/*
 * A firewall drops every SYN to 127.0.0.1:8080: the connect from port
 * 40000 resends its SYN twice, then times out after 3 s.  Another packet
 * to port 9 is dropped for a reason this test's kernel does not name.
 */
static void build_firewall(struct tg *t)
{
	begin(t);
	tg_st(t, T0, 0x10, P, 10, "cli", SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, LO, 0,
	      LO, 8080);
	drop(t, T0 + 10 * USEC, 8080, 40000, NETFILTER_DROP_);
	syn_retrans(t, T0 + SEC, 0x10, 40000, 8080, 1);
	drop(t, T0 + SEC + 10 * USEC, 8080, 40000, NETFILTER_DROP_);
	syn_retrans(t, T0 + 2 * SEC, 0x10, 40000, 8080, 2);
	drop(t, T0 + 2 * SEC + 10 * USEC, 8080, 40000, NETFILTER_DROP_);
	drop(t, T0 + 2 * SEC + 20 * USEC, 9, 40001, 77);
	tg_st(t, T0 + 3 * SEC, 0x10, I, 0, "x", SKR_TCP_SYN_SENT, SKR_TCP_CLOSE,
	      LO, 40000, LO, 8080);
	tg_error(t, T0 + 3 * SEC + USEC, 0x10, ETIMEDOUT_, SKR_TCP_CLOSE, 8080);
	tg_end(t, T0 + 4 * SEC, 0, 0);
}

START_TEST(test_firewall_drops_text)
{
	char *text = tg_build_report(build_firewall, SA_REPORT_DIAG,
				     SA_FORMAT_TEXT, SA_BY_NONE);

	ck_assert_msg(strstr(text, "\n  ETIMEDOUT                127.0.0.1:8080"
			     "                1  #1  (after 3.000000 to 3.000000 "
			     "s; SYNs dropped 3 times with no socket: "
			     "NETFILTER_DROP)\n") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "\nPackets dropped with no socket (reason, "
			     "destination):\n"
			     "  NETFILTER_DROP           127.0.0.1:8080"
			     "                3  netns 4026531840, "
			     "2026-11-22T10:00:01.000010Z to "
			     "2026-11-22T10:00:03.000010Z\n"
			     "  reason 77                127.0.0.1:9"
			     "                   1  netns 4026531840, "
			     "2026-11-22T10:00:03.000020Z to "
			     "2026-11-22T10:00:03.000020Z\n") != NULL,
		      "%s", text);
	free(text);
}
END_TEST

START_TEST(test_firewall_drops_json)
{
	char *text = tg_build_report(build_firewall, SA_REPORT_DIAG,
				     SA_FORMAT_JSON, SA_BY_NONE);

	ck_assert_msg(strstr(text, "\"after_min_ns\":3000000000,"
			     "\"after_max_ns\":3000000000,\"syn_drops\":3,"
			     "\"syn_drop_reason\":\"NETFILTER_DROP\"}\n") != NULL,
		      "%s", text);
	ck_assert_msg(strstr(text, "{\"row\":\"dropped_no_socket\",\"host\":"
			     "\"alpha\",\"netns\":4026531840,\"reason\":"
			     "\"NETFILTER_DROP\",\"destination\":"
			     "\"127.0.0.1:8080\",\"count\":3,") != NULL,
		      "%s", text);
	free(text);
}
END_TEST

/* A reset received by a client: where it happened and whose it was. */
static void build_reset(struct tg *t)
{
	begin(t);
	tg_st(t, T0, 0x20, P, 42, "curl", SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, LO,
	      0, LO, 7000);
	tg_st(t, T0 + 10 * USEC, 0x20, I, 0, "x", SKR_TCP_SYN_SENT,
	      SKR_TCP_ESTABLISHED, LO, 40100, LO, 7000);
	tg_reset(t, T0 + MSEC, 0x20, SKR_TCP_ESTABLISHED, 40100, 7000);
	tg_st(t, T0 + MSEC + USEC, 0x20, I, 0, "x", SKR_TCP_ESTABLISHED,
	      SKR_TCP_CLOSE, LO, 40100, LO, 7000);
	tg_end(t, T0 + SEC, 0, 0);
}

START_TEST(test_reset_endpoint_owner)
{
	char *text = tg_build_report(build_reset, SA_REPORT_DIAG,
				     SA_FORMAT_TEXT, SA_BY_NONE);

	ck_assert_msg(strstr(text, "\n  received                 ESTABLISHED"
			     "                   1  #1  local 127.0.0.1, remote "
			     "127.0.0.1:7000, owner curl[42]\n") != NULL,
		      "%s", text);
	free(text);
	text = tg_build_report(build_reset, SA_REPORT_DIAG, SA_FORMAT_JSON,
			       SA_BY_NONE);
	ck_assert_msg(strstr(text, "{\"row\":\"reset\",\"host\":\"alpha\","
			     "\"direction\":\"received\",\"state\":"
			     "\"ESTABLISHED\",\"reason\":null,\"local\":"
			     "\"127.0.0.1\",\"remote\":\"127.0.0.1:7000\","
			     "\"owner\":\"curl[42]\",\"peer_half\":false,"
			     "\"count\":1,") != NULL,
		      "%s", text);
	free(text);
}
END_TEST

/*
 * A listener on 127.0.0.1:8080 with backlog 1 overflows; of its three
 * clients, one connects at once, one after a SYN resent (1 s), one after
 * two (3 s).
 */
#define LSN	0x100

static void client(struct tg *t, uint64_t ts, uint64_t cookie,
		   uint16_t sport, unsigned resent)
{
	uint64_t took = resent == 0 ? 50 * USEC : resent == 1 ? SEC : 3 * SEC;
	unsigned i;

	tg_st(t, ts, cookie, P, 20, "cli", SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, LO,
	      0, LO, 8080);
	for (i = 1; i <= resent; i++)
		syn_retrans(t, ts + (i == 1 ? SEC : 3 * SEC) - USEC, cookie,
			    sport, 8080, i);
	tg_st(t, ts + took, cookie, I, 0, "x", SKR_TCP_SYN_SENT,
	      SKR_TCP_ESTABLISHED, LO, sport, LO, 8080);
}

static void build_overflow(struct tg *t)
{
	begin(t);
	tg_st(t, T0, LSN, P, 10, "srv", SKR_TCP_CLOSE, SKR_TCP_LISTEN, LO, 8080,
	      "0.0.0.0", 0);
	tg_listen(t, T0 + USEC, LSN, 10, 1, 1, 8080);
	tg_listener(t, T0 + 2 * USEC, LSN, 0, 1, 0);
	client(t, T0 + 10 * USEC, 0x201, 40001, 0);
	client(t, T0 + 20 * USEC, 0x202, 40002, 1);
	client(t, T0 + 30 * USEC, 0x203, 40003, 2);
	tg_listener(t, T0 + 500 * MSEC, LSN, 2, 1, 4);
	tg_end(t, T0 + 5 * SEC, 0, 0);
}

START_TEST(test_overflow_clients)
{
	char *text = tg_build_report(build_overflow, SA_REPORT_BACKLOG,
				     SA_FORMAT_TEXT, SA_BY_NONE);

	ck_assert_msg(strstr(text, "\n  clients:             3 connects, 2 "
			     "resent their SYN (3 SYNs resent), 3 established "
			     "(slowest after 3.000000 s): #3 #4\n") != NULL, "%s", text);
	free(text);
	text = tg_build_report(build_overflow, SA_REPORT_DIAG, SA_FORMAT_TEXT,
			       SA_BY_NONE);
	ck_assert_msg(strstr(text, "\n  #1 127.0.0.1:8080 owner srv[10]: 4 "
			     "drops (sk_drops) from ") != NULL &&
		      strstr(text, "\n      its clients: 2 of 3 connects resent "
			     "their SYN (3 SYNs resent), 3 established (slowest "
			     "after 3.000000 s): #3 #4\n") != NULL, "%s", text);
	free(text);
	text = tg_build_report(build_overflow, SA_REPORT_BACKLOG,
			       SA_FORMAT_CSV, SA_BY_NONE);
	ck_assert_msg(strstr(text, ",client_connects,client_syn_retried,"
			     "client_syn_retransmits,client_connect_max_ns,"
			     "client_syn_retried_socket_ids\n") != NULL &&
		      strstr(text, ",3,2,3,3000000000,3 4\n") != NULL,
		      "%s", text);
	free(text);
}
END_TEST

/* --socket ID of a socket the trace does not have: an error, no report. */
START_TEST(test_socket_missing)
{
	static const enum sa_report reps[] = {
		SA_REPORT_DIAG, SA_REPORT_TIMELINE, SA_REPORT_LATENCY,
		SA_REPORT_BACKLOG,
	};
	struct sa_run_opts opts;
	char msg[256];
	struct tg t;
	char *text;
	size_t i;
	int err;

	for (i = 0; i < sizeof(reps) / sizeof(reps[0]); i++) {
		build_reset(&t);
		memset(&opts, 0, sizeof(opts));
		opts.report = reps[i];
		ck_assert_int_eq(sa_filter_parse(&opts.filters, "--socket",
						 "9999", msg, sizeof(msg)), 0);
		text = tg_run(&t, 1, &opts, &err, msg, sizeof(msg));
		ck_assert_int_eq(err, -ENOENT);
		ck_assert_str_eq(msg, "no socket #9999 in test.skr: its "
				 "sockets are #1 to #1");
		ck_assert_str_eq(text, "");
		free(text);
	}
	/* One found, one not: the one found is shown, the run still fails. */
	build_reset(&t);
	memset(&opts, 0, sizeof(opts));
	opts.report = SA_REPORT_TIMELINE;
	ck_assert_int_eq(sa_filter_parse(&opts.filters, "--socket", "1", msg,
					 sizeof(msg)), 0);
	ck_assert_int_eq(sa_filter_parse(&opts.filters, "--socket", "7", msg,
					 sizeof(msg)), 0);
	text = tg_run(&t, 1, &opts, &err, msg, sizeof(msg));
	ck_assert_int_eq(err, -ENOENT);
	ck_assert_str_eq(msg, "no socket #7 in test.skr: its sockets are #1 "
			 "to #1");
	ck_assert_ptr_nonnull(strstr(text, "#1 cookie 0x20 "));
	free(text);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("diag_evidence");
	TCase *tc = tcase_create("diag_evidence");

	tcase_add_test(tc, test_firewall_drops_text);
	tcase_add_test(tc, test_firewall_drops_json);
	tcase_add_test(tc, test_reset_endpoint_owner);
	tcase_add_test(tc, test_overflow_clients);
	tcase_add_test(tc, test_socket_missing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(suite());
}
