// SPDX-License-Identifier: BSD-2-Clause
/*
 * sockana on a trace still being written (issue 15, analyze/live.c): a
 * socket that closed is handed on while the input waits, by the wall
 * clock, when the trace is live, and only then; and the socket table's
 * memory stays bounded however long the stream.  The follower's stop
 * callback is where each test looks at what was written so far: it runs
 * each time the followed pipe has nothing more.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze/sockets_priv.h"
#include "tracegen.h"

#define SEC		1000000000ull
#define MSEC		1000000ull

/* What the stop callback saw: the report so far at its second call. */
static FILE *live_out;
static char **live_text;
static unsigned live_calls;
static bool live_block;

static bool stop_second(void)
{
	if (++live_calls < 2)
		return false;
	/* The first wait's tick ran between the two calls. */
	fflush(live_out);
	live_block = *live_text && strstr(*live_text, "#1 cookie 0x") != NULL;
	return true;
}

static uint64_t wall_now(void)
{
	struct timespec ts;

	ck_assert_int_eq(clock_gettime(CLOCK_REALTIME, &ts), 0);
	return (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec;
}

/*
 * A refused connect whose event clock at 1 s is wall time wall, then a
 * round that releases it, and no END: a recording still going on.
 */
static uint8_t *refused_trace(uint64_t wall, size_t *len)
{
	struct tg t;

	tg_begin(&t);
	tg_header(&t, 0, 0x31, SKR_VERSION_MINOR, wall);
	tg_clock(&t, 1 * SEC, wall, 1000);
	tg_st(&t, 2 * SEC, 77, SKR_CTX_PROCESS, 9, "cli", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, "127.0.0.1", 0, "127.0.0.1", 7301);
	tg_st(&t, 2 * SEC + MSEC, 77, SKR_CTX_SOFTIRQ, 0, "",
	      SKR_TCP_SYN_SENT, SKR_TCP_CLOSE, "127.0.0.1", 40000,
	      "127.0.0.1", 7301);
	tg_round(&t, 3 * SEC);
	return tg_bytes(&t, len);
}

/* --timeline of bytes fed through a followed pipe left open. */
static char *follow_pipe(const uint8_t *bytes, size_t len, bool *block)
{
	struct sa_run_opts opts;
	struct skr_reader *r = NULL;
	char *text = NULL, msg[256];
	size_t tlen = 0;
	int p[2], err;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], bytes, len), (ssize_t)len);
	ck_assert_int_eq(skr_reader_open_fd(&r, p[0], "(pipe)"), 0);
	memset(&opts, 0, sizeof(opts));
	opts.report = SA_REPORT_TIMELINE;
	opts.name = "(pipe)";
	opts.follow = true;
	opts.stop = stop_second;
	live_out = open_memstream(&text, &tlen);
	ck_assert_ptr_nonnull(live_out);
	live_text = &text;
	live_calls = 0;
	live_block = false;
	err = sa_run(r, &opts, live_out, msg, sizeof(msg));
	ck_assert_msg(err == 0, "sa_run: %d %s", err, msg);
	ck_assert_int_eq(fclose(live_out), 0);
	skr_reader_free(r);
	close(p[0]);
	close(p[1]);
	*block = live_block;
	return text;
}

/*
 * Live: the socket closed 20 s ago by the wall clock and nothing came
 * since, so its block is written while sockana waits for more, not only
 * when the recording ends.
 */
START_TEST(test_live_block_while_waiting)
{
	uint8_t *bytes;
	size_t len;
	bool block;
	char *text;

	bytes = refused_trace(wall_now() - 21 * SEC, &len);
	text = follow_pipe(bytes, len, &block);
	ck_assert_msg(block, "no block while following:\n%s", text);
	ck_assert_uint_eq(live_calls, 2);
	free(text);
	free(bytes);
}
END_TEST

/*
 * Not live: the same trace recorded a day ago and piped in.  The wall
 * clock says nothing about it: nothing is handed on early, and the report
 * is the one its file gives.
 */
START_TEST(test_live_old_trace_unchanged)
{
	struct sa_run_opts opts;
	char *text, *want;
	uint8_t *bytes;
	size_t len;
	bool block;
	struct tg t;

	bytes = refused_trace(wall_now() - 86400 * SEC, &len);
	text = follow_pipe(bytes, len, &block);
	ck_assert(!block);
	tg_begin(&t);
	ck_assert_int_eq(write(t.fd, bytes, len), (ssize_t)len);
	memset(&opts, 0, sizeof(opts));
	opts.report = SA_REPORT_TIMELINE;
	opts.name = "(pipe)";
	tg_close_writer(&t);
	/* The writer wrote nothing: the file is the bytes above. */
	want = tg_analyze_fd(t.fd, &opts);
	close(t.fd);
	ck_assert_str_eq(text, want);
	free(want);
	free(text);
	free(bytes);
}
END_TEST

static uint64_t handed;

static int count_done(void *ctx, const struct sa_sock *s)
{
	(void)ctx;
	(void)s;
	handed++;
	return 0;
}

/*
 * A long stream: 30,000 connections that each open and close 1 ms after
 * the previous one.  The table holds the open one and those in their
 * grace (1 s: about 1,000), never the stream; a tick by the wall clock at
 * the end, as the follower makes while it waits, hands on the rest.
 */
START_TEST(test_live_table_bounded)
{
	const unsigned n = 30000;
	const struct tg_ev proto = { 0, 0, 0, SKR_CTX_PROCESS, 5, "cli",
				     SKR_TCP_CLOSE, SKR_TCP_SYN_SENT,
				     "127.0.0.1", 0, "127.0.0.1", 80 };
	struct sa_sockets *t = NULL;
	struct skr_ev_state ev;
	struct sa_evctx ec = { 0 };
	size_t peak = 0;
	uint64_t ts = 0;
	unsigned i;
	struct tg g;

	memset(&g, 0, sizeof(g));
	g.netns = TG_NETNS;
	handed = 0;
	tg_state_fill(&g, &proto, &ev);
	ck_assert_int_eq(sa_sockets_new(&t, count_done, NULL), 0);
	for (i = 0; i < n; i++) {
		ts = SEC + (uint64_t)i * MSEC;
		ev.c.cookie = 1000 + i;
		ev.c.ts_ns = ec.mt = ts;
		ev.oldstate = SKR_TCP_CLOSE;
		ev.newstate = SKR_TCP_SYN_SENT;
		ck_assert_int_eq(sa_sockets_tick(t, ec.mt), 0);
		ck_assert_int_eq(sa_sockets_state(t, &ec, &ev), 0);
		ev.c.ts_ns = ec.mt = ts + MSEC / 2;
		ev.oldstate = SKR_TCP_SYN_SENT;
		ev.newstate = SKR_TCP_CLOSE;
		ck_assert_int_eq(sa_sockets_tick(t, ec.mt), 0);
		ck_assert_int_eq(sa_sockets_state(t, &ec, &ev), 0);
		if (t->live > peak)
			peak = t->live;
	}
	ck_assert_uint_le(peak, SA_CLOSE_GRACE_NS / MSEC + 2);
	ck_assert_uint_eq(handed + t->live, n);
	ck_assert_uint_gt(t->live, 0);
	ck_assert_int_eq(sa_sockets_tick(t, ts + SA_CLOSE_GRACE_NS + MSEC), 0);
	ck_assert_uint_eq(t->live, 0);
	ck_assert_uint_eq(handed, n);
	sa_sockets_free(t);
}
END_TEST

static Suite *live_suite(void)
{
	Suite *s = suite_create("live");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_live_block_while_waiting);
	tcase_add_test(tc, test_live_old_trace_unchanged);
	tcase_add_test(tc, test_live_table_bounded);
	/* The stream's 60,000 events under ASan and UBSan in CI. */
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(live_suite());
}
