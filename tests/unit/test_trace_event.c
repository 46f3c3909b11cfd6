/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of sockana --trace-event on synthetic traces: processes by
 * owner, one unknown-owner process per namespace, pid ranges per host,
 * state slices inside a life slice, instants for resets and errors,
 * accept-queue counters, the --since/--until window, a socket whose
 * events were partly let go; every file checked by tests/unit/tevchk.c,
 * which is itself shown to refuse what the format does not allow.  The
 * committed samples go through the checker too.
 */
#include <check.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/report_trace_event.h"
#include "analyze/sockana.h"
#include "tevchk.h"
#include "tracegen.h"

#define WALL_BASE	1795341600ull	/* 2026-11-22T10:00:00Z */
#define SEC		1000000000ull
#define USEC		1000ull
#define T0		(2 * SEC)
#define P		SKR_CTX_PROCESS
#define I		SKR_CTX_SOFTIRQ
#define LO		"127.0.0.1"

#define LSN	0x300		/* srv[10]'s listener on 127.0.0.1:8080 */
#define CLI	0x301		/* cli[20]: connects, closes first */
#define SRV	0x302		/* the connection srv accepted */
#define REF	0x303		/* ref[30]: refused */

/* Tids of sockets #1, #2, ... */
#define TID(id)	(SA_TEV_TID_BASE + (id))

static void begin(struct tg *t, const char *host, uint8_t capture)
{
	static const char *const args[] = { "sockrec", NULL };
	const struct tg_host h = { .hostname = host, .boot_id = host };

	tg_begin(t);
	tg_header(t, 0, capture, 0, WALL_BASE * SEC);
	tg_host(t, &h);
	tg_recorder(t, NULL, args, "unit test");
	tg_probe(t, "inet_sock_set_state", SKR_REC_STATE, SKR_TIER_TP_BTF,
		 NULL);
	tg_probe(t, "accept", SKR_REC_ACCEPT, SKR_TIER_TRACEPOINT, NULL);
	tg_clock(t, 1 * SEC, WALL_BASE * SEC, 0);
}

/* A listener, a connection to it, and a refused connect. */
static void build_mixed(struct tg *t)
{
	const uint64_t b = T0;

	begin(t, "alpha", 0x5c);
	tg_st(t, b, LSN, P, 10, "srv", SKR_TCP_CLOSE, SKR_TCP_LISTEN, LO, 8080,
	      "0.0.0.0", 0);
	tg_listen(t, b + 1 * USEC, LSN, 10, 128, 128, 8080);
	tg_st(t, b + 10 * USEC, CLI, P, 20, "cli", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 40001, LO, 8080);
	tg_st(t, b + 12 * USEC, SRV, I, 0, "swapper/0", SKR_TCP_LISTEN,
	      SKR_TCP_SYN_RECV, LO, 8080, LO, 40001);
	tg_st(t, b + 15 * USEC, CLI, I, 0, "swapper/0", SKR_TCP_SYN_SENT,
	      SKR_TCP_ESTABLISHED, LO, 40001, LO, 8080);
	tg_st(t, b + 20 * USEC, SRV, I, 0, "swapper/0", SKR_TCP_SYN_RECV,
	      SKR_TCP_ESTABLISHED, LO, 8080, LO, 40001);
	tg_listener(t, b + 40 * USEC, LSN, 3, 128, 0);
	tg_accept(t, b + 60 * USEC, LSN, SRV, 10, 1, 128, 0);
	tg_st(t, b + 70 * USEC, REF, P, 30, "ref", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 40002, LO, 9);
	tg_reset(t, b + 72 * USEC, REF, SKR_TCP_SYN_SENT, 40002, 9);
	tg_st(t, b + 72 * USEC, REF, I, 0, "swapper/0", SKR_TCP_SYN_SENT,
	      SKR_TCP_CLOSE, LO, 40002, LO, 9);
	tg_error(t, b + 73 * USEC, REF, 111, SKR_TCP_CLOSE, 9);
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
	tg_end(t, b + 1 * SEC, 0, 0);
}

static char *run(struct tg *t, size_t n, struct sa_run_opts *opts)
{
	char msg[256];
	char *text;
	int err;

	opts->report = SA_REPORT_TRACE_EVENT;
	text = tg_run(t, n, opts, &err, msg, sizeof(msg));
	ck_assert_msg(err == 0, "%s", msg);
	return text;
}

/* The file passes the checker; *r says what it holds. */
static void check_file(const char *text, struct tevchk *r)
{
	ck_assert_msg(tevchk_check(text, strlen(text), r) == 0, "%s\n%s",
		      r->msg, text);
}

static void has(const char *text, const char *s)
{
	ck_assert_msg(strstr(text, s) != NULL, "missing %s in\n%s", s, text);
}

START_TEST(test_mixed)
{
	struct sa_run_opts opts;
	struct tevchk r;
	struct tg t;
	char *text;

	build_mixed(&t);
	memset(&opts, 0, sizeof(opts));
	text = run(&t, 1, &opts);
	check_file(text, &r);
	/* Sockets are tracks of their owners' processes. */
	has(text, "{\"ph\":\"M\",\"name\":\"process_name\",\"ts\":0,\"pid\":10,"
		  "\"tid\":10,\"args\":{\"name\":\"srv[10]\"}}");
	has(text, "\"pid\":20,\"tid\":20,\"args\":{\"name\":\"cli[20]\"}}");
	has(text, "\"pid\":30,\"tid\":30,\"args\":{\"name\":\"ref[30]\"}}");
	has(text, "{\"ph\":\"M\",\"name\":\"thread_name\",\"ts\":0,\"pid\":20,"
		  "\"tid\":536870914,\"args\":{\"name\":\"#2 127.0.0.1:40001 "
		  "-> 127.0.0.1:8080\"}}");
	has(text, "\"tid\":536870913,\"args\":{\"name\":\"#1 listen "
		  "127.0.0.1:8080\"}}");
	/* The life, then its states, in microseconds from the first event. */
	has(text, "{\"ph\":\"X\",\"name\":\"connect established\",\"cat\":"
		  "\"socket\",\"ts\":10,\"dur\":300,\"pid\":20,\"tid\":536870914,"
		  "\"args\":{\"socket\":2,\"cookie\":\"0x301\",\"netns\":"
		  "4026531840,\"role\":\"active\",\"owner\":\"cli[20]\",\"host\":"
		  "\"alpha\"}}");
	has(text, "{\"ph\":\"X\",\"name\":\"SYN_SENT\",\"cat\":\"state\",\"ts\":"
		  "10,\"dur\":5,\"pid\":20,\"tid\":536870914,\"args\":{\"from\":"
		  "\"CLOSE\"}}");
	has(text, "\"name\":\"ESTABLISHED\",\"cat\":\"state\",\"ts\":15,\"dur\":"
		  "85,\"pid\":20,");
	has(text, "\"name\":\"FIN_WAIT2\",\"cat\":\"state\",\"ts\":120,\"dur\":"
		  "190,\"pid\":20,");
	/* No slice for the CLOSE a new socket starts in. */
	ck_assert_ptr_null(strstr(text, "\"name\":\"CLOSE\""));
	/* The refused connect: its reset and error are instants on it. */
	has(text, "{\"ph\":\"X\",\"name\":\"connect refused\",\"cat\":\"socket\","
		  "\"ts\":70,\"dur\":3,\"pid\":30,");
	has(text, "{\"ph\":\"i\",\"name\":\"reset received\",\"cat\":\"reset\","
		  "\"ts\":72,\"s\":\"t\",\"pid\":30,\"tid\":536870916,");
	has(text, "{\"ph\":\"i\",\"name\":\"error ECONNREFUSED\",\"cat\":"
		  "\"error\",\"ts\":73,\"s\":\"t\",\"pid\":30,\"tid\":536870916,");
	/* The listener's queue: at listen(), the sample and the accept. */
	has(text, "{\"ph\":\"C\",\"name\":\"accept queue #1 127.0.0.1:8080\","
		  "\"cat\":\"accept_queue\",\"ts\":40,\"pid\":10,\"tid\":"
		  "536870913,\"args\":{\"length\":3,\"limit\":128}}");
	has(text, "\"ts\":60,\"pid\":10,\"tid\":536870913,\"args\":{\"length\":1,"
		  "\"limit\":128}}");
	ck_assert_uint_eq(r.counters, 3);
	ck_assert_uint_eq(r.tracks, 4);
	ck_assert_uint_eq(r.processes, 3);
	ck_assert_uint_eq(r.instants, 2);
	ck_assert_uint_eq(r.max_depth, 2);
	has(text, "\"otherData\":{\"generator\":\"sockana\",\"ts_0\":"
		  "\"2026-11-22T10:00:01.000000Z\",\"hosts\":\"alpha\","
		  "\"sockets\":\"4\",\"lost_events\":\"0\",\"truncated\":\"no\"}}");
	free(text);
}
END_TEST

/* A trace cut short says so in the file: a global instant, otherData. */
START_TEST(test_truncated)
{
	struct sa_run_opts opts;
	struct tevchk r;
	struct tg t;
	char *text;

	begin(&t, "alpha", 0x5c);
	tg_st(&t, T0, 0x7, P, 3, "c", SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, LO,
	      1000, LO, 80);
	memset(&opts, 0, sizeof(opts));
	text = run(&t, 1, &opts);
	check_file(text, &r);
	has(text, "{\"ph\":\"i\",\"name\":\"WARNING: trace is truncated "
		  "(recorder killed or file cut); showing its complete part: ");
	has(text, "\"cat\":\"warning\",\"ts\":0,\"s\":\"g\",\"pid\":0,"
		  "\"tid\":0}");
	has(text, "\"truncated\":\"yes\"}}");
	ck_assert_uint_eq(r.instants, 1);
	free(text);
}
END_TEST

/*
 * An event that arrives after its round was released steps back in time:
 * the socket's times are taken in order, so its slices still nest and no
 * duration is negative.
 */
START_TEST(test_late)
{
	struct sa_run_opts opts;
	struct tevchk r;
	struct tg t;
	char *text;

	begin(&t, "alpha", 0x5c);
	tg_st(&t, T0 + 10 * USEC, 0x8, P, 3, "c", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 1000, LO, 80);
	tg_st(&t, T0 + 40 * USEC, 0x8, I, 0, "x", SKR_TCP_SYN_SENT,
	      SKR_TCP_ESTABLISHED, LO, 1000, LO, 80);
	tg_round(&t, T0 + 50 * USEC);
	tg_st(&t, T0 + 30 * USEC, 0x8, P, 3, "c", SKR_TCP_ESTABLISHED,
	      SKR_TCP_FIN_WAIT1, LO, 1000, LO, 80);
	tg_st(&t, T0 + 60 * USEC, 0x8, I, 0, "x", SKR_TCP_FIN_WAIT1,
	      SKR_TCP_CLOSE, LO, 1000, LO, 80);
	tg_end(&t, T0 + SEC, 0, 0);
	memset(&opts, 0, sizeof(opts));
	text = run(&t, 1, &opts);
	check_file(text, &r);
	/* ESTABLISHED from 40 to the late 30, taken as 40: no time. */
	has(text, "\"name\":\"ESTABLISHED\",\"cat\":\"state\",\"ts\":30,"
		  "\"dur\":0,");
	has(text, "\"name\":\"FIN_WAIT1\",\"cat\":\"state\",\"ts\":30,"
		  "\"dur\":20,");
	free(text);
}
END_TEST

/* The same trace gives the same bytes. */
START_TEST(test_deterministic)
{
	struct sa_run_opts opts;
	struct tg t;
	char *a, *b;

	build_mixed(&t);
	memset(&opts, 0, sizeof(opts));
	a = run(&t, 1, &opts);
	build_mixed(&t);
	memset(&opts, 0, sizeof(opts));
	b = run(&t, 1, &opts);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
}
END_TEST

/*
 * Sockets whose owner no call showed: one process per namespace, after
 * the range of real pids, named by the namespace.
 */
START_TEST(test_unknown_owner)
{
	struct sa_run_opts opts;
	struct tevchk r;
	struct tg t;
	char *text;

	begin(&t, "alpha", 0x5c);
	t.netns = 111;
	tg_st(&t, T0, 0x1, I, 0, "swapper/0", SKR_TCP_ESTABLISHED,
	      SKR_TCP_FIN_WAIT1, LO, 1000, LO, 80);
	t.netns = 222;
	tg_st(&t, T0 + 5 * USEC, 0x2, I, 0, "swapper/1", SKR_TCP_ESTABLISHED,
	      SKR_TCP_CLOSE_WAIT, LO, 2000, LO, 80);
	t.netns = 111;
	tg_st(&t, T0 + 9 * USEC, 0x3, I, 0, "swapper/0", SKR_TCP_ESTABLISHED,
	      SKR_TCP_CLOSE_WAIT, LO, 3000, LO, 80);
	tg_end(&t, T0 + 20 * USEC, 0, 0);
	memset(&opts, 0, sizeof(opts));
	text = run(&t, 1, &opts);
	check_file(text, &r);
	has(text, "\"pid\":4194304,\"tid\":4194304,\"args\":{\"name\":"
		  "\"unknown owner, netns 111\"}}");
	has(text, "\"pid\":4194305,\"tid\":4194305,\"args\":{\"name\":"
		  "\"unknown owner, netns 222\"}}");
	has(text, "\"pid\":4194304,\"tid\":536870915,");
	ck_assert_uint_eq(r.processes, 2);
	/*
	 * Older than the trace: the state before its first transition is
	 * shown from its first event on (#3 was ESTABLISHED from 9 to 9: no
	 * slice); open at the end, its last state lasts to the trace's last
	 * event, here none after it.
	 */
	ck_assert_ptr_null(strstr(text, "\"name\":\"ESTABLISHED\""));
	has(text, "{\"ph\":\"X\",\"name\":\"FIN_WAIT1\",\"cat\":\"state\","
		  "\"ts\":0,\"dur\":9,\"pid\":4194304,\"tid\":536870913,"
		  "\"args\":{\"from\":\"ESTABLISHED\"}}");
	has(text, "{\"ph\":\"X\",\"name\":\"CLOSE_WAIT\",\"cat\":\"state\","
		  "\"ts\":9,\"dur\":0,\"pid\":4194304,\"tid\":536870915,"
		  "\"args\":{\"from\":\"ESTABLISHED\"}}");
	free(text);
}
END_TEST

/* Two hosts: the same pid twice, in two ranges, named by host. */
START_TEST(test_hosts)
{
	struct sa_run_opts opts;
	struct tevchk r;
	struct tg t[2];
	char *text;

	begin(&t[0], "alpha", 0x5c);
	tg_st(&t[0], T0 + 10 * USEC, 0x42, P, 7, "c", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 1000, LO, 80);
	tg_st(&t[0], T0 + 30 * USEC, 0x42, I, 0, "x", SKR_TCP_SYN_SENT,
	      SKR_TCP_CLOSE, LO, 1000, LO, 80);
	tg_end(&t[0], T0 + SEC, 0, 0);
	begin(&t[1], "beta", 0x5d);
	tg_st(&t[1], T0 + 20 * USEC, 0x42, P, 7, "d", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 1001, LO, 80);
	tg_st(&t[1], T0 + 25 * USEC, 0x42, I, 0, "x", SKR_TCP_SYN_SENT,
	      SKR_TCP_CLOSE, LO, 1001, LO, 80);
	tg_end(&t[1], T0 + SEC, 0, 0);
	memset(&opts, 0, sizeof(opts));
	text = run(t, 2, &opts);
	check_file(text, &r);
	has(text, "\"pid\":7,\"tid\":7,\"args\":{\"name\":\"c[7] (host "
		  "alpha)\"}}");
	has(text, "\"pid\":8388615,\"tid\":8388615,\"args\":{\"name\":\"d[7] "
		  "(host beta)\"}}");
	has(text, "\"ts\":0,\"dur\":20,\"pid\":7,");
	has(text, "\"ts\":10,\"dur\":5,\"pid\":8388615,");
	has(text, "\"hosts\":\"alpha, beta\"");
	ck_assert_uint_eq(r.processes, 2);
	free(text);
}
END_TEST

/* --since and --until cut slices at the window and leave out the rest. */
START_TEST(test_window)
{
	struct sa_run_opts opts;
	struct tevchk r;
	struct tg t;
	char msg[200], *text;

	build_mixed(&t);
	memset(&opts, 0, sizeof(opts));
	ck_assert_int_eq(sa_filter_parse(&opts.filters, "--since", "+0.000050",
					 msg, sizeof(msg)), 0);
	ck_assert_int_eq(sa_filter_parse(&opts.filters, "--until", "+0.000200",
					 msg, sizeof(msg)), 0);
	text = run(&t, 1, &opts);
	check_file(text, &r);
	/* ESTABLISHED 15..100 is cut to 50..100; FIN_WAIT2 120..310 to 200. */
	has(text, "\"name\":\"ESTABLISHED\",\"cat\":\"state\",\"ts\":50,\"dur\":"
		  "50,\"pid\":20,");
	has(text, "\"name\":\"FIN_WAIT2\",\"cat\":\"state\",\"ts\":120,\"dur\":"
		  "80,\"pid\":20,");
	/* The counter at 40 is before the window, the one at 60 inside. */
	ck_assert_ptr_null(strstr(text, "\"ts\":40,"));
	ck_assert_uint_eq(r.counters, 1);
	ck_assert_ptr_null(strstr(text, "\"name\":\"SYN_SENT\",\"cat\":"
				  "\"state\",\"ts\":10"));
	free(text);
}
END_TEST

static void retransmit(struct tg *t, uint64_t ts, uint64_t cookie,
		       uint32_t n)
{
	struct skr_ev_retransmit e;

	memset(&e, 0, sizeof(e));
	e.hdr.len = sizeof(e);
	e.hdr.type = SKR_REC_RETRANSMIT;
	tg_common(t, &e.c, ts, cookie, SKR_CTX_SOFTIRQ, 0);
	tg_addr(LO, e.saddr, &e.family);
	tg_addr(LO, e.daddr, &e.family);
	e.sport = 5000;
	e.dport = 80;
	e.retrans = n;
	e.state = SKR_TCP_ESTABLISHED;
	e.kind = SKR_RETRANS_DATA;
	tg_put(t, &e, sizeof(e));
}

/*
 * A socket with more events than it keeps, and more transitions among
 * those let go than are kept aside: the states there are unknown, shown
 * as one "events not kept" slice, and the rest still nests.
 */
START_TEST(test_gap)
{
	static const uint8_t flip[2][2] = {
		{ SKR_TCP_ESTABLISHED, SKR_TCP_CLOSE_WAIT },
		{ SKR_TCP_CLOSE_WAIT, SKR_TCP_ESTABLISHED },
	};
	struct sa_run_opts opts;
	struct tevchk r;
	struct tg t;
	char *text;
	uint64_t ts = T0;
	unsigned i;

	begin(&t, "alpha", 0x5c);
	tg_st(&t, ts, 0x9, P, 5, "g", SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, LO,
	      5000, LO, 80);
	tg_st(&t, ts += USEC, 0x9, I, 0, "x", SKR_TCP_SYN_SENT,
	      SKR_TCP_ESTABLISHED, LO, 5000, LO, 80);
	for (i = 0; i < 3000; i++) {
		ts += USEC;
		if (i % 100 == 50)
			tg_st(&t, ts, 0x9, I, 0, "x", flip[i / 100 % 2][0],
			      flip[i / 100 % 2][1], LO, 5000, LO, 80);
		else
			retransmit(&t, ts, 0x9, i);
	}
	tg_st(&t, ts += USEC, 0x9, P, 5, "g", SKR_TCP_ESTABLISHED,
	      SKR_TCP_FIN_WAIT1, LO, 5000, LO, 80);
	tg_end(&t, ts + USEC, 0, 0);
	memset(&opts, 0, sizeof(opts));
	text = run(&t, 1, &opts);
	check_file(text, &r);
	has(text, "{\"ph\":\"X\",\"name\":\"events not kept\",\"cat\":\"gap\",");
	has(text, "\"name\":\"retransmit\",\"cat\":\"retransmit\"");
	ck_assert_uint_eq(r.max_depth, 2);
	free(text);
}
END_TEST

/* A document from one line per event, between the object's brackets. */
static int verdict(const char *events, struct tevchk *r)
{
	char doc[4096];

	snprintf(doc, sizeof(doc), "{\"traceEvents\":[%s]}\n", events);
	return tevchk_check(doc, strlen(doc), r);
}

#define NAMES \
	"{\"ph\":\"M\",\"name\":\"process_name\",\"ts\":0,\"pid\":1,\"tid\":1," \
	"\"args\":{\"name\":\"p\"}}," \
	"{\"ph\":\"M\",\"name\":\"thread_name\",\"ts\":0,\"pid\":1,\"tid\":9," \
	"\"args\":{\"name\":\"t\"}}"
#define SL(ts, dur) \
	",{\"ph\":\"X\",\"name\":\"s\",\"ts\":" ts ",\"dur\":" dur \
	",\"pid\":1,\"tid\":9}"

/* The checker accepts what the format allows and refuses the rest. */
START_TEST(test_checker)
{
	static const struct {
		const char *events, *why;
	} bad[] = {
		{ NAMES SL("1", "10") SL("5", "10"), "overlaps" },
		{ NAMES SL("1", "10") SL("1.0005", "1"), "three decimals" },
		{ NAMES ",{\"ph\":\"X\",\"name\":\"s\",\"ts\":1,\"pid\":1,"
		  "\"tid\":9}", "without \"dur\"" },
		{ NAMES ",{\"ph\":\"i\",\"name\":\"s\",\"ts\":1,\"pid\":1,"
		  "\"s\":\"t\"}", "no \"tid\"" },
		{ NAMES ",{\"name\":\"s\",\"ts\":1,\"pid\":1,\"tid\":9}",
		  "no \"ph\"" },
		{ NAMES ",{\"ph\":\"i\",\"name\":\"s\",\"pid\":1,\"tid\":9,"
		  "\"s\":\"t\"}", "no \"ts\"" },
		{ NAMES ",{\"ph\":\"B\",\"name\":\"s\",\"ts\":1,\"pid\":1,"
		  "\"tid\":9}", "not X, i, C or M" },
		{ NAMES ",{\"ph\":\"i\",\"name\":\"s\",\"ts\":1,\"pid\":1,"
		  "\"tid\":9}", "without \"s\"" },
		{ NAMES ",{\"ph\":\"C\",\"name\":\"q\",\"ts\":1,\"pid\":1,"
		  "\"tid\":9,\"args\":{\"length\":\"3\"}}", "not a number" },
		{ NAMES SL("1", "1") ",{\"ph\":\"X\",\"name\":\"s\",\"ts\":1,"
		  "\"dur\":1,\"pid\":1,\"tid\":8}", "track 1/8 has no name" },
		{ NAMES ",{\"ph\":\"X\",\"name\":\"s\",\"ts\":1,\"dur\":1,"
		  "\"pid\":2,\"tid\":9}", "process 2/0 has no name" },
		{ NAMES "," NAMES, "named twice" },
		{ NAMES ",{\"ph\":\"M\",\"name\":\"process_name\",\"ts\":0,"
		  "\"pid\":2,\"tid\":2,\"args\":{\"name\":\"q\"}},{\"ph\":\"M\","
		  "\"name\":\"thread_name\",\"ts\":0,\"pid\":2,\"tid\":9,"
		  "\"args\":{\"name\":\"t\"}}", "tid 9 under pids" },
		{ NAMES ",{\"ph\":\"X\",\"name\":\"s\",\"ts\":-1,\"dur\":1,"
		  "\"pid\":1,\"tid\":9}", "not microseconds" },
		{ NAMES ",{\"ph\":\"X\",\"name\":\"s\",\"ts\":1,\"dur\":1,"
		  "\"pid\":4294967296,\"tid\":9}", "unsigned 32-bit" },
		{ NAMES SL("1", "1") ",", "not one JSON object" },
	};
	struct tevchk r;
	size_t i;

	/* Nested, adjacent and equal slices, an instant, a counter. */
	ck_assert_int_eq(verdict(NAMES SL("1", "10") SL("1", "10") SL("1", "4")
				 SL("5", "6") SL("11", "0") SL("2.5", "0.001")
				 ",{\"ph\":\"i\",\"name\":\"r\",\"ts\":3,"
				 "\"s\":\"t\",\"pid\":1,\"tid\":9}"
				 ",{\"ph\":\"C\",\"name\":\"q\",\"ts\":3,"
				 "\"pid\":1,\"tid\":9,\"args\":{\"a\":1,"
				 "\"b\":2.5}}", &r), 0);
	ck_assert_uint_eq(r.slices, 6);
	ck_assert_uint_eq(r.max_depth, 4);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(verdict(bad[i].events, &r) != 0,
			      "accepted case %zu", i);
		ck_assert_msg(strstr(r.msg, bad[i].why) != NULL,
			      "case %zu: \"%s\" does not say \"%s\"", i, r.msg,
			      bad[i].why);
	}
}
END_TEST

/* Every committed sample makes a file the checker accepts. */
START_TEST(test_samples)
{
	struct sa_run_opts opts;
	struct tevchk r;
	size_t i;
	glob_t g;

	ck_assert_int_eq(glob("samples/*/trace.skr", 0, NULL, &g), 0);
	ck_assert_uint_ge(g.gl_pathc, 8);
	for (i = 0; i < g.gl_pathc; i++) {
		struct skr_reader *rd = NULL;
		char *text = NULL, msg[256];
		size_t len = 0;
		FILE *out;
		int err;

		memset(&opts, 0, sizeof(opts));
		opts.report = SA_REPORT_TRACE_EVENT;
		opts.name = g.gl_pathv[i];
		ck_assert_int_eq(skr_reader_open(&rd, g.gl_pathv[i]), 0);
		out = open_memstream(&text, &len);
		ck_assert_ptr_nonnull(out);
		err = sa_run(rd, &opts, out, msg, sizeof(msg));
		ck_assert_int_eq(fclose(out), 0);
		skr_reader_free(rd);
		ck_assert_msg(err == 0, "%s: %s", g.gl_pathv[i], msg);
		ck_assert_msg(tevchk_check(text, len, &r) == 0, "%s: %s",
			      g.gl_pathv[i], r.msg);
		ck_assert_uint_gt(r.slices, 0);
		free(text);
	}
	globfree(&g);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("trace_event");
	TCase *tc = tcase_create("trace_event");

	/* A bound, not a measure: every sample, under ASan too. */
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_mixed);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_late);
	tcase_add_test(tc, test_deterministic);
	tcase_add_test(tc, test_unknown_owner);
	tcase_add_test(tc, test_hosts);
	tcase_add_test(tc, test_window);
	tcase_add_test(tc, test_gap);
	tcase_add_test(tc, test_checker);
	tcase_add_test(tc, test_samples);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(suite());
}
