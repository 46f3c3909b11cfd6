/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of sockana's reports: small synthetic traces written through
 * the format library, every report's text compared exactly, every --json
 * line checked by a strict JSON syntax checker, CSV headers pinned, and the
 * building blocks (filters, histograms, JSON escaping, merging of several
 * inputs) tested on their own.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/sockana.h"
#include "jsonl.h"
#include "tracegen.h"

#define NETNS		4026531840u
#define WALL_BASE	1795341600ull	/* 2026-11-22T10:00:00Z */
#define SEC		1000000000ull
#define MSEC		1000000ull
#define USEC		1000ull
#define T0		(2 * SEC)
#define P		SKR_CTX_PROCESS
#define I		SKR_CTX_SOFTIRQ
#define LO		"127.0.0.1"

/* ------------------------------------------------------------------ */
/* Building traces                                                      */
/* ------------------------------------------------------------------ */

/* all: every probe of the catalogue attached; else only the state one. */
static void begin(struct tg *t, const char *host, const char *boot,
		  bool all)
{
	static const char *const args[] = { "sockrec", NULL };
	/*
	 * Each trace of a test is another file of the capture: the same
	 * capture id and file index would be the same file given twice.
	 */
	static uint32_t file_index;
	const struct tg_host h = { .hostname = host, .boot_id = boot };
	struct skr_tlv_builder b;

	tg_begin(t);
	tg_header(t, file_index++, 0x5a, 0, WALL_BASE * SEC);
	tg_host(t, &h);
	tg_recorder(t, NULL, args, "unit test");
	tg_probe(t, "inet_sock_set_state", SKR_REC_STATE, SKR_TIER_TP_BTF,
		 NULL);
	if (all) {
		tg_probe(t, "listen", SKR_REC_LISTEN, SKR_TIER_TRACEPOINT,
			 NULL);
		tg_probe(t, "accept", SKR_REC_ACCEPT, SKR_TIER_TRACEPOINT,
			 NULL);
		tg_probe(t, "tcp_receive_reset", SKR_REC_RESET,
			 SKR_TIER_TP_BTF, NULL);
		tg_probe(t, "inet_sk_error_report", SKR_REC_SOCK_ERROR,
			 SKR_TIER_TP_BTF, NULL);
		tg_probe(t, "tcp_retransmit_synack", SKR_REC_RETRANSMIT,
			 SKR_TIER_TP_BTF, NULL);
		tg_probe(t, "tcp_destroy_sock", SKR_REC_DESTROY,
			 SKR_TIER_TP_BTF, NULL);
	} else {
		tg_probe(t, "tcp_receive_reset", SKR_REC_RESET, SKR_TIER_NONE,
			 "tracefs not mounted");
	}
	skr_tlv_begin(&b, SKR_REC_FILTER);
	if (all) {
		skr_tlv_put_u16(&b, SKR_FILTER_PORT, 8080);
		skr_tlv_put_u16(&b, SKR_FILTER_PORT, 9);
	}
	tg_put_tlv(t, &b);
	tg_clock(t, 1 * SEC, WALL_BASE * SEC, 0);
}


/* ------------------------------------------------------------------ */
/* The scenario: one of each thing that can go wrong                    */
/* ------------------------------------------------------------------ */

#define LSN	0x100		/* listener on 127.0.0.1:8080 */
#define CLI	0x101		/* client, completes, closes first */
#define SRV	0x102		/* its accepted socket */
#define REF	0x103		/* refused connect to port 9 */
#define CW	0x104		/* accepted, left in CLOSE_WAIT */
#define CWC	0x105		/* CW's client */

static void build_full_body(struct tg *t)
{
	const uint64_t b = T0;

	begin(t, "alpha", "boot-a", true);
	tg_st(t, b, LSN, P, 10, "srv", SKR_TCP_CLOSE, SKR_TCP_LISTEN, LO, 8080,
	      "0.0.0.0", 0);
	tg_listen(t, b + 1 * USEC, LSN, 10, 1024, 4, 8080);
	tg_listener(t, b + 2 * USEC, LSN, 0, 4, 0);
	tg_netns_stats(t, b + 2 * USEC, 100);
	/* connection 1: client closes first */
	tg_st(t, b + 10 * USEC, CLI, P, 20, "cli", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 8080);
	tg_st(t, b + 12 * USEC, SRV, I, 0, "swapper/0", SKR_TCP_LISTEN,
	      SKR_TCP_SYN_RECV, LO, 8080, LO, 40001);
	/* CPU 1 drained before CPU 0: out of order inside the round */
	tg_st(t, b + 20 * USEC, SRV, I, 0, "swapper/1", SKR_TCP_SYN_RECV,
	      SKR_TCP_ESTABLISHED, LO, 8080, LO, 40001);
	tg_st(t, b + 15 * USEC, CLI, I, 0, "swapper/0", SKR_TCP_SYN_SENT,
	      SKR_TCP_ESTABLISHED, LO, 40001, LO, 8080);
	tg_round(t, b + 30 * USEC);
	tg_accept(t, b + 60 * USEC, LSN, SRV, 10, 1, 4, 0);
	tg_st(t, b + 100 * USEC, CLI, P, 20, "cli", SKR_TCP_ESTABLISHED,
	      SKR_TCP_FIN_WAIT1, LO, 40001, LO, 8080);
	tg_st(t, b + 110 * USEC, SRV, I, 0, "swapper/0", SKR_TCP_ESTABLISHED,
	      SKR_TCP_CLOSE_WAIT, LO, 8080, LO, 40001);
	tg_st(t, b + 120 * USEC, CLI, I, 0, "swapper/0", SKR_TCP_FIN_WAIT1,
	      SKR_TCP_FIN_WAIT2, LO, 40001, LO, 8080);
	tg_st(t, b + 300 * USEC, SRV, P, 10, "srv", SKR_TCP_CLOSE_WAIT,
	      SKR_TCP_LAST_ACK, LO, 8080, LO, 40001);
	tg_st(t, b + 310 * USEC, CLI, I, 0, "swapper/0", SKR_TCP_FIN_WAIT2,
	      SKR_TCP_CLOSE, LO, 40001, LO, 8080);
	tg_st(t, b + 320 * USEC, SRV, I, 0, "swapper/0", SKR_TCP_LAST_ACK,
	      SKR_TCP_CLOSE, LO, 8080, LO, 40001);
	/* refused: the RST comes in, CLOSE, then the error report */
	tg_st(t, b + 1 * MSEC, REF, P, 30, "curl", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 9);
	tg_reset(t, b + 1 * MSEC + 40 * USEC, REF, SKR_TCP_SYN_SENT, 0, 9);
	tg_st(t, b + 1 * MSEC + 41 * USEC, REF, I, 0, "swapper/0",
	      SKR_TCP_SYN_SENT, SKR_TCP_CLOSE, LO, 40002, LO, 9);
	tg_error(t, b + 1 * MSEC + 42 * USEC, REF, 111, SKR_TCP_CLOSE, 9);
	/* overflow: drops grow between two samples */
	tg_listener(t, b + 250 * MSEC, LSN, 5, 4, 12);
	tg_netns_stats(t, b + 250 * MSEC, 112);
	tg_listener(t, b + 500 * MSEC, LSN, 5, 4, 20);
	/* CLOSE_WAIT at the end */
	tg_st(t, b + 600 * MSEC, CWC, P, 21, "cli", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 8080);
	tg_st(t, b + 600 * MSEC + 5 * USEC, CW, I, 0, "swapper/0",
	      SKR_TCP_LISTEN, SKR_TCP_SYN_RECV, LO, 8080, LO, 40003);
	tg_st(t, b + 600 * MSEC + 6 * USEC, CW, I, 0, "swapper/0",
	      SKR_TCP_SYN_RECV, SKR_TCP_ESTABLISHED, LO, 8080, LO, 40003);
	tg_st(t, b + 600 * MSEC + 7 * USEC, CWC, I, 0, "swapper/0",
	      SKR_TCP_SYN_SENT, SKR_TCP_ESTABLISHED, LO, 40003, LO, 8080);
	tg_accept(t, b + 600 * MSEC + 500 * USEC, LSN, CW, 10, 1, 4, 20);
	tg_st(t, b + 700 * MSEC, CWC, P, 21, "cli", SKR_TCP_ESTABLISHED,
	      SKR_TCP_FIN_WAIT1, LO, 40003, LO, 8080);
	tg_st(t, b + 700 * MSEC + 10 * USEC, CW, I, 0, "swapper/0",
	      SKR_TCP_ESTABLISHED, SKR_TCP_CLOSE_WAIT, LO, 8080, LO, 40003);
	tg_st(t, b + 700 * MSEC + 20 * USEC, CWC, I, 0, "swapper/0",
	      SKR_TCP_FIN_WAIT1, SKR_TCP_FIN_WAIT2, LO, 40003, LO, 8080);
}

static void build_full(struct tg *t)
{
	build_full_body(t);
	tg_end(t, T0 + 2 * SEC, 0, 0);
}

/* ------------------------------------------------------------------ */
/* Golden outputs                                                       */
/* ------------------------------------------------------------------ */

#include "test_analyze_golden.h"

/*
 * SA_GOLDEN_DUMP=DIR writes each actual output to DIR/NAME, to review and
 * regenerate test_analyze_golden.h after an intended change.
 */
static void golden(const char *name, const char *text, const char *want)
{
	const char *dir = getenv("SA_GOLDEN_DUMP");
	char path[512];
	FILE *f;

	if (dir) {
		ck_assert_int_lt(snprintf(path, sizeof(path), "%s/%s", dir,
					  name), (int)sizeof(path));
		f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fputs(text, f);
		fclose(f);
		return;
	}
	ck_assert_str_eq(text, want);
}

START_TEST(test_diag_full)
{
	char *text = tg_build_report(build_full, SA_REPORT_DIAG, SA_FORMAT_TEXT,
			     SA_BY_NONE);

	golden("diag_full", text, golden_diag_full);
	free(text);
}
END_TEST

START_TEST(test_timeline_full)
{
	char *text = tg_build_report(build_full, SA_REPORT_TIMELINE, SA_FORMAT_TEXT,
			     SA_BY_NONE);

	golden("timeline_full", text, golden_timeline_full);
	free(text);
}
END_TEST

START_TEST(test_latency_full)
{
	char *text = tg_build_report(build_full, SA_REPORT_LATENCY, SA_FORMAT_TEXT,
			     SA_BY_NONE);

	golden("latency_full", text, golden_latency_full);
	free(text);
	text = tg_build_report(build_full, SA_REPORT_LATENCY, SA_FORMAT_JSON,
		       SA_BY_REMOTE);
	golden("latency_remote_json", text, golden_latency_remote_json);
	free(text);
}
END_TEST

START_TEST(test_backlog_full)
{
	char *text = tg_build_report(build_full, SA_REPORT_BACKLOG, SA_FORMAT_TEXT,
			     SA_BY_NONE);

	golden("backlog_full", text, golden_backlog_full);
	free(text);
	text = tg_build_report(build_full, SA_REPORT_BACKLOG, SA_FORMAT_CSV,
		       SA_BY_NONE);
	golden("backlog_full_csv", text, golden_backlog_full_csv);
	free(text);
}
END_TEST

START_TEST(test_diag_json)
{
	char *text = tg_build_report(build_full, SA_REPORT_DIAG, SA_FORMAT_JSON,
			     SA_BY_NONE);

	golden("diag_full_json", text, golden_diag_full_json);
	free(text);
}
END_TEST

/* A trace with state events only: what cannot be known is said so. */
static void build_state_only(struct tg *t)
{
	begin(t, "beta", "boot-b", false);
	tg_st(t, T0, 0x200, P, 40, "curl", SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, LO,
	      0, LO, 9);
	tg_st(t, T0 + 50 * USEC, 0x200, I, 0, "swapper/0", SKR_TCP_SYN_SENT,
	      SKR_TCP_CLOSE, LO, 40100, LO, 9);
	/* older than the trace: first seen mid-life */
	tg_st(t, T0 + 60 * USEC, 0x201, I, 0, "swapper/1", SKR_TCP_ESTABLISHED,
	      SKR_TCP_CLOSE_WAIT, LO, 22, "10.0.0.7", 51000);
	tg_st(t, T0 + 70 * USEC, 0x202, P, 41, "nc", SKR_TCP_CLOSE,
	      SKR_TCP_LISTEN, "::", 7000, "::", 0);
	tg_end(t, T0 + SEC, 5, 0);
}

START_TEST(test_state_only)
{
	char *text = tg_build_report(build_state_only, SA_REPORT_DIAG, SA_FORMAT_TEXT,
			     SA_BY_NONE);

	golden("diag_state_only", text, golden_diag_state_only);
	free(text);
	text = tg_build_report(build_state_only, SA_REPORT_BACKLOG, SA_FORMAT_TEXT,
		       SA_BY_NONE);
	golden("backlog_state_only", text, golden_backlog_state_only);
	free(text);
	text = tg_build_report(build_state_only, SA_REPORT_TIMELINE, SA_FORMAT_CSV,
		       SA_BY_NONE);
	golden("timeline_state_only_csv", text, golden_timeline_state_only_csv);
	free(text);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Every --json line checked by a strict JSON syntax checker (jsonl.c)  */
/* ------------------------------------------------------------------ */

/* One JSON Lines document: every line an object, nothing else. */
static int json_lines_ok(const char *text)
{
	const char *line = text, *nl;
	int n = 0;

	while (*line) {
		nl = strchr(line, '\n');
		ck_assert_msg(nl != NULL, "last line without newline");
		ck_assert_msg(jsonl_object(line, (size_t)(nl - line)),
			      "not a JSON object: %.*s", (int)(nl - line), line);
		n++;
		line = nl + 1;
	}
	return n;
}

START_TEST(test_json_checker)
{
	ck_assert_int_eq(json_lines_ok("{\"a\":[1,-2.5,true,null,\"\\u00e9\"]}\n"
				       "{}\n"), 2);
}
END_TEST

/* Every report as JSON, on a trace whose names are hostile. */
START_TEST(test_json_every_report)
{
	static const enum sa_report reps[] = {
		SA_REPORT_DIAG, SA_REPORT_INFO, SA_REPORT_TIMELINE,
		SA_REPORT_LATENCY, SA_REPORT_BACKLOG,
	};
	struct sa_run_opts opts;
	struct tg t;
	char msg[256];
	char *text;
	size_t i;
	int err;

	for (i = 0; i < sizeof(reps) / sizeof(reps[0]); i++) {
		memset(&opts, 0, sizeof(opts));
		opts.report = reps[i];
		opts.format = SA_FORMAT_JSON;
		opts.by = reps[i] == SA_REPORT_LATENCY ? SA_BY_PROCESS
						       : SA_BY_NONE;
		opts.name = "bad\x01\"name\xff\xc3\x28\\.skr";
		build_full_body(&t);
		tg_st(&t, T0 + 800 * MSEC, 0x300, P, 50, "e\x1b[31m\xe2\x82",
		      SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, LO, 0, LO, 80);
		tg_end(&t, T0 + 2 * SEC, 3, 0);
		text = tg_run(&t, 1, &opts, &err, msg, sizeof(msg));
		ck_assert_int_eq(err, 0);
		ck_assert_int_gt(json_lines_ok(text), 0);
		if (reps[i] == SA_REPORT_INFO)
			ck_assert_ptr_nonnull(strstr(text,
				"\"file\":\"bad\\u0001\\\"name\\ufffd\\ufffd(\\\\.skr\""));
		free(text);
	}
}
END_TEST

START_TEST(test_json_escape)
{
	static const char in[] = "a\"\\\n\t\x01\x7f\xc3\xa9\xe2\x82\xac"
				 "\xf0\x9f\x98\x80\xc0\xaf\xed\xa0\x80\xff";
	struct sa_buf b;

	memset(&b, 0, sizeof(b));
	sa_json_escape(&b, in, sizeof(in) - 1);
	ck_assert(!b.failed);
	/* overlong, surrogate and stray bytes each become U+FFFD */
	ck_assert_str_eq(b.p, "\"a\\\"\\\\\\n\\t\\u0001\\u007f\xc3\xa9\xe2\x82\xac"
			 "\xf0\x9f\x98\x80\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd"
			 "\\ufffd\"");
	sa_buf_free(&b);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Filters                                                              */
/* ------------------------------------------------------------------ */

START_TEST(test_filters)
{
	struct sa_filters f;
	struct sa_sock s;
	char msg[160];
	uint64_t lo, hi;

	memset(&f, 0, sizeof(f));
	memset(&s, 0, sizeof(s));
	s.id = 7;
	s.family = SKR_AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, "10.1.2.3", s.saddr), 1);
	ck_assert_int_eq(inet_pton(AF_INET, "192.168.0.9", s.daddr), 1);
	s.sport = 40000;
	s.dport = 443;
	s.netns = 99;
	s.have_owner = true;
	s.owner_pid = 1234;
	memcpy(s.owner_comm, "nginx", 6);
	s.states_seen = 1u << SKR_TCP_SYN_SENT | 1u << SKR_TCP_CLOSE_WAIT;
	s.first_mt = 10 * SEC;
	s.last_mt = 20 * SEC;

	ck_assert(sa_filter_socket(&f, &s, 0, UINT64_MAX));
	ck_assert_int_eq(sa_filter_parse(&f, "--port", "80", msg, sizeof(msg)), 0);
	ck_assert(!sa_filter_socket(&f, &s, 0, UINT64_MAX));
	ck_assert_int_eq(sa_filter_parse(&f, "--port", "443", msg, sizeof(msg)), 0);
	ck_assert(sa_filter_socket(&f, &s, 0, UINT64_MAX));	/* or */
	ck_assert_int_eq(sa_filter_parse(&f, "--addr", "192.168.0.0/16", msg,
					 sizeof(msg)), 0);
	ck_assert(sa_filter_socket(&f, &s, 0, UINT64_MAX));
	ck_assert_int_eq(sa_filter_parse(&f, "--state", "close-wait", msg,
					 sizeof(msg)), 0);
	ck_assert(sa_filter_socket(&f, &s, 0, UINT64_MAX));
	ck_assert_int_eq(sa_filter_parse(&f, "--comm", "nginx", msg,
					 sizeof(msg)), 0);
	ck_assert_int_eq(sa_filter_parse(&f, "--pid", "1234", msg, sizeof(msg)), 0);
	ck_assert_int_eq(sa_filter_parse(&f, "--netns", "99", msg, sizeof(msg)), 0);
	ck_assert_int_eq(sa_filter_parse(&f, "--socket", "#7", msg, sizeof(msg)), 0);
	ck_assert(sa_filter_socket(&f, &s, 0, UINT64_MAX));
	/* and: one more filter that does not match */
	ck_assert_int_eq(sa_filter_parse(&f, "--state", "LISTEN", msg,
					 sizeof(msg)), 0);
	ck_assert(sa_filter_socket(&f, &s, 0, UINT64_MAX));	/* states or */
	ck_assert(!sa_filter_socket(&f, &s, 21 * SEC, UINT64_MAX));
	ck_assert(sa_filter_socket(&f, &s, 15 * SEC, 16 * SEC));
	ck_assert(!sa_filter_socket(&f, &s, 0, 9 * SEC));
	ck_assert_int_eq(sa_filter_parse(&f, "--pid", "1", msg, sizeof(msg)), 0);
	s.owner_pid = 2;
	ck_assert(!sa_filter_socket(&f, &s, 0, UINT64_MAX));

	/* bad values, each with a message */
	ck_assert_int_eq(sa_filter_parse(&f, "--port", "65536", msg,
					 sizeof(msg)), -EINVAL);
	ck_assert_str_eq(msg, "bad --port '65536'");
	ck_assert_int_eq(sa_filter_parse(&f, "--pid", "12x", msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_int_eq(sa_filter_parse(&f, "--pid", "-1", msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_int_eq(sa_filter_parse(&f, "--addr", "10.0.0.0/33", msg,
					 sizeof(msg)), -EINVAL);
	ck_assert_int_eq(sa_filter_parse(&f, "--addr", "::1/129", msg,
					 sizeof(msg)), -EINVAL);
	ck_assert_int_eq(sa_filter_parse(&f, "--state", "SLEEPING", msg,
					 sizeof(msg)), -EINVAL);
	ck_assert_int_eq(sa_filter_parse(&f, "--since", "yesterday", msg,
					 sizeof(msg)), -EINVAL);
	ck_assert_int_eq(sa_filter_parse(&f, "--comm", "a-name-much-too-long",
					 msg, sizeof(msg)), -EINVAL);
	ck_assert_int_eq(sa_filter_parse(&f, "--socket", "0", msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_int_eq(sa_filter_parse(&f, "--nope", "1", msg, sizeof(msg)),
			 -ENOENT);

	/* time: ISO 8601 UTC or +seconds from the first event */
	memset(&f, 0, sizeof(f));
	ck_assert_int_eq(sa_filter_parse(&f, "--since", "2026-11-22T10:00:01.5Z",
					 msg, sizeof(msg)), 0);
	ck_assert_int_eq(sa_filter_parse(&f, "--until", "+2.25", msg,
					 sizeof(msg)), 0);
	ck_assert_int_eq(sa_filter_window(&f, WALL_BASE * SEC, true, &lo, &hi,
					  msg, sizeof(msg)), 0);
	ck_assert_uint_eq(lo, WALL_BASE * SEC + SEC + SEC / 2);
	ck_assert_uint_eq(hi, WALL_BASE * SEC + 2 * SEC + SEC / 4);
	ck_assert_int_eq(sa_filter_window(&f, 5, false, &lo, &hi, msg,
					  sizeof(msg)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "no wall clock"));
}
END_TEST

START_TEST(test_cidr)
{
	struct sa_filters f;
	uint8_t a[16];
	char msg[160];

	memset(&f, 0, sizeof(f));
	ck_assert_int_eq(sa_filter_parse(&f, "--addr", "10.1.0.0/15", msg,
					 sizeof(msg)), 0);
	ck_assert_int_eq(sa_filter_parse(&f, "--addr", "2001:db8::/33", msg,
					 sizeof(msg)), 0);
	ck_assert_int_eq(sa_filter_parse(&f, "--addr", "fe80::1", msg,
					 sizeof(msg)), 0);
	memset(a, 0, sizeof(a));
	inet_pton(AF_INET, "10.0.255.255", a);
	ck_assert(sa_cidr_match(&f.addr[0], SKR_AF_INET, a));
	inet_pton(AF_INET, "10.2.0.0", a);
	ck_assert(!sa_cidr_match(&f.addr[0], SKR_AF_INET, a));
	/* an IPv4-mapped IPv6 address matches an IPv4 prefix */
	inet_pton(AF_INET6, "::ffff:10.1.200.1", a);
	ck_assert(sa_cidr_match(&f.addr[0], SKR_AF_INET6, a));
	inet_pton(AF_INET6, "2001:db8:7fff::1", a);
	ck_assert(sa_cidr_match(&f.addr[1], SKR_AF_INET6, a));
	inet_pton(AF_INET6, "2001:db8:8000::1", a);
	ck_assert(!sa_cidr_match(&f.addr[1], SKR_AF_INET6, a));
	inet_pton(AF_INET6, "fe80::1", a);
	ck_assert(sa_cidr_match(&f.addr[2], SKR_AF_INET6, a));
	ck_assert(!sa_cidr_match(&f.addr[2], SKR_AF_INET, a));
}
END_TEST

/* A filtered timeline: ids stay those of the unfiltered trace. */
START_TEST(test_filtered_timeline)
{
	struct sa_run_opts opts;
	struct tg t;
	char msg[256];
	char *text;
	int err;

	memset(&opts, 0, sizeof(opts));
	opts.report = SA_REPORT_TIMELINE;
	ck_assert_int_eq(sa_filter_parse(&opts.filters, "--port", "9", msg,
					 sizeof(msg)), 0);
	ck_assert_int_eq(sa_filter_parse(&opts.filters, "--until", "+0.0010405",
					 msg, sizeof(msg)), 0);
	build_full(&t);
	text = tg_run(&t, 1, &opts, &err, msg, sizeof(msg));
	ck_assert_int_eq(err, 0);
	ck_assert_str_eq(text,
"#4 cookie 0x103 IPv4 127.0.0.1:40002 -> 127.0.0.1:9 netns 4026531840 owner curl[30]\n"
"  2026-11-22T10:00:01.001000Z  +0.000000    CLOSE        -> SYN_SENT               -  curl[30]\n"
"  2026-11-22T10:00:01.001040Z  +0.000040    * reset received in SYN_SENT\n"
"\n"
"1 socket, 2 events\n");
	free(text);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Histograms                                                           */
/* ------------------------------------------------------------------ */

START_TEST(test_hist)
{
	struct sa_hist h;
	uint64_t v, p;
	unsigned pct;

	sa_hist_init(&h);
	ck_assert_uint_eq(sa_hist_pct(&h, 50), 0);
	for (v = 100; v >= 1; v--)
		ck_assert_int_eq(sa_hist_add(&h, v * USEC), 0);
	ck_assert(sa_hist_exact(&h));
	ck_assert_uint_eq(sa_hist_pct(&h, 50), 50 * USEC);
	ck_assert_uint_eq(sa_hist_pct(&h, 90), 90 * USEC);
	ck_assert_uint_eq(sa_hist_pct(&h, 99), 99 * USEC);
	ck_assert_uint_eq(sa_hist_pct(&h, 100), 100 * USEC);
	ck_assert_uint_eq(h.min, 1 * USEC);
	ck_assert_uint_eq(h.log2[1], 1);	/* [1, 2) us */
	ck_assert_uint_eq(h.log2[7], 37);	/* [64, 128) us: 64..100 */
	sa_hist_release(&h);

	/* past the exact buffer: bounded relative error */
	sa_hist_init(&h);
	for (v = 1; v <= 100000; v++)
		ck_assert_int_eq(sa_hist_add(&h, v * 997), 0);
	ck_assert(!sa_hist_exact(&h));
	for (pct = 1; pct <= 100; pct++) {
		uint64_t want = (uint64_t)pct * 1000 * 997;

		p = sa_hist_pct(&h, pct);
		ck_assert_msg(p >= want - want / 31 && p <= want + want / 31,
			      "p%u %llu want %llu", pct, (unsigned long long)p,
			      (unsigned long long)want);
	}
	ck_assert_uint_eq(sa_hist_pct(&h, 100), 100000 * 997);
	sa_hist_release(&h);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Several inputs                                                       */
/* ------------------------------------------------------------------ */

START_TEST(test_merge_hosts)
{
	struct sa_run_opts opts;
	struct tg t[2];
	char msg[256];
	char *text;
	int err;

	/* The same cookie on two hosts is two sockets; time order across. */
	begin(&t[0], "alpha", "boot-a", false);
	tg_st(&t[0], T0 + 10 * USEC, 0x42, P, 1, "a1", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 80);
	tg_st(&t[0], T0 + 30 * USEC, 0x42, I, 0, "x", SKR_TCP_SYN_SENT,
	      SKR_TCP_CLOSE, LO, 1000, LO, 80);
	tg_end(&t[0], T0 + SEC, 0, 0);
	begin(&t[1], "beta", "boot-b", false);
	tg_st(&t[1], T0 + 20 * USEC, 0x42, P, 2, "b1", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 80);
	tg_st(&t[1], T0 + 25 * USEC, 0x42, I, 0, "x", SKR_TCP_SYN_SENT,
	      SKR_TCP_CLOSE, LO, 1001, LO, 80);
	/* the second input is cut: no END */
	memset(&opts, 0, sizeof(opts));
	opts.report = SA_REPORT_TIMELINE;
	text = tg_run(t, 2, &opts, &err, msg, sizeof(msg));
	ck_assert_int_eq(err, 0);
	ck_assert_str_eq(text,
"#2 cookie 0x42 IPv4 127.0.0.1:1001 -> 127.0.0.1:80 netns 4026531840 owner b1[2] host beta\n"
"  2026-11-22T10:00:01.000020Z  +0.000000    CLOSE        -> SYN_SENT               -  b1[2]\n"
"  2026-11-22T10:00:01.000025Z  +0.000005    SYN_SENT     -> CLOSE           0.000005  (softirq)\n"
"\n"
"#1 cookie 0x42 IPv4 127.0.0.1:1000 -> 127.0.0.1:80 netns 4026531840 owner a1[1] host alpha\n"
"  2026-11-22T10:00:01.000010Z  +0.000000    CLOSE        -> SYN_SENT               -  a1[1]\n"
"  2026-11-22T10:00:01.000030Z  +0.000020    SYN_SENT     -> CLOSE           0.000020  (softirq)\n"
"\n"
"2 sockets, 4 events\n"
"WARNING: b.skr: trace is truncated (recorder killed or file cut); showing its complete part: kept 9 records, 0.000005 s of events\n");
	free(text);
}
END_TEST

/* A rotated series of one boot: a socket across the rotation is one life. */
START_TEST(test_merge_rotation)
{
	struct sa_run_opts opts;
	struct tg t[2];
	char msg[256];
	char *text;
	int err;

	begin(&t[0], "alpha", "boot-a", false);
	tg_st(&t[0], T0, 0x77, P, 1, "c", SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, LO, 0,
	      LO, 80);
	tg_st(&t[0], T0 + 5 * USEC, 0x77, I, 0, "x", SKR_TCP_SYN_SENT,
	      SKR_TCP_ESTABLISHED, LO, 1000, LO, 80);
	tg_end(&t[0], T0 + SEC, 0, 0);
	begin(&t[1], "alpha", "boot-a", false);
	tg_st(&t[1], T0 + 2 * SEC, 0x77, P, 1, "c", SKR_TCP_ESTABLISHED,
	      SKR_TCP_FIN_WAIT1, LO, 1000, LO, 80);
	tg_end(&t[1], T0 + 3 * SEC, 0, 0);
	memset(&opts, 0, sizeof(opts));
	opts.report = SA_REPORT_DIAG;
	opts.format = SA_FORMAT_JSON;
	text = tg_run(t, 2, &opts, &err, msg, sizeof(msg));
	ck_assert_int_eq(err, 0);
	ck_assert_int_gt(json_lines_ok(text), 0);
	ck_assert_ptr_nonnull(strstr(text, "\"inputs\":2,\"file\":null,"));
	ck_assert_ptr_nonnull(strstr(text, "\"sockets\":1,\"selected\":1}"));
	ck_assert_ptr_nonnull(strstr(text, "{\"row\":\"outcome\",\"outcome\":"
				     "\"connect established\",\"count\":1,"
				     "\"socket_ids\":\"1\""));
	free(text);
}
END_TEST

/* Sockets older than the trace, from the start snapshot. */
START_TEST(test_snapshot_life)
{
	struct sa_run_opts opts;
	struct skr_snapshot sn;
	struct tg t;
	char msg[256];
	char *text;
	int err;

	begin(&t, "alpha", "boot-a", true);
	memset(&sn, 0, sizeof(sn));
	sn.hdr.len = sizeof(sn);
	sn.hdr.type = SKR_REC_SNAPSHOT;
	sn.ts_ns = T0;
	sn.cookie = 0x900;
	sn.netns = NETNS;
	sn.kind = SKR_SNAP_SOCKET;
	sn.state = SKR_TCP_ESTABLISHED;
	sn.family = SKR_AF_INET;
	inet_pton(AF_INET, LO, sn.saddr);
	inet_pton(AF_INET, "10.9.9.9", sn.daddr);
	sn.sport = 22;
	sn.dport = 50000;
	sn.uid = 0;
	tg_put(&t, &sn, sizeof(sn));
	sn.kind = SKR_SNAP_END;
	sn.cookie = 0;
	tg_put(&t, &sn, sizeof(sn));
	tg_st(&t, T0 + SEC, 0x900, I, 0, "x", SKR_TCP_ESTABLISHED,
	      SKR_TCP_CLOSE_WAIT, LO, 22, "10.9.9.9", 50000);
	tg_end(&t, T0 + 2 * SEC, 0, 0);
	memset(&opts, 0, sizeof(opts));
	opts.report = SA_REPORT_TIMELINE;
	text = tg_run(&t, 1, &opts, &err, msg, sizeof(msg));
	ck_assert_int_eq(err, 0);
	ck_assert_str_eq(text,
"#1 cookie 0x900 IPv4 127.0.0.1:22 -> 10.9.9.9:50000 netns 4026531840 owner unknown (in the start snapshot)\n"
"  2026-11-22T10:00:01.000000Z  +0.000000    * existed at start: ESTABLISHED, uid 0\n"
"  2026-11-22T10:00:02.000000Z  +1.000000    ESTABLISHED  -> CLOSE_WAIT             -  (softirq)\n"
"\n"
"1 socket, 2 events\n");
	free(text);
}
END_TEST

/* A socket connecting again after a failed connect starts a new life. */
START_TEST(test_reconnect_same_cookie)
{
	struct sa_run_opts opts;
	struct tg t;
	char msg[256];
	char *text;
	int err;

	begin(&t, "alpha", "boot-a", false);
	tg_st(&t, T0, 0x50, P, 7, "retry", SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, LO,
	      0, LO, 81);
	tg_st(&t, T0 + 10 * USEC, 0x50, I, 0, "x", SKR_TCP_SYN_SENT,
	      SKR_TCP_CLOSE, LO, 1000, LO, 81);
	tg_st(&t, T0 + 20 * USEC, 0x50, P, 7, "retry", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 82);
	tg_st(&t, T0 + 25 * USEC, 0x50, I, 0, "x", SKR_TCP_SYN_SENT,
	      SKR_TCP_ESTABLISHED, LO, 1001, LO, 82);
	tg_end(&t, T0 + SEC, 0, 0);
	memset(&opts, 0, sizeof(opts));
	opts.report = SA_REPORT_DIAG;
	opts.format = SA_FORMAT_JSON;
	text = tg_run(&t, 1, &opts, &err, msg, sizeof(msg));
	ck_assert_int_eq(err, 0);
	ck_assert_ptr_nonnull(strstr(text, "\"outcome\":\"connect established\","
				     "\"count\":1,\"socket_ids\":\"2\""));
	ck_assert_ptr_nonnull(strstr(text, "\"reason\":\"reason not seen\","
				     "\"remote\":\"127.0.0.1:81\",\"count\":1,"
				     "\"socket_ids\":\"1\""));
	free(text);
}
END_TEST

/* Usage errors reported by sa_run_many itself. */
START_TEST(test_csv_refused)
{
	struct sa_run_opts opts;
	struct tg t;
	char msg[256];
	char *text;
	int err;

	memset(&opts, 0, sizeof(opts));
	opts.report = SA_REPORT_INFO;
	opts.format = SA_FORMAT_CSV;
	build_full(&t);
	text = tg_run(&t, 1, &opts, &err, msg, sizeof(msg));
	ck_assert_int_eq(err, -EINVAL);
	ck_assert_str_eq(msg, "--csv is for --timeline, --latency, --backlog "
			 "and --connections");
	free(text);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("analyze_reports");
	TCase *tc = tcase_create("reports");

	tcase_add_test(tc, test_diag_full);
	tcase_add_test(tc, test_timeline_full);
	tcase_add_test(tc, test_latency_full);
	tcase_add_test(tc, test_backlog_full);
	tcase_add_test(tc, test_diag_json);
	tcase_add_test(tc, test_state_only);
	tcase_add_test(tc, test_json_checker);
	tcase_add_test(tc, test_json_every_report);
	tcase_add_test(tc, test_json_escape);
	tcase_add_test(tc, test_filters);
	tcase_add_test(tc, test_cidr);
	tcase_add_test(tc, test_filtered_timeline);
	tcase_add_test(tc, test_hist);
	tcase_add_test(tc, test_merge_hosts);
	tcase_add_test(tc, test_merge_rotation);
	tcase_add_test(tc, test_snapshot_life);
	tcase_add_test(tc, test_csv_refused);
	tcase_add_test(tc, test_reconnect_same_cookie);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(suite());
}
