// SPDX-License-Identifier: BSD-2-Clause
/*
 * The reorder buffer's shortcuts (issue 13) against its plain use, and the
 * STATE decoder's shortcut against the catalogue's decoder.
 *
 * replay.c remembers the oldest held event between sa_replay_peek(), the
 * round's release test and pop(), and chooses an event's run once per
 * admission.  A stale memory shows as a different order, so the same
 * trace is replayed with a peek before every call, before some calls and
 * never, and each order is held to the one a sort by (ts, file order)
 * gives, or, where the bounds force early releases, to each other.  Read
 * through a decode-ahead reader, events are held from its spans
 * (skr_reader_span) without a reader call each: the same again, also
 * where a bound is reached while a free record of the event's size waits
 * (hold_fast()'s own bound tests).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/replay.h"
#include "format/skr.h"
#include "tracegen.h"

#define NEV		6000u
#define NCPUS		48u	/* more sorted runs than replay.c keeps (32) */

struct sent {
	uint64_t ts, cookie;
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static int by_time(const void *x, const void *y)
{
	const struct sent *a = x, *b = y;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	/* cookies are numbered in file order */
	return a->cookie < b->cookie ? -1 : a->cookie > b->cookie;
}

static int no_meta(void *ctx, const struct skr_record *rec)
{
	(void)ctx;
	(void)rec;
	return 0;
}

static bool frame_per_round;
/* CPUs of make_trace()'s trace, and how far its rounds' horizons trail. */
static unsigned trace_cpus = NCPUS;
static uint64_t round_slack = 210;

/*
 * Batches from NCPUS CPUs, each CPU's in time order except for a few late
 * events, equal times common, a ROUND after each set of batches.  With
 * sent, the events in file order.
 */
static struct skr_reader *make_trace(struct tg *t, struct sent *sent,
				     uint64_t seed)
{
	uint64_t cpu_ts[NCPUS];
	unsigned i = 0, c, k;

	rng_state = seed;
	tg_begin(t);
	tg_header(t, 0, 0, SKR_VERSION_MINOR, 0);
	for (c = 0; c < NCPUS; c++)
		cpu_ts[c] = 1000000000u + rnd() % 5000;
	while (i < NEV) {
		uint64_t horizon = UINT64_MAX;

		for (c = 0; c < trace_cpus; c++) {
			unsigned batch = (unsigned)(rnd() % 12);

			for (k = 0; k < batch && i < NEV; k++, i++) {
				struct skr_ev_state ev;

				cpu_ts[c] += rnd() % 4;	/* 0: equal times */
				memset(&ev, 0, sizeof(ev));
				ev.hdr.len = sizeof(ev);
				ev.hdr.type = SKR_REC_STATE;
				ev.c.ts_ns = cpu_ts[c];
				if (rnd() % 5 == 0)
					ev.c.ts_ns -= rnd() % 200;
				ev.c.cookie = i + 1;
				ev.c.cpu = (uint16_t)c;
				sent[i].ts = ev.c.ts_ns;
				sent[i].cookie = i + 1;
				tg_put(t, &ev, sizeof(ev));
			}
		}
		for (c = 0; c < trace_cpus; c++)
			if (cpu_ts[c] < horizon)
				horizon = cpu_ts[c];
		tg_round(t, horizon - round_slack);
		/*
		 * A frame per round: a decode-ahead reader offers spans only
		 * after a frame's last FILE_HEADER or END.
		 */
		if (frame_per_round)
			ck_assert_int_eq(skr_writer_flush(t->w), 0);
	}
	tg_end(t, cpu_ts[0] + 1000000, 0, 0);
	return tg_finish(t);
}

enum peeking { PEEK_NEVER, PEEK_ALWAYS, PEEK_SOMETIMES };

/* Two replays of the same events kept the same counts, each of them. */
static void ck_same_stats(const struct sa_replay_stats *st,
			  const struct sa_replay_stats *st0)
{
	ck_assert_uint_eq(st->events, st0->events);
	ck_assert_uint_eq(st->rounds, st0->rounds);
	ck_assert_uint_eq(st->forced, st0->forced);
	ck_assert_uint_eq(st->late, st0->late);
	ck_assert_uint_eq(st->malformed, st0->malformed);
	ck_assert_uint_eq(st->peak_held, st0->peak_held);
	ck_assert_uint_eq(st->peak_bytes, st0->peak_bytes);
}

/* replay() reads through a decode-ahead reader: events come from spans. */
static bool replay_prefetch;
/* The reader's status at the end of the last replay(). */
static struct skr_reader_status replay_status;

/*
 * Replay the trace seeded with seed, peeking as asked; the cookies in
 * the order they came out go to out[] (NEV of them).
 */
static void replay(uint64_t seed, const struct sa_replay_opts *opts,
		   enum peeking peek, uint64_t *out, struct sa_replay_stats *st)
{
	const struct sa_replay_ops ops = { .meta = no_meta };
	struct sent *sent = calloc(NEV, sizeof(*sent));
	struct sa_replay *rp = NULL;
	struct skr_record rec, nx, nx2;
	struct skr_reader *r;
	uint64_t ts, pick = 0x2545f4914f6cdd1du;
	unsigned got = 0;
	struct tg t;
	int ret;

	ck_assert_ptr_nonnull(sent);
	r = make_trace(&t, sent, seed);
	if (replay_prefetch)
		ck_assert_int_eq(skr_reader_prefetch(r, true), 0);
	ck_assert_int_eq(sa_replay_new(&rp, r, opts, &ops, NULL, st), 0);
	for (;;) {
		struct skr_ev_state ev;
		bool ask = peek == PEEK_ALWAYS;

		if (peek == PEEK_SOMETIMES) {
			pick ^= pick << 13;
			pick ^= pick >> 7;
			pick ^= pick << 17;
			ask = pick % 3 == 0;
		}
		if (ask && sa_replay_peek(rp, &nx, &nx2))
			ck_assert_uint_eq(nx.type, SKR_REC_STATE);
		ret = sa_replay_next(rp, &rec, &ts);
		ck_assert_int_ge(ret, 0);
		if (ret == 0)
			break;
		ck_assert_uint_lt(got, NEV);
		ck_assert_int_eq(skr_decode_state(&rec, &ev), 0);
		ck_assert_uint_eq(ev.c.ts_ns, ts);
		out[got++] = ev.c.cookie;
	}
	ck_assert_uint_eq(got, NEV);
	skr_reader_get_status(r, &replay_status);
	sa_replay_free(rp);
	skr_reader_free(r);
	close(t.fd);
	free(sent);
}

/* Unbounded: every way of peeking gives the sorted order. */
START_TEST(test_replay_paths_sorted)
{
	struct sent *want = calloc(NEV, sizeof(*want));
	uint64_t *got = calloc(NEV, sizeof(*got));
	struct sa_replay_stats st;
	enum peeking p;
	struct tg t;
	struct skr_reader *r;
	unsigned i;

	ck_assert_ptr_nonnull(want);
	ck_assert_ptr_nonnull(got);
	r = make_trace(&t, want, 7 + (uint64_t)_i);
	skr_reader_free(r);
	close(t.fd);
	qsort(want, NEV, sizeof(*want), by_time);
	for (p = PEEK_NEVER; p <= PEEK_SOMETIMES; p++) {
		replay(7 + (uint64_t)_i, NULL, p, got, &st);
		for (i = 0; i < NEV; i++)
			ck_assert_msg(got[i] == want[i].cookie,
				      "peeking %d, event %u: cookie %llu, want %llu",
				      (int)p, i, (unsigned long long)got[i],
				      (unsigned long long)want[i].cookie);
		ck_assert_uint_eq(st.forced, 0);
		ck_assert_uint_eq(st.late, 0);
		/* both places held events: the runs and the heap */
		ck_assert_uint_gt(st.peak_held, 32);
	}
	free(want);
	free(got);
}
END_TEST

/*
 * Bounded by events, then by bytes: early releases make the order differ
 * from the sorted one, but not with peeking, and it stays what the counts
 * say (forced releases happened, every event came out once).
 */
START_TEST(test_replay_paths_bounded)
{
	static const struct sa_replay_opts bounds[] = {
		{ .max_events = 40, .max_bytes = 0 },
		{ .max_events = 0, .max_bytes = 12u << 10 },
	};
	const struct sa_replay_opts *o = &bounds[_i % 2];
	uint64_t *plain = calloc(NEV, sizeof(*plain));
	uint64_t *got = calloc(NEV, sizeof(*got));
	struct sa_replay_stats st0, st;
	enum peeking p;
	unsigned i;

	ck_assert_ptr_nonnull(plain);
	ck_assert_ptr_nonnull(got);
	replay(11 + (uint64_t)_i, o, PEEK_NEVER, plain, &st0);
	ck_assert_uint_gt(st0.forced, 0);
	for (p = PEEK_ALWAYS; p <= PEEK_SOMETIMES; p++) {
		replay(11 + (uint64_t)_i, o, p, got, &st);
		for (i = 0; i < NEV; i++)
			ck_assert_msg(got[i] == plain[i],
				      "peeking %d, event %u: cookie %llu, "
				      "without peeking %llu", (int)p, i,
				      (unsigned long long)got[i],
				      (unsigned long long)plain[i]);
		ck_same_stats(&st, &st0);
	}
	free(plain);
	free(got);
}
END_TEST

/*
 * Events held from a decode-ahead reader's spans (admit_span(),
 * hold_fast()) against events read one by one: the same order and the
 * same counts, unbounded (ties, late events, the heap) and bounded by
 * events and by bytes (early releases in the middle of a span).
 */
START_TEST(test_replay_spans)
{
	static const struct sa_replay_opts bounds[] = {
		{ .max_events = 0, .max_bytes = 0 },
		{ .max_events = 40, .max_bytes = 0 },
		{ .max_events = 0, .max_bytes = 12u << 10 },
	};
	const struct sa_replay_opts *o = &bounds[_i % 3];
	uint64_t *plain = calloc(NEV, sizeof(*plain));
	uint64_t *got = calloc(NEV, sizeof(*got));
	uint64_t seed = 23 + (uint64_t)_i, records;
	struct sa_replay_stats st0, st;
	enum peeking p;
	unsigned i;

	ck_assert_ptr_nonnull(plain);
	ck_assert_ptr_nonnull(got);
	/*
	 * Half the runs on 2 CPUs, as sockrec's traces of a 2-CPU host,
	 * with rounds that promise too much: late events.
	 */
	frame_per_round = true;
	if (_i >= 3) {
		trace_cpus = 2;
		round_slack = 0;
	}
	replay_prefetch = false;
	replay(seed, o, PEEK_NEVER, plain, &st0);
	records = replay_status.records;
	replay_prefetch = true;
	for (p = PEEK_NEVER; p <= PEEK_SOMETIMES; p++) {
		replay(seed, o, p, got, &st);
		ck_assert_uint_eq(replay_status.records, records);
		for (i = 0; i < NEV; i++)
			ck_assert_msg(got[i] == plain[i],
				      "bounds %d, peeking %d, event %u: cookie "
				      "%llu, read one by one %llu", _i % 3,
				      (int)p, i, (unsigned long long)got[i],
				      (unsigned long long)plain[i]);
		ck_same_stats(&st, &st0);
	}
	replay_prefetch = false;
	frame_per_round = false;
	trace_cpus = NCPUS;
	round_slack = 210;
	/* What the spans must get right happened. */
	if (_i % 3 != 0)
		ck_assert_uint_gt(st0.forced, 0);
	else if (_i < 3)
		ck_assert_uint_gt(st0.peak_held, 32);
	else
		ck_assert_uint_gt(st0.late, 0);
	free(plain);
	free(got);
}
END_TEST

/*
 * hold_fast()'s own bound tests, each reached while a free record of the
 * event's size waits (the case test_replay_spans never makes: there the
 * free lists are empty whenever a bound is reached, and admit()'s tests
 * decide).  The free lists are by size class, so the trace mixes sizes:
 * STATE4 records freed by a round wait while STATE records fill the
 * bound, then a STATE4 comes in the same run.  Read through spans and
 * record by record, the order and the counts must be the same.
 */
#define BND_MAX		64u
#define BND_BIG		8192u	/* past the free lists' largest class, and max_bytes */

static void bnd_put(struct tg *t, uint16_t type, uint32_t len, uint64_t ts,
		    uint64_t cookie)
{
	uint8_t buf[BND_BIG];
	struct skr_ev_state ev;

	ck_assert_uint_le(len, sizeof(buf));
	memset(buf, 0, sizeof(buf));
	memset(&ev, 0, sizeof(ev));
	ev.hdr.len = len;
	ev.hdr.type = type;
	ev.c.ts_ns = ts;
	ev.c.cookie = cookie;
	/* the common part is the same in STATE4 and STATE */
	memcpy(buf, &ev, sizeof(ev.hdr) + sizeof(ev.c));
	tg_put(t, buf, len);
}

/*
 * A burst of four STATE4 events released by a round (three go to the free
 * list, one stays out as the last handed out), then in a frame of its own
 * either (big false) four STATE events and a STATE4, all in one run: with
 * max_events 4 the STATE4 comes when four are held; or (big true) one
 * event of BND_BIG bytes, held alone past max_bytes (nothing else is held
 * to release), then a STATE4.  The END releases the rest.
 */
static struct skr_reader *bound_trace(struct tg *t, bool big)
{
	uint64_t ts = 1000000000u, cookie = 1;
	unsigned i;

	tg_begin(t);
	tg_header(t, 0, 0, SKR_VERSION_MINOR, 0);
	ck_assert_int_eq(skr_writer_flush(t->w), 0);
	for (i = 0; i < 4; i++)
		bnd_put(t, SKR_REC_STATE4, sizeof(struct skr_ev_state4),
			ts++, cookie++);
	tg_round(t, ts + 1);
	ck_assert_int_eq(skr_writer_flush(t->w), 0);
	ts += 10;
	if (big) {
		bnd_put(t, SKR_REC_STATE, BND_BIG, ts++, cookie++);
	} else {
		for (i = 0; i < 4; i++)
			bnd_put(t, SKR_REC_STATE, sizeof(struct skr_ev_state),
				ts++, cookie++);
	}
	bnd_put(t, SKR_REC_STATE4, sizeof(struct skr_ev_state4), ts++,
		cookie++);
	bnd_put(t, SKR_REC_STATE4, sizeof(struct skr_ev_state4), ts++,
		cookie++);
	ck_assert_int_eq(skr_writer_flush(t->w), 0);
	tg_end(t, ts + 1000, 0, 0);
	return tg_finish(t);
}

/* Cookies in release order to out[] (at most BND_MAX); returns how many. */
static unsigned replay_bound(bool big, bool prefetch,
			     const struct sa_replay_opts *opts, uint64_t *out,
			     struct sa_replay_stats *st)
{
	const struct sa_replay_ops ops = { .meta = no_meta };
	struct sa_replay *rp = NULL;
	struct skr_reader *r;
	struct skr_record rec;
	struct skr_ev_state ev;
	unsigned got = 0;
	uint64_t ts;
	struct tg t;
	int ret;

	r = bound_trace(&t, big);
	if (prefetch)
		ck_assert_int_eq(skr_reader_prefetch(r, true), 0);
	ck_assert_int_eq(sa_replay_new(&rp, r, opts, &ops, NULL, st), 0);
	while ((ret = sa_replay_next(rp, &rec, &ts)) == 1) {
		ck_assert_uint_lt(got, BND_MAX);
		ck_assert_int_eq(skr_decode_state(&rec, &ev), 0);
		ck_assert_uint_eq(ev.c.ts_ns, ts);
		out[got++] = ev.c.cookie;
	}
	ck_assert_int_eq(ret, 0);
	skr_reader_get_status(r, &replay_status);
	sa_replay_free(rp);
	skr_reader_free(r);
	close(t.fd);
	return got;
}

START_TEST(test_replay_span_bounds)
{
	/* _i 0: max_events, 1: max_bytes */
	const struct sa_replay_opts o = {
		.max_events = _i == 0 ? 4 : 0,
		.max_bytes = _i == 1 ? 4u << 10 : 0,
	};
	uint64_t plain[BND_MAX], got[BND_MAX], records;
	struct sa_replay_stats st0, st;
	unsigned n0, n, i;

	n0 = replay_bound(_i == 1, false, &o, plain, &st0);
	records = replay_status.records;
	n = replay_bound(_i == 1, true, &o, got, &st);
	ck_assert_uint_eq(replay_status.records, records);
	ck_assert_uint_eq(n, n0);
	for (i = 0; i < n; i++)
		ck_assert_msg(got[i] == plain[i],
			      "bound %d, event %u: cookie %llu, read one by "
			      "one %llu", _i, i, (unsigned long long)got[i],
			      (unsigned long long)plain[i]);
	ck_same_stats(&st, &st0);
	/* The bound was reached, and released an event early. */
	ck_assert_uint_gt(st0.forced, 0);
	if (_i == 0)
		ck_assert_uint_eq(st0.peak_held, 4);
}
END_TEST

/*
 * skr_decode_state()'s copy for STATE records against the catalogue's
 * decoder: same bytes out, same refusals (short, wrong type, no data).
 */
START_TEST(test_decode_state_shortcut)
{
	uint8_t buf[sizeof(struct skr_ev_state) + 16];
	struct skr_ev_state a, b;
	struct skr_record rec;
	size_t i;
	int ra, rb;

	rng_state = 99;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rnd();
	memset(&rec, 0, sizeof(rec));
	rec.data = buf;
	rec.type = SKR_REC_STATE;
	for (rec.len = 0; rec.len <= sizeof(buf); rec.len++) {
		memset(&a, 0xa5, sizeof(a));
		memset(&b, 0xa5, sizeof(b));
		ra = skr_decode_state(&rec, &a);
		rb = skr_rec_decode(&rec, SKR_REC_STATE, &b, sizeof(b));
		ck_assert_int_eq(ra, rb);
		ck_assert_int_eq(ra, rec.len >= sizeof(a) ? 0 : -EINVAL);
		ck_assert_mem_eq(&a, &b, sizeof(a));
	}
	rec.len = sizeof(a);
	rec.type = SKR_REC_LISTEN;
	ck_assert_int_eq(skr_decode_state(&rec, &a), -EINVAL);
	rec.type = SKR_REC_STATE;
	rec.data = NULL;
	ck_assert_int_eq(skr_decode_state(&rec, &a), -EINVAL);
	ck_assert_int_eq(skr_decode_state(NULL, &a), -EINVAL);
}
END_TEST

/*
 * The reader remembers the last type's minimum length: a record of
 * another type right after must still be held to its own minimum.
 */
static int read_until_error(uint16_t first, size_t first_len,
			    uint16_t second, size_t second_len,
			    char *msg, size_t msize)
{
	uint8_t a[128], b[128];
	struct skr_rec_hdr h;
	struct skr_record rec;
	struct skr_reader *r;
	struct tg t;
	int ret, n = 0;

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	tg_begin(&t);
	tg_header(&t, 0, 0, SKR_VERSION_MINOR, 0);
	memset(&h, 0, sizeof(h));
	h.len = (uint32_t)first_len;
	h.type = first;
	memcpy(a, &h, sizeof(h));
	h.len = (uint32_t)second_len;
	h.type = second;
	memcpy(b, &h, sizeof(h));
	tg_put(&t, a, first_len);
	tg_put(&t, a, first_len);
	tg_put(&t, b, second_len);
	tg_end(&t, 2000000000u, 0, 0);
	r = tg_finish(&t);
	while ((ret = skr_reader_next(r, &rec)) == 1)
		n++;
	snprintf(msg, msize, "%s", ret < 0 ? skr_reader_errmsg(r) : "");
	skr_reader_free(r);
	close(t.fd);
	return ret < 0 ? ret : n;
}

START_TEST(test_reader_min_len_by_type)
{
	char msg[512];
	int ret;

	/* a LISTEN long enough for itself, not for a STATE */
	ret = read_until_error(SKR_REC_LISTEN, sizeof(struct skr_ev_listen),
			       SKR_REC_STATE, sizeof(struct skr_ev_listen) + 8,
			       msg, sizeof(msg));
	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_msg(strstr(msg, "shorter than 96") != NULL, "%s", msg);
	ret = read_until_error(SKR_REC_STATE, sizeof(struct skr_ev_state),
			       SKR_REC_LISTEN, sizeof(struct skr_ev_listen) - 8,
			       msg, sizeof(msg));
	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_msg(strstr(msg, "shorter than 72") != NULL, "%s", msg);
	/* and each at its own length reads through */
	ret = read_until_error(SKR_REC_STATE, sizeof(struct skr_ev_state),
			       SKR_REC_LISTEN, sizeof(struct skr_ev_listen),
			       msg, sizeof(msg));
	ck_assert_int_ge(ret, 4);
	/*
	 * IPv4 and IPv6 state records mixed, as on a dual-stack host: a
	 * STATE4's length is not enough for a STATE after it, and a STATE4
	 * after a STATE is held to its own 72, not to 96.
	 */
	ret = read_until_error(SKR_REC_STATE4, sizeof(struct skr_ev_state4),
			       SKR_REC_STATE, sizeof(struct skr_ev_state4) + 8,
			       msg, sizeof(msg));
	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_msg(strstr(msg, "shorter than 96") != NULL, "%s", msg);
	ret = read_until_error(SKR_REC_STATE, sizeof(struct skr_ev_state),
			       SKR_REC_STATE4, sizeof(struct skr_ev_state4) - 8,
			       msg, sizeof(msg));
	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_msg(strstr(msg, "shorter than 72") != NULL, "%s", msg);
	ret = read_until_error(SKR_REC_STATE, sizeof(struct skr_ev_state),
			       SKR_REC_STATE4, sizeof(struct skr_ev_state4),
			       msg, sizeof(msg));
	ck_assert_int_ge(ret, 4);
}
END_TEST

static Suite *paths_suite(void)
{
	Suite *s = suite_create("replay_paths");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_replay_paths_sorted, 0, 3);
	tcase_add_loop_test(tc, test_replay_paths_bounded, 0, 4);
	tcase_add_loop_test(tc, test_replay_spans, 0, 6);
	tcase_add_loop_test(tc, test_replay_span_bounds, 0, 2);
	tcase_add_test(tc, test_decode_state_shortcut);
	tcase_add_test(tc, test_reader_min_len_by_type);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(paths_suite());
}
