// SPDX-License-Identifier: BSD-2-Clause
/*
 * The merge time of an event (analyze/run.c, sa_merge_time) has a path of
 * its own for times past the latest clock sample, beside the general one
 * of sa_wallclock_to_wall().  Both must give what the general one alone
 * gives: here against that reference, at and around every sample, at
 * the edges of uint64_t, under offsets of either sign, and as samples are
 * added between calls (the last sample is read afresh each time).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analysis.h"
#include "analyze/wallclock.h"
#include "tracegen.h"

/* What merge time was before the fast path: the general conversion. */
static uint64_t reference(const struct sa_input *in, uint64_t ts)
{
	uint64_t v = ts, wall;
	int64_t off = in->clock_off;

	if (sa_wallclock_to_wall(&in->meta.clock, ts, &wall) == 0)
		v = wall;
	if (off >= 0)
		return v > UINT64_MAX - (uint64_t)off ? UINT64_MAX
						       : v + (uint64_t)off;
	return v < (uint64_t)-(off + 1) + 1 ? 0 : v - ((uint64_t)-(off + 1) + 1);
}

static void add_sample(struct sa_input *in, uint64_t clock_ns,
		       uint64_t realtime_ns)
{
	struct skr_clock c;

	memset(&c, 0, sizeof(c));
	c.clock_ns = clock_ns;
	c.realtime_ns = realtime_ns;
	sa_wallclock_add(&in->meta.clock, &c);
}

/* Every time worth trying against the input's samples as they are now. */
static size_t check_all(struct sa_analysis *a, struct sa_input *in)
{
	static const uint64_t edges[] = {
		0, 1, 2, 1000, UINT64_MAX / 2, UINT64_MAX - 2, UINT64_MAX - 1,
		UINT64_MAX,
	};
	const struct sa_wallclock *wc = &in->meta.clock;
	size_t i, k, n = 0;
	int d;

	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++, n++)
		ck_assert_uint_eq(sa_merge_time(a, 0, edges[i]),
				  reference(in, edges[i]));
	for (k = 0; k < wc->n; k++) {
		for (d = -2; d <= 2; d++, n++) {
			uint64_t ts = wc->s[k].clock_ns + (uint64_t)(int64_t)d;

			ck_assert_msg(sa_merge_time(a, 0, ts) == reference(in, ts),
				      "sample %zu, ts %llu", k,
				      (unsigned long long)ts);
		}
		/* Where the sum passes UINT64_MAX, and one before. */
		if (wc->s[k].realtime_ns > 0) {
			uint64_t room = UINT64_MAX - wc->s[k].realtime_ns;

			for (d = -1; d <= 1; d++, n++) {
				uint64_t ts = wc->s[k].clock_ns + room +
					      (uint64_t)(int64_t)d;

				ck_assert_msg(sa_merge_time(a, 0, ts) ==
					      reference(in, ts),
					      "sample %zu, ts %llu", k,
					      (unsigned long long)ts);
			}
		}
	}
	return n;
}

START_TEST(test_against_reference)
{
	static const int64_t offs[] = {
		0, 1, -1, 1000000000, -1000000000, INT64_MAX, INT64_MIN,
	};
	struct sa_analysis a;
	struct sa_input in;
	size_t o, j, n = 0;
	uint64_t x = 0x9e3779b97f4a7c15ull;

	for (o = 0; o < sizeof(offs) / sizeof(offs[0]); o++) {
		memset(&a, 0, sizeof(a));
		memset(&in, 0, sizeof(in));
		sa_wallclock_init(&in.meta.clock);
		in.clock_off = offs[o];
		a.in = &in;
		a.nin = 1;
		/* No sample: the event clock itself. */
		n += check_all(&a, &in);
		/* Samples in order, as a recording adds them. */
		add_sample(&in, 5000000000ull, 1700000000000000000ull);
		n += check_all(&a, &in);
		add_sample(&in, 6000000000ull, 1700000001000000100ull);
		n += check_all(&a, &in);
		/* An older one: the latest stays last. */
		add_sample(&in, 5500000000ull, 1700000000500000000ull);
		n += check_all(&a, &in);
		/* Wall times near the top, and a clock near its own. */
		add_sample(&in, 7000000000ull, UINT64_MAX - 1000);
		n += check_all(&a, &in);
		add_sample(&in, UINT64_MAX - 5, 42);
		n += check_all(&a, &in);
		/* Random times, with the samples as they stand. */
		for (j = 0; j < 20000; j++, n++) {
			uint64_t ts;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			ts = j & 1 ? x : 5000000000ull + x % 3000000000ull;
			ck_assert_uint_eq(sa_merge_time(&a, 0, ts),
					  reference(&in, ts));
		}
	}
	ck_assert_uint_gt(n, 1000);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("merge_time");
	TCase *tc = tcase_create("merge_time");

	tcase_add_test(tc, test_against_reference);
	suite_add_tcase(s, tc);
	return tg_main(s);
}
