/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of the analyzer: synthetic traces are written through the
 * format library into a temporary file, then read back through sa_run()
 * or the individual modules, and the output text is compared exactly.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/sockana.h"
#include "analyze/sockets_owner.h"
#include "tracegen.h"

#define NETNS		TG_NETNS
#define WALL_BASE	1795341600ull	/* 2026-11-22T10:00:00Z */
#define SEC		1000000000ull
#define USEC		1000ull
#define T0		(2 * SEC)	/* first event, boot clock */

/* ------------------------------------------------------------------ */
/* Building traces                                                      */
/* ------------------------------------------------------------------ */

/* One segment's header, metadata and, if asked, clock. */
static void segment(struct tg *t, uint32_t file_index, bool with_clock)
{
	static const char *const args[] = { "sockrec", "-w", "my trace.skr",
					    NULL };
	static const struct tg_host host = {
		.hostname = "testhost", .krelease = "6.18.0",
		.machine = "x86_64", .ncpus = 2,
	};

	tg_header(t, file_index, 0xab, SKR_VERSION_MINOR, WALL_BASE * SEC);
	tg_host(t, &host);
	tg_recorder(t, "0.1.0", args, NULL);
	tg_probe(t, "inet_sock_set_state", 0, SKR_TIER_TP_BTF, NULL);
	tg_probe(t, "listen", 0, SKR_TIER_NONE, "tracefs not mounted");
	if (with_clock)
		tg_clock(t, 1 * SEC, WALL_BASE * SEC, 1500);
}

static void begin(struct tg *t, bool with_clock)
{
	tg_begin(t);
	segment(t, 0, with_clock);
}

/* Run a report over the trace; returns the text, *err the result. */
static char *report(struct tg *t, enum sa_report rep, int *err)
{
	struct sa_run_opts opts;
	char msg[512];

	memset(&opts, 0, sizeof(opts));
	opts.report = rep;
	return tg_run(t, 1, &opts, err, msg, sizeof(msg));
}

/* ------------------------------------------------------------------ */
/* The loopback connection of docs/KERNELS.md: client closes first     */
/* ------------------------------------------------------------------ */

#define LO	"127.0.0.1"
#define C	0x1001		/* client cookie */
#define S	0x1002		/* server's accepted socket */
#define P	SKR_CTX_PROCESS
#define I	SKR_CTX_SOFTIRQ

static const struct tg_ev conn[10] = {
	{ T0 + 0,	 C, 0, P, 100, "client", SKR_TCP_CLOSE, SKR_TCP_SYN_SENT,
	  LO, 0, LO, 8080 },
	{ T0 + 10 * USEC, S, 1, I, 0, "swapper/1", SKR_TCP_LISTEN,
	  SKR_TCP_SYN_RECV, LO, 8080, LO, 40000 },
	{ T0 + 20 * USEC, C, 0, I, 0, "swapper/0", SKR_TCP_SYN_SENT,
	  SKR_TCP_ESTABLISHED, LO, 40000, LO, 8080 },
	{ T0 + 30 * USEC, S, 1, I, 0, "swapper/1", SKR_TCP_SYN_RECV,
	  SKR_TCP_ESTABLISHED, LO, 8080, LO, 40000 },
	{ T0 + 100 * USEC, C, 0, P, 100, "client", SKR_TCP_ESTABLISHED,
	  SKR_TCP_FIN_WAIT1, LO, 40000, LO, 8080 },
	/* softirq on top of the client: the task is not the server's */
	{ T0 + 110 * USEC, S, 1, I, 100, "client", SKR_TCP_ESTABLISHED,
	  SKR_TCP_CLOSE_WAIT, LO, 8080, LO, 40000 },
	{ T0 + 120 * USEC, C, 1, I, 0, "swapper/1", SKR_TCP_FIN_WAIT1,
	  SKR_TCP_FIN_WAIT2, LO, 40000, LO, 8080 },
	{ T0 + 200 * USEC, S, 1, P, 200, "a-long-server-name", SKR_TCP_CLOSE_WAIT,
	  SKR_TCP_LAST_ACK, LO, 8080, LO, 40000 },
	{ T0 + 210 * USEC, C, 0, I, 0, "swapper/0", SKR_TCP_FIN_WAIT2,
	  SKR_TCP_CLOSE, LO, 40000, LO, 8080 },
	{ T0 + 220 * USEC, S, 0, I, 0, "swapper/0", SKR_TCP_LAST_ACK,
	  SKR_TCP_CLOSE, LO, 8080, LO, 40000 },
};

/* CPU 1's buffer is drained before CPU 0's, as the perf reader does. */
static void put_conn(struct tg *t)
{
	static const int round1[] = { 1, 3, 0, 2 };
	static const int round2[] = { 5, 6, 7, 4, 8, 9 };
	size_t i;

	for (i = 0; i < sizeof(round1) / sizeof(round1[0]); i++)
		tg_state(t, &conn[round1[i]]);
	tg_round(t, T0 + 50 * USEC);
	for (i = 0; i < sizeof(round2) / sizeof(round2[0]); i++)
		tg_state(t, &conn[round2[i]]);
}

static const char conn_timeline[] =
"#1 cookie 0x1001 IPv4 127.0.0.1:40000 -> 127.0.0.1:8080 netns 4026531840 owner client[100] peer #2\n"
"  2026-11-22T10:00:01.000000Z  +0.000000    CLOSE        -> SYN_SENT               -  client[100]\n"
"  2026-11-22T10:00:01.000020Z  +0.000020    SYN_SENT     -> ESTABLISHED     0.000020  (softirq)\n"
"  2026-11-22T10:00:01.000100Z  +0.000100    ESTABLISHED  -> FIN_WAIT1       0.000080  client[100]\n"
"  2026-11-22T10:00:01.000120Z  +0.000120    FIN_WAIT1    -> FIN_WAIT2       0.000020  (softirq)\n"
"  2026-11-22T10:00:01.000210Z  +0.000210    FIN_WAIT2    -> CLOSE           0.000090  (softirq)\n"
"\n"
"#2 cookie 0x1002 IPv4 127.0.0.1:8080 -> 127.0.0.1:40000 netns 4026531840 owner a-long-server-na[200] peer #1\n"
"  2026-11-22T10:00:01.000010Z  +0.000000    LISTEN       -> SYN_RECV               -  (softirq)\n"
"  2026-11-22T10:00:01.000030Z  +0.000020    SYN_RECV     -> ESTABLISHED     0.000020  (softirq)\n"
"  2026-11-22T10:00:01.000110Z  +0.000100    ESTABLISHED  -> CLOSE_WAIT      0.000080  (softirq)\n"
"  2026-11-22T10:00:01.000200Z  +0.000190    CLOSE_WAIT   -> LAST_ACK        0.000090  a-long-server-na[200]\n"
"  2026-11-22T10:00:01.000220Z  +0.000210    LAST_ACK     -> CLOSE           0.000020  (softirq)\n"
"\n"
"2 sockets, 10 events\n";

START_TEST(test_timeline_conn)
{
	struct tg t;
	char *text;
	int err;

	begin(&t, true);
	put_conn(&t);
	tg_end(&t, T0 + SEC, 0, 0);
	text = report(&t, SA_REPORT_TIMELINE, &err);
	ck_assert_int_eq(err, 0);
	ck_assert_str_eq(text, conn_timeline);
	free(text);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Socket table, directly                                               */
/* ------------------------------------------------------------------ */

struct seen {
	int n;
	uint64_t id[8], cookie[8];
	char owner[8][SA_TASK_LEN];
	char states[8][128];
};

static int collect(void *ctx, const struct sa_sock *s)
{
	struct seen *sn = ctx;
	char b1[24], b2[24];
	size_t i;
	int n;

	ck_assert_int_lt(sn->n, 8);
	sn->id[sn->n] = s->id;
	sn->cookie[sn->n] = s->cookie;
	if (s->have_owner)
		sa_text_task(s->owner_comm, s->owner_pid, sn->owner[sn->n],
			     sizeof(sn->owner[0]));
	for (i = 0, n = 0; i < s->nitems; i++) {
		int k = snprintf(sn->states[sn->n] + n,
				 sizeof(sn->states[0]) - (size_t)n, "%s%s>%s",
				 i ? " " : "",
				 skr_tcp_state_name(s->items[i].oldstate, b1,
						    sizeof(b1)),
				 skr_tcp_state_name(s->items[i].newstate, b2,
						    sizeof(b2)));

		ck_assert(k > 0 && (size_t)k < sizeof(sn->states[0]) - (size_t)n);
		n += k;
	}
	sn->n++;
	return 0;
}

static void feed(struct sa_sockets *tab, const struct tg_ev *e)
{
	static const struct tg dflt = { .netns = NETNS };
	struct skr_ev_state s;
	struct sa_evctx ec;

	tg_state_fill(&dflt, e, &s);
	ec.host = 0;
	ec.input = 0;
	ec.mt = e->ts;
	ck_assert_int_eq(sa_sockets_state(tab, &ec, &s), 0);
}

START_TEST(test_sockets_states_and_owner)
{
	struct sa_sockets *tab;
	struct seen sn;
	size_t i;

	memset(&sn, 0, sizeof(sn));
	ck_assert_int_eq(sa_sockets_new(&tab, collect, &sn), 0);
	for (i = 0; i < 10; i++)
		feed(tab, &conn[i]);
	/* closed lives wait out the grace period for late kernel reports */
	ck_assert_int_eq(sn.n, 0);
	ck_assert_int_eq(sa_sockets_tick(tab, T0 + SA_CLOSE_GRACE_NS), 0);
	ck_assert_int_eq(sn.n, 0);
	ck_assert_int_eq(sa_sockets_tick(tab, T0 + 210 * USEC + SA_CLOSE_GRACE_NS), 0);
	ck_assert_int_eq(sn.n, 1);
	ck_assert_int_eq(sa_sockets_tick(tab, T0 + SEC + SA_CLOSE_GRACE_NS), 0);
	ck_assert_int_eq(sn.n, 2);
	ck_assert_uint_eq(sn.cookie[0], C);
	ck_assert_uint_eq(sn.id[0], 1);
	ck_assert_str_eq(sn.states[0], "CLOSE>SYN_SENT SYN_SENT>ESTABLISHED "
			 "ESTABLISHED>FIN_WAIT1 FIN_WAIT1>FIN_WAIT2 FIN_WAIT2>CLOSE");
	ck_assert_str_eq(sn.owner[0], "client[100]");
	ck_assert_uint_eq(sn.cookie[1], S);
	ck_assert_uint_eq(sn.id[1], 2);
	ck_assert_str_eq(sn.states[1], "LISTEN>SYN_RECV SYN_RECV>ESTABLISHED "
			 "ESTABLISHED>CLOSE_WAIT CLOSE_WAIT>LAST_ACK LAST_ACK>CLOSE");
	/* softirq events carried pid 0 and the client; neither is the owner */
	ck_assert_str_eq(sn.owner[1], "a-long-server-na[200]");
	ck_assert_uint_eq(sa_sockets_seen(tab), 2);
	ck_assert_uint_eq(sa_sockets_transitions(tab), 10);
	ck_assert_int_eq(sa_sockets_finish(tab), 0);
	ck_assert_int_eq(sn.n, 2);
	sa_sockets_free(tab);
}
END_TEST

/*
 * A table told to keep no owners (a view that never reads one, --info)
 * hands on the same lives, transitions and all, with no owner.
 */
START_TEST(test_sockets_keep_no_owners)
{
	struct sa_sockets *tab;
	struct seen sn;
	size_t i;

	memset(&sn, 0, sizeof(sn));
	ck_assert_int_eq(sa_sockets_new(&tab, collect, &sn), 0);
	sa_sockets_keep_owners(tab, false);
	for (i = 0; i < 10; i++)
		feed(tab, &conn[i]);
	ck_assert_int_eq(sa_sockets_finish(tab), 0);
	ck_assert_int_eq(sn.n, 2);
	ck_assert_uint_eq(sn.cookie[0], C);
	ck_assert_str_eq(sn.states[0], "CLOSE>SYN_SENT SYN_SENT>ESTABLISHED "
			 "ESTABLISHED>FIN_WAIT1 FIN_WAIT1>FIN_WAIT2 FIN_WAIT2>CLOSE");
	ck_assert_str_eq(sn.owner[0], "");
	ck_assert_uint_eq(sn.cookie[1], S);
	ck_assert_str_eq(sn.owner[1], "");
	ck_assert_uint_eq(sa_sockets_transitions(tab), 10);
	sa_sockets_free(tab);
}
END_TEST

START_TEST(test_sockets_owner_unknown_ctx)
{
	static const struct tg_ev evs[] = {
		{ 1, 7, 0, SKR_CTX_UNKNOWN, 0, "swapper/0", SKR_TCP_CLOSE,
		  SKR_TCP_LISTEN, LO, 80, "0.0.0.0", 0 },
		{ 2, 7, 0, SKR_CTX_UNKNOWN, 42, "nginx", SKR_TCP_LISTEN,
		  SKR_TCP_CLOSE, LO, 80, "0.0.0.0", 0 },
		{ 3, 8, 0, SKR_CTX_SOFTIRQ, 42, "nginx", SKR_TCP_CLOSE,
		  SKR_TCP_SYN_SENT, LO, 0, LO, 80 },
	};
	struct sa_sockets *tab;
	struct seen sn;
	size_t i;

	memset(&sn, 0, sizeof(sn));
	ck_assert_int_eq(sa_sockets_new(&tab, collect, &sn), 0);
	for (i = 0; i < 3; i++)
		feed(tab, &evs[i]);
	ck_assert_int_eq(sa_sockets_tick(tab, 3 + SA_CLOSE_GRACE_NS), 0);
	ck_assert_int_eq(sn.n, 1);
	ck_assert_str_eq(sn.owner[0], "nginx[42]");
	ck_assert_int_eq(sa_sockets_finish(tab), 0);
	ck_assert_int_eq(sn.n, 2);
	/* only a softirq event: no owner */
	ck_assert_str_eq(sn.owner[1], "");
	sa_sockets_free(tab);
}
END_TEST

START_TEST(test_address_reuse)
{
	/* Two lives on the same 4-tuple, the second starting before the
	 * first is gone (TIME_WAIT reuse): two cookies, two sockets. */
	static const struct tg_ev evs[] = {
		{ T0, 0xa, 0, P, 100, "client", SKR_TCP_CLOSE, SKR_TCP_SYN_SENT,
		  LO, 0, LO, 8080 },
		{ T0 + 1 * USEC, 0xa, 0, I, 0, "swapper/0", SKR_TCP_SYN_SENT,
		  SKR_TCP_ESTABLISHED, LO, 40000, LO, 8080 },
		{ T0 + 2 * USEC, 0xb, 0, P, 101, "client2", SKR_TCP_CLOSE,
		  SKR_TCP_SYN_SENT, LO, 0, LO, 8080 },
		{ T0 + 3 * USEC, 0xb, 0, I, 0, "swapper/0", SKR_TCP_SYN_SENT,
		  SKR_TCP_ESTABLISHED, LO, 40000, LO, 8080 },
		{ T0 + 4 * USEC, 0xa, 0, P, 100, "client", SKR_TCP_ESTABLISHED,
		  SKR_TCP_CLOSE, LO, 40000, LO, 8080 },
	};
	struct tg t;
	char *text;
	size_t i;
	int err;

	begin(&t, true);
	for (i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		tg_state(&t, &evs[i]);
	tg_end(&t, T0 + SEC, 0, 0);
	text = report(&t, SA_REPORT_TIMELINE, &err);
	ck_assert_int_eq(err, 0);
	ck_assert_str_eq(text,
"#1 cookie 0xa IPv4 127.0.0.1:40000 -> 127.0.0.1:8080 netns 4026531840 owner client[100]\n"
"  2026-11-22T10:00:01.000000Z  +0.000000    CLOSE        -> SYN_SENT               -  client[100]\n"
"  2026-11-22T10:00:01.000001Z  +0.000001    SYN_SENT     -> ESTABLISHED     0.000001  (softirq)\n"
"  2026-11-22T10:00:01.000004Z  +0.000004    ESTABLISHED  -> CLOSE           0.000003  client[100]\n"
"\n"
"#2 cookie 0xb IPv4 127.0.0.1:40000 -> 127.0.0.1:8080 netns 4026531840 owner client2[101]\n"
"  2026-11-22T10:00:01.000002Z  +0.000000    CLOSE        -> SYN_SENT               -  client2[101]\n"
"  2026-11-22T10:00:01.000003Z  +0.000001    SYN_SENT     -> ESTABLISHED     0.000001  (softirq)\n"
"\n"
"2 sockets, 5 events\n");
	free(text);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Time order                                                           */
/* ------------------------------------------------------------------ */

struct order {
	uint64_t ts[256];
	size_t n;
	size_t at_round[8];	/* events released when each ROUND was seen */
	size_t rounds;
};

static int order_meta(void *ctx, const struct skr_record *rec)
{
	struct order *o = ctx;

	if (rec->type == SKR_REC_ROUND && o->rounds < 8)
		o->at_round[o->rounds++] = o->n;
	return 0;
}

static int order_event(void *ctx, const struct skr_record *rec, uint64_t ts)
{
	struct order *o = ctx;
	struct skr_ev_state ev;

	ck_assert_int_eq(skr_decode_state(rec, &ev), 0);
	ck_assert_uint_eq(ev.c.ts_ns, ts);
	ck_assert_uint_lt(o->n, 256);
	o->ts[o->n++] = ts;
	return 0;
}

static const struct sa_replay_ops order_ops = {
	.meta = order_meta,
	.event = order_event,
};

START_TEST(test_replay_order)
{
	struct sa_replay_stats st;
	struct skr_reader *r;
	struct order o;
	struct tg t;
	size_t i;

	begin(&t, true);
	put_conn(&t);
	tg_round(&t, T0 + 1000 * USEC);
	tg_end(&t, T0 + SEC, 0, 0);
	r = tg_finish(&t);
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(sa_replay_run(r, NULL, &order_ops, &o, &st), 0);
	ck_assert_uint_eq(o.n, 10);
	for (i = 0; i < 10; i++)
		ck_assert_uint_eq(o.ts[i], conn[i].ts);
	/* the first round released exactly the 4 events before its horizon */
	ck_assert_uint_eq(o.rounds, 2);
	ck_assert_uint_eq(o.at_round[0], 4);
	ck_assert_uint_eq(o.at_round[1], 10);
	ck_assert_uint_eq(st.rounds, 2);
	ck_assert_uint_eq(st.forced, 0);
	ck_assert_uint_eq(st.late, 0);
	ck_assert_uint_le(st.peak_held, 6);
	skr_reader_free(r);
	close(t.fd);
}
END_TEST

START_TEST(test_replay_bound)
{
	struct sa_replay_opts opts = { .max_events = 8, .max_bytes = 0 };
	struct sa_replay_stats st;
	struct skr_reader *r;
	struct order o;
	struct tg t;
	int i;

	/* No ROUND at all, and times descending: the bound must hold. */
	begin(&t, true);
	for (i = 0; i < 100; i++) {
		struct tg_ev e = { T0 + (uint64_t)(100 - i) * USEC, 0x10, 0, P,
				1, "x", SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, LO, 0,
				LO, 80 };

		tg_state(&t, &e);
	}
	tg_end(&t, T0 + SEC, 0, 0);
	r = tg_finish(&t);
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(sa_replay_run(r, &opts, &order_ops, &o, &st), 0);
	ck_assert_uint_eq(o.n, 100);
	ck_assert_uint_le(st.peak_held, 8);
	ck_assert_uint_eq(st.forced, 92);
	ck_assert_uint_gt(st.late, 0);
	/* what was held at the end still comes out sorted */
	for (i = 93; i < 100; i++)
		ck_assert_uint_lt(o.ts[i - 1], o.ts[i]);
	skr_reader_free(r);
	close(t.fd);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Wall time                                                            */
/* ------------------------------------------------------------------ */

START_TEST(test_wallclock)
{
	struct sa_wallclock wc;
	struct skr_clock c;
	char buf[SA_WALL_LEN];
	uint64_t wall;

	sa_wallclock_init(&wc);
	ck_assert_int_eq(sa_wallclock_to_wall(&wc, T0, &wall), -ENOENT);
	ck_assert_str_eq(sa_wallclock_format(&wc, T0 + 5 * USEC, buf,
					     sizeof(buf)), "clock+2.000005");

	memset(&c, 0, sizeof(c));
	c.clock_id = SKR_CLOCK_BOOTTIME;
	c.clock_ns = 61 * SEC;		/* added out of order on purpose */
	c.realtime_ns = WALL_BASE * SEC + 60 * SEC + 500 * USEC;
	sa_wallclock_add(&wc, &c);
	c.clock_ns = 1 * SEC;
	c.realtime_ns = WALL_BASE * SEC;
	sa_wallclock_add(&wc, &c);

	ck_assert_int_eq(sa_wallclock_to_wall(&wc, 31 * SEC, &wall), 0);
	ck_assert_uint_eq(wall, WALL_BASE * SEC + 30 * SEC);
	/* after the second sample, its (drifted) offset applies */
	ck_assert_int_eq(sa_wallclock_to_wall(&wc, 61 * SEC + SEC / 2, &wall), 0);
	ck_assert_uint_eq(wall, WALL_BASE * SEC + 60 * SEC + SEC / 2 + 500 * USEC);
	/* before any sample: the earliest one, extrapolated backwards */
	ck_assert_int_eq(sa_wallclock_to_wall(&wc, SEC / 2, &wall), 0);
	ck_assert_uint_eq(wall, WALL_BASE * SEC - SEC / 2);

	ck_assert_int_eq(sa_format_wall(WALL_BASE * SEC + 123456789, buf,
					sizeof(buf)), 0);
	ck_assert_str_eq(buf, "2026-11-22T10:00:00.123456Z");
	ck_assert_int_eq(sa_format_wall(0, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "1970-01-01T00:00:00.000000Z");
	ck_assert_str_eq(sa_wallclock_format(&wc, 2 * SEC + 1, buf, sizeof(buf)),
			 "2026-11-22T10:00:01.000000Z");

	/* a sample of another clock is noted and not used */
	c.clock_id = SKR_CLOCK_MONOTONIC;
	c.clock_ns = 2 * SEC;
	c.realtime_ns = 0;
	sa_wallclock_add(&wc, &c);
	ck_assert(wc.mixed_ids);
	ck_assert_int_eq(sa_wallclock_to_wall(&wc, 2 * SEC, &wall), 0);
	ck_assert_uint_eq(wall, WALL_BASE * SEC + SEC);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Reports and errors                                                   */
/* ------------------------------------------------------------------ */

START_TEST(test_info)
{
	struct tg t;
	char *text;
	int err;

	begin(&t, true);
	put_conn(&t);
	tg_end(&t, T0 + SEC, 0, 0);
	text = report(&t, SA_REPORT_INFO, &err);
	ck_assert_int_eq(err, 0);
	ck_assert_ptr_nonnull(strstr(text, "File name:          test.skr\n"));
	ck_assert_ptr_nonnull(strstr(text, "File format:        sockrec trace 2.0\n"));
	ck_assert_ptr_nonnull(strstr(text, "File status:        complete, 1 segment\n"));
	ck_assert_ptr_nonnull(strstr(text, "Capture id:         abababababababababababababababab\n"));
	ck_assert_ptr_nonnull(strstr(text, "Host name:          testhost\n"));
	ck_assert_ptr_nonnull(strstr(text, "Boot id:            (not recorded)\n"));
	ck_assert_ptr_nonnull(strstr(text, "CPUs:               2\n"));
	ck_assert_ptr_nonnull(strstr(text, "Recorder command:   sockrec -w 'my trace.skr'\n"));
	ck_assert_ptr_nonnull(strstr(text,
		"Probes:             inet_sock_set_state  tp_btf\n"
		"                    listen               not attached: tracefs not mounted (ENOENT)\n"));
	ck_assert_ptr_nonnull(strstr(text, "First event:        2026-11-22T10:00:01.000000Z\n"));
	ck_assert_ptr_nonnull(strstr(text, "Last event:         2026-11-22T10:00:01.000220Z\n"));
	ck_assert_ptr_nonnull(strstr(text, "Duration:           0.000220 s\n"));
	ck_assert_ptr_nonnull(strstr(text, "Events:             10\n"));
	ck_assert_ptr_nonnull(strstr(text, "  STATE:            10\n"));
	ck_assert_ptr_nonnull(strstr(text, "  ROUND:            1\n"));
	ck_assert_ptr_nonnull(strstr(text, "Sockets seen:       2\n"));
	ck_assert_ptr_nonnull(strstr(text, "Lost events:        0\n"));
	free(text);
}
END_TEST

START_TEST(test_loss_and_truncation)
{
	struct skr_stats st;
	struct tg t;
	char *text, *tail;
	int err;

	/* No END: the recorder was killed; losses only in LOSS records. */
	begin(&t, true);
	put_conn(&t);
	tg_loss(&t, T0 + 300 * USEC, 7);
	tg_loss(&t, T0 + 400 * USEC, 5);
	text = report(&t, SA_REPORT_TIMELINE, &err);
	ck_assert_int_eq(err, 0);
	tail = strstr(text, "\n2 sockets, 10 events\n");
	ck_assert_ptr_nonnull(tail);
	ck_assert_str_eq(tail,
		"\n2 sockets, 10 events\n"
		"WARNING: 12 events lost; timelines may have gaps\n"
		"WARNING: trace is truncated (recorder killed or file cut); "
		"showing its complete part: kept 19 records, 0.000220 s of "
		"events\n");
	free(text);

	/* END.lost and the LOSS records describe the same loss. */
	begin(&t, true);
	put_conn(&t);
	tg_loss(&t, T0 + 300 * USEC, 7);
	tg_end(&t, T0 + SEC, 9, 0);
	text = report(&t, SA_REPORT_INFO, &err);
	ck_assert_int_eq(err, 0);
	ck_assert_ptr_nonnull(strstr(text, "Lost events:        9 (perf buffer 9,"));
	ck_assert_ptr_nonnull(strstr(text, "File status:        complete, 1 segment\n"));
	free(text);

	/* Samples the recorder dropped as malformed are events lost too. */
	memset(&st, 0, sizeof(st));
	st.hdr.len = sizeof(st);
	st.hdr.type = SKR_REC_STATS;
	st.ts_ns = T0 + 500 * USEC;
	st.malformed = 4;
	for (int view = 0; view < 2; view++) {
		begin(&t, true);
		put_conn(&t);
		tg_put(&t, &st, sizeof(st));
		tg_end(&t, T0 + SEC, 0, 0);
		text = report(&t, view ? SA_REPORT_TIMELINE : SA_REPORT_INFO,
			      &err);
		ck_assert_int_eq(err, 0);
		ck_assert_ptr_nonnull(strstr(text, view ?
			"WARNING: 4 events lost; " :
			"Lost events:        4 (perf buffer 0, output failed 0, "
			"recursion misses 0, malformed samples 4)\n"));
		free(text);
	}
}
END_TEST

START_TEST(test_open_at_end_and_unknown_types)
{
	static const uint8_t unknown_event[40] = {
		40, 0, 0, 0, 0x99, 0x01, 0, 0,	/* len 40, type 0x0199 */
		0x10, 0, 0, 0, 0, 0, 0, 0,	/* ts */
	};
	static const uint8_t unknown_meta[12] = { 12, 0, 0, 0, 0x42, 0, 0, 0 };
	static const struct tg_ev evs[] = {
		{ T0 + 5, 0x22, 0, P, 300, "srv", SKR_TCP_CLOSE, SKR_TCP_LISTEN,
		  "::", 443, "::", 0 },
		{ T0 + 2, 0x21, 0, P, 301, "cli", SKR_TCP_CLOSE,
		  SKR_TCP_SYN_SENT, "fe80::1", 0, "2001:db8::2", 443 },
	};
	struct tg t;
	char *text;
	int err;

	begin(&t, false);
	tg_put(&t, unknown_meta, sizeof(unknown_meta));
	tg_state(&t, &evs[0]);
	tg_put(&t, unknown_event, sizeof(unknown_event));
	tg_state(&t, &evs[1]);
	tg_end(&t, T0 + SEC, 0, 0);
	text = report(&t, SA_REPORT_TIMELINE, &err);
	ck_assert_int_eq(err, 0);
	/* no CLOCK record: times are shown on the event clock */
	ck_assert_str_eq(text,
"#1 cookie 0x21 IPv6 [fe80::1]:0 -> [2001:db8::2]:443 netns 4026531840 owner cli[301]\n"
"  clock+2.000000               +0.000000    CLOSE        -> SYN_SENT               -  cli[301]\n"
"\n"
"#2 cookie 0x22 IPv6 [::]:443 -> [::]:0 netns 4026531840 owner srv[300]\n"
"  clock+2.000000               +0.000000    CLOSE        -> LISTEN                 -  srv[300]\n"
"\n"
"2 sockets, 2 events\n");
	free(text);
}
END_TEST

START_TEST(test_concatenated)
{
	static const struct tg_ev later = { T0 + 2 * SEC, 0x3003, 0, P, 7, "late",
					 SKR_TCP_CLOSE, SKR_TCP_LISTEN, LO,
					 22, "0.0.0.0", 0 };
	struct tg t;
	char *text;
	int err;

	/* Two rotated files back to back, as `cat a.skr b.skr` makes. */
	begin(&t, true);
	put_conn(&t);
	tg_end(&t, T0 + SEC, 0, 0);
	segment(&t, 1, true);
	tg_state(&t, &later);
	tg_loss(&t, T0 + 2 * SEC, 3);
	tg_end(&t, T0 + 3 * SEC, 0, 0);
	text = report(&t, SA_REPORT_INFO, &err);
	ck_assert_int_eq(err, 0);
	ck_assert_ptr_nonnull(strstr(text, "File status:        complete, 2 segments\n"));
	ck_assert_ptr_nonnull(strstr(text, "File index:         0 to 1\n"));
	/* descriptions are not repeated per segment */
	ck_assert_ptr_nonnull(strstr(text, "Recorder command:   sockrec -w 'my trace.skr'\n"));
	ck_assert_ptr_nonnull(strstr(text, "Events:             11\n"));
	ck_assert_ptr_nonnull(strstr(text, "Sockets seen:       3\n"));
	ck_assert_ptr_nonnull(strstr(text, "Lost events:        3 (perf buffer 3,"));
	ck_assert_ptr_nonnull(strstr(text, "Last event:         2026-11-22T10:00:03.000000Z\n"));
	free(text);
}
END_TEST

START_TEST(test_bad_input)
{
	static const char junk[] = "this is not a trace, just some text\n";
	struct sa_run_opts opts;
	struct skr_reader *r;
	char msg[512];
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int err;

	memset(&opts, 0, sizeof(opts));
	opts.report = SA_REPORT_INFO;
	ck_assert_int_eq(skr_reader_open_mem(&r, junk, sizeof(junk) - 1), 0);
	out = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(out);
	err = sa_run(r, &opts, out, msg, sizeof(msg));
	ck_assert_int_eq(err, -EINVAL);
	/* one line, naming the input, from the reader */
	ck_assert_ptr_nonnull(strstr(msg, "(memory): "));
	ck_assert_ptr_null(strchr(msg, '\n'));
	ck_assert_int_eq(fclose(out), 0);
	ck_assert_uint_eq(len, 0);
	free(text);
	skr_reader_free(r);

	text = NULL;
	ck_assert_int_eq(skr_reader_open_mem(&r, junk, 0), 0);
	out = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(out);
	opts.name = "empty.skr";
	err = sa_run(r, &opts, out, msg, sizeof(msg));
	ck_assert_int_eq(err, -EINVAL);
	ck_assert_str_eq(msg, "empty.skr: no trace data: the input is empty");
	ck_assert_int_eq(fclose(out), 0);
	free(text);
	skr_reader_free(r);
}
END_TEST

static Suite *analyze_suite(void)
{
	Suite *s = suite_create("analyze");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_timeline_conn);
	tcase_add_test(tc, test_sockets_states_and_owner);
	tcase_add_test(tc, test_sockets_owner_unknown_ctx);
	tcase_add_test(tc, test_sockets_keep_no_owners);
	tcase_add_test(tc, test_address_reuse);
	tcase_add_test(tc, test_replay_order);
	tcase_add_test(tc, test_replay_bound);
	tcase_add_test(tc, test_wallclock);
	tcase_add_test(tc, test_info);
	tcase_add_test(tc, test_loss_and_truncation);
	tcase_add_test(tc, test_open_at_end_and_unknown_types);
	tcase_add_test(tc, test_concatenated);
	tcase_add_test(tc, test_bad_input);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(analyze_suite());
}
