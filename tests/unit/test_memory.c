/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The analyzer's memory bounds (docs/FORMAT.md §11.2) count what is really
 * allocated, and the reorder buffers' bound holds for all inputs together.
 * Peak memory of whole runs on large traces is measured by
 * tests/e2e/t_memory.sh; these are the small, exact cases.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
#include <malloc.h>
#define WATCH_ALLOC	1	/* mallinfo2 sees every allocation */
#endif

#include "analyze/sockana.h"
#include "tracegen.h"

#define SEC		1000000000ull
#define USEC		1000ull
#define T0		(2 * SEC)
#define LO		"127.0.0.1"

/*
 * A segment's metadata, then n events in descending time, no ROUND: state
 * changes and, with mixed, every third a LISTEN (a smaller record, so two
 * size classes compete for the bound).
 */
static void descending_mixed(struct tg *t, unsigned n, uint64_t cookie,
			     bool mixed)
{
	unsigned i;

	tg_begin(t);
	tg_header(t, 0, 0x11, SKR_VERSION_MINOR, 1);
	tg_clock(t, 1 * SEC, 1795341600ull * SEC, 1500);
	for (i = 0; i < n; i++) {
		struct tg_ev e = { T0 + (uint64_t)(n - i) * USEC, cookie + i, 0,
				   SKR_CTX_PROCESS, 1, "x", SKR_TCP_CLOSE,
				   SKR_TCP_SYN_SENT, LO, 0, LO, 80 };

		if (mixed && i % 3 == 2)
			tg_listen(t, e.ts, e.cookie, 1, 128, 128, 80);
		else
			tg_state(t, &e);
	}
	tg_end(t, T0 + 10 * SEC, 0, 0);
}

static void descending(struct tg *t, unsigned n, uint64_t cookie)
{
	descending_mixed(t, n, cookie, false);
}

START_TEST(test_mem_cost)
{
	/* glibc: request + 8-byte header, rounded up to 16, at least 32. */
	ck_assert_uint_eq(sa_mem_cost(1), 32);
	ck_assert_uint_eq(sa_mem_cost(24), 32);
	ck_assert_uint_eq(sa_mem_cost(25), 48);
	ck_assert_uint_eq(sa_mem_cost(136), 144);
	ck_assert_uint_eq(sa_mem_cost(432), 448);
	/* Large ones in whole pages. */
	ck_assert_uint_eq(sa_mem_cost(1u << 20), (1u << 20) + 4096);
}
END_TEST

struct alloc_watch {
	size_t base, peak;
	bool started;
	uint64_t events, last_ts;
	uint64_t last_back;		/* index of the last event older than the one before */
};

/* Bytes malloc has handed out; 0 where mallinfo2 cannot see them. */
static size_t allocated(void)
{
#ifdef WATCH_ALLOC
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
#else
	return 0;
#endif
}

/*
 * The FILE_HEADER is passed on before any event is held, once the reader
 * has decoded the (only) frame: what is allocated then is the baseline.
 */
static int watch_meta(void *ctx, const struct skr_record *rec)
{
	struct alloc_watch *w = ctx;
	size_t now = allocated();

	if (!w->started && rec->type == SKR_REC_FILE_HEADER) {
		w->started = true;
		w->base = w->peak = now;
	} else if (now > w->peak) {
		w->peak = now;
	}
	return 0;
}

static int watch_event(void *ctx, const struct skr_record *rec, uint64_t ts)
{
	struct alloc_watch *w = ctx;
	size_t now = allocated();

	(void)rec;
	if (now > w->peak)
		w->peak = now;
	if (w->events > 0 && ts < w->last_ts)
		w->last_back = w->events;
	w->events++;
	w->last_ts = ts;
	return 0;
}

static const struct sa_replay_ops watch_ops = {
	.meta = watch_meta,
	.event = watch_event,
};

/*
 * A file without ROUNDs, times descending (every event goes to the heap):
 * what malloc really holds for the reorder buffer stays within max_bytes.
 * Counting record lengths and slots instead let it take more than twice
 * as much (records rounded up to size classes, headers, the heap's
 * capacity).  Mixed record sizes make the free lists give memory back.
 */
static void counts_allocations(bool mixed)
{
	struct sa_replay_opts opts = { .max_events = 0, .max_bytes = 64 << 10 };
	struct sa_replay_stats st;
	struct alloc_watch w;
	struct skr_reader *r;
	struct tg t;

	descending_mixed(&t, 2000, 0x100, mixed);
	r = tg_finish(&t);
	memset(&w, 0, sizeof(w));
	ck_assert_int_eq(sa_replay_run(r, &opts, &watch_ops, &w, &st), 0);
	ck_assert(w.started);
	ck_assert_uint_eq(st.events, 2000);
	ck_assert_uint_eq(w.events, 2000);
	ck_assert_uint_gt(st.forced, 1000);
	ck_assert_uint_gt(st.peak_held, 300);
	ck_assert_uint_le(st.peak_bytes, opts.max_bytes);
	/* What was held at the end (one bound's worth) came out in order. */
	ck_assert_uint_le(w.last_back, st.forced);
#ifdef WATCH_ALLOC
	ck_assert_msg(w.peak - w.base <= opts.max_bytes,
		      "reorder buffer allocated %zu bytes, bound %zu",
		      w.peak - w.base, opts.max_bytes);
	/* ...and what it counts is what it allocates, within 10%. */
	ck_assert_msg(st.peak_bytes * 10 >= (w.peak - w.base) * 9,
		      "counted %zu bytes, allocated %zu", st.peak_bytes,
		      w.peak - w.base);
#else
	fprintf(stderr, "counts_allocations: allocation checks SKIPPED: they "
		"need glibc's mallinfo2 without a sanitizer's allocator\n");
#endif
	skr_reader_free(r);
	close(t.fd);
}

START_TEST(test_replay_counts_allocations)
{
	counts_allocations(false);
}
END_TEST

START_TEST(test_replay_counts_allocations_mixed)
{
	counts_allocations(true);
}
END_TEST

/* Events held at the peak, from an --info report of input i (0-based). */
static unsigned long peak_held(const char *text, unsigned i)
{
	const char *p = text;
	unsigned long v = 0;

	for (;;) {
		p = strstr(p, "Reordering:");
		ck_assert_ptr_nonnull(p);
		p += strlen("Reordering:");
		if (i-- == 0)
			break;
	}
	ck_assert_int_eq(sscanf(p, " peak %lu events held", &v), 1);
	return v;
}

/*
 * Several inputs are read at once, so the reorder buffers' bound is shared:
 * with room for 8 events, two inputs hold 4 each, not 8 each.
 */
START_TEST(test_replay_bound_shared)
{
	struct sa_run_opts opts;
	struct tg t[2];
	char msg[256];
	char *text;
	int err;

	descending(&t[0], 100, 0x1000);
	descending(&t[1], 100, 0x2000);
	memset(&opts, 0, sizeof(opts));
	opts.report = SA_REPORT_INFO;
	opts.replay.max_events = 8;
	text = tg_run(t, 2, &opts, &err, msg, sizeof(msg));
	ck_assert_msg(err == 0, "%s", msg);
	ck_assert_uint_eq(peak_held(text, 0), 4);
	ck_assert_uint_eq(peak_held(text, 1), 4);
	free(text);

	/* One input alone has the whole bound. */
	descending(&t[0], 100, 0x1000);
	memset(&opts, 0, sizeof(opts));
	opts.report = SA_REPORT_INFO;
	opts.replay.max_events = 8;
	text = tg_run(t, 1, &opts, &err, msg, sizeof(msg));
	ck_assert_msg(err == 0, "%s", msg);
	ck_assert_uint_eq(peak_held(text, 0), 8);
	free(text);
}
END_TEST

static Suite *memory_suite(void)
{
	Suite *s = suite_create("memory");
	TCase *tc = tcase_create("bounds");

	tcase_add_test(tc, test_mem_cost);
	tcase_add_test(tc, test_replay_counts_allocations);
	tcase_add_test(tc, test_replay_counts_allocations_mixed);
	tcase_add_test(tc, test_replay_bound_shared);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(memory_suite());
}
