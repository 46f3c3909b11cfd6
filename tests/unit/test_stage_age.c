// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the rule that lets a sweep leave a CPU's staged records in
 * place (record/stage_age.h): only whole event records, every one stamped
 * at or after the bound; anything else is flushed.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "record/stage_age.h"

#define AREA	(sizeof(struct skr_stage_head) + SKR_STAGE_BYTES + 256)

static uint8_t area[AREA];

/* Empty the area, then stage n STATE4 records stamped ts[0..n-1]. */
static void stage(const uint64_t *ts, unsigned n)
{
	struct skr_stage_head head;
	size_t len = sizeof(struct skr_ev_state4), off = sizeof(head);
	unsigned i;

	memset(area, 0, sizeof(area));
	for (i = 0; i < n; i++) {
		struct skr_ev_state4 r;

		memset(&r, 0, sizeof(r));
		r.hdr.len = (skr_u32)len;
		r.hdr.type = SKR_REC_STATE4;
		r.c.ts_ns = ts[i];
		memcpy(area + off, &r, len);
		off += len;
	}
	memset(&head, 0, sizeof(head));
	head.used = (__u32)(off - sizeof(head));
	head.records = n;
	memcpy(area, &head, sizeof(head));
}

static void set_used(uint32_t used)
{
	struct skr_stage_head head;

	memcpy(&head, area, sizeof(head));
	head.used = used;
	memcpy(area, &head, sizeof(head));
}

START_TEST(test_fresh_only_when_all_recent)
{
	const uint64_t ts[] = { 1000, 1005, 1010, 1020 };

	stage(ts, 4);
	ck_assert(rec_stage_fresh(area, sizeof(area), 1000));
	ck_assert(rec_stage_fresh(area, sizeof(area), 0));
	/* The first record, or only the last, older than the bound. */
	ck_assert(!rec_stage_fresh(area, sizeof(area), 1001));
	{
		const uint64_t late[] = { 2000, 2001, 2002, 999 };

		stage(late, 4);
		ck_assert(!rec_stage_fresh(area, sizeof(area), 1000));
	}
	/* Empty: nothing to leave (and nothing to flush). */
	stage(ts, 0);
	ck_assert(!rec_stage_fresh(area, sizeof(area), 0));
}
END_TEST

START_TEST(test_torn_or_odd_is_flushed)
{
	const uint64_t ts[] = { 5000, 5001, 5002 };
	size_t len = sizeof(struct skr_ev_state4);
	struct skr_rec_hdr hdr;
	uint8_t *second = area + sizeof(struct skr_stage_head) + len;

	stage(ts, 3);
	ck_assert(rec_stage_fresh(area, sizeof(area), 5000));
	/* used ends inside a record, or past the area, or past the copy. */
	set_used((uint32_t)(3 * len - 8));
	ck_assert(!rec_stage_fresh(area, sizeof(area), 5000));
	set_used(SKR_STAGE_BYTES + 8);
	ck_assert(!rec_stage_fresh(area, sizeof(area), 5000));
	set_used((uint32_t)(3 * len));
	ck_assert(!rec_stage_fresh(area, sizeof(struct skr_stage_head) + 2 * len, 5000));
	ck_assert(!rec_stage_fresh(area, 4, 0));
	/* A record that is no event, or whose length cannot hold a time. */
	memcpy(&hdr, second, sizeof(hdr));
	hdr.type = SKR_REC_ROUND;
	memcpy(second, &hdr, sizeof(hdr));
	ck_assert(!rec_stage_fresh(area, sizeof(area), 5000));
	hdr.type = SKR_REC_STATE4;
	hdr.len = 8;
	memcpy(second, &hdr, sizeof(hdr));
	ck_assert(!rec_stage_fresh(area, sizeof(area), 5000));
	hdr.len = 0;
	memcpy(second, &hdr, sizeof(hdr));
	ck_assert(!rec_stage_fresh(area, sizeof(area), 5000));
}
END_TEST

static Suite *stage_age_suite(void)
{
	Suite *s = suite_create("stage_age");
	TCase *tc = tcase_create("rule");

	tcase_add_test(tc, test_fresh_only_when_all_recent);
	tcase_add_test(tc, test_torn_or_odd_is_flushed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(stage_age_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
