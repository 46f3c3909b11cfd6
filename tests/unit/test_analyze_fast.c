/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of the analyzer's fast paths (docs/PERFORMANCE.md): the
 * reorder buffer's sorted runs and their heap fallback, the bound on
 * closed sockets held in their grace, the open-listener index, the cached
 * seconds of wall-clock text, and the JSON writer's bulk copies.  Each is
 * checked against the plain answer it must equal.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/sockana.h"
#include "tracegen.h"

#define NETNS	4026531840u
#define SEC	1000000000ull

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* ------------------------------------------------------------------ */
/* Reorder buffer                                                       */
/* ------------------------------------------------------------------ */

struct sent {
	uint64_t ts;
	uint64_t cookie;		/* file order */
};

static int by_time(const void *x, const void *y)
{
	const struct sent *a = x, *b = y;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return a->cookie < b->cookie ? -1 : a->cookie > b->cookie;
}

struct got {
	struct sent *v;
	size_t n;
};

static int got_event(void *ctx, const struct skr_record *rec, uint64_t ts)
{
	struct got *g = ctx;
	struct skr_ev_state ev;

	ck_assert_int_eq(skr_decode_state(rec, &ev), 0);
	ck_assert_uint_eq(ev.c.ts_ns, ts);
	g->v[g->n].ts = ts;
	g->v[g->n].cookie = ev.c.cookie;
	g->n++;
	return 0;
}

static int no_meta(void *ctx, const struct skr_record *rec)
{
	(void)ctx;
	(void)rec;
	return 0;
}

/*
 * Events of ncpus CPUs, each CPU's in time order, written a CPU's batch at
 * a time with ROUND records between batches, as the recorder does; with
 * jitter some events step back within their CPU.  Replay must give them
 * in (time, file order) order, which a stable sort gives.
 */
static void replay_case(unsigned ncpus, unsigned n, bool jitter)
{
	struct sa_replay_ops ops = { .meta = no_meta, .event = got_event };
	struct sa_replay_stats st;
	struct skr_reader *r;
	struct sent *sent;
	struct got got;
	uint64_t cpu_ts[64];
	unsigned i, k, c;
	struct tg t;

	ck_assert_uint_le(ncpus, 64);
	sent = calloc(n, sizeof(*sent));
	got.v = calloc(n, sizeof(*got.v));
	got.n = 0;
	ck_assert_ptr_nonnull(sent);
	ck_assert_ptr_nonnull(got.v);
	tg_begin(&t);
	tg_header(&t, 0, 0, SKR_VERSION_MINOR, 0);
	for (c = 0; c < ncpus; c++)
		cpu_ts[c] = SEC + rnd() % 1000;
	for (i = 0; i < n;) {
		uint64_t horizon = UINT64_MAX;

		for (c = 0; c < ncpus; c++) {
			unsigned batch = (unsigned)(rnd() % 40);

			for (k = 0; k < batch && i < n; k++, i++) {
				struct skr_ev_state ev;

				/* Equal times happen: file order breaks ties. */
				cpu_ts[c] += rnd() % 3;
				memset(&ev, 0, sizeof(ev));
				ev.hdr.len = sizeof(ev);
				ev.hdr.type = SKR_REC_STATE;
				ev.c.ts_ns = cpu_ts[c];
				if (jitter && rnd() % 16 == 0)
					ev.c.ts_ns -= rnd() % 50;
				ev.c.cookie = i + 1;
				ev.c.cpu = (uint16_t)c;
				sent[i].ts = ev.c.ts_ns;
				sent[i].cookie = i + 1;
				tg_put(&t, &ev, sizeof(ev));
			}
		}
		for (c = 0; c < ncpus; c++)
			if (cpu_ts[c] < horizon)
				horizon = cpu_ts[c];
		/* Jittered events may be older than the horizon: keep it low. */
		tg_round(&t, jitter ? horizon - 60 : horizon + 1);
	}
	r = tg_finish(&t);
	ck_assert_int_eq(sa_replay_run(r, NULL, &ops, &got, &st), 0);
	skr_reader_free(r);
	close(t.fd);

	qsort(sent, n, sizeof(*sent), by_time);
	ck_assert_uint_eq(got.n, n);
	ck_assert_uint_eq(st.late, 0);
	ck_assert_uint_eq(st.forced, 0);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(got.v[i].ts, sent[i].ts);
		ck_assert_uint_eq(got.v[i].cookie, sent[i].cookie);
	}
	free(sent);
	free(got.v);
}

START_TEST(test_replay_runs)
{
	rng_state = 0x9e3779b97f4a7c15ull;
	replay_case(1, 5000, false);
	replay_case(2, 20000, false);
	replay_case(2, 20000, true);
	/* More CPUs than sorted runs: the rest goes through the heap. */
	replay_case(48, 20000, false);
	replay_case(64, 20000, true);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Socket table                                                         */
/* ------------------------------------------------------------------ */

struct done {
	uint64_t n;
	uint64_t last_id;
	bool in_order;
	uint64_t parent_of_last;
};

static int on_done(void *ctx, const struct sa_sock *s)
{
	struct done *d = ctx;

	if (s->id < d->last_id)
		d->in_order = false;
	d->last_id = s->id;
	d->parent_of_last = s->parent;
	d->n++;
	return 0;
}

static void state(struct sa_sockets *t, uint64_t cookie, uint64_t ts,
		  uint8_t from, uint8_t to, uint16_t sport)
{
	struct sa_evctx ec = { .host = 0, .input = 0, .mt = ts };
	struct skr_ev_state ev;

	memset(&ev, 0, sizeof(ev));
	ev.c.ts_ns = ts;
	ev.c.cookie = cookie;
	ev.c.netns = NETNS;
	ev.family = SKR_AF_INET;
	ev.saddr[0] = 127;
	ev.saddr[3] = 1;
	ev.sport = sport;
	ev.oldstate = from;
	ev.newstate = to;
	ck_assert_int_eq(sa_sockets_state(t, &ec, &ev), 0);
}

START_TEST(test_closing_bound)
{
	struct done d = { .in_order = true };
	struct sa_sockets *t;
	uint64_t i, n = SA_CLOSING_MAX + 100, ts = SEC;

	ck_assert_int_eq(sa_sockets_new(&t, on_done, &d), 0);
	sa_sockets_keep_items(t, false);
	/* Far more closes within one grace period than are held. */
	for (i = 1; i <= n; i++, ts += 1000) {
		ck_assert_int_eq(sa_sockets_tick(t, ts), 0);
		state(t, i, ts, SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, 0);
		state(t, i, ts + 1, SKR_TCP_SYN_SENT, SKR_TCP_CLOSE, 0);
	}
	ck_assert_int_eq(sa_sockets_tick(t, ts), 0);
	ck_assert_uint_eq(d.n, 100);
	ck_assert(d.in_order);
	ck_assert_uint_le(sa_sockets_peak_live(t), SA_CLOSING_MAX + 1);
	ck_assert_uint_eq(sa_sockets_seen(t), n);
	/* The rest still ends with the grace period, in order. */
	ck_assert_int_eq(sa_sockets_tick(t, ts + SA_CLOSE_GRACE_NS), 0);
	ck_assert_uint_eq(d.n, n);
	ck_assert(d.in_order);
	sa_sockets_free(t);
}
END_TEST

START_TEST(test_listener_index)
{
	struct sa_evctx ec = { .host = 0, .input = 0, .mt = SEC };
	struct done d = { .in_order = true };
	struct sa_sockets *t;
	struct sa_sock *l, *wild;
	uint64_t i;

	ck_assert_int_eq(sa_sockets_new(&t, on_done, &d), 0);
	/* Many open sockets that are not listeners. */
	for (i = 100; i < 2100; i++)
		state(t, i, SEC, SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, 0);
	/* A listener on any address, made one by its transition. */
	state(t, 5, SEC, SKR_TCP_CLOSE, SKR_TCP_LISTEN, 80);
	wild = sa_sockets_get(t, &ec, NETNS, 5, SEC, false);
	ck_assert_ptr_nonnull(wild);
	memset(wild->saddr, 0, sizeof(wild->saddr));
	/* One the caller makes a listener after sa_sockets_get(). */
	l = sa_sockets_get(t, &ec, NETNS, 7, SEC, true);
	ck_assert_ptr_nonnull(l);
	l->role = SA_ROLE_LISTENER;
	l->family = SKR_AF_INET;
	l->saddr[0] = 127;
	l->saddr[3] = 1;
	l->sport = 80;
	ck_assert_int_eq(sa_sockets_tick(t, SEC), 0);
	/* The bound one wins over the wildcard, though it came later. */
	ck_assert_ptr_eq(sa_sockets_listener(t, 0, NETNS, SKR_AF_INET,
					     l->saddr, 80), l);
	state(t, 9, SEC + 1, SKR_TCP_LISTEN, SKR_TCP_SYN_RECV, 80);
	/* Once closed it is no listener any more: the wildcard one is. */
	state(t, 7, SEC + 2, SKR_TCP_LISTEN, SKR_TCP_CLOSE, 80);
	ck_assert_ptr_eq(sa_sockets_listener(t, 0, NETNS, SKR_AF_INET,
					     l->saddr, 80), wild);
	ck_assert_ptr_null(sa_sockets_listener(t, 0, NETNS, SKR_AF_INET,
					       l->saddr, 81));
	ck_assert_int_eq(sa_sockets_finish(t), 0);
	ck_assert_uint_eq(d.n, 2003);
	ck_assert(d.in_order == false);	/* closed ones come first */
	sa_sockets_free(t);
}
END_TEST

static uint64_t child_parent;

static int find_child(void *ctx, const struct sa_sock *s)
{
	(void)ctx;
	if (s->cookie == 9)
		child_parent = s->parent;
	return 0;
}

START_TEST(test_listener_parent)
{
	struct sa_evctx ec = { .host = 0, .input = 0, .mt = SEC };
	struct sa_sockets *t;
	struct sa_sock *l;
	uint64_t id;

	child_parent = 0;
	ck_assert_int_eq(sa_sockets_new(&t, find_child, NULL), 0);
	state(t, 1, SEC, SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, 0);
	l = sa_sockets_get(t, &ec, NETNS, 7, SEC, true);
	ck_assert_ptr_nonnull(l);
	id = l->id;
	l->role = SA_ROLE_LISTENER;
	l->family = SKR_AF_INET;
	l->sport = 80;
	/* No tick in between: the lookup itself settles what get handed out. */
	state(t, 9, SEC + 1, SKR_TCP_LISTEN, SKR_TCP_SYN_RECV, 80);
	ck_assert_int_eq(sa_sockets_finish(t), 0);
	ck_assert_uint_eq(child_parent, id);
	sa_sockets_free(t);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Text                                                                 */
/* ------------------------------------------------------------------ */

START_TEST(test_wall_text)
{
	static const struct {
		uint64_t ns;
		const char *text;
	} cases[] = {
		{ 1795341600ull * SEC + 123456789, "2026-11-22T10:00:00.123456Z" },
		{ 1795341600ull * SEC + 999999999, "2026-11-22T10:00:00.999999Z" },
		{ 1795341601ull * SEC, "2026-11-22T10:00:01.000000Z" },
		{ 1795341600ull * SEC + 1000, "2026-11-22T10:00:00.000001Z" },
		{ 0, "1970-01-01T00:00:00.000000Z" },
		{ UINT64_MAX, "2554-07-21T23:34:33.709551Z" },
		{ 1795341600ull * SEC + 5000, "2026-11-22T10:00:00.000005Z" },
	};
	char buf[SA_WALL_LEN];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(sa_format_wall(cases[i].ns, buf, sizeof(buf)), 0);
		ck_assert_str_eq(buf, cases[i].text);
	}
	/* Too small a buffer fails even when the second is cached. */
	ck_assert_int_eq(sa_format_wall(0, buf, 28), 0);
	ck_assert_int_eq(sa_format_wall(0, buf, 27), -ENOSPC);
}
END_TEST

START_TEST(test_json_row)
{
	static const char want[] =
		"{\"row\":\"t\",\"s\":\"plain text, \\\"quoted\\\" \\\\ \\u0001"
		"\\ufffd\xc3\xa9\",\"u\":18446744073709551615,\"z\":0,"
		"\"i\":-9223372036854775808,\"j\":42,\"n\":null,\"b\":true}\n";
	struct sa_out o;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	sa_out_init(&o, f, SA_FORMAT_JSON, NULL);
	sa_row_begin(&o, "t");
	sa_row_str(&o, "s", "plain text, \"quoted\" \\ \x01\xff\xc3\xa9");
	sa_row_u64(&o, "u", UINT64_MAX);
	sa_row_u64(&o, "z", 0);
	sa_row_i64(&o, "i", INT64_MIN);
	sa_row_i64(&o, "j", 42);
	sa_row_str(&o, "n", NULL);
	sa_row_bool(&o, "b", true);
	sa_row_end(&o);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_str_eq(text, want);
	sa_out_release(&o);
	free(text);
}
END_TEST

static Suite *fast_suite(void)
{
	Suite *s = suite_create("analyze_fast");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_replay_runs);
	tcase_add_test(tc, test_closing_bound);
	tcase_add_test(tc, test_listener_index);
	tcase_add_test(tc, test_listener_parent);
	tcase_add_test(tc, test_wall_text);
	tcase_add_test(tc, test_json_row);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(fast_suite());
}
