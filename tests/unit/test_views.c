// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the table of views (analyze/views.c): every report id has
 * its own view, options find them, and the option lists in messages come
 * from the table.
 */
#include <check.h>
#include <string.h>

#include "analyze/views.h"
#include "tracegen.h"

static const enum sa_report reports[] = {
	SA_REPORT_DIAG, SA_REPORT_INFO, SA_REPORT_TIMELINE, SA_REPORT_LATENCY,
	SA_REPORT_BACKLOG,
};
#define NREPORTS	(sizeof(reports) / sizeof(reports[0]))

START_TEST(test_view_per_report)
{
	const struct sa_view *v, *w;
	size_t i, k;

	for (i = 0; i < NREPORTS; i++) {
		v = sa_view_of(reports[i]);
		ck_assert_ptr_nonnull(v);
		ck_assert_int_eq(v->report, reports[i]);
		ck_assert_ptr_nonnull(v->name);
		ck_assert_ptr_nonnull(v->new);
		/* Every view writes text and JSON; CSV needs its row kind. */
		ck_assert(v->formats & SA_VIEW_TEXT);
		ck_assert(v->formats & SA_VIEW_JSON);
		ck_assert_int_eq(!!(v->formats & SA_VIEW_CSV), !!v->csv_kind);
		for (k = 0; k < i; k++) {
			w = sa_view_of(reports[k]);
			ck_assert_ptr_ne(v, w);
			ck_assert_str_ne(v->name, w->name);
		}
		if (v->option)
			ck_assert_ptr_eq(sa_view_by_option(v->option), v);
	}
	/*
	 * A view that keeps no owners is handed no life (a filter on the
	 * owner would then pass nothing); --info is one.
	 */
	for (i = 0; i < sa_view_count(); i++) {
		v = sa_view_at(i);
		if (v->no_owners)
			ck_assert_msg(!v->socket && !v->event, "%s", v->name);
	}
	ck_assert(sa_view_of(SA_REPORT_INFO)->no_owners);
	/* Only --timeline pays for each life's items. */
	for (i = 0; i < NREPORTS; i++)
		ck_assert_int_eq(sa_view_of(reports[i])->items,
				 reports[i] == SA_REPORT_TIMELINE);
}
END_TEST

START_TEST(test_view_by_option)
{
	ck_assert_ptr_eq(sa_view_by_option("--latency"),
			 sa_view_of(SA_REPORT_LATENCY));
	ck_assert_ptr_eq(sa_view_by_option("--info"),
			 sa_view_of(SA_REPORT_INFO));
	ck_assert_ptr_null(sa_view_by_option("--latenc"));
	ck_assert_ptr_null(sa_view_by_option("--json"));
	ck_assert_ptr_null(sa_view_by_option(""));
	/* The default has no option; an unknown id gets the default. */
	ck_assert_ptr_null(sa_view_of(SA_REPORT_DIAG)->option);
	ck_assert_ptr_eq(sa_view_of((enum sa_report)99),
			 sa_view_of(SA_REPORT_DIAG));
}
END_TEST

START_TEST(test_view_options)
{
	char buf[96], small[24];

	ck_assert_str_eq(sa_view_options(SA_FORMAT_CSV, "or", buf, sizeof(buf)),
			 "--timeline, --latency, --backlog or --connections");
	ck_assert_str_eq(sa_view_options(SA_FORMAT_JSON, "and", buf,
					 sizeof(buf)),
			 "--info, --timeline, --latency, --backlog and --connections");
	/* Cut at the last option that fits whole, never inside one. */
	ck_assert_str_eq(sa_view_options(SA_FORMAT_CSV, "or", small,
					 sizeof(small)),
			 "--timeline, --latency");
	ck_assert_str_eq(sa_view_options(SA_FORMAT_CSV, "or", small, 5), "");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("views");
	TCase *tc = tcase_create("views");

	tcase_add_test(tc, test_view_per_report);
	tcase_add_test(tc, test_view_by_option);
	tcase_add_test(tc, test_view_options);
	suite_add_tcase(s, tc);
	return tg_main(s);
}
