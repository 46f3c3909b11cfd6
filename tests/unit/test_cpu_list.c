// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the parser of the kernel's CPU lists (record/cpu_list.h),
 * which sockrec reads from /sys/devices/system/cpu/online to find CPUs that
 * came back online (record/cpurings.c).
 */
#include <check.h>
#include <string.h>

#include "record/cpu_list.h"

#define NCPUS	16

static bool set[NCPUS];

/* The set as a string of 0 and 1, CPU 0 first. */
static const char *bits(void)
{
	static char b[NCPUS + 1];
	int i;

	for (i = 0; i < NCPUS; i++)
		b[i] = set[i] ? '1' : '0';
	b[NCPUS] = '\0';
	return b;
}

static int parse(const char *s)
{
	return rec_cpu_list_parse(s, strlen(s), set, NCPUS);
}

START_TEST(lists_the_kernel_writes)
{
	ck_assert_int_eq(parse("0-1\n"), 0);
	ck_assert_str_eq(bits(), "1100000000000000");
	ck_assert_int_eq(parse("0\n"), 0);
	ck_assert_str_eq(bits(), "1000000000000000");
	ck_assert_int_eq(parse("0,2-3,5,7-9\n"), 0);
	ck_assert_str_eq(bits(), "1011010111000000");
	ck_assert_int_eq(parse("1,15"), 0);
	ck_assert_str_eq(bits(), "0100000000000001");
	/* No CPU online but none (never the online list, but valid). */
	ck_assert_int_eq(parse("\n"), 0);
	ck_assert_str_eq(bits(), "0000000000000000");
}
END_TEST

START_TEST(cpus_past_the_possible_ones_are_ignored)
{
	ck_assert_int_eq(parse("14-40\n"), 0);
	ck_assert_str_eq(bits(), "0000000000000011");
	ck_assert_int_eq(parse("3,999999999\n"), 0);
	ck_assert_str_eq(bits(), "0001000000000000");
}
END_TEST

START_TEST(anything_else_is_refused_and_leaves_nothing_set)
{
	static const char *const bad[] = {
		"x", "0-", "-1", "3-1", "0,,1", "0,", ",0", "0 1", "0-1-2",
		"1234567890", "0-1\n\n", "0\n1", "+1",
	};
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(set, 1, sizeof(set));
		ck_assert_msg(parse(bad[i]) == -EINVAL, "accepted '%s'", bad[i]);
		ck_assert_str_eq(bits(), "0000000000000000");
	}
}
END_TEST

START_TEST(reads_no_byte_past_len)
{
	/* The bytes after len are not part of the list. */
	ck_assert_int_eq(rec_cpu_list_parse("0-3,9", 3, set, NCPUS), 0);
	ck_assert_str_eq(bits(), "1111000000000000");
	ck_assert_int_eq(rec_cpu_list_parse("12", 1, set, NCPUS), 0);
	ck_assert_str_eq(bits(), "0100000000000000");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("cpu_list");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, lists_the_kernel_writes);
	tcase_add_test(tc, cpus_past_the_possible_ones_are_ignored);
	tcase_add_test(tc, anything_else_is_refused_and_leaves_nothing_set);
	tcase_add_test(tc, reads_no_byte_past_len);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
