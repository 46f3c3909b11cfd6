/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The output thread (analyze/out_async.c, issue 18 branch json30):
 *   - jobs run on the worker in the order given, each with the bytes the
 *     main thread wrote, over many blocks' worth; after a drain every job
 *     committed has run; the largest job fits, a larger one is refused;
 *   - --timeline --json written with the thread (SOCKANA_OUTPUT_THREAD=1)
 *     is byte for byte what the main thread alone writes, on a trace that
 *     mixes lives the thread writes with lives it cannot (a reset, a
 *     listener's accepts, a task name to escape) between them.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/out_async.h"
#include "analyze/sockana.h"
#include "tracegen.h"

/* ------------------------------------------------------------------ */
/* Jobs                                                                 */
/* ------------------------------------------------------------------ */

struct log {
	uint32_t *seq;		/* the jobs' numbers, as they ran */
	size_t n, cap;
	size_t bad;		/* jobs whose bytes were not as written */
};

static unsigned char fill_byte(uint32_t seq, size_t i)
{
	return (unsigned char)(seq * 131u + i * 7u);
}

static void run_job(void *ctx, const void *job, size_t len)
{
	struct log *l = ctx;
	const unsigned char *p = job;
	uint32_t seq;
	size_t i;

	ck_assert_uint_ge(len, sizeof(seq));
	memcpy(&seq, p, sizeof(seq));
	for (i = sizeof(seq); i < len; i++)
		if (p[i] != fill_byte(seq, i))
			l->bad++;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 1024;
		l->seq = realloc(l->seq, l->cap * sizeof(*l->seq));
		ck_assert_ptr_nonnull(l->seq);
	}
	l->seq[l->n++] = seq;
}

static void put_job(struct sa_async *q, uint32_t seq, size_t len)
{
	unsigned char *p = sa_async_reserve(q, len);
	size_t i;

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq((uintptr_t)p % 16, 0);
	memcpy(p, &seq, sizeof(seq));
	for (i = sizeof(seq); i < len; i++)
		p[i] = fill_byte(seq, i);
	sa_async_commit(q, len);
}

START_TEST(test_jobs_in_order)
{
	struct log l = { 0 };
	struct sa_async *q;
	uint32_t seq = 0, i;
	size_t len;

	ck_assert_int_eq(sa_async_new(&q, run_job, &l), 0);
	/* Some 20 MB of jobs of every size up to 8 KiB: many blocks. */
	for (; seq < 5000; seq++) {
		len = sizeof(seq) + (seq * 2654435761u) % 8192;
		put_job(q, seq, len);
		if (seq == 1234) {
			sa_async_drain(q);
			/* Every job committed has run, and nothing else. */
			ck_assert_uint_eq(l.n, seq + 1);
		}
	}
	/* A job abandoned (reserved, not committed) never runs. */
	ck_assert_ptr_nonnull(sa_async_reserve(q, 100));
	put_job(q, seq++, 100);
	sa_async_free(q);
	ck_assert_uint_eq(l.n, seq);
	ck_assert_uint_eq(l.bad, 0);
	for (i = 0; i < seq; i++)
		ck_assert_uint_eq(l.seq[i], i);
	free(l.seq);
}
END_TEST

START_TEST(test_job_max)
{
	struct log l = { 0 };
	struct sa_async *q;
	uint32_t seq;

	ck_assert_int_eq(sa_async_new(&q, run_job, &l), 0);
	ck_assert_ptr_null(sa_async_reserve(q, SA_ASYNC_JOB_MAX + 1));
	/* Each fills most of a block: the next one waits for a block. */
	for (seq = 0; seq < 40; seq++)
		put_job(q, seq, seq % 2 ? SA_ASYNC_JOB_MAX : 16);
	sa_async_drain(q);
	ck_assert_uint_eq(l.n, 40);
	sa_async_free(q);
	ck_assert_uint_eq(l.bad, 0);
	for (seq = 0; seq < 40; seq++)
		ck_assert_uint_eq(l.seq[seq], seq);
	free(l.seq);
	sa_async_free(NULL);
}
END_TEST

/* ------------------------------------------------------------------ */
/* --timeline --json with and without the thread                        */
/* ------------------------------------------------------------------ */

#define WALL_BASE	1795341600ull	/* 2026-11-22T10:00:00Z */
#define SEC		1000000000ull
#define USEC		1000ull
#define P		SKR_CTX_PROCESS
#define I		SKR_CTX_SOFTIRQ
#define LO		"127.0.0.1"

static void mixed_trace(struct tg *t)
{
	static const struct tg_host host = { .hostname = "alpha" };
	uint64_t ts = 2 * SEC, c;

	tg_begin(t);
	tg_header(t, 0, 0x5b, 0, WALL_BASE * SEC);
	tg_host(t, &host);
	tg_probe(t, "inet_sock_set_state", SKR_REC_STATE, SKR_TIER_TP_BTF,
		 NULL);
	tg_probe(t, "accept", SKR_REC_ACCEPT, SKR_TIER_TP_BTF, NULL);
	tg_probe(t, "tcp_receive_reset", SKR_REC_RESET,
		 SKR_TIER_TP_BTF, NULL);
	tg_clock(t, 1 * SEC, WALL_BASE * SEC, 0);
	tg_st(t, ts, 1, P, 70, "srv", SKR_TCP_CLOSE, SKR_TCP_LISTEN, LO, 8080,
	      "0.0.0.0", 0);
	for (c = 100; c < 700; c++) {
		uint16_t port = (uint16_t)(20000 + c);
		/* Every 50th has a name to escape, every 7th a reset. */
		const char *comm = c % 50 == 0 ? "cli\"q" : "client";

		tg_st(t, ts, c, P, 80, comm, SKR_TCP_CLOSE, SKR_TCP_SYN_SENT,
		      LO, port, LO, 8080);
		tg_st(t, ts + 20 * USEC, c, I, 0, "", SKR_TCP_SYN_SENT,
		      SKR_TCP_ESTABLISHED, LO, port, LO, 8080);
		if (c % 100 == 0)
			tg_accept(t, ts + 30 * USEC, 1, c + 10000, 70, 1, 128,
				  0);
		if (c % 7 == 0)
			tg_reset(t, ts + 40 * USEC, c, SKR_TCP_ESTABLISHED,
				 port, 8080);
		tg_st(t, ts + 50 * USEC, c, P, 80, comm,
		      SKR_TCP_ESTABLISHED, SKR_TCP_FIN_WAIT1, LO, port, LO,
		      8080);
		tg_st(t, ts + 90 * USEC, c, I, 0, "", SKR_TCP_FIN_WAIT1,
		      SKR_TCP_CLOSE, LO, port, LO, 8080);
		/* A second boundary now and then: the templates change. */
		ts += c % 3 ? 200 * USEC : 300 * 1000 * USEC;
		if (c % 64 == 0)
			tg_round(t, ts);
	}
	tg_st(t, ts, 1, P, 70, "srv", SKR_TCP_LISTEN, SKR_TCP_CLOSE, LO, 8080,
	      "0.0.0.0", 0);
	tg_round(t, ts);
	tg_end(t, ts + 2 * SEC, 0, 0);
	tg_close_writer(t);
}

static char *timeline_json(struct tg *t, const char *thread)
{
	struct sa_run_opts opts;
	char *text;

	ck_assert_int_eq(setenv("SOCKANA_OUTPUT_THREAD", thread, 1), 0);
	memset(&opts, 0, sizeof(opts));
	opts.report = SA_REPORT_TIMELINE;
	opts.format = SA_FORMAT_JSON;
	text = tg_analyze_fd(t->fd, &opts);
	ck_assert_int_eq(unsetenv("SOCKANA_OUTPUT_THREAD"), 0);
	return text;
}

START_TEST(test_timeline_same_bytes)
{
	char *alone, *threaded;
	struct tg t;

	mixed_trace(&t);
	alone = timeline_json(&t, "0");
	threaded = timeline_json(&t, "1");
	close(t.fd);
	/* 600 clients, the listener and 6 children it accepted. */
	ck_assert_uint_eq(tg_count_lines(alone, "{\"row\":\"socket\""), 607);
	ck_assert_uint_ge(tg_count_lines(alone, "{\"row\":\"event\""), 2402);
	ck_assert_uint_gt(tg_count(alone, "\"event\":\"reset\""), 0);
	ck_assert_uint_gt(tg_count(alone, "cli\\\"q"), 0);
	ck_assert_uint_eq(strlen(threaded), strlen(alone));
	ck_assert_msg(strcmp(threaded, alone) == 0, "the rows differ");
	free(alone);
	free(threaded);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("out_async");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_jobs_in_order);
	tcase_add_test(tc, test_job_max);
	tcase_add_test(tc, test_timeline_same_bytes);
	suite_add_tcase(s, tc);
	return tg_main(s);
}
