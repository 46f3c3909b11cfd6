// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the STATS record: its decoder, a round trip through the
 * writer and the reader, and a recorder's rotated files concatenated.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "format/skr.h"
#include "tracegen.h"

static struct skr_stats mk_stats(uint64_t base)
{
	struct skr_stats st;

	memset(&st, 0, sizeof(st));
	st.hdr.len = sizeof(st);
	st.hdr.type = SKR_REC_STATS;
	st.ts_ns = base;
	st.events = base + 1;
	st.lost = base + 2;
	st.output_failed = base + 3;
	st.recursion_misses = base + 4;
	st.bytes_in = base + 5;
	st.bytes_out = base + 6;
	st.malformed = base + 7;
	return st;
}

START_TEST(test_decode_stats)
{
	uint8_t longer[sizeof(struct skr_stats) + 8];
	struct skr_stats st = mk_stats(100), out;
	struct skr_record rec = { 0 };

	rec.data = (const uint8_t *)&st;
	rec.len = sizeof(st);
	rec.type = SKR_REC_STATS;
	ck_assert_int_eq(skr_decode_stats(&rec, &out), 0);
	ck_assert_mem_eq(&out, &st, sizeof(st));

	rec.len = sizeof(st) - 1;	/* too short */
	ck_assert_int_eq(skr_decode_stats(&rec, &out), -EINVAL);
	rec.len = sizeof(st);
	rec.type = SKR_REC_END;		/* wrong type */
	ck_assert_int_eq(skr_decode_stats(&rec, &out), -EINVAL);

	/* Fields a later minor version appends are ignored. */
	memset(longer, 0xee, sizeof(longer));
	st.hdr.len = sizeof(longer);
	memcpy(longer, &st, sizeof(st));
	rec.data = longer;
	rec.len = sizeof(longer);
	rec.type = SKR_REC_STATS;
	ck_assert_int_eq(skr_decode_stats(&rec, &out), 0);
	ck_assert_uint_eq(out.malformed, 107);
	ck_assert_uint_eq(out.hdr.len, sizeof(longer));

	rec.data = NULL;
	ck_assert_int_eq(skr_decode_stats(&rec, &out), -EINVAL);
}
END_TEST

/* One file of a capture as sockrec writes it: header, STATS, END. */
static void write_segment(struct tg *t, uint32_t index, uint64_t base)
{
	struct skr_stats st = mk_stats(base);

	tg_header(t, index, 0x5a, SKR_VERSION_MINOR, 0);
	tg_put(t, &st, sizeof(st));
	tg_end(t, 0, 0, 0);
	ck_assert_int_eq(skr_writer_flush(t->w), 0);
}

START_TEST(test_stats_concatenated)
{
	struct skr_reader_status status;
	struct skr_reader *r;
	struct skr_record rec;
	struct skr_stats st;
	struct tg t;
	int n = 0, ret;

	/* Two writers on one file descriptor: the bytes of `cat f.0 f.1`. */
	tg_begin(&t);
	write_segment(&t, 0, 1000);
	tg_next_segment(&t);
	write_segment(&t, 1, 2000);
	r = tg_finish(&t);
	while ((ret = skr_reader_next(r, &rec)) == 1) {
		if (rec.type != SKR_REC_STATS)
			continue;
		ck_assert_int_eq(skr_decode_stats(&rec, &st), 0);
		ck_assert_uint_eq(rec.segment, (uint32_t)n);
		ck_assert_uint_eq(st.events, 1000u * (unsigned)(n + 1) + 1);
		n++;
	}
	ck_assert_int_eq(ret, 0);
	ck_assert_int_eq(n, 2);
	skr_reader_get_status(r, &status);
	ck_assert_uint_eq(status.segments, 2);
	ck_assert_uint_eq(status.segments_ended, 2);
	ck_assert(!status.truncated);
	skr_reader_free(r);
	close(t.fd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("stats");

	tcase_add_test(tc, test_decode_stats);
	tcase_add_test(tc, test_stats_concatenated);
	suite_add_tcase(s, tc);
	return tg_main(s);
}
