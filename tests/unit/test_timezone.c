/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Times given and printed by sockana (issue 17): --since/--until in ISO 8601
 * with a zone offset, dates that do not exist refused, and wall times
 * printed in the reader's zone with --localtime (UTC by default).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze/wallclock.h"
#include "tracegen.h"

#define SEC	1000000000ull
/* 2026-11-22T02:52:59Z */
#define T_UTC	1795315979ull

static int since(const char *text, uint64_t *ns)
{
	struct sa_filters f;
	char msg[200];
	int err;

	memset(&f, 0, sizeof(f));
	err = sa_filter_parse(&f, "--since", text, msg, sizeof(msg));
	if (err == 0) {
		ck_assert(f.since.set);
		ck_assert(!f.since.offset);
		*ns = f.since.ns;
	}
	return err;
}

START_TEST(test_offsets)
{
	static const char *const same[] = {
		"2026-11-22T02:52:59Z", "2026-11-22T02:52:59",
		"2026-11-22 02:52:59", "2026-11-22T03:52:59+01:00",
		"2026-11-22T03:52:59+0100", "2026-11-22T03:52:59+01",
		"2026-11-22T08:22:59+05:30", "2026-11-21T23:52:59-03:00",
		"2026-11-21T16:52:59-10", "2026-11-22T02:52:59+00:00",
		"2026-11-22T02:52:59-00:00",
	};
	uint64_t ns = 0;
	size_t i;

	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		ck_assert_msg(since(same[i], &ns) == 0, "%s refused", same[i]);
		ck_assert_msg(ns == T_UTC * SEC, "%s: %llu", same[i],
			      (unsigned long long)ns);
	}
	/* the fraction is kept across the offset */
	ck_assert_int_eq(since("2026-11-22T03:52:59.25+01:00", &ns), 0);
	ck_assert_uint_eq(ns, T_UTC * SEC + SEC / 4);
	/* an offset across midnight and a year */
	ck_assert_int_eq(since("2027-01-01T00:30:00+01:00", &ns), 0);
	ck_assert_uint_eq(ns, (1798761600ull - 1800) * SEC);
}
END_TEST

START_TEST(test_refused)
{
	static const char *const bad[] = {
		"2026-02-31T00:00:00Z", "2026-02-29T00:00:00Z",
		"2100-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
		"2026-06-31T00:00:00Z", "2026-09-31T00:00:00Z",
		"2026-11-31T00:00:00Z", "2026-00-10T00:00:00Z",
		"2026-13-01T00:00:00Z", "2026-01-32T00:00:00Z",
		"2026-11-22T03:52:59+24:00", "2026-11-22T03:52:59+01:60",
		"2026-11-22T03:52:59+1", "2026-11-22T03:52:59+01:0",
		"2026-11-22T03:52:59+010", "2026-11-22T03:52:59+01:00:00",
		"2026-11-22T03:52:59ZZ", "2026-11-22T03:52:59Z+01:00",
		"2026-11-22T03:52:59 +01:00", "2026-11-22T03:52:59UTC",
		"2026-11-22T03:52:59+", "1970-01-01T00:00:00+01:00",
	};
	uint64_t ns;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(since(bad[i], &ns) == -EINVAL, "%s accepted",
			      bad[i]);
	/* leap days that exist */
	ck_assert_int_eq(since("2024-02-29T00:00:00Z", &ns), 0);
	ck_assert_int_eq(since("2000-02-29T00:00:00Z", &ns), 0);
	ck_assert_int_eq(since("2026-12-31T23:59:59Z", &ns), 0);
	ck_assert_int_eq(since("1970-01-01T01:00:00+01:00", &ns), 0);
	ck_assert_uint_eq(ns, 0);
}
END_TEST

START_TEST(test_localtime)
{
	char buf[SA_WALL_LEN];
	uint64_t t = T_UTC * SEC + 123456789;

	ck_assert_int_eq(setenv("TZ", "XST-05:30", 1), 0);
	/* TZ alone changes nothing: UTC is the default */
	sa_wallclock_use_local(false);
	ck_assert_int_eq(sa_format_wall(t, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "2026-11-22T02:52:59.123456Z");

	sa_wallclock_use_local(true);
	ck_assert_int_eq(sa_format_wall(t, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "2026-11-22T08:22:59.123456+05:30");
	/* the cached second is reused with its zone */
	ck_assert_int_eq(sa_format_wall(t + 1000, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "2026-11-22T08:22:59.123457+05:30");
	/* 32 characters and the terminator */
	ck_assert_int_eq(sa_format_wall(t, buf, 33), 0);
	ck_assert_int_eq(sa_format_wall(t, buf, 32), -ENOSPC);

	/* west of UTC, across midnight and a year */
	ck_assert_int_eq(setenv("TZ", "YST+03", 1), 0);
	sa_wallclock_use_local(true);
	ck_assert_int_eq(sa_format_wall(1798761600ull * SEC, buf, sizeof(buf)),
			 0);
	ck_assert_str_eq(buf, "2026-12-31T21:00:00.000000-03:00");

	/* a zone with daylight saving time: the offset of that date */
	ck_assert_int_eq(setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1), 0);
	sa_wallclock_use_local(true);
	ck_assert_int_eq(sa_format_wall(1784000000ull * SEC, buf, sizeof(buf)),
			 0);
	ck_assert_str_eq(buf, "2026-07-14T05:33:20.000000+02:00");
	ck_assert_int_eq(sa_format_wall(T_UTC * SEC, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "2026-11-22T03:52:59.000000+01:00");

	/* and back to UTC */
	sa_wallclock_use_local(false);
	ck_assert_int_eq(sa_format_wall(T_UTC * SEC, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "2026-11-22T02:52:59.000000Z");
	ck_assert_int_eq(unsetenv("TZ"), 0);
}
END_TEST

static Suite *timezone_suite(void)
{
	Suite *s = suite_create("timezone");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_offsets);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_localtime);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(timezone_suite());
}
